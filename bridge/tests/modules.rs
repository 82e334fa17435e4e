//! Bridging modules assembled here with wasm-encoder: every WASI 0.2
//! function under its standard name, and the error cases.

mod common;

use wasit2_abi::{CoreSig, ImportItem};
use wasit2_bridge::{bridge_standard_p2, needs_bridge, BridgeError};
use wasm_encoder::{
    CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection, ImportSection,
    Instruction, MemorySection, MemoryType, Module, TypeSection, ValType,
};

fn vt(t: &wasit2_abi::ValType) -> ValType {
    match t {
        wasit2_abi::ValType::I32 => ValType::I32,
        wasit2_abi::ValType::I64 => ValType::I64,
        wasit2_abi::ValType::F32 => ValType::F32,
        wasit2_abi::ValType::F64 => ValType::F64,
    }
}

/// A module importing `imports`, with a memory, a run export and, if
/// `realloc`, a `cabi_realloc` export (a bump allocator, never run here).
fn module(
    imports: &[(String, String, CoreSig)],
    realloc: bool,
    extra_export: Option<&str>,
) -> Vec<u8> {
    let mut types = TypeSection::new();
    let mut import_section = ImportSection::new();
    for (i, (m, f, sig)) in imports.iter().enumerate() {
        types
            .ty()
            .function(sig.params.iter().map(vt), sig.results.iter().map(vt));
        import_section.import(m, f, EntityType::Function(i as u32));
    }
    let n = imports.len() as u32;
    types.ty().function([], [ValType::I32]);
    types.ty().function([ValType::I32; 4], [ValType::I32]);
    types.ty().function([], []);
    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    functions.function(n);
    let mut run = Function::new([]);
    run.instruction(&Instruction::I32Const(0))
        .instruction(&Instruction::End);
    code.function(&run);
    exports.export("wasi:cli/run@0.2.3#run", ExportKind::Func, n);
    if realloc {
        functions.function(n + 1);
        let mut f = Function::new([]);
        f.instruction(&Instruction::I32Const(1024))
            .instruction(&Instruction::End);
        code.function(&f);
        exports.export("cabi_realloc", ExportKind::Func, n + 1);
    }
    if let Some(name) = extra_export {
        // A () -> () function, the type `_initialize` has.
        let index = n + 1 + realloc as u32;
        functions.function(n + 2);
        let mut f = Function::new([]);
        f.instruction(&Instruction::End);
        code.function(&f);
        exports.export(name, ExportKind::Func, index);
    }
    exports.export("memory", ExportKind::Memory, 0);
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut m = Module::new();
    m.section(&types)
        .section(&import_section)
        .section(&functions)
        .section(&memories);
    m.section(&exports).section(&code);
    m.finish()
}

/// The standard (legacy) name of every function import of the command
/// world, with an `@0.2.x` version, and its standard core signature.
fn standard_imports() -> Vec<(String, String, CoreSig)> {
    let lowering = common::lowering();
    let mut out = Vec::new();
    for imp in &lowering.imports {
        let iface = imp
            .interface_name
            .as_ref()
            .unwrap()
            .replace("@0.2", "@0.2.3");
        let (field, sig) = match &imp.item {
            ImportItem::ResourceDrop { .. } => (
                format!(
                    "[resource-drop]{}",
                    imp.field.strip_suffix("_drop").unwrap()
                ),
                imp.sig.clone(),
            ),
            ImportItem::Func { .. } => match &imp.buffer {
                Some(b) => (
                    imp.field.clone(),
                    CoreSig {
                        params: imp.sig.params[..=b.retptr].to_vec(),
                        results: vec![],
                    },
                ),
                None => (imp.field.clone(), imp.sig.clone()),
            },
            ImportItem::ExportedResource { .. } => continue,
        };
        out.push((iface, field, sig));
    }
    out
}

#[test]
fn every_wasi_function_bridges() {
    let lowering = common::lowering();
    let input = module(&standard_imports(), true, None);
    assert!(needs_bridge(&input));
    let output = bridge_standard_p2(&input).unwrap();
    let imports = common::check_wasit2_module(&output);
    // Each WASI function is imported once, under its wasit2 name.
    let expected: Vec<(String, String)> = lowering
        .imports
        .iter()
        .filter(|i| !matches!(i.item, ImportItem::ExportedResource { .. }))
        .map(|i| (i.module.clone(), i.field.clone()))
        .collect();
    let mut got = imports.clone();
    got.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(got, want);
    // All 14 list-returning functions went through glue.
    assert_eq!(
        got.iter()
            .filter(|(m, _)| m.starts_with("wasit2-cm32p2|"))
            .count(),
        lowering.buffer_imports().count()
    );
    assert!(lowering.buffer_imports().count() >= 14);
}

