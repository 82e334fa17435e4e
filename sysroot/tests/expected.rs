//! The sysroot's public interface, pinned in `expected/<triple>/`:
//!
//! - `defined-symbols.txt`: every global symbol that `libc.a`, `crt1.o` and
//!   `crt1-command.o` define (`llvm-nm --defined-only -g`), sorted, unique.
//! - `undefined-symbols.txt`: every symbol those files reference that none
//!   of them defines (strong or weak references), i.e. what the final link
//!   must get from elsewhere: the wasit2 host imports (`__wasit2_import_*`),
//!   compiler-rt builtins, wasm-ld's synthetic symbols, and `main`.
//! - `imports.txt`: the wasm imports those objects declare outside the
//!   linker's default `env` module, as `<module> <field>`: the host
//!   functions a program linked with this libc can import.
//! - `predefined-macros.txt`: `clang-22 --target=<triple> -dM -E` of a file
//!   that includes every public header (not `bits/` or `c++/`), with the header
//!   emulation switches on. Lines that name clang's exact release
//!   (`__VERSION__`, `__clang_version__`, minor, patchlevel) are dropped, so
//!   a point release of clang-22 does not count as an interface change.
//!
//!
//! For the wasm32 targets, `expected/<triple>/wasip1/` holds the first three
//! for the `--host wasip1` libc (`lib/<triple>/wasip1/libc.a` with the same
//! crt files).
//!
//! The test regenerates all four from the built sysroot and fails with a
//! line diff on any change; `BLESS=1 cargo test -p wasit2-sysroot --test
//! expected` rewrites them. Needs `make sysroot clang-install`.
use std::collections::BTreeSet;
use std::path::PathBuf;

const TRIPLES: &[&str] = &[
    "wasm32-wasit2",
    "wasm64-wasit2",
    "wasm32-wasit2-mvp",
    "wasm32-wasit2-lime1",
    "wasm64-wasit2-lime1",
];

#[path = "support/cc.rs"]
mod cc;
#[path = "support/lists.rs"]
mod lists;
use lists::{
    defined_and_undefined_in, lib_files_with, predefined_macros, raw_macros, wasm_imports,
};

/// The sysroot under test: `$WASIT2_SYSROOT`, else the checkout's
/// `build/sysroot` (the builder's own default).
fn sysroot() -> PathBuf {
    cc::sysroot_dir(None)
}

fn lib_files(triple: &str) -> Vec<PathBuf> {
    lib_files_with(None, triple, "libc.a")
}

/// The `--host wasip1` libc with the target's crt files.
fn wasip1_lib_files(triple: &str) -> Vec<PathBuf> {
    lib_files_with(
        None,
        triple,
        &format!("{}/libc.a", wasit2_sysroot::layout::WASIP1_LIBC_DIR),
    )
}

fn defined_and_undefined(triple: &str) -> (String, String) {
    defined_and_undefined_in(&lib_files(triple))
}

/// Compares (or with BLESS=1 writes) `expected/<triple>/<file>`; returns
/// a readable diff of the sorted lines on mismatch.
fn check(triple: &str, file: &str, actual: &str) -> Option<String> {
    let source = sysroot().display().to_string();
    wasit2_testkit::bless_or_diff(&format!("expected/{triple}/{file}"), &source, actual)
}

fn check_triple(triple: &str) {
    let (defined, undefined) = defined_and_undefined(triple);
    let imports = wasm_imports(&lib_files(triple));
    let macros = predefined_macros(None, triple, &[]);
    let diffs: Vec<String> = [
        ("defined-symbols.txt", &defined),
        ("undefined-symbols.txt", &undefined),
        ("imports.txt", &imports),
        ("predefined-macros.txt", &macros),
    ]
    .into_iter()
    .filter_map(|(file, text)| check(triple, file, text))
    .collect();
    assert!(
        diffs.is_empty(),
        "the {triple} interface changed (if intended: BLESS=1 cargo test -p wasit2-sysroot --test expected):\n{}",
        diffs.join("\n")
    );
}

