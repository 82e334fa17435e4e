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
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HostError {
    #[error("host `{0}` is not yet supported (supported: wasit2)")]
    NotYetSupported(String),
    #[error("unknown host `{0}` (supported: wasit2)")]
    Unknown(String),
}

impl Host {
    /// Hosts planned but not implemented yet, so they get a clearer message
    /// than a typo does.
    const PLANNED: &'static [&'static str] = &["wasip1"];

    pub fn from_name(name: &str) -> Result<Host, HostError> {
        match name {
            "wasit2" => Ok(Host::Wasit2),
            n if Self::PLANNED.contains(&n) => Err(HostError::NotYetSupported(n.to_string())),
            n => Err(HostError::Unknown(n.to_string())),
        }
    }

    /// The name recorded in the `wasit2-abi` section.
    pub fn name(self) -> &'static str {
        match self {
            Host::Wasit2 => "wasit2",
        }
    }

    /// The world checked against when `--world` is not given.
    pub fn default_world(self) -> String {
        match self {
            Host::Wasit2 => format!("wasi:cli/command@{WASI_VERSION}"),
        }
    }

    /// Why this host cannot serve `import` (which is in the world), if it
    /// cannot.
    pub fn refuses(self, _import: &Import) -> Option<String> {
        match self {
            Host::Wasit2 => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Host::from_name("wasit2"), Ok(Host::Wasit2));
        assert_eq!(
            Host::from_name("wasip1").unwrap_err().to_string(),
            "host `wasip1` is not yet supported (supported: wasit2)"
        );
        assert!(matches!(
            Host::from_name("nope"),
            Err(HostError::Unknown(_))
        ));
    }
}
