//! Host profiles: which runtime a module is linked for, and therefore which of
//! the world's imports it may use.

use wasit2_abi::{Import, WASI_VERSION};

/// A runtime a wasit2 module can be linked for. Selected with `--host NAME`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Host {
    /// The wasit2 host: every import of the world, caller-supplied-buffer
    /// imports included.
    #[default]
    Wasit2,
    /// A WASI preview 1 runtime (the 2020 WAMR, `wasmtime run`): the
    /// wasit2→wasip1 adapter is linked in, `_start` is the entry, and only
    /// `wasi_snapshot_preview1` imports and MVP encodings may remain.
    Wasip1,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HostError {
    #[error("unknown host `{0}` (supported: wasit2, wasip1)")]
    Unknown(String),
}

impl Host {
    pub fn from_name(name: &str) -> Result<Host, HostError> {
        match name {
            "wasit2" => Ok(Host::Wasit2),
            "wasip1" => Ok(Host::Wasip1),
            n => Err(HostError::Unknown(n.to_string())),
        }
    }

    /// The name recorded in the `wasit2-abi` section.
    pub fn name(self) -> &'static str {
        match self {
            Host::Wasit2 => "wasit2",
            Host::Wasip1 => "wasip1",
        }
    }

    /// The world checked against when `--world` is not given.
    pub fn default_world(self) -> String {
        match self {
            Host::Wasit2 => format!("wasi:cli/command@{WASI_VERSION}"),
            Host::Wasip1 => "wasit2:targets/wasip1".to_string(),
        }
    }

    /// Why this host cannot serve `import` (which is in the world), if it
    /// cannot.
    pub fn refuses(self, _import: &Import) -> Option<String> {
        match self {
            // wasip1 links are checked by wasit2-hostcheck, not per import here.
            Host::Wasit2 | Host::Wasip1 => None,
        }
    }

    /// Whether the module runs on a WASI preview 1 runtime through the adapter.
    pub fn is_wasip1(self) -> bool {
        self == Host::Wasip1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Host::from_name("wasit2"), Ok(Host::Wasit2));
        assert_eq!(Host::from_name("wasip1"), Ok(Host::Wasip1));
        assert_eq!(
            Host::from_name("p1").unwrap_err().to_string(),
            "unknown host `p1` (supported: wasit2, wasip1)"
        );
        assert!(matches!(
            Host::from_name("nope"),
            Err(HostError::Unknown(_))
        ));
    }
}
