//! Registering the imports in a wasmtime core `Linker<T>` and the per-call
//! path: lift arguments, run hooks, call the implementation, lower results.

use std::sync::Arc;

use wasit2_abi::{Arch, ImportItem, Lowering, ValType, Wit};
use wasmtime::{Caller, Extern, FuncType, Linker, Result, bail, format_err};
use wit_parser::{Resolve, Type};

use crate::funcs::{self, CallEnv, ImplFn};
use crate::oom;
use crate::val::{Abi, Arena, Lifter, Lowerer, Val, bounds, check_align, try_vec};
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
    get: Arc<Accessor<T>>,
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
        Host { get: Arc::new(get), before: Vec::new(), after: Vec::new() }
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
        self.before.push((Some(interface.to_string()), Arc::new(hook)));
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

    pub fn add_to_linker(self, linker: &mut Linker<T>) -> Result<(), HostError> {
        let wit = Wit::wasi()?;
        let world = wit.command_world()?;
        for arch in Arch::ALL {
            let lowering = Arc::new(Lowering::new(&wit, world, arch)?);
            for (idx, imp) in lowering.imports.iter().enumerate() {
                // A missing implementation is reported when a module needs
                // it (instantiation names the import), see `unimplemented`.
                let Some(implf) = lookup(imp) else { continue };
                let matches = |filter: &Option<String>| match (filter, &imp.interface_name) {
                    (None, _) => true,
                    (Some(f), Some(i)) => f == i || i.split('@').next() == Some(f.as_str()),
                    (Some(_), None) => false,
                };
                let entry = Entry {
                    arch,
                    idx,
                    implf,
                    lowering: lowering.clone(),
                    get: self.get.clone(),
                    before: self.before.iter().filter(|(f, _)| matches(f)).map(|(_, h)| h.clone()).collect(),
                    after: self.after.iter().filter(|(f, _)| matches(f)).map(|(_, h)| h.clone()).collect(),
                };
                let vt = |t: &ValType| match t {
                    ValType::I32 => wasmtime::ValType::I32,
                    ValType::I64 => wasmtime::ValType::I64,
                    ValType::F32 => wasmtime::ValType::F32,
                    ValType::F64 => wasmtime::ValType::F64,
                };
                let ty = FuncType::new(linker.engine(), imp.sig.params.iter().map(vt), imp.sig.results.iter().map(vt));
                let link_err = |e: wasmtime::Error| HostError::Link {
                    module: imp.module.clone(),
                    field: imp.field.clone(),
                    message: e.to_string(),
                };
                linker
                    .func_new(&imp.module, &imp.field, ty, move |caller, params, results| {
                        entry.call(caller, params, results)
                    })
                    .map_err(link_err)?;
            }
        }
        Ok(())
    }
}

fn lookup(imp: &wasit2_abi::Import) -> Option<ImplFn> {
    let iface = imp.interface_name.as_deref()?;
    funcs::lookup(&format!("{iface}#{}", imp.field))
}

/// Imports of the command world (either arch) that the host does not
/// implement; empty when the host is complete.
pub fn unimplemented() -> Result<Vec<(String, String)>, HostError> {
    let wit = Wit::wasi()?;
    let world = wit.command_world()?;
    let mut out = Vec::new();
    for arch in Arch::ALL {
        let l = Lowering::new(&wit, world, arch)?;
        out.extend(l.imports.iter().filter(|i| lookup(i).is_none()).map(|i| (i.module.clone(), i.field.clone())));
    }
    Ok(out)
}

struct Entry<T> {
    arch: Arch,
    idx: usize,
    implf: ImplFn,
    lowering: Arc<Lowering>,
    get: Arc<Accessor<T>>,
    before: Vec<Arc<Before<T>>>,
    after: Vec<Arc<After<T>>>,
}

fn raw(v: &wasmtime::Val) -> u64 {
    match v {
        wasmtime::Val::I32(x) => *x as u32 as u64,
        wasmtime::Val::I64(x) => *x as u64,
        wasmtime::Val::F32(x) => *x as u64,
        wasmtime::Val::F64(x) => *x,
        _ => 0,
    }
}

