//! The sysroot built from the 2026 wasi-libc tree (`wasit2 sysroot build
//! --wasi-libc ../shared/wasi-libc --target all`, upstream's wasip2
//! selection, docs/sysroot.md "The 2026 tree"): hello on the four targets,
//! the C corpus and minigzip as on the Debian-tree sysroot, only wasit2
//! imports and no realloc export, and no allocation on the read, write,
//! pread, pwrite, stdio and TCP send/recv paths. The sysroot is built once
//! per content hash (tests/support/tree2026_sysroot.rs). Needs
//! `../shared` (CI has it; without it every test says so and checks
//! nothing) and `make clang-install` (the clang configs).
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use wasit2_testkit::corpus;
use wasit2_testkit::{repo, run, wasit2_bin, Tool};
use wasmparser::{Parser, Payload};

#[path = "support/cc.rs"]
mod cc;
#[path = "support/lists.rs"]
mod lists;
#[path = "support/minigzip.rs"]
mod minigzip;
#[path = "support/runs.rs"]
mod runs;
#[path = "support/tree2026_sysroot.rs"]
mod tree2026_sysroot;
#[path = "support/zero_copy.rs"]
mod zero_copy;

fn sysroot() -> Option<&'static Path> {
    static S: OnceLock<Option<PathBuf>> = OnceLock::new();
    S.get_or_init(|| tree2026_sysroot::sysroot(&repo(), &wasit2_bin()))
        .as_deref()
}

fn cc(sysroot: &Path, triple: &str) -> Command {
    let mut c = cc::clang_for(Some(sysroot), triple);
    c.arg("-Wno-deprecated");
    c
}

fn compile(sysroot: &Path, triple: &str, args: &[&str], srcs: &[PathBuf], out: &Path) {
    cc::assert_compiles(
        cc(sysroot, triple).args(args).args(srcs).arg("-o").arg(out),
        &format!("{triple}: compile failed"),
    );
}

/// Imports (module, name) and export names.
fn interface(wasm: &[u8]) -> (Vec<(String, String)>, Vec<String>) {
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.expect("valid wasm") {
            Payload::ImportSection(s) => {
                for imp in s.into_imports() {
                    let imp = imp.unwrap();
                    imports.push((imp.module.to_string(), imp.name.to_string()));
                }
            }
            Payload::ExportSection(s) => {
                for e in s {
                    exports.push(e.unwrap().name.to_string());
                }
            }
            _ => {}
        }
    }
    (imports, exports)
}

fn hello(triple: &str) {
    let Some(sys) = sysroot() else { return };
    let work = tempfile::tempdir().unwrap();
    let wasm = work.path().join("hello.wasm");
    compile(
        sys,
        triple,
        &["-O2", "-s"],
        &[repo().join("examples/hello.c")],
        &wasm,
    );
    let bytes = std::fs::read(&wasm).unwrap();
    let (imports, exports) = interface(&bytes);
    let cm = if triple.starts_with("wasm64") {
        "cm64p2|"
    } else {
        "cm32p2|"
    };
    for (module, name) in &imports {
        assert!(
            module.starts_with(cm) || module.starts_with(&format!("wasit2-{cm}")),
            "{triple}: import {module} {name} is not a wasit2 import"
        );
    }
    assert!(
        !exports.iter().any(|e| e.contains("realloc")),
        "{triple}: exports a realloc: {exports:?}"
    );
    runs::assert_hello_runs(triple, &wasm);
    eprintln!("{triple}: hello -O2 -s is {} bytes", bytes.len());
}

#[test]
fn hello_wasm32() {
    hello("wasm32-wasit2");
}
#[test]
fn hello_wasm64() {
    hello("wasm64-wasit2");
}
#[test]
fn hello_wasm32_mvp() {
    hello("wasm32-wasit2-mvp");
}
#[test]
fn hello_wasm64_mvp() {
    hello("wasm64-wasit2-mvp");
}

