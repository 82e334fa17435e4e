//! The C corpus (`tests/c`): every program is built with the installed clang
//! target (`clang-22 --target=<triple>`, which reads the cfg `wasit2 install`
//! wrote and links with wasit-ld) for each target × optimization level, run
//! with `wasit2 run`, and its stdout and exit code compared with the golden
//! file. Directives are described in `tests/c/README.md`.
//!
//! Needs `make sysroot clang-install` (the `make test` target does it).
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::io::Write;

const TARGETS: &[&str] = &["wasm32-wasit2", "wasm64-wasit2"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn wasit2_bin() -> PathBuf {
    std::env::var_os("WASIT2").map(PathBuf::from).unwrap_or_else(|| repo().join("target/debug/wasit2"))
}

fn clang() -> String {
    std::env::var("WASIT2_CLANG").unwrap_or_else(|_| "clang-22".into())
}

#[derive(Debug, Default, Clone)]
struct Program {
    name: String,
    source: PathBuf,
    args: Vec<String>,
    env: Vec<String>,
    dir: bool,
    stdin: Option<String>,
    exit: i32,
    expected_stdout: String,
}

fn corpus() -> Vec<Program> {
    let dir = repo().join("tests/c");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/c") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "c") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let golden = path.with_extension("stdout");
        let mut p = Program {
            name: name.clone(),
            source: path.clone(),
            expected_stdout: std::fs::read_to_string(&golden)
                .unwrap_or_else(|e| panic!("{}: {e} (every program needs a golden file)", golden.display())),
            ..Program::default()
        };
        for line in text.lines().take_while(|l| l.starts_with("//")) {
            let Some((key, value)) = line.trim_start_matches("//").trim().split_once(':') else { continue };
            let value = value.trim();
            match key {
                "ARGS" => p.args = value.split_whitespace().map(String::from).collect(),
                "ENV" => p.env.push(value.to_string()),
                "DIR" => p.dir = value == "yes",
                "STDIN" => p.stdin = Some(format!("{value}\n")),
                "EXIT" => p.exit = value.parse().unwrap_or_else(|_| panic!("{name}: bad EXIT `{value}`")),
                "NET" => {}
                other => panic!("{name}: unknown directive `{other}`"),
            }
        }
        out.push(p);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(out.len() >= 30, "the corpus has shrunk to {} programs", out.len());
    out
}

struct Outcome {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn run(mut cmd: Command, stdin: Option<&str>) -> Outcome {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.unwrap_or("").to_string();
    let feeder = std::thread::spawn(move || {
        let _ = pipe.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

/// Builds and runs one program; `Err` describes the mismatch.
fn check_one(p: &Program, target: &str, opt: &str, work: &Path) -> Result<(), String> {
    let wasm = work.join(format!("{}.{target}{opt}.wasm", p.name));
    let mut cc = Command::new(clang());
    cc.arg(format!("--target={target}")).arg(opt).arg(&p.source).arg("-o").arg(&wasm);
    let built = run(cc, None);
    if built.code != Some(0) {
        return Err(format!("compile failed:\n{}", built.stderr));
    }
    let scratch = work.join(format!("{}.{target}{opt}.dir", p.name));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut cmd = Command::new(wasit2_bin());
    cmd.current_dir(&scratch).arg("run");
    if p.dir {
        cmd.arg("--dir").arg(format!("{}::.", scratch.display()));
    }
    for e in &p.env {
        cmd.arg("--env").arg(e);
    }
    cmd.arg(&wasm).args(&p.args);
    let ran = run(cmd, p.stdin.as_deref());
    let mut problems = Vec::new();
    if ran.code != Some(p.exit) {
        problems.push(format!("exit code {:?}, expected {}", ran.code, p.exit));
    }
    if ran.stdout != p.expected_stdout {
        problems.push(format!("stdout differs:\n--- expected\n{}--- got\n{}", p.expected_stdout, ran.stdout));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n--- stderr\n{}", problems.join("\n"), ran.stderr))
    }
}

/// Runs the corpus for one target and level on all cores, reporting every
/// failing program at once.
fn check_corpus(target: &str, opt: &str) {
    let sysroot_cfg = Path::new("/usr/lib/llvm-22/bin").join(format!("{}-clang.cfg", target.replacen('-', "-unknown-", 1)));
    assert!(
        sysroot_cfg.is_file() || std::env::var_os("WASIT2_CLANG").is_some(),
        "{} is missing: run `make sysroot clang-install` first",
        sysroot_cfg.display()
    );
    let work = tempfile::tempdir().unwrap();
    let queue = Mutex::new(corpus());
    let failures = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let Some(p) = queue.lock().unwrap().pop() else { break };
                if let Err(e) = check_one(&p, target, opt, work.path()) {
                    failures.lock().unwrap().push(format!("== {} ({target} {opt}): {e}", p.name));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{} program(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn corpus_wasm32_o0() {
    check_corpus(TARGETS[0], "-O0");
}

#[test]
fn corpus_wasm32_o2() {
    check_corpus(TARGETS[0], "-O2");
}

#[test]
fn corpus_wasm64_o0() {
    check_corpus(TARGETS[1], "-O0");
}

#[test]
fn corpus_wasm64_o2() {
    check_corpus(TARGETS[1], "-O2");
}

/// The golden files are what the programs print natively, so they are not
/// guesses about wasm behaviour.
#[test]
fn corpus_goldens_match_native() {
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for p in corpus() {
        let exe = work.path().join(&p.name);
        let mut cc = Command::new("cc");
        cc.arg("-O1").arg("-w").arg(&p.source).arg("-o").arg(&exe).arg("-lm");
        let built = run(cc, None);
        assert_eq!(built.code, Some(0), "{}: native compile failed:\n{}", p.name, built.stderr);
        let scratch = work.path().join(format!("{}.dir", p.name));
        std::fs::create_dir_all(&scratch).unwrap();
        let mut cmd = Command::new(&exe);
        cmd.current_dir(&scratch).args(&p.args).env_clear();
        for e in &p.env {
            let (k, v) = e.split_once('=').unwrap_or((e, ""));
            cmd.env(k, v);
        }
        let ran = run(cmd, p.stdin.as_deref());
        if ran.code != Some(p.exit) || ran.stdout != p.expected_stdout {
            failures.push(format!(
                "== {}: native exit {:?} (expected {}), stdout:\n{}--- golden:\n{}",
                p.name, ran.code, p.exit, ran.stdout, p.expected_stdout
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
