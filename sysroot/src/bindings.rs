//! C bindings for the `wasi:cli/command` world, generated at build time by
//! `wasit2-bindgen` into the build directory (nothing generated is
//! committed) and compiled into libc.
use crate::error::{Error, Result};
use crate::fsutil;
use std::path::{Path, PathBuf};
use wasit2_abi::{Arch, Wit};

/// The world the system layer is written against.
pub const WORLD: &str = "wasi:cli/command@0.2.12";

/// Generated files (one header/source pair serves both arches).
#[derive(Debug, Clone)]
pub struct Generated {
    /// Directory holding the header (put on the include path).
    pub include_dir: PathBuf,
    pub header: PathBuf,
    pub source: PathBuf,
}

/// Writes the bindings into `dir`, only rewriting changed files so the
/// incremental build keeps its objects.
pub fn generate(_arch: Arch, dir: &Path) -> Result<Option<Generated>> {
    let err = |e: String| Error::Bindings(e);
    let wit = Wit::wasi().map_err(|e| err(e.to_string()))?;
    let world = wit
        .world(WORLD)
        .or_else(|_| wit.command_world())
        .map_err(|e| err(e.to_string()))?;
    let b = wasit2_bindgen::generate_for_world(&wit, world, &wasit2_bindgen::Options::default())
        .map_err(|e| err(e.to_string()))?;
    let header = dir.join(&b.header_name);
    let source = dir.join(&b.source_name);
    fsutil::write_if_changed(&header, b.header.as_bytes())?;
    fsutil::write_if_changed(&source, b.source.as_bytes())?;
    Ok(Some(Generated {
        include_dir: dir.to_path_buf(),
        header,
        source,
    }))
}
