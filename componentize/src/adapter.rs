//! Generates the adapter module that serves one `wasit2-cm32p2|<iface>`
//! import module on top of the standard Canonical ABI imports.
//!
//! Each exported function takes the wasit2 caller-supplied-buffer signature,
//! calls the standard `cm32p2|<iface>` import and places the result's lists
//! with its own `cabi_import_realloc`, a bump allocator pointed into the
//! caller's arena. See `docs/componentize.md` for the too-small strategy.

use wasit2_abi::{Import, Lowering, TooSmall, ValType as AbiValType};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, EntityType, ExportKind, ExportSection, Function,
    FunctionSection, GlobalSection, GlobalType, ImportSection, Instruction as I, MemArg,
    MemArgTarget, MemoryType, Module, TypeSection, ValType,
};
use wit_parser::abi::{FlatTypes, WasmType};
use wit_parser::{Int, Type, TypeDefKind};

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

/// One wasit2 buffer function served by the adapter.
struct Served<'a> {
    import: &'a Import,
    /// Index of the standard import this function calls.
    std_func: u32,
}

/// Builds the adapter for `module` exporting the given buffer imports.
pub(crate) fn build(
    lowering: &Lowering,
    module: &str,
    imports: &[&Import],
) -> Result<Vec<u8>, ComponentizeError> {
    let std_module = module
        .strip_prefix("wasit2-")
        .ok_or_else(|| ComponentizeError::Unsupported(format!("import module `{module}`")))?;
    let mut types = TypeSection::new();
    let mut type_count = 0u32;
    let mut add_type = |types: &mut TypeSection, params: Vec<ValType>, results: Vec<ValType>| {
        types.ty().function(params, results);
        type_count += 1;
        type_count - 1
    };

    let mut import_sec = ImportSection::new();
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
    let mut served = Vec::new();
    for (n, imp) in imports.iter().enumerate() {
        let buf = imp
            .buffer
            .as_ref()
            .expect("only buffer imports are adapted");
        // The standard lowering is the wasit2 one without the arena params
        // and without the size result (see the ABI's BufferAbi).
        let params = imp.sig.params[..buf.arena_ptr]
            .iter()
            .map(|t| val(*t))
            .collect();
        let ty = add_type(&mut types, params, vec![]);
        import_sec.import(std_module, &imp.field, EntityType::Function(ty));
        served.push(Served {
            import: imp,
            std_func: n as u32,
        });
    }
    let n_imports = served.len() as u32;

    // Defined functions: realloc, scratch_alloc, reloc_alloc, then one
    // wrapper per served function.
    let f_realloc = n_imports;
    let f_scratch = n_imports + 1;
    let f_reloc = n_imports + 2;
    let mut funcs = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    let mut globals = GlobalSection::new();
    let i32g = GlobalType {
        val_type: ValType::I32,
        mutable: true,
        shared: false,
    };
    for _ in 0..FIXED_GLOBALS {
        globals.global(i32g, &ConstExpr::i32_const(0));
    }
    let mut next_global = FIXED_GLOBALS;

    let t_realloc = add_type(&mut types, vec![ValType::I32; 4], vec![ValType::I32]);
    funcs.function(t_realloc);
    code.function(&realloc_body(f_scratch));
    let t_alloc = add_type(&mut types, vec![ValType::I32; 2], vec![ValType::I32]);
    funcs.function(t_alloc);
    code.function(&scratch_alloc_body());
    funcs.function(t_alloc);
    code.function(&reloc_alloc_body(f_scratch));
    exports.export("cabi_import_realloc", ExportKind::Func, f_realloc);

    for (n, s) in served.iter().enumerate() {
        let sig = &s.import.sig;
        let ty = add_type(
            &mut types,
            sig.params.iter().map(|t| val(*t)).collect(),
            sig.results.iter().map(|t| val(*t)).collect(),
        );
        funcs.function(ty);
        let mut w = Wrapper {
            lowering,
            imp: s.import,
            body: Body::new(sig.params.len() as u32),
            std_func: s.std_func,
            f_scratch,
            f_reloc,
            next_global: &mut next_global,
            globals: &mut globals,
        };
        let f = w.build()?;
        code.function(&f);
        exports.export(&s.import.field, ExportKind::Func, n_imports + 3 + n as u32);
    }

    let mut m = Module::new();
    m.section(&types)
        .section(&import_sec)
        .section(&funcs)
        .section(&globals)
        .section(&exports)
        .section(&code);
    Ok(m.finish())
}

