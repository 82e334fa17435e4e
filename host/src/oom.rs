//! Allocation-failure windows.
//!
//! The host's own work allocates only through fallible APIs, so a failed
//! allocation there is an `OutOfMemory` error (a trap inside a call) rather
//! than an abort. Two code regions are marked on the current thread so an
//! OOM test's global allocator can choose where to inject failures:
//!
//! - the *host window*: lifting arguments from guest memory and laying out /
//!   writing results, the per-call work that guest-controlled sizes drive;
//! - the *unchecked window*: code the host does not make OOM-safe, namely an
//!   import's implementation (wasmtime-wasi, which aborts on allocation
//!   failure, plus the conversion of its results) and embedder hooks.
//!
//! See `tests/oom.rs`, `tests/oom_instantiate.rs` and `docs/host.md`.

use std::cell::Cell;
use std::thread::LocalKey;

thread_local! {
    static HOST: Cell<u32> = const { Cell::new(0) };
    static UNCHECKED: Cell<u32> = const { Cell::new(0) };
}

/// Whether the current thread is inside the host's per-call lifting/lowering.
pub fn in_host_window() -> bool {
    HOST.with(|d| d.get() > 0)
}

/// Whether the current thread is inside code the host does not make
/// OOM-safe (an import's implementation or a hook).
pub fn in_unchecked_window() -> bool {
    UNCHECKED.with(|d| d.get() > 0)
}

pub(crate) fn window<R>(f: impl FnOnce() -> R) -> R {
    within(&HOST, f)
}

pub(crate) fn unchecked<R>(f: impl FnOnce() -> R) -> R {
    within(&UNCHECKED, f)
}

fn within<R>(depth: &'static LocalKey<Cell<u32>>, f: impl FnOnce() -> R) -> R {
    struct Guard(&'static LocalKey<Cell<u32>>);
    impl Drop for Guard {
        fn drop(&mut self) {
            self.0.with(|d| d.set(d.get() - 1));
        }
    }
    depth.with(|d| d.set(d.get() + 1));
    let _guard = Guard(depth);
    f()
}
