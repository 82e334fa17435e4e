//! Registering the imports in a wasmtime core `Linker<T>` and the per-call
//! path: lift arguments, run hooks, call the implementation, lower results.

use std::mem::MaybeUninit;
use std::sync::{Arc, OnceLock};

use wasit2_abi::{Arch, ImportItem, Lowering, ValType, Wit};
use wasmtime::{bail, format_err, Caller, Extern, FuncType, Linker, OutOfMemory, Result, ValRaw};
use wit_parser::{Resolve, Type};

use crate::fast::{self, Fast};
use crate::funcs::{self, CallEnv, ImplFn};
use crate::oom;
use crate::val::{bounds, check_align, try_vec, Abi, Arena, Lifter, Lowerer, Placement, Val};
use crate::{HostError, Outcome, WasiHostCtx};

/// The import being called, as hooks see it.
pub struct CallInfo<'a> {
    pub import: &'a wasit2_abi::Import,
    pub arch: Arch,
}

impl CallInfo<'_> {
    /// Canonical interface name, e.g. `wasi:cli/stdout@0.2`.
    pub fn interface(&self) -> &str {
        self.import.interface_name.as_deref().unwrap_or("")
    }
    /// The WIT function name (the core field name), e.g. `get-stdout`.
    pub fn function(&self) -> &str {
        &self.import.field
    }
}

/// What a `before` hook decides.
pub enum Flow {
    /// Run the normal implementation.
    Continue,
    /// Skip it and return this instead (lowered exactly like a host result).
    Return(Outcome),
}

