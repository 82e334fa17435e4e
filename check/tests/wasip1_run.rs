//! The adapter on real p1 runtimes: a -nostdlib wasit2 program linked with
//! the adapter imports only `wasi_snapshot_preview1` and behaves the same on
//! the 2020 WAMR `iwasm` and on `wasmtime run`.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use common::*;
use wasit2_abi::c_names::import_symbol;
use wasit2_abi::wasip1_adapter::{adapter_lowering, unserved_drops};
use wasit2_check::{check, CheckOptions, HostProfile};

#[test]
fn adapter_defines_every_import_of_the_wasip1_world() {
    let built = adapter();
    let nm = wasit2_sysroot::Tools::find(None).expect("llvm-nm").nm;
    let out = run(Command::new(nm).arg("--defined-only").arg(&built.lib));
    let defined: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
        .collect();
    let l = adapter_lowering().unwrap();
    let missing: Vec<String> = l
        .imports
        .iter()
        .map(|i| import_symbol(&l, i))
        .filter(|s| !defined.contains(s))
        .collect();
    assert!(missing.is_empty(), "adapter lacks {missing:?}");

    // Drops of resources p1 cannot create are defined too (as traps), since
    // libc's fd close path references them.
    let wit = wasit2_abi::Wit::wasi().unwrap();
    let full =
        wasit2_abi::Lowering::new(&wit, wit.command_world().unwrap(), wasit2_abi::Arch::Wasm32)
            .unwrap();
    let drops: Vec<String> = unserved_drops(&l, &full)
        .iter()
        .map(|i| import_symbol(&full, i))
        .collect();
    assert_eq!(
        drops.len(),
        6,
        "resources outside the wasip1 world changed: {drops:?}"
    );
    assert!(
        drops
            .iter()
            .all(|d| d.starts_with("__wasit2_import_wasi_sockets_")),
        "{drops:?}"
    );
    let undefined: Vec<&String> = drops.iter().filter(|d| !defined.contains(*d)).collect();
    assert!(undefined.is_empty(), "adapter lacks {undefined:?}");
    assert_eq!(
        l.imports.len(),
        79,
        "the wasip1 world changed; review the adapter"
    );

    // The C binding generator's header (its committed golden, which
    // bindgen's tests keep equal to the generator's output) declares the
    // raw import symbols the adapter defines.
    let golden = bindgen_golden().join("wasit2_command.h");
    let header =
        std::fs::read_to_string(&golden).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
    for imp in &l.imports {
        let sym = import_symbol(&l, imp);
        assert!(
            header.contains(&format!(" {sym}(")),
            "{} does not declare {sym}",
            golden.display()
        );
    }
}

fn basic_module(dir: &std::path::Path) -> std::path::PathBuf {
    let obj = dir.join("basic.o");
    compile("p1_basic.c", &obj, &["-mcpu=mvp"]);
    let wasm = dir.join("basic.wasm");
    link_p1(&[&obj], &wasm);
    wasm
}

#[test]
fn linked_module_imports_only_p1_and_passes_the_wasip1_check() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = basic_module(dir.path());
    let bytes = std::fs::read(&wasm).unwrap();
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::ImportSection(r) = payload.unwrap() {
            for imp in r.into_imports() {
                assert_eq!(imp.unwrap().module, "wasi_snapshot_preview1");
            }
        }
    }
    let report = check(
        &bytes,
        &HostProfile::wasip1().unwrap(),
        &CheckOptions::default(),
    )
    .unwrap();
    assert!(report.is_ok(), "{report}");
    // The wasit2 host serves no p1 imports: every remaining import is a problem there.
    let report = check(
        &bytes,
        &HostProfile::wasit2().unwrap(),
        &CheckOptions::default(),
    )
    .unwrap();
    assert!(!report.is_ok());
    assert!(
        report
            .to_string()
            .contains("wasi_snapshot_preview1.fd_write: WASI preview 1 function"),
        "{report}"
    );
}

