//! Typed errors of the sysroot builder and the clang target installer.
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{0}` does not look like a wasi-libc source tree (missing {1})")]
    NotWasiLibc(PathBuf, &'static str),
    #[error("tool `{0}` not found (set {1} or install it)")]
    ToolNotFound(&'static str, &'static str),
    #[error("running {tool}: {source}")]
    Spawn {
        tool: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{count} file(s) failed to compile for {variant}; first: {first}\n{log}")]
    Compile {
        variant: String,
        count: usize,
        first: PathBuf,
        log: String,
    },
    #[error("{tool} failed: {log}")]
    ToolFailed { tool: String, log: String },
    #[error("{file}:{line}: {msg}")]
    LayerManifest {
        file: PathBuf,
        line: usize,
        msg: String,
    },
    #[error("generating C bindings: {0}")]
    Bindings(String),
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
