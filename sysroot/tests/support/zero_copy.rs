//! Zero-copy checks shared by tests/zero_copy.rs (the default sysroot) and
//! tests/tree2026.rs (the 2026 tree's): `tests/programs/malloc_count.c`,
//! linked with `--wrap` on every allocator entry point, moves 64 MiB in
//! 64 KiB chunks through one path set and reports allocations per path.
//! Needs `support/cc.rs` as the including crate's `cc` module.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use wasit2_testkit::{repo, wasit2_bin};

use crate::cc::{assert_compiles, clang_for};

const MIB: u64 = 64;
const WRAPPED: &str = "-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=posix_memalign,--wrap=__libc_malloc,--wrap=__libc_calloc,--wrap=sbrk";

fn build(sysroot: Option<&Path>, triple: &str, out: &Path) -> PathBuf {
    let wasm = out.join(format!("malloc_count-{triple}.wasm"));
    assert_compiles(
        clang_for(sysroot, triple)
            .arg("-O2")
            .arg(WRAPPED)
            .arg(repo().join("sysroot/tests/programs/malloc_count.c"))
            .arg("-o")
            .arg(&wasm),
        &format!("{triple}: compile failed"),
    );
    wasm
}

/// `(path, bytes, allocations)` from the program's report lines.
fn parse(report: &str) -> Vec<(String, u64, u64)> {
    report
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            match f.as_slice() {
                [path, bytes, n] => Some((path.to_string(), bytes.parse().ok()?, n.parse().ok()?)),
                _ => None,
            }
        })
        .collect()
}

fn check(triple: &str, report: &str, paths: &[&str]) {
    let rows = parse(report);
    let probe = rows.iter().find(|r| r.0 == "probe-strdup");
    if paths.contains(&"write") {
        assert!(
            probe.is_some_and(|p| p.2 >= 1),
            "{triple}: the --wrap counter does not see libc's allocations:\n{report}"
        );
    }
    for path in paths {
        let row = rows
            .iter()
            .find(|r| r.0 == *path)
            .unwrap_or_else(|| panic!("{triple}: no `{path}` line:\n{report}"));
        assert_eq!(
            row.1,
            MIB << 20,
            "{triple}: {path} moved {} bytes:\n{report}",
            row.1
        );
        assert_eq!(
            row.2, 0,
            "{triple}: {path} allocated {} times for 64 MiB:\n{report}",
            row.2
        );
    }
}

/// Runs `cmd`, which must succeed, and returns its stdout (the report).
fn stdout_report(cmd: &mut Command, triple: &str) -> String {
    let out = cmd.output().expect("wasit2 runs");
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{triple}: failed:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    report
}

/// write, read, pwrite, pread on a preopened directory.
pub fn file_paths(sysroot: Option<&Path>, triple: &str) {
    let work = tempfile::tempdir().unwrap();
    let wasm = build(sysroot, triple, work.path());
    let dir = work.path().join("files");
    std::fs::create_dir(&dir).unwrap();
    let report = stdout_report(
        Command::new(wasit2_bin())
            .arg("run")
            .arg("--dir")
            .arg(format!("{}::.", dir.display()))
            .arg(&wasm)
            .arg("big.bin")
            .arg(MIB.to_string()),
        triple,
    );
    assert_eq!(
        std::fs::metadata(dir.join("big.bin")).unwrap().len(),
        MIB << 20
    );
    check(triple, &report, &["write", "read", "pwrite", "pread"]);
}

/// read(stdin) and write(stdout).
pub fn stdio_paths(sysroot: Option<&Path>, triple: &str) {
    let work = tempfile::tempdir().unwrap();
    let wasm = build(sysroot, triple, work.path());
    let mut child = Command::new(wasit2_bin())
        .arg("run")
        .arg(&wasm)
        .arg("--stdio")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wasit2 runs");
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let chunk = vec![7u8; 1 << 20];
        for _ in 0..MIB {
            stdin.write_all(&chunk).unwrap();
        }
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{triple}: failed:\n{report}");
    assert_eq!(
        out.stdout.len() as u64,
        MIB << 20,
        "{triple}: stdout length"
    );
    check(triple, &report, &["stdin-read", "stdout-write"]);
}

/// send and recv on a loopback TCP connection.
pub fn tcp_paths(sysroot: Option<&Path>, triple: &str) {
    let work = tempfile::tempdir().unwrap();
    let wasm = build(sysroot, triple, work.path());
    let report = stdout_report(
        Command::new(wasit2_bin())
            .args(["run", "-S", "inherit-network"])
            .arg(&wasm)
            .arg("--tcp")
            .arg(MIB.to_string()),
        triple,
    );
    check(triple, &report, &["send", "recv"]);
}
