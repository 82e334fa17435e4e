//! wasm64 (`cm64p2`) components on wasmtime 49.
//!
//! The C corpus (`tests/c`) is built with `clang-22 --target=wasm64-wasit2`
//! at -O0 and -O2, componentized (for WASI 0.2.12, so every exit status is
//! kept), validated with wasmparser's `cm64` and memory64 features, and run
//! with `wasmtime run -W component-model-memory64=y` with the program's
//! directives (preopen, environment, arguments, stdin); stdout and the exit
//! code must match the golden file, which `sysroot/tests/corpus.rs` checks
//! against `wasit2 run` on the same wasm64 build.
//!
//! `tests/c/above4g` grows memory past 4 GiB and does its file I/O through a
//! buffer above the 4 GiB mark; it must print the same on `wasit2 run` and
//! componentized on wasmtime. `-Wl,--emit-component` (wasit-ld) is checked
//! on hello.
//!
//! Needs `make sysroot clang-install` (as the corpus tests do).

use std::path::{Path, PathBuf};
use std::process::Command;

use wasit2_testkit::corpus::{self, Program};
use wasit2_testkit::{clang, run, wasit2_bin, Tool};

mod common;
use common::Width;

/// The `-W` flag wasmtime 49 needs for components with a 64-bit memory.
const MEMORY64_FLAG: &str = "component-model-memory64=y";

/// The installed clang target links with target/debug/wasit-ld, and
/// above4g runs on target/debug/wasit2: both must be current.
fn build_bins() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| wasit2_testkit::build_workspace_bins(&[Tool::WasitLd, Tool::Wasit2]));
}

fn build(source: &Path, opt: &str, out: &Path, extra: &[&str]) -> Result<Vec<u8>, String> {
    wasit2_testkit::require_clang_target("wasm64-wasit2");
    build_bins();
    let mut cc = Command::new(clang());
    cc.arg("--target=wasm64-wasit2")
        .arg(format!("-{opt}"))
        .args(extra)
        .arg(source)
        .arg("-o")
        .arg(out);
    let built = run(cc, "");
    if built.code != Some(0) {
        return Err(format!("compile failed:\n{}", built.stderr));
    }
    std::fs::read(out).map_err(|e| format!("{}: {e}", out.display()))
}

fn componentize(core: &[u8]) -> Result<Vec<u8>, String> {
    let opts = wasit2_componentize::Options {
        wasi_version: Some(semver::Version::new(0, 2, 12)),
        ..Default::default()
    };
    let component = wasit2_componentize::componentize_with(core, &opts)
        .map_err(|e| format!("componentize: {e}"))?;
    // Independently of componentize's own check.
    let features = wasmparser::WasmFeatures::default()
        | wasmparser::WasmFeatures::CM64
        | wasmparser::WasmFeatures::MEMORY64;
    wasmparser::Validator::new_with_features(features)
        .validate_all(&component)
        .map_err(|e| format!("wasmparser (cm64, memory64) rejects the component: {e}"))?;
    Ok(component)
}

/// Builds `source` at `-<opt>` into `core`, and its component (for WASI
/// 0.2.12, checked by wasmparser) next to it as `<core stem>.component.wasm`:
/// the component's path.
fn build_component(source: &Path, opt: &str, core: &Path) -> Result<PathBuf, String> {
    let bytes = build(source, opt, core, &[])?;
    let component = core.with_extension("component.wasm");
    std::fs::write(&component, componentize(&bytes)?).unwrap();
    Ok(component)
}

/// The WAT module `wat` componentized for `world` of the WIT file `wit`,
/// written to `out` when it succeeds.
fn componentize_world(
    wat: &str,
    world: &str,
    wit: PathBuf,
    out: &Path,
) -> Result<Vec<u8>, wasit2_componentize::ComponentizeError> {
    let core = wat::parse_str(wat).unwrap();
    let opts = wasit2_componentize::Options {
        world: Some(world.into()),
        wit: vec![wit],
        ..Default::default()
    };
    let component = wasit2_componentize::componentize_with(&core, &opts)?;
    std::fs::write(out, &component).unwrap();
    Ok(component)
}

