//! Glue functions: the standard Canonical-ABI signature of a list-returning
//! WASI function, implemented on top of its caller-supplied-buffer wasit2
//! import.
//!
//! Every glue function
//! 1. takes an arena from the module's allocator (`cabi_realloc`), reusing
//!    a spare block kept in a global when it has one,
//! 2. calls the wasit2 import, growing the arena and calling again while the
//!    host reports it too small (such calls have no side effect by the ABI),
//! 3. makes every list of the result an allocation of its own, the way the
//!    standard host would have allocated it with `cabi_realloc(0, 0, align,
//!    size)`, because the original code may free each list separately:
//!    - zero copy when the result holds one list not nested in another (a
//!      stream read, a string): that list is at arena offset 0, so the
//!      arena itself, shrunk to the list's size, becomes the list;
//!    - otherwise each list is copied out of the arena into its own block
//!      and the pointers are rewritten, walking the WIT type of the result;
//! 4. keeps an arena it did not hand over as the spare for the next call,
//!    since the allocator interface offers no way to free it.

use wasm_encoder::{BlockType, Function, Instruction as I, MemArg, MemArgTarget, ValType};
use wit_parser::{Int, Type, TypeDefKind};

use wasit2_abi::{Import, Lowering, TooSmall};

use crate::BridgeError;

/// Arena size tried first when the import has no length parameter; the host
/// reports the exact size if it is too small.
const INITIAL_ARENA: i32 = 1024;
/// Most bytes a short read asks for at once, so `read(u64::MAX)` does not
/// allocate its request up front.
const MAX_SHORT_READ: i64 = 64 * 1024;

/// Function and global indices (in the output module) the glue refers to.
pub(crate) struct GlueIndices {
    pub import: u32,
    pub realloc: u32,
    pub spare_ptr: u32,
    pub spare_cap: u32,
}

/// Local variable allocator for one glue function.
struct Locals {
    next: u32,
    extra: Vec<ValType>,
}

impl Locals {
    fn new_i32(&mut self) -> u32 {
        self.extra.push(ValType::I32);
        self.next += 1;
        self.next - 1
    }
}

struct Gen<'a> {
    lowering: &'a Lowering,
    func_name: &'a str,
    idx: &'a GlueIndices,
    locals: Locals,
    body: Vec<I<'static>>,
    arena: u32,
    cap: u32,
    /// Whether the single top-level list is handed over without copying.
    zero_copy: bool,
}

