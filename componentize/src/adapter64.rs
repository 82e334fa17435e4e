//! The caller-supplied-buffer adapter for wasm64 (`wasit2-cm64p2|<iface>`).
//!
//! Each exported function has the wasm64 wasit2 buffer signature (i64
//! pointers, lengths and size result). The standard call it makes is lowered
//! with the adapter's own 32-bit *staging* memory and its
//! `cabi_import_realloc` (i32, a bump allocator in that memory): wasmtime 49
//! stores list results into a 64-bit memory with the 32-bit layout, which the
//! Canonical ABI does not allow (docs/componentize.md, "wasm64"), while a
//! 32-bit lowering is read the same by every host. The adapter then lays the
//! result out in the caller's arena in the wasm64 layout (8-byte pointers
//! and lengths), in the same pre-order the wasit2 ABI prescribes, and keeps
//! the too-small rules of the wasm32 adapter:
//!
//! - `ShortRead`: the length is clamped to `arena_len` (and to 16 MiB per
//!   call, a short read the WIT allows);
//! - `BoundedByInput`: the bound is checked before the call;
//! - `ReportRequired`/`ShortDatagrams`: a result that does not fit is kept
//!   in staging memory and replayed for the same call (scalar arguments
//!   only), otherwise called again.

use wasit2_abi::{Arch, Import, Lowering, TooSmall, ValType as AbiValType};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, EntityType, ExportKind, ExportSection, Function,
    FunctionSection, GlobalSection, GlobalType, ImportSection, Instruction as I, MemArg,
    MemArgTarget, MemorySection, MemoryType, Module, TypeSection, ValType,
};
use wit_parser::abi::{FlatTypes, WasmType};
use wit_parser::{Int, Type, TypeDefKind};

use crate::ComponentizeError;

/// Export name of the staging memory, for the component's `canon lower`s.
pub(crate) const STAGING_MEMORY: &str = "wasit2_staging_memory";
/// The caller's memory (imported) and the staging memory (defined).
const MAIN: u32 = 0;
const STAGE: u32 = 1;
/// Staging allocations start here (0 stays unused).
const STAGE_START: i32 = 16;
/// Most bytes one short read asks the host for.
const MAX_READ: i64 = 16 << 20;

/// A list is (pointer, length), each pointer-sized (docs/abi.md): the
/// offset of the length in the staging (wasm32) and caller (wasm64) layouts.
const PTR32: u64 = Arch::Wasm32.pointer_size() as u64;
const PTR64: u64 = Arch::Wasm64.pointer_size() as u64;

/// Staging bump cursor (i32).
const G_CUR: u32 = 0;
/// Results kept pending; staging is reset only at 0 (i32).
const G_PENDING: u32 = 1;
const FIXED_GLOBALS: u32 = 2;

fn val(t: AbiValType) -> ValType {
    match t {
        AbiValType::I32 => ValType::I32,
        AbiValType::I64 => ValType::I64,
        AbiValType::F32 => ValType::F32,
        AbiValType::F64 => ValType::F64,
    }
}

fn mem(memory: u32, offset: u64, align: u32) -> MemArg {
    MemArg {
        offset,
        align,
        target: MemArgTarget::Memory(memory),
        ordering: None,
    }
}

/// Builds the wasm64 adapter for `module64` (`wasit2-cm64p2|<iface>`)
/// exporting the given buffer imports (from the wasm64 lowering); the
/// standard functions are imported under `std_module32` with the wasm32
/// signatures.
pub(crate) fn build(
    l32: &Lowering,
    l64: &Lowering,
    module64: &str,
    std_module32: &str,
    imports: &[&Import],
) -> Result<Vec<u8>, ComponentizeError> {
    let module32 = format!("wasit2-{std_module32}");
    let mut types = TypeSection::new();
    let mut n_types = 0u32;
    let mut add_type = |types: &mut TypeSection, params: Vec<ValType>, results: Vec<ValType>| {
        types.ty().function(params, results);
        n_types += 1;
        n_types - 1
    };
    let mut import_sec = ImportSection::new();
    import_sec.import(
        "env",
        "memory",
        EntityType::Memory(MemoryType {
            minimum: 0,
            maximum: None,
            memory64: true,
            shared: false,
            page_size_log2: None,
        }),
    );
    for imp in imports {
        let sig = std_sig32(l32, std_module32, &module32, &imp.field).ok_or_else(|| {
            ComponentizeError::Unsupported(format!("{module64} {}: no wasm32 lowering", imp.field))
        })?;
        let ty = add_type(
            &mut types,
            sig.params.iter().map(|t| val(*t)).collect(),
            sig.results.iter().map(|t| val(*t)).collect(),
        );
        import_sec.import(std_module32, &imp.field, EntityType::Function(ty));
    }
    let n_imports = imports.len() as u32;
    let f_realloc = n_imports;

    let mut funcs = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    let mut globals = GlobalSection::new();
    let i32g = GlobalType {
        val_type: ValType::I32,
        mutable: true,
        shared: false,
    };
    globals.global(i32g, &ConstExpr::i32_const(STAGE_START));
    globals.global(i32g, &ConstExpr::i32_const(0));
    let mut next_global = FIXED_GLOBALS;

    let t_realloc = add_type(&mut types, vec![ValType::I32; 4], vec![ValType::I32]);
    funcs.function(t_realloc);
    code.function(&realloc_body());
    exports.export("cabi_import_realloc", ExportKind::Func, f_realloc);
    exports.export(STAGING_MEMORY, ExportKind::Memory, STAGE);

    for (n, imp) in imports.iter().enumerate() {
        let ty = add_type(
            &mut types,
            imp.sig.params.iter().map(|t| val(*t)).collect(),
            imp.sig.results.iter().map(|t| val(*t)).collect(),
        );
        funcs.function(ty);
        let mut w = Wrapper {
            l: l64,
            imp,
            g: Gen {
                f_realloc,
                ..Gen::new(imp.sig.params.len() as u32, l64)
            },
            std_func: n as u32,
            f_realloc,
            next_global: &mut next_global,
            globals: &mut globals,
        };
        code.function(&if imp.buffer.is_some() {
            w.build()?
        } else {
            w.build_plain()?
        });
        exports.export(&imp.field, ExportKind::Func, n_imports + 1 + n as u32);
    }

    let mut mems = MemorySection::new();
    mems.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut m = Module::new();
    m.section(&types)
        .section(&import_sec)
        .section(&funcs)
        .section(&mems)
        .section(&globals)
        .section(&exports)
        .section(&code);
    Ok(m.finish())
}

