//! The p1 step's pieces on hand-written modules: redirecting
//! `wasi_snapshot_preview1` imports to their providers (calls, `ref.func`,
//! element segments, exports and names follow) and its errors. The libc
//! swap of rustc's wasip1 link arguments is wasit-ld's (src/libc.rs); the
//! whole path (real rustc, wasm-ld, wasit2 libc, wasmtime) is tested in
//! wasit-ld/tests/rust_std.rs.

use wasit2_bridge::p1::{p1_imports, redirect_p1_imports};

const MODULE: &str = r#"(module
  (import "cm32p2|wasi:cli/exit@0.2" "exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (memory (export "memory") 1)
  (table 2 funcref)
  (elem (i32.const 0) func $fd_write $main)
  (func $main (export "main") (result i32)
    (drop (call $yield))
    (drop (ref.func $fd_write))
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))
  (func $provider_write (export "__wasit2_p1_fd_write") (param i32 i32 i32 i32) (result i32)
    (i32.add (local.get 0) (i32.const 100)))
  (func $provider_yield (export "__wasit2_p1_sched_yield") (result i32)
    (i32.const 7))
)"#;

fn imports_and_exports(bytes: &[u8]) -> (Vec<String>, Vec<(String, u32)>) {
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    for p in wasmparser::Parser::new(0).parse_all(bytes) {
        match p.unwrap() {
            wasmparser::Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    let i = i.unwrap();
                    imports.push(format!("{} {}", i.module, i.name));
                }
            }
            wasmparser::Payload::ExportSection(r) => {
                for e in r {
                    let e = e.unwrap();
                    exports.push((e.name.to_string(), e.index));
                }
            }
            _ => {}
        }
    }
    (imports, exports)
}

#[test]
fn p1_imports_are_redirected_to_their_providers() {
    let input = wat::parse_str(MODULE).unwrap();
    assert_eq!(p1_imports(&input).unwrap(), ["fd_write", "sched_yield"]);
    let out = redirect_p1_imports(&input).unwrap();
    assert!(p1_imports(&out).unwrap().is_empty());
    let (imports, exports) = imports_and_exports(&out);
    assert_eq!(imports, ["cm32p2|wasi:cli/exit@0.2 exit"]);
    // Provider exports are gone; `main` moved from index 3 to 1.
    assert_eq!(
        exports,
        [("memory".to_string(), 0), ("main".to_string(), 1)]
    );
    let text = wasmprinter_like(&out);
    // $main now calls the providers (indices 2 and 3), also through ref.func and the table.
    assert!(text.contains("call 3") && text.contains("call 2"), "{text}");
    assert!(text.contains("ref.func 2"), "{text}");
}

/// A tiny disassembly of the operators that name functions.
fn wasmprinter_like(bytes: &[u8]) -> String {
    let mut out = String::new();
    for p in wasmparser::Parser::new(0).parse_all(bytes) {
        match p.unwrap() {
            wasmparser::Payload::CodeSectionEntry(body) => {
                for op in body.get_operators_reader().unwrap() {
                    match op.unwrap() {
                        wasmparser::Operator::Call { function_index } => {
                            out.push_str(&format!("call {function_index}\n"))
                        }
                        wasmparser::Operator::RefFunc { function_index } => {
                            out.push_str(&format!("ref.func {function_index}\n"))
                        }
                        _ => {}
                    }
                }
            }
            wasmparser::Payload::ElementSection(r) => {
                for e in r {
                    if let wasmparser::ElementItems::Functions(f) = e.unwrap().items {
                        for i in f {
                            out.push_str(&format!("elem {}\n", i.unwrap()));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    assert!(
        out.contains("elem 2\nelem 1\n"),
        "element segment not remapped: {out}"
    );
    out
}

#[test]
fn missing_provider_is_a_one_line_error() {
    let text = MODULE.replace(r#"(export "__wasit2_p1_sched_yield")"#, "");
    let err = redirect_p1_imports(&wat::parse_str(text).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("wasi_snapshot_preview1")
            && err.contains("sched_yield")
            && err.contains("__wasit2_p1_sched_yield"),
        "{err}"
    );
    assert!(!err.contains('\n'));
}

#[test]
fn provider_signature_must_match() {
    let text = MODULE.replace(
        "(func $provider_yield (export \"__wasit2_p1_sched_yield\") (result i32)\n    (i32.const 7))",
        "(func $provider_yield (export \"__wasit2_p1_sched_yield\") (result i64)\n    (i64.const 7))",
    );
    let err = redirect_p1_imports(&wat::parse_str(text).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("sched_yield") && err.contains("signature"),
        "{err}"
    );
}

#[test]
fn modules_without_p1_imports_are_unchanged_in_meaning() {
    let input =
        wat::parse_str(r#"(module (import "cm32p2|wasi:cli/exit@0.2" "exit" (func (param i32))) (func (export "f")))"#)
            .unwrap();
    assert!(p1_imports(&input).unwrap().is_empty());
    let out = redirect_p1_imports(&input).unwrap();
    assert_eq!(imports_and_exports(&out), imports_and_exports(&input));
}
