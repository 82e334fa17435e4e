//! The C corpus (`tests/c`, format in tests/c/README.md) on a standard
//! wasip2 host: every program is built with `clang-22 --target=wasm32-wasit2
//! -O2` (wasit-ld, the wasit2 sysroot), componentized with
//! `wasit2_componentize::componentize`, and run with the real `wasmtime run`;
//! stdout and the exit code must match the golden file.
//!
//! Programs that use no caller-buffer import are also componentized with
//! plain `wasm-tools component new` (no wasit2 code involved) and run.
//!
//! Needs `make sysroot clang-install` (as the sysroot corpus test does).

use std::path::Path;
use std::process::Command;
use wasit2_testkit::corpus::{self, Program};
use wasit2_testkit::{clang, run, tool};

fn uses_buffer_imports(core: &[u8]) -> bool {
    wasmparser::Parser::new(0).parse_all(core).any(|p| match p {
        Ok(wasmparser::Payload::ImportSection(r)) => r
            .into_imports()
            .any(|i| i.is_ok_and(|i| i.module.starts_with("wasit2-cm32p2|"))),
        _ => false,
    })
}

/// Runs a component on wasmtime with the program's directives and compares.
fn run_on_wasmtime(p: &Program, component: &Path, scratch: &Path) -> Result<(), String> {
    let mut cmd = Command::new(tool("WASMTIME", "wasmtime"));
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
    if ran.code != Some(p.exit) {
        problems.push(format!("exit code {:?}, expected {}", ran.code, p.exit));
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

/// Builds, componentizes and runs one program; returns whether plain
/// `wasm-tools component new` was exercised too.
fn check_one(p: &Program, work: &Path) -> Result<bool, String> {
    let core = work.join(format!("{}.wasm", p.name));
    let mut cc = Command::new(clang());
    cc.args(["--target=wasm32-wasit2", "-O2"])
        .arg(&p.source)
        .arg("-o")
        .arg(&core);
    let built = run(cc, "");
    if built.code != Some(0) {
        return Err(format!("compile failed:\n{}", built.stderr));
    }
    let bytes = std::fs::read(&core).unwrap();
    let component = work.join(format!("{}.component.wasm", p.name));
    let encoded =
        wasit2_componentize::componentize(&bytes).map_err(|e| format!("componentize: {e}"))?;
    std::fs::write(&component, encoded).unwrap();
    let scratch = work.join(format!("{}.dir", p.name));
    std::fs::create_dir_all(&scratch).unwrap();
    run_on_wasmtime(p, &component, &scratch)?;

    if uses_buffer_imports(&bytes) {
        return Ok(false);
    }
    let plain = work.join(format!("{}.plain.wasm", p.name));
    let mut new = Command::new(tool("WASM_TOOLS", "wasm-tools"));
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
    run_on_wasmtime(p, &plain, &scratch).map_err(|e| format!("(wasm-tools component new) {e}"))?;
    Ok(true)
}

#[test]
fn c_corpus_componentized_runs_on_wasmtime() {
    wasit2_testkit::require_clang_target("wasm32-wasit2");
    let work = tempfile::tempdir().unwrap();
    let results = corpus::check_all(corpus::load(), corpus::cores(), |p| {
        check_one(p, work.path())
    });
    // Programs without caller-buffer imports must exist for the plain path to be tested.
    let plain: Vec<String> = results
        .into_iter()
        .filter(|(_, plain)| *plain)
        .map(|(name, _)| name)
        .collect();
    assert!(
        !plain.is_empty(),
        "no corpus program avoids caller-buffer imports; the wasm-tools path went untested"
    );
    eprintln!("also componentized with plain wasm-tools: {plain:?}");
}
