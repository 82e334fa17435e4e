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

/// Builds `tests/interfaces/<c>` with the bindings of `<wit>`'s `world`
/// into `dir` for `arch`, as docs/interfaces.md does: only the bindgen
/// source added, no extra link flag.
fn build(
    dir: &Path,
    wit: &str,
    world: &str,
    name: &str,
    c: &str,
    arch: &str,
    reactor: bool,
) -> PathBuf {
    build_in(
        &repo().join("tests/interfaces"),
        dir,
        wit,
        world,
        name,
        c,
        arch,
        reactor,
    )
}

/// [`build`] with the WIT and C in `src`.
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

#[test]
fn sensor_guest_runs_on_the_example_embedder() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    for arch in ARCHES {
        let wasm = build(
            dir.path(),
            "sensors.wit",
            "firmware",
            "acme_sensors",
            "sensor",
            arch,
            false,
        );
        // The same data, and so the same output, as the WAMR natives
        // (examples/wamr-embedder) and the component host serve.
        let out = Command::new(example("sensor")).arg(&wasm).output().unwrap();
        assert_eq!(
            (
                out.status.code(),
                text(&out.stdout).as_str(),
                text(&out.stderr).as_str()
            ),
            (
                Some(0),
                "model: ACME TMP-117 precision thermometer\nsamples (5): 21 22 22 23 21\n",
                ""
            ),
            "{arch}"
        );
        // A model name longer than the guest's 64-byte buffer: the guest
        // gets the size it needs (and nothing written) and says so.
        let long = "M".repeat(70);
        let out = Command::new(example("sensor"))
            .arg(&wasm)
            .env("SENSOR_MODEL", &long)
            .output()
            .unwrap();
        assert_eq!(
            (
                out.status.code(),
                text(&out.stdout).as_str(),
                text(&out.stderr).as_str()
            ),
            (Some(1), "", "model name too long (70 bytes)\n"),
            "{arch}"
        );
        // Exactly 64 bytes fits.
        let fits = "F".repeat(64);
        let out = Command::new(example("sensor"))
            .arg(&wasm)
            .env("SENSOR_MODEL", &fits)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{arch}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).starts_with(&format!("model: {fits}\n")),
            "{arch}"
        );
    }
}

#[test]
fn sensor_guest_without_the_vendor_host_names_the_missing_import() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let wasm = build(
        dir.path(),
        "sensors.wit",
        "firmware",
        "acme_sensors",
        "sensor",
        "wasm32",
        false,
    );
    let out = Command::new(wasit2_testkit::wasit2_bin())
        .arg("run")
        .arg(&wasm)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
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
        let wasm = build(
            dir.path(),
            "plugin.wit",
            "plugin",
            "acme_plugin",
            "plugin",
            arch,
            true,
        );
        // An empty string, a multi-byte one and one larger than a page:
        // each goes through <p>_params_alloc and comes back through _post.
        let big = "ab".repeat(40_000);
        let out = Command::new(example("plugin"))
            .arg(&wasm)
            .args(["hello", "", "wörld", &big])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{arch}: {}", text(&out.stderr));
        let expected = format!(
            "handled: HELLO\nhandled: \nhandled: WöRLD\nhandled: {}\n",
            "AB".repeat(40_000)
        );
        assert!(
            text(&out.stdout) == expected,
            "{arch}: {:.200}",
            text(&out.stdout)
        );
    }
}

#[test]
fn plugin_reactor_through_wasit2_run_invoke() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    for arch in ARCHES {
        let wasm = build(
            dir.path(),
            "plugin.wit",
            "plugin",
            "acme_plugin",
            "plugin",
            arch,
            true,
        );
        for name in [
            "acme:plugin/handler@1.0.0#handle",
            "acme:plugin/handler@1#handle",
            "acme:plugin/handler#handle",
        ] {
            let out = Command::new(wasit2_testkit::wasit2_bin())
                .args(["run", "--invoke", name])
                .arg(&wasm)
                .arg("hi there")
                .output()
                .unwrap();
            assert_eq!(
                (
                    out.status.code(),
                    text(&out.stdout).as_str(),
                    text(&out.stderr).as_str()
                ),
                (Some(0), "handled: HI THERE\n", ""),
                "{arch} {name}"
            );
        }
        // A function the world does not export: one line listing those it does.
        let out = Command::new(wasit2_testkit::wasit2_bin())
            .args(["run", "--invoke", "acme:plugin/handler#nope"])
            .arg(&wasm)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("exported functions: acme:plugin/handler@1.0.0#handle)"),
            "{}",
            text(&out.stderr)
        );
    }
}
