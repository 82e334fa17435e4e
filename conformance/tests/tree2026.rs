//! wasi-libc's test suite (from `../shared/wasi-libc/test`, as
//! `tests/conformance.rs` reads it) on the sysroot built from that same
//! 2026 tree (`wasit2 sysroot build --wasi-libc ../shared/wasi-libc`, cached
//! by content hash: `sysroot/tests/support/tree2026_sysroot.rs`), in three
//! configurations: `wasm32` and `wasm64` (`wasit2 run`) and `component`
//! (the wasm32 build componentized, on wasmtime 49).
//!
//! The bar is upstream's own wasm32-wasip2 build of the tree:
//! `expected/upstream-wasip2-results.txt` lists its result per test (with
//! the command that produced it). Every test upstream passes must pass here
//! in every configuration; a test upstream fails is reported, not required.
//! Skipped, as upstream's configuration for wasm32-wasip2 does: threads,
//! shared libraries and wasip3-only tests (and network tests, which the
//! runner cannot give a network). Needs `../shared` (CI has it; without it
//! the tests say so and check nothing).
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use wasit2_conformance::{Case, Origin};
use wasit2_testkit::{clang, repo, wasit2_bin, wasit_ld_bin, Tool};

#[path = "../../sysroot/tests/support/tree2026_sysroot.rs"]
mod tree2026_sysroot;

const TIMEOUT: Duration = Duration::from_secs(60);
const UPSTREAM: &str = "expected/upstream-wasip2-results.txt";

struct Setup {
    shared: PathBuf,
    sysroot: PathBuf,
    cases: Vec<Case>,
    cache: PathBuf,
    /// Test name -> upstream passed it.
    upstream: BTreeMap<String, bool>,
}

fn setup() -> Option<&'static Setup> {
    static S: OnceLock<Option<Setup>> = OnceLock::new();
    S.get_or_init(|| {
        let shared = repo().join("../shared");
        if !shared.join("libc-test/src/common/print.c").is_file() {
            eprintln!(
                "this test needs {} (../shared, which CI always has); not run",
                shared.join("libc-test").display()
            );
            return None;
        }
        wasit2_testkit::build_workspace_bins(&[Tool::Wasit2, Tool::WasitLd]);
        let sysroot = tree2026_sysroot::sysroot(&repo(), &wasit2_bin())?;
        let cases = wasit2_conformance::load(&shared.join("wasi-libc/test/CMakeLists.txt"))
            .unwrap_or_else(|e| panic!("{e}"));
        let cache = std::env::var_os("WASIT2_CACHE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/wasit2")
            })
            .join("conformance-tree2026");
        std::fs::create_dir_all(&cache).unwrap();
        let text = std::fs::read_to_string(repo().join(UPSTREAM))
            .unwrap_or_else(|e| panic!("{UPSTREAM}: {e}"));
        let upstream =
            wasit2_conformance::parse_results(&text).unwrap_or_else(|e| panic!("{UPSTREAM}: {e}"));
        Some(Setup {
            shared,
            sysroot,
            cases,
            cache,
            upstream,
        })
    })
    .as_ref()
}

/// A temporary name next to `out`, unique per process and call: the
/// configurations run in parallel and build the same wasm32 program.
fn tmp_path(out: &Path) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    out.with_extension(format!("{}.{n}.tmp", std::process::id()))
}

fn stamp(h: &mut impl Hasher, p: &Path) {
    let m = std::fs::metadata(p).ok();
    p.hash(h);
    m.as_ref().map(|m| m.len()).hash(h);
    m.and_then(|m| m.modified().ok()).hash(h);
}

/// Runs `cmd` with a time limit; (exit code, stdout + stderr).
fn run_limited(mut cmd: Command) -> Result<(Option<i32>, String), String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("spawning {cmd:?}: {e}"))?;
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t1 = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let t2 = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(st);
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&t1.join().unwrap()),
        String::from_utf8_lossy(&t2.join().unwrap())
    );
    match status {
        None => Err(format!("timed out after {}s\n{text}", TIMEOUT.as_secs())),
        Some(st) => Ok((st.code(), text)),
    }
}

