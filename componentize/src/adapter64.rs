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
//!
//! What it shares with the wasm32 adapter is in `adapter_common.rs`.

use std::ops::{Deref, DerefMut};

use wasit2_abi::{Arch, CoreSig, Import, Lowering, TooSmall, ValType as AbiValType};
use wasm_encoder::{BlockType, ExportKind, Function, Instruction as I, ValType};
use wit_parser::{Int, Type};

use crate::adapter_common::{
    contains_list, field_offsets, flat_ranges, input_bound, list_elem, mem, payload_offsets,
    replayable, shape, tag_load, unsupported, writes_direct, AdapterModule, Body, Pending, Shape,
};
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
    let mut m = AdapterModule::new(true);
    for imp in imports {
        let sig = std_sig32(l32, std_module32, &module32, &imp.field).ok_or_else(|| {
            ComponentizeError::Unsupported(format!("{module64} {}: no wasm32 lowering", imp.field))
        })?;
        m.import_func(std_module32, &imp.field, &sig);
    }
    // Defined functions: realloc, then one wrapper per served function (the
    // standard import it calls has the same index n).
    let f_realloc = m.next_func();
    m.global(ValType::I32, STAGE_START);
    m.global(ValType::I32, 0);

    let t_realloc = m.func_type(&[ValType::I32; 4], &[ValType::I32]);
    m.define(t_realloc, &realloc_body());
    m.export("cabi_import_realloc", ExportKind::Func, f_realloc);
    let stage = m.memory32(1);
    debug_assert_eq!(stage, STAGE);
    m.export(STAGING_MEMORY, ExportKind::Memory, STAGE);

    for (n, imp) in imports.iter().enumerate() {
        let ty = m.sig_type(&imp.sig);
        let mut w = Wrapper {
            l: l64,
            imp,
            g: Gen {
                body: Body::new(imp.sig.params.len() as u32),
                l: l64,
                cursor: 0,
                arena_ptr: 0,
                f_realloc,
            },
            std_func: n as u32,
            f_realloc,
        };
        let f = if imp.buffer.is_some() {
            w.build(&mut m)?
        } else {
            w.build_plain()?
        };
        let index = m.define(ty, &f);
        m.export(&imp.field, ExportKind::Func, index);
    }
    Ok(m.finish())
}

