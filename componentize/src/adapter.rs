//! Generates the adapter module that serves one `wasit2-cm32p2|<iface>`
//! import module on top of the standard Canonical ABI imports.
//!
//! Each exported function takes the wasit2 caller-supplied-buffer signature,
//! calls the standard `cm32p2|<iface>` import and places the result's lists
//! with its own `cabi_import_realloc`, a bump allocator pointed into the
//! caller's arena. See `docs/componentize.md` for the too-small strategy.
//! What it shares with the wasm64 adapter is in `adapter_common.rs`.

use wasit2_abi::{CoreSig, Import, Lowering, TooSmall, ValType as AbiValType};
use wasm_encoder::{BlockType, ExportKind, Function, Instruction as I, ValType};
use wit_parser::{Int, Type};

use crate::adapter_common::{
    contains_list, field_offsets, flat_ranges, input_bound, list_elem, mem, payload_offsets,
    replayable, shape, tag_load, unsupported, writes_direct, AdapterModule, Body, Pending, Shape,
};
use crate::ComponentizeError;

const PAGE_SHIFT: i32 = 16;

// Adapter-wide globals (all mutable i32).
/// Start of the caller's arena for the call in progress.
const G_ARENA_PTR: u32 = 0;
/// Length of the caller's arena for the call in progress.
const G_ARENA_LEN: u32 = 1;
/// Bytes the result needs so far, laid out as in the arena (padding included).
const G_USED: u32 = 2;
/// Current scratch region (obtained with `memory.grow`): base, cursor, end.
const G_SCRATCH_BASE: u32 = 3;
const G_SCRATCH_CUR: u32 = 4;
const G_SCRATCH_END: u32 = 5;
/// Number of results kept pending in scratch; scratch is reset only at 0.
const G_PENDING_COUNT: u32 = 6;
/// Where `reloc_alloc` places lists: 0 = the arena, 1 = scratch.
const G_RELOC_MODE: u32 = 7;
const FIXED_GLOBALS: u32 = 8;

/// The only memory: the caller's.
const MEMORY: u32 = 0;

/// Builds the adapter for `module` exporting the given buffer imports.
pub(crate) fn build(
    lowering: &Lowering,
    module: &str,
    imports: &[&Import],
) -> Result<Vec<u8>, ComponentizeError> {
    let std_module = module
        .strip_prefix("wasit2-")
        .ok_or_else(|| ComponentizeError::Unsupported(format!("import module `{module}`")))?;
    let mut m = AdapterModule::new(false);
    for imp in imports {
        let buf = imp
            .buffer
            .as_ref()
            .expect("only buffer imports are adapted");
        // The standard lowering is the wasit2 one without the arena params
        // and without the size result (see the ABI's BufferAbi).
        let std_sig = CoreSig {
            params: imp.sig.params[..buf.arena_ptr].to_vec(),
            results: Vec::new(),
        };
        m.import_func(std_module, &imp.field, &std_sig);
    }

    // Defined functions: realloc, scratch_alloc, reloc_alloc, then one
    // wrapper per served function (the standard import it calls has the
    // same index n).
    let (f_realloc, f_scratch, f_reloc) = (m.next_func(), m.next_func() + 1, m.next_func() + 2);
    for _ in 0..FIXED_GLOBALS {
        m.global(ValType::I32, 0);
    }
    let t_realloc = m.func_type(&[ValType::I32; 4], &[ValType::I32]);
    m.define(t_realloc, &realloc_body(f_scratch));
    let t_alloc = m.func_type(&[ValType::I32; 2], &[ValType::I32]);
    m.define(t_alloc, &scratch_alloc_body());
    m.define(t_alloc, &reloc_alloc_body(f_scratch));
    m.export("cabi_import_realloc", ExportKind::Func, f_realloc);

    for (n, imp) in imports.iter().enumerate() {
        let ty = m.sig_type(&imp.sig);
        let mut w = Wrapper {
            lowering,
            imp,
            body: Body::new(imp.sig.params.len() as u32),
            std_func: n as u32,
            f_scratch,
            f_reloc,
        };
        let f = w.build(&mut m)?;
        let index = m.define(ty, &f);
        m.export(&imp.field, ExportKind::Func, index);
    }
    Ok(m.finish())
}

