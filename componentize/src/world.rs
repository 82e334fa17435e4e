//! Which world a module is componentized for: WASI's own worlds, or a
//! vendor world (its own imported and exported interfaces) merged with
//! WASI's command world.
//!
//! The world comes from, in order: `--wit`/`--world` (a vendor world is
//! merged with `wasi:cli/command`), the module's `component-type` sections
//! (what wasit-ld linked against, bindgen's world included), its
//! `wasit2-world` section (the same world as WIT text, kept by
//! `--strip-all`), or the world named in its `wasit2-abi` section (`a+b`
//! names several worlds that are merged). In a reactor, world exports the
//! module does not implement at all are dropped, so it gets a world
//! without `wasi:cli/run`.

use std::path::PathBuf;

use wasit2_abi::{Arch, Wit, WorldSection};
use wit_parser::{CloneMaps, Resolve, WorldId, WorldItem, WorldKey};

use crate::ComponentizeError;

/// The world to componentize for.
pub(crate) struct Target {
    pub wit: Wit,
    pub world: WorldId,
    /// The world's name for messages: the one the module records when the
    /// world came from its `component-type` sections (decoded, it is
    /// `root:root/root`).
    pub name: String,
    /// Whether the module's `component-type` sections must be replaced by
    /// this world (it differs from what the module carries, or the module
    /// carries none).
    pub embed: bool,
}

/// Where the world was named.
enum Source {
    /// Options or the `wasit2-abi` section: world names.
    Names(Vec<WorldId>),
    /// The module's own `component-type` sections, merged.
    Module(WorldId),
}

/// What the world choice needs to know about the module.
pub(crate) struct ModuleWorld<'a> {
    /// Whose export names (`cm32p2`/`cm64p2`) say what the module implements.
    pub arch: Arch,
    pub bytes: &'a [u8],
    pub abi_world: Option<&'a str>,
    pub has_component_type: bool,
    /// Contents of the `wasit2-world` section.
    pub world_section: Option<&'a [u8]>,
    pub exports: &'a [String],
}

pub(crate) fn target(
    m: &ModuleWorld,
    wit_paths: &[PathBuf],
    world: Option<&str>,
) -> Result<Target, ComponentizeError> {
    let mut wit = Wit::wasi()?;
    for p in wit_paths {
        wit.push_path(p)?;
    }
    let lookup = |wit: &Wit, names: &str, hint: bool| -> Result<Vec<WorldId>, ComponentizeError> {
        names
            .split('+')
            .map(|n| {
                wit.world(n).map_err(|e| match hint {
                    true => ComponentizeError::NeedWit {
                        world: n.to_string(),
                    },
                    false => e.into(),
                })
            })
            .collect()
    };
    let source = match (world, wit_paths.is_empty()) {
        (None, false) => return Err(ComponentizeError::WitWithoutWorld),
        (Some(w), _) => Source::Names(lookup(&wit, w, false)?),
        (None, true) if m.has_component_type => {
            let (_, bindgen) = wit_component::metadata::decode(m.bytes).map_err(decode_err)?;
            let remap = wit.resolve.merge(bindgen.resolve).map_err(|e| {
                ComponentizeError::Encode(format!("merging the module's world: {e:#}"))
            })?;
            let id = remap.worlds[bindgen.world.index()].ok_or_else(|| {
                ComponentizeError::Encode("the module's world vanished in a merge".into())
            })?;
            rename_root(&mut wit.resolve, id);
            Source::Module(id)
        }
        (None, true) if m.world_section.is_some() => {
            let section = WorldSection::decode(m.world_section.unwrap_or_default())?;
            let (loaded, worlds) = section.load()?;
            wit = loaded;
            match worlds.is_empty() {
                true => Source::Names(vec![wit.command_world()?]),
                false => Source::Names(worlds),
            }
        }
        (None, true) => match m.abi_world {
            Some(w) => Source::Names(lookup(&wit, w, true)?),
            None => Source::Names(vec![wit.command_world()?]),
        },
    };

    let from_module = matches!(source, Source::Module(_));
    let (mut world, mut embed) = match source {
        Source::Module(id) => (id, false),
        // One WASI world, as before custom worlds: used as it is.
        Source::Names(parts) if parts.len() == 1 && is_wasi(&wit.resolve, parts[0]) => {
            (parts[0], !m.has_component_type)
        }
        // A vendor world: WASI's command world plus the vendor's items.
        Source::Names(parts) => {
            let base = wit.command_world()?;
            let last = *parts.last().expect("split yields one part at least");
            let name = format!("{}-with-wasi", wit.resolve.worlds[last].name);
            let merged = new_world(&mut wit.resolve, base, last, name);
            for p in parts {
                wit.resolve
                    .merge_worlds(p, merged, &mut CloneMaps::default())
                    .map_err(|e| {
                        ComponentizeError::Encode(format!(
                            "merging world `{}` with `{}`: {e:#}",
                            wit.world_name(p),
                            wit.world_name(base)
                        ))
                    })?;
            }
            (merged, true)
        }
    };

    // In a reactor (it exports an initializer, as crt1-reactor.o does), a
    // world export it implements no function of is dropped: it has no
    // `wasi:cli/run`. A command that lacks one is left to wit-component,
    // which reports the missing function.
    let reactor = [m.arch.initialize_export().as_str(), "_initialize"]
        .iter()
        .any(|i| m.exports.iter().any(|e| e == i));
    let missing: Vec<WorldKey> = match reactor {
        false => Vec::new(),
        true => wit.resolve.worlds[world]
            .exports
            .iter()
            .filter(|(key, item)| !implemented(&wit.resolve, m.arch, key, item, m.exports))
            .map(|(key, _)| key.clone())
            .collect(),
    };
    if !missing.is_empty() {
        if !embed {
            // Keep the module's world intact; edit a copy.
            let name = format!("{}-reactor", wit.resolve.worlds[world].name);
            world = new_world(&mut wit.resolve, world, world, name);
        }
        let w = &mut wit.resolve.worlds[world];
        for key in &missing {
            w.exports.shift_remove(key);
        }
        embed = true;
    }
    let name = match (from_module, m.abi_world) {
        (true, Some(recorded)) => recorded.to_string(),
        _ => wit.world_name(world),
    };
    Ok(Target {
        wit,
        world,
        name,
        embed,
    })
}

