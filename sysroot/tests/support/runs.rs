//! Running built programs the same way on every sysroot, shared by the
//! Debian-tree tests (hello.rs, corpus.rs) and tests/tree2026.rs.
#![allow(dead_code)]
use std::path::Path;
use std::process::Command;

use wasit2_testkit::corpus::Program;
use wasit2_testkit::{run, wasit2_bin, Outcome};

/// `wasit2 run` of a build of `examples/hello.c`.
pub fn assert_hello_runs(triple: &str, wasm: &Path) {
    assert_prints_hello(Command::new(wasit2_bin()).arg("run").arg(wasm), triple);
}

/// `cmd` runs a build of `examples/hello.c` (`who` names it in failures):
/// it exits 0 and prints the same line on every target and runner.
pub fn assert_prints_hello(cmd: &mut Command, who: &str) {
    let ran = cmd
        .output()
        .unwrap_or_else(|e| panic!("{who}: spawning {cmd:?}: {e}"));
    assert!(
        ran.status.success(),
        "{who}: run failed:\n{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout),
        "Hello from wasm32-wasit2!\n",
        "{who}"
    );
}

/// `wasit2 run` of a corpus program built at `wasm`, in its own scratch
/// directory under `work`, with the network, directory, environment,
/// arguments and stdin its directives ask for.
pub fn run_corpus_program(p: &Program, wasm: &Path, work: &Path) -> Outcome {
    let scratch = work.join(format!("{}.dir", p.name));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut cmd = Command::new(wasit2_bin());
    cmd.current_dir(&scratch).arg("run");
    if p.net {
        // Network is off by default, as on `wasmtime run`.
        cmd.args(["-S", "inherit-network", "-S", "allow-ip-name-lookup"]);
    }
    if p.dir {
        cmd.arg("--dir").arg(format!("{}::.", scratch.display()));
    }
    for e in &p.env {
        cmd.arg("--env").arg(e);
    }
    cmd.arg(wasm).args(&p.args);
    run(cmd, &p.stdin)
}
