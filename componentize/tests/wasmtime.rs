//! Componentizes hand-written wasit2 modules and runs them on the real
//! wasmtime CLI, comparing output and exit codes with fixed expectations
//! (and with `wasit2 run` on the core module, when that binary works).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use wasit2_testkit::Tool;

mod common;
use common::Width;

fn wasmtime() -> PathBuf {
    Tool::Wasmtime.path()
}

fn module(imports: &str, body: &str) -> Vec<u8> {
    common::module(Width::W32, imports, body)
}

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn run_cmd(mut cmd: Command, stdin: &[u8]) -> Run {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    // A program that exits without reading all of stdin closes the pipe.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin) {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::BrokenPipe,
            "writing stdin: {e}"
        );
    }
    let out = child.wait_with_output().unwrap();
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Componentizes `core`, checks the component with wasm-tools, and runs it
/// on wasmtime in a temporary directory (`prog.wasm` is argv[0]).
fn run_component(
    core: &[u8],
    wasmtime_flags: &[&str],
    args: &[&str],
    stdin: &[u8],
    dir: &Path,
) -> Run {
    let component = wasit2_componentize::componentize(core).expect("componentize");
    std::fs::write(dir.join("prog.wasm"), &component).unwrap();
    std::fs::write(dir.join("core.wasm"), core).unwrap();
    let v = Command::new(Tool::WasmTools.path())
        .args(["validate", "prog.wasm"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        v.status.success(),
        "wasm-tools validate: {}",
        String::from_utf8_lossy(&v.stderr)
    );
    let mut cmd = Command::new(wasmtime());
    cmd.current_dir(dir)
        .arg("run")
        .args(wasmtime_flags)
        .arg("prog.wasm")
        .args(args);
    run_cmd(cmd, stdin)
}

/// Runs the core module with `wasit2 run` when the binary exists and the
/// subcommand works; `None` otherwise (it is written concurrently).
fn run_wasit2(dir: &Path, args: &[&str], stdin: &[u8]) -> Option<Run> {
    let bin = std::env::var_os("WASIT2")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/wasit2"));
    if !bin.exists() {
        return None;
    }
    let mut cmd = Command::new(bin);
    cmd.current_dir(dir).arg("run").arg("core.wasm").args(args);
    let r = run_cmd(cmd, stdin);
    if r.stderr.contains("not implemented") || r.code == 2 && r.stderr.contains("Usage") {
        eprintln!("skipping `wasit2 run` comparison: {}", r.stderr.trim());
        return None;
    }
    Some(r)
}

/// Asserts wasmtime's result, then `wasit2 run`'s if available.
fn check(core: &[u8], flags: &[&str], args: &[&str], stdin: &[u8], want_out: &str, want_code: i32) {
    let dir = tempfile::tempdir().unwrap();
    let r = run_component(core, flags, args, stdin, dir.path());
    assert_eq!(r.stdout, want_out, "wasmtime stdout (stderr: {})", r.stderr);
    assert_eq!(
        r.code, want_code,
        "wasmtime exit code (stderr: {})",
        r.stderr
    );
    if flags.is_empty() {
        if let Some(w) = run_wasit2(dir.path(), args, stdin) {
            assert_eq!(
                w.stdout, r.stdout,
                "wasit2 run vs wasmtime stdout (stderr: {})",
                w.stderr
            );
            assert_eq!(w.code, r.code, "wasit2 run vs wasmtime exit code");
        }
    }
}

#[test]
fn hello_stdout() {
    let core = module(
        "",
        r#"
        (data (i32.const 0x200) "hello from wasit2\n")
        (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
          (call $print (i32.const 0x200) (i32.const 18))
          (i32.const 0))
        "#,
    );
    check(&core, &[], &[], b"", "hello from wasit2\n", 0);
}

#[test]
fn exit_with_error_is_nonzero() {
    let core = module(
        r#"(import "cm32p2|wasi:cli/exit@0.2" "exit" (func $exit (param i32)))"#,
        r#"
        (data (i32.const 0x200) "bye\n")
        (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
          (call $print (i32.const 0x200) (i32.const 4))
          (call $exit (i32.const 1))
          unreachable)
        "#,
    );
    check(&core, &[], &[], b"", "bye\n", 1);
}

#[test]
fn run_returning_err_is_nonzero() {
    let core = module(
        "",
        r#"(func (export "cm32p2|wasi:cli/run@0.2|run") (result i32) (i32.const 1))"#,
    );
    check(&core, &[], &[], b"", "", 1);
}

/// get-arguments through the adapter (`common::arguments`).
#[test]
fn arguments_via_buffer_import() {
    let core = common::arguments(Width::W32);
    check(
        &core,
        &[],
        &["one", "zwei", "три"],
        b"",
        "4\none\nzwei\nтри\n",
        0,
    );
}

#[test]
fn stdin_via_blocking_read_is_clamped() {
    let core = module(
        r#"(import "cm32p2|wasi:cli/stdin@0.2" "get-stdin" (func $stdin (result i32)))
           (import "wasit2-cm32p2|wasi:io/streams@0.2" "[method]input-stream.blocking-read"
             (func $read (param i32 i64 i32 i32 i32) (result i32)))"#,
        r#"
        (data (i32.const 0x200) "BAD: read\n")
        (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
          (local $s i32) (local $r i32) (local $len i32) (local $total i32)
          (local.set $s (call $stdin))
          (block $eof (loop $l
            ;; Ask for a megabyte with a 7-byte arena: the adapter must clamp.
            (local.set $r (call $read (local.get $s) (i64.const 1000000)
                                      (i32.const 0x80) (i32.const 0x1000) (i32.const 7)))
            (br_if $eof (i32.load8_u (i32.const 0x80)))
            (local.set $len (i32.load (i32.const 0x88)))
            (if (i32.or (i32.ne (local.get $r) (local.get $len))
                        (i32.or (i32.gt_u (local.get $len) (i32.const 7))
                                (i32.ne (i32.load (i32.const 0x84)) (i32.const 0x1000))))
              (then (call $print (i32.const 0x200) (i32.const 10)) (return (i32.const 1))))
            (call $print (i32.load (i32.const 0x84)) (local.get $len))
            (local.set $total (i32.add (local.get $total) (local.get $len)))
            (br $l)))
          (call $num (local.get $total)) (call $nl)
          (i32.const 0))
        "#,
    );
    let input = "The quick brown fox jumps over the lazy dog.\nline two\n";
    check(
        &core,
        &[],
        &[],
        input.as_bytes(),
        &format!("{input}{}\n", input.len()),
        0,
    );
}

#[test]
fn environment_via_buffer_import() {
    let core = module(
        r#"(import "wasit2-cm32p2|wasi:cli/environment@0.2" "get-environment"
             (func $env (param i32 i32 i32) (result i32)))"#,
        r#"
        (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
          (local $p i32) (local $n i32) (local $e i32)
          (drop (call $env (i32.const 0x80) (i32.const 0x1000) (i32.const 0x8000)))
          (local.set $p (i32.load (i32.const 0x80)))
          (local.set $n (i32.load (i32.const 0x84)))
          (block $done (loop $l
            (br_if $done (i32.eqz (local.get $n)))
            (call $print (i32.load (local.get $p)) (i32.load offset=4 (local.get $p)))
            (i32.store8 (i32.const 0x3f) (i32.const 61))
            (call $print (i32.const 0x3f) (i32.const 1))
            (call $print (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p)))
            (call $nl)
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $l)))
          (i32.const 0))
        "#,
    );
    check(
        &core,
        &["--env", "WASIT2_TEST=hello", "--env", "SECOND=2"],
        &[],
        b"",
        "WASIT2_TEST=hello\nSECOND=2\n",
        0,
    );
}

