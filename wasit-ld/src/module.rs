//! What the checker needs to know about a core module: its imports with their
//! types, exports, memory width, function names, and who calls whom.

use std::collections::{HashMap, VecDeque};

use wasit2_abi::{Arch, CoreSig, ValType};
use wasmparser::{
    CompositeInnerType, ElementItems, ExternalKind, KnownCustom, Name, Operator, Parser, Payload,
    TypeRef, Validator, WasmFeatures,
};

#[derive(Debug, thiserror::Error)]
pub enum ModuleError {
    #[error("invalid WebAssembly module: {0}")]
    Invalid(#[from] wasmparser::BinaryReaderError),
}

/// A function type as found in the module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundSig {
    /// `None` when it uses types outside the Canonical ABI's core types
    /// (v128, references).
    pub core: Option<CoreSig>,
    pub text: String,
}

/// The kind of an import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportKind {
    Func { index: u32, sig: FoundSig },
    Memory { memory64: bool },
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
pub struct ModuleImport {
    pub module: String,
    pub field: String,
    pub kind: ImportKind,
}

#[derive(Clone, Debug)]
pub struct ModuleExport {
    pub name: String,
    pub kind: ExternalKind,
    pub index: u32,
}

/// Parsed facts about a module.
#[derive(Debug, Default)]
pub struct ModuleInfo {
    pub imports: Vec<ModuleImport>,
    pub exports: Vec<ModuleExport>,
    /// Whether the first memory (imported or defined) is 64-bit.
    pub memory64: Option<bool>,
    /// Function names from the `name` section.
    pub names: HashMap<u32, String>,
    pub graph: CallGraph,
    /// The type of every function, imports first.
    pub func_sigs: Vec<FoundSig>,
    /// Contents of the `wasit2-abi` custom section, if the module has one.
    pub abi_section: Option<Vec<u8>>,
}

/// Features wasm-ld may emit and wasit2 hosts accept.
pub fn features() -> WasmFeatures {
    WasmFeatures::default() | WasmFeatures::MEMORY64
}