/// Arena bytes `v` (of type `ty`) needs under the ABI's placement rules.
fn measure(abi: &Abi<'_>, ty: Option<&Type>, v: &Val) -> Result<u64> {
    let Some(ty) = ty else { return Ok(0) };
    let mut lw = Lowerer {
        abi,
        mem: None,
        arena: Some(Arena { base: 0, layout: Default::default() }),
        max_handle: u32::MAX,
    };
    lw.store(ty, v, 0)?;
    Ok(lw.arena.unwrap().layout.used() as u64)
}

impl<T: 'static> Entry<T> {
    fn call(&self, mut caller: Caller<'_, T>, params: &[wasmtime::Val], results: &mut [wasmtime::Val]) -> Result<()> {
        let lowering = &*self.lowering;
        let imp = &lowering.imports[self.idx];
        let abi = Abi { lowering };
        let memory = caller
            .get_export(&self.arch.memory_export())
            .and_then(Extern::into_memory)
            .ok_or_else(|| format_err!("module does not export `{}`", self.arch.memory_export()))?;
        let limits = (self.get)(caller.data_mut()).limits().clone();

        let (param_tys, result_ty): (Vec<Type>, Option<Type>) = match &imp.item {
            ImportItem::Func { func, .. } => (func.params.iter().map(|p| p.ty).collect(), func.result),
            ImportItem::ResourceDrop { .. } => (Vec::new(), None),
            ImportItem::ExportedResource { .. } => bail!("exported resources are not supported"),
        };
        let raw: Vec<u64> = params.iter().map(raw).collect();

        // Validate the result area and arena before any side effect.
        let buffer = imp.buffer.as_ref();
        let retptr = match buffer {
            Some(b) => Some(raw[b.retptr]),
            None if result_ty.is_some() && imp.sig.results.is_empty() => raw.last().copied(),
            None => None,
        };
        let mem_len = memory.data_size(&caller);
        if let (Some(p), Some(t)) = (retptr, result_ty.as_ref()) {
            check_align(p, abi.align(t))?;
            bounds(mem_len, p, abi.size(t))?;
        }
        let arena = match buffer {
            Some(b) => {
                let (ptr, len) = (raw[b.arena_ptr], raw[b.arena_len]);
                check_align(ptr, b.arena_align as u64)?;
                bounds(mem_len, ptr, len)?;
                Some((ptr, len))
            }
            None => None,
        };

        // Lift the arguments.
        let args: Vec<Val> = oom::window(|| -> Result<Vec<Val>> {
            if matches!(imp.item, ImportItem::ResourceDrop { .. }) {
                let mut v = try_vec(1)?;
                v.push(Val::Handle(raw[0] as u32));
                return Ok(v);
            }
            let mut lifter = Lifter { abi: &abi, mem: memory.data(&caller), budget: limits.max_call_input_bytes };
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

        let info = CallInfo { import: imp, arch: self.arch };
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
                let env = CallEnv { arena_len: arena.map(|(_, len)| len), measure: &measure_fn };
                (self.implf)((self.get)(caller.data_mut()), &args, &env)?
            }
        };
        for hook in &self.after {
            hook(caller.data_mut(), &info, &args, &outcome);
        }

        // Lower the result.
        let len_val = |n: u64| -> Result<wasmtime::Val> {
            Ok(match imp.sig.results.first() {
                Some(ValType::I64) => wasmtime::Val::I64(n as i64),
                _ => wasmtime::Val::I32(u32::try_from(n).map_err(|_| format_err!("result too large"))? as i32),
            })
        };
        let data = memory.data_mut(&mut caller);
        oom::window(|| -> Result<()> {
            match (arena, outcome) {
                (Some((base, len)), Outcome::Value(v)) => {
                    let need = measure(&abi, result_ty.as_ref(), &v)?;
                    if need <= len {
                        let mut lw = Lowerer {
                            abi: &abi,
                            mem: Some(data),
                            arena: Some(Arena { base, layout: Default::default() }),
                            max_handle: limits.max_handles,
                        };
                        lw.store(result_ty.as_ref().unwrap(), &v, retptr.unwrap())?;
                    }
                    results[0] = len_val(need)?;
                }
                (Some(_), Outcome::TooSmall(need)) => results[0] = len_val(need)?,
                (None, Outcome::TooSmall(_)) => bail!("`too small` from an import without a caller-supplied buffer"),
                (None, Outcome::Value(v)) => {
                    let mut lw = Lowerer { abi: &abi, mem: Some(data), arena: None, max_handle: limits.max_handles };
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
}
