//! `--help` is wasit-ld's own; `--help-wasm-ld` shows wasm-ld's; `--version`
//! names the commit of both tools.
use std::process::Command;

fn wasit_ld(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wasit-ld"))
        .args(args)
        .output()
        .expect("wasit-ld runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_lists_our_options_then_points_at_wasm_lds() {
    let (ok, out, err) = wasit_ld(&["--help"]);
    assert!(ok && err.is_empty(), "{err}");
    let at = |s: &str| {
        out.find(s)
            .unwrap_or_else(|| panic!("`{s}` not in:\n{out}"))
    };
    for opt in [
        "--host ",
        "--host-cpu ",
        "--emit-component",
        "--wasi-version ",
        "--wasip1-libc ",
        "--wit ",
        "--world ",
        "--wasm-ld-path ",
        "  -v ",
    ] {
        assert!(at(opt) < at("--help-wasm-ld"), "{opt} after the pointer");
    }
    // None of wasm-ld's own text.
    assert!(!out.contains("OVERVIEW: LLVM Linker"), "{out}");
}

#[test]
fn help_wasm_ld_is_wasm_lds_help() {
    let (ok, out, err) = wasit_ld(&["--help-wasm-ld"]);
    assert!(ok, "{err}");
    assert!(out.contains("OVERVIEW: LLVM Linker"), "{out}");
    assert!(out.contains("--export-dynamic"), "{out}");
}

#[test]
fn version_names_the_commit() {
    let (ok, out, err) = wasit_ld(&["--version"]);
    assert!(ok, "{err}");
    let first = out.lines().next().unwrap_or_default();
    let commit = first
        .strip_prefix(concat!("wasit-ld ", env!("CARGO_PKG_VERSION"), " ("))
        .and_then(|r| r.split(',').next())
        .unwrap_or_else(|| panic!("unexpected --version line: {first}"));
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match head {
        // Built from this checkout: the commit cargo built from (HEAD may
        // have moved since, so only its form is pinned).
        Some(h) => assert!(
            commit.len() == h.len() && commit.chars().all(|c| c.is_ascii_hexdigit()),
            "commit `{commit}` in {first}"
        ),
        None => assert_eq!(commit, "unknown"),
    }
}