#[test]
fn random_bytes_report_then_fit() {
    let core = module(
        r#"(import "wasit2-cm32p2|wasi:random/random@0.2" "get-random-bytes"
             (func $rand (param i64 i32 i32 i32) (result i32)))"#,
        r#"
        (data (i32.const 0x200) "random ok\nBAD\n")
        (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
          (if (i32.ne (call $rand (i64.const 16) (i32.const 0x80) (i32.const 0x1000) (i32.const 8))
                      (i32.const 16))
            (then (call $print (i32.const 0x20a) (i32.const 4)) (return (i32.const 1))))
          (if (i32.or
                (i32.ne (call $rand (i64.const 16) (i32.const 0x80) (i32.const 0x1000) (i32.const 64))
                        (i32.const 16))
                (i32.or (i32.ne (i32.load (i32.const 0x80)) (i32.const 0x1000))
                        (i32.ne (i32.load (i32.const 0x84)) (i32.const 16))))
            (then (call $print (i32.const 0x20a) (i32.const 4)) (return (i32.const 1))))
          (call $print (i32.const 0x200) (i32.const 10))
          (i32.const 0))
        "#,
    );
    check(&core, &[], &[], b"", "random ok\n", 0);
}

#[test]
fn file_from_preopen() {
    let core = module(
        r#"(import "wasit2-cm32p2|wasi:filesystem/preopens@0.2" "get-directories"
             (func $dirs (param i32 i32 i32) (result i32)))
           (import "cm32p2|wasi:filesystem/types@0.2" "[method]descriptor.open-at"
             (func $open (param i32 i32 i32 i32 i32 i32 i32)))
           (import "wasit2-cm32p2|wasi:filesystem/types@0.2" "[method]descriptor.read"
             (func $fread (param i32 i64 i64 i32 i32 i32) (result i32)))"#,
        r#"
        (data (i32.const 0x200) "data.txt")
        (data (i32.const 0x210) "BAD: no preopen\nBAD: open\n")
        (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
          (local $fd i32) (local $off i64) (local $len i32)
          ;; Too small first: the descriptor list must be kept, not leaked or lost.
          (drop (call $dirs (i32.const 0x80) (i32.const 0x1000) (i32.const 2)))
          (drop (call $dirs (i32.const 0x80) (i32.const 0x1000) (i32.const 0x1000)))
          (if (i32.eqz (i32.load (i32.const 0x84)))
            (then (call $print (i32.const 0x210) (i32.const 16)) (return (i32.const 1))))
          ;; Print the preopen's guest path.
          (call $print (i32.load offset=4 (i32.load (i32.const 0x80)))
                       (i32.load offset=8 (i32.load (i32.const 0x80))))
          (call $nl)
          (call $open (i32.load (i32.load (i32.const 0x80))) (i32.const 0)
                      (i32.const 0x200) (i32.const 8) (i32.const 0) (i32.const 1) (i32.const 0xc0))
          (if (i32.load8_u (i32.const 0xc0))
            (then (call $print (i32.const 0x220) (i32.const 10)) (return (i32.const 1))))
          (local.set $fd (i32.load (i32.const 0xc4)))
          (block $eof (loop $l
            (drop (call $fread (local.get $fd) (i64.const 5) (local.get $off)
                               (i32.const 0x80) (i32.const 0x2000) (i32.const 0x100)))
            (br_if $eof (i32.load8_u (i32.const 0x80)))
            (local.set $len (i32.load (i32.const 0x88)))
            (call $print (i32.load (i32.const 0x84)) (local.get $len))
            (local.set $off (i64.add (local.get $off) (i64.extend_i32_u (local.get $len))))
            (br_if $eof (i32.or (i32.load8_u (i32.const 0x8c)) (i32.eqz (local.get $len))))
            (br $l)))
          (i32.const 0))
        "#,
    );
    let files = tempfile::tempdir().unwrap();
    std::fs::write(
        files.path().join("data.txt"),
        "file contents, read in 5-byte pieces\n",
    )
    .unwrap();
    let map = format!("{}::/sandbox", files.path().display());
    check(
        &core,
        &["--dir", &map],
        &[],
        b"",
        "/sandbox\nfile contents, read in 5-byte pieces\n",
        0,
    );
}

