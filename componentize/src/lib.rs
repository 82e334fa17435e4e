//! Turns a wasit2 core module into a WASI 0.2 component.
//!
//! Plain `cm32p2|…` imports are standard Canonical ABI lowerings, which
//! wit-component wires directly once the target world is embedded as a
//! `component-type` section. Caller-supplied-buffer imports
//! (`wasit2-cm32p2|<iface>`) are served by adapter modules generated here
//! (see `adapter.rs` and `docs/componentize.md`).

mod adapter;
mod adapter64;
mod adapter_common;
mod exit_shim;
mod lift64;
mod wasm64;

pub use wasm64::validate as validate_wasm64;
mod params_alloc;
mod world;

pub use exit_shim::{serve_exit_with_code_for, ExitShimError};

use std::collections::BTreeMap;
use std::path::PathBuf;

use wasit2_abi::{AbiSection, Arch, Import, Lowering, Wit};

/// Options for [`componentize_with`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Target world, overriding the module's `component-type` and
    /// `wasit2-abi` sections (default `wasi:cli/command@0.2.12`). A world
    /// outside WASI is merged with `wasi:cli/command`; `a+b` merges several.
    pub world: Option<String>,
    /// WIT files or directories with the user's packages, added on top of
    /// WASI 0.2 to find `world` in (a bare name is looked up in the last).
    pub wit: Vec<PathBuf>,
    /// Skip validating the produced component.
    pub skip_validation: bool,
    /// The oldest WASI 0.2 release the component must run on; functions
    /// newer than it that have an older equivalent are served by that one
    /// (`exit-with-code` by `exit`, see `exit_shim.rs`). Default
    /// [`OLDEST_WASI`]: the component runs on every WASI 0.2 host.
    pub wasi_version: Option<semver::Version>,
}

/// The WASI release a component targets unless told otherwise.
pub const OLDEST_WASI: semver::Version = semver::Version::new(0, 2, 0);

