//! Where a sysroot keeps what the linker looks up by name. `wasit-ld`
//! reads these too, so the builder and the linker agree.

use std::path::{Path, PathBuf};

/// The wasit2→wasip1 adapter library, in each wasm32 lib dir
/// (`wasit-ld --host wasip1`).
pub const ADAPTER_LIB: &str = "libwasit2-wasip1.a";

/// Where a wasm32 lib dir holds the libc that `--host wasip1` links by
/// default (the direct libc: libc calls p1 itself):
/// `<lib dir>/WASIP1_LIBC_DIR/libc.a`.
pub const WASIP1_LIBC_DIR: &str = "wasip1";

/// The provider of the `wasi_snapshot_preview1` imports a Rust
/// `wasm32-wasip1` program declares itself (`sysroot/layer/p1/imports.c`),
/// in each wasm32 lib dir.
pub const PROVIDER_LIB: &str = "libwasit2-p1-imports.a";

/// `<sysroot>/lib/<target>`.
pub fn lib_dir(sysroot: &Path, target: &str) -> PathBuf {
    sysroot.join("lib").join(target)
}
