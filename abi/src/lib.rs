//! The wasit2 ABI, computed in exactly one place.
//!
//! Given a WIT world this crate returns every core import and export a wasit2
//! module may have: module and field names, the core signature for wasm32
//! (`cm32p2`) or wasm64 (`cm64p2`), and, for functions whose results hold a
//! `list` or `string`, the caller-supplied-buffer parameters and what the
//! host does when the buffer is too small. The linker, the C binding
//! generator, the host, the adapters and the docs all read it from here.
//!
//! `docs/abi.md` is the prose specification of what this crate computes.

mod arena;
pub mod c_names;
mod core_type;
pub mod env_form;
mod lowering;
mod names;
mod policy;
mod section;
pub mod wasip1_adapter;
mod wit;
mod world_section;

pub mod docs;
pub mod p1;

pub use arena::ArenaLayout;
pub use core_type::val_type;
pub use lowering::{
    params_alloc_export, BufferAbi, CoreSig, Export, ExportItem, Import, ImportItem, Lowering,
    ResourceOp, ValType,
};
pub use names::{canonical_version, Arch};
pub use policy::TooSmall;
pub use section::{AbiSection, ABI_VERSION, SECTION_NAME};
pub use wit::{primitive_name, Wit, WASI_VERSION};
pub use world_section::{WorldRecord, WorldSection, WORLD_SECTION_NAME, WORLD_SECTION_VERSION};

/// Errors from loading WIT or lowering a world.
#[derive(Debug, thiserror::Error)]
pub enum AbiError {
    #[error("WIT: {0:#}")]
    Wit(#[from] anyhow::Error),
    #[error("world `{0}` not found")]
    UnknownWorld(String),
    #[error("unsupported in wasit2: {0}")]
    Unsupported(String),
    #[error("malformed `{SECTION_NAME}` section: {0}")]
    BadSection(String),
}

pub type Result<T, E = AbiError> = std::result::Result<T, E>;