/// Builds the glue for the caller-supplied-buffer import `imp`. `std_params`
/// is the standard core signature's parameter list (ending in the return
/// pointer); the glue returns nothing, like the standard import.
pub(crate) fn build(
    lowering: &Lowering,
    imp: &Import,
    std_params: &[ValType],
    idx: &GlueIndices,
) -> Result<Function, BridgeError> {
    let buffer = imp
        .buffer
        .as_ref()
        .expect("glue is built only for buffer imports");
    let func = imp.func().expect("buffer imports are functions");
    let result = func.result.as_ref().expect("buffer imports return a list");
    let name = imp.display_name();

    let mut top = Vec::new();
    top_level_lists(lowering, result, &mut top);
    let zero_copy = top.len() == 1
        && !contains_list(lowering, &top[0])
        && lowering.align_of(&top[0]) == buffer.arena_align;

    let n_params = std_params.len() as u32;
    let mut locals = Locals {
        next: n_params,
        extra: Vec::new(),
    };
    let arena = locals.new_i32();
    let cap = locals.new_i32();
    let need = locals.new_i32();
    let mut g = Gen {
        lowering,
        func_name: &name,
        idx,
        locals,
        body: Vec::new(),
        arena,
        cap,
        zero_copy,
    };
    let align = buffer.arena_align as i32;
    let retptr = buffer.retptr as u32;

    // Initial arena size.
    match &buffer.too_small {
        TooSmall::ShortRead { len_param } => {
            let len = flat_param_index(lowering, func, len_param).ok_or_else(|| {
                BridgeError::UnsupportedResultType {
                    func: name.clone(),
                    what: format!("no parameter `{len_param}`"),
                }
            })?;
            // cap = min(len, MAX_SHORT_READ): the host reads at most the arena.
            g.body.extend([
                I::LocalGet(len),
                I::I64Const(MAX_SHORT_READ),
                I::LocalGet(len),
                I::I64Const(MAX_SHORT_READ),
                I::I64LtU,
                I::Select,
                I::I32WrapI64,
                I::LocalSet(cap),
            ]);
        }
        _ => g
            .body
            .extend([I::I32Const(INITIAL_ARENA), I::LocalSet(cap)]),
    }

    // Take the arena: the spare block if there is one (grown if needed).
    g.body
        .extend([I::LocalGet(cap), I::I32Eqz, I::If(BlockType::Empty)]);
    g.realloc_fresh(align, I::I32Const(0));
    g.body.extend([
        I::LocalSet(arena),
        I::Else,
        I::GlobalGet(idx.spare_ptr),
        I::I32Eqz,
        I::If(BlockType::Empty),
    ]);
    g.realloc_fresh(align, I::LocalGet(cap));
    g.body.extend([
        I::LocalSet(arena),
        I::Else,
        I::GlobalGet(idx.spare_cap),
        I::LocalGet(cap),
        I::I32GeU,
        I::If(BlockType::Empty),
        I::GlobalGet(idx.spare_ptr),
        I::LocalSet(arena),
        I::GlobalGet(idx.spare_cap),
        I::LocalSet(cap),
        I::Else,
        I::GlobalGet(idx.spare_ptr),
        I::GlobalGet(idx.spare_cap),
        I::I32Const(align),
        I::LocalGet(cap),
        I::Call(idx.realloc),
        I::LocalSet(arena),
        I::End,
        I::I32Const(0),
        I::GlobalSet(idx.spare_ptr),
        I::End,
        I::End,
    ]);

    // Call; while the host needs more, grow the arena and call again.
    g.body.push(I::Loop(BlockType::Empty));
    for p in 0..n_params {
        g.body.push(I::LocalGet(p));
    }
    g.body.extend([
        I::LocalGet(arena),
        I::LocalGet(cap),
        I::Call(idx.import),
        I::LocalTee(need),
        I::LocalGet(cap),
        I::I32GtU,
        I::If(BlockType::Empty),
        I::LocalGet(cap),
        I::I32Eqz,
        I::If(BlockType::Result(ValType::I32)),
    ]);
    g.realloc_fresh(align, I::LocalGet(need));
    g.body.extend([
        I::Else,
        I::LocalGet(arena),
        I::LocalGet(cap),
        I::I32Const(align),
        I::LocalGet(need),
        I::Call(idx.realloc),
        I::End,
        I::LocalSet(arena),
        I::LocalGet(need),
        I::LocalSet(cap),
        I::Br(1),
        I::End,
        I::End,
    ]);

    // Give every list its own allocation.
    g.fixup(result, retptr, 0)?;

    // Keep an arena that was not handed over as the spare.
    g.body.extend([
        I::LocalGet(arena),
        I::I32Const(0),
        I::I32Ne,
        I::LocalGet(cap),
        I::I32Const(0),
        I::I32Ne,
        I::I32And,
        I::GlobalGet(idx.spare_ptr),
        I::I32Eqz,
        I::I32And,
        I::If(BlockType::Empty),
        I::LocalGet(arena),
        I::GlobalSet(idx.spare_ptr),
        I::LocalGet(cap),
        I::GlobalSet(idx.spare_cap),
        I::End,
        I::End,
    ]);

    let mut f = Function::new(g.locals.extra.iter().map(|t| (1, *t)));
    for ins in &g.body {
        f.instruction(ins);
    }
    Ok(f)
}

