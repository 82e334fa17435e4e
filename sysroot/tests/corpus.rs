//! The C corpus (`tests/c`): every program is built with the installed clang
//! target (`clang-22 --target=<triple>`, which reads the cfg `wasit2 install`
//! wrote and links with wasit-ld) for each target × optimization level, run
//! with `wasit2 run`, and its stdout and exit code compared with the golden
//! file. Directives are described in `tests/c/README.md`.
//!
//! One trial per program × target × level (`hello/wasm32/O2`), plus one per
//! program checking its golden file natively (`hello/native`):
//! `cargo test -p wasit2-sysroot --test corpus -- hello/wasm64/O0 --exact`.
//!
//! Needs `make sysroot clang-install` (the `make test` target does it).
use std::path::Path;
use std::process::Command;

use libtest_mimic::{Arguments, Failed, Trial};
use wasit2_testkit::corpus::{self, Program};
use wasit2_testkit::{clang, run, Tool};

#[path = "support/runs.rs"]
mod runs;

/// (name in the trial, clang target).
const TARGETS: &[(&str, &str)] = &[("wasm32", "wasm32-wasit2"), ("wasm64", "wasm64-wasit2")];
const OPTS: &[&str] = &["O0", "O2"];

/// Builds and runs one program; `Err` describes the mismatch.
fn check_one(p: &Program, target: &str, opt: &str, work: &Path) -> Result<(), String> {
    let wasm = work.join(format!("{}.wasm", p.name));
    let mut cc = Command::new(clang());
    cc.arg(format!("--target={target}"))
        .arg(format!("-{opt}"))
        .arg(&p.source)
        .arg("-o")
        .arg(&wasm);
    let built = run(cc, "");
    if built.code != Some(0) {
        return Err(format!("compile failed:\n{}", built.stderr));
    }
    let ran = runs::run_corpus_program(p, &wasm, work);
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
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n--- stderr\n{}",
            problems.join("\n"),
            ran.stderr
        ))
    }
}

/// The golden files are what the programs print natively, so they are not
/// guesses about wasm behaviour.
fn check_native(p: &Program, work: &Path) -> Result<(), String> {
    let exe = work.join(&p.name);
    let mut cc = Command::new("cc");
    cc.arg("-O1")
        .arg("-w")
        .arg(&p.source)
        .arg("-o")
        .arg(&exe)
        .arg("-lm");
    let built = run(cc, "");
    if built.code != Some(0) {
        return Err(format!("native compile failed:\n{}", built.stderr));
    }
    let scratch = work.join(format!("{}.dir", p.name));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut cmd = Command::new(&exe);
    cmd.current_dir(&scratch).args(&p.args).env_clear();
    for e in &p.env {
        let (k, v) = e.split_once('=').unwrap_or((e, ""));
        cmd.env(k, v);
    }
    let ran = run(cmd, &p.stdin);
    if ran.code != Some(p.exit) || ran.stdout != p.expected_stdout {
        return Err(format!(
            "native exit {:?} (expected {}), stdout:\n{}--- golden:\n{}",
            ran.code, p.exit, ran.stdout, p.expected_stdout
        ));
    }
    Ok(())
}

/// Runs `check` in a fresh scratch directory.
fn in_tempdir(check: impl FnOnce(&Path) -> Result<(), String>) -> Result<(), Failed> {
    let work = tempfile::tempdir().map_err(|e| format!("scratch directory: {e}"))?;
    check(work.path()).map_err(Failed::from)
}

fn main() {
    let args = Arguments::from_args();
    if !args.list {
        wasit2_testkit::build_workspace_bins(&[Tool::Wasit2, Tool::WasitLd]);
    }
    let mut trials = Vec::new();
    for p in corpus::load() {
        for &(arch, target) in TARGETS {
            for &opt in OPTS {
                let p = p.clone();
                trials.push(Trial::test(format!("{}/{arch}/{opt}", p.name), move || {
                    wasit2_testkit::require_clang_target(target);
                    in_tempdir(|work| check_one(&p, target, opt, work))
                }));
            }
        }
        trials.push(Trial::test(format!("{}/native", p.name), move || {
            in_tempdir(|work| check_native(&p, work))
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}
