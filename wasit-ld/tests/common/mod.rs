//! Shared helpers: real clang-22, the built wasit-ld, and C declarations
//! generated from the ABI library so no signature is written by hand.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wasit2_abi::{Arch, Import, Lowering, ValType, Wit};

pub const WASIT_LD: &str = env!("CARGO_BIN_EXE_wasit-ld");

pub use wasit2_testkit::clang;

pub fn lowering(arch: Arch) -> Lowering {
    let wit = Wit::wasi().unwrap();
    let world = wit.command_world().unwrap();
    Lowering::new(&wit, world, arch).unwrap()
}

/// The ABI entry for `iface`/`field`.
pub fn abi_import<'a>(l: &'a Lowering, iface: &str, field: &str) -> &'a Import {
    l.imports
        .iter()
        .find(|i| i.interface_name.as_deref() == Some(iface) && i.field == field)
        .unwrap_or_else(|| panic!("{iface} {field} not in the ABI"))
}

fn c_type(t: ValType) -> &'static str {
    match t {
        ValType::I32 => "int",
        ValType::I64 => "long long",
        ValType::F32 => "float",
        ValType::F64 => "double",
    }
}

/// A C declaration of `imp` named `c_name`, with the ABI's exact signature.
pub fn c_decl(imp: &Import, c_name: &str) -> String {
    let ret = match imp.sig.results.as_slice() {
        [] => "void",
        [t] => c_type(*t),
        _ => panic!("multi-value result"),
    };
    let params: Vec<_> = imp.sig.params.iter().map(|t| c_type(*t)).collect();
    let params = if params.is_empty() {
        "void".to_string()
    } else {
        params.join(", ")
    };
    format!(
        "__attribute__((import_module(\"{}\"), import_name(\"{}\"))) {ret} {c_name}({params});\n",
        imp.module, imp.field
    )
}

/// A C call of `imp` with zero arguments, as an expression statement.
pub fn c_call(imp: &Import, c_name: &str) -> String {
    let args = vec!["0"; imp.sig.params.len()].join(", ");
    if imp.sig.results.is_empty() {
        format!("  {c_name}({args});\n")
    } else {
        format!("  acc += (int){c_name}({args});\n")
    }
}

/// The `run` export of the command world for `arch`, wrapping `body`.
pub fn c_run(arch: Arch, body: &str) -> String {
    format!(
        "__attribute__((export_name(\"{}|wasi:cli/run@0.2|run\"))) int run(void) {{\n  int acc = 0;\n{body}  return acc;\n}}\n",
        arch.prefix()
    )
}

pub fn target(arch: Arch) -> &'static str {
    arch.triple()
}

/// Compiles `src` to an object file with real clang-22.
pub fn compile(dir: &Path, name: &str, arch: Arch, src: &str) -> PathBuf {
    let c = dir.join(format!("{name}.c"));
    let o = dir.join(format!("{name}.o"));
    std::fs::write(&c, src).unwrap();
    let out = Command::new(clang())
        .arg(format!("--target={}", target(arch)))
        .args(["-Wno-deprecated", "-O1", "-c"])
        .arg(&c)
        .arg("-o")
        .arg(&o)
        .output()
        .expect("clang-22 runs");
    assert!(
        out.status.success(),
        "clang failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    o
}

/// Runs wasit-ld with `args` as clang would call it.
pub fn wasit_ld(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(WASIT_LD)
        .args(args)
        .output()
        .expect("wasit-ld runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts a failure with exactly one line on stderr containing every needle.
pub fn assert_one_line_error(o: &Output, needles: &[&str]) -> String {
    let err = stderr(o);
    assert!(!o.status.success(), "expected failure, stderr: {err}");
    assert_eq!(
        err.lines().count(),
        1,
        "expected one error line, got:\n{err}"
    );
    for n in needles {
        assert!(err.contains(n), "`{n}` missing from: {err}");
    }
    err
}

/// A module's function imports as (module, field, params, results).
pub fn func_imports(bytes: &[u8]) -> Vec<(String, String, Vec<ValType>, Vec<ValType>)> {
    let mut types = Vec::new();
    let mut out = Vec::new();
    let conv = |t: &wasmparser::ValType| match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        other => panic!("unexpected type {other:?}"),
    };
    for p in wasmparser::Parser::new(0).parse_all(bytes) {
        match p.unwrap() {
            wasmparser::Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    let t = t.unwrap();
                    types.push((
                        t.params().iter().map(conv).collect(),
                        t.results().iter().map(conv).collect(),
                    ));
                }
            }
            wasmparser::Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    let i = i.unwrap();
                    match i.ty {
                        wasmparser::TypeRef::Func(t) => {
                            let (p, r): &(Vec<_>, Vec<_>) = &types[t as usize];
                            out.push((
                                i.module.to_string(),
                                i.name.to_string(),
                                p.clone(),
                                r.clone(),
                            ));
                        }
                        other => panic!("non-function import {other:?}"),
                    }
                }
            }
            _ => {}
        }
    }
    out
}

pub fn custom_section<'a>(bytes: &'a [u8], name: &str) -> Option<&'a [u8]> {
    for p in wasmparser::Parser::new(0).parse_all(bytes) {
        if let wasmparser::Payload::CustomSection(c) = p.unwrap() {
            if c.name() == name {
                return Some(c.data());
            }
        }
    }
    None
}

pub fn export_names(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for p in wasmparser::Parser::new(0).parse_all(bytes) {
        if let wasmparser::Payload::ExportSection(r) = p.unwrap() {
            out.extend(r.into_iter().map(|e| e.unwrap().name.to_string()));
        }
    }
    out
}

pub fn validate(bytes: &[u8]) {
    wasmparser::Validator::new_with_features(
        wasmparser::WasmFeatures::default() | wasmparser::WasmFeatures::MEMORY64,
    )
    .validate_all(bytes)
    .expect("output validates");
}
