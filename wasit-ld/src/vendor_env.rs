//! `--vendor-imports env`: a finished p1 module's vendor imports in the
//! env form (`wasit2_abi::env_form`, docs/abi.md section 1.2).
//!
//! A p1 runtime such as the 2020 WAMR links registered natives only under
//! the module names its loader knows (`env`, `wasi_unstable`,
//! `wasi_snapshot_preview1`, `spectest`). After the check, every import
//! still named for a wasit2 module (the vendor worlds of `--host-world`;
//! WASI went to p1 through the adapter) is renamed to `"env"
//! "<module>|<field>"`. Only the import section changes; everything else is
//! copied byte for byte.

use wasit2_abi::env_form::{env_field, VendorImports, ENV_MODULE};
use wasit2_module::encode::rename_imports;

use crate::args::{Host, LinkArgs};

#[derive(Debug, thiserror::Error)]
pub enum VendorEnvError {
    #[error("invalid value for `--vendor-imports`: {0}")]
    BadValue(String),
    #[error("`--vendor-imports env` needs `--host wasip1` (a p1 runtime that resolves natives only under `env`); the wasit2 host serves the ABI's names")]
    NotWasip1,
    #[error("renaming vendor imports: {0}")]
    Module(#[from] wasit2_module::ModuleError),
}

/// `--vendor-imports`, checked against the host before anything is linked.
pub fn from_args(args: &LinkArgs, host: Host) -> Result<VendorImports, VendorEnvError> {
    let mode = match &args.vendor_imports {
        None => VendorImports::Wasit2,
        Some(v) => v.parse().map_err(VendorEnvError::BadValue)?,
    };
    if mode == VendorImports::Env && !host.is_wasip1() {
        return Err(VendorEnvError::NotWasip1);
    }
    Ok(mode)
}

/// The finished module with its vendor imports as `--vendor-imports` asks.
pub fn apply(bytes: Vec<u8>, args: &LinkArgs, host: Host) -> Result<Vec<u8>, VendorEnvError> {
    match from_args(args, host)? {
        VendorImports::Wasit2 => Ok(bytes),
        VendorImports::Env => to_env_form(&bytes),
    }
}

/// `bytes` with every import of a wasit2 module renamed to its env form.
pub fn to_env_form(bytes: &[u8]) -> Result<Vec<u8>, VendorEnvError> {
    Ok(rename_imports(bytes, |module, field| {
        env_field(module, field).map(|f| (ENV_MODULE.to_string(), f))
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{ImportSection, Module};
    use wasmparser::{Parser, Payload};

    fn imports(bytes: &[u8]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for payload in Parser::new(0).parse_all(bytes) {
            if let Payload::ImportSection(r) = payload.unwrap() {
                for i in r.into_imports() {
                    let i = i.unwrap();
                    out.push((i.module.to_string(), i.name.to_string()));
                }
            }
        }
        out
    }

    /// Four function imports, a memory, `_start` calling the last import,
    /// and a custom section.
    fn sample() -> Vec<u8> {
        use wasm_encoder::{
            CodeSection, CustomSection, EntityType, ExportKind, ExportSection, Function,
            FunctionSection, Instruction, MemorySection, MemoryType, TypeSection, ValType,
        };
        use ValType::{F32, I32};
        let mut types = TypeSection::new();
        types.ty().function([I32, I32, I32, I32], [I32]);
        types.ty().function([I32, I32, I32], [I32]);
        types.ty().function([I32], [F32]);
        types.ty().function([], [I32]);
        types.ty().function([], []);
        let mut imports = ImportSection::new();
        for (module, field, ty) in [
            ("wasi_snapshot_preview1", "fd_write", 0),
            ("wasit2-cm32p2|acme:sensors/temp@1", "model", 1),
            ("cm32p2", "ping", 2),
            ("env", "read_temp", 3),
        ] {
            imports.import(module, field, EntityType::Function(ty));
        }
        let mut funcs = FunctionSection::new();
        funcs.function(4);
        let mut memory = MemorySection::new();
        memory.memory(MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        let mut exports = ExportSection::new();
        exports.export("memory", ExportKind::Memory, 0);
        exports.export("_start", ExportKind::Func, 4);
        let mut code = CodeSection::new();
        let mut start = Function::new([]);
        start.instruction(&Instruction::Call(3));
        start.instruction(&Instruction::Drop);
        start.instruction(&Instruction::End);
        code.function(&start);
        let mut m = Module::new();
        m.section(&types)
            .section(&imports)
            .section(&funcs)
            .section(&memory)
            .section(&exports)
            .section(&code)
            .section(&CustomSection {
                name: "name-me".into(),
                data: b"x"[..].into(),
            });
        m.finish()
    }

    /// Every section but the import section, as (id, bytes).
    fn other_sections(bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
        let mut out = Vec::new();
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.unwrap();
            if matches!(payload, Payload::ImportSection(_)) {
                continue;
            }
            if let Some((id, range)) = payload.as_section() {
                out.push((id, bytes[range.start as usize..range.end as usize].to_vec()));
            }
        }
        out
    }

    #[test]
    fn vendor_imports_move_under_env_and_the_rest_stays() {
        let before = sample();
        wasmparser::Validator::new().validate_all(&before).unwrap();
        let after = to_env_form(&before).unwrap();
        wasmparser::Validator::new().validate_all(&after).unwrap();
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(m, f)| (m.to_string(), f.to_string()))
                .collect()
        };
        assert_eq!(
            imports(&after),
            pairs(&[
                ("wasi_snapshot_preview1", "fd_write"),
                ("env", "wasit2-cm32p2|acme:sensors/temp@1|model"),
                ("env", "cm32p2|ping"),
                ("env", "read_temp"),
            ])
        );
        assert_eq!(other_sections(&after), other_sections(&before));
        assert_eq!(other_sections(&before).len(), 6);
    }

    #[test]
    fn env_needs_a_p1_host_and_values_are_checked() {
        let args = |v: &str| LinkArgs {
            vendor_imports: Some(v.into()),
            ..Default::default()
        };
        assert_eq!(
            from_args(&args("env"), Host::Wasip1).unwrap(),
            VendorImports::Env
        );
        assert!(matches!(
            from_args(&args("env"), Host::Wasit2),
            Err(VendorEnvError::NotWasip1)
        ));
        assert!(matches!(
            from_args(&args("ENV"), Host::Wasip1),
            Err(VendorEnvError::BadValue(_))
        ));
        assert_eq!(
            from_args(&LinkArgs::default(), Host::Wasit2).unwrap(),
            VendorImports::Wasit2
        );
    }
}
