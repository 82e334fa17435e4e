//! Allocation failure in the host becomes a trap, never an abort.
//!
//! In the style of wasmtime's `crates/fuzzing/src/oom.rs`: a counting global
//! allocator counts the allocations of a run (repeating until two runs
//! agree), then the run is repeated failing allocation N, for every N, and
//! each run must end in a clean `Err` whose cause is `OutOfMemory`.
//!
//! Scope: failures are injected only inside the host's own per-call window
//! (`wasit2_host::oom::in_host_window()`: lifting arguments from guest memory
//! and laying out / writing results), where the host allocates only through
//! fallible APIs. This test runs on stable Rust, where wasmtime's `Arc`s
//! abort on allocation failure, so instantiation and wasmtime's call path run
//! with injection off here; `tests/oom_instantiate.rs` covers them in a
//! `--cfg arc_try_new` build (see docs/host.md). The calls exercised: get-arguments, get-environment
//! (list<string>/list<tuple> results), blocking-write-and-flush (list<u8>
//! argument), create-directory-at and stat-at (string arguments, record
//! results), poll (list of handles) and a too-small call.
#[path = "acceptance/common.rs"]
mod common;
use common::*;
#[path = "acceptance/failing_alloc.rs"]
mod failing_alloc;
use failing_alloc::FailingAlloc;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};

static ARMED: AtomicBool = AtomicBool::new(false);
static COUNT: AtomicU64 = AtomicU64::new(0);
static FAIL_AT: AtomicU64 = AtomicU64::new(u64::MAX);

fn should_fail() -> bool {
    if !ARMED.load(SeqCst) || !wasit2_host::oom::in_host_window() {
        return false;
    }
    COUNT.fetch_add(1, SeqCst) == FAIL_AT.load(SeqCst)
}

#[global_allocator]
static GLOBAL: FailingAlloc = FailingAlloc(should_fail);

const BODY: &str = r#"
  (data (PTR.const 1024) "some bytes\n")
  (data (PTR.const 1040) "newdir")
  (func (export "RUN") (result i32)
    (local $dir i32)
    (drop (call $args (PTR.const 32) (PTR.const 4096) (PTR.const 8000)))
    (drop (call $env (PTR.const 32) (PTR.const 4096) (PTR.const 8000)))
    (drop (call $env (PTR.const 32) (PTR.const 4096) (PTR.const 1)))
    (call $puts (PTR.const 1024) (PTR.const 11))
    (drop (call $dirs (PTR.const 32) (PTR.const 4096) (PTR.const 8000)))
    (local.set $dir (i32.load (PTR.load (PTR.const 32))))
    (call $mkdir (local.get $dir) (PTR.const 1040) (PTR.const 6) (PTR.const 32))
    (call $stat_at (local.get $dir) (i32.const 0) (PTR.const 1040) (PTR.const 6) (PTR.const 64))
    (i32.store (PTR.const 900) (call $sub (i64.const 0)))
    (drop (call $poll (PTR.const 900) (PTR.const 1) (PTR.const 32) (PTR.const 4096) (PTR.const 64)))
    (i32.const 0))
"#;

fn one_run(arch: wasit2_abi::Arch, wasm: &[u8], fail_at: u64) -> (Result<i32, wasmtime::Error>, u64) {
    let tmp = tempfile::tempdir().unwrap();
    COUNT.store(0, SeqCst);
    FAIL_AT.store(fail_at, SeqCst);
    ARMED.store(true, SeqCst);
    let r = run(arch, wasm, |b| {
        b.args(&["prog", "a", "bb"]).env("K", "V").env("LONGER_KEY", "value");
        b.preopened_dir(tmp.path(), "/", wasmtime_wasi::FsPerms::ReadWrite).unwrap();
    });
    ARMED.store(false, SeqCst);
    (r.result, COUNT.load(SeqCst))
}

#[test]
fn every_host_allocation_failure_is_a_clean_trap() {
    for arch in wasit2_abi::Arch::ALL {
        let wasm = module(
            arch,
            &[
                ("wasi:cli/environment@0.2", "get-arguments", "$args"),
                ("wasi:cli/environment@0.2", "get-environment", "$env"),
                ("wasi:filesystem/preopens@0.2", "get-directories", "$dirs"),
                ("wasi:filesystem/types@0.2", "[method]descriptor.create-directory-at", "$mkdir"),
                ("wasi:filesystem/types@0.2", "[method]descriptor.stat-at", "$stat_at"),
                ("wasi:clocks/monotonic-clock@0.2", "subscribe-duration", "$sub"),
                ("wasi:io/poll@0.2", "poll", "$poll"),
            ],
            BODY,
        );
        // Count until two runs agree.
        let mut prev = None;
        let total = loop {
            let (r, n) = one_run(arch, &wasm, u64::MAX);
            assert_eq!(r.unwrap(), 0);
            if prev == Some(n) {
                break n;
            }
            prev = Some(n);
        };
        assert!(total >= 10, "the run allocates in the host window ({total})");
        for n in 0..total {
            let (r, _) = one_run(arch, &wasm, n);
            let e = r.expect_err(&format!("failing allocation {n} of {total} must trap"));
            assert!(
                e.chain().any(|c| c.is::<wasmtime::OutOfMemory>()) || e.is::<wasmtime::OutOfMemory>(),
                "allocation {n}: not an out-of-memory error: {e:?}"
            );
        }
        eprintln!("{arch:?}: {total} host allocations, each failure trapped cleanly");
    }
}
