//! End-to-end: real clang-22 compiles C whose imports are generated from the
//! ABI library, and wasit-ld (running the real wasm-ld) links and checks it.

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use common::*;
use wasit2_abi::{AbiSection, Arch, Import, ABI_VERSION};
use wasit2_check::HostProfile;

/// The imports the C program calls: plain ones of several kinds (function,
/// resource method, resource drop, i64 result) and two caller-supplied-buffer
/// ones.
const USED: &[(&str, &str)] = &[
    ("wasi:cli/stdout@0.2", "get-stdout"),
    (
        "wasi:io/streams@0.2",
        "[method]output-stream.blocking-write-and-flush",
    ),
    ("wasi:io/streams@0.2", "output-stream_drop"),
    ("wasi:clocks/monotonic-clock@0.2", "now"),
    ("wasi:cli/environment@0.2", "get-arguments"),
    ("wasi:random/random@0.2", "get-random-bytes"),
];

fn program(arch: Arch) -> (String, Vec<Import>) {
    let l = lowering(arch);
    let mut decls = String::new();
    let mut body = String::new();
    let mut used = Vec::new();
    for (n, (iface, field)) in USED.iter().enumerate() {
        let imp = abi_import(&l, iface, field);
        decls.push_str(&c_decl(imp, &format!("imp{n}")));
        body.push_str(&c_call(imp, &format!("imp{n}")));
        used.push(imp.clone());
    }
    (format!("{decls}{}", c_run(arch, &body)), used)
}

/// Compiles and links through clang, exactly as a user would.
fn clang_link(dir: &Path, arch: Arch, src: &str, extra: &[&str]) -> std::process::Output {
    let c = dir.join("prog.c");
    std::fs::write(&c, src).unwrap();
    Command::new(clang())
        .arg(format!("--target={}", arch.triple()))
        .args(["-Wno-deprecated", "-O1", "-nostdlib", "-Wl,--no-entry"])
        .arg(format!("-fuse-ld={WASIT_LD}"))
        .args(extra)
        .arg(&c)
        .arg("-o")
        .arg(dir.join("prog.wasm"))
        .output()
        .expect("clang-22 runs")
}

fn links_and_matches_the_abi(arch: Arch) {
    let dir = tempfile::tempdir().unwrap();
    let (src, used) = program(arch);
    let out = clang_link(dir.path(), arch, &src, &[]);
    assert!(out.status.success(), "link failed: {}", stderr(&out));
    let bytes = std::fs::read(dir.path().join("prog.wasm")).unwrap();
    validate(&bytes);

    let mut got = func_imports(&bytes);
    let mut want: Vec<_> = used
        .iter()
        .map(|i| {
            (
                i.module.clone(),
                i.field.clone(),
                i.sig.params.clone(),
                i.sig.results.clone(),
            )
        })
        .collect();
    got.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    want.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    assert_eq!(got, want);
    assert!(
        got.iter().any(|i| i.0.starts_with(arch.buffer_prefix())),
        "a buffer import is exercised"
    );

    let section =
        AbiSection::decode(custom_section(&bytes, "wasit2-abi").expect("wasit2-abi section"))
            .unwrap();
    assert_eq!(
        section,
        AbiSection {
            version: ABI_VERSION,
            arch,
            world: "wasi:cli/command@0.2.12".into(),
            host: "wasit2".into()
        }
    );
    assert!(custom_section(&bytes, "component-type").is_some());
    let exports = export_names(&bytes);
    assert!(exports.contains(&arch.memory_export()), "{exports:?}");
    assert!(
        exports.contains(&format!("{}|wasi:cli/run@0.2|run", arch.prefix())),
        "{exports:?}"
    );
    assert!(!exports.iter().any(|e| e == "memory"), "{exports:?}");
    // Nothing but the output is left in the directory.
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["prog.c", "prog.wasm"]);
}

