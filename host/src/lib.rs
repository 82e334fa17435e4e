//! The wasit2 host: runs wasit2 core modules on a wasmtime core `Linker<T>`.
//!
//! Every import of the `wasi:cli/command@0.2` world, in both the `cm32p2`
//! (wasm32) and `cm64p2` (wasm64) conventions, is registered with exactly the
//! core signature the `wasit2-abi` crate computes. The WASI semantics come
//! from wasmtime-wasi's WASI 0.2 implementation (`WasiCtx` +
//! `ResourceTable`); this crate only lifts arguments from and lowers results
//! to guest memory (bounds- and alignment-checked, with the caller-supplied
//! buffer rules of `docs/abi.md`).
//!
//! Embedding: [`Host`] takes a plain accessor `fn(&mut T) -> &mut
//! WasiHostCtx` and optional hooks that see every call as dynamic [`Val`]s
//! and may replace its result. Hooks keep their state in `T` (they get
//! `&mut T`), so neither `Sync` on `T` nor `Arc<Mutex<..>>` nor forwarding
//! impls are needed. See `docs/host.md` and `examples/logging.rs`.

// Nightly `Arc::try_new`, only when built for the OOM test (see docs/host.md).
#![cfg_attr(arc_try_new, allow(unstable_features))]
#![cfg_attr(arc_try_new, feature(allocator_api))]

pub mod bindings;
mod cache;
mod fast;
mod funcs;
mod linker;
pub mod oom;
mod run;
mod val;
mod world;

use std::collections::{HashMap, VecDeque};

pub use wasit2_abi::{Arch, Import};
pub use wasmtime_wasi::{ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

pub use bindings::{Handle, WitValue};
pub use cache::{
    default_cache_dir, default_cache_max_size, parse_size, CacheConfig, CacheOutcome,
    DEFAULT_CACHE_MAX_SIZE,
};
pub use linker::unimplemented;
pub use linker::{add_to_linker, CallInfo, Flow, Host};
pub use run::{
    compile_module, engine, engine_with, inspect_module, invoke_prepared, prepare_module,
    run_module, run_prepared, EngineOptions, Invoked, ModuleKind, Prepared, RunError, RunOptions,
};
pub use val::Val;
/// Host bindings for a WIT world: `bindgen!({ path: "x.wit", world: "w" })`
/// (see `docs/host.md`, "Serving your own interfaces").
pub use wasit2_host_macro::bindgen;
/// The wasmtime the host is built on (the generated bindings use it).
pub use wasmtime;
pub use world::{
    call_export, initialize, instance_arch, run_command, HostFunc, World, WorldImports,
};

/// A `WasiCtxBuilder` set up for this host: file I/O blocks the calling
/// thread (`allow_blocking_current_thread(true)`). The host's imports are
/// synchronous, so without this wasmtime-wasi ships every file read and
/// write to tokio's blocking pool and waits for it, a thread hop per call.
/// Embedders that build their own `WasiCtxBuilder` should set the same.
pub fn wasi_ctx_builder() -> WasiCtxBuilder {
    let mut b = WasiCtxBuilder::new();
    b.allow_blocking_current_thread(true);
    b
}

/// Errors setting up the host (running guest code reports `wasmtime::Error`).
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("wasit2 ABI: {0}")]
    Abi(#[from] wasit2_abi::AbiError),
    #[error("the host has no implementation for import `{module}` `{field}`")]
    Unimplemented { module: String, field: String },
    #[error("registering `{module}` `{field}`: {message}")]
    Link {
        module: String,
        field: String,
        message: String,
    },
    #[error("out of memory")]
    OutOfMemory(#[from] wasmtime::OutOfMemory),
}

/// Parses the WASI WIT and computes the import lowerings that
/// [`Host::add_to_linker`] uses; they are computed once per process, on
/// first use. wit-parser aborts on allocation failure, so an embedder that
/// wants `add_to_linker` to report allocation failure as
/// [`HostError::OutOfMemory`] calls this first, e.g. at startup.
pub fn prepare() -> Result<(), HostError> {
    for arch in wasit2_abi::Arch::ALL {
        linker::arch_data(arch)?;
    }
    Ok(())
}

/// Resource limits, in the spirit of wasmtime's hostcall fuel. Exceeding one
/// traps (except read sizes, which WASI lets the host shorten).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Most bytes one stream/file read returns (reads are clamped; WASI
    /// allows short reads). Default 64 MiB.
    pub max_read_bytes: u64,
    /// Most bytes one `get-random-bytes`/`get-insecure-random-bytes` call
    /// may ask for. Default 64 MiB.
    pub max_random_bytes: u64,
    /// Most guest bytes one call may make the host copy in (strings, lists,
    /// plus the host-side size of non-byte list elements). Default 128 MiB,
    /// wasmtime's hostcall-fuel default.
    pub max_call_input_bytes: u64,
    /// Handles returned to the guest must be below this (the table reuses
    /// freed slots, so this bounds the live resources). Default 65 536.
    pub max_handles: u32,
    /// Most datagrams one `receive` takes from the socket. Default 1024.
    pub max_datagrams_per_call: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_read_bytes: 64 << 20,
            max_random_bytes: 64 << 20,
            max_call_input_bytes: 128 << 20,
            max_handles: 65_536,
            max_datagrams_per_call: 1024,
        }
    }
}

