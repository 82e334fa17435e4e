//! The `wasit2-abi` custom section that marks a linked wasit2 module.

use crate::{AbiError, Arch, Result};

/// Custom section name.
pub const SECTION_NAME: &str = "wasit2-abi";
/// Version of the ABI described in `docs/abi.md`.
pub const ABI_VERSION: u32 = 1;

/// Contents of the custom section: UTF-8 lines of `key value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbiSection {
    pub version: u32,
    pub arch: Arch,
    /// Fully qualified target world, e.g. `wasi:cli/command@0.2.12`.
    pub world: String,
    /// The host profile the module was checked against, e.g. `wasit2` or
    /// `wasip1`.
    pub host: String,
}

impl AbiSection {
    /// Whether a module without the section means the same: a reader that
    /// finds none assumes ABI version 1, the arch of the module's memory,
    /// `wasi:cli/command` and the wasit2 host. `--strip-all` then leaves the
    /// section out (78 bytes of a 4 KiB hello).
    pub fn is_implied(&self) -> bool {
        self.version == ABI_VERSION
            && self.host == "wasit2"
            && self.world == format!("wasi:cli/command@{}", crate::WASI_VERSION)
    }

    pub fn encode(&self) -> Vec<u8> {
        format!(
            "wasit2-abi {}\narch {}\nworld {}\nhost {}\n",
            self.version,
            self.arch.name(),
            self.world,
            self.host
        )
        .into_bytes()
    }

    pub fn decode(bytes: &[u8]) -> Result<AbiSection> {
        let bad = |m: &str| AbiError::BadSection(m.to_string());
        let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8"))?;
        let (mut version, mut arch, mut world, mut host) = (None, None, None, None);
        for line in text.lines() {
            let (k, v) = line.split_once(' ').ok_or_else(|| bad(line))?;
            match k {
                "wasit2-abi" => version = Some(v.parse().map_err(|_| bad("bad version"))?),
                "arch" => {
                    arch = Some(match v {
                        "wasm32" => Arch::Wasm32,
                        "wasm64" => Arch::Wasm64,
                        _ => return Err(bad("bad arch")),
                    })
                }
                "world" => world = Some(v.to_string()),
                "host" => host = Some(v.to_string()),
                _ => {} // Unknown keys are for newer readers.
            }
        }
        Ok(AbiSection {
            version: version.ok_or_else(|| bad("missing version"))?,
            arch: arch.ok_or_else(|| bad("missing arch"))?,
            world: world.ok_or_else(|| bad("missing world"))?,
            host: host.unwrap_or_else(|| "wasit2".into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let s = AbiSection {
            version: ABI_VERSION,
            arch: Arch::Wasm64,
            world: "wasi:cli/command@0.2.12".into(),
            host: "wasip1".into(),
        };
        assert_eq!(AbiSection::decode(&s.encode()).unwrap(), s);
        assert!(AbiSection::decode(b"garbage").is_err());
    }

    #[test]
    fn only_the_default_world_and_host_are_implied() {
        let mut s = AbiSection {
            version: ABI_VERSION,
            arch: Arch::Wasm32,
            world: format!("wasi:cli/command@{}", crate::WASI_VERSION),
            host: "wasit2".into(),
        };
        assert!(s.is_implied());
        s.world = format!("wasi:cli/imports@{}", crate::WASI_VERSION);
        assert!(!s.is_implied());
        s.world = format!("wasi:cli/command@{}", crate::WASI_VERSION);
        s.host = "wasip1".into();
        assert!(!s.is_implied());
    }
}
