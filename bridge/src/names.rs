//! Mapping the standard ("legacy") component-model core names that
//! wit-bindgen and wasi-libc emit onto wasit2 names.

use wasit2_abi::{canonical_version, Arch, Import, Lowering};

use crate::BridgeError;

/// True when `module` is a core module with standard wasip2 imports or
/// exports (`wasi:…@0.2.x` modules, `wasi:cli/run@0.2.x#run`) that
/// [`crate::bridge_standard_p2`] should rewrite. A `cabi_realloc` export
/// alone does not count: in a wasit2 module it is a mistake to report, not
/// something to drop silently. Unparsable input yields `false`.
pub fn needs_bridge(module: &[u8]) -> bool {
    let Ok(m) = wasit2_module::Module::parse(module) else {
        return false;
    };
    if m.imports.iter().any(|i| is_standard_interface(&i.module))
        || m.exports.iter().any(|e| is_standard_export(&e.name))
    {
        return true;
    }
    // Rust std for wasip2 links wit-bindgen's runtime, and rustc exports its
    // `cabi_realloc` even when no standard import is left (a program that
    // only prints through libc). It exists for a component host only, so the
    // bridge removes it; a realloc exported by a C program stays an error.
    let exports_realloc = m.exports.iter().any(|e| e.name == "cabi_realloc");
    let rust_producer = m.producers.iter().any(|(field, value)| {
        matches!(
            (field.as_str(), value.as_str()),
            ("language", "Rust") | ("processed-by", "rustc")
        )
    });
    exports_realloc && rust_producer
}

/// `wasi:cli/environment@0.2.4`-style module names (never the `cm32p2|…`
/// ones, which start with the prefix).
fn is_standard_interface(module: &str) -> bool {
    module.starts_with("wasi:") && module.contains('@')
}

fn is_standard_export(name: &str) -> bool {
    name.split_once('#')
        .is_some_and(|(i, _)| is_standard_interface(i))
}

/// `wasi:cli/environment@0.2.4` -> `wasi:cli/environment@0.2`.
pub(crate) fn canonical_interface(module: &str) -> Option<String> {
    let (name, version) = module.split_once('@')?;
    let version = semver::Version::parse(version).ok()?;
    Some(format!("{name}@{}", canonical_version(&version)))
}

/// What an input import becomes.
pub(crate) enum ImportTarget<'l> {
    /// The wasit2 import with the same core signature.
    Same(&'l Import),
    /// A caller-supplied-buffer wasit2 import, reached through glue.
    Buffer(&'l Import),
}

/// Finds the wasit2 import for an input function import. Inputs may already
/// use wasit2 names (a wasit2 libc linked with wit-bindgen objects).
pub(crate) fn map_import<'l>(
    lowering: &'l Lowering,
    module: &str,
    field: &str,
) -> Result<ImportTarget<'l>, BridgeError> {
    let unknown = || BridgeError::UnknownImport {
        module: module.into(),
        field: field.into(),
    };
    let arch = lowering.arch;
    if module.starts_with(arch.prefix()) || module.starts_with(arch.buffer_prefix()) {
        // Already wasit2: kept as is; a buffer import called directly needs no glue.
        return lowering
            .import(module, field)
            .map(ImportTarget::Same)
            .ok_or_else(unknown);
    }
    if Arch::of_module(module).is_some() {
        return Err(BridgeError::UnsupportedImport {
            module: module.into(),
            field: field.into(),
            reason: "a wasm64 (cm64p2) import in a wasm32 module".into(),
        });
    }
    if !is_standard_interface(module) {
        let reason = if module == "wasi_snapshot_preview1" || module == "wasi_unstable" {
            "WASI preview 1 imports are not standard wasip2 and are not bridged here".to_string()
        } else {
            "not a WASI 0.2 interface; a wasit2 module imports only WASI functions".to_string()
        };
        return Err(BridgeError::UnsupportedImport {
            module: module.into(),
            field: field.into(),
            reason,
        });
    }
    let iface = canonical_interface(module).ok_or_else(unknown)?;
    if let Some(resource) = field.strip_prefix("[resource-drop]") {
        let name = format!("{}|{iface}", arch.prefix());
        return lowering
            .import(&name, &format!("{resource}_drop"))
            .map(ImportTarget::Same)
            .ok_or_else(unknown);
    }
    if let Some(imp) = lowering.import(&format!("{}|{iface}", arch.prefix()), field) {
        return Ok(ImportTarget::Same(imp));
    }
    lowering
        .import(&format!("{}|{iface}", arch.buffer_prefix()), field)
        .map(ImportTarget::Buffer)
        .ok_or_else(unknown)
}

