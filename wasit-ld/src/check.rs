//! Checking a linked module against the wasit2 ABI: every import must be one
//! the ABI library computed for the world, with exactly its signature, served
//! by the chosen host, and no realloc may be exported.

use std::fmt;

use wasit2_abi::{Arch, CoreSig, Import, Lowering};
use wasmparser::ExternalKind;

use crate::host::Host;
use crate::module::{self, ImportKind, ModuleError, ModuleInfo};

/// What to check besides the world's lowering.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    pub host: Host,
    /// Reject imports introduced after this WASI version (`--wasi-version`).
    pub wasi_version: Option<semver::Version>,
    /// `--import-memory` was requested, so a memory import is expected.
    pub import_memory: bool,
}

/// One import of the module and who uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportUse {
    pub module: String,
    pub field: String,
    /// Function index of the import (function imports only).
    pub func_index: Option<u32>,
    /// Names of the functions that call or reference it directly.
    pub referenced_by: Vec<String>,
    /// Whether it sits in a table, i.e. may be called indirectly.
    pub in_table: bool,
    /// A shortest call path from an export to it, names included
    /// (`run → main → wasi:cli/stdout@0.2.get-stdout`).
    pub call_path: Option<Vec<String>>,
}

impl ImportUse {
    /// ` ; referenced by `f`, `g` (call path: a → b → c)` or why none is known.
    fn describe_users(&self) -> String {
        let mut s = if self.referenced_by.is_empty() {
            if self.in_table {
                "referenced only from the function table".to_string()
            } else {
                "referenced by no function".to_string()
            }
        } else {
            let names: Vec<_> = self
                .referenced_by
                .iter()
                .map(|n| format!("`{n}`"))
                .collect();
            let table = if self.in_table {
                " and the function table"
            } else {
                ""
            };
            format!("referenced by {}{table}", names.join(", "))
        };
        if let Some(path) = &self.call_path {
            s.push_str(&format!(" (call path: {})", path.join(" → ")));
        }
        s
    }
}

/// Why an import or export is not allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// A WASI preview 1 import (`wasi_snapshot_preview1`/`wasi_unstable`).
    Preview1,
    /// An `env` import: an undefined symbol wasm-ld turned into an import.
    UndefinedSymbol {
        world: String,
    },
    /// A wasit2-style name for the other pointer width.
    WrongArch {
        module_arch: Arch,
    },
    /// Not an import of the world at all.
    NotInWorld {
        world: String,
    },
    WrongSignature {
        expected: CoreSig,
        found: String,
    },
    /// In the world, but newer than `--wasi-version`.
    TooNew {
        since: semver::Version,
        target: semver::Version,
    },
    /// In the world, but the host profile cannot serve it.
    NotInHost {
        host: &'static str,
        reason: String,
    },
    /// A memory, table, global or tag import.
    NonFunctionImport {
        kind: &'static str,
        hint: &'static str,
    },
    /// An export named like an ABI export but typed differently.
    ExportWrongSignature {
        name: String,
        expected: CoreSig,
        found: String,
    },
    /// An export with the ABI prefix that the world does not have.
    ExportNotInWorld {
        name: String,
        world: String,
    },
    /// A realloc export: wasit2 hosts never call into the guest to allocate.
    ReallocExport {
        name: String,
    },
    /// The module's memory width does not match the lowering checked against.
    ArchMismatch {
        module: Arch,
        lowering: Arch,
    },
}

