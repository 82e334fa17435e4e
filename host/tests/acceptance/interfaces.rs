//! Vendor interfaces end to end (issue 19): the sensor and plugin examples
//! of `tests/interfaces/` built from C with `wasit2 bindgen` and clang-22
//! for wasm32 and wasm64, run on the example embedders
//! (`examples/sensor.rs`, `examples/plugin.rs`, through `bindgen!`) and
//! through `wasit2 run --invoke`.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

use wasit2_testkit::{repo, Tool};

pub const ARCHES: [&str; 2] = ["wasm32", "wasm64"];

/// The tools (`wasit2`, `wasit-ld`) and this package's examples, built
/// once per test run.
pub fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        wasit2_testkit::build_workspace_bins(&[Tool::Wasit2, Tool::WasitLd]);
        for arch in ARCHES {
            wasit2_testkit::require_clang_target(&format!("{arch}-wasit2"));
        }
        // The profile this test was built with (`target/<profile>/deps/…`).
        let exe = std::env::current_exe().unwrap();
        let profile = match exe.ancestors().nth(2).and_then(|d| d.file_name()) {
            Some(d) if d != "debug" => d.to_string_lossy().into_owned(),
            _ => "dev".to_string(),
        };
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
        let out = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "wasit2-host",
                "--examples",
                "--profile",
            ])
            .arg(profile)
            .arg("--target-dir")
            .arg(target_dir())
            .current_dir(repo())
            .output()
            .expect("running cargo build --examples");
        assert!(
            out.status.success(),
            "building the examples failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
}

/// `target/` of this test binary (`target/debug/deps/acceptance-…`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(2).unwrap().join("examples").join(name)
}

