//! wasit2 bindings for wasi-libc's p2 code, in place of upstream's
//! generated `wasip2.c`.
//!
//! wasi-libc's p2 sources call the C API that `wit-bindgen c` declares in
//! `libc-bottom-half/headers/public/wasi/__generated_wasip2.h` (reached
//! through `<wasi/wasip2.h>`). Upstream implements it with standard
//! Canonical ABI imports and a `cabi_realloc` export. [`generate`] emits one
//! C source that defines every function that header declares, with exactly
//! its C API, over the wasit2 core imports the ABI crate computes for
//! `wasi:cli/imports@0.2.12` (`cm32p2|…` and the caller-supplied-buffer
//! `wasit2-cm32p2|…`, or `cm64p2`/`wasit2-cm64p2` on wasm64): no realloc
//! export, no standard-ABI import. One source serves both pointer widths
//! (`#if __SIZEOF_POINTER__ == 8` around the parts that differ).
//!
//! The set of functions comes from our WIT (names by wit-bindgen's C rules,
//! implemented in `names`); the header is the check and supplies the C type
//! spellings of each prototype. A header function our WIT does not have is
//! an error ([`CompatError::Unknown`]); a prototype whose shape disagrees
//! with the WIT is an error ([`CompatError::Prototype`]).
//!
//! Lists the API hands back are allocated with `malloc` by the binding: see
//! `docs/wasip2-api.md` for the rule and the matching `*_free` functions.
//! The short-read functions also get zero-copy `<name>_into` variants that
//! read into the caller's buffer ([`Compat::ext_header`]).
//!
//! # Use (from the sysroot builder)
//!
//! ```no_run
//! use std::path::Path;
//! let tree = Path::new("../shared/wasi-libc");
//! let compat = wasit2_bindgen::wasip2_compat::generate_for_tree(tree).unwrap();
//! compat.write_to(Path::new("build/wasip2_compat.c")).unwrap();
//! // compile it instead of libc-bottom-half/sources/wasip2.c (and without
//! // wasip2_component_type.o), with the tree's public headers on the
//! // include path and __wasip2__ defined (<wasi/version.h>); install
//! // compat.ext_header as <wasi/wasip2_wasit2.h> for the `_into` reads.
//! ```
//!
//! Signatures:
//! `pub fn generate(header: &str) -> Result<Compat, CompatError>` (the
//! header's text) and
//! `pub fn generate_for_tree(wasi_libc: &Path) -> Result<Compat, CompatError>`
//! (reads [`HEADER_PATH`] under the tree).

mod emit;
mod header;
mod names;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use wasit2_abi::{c_names, Arch, ImportItem, Lowering, Wit, WASI_VERSION};
use wit_parser::{InterfaceId, Type, TypeDefKind, TypeOwner, WorldItem};

use emit::{c_core, Emit, RetConv};
use header::Prototype;

/// Where wit-bindgen's header sits in a wasi-libc tree.
pub const HEADER_PATH: &str = "libc-bottom-half/headers/public/wasi/__generated_wasip2.h";

/// Where [`Compat::ext_header`] belongs on the include path.
pub const EXT_HEADER_NAME: &str = "wasi/wasip2_wasit2.h";

/// The world wasi-libc generates its p2 bindings for.
pub const WORLD: &str = "wasi:cli/imports";

/// The generated source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compat {
    /// The C source: `#include <wasi/wasip2.h>`, then every definition.
    pub source: String,
    /// The C functions of the API it defines, in header order (all the
    /// header declares).
    pub functions: Vec<String>,
    /// [`EXT_HEADER_NAME`]: the prototypes of the wasit2 extensions, the
    /// zero-copy `<f>_into` variants of the short-read functions
    /// (`streams_method_input_stream_read_into`, …), which the source
    /// also defines.
    pub ext_header: String,
    /// The extension functions, in header order.
    pub extensions: Vec<String>,
}

