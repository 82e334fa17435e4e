//! Turns a core module built for standard wasip2 into a wasit2 module.
//!
//! Code compiled for `wasm32-wasip2` (Rust std, wasi-libc's p2 build,
//! wit-bindgen output) imports `wasi:*@0.2.x` functions lowered by the
//! standard Canonical ABI and exports `cabi_realloc`, which the host calls to
//! allocate the lists it returns. wasit2 hosts never re-enter the guest, so
//! the list-returning functions take a caller-supplied buffer instead.
//!
//! The bridge rewrites every import onto its wasit2 name. Plain functions
//! keep their signature and are only renamed. Each list-returning function
//! gets a glue function inside the module, with the standard signature, that
//! takes memory from the module's own `cabi_realloc` (a call inside the
//! module, not a host re-entry) so the original code still receives lists it
//! may free one by one.

mod glue;
mod names;
pub mod p1;
mod rewrite;

use wasit2_abi::{AbiError, Arch, Lowering, Wit};

pub use names::needs_bridge;

/// Why a module cannot be bridged. Every message is one line and names the
/// offending item.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    #[error("not a valid core wasm module: {0}")]
    Invalid(String),
    #[error("input is a component, not a core module")]
    Component,
    #[error("import `{module}` `{field}` is not a WASI 0.2 function known to wasit2")]
    UnknownImport { module: String, field: String },
    #[error("import `{module}` `{field}`: {reason}")]
    UnsupportedImport {
        module: String,
        field: String,
        reason: String,
    },
    #[error("import `{module}` `{field}` has signature {found}, but the standard lowering is {expected}")]
    SignatureMismatch {
        module: String,
        field: String,
        expected: String,
        found: String,
    },
    #[error("export `{name}`: {reason}")]
    UnsupportedExport { name: String, reason: String },
    #[error("the glue for `{0}` needs the module's `cabi_realloc`, but it exports none")]
    MissingRealloc(String),
    #[error("`cabi_realloc` has signature {0}, expected (i32, i32, i32, i32) -> (i32)")]
    BadRealloc(String),
    #[error("memory {0} is 64-bit; standard wasip2 modules are wasm32")]
    Memory64(u32),
    #[error("result type of `{func}` holds an unsupported WIT type: {what}")]
    UnsupportedResultType { func: String, what: String },
    #[error("wasit2 ABI: {0}")]
    Abi(#[from] AbiError),
    #[error("re-encoding the module: {0}")]
    Encode(String),
}

impl From<wasmparser::BinaryReaderError> for BridgeError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        BridgeError::Invalid(e.to_string())
    }
}

/// Rewrites a standard-wasip2 core module into a wasit2 `cm32p2` module
/// targeting the `wasi:cli/command` world.
///
/// The output imports only wasit2 functions, exports no realloc, exports
/// `cm32p2_memory`, `cm32p2|wasi:cli/run@0.2|run` (if the input exported
/// `wasi:cli/run@0.2.x#run`) and `cm32p2_initialize` (if the input exported
/// `_initialize`), and carries no `component-type*` sections.
pub fn bridge_standard_p2(module: &[u8]) -> Result<Vec<u8>, BridgeError> {
    let wit = Wit::wasi()?;
    let world = wit.command_world()?;
    let lowering = Lowering::new(&wit, world, Arch::Wasm32)?;
    rewrite::rewrite(module, &lowering, rewrite::Mode::default())
}

/// As [`bridge_standard_p2`], for a module linked with the wasit2→wasip1
/// adapter (`--host wasip1`): its `wasi_snapshot_preview1` imports are
/// passed through, the `memory` and `_initialize` exports keep the names a
/// p1 runtime looks for, and no `wasit2-abi` section is added. The wasit2
/// imports of the result are still to be served by the adapter (see
/// [`p1::redirect_imports`]).
pub fn bridge_standard_p2_for_wasip1(module: &[u8]) -> Result<Vec<u8>, BridgeError> {
    let wit = Wit::wasi()?;
    let world = wit.command_world()?;
    let lowering = Lowering::new(&wit, world, Arch::Wasm32)?;
    rewrite::rewrite(module, &lowering, rewrite::Mode { for_wasip1: true })
}
