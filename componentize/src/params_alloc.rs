//! Serving the `realloc` of exports that take lists or strings.
//!
//! A wasit2 module exports no realloc (`docs/abi.md`); a module whose
//! exports take a `list` or `string` exports `<p>_params_alloc(size, align)
//! -> ptr` instead, the allocator their parameters are lifted into. The
//! component's `canon lift` wants a realloc, which wit-component takes from
//! the module's `cm32p2_realloc` export: this module appends one that
//! allocates with `params_alloc` and traps on anything but a fresh
//! allocation (the lift never grows or frees).

use wasit2_abi::{params_alloc_export, Arch, CoreSig, ValType as AbiValType};
use wasit2_module::encode::{self, AppendedType};
use wasm_encoder::{BlockType, Function, Instruction, ValType};

use crate::ComponentizeError;

/// The realloc wit-component looks for in a `cm32p2` module.
pub(crate) const REALLOC: &str = "cm32p2_realloc";

/// `module` with a `cm32p2_realloc` built on its `cm32p2_params_alloc`, or
/// `None` when it exports no `params_alloc` or already has a realloc.
pub(crate) fn serve_realloc(module: &[u8]) -> Result<Option<Vec<u8>>, ComponentizeError> {
    let bad = |e: String| ComponentizeError::NotAModule(e);
    let m = wasit2_module::Module::parse(module).map_err(|e| bad(e.to_string()))?;
    let has = |name: &str| m.exports.iter().any(|e| e.name == name);
    if has(REALLOC) || has("cabi_realloc") {
        return Ok(None);
    }
    let params_alloc = params_alloc_export(Arch::Wasm32);
    let Some(alloc) = m.exports.iter().find(|e| e.name == params_alloc) else {
        return Ok(None);
    };
    let want = CoreSig {
        params: vec![AbiValType::I32; 2],
        results: vec![AbiValType::I32],
    };
    let sig = m.func_sigs.get(alloc.index as usize);
    if sig.is_none_or(|s| s.core.as_ref() != Some(&want)) {
        return Err(ComponentizeError::Unsupported(format!(
            "`{params_alloc}` must have type (func (param i32 i32) (result i32))"
        )));
    }
    // realloc(old_ptr, old_size, align, new_size)
    let mut f = Function::new([]);
    for i in [
        Instruction::LocalGet(0),
        Instruction::If(BlockType::Empty),
        Instruction::Unreachable,
        Instruction::End,
        Instruction::LocalGet(3),
        Instruction::LocalGet(2),
        Instruction::Call(alloc.index),
        Instruction::End,
    ] {
        f.instruction(&i);
    }
    let ty = AppendedType::New {
        params: vec![ValType::I32; 4],
        results: vec![ValType::I32],
    };
    encode::append_function(module, ty, &f, REALLOC)
        .map(Some)
        .map_err(|e| ComponentizeError::Encode(format!("adding {REALLOC}: {e}")))
}
