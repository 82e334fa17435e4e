//! Host side for the 2020 WAMR: `wasit2 bindgen --host-c`.
//!
//! A world's imports, lowered by the ABI crate for wasm32 (WAMR of 2020 has
//! no memory64), become WAMR natives: one `static` function per import in
//! WAMR's calling convention (`wasm_exec_env_t` first, then the core
//! params), a `NativeSymbol` table per import module and a
//! `<base>_wamr_register()` that hands them to
//! `wasm_runtime_register_natives`. Each native checks every guest pointer
//! with `wasm_runtime_validate_app_addr` (plus the alignment the Canonical
//! ABI asks for), converts it with `wasm_runtime_addr_app_to_native`, and
//! calls a plain C function the firmware implements. For a result holding a
//! list or string it applies the caller-buffer rule of `docs/abi.md`: the
//! result is stored at the return pointer only when it fits the arena, and
//! the size it needs is returned either way.
//!
//! With [`VendorImports::Env`] the natives are registered under `env` with
//! env-form fields (`wasit2-cm32p2|acme:sensors/temp@1|model`, docs/abi.md
//! 1.2), matching a module linked with `wasit-ld --vendor-imports env`:
//! the 2020 WAMR's loader resolves natives only under `env`,
//! `wasi_unstable`, `wasi_snapshot_preview1` and `spectest`.
//!
//! Supported parameter and result types: `bool`, integers, `char`, floats,
//! `string` and `list<T>` of those scalars. Anything else is reported as
//! unsupported, naming the function.

use std::fmt::Write as _;

pub use wasit2_abi::env_form::VendorImports;
use wasit2_abi::{Arch, Import, ImportItem, Lowering, ValType};
use wit_parser::{Type, TypeDefKind};

use crate::names::import_c_name;
use crate::{default_base_name, BindgenError, Result};

/// Generated WAMR host glue for one world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WamrBindings {
    /// `<base>_wamr.h`: the prototypes the firmware implements and the
    /// register function.
    pub header_name: String,
    /// `<base>_wamr.c`: the natives, their tables and the register function.
    pub source_name: String,
    pub header: String,
    pub source: String,
    /// C names of the functions the firmware implements, in header order.
    pub functions: Vec<String>,
}

impl WamrBindings {
    /// Writes both files into `dir` (created if missing), atomically each.
    pub fn write_to(
        &self,
        dir: &std::path::Path,
    ) -> std::io::Result<(std::path::PathBuf, std::path::PathBuf)> {
        std::fs::create_dir_all(dir)?;
        let h = dir.join(&self.header_name);
        let c = dir.join(&self.source_name);
        crate::write_atomic(&h, &self.header)?;
        crate::write_atomic(&c, &self.source)?;
        Ok((h, c))
    }
}

/// A scalar WIT type as the firmware sees it.
#[derive(Clone, Copy, Debug)]
struct Scalar {
    c: &'static str,
    core: ValType,
    /// Bytes in linear memory (the element size in a list).
    size: usize,
}

/// How one WIT parameter or result crosses the boundary.
#[derive(Clone, Copy, Debug)]
enum Shape {
    Scalar(Scalar),
    /// A `string` (elements are `char`) or a `list<scalar>`.
    Seq {
        elem: Scalar,
        is_string: bool,
    },
}

fn scalar(resolve: &wit_parser::Resolve, ty: &Type) -> Option<Scalar> {
    let s = |c, core, size| Some(Scalar { c, core, size });
    match ty {
        Type::Bool => s("bool", ValType::I32, 1),
        Type::U8 => s("uint8_t", ValType::I32, 1),
        Type::S8 => s("int8_t", ValType::I32, 1),
        Type::U16 => s("uint16_t", ValType::I32, 2),
        Type::S16 => s("int16_t", ValType::I32, 2),
        Type::U32 => s("uint32_t", ValType::I32, 4),
        Type::S32 => s("int32_t", ValType::I32, 4),
        Type::Char => s("uint32_t", ValType::I32, 4),
        Type::U64 => s("uint64_t", ValType::I64, 8),
        Type::S64 => s("int64_t", ValType::I64, 8),
        Type::F32 => s("float", ValType::F32, 4),
        Type::F64 => s("double", ValType::F64, 8),
        Type::Id(id) => match &resolve.types[*id].kind {
            TypeDefKind::Type(t) => scalar(resolve, t),
            _ => None,
        },
        _ => None,
    }
}