/// Whether the adapter serves the plain import `imp`: one with a list
/// parameter (and no other parameter holding lists).
pub(crate) fn stages(l: &Lowering, imp: &Import) -> bool {
    let g = Gen::new(0, l);
    imp.is_plain()
        && imp.func().is_some_and(|f| {
            f.params.iter().any(|p| g.list_elem(&p.ty).is_some())
                && f.params
                    .iter()
                    .all(|p| g.list_elem(&p.ty).is_some() || !g.contains_list(&p.ty))
        })
}

/// The wasm32 standard signature the adapter imports `field` with: the
/// plain lowering under `std_module32`, or for a buffer function the
/// buffer signature of `module32` without arena parameters and size result.
pub(crate) fn std_sig32(
    l32: &Lowering,
    std_module32: &str,
    module32: &str,
    field: &str,
) -> Option<wasit2_abi::CoreSig> {
    if let Some(plain) = l32.import(std_module32, field).filter(|i| i.is_plain()) {
        return Some(plain.sig.clone());
    }
    let imp = l32.import(module32, field)?;
    let buf = imp.buffer.as_ref()?;
    Some(wasit2_abi::CoreSig {
        params: imp.sig.params[..buf.arena_ptr].to_vec(),
        results: Vec::new(),
    })
}

/// The wasm32 stand-in of the adapter, for wit-component: the same imports
/// and exports with the wasm32 signatures; each export calls its standard
/// import (so that wit-component keeps the imports) and returns zeros.
pub(crate) fn stub32(
    l32: &Lowering,
    std_module32: &str,
    fields: &[String],
) -> Result<Vec<u8>, ComponentizeError> {
    let module32 = format!("wasit2-{std_module32}");
    let mut types = TypeSection::new();
    let mut import_sec = ImportSection::new();
    let mut funcs = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    import_sec.import(
        "env",
        "memory",
        EntityType::Memory(MemoryType {
            minimum: 0,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        }),
    );
    let n = fields.len() as u32;
    let mut sigs = Vec::new();
    for (k, field) in fields.iter().enumerate() {
        let std = std_sig32(l32, std_module32, &module32, field).ok_or_else(|| {
            ComponentizeError::Unsupported(format!("{module32} {field}: no wasm32 lowering"))
        })?;
        let export = l32
            .import(&module32, field)
            .filter(|i| !i.is_plain())
            .map(|i| i.sig.clone())
            .unwrap_or_else(|| std.clone());
        types.ty().function(
            std.params.iter().map(|t| val(*t)),
            std.results.iter().map(|t| val(*t)),
        );
        import_sec.import(std_module32, field, EntityType::Function(k as u32));
        sigs.push((std, export));
    }
    for (k, (std, export)) in sigs.iter().enumerate() {
        types.ty().function(
            export.params.iter().map(|t| val(*t)),
            export.results.iter().map(|t| val(*t)),
        );
        funcs.function(n + k as u32);
        let mut f = Function::new([]);
        // Keeps the memory import, which the wasm64 adapter has, through
        // wit-component's garbage collection of adapters.
        f.instruction(&I::I32Const(0))
            .instruction(&I::I32Load8U(mem(0, 0, 0)))
            .instruction(&I::Drop);
        for p in 0..std.params.len() as u32 {
            f.instruction(&I::LocalGet(p));
        }
        f.instruction(&I::Call(k as u32));
        for _ in &std.results {
            f.instruction(&I::Drop);
        }
        for r in &export.results {
            f.instruction(&match r {
                AbiValType::I32 => I::I32Const(0),
                AbiValType::I64 => I::I64Const(0),
                AbiValType::F32 => I::F32Const(0.0.into()),
                AbiValType::F64 => I::F64Const(0.0.into()),
            });
        }
        f.instruction(&I::End);
        code.function(&f);
        exports.export(&fields[k], ExportKind::Func, n + k as u32);
    }
    types
        .ty()
        .function(vec![ValType::I32; 4], vec![ValType::I32]);
    funcs.function(2 * n);
    let mut f = Function::new([]);
    f.instruction(&I::I32Const(0)).instruction(&I::End);
    code.function(&f);
    exports.export("cabi_import_realloc", ExportKind::Func, 2 * n);
    let mut m = Module::new();
    m.section(&types)
        .section(&import_sec)
        .section(&funcs)
        .section(&exports)
        .section(&code);
    Ok(m.finish())
}