impl Compat {
    /// Writes the source to `path` atomically (temporary file, rename).
    pub fn write_to(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        crate::write_atomic(path, &self.source)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CompatError {
    #[error(transparent)]
    Abi(#[from] wasit2_abi::AbiError),
    #[error("reading {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("wasip2 header: {0}")]
    Header(String),
    #[error(
        "the wasip2 header declares {} function(s) that WASI {WASI_VERSION} (`{WORLD}`) does not have: {}",
        .0.len(), .0.join(", ")
    )]
    Unknown(Vec<String>),
    #[error("`{0}`: the header's prototype does not match the WIT: {1}")]
    Prototype(String, String),
    #[error("`{0}`: {1}")]
    Unsupported(String, String),
    /// A failure with a tree whose WASI release is not the ABI crate's.
    #[error("the wasi-libc tree binds WASI {0}, the ABI crate WASI {WASI_VERSION}: {1}")]
    Version(String, Box<CompatError>),
}

/// What a header function is, in our WIT.
#[derive(Clone, Debug)]
enum Item {
    /// A WIT function; the index of its import in both lowerings.
    Func(usize),
    /// `<r>_drop_own`: the resource-drop import.
    Drop(usize),
    /// `borrow_<r>`: an owned handle seen as a borrow.
    Borrow,
    /// `<type>_free`.
    Free(Type),
    StringSet,
    StringDup,
    StringDupN,
}

/// Reads the header from a wasi-libc tree and generates.
pub fn generate_for_tree(wasi_libc: &Path) -> Result<Compat, CompatError> {
    let path = wasi_libc.join(HEADER_PATH);
    let text = std::fs::read_to_string(&path).map_err(|e| CompatError::Io(path, e))?;
    generate(&text).map_err(|e| match tree_wasi_version(wasi_libc) {
        Some(v) if v != WASI_VERSION => CompatError::Version(v, Box::new(e)),
        _ => e,
    })
}

/// The WASI 0.2 release a wasi-libc tree generates its bindings from
/// (`set(wasip2-version X)` in its `CMakeLists.txt`), if it says.
pub fn tree_wasi_version(wasi_libc: &Path) -> Option<String> {
    let text = std::fs::read_to_string(wasi_libc.join("CMakeLists.txt")).ok()?;
    text.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("set(wasip2-version")?;
        Some(rest.trim().trim_end_matches(')').trim().to_string())
    })
}

