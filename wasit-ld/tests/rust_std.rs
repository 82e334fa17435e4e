//! Rust std programs linked by wasit-ld: `cargo build --target wasm32-wasip2`
//! (or `wasm32-wasip1`) with wasit-ld as the linker must give a wasit2 module
//! (standard wasip2 imports bridged; p1 imports served by the wasit2 libc's
//! p1 layer), which runs on `wasit2 run` and, componentized, on the wasmtime
//! CLI with the same output as the standard build on wasmtime.
//!
//! The program is tests/rust/std-demo (not a workspace member); its builds
//! are cached under target/ so reruns only relink.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use wasit2_testkit::Tool;

const WASIT_LD: &str = env!("CARGO_BIN_EXE_wasit-ld");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn wasmtime() -> PathBuf {
    Tool::Wasmtime.path()
}

fn wasit2_cli() -> PathBuf {
    Tool::Wasit2.path()
}

fn assert_ok(what: &str, o: &Output) {
    assert!(
        o.status.success(),
        "{what} failed: {}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Builds std-demo for `target` with `linker` into a stable target dir and
/// returns the .wasm. Cargo does not notice a changed linker binary, so an
/// output older than the linker is removed to force the link to run again.
fn build_std_demo(target: &str, linker: &Path, dir_name: &str) -> PathBuf {
    let crate_dir = repo().join("tests/rust/std-demo");
    let target_dir = repo().join("target").join(dir_name);
    let out = target_dir.join(target).join("release/std-demo.wasm");
    let linker_time = std::fs::metadata(linker).and_then(|m| m.modified()).ok();
    let out_time = std::fs::metadata(&out).and_then(|m| m.modified()).ok();
    if let (Some(l), Some(o)) = (linker_time, out_time) {
        if o < l {
            wasit2_testkit::remove_wasm_outputs(
                &target_dir.join(target).join("release"),
                "std-demo",
            );
        }
    }
    let env_name = format!(
        "CARGO_TARGET_{}_LINKER",
        target.to_uppercase().replace('-', "_")
    );
    let o = wasit2_testkit::guest_cargo(&crate_dir)
        .args([
            "build",
            "--release",
            "--quiet",
            "--target",
            target,
            "--target-dir",
        ])
        .arg(&target_dir)
        .env(env_name, linker)
        .output()
        .expect("running cargo");
    assert_ok(
        &format!(
            "cargo build std-demo for {target} with {}",
            linker.display()
        ),
        &o,
    );
    assert!(out.is_file(), "{} was not produced", out.display());
    out
}

struct Case {
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    stdin: &'static [u8],
    /// Preopen a fresh directory as `/d`.
    dir: bool,
    network: bool,
}

const CASES: &[Case] = &[
    Case {
        args: &["args", "one", "two words", "", "ünïcode"],
        env: &[],
        stdin: b"",
        dir: false,
        network: false,
    },
    Case {
        args: &["env"],
        env: &[
            ("DEMO_A", "1"),
            ("DEMO_B", "with space"),
            ("DEMO_C", "é"),
            ("OTHER", "x"),
        ],
        stdin: b"",
        dir: false,
        network: false,
    },
    Case {
        args: &["stdin"],
        env: &[],
        stdin: STDIN,
        dir: false,
        network: false,
    },
    Case {
        args: &["files", "/d"],
        env: &[],
        stdin: b"",
        dir: true,
        network: false,
    },
    Case {
        args: &["tcp"],
        env: &[],
        stdin: b"",
        dir: false,
        network: true,
    },
    Case {
        args: &["misc"],
        env: &[],
        stdin: b"",
        dir: false,
        network: false,
    },
    Case {
        args: &["exit", "3"],
        env: &[],
        stdin: b"",
        dir: false,
        network: false,
    },
    Case {
        args: &["no-such-command"],
        env: &[],
        stdin: b"",
        dir: false,
        network: false,
    },
];

const STDIN: &[u8] = b"first line\nsecond line\n\xff\x00binary tail";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Runner {
    Wasmtime,
    Wasit2,
}

fn run(runner: Runner, wasm: &Path, case: &Case) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = match runner {
        Runner::Wasmtime => {
            let mut c = Command::new(wasmtime());
            c.arg("run");
            if case.network {
                c.args(["-S", "inherit-network=y"]);
            }
            c
        }
        Runner::Wasit2 => {
            let mut c = Command::new(wasit2_cli());
            c.arg("run");
            if case.network {
                c.args(["-S", "inherit-network"]);
            }
            c
        }
    };
    for (k, v) in case.env {
        cmd.arg("--env").arg(format!("{k}={v}"));
    }
    if case.dir {
        cmd.arg("--dir")
            .arg(format!("{}::/d", dir.path().display()));
    }
    cmd.arg(wasm).args(case.args);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running {runner:?}: {e}"));
    let mut pipe = child.stdin.take().unwrap();
    let input = case.stdin.to_vec();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn import_modules(bytes: &[u8]) -> Vec<String> {
    import_fields(bytes).into_iter().map(|(m, _)| m).collect()
}

fn import_fields(bytes: &[u8]) -> Vec<(String, String)> {
    let module = wasit2_module::Module::parse(bytes).expect("a valid module");
    module
        .imports
        .into_iter()
        .map(|i| (i.module, i.field))
        .collect()
}

fn export_names(bytes: &[u8]) -> Vec<String> {
    let module = wasit2_module::Module::parse(bytes).expect("a valid module");
    module.exports.into_iter().map(|e| e.name).collect()
}

/// A wasit2 module: only wasit2 imports, all of them passing the ABI check,
/// no realloc export, the wasit2 run and memory exports.
fn assert_wasit2_module(bytes: &[u8]) {
    let modules = import_modules(bytes);
    assert!(!modules.is_empty());
    for m in &modules {
        assert!(
            m.starts_with("cm32p2|") || m.starts_with("wasit2-cm32p2|"),
            "non-wasit2 import module `{m}`"
        );
    }
    assert!(
        modules.iter().any(|m| m.starts_with("wasit2-cm32p2|")),
        "expected caller-buffer imports (arguments)"
    );
    let exports = export_names(bytes);
    assert!(
        !exports.iter().any(|e| e.contains("realloc")),
        "exports a realloc: {exports:?}"
    );
    assert!(
        exports.iter().any(|e| e == "cm32p2|wasi:cli/run@0.2|run"),
        "no run export: {exports:?}"
    );
    assert!(
        exports.iter().any(|e| e == "cm32p2_memory"),
        "no memory export: {exports:?}"
    );
    let profile = wasit2_check::HostProfile::wasit2().unwrap();
    let report = wasit2_check::check(bytes, &profile, &Default::default()).unwrap();
    assert!(
        report.is_ok(),
        "wasit2 check against {}: {report}",
        profile.world
    );
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `got` printed what `expected` did and exited with `code`.
fn compare(what: &str, got: &Output, expected: &Output, code: Option<i32>) {
    assert_eq!(
        stdout(got),
        stdout(expected),
        "{what}: stdout differs; stderr:\n{}",
        String::from_utf8_lossy(&got.stderr)
    );
    assert_eq!(
        got.status.code(),
        code,
        "{what}: exit code; stderr:\n{}",
        String::from_utf8_lossy(&got.stderr)
    );
}

/// Builds std-demo with wasit-ld for `target`, checks the module, and runs
/// every case (but `skip`) on `wasit2 run` and componentized on wasmtime,
/// comparing with the standard build (`reference`) on wasmtime.
fn link_and_compare(target: &str, reference: &Path, skip: &[&str]) {
    let module = build_std_demo(target, Path::new(WASIT_LD), "rust-std-demo");
    let bytes = std::fs::read(&module).unwrap();
    assert_wasit2_module(&bytes);

    let dir = tempfile::tempdir().unwrap();
    let component = dir.path().join("std-demo.component.wasm");
    // For WASI 0.2.12 hosts, so `exit 3` keeps its status.
    let for_0_2_12 = wasit2_componentize::Options {
        wasi_version: Some(semver::Version::new(0, 2, 12)),
        ..Default::default()
    };
    std::fs::write(
        &component,
        wasit2_componentize::componentize_with(&bytes, &for_0_2_12).expect("componentize"),
    )
    .unwrap();

    for case in CASES.iter().filter(|c| !skip.contains(&c.args[0])) {
        let what = format!("{target}: {}", case.args.join(" "));
        let expected = run(Runner::Wasmtime, reference, case);
        if case.args[0] != "exit" && case.args[0] != "no-such-command" {
            assert_ok(&format!("reference `{what}`"), &expected);
            assert!(
                !expected.stdout.is_empty(),
                "reference `{what}` printed nothing"
            );
        } else {
            assert!(!expected.status.success(), "reference `{what}` should fail");
        }
        // rustup's wasip2 libc can only exit with "failure" (1); the wasit2
        // libc keeps the program's code, as natively and on wasip1.
        // (std-demo exits 2 on an unknown command).
        let code = match (case.args, expected.status.code()) {
            (["exit", code], Some(1)) if target == "wasm32-wasip2" => code.parse().ok(),
            (["no-such-command"], Some(1)) if target == "wasm32-wasip2" => Some(2),
            (_, code) => code,
        };
        compare(
            &format!("componentized on wasmtime `{what}`"),
            &run(Runner::Wasmtime, &component, case),
            &expected,
            code,
        );
        compare(
            &format!("wasit2 run `{what}`"),
            &run(Runner::Wasit2, &module, case),
            &expected,
            code,
        );
    }
}

#[test]
fn rust_wasip2_std_program_links_to_a_wasit2_module_and_runs_everywhere() {
    // The standard build: a component from rustup's wasm-component-ld.
    let reference = build_std_demo(
        "wasm32-wasip2",
        Path::new("wasm-component-ld"),
        "rust-std-demo-ref",
    );
    link_and_compare("wasm32-wasip2", &reference, &[]);
    // std's files are read by the wasit2 libc (into the caller's buffer),
    // not by rustup's through streams.
    let module = build_std_demo("wasm32-wasip2", Path::new(WASIT_LD), "rust-std-demo");
    let imports = import_fields(&std::fs::read(module).unwrap());
    assert!(
        imports.contains(&(
            "wasit2-cm32p2|wasi:filesystem/types@0.2".into(),
            "[method]descriptor.read".into()
        )),
        "{imports:?}"
    );
    assert!(
        !imports
            .iter()
            .any(|(_, f)| f == "[method]descriptor.read-via-stream"),
        "{imports:?}"
    );
}

/// A `wasm32-wasip2` program that calls a function the wasit2 libc does
/// not define (`fts_open`, which rustup's newer wasi-libc has) is linked on
/// rustup's libc, bridged, instead of failing; `-v` says why.
#[test]
fn rust_wasip2_program_needing_more_libc_keeps_rustups_libc() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("fts.rs");
    std::fs::write(
        &src,
        r#"extern "C" {
    fn fts_open(paths: *const *const u8, options: i32, compar: usize) -> usize;
}
fn main() {
    let dot = b".\0";
    let paths = [dot.as_ptr(), std::ptr::null()];
    let handle = unsafe { fts_open(paths.as_ptr(), 0x10, 0) };
    println!("fts_open {}", if handle == 0 { "failed" } else { "ok" });
}
"#,
    )
    .unwrap();
    let out = dir.path().join("fts.wasm");
    let o = Command::new("rustc")
        // -W linker-messages: rustc shows a successful link's stderr.
        .args(["--target", "wasm32-wasip2", "-O", "-Wlinker-messages"])
        .arg(format!("-Clinker={WASIT_LD}"))
        .arg("-Clink-arg=-v")
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_ok("rustc fts.rs with wasit-ld", &o);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("wasit-ld: the wasit2 libc lacks fts_open; linking rustup's wasip2 libc"),
        "{stderr}"
    );
    let bytes = std::fs::read(&out).unwrap();
    assert_wasit2_module(&bytes);
    let imports = import_fields(&bytes);
    assert!(
        imports
            .iter()
            .any(|(_, f)| f == "[method]descriptor.read-via-stream"),
        "rustup's libc reads through streams: {imports:?}"
    );
    let run = Command::new(wasit2_cli())
        .args(["run", "--dir", "."])
        .arg(&out)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_ok("wasit2 run fts.wasm", &run);
    assert_eq!(stdout(&run), "fts_open ok\n");
}