/// A new world named `name` with `from`'s items, in `pkg_of`'s package.
fn new_world(resolve: &mut Resolve, from: WorldId, pkg_of: WorldId, name: String) -> WorldId {
    let mut w = resolve.worlds[from].clone();
    w.name = name.clone();
    w.includes.clear();
    w.package = resolve.worlds[pkg_of].package;
    let id = resolve.worlds.alloc(w);
    if let Some(pkg) = resolve.worlds[id].package {
        resolve.packages[pkg].worlds.insert(name, id);
    }
    id
}

/// wit-component decodes a module's worlds merged into `root:root/root`,
/// and merges every `component-type` it reads into a fresh, empty world of
/// that name: re-embedding this one (or a copy in its package) under the
/// same name would clash with it. So it gets another name.
fn rename_root(resolve: &mut Resolve, world: WorldId) {
    const NAME: &str = "wasit2-module";
    let old = std::mem::replace(&mut resolve.worlds[world].name, NAME.into());
    if let Some(pkg) = resolve.worlds[world].package {
        let worlds = &mut resolve.packages[pkg].worlds;
        worlds.shift_remove(&old);
        worlds.insert(NAME.into(), world);
    }
}

/// WASI's and wasit2's own worlds need no merging with WASI.
fn is_wasi(resolve: &Resolve, world: WorldId) -> bool {
    resolve.worlds[world].package.is_some_and(|p| {
        matches!(
            resolve.packages[p].name.namespace.as_str(),
            "wasi" | "wasit2"
        )
    })
}

/// Whether the module exports any function of the world export `key`.
fn implemented(
    resolve: &Resolve,
    arch: Arch,
    key: &WorldKey,
    item: &WorldItem,
    exports: &[String],
) -> bool {
    let prefix = arch.prefix();
    match (key, item) {
        (WorldKey::Interface(id), _) => match resolve.canonicalized_id_of(*id) {
            Some(name) => {
                let wanted = format!("{prefix}|{name}|");
                exports.iter().any(|e| e.starts_with(&wanted))
            }
            None => true,
        },
        (WorldKey::Name(name), WorldItem::Function(_)) => {
            let wanted = format!("{prefix}||{name}");
            exports.contains(&wanted)
        }
        // Named interface exports have no wasit2 name: leave them to the
        // encoder, which reports what is missing.
        (WorldKey::Name(_), _) => true,
    }
}

fn decode_err(e: anyhow::Error) -> ComponentizeError {
    ComponentizeError::Encode(format!(
        "reading the module's component-type section: {e:#}"
    ))
}
