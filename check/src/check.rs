//! Host profiles and the check of a module against one.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use wasit2_abi::{env_form, p1, Arch, Lowering, Wit};
use wasit2_module::exceptions::ExceptionUse;
use wasit2_module::{features, ImportKind, Module};
use wasmparser::{ExternalKind, Validator, WasmFeatures};

use crate::{Error, Result};

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
    /// Lowerings of the worlds added with [`HostProfile::extend`] (vendor
    /// interfaces the runtime registers as natives), for the same arches.
    extra: Vec<Lowering>,
    /// Core imports the runtime registers itself (`env.read_temp`,
    /// `env.*`): `*` matches any run of characters in `module.field`.
    allow: Vec<String>,
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

/// Lime1, as clang-22's `-mcpu=lime1` defines it (LLVM's
/// `WebAssembly.td`): WebAssembly 1.0 plus mutable-globals, sign-ext,
/// nontrapping-fptoint, multivalue, extended-const, and two parts of
/// larger proposals: bulk-memory-opt (`memory.copy`/`memory.fill`, not
/// passive segments) and call-indirect-overlong (the LEB table index of
/// `call_indirect`, not the rest of reference-types).
pub const LIME1: FeatureSet = FeatureSet::Lime1;

/// The proposals Lime1 has whole.
const LIME1_WHOLE: &[&str] = &[
    "mutable-globals",
    "sign-ext",
    "nontrapping-fptoint",
    "multivalue",
    "extended-const",
];

/// The parts of proposals Lime1 has.
const LIME1_PARTS: WasmFeatures =
    WasmFeatures::BULK_MEMORY_OPT.union(WasmFeatures::CALL_INDIRECT_OVERLONG);

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
            extra: Vec::new(),
            allow: Vec::new(),
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
            extra: Vec::new(),
            allow: Vec::new(),
        })
    }

    /// A host described by a user WIT world (`path` is a WIT file or
    /// directory; `world` defaults to the package's only world). A world that
    /// imports everything `wasit2:targets/wasip1` does is taken as a p1
    /// runtime with extra interfaces: p1 imports, wasm32, MVP.
    pub fn from_wit(path: &Path, world: Option<&str>) -> Result<HostProfile> {
        let (wit, world_id) = load_world(path, world)?;
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
        Ok(HostProfile {
            name: spec_name(path, world),
            world: wit.world_name(world_id),
            lowerings: lowerings(&wit, world_id, arches)?,
            reference: lowerings(&wit, command, &Arch::ALL)?,
            p1: p1_based,
            features: if p1_based { WAMR_2020 } else { FeatureSet::Any },
            extra: Vec::new(),
            allow: Vec::new(),
        })
    }

    /// `wasit2`, `wasip1`, or `PATH[:WORLD]` to a WIT file or directory.
    pub fn parse(spec: &str) -> Result<HostProfile> {
        match spec {
            "wasit2" => HostProfile::wasit2(),
            "wasip1" => HostProfile::wasip1(),
            _ => match wit_spec(spec) {
                Some((path, world)) => HostProfile::from_wit(path, world),
                None => Err(Error::Profile(format!(
                    "unknown host `{spec}`: use wasit2, wasip1, or PATH[:WORLD] of a WIT file or directory"
                ))),
            },
        }
    }

    /// The host a command line states: `--host SPEC` ([`HostProfile::parse`])
    /// plus each `--host-world` and `--host-allow` ([`HostProfile::extend`]).
    /// `wasit2 check` and `wasit-ld` both read their flags through it.
    pub fn from_flags(host: &str, worlds: &[String], allow: &[String]) -> Result<HostProfile> {
        HostProfile::parse(host)?.extend(worlds, allow)
    }

    /// The profile plus what the runtime serves besides it: the imports of
    /// each WIT world in `worlds` (`PATH[:WORLD]`, e.g. a vendor interface
    /// lowered to `cm32p2|acme:sensors/temp@1` core imports that firmware
    /// registers as natives), for the arches the profile runs, and the
    /// core imports `allow` names (`module.field`, `*` matching any run of
    /// characters: `env.read_temp`, `env.*`).
    pub fn extend(mut self, worlds: &[String], allow: &[String]) -> Result<HostProfile> {
        let mut arches: Vec<Arch> = self.lowerings.iter().map(|l| l.arch).collect();
        arches.dedup();
        for spec in worlds {
            let (path, world) = wit_spec(spec).ok_or_else(|| {
                Error::Profile(format!(
                    "--host-world `{spec}`: no such WIT file or directory (expected PATH[:WORLD])"
                ))
            })?;
            let (wit, id) = load_world(path, world)?;
            self.extra.extend(lowerings(&wit, id, &arches)?);
            self.name = format!("{} + {}", self.name, spec_name(path, world));
            self.world = format!("{} + {}", self.world, wit.world_name(id));
        }
        for pattern in allow {
            match pattern.split_once('.') {
                Some((module, field)) if !module.is_empty() && !field.is_empty() => {
                    self.allow.push(pattern.clone())
                }
                _ => {
                    return Err(Error::Profile(format!(
                        "--host-allow `{pattern}`: expected MODULE.FIELD, such as env.read_temp or env.*"
                    )))
                }
            }
        }
        Ok(self)
    }

    /// Whether the runtime registers `module.field` itself (`--host-allow`).
    fn allows(&self, module: &str, field: &str) -> bool {
        let name = format!("{module}.{field}");
        self.allow.iter().any(|p| glob_match(p, &name))
    }

    /// The import `module`/`field` of any world the host serves for `arch`.
    fn served(&self, arch: Arch, module: &str, field: &str) -> Option<&wasit2_abi::Import> {
        self.lowering(arch)
            .into_iter()
            .chain(self.extra.iter().filter(|l| l.arch == arch))
            .find_map(|l| l.import(module, field))
    }

    /// Whether `module`/`field` is an import of a world added with `extend`.
    fn is_extra_import(&self, arch: Arch, module: &str, field: &str) -> bool {
        self.extra
            .iter()
            .any(|l| l.arch == arch && l.import(module, field).is_some())
    }

    /// A host serving `world` of `wit` (a WIT world given to the linker with
    /// `--wit`/`--world`) under the name `name`, for the given arches.
    pub fn for_world(
        name: &str,
        wit: &Wit,
        world: wit_parser::WorldId,
        arches: &[Arch],
    ) -> Result<HostProfile> {
        let command = wit.command_world()?;
        Ok(HostProfile {
            name: name.to_string(),
            world: wit.world_name(world),
            lowerings: lowerings(wit, world, arches)?,
            reference: lowerings(wit, command, &Arch::ALL)?,
            p1: false,
            features: FeatureSet::Any,
            extra: Vec::new(),
            allow: Vec::new(),
        })
    }

    fn lowering(&self, arch: Arch) -> Option<&Lowering> {
        self.lowerings.iter().find(|l| l.arch == arch)
    }

    fn reference(&self, arch: Arch) -> Option<&Lowering> {
        self.reference.iter().find(|l| l.arch == arch)
    }
}

