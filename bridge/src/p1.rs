//! WASI preview 1 programs (e.g. Rust's `wasm32-wasip1`) linked as wasit2
//! modules.
//!
//! The p1 implementation is the wasit2 libc's preview-1 layer
//! (`__wasi_*` over wasit2 imports, sysroot/layer), never a second one:
//!
//! 1. wasit-ld links the wasit2 sysroot's crt1 and libc instead of rustc's
//!    self-contained wasi-libc (wasit-ld/src/libc.rs), so every libc call
//!    and the libc's own p1 calls already go to the layer;
//! 2. what is left are `wasi_snapshot_preview1` imports that the program
//!    declares itself (Rust std's `wasi` crate). The sysroot's prebuilt
//!    provider library (`sysroot/layer/p1/imports.c`) defines
//!    `__wasit2_p1_<name>` for each with the import's exact core signature,
//!    forwarding to the layer; the linker pulls in and exports just the ones
//!    imported ([`provider_symbol`]);
//! 3. [`redirect_p1_imports`] replaces each such import by its provider and
//!    drops the provider exports, leaving a module with wasit2 imports only.

use crate::BridgeError;

/// The preview 1 import module.
pub const P1_MODULE: &str = "wasi_snapshot_preview1";

/// The provider function for the p1 import `field`.
pub fn provider_symbol(field: &str) -> String {
    format!("__wasit2_p1_{field}")
}

/// The `wasi_snapshot_preview1` function imports of a linked module, in
/// order. Other p1 module names (`wasi_unstable`) are reported as an error
/// by [`redirect_p1_imports`], not here.
pub fn p1_imports(module: &[u8]) -> Result<Vec<String>, BridgeError> {
    let m = wasit2_module::Module::parse(module).map_err(module_error)?;
    Ok(m.func_imports()
        .filter(|(i, _, _)| i.module == P1_MODULE)
        .map(|(i, _, _)| i.field.clone())
        .collect())
}

fn module_error(e: wasit2_module::ModuleError) -> BridgeError {
    match e {
        wasit2_module::ModuleError::Component => BridgeError::Component,
        other => BridgeError::Invalid(other.to_string()),
    }
}

/// Replaces every `wasi_snapshot_preview1` function import of a linked
/// module by the module's own exported `__wasit2_p1_<name>` function (see
/// the module docs) and removes those exports.
pub fn redirect_p1_imports(module: &[u8]) -> Result<Vec<u8>, BridgeError> {
    let m = wasit2_module::Module::parse(module).map_err(module_error)?;
    if let Some(i) = m.imports.iter().find(|i| i.module == "wasi_unstable") {
        return Err(BridgeError::UnsupportedImport {
            module: i.module.clone(),
            field: i.field.clone(),
            reason: "pre-snapshot WASI (`wasi_unstable`) is not supported".into(),
        });
    }
    redirect_imports(module, |module_name, field| {
        (module_name == P1_MODULE).then(|| provider_symbol(field))
    })
}

/// Replaces each function import for which `provider(module, field)` names
/// an exported function of the module by that function, and removes the
/// import and those exports (`wasit2_module::encode::redirect_imports`).
/// Imports it gives `None` for stay. A named provider that was not linked
/// in, or whose type differs from the import's, is an error.
pub fn redirect_imports(
    module: &[u8],
    provider: impl Fn(&str, &str) -> Option<String>,
) -> Result<Vec<u8>, BridgeError> {
    use wasit2_module::encode::{self, RedirectError};
    encode::redirect_imports(module, provider).map_err(|e| match e {
        RedirectError::Module(e) => module_error(e),
        RedirectError::Unserved {
            module,
            field,
            reason,
        } => BridgeError::UnsupportedImport {
            module,
            field,
            reason,
        },
        RedirectError::Signature {
            module,
            field,
            provider,
            import_sig,
            provider_sig,
        } => BridgeError::SignatureMismatch {
            module,
            field,
            expected: import_sig,
            found: format!("{provider_sig} (`{provider}`)"),
        },
        RedirectError::Encode(e) => BridgeError::Encode(e),
    })
}