fn shape(resolve: &wit_parser::Resolve, ty: &Type) -> Option<Shape> {
    if let Some(s) = scalar(resolve, ty) {
        return Some(Shape::Scalar(s));
    }
    match ty {
        Type::String => Some(Shape::Seq {
            elem: Scalar {
                c: "char",
                core: ValType::I32,
                size: 1,
            },
            is_string: true,
        }),
        Type::Id(id) => match &resolve.types[*id].kind {
            TypeDefKind::Type(t) => shape(resolve, t),
            TypeDefKind::List(e) => scalar(resolve, e).map(|elem| Shape::Seq {
                elem,
                is_string: false,
            }),
            _ => None,
        },
        _ => None,
    }
}

fn sig_char(t: ValType) -> char {
    match t {
        ValType::I32 => 'i',
        ValType::I64 => 'I',
        ValType::F32 => 'f',
        ValType::F64 => 'F',
    }
}

fn core_c(t: ValType) -> &'static str {
    match t {
        ValType::I32 => "uint32_t",
        ValType::I64 => "uint64_t",
        ValType::F32 => "float",
        ValType::F64 => "double",
    }
}

/// Generates the WAMR host glue of `l`'s world, which must be the wasm32
/// lowering, for imports named as the ABI defines them.
pub fn generate_wamr_c(l: &Lowering, opts: &crate::Options) -> Result<WamrBindings> {
    generate_wamr_c_for(l, opts, VendorImports::Wasit2)
}

/// [`generate_wamr_c`] for modules whose imports are named as `naming`
/// says (`wasit-ld --vendor-imports`).
pub fn generate_wamr_c_for(
    l: &Lowering,
    opts: &crate::Options,
    naming: VendorImports,
) -> Result<WamrBindings> {
    if l.arch != Arch::Wasm32 {
        return Err(BindgenError::MismatchedLowerings(format!(
            "WAMR natives need the wasm32 lowering, got {}",
            l.arch.name()
        )));
    }
    let base = match &opts.base_name {
        Some(b) => b.clone(),
        None => default_base_name(l),
    };
    let valid = !base.is_empty()
        && !base.starts_with(|c: char| c.is_ascii_digit())
        && base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(BindgenError::BadBaseName(base));
    }
    let stem = format!("{base}_wamr");
    let mut natives = Vec::new();
    for imp in &l.imports {
        natives.push(Native::new(l, imp, naming)?);
    }

    let guard = format!("{}_H", stem.to_ascii_uppercase());
    let world = &l.world_name;
    let mut h = String::new();
    writeln!(
        h,
        "/* WAMR natives for the world {world}: generated by `wasit2 bindgen --host-c`;
 * do not edit. The firmware implements the functions below with plain C
 * types; {stem}.c holds the natives that validate the module's pointers
 * and call them, and {stem}_register() registers those natives.
 *
 * Every function returns 0 on success; any other value traps the calling
 * module with a message naming the function.
 *
 * A result holding a list or string is written by the firmware into `buf`
 * (room for `cap` elements; for a string, bytes of UTF-8) and its length in
 * elements is stored in `*len` either way. When `*len > cap` the module's
 * buffer is too small: write nothing and do nothing observable, the module
 * is told the size and may call again with a larger buffer
 * (docs/abi.md, caller-supplied buffers). */
#ifndef {guard}
#define {guard}

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern \"C\" {{
#endif
"
    )
    .unwrap();
    let mut functions = Vec::new();
    for n in &natives {
        writeln!(
            h,
            "\n/* {}: import \"{}\" \"{}\", core {} */\n{};",
            n.display, n.module, n.field, n.core_sig, n.user_proto
        )
        .unwrap();
        functions.push(n.c_name.clone());
    }
    writeln!(
        h,
        "
/* Registers every native above with wasm_runtime_register_natives. Call it
 * after wasm_runtime_init (or _full_init) and before wasm_runtime_load;
 * returns false when WAMR refuses a table. */
bool {stem}_register(void);

#ifdef __cplusplus
}}
#endif