/// A WIT world spec, `PATH` or `PATH:WORLD` (`PATH:WORLD` unless the whole
/// spec is an existing path); `None` when no such path exists.
fn wit_spec(spec: &str) -> Option<(&Path, Option<&str>)> {
    let whole = Path::new(spec);
    if whole.exists() {
        return Some((whole, None));
    }
    match spec.rsplit_once(':') {
        Some((path, world)) if Path::new(path).exists() => Some((Path::new(path), Some(world))),
        _ => None,
    }
}

/// The world a `--host-world PATH[:WORLD]` spec names, loaded on top of
/// WASI 0.2, and the WIT file or directory it came from.
pub fn load_host_world(spec: &str) -> Result<(Wit, wit_parser::WorldId, PathBuf)> {
    let (path, world) = wit_spec(spec).ok_or_else(|| {
        Error::Profile(format!(
            "--host-world `{spec}`: no such WIT file or directory (expected PATH[:WORLD])"
        ))
    })?;
    let (wit, id) = load_world(path, world)?;
    Ok((wit, id, path.to_path_buf()))
}

/// How reports name a WIT world host: `PATH[:WORLD]` as given.
fn spec_name(path: &Path, world: Option<&str>) -> String {
    match world {
        Some(w) => format!("{}:{w}", path.display()),
        None => path.display().to_string(),
    }
}

/// `world` (default: the package's only world) of the WIT file or directory
/// `path`, loaded on top of WASI 0.2 and `wasit2:targets`.
fn load_world(path: &Path, world: Option<&str>) -> Result<(Wit, wit_parser::WorldId)> {
    let mut wit = Wit::wasi()?;
    let bad = |e: &dyn fmt::Display| Error::Profile(format!("{}: {e:#}", path.display()));
    // A package that is already loaded (e.g. `wit/worlds.wit` itself)
    // is used as it is: pushing it again would be a conflict.
    let group = if path.is_dir() {
        wit_parser::UnresolvedPackageGroup::parse_dir(path).map_err(|e| bad(&format!("{e:#}")))?
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
    Ok((wit, world_id))
}

/// `pattern` with `*` matching any run of characters, against `name`.
fn glob_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, rest)) => {
            let Some(tail) = name.strip_prefix(head) else {
                return false;
            };
            (0..=tail.len())
                .filter(|&i| tail.is_char_boundary(i))
                .any(|i| glob_match(rest, &tail[i..]))
        }
    }
}

/// What a host's engine accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeatureSet {
    /// Whatever a current engine validates.
    Any,
    /// WebAssembly 1.0 (MVP) encodings plus the listed proposals.
    Mvp { extra: &'static [&'static str] },
    /// Lime1 ([`LIME1`]).
    Lime1,
}

