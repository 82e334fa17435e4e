//! Lowers a WIT world to the wasit2 core imports and exports.

use std::collections::HashMap;
use std::fmt;

use wit_parser::abi::{AbiVariant, WasmType};
use wit_parser::{
    Function, InterfaceId, Resolve, SizeAlign, Stability, Type, TypeDefKind, TypeId, WorldId,
    WorldItem, WorldKey,
};

use crate::names::{canonical_key, Arch};
use crate::policy::TooSmall;
use crate::{AbiError, Result, Wit};

/// A core WebAssembly value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
        })
    }
}

/// A core function type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct CoreSig {
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
}

impl fmt::Display for CoreSig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[ValType]| {
            v.iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(f, "({}) -> ({})", list(&self.params), list(&self.results))
    }
}

/// How a caller-supplied-buffer import extends the standard lowering.
///
/// The core signature is the standard `flatten_functype(ft, 'lower')` one,
/// which always ends in the return-area pointer for these functions,
/// followed by `arena_ptr` and `arena_len`, and returns one pointer-sized
/// integer: the number of arena bytes the complete result needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BufferAbi {
    /// Index of the return-area pointer in the core params.
    pub retptr: usize,
    /// Index of the arena pointer in the core params.
    pub arena_ptr: usize,
    /// Index of the arena length in the core params.
    pub arena_len: usize,
    /// Required alignment of the arena pointer: the largest alignment of any
    /// list element type in the result (1 for strings and bytes).
    pub arena_align: usize,
    pub too_small: TooSmall,
}