/// `cabi_import_realloc(old_ptr, old_len, align, new_len)`: places the next
/// list at the next aligned offset of the arena layout; a list that does not
/// fit in the arena goes to scratch, while the layout keeps counting so the
/// final offset is the size the caller needs.
fn realloc_body(f_scratch: u32) -> Function {
    let mut b = Body::new(4);
    let (align, size) = (2, 3);
    let start = b.local(ValType::I32);
    let end = b.local(ValType::I32);
    let used = b.local(ValType::I32);
    b.i(I::GlobalGet(G_USED)).i(I::LocalSet(used));
    b.align_up(I::LocalGet(used), align)
        .i(I::LocalTee(start))
        .i(I::LocalGet(size))
        .i(I::I32Add)
        .i(I::LocalTee(end))
        .i(I::GlobalSet(G_USED))
        // end <= arena_len (and no wrap-around) => in the arena.
        .i(I::LocalGet(end))
        .i(I::GlobalGet(G_ARENA_LEN))
        .i(I::I32LeU)
        .i(I::LocalGet(end))
        .i(I::LocalGet(start))
        .i(I::I32GeU)
        .i(I::I32And)
        .i(I::If(BlockType::Empty))
        .i(I::GlobalGet(G_ARENA_PTR))
        .i(I::LocalGet(start))
        .i(I::I32Add)
        .i(I::Return)
        .i(I::End)
        .i(I::LocalGet(align))
        .i(I::LocalGet(size))
        .i(I::Call(f_scratch));
    b.finish()
}

/// `scratch_alloc(align, size)`: bump allocation in adapter-owned pages of
/// the shared memory, obtained with `memory.grow` (like the guest's own
/// `sbrk` would). A region too small is abandoned for a new, larger one, so
/// results pending in it stay valid.
fn scratch_alloc_body() -> Function {
    let mut b = Body::new(2);
    let (align, size) = (0, 1);
    let p = b.local(ValType::I32);
    let pages = b.local(ValType::I32);
    let cur = b.local(ValType::I32);
    b.i(I::GlobalGet(G_SCRATCH_CUR)).i(I::LocalSet(cur));
    // p + size > end, computed in i64 so huge sizes cannot wrap.
    b.bump_end(I::LocalGet(cur), align, size, p)
        .i(I::GlobalGet(G_SCRATCH_END))
        .i(I::I64ExtendI32U)
        .i(I::I64GtU)
        .i(I::If(BlockType::Empty))
        // pages = (size + align + 0xffff) >> 16, in i64 to avoid wrap.
        .i(I::LocalGet(size))
        .i(I::I64ExtendI32U)
        .i(I::LocalGet(align))
        .i(I::I64ExtendI32U)
        .i(I::I64Add)
        .i(I::I64Const(0xffff))
        .i(I::I64Add)
        .i(I::I64Const(PAGE_SHIFT as i64))
        .i(I::I64ShrU)
        .i(I::I32WrapI64)
        .i(I::LocalTee(pages))
        .i(I::MemoryGrow(MEMORY))
        .i(I::LocalTee(p))
        .i(I::I32Const(-1))
        .i(I::I32Eq)
        .i(I::If(BlockType::Empty))
        .i(I::Unreachable)
        .i(I::End)
        .i(I::LocalGet(p))
        .i(I::I32Const(PAGE_SHIFT))
        .i(I::I32Shl)
        .i(I::LocalTee(cur))
        .i(I::GlobalSet(G_SCRATCH_BASE))
        .i(I::LocalGet(cur))
        .i(I::LocalGet(pages))
        .i(I::I32Const(PAGE_SHIFT))
        .i(I::I32Shl)
        .i(I::I32Add)
        .i(I::GlobalSet(G_SCRATCH_END));
    b.align_up(I::LocalGet(cur), align)
        .i(I::LocalSet(p))
        .i(I::End);
    b.i(I::LocalGet(p))
        .i(I::LocalGet(size))
        .i(I::I32Add)
        .i(I::GlobalSet(G_SCRATCH_CUR))
        .i(I::LocalGet(p));
    b.finish()
}

