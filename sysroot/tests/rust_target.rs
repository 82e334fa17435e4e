//! The rustc custom targets (`rust/*.json.in`, installed by `wasit2 install`)
//! with the real cargo, rustc (`-Zbuild-std`, which needs `rust-src` and
//! `RUSTC_BOOTSTRAP=1`), wasit-ld and `wasit2 run`.
//!
//! Needs `make sysroot clang-install` (the `make test` target does it).
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wasit2_abi::Arch;
use wasit2_sysroot::rust_target;
use wasit2_testkit::{repo, run, tool, wasit2_bin, Outcome};

/// The spec `wasit2 install` wrote for the repo's sysroot.
fn installed_spec(name: &str) -> PathBuf {
    let target = rust_target::TARGETS
        .iter()
        .find(|t| t.name == name)
        .expect("a wasit2 rust target");
    let spec = rust_target::spec_dir(
        &wasit2_sysroot::tools::default_sysroot().expect("locating the sysroot"),
    )
    .join(rust_target::spec_file_name(target));
    assert!(
        spec.is_file(),
        "{} is missing: run `make sysroot clang-install` first",
        spec.display()
    );
    spec
}

/// A cargo command without the variables the outer `cargo test` exports for
/// the host build.
fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("CARGO_") && k != "CARGO_HOME" || k == "RUSTFLAGS" || k == "RUSTC_WRAPPER"
        {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// `cargo build --release` of a crate under tests/ for a wasit2 spec. The
/// target dir is stable so reruns only rebuild the crate itself.
fn cargo_build(krate: &str, spec: &Path, build_std: &str) -> PathBuf {
    cargo_build_with(krate, spec, build_std, &[], &[])
}

/// As [`cargo_build`], with cargo arguments and flags for the final link only
/// (`cargo rustc -- …`, so std is not rebuilt for them).
fn cargo_build_with(
    krate: &str,
    spec: &Path,
    build_std: &str,
    cargo_args: &[&str],
    link_flags: &[&str],
) -> PathBuf {
    cargo_try_build(krate, spec, build_std, cargo_args, link_flags)
        .unwrap_or_else(|stderr| panic!("cargo build of {krate} failed:\n{stderr}"))
}

/// As [`cargo_build_with`]; `Err` holds cargo's stderr.
fn cargo_try_build(
    krate: &str,
    spec: &Path,
    build_std: &str,
    cargo_args: &[&str],
    link_flags: &[&str],
) -> Result<PathBuf, String> {
    let dir = repo().join("tests").join(krate);
    // Builds with other link flags get their own directory: the tests run
    // in parallel and would otherwise overwrite each other's output.
    // (Each test links with at most one spec there, and one at a time.)
    let flavour = if link_flags.is_empty() {
        ""
    } else {
        "-link-args"
    };
    let target_dir = repo().join(format!("target/rust-target-tests{flavour}"));
    let name = Path::new(krate)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let stem = spec.file_stem().unwrap().to_string_lossy().into_owned();
    let release = target_dir.join(&stem).join("release");
    // Always link again: the installed wasit-ld or sysroot may have changed.
    wasit2_testkit::remove_wasm_outputs(&release, &name);
    let mut cmd = cargo();
    cmd.current_dir(&dir)
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["rustc", "--release", "-Zjson-target-spec"])
        .arg(format!("-Zbuild-std={build_std}"))
        .arg("--target")
        .arg(spec)
        .arg("--target-dir")
        .arg(&target_dir)
        .args(cargo_args)
        .arg("--")
        .args(link_flags);
    let out = cmd.output().expect("running cargo");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(release.join(format!("{name}.wasm")))
}

fn run_wasit2(module: &Path, dir: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(wasit2_bin());
    cmd.arg("run").args(["--env", "GREETING=hi"]);
    if let Some(d) = dir {
        cmd.current_dir(d)
            .arg("--dir")
            .arg(format!("{}::.", d.display()));
    }
    cmd.arg(module).args(args).output().expect("running wasit2")
}

/// Every import is a wasit2 import of `arch`, and no realloc is exported.
fn assert_pure_wasit2(module: &Path, arch: Arch) {
    let bytes = std::fs::read(module).unwrap();
    let (plain, buffer) = (arch.prefix(), arch.buffer_prefix());
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        match payload.unwrap() {
            wasmparser::Payload::ImportSection(s) => {
                for imp in s.into_imports() {
                    let imp = imp.unwrap();
                    assert!(
                        imp.module.starts_with(&format!("{plain}|"))
                            || imp.module.starts_with(&format!("{buffer}|")),
                        "{}: import {} {} is not a {plain} import",
                        module.display(),
                        imp.module,
                        imp.name
                    );
                }
            }
            wasmparser::Payload::ExportSection(s) => {
                for exp in s {
                    let exp = exp.unwrap();
                    assert!(
                        !exp.name.contains("realloc"),
                        "{}: exports {}",
                        module.display(),
                        exp.name
                    );
                }
            }
            _ => {}
        }
    }
}