/// What an input export becomes.
pub(crate) enum ExportTarget {
    Keep,
    Rename(String),
    Drop,
}

/// Maps an input export name onto the wasit2 name.
pub(crate) fn map_export(
    lowering: &Lowering,
    name: &str,
    kind: wasmparser::ExternalKind,
) -> Result<ExportTarget, BridgeError> {
    use wasmparser::ExternalKind;
    let arch = lowering.arch;
    let unsupported = |reason: &str| BridgeError::UnsupportedExport {
        name: name.into(),
        reason: reason.into(),
    };
    match (name, kind) {
        ("memory", ExternalKind::Memory) => return Ok(ExportTarget::Rename(arch.memory_export())),
        ("_initialize", ExternalKind::Func) => {
            return Ok(ExportTarget::Rename(arch.initialize_export()))
        }
        // The host never allocates in a wasit2 guest; the glue calls the
        // function internally.
        (n, ExternalKind::Func) if n.starts_with("cabi_realloc") => return Ok(ExportTarget::Drop),
        _ => {}
    }
    let (func_part, post) = match name.strip_prefix("cabi_post_") {
        Some(rest) => (rest, true),
        None => (name, false),
    };
    let Some((iface, func)) = func_part.split_once('#') else {
        return Ok(ExportTarget::Keep);
    };
    let canonical =
        canonical_interface(iface).ok_or_else(|| unsupported("unversioned interface name"))?;
    let mut new_name = format!("{}|{canonical}|{func}", arch.prefix());
    if post {
        new_name.push_str("_post");
    }
    if lowering.export(&new_name).is_none() {
        return Err(unsupported(&format!(
            "not an export of the `{}` world",
            lowering.world_name
        )));
    }
    Ok(ExportTarget::Rename(new_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interfaces_canonicalize() {
        assert_eq!(
            canonical_interface("wasi:cli/environment@0.2.4").unwrap(),
            "wasi:cli/environment@0.2"
        );
        assert_eq!(
            canonical_interface("wasi:io/streams@0.2.0").unwrap(),
            "wasi:io/streams@0.2"
        );
        assert!(canonical_interface("wasi:io/streams").is_none());
    }

    /// A module exporting `cabi_realloc`, with or without a producers
    /// section naming rustc.
    fn realloc_module(producers: bool) -> Vec<u8> {
        let mut m = wasm_encoder::Module::new();
        let mut types = wasm_encoder::TypeSection::new();
        types.ty().function(
            [wasm_encoder::ValType::I32; 4],
            [wasm_encoder::ValType::I32],
        );
        m.section(&types);
        let mut funcs = wasm_encoder::FunctionSection::new();
        funcs.function(0);
        m.section(&funcs);
        let mut exports = wasm_encoder::ExportSection::new();
        exports.export("cabi_realloc", wasm_encoder::ExportKind::Func, 0);
        m.section(&exports);
        let mut code = wasm_encoder::CodeSection::new();
        let mut f = wasm_encoder::Function::new([]);
        f.instructions().i32_const(0).end();
        code.function(&f);
        m.section(&code);
        if producers {
            let mut p = wasm_encoder::ProducersSection::new();
            p.field(
                "processed-by",
                wasm_encoder::ProducersField::new().value("rustc", "1.95.0"),
            );
            m.section(&p);
        }
        m.finish()
    }

    #[test]
    fn rustc_realloc_export_is_bridged_away_but_a_c_one_is_not() {
        assert!(needs_bridge(&realloc_module(true)));
        assert!(!needs_bridge(&realloc_module(false)));
    }
}
