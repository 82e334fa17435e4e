//! The C corpus (`tests/c`, format in tests/c/README.md) on a standard
//! wasip2 host: every program is built with `clang-22 --target=wasm32-wasit2
//! -O2` (wasit-ld, the wasit2 sysroot), componentized with
//! `wasit2_componentize::componentize`, and run with the real `wasmtime run`;
//! stdout and the exit code must match the golden file.
//!
//! Programs that use no caller-buffer import are also componentized with
//! plain `wasm-tools component new` (no wasit2 code involved) and run.
//!
//! One trial per program (`hello/wasm32/O2`), plus `plain-path-covered`,
//! which checks that some program avoids caller-buffer imports so the plain
//! `wasm-tools` path is tested at all.
//!
//! Needs `make sysroot clang-install` (as the sysroot corpus test does).

use std::path::Path;
use std::process::Command;

use libtest_mimic::{Arguments, Failed, Trial};
use wasit2_testkit::corpus::{self, Program};
use wasit2_testkit::{clang, run, Tool};

fn uses_buffer_imports(core: &[u8]) -> bool {
    wasmparser::Parser::new(0).parse_all(core).any(|p| match p {
        Ok(wasmparser::Payload::ImportSection(r)) => r
            .into_imports()
            .any(|i| i.is_ok_and(|i| i.module.starts_with("wasit2-cm32p2|"))),
        _ => false,
    })
}

/// Runs a component on wasmtime with the program's directives and compares
/// (the exit code with `exit`, which differs from the program's where the
/// component had to do without `exit-with-code`).
fn run_on_wasmtime(p: &Program, component: &Path, scratch: &Path, exit: i32) -> Result<(), String> {
    let mut cmd = Command::new(Tool::Wasmtime.path());
    cmd.current_dir(scratch).arg("run");
    if p.dir {
        cmd.arg("--dir").arg(format!("{}::.", scratch.display()));
    }
    if p.net {
        // wasmtime 49: sockets are on by default but need the host network;
        // getaddrinfo needs name lookups.
        cmd.args(["-S", "inherit-network=y", "-S", "allow-ip-name-lookup=y"]);
    }
    for e in &p.env {
        cmd.arg("--env").arg(e);
    }
    cmd.arg(component).args(&p.args);
    let ran = run(cmd, &p.stdin);
    let mut problems = Vec::new();
    if ran.code != Some(exit) {
        problems.push(format!("exit code {:?}, expected {exit}", ran.code));
    }
    if ran.stdout != p.expected_stdout {
        problems.push(format!(
            "stdout differs:\n--- expected\n{}--- got\n{}",
            p.expected_stdout, ran.stdout
        ));
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(format!(
            "{}\n--- stderr\n{}",
            problems.join("\n"),
            ran.stderr
        )),
    }
}

/// Builds `p` with the installed clang target into `core`; returns the bytes.
fn build(p: &Program, core: &Path) -> Result<Vec<u8>, String> {
    wasit2_testkit::require_clang_target("wasm32-wasit2");
    let mut cc = Command::new(clang());
    cc.args(["--target=wasm32-wasit2", "-O2"])
        .arg(&p.source)
        .arg("-o")
        .arg(core);
    let built = run(cc, "");
    if built.code != Some(0) {
        return Err(format!("compile failed:\n{}", built.stderr));
    }
    std::fs::read(core).map_err(|e| format!("{}: {e}", core.display()))
}

/// Builds, componentizes and runs one program; without caller-buffer
/// imports, also through plain `wasm-tools component new`.
fn check_one(p: &Program, work: &Path) -> Result<(), String> {
    let core = work.join(format!("{}.wasm", p.name));
    let bytes = build(p, &core)?;
    // For WASI 0.2.12 hosts, which have `exit-with-code`: every status kept.
    let component = work.join(format!("{}.component.wasm", p.name));
    let for_0_2_12 = wasit2_componentize::Options {
        wasi_version: Some(semver::Version::new(0, 2, 12)),
        ..Default::default()
    };
    let encoded = wasit2_componentize::componentize_with(&bytes, &for_0_2_12)
        .map_err(|e| format!("componentize: {e}"))?;
    std::fs::write(&component, encoded).unwrap();
    let scratch = work.join(format!("{}.dir", p.name));
    std::fs::create_dir_all(&scratch).unwrap();
    run_on_wasmtime(p, &component, &scratch, p.exit)?;

    // By default, for every WASI 0.2 host: statuses other than 0 leave
    // through `exit(err)`, which is exit code 1.
    let any_host = work.join(format!("{}.any.wasm", p.name));
    let encoded =
        wasit2_componentize::componentize(&bytes).map_err(|e| format!("componentize: {e}"))?;
    std::fs::write(&any_host, encoded).unwrap();
    let scratch = work.join(format!("{}.any.dir", p.name));
    std::fs::create_dir_all(&scratch).unwrap();
    run_on_wasmtime(p, &any_host, &scratch, p.exit.min(1))?;

    if uses_buffer_imports(&bytes) {
        return Ok(());
    }
    let plain = work.join(format!("{}.plain.wasm", p.name));
    let mut new = Command::new(Tool::WasmTools.path());
    new.args(["component", "new"])
        .arg(&core)
        .arg("-o")
        .arg(&plain);
    let made = run(new, "");
    if made.code != Some(0) {
        return Err(format!("wasm-tools component new: {}", made.stderr));
    }
    let scratch = work.join(format!("{}.plain.dir", p.name));
    std::fs::create_dir_all(&scratch).unwrap();
    run_on_wasmtime(p, &plain, &scratch, p.exit)
        .map_err(|e| format!("(wasm-tools component new) {e}"))
}

/// Programs without caller-buffer imports must exist for the plain path to
/// be tested: builds programs in name order until one is found.
fn plain_path_covered(programs: &[Program], work: &Path) -> Result<(), String> {
    for p in programs {
        let bytes = build(p, &work.join(format!("{}.wasm", p.name)))?;
        if !uses_buffer_imports(&bytes) {
            return Ok(());
        }
    }
    Err("no corpus program avoids caller-buffer imports; the wasm-tools path went untested".into())
}

fn main() {
    let args = Arguments::from_args();
    // The installed clang target links with target/debug/wasit-ld.
    if !args.list {
        wasit2_testkit::build_workspace_bins(&[Tool::WasitLd]);
    }
    let programs = corpus::load();
    let mut trials = Vec::new();
    for p in programs.clone() {
        trials.push(Trial::test(format!("{}/wasm32/O2", p.name), move || {
            let work = tempfile::tempdir().map_err(|e| format!("scratch directory: {e}"))?;
            check_one(&p, work.path()).map_err(Failed::from)
        }));
    }
    trials.push(Trial::test("plain-path-covered", move || {
        let work = tempfile::tempdir().map_err(|e| format!("scratch directory: {e}"))?;
        plain_path_covered(&programs, work.path()).map_err(Failed::from)
    }));
    libtest_mimic::run(&args, trials).exit();
}
