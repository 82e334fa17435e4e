//! Host-world checks on modules built with the real clang-22 and wasm-ld.

mod common;

use std::process::Command;

use common::*;
use wasit2_abi::{Arch, Lowering, Wit};
use wasit2_check::{check, CheckOptions, FeatureSet, HostProfile, ProblemKind, LIME1, STRICT_MVP};

/// Builds tests/c/connect.c against the full command world's declarations,
/// leaving its wasit2 imports unresolved (as wasit-ld checks them).
fn connect_module(dir: &std::path::Path) -> Vec<u8> {
    let wit = Wit::wasi().unwrap();
    let l = Lowering::new(&wit, wit.command_world().unwrap(), Arch::Wasm32).unwrap();
    let inc = dir.join("inc");
    std::fs::create_dir_all(&inc).unwrap();
    std::fs::write(
        inc.join("wasit2_command_callers.h"),
        wasit2_sysroot::adapter::caller_header(&l),
    )
    .unwrap();
    let obj = dir.join("connect.o");
    run(Command::new(clang())
        .args([
            "--target=wasm32-wasip1",
            "-mcpu=mvp",
            "-O2",
            "-ffreestanding",
            "-nostdlib",
            "-c",
            "-I",
        ])
        .arg(&inc)
        .arg(repo().join("check/tests/c/connect.c"))
        .arg("-o")
        .arg(&obj));
    let wasm = dir.join("connect.wasm");
    link_wasit2(&[&obj], &wasm);
    std::fs::read(wasm).unwrap()
}

#[test]
fn p2_only_import_is_reported_with_its_call_path() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = connect_module(dir.path());
    let report = check(
        &bytes,
        &HostProfile::wasip1().unwrap(),
        &CheckOptions::default(),
    )
    .unwrap();
    let text = report.to_string();
    assert!(!report.is_ok());
    let line = text
        .lines()
        .find(|l| l.contains("start-connect"))
        .unwrap_or_else(|| panic!("no start-connect problem in:\n{text}"));
    assert!(
        line.ends_with(
            "call path: __wasit2_run → main → connect_to_server → wasi:sockets/tcp@0.2.[method]tcp-socket.start-connect"
        ),
        "{line}"
    );
    assert!(line.contains("not provided by host wasip1"), "{line}");
    // Each sockets import is one line; exit-with-code is in the wasip1 world.
    assert_eq!(report.problems.len(), 3, "{text}");
    assert!(report
        .problems
        .iter()
        .all(|p| p.kind == ProblemKind::MissingImport));
    assert!(!text.contains("exit-with-code"), "{text}");

    // The full wasit2 host serves all of them.
    let report = check(
        &bytes,
        &HostProfile::wasit2().unwrap(),
        &CheckOptions::default(),
    )
    .unwrap();
    assert!(report.is_ok(), "{report}");
}

#[test]
fn wasi_version_rejects_newer_functions() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = connect_module(dir.path());
    let wasit2 = HostProfile::wasit2().unwrap();
    let old = CheckOptions {
        wasi_version: Some("0.2.0".parse().unwrap()),
        ..Default::default()
    };
    let report = check(&bytes, &wasit2, &old).unwrap();
    assert_eq!(report.problems.len(), 1, "{report}");
    let p = &report.problems[0];
    assert_eq!(p.kind, ProblemKind::TooNew);
    assert!(p.to_string().starts_with(
        "wasi:cli/exit@0.2.exit-with-code: introduced in WASI 0.2.12, newer than --wasi-version 0.2.0; call path: __wasit2_run → wasi:cli/exit@0.2.exit-with-code"
    ), "{p}");
    let new = CheckOptions {
        wasi_version: Some("0.2.12".parse().unwrap()),
        ..Default::default()
    };
    assert!(check(&bytes, &wasit2, &new).unwrap().is_ok());
}

