//! `cargo test` with wasit-ld as the linker and `wasit2 run` as the runner
//! reports like `cargo test` with rustup's wasm-component-ld and `wasmtime
//! run`: the same stdout and exit code (libtest's own 101 where the peer
//! can only say 1) for each way of calling libtest
//! (filters, `--exact`, `--skip`, `--ignored`, `--list`), with a test that
//! fails, one that panics (which aborts the binary: rustup's
//! `wasm32-wasip2` std is panic=abort) and one after it.
//!
//! The crate is tests/rust/libtest-demo (not a workspace member).

use std::path::PathBuf;

use wasit2_testkit::Tool;

const WASIT_LD: &str = env!("CARGO_BIN_EXE_wasit-ld");

/// libtest's arguments, as a user passes them after `--`.
const CALLS: &[&[&str]] = &[
    &[],
    &["a_passes"],
    &["b_fails"],
    &["c_should_panic"],
    &["e_panics"],
    &["tests::a_passes", "--exact"],
    &["--skip", "e_panics"],
    &["--ignored"],
    &["--include-ignored", "d_"],
    &["--list"],
];

struct Run {
    code: Option<i32>,
    stdout: String,
}

fn cargo_test(peer: bool, libtest_args: &[&str]) -> Run {
    let dir = wasit2_testkit::repo().join("tests/rust/libtest-demo");
    let target_dir: PathBuf = wasit2_testkit::repo().join("target").join(if peer {
        "libtest-demo-ref"
    } else {
        "libtest-demo"
    });
    let mut cmd = wasit2_testkit::guest_cargo(&dir);
    cmd.args(["test", "--lib", "--target", "wasm32-wasip2"])
        .arg("--target-dir")
        .arg(&target_dir);
    let runner = match peer {
        true => Tool::Wasmtime.path(),
        false => {
            cmd.env("CARGO_TARGET_WASM32_WASIP2_LINKER", WASIT_LD);
            Tool::Wasit2.path()
        }
    };
    cmd.env(
        "CARGO_TARGET_WASM32_WASIP2_RUNNER",
        format!("{} run", runner.display()),
    );
    cmd.arg("--").args(libtest_args);
    let o = cmd.output().expect("running cargo");
    Run {
        code: o.status.code(),
        stdout: without_times(&String::from_utf8_lossy(&o.stdout)),
    }
}

/// libtest's summary ends with the elapsed time, which differs run to run.
fn without_times(stdout: &str) -> String {
    stdout
        .lines()
        .map(|l| match l.find("; finished in ") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn cargo_test_on_wasit2_reports_as_on_wasmtime() {
    // wasit-ld or the sysroot may have changed: link the test binary again.
    let ours = wasit2_testkit::repo().join("target/libtest-demo/wasm32-wasip2/debug");
    wasit2_testkit::remove_wasm_outputs(&ours, "libtest-demo");
    let mut problems = Vec::new();
    for args in CALLS {
        let peer = cargo_test(true, args);
        let got = cargo_test(false, args);
        assert!(
            peer.stdout.contains("test ") || args.contains(&"--list"),
            "peer {args:?} ran nothing:\n{}",
            peer.stdout
        );
        // libtest exits 101 when a test fails. The peer's libc (rustup's
        // wasip2 wasi-libc) can only report failure, as exit 1; the wasit2
        // libc passes 101 on (`exit-with-code`), as native `cargo test` and
        // wasm32-wasip1 report it.
        let want = match peer.code {
            Some(1) => Some(101),
            code => code,
        };
        if got.code != want || got.stdout != peer.stdout {
            problems.push(format!(
                "-- {args:?}: exit {:?}, peer {:?}\n--- peer\n{}\n--- wasit2\n{}",
                got.code, peer.code, peer.stdout, got.stdout
            ));
        }
    }
    // The premise: a panicking test stops the binary with a failure.
    let whole = cargo_test(true, &[]);
    assert_ne!(whole.code, Some(0));
    assert!(
        !whole.stdout.contains("f_after_the_panic"),
        "{}",
        whole.stdout
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
