//! What the wasm32 adapter (`adapter.rs`) and the wasm64 one
//! (`adapter64.rs`) generate the same way: the module skeleton, function
//! bodies and their loops, the type walks' questions about a WIT type, and
//! the too-small bookkeeping (which results go straight to the caller, which
//! are kept for a replay and how a replay is recognised). What differs, the
//! pointer width and where results are staged, stays in each adapter.

use wasit2_abi::{CoreSig, Import, TooSmall, ValType as AbiValType};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, EntityType, ExportKind, ExportSection, Function,
    FunctionSection, GlobalSection, GlobalType, ImportSection, Instruction as I, MemArg,
    MemArgTarget, MemorySection, MemoryType, Module, TypeSection, ValType,
};
use wit_parser::abi::{FlatTypes, WasmType};
use wit_parser::{Int, Resolve, SizeAlign, Type, TypeDefKind};

use crate::ComponentizeError;

/// The core value type of an ABI value type.
pub(crate) fn val(t: AbiValType) -> ValType {
    match t {
        AbiValType::I32 => ValType::I32,
        AbiValType::I64 => ValType::I64,
        AbiValType::F32 => ValType::F32,
        AbiValType::F64 => ValType::F64,
    }
}

pub(crate) fn mem(memory: u32, offset: u64, align: u32) -> MemArg {
    MemArg {
        offset,
        align,
        target: MemArgTarget::Memory(memory),
        ordering: None,
    }
}

/// An adapter module under construction. It imports the caller's memory as
/// `env.memory`; sections are written in the order the adapters always had,
/// empty memory and global sections left out.
pub(crate) struct AdapterModule {
    types: TypeSection,
    imports: ImportSection,
    funcs: FunctionSection,
    memories: MemorySection,
    globals: GlobalSection,
    exports: ExportSection,
    code: CodeSection,
    n_func_imports: u32,
    n_funcs: u32,
}

impl AdapterModule {
    pub(crate) fn new(memory64: bool) -> AdapterModule {
        let mut imports = ImportSection::new();
        imports.import(
            "env",
            "memory",
            EntityType::Memory(MemoryType {
                minimum: 0,
                maximum: None,
                memory64,
                shared: false,
                page_size_log2: None,
            }),
        );
        AdapterModule {
            types: TypeSection::new(),
            imports,
            funcs: FunctionSection::new(),
            memories: MemorySection::new(),
            globals: GlobalSection::new(),
            exports: ExportSection::new(),
            code: CodeSection::new(),
            n_func_imports: 0,
            n_funcs: 0,
        }
    }

    /// Adds a function type; returns its index.
    pub(crate) fn func_type(&mut self, params: &[ValType], results: &[ValType]) -> u32 {
        self.types
            .ty()
            .function(params.iter().copied(), results.iter().copied());
        self.types.len() - 1
    }

    pub(crate) fn sig_type(&mut self, sig: &CoreSig) -> u32 {
        let params: Vec<ValType> = sig.params.iter().map(|t| val(*t)).collect();
        let results: Vec<ValType> = sig.results.iter().map(|t| val(*t)).collect();
        self.func_type(&params, &results)
    }

    /// Imports `module`.`field` with signature `sig` (before any function
    /// is defined); returns its function index.
    pub(crate) fn import_func(&mut self, module: &str, field: &str, sig: &CoreSig) -> u32 {
        debug_assert_eq!(self.n_funcs, 0, "imports come first");
        let ty = self.sig_type(sig);
        self.imports.import(module, field, EntityType::Function(ty));
        self.n_func_imports += 1;
        self.n_func_imports - 1
    }

    /// The index the next defined function gets.
    pub(crate) fn next_func(&self) -> u32 {
        self.n_func_imports + self.n_funcs
    }

    /// Defines a function of type `ty`; returns its index.
    pub(crate) fn define(&mut self, ty: u32, body: &Function) -> u32 {
        self.funcs.function(ty);
        self.code.function(body);
        self.n_funcs += 1;
        self.next_func() - 1
    }

