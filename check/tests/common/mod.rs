//! Shared helpers: real clang-22, wasm-ld, iwasm and wasmtime.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use wasit2_abi::wasip1_adapter::adapter_lowering;
use wasit2_sysroot::adapter::{build_adapter, caller_header};
use wasit2_sysroot::Tools;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub use wasit2_testkit::{clang, wasm_ld};

pub fn iwasm() -> PathBuf {
    wasit2_testkit::Tool::Iwasm.path()
}

pub fn wasmtime() -> PathBuf {
    wasit2_testkit::Tool::Wasmtime.path()
}

pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The adapter, built once per test binary, plus the caller header.
pub struct Built {
    pub _dir: tempfile::TempDir,
    pub lib: PathBuf,
    pub include: PathBuf,
}

pub fn adapter() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let tools = Tools::find(None).expect("clang, llvm-ar, llvm-nm");
        let lib = build_adapter(&tools, dir.path()).expect("adapter builds");
        let include = dir.path().join("include");
        let l = adapter_lowering().unwrap();
        std::fs::write(include.join("wasit2_wasip1_callers.h"), caller_header(&l)).unwrap();
        Built {
            _dir: dir,
            lib,
            include,
        }
    })
}

/// Compiles C test program `name` (in tests/c) to an object.
pub fn compile(src: &str, out: &Path, extra: &[&str]) {
    run(Command::new(clang())
        .args([
            "--target=wasm32-wasip1",
            "-O2",
            "-ffreestanding",
            "-nostdlib",
            "-c",
        ])
        .args(extra)
        .arg("-I")
        .arg(&adapter().include)
        .arg(repo().join("check/tests/c").join(src))
        .arg("-o")
        .arg(out));
}

/// Links objects with the adapter for a p1 runtime (`_start` entry).
pub fn link_p1(objects: &[&Path], out: &Path) {
    run(Command::new(wasm_ld())
        .args(objects)
        .arg(&adapter().lib)
        .arg("-o")
        .arg(out));
}

/// Links objects without the adapter, leaving the wasit2 imports in place.
pub fn link_wasit2(objects: &[&Path], out: &Path) {
    run(Command::new(wasm_ld())
        .args(objects)
        .args(["--no-entry", "--allow-undefined"])
        .arg("-o")
        .arg(out));
}
