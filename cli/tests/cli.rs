//! Golden tests of what `wasit2` and `wasit-ld` print: every case in
//! `tests/cli` (format in `tests/cli/README.md`) runs its `RUN:` lines, and
//! each line running `wasit2` or `wasit-ld` must print exactly the case's
//! `.stdout`/`.stderr` goldens and exit with its `EXIT:` code. Other lines
//! (clang-22, wasm-tools, ...) build inputs and must succeed.
//!
//! One trial per case: `cargo test -p wasit2-cli --test cli -- NAME`.
//! `BLESS=1` rewrites the goldens from each case's first checked line.
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use libtest_mimic::{Arguments, Failed, Trial};
use wasit2_testkit::{repo, Tool};

/// One case file.
struct Case {
    name: String,
    path: PathBuf,
    runs: Vec<Vec<String>>,
    exit: i32,
}

/// The comment that carries directives in a case file of this extension.
fn comment_prefix(path: &Path) -> Option<&'static str> {
    match path.extension()?.to_str()? {
        "wat" => Some(";;"),
        "c" | "wit" => Some("//"),
        _ => None,
    }
}

/// Splits a RUN line into words: whitespace separates, `'...'` and `"..."`
/// quote (no escapes, no shell features).
fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            None => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err(format!("unterminated quote in `{line}`"));
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

fn parse_case(path: &Path, prefix: &str) -> Result<Case, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let mut case = Case {
        name,
        path: path.to_path_buf(),
        runs: Vec::new(),
        exit: 0,
    };
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix(prefix) else {
            continue;
        };
        let rest = rest.trim();
        if let Some(cmd) = rest.strip_prefix("RUN:") {
            let words = split_words(cmd)?;
            let program = words.first().ok_or("empty RUN line")?;
            if Tool::by_name(program).is_none() {
                return Err(format!(
                    "RUN line runs `{program}`, which is not a known tool (testkit::Tool)"
                ));
            }
            case.runs.push(words);
        } else if let Some(code) = rest.strip_prefix("EXIT:") {
            case.exit = code
                .trim()
                .parse()
                .map_err(|_| format!("bad EXIT `{}`", code.trim()))?;
        }
    }
    if !case.runs.iter().any(|r| is_checked(&r[0])) {
        return Err("no RUN line runs wasit2 or wasit-ld".into());
    }
    Ok(case)
}

/// Lines running the tools under test are compared with the goldens.
fn is_checked(program: &str) -> bool {
    matches!(Tool::by_name(program), Some(Tool::Wasit2 | Tool::WasitLd))
}

/// The case's RUN line with `%sysroot` (the default sysroot), `%s` (the
/// case file), `%S` (the `tests/cli` directory), `%t`
/// (`<scratch>/<case name>`) substituted.
fn substitute(word: &str, case: &Case, cases_dir: &Path, tmp: &Path) -> String {
    word.replace("%sysroot", &sysroot().to_string_lossy())
        .replace("%s", &case.path.to_string_lossy())
        .replace("%S", &cases_dir.to_string_lossy())
        .replace("%t", &tmp.join(&case.name).to_string_lossy())
}

/// The sysroot `wasit2 install` points clang at: `$WASIT2_SYSROOT`, else
/// `build/sysroot`.
fn sysroot() -> PathBuf {
    std::env::var_os("WASIT2_SYSROOT")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("build/sysroot"))
}

/// Output with the scratch directory as `$TMP`, the sysroot as `$SYSROOT`
/// and the repository as `$REPO`, so goldens do not depend on where they ran.
fn normalize(out: &[u8], tmp: &Path) -> String {
    String::from_utf8_lossy(out)
        .replace(&*tmp.to_string_lossy(), "$TMP")
        .replace(&*sysroot().to_string_lossy(), "$SYSROOT")
        .replace(&*repo().to_string_lossy(), "$REPO")
}