/// One reason the module is not a valid wasit2 module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub import: Option<ImportUse>,
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.import {
            Some(i) => format!("import \"{}\" \"{}\"", i.module, i.field),
            None => String::new(),
        };
        let users = self
            .import
            .as_ref()
            .map(|i| format!("; {}", i.describe_users()))
            .unwrap_or_default();
        match &self.kind {
            ProblemKind::Preview1 => write!(
                f,
                "{what} is a WASI preview 1 function; wasit2 modules import WASI 0.2 only (build with a wasit2 sysroot, not a wasip1 one){users}"
            ),
            ProblemKind::UndefinedSymbol { world } => write!(
                f,
                "{what} is an undefined symbol, not a function of {world} (define it or link the library that does){users}"
            ),
            ProblemKind::WrongArch { module_arch } => write!(
                f,
                "{what} names the other pointer width; a {} module imports from `{}|…`/`{}|…`{users}",
                module_arch.name(),
                module_arch.prefix(),
                module_arch.buffer_prefix()
            ),
            ProblemKind::NotInWorld { world } => write!(f, "{what} is not an import of {world}{users}"),
            ProblemKind::WrongSignature { expected, found } => {
                write!(f, "{what} has signature {found} but the wasit2 ABI requires {expected}{users}")
            }
            ProblemKind::TooNew { since, target } => {
                write!(f, "{what} needs WASI {since} but --wasi-version is {target}{users}")
            }
            ProblemKind::NotInHost { host, reason } => write!(f, "{what} is not available on host `{host}`: {reason}{users}"),
            ProblemKind::NonFunctionImport { kind, hint } => write!(f, "{what} is a {kind} import; {hint}"),
            ProblemKind::ExportWrongSignature { name, expected, found } => write!(
                f,
                "export \"{name}\" has signature {found} but the wasit2 ABI requires {expected}"
            ),
            ProblemKind::ExportNotInWorld { name, world } => {
                write!(f, "export \"{name}\" is not an export of {world}")
            }
            ProblemKind::ReallocExport { name } => write!(
                f,
                "export \"{name}\" is a realloc; wasit2 hosts never allocate in the guest, so a wasit2 module must not export one"
            ),
            ProblemKind::ArchMismatch { module, lowering } => write!(
                f,
                "the module is {} but was checked against the {} ABI",
                module.name(),
                lowering.name()
            ),
        }
    }
}

