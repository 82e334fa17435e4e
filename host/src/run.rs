//! Running a wasit2 command module: what `wasit2 run` uses.

use std::time::Duration;

use wasit2_abi::Arch;
use wasmtime::{
    Config, Engine, Linker, Module, Precompiled, Store, StoreLimits, StoreLimitsBuilder, Trap,
    WasmBacktrace,
};
use wasmtime_wasi::I32Exit;

use crate::cache::{self, CacheConfig, CacheOutcome};
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
    #[error(
        "a WASI preview 1 module (it imports `{0}`), not a wasit2 module: run it with `wasmtime run` or `iwasm`"
    )]
    Wasip1(String),
    #[error("a WebAssembly component, not a wasit2 module: run it with `wasmtime run`")]
    Component,
    #[error("a precompiled component, not a wasit2 module: run it with `wasmtime run`")]
    PrecompiledComponent,
    #[error("a precompiled module (`.cwasm`), and running precompiled code is not allowed here")]
    PrecompiledNotAllowed,
    #[error(
        "a precompiled module made by another wasmtime or engine configuration ({0}); compile it again with `wasit2 compile`"
    )]
    PrecompiledIncompatible(String),
    #[error(
        "not a wasit2 command: it does not export `{0}`; to call a function a module exports (a reactor's), name it with `--invoke NAME`"
    )]
    NoRun(String),
    #[error(
        "--invoke {name}: no exported function of that name (exported functions: {})",
        list_or_none(available)
    )]
    NoSuchExport {
        name: String,
        available: Vec<String>,
    },
    #[error("--invoke {name}: {message}")]
    InvokeArgs { name: String, message: String },
    #[error(
        "the module imports `{module}` `{field}`, which the wasit2 host does not provide{}",
        vendor_hint(module)
    )]
    MissingImport { module: String, field: String },
    /// The guest trapped, or the host stopped it (a bad pointer or handle):
    /// the message, then one line per wasm frame, innermost first.
    #[error("{}", trap_text(message, frames))]
    Trap {
        message: String,
        frames: Vec<String>,
    },
    #[error("{0}")]
    Host(String),
}

/// For an import outside WASI: where such an interface is served.
fn vendor_hint(module: &str) -> &'static str {
    let interface = module.split_once('|').map_or("", |(_, i)| i);
    if interface.is_empty() || interface.starts_with("wasi:") {
        ""
    } else {
        " (a vendor interface: serve it from an embedder, see `wasit2_host::bindgen!` in docs/host.md)"
    }
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn trap_text(message: &str, frames: &[String]) -> String {
    let mut s = message.to_string();
    for (i, f) in frames.iter().enumerate() {
        s.push_str(&format!("\n  {i:>3}: {f}"));
    }
    s
}

/// Import modules of WASI preview 1 (and its predecessor).
const P1_MODULES: [&str; 2] = ["wasi_snapshot_preview1", "wasi_unstable"];

/// Classifies a module: wasm32 or wasm64 wasit2 module (by its memory
/// export), or an error saying why it is not one (and, for a preview 1
/// module or a component, what runs it). A command also exports `run`,
/// which [`run_prepared`] checks; a reactor need not.
pub fn inspect_module(bytes: &[u8]) -> Result<ModuleKind, RunError> {
    inspect(bytes).map(|(kind, _)| kind)
}