impl Gen<'_> {
    /// Pushes `cabi_realloc(0, 0, align, <size>)`.
    fn realloc_fresh(&mut self, align: i32, size: I<'static>) {
        self.body.extend([
            I::I32Const(0),
            I::I32Const(0),
            I::I32Const(align),
            size,
            I::Call(self.idx.realloc),
        ]);
    }

    fn unsupported(&self, what: &str) -> BridgeError {
        BridgeError::UnsupportedResultType {
            func: self.func_name.to_string(),
            what: what.to_string(),
        }
    }

    /// Emits code that gives every list in the value of type `ty` stored at
    /// `local(base) + off` its own allocation.
    fn fixup(&mut self, ty: &Type, base: u32, off: u64) -> Result<(), BridgeError> {
        let l = self.lowering;
        let id = match ty {
            Type::String => return self.list(&Type::U8, base, off),
            Type::Id(id) => *id,
            _ => return Ok(()),
        };
        if !contains_list(l, ty) {
            return Ok(());
        }
        let sizes = &l.sizes;
        match &l.resolve.types[id].kind {
            TypeDefKind::List(elem) => self.list(elem, base, off)?,
            TypeDefKind::Type(t) => self.fixup(t, base, off)?,
            TypeDefKind::Record(r) => {
                let offsets = sizes.field_offsets(r.fields.iter().map(|f| &f.ty));
                for (o, fty) in offsets {
                    self.fixup(fty, base, off + o.size_wasm32() as u64)?;
                }
            }
            TypeDefKind::Tuple(t) => {
                for (o, fty) in sizes.field_offsets(t.types.iter()) {
                    self.fixup(fty, base, off + o.size_wasm32() as u64)?;
                }
            }
            TypeDefKind::Option(t) => {
                let cases = [None, Some(t)];
                self.variant(Int::U8, &cases, base, off)?;
            }
            TypeDefKind::Result(r) => {
                let cases = [r.ok.as_ref(), r.err.as_ref()];
                self.variant(Int::U8, &cases, base, off)?;
            }
            TypeDefKind::Variant(v) => {
                let cases: Vec<Option<&Type>> = v.cases.iter().map(|c| c.ty.as_ref()).collect();
                self.variant(v.tag(), &cases, base, off)?;
            }
            other => return Err(self.unsupported(&format!("{other:?}"))),
        }
        Ok(())
    }

    fn variant(
        &mut self,
        tag: Int,
        cases: &[Option<&Type>],
        base: u32,
        off: u64,
    ) -> Result<(), BridgeError> {
        let payload = self
            .lowering
            .sizes
            .payload_offset(tag, cases.iter().copied())
            .size_wasm32() as u64;
        for (k, case) in cases.iter().enumerate() {
            let Some(ty) = case else { continue };
            if !contains_list(self.lowering, ty) {
                continue;
            }
            self.body.push(I::LocalGet(base));
            self.body.push(match tag {
                Int::U8 => I::I32Load8U(mem(off, 0)),
                Int::U16 => I::I32Load16U(mem(off, 1)),
                Int::U32 => I::I32Load(mem(off, 2)),
                Int::U64 => return Err(self.unsupported("64-bit discriminant")),
            });
            self.body
                .extend([I::I32Const(k as i32), I::I32Eq, I::If(BlockType::Empty)]);
            self.fixup(ty, base, off + payload)?;
            self.body.push(I::End);
        }
        Ok(())
    }

    /// The list (pointer, length) stored at `local(base) + off`.
    fn list(&mut self, elem: &Type, base: u32, off: u64) -> Result<(), BridgeError> {
        let esize = self.lowering.size_of(elem) as i32;
        let ealign = self.lowering.align_of(elem) as i32;
        let bytes = self.locals.new_i32();
        self.body.extend([
            I::LocalGet(base),
            I::I32Load(mem(off + 4, 2)),
            I::I32Const(esize),
            I::I32Mul,
            I::LocalSet(bytes),
        ]);
        if self.zero_copy {
            // The list starts at arena offset 0. An empty list gets what the
            // standard host would give it; the arena then stays spare.
            let (arena, cap) = (self.arena, self.cap);
            self.body.extend([
                I::LocalGet(bytes),
                I::I32Eqz,
                I::If(BlockType::Empty),
                I::LocalGet(base),
            ]);
            self.realloc_fresh(ealign, I::I32Const(0));
            self.body.extend([
                I::I32Store(mem(off, 2)),
                I::Else,
                I::LocalGet(bytes),
                I::LocalGet(cap),
                I::I32Ne,
                I::If(BlockType::Empty),
                I::LocalGet(arena),
                I::LocalGet(cap),
                I::I32Const(ealign),
                I::LocalGet(bytes),
                I::Call(self.idx.realloc),
                I::LocalSet(arena),
                I::End,
                I::LocalGet(base),
                I::LocalGet(arena),
                I::I32Store(mem(off, 2)),
                // Handed over to the caller.
                I::I32Const(0),
                I::LocalSet(arena),
                I::End,
            ]);
            return Ok(());
        }
        let new = self.locals.new_i32();
        self.realloc_fresh(ealign, I::LocalGet(bytes));
        self.body.extend([
            I::LocalSet(new),
            I::LocalGet(new),
            I::LocalGet(base),
            I::I32Load(mem(off, 2)),
            I::LocalGet(bytes),
            I::MemoryCopy {
                src_mem: 0,
                dst_mem: 0,
            },
            I::LocalGet(base),
            I::LocalGet(new),
            I::I32Store(mem(off, 2)),
        ]);
        if contains_list(self.lowering, elem) {
            // for (elem = new; elem < new + bytes; elem += esize) fixup(elem)
            let cur = self.locals.new_i32();
            let end = self.locals.new_i32();
            self.body.extend([
                I::LocalGet(new),
                I::LocalSet(cur),
                I::LocalGet(new),
                I::LocalGet(bytes),
                I::I32Add,
                I::LocalSet(end),
                I::Block(BlockType::Empty),
                I::Loop(BlockType::Empty),
                I::LocalGet(cur),
                I::LocalGet(end),
                I::I32GeU,
                I::BrIf(1),
            ]);
            self.fixup(elem, cur, 0)?;
            self.body.extend([
                I::LocalGet(cur),
                I::I32Const(esize),
                I::I32Add,
                I::LocalSet(cur),
                I::Br(0),
                I::End,
                I::End,
            ]);
        }
        Ok(())
    }
}

