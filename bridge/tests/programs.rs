//! Real programs built for standard wasm32-wasip2 (Rust std, and C with the
//! wasip2 libc.a that rustup ships), bridged into wasit2 modules, checked
//! against the ABI, then run: componentized on the wasmtime CLI, and on
//! `wasit2 run` once that command takes modules. The reference output is
//! the same program built the standard way (a component from rustup's
//! wasm-component-ld) run on wasmtime.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

/// The standard build of a Rust test program: a component.
fn reference_component(name: &str, dir: &Path) -> std::path::PathBuf {
    let src = manifest_dir().join("tests/rust").join(format!("{name}.rs"));
    let out = dir.join(format!("{name}.component.wasm"));
    let o = Command::new("rustc")
        .args(["--edition", "2021", "--target", "wasm32-wasip2", "-O"])
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_ok("rustc (component)", &o);
    out
}

fn run_reference(component: &Path, spec: &RunSpec) -> Output {
    let mut cmd = Command::new(wasmtime());
    cmd.arg("run");
    for (k, v) in spec.env {
        cmd.arg("--env").arg(format!("{k}={v}"));
    }
    if let Some((host, guest)) = spec.dir {
        cmd.arg("--dir").arg(format!("{}::{guest}", host.display()));
    }
    if spec.network {
        cmd.args(["-S", "inherit-network=y"]);
    }
    cmd.arg(component).args(spec.args);
    use std::io::Write;
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = spec.stdin.to_vec();
    let t = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    t.join().unwrap();
    out
}

/// Bridges, checks, runs componentized and (when available) on wasit2, and
/// compares both with `expected` (stdout, exit success).
fn bridge_and_run(
    core: &[u8],
    dir: &Path,
    spec: &RunSpec,
    expected: &Output,
) -> Vec<(String, String)> {
    assert!(
        wasit2_bridge::needs_bridge(core),
        "a standard wasip2 module needs the bridge"
    );
    let bridged = wasit2_bridge::bridge_standard_p2(core).expect("bridging");
    assert!(
        !wasit2_bridge::needs_bridge(&bridged),
        "the bridged module still looks standard"
    );
    let imports = check_wasit2_module(&bridged);

    let out = run_componentized(&bridged, dir, spec);
    assert_eq!(
        stdout(&out),
        stdout(expected),
        "componentized stdout; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.status.success(),
        expected.status.success(),
        "componentized exit status"
    );

    if let Some(out) = run_on_wasit2(&bridged, dir, spec) {
        assert_eq!(
            stdout(&out),
            stdout(expected),
            "wasit2 run stdout; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            out.status.success(),
            expected.status.success(),
            "wasit2 run exit status"
        );
    }
    imports
}

fn stdin_data() -> Vec<u8> {
    let mut data = b"hello stdin\n".to_vec();
    data.extend((0..150_000u32).map(|i| b'a' + (i % 26) as u8));
    data
}

#[test]
fn rust_args_env_stdin_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let core = build_rust("cli", tmp.path());
    let data = stdin_data();
    let spec = RunSpec {
        args: &["one", "two words", "ünïcödé"],
        env: &[("BRIDGE_A", "1"), ("BRIDGE_B", "x y"), ("OTHER", "z")],
        stdin: &data,
        ..Default::default()
    };
    let reference = run_reference(&reference_component("cli", tmp.path()), &spec);
    assert_ok("reference", &reference);
    let sum: u64 = data.iter().map(|b| *b as u64).sum();
    let text = stdout(&reference);
    assert!(
        text.contains(r#"args=["one", "two words", "ünïcödé"]"#),
        "{text}"
    );
    assert!(text.contains("env BRIDGE_B=x y"), "{text}");
    assert!(
        text.contains(&format!("stdin bytes={} sum={sum}", data.len())),
        "{text}"
    );

    let imports = bridge_and_run(&core, tmp.path(), &spec, &reference);
    // The list-returning functions this program uses go through glue.
    for f in [
        "get-arguments",
        "get-environment",
        "[method]input-stream.blocking-read",
    ] {
        assert!(
            imports
                .iter()
                .any(|(m, n)| m.starts_with("wasit2-cm32p2|") && n == f),
            "{f} not imported as a buffer function: {imports:?}"
        );
    }

    // A failing exit is preserved.
    let spec = RunSpec {
        args: &["fail"],
        ..Default::default()
    };
    let reference = run_reference(&reference_component("cli", tmp.path()), &spec);
    assert!(!reference.status.success());
    bridge_and_run(&core, tmp.path(), &spec, &reference);
}