/// A module without buffer imports needs nothing but the embedded world:
/// plain `wasm-tools component new` accepts it.
#[test]
fn plain_module_componentizes_with_wasm_tools() {
    let mut core = module(
        "",
        r#"
        (data (i32.const 0x200) "plain\n")
        (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
          (call $print (i32.const 0x200) (i32.const 6))
          (i32.const 0))
        "#,
    );
    let wit = wasit2_abi::Wit::wasi().unwrap();
    let world = wit.command_world().unwrap();
    wit_component::embed_component_metadata(
        &mut core,
        &wit.resolve,
        world,
        wit_component::StringEncoding::UTF8,
        false,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("core.wasm"), &core).unwrap();
    let st = Command::new(Tool::WasmTools.path())
        .current_dir(dir.path())
        .args(["component", "new", "core.wasm", "-o", "prog.wasm"])
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "wasm-tools component new: {}",
        String::from_utf8_lossy(&st.stderr)
    );
    let mut cmd = Command::new(wasmtime());
    cmd.current_dir(dir.path()).args(["run", "prog.wasm"]);
    let r = run_cmd(cmd, b"");
    assert_eq!(
        (r.stdout.as_str(), r.code),
        ("plain\n", 0),
        "stderr: {}",
        r.stderr
    );
}

