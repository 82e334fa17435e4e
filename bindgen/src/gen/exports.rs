//! Export glue: for each function a world exports, a C prototype the user
//! implements (in the header) and the core export that lifts the flat
//! arguments into C values, calls it and lowers the result (in the source),
//! plus `_post`, `<p>_params_alloc` and resource destructors.

use std::fmt::Write;

use wasit2_abi::{params_alloc_export, Arch, CoreSig, Export, ExportItem};
use wit_parser::abi::{AbiVariant, WasmType};
use wit_parser::{Function, InterfaceId, Type, TypeDefKind, TypeId};

use super::{c_wasm_type, int_type, unsupported, val_type, Gen};
use crate::names::{func_name, interface_prefix, resource_stem, snake, world_prefix};
use crate::{BindgenError, ExportedFunction, Result};

impl Gen<'_> {
    /// Glue for every export of `interface` (`None`: the world's own
    /// function exports).
    pub(super) fn exports_of(&mut self, interface: Option<InterfaceId>) -> Result<()> {
        let (l32, l64) = (self.l32, self.l64);
        if l32.exports.len() != l64.exports.len() {
            return Err(BindgenError::MismatchedLowerings(
                "different export counts".into(),
            ));
        }
        for i in 0..l32.exports.len() {
            let (e32, e64) = (&l32.exports[i], &l64.exports[i]);
            match &e32.item {
                ExportItem::Func {
                    interface: iface,
                    func,
                } if *iface == interface => {
                    let post = |l: &'_ wasit2_abi::Lowering, e: &Export| {
                        l.export(&format!("{}_post", e.name)).cloned()
                    };
                    let (p32, p64) = (post(l32, e32), post(l64, e64));
                    self.export_func(interface, func, e32, e64, p32.as_ref(), p64.as_ref())?;
                }
                ExportItem::ResourceDtor {
                    interface: iface,
                    resource,
                } if Some(*iface) == interface => self.export_dtor(*resource, e32, e64)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// The shared `<p>_params_alloc` glue, once, if the world needs it.
    pub(super) fn params_alloc_glue(&mut self) {
        if self
            .l32
            .export(&params_alloc_export(Arch::Wasm32))
            .is_none()
        {
            return;
        }
        self.needs_libc = true;
        // Weak: two bindings files linked together share one allocator and
        // one list of allocations.
        write!(
            self.glue,
            r#"/* {p32}_params_alloc / {p64}_params_alloc (docs/abi.md, 1.1): the host
 * copies the lists and strings of an export's parameters here before the
 * call; all of it is freed after the call (in `_post` when there is one). */
struct __wasit2_params_state {{
    void **ptrs;
    size_t len, cap;
}};
__attribute__((weak)) struct __wasit2_params_state __wasit2_params_state;

#if __SIZEOF_POINTER__ == 8
__attribute__((weak, export_name("{p64}_params_alloc")))
#else
__attribute__((weak, export_name("{p32}_params_alloc")))
#endif
void *__wasit2_params_alloc(size_t size, size_t align) {{
    struct __wasit2_params_state *s = &__wasit2_params_state;
    if (align == 0 || (align & (align - 1)) != 0)
        return 0;
    if (s->len == s->cap) {{
        size_t cap = s->cap ? 2 * s->cap : 8;
        void **ptrs = realloc(s->ptrs, cap * sizeof *ptrs);
        if (!ptrs)
            return 0;
        s->ptrs = ptrs;
        s->cap = cap;
    }}
    /* aligned_alloc wants a size that is a multiple of the alignment. */
    size_t rounded = size == 0 ? align : (size + align - 1) / align * align;
    if (rounded < size)
        return 0;
    void *p = aligned_alloc(align, rounded);
    if (!p)
        return 0;
    s->ptrs[s->len++] = p;
    return p;
}}

__attribute__((weak)) void __wasit2_params_free(void) {{
    struct __wasit2_params_state *s = &__wasit2_params_state;
    for (size_t i = 0; i < s->len; i++)
        free(s->ptrs[i]);
    s->len = 0;
}}

"#,
            p32 = Arch::Wasm32.prefix(),
            p64 = Arch::Wasm64.prefix(),
        )
        .unwrap();
    }

    fn export_func(
        &mut self,
        interface: Option<InterfaceId>,
        func: &Function,
        e32: &Export,
        e64: &Export,
        post32: Option<&Export>,
        post64: Option<&Export>,
    ) -> Result<()> {
        let resolve = self.resolve;
        self.tmp = 0;
        let prefix = match interface {
            Some(i) => interface_prefix(resolve, i),
            None => world_prefix(resolve, self.world),
        };
        let c_name = format!("{prefix}{}", func_name(&func.name));
        let ws = resolve.wasm_signature(AbiVariant::GuestExport, func);
        let want = |e: &Export| e.sig.clone().unwrap_or_default();
        check(&c_name, &ws.params, &ws.results, &want(e32), &want(e64))?;
        if post32.is_some() != post64.is_some() {
            return Err(BindgenError::MismatchedLowerings(e32.name.clone()));
        }
        let params_alloc = self
            .l32
            .export(&params_alloc_export(Arch::Wasm32))
            .is_some();

        // The prototype the user implements.
        let mut params = Vec::new();
        let mut args = Vec::new();
        let mut locals = String::new();
        let mut types = Vec::new();
        for p in &func.params {
            let name = snake(&p.name);
            let t = self.c_type(&p.ty)?;
            let by_ptr = self.by_pointer(&p.ty);
            params.push(match by_ptr {
                true => format!("const {t} *{name}"),
                false => format!("{t} {name}"),
            });
            types.push((p.ty, t, name, by_ptr));
        }
        let result_ty = func.result;
        let (ret_type, ret_param) = match &result_ty {
            None => ("void".to_string(), None),
            Some(r) if ws.retptr => {
                let t = self.c_type(r)?;
                params.push(format!("{t} *ret"));
                ("void".to_string(), Some(t))
            }
            Some(r) => (self.c_type(r)?, None),
        };
        let params_text = match params.is_empty() {
            true => "void".to_string(),
            false => params.join(", "),
        };
        let owns = result_ty.as_ref().is_some_and(|t| self.has_list(t));
        let list_params = func.params.iter().any(|p| self.has_list(&p.ty));
        let mut note = String::new();
        if list_params {
            note.push_str(
                "\n * Lists and strings in the parameters are valid only during the call.",
            );
        }
        if owns {
            note.push_str("\n * Every list and string in `*ret` must be allocated with malloc (one block\n * each, never memory of the parameters): the glue frees them after the host\n * has read the result.");
        }
        writeln!(
            self.sec.body,
            "/* Export {}: implemented by the program.{note} */\n{ret_type} {c_name}({params_text});\n",
            e32.name
        )
        .unwrap();
        self.exported.push(ExportedFunction {
            name: c_name.clone(),
            ret: ret_type.clone(),
            params: params_text,
        });

        // The core export: lift the flat arguments.
        let raw_params: Vec<String> = ws
            .params
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{} p{i}", c_wasm_type(*t)))
            .collect();
        let raw_params = match raw_params.is_empty() {
            true => "void".to_string(),
            false => raw_params.join(", "),
        };
        let mut stmts = String::new();
        if ws.indirect_params {
            // One pointer to the parameters stored as a record, which is a C
            // struct of them in order.
            let fields: String = types
                .iter()
                .enumerate()
                .map(|(i, (_, t, _, _))| format!(" {t} f{i};"))
                .collect();
            writeln!(stmts, "    const struct {{{fields} }} *__p = p0;").unwrap();
            for (i, (_, _, _, by_ptr)) in types.iter().enumerate() {
                args.push(match by_ptr {
                    true => format!("&__p->f{i}"),
                    false => format!("__p->f{i}"),
                });
            }
        } else {
            let vals: Vec<(String, WasmType)> = ws
                .params
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("p{i}"), *t))
                .collect();
            let mut pos = 0;
            for (ty, t, name, by_ptr) in &types {
                writeln!(locals, "    {t} {name};").unwrap();
                self.lift_flat(ty, &vals, &mut pos, name, &mut stmts, 1)?;
                args.push(match by_ptr {
                    true => format!("&{name}"),
                    false => name.clone(),
                });
            }
        }
        let free_params = match params_alloc && post32.is_none() {
            true => "    __wasit2_params_free();\n",
            false => "",
        };
        let (raw_ret, tail) = match (&result_ty, &ret_param) {
            (None, _) => {
                let call = format!("    {c_name}({});\n", args.join(", "));
                ("void".to_string(), format!("{call}{free_params}"))
            }
            (Some(_), Some(t)) => {
                args.push(format!("&__wasit2_ret_{c_name}"));
                writeln!(self.glue, "static {t} __wasit2_ret_{c_name};").unwrap();
                (
                    "void *".to_string(),
                    format!(
                        "    {c_name}({});\n{free_params}    return &__wasit2_ret_{c_name};\n",
                        args.join(", ")
                    ),
                )
            }
            (Some(r), None) => {
                let mut lowered = String::new();
                let mut vals = Vec::new();
                self.lower(r, "__r", &mut lowered, &mut vals, 1)?;
                let [(v, _)] = vals.as_slice() else {
                    return Err(unsupported("export result of more than one flat value"));
                };
                let rt = c_wasm_type(ws.results[0]);
                (
                    rt.to_string(),
                    format!(
                        "    {ret_type} __r = {c_name}({});\n{lowered}{free_params}    return ({rt})({v});\n",
                        args.join(", ")
                    ),
                )
            }
        };
        let (n32, n64) = (&e32.name, &e64.name);
        writeln!(
            self.glue,
            "#if __SIZEOF_POINTER__ == 8\n__attribute__((export_name(\"{n64}\")))\n#else\n__attribute__((export_name(\"{n32}\")))\n#endif\n{raw_ret} __wasit2_export_{c_name}({raw_params}) {{\n{locals}{stmts}{tail}}}\n"
        )
        .unwrap();

        // `_post`: frees what the result owns, and the parameters.
        if let (Some(p32), Some(p64), Some(r), Some(t)) = (post32, post64, &result_ty, &ret_param) {
            let ptr = [WasmType::Pointer];
            check(&format!("{c_name}_post"), &ptr, &[], &want(p32), &want(p64))?;
            let mut frees = String::new();
            self.free_value(r, "(*__r)", &mut frees, 1)?;
            let free_params = match params_alloc {
                true => "    __wasit2_params_free();\n",
                false => "",
            };
            writeln!(
                self.glue,
                "#if __SIZEOF_POINTER__ == 8\n__attribute__((export_name(\"{}\")))\n#else\n__attribute__((export_name(\"{}\")))\n#endif\nvoid __wasit2_post_{c_name}(void *p0) {{\n    {t} *__r = p0;\n{frees}{free_params}}}\n",
                p64.name, p32.name
            )
            .unwrap();
            self.needs_libc = true;
        }
        Ok(())
    }

    /// `<p>|<I>|<R>_dtor`: calls `<stem>_dtor(rep)` if the program defines it.
    fn export_dtor(&mut self, resource: TypeId, e32: &Export, e64: &Export) -> Result<()> {
        let stem = resource_stem(self.resolve, resource, self.world);
        let want = |e: &Export| e.sig.clone().unwrap_or_default();
        check(
            &format!("{stem}_dtor"),
            &[WasmType::I32],
            &[],
            &want(e32),
            &want(e64),
        )?;
        writeln!(
            self.sec.body,
            "/* Export {}: optional; called with the representation when the host\n * drops the last handle. */\nvoid {stem}_dtor(int32_t rep);\n",
            e32.name
        )
        .unwrap();
        writeln!(
            self.glue,
            "extern void {stem}_dtor(int32_t rep) __attribute__((weak));\n#if __SIZEOF_POINTER__ == 8\n__attribute__((export_name(\"{}\")))\n#else\n__attribute__((export_name(\"{}\")))\n#endif\nvoid __wasit2_export_{stem}_dtor(int32_t rep) {{\n    if ({stem}_dtor)\n        {stem}_dtor(rep);\n}}\n",
            e64.name, e32.name
        )
        .unwrap();
        Ok(())
    }

    /// Whether a value of `ty` holds a list or string (handles do not count).
    pub(super) fn has_list(&self, ty: &Type) -> bool {
        let id = match ty {
            Type::String => return true,
            Type::Id(id) => *id,
            _ => return false,
        };
        match &self.resolve.types[id].kind {
            TypeDefKind::List(_) | TypeDefKind::Map(..) => true,
            TypeDefKind::FixedLengthList(t, _) | TypeDefKind::Option(t) | TypeDefKind::Type(t) => {
                self.has_list(t)
            }
            TypeDefKind::Record(r) => r.fields.iter().any(|f| self.has_list(&f.ty)),
            TypeDefKind::Tuple(t) => t.types.iter().any(|t| self.has_list(t)),
            TypeDefKind::Variant(v) => v.cases.iter().flat_map(|c| &c.ty).any(|t| self.has_list(t)),
            TypeDefKind::Result(r) => r.ok.iter().chain(&r.err).any(|t| self.has_list(t)),
            _ => false,
        }
    }

    /// Statements storing the flat values `vals[*pos..]` (per the Canonical
    /// ABI's `lift_flat`) into the C lvalue `lv` of WIT type `ty`.
    fn lift_flat(
        &mut self,
        ty: &Type,
        vals: &[(String, WasmType)],
        pos: &mut usize,
        lv: &str,
        stmts: &mut String,
        depth: usize,
    ) -> Result<()> {
        let indent = "    ".repeat(depth);
        let next = |pos: &mut usize| -> Result<String> {
            let v = vals
                .get(*pos)
                .ok_or_else(|| unsupported("flat parameters shorter than the type"))?;
            *pos += 1;
            // A pointer-typed slot (an exported resource's rep) read as an
            // integer goes through uintptr_t.
            Ok(match v.1 {
                WasmType::Pointer => format!("(uintptr_t)({})", v.0),
                _ => v.0.clone(),
            })
        };
        match ty {
            Type::Bool => {
                let v = next(pos)?;
                writeln!(stmts, "{indent}{lv} = ({v}) != 0;").unwrap();
            }
            Type::String => {
                let (p, n) = (next(pos)?, next(pos)?);
                writeln!(
                    stmts,
                    "{indent}({lv}).ptr = (uint8_t *)({p});\n{indent}({lv}).len = (size_t)({n});"
                )
                .unwrap();
            }
            Type::ErrorContext => return Err(unsupported("error-context")),
            Type::Id(id) => {
                let resolve = self.resolve;
                match &resolve.types[*id].kind {
                    TypeDefKind::Type(t) => self.lift_flat(t, vals, pos, lv, stmts, depth)?,
                    TypeDefKind::Resource
                    | TypeDefKind::Handle(_)
                    | TypeDefKind::Enum(_)
                    | TypeDefKind::Flags(_) => {
                        let t = self.c_type(ty)?;
                        let v = next(pos)?;
                        writeln!(stmts, "{indent}{lv} = ({t})({v});").unwrap();
                    }
                    TypeDefKind::List(_) => {
                        let (p, n) = (next(pos)?, next(pos)?);
                        writeln!(stmts, "{indent}({lv}).ptr = (void *)({p});\n{indent}({lv}).len = (size_t)({n});").unwrap();
                    }
                    TypeDefKind::Record(r) => {
                        for f in &r.fields {
                            let member = format!("({lv}).{}", snake(&f.name));
                            self.lift_flat(&f.ty, vals, pos, &member, stmts, depth)?;
                        }
                    }
                    TypeDefKind::Tuple(t) => {
                        for (i, t) in t.types.iter().enumerate() {
                            let member = format!("({lv}).f{i}");
                            self.lift_flat(t, vals, pos, &member, stmts, depth)?;
                        }
                    }
                    TypeDefKind::Variant(v) => {
                        let tag = format!("({lv}).tag");
                        let cases: Vec<(Option<Type>, String)> = v
                            .cases
                            .iter()
                            .map(|c| (c.ty, format!("({lv}).val.{}", snake(&c.name))))
                            .collect();
                        let set_tag = format!("{tag} = ({})", int_type(v.tag()));
                        self.lift_variant(ty, &set_tag, &tag, &cases, vals, pos, stmts, depth)?;
                    }
                    TypeDefKind::Option(t) => {
                        let tag = format!("({lv}).is_some");
                        let cases = [(None, String::new()), (Some(*t), format!("({lv}).val"))];
                        let set_tag = format!("{tag} = (bool)");
                        self.lift_variant(ty, &set_tag, &tag, &cases, vals, pos, stmts, depth)?;
                    }
                    TypeDefKind::Result(r) => {
                        let tag = format!("({lv}).is_err");
                        let cases = [
                            (r.ok, format!("({lv}).val.ok")),
                            (r.err, format!("({lv}).val.err")),
                        ];
                        let set_tag = format!("{tag} = (bool)");
                        self.lift_variant(ty, &set_tag, &tag, &cases, vals, pos, stmts, depth)?;
                    }
                    other => return Err(unsupported(other.as_str())),
                }
            }
            _ => {
                let t = self.c_type(ty)?;
                let v = next(pos)?;
                writeln!(stmts, "{indent}{lv} = ({t})({v});").unwrap();
            }
        }
        Ok(())
    }

    /// Lifts a variant-like value: the discriminant, then the case's payload
    /// from the joined slots, converted back to the case's own flat types.
    #[allow(clippy::too_many_arguments)]
    fn lift_variant(
        &mut self,
        ty: &Type,
        set_tag: &str,
        tag: &str,
        cases: &[(Option<Type>, String)],
        vals: &[(String, WasmType)],
        pos: &mut usize,
        stmts: &mut String,
        depth: usize,
    ) -> Result<()> {
        let indent = "    ".repeat(depth);
        let joined = self.flat(ty)?[1..].to_vec();
        let start = *pos;
        let Some(slots) = vals.get(start + 1..start + 1 + joined.len()) else {
            return Err(unsupported("flat parameters shorter than the type"));
        };
        let slots = slots.to_vec();
        *pos = start + 1 + joined.len();
        writeln!(stmts, "{indent}{set_tag}({});", vals[start].0).unwrap();
        if joined.is_empty() {
            return Ok(());
        }
        writeln!(stmts, "{indent}switch ((int32_t)({tag})) {{").unwrap();
        for (i, (case_ty, payload)) in cases.iter().enumerate() {
            let Some(case_ty) = case_ty else { continue };
            let flat = self.flat(case_ty)?;
            let converted: Vec<(String, WasmType)> = flat
                .iter()
                .zip(&slots)
                .map(|(want, (v, from))| (unconvert(v, *from, *want), *want))
                .collect();
            writeln!(stmts, "{indent}case {i}:").unwrap();
            self.lift_flat(case_ty, &converted, &mut 0, payload, stmts, depth + 1)?;
            writeln!(stmts, "{indent}    break;").unwrap();
        }
        writeln!(stmts, "{indent}default:\n{indent}    break;\n{indent}}}").unwrap();
        Ok(())
    }

    /// Statements freeing every list and string `e` (of WIT type `ty`) owns.
    fn free_value(&mut self, ty: &Type, e: &str, stmts: &mut String, depth: usize) -> Result<()> {
        if !self.has_list(ty) {
            return Ok(());
        }
        let indent = "    ".repeat(depth);
        let Type::Id(id) = ty else {
            // A string.
            writeln!(stmts, "{indent}free(({e}).ptr);").unwrap();
            return Ok(());
        };
        let resolve = self.resolve;
        match &resolve.types[*id].kind {
            TypeDefKind::Type(t) => self.free_value(t, e, stmts, depth)?,
            TypeDefKind::List(elem) => {
                if self.has_list(elem) {
                    let i = format!("__i{depth}");
                    writeln!(
                        stmts,
                        "{indent}for (size_t {i} = 0; {i} < ({e}).len; {i}++) {{"
                    )
                    .unwrap();
                    self.free_value(elem, &format!("({e}).ptr[{i}]"), stmts, depth + 1)?;
                    writeln!(stmts, "{indent}}}").unwrap();
                }
                writeln!(stmts, "{indent}free(({e}).ptr);").unwrap();
            }
            TypeDefKind::Record(r) => {
                for f in &r.fields {
                    let m = format!("({e}).{}", snake(&f.name));
                    self.free_value(&f.ty, &m, stmts, depth)?;
                }
            }
            TypeDefKind::Tuple(t) => {
                for (i, t) in t.types.iter().enumerate() {
                    self.free_value(t, &format!("({e}).f{i}"), stmts, depth)?;
                }
            }
            TypeDefKind::Option(t) => {
                writeln!(stmts, "{indent}if (({e}).is_some) {{").unwrap();
                self.free_value(t, &format!("({e}).val"), stmts, depth + 1)?;
                writeln!(stmts, "{indent}}}").unwrap();
            }
            TypeDefKind::Result(r) => {
                writeln!(stmts, "{indent}if (({e}).is_err) {{").unwrap();
                if let Some(t) = &r.err {
                    self.free_value(t, &format!("({e}).val.err"), stmts, depth + 1)?;
                }
                writeln!(stmts, "{indent}}} else {{").unwrap();
                if let Some(t) = &r.ok {
                    self.free_value(t, &format!("({e}).val.ok"), stmts, depth + 1)?;
                }
                writeln!(stmts, "{indent}}}").unwrap();
            }
            TypeDefKind::Variant(v) => {
                writeln!(stmts, "{indent}switch (({e}).tag) {{").unwrap();
                for (i, c) in v.cases.iter().enumerate() {
                    let Some(t) = &c.ty else { continue };
                    if !self.has_list(t) {
                        continue;
                    }
                    writeln!(stmts, "{indent}case {i}:").unwrap();
                    let m = format!("({e}).val.{}", snake(&c.name));
                    self.free_value(t, &m, stmts, depth + 1)?;
                    writeln!(stmts, "{indent}    break;").unwrap();
                }
                writeln!(stmts, "{indent}default:\n{indent}    break;\n{indent}}}").unwrap();
            }
            other => return Err(unsupported(&format!("freeing a {}", other.as_str()))),
        }
        Ok(())
    }
}