impl Setup {
    fn source(&self, case: &Case) -> PathBuf {
        match case.origin {
            Some(Origin::LibcTest) => self.shared.join("libc-test/src").join(&case.source),
            Some(Origin::Posix) => self
                .shared
                .join("wasi-libc/test/open-posix-test-suite")
                .join(&case.source),
            _ => self.shared.join("wasi-libc/test/src").join(&case.source),
        }
    }

    /// Builds `case` for `arch` against the 2026-tree sysroot, cached.
    fn build(&self, case: &Case, arch: &str) -> Result<PathBuf, String> {
        let common = self.shared.join("libc-test/src/common");
        let mut srcs = vec![self.source(case)];
        srcs.extend(["path.c", "print.c", "rand.c", "utf8.c"].map(|f| common.join(f)));
        let mut args: Vec<String> = vec![
            format!("--target={arch}-wasit2"),
            format!("--sysroot={}", self.sysroot.display()),
            "-Wno-deprecated".into(),
            "-O2".into(),
            "-w".into(),
            format!("-I{}", common.display()),
        ];
        if case.origin == Some(Origin::Posix) {
            args.push(format!(
                "-I{}",
                self.shared
                    .join("wasi-libc/test/open-posix-test-suite/include")
                    .display()
            ));
        }
        args.extend(case.cflags.iter().cloned());
        if case.setjmp {
            args.extend(["-mllvm", "-wasm-enable-sjlj", "-lsetjmp"].map(String::from));
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for a in args.iter().chain(&case.ldflags) {
            a.hash(&mut h);
        }
        for s in &srcs {
            std::fs::read(s).unwrap_or_default().hash(&mut h);
        }
        stamp(&mut h, &wasit_ld_bin());
        stamp(&mut h, &clang());
        let out = self
            .cache
            .join(format!("{}-{arch}-{:016x}.wasm", case.name, h.finish()));
        if out.is_file() {
            return Ok(out);
        }
        let tmp = tmp_path(&out);
        let mut cc = Command::new(clang());
        cc.args(&args)
            .args(&srcs)
            .arg("-o")
            .arg(&tmp)
            .args(&case.ldflags);
        let (code, text) = run_limited(cc)?;
        if code != Some(0) {
            let _ = std::fs::remove_file(&tmp);
            return Err(format!("compile failed:\n{text}"));
        }
        std::fs::rename(&tmp, &out).map_err(|e| e.to_string())?;
        Ok(out)
    }

    fn componentize(&self, core: &Path) -> Result<PathBuf, String> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        std::fs::read(core).unwrap_or_default().hash(&mut h);
        stamp(&mut h, &wasit2_bin());
        let stem = core.file_stem().unwrap().to_string_lossy().into_owned();
        let out = self
            .cache
            .join(format!("{stem}-component-{:016x}.wasm", h.finish()));
        if out.is_file() {
            return Ok(out);
        }
        let tmp = tmp_path(&out);
        let mut c = Command::new(wasit2_bin());
        c.arg("componentize").arg(core).arg("-o").arg(&tmp);
        let (code, text) = run_limited(c)?;
        if code != Some(0) {
            return Err(format!("componentize failed:\n{text}"));
        }
        std::fs::rename(&tmp, &out).map_err(|e| e.to_string())?;
        Ok(out)
    }

