//! Componentizing modules of vendor worlds (`tests/interfaces/*.wit`):
//! a reactor exporting `acme:plugin/handler` with a string parameter (its
//! realloc served by `cm32p2_params_alloc`), run with the real `wasmtime
//! run --invoke`; a command importing `acme:sensors/temp` through the
//! caller-buffer adapter, checked with `wasm-tools`; and the errors.
//! The C guests on the wasmtime component host are tested in
//! `examples/component-host/tests`.

use std::path::{Path, PathBuf};
use std::process::Command;

use wasit2_componentize::{componentize_with, ComponentizeError, Options};
use wasit2_testkit::Tool;
use wasm_encoder::Section;

fn wit(name: &str) -> PathBuf {
    wasit2_testkit::repo().join("tests/interfaces").join(name)
}

fn opts(wit_file: &str, world: &str) -> Options {
    Options {
        world: Some(world.into()),
        wit: vec![wit(wit_file)],
        ..Default::default()
    }
}

/// A reactor (it exports an initializer): `handle(input)` returns `"handled: " + input`. Parameters
/// go where `params_alloc` puts them (a bump allocator at 1024), the
/// result is built at 4096 and its return area is at 8.
const PLUGIN: &str = r#"
(module
  (memory (export "cm32p2_memory") 1)
  (func (export "cm32p2_initialize"))
  (global $bump (mut i32) (i32.const 1024))
  (global $posts (mut i32) (i32.const 0))
  (data (i32.const 16) "handled: ")
  (func (export "cm32p2_params_alloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and
      (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
      (i32.sub (i32.const 0) (local.get $align))))
    (global.set $bump (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (func (export "cm32p2|acme:plugin/handler@1|handle") (param $p i32) (param $n i32) (result i32)
    (memory.copy (i32.const 4096) (i32.const 16) (i32.const 9))
    (memory.copy (i32.const 4105) (local.get $p) (local.get $n))
    (i32.store (i32.const 8) (i32.const 4096))
    (i32.store (i32.const 12) (i32.add (i32.const 9) (local.get $n)))
    (i32.const 8))
  (func (export "cm32p2|acme:plugin/handler@1|handle_post") (param i32)
    (global.set $bump (i32.const 1024)))
)
"#;

/// A command: prints the sensor's model, read through the caller-buffer
/// import with a 64-byte arena at 0x1000.
const SENSOR: &str = r#"
(module
  (import "cm32p2|wasi:cli/stdout@0.2" "get-stdout" (func $get_stdout (result i32)))
  (import "cm32p2|wasi:io/streams@0.2" "[method]output-stream.blocking-write-and-flush"
    (func $write (param i32 i32 i32 i32)))
  (import "wasit2-cm32p2|acme:sensors/temp@1" "model" (func $model (param i32 i32 i32) (result i32)))
  (memory (export "cm32p2_memory") 1)
  (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
    (drop (call $model (i32.const 0x100) (i32.const 0x1000) (i32.const 64)))
    (call $write (call $get_stdout)
      (i32.load (i32.const 0x100)) (i32.load (i32.const 0x104)) (i32.const 0x40))
    (i32.const 0))
)
"#;

fn wasm_tools(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(Tool::WasmTools.path())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("running wasm-tools");
    assert!(
        out.status.success(),
        "wasm-tools {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn reactor_export_with_a_string_param_runs_on_wasmtime() {
    let core = wat::parse_str(PLUGIN).unwrap();
    let component = componentize_with(&core, &opts("plugin.wit", "plugin")).expect("componentize");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plugin.wasm"), &component).unwrap();
    wasm_tools(dir.path(), &["validate", "plugin.wasm"]);
    // The world has the vendor export and no `wasi:cli/run`.
    let wit = wasm_tools(dir.path(), &["component", "wit", "plugin.wasm"]);
    assert!(wit.contains("export acme:plugin/handler@1.0.0;"), "{wit}");
    assert!(!wit.contains("wasi:cli/run"), "{wit}");
    for (input, want) in [("hello", "handled: hello"), ("", "handled: ")] {
        let out = Command::new(Tool::Wasmtime.path())
            .arg("run")
            .arg("--invoke")
            .arg(format!("handle({input:?})"))
            .arg("plugin.wasm")
            .current_dir(dir.path())
            .output()
            .expect("running wasmtime");
        assert!(
            out.status.success(),
            "wasmtime: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{want:?}\n"));
    }
}

#[test]
fn vendor_buffer_import_goes_through_the_adapter() {
    let core = wat::parse_str(SENSOR).unwrap();
    let component =
        componentize_with(&core, &opts("sensors.wit", "firmware")).expect("componentize");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sensor.wasm"), &component).unwrap();
    wasm_tools(dir.path(), &["validate", "sensor.wasm"]);
    let wit = wasm_tools(dir.path(), &["component", "wit", "sensor.wasm"]);
    assert!(wit.contains("import acme:sensors/temp@1.0.0;"), "{wit}");
    assert!(wit.contains("export wasi:cli/run@0.2.12;"), "{wit}");
    // The core module's import is the adapter's, which lowers the standard
    // `model` with its own realloc.
    let printed = wasm_tools(dir.path(), &["print", "sensor.wasm"]);
    assert!(
        printed.contains("cabi_import_realloc"),
        "no adapter realloc"
    );
}

#[test]
fn a_vendor_world_without_its_wit_is_a_clear_error() {
    let core = wat::parse_str(SENSOR).unwrap();
    // Without any world the module's import is not in wasi:cli/command.
    let err = componentize_with(&core, &Options::default()).unwrap_err();
    assert!(
        matches!(err, ComponentizeError::UnknownImport { .. }),
        "{err}"
    );
    // A wasit2-abi section naming a world only its WIT has.
    let mut named = core.clone();
    wasm_encoder::CustomSection {
        name: "wasit2-abi".into(),
        data: b"wasit2-abi 1\narch wasm32\nworld acme:sensors/firmware@1.0.0\nhost wasit2\n"
            .as_slice()
            .into(),
    }
    .append_to(&mut named);
    let err = componentize_with(&named, &Options::default()).unwrap_err();
    assert!(matches!(err, ComponentizeError::NeedWit { .. }), "{err}");
    assert!(err.to_string().contains("--wit PATH --world NAME"), "{err}");
    // With its WIT it works.
    let o = Options {
        wit: vec![wit("sensors.wit")],
        world: Some("acme:sensors/firmware@1.0.0".into()),
        ..Default::default()
    };
    componentize_with(&named, &o).expect("componentize with --wit");
    // --wit alone does not say which world.
    let o = Options {
        wit: vec![wit("sensors.wit")],
        ..Default::default()
    };
    let err = componentize_with(&core, &o).unwrap_err();
    assert!(matches!(err, ComponentizeError::WitWithoutWorld), "{err}");
}

#[test]
fn a_command_without_run_is_refused() {
    // No initializer: a command, whose `run` is required.
    let core =
        wat::parse_str(PLUGIN.replace(r#"(func (export "cm32p2_initialize"))"#, "")).unwrap();
    let o = Options {
        world: Some("acme:plugin/plugin@1.0.0+wasi:cli/command@0.2.12".into()),
        wit: vec![wit("plugin.wit")],
        ..Default::default()
    };
    let err = componentize_with(&core, &o).unwrap_err();
    assert!(err.to_string().contains("wasi:cli/run"), "{err}");
}

#[test]
fn an_export_outside_the_world_is_refused() {
    let core = wat::parse_str(PLUGIN).unwrap();
    let err = componentize_with(&core, &opts("sensors.wit", "firmware")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "export `cm32p2|acme:plugin/handler@1|handle` is not part of world \
         `acme:sensors/firmware-with-wasi@1.0.0`"
    );
}

#[test]
fn params_alloc_of_the_wrong_type_is_refused() {
    let bad = PLUGIN.replace(
        "(param $size i32) (param $align i32) (result i32)",
        "(param $size i32) (param $align i32) (param $extra i32) (result i32)",
    );
    let core = wat::parse_str(bad).unwrap();
    let err = componentize_with(&core, &opts("plugin.wit", "plugin")).unwrap_err();
    assert!(
        err.to_string()
            .contains("`cm32p2_params_alloc` must have type"),
        "{err}"
    );
}