/// [`inspect_module`], also returning the `wasit2-world` section's bytes
/// (the WIT world the module was built for), if it has one.
fn inspect(bytes: &[u8]) -> Result<(ModuleKind, Option<Vec<u8>>), RunError> {
    if !bytes.starts_with(b"\0asm") {
        return Err(RunError::NotWasm);
    }
    let invalid = |e: wasmparser::BinaryReaderError| RunError::Invalid(e.to_string());
    let mut memory64 = None;
    let mut exports = Vec::new();
    let mut memories = Vec::new();
    let mut import_modules = Vec::new();
    let mut world: Option<Vec<u8>> = None;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.map_err(invalid)? {
            wasmparser::Payload::Version {
                encoding: wasmparser::Encoding::Component,
                ..
            } => return Err(RunError::Component),
            wasmparser::Payload::MemorySection(r) => {
                for m in r {
                    memories.push(m.map_err(invalid)?.memory64);
                }
            }
            wasmparser::Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.map_err(invalid)?;
                    if let wasmparser::TypeRef::Memory(m) = imp.ty {
                        memories.insert(0, m.memory64);
                    }
                    import_modules.push(imp.module.to_string());
                }
            }
            wasmparser::Payload::CustomSection(c) if c.name() == wasit2_abi::WORLD_SECTION_NAME => {
                world
                    .get_or_insert_with(Vec::new)
                    .extend_from_slice(c.data());
            }
            wasmparser::Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(invalid)?;
                    if e.kind == wasmparser::ExternalKind::Memory {
                        memory64 = memories.get(e.index as usize).copied();
                    }
                    exports.push(e.name.to_string());
                }
            }
            _ => {}
        }
    }
    let memory64 = memory64.or(memories.first().copied()) == Some(true);
    let arch = classify_shape(&import_modules, &exports, memory64)?;
    Ok((ModuleKind::Wasit2(arch), world))
}

/// The checks of [`inspect_module`] on a compiled module (a `.cwasm`).
fn inspect_compiled(module: &Module) -> Result<Arch, RunError> {
    let imports: Vec<String> = module.imports().map(|i| i.module().to_string()).collect();
    let mut memory64 = false;
    let mut exports = Vec::new();
    for e in module.exports() {
        if let wasmtime::ExternType::Memory(m) = e.ty() {
            memory64 = m.is_64();
        }
        exports.push(e.name().to_string());
    }
    classify_shape(&imports, &exports, memory64)
}

fn classify_shape(
    import_modules: &[String],
    exports: &[String],
    memory64: bool,
) -> Result<Arch, RunError> {
    let arch = if memory64 { Arch::Wasm64 } else { Arch::Wasm32 };
    // A preview 1 module (e.g. `wasit-ld --host wasip1`'s) is refused by
    // what it is, not by what it lacks: it imports preview 1 and does not
    // export the wasit2 memory. (A wasit2 module with a stray preview 1
    // import gets the missing-import error instead.)
    let memory = arch.memory_export();
    if !exports.contains(&memory) {
        if let Some(p1) = import_modules
            .iter()
            .find(|m| P1_MODULES.contains(&m.as_str()))
        {
            return Err(RunError::Wasip1(p1.clone()));
        }
    }
    if !exports.contains(&memory) {
        return Err(RunError::NotWasit2(format!(
            "it does not export `{memory}`"
        )));
    }
    Ok(arch)
}

pub(crate) fn run_export(arch: Arch) -> String {
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

/// Options of one run. The defaults are the safe ones: no network, no
/// directories, no host environment, no limits beyond the host's
/// [`Limits`](crate::Limits), no cache, no precompiled code.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// argv, including argv[0].
    pub args: Vec<String>,
    /// Environment variables the guest sees (after `inherit_env`'s).
    pub env: Vec<(String, String)>,
    /// Pass the whole host environment.
    pub inherit_env: bool,
    /// (host path, guest path) preopens, read-write.
    pub dirs: Vec<(String, String)>,
    /// Let the guest use the host's network (TCP and UDP to and from any
    /// address), as `wasmtime run -S inherit-network`. Off: every socket
    /// `bind` and `connect` is denied.
    pub inherit_network: bool,
    /// Let the guest resolve host names (`wasi:sockets/ip-name-lookup`).
    pub allow_ip_name_lookup: bool,
    /// Fuel the guest may consume (about one unit per wasm instruction);
    /// running out traps. Compiles fuel checks into the code.
    pub fuel: Option<u64>,
    /// Most bytes a linear memory may grow to; `memory.grow` beyond fails.
    pub max_memory_size: Option<usize>,
    /// Wall-clock limit on wasm execution (epoch interruption): the guest
    /// traps at its next check after this. A host call that blocks (a read,
    /// a `poll`) is not interrupted until it returns.
    pub timeout: Option<Duration>,
    /// The compile cache (see [`CacheConfig::from_env`](crate::CacheConfig::from_env));
    /// `None` compiles on every run.
    pub cache: Option<CacheConfig>,
    /// Accept a precompiled module (`wasit2 compile`'s output, native code:
    /// trusted like an executable). Off: such a file is refused.
    pub allow_precompiled: bool,
}

