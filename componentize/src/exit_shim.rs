//! Serving `wasi:cli/exit.exit-with-code` (WASI 0.2.12) with `exit` for
//! hosts older than 0.2.12.
//!
//! The wasit2 libc leaves through `exit` for statuses 0 and 1 and through
//! `exit-with-code` for any other, so a linked module imports both. A host
//! of WASI 0.2.0–0.2.11 has no `exit-with-code` and refuses to instantiate a
//! component that imports it. When the target WASI version is older than
//! the function, the module gets a small function of its own in its place:
//! status 0 leaves as `exit(ok)`, any other as `exit(err)`, which such a
//! host reports as exit code 1. The module is otherwise unchanged.

use wasit2_abi::Lowering;
use wasit2_module::encode::{self, AppendedType};
use wasm_encoder::{Function, Instruction};
use wasmparser::{Parser, Payload, TypeRef};

/// The function that takes `exit-with-code`'s place, and the import it calls.
const NEW_FIELD: &str = "exit-with-code";
const OLD_FIELD: &str = "exit";
/// Export name the redirect reads the replacement from (removed again).
const SHIM_EXPORT: &str = "__wasit2_exit_with_code_via_exit";

#[derive(Debug, thiserror::Error)]
pub enum ExitShimError {
    #[error("reading the module: {0}")]
    Read(String),
    #[error("serving exit-with-code with exit: {0}")]
    Encode(String),
}

/// `module` with its `exit-with-code` import served by `exit` when
/// `target` is older than the WASI version that introduced it; `None` when
/// nothing changes (no such import, the target has it, or there is no
/// `exit` import to serve it with).
pub fn serve_exit_with_code_for(
    module: &[u8],
    lowering: &Lowering,
    target: &semver::Version,
) -> Result<Option<Vec<u8>>, ExitShimError> {
    let Some(new) = lowering
        .imports
        .iter()
        .find(|i| i.field == NEW_FIELD && i.interface_name.as_deref() == Some("wasi:cli/exit@0.2"))
    else {
        return Ok(None);
    };
    if new.since.as_ref().is_none_or(|since| since <= target) {
        return Ok(None);
    }
    let mut n_func_imports = 0u32;
    let mut new_import = None;
    let mut old_import = None;
    for payload in Parser::new(0).parse_all(module) {
        let Payload::ImportSection(r) = payload.map_err(|e| ExitShimError::Read(e.to_string()))?
        else {
            continue;
        };
        for imp in r.into_imports() {
            let imp = imp.map_err(|e| ExitShimError::Read(e.to_string()))?;
            if let TypeRef::Func(ty) | TypeRef::FuncExact(ty) = imp.ty {
                if imp.module == new.module && imp.name == NEW_FIELD {
                    new_import = Some(ty);
                }
                if imp.module == new.module && imp.name == OLD_FIELD {
                    old_import = Some((n_func_imports, ty));
                }
                n_func_imports += 1;
            }
        }
    }
    let Some(shim_type) = new_import else {
        return Ok(None);
    };
    // Without `exit` to call (not the wasit2 libc), the import stays: the
    // check reports it with its call path, a component needs WASI 0.2.12.
    let Some((exit_func, _)) = old_import else {
        return Ok(None);
    };
    // Both are `(param i32)` in the ABI: the status for one, the result's
    // discriminant (0 ok, 1 err) for the other.
    let with_shim = append_shim(module, shim_type, exit_func)?;
    let module_name = new.module.clone();
    encode::redirect_imports(&with_shim, |m, f| {
        (m == module_name && f == NEW_FIELD).then(|| SHIM_EXPORT.to_string())
    })
    .map(Some)
    .map_err(|e| ExitShimError::Encode(e.to_string()))
}

/// Appends `func (param i32) { exit(status != 0) }` of type `ty`, exported
/// as [`SHIM_EXPORT`]; it is the last function, so no index moves.
fn append_shim(module: &[u8], ty: u32, exit_func: u32) -> Result<Vec<u8>, ExitShimError> {
    let mut f = Function::new([]);
    f.instruction(&Instruction::LocalGet(0));
    f.instruction(&Instruction::I32Const(0));
    f.instruction(&Instruction::I32Ne);
    f.instruction(&Instruction::Call(exit_func));
    f.instruction(&Instruction::End);
    encode::append_function(module, AppendedType::Existing(ty), &f, SHIM_EXPORT)
        .map_err(|e| ExitShimError::Encode(e.to_string()))
}
