//! The module rewrite: new import list, glue functions appended after the
//! module's own functions, every function index remapped, exports renamed.

use std::collections::HashMap;

use wasm_encoder::reencode::Reencode;
use wasm_encoder::{
    CodeSection, ConstExpr, CustomSection, DataCountSection, EntityType, ExportKind, ExportSection,
    FunctionSection, GlobalSection, GlobalType, ImportSection, Module, RawSection, SectionId,
    StartSection, TypeSection, ValType,
};
use wasmparser::{ExternalKind, FuncType, TypeRef, Validator, WasmFeatures};

use wasit2_abi::{AbiSection, CoreSig, Import, Lowering, ABI_VERSION, SECTION_NAME};

use wasit2_module::encode::{remap_name_section, FuncRemap, Sections};
use wasit2_module::ModuleError;

use crate::glue::{self, GlueIndices};
use crate::names::{map_export, map_import, ExportTarget, ImportTarget};
use crate::BridgeError;

/// The input module's sections, plus what a rewrite cannot take.
fn read_input(module: &[u8]) -> Result<Sections<'_>, BridgeError> {
    let input = Sections::read(module).map_err(|e| match e {
        ModuleError::Component => BridgeError::Component,
        other => BridgeError::Invalid(other.to_string()),
    })?;
    if let Some(import) = input.other_imports.first() {
        let reason = match import.ty {
            TypeRef::Memory(_) => "imported memories are not supported (export the memory instead)",
            TypeRef::Table(_) => "imported tables are not supported",
            TypeRef::Global(_) => "imported globals are not supported",
            _ => "imported tags are not supported",
        };
        return Err(BridgeError::UnsupportedImport {
            module: import.module.into(),
            field: import.name.into(),
            reason: reason.into(),
        });
    }
    if input
        .customs
        .iter()
        .any(|c| c.name() == "linking" || c.name().starts_with("reloc."))
    {
        return Err(BridgeError::Invalid(
            "relocatable object file; bridge the linked module instead".into(),
        ));
    }
    Ok(input)
}

fn enc<E: std::fmt::Display>(e: E) -> BridgeError {
    BridgeError::Encode(e.to_string())
}

fn val_type(t: wasit2_abi::ValType) -> ValType {
    match t {
        wasit2_abi::ValType::I32 => ValType::I32,
        wasit2_abi::ValType::I64 => ValType::I64,
        wasit2_abi::ValType::F32 => ValType::F32,
        wasit2_abi::ValType::F64 => ValType::F64,
    }
}

/// One glue function to generate.
struct Glue<'l> {
    import: &'l Import,
    /// Type index of the standard signature (the input import's type).
    std_type: u32,
    /// Index in the new import list of the wasit2 buffer import it calls.
    target: u32,
}

/// What the rewrite leaves alone for a WASI preview 1 host (`--host
/// wasip1`): the `wasi_snapshot_preview1` imports (the adapter's own), the
/// `memory` export name p1 runtimes look for, and the `wasit2-abi` section,
/// which describes wasit2 hosts only.
#[derive(Clone, Copy, Default)]
pub(crate) struct Mode {
    pub(crate) for_wasip1: bool,
}