type Accessor<T> = dyn Fn(&mut T) -> &mut WasiHostCtx + Send + Sync;
type Before<T> = dyn Fn(&mut T, &CallInfo<'_>, &[Val]) -> Result<Flow> + Send + Sync;
type After<T> = dyn Fn(&mut T, &CallInfo<'_>, &[Val], &Outcome) + Send + Sync;

/// Builder that adds the wasit2 imports to a `Linker<T>`.
///
/// Hooks are plain closures over `&mut T`: keep their state in `T`. They
/// must be `Send + Sync` (wasmtime requires that of host functions), but `T`
/// need not be `Sync`.
pub struct Host<T> {
    // A `Box`, not an `Arc`: `new` cannot report allocation failure, and a
    // `Box` of a capture-less accessor does not allocate; `add_to_linker`
    // then shares it through a fallible `Arc`.
    get: Box<Accessor<T>>,
    before: Vec<(Option<String>, Arc<Before<T>>)>,
    after: Vec<(Option<String>, Arc<After<T>>)>,
}

/// Adds every wasit2 import of `wasi:cli/command@0.2` (wasm32 and wasm64) to
/// `linker`; `get` finds the host state in the store data.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiHostCtx + Send + Sync + 'static,
) -> Result<(), HostError> {
    Host::new(get).add_to_linker(linker)
}

impl<T: 'static> Host<T> {
    pub fn new(get: impl Fn(&mut T) -> &mut WasiHostCtx + Send + Sync + 'static) -> Self {
        Host {
            get: Box::new(get),
            before: Vec::new(),
            after: Vec::new(),
        }
    }

    /// Runs `hook` before every import call; it may replace the call by
    /// returning [`Flow::Return`].
    pub fn on_call(
        mut self,
        hook: impl Fn(&mut T, &CallInfo<'_>, &[Val]) -> Result<Flow> + Send + Sync + 'static,
    ) -> Self {
        self.before.push((None, Arc::new(hook)));
        self
    }

    /// Like [`Host::on_call`] but only for one interface, named with or
    /// without its version (`wasi:cli/stdout@0.2` or `wasi:cli/stdout`):
    /// intercept or replace one interface while reusing the rest.
    pub fn intercept(
        mut self,
        interface: &str,
        hook: impl Fn(&mut T, &CallInfo<'_>, &[Val]) -> Result<Flow> + Send + Sync + 'static,
    ) -> Self {
        self.before
            .push((Some(interface.to_string()), Arc::new(hook)));
        self
    }

    /// Runs `hook` after every import call with its arguments and outcome
    /// (e.g. to record them for replay).
    pub fn after_call(
        mut self,
        hook: impl Fn(&mut T, &CallInfo<'_>, &[Val], &Outcome) + Send + Sync + 'static,
    ) -> Self {
        self.after.push((None, Arc::new(hook)));
        self
    }

    /// Adds the imports to `linker`. Allocation failure here (including
    /// inside wasmtime's `Linker`) is `HostError::OutOfMemory`; the first
    /// call in a process also parses the WASI WIT, which aborts on allocation
    /// failure (call [`crate::prepare`] first to do that up front).
    pub fn add_to_linker(self, linker: &mut Linker<T>) -> Result<(), HostError> {
        self.add(linker, &Arch::ALL, |_, _| true)
    }

    /// Like [`Host::add_to_linker`], but adds only the imports `module`
    /// has: a start-up saving when the linker serves one module (as in
    /// `wasit2 run`), since the command world has a few hundred imports
    /// per arch.
    pub fn add_to_linker_for(
        self,
        linker: &mut Linker<T>,
        module: &wasmtime::Module,
    ) -> Result<(), HostError> {
        let imports: std::collections::HashSet<(&str, &str)> =
            module.imports().map(|i| (i.module(), i.name())).collect();
        // Only the arches the module imports for: each costs a lowering.
        let arches: Vec<Arch> = Arch::ALL
            .into_iter()
            .filter(|arch| {
                imports
                    .iter()
                    .any(|(m, _)| Arch::of_module(m) == Some(*arch))
            })
            .collect();
        self.add(linker, &arches, |m, f| imports.contains(&(m, f)))
    }

    fn add(
        self,
        linker: &mut Linker<T>,
        arches: &[Arch],
        wanted: impl Fn(&str, &str) -> bool,
    ) -> Result<(), HostError> {
        let get: Arc<Box<Accessor<T>>> = try_arc(self.get)?;
        for &arch in arches {
            let data = arch_data(arch)?;
            let lowering = &data.lowering;
            let arch = lowering.arch;
            for (idx, imp) in lowering.imports.iter().enumerate() {
                if !wanted(&imp.module, &imp.field) {
                    continue;
                }
                // A missing implementation is reported when a module needs
                // it (instantiation names the import), see `unimplemented`.
                let Some(implf) = lookup(imp)? else { continue };
                let matches = |filter: &Option<String>| match (filter, &imp.interface_name) {
                    (None, _) => true,
                    (Some(f), Some(i)) => f == i || i.split('@').next() == Some(f.as_str()),
                    (Some(_), None) => false,
                };
                let before = matching(&self.before, matches)?;
                let after = matching(&self.after, matches)?;
                let fast = if before.is_empty() && after.is_empty() {
                    fast_info(lowering, imp)?
                } else {
                    None
                };
                let entry = Entry {
                    arch,
                    idx,
                    implf,
                    fast,
                    data,
                    get: get.clone(),
                    before,
                    after,
                };
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
                let link_err = |e: wasmtime::Error| match e.downcast::<OutOfMemory>() {
                    Ok(oom) => HostError::OutOfMemory(oom),
                    Err(e) => HostError::Link {
                        module: imp.module.clone(),
                        field: imp.field.clone(),
                        message: e.to_string(),
                    },
                };
                // SAFETY: `call_raw` reads the parameters and writes the
                // results with exactly the types of `ty`, which is built
                // from the same `imp.sig` it reads them from.
                unsafe {
                    linker.func_new_unchecked(&imp.module, &imp.field, ty, move |caller, vals| {
                        entry.call_raw(caller, vals)
                    })
                }
                .map_err(link_err)?;
            }
        }
        Ok(())
    }
}

/// The hooks whose interface filter accepts an import, in order.
fn matching<H: ?Sized>(
    hooks: &[(Option<String>, Arc<H>)],
    accepts: impl Fn(&Option<String>) -> bool,
) -> Result<Vec<Arc<H>>, OutOfMemory> {
    let mut out = try_vec(hooks.iter().filter(|(f, _)| accepts(f)).count())?;
    out.extend(
        hooks
            .iter()
            .filter(|(f, _)| accepts(f))
            .map(|(_, h)| h.clone()),
    );
    Ok(out)
}

/// `Arc::new` that reports allocation failure. Stable Rust has no fallible
/// `Arc` constructor, so without `--cfg arc_try_new` (nightly
/// `allocator_api`, as wasmtime's own helper) this still aborts on failure.
fn try_arc<T>(value: T) -> Result<Arc<T>, OutOfMemory> {
    #[cfg(arc_try_new)]
    return Arc::try_new(value)
        .map_err(|_| OutOfMemory::new(std::mem::size_of::<(usize, usize, T)>()));
    #[cfg(not(arc_try_new))]
    return Ok(Arc::new(value));
}

/// What `add_to_linker` and the calls need of one arch, computed once per
/// process and arch, on first use: it is immutable, and wit-parser (which
/// computes the lowering) aborts on allocation failure, so doing it once
/// lets later `add_to_linker` calls be OOM-safe. A process that runs only
/// wasm32 modules never computes the wasm64 lowering.
pub(crate) struct ArchData {
    pub lowering: Lowering,
    /// The name of the memory export, looked up on every call.
    pub memory_export: String,
}

pub(crate) fn arch_data(arch: Arch) -> Result<&'static ArchData, HostError> {
    static DATA: [OnceLock<ArchData>; 2] = [OnceLock::new(), OnceLock::new()];
    let cell = &DATA[match arch {
        Arch::Wasm32 => 0,
        Arch::Wasm64 => 1,
    }];
    if let Some(d) = cell.get() {
        return Ok(d);
    }
    let wit = Wit::wasi()?;
    let world = wit.command_world()?;
    let d = ArchData {
        lowering: Lowering::new(&wit, world, arch)?,
        memory_export: arch.memory_export(),
    };
    // Another thread may have won the race; both values are equal.
    Ok(cell.get_or_init(|| d))
}

/// The lowering of one arch (see [`arch_data`]).
pub(crate) fn lowering(arch: Arch) -> Result<&'static Lowering, HostError> {
    Ok(&arch_data(arch)?.lowering)
}

/// The typed path's layout data for a hot import (see `fast.rs`), or `None`.
fn fast_info(lowering: &Lowering, imp: &wasit2_abi::Import) -> Result<Option<Fast>, OutOfMemory> {
    let Some(iface) = imp.interface_name.as_deref() else {
        return Ok(None);
    };
    let mut key = String::new();
    let len = iface.len() + 1 + imp.field.len();
    key.try_reserve_exact(len)
        .map_err(|_| OutOfMemory::new(len))?;
    key.push_str(iface);
    key.push('#');
    key.push_str(&imp.field);
    let Some(kind) = fast::Kind::of(&key) else {
        return Ok(None);
    };
    let ImportItem::Func { func, .. } = &imp.item else {
        return Ok(None);
    };
    let Some(result) = func.result else {
        return Ok(None);
    };
    let abi = Abi { lowering };
    let Some(payload) = abi.result_payload_offset(&result) else {
        return Ok(None);
    };
    // Results go through a return pointer: the buffer's, or the last param.
    let (retptr, arena) = match &imp.buffer {
        Some(b) => (
            b.retptr,
            Some((b.arena_ptr, b.arena_len, b.arena_align as u64)),
        ),
        None if imp.sig.results.is_empty() && !imp.sig.params.is_empty() => {
            (imp.sig.params.len() - 1, None)
        }
        None => return Ok(None),
    };
    let reads = matches!(kind, fast::Kind::StreamRead { .. } | fast::Kind::DescRead);
    if reads != arena.is_some() {
        return Ok(None);
    }
    Ok(Some(Fast {
        kind,
        ptr: abi.pointer_size(),
        ret_size: abi.size(&result),
        ret_align: abi.align(&result),
        payload,
        retptr,
        arena,
        len_i64: matches!(imp.sig.results.first(), Some(ValType::I64)),
    }))
}

fn lookup(imp: &wasit2_abi::Import) -> Result<Option<ImplFn>, OutOfMemory> {
    let Some(iface) = imp.interface_name.as_deref() else {
        return Ok(None);
    };
    // The implementations are keyed `<interface>#<field>`; build the key
    // fallibly, since this runs once per import in `add_to_linker`.
    let len = iface.len() + 1 + imp.field.len();
    let mut key = String::new();
    key.try_reserve_exact(len)
        .map_err(|_| OutOfMemory::new(len))?;
    key.push_str(iface);
    key.push('#');
    key.push_str(&imp.field);
    Ok(funcs::lookup(&key))
}

/// Imports of the command world (either arch) that the host does not
/// implement; empty when the host is complete.
pub fn unimplemented() -> Result<Vec<(String, String)>, HostError> {
    let mut out = Vec::new();
    for arch in Arch::ALL {
        for i in &arch_data(arch)?.lowering.imports {
            if lookup(i)?.is_none() {
                out.push((i.module.clone(), i.field.clone()));
            }
        }
    }
    Ok(out)
}

struct Entry<T> {
    arch: Arch,
    idx: usize,
    implf: ImplFn,
    /// The typed path, for hot imports no hook applies to.
    fast: Option<Fast>,
    data: &'static ArchData,
    get: Arc<Box<Accessor<T>>>,
    before: Vec<Arc<Before<T>>>,
    after: Vec<Arc<After<T>>>,
}

/// Most core parameters an import has (16 flat, plus the return pointer and
/// the arena's pointer and length).
const MAX_CORE_PARAMS: usize = 20;

/// Arena bytes `v` (of type `ty`) needs under the ABI's placement rules.
pub(crate) fn measure(abi: &Abi<'_>, ty: Option<&Type>, v: &Val) -> Result<u64> {
    let Some(ty) = ty else { return Ok(0) };
    let mut lw = Lowerer {
        abi,
        mem: None,
        arena: Some(Placement::Arena(Arena {
            base: 0,
            layout: Default::default(),
        })),
        max_handle: u32::MAX,
    };
    lw.store(ty, v, 0)?;
    match lw.arena {
        Some(Placement::Arena(a)) => Ok(a.layout.used() as u64),
        _ => unreachable!("measured in an arena"),
    }
}

impl<T: 'static> Entry<T> {
    /// The call as wasmtime makes it (`func_new_unchecked`): the parameters
    /// in the first slots of `vals`, the results to be written there. The
    /// core parameters are read as integers (floats as their bits) without
    /// wasmtime's dynamic `Val` path, which looks up the function's type on
    /// every call.
    fn call_raw(&self, caller: Caller<'_, T>, vals: &mut [MaybeUninit<ValRaw>]) -> Result<()> {
        let sig = &self.data.lowering.imports[self.idx].sig;
        let (np, nr) = (sig.params.len(), sig.results.len());
        let mut raw = [0u64; MAX_CORE_PARAMS];
        let mut results = [wasmtime::Val::I32(0), wasmtime::Val::I32(0)];
        if np > raw.len() || nr > results.len() || vals.len() < np.max(nr) {
            bail!("unsupported core signature");
        }
        for ((slot, ty), v) in raw.iter_mut().zip(&sig.params).zip(vals.iter()) {
            // SAFETY: wasmtime initialises the first `np` slots with the
            // arguments, typed as `sig.params` (the registered `FuncType`).
            let v = unsafe { v.assume_init() };
            *slot = match ty {
                ValType::I32 => v.get_u32() as u64,
                ValType::I64 => v.get_u64(),
                ValType::F32 => v.get_f32() as u64,
                ValType::F64 => v.get_f64(),
            };
        }
        for (r, ty) in results.iter_mut().zip(&sig.results) {
            *r = match ty {
                ValType::I32 => wasmtime::Val::I32(0),
                ValType::I64 => wasmtime::Val::I64(0),
                ValType::F32 => wasmtime::Val::F32(0),
                ValType::F64 => wasmtime::Val::F64(0),
            };
        }
        self.call(caller, &raw[..np], &mut results[..nr])?;
        for ((slot, ty), r) in vals.iter_mut().zip(&sig.results).zip(&results) {
            *slot = MaybeUninit::new(match (ty, r) {
                (ValType::I32, wasmtime::Val::I32(x)) => ValRaw::i32(*x),
                (ValType::I64, wasmtime::Val::I64(x)) => ValRaw::i64(*x),
                (ValType::F32, wasmtime::Val::F32(x)) => ValRaw::f32(*x),
                (ValType::F64, wasmtime::Val::F64(x)) => ValRaw::f64(*x),
                _ => bail!("result of the wrong type"),
            });
        }
        Ok(())
    }

    fn call(
        &self,
        mut caller: Caller<'_, T>,
        raw: &[u64],
        results: &mut [wasmtime::Val],
    ) -> Result<()> {
        let memory = match (self.get)(caller.data_mut()).memory {
            Some(m) => m,
            None => caller
                .get_export(&self.data.memory_export)
                .and_then(Extern::into_memory)
                .ok_or_else(|| {
                    format_err!("module does not export `{}`", self.data.memory_export)
                })?,
        };
        if let Some(f) = &self.fast {
            let (mem, data) = memory.data_and_store_mut(&mut caller);
            let done = f.call((self.get)(data), mem, raw, results)?;
            return match done {
                fast::Done::Finished => Ok(()),
                fast::Done::Lower(outcome) => {
                    let b = f.arena.map(|(p, l, _)| (raw[p], raw[l]));
                    self.lower(memory, caller, results, b, raw[f.retptr], outcome)
                }
            };
        }
        let lowering = &self.data.lowering;
        let imp = &lowering.imports[self.idx];
        let abi = Abi { lowering };
        let limits = (self.get)(caller.data_mut()).limits().clone();
        let result_ty = imp.func().and_then(|f| f.result);
        let Lifted {
            args,
            retptr,
            arena,
        } = lift_call(
            &abi,
            imp,
            memory.data(&caller),
            raw,
            limits.max_call_input_bytes,
        )?;

        let info = CallInfo {
            import: imp,
            arch: self.arch,
        };
        // Hooks and the implementation (wasmtime-wasi plus the conversion of
        // its results) are not OOM-safe; mark them so OOM tests skip them.
        let outcome = oom::unchecked(|| -> Result<Outcome> {
            let mut replaced = None;
            for hook in &self.before {
                if let Flow::Return(o) = hook(caller.data_mut(), &info, &args)? {
                    replaced = Some(o);
                    break;
                }
            }
            let outcome = match replaced {
                Some(o) => o,
                None => {
                    let measure_fn = |v: &Val| measure(&abi, result_ty.as_ref(), v);
                    let env = CallEnv {
                        arena_len: arena.map(|(_, len)| len),
                        measure: &measure_fn,
                    };
                    (self.implf)((self.get)(caller.data_mut()), &args, &env)?
                }
            };
            for hook in &self.after {
                hook(caller.data_mut(), &info, &args, &outcome);
            }
            Ok(outcome)
        })?;

        self.lower_result(memory, caller, results, arena, retptr, outcome)
    }

    /// Lowers an outcome of the typed path (whose return pointer and arena
    /// were checked already).
    fn lower(
        &self,
        memory: wasmtime::Memory,
        caller: Caller<'_, T>,
        results: &mut [wasmtime::Val],
        arena: Option<(u64, u64)>,
        retptr: u64,
        outcome: Outcome,
    ) -> Result<()> {
        self.lower_result(memory, caller, results, arena, Some(retptr), outcome)
    }

    /// Lowers `outcome` (see `docs/host.md`, "Calls", step 4).
    fn lower_result(
        &self,
        memory: wasmtime::Memory,
        mut caller: Caller<'_, T>,
        results: &mut [wasmtime::Val],
        arena: Option<(u64, u64)>,
        retptr: Option<u64>,
        outcome: Outcome,
    ) -> Result<()> {
        let lowering = &self.data.lowering;
        let imp = &lowering.imports[self.idx];
        let abi = Abi { lowering };
        let max_handles = (self.get)(caller.data_mut()).limits().max_handles;
        let data = memory.data_mut(&mut caller);
        lower_outcome(
            &abi,
            imp,
            data,
            results,
            arena,
            retptr,
            outcome,
            max_handles,
        )
    }
}