/// Checks a generated core signature against the ABI crate's, both arches.
fn check(
    c_name: &str,
    params: &[WasmType],
    results: &[WasmType],
    want32: &CoreSig,
    want64: &CoreSig,
) -> Result<()> {
    for (want, arch) in [(want32, Arch::Wasm32), (want64, Arch::Wasm64)] {
        let ours = CoreSig {
            params: params.iter().map(|t| val_type(*t, arch)).collect(),
            results: results.iter().map(|t| val_type(*t, arch)).collect(),
        };
        if &ours != want {
            return Err(BindgenError::SignatureMismatch(
                c_name.to_string(),
                format!("{}: generated {ours}, ABI {want}", arch.name()),
            ));
        }
    }
    Ok(())
}

/// Converts the joined slot value `v` of core type `from` back to the case's
/// own flat type `to` (the inverse of `super::convert`).
fn unconvert(v: &str, from: WasmType, to: WasmType) -> String {
    use WasmType::*;
    if from == to {
        return v.to_string();
    }
    let int = |v: &str| match from {
        Pointer => format!("(uintptr_t)({v})"),
        _ => format!("({v})"),
    };
    match to {
        F32 => format!("__wasit2_f32_from_bits((int32_t){})", int(v)),
        F64 => format!("__wasit2_f64_from_bits((int64_t){})", int(v)),
        I32 => format!("(int32_t){}", int(v)),
        I64 | PointerOrI64 => format!("(int64_t){}", int(v)),
        Pointer => format!("(void *)(uintptr_t){}", int(v)),
        Length => format!("(size_t){}", int(v)),
    }
}
