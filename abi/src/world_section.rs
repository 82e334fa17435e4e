//! The `wasit2-world` custom section: the WIT a module was built against.
//!
//! The C source `wasit2 bindgen` writes carries its world in this section
//! (an inline-asm `.custom_section`), so the objects of a program say which
//! world they need; wasm-ld concatenates the sections of all objects.
//! wasit-ld reads them, merges their worlds with the WASI command world, and
//! replaces them with one record describing that merged world, which the
//! `wasit2-abi` section then names. Readers (componentize, hosts, check)
//! load it with [`WorldSection::load`].
//!
//! Format (UTF-8), one or more records back to back:
//!
//! ```text
//! wasit2-world 1 <fully qualified world>\n
//! package <n>\n<n bytes: the WIT text of one package>\n   (zero or more)
//! end\n
//! ```
//!
//! Packages come in dependency order; WASI and `wasit2:targets` packages
//! are never included (every reader has them).

use wit_parser::{UnresolvedPackageGroup, WorldId};

use crate::{AbiError, Result, Wit};

/// Custom section name.
pub const WORLD_SECTION_NAME: &str = "wasit2-world";
/// Version of the record format.
pub const WORLD_SECTION_VERSION: u32 = 1;

/// One record: a world and the WIT packages that define it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorldRecord {
    /// Fully qualified world, e.g. `acme:sensors/firmware@1.0.0`.
    pub world: String,
    /// WIT text of each package beyond WASI, dependencies first.
    pub packages: Vec<String>,
}

/// The decoded contents of one or more concatenated `wasit2-world` sections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorldSection {
    pub records: Vec<WorldRecord>,
}

impl WorldRecord {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = format!(
            "{WORLD_SECTION_NAME} {WORLD_SECTION_VERSION} {}\n",
            self.world
        );
        for p in &self.packages {
            out.push_str(&format!("package {}\n{p}\n", p.len()));
        }
        out.push_str("end\n");
        out.into_bytes()
    }
}

impl WorldSection {
    pub fn encode(&self) -> Vec<u8> {
        self.records.iter().flat_map(|r| r.encode()).collect()
    }

    /// Parses concatenated records. Padding (NUL bytes, whitespace) between
    /// records is skipped.
    pub fn decode(bytes: &[u8]) -> Result<WorldSection> {
        let bad = |m: String| AbiError::BadSection(format!("{WORLD_SECTION_NAME}: {m}"));
        let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8".into()))?;
        let mut rest = text;
        let mut records = Vec::new();
        loop {
            rest = rest.trim_start_matches(|c: char| c == '\0' || c.is_ascii_whitespace());
            if rest.is_empty() {
                break;
            }
            let (line, after) = rest
                .split_once('\n')
                .ok_or_else(|| bad("truncated record".into()))?;
            let mut words = line.splitn(3, ' ');
            let (Some(WORLD_SECTION_NAME), Some(version), Some(world)) =
                (words.next(), words.next(), words.next())
            else {
                return Err(bad(format!("expected a record, found `{line}`")));
            };
            if version != WORLD_SECTION_VERSION.to_string() {
                return Err(bad(format!("unsupported version {version}")));
            }
            rest = after;
            let mut packages = Vec::new();
            loop {
                let (line, after) = rest
                    .split_once('\n')
                    .ok_or_else(|| bad("truncated record".into()))?;
                rest = after;
                if line == "end" {
                    break;
                }
                let n: usize = line
                    .strip_prefix("package ")
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| bad(format!("expected `package N` or `end`, found `{line}`")))?;
                let body = rest
                    .get(..n)
                    .ok_or_else(|| bad("truncated package".into()))?;
                packages.push(body.to_string());
                rest = rest[n..].strip_prefix('\n').unwrap_or(&rest[n..]);
            }
            records.push(WorldRecord {
                world: world.to_string(),
                packages,
            });
        }
        Ok(WorldSection { records })
    }

    /// WASI plus every package of every record, and the world of each record
    /// (in record order). A package already loaded (the same package from
    /// two bindings files, or a WASI one) is used as it is.
    pub fn load(&self) -> Result<(Wit, Vec<WorldId>)> {
        let mut wit = Wit::wasi()?;
        let mut worlds = Vec::new();
        for r in &self.records {
            for (i, text) in r.packages.iter().enumerate() {
                let path = format!("<{WORLD_SECTION_NAME} {}: package {i}>", r.world);
                let group = UnresolvedPackageGroup::parse(&path, text)
                    .map_err(|(_, e)| AbiError::BadSection(format!("{path}: {e:#}")))?;
                if wit.resolve.package_names.contains_key(&group.main.name) {
                    continue;
                }
                wit.resolve
                    .push_group(group)
                    .map_err(|e| AbiError::BadSection(format!("{path}: {e:#}")))?;
            }
            worlds.push(wit.world(&r.world)?);
        }
        Ok((wit, worlds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACME: &str = "package acme:sensors@1.0.0;\n\ninterface temp {\n  model: func() -> string;\n}\n\nworld firmware {\n  import temp;\n}\n";

    #[test]
    fn concatenated_records_round_trip_and_load() {
        let r = WorldRecord {
            world: "acme:sensors/firmware@1.0.0".into(),
            packages: vec![ACME.into()],
        };
        let mut bytes = r.encode();
        bytes.push(0);
        bytes.extend(r.encode());
        let s = WorldSection::decode(&bytes).unwrap();
        assert_eq!(s.records, vec![r.clone(), r]);
        let (wit, worlds) = s.load().unwrap();
        assert_eq!(worlds.len(), 2);
        assert_eq!(worlds[0], worlds[1]);
        assert_eq!(wit.world_name(worlds[0]), "acme:sensors/firmware@1.0.0");
    }

    #[test]
    fn garbage_is_a_typed_error() {
        for bad in [
            &b"hello\n"[..],
            b"wasit2-world 1 a:b/c\npackage 99\nx\n",
            b"\xff",
        ] {
            assert!(matches!(
                WorldSection::decode(bad),
                Err(AbiError::BadSection(_))
            ));
        }
    }
}