impl RunOptions {
    /// The engine settings these options need.
    pub fn engine_options(&self) -> EngineOptions {
        EngineOptions {
            consume_fuel: self.fuel.is_some(),
            epoch_interruption: self.timeout.is_some(),
        }
    }
}

/// The engine settings that change compiled code (and so the cache key and
/// what a `.cwasm` must have been compiled with).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineOptions {
    /// Fuel checks (for a fuel limit).
    pub consume_fuel: bool,
    /// Epoch checks (for a timeout).
    pub epoch_interruption: bool,
}

/// An engine configured for wasit2 modules (memory64 on).
pub fn engine() -> wasmtime::Result<Engine> {
    engine_with(&EngineOptions::default())
}

/// An engine configured for wasit2 modules with these settings.
pub fn engine_with(o: &EngineOptions) -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    // Exceptions (exnref `try_table`/`throw`) carry C's longjmp and C++
    // throws; the "gc" build feature holds the thrown objects, "gc-drc"
    // frees them again (a longjmp loop would exhaust a null collector).
    config
        .wasm_memory64(true)
        .wasm_exceptions(true)
        .consume_fuel(o.consume_fuel)
        .epoch_interruption(o.epoch_interruption);
    Engine::new(&config)
}

/// Compiles a wasit2 module ahead of time for an engine with these settings
/// (`wasit2 compile`); [`run_module`] accepts the result when
/// `allow_precompiled` is set and its settings match.
pub fn compile_module(bytes: &[u8], o: &EngineOptions) -> Result<Vec<u8>, RunError> {
    if Engine::detect_precompiled(bytes).is_some() {
        return Err(RunError::Invalid("already precompiled".into()));
    }
    inspect_module(bytes)?;
    let engine = engine_with(o).map_err(host_err)?;
    engine
        .precompile_module(bytes)
        .map_err(|e| RunError::Invalid(format!("{e:#}")))
}

fn host_err(e: wasmtime::Error) -> RunError {
    RunError::Host(format!("{e:#}"))
}

/// A module compiled (or loaded) and checked, ready to run.
pub struct Prepared {
    engine: Engine,
    module: Module,
    arch: Arch,
    /// The `wasit2-world` section (not kept in a `.cwasm`).
    world: Option<Vec<u8>>,
}

impl Prepared {
    pub fn arch(&self) -> Arch {
        self.arch
    }
}

