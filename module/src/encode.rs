//! Re-encoding helpers: copying sections byte for byte, stripping custom
//! sections, remapping function indices (name section included) and
//! redirecting imports to functions of the module itself, appending a
//! function.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{
    CustomSection, ExportSection, ImportSection, IndirectNameMap, Module, NameMap, NameSection,
    RawSection,
};
use wasmparser::{
    CustomSectionReader, ExternalKind, FuncType, FunctionBody, Parser, Payload, TypeRef,
};

use crate::ModuleError;

/// Copies one section of `bytes` into `out` unchanged; a custom section
/// only when `keep_custom` accepts its name.
pub fn copy_section(
    out: &mut Module,
    payload: &Payload,
    bytes: &[u8],
    keep_custom: impl Fn(&str) -> bool,
) {
    match payload {
        Payload::CustomSection(c) => {
            if keep_custom(c.name()) {
                out.section(&CustomSection {
                    name: Cow::Borrowed(c.name()),
                    data: Cow::Borrowed(c.data()),
                });
            }
        }
        other => {
            if let Some((id, range)) = other.as_section() {
                out.section(&RawSection {
                    id,
                    data: &bytes[range.start as usize..range.end as usize],
                });
            }
        }
    }
}

/// `bytes` re-encoded with each export renamed to `rename(name)` unless
/// another export already has that name, and only the custom sections
/// `keep_custom` accepts. Returned unfinished, for sections to be added.
pub fn rename_exports(
    bytes: &[u8],
    rename: impl Fn(&str) -> Option<String>,
    keep_custom: impl Fn(&str) -> bool,
) -> Result<Module, ModuleError> {
    let mut out = Module::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        let Payload::ExportSection(reader) = &payload else {
            copy_section(&mut out, &payload, bytes, &keep_custom);
            continue;
        };
        let exports: Vec<_> = reader.clone().into_iter().collect::<Result<_, _>>()?;
        let taken = |n: &str| exports.iter().any(|e| e.name == n);
        let mut section = ExportSection::new();
        for e in &exports {
            let new = rename(e.name).filter(|to| !taken(to));
            let kind = match e.kind {
                ExternalKind::Func | ExternalKind::FuncExact => wasm_encoder::ExportKind::Func,
                ExternalKind::Table => wasm_encoder::ExportKind::Table,
                ExternalKind::Memory => wasm_encoder::ExportKind::Memory,
                ExternalKind::Global => wasm_encoder::ExportKind::Global,
                ExternalKind::Tag => wasm_encoder::ExportKind::Tag,
            };
            section.export(new.as_deref().unwrap_or(e.name), kind, e.index);
        }
        out.section(&section);
    }
    Ok(out)
}

/// `bytes` with each import `module`/`field` renamed to what
/// `rename(module, field)` gives (kept where it gives `None`); every other
/// section is copied byte for byte.
pub fn rename_imports(
    bytes: &[u8],
    rename: impl Fn(&str, &str) -> Option<(String, String)>,
) -> Result<Vec<u8>, ModuleError> {
    let mut out = Module::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        let Payload::ImportSection(reader) = &payload else {
            copy_section(&mut out, &payload, bytes, |_| true);
            continue;
        };
        let mut section = ImportSection::new();
        for import in reader.clone().into_imports() {
            let import = import?;
            let ty = reencode::RoundtripReencoder
                .entity_type(import.ty)
                .map_err(|e| ModuleError::Invalid(e.to_string()))?;
            match rename(import.module, import.name) {
                Some((module, field)) => section.import(&module, &field, ty),
                None => section.import(import.module, import.name, ty),
            };
        }
        out.section(&section);
    }
    Ok(out.finish())
}

