//! Which wasm proposals a module uses, found by validating it with one
//! proposal switched off at a time.

use wasmparser::{Validator, WasmFeatures as F};

use crate::ModuleError;

/// A wasm proposal as clang names it, with the wasmparser flags it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Feature {
    /// clang's feature name (`-m<name>` / `-mno-<name>`).
    pub name: &'static str,
    pub flags: F,
    /// The flag that stops clang from emitting it.
    pub disable: &'static str,
}

pub const FEATURES: &[Feature] = &[
    Feature {
        name: "sign-ext",
        flags: F::SIGN_EXTENSION,
        disable: "-mno-sign-ext",
    },
    Feature {
        name: "nontrapping-fptoint",
        flags: F::SATURATING_FLOAT_TO_INT,
        disable: "-mno-nontrapping-fptoint",
    },
    Feature {
        name: "bulk-memory",
        flags: F::BULK_MEMORY.union(F::BULK_MEMORY_OPT),
        disable: "-mno-bulk-memory -mno-bulk-memory-opt",
    },
    Feature {
        name: "reference-types",
        flags: F::REFERENCE_TYPES.union(F::CALL_INDIRECT_OVERLONG),
        disable: "-mno-reference-types -mno-call-indirect-overlong",
    },
    Feature {
        name: "multivalue",
        flags: F::MULTI_VALUE,
        disable: "-mno-multivalue",
    },
    Feature {
        name: "simd128",
        flags: F::SIMD.union(F::RELAXED_SIMD),
        disable: "-mno-simd128 -mno-relaxed-simd",
    },
    Feature {
        name: "tail-call",
        flags: F::TAIL_CALL,
        disable: "-mno-tail-call",
    },
    Feature {
        name: "exception-handling",
        flags: F::EXCEPTIONS.union(F::LEGACY_EXCEPTIONS),
        disable: "-mno-exception-handling",
    },
    Feature {
        name: "atomics",
        flags: F::THREADS.union(F::SHARED_EVERYTHING_THREADS),
        disable: "-mno-atomics",
    },
    Feature {
        name: "extended-const",
        flags: F::EXTENDED_CONST,
        disable: "-mno-extended-const",
    },
    Feature {
        name: "multimemory",
        flags: F::MULTI_MEMORY,
        disable: "-mno-multimemory",
    },
    Feature {
        name: "memory64",
        flags: F::MEMORY64,
        disable: "--target=wasm32-...",
    },
    Feature {
        name: "gc",
        flags: F::GC.union(F::FUNCTION_REFERENCES).union(F::GC_TYPES),
        disable: "-mno-gc",
    },
    Feature {
        name: "wide-arithmetic",
        flags: F::WIDE_ARITHMETIC,
        disable: "-mno-wide-arithmetic",
    },
    Feature {
        name: "mutable-globals",
        flags: F::MUTABLE_GLOBAL,
        disable: "-mno-mutable-globals",
    },
];

/// A proposal the module uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureUse {
    pub feature: Feature,
    /// The validator's message when the proposal is off.
    pub detail: String,
    /// Where the validator stopped (a code offset).
    pub offset: usize,
}

/// The proposals among `which` that `bytes` uses, each with the
/// validator's message when it is off. Errors if the module is invalid even
/// with every proposal on.
pub fn uses(
    bytes: &[u8],
    which: impl Fn(&Feature) -> bool,
) -> Result<Vec<FeatureUse>, ModuleError> {
    Validator::new_with_features(F::all()).validate_all(bytes)?;
    let mut uses = Vec::new();
    for f in FEATURES.iter().filter(|f| which(f)) {
        if let Err(e) =
            Validator::new_with_features(F::all().difference(f.flags)).validate_all(bytes)
        {
            uses.push(FeatureUse {
                feature: *f,
                detail: e.message().to_string(),
                offset: e.offset() as usize,
            });
        }
    }
    Ok(uses)
}