/// Per-instance host state: wasmtime-wasi's context and resource table plus
/// what the caller-supplied-buffer rules need to keep between calls.
pub struct WasiHostCtx {
    wasi: WasiCtx,
    table: ResourceTable,
    limits: Limits,
    /// `read-directory-entry` results that did not fit the caller's buffer,
    /// by stream handle, returned again on the next call.
    pending_dirents: HashMap<u32, Val>,
    /// Received datagrams not yet returned, by incoming-datagram-stream.
    udp_queues: HashMap<u32, VecDeque<Val>>,
    /// The guest's memory, if the embedder named it (`set_memory`);
    /// otherwise each call looks the memory export up by name.
    memory: Option<wasmtime::Memory>,
}

impl WasiHostCtx {
    pub fn new(wasi: WasiCtx) -> WasiHostCtx {
        let mut table = ResourceTable::new();
        // Handle 0 is never a valid resource (as in the Component Model), so
        // a zeroed handle traps instead of aliasing the first resource.
        let _ = table.push(());
        WasiHostCtx {
            wasi,
            table,
            limits: Limits::default(),
            pending_dirents: HashMap::new(),
            udp_queues: HashMap::new(),
            memory: None,
        }
    }

    /// Names the memory the host's imports read and write: the memory
    /// export of the one instance in this store that calls them (as
    /// `wasit2 run` does after instantiating). Saves looking the export up
    /// by name on every call. Only for a store whose host calls all come
    /// from that instance: calls from another instance would use this
    /// memory (still bounds-checked).
    pub fn set_memory(&mut self, memory: wasmtime::Memory) {
        self.memory = Some(memory);
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }

    pub fn wasi(&mut self) -> &mut WasiCtx {
        &mut self.wasi
    }

    fn clamp_read(&self, len: u64, arena_len: u64) -> u64 {
        len.min(arena_len).min(self.limits.max_read_bytes)
    }

    fn check_random(&self, len: u64) -> wasmtime::Result<()> {
        if len > self.limits.max_random_bytes {
            wasmtime::bail!(
                "random request of {len} bytes exceeds the host limit of {} bytes",
                self.limits.max_random_bytes
            );
        }
        Ok(())
    }
}

impl WasiView for WasiHostCtx {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// What an import returned: a value, or (for imports with a caller-supplied
/// buffer) "too small, this many bytes are needed" with nothing written.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Value(Val),
    TooSmall(u64),
}
