//! Allocation failure while making an instance ready, and while calling it,
//! is a clean error, never an abort.
//!
//! In the style of wasmtime's `crates/fuzzing/src/oom.rs`: a counting global
//! allocator counts the allocations of a run (repeating until two runs
//! agree), then the run is repeated failing allocation N, for every N, and
//! each run must end in a clean `Err` whose chain holds `OutOfMemory`.
//!
//! Needs wasmtime built with `RUSTC_BOOTSTRAP=1 RUSTFLAGS="--cfg arc_try_new"`
//! (without it wasmtime's `Arc`s abort on allocation failure), so it is
//! ignored otherwise; `make test` runs it in `target/oom-arc`.
//!
//! Armed (every allocation on the test thread is counted and may fail):
//! `Linker::new`, `Host::new(..).add_to_linker` (every wasit2 import of both
//! arches), `Store::try_new`, `Linker::instantiate` of a pre-compiled module
//! importing ten wasit2 functions, `get_typed_func`, and `TypedFunc::call`
//! of its run export, which calls get-arguments, get-environment
//! (list<string>/list<tuple> results, and a too-small call), get-stdout and
//! blocking-write-and-flush (list<u8> argument), get-directories,
//! create-directory-at and stat-at (string arguments, record results),
//! subscribe-duration and poll (list of handles). Inside those calls
//! everything is armed (wasmtime's call path and its handling of the error
//! a host function returns, the host's argument lifting and result lowering) except the import implementations
//! and hooks (`wasit2_host::oom::in_unchecked_window()`): wasmtime-wasi,
//! which the implementations delegate to, aborts on allocation failure.
//! Each arch runs without hooks and with three hooks.
//!
//! Done before arming, so not covered: compiling the module (`Module::new`;
//! wasmtime's compiler does not handle OOM), the engine, building the
//! `WasiCtx` (wasmtime-wasi) and `WasiHostCtx::new` (wasmtime's
//! `ResourceTable::push` allocates infallibly), the hook builder methods
//! (they return `Self`), and `wasit2_host::prepare()` (parses the WASI WIT
//! with wit-parser, once per process). `Module::deserialize` is not armed
//! either: in wasmtime 48 a failure in `UnwindRegistration::new` leaves a
//! stale unwind registration behind (a later backtrace crashed), and
//! failures decoding the artifact come back as postcard errors, not
//! `OutOfMemory`; see docs/host.md.
#![cfg_attr(arc_try_new, allow(unstable_features))]
#![cfg_attr(arc_try_new, feature(alloc_error_hook))]

#[path = "acceptance/common.rs"]
mod common;
use common::*;
#[path = "acceptance/oom_common.rs"]
mod oom_common;
use oom_common::{is_oom, FailingAlloc, BODY, IMPORTS};

use std::cell::Cell;

use wasit2_host::{Flow, Host, HostError, WasiHostCtx};
use wasmtime::{Engine, Linker, Module, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::WasiCtxBuilder;

// Per thread, so that other threads (the test harness, compiler workers)
// are never counted.
thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<u64> = const { Cell::new(0) };
    /// Allocations inside the import implementations and hooks (never failed).
    static SKIPPED: Cell<u64> = const { Cell::new(0) };
    static FAIL_AT: Cell<u64> = const { Cell::new(u64::MAX) };
}

fn should_fail() -> bool {
    // `try_with`: thread-locals may be gone while a thread exits.
    if !ARMED.try_with(Cell::get).unwrap_or(false) {
        return false;
    }
    if wasit2_host::oom::in_unchecked_window() {
        SKIPPED.with(|c| c.set(c.get() + 1));
        return false;
    }
    let n = COUNT.with(|c| c.replace(c.get() + 1));
    n == FAIL_AT.with(Cell::get)
}

#[global_allocator]
static GLOBAL: FailingAlloc = FailingAlloc(should_fail);

fn arm(fail_at: u64) {
    COUNT.with(|c| c.set(0));
    SKIPPED.with(|c| c.set(0));
    FAIL_AT.with(|f| f.set(fail_at));
    ARMED.with(|a| a.set(true));
}

/// Disarms and returns the number of allocations counted.
fn disarm() -> u64 {
    ARMED.with(|a| a.set(false));
    COUNT.with(Cell::get)
}

/// What one run did: its result and how many allocations were counted by
/// the end of `add_to_linker`, by the end of setup (`get_typed_func`), in
/// all, and inside the import implementations and hooks (not in `total`).
struct Outcome {
    result: wasmtime::Result<i32>,
    linked: u64,
    setup: u64,
    total: u64,
    skipped: u64,
}

