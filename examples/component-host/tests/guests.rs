//! The C examples of `tests/interfaces` built with `wasit2 bindgen` and
//! clang-22 (wasm32-wasit2, and wasm64-wasit2), componentized, validated with wasm-tools and
//! run on this wasmtime component host: the sensor command prints what
//! the host's `acme:sensors/temp` serves, the plugin reactor's `handle` is
//! called with a string.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

use wasit2_testkit::{repo, Tool};

/// What `sensor.c` prints with this host's readings (the same on every
/// example host, docs/interfaces.md).
const SENSOR_OUTPUT: &str =
    "model: ACME TMP-117 precision thermometer\nsamples (5): 21 22 22 23 21\n";

fn interfaces() -> PathBuf {
    repo().join("tests/interfaces")
}

/// Runs `cmd`, panicking with its stderr when it fails; returns stdout.
fn ok(mut cmd: Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn tools() {
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        wasit2_testkit::build_workspace_bins(&[Tool::Wasit2, Tool::WasitLd]);
        wasit2_testkit::require_clang_target("wasm32-wasit2");
    });
}

/// `wasit2 bindgen` for `wit`'s `world` into `dir` as `<name>.{h,c}`.
fn bindgen(dir: &Path, wit: &str, world: &str, name: &str) {
    let mut cmd = Command::new(Tool::Wasit2.path());
    cmd.arg("bindgen")
        .arg("--wit")
        .arg(interfaces().join(wit))
        .args(["--world", world, "--name", name, "--out-dir"])
        .arg(dir);
    ok(cmd);
}

/// clang-22 for wasm32-wasit2 (a later `--target` in `flags` wins):
/// `source` from tests/interfaces plus the bindings, into `dir/out`.
fn build(dir: &Path, source: &str, bindings: &str, flags: &[&str], out: &str) -> PathBuf {
    let mut cmd = Command::new(Tool::Clang.path());
    cmd.args(["--target=wasm32-wasit2", "-O2", "-I"])
        .arg(dir)
        .arg(interfaces().join(source))
        .arg(dir.join(format!("{bindings}.c")))
        .args(flags)
        .arg("-o")
        .arg(dir.join(out));
    ok(cmd);
    dir.join(out)
}

fn componentize(core: &Path) -> PathBuf {
    let out = core.with_extension("component.wasm");
    let mut cmd = Command::new(Tool::Wasit2.path());
    cmd.arg("componentize").arg(core).arg("-o").arg(&out);
    ok(cmd);
    out
}

fn validate(component: &Path) {
    let mut cmd = Command::new(Tool::WasmTools.path());
    cmd.arg("validate").arg(component);
    ok(cmd);
}

fn host() -> Command {
    Command::new(env!("CARGO_BIN_EXE_component-host"))
}

fn run_sensor(component: &Path) {
    validate(component);
    let mut cmd = host();
    cmd.arg("run").arg(component);
    assert_eq!(ok(cmd), SENSOR_OUTPUT);
}

#[test]
fn sensor_command_runs_componentized() {
    tools();
    let dir = tempfile::tempdir().unwrap();
    bindgen(dir.path(), "sensors.wit", "firmware", "acme_sensors");
    // The world comes from the bindings: no --wit or --world anywhere.
    let core = build(dir.path(), "sensor.c", "acme_sensors", &[], "sensor.wasm");
    run_sensor(&componentize(&core));
    // --strip-all drops component-type; the wasit2-world record remains.
    let stripped = build(
        dir.path(),
        "sensor.c",
        "acme_sensors",
        &["-Wl,--strip-all"],
        "stripped.wasm",
    );
    run_sensor(&componentize(&stripped));
    // Linked straight to a component.
    let emitted = build(
        dir.path(),
        "sensor.c",
        "acme_sensors",
        &["-Wl,--emit-component"],
        "emitted.wasm",
    );
    run_sensor(&emitted);
}

