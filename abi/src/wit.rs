//! Loading WIT: WASI 0.2 from the `wasip2` crate (embedded at build time),
//! the project's own worlds, and any user-supplied WIT on top.

use std::path::Path;

use anyhow::Context;
use wit_parser::{PackageId, Resolve, UnresolvedPackageGroup, WorldId};

use crate::{AbiError, Result};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_wit.rs"));
}

/// The WASI release whose WIT is embedded.
pub const WASI_VERSION: &str = "0.2.12";

/// A resolved set of WIT packages: WASI 0.2, `wasit2:targets`, and whatever
/// the user added.
#[derive(Clone)]
pub struct Wit {
    pub resolve: Resolve,
    /// The package pushed last by the user, used to resolve bare world names.
    user_package: Option<PackageId>,
}

impl Wit {
    /// WASI 0.2 plus the project's worlds.
    pub fn wasi() -> Result<Wit> {
        let parse = |path: String, text: &str| {
            UnresolvedPackageGroup::parse(&path, text)
                .map_err(|(_, e)| anyhow::anyhow!("{path}: {e}"))
        };
        let deps = embedded::WASI_WIT
            .iter()
            .map(|(name, text)| parse(format!("wasip2/wit/deps/{name}"), text))
            .collect::<anyhow::Result<Vec<_>>>()?;
        // The project's worlds form the main package; WASI is its dependencies,
        // which `push_groups` sorts topologically.
        let [(name, text)] = embedded::PROJECT_WIT else {
            return Err(AbiError::Unsupported(
                "wit/ must hold exactly one file".into(),
            ));
        };
        let main = parse(format!("wit/{name}"), text)?;
        let mut resolve = Resolve::default();
        resolve
            .push_groups(main, deps)
            .map_err(anyhow::Error::from)?;
        Ok(Wit {
            resolve,
            user_package: None,
        })
    }

    /// Adds a user WIT file or directory (a package, optionally with its own
    /// `deps/`). WASI packages already present are reused.
    pub fn push_path(&mut self, path: &Path) -> Result<PackageId> {
        let (pkg, _) = self
            .resolve
            .push_path(path)
            .with_context(|| format!("loading WIT from {}", path.display()))?;
        self.user_package = Some(pkg);
        Ok(pkg)
    }

    /// Finds a world by name. Accepts fully qualified names
    /// (`wasi:cli/command@0.2.12`, `wasit2:targets/wasip1`) and, when user WIT
    /// was pushed, bare names in that package.
    pub fn world(&self, name: &str) -> Result<WorldId> {
        if let Some(pkg) = self.user_package {
            if let Ok(id) = self.resolve.select_world(&[pkg], Some(name)) {
                return Ok(id);
            }
        }
        let all: Vec<PackageId> = self.resolve.packages.iter().map(|(id, _)| id).collect();
        if let Ok(id) = self.resolve.select_world(&all, Some(name)) {
            return Ok(id);
        }
        // Accept a versionless `ns:pkg/world` by matching on name only.
        for (id, world) in self.resolve.worlds.iter() {
            let Some(pkg) = world.package else { continue };
            let p = &self.resolve.packages[pkg].name;
            if format!("{}:{}/{}", p.namespace, p.name, world.name) == name {
                return Ok(id);
            }
        }
        Err(AbiError::UnknownWorld(name.to_string()))
    }

    /// The default target world, `wasi:cli/command`.
    pub fn command_world(&self) -> Result<WorldId> {
        self.world(&format!("wasi:cli/command@{WASI_VERSION}"))
    }

    /// Fully qualified name of a world, e.g. `wasi:cli/command@0.2.12`.
    pub fn world_name(&self, world: WorldId) -> String {
        let w = &self.resolve.worlds[world];
        match w.package {
            Some(pkg) => {
                let p = &self.resolve.packages[pkg].name;
                match &p.version {
                    Some(v) => format!("{}:{}/{}@{v}", p.namespace, p.name, w.name),
                    None => format!("{}:{}/{}", p.namespace, p.name, w.name),
                }
            }
            None => w.name.clone(),
        }
    }
}

/// The name WIT gives a primitive type (`u8`, `s32`, `string`,
/// `error-context`, …); `None` for a defined type (`Type::Id`).
pub fn primitive_name(ty: &wit_parser::Type) -> Option<&'static str> {
    use wit_parser::Type;
    Some(match ty {
        Type::Bool => "bool",
        Type::U8 => "u8",
        Type::U16 => "u16",
        Type::U32 => "u32",
        Type::U64 => "u64",
        Type::S8 => "s8",
        Type::S16 => "s16",
        Type::S32 => "s32",
        Type::S64 => "s64",
        Type::F32 => "f32",
        Type::F64 => "f64",
        Type::Char => "char",
        Type::String => "string",
        Type::ErrorContext => "error-context",
        Type::Id(_) => return None,
    })
}