/// Checks and compiles a module (a `.wasm`, through the cache if
/// `opts.cache` is set, or a `.cwasm` if `opts.allow_precompiled`);
/// says what the cache did.
pub fn prepare_module(
    bytes: &[u8],
    opts: &RunOptions,
) -> Result<(Prepared, CacheOutcome), RunError> {
    let engine = engine_with(&opts.engine_options()).map_err(host_err)?;
    match Engine::detect_precompiled(bytes) {
        Some(Precompiled::Component) => return Err(RunError::PrecompiledComponent),
        Some(Precompiled::Module) => {
            if !opts.allow_precompiled {
                return Err(RunError::PrecompiledNotAllowed);
            }
            // SAFETY: the caller allowed precompiled code, i.e. trusts this
            // file like a native executable; `deserialize` checks that it
            // was compiled for this engine's configuration.
            let module = unsafe { Module::deserialize(&engine, bytes) }.map_err(|e| {
                RunError::PrecompiledIncompatible(format!("{e}").replace('\n', " "))
            })?;
            let arch = inspect_compiled(&module)?;
            let prepared = Prepared {
                engine,
                module,
                arch,
                world: None,
            };
            return Ok((prepared, CacheOutcome::Disabled));
        }
        None => {}
    }
    let (ModuleKind::Wasit2(arch), world) = inspect(bytes)?;
    let (module, outcome) = cache::load_module(&engine, bytes, opts.cache.as_ref())
        .map_err(|e| RunError::Invalid(format!("{e:#}")))?;
    let prepared = Prepared {
        engine,
        module,
        arch,
        world,
    };
    Ok((prepared, outcome))
}

/// Runs a wasit2 command module with stdio inherited; returns its exit code.
pub fn run_module(bytes: &[u8], opts: &RunOptions) -> Result<i32, RunError> {
    let (prepared, _) = prepare_module(bytes, opts)?;
    run_prepared(&prepared, opts)
}

/// The store's data for a run: the host's state and the memory limit.
struct RunState {
    host: WasiHostCtx,
    limits: StoreLimits,
}

/// Runs a prepared module with stdio inherited; returns its exit code.
pub fn run_prepared(p: &Prepared, opts: &RunOptions) -> Result<i32, RunError> {
    let run_name = run_export(p.arch);
    if p.module.get_export(&run_name).is_none() {
        return Err(RunError::NoRun(run_name));
    }
    let mut running = instantiate(p, opts)?;
    let Some(run) = running.instance.get_func(&mut running.store, &run_name) else {
        return Err(RunError::NoRun(run_name));
    };
    let run = run
        .typed::<(), i32>(&running.store)
        .map_err(|e| RunError::NotWasit2(format!("`{run_name}`: {e:#}")))?;
    if let Err(e) = running.initialize() {
        return exit_or(e);
    }
    match run.call(&mut running.store, ()) {
        Ok(0) => Ok(0),
        Ok(_) => Ok(1),
        Err(e) => exit_or(e),
    }
}

/// How an `--invoke` call ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Invoked {
    /// The function returned these values, as `wasmtime run --invoke`
    /// prints them (one per result).
    Returned(Vec<String>),
    /// The guest called `exit` with this status.
    Exited(i32),
}

/// Calls the export `name` of a prepared module (a reactor's, as
/// `wasmtime run --invoke`) with `args` parsed for its parameter types
/// (i32, i64, f32, f64). The module's initializer (the wasit2 one, else
/// `_initialize`) runs first if it exports one.
///
/// A function of the WIT world the module carries (its `wasit2-world`
/// section) is called with WIT values instead: named
/// `interface#function` (`acme:plugin/handler@1.0.0#handle`; the version
/// may be left out or be the canonical `@1`), by a world-level function's
/// name, or by its core export name. Its arguments are parsed for their WIT
/// types (strings as given, `list<u8>` as the argument's bytes, numbers,
/// `bool`, `char`, enum cases by name); a string or `list<u8>` result is
/// printed as it is, other results as [`Val`](crate::Val) displays them.
pub fn invoke_prepared(
    p: &Prepared,
    opts: &RunOptions,
    name: &str,
    args: &[String],
) -> Result<Invoked, RunError> {
    if let Some(world) = typed_export(p, name)? {
        return invoke_typed(p, opts, &world, name, args);
    }
    let mut running = instantiate(p, opts)?;
    let func = running
        .instance
        .get_func(&mut running.store, name)
        .ok_or_else(|| RunError::NoSuchExport {
            name: name.to_string(),
            available: p
                .module
                .exports()
                .filter(|e| matches!(e.ty(), wasmtime::ExternType::Func(_)))
                .map(|e| e.name().to_string())
                .collect(),
        })?;
    let ty = func.ty(&running.store);
    let params = parse_invoke_args(name, &ty, args)?;
    if let Err(e) = running.initialize() {
        return exit_or(e).map(Invoked::Exited);
    }
    let mut results = vec![wasmtime::Val::I32(0); ty.results().len()];
    match func.call(&mut running.store, &params, &mut results) {
        Ok(()) => Ok(Invoked::Returned(
            results.iter().map(invoke_result_text).collect(),
        )),
        Err(e) => exit_or(e).map(Invoked::Exited),
    }
}

