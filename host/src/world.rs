//! Any WIT world on the wasit2 host: a vendor interface's imports served by
//! embedder functions, and a module's exports called with WIT values.
//!
//! Everything here works on dynamic [`Val`]s with the layouts of the ABI
//! crate's `Lowering`, through the same lifting and lowering as the WASI
//! imports (`linker.rs`, `val.rs`); `wasit2_host::bindgen!` generates the
//! typed layer on top (Rust traits for imports, methods for exports).

use std::collections::VecDeque;
use std::sync::Arc;

use wasit2_abi::{params_alloc_export, Arch, ExportItem, ImportItem, Lowering, ValType, Wit};
use wasmtime::{
    bail, format_err, AsContextMut, Caller, Extern, FuncType, Instance, Linker, Result,
};
use wit_parser::{Function, InterfaceId, Resolve, Type, WorldId};

use crate::linker::{lift_call, lower_outcome, Lifted};
use crate::val::{bounds, check_align, Abi, Lifter, Lowerer, Placement, Val};
use crate::{HostError, Limits, Outcome};

/// A WIT world lowered for both arches: what the host needs to serve its
/// imports and call its exports.
pub struct World {
    name: String,
    lowerings: [Arc<Lowering>; 2],
}

impl World {
    /// Parses one WIT file's text (a package; it may `use` WASI 0.2
    /// interfaces, which are built in) and lowers `world` of it. `path`
    /// only names the text in errors.
    pub fn parse(path: &str, text: &str, world: &str) -> Result<World, HostError> {
        let mut wit = Wit::wasi()?;
        let pkg = wit
            .resolve
            .push_str(path, text)
            .map_err(|e| HostError::Abi(wasit2_abi::AbiError::Wit(e)))?;
        let id = wit
            .resolve
            .select_world(&[pkg], Some(world))
            .map_err(|e| HostError::Abi(wasit2_abi::AbiError::Wit(e)))?;
        World::new(&wit, id)
    }

    /// Lowers a world of an already resolved WIT.
    pub fn new(wit: &Wit, world: WorldId) -> Result<World, HostError> {
        Ok(World {
            name: wit.world_name(world),
            lowerings: [
                Arc::new(Lowering::new(wit, world, Arch::Wasm32)?),
                Arc::new(Lowering::new(wit, world, Arch::Wasm64)?),
            ],
        })
    }

    /// The world's fully qualified name, e.g. `acme:sensors/firmware@1.0.0`.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn lowering(&self, arch: Arch) -> &Lowering {
        &self.lowerings[arch as usize]
    }

    fn lowering_arc(&self, arch: Arch) -> Arc<Lowering> {
        self.lowerings[arch as usize].clone()
    }
}

/// Full WIT name of an interface (`acme:sensors/temp@1.0.0`), if named.
fn interface_name(resolve: &Resolve, id: Option<InterfaceId>) -> Option<String> {
    id.and_then(|id| resolve.id_of(id))
}

/// Whether an interface given by the user (`acme:sensors/temp@1.0.0`,
/// without the version, or canonical `…@1`) is `full` / `canonical`.
fn same_interface(given: Option<&str>, full: Option<&str>, canonical: Option<&str>) -> bool {
    match (given, full) {
        (None, None) => true,
        (Some(g), Some(f)) => g == f || Some(g) == canonical || f.split('@').next() == Some(g),
        _ => false,
    }
}

/// An embedder's implementation of one import: the lifted arguments in, the
/// result out (`Val::unit()` for a function without one). An error traps
/// the guest.
pub type HostFunc<T> = dyn Fn(&mut T, Vec<Val>) -> Result<Val> + Send + Sync;

/// Registers embedder functions for the imports of a [`World`] in a
/// `Linker<T>`, on wasm32 and wasm64: the host lifts the arguments and
/// lowers the results (caller-supplied buffers and their too-small rule
/// included) by the ABI crate's layouts.
pub struct WorldImports<'w, T> {
    world: &'w World,
    funcs: Vec<(Option<String>, String, Arc<HostFunc<T>>)>,
    limits: Limits,
}

