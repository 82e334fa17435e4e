//! Running wasit2 modules on hosts that serve less than WASI 0.2.
//!
//! - [`check`]: given a linked core module and a [`HostProfile`] (the wasit2
//!   host, a WASI preview 1 runtime, or any WIT world), lists every import
//!   the host cannot serve with the call path from an export to it, WASI
//!   functions newer than a chosen version, and wasm proposals the host's
//!   engine lacks.
//!
//! The wasit2→wasip1 adapter is built by the sysroot builder
//! (`wasit2_sysroot::adapter`); what it serves is an ABI fact
//! (`wasit2_abi::wasip1_adapter`).

mod check;

use std::path::Path;

pub use check::{
    check, check_parsed, load_host_world, CheckOptions, FeatureSet, HostProfile, Problem,
    ProblemKind, Reached, Report, LIME1, STRICT_MVP, WAMR_2020,
};
pub use wasit2_module::exceptions::{CallPath, Encoding, ExceptionUse};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Abi(#[from] wasit2_abi::AbiError),
    /// The module's own message already says it is not a valid module.
    #[error("{0}")]
    BadModule(String),
    #[error("host profile: {0}")]
    Profile(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
