//! Componentizing wasm64 (`cm64p2`) modules.
//!
//! wit-component only knows 32-bit pointers, but nothing above the core
//! modules of a component depends on the pointer width: the component's
//! types, imports, `canon lower`/`canon lift` options and instantiations
//! are the same for both, and a validator derives each lowered function's
//! core type from the address type of the `memory` option. So the component
//! is encoded by wit-component for a wasm32 *stand-in* (the module's
//! imports and exports under their `cm32p2` names with their wasm32
//! signatures, no code), and then its core modules are swapped:
//!
//! - the stand-in by the real module (import modules and exports renamed
//!   to the `cm32p2` names the component refers to);
//! - wit-component's shim (a table of `call_indirect` trampolines that lets
//!   the main module import functions lowered with its own memory) and its
//!   fixup module (which fills that table) by the same modules with the
//!   wasm64 signatures.
//!
//! All signatures come from the ABI crate's wasm64 lowering. See
//! `docs/componentize.md` ("wasm64").

use std::collections::{HashMap, HashSet};

use wasit2_abi::{Arch, CoreSig, Lowering};
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{
    CodeSection, ConstExpr, ElementSection, Elements, EntityType, ExportKind, ExportSection,
    Function, FunctionSection, ImportSection, Instruction as I, MemoryType, Module, RawSection,
    RefType, TableType, TypeSection,
};
use wasmparser::{
    CanonicalFunction, ComponentAlias, ExternalKind, Instance, Parser, Payload, TypeRef,
};

use crate::adapter_common::val;
use crate::ComponentizeError;

/// Component section id of a core module.
const CORE_MODULE_SECTION: u8 = 1;
/// Export name of wit-component's shim table, and its fixup's import modules.
const SHIM_TABLE: &str = "$imports";
const FIXUP_FUNCS: &str = "actual";
const FIXUP_TABLE: &str = "shim";

/// `cm64p2|…` -> `cm32p2|…`, `wasit2-cm64p2|…` -> `wasit2-cm32p2|…`,
/// `cm64p2_memory` -> `cm32p2_memory`; other names unchanged.
pub(crate) fn to32(name: &str) -> String {
    let (p64, p32) = (Arch::Wasm64.prefix(), Arch::Wasm32.prefix());
    let (b64, b32) = (Arch::Wasm64.buffer_prefix(), Arch::Wasm32.buffer_prefix());
    if let Some(rest) = name.strip_prefix(b64) {
        format!("{b32}{rest}")
    } else if let Some(rest) = name.strip_prefix(p64) {
        format!("{p32}{rest}")
    } else {
        name.to_string()
    }
}

/// The inverse of [`to32`].
fn to64(name: &str) -> String {
    let (p64, p32) = (Arch::Wasm64.prefix(), Arch::Wasm32.prefix());
    let (b64, b32) = (Arch::Wasm64.buffer_prefix(), Arch::Wasm32.buffer_prefix());
    if let Some(rest) = name.strip_prefix(b32) {
        format!("{b64}{rest}")
    } else if let Some(rest) = name.strip_prefix(p32) {
        format!("{p64}{rest}")
    } else {
        name.to_string()
    }
}

/// The `cm32p2` import module the component gives `module` `field`: its
/// adapter's for a staged plain import, else the same interface's.
fn import_module32(module: &str, field: &str, staged: &HashSet<(String, String)>) -> String {
    if staged.contains(&(module.to_string(), field.to_string())) {
        to32(&format!("wasit2-{module}"))
    } else {
        to32(module)
    }
}

fn read_err(e: wasmparser::BinaryReaderError) -> ComponentizeError {
    ComponentizeError::NotAModule(e.to_string())
}

fn encode_err(what: &str, e: impl std::fmt::Display) -> ComponentizeError {
    ComponentizeError::Encode(format!("{what}: {e}"))
}

