//! WASI preview 1 programs (e.g. Rust's `wasm32-wasip1`) linked as wasit2
//! modules.
//!
//! The p1 implementation is the wasit2 libc's preview-1 layer
//! (`__wasi_*` over wasit2 imports, sysroot/layer), never a second one:
//!
//! 1. wasit-ld links the wasit2 sysroot's crt1 and libc instead of rustc's
//!    self-contained wasi-libc (wasit-ld/src/libc.rs), so every libc call
//!    and the libc's own p1 calls already go to the layer;
//! 2. what is left are `wasi_snapshot_preview1` imports that the program
//!    declares itself (Rust std's `wasi` crate). The sysroot's prebuilt
//!    provider library (`sysroot/layer/p1/imports.c`) defines
//!    `__wasit2_p1_<name>` for each with the import's exact core signature,
//!    forwarding to the layer; the linker pulls in and exports just the ones
//!    imported ([`provider_symbol`]);
//! 3. [`redirect_p1_imports`] replaces each such import by its provider and
//!    drops the provider exports, leaving a module with wasit2 imports only.

use std::collections::HashMap;

use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{ExportSection, ImportSection, Module, NameMap, NameSection};
use wasmparser::{ExternalKind, FuncType, Parser, Payload, TypeRef};

use crate::BridgeError;

/// The preview 1 import module.
pub const P1_MODULE: &str = "wasi_snapshot_preview1";

/// The provider function for the p1 import `field`.
pub fn provider_symbol(field: &str) -> String {
    format!("__wasit2_p1_{field}")
}

/// The `wasi_snapshot_preview1` function imports of a linked module, in
/// order. Other p1 module names (`wasi_unstable`) are reported as an error
/// by [`redirect_p1_imports`], not here.
pub fn p1_imports(module: &[u8]) -> Result<Vec<String>, BridgeError> {
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        if let Payload::ImportSection(r) = payload? {
            for i in r.into_imports() {
                let i = i?;
                if i.module == P1_MODULE {
                    out.push(i.name.to_string());
                }
            }
        }
    }
    Ok(out)
}

struct Redirect<'a> {
    /// Old function index -> new function index.
    funcs: Vec<u32>,
    /// Old indices of the removed imports.
    removed: std::collections::HashSet<u32>,
    /// Old import index of every function import, by (module, field).
    import_index: HashMap<(String, String), u32>,
    /// Export names of the providers, dropped from the output.
    provider_exports: &'a std::collections::HashSet<String>,
}

impl Reencode for Redirect<'_> {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, reencode::Error<Self::Error>> {
        Ok(self.funcs[func as usize])
    }

    fn parse_import_section(
        &mut self,
        imports: &mut ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        for i in section.into_imports() {
            let i = i?;
            let redirected = matches!(i.ty, TypeRef::Func(_) | TypeRef::FuncExact(_))
                && self
                    .import_index
                    .get(&(i.module.to_string(), i.name.to_string()))
                    .is_some_and(|index| self.removed.contains(index));
            if !redirected {
                imports.import(i.module, i.name, self.entity_type(i.ty)?);
            }
        }
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        for e in section {
            let e = e?;
            if e.kind == ExternalKind::Func && self.provider_exports.contains(e.name) {
                continue;
            }
            self.parse_export(exports, e)?;
        }
        Ok(())
    }

    fn parse_custom_name_subsection(
        &mut self,
        names: &mut NameSection,
        section: wasmparser::Name<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        match section {
            // A removed import's name would name its provider a second time.
            wasmparser::Name::Function(map) => {
                let mut out = NameMap::new();
                for naming in map {
                    let naming = naming?;
                    if !self.removed.contains(&naming.index) {
                        out.append(self.funcs[naming.index as usize], naming.name);
                    }
                }
                names.functions(&out);
                Ok(())
            }
            other => reencode::utils::parse_custom_name_subsection(self, names, other),
        }
    }
}

