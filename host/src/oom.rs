//! Allocation-failure windows.
//!
//! The host's own per-call work (lifting arguments from guest memory,
//! laying out and writing results) allocates only through fallible APIs,
//! so a failed allocation there becomes a trap. This module marks that
//! window on the current thread so an OOM test's global allocator can inject
//! failures exactly there (allocations inside wasmtime and wasmtime-wasi may
//! still abort on failure, which the host cannot change). See `tests/oom.rs`
//! and `docs/host.md`.

use std::cell::Cell;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Whether the current thread is inside the host's fallible-allocation window.
pub fn in_host_window() -> bool {
    DEPTH.with(|d| d.get() > 0)
}

pub(crate) fn window<R>(f: impl FnOnce() -> R) -> R {
    struct Guard;
    impl Drop for Guard {
        fn drop(&mut self) {
            DEPTH.with(|d| d.set(d.get() - 1));
        }
    }
    DEPTH.with(|d| d.set(d.get() + 1));
    let _guard = Guard;
    f()
}
