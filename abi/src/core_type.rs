//! Core signatures of wasm function types as wasmparser reads them: the one
//! conversion every crate that checks or rewrites a module uses.

use crate::{CoreSig, ValType};

/// The core value type, `None` for types the Canonical ABI never produces
/// (v128, references).
pub fn val_type(t: wasmparser::ValType) -> Option<ValType> {
    Some(match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        _ => return None,
    })
}

impl CoreSig {
    /// The core signature of a function type, `None` if it uses types the
    /// Canonical ABI never produces.
    pub fn from_func_type(ty: &wasmparser::FuncType) -> Option<CoreSig> {
        let list =
            |v: &[wasmparser::ValType]| v.iter().map(|t| val_type(*t)).collect::<Option<Vec<_>>>();
        Some(CoreSig {
            params: list(ty.params())?,
            results: list(ty.results())?,
        })
    }

    /// How messages show a function type: as a [`CoreSig`] when it is one,
    /// else with wasmparser's type names.
    pub fn text_of(ty: &wasmparser::FuncType) -> String {
        match CoreSig::from_func_type(ty) {
            Some(s) => s.to_string(),
            None => {
                let list = |v: &[wasmparser::ValType]| {
                    v.iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                format!("({}) -> ({})", list(ty.params()), list(ty.results()))
            }
        }
    }
}
