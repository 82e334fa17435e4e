//! Rust programs whose module imports both WASI 0.2 and WASI preview 1
//! functions, the common case: std's own imports next to rand 0.8 →
//! getrandom 0.2 → the `wasi` 0.11 crate's `random_get`. wasit-ld must
//! serve the p2 imports through the p2 bridge and the p1 ones through the
//! wasit2 libc's p1 layer, over one libc and one descriptor table; with
//! `--host wasip1` the p1 imports go to the host.
//!
//! The program is tests/rust/rand-demo (not a workspace member). Each link
//! is checked with `wasit2_module::Module` and run against the standard
//! build (rustup's wasm-component-ld) on `wasmtime run`. The `-Zbuild-std`
//! builds share `target/rust-target-tests` with sysroot/tests/rust_target.rs,
//! so std is built once per spec.

use std::path::{Path, PathBuf};
use std::process::Command;

use wasit2_module::Module;
use wasit2_testkit::{run, Outcome, Tool};

const WASIT_LD: &str = env!("CARGO_BIN_EXE_wasit-ld");
const CRATE: &str = "rand-demo";
const ENV: &[(&str, &str)] = &[
    ("RAND_DEMO_A", "1"),
    ("RAND_DEMO_B", "two words"),
    ("RAND_DEMO_C", "é"),
];
/// The checks every build must print exactly as the standard build does.
const CHECKS: &[&[&str]] = &[&["random"], &["env"], &["files", "."]];
/// What `shared .` prints where std and the p1 API share one descriptor
/// table (not on the standard wasip2 build, whose p1 adapter has its own).
const SHARED: &str = "p1 fd_write on std's descriptor: Ok(3)\nread back \"std:p1\\n\"\n";

fn repo() -> PathBuf {
    wasit2_testkit::repo()
}

fn spec(name: &str) -> PathBuf {
    let sysroot = std::env::var_os("WASIT2_SYSROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("build/sysroot"));
    let spec = sysroot.join(format!("share/rust-targets/{name}.json"));
    assert!(
        spec.is_file(),
        "{} missing: run `wasit2 install`",
        spec.display()
    );
    spec
}

/// How one build of rand-demo is made.
struct Build<'a> {
    /// A rustup target or the path of a target spec (then `-Zbuild-std`).
    target: &'a str,
    /// `CARGO_TARGET_<TARGET>_LINKER` for a rustup target; specs name wasit-ld.
    linker: Option<&'a str>,
    target_dir: &'a str,
    /// Flags for the final link only (`cargo rustc -- ...`).
    link_args: &'a [&'a str],
}