/// What a core import stands for.
// Few and long-lived (one per import of a lowering): boxing the WIT
// function would only add indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum ImportItem {
    /// A WIT function, freestanding or a resource method/constructor/static.
    Func {
        interface: Option<InterfaceId>,
        func: Function,
    },
    /// `<rn>_drop` of a resource of an imported interface.
    ResourceDrop {
        interface: Option<InterfaceId>,
        resource: TypeId,
    },
    /// `<rn>_new`/`_rep`/`_drop` of a resource of an exported interface.
    ExportedResource {
        interface: InterfaceId,
        resource: TypeId,
        op: ResourceOp,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceOp {
    New,
    Rep,
    Drop,
}

/// One core import of a wasit2 module.
#[derive(Clone, Debug)]
pub struct Import {
    pub module: String,
    pub field: String,
    /// Canonical interface name, e.g. `wasi:io/streams@0.2`; `None` for
    /// world-level functions.
    pub interface_name: Option<String>,
    pub item: ImportItem,
    pub sig: CoreSig,
    /// Present exactly for functions whose result holds a list or string.
    pub buffer: Option<BufferAbi>,
    /// The WASI version that introduced the item (`@since`), if gated.
    pub since: Option<semver::Version>,
}

impl Import {
    /// True when the import is byte-for-byte the standard `cmNNp2` lowering.
    pub fn is_plain(&self) -> bool {
        self.buffer.is_none()
    }

    pub fn func(&self) -> Option<&Function> {
        match &self.item {
            ImportItem::Func { func, .. } => Some(func),
            _ => None,
        }
    }

    /// `wasi:io/streams@0.2.[method]input-stream.read`-style display name.
    pub fn display_name(&self) -> String {
        match &self.interface_name {
            Some(i) => format!("{i}.{}", self.field),
            None => self.field.clone(),
        }
    }
}

/// What a core export stands for.
#[derive(Clone, Debug)]
pub enum ExportItem {
    Memory,
    Initialize,
    Func {
        interface: Option<InterfaceId>,
        func: Function,
    },
    PostReturn {
        interface: Option<InterfaceId>,
        func: Function,
    },
    ResourceDtor {
        interface: InterfaceId,
        resource: TypeId,
    },
    /// `<p>_params_alloc(size, align) -> ptr`: where the host copies the
    /// lists and strings of an export's parameters (docs/abi.md, 1.1).
    ParamsAlloc,
}

/// Name of the export that allocates an export call's list and string
/// parameters: `cm32p2_params_alloc` / `cm64p2_params_alloc`.
pub fn params_alloc_export(arch: Arch) -> String {
    format!("{}_params_alloc", arch.prefix())
}

/// One core export of a wasit2 module.
#[derive(Clone, Debug)]
pub struct Export {
    pub name: String,
    pub item: ExportItem,
    /// `None` for the memory.
    pub sig: Option<CoreSig>,
    /// Whether a module must have this export (the memory, the world's
    /// functions, `_params_alloc` when one of them takes a list or string)
    /// or may omit it (`_initialize`, `_post`).
    pub required: bool,
}

impl Export {
    /// The exported WIT function this export calls or cleans up after.
    pub fn func(&self) -> Option<&Function> {
        match &self.item {
            ExportItem::Func { func, .. } | ExportItem::PostReturn { func, .. } => Some(func),
            _ => None,
        }
    }
}

/// The complete wasit2 lowering of a world for one architecture.
pub struct Lowering {
    pub arch: Arch,
    pub world: WorldId,
    pub world_name: String,
    pub imports: Vec<Import>,
    pub exports: Vec<Export>,
    pub sizes: SizeAlign,
    pub resolve: Resolve,
    by_name: HashMap<(String, String), usize>,
}

impl Lowering {
    pub fn new(wit: &Wit, world: WorldId, arch: Arch) -> Result<Lowering> {
        let resolve = &wit.resolve;
        let mut sizes = SizeAlign::default();
        sizes.fill(resolve)?;
        let mut cx = Cx {
            resolve,
            sizes: &sizes,
            arch,
            imports: Vec::new(),
            exports: Vec::new(),
            params_alloc: false,
        };
        let w = &resolve.worlds[world];
        for (key, item) in &w.imports {
            cx.import_item(key, item)?;
        }
        for (key, item) in &w.exports {
            cx.export_item(key, item)?;
        }
        if cx.params_alloc {
            let ptr = cx.ptr();
            cx.exports.push(Export {
                name: params_alloc_export(arch),
                item: ExportItem::ParamsAlloc,
                sig: Some(CoreSig {
                    params: vec![ptr, ptr],
                    results: vec![ptr],
                }),
                required: true,
            });
        }
        cx.exports.push(Export {
            name: arch.memory_export(),
            item: ExportItem::Memory,
            sig: None,
            required: true,
        });
        cx.exports.push(Export {
            name: arch.initialize_export(),
            item: ExportItem::Initialize,
            sig: Some(CoreSig::default()),
            required: false,
        });
        let (imports, exports) = (cx.imports, cx.exports);
        let by_name = imports
            .iter()
            .enumerate()
            .map(|(i, imp)| ((imp.module.clone(), imp.field.clone()), i))
            .collect();
        Ok(Lowering {
            arch,
            world,
            world_name: wit.world_name(world),
            imports,
            exports,
            sizes,
            resolve: resolve.clone(),
            by_name,
        })
    }

    /// Looks up an import by its core module and field name.
    pub fn import(&self, module: &str, field: &str) -> Option<&Import> {
        self.by_name
            .get(&(module.to_string(), field.to_string()))
            .map(|&i| &self.imports[i])
    }

    pub fn export(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|e| e.name == name)
    }

    pub fn buffer_imports(&self) -> impl Iterator<Item = &Import> {
        self.imports.iter().filter(|i| !i.is_plain())
    }

    /// Byte size of a WIT type in this architecture's memory.
    pub fn size_of(&self, ty: &Type) -> usize {
        let s = self.sizes.size(ty);
        match self.arch {
            Arch::Wasm32 => s.size_wasm32(),
            Arch::Wasm64 => s.size_wasm64(),
        }
    }

    /// Alignment of a WIT type in this architecture's memory.
    pub fn align_of(&self, ty: &Type) -> usize {
        let a = self.sizes.align(ty);
        match self.arch {
            Arch::Wasm32 => a.align_wasm32(),
            Arch::Wasm64 => a.align_wasm64(),
        }
    }
}

struct Cx<'a> {
    resolve: &'a Resolve,
    sizes: &'a SizeAlign,
    arch: Arch,
    imports: Vec<Import>,
    exports: Vec<Export>,
    /// Some exported function takes a list or string parameter.
    params_alloc: bool,
}

