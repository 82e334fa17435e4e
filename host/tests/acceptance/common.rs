//! Test harness: WAT modules parametrized by arch, imports named and typed
//! by the ABI crate, run on the real host.
#![allow(dead_code)]

use std::sync::OnceLock;

use wasit2_abi::{Arch, Lowering, ValType, Wit};
use wasit2_host::{Host, WasiHostCtx};
use wasmtime::{Linker, Module, Store};
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::WasiCtxBuilder;

pub fn lowering(arch: Arch) -> &'static Lowering {
    static L: OnceLock<[Lowering; 2]> = OnceLock::new();
    let all = L.get_or_init(|| {
        let wit = Wit::wasi().unwrap();
        let w = wit.command_world().unwrap();
        [
            Lowering::new(&wit, w, Arch::Wasm32).unwrap(),
            Lowering::new(&wit, w, Arch::Wasm64).unwrap(),
        ]
    });
    &all[arch as usize]
}

/// `(import ...)` for one WIT function, named and typed by the ABI crate.
pub fn import(arch: Arch, iface: &str, field: &str, name: &str) -> String {
    let l = lowering(arch);
    let imp = l
        .imports
        .iter()
        .find(|i| i.interface_name.as_deref() == Some(iface) && i.field == field)
        .unwrap_or_else(|| panic!("no import {iface} {field}"));
    let t = |v: &ValType| v.to_string();
    format!(
        "(import \"{}\" \"{}\" (func {name} (param {}) (result {})))\n",
        imp.module,
        imp.field,
        imp.sig.params.iter().map(t).collect::<Vec<_>>().join(" "),
        imp.sig.results.iter().map(t).collect::<Vec<_>>().join(" ")
    )
}

/// Common helpers: `$puts(ptr, len)` writes to stdout, `$eputs` to stderr.
pub const HELPERS: &str = r#"
  (func $puts (param $p PTR) (param $n PTR)
    (call $write (call $get_stdout) (local.get $p) (local.get $n) (PTR.const 16)))
  (func $eputs (param $p PTR) (param $n PTR)
    (call $write (call $get_stderr) (local.get $p) (local.get $n) (PTR.const 16)))
"#;

pub fn helper_imports() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("wasi:cli/stdout@0.2", "get-stdout", "$get_stdout"),
        ("wasi:cli/stderr@0.2", "get-stderr", "$get_stderr"),
        (
            "wasi:io/streams@0.2",
            "[method]output-stream.blocking-write-and-flush",
            "$write",
        ),
    ]
}

