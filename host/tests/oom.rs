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
#[path = "acceptance/oom_common.rs"]
mod oom_common;
use oom_common::{is_oom, FailingAlloc, BODY, IMPORTS};

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

fn one_run(
    arch: wasit2_abi::Arch,
    wasm: &[u8],
    fail_at: u64,
) -> (Result<i32, wasmtime::Error>, u64) {
    let tmp = tempfile::tempdir().unwrap();
    COUNT.store(0, SeqCst);
    FAIL_AT.store(fail_at, SeqCst);
    ARMED.store(true, SeqCst);
    let r = run(arch, wasm, |b| {
        b.args(&["prog", "a", "bb"])
            .env("K", "V")
            .env("LONGER_KEY", "value");
        b.preopened_dir(tmp.path(), "/", wasmtime_wasi::FsPerms::ReadWrite)
            .unwrap();
    });
    ARMED.store(false, SeqCst);
    (r.result, COUNT.load(SeqCst))
}

#[test]
fn every_host_allocation_failure_is_a_clean_trap() {
    for arch in wasit2_abi::Arch::ALL {
        let wasm = module(arch, IMPORTS, BODY);
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
        assert!(
            total >= 10,
            "the run allocates in the host window ({total})"
        );
        for n in 0..total {
            let (r, _) = one_run(arch, &wasm, n);
            let e = r.expect_err(&format!("failing allocation {n} of {total} must trap"));
            assert!(
                is_oom(&e),
                "allocation {n}: not an out-of-memory error: {e:?}"
            );
        }
        eprintln!("{arch:?}: {total} host allocations, each failure trapped cleanly");
    }
}