impl<'w, T: 'static> WorldImports<'w, T> {
    pub fn new(world: &'w World) -> Self {
        WorldImports {
            world,
            funcs: Vec::new(),
            limits: Limits::default(),
        }
    }

    /// Serves function `name` (the WIT name: `read-raw`,
    /// `[method]sensor.read`, or `<resource>_drop` for a resource's drop) of
    /// `interface` (`acme:sensors/temp@1.0.0`; `None` for a function the
    /// world imports directly).
    pub fn func(
        mut self,
        interface: Option<&str>,
        name: &str,
        f: impl Fn(&mut T, Vec<Val>) -> Result<Val> + Send + Sync + 'static,
    ) -> Self {
        self.funcs
            .push((interface.map(str::to_string), name.to_string(), Arc::new(f)));
        self
    }

    /// The per-call limits (input bytes, handles); default [`Limits::default`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Adds every served import to `linker`, for both arches. A function of
    /// the world nobody served is left out (instantiating a module that
    /// imports it names it); a served name the world lacks is an error.
    pub fn add_to_linker(self, linker: &mut Linker<T>) -> Result<(), HostError> {
        let mut used = vec![false; self.funcs.len()];
        for arch in [Arch::Wasm32, Arch::Wasm64] {
            let lowering = self.world.lowering(arch);
            for (idx, imp) in lowering.imports.iter().enumerate() {
                let iface = match &imp.item {
                    ImportItem::Func { interface, .. }
                    | ImportItem::ResourceDrop { interface, .. } => *interface,
                    ImportItem::ExportedResource { .. } => continue,
                };
                let full = interface_name(&lowering.resolve, iface);
                let Some(pos) = self.funcs.iter().position(|(i, n, _)| {
                    *n == imp.field
                        && same_interface(
                            i.as_deref(),
                            full.as_deref(),
                            imp.interface_name.as_deref(),
                        )
                }) else {
                    continue;
                };
                used[pos] = true;
                let served = Arc::new(Served {
                    lowering: self.world.lowering_arc(arch),
                    idx,
                    memory_export: arch.memory_export(),
                    f: self.funcs[pos].2.clone(),
                    limits: self.limits.clone(),
                });
                let vt = |t: &ValType| match t {
                    ValType::I32 => wasmtime::ValType::I32,
                    ValType::I64 => wasmtime::ValType::I64,
                    ValType::F32 => wasmtime::ValType::F32,
                    ValType::F64 => wasmtime::ValType::F64,
                };
                let ty = FuncType::try_new(
                    linker.engine(),
                    imp.sig.params.iter().map(vt),
                    imp.sig.results.iter().map(vt),
                )?;
                linker
                    .func_new(
                        &imp.module,
                        &imp.field,
                        ty,
                        move |caller, params, results| served.call(caller, params, results),
                    )
                    .map_err(|e| HostError::Link {
                        module: imp.module.clone(),
                        field: imp.field.clone(),
                        message: e.to_string(),
                    })?;
            }
        }
        if let Some(pos) = used.iter().position(|u| !u) {
            let (i, n, _) = &self.funcs[pos];
            return Err(HostError::Link {
                module: i.clone().unwrap_or_default(),
                field: n.clone(),
                message: format!("world `{}` imports no such function", self.world.name),
            });
        }
        Ok(())
    }
}

/// One registered import.
struct Served<T> {
    lowering: Arc<Lowering>,
    idx: usize,
    memory_export: String,
    f: Arc<HostFunc<T>>,
    limits: Limits,
}

impl<T: 'static> Served<T> {
    fn call(
        &self,
        mut caller: Caller<'_, T>,
        params: &[wasmtime::Val],
        results: &mut [wasmtime::Val],
    ) -> Result<()> {
        let imp = &self.lowering.imports[self.idx];
        let abi = Abi {
            lowering: &self.lowering,
        };
        let memory = caller
            .get_export(&self.memory_export)
            .and_then(Extern::into_memory)
            .ok_or_else(|| format_err!("module does not export `{}`", self.memory_export))?;
        let raw: Vec<u64> = params.iter().map(raw_of).collect::<Result<_>>()?;
        let Lifted {
            args,
            retptr,
            arena,
        } = lift_call(
            &abi,
            imp,
            memory.data(&caller),
            &raw,
            self.limits.max_call_input_bytes,
        )?;
        let value = (self.f)(caller.data_mut(), args)?;
        let data = memory.data_mut(&mut caller);
        lower_outcome(
            &abi,
            imp,
            data,
            results,
            arena,
            retptr,
            Outcome::Value(value),
            self.limits.max_handles,
        )
    }
}

