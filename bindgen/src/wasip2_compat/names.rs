//! wit-bindgen's C naming, as wasi-libc's build invokes it
//! (`wit-bindgen c --rename-world wasip2 --rename <interface>=<short>`):
//! the facts, implemented here.
//!
//! - An interface's items get the prefix `<short>_`; the short names are
//!   the `--rename` list of wasi-libc's `cmake/bindings.cmake` (below).
//! - Functions: `<short>_<function>` with `[method]r.f` -> `method_r_f`
//!   (the same rule as ours, [`crate::func_name`]).
//! - Named types: `<short>_<type>_t`; a `use`d type is named in the using
//!   interface. Resources: `<short>_own_<r>_t` / `<short>_borrow_<r>_t`,
//!   with `<short>_<r>_drop_own` and `<short>_borrow_<r>`.
//! - Anonymous types are named after their structure: `list_u8`,
//!   `option_string`, `result_<ok|void>_<err|void>`, `tuple2_string_string`,
//!   `own_<r>`, a named type by its own name. They live either in the world
//!   (`wasip2_`) or in the interface that uses them; which one is taken from
//!   the header (both candidates are computed).

use wit_parser::{Handle, InterfaceId, Resolve, Type, TypeDefKind, TypeOwner};

use crate::names::snake;

/// The world's prefix (`--rename-world wasip2`).
pub const WORLD: &str = "wasip2";

/// The short name wasi-libc gives an interface, `None` for interfaces it
/// does not rename (they are not part of its C API).
pub fn interface_short(package: &str, interface: &str) -> Option<String> {
    let fixed = match (package, interface) {
        ("wasi:filesystem", "types") => "filesystem",
        ("wasi:filesystem", "preopens") => "filesystem_preopens",
        ("wasi:io", "error") => "io_error",
        ("wasi:random", "insecure") => "random_insecure",
        ("wasi:random", "insecure-seed") => "random_insecure_seed",
        ("wasi:cli" | "wasi:clocks" | "wasi:io" | "wasi:random" | "wasi:sockets", _) => {
            return Some(snake(interface))
        }
        _ => return None,
    };
    Some(fixed.to_string())
}

/// The short name of a type owner: an interface's short name or the world.
pub fn owner_short(resolve: &Resolve, owner: TypeOwner) -> Option<String> {
    match owner {
        TypeOwner::Interface(id) => {
            let iface = &resolve.interfaces[id];
            let pkg = &resolve.packages[iface.package?].name;
            interface_short(
                &format!("{}:{}", pkg.namespace, pkg.name),
                iface.name.as_deref()?,
            )
        }
        TypeOwner::World(_) | TypeOwner::None => Some(WORLD.to_string()),
    }
}

/// The structural part of a type's C name (`list_u8`, `descriptor_stat`).
pub fn describe(resolve: &Resolve, ty: &Type) -> String {
    if let Some(name) = wasit2_abi::primitive_name(ty) {
        // `error-context` -> `error_context`: a C identifier.
        return name.replace('-', "_");
    }
    match ty {
        Type::Id(id) => {
            let def = &resolve.types[*id];
            if let Some(name) = &def.name {
                return snake(name);
            }
            let opt = |t: &Option<Type>| match t {
                Some(t) => describe(resolve, t),
                None => "void".into(),
            };
            match &def.kind {
                TypeDefKind::List(t) => format!("list_{}", describe(resolve, t)),
                TypeDefKind::Option(t) => format!("option_{}", describe(resolve, t)),
                TypeDefKind::Result(r) => format!("result_{}_{}", opt(&r.ok), opt(&r.err)),
                TypeDefKind::Tuple(t) => format!(
                    "tuple{}_{}",
                    t.types.len(),
                    t.types
                        .iter()
                        .map(|t| describe(resolve, t))
                        .collect::<Vec<_>>()
                        .join("_")
                ),
                TypeDefKind::Handle(Handle::Own(r)) => {
                    format!("own_{}", describe(resolve, &Type::Id(*r)))
                }
                TypeDefKind::Handle(Handle::Borrow(r)) => {
                    format!("borrow_{}", describe(resolve, &Type::Id(*r)))
                }
                TypeDefKind::Type(t) => describe(resolve, t),
                _ => "anon".into(),
            }
        }
        _ => unreachable!("primitive types are named above"),
    }
}

/// The candidate C names (without `_t`) of a type: one for a named type,
/// the interface's and the world's for an anonymous one.
///
/// An anonymous type has no owner in the resolve; `used_in` is the
/// interface whose function or type mentions it.
pub fn type_names(resolve: &Resolve, ty: &Type, used_in: Option<InterfaceId>) -> Vec<String> {
    let desc = describe(resolve, ty);
    match ty {
        Type::Id(id) => {
            let def = &resolve.types[*id];
            let owner = match (def.owner, used_in) {
                (TypeOwner::None, Some(i)) => TypeOwner::Interface(i),
                (o, _) => o,
            };
            let own = owner_short(resolve, owner);
            if def.name.is_some() {
                own.map(|o| vec![format!("{o}_{desc}")]).unwrap_or_default()
            } else {
                let mut v: Vec<String> = own.map(|o| format!("{o}_{desc}")).into_iter().collect();
                v.push(format!("{WORLD}_{desc}"));
                v
            }
        }
        _ => vec![format!("{WORLD}_{desc}")],
    }
}