/// `reloc_alloc(align, size)`: allocation used when moving a result that is
/// already in memory: bump in the arena (mode 0, the caller checked that the
/// whole result fits) or in scratch (mode 1); both advance the layout.
fn reloc_alloc_body(f_scratch: u32) -> Function {
    let mut b = Body::new(2);
    let (align, size) = (0, 1);
    let used = b.local(ValType::I32);
    let start = b.local(ValType::I32);
    b.i(I::GlobalGet(G_USED)).i(I::LocalSet(used));
    b.align_up(I::LocalGet(used), align)
        .i(I::LocalTee(start))
        .i(I::LocalGet(size))
        .i(I::I32Add)
        .i(I::GlobalSet(G_USED))
        .i(I::GlobalGet(G_RELOC_MODE))
        .i(I::If(BlockType::Empty))
        .i(I::LocalGet(align))
        .i(I::LocalGet(size))
        .i(I::Call(f_scratch))
        .i(I::Return)
        .i(I::End)
        .i(I::GlobalGet(G_ARENA_PTR))
        .i(I::LocalGet(start))
        .i(I::I32Add);
    b.finish()
}

/// `memory.copy` within the caller's memory.
const COPY: I<'static> = I::MemoryCopy {
    src_mem: MEMORY,
    dst_mem: MEMORY,
};

struct Wrapper<'a> {
    lowering: &'a Lowering,
    imp: &'a Import,
    body: Body,
    std_func: u32,
    f_scratch: u32,
    f_reloc: u32,
}

