//! The plain (`cm32p2`) half of the lowering is byte-for-byte the standard
//! core build target: a module importing every plain function of
//! `wasi:cli/command` with the computed signatures must componentize with
//! wit-component unchanged.

use wasit2_abi::{Arch, Lowering, ValType, Wit};
use wasm_encoder::{
    CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection, ImportSection,
    Instruction, MemorySection, MemoryType, Module, TypeSection,
};

fn val(t: ValType) -> wasm_encoder::ValType {
    match t {
        ValType::I32 => wasm_encoder::ValType::I32,
        ValType::I64 => wasm_encoder::ValType::I64,
        ValType::F32 => wasm_encoder::ValType::F32,
        ValType::F64 => wasm_encoder::ValType::F64,
    }
}

fn module_importing_every_plain_function(l: &Lowering) -> Vec<u8> {
    let mut types = TypeSection::new();
    let mut imports = ImportSection::new();
    let plain: Vec<_> = l.imports.iter().filter(|i| i.is_plain()).collect();
    for (i, imp) in plain.iter().enumerate() {
        types.ty().function(
            imp.sig.params.iter().map(|&t| val(t)),
            imp.sig.results.iter().map(|&t| val(t)),
        );
        imports.import(&imp.module, &imp.field, EntityType::Function(i as u32));
    }
    let run_ty = plain.len() as u32;
    types.ty().function([], [wasm_encoder::ValType::I32]);
    let mut funcs = FunctionSection::new();
    funcs.function(run_ty);
    let mut memory = MemorySection::new();
    memory.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut exports = ExportSection::new();
    let run = l
        .exports
        .iter()
        .find(|e| e.name.ends_with("|run"))
        .expect("run export");
    exports.export(&run.name, ExportKind::Func, plain.len() as u32);
    exports.export(&l.arch.memory_export(), ExportKind::Memory, 0);
    let mut code = CodeSection::new();
    let mut body = Function::new([]);
    body.instruction(&Instruction::I32Const(0));
    body.instruction(&Instruction::End);
    code.function(&body);
    let mut m = Module::new();
    m.section(&types)
        .section(&imports)
        .section(&funcs)
        .section(&memory)
        .section(&exports)
        .section(&code);
    m.finish()
}

#[test]
fn every_plain_command_import_componentizes() {
    let wit = Wit::wasi().unwrap();
    let world = wit.command_world().unwrap();
    let l = Lowering::new(&wit, world, Arch::Wasm32).unwrap();
    assert!(l.imports.iter().filter(|i| i.is_plain()).count() > 100);
    let mut bytes = module_importing_every_plain_function(&l);
    wasmparser::Validator::new().validate_all(&bytes).unwrap();
    wit_component::embed_component_metadata(
        &mut bytes,
        &wit.resolve,
        world,
        wit_component::StringEncoding::UTF8,
        false,
    )
    .unwrap();
    let component = wit_component::ComponentEncoder::default()
        .module(&bytes)
        .unwrap()
        .validate(true)
        .encode()
        .expect("wit-component accepts every plain wasit2 import");
    assert!(!component.is_empty());
}

#[test]
fn buffer_imports_are_exactly_the_list_returning_functions() {
    let wit = Wit::wasi().unwrap();
    let world = wit.command_world().unwrap();
    for arch in Arch::ALL {
        let l = Lowering::new(&wit, world, arch).unwrap();
        let names: Vec<_> = l.buffer_imports().map(|i| i.display_name()).collect();
        for expected in [
            "wasi:cli/environment@0.2.get-environment",
            "wasi:cli/environment@0.2.get-arguments",
            "wasi:cli/environment@0.2.initial-cwd",
            "wasi:filesystem/preopens@0.2.get-directories",
            "wasi:filesystem/types@0.2.[method]descriptor.read",
            "wasi:filesystem/types@0.2.[method]descriptor.readlink-at",
            "wasi:filesystem/types@0.2.[method]directory-entry-stream.read-directory-entry",
            "wasi:io/streams@0.2.[method]input-stream.read",
            "wasi:io/streams@0.2.[method]input-stream.blocking-read",
            "wasi:random/random@0.2.get-random-bytes",
            "wasi:random/insecure@0.2.get-insecure-random-bytes",
            "wasi:sockets/udp@0.2.[method]incoming-datagram-stream.receive",
            "wasi:io/error@0.2.[method]error.to-debug-string",
            "wasi:io/poll@0.2.poll",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} missing for {arch:?}: {names:?}"
            );
        }
        assert_eq!(names.len(), 14, "{names:?}");
        for imp in l.buffer_imports() {
            assert!(imp.module.starts_with(arch.buffer_prefix()));
            let b = imp.buffer.as_ref().unwrap();
            let ptr = if arch == Arch::Wasm32 {
                ValType::I32
            } else {
                ValType::I64
            };
            assert_eq!(imp.sig.params[b.arena_ptr], ptr);
            assert_eq!(imp.sig.params[b.arena_len], ptr);
            assert_eq!(imp.sig.params[b.retptr], ptr);
            assert_eq!(imp.sig.results, vec![ptr]);
        }
    }
}

#[test]
fn wasm64_uses_i64_pointers_and_cm64p2() {
    let wit = Wit::wasi().unwrap();
    let world = wit.command_world().unwrap();
    let l = Lowering::new(&wit, world, Arch::Wasm64).unwrap();
    let write = l
        .import(
            "cm64p2|wasi:io/streams@0.2",
            "[method]output-stream.blocking-write-and-flush",
        )
        .unwrap();
    // (self: handle i32, contents ptr i64, contents len i64, retptr i64)
    assert_eq!(
        write.sig.params,
        vec![ValType::I32, ValType::I64, ValType::I64, ValType::I64]
    );
    assert!(l.export("cm64p2|wasi:cli/run@0.2|run").is_some());
    assert!(l.export("cm64p2_memory").is_some());
    assert!(l
        .imports
        .iter()
        .all(|i| i.module.starts_with("cm64p2") || i.module.starts_with("wasit2-cm64p2")));
}
