//! One model of a core wasm module, read with a single wasmparser pass.
//!
//! [`Module::parse`] gives what the linker, the checker, the bridge and
//! componentize need: imports with their core signatures, exports, memory
//! width, function names (demangled, `__original_main` shown as `main`),
//! the call graph with call paths from the entry points, the `wasit2-abi`
//! section and the custom section names. [`features`] finds the wasm
//! proposals a module uses, [`exceptions`] where it throws and catches and
//! in which encoding; [`encode`] holds the re-encoding helpers
//! (function index remapping with the name section, import redirection,
//! section copy and strip).

pub mod encode;
pub mod exceptions;
pub mod features;
mod graph;

use std::collections::HashMap;

use wasit2_abi::{Arch, CoreSig};
use wasmparser::{
    CompositeInnerType, ElementItems, Encoding, ExternalKind, KnownCustom, Name, Operator, Parser,
    Payload, TypeRef, Validator, WasmFeatures,
};

pub use graph::CallGraph;

#[derive(Debug, thiserror::Error)]
pub enum ModuleError {
    /// Not wasm, or invalid wasm: wasmparser's message, on one line.
    #[error("not a valid core wasm module: {0}")]
    Invalid(String),
    #[error("not a core module: it is a component")]
    Component,
}

impl From<wasmparser::BinaryReaderError> for ModuleError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        let message = e.message();
        // wasmparser's bad-magic message spells out both byte arrays over
        // several lines; the first four bytes say it all.
        if message.starts_with("magic header not detected") {
            return ModuleError::Invalid("no wasm magic number (\\0asm) at the start".into());
        }
        let one_line: Vec<&str> = message.split_whitespace().collect();
        ModuleError::Invalid(format!(
            "{} (at offset {:#x})",
            one_line.join(" "),
            e.offset()
        ))
    }
}

/// A function type as found in the module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundSig {
    /// `None` when it uses types outside the Canonical ABI's core types
    /// (v128, references).
    pub core: Option<CoreSig>,
    /// How messages show it.
    pub text: String,
}

impl FoundSig {
    fn of(f: &wasmparser::FuncType) -> FoundSig {
        FoundSig {
            core: CoreSig::from_func_type(f),
            text: CoreSig::text_of(f),
        }
    }
}

/// The kind of an import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportKind {
    /// A function import and its absolute function index.
    Func {
        index: u32,
        sig: FoundSig,
    },
    Memory {
        memory64: bool,
    },
    Table,
    Global,
    Tag,
}

