//! Lifting a wasm64 module's exports that take or return lists and strings.
//!
//! wasmtime 49 lifts an export with a 64-bit memory with the 32-bit
//! layout: it truncates the i64 `realloc` result and the i64 return-area
//! pointer to 32 bits and reads a returned (pointer, length) as 4 + 4 bytes
//! (docs/componentize.md, "wasm64"). So such an export is lifted, as the
//! Canonical ABI allows for any core function, with a 32-bit *staging*
//! memory of this shim module instead: the host writes the parameters'
//! strings there through the shim's i32 `realloc`; the shim's wrapper copies
//! each into the module's memory at the address the module's
//! `cm64p2_params_alloc` gives (in flattening order, docs/abi.md 1.1), calls
//! the export with i64 pointers, and copies the result back into staging in
//! the wasm32 layout. Its `_post` calls the module's with the module's
//! return pointer.
//!
//! Supported: parameters that are lists or strings (of any element type)
//! or hold no list, and results of any type; a record, tuple or variant
//! parameter holding a list is refused by name.

use wasit2_abi::{params_alloc_export, Arch, CoreSig, Export, ExportItem, Lowering};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, EntityType, ExportKind, ExportSection, FunctionSection,
    GlobalSection, GlobalType, ImportSection, Instruction as I, MemoryType, Module, TypeSection,
    ValType,
};
use wit_parser::abi::{AbiVariant, FlatTypes, WasmType};
use wit_parser::{Function, Type};

use crate::adapter64::Gen;
use crate::adapter_common::{
    contains_list, field_offsets, list_elem, mem, payload_offsets, shape, tag_load, val, Body,
    Shape,
};
use crate::ComponentizeError;

/// The shim's instantiation argument: the main module's instance.
pub(crate) const MAIN_INSTANCE: &str = "main";
/// Export name of the staging memory the shimmed lifts use.
pub(crate) const STAGING_MEMORY: &str = "wasit2_lift_staging_memory";
/// The realloc wit-component gives the lifts (the stand-in exports one).
pub(crate) const REALLOC: &str = crate::params_alloc::REALLOC;

/// The module's memory (imported) and staging (defined), as adapter64.rs
/// numbers them, so its staging `realloc` body serves here too.
const MAIN: u32 = 0;
const STAGE: u32 = 1;
const STAGE_START: i32 = 16;
/// Staging cursor (i32, global 0) and the module's last return pointer
/// (i64, global 1), for `_post`.
const G_CUR: u32 = 0;
const G_RET: u32 = 1;

/// One export the shim wraps: its `cm32p2` name (as the component and the
/// renamed module call it), its function, and whether the module has a
/// `_post` for it.
pub(crate) struct Lifted<'a> {
    pub name32: String,
    pub export: &'a Export,
    pub func: &'a Function,
    pub post: bool,
}

/// The exports of `l64` that need the shim: those whose parameters or
/// results hold a list or string, or whose results go through a return area.
pub(crate) fn lifted<'a>(l64: &'a Lowering, module_exports: &[String]) -> Vec<Lifted<'a>> {
    l64.exports
        .iter()
        .filter_map(|e| match &e.item {
            ExportItem::Func { func, .. } => Some((e, func)),
            _ => None,
        })
        .filter(|(_, func)| {
            let r = &l64.resolve;
            func.params.iter().any(|p| contains_list(r, &p.ty))
                || r.wasm_signature(AbiVariant::GuestExport, func).retptr
        })
        .map(|(e, func)| Lifted {
            name32: crate::wasm64::to32(&e.name),
            export: e,
            func,
            post: module_exports.contains(&format!("{}_post", e.name)),
        })
        .collect()
}

fn unsupported(name: &str, what: &str) -> ComponentizeError {
    ComponentizeError::Unsupported(format!(
        "wasm64: export `{name}`: {what} (not supported by the 64-bit lift yet)"
    ))
}

fn flat_len(l: &Lowering, ty: &Type) -> u32 {
    let mut storage = [WasmType::I32; 64];
    let mut flat = FlatTypes::new(&mut storage);
    l.resolve.push_flat(ty, &mut flat);
    flat.to_vec().len() as u32
}