/// Generates the source for the C API declared by `header` (the text of
/// `__generated_wasip2.h`).
pub fn generate(header: &str) -> Result<Compat, CompatError> {
    let protos = header::parse(header).map_err(CompatError::Header)?;
    let wit = Wit::wasi()?;
    let world = wit.world(&format!("{WORLD}@{WASI_VERSION}"))?;
    let l32 = Lowering::new(&wit, world, Arch::Wasm32)?;
    let l64 = Lowering::new(&wit, world, Arch::Wasm64)?;
    let items = api_items(&l32);

    let unknown: Vec<String> = protos
        .iter()
        .filter(|p| !items.contains_key(&p.name))
        .map(|p| p.name.clone())
        .collect();
    if !unknown.is_empty() {
        return Err(CompatError::Unknown(unknown));
    }

    let mut used = BTreeSet::new();
    let mut defs = String::new();
    let (mut e32, mut e64) = (Emit::new(&l32), Emit::new(&l64));
    for p in &protos {
        let item = &items[&p.name];
        check_shape(&e32, &l32, item, p)?;
        let unsupported = |why: String| CompatError::Unsupported(p.name.clone(), why);
        let (b32, b64) = match item {
            Item::Func(i) | Item::Drop(i) => {
                used.insert(*i);
                let (i32_, i64_) = (&l32.imports[*i], &l64.imports[*i]);
                let sym = c_names::import_symbol(&l32, i32_);
                if matches!(item, Item::Drop(_)) {
                    let b = format!("{sym}((int32_t)a0.__handle);\n");
                    (b.clone(), b)
                } else {
                    (
                        e32.func_body(i32_, &sym, p, false).map_err(unsupported)?,
                        e64.func_body(i64_, &sym, p, false).map_err(unsupported)?,
                    )
                }
            }
            Item::Free(ty) => (
                e32.free_body(ty).map_err(unsupported)?,
                e64.free_body(ty).map_err(unsupported)?,
            ),
            Item::Borrow => {
                let b = format!("{} __b = {{ a0.__handle }};\nreturn __b;\n", p.ret);
                (b.clone(), b)
            }
            Item::StringSet => {
                let b = "a0->ptr = (uint8_t *)a1;\na0->len = strlen(a1);\n".to_string();
                (b.clone(), b)
            }
            Item::StringDup | Item::StringDupN => {
                let len = if matches!(item, Item::StringDup) {
                    "strlen(a1)"
                } else {
                    "a2"
                };
                let b = format!(
                    "size_t __len = {len};\na0->ptr = 0;\na0->len = __len;\n\
                     if (__len != 0) {{\na0->ptr = malloc(__len);\nif (!a0->ptr) abort();\nmemcpy(a0->ptr, a1, __len);\n}}\n"
                );
                (b.clone(), b)
            }
        };
        defs.push_str(&definition(p, &b32, &b64));
    }

    // Zero-copy `_into` variants of the short-read functions.
    let mut ext_protos = String::new();
    let mut extensions = Vec::new();
    for p in &protos {
        let Item::Func(i) = items[&p.name] else {
            continue;
        };
        let (i32_, i64_) = (&l32.imports[i], &l64.imports[i]);
        let short_read = i32_.buffer.as_ref().is_some_and(|b| {
            emit::short_read_param(i32_.func().expect("function"), &b.too_small).is_some()
        });
        if !short_read {
            continue;
        }
        let mut ext = p.clone();
        ext.name = format!("{}_into", p.name);
        ext.params.push("void *".into());
        let sym = c_names::import_symbol(&l32, i32_);
        let unsupported = |why: String| CompatError::Unsupported(ext.name.clone(), why);
        let b32 = e32.func_body(i32_, &sym, &ext, true).map_err(unsupported)?;
        let b64 = e64.func_body(i64_, &sym, &ext, true).map_err(unsupported)?;
        defs.push_str(&definition(&ext, &b32, &b64));
        let mut params = p.params.clone();
        params.push("void *buf".into());
        ext_protos.push_str(&format!(
            "/* {}, with the bytes read straight into `buf` (at least `len`\n * bytes); the returned list points into `buf`: nothing to free. */\n{} {}({});\n",
            p.name,
            p.ret,
            ext.name,
            params.join(", ")
        ));
        extensions.push(ext.name);
    }
    let ext_header = format!(
        "/* Generated by wasit2 (wasit2_bindgen::wasip2_compat). Do not edit.\n * \
         wasit2 extensions of <wasi/wasip2.h>: zero-copy reads (docs/wasip2-api.md). */\n\
         #ifndef __WASI_WASIP2_WASIT2_H\n#define __WASI_WASIP2_WASIT2_H\n\n\
         #include <wasi/wasip2.h>\n\n#ifdef __cplusplus\nextern \"C\" {{\n#endif\n\n\
         {ext_protos}\n#ifdef __cplusplus\n}}\n#endif\n\n#endif\n"
    );

    let mut src = String::new();
    src.push_str(&prelude());
    src.push_str(&ext_protos);
    src.push('\n');
    src.push_str("#if __SIZEOF_POINTER__ == 8\n");
    for &i in &used {
        src.push_str(&import_decl(&l64, i));
    }
    src.push_str("#else\n");
    for &i in &used {
        src.push_str(&import_decl(&l32, i));
    }
    src.push_str("#endif\n\n");
    src.push_str(&defs);
    Ok(Compat {
        source: src,
        functions: protos.into_iter().map(|p| p.name).collect(),
        ext_header,
        extensions,
    })
}