#[test]
fn a_user_wit_world_is_a_host_profile() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = connect_module(dir.path());
    // Firmware that serves p1 plus TCP sockets.
    let wit = dir.path().join("firmware.wit");
    std::fs::write(
        &wit,
        "package vendor:firmware;\n\
         world device {\n  include wasit2:targets/wasip1@0.1.0;\n  import wasi:sockets/tcp@0.2.12;\n  import wasi:sockets/tcp-create-socket@0.2.12;\n  import wasi:sockets/instance-network@0.2.12;\n}\n",
    )
    .unwrap();
    let profile = HostProfile::parse(&format!("{}:device", wit.display())).unwrap();
    assert!(
        profile.p1,
        "a world including wasit2:targets/wasip1 is a p1 runtime"
    );
    let report = check(&bytes, &profile, &CheckOptions::default()).unwrap();
    assert!(report.is_ok(), "{report}");

    // Without the socket interfaces the same firmware cannot run it.
    std::fs::write(
        &wit,
        "package vendor:firmware;\nworld device {\n  include wasit2:targets/wasip1@0.1.0;\n}\n",
    )
    .unwrap();
    let profile = HostProfile::parse(wit.to_str().unwrap()).unwrap();
    let report = check(&bytes, &profile, &CheckOptions::default()).unwrap();
    assert_eq!(report.problems.len(), 3, "{report}");
}

#[test]
fn non_mvp_module_fails_the_feature_check_and_really_fails_on_wamr() {
    let dir = tempfile::tempdir().unwrap();
    let obj = dir.path().join("features.o");
    compile("features.c", &obj, &[]); // clang-22's default features
    let wasm = dir.path().join("features.wasm");
    link_p1(&[&obj], &wasm);
    let bytes = std::fs::read(&wasm).unwrap();

    let report = check(
        &bytes,
        &HostProfile::wasip1().unwrap(),
        &CheckOptions::default(),
    )
    .unwrap();
    let text = report.to_string();
    assert_eq!(report.problems.len(), 1, "{text}");
    let p = &report.problems[0];
    assert_eq!(p.kind, ProblemKind::Feature);
    assert!(
        text.contains("uses wasm feature `reference-types`"),
        "{text}"
    );
    assert!(text.contains("-mcpu=mvp"), "{text}");
    assert!(text.contains("in function `__wasit2_run`"), "{text}");

    // The check is right: the 2020 WAMR refuses the module.
    let out = Command::new(iwasm()).arg(&wasm).output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("zero flag expected"), "{all}");

    // Strict MVP also names sign-ext, which this WAMR happens to accept.
    let strict = CheckOptions {
        features: Some(STRICT_MVP),
        ..Default::default()
    };
    let text = check(&bytes, &HostProfile::wasip1().unwrap(), &strict)
        .unwrap()
        .to_string();
    assert!(
        text.contains("`sign-ext`") && text.contains("-mno-sign-ext"),
        "{text}"
    );

    // Rebuilt with -mcpu=mvp, it passes and runs.
    compile("features.c", &obj, &["-mcpu=mvp"]);
    link_p1(&[&obj], &wasm);
    let bytes = std::fs::read(&wasm).unwrap();
    let report = check(&bytes, &HostProfile::wasip1().unwrap(), &strict).unwrap();
    assert!(report.is_ok(), "{report}");
    let out = Command::new(iwasm()).arg(&wasm).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "features ran\n");
}