/// Builds the shim for `lifted` (from the wasm64 lowering; `l32` gives the
/// wasm32 signatures the component lifts).
pub(crate) fn build(
    l32: &Lowering,
    l64: &Lowering,
    lifted: &[Lifted],
) -> Result<Vec<u8>, ComponentizeError> {
    let mut types = TypeSection::new();
    let mut sig_type = |sig: &CoreSig| {
        types.ty().function(
            sig.params.iter().map(|t| val(*t)),
            sig.results.iter().map(|t| val(*t)),
        );
        types.len() - 1
    };
    let sig_of = |l: &Lowering, name: &str| {
        l.export(name)
            .and_then(|e| e.sig.clone())
            .ok_or_else(|| unsupported(name, "no core signature"))
    };
    let mut imports = ImportSection::new();
    let main32 = Arch::Wasm32.memory_export();
    imports.import(
        MAIN_INSTANCE,
        &main32,
        EntityType::Memory(MemoryType {
            minimum: 0,
            maximum: None,
            memory64: true,
            shared: false,
            page_size_log2: None,
        }),
    );
    // Imported functions: params_alloc, then each export and its _post.
    let alloc_sig = CoreSig {
        params: vec![wasit2_abi::ValType::I64; 2],
        results: vec![wasit2_abi::ValType::I64],
    };
    // Only needed (and only exported by the module) when some parameter
    // holds a list.
    let takes_lists = lifted.iter().any(|lf| {
        lf.func
            .params
            .iter()
            .any(|p| contains_list(&l64.resolve, &p.ty))
    });
    let f_alloc = 0u32;
    let mut n_imports = 0u32;
    if takes_lists {
        let alloc_ty = sig_type(&alloc_sig);
        imports.import(
            MAIN_INSTANCE,
            &params_alloc_export(Arch::Wasm32),
            EntityType::Function(alloc_ty),
        );
        n_imports += 1;
    }
    let mut targets = Vec::new();
    for lf in lifted {
        let sig64 = sig_of(l64, &lf.export.name)?;
        let ty = sig_type(&sig64);
        imports.import(MAIN_INSTANCE, &lf.name32, EntityType::Function(ty));
        let call = n_imports;
        n_imports += 1;
        let post = match lf.post {
            true => {
                let post64 = sig_of(l64, &format!("{}_post", lf.export.name))?;
                let ty = sig_type(&post64);
                imports.import(
                    MAIN_INSTANCE,
                    &format!("{}_post", lf.name32),
                    EntityType::Function(ty),
                );
                n_imports += 1;
                Some(n_imports - 1)
            }
            false => None,
        };
        targets.push((call, post));
    }

    let mut funcs = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    let mut next = n_imports;
    let mut define = |funcs: &mut FunctionSection,
                      code: &mut CodeSection,
                      exports: &mut ExportSection,
                      ty: u32,
                      body: &wasm_encoder::Function,
                      name: Option<&str>| {
        funcs.function(ty);
        code.function(body);
        if let Some(name) = name {
            exports.export(name, ExportKind::Func, next);
        }
        next += 1;
        next - 1
    };
    let realloc_ty = sig_type(&CoreSig {
        params: vec![wasit2_abi::ValType::I32; 4],
        results: vec![wasit2_abi::ValType::I32],
    });
    // A fresh bump allocation in staging; the exported realloc copies an
    // old block into it (a host transcoding a string may grow or shrink
    // one), the wrappers allocate results with the bump directly.
    let f_realloc = define(
        &mut funcs,
        &mut code,
        &mut exports,
        realloc_ty,
        &crate::adapter64::realloc_body(),
        None,
    );
    let mut b = Body::new(4);
    let p = b.local(ValType::I32);
    b.i(I::I32Const(0))
        .i(I::I32Const(0))
        .i(I::LocalGet(2))
        .i(I::LocalGet(3))
        .i(I::Call(f_realloc))
        .i(I::LocalSet(p))
        .i(I::LocalGet(0))
        .i(I::If(wasm_encoder::BlockType::Empty))
        .i(I::LocalGet(p))
        .i(I::LocalGet(0))
        .i(I::LocalGet(1))
        .i(I::LocalGet(3))
        .i(I::LocalGet(1))
        .i(I::LocalGet(3))
        .i(I::I32LtU)
        .i(I::Select)
        .i(I::MemoryCopy {
            dst_mem: STAGE,
            src_mem: STAGE,
        })
        .i(I::End)
        .i(I::LocalGet(p));
    define(
        &mut funcs,
        &mut code,
        &mut exports,
        realloc_ty,
        &b.finish(),
        Some(REALLOC),
    );
    for (lf, (call, post)) in lifted.iter().zip(targets) {
        let sig32 = sig_of(l32, &lf.name32)?;
        let ty = sig_type(&sig32);
        let body = wrapper(l64, lf, &sig32, call, f_alloc, f_realloc)?;
        define(
            &mut funcs,
            &mut code,
            &mut exports,
            ty,
            &body,
            Some(&lf.name32),
        );
        if let Some(post) = post {
            let post_name = format!("{}_post", lf.name32);
            let ty = sig_type(&sig_of(l32, &post_name)?);
            let mut b = Body::new(sig_of(l32, &post_name)?.params.len() as u32);
            b.i(I::GlobalGet(G_RET))
                .i(I::Call(post))
                .i(I::I32Const(STAGE_START))
                .i(I::GlobalSet(G_CUR));
            define(
                &mut funcs,
                &mut code,
                &mut exports,
                ty,
                &b.finish(),
                Some(&post_name),
            );
        }
    }
    exports.export(STAGING_MEMORY, ExportKind::Memory, STAGE);

    let mut memories = wasm_encoder::MemorySection::new();
    memories.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut globals = GlobalSection::new();
    let global = |t| GlobalType {
        val_type: t,
        mutable: true,
        shared: false,
    };
    globals.global(global(ValType::I32), &ConstExpr::i32_const(STAGE_START));
    globals.global(global(ValType::I64), &ConstExpr::i64_const(0));
    let mut m = Module::new();
    m.section(&types)
        .section(&imports)
        .section(&funcs)
        .section(&memories)
        .section(&globals)
        .section(&exports)
        .section(&code);
    Ok(m.finish())
}

