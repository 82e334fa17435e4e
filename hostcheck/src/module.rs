//! What the checks need from a core module: its function imports, exports,
//! names, and a call graph built from `call` instructions.

use std::collections::{BTreeSet, HashMap, VecDeque};

use wasmparser::{
    ElementItems, ExternalKind, KnownCustom, Name, Operator, Parser, Payload, TypeRef,
    ValType as WpVal,
};

use wasit2_abi::{CoreSig, ValType};

use crate::{Error, Result};

pub struct FuncImport {
    pub module: String,
    pub field: String,
    /// `None` when the type is not expressible as a core signature we know
    /// (e.g. reference types), which never matches a WASI function.
    pub sig: Option<CoreSig>,
}

pub struct Module {
    /// Function imports, in function index order (index = position).
    pub func_imports: Vec<FuncImport>,
    /// Memory/table/global/tag imports: (module, field, kind).
    pub other_imports: Vec<(String, String, &'static str)>,
    /// Exported functions: (export name, function index).
    pub func_exports: Vec<(String, u32)>,
    /// Names of exported memories.
    pub memory_exports: Vec<String>,
    pub start: Option<u32>,
    names: HashMap<u32, String>,
    /// Direct callees of each function (by function index).
    calls: HashMap<u32, BTreeSet<u32>>,
    /// Functions that contain `call_indirect`.
    indirect_callers: BTreeSet<u32>,
    /// Functions whose address is taken (elements, `ref.func`).
    address_taken: BTreeSet<u32>,
    /// Code ranges of defined functions: (start, end, function index).
    pub bodies: Vec<(usize, usize, u32)>,
}

fn core_type(t: WpVal) -> Option<ValType> {
    Some(match t {
        WpVal::I32 => ValType::I32,
        WpVal::I64 => ValType::I64,
        WpVal::F32 => ValType::F32,
        WpVal::F64 => ValType::F64,
        _ => return None,
    })
}

impl Module {
    pub fn parse(bytes: &[u8]) -> Result<Module> {
        let bad = |e: wasmparser::BinaryReaderError| Error::BadModule(e.to_string());
        let mut types: Vec<Option<CoreSig>> = Vec::new();
        let mut m = Module {
            func_imports: Vec::new(),
            other_imports: Vec::new(),
            func_exports: Vec::new(),
            memory_exports: Vec::new(),
            start: None,
            names: HashMap::new(),
            calls: HashMap::new(),
            indirect_callers: BTreeSet::new(),
            address_taken: BTreeSet::new(),
            bodies: Vec::new(),
        };
        let mut next_defined: u32 = 0;
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.map_err(bad)? {
                Payload::Version { encoding, .. } if encoding != wasmparser::Encoding::Module => {
                    return Err(Error::BadModule("a component, not a core module".into()));
                }
                Payload::TypeSection(r) => {
                    for rec in r {
                        for sub in rec.map_err(bad)?.into_types() {
                            let sig = match &sub.composite_type.inner {
                                wasmparser::CompositeInnerType::Func(f) => {
                                    let params: Option<Vec<_>> =
                                        f.params().iter().map(|t| core_type(*t)).collect();
                                    let results: Option<Vec<_>> =
                                        f.results().iter().map(|t| core_type(*t)).collect();
                                    params
                                        .zip(results)
                                        .map(|(params, results)| CoreSig { params, results })
                                }
                                _ => None,
                            };
                            types.push(sig);
                        }
                    }
                }
                Payload::ImportSection(r) => {
                    for imp in r.into_imports() {
                        let imp = imp.map_err(bad)?;
                        match imp.ty {
                            TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                                m.func_imports.push(FuncImport {
                                    module: imp.module.to_string(),
                                    field: imp.name.to_string(),
                                    sig: types.get(t as usize).cloned().flatten(),
                                })
                            }
                            other => {
                                let kind = match other {
                                    TypeRef::Memory(_) => "memory",
                                    TypeRef::Table(_) => "table",
                                    TypeRef::Global(_) => "global",
                                    TypeRef::Tag(_) => "tag",
                                    _ => "item",
                                };
                                m.other_imports.push((
                                    imp.module.to_string(),
                                    imp.name.to_string(),
                                    kind,
                                ));
                            }
                        }
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        let e = e.map_err(bad)?;
                        match e.kind {
                            ExternalKind::Func => {
                                m.func_exports.push((e.name.to_string(), e.index))
                            }
                            ExternalKind::Memory => m.memory_exports.push(e.name.to_string()),
                            _ => {}
                        }
                    }
                }
                Payload::StartSection { func, .. } => m.start = Some(func),
                Payload::ElementSection(r) => {
                    for el in r {
                        match el.map_err(bad)?.items {
                            ElementItems::Functions(fs) => {
                                for f in fs {
                                    m.address_taken.insert(f.map_err(bad)?);
                                }
                            }
                            ElementItems::Expressions(_, exprs) => {
                                for e in exprs {
                                    let mut ops = e.map_err(bad)?.get_operators_reader();
                                    while !ops.eof() {
                                        if let Operator::RefFunc { function_index } =
                                            ops.read().map_err(bad)?
                                        {
                                            m.address_taken.insert(function_index);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let index = m.func_imports.len() as u32 + next_defined;
                    next_defined += 1;
                    let range = body.range();
                    m.bodies
                        .push((range.start as usize, range.end as usize, index));
                    let mut ops = body.get_operators_reader().map_err(bad)?;
                    let callees = m.calls.entry(index).or_default();
                    while !ops.eof() {
                        match ops.read().map_err(bad)? {
                            Operator::Call { function_index }
                            | Operator::ReturnCall { function_index } => {
                                callees.insert(function_index);
                            }
                            Operator::CallIndirect { .. } | Operator::ReturnCallIndirect { .. } => {
                                m.indirect_callers.insert(index);
                            }
                            Operator::RefFunc { function_index } => {
                                m.address_taken.insert(function_index);
                            }
                            _ => {}
                        }
                    }
                }
                Payload::CustomSection(c) => {
                    if let KnownCustom::Name(names) = c.as_known() {
                        // A malformed name section only costs us names.
                        for n in names.into_iter().flatten() {
                            if let Name::Function(map) = n {
                                for naming in map.into_iter().flatten() {
                                    m.names.insert(naming.index, naming.name.to_string());
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(m)
    }

    /// Display name of a function: the name section's, else an export's,
    /// else `func[N]`.
    pub fn func_name(&self, index: u32) -> String {
        if let Some(n) = self.names.get(&index) {
            // clang renames a `main` without parameters; show the source name.
            return if n == "__original_main" {
                "main".into()
            } else {
                n.clone()
            };
        }
        if let Some((e, _)) = self.func_exports.iter().find(|(_, i)| *i == index) {
            return e.clone();
        }
        format!("func[{index}]")
    }

    /// Function containing a code offset.
    pub fn func_at(&self, offset: usize) -> Option<u32> {
        self.bodies
            .iter()
            .find(|(s, e, _)| (*s..*e).contains(&offset))
            .map(|(_, _, i)| *i)
    }

    /// Shortest call paths from any entry point (exports, start) to each
    /// function: maps function index → path of function indices from a root,
    /// with a flag per step telling whether it is an indirect call.
    pub fn paths_from_entries(&self) -> HashMap<u32, Vec<(u32, bool)>> {
        let mut parent: HashMap<u32, Option<(u32, bool)>> = HashMap::new();
        let mut queue = VecDeque::new();
        let roots = self.func_exports.iter().map(|(_, i)| *i).chain(self.start);
        for r in roots {
            if parent.insert(r, None).is_none() {
                queue.push_back(r);
            }
        }
        let empty = BTreeSet::new();
        while let Some(f) = queue.pop_front() {
            let direct = self
                .calls
                .get(&f)
                .unwrap_or(&empty)
                .iter()
                .map(|c| (*c, false));
            let indirect: Box<dyn Iterator<Item = (u32, bool)>> =
                if self.indirect_callers.contains(&f) {
                    Box::new(self.address_taken.iter().map(|c| (*c, true)))
                } else {
                    Box::new(std::iter::empty())
                };
            for (callee, via_table) in direct.chain(indirect) {
                if let std::collections::hash_map::Entry::Vacant(v) = parent.entry(callee) {
                    v.insert(Some((f, via_table)));
                    queue.push_back(callee);
                }
            }
        }
        let mut paths = HashMap::new();
        for &target in parent.keys() {
            // Each step carries whether it was entered through a table.
            let mut path = Vec::new();
            let mut cur = target;
            while let Some(Some((p, via_table))) = parent.get(&cur) {
                path.push((cur, *via_table));
                cur = *p;
            }
            path.push((cur, false));
            path.reverse();
            paths.insert(target, path);
        }
        paths
    }
}
