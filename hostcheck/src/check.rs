//! Host profiles and the check of a module against one.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use wasit2_abi::{Arch, Lowering, Wit};

use crate::features::{self, FeatureSet};
use crate::module::Module;
use crate::{p1, Error, Result};

/// What a host can run: the WIT world whose imports it serves (through
/// the wasit2 ABI), whether it also serves WASI preview 1 imports, and
/// which wasm proposals its engine accepts.
pub struct HostProfile {
    /// Name shown in reports: `wasit2`, `wasip1`, or the WIT path/world.
    pub name: String,
    /// Fully qualified world, e.g. `wasit2:targets/wasip1@0.1.0`.
    pub world: String,
    /// Lowerings of the world for each arch the host runs.
    lowerings: Vec<Lowering>,
    /// Lowerings of the full WASI command world, to name imports the host lacks.
    reference: Vec<Lowering>,
    /// Serves `wasi_snapshot_preview1` imports directly.
    pub p1: bool,
    pub features: FeatureSet,
}

/// The proposals the 2020 WAMR (`wamr-sys` 0.1.1's iwasm) loads besides
/// MVP, measured with clang-22 output (docs/wasip1.md). It rejects
/// reference-types and the overlong `call_indirect` encoding clang-22 emits
/// by default ("zero flag expected"), and SIMD.
pub const WAMR_2020: FeatureSet = FeatureSet::Mvp {
    extra: &[
        "mutable-globals",
        "sign-ext",
        "nontrapping-fptoint",
        "bulk-memory",
        "multivalue",
    ],
};

/// Strict WebAssembly 1.0, for runtimes nobody has measured.
pub const STRICT_MVP: FeatureSet = FeatureSet::Mvp { extra: &[] };

fn lowerings(wit: &Wit, world: wit_parser::WorldId, arches: &[Arch]) -> Result<Vec<Lowering>> {
    arches
        .iter()
        .map(|a| Ok(Lowering::new(wit, world, *a)?))
        .collect()
}

impl HostProfile {
    /// The wasit2 host (`wasit2 run`): the WASI 0.2 command world, both arches.
    pub fn wasit2() -> Result<HostProfile> {
        let wit = Wit::wasi()?;
        let world = wit.command_world()?;
        let l = lowerings(&wit, world, &Arch::ALL)?;
        Ok(HostProfile {
            name: "wasit2".into(),
            world: wit.world_name(world),
            reference: lowerings(&wit, world, &Arch::ALL)?,
            lowerings: l,
            p1: false,
            features: FeatureSet::Any,
        })
    }

    /// A WASI preview 1 runtime such as the 2020 WAMR: the
    /// `wasit2:targets/wasip1` world (served by the adapter), p1 imports,
    /// wasm32 only, MVP encodings.
    pub fn wasip1() -> Result<HostProfile> {
        let wit = Wit::wasi()?;
        let world = wit.world("wasit2:targets/wasip1")?;
        let command = wit.command_world()?;
        Ok(HostProfile {
            name: "wasip1".into(),
            world: wit.world_name(world),
            lowerings: lowerings(&wit, world, &[Arch::Wasm32])?,
            reference: lowerings(&wit, command, &Arch::ALL)?,
            p1: true,
            features: WAMR_2020,
        })
    }

    /// A host described by a user WIT world (`path` is a WIT file or
    /// directory; `world` defaults to the package's only world). A world that
    /// imports everything `wasit2:targets/wasip1` does is taken as a p1
    /// runtime with extra interfaces: p1 imports, wasm32, MVP.
    pub fn from_wit(path: &Path, world: Option<&str>) -> Result<HostProfile> {
        let mut wit = Wit::wasi()?;
        let bad = |e: &dyn fmt::Display| Error::Profile(format!("{}: {e:#}", path.display()));
        // A package that is already loaded (e.g. `wit/worlds.wit` itself)
        // is used as it is: pushing it again would be a conflict.
        let group = if path.is_dir() {
            wit_parser::UnresolvedPackageGroup::parse_dir(path)
                .map_err(|e| bad(&format!("{e:#}")))?
        } else {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            wit_parser::UnresolvedPackageGroup::parse(path, &text)
                .map_err(|(_, e)| bad(&format!("{e:#}")))?
        };
        let pkg = match wit.resolve.package_names.get(&group.main.name) {
            Some(&pkg) => pkg,
            None => wit.push_path(path)?,
        };
        let world_id = wit
            .resolve
            .select_world(&[pkg], world)
            .or_else(|e| match world {
                Some(w) => wit.world(w).map_err(|_| bad(&format!("{e:#}"))),
                None => Err(bad(&format!("{e:#}"))),
            })?;
        let p1_world = wit.world("wasit2:targets/wasip1")?;
        let import_names = |w| -> BTreeSet<String> {
            wit.resolve.worlds[w]
                .imports
                .keys()
                .map(|k| wit.resolve.name_world_key(k))
                .collect()
        };
        let p1_based = import_names(p1_world).is_subset(&import_names(world_id));
        let arches: &[Arch] = if p1_based {
            &[Arch::Wasm32]
        } else {
            &Arch::ALL
        };
        let command = wit.command_world()?;
        let name = match world {
            Some(w) => format!("{}:{w}", path.display()),
            None => path.display().to_string(),
        };
        Ok(HostProfile {
            name,
            world: wit.world_name(world_id),
            lowerings: lowerings(&wit, world_id, arches)?,
            reference: lowerings(&wit, command, &Arch::ALL)?,
            p1: p1_based,
            features: if p1_based { WAMR_2020 } else { FeatureSet::Any },
        })
    }

