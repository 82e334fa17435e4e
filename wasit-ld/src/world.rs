//! The world from the objects: the C that `wasit2 bindgen` writes carries
//! its world in a `wasit2-world` custom section (`wasit2_abi::WorldSection`),
//! which wasm-ld concatenates over all inputs. Without `--wit`/`--world`,
//! the module is checked against those worlds merged with the WASI world
//! the program itself needs (`wasi:cli/command`, or `wasi:cli/imports` for a
//! reactor), and the finished module records that merged world: the
//! `wasit2-abi` section names it and one `wasit2-world` record defines it.

use anyhow::Context;
use wasit2_abi::{WorldRecord, WorldSection, WASI_VERSION, WORLD_SECTION_NAME};
use wasit2_module::Module;

use crate::Target;

/// Package of the merged worlds wasit-ld writes.
const MERGED_PACKAGE: &str = "wasit2:program";

/// The raw sections wasm-ld concatenated, decoded; `None` without any.
pub(crate) fn records(module: &Module) -> anyhow::Result<Option<WorldSection>> {
    let Some(bytes) = &module.world_section else {
        return Ok(None);
    };
    let section = WorldSection::decode(bytes)
        .context("reading the world the bindings carry (custom section `wasit2-world`)")?;
    Ok((!section.records.is_empty()).then_some(section))
}

/// `bytes` without the raw `wasit2-world` sections of the inputs.
pub(crate) fn strip_carrier(bytes: Vec<u8>, module: &Module) -> anyhow::Result<Vec<u8>> {
    if module.world_section.is_none() {
        return Ok(bytes);
    }
    wasit2_module::encode::strip_custom(&bytes, |name| name != WORLD_SECTION_NAME)
        .context("removing the bindings' world section")
}

/// The target the module is checked against and records: the carried
/// worlds merged with the WASI world the program needs.
pub(crate) fn merged_target(section: &WorldSection, reactor: bool) -> anyhow::Result<Target> {
    let base = match reactor {
        true => format!("wasi:cli/imports@{WASI_VERSION}"),
        false => format!("wasi:cli/command@{WASI_VERSION}"),
    };
    // Each carried world must load on its own, for a clear error.
    section.load().context("loading the bindings' world")?;
    // One name for the merged world: the carried world's, or `program`.
    let mut names: Vec<&str> = section
        .records
        .iter()
        .map(|r| world_short_name(&r.world))
        .collect();
    names.dedup();
    let name = match names.as_slice() {
        [one] => one.to_string(),
        _ => "program".to_string(),
    };
    let mut text = format!(
        "/// The program's world: {} plus what its bindings carry (written by wasit-ld).\npackage {MERGED_PACKAGE};\n\nworld {name} {{\n  include {base};\n",
        base
    );
    let mut seen = Vec::new();
    for r in &section.records {
        if !seen.contains(&r.world) {
            text.push_str(&format!("  include {};\n", r.world));
            seen.push(r.world.clone());
        }
    }
    text.push_str("}\n");
    // Every carried package once, in order, then the merged one.
    let mut packages: Vec<String> = Vec::new();
    for r in &section.records {
        for p in &r.packages {
            if !packages.contains(p) {
                packages.push(p.clone());
            }
        }
    }
    packages.push(text);
    let record = WorldRecord {
        world: format!("{MERGED_PACKAGE}/{name}"),
        packages,
    };
    let merged = WorldSection {
        records: vec![record.clone()],
    };
    let (wit, ids) = merged
        .load()
        .with_context(|| format!("merging the bindings' worlds with {base}"))?;
    Ok(Target {
        wit,
        world: ids[0],
        name: record.world.clone(),
        host_profile: None,
        world_record: Some(record),
    })
}

/// Records for the vendor worlds `--host-world` names, so that a module
/// whose vendor imports are declared by hand (no bindings carry them)
/// records them too: componentize and `wasit2 run --invoke` read the world
/// from the module. Only a world from a single WIT file can be carried
/// (one text per package); one from a directory is checked but not recorded.
pub(crate) fn host_world_records(specs: &[String]) -> anyhow::Result<Vec<WorldRecord>> {
    let mut records = Vec::new();
    for spec in specs {
        let (wit, id, path) = wasit2_check::load_host_world(spec)?;
        let world = wit.world_name(id);
        // WASI and the project's own worlds are known to every reader.
        if !path.is_file() || world.starts_with("wasi:") || world.starts_with("wasit2:") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading --host-world {}", path.display()))?;
        records.push(WorldRecord {
            world,
            packages: vec![text],
        });
    }
    Ok(records)
}

/// `firmware` of `acme:sensors/firmware@1.0.0`.
fn world_short_name(world: &str) -> &str {
    let after_slash = world.rsplit_once('/').map_or(world, |(_, w)| w);
    after_slash.split_once('@').map_or(after_slash, |(w, _)| w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert_eq!(world_short_name("acme:sensors/firmware@1.0.0"), "firmware");
        assert_eq!(world_short_name("a:b/c"), "c");
    }
}