fn check_wasip1_libc(triple: &str) {
    let files = wasip1_lib_files(triple);
    let (defined, undefined) = defined_and_undefined_in(&files);
    let imports = wasm_imports(&files);
    let dir = format!("{triple}/wasip1");
    let diffs: Vec<String> = [
        ("defined-symbols.txt", &defined),
        ("undefined-symbols.txt", &undefined),
        ("imports.txt", &imports),
    ]
    .into_iter()
    .filter_map(|(file, text)| check(&dir, file, text))
    .collect();
    assert!(
        diffs.is_empty(),
        "the {triple} --host wasip1 libc changed (if intended: BLESS=1 cargo test -p wasit2-sysroot --test expected):\n{}",
        diffs.join("\n")
    );
    // Either libc serves a program compiled against the same headers: the
    // direct one defines everything the wasit2 libc does but its layer's
    // internals.
    let direct: BTreeSet<&str> = defined.lines().collect();
    let (wasit2, _) = defined_and_undefined(triple);
    let missing: Vec<&str> = wasit2
        .lines()
        .filter(|s| !s.starts_with("w2_") && !s.starts_with("w2s_") && !direct.contains(s))
        .collect();
    assert!(
        missing.is_empty(),
        "{triple}: the --host wasip1 libc lacks {missing:?}"
    );
}

#[test]
fn expected_wasm32_wasip1_libc() {
    check_wasip1_libc("wasm32-wasit2");
}

#[test]
fn expected_wasm32_mvp_wasip1_libc() {
    check_wasip1_libc("wasm32-wasit2-mvp");
}

#[test]
fn expected_wasm32_lime1_wasip1_libc() {
    check_wasip1_libc("wasm32-wasit2-lime1");
}

#[test]
fn expected_wasm32_lime1() {
    check_triple("wasm32-wasit2-lime1");
}

#[test]
fn expected_wasm64_lime1() {
    check_triple("wasm64-wasit2-lime1");
}

#[test]
fn expected_wasm32() {
    check_triple("wasm32-wasit2");
}

#[test]
fn expected_wasm64() {
    check_triple("wasm64-wasit2");
}

#[test]
fn expected_wasm32_mvp() {
    check_triple("wasm32-wasit2-mvp");
}

/// wasit2 programs see WASI 0.2, never preview 1, on every target.
#[test]
fn wasi_version_macros() {
    for triple in TRIPLES.iter().chain(&["wasm64-wasit2-mvp"]) {
        let raw = raw_macros(None, triple, &[]);
        let defined = |name: &str| {
            raw.lines().any(|l| {
                l.strip_prefix("#define ")
                    .is_some_and(|r| r.split(' ').next() == Some(name))
            })
        };
        for name in ["__wasi__", "__wasip2__", "__wasit2__"] {
            assert!(defined(name), "{triple}: {name} is not defined");
        }
        assert!(!defined("__wasip1__"), "{triple}: __wasip1__ is defined");
    }
}

/// The lists mean what the module docs say: the host imports are
/// undefined, libc's own entry points defined, nothing is both, and every
/// import lives under a wasit2 module of the right arch.
#[test]
fn symbol_lists_are_consistent() {
    let (defined, undefined) = defined_and_undefined("wasm32-wasit2");
    let defined: BTreeSet<&str> = defined.lines().collect();
    let undefined: BTreeSet<&str> = undefined.lines().collect();
    assert!(defined.is_disjoint(&undefined));
    for sym in ["malloc", "printf", "read", "__wasit2_run", "__wasi_fd_read"] {
        assert!(defined.contains(sym), "{sym} not defined");
    }
    for sym in [
        "main",
        "__stack_pointer",
        "__wasit2_import_wasi_cli_exit_exit",
    ] {
        assert!(undefined.contains(sym), "{sym} not undefined");
    }
    for (triple, prefix) in [("wasm32-wasit2", "cm32p2|"), ("wasm64-wasit2", "cm64p2|")] {
        let imports = wasm_imports(&lib_files(triple));
        assert!(
            imports.contains(&format!("{prefix}wasi:cli/exit@0.2 exit\n")),
            "{triple}: no exit import:\n{imports}"
        );
        for line in imports.lines() {
            assert!(
                line.starts_with(prefix) || line.starts_with(&format!("wasit2-{prefix}")),
                "{triple}: foreign import `{line}`"
            );
        }
    }
}
