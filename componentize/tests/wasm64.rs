//! wasm64 (`cm64p2`) components on wasmtime 49.
//!
//! The C corpus (`tests/c`) is built with `clang-22 --target=wasm64-wasit2`
//! at -O0 and -O2, componentized (for WASI 0.2.12, so every exit status is
//! kept), validated with wasmparser's `cm64` and memory64 features, and run
//! with `wasmtime run -W component-model-memory64=y` with the program's
//! directives (preopen, environment, arguments, stdin); stdout and the exit
//! code must match the golden file, which `sysroot/tests/corpus.rs` checks
//! against `wasit2 run` on the same wasm64 build.
//!
//! `tests/c/above4g` grows memory past 4 GiB and does its file I/O through a
//! buffer above the 4 GiB mark; it must print the same on `wasit2 run` and
//! componentized on wasmtime. `-Wl,--emit-component` (wasit-ld) is checked
//! on hello.
//!
//! Needs `make sysroot clang-install` (as the corpus tests do).

use std::path::{Path, PathBuf};
use std::process::Command;

use wasit2_testkit::corpus::{self, Program};
use wasit2_testkit::{clang, run, wasit2_bin, Tool};

/// The `-W` flag wasmtime 49 needs for components with a 64-bit memory.
const MEMORY64_FLAG: &str = "component-model-memory64=y";

/// The installed clang target links with target/debug/wasit-ld, and
/// above4g runs on target/debug/wasit2: both must be current.
fn build_bins() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| wasit2_testkit::build_workspace_bins(&[Tool::WasitLd, Tool::Wasit2]));
}

fn build(source: &Path, opt: &str, out: &Path, extra: &[&str]) -> Result<Vec<u8>, String> {
    wasit2_testkit::require_clang_target("wasm64-wasit2");
    build_bins();
    let mut cc = Command::new(clang());
    cc.arg("--target=wasm64-wasit2")
        .arg(format!("-{opt}"))
        .args(extra)
        .arg(source)
        .arg("-o")
        .arg(out);
    let built = run(cc, "");
    if built.code != Some(0) {
        return Err(format!("compile failed:\n{}", built.stderr));
    }
    std::fs::read(out).map_err(|e| format!("{}: {e}", out.display()))
}

fn componentize(core: &[u8]) -> Result<Vec<u8>, String> {
    let opts = wasit2_componentize::Options {
        wasi_version: Some(semver::Version::new(0, 2, 12)),
        ..Default::default()
    };
    let component = wasit2_componentize::componentize_with(core, &opts)
        .map_err(|e| format!("componentize: {e}"))?;
    // Independently of componentize's own check.
    let features = wasmparser::WasmFeatures::default()
        | wasmparser::WasmFeatures::CM64
        | wasmparser::WasmFeatures::MEMORY64;
    wasmparser::Validator::new_with_features(features)
        .validate_all(&component)
        .map_err(|e| format!("wasmparser (cm64, memory64) rejects the component: {e}"))?;
    Ok(component)
}

/// Runs `wasm` (a component on wasmtime, or a core module on `wasit2 run`)
/// in `scratch` with the program's directives.
fn run_program(
    p: &Program,
    wasm: &Path,
    scratch: &Path,
    on_wasmtime: bool,
) -> (Option<i32>, String, String) {
    let mut cmd = if on_wasmtime {
        let mut c = Command::new(Tool::Wasmtime.path());
        c.arg("run").args(["-W", MEMORY64_FLAG]);
        if p.net {
            c.args(["-S", "inherit-network=y", "-S", "allow-ip-name-lookup=y"]);
        }
        c
    } else {
        let mut c = Command::new(wasit2_bin());
        c.arg("run");
        if p.net {
            c.args(["-S", "inherit-network", "-S", "allow-ip-name-lookup"]);
        }
        c
    };
    cmd.current_dir(scratch);
    if p.dir {
        cmd.arg("--dir").arg(format!("{}::.", scratch.display()));
    }
    for e in &p.env {
        cmd.arg("--env").arg(e);
    }
    cmd.arg(wasm).args(&p.args);
    let ran = run(cmd, &p.stdin);
    (ran.code, ran.stdout, ran.stderr)
}

fn compare(p: &Program, got: (Option<i32>, String, String)) -> Result<(), String> {
    let (code, stdout, stderr) = got;
    let mut problems = Vec::new();
    if code != Some(p.exit) {
        problems.push(format!("exit code {code:?}, expected {}", p.exit));
    }
    if stdout != p.expected_stdout {
        problems.push(format!(
            "stdout differs:\n--- expected\n{}--- got\n{stdout}",
            p.expected_stdout
        ));
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(format!("{}\n--- stderr\n{stderr}", problems.join("\n"))),
    }
}

