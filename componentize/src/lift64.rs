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
//! Supported: parameters that are strings, lists of list-free elements or
//! list-free values, and results of the same kinds; other shapes are
//! refused by name.

use wasit2_abi::{params_alloc_export, Arch, CoreSig, Export, ExportItem, Lowering};
use wasm_encoder::{
    CodeSection, ConstExpr, EntityType, ExportKind, ExportSection, FunctionSection, GlobalSection,
    GlobalType, ImportSection, Instruction as I, MemoryType, Module, TypeSection, ValType,
};
use wit_parser::abi::{AbiVariant, FlatTypes, WasmType};
use wit_parser::{Function, Type};

use crate::adapter_common::{contains_list, list_elem, mem, val, Body};
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
        "wasm64: export `{name}`: {what} (the 64-bit lift supports strings, lists of list-free elements and list-free values)"
    ))
}

/// How one value crosses between staging (wasm32) and the module (wasm64).
enum Crossing {
    /// A string or a list of list-free elements: `elem` size and alignment.
    Bytes { size: u64, align: u64 },
    /// No list inside: the same flat values and bytes in both layouts.
    Same,
}

fn crossing(l: &Lowering, name: &str, ty: &Type) -> Result<Crossing, ComponentizeError> {
    let r = &l.resolve;
    if let Some(elem) = list_elem(r, ty) {
        if contains_list(r, &elem) {
            return Err(unsupported(name, "a list whose elements hold lists"));
        }
        return Ok(Crossing::Bytes {
            size: l.sizes.size(&elem).size_wasm64() as u64,
            align: l.sizes.align(&elem).align_wasm64() as u64,
        });
    }
    if contains_list(r, ty) {
        return Err(unsupported(
            name,
            "a record, tuple or variant holding a list",
        ));
    }
    Ok(Crossing::Same)
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
    let mut b = Body::new(sig32.params.len() as u32);
    // Parameters: copied into the module's memory in flattening order.
    let mut flat = 0u32;
    // (local, whether it is an i32 length the module takes as i64)
    let mut args = Vec::new();
    for p in &lf.func.params {
        match crossing(l64, name, &p.ty)? {
            Crossing::Bytes { size, align } => {
                let (ptr32, len32) = (flat, flat + 1);
                flat += 2;
                let bytes = b.local(ValType::I64);
                let ptr64 = b.local(ValType::I64);
                b.i(I::LocalGet(len32))
                    .i(I::I64ExtendI32U)
                    .i(I::I64Const(size as i64))
                    .i(I::I64Mul)
                    .i(I::LocalTee(bytes))
                    .i(I::I64Const(align as i64))
                    .i(I::Call(f_alloc))
                    .i(I::LocalTee(ptr64))
                    .i(I::I64Eqz)
                    .i(I::If(wasm_encoder::BlockType::Empty))
                    .i(I::Unreachable)
                    .i(I::End)
                    .i(I::LocalGet(ptr64))
                    .i(I::LocalGet(ptr32))
                    .i(I::LocalGet(bytes))
                    .i(I::I32WrapI64)
                    .i(I::MemoryCopy {
                        dst_mem: MAIN,
                        src_mem: STAGE,
                    });
                args.push((ptr64, false));
                args.push((len32, true));
            }
            Crossing::Same => {
                for _ in 0..flat_len(l64, &p.ty) {
                    args.push((flat, false));
                    flat += 1;
                }
            }
        }
    }
    // The parameters' staging is free again.
    b.i(I::I32Const(STAGE_START)).i(I::GlobalSet(G_CUR));
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
        b.i(I::LocalGet(*local));
        if *widen {
            b.i(I::I64ExtendI32U);
        }
    }
    b.i(I::Call(call));
    if !wasm_sig.retptr {
        return Ok(b.finish());
    }
    // The result: from the module's return area into staging.
    let result = lf
        .func
        .result
        .ok_or_else(|| unsupported(name, "a return area without a result"))?;
    let ret64 = b.local(ValType::I64);
    let ret32 = b.local(ValType::I32);
    b.i(I::LocalTee(ret64)).i(I::GlobalSet(G_RET));
    let size32 = l64.sizes.size(&result).size_wasm32() as i32;
    let align32 = l64.sizes.align(&result).align_wasm32() as i32;
    b.i(I::I32Const(0))
        .i(I::I32Const(0))
        .i(I::I32Const(align32))
        .i(I::I32Const(size32))
        .i(I::Call(f_realloc))
        .i(I::LocalSet(ret32));
    match crossing(l64, name, &result)? {
        Crossing::Bytes { size, align } => {
            let bytes = b.local(ValType::I64);
            let data32 = b.local(ValType::I32);
            // bytes = len64 * size
            b.i(I::LocalGet(ret64))
                .i(I::I64Load(mem(MAIN, 8, 3)))
                .i(I::I64Const(size as i64))
                .i(I::I64Mul)
                .i(I::LocalSet(bytes));
            // A result staging cannot address is a trap, not a truncation.
            b.i(I::LocalGet(bytes))
                .i(I::I64Const(u32::MAX as i64))
                .i(I::I64GtU)
                .i(I::If(wasm_encoder::BlockType::Empty))
                .i(I::Unreachable)
                .i(I::End);
            b.i(I::I32Const(0))
                .i(I::I32Const(0))
                .i(I::I32Const(align as i32))
                .i(I::LocalGet(bytes))
                .i(I::I32WrapI64)
                .i(I::Call(f_realloc))
                .i(I::LocalTee(data32))
                .i(I::LocalGet(ret64))
                .i(I::I64Load(mem(MAIN, 0, 3)))
                .i(I::LocalGet(bytes))
                .i(I::I32WrapI64)
                .i(I::MemoryCopy {
                    dst_mem: STAGE,
                    src_mem: MAIN,
                });
            b.i(I::LocalGet(ret32))
                .i(I::LocalGet(data32))
                .i(I::I32Store(mem(STAGE, 0, 2)))
                .i(I::LocalGet(ret32))
                .i(I::LocalGet(ret64))
                .i(I::I64Load(mem(MAIN, 8, 3)))
                .i(I::I32WrapI64)
                .i(I::I32Store(mem(STAGE, 4, 2)));
        }
        Crossing::Same => {
            b.i(I::LocalGet(ret32))
                .i(I::LocalGet(ret64))
                .i(I::I32Const(size32))
                .i(I::MemoryCopy {
                    dst_mem: STAGE,
                    src_mem: MAIN,
                });
        }
    }
    b.i(I::LocalGet(ret32));
    Ok(b.finish())
}