fn raw_of(v: &wasmtime::Val) -> Result<u64> {
    Ok(match v {
        wasmtime::Val::I32(x) => *x as u32 as u64,
        wasmtime::Val::I64(x) => *x as u64,
        wasmtime::Val::F32(x) => *x as u64,
        wasmtime::Val::F64(x) => *x,
        _ => bail!("unexpected core value type"),
    })
}

fn core_val(t: ValType, x: u64) -> wasmtime::Val {
    match t {
        ValType::I32 => wasmtime::Val::I32(x as u32 as i32),
        ValType::I64 => wasmtime::Val::I64(x as i64),
        ValType::F32 => wasmtime::Val::F32(x as u32),
        ValType::F64 => wasmtime::Val::F64(x),
    }
}

/// The arch of an instance of a wasit2 module: which memory it exports.
pub fn instance_arch(mut store: impl AsContextMut, instance: &Instance) -> Result<Arch> {
    for arch in [Arch::Wasm32, Arch::Wasm64] {
        if instance
            .get_memory(&mut store, &arch.memory_export())
            .is_some()
        {
            return Ok(arch);
        }
    }
    bail!(
        "not a wasit2 instance: it exports neither `{}` nor `{}`",
        Arch::Wasm32.memory_export(),
        Arch::Wasm64.memory_export()
    )
}

/// Runs the module's initializer (`<p>_initialize`, else `_initialize`), if
/// it exports one: once, before calling any other export of a reactor.
pub fn initialize(mut store: impl AsContextMut, instance: &Instance) -> Result<()> {
    let arch = instance_arch(&mut store, instance)?;
    let init = instance
        .get_func(&mut store, &arch.initialize_export())
        .or_else(|| instance.get_func(&mut store, "_initialize"));
    if let Some(init) = init {
        init.typed::<(), ()>(&store)?.call(&mut store, ())?;
    }
    Ok(())
}

/// Runs a command instance: the initializer, then `wasi:cli/run`'s `run`;
/// returns the exit code (0 or 1 from `run`'s result, or the status the
/// guest passed to `exit`).
pub fn run_command(mut store: impl AsContextMut, instance: &Instance) -> Result<i32> {
    let arch = instance_arch(&mut store, instance)?;
    let name = crate::run::run_export(arch);
    let run = instance
        .get_typed_func::<(), i32>(&mut store, &name)
        .map_err(|e| format_err!("not a wasit2 command: `{name}`: {e}"))?;
    let result = initialize(&mut store, instance).and_then(|()| run.call(&mut store, ()));
    match result {
        Ok(0) => Ok(0),
        Ok(_) => Ok(1),
        Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(wasmtime_wasi::I32Exit(code)) => Ok(*code),
            None => Err(e),
        },
    }
}

/// Calls the export `func` of `interface` (`None`: a function the world
/// exports directly) of `world` on `instance` with `args`, and returns its
/// result (`Val::unit()` if it has none).
///
/// Lists and strings in the arguments go into memory the guest allocates:
/// `<p>_params_alloc(size, align)` once per list or string (pre-order, and
/// first for the parameter area when the flat parameters are more than
/// 16); it returning 0 is out of memory. The guest frees them in the
/// export's `_post` (or before returning if it has none). The result is
/// lifted by the Canonical ABI, then `_post` is called if exported.
pub fn call_export<T: 'static>(
    mut store: impl AsContextMut<Data = T>,
    instance: &Instance,
    world: &World,
    interface: Option<&str>,
    func: &str,
    args: Vec<Val>,
) -> Result<Val> {
    let arch = instance_arch(&mut store, instance)?;
    let lowering = world.lowering(arch);
    let (export, wit_func) = find_export(lowering, interface, func).ok_or_else(|| {
        format_err!(
            "world `{}` exports no function `{}`",
            world.name,
            display(interface, func)
        )
    })?;
    call_lowered(
        &mut store,
        instance,
        lowering,
        &export.name,
        wit_func,
        export.sig.as_ref(),
        args,
    )
}

