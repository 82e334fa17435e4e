//! The compile cache and `wasit2 compile`, through the built CLI (as
//! `cli_run.rs`): a hit compiles nothing, a corrupt or truncated entry is
//! recompiled and replaced, `-C cache=n` writes nothing, concurrent runs
//! share one entry. `WASIT2_CACHE_LOG` makes `wasit2 run` say what the
//! cache did.
use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;
use wasit2_abi::Arch;

fn hello(arch: Arch) -> Vec<u8> {
    module(
        arch,
        &[],
        r#"(data (PTR.const 512) "cached hello\n")
           (func (export "RUN") (result i32)
             (call $puts (PTR.const 512) (PTR.const 13))
             (i32.const 0))"#,
    )
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn wasit2(cache: &Path, args: &[&str]) -> Out {
    let out = Command::new(wasit2_testkit::Tool::Wasit2.path())
        .args(args)
        .env("WASIT2_CACHE_DIR", cache)
        .env("WASIT2_CACHE_LOG", "1")
        .output()
        .unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `wasm` and checks its output; returns the cache log line.
fn run_ok(cache: &Path, wasm: &Path) -> String {
    let o = wasit2(cache, &["run", wasm.to_str().unwrap()]);
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (0, "cached hello\n"),
        "{}",
        o.stderr
    );
    o.stderr
}

fn entries(cache: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(cache) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

fn mtime(p: &Path) -> SystemTime {
    std::fs::metadata(p).unwrap().modified().unwrap()
}

#[test]
fn second_run_loads_the_entry_without_compiling() {
    for arch in Arch::ALL {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        let wasm = dir.path().join("m.wasm");
        std::fs::write(&wasm, hello(arch)).unwrap();
        let log = run_ok(&cache, &wasm);
        assert!(
            log.contains("cache: miss") && log.contains("stored"),
            "{log}"
        );
        let e = entries(&cache);
        assert_eq!(e.len(), 1, "{e:?}");
        let (bytes, time) = (std::fs::read(&e[0]).unwrap(), mtime(&e[0]));
        std::thread::sleep(std::time::Duration::from_millis(20));
        let log = run_ok(&cache, &wasm);
        assert!(log.contains("cache: hit"), "{log}");
        assert_eq!(entries(&cache), e);
        assert_eq!(mtime(&e[0]), time, "a hit does not rewrite the entry");
        assert_eq!(std::fs::read(&e[0]).unwrap(), bytes);
        // Another module (one byte of data changed) gets its own entry.
        let mut other = hello(arch);
        let at = other.windows(6).position(|w| w == b"cached").unwrap();
        other[at] = b'C';
        std::fs::write(&wasm, &other).unwrap();
        let o = wasit2(&cache, &["run", wasm.to_str().unwrap()]);
        assert_eq!(o.stdout, "Cached hello\n");
        assert!(o.stderr.contains("cache: miss"), "{}", o.stderr);
        assert_eq!(entries(&cache).len(), 2);
    }
}

#[test]
fn a_corrupt_or_truncated_entry_is_recompiled_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let wasm = dir.path().join("m.wasm");
    std::fs::write(&wasm, hello(Arch::Wasm32)).unwrap();
    run_ok(&cache, &wasm);
    let entry = entries(&cache).remove(0);
    let good = std::fs::read(&entry).unwrap();
    let mut flipped_payload = good.clone();
    let mid = good.len() / 2;
    flipped_payload[mid] ^= 0x40;
    let mut flipped_header = good.clone();
    flipped_header[3] ^= 1;
    let mut longer = good.clone();
    longer.extend_from_slice(b"trailing");
    let bad: [(&str, Vec<u8>); 5] = [
        ("truncated", good[..mid].to_vec()),
        ("header only", good[..20].to_vec()),
        ("flipped payload byte", flipped_payload),
        ("flipped header byte", flipped_header),
        ("extra bytes", longer),
    ];
    for (what, bytes) in bad {
        std::fs::write(&entry, &bytes).unwrap();
        let log = run_ok(&cache, &wasm);
        assert!(
            log.contains("cache: bad entry") && log.contains("stored"),
            "{what}: {log}"
        );
        let now = std::fs::read(&entry).unwrap();
        assert_ne!(now, bytes, "{what}: the entry was replaced");
        let log = run_ok(&cache, &wasm);
        assert!(log.contains("cache: hit"), "{what}: {log}");
        assert_eq!(
            entries(&cache),
            vec![entry.clone()],
            "{what}: no stray files"
        );
    }
}

#[test]
fn cache_off_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let wasm = dir.path().join("m.wasm");
    std::fs::write(&wasm, hello(Arch::Wasm32)).unwrap();
    for flag in ["cache=n", "cache=no"] {
        let o = wasit2(&cache, &["run", "-C", flag, wasm.to_str().unwrap()]);
        assert_eq!(o.stdout, "cached hello\n", "{}", o.stderr);
        assert!(o.stderr.contains("cache: off"), "{}", o.stderr);
        assert!(!cache.exists(), "-C {flag} created {}", cache.display());
    }
    // An unwritable cache costs the compile, not the run.
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let o = wasit2(&file, &["run", wasm.to_str().unwrap()]);
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (0, "cached hello\n"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("not stored"), "{}", o.stderr);
}

#[test]
fn concurrent_runs_share_one_entry() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let wasm = dir.path().join("m.wasm");
    std::fs::write(&wasm, hello(Arch::Wasm64)).unwrap();
    let children: Vec<_> = (0..6)
        .map(|_| {
            Command::new(wasit2_testkit::Tool::Wasit2.path())
                .arg("run")
                .arg(&wasm)
                .env("WASIT2_CACHE_DIR", &cache)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success());
        assert_eq!(out.stdout, b"cached hello\n");
    }
    // One entry, no temporary files left, and it verifies.
    assert_eq!(entries(&cache).len(), 1, "{:?}", entries(&cache));
    assert!(run_ok(&cache, &wasm).contains("cache: hit"));
}

#[test]
fn compile_output_runs_without_compiling() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let wasm = dir.path().join("m.wasm");
    let cwasm = dir.path().join("m.cwasm");
    std::fs::write(&wasm, hello(Arch::Wasm32)).unwrap();
    let (w, c) = (wasm.to_str().unwrap(), cwasm.to_str().unwrap());
    let o = wasit2(&cache, &["compile", w, "-o", c]);
    assert_eq!((o.code, o.stderr.as_str()), (0, ""));
    assert!(wasmtime::Engine::detect_precompiled(&std::fs::read(&cwasm).unwrap()).is_some());
    let o = wasit2(&cache, &["run", c]);
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (0, "cached hello\n"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("cache: off"), "{}", o.stderr);
    assert!(!cache.exists(), "a .cwasm does not go through the cache");
    // Compiled without fuel checks: refused when run with fuel, in one line.
    let o = wasit2(&cache, &["run", "-W", "fuel=1000000", c]);
    assert_eq!(o.code, 1);
    assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("compile it again with `wasit2 compile`"),
        "{}",
        o.stderr
    );
    let o = wasit2(&cache, &["compile", "-W", "fuel=1", w, "-o", c]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = wasit2(&cache, &["run", "-W", "fuel=1000000", c]);
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (0, "cached hello\n"),
        "{}",
        o.stderr
    );
    // Not a wasit2 module: one line, no output file.
    let junk = dir.path().join("junk.wasm");
    std::fs::write(&junk, "junk").unwrap();
    let out = dir.path().join("junk.cwasm");
    let o = wasit2(
        &cache,
        &[
            "compile",
            junk.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 1);
    assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
    assert!(!out.exists());
}