/// `cabi_import_realloc(old, old_len, align, size)`: bump allocation in the
/// staging memory, growing it as needed.
fn realloc_body() -> Function {
    let mut g = Gen::bare(4);
    let (align, size) = (2, 3);
    let p = g.local(ValType::I32);
    let end = g.local(ValType::I64);
    let have = g.local(ValType::I64);
    g.i(I::GlobalGet(G_CUR))
        .i(I::LocalGet(align))
        .i(I::I32Add)
        .i(I::I32Const(1))
        .i(I::I32Sub)
        .i(I::I32Const(0))
        .i(I::LocalGet(align))
        .i(I::I32Sub)
        .i(I::I32And)
        .i(I::LocalTee(p))
        .i(I::I64ExtendI32U)
        .i(I::LocalGet(size))
        .i(I::I64ExtendI32U)
        .i(I::I64Add)
        .i(I::LocalTee(end))
        .i(I::MemorySize(STAGE))
        .i(I::I64ExtendI32U)
        .i(I::I64Const(16))
        .i(I::I64Shl)
        .i(I::LocalTee(have))
        .i(I::I64GtU)
        .i(I::If(BlockType::Empty))
        .i(I::LocalGet(end))
        .i(I::LocalGet(have))
        .i(I::I64Sub)
        .i(I::I64Const(0xffff))
        .i(I::I64Add)
        .i(I::I64Const(16))
        .i(I::I64ShrU)
        .i(I::I32WrapI64)
        .i(I::MemoryGrow(STAGE))
        .i(I::I32Const(-1))
        .i(I::I32Eq)
        .i(I::If(BlockType::Empty))
        .i(I::Unreachable)
        .i(I::End)
        .i(I::End)
        .i(I::LocalGet(end))
        .i(I::I32WrapI64)
        .i(I::GlobalSet(G_CUR))
        .i(I::LocalGet(p));
    g.finish()
}

/// Instructions, extra locals, and the type knowledge of the walks.
struct Gen<'a> {
    ins: Vec<I<'static>>,
    locals: Vec<ValType>,
    n_params: u32,
    l: Option<&'a Lowering>,
    /// The arena cursor (i64): bytes the result needs so far.
    cursor: u32,
    /// The caller's arena pointer (i64 param).
    arena_ptr: u32,
    /// The staging allocator.
    f_realloc: u32,
}