fn display(interface: Option<&str>, func: &str) -> String {
    match interface {
        Some(i) => format!("{i}#{func}"),
        None => func.to_string(),
    }
}

/// The export of `func` in `interface`, and its WIT function.
fn find_export<'l>(
    lowering: &'l Lowering,
    interface: Option<&str>,
    func: &str,
) -> Option<(&'l wasit2_abi::Export, &'l Function)> {
    lowering.exports.iter().find_map(|e| match &e.item {
        ExportItem::Func {
            interface: i,
            func: f,
        } if f.name == func => {
            let full = interface_name(&lowering.resolve, *i);
            let canonical = e
                .name
                .split('|')
                .nth(1)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            same_interface(interface, full.as_deref(), canonical.as_deref()).then_some((e, f))
        }
        _ => None,
    })
}

/// Every function export a lowering describes, as `(interface, function)`,
/// the interface by its full WIT name.
pub(crate) fn exported_functions(lowering: &Lowering) -> Vec<(Option<String>, String)> {
    lowering
        .exports
        .iter()
        .filter_map(|e| match &e.item {
            ExportItem::Func { interface, func } => Some((
                interface_name(&lowering.resolve, *interface),
                func.name.clone(),
            )),
            _ => None,
        })
        .collect()
}

/// Finds an export by how a user names it: `interface#function`
/// (`acme:plugin/handler@1.0.0#handle`, the version optional or
/// canonical), a world-level function's name, or its core export name.
pub(crate) fn lookup_export<'l>(
    lowering: &'l Lowering,
    name: &str,
) -> Option<(&'l wasit2_abi::Export, &'l Function)> {
    if let Some((i, f)) = name.rsplit_once('#') {
        return find_export(lowering, Some(i), f);
    }
    lowering.exports.iter().find_map(|e| match &e.item {
        ExportItem::Func { func, .. } if e.name == name => Some((e, func)),
        ExportItem::Func {
            interface: None,
            func,
        } if func.name == name => Some((e, func)),
        _ => None,
    })
}