/// An import call's lifted arguments and its checked result locations.
pub(crate) struct Lifted {
    pub args: Vec<Val>,
    /// Where the result goes, if through a return pointer.
    pub retptr: Option<u64>,
    /// The caller-supplied arena (pointer, length), if the import has one.
    pub arena: Option<(u64, u64)>,
}

/// Checks an import call's return area and arena (aligned, in bounds)
/// before any side effect, then lifts its arguments from the core params
/// `raw` (see `docs/host.md`, "Calls", steps 1 and 2).
pub(crate) fn lift_call(
    abi: &Abi<'_>,
    imp: &wasit2_abi::Import,
    mem: &[u8],
    raw: &[u64],
    budget: u64,
) -> Result<Lifted> {
    let (param_tys, result_ty): (Vec<Type>, Option<Type>) = match &imp.item {
        ImportItem::Func { func, .. } => {
            let mut tys = try_vec(func.params.len())?;
            tys.extend(func.params.iter().map(|p| p.ty));
            (tys, func.result)
        }
        ImportItem::ResourceDrop { .. } => (Vec::new(), None),
        ImportItem::ExportedResource { .. } => bail!("exported resources are not supported"),
    };

    // Validate the result area and arena before any side effect.
    let buffer = imp.buffer.as_ref();
    let retptr = match buffer {
        Some(b) => Some(raw[b.retptr]),
        None if result_ty.is_some() && imp.sig.results.is_empty() => raw.last().copied(),
        None => None,
    };
    if let (Some(p), Some(t)) = (retptr, result_ty.as_ref()) {
        check_align(p, abi.align(t))?;
        bounds(mem.len(), p, abi.size(t))?;
    }
    let arena = match buffer {
        Some(b) => {
            let (ptr, len) = (raw[b.arena_ptr], raw[b.arena_len]);
            check_align(ptr, b.arena_align as u64)?;
            bounds(mem.len(), ptr, len)?;
            Some((ptr, len))
        }
        None => None,
    };

    let args: Vec<Val> = oom::window(|| -> Result<Vec<Val>> {
        if matches!(imp.item, ImportItem::ResourceDrop { .. }) {
            let mut v = try_vec(1)?;
            v.push(Val::Handle(raw[0] as u32));
            return Ok(v);
        }
        let mut lifter = Lifter { abi, mem, budget };
        let mut args = try_vec(param_tys.len())?;
        let nflat: usize = param_tys.iter().map(|t| abi.flat_count(t)).sum();
        if nflat > Resolve::MAX_FLAT_PARAMS {
            // Too many to flatten: the params are a tuple in memory.
            let base = raw[0];
            for (i, t) in param_tys.iter().enumerate() {
                let off = abi.field_offset(param_tys.iter(), i);
                args.push(lifter.load(t, base + off)?);
            }
        } else {
            let mut it = raw.iter();
            for t in &param_tys {
                args.push(lifter.lift_flat(t, &mut it)?);
            }
        }
        Ok(args)
    })?;
    Ok(Lifted {
        args,
        retptr,
        arena,
    })
}

