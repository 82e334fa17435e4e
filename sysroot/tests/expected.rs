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
use std::path::{Path, PathBuf};
use std::process::Command;
use wasit2_testkit::clang;

const TRIPLES: &[&str] = &[
    "wasm32-wasit2",
    "wasm64-wasit2",
    "wasm32-wasit2-mvp",
    "wasm32-wasit2-lime1",
    "wasm64-wasit2-lime1",
];

/// Macro lines that change with clang's point release, not with our interface.
const VOLATILE_MACROS: &[&str] = &[
    "__VERSION__",
    "__clang_version__",
    "__clang_minor__",
    "__clang_patchlevel__",
];

/// Headers that refuse to be included unless an emulation is requested.
const EMULATIONS: &[&str] = &[
    "-D_WASI_EMULATED_SIGNAL",
    "-D_WASI_EMULATED_MMAN",
    "-D_WASI_EMULATED_PROCESS_CLOCKS",
    "-D_WASI_EMULATED_GETPID",
    "-D_WASI_EMULATED_OWNERSHIP",
];

/// The sysroot under test: `$WASIT2_SYSROOT`, else the checkout's
/// `build/sysroot` (the builder's own default).
fn sysroot() -> PathBuf {
    wasit2_sysroot::tools::default_sysroot().expect("locating the sysroot")
}

/// llvm-nm as the builder finds it (`$WASIT2_LLVM_NM` overrides).
fn llvm_nm() -> PathBuf {
    wasit2_sysroot::Tools::find(None)
        .expect("finding llvm-nm")
        .nm
}

fn output(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("tool output is UTF-8")
}

/// `(defined, referenced)` global symbol names of the given files.
fn symbols(files: &[PathBuf]) -> (BTreeSet<String>, BTreeSet<String>) {
    let text = output(
        Command::new(llvm_nm())
            .arg("-g")
            .arg("--no-sort")
            .args(files),
    );
    let (mut defined, mut referenced) = (BTreeSet::new(), BTreeSet::new());
    for line in text.lines() {
        // Member headers ("libc.a:foo.o:") and blank lines carry no symbol.
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            // Weak references ("w") count too: they are resolved at link time.
            [kind, name] if *kind == "U" || *kind == "w" => {
                referenced.insert(name.to_string());
            }
            [_addr, kind, name] if *kind != "U" && *kind != "w" && kind.len() == 1 => {
                defined.insert(name.to_string());
            }
            _ => {}
        }
    }
    (defined, referenced)
}

fn lib_files(triple: &str) -> Vec<PathBuf> {
    lib_files_with(triple, "libc.a")
}

/// The `--host wasip1` libc with the target's crt files.
fn wasip1_lib_files(triple: &str) -> Vec<PathBuf> {
    lib_files_with(
        triple,
        &format!("{}/libc.a", wasit2_sysroot::layout::WASIP1_LIBC_DIR),
    )
}

fn lib_files_with(triple: &str, libc: &str) -> Vec<PathBuf> {
    let dir = sysroot().join("lib").join(triple);
    let files: Vec<PathBuf> = [libc, "crt1.o", "crt1-command.o"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    for f in &files {
        assert!(
            f.is_file(),
            "{} is missing: run `make sysroot clang-install` first",
            f.display()
        );
    }
    files
}

fn defined_and_undefined(triple: &str) -> (String, String) {
    defined_and_undefined_in(&lib_files(triple))
}

fn defined_and_undefined_in(files: &[PathBuf]) -> (String, String) {
    let (defined, referenced) = symbols(files);
    let undefined: Vec<&String> = referenced.difference(&defined).collect();
    let join =
        |it: &mut dyn Iterator<Item = &String>| it.map(|s| format!("{s}\n")).collect::<String>();
    (join(&mut defined.iter()), join(&mut undefined.into_iter()))
}

fn public_headers(dir: &Path, rel: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir.join(rel))
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = rel.join(e.file_name());
        if e.path().is_dir() {
            // `bits/` is internal; `c++/` is the C++ library's, whose
            // headers are not C (its symbols are pinned by tests/cxx.rs).
            if name != Path::new("bits") && name != Path::new("c++") {
                public_headers(dir, &name, out);
            }
        } else if name.extension().is_some_and(|x| x == "h") {
            out.push(name.to_string_lossy().into_owned());
        }
    }
}

/// `module field` of every non-`env` import in the objects and archives.
fn wasm_imports(files: &[PathBuf]) -> String {
    let mut imports = BTreeSet::new();
    let mut scan = |bytes: &[u8]| {
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            if let Ok(wasmparser::Payload::ImportSection(s)) = payload {
                for imp in s.into_imports() {
                    let imp = imp.expect("valid import");
                    if imp.module != "env" {
                        imports.insert(format!("{} {}\n", imp.module, imp.name));
                    }
                }
            }
        }
    };
    for file in files {
        let bytes = std::fs::read(file).unwrap();
        if bytes.starts_with(b"!<arch>") {
            let archive =
                object::read::archive::ArchiveFile::parse(&*bytes).expect("a valid archive");
            for member in archive.members() {
                let member = member.expect("a valid archive member");
                let data = member.data(&*bytes).unwrap();
                if data.starts_with(b"\0asm") {
                    scan(data);
                }
            }
        } else {
            scan(&bytes);
        }
    }
    imports.into_iter().collect()
}

/// The raw `-dM -E` output for a file including every public header.
fn raw_macros(triple: &str) -> String {
    let include = sysroot().join("include").join(triple);
    let mut headers = Vec::new();
    public_headers(&include, Path::new(""), &mut headers);
    assert!(
        headers.len() > 100,
        "only {} headers under {}",
        headers.len(),
        include.display()
    );
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("all-headers.c");
    std::fs::write(
        &src,
        headers
            .iter()
            .map(|h| format!("#include <{h}>\n"))
            .collect::<String>(),
    )
    .unwrap();
    output(
        Command::new(clang())
            .arg(format!("--target={triple}"))
            .args(["-D_ALL_SOURCE", "-Wno-#warnings", "-dM", "-E"])
            .args(EMULATIONS)
            .arg(&src),
    )
}

fn predefined_macros(triple: &str) -> String {
    let raw = raw_macros(triple);
    let mut lines: Vec<&str> = raw
        .lines()
        .filter(|l| {
            let name = l
                .strip_prefix("#define ")
                .unwrap_or(l)
                .split([' ', '('])
                .next()
                .unwrap_or("");
            !VOLATILE_MACROS.contains(&name)
        })
        .collect();
    lines.sort_unstable();
    lines.dedup();
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    assert!(
        !text.contains("/work/") && !text.contains(&*sysroot().to_string_lossy()),
        "absolute path in macros"
    );
    text
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
    let macros = predefined_macros(triple);
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
        let raw = raw_macros(triple);
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