impl FeatureSet {
    /// The set a `--host-cpu` value names, spelled like clang's `-mcpu`:
    /// `mvp` (the 2020 WAMR's engine, [`WAMR_2020`]: what
    /// `--target=wasm32-wasit2-mvp` builds run on), `lime1`, or `default`
    /// (also `generic`: a current engine, anything it validates).
    pub fn from_cpu(name: &str) -> Option<FeatureSet> {
        match name {
            "mvp" => Some(WAMR_2020),
            "lime1" => Some(LIME1),
            "default" | "generic" => Some(FeatureSet::Any),
            _ => None,
        }
    }

    /// The values [`FeatureSet::from_cpu`] accepts, for error messages.
    pub const CPU_NAMES: &'static str = "mvp, lime1 or default";

    /// Whether the whole proposal `f` is accepted.
    fn allows(&self, f: &features::Feature) -> bool {
        match self {
            FeatureSet::Any => true,
            FeatureSet::Mvp { extra } => extra.contains(&f.name),
            FeatureSet::Lime1 => LIME1_WHOLE.contains(&f.name),
        }
    }

    /// Parts of proposals accepted although the whole proposal is not.
    fn parts(&self) -> WasmFeatures {
        match self {
            FeatureSet::Lime1 => LIME1_PARTS,
            _ => WasmFeatures::empty(),
        }
    }

    /// The clang CPU (and wasit2 target suffix) whose code fits.
    fn cpu(&self) -> &'static str {
        match self {
            FeatureSet::Lime1 => "lime1",
            _ => "mvp",
        }
    }

    /// The proposals `bytes` uses that this set lacks: for each proposal it
    /// does not accept whole, the module is validated with that proposal
    /// off (its accepted parts left on).
    fn uses(&self, bytes: &[u8]) -> Result<Vec<features::FeatureUse>> {
        let bad = |e: wasmparser::BinaryReaderError| Error::BadModule(e.to_string());
        Validator::new_with_features(WasmFeatures::all())
            .validate_all(bytes)
            .map_err(bad)?;
        let mut uses = Vec::new();
        for f in features::FEATURES.iter().filter(|f| !self.allows(f)) {
            let on = WasmFeatures::all().difference(f.flags).union(self.parts());
            if let Err(e) = Validator::new_with_features(on).validate_all(bytes) {
                uses.push(features::FeatureUse {
                    feature: *f,
                    detail: e.message().to_string(),
                    offset: e.offset() as usize,
                });
            }
        }
        Ok(uses)
    }
}

/// Options of a check.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Reject WASI functions introduced (`@since`) after this version.
    pub wasi_version: Option<semver::Version>,
    /// Overrides the profile's accepted wasm proposals.
    pub features: Option<FeatureSet>,
    /// The module may import its memory (`--import-memory`).
    pub import_memory: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// An import the host does not provide (not in its world, a WASI
    /// preview 1 function it lacks, an undefined symbol, the other pointer
    /// width, a non-function import).
    MissingImport,
    /// An import the host provides, but with another core signature.
    WrongSignature,
    /// A WASI function newer than `--wasi-version`.
    TooNew,
    /// A wasm proposal the host's engine lacks.
    Feature,
    /// An export a p1 runtime needs to run the module as a command.
    MissingExport,
    /// An export the ABI names but types differently, a wasit2-prefixed
    /// export the world lacks, or a realloc export.
    BadExport,
}

/// One reason the module cannot run on the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// What is wrong, subject first (`wasi:…`, `module.field`, `export "…"`),
    /// without the call path.
    pub message: String,
    /// For a function import: how it is reached.
    pub reached: Option<Reached>,
}

/// How a function import is reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reached {
    /// A shortest call path from an export or the start function to the
    /// import (display names; `(call_indirect) f` for a step through a table).
    Path(Vec<String>),
    /// No entry point reaches it; these functions reference it directly.
    Unreachable { referenced_by: Vec<String> },
}

