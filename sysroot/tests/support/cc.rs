//! The clang command the sysroot tests compile with, shared by several test
//! crates (included with `#[path]`): `clang-22 --target=<triple>`, which
//! reads the installed cfg (the default sysroot), or with `--sysroot` for a
//! sysroot built elsewhere (the 2026 tree's, tests/tree2026.rs).
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::Command;

use wasit2_testkit::clang;

/// `clang-22 --target=<triple>` plus `--sysroot=<sysroot>` when one is given.
pub fn clang_for(sysroot: Option<&Path>, triple: &str) -> Command {
    let mut c = Command::new(clang());
    c.arg(format!("--target={triple}"));
    if let Some(sysroot) = sysroot {
        c.arg(format!("--sysroot={}", sysroot.display()));
    }
    c
}

/// The sysroot `clang_for(sysroot, _)` uses: the given one, else
/// `$WASIT2_SYSROOT`, else the checkout's `build/sysroot` (the builder's
/// own default, which `make clang-install` writes into the cfg).
pub fn sysroot_dir(sysroot: Option<&Path>) -> PathBuf {
    match sysroot {
        Some(s) => s.to_path_buf(),
        None => wasit2_sysroot::tools::default_sysroot().expect("locating the sysroot"),
    }
}

/// Runs a clang command; on failure panics with `{failure}:` and clang's
/// stderr.
pub fn assert_compiles(cmd: &mut Command, failure: &str) {
    let built = cmd.output().expect("clang-22 runs");
    assert!(
        built.status.success(),
        "{failure}:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
}