/// Writes the WIT `text` to `<dir>/<name>`: its path.
fn wit_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `wasmtime run -W component-model-memory64=y <options> <wasm> <args>`.
fn wasmtime64(options: &[&str], wasm: &Path, args: &[&str]) -> wasit2_testkit::Outcome {
    let mut cmd = Command::new(Tool::Wasmtime.path());
    cmd.args(["run", "-W", MEMORY64_FLAG])
        .args(options)
        .arg(wasm)
        .args(args);
    run(cmd, "")
}

/// Runs `wasm` (a component on wasmtime, or a core module on `wasit2 run`)
/// in `scratch` (created) with the program's directives; compares what it
/// printed and its exit code with the program's golden output.
fn check_program(
    p: &Program,
    wasm: &Path,
    scratch: &Path,
    on_wasmtime: bool,
) -> Result<(), String> {
    std::fs::create_dir_all(scratch).unwrap();
    compare(p, run_program(p, wasm, scratch, on_wasmtime))
}

/// Runs `wasm` (a component on wasmtime, or a core module on `wasit2 run`)
/// in `scratch` with the program's directives.
fn run_program(
    p: &Program,
    wasm: &Path,
    scratch: &Path,
    on_wasmtime: bool,
) -> (Option<i32>, String, String) {
    let mut cmd = if on_wasmtime {
        let mut c = Command::new(Tool::Wasmtime.path());
        c.arg("run").args(["-W", MEMORY64_FLAG]);
        if p.net {
            c.args(["-S", "inherit-network=y", "-S", "allow-ip-name-lookup=y"]);
        }
        c
    } else {
        let mut c = Command::new(wasit2_bin());
        c.arg("run");
        if p.net {
            c.args(["-S", "inherit-network", "-S", "allow-ip-name-lookup"]);
        }
        c
    };
    cmd.current_dir(scratch);
    if p.dir {
        cmd.arg("--dir").arg(format!("{}::.", scratch.display()));
    }
    for e in &p.env {
        cmd.arg("--env").arg(e);
    }
    cmd.arg(wasm).args(&p.args);
    let ran = run(cmd, &p.stdin);
    (ran.code, ran.stdout, ran.stderr)
}

fn compare(p: &Program, got: (Option<i32>, String, String)) -> Result<(), String> {
    let (code, stdout, stderr) = got;
    let mut problems = Vec::new();
    if code != Some(p.exit) {
        problems.push(format!("exit code {code:?}, expected {}", p.exit));
    }
    if stdout != p.expected_stdout {
        problems.push(format!(
            "stdout differs:\n--- expected\n{}--- got\n{stdout}",
            p.expected_stdout
        ));
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(format!("{}\n--- stderr\n{stderr}", problems.join("\n"))),
    }
}

fn check_one(p: &Program, opt: &str, work: &Path) -> Result<(), String> {
    let core = work.join(format!("{}.{opt}.wasm", p.name));
    let component = build_component(&p.source, opt, &core)?;
    check_program(
        p,
        &component,
        &work.join(format!("{}.{opt}.dir", p.name)),
        true,
    )
}