#[test]
fn lime1_code_passes_the_lime1_profile_and_runs_but_not_on_the_2020_wamr() {
    let dir = tempfile::tempdir().unwrap();
    let obj = dir.path().join("lime1.o");
    let wasm = dir.path().join("lime1.wasm");
    compile("lime1.c", &obj, &["-mcpu=lime1"]);
    link_p1(&[&obj], &wasm);
    let bytes = std::fs::read(&wasm).unwrap();
    let wasip1 = HostProfile::wasip1().unwrap();
    let with = |f: FeatureSet| CheckOptions {
        features: Some(f),
        ..Default::default()
    };
    assert_eq!(FeatureSet::from_cpu("lime1"), Some(LIME1));
    let report = check(&bytes, &wasip1, &with(LIME1)).unwrap();
    assert!(report.is_ok(), "{report}");
    // It really is Lime1 code: memory.copy and the overlong call_indirect.
    let text = check(&bytes, &wasip1, &with(STRICT_MVP))
        .unwrap()
        .to_string();
    assert!(
        text.contains("`bulk-memory`") && text.contains("`reference-types`"),
        "{text}"
    );
    // The 2020 WAMR's profile (the default of wasip1) refuses it, as iwasm does.
    let text = check(&bytes, &wasip1, &CheckOptions::default())
        .unwrap()
        .to_string();
    assert!(
        text.contains("uses wasm feature `reference-types`") && text.contains("-mcpu=mvp"),
        "{text}"
    );
    let out = run(Command::new(wasmtime()).arg("run").arg(&wasm));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "lime1 ran\n");

    // SIMD is outside Lime1: reported with the lime1 fix.
    compile("lime1.c", &obj, &["-mcpu=lime1", "-msimd128"]);
    link_p1(&[&obj], &wasm);
    let bytes = std::fs::read(&wasm).unwrap();
    let report = check(&bytes, &wasip1, &with(LIME1)).unwrap();
    let text = report.to_string();
    assert_eq!(report.problems.len(), 1, "{text}");
    assert_eq!(report.problems[0].kind, ProblemKind::Feature);
    assert!(
        text.contains("uses wasm feature `simd128` (in function `__wasit2_run`")
            && text.contains("-mcpu=lime1 (clang: --target=wasm32-wasit2-lime1,"),
        "{text}"
    );
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let p = HostProfile::wasip1().unwrap();
    assert!(check(b"not wasm", &p, &CheckOptions::default()).is_err());
    assert!(HostProfile::parse("no-such-host").is_err());
    // The project's own WIT (already loaded) is usable as a profile.
    let own = HostProfile::parse(&format!(
        "{}:wasip1",
        repo().join("wit/worlds.wit").display()
    ))
    .unwrap();
    assert!(own.p1);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.wit");
    std::fs::write(&bad, "package bad:x;\nworld w { import nope; }\n").unwrap();
    let err = HostProfile::parse(bad.to_str().unwrap())
        .err()
        .expect("bad WIT is an error")
        .to_string();
    assert!(err.contains("nope"), "{err}");
}

#[test]
fn p1_imports_are_checked_against_the_witx_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let obj = dir.path().join("bad_p1.o");
    compile("bad_p1.c", &obj, &["-mcpu=mvp"]);
    let wasm = dir.path().join("bad_p1.wasm");
    run(Command::new(wasm_ld()).arg(&obj).arg("-o").arg(&wasm));
    let bytes = std::fs::read(&wasm).unwrap();
    let report = check(
        &bytes,
        &HostProfile::wasip1().unwrap(),
        &CheckOptions::default(),
    )
    .unwrap();
    let lines: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(lines.len(), 2, "{report}");
    assert!(lines.contains(&"wasi_snapshot_preview1.fd_write: imported with signature (i32, i32, i32) -> (i32), but WASI preview 1 defines (i32, i32, i32, i32) -> (i32); call path: _start → wasi_snapshot_preview1.fd_write".to_string()), "{report}");
    assert!(
        report
            .problems
            .iter()
            .all(|p| p.kind != ProblemKind::MissingExport),
        "{report}"
    );
    assert!(lines.contains(&"wasi_snapshot_preview1.sock_open: not a WASI preview 1 function, so host wasip1 does not provide it; call path: _start → open_socket → wasi_snapshot_preview1.sock_open".to_string()), "{report}");
}