/// Builds rand-demo and returns its .wasm. Its own outputs are removed
/// first: cargo does not notice a changed wasit-ld or sysroot.
fn build(b: &Build) -> PathBuf {
    let target_dir = repo().join("target").join(b.target_dir);
    let spec = b.target.ends_with(".json");
    let stem = match spec {
        true => Path::new(b.target).file_stem().unwrap().to_string_lossy(),
        false => b.target.into(),
    };
    let release = target_dir.join(&*stem).join("release");
    wasit2_testkit::remove_wasm_outputs(&release, CRATE);
    let mut cmd = wasit2_testkit::guest_cargo(&repo().join("tests/rust").join(CRATE));
    cmd.args(["rustc", "--release", "--quiet", "--target", b.target])
        .arg("--target-dir")
        .arg(&target_dir);
    if spec {
        cmd.env("RUSTC_BOOTSTRAP", "1")
            .args(["-Zjson-target-spec", "-Zbuild-std=std,panic_abort"]);
    }
    if let Some(linker) = b.linker {
        let var = format!(
            "CARGO_TARGET_{}_LINKER",
            b.target.to_uppercase().replace('-', "_")
        );
        cmd.env(var, linker);
    }
    cmd.arg("--").args(b.link_args);
    let o = cmd.output().expect("running cargo");
    assert!(
        o.status.success(),
        "cargo rustc {} for {}: {}\n{}",
        CRATE,
        b.target,
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    let out = release.join(format!("{CRATE}.wasm"));
    assert!(out.is_file(), "{} was not produced", out.display());
    out
}

/// The standard build: rustup's std linked by wasm-component-ld. Built
/// once per run: the tests run in parallel and use it at the same time.
fn reference() -> PathBuf {
    static REFERENCE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    REFERENCE
        .get_or_init(|| {
            build(&Build {
                target: "wasm32-wasip2",
                linker: None,
                target_dir: "rust-rand-demo-ref",
                link_args: &[],
            })
        })
        .clone()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Runner {
    Wasit2,
    /// A component, or a p1 module, on the wasmtime CLI.
    Wasmtime,
    /// The 2020 WAMR, which always exits 0.
    Iwasm,
}

fn run_on(runner: Runner, wasm: &Path, args: &[&str]) -> Outcome {
    let scratch = tempfile::tempdir().unwrap();
    let dir = format!("{}::.", scratch.path().display());
    let mut cmd;
    match runner {
        Runner::Wasit2 | Runner::Wasmtime => {
            let tool = match runner {
                Runner::Wasit2 => Tool::Wasit2,
                _ => Tool::Wasmtime,
            };
            cmd = Command::new(tool.path());
            cmd.args(["run", "--dir", &dir]);
            for (k, v) in ENV {
                cmd.arg("--env").arg(format!("{k}={v}"));
            }
        }
        Runner::Iwasm => {
            cmd = Command::new(Tool::Iwasm.path());
            cmd.arg("--dir=.");
            for (k, v) in ENV {
                cmd.arg(format!("--env={k}={v}"));
            }
        }
    }
    cmd.current_dir(scratch.path()).arg(wasm).args(args);
    run(cmd, "")
}

/// Runs every check on `runner` and compares with the reference on
/// wasmtime (stdout, and the exit code where the runner reports one),
/// then `shared`, which must see one descriptor table.
fn compare_with_reference(runner: Runner, wasm: &Path) {
    let reference = reference();
    let mut problems = Vec::new();
    for args in CHECKS {
        let want = run_on(Runner::Wasmtime, &reference, args);
        assert_eq!(want.code, Some(0), "reference {args:?}: {}", want.stderr);
        assert!(
            !want.stdout.is_empty(),
            "reference {args:?} printed nothing"
        );
        let got = run_on(runner, wasm, args);
        if got.stdout != want.stdout || (runner != Runner::Iwasm && got.code != want.code) {
            problems.push(format!(
                "{runner:?} {args:?}: exit {:?}\n--- expected\n{}--- got\n{}--- stderr\n{}",
                got.code, want.stdout, got.stdout, got.stderr
            ));
        }
    }
    let shared = run_on(runner, wasm, &["shared", "."]);
    if shared.stdout != SHARED {
        problems.push(format!(
            "{runner:?} shared: {}\n{}",
            shared.stdout, shared.stderr
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn parse(wasm: &Path) -> Module {
    Module::parse(&std::fs::read(wasm).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", wasm.display()))
}

/// Only wasit2 imports (passing the wasit2 check), no realloc export, the
/// wasit2 run export.
fn assert_wasit2_module(wasm: &Path) {
    let m = parse(wasm);
    for i in &m.imports {
        assert!(
            i.module.starts_with("cm32p2|") || i.module.starts_with("wasit2-cm32p2|"),
            "{}: import `{}` `{}` is not a wasit2 import",
            wasm.display(),
            i.module,
            i.field
        );
    }
    assert!(
        m.imports
            .iter()
            .any(|i| i.module == "wasit2-cm32p2|wasi:random/random@0.2"),
        "random_get is not served by wasi:random: {:?}",
        m.imports
    );
    assert_no_realloc(&m, wasm);
    assert!(
        m.exports
            .iter()
            .any(|e| e.name == "cm32p2|wasi:cli/run@0.2|run"),
        "no run export"
    );
    let bytes = std::fs::read(wasm).unwrap();
    let profile = wasit2_check::HostProfile::wasit2().unwrap();
    let report = wasit2_check::check(&bytes, &profile, &Default::default()).unwrap();
    assert!(report.is_ok(), "wasit2 check: {report}");
}

fn assert_no_realloc(m: &Module, wasm: &Path) {
    let reallocs: Vec<&str> = m
        .exports
        .iter()
        .map(|e| e.name.as_str())
        .filter(|n| n.contains("realloc"))
        .collect();
    assert!(
        reallocs.is_empty(),
        "{} exports {reallocs:?}",
        wasm.display()
    );
}

#[test]
fn wasip2_with_p1_imports_links_to_a_wasit2_module() {
    let reference = std::fs::read(reference()).unwrap();
    // The premise: the standard build's core code imports p1's random_get.
    assert!(
        reference
            .windows(b"random_get".len())
            .any(|w| w == b"random_get"),
        "rand-demo no longer uses preview 1"
    );
    let module = build(&Build {
        target: "wasm32-wasip2",
        linker: Some(WASIT_LD),
        target_dir: "rust-rand-demo",
        link_args: &[],
    });
    assert_wasit2_module(&module);
    compare_with_reference(Runner::Wasit2, &module);
}

#[test]
fn wasip2_with_p1_imports_emits_a_component() {
    let component = build(&Build {
        target: "wasm32-wasip2",
        linker: Some(WASIT_LD),
        target_dir: "rust-rand-demo-component",
        link_args: &["-Clink-arg=--emit-component"],
    });
    let bytes = std::fs::read(&component).unwrap();
    assert!(
        wasmparser::Parser::is_component(&bytes),
        "--emit-component gave no component"
    );
    compare_with_reference(Runner::Wasmtime, &component);
}

#[test]
fn wasit2_spec_with_p1_imports_links_to_a_wasit2_module() {
    let module = build(&Build {
        target: spec("wasm32-wasit2").to_str().unwrap(),
        linker: None,
        target_dir: "rust-target-tests",
        link_args: &[],
    });
    assert_wasit2_module(&module);
    compare_with_reference(Runner::Wasit2, &module);
}

#[test]
fn mvp_spec_with_host_wasip1_runs_on_iwasm_and_wasmtime() {
    let module = build(&Build {
        target: spec("wasm32-wasit2-mvp").to_str().unwrap(),
        linker: None,
        target_dir: "rust-target-tests",
        link_args: &["-Clink-arg=--host=wasip1"],
    });
    let m = parse(&module);
    for i in &m.imports {
        assert_eq!(
            i.module, "wasi_snapshot_preview1",
            "import `{}` `{}`",
            i.module, i.field
        );
    }
    assert!(
        m.imports.iter().any(|i| i.field == "random_get"),
        "random_get not passed to the host"
    );
    assert_no_realloc(&m, &module);
    compare_with_reference(Runner::Iwasm, &module);
    compare_with_reference(Runner::Wasmtime, &module);
}