/// `bytes` with only the custom sections `keep` accepts.
pub fn strip_custom(bytes: &[u8], keep: impl Fn(&str) -> bool) -> Result<Vec<u8>, ModuleError> {
    let mut out = Module::new();
    for payload in Parser::new(0).parse_all(bytes) {
        copy_section(&mut out, &payload?, bytes, &keep);
    }
    Ok(out.finish())
}

/// A function index remapping applied to everything re-encoded, the name
/// section included: names of `removed` functions are dropped, `extra`
/// names (already in new indices) are added and win over moved ones.
#[derive(Default)]
pub struct FuncRemap {
    /// Old function index -> new function index.
    pub funcs: Vec<u32>,
    /// Old indices whose names are dropped (their function is gone).
    pub removed: HashSet<u32>,
    /// (new index, name) of functions added by the rewrite.
    pub extra: Vec<(u32, String)>,
}

impl Reencode for FuncRemap {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, reencode::Error<Self::Error>> {
        Ok(self.funcs[func as usize])
    }

    fn parse_custom_name_subsection(
        &mut self,
        names: &mut NameSection,
        section: wasmparser::Name<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        match section {
            wasmparser::Name::Function(map) => {
                // Added names first: the first name of an index wins, and
                // the name sections must stay in increasing index order.
                let mut all = self.extra.clone();
                for n in map {
                    let n = n?;
                    if !self.removed.contains(&n.index) {
                        all.push((self.funcs[n.index as usize], n.name.to_string()));
                    }
                }
                all.sort_by_key(|(i, _)| *i);
                all.dedup_by_key(|(i, _)| *i);
                let mut m = NameMap::new();
                for (i, n) in &all {
                    m.append(*i, n);
                }
                names.functions(&m);
                Ok(())
            }
            wasmparser::Name::Local(map) => {
                let mut all: Vec<(u32, NameMap)> = Vec::new();
                for f in map {
                    let f = f?;
                    if self.removed.contains(&f.index) {
                        continue;
                    }
                    let mut locals = NameMap::new();
                    for n in f.names {
                        let n = n?;
                        locals.append(n.index, n.name);
                    }
                    all.push((self.funcs[f.index as usize], locals));
                }
                all.sort_by_key(|(i, _)| *i);
                all.dedup_by_key(|(i, _)| *i);
                let mut m = IndirectNameMap::new();
                for (i, locals) in &all {
                    m.append(*i, locals);
                }
                names.locals(&m);
                Ok(())
            }
            other => reencode::utils::parse_custom_name_subsection(self, names, other),
        }
    }
}

/// The custom section `custom` re-encoded through `remap` if it is a name
/// section; `None` for any other custom section.
pub fn remap_name_section(
    custom: &wasmparser::CustomSectionReader<'_>,
    remap: &mut FuncRemap,
) -> Result<Option<NameSection>, ModuleError> {
    let wasmparser::KnownCustom::Name(reader) = custom.as_known() else {
        return Ok(None);
    };
    let mut names = NameSection::new();
    for sub in reader {
        let sub = sub?;
        remap
            .parse_custom_name_subsection(&mut names, sub)
            .map_err(|e| ModuleError::Invalid(e.to_string()))?;
    }
    Ok(Some(names))
}

/// Why [`redirect_imports`] could not serve an import.
#[derive(Debug, thiserror::Error)]
pub enum RedirectError {
    #[error(transparent)]
    Module(#[from] ModuleError),
    #[error("import `{module}` `{field}`: {reason}")]
    Unserved {
        module: String,
        field: String,
        reason: String,
    },
    #[error("import `{module}` `{field}` has signature {import_sig}, but its provider `{provider}` has {provider_sig}")]
    Signature {
        module: String,
        field: String,
        provider: String,
        import_sig: String,
        provider_sig: String,
    },
    #[error("re-encoding the module: {0}")]
    Encode(String),
}

struct Redirect<'a> {
    remap: FuncRemap,
    /// Old import index of every function import, by (module, field).
    import_index: HashMap<(String, String), u32>,
    /// Export names of the providers, dropped from the output.
    provider_exports: &'a HashSet<String>,
}