fn corpus_at(opt: &str) {
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut ran = 0;
    for p in corpus::load() {
        match check_one(&p, opt, work.path()) {
            Ok(()) => ran += 1,
            Err(e) => failures.push(format!("{}/wasm64/{opt}: {e}", p.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(ran >= 30, "only {ran} programs ran");
}

#[test]
fn corpus_o0_on_wasmtime() {
    corpus_at("O0");
}

#[test]
fn corpus_o2_on_wasmtime() {
    corpus_at("O2");
}

fn above4g() -> Program {
    let dir = wasit2_testkit::repo().join("tests/c/above4g");
    Program {
        name: "above4g".into(),
        source: dir.join("above4g.c"),
        dir: true,
        expected_stdout: std::fs::read_to_string(dir.join("above4g.stdout")).unwrap(),
        ..Program::default()
    }
}

#[test]
fn above_4_gib_on_wasit2_run_and_wasmtime() {
    let p = above4g();
    let work = tempfile::tempdir().unwrap();
    for opt in ["O0", "O2"] {
        let core = work.path().join(format!("above4g.{opt}.wasm"));
        let component = build_component(&p.source, opt, &core).unwrap();
        check_program(&p, &core, &work.path().join(format!("core.{opt}")), false)
            .unwrap_or_else(|e| panic!("wasit2 run, {opt}: {e}"));
        let scratch = work.path().join(format!("component.{opt}"));
        check_program(&p, &component, &scratch, true)
            .unwrap_or_else(|e| panic!("wasmtime, {opt}: {e}"));
        let written = std::fs::read_to_string(scratch.join("out.txt")).unwrap();
        assert_eq!(written, "bytes that travelled above the 4 GiB mark\n");
    }
}

#[test]
fn emit_component_links_a_wasm64_component() {
    let hello: PathBuf = wasit2_testkit::repo().join("tests/c/hello.c");
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("hello.wasm");
    let bytes = build(&hello, "O2", &out, &["-Wl,--emit-component"]).unwrap();
    assert!(
        wasmparser::Parser::is_component(&bytes),
        "-Wl,--emit-component did not produce a component"
    );
    let features = wasmparser::WasmFeatures::default()
        | wasmparser::WasmFeatures::CM64
        | wasmparser::WasmFeatures::MEMORY64;
    wasmparser::Validator::new_with_features(features)
        .validate_all(&bytes)
        .unwrap();
    let ran = wasmtime64(&[], &out, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.stdout, "Hello, world!\n");
}

#[test]
fn wasmtime_needs_the_memory64_flag() {
    // Pins the documented flag: without it wasmtime 49 refuses the
    // component at load time.
    let hello: PathBuf = wasit2_testkit::repo().join("tests/c/hello.c");
    let work = tempfile::tempdir().unwrap();
    let component = build_component(&hello, "O2", &work.path().join("hello.wasm")).unwrap();
    let mut cmd = Command::new(Tool::Wasmtime.path());
    cmd.arg("run").arg(&component);
    let ran = run(cmd, "");
    assert_ne!(ran.code, Some(0));
    assert!(ran.stderr.contains("cm64"), "{}", ran.stderr);
}

// Hand-written modules for the adapter's too-small paths, built for wasm64
// from the programs tests/wasmtime.rs runs for wasm32 (tests/common): lists
// are (i64 pointer, i64 length), aligned to 8.

/// Componentizes and runs `core` on wasmtime (and the core module on
/// `wasit2 run`, which must agree) in `dir`, with `dir` preopened as `/d`
/// when `preopen` is set.
fn run_both(core: &[u8], args: &[&str], preopen: Option<&Path>) -> (String, i32) {
    build_bins();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("core.wasm"), core).unwrap();
    std::fs::write(dir.path().join("prog.wasm"), componentize(core).unwrap()).unwrap();
    let mut outs = Vec::new();
    for on_wasmtime in [true, false] {
        let mut cmd = if on_wasmtime {
            let mut c = Command::new(Tool::Wasmtime.path());
            c.args(["run", "-W", MEMORY64_FLAG]);
            c
        } else {
            let mut c = Command::new(wasit2_bin());
            c.arg("run");
            c
        };
        if let Some(p) = preopen {
            cmd.arg("--dir").arg(format!("{}::/d", p.display()));
        }
        cmd.current_dir(dir.path())
            .arg(if on_wasmtime {
                "prog.wasm"
            } else {
                "core.wasm"
            })
            .args(args);
        let r = run(cmd, "");
        outs.push((r.stdout, r.code.unwrap_or(-1), r.stderr));
    }
    assert_eq!(
        (&outs[0].0, outs[0].1),
        (&outs[1].0, outs[1].1),
        "wasmtime (stderr {}) vs wasit2 run (stderr {})",
        outs[0].2,
        outs[1].2
    );
    (outs[0].0.clone(), outs[0].1)
}

/// get-arguments with a 4-byte arena reports the size (nothing written at
/// retptr), then fills an arena of exactly that size from the kept result.
#[test]
fn adapter64_arguments_report_then_replay() {
    let (out, code) = run_both(
        &common::arguments(Width::W64),
        &["one", "zwei", "три"],
        None,
    );
    assert_eq!((out.as_str(), code), ("4\none\nzwei\nтри\n", 0));
}

/// read-directory-entry with a 1-byte arena: each entry is reported, then
/// replayed into an arena of its size; no entry is lost or repeated.
#[test]
fn adapter64_directory_entries_survive_too_small_arena() {
    let files = tempfile::tempdir().unwrap();
    for name in ["alpha.txt", "beta", "a-much-longer-entry-name"] {
        std::fs::write(files.path().join(name), name).unwrap();
    }
    let core = common::directory_entries(Width::W64);
    let (out, code) = run_both(&core, &[], Some(files.path()));
    assert_eq!(code, 0);
    let mut names: Vec<&str> = out.lines().collect();
    names.sort();
    assert_eq!(names, ["a-much-longer-entry-name", "alpha.txt", "beta"]);
}

/// poll reports its bound (4 bytes per pollable) without waiting, then
/// returns the ready list in the arena; readlink-at (a string parameter,
/// staged) reports its size, then is called again and fits.
#[test]
fn adapter64_poll_bound_and_readlink_retry() {
    let (out, code) = run_both(&common::poll(Width::W64), &[], None);
    assert_eq!((out.as_str(), code), ("poll ok\n", 0));
    let files = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("some/target/path.txt", files.path().join("link")).unwrap();
    let (out, code) = run_both(&common::readlink(Width::W64), &[], Some(files.path()));
    assert_eq!((out.as_str(), code), ("some/target/path.txt\n", 0));
}

/// A hand-made component (no wasit2 code) lowering WASI functions with a
/// 64-bit memory directly, as the Canonical ABI allows: it pins the two
/// wasmtime 49 deviations documented in docs/componentize.md ("What
/// wasmtime 49 does with a 64-bit memory") that the wasm64 adapter works
/// around. When this test fails, wasmtime has changed: check whether the
/// adapter can lower with the caller's memory again.
const DIRECT_LOWERING_COMPONENT: &str = r#"
(component
  (import "wasi:io/error@0.2.0" (instance $error (export "error" (type (sub resource)))))
  (alias export $error "error" (type $error_t))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (export "output-stream" (type $os (sub resource)))
    (alias outer 1 $error_t (type $e))
    (export "error" (type $err (eq $e)))
    (type $se (variant (case "last-operation-failed" (own $err)) (case "closed")))
    (export "stream-error" (type $stream_error (eq $se)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $stream_error)))))))
  (alias export $streams "output-stream" (type $os_t))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer 1 $os_t (type $os))
    (export "output-stream" (type $os2 (eq $os)))
    (export "get-stdout" (func (result (own $os2))))))
  (import "wasi:cli/environment@0.2.0" (instance $env
    (export "get-arguments" (func (result (list string))))))
  (core module $Mem
    (memory (export "memory") i64 1)
    (global $bump (mut i64) (i64.const 4096))
    (func (export "realloc") (param i64 i64 i64 i64) (result i64)
      (local $p i64)
      (local.set $p (i64.and (i64.add (global.get $bump) (i64.sub (local.get 2) (i64.const 1)))
                             (i64.sub (i64.const 0) (local.get 2))))
      (global.set $bump (i64.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $mem (instantiate $Mem))
  (alias core export $mem "memory" (core memory $memory))
  (alias core export $mem "realloc" (core func $realloc))
  (alias export $streams "[method]output-stream.blocking-write-and-flush" (func $bwf))
  (alias export $stdout "get-stdout" (func $get_stdout))
  (alias export $env "get-arguments" (func $get_args))
  (core func $bwf_l (canon lower (func $bwf) (memory $memory)))
  (core func $get_stdout_l (canon lower (func $get_stdout)))
  (core func $get_args_l (canon lower (func $get_args) (memory $memory) (realloc $realloc)))
  (core module $Main
    (import "env" "memory" (memory i64 1))
    (import "host" "bwf" (func $bwf (param i32 i64 i64 i64)))
    (import "host" "get-stdout" (func $get_stdout (result i32)))
    (import "host" "get-arguments" (func $get_args (param i64)))
    (data (i64.const 16) "low\n")
    (data (i64.const 32) "list<string> result: 32-bit layout\n")
    (data (i64.const 80) "list<string> result: 64-bit layout\n")
    (func (export "run") (result i32)
      (local $out i32)
      (local.set $out (call $get_stdout))
      ;; The spec puts an 8-byte length at 208; the 32-bit layout a 4-byte
      ;; one at 204 and nothing at 208.
      (call $get_args (i64.const 200))
      (if (i64.eqz (i64.load (i64.const 208)))
        (then (call $bwf (local.get $out) (i64.const 32) (i64.const 35) (i64.const 120)))
        (else (call $bwf (local.get $out) (i64.const 80) (i64.const 35) (i64.const 120))))
      ;; A list parameter at 4 GiB + 16; its low alias (16) holds "low\n".
      (drop (memory.grow (i64.const 65552)))
      (i32.store (i64.const 0x100000010) (i32.const 0x0a676968))
      (call $bwf (local.get $out) (i64.const 0x100000010) (i64.const 4) (i64.const 120))
      (i32.const 0)))
  (core instance $main (instantiate $Main
    (with "env" (instance (export "memory" (memory $memory))))
    (with "host" (instance
      (export "bwf" (func $bwf_l))
      (export "get-stdout" (func $get_stdout_l))
      (export "get-arguments" (func $get_args_l))))))
  (type $run_t (func (result (result))))
  (func $run (type $run_t) (canon lift (core func $main "run")))
  (instance $run_inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_inst)))
"#;

#[test]
fn wasmtime_49_direct_memory64_lowering_deviations() {
    let bytes = wat::parse_str(DIRECT_LOWERING_COMPONENT).expect("component WAT");
    wasit2_componentize::validate_wasm64(&bytes).expect("the spec allows it");
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("direct.wasm");
    std::fs::write(&path, &bytes).unwrap();
    let ran = wasmtime64(&[], &path, &["arg"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    // Spec: "list<string> result: 64-bit layout\nhig\n".
    assert_eq!(
        ran.stdout, "list<string> result: 32-bit layout\nlow\n",
        "wasmtime's memory64 lowering changed (docs/componentize.md)"
    );
}

/// A wasm64 plugin reactor (`acme:plugin/handler`, tests/interfaces):
/// `handle(input)` returns `"handled: " + input`. Its `params_alloc` hands
/// out memory above 4 GiB (growing the memory on first use), and the result
/// and its return area live there too, so any 32-bit truncation on the
/// lift's path shows.
const PLUGIN64: &str = r#"
(module
  (memory (export "cm64p2_memory") i64 1)
  (func (export "cm64p2_initialize"))
  (global $bump (mut i64) (i64.const 0x100000400))
  (global $posts (mut i32) (i32.const 0))
  (data (i64.const 16) "handled: ")
  (func $ensure (param $end i64)
    (local $have i64)
    (local.set $have (i64.shl (memory.size) (i64.const 16)))
    (if (i64.gt_u (local.get $end) (local.get $have))
      (then (drop (memory.grow
        (i64.shr_u (i64.add (i64.sub (local.get $end) (local.get $have)) (i64.const 0xffff))
                   (i64.const 16)))))))
  (func (export "cm64p2_params_alloc") (param $size i64) (param $align i64) (result i64)
    (local $p i64)
    (local.set $p (i64.and
      (i64.add (global.get $bump) (i64.sub (local.get $align) (i64.const 1)))
      (i64.sub (i64.const 0) (local.get $align))))
    (global.set $bump (i64.add (local.get $p) (local.get $size)))
    (call $ensure (global.get $bump))
    (local.get $p))
  ;; The result at 4 GiB + 64 KiB, its return area at 4 GiB + 8.
  (func (export "cm64p2|acme:plugin/handler@1|handle") (param $p i64) (param $n i64) (result i64)
    (call $ensure (i64.add (i64.const 0x100010009) (local.get $n)))
    (memory.copy (i64.const 0x100010000) (i64.const 16) (i64.const 9))
    (memory.copy (i64.const 0x100010009) (local.get $p) (local.get $n))
    (i64.store (i64.const 0x100000008) (i64.const 0x100010000))
    (i64.store (i64.const 0x100000010) (i64.add (i64.const 9) (local.get $n)))
    (i64.const 0x100000008))
  ;; Frees the parameters; traps on a return pointer that is not its own.
  (func (export "cm64p2|acme:plugin/handler@1|handle_post") (param $ret i64)
    (if (i64.ne (local.get $ret) (i64.const 0x100000008)) (then unreachable))
    (global.set $bump (i64.const 0x100000400)))
)
"#;

fn invoke(component: &Path, call: &str) -> String {
    let ran = wasmtime64(&["--invoke", call], component, &[]);
    assert_eq!(ran.code, Some(0), "{call}: {}", ran.stderr);
    ran.stdout
}

#[test]
fn plugin_export_with_strings_above_4_gib_runs_on_wasmtime() {
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("plugin64.wasm");
    let wit = wasit2_testkit::repo().join("tests/interfaces/plugin.wit");
    let component = componentize_world(PLUGIN64, "plugin", wit, &path).expect("componentize");
    wasit2_componentize::validate_wasm64(&component).unwrap();
    for (input, want) in [("hello", "handled: hello"), ("", "handled: ")] {
        assert_eq!(
            invoke(&path, &format!("handle({input:?})")),
            format!("{want:?}\n")
        );
    }
}

/// A hand-made component (no wasit2 code) lifting exports with a 64-bit
/// memory and an i64 `realloc` directly, as the Canonical ABI allows. It
/// pins wasmtime 49's lifting deviations (docs/componentize.md, "What
/// wasmtime 49 does with a 64-bit memory") that lift64.rs works around with
/// a 32-bit staging memory. When this test fails, wasmtime has changed.
///
/// `realloc` always answers 4 GiB + 1024. `spec-layout` returns "spec
/// result" with the 8 + 8-byte (pointer, length) the spec prescribes at a
/// return area below 4 GiB; `high-return-area` the same at 4 GiB + 128,
/// with a 4 + 4-byte pair for "ALIAS" at its 32-bit alias 128; `probe`
/// returns bits: 1 realloc got (0, 0, 1, len), 2 the export got the
/// pointer realloc returned, 4 the string is at it, 8 the string is at its
/// 32-bit alias 1024.
const DIRECT_LIFT_COMPONENT: &str = r#"
(component
  (core module $M
    (memory (export "memory") i64 1)
    (global $args_ok (mut i32) (i32.const 0))
    (data (i64.const 2048) "spec result")
    (data (i64.const 3072) "ALIAS")
    (func $ensure (param $end i64)
      (local $have i64)
      (local.set $have (i64.shl (memory.size) (i64.const 16)))
      (if (i64.gt_u (local.get $end) (local.get $have))
        (then (drop (memory.grow
          (i64.shr_u (i64.add (i64.sub (local.get $end) (local.get $have)) (i64.const 0xffff))
                     (i64.const 16)))))))
    (func (export "realloc") (param i64 i64 i64 i64) (result i64)
      (global.set $args_ok (i32.and (i32.and (i64.eqz (local.get 0)) (i64.eqz (local.get 1)))
                                    (i64.eq (local.get 2) (i64.const 1))))
      (call $ensure (i64.const 0x100010000))
      (i64.const 0x100000400))
    (func (export "spec-layout") (param i64 i64) (result i64)
      (i64.store (i64.const 64) (i64.const 2048))
      (i64.store (i64.const 72) (i64.const 11))
      (i64.const 64))
    (func (export "high-return-area") (param i64 i64) (result i64)
      (call $ensure (i64.const 0x100010000))
      (i64.store (i64.const 0x100000080) (i64.const 2048))
      (i64.store (i64.const 0x100000088) (i64.const 11))
      (i32.store (i64.const 128) (i32.const 3072))
      (i32.store (i64.const 132) (i32.const 5))
      (i64.const 0x100000080))
    (func (export "probe") (param $p i64) (param $n i64) (result i32)
      (i32.or (i32.or (global.get $args_ok)
        (i32.shl (i64.eq (local.get $p) (i64.const 0x100000400)) (i32.const 1)))
        (i32.or
          (i32.shl (i32.eq (i32.load8_u (i64.const 0x100000400)) (i32.const 104)) (i32.const 2))
          (i32.shl (i32.eq (i32.load8_u (i64.const 1024)) (i32.const 104)) (i32.const 3))))))
  (core instance $m (instantiate $M))
  (alias core export $m "memory" (core memory $mem))
  (alias core export $m "realloc" (core func $realloc))
  (type $string_fn (func (param "input" string) (result string)))
  (func $spec (type $string_fn) (canon lift (core func $m "spec-layout")
    (memory $mem) (realloc $realloc) string-encoding=utf8))
  (func $high (type $string_fn) (canon lift (core func $m "high-return-area")
    (memory $mem) (realloc $realloc) string-encoding=utf8))
  (func $probe (param "input" string) (result u32) (canon lift (core func $m "probe")
    (memory $mem) (realloc $realloc) string-encoding=utf8))
  (export "spec-layout" (func $spec))
  (export "high-return-area" (func $high))
  (export "probe" (func $probe)))
"#;

#[test]
fn wasmtime_49_direct_memory64_lifting_deviations() {
    let bytes = wat::parse_str(DIRECT_LIFT_COMPONENT).expect("component WAT");
    wasit2_componentize::validate_wasm64(&bytes).expect("the spec allows it");
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("lift.wasm");
    std::fs::write(&path, &bytes).unwrap();
    let changed = "wasmtime's memory64 lifting changed (docs/componentize.md)";
    // Spec: "spec result" (the 8-byte length is read as the pointer's
    // high half: 0).
    assert_eq!(invoke(&path, "spec-layout(\"x\")"), "\"\"\n", "{changed}");
    // Spec: "spec result" (the return pointer is truncated to 32 bits).
    assert_eq!(
        invoke(&path, "high-return-area(\"x\")"),
        "\"ALIAS\"\n",
        "{changed}"
    );
    // Spec: 7 (realloc's result is truncated to 32 bits: the string is
    // written at the alias and the export gets the alias).
    assert_eq!(invoke(&path, "probe(\"hello\")"), "9\n", "{changed}");
}

/// A `list<string>` parameter is copied element by element into memory
/// `params_alloc` hands out above 4 GiB (array first, then each string);
/// the export returns it as its `list<string>` result, read back in the
/// wasm64 layout.
#[test]
fn wasm64_list_of_strings_in_and_out() {
    let work = tempfile::tempdir().unwrap();
    let wit = wit_file(
        work.path(),
        "names.wit",
        "package acme:names@1.0.0;\n\
         interface names { echo: func(names: list<string>) -> list<string>; }\n\
         world echoer { export names; }\n",
    );
    let path = work.path().join("echo.wasm");
    componentize_world(
        r#"(module
          (memory (export "cm64p2_memory") i64 1)
          (global $bump (mut i64) (i64.const 0x100000400))
          (func (export "cm64p2_initialize") (drop (memory.grow (i64.const 65538))))
          (func (export "cm64p2_params_alloc") (param $size i64) (param $align i64) (result i64)
            (local $p i64)
            (local.set $p (i64.and
              (i64.add (global.get $bump) (i64.sub (local.get $align) (i64.const 1)))
              (i64.sub (i64.const 0) (local.get $align))))
            (global.set $bump (i64.add (local.get $p) (local.get $size)))
            (local.get $p))
          (func (export "cm64p2|acme:names/names@1|echo") (param $p i64) (param $n i64) (result i64)
            (i64.store (i64.const 0x100000010) (local.get $p))
            (i64.store (i64.const 0x100000018) (local.get $n))
            (i64.const 0x100000010))
          (func (export "cm64p2|acme:names/names@1|echo_post") (param i64)
            (global.set $bump (i64.const 0x100000400))))"#,
        "echoer",
        wit,
        &path,
    )
    .expect("componentize");
    for call in [r#"echo(["a", "bc", ""])"#, "echo([])"] {
        let want = call.trim_start_matches("echo(").trim_end_matches(')');
        assert_eq!(invoke(&path, call), format!("{want}\n"));
    }
}

/// A record parameter holding a string is beyond the 64-bit lift: one
/// clear error naming the export.
#[test]
fn wasm64_record_parameter_with_a_string_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let wit = wit_file(
        work.path(),
        "people.wit",
        "package acme:people@1.0.0;\n\
         interface people { record person { name: string, age: u32 }\n\
         greet: func(who: person) -> string; }\n\
         world greeter { export people; }\n",
    );
    let err = componentize_world(
        r#"(module
          (memory (export "cm64p2_memory") i64 1)
          (func (export "cm64p2_initialize"))
          (func (export "cm64p2_params_alloc") (param i64 i64) (result i64) (i64.const 1024))
          (func (export "cm64p2|acme:people/people@1|greet") (param i64 i64 i32) (result i64) (i64.const 8))
          (func (export "cm64p2|acme:people/people@1|greet_post") (param i64)))"#,
        "greeter",
        wit,
        &work.path().join("people.wasm"),
    )
    .expect_err("a record parameter holding a string is not lifted on wasm64")
    .to_string();
    assert_eq!(
        err,
        "unsupported: wasm64: export `cm64p2|acme:people/people@1|greet`: a record, tuple or variant parameter holding a list (not supported by the 64-bit lift yet)"
    );
}

/// An export with no list whose result goes through a return area (here
/// above 4 GiB, which wasmtime 49 would truncate) is lifted through the
/// staging shim too; the module needs no `params_alloc` for it.
#[test]
fn wasm64_return_area_above_4_gib_without_lists() {
    let work = tempfile::tempdir().unwrap();
    let wit = wit_file(
        work.path(),
        "stats.wit",
        "package acme:stats@1.0.0;\n\
         interface stats { pair: func(scale: u64) -> tuple<u64, u32>; }\n\
         world counter { export stats; }\n",
    );
    let path = work.path().join("stats.wasm");
    componentize_world(
        r#"(module
          (memory (export "cm64p2_memory") i64 1)
          (func (export "cm64p2_initialize"))
          (func (export "cm64p2|acme:stats/stats@1|pair") (param $scale i64) (result i64)
            (drop (memory.grow (i64.const 65537)))
            (i64.store (i64.const 0x100000010) (i64.mul (local.get $scale) (i64.const 7)))
            (i32.store (i64.const 0x100000018) (i32.const 9))
            (i64.const 0x100000010)))"#,
        "counter",
        wit,
        &path,
    )
    .expect("componentize");
    assert_eq!(invoke(&path, "pair(3)"), "(21, 9)\n");
}