/// The wasm32-signature wrapper of one export (see the module comment).
fn wrapper(
    l64: &Lowering,
    lf: &Lifted,
    sig32: &CoreSig,
    call: u32,
    f_alloc: u32,
    f_realloc: u32,
) -> Result<wasm_encoder::Function, ComponentizeError> {
    let name = &lf.export.name;
    let r = &l64.resolve;
    let wasm_sig = r.wasm_signature(AbiVariant::GuestExport, lf.func);
    if wasm_sig.indirect_params {
        return Err(unsupported(name, "more than 16 flat parameters"));
    }
    let mut g = Gen::for_lift(l64, sig32.params.len() as u32, f_realloc);
    let mut lift = Lift {
        name,
        l: l64,
        f_alloc,
    };
    // Parameters: copied into the module's memory in flattening order.
    let mut flat = 0u32;
    // (local, whether it is an i32 length the module takes as i64)
    let mut args = Vec::new();
    for p in &lf.func.params {
        if let Some(elem) = list_elem(r, &p.ty) {
            let (ptr32, len32) = (flat, flat + 1);
            flat += 2;
            let ptr64 = lift.list(&mut g, &elem, ptr32, len32)?;
            args.push((ptr64, false));
            args.push((len32, true));
        } else if contains_list(r, &p.ty) {
            return Err(unsupported(
                name,
                "a record, tuple or variant parameter holding a list",
            ));
        } else {
            // No list inside: the same flat values at either width.
            for _ in 0..flat_len(l64, &p.ty) {
                args.push((flat, false));
                flat += 1;
            }
        }
    }
    // The parameters' staging is free again.
    g.i(I::I32Const(STAGE_START)).i(I::GlobalSet(G_CUR));
    let sig64 = l64
        .export(name)
        .and_then(|e| e.sig.clone())
        .ok_or_else(|| unsupported(name, "no core signature"))?;
    if args.len() != sig64.params.len() {
        return Err(unsupported(
            name,
            "its flat parameters do not match its lowering",
        ));
    }
    for (local, widen) in &args {
        g.i(I::LocalGet(*local));
        if *widen {
            g.i(I::I64ExtendI32U);
        }
    }
    g.i(I::Call(call));
    if !wasm_sig.retptr {
        return Ok(g.take());
    }
    // The result: from the module's return area (wasm64 layout) into a
    // staging one (wasm32 layout), its lists into staging too.
    let result = lf
        .func
        .result
        .ok_or_else(|| unsupported(name, "a return area without a result"))?;
    let ret64 = g.local(ValType::I64);
    let ret32 = g.local(ValType::I32);
    g.i(I::LocalTee(ret64)).i(I::GlobalSet(G_RET));
    g.i(I::I32Const(0))
        .i(I::I32Const(0))
        .i(I::I32Const(l64.sizes.align(&result).align_wasm32() as i32))
        .i(I::I32Const(l64.sizes.size(&result).size_wasm32() as i32))
        .i(I::Call(f_realloc))
        .i(I::LocalSet(ret32));
    g.walk_in(&result, ret64, 0, ret32, 0)?;
    g.i(I::LocalGet(ret32));
    Ok(g.take())
}

/// Copies parameters from staging (wasm32 layout) into the module's memory
/// (wasm64 layout), each list where `params_alloc` puts it.
struct Lift<'a> {
    name: &'a str,
    l: &'a Lowering,
    f_alloc: u32,
}