#[test]
fn same_output_on_iwasm_and_wasmtime() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = basic_module(dir.path());
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let args = ["first", "", "second arg"];

    let iw = Command::new(iwasm())
        .args(["--env=W2T_A=one", "--env=W2T_B=x=y", "--env=W2T_E="])
        .arg(format!("--dir={}", data.display()))
        .arg(&wasm)
        .args(args)
        .output()
        .unwrap();
    let wt = Command::new(wasmtime())
        .args([
            "run",
            "--env",
            "W2T_A=one",
            "--env",
            "W2T_B=x=y",
            "--env",
            "W2T_E=",
            "--dir",
        ])
        .arg(&data)
        .arg(&wasm)
        .args(args)
        .output()
        .unwrap();
    let iw_out = String::from_utf8_lossy(&iw.stdout);
    let wt_out = String::from_utf8_lossy(&wt.stdout);
    let expected_lines = [
        "hello from wasit2",
        "argc-1=3",
        "arg: first",
        "arg: ",
        "arg: second arg",
        "env: W2T_A = one",
        "env: W2T_B = x=y",
        "env: W2T_E = ",
        "file after offset 6: from wasit2 on wasip1",
        "directory lists the file once: ok",
        "stat: regular file, size: ok",
        "monotonic clock + pollable sleep 20ms: ok",
    ];
    for line in expected_lines {
        assert!(
            wt_out.lines().any(|l| l == line),
            "wasmtime output lacks {line:?}:\n{wt_out}\n{}",
            String::from_utf8_lossy(&wt.stderr)
        );
    }
    assert!(!wt_out.contains("FAILED"), "{wt_out}");
    assert_eq!(
        iw_out,
        wt_out,
        "iwasm and wasmtime differ (iwasm stderr: {})",
        String::from_utf8_lossy(&iw.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&wt.stderr), "to stderr\n");
    assert_eq!(String::from_utf8_lossy(&iw.stderr), "to stderr\n");
    // exit-with-code(3) becomes proc_exit(3); the 2020 iwasm drops exit
    // codes (its proc_exit only raises "wasi proc exit"), so only wasmtime shows it.
    assert_eq!(wt.status.code(), Some(3));
    // The file the program created under the preopen was removed again.
    assert_eq!(std::fs::read_dir(&data).unwrap().count(), 0);
}

/// The directory of the C binding generator's committed golden header.
fn bindgen_golden() -> std::path::PathBuf {
    repo().join("bindgen/tests/expected")
}

/// With the C binding generator's header (its committed golden), a program
/// taking the address of every raw import of the wasip1 world links against
/// the adapter without signature mismatches and without any import left but
/// p1 ones.
#[test]
fn bindgen_declarations_link_against_the_adapter() {
    let golden = bindgen_golden();
    let l = adapter_lowering().unwrap();
    let mut src = String::from("#include \"wasit2_command.h\"\nvoid *const all[] = {\n");
    for imp in &l.imports {
        src.push_str(&format!("  (void *)&{},\n", import_symbol(&l, imp)));
    }
    src.push_str(
        "};\n__attribute__((export_name(\"cm32p2|wasi:cli/run@0.2|run\"))) int __wasit2_run(void) { return 0; }\n\
         __attribute__((export_name(\"keep\"))) void *keep(int i) { return all[i]; }\n",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("refs.c"), src).unwrap();
    let obj = dir.path().join("refs.o");
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
        .arg(&golden)
        .arg(dir.path().join("refs.c"))
        .arg("-o")
        .arg(&obj));
    let wasm = dir.path().join("refs.wasm");
    let out = run(Command::new(wasm_ld())
        .arg(&obj)
        .arg(&adapter().lib)
        .arg("-o")
        .arg(&wasm));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("signature mismatch"), "{stderr}");
    let bytes = std::fs::read(&wasm).unwrap();
    let report = check(
        &bytes,
        &HostProfile::wasip1().unwrap(),
        &CheckOptions::default(),
    )
    .unwrap();
    assert!(report.is_ok(), "{report}");
}