#[test]
fn duplicate_versions_share_one_import_and_one_glue() {
    let sig = CoreSig {
        params: vec![wasit2_abi::ValType::I32],
        results: vec![],
    };
    let imports = vec![
        (
            "wasi:cli/environment@0.2.0".to_string(),
            "get-arguments".to_string(),
            sig.clone(),
        ),
        (
            "wasi:cli/environment@0.2.4".to_string(),
            "get-arguments".to_string(),
            sig.clone(),
        ),
        (
            "wasi:io/error@0.2.0".to_string(),
            "[resource-drop]error".to_string(),
            sig.clone(),
        ),
        (
            "wasi:io/error@0.2.4".to_string(),
            "[resource-drop]error".to_string(),
            sig,
        ),
    ];
    let output = bridge_standard_p2(&module(&imports, true, Some("_initialize"))).unwrap();
    let got = common::check_wasit2_module(&output);
    assert_eq!(got.len(), 2, "{got:?}");
    let exports: Vec<String> = wasmparser::Parser::new(0)
        .parse_all(&output)
        .filter_map(|p| match p.unwrap() {
            wasmparser::Payload::ExportSection(r) => Some(
                r.into_iter()
                    .map(|e| e.unwrap().name.to_string())
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .flatten()
        .collect();
    assert!(
        exports.contains(&"cm32p2_initialize".to_string()),
        "{exports:?}"
    );
}

fn bridge_err(
    imports: &[(&str, &str, CoreSig)],
    realloc: bool,
    export: Option<&str>,
) -> BridgeError {
    let imports: Vec<_> = imports
        .iter()
        .map(|(m, f, s)| (m.to_string(), f.to_string(), s.clone()))
        .collect();
    let err = bridge_standard_p2(&module(&imports, realloc, export)).unwrap_err();
    assert!(!err.to_string().contains('\n'), "multi-line message: {err}");
    err
}

fn sig(params: &[wasit2_abi::ValType], results: &[wasit2_abi::ValType]) -> CoreSig {
    CoreSig {
        params: params.to_vec(),
        results: results.to_vec(),
    }
}

#[test]
fn errors_name_the_offending_item() {
    use wasit2_abi::ValType::I32;
    let e = bridge_err(
        &[(
            "wasi:cli/environment@0.2.0",
            "get-everything",
            sig(&[I32], &[]),
        )],
        true,
        None,
    );
    assert!(matches!(e, BridgeError::UnknownImport { .. }), "{e}");
    assert!(e.to_string().contains("get-everything"), "{e}");

    let e = bridge_err(
        &[("wasi_snapshot_preview1", "fd_write", sig(&[I32; 4], &[I32]))],
        true,
        None,
    );
    assert!(matches!(e, BridgeError::UnsupportedImport { .. }), "{e}");
    assert!(
        e.to_string().contains("fd_write") && e.to_string().contains("preview 1"),
        "{e}"
    );

    let e = bridge_err(&[("env", "foo", sig(&[], &[]))], true, None);
    assert!(e.to_string().contains("`env` `foo`"), "{e}");

    let e = bridge_err(
        &[("wasi:cli/stdin@0.2.0", "get-stdin", sig(&[I32], &[]))],
        true,
        None,
    );
    assert!(matches!(e, BridgeError::SignatureMismatch { .. }), "{e}");
    assert!(
        e.to_string().contains("get-stdin") && e.to_string().contains("() -> (i32)"),
        "{e}"
    );

    let e = bridge_err(
        &[(
            "wasi:cli/environment@0.2.0",
            "get-arguments",
            sig(&[I32], &[]),
        )],
        false,
        None,
    );
    assert!(matches!(e, BridgeError::MissingRealloc(_)), "{e}");
    assert!(e.to_string().contains("get-arguments"), "{e}");

    let e = bridge_err(&[], true, Some("wasi:http/incoming-handler@0.2.0#handle"));
    assert!(matches!(e, BridgeError::UnsupportedExport { .. }), "{e}");
    assert!(e.to_string().contains("incoming-handler"), "{e}");
}

#[test]
fn malformed_input_is_an_error_not_a_panic() {
    assert!(matches!(
        bridge_standard_p2(b"not wasm"),
        Err(BridgeError::Invalid(_))
    ));
    assert!(matches!(
        bridge_standard_p2(b"\0asm\x0d\0\x01\0"),
        Err(BridgeError::Component)
    ));
    let good = module(&[], true, None);
    for cut in [9, good.len() / 2, good.len() - 1] {
        assert!(bridge_standard_p2(&good[..cut]).is_err());
    }
    assert!(!needs_bridge(b"not wasm"));
}

#[test]
fn wasit2_modules_need_no_bridge() {
    let input = module(
        &[(
            "wasi:cli/stdin@0.2.0".into(),
            "get-stdin".into(),
            sig(&[], &[wasit2_abi::ValType::I32]),
        )],
        true,
        None,
    );
    assert!(needs_bridge(&input));
    let output = bridge_standard_p2(&input).unwrap();
    assert!(!needs_bridge(&output));
    // Bridging a wasit2 module again changes nothing but is allowed.
    let again = bridge_standard_p2(&output).unwrap();
    common::check_wasit2_module(&again);
}
