//! The C++ libraries (docs/cxx.md): `tests/cxx/features.cpp` (iostream,
//! string, vector, map, sort, sstream, unique_ptr and exceptions, one
//! thrown across the C frame of `tests/cxx/c_frame.c`, one rethrown from
//! `catch (...)`) built with `clang++-22 --target=<arch>-wasit2
//! -fwasm-exceptions` and no other flags prints what the native build
//! prints: on `wasit2 run` (wasm32 and wasm64) and componentized on
//! wasmtime 49. Without its exception parts it builds for
//! `wasm32-wasit2-mvp -Wl,--host=wasip1` and runs on the 2020 iwasm. The
//! libraries' symbol lists are pinned in `expected/<target>/c++{,-eh}/`.
//! Needs `make sysroot clang-install`.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wasit2_testkit::{clang, repo, tool, wasit2_bin, Tool};

fn cxx_dir() -> PathBuf {
    repo().join("tests/cxx")
}

fn clangxx() -> PathBuf {
    // clang++-22 next to the clang-22 the tests use.
    let c = clang();
    let name = c
        .file_name()
        .map(|n| n.to_string_lossy().replace("clang", "clang++"))
        .unwrap_or_else(|| "clang++-22".into());
    c.with_file_name(name)
}

fn ok(what: &str, o: Output) -> Output {
    assert!(
        o.status.success(),
        "{what} failed ({}):\n{}{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn run(what: &str, cmd: &mut Command) -> Output {
    let o = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: spawning {cmd:?}: {e}"));
    ok(what, o)
}

/// Builds features.cpp with `target` (None: native) and the C frame, and
/// returns the program.
fn build(dir: &Path, target: Option<&str>, flags: &[&str], link: &[&str]) -> PathBuf {
    let name = target.unwrap_or("native");
    let c_obj = dir.join(format!("{name}-c_frame.o"));
    let out = dir.join(match target {
        Some(_) => format!("{name}.wasm"),
        None => name.to_string(),
    });
    let target_flag: Vec<String> = target
        .map(|t| format!("--target={t}"))
        .into_iter()
        .collect();
    if let Some(t) = target {
        wasit2_testkit::require_clang_target(t);
    }
    // The C frame is C, compiled by the C driver.
    run(
        &format!("{name}: c_frame.c"),
        Command::new(clang())
            .args(&target_flag)
            .args(["-O2", "-c"])
            .args(flags)
            .arg(cxx_dir().join("c_frame.c"))
            .arg("-o")
            .arg(&c_obj),
    );
    run(
        &format!("{name}: features.cpp"),
        Command::new(clangxx())
            .args(&target_flag)
            .args(["-std=c++17", "-O2"])
            .args(flags)
            .arg("-I")
            .arg(cxx_dir())
            .arg(cxx_dir().join("features.cpp"))
            .arg(&c_obj)
            .args(link)
            .arg("-o")
            .arg(&out),
    );
    out
}

fn stdout_of(what: &str, cmd: &mut Command) -> String {
    String::from_utf8_lossy(&run(what, cmd).stdout).into_owned()
}

fn native_output(dir: &Path, flags: &[&str]) -> String {
    let exe = build(dir, None, flags, &[]);
    let out = stdout_of("native program", &mut Command::new(&exe));
    assert!(out.ends_with("done\n"), "native output:\n{out}");
    out
}

/// Whether the module has a tag section (uses wasm exceptions).
fn defines_tags(wasm: &Path) -> bool {
    let bytes = std::fs::read(wasm).unwrap();
    let found = wasmparser::Parser::new(0)
        .parse_all(&bytes)
        .any(|p| matches!(p, Ok(wasmparser::Payload::TagSection(_))));
    found
}

#[test]
fn exceptions_match_native_on_wasit2_run_and_wasmtime() {
    let dir = tempfile::tempdir().unwrap();
    let native = native_output(dir.path(), &[]);
    assert!(native.contains("caught across C: callback 3"), "{native}");
    for target in ["wasm32-wasit2", "wasm64-wasit2"] {
        let wasm = build(dir.path(), Some(target), &["-fwasm-exceptions"], &[]);
        assert!(defines_tags(&wasm), "{target}: no exception tags");
        let got = stdout_of(
            &format!("wasit2 run ({target})"),
            Command::new(wasit2_bin()).arg("run").arg(&wasm),
        );
        assert_eq!(got, native, "{target} on wasit2 run");
        if target == "wasm32-wasit2" {
            let component = dir.path().join("component.wasm");
            run(
                "wasit2 componentize",
                Command::new(wasit2_bin())
                    .arg("componentize")
                    .arg(&wasm)
                    .arg("-o")
                    .arg(&component),
            );
            let got = stdout_of(
                "wasmtime 49",
                Command::new(Tool::Wasmtime.path())
                    .arg("run")
                    .arg(&component),
            );
            assert_eq!(got, native, "{target} componentized on wasmtime 49");
        }
    }
}

#[test]
fn without_exceptions_the_default_libraries_are_linked() {
    let dir = tempfile::tempdir().unwrap();
    let native = native_output(dir.path(), &["-DNO_EXCEPTIONS"]);
    let wasm = build(dir.path(), Some("wasm32-wasit2"), &["-DNO_EXCEPTIONS"], &[]);
    assert!(
        !defines_tags(&wasm),
        "a program without exceptions got the exceptions libraries"
    );
    let got = stdout_of(
        "wasit2 run",
        Command::new(wasit2_bin()).arg("run").arg(&wasm),
    );
    assert_eq!(got, native);
}

#[test]
fn mvp_without_exceptions_runs_on_the_2020_iwasm() {
    let dir = tempfile::tempdir().unwrap();
    let native = native_output(dir.path(), &["-DNO_EXCEPTIONS"]);
    let wasm = build(
        dir.path(),
        Some("wasm32-wasit2-mvp"),
        &["-DNO_EXCEPTIONS"],
        &["-Wl,--host=wasip1"],
    );
    let got = stdout_of(
        "iwasm",
        Command::new(tool("WASIT2_IWASM", "iwasm")).arg(&wasm),
    );
    assert_eq!(got, native, "wasm32-wasit2-mvp on the 2020 iwasm");
}

#[test]
fn sysroot_has_the_cxx_layout() {
    let sysroot = wasit2_sysroot::tools::default_sysroot().unwrap();
    let has = |rel: &str| {
        assert!(
            sysroot.join(rel).is_file(),
            "{} is missing (run `make sysroot`)",
            sysroot.join(rel).display()
        )
    };
    for arch in ["wasm32", "wasm64"] {
        has(&format!("include/{arch}-wasit2/c++/v1/__config_site"));
        has(&format!("include/{arch}-wasit2/c++/v1/cxxabi.h"));
        for lib in [
            "libc++.a",
            "libc++abi.a",
            "eh/libc++.a",
            "eh/libc++abi.a",
            "eh/libunwind.a",
        ] {
            has(&format!("lib/{arch}-wasit2/{lib}"));
        }
    }
    for target in ["wasm32-wasit2-mvp", "wasm32-wasit2-lime1"] {
        has(&format!("lib/{target}/libc++.a"));
        has(&format!("lib/{target}/libc++abi.a"));
    }
    // Lime1 engines run the MVP build.
    assert_eq!(
        std::fs::read(sysroot.join("lib/wasm32-wasit2-lime1/libc++.a")).unwrap(),
        std::fs::read(sysroot.join("lib/wasm32-wasit2-mvp/libc++.a")).unwrap()
    );
}

/// The libraries' global symbols, as `expected.rs` pins libc's:
/// `expected/<target>/c++/` (without exceptions) and `c++-eh/`, each with
/// `defined-symbols.txt` and `undefined-symbols.txt` (referenced, defined
/// by none of them). Everything undefined must come from the target's libc,
/// compiler-rt's builtins or the linker. `BLESS=1` rewrites the lists.
#[test]
fn expected_symbol_lists() {
    let sysroot = wasit2_sysroot::tools::default_sysroot().unwrap();
    let mut diffs = Vec::new();
    for (target, eh) in [
        ("wasm32-wasit2", false),
        ("wasm32-wasit2", true),
        ("wasm64-wasit2", false),
        ("wasm64-wasit2", true),
        ("wasm32-wasit2-mvp", false),
    ] {
        let lib_dir = sysroot.join("lib").join(target);
        let dir = if eh {
            lib_dir.join("eh")
        } else {
            lib_dir.clone()
        };
        let mut files = vec![dir.join("libc++.a"), dir.join("libc++abi.a")];
        if eh {
            files.push(dir.join("libunwind.a"));
        }
        let (defined, referenced, weak) = symbols(&files);
        let undefined: BTreeSet<&String> = referenced.difference(&defined).collect();
        let (libc, _, _) = symbols(&[lib_dir.join("libc.a")]);
        let (builtins, _, _) = symbols(&[builtins_archive(target)]);
        let foreign: Vec<&&String> = undefined
            .iter()
            .filter(|s| !weak.contains(**s))
            .filter(|s| {
                !libc.contains(**s)
                    && !builtins.contains(**s)
                    && !LINKER_SYMBOLS.contains(&s.as_str())
            })
            .collect();
        assert!(
            foreign.is_empty(),
            "{target} (eh {eh}): the C++ libraries need symbols neither libc nor compiler-rt defines: {foreign:?}"
        );
        let list = |it: &mut dyn Iterator<Item = &String>| {
            it.map(|s| format!("{s}\n")).collect::<String>()
        };
        let sub = format!("{target}/{}", if eh { "c++-eh" } else { "c++" });
        for (file, text) in [
            ("defined-symbols.txt", list(&mut defined.iter())),
            ("undefined-symbols.txt", list(&mut undefined.into_iter())),
        ] {
            diffs.extend(wasit2_testkit::bless_or_diff(
                &format!("expected/{sub}/{file}"),
                &sysroot.display().to_string(),
                &text,
            ));
        }
    }
    assert!(
        diffs.is_empty(),
        "the C++ libraries' symbols changed (if intended: BLESS=1 cargo test -p wasit2-sysroot --test cxx expected):\n{}",
        diffs.join("\n")
    );
}

/// Symbols wasm-ld defines.
const LINKER_SYMBOLS: &[&str] = &[
    "__indirect_function_table",
    "__stack_pointer",
    "__dso_handle",
];

fn builtins_archive(target: &str) -> PathBuf {
    let arch = target.split('-').next().unwrap();
    let out = run(
        "clang -print-libgcc-file-name",
        Command::new(clang()).args([
            "--no-default-config",
            "-rtlib=compiler-rt",
            "-print-libgcc-file-name",
            &format!("--target={arch}-wasip1"),
        ]),
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// `(defined, referenced, weakly referenced)` global symbols of archives
/// (`llvm-nm -g`); a weak reference may stay undefined (C++'s TLS init
/// hook of libc's `errno` does).
fn symbols(files: &[PathBuf]) -> (BTreeSet<String>, BTreeSet<String>, BTreeSet<String>) {
    let nm = wasit2_sysroot::Tools::find(None).unwrap().nm;
    let out = run(
        "llvm-nm",
        Command::new(nm).args(["-g", "--no-sort"]).args(files),
    );
    let (mut defined, mut referenced, mut weak) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        match line.split_whitespace().collect::<Vec<_>>().as_slice() {
            [kind, name] if *kind == "U" || *kind == "w" => {
                if *kind == "w" {
                    weak.insert(name.to_string());
                }
                referenced.insert(name.to_string());
            }
            [_addr, kind, name] if *kind != "U" && *kind != "w" && kind.len() == 1 => {
                defined.insert(name.to_string());
            }
            _ => {}
        }
    }
    // A name referenced both ways must be defined.
    let weak = weak
        .into_iter()
        .filter(|n| !strong_reference(&out.stdout, n))
        .collect();
    (defined, referenced, weak)
}

fn strong_reference(nm_output: &[u8], name: &str) -> bool {
    String::from_utf8_lossy(nm_output)
        .lines()
        .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["U", name])
}
