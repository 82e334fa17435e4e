//! What both suite runners (`conformance.rs` on the default sysroot,
//! `tree2026.rs` on the 2026-tree one) do alike: find a test's source and
//! flags, build and componentize it into a content-hash cache, and run a
//! program under a time limit.
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use wasit2_conformance::{Case, Origin};
use wasit2_testkit::cache::{self, Key};
use wasit2_testkit::{clang, wasit2_bin, Tool};

/// How long one build or run may take.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Where `case`'s C source is under `shared` (`../shared`).
pub fn case_source(shared: &Path, case: &Case) -> PathBuf {
    match case.origin {
        Some(Origin::LibcTest) => shared.join("libc-test/src").join(&case.source),
        Some(Origin::Posix) => shared
            .join("wasi-libc/test/open-posix-test-suite")
            .join(&case.source),
        _ => shared.join("wasi-libc/test/src").join(&case.source),
    }
}

/// `case`'s sources (its own and libc-test's common files) and the clang
/// flags both runners give it: `-O2 -w`, the include directories, the
/// suite's compile flags.
pub fn sources_and_flags(shared: &Path, case: &Case) -> (Vec<PathBuf>, Vec<String>) {
    let common = shared.join("libc-test/src/common");
    let mut srcs = vec![case_source(shared, case)];
    srcs.extend(["path.c", "print.c", "rand.c", "utf8.c"].map(|f| common.join(f)));
    let mut flags: Vec<String> = vec!["-O2".into(), "-w".into()];
    flags.push(format!("-I{}", common.display()));
    if case.origin == Some(Origin::Posix) {
        flags.push(format!(
            "-I{}",
            shared
                .join("wasi-libc/test/open-posix-test-suite/include")
                .display()
        ));
    }
    flags.extend(case.cflags.iter().cloned());
    (srcs, flags)
}

/// What a `--target=<arch>-wasit2` build depends on besides its sources
/// and flags: clang, `sysroot`'s libraries and headers for the target, the
/// installed clang config and wasit-ld. Computed once per (arch, sysroot).
pub fn toolchain_key(arch: &str, sysroot: &Path) -> String {
    static KEYS: OnceLock<Mutex<BTreeMap<(String, PathBuf), String>>> = OnceLock::new();
    let keys = KEYS.get_or_init(Default::default);
    let id = (arch.to_string(), sysroot.to_path_buf());
    if let Some(k) = keys.lock().unwrap().get(&id) {
        return k.clone();
    }
    let mut key = Key::new();
    key.add(arch.as_bytes());
    key.stamp(&clang());
    let triple = format!("{arch}-wasit2");
    key.tree(&sysroot.join("lib").join(&triple));
    key.tree(&sysroot.join("include").join(&triple));
    key.file(&Path::new("/usr/lib/llvm-22/bin").join(format!("{arch}-unknown-wasit2-clang.cfg")));
    key.stamp(&Tool::WasitLd.path());
    let k = key.hex();
    keys.lock().unwrap().insert(id, k.clone());
    k
}

/// Content-hash caches of built programs, one directory per runner.
pub struct Programs {
    dir: PathBuf,
}

impl Programs {
    /// The cache `name` (`~/.cache/wasit2/<name>`), created.
    pub fn new(name: &str) -> Programs {
        let dir = cache::dir(name);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        Programs { dir }
    }

    /// `clang <args> <srcs> -o <out> <case's link flags>`, cached as
    /// `<case>-<kind>-<key>.wasm`; the key covers `toolchain` (what else the
    /// build depends on, see [`toolchain_key`]), the flags and each source.
    pub fn compile(
        &self,
        case: &Case,
        kind: &str,
        toolchain: &str,
        args: &[String],
        srcs: &[PathBuf],
    ) -> Result<PathBuf, String> {
        let mut key = Key::new();
        key.add(toolchain.as_bytes());
        for a in args.iter().chain(&case.ldflags) {
            key.add(a.as_bytes());
        }
        for s in srcs {
            key.file(s);
        }
        let out = self
            .dir
            .join(format!("{}-{kind}-{}.wasm", case.name, key.hex()));
        make_once(out, |tmp| {
            let mut cc = Command::new(clang());
            cc.args(args)
                .args(srcs)
                .arg("-o")
                .arg(tmp)
                .args(&case.ldflags);
            let (code, so, se) = run_limited(cc)?;
            match code {
                Some(0) => Ok(()),
                _ => Err(format!("compile failed:\n{so}{se}")),
            }
        })
    }

    /// `wasit2 componentize` of the core module `core`, cached by its
    /// content and the wasit2 binary.
    pub fn componentize(&self, core: &Path) -> Result<PathBuf, String> {
        let mut key = Key::new();
        key.file(core);
        key.stamp(&wasit2_bin());
        let stem = core.file_stem().unwrap().to_string_lossy().into_owned();
        let out = self
            .dir
            .join(format!("{stem}-component-{}.wasm", key.hex()));
        make_once(out, |tmp| {
            let mut c = Command::new(wasit2_bin());
            c.arg("componentize").arg(core).arg("-o").arg(tmp);
            let (code, so, se) = run_limited(c)?;
            match code {
                Some(0) => Ok(()),
                _ => Err(format!("componentize failed:\n{so}{se}")),
            }
        })
    }
}

/// `out` when it exists, else `make` writes it to a temporary name that
/// becomes `out` when it succeeds.
fn make_once(
    out: PathBuf,
    make: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<PathBuf, String> {
    if out.is_file() {
        return Ok(out);
    }
    let tmp = cache::tmp_path(&out);
    if let Err(e) = make(&tmp) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Runs `prog` for `case` with `runner run` (wasit2 or wasmtime) in a
/// fresh scratch directory, as upstream's runner does: a `fs` directory
/// preopened as `/` when the test wants one, its environment, loopback
/// sockets for a network test, `-W exceptions` when `exceptions`, its
/// arguments. Passes when the output holds the test's pass text, or
/// without one when it exits 0.
pub fn run_case(case: &Case, runner: &Path, prog: &Path, exceptions: bool) -> Result<(), String> {
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
        cmd.args(["-S", "inherit-network", "-S", "allow-ip-name-lookup"]);
    }
    if exceptions {
        cmd.args(["-W", "exceptions"]);
    }
    cmd.arg(prog).args(&case.argv);
    let (code, out, err) = run_limited(cmd)?;
    let output = format!("{out}{err}");
    let ok = match &case.pass_regex {
        // CTest: a match passes whatever the exit code.
        Some(re) => output.contains(re.as_str()),
        None => code == Some(0),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("exit {code:?}\n{output}"))
    }
}

/// Runs `cmd` with stdin closed and [`TIMEOUT`]: (exit code, stdout,
/// stderr), or the output so far when it had to be killed.
pub fn run_limited(mut cmd: Command) -> Result<(Option<i32>, String, String), String> {
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
    let out = String::from_utf8_lossy(&t1.join().unwrap()).into_owned();
    let err = String::from_utf8_lossy(&t2.join().unwrap()).into_owned();
    match status {
        None => Err(format!(
            "timed out after {}s\n{out}{err}",
            TIMEOUT.as_secs()
        )),
        Some(st) => Ok((st.code(), out, err)),
    }
}