/// Whether the adapter serves the plain import `imp`: one with a list
/// parameter (and no other parameter holding lists).
pub(crate) fn stages(l: &Lowering, imp: &Import) -> bool {
    let r = &l.resolve;
    imp.is_plain()
        && imp.func().is_some_and(|f| {
            f.params.iter().any(|p| list_elem(r, &p.ty).is_some())
                && f.params
                    .iter()
                    .all(|p| list_elem(r, &p.ty).is_some() || !contains_list(r, &p.ty))
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
) -> Option<CoreSig> {
    if let Some(plain) = l32.import(std_module32, field).filter(|i| i.is_plain()) {
        return Some(plain.sig.clone());
    }
    let imp = l32.import(module32, field)?;
    let buf = imp.buffer.as_ref()?;
    Some(CoreSig {
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
    let mut m = AdapterModule::new(false);
    let mut sigs = Vec::new();
    for field in fields {
        let std = std_sig32(l32, std_module32, &module32, field).ok_or_else(|| {
            ComponentizeError::Unsupported(format!("{module32} {field}: no wasm32 lowering"))
        })?;
        let export = l32
            .import(&module32, field)
            .filter(|i| !i.is_plain())
            .map(|i| i.sig.clone())
            .unwrap_or_else(|| std.clone());
        m.import_func(std_module32, field, &std);
        sigs.push((std, export));
    }
    for (k, (std, export)) in sigs.iter().enumerate() {
        let ty = m.sig_type(export);
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
        let index = m.define(ty, &f);
        m.export(&fields[k], ExportKind::Func, index);
    }
    let t_realloc = m.func_type(&[ValType::I32; 4], &[ValType::I32]);
    let mut f = Function::new([]);
    f.instruction(&I::I32Const(0)).instruction(&I::End);
    let index = m.define(t_realloc, &f);
    m.export("cabi_import_realloc", ExportKind::Func, index);
    Ok(m.finish())
}

/// `cabi_import_realloc(old, old_len, align, size)`: bump allocation in the
/// staging memory, growing it as needed.
pub(crate) fn realloc_body() -> Function {
    let mut g = Body::new(4);
    let (align, size) = (2, 3);
    let p = g.local(ValType::I32);
    let end = g.local(ValType::I64);
    let have = g.local(ValType::I64);
    g.bump_end(I::GlobalGet(G_CUR), align, size, p)
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

/// A function body with the type knowledge of the walks.
pub(crate) struct Gen<'a> {
    body: Body,
    l: &'a Lowering,
    /// The arena cursor (i64): bytes the result needs so far.
    cursor: u32,
    /// The caller's arena pointer (i64 param).
    arena_ptr: u32,
    /// The staging allocator.
    f_realloc: u32,
}

impl Deref for Gen<'_> {
    type Target = Body;
    fn deref(&self) -> &Body {
        &self.body
    }
}

impl DerefMut for Gen<'_> {
    fn deref_mut(&mut self) -> &mut Body {
        &mut self.body
    }
}

impl<'a> Gen<'a> {
    /// A body of `n_params` parameters for the lift shim (lift64.rs), which
    /// numbers memories, the staging cursor and its bump allocator
    /// `f_realloc` as this adapter does; only [`Gen::walk_in`] is used.
    pub(crate) fn for_lift(l: &'a Lowering, n_params: u32, f_realloc: u32) -> Gen<'a> {
        Gen {
            body: Body::new(n_params),
            l,
            cursor: 0,
            arena_ptr: 0,
            f_realloc,
        }
    }

    fn list_elem(&self, ty: &Type) -> Option<Type> {
        list_elem(&self.l.resolve, ty)
    }

    fn contains_list(&self, ty: &Type) -> bool {
        contains_list(&self.l.resolve, ty)
    }

    /// Takes the finished body, leaving an empty one.
    pub(crate) fn take(&mut self) -> Function {
        std::mem::replace(&mut self.body, Body::new(0)).finish()
    }

    fn size32(&self, ty: &Type) -> u64 {
        self.l.sizes.size(ty).size_wasm32() as u64
    }
    fn size64(&self, ty: &Type) -> u64 {
        self.l.sizes.size(ty).size_wasm64() as u64
    }
    fn align64(&self, ty: &Type) -> u64 {
        self.l.sizes.align(ty).align_wasm64() as u64
    }

    /// Pushes the address `local + off` of memory `memory`.
    pub(crate) fn addr(&mut self, memory: u32, local: u32, off: u64) {
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
        match shape(&self.l.resolve, ty) {
            Some(Shape::Fields(tys)) => self.walk_fields(&tys, src, off32, dst),
            Some(Shape::Cases(tag, cases)) => {
                let (p32, p64) = payload_offsets(&self.l.sizes, tag, &cases);
                self.walk_cases(tag, &cases, src, off32, dst, p32, p64)
            }
            None => Err(ComponentizeError::Unsupported(
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
        for (o32, o64, t) in field_offsets(&self.l.sizes, tys) {
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
        let (load, tag_size) = tag_load(tag, STAGE, off32).ok_or_else(discriminant64)?;
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
        let ealign32 = self.l.sizes.align(elem).align_wasm32() as i32;
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
        self.loop_start(i, len)
            .elem_addr32(p32, i, esize32, el32)
            .elem_addr64(ptr64, i, esize64, el64);
        self.walk_in(elem, el64, 0, el32, 0)?;
        self.loop_end(i);
        Ok(p32)
    }

    /// Copies the value of type `ty` at `src64 + off64` of the caller's
    /// memory (wasm64 layout) to `dst32 + off32` of staging (wasm32
    /// layout), its lists into staging too.
    pub(crate) fn walk_in(
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
        let (tag, cases) = match shape(&self.l.resolve, ty) {
            Some(Shape::Fields(tys)) => {
                return self.walk_in_fields(&tys, src64, off64, dst32, off32)
            }
            Some(Shape::Cases(tag, cases)) => (tag, cases),
            None => {
                return Err(ComponentizeError::Unsupported(
                    "wasm64 adapter: a parameter holds lists in a shape it cannot stage".into(),
                ))
            }
        };
        let (p32, p64) = payload_offsets(&self.l.sizes, tag, &cases);
        let (load, tag_size) = tag_load(tag, MAIN, off64).ok_or_else(discriminant64)?;
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
        for (o32, o64, t) in field_offsets(&self.l.sizes, tys) {
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
            self.loop_start(i, len).elem_addr32(ptr, i, esize32, el32);
            if let Some(list) = at64 {
                self.elem_addr64(list, i, esize64, el64);
            }
            self.walk(elem, el32, 0, at64.map(|_| (MAIN, el64, 0)))?;
            self.loop_end(i);
        }
        Ok(())
    }
}

fn discriminant64() -> ComponentizeError {
    ComponentizeError::Unsupported("wasm64 adapter: 64-bit discriminant".into())
}

struct Wrapper<'a> {
    l: &'a Lowering,
    imp: &'a Import,
    g: Gen<'a>,
    std_func: u32,
    f_realloc: u32,
}

impl Wrapper<'_> {
    fn unsupported(&self, what: &str) -> ComponentizeError {
        unsupported(self.imp, what)
    }

    /// A plain import with list parameters: the lists are copied into
    /// staging (wasmtime 49 reads a list parameter of a 64-bit memory at
    /// its address truncated to 32 bits), the return area too.
    fn build_plain(&mut self) -> Result<Function, ComponentizeError> {
        let params = flat_ranges(&self.l.resolve, self.imp)?;
        let n_flat = params.last().map_or(0, |p| p.3);
        let retptr = (self.imp.sig.params.len() > n_flat).then_some(n_flat as u32);
        let f_realloc = self.f_realloc;
        self.g
            .restart_when_idle(G_PENDING, I::I32Const(STAGE_START), G_CUR);
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
        Ok(self.g.take())
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

    fn build(&mut self, m: &mut AdapterModule) -> Result<Function, ComponentizeError> {
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
        let params = flat_ranges(&self.l.resolve, self.imp)?;
        let direct = writes_direct(&buf.too_small);
        let replayable = replayable(&self.l.resolve, self.imp, &buf.too_small, retptr);

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
                let (len_idx, elem) = input_bound(&self.l.resolve, self.imp, &result_ty)?;
                let esize = self.g.size64(&elem) as i64;
                let g = &mut self.g;
                let bound = g.local(ValType::I64);
                g.i(I::LocalGet(len_idx))
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
                self.g.one_datagram(k);
            }
            TooSmall::ReportRequired => {}
        }

        let pending = replayable.then(|| Pending::new(m, self.imp, retptr, ValType::I64));

        let ret32 = self.g.local(ValType::I32);
        let replay = self.g.local(ValType::I32);
        let f_realloc = self.f_realloc;
        self.g.i(I::Block(BlockType::Empty));
        if let Some(pending) = &pending {
            let g = &mut self.g;
            pending.same_call(g);
            // The same call as the pending one: answer from the kept result.
            g.i(I::GlobalGet(pending.kept))
                .i(I::LocalSet(ret32))
                .i(I::I32Const(1))
                .i(I::LocalSet(replay))
                .i(I::Br(1))
                .i(I::End);
        }
        // A fresh call: staging restarts when nothing is pending.
        self.g
            .restart_when_idle(G_PENDING, I::I32Const(STAGE_START), G_CUR);
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
        } else if let Some(pending) = &pending {
            g.i(I::LocalGet(replay))
                .i(I::I32Eqz)
                .i(I::If(BlockType::Empty));
            pending.keep(g, G_PENDING, I::LocalGet(r), I::LocalGet(ret32));
            g.i(I::End);
        }
        g.i(I::LocalGet(r)).i(I::Return).i(I::End);
        if let Some(pending) = &pending {
            g.i(I::LocalGet(replay)).i(I::If(BlockType::Empty));
            pending.release(g, G_PENDING);
            g.i(I::End);
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
        Ok(self.g.take())
    }
}