/// With `hooks`, the `Host` has an `on_call`, an `intercept` and an
/// `after_call` hook (built before arming: the builder methods return `Self`
/// and allocate infallibly); without, `Host::new` runs armed.
fn one_run(engine: &Engine, module: &Module, run_name: &str, hooks: bool, fail_at: u64) -> Outcome {
    let tmp = tempfile::tempdir().unwrap();
    let mut b = WasiCtxBuilder::new();
    b.stdout(MemoryOutputPipe::new(1 << 20))
        .stderr(MemoryOutputPipe::new(1 << 20));
    b.args(&["prog", "a", "bb"])
        .env("K", "V")
        .env("LONGER_KEY", "value");
    b.preopened_dir(tmp.path(), "/", wasmtime_wasi::FsPerms::ReadWrite)
        .unwrap();
    let ctx = WasiHostCtx::new(b.build());
    let hooked = hooks.then(|| {
        Host::new(|s: &mut WasiHostCtx| s)
            .on_call(|_, _, _| Ok(Flow::Continue))
            .intercept("wasi:cli/environment", |_, _, _| Ok(Flow::Continue))
            .after_call(|_, _, _, _| {})
    });

    let (mut linked, mut setup) = (u64::MAX, u64::MAX);
    arm(fail_at);
    let result = (|| -> wasmtime::Result<i32> {
        let mut linker = Linker::new(engine);
        let host = hooked.unwrap_or_else(|| Host::new(|s: &mut WasiHostCtx| s));
        match host.add_to_linker(&mut linker) {
            Ok(()) => {}
            Err(HostError::OutOfMemory(oom)) => return Err(oom.into()),
            // Not OOM: turned into a message the caller's check rejects.
            Err(e) => wasmtime::bail!("add_to_linker: {e}"),
        }
        linked = COUNT.with(Cell::get);
        let mut store = Store::try_new(engine, ctx)?;
        let instance = linker.instantiate(&mut store, module)?;
        let run = instance.get_typed_func::<(), i32>(&mut store, run_name)?;
        setup = COUNT.with(Cell::get);
        run.call(&mut store, ())
    })();
    let total = disarm();
    Outcome {
        result,
        linked,
        setup,
        total,
        skipped: SKIPPED.with(Cell::get),
    }
}

#[test]
#[cfg_attr(
    not(arc_try_new),
    ignore = "needs wasmtime built with RUSTC_BOOTSTRAP=1 RUSTFLAGS=\"--cfg arc_try_new\" (see docs/host.md)"
)]
fn every_allocation_failure_in_instantiation_and_calls_is_an_error() {
    // On an abort (an infallible allocation failed), name the site.
    #[cfg(arc_try_new)]
    std::alloc::set_alloc_error_hook(|layout| {
        use std::io::Write;
        ARMED.with(|a| a.set(false));
        // Straight to stderr: the harness's capture is lost on abort.
        let _ = writeln!(
            std::io::stderr(),
            "allocation {} ({} bytes) failed and aborted:\n{}",
            COUNT.with(Cell::get).saturating_sub(1),
            layout.size(),
            std::backtrace::Backtrace::force_capture()
        );
    });

    wasit2_host::prepare().unwrap();
    let engine = wasit2_host::engine().unwrap();
    for arch in wasit2_abi::Arch::ALL {
        let wasm = module(arch, IMPORTS, BODY);
        let module = Module::new(&engine, &wasm).unwrap();
        let l = lowering(arch);
        let run_name = l
            .exports
            .iter()
            .find(|e| e.name.ends_with("|run"))
            .unwrap()
            .name
            .clone();

        for hooks in [false, true] {
            // Count until two runs agree.
            let mut prev = None;
            let (linked, setup, total, skipped) = loop {
                let o = one_run(&engine, &module, &run_name, hooks, u64::MAX);
                assert_eq!(o.result.unwrap(), 0);
                if prev == Some((o.linked, o.setup, o.total)) {
                    break (o.linked, o.setup, o.total, o.skipped);
                }
                prev = Some((o.linked, o.setup, o.total));
            };
            // Guards against a vacuous pass (e.g. nothing armed).
            assert!(setup >= 1000, "setup allocates ({setup})");
            assert!(
                total - setup >= 10,
                "the calls allocate ({})",
                total - setup
            );
            for n in 0..total {
                let o = one_run(&engine, &module, &run_name, hooks, n);
                let e = match o.result {
                    Ok(c) => {
                        panic!("failing allocation {n} of {total} returned {c} instead of an error")
                    }
                    Err(e) => e,
                };
                assert!(
                    is_oom(&e),
                    "allocation {n} of {total}: not an out-of-memory error: {e:?}"
                );
            }
            eprintln!(
                "{arch:?}, hooks {hooks}: {setup} allocations in setup ({linked} up to the end of \
                 add_to_linker) and {} in calls, each failure a clean error ({skipped} inside the \
                 import implementations and hooks not failed)",
                total - setup
            );
        }
    }
}