impl Lift<'_> {
    /// The list at `ptr32` (`len32` elements of `elem`, i32 locals) of
    /// staging, allocated and copied into the module's memory, its element
    /// array first and then the lists inside its elements, in order (the
    /// flattening order of docs/abi.md 1.1); returns the i64 local holding
    /// its address there.
    fn list(
        &mut self,
        g: &mut Gen,
        elem: &Type,
        ptr32: u32,
        len32: u32,
    ) -> Result<u32, ComponentizeError> {
        let size32 = self.l.sizes.size(elem).size_wasm32() as u64;
        let size64 = self.l.sizes.size(elem).size_wasm64() as u64;
        let align64 = self.l.sizes.align(elem).align_wasm64() as i64;
        let ptr64 = g.local(ValType::I64);
        g.i(I::LocalGet(len32))
            .i(I::I64ExtendI32U)
            .i(I::I64Const(size64 as i64))
            .i(I::I64Mul)
            .i(I::I64Const(align64))
            .i(I::Call(self.f_alloc))
            .i(I::LocalTee(ptr64))
            .i(I::I64Eqz)
            .i(I::If(BlockType::Empty))
            .i(I::Unreachable)
            .i(I::End);
        if !contains_list(&self.l.resolve, elem) {
            g.i(I::LocalGet(ptr64))
                .i(I::LocalGet(ptr32))
                .i(I::LocalGet(len32))
                .i(I::I32Const(size32 as i32))
                .i(I::I32Mul)
                .i(I::MemoryCopy {
                    dst_mem: MAIN,
                    src_mem: STAGE,
                });
            return Ok(ptr64);
        }
        let i = g.local(ValType::I32);
        let el32 = g.local(ValType::I32);
        let el64 = g.local(ValType::I64);
        g.loop_start(i, len32)
            .elem_addr32(ptr32, i, size32, el32)
            .elem_addr64(ptr64, i, size64, el64);
        self.value(g, elem, el32, 0, el64, 0)?;
        g.loop_end(i);
        Ok(ptr64)
    }

    /// Copies the value of `ty` at `src32 + off32` of staging to
    /// `dst64 + off64` of the module's memory.
    fn value(
        &mut self,
        g: &mut Gen,
        ty: &Type,
        src32: u32,
        off32: u64,
        dst64: u32,
        off64: u64,
    ) -> Result<(), ComponentizeError> {
        let r = &self.l.resolve;
        if !contains_list(r, ty) {
            g.addr(MAIN, dst64, off64);
            g.addr(STAGE, src32, off32);
            g.i(I::I32Const(self.l.sizes.size(ty).size_wasm32() as i32))
                .i(I::MemoryCopy {
                    dst_mem: MAIN,
                    src_mem: STAGE,
                });
            return Ok(());
        }
        if let Some(elem) = list_elem(r, ty) {
            let ptr32 = g.local(ValType::I32);
            let len32 = g.local(ValType::I32);
            g.i(I::LocalGet(src32))
                .i(I::I32Load(mem(STAGE, off32, 2)))
                .i(I::LocalSet(ptr32))
                .i(I::LocalGet(src32))
                .i(I::I32Load(mem(STAGE, off32 + 4, 2)))
                .i(I::LocalSet(len32));
            let ptr64 = self.list(g, &elem, ptr32, len32)?;
            g.i(I::LocalGet(dst64))
                .i(I::LocalGet(ptr64))
                .i(I::I64Store(mem(MAIN, off64, 3)))
                .i(I::LocalGet(dst64))
                .i(I::LocalGet(len32))
                .i(I::I64ExtendI32U)
                .i(I::I64Store(mem(MAIN, off64 + 8, 3)));
            return Ok(());
        }
        match shape(r, ty) {
            Some(Shape::Fields(tys)) => {
                for (o32, o64, t) in field_offsets(&self.l.sizes, &tys) {
                    self.value(g, &t, src32, off32 + o32, dst64, off64 + o64)?;
                }
                Ok(())
            }
            Some(Shape::Cases(tag, cases)) => {
                let (p32, p64) = payload_offsets(&self.l.sizes, tag, &cases);
                let (load, tag_size) = tag_load(tag, STAGE, off32)
                    .ok_or_else(|| unsupported(self.name, "a 64-bit discriminant"))?;
                g.addr(MAIN, dst64, off64);
                g.addr(STAGE, src32, off32);
                g.i(I::I32Const(tag_size)).i(I::MemoryCopy {
                    dst_mem: MAIN,
                    src_mem: STAGE,
                });
                for (n, case) in cases.iter().enumerate() {
                    let Some(t) = case else { continue };
                    g.i(I::LocalGet(src32))
                        .i(load.clone())
                        .i(I::I32Const(n as i32))
                        .i(I::I32Eq)
                        .i(I::If(BlockType::Empty));
                    self.value(g, t, src32, off32 + p32, dst64, off64 + p64)?;
                    g.i(I::End);
                }
                Ok(())
            }
            None => Err(unsupported(self.name, "a list in a shape it cannot copy")),
        }
    }
}
