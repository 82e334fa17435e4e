//! What the end-to-end tests of several crates share: where the repo and
//! the tools are, running a command with stdin, and the C corpus
//! (`tests/c`, directives in `tests/c/README.md`), and the content-hash
//! caches ([`cache`]).
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub mod cache;

/// The repository root (this crate lives in `<repo>/testkit`).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A program the tests run. Every crate's tests find tools through
/// [`Tool::path`], so one variable overrides a tool for every test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// `clang-22` (the one with the wasit2 targets installed).
    Clang,
    /// `wasm-ld-22`.
    WasmLd,
    /// The wasmtime CLI setup installs (`.tools/bin/wasmtime`).
    Wasmtime,
    /// wasmtime 42, the last CLI with `-S tcplisten` (`.tools/bin/wasmtime42`).
    Wasmtime42,
    /// `.tools/bin/wasm-tools`.
    WasmTools,
    /// The 2020 WAMR `iwasm` (`.tools/bin/iwasm`).
    Iwasm,
    /// The `wasit2` CLI under test.
    Wasit2,
    /// The `wasit-ld` under test.
    WasitLd,
}

impl Tool {
    pub const ALL: [Tool; 8] = [
        Tool::Clang,
        Tool::WasmLd,
        Tool::Wasmtime,
        Tool::Wasmtime42,
        Tool::WasmTools,
        Tool::Iwasm,
        Tool::Wasit2,
        Tool::WasitLd,
    ];

    /// The command name, as RUN lines of the golden CLI tests spell it.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Clang => "clang-22",
            Tool::WasmLd => "wasm-ld-22",
            Tool::Wasmtime => "wasmtime",
            Tool::Wasmtime42 => "wasmtime42",
            Tool::WasmTools => "wasm-tools",
            Tool::Iwasm => "iwasm",
            Tool::Wasit2 => "wasit2",
            Tool::WasitLd => "wasit-ld",
        }
    }

    /// The tool called `name` (also `wasm-ld` for wasm-ld-22).
    pub fn by_name(name: &str) -> Option<Tool> {
        match name {
            "wasm-ld" => Some(Tool::WasmLd),
            _ => Tool::ALL.into_iter().find(|t| t.name() == name),
        }
    }

    /// The environment variable naming another binary for this tool
    /// (`WASIT2` for the CLI, as `make test` sets it).
    pub fn env(self) -> &'static str {
        match self {
            Tool::Clang => "WASIT2_CLANG",
            Tool::WasmLd => "WASIT2_WASM_LD",
            Tool::Wasmtime => "WASIT2_WASMTIME",
            Tool::Wasmtime42 => "WASIT2_WASMTIME42",
            Tool::WasmTools => "WASIT2_WASM_TOOLS",
            Tool::Iwasm => "WASIT2_IWASM",
            Tool::Wasit2 => "WASIT2",
            Tool::WasitLd => "WASIT2_WASIT_LD",
        }
    }

    /// Where the tool is: `$<env>` if set; else clang-22/wasm-ld-22 on PATH,
    /// then LLVM 22's bin directory; the runtimes and wasm-tools in
    /// `.tools/bin` (where setup puts them); wasit2 and wasit-ld next to the
    /// running test binary (cargo's `target/<profile>`, where it builds the
    /// workspace's binaries), else `target/debug`.
    pub fn path(self) -> PathBuf {
        if let Some(p) = std::env::var_os(self.env()).filter(|p| !p.is_empty()) {
            return PathBuf::from(p);
        }
        match self {
            Tool::Clang => llvm_tool(self.name(), "clang"),
            Tool::WasmLd => llvm_tool(self.name(), "wasm-ld"),
            Tool::Wasmtime | Tool::Wasmtime42 | Tool::WasmTools | Tool::Iwasm => {
                repo().join(".tools/bin").join(self.name())
            }
            Tool::Wasit2 | Tool::WasitLd => workspace_bin(self.name()),
        }
    }
}

/// `name` on PATH, else `/usr/lib/llvm-22/bin/<plain>`, else `name` (so
/// spawning fails naming it).
fn llvm_tool(name: &str, plain: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|c| c.is_file())
    });
    on_path
        .or_else(|| Some(Path::new("/usr/lib/llvm-22/bin").join(plain)).filter(|p| p.is_file()))
        .unwrap_or_else(|| name.into())
}

/// A binary of this workspace: in the profile directory of the running
/// test (`target/debug/deps/<test>` -> `target/debug`), else `target/debug`.
fn workspace_bin(name: &str) -> PathBuf {
    test_profile_dir()
        .map(|dir| dir.join(name))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| repo().join("target/debug").join(name))
}

