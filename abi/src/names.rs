//! Naming rules of the core build target (component-model `BuildTargets.md`).

use wit_parser::{Resolve, WorldKey};

/// Pointer width of the module's memory. Selects the `cm32p2`/`cm64p2` prefix
/// and whether pointers and lengths are i32 or i64.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arch {
    Wasm32,
    Wasm64,
}

impl Arch {
    pub const ALL: [Arch; 2] = [Arch::Wasm32, Arch::Wasm64];

    /// Prefix of every WIT-derived core name.
    pub fn prefix(self) -> &'static str {
        match self {
            Arch::Wasm32 => "cm32p2",
            Arch::Wasm64 => "cm64p2",
        }
    }

    /// Prefix of imports that take a caller-supplied buffer. It deliberately
    /// does not start with the plain prefix, so a host that knows only the
    /// standard convention fails with a missing import instead of calling a
    /// function with the wrong signature.
    pub fn buffer_prefix(self) -> &'static str {
        match self {
            Arch::Wasm32 => "wasit2-cm32p2",
            Arch::Wasm64 => "wasit2-cm64p2",
        }
    }

    pub fn triple(self) -> &'static str {
        match self {
            Arch::Wasm32 => "wasm32-wasit2",
            Arch::Wasm64 => "wasm64-wasit2",
        }
    }

    pub const fn pointer_size(self) -> usize {
        match self {
            Arch::Wasm32 => 4,
            Arch::Wasm64 => 8,
        }
    }

    pub fn from_prefix(prefix: &str) -> Option<Arch> {
        Arch::ALL
            .into_iter()
            .find(|a| a.prefix() == prefix || a.buffer_prefix() == prefix)
    }

    /// The arch a wasit2 import module names: `<p>`, `<b>`, `<p>|<I>` or
    /// `<b>|<I>` for a prefix of either arch; `None` for any other module.
    pub fn of_module(module: &str) -> Option<Arch> {
        let prefix = module.split_once('|').map_or(module, |(p, _)| p);
        Arch::from_prefix(prefix)
    }

    pub fn name(self) -> &'static str {
        match self {
            Arch::Wasm32 => "wasm32",
            Arch::Wasm64 => "wasm64",
        }
    }

    pub fn memory_export(self) -> String {
        format!("{}_memory", self.prefix())
    }

    pub fn initialize_export(self) -> String {
        format!("{}_initialize", self.prefix())
    }

    pub fn realloc_export(self) -> String {
        format!("{}_realloc", self.prefix())
    }
}

/// Shortens a version the way `BuildTargets.md` does so runtimes can match
/// names by string equality: `1.2.3`→`1`, `0.2.6`→`0.2`, `0.0.1`→`0.0.1`,
/// and a prerelease keeps its full text.
pub fn canonical_version(v: &semver::Version) -> String {
    if !v.pre.is_empty() {
        v.to_string()
    } else if v.major > 0 {
        v.major.to_string()
    } else if v.minor > 0 {
        format!("0.{}", v.minor)
    } else {
        format!("0.0.{}", v.patch)
    }
}

/// The canonical name of a world item: `wasi:io/streams@0.2` for interfaces,
/// the plain name for world-level functions.
pub(crate) fn canonical_key(resolve: &Resolve, key: &WorldKey) -> Option<String> {
    match key {
        WorldKey::Interface(id) => resolve.canonicalized_id_of(*id),
        WorldKey::Name(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_give_their_arch() {
        assert_eq!(Arch::of_module("cm32p2"), Some(Arch::Wasm32));
        assert_eq!(Arch::of_module("wasit2-cm64p2"), Some(Arch::Wasm64));
        assert_eq!(
            Arch::of_module("wasit2-cm32p2|wasi:io/streams@0.2"),
            Some(Arch::Wasm32)
        );
        assert_eq!(
            Arch::of_module("cm64p2|wasi:cli/exit@0.2"),
            Some(Arch::Wasm64)
        );
        assert_eq!(Arch::of_module("wasi_snapshot_preview1"), None);
        assert_eq!(Arch::of_module("env"), None);
        assert_eq!(Arch::of_module("cm32p2x|wasi:io/streams@0.2"), None);
    }

    #[test]
    fn versions_canonicalize_like_build_targets() {
        let c = |s: &str| canonical_version(&semver::Version::parse(s).unwrap());
        assert_eq!(c("1.2.3"), "1");
        assert_eq!(c("0.2.6"), "0.2");
        assert_eq!(c("0.2.12"), "0.2");
        assert_eq!(c("0.0.1"), "0.0.1");
        assert_eq!(c("0.2.0-rc.1"), "0.2.0-rc.1");
    }
}