/// Validates `bytes` and collects its [`ModuleInfo`].
pub fn parse(bytes: &[u8]) -> Result<ModuleInfo, ModuleError> {
    Validator::new_with_features(features()).validate_all(bytes)?;
    let mut info = ModuleInfo::default();
    let mut types: Vec<Option<FoundSig>> = Vec::new();
    let mut num_funcs = 0u32;
    let mut defined = 0u32;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::TypeSection(r) => {
                for rec in r {
                    for sub in rec?.into_types() {
                        types.push(match &sub.composite_type.inner {
                            CompositeInnerType::Func(f) => Some(found_sig(f)),
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
                            num_funcs += 1;
                            info.func_sigs.push(sig.clone());
                            ImportKind::Func {
                                index: num_funcs - 1,
                                sig,
                            }
                        }
                        TypeRef::Memory(m) => {
                            info.memory64.get_or_insert(m.memory64);
                            ImportKind::Memory {
                                memory64: m.memory64,
                            }
                        }
                        TypeRef::Table(_) => ImportKind::Table,
                        TypeRef::Global(_) => ImportKind::Global,
                        TypeRef::Tag(_) => ImportKind::Tag,
                    };
                    info.imports.push(ModuleImport {
                        module: imp.module.to_string(),
                        field: imp.name.to_string(),
                        kind,
                    });
                }
                info.graph.num_imported = num_funcs;
            }
            Payload::FunctionSection(r) => {
                let n = r.count();
                for t in r {
                    let t = t?;
                    info.func_sigs.push(lookup(&types, t));
                }
                info.graph
                    .callees
                    .resize((num_funcs + n) as usize, Vec::new());
                info.graph
                    .calls_indirect
                    .resize((num_funcs + n) as usize, false);
                num_funcs += n;
            }
            Payload::MemorySection(r) => {
                for m in r {
                    info.memory64.get_or_insert(m?.memory64);
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e?;
                    if e.kind == ExternalKind::Func {
                        info.graph.roots.push(e.index);
                    }
                    info.exports.push(ModuleExport {
                        name: e.name.to_string(),
                        kind: e.kind,
                        index: e.index,
                    });
                }
            }
            Payload::StartSection { func, .. } => info.graph.roots.push(func),
            Payload::ElementSection(r) => {
                for el in r {
                    match el?.items {
                        ElementItems::Functions(fs) => {
                            for f in fs {
                                info.graph.table.push(f?);
                            }
                        }
                        ElementItems::Expressions(_, es) => {
                            for e in es {
                                let mut ops = e?.get_operators_reader();
                                while !ops.eof() {
                                    if let Operator::RefFunc { function_index } = ops.read()? {
                                        info.graph.table.push(function_index);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let me = (info.graph.num_imported + defined) as usize;
                defined += 1;
                let mut ops = body.get_operators_reader()?;
                let mut callees = Vec::new();
                while !ops.eof() {
                    match ops.read()? {
                        Operator::Call { function_index }
                        | Operator::ReturnCall { function_index }
                        | Operator::RefFunc { function_index } => callees.push(function_index),
                        Operator::CallIndirect { .. } | Operator::ReturnCallIndirect { .. } => {
                            info.graph.calls_indirect[me] = true
                        }
                        _ => {}
                    }
                }
                callees.sort_unstable();
                callees.dedup();
                info.graph.callees[me] = callees;
            }
            Payload::CustomSection(c) => {
                if c.name() == wasit2_abi::SECTION_NAME {
                    info.abi_section = Some(c.data().to_vec());
                }
                if let KnownCustom::Name(reader) = c.as_known() {
                    // A malformed name section only costs us names.
                    for sub in reader.into_iter().flatten() {
                        if let Name::Function(map) = sub {
                            for naming in map.into_iter().flatten() {
                                info.names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    info.graph.table.sort_unstable();
    info.graph.table.dedup();
    Ok(info)
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

fn found_sig(f: &wasmparser::FuncType) -> FoundSig {
    let conv = |t: &wasmparser::ValType| match t {
        wasmparser::ValType::I32 => Some(ValType::I32),
        wasmparser::ValType::I64 => Some(ValType::I64),
        wasmparser::ValType::F32 => Some(ValType::F32),
        wasmparser::ValType::F64 => Some(ValType::F64),
        _ => None,
    };
    let params: Option<Vec<_>> = f.params().iter().map(conv).collect();
    let results: Option<Vec<_>> = f.results().iter().map(conv).collect();
    let core = params
        .zip(results)
        .map(|(params, results)| CoreSig { params, results });
    let text = match &core {
        Some(c) => c.to_string(),
        None => {
            let list = |v: &[wasmparser::ValType]| {
                v.iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!("({}) -> ({})", list(f.params()), list(f.results()))
        }
    };
    FoundSig { core, text }
}

impl ModuleInfo {
    /// The architecture the module's memory implies, if it has one.
    pub fn arch(&self) -> Option<Arch> {
        self.memory64
            .map(|m| if m { Arch::Wasm64 } else { Arch::Wasm32 })
    }

    /// A function's name for messages: the `name` section's, else `function #N`.
    pub fn func_name(&self, index: u32) -> String {
        match self.names.get(&index) {
            // rustc links with --no-demangle; messages should read like Rust.
            Some(n) => match rustc_demangle::try_demangle(n) {
                Ok(d) => format!("{d:#}"),
                Err(_) => n.clone(),
            },
            None => format!("function #{index}"),
        }
    }
}

/// Who calls whom, by absolute function index (imports first).
#[derive(Debug, Default, Clone)]
pub struct CallGraph {
    pub num_imported: u32,
    /// Direct callees (and `ref.func` targets) of each function; empty for
    /// imports.
    pub callees: Vec<Vec<u32>>,
    /// Functions that contain `call_indirect`.
    pub calls_indirect: Vec<bool>,
    /// Functions placed in tables (reachable through `call_indirect`).
    pub table: Vec<u32>,
    /// Exported functions and the start function.
    pub roots: Vec<u32>,
}

impl CallGraph {
    /// Functions that reference `target` directly, in index order.
    pub fn callers_of(&self, target: u32) -> Vec<u32> {
        (0..self.callees.len() as u32)
            .filter(|&f| self.callees[f as usize].binary_search(&target).is_ok())
            .collect()
    }

    /// Whether `target` is in a table, so it may be called indirectly.
    pub fn in_table(&self, target: u32) -> bool {
        self.table.binary_search(&target).is_ok()
    }

    /// Everything `f` may call next: its direct callees, plus every table
    /// function if it calls indirectly.
    fn successors(&self, f: u32) -> impl Iterator<Item = u32> + '_ {
        let direct = self.callees.get(f as usize).into_iter().flatten().copied();
        let indirect = self
            .calls_indirect
            .get(f as usize)
            .copied()
            .unwrap_or(false)
            .then_some(self.table.iter().copied())
            .into_iter()
            .flatten();
        direct.chain(indirect)
    }

    /// A shortest call path from an export (or the start function) to
    /// `target`, both ends included; `None` if no export reaches it.
    pub fn path_to(&self, target: u32) -> Option<Vec<u32>> {
        let n = self.callees.len().max(target as usize + 1);
        let mut parent: Vec<Option<u32>> = vec![None; n];
        let mut seen = vec![false; n];
        let mut queue = VecDeque::new();
        for &r in &self.roots {
            if (r as usize) < n && !seen[r as usize] {
                seen[r as usize] = true;
                queue.push_back(r);
            }
        }
        while let Some(f) = queue.pop_front() {
            if f == target {
                let mut path = vec![f];
                let mut cur = f;
                while let Some(p) = parent[cur as usize] {
                    path.push(p);
                    cur = p;
                }
                path.reverse();
                return Some(path);
            }
            for next in self.successors(f) {
                if (next as usize) < n && !seen[next as usize] {
                    seen[next as usize] = true;
                    parent[next as usize] = Some(f);
                    queue.push_back(next);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_path_follows_direct_and_indirect_calls() {
        // 0: import; 1: export calling 2 and 3; 2 calls 0; 3 calls indirect; 4 in table calls 0.
        let g = CallGraph {
            num_imported: 1,
            callees: vec![vec![], vec![2, 3], vec![0], vec![], vec![0]],
            calls_indirect: vec![false, false, false, true, false],
            table: vec![4],
            roots: vec![1],
        };
        assert_eq!(g.path_to(0), Some(vec![1, 2, 0]));
        assert_eq!(g.path_to(4), Some(vec![1, 3, 4]));
        assert_eq!(g.callers_of(0), vec![2, 4]);
        assert!(g.in_table(4) && !g.in_table(2));
        let unreachable = CallGraph { roots: vec![], ..g };
        assert_eq!(unreachable.path_to(0), None);
    }
}