#[derive(Debug, thiserror::Error)]
pub enum ComponentizeError {
    #[error("input is not a core WebAssembly module: {0}")]
    NotAModule(String),
    #[error(transparent)]
    Abi(#[from] wasit2_abi::AbiError),
    #[error("import `{module}` `{field}` is not part of world `{world}`")]
    UnknownImport {
        module: String,
        field: String,
        world: String,
    },
    #[error("world `{world}` (from the module's wasit2-abi section) is not a WASI world and the module has no component-type or wasit2-world section to read it from; pass its WIT with --wit PATH --world NAME")]
    NeedWit { world: String },
    #[error("--wit needs --world to name the world to componentize for")]
    WitWithoutWorld,
    #[error("export `{export}` is not part of world `{world}`")]
    UnknownExport { export: String, world: String },
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("wit-component: {0}")]
    Encode(String),
    #[error(transparent)]
    ExitShim(#[from] ExitShimError),
}

/// Componentizes a linked wasit2 module (wasm32) for its recorded world.
pub fn componentize(module: &[u8]) -> anyhow::Result<Vec<u8>> {
    Ok(componentize_with(module, &Options::default())?)
}

/// What componentize needs to know about the input module.
#[derive(Default)]
struct ModuleInfo {
    abi: Option<AbiSection>,
    has_component_type: bool,
    world_section: Option<Vec<u8>>,
    memory64: bool,
    imports: Vec<(String, String)>,
    exports: Vec<String>,
}

fn scan(module: &[u8]) -> Result<ModuleInfo, ComponentizeError> {
    use wasit2_module::{ImportKind, Module, ModuleError};
    let m = Module::parse(module).map_err(|e| {
        ComponentizeError::NotAModule(match e {
            ModuleError::Component => "it is a component".into(),
            ModuleError::Invalid(why) => why,
        })
    })?;
    let abi = match &m.abi_section {
        Some(data) => Some(AbiSection::decode(data)?),
        None => None,
    };
    Ok(ModuleInfo {
        abi,
        has_component_type: m
            .custom_sections
            .iter()
            .any(|n| n.starts_with("component-type")),
        world_section: m.world_section.clone(),
        // Any 64-bit memory, imported or defined, makes it a wasm64 module.
        memory64: m.memory64 == Some(true)
            || m.imports
                .iter()
                .any(|i| i.kind == ImportKind::Memory { memory64: true }),
        imports: m
            .imports
            .iter()
            .map(|i| (i.module.clone(), i.field.clone()))
            .collect(),
        exports: m.exports.iter().map(|e| e.name.clone()).collect(),
    })
}

/// The world `module` is componentized for and its lowering for `arch`.
/// An export under `arch`'s prefix that the world lacks is an error:
/// wit-component would drop it silently.
pub(crate) fn target_lowering(
    module: &[u8],
    info: &ModuleInfo,
    opts: &Options,
    arch: Arch,
) -> Result<(world::Target, Lowering), ComponentizeError> {
    let target = world::target(
        &world::ModuleWorld {
            arch,
            bytes: module,
            abi_world: info.abi.as_ref().map(|a| a.world.as_str()),
            has_component_type: info.has_component_type,
            world_section: info.world_section.as_deref(),
            exports: &info.exports,
        },
        &opts.wit,
        opts.world.as_deref(),
    )?;
    let lowering = Lowering::new(&target.wit, target.world, arch)?;
    let export_prefix = format!("{}|", arch.prefix());
    if let Some(e) = info
        .exports
        .iter()
        .find(|e| e.starts_with(&export_prefix) && lowering.export(e).is_none())
    {
        return Err(ComponentizeError::UnknownExport {
            export: e.clone(),
            world: target.name.clone(),
        });
    }
    Ok((target, lowering))
}

/// Componentizes with explicit options.
pub fn componentize_with(module: &[u8], opts: &Options) -> Result<Vec<u8>, ComponentizeError> {
    let info = scan(module)?;
    let wasm64 = info.memory64
        || info.abi.as_ref().is_some_and(|a| a.arch == Arch::Wasm64)
        || info
            .imports
            .iter()
            .any(|(m, _)| m.split('|').next().and_then(Arch::from_prefix) == Some(Arch::Wasm64));
    if wasm64 {
        return wasm64::componentize(module, &info, opts);
    }

    let (target, lowering) = target_lowering(module, &info, opts, Arch::Wasm32)?;
    let (wit, world) = (&target.wit, target.world);

    // Group the caller-supplied-buffer imports by module: one adapter each.
    let buffer_prefix = format!("{}|", Arch::Wasm32.buffer_prefix());
    let mut adapters: BTreeMap<&str, Vec<&Import>> = BTreeMap::new();
    for (m, f) in &info.imports {
        if !m.starts_with(&buffer_prefix) {
            continue;
        }
        let imp = lowering
            .import(m, f)
            .filter(|i| !i.is_plain())
            .ok_or_else(|| ComponentizeError::UnknownImport {
                module: m.clone(),
                field: f.clone(),
                world: target.name.clone(),
            })?;
        let list = adapters.entry(m.as_str()).or_default();
        if !list.iter().any(|i| i.field == imp.field) {
            list.push(imp);
        }
    }

    let oldest = opts.wasi_version.clone().unwrap_or(OLDEST_WASI);
    let mut bytes = match serve_exit_with_code_for(module, &lowering, &oldest)? {
        Some(served) => served,
        None => module.to_vec(),
    };
    if let Some(served) = params_alloc::serve_realloc(&bytes)? {
        bytes = served;
    }
    if target.embed {
        if info.has_component_type {
            bytes =
                wasit2_module::encode::strip_custom(&bytes, |n| !n.starts_with("component-type"))
                    .map_err(|e| ComponentizeError::NotAModule(e.to_string()))?;
        }
        wit_component::embed_component_metadata(
            &mut bytes,
            &wit.resolve,
            world,
            wit_component::StringEncoding::UTF8,
            false,
        )
        .map_err(encode_err)?;
    }

    let mut encoder = wit_component::ComponentEncoder::default();
    encoder.validate(!opts.skip_validation);
    encoder.module(&bytes).map_err(encode_err)?;
    let adapter_world = imports_only_world(wit, world)?;
    for (name, imports) in &adapters {
        let mut adapter = adapter::build(&lowering, name, imports)?;
        // wit-component reads the string encoding of an adapter's imports
        // from the adapter's own metadata.
        wit_component::embed_component_metadata(
            &mut adapter,
            &adapter_world.0,
            adapter_world.1,
            wit_component::StringEncoding::UTF8,
            false,
        )
        .map_err(encode_err)?;
        encoder.adapter(name, &adapter).map_err(encode_err)?;
    }
    encoder.encode().map_err(encode_err)
}

/// The adapter module generated for one `wasit2-cm32p2|<iface>` module,
/// exporting all of that interface's buffer functions (for inspection and
/// tests).
pub fn adapter_for(world: Option<&str>, module: &str) -> Result<Vec<u8>, ComponentizeError> {
    let wit = Wit::wasi()?;
    let world = match world {
        Some(w) => wit.world(w)?,
        None => wit.command_world()?,
    };
    let lowering = Lowering::new(&wit, world, Arch::Wasm32)?;
    let imports: Vec<&Import> = lowering
        .buffer_imports()
        .filter(|i| i.module == module)
        .collect();
    if imports.is_empty() {
        return Err(ComponentizeError::Unsupported(format!(
            "no buffer imports in module `{module}`"
        )));
    }
    adapter::build(&lowering, module, &imports)
}

/// A copy of `world` with its imports only: an adapter's metadata must not
/// claim the world's exports (they are the main module's).
fn imports_only_world(
    wit: &Wit,
    world: wit_parser::WorldId,
) -> Result<(wit_parser::Resolve, wit_parser::WorldId), ComponentizeError> {
    let mut resolve = wit.resolve.clone();
    let mut w = resolve.worlds[world].clone();
    w.exports.clear();
    w.name = format!("{}-wasit2-adapter", w.name);
    let pkg = w.package;
    let name = w.name.clone();
    let id = resolve.worlds.alloc(w);
    if let Some(pkg) = pkg {
        resolve.packages[pkg].worlds.insert(name, id);
    }
    Ok((resolve, id))
}

/// wit-component errors are chains; keep them on one line.
fn encode_err(e: anyhow::Error) -> ComponentizeError {
    ComponentizeError::Encode(format!("{e:#}").replace('\n', " "))
}