    /// `wasit2`, `wasip1`, or `PATH[:WORLD]` to a WIT file or directory.
    pub fn parse(spec: &str) -> Result<HostProfile> {
        match spec {
            "wasit2" => HostProfile::wasit2(),
            "wasip1" => HostProfile::wasip1(),
            _ => {
                // `PATH:WORLD` unless the whole spec is an existing path.
                let whole = Path::new(spec);
                if whole.exists() {
                    return HostProfile::from_wit(whole, None);
                }
                match spec.rsplit_once(':') {
                    Some((path, world)) if Path::new(path).exists() => {
                        HostProfile::from_wit(Path::new(path), Some(world))
                    }
                    _ => Err(Error::Profile(format!(
                        "unknown host `{spec}`: use wasit2, wasip1, or PATH[:WORLD] of a WIT file or directory"
                    ))),
                }
            }
        }
    }

    fn lowering(&self, arch: Arch) -> Option<&Lowering> {
        self.lowerings.iter().find(|l| l.arch == arch)
    }

    fn reference(&self, arch: Arch) -> Option<&Lowering> {
        self.reference.iter().find(|l| l.arch == arch)
    }
}

/// Options of a check.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Reject WASI functions introduced (`@since`) after this version.
    pub wasi_version: Option<semver::Version>,
    /// Overrides the profile's accepted wasm proposals.
    pub features: Option<FeatureSet>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// An import the host does not provide.
    MissingImport,
    /// An import the host provides, but with another core signature.
    WrongSignature,
    /// A WASI function newer than `--wasi-version`.
    TooNew,
    /// A wasm proposal the host's engine lacks.
    Feature,
    /// An export a p1 runtime needs to run the module as a command.
    MissingExport,
}

/// One reason the module cannot run on the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// What is wrong, without the call path.
    pub message: String,
    /// Entry point → … → the import (display names), when the import is
    /// reachable from an export.
    pub call_path: Option<Vec<String>>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        match (&self.call_path, self.kind) {
            (Some(p), _) => write!(f, "; call path: {}", p.join(" → ")),
            (None, ProblemKind::Feature | ProblemKind::MissingExport) => Ok(()),
            (None, _) => f.write_str(" (not reachable from any export)"),
        }
    }
}

