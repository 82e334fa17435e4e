//! Linking a Rust `wasm32-wasip1` program compiles no C: the provider of
//! the program's own `wasi_snapshot_preview1` imports comes prebuilt from
//! the sysroot (`libwasit2-p1-imports.a`, built by `wasit2 sysroot build`).
//! The program is tests/rust/std-demo (as in rust_std.rs), compiled by
//! rustc directly so every run links. Needs the default sysroot (or
//! `$WASIT2_SYSROOT`) and `strace`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wasit2_testkit::{repo, wasit2_bin, wasit_ld_bin};

const PROVIDER_LIB: &str = "libwasit2-p1-imports.a";

fn assert_ok(what: &str, o: &Output) {
    assert!(
        o.status.success(),
        "{what} failed: {}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `rustc --target wasm32-wasip1` of std-demo with wasit-ld as the linker,
/// run through `wrap` (e.g. strace) with `env` set, into `out`.
fn rustc_link(wrap: &[&str], env: &[(&str, &str)], out: &Path) -> Output {
    let src = repo().join("tests/rust/std-demo/src/main.rs");
    let (program, pre) = match wrap.split_first() {
        Some((p, rest)) => (PathBuf::from(p), rest.to_vec()),
        None => (PathBuf::from("rustc"), Vec::new()),
    };
    let mut cmd = Command::new(program);
    cmd.args(pre);
    if !wrap.is_empty() {
        cmd.arg("rustc");
    }
    cmd.args(["--edition", "2021", "-O", "--target", "wasm32-wasip1"])
        .arg(format!("-Clinker={}", wasit_ld_bin().display()))
        .arg(&src)
        .arg("-o")
        .arg(out);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("running rustc")
}

/// The program each traced `execve` ran, with its full argument list.
fn execs(log: &str) -> Vec<(String, String)> {
    log.lines()
        .filter(|l| l.contains("execve(\"") && !l.contains("= -1 ENOENT"))
        .filter_map(|l| {
            let rest = &l[l.find("execve(\"")? + 8..];
            let program = rest[..rest.find('"')?].to_string();
            Some((program, l.to_string()))
        })
        .collect()
}

fn runs_args_command(wasm: &Path) {
    let o = Command::new(wasit2_bin())
        .arg("run")
        .arg(wasm)
        .args(["args", "one"])
        .output()
        .expect("running wasit2 run");
    assert_ok("wasit2 run", &o);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "argc=1\narg[0]=\"one\" len=3\n"
    );
}

#[test]
fn linking_a_rust_wasip1_program_runs_no_clang() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("std-demo.wasm");
    let log = dir.path().join("execve.log");
    let log_arg = log.to_string_lossy().into_owned();
    let o = rustc_link(
        &[
            "strace",
            "-f",
            "-qq",
            "-v",
            "-s",
            "4096",
            "-e",
            "trace=execve",
            "-o",
            &log_arg,
        ],
        &[],
        &out,
    );
    assert_ok("rustc under strace", &o);
    let log = std::fs::read_to_string(&log).unwrap();
    let execs = execs(&log);
    let base = |p: &str| {
        Path::new(p)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    // The link ran, through wasit-ld and wasm-ld, with the prebuilt provider.
    assert!(
        execs.iter().any(|(p, _)| base(p) == "wasit-ld"),
        "wasit-ld never ran:\n{log}"
    );
    assert!(
        execs
            .iter()
            .any(|(p, line)| base(p).starts_with("wasm-ld") && line.contains(PROVIDER_LIB)),
        "no wasm-ld run linked {PROVIDER_LIB}:\n{log}"
    );
    let clangs: Vec<&String> = execs
        .iter()
        .filter(|(p, _)| base(p).starts_with("clang"))
        .map(|(_, line)| line)
        .collect();
    assert!(clangs.is_empty(), "the link ran clang: {clangs:#?}");
    runs_args_command(&out);
}

#[test]
fn linking_a_rust_wasip1_program_needs_no_clang() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("std-demo.wasm");
    let o = rustc_link(&[], &[("WASIT2_CLANG", "/bin/false")], &out);
    assert_ok("rustc with WASIT2_CLANG=/bin/false", &o);
    runs_args_command(&out);
}

#[test]
fn a_sysroot_without_the_provider_is_one_line_naming_the_build() {
    let sysroot = tempfile::tempdir().unwrap();
    // A wasit2 libc but no provider: copy just libc.a and crt1.
    let real = std::env::var_os("WASIT2_SYSROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("build/sysroot"))
        .join("lib/wasm32-wasit2");
    let lib = sysroot.path().join("lib/wasm32-wasit2");
    std::fs::create_dir_all(&lib).unwrap();
    for f in ["libc.a", "crt1.o", "crt1-command.o"] {
        std::fs::copy(real.join(f), lib.join(f))
            .unwrap_or_else(|e| panic!("{}: {e}", real.join(f).display()));
    }
    let out = sysroot.path().join("std-demo.wasm");
    let o = rustc_link(
        &[],
        &[("WASIT2_SYSROOT", &sysroot.path().to_string_lossy())],
        &out,
    );
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("wasit-ld: error:"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains(PROVIDER_LIB) && lines[0].contains("`wasit2 sysroot build`"),
        "{}",
        lines[0]
    );
    assert!(!out.exists(), "no output on error");
}
