//! Crates' own test suites under `cargo test`, as a user runs them:
//! `cargo test --target wasm32-wasip2` with `CARGO_TARGET_WASM32_WASIP2_LINKER`
//! and `CARGO_TARGET_WASM32_WASIP2_RUNNER` set. Three builds of each suite
//! in the same run:
//!
//! - linked by wasit-ld, run by `wasit2 run`;
//! - linked by wasit-ld with `--emit-component`, run by `wasmtime run`;
//! - the peer: linked by rustup's wasm-component-ld, run by `wasmtime run`.
//!
//! The first two must give the peer's result for every test. memchr's
//! tests pull in quickcheck → rand 0.8 → getrandom 0.2, whose preview 1
//! `random_get` sits next to std's WASI 0.2 imports; tempfile's create,
//! rename and remove files in a preopened `/tmp`.
//!
//! The crates are fetched once with cargo into `~/.cache/wasit2/crates/`
//! (`$WASIT2_CACHE/crates`), outside the clone; later runs build offline.
//! Builds go to `target/crate-suites/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wasit2_testkit::Tool;

const WASIT_LD: &str = env!("CARGO_BIN_EXE_wasit-ld");

struct Suite {
    name: &'static str,
    version: &'static str,
    /// Fewer tests than this on the peer means the suite did not really run.
    min_tests: usize,
    /// Preopen a scratch directory as `/tmp` (std's `temp_dir()` on WASI).
    tmp: bool,
}

const MEMCHR: Suite = Suite {
    name: "memchr",
    version: "2.8.3",
    min_tests: 100,
    tmp: false,
};

const TEMPFILE: Suite = Suite {
    name: "tempfile",
    version: "3.27.0",
    min_tests: 50,
    tmp: true,
};

/// Cargo without the outer build's settings (the suites are stable Rust).
fn cargo(dir: &Path) -> Command {
    let mut cmd = wasit2_testkit::guest_cargo(dir);
    cmd.env_remove("RUSTC_BOOTSTRAP");
    cmd
}

fn home() -> PathBuf {
    PathBuf::from(std::env::var_os("HOME").expect("HOME"))
}

fn crate_cache() -> PathBuf {
    wasit2_testkit::cache::dir("crates")
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cargo"))
}