fn val(t: AbiValType) -> ValType {
    match t {
        AbiValType::I32 => ValType::I32,
        AbiValType::I64 => ValType::I64,
        AbiValType::F32 => ValType::F32,
        AbiValType::F64 => ValType::F64,
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

/// Instructions plus the extra locals they use.
struct Body {
    ins: Vec<I<'static>>,
    locals: Vec<ValType>,
    n_params: u32,
}

impl Body {
    fn new(n_params: u32) -> Body {
        Body {
            ins: Vec::new(),
            locals: Vec::new(),
            n_params,
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
    /// Pushes `(x + align - 1) & -align` where x and align are locals.
    fn align_up(&mut self, x: u32, align: u32) {
        self.i(I::LocalGet(x))
            .i(I::LocalGet(align))
            .i(I::I32Add)
            .i(I::I32Const(1))
            .i(I::I32Sub)
            .i(I::I32Const(0))
            .i(I::LocalGet(align))
            .i(I::I32Sub)
            .i(I::I32And);
    }
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
    b.align_up(used, align);
    b.i(I::LocalTee(start))
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
    b.align_up(cur, align);
    b.i(I::LocalTee(p))
        // p + size > end, computed in i64 so huge sizes cannot wrap.
        .i(I::I64ExtendI32U)
        .i(I::LocalGet(size))
        .i(I::I64ExtendI32U)
        .i(I::I64Add)
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
        .i(I::MemoryGrow(0))
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
    b.align_up(cur, align);
    b.i(I::LocalSet(p)).i(I::End);
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
    b.align_up(used, align);
    b.i(I::LocalTee(start))
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

struct Wrapper<'a, 'b> {
    lowering: &'a Lowering,
    imp: &'a Import,
    body: Body,
    std_func: u32,
    f_scratch: u32,
    f_reloc: u32,
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

    /// Flat index of the WIT parameter `name` (params before it are flattened
    /// with the Canonical ABI rules).
    fn flat_param(&self, name: &str) -> Result<usize, ComponentizeError> {
        let func = self
            .imp
            .func()
            .ok_or_else(|| self.unsupported("not a function"))?;
        let mut storage = [WasmType::I32; 64];
        let mut flat = FlatTypes::new(&mut storage);
        for p in &func.params {
            if p.name == name {
                return Ok(flat.to_vec().len());
            }
            self.lowering.resolve.push_flat(&p.ty, &mut flat);
        }
        Err(self.unsupported(&format!("no parameter `{name}`")))
    }

    fn build(&mut self) -> Result<Function, ComponentizeError> {
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
        let key_params: Vec<u32> = (0..retptr).collect();
        // A too-small result is kept for replay when the call can be
        // recognised again by its scalar arguments alone.
        let replayable = !matches!(
            buf.too_small,
            TooSmall::ShortRead { .. } | TooSmall::BoundedByInput { .. }
        ) && !func.params.iter().any(|p| self.contains_list(&p.ty))
            && key_params.iter().all(|&k| {
                matches!(
                    self.imp.sig.params[k as usize],
                    AbiValType::I32 | AbiValType::I64
                )
            });
        // ShortRead and BoundedByInput results always fit (checked before the
        // call), so they are written straight to the caller's retptr.
        let direct = matches!(
            buf.too_small,
            TooSmall::ShortRead { .. } | TooSmall::BoundedByInput { .. }
        );

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
                let first_list = func
                    .params
                    .iter()
                    .find(|p| self.list_elem(&p.ty).is_some())
                    .ok_or_else(|| self.unsupported("no list parameter to bound the result"))?;
                let len_idx = self.flat_param(&first_list.name)? as u32 + 1;
                let elem = self
                    .list_elem(&result_ty)
                    .ok_or_else(|| self.unsupported("result is not a list"))?;
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
                // Ask the host for one datagram at a time: a short result is
                // allowed, and a single datagram that does not fit is kept
                // pending (replayed) instead of being lost.
                let k = self.flat_param("max-results")? as u32;
                let b = &mut self.body;
                b.i(I::LocalGet(k))
                    .i(I::I64Const(1))
                    .i(I::I64GtU)
                    .i(I::If(BlockType::Empty))
                    .i(I::I64Const(1))
                    .i(I::LocalSet(k))
                    .i(I::End);
            }
            TooSmall::ReportRequired => {}
        }

        // Pending-result state of this function.
        let pending = if replayable {
            let r = self.new_global(ValType::I32);
            let ret = self.new_global(ValType::I32);
            let keys: Vec<(u32, u32, ValType)> = key_params
                .iter()
                .map(|&k| {
                    let t = val(self.imp.sig.params[k as usize]);
                    (k, self.new_global(t), t)
                })
                .collect();
            Some((r, ret, keys))
        } else {
            None
        };

        let ret_local = if direct {
            retptr
        } else {
            if let Some((g_r, g_ret, keys)) = &pending {
                let r_local = self.body.local(ValType::I32);
                let b = &mut self.body;
                b.i(I::Block(BlockType::Empty))
                    .i(I::GlobalGet(*g_r))
                    .i(I::I32Eqz)
                    .i(I::BrIf(0));
                for (k, g, t) in keys {
                    b.i(I::LocalGet(*k))
                        .i(I::GlobalGet(*g))
                        .i(if *t == ValType::I64 {
                            I::I64Ne
                        } else {
                            I::I32Ne
                        })
                        .i(I::BrIf(0));
                }
                // Same call as the pending one: answer from the kept result.
                b.i(I::GlobalGet(*g_r))
                    .i(I::LocalTee(r_local))
                    .i(I::LocalGet(arena_len))
                    .i(I::I32GtU)
                    .i(I::If(BlockType::Empty))
                    .i(I::LocalGet(r_local))
                    .i(I::Return)
                    .i(I::End)
                    .i(I::LocalGet(retptr))
                    .i(I::GlobalGet(*g_ret))
                    .i(I::I32Const(ret_size))
                    .i(I::MemoryCopy {
                        src_mem: 0,
                        dst_mem: 0,
                    })
                    .i(I::I32Const(0))
                    .i(I::GlobalSet(G_RELOC_MODE));
                self.emit_fixup(&result_ty, retptr, 0)?;
                let b = &mut self.body;
                b.i(I::I32Const(0))
                    .i(I::GlobalSet(*g_r))
                    .i(I::GlobalGet(G_PENDING_COUNT))
                    .i(I::I32Const(1))
                    .i(I::I32Sub)
                    .i(I::GlobalSet(G_PENDING_COUNT))
                    .i(I::LocalGet(r_local))
                    .i(I::Return)
                    .i(I::End);
            }
            let b = &mut self.body;
            let ret = b.local(ValType::I32);
            b.i(I::GlobalGet(G_PENDING_COUNT))
                .i(I::I32Eqz)
                .i(I::If(BlockType::Empty))
                .i(I::GlobalGet(G_SCRATCH_BASE))
                .i(I::GlobalSet(G_SCRATCH_CUR))
                .i(I::End)
                .i(I::I32Const(ret_align))
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
                .i(I::MemoryCopy {
                    src_mem: 0,
                    dst_mem: 0,
                });
        }
        b.i(I::LocalGet(r)).i(I::Return).i(I::End);

        if direct {
            // The host returned more than the WIT contract allows.
            b.i(I::Unreachable);
        } else if let Some((g_r, g_ret, keys)) = &pending {
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
                .i(I::MemoryCopy {
                    src_mem: 0,
                    dst_mem: 0,
                })
                .i(I::I32Const(1))
                .i(I::GlobalSet(G_RELOC_MODE))
                .i(I::I32Const(0))
                .i(I::GlobalSet(G_USED));
            self.emit_fixup(&result_ty, kept, 0)?;
            let b = &mut self.body;
            b.i(I::GlobalGet(*g_r))
                .i(I::I32Eqz)
                .i(I::If(BlockType::Empty))
                .i(I::GlobalGet(G_PENDING_COUNT))
                .i(I::I32Const(1))
                .i(I::I32Add)
                .i(I::GlobalSet(G_PENDING_COUNT))
                .i(I::End)
                .i(I::GlobalGet(G_USED))
                .i(I::GlobalSet(*g_r))
                .i(I::LocalGet(kept))
                .i(I::GlobalSet(*g_ret));
            for (k, g, _) in keys {
                b.i(I::LocalGet(*k)).i(I::GlobalSet(*g));
            }
            b.i(I::GlobalGet(*g_r));
        } else {
            b.i(I::LocalGet(r));
        }
        let body = std::mem::replace(&mut self.body, Body::new(0));
        Ok(body.finish())
    }

    fn resolve_alias<'t>(&'t self, ty: &'t Type) -> &'t Type {
        let mut ty = ty;
        while let Type::Id(id) = ty {
            match &self.lowering.resolve.types[*id].kind {
                TypeDefKind::Type(t) => ty = t,
                _ => break,
            }
        }
        ty
    }

    fn list_elem(&self, ty: &Type) -> Option<Type> {
        match self.resolve_alias(ty) {
            Type::String => Some(Type::U8),
            Type::Id(id) => match &self.lowering.resolve.types[*id].kind {
                TypeDefKind::List(t) => Some(*t),
                _ => None,
            },
            _ => None,
        }
    }

    fn contains_list(&self, ty: &Type) -> bool {
        let ty = self.resolve_alias(ty);
        let id = match ty {
            Type::String => return true,
            Type::Id(id) => *id,
            _ => return false,
        };
        match &self.lowering.resolve.types[id].kind {
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
        let ty = *self.resolve_alias(ty);
        let Type::Id(id) = ty else {
            unreachable!("contains_list")
        };
        let kind = self.lowering.resolve.types[id].kind.clone();
        let sizes = &self.lowering.sizes;
        match kind {
            TypeDefKind::Record(r) => {
                let tys: Vec<Type> = r.fields.iter().map(|f| f.ty).collect();
                self.emit_fields(&tys, base, off)
            }
            TypeDefKind::Tuple(t) => self.emit_fields(&t.types, base, off),
            TypeDefKind::Option(t) => {
                let cases = [None, Some(t)];
                let poff = sizes
                    .payload_offset(Int::U8, cases.iter().map(|c| c.as_ref()))
                    .size_wasm32();
                self.emit_cases(Int::U8, &cases, base, off, poff as u64)
            }
            TypeDefKind::Result(r) => {
                let cases = [r.ok, r.err];
                let poff = sizes
                    .payload_offset(Int::U8, cases.iter().map(|c| c.as_ref()))
                    .size_wasm32();
                self.emit_cases(Int::U8, &cases, base, off, poff as u64)
            }
            TypeDefKind::Variant(v) => {
                let cases: Vec<Option<Type>> = v.cases.iter().map(|c| c.ty).collect();
                let poff = sizes
                    .payload_offset(v.tag(), cases.iter().map(|c| c.as_ref()))
                    .size_wasm32();
                self.emit_cases(v.tag(), &cases, base, off, poff as u64)
            }
            _ => {
                Err(self.unsupported("result type holds lists in a shape the adapter cannot move"))
            }
        }
    }

    fn emit_fields(&mut self, tys: &[Type], base: u32, off: u64) -> Result<(), ComponentizeError> {
        let offsets: Vec<(usize, Type)> = self
            .lowering
            .sizes
            .field_offsets(tys.iter())
            .into_iter()
            .map(|(o, t)| (o.size_wasm32(), *t))
            .collect();
        for (o, t) in offsets {
            self.emit_fixup(&t, base, off + o as u64)?;
        }
        Ok(())
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
            let load = match tag {
                Int::U8 => I::I32Load8U(mem(off, 0)),
                Int::U16 => I::I32Load16U(mem(off, 1)),
                Int::U32 => I::I32Load(mem(off, 2)),
                Int::U64 => return Err(self.unsupported("64-bit discriminant")),
            };
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
            .i(I::I32Load(mem(off, 2)))
            .i(I::LocalSet(old))
            .i(I::LocalGet(base))
            .i(I::I32Load(mem(off + 4, 2)))
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
            .i(I::MemoryCopy {
                src_mem: 0,
                dst_mem: 0,
            })
            .i(I::LocalGet(base))
            .i(I::LocalGet(new))
            .i(I::I32Store(mem(off, 2)));
        if self.contains_list(elem) {
            let b = &mut self.body;
            let (i, at) = (b.local(ValType::I32), b.local(ValType::I32));
            b.i(I::I32Const(0))
                .i(I::LocalSet(i))
                .i(I::Block(BlockType::Empty))
                .i(I::Loop(BlockType::Empty))
                .i(I::LocalGet(i))
                .i(I::LocalGet(len))
                .i(I::I32GeU)
                .i(I::BrIf(1))
                .i(I::LocalGet(new))
                .i(I::LocalGet(i))
                .i(I::I32Const(esize))
                .i(I::I32Mul)
                .i(I::I32Add)
                .i(I::LocalSet(at));
            self.emit_fixup(elem, at, 0)?;
            self.body
                .i(I::LocalGet(i))
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
