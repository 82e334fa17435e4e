//! Running a wasit2 command module: what `wasit2 run` uses.

use wasit2_abi::Arch;
use wasmtime::{Config, Engine, Linker, Module, Store, Trap, WasmBacktrace};
use wasmtime_wasi::I32Exit;

use crate::{Host, WasiHostCtx};

/// What kind of module a byte string is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleKind {
    Wasit2(Arch),
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("not a WebAssembly module (no `\\0asm` header)")]
    NotWasm,
    #[error("invalid WebAssembly module: {0}")]
    Invalid(String),
    #[error("not a wasit2 module: {0}")]
    NotWasit2(String),
    #[error("the module imports `{module}` `{field}`, which the wasit2 host does not provide")]
    MissingImport { module: String, field: String },
    #[error("{0}")]
    Trap(String),
    #[error("{0}")]
    Host(String),
}

/// Classifies a module: wasm32 or wasm64 wasit2 command (by its memory and
/// its `run` export), or an error saying why it is not one.
pub fn inspect_module(bytes: &[u8]) -> Result<ModuleKind, RunError> {
    if !bytes.starts_with(b"\0asm") {
        return Err(RunError::NotWasm);
    }
    let mut memory64 = None;
    let mut exports = Vec::new();
    let mut memories = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| RunError::Invalid(e.to_string()))? {
            wasmparser::Payload::MemorySection(r) => {
                for m in r {
                    memories.push(m.map_err(|e| RunError::Invalid(e.to_string()))?.memory64);
                }
            }
            wasmparser::Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.map_err(|e| RunError::Invalid(e.to_string()))?;
                    if let wasmparser::TypeRef::Memory(m) = imp.ty {
                        memories.insert(0, m.memory64);
                    }
                }
            }
            wasmparser::Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(|e| RunError::Invalid(e.to_string()))?;
                    if e.kind == wasmparser::ExternalKind::Memory {
                        memory64 = memories.get(e.index as usize).copied();
                    }
                    exports.push(e.name.to_string());
                }
            }
            _ => {}
        }
    }
    let arch = if memory64.or(memories.first().copied()) == Some(true) {
        Arch::Wasm64
    } else {
        Arch::Wasm32
    };
    let run = run_export(arch);
    if !exports.contains(&run) {
        return Err(RunError::NotWasit2(format!("it does not export `{run}`")));
    }
    if !exports.iter().any(|e| *e == arch.memory_export()) {
        return Err(RunError::NotWasit2(format!(
            "it does not export `{}`",
            arch.memory_export()
        )));
    }
    Ok(ModuleKind::Wasit2(arch))
}

fn run_export(arch: Arch) -> String {
    // The name comes from the ABI crate's lowering of the command world.
    crate::linker::lowering(arch)
        .ok()
        .and_then(|l| {
            l.exports
                .iter()
                .find(|e| e.name.ends_with("|run"))
                .map(|e| e.name.clone())
        })
        .unwrap_or_else(|| format!("{}|wasi:cli/run@0.2|run", arch.prefix()))
}

/// Options of one run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// argv, including argv[0].
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub inherit_env: bool,
    /// (host path, guest path) preopens.
    pub dirs: Vec<(String, String)>,
}

/// An engine configured for wasit2 modules (memory64 on).
pub fn engine() -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.wasm_memory64(true);
    Engine::new(&config)
}

/// Runs a wasit2 command module with stdio inherited; returns its exit code.
pub fn run_module(bytes: &[u8], opts: &RunOptions) -> Result<i32, RunError> {
    let ModuleKind::Wasit2(arch) = inspect_module(bytes)?;
    let host = |e: wasmtime::Error| RunError::Host(format!("{e:#}"));
    let engine = engine().map_err(host)?;
    let module = Module::new(&engine, bytes).map_err(|e| RunError::Invalid(format!("{e:#}")))?;

    let mut b = crate::wasi_ctx_builder();
    b.inherit_stdio()
        .args(&opts.args)
        .allow_ip_name_lookup(true)
        .allow_tcp(true)
        .allow_udp(true)
        .inherit_network();
    if opts.inherit_env {
        b.inherit_env();
    }
    for (k, v) in &opts.env {
        b.env(k, v);
    }
    for (host_dir, guest) in &opts.dirs {
        b.preopened_dir(host_dir, guest, wasmtime_wasi::FsPerms::ReadWrite)
            .map_err(|e| RunError::Host(format!("--dir {host_dir}: {e:#}")))?;
    }
    let mut store = Store::try_new(&engine, WasiHostCtx::new(b.build())).map_err(host)?;
    let mut linker = Linker::new(&engine);
    Host::new(|s: &mut WasiHostCtx| s)
        .add_to_linker(&mut linker)
        .map_err(|e| RunError::Host(e.to_string()))?;
    for imp in module.imports() {
        if linker.get_by_import(&mut store, &imp).is_none() {
            return Err(RunError::MissingImport {
                module: imp.module().to_string(),
                field: imp.name().to_string(),
            });
        }
    }
    let instance = linker.instantiate(&mut store, &module).map_err(classify)?;
    if let Some(init) = instance.get_func(&mut store, &arch.initialize_export()) {
        let init = init.typed::<(), ()>(&store).map_err(host)?;
        if let Err(e) = init.call(&mut store, ()) {
            return exit_or(e);
        }
    }
    let run = instance
        .get_typed_func::<(), i32>(&mut store, &run_export(arch))
        .map_err(|e| RunError::NotWasit2(format!("{e:#}")))?;
    match run.call(&mut store, ()) {
        Ok(0) => Ok(0),
        Ok(_) => Ok(1),
        Err(e) => exit_or(e),
    }
}

fn exit_or(e: wasmtime::Error) -> Result<i32, RunError> {
    match e.downcast_ref::<I32Exit>() {
        Some(I32Exit(code)) => Ok(*code),
        None => Err(classify(e)),
    }
}

/// One line: the trap (or host error) and the wasm backtrace frames.
fn classify(e: wasmtime::Error) -> RunError {
    let frames = e.downcast_ref::<WasmBacktrace>().map(|bt| {
        bt.frames()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let name = f
                    .func_name()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("func[{}]", f.func_index()));
                format!("#{i} {name}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    });
    let root = match e.downcast_ref::<Trap>() {
        Some(t) => format!("wasm trap: {t}"),
        None => format!("host error: {}", e.root_cause()),
    };
    let msg = match frames {
        Some(f) if !f.is_empty() => format!("{root}; wasm backtrace: {f}"),
        _ => root,
    };
    RunError::Trap(msg.replace('\n', " "))
}
