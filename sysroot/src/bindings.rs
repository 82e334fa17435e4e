//! C bindings for the `wasi:cli/command` world, generated at build time by
//! `wasit2-bindgen` into the build directory (nothing generated is
//! committed) and compiled into libc.
use crate::error::Result;
use std::path::{Path, PathBuf};
use wasit2_abi::Arch;

/// The world the system layer is written against.
pub const WORLD: &str = "wasi:cli/command@0.2.12";

/// Generated files for one architecture.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Directory holding the header (put on the include path).
    pub include_dir: PathBuf,
    pub header: PathBuf,
    pub source: PathBuf,
}

/// Writes the bindings for `arch` into `dir` (only rewriting changed files).
/// Returns `None` when the generator is not available yet.
pub fn generate(_arch: Arch, _dir: &Path) -> Result<Option<Generated>> {
    Ok(None)
}