impl Wrapper<'_> {
    fn unsupported(&self, what: &str) -> ComponentizeError {
        unsupported(self.imp, what)
    }

    fn list_elem(&self, ty: &Type) -> Option<Type> {
        list_elem(&self.lowering.resolve, ty)
    }

    fn contains_list(&self, ty: &Type) -> bool {
        contains_list(&self.lowering.resolve, ty)
    }

    /// Flat index of the WIT parameter `name` (params before it are flattened
    /// with the Canonical ABI rules).
    fn flat_param(&self, name: &str) -> Result<usize, ComponentizeError> {
        flat_ranges(&self.lowering.resolve, self.imp)?
            .into_iter()
            .find(|p| p.0 == name)
            .map(|p| p.2)
            .ok_or_else(|| self.unsupported(&format!("no parameter `{name}`")))
    }

    fn build(&mut self, m: &mut AdapterModule) -> Result<Function, ComponentizeError> {
        let buf = self.imp.buffer.clone().unwrap();
        let func = self
            .imp
            .func()
            .ok_or_else(|| self.unsupported("not a function"))?
            .clone();
        let result_ty = func.result.ok_or_else(|| self.unsupported("no result"))?;
        let ret_size = self.lowering.size_of(&result_ty) as i32;
        let ret_align = self.lowering.align_of(&result_ty) as i32;
        let (retptr, arena_ptr, arena_len) = (
            buf.retptr as u32,
            buf.arena_ptr as u32,
            buf.arena_len as u32,
        );
        let replayable = replayable(&self.lowering.resolve, self.imp, &buf.too_small, retptr);
        let direct = writes_direct(&buf.too_small);

        let b = &mut self.body;
        b.i(I::LocalGet(arena_ptr))
            .i(I::GlobalSet(G_ARENA_PTR))
            .i(I::LocalGet(arena_len))
            .i(I::GlobalSet(G_ARENA_LEN))
            .i(I::I32Const(0))
            .i(I::GlobalSet(G_USED));

        match &buf.too_small {
            TooSmall::ShortRead { len_param } => {
                let k = self.flat_param(len_param)? as u32;
                if self.imp.sig.params[k as usize] != AbiValType::I64 {
                    return Err(self.unsupported("length parameter is not u64"));
                }
                let b = &mut self.body;
                b.i(I::LocalGet(k))
                    .i(I::LocalGet(arena_len))
                    .i(I::I64ExtendI32U)
                    .i(I::I64GtU)
                    .i(I::If(BlockType::Empty))
                    .i(I::LocalGet(arena_len))
                    .i(I::I64ExtendI32U)
                    .i(I::LocalSet(k))
                    .i(I::End);
            }
            TooSmall::BoundedByInput { .. } => {
                // One result element per input element: the arena must hold
                // `len(first list param) * size(result element)`.
                let (len_idx, elem) = input_bound(&self.lowering.resolve, self.imp, &result_ty)?;
                let esize = self.lowering.size_of(&elem) as i64;
                let b = &mut self.body;
                let bound = b.local(ValType::I64);
                b.i(I::LocalGet(len_idx))
                    .i(I::I64ExtendI32U)
                    .i(I::I64Const(esize))
                    .i(I::I64Mul)
                    .i(I::LocalTee(bound))
                    .i(I::LocalGet(arena_len))
                    .i(I::I64ExtendI32U)
                    .i(I::I64GtU)
                    .i(I::If(BlockType::Empty))
                    // Saturate: the bound must stay a valid i32 size.
                    .i(I::LocalGet(bound))
                    .i(I::I64Const(u32::MAX as i64))
                    .i(I::LocalGet(bound))
                    .i(I::I64Const(u32::MAX as i64))
                    .i(I::I64LtU)
                    .i(I::Select)
                    .i(I::I32WrapI64)
                    .i(I::Return)
                    .i(I::End);
            }
            TooSmall::ShortDatagrams => {
                let k = self.flat_param("max-results")? as u32;
                self.body.one_datagram(k);
            }
            TooSmall::ReportRequired => {}
        }

        // Pending-result state of this function.
        let pending = replayable.then(|| Pending::new(m, self.imp, retptr, ValType::I32));

        let ret_local = if direct {
            retptr
        } else {
            if let Some(pending) = &pending {
                let r_local = self.body.local(ValType::I32);
                let b = &mut self.body;
                pending.same_call(b);
                // Same call as the pending one: answer from the kept result.
                b.i(I::GlobalGet(pending.required))
                    .i(I::LocalTee(r_local))
                    .i(I::LocalGet(arena_len))
                    .i(I::I32GtU)
                    .i(I::If(BlockType::Empty))
                    .i(I::LocalGet(r_local))
                    .i(I::Return)
                    .i(I::End)
                    .i(I::LocalGet(retptr))
                    .i(I::GlobalGet(pending.kept))
                    .i(I::I32Const(ret_size))
                    .i(COPY)
                    .i(I::I32Const(0))
                    .i(I::GlobalSet(G_RELOC_MODE));
                self.emit_fixup(&result_ty, retptr, 0)?;
                pending.release(&mut self.body, G_PENDING_COUNT);
                self.body.i(I::LocalGet(r_local)).i(I::Return).i(I::End);
            }
            let b = &mut self.body;
            let ret = b.local(ValType::I32);
            b.restart_when_idle(G_PENDING_COUNT, I::GlobalGet(G_SCRATCH_BASE), G_SCRATCH_CUR);
            b.i(I::I32Const(ret_align))
                .i(I::I32Const(ret_size))
                .i(I::Call(self.f_scratch))
                .i(I::LocalSet(ret));
            ret
        };

        // The standard call; its lists land in the arena via the realloc.
        let b = &mut self.body;
        for p in 0..retptr {
            b.i(I::LocalGet(p));
        }
        b.i(I::LocalGet(ret_local)).i(I::Call(self.std_func));
        let r = b.local(ValType::I32);
        b.i(I::GlobalGet(G_USED))
            .i(I::LocalTee(r))
            .i(I::LocalGet(arena_len))
            .i(I::I32LeU)
            .i(I::If(BlockType::Empty));
        if !direct {
            b.i(I::LocalGet(retptr))
                .i(I::LocalGet(ret_local))
                .i(I::I32Const(ret_size))
                .i(COPY);
        }
        b.i(I::LocalGet(r)).i(I::Return).i(I::End);

        if direct {
            // The host returned more than the WIT contract allows.
            b.i(I::Unreachable);
        } else if let Some(pending) = &pending {
            // Too small: move the whole result to scratch (parts of it may
            // be in the caller's arena, which the caller may reuse) and keep
            // it for the retry.
            let kept = b.local(ValType::I32);
            b.i(I::I32Const(ret_align))
                .i(I::I32Const(ret_size))
                .i(I::Call(self.f_scratch))
                .i(I::LocalTee(kept))
                .i(I::LocalGet(ret_local))
                .i(I::I32Const(ret_size))
                .i(COPY)
                .i(I::I32Const(1))
                .i(I::GlobalSet(G_RELOC_MODE))
                .i(I::I32Const(0))
                .i(I::GlobalSet(G_USED));
            self.emit_fixup(&result_ty, kept, 0)?;
            let b = &mut self.body;
            pending.keep(b, G_PENDING_COUNT, I::GlobalGet(G_USED), I::LocalGet(kept));
            b.i(I::GlobalGet(pending.required));
        } else {
            b.i(I::LocalGet(r));
        }
        let body = std::mem::replace(&mut self.body, Body::new(0));
        Ok(body.finish())
    }

    /// Emits code that moves every list held by the value at `base + off`
    /// to `reloc_alloc` storage and rewrites its pointer, in the arena's
    /// pre-order placement (element array first, then the lists inside the
    /// elements, in order).
    fn emit_fixup(&mut self, ty: &Type, base: u32, off: u64) -> Result<(), ComponentizeError> {
        if !self.contains_list(ty) {
            return Ok(());
        }
        if let Some(elem) = self.list_elem(ty) {
            return self.emit_list_fixup(&elem, base, off);
        }
        match shape(&self.lowering.resolve, ty) {
            Some(Shape::Fields(tys)) => {
                for (o, _, t) in field_offsets(&self.lowering.sizes, &tys) {
                    self.emit_fixup(&t, base, off + o)?;
                }
                Ok(())
            }
            Some(Shape::Cases(tag, cases)) => {
                let (payload, _) = payload_offsets(&self.lowering.sizes, tag, &cases);
                self.emit_cases(tag, &cases, base, off, payload)
            }
            None => {
                Err(self.unsupported("result type holds lists in a shape the adapter cannot move"))
            }
        }
    }

    fn emit_cases(
        &mut self,
        tag: Int,
        cases: &[Option<Type>],
        base: u32,
        off: u64,
        payload: u64,
    ) -> Result<(), ComponentizeError> {
        for (n, case) in cases.iter().enumerate() {
            let Some(t) = case else { continue };
            if !self.contains_list(t) {
                continue;
            }
            let (load, _) = tag_load(tag, MEMORY, off)
                .ok_or_else(|| self.unsupported("64-bit discriminant"))?;
            self.body
                .i(I::LocalGet(base))
                .i(load)
                .i(I::I32Const(n as i32))
                .i(I::I32Eq)
                .i(I::If(BlockType::Empty));
            self.emit_fixup(t, base, off + payload)?;
            self.body.i(I::End);
        }
        Ok(())
    }

    fn emit_list_fixup(
        &mut self,
        elem: &Type,
        base: u32,
        off: u64,
    ) -> Result<(), ComponentizeError> {
        let esize = self.lowering.size_of(elem) as i32;
        let ealign = self.lowering.align_of(elem) as i32;
        let b = &mut self.body;
        let (old, len, new, bytes) = (
            b.local(ValType::I32),
            b.local(ValType::I32),
            b.local(ValType::I32),
            b.local(ValType::I32),
        );
        b.i(I::LocalGet(base))
            .i(I::I32Load(mem(MEMORY, off, 2)))
            .i(I::LocalSet(old))
            .i(I::LocalGet(base))
            .i(I::I32Load(mem(MEMORY, off + 4, 2)))
            .i(I::LocalTee(len))
            .i(I::I32Const(esize))
            .i(I::I32Mul)
            .i(I::LocalSet(bytes))
            .i(I::I32Const(ealign))
            .i(I::LocalGet(bytes))
            .i(I::Call(self.f_reloc))
            .i(I::LocalTee(new))
            .i(I::LocalGet(old))
            .i(I::LocalGet(bytes))
            .i(COPY)
            .i(I::LocalGet(base))
            .i(I::LocalGet(new))
            .i(I::I32Store(mem(MEMORY, off, 2)));
        if self.contains_list(elem) {
            let b = &mut self.body;
            let (i, at) = (b.local(ValType::I32), b.local(ValType::I32));
            b.loop_start(i, len).elem_addr32(new, i, esize as u64, at);
            self.emit_fixup(elem, at, 0)?;
            self.body.loop_end(i);
        }
        Ok(())
    }
}
