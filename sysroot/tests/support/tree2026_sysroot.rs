//! The sysroot built from the 2026 wasi-libc tree (`../shared/wasi-libc`),
//! shared by `sysroot/tests/tree2026.rs` and `conformance/tests/tree2026.rs`
//! (included with `#[path]`). Built once per content hash of its inputs
//! (the tree, the builder, the layers, the binding generators) with
//! `wasit2 sysroot build --target all` for the default and `-mvp` CPUs into
//! `~/.cache/wasit2/sysroot-tree2026/<hash>/` (`$WASIT2_CACHE` moves it),
//! under a file lock so parallel test binaries build it once.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::Command;

use wasit2_testkit::cache::{self, Key};

/// The 2026 tree, or `None` (after saying so) when `../shared` is absent.
pub fn tree(repo: &Path) -> Option<PathBuf> {
    let tree = repo.join("../shared/wasi-libc");
    if tree.join("CMakeLists.txt").is_file() {
        Some(tree.canonicalize().unwrap())
    } else {
        eprintln!(
            "this test needs the 2026 wasi-libc tree at {} (../shared, which CI always has); not run",
            tree.display()
        );
        None
    }
}

/// The sysroot directory (`<cache>/<hash>/sysroot`), built when missing.
/// `$WASIT2_TREE2026_SYSROOT` names an already built one instead.
pub fn sysroot(repo: &Path, wasit2: &Path) -> Option<PathBuf> {
    let tree = tree(repo)?;
    if let Some(dir) = std::env::var_os("WASIT2_TREE2026_SYSROOT").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let mut inputs: Vec<PathBuf> = [
        "sysroot/src",
        "sysroot/layer",
        "sysroot/arch",
        "sysroot/adapters",
        "bindgen/src",
        "abi",
    ]
    .iter()
    .map(|d| repo.join(d))
    .collect();
    for d in [
        "CMakeLists.txt",
        "cmake",
        "libc-bottom-half",
        "libc-top-half",
        "dlmalloc",
        "fts",
    ] {
        inputs.push(tree.join(d));
    }
    let mut key = Key::new();
    for dir in &inputs {
        key.tree_contents(dir);
    }
    let key = key.hex();
    let root = cache::dir("sysroot-tree2026");
    std::fs::create_dir_all(&root).unwrap();
    let lock = std::fs::File::create(root.join(".lock")).unwrap();
    lock.lock().unwrap();
    let dir = root.join(&key);
    let out = dir.join("sysroot");
    if !dir.join("complete").is_file() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let start = std::time::Instant::now();
        for cpu in ["default", "mvp"] {
            let built = Command::new(wasit2)
                .args(["sysroot", "build", "-q", "--target", "all", "--cpu", cpu])
                .arg("--wasi-libc")
                .arg(&tree)
                .arg("--out")
                .arg(&out)
                .output()
                .expect("wasit2 runs");
            assert!(
                built.status.success(),
                "building the 2026-tree sysroot ({cpu}) failed:\n{}",
                String::from_utf8_lossy(&built.stderr)
            );
        }
        // The objects are not needed once the archives are installed.
        let _ = std::fs::remove_dir_all(dir.join("sysroot.work"));
        std::fs::write(dir.join("complete"), "").unwrap();
        prune(&root, 3);
        eprintln!(
            "built the 2026-tree sysroot in {:.0}s -> {}",
            start.elapsed().as_secs_f64(),
            out.display()
        );
    }
    drop(lock);
    Some(out)
}

/// Keeps the `keep` most recently built sysroots of the cache (about 40 MB
/// each with the C++ libraries) and drops the remains of failed builds
/// (called under the lock, so no build is under way).
fn prune(root: &Path, keep: usize) {
    let mut built: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for e in std::fs::read_dir(root).into_iter().flatten().flatten() {
        if !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        match std::fs::metadata(e.path().join("complete")).and_then(|m| m.modified()) {
            Ok(t) => built.push((t, e.path())),
            Err(_) => {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    built.sort();
    let n = built.len().saturating_sub(keep);
    for (_, old) in built.into_iter().take(n) {
        let _ = std::fs::remove_dir_all(old);
    }
}