/// Replaces every `wasi_snapshot_preview1` function import of a linked
/// module by the module's own exported `__wasit2_p1_<name>` function (see
/// the module docs) and removes those exports.
pub fn redirect_p1_imports(module: &[u8]) -> Result<Vec<u8>, BridgeError> {
    for payload in Parser::new(0).parse_all(module) {
        if let Payload::ImportSection(r) = payload? {
            for i in r.into_imports() {
                let i = i?;
                if i.module == "wasi_unstable" {
                    return Err(BridgeError::UnsupportedImport {
                        module: i.module.into(),
                        field: i.name.into(),
                        reason: "pre-snapshot WASI (`wasi_unstable`) is not supported".into(),
                    });
                }
            }
        }
    }
    redirect_imports(module, |module_name, field| {
        (module_name == P1_MODULE).then(|| provider_symbol(field))
    })
}

/// Replaces each function import for which `provider(module, field)` names
/// an exported function of the module by that function, and removes the
/// import and those exports. Imports it gives `None` for stay. A named
/// provider that was not linked in, or whose type differs from the
/// import's, is an error.
pub fn redirect_imports(
    module: &[u8],
    provider: impl Fn(&str, &str) -> Option<String>,
) -> Result<Vec<u8>, BridgeError> {
    let mut types: Vec<FuncType> = Vec::new();
    let mut imports: Vec<(String, String, u32)> = Vec::new();
    let mut defined: Vec<u32> = Vec::new();
    let mut exports: HashMap<String, u32> = HashMap::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::Version {
                encoding: wasmparser::Encoding::Component,
                ..
            } => return Err(BridgeError::Component),
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    types.push(t?);
                }
            }
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    let i = i?;
                    if let TypeRef::Func(t) | TypeRef::FuncExact(t) = i.ty {
                        imports.push((i.module.to_string(), i.name.to_string(), t));
                    } else if provider(i.module, i.name).is_some() {
                        return Err(BridgeError::UnsupportedImport {
                            module: i.module.into(),
                            field: i.name.into(),
                            reason: "not a function".into(),
                        });
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for f in r {
                    defined.push(f?);
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e?;
                    if e.kind == ExternalKind::Func {
                        exports.insert(e.name.to_string(), e.index);
                    }
                }
            }
            _ => {}
        }
    }
    let providers: Vec<Option<String>> = imports.iter().map(|(m, f, _)| provider(m, f)).collect();
    let n_old_imports = imports.len() as u32;
    let n_kept = providers.iter().filter(|p| p.is_none()).count() as u32;
    let type_of = |func: u32| -> &FuncType {
        let t = if func < n_old_imports {
            imports[func as usize].2
        } else {
            defined[(func - n_old_imports) as usize]
        };
        &types[t as usize]
    };
    let mut funcs = Vec::with_capacity(imports.len() + defined.len());
    let mut kept = 0u32;
    let mut removed = std::collections::HashSet::new();
    let mut provider_exports = std::collections::HashSet::new();
    // Indices of defined functions shift down by the number of removed imports.
    let shift = |old: u32| old - n_old_imports + n_kept;
    for ((module_name, field, ty), symbol) in imports.iter().zip(providers) {
        let Some(symbol) = symbol else {
            funcs.push(kept);
            kept += 1;
            continue;
        };
        let Some(&provider) = exports.get(&symbol).filter(|&&i| i >= n_old_imports) else {
            return Err(BridgeError::UnsupportedImport {
                module: module_name.clone(),
                field: field.clone(),
                reason: format!(
                    "no `{symbol}` was linked in (not a function wasit2 provides here)"
                ),
            });
        };
        let expected = &types[*ty as usize];
        let found = type_of(provider);
        if expected != found {
            return Err(BridgeError::SignatureMismatch {
                module: module_name.clone(),
                field: field.clone(),
                expected: expected.to_string(),
                found: format!("{found} (`{symbol}`)"),
            });
        }
        removed.insert(funcs.len() as u32);
        funcs.push(shift(provider));
        provider_exports.insert(symbol);
    }
    funcs.extend((0..defined.len() as u32).map(|j| n_kept + j));
    let import_index = imports
        .iter()
        .enumerate()
        .map(|(n, (m, f, _))| ((m.clone(), f.clone()), n as u32))
        .collect();
    let mut out = Module::new();
    Redirect {
        funcs,
        removed,
        import_index,
        provider_exports: &provider_exports,
    }
    .parse_core_module(&mut out, Parser::new(0), module)
    .map_err(|e| BridgeError::Encode(e.to_string()))?;
    let bytes = out.finish();
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&bytes)
        .map_err(|e| BridgeError::Encode(format!("redirected module does not validate: {e}")))?;
    Ok(bytes)
}
