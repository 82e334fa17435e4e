//! The C naming convention (documented in `docs/bindgen.md`).

use wit_parser::{Resolve, TypeOwner, WorldId};

/// `kebab-case` to `snake_case`, escaping C keywords so every WIT name is a
/// valid C identifier.
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
        rest.replace('.', "_")
            .replace('-', "_")
            .to_ascii_lowercase()
    )
}

/// `wasi:io/streams` becomes `wasi_io_streams_`; the version is dropped.
pub fn interface_prefix(resolve: &Resolve, id: wit_parser::InterfaceId) -> String {
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

pub fn world_prefix(resolve: &Resolve, world: WorldId) -> String {
    format!("{}_", snake(&resolve.worlds[world].name))
}

pub fn owner_prefix(resolve: &Resolve, owner: TypeOwner, world: WorldId) -> String {
    match owner {
        TypeOwner::Interface(id) => interface_prefix(resolve, id),
        TypeOwner::World(w) => world_prefix(resolve, w),
        TypeOwner::None => world_prefix(resolve, world),
    }
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
}