#[test]
fn wasm32_program_links_with_exactly_the_abi_imports() {
    links_and_matches_the_abi(Arch::Wasm32);
}

#[test]
fn wasm64_program_links_with_exactly_the_abi_imports() {
    links_and_matches_the_abi(Arch::Wasm64);
}

#[test]
fn plain_only_module_componentizes_with_the_embedded_world() {
    let arch = Arch::Wasm32;
    let l = lowering(arch);
    let imp = abi_import(&l, "wasi:cli/stdout@0.2", "get-stdout");
    let src = format!(
        "{}{}",
        c_decl(imp, "get_stdout"),
        c_run(arch, &c_call(imp, "get_stdout"))
    );
    let dir = tempfile::tempdir().unwrap();
    let out = clang_link(dir.path(), arch, &src, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(dir.path().join("prog.wasm")).unwrap();
    // wit-component reads the `component-type` section wasit-ld embedded.
    let component = wit_component::ComponentEncoder::default()
        .module(&bytes)
        .unwrap()
        .validate(true)
        .encode()
        .unwrap();
    assert!(wasmparser::Parser::is_component(&component));
}

#[test]
fn strip_is_applied_after_checking() {
    let arch = Arch::Wasm32;
    let dir = tempfile::tempdir().unwrap();
    let (src, _) = program(arch);
    let out = clang_link(dir.path(), arch, &src, &["-s"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(dir.path().join("prog.wasm")).unwrap();
    validate(&bytes);
    assert!(custom_section(&bytes, "name").is_none());
    assert!(custom_section(&bytes, "producers").is_none());
    // It would only say what a reader assumes without it.
    assert!(custom_section(&bytes, "wasit2-abi").is_none());
    let out = clang_link(
        dir.path(),
        arch,
        &src,
        &["-s", "-Wl,--keep-section=wasit2-abi"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(dir.path().join("prog.wasm")).unwrap();
    assert!(custom_section(&bytes, "wasit2-abi").is_some());

    let out = clang_link(dir.path(), arch, &src, &[]);
    assert!(out.status.success());
    assert!(custom_section(
        &std::fs::read(dir.path().join("prog.wasm")).unwrap(),
        "name"
    )
    .is_some());
}

#[test]
fn verbose_prints_the_wasm_ld_command_line() {
    let arch = Arch::Wasm32;
    let dir = tempfile::tempdir().unwrap();
    let (src, _) = program(arch);
    let out = clang_link(dir.path(), arch, &src, &["-Wl,-v"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let line = err
        .lines()
        .find(|l| l.contains("wasm-ld"))
        .expect("command line printed");
    assert!(
        line.contains("--no-entry") && line.contains("-m wasm32"),
        "{line}"
    );
}

// ---- Failures: non-zero exit, one line, no output file. ----

/// Links `obj` the way clang would and returns the result; asserts no
/// output file (and no temporary) is left.
fn link_fails(dir: &Path, arch: Arch, obj: &Path, extra: &[&str]) -> std::process::Output {
    let out_path = dir.join("out.wasm");
    let mut args: Vec<&OsStr> = vec!["-m".as_ref(), arch.name().as_ref(), "--no-entry".as_ref()];
    args.extend(extra.iter().map(OsStr::new));
    args.extend([obj.as_os_str(), "-o".as_ref(), out_path.as_os_str()]);
    let out = wasit_ld(&args);
    assert!(!out.status.success(), "expected failure");
    assert!(!out_path.exists(), "no output after a failure");
    let stray: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".wasit-ld"))
        .collect();
    assert!(stray.is_empty(), "temporary files left: {stray:?}");
    out
}

#[test]
fn unknown_import_is_named_with_its_caller() {
    let arch = Arch::Wasm32;
    let dir = tempfile::tempdir().unwrap();
    let src = format!(
        "__attribute__((import_module(\"cm32p2|wasi:nope/nothing@0.2\"), import_name(\"nothing\"))) int nothing(void);\n\
         __attribute__((noinline)) int calls_unknown(void) {{ return nothing(); }}\n{}",
        c_run(arch, "  acc += calls_unknown();\n")
    );
    let obj = compile(dir.path(), "unknown", arch, &src);
    let out = link_fails(dir.path(), arch, &obj, &[]);
    assert_one_line_error(
        &out,
        &[
            "error: cm32p2|wasi:nope/nothing@0.2.nothing: ",
            "not provided by host wasit2 (world wasi:cli/command@0.2.12)",
            "; call path: run → calls_unknown → cm32p2|wasi:nope/nothing@0.2.nothing",
        ],
    );
}

#[test]
fn wrong_signature_is_named_with_both_signatures() {
    let arch = Arch::Wasm64;
    let dir = tempfile::tempdir().unwrap();
    let l = lowering(arch);
    let imp = abi_import(&l, "wasi:cli/stdout@0.2", "get-stdout");
    let mut wrong = imp.clone();
    wrong.sig.params.push(wasit2_abi::ValType::I64);
    let src = format!(
        "{}__attribute__((noinline)) int bad_caller(void) {{ int acc = 0;\n{} return acc; }}\n{}",
        c_decl(&wrong, "get_stdout"),
        c_call(&wrong, "get_stdout"),
        c_run(arch, "  acc += bad_caller();\n")
    );
    let obj = compile(dir.path(), "sig", arch, &src);
    let out = link_fails(dir.path(), arch, &obj, &[]);
    assert_one_line_error(
        &out,
        &[
            "error: wasi:cli/stdout@0.2.get-stdout: ",
            "imported with signature (i64) -> (i32), but the wasit2 ABI defines () -> (i32)",
            "; call path: run → bad_caller → wasi:cli/stdout@0.2.get-stdout",
        ],
    );
}

#[test]
fn preview1_import_names_the_calling_c_function() {
    let arch = Arch::Wasm32;
    let dir = tempfile::tempdir().unwrap();
    let src = format!(
        "__attribute__((import_module(\"wasi_snapshot_preview1\"), import_name(\"fd_write\"))) int fd_write(int, int, int, int);\n\
         __attribute__((noinline)) int write_via_p1(void) {{ return fd_write(1, 0, 0, 0); }}\n{}",
        c_run(arch, "  acc += write_via_p1();\n")
    );
    let obj = compile(dir.path(), "p1", arch, &src);
    let out = link_fails(dir.path(), arch, &obj, &[]);
    assert_one_line_error(
        &out,
        &[
            "error: wasi_snapshot_preview1.fd_write: ",
            "WASI preview 1 function, which host wasit2 does not provide",
            "; call path: run → write_via_p1 → wasi_snapshot_preview1.fd_write",
        ],
    );

    // Through clang too: clang adds its own summary line after ours.
    let out = clang_link(dir.path(), arch, &src, &[]);
    assert!(!out.status.success());
    let ours: Vec<_> = stderr(&out)
        .lines()
        .filter(|l| !l.starts_with("clang"))
        .map(String::from)
        .collect();
    assert_eq!(ours.len(), 1, "{}", stderr(&out));
    assert!(ours[0].contains("run → write_via_p1 → wasi_snapshot_preview1.fd_write"));
    assert!(!dir.path().join("prog.wasm").exists());
}

#[test]
fn every_bad_import_is_reported_on_its_own_line() {
    let arch = Arch::Wasm32;
    let dir = tempfile::tempdir().unwrap();
    let src = format!(
        "__attribute__((import_module(\"wasi_snapshot_preview1\"), import_name(\"proc_exit\"))) void proc_exit(int);\n\
         __attribute__((import_module(\"env\"), import_name(\"missing_symbol\"))) int missing_symbol(void);\n\
         __attribute__((import_module(\"cm64p2|wasi:cli/stdout@0.2\"), import_name(\"get-stdout\"))) int get_stdout(void);\n{}",
        c_run(arch, "  proc_exit(0);\n  acc += missing_symbol();\n  acc += get_stdout();\n")
    );
    let obj = compile(dir.path(), "many", arch, &src);
    let out = link_fails(dir.path(), arch, &obj, &[]);
    let err = stderr(&out);
    let lines: Vec<_> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("error: ") && l.contains("; call path: run → ")),
        "{err}"
    );
    assert!(err.contains("undefined symbol"), "{err}");
    assert!(err.contains("other pointer width"), "{err}");
}

#[test]
fn world_and_wasi_version_restrict_imports() {
    let arch = Arch::Wasm32;
    let dir = tempfile::tempdir().unwrap();
    let l = lowering(arch);
    let tcp = abi_import(&l, "wasi:sockets/instance-network@0.2", "instance-network");
    let src = format!(
        "{}{}",
        c_decl(tcp, "instance_network"),
        c_run(arch, &c_call(tcp, "instance_network"))
    );
    let obj = compile(dir.path(), "net", arch, &src);
    // Fine for the full command world...
    let ok = dir.path().join("ok.wasm");
    let out = wasit_ld(&[
        "--no-entry".as_ref(),
        obj.as_os_str(),
        "-o".as_ref(),
        ok.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // ...but not for the p1-compatible world, nor for WASI 0.1.
    let out = link_fails(dir.path(), arch, &obj, &["--world=wasit2:targets/wasip1"]);
    assert_one_line_error(
        &out,
        &[
            "error: wasi:sockets/instance-network@0.2.instance-network: ",
            "not provided by host wasit2 (world wasit2:targets/wasip1@0.1.0)",
        ],
    );
    let out = link_fails(dir.path(), arch, &obj, &["--wasi-version", "0.1.0"]);
    assert_one_line_error(
        &out,
        &[
            "error: wasi:sockets/instance-network@0.2.instance-network: ",
            "introduced in WASI 0.2.0, newer than --wasi-version 0.1.0",
        ],
    );
    // wasip1 links need the adapter from a sysroot lib dir (wasit-ld/tests/wasip1_*.rs).
    let out = link_fails(dir.path(), arch, &obj, &["--host=wasip1"]);
    assert_one_line_error(&out, &["--host wasip1: libwasit2-wasip1.a not found"]);
}

#[test]
fn malformed_object_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let obj = dir.path().join("garbage.o");
    std::fs::write(&obj, b"\0asm this is not a wasm object at all").unwrap();
    let out = link_fails(dir.path(), Arch::Wasm32, &obj, &[]);
    assert_one_line_error(&out, &["garbage.o"]);
}

#[test]
fn stale_output_is_removed_when_a_link_fails() {
    let dir = tempfile::tempdir().unwrap();
    let obj = dir.path().join("garbage.o");
    std::fs::write(&obj, b"garbage").unwrap();
    std::fs::write(dir.path().join("out.wasm"), b"old").unwrap();
    link_fails(dir.path(), Arch::Wasm32, &obj, &[]);
}

#[test]
fn missing_wasm_ld_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let (src, _) = program(Arch::Wasm32);
    let obj = compile(dir.path(), "prog", Arch::Wasm32, &src);
    let out = link_fails(
        dir.path(),
        Arch::Wasm32,
        &obj,
        &["--wasm-ld-path", "/nonexistent/wasm-ld"],
    );
    assert_one_line_error(&out, &["wasm-ld not found at /nonexistent/wasm-ld"]);

    let out_path = dir.path().join("out.wasm");
    let out = Command::new(WASIT_LD)
        .env("WASM_LD", "/nonexistent/wasm-ld")
        .env("PATH", "")
        .args([
            "--no-entry".as_ref(),
            obj.as_os_str(),
            "-o".as_ref(),
            out_path.as_os_str(),
        ])
        .output()
        .unwrap();
    assert_one_line_error(
        &out,
        &["wasm-ld not found at /nonexistent/wasm-ld (from $WASM_LD)"],
    );
    assert!(!out_path.exists());
}

#[test]
fn rustc_style_response_file_with_flavor() {
    let arch = Arch::Wasm32;
    let dir = tempfile::tempdir().unwrap();
    let (src, _) = program(arch);
    let obj = compile(dir.path(), "prog", arch, &src);
    let out_path = dir.path().join("out dir with space.wasm");
    let rsp = dir.path().join("link.rsp");
    let inner = dir.path().join("inner.rsp");
    std::fs::write(&inner, "--no-entry\n--export-memory\n").unwrap();
    std::fs::write(
        &rsp,
        format!(
            "@{}\n\"{}\"\n-o\n'{}'\n",
            inner.display(),
            obj.display(),
            out_path.display()
        ),
    )
    .unwrap();
    let at = format!("@{}", rsp.display());
    let out = wasit_ld(&["-flavor".as_ref(), "wasm".as_ref(), at.as_ref()]);
    assert!(out.status.success(), "{}", stderr(&out));
    validate(&std::fs::read(&out_path).unwrap());
}

#[test]
fn initialize_is_renamed_and_the_library_api_reports_call_paths() {
    let arch = Arch::Wasm32;
    let dir = tempfile::tempdir().unwrap();
    let (src, used) = program(arch);
    let src = format!("{src}__attribute__((export_name(\"_initialize\"))) void init(void) {{}}\n");
    let out = clang_link(dir.path(), arch, &src, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(dir.path().join("prog.wasm")).unwrap();
    let exports = export_names(&bytes);
    assert!(exports.contains(&arch.initialize_export()), "{exports:?}");
    assert!(!exports.iter().any(|e| e == "_initialize"), "{exports:?}");

    // The checker wasit-ld and `wasit2 check` share accepts it, and the
    // module model traces every import back to the export that reaches it.
    let report =
        wasit2_check::check(&bytes, &HostProfile::wasit2().unwrap(), &Default::default()).unwrap();
    assert!(report.is_ok(), "{report}");
    let m = wasit2_module::Module::parse(&bytes).unwrap();
    assert_eq!(m.arch(), Some(arch));
    let run = m
        .exports
        .iter()
        .find(|e| e.name == format!("{}|wasi:cli/run@0.2|run", arch.prefix()))
        .unwrap()
        .index;
    assert_eq!(m.func_name(run), "run");
    let imports: Vec<_> = m.func_imports().collect();
    assert_eq!(imports.len(), used.len());
    for (imp, index, _) in imports {
        let callers: Vec<String> = m
            .graph
            .callers_of(index)
            .into_iter()
            .map(|c| m.func_name(c))
            .collect();
        assert_eq!(callers, ["run"], "{imp:?}");
        assert_eq!(
            m.graph.path_to(index),
            Some(vec![(run, false), (index, false)])
        );
    }

    // Checked by a host that runs wasm64 only, each import is refused, not a crash.
    let wit = wasit2_abi::Wit::wasi().unwrap();
    let only64 = HostProfile::for_world(
        "wasit2",
        &wit,
        wit.command_world().unwrap(),
        &[Arch::Wasm64],
    )
    .unwrap();
    let report = wasit2_check::check(&bytes, &only64, &Default::default()).unwrap();
    assert_eq!(report.problems.len(), used.len(), "{report}");
    assert!(
        report.problems.iter().all(|p| p
            .message
            .contains("host wasit2 does not run wasm32 modules")),
        "{report}"
    );
}

#[test]
fn rust_names_are_demangled_in_errors() {
    // rustc links with --no-demangle, so the name section holds mangled names.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("r.rs");
    std::fs::write(
        &src,
        "#![no_std]\n#[panic_handler] fn p(_: &core::panic::PanicInfo) -> ! { loop {} }\n\
         #[link(wasm_import_module = \"wasi_snapshot_preview1\")]\n\
         extern \"C\" { fn proc_exit(code: i32); }\n\
         #[inline(never)] fn leave() { unsafe { proc_exit(1) } }\n\
         #[unsafe(export_name = \"cm32p2|wasi:cli/run@0.2|run\")]\n\
         pub extern \"C\" fn run() -> i32 { leave(); 0 }\n",
    )
    .unwrap();
    let out_path = dir.path().join("r.wasm");
    let out = Command::new("rustc")
        .args([
            "--edition",
            "2021",
            "--target",
            "wasm32-unknown-unknown",
            "--crate-type",
            "cdylib",
            "-O",
        ])
        .arg(format!("-Clinker={WASIT_LD}"))
        .arg(&src)
        .arg("-o")
        .arg(&out_path)
        .output()
        .expect("rustc runs");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("error: wasi_snapshot_preview1.proc_exit: WASI preview 1 function"),
        "{err}"
    );
    assert!(
        err.contains("; call path: cm32p2|wasi:cli/run@0.2|run → r::leave → wasi_snapshot_preview1.proc_exit"),
        "{err}"
    );
    assert!(!out_path.exists());
}

#[test]
fn emit_component_writes_a_component() {
    let arch = Arch::Wasm32;
    let dir = tempfile::tempdir().unwrap();
    let (src, _) = program(arch);
    let out = clang_link(dir.path(), arch, &src, &["-Wl,--emit-component"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(dir.path().join("prog.wasm")).unwrap();
    assert!(wasmparser::Parser::is_component(&bytes));
    wasmparser::Validator::new()
        .validate_all(&bytes)
        .expect("component validates");
}

#[test]
fn realloc_export_is_rejected() {
    let arch = Arch::Wasm32;
    let dir = tempfile::tempdir().unwrap();
    let src = format!(
        "__attribute__((export_name(\"cabi_realloc\"))) void *cabi_realloc(void *p, int a, int b, int c) {{ return p; }}\n{}",
        c_run(arch, "")
    );
    let obj = compile(dir.path(), "realloc", arch, &src);
    let out = link_fails(dir.path(), arch, &obj, &[]);
    assert_one_line_error(&out, &["error: export \"cabi_realloc\": a realloc"]);
}

#[test]
fn user_wit_adds_imports_to_the_world() {
    let arch = Arch::Wasm32;
    let dir = tempfile::tempdir().unwrap();
    let wit = dir.path().join("app.wit");
    std::fs::write(
        &wit,
        "package my:app;\nworld app {\n  include wasi:cli/command@0.2.12;\n  import answer: func() -> u32;\n}\n",
    )
    .unwrap();
    let src = format!(
        "__attribute__((import_module(\"{}\"), import_name(\"answer\"))) int answer(void);\n{}",
        arch.prefix(),
        c_run(arch, "  acc += answer();\n")
    );
    let obj = compile(dir.path(), "app", arch, &src);
    let out = link_fails(dir.path(), arch, &obj, &[]);
    assert_one_line_error(
        &out,
        &["error: cm32p2.answer: not provided by host wasit2 (world wasi:cli/command@0.2.12)"],
    );

    let ok = dir.path().join("app.wasm");
    let wit_arg = format!("--wit={}", wit.display());
    let out = wasit_ld(&[
        wit_arg.as_ref(),
        "--world".as_ref(),
        "app".as_ref(),
        "--no-entry".as_ref(),
        obj.as_os_str(),
        "-o".as_ref(),
        ok.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&ok).unwrap();
    let section = AbiSection::decode(custom_section(&bytes, "wasit2-abi").unwrap()).unwrap();
    assert_eq!(section.world, "my:app/app");
}

#[test]
fn exports_named_by_the_abi_must_match_it() {
    let arch = Arch::Wasm32;
    let dir = tempfile::tempdir().unwrap();
    let src = "__attribute__((export_name(\"cm32p2|wasi:cli/run@0.2|run\"))) long long run(int x) { return x; }\n\
               __attribute__((export_name(\"cm32p2|wasi:http/incoming-handler@0.2|handle\"))) void handle(int a, int b) {}\n";
    let obj = compile(dir.path(), "exports", arch, src);
    let out = link_fails(dir.path(), arch, &obj, &[]);
    let err = stderr(&out);
    let lines: Vec<_> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines.iter().any(|l| l.contains(
        "error: export \"cm32p2|wasi:cli/run@0.2|run\": has signature (i32) -> (i64) but the wasit2 ABI requires () -> (i32)"
    )), "{err}");
    assert!(lines.iter().any(|l| l.contains(
        "error: export \"cm32p2|wasi:http/incoming-handler@0.2|handle\": not an export of wasi:cli/command@0.2.12"
    )), "{err}");
}

#[test]
fn a_linked_module_records_its_world_and_checks_against_it() {
    let arch = Arch::Wasm64;
    let dir = tempfile::tempdir().unwrap();
    let (src, used) = program(arch);
    let out = clang_link(dir.path(), arch, &src, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(dir.path().join("prog.wasm")).unwrap();
    let m = wasit2_module::Module::parse(&bytes).unwrap();
    let section = AbiSection::decode(m.abi_section.as_deref().unwrap()).unwrap();
    assert_eq!(section.world, "wasi:cli/command@0.2.12");
    assert_eq!(m.arch(), Some(Arch::Wasm64));
    assert_eq!(m.func_imports().count(), used.len());
    let report =
        wasit2_check::check(&bytes, &HostProfile::wasit2().unwrap(), &Default::default()).unwrap();
    assert!(report.is_ok(), "{report}");
    // The program uses only interfaces the p1-compatible world has too.
    let wit = wasit2_abi::Wit::wasi().unwrap();
    let p1_world = wit.world("wasit2:targets/wasip1").unwrap();
    let profile = HostProfile::for_world("wasit2", &wit, p1_world, &[Arch::Wasm64]).unwrap();
    let report = wasit2_check::check(&bytes, &profile, &Default::default()).unwrap();
    assert!(report.is_ok(), "{report}");
    // An unknown world is an error, not a panic.
    assert!(wit.world("nope:x/y").is_err());
}

#[test]
fn a_crashing_wasm_ld_is_one_line_naming_the_input_and_its_dump_needs_v() {
    let dir = tempfile::tempdir().unwrap();
    let fake = fake_wasm_ld(
        dir.path(),
        "echo 'PLEASE submit a bug report to https://github.com/llvm/llvm-project/issues/' >&2\n\
         echo ' #0 0x000055d5 llvm::sys::PrintStackTrace' >&2\n\
         kill -SEGV $$",
    );
    let obj = dir.path().join("input.o");
    std::fs::write(&obj, b"\0asm\x01\0\0\0").unwrap();
    let out_path = dir.path().join("out.wasm");
    let link = |verbose: bool| {
        let mut args: Vec<&OsStr> = vec!["--wasm-ld-path".as_ref(), fake.as_os_str()];
        if verbose {
            args.push("-v".as_ref());
        }
        args.extend([
            "--no-entry".as_ref(),
            obj.as_os_str(),
            "-o".as_ref(),
            out_path.as_os_str(),
        ]);
        wasit_ld(&args)
    };
    let out = link(false);
    let err = assert_one_line_error(&out, &[&obj.display().to_string()]);
    assert!(
        err.starts_with("wasit-ld: error: ")
            && err.contains("crashed")
            && err.contains("SIGSEGV")
            && err.contains("-v"),
        "{err}"
    );
    assert!(!out_path.exists());
    assert!(temp_dirs_in(dir.path()).is_empty());

    let out = link(true);
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(err.contains("PLEASE submit a bug report"), "{err}");
    assert!(err.contains("crashed"), "{err}");
}

#[test]
fn sigterm_and_sigint_remove_the_temporary_directory() {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let dir = tempfile::tempdir().unwrap();
        let fake = fake_wasm_ld(dir.path(), "exec sleep 3");
        let obj = dir.path().join("input.o");
        std::fs::write(&obj, b"\0asm\x01\0\0\0").unwrap();
        let mut child = Command::new(WASIT_LD)
            .arg("--wasm-ld-path")
            .arg(&fake)
            .args(["--no-entry".as_ref(), obj.as_os_str(), "-o".as_ref()])
            .arg(dir.path().join("out.wasm"))
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the link has made its temporary directory.
        let start = std::time::Instant::now();
        while temp_dirs_in(dir.path()).is_empty() {
            assert!(
                start.elapsed().as_secs() < 20,
                "no temporary directory appeared"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        // SAFETY: signals our own child.
        assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
        let status = child.wait().unwrap();
        assert!(!status.success());
        assert_eq!(
            temp_dirs_in(dir.path()),
            Vec::<String>::new(),
            "signal {signal}"
        );
    }
}

#[test]
fn stale_temporary_directories_are_swept_by_the_next_link() {
    let dir = tempfile::tempdir().unwrap();
    // One left by a killed link (its pid is gone), one by a running link.
    let dead = dir.path().join(".wasit-ld-dead01");
    std::fs::create_dir(&dead).unwrap();
    std::fs::write(dead.join("partial.wasm"), b"x").unwrap();
    let mut gone = Command::new("true").spawn().unwrap();
    let gone_pid = gone.id();
    gone.wait().unwrap();
    std::fs::write(dead.join(".pid"), gone_pid.to_string()).unwrap();
    let live = dir.path().join(".wasit-ld-live01");
    std::fs::create_dir(&live).unwrap();
    std::fs::write(live.join(".pid"), std::process::id().to_string()).unwrap();

    let fake = fake_wasm_ld(dir.path(), "echo 'wasm-ld: error: no' >&2; exit 3");
    let obj = dir.path().join("input.o");
    std::fs::write(&obj, b"\0asm\x01\0\0\0").unwrap();
    let out = wasit_ld(&[
        "--wasm-ld-path".as_ref(),
        fake.as_os_str(),
        "--no-entry".as_ref(),
        obj.as_os_str(),
        "-o".as_ref(),
        dir.path().join("out.wasm").as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(temp_dirs_in(dir.path()), [".wasit-ld-live01"]);
}

/// A fake wasm-ld: a shell script running `body` (the `--wasm-ld-path`
/// override exists for tests like these).
fn fake_wasm_ld(dir: &Path, body: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("fake-wasm-ld");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn temp_dirs_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".wasit-ld"))
        .collect()
}

#[test]
fn a_wit_host_must_be_a_p1_runtime() {
    let arch = Arch::Wasm32;
    let dir = tempfile::tempdir().unwrap();
    let (src, _) = program(arch);
    let obj = compile(dir.path(), "prog", arch, &src);
    let wit = dir.path().join("plain.wit");
    std::fs::write(
        &wit,
        "package vendor:plain;\nworld device {\n  import wasi:cli/stdout@0.2.12;\n}\n",
    )
    .unwrap();
    let host = format!("--host={}:device", wit.display());
    let out = link_fails(dir.path(), arch, &obj, &[&host]);
    assert_one_line_error(
        &out,
        &[
            &format!("wasit-ld: error: --host {}:device: world vendor:plain/device does not include wasit2:targets/wasip1", wit.display()),
            "--wit PATH --world WORLD",
        ],
    );
    // A name that is neither a host nor a path keeps the short message.
    let out = link_fails(dir.path(), arch, &obj, &["--host=nosuch"]);
    assert_one_line_error(
        &out,
        &["wasit-ld: error: unknown host `nosuch` (supported: wasit2, wasip1)"],
    );
}