pub(crate) fn rewrite(
    module: &[u8],
    lowering: &Lowering,
    mode: Mode,
) -> Result<Vec<u8>, BridgeError> {
    Validator::new_with_features(WasmFeatures::all()).validate_all(module)?;
    let input = read_input(module)?;
    if let Some(i) = input.memories.iter().position(|m| m.memory64) {
        return Err(BridgeError::Memory64(i as u32));
    }
    let n_old_types = input.types.len() as u32;

    // Plan the imports.
    let mut new_types: Vec<CoreSig> = Vec::new();
    let mut new_imports: Vec<(String, String, u32)> = Vec::new();
    let mut import_pos: HashMap<(String, String), u32> = HashMap::new();
    let mut glues: Vec<Glue> = Vec::new();
    let mut glue_pos: HashMap<(String, String), u32> = HashMap::new();
    enum Old {
        Import(u32),
        Glue(u32),
    }
    let mut old_imports = Vec::new();
    let mut add_import =
        |module_name: &str, field: &str, ty: u32, imports: &mut Vec<(String, String, u32)>| {
            let key = (module_name.to_string(), field.to_string());
            *import_pos.entry(key).or_insert_with(|| {
                imports.push((module_name.to_string(), field.to_string(), ty));
                imports.len() as u32 - 1
            })
        };
    for &(module_name, field, ty) in &input.func_imports {
        if mode.for_wasip1 && module_name == crate::p1::P1_MODULE {
            // Old types keep their indices, so the import keeps its type.
            old_imports.push(Old::Import(add_import(
                module_name,
                field,
                ty,
                &mut new_imports,
            )));
            continue;
        }
        let found = &input.types[ty as usize];
        let mismatch = |expected: &CoreSig| BridgeError::SignatureMismatch {
            module: module_name.into(),
            field: field.into(),
            expected: expected.to_string(),
            found: CoreSig::text_of(found),
        };
        match map_import(lowering, module_name, field)? {
            ImportTarget::Same(imp) => {
                if CoreSig::from_func_type(found).as_ref() != Some(&imp.sig) {
                    return Err(mismatch(&imp.sig));
                }
                old_imports.push(Old::Import(add_import(
                    &imp.module,
                    &imp.field,
                    ty,
                    &mut new_imports,
                )));
            }
            ImportTarget::Buffer(imp) => {
                let buffer = imp.buffer.as_ref().expect("buffer import");
                let standard = CoreSig {
                    params: imp.sig.params[..=buffer.retptr].to_vec(),
                    results: vec![],
                };
                if CoreSig::from_func_type(found).as_ref() != Some(&standard) {
                    return Err(mismatch(&standard));
                }
                let key = (imp.module.clone(), imp.field.clone());
                let g = match glue_pos.get(&key) {
                    Some(&g) => g,
                    None => {
                        let type_index = match new_types.iter().position(|s| *s == imp.sig) {
                            Some(p) => n_old_types + p as u32,
                            None => {
                                new_types.push(imp.sig.clone());
                                n_old_types + new_types.len() as u32 - 1
                            }
                        };
                        let target =
                            add_import(&imp.module, &imp.field, type_index, &mut new_imports);
                        glues.push(Glue {
                            import: imp,
                            std_type: ty,
                            target,
                        });
                        glue_pos.insert(key, glues.len() as u32 - 1);
                        glues.len() as u32 - 1
                    }
                };
                old_imports.push(Old::Glue(g));
            }
        }
    }

    // Function index space: new imports, the module's functions, the glue.
    let n_imports = new_imports.len() as u32;
    let n_defined = input.functions.len() as u32;
    let mut funcs: Vec<u32> = old_imports
        .iter()
        .map(|o| match o {
            Old::Import(i) => *i,
            Old::Glue(g) => n_imports + n_defined + g,
        })
        .collect();
    funcs.extend((0..n_defined).map(|j| n_imports + j));
    let mut remap = FuncRemap {
        funcs,
        ..Default::default()
    };

    // The module's allocator, which the glue calls.
    let realloc = input
        .exports
        .iter()
        .find(|e| e.name == "cabi_realloc" && e.kind == ExternalKind::Func)
        .map(|e| e.index);
    let realloc_new = match (realloc, glues.first()) {
        (_, None) => None,
        (None, Some(g)) => return Err(BridgeError::MissingRealloc(g.import.display_name())),
        (Some(old), Some(_)) => {
            let ty = func_type_of(&input, old);
            let expected = CoreSig {
                params: vec![wasit2_abi::ValType::I32; 4],
                results: vec![wasit2_abi::ValType::I32],
            };
            if CoreSig::from_func_type(ty).as_ref() != Some(&expected) {
                return Err(BridgeError::BadRealloc(CoreSig::text_of(ty)));
            }
            Some(remap.funcs[old as usize])
        }
    };

    // One spare-arena global pair per arena alignment.
    let mut spare_globals: Vec<(usize, u32)> = Vec::new();
    for g in &glues {
        let align = g.import.buffer.as_ref().unwrap().arena_align;
        if !spare_globals.iter().any(|(a, _)| *a == align) {
            let index = input.n_globals + 2 * spare_globals.len() as u32;
            spare_globals.push((align, index));
        }
    }

    // Exports.
    let mut exports: Vec<(String, ExportKind, u32)> = Vec::new();
    for e in &input.exports {
        let keeps_name = mode.for_wasip1 && matches!(e.name, "memory" | "_initialize");
        let name = match map_export(lowering, e.name, e.kind)? {
            ExportTarget::Drop => continue,
            ExportTarget::Rename(_) if keeps_name => e.name.to_string(),
            ExportTarget::Keep => e.name.to_string(),
            ExportTarget::Rename(n) => n,
        };
        if let (ExternalKind::Func, Some(expected)) =
            (e.kind, lowering.export(&name).and_then(|x| x.sig.as_ref()))
        {
            let ty = func_type_of(&input, e.index);
            if CoreSig::from_func_type(ty).as_ref() != Some(expected) {
                return Err(BridgeError::UnsupportedExport {
                    name: e.name.into(),
                    reason: format!(
                        "signature {} differs from {expected} of `{name}`",
                        CoreSig::text_of(ty)
                    ),
                });
            }
        }
        let (kind, index) = match e.kind {
            ExternalKind::Func | ExternalKind::FuncExact => {
                (ExportKind::Func, remap.funcs[e.index as usize])
            }
            ExternalKind::Table => (ExportKind::Table, e.index),
            ExternalKind::Memory => (ExportKind::Memory, e.index),
            ExternalKind::Global => (ExportKind::Global, e.index),
            ExternalKind::Tag => (ExportKind::Tag, e.index),
        };
        if exports.iter().any(|(n, _, _)| *n == name) {
            return Err(BridgeError::UnsupportedExport {
                name: e.name.into(),
                reason: format!("`{name}` is exported twice"),
            });
        }
        exports.push((name, kind, index));
    }
    let memory_export = lowering.arch.memory_export();
    if !mode.for_wasip1
        && !exports.iter().any(|(n, _, _)| *n == memory_export)
        && !input.memories.is_empty()
    {
        exports.push((memory_export, ExportKind::Memory, 0));
    }

    // Encode.
    let mut out = Module::new();

    let mut types = TypeSection::new();
    if let Some(r) = input.type_section.clone() {
        remap.parse_type_section(&mut types, r).map_err(enc)?;
    }
    for sig in &new_types {
        types.ty().function(
            sig.params.iter().map(|t| val_type(*t)),
            sig.results.iter().map(|t| val_type(*t)),
        );
    }
    out.section(&types);

    let mut imports = ImportSection::new();
    for (module_name, field, ty) in &new_imports {
        imports.import(module_name, field, EntityType::Function(*ty));
    }
    out.section(&imports);

    let mut functions = FunctionSection::new();
    for ty in &input.functions {
        functions.function(*ty);
    }
    for g in &glues {
        functions.function(g.std_type);
    }
    out.section(&functions);

    if let Some(r) = input.tables.clone() {
        let mut tables = wasm_encoder::TableSection::new();
        remap.parse_table_section(&mut tables, r).map_err(enc)?;
        out.section(&tables);
    }
    if let Some(range) = input.memory_range.clone() {
        out.section(&RawSection {
            id: SectionId::Memory as u8,
            data: &module[range],
        });
    }
    if let Some(range) = input.tag_range.clone() {
        out.section(&RawSection {
            id: SectionId::Tag as u8,
            data: &module[range],
        });
    }

    let mut globals = GlobalSection::new();
    if let Some(r) = input.globals.clone() {
        remap.parse_global_section(&mut globals, r).map_err(enc)?;
    }
    for _ in &spare_globals {
        for _ in 0..2 {
            globals.global(
                GlobalType {
                    val_type: ValType::I32,
                    mutable: true,
                    shared: false,
                },
                &ConstExpr::i32_const(0),
            );
        }
    }
    if !globals.is_empty() {
        out.section(&globals);
    }

    let mut export_section = ExportSection::new();
    for (name, kind, index) in &exports {
        export_section.export(name, *kind, *index);
    }
    out.section(&export_section);

    if let Some(start) = input.start {
        out.section(&StartSection {
            function_index: remap.funcs[start as usize],
        });
    }
    if let Some(r) = input.elements.clone() {
        let mut elements = wasm_encoder::ElementSection::new();
        remap.parse_element_section(&mut elements, r).map_err(enc)?;
        out.section(&elements);
    }
    if let Some(count) = input.data_count {
        out.section(&DataCountSection { count });
    }

    let mut code = CodeSection::new();
    for body in &input.bodies {
        remap
            .parse_function_body(&mut code, body.clone())
            .map_err(enc)?;
    }
    for g in &glues {
        let align = g.import.buffer.as_ref().unwrap().arena_align;
        let spare = spare_globals.iter().find(|(a, _)| *a == align).unwrap().1;
        let indices = GlueIndices {
            import: g.target,
            realloc: realloc_new.expect("checked above when there is glue"),
            spare_ptr: spare,
            spare_cap: spare + 1,
        };
        let std_params: Vec<ValType> = input.types[g.std_type as usize]
            .params()
            .iter()
            .map(|t| reencode_val(*t))
            .collect();
        code.function(&glue::build(lowering, g.import, &std_params, &indices)?);
    }
    out.section(&code);

    if let Some(range) = input.data_range.clone() {
        out.section(&RawSection {
            id: SectionId::Data as u8,
            data: &module[range],
        });
    }

    let mut has_abi_section = false;
    for custom in &input.customs {
        let name = custom.name();
        // `component-type*` describes the standard world the input was
        // built for; DWARF refers to code offsets the rewrite changed.
        if name.starts_with("component-type") || name.starts_with(".debug_") {
            continue;
        }
        if name == "name" {
            // Glue names win over the old import names mapped onto the glue.
            remap.extra = glues
                .iter()
                .enumerate()
                .map(|(k, g)| {
                    (
                        n_imports + n_defined + k as u32,
                        format!("wasit2-bridge glue {}", g.import.display_name()),
                    )
                })
                .collect();
            if let Some(names) = remap_name_section(custom, &mut remap).map_err(enc)? {
                out.section(&names);
                continue;
            }
        }
        has_abi_section |= name == SECTION_NAME;
        out.section(&CustomSection {
            name: name.into(),
            data: custom.data().into(),
        });
    }
    if !has_abi_section && !mode.for_wasip1 {
        let section = AbiSection {
            version: ABI_VERSION,
            arch: lowering.arch,
            world: lowering.world_name.clone(),
            host: "wasit2".into(),
        };
        out.section(&CustomSection {
            name: SECTION_NAME.into(),
            data: section.encode().into(),
        });
    }

    let bytes = out.finish();
    // A rewrite bug must not produce a module that fails later.
    Validator::new_with_features(WasmFeatures::all())
        .validate_all(&bytes)
        .map_err(|e| BridgeError::Encode(format!("output does not validate: {e}")))?;
    Ok(bytes)
}

fn reencode_val(t: wasmparser::ValType) -> ValType {
    match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => ValType::V128,
        // Standard signatures hold numbers only (checked against the ABI).
        wasmparser::ValType::Ref(_) => unreachable!("glue signatures are numeric"),
    }
}

fn func_type_of<'a>(input: &'a Sections, func: u32) -> &'a FuncType {
    let n = input.func_imports.len() as u32;
    let ty = if func < n {
        input.func_imports[func as usize].2
    } else {
        input.functions[(func - n) as usize]
    };
    &input.types[ty as usize]
}