/// Every C function name of the API our WIT supports, with what it is.
fn api_items(l: &Lowering) -> HashMap<String, Item> {
    let resolve = &l.resolve;
    let mut items = HashMap::new();
    for (i, imp) in l.imports.iter().enumerate() {
        match &imp.item {
            ImportItem::Func {
                interface: Some(id),
                func,
            } => {
                let Some(short) = names::owner_short(resolve, TypeOwner::Interface(*id)) else {
                    continue;
                };
                items.insert(
                    format!("{short}_{}", crate::func_name(&func.name)),
                    Item::Func(i),
                );
            }
            ImportItem::Func {
                interface: None,
                func,
            } => {
                items.insert(
                    format!("{}_{}", names::WORLD, crate::func_name(&func.name)),
                    Item::Func(i),
                );
            }
            ImportItem::ResourceDrop { resource, .. } => {
                let def = &resolve.types[*resource];
                let Some(short) = names::owner_short(resolve, def.owner) else {
                    continue;
                };
                let r = crate::snake(def.name.as_deref().unwrap_or_default());
                items.insert(format!("{short}_{r}_drop_own"), Item::Drop(i));
                items.insert(format!("{short}_borrow_{r}"), Item::Borrow);
            }
            ImportItem::ExportedResource { .. } => {}
        }
    }
    // `*_free` for every type reachable from the imported interfaces.
    let mut seen = BTreeSet::new();
    let mut add = |ty: &Type, used_in: Option<InterfaceId>, items: &mut HashMap<String, Item>| {
        collect_types(resolve, ty, used_in, &mut seen, items);
    };
    add(&Type::String, None, &mut items);
    for (_, item) in &resolve.worlds[l.world].imports {
        let WorldItem::Interface { id, .. } = item else {
            continue;
        };
        let iface = &resolve.interfaces[*id];
        for (_, t) in &iface.types {
            add(&Type::Id(*t), Some(*id), &mut items);
        }
        for (_, f) in &iface.functions {
            for p in &f.params {
                add(&p.ty, Some(*id), &mut items);
            }
            if let Some(r) = &f.result {
                add(r, Some(*id), &mut items);
            }
        }
    }
    let w = names::WORLD;
    items.insert(format!("{w}_string_set"), Item::StringSet);
    items.insert(format!("{w}_string_dup"), Item::StringDup);
    items.insert(format!("{w}_string_dup_n"), Item::StringDupN);
    items
}

/// Registers `<name>_free` for `ty` and the types inside it. `used_in` is
/// the interface that mentions `ty` (anonymous types are named after it).
fn collect_types(
    resolve: &wit_parser::Resolve,
    ty: &Type,
    used_in: Option<InterfaceId>,
    seen: &mut BTreeSet<String>,
    items: &mut HashMap<String, Item>,
) {
    if !seen.insert(format!("{ty:?} in {used_in:?}")) {
        return;
    }
    for name in names::type_names(resolve, ty, used_in) {
        items
            .entry(format!("{name}_free"))
            .or_insert(Item::Free(*ty));
    }
    let Type::Id(id) = ty else { return };
    // Types inside a named type are used by its interface.
    let inner = match resolve.types[*id].owner {
        TypeOwner::Interface(i) => Some(i),
        _ => used_in,
    };
    let mut sub = |t: &Type| collect_types(resolve, t, inner, seen, items);
    match &resolve.types[*id].kind {
        TypeDefKind::Record(r) => r.fields.iter().for_each(|f| sub(&f.ty)),
        TypeDefKind::Tuple(t) => t.types.iter().for_each(&mut sub),
        TypeDefKind::Variant(v) => v.cases.iter().flat_map(|c| &c.ty).for_each(&mut sub),
        TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => sub(t),
        TypeDefKind::Result(r) => r.ok.iter().chain(&r.err).for_each(&mut sub),
        _ => {}
    }
}

/// Checks that the header's prototype has the shape the WIT gives it under
/// wit-bindgen's conventions (parameter count, which are pointers, return).
fn check_shape(e: &Emit, l: &Lowering, item: &Item, p: &Prototype) -> Result<(), CompatError> {
    let bad = |why: String| Err(CompatError::Prototype(p.name.clone(), why));
    let ptrs: Vec<bool> = (0..p.params.len()).map(|i| p.param_is_pointer(i)).collect();
    let (want_ptrs, want_ret): (Vec<bool>, &str) = match item {
        Item::Func(i) => {
            let func = l.imports[*i].func().expect("function import");
            let mut v: Vec<bool> = func.params.iter().map(|p| !e.by_value(&p.ty)).collect();
            let conv = e.ret_conv(func);
            v.extend(std::iter::repeat_n(true, conv.out_params()));
            let ret = match conv {
                RetConv::Void | RetConv::RetPtr(_) => "void",
                RetConv::Result(..) | RetConv::Option(_) => "bool",
                RetConv::Value => "",
            };
            (v, ret)
        }
        Item::Drop(_) => (vec![false], "void"),
        Item::Borrow => (vec![false], ""),
        Item::Free(_) => (vec![true], "void"),
        Item::StringSet | Item::StringDup => (vec![true, true], "void"),
        Item::StringDupN => (vec![true, true, false], "void"),
    };
    if ptrs != want_ptrs {
        return bad(format!(
            "parameters passed by pointer: header {ptrs:?}, WIT {want_ptrs:?}"
        ));
    }
    let ret_ok = if want_ret.is_empty() {
        p.ret != "void"
    } else {
        p.ret == want_ret
    };
    if !ret_ok {
        return bad(format!(
            "returns `{}`, the WIT wants {}",
            p.ret,
            if want_ret.is_empty() {
                "a value"
            } else {
                want_ret
            }
        ));
    }
    Ok(())
}