impl ImportKind {
    pub fn describe(&self) -> &'static str {
        match self {
            ImportKind::Func { .. } => "function",
            ImportKind::Memory { .. } => "memory",
            ImportKind::Table => "table",
            ImportKind::Global => "global",
            ImportKind::Tag => "tag",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Import {
    pub module: String,
    pub field: String,
    pub kind: ImportKind,
}

impl Import {
    /// The function index and signature of a function import.
    pub fn func(&self) -> Option<(u32, &FoundSig)> {
        match &self.kind {
            ImportKind::Func { index, sig } => Some((*index, sig)),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Export {
    pub name: String,
    pub kind: ExternalKind,
    pub index: u32,
}

/// Parsed facts about a core module.
#[derive(Debug, Default)]
pub struct Module {
    pub imports: Vec<Import>,
    pub exports: Vec<Export>,
    /// Whether the first memory (imported or defined) is 64-bit.
    pub memory64: Option<bool>,
    /// Function names from the `name` section, as written there.
    pub names: HashMap<u32, String>,
    pub graph: CallGraph,
    /// The type of every function, imports first.
    pub func_sigs: Vec<FoundSig>,
    /// Contents of the `wasit2-abi` custom section, if the module has one.
    pub abi_section: Option<Vec<u8>>,
    /// Contents of the `wasit2-world` custom section (the WIT world the
    /// module was built against, `wasit2_abi::WorldSection`), if any.
    pub world_section: Option<Vec<u8>>,
    /// Names of all custom sections, in order.
    pub custom_sections: Vec<String>,
    /// `producers` section entries as (field, value), e.g. ("language", "Rust").
    pub producers: Vec<(String, String)>,
    /// Code ranges of defined functions: (start, end, function index).
    pub bodies: Vec<(usize, usize, u32)>,
}

impl Module {
    /// Validates `bytes` (any wasm proposal; which ones a host accepts is the
    /// checker's business, see [`features`]) and reads it in one pass.
    pub fn parse(bytes: &[u8]) -> Result<Module, ModuleError> {
        if Parser::is_component(bytes) {
            return Err(ModuleError::Component);
        }
        Validator::new_with_features(WasmFeatures::all()).validate_all(bytes)?;
        let mut m = Module::default();
        let mut types: Vec<Option<FoundSig>> = Vec::new();
        let mut num_funcs = 0u32;
        let mut defined = 0u32;
        for payload in Parser::new(0).parse_all(bytes) {
            match payload? {
                Payload::Version { encoding, .. } if encoding != Encoding::Module => {
                    return Err(ModuleError::Component);
                }
                Payload::TypeSection(r) => {
                    for rec in r {
                        for sub in rec?.into_types() {
                            types.push(match &sub.composite_type.inner {
                                CompositeInnerType::Func(f) => Some(FoundSig::of(f)),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::ImportSection(r) => {
                    for imp in r.into_imports() {
                        let imp = imp?;
                        let kind = match imp.ty {
                            TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                                let sig = lookup(&types, t);
                                m.func_sigs.push(sig.clone());
                                num_funcs += 1;
                                ImportKind::Func {
                                    index: num_funcs - 1,
                                    sig,
                                }
                            }
                            TypeRef::Memory(mem) => {
                                m.memory64.get_or_insert(mem.memory64);
                                ImportKind::Memory {
                                    memory64: mem.memory64,
                                }
                            }
                            TypeRef::Table(_) => ImportKind::Table,
                            TypeRef::Global(_) => ImportKind::Global,
                            TypeRef::Tag(_) => ImportKind::Tag,
                        };
                        m.imports.push(Import {
                            module: imp.module.to_string(),
                            field: imp.name.to_string(),
                            kind,
                        });
                    }
                    m.graph.num_imported = num_funcs;
                }
                Payload::FunctionSection(r) => {
                    let n = r.count();
                    for t in r {
                        m.func_sigs.push(lookup(&types, t?));
                    }
                    num_funcs += n;
                    m.graph.callees.resize(num_funcs as usize, Vec::new());
                    m.graph.calls_indirect.resize(num_funcs as usize, false);
                }
                Payload::MemorySection(r) => {
                    for mem in r {
                        m.memory64.get_or_insert(mem?.memory64);
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        let e = e?;
                        if matches!(e.kind, ExternalKind::Func | ExternalKind::FuncExact) {
                            m.graph.roots.push(e.index);
                        }
                        m.exports.push(Export {
                            name: e.name.to_string(),
                            kind: e.kind,
                            index: e.index,
                        });
                    }
                }
                Payload::StartSection { func, .. } => m.graph.roots.push(func),
                Payload::ElementSection(r) => {
                    for el in r {
                        match el?.items {
                            ElementItems::Functions(fs) => {
                                for f in fs {
                                    m.graph.table.push(f?);
                                }
                            }
                            ElementItems::Expressions(_, es) => {
                                for e in es {
                                    let mut ops = e?.get_operators_reader();
                                    while !ops.eof() {
                                        if let Operator::RefFunc { function_index } = ops.read()? {
                                            m.graph.table.push(function_index);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let me = m.graph.num_imported + defined;
                    defined += 1;
                    let range = body.range();
                    m.bodies
                        .push((range.start as usize, range.end as usize, me));
                    let mut ops = body.get_operators_reader()?;
                    let mut callees = Vec::new();
                    while !ops.eof() {
                        match ops.read()? {
                            Operator::Call { function_index }
                            | Operator::ReturnCall { function_index }
                            | Operator::RefFunc { function_index } => callees.push(function_index),
                            Operator::CallIndirect { .. } | Operator::ReturnCallIndirect { .. } => {
                                m.graph.calls_indirect[me as usize] = true
                            }
                            _ => {}
                        }
                    }
                    callees.sort_unstable();
                    callees.dedup();
                    m.graph.callees[me as usize] = callees;
                }
                Payload::CustomSection(c) => {
                    m.custom_sections.push(c.name().to_string());
                    if c.name() == wasit2_abi::SECTION_NAME {
                        m.abi_section = Some(c.data().to_vec());
                    }
                    if c.name() == wasit2_abi::WORLD_SECTION_NAME {
                        m.world_section = Some(c.data().to_vec());
                    }
                    match c.as_known() {
                        // A malformed name section only costs us names.
                        KnownCustom::Name(reader) => {
                            for sub in reader.into_iter().flatten() {
                                if let Name::Function(map) = sub {
                                    for naming in map.into_iter().flatten() {
                                        m.names.insert(naming.index, naming.name.to_string());
                                    }
                                }
                            }
                        }
                        KnownCustom::Producers(fields) => {
                            for field in fields.into_iter().flatten() {
                                for v in field.values.into_iter().flatten() {
                                    m.producers
                                        .push((field.name.to_string(), v.name.to_string()));
                                }
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        m.graph.table.sort_unstable();
        m.graph.table.dedup();
        Ok(m)
    }

    /// The architecture the module's memory implies, if it has one.
    pub fn arch(&self) -> Option<Arch> {
        self.memory64
            .map(|m| if m { Arch::Wasm64 } else { Arch::Wasm32 })
    }

    /// The function imports, in function index order.
    pub fn func_imports(&self) -> impl Iterator<Item = (&Import, u32, &FoundSig)> {
        self.imports
            .iter()
            .filter_map(|i| i.func().map(|(n, s)| (i, n, s)))
    }

    /// A function's name for messages: the name section's (Rust names
    /// demangled, clang's `__original_main` as `main`), else an export's,
    /// else `func[N]`.
    pub fn func_name(&self, index: u32) -> String {
        if let Some(n) = self.names.get(&index) {
            return display_name(n);
        }
        let export = self.exports.iter().find(|e| {
            e.index == index && matches!(e.kind, ExternalKind::Func | ExternalKind::FuncExact)
        });
        match export {
            Some(e) => e.name.clone(),
            None => format!("func[{index}]"),
        }
    }

    /// Whether the name section names some function `name` (raw name).
    pub fn has_function_named(&self, name: &str) -> bool {
        self.names.values().any(|n| n == name)
    }

    /// The defined function whose body contains the code offset.
    pub fn func_at(&self, offset: usize) -> Option<u32> {
        self.bodies
            .iter()
            .find(|(s, e, _)| (*s..*e).contains(&offset))
            .map(|(_, _, i)| *i)
    }
}

/// A name-section name as messages show it.
pub fn display_name(raw: &str) -> String {
    // clang renames a `main` without parameters; show the source name.
    if raw == "__original_main" {
        return "main".into();
    }
    // rustc links with --no-demangle; messages should read like Rust.
    match rustc_demangle::try_demangle(raw) {
        Ok(d) => format!("{d:#}"),
        Err(_) => raw.to_string(),
    }
}

fn lookup(types: &[Option<FoundSig>], t: u32) -> FoundSig {
    types
        .get(t as usize)
        .cloned()
        .flatten()
        .unwrap_or(FoundSig {
            core: None,
            text: format!("type #{t}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_imports_names_and_paths() {
        let bytes = wat::parse_str(
            r#"(module
              (import "m" "f" (func $f (param i32) (result i32)))
              (import "m" "v" (func $v (param v128)))
              (memory 1)
              (table 1 funcref)
              (elem (i32.const 0) $in_table)
              (func $__original_main (drop (call $f (i32.const 1))) (call_indirect (i32.const 0)))
              (func $in_table (call $v (v128.const i64x2 0 0)))
              (func $_ZN4demo7connect17h0123456789abcdefE)
              (export "_start" (func $__original_main)))"#,
        )
        .unwrap();
        let m = Module::parse(&bytes).unwrap();
        assert_eq!(m.arch(), Some(Arch::Wasm32));
        let funcs: Vec<_> = m
            .func_imports()
            .map(|(i, n, s)| (i.field.as_str(), n, s.clone()))
            .collect();
        assert_eq!(funcs[0].0, "f");
        assert_eq!(funcs[0].2.text, "(i32) -> (i32)");
        assert_eq!(funcs[1].2.core, None);
        assert_eq!(funcs[1].2.text, "(v128) -> ()");
        assert_eq!(m.func_name(2), "main");
        assert_eq!(m.func_name(4), "demo::connect");
        assert_eq!(m.graph.path_to(0), Some(vec![(2, false), (0, false)]));
        assert_eq!(
            m.graph.path_to(1),
            Some(vec![(2, false), (3, true), (1, false)])
        );
        assert_eq!(m.graph.path_to(4), None);
        assert!(m.has_function_named("__original_main"));
    }

    #[test]
    fn bad_input_is_one_line_not_a_panic() {
        let e = Module::parse(b"hello\n").unwrap_err().to_string();
        assert!(e.starts_with("not a valid core wasm module: "), "{e}");
        assert!(!e.contains('\n'), "{e}");
        let e = Module::parse(b"\0asm\x0d\0\x01\0").unwrap_err();
        assert!(matches!(e, ModuleError::Component), "{e}");
    }
}