/// Builds a module: `PTR` becomes i32/i64, `PSZ2`/`PSZ` twice/once the
/// pointer size, `RUN` the run export; memory is exported under the ABI's
/// name. `body` must define `(func (export "RUN") (result i32) ...)`.
pub fn module(arch: Arch, imports: &[(&str, &str, &str)], body: &str) -> Vec<u8> {
    let mut all = helper_imports();
    all.extend_from_slice(imports);
    let imports: String = all.iter().map(|(i, f, n)| import(arch, i, f, n)).collect();
    let l = lowering(arch);
    let run = l
        .exports
        .iter()
        .find(|e| e.name.ends_with("|run"))
        .unwrap()
        .name
        .clone();
    let text = format!(
        "(module {imports} (memory (export \"{}\") PTR 2) {HELPERS} {body})",
        arch.memory_export()
    );
    let (ptr, psz) = match arch {
        Arch::Wasm32 => ("i32", 4),
        Arch::Wasm64 => ("i64", 8),
    };
    // `(P2I x)` widens a pointer-sized value to i64.
    let p2i = match arch {
        Arch::Wasm32 => "(i64.extend_i32_u ",
        Arch::Wasm64 => "(i64.add (i64.const 0) ",
    };
    let text = text
        .replace("(P2I ", p2i)
        .replace("\"RUN\"", &format!("\"{run}\""))
        .replace("PTR", ptr)
        .replace("PSZ4", &(4 * psz).to_string())
        .replace("PSZ3", &(3 * psz).to_string())
        .replace("PSZ2", &(2 * psz).to_string())
        .replace("PSZ", &psz.to_string());
    wat::parse_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

pub struct Ran {
    /// The run export's result, or the exit code, or the trap.
    pub result: Result<i32, wasmtime::Error>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub memory: Vec<u8>,
}

impl Ran {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn code(&self) -> i32 {
        match &self.result {
            Ok(c) => *c,
            Err(e) => panic!(
                "trapped: {e:?}\nstdout: {}\nstderr: {}",
                self.stdout(),
                String::from_utf8_lossy(&self.stderr)
            ),
        }
    }
    pub fn trap(&self) -> String {
        match &self.result {
            Ok(c) => panic!("expected a trap, got exit {c}; stdout: {}", self.stdout()),
            Err(e) => format!("{e:?}"),
        }
    }
    pub fn u32_at(&self, addr: usize) -> u32 {
        u32::from_le_bytes(self.memory[addr..addr + 4].try_into().unwrap())
    }
    pub fn u64_at(&self, addr: usize) -> u64 {
        u64::from_le_bytes(self.memory[addr..addr + 8].try_into().unwrap())
    }
    /// A pointer-sized value.
    pub fn ptr_at(&self, arch: Arch, addr: usize) -> u64 {
        match arch {
            Arch::Wasm32 => self.u32_at(addr) as u64,
            Arch::Wasm64 => self.u64_at(addr),
        }
    }
}

pub fn run(arch: Arch, wasm: &[u8], configure: impl FnOnce(&mut WasiCtxBuilder)) -> Ran {
    run_with(arch, wasm, configure, &[])
}

pub fn run_with(
    arch: Arch,
    wasm: &[u8],
    configure: impl FnOnce(&mut WasiCtxBuilder),
    stdin: &[u8],
) -> Ran {
    run_inner(arch, wasm, configure, stdin, false)
}

/// Like [`run`], with a pass-through `on_call` hook, which makes every
/// import take the generic (`Val`) path instead of the typed one.
pub fn run_generic(arch: Arch, wasm: &[u8], configure: impl FnOnce(&mut WasiCtxBuilder)) -> Ran {
    run_inner(arch, wasm, configure, &[], true)
}

fn run_inner(
    arch: Arch,
    wasm: &[u8],
    configure: impl FnOnce(&mut WasiCtxBuilder),
    stdin: &[u8],
    hooked: bool,
) -> Ran {
    static ENGINE: OnceLock<wasmtime::Engine> = OnceLock::new();
    let engine = ENGINE
        .get_or_init(|| wasit2_host::engine().unwrap())
        .clone();
    let module = Module::new(&engine, wasm).unwrap();
    let stdout = MemoryOutputPipe::new(1 << 20);
    let stderr = MemoryOutputPipe::new(1 << 20);
    // As `wasit2 run` does: file I/O blocks the calling thread.
    let mut b = wasit2_host::wasi_ctx_builder();
    b.stdout(stdout.clone())
        .stderr(stderr.clone())
        .stdin(MemoryInputPipe::new(stdin.to_vec()));
    configure(&mut b);
    let mut store = Store::new(&engine, WasiHostCtx::new(b.build()));
    let mut linker = Linker::new(&engine);
    let host = Host::new(|s: &mut WasiHostCtx| s);
    let host = if hooked {
        host.on_call(|_, _, _| Ok(wasit2_host::Flow::Continue))
    } else {
        host
    };
    host.add_to_linker(&mut linker).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let l = lowering(arch);
    let run = l
        .exports
        .iter()
        .find(|e| e.name.ends_with("|run"))
        .unwrap()
        .name
        .clone();
    let f = instance
        .get_typed_func::<(), i32>(&mut store, &run)
        .unwrap();
    let result = match f.call(&mut store, ()) {
        Ok(c) => Ok(c),
        Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(x) => Ok(x.0),
            None => Err(e),
        },
    };
    let memory = instance
        .get_memory(&mut store, &arch.memory_export())
        .unwrap()
        .data(&store)
        .to_vec();
    Ran {
        result,
        stdout: stdout.contents().to_vec(),
        stderr: stderr.contents().to_vec(),
        memory,
    }
}