fn assert_ok(what: &str, o: &Output) {
    assert!(
        o.status.success(),
        "{what}: {}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Marks a cached crate source whose dependencies are all fetched; renamed
/// when what is fetched changes, so older caches fetch again.
const FETCHED_STAMP: &str = ".wasit2-fetched-all-platforms";

/// The suite's crate source, writable, with its dependencies fetched: the
/// published crate as cargo unpacks it, copied into the cache. Only the
/// first run needs the network.
fn source(suite: &Suite) -> PathBuf {
    let id = format!("{}-{}", suite.name, suite.version);
    let dir = crate_cache().join(&id);
    let stamp = dir.join(FETCHED_STAMP);
    if stamp.is_file() {
        return dir;
    }
    // A one-dependency project makes cargo download and unpack the crate.
    let fetcher = crate_cache().join(format!(".fetch-{id}"));
    std::fs::create_dir_all(fetcher.join("src")).unwrap();
    std::fs::write(
        fetcher.join("Cargo.toml"),
        format!(
            "[package]\nname = \"fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n\n[dependencies]\n{} = \"={}\"\n",
            suite.name, suite.version
        ),
    )
    .unwrap();
    std::fs::write(fetcher.join("src/lib.rs"), "").unwrap();
    let o = cargo(&fetcher).arg("fetch").output().unwrap();
    assert_ok(&format!("cargo fetch {id}"), &o);
    let unpacked = std::fs::read_dir(cargo_home().join("registry/src"))
        .expect("cargo's registry sources")
        .flatten()
        .map(|registry| registry.path().join(&id))
        .find(|p| p.join("Cargo.toml").is_file())
        .unwrap_or_else(|| panic!("{id} not unpacked under {}", cargo_home().display()));
    // Copy next to the destination, then rename: a half copy is never used.
    let partial = crate_cache().join(format!(".partial-{id}"));
    let _ = std::fs::remove_dir_all(&partial);
    let o = Command::new("cp")
        .arg("-r")
        .arg(&unpacked)
        .arg(&partial)
        .output()
        .unwrap();
    assert_ok("copying the crate source", &o);
    // Dev-dependencies too, for every platform: `cargo test --target
    // wasm32-wasip2` also builds build scripts and proc macros for the
    // host, whose dependencies (libc) a wasm-only fetch leaves out.
    let o = cargo(&partial).arg("fetch").output().unwrap();
    assert_ok(&format!("cargo fetch in {id}"), &o);
    std::fs::write(partial.join(FETCHED_STAMP), "").unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&partial, &dir).unwrap();
    let _ = std::fs::remove_dir_all(&fetcher);
    dir
}

#[derive(Clone, Copy, Debug)]
enum Flavour {
    /// wasit-ld, `wasit2 run`.
    Wasit2,
    /// wasit-ld `--emit-component`, `wasmtime run`.
    Component,
    /// wasm-component-ld, `wasmtime run`.
    Peer,
}

/// One test's outcome, keyed by (test binary's position, test name).
type Results = BTreeMap<(usize, String), String>;

/// Runs `cargo test` for the suite (unit, integration and doc tests; cargo
/// links doc tests with the same linker and runs them with the same
/// runner) the way `flavour` says, and parses libtest's output.
fn run_suite(suite: &Suite, src: &Path, flavour: Flavour) -> (Results, String) {
    let target_dir = wasit2_testkit::repo()
        .join("target/crate-suites")
        .join(format!("{}-{flavour:?}", suite.name).to_lowercase());
    if !matches!(flavour, Flavour::Peer) {
        // Cargo does not notice a changed wasit-ld or sysroot: drop the
        // linked tests so they link again.
        for dir in ["debug", "debug/deps"] {
            let dir = target_dir.join("wasm32-wasip2").join(dir);
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                if entry.path().extension().is_some_and(|e| e == "wasm") {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
    let scratch = tempfile::tempdir().unwrap();
    let mut runner = match flavour {
        Flavour::Wasit2 => vec![Tool::Wasit2.path(), "run".into()],
        Flavour::Component | Flavour::Peer => vec![Tool::Wasmtime.path(), "run".into()],
    };
    if suite.tmp {
        runner.push("--dir".into());
        runner.push(format!("{}::/tmp", scratch.path().display()).into());
    }
    let runner: Vec<String> = runner
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert!(
        runner.iter().all(|p| !p.contains(char::is_whitespace)),
        "cargo splits the runner on spaces: {runner:?}"
    );
    let mut cmd = cargo(src);
    cmd.args([
        "test",
        "--offline",
        "--no-fail-fast",
        "--target",
        "wasm32-wasip2",
    ])
    .arg("--target-dir")
    .arg(&target_dir)
    .env("CARGO_TARGET_WASM32_WASIP2_RUNNER", runner.join(" "));
    if !matches!(flavour, Flavour::Peer) {
        cmd.env("CARGO_TARGET_WASM32_WASIP2_LINKER", WASIT_LD);
    }
    if matches!(flavour, Flavour::Component) {
        // Doc tests are linked by rustdoc, which takes RUSTDOCFLAGS.
        let emit = "-C link-arg=--emit-component";
        cmd.env("CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS", emit)
            .env("RUSTDOCFLAGS", emit);
    }
    let o = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        !stderr.contains("error: linking with") && !stderr.contains("could not compile"),
        "{} {flavour:?}: the build failed:\n{stderr}",
        suite.name
    );
    (parse_libtest(&stdout), format!("{stdout}\n{stderr}"))
}

/// `test NAME ... RESULT` lines of every test binary's run, in order. A
/// test whose line has no result stopped the binary (a trap).
fn parse_libtest(stdout: &str) -> Results {
    let mut results = Results::new();
    let mut binary = 0;
    for line in stdout.lines() {
        if line.starts_with("running ") && line.contains(" test") {
            binary += 1;
            continue;
        }
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, result)) = rest.rsplit_once(" ...") else {
            continue;
        };
        let result = match result.trim() {
            "" => "stopped",
            r => r,
        };
        results.insert((binary, name.to_string()), result.to_string());
    }
    results
}

fn check_suite(suite: &Suite) {
    let src = source(suite);
    let start = std::time::Instant::now();
    let (peer, peer_log) = run_suite(suite, &src, Flavour::Peer);
    assert!(
        peer.len() >= suite.min_tests,
        "{}: the peer ran {} tests (expected at least {}):\n{peer_log}",
        suite.name,
        peer.len(),
        suite.min_tests
    );
    let mut problems = Vec::new();
    for flavour in [Flavour::Wasit2, Flavour::Component] {
        let (ours, log) = run_suite(suite, &src, flavour);
        let differences: Vec<String> = peer
            .keys()
            .chain(ours.keys())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .filter(|k| peer.get(*k) != ours.get(*k))
            .map(|(binary, name)| {
                format!(
                    "  binary {binary} {name}: peer {:?}, {flavour:?} {:?}",
                    peer.get(&(*binary, name.clone())),
                    ours.get(&(*binary, name.clone()))
                )
            })
            .collect();
        if !differences.is_empty() {
            problems.push(format!(
                "{} {flavour:?}: {} of {} tests differ from the peer:\n{}\n{log}",
                suite.name,
                differences.len(),
                peer.len(),
                differences.join("\n")
            ));
        }
        eprintln!(
            "{} {flavour:?}: {} tests, as the peer",
            suite.name,
            ours.len()
        );
    }
    eprintln!(
        "{}: {} tests x 3 builds in {:.0?}",
        suite.name,
        peer.len(),
        start.elapsed()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn memchr_suite_matches_the_peer() {
    check_suite(&MEMCHR);
}

#[test]
fn tempfile_suite_matches_the_peer() {
    check_suite(&TEMPFILE);
}

#[test]
fn libtest_output_is_parsed_per_binary() {
    let out = "\nrunning 2 tests\ntest a::b ... ok\ntest c ... ignored, slow\n\ntest result: ok.\n\nrunning 1 test\ntest a::b ... FAILED\ntest d ... ";
    let r = parse_libtest(out);
    let get = |b: usize, n: &str| r.get(&(b, n.to_string())).map(String::as_str);
    assert_eq!(get(1, "a::b"), Some("ok"));
    assert_eq!(get(1, "c"), Some("ignored, slow"));
    assert_eq!(get(2, "a::b"), Some("FAILED"));
    assert_eq!(get(2, "d"), Some("stopped"));
    assert_eq!(r.len(), 4);
}