/// The wasm32 stand-in of `module`: the same function imports and exports
/// under their `cm32p2` names with wasm32 signatures, a 32-bit memory, and
/// no code (every function is `unreachable`). wit-component encodes the
/// component for it.
pub(crate) fn stand_in(
    module: &[u8],
    l32: &Lowering,
    staged: &HashSet<(String, String)>,
) -> Result<Vec<u8>, ComponentizeError> {
    let mut types = TypeSection::new();
    let mut n_types = 0u32;
    let mut add_type = |types: &mut TypeSection, sig: &CoreSig| {
        types.ty().function(
            sig.params.iter().map(|t| val(*t)),
            sig.results.iter().map(|t| val(*t)),
        );
        n_types += 1;
        n_types - 1
    };
    let mut imports = ImportSection::new();
    let mut n_func_imports = 0u32;
    let mut funcs = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    let mut memory_export = None;
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(read_err)? {
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.map_err(read_err)?;
                    let (TypeRef::Func(_) | TypeRef::FuncExact(_)) = imp.ty else {
                        continue;
                    };
                    let module32 = import_module32(imp.module, imp.name, staged);
                    let sig = &l32
                        .import(&to32(imp.module), imp.name)
                        .ok_or_else(|| ComponentizeError::UnknownImport {
                            module: imp.module.to_string(),
                            field: imp.name.to_string(),
                            world: l32.world_name.clone(),
                        })?
                        .sig;
                    let ty = add_type(&mut types, sig);
                    imports.import(&module32, imp.name, EntityType::Function(ty));
                    n_func_imports += 1;
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(read_err)?;
                    let name32 = to32(e.name);
                    match e.kind {
                        ExternalKind::Memory => memory_export = Some(name32),
                        ExternalKind::Func | ExternalKind::FuncExact => {
                            // Exports the world does not know (none in a
                            // linked wasit2 module) stay out of the stand-in;
                            // the real module keeps them.
                            let Some(sig) = l32.export(&name32).and_then(|x| x.sig.clone()) else {
                                continue;
                            };
                            let ty = add_type(&mut types, &sig);
                            funcs.function(ty);
                            let mut f = Function::new([]);
                            f.instruction(&I::Unreachable).instruction(&I::End);
                            code.function(&f);
                            exports.export(&name32, ExportKind::Func, n_func_imports);
                            n_func_imports += 1;
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    // Function exports were numbered after the imports as they came; the
    // imports all precede them because the import section comes first.
    let mut mems = wasm_encoder::MemorySection::new();
    mems.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let memory_name = memory_export.unwrap_or_else(|| Arch::Wasm32.memory_export());
    exports.export(&memory_name, ExportKind::Memory, 0);
    let mut m = Module::new();
    m.section(&types)
        .section(&imports)
        .section(&funcs)
        .section(&mems)
        .section(&exports)
        .section(&code);
    Ok(m.finish())
}

/// `module` with its import modules and exports under the `cm32p2` names
/// the stand-in's component refers to, without `component-type` sections.
fn renamed(
    module: &[u8],
    staged: &HashSet<(String, String)>,
) -> Result<Vec<u8>, ComponentizeError> {
    let mut out = Module::new();
    let mut rt = RoundtripReencoder;
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.map_err(read_err)?;
        match &payload {
            Payload::ImportSection(r) => {
                let mut s = ImportSection::new();
                for imp in r.clone().into_imports() {
                    let imp = imp.map_err(read_err)?;
                    let ty = rt
                        .entity_type(imp.ty)
                        .map_err(|e| encode_err("import", e))?;
                    s.import(&import_module32(imp.module, imp.name, staged), imp.name, ty);
                }
                out.section(&s);
            }
            Payload::ExportSection(r) => {
                let mut s = ExportSection::new();
                for e in r.clone() {
                    let e = e.map_err(read_err)?;
                    let kind = match e.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => ExportKind::Func,
                        ExternalKind::Table => ExportKind::Table,
                        ExternalKind::Memory => ExportKind::Memory,
                        ExternalKind::Global => ExportKind::Global,
                        ExternalKind::Tag => ExportKind::Tag,
                    };
                    s.export(&to32(e.name), kind, e.index);
                }
                out.section(&s);
            }
            other => wasit2_module::encode::copy_section(&mut out, other, module, |name| {
                !name.starts_with("component-type")
            }),
        }
    }
    Ok(out.finish())
}

/// Where a core function of the component comes from, as far as the
/// rewrite needs to know.
#[derive(Clone)]
enum CoreFunc {
    /// `alias core export $instance "name"`.
    Alias {
        instance: u32,
        name: String,
    },
    Other,
}

/// A module instantiation: the module and its (name, instance) arguments.
type Instantiation = (u32, Vec<(String, u32)>);

/// What the rewrite learns about the stand-in's component.
#[derive(Default)]
struct Layout {
    /// Byte range of each core module, in module index order.
    modules: Vec<std::ops::Range<usize>>,
    /// Core instances: `Some((module, args))` for instantiations.
    instances: Vec<Option<Instantiation>>,
    /// Function exports of the from-exports core instances.
    bags: HashMap<u32, Vec<(String, u32)>>,
    funcs: Vec<CoreFunc>,
}

/// Component section ids this rewrite reads.
const SECTION_CORE_INSTANCE: u8 = 2;
const SECTION_ALIAS: u8 = 6;
const SECTION_CANON: u8 = 8;

/// The top-level sections of a component: id and content range.
fn sections(bytes: &[u8]) -> Result<Vec<(u8, std::ops::Range<usize>)>, ComponentizeError> {
    let bad = || encode_err("wasm64", "malformed component from wit-component");
    let mut out = Vec::new();
    let mut pos = 8;
    while pos < bytes.len() {
        let id = bytes[pos];
        pos += 1;
        let mut reader = wasmparser::BinaryReader::new(&bytes[pos..], 0);
        let size = reader.read_var_u32().map_err(|_| bad())? as usize;
        pos += reader.current_position();
        let end = pos
            .checked_add(size)
            .filter(|e| *e <= bytes.len())
            .ok_or_else(bad)?;
        out.push((id, pos..end));
        pos = end;
    }
    Ok(out)
}

fn section_reader<'a, T>(
    bytes: &'a [u8],
    range: &std::ops::Range<usize>,
) -> Result<wasmparser::SectionLimited<'a, T>, ComponentizeError>
where
    T: wasmparser::FromReader<'a>,
{
    wasmparser::SectionLimited::new(wasmparser::BinaryReader::new(
        &bytes[range.clone()],
        range.start as _,
    ))
    .map_err(read_err)
}

