//! The interface lists `expected/` pins (symbols, wasm imports, predefined
//! macros), shared by tests/expected.rs (the default sysroot) and
//! tests/tree2026.rs (the 2026 tree's); tests/expected.rs describes the
//! lists. Needs `support/cc.rs` as the including crate's `cc` module.
#![allow(dead_code)]
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cc::{clang_for, sysroot_dir};

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

/// `libc` (`libc.a` or `wasip1/libc.a`) with the target's crt files.
pub fn lib_files_with(sysroot: Option<&Path>, triple: &str, libc: &str) -> Vec<PathBuf> {
    let dir = sysroot_dir(sysroot).join("lib").join(triple);
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

/// `(defined, undefined)` global symbols of `files`, one a line, sorted.
pub fn defined_and_undefined_in(files: &[PathBuf]) -> (String, String) {
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
pub fn wasm_imports(files: &[PathBuf]) -> String {
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

/// The raw `-dM -E` output for a file including every public header but
/// `skip` (headers that refuse the target's default features).
pub fn raw_macros(sysroot: Option<&Path>, triple: &str, skip: &[&str]) -> String {
    let include = sysroot_dir(sysroot).join("include").join(triple);
    let mut headers = Vec::new();
    public_headers(&include, Path::new(""), &mut headers);
    headers.retain(|h| !skip.contains(&h.as_str()));
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
        clang_for(sysroot, triple)
            .args(["-D_ALL_SOURCE", "-Wno-#warnings", "-dM", "-E"])
            .args(EMULATIONS)
            .arg(&src),
    )
}

/// `raw_macros` sorted, unique, without the lines naming clang's exact
/// release.
pub fn predefined_macros(sysroot: Option<&Path>, triple: &str, skip: &[&str]) -> String {
    let raw = raw_macros(sysroot, triple, skip);
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
        !text.contains("/work/") && !text.contains(&*sysroot_dir(sysroot).to_string_lossy()),
        "absolute path in macros"
    );
    text
}