    /// Defines a 32-bit memory of `pages` pages; returns its index (the
    /// imported memory is 0).
    pub(crate) fn memory32(&mut self, pages: u64) -> u32 {
        self.memories.memory(MemoryType {
            minimum: pages,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        self.memories.len()
    }

    /// Adds a mutable global of type `t` starting at 0 (`init` for i32).
    pub(crate) fn global(&mut self, t: ValType, init: i32) -> u32 {
        let init = match t {
            ValType::I64 => ConstExpr::i64_const(0),
            _ => ConstExpr::i32_const(init),
        };
        self.globals.global(
            GlobalType {
                val_type: t,
                mutable: true,
                shared: false,
            },
            &init,
        );
        self.globals.len() - 1
    }

    pub(crate) fn export(&mut self, name: &str, kind: ExportKind, index: u32) {
        self.exports.export(name, kind, index);
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        let mut m = Module::new();
        m.section(&self.types)
            .section(&self.imports)
            .section(&self.funcs);
        if !self.memories.is_empty() {
            m.section(&self.memories);
        }
        if !self.globals.is_empty() {
            m.section(&self.globals);
        }
        m.section(&self.exports).section(&self.code);
        m.finish()
    }
}

/// Instructions plus the extra locals they use.
pub(crate) struct Body {
    ins: Vec<I<'static>>,
    locals: Vec<ValType>,
    n_params: u32,
}

impl Body {
    pub(crate) fn new(n_params: u32) -> Body {
        Body {
            ins: Vec::new(),
            locals: Vec::new(),
            n_params,
        }
    }
    pub(crate) fn local(&mut self, t: ValType) -> u32 {
        self.locals.push(t);
        self.n_params + self.locals.len() as u32 - 1
    }
    pub(crate) fn i(&mut self, i: I<'static>) -> &mut Self {
        self.ins.push(i);
        self
    }
    pub(crate) fn finish(mut self) -> Function {
        self.ins.push(I::End);
        let mut f = Function::new(self.locals.iter().map(|t| (1, *t)));
        for i in &self.ins {
            f.instruction(i);
        }
        f
    }
    /// Pushes `(x + align - 1) & -align` (i32) where `x` pushes the value
    /// and `align` is a local.
    pub(crate) fn align_up(&mut self, x: I<'static>, align: u32) -> &mut Self {
        self.i(x)
            .i(I::LocalGet(align))
            .i(I::I32Add)
            .i(I::I32Const(1))
            .i(I::I32Sub)
            .i(I::I32Const(0))
            .i(I::LocalGet(align))
            .i(I::I32Sub)
            .i(I::I32And)
    }
    /// Bump allocation: `p = align_up(cur)` (i32), then pushes the end
    /// `p + size` as an i64, which cannot wrap (`align`, `size`: i32 locals).
    pub(crate) fn bump_end(&mut self, cur: I<'static>, align: u32, size: u32, p: u32) -> &mut Self {
        self.align_up(cur, align)
            .i(I::LocalTee(p))
            .i(I::I64ExtendI32U)
            .i(I::LocalGet(size))
            .i(I::I64ExtendI32U)
            .i(I::I64Add)
    }
    /// Opens `for i in 0..len` (i32 locals); close it with [`Body::loop_end`].
    pub(crate) fn loop_start(&mut self, i: u32, len: u32) -> &mut Self {
        self.i(I::I32Const(0))
            .i(I::LocalSet(i))
            .i(I::Block(BlockType::Empty))
            .i(I::Loop(BlockType::Empty))
            .i(I::LocalGet(i))
            .i(I::LocalGet(len))
            .i(I::I32GeU)
            .i(I::BrIf(1))
    }
    pub(crate) fn loop_end(&mut self, i: u32) -> &mut Self {
        self.i(I::LocalGet(i))
            .i(I::I32Const(1))
            .i(I::I32Add)
            .i(I::LocalSet(i))
            .i(I::Br(0))
            .i(I::End)
            .i(I::End)
    }
    /// `at = base + i * size`, all i32.
    pub(crate) fn elem_addr32(&mut self, base: u32, i: u32, size: u64, at: u32) -> &mut Self {
        self.i(I::LocalGet(base))
            .i(I::LocalGet(i))
            .i(I::I32Const(size as i32))
            .i(I::I32Mul)
            .i(I::I32Add)
            .i(I::LocalSet(at))
    }
    /// `at = base + i * size` with i64 `base` and `at` and an i32 `i`.
    pub(crate) fn elem_addr64(&mut self, base: u32, i: u32, size: u64, at: u32) -> &mut Self {
        self.i(I::LocalGet(base))
            .i(I::LocalGet(i))
            .i(I::I64ExtendI32U)
            .i(I::I64Const(size as i64))
            .i(I::I64Mul)
            .i(I::I64Add)
            .i(I::LocalSet(at))
    }
    /// Adds 1 to (`up`) or takes 1 from the i32 global `g`.
    pub(crate) fn count(&mut self, g: u32, up: bool) -> &mut Self {
        self.i(I::GlobalGet(g))
            .i(I::I32Const(1))
            .i(if up { I::I32Add } else { I::I32Sub })
            .i(I::GlobalSet(g))
    }
    /// While no result is pending (the i32 global `pending` is 0), sets the
    /// allocation cursor `cur` to what `start` pushes.
    pub(crate) fn restart_when_idle(&mut self, pending: u32, start: I<'static>, cur: u32) {
        self.i(I::GlobalGet(pending))
            .i(I::I32Eqz)
            .i(I::If(BlockType::Empty))
            .i(start)
            .i(I::GlobalSet(cur))
            .i(I::End);
    }
    /// `ShortDatagrams`: asks the host for one datagram at a time (the u64
    /// parameter `k` is `max-results`): a short result is allowed, and a
    /// single datagram that does not fit is kept pending (replayed) instead
    /// of being lost.
    pub(crate) fn one_datagram(&mut self, k: u32) {
        self.i(I::LocalGet(k))
            .i(I::I64Const(1))
            .i(I::I64GtU)
            .i(I::If(BlockType::Empty))
            .i(I::I64Const(1))
            .i(I::LocalSet(k))
            .i(I::End);
    }
}

pub(crate) fn unsupported(imp: &Import, what: &str) -> ComponentizeError {
    ComponentizeError::Unsupported(format!("{}: {what}", imp.display_name()))
}

/// `ty` with its aliases (`type a = b`) followed.
pub(crate) fn resolve_alias(resolve: &Resolve, ty: &Type) -> Type {
    let mut ty = *ty;
    while let Type::Id(id) = ty {
        match &resolve.types[id].kind {
            TypeDefKind::Type(t) => ty = *t,
            _ => break,
        }
    }
    ty
}

/// The element type of a list or string.
pub(crate) fn list_elem(resolve: &Resolve, ty: &Type) -> Option<Type> {
    match resolve_alias(resolve, ty) {
        Type::String => Some(Type::U8),
        Type::Id(id) => match &resolve.types[id].kind {
            TypeDefKind::List(t) => Some(*t),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn contains_list(resolve: &Resolve, ty: &Type) -> bool {
    let id = match resolve_alias(resolve, ty) {
        Type::String => return true,
        Type::Id(id) => id,
        _ => return false,
    };
    let has = |t: &Type| contains_list(resolve, t);
    match &resolve.types[id].kind {
        TypeDefKind::List(_) | TypeDefKind::Map(..) => true,
        TypeDefKind::FixedLengthList(t, _) => has(t),
        TypeDefKind::Record(r) => r.fields.iter().any(|f| has(&f.ty)),
        TypeDefKind::Tuple(t) => t.types.iter().any(has),
        TypeDefKind::Variant(v) => v.cases.iter().flat_map(|c| &c.ty).any(has),
        TypeDefKind::Option(t) => has(t),
        TypeDefKind::Result(r) => r.ok.iter().chain(&r.err).any(has),
        TypeDefKind::Type(t) => has(t),
        _ => false,
    }
}

/// How the walks descend into a type that holds lists and is not one.
pub(crate) enum Shape {
    /// A record or tuple.
    Fields(Vec<Type>),
    /// An option, result or variant: its discriminant and case payloads.
    Cases(Int, Vec<Option<Type>>),
}

/// The [`Shape`] of `ty`, `None` for shapes the adapters cannot walk.
pub(crate) fn shape(resolve: &Resolve, ty: &Type) -> Option<Shape> {
    let Type::Id(id) = resolve_alias(resolve, ty) else {
        return None;
    };
    Some(match &resolve.types[id].kind {
        TypeDefKind::Record(r) => Shape::Fields(r.fields.iter().map(|f| f.ty).collect()),
        TypeDefKind::Tuple(t) => Shape::Fields(t.types.clone()),
        TypeDefKind::Option(t) => Shape::Cases(Int::U8, vec![None, Some(*t)]),
        TypeDefKind::Result(r) => Shape::Cases(Int::U8, vec![r.ok, r.err]),
        TypeDefKind::Variant(v) => Shape::Cases(v.tag(), v.cases.iter().map(|c| c.ty).collect()),
        _ => return None,
    })
}

/// Each field's offset in the wasm32 and the wasm64 layout.
pub(crate) fn field_offsets(sizes: &SizeAlign, tys: &[Type]) -> Vec<(u64, u64, Type)> {
    sizes
        .field_offsets(tys.iter())
        .into_iter()
        .map(|(o, t)| (o.size_wasm32() as u64, o.size_wasm64() as u64, *t))
        .collect()
}

/// The payload offset of a case type in the wasm32 and the wasm64 layout.
pub(crate) fn payload_offsets(sizes: &SizeAlign, tag: Int, cases: &[Option<Type>]) -> (u64, u64) {
    let p = sizes.payload_offset(tag, cases.iter().map(|c| c.as_ref()));
    (p.size_wasm32() as u64, p.size_wasm64() as u64)
}

/// The load of a discriminant at `offset` of `memory` and its size in
/// bytes; `None` for a 64-bit one.
pub(crate) fn tag_load(tag: Int, memory: u32, offset: u64) -> Option<(I<'static>, i32)> {
    Some(match tag {
        Int::U8 => (I::I32Load8U(mem(memory, offset, 0)), 1),
        Int::U16 => (I::I32Load16U(mem(memory, offset, 1)), 2),
        Int::U32 => (I::I32Load(mem(memory, offset, 2)), 4),
        Int::U64 => return None,
    })
}

/// Each WIT parameter of `imp`: name, type and its range of flat
/// parameters.
pub(crate) fn flat_ranges(
    resolve: &Resolve,
    imp: &Import,
) -> Result<Vec<(String, Type, usize, usize)>, ComponentizeError> {
    let func = imp
        .func()
        .ok_or_else(|| unsupported(imp, "not a function"))?;
    let mut out = Vec::new();
    let mut at = 0;
    for p in &func.params {
        let mut storage = [WasmType::I32; 64];
        let mut flat = FlatTypes::new(&mut storage);
        resolve.push_flat(&p.ty, &mut flat);
        let n = flat.to_vec().len();
        out.push((p.name.clone(), p.ty, at, at + n));
        at += n;
    }
    Ok(out)
}

/// `BoundedByInput`: one result element per element of the first list
/// parameter. Returns the flat index of that list's length and the
/// result's element type.
pub(crate) fn input_bound(
    resolve: &Resolve,
    imp: &Import,
    result_ty: &Type,
) -> Result<(u32, Type), ComponentizeError> {
    let (_, _, at, _) = flat_ranges(resolve, imp)?
        .into_iter()
        .find(|p| list_elem(resolve, &p.1).is_some())
        .ok_or_else(|| unsupported(imp, "no list parameter to bound the result"))?;
    let elem =
        list_elem(resolve, result_ty).ok_or_else(|| unsupported(imp, "result is not a list"))?;
    Ok((at as u32 + 1, elem))
}

/// Whether results are written straight to the caller's retptr:
/// `ShortRead` and `BoundedByInput` results always fit (checked before the
/// call).
pub(crate) fn writes_direct(too_small: &TooSmall) -> bool {
    matches!(
        too_small,
        TooSmall::ShortRead { .. } | TooSmall::BoundedByInput { .. }
    )
}

/// Whether a too-small result is kept for replay: when the call can be
/// recognised again by its scalar arguments (the flat parameters before
/// `retptr`) alone.
pub(crate) fn replayable(
    resolve: &Resolve,
    imp: &Import,
    too_small: &TooSmall,
    retptr: u32,
) -> bool {
    !writes_direct(too_small)
        && !imp
            .func()
            .is_some_and(|f| f.params.iter().any(|p| contains_list(resolve, &p.ty)))
        && (0..retptr).all(|k| {
            matches!(
                imp.sig.params[k as usize],
                AbiValType::I32 | AbiValType::I64
            )
        })
}

/// The globals of one function's pending (too-small) result.
pub(crate) struct Pending {
    /// The size the kept result needs (0: nothing pending).
    pub(crate) required: u32,
    required_ty: ValType,
    /// Where the kept result is.
    pub(crate) kept: u32,
    /// The scalar arguments of the call: (param, global, type).
    keys: Vec<(u32, u32, ValType)>,
}

impl Pending {
    /// Adds the globals: the required size (of type `required_ty`), the
    /// kept result's address (i32), one per scalar argument before `retptr`.
    pub(crate) fn new(
        m: &mut AdapterModule,
        imp: &Import,
        retptr: u32,
        required_ty: ValType,
    ) -> Pending {
        let required = m.global(required_ty, 0);
        let kept = m.global(ValType::I32, 0);
        let keys = (0..retptr)
            .map(|k| {
                let t = val(imp.sig.params[k as usize]);
                (k, m.global(t, 0), t)
            })
            .collect();
        Pending {
            required,
            required_ty,
            kept,
            keys,
        }
    }

    /// Opens a block that the code after it runs in only when this call is
    /// the pending one (same scalar arguments); it branches out otherwise.
    pub(crate) fn same_call(&self, b: &mut Body) {
        b.i(I::Block(BlockType::Empty))
            .i(I::GlobalGet(self.required))
            .i(self.eqz())
            .i(I::BrIf(0));
        for (k, g, t) in &self.keys {
            b.i(I::LocalGet(*k))
                .i(I::GlobalGet(*g))
                .i(if *t == ValType::I64 {
                    I::I64Ne
                } else {
                    I::I32Ne
                })
                .i(I::BrIf(0));
        }
    }

    /// Keeps this call's result for the replay: counts it in the i32 global
    /// `count` (unless this function had one pending already), stores the
    /// size it needs and its address (what `required` and `kept` push) and
    /// the call's scalar arguments.
    pub(crate) fn keep(&self, b: &mut Body, count: u32, required: I<'static>, kept: I<'static>) {
        b.i(I::GlobalGet(self.required))
            .i(self.eqz())
            .i(I::If(BlockType::Empty))
            .count(count, true)
            .i(I::End)
            .i(required)
            .i(I::GlobalSet(self.required))
            .i(kept)
            .i(I::GlobalSet(self.kept));
        for (k, g, _) in &self.keys {
            b.i(I::LocalGet(*k)).i(I::GlobalSet(*g));
        }
    }

    /// Drops the kept result once replayed, uncounting it in `count`.
    pub(crate) fn release(&self, b: &mut Body, count: u32) {
        b.i(if self.required_ty == ValType::I64 {
            I::I64Const(0)
        } else {
            I::I32Const(0)
        })
        .i(I::GlobalSet(self.required))
        .count(count, false);
    }

    fn eqz(&self) -> I<'static> {
        if self.required_ty == ValType::I64 {
            I::I64Eqz
        } else {
            I::I32Eqz
        }
    }
}
