//! The C names of the wasit2 imports (documented in `docs/bindgen.md`).
//!
//! A C caller (libc, generated bindings) declares each import as the symbol
//! `__wasit2_import_<c name>` with `import_module`/`import_name` attached;
//! wasm-ld resolves an undefined function by that symbol name when an
//! object or archive member (the wasip1 adapter) defines it. The C binding
//! generator, the adapter build and the linker all take the name from here.
//!
//! `<c name>` is the owner's prefix (`wasi:io/streams` → `wasi_io_streams_`,
//! the version dropped; a world's own items use `<world>_`) followed by the
//! function part (`[method]output-stream.write` →
//! `method_output_stream_write`, a resource drop `<resource>_drop`).

use wit_parser::{InterfaceId, Resolve, TypeOwner, WorldId};

use crate::{Import, ImportItem, Lowering, ResourceOp};

/// Prefix of every raw import symbol.
pub const IMPORT_SYMBOL_PREFIX: &str = "__wasit2_import_";

/// `kebab-case` to `snake_case`, escaping C keywords (`default` →
/// `default_`) so every WIT name is a valid C identifier.
pub fn snake(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if C_KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// Upper-case form of a snake name for macros, without the keyword escape.
pub fn upper(name: &str) -> String {
    name.trim_end_matches('_').to_ascii_uppercase()
}

/// C name part of a WIT function name: `[method]input-stream.read` becomes
/// `method_input_stream_read`, `[static]r.f` becomes `static_r_f`,
/// `[constructor]r` becomes `constructor_r`.
pub fn func_name(name: &str) -> String {
    let (kind, rest) = match name.strip_prefix('[').and_then(|n| n.split_once(']')) {
        Some((kind, rest)) => (format!("{kind}_"), rest),
        None => (String::new(), name),
    };
    format!(
        "{kind}{}",
        rest.replace(['.', '-'], "_").to_ascii_lowercase()
    )
}

/// `wasi:io/streams` becomes `wasi_io_streams_`; the version is dropped.
pub fn interface_prefix(resolve: &Resolve, id: InterfaceId) -> String {
    let iface = &resolve.interfaces[id];
    let name = iface.name.as_deref().unwrap_or("anon");
    match iface.package {
        Some(pkg) => {
            let p = &resolve.packages[pkg].name;
            format!(
                "{}_{}_{}_",
                snake(&p.namespace),
                snake(&p.name),
                snake(name)
            )
        }
        None => format!("{}_", snake(name)),
    }
}

/// A world's own items: `<world>_`.
pub fn world_prefix(resolve: &Resolve, world: WorldId) -> String {
    format!("{}_", snake(&resolve.worlds[world].name))
}

/// The prefix of a type's owner; a type without one belongs to `world`.
pub fn owner_prefix(resolve: &Resolve, owner: TypeOwner, world: WorldId) -> String {
    match owner {
        TypeOwner::Interface(id) => interface_prefix(resolve, id),
        TypeOwner::World(w) => world_prefix(resolve, w),
        TypeOwner::None => world_prefix(resolve, world),
    }
}

/// `<owner prefix><resource>`: the stem of a resource's handle type
/// (`<stem>_t`) and of its drop, new and rep functions.
pub fn resource_stem(resolve: &Resolve, resource: wit_parser::TypeId, world: WorldId) -> String {
    let def = &resolve.types[resource];
    format!(
        "{}{}",
        owner_prefix(resolve, def.owner, world),
        snake(def.name.as_deref().unwrap_or("resource"))
    )
}

/// The C name of an import of `world`, e.g.
/// `wasi_io_streams_method_output_stream_write`.
pub fn import_c_name(resolve: &Resolve, world: WorldId, imp: &Import) -> String {
    match &imp.item {
        ImportItem::Func { interface, func } => {
            let prefix = match interface {
                Some(i) => interface_prefix(resolve, *i),
                None => world_prefix(resolve, world),
            };
            format!("{prefix}{}", func_name(&func.name))
        }
        ImportItem::ResourceDrop { resource, .. } => {
            format!("{}_drop", resource_stem(resolve, *resource, world))
        }
        ImportItem::ExportedResource { resource, op, .. } => {
            let op = match op {
                ResourceOp::New => "new",
                ResourceOp::Rep => "rep",
                ResourceOp::Drop => "drop",
            };
            format!("{}_{op}", resource_stem(resolve, *resource, world))
        }
    }
}

/// The symbol a C caller declares for the import `c_name`.
pub fn raw_symbol(c_name: &str) -> String {
    format!("{IMPORT_SYMBOL_PREFIX}{c_name}")
}

/// The symbol a C caller declares for an import of `l`'s world.
pub fn import_symbol(l: &Lowering, imp: &Import) -> String {
    raw_symbol(&import_c_name(&l.resolve, l.world, imp))
}

const C_KEYWORDS: &[&str] = &[
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "bool",
    "true",
    "false",
    "alignas",
    "alignof",
    "static_assert",
    "thread_local",
    "nullptr",
    "typeof",
    "constexpr",
    "class",
    "new",
    "delete",
    "this",
    "template",
    "namespace",
    "operator",
    "private",
    "public",
    "protected",
    "virtual",
    "friend",
    "try",
    "catch",
    "throw",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Arch, Wit};

    #[test]
    fn function_names_follow_the_convention() {
        assert_eq!(
            func_name("[method]input-stream.read"),
            "method_input_stream_read"
        );
        assert_eq!(func_name("[static]r.f"), "static_r_f");
        assert_eq!(func_name("[constructor]r"), "constructor_r");
        assert_eq!(func_name("get-stdout"), "get_stdout");
        assert_eq!(snake("default"), "default_");
        assert_eq!(snake("input-stream"), "input_stream");
    }

    #[test]
    fn import_symbols_of_the_command_world() {
        let wit = Wit::wasi().unwrap();
        let l = Lowering::new(&wit, wit.command_world().unwrap(), Arch::Wasm32).unwrap();
        let sym = |module: &str, field: &str| {
            let imp = l.import(module, field).unwrap_or_else(|| panic!("{field}"));
            import_symbol(&l, imp)
        };
        assert_eq!(
            sym(
                "cm32p2|wasi:io/streams@0.2",
                "[method]output-stream.blocking-write-and-flush"
            ),
            "__wasit2_import_wasi_io_streams_method_output_stream_blocking_write_and_flush"
        );
        assert_eq!(
            sym("cm32p2|wasi:io/streams@0.2", "input-stream_drop"),
            "__wasit2_import_wasi_io_streams_input_stream_drop"
        );
    }
}
