//! The compile cache and `wasit2 compile`, through the built CLI (as
//! `cli_run.rs`): a hit compiles nothing, a corrupt or truncated entry is
//! recompiled and replaced, `-C cache=n` writes nothing, concurrent runs
//! share one entry, the default directory is the cache's own, and a full
//! cache drops its least recently used entries. `WASIT2_CACHE_LOG` makes
//! `wasit2 run` say what the cache did.
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
    wasit2_env(&[("WASIT2_CACHE_DIR", cache.to_str().unwrap())], args)
}

/// `wasit2 ARGS` with these variables set and the cache variables of the
/// test's own environment removed.
fn wasit2_env(env: &[(&str, &str)], args: &[&str]) -> Out {
    let out = Command::new(wasit2_testkit::Tool::Wasit2.path())
        .args(args)
        .env_remove("WASIT2_CACHE_DIR")
        .env_remove("WASIT2_CACHE_MAX_SIZE")
        .env_remove("XDG_CACHE_HOME")
        .envs(env.iter().copied())
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

/// `hello` with its text's first letter replaced: another module, with an
/// entry of the same size.
fn hello_variant(arch: Arch, letter: u8) -> Vec<u8> {
    let mut m = hello(arch);
    let at = m.windows(6).position(|w| w == b"cached").unwrap();
    m[at] = letter;
    m
}

fn set_age(p: &Path, secs: u64) {
    let t = SystemTime::now() - std::time::Duration::from_secs(secs);
    std::fs::File::options()
        .write(true)
        .open(p)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

#[test]
fn the_default_directory_is_the_caches_own() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("m.wasm");
    std::fs::write(&wasm, hello(Arch::Wasm32)).unwrap();
    let home = dir.path().join("home");
    let xdg = dir.path().join("xdg");
    for (env, modules) in [
        (
            ("HOME", home.to_str().unwrap()),
            home.join(".cache/wasit2/modules"),
        ),
        (
            ("XDG_CACHE_HOME", xdg.to_str().unwrap()),
            xdg.join("wasit2/modules"),
        ),
    ] {
        let o = wasit2_env(&[env], &["run", wasm.to_str().unwrap()]);
        assert_eq!(o.stdout, "cached hello\n", "{}", o.stderr);
        assert!(
            o.stderr.contains(&format!("miss {}/", modules.display())),
            "{}",
            o.stderr
        );
        let e = entries(&modules);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].extension().is_some_and(|x| x == "cwasm"), "{e:?}");
        // Nothing else next to `modules` (other caches share that parent).
        let parent = entries(modules.parent().unwrap());
        assert_eq!(parent, vec![modules.clone()]);
    }
}

#[test]
fn a_full_cache_drops_the_least_recently_used_entries() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let c = cache.to_str().unwrap();
    let run = |letter: u8, max: &str| {
        let wasm = dir.path().join(format!("{}.wasm", letter as char));
        std::fs::write(&wasm, hello_variant(Arch::Wasm32, letter)).unwrap();
        let env = [("WASIT2_CACHE_DIR", c), ("WASIT2_CACHE_MAX_SIZE", max)];
        let o = wasit2_env(&env, &["run", wasm.to_str().unwrap()]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let path = o
            .stderr
            .split_whitespace()
            .map(|w| w.trim_end_matches(','))
            .find(|w| w.ends_with(".cwasm"))
            .map(PathBuf::from)
            .unwrap_or_else(|| panic!("no entry named: {}", o.stderr));
        (o.stderr, path)
    };
    let (_, a) = run(b'A', "1G");
    let size = std::fs::metadata(&a).unwrap().len();
    let (_, b) = run(b'B', "1G");
    // A was used before B, then again: B is now the least recently used
    // (a hit refreshes an entry older than a minute).
    set_age(&a, 300);
    set_age(&b, 200);
    let (log, _) = run(b'A', "1G");
    assert!(log.contains("cache: hit"), "{log}");
    // Room for two entries: storing C removes B, keeps A and C.
    let max = (size * 5 / 2).to_string();
    let (log, c_entry) = run(b'C', &max);
    assert!(log.contains("miss") && log.contains("stored"), "{log}");
    let mut want = vec![a.clone(), c_entry.clone()];
    want.sort();
    assert_eq!(entries(&cache), want);
    // A hit stores nothing and so removes nothing, even over the limit.
    let (log, _) = run(b'A', "1");
    assert!(log.contains("cache: hit"), "{log}");
    assert_eq!(entries(&cache).len(), 2);
    // A limit below one entry keeps only the newest.
    let (_, d) = run(b'D', "1");
    assert_eq!(entries(&cache), vec![d]);
}

#[test]
fn a_bad_size_limit_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("m.wasm");
    std::fs::write(&wasm, hello(Arch::Wasm32)).unwrap();
    let cache = dir.path().join("cache");
    let env = [
        ("WASIT2_CACHE_DIR", cache.to_str().unwrap()),
        ("WASIT2_CACHE_MAX_SIZE", "lots"),
    ];
    let o = wasit2_env(&env, &["run", wasm.to_str().unwrap()]);
    assert_eq!(o.code, 1);
    assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("WASIT2_CACHE_MAX_SIZE=lots"),
        "{}",
        o.stderr
    );
    // Without the cache, the limit is not read.
    let o = wasit2_env(&env, &["run", "-C", "cache=n", wasm.to_str().unwrap()]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "cached hello\n"));
}

#[test]
fn concurrent_runs_evicting_each_other_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let first = dir.path().join("first.wasm");
    std::fs::write(&first, hello(Arch::Wasm32)).unwrap();
    run_ok(&cache, &first);
    let size = std::fs::metadata(&entries(&cache)[0]).unwrap().len();
    let max = (size * 5 / 2).to_string();
    let children: Vec<_> = (0..8u8)
        .map(|i| {
            let wasm = dir.path().join(format!("m{i}.wasm"));
            std::fs::write(&wasm, hello_variant(Arch::Wasm32, b'a' + i)).unwrap();
            Command::new(wasit2_testkit::Tool::Wasit2.path())
                .arg("run")
                .arg(&wasm)
                .env("WASIT2_CACHE_DIR", &cache)
                .env("WASIT2_CACHE_MAX_SIZE", &max)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (i, c) in children.into_iter().enumerate() {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success());
        let want = format!("{}ached hello\n", (b'a' + i as u8) as char);
        assert_eq!(String::from_utf8_lossy(&out.stdout), want);
    }
    // Each run kept its own entry at least while it evicted; what is left
    // is whole entries (no temporary files), a few over the limit at most.
    let left = entries(&cache);
    assert!(
        left.iter()
            .all(|p| p.extension().is_some_and(|x| x == "cwasm")),
        "{left:?}"
    );
    assert!(!left.is_empty() && left.len() <= 8, "{left:?}");
    for p in &left {
        let len = std::fs::metadata(p).unwrap().len();
        assert_eq!(len, size, "{} is a whole entry", p.display());
    }
}
