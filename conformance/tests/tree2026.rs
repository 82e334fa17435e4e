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
//! shared libraries and wasip3-only tests. Network tests get loopback
//! sockets; the client/server pairs (`sockets_test`) run as upstream's
//! `socket-test.cmake` runs them: the server first, its first stdout line
//! (its port) passed to each client, all at once under one time limit.
//! Needs `../shared` (CI has it; without it the tests say so and check
//! nothing).
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use wasit2_conformance::{Case, Origin, SocketPair};
use wasit2_testkit::{repo, wasit2_bin, Tool};

mod common;
use common::Programs;

#[path = "../../sysroot/tests/support/tree2026_sysroot.rs"]
mod tree2026_sysroot;

/// For a whole client/server pair. Upstream allows 5 s on wasmtime alone;
/// here up to 11 runtimes start at once on 2 shared cores.
const PAIR_TIMEOUT: Duration = Duration::from_secs(30);
const UPSTREAM: &str = "expected/upstream-wasip2-results.txt";

struct Setup {
    shared: PathBuf,
    sysroot: PathBuf,
    cases: Vec<Case>,
    programs: Programs,
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
        let text = std::fs::read_to_string(repo().join(UPSTREAM))
            .unwrap_or_else(|e| panic!("{UPSTREAM}: {e}"));
        let upstream =
            wasit2_conformance::parse_results(&text).unwrap_or_else(|e| panic!("{UPSTREAM}: {e}"));
        Some(Setup {
            shared,
            sysroot,
            cases,
            programs: Programs::new("conformance-tree2026"),
            upstream,
        })
    })
    .as_ref()
}

impl Setup {
    /// Builds `case` for `arch` against the 2026-tree sysroot, cached.
    fn build(&self, case: &Case, arch: &str) -> Result<PathBuf, String> {
        let (srcs, flags) = common::sources_and_flags(&self.shared, case);
        let mut args: Vec<String> = vec![
            format!("--target={arch}-wasit2"),
            format!("--sysroot={}", self.sysroot.display()),
            "-Wno-deprecated".into(),
        ];
        args.extend(flags);
        if case.setjmp {
            args.extend(["-mllvm", "-wasm-enable-sjlj", "-lsetjmp"].map(String::from));
        }
        let toolchain = common::toolchain_key(arch, &self.sysroot);
        self.programs.compile(case, arch, &toolchain, &args, &srcs)
    }

    /// `case`'s program for `config` and the runner that runs it.
    fn program(&self, case: &Case, config: &str) -> Result<(PathBuf, PathBuf), String> {
        Ok(match config {
            "component" => (
                self.programs.componentize(&self.build(case, "wasm32")?)?,
                Tool::Wasmtime.path(),
            ),
            arch => (self.build(case, arch)?, wasit2_bin()),
        })
    }

