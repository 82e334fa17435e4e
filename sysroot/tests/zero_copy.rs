//! Zero-copy is a hard requirement: libc's read/write paths must not touch
//! the heap. `tests/programs/malloc_count.c` is linked with `--wrap` on every
//! allocator entry point and moves 64 MiB in 64 KiB chunks through write,
//! read, pwrite, pread (a preopened file), read(stdin)/write(stdout) and
//! send/recv on a loopback TCP connection, counting allocations per path. Needs `make sysroot clang-install`.
#[path = "support/cc.rs"]
mod cc;
#[path = "support/zero_copy.rs"]
mod zero_copy;
use zero_copy::{file_paths, stdio_paths, tcp_paths};

#[test]
fn no_malloc_on_tcp_wasm32() {
    tcp_paths(None, "wasm32-wasit2");
}

#[test]
fn no_malloc_on_tcp_wasm64() {
    tcp_paths(None, "wasm64-wasit2");
}

#[test]
fn no_malloc_on_file_io_wasm32() {
    file_paths(None, "wasm32-wasit2");
}

#[test]
fn no_malloc_on_file_io_wasm64() {
    file_paths(None, "wasm64-wasit2");
}

#[test]
fn no_malloc_on_stdio_wasm32() {
    stdio_paths(None, "wasm32-wasit2");
}

#[test]
fn no_malloc_on_stdio_wasm64() {
    stdio_paths(None, "wasm64-wasit2");
}