impl Reencode for Redirect<'_> {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, reencode::Error<Self::Error>> {
        self.remap.function_index(func)
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
                    .is_some_and(|index| self.remap.removed.contains(index));
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
        // A removed import's name would name its provider a second time.
        self.remap.parse_custom_name_subsection(names, section)
    }
}

/// Replaces each function import for which `provider(module, field)` names
/// an exported function of the module by that function, and removes the
/// import and those exports. Imports it gives `None` for stay. A named
/// provider that was not linked in, or whose type differs from the
/// import's, is an error.
pub fn redirect_imports(
    module: &[u8],
    provider: impl Fn(&str, &str) -> Option<String>,
) -> Result<Vec<u8>, RedirectError> {
    let mut types: Vec<FuncType> = Vec::new();
    let mut imports: Vec<(String, String, u32)> = Vec::new();
    let mut defined: Vec<u32> = Vec::new();
    let mut exports: HashMap<String, u32> = HashMap::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(ModuleError::from)? {
            Payload::Version {
                encoding: wasmparser::Encoding::Component,
                ..
            } => return Err(ModuleError::Component.into()),
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    types.push(t.map_err(ModuleError::from)?);
                }
            }
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    let i = i.map_err(ModuleError::from)?;
                    if let TypeRef::Func(t) | TypeRef::FuncExact(t) = i.ty {
                        imports.push((i.module.to_string(), i.name.to_string(), t));
                    } else if provider(i.module, i.name).is_some() {
                        return Err(RedirectError::Unserved {
                            module: i.module.into(),
                            field: i.name.into(),
                            reason: "not a function".into(),
                        });
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for f in r {
                    defined.push(f.map_err(ModuleError::from)?);
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(ModuleError::from)?;
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
    let mut remap = FuncRemap::default();
    let mut provider_exports = HashSet::new();
    // Indices of defined functions shift down by the number of removed imports.
    let shift = |old: u32| old - n_old_imports + n_kept;
    for ((module_name, field, ty), symbol) in imports.iter().zip(providers) {
        let Some(symbol) = symbol else {
            // Kept imports keep their order, after the removed ones are gone.
            let kept = (remap.funcs.len() - remap.removed.len()) as u32;
            remap.funcs.push(kept);
            continue;
        };
        let Some(&provider) = exports.get(&symbol).filter(|&&i| i >= n_old_imports) else {
            return Err(RedirectError::Unserved {
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
            return Err(RedirectError::Signature {
                module: module_name.clone(),
                field: field.clone(),
                provider: symbol,
                import_sig: expected.to_string(),
                provider_sig: found.to_string(),
            });
        }
        remap.removed.insert(remap.funcs.len() as u32);
        remap.funcs.push(shift(provider));
        provider_exports.insert(symbol);
    }
    remap
        .funcs
        .extend((0..defined.len() as u32).map(|j| n_kept + j));
    let import_index = imports
        .iter()
        .enumerate()
        .map(|(n, (m, f, _))| ((m.clone(), f.clone()), n as u32))
        .collect();
    let mut out = Module::new();
    Redirect {
        remap,
        import_index,
        provider_exports: &provider_exports,
    }
    .parse_core_module(&mut out, Parser::new(0), module)
    .map_err(|e| RedirectError::Encode(e.to_string()))?;
    let bytes = out.finish();
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&bytes)
        .map_err(|e| RedirectError::Encode(format!("redirected module does not validate: {e}")))?;
    Ok(bytes)
}
/// A core module's sections as wasmparser readers, for a rewrite that
/// re-encodes them: function types, function imports (others kept whole),
/// and every section by reader or byte range.
#[derive(Default)]
pub struct Sections<'a> {
    pub types: Vec<FuncType>,
    pub type_section: Option<wasmparser::TypeSectionReader<'a>>,
    /// (module, field, type index) of each function import, in order.
    pub func_imports: Vec<(&'a str, &'a str, u32)>,
    /// Memory, table, global and tag imports.
    pub other_imports: Vec<wasmparser::Import<'a>>,
    pub functions: Vec<u32>,
    pub tables: Option<wasmparser::TableSectionReader<'a>>,
    pub memories: Vec<wasmparser::MemoryType>,
    pub memory_range: Option<std::ops::Range<usize>>,
    pub tag_range: Option<std::ops::Range<usize>>,
    pub globals: Option<wasmparser::GlobalSectionReader<'a>>,
    pub n_globals: u32,
    pub exports: Vec<wasmparser::Export<'a>>,
    pub start: Option<u32>,
    pub elements: Option<wasmparser::ElementSectionReader<'a>>,
    pub data_count: Option<u32>,
    pub bodies: Vec<FunctionBody<'a>>,
    pub data_range: Option<std::ops::Range<usize>>,
    pub customs: Vec<CustomSectionReader<'a>>,
}

impl<'a> Sections<'a> {
    /// Reads `module` (not validated; a rewrite validates its output).
    pub fn read(module: &'a [u8]) -> Result<Sections<'a>, ModuleError> {
        let mut input = Sections::default();
        for payload in Parser::new(0).parse_all(module) {
            match payload? {
                Payload::Version {
                    encoding: wasmparser::Encoding::Component,
                    ..
                } => return Err(ModuleError::Component),
                Payload::Version { .. } | Payload::End(_) | Payload::CodeSectionStart { .. } => {}
                Payload::TypeSection(r) => {
                    input.type_section = Some(r.clone());
                    for ty in r.into_iter_err_on_gc_types() {
                        input.types.push(ty?);
                    }
                }
                Payload::ImportSection(r) => {
                    for import in r.into_imports() {
                        let import = import?;
                        match import.ty {
                            TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                                input.func_imports.push((import.module, import.name, t))
                            }
                            _ => input.other_imports.push(import),
                        }
                    }
                }
                Payload::FunctionSection(r) => {
                    for f in r {
                        input.functions.push(f?);
                    }
                }
                Payload::TableSection(r) => input.tables = Some(r),
                Payload::MemorySection(r) => {
                    input.memory_range = Some(usize_range(r.range()));
                    for m in r {
                        input.memories.push(m?);
                    }
                }
                Payload::TagSection(r) => input.tag_range = Some(usize_range(r.range())),
                Payload::GlobalSection(r) => {
                    input.n_globals = r.count();
                    input.globals = Some(r);
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        input.exports.push(e?);
                    }
                }
                Payload::StartSection { func, .. } => input.start = Some(func),
                Payload::ElementSection(r) => input.elements = Some(r),
                Payload::DataCountSection { count, .. } => input.data_count = Some(count),
                Payload::CodeSectionEntry(body) => input.bodies.push(body),
                Payload::DataSection(r) => input.data_range = Some(usize_range(r.range())),
                Payload::CustomSection(c) => input.customs.push(c),
                other => {
                    let what = match other.as_section() {
                        Some((id, _)) => format!("unsupported section id {id}"),
                        None => "unsupported section".to_string(),
                    };
                    return Err(ModuleError::Invalid(what));
                }
            }
        }
        Ok(input)
    }
}