    fn check(&self, case: &Case, config: &str) -> Result<(), String> {
        let (prog, runner) = match config {
            "component" => (
                self.componentize(&self.build(case, "wasm32")?)?,
                Tool::Wasmtime.path(),
            ),
            arch => (self.build(case, arch)?, wasit2_bin()),
        };
        let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut cmd = Command::new(runner);
        cmd.arg("run").current_dir(scratch.path());
        if case.fs {
            let fs = scratch.path().join("fs");
            std::fs::create_dir(&fs).map_err(|e| e.to_string())?;
            cmd.arg("--dir").arg(format!("{}::/", fs.display()));
        }
        for e in &case.env {
            cmd.arg("--env").arg(e);
        }
        if case.network {
            // As upstream's runner: loopback sockets and name lookup.
            cmd.args(["-S", "inherit-network", "-S", "allow-ip-name-lookup"]);
        }
        if case.setjmp && config == "component" {
            cmd.args(["-W", "exceptions"]);
        }
        cmd.arg(&prog).args(&case.argv);
        let (code, output) = run_limited(cmd)?;
        let ok = match &case.pass_regex {
            Some(re) => output.contains(re.as_str()),
            None => code == Some(0),
        };
        if ok {
            Ok(())
        } else {
            Err(format!("exit {code:?}\n{output}"))
        }
    }
}

/// Whether this runner runs `case`: everything the suite's reader does not
/// skip, plus the single-program network tests (run with loopback sockets,
/// as upstream's runner does). Client/server pairs stay out.
fn runs(case: &Case) -> bool {
    case.skip.is_none()
        || (case.skip.as_deref() == Some("needs the network")
            && case.origin == Some(Origin::WasiLibc))
}

/// Runs every test in `config` on two threads; fails listing each test
/// upstream passes that fails here.
fn suite(config: &str) {
    let Some(s) = setup() else { return };
    let todo: Vec<&Case> = s.cases.iter().filter(|c| runs(c)).collect();
    let next = Mutex::new(0usize);
    let results: Mutex<BTreeMap<String, Result<(), String>>> = Mutex::default();
    std::thread::scope(|sc| {
        for _ in 0..2 {
            sc.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    *n += 1;
                    *n - 1
                };
                let Some(case) = todo.get(i) else { break };
                let r = s.check(case, config);
                results.lock().unwrap().insert(case.name.clone(), r);
            });
        }
    });
    let results = results.into_inner().unwrap();
    // Tests upstream passes that this runner does not run, with why.
    let not_run: Vec<String> = s
        .cases
        .iter()
        .filter_map(|c| {
            let why = c.skip.as_ref().filter(|_| !runs(c))?;
            (s.upstream.get(&c.name) == Some(&true)).then(|| format!("{} ({why})", c.name))
        })
        .collect();
    if !not_run.is_empty() {
        eprintln!(
            "tree2026/{config}: not run here though upstream passes them: {}",
            not_run.join(", ")
        );
    }
    let mut regressions = Vec::new();
    let mut extra = Vec::new();
    let passed = results.values().filter(|r| r.is_ok()).count();
    for (name, r) in &results {
        let up = s.upstream.get(name).copied();
        match (r, up) {
            (Err(msg), Some(true)) => regressions.push(format!(
                "{name}: passes on upstream's wasm32-wasip2 build, fails here: {}",
                msg.lines().take(8).collect::<Vec<_>>().join("\n    ")
            )),
            (Err(msg), None) => regressions.push(format!(
                "{name}: not in {UPSTREAM} (a new test: rerun upstream's build), fails here: {}",
                msg.lines().next().unwrap_or("")
            )),
            (Ok(()), Some(false)) => extra.push(name.clone()),
            _ => {}
        }
    }
    eprintln!(
        "tree2026/{config}: {passed} of {} passed; {} not run (threads, shared libraries, wasip3, client/server socket pairs){}",
        results.len(),
        s.cases.len() - results.len(),
        if extra.is_empty() {
            String::new()
        } else {
            format!("; passing here but not upstream: {}", extra.join(", "))
        }
    );
    assert!(
        regressions.is_empty(),
        "tree2026/{config}: {} test(s) fail:\n{}",
        regressions.len(),
        regressions.join("\n")
    );
}

#[test]
fn suite_wasm32() {
    suite("wasm32");
}

#[test]
fn suite_wasm64() {
    suite("wasm64");
}

#[test]
fn suite_componentized_on_wasmtime() {
    suite("component");
}