impl Cx<'_> {
    fn core(&self, t: WasmType) -> ValType {
        match (t, self.arch) {
            (WasmType::I32, _) => ValType::I32,
            (WasmType::I64, _) | (WasmType::PointerOrI64, _) => ValType::I64,
            (WasmType::F32, _) => ValType::F32,
            (WasmType::F64, _) => ValType::F64,
            (WasmType::Pointer | WasmType::Length, Arch::Wasm32) => ValType::I32,
            (WasmType::Pointer | WasmType::Length, Arch::Wasm64) => ValType::I64,
        }
    }

    fn ptr(&self) -> ValType {
        self.core(WasmType::Pointer)
    }

    fn sig(&self, variant: AbiVariant, func: &Function) -> CoreSig {
        let s = self.resolve.wasm_signature(variant, func);
        CoreSig {
            params: s.params.into_iter().map(|t| self.core(t)).collect(),
            results: s.results.into_iter().map(|t| self.core(t)).collect(),
        }
    }

    fn since(
        &self,
        interface: Option<InterfaceId>,
        stability: &Stability,
    ) -> Option<semver::Version> {
        match stability {
            Stability::Stable { since, .. } => Some(since.clone()),
            _ => interface.and_then(|i| match &self.resolve.interfaces[i].stability {
                Stability::Stable { since, .. } => Some(since.clone()),
                _ => None,
            }),
        }
    }

    fn import_item(&mut self, key: &WorldKey, item: &WorldItem) -> Result<()> {
        match item {
            WorldItem::Interface { id, .. } => {
                let iface_name = canonical_key(self.resolve, key).ok_or_else(|| {
                    AbiError::Unsupported(format!(
                        "unnamed imported interface `{}`",
                        self.resolve.name_world_key(key)
                    ))
                })?;
                let module = format!("{}|{iface_name}", self.arch.prefix());
                let iface = &self.resolve.interfaces[*id];
                for (_, ty) in &iface.types {
                    if matches!(self.resolve.types[*ty].kind, TypeDefKind::Resource) {
                        self.resource_drop(Some(*id), Some(&iface_name), &module, *ty);
                    }
                }
                for (_, func) in &iface.functions {
                    self.import_func(Some(*id), Some(&iface_name), func);
                }
            }
            WorldItem::Function(func) => self.import_func(None, None, func),
            WorldItem::Type { id, .. } => {
                if matches!(self.resolve.types[*id].kind, TypeDefKind::Resource) {
                    let module = self.arch.prefix().to_string();
                    self.resource_drop(None, None, &module, *id);
                }
            }
        }
        Ok(())
    }

    fn resource_drop(
        &mut self,
        interface: Option<InterfaceId>,
        iface_name: Option<&str>,
        module: &str,
        ty: TypeId,
    ) {
        let name = self.resolve.types[ty].name.clone().unwrap_or_default();
        let since = self.since(interface, &self.resolve.types[ty].stability);
        self.imports.push(Import {
            module: module.to_string(),
            field: format!("{name}_drop"),
            interface_name: iface_name.map(str::to_string),
            item: ImportItem::ResourceDrop {
                interface,
                resource: ty,
            },
            sig: CoreSig {
                params: vec![ValType::I32],
                results: vec![],
            },
            buffer: None,
            since,
        });
    }

    fn import_func(
        &mut self,
        interface: Option<InterfaceId>,
        iface_name: Option<&str>,
        func: &Function,
    ) {
        let mut sig = self.sig(AbiVariant::GuestImport, func);
        let since = self.since(interface, &func.stability);
        let returns_list = func.result.as_ref().is_some_and(|t| self.contains_list(t));
        let (module, buffer) = if returns_list {
            // A list-bearing result never fits the single flat result, so the
            // standard lowering always ends in a return pointer here.
            let retptr = sig.params.len() - 1;
            let ptr = self.ptr();
            sig.params.extend([ptr, ptr]);
            sig.results = vec![ptr];
            let mut aligns = Vec::new();
            self.list_element_aligns(func.result.as_ref().unwrap(), &mut aligns);
            let buffer = BufferAbi {
                retptr,
                arena_ptr: retptr + 1,
                arena_len: retptr + 2,
                arena_align: aligns.into_iter().max().unwrap_or(1),
                too_small: TooSmall::for_function(iface_name, &func.name),
            };
            (self.arch.buffer_prefix(), Some(buffer))
        } else {
            (self.arch.prefix(), None)
        };
        let module = match iface_name {
            Some(i) => format!("{module}|{i}"),
            None => module.to_string(),
        };
        self.imports.push(Import {
            module,
            field: func.name.clone(),
            interface_name: iface_name.map(str::to_string),
            item: ImportItem::Func {
                interface,
                func: func.clone(),
            },
            sig,
            buffer,
            since,
        });
    }

    fn export_item(&mut self, key: &WorldKey, item: &WorldItem) -> Result<()> {
        let prefix = self.arch.prefix();
        match item {
            WorldItem::Interface { id, .. } => {
                let iface_name = canonical_key(self.resolve, key).ok_or_else(|| {
                    AbiError::Unsupported(format!(
                        "unnamed exported interface `{}`",
                        self.resolve.name_world_key(key)
                    ))
                })?;
                let iface = &self.resolve.interfaces[*id];
                for (_, ty) in &iface.types {
                    if !matches!(self.resolve.types[*ty].kind, TypeDefKind::Resource) {
                        continue;
                    }
                    let rn = self.resolve.types[*ty].name.clone().unwrap_or_default();
                    let module = format!("{prefix}|_ex_{iface_name}");
                    let since = self.since(Some(*id), &self.resolve.types[*ty].stability);
                    for (op, suffix, results) in [
                        (ResourceOp::Drop, "drop", vec![]),
                        (ResourceOp::New, "new", vec![ValType::I32]),
                        (ResourceOp::Rep, "rep", vec![ValType::I32]),
                    ] {
                        self.imports.push(Import {
                            module: module.clone(),
                            field: format!("{rn}_{suffix}"),
                            interface_name: Some(iface_name.clone()),
                            item: ImportItem::ExportedResource {
                                interface: *id,
                                resource: *ty,
                                op,
                            },
                            sig: CoreSig {
                                params: vec![ValType::I32],
                                results,
                            },
                            buffer: None,
                            since: since.clone(),
                        });
                    }
                    self.exports.push(Export {
                        name: format!("{prefix}|{iface_name}|{rn}_dtor"),
                        item: ExportItem::ResourceDtor {
                            interface: *id,
                            resource: *ty,
                        },
                        sig: Some(CoreSig {
                            params: vec![ValType::I32],
                            results: vec![],
                        }),
                        required: false,
                    });
                }
                for (_, func) in &iface.functions {
                    self.export_func(Some(*id), &format!("{prefix}|{iface_name}|"), func)?;
                }
            }
            WorldItem::Function(func) => self.export_func(None, &format!("{prefix}||"), func)?,
            WorldItem::Type { .. } => {}
        }
        Ok(())
    }

    fn export_func(
        &mut self,
        interface: Option<InterfaceId>,
        name_prefix: &str,
        func: &Function,
    ) -> Result<()> {
        // The host copies list and string parameters (and spilled
        // parameters) into memory it gets from `<p>_params_alloc`, before
        // the call; the export's glue frees it.
        let sig = self.sig(AbiVariant::GuestExport, func);
        let spilled = self
            .resolve
            .wasm_signature(AbiVariant::GuestExport, func)
            .indirect_params;
        if spilled || func.params.iter().any(|p| self.contains_list(&p.ty)) {
            self.params_alloc = true;
        }
        let needs_post = func.result.as_ref().is_some_and(|t| self.contains_list(t));
        if needs_post {
            self.exports.push(Export {
                name: format!("{name_prefix}{}_post", func.name),
                item: ExportItem::PostReturn {
                    interface,
                    func: func.clone(),
                },
                sig: Some(CoreSig {
                    params: sig.results.clone(),
                    results: vec![],
                }),
                required: false,
            });
        }
        self.exports.push(Export {
            name: format!("{name_prefix}{}", func.name),
            item: ExportItem::Func {
                interface,
                func: func.clone(),
            },
            sig: Some(sig),
            required: true,
        });
        Ok(())
    }

    /// Whether a value of `ty` holds a list or string anywhere (handles are
    /// opaque and do not count).
    fn contains_list(&self, ty: &Type) -> bool {
        let mut aligns = Vec::new();
        self.list_element_aligns(ty, &mut aligns);
        !aligns.is_empty()
    }

    /// Collects the alignment of every list element type reachable in `ty`.
    fn list_element_aligns(&self, ty: &Type, out: &mut Vec<usize>) {
        let align = |t: &Type| {
            let a = self.sizes.align(t);
            match self.arch {
                Arch::Wasm32 => a.align_wasm32(),
                Arch::Wasm64 => a.align_wasm64(),
            }
        };
        let id = match ty {
            Type::String => return out.push(1),
            Type::Id(id) => *id,
            _ => return,
        };
        match &self.resolve.types[id].kind {
            TypeDefKind::List(t) => {
                out.push(align(t));
                self.list_element_aligns(t, out);
            }
            TypeDefKind::FixedLengthList(t, _) => self.list_element_aligns(t, out),
            TypeDefKind::Record(r) => r
                .fields
                .iter()
                .for_each(|f| self.list_element_aligns(&f.ty, out)),
            TypeDefKind::Tuple(t) => t
                .types
                .iter()
                .for_each(|t| self.list_element_aligns(t, out)),
            TypeDefKind::Variant(v) => v
                .cases
                .iter()
                .flat_map(|c| &c.ty)
                .for_each(|t| self.list_element_aligns(t, out)),
            TypeDefKind::Option(t) => self.list_element_aligns(t, out),
            TypeDefKind::Result(r) => {
                r.ok.iter()
                    .chain(&r.err)
                    .for_each(|t| self.list_element_aligns(t, out))
            }
            TypeDefKind::Type(t) => self.list_element_aligns(t, out),
            TypeDefKind::Map(k, v) => {
                out.push(8);
                self.list_element_aligns(k, out);
                self.list_element_aligns(v, out);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower(text: &str, arch: Arch) -> Lowering {
        let mut wit = Wit::wasi().unwrap();
        let pkg = wit.resolve.push_str("t.wit", text).unwrap();
        let world = wit.resolve.select_world(&[pkg], Some("w")).unwrap();
        Lowering::new(&wit, world, arch).unwrap()
    }

    #[test]
    fn list_params_of_exports_need_params_alloc() {
        let text = "package t:t; world w { export f: func(s: string) -> u32; }";
        for arch in Arch::ALL {
            let l = lower(text, arch);
            let e = l.export(&params_alloc_export(arch)).expect("params_alloc");
            let ptr = if arch == Arch::Wasm32 {
                ValType::I32
            } else {
                ValType::I64
            };
            assert!(e.required && matches!(e.item, ExportItem::ParamsAlloc));
            assert_eq!(
                e.sig,
                Some(CoreSig {
                    params: vec![ptr, ptr],
                    results: vec![ptr],
                })
            );
            // No list in the result: no `_post`.
            assert!(l.export(&format!("{}||f_post", arch.prefix())).is_none());
        }
    }

    #[test]
    fn spilled_params_need_params_alloc_and_plain_ones_do_not() {
        let many = "package t:t; world w { export f: func(a: u64, b: u64, c: u64, d: u64, \
                    e: u64, f: u64, g: u64, h: u64, i: u64, j: u64, k: u64, l: u64, m: u64, \
                    n: u64, o: u64, p: u64, q: u64); }";
        let plain = "package t:t; world w { export f: func(a: u32) -> string; }";
        let l = lower(many, Arch::Wasm32);
        assert!(l.export("cm32p2_params_alloc").is_some());
        let l = lower(plain, Arch::Wasm32);
        assert!(l.export("cm32p2_params_alloc").is_none());
        assert!(l.export("cm32p2||f_post").is_some());
    }
}