fn usize_range(r: std::ops::Range<u64>) -> std::ops::Range<usize> {
    r.start as usize..r.end as usize
}

/// The type of the function [`append_function`] adds.
pub enum AppendedType {
    /// A type the module already has, by index.
    Existing(u32),
    /// A new function type, added after the module's types.
    New {
        params: Vec<wasm_encoder::ValType>,
        results: Vec<wasm_encoder::ValType>,
    },
}

/// `module` re-encoded with one more function, of type `ty` with `body`,
/// exported as `export`. It comes after every other function (and its new
/// type after every other type), so no index moves. The module must have a
/// type (for a new type), code and export section.
pub fn append_function(
    module: &[u8],
    ty: AppendedType,
    body: &wasm_encoder::Function,
    export: &str,
) -> Result<Vec<u8>, ModuleError> {
    let (mut n_types, mut n_funcs) = (0u32, 0u32);
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::TypeSection(r) => n_types = r.count(),
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    if matches!(i?.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                        n_funcs += 1;
                    }
                }
            }
            Payload::FunctionSection(r) => n_funcs += r.count(),
            _ => {}
        }
    }
    let (new_type, ty) = match ty {
        AppendedType::Existing(index) => (None, index),
        AppendedType::New { params, results } => (Some((params, results)), n_types),
    };
    let mut out = Module::new();
    Append {
        new_type,
        ty,
        body,
        export,
        index: n_funcs,
    }
    .parse_core_module(&mut out, Parser::new(0), module)
    .map_err(|e| ModuleError::Invalid(e.to_string()))?;
    Ok(out.finish())
}