#[test]
fn a_p1_module_without_start_or_memory_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let obj = dir.path().join("bad_p1.o");
    compile("bad_p1.c", &obj, &["-mcpu=mvp"]);
    let wasm = dir.path().join("noentry.wasm");
    // No entry and the memory renamed: a p1 runtime could not run this.
    run(Command::new(wasm_ld())
        .arg(&obj)
        .args(["--no-entry", "--export=open_socket", "--export-memory=mem"])
        .arg("-o")
        .arg(&wasm));
    let bytes = std::fs::read(&wasm).unwrap();
    let report = check(
        &bytes,
        &HostProfile::wasip1().unwrap(),
        &CheckOptions::default(),
    )
    .unwrap();
    let text = report.to_string();
    assert!(text.contains("no `_start` export"), "{text}");
    assert!(text.contains("no memory exported as `memory`"), "{text}");
}

#[test]
fn the_report_is_one_error_line_per_problem_with_how_each_import_is_reached() {
    let bytes = wat::parse_str(
        r#"(module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "env" "undefined_thing" (func $undefined (result i32)))
          (import "cm64p2|wasi:cli/stdout@0.2" "get-stdout" (func $other_width (result i32)))
          (memory (export "cm32p2_memory") 1)
          (table 1 funcref)
          (elem (i32.const 0) $via_table)
          (func $dead (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0))))
          (func $via_table (result i32) (call $other_width))
          (func $__original_main (result i32)
            (drop (call $undefined))
            (call_indirect (result i32) (i32.const 0)))
          (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32) (call $__original_main))
          (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (local.get 0)))"#,
    )
    .unwrap();
    let report = check(
        &bytes,
        &HostProfile::wasit2().unwrap(),
        &CheckOptions::default(),
    )
    .unwrap();
    assert_eq!(
        report.render(),
        "error: wasi_snapshot_preview1.fd_write: WASI preview 1 function, which host wasit2 does not provide (wasit2 modules import WASI 0.2 only: build with a wasit2 sysroot, not a wasip1 one) (not reachable from any export; referenced by `dead`)\n\
         error: env.undefined_thing: undefined symbol, not a function of wasi:cli/command@0.2.12 (define it or link the library that does; a native the runtime registers: --host-allow env.undefined_thing); call path: cm32p2|wasi:cli/run@0.2|run → main → env.undefined_thing\n\
         error: cm64p2|wasi:cli/stdout@0.2.get-stdout: names the other pointer width; a wasm32 module imports from `cm32p2|…`/`wasit2-cm32p2|…`; call path: cm32p2|wasi:cli/run@0.2|run → main → (call_indirect) via_table → cm64p2|wasi:cli/stdout@0.2.get-stdout\n\
         error: export \"cabi_realloc\": a realloc; wasit2 hosts never allocate in the guest, so a wasit2 module must not export one\n"
    );
    assert_eq!(report.to_string(), report.render());
    let kinds: Vec<ProblemKind> = report.problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            ProblemKind::MissingImport,
            ProblemKind::MissingImport,
            ProblemKind::MissingImport,
            ProblemKind::BadExport
        ]
    );

    // A memory import is a problem unless the link imports memory on purpose.
    let imports_memory = wat::parse_str(
        r#"(module
          (import "env" "memory" (memory 1))
          (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    let report = check(
        &imports_memory,
        &HostProfile::wasit2().unwrap(),
        &CheckOptions::default(),
    )
    .unwrap();
    assert_eq!(
        report.render(),
        "error: env.memory: imports a memory, which host wasit2 does not provide (wasit2 modules define and export their memory; import it only with --import-memory)\n"
    );
    let opts = CheckOptions {
        import_memory: true,
        ..Default::default()
    };
    let report = check(&imports_memory, &HostProfile::wasit2().unwrap(), &opts).unwrap();
    assert!(report.is_ok(), "{report}");

    // A command must export `run` (and its memory, here wasm-ld's `memory`).
    let no_run = wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap();
    let report = check(
        &no_run,
        &HostProfile::wasit2().unwrap(),
        &CheckOptions::default(),
    )
    .unwrap();
    assert_eq!(
        report.render(),
        "error: export \"cm32p2|wasi:cli/run@0.2|run\": missing, but world wasi:cli/command@0.2.12 requires it\n"
    );
    assert_eq!(report.problems[0].kind, ProblemKind::MissingExport);
}