#[test]
fn rust_files_under_a_preopen() {
    let tmp = tempfile::tempdir().unwrap();
    let core = build_rust("files", tmp.path());
    let data_dir = tempfile::tempdir().unwrap();
    let spec = RunSpec {
        args: &["/data"],
        dir: Some((data_dir.path(), "/data")),
        ..Default::default()
    };
    let reference = run_reference(&reference_component("files", tmp.path()), &spec);
    assert_ok("reference", &reference);
    let text = stdout(&reference);
    assert!(text.contains("big ok 300000"), "{text}");
    assert!(text.contains("entries=42"), "{text}");
    let imports = bridge_and_run(&core, tmp.path(), &spec, &reference);
    for f in [
        "get-directories",
        "[method]directory-entry-stream.read-directory-entry",
    ] {
        assert!(
            imports.iter().any(|(_, n)| n == f),
            "{f} not imported: {imports:?}"
        );
    }
}

#[test]
fn rust_tcp_loopback() {
    let tmp = tempfile::tempdir().unwrap();
    let core = build_rust("tcp", tmp.path());
    let spec = RunSpec {
        network: true,
        ..Default::default()
    };
    let reference = run_reference(&reference_component("tcp", tmp.path()), &spec);
    assert_ok("reference", &reference);
    assert!(
        stdout(&reference).contains("tcp ok bytes=100000 reply=pong"),
        "{}",
        stdout(&reference)
    );
    bridge_and_run(&core, tmp.path(), &spec, &reference);
}

#[test]
fn glue_arenas_do_not_leak() {
    let tmp = tempfile::tempdir().unwrap();
    let core = build_rust("churn", tmp.path());
    let data_dir = tempfile::tempdir().unwrap();
    let spec = RunSpec {
        args: &["/data"],
        dir: Some((data_dir.path(), "/data")),
        ..Default::default()
    };
    let bridged = wasit2_bridge::bridge_standard_p2(&core).expect("bridging");
    check_wasit2_module(&bridged);
    let out = run_componentized(&bridged, tmp.path(), &spec);
    assert_ok("churn", &out);
    // Without the spare-arena reuse this grows by ~100 pages.
    assert!(stdout(&out).contains(": ok"), "{}", stdout(&out));
    if let Some(out) = run_on_wasit2(&bridged, tmp.path(), &spec) {
        assert_ok("churn on wasit2", &out);
        assert!(stdout(&out).contains(": ok"), "{}", stdout(&out));
    }
}

#[test]
fn rust_udp_loopback() {
    let tmp = tempfile::tempdir().unwrap();
    let core = build_rust("udp", tmp.path());
    let spec = RunSpec {
        network: true,
        ..Default::default()
    };
    let reference = run_reference(&reference_component("udp", tmp.path()), &spec);
    assert_ok("reference", &reference);
    assert!(
        stdout(&reference).contains("datagram 4 len=4100"),
        "{}",
        stdout(&reference)
    );
    let imports = bridge_and_run(&core, tmp.path(), &spec, &reference);
    let receive = "[method]incoming-datagram-stream.receive";
    assert!(
        imports.iter().any(|(_, n)| n == receive),
        "{receive} not imported: {imports:?}"
    );
}

#[test]
fn c_with_rustup_wasip2_libc() {
    let tmp = tempfile::tempdir().unwrap();
    let core = build_c("cprog", tmp.path());
    let data_dir = tempfile::tempdir().unwrap();
    let data = stdin_data();
    let spec = RunSpec {
        args: &["/data", "x"],
        env: &[("BRIDGE_VAR", "from env")],
        stdin: &data,
        dir: Some((data_dir.path(), "/data")),
        ..Default::default()
    };
    let bridged = wasit2_bridge::bridge_standard_p2(&core).expect("bridging");
    check_wasit2_module(&bridged);
    let out = run_componentized(&bridged, tmp.path(), &spec);
    assert_ok("componentized C program", &out);
    let sum: u64 = data.iter().map(|b| *b as u64).sum();
    let expected = format!(
        "arg 1=/data\narg 2=x\nBRIDGE_VAR=from env\npoll=1 readable=1\nstdin bytes={} sum={sum}\nfile bytes=150000 same=1\n",
        data.len()
    );
    assert_eq!(stdout(&out), expected);
    if let Some(out) = run_on_wasit2(&bridged, tmp.path(), &spec) {
        assert_ok("wasit2 run C program", &out);
        assert_eq!(stdout(&out), expected);
    }
}
