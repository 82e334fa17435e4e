//! Acceptance test for `examples/hello.c` built the way a user would
//! (`clang-22 --target=<triple> -O2 -s`): small, no realloc export, only
//! wasit2 imports, and it runs; for both arches and their -mvp and -lime1
//! variants. Stripped, it carries no `wasit2-abi` section (it would name
//! only the defaults), and the wasm32 builds still componentize and run on
//! wasmtime.
//! Needs `make sysroot clang-install`.
use std::process::Command;
use wasit2_testkit::{clang, repo, wasit2_bin, Tool};
use wasmparser::{Parser, Payload};

#[path = "support/runs.rs"]
mod runs;

/// The size budget for the stripped -O2 hello world.
const MAX_HELLO_BYTES: u64 = 26_618;

struct Interface {
    imports: Vec<(String, String)>,
    exports: Vec<String>,
    custom_sections: Vec<String>,
}

fn interface(wasm: &[u8]) -> Interface {
    let mut iface = Interface {
        imports: Vec::new(),
        exports: Vec::new(),
        custom_sections: Vec::new(),
    };
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.expect("valid wasm") {
            Payload::ImportSection(s) => {
                for imp in s.into_imports() {
                    let imp = imp.unwrap();
                    iface
                        .imports
                        .push((imp.module.to_string(), imp.name.to_string()));
                }
            }
            Payload::ExportSection(s) => {
                for exp in s {
                    iface.exports.push(exp.unwrap().name.to_string());
                }
            }
            Payload::CustomSection(c) => iface.custom_sections.push(c.name().to_string()),
            _ => {}
        }
    }
    iface
}

fn check_hello(triple: &str, prefix: &str) {
    let work = tempfile::tempdir().unwrap();
    let wasm = work.path().join("hello.wasm");
    let out = Command::new(clang())
        .arg(format!("--target={triple}"))
        .args(["-O2", "-s"])
        .arg(repo().join("examples/hello.c"))
        .arg("-o")
        .arg(&wasm)
        .output()
        .expect("clang-22 runs");
    assert!(
        out.status.success(),
        "compile failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let size = std::fs::metadata(&wasm).unwrap().len();
    assert!(
        size <= MAX_HELLO_BYTES,
        "{triple}: hello.wasm is {size} bytes, budget {MAX_HELLO_BYTES}"
    );

    let iface = interface(&std::fs::read(&wasm).unwrap());
    let realloc: Vec<&String> = iface
        .exports
        .iter()
        .filter(|e| e.contains("realloc"))
        .collect();
    assert!(
        realloc.is_empty(),
        "{triple}: exports a realloc: {realloc:?}"
    );
    assert!(
        iface
            .exports
            .contains(&format!("{prefix}|wasi:cli/run@0.2|run")),
        "{triple}: no run export: {:?}",
        iface.exports
    );
    assert!(
        iface.exports.contains(&format!("{prefix}_memory")),
        "{triple}: no memory export: {:?}",
        iface.exports
    );
    let foreign: Vec<&(String, String)> = iface
        .imports
        .iter()
        .filter(|(m, _)| {
            !m.starts_with(&format!("{prefix}|")) && !m.starts_with(&format!("wasit2-{prefix}|"))
        })
        .collect();
    assert!(
        foreign.is_empty(),
        "{triple}: imports outside {prefix}: {foreign:?}"
    );
    assert!(!iface.imports.is_empty());

    assert!(
        iface.custom_sections.is_empty(),
        "{triple}: -s left custom sections: {:?}",
        iface.custom_sections
    );

    runs::assert_hello_runs(triple, &wasm);
    if prefix == "cm32p2" {
        // Without the section, componentize takes the command world.
        let component = work.path().join("hello.component.wasm");
        let out = Command::new(wasit2_bin())
            .arg("componentize")
            .arg(&wasm)
            .arg("-o")
            .arg(&component)
            .output()
            .expect("wasit2 runs");
        assert!(
            out.status.success(),
            "{triple}: componentize failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        runs::assert_prints_hello(
            Command::new(Tool::Wasmtime.path())
                .arg("run")
                .arg(&component),
            &format!("{triple} componentized on wasmtime"),
        );
    }
    eprintln!(
        "{triple}: hello.wasm -O2 -s = {size} bytes, {} imports",
        iface.imports.len()
    );
}

#[test]
fn hello_wasm32() {
    check_hello("wasm32-wasit2", "cm32p2");
}

#[test]
fn hello_wasm64() {
    check_hello("wasm64-wasit2", "cm64p2");
}

#[test]
fn hello_wasm32_mvp() {
    check_hello("wasm32-wasit2-mvp", "cm32p2");
}

#[test]
fn hello_wasm64_mvp() {
    check_hello("wasm64-wasit2-mvp", "cm64p2");
}

#[test]
fn hello_wasm32_lime1() {
    check_hello("wasm32-wasit2-lime1", "cm32p2");
}

#[test]
fn hello_wasm64_lime1() {
    check_hello("wasm64-wasit2-lime1", "cm64p2");
}
