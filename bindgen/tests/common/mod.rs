//! Shared helpers: real clang-22 and wasm-ld-22, and import checks with
//! wasmparser against the ABI crate.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use wasit2_abi::{Arch, CoreSig, Lowering, ValType, Wit};
use wasit2_bindgen::Bindings;

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub use wasit2_testkit::{clang, wasm_ld};

pub fn target(arch: Arch) -> &'static str {
    match arch {
        Arch::Wasm32 => "wasm32-unknown-unknown",
        Arch::Wasm64 => "wasm64-unknown-unknown",
    }
}

fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Compiles C with the flags the task demands: freestanding, no libc,
/// every warning an error.
pub fn compile(arch: Arch, src: &Path, out: &Path, extra: &[&str]) {
    run(Command::new(clang())
        .arg(format!("--target={}", target(arch)))
        .args([
            "-nostdlib",
            "-ffreestanding",
            "-O1",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-std=c11",
            "-c",
        ])
        .args(extra)
        .arg(src)
        .arg("-o")
        .arg(out));
}

pub fn link(arch: Arch, objs: &[PathBuf], out: &Path) {
    let mut cmd = Command::new(wasm_ld());
    if arch == Arch::Wasm64 {
        cmd.arg("-mwasm64");
    }
    run(cmd
        .args(["--no-entry", "--allow-undefined", "--export-all"])
        .args(objs)
        .arg("-o")
        .arg(out));
}

/// Writes the bindings and a program that takes the address of every typed
/// wrapper (so each one and the import it calls end up in the module),
/// compiles both for `arch`, links, and returns the module bytes.
pub fn build_all_wrappers(b: &Bindings, arch: Arch, dir: &Path) -> Vec<u8> {
    b.write_to(dir).unwrap();
    let mut prog = format!(
        "#include \"{}\"\n\ntypedef void (*fnptr)(void);\nstatic const fnptr all[] = {{\n",
        b.header_name
    );
    for f in &b.functions {
        prog.push_str(&format!("    (fnptr){f},\n"));
    }
    prog.push_str("};\n\n__attribute__((export_name(\"all_wrappers\")))\nconst fnptr *all_wrappers(void) { return all; }\n");
    // The functions the export glue calls, as the program would define them.
    for f in &b.exports {
        let body = match f.ret.as_str() {
            "void" => String::new(),
            ret => format!(" static {ret} zero; return zero; "),
        };
        prog.push_str(&format!("{} {{{body}}}\n", f.prototype()));
    }
    let prog_path = dir.join("all_wrappers.c");
    std::fs::write(&prog_path, prog).unwrap();
    let a = arch.name();
    let o1 = dir.join(format!("bindings-{a}.o"));
    let o2 = dir.join(format!("all-{a}.o"));
    compile(arch, &dir.join(&b.source_name), &o1, &[]);
    // Casting every wrapper to one function-pointer type is the point here.
    compile(
        arch,
        &prog_path,
        &o2,
        &[
            "-Wno-cast-function-type",
            "-Wno-cast-function-type-mismatch",
            // The export stubs ignore their arguments.
            "-Wno-unused-parameter",
        ],
    );
    let wasm = dir.join(format!("all-{a}.wasm"));
    link(arch, &[o1, o2], &wasm);
    std::fs::read(wasm).unwrap()
}

/// Imports of a module: (module, field) -> core signature.
pub fn imports(wasm: &[u8]) -> BTreeMap<(String, String), CoreSig> {
    let mut types = Vec::new();
    let mut out = BTreeMap::new();
    let vt = |t: &wasmparser::ValType| match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        other => panic!("unexpected core type {other:?}"),
    };
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.unwrap() {
            wasmparser::Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    let f = ty.unwrap();
                    types.push(CoreSig {
                        params: f.params().iter().map(vt).collect(),
                        results: f.results().iter().map(vt).collect(),
                    });
                }
            }
            wasmparser::Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.unwrap();
                    if let wasmparser::TypeRef::Func(t) = imp.ty {
                        out.insert(
                            (imp.module.to_string(), imp.name.to_string()),
                            types[t as usize].clone(),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Asserts that the module imports exactly the ABI crate's imports of the
/// world with exactly its core signatures.
pub fn assert_imports_match(wasm: &[u8], l: &Lowering) {
    let got = imports(wasm);
    let want: BTreeMap<(String, String), CoreSig> = l
        .imports
        .iter()
        .map(|i| ((i.module.clone(), i.field.clone()), i.sig.clone()))
        .collect();
    for (k, sig) in &got {
        match want.get(k) {
            Some(w) => assert_eq!(sig, w, "{} import {k:?}", l.arch.name()),
            None => panic!(
                "{}: module imports {k:?} which the ABI does not have",
                l.arch.name()
            ),
        }
    }
    for k in want.keys() {
        assert!(
            got.contains_key(k),
            "{}: ABI import {k:?} is not reachable through the bindings",
            l.arch.name()
        );
    }
}

pub fn lowerings(wit: &Wit, world: &str) -> (Lowering, Lowering) {
    let w = wit.world(world).unwrap();
    (
        Lowering::new(wit, w, Arch::Wasm32).unwrap(),
        Lowering::new(wit, w, Arch::Wasm64).unwrap(),
    )
}

pub fn shapes_wit() -> Wit {
    let mut wit = Wit::wasi().unwrap();
    wit.push_path(&manifest_dir().join("tests/fixtures/shapes"))
        .unwrap();
    wit
}