fn check(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Builds `<c>.c` from `src` with the bindings of `<wit>`'s `world`
/// into `dir` for `arch`, as docs/interfaces.md does: only the bindgen
/// source added, no extra link flag.
#[allow(clippy::too_many_arguments)]
pub fn build_in(
    src: &Path,
    dir: &Path,
    wit: &str,
    world: &str,
    name: &str,
    c: &str,
    arch: &str,
    reactor: bool,
) -> PathBuf {
    check(
        Command::new(wasit2_testkit::wasit2_bin())
            .args(["bindgen", "--wit"])
            .arg(src.join(wit))
            .args(["--world", world, "--name", name, "--out-dir"])
            .arg(dir),
    );
    let out = dir.join(format!("{c}-{arch}.wasm"));
    let mut cmd = Command::new(wasit2_testkit::clang());
    cmd.arg(format!("--target={arch}-wasit2")).arg("-O1");
    if reactor {
        cmd.arg("-mexec-model=reactor");
    }
    cmd.arg(src.join(format!("{c}.c")))
        .arg(dir.join(format!("{name}.c")))
        .arg("-I")
        .arg(dir)
        .arg("-o")
        .arg(&out);
    check(&mut cmd);
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The sensor guest of `tests/interfaces` (`sensors.wit`'s firmware
/// world) for `arch`, in `dir`.
fn sensor(dir: &Path, arch: &str) -> PathBuf {
    let src = repo().join("tests/interfaces");
    build_in(
        &src,
        dir,
        "sensors.wit",
        "firmware",
        "acme_sensors",
        "sensor",
        arch,
        false,
    )
}

/// The plugin reactor of `tests/interfaces` (`plugin.wit`'s plugin world)
/// for `arch`, in `dir`.
fn plugin(dir: &Path, arch: &str) -> PathBuf {
    let src = repo().join("tests/interfaces");
    build_in(
        &src,
        dir,
        "plugin.wit",
        "plugin",
        "acme_plugin",
        "plugin",
        arch,
        true,
    )
}

/// Runs `cmd` to its end: exit code, stdout, stderr.
fn output(cmd: &mut Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// `wasm` on the example sensor embedder, with `SENSOR_MODEL=<model>`
/// when given.
fn on_sensor_host(wasm: &Path, model: Option<&str>) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(example("sensor"));
    cmd.arg(wasm);
    if let Some(model) = model {
        cmd.env("SENSOR_MODEL", model);
    }
    output(&mut cmd)
}

/// `wasit2 run --invoke <name> <wasm> <args>`.
fn invoke(wasm: &Path, name: &str, args: &[&str]) -> (Option<i32>, String, String) {
    output(
        Command::new(wasit2_testkit::wasit2_bin())
            .args(["run", "--invoke", name])
            .arg(wasm)
            .args(args),
    )
}

/// The expected (exit code, stdout, stderr).
fn want(code: i32, stdout: &str, stderr: &str) -> (Option<i32>, String, String) {
    (Some(code), stdout.to_string(), stderr.to_string())
}

#[test]
fn sensor_guest_runs_on_the_example_embedder() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    for arch in ARCHES {
        let wasm = sensor(dir.path(), arch);
        // The same data, and so the same output, as the WAMR natives
        // (examples/wamr-embedder) and the component host serve.
        assert_eq!(
            on_sensor_host(&wasm, None),
            want(
                0,
                "model: ACME TMP-117 precision thermometer\nsamples (5): 21 22 22 23 21\n",
                ""
            ),
            "{arch}"
        );
        // A model name longer than the guest's 64-byte buffer: the guest
        // gets the size it needs (and nothing written) and says so.
        let long = "M".repeat(70);
        assert_eq!(
            on_sensor_host(&wasm, Some(&long)),
            want(1, "", "model name too long (70 bytes)\n"),
            "{arch}"
        );
        // Exactly 64 bytes fits.
        let fits = "F".repeat(64);
        let (code, stdout, stderr) = on_sensor_host(&wasm, Some(&fits));
        assert_eq!(code, Some(0), "{arch}: {stderr}");
        assert!(stdout.starts_with(&format!("model: {fits}\n")), "{arch}");
    }
}

#[test]
fn sensor_guest_without_the_vendor_host_names_the_missing_import() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let wasm = sensor(dir.path(), "wasm32");
    let (code, _, err) = output(
        Command::new(wasit2_testkit::wasit2_bin())
            .arg("run")
            .arg(&wasm),
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("`wasit2-cm32p2|acme:sensors/temp@1`")
            && err.contains("a vendor interface: serve it from an embedder")
            && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn plugin_reactor_through_the_example_embedder() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    for arch in ARCHES {
        let wasm = plugin(dir.path(), arch);
        // An empty string, a multi-byte one and one larger than a page:
        // each goes through <p>_params_alloc and comes back through _post.
        let big = "ab".repeat(40_000);
        let (code, stdout, stderr) = output(
            Command::new(example("plugin"))
                .arg(&wasm)
                .args(["hello", "", "wörld", &big]),
        );
        assert_eq!(code, Some(0), "{arch}: {stderr}");
        let expected = format!(
            "handled: HELLO\nhandled: \nhandled: WöRLD\nhandled: {}\n",
            "AB".repeat(40_000)
        );
        assert!(stdout == expected, "{arch}: {stdout:.200}");
    }
}

#[test]
fn plugin_reactor_through_wasit2_run_invoke() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    for arch in ARCHES {
        let wasm = plugin(dir.path(), arch);
        for name in [
            "acme:plugin/handler@1.0.0#handle",
            "acme:plugin/handler@1#handle",
            "acme:plugin/handler#handle",
        ] {
            assert_eq!(
                invoke(&wasm, name, &["hi there"]),
                want(0, "handled: HI THERE\n", ""),
                "{arch} {name}"
            );
        }
        // A function the world does not export: one line listing those it does.
        let (code, _, stderr) = invoke(&wasm, "acme:plugin/handler#nope", &[]);
        assert_eq!(code, Some(1));
        assert!(
            stderr.contains("exported functions: acme:plugin/handler@1.0.0#handle)"),
            "{stderr}"
        );
    }
}
