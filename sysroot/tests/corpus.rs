//! The C corpus (`tests/c`): every program is built with the installed clang
//! target (`clang-22 --target=<triple>`, which reads the cfg `wasit2 install`
//! wrote and links with wasit-ld) for each target × optimization level, run
//! with `wasit2 run`, and its stdout and exit code compared with the golden
//! file. Directives are described in `tests/c/README.md`.
//!
//! Needs `make sysroot clang-install` (the `make test` target does it).
use std::path::Path;
use std::process::Command;
use wasit2_testkit::corpus::{self, Program};
use wasit2_testkit::{clang, run, wasit2_bin};

const TARGETS: &[&str] = &["wasm32-wasit2", "wasm64-wasit2"];

/// Builds and runs one program; `Err` describes the mismatch.
fn check_one(p: &Program, target: &str, opt: &str, work: &Path) -> Result<(), String> {
    let wasm = work.join(format!("{}.{target}{opt}.wasm", p.name));
    let mut cc = Command::new(clang());
    cc.arg(format!("--target={target}"))
        .arg(opt)
        .arg(&p.source)
        .arg("-o")
        .arg(&wasm);
    let built = run(cc, "");
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

/// Runs the corpus for one target and level on all cores, reporting every
/// failing program at once.
fn check_corpus(target: &str, opt: &str) {
    wasit2_testkit::require_clang_target(target);
    let work = tempfile::tempdir().unwrap();
    corpus::check_all(corpus::load(), corpus::cores(), |p| {
        check_one(p, target, opt, work.path()).map_err(|e| format!("({target} {opt}) {e}"))
    });
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
    for p in corpus::load() {
        let exe = work.path().join(&p.name);
        let mut cc = Command::new("cc");
        cc.arg("-O1")
            .arg("-w")
            .arg(&p.source)
            .arg("-o")
            .arg(&exe)
            .arg("-lm");
        let built = run(cc, "");
        assert_eq!(
            built.code,
            Some(0),
            "{}: native compile failed:\n{}",
            p.name,
            built.stderr
        );
        let scratch = work.path().join(format!("{}.dir", p.name));
        std::fs::create_dir_all(&scratch).unwrap();
        let mut cmd = Command::new(&exe);
        cmd.current_dir(&scratch).args(&p.args).env_clear();
        for e in &p.env {
            let (k, v) = e.split_once('=').unwrap_or((e, ""));
            cmd.env(k, v);
        }
        let ran = run(cmd, &p.stdin);
        if ran.code != Some(p.exit) || ran.stdout != p.expected_stdout {
            failures.push(format!(
                "== {}: native exit {:?} (expected {}), stdout:\n{}--- golden:\n{}",
                p.name, ran.code, p.exit, ran.stdout, p.expected_stdout
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
