//! What the wasit2→wasip1 adapter defines: every import of
//! [`ADAPTER_WORLD`], plus trapping definitions of a few imports outside it
//! that libc references but no p1 program can reach (see
//! [`unserved_drops`], [`unserved_methods`]). The sysroot builder builds
//! the adapter from these facts; the linker and the host checks read them.

use crate::c_names::import_symbol;
use crate::{Arch, Import, ImportItem, Lowering, Result, Wit};

/// The world the adapter serves.
pub const ADAPTER_WORLD: &str = "wasit2:targets/wasip1";

/// The wasm32 lowering of [`ADAPTER_WORLD`].
pub fn adapter_lowering() -> Result<Lowering> {
    let wit = Wit::wasi()?;
    Lowering::new(&wit, wit.world(ADAPTER_WORLD)?, Arch::Wasm32)
}

/// The wasm32 lowering of the WASI command world, the adapter's `full`
/// world for [`unserved_drops`] and [`unserved_methods`].
pub fn command_lowering() -> Result<Lowering> {
    let wit = Wit::wasi()?;
    Lowering::new(&wit, wit.command_world()?, Arch::Wasm32)
}

/// Resource drops of `full` (the WASI command world) that `served` (the
/// adapter's world) lacks. Their resources (sockets, name lookups) can only
/// be made by functions p1 cannot serve, so no such handle can exist in a p1
/// program; libc still references the drops from its generic fd close path.
pub fn unserved_drops<'a>(served: &Lowering, full: &'a Lowering) -> Vec<&'a Import> {
    full.imports
        .iter()
        .filter(|i| matches!(i.item, ImportItem::ResourceDrop { .. }))
        .filter(|i| served.import(&i.module, &i.field).is_none())
        .collect()
}

/// Methods (`[method]R.f`) of the UDP datagram streams (resources of
/// [`unserved_drops`]): they need a handle no p1 program can have. libc's
/// generic fd read/write path references them once its socket code is
/// linked in (Rust std links it), even when the program never makes a
/// socket. Other socket methods stay unserved, so a program that does use
/// sockets is still refused with the call path to, e.g., `start-connect`.
pub fn unserved_methods<'a>(served: &Lowering, full: &'a Lowering) -> Vec<&'a Import> {
    let drops = unserved_drops(served, full);
    full.imports
        .iter()
        .filter(|i| served.import(&i.module, &i.field).is_none())
        .filter(|i| {
            let Some(resource) = i
                .field
                .strip_prefix("[method]")
                .and_then(|f| f.split_once('.'))
                .map(|(r, _)| r)
            else {
                return false;
            };
            if !resource.ends_with("-datagram-stream") {
                return false;
            }
            let Some(iface) = i.interface_name.as_deref() else {
                return false;
            };
            let drop_module = format!("{}|{iface}", full.arch.prefix());
            let drop_field = format!("{resource}_drop");
            drops
                .iter()
                .any(|d| d.module == drop_module && d.field == drop_field)
        })
        .collect()
}

/// The imports of `full` the adapter defines as traps:
/// [`unserved_drops`] then [`unserved_methods`].
pub fn trapping_imports<'a>(served: &Lowering, full: &'a Lowering) -> Vec<&'a Import> {
    let mut out = unserved_drops(served, full);
    out.extend(unserved_methods(served, full));
    out
}

/// The symbol the adapter defines for the wasit2 import `module` `field`:
/// an import of `served` (the adapter's world) or one of the
/// [`trapping_imports`] of `full`. `None` when the adapter does not define
/// it.
pub fn adapter_symbol(
    served: &Lowering,
    full: &Lowering,
    module: &str,
    field: &str,
) -> Option<String> {
    if let Some(imp) = served.import(module, field) {
        return Some(import_symbol(served, imp));
    }
    trapping_imports(served, full)
        .into_iter()
        .find(|i| i.module == module && i.field == field)
        .map(|imp| import_symbol(full, imp))
}