/// One function definition with the header's types; the parameters are
/// named `a0`, `a1`, … so the bodies never clash with them.
fn definition(p: &Prototype, b32: &str, b64: &str) -> String {
    let params = if p.params.is_empty() {
        "void".to_string()
    } else {
        p.params
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{t} a{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let noreturn = if p.noreturn { "_Noreturn " } else { "" };
    let body = if b32 == b64 {
        b32.to_string()
    } else {
        format!("#if __SIZEOF_POINTER__ == 8\n{b64}#else\n{b32}#endif\n")
    };
    format!(
        "{noreturn}{} {}({params}) {{\n{}}}\n\n",
        p.ret,
        p.name,
        indent(&body)
    )
}

/// Indents a body by its braces (the emitter writes flat lines).
fn indent(body: &str) -> String {
    let mut depth = 1usize;
    let mut out = String::new();
    for l in body.lines() {
        if l.starts_with('#') || l.is_empty() {
            out.push_str(l);
            out.push('\n');
            continue;
        }
        let opens = l.matches('{').count();
        let closes = l.matches('}').count();
        let lead = if l.starts_with('}') {
            depth.saturating_sub(1)
        } else {
            depth
        };
        out.push_str(&"    ".repeat(lead.max(1)));
        out.push_str(l);
        out.push('\n');
        depth = (depth + opens).saturating_sub(closes).max(1);
    }
    out
}

fn import_decl(l: &Lowering, i: usize) -> String {
    let imp = &l.imports[i];
    let sym = c_names::import_symbol(l, imp);
    let ret = match imp.sig.results.as_slice() {
        [] => "void",
        [t] => c_core(*t),
        _ => unreachable!("the Canonical ABI has at most one flat result"),
    };
    let params = if imp.sig.params.is_empty() {
        "void".to_string()
    } else {
        imp.sig
            .params
            .iter()
            .map(|t| c_core(*t))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "__attribute__((import_module(\"{}\"), import_name(\"{}\")))\nextern {ret} {sym}({params});\n",
        imp.module, imp.field
    )
}

fn prelude() -> String {
    format!(
        r#"/* Generated by wasit2 (wasit2_bindgen::wasip2_compat) for `{WORLD}@{WASI_VERSION}`.
 * Do not edit.
 *
 * The C API of wit-bindgen's <wasi/__generated_wasip2.h> over the wasit2
 * core imports (docs/abi.md): cm32p2/cm64p2 for plain functions, the
 * caller-supplied-buffer wasit2-cm32p2/wasit2-cm64p2 imports for results
 * that hold lists. The host never allocates in the guest: lists handed
 * back are malloc'd by these functions and freed by the matching *_free
 * (docs/wasip2-api.md).
 */
#include <wasi/wasip2.h>

#ifndef __wasip2__
#error "wasip2 bindings: compile with __wasip2__ defined (<wasi/version.h> of a wasip2 build)"
#endif

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Largest buffer a read-like call allocates before the host reports
 * how much it read (WIT allows the short read). */
#ifndef WASIP2_COMPAT_MAX_READ
#define WASIP2_COMPAT_MAX_READ {max_read}
#endif

/* Unaligned-safe loads and stores at Canonical ABI offsets. */
#define __W2_HELPER static inline __attribute__((unused))
__W2_HELPER uint32_t __w2_ld8(const uint8_t *p) {{ uint8_t v; memcpy(&v, p, 1); return v; }}
__W2_HELPER uint32_t __w2_ld16(const uint8_t *p) {{ uint16_t v; memcpy(&v, p, 2); return v; }}
__W2_HELPER uint32_t __w2_ld32(const uint8_t *p) {{ uint32_t v; memcpy(&v, p, 4); return v; }}
__W2_HELPER uint64_t __w2_ld64(const uint8_t *p) {{ uint64_t v; memcpy(&v, p, 8); return v; }}
__W2_HELPER float __w2_ldf32(const uint8_t *p) {{ float v; memcpy(&v, p, 4); return v; }}
__W2_HELPER double __w2_ldf64(const uint8_t *p) {{ double v; memcpy(&v, p, 8); return v; }}
__W2_HELPER uint8_t *__w2_ldptr(const uint8_t *p) {{ uint8_t *v; memcpy(&v, p, sizeof v); return v; }}
__W2_HELPER size_t __w2_ldlen(const uint8_t *p) {{ size_t v; memcpy(&v, p, sizeof v); return v; }}
__W2_HELPER void __w2_stptr(uint8_t *p, void *v) {{ memcpy(p, &v, sizeof v); }}
__W2_HELPER void __w2_stlen(uint8_t *p, size_t v) {{ memcpy(p, &v, sizeof v); }}
__W2_HELPER int32_t __w2_f32bits(float f) {{ int32_t v; memcpy(&v, &f, 4); return v; }}
__W2_HELPER int64_t __w2_f64bits(double f) {{ int64_t v; memcpy(&v, &f, 8); return v; }}

"#,
        max_read = emit::MAX_READ
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_wit_bindgen() {
        let wit = Wit::wasi().unwrap();
        let world = wit.world(&format!("{WORLD}@{WASI_VERSION}")).unwrap();
        let l = Lowering::new(&wit, world, Arch::Wasm32).unwrap();
        let items = api_items(&l);
        for name in [
            "environment_get_environment",
            "filesystem_method_descriptor_read_via_stream",
            "filesystem_filesystem_error_code",
            "filesystem_preopens_get_directories",
            "random_insecure_seed_insecure_seed",
            "streams_input_stream_drop_own",
            "streams_borrow_input_stream",
            "io_error_error_drop_own",
            "wasip2_string_free",
            "wasip2_list_tuple2_string_string_free",
            "wasip2_tuple2_list_u8_bool_free",
            "poll_list_borrow_pollable_free",
            "exit_result_void_void_free",
            "filesystem_option_datetime_free",
            "filesystem_result_option_directory_entry_error_code_free",
            "filesystem_preopens_list_tuple2_own_descriptor_string_free",
            "udp_result_tuple2_own_incoming_datagram_stream_own_outgoing_datagram_stream_error_code_free",
            "udp_ip_socket_address_free",
            "wasip2_string_dup_n",
        ] {
            assert!(items.contains_key(name), "{name}");
        }
    }

    #[test]
    fn unknown_functions_are_one_error() {
        let h = "extern void streams_method_input_stream_frobnicate(int32_t x);\nextern uint64_t random_get_random_u64(void);\n";
        let e = generate(h).unwrap_err().to_string();
        assert!(
            e.contains("1 function(s)") && e.contains("streams_method_input_stream_frobnicate"),
            "{e}"
        );
    }

    #[test]
    fn a_wrong_prototype_is_reported() {
        let h = "extern void random_get_random_u64(void);\n";
        let e = generate(h).unwrap_err().to_string();
        assert!(
            e.contains("random_get_random_u64") && e.contains("a value"),
            "{e}"
        );
    }

    #[test]
    fn reads_and_writes_go_through_wasit2_imports() {
        let h = "extern bool streams_method_input_stream_read(streams_borrow_input_stream_t self, uint64_t len, wasip2_list_u8_t *ret, streams_stream_error_t *err);\nextern uint64_t random_get_random_u64(void);\n";
        let c = generate(h).unwrap();
        assert_eq!(
            c.functions,
            ["streams_method_input_stream_read", "random_get_random_u64"]
        );
        assert!(c.source.contains("\"wasit2-cm32p2|wasi:io/streams@0.2\""));
        assert!(c.source.contains("\"wasit2-cm64p2|wasi:io/streams@0.2\""));
        assert!(c.source.contains("\"cm32p2|wasi:random/random@0.2\""));
        assert!(!c.source.contains("realloc"));
    }
}