type FuncTypeParts = (Vec<wasm_encoder::ValType>, Vec<wasm_encoder::ValType>);

/// Adds the function of [`append_function`] at the end of each section.
struct Append<'a> {
    new_type: Option<FuncTypeParts>,
    ty: u32,
    body: &'a wasm_encoder::Function,
    export: &'a str,
    index: u32,
}

impl Reencode for Append<'_> {
    type Error = std::convert::Infallible;

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_type_section(self, types, section)?;
        if let Some((params, results)) = &self.new_type {
            types
                .ty()
                .function(params.iter().copied(), results.iter().copied());
        }
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        functions: &mut wasm_encoder::FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_function_section(self, functions, section)?;
        functions.function(self.ty);
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_code_section(self, code, section)?;
        code.function(self.body);
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_export_section(self, exports, section)?;
        exports.export(self.export, wasm_encoder::ExportKind::Func, self.index);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_function_adds_the_last_function_and_exports_it() {
        let bytes = wat::parse_str(
            r#"(module
              (import "m" "f" (func $f (param i32)))
              (func $a (param i32) (call $f (local.get 0)))
              (func $b)
              (export "a" (func $a)))"#,
        )
        .unwrap();
        let mut body = wasm_encoder::Function::new([]);
        body.instruction(&wasm_encoder::Instruction::LocalGet(0))
            .instruction(&wasm_encoder::Instruction::Call(1))
            .instruction(&wasm_encoder::Instruction::End);
        // An existing type: `(param i32)` is type 0.
        let out = append_function(&bytes, AppendedType::Existing(0), &body, "x").unwrap();
        wasmparser::Validator::new().validate_all(&out).unwrap();
        let m = crate::Module::parse(&out).unwrap();
        let x = m.exports.iter().find(|e| e.name == "x").unwrap();
        assert_eq!(x.index, 3);
        assert_eq!(m.func_sigs[3].text, "(i32) -> ()");
        assert!(m.exports.iter().any(|e| e.name == "a" && e.index == 1));

        // A new type, added after the two the module has.
        let mut body = wasm_encoder::Function::new([]);
        body.instruction(&wasm_encoder::Instruction::LocalGet(1))
            .instruction(&wasm_encoder::Instruction::End);
        let ty = AppendedType::New {
            params: vec![wasm_encoder::ValType::I64; 2],
            results: vec![wasm_encoder::ValType::I64],
        };
        let out = append_function(&bytes, ty, &body, "y").unwrap();
        wasmparser::Validator::new().validate_all(&out).unwrap();
        let m = crate::Module::parse(&out).unwrap();
        let y = m.exports.iter().find(|e| e.name == "y").unwrap();
        assert_eq!(y.index, 3);
        assert_eq!(m.func_sigs[3].text, "(i64, i64) -> (i64)");
    }
}
