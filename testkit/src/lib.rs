//! What the end-to-end tests of several crates share: where the repo and
//! the tools are, running a command with stdin, and the C corpus
//! (`tests/c`, directives in `tests/c/README.md`).
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root (this crate lives in `<repo>/testkit`).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The `wasit2` CLI under test: `$WASIT2`, else the shared debug build.
pub fn wasit2_bin() -> PathBuf {
    std::env::var_os("WASIT2")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/debug/wasit2"))
}

/// A CLI that setup installs into `.tools/bin`, unless `$env` names another.
pub fn tool(env: &str, name: &str) -> PathBuf {
    std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".tools/bin").join(name))
}

/// The clang that has the wasit2 targets installed.
pub fn clang() -> String {
    std::env::var("WASIT2_CLANG").unwrap_or_else(|_| "clang-22".into())
}

/// Fails with the fix when `wasit2 install` has not written the clang config
/// for `triple` (e.g. `wasm32-wasit2`) and no other clang is chosen.
pub fn require_clang_target(triple: &str) {
    let cfg = Path::new("/usr/lib/llvm-22/bin").join(format!(
        "{}-clang.cfg",
        triple.replacen('-', "-unknown-", 1)
    ));
    assert!(
        cfg.is_file() || std::env::var_os("WASIT2_CLANG").is_some(),
        "{} is missing: run `make sysroot clang-install` first",
        cfg.display()
    );
}

/// What a finished command printed.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
}

/// Runs `cmd` to completion with `stdin` as its standard input.
pub fn run(mut cmd: Command, stdin: &str) -> Outcome {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_string();
    // A separate writer: a program that prints before reading must not
    // deadlock against a full pipe.
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

/// The C corpus.
pub mod corpus {
    use super::repo;
    use std::path::PathBuf;
    use std::sync::Mutex;

    /// Runs `check` on every program from `threads` threads and panics with
    /// every failure at once; returns each program's name and result.
    pub fn check_all<T: Send>(
        programs: Vec<Program>,
        threads: usize,
        check: impl Fn(&Program) -> Result<T, String> + Sync,
    ) -> Vec<(String, T)> {
        let queue = Mutex::new(programs);
        let passed = Mutex::new(Vec::new());
        let failures = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..threads.max(1) {
                s.spawn(|| loop {
                    let Some(p) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    match check(&p) {
                        Ok(v) => passed.lock().unwrap().push((p.name.clone(), v)),
                        Err(e) => failures.lock().unwrap().push(format!("== {}: {e}", p.name)),
                    }
                });
            }
        });
        let failures = failures.into_inner().unwrap();
        assert!(
            failures.is_empty(),
            "{} program(s) failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
        passed.into_inner().unwrap()
    }

    /// One job per core.
    pub fn cores() -> usize {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    }

    /// One program of `tests/c` with its directives and golden output.
    #[derive(Debug, Default, Clone)]
    pub struct Program {
        pub name: String,
        pub source: PathBuf,
        /// `// ARGS:` (split on spaces).
        pub args: Vec<String>,
        /// `// ENV: K=V`, in order.
        pub env: Vec<String>,
        /// `// DIR: yes`: a scratch directory preopened as `.`.
        pub dir: bool,
        /// `// NET: yes`: loopback sockets.
        pub net: bool,
        /// `// STDIN:` text plus a newline; empty without the directive.
        pub stdin: String,
        /// `// EXIT:`, default 0.
        pub exit: i32,
        pub expected_stdout: String,
    }

    /// Every program, sorted by name. Panics on a malformed directive or a
    /// missing golden file, so a broken corpus cannot pass silently.
    pub fn load() -> Vec<Program> {
        let dir = repo().join("tests/c");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("tests/c") {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "c") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let golden = path.with_extension("stdout");
            let mut p = Program {
                name: path.file_stem().unwrap().to_string_lossy().into_owned(),
                expected_stdout: std::fs::read_to_string(&golden).unwrap_or_else(|e| {
                    panic!(
                        "{}: {e} (every program needs a golden file)",
                        golden.display()
                    )
                }),
                source: path.clone(),
                ..Program::default()
            };
            for line in text.lines().take_while(|l| l.starts_with("//")) {
                let Some((key, value)) = line.trim_start_matches("//").trim().split_once(':')
                else {
                    continue;
                };
                let value = value.trim();
                match key {
                    "ARGS" => p.args = value.split_whitespace().map(String::from).collect(),
                    "ENV" => p.env.push(value.to_string()),
                    "DIR" => p.dir = value == "yes",
                    "NET" => p.net = value == "yes",
                    "STDIN" => p.stdin = format!("{value}\n"),
                    "EXIT" => {
                        p.exit = value
                            .parse()
                            .unwrap_or_else(|_| panic!("{}: bad EXIT `{value}`", p.name))
                    }
                    other => panic!("{}: unknown directive `{other}`", p.name),
                }
            }
            out.push(p);
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        assert!(
            out.len() >= 30,
            "the corpus has shrunk to {} programs",
            out.len()
        );
        out
    }
}

/// Makes cargo link a crate again: removes its `.wasm` outputs from a
/// profile dir (`<target-dir>/<target>/release`) and its `deps/`. Cargo
/// does not track the linker binary, so after wasit-ld or the sysroot
/// changed it would keep an old link; without the crate's own outputs it
/// rebuilds just that crate.
pub fn remove_wasm_outputs(profile_dir: &std::path::Path, crate_name: &str) {
    let artifact = crate_name.replace('-', "_");
    for dir in [profile_dir.to_path_buf(), profile_dir.join("deps")] {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.ends_with(".wasm")
                && (file.starts_with(crate_name) || file.starts_with(&artifact))
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}
