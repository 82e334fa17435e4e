//! wasit-ld finds wasm-ld through `$WASIT2_WASM_LD`, the variable every
//! wasit2 tool reads (`wasit2_sysroot::tools`), before its older name
//! `$WASM_LD`.

use std::process::{Command, Output};

const WASIT_LD: &str = env!("CARGO_BIN_EXE_wasit-ld");

fn link_nothing(env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(WASIT_LD);
    cmd.env_remove("WASIT2_WASM_LD")
        .env_remove("WASM_LD")
        .arg("--no-entry")
        .arg(dir.path().join("missing.o"))
        .arg("-o")
        .arg(dir.path().join("out.wasm"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("running wasit-ld")
}

#[test]
fn a_missing_wasit2_wasm_ld_is_one_line_naming_the_variable() {
    let o = link_nothing(&[("WASIT2_WASM_LD", "/nonexistent/wasm-ld")]);
    assert!(!o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "wasit-ld: error: wasm-ld not found at /nonexistent/wasm-ld (from $WASIT2_WASM_LD)\n"
    );
}

#[test]
fn wasit2_wasm_ld_wins_over_wasm_ld() {
    let real = wasit2_testkit::wasm_ld();
    let o = link_nothing(&[
        ("WASIT2_WASM_LD", &real.to_string_lossy()),
        ("WASM_LD", "/nonexistent/wasm-ld"),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    // The real wasm-ld ran and refused the missing input.
    assert!(!o.status.success());
    assert!(!stderr.contains("not found at /nonexistent"), "{stderr}");
    assert!(stderr.contains("missing.o"), "{stderr}");
}