/// Lowers an import's `outcome` into guest memory `data` and the core
/// `results` (see `docs/host.md`, "Calls", step 4): directly, at the return
/// pointer, or with its lists in the caller's arena; a result that does not
/// fit the arena is reported by its size with nothing written.
#[allow(clippy::too_many_arguments)]
pub(crate) fn lower_outcome(
    abi: &Abi<'_>,
    imp: &wasit2_abi::Import,
    data: &mut [u8],
    results: &mut [wasmtime::Val],
    arena: Option<(u64, u64)>,
    retptr: Option<u64>,
    outcome: Outcome,
    max_handles: u32,
) -> Result<()> {
    let result_ty = imp.func().and_then(|f| f.result);
    // Lower the result.
    let len_val = |n: u64| -> Result<wasmtime::Val> {
        Ok(match imp.sig.results.first() {
            Some(ValType::I64) => wasmtime::Val::I64(n as i64),
            _ => wasmtime::Val::I32(
                u32::try_from(n).map_err(|_| format_err!("result too large"))? as i32,
            ),
        })
    };
    oom::window(|| -> Result<()> {
        match (arena, outcome) {
            (Some((base, len)), Outcome::Value(v)) => {
                let need = measure(abi, result_ty.as_ref(), &v)?;
                if need <= len {
                    let mut lw = Lowerer {
                        abi,
                        mem: Some(data),
                        arena: Some(Placement::Arena(Arena {
                            base,
                            layout: Default::default(),
                        })),
                        max_handle: max_handles,
                    };
                    lw.store(result_ty.as_ref().unwrap(), &v, retptr.unwrap())?;
                }
                results[0] = len_val(need)?;
            }
            (Some(_), Outcome::TooSmall(need)) => results[0] = len_val(need)?,
            (None, Outcome::TooSmall(_)) => {
                bail!("`too small` from an import without a caller-supplied buffer")
            }
            (None, Outcome::Value(v)) => {
                let mut lw = Lowerer {
                    abi,
                    mem: Some(data),
                    arena: None,
                    max_handle: max_handles,
                };
                match (retptr, result_ty.as_ref()) {
                    (Some(p), Some(t)) => lw.store(t, &v, p)?,
                    (None, Some(t)) if !imp.sig.results.is_empty() => {
                        let mut flat = try_vec(imp.sig.results.len())?;
                        lw.lower_flat(t, &v, &mut flat)?;
                        for ((slot, ty), x) in results.iter_mut().zip(&imp.sig.results).zip(flat) {
                            *slot = match ty {
                                ValType::I64 => wasmtime::Val::I64(x as i64),
                                _ => wasmtime::Val::I32(x as u32 as i32),
                            };
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    })
}