#endif /* {guard} */"
    )
    .unwrap();

    let mut c = String::new();
    writeln!(
        c,
        "/* WAMR natives for the world {world}: generated by `wasit2 bindgen --host-c`;
 * do not edit. */
#include <stdint.h>
#include <string.h>

#include \"wasm_export.h\"
#include \"{stem}.h\"

/* Linear memory is little-endian; the natives copy scalars in host order. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error \"{stem}.c supports little-endian hosts only\"
#endif

/* Checks that [offset, offset + size) is inside the module's memory and
 * that offset is aligned; traps the module (WAMR's exception) if not. */
static bool {stem}_check(wasm_module_inst_t inst, uint32_t offset, uint64_t size, uint32_t align)
{{
    if (offset % align != 0) {{
        wasm_runtime_set_exception(inst, \"misaligned pointer\");
        return false;
    }}
    if (size > UINT32_MAX) {{
        wasm_runtime_set_exception(inst, \"out of bounds memory access\");
        return false;
    }}
    return wasm_runtime_validate_app_addr(inst, offset, (uint32_t)size);
}}

/* Traps the module for a firmware function that returned non-zero. */
static void {stem}_fail(wasm_module_inst_t inst, const char *name, int rc)
{{
    char msg[160];
    snprintf(msg, sizeof msg, \"%s failed: %d\", name, rc);
    wasm_runtime_set_exception(inst, msg);
}}"
    )
    .unwrap();
    for n in &natives {
        c.push('\n');
        c.push_str(&n.glue(&stem));
    }
    // One table per import module, in first-use order.
    let mut modules: Vec<&str> = Vec::new();
    for n in &natives {
        if !modules.contains(&n.module.as_str()) {
            modules.push(&n.module);
        }
    }
    let mut calls = String::new();
    for (i, m) in modules.iter().enumerate() {
        writeln!(
            c,
            "\n/* Not const: WAMR sorts the table in place. */\nstatic NativeSymbol {stem}_natives_{i}[] = {{"
        )
        .unwrap();
        for n in natives.iter().filter(|n| n.module == *m) {
            writeln!(
                c,
                "    {{ \"{}\", (void *){}, \"{}\", NULL }},",
                n.field, n.native_name, n.wamr_sig
            )
            .unwrap();
        }
        c.push_str("};\n");
        writeln!(
            calls,
            "    ok = wasm_runtime_register_natives(\"{m}\", {stem}_natives_{i},\n        sizeof {stem}_natives_{i} / sizeof {stem}_natives_{i}[0]) && ok;"
        )
        .unwrap();
    }
    writeln!(
        c,
        "\nbool {stem}_register(void)\n{{\n    bool ok = true;\n{calls}    return ok;\n}}"
    )
    .unwrap();
    // snprintf needs stdio.h; added here so the include list stays sorted.
    let c = c.replacen(
        "#include <stdint.h>\n",
        "#include <stdint.h>\n#include <stdio.h>\n",
        1,
    );

    Ok(WamrBindings {
        header_name: format!("{stem}.h"),
        source_name: format!("{stem}.c"),
        header: h,
        source: c,
        functions,
    })
}

/// One import as a WAMR native.
struct Native {
    module: String,
    field: String,
    display: String,
    c_name: String,
    native_name: String,
    core_sig: String,
    wamr_sig: String,
    user_proto: String,
    core_params: Vec<ValType>,
    core_result: Option<ValType>,
    params: Vec<(String, Shape)>,
    result: Option<ResultGlue>,
}

enum ResultGlue {
    /// A single flat result, returned by the native.
    Scalar(Scalar),
    /// A list or string in the caller's arena.
    Buffer {
        elem: Scalar,
        is_string: bool,
        retptr: usize,
        arena_ptr: usize,
        arena_len: usize,
        arena_align: usize,
        /// Size and alignment of the `{ptr, len}` pair at the return pointer.
        ret_size: usize,
        ret_align: usize,
        /// Offset of `len` in that pair.
        len_offset: usize,
    },
}

impl Native {
    fn new(l: &Lowering, imp: &Import, naming: VendorImports) -> Result<Native> {
        let resolve = &l.resolve;
        let display = imp.display_name();
        let unsupported =
            |what: String| BindgenError::Unsupported(format!("--host-c: `{display}`: {what}"));
        let func = match &imp.item {
            ImportItem::Func { func, .. } => func,
            ImportItem::ResourceDrop { .. } | ImportItem::ExportedResource { .. } => {
                return Err(unsupported("resources are not supported yet".into()))
            }
        };
        let c_name = import_c_name(resolve, l.world, imp);
        let supported = "supported: bool, integers, char, floats, string, list<scalar>";

        // The firmware-facing parameters, and the core values they take.
        let mut params = Vec::new();
        let mut flat = Vec::new();
        let mut proto = Vec::new();
        for p in &func.params {
            let name = crate::names::snake(&p.name);
            let s = shape(resolve, &p.ty)
                .ok_or_else(|| unsupported(format!("parameter `{}`: {supported}", p.name)))?;
            match s {
                Shape::Scalar(sc) => {
                    flat.push(sc.core);
                    proto.push(format!("{} {name}", sc.c));
                }
                Shape::Seq { elem, .. } => {
                    flat.extend([ValType::I32, ValType::I32]);
                    proto.push(format!("const {} *{name}", elem.c));
                    proto.push(format!("size_t {name}_len"));
                }
            }
            params.push((name, s));
        }

        let mut core_result = None;
        let result = match &func.result {
            None => None,
            Some(ty) => match shape(resolve, ty) {
                Some(Shape::Scalar(sc)) => {
                    core_result = Some(sc.core);
                    proto.push(format!("{} *ret", sc.c));
                    Some(ResultGlue::Scalar(sc))
                }
                Some(Shape::Seq { elem, is_string }) => {
                    let b = imp.buffer.as_ref().ok_or_else(|| {
                        BindgenError::SignatureMismatch(c_name.clone(), "no caller buffer".into())
                    })?;
                    if b.retptr != flat.len()
                        || b.arena_ptr != b.retptr + 1
                        || b.arena_len != b.retptr + 2
                    {
                        return Err(BindgenError::SignatureMismatch(
                            c_name.clone(),
                            "caller-buffer parameter positions".into(),
                        ));
                    }
                    flat.extend([ValType::I32; 3]);
                    core_result = Some(ValType::I32);
                    proto.push(format!("{} *buf", elem.c));
                    proto.push("size_t cap".into());
                    proto.push("size_t *len".into());
                    Some(ResultGlue::Buffer {
                        elem,
                        is_string,
                        retptr: b.retptr,
                        arena_ptr: b.arena_ptr,
                        arena_len: b.arena_len,
                        arena_align: b.arena_align,
                        ret_size: l.size_of(ty),
                        ret_align: l.align_of(ty),
                        len_offset: l.arch.pointer_size(),
                    })
                }
                None => return Err(unsupported(format!("result: {supported}"))),
            },
        };
        // The ABI crate's signature is the fact; ours must agree with it.
        let ours: Vec<ValType> = core_result.into_iter().collect();
        if flat != imp.sig.params || ours != imp.sig.results {
            return Err(BindgenError::SignatureMismatch(
                c_name,
                format!("generated {flat:?} -> {ours:?}, ABI {}", imp.sig),
            ));
        }
        let wamr_sig = format!(
            "({}){}",
            imp.sig
                .params
                .iter()
                .map(|t| sig_char(*t))
                .collect::<String>(),
            imp.sig
                .results
                .iter()
                .map(|t| sig_char(*t))
                .collect::<String>()
        );
        let user_proto = format!(
            "int {c_name}({})",
            if proto.is_empty() {
                "void".to_string()
            } else {
                proto.join(", ")
            }
        );
        let (module, field) = naming.name(&imp.module, &imp.field);
        Ok(Native {
            module,
            field,
            display,
            native_name: format!("wamr_native_{c_name}"),
            c_name,
            core_sig: imp.sig.to_string(),
            wamr_sig,
            user_proto,
            core_params: imp.sig.params.clone(),
            core_result: imp.sig.results.first().copied(),
            params,
            result,
        })
    }

    /// The `static` native: unpack, validate, call the firmware, store.
    fn glue(&self, stem: &str) -> String {
        let ret = self.core_result.map_or("void", core_c);
        let fail_ret = if self.core_result.is_some() { " 0" } else { "" };
        let mut args = vec!["wasm_exec_env_t exec_env".to_string()];
        for (i, t) in self.core_params.iter().enumerate() {
            args.push(format!("{} a{i}", core_c(*t)));
        }
        let mut s = String::new();
        writeln!(
            s,
            "/* {} {}: core {} */\nstatic {ret} {}({})\n{{\n    wasm_module_inst_t inst = wasm_runtime_get_module_inst(exec_env);",
            self.module,
            self.field,
            self.core_sig,
            self.native_name,
            args.join(", ")
        )
        .unwrap();
        let mut call = Vec::new();
        let mut k = 0;
        for (name, sh) in &self.params {
            match sh {
                Shape::Scalar(sc) => {
                    call.push(format!("({})a{k}", sc.c));
                    k += 1;
                }
                Shape::Seq { elem, .. } => {
                    let (p, n) = (k, k + 1);
                    writeln!(
                        s,
                        "    if (!{stem}_check(inst, a{p}, (uint64_t)a{n} * {}, {}))\n        return{fail_ret};\n    const {} *{name} = wasm_runtime_addr_app_to_native(inst, a{p});",
                        elem.size, elem.size, elem.c
                    )
                    .unwrap();
                    call.push(name.clone());
                    call.push(format!("a{n}"));
                    k += 2;
                }
            }
        }
        let name_lit = format!("\"{}\"", self.display);
        match &self.result {
            None => {
                writeln!(
                    s,
                    "    int rc = {}({});\n    if (rc != 0)\n        {stem}_fail(inst, {name_lit}, rc);\n}}",
                    self.c_name,
                    call.join(", ")
                )
                .unwrap();
            }
            Some(ResultGlue::Scalar(sc)) => {
                call.push("&ret".into());
                writeln!(
                    s,
                    "    {} ret;\n    memset(&ret, 0, sizeof ret);\n    int rc = {}({});\n    if (rc != 0) {{\n        {stem}_fail(inst, {name_lit}, rc);\n        return 0;\n    }}\n    return ({})ret;\n}}",
                    sc.c,
                    self.c_name,
                    call.join(", "),
                    core_c(sc.core)
                )
                .unwrap();
            }
            Some(ResultGlue::Buffer {
                elem,
                is_string,
                retptr,
                arena_ptr,
                arena_len,
                arena_align,
                ret_size,
                ret_align,
                len_offset,
            }) => {
                let what = if *is_string { "bytes" } else { "elements" };
                call.extend([
                    "buf".into(),
                    format!("a{arena_len} / {}", elem.size),
                    "&len".into(),
                ]);
                writeln!(
                    s,
                    "    /* The result goes to a{retptr} ({ret_size} bytes), its {what} to the arena a{arena_ptr}/a{arena_len}. */
    if (!{stem}_check(inst, a{retptr}, {ret_size}, {ret_align}) || !{stem}_check(inst, a{arena_ptr}, a{arena_len}, {arena_align}))
        return 0;
    {} *buf = wasm_runtime_addr_app_to_native(inst, a{arena_ptr});
    size_t len = 0;
    int rc = {}({});
    if (rc != 0) {{
        {stem}_fail(inst, {name_lit}, rc);
        return 0;
    }}
    if (len > UINT32_MAX / {}) {{
        wasm_runtime_set_exception(inst, \"{}: result too large\");
        return 0;
    }}
    uint32_t needed = (uint32_t)len * {};
    /* {{ptr, len}} is stored only when the result fits; too small: only the size. */
    if (needed <= a{arena_len}) {{
        uint8_t *ret = wasm_runtime_addr_app_to_native(inst, a{retptr});
        uint32_t ptr = a{arena_ptr}, n = (uint32_t)len;
        memcpy(ret, &ptr, 4);
        memcpy(ret + {len_offset}, &n, 4);
    }}
    return needed;
}}",
                    elem.c,
                    self.c_name,
                    call.join(", "),
                    elem.size,
                    self.display,
                    elem.size,
                )
                .unwrap();
            }
        }
        s
    }
}