fn parse_invoke_args(
    name: &str,
    ty: &wasmtime::FuncType,
    args: &[String],
) -> Result<Vec<wasmtime::Val>, RunError> {
    use wasmtime::{Val, ValType};
    let bad = |message: String| RunError::InvokeArgs {
        name: name.to_string(),
        message,
    };
    let types: Vec<ValType> = ty.params().collect();
    if types.len() != args.len() {
        let list: Vec<String> = types.iter().map(|t| t.to_string()).collect();
        return Err(bad(format!(
            "takes {} argument{} ({}), got {}",
            types.len(),
            if types.len() == 1 { "" } else { "s" },
            list.join(", "),
            args.len()
        )));
    }
    types
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (t, a))| {
            let value = match t {
                ValType::I32 => parse_int(a, |s, r| i32::from_str_radix(s, r).ok())
                    .or_else(|| parse_int(a, |s, r| u32::from_str_radix(s, r).ok()).map(|u| u as i32))
                    .map(Val::I32),
                ValType::I64 => parse_int(a, |s, r| i64::from_str_radix(s, r).ok())
                    .or_else(|| parse_int(a, |s, r| u64::from_str_radix(s, r).ok()).map(|u| u as i64))
                    .map(Val::I64),
                ValType::F32 => a.parse::<f32>().ok().map(|f| Val::F32(f.to_bits())),
                ValType::F64 => a.parse::<f64>().ok().map(|f| Val::F64(f.to_bits())),
                other => {
                    return Err(bad(format!(
                        "parameter {} has type {other}, which --invoke cannot pass (only i32, i64, f32, f64)",
                        i + 1
                    )))
                }
            };
            value.ok_or_else(|| bad(format!("argument {} `{a}`: not a valid {t}", i + 1)))
        })
        .collect()
}

/// An integer in decimal or `0x` hexadecimal, with an optional `-`.
fn parse_int<T>(s: &str, parse: impl Fn(&str, u32) -> Option<T>) -> Option<T> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", s),
    };
    match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) if !hex.starts_with(['-', '+']) => parse(&format!("{neg}{hex}"), 16),
        Some(_) => None,
        None => parse(s, 10),
    }
}

/// A result as `wasmtime run --invoke` prints it.
fn invoke_result_text(v: &wasmtime::Val) -> String {
    use wasmtime::Val;
    match v {
        Val::I32(i) => i.to_string(),
        Val::I64(i) => i.to_string(),
        Val::F32(f) => f32::from_bits(*f).to_string(),
        Val::F64(f) => f64::from_bits(*f).to_string(),
        Val::V128(v) => v.as_u128().to_string(),
        Val::FuncRef(None) | Val::ExternRef(None) | Val::AnyRef(None) | Val::ExnRef(None) => {
            "null".into()
        }
        Val::FuncRef(Some(_)) => "<funcref>".into(),
        Val::ExternRef(Some(_)) => "<externref>".into(),
        Val::AnyRef(Some(_)) => "<anyref>".into(),
        Val::ExnRef(Some(_)) => "<exnref>".into(),
        Val::ContRef(_) => "<contref>".into(),
    }
}

/// An instantiated module, ready for its initializer and an export call.
struct Running {
    store: Store<RunState>,
    instance: wasmtime::Instance,
    arch: Arch,
    /// Dropping it ends the timeout thread.
    _stop_timeout: Option<std::sync::mpsc::Sender<()>>,
}

