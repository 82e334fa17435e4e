//! `wasit2 run` end to end: exit codes and one-line errors. Uses the built
//! CLI (`make build` / `cargo build -p wasit2-cli`): `$WASIT2` or
//! `target/debug/wasit2`.
use crate::common::*;
use std::path::PathBuf;
use std::process::Command;
use wasit2_abi::Arch;

fn wasit2() -> PathBuf {
    let p = wasit2_testkit::Tool::Wasit2.path();
    assert!(
        p.exists(),
        "{} not found: run `cargo build -p wasit2-cli` (or set WASIT2)",
        p.display()
    );
    p
}

fn run_cli(args: &[&str], file: &[u8]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.wasm");
    std::fs::write(&path, file).unwrap();
    let mut cmd = Command::new(wasit2());
    cmd.arg("run");
    for a in args {
        cmd.arg(a.replace("{dir}", dir.path().to_str().unwrap()));
    }
    let out = cmd.arg(&path).arg("x1").arg("--y").output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn exit_codes_pass_through_and_args_env_dirs_arrive() {
    for arch in Arch::ALL {
        let wasm = module(
            arch,
            &[
                ("wasi:cli/exit@0.2", "exit-with-code", "$exit_code"),
                ("wasi:cli/environment@0.2", "get-arguments", "$args"),
                ("wasi:cli/environment@0.2", "get-environment", "$env"),
                ("wasi:filesystem/preopens@0.2", "get-directories", "$dirs"),
            ],
            r#"
          (func (export "RUN") (result i32)
            (drop (call $args (PTR.const 32) (PTR.const 4096) (PTR.const 4000)))
            ;; print argv[2]
            (call $puts (PTR.load offset=PSZ4 (PTR.load (PTR.const 32))) (PTR.load offset=PSZ4 (PTR.add (PTR.load (PTR.const 32)) (PTR.const PSZ))))
            (drop (call $env (PTR.const 32) (PTR.const 4096) (PTR.const 4000)))
            ;; exit code = number of env vars * 10 + number of preopens
            (drop (call $dirs (PTR.const 64) (PTR.const 8192) (PTR.const 4000)))
            (call $exit_code (i32.wrap_i64 (P2I (PTR.add (PTR.mul (PTR.load offset=PSZ (PTR.const 32)) (PTR.const 10)) (PTR.load offset=PSZ (PTR.const 64))))))
            (i32.const 0))"#,
        );
        let (code, out, err) = run_cli(
            &[
                "--env",
                "A=1",
                "--env",
                "B=2",
                "--dir",
                "{dir}::/data",
                "--dir",
                "{dir}",
            ],
            &wasm,
        );
        assert_eq!(code, 22, "{arch:?}: {err}");
        assert_eq!(out, "--y");
    }
}

#[test]
fn run_result_err_is_exit_1() {
    let wasm = module(
        Arch::Wasm32,
        &[],
        r#"(func (export "RUN") (result i32) (i32.const 1))"#,
    );
    assert_eq!(run_cli(&[], &wasm).0, 1);
}

fn one_line_error(file: &[u8], needle: &str) {
    let (code, _, err) = run_cli(&[], file);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "{needle:?} in {err}");
}

#[test]
fn clear_errors() {
    one_line_error(b"not wasm at all", "not a WebAssembly module");
    one_line_error(
        &wat::parse_str("(module (memory (export \"cm32p2_memory\") 1))").unwrap(),
        "not a wasit2 command",
    );
    let missing = wat::parse_str(
        r#"(module (import "cm32p2|wasi:nope/nothing@0.2" "frob" (func))
             (memory (export "cm32p2_memory") 1)
             (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    one_line_error(&missing, "`cm32p2|wasi:nope/nothing@0.2` `frob`");
    let trap = wat::parse_str(
        r#"(module (memory (export "cm32p2_memory") 1)
             (func $inner unreachable)
             (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32) (call $inner) (i32.const 0)))"#,
    )
    .unwrap();
    // A trap: exit 134, the message once, then one line per frame.
    let (code, _, err) = run_cli(&[], &trap);
    assert_eq!(code, 134, "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines[0].ends_with(": wasm trap: wasm `unreachable` instruction executed"),
        "{err}"
    );
    assert_eq!(err.matches("wasm trap").count(), 1, "{err}");
    assert!(lines[1].trim_start().starts_with("0:") && lines[1].ends_with(" - inner"));
    assert!(lines[2].trim_start().starts_with("1:"), "{err}");
}

/// `--env K` passes the host's value of K, and nothing when the host has
/// none; `-S inherit-env` passes them all.
#[test]
fn env_without_value_inherits_from_the_host() {
    let wasm = module(
        Arch::Wasm32,
        &[("wasi:cli/environment@0.2", "get-environment", "$env")],
        r#"
      (func (export "RUN") (result i32)
        (drop (call $env (PTR.const 32) (PTR.const 4096) (PTR.const 4000)))
        ;; print the number of variables, then the first value
        (i32.store8 (i32.const 64) (i32.add (i32.const 48) (PTR.load offset=PSZ (PTR.const 32))))
        (call $puts (PTR.const 64) (PTR.const 1))
        (if (PTR.load offset=PSZ (PTR.const 32))
          (then (call $puts (PTR.load offset=PSZ2 (PTR.load (PTR.const 32)))
                            (PTR.load offset=PSZ3 (PTR.load (PTR.const 32))))))
        (i32.const 0))"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.wasm");
    std::fs::write(&path, &wasm).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(wasit2())
            .arg("run")
            .args(args)
            .arg(&path)
            .env("W2_FROM_HOST", "host value")
            .env_remove("W2_NOT_ON_HOST")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(run(&["--env", "W2_FROM_HOST"]), "1host value");
    assert_eq!(run(&["--env", "W2_NOT_ON_HOST"]), "0");
    assert_eq!(run(&["--env", "W2_FROM_HOST=given"]), "1given");
    let all = run(&["-S", "inherit-env"]);
    assert!(all.len() > 1 && !all.starts_with('0'), "{all}");
}
