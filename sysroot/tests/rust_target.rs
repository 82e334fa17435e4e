//! The rustc custom targets (`rust/*.json.in`, installed by `wasit2 install`)
//! with the real cargo, rustc (`-Zbuild-std`, which needs `rust-src` and
//! `RUSTC_BOOTSTRAP=1`), wasit-ld and `wasit2 run`.
//!
//! Needs `make sysroot clang-install` (the `make test` target does it).
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wasit2_abi::Arch;
use wasit2_sysroot::rust_target;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn wasit2_bin() -> PathBuf {
    std::env::var_os("WASIT2").map(PathBuf::from).unwrap_or_else(|| repo().join("target/debug/wasit2"))
}

/// The spec `wasit2 install` wrote for the repo's sysroot.
fn installed_spec(arch: Arch) -> PathBuf {
    let spec = rust_target::spec_dir(&repo().join("build/sysroot")).join(rust_target::spec_file_name(arch));
    assert!(spec.is_file(), "{} is missing: run `make sysroot clang-install` first", spec.display());
    spec
}

/// `cargo build --release` of a crate under tests/ for a wasit2 spec. The
/// target dir is stable so reruns only relink.
fn cargo_build(krate: &str, spec: &Path, build_std: &str) -> PathBuf {
    let dir = repo().join("tests").join(krate);
    let target_dir = repo().join("target/rust-target-tests");
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    // The outer `cargo test` exports variables meant for the host build.
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("CARGO_") && k != "CARGO_HOME" || k == "RUSTFLAGS" || k == "RUSTC_WRAPPER" {
            cmd.env_remove(k);
        }
    }
    cmd.current_dir(&dir)
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["build", "--release", "-Zjson-target-spec"])
        .arg(format!("-Zbuild-std={build_std}"))
        .arg("--target")
        .arg(spec)
        .arg("--target-dir")
        .arg(&target_dir);
    let out = cmd.output().expect("running cargo");
    assert!(out.status.success(), "cargo build of {krate} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let name = Path::new(krate).file_name().unwrap().to_string_lossy().into_owned();
    let stem = spec.file_stem().unwrap().to_string_lossy().into_owned();
    target_dir.join(stem).join("release").join(format!("{name}.wasm"))
}

fn run(module: &Path, dir: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(wasit2_bin());
    cmd.arg("run").args(["--env", "GREETING=hi"]);
    if let Some(d) = dir {
        cmd.current_dir(d).arg("--dir").arg(format!("{}::.", d.display()));
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
                        imp.module.starts_with(&format!("{plain}|")) || imp.module.starts_with(&format!("{buffer}|")),
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
                    assert!(!exp.name.contains("realloc"), "{}: exports {}", module.display(), exp.name);
                }
            }
            _ => {}
        }
    }
}

fn check_nostd(arch: Arch) {
    let module = cargo_build("rust-target/nostd-alloc", &installed_spec(arch), "core,alloc,panic_abort");
    assert_pure_wasit2(&module, arch);
    let scratch = tempfile::tempdir().unwrap();
    let out = run(&module, Some(scratch.path()), &["one", "two"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = format!(
        "args: [\"one\", \"two\"]\nGREETING: Some(\"hi\")\npointer bits: {}\nfile: written by no_std Rust\n",
        arch.pointer_size() * 8
    );
    assert_eq!(stdout, expected, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "exit code is the argument count");
}

#[test]
fn no_std_alloc_on_wasm64_wasit2() {
    check_nostd(Arch::Wasm64);
}

#[test]
fn no_std_alloc_on_wasm32_wasit2() {
    check_nostd(Arch::Wasm32);
}