struct Ran {
    line: String,
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn run_line(words: &[String], case: &Case, cases_dir: &Path, tmp: &Path) -> Result<Ran, String> {
    let words: Vec<String> = words
        .iter()
        .map(|w| substitute(w, case, cases_dir, tmp))
        .collect();
    let tool = Tool::by_name(&words[0]).expect("checked when parsing");
    let out = Command::new(tool.path())
        .args(&words[1..])
        .current_dir(tmp)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running {} ({}): {e}", words[0], tool.path().display()))?;
    Ok(Ran {
        line: normalize(words.join(" ").as_bytes(), tmp),
        stdout: normalize(&out.stdout, tmp),
        stderr: normalize(&out.stderr, tmp),
        code: out.status.code(),
    })
}

/// A golden file's text; a missing file means nothing is expected.
fn read_golden(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn write_golden(path: &Path, text: &str) -> Result<(), String> {
    let result = if text.is_empty() {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    } else {
        std::fs::write(path, text)
    };
    result.map_err(|e| format!("{}: {e}", path.display()))
}

fn run_case(case: &Case, cases_dir: &Path, bless: bool) -> Result<(), String> {
    let scratch = tempfile::tempdir().map_err(|e| format!("scratch directory: {e}"))?;
    // Canonical, so tools that print resolved paths still match `$TMP`.
    let tmp = scratch
        .path()
        .canonicalize()
        .map_err(|e| format!("scratch directory: {e}"))?;
    let stdout_path = cases_dir.join(format!("{}.stdout", case.name));
    let stderr_path = cases_dir.join(format!("{}.stderr", case.name));
    let mut blessed = false;
    let mut problems = Vec::new();
    for (i, words) in case.runs.iter().enumerate() {
        let ran = run_line(words, case, cases_dir, &tmp)?;
        let n = i + 1;
        if !is_checked(&words[0]) {
            if ran.code != Some(0) {
                return Err(format!(
                    "RUN {n} (building an input) failed with {:?}: {}\n--- stdout\n{}--- stderr\n{}",
                    ran.code, ran.line, ran.stdout, ran.stderr
                ));
            }
            continue;
        }
        if bless && !blessed {
            write_golden(&stdout_path, &ran.stdout)?;
            write_golden(&stderr_path, &ran.stderr)?;
            blessed = true;
        }
        let mut diffs = Vec::new();
        if ran.code != Some(case.exit) {
            diffs.push(format!("exit code {:?}, expected {}", ran.code, case.exit));
        }
        for (what, path, got) in [
            ("stdout", &stdout_path, &ran.stdout),
            ("stderr", &stderr_path, &ran.stderr),
        ] {
            let want = read_golden(path);
            if *got != want {
                diffs.push(format!(
                    "{what} differs:\n--- expected\n{want}--- got\n{got}"
                ));
            }
        }
        if !diffs.is_empty() {
            problems.push(format!("RUN {n}: {}\n{}", ran.line, diffs.join("\n")));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{}\n(every checked RUN line must print the same goldens; if the new output is \
         intended: BLESS=1 cargo test -p wasit2-cli --test cli -- {})",
        problems.join("\n"),
        case.name
    ))
}

/// A golden whose case was renamed or removed would never be compared.
fn orphan_goldens(
    cases_dir: &Path,
    names: &std::collections::BTreeSet<String>,
) -> Result<(), String> {
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(cases_dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let is_golden = path
            .extension()
            .is_some_and(|e| e == "stdout" || e == "stderr");
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if is_golden && !names.contains(&stem) {
            orphans.push(path.display().to_string());
        }
    }
    match orphans.is_empty() {
        true => Ok(()),
        false => Err(format!("goldens without a case: {}", orphans.join(", "))),
    }
}

fn main() {
    let args = Arguments::from_args();
    // wasit-ld is another package's binary, and clang's wasit2 targets link
    // with target/debug/wasit-ld: both must be this tree's.
    if !args.list {
        wasit2_testkit::build_workspace_bins(&[Tool::Wasit2, Tool::WasitLd]);
    }
    let cases_dir = repo().join("tests/cli");
    let bless = std::env::var_os("BLESS").is_some();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&cases_dir)
        .unwrap_or_else(|e| panic!("{}: {e}", cases_dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && comment_prefix(p).is_some())
        .collect();
    paths.sort();
    let mut trials = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for path in paths {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        // Cases share goldens by name, so two cases must not share a name.
        assert!(
            names.insert(name.clone()),
            "two cases named `{name}` in {}",
            cases_dir.display()
        );
        let cases_dir = cases_dir.clone();
        trials.push(Trial::test(name, move || {
            let case = parse_case(&path, comment_prefix(&path).unwrap())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            run_case(&case, &cases_dir, bless).map_err(Failed::from)
        }));
    }
    assert!(!trials.is_empty(), "no cases in {}", cases_dir.display());
    trials.push(Trial::test("goldens-have-cases", move || {
        orphan_goldens(&repo().join("tests/cli"), &names).map_err(Failed::from)
    }));
    libtest_mimic::run(&args, trials).exit();
}