/// What `--host wasip1` promises: nothing but WASI preview 1 imports.
fn assert_only_p1_imports(module: &Path) {
    let bytes = std::fs::read(module).unwrap();
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::ImportSection(s) = payload.unwrap() {
            for imp in s.into_imports() {
                let imp = imp.unwrap();
                assert_eq!(
                    imp.module, "wasi_snapshot_preview1",
                    "import {} {}",
                    imp.module, imp.name
                );
            }
        }
    }
}

/// What tests/rust-target/nostd-alloc prints for `one two`, GREETING=hi and
/// a preopened working directory.
fn nostd_output(arch: Arch) -> String {
    format!(
        "args: [\"one\", \"two\"]\nGREETING: Some(\"hi\")\npointer bits: {}\nfile: written by no_std Rust\n",
        arch.pointer_size() * 8
    )
}

/// A wasm32 run of nostd-alloc (see [`nostd_output`]) on a runtime other
/// than `wasit2 run` printed what it should.
fn assert_nostd_ran(out: &Outcome) {
    assert_eq!(
        out.stdout,
        nostd_output(Arch::Wasm32),
        "stderr:\n{}",
        out.stderr
    );
}

fn check_nostd(arch: Arch) {
    let module = cargo_build(
        "rust-target/nostd-alloc",
        &installed_spec(&format!("{}-wasit2", arch.name())),
        "core,alloc,panic_abort",
    );
    assert_pure_wasit2(&module, arch);
    let scratch = tempfile::tempdir().unwrap();
    let out = run_wasit2(&module, Some(scratch.path()), &["one", "two"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        nostd_output(arch),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code is the argument count"
    );
}

#[test]
fn no_std_alloc_on_wasm64_wasit2() {
    check_nostd(Arch::Wasm64);
}

#[test]
fn no_std_alloc_on_wasm32_wasit2() {
    check_nostd(Arch::Wasm32);
}

// ---- std on the wasm32 specs: tests/rust/std-demo ----------------------

/// std-demo's checks: (arguments, stdin). `files` works in the preopened
/// working directory.
const STD_CHECKS: &[(&[&str], &str)] = &[
    (&["args", "one", "two words", "ünï"], ""),
    (&["env"], ""),
    (&["stdin"], "first line\nsecond line\n"),
    (&["files", "."], ""),
    (&["misc"], ""),
    (&["tcp"], ""),
];

const DEMO_ENV: &[(&str, &str)] = &[("DEMO_A", "1"), ("DEMO_B", "two")];

/// std-demo built for the host: what every wasm run must print.
fn native_demo() -> PathBuf {
    let dir = repo().join("tests/rust/std-demo");
    let target_dir = repo().join("target/rust-target-tests");
    let mut cmd = cargo();
    let out = cmd
        .current_dir(&dir)
        .args(["build", "--release", "--target-dir"])
        .arg(&target_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "native std-demo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    target_dir.join("release/std-demo")
}

#[derive(Clone, Copy, Debug)]
enum Runner {
    Native,
    Wasit2,
    /// The componentized module on the wasmtime CLI.
    WasmtimeComponent,
    /// A `--host wasip1` module on the 2020 WAMR (exit code always 0).
    Iwasm,
    /// A `--host wasip1` module on the wasmtime CLI (as a preview 1 module).
    WasmtimeP1,
}

fn run_demo(runner: Runner, program: &Path, args: &[&str], stdin: &str) -> Outcome {
    let scratch = tempfile::tempdir().unwrap();
    let mut cmd;
    match runner {
        Runner::Native => {
            cmd = Command::new(program);
            cmd.env_clear().envs(DEMO_ENV.iter().copied());
        }
        Runner::Wasit2 => {
            cmd = Command::new(wasit2_bin());
            cmd.args(["run", "-S", "inherit-network"])
                .arg("--dir")
                .arg(format!("{}::.", scratch.path().display()));
            for (k, v) in DEMO_ENV {
                cmd.arg("--env").arg(format!("{k}={v}"));
            }
            cmd.arg(program);
        }
        Runner::WasmtimeComponent | Runner::WasmtimeP1 => {
            cmd = Command::new(tool("WASIT2_WASMTIME", "wasmtime"));
            cmd.args(["run", "-S", "inherit-network=y", "--dir"])
                .arg(format!("{}::.", scratch.path().display()));
            for (k, v) in DEMO_ENV {
                cmd.arg("--env").arg(format!("{k}={v}"));
            }
            cmd.arg(program);
        }
        Runner::Iwasm => {
            cmd = Command::new(tool("WASIT2_IWASM", "iwasm"));
            cmd.arg("--dir=.");
            for (k, v) in DEMO_ENV {
                cmd.arg(format!("--env={k}={v}"));
            }
            cmd.arg(program);
        }
    }
    cmd.current_dir(scratch.path()).args(args);
    run(cmd, stdin)
}

/// Runs the checks on `runner` and compares with the native program.
fn compare_with_native(runner: Runner, program: &Path, checks: &[(&[&str], &str)]) {
    let native = native_demo();
    let mut problems = Vec::new();
    for (args, stdin) in checks {
        let want = run_demo(Runner::Native, &native, args, stdin);
        assert_eq!(want.code, Some(0), "native {args:?}: {}", want.stderr);
        let got = run_demo(runner, program, args, stdin);
        if got.stdout != want.stdout || got.code != Some(0) {
            problems.push(format!(
                "{runner:?} {args:?}: exit {:?}\n--- expected\n{}--- got\n{}--- stderr\n{}",
                got.code, want.stdout, got.stdout, got.stderr
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn std_program_on_wasm32_wasit2_spec() {
    let module = cargo_build(
        "rust/std-demo",
        &installed_spec("wasm32-wasit2"),
        "std,panic_abort",
    );
    assert_pure_wasit2(&module, Arch::Wasm32);
    compare_with_native(Runner::Wasit2, &module, STD_CHECKS);
    let exit = run_demo(Runner::Wasit2, &module, &["exit", "7"], "");
    assert_eq!(exit.code, Some(7), "{}", exit.stderr);

    // The same module, componentized, on the wasmtime CLI.
    let component = module.with_extension("component.wasm");
    let out = Command::new(wasit2_bin())
        .arg("componentize")
        .arg(&module)
        .arg("-o")
        .arg(&component)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "componentize: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    compare_with_native(Runner::WasmtimeComponent, &component, STD_CHECKS);
}

/// With `--host wasip1` (a link argument through cargo) on the MVP spec, a
/// Rust program runs on the 2020 WAMR: here the no_std + alloc program over
/// libc (std: `std_program_on_wamr_with_host_wasip1`).
#[test]
fn no_std_alloc_on_wamr_with_host_wasip1() {
    let module = cargo_build_with(
        "rust-target/nostd-alloc",
        &installed_spec("wasm32-wasit2-mvp"),
        "core,alloc,panic_abort",
        &[],
        &["-C", "link-arg=--host=wasip1"],
    );
    assert_only_p1_imports(&module);
    let scratch = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(tool("WASIT2_IWASM", "iwasm"));
    cmd.current_dir(scratch.path())
        .args(["--dir=.", "--env=GREETING=hi"])
        .arg(&module)
        .args(["one", "two"]);
    let out = run(cmd, "");
    assert_nostd_ran(&out);
    assert!(
        !out.stdout.contains("Exception") && !out.stderr.contains("Exception"),
        "{}",
        out.stderr
    );
}

/// Rust std on the MVP spec with `--host wasip1`: wasit-ld bridges std's
/// standard wasip2 imports onto the wasip1 adapter, so the module imports
/// only WASI preview 1 and runs on the 2020 WAMR. TCP has no p1 form, so
/// std-demo is built without its `net` feature.
#[test]
fn std_program_on_wamr_with_host_wasip1() {
    let module = cargo_build_with(
        "rust/std-demo",
        &installed_spec("wasm32-wasit2-mvp"),
        "std,panic_abort",
        &["--no-default-features"],
        &["-C", "link-arg=--host=wasip1"],
    );
    assert_only_p1_imports(&module);
    let checks: Vec<(&[&str], &str)> = STD_CHECKS
        .iter()
        .copied()
        .filter(|(args, _)| args[0] != "tcp")
        .collect();
    assert_eq!(checks.len(), STD_CHECKS.len() - 1);
    compare_with_native(Runner::WasmtimeP1, &module, &checks);
    // Every check runs on the 2020 WAMR too. `files` writes 200,000 bytes
    // at once, which works only if dlmalloc keeps clear of iwasm's own heap;
    // the layer's `__wrap_sbrk` does that without exporting the allocator
    // (an export would cost two calls into wasm per read; docs/wasip1.md).
    assert_allocator_not_exported(&module);
    compare_with_native(Runner::Iwasm, &module, &checks);

    // Through the adapter instead of the direct libc (one link at a time
    // in this target dir, so after the checks above).
    let adapted = cargo_build_with(
        "rust/std-demo",
        &installed_spec("wasm32-wasit2-mvp"),
        "std,panic_abort",
        &["--no-default-features"],
        &[
            "-C",
            "link-arg=--host=wasip1",
            "-C",
            "link-arg=--wasip1-libc=adapter",
        ],
    );
    assert_only_p1_imports(&adapted);
    assert_allocator_not_exported(&adapted);
    compare_with_native(Runner::Iwasm, &adapted, &checks);
}

/// The module exports neither `malloc` nor `free`: `--host wasip1` keeps
/// dlmalloc clear of a runtime's heap with `--wrap=sbrk` instead.
fn assert_allocator_not_exported(module: &Path) {
    let bytes = std::fs::read(module).unwrap();
    let mut exports = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::ExportSection(r) = payload.unwrap() {
            exports.extend(r.into_iter().map(|e| e.unwrap().name.to_string()));
        }
    }
    for f in ["malloc", "free"] {
        assert!(
            !exports.iter().any(|e| e == f),
            "{} exports {f}: {exports:?}",
            module.display()
        );
    }
}

/// wasit-ld's own options reach it from cargo as link arguments:
/// `--emit-component` gives a component that runs on the wasmtime CLI, by
/// default on every WASI 0.2 host (wasmtime 42 too), where statuses other
/// than 0 leave through `exit(err)`, i.e. 1; with `--wasi-version=0.2.12`
/// it keeps every status. `--wasi-version=0.2.0` for the core module serves
/// libc's `exit-with-code` (WASI 0.2.12) with `exit`, so it links.
#[test]
fn wasit_ld_options_through_cargo() {
    let spec = installed_spec("wasm32-wasit2");
    let run_component = |wasmtime: PathBuf, component: &Path| {
        let bytes = std::fs::read(component).unwrap();
        assert!(
            wasmparser::Parser::is_component(&bytes),
            "{} is not a component",
            component.display()
        );
        let scratch = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(wasmtime);
        cmd.current_dir(scratch.path())
            .args(["run", "--env", "GREETING=hi", "--dir"])
            .arg(format!("{}::.", scratch.path().display()))
            .arg(component)
            .args(["one", "two"]);
        let out = run(cmd, "");
        assert_nostd_ran(&out);
        out.code
    };

    let component = cargo_build_with(
        "rust-target/nostd-alloc",
        &spec,
        "core,alloc,panic_abort",
        &[],
        &[
            "-C",
            "link-arg=--emit-component",
            "-C",
            "link-arg=--wasi-version=0.2.12",
        ],
    );
    let code = run_component(tool("WASIT2_WASMTIME", "wasmtime"), &component);
    assert_eq!(code, Some(2), "exit code is the argument count");

    let component = cargo_build_with(
        "rust-target/nostd-alloc",
        &spec,
        "core,alloc,panic_abort",
        &[],
        &["-C", "link-arg=--emit-component"],
    );
    for wasmtime in [
        tool("WASIT2_WASMTIME", "wasmtime"),
        tool("WASIT2_WASMTIME42", "wasmtime42"),
    ] {
        let code = run_component(wasmtime.clone(), &component);
        assert_eq!(
            code,
            Some(1),
            "{}: exit(err) for status 2",
            wasmtime.display()
        );
    }

    let module = cargo_build_with(
        "rust-target/nostd-alloc",
        &spec,
        "core,alloc,panic_abort",
        &[],
        &["-C", "link-arg=--wasi-version=0.2.0"],
    );
    let text = imports_of(&module);
    assert!(
        !text.iter().any(|(_, f)| f == "exit-with-code") && text.iter().any(|(_, f)| f == "exit"),
        "{text:?}"
    );
}

/// (module, field) of every import of `module`.
fn imports_of(module: &Path) -> Vec<(String, String)> {
    let bytes = std::fs::read(module).unwrap();
    let mut imports = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::ImportSection(r) = payload.unwrap() {
            for i in r.into_imports() {
                let i = i.unwrap();
                imports.push((i.module.to_string(), i.name.to_string()));
            }
        }
    }
    imports
}