fn scan_component(bytes: &[u8]) -> Result<Layout, ComponentizeError> {
    let mut layout = Layout::default();
    for (id, range) in sections(bytes)? {
        match id {
            CORE_MODULE_SECTION => layout.modules.push(range),
            SECTION_CORE_INSTANCE => {
                for inst in section_reader::<Instance>(bytes, &range)? {
                    match inst.map_err(read_err)? {
                        Instance::Instantiate { module_index, args } => {
                            layout.instances.push(Some((
                                module_index,
                                args.iter().map(|a| (a.name.to_string(), a.index)).collect(),
                            )));
                        }
                        Instance::FromExports(exports) => {
                            let idx = layout.instances.len() as u32;
                            layout.instances.push(None);
                            layout.bags.insert(
                                idx,
                                exports
                                    .iter()
                                    .filter(|e| {
                                        matches!(
                                            e.kind,
                                            ExternalKind::Func | ExternalKind::FuncExact
                                        )
                                    })
                                    .map(|e| (e.name.to_string(), e.index))
                                    .collect(),
                            );
                        }
                    }
                }
            }
            SECTION_ALIAS => {
                for a in section_reader::<ComponentAlias>(bytes, &range)? {
                    if let ComponentAlias::CoreInstanceExport {
                        kind: ExternalKind::Func | ExternalKind::FuncExact,
                        instance_index,
                        name,
                    } = a.map_err(read_err)?
                    {
                        layout.funcs.push(CoreFunc::Alias {
                            instance: instance_index,
                            name: name.to_string(),
                        });
                    }
                }
            }
            SECTION_CANON => {
                for c in section_reader::<CanonicalFunction>(bytes, &range)? {
                    if !matches!(c.map_err(read_err)?, CanonicalFunction::Lift { .. }) {
                        layout.funcs.push(CoreFunc::Other);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(layout)
}

/// Function and table exports/imports of one core module.
struct ModuleShape {
    func_exports: Vec<String>,
    table_exports: Vec<String>,
    imports: Vec<(String, String)>,
    memory_exports: Vec<String>,
}

fn shape(module: &[u8]) -> Result<ModuleShape, ComponentizeError> {
    let mut s = ModuleShape {
        func_exports: Vec::new(),
        table_exports: Vec::new(),
        imports: Vec::new(),
        memory_exports: Vec::new(),
    };
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(read_err)? {
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.map_err(read_err)?;
                    s.imports
                        .push((imp.module.to_string(), imp.name.to_string()));
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(read_err)?;
                    match e.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => {
                            s.func_exports.push(e.name.to_string())
                        }
                        ExternalKind::Table => s.table_exports.push(e.name.to_string()),
                        ExternalKind::Memory => s.memory_exports.push(e.name.to_string()),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(s)
}

/// The shim: `n` trampolines `k` of type `sigs[k]` calling table slot `k`.
fn shim_module(sigs: &[CoreSig]) -> Vec<u8> {
    let mut types = TypeSection::new();
    let mut funcs = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    let mut tables = wasm_encoder::TableSection::new();
    let n = sigs.len() as u64;
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        minimum: n,
        maximum: Some(n),
        table64: false,
        shared: false,
    });
    for (k, sig) in sigs.iter().enumerate() {
        types.ty().function(
            sig.params.iter().map(|t| val(*t)),
            sig.results.iter().map(|t| val(*t)),
        );
        funcs.function(k as u32);
        let mut f = Function::new([]);
        for p in 0..sig.params.len() as u32 {
            f.instruction(&I::LocalGet(p));
        }
        f.instruction(&I::I32Const(k as i32))
            .instruction(&I::CallIndirect {
                type_index: k as u32,
                table_index: 0,
            })
            .instruction(&I::End);
        code.function(&f);
        exports.export(&k.to_string(), ExportKind::Func, k as u32);
    }
    exports.export(SHIM_TABLE, ExportKind::Table, 0);
    let mut m = Module::new();
    m.section(&types)
        .section(&funcs)
        .section(&tables)
        .section(&exports)
        .section(&code);
    m.finish()
}

/// The fixup: imports the `n` lowered functions and the shim's table and
/// puts function `k` in slot `k`.
fn fixup_module(sigs: &[CoreSig]) -> Vec<u8> {
    let mut types = TypeSection::new();
    let mut imports = ImportSection::new();
    let n = sigs.len() as u64;
    for (k, sig) in sigs.iter().enumerate() {
        types.ty().function(
            sig.params.iter().map(|t| val(*t)),
            sig.results.iter().map(|t| val(*t)),
        );
        imports.import(FIXUP_FUNCS, &k.to_string(), EntityType::Function(k as u32));
    }
    imports.import(
        FIXUP_TABLE,
        SHIM_TABLE,
        EntityType::Table(TableType {
            element_type: RefType::FUNCREF,
            minimum: n,
            maximum: Some(n),
            table64: false,
            shared: false,
        }),
    );
    let mut elems = ElementSection::new();
    let indices: Vec<u32> = (0..sigs.len() as u32).collect();
    elems.active(
        Some(0),
        &ConstExpr::i32_const(0),
        Elements::Functions(indices.into()),
    );
    let mut m = Module::new();
    m.section(&types).section(&imports).section(&elems);
    m.finish()
}

/// Turns the stand-in's component into the wasm64 one: the main module is
/// `module` (renamed), shim and fixup get the wasm64 signatures, adapters
/// are replaced by `adapters64` (by import module name).
pub(crate) fn rewrite(
    component32: &[u8],
    module: &[u8],
    staged: &HashSet<(String, String)>,
    l32: &Lowering,
    l64: &Lowering,
    adapters64: &HashMap<String, Vec<u8>>,
    lift_shim: Option<&LiftShim>,
) -> Result<Vec<u8>, ComponentizeError> {
    let layout = scan_component(component32)?;
    let shapes: Vec<ModuleShape> = layout
        .modules
        .iter()
        .map(|r| shape(&component32[r.clone()]))
        .collect::<Result<_, _>>()?;
    let shim = shapes
        .iter()
        .position(|s| s.table_exports.iter().any(|t| t == SHIM_TABLE));
    let fixup = shapes.iter().position(|s| {
        s.imports
            .iter()
            .any(|(m, f)| m == FIXUP_TABLE && f == SHIM_TABLE)
    });
    let main_memory = Arch::Wasm32.memory_export();
    let main = shapes
        .iter()
        .position(|s| s.memory_exports.contains(&main_memory))
        .ok_or_else(|| encode_err("wasm64", "no main module in the stand-in's component"))?;

    // Which import each shim slot serves: shim export "k" is aliased as a
    // core function, which a from-exports instance exports as `field`, which
    // is passed to a module instantiation as `module`.
    let mut shim_sigs = Vec::new();
    // Shim slots an adapter consumes, with the adapter's instance.
    let mut staged_slots: HashMap<usize, u32> = HashMap::new();
    if let Some(shim) = shim {
        let shim_instance = layout
            .instances
            .iter()
            .position(|i| matches!(i, Some((m, _)) if *m as usize == shim))
            .ok_or_else(|| encode_err("wasm64", "the shim is never instantiated"))?
            as u32;
        for k in 0..shapes[shim].func_exports.len() {
            let key = k.to_string();
            let func = layout
                .funcs
                .iter()
                .position(|f| matches!(f, CoreFunc::Alias { instance, name } if *instance == shim_instance && *name == key))
                .ok_or_else(|| encode_err("wasm64", format!("shim slot {k} is unused")))?
                as u32;
            let (bag, field) = layout
                .bags
                .iter()
                .find_map(|(bag, exports)| {
                    exports
                        .iter()
                        .find(|(_, f)| *f == func)
                        .map(|(name, _)| (*bag, name.clone()))
                })
                .ok_or_else(|| encode_err("wasm64", format!("shim slot {k} is never imported")))?;
            let (consumer_instance, consumer, module_name) = layout
                .instances
                .iter()
                .enumerate()
                .filter_map(|(n, i)| i.as_ref().map(|i| (n, i)))
                .find_map(|(n, (m, args))| {
                    args.iter()
                        .find(|(_, inst)| *inst == bag)
                        .map(|(name, _)| (n as u32, *m as usize, name.clone()))
                })
                .ok_or_else(|| encode_err("wasm64", format!("shim slot {k} is never imported")))?;
            if consumer != main {
                // An adapter's standard import: lowered with its 32-bit
                // staging memory (adapter64.rs).
                staged_slots.insert(k, consumer_instance);
                let buffer_module = format!("wasit2-{module_name}");
                let sig = crate::adapter64::std_sig32(l32, &module_name, &buffer_module, &field)
                    .ok_or_else(|| ComponentizeError::UnknownImport {
                        module: module_name.clone(),
                        field: field.clone(),
                        world: l32.world_name.clone(),
                    })?;
                shim_sigs.push(sig);
                continue;
            }
            let module64 = to64(&module_name);
            let sig = l64
                .import(&module64, &field)
                .map(|i| i.sig.clone())
                .or_else(|| {
                    // A plain import the adapter stages (adapter64.rs).
                    let plain = module64.strip_prefix("wasit2-")?;
                    l64.import(plain, &field).map(|i| i.sig.clone())
                })
                .ok_or_else(|| ComponentizeError::UnknownImport {
                    module: module64.clone(),
                    field: field.clone(),
                    world: l64.world_name.clone(),
                })?;
            shim_sigs.push(sig);
        }
    }

    let main_bytes = renamed(module, staged)?;
    let shim_bytes = shim_module(&shim_sigs);
    let fixup_bytes = fixup_module(&shim_sigs);
    // Each adapter's standard imports are lowered with its own staging
    // memory: it is aliased right after the adapter is instantiated and
    // used by the `canon lower`s that fill the adapter's shim slots.
    let fixup_bag = fixup
        .and_then(|fixup| {
            layout.instances.iter().flatten().find_map(|(m, args)| {
                (*m as usize == fixup)
                    .then(|| args.iter().find(|(n, _)| n == FIXUP_FUNCS).map(|(_, b)| *b))
                    .flatten()
            })
        })
        .and_then(|bag| layout.bags.get(&bag));
    let mut staged_funcs: HashMap<u32, u32> = HashMap::new();
    for (k, instance) in &staged_slots {
        let f = fixup_bag
            .and_then(|b| b.iter().find(|(n, _)| *n == k.to_string()))
            .ok_or_else(|| encode_err("wasm64", format!("shim slot {k} is never filled")))?
            .1;
        staged_funcs.insert(f, *instance);
    }
    let adapter_instances: Vec<u32> = staged_slots.values().copied().collect();
    let mut staging_memory: HashMap<u32, u32> = HashMap::new();
    let mut n_memories = 0u32;
    let mut n_instances = 0u32;
    let mut n_funcs = 0u32;

    // The lift shim is instantiated after every other core instance (and
    // module), so no index defined before it moves.
    let all_sections = sections(component32)?;
    let last_instance_section = all_sections
        .iter()
        .rposition(|(id, _)| *id == SECTION_CORE_INSTANCE);
    if lift_shim.is_some()
        && last_instance_section.is_some_and(|last| {
            all_sections[last..]
                .iter()
                .any(|(id, _)| *id == CORE_MODULE_SECTION)
        })
    {
        return Err(encode_err(
            "wasm64",
            "a core module follows the last core instance",
        ));
    }
    let main_instance = layout
        .instances
        .iter()
        .position(|i| matches!(i, Some((m, _)) if *m as usize == main))
        .ok_or_else(|| encode_err("wasm64", "the main module is never instantiated"))?
        as u32;
    // (shim instance, staging memory) once the shim is instantiated.
    let mut shim_at: Option<(u32, u32)> = None;
    // Core functions aliased from the shim's wrappers: their lifts use its
    // staging memory.
    let mut wrapper_funcs: HashSet<u32> = HashSet::new();
    let n_modules = layout.modules.len() as u32;

    let mut out = wasm_encoder::Component::new();
    let mut module_index = 0usize;
    for (section_no, (id, range)) in all_sections.into_iter().enumerate() {
        if id == SECTION_CORE_INSTANCE {
            out.section(&RawSection {
                id,
                data: &component32[range.clone()],
            });
            for _ in section_reader::<Instance>(component32, &range)? {
                if adapter_instances.contains(&n_instances) {
                    let mut s = wasm_encoder::ComponentAliasSection::new();
                    s.alias(wasm_encoder::Alias::CoreInstanceExport {
                        instance: n_instances,
                        kind: ExportKind::Memory,
                        name: crate::adapter64::STAGING_MEMORY,
                    });
                    out.section(&s);
                    staging_memory.insert(n_instances, n_memories);
                    n_memories += 1;
                }
                n_instances += 1;
            }
            if let (Some(shim), true) = (lift_shim, Some(section_no) == last_instance_section) {
                out.section(&RawSection {
                    id: CORE_MODULE_SECTION,
                    data: &shim.module,
                });
                let mut s = wasm_encoder::InstanceSection::new();
                s.instantiate(
                    n_modules,
                    [(
                        crate::lift64::MAIN_INSTANCE,
                        wasm_encoder::ModuleArg::Instance(main_instance),
                    )],
                );
                out.section(&s);
                let mut s = wasm_encoder::ComponentAliasSection::new();
                s.alias(wasm_encoder::Alias::CoreInstanceExport {
                    instance: n_instances,
                    kind: ExportKind::Memory,
                    name: crate::lift64::STAGING_MEMORY,
                });
                out.section(&s);
                shim_at = Some((n_instances, n_memories));
                n_instances += 1;
                n_memories += 1;
            }
            continue;
        }
        if id == SECTION_ALIAS {
            let aliases: Vec<ComponentAlias> =
                section_reader::<ComponentAlias>(component32, &range)?
                    .into_iter()
                    .collect::<Result<_, _>>()
                    .map_err(read_err)?;
            // Aliases of the main instance's exports the lift shim wraps are
            // taken from the shim instead.
            let redirected = |a: &ComponentAlias| match (a, lift_shim) {
                (
                    ComponentAlias::CoreInstanceExport {
                        instance_index,
                        name,
                        kind: ExternalKind::Func | ExternalKind::FuncExact,
                    },
                    Some(shim),
                ) => *instance_index == main_instance && shim.exports.contains(*name),
                _ => false,
            };
            if aliases.iter().any(redirected) {
                let Some((shim_instance, _)) = shim_at else {
                    return Err(encode_err(
                        "wasm64",
                        "a lifted export is aliased before the last core instance",
                    ));
                };
                let mut s = wasm_encoder::ComponentAliasSection::new();
                let mut func = n_funcs;
                for a in &aliases {
                    let ComponentAlias::CoreInstanceExport {
                        kind,
                        instance_index,
                        name,
                    } = a
                    else {
                        return Err(encode_err(
                            "wasm64",
                            "unexpected alias next to a lifted export",
                        ));
                    };
                    let instance = match redirected(a) {
                        true => {
                            if lift_shim.is_some_and(|l| l.wrappers.contains(*name)) {
                                wrapper_funcs.insert(func);
                            }
                            shim_instance
                        }
                        false => *instance_index,
                    };
                    if matches!(kind, ExternalKind::Func | ExternalKind::FuncExact) {
                        func += 1;
                    } else if *kind == ExternalKind::Memory {
                        return Err(encode_err(
                            "wasm64",
                            "a core memory alias follows the lift shim",
                        ));
                    }
                    s.alias(wasm_encoder::Alias::CoreInstanceExport {
                        instance,
                        kind: export_kind(*kind),
                        name,
                    });
                }
                n_funcs = func;
                out.section(&s);
                continue;
            }
            for a in aliases {
                match a {
                    ComponentAlias::CoreInstanceExport {
                        kind: ExternalKind::Memory,
                        ..
                    } => {
                        if !staging_memory.is_empty() || shim_at.is_some() {
                            return Err(encode_err(
                                "wasm64",
                                "a core memory alias follows an adapter's",
                            ));
                        }
                        n_memories += 1;
                    }
                    ComponentAlias::CoreInstanceExport {
                        kind: ExternalKind::Func | ExternalKind::FuncExact,
                        ..
                    } => n_funcs += 1,
                    _ => {}
                }
            }
        }
        if id == SECTION_CANON {
            let entries: Vec<CanonicalFunction> =
                section_reader::<CanonicalFunction>(component32, &range)?
                    .into_iter()
                    .collect::<Result<_, _>>()
                    .map_err(read_err)?;
            // The core function index each entry defines (None for lifts).
            let mut indices = Vec::new();
            for e in &entries {
                if matches!(e, CanonicalFunction::Lift { .. }) {
                    indices.push(None);
                } else {
                    indices.push(Some(n_funcs));
                    n_funcs += 1;
                }
            }
            let staged = |i: Option<u32>| i.and_then(|f| staged_funcs.get(&f).copied());
            let shimmed_lift = |e: &CanonicalFunction| matches!(e, CanonicalFunction::Lift { core_func_index, .. } if wrapper_funcs.contains(core_func_index));
            if indices.iter().any(|i| staged(*i).is_some()) || entries.iter().any(shimmed_lift) {
                let mut s = wasm_encoder::CanonicalFunctionSection::new();
                for (e, index) in entries.iter().zip(&indices) {
                    match e {
                        CanonicalFunction::Lower {
                            func_index,
                            options,
                        } => {
                            let memory = match staged(*index) {
                                Some(instance) => {
                                    Some(*staging_memory.get(&instance).ok_or_else(|| {
                                        encode_err(
                                            "wasm64",
                                            "an adapter's import is lowered before it exists",
                                        )
                                    })?)
                                }
                                None => None,
                            };
                            s.lower(*func_index, canon_options(options, memory)?);
                        }
                        CanonicalFunction::Lift {
                            core_func_index,
                            type_index,
                            options,
                        } => {
                            let memory = match shimmed_lift(e) {
                                true => shim_at.map(|(_, memory)| memory),
                                false => None,
                            };
                            s.lift(
                                *core_func_index,
                                *type_index,
                                canon_options(options, memory)?,
                            );
                        }
                        CanonicalFunction::ResourceNew { resource } => {
                            s.resource_new(*resource);
                        }
                        CanonicalFunction::ResourceDrop { resource } => {
                            s.resource_drop(*resource);
                        }
                        CanonicalFunction::ResourceRep { resource } => {
                            s.resource_rep(*resource);
                        }
                        other => {
                            return Err(encode_err(
                                "wasm64",
                                format!("unexpected canonical function {other:?}"),
                            ))
                        }
                    }
                }
                out.section(&s);
                continue;
            }
        }
        let data: &[u8] = if id != CORE_MODULE_SECTION {
            &component32[range]
        } else {
            let idx = module_index;
            module_index += 1;
            if idx == main {
                &main_bytes
            } else if Some(idx) == shim {
                &shim_bytes
            } else if Some(idx) == fixup {
                &fixup_bytes
            } else if calls_initializer(&shapes[idx]) {
                // wit-component's module that runs the reactor's
                // initializer: `() -> ()` at either width.
                &component32[range]
            } else {
                let name = adapter_name(&shapes[idx])
                    .ok_or_else(|| encode_err("wasm64", format!("core module {idx} is unknown")))?;
                adapters64
                    .get(&to64(&name))
                    .map(|v| v.as_slice())
                    .ok_or_else(|| {
                        encode_err("wasm64", format!("no wasm64 adapter for `{name}`"))
                    })?
            }
        };
        out.section(&RawSection { id, data });
    }
    Ok(out.finish())
}

/// The lift shim (lift64.rs) and what the component takes from it.
pub(crate) struct LiftShim {
    pub module: Vec<u8>,
    /// Its function exports: the wrappers, their `_post`s and the realloc.
    pub exports: HashSet<String>,
    /// The wrappers, whose lifts use the shim's staging memory.
    pub wrappers: HashSet<String>,
}

fn export_kind(kind: ExternalKind) -> ExportKind {
    match kind {
        ExternalKind::Func | ExternalKind::FuncExact => ExportKind::Func,
        ExternalKind::Table => ExportKind::Table,
        ExternalKind::Memory => ExportKind::Memory,
        ExternalKind::Global => ExportKind::Global,
        ExternalKind::Tag => ExportKind::Tag,
    }
}

/// `options` in wasm-encoder's terms, with the memory replaced by `memory`.
fn canon_options(
    options: &[wasmparser::CanonicalOption],
    memory: Option<u32>,
) -> Result<Vec<wasm_encoder::CanonicalOption>, ComponentizeError> {
    use wasm_encoder::CanonicalOption as E;
    use wasmparser::CanonicalOption as P;
    options
        .iter()
        .map(|o| {
            Ok(match o {
                P::UTF8 => E::UTF8,
                P::UTF16 => E::UTF16,
                P::CompactUTF16 => E::CompactUTF16,
                P::Memory(m) => E::Memory(memory.unwrap_or(*m)),
                P::Realloc(r) => E::Realloc(*r),
                P::PostReturn(p) => E::PostReturn(*p),
                other => {
                    return Err(encode_err(
                        "wasm64",
                        format!("unexpected canonical option {other:?}"),
                    ))
                }
            })
        })
        .collect()
}

/// Whether `shape` is wit-component's module that only calls the main
/// module's initializer.
fn calls_initializer(shape: &ModuleShape) -> bool {
    let init = Arch::Wasm32.initialize_export();
    !shape.imports.is_empty()
        && shape
            .imports
            .iter()
            .all(|(_, f)| *f == init || f == "_initialize")
}

/// The buffer import module an adapter module serves: `wasit2-` and the
/// module of its standard imports.
fn adapter_name(shape: &ModuleShape) -> Option<String> {
    shape
        .imports
        .iter()
        .find(|(m, _)| m != "env")
        .map(|(m, _)| format!("wasit2-{m}"))
}

/// Validates a wasm64 component with the component model's 64-bit memory
/// feature (🐘 `cm64`) and memory64.
pub fn validate(component: &[u8]) -> Result<(), ComponentizeError> {
    let features = wasmparser::WasmFeatures::default()
        | wasmparser::WasmFeatures::CM64
        | wasmparser::WasmFeatures::MEMORY64;
    wasmparser::Validator::new_with_features(features)
        .validate_all(component)
        .map(|_| ())
        .map_err(|e| ComponentizeError::Encode(format!("the wasm64 component is invalid: {e}")))
}

/// Componentizes a wasm64 module (see the module comment).
pub(crate) fn componentize(
    module: &[u8],
    info: &crate::ModuleInfo,
    opts: &crate::Options,
) -> Result<Vec<u8>, ComponentizeError> {
    let (target, l64) = crate::target_lowering(module, info, opts, Arch::Wasm64)?;
    let (wit, world) = (&target.wit, target.world);
    let l32 = Lowering::new(wit, world, Arch::Wasm32)?;
    // Exports with lists, strings or a return area are lifted through the
    // lift shim's 32-bit staging memory (lift64.rs).
    let lifted = crate::lift64::lifted(&l64, &info.exports);
    let lift_shim = match lifted.is_empty() {
        true => None,
        false => {
            let module = crate::lift64::build(&l32, &l64, &lifted)?;
            let wrappers: HashSet<String> = lifted.iter().map(|l| l.name32.clone()).collect();
            let mut exports = wrappers.clone();
            exports.extend(
                lifted
                    .iter()
                    .filter(|l| l.post)
                    .map(|l| format!("{}_post", l.name32)),
            );
            exports.insert(crate::lift64::REALLOC.to_string());
            Some(LiftShim {
                module,
                exports,
                wrappers,
            })
        }
    };
    let target = opts.wasi_version.clone().unwrap_or(crate::OLDEST_WASI);
    let module = match crate::serve_exit_with_code_for(module, &l64, &target)? {
        Some(served) => served,
        None => module.to_vec(),
    };

    // The adapted imports, by adapter (`wasit2-cm64p2|<iface>`): the buffer
    // imports, and the plain imports with list parameters, which wasmtime 49
    // reads at 32-bit-truncated addresses (adapter64.rs stages them).
    let buffer64 = format!("{}|", Arch::Wasm64.buffer_prefix());
    let plain64 = format!("{}|", Arch::Wasm64.prefix());
    let mut by_module: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut staged: HashSet<(String, String)> = HashSet::new();
    for payload in Parser::new(0).parse_all(&module) {
        if let Payload::ImportSection(r) = payload.map_err(read_err)? {
            for imp in r.into_imports() {
                let imp = imp.map_err(read_err)?;
                let adapter = if imp.module.starts_with(&buffer64) {
                    imp.module.to_string()
                } else if imp.module.starts_with(&plain64)
                    && l64
                        .import(imp.module, imp.name)
                        .is_some_and(|i| crate::adapter64::stages(&l64, i))
                {
                    staged.insert((imp.module.to_string(), imp.name.to_string()));
                    format!("wasit2-{}", imp.module)
                } else {
                    continue;
                };
                let fields = by_module.entry(adapter).or_default();
                if !fields.iter().any(|f| f == imp.name) {
                    fields.push(imp.name.to_string());
                }
            }
        }
    }

    let mut standin = stand_in(&module, &l32, &staged)?;
    // The lifts' realloc, which the lift shim provides in the component.
    if let Some(served) = crate::params_alloc::serve_realloc(&standin)? {
        standin = served;
    }
    wit_component::embed_component_metadata(
        &mut standin,
        &wit.resolve,
        world,
        wit_component::StringEncoding::UTF8,
        false,
    )
    .map_err(crate::encode_err)?;

    let mut encoder = wit_component::ComponentEncoder::default();
    encoder.validate(!opts.skip_validation);
    encoder.module(&standin).map_err(crate::encode_err)?;
    let mut adapters64 = HashMap::new();
    if !by_module.is_empty() {
        let adapter_world = crate::imports_only_world(wit, world)?;
        for (name64, fields) in &by_module {
            let name32 = to32(name64);
            let std64 = name64.strip_prefix("wasit2-").unwrap_or(name64);
            let std32 = name32.strip_prefix("wasit2-").unwrap_or(&name32);
            let imports64: Vec<&wasit2_abi::Import> = fields
                .iter()
                .map(|f| {
                    l64.import(name64, f)
                        .filter(|i| !i.is_plain())
                        .or_else(|| l64.import(std64, f).filter(|i| i.is_plain()))
                        .ok_or_else(|| ComponentizeError::UnknownImport {
                            module: name64.clone(),
                            field: f.clone(),
                            world: l64.world_name.clone(),
                        })
                })
                .collect::<Result<_, _>>()?;
            let mut adapter32 = crate::adapter64::stub32(&l32, std32, fields)?;
            wit_component::embed_component_metadata(
                &mut adapter32,
                &adapter_world.0,
                adapter_world.1,
                wit_component::StringEncoding::UTF8,
                false,
            )
            .map_err(crate::encode_err)?;
            encoder
                .adapter(&name32, &adapter32)
                .map_err(crate::encode_err)?;
            let adapter64 = crate::adapter64::build(&l32, &l64, name64, std32, &imports64)?;
            adapters64.insert(name64.clone(), adapter64);
        }
    }
    let component32 = encoder.encode().map_err(crate::encode_err)?;
    let component = rewrite(
        &component32,
        &module,
        &staged,
        &l32,
        &l64,
        &adapters64,
        lift_shim.as_ref(),
    )?;
    if !opts.skip_validation {
        validate(&component)?;
    }
    Ok(component)
}