impl Problem {
    fn new(kind: ProblemKind, message: String) -> Problem {
        Problem {
            kind,
            message,
            reached: None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        match &self.reached {
            None => Ok(()),
            Some(Reached::Path(p)) => write!(f, "; call path: {}", p.join(" → ")),
            Some(Reached::Unreachable { referenced_by }) if referenced_by.is_empty() => {
                f.write_str(" (not reachable from any export)")
            }
            Some(Reached::Unreachable { referenced_by }) => {
                let names: Vec<String> = referenced_by.iter().map(|n| format!("`{n}`")).collect();
                write!(
                    f,
                    " (not reachable from any export; referenced by {})",
                    names.join(", ")
                )
            }
        }
    }
}

/// The result of a check.
#[derive(Clone, Debug)]
pub struct Report {
    pub host: String,
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The report as `wasit-ld` and `wasit2 check` print it on stderr: one
    /// `error: ` line per problem, nothing else, so both tools print the
    /// same bytes for the same module and host.
    pub fn render(&self) -> String {
        self.problems
            .iter()
            .map(|p| format!("error: {p}\n"))
            .collect()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// The import's name as reports show it: `wasi:io/streams@0.2.[method]…`
/// when the ABI knows it, else `module.field`.
fn display_import(profile: &HostProfile, arch: Option<Arch>, module: &str, field: &str) -> String {
    arch.and_then(|a| profile.reference(a).and_then(|l| l.import(module, field)))
        .or_else(|| arch.and_then(|a| profile.served(a, module, field)))
        .map(|i| i.display_name())
        .unwrap_or_else(|| format!("{module}.{field}"))
}

/// Whether the wasip1 adapter defines `module`/`field` although the
/// profile's world lacks it: a drop of a resource no p1 program can create,
/// or a method of the UDP datagram streams
/// (`wasit2_abi::wasip1_adapter::unserved_methods`); each traps.
fn adapter_traps(
    profile: &HostProfile,
    arch: Arch,
    module: &str,
    field: &str,
    sig: Option<&wasit2_abi::CoreSig>,
) -> bool {
    let (Some(served), Some(full)) = (profile.lowering(arch), profile.reference(arch)) else {
        return false;
    };
    if served.import(module, field).is_some() {
        return false;
    }
    let drop = full
        .import(module, field)
        .is_some_and(|i| matches!(i.item, wasit2_abi::ImportItem::ResourceDrop { .. }))
        && sig.is_some_and(|s| s.params.len() == 1 && s.results.is_empty());
    drop || wasit2_abi::wasip1_adapter::unserved_methods(served, full)
        .iter()
        .any(|i| i.module == module && i.field == field && sig == Some(&i.sig))
}

/// Exports that would let a host allocate in the guest.
fn is_realloc_export(name: &str) -> bool {
    name == "cabi_realloc"
        || name == "cabi_realloc_adapter"
        || Arch::ALL.iter().any(|a| name == a.realloc_export())
}

/// Module name prefix (`cm32p2`, `cm64p2-b`, …) → the arch it names.
fn import_arch(module: &str) -> Option<Arch> {
    module
        .split_once('|')
        .and_then(|(prefix, _)| Arch::from_prefix(prefix))
}

/// The wasit2 import an `env` import of a p1 profile stands for in the env
/// form, unless `--host-allow` names it as it is.
fn env_form_of<'a>(
    profile: &HostProfile,
    module: &str,
    field: &'a str,
) -> Option<(&'a str, &'a str)> {
    let candidate = profile.p1 && module == env_form::ENV_MODULE && !profile.allows(module, field);
    candidate.then(|| env_form::from_env_field(field)).flatten()
}

/// The env form reaches only the runtime's own natives (a vendor world's
/// functions): a WASI command function is the p1 adapter's, never a native.
fn env_form_problem(
    profile: &HostProfile,
    env_form: Option<(&str, &str)>,
    shown: &str,
) -> Option<(ProblemKind, String)> {
    let (module, field) = env_form?;
    let arch = Arch::of_module(module)?;
    let wasi = profile
        .reference(arch)
        .is_some_and(|l| l.import(module, field).is_some());
    wasi.then(|| {
        (
            ProblemKind::MissingImport,
            format!(
                "{shown}: WASI function imported in the env form (env.{module}|{field}); host {} serves WASI through preview 1, the env form only for its own natives",
                profile.name
            ),
        )
    })
}

/// What is wrong with one function import, if anything.
fn func_import_problem(
    profile: &HostProfile,
    opts: &CheckOptions,
    module_arch: Option<Arch>,
    shown: &str,
    module: &str,
    field: &str,
    sig: &wasit2_module::FoundSig,
) -> Option<(ProblemKind, String)> {
    use ProblemKind::*;
    let host = &profile.name;
    let found = &sig.text;
    if profile.allows(module, field) {
        return None;
    }
    if module == p1::MODULE || module == "wasi_unstable" {
        if !profile.p1 || module != p1::MODULE {
            return Some((MissingImport, format!(
                "{shown}: WASI preview 1 function, which host {host} does not provide (wasit2 modules import WASI 0.2 only: build with a wasit2 sysroot, not a wasip1 one)"
            )));
        }
        return match p1::signature(field) {
            None => Some((
                MissingImport,
                format!(
                    "{shown}: not a WASI preview 1 function, so host {host} does not provide it"
                ),
            )),
            Some(want) if Some(&want) != sig.core.as_ref() => Some((
                WrongSignature,
                format!(
                    "{shown}: imported with signature {found}, but WASI preview 1 defines {want}"
                ),
            )),
            Some(_) => None,
        };
    }
    if module == "env" {
        return Some((MissingImport, format!(
            "{shown}: undefined symbol, not a function of {} (define it or link the library that does; a native the runtime registers: --host-allow {module}.{field})",
            profile.world
        )));
    }
    let Some(arch) = Arch::of_module(module) else {
        return Some((
            MissingImport,
            format!("{shown}: not provided by host {host} (not a WASI import)"),
        ));
    };
    if let Some(m) = module_arch.filter(|m| *m != arch) {
        return Some((
            MissingImport,
            format!(
                "{shown}: names the other pointer width; a {} module imports from `{}|…`/`{}|…`",
                m.name(),
                m.prefix(),
                m.buffer_prefix()
            ),
        ));
    }
    if profile.p1 && adapter_traps(profile, arch, module, field, sig.core.as_ref()) {
        return None;
    }
    if profile.lowering(arch).is_none() {
        return Some((
            MissingImport,
            format!("{shown}: host {host} does not run {} modules", arch.name()),
        ));
    }
    match profile.served(arch, module, field) {
        None => Some((
            MissingImport,
            format!(
                "{shown}: not provided by host {host} (world {})",
                profile.world
            ),
        )),
        Some(want) if Some(&want.sig) != sig.core.as_ref() => Some((
            WrongSignature,
            format!(
                "{shown}: imported with signature {found}, but the wasit2 ABI defines {}",
                want.sig
            ),
        )),
        Some(want) => match (&opts.wasi_version, &want.since) {
            (Some(limit), Some(since)) if since > limit => Some((
                TooNew,
                format!("{shown}: introduced in WASI {since}, newer than --wasi-version {limit}"),
            )),
            _ => None,
        },
    }
}

/// Exports named by the ABI must have its signature; other names with the
/// ABI's prefix are mistakes (a typo, or the wrong world); no realloc.
fn export_problem(
    profile: &HostProfile,
    m: &Module,
    arch: Option<Arch>,
    recorded: Option<&Lowering>,
    e: &wasit2_module::Export,
) -> Option<String> {
    let name = &e.name;
    if is_realloc_export(name) {
        return Some(format!(
            "export \"{name}\": a realloc; wasit2 hosts never allocate in the guest, so a wasit2 module must not export one"
        ));
    }
    let arch = import_arch(name)
        .or_else(|| {
            Arch::ALL
                .into_iter()
                .find(|a| *name == wasit2_abi::params_alloc_export(*a))
        })
        .filter(|a| arch.is_none_or(|m| m == *a))?;
    let base = profile.lowering(arch)?;
    let extra = profile.extra.iter().filter(|l| l.arch == arch);
    let Some(abi) = std::iter::once(base)
        .chain(extra)
        .chain(recorded.filter(|l| l.arch == arch))
        .find_map(|l| l.export(name))
    else {
        return Some(format!(
            "export \"{name}\": not an export of {}",
            profile.world
        ));
    };
    let (Some(expected), ExternalKind::Func) = (&abi.sig, e.kind) else {
        return None;
    };
    let found = m.func_sigs.get(e.index as usize)?;
    (found.core.as_ref() != Some(expected)).then(|| {
        format!(
            "export \"{name}\": has signature {} but the wasit2 ABI requires {expected}",
            found.text
        )
    })
}

/// The lowering of the world a linked module records, if it records one
/// that loads.
fn recorded_world(m: &Module, arch: Arch) -> Option<Lowering> {
    let section = wasit2_abi::WorldSection::decode(m.world_section.as_deref()?).ok()?;
    let (wit, worlds) = section.load().ok()?;
    Lowering::new(&wit, *worlds.first()?, arch).ok()
}

/// clang's name of the exception-handling proposal.
const EXCEPTION_HANDLING: &str = "exception-handling";

/// Display names along a call path (`(call_indirect) f` for a step
/// through a table).
fn path_names(m: &Module, path: &[(u32, bool)]) -> Vec<String> {
    path.iter()
        .map(|&(f, via_table)| match via_table {
            true => format!("(call_indirect) {}", m.func_name(f)),
            false => m.func_name(f),
        })
        .collect()
}

/// Exceptions a host cannot run: any, on a WASI preview 1 runtime (the
/// 2020 WAMR has none; newer WAMR builds only the legacy encoding, in the
/// classic interpreter); the legacy encoding anywhere (wasmtime runs
/// exnref only). Reached at the first `throw`: a C longjmp
/// (`__wasm_longjmp`) or a C++ throw.
fn exception_problem(profile: &HostProfile, m: &Module, u: &ExceptionUse) -> Option<Problem> {
    let legacy = !u.legacy.is_empty();
    if !u.any() || !(profile.p1 || legacy) {
        return None;
    }
    let host = &profile.name;
    let (func, path) = u.first_throw(m)?;
    let name = m.func_name(func);
    let what = if u.throwers.contains(&func) || u.rethrowers.contains(&func) {
        format!("`{name}` throws")
    } else {
        format!("in function `{name}`")
    };
    let message = if profile.p1 {
        format!(
            "uses wasm exceptions ({}; {what}), which host {host} lacks (the 2020 WAMR has none; newer WAMR builds run only the legacy encoding, in the classic interpreter): build without them (C++: -fno-exceptions; C: no setjmp/longjmp), or run it on a host with exceptions (`wasit2 run`, or componentized on wasmtime)",
            u.describe()
        )
    } else {
        format!(
            "uses wasm exceptions in the legacy encoding (`try`/`catch`; {what}), which host {host} does not run (wasmtime runs the exnref encoding): compile everything with -mllvm -wasm-use-legacy-eh=false (the wasit2 clang configs pass it)"
        )
    };
    Some(Problem {
        kind: ProblemKind::Feature,
        message,
        reached: Some(match path {
            Some(p) => Reached::Path(path_names(m, &p)),
            None => Reached::Unreachable {
                referenced_by: Vec::new(),
            },
        }),
    })
}

/// Checks `module` (a linked core module) against `profile`.
pub fn check(module: &[u8], profile: &HostProfile, opts: &CheckOptions) -> Result<Report> {
    let m = Module::parse(module).map_err(|e| Error::BadModule(e.to_string()))?;
    check_parsed(module, &m, profile, opts)
}

/// [`check`] on a module already parsed (`bytes` is what `m` was parsed
/// from; the feature check reads it again).
pub fn check_parsed(
    bytes: &[u8],
    m: &Module,
    profile: &HostProfile,
    opts: &CheckOptions,
) -> Result<Report> {
    let mut problems = Vec::new();
    let host = &profile.name;
    let module_arch = m.arch();

    for imp in &m.imports {
        // On a p1 host an import in the env form (docs/abi.md 1.2, `wasit-ld
        // --vendor-imports env`) is checked as the wasit2 import it names.
        let env_form = env_form_of(profile, &imp.module, &imp.field);
        let (module, field) = env_form.unwrap_or((&imp.module, &imp.field));
        // An import for the other pointer width is shown as it is named.
        // An env-form import no world names is shown as it is imported.
        let shown = match (import_arch(module), module_arch) {
            (Some(a), Some(m)) if a != m => format!("{}.{}", imp.module, imp.field),
            (a, _) => match display_import(profile, a, module, field) {
                plain if env_form.is_some() && plain == format!("{module}.{field}") => {
                    format!("{}.{}", imp.module, imp.field)
                }
                named => named,
            },
        };
        let (index, sig) = match &imp.kind {
            ImportKind::Func { index, sig } => (*index, sig),
            ImportKind::Memory { .. } if opts.import_memory => continue,
            ImportKind::Memory { .. } => {
                problems.push(Problem::new(ProblemKind::MissingImport, format!(
                    "{shown}: imports a memory, which host {host} does not provide (wasit2 modules define and export their memory; import it only with --import-memory)"
                )));
                continue;
            }
            other => {
                problems.push(Problem::new(
                    ProblemKind::MissingImport,
                    format!(
                        "{shown}: imports a {}, which host {host} does not provide",
                        other.describe()
                    ),
                ));
                continue;
            }
        };
        let Some((kind, message)) =
            func_import_problem(profile, opts, module_arch, &shown, module, field, sig)
                .or_else(|| env_form_problem(profile, env_form, &shown))
        else {
            continue;
        };
        let call_path = m.graph.path_to(index).map(|p| {
            p.iter()
                .map(|&(f, via_table)| {
                    let name = if f == index {
                        shown.clone()
                    } else {
                        m.func_name(f)
                    };
                    match via_table {
                        true => format!("(call_indirect) {name}"),
                        false => name,
                    }
                })
                .collect()
        });
        let reached = match call_path {
            Some(p) => Reached::Path(p),
            None => Reached::Unreachable {
                referenced_by: m
                    .graph
                    .callers_of(index)
                    .into_iter()
                    .map(|c| m.func_name(c))
                    .collect(),
            },
        };
        problems.push(Problem {
            kind,
            message,
            reached: Some(reached),
        });
    }

    // The world the module records (`wasit2-world`, written by wasit-ld from
    // its bindings) defines what it exports: a host that calls none of them
    // still runs it, and a call is checked against that world's types.
    let recorded = recorded_world(m, module_arch.unwrap_or(Arch::Wasm32));
    for e in &m.exports {
        if let Some(message) = export_problem(profile, m, module_arch, recorded.as_ref(), e) {
            problems.push(Problem::new(ProblemKind::BadExport, message));
        }
    }

    // The world's required exports (`run` of a command, the memory, the
    // functions an added world exports and their `_params_alloc`). A p1
    // runtime instead needs `_start` and `memory`, checked below, plus the
    // exports of the worlds added to it.
    {
        let arch = module_arch.unwrap_or(Arch::Wasm32);
        // A reactor (crt1-reactor.o) exports the initialize function and
        // no wasi:cli/run: the host calls its other exports (`--invoke`).
        let reactor = m.exports.iter().any(|e| {
            e.kind == ExternalKind::Func
                && (e.name == arch.initialize_export() || e.name == "_initialize")
        });
        let is_run = |name: &str| name.contains("|wasi:cli/run@");
        let base = match profile.p1 {
            true => None,
            false => profile.lowering(arch),
        };
        let mut wanted: Vec<&wasit2_abi::Export> = Vec::new();
        for l in base
            .into_iter()
            .chain(profile.extra.iter().filter(|l| l.arch == arch))
        {
            for x in &l.exports {
                let memory_of_p1 = profile.p1 && x.sig.is_none();
                let run_of_reactor = reactor && is_run(&x.name);
                let seen = wanted.iter().any(|w| w.name == x.name);
                if x.required && !run_of_reactor && !memory_of_p1 && !seen {
                    wanted.push(x);
                }
            }
        }
        for want in wanted {
            // Before wasit-ld finishes it, the memory is wasm-ld's `memory`;
            // an imported one is reported above.
            let present = match want.sig {
                None => {
                    m.exports.iter().any(|e| {
                        e.kind == ExternalKind::Memory
                            && (e.name == want.name || e.name == "memory")
                    }) || m
                        .imports
                        .iter()
                        .any(|i| matches!(i.kind, ImportKind::Memory { .. }))
                }
                Some(_) => m.exports.iter().any(|e| e.name == want.name),
            };
            if !present {
                problems.push(Problem::new(
                    ProblemKind::MissingExport,
                    format!(
                        "export \"{}\": missing, but world {} requires it",
                        want.name, profile.world
                    ),
                ));
            }
        }
    }

    // A finished p1 module (p1 imports, no wasit2 imports left) runs as a
    // p1 command or reactor: the runtime calls `_start` (or `_initialize`)
    // and uses the memory `memory`.
    let has_p1 = m.func_imports().any(|(i, _, _)| i.module == p1::MODULE);
    // Imports of worlds added with `extend` are the runtime's own natives.
    let has_wasit2 = m.func_imports().any(|(i, _, _)| {
        import_arch(&i.module).is_some_and(|a| !profile.is_extra_import(a, &i.module, &i.field))
    });
    if profile.p1 && has_p1 && !has_wasit2 {
        let exports = |kind: ExternalKind, name: &str| {
            m.exports.iter().any(|e| e.kind == kind && e.name == name)
        };
        // A reactor (`-mexec-model=reactor`) is started by `_initialize`
        // and then called through its exports: it has no `_start`.
        let reactor = exports(ExternalKind::Func, "_initialize");
        if !reactor && !exports(ExternalKind::Func, "_start") {
            problems.push(Problem::new(ProblemKind::MissingExport, format!(
                "no `_start` export, which host {host} calls to run a command (link the adapter with `_start` as the entry)"
            )));
        }
        if !exports(ExternalKind::Memory, "memory") {
            problems.push(Problem::new(
                ProblemKind::MissingExport,
                format!(
                    "no memory exported as `memory`, which host {host} needs for every p1 call"
                ),
            ));
        }
    }

    let exceptions = ExceptionUse::scan(bytes, m);
    let exceptions_refused = match exception_problem(profile, m, &exceptions) {
        Some(p) => {
            problems.push(p);
            true
        }
        None => false,
    };

    let allowed = opts.features.unwrap_or(profile.features);
    if allowed != FeatureSet::Any {
        let cpu = allowed.cpu();
        for mut u in allowed.uses(bytes)? {
            if u.feature.name == EXCEPTION_HANDLING {
                if exceptions_refused {
                    continue;
                }
                u.detail = format!("{}; {}", exceptions.describe(), u.detail);
            }
            let place = match m.func_at(u.offset) {
                Some(f) => format!("in function `{}`", m.func_name(f)),
                None => format!("at offset {:#x}", u.offset),
            };
            problems.push(Problem::new(ProblemKind::Feature, format!(
                "uses wasm feature `{}` ({place}: {}), which host {host} lacks: compile and link everything (program, libc, adapter) with -mcpu={cpu} (clang: --target=wasm32-wasit2-{cpu}, whose sysroot is built that way), or add {}",
                u.feature.name, u.detail, u.feature.disable
            )));
        }
    }

    Ok(Report {
        host: host.clone(),
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_patterns_match_whole_import_names() {
        assert!(glob_match("env.read_temp", "env.read_temp"));
        assert!(!glob_match("env.read_temp", "env.read_temp2"));
        assert!(glob_match("env.*", "env.read_temp"));
        assert!(!glob_match("env.*", "envx.read_temp"));
        assert!(glob_match("env.read_*", "env.read_"));
        assert!(glob_match(
            "*|acme:sensors/*",
            "wasit2-cm32p2|acme:sensors/temp@1.model"
        ));
        assert!(!glob_match(
            "*|acme:sensors/*",
            "cm32p2|wasi:cli/stdout@0.2.get-stdout"
        ));
    }

    #[test]
    fn allow_entries_need_module_and_field() {
        for bad in ["read_temp", ".read_temp", "env.", ""] {
            let err = HostProfile::wasip1()
                .unwrap()
                .extend(&[], &[bad.to_string()])
                .err()
                .unwrap_or_else(|| panic!("`{bad}` accepted"));
            assert!(err.to_string().contains("expected MODULE.FIELD"), "{err}");
        }
    }

    #[test]
    fn a_missing_host_world_is_one_clear_error() {
        let err = HostProfile::from_flags("wasip1", &["/nonexistent/acme.wit:fw".into()], &[])
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "host profile: --host-world `/nonexistent/acme.wit:fw`: no such WIT file or directory (expected PATH[:WORLD])"
        );
    }

    /// A finished p1 module calling one import given as (module, field, type).
    fn p1_module_importing(module: &str, field: &str, ty: &str) -> Vec<u8> {
        wat::parse_str(format!(
            r#"(module
                (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
                (import "{module}" "{field}" (func $f {ty}))
                (memory (export "memory") 1)
                (func $sample (export "_start") (call $f (i32.const 0) (i32.const 8) (i32.const 64)) drop))"#
        ))
        .unwrap()
    }

    #[test]
    fn env_form_imports_are_the_vendor_functions_they_name() {
        let sensors = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/interfaces/sensors.wit:firmware"
        );
        let model = "(param i32 i32 i32) (result i32)";
        let p1_sensors = HostProfile::from_flags("wasip1", &[sensors.into()], &[]).unwrap();
        let errors = |bytes: &[u8], profile: &HostProfile| -> String {
            check(bytes, profile, &CheckOptions::default())
                .unwrap()
                .render()
        };
        let env_model =
            p1_module_importing("env", "wasit2-cm32p2|acme:sensors/temp@1|model", model);
        assert_eq!(errors(&env_model, &p1_sensors), "");

        // Without the vendor world, or on a host without p1, it is not served.
        let err = errors(&env_model, &HostProfile::wasip1().unwrap());
        assert!(
            err.contains(
                "env.wasit2-cm32p2|acme:sensors/temp@1|model: not provided by host wasip1"
            ),
            "{err}"
        );
        let err = errors(
            &env_model,
            &HostProfile::from_flags("wasit2", &[sensors.into()], &[]).unwrap(),
        );
        assert!(
            err.contains("env.wasit2-cm32p2|acme:sensors/temp@1|model: undefined symbol"),
            "{err}"
        );

        // The ABI's signature still applies.
        let wrong = p1_module_importing(
            "env",
            "wasit2-cm32p2|acme:sensors/temp@1|model",
            "(param i32 i32 i32) (result i64)",
        );
        let err = errors(&wrong, &p1_sensors);
        assert!(
            err.contains("acme:sensors/temp@1.model: imported with signature"),
            "{err}"
        );

        // A WASI function is the adapter's, never a native in the env form.
        let stdout = p1_module_importing(
            "env",
            "wasit2-cm32p2|wasi:cli/environment@0.2|get-arguments",
            "(param i32 i32 i32) (result i32)",
        );
        let err = errors(&stdout, &p1_sensors);
        assert!(
            err.contains("WASI function imported in the env form (env.wasit2-cm32p2|wasi:cli/environment@0.2|get-arguments); host wasip1 + "),
            "{err}"
        );

        // A plain env import is still an undefined symbol, naming its caller.
        let foo = p1_module_importing("env", "foo", model);
        let err = errors(&foo, &p1_sensors);
        assert!(err.contains("env.foo: undefined symbol"), "{err}");
        assert!(err.contains("call path: sample → env.foo"), "{err}");

        // A p1-based WIT world as the host: its vendor interface is part of
        // the base profile, and the env form reaches it as well.
        let dir = tempfile::tempdir().unwrap();
        let wit = dir.path().join("device.wit");
        std::fs::write(
            &wit,
            "package acme:fw@1.0.0;\n\
             interface leds { set: func(on: bool); }\n\
             world device { include wasit2:targets/wasip1@0.1.0; import leds; }\n",
        )
        .unwrap();
        let device =
            HostProfile::from_flags(&format!("{}:device", wit.display()), &[], &[]).unwrap();
        assert!(device.p1);
        let leds = wat::parse_str(
            r#"(module
                (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
                (import "env" "cm32p2|acme:fw/leds@1|set" (func $set (param i32)))
                (memory (export "memory") 1)
                (func (export "_start") (call $set (i32.const 1))))"#,
        )
        .unwrap();
        assert_eq!(errors(&leds, &device), "");
    }
}