#[test]
fn wasm64_without_run_is_a_clear_error() {
    // wasm64 modules are componentized (tests/wasm64.rs); one that lacks
    // the world's `run` export gets one line naming it.
    let core = wat::parse_str(r#"(module (memory (export "cm64p2_memory") i64 1))"#).unwrap();
    let err = wasit2_componentize::componentize(&core)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`wasi:cli/run@0.2.12` function `run`"),
        "{err}"
    );
    assert!(!err.contains('\n'), "one line: {err}");
}

#[test]
fn garbage_is_a_one_line_error() {
    let err = wasit2_componentize::componentize(b"not wasm")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("input is not a core WebAssembly module"),
        "{err}"
    );
    assert!(!err.contains('\n'));
}

/// read-directory-entry advances the host stream, so a too-small call must
/// keep the entry for the retry: every entry appears exactly once.
#[test]
fn directory_entries_survive_too_small_arena() {
    let core = common::directory_entries(Width::W32);
    let files = tempfile::tempdir().unwrap();
    for name in ["alpha.txt", "beta", "a-much-longer-entry-name"] {
        std::fs::write(files.path().join(name), name).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let map = format!("{}::/d", files.path().display());
    let r = run_component(&core, &["--dir", &map], &[], b"", dir.path());
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let mut names: Vec<&str> = r.stdout.lines().collect();
    names.sort();
    assert_eq!(names, ["a-much-longer-entry-name", "alpha.txt", "beta"]);
}

/// poll needs 4 bytes per pollable before it may wait; the bound is
/// reported without waiting, then the call succeeds in the arena.
#[test]
fn poll_is_bounded_by_input() {
    let core = common::poll(Width::W32);
    check(&core, &[], &[], b"", "poll ok\n", 0);
}

/// readlink-at takes a string, so its too-small result is not kept: the
/// retry calls the host again. Nothing is written at retptr meanwhile.
#[test]
fn readlink_reports_then_fits() {
    let core = common::readlink(Width::W32);
    let files = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("some/target/path.txt", files.path().join("link")).unwrap();
    let map = format!("{}::/d", files.path().display());
    check(
        &core,
        &["--dir", &map],
        &[],
        b"",
        "some/target/path.txt\n",
        0,
    );
}

/// Every caller-supplied-buffer import of `wasi:cli/command` gets a valid
/// adapter, and wit-component accepts a module importing all of them.
#[test]
fn all_buffer_imports_componentize() {
    let wit = wasit2_abi::Wit::wasi().unwrap();
    let world = wit.command_world().unwrap();
    let lowering = wasit2_abi::Lowering::new(&wit, world, wasit2_abi::Arch::Wasm32).unwrap();
    let mut imports = String::new();
    for imp in lowering.buffer_imports() {
        let params: Vec<String> = imp.sig.params.iter().map(|t| t.to_string()).collect();
        imports.push_str(&format!(
            "(import {:?} {:?} (func (param {}) (result i32)))\n",
            imp.module,
            imp.field,
            params.join(" ")
        ));
    }
    let core = module(
        &imports,
        r#"(func (export "cm32p2|wasi:cli/run@0.2|run") (result i32) (i32.const 0))"#,
    );
    let component = wasit2_componentize::componentize(&core).expect("componentize");
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&component)
        .expect("valid component");
    // It still runs: the adapters instantiate against wasmtime's WASI.
    let dir = tempfile::tempdir().unwrap();
    let r = run_component(&core, &[], &[], b"", dir.path());
    assert_eq!((r.stdout.as_str(), r.code), ("", 0), "stderr: {}", r.stderr);
}

#[test]
fn unknown_buffer_import_is_a_clear_error() {
    let core = module(
        r#"(import "wasit2-cm32p2|wasi:cli/environment@0.2" "get-everything"
             (func (param i32 i32 i32) (result i32)))"#,
        r#"(func (export "cm32p2|wasi:cli/run@0.2|run") (result i32) (i32.const 0))"#,
    );
    let err = wasit2_componentize::componentize(&core)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "import `wasit2-cm32p2|wasi:cli/environment@0.2` `get-everything` is not part of world `wasi:cli/command@0.2.12`"
    );
}