#[test]
fn rust_wasip1_std_program_links_to_a_wasit2_module_and_runs_everywhere() {
    // The standard build: a p1 module from rustup's rust-lld and wasi-libc.
    let reference = build_std_demo("wasm32-wasip1", Path::new("rust-lld"), "rust-std-demo-ref");
    // Rust std has no TcpListener on wasip1 (it panics the same on both).
    link_and_compare("wasm32-wasip1", &reference, &["tcp"]);
}

#[test]
fn rust_wasip1_link_without_the_wasit2_libc_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("hello.rs");
    std::fs::write(&src, "fn main() { println!(\"hi\"); }\n").unwrap();
    let out = dir.path().join("hello.wasm");
    let o = Command::new("rustc")
        .args(["--target", "wasm32-wasip1"])
        .arg(format!("-Clinker={WASIT_LD}"))
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .env("WASIT2_SYSROOT", dir.path().join("no-sysroot"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("wasit-ld: error:"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        line.contains("needs the wasit2 libc") && line.contains("no-sysroot"),
        "{line}"
    );
    assert!(!out.exists(), "no output on error");
}

/// The simpler path cannot target the 2020 WAMR: rustup's prebuilt std is
/// built for the default CPU. `-C link-arg=--host=wasip1` with it is one
/// clear line that names the spec to use, for both rustup targets.
#[test]
fn rustup_std_with_host_wasip1_names_the_mvp_spec() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("hello.rs");
    std::fs::write(&src, "fn main() { println!(\"hi\"); }\n").unwrap();
    for target in ["wasm32-wasip1", "wasm32-wasip2"] {
        let out = dir.path().join(format!("{target}.wasm"));
        let o = Command::new("rustc")
            .args(["--target", target])
            .arg(format!("-Clinker={WASIT_LD}"))
            .arg("-Clink-arg=--host=wasip1")
            .arg(&src)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert!(!o.status.success());
        let stderr = String::from_utf8_lossy(&o.stderr);
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("wasit-ld: error:"))
            .collect();
        assert_eq!(lines.len(), 1, "{stderr}");
        assert!(
            lines[0].contains(&format!("rustup's prebuilt {target} std"))
                && lines[0].contains("wasm32-wasit2-mvp.json"),
            "{}",
            lines[0]
        );
        assert!(!out.exists(), "no output on error");
    }
}