/// Builds the workspace binaries `tools` (`wasit2`, `wasit-ld`) the way
/// cargo built the running test, so it never runs a stale one: cargo builds
/// only the tested package's own binaries, and the installed clang target
/// links with `target/debug/wasit-ld` whatever package is tested. Call it
/// once, before the tests. Skips a tool whose variable (`WASIT2`,
/// `WASIT2_WASIT_LD`) names another binary; panics with cargo's output
/// when the build fails.
pub fn build_workspace_bins(tools: &[Tool]) {
    let packages: Vec<&str> = tools
        .iter()
        .filter(|t| std::env::var_os(t.env()).is_none_or(|v| v.is_empty()))
        .filter_map(|t| match t {
            Tool::Wasit2 => Some("wasit2-cli"),
            Tool::WasitLd => Some("wasit-ld"),
            _ => None,
        })
        .collect();
    let Some(profile_dir) = test_profile_dir() else {
        return;
    };
    let (Some(target_dir), Some(profile)) = (
        profile_dir.parent(),
        profile_dir.file_name().and_then(|n| n.to_str()),
    ) else {
        return;
    };
    if packages.is_empty() {
        return;
    }
    let profile = if profile == "debug" { "dev" } else { profile };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--quiet", "--bins", "--profile", profile])
        .arg("--target-dir")
        .arg(target_dir)
        .current_dir(repo());
    for p in &packages {
        cmd.args(["-p", p]);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running cargo build: {e}"));
    assert!(
        out.status.success(),
        "building {} failed:\n{}",
        packages.join(", "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The cargo profile directory of the running test binary
/// (`target/debug/deps/<test>` -> `target/debug`).
fn test_profile_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    Some(if dir.ends_with("deps") {
        dir.parent()?.to_path_buf()
    } else {
        dir.to_path_buf()
    })
}

/// The `wasit2` CLI under test ([`Tool::Wasit2`]).
pub fn wasit2_bin() -> PathBuf {
    Tool::Wasit2.path()
}

/// The `wasit-ld` under test ([`Tool::WasitLd`]).
pub fn wasit_ld_bin() -> PathBuf {
    Tool::WasitLd.path()
}

/// The clang that has the wasit2 targets installed ([`Tool::Clang`]).
pub fn clang() -> PathBuf {
    Tool::Clang.path()
}

/// `wasm-ld-22` ([`Tool::WasmLd`]).
pub fn wasm_ld() -> PathBuf {
    Tool::WasmLd.path()
}

/// A tool by command name, as [`Tool::path`] finds it; `env` still wins
/// when it is set (older tests name their own variable).
pub fn tool(env: &str, name: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(env).filter(|p| !p.is_empty()) {
        return p.into();
    }
    match Tool::by_name(name) {
        Some(t) => t.path(),
        None => repo().join(".tools/bin").join(name),
    }
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
pub fn run(cmd: Command, stdin: &str) -> Outcome {
    let out = run_bytes(cmd, stdin.as_bytes());
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

/// Runs `cmd` to completion with the bytes `stdin` as its standard input;
/// its raw output.
pub fn run_bytes(mut cmd: Command, stdin: &[u8]) -> std::process::Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    // A separate writer: a program that prints before reading must not
    // deadlock against a full pipe.
    let feeder = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    out
}

/// The C corpus.
pub mod corpus {
    use super::repo;
    use std::path::PathBuf;

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

/// The cargo running this test, in `dir`, for a guest build: the test's
/// own build settings (`RUSTFLAGS`, `CARGO_TARGET_*`, `CARGO_BUILD_*`, …)
/// are removed so they cannot leak into it.
pub fn guest_cargo(dir: &Path) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(dir);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_TARGET_") || key.starts_with("CARGO_BUILD_") {
            cmd.env_remove(&*key);
        }
    }
    for key in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTDOCFLAGS",
        "CARGO_ENCODED_RUSTDOCFLAGS",
    ] {
        cmd.env_remove(key);
    }
    cmd
}

/// Compares `actual` with the committed file `repo()/<rel>`, or with
/// `BLESS=1` writes it (atomically). On a mismatch, returns a diff of the
/// sorted, deduplicated lines, headed by `rel` and `source`.
pub fn bless_or_diff(rel: &str, source: &str, actual: &str) -> Option<String> {
    let path = repo().join(rel);
    if std::env::var_os("BLESS").is_some() {
        cache::write_atomic(&path, actual.as_bytes())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return None;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected == actual {
        return None;
    }
    let old: std::collections::BTreeSet<&str> = expected.lines().collect();
    let new: std::collections::BTreeSet<&str> = actual.lines().collect();
    let mut diff = format!("--- {rel}\n+++ regenerated from {source}\n");
    for l in old.difference(&new) {
        diff.push_str(&format!("-{l}\n"));
    }
    for l in new.difference(&old) {
        diff.push_str(&format!("+{l}\n"));
    }
    if old == new {
        diff.push_str("(same lines, different order or duplicates)\n");
    }
    Some(diff)
}