#[test]
fn hello_componentized_on_wasmtime() {
    let Some(sys) = sysroot() else { return };
    let work = tempfile::tempdir().unwrap();
    let wasm = work.path().join("hello.wasm");
    let comp = work.path().join("hello.component.wasm");
    compile(
        sys,
        "wasm32-wasit2",
        &["-O2"],
        &[repo().join("examples/hello.c")],
        &wasm,
    );
    let made = Command::new(wasit2_bin())
        .arg("componentize")
        .arg(&wasm)
        .arg("-o")
        .arg(&comp)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    runs::assert_prints_hello(
        Command::new(Tool::Wasmtime.path()).arg("run").arg(&comp),
        "wasmtime",
    );
}

/// Corpus programs whose output differs on the 2026-tree sysroot because
/// upstream's wasip2 code behaves differently, with why. Each must still
/// fail (so a fixed one has to leave the list).
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

/// Every corpus program at -O2, as `tests/corpus.rs` runs them on the
/// Debian-tree sysroot.
fn corpus_on(triple: &str) {
    let Some(sys) = sysroot() else { return };
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for p in corpus::load() {
        let wasm = work.path().join(format!("{}.wasm", p.name));
        let mut c = cc(sys, triple);
        c.arg("-O2").arg(&p.source).arg("-o").arg(&wasm);
        let built = run(c, "");
        if built.code != Some(0) {
            failures.push(format!("{}: compile failed:\n{}", p.name, built.stderr));
            continue;
        }
        let ran = runs::run_corpus_program(&p, &wasm, work.path());
        let differs = ran.code != Some(p.exit) || ran.stdout != p.expected_stdout;
        if let Some((_, why)) = KNOWN_DIFFERENCES.iter().find(|k| k.0 == p.name) {
            if !differs {
                failures.push(format!(
                    "{}: passes now but KNOWN_DIFFERENCES lists it ({why}): remove it",
                    p.name
                ));
            }
            continue;
        }
        if differs {
            failures.push(format!(
                "{}: exit {:?} (expected {}), stdout:\n{}--- expected\n{}--- stderr\n{}",
                p.name, ran.code, p.exit, ran.stdout, p.expected_stdout, ran.stderr
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{triple}: {} corpus program(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_wasm32() {
    corpus_on("wasm32-wasit2");
}
#[test]
fn corpus_wasm64() {
    corpus_on("wasm64-wasit2");
}

/// zlib's minigzip (Debian's source, `.tools/zlib`), as
/// `tests/minigzip.rs` runs it on the Debian-tree sysroot.
fn minigzip_on(triple: &str) {
    let Some(sys) = sysroot() else { return };
    minigzip::round_trip(Some(sys), triple);
}

#[test]
fn minigzip_wasm32() {
    minigzip_on("wasm32-wasit2");
}
#[test]
fn minigzip_wasm64() {
    minigzip_on("wasm64-wasit2");
}

/// The read, write, pread, pwrite, stdio and TCP paths, as
/// `tests/zero_copy.rs` checks them on the Debian-tree sysroot.
fn zero_copy(triple: &str) {
    let Some(sys) = sysroot() else { return };
    zero_copy::file_paths(Some(sys), triple);
    zero_copy::stdio_paths(Some(sys), triple);
    zero_copy::tcp_paths(Some(sys), triple);
}

#[test]
fn no_malloc_on_io_paths_wasm32() {
    zero_copy("wasm32-wasit2");
}
#[test]
fn no_malloc_on_io_paths_wasm64() {
    zero_copy("wasm64-wasit2");
}

/// Public headers of the 2026 tree that `#error` on the default CPUs:
/// upstream's setjmp.h wants exception handling.
const UNINCLUDABLE_HEADERS: &[&str] = &["setjmp.h"];

/// The public interface of the 2026-tree sysroots, pinned like
/// `tests/expected.rs` pins the Debian-tree ones, in
/// `expected/tree2026/<triple>/`: `{defined,undefined}-symbols.txt` and
/// `imports.txt` of libc.a, crt1.o and crt1-command.o (`wasip1/` for the
/// `--host wasip1` libc), and `predefined-macros.txt` of every public
/// header (but UNINCLUDABLE_HEADERS) with `--sysroot` at this sysroot. `BLESS=1` rewrites them. No
/// symbol may be a realloc export's, and every import is a wasit2 one of
/// the target's arch (preview 1 only in the `wasip1/` libc).
#[test]
fn expected_interface() {
    let Some(sys) = sysroot() else { return };
    let mut diffs = Vec::new();
    for triple in [
        "wasm32-wasit2",
        "wasm64-wasit2",
        "wasm32-wasit2-mvp",
        "wasm64-wasit2-mvp",
    ] {
        let mut sets = vec![("", "libc.a".to_string())];
        if triple.starts_with("wasm32") {
            sets.push(("wasip1/", "wasip1/libc.a".to_string()));
        }
        let cm = if triple.starts_with("wasm64") {
            "cm64p2|"
        } else {
            "cm32p2|"
        };
        for (sub, libc) in sets {
            let files = lists::lib_files_with(Some(sys), triple, &libc);
            let (defined, undefined) = lists::defined_and_undefined_in(&files);
            assert!(
                !defined.lines().any(|s| s.contains("cabi_realloc")),
                "{triple}: {libc} defines a cabi_realloc"
            );
            let imports = lists::wasm_imports(&files);
            for line in imports.lines() {
                let wasit2 = line.starts_with(cm) || line.starts_with(&format!("wasit2-{cm}"));
                let preview1 = sub == "wasip1/" && line.starts_with("wasi_snapshot_preview1 ");
                assert!(
                    wasit2 || preview1,
                    "{triple}: {libc} has the foreign import `{line}`"
                );
            }
            let mut pinned = vec![
                ("defined-symbols.txt", defined),
                ("undefined-symbols.txt", undefined),
                ("imports.txt", imports),
            ];
            if sub.is_empty() {
                pinned.push((
                    "predefined-macros.txt",
                    lists::predefined_macros(Some(sys), triple, UNINCLUDABLE_HEADERS),
                ));
            }
            let dir = sys.join("lib").join(triple);
            for (name, text) in &pinned {
                let rel = format!("expected/tree2026/{triple}/{sub}{name}");
                if let Some(d) =
                    wasit2_testkit::bless_or_diff(&rel, &dir.display().to_string(), text)
                {
                    diffs.push(d);
                }
            }
        }
    }
    assert!(
        diffs.is_empty(),
        "the 2026-tree sysroot's interface changed (BLESS=1 after an intended change):\n{}",
        diffs.join("\n")
    );
}

/// `--host wasip1` from the 2026 tree: the program links upstream's own
/// wasip1 selection (`lib/<target>/wasip1/libc.a`), imports only preview 1
/// and runs on wasmtime and the 2020 WAMR.
#[test]
fn host_wasip1_hello_on_wasmtime_and_iwasm() {
    let Some(sys) = sysroot() else { return };
    let work = tempfile::tempdir().unwrap();
    let wasm = work.path().join("hello-p1.wasm");
    compile(
        sys,
        "wasm32-wasit2-mvp",
        &["-O2", "-Wl,--host=wasip1"],
        &[repo().join("examples/hello.c")],
        &wasm,
    );
    let (imports, _) = interface(&std::fs::read(&wasm).unwrap());
    for (module, name) in &imports {
        assert_eq!(module, "wasi_snapshot_preview1", "import {module} {name}");
    }
    for runner in [Tool::Wasmtime, Tool::Iwasm] {
        let mut cmd = Command::new(runner.path());
        if runner == Tool::Wasmtime {
            cmd.arg("run");
        }
        runs::assert_prints_hello(cmd.arg(&wasm), runner.name());
    }
}