#[test]
fn sensor_command_wasm64_runs_componentized() {
    tools();
    wasit2_testkit::require_clang_target("wasm64-wasit2");
    let dir = tempfile::tempdir().unwrap();
    bindgen(dir.path(), "sensors.wit", "firmware", "acme_sensors");
    let core = build(
        dir.path(),
        "sensor.c",
        "acme_sensors",
        &["--target=wasm64-wasit2"],
        "sensor64.wasm",
    );
    let component = componentize(&core);
    // A 64-bit memory in a component: the 🐘 cm64 feature.
    let mut cmd = Command::new(Tool::WasmTools.path());
    cmd.args(["validate", "--features=all"]).arg(&component);
    ok(cmd);
    let mut cmd = host();
    cmd.arg("run").arg(&component);
    assert_eq!(ok(cmd), SENSOR_OUTPUT);
}

#[test]
fn plugin_reactor_handles_componentized() {
    tools();
    let dir = tempfile::tempdir().unwrap();
    bindgen(dir.path(), "plugin.wit", "plugin", "acme_plugin");
    let core = build(
        dir.path(),
        "plugin.c",
        "acme_plugin",
        &["-mexec-model=reactor"],
        "plugin.wasm",
    );
    let component = componentize(&core);
    // Linked straight to a component, too.
    let emitted = build(
        dir.path(),
        "plugin.c",
        "acme_plugin",
        &["-mexec-model=reactor", "-Wl,--emit-component"],
        "emitted.wasm",
    );
    for component in [&component, &emitted] {
        validate(component);
        for (input, want) in [
            ("hello, plugin", "handled: HELLO, PLUGIN\n"),
            ("", "handled: \n"),
        ] {
            let mut cmd = host();
            cmd.arg("call").arg(component).arg(input);
            assert_eq!(ok(cmd), want);
        }
    }
    // A long input: the parameter is lifted through params_alloc (malloc).
    let long = "x".repeat(100_000);
    let mut cmd = host();
    cmd.arg("call").arg(&component).arg(&long);
    assert_eq!(ok(cmd), format!("handled: {}\n", long.to_uppercase()));
}

/// The plugin built for wasm64-wasit2: its `handle` takes and returns a
/// string through the lift shim's staging memory (docs/componentize.md,
/// "wasm64"), on this host and on the wasmtime CLI, with the wasm32
/// plugin's output.
#[test]
fn plugin_reactor_wasm64_handles_componentized() {
    tools();
    wasit2_testkit::require_clang_target("wasm64-wasit2");
    let dir = tempfile::tempdir().unwrap();
    bindgen(dir.path(), "plugin.wit", "plugin", "acme_plugin");
    let wasm32 = componentize(&build(
        dir.path(),
        "plugin.c",
        "acme_plugin",
        &["-mexec-model=reactor"],
        "plugin32.wasm",
    ));
    let mut components = Vec::new();
    for opt in ["-O0", "-O2"] {
        let core = build(
            dir.path(),
            "plugin.c",
            "acme_plugin",
            &["--target=wasm64-wasit2", opt, "-mexec-model=reactor"],
            &format!("plugin64{opt}.wasm"),
        );
        components.push(componentize(&core));
    }
    components.push(build(
        dir.path(),
        "plugin.c",
        "acme_plugin",
        &[
            "--target=wasm64-wasit2",
            "-mexec-model=reactor",
            "-Wl,--emit-component",
        ],
        "emitted64.wasm",
    ));
    let long = "x".repeat(100_000);
    for component in &components {
        let mut cmd = Command::new(Tool::WasmTools.path());
        cmd.args(["validate", "--features=cm64,memory64"])
            .arg(component);
        ok(cmd);
        for input in ["hello, plugin", "", "ünïcødé", long.as_str()] {
            let call = |c: &Path| {
                let mut cmd = host();
                cmd.arg("call").arg(c).arg(input);
                ok(cmd)
            };
            assert_eq!(call(component), call(&wasm32), "{}", component.display());
        }
        let mut cmd = Command::new(Tool::Wasmtime.path());
        cmd.args(["run", "-W", "component-model-memory64=y", "--invoke"])
            .arg("handle(\"hello, plugin\")")
            .arg(component);
        assert_eq!(ok(cmd), "\"handled: HELLO, PLUGIN\"\n");
    }
}
