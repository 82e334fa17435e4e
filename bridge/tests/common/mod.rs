//! Shared helpers: locating the real tools, building guests, checking and
//! running bridged modules.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use wasit2_abi::{Arch, Lowering, Wit};

pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub use wasit2_testkit::{clang, wasit2_bin as wasit2_cli, wasm_ld};

pub fn wasmtime() -> PathBuf {
    wasit2_testkit::Tool::Wasmtime.path()
}

/// `lib/rustlib/wasm32-wasip2/lib/self-contained` of the active toolchain.
pub fn wasip2_self_contained() -> PathBuf {
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .expect("running rustc");
    let sysroot = String::from_utf8(out.stdout).unwrap();
    Path::new(sysroot.trim()).join("lib/rustlib/wasm32-wasip2/lib/self-contained")
}

fn check_success(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds `tests/rust/<name>.rs` with Rust std for wasm32-wasip2 as a core
/// module: `--skip-wit-component` makes rustup's wasm-component-ld stop
/// after wasm-ld, before it would turn the module into a component.
pub fn build_rust(name: &str, dir: &Path) -> Vec<u8> {
    let src = manifest_dir().join("tests/rust").join(format!("{name}.rs"));
    let out = dir.join(format!("{name}.wasm"));
    let o = Command::new("rustc")
        .args([
            "--edition",
            "2021",
            "--target",
            "wasm32-wasip2",
            "-O",
            "-C",
            "link-arg=--skip-wit-component",
        ])
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("running rustc");
    check_success(&format!("rustc {name}"), &o);
    std::fs::read(out).unwrap()
}

/// Builds `tests/c/<name>.c` with clang-22 and links it with wasm-ld-22
/// against rustup's prebuilt wasip2 crt1-command.o and libc.a.
pub fn build_c(name: &str, dir: &Path) -> Vec<u8> {
    let src = manifest_dir().join("tests/c").join(format!("{name}.c"));
    let obj = dir.join(format!("{name}.o"));
    let out = dir.join(format!("{name}.wasm"));
    let o = Command::new(clang())
        .args(["--target=wasm32-wasip2", "-O2", "-c"])
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .output()
        .expect("running clang-22");
    check_success("clang", &o);
    let sc = wasip2_self_contained();
    let builtins =
        PathBuf::from("/usr/lib/llvm-22/lib/clang/22/lib/wasi/libclang_rt.builtins-wasm32.a");
    let o = Command::new(wasm_ld())
        .arg(sc.join("crt1-command.o"))
        .arg(&obj)
        .arg(sc.join("libc.a"))
        .arg(builtins)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("running wasm-ld");
    check_success("wasm-ld", &o);
    std::fs::read(out).unwrap()
}

pub fn lowering() -> Lowering {
    let wit = Wit::wasi().unwrap();
    let world = wit.command_world().unwrap();
    Lowering::new(&wit, world, Arch::Wasm32).unwrap()
}

fn sig_of(ty: &wasmparser::FuncType) -> String {
    let list = |v: &[wasmparser::ValType]| {
        v.iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("({}) -> ({})", list(ty.params()), list(ty.results()))
}

/// Asserts the structure of a wasit2 module: valid, every import is in the
/// ABI lowering with its exact signature, no realloc export, the memory and
/// run exports, no `component-type` sections. Returns the import names.
pub fn check_wasit2_module(module: &[u8]) -> Vec<(String, String)> {
    use wasmparser::{Parser, Payload, TypeRef};
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(module)
        .expect("bridged module validates");
    let lowering = lowering();
    let mut types = Vec::new();
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload.unwrap() {
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    types.push(t.unwrap());
                }
            }
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    let i = i.unwrap();
                    let TypeRef::Func(t) = i.ty else {
                        panic!("non-function import {}", i.name)
                    };
                    let expected = lowering.import(i.module, i.name).unwrap_or_else(|| {
                        panic!(
                            "import `{}` `{}` is not in the wasit2 ABI",
                            i.module, i.name
                        )
                    });
                    assert_eq!(
                        sig_of(&types[t as usize]),
                        expected.sig.to_string(),
                        "signature of `{}` `{}`",
                        i.module,
                        i.name
                    );
                    imports.push((i.module.to_string(), i.name.to_string()));
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    exports.push(e.unwrap().name.to_string());
                }
            }
            Payload::CustomSection(c) => {
                assert!(
                    !c.name().starts_with("component-type"),
                    "left a `{}` section",
                    c.name()
                );
            }
            _ => {}
        }
    }
    assert!(
        !exports.iter().any(|e| e.contains("realloc")),
        "exports a realloc: {exports:?}"
    );
    assert!(
        exports.iter().any(|e| e == "cm32p2_memory"),
        "no cm32p2_memory export: {exports:?}"
    );
    assert!(
        exports.iter().any(|e| e == "cm32p2|wasi:cli/run@0.2|run"),
        "no run export: {exports:?}"
    );
    imports
}

/// How to run a guest.
#[derive(Default)]
pub struct RunSpec<'a> {
    pub args: &'a [&'a str],
    pub env: &'a [(&'a str, &'a str)],
    pub stdin: &'a [u8],
    /// (host directory, guest path)
    pub dir: Option<(&'a Path, &'a str)>,
    pub network: bool,
}

fn run_with_stdin(mut cmd: Command, stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning the runtime");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Componentizes the wasit2 module with the project's componentizer and
/// runs it on the wasmtime CLI.
pub fn run_componentized(module: &[u8], dir: &Path, spec: &RunSpec) -> Output {
    let component =
        wasit2_componentize::componentize(module).expect("componentize the bridged module");
    let path = dir.join("component.wasm");
    std::fs::write(&path, component).unwrap();
    let mut cmd = Command::new(wasmtime());
    cmd.arg("run");
    for (k, v) in spec.env {
        cmd.arg("--env").arg(format!("{k}={v}"));
    }
    if let Some((host, guest)) = spec.dir {
        cmd.arg("--dir").arg(format!("{}::{guest}", host.display()));
    }
    if spec.network {
        cmd.args(["-S", "inherit-network=y"]);
    }
    cmd.arg(&path).args(spec.args);
    run_with_stdin(cmd, spec.stdin)
}

/// Runs the wasit2 module on `wasit2 run` when that command takes a module
/// (it is written concurrently); `None` when it does not yet.
pub fn run_on_wasit2(module: &[u8], dir: &Path, spec: &RunSpec) -> Option<Output> {
    let cli = wasit2_cli();
    let help = Command::new(&cli).args(["run", "--help"]).output().ok()?;
    let help = String::from_utf8_lossy(&help.stdout);
    if !help.contains('<') {
        eprintln!(
            "note: `{} run` does not take a module yet; not run there",
            cli.display()
        );
        return None;
    }
    let path = dir.join("module.wasm");
    std::fs::write(&path, module).unwrap();
    let mut cmd = Command::new(&cli);
    cmd.arg("run");
    for (k, v) in spec.env {
        cmd.arg("--env").arg(format!("{k}={v}"));
    }
    if let Some((host, guest)) = spec.dir {
        cmd.arg("--dir").arg(format!("{}::{guest}", host.display()));
    }
    if spec.network {
        // `wasit2 run`, like wasmtime, denies the network unless asked.
        cmd.args(["-S", "inherit-network"]);
    }
    cmd.arg(&path).args(spec.args);
    Some(run_with_stdin(cmd, spec.stdin))
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn assert_ok(what: &str, out: &Output) {
    check_success(what, out)
}