    /// A `sockets_test` pair, as upstream's `socket-test.cmake`: the
    /// server starts, its first stdout line goes to every client as its
    /// argument; passes when every process exits 0 in time.
    fn check_pair(&self, pair: &SocketPair, config: &str) -> Result<(), String> {
        let program = |source: &str| {
            let case = Case {
                name: source.trim_end_matches(".c").to_string(),
                origin: Some(Origin::WasiLibc),
                source: source.to_string(),
                ..Case::default()
            };
            self.program(&case, config)
        };
        let (server, runner) = program(&pair.server)?;
        let (client, _) = program(&pair.client)?;
        let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
        let command = |prog: &Path| {
            let mut cmd = Command::new(&runner);
            cmd.arg("run").current_dir(scratch.path());
            if config == "component" {
                // Upstream's engine flags for the pairs.
                cmd.args([
                    "-Wcomponent-model-async",
                    "-Wcomponent-model-threading",
                    "-Sp3,inherit-network",
                ]);
            } else {
                cmd.args(["-S", "inherit-network", "-S", "allow-ip-name-lookup"]);
            }
            cmd.arg(prog)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            cmd
        };
        let deadline = Instant::now() + PAIR_TIMEOUT;
        let mut procs = Vec::new();
        let mut server_cmd = command(&server);
        let mut child = server_cmd
            .spawn()
            .map_err(|e| format!("spawning {server_cmd:?}: {e}"))?;
        // The server's first stdout line, then the rest of its output.
        let (first_tx, first_rx) = std::sync::mpsc::channel();
        let out = child.stdout.take().unwrap();
        let server_out = std::thread::spawn(move || {
            let mut out = std::io::BufReader::new(out);
            let mut line = String::new();
            let _ = std::io::BufRead::read_line(&mut out, &mut line);
            let _ = first_tx.send(line.trim_end_matches(['\n', '\r']).to_string());
            let mut rest = Vec::new();
            let _ = out.read_to_end(&mut rest);
            format!("{line}{}", String::from_utf8_lossy(&rest))
        });
        let server_err = drain(child.stderr.take().unwrap());
        procs.push(("server".to_string(), child));
        let port = first_rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok();
        let mut outputs = Vec::new();
        if let Some(port) = &port {
            for i in 0..pair.nclients {
                let mut cmd = command(&client);
                cmd.arg(port);
                match cmd.spawn() {
                    Ok(mut c) => {
                        let (o, e) = (c.stdout.take().unwrap(), c.stderr.take().unwrap());
                        outputs.push((format!("client {i}"), drain(o), drain(e)));
                        procs.push((format!("client {i}"), c));
                    }
                    Err(e) => {
                        kill_all(&mut procs);
                        return Err(format!("spawning {cmd:?}: {e}"));
                    }
                }
            }
        }
        // Wait for all; the first failure or the deadline kills the rest.
        let mut failures = Vec::new();
        if port.is_none() {
            failures.push("the server printed no first line in time".to_string());
        }
        let mut running: Vec<usize> = (0..procs.len()).collect();
        while !running.is_empty() && failures.is_empty() {
            running.retain(|&i| match procs[i].1.try_wait() {
                Ok(Some(st)) if st.success() => false,
                Ok(Some(st)) => {
                    failures.push(format!("{} exited with {st}", procs[i].0));
                    false
                }
                Ok(None) => true,
                Err(e) => {
                    failures.push(format!("{}: {e}", procs[i].0));
                    false
                }
            });
            if !running.is_empty() && Instant::now() > deadline {
                let names: Vec<&str> = running.iter().map(|&i| procs[i].0.as_str()).collect();
                failures.push(format!(
                    "timed out after {}s: {} still running",
                    PAIR_TIMEOUT.as_secs(),
                    names.join(", ")
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        kill_all(&mut procs);
        if failures.is_empty() {
            return Ok(());
        }
        let mut text = failures.join("; ");
        text.push_str(&format!(
            "\nserver: {}{}",
            server_out.join().unwrap(),
            server_err.join().unwrap()
        ));
        for (name, o, e) in outputs {
            text.push_str(&format!(
                "\n{name}: {}{}",
                o.join().unwrap(),
                e.join().unwrap()
            ));
        }
        Err(text)
    }

    fn check(&self, case: &Case, config: &str) -> Result<(), String> {
        if let Some(pair) = &case.socket_pair {
            return self.check_pair(pair, config);
        }
        let (prog, runner) = self.program(case, config)?;
        common::run_case(case, &runner, &prog, case.setjmp && config == "component")
    }
}

/// Reads `r` to its end on a thread.
fn drain(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = r.read_to_end(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    })
}

/// Kills and reaps every process still running (their pipes then close).
fn kill_all(procs: &mut [(String, std::process::Child)]) {
    for (_, p) in procs.iter_mut() {
        if let Ok(None) = p.try_wait() {
            let _ = p.kill();
        }
        let _ = p.wait();
    }
}

/// Whether this runner runs `case`: everything the suite's reader does not
/// skip, plus the network tests, single programs and client/server pairs
/// (run with loopback sockets, as upstream's runner does).
fn runs(case: &Case) -> bool {
    case.skip.is_none()
        || (case.skip.as_deref() == Some("needs the network")
            && (case.origin == Some(Origin::WasiLibc) || case.socket_pair.is_some()))
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
            // A name can be defined twice (a wasip3 and a wasip2 variant):
            // one of them running is enough.
            let run_here = results.contains_key(&c.name);
            (s.upstream.get(&c.name) == Some(&true) && !run_here)
                .then(|| format!("{} ({why})", c.name))
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
        "tree2026/{config}: {passed} of {} passed; {} not run (threads, shared libraries, wasip3){}",
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