impl<'a> Gen<'a> {
    fn bare(n_params: u32) -> Gen<'static> {
        Gen {
            ins: Vec::new(),
            locals: Vec::new(),
            n_params,
            l: None,
            cursor: 0,
            arena_ptr: 0,
            f_realloc: 0,
        }
    }
    fn new(n_params: u32, l: &'a Lowering) -> Gen<'a> {
        Gen {
            ins: Vec::new(),
            locals: Vec::new(),
            n_params,
            l: Some(l),
            cursor: 0,
            arena_ptr: 0,
            f_realloc: 0,
        }
    }
    fn local(&mut self, t: ValType) -> u32 {
        self.locals.push(t);
        self.n_params + self.locals.len() as u32 - 1
    }
    fn i(&mut self, i: I<'static>) -> &mut Self {
        self.ins.push(i);
        self
    }
    fn finish(mut self) -> Function {
        self.ins.push(I::End);
        let mut f = Function::new(self.locals.iter().map(|t| (1, *t)));
        for i in &self.ins {
            f.instruction(i);
        }
        f
    }
    fn lowering(&self) -> &'a Lowering {
        self.l.expect("walks need the lowering")
    }

    fn resolve_alias(&self, ty: &Type) -> Type {
        let mut ty = *ty;
        while let Type::Id(id) = ty {
            match &self.lowering().resolve.types[id].kind {
                TypeDefKind::Type(t) => ty = *t,
                _ => break,
            }
        }
        ty
    }

    fn list_elem(&self, ty: &Type) -> Option<Type> {
        match self.resolve_alias(ty) {
            Type::String => Some(Type::U8),
            Type::Id(id) => match &self.lowering().resolve.types[id].kind {
                TypeDefKind::List(t) => Some(*t),
                _ => None,
            },
            _ => None,
        }
    }

    fn contains_list(&self, ty: &Type) -> bool {
        let id = match self.resolve_alias(ty) {
            Type::String => return true,
            Type::Id(id) => id,
            _ => return false,
        };
        match &self.lowering().resolve.types[id].kind {
            TypeDefKind::List(_) | TypeDefKind::Map(..) => true,
            TypeDefKind::FixedLengthList(t, _) => self.contains_list(t),
            TypeDefKind::Record(r) => r.fields.iter().any(|f| self.contains_list(&f.ty)),
            TypeDefKind::Tuple(t) => t.types.iter().any(|t| self.contains_list(t)),
            TypeDefKind::Variant(v) => v
                .cases
                .iter()
                .flat_map(|c| &c.ty)
                .any(|t| self.contains_list(t)),
            TypeDefKind::Option(t) => self.contains_list(t),
            TypeDefKind::Result(r) => r.ok.iter().chain(&r.err).any(|t| self.contains_list(t)),
            TypeDefKind::Type(t) => self.contains_list(t),
            _ => false,
        }
    }

    fn size32(&self, ty: &Type) -> u64 {
        self.lowering().sizes.size(ty).size_wasm32() as u64
    }
    fn size64(&self, ty: &Type) -> u64 {
        self.lowering().sizes.size(ty).size_wasm64() as u64
    }
    fn align64(&self, ty: &Type) -> u64 {
        self.lowering().sizes.align(ty).align_wasm64() as u64
    }

    /// Pushes the address `local + off` of memory `memory`.
    fn addr(&mut self, memory: u32, local: u32, off: u64) {
        self.i(I::LocalGet(local));
        if off != 0 {
            if memory == MAIN {
                self.i(I::I64Const(off as i64)).i(I::I64Add);
            } else {
                self.i(I::I32Const(off as i32)).i(I::I32Add);
            }
        }
    }

    /// Walks the value of type `ty` at staging address `src + off32` (wasm32
    /// layout), advancing the arena cursor for each list in pre-order; with
    /// `dst`, also writes it in the wasm64 layout at `dst` (memory, base
    /// local, offset) and its lists into the arena.
    fn walk(
        &mut self,
        ty: &Type,
        src: u32,
        off32: u64,
        dst: Option<(u32, u32, u64)>,
    ) -> Result<(), ComponentizeError> {
        if !self.contains_list(ty) {
            if let Some((m, d, o64)) = dst {
                let size = self.size32(ty);
                self.addr(m, d, o64);
                self.addr(STAGE, src, off32);
                self.i(I::I32Const(size as i32)).i(I::MemoryCopy {
                    src_mem: STAGE,
                    dst_mem: m,
                });
            }
            return Ok(());
        }
        if let Some(elem) = self.list_elem(ty) {
            return self.walk_list(&elem, src, off32, dst);
        }
        let Type::Id(id) = self.resolve_alias(ty) else {
            unreachable!("contains_list")
        };
        let kind = self.lowering().resolve.types[id].kind.clone();
        let sizes = &self.lowering().sizes;
        match kind {
            TypeDefKind::Record(r) => {
                let tys: Vec<Type> = r.fields.iter().map(|f| f.ty).collect();
                self.walk_fields(&tys, src, off32, dst)
            }
            TypeDefKind::Tuple(t) => self.walk_fields(&t.types, src, off32, dst),
            TypeDefKind::Option(t) => {
                let cases = [None, Some(t)];
                let p = sizes.payload_offset(Int::U8, cases.iter().map(|c| c.as_ref()));
                let (p32, p64) = (p.size_wasm32() as u64, p.size_wasm64() as u64);
                self.walk_cases(Int::U8, &cases, src, off32, dst, p32, p64)
            }
            TypeDefKind::Result(r) => {
                let cases = [r.ok, r.err];
                let p = sizes.payload_offset(Int::U8, cases.iter().map(|c| c.as_ref()));
                let (p32, p64) = (p.size_wasm32() as u64, p.size_wasm64() as u64);
                self.walk_cases(Int::U8, &cases, src, off32, dst, p32, p64)
            }
            TypeDefKind::Variant(v) => {
                let cases: Vec<Option<Type>> = v.cases.iter().map(|c| c.ty).collect();
                let p = sizes.payload_offset(v.tag(), cases.iter().map(|c| c.as_ref()));
                let (p32, p64) = (p.size_wasm32() as u64, p.size_wasm64() as u64);
                self.walk_cases(v.tag(), &cases, src, off32, dst, p32, p64)
            }
            _ => Err(ComponentizeError::Unsupported(
                "wasm64 adapter: a result type holds lists in a shape it cannot convert".into(),
            )),
        }
    }

    fn walk_fields(
        &mut self,
        tys: &[Type],
        src: u32,
        off32: u64,
        dst: Option<(u32, u32, u64)>,
    ) -> Result<(), ComponentizeError> {
        let offsets: Vec<(u64, u64, Type)> = self
            .lowering()
            .sizes
            .field_offsets(tys.iter())
            .into_iter()
            .map(|(o, t)| (o.size_wasm32() as u64, o.size_wasm64() as u64, *t))
            .collect();
        for (o32, o64, t) in offsets {
            self.walk(&t, src, off32 + o32, dst.map(|(m, d, o)| (m, d, o + o64)))?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn walk_cases(
        &mut self,
        tag: Int,
        cases: &[Option<Type>],
        src: u32,
        off32: u64,
        dst: Option<(u32, u32, u64)>,
        p32: u64,
        p64: u64,
    ) -> Result<(), ComponentizeError> {
        let (load, tag_size) = match tag {
            Int::U8 => (I::I32Load8U(mem(STAGE, off32, 0)), 1),
            Int::U16 => (I::I32Load16U(mem(STAGE, off32, 1)), 2),
            Int::U32 => (I::I32Load(mem(STAGE, off32, 2)), 4),
            Int::U64 => {
                return Err(ComponentizeError::Unsupported(
                    "wasm64 adapter: 64-bit discriminant".into(),
                ))
            }
        };
        if let Some((m, d, o64)) = dst {
            self.addr(m, d, o64);
            self.addr(STAGE, src, off32);
            self.i(I::I32Const(tag_size)).i(I::MemoryCopy {
                src_mem: STAGE,
                dst_mem: m,
            });
        }
        for (n, case) in cases.iter().enumerate() {
            let Some(t) = case else { continue };
            self.i(I::LocalGet(src))
                .i(load.clone())
                .i(I::I32Const(n as i32))
                .i(I::I32Eq)
                .i(I::If(BlockType::Empty));
            self.walk(t, src, off32 + p32, dst.map(|(m, d, o)| (m, d, o + p64)))?;
            self.i(I::End);
        }
        Ok(())
    }

    /// Copies the list (`ptr64` i64, `len` i32 locals) of the caller's
    /// memory into staging in the wasm32 layout; returns the local holding
    /// its staging address.
    fn stage_list(&mut self, elem: &Type, ptr64: u32, len: u32) -> Result<u32, ComponentizeError> {
        let (esize32, esize64) = (self.size32(elem), self.size64(elem));
        let ealign32 = self.lowering().sizes.align(elem).align_wasm32() as i32;
        let p32 = self.local(ValType::I32);
        let f_realloc = self.f_realloc;
        self.i(I::I32Const(0))
            .i(I::I32Const(0))
            .i(I::I32Const(ealign32))
            .i(I::LocalGet(len))
            .i(I::I32Const(esize32 as i32))
            .i(I::I32Mul)
            .i(I::Call(f_realloc))
            .i(I::LocalSet(p32));
        if !self.contains_list(elem) {
            self.i(I::LocalGet(p32))
                .i(I::LocalGet(ptr64))
                .i(I::LocalGet(len))
                .i(I::I32Const(esize32 as i32))
                .i(I::I32Mul)
                .i(I::MemoryCopy {
                    src_mem: MAIN,
                    dst_mem: STAGE,
                });
            return Ok(p32);
        }
        let i = self.local(ValType::I32);
        let el32 = self.local(ValType::I32);
        let el64 = self.local(ValType::I64);
        self.i(I::I32Const(0))
            .i(I::LocalSet(i))
            .i(I::Block(BlockType::Empty))
            .i(I::Loop(BlockType::Empty))
            .i(I::LocalGet(i))
            .i(I::LocalGet(len))
            .i(I::I32GeU)
            .i(I::BrIf(1))
            .i(I::LocalGet(p32))
            .i(I::LocalGet(i))
            .i(I::I32Const(esize32 as i32))
            .i(I::I32Mul)
            .i(I::I32Add)
            .i(I::LocalSet(el32))
            .i(I::LocalGet(ptr64))
            .i(I::LocalGet(i))
            .i(I::I64ExtendI32U)
            .i(I::I64Const(esize64 as i64))
            .i(I::I64Mul)
            .i(I::I64Add)
            .i(I::LocalSet(el64));
        self.walk_in(elem, el64, 0, el32, 0)?;
        self.i(I::LocalGet(i))
            .i(I::I32Const(1))
            .i(I::I32Add)
            .i(I::LocalSet(i))
            .i(I::Br(0))
            .i(I::End)
            .i(I::End);
        Ok(p32)
    }

    /// Copies the value of type `ty` at `src64 + off64` of the caller's
    /// memory (wasm64 layout) to `dst32 + off32` of staging (wasm32
    /// layout), its lists into staging too.
    fn walk_in(
        &mut self,
        ty: &Type,
        src64: u32,
        off64: u64,
        dst32: u32,
        off32: u64,
    ) -> Result<(), ComponentizeError> {
        if !self.contains_list(ty) {
            let size = self.size32(ty);
            self.addr(STAGE, dst32, off32);
            self.addr(MAIN, src64, off64);
            self.i(I::I32Const(size as i32)).i(I::MemoryCopy {
                src_mem: MAIN,
                dst_mem: STAGE,
            });
            return Ok(());
        }
        if let Some(elem) = self.list_elem(ty) {
            let ptr = self.local(ValType::I64);
            let len = self.local(ValType::I32);
            self.i(I::LocalGet(src64))
                .i(I::I64Load(mem(MAIN, off64, 3)))
                .i(I::LocalSet(ptr))
                .i(I::LocalGet(src64))
                .i(I::I64Load(mem(MAIN, off64 + PTR64, 3)))
                .i(I::I32WrapI64)
                .i(I::LocalSet(len));
            let p32 = self.stage_list(&elem, ptr, len)?;
            self.i(I::LocalGet(dst32))
                .i(I::LocalGet(p32))
                .i(I::I32Store(mem(STAGE, off32, 2)))
                .i(I::LocalGet(dst32))
                .i(I::LocalGet(len))
                .i(I::I32Store(mem(STAGE, off32 + PTR32, 2)));
            return Ok(());
        }
        let Type::Id(id) = self.resolve_alias(ty) else {
            unreachable!("contains_list")
        };
        let kind = self.lowering().resolve.types[id].kind.clone();
        let sizes = &self.lowering().sizes;
        let (tag, cases): (Int, Vec<Option<Type>>) = match kind {
            TypeDefKind::Record(r) => {
                let tys: Vec<Type> = r.fields.iter().map(|f| f.ty).collect();
                return self.walk_in_fields(&tys, src64, off64, dst32, off32);
            }
            TypeDefKind::Tuple(t) => {
                return self.walk_in_fields(&t.types, src64, off64, dst32, off32)
            }
            TypeDefKind::Option(t) => (Int::U8, vec![None, Some(t)]),
            TypeDefKind::Result(r) => (Int::U8, vec![r.ok, r.err]),
            TypeDefKind::Variant(v) => (v.tag(), v.cases.iter().map(|c| c.ty).collect()),
            _ => {
                return Err(ComponentizeError::Unsupported(
                    "wasm64 adapter: a parameter holds lists in a shape it cannot stage".into(),
                ))
            }
        };
        let p = sizes.payload_offset(tag, cases.iter().map(|c| c.as_ref()));
        let (p32, p64) = (p.size_wasm32() as u64, p.size_wasm64() as u64);
        let (load, tag_size) = match tag {
            Int::U8 => (I::I32Load8U(mem(MAIN, off64, 0)), 1),
            Int::U16 => (I::I32Load16U(mem(MAIN, off64, 1)), 2),
            Int::U32 => (I::I32Load(mem(MAIN, off64, 2)), 4),
            Int::U64 => {
                return Err(ComponentizeError::Unsupported(
                    "wasm64 adapter: 64-bit discriminant".into(),
                ))
            }
        };
        self.addr(STAGE, dst32, off32);
        self.addr(MAIN, src64, off64);
        self.i(I::I32Const(tag_size)).i(I::MemoryCopy {
            src_mem: MAIN,
            dst_mem: STAGE,
        });
        for (n, case) in cases.iter().enumerate() {
            let Some(t) = case else { continue };
            self.i(I::LocalGet(src64))
                .i(load.clone())
                .i(I::I32Const(n as i32))
                .i(I::I32Eq)
                .i(I::If(BlockType::Empty));
            self.walk_in(t, src64, off64 + p64, dst32, off32 + p32)?;
            self.i(I::End);
        }
        Ok(())
    }

    fn walk_in_fields(
        &mut self,
        tys: &[Type],
        src64: u32,
        off64: u64,
        dst32: u32,
        off32: u64,
    ) -> Result<(), ComponentizeError> {
        let offsets: Vec<(u64, u64, Type)> = self
            .lowering()
            .sizes
            .field_offsets(tys.iter())
            .into_iter()
            .map(|(o, t)| (o.size_wasm32() as u64, o.size_wasm64() as u64, *t))
            .collect();
        for (o32, o64, t) in offsets {
            self.walk_in(&t, src64, off64 + o64, dst32, off32 + o32)?;
        }
        Ok(())
    }

    fn walk_list(
        &mut self,
        elem: &Type,
        src: u32,
        off32: u64,
        dst: Option<(u32, u32, u64)>,
    ) -> Result<(), ComponentizeError> {
        let (esize32, esize64, ealign64) =
            (self.size32(elem), self.size64(elem), self.align64(elem));
        let nested = self.contains_list(elem);
        let ptr = self.local(ValType::I32);
        let len = self.local(ValType::I32);
        let start = self.local(ValType::I64);
        let cursor = self.cursor;
        self.i(I::LocalGet(src))
            .i(I::I32Load(mem(STAGE, off32, 2)))
            .i(I::LocalSet(ptr))
            .i(I::LocalGet(src))
            .i(I::I32Load(mem(STAGE, off32 + PTR32, 2)))
            .i(I::LocalSet(len))
            // start = align_up(cursor); cursor = start + len * esize64
            .i(I::LocalGet(cursor))
            .i(I::I64Const(ealign64 as i64 - 1))
            .i(I::I64Add)
            .i(I::I64Const(-(ealign64 as i64)))
            .i(I::I64And)
            .i(I::LocalTee(start))
            .i(I::LocalGet(len))
            .i(I::I64ExtendI32U)
            .i(I::I64Const(esize64 as i64))
            .i(I::I64Mul)
            .i(I::I64Add)
            .i(I::LocalSet(cursor));
        let at64 = match dst {
            Some((m, d, o64)) => {
                let list = self.local(ValType::I64);
                let arena_ptr = self.arena_ptr;
                self.i(I::LocalGet(arena_ptr))
                    .i(I::LocalGet(start))
                    .i(I::I64Add)
                    .i(I::LocalSet(list));
                let store = |o| I::I64Store(mem(m, o, 3));
                self.i(I::LocalGet(d))
                    .i(I::LocalGet(list))
                    .i(store(o64))
                    .i(I::LocalGet(d))
                    .i(I::LocalGet(len))
                    .i(I::I64ExtendI32U)
                    .i(store(o64 + PTR64));
                if !nested {
                    self.i(I::LocalGet(list))
                        .i(I::LocalGet(ptr))
                        .i(I::LocalGet(len))
                        .i(I::I32Const(esize32 as i32))
                        .i(I::I32Mul)
                        .i(I::MemoryCopy {
                            src_mem: STAGE,
                            dst_mem: MAIN,
                        });
                }
                Some(list)
            }
            None => None,
        };
        if nested {
            let i = self.local(ValType::I32);
            let el32 = self.local(ValType::I32);
            let el64 = self.local(ValType::I64);
            self.i(I::I32Const(0))
                .i(I::LocalSet(i))
                .i(I::Block(BlockType::Empty))
                .i(I::Loop(BlockType::Empty))
                .i(I::LocalGet(i))
                .i(I::LocalGet(len))
                .i(I::I32GeU)
                .i(I::BrIf(1))
                .i(I::LocalGet(ptr))
                .i(I::LocalGet(i))
                .i(I::I32Const(esize32 as i32))
                .i(I::I32Mul)
                .i(I::I32Add)
                .i(I::LocalSet(el32));
            if let Some(list) = at64 {
                self.i(I::LocalGet(list))
                    .i(I::LocalGet(i))
                    .i(I::I64ExtendI32U)
                    .i(I::I64Const(esize64 as i64))
                    .i(I::I64Mul)
                    .i(I::I64Add)
                    .i(I::LocalSet(el64));
            }
            self.walk(elem, el32, 0, at64.map(|_| (MAIN, el64, 0)))?;
            self.i(I::LocalGet(i))
                .i(I::I32Const(1))
                .i(I::I32Add)
                .i(I::LocalSet(i))
                .i(I::Br(0))
                .i(I::End)
                .i(I::End);
        }
        Ok(())
    }
}

struct Wrapper<'a, 'b> {
    l: &'a Lowering,
    imp: &'a Import,
    g: Gen<'a>,
    std_func: u32,
    f_realloc: u32,
    next_global: &'b mut u32,
    globals: &'b mut GlobalSection,
}

impl Wrapper<'_, '_> {
    fn new_global(&mut self, t: ValType) -> u32 {
        let init = match t {
            ValType::I64 => ConstExpr::i64_const(0),
            _ => ConstExpr::i32_const(0),
        };
        self.globals.global(
            GlobalType {
                val_type: t,
                mutable: true,
                shared: false,
            },
            &init,
        );
        *self.next_global += 1;
        *self.next_global - 1
    }

    fn unsupported(&self, what: &str) -> ComponentizeError {
        ComponentizeError::Unsupported(format!("{}: {what}", self.imp.display_name()))
    }

    /// Flat index range of each WIT parameter.
    fn flat_ranges(&self) -> Result<Vec<(String, Type, usize, usize)>, ComponentizeError> {
        let func = self
            .imp
            .func()
            .ok_or_else(|| self.unsupported("not a function"))?;
        let mut out = Vec::new();
        let mut at = 0;
        for p in &func.params {
            let mut storage = [WasmType::I32; 64];
            let mut flat = FlatTypes::new(&mut storage);
            self.l.resolve.push_flat(&p.ty, &mut flat);
            let n = flat.to_vec().len();
            out.push((p.name.clone(), p.ty, at, at + n));
            at += n;
        }
        Ok(out)
    }

    /// A plain import with list parameters: the lists are copied into
    /// staging (wasmtime 49 reads a list parameter of a 64-bit memory at
    /// its address truncated to 32 bits), the return area too.
    fn build_plain(&mut self) -> Result<Function, ComponentizeError> {
        let params = self.flat_ranges()?;
        let n_flat = params.last().map_or(0, |p| p.3);
        let retptr = (self.imp.sig.params.len() > n_flat).then_some(n_flat as u32);
        let f_realloc = self.f_realloc;
        self.g
            .i(I::GlobalGet(G_PENDING))
            .i(I::I32Eqz)
            .i(I::If(BlockType::Empty))
            .i(I::I32Const(STAGE_START))
            .i(I::GlobalSet(G_CUR))
            .i(I::End);
        let staged = self.stage_params(&params)?;
        let ret32 = self.g.local(ValType::I32);
        let result_ty = self.imp.func().and_then(|f| f.result);
        if let (Some(_), Some(ty)) = (retptr, result_ty) {
            if self.g.contains_list(&ty) {
                return Err(self.unsupported("a plain import returns lists"));
            }
            let (size, align) = (
                self.l.sizes.size(&ty).size_wasm32() as i32,
                self.l.sizes.align(&ty).align_wasm32() as i32,
            );
            self.g
                .i(I::I32Const(0))
                .i(I::I32Const(0))
                .i(I::I32Const(align))
                .i(I::I32Const(size))
                .i(I::Call(f_realloc))
                .i(I::LocalSet(ret32));
        }
        self.push_params(&params, &staged);
        let g = &mut self.g;
        if retptr.is_some() {
            g.i(I::LocalGet(ret32));
        }
        g.i(I::Call(self.std_func));
        if let (Some(rp), Some(ty)) = (retptr, result_ty) {
            let size = self.l.sizes.size(&ty).size_wasm32() as i32;
            self.g
                .i(I::LocalGet(rp))
                .i(I::LocalGet(ret32))
                .i(I::I32Const(size))
                .i(I::MemoryCopy {
                    src_mem: STAGE,
                    dst_mem: MAIN,
                });
        }
        let g = std::mem::replace(&mut self.g, Gen::bare(0));
        Ok(g.finish())
    }

    /// Copies each list parameter into staging (in the wasm32 layout);
    /// returns, per parameter, the staging pointer local of a copied list.
    fn stage_params(
        &mut self,
        params: &[(String, Type, usize, usize)],
    ) -> Result<Vec<Option<u32>>, ComponentizeError> {
        let mut staged = Vec::new();
        for (_, ty, a, _) in params {
            if let Some(elem) = self.g.list_elem(ty) {
                let g = &mut self.g;
                let len = g.local(ValType::I32);
                g.i(I::LocalGet(*a as u32 + 1))
                    .i(I::I32WrapI64)
                    .i(I::LocalSet(len));
                staged.push(Some(self.g.stage_list(&elem, *a as u32, len)?));
            } else if self.g.contains_list(ty) {
                return Err(self.unsupported("a parameter holds lists"));
            } else {
                staged.push(None);
            }
        }
        Ok(staged)
    }

    /// Pushes the wasm32 flat parameters: staged lists as (ptr, len) i32.
    fn push_params(&mut self, params: &[(String, Type, usize, usize)], staged: &[Option<u32>]) {
        let g = &mut self.g;
        for (p32, (_, _, a, b)) in staged.iter().zip(params) {
            match p32 {
                Some(p32) => {
                    g.i(I::LocalGet(*p32))
                        .i(I::LocalGet(*a as u32 + 1))
                        .i(I::I32WrapI64);
                }
                None => {
                    for k in *a..*b {
                        g.i(I::LocalGet(k as u32));
                    }
                }
            }
        }
    }

    fn build(&mut self) -> Result<Function, ComponentizeError> {
        let buf = self.imp.buffer.clone().expect("only buffer imports");
        let func = self
            .imp
            .func()
            .ok_or_else(|| self.unsupported("not a function"))?
            .clone();
        let result_ty = func.result.ok_or_else(|| self.unsupported("no result"))?;
        let sizes = &self.l.sizes;
        let ret_size32 = sizes.size(&result_ty).size_wasm32() as i32;
        let ret_align32 = sizes.align(&result_ty).align_wasm32() as i32;
        let ret_size64 = sizes.size(&result_ty).size_wasm64() as i32;
        let ret_align64 = sizes.align(&result_ty).align_wasm64() as i32;
        let (retptr, arena_ptr, arena_len) = (
            buf.retptr as u32,
            buf.arena_ptr as u32,
            buf.arena_len as u32,
        );
        self.g.arena_ptr = arena_ptr;
        self.g.cursor = self.g.local(ValType::I64);
        let params = self.flat_ranges()?;
        let direct = matches!(
            buf.too_small,
            TooSmall::ShortRead { .. } | TooSmall::BoundedByInput { .. }
        );
        let replayable = !direct
            && !params.iter().any(|(_, t, _, _)| self.g.contains_list(t))
            && (0..retptr).all(|k| {
                matches!(
                    self.imp.sig.params[k as usize],
                    AbiValType::I32 | AbiValType::I64
                )
            });

        match &buf.too_small {
            TooSmall::ShortRead { len_param } => {
                let k = params
                    .iter()
                    .find(|p| &p.0 == len_param)
                    .ok_or_else(|| self.unsupported("no length parameter"))?
                    .2 as u32;
                for bound in [None, Some(MAX_READ)] {
                    let g = &mut self.g;
                    g.i(I::LocalGet(k));
                    match bound {
                        None => g.i(I::LocalGet(arena_len)),
                        Some(b) => g.i(I::I64Const(b)),
                    };
                    g.i(I::I64GtU).i(I::If(BlockType::Empty));
                    match bound {
                        None => g.i(I::LocalGet(arena_len)),
                        Some(b) => g.i(I::I64Const(b)),
                    };
                    g.i(I::LocalSet(k)).i(I::End);
                }
            }
            TooSmall::BoundedByInput { .. } => {
                let (_, _, at, _) = params
                    .iter()
                    .find(|p| self.g.list_elem(&p.1).is_some())
                    .ok_or_else(|| self.unsupported("no list parameter to bound the result"))?
                    .clone();
                let elem = self
                    .g
                    .list_elem(&result_ty)
                    .ok_or_else(|| self.unsupported("result is not a list"))?;
                let esize = self.g.size64(&elem) as i64;
                let g = &mut self.g;
                let bound = g.local(ValType::I64);
                g.i(I::LocalGet(at as u32 + 1))
                    .i(I::I64Const(esize))
                    .i(I::I64Mul)
                    .i(I::LocalTee(bound))
                    .i(I::LocalGet(arena_len))
                    .i(I::I64GtU)
                    .i(I::If(BlockType::Empty))
                    .i(I::LocalGet(bound))
                    .i(I::Return)
                    .i(I::End);
            }
            TooSmall::ShortDatagrams => {
                let k = params
                    .iter()
                    .find(|p| p.0 == "max-results")
                    .ok_or_else(|| self.unsupported("no max-results"))?
                    .2 as u32;
                self.g
                    .i(I::LocalGet(k))
                    .i(I::I64Const(1))
                    .i(I::I64GtU)
                    .i(I::If(BlockType::Empty))
                    .i(I::I64Const(1))
                    .i(I::LocalSet(k))
                    .i(I::End);
            }
            TooSmall::ReportRequired => {}
        }

        let pending = if replayable {
            let r = self.new_global(ValType::I64);
            let kept = self.new_global(ValType::I32);
            let keys: Vec<(u32, u32, ValType)> = (0..retptr)
                .map(|k| {
                    let t = val(self.imp.sig.params[k as usize]);
                    (k, self.new_global(t), t)
                })
                .collect();
            Some((r, kept, keys))
        } else {
            None
        };

        let ret32 = self.g.local(ValType::I32);
        let replay = self.g.local(ValType::I32);
        let f_realloc = self.f_realloc;
        self.g.i(I::Block(BlockType::Empty));
        if let Some((g_r, g_kept, keys)) = &pending {
            let g = &mut self.g;
            g.i(I::Block(BlockType::Empty))
                .i(I::GlobalGet(*g_r))
                .i(I::I64Eqz)
                .i(I::BrIf(0));
            for (k, gk, t) in keys {
                g.i(I::LocalGet(*k))
                    .i(I::GlobalGet(*gk))
                    .i(if *t == ValType::I64 {
                        I::I64Ne
                    } else {
                        I::I32Ne
                    })
                    .i(I::BrIf(0));
            }
            // The same call as the pending one: answer from the kept result.
            g.i(I::GlobalGet(*g_kept))
                .i(I::LocalSet(ret32))
                .i(I::I32Const(1))
                .i(I::LocalSet(replay))
                .i(I::Br(1))
                .i(I::End);
        }
        // A fresh call: staging restarts when nothing is pending.
        self.g
            .i(I::GlobalGet(G_PENDING))
            .i(I::I32Eqz)
            .i(I::If(BlockType::Empty))
            .i(I::I32Const(STAGE_START))
            .i(I::GlobalSet(G_CUR))
            .i(I::End);
        // List parameters are copied into staging.
        let staged = self.stage_params(&params)?;
        self.g
            .i(I::I32Const(0))
            .i(I::I32Const(0))
            .i(I::I32Const(ret_align32))
            .i(I::I32Const(ret_size32))
            .i(I::Call(f_realloc))
            .i(I::LocalSet(ret32));
        self.push_params(&params, &staged);
        let g = &mut self.g;
        g.i(I::LocalGet(ret32)).i(I::Call(self.std_func)).i(I::End);

        // The size the result needs in the arena, in the wasm64 layout.
        let cursor = self.g.cursor;
        self.g.i(I::I64Const(0)).i(I::LocalSet(cursor));
        self.g.walk(&result_ty, ret32, 0, None)?;
        let r = self.g.local(ValType::I64);
        let g = &mut self.g;
        g.i(I::LocalGet(cursor))
            .i(I::LocalTee(r))
            .i(I::LocalGet(arena_len))
            .i(I::I64GtU)
            .i(I::If(BlockType::Empty));
        if direct {
            // The host returned more than the WIT contract allows.
            g.i(I::Unreachable);
        } else if let Some((g_r, g_kept, keys)) = &pending {
            g.i(I::LocalGet(replay))
                .i(I::I32Eqz)
                .i(I::If(BlockType::Empty))
                .i(I::GlobalGet(*g_r))
                .i(I::I64Eqz)
                .i(I::If(BlockType::Empty))
                .i(I::GlobalGet(G_PENDING))
                .i(I::I32Const(1))
                .i(I::I32Add)
                .i(I::GlobalSet(G_PENDING))
                .i(I::End)
                .i(I::LocalGet(r))
                .i(I::GlobalSet(*g_r))
                .i(I::LocalGet(ret32))
                .i(I::GlobalSet(*g_kept));
            for (k, gk, _) in keys {
                g.i(I::LocalGet(*k)).i(I::GlobalSet(*gk));
            }
            g.i(I::End);
        }
        g.i(I::LocalGet(r)).i(I::Return).i(I::End);
        if let Some((g_r, _, _)) = &pending {
            g.i(I::LocalGet(replay))
                .i(I::If(BlockType::Empty))
                .i(I::I64Const(0))
                .i(I::GlobalSet(*g_r))
                .i(I::GlobalGet(G_PENDING))
                .i(I::I32Const(1))
                .i(I::I32Sub)
                .i(I::GlobalSet(G_PENDING))
                .i(I::End);
        }
        // It fits: the return area is built in staging, the lists go to
        // the arena, then the return area is copied to retptr.
        let tmp = g.local(ValType::I32);
        g.i(I::I32Const(0))
            .i(I::I32Const(0))
            .i(I::I32Const(ret_align64))
            .i(I::I32Const(ret_size64))
            .i(I::Call(f_realloc))
            .i(I::LocalSet(tmp))
            .i(I::I64Const(0))
            .i(I::LocalSet(cursor));
        self.g.walk(&result_ty, ret32, 0, Some((STAGE, tmp, 0)))?;
        self.g
            .i(I::LocalGet(retptr))
            .i(I::LocalGet(tmp))
            .i(I::I32Const(ret_size64))
            .i(I::MemoryCopy {
                src_mem: STAGE,
                dst_mem: MAIN,
            })
            .i(I::LocalGet(r));
        let g = std::mem::replace(&mut self.g, Gen::bare(0));
        Ok(g.finish())
    }
}