fn mem(offset: u64, align: u32) -> MemArg {
    MemArg {
        offset,
        align,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

/// Index of the first core parameter of WIT parameter `name`.
fn flat_param_index(lowering: &Lowering, func: &wit_parser::Function, name: &str) -> Option<u32> {
    let mut index = 0;
    for p in &func.params {
        if p.name == name {
            return Some(index);
        }
        let mut storage = [wit_parser::abi::WasmType::I32; 64];
        let mut flat = wit_parser::abi::FlatTypes::new(&mut storage);
        lowering.resolve.push_flat(&p.ty, &mut flat);
        index += flat.to_vec().len() as u32;
    }
    None
}

/// Whether a value of `ty` holds a list or string (handles do not count).
pub(crate) fn contains_list(lowering: &Lowering, ty: &Type) -> bool {
    let mut found = Vec::new();
    top_level_lists(lowering, ty, &mut found);
    !found.is_empty()
}

/// Element types of the lists in `ty` that are not inside another list.
fn top_level_lists(lowering: &Lowering, ty: &Type, out: &mut Vec<Type>) {
    let id = match ty {
        Type::String => return out.push(Type::U8),
        Type::Id(id) => *id,
        _ => return,
    };
    match &lowering.resolve.types[id].kind {
        TypeDefKind::List(t) => out.push(*t),
        TypeDefKind::Type(t) | TypeDefKind::Option(t) => top_level_lists(lowering, t, out),
        TypeDefKind::FixedLengthList(t, _) => top_level_lists(lowering, t, out),
        TypeDefKind::Record(r) => r
            .fields
            .iter()
            .for_each(|f| top_level_lists(lowering, &f.ty, out)),
        TypeDefKind::Tuple(t) => t
            .types
            .iter()
            .for_each(|t| top_level_lists(lowering, t, out)),
        TypeDefKind::Variant(v) => v
            .cases
            .iter()
            .flat_map(|c| &c.ty)
            .for_each(|t| top_level_lists(lowering, t, out)),
        TypeDefKind::Result(r) => {
            r.ok.iter()
                .chain(&r.err)
                .for_each(|t| top_level_lists(lowering, t, out))
        }
        TypeDefKind::Map(k, _) => out.push(*k),
        _ => {}
    }
}
