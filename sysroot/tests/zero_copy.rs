//! Zero-copy is a hard requirement: libc's read/write paths must not touch
//! the heap. `tests/programs/malloc_count.c` is linked with `--wrap` on every
//! allocator entry point and moves 64 MiB in 64 KiB chunks through write,
//! read, pwrite, pread (a preopened file), read(stdin)/write(stdout) and
//! send/recv on a loopback TCP connection, counting allocations per path. Needs `make sysroot clang-install`.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use wasit2_testkit::{clang, repo, wasit2_bin};

const MIB: u64 = 64;
const WRAPPED: &str = "-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=posix_memalign,--wrap=__libc_malloc,--wrap=__libc_calloc,--wrap=sbrk";

fn build(triple: &str, out: &Path) -> PathBuf {
    let wasm = out.join(format!("malloc_count-{triple}.wasm"));
    let built = Command::new(clang())
        .arg(format!("--target={triple}"))
        .arg("-O2")
        .arg(WRAPPED)
        .arg(repo().join("sysroot/tests/programs/malloc_count.c"))
        .arg("-o")
        .arg(&wasm)
        .output()
        .expect("clang-22 runs");
    assert!(
        built.status.success(),
        "{triple}: compile failed:\n{}",
        String::from_utf8_lossy(&built.stderr)
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

fn file_paths(triple: &str) {
    let work = tempfile::tempdir().unwrap();
    let wasm = build(triple, work.path());
    let dir = work.path().join("files");
    std::fs::create_dir(&dir).unwrap();
    let out = Command::new(wasit2_bin())
        .arg("run")
        .arg("--dir")
        .arg(format!("{}::.", dir.display()))
        .arg(&wasm)
        .arg("big.bin")
        .arg(MIB.to_string())
        .output()
        .expect("wasit2 runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{triple}: failed:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::metadata(dir.join("big.bin")).unwrap().len(),
        MIB << 20
    );
    check(triple, &report, &["write", "read", "pwrite", "pread"]);
}

fn stdio_paths(triple: &str) {
    let work = tempfile::tempdir().unwrap();
    let wasm = build(triple, work.path());
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

fn tcp_paths(triple: &str) {
    let work = tempfile::tempdir().unwrap();
    let wasm = build(triple, work.path());
    let out = Command::new(wasit2_bin())
        .args(["run", "-S", "inherit-network"])
        .arg(&wasm)
        .arg("--tcp")
        .arg(MIB.to_string())
        .output()
        .expect("wasit2 runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{triple}: failed:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check(triple, &report, &["send", "recv"]);
}

#[test]
fn no_malloc_on_tcp_wasm32() {
    tcp_paths("wasm32-wasit2");
}

#[test]
fn no_malloc_on_tcp_wasm64() {
    tcp_paths("wasm64-wasit2");
}

#[test]
fn no_malloc_on_file_io_wasm32() {
    file_paths("wasm32-wasit2");
}

#[test]
fn no_malloc_on_file_io_wasm64() {
    file_paths("wasm64-wasit2");
}

#[test]
fn no_malloc_on_stdio_wasm32() {
    stdio_paths("wasm32-wasit2");
}

#[test]
fn no_malloc_on_stdio_wasm64() {
    stdio_paths("wasm64-wasit2");
}