/// The result of checking a module.
#[derive(Clone, Debug)]
pub struct Report {
    /// The module's pointer width (from its memory; the lowering's if it has
    /// no memory).
    pub arch: Arch,
    /// Every import with who uses it, in module order.
    pub imports: Vec<ImportUse>,
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Module(#[from] ModuleError),
}

/// Exports that would let a host allocate in the guest.
fn is_realloc_export(name: &str) -> bool {
    name == "cabi_realloc"
        || name == "cabi_realloc_adapter"
        || Arch::ALL.iter().any(|a| name == a.realloc_export())
}

/// Checks `bytes` against `lowering` and the options. Problems are collected,
/// not returned early, so a caller can report all of them.
pub fn check_module(
    bytes: &[u8],
    lowering: &Lowering,
    opts: &CheckOptions,
) -> Result<Report, CheckError> {
    let info = module::parse(bytes)?;
    Ok(check_info(&info, lowering, opts))
}

/// [`check_module`] on an already parsed module.
pub fn check_info(info: &ModuleInfo, lowering: &Lowering, opts: &CheckOptions) -> Report {
    let arch = info.arch().unwrap_or(lowering.arch);
    let mut problems = Vec::new();
    if arch != lowering.arch {
        problems.push(Problem {
            import: None,
            kind: ProblemKind::ArchMismatch {
                module: arch,
                lowering: lowering.arch,
            },
        });
    }
    let mut imports = Vec::new();
    for imp in &info.imports {
        let usage = import_use(info, lowering, imp);
        let problem = |kind| Problem {
            import: Some(usage.clone()),
            kind,
        };
        match &imp.kind {
            ImportKind::Func { sig, .. } => {
                if let Some(kind) = func_import_problem(lowering, opts, arch, &imp.module, &imp.field, sig) {
                    problems.push(problem(kind));
                }
            }
            ImportKind::Memory { .. } if opts.import_memory => {}
            ImportKind::Memory { .. } => problems.push(problem(ProblemKind::NonFunctionImport {
                kind: "memory",
                hint: "wasit2 modules define and export their memory (import it only with --import-memory)",
            })),
            other => problems.push(problem(ProblemKind::NonFunctionImport {
                kind: other.describe(),
                hint: "wasit2 modules import functions only",
            })),
        }
        imports.push(usage);
    }
    for e in &info.exports {
        if let Some(kind) = export_problem(info, lowering, arch, e) {
            problems.push(Problem { import: None, kind });
        } else if is_realloc_export(&e.name) {
            problems.push(Problem {
                import: None,
                kind: ProblemKind::ReallocExport {
                    name: e.name.clone(),
                },
            });
        }
    }
    Report {
        arch,
        imports,
        problems,
    }
}

/// Exports named by the ABI must have its signature; other names with the
/// ABI's prefix are mistakes (a typo, or the wrong world).
fn export_problem(
    info: &ModuleInfo,
    lowering: &Lowering,
    arch: Arch,
    e: &module::ModuleExport,
) -> Option<ProblemKind> {
    if is_realloc_export(&e.name) {
        return None;
    }
    let Some(abi) = lowering.export(&e.name) else {
        let prefixed = e.name.starts_with(&format!("{}|", arch.prefix()));
        return prefixed.then(|| ProblemKind::ExportNotInWorld {
            name: e.name.clone(),
            world: lowering.world_name.clone(),
        });
    };
    let (Some(expected), ExternalKind::Func) = (&abi.sig, e.kind) else {
        return None;
    };
    let found = info.func_sigs.get(e.index as usize)?;
    (found.core.as_ref() != Some(expected)).then(|| ProblemKind::ExportWrongSignature {
        name: e.name.clone(),
        expected: expected.clone(),
        found: found.text.clone(),
    })
}

fn func_import_problem(
    lowering: &Lowering,
    opts: &CheckOptions,
    arch: Arch,
    module: &str,
    field: &str,
    sig: &module::FoundSig,
) -> Option<ProblemKind> {
    let world = || lowering.world_name.clone();
    let Some(expected) = lowering.import(module, field) else {
        let prefix = module.split('|').next().unwrap_or(module);
        return Some(match module {
            "wasi_snapshot_preview1" | "wasi_unstable" => ProblemKind::Preview1,
            "env" => ProblemKind::UndefinedSymbol { world: world() },
            _ => match Arch::from_prefix(prefix) {
                Some(other) if other != arch && module.contains('|') => {
                    ProblemKind::WrongArch { module_arch: arch }
                }
                _ => ProblemKind::NotInWorld { world: world() },
            },
        });
    };
    if sig.core.as_ref() != Some(&expected.sig) {
        return Some(ProblemKind::WrongSignature {
            expected: expected.sig.clone(),
            found: sig.text.clone(),
        });
    }
    if let (Some(since), Some(target)) = (&expected.since, &opts.wasi_version) {
        if since > target {
            return Some(ProblemKind::TooNew {
                since: since.clone(),
                target: target.clone(),
            });
        }
    }
    if let Some(reason) = opts.host.refuses(expected) {
        return Some(ProblemKind::NotInHost {
            host: opts.host.name(),
            reason,
        });
    }
    None
}

/// Display name of a function for call paths: ABI imports by their WIT name.
fn path_name(info: &ModuleInfo, lowering: &Lowering, index: u32) -> String {
    let abi: Option<&Import> = info
        .imports
        .iter()
        .find(|i| matches!(i.kind, ImportKind::Func { index: n, .. } if n == index))
        .and_then(|i| lowering.import(&i.module, &i.field));
    match abi {
        Some(imp) => imp.display_name(),
        None => info.func_name(index),
    }
}

fn import_use(info: &ModuleInfo, lowering: &Lowering, imp: &module::ModuleImport) -> ImportUse {
    let func_index = match imp.kind {
        ImportKind::Func { index, .. } => Some(index),
        _ => None,
    };
    let (referenced_by, in_table, call_path) = match func_index {
        Some(i) => (
            info.graph
                .callers_of(i)
                .into_iter()
                .map(|c| info.func_name(c))
                .collect(),
            info.graph.in_table(i),
            info.graph.path_to(i).map(|p| {
                p.into_iter()
                    .map(|f| path_name(info, lowering, f))
                    .collect()
            }),
        ),
        None => (Vec::new(), false, None),
    };
    ImportUse {
        module: imp.module.clone(),
        field: imp.field.clone(),
        func_index,
        referenced_by,
        in_table,
        call_path,
    }
}