fn check_one(p: &Program, opt: &str, work: &Path) -> Result<(), String> {
    let core = work.join(format!("{}.{opt}.wasm", p.name));
    let bytes = build(&p.source, opt, &core, &[])?;
    let component = work.join(format!("{}.{opt}.component.wasm", p.name));
    std::fs::write(&component, componentize(&bytes)?).unwrap();
    let scratch = work.join(format!("{}.{opt}.dir", p.name));
    std::fs::create_dir_all(&scratch).unwrap();
    compare(p, run_program(p, &component, &scratch, true))
}

fn corpus_at(opt: &str) {
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut ran = 0;
    for p in corpus::load() {
        match check_one(&p, opt, work.path()) {
            Ok(()) => ran += 1,
            Err(e) => failures.push(format!("{}/wasm64/{opt}: {e}", p.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(ran >= 30, "only {ran} programs ran");
}

#[test]
fn corpus_o0_on_wasmtime() {
    corpus_at("O0");
}

#[test]
fn corpus_o2_on_wasmtime() {
    corpus_at("O2");
}

fn above4g() -> Program {
    let dir = wasit2_testkit::repo().join("tests/c/above4g");
    Program {
        name: "above4g".into(),
        source: dir.join("above4g.c"),
        dir: true,
        expected_stdout: std::fs::read_to_string(dir.join("above4g.stdout")).unwrap(),
        ..Program::default()
    }
}

#[test]
fn above_4_gib_on_wasit2_run_and_wasmtime() {
    let p = above4g();
    let work = tempfile::tempdir().unwrap();
    for opt in ["O0", "O2"] {
        let core = work.path().join(format!("above4g.{opt}.wasm"));
        let bytes = build(&p.source, opt, &core, &[]).unwrap();
        let scratch = work.path().join(format!("core.{opt}"));
        std::fs::create_dir_all(&scratch).unwrap();
        compare(&p, run_program(&p, &core, &scratch, false))
            .unwrap_or_else(|e| panic!("wasit2 run, {opt}: {e}"));
        let component = work.path().join(format!("above4g.{opt}.component.wasm"));
        std::fs::write(&component, componentize(&bytes).unwrap()).unwrap();
        let scratch = work.path().join(format!("component.{opt}"));
        std::fs::create_dir_all(&scratch).unwrap();
        compare(&p, run_program(&p, &component, &scratch, true))
            .unwrap_or_else(|e| panic!("wasmtime, {opt}: {e}"));
        let written = std::fs::read_to_string(scratch.join("out.txt")).unwrap();
        assert_eq!(written, "bytes that travelled above the 4 GiB mark\n");
    }
}

#[test]
fn emit_component_links_a_wasm64_component() {
    let hello: PathBuf = wasit2_testkit::repo().join("tests/c/hello.c");
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("hello.wasm");
    let bytes = build(&hello, "O2", &out, &["-Wl,--emit-component"]).unwrap();
    assert!(
        wasmparser::Parser::is_component(&bytes),
        "-Wl,--emit-component did not produce a component"
    );
    let features = wasmparser::WasmFeatures::default()
        | wasmparser::WasmFeatures::CM64
        | wasmparser::WasmFeatures::MEMORY64;
    wasmparser::Validator::new_with_features(features)
        .validate_all(&bytes)
        .unwrap();
    let mut cmd = Command::new(Tool::Wasmtime.path());
    cmd.args(["run", "-W", MEMORY64_FLAG]).arg(&out);
    let ran = run(cmd, "");
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.stdout, "Hello, world!\n");
}

#[test]
fn wasmtime_needs_the_memory64_flag() {
    // Pins the documented flag: without it wasmtime 49 refuses the
    // component at load time.
    let hello: PathBuf = wasit2_testkit::repo().join("tests/c/hello.c");
    let work = tempfile::tempdir().unwrap();
    let core = work.path().join("hello.wasm");
    let bytes = build(&hello, "O2", &core, &[]).unwrap();
    let component = work.path().join("hello.component.wasm");
    std::fs::write(&component, componentize(&bytes).unwrap()).unwrap();
    let mut cmd = Command::new(Tool::Wasmtime.path());
    cmd.arg("run").arg(&component);
    let ran = run(cmd, "");
    assert_ne!(ran.code, Some(0));
    assert!(ran.stderr.contains("cm64"), "{}", ran.stderr);
}