impl Running {
    /// Calls the wasit2 initialize export, else `_initialize` (a p1-style
    /// reactor's), if the module has one.
    fn initialize(&mut self) -> wasmtime::Result<()> {
        let init = self
            .instance
            .get_func(&mut self.store, &self.arch.initialize_export())
            .or_else(|| self.instance.get_func(&mut self.store, "_initialize"));
        if let Some(init) = init {
            init.typed::<(), ()>(&self.store)?
                .call(&mut self.store, ())?;
        }
        Ok(())
    }
}

fn instantiate(p: &Prepared, opts: &RunOptions) -> Result<Running, RunError> {
    let (engine, module, arch) = (&p.engine, &p.module, p.arch);
    let mut b = crate::wasi_ctx_builder();
    // Sockets may be created (as with `wasmtime run`); without
    // `inherit_network` no address may be bound or connected to.
    b.inherit_stdio()
        .args(&opts.args)
        .allow_tcp(true)
        .allow_udp(true);
    if opts.inherit_network {
        b.inherit_network();
    }
    b.allow_ip_name_lookup(opts.allow_ip_name_lookup);
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
    let mut limits = StoreLimitsBuilder::new();
    if let Some(max) = opts.max_memory_size {
        limits = limits.memory_size(max);
    }
    let state = RunState {
        host: WasiHostCtx::new(b.build()),
        limits: limits.build(),
    };
    let mut store = Store::try_new(engine, state).map_err(host_err)?;
    store.limiter(|s| &mut s.limits);
    if let Some(fuel) = opts.fuel {
        store.set_fuel(fuel).map_err(host_err)?;
    }
    let mut linker = Linker::new(engine);
    Host::new(|s: &mut RunState| &mut s.host)
        .add_to_linker_for(&mut linker, module)
        .map_err(|e| RunError::Host(e.to_string()))?;
    for imp in module.imports() {
        if linker.get_by_import(&mut store, &imp).is_none() {
            return Err(RunError::MissingImport {
                module: imp.module().to_string(),
                field: imp.name().to_string(),
            });
        }
    }
    // The timeout: one epoch tick after `timeout`, unless the run ends first
    // (dropping the sender wakes the thread, which then exits).
    let stop_timeout = opts.timeout.map(|t| {
        store.set_epoch_deadline(1);
        store.epoch_deadline_trap();
        let (stop, wait) = std::sync::mpsc::channel::<()>();
        let engine = engine.clone();
        std::thread::spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(t) {
                engine.increment_epoch();
            }
        });
        stop
    });
    let instance = linker.instantiate(&mut store, module).map_err(classify)?;
    // One instance per store: its memory serves every host call.
    if let Some(memory) = instance.get_memory(&mut store, &arch.memory_export()) {
        store.data_mut().host.set_memory(memory);
    }
    Ok(Running {
        store,
        instance,
        arch,
        _stop_timeout: stop_timeout,
    })
}

fn exit_or(e: wasmtime::Error) -> Result<i32, RunError> {
    match e.downcast_ref::<I32Exit>() {
        Some(I32Exit(code)) => Ok(*code),
        None => Err(classify(e)),
    }
}