/// The result of a check: one line per problem when displayed.
#[derive(Clone, Debug)]
pub struct Report {
    pub host: String,
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.problems {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

/// The import's name as reports show it: `wasi:io/streams@0.2.[method]…`
/// when the ABI knows it, else `module.field`.
fn display_import(profile: &HostProfile, arch: Option<Arch>, module: &str, field: &str) -> String {
    arch.and_then(|a| profile.reference(a).and_then(|l| l.import(module, field)))
        .or_else(|| arch.and_then(|a| profile.lowering(a).and_then(|l| l.import(module, field))))
        .map(|i| i.display_name())
        .unwrap_or_else(|| format!("{module}.{field}"))
}

/// Whether the wasip1 adapter defines `imp` although the profile's world
/// lacks it: a drop of a resource no p1 program can create, or a method of
/// the UDP datagram streams (`wasit2_abi::wasip1_adapter::unserved_methods`); each traps.
fn adapter_traps(profile: &HostProfile, arch: Arch, imp: &crate::module::FuncImport) -> bool {
    let (Some(served), Some(full)) = (profile.lowering(arch), profile.reference(arch)) else {
        return false;
    };
    if served.import(&imp.module, &imp.field).is_some() {
        return false;
    }
    let drop = full
        .import(&imp.module, &imp.field)
        .is_some_and(|i| matches!(i.item, wasit2_abi::ImportItem::ResourceDrop { .. }))
        && imp
            .sig
            .as_ref()
            .is_some_and(|s| s.params.len() == 1 && s.results.is_empty());
    drop || wasit2_abi::wasip1_adapter::unserved_methods(served, full)
        .iter()
        .any(|i| i.module == imp.module && i.field == imp.field && imp.sig.as_ref() == Some(&i.sig))
}

/// Checks `module` (a linked core module) against `profile`.
pub fn check(module: &[u8], profile: &HostProfile, opts: &CheckOptions) -> Result<Report> {
    let m = Module::parse(module)?;
    let paths = m.paths_from_entries();
    let mut problems = Vec::new();
    let host = &profile.name;

    for (index, imp) in m.func_imports.iter().enumerate() {
        let arch = imp.module.split('|').next().and_then(Arch::from_prefix);
        let shown = display_import(profile, arch, &imp.module, &imp.field);
        let sig_text = imp
            .sig
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_else(|| "(non-numeric types)".into());
        let problem = if imp.module == p1::MODULE {
            if !profile.p1 {
                Some((ProblemKind::MissingImport, format!(
                    "{shown}: WASI preview 1 function, which host {host} does not provide (link for a wasit2 host, without the wasip1 adapter)"
                )))
            } else {
                match p1::signature(&imp.field) {
                    None => Some((ProblemKind::MissingImport, format!(
                        "{shown}: not a WASI preview 1 function, so host {host} does not provide it"
                    ))),
                    Some(want) if Some(&want) != imp.sig.as_ref() => Some((ProblemKind::WrongSignature, format!(
                        "{shown}: imported with signature {sig_text}, but WASI preview 1 defines {want}"
                    ))),
                    Some(_) => None,
                }
            }
        } else if arch.is_some_and(|a| profile.p1 && adapter_traps(profile, a, imp)) {
            None
        } else if let Some(arch) = arch {
            match profile.lowering(arch).and_then(|l| l.import(&imp.module, &imp.field)) {
                None if profile.lowering(arch).is_none() => Some((ProblemKind::MissingImport, format!(
                    "{shown}: host {host} does not run {} modules", arch.name()
                ))),
                None => Some((ProblemKind::MissingImport, format!(
                    "{shown}: not provided by host {host} (world {})", profile.world
                ))),
                Some(want) if Some(&want.sig) != imp.sig.as_ref() => Some((ProblemKind::WrongSignature, format!(
                    "{shown}: imported with signature {sig_text}, but the wasit2 ABI defines {}", want.sig
                ))),
                Some(want) => match (&opts.wasi_version, &want.since) {
                    (Some(limit), Some(since)) if since > limit => Some((ProblemKind::TooNew, format!(
                        "{shown}: introduced in WASI {since}, newer than --wasi-version {limit}"
                    ))),
                    _ => None,
                },
            }
        } else {
            Some((
                ProblemKind::MissingImport,
                format!("{shown}: not provided by host {host} (not a WASI import)"),
            ))
        };
        if let Some((kind, message)) = problem {
            let call_path = paths.get(&(index as u32)).map(|p| {
                p.iter()
                    .map(|(f, via_table)| {
                        let name = if *f == index as u32 {
                            shown.clone()
                        } else {
                            m.func_name(*f)
                        };
                        if *via_table {
                            format!("(call_indirect) {name}")
                        } else {
                            name
                        }
                    })
                    .collect()
            });
            problems.push(Problem {
                kind,
                message,
                call_path,
            });
        }
    }

    for (module, field, kind) in &m.other_imports {
        problems.push(Problem {
            kind: ProblemKind::MissingImport,
            message: format!(
                "{module}.{field}: imports a {kind}, which host {host} does not provide"
            ),
            call_path: None,
        });
    }

    // A finished p1 module (p1 imports, no wasit2 imports left) runs as a
    // p1 command: the runtime calls `_start` and uses the memory `memory`.
    let has_p1 = m.func_imports.iter().any(|i| i.module == p1::MODULE);
    let has_wasit2 = m.func_imports.iter().any(|i| {
        i.module
            .split('|')
            .next()
            .and_then(Arch::from_prefix)
            .is_some()
    });
    if profile.p1 && has_p1 && !has_wasit2 {
        if !m.func_exports.iter().any(|(n, _)| n == "_start") {
            problems.push(Problem {
                kind: ProblemKind::MissingExport,
                message: format!("no `_start` export, which host {host} calls to run a command (link the adapter with `_start` as the entry)"),
                call_path: None,
            });
        }
        if !m.memory_exports.iter().any(|n| n == "memory") {
            problems.push(Problem {
                kind: ProblemKind::MissingExport,
                message: format!(
                    "no memory exported as `memory`, which host {host} needs for every p1 call"
                ),
                call_path: None,
            });
        }
    }

    let allowed = opts.features.unwrap_or(profile.features);
    let uses = features::disallowed(module, allowed).map_err(Error::BadModule)?;
    for u in uses {
        let place = match m.func_at(u.offset) {
            Some(f) => format!("in function `{}`", m.func_name(f)),
            None => format!("at offset {:#x}", u.offset),
        };
        problems.push(Problem {
            kind: ProblemKind::Feature,
            message: format!(
                "uses wasm feature `{}` ({place}: {}), which host {host} lacks: compile and link everything (program, libc, adapter) with -mcpu=mvp (clang: --target=wasm32-wasit2-mvp, whose sysroot is built that way), or add {}",
                u.feature.name, u.detail, u.feature.disable
            ),
            call_path: None,
        });
    }

    Ok(Report {
        host: host.clone(),
        problems,
    })
}