/// Calls the core export `name` (the lowering of `func`) with WIT values.
pub(crate) fn call_lowered<T: 'static>(
    mut store: impl AsContextMut<Data = T>,
    instance: &Instance,
    lowering: &Lowering,
    name: &str,
    func: &Function,
    sig: Option<&wasit2_abi::CoreSig>,
    args: Vec<Val>,
) -> Result<Val> {
    let arch = lowering.arch;
    let abi = Abi { lowering };
    let sig = sig.ok_or_else(|| format_err!("`{name}` has no core signature"))?;
    let f = instance
        .get_func(&mut store, name)
        .ok_or_else(|| format_err!("the module does not export `{name}`"))?;
    let memory = instance
        .get_memory(&mut store, &arch.memory_export())
        .ok_or_else(|| format_err!("the module does not export `{}`", arch.memory_export()))?;
    let tys: Vec<Type> = func.params.iter().map(|p| p.ty).collect();
    if tys.len() != args.len() {
        bail!(
            "`{}` takes {} argument(s), got {}",
            func.name,
            tys.len(),
            args.len()
        );
    }
    let nflat: usize = tys.iter().map(|t| abi.flat_count(t)).sum();
    let spilled = nflat > Resolve::MAX_FLAT_PARAMS;
    // The parameter area of spilled params: its size and alignment.
    let area = spilled.then(|| {
        let size = abi.field_offset(tys.iter(), tys.len());
        let align = tys.iter().map(|t| abi.align(t)).max().unwrap_or(1);
        (size, align)
    });

    // Pass 1: what the guest must allocate, in order.
    let mut lw = Lowerer {
        abi: &abi,
        mem: None,
        arena: Some(Placement::Record(area.into_iter().collect())),
        max_handle: u32::MAX,
    };
    lower_params(&mut lw, &abi, &tys, &args, spilled.then_some(0))?;
    let Some(Placement::Record(sizes)) = lw.arena.take() else {
        unreachable!("recorded")
    };

    // The guest allocates each.
    let mut addrs = VecDeque::with_capacity(sizes.len());
    if !sizes.is_empty() {
        let alloc_name = params_alloc_export(arch);
        let alloc = instance.get_func(&mut store, &alloc_name).ok_or_else(|| {
            format_err!(
                "`{name}` takes lists or strings, but the module does not export `{alloc_name}`"
            )
        })?;
        let ptr = match arch {
            Arch::Wasm32 => ValType::I32,
            Arch::Wasm64 => ValType::I64,
        };
        for (size, align) in sizes {
            let mut out = [wasmtime::Val::I32(0)];
            alloc.call(
                &mut store,
                &[core_val(ptr, size), core_val(ptr, align)],
                &mut out,
            )?;
            let addr = raw_of(&out[0])?;
            if addr == 0 {
                bail!(
                    "the guest is out of memory: `{alloc_name}` returned 0 for {size} bytes of \
                     the parameters of `{name}`, which was not called"
                );
            }
            check_align(addr, align)?;
            bounds(memory.data_size(&store), addr, size)?;
            addrs.push_back(addr);
        }
    }

    // Pass 2: write the values there and flatten the params.
    let base = spilled.then(|| addrs.front().copied().unwrap_or(0));
    let mut lw = Lowerer {
        abi: &abi,
        mem: Some(memory.data_mut(&mut store)),
        arena: Some(Placement::Given(addrs)),
        max_handle: u32::MAX,
    };
    let flat = lower_params(&mut lw, &abi, &tys, &args, base)?;
    if flat.len() != sig.params.len() {
        bail!(
            "`{name}`: {} core params, the ABI says {}",
            flat.len(),
            sig.params.len()
        );
    }
    let params: Vec<wasmtime::Val> = sig
        .params
        .iter()
        .zip(&flat)
        .map(|(t, x)| core_val(*t, *x))
        .collect();
    let mut results: Vec<wasmtime::Val> = sig.results.iter().map(|t| core_val(*t, 0)).collect();
    f.call(&mut store, &params, &mut results)?;

    let value = match &func.result {
        None => Val::unit(),
        Some(t) => {
            let raw: Vec<u64> = results.iter().map(raw_of).collect::<Result<_>>()?;
            let mut lifter = Lifter {
                abi: &abi,
                mem: memory.data(&store),
                budget: Limits::default().max_call_input_bytes,
            };
            if abi.flat_count(t) > 1 {
                let p = *raw
                    .first()
                    .ok_or_else(|| format_err!("`{name}` returned no pointer"))?;
                lifter.load(t, p)?
            } else {
                lifter.lift_flat(t, &mut raw.iter())?
            }
        }
    };
    let post = format!("{name}_post");
    if let Some(post) = instance.get_func(&mut store, &post) {
        post.call(&mut store, &results, &mut [])?;
    }
    Ok(value)
}

/// Lowers the params: stored in the area at `base` when spilled (then the
/// one core param is `base`), else flattened.
fn lower_params(
    lw: &mut Lowerer<'_, '_>,
    abi: &Abi<'_>,
    tys: &[Type],
    args: &[Val],
    base: Option<u64>,
) -> Result<Vec<u64>> {
    let mut flat = Vec::new();
    match base {
        Some(base) => {
            // The area itself was the first allocation.
            if let Some(Placement::Given(a)) = lw.arena.as_mut() {
                a.pop_front();
            }
            for (i, (t, v)) in tys.iter().zip(args).enumerate() {
                lw.store(t, v, base + abi.field_offset(tys.iter(), i))?;
            }
            flat.push(base);
        }
        None => {
            for (t, v) in tys.iter().zip(args) {
                lw.lower_flat(t, v, &mut flat)?;
            }
        }
    }
    Ok(flat)
}