/// The trap (or host error) message and the wasm frames, names demangled.
fn classify(e: wasmtime::Error) -> RunError {
    let frames = e
        .downcast_ref::<WasmBacktrace>()
        .map(|bt| {
            bt.frames()
                .iter()
                .map(|f| {
                    let name = match f.func_name() {
                        Some(n) => demangle(n),
                        None => format!("<wasm function {}>", f.func_index()),
                    };
                    match f.module_offset() {
                        Some(off) => format!("{off:#8x} - {name}"),
                        None => name,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let message = match e.downcast_ref::<Trap>() {
        // A `Trap` displays as "wasm trap: ...".
        Some(t) => t.to_string(),
        None => format!("host error: {}", e.root_cause()),
    };
    RunError::Trap {
        message: message.replace('\n', " "),
        frames,
    }
}

/// A Rust (v0 or legacy, without the hash) or C++ symbol in readable form;
/// anything else unchanged.
fn demangle(name: &str) -> String {
    if let Ok(d) = rustc_demangle::try_demangle(name) {
        return format!("{d:#}");
    }
    if let Ok(s) = cpp_demangle::Symbol::new(name) {
        if let Ok(d) = s.demangle() {
            return d;
        }
    }
    name.to_string()
}

/// The module's WIT world, when it describes the export `name`; an error
/// when `name` has the `interface#function` form and nothing matches.
fn typed_export(p: &Prepared, name: &str) -> Result<Option<crate::World>, RunError> {
    let wit_name = name.contains('#');
    let Some(bytes) = &p.world else {
        if wit_name {
            return Err(RunError::InvokeArgs {
                name: name.to_string(),
                message: "the module carries no WIT world (no `wasit2-world` section), so its \
                          exports have no WIT names"
                    .into(),
            });
        }
        return Ok(None);
    };
    let bad = |e: wasit2_abi::AbiError| RunError::Invalid(e.to_string());
    let (wit, worlds) = wasit2_abi::WorldSection::decode(bytes)
        .and_then(|s| s.load())
        .map_err(bad)?;
    let mut available = Vec::new();
    for id in worlds {
        let world = crate::World::new(&wit, id).map_err(|e| RunError::Invalid(e.to_string()))?;
        let lowering = world.lowering(p.arch);
        if crate::world::lookup_export(lowering, name).is_some() {
            return Ok(Some(world));
        }
        for (i, f) in crate::world::exported_functions(lowering) {
            available.push(match i {
                Some(i) => format!("{i}#{f}"),
                None => f,
            });
        }
    }
    if wit_name {
        return Err(RunError::NoSuchExport {
            name: name.to_string(),
            available,
        });
    }
    Ok(None)
}

/// `--invoke` of a function the module's WIT world describes.
fn invoke_typed(
    p: &Prepared,
    opts: &RunOptions,
    world: &crate::World,
    name: &str,
    args: &[String],
) -> Result<Invoked, RunError> {
    let lowering = world.lowering(p.arch);
    let (export, func) = crate::world::lookup_export(lowering, name)
        .ok_or_else(|| RunError::Host(format!("--invoke {name}: export vanished")))?;
    let vals = parse_wit_args(name, &lowering.resolve, func, args)?;
    let mut running = instantiate(p, opts)?;
    if let Err(e) = running.initialize() {
        return exit_or(e).map(Invoked::Exited);
    }
    let result = crate::world::call_lowered(
        &mut running.store,
        &running.instance,
        lowering,
        &export.name,
        func,
        export.sig.as_ref(),
        vals,
    );
    match result {
        Ok(v) if func.result.is_none() => {
            let _ = v;
            Ok(Invoked::Returned(Vec::new()))
        }
        Ok(crate::Val::String(s)) => Ok(Invoked::Returned(vec![s])),
        Ok(crate::Val::Bytes(b)) => Ok(Invoked::Returned(vec![
            String::from_utf8_lossy(&b).into_owned()
        ])),
        Ok(v) => Ok(Invoked::Returned(vec![v.to_string()])),
        Err(e) => exit_or(e).map(Invoked::Exited),
    }
}

/// Command-line arguments as WIT values of `func`'s parameter types.
fn parse_wit_args(
    name: &str,
    resolve: &wit_parser::Resolve,
    func: &wit_parser::Function,
    args: &[String],
) -> Result<Vec<crate::Val>, RunError> {
    use crate::Val;
    use wit_parser::{Type, TypeDefKind};
    let bad = |message: String| RunError::InvokeArgs {
        name: name.to_string(),
        message,
    };
    if func.params.len() != args.len() {
        let list: Vec<String> = func
            .params
            .iter()
            .map(|p| format!("{}: {}", p.name, type_name(resolve, &p.ty)))
            .collect();
        return Err(bad(format!(
            "takes {} argument{} ({}), got {}",
            list.len(),
            if list.len() == 1 { "" } else { "s" },
            list.join(", "),
            args.len()
        )));
    }
    let int = |a: &str| parse_int(a, |s, r| i128::from_str_radix(s, r).ok());
    func.params
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (p, a))| {
            let mut ty = p.ty;
            while let Type::Id(id) = ty {
                match &resolve.types[id].kind {
                    TypeDefKind::Type(t) => ty = *t,
                    _ => break,
                }
            }
            let v = match ty {
                Type::String => Some(Val::String(a.clone())),
                Type::Bool => match a.as_str() {
                    "true" => Some(Val::Bool(true)),
                    "false" => Some(Val::Bool(false)),
                    _ => None,
                },
                Type::U8 => int(a).and_then(|n| u8::try_from(n).ok()).map(Val::U8),
                Type::U16 => int(a).and_then(|n| u16::try_from(n).ok()).map(Val::U16),
                Type::U32 => int(a).and_then(|n| u32::try_from(n).ok()).map(Val::U32),
                Type::U64 => int(a).and_then(|n| u64::try_from(n).ok()).map(Val::U64),
                Type::S8 => int(a).and_then(|n| i8::try_from(n).ok()).map(Val::S8),
                Type::S16 => int(a).and_then(|n| i16::try_from(n).ok()).map(Val::S16),
                Type::S32 => int(a).and_then(|n| i32::try_from(n).ok()).map(Val::S32),
                Type::S64 => int(a).and_then(|n| i64::try_from(n).ok()).map(Val::S64),
                Type::F32 => a.parse().ok().map(Val::F32),
                Type::F64 => a.parse().ok().map(Val::F64),
                Type::Char => {
                    let mut cs = a.chars();
                    match (cs.next(), cs.next()) {
                        (Some(c), None) => Some(Val::Char(c)),
                        _ => None,
                    }
                }
                Type::Id(id) => match &resolve.types[id].kind {
                    TypeDefKind::List(Type::U8) => Some(Val::Bytes(a.as_bytes().to_vec())),
                    TypeDefKind::Enum(e) => e
                        .cases
                        .iter()
                        .position(|c| c.name == *a)
                        .map(|c| Val::Enum(c as u32)),
                    _ => {
                        return Err(bad(format!(
                            "parameter {} `{}` has WIT type {}, which --invoke cannot pass \
                             (strings, list<u8>, numbers, bool, char and enums)",
                            i + 1,
                            p.name,
                            type_name(resolve, &p.ty)
                        )))
                    }
                },
                Type::ErrorContext => None,
            };
            v.ok_or_else(|| {
                bad(format!(
                    "argument {} `{a}`: not a valid {}",
                    i + 1,
                    type_name(resolve, &p.ty)
                ))
            })
        })
        .collect()
}

/// A WIT type as WIT spells it (for messages).
fn type_name(resolve: &wit_parser::Resolve, ty: &wit_parser::Type) -> String {
    use wit_parser::{Type, TypeDefKind};
    if let Some(name) = wasit2_abi::primitive_name(ty) {
        return name.into();
    }
    match ty {
        Type::Id(id) => {
            let def = &resolve.types[*id];
            if let Some(n) = &def.name {
                return n.clone();
            }
            match &def.kind {
                TypeDefKind::List(t) => format!("list<{}>", type_name(resolve, t)),
                TypeDefKind::Option(t) => format!("option<{}>", type_name(resolve, t)),
                TypeDefKind::Type(t) => type_name(resolve, t),
                k => k.as_str().to_string(),
            }
        }
        _ => unreachable!("primitive types are named above"),
    }
}
