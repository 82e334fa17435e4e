//! C text for one architecture: flattening wit-bindgen's C values into the
//! core parameters, lifting results out of the return area, giving every
//! list of a result its own `malloc` block, and the `*_free` walks.
//!
//! wit-bindgen's C structs have the Canonical ABI memory layout (natural
//! alignment, `bool` and discriminants as bytes, `{ptr, len}` lists), so a
//! value the API passes by pointer is read at the ABI crate's offsets, and a
//! result the host stores in the return area is copied out with the ABI
//! size. `_Static_assert`s check the sizes against the header's types.

use wit_parser::{FlagsRepr, Function, Int, Resolve, Type, TypeDefKind};

use wasit2_abi::{Import, Lowering, TooSmall, ValType};

use super::header::Prototype;

/// One flat core value and the C expression that computes it.
#[derive(Clone, Debug)]
struct Flat {
    ty: ValType,
    expr: String,
}

/// Largest arena a read-like call allocates up front; WIT allows the
/// short result the host then returns.
pub const MAX_READ: usize = 1 << 20;
/// First arena size for results of unknown size; the import reports the
/// size it needs when this is too small.
pub const FIRST_GUESS: usize = 1024;
/// First arena size for `incoming-datagram-stream.receive`.
pub const DATAGRAM_GUESS: usize = 65536;
/// The Canonical ABI's limit of flat parameters.
const MAX_FLAT_PARAMS: usize = 16;

/// How wit-bindgen's C API hands back a function's result.
pub enum RetConv {
    Void,
    /// Returned by value (integers, enums, flags, handles).
    Value,
    /// `void f(..., T *ret)`.
    RetPtr(Type),
    /// `bool f(..., T *ret, E *err)`; true means ok.
    Result(Option<Type>, Option<Type>),
    /// `bool f(..., T *ret)`; true means some.
    Option(Type),
}

impl RetConv {
    pub fn out_params(&self) -> usize {
        match self {
            RetConv::Void | RetConv::Value => 0,
            RetConv::RetPtr(_) | RetConv::Option(_) => 1,
            RetConv::Result(ok, err) => ok.is_some() as usize + err.is_some() as usize,
        }
    }
}

pub struct Emit<'a> {
    pub l: &'a Lowering,
    counter: usize,
}

pub type Res<T> = std::result::Result<T, String>;

impl<'a> Emit<'a> {
    pub fn new(l: &'a Lowering) -> Self {
        Emit { l, counter: 0 }
    }

    fn resolve(&self) -> &Resolve {
        &self.l.resolve
    }

    fn ps(&self) -> usize {
        self.l.arch.pointer_size()
    }

    fn ptr_ty(&self) -> ValType {
        if self.ps() == 8 {
            ValType::I64
        } else {
            ValType::I32
        }
    }

    fn fresh(&mut self) -> usize {
        self.counter += 1;
        self.counter
    }

    fn size(&self, ty: &Type) -> usize {
        self.l.size_of(ty)
    }

    fn arch_size(&self, s: wit_parser::ArchitectureSize) -> usize {
        if self.ps() == 8 {
            s.size_wasm64()
        } else {
            s.size_wasm32()
        }
    }

    fn offsets(&self, types: &[Type]) -> Vec<usize> {
        self.l
            .sizes
            .field_offsets(types.iter())
            .into_iter()
            .map(|(o, _)| self.arch_size(o))
            .collect()
    }

    fn payload_offset(&self, tag: Int, cases: &[Option<Type>]) -> usize {
        self.arch_size(
            self.l
                .sizes
                .payload_offset(tag, cases.iter().map(|c| c.as_ref())),
        )
    }

    /// Follows `type a = b` aliases.
    pub fn unalias(&self, ty: &Type) -> Type {
        let mut ty = *ty;
        while let Type::Id(id) = ty {
            match &self.resolve().types[id].kind {
                TypeDefKind::Type(t) => ty = *t,
                _ => break,
            }
        }
        ty
    }

    /// Types wit-bindgen passes and returns by value.
    pub fn by_value(&self, ty: &Type) -> bool {
        match self.unalias(ty) {
            Type::String => false,
            Type::Id(id) => matches!(
                self.resolve().types[id].kind,
                TypeDefKind::Handle(_) | TypeDefKind::Enum(_) | TypeDefKind::Flags(_)
            ),
            _ => true,
        }
    }

    pub fn ret_conv(&self, func: &Function) -> RetConv {
        let Some(ty) = func.result else {
            return RetConv::Void;
        };
        if let Type::Id(id) = self.unalias(&ty) {
            match &self.resolve().types[id].kind {
                TypeDefKind::Result(r) => return RetConv::Result(r.ok, r.err),
                TypeDefKind::Option(t) => return RetConv::Option(*t),
                _ => {}
            }
        }
        if self.by_value(&ty) {
            RetConv::Value
        } else {
            RetConv::RetPtr(ty)
        }
    }

    /// The payload type of an `option` parameter, which wit-bindgen passes
    /// as a nullable pointer.
    pub fn option_payload(&self, ty: &Type) -> Option<Type> {
        match self.unalias(ty) {
            Type::Id(id) => match &self.resolve().types[id].kind {
                TypeDefKind::Option(t) => Some(*t),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn contains_list(&self, ty: &Type) -> bool {
        match self.unalias(ty) {
            Type::String => true,
            Type::Id(id) => match &self.resolve().types[id].kind {
                TypeDefKind::List(_) => true,
                TypeDefKind::Record(r) => r.fields.iter().any(|f| self.contains_list(&f.ty)),
                TypeDefKind::Tuple(t) => t.types.iter().any(|t| self.contains_list(t)),
                TypeDefKind::Variant(v) => v
                    .cases
                    .iter()
                    .any(|c| c.ty.as_ref().is_some_and(|t| self.contains_list(t))),
                TypeDefKind::Option(t) => self.contains_list(t),
                TypeDefKind::Result(r) => r.ok.iter().chain(&r.err).any(|t| self.contains_list(t)),
                _ => false,
            },
            _ => false,
        }
    }

    /// The cases of a variant-like type: tag type and payloads, with the
    /// value that selects each case.
    fn cases(&self, ty: &Type) -> Option<(Int, Vec<Option<Type>>)> {
        let Type::Id(id) = self.unalias(ty) else {
            return None;
        };
        match &self.resolve().types[id].kind {
            TypeDefKind::Variant(v) => Some((v.tag(), v.cases.iter().map(|c| c.ty).collect())),
            TypeDefKind::Option(t) => Some((Int::U8, vec![None, Some(*t)])),
            TypeDefKind::Result(r) => Some((Int::U8, vec![r.ok, r.err])),
            TypeDefKind::Enum(e) => Some((e.tag(), vec![None; e.cases.len()])),
            _ => None,
        }
    }

    fn fields(&self, ty: &Type) -> Option<Vec<Type>> {
        let Type::Id(id) = self.unalias(ty) else {
            return None;
        };
        match &self.resolve().types[id].kind {
            TypeDefKind::Record(r) => Some(r.fields.iter().map(|f| f.ty).collect()),
            TypeDefKind::Tuple(t) => Some(t.types.clone()),
            _ => None,
        }
    }

    fn load_tag(tag: Int, base: &str) -> String {
        match tag {
            Int::U8 => format!("__w2_ld8({base})"),
            Int::U16 => format!("__w2_ld16({base})"),
            Int::U32 => format!("__w2_ld32({base})"),
            Int::U64 => format!("__w2_ld64({base})"),
        }
    }

    /// Flat values of a value of `ty` stored at `base` (a `const uint8_t *`).
    fn flatten_mem(&self, ty: &Type, base: &str) -> Res<Vec<Flat>> {
        let i32f = |e: String| Flat {
            ty: ValType::I32,
            expr: e,
        };
        Ok(match self.unalias(ty) {
            Type::Bool | Type::U8 => vec![i32f(format!("(int32_t)__w2_ld8({base})"))],
            Type::S8 => vec![i32f(format!("(int32_t)(int8_t)__w2_ld8({base})"))],
            Type::U16 => vec![i32f(format!("(int32_t)__w2_ld16({base})"))],
            Type::S16 => vec![i32f(format!("(int32_t)(int16_t)__w2_ld16({base})"))],
            Type::U32 | Type::S32 | Type::Char => {
                vec![i32f(format!("(int32_t)__w2_ld32({base})"))]
            }
            Type::U64 | Type::S64 => vec![Flat {
                ty: ValType::I64,
                expr: format!("(int64_t)__w2_ld64({base})"),
            }],
            Type::F32 => vec![Flat {
                ty: ValType::F32,
                expr: format!("__w2_ldf32({base})"),
            }],
            Type::F64 => vec![Flat {
                ty: ValType::F64,
                expr: format!("__w2_ldf64({base})"),
            }],
            Type::String => self.list_flats(base),
            Type::ErrorContext => return Err("error-context is not supported".into()),
            Type::Id(id) => match &self.resolve().types[id].kind {
                TypeDefKind::List(_) => self.list_flats(base),
                TypeDefKind::Handle(_) => vec![i32f(format!("(int32_t)__w2_ld32({base})"))],
                TypeDefKind::Flags(f) => match f.repr() {
                    FlagsRepr::U8 => vec![i32f(format!("(int32_t)__w2_ld8({base})"))],
                    FlagsRepr::U16 => vec![i32f(format!("(int32_t)__w2_ld16({base})"))],
                    FlagsRepr::U32(n) => (0..n)
                        .map(|i| i32f(format!("(int32_t)__w2_ld32({base} + {})", 4 * i)))
                        .collect(),
                },
                TypeDefKind::Record(_) | TypeDefKind::Tuple(_) => {
                    let fields = self.fields(ty).unwrap();
                    let mut out = Vec::new();
                    for (f, off) in fields.iter().zip(self.offsets(&fields)) {
                        out.extend(self.flatten_mem(f, &at(base, off))?);
                    }
                    out
                }
                TypeDefKind::Variant(_)
                | TypeDefKind::Option(_)
                | TypeDefKind::Result(_)
                | TypeDefKind::Enum(_) => {
                    let (tag, cases) = self.cases(ty).unwrap();
                    let off = self.payload_offset(tag, &cases);
                    let tag_expr = Self::load_tag(tag, base);
                    let payload = at(base, off);
                    let per_case = cases
                        .iter()
                        .map(|c| match c {
                            Some(t) => self.flatten_mem(t, &payload),
                            None => Ok(Vec::new()),
                        })
                        .collect::<Res<Vec<_>>>()?;
                    let mut out = vec![i32f(format!("(int32_t){tag_expr}"))];
                    out.extend(join_cases(&tag_expr, &per_case));
                    out
                }
                other => return Err(format!("type {other:?} is not supported")),
            },
        })
    }

    fn list_flats(&self, base: &str) -> Vec<Flat> {
        vec![
            Flat {
                ty: self.ptr_ty(),
                expr: format!("(intptr_t)__w2_ldptr({base})"),
            },
            Flat {
                ty: self.ptr_ty(),
                expr: format!("(intptr_t)__w2_ldlen({base} + {})", self.ps()),
            },
        ]
    }

    /// Flat values of a parameter wit-bindgen passes by value.
    fn flatten_value(&self, ty: &Type, v: &str) -> Res<Vec<Flat>> {
        let f = |ty, expr| vec![Flat { ty, expr }];
        Ok(match self.unalias(ty) {
            Type::U64 | Type::S64 => f(ValType::I64, format!("(int64_t)({v})")),
            Type::F32 => f(ValType::F32, format!("(float)({v})")),
            Type::F64 => f(ValType::F64, format!("(double)({v})")),
            Type::Id(id) => match &self.resolve().types[id].kind {
                TypeDefKind::Handle(_) => f(ValType::I32, format!("(int32_t)({v}).__handle")),
                TypeDefKind::Flags(fl) if !matches!(fl.repr(), FlagsRepr::U32(n) if n > 1) => {
                    f(ValType::I32, format!("(int32_t)({v})"))
                }
                TypeDefKind::Enum(_) => f(ValType::I32, format!("(int32_t)({v})")),
                other => return Err(format!("type {other:?} cannot be passed by value")),
            },
            _ => f(ValType::I32, format!("(int32_t)({v})")),
        })
    }

    /// Stores the single flat result `r` into `area` as a value of `ty`.
    fn store_single(&self, ty: &Type) -> Res<String> {
        let leaf = self.single_leaf(ty)?;
        Ok(match leaf {
            Type::F32 => "{ float __s = __r; memcpy(__area, &__s, 4); }".into(),
            Type::F64 => "{ double __s = __r; memcpy(__area, &__s, 8); }".into(),
            _ => match self.size(&leaf) {
                1 => "{ uint8_t __s = (uint8_t)__r; memcpy(__area, &__s, 1); }".into(),
                2 => "{ uint16_t __s = (uint16_t)__r; memcpy(__area, &__s, 2); }".into(),
                4 => "{ uint32_t __s = (uint32_t)__r; memcpy(__area, &__s, 4); }".into(),
                8 => "{ uint64_t __s = (uint64_t)__r; memcpy(__area, &__s, 8); }".into(),
                n => return Err(format!("single flat result of {n} bytes")),
            },
        })
    }

    /// The type whose memory holds a single-flat value (through records
    /// and tuples of one field).
    fn single_leaf(&self, ty: &Type) -> Res<Type> {
        let t = self.unalias(ty);
        if let Some(fields) = self.fields(&t) {
            return match fields.as_slice() {
                [one] => self.single_leaf(one),
                _ => Err("record result with one flat value and several fields".into()),
            };
        }
        if let Some((_, cases)) = self.cases(&t) {
            if cases.iter().any(|c| c.is_some()) {
                return Err("variant result with a payload in one flat value".into());
            }
        }
        Ok(t)
    }

    /// Gives every list reachable from the value of `ty` at `base` its own
    /// `malloc` block: the first non-empty list placed at the arena's start
    /// keeps the arena (`__owned`), the others are copied out of it, and
    /// empty lists get a null pointer (the `*_free` functions free only
    /// non-empty lists).
    fn fixup(&mut self, ty: &Type, base: &str, out: &mut String) -> Res<()> {
        if !self.contains_list(ty) {
            return Ok(());
        }
        let t = self.unalias(ty);
        let elem = match t {
            Type::String => Some(Type::U8),
            Type::Id(id) => match &self.resolve().types[id].kind {
                TypeDefKind::List(e) => Some(*e),
                _ => None,
            },
            _ => None,
        };
        if let Some(e) = elem {
            let n = self.fresh();
            let es = self.size(&e);
            let ps = self.ps();
            out.push_str(&format!(
                "{{ uint8_t *__p{n} = __w2_ldptr({base}); size_t __n{n} = __w2_ldlen({base} + {ps});\n\
                 if (__n{n} == 0) {{ __w2_stptr({base}, 0); }} else {{\n\
                 if (!__owned && __p{n} == __arena) {{ __owned = 1; }} else {{\n\
                 uint8_t *__c{n} = malloc(__n{n} * {es}); if (!__c{n}) abort();\n\
                 memcpy(__c{n}, __p{n}, __n{n} * {es}); __p{n} = __c{n}; __w2_stptr({base}, __c{n}); }}\n"
            ));
            if self.contains_list(&e) {
                out.push_str(&format!(
                    "for (size_t __i{n} = 0; __i{n} < __n{n}; __i{n}++) {{\n"
                ));
                self.fixup(&e, &format!("(__p{n} + __i{n} * {es})"), out)?;
                out.push_str("}\n");
            }
            out.push_str("} }\n");
            return Ok(());
        }
        self.walk_parts(&t, base, out, Self::fixup)
    }

    /// Frees every list reachable from the value at `base`, like
    /// wit-bindgen's `*_free`: elements first, then the list's block when
    /// it is not empty; the freed list is left empty.
    fn free_walk(&mut self, ty: &Type, base: &str, out: &mut String) -> Res<()> {
        if !self.contains_list(ty) {
            return Ok(());
        }
        let t = self.unalias(ty);
        let elem = match t {
            Type::String => Some(Type::U8),
            Type::Id(id) => match &self.resolve().types[id].kind {
                TypeDefKind::List(e) => Some(*e),
                _ => None,
            },
            _ => None,
        };
        if let Some(e) = elem {
            let n = self.fresh();
            let es = self.size(&e);
            let ps = self.ps();
            out.push_str(&format!(
                "{{ uint8_t *__p{n} = __w2_ldptr({base}); size_t __n{n} = __w2_ldlen({base} + {ps});\n\
                 if (__n{n} > 0) {{\n"
            ));
            if self.contains_list(&e) {
                out.push_str(&format!(
                    "for (size_t __i{n} = 0; __i{n} < __n{n}; __i{n}++) {{\n"
                ));
                self.free_walk(&e, &format!("(__p{n} + __i{n} * {es})"), out)?;
                out.push_str("}\n");
            }
            out.push_str(&format!(
                "free(__p{n}); }}\n__w2_stptr({base}, 0); __w2_stlen({base} + {ps}, 0); }}\n"
            ));
            return Ok(());
        }
        self.walk_parts(&t, base, out, Self::free_walk)
    }

    /// Applies `f` to the fields of a record/tuple or the active case of a
    /// variant-like value at `base`.
    fn walk_parts(
        &mut self,
        t: &Type,
        base: &str,
        out: &mut String,
        f: fn(&mut Self, &Type, &str, &mut String) -> Res<()>,
    ) -> Res<()> {
        if let Some(fields) = self.fields(t) {
            for (ft, off) in fields.iter().zip(self.offsets(&fields)) {
                f(self, ft, &at(base, off), out)?;
            }
            return Ok(());
        }
        if let Some((tag, cases)) = self.cases(t) {
            let off = self.payload_offset(tag, &cases);
            out.push_str(&format!("switch ({}) {{\n", Self::load_tag(tag, base)));
            for (i, c) in cases.iter().enumerate() {
                if let Some(ct) = c {
                    if self.contains_list(ct) {
                        out.push_str(&format!("case {i}: {{\n"));
                        f(self, ct, &at(base, off), out)?;
                        out.push_str("break; }\n");
                    }
                }
            }
            out.push_str("default: break;\n}\n");
            return Ok(());
        }
        Err("cannot walk this type".into())
    }

    /// The body of a `*_free` function for `ty`; its parameter is `a0`.
    pub fn free_body(&mut self, ty: &Type) -> Res<String> {
        let mut out = String::new();
        if self.contains_list(ty) {
            self.free_walk(ty, "((uint8_t *)(a0))", &mut out)?;
        } else {
            out.push_str("(void)a0;\n");
        }
        Ok(out)
    }

    /// The body of a function of the WIT API over the core import `imp`.
    ///
    /// With `into`, the function is the zero-copy `_into` variant of a
    /// short-read import: its last parameter `buf` (at least `len` bytes)
    /// is the arena, so the bytes land there and nothing is allocated.
    pub fn func_body(
        &mut self,
        imp: &Import,
        sym: &str,
        proto: &Prototype,
        into: bool,
    ) -> Res<String> {
        let func = imp.func().ok_or("not a function")?.clone();
        let mut flats = Vec::new();
        let mut body = String::new();
        for (i, p) in func.params.iter().enumerate() {
            let a = format!("a{i}");
            if self.by_value(&p.ty) {
                flats.extend(self.flatten_value(&p.ty, &a)?);
                continue;
            }
            // Values passed by pointer are read at their ABI offsets.
            body.push_str(&format!("const uint8_t *__{a} = (const uint8_t *){a};\n"));
            let base = format!("__{a}");
            if let Some(t) = self.option_payload(&p.ty) {
                flats.push(Flat {
                    ty: ValType::I32,
                    expr: format!("(int32_t)({base} != 0)"),
                });
                for f in self.flatten_mem(&t, &base)? {
                    flats.push(Flat {
                        ty: f.ty,
                        expr: format!("({base} ? {} : 0)", f.expr),
                    });
                }
            } else {
                flats.extend(self.flatten_mem(&p.ty, &base)?);
            }
        }
        if flats.len() > MAX_FLAT_PARAMS {
            return Err("more than 16 flat parameters (passed in memory) are not supported".into());
        }
        let sig = &imp.sig;
        let has_retptr = imp.buffer.is_some() || (func.result.is_some() && sig.results.is_empty());
        let n_core = sig.params.len()
            - if imp.buffer.is_some() {
                3
            } else {
                has_retptr as usize
            };
        let ours: Vec<ValType> = flats.iter().map(|f| f.ty).collect();
        if ours != sig.params[..n_core] {
            return Err(format!(
                "flattened parameters {ours:?} differ from the ABI crate's {:?}",
                &sig.params[..n_core]
            ));
        }
        let mut args: Vec<String> = flats.into_iter().map(|f| f.expr).collect();
        if let Some(ty) = &func.result {
            let size = self.size(ty).max(1);
            body.push_str(&format!("_Alignas(8) uint8_t __area[{size}];\n"));
        }
        if has_retptr {
            args.push("(intptr_t)__area".into());
        }
        if let (Some(buf), true) = (&imp.buffer, into) {
            let len = short_read_param(&func, &buf.too_small)
                .ok_or("an _into variant needs a short-read import")?;
            let bufp = proto.params.len() - 1;
            body.push_str(&format!(
                "size_t __cap = (a{len}) < SIZE_MAX ? (size_t)(a{len}) : SIZE_MAX;\n\
                 (void){sym}({}, (intptr_t)a{bufp}, (intptr_t)__cap);\n",
                args.join(", ")
            ));
        } else if let Some(buf) = &imp.buffer {
            let first = self.first_capacity(&func, &buf.too_small);
            body.push_str(&format!(
                "size_t __cap = {first};\nuint8_t *__arena = 0;\nfor (;;) {{\n\
                 if (__cap != 0) {{ __arena = malloc(__cap); if (!__arena) abort(); }}\n\
                 size_t __need = (size_t){sym}({}, (intptr_t)__arena, (intptr_t)__cap);\n\
                 if (__need <= __cap) break;\n\
                 free(__arena); __arena = 0; __cap = __need;\n}}\nint __owned = 0;\n",
                args.join(", ")
            ));
            self.fixup(func.result.as_ref().unwrap(), "__area", &mut body)?;
            body.push_str("if (!__owned) free(__arena);\n");
        } else if sig.results.len() == 1 {
            let ty = func
                .result
                .as_ref()
                .ok_or("a flat result without a WIT result")?;
            let ct = c_core(sig.results[0]);
            body.push_str(&format!("{ct} __r = {sym}({});\n", args.join(", ")));
            body.push_str(&self.store_single(ty)?);
            body.push('\n');
        } else {
            body.push_str(&format!("{sym}({});\n", args.join(", ")));
        }
        if proto.noreturn {
            body.push_str("__builtin_unreachable();\n");
            return Ok(body);
        }
        let np = func.params.len();
        let copy_out = |this: &Self, idx: usize, ty: &Type, off: usize| {
            let size = this.size(ty);
            format!(
                "_Static_assert(sizeof(*a{idx}) == {size}, \"layout of {}\");\nmemcpy(a{idx}, __area + {off}, {size});\n",
                proto.name
            )
        };
        match self.ret_conv(&func) {
            RetConv::Void => {}
            RetConv::Value => {
                let size = self.size(func.result.as_ref().unwrap());
                body.push_str(&format!(
                    "{} __v;\n_Static_assert(sizeof(__v) == {size}, \"layout of {}\");\nmemcpy(&__v, __area, {size});\nreturn __v;\n",
                    proto.ret, proto.name
                ));
            }
            RetConv::RetPtr(ty) => body.push_str(&copy_out(self, np, &ty, 0)),
            RetConv::Option(t) => {
                let off = self.payload_offset(Int::U8, &[None, Some(t)]);
                body.push_str("if (__w2_ld8(__area) == 0) return false;\n");
                body.push_str(&copy_out(self, np, &t, off));
                body.push_str("return true;\n");
            }
            RetConv::Result(ok, err) => {
                let off = self.payload_offset(Int::U8, &[ok, err]);
                body.push_str("if (__w2_ld8(__area) == 0) {\n");
                if let Some(t) = ok {
                    body.push_str(&copy_out(self, np, &t, off));
                }
                body.push_str("return true;\n}\n");
                if let Some(t) = err {
                    body.push_str(&copy_out(self, np + ok.is_some() as usize, &t, off));
                }
                body.push_str("return false;\n");
            }
        }
        Ok(body)
    }

    /// The arena size of the first call: the length the caller asked for
    /// (capped) where WIT bounds the result by it, a guess otherwise.
    fn first_capacity(&self, func: &Function, rule: &TooSmall) -> String {
        let len_param = match rule {
            TooSmall::ShortRead { len_param } => Some(len_param.as_str()),
            TooSmall::ReportRequired => Some("len"),
            _ => None,
        };
        let known = len_param.and_then(|name| {
            func.params
                .iter()
                .position(|p| p.name == name && self.unalias(&p.ty) == Type::U64)
        });
        match (known, rule) {
            (Some(i), _) => format!(
                "(a{i}) < WASIP2_COMPAT_MAX_READ ? (size_t)(a{i}) : (size_t)WASIP2_COMPAT_MAX_READ"
            ),
            (None, TooSmall::ShortDatagrams) => DATAGRAM_GUESS.to_string(),
            (None, _) => FIRST_GUESS.to_string(),
        }
    }
}

/// The index of the parameter that bounds a short-read import's result.
pub fn short_read_param(func: &Function, rule: &TooSmall) -> Option<usize> {
    match rule {
        TooSmall::ShortRead { len_param } => func.params.iter().position(|p| &p.name == len_param),
        _ => None,
    }
}

/// `base + off` as a C pointer expression.
fn at(base: &str, off: usize) -> String {
    if off == 0 {
        base.to_string()
    } else {
        format!("({base} + {off})")
    }
}

/// The C type of a core value.
pub fn c_core(t: ValType) -> &'static str {
    match t {
        ValType::I32 => "int32_t",
        ValType::I64 => "int64_t",
        ValType::F32 => "float",
        ValType::F64 => "double",
    }
}

/// The Canonical ABI's `join` of two flat types.
fn join(a: ValType, b: ValType) -> ValType {
    use ValType::*;
    match (a, b) {
        _ if a == b => a,
        (I32, F32) | (F32, I32) => I32,
        _ => I64,
    }
}

/// Converts a case's flat value to the joined slot type.
fn convert(f: &Flat, want: ValType) -> String {
    use ValType::*;
    match (f.ty, want) {
        (a, b) if a == b => f.expr.clone(),
        (F32, I32) => format!("__w2_f32bits({})", f.expr),
        (I32, I64) => format!("(int64_t)(uint32_t)({})", f.expr),
        (F32, I64) => format!("(int64_t)(uint32_t)__w2_f32bits({})", f.expr),
        (F64, I64) => format!("__w2_f64bits({})", f.expr),
        _ => f.expr.clone(),
    }
}

/// The joined payload slots of a variant: slot `j` holds the `j`th flat
/// value of the active case, converted to the join of all cases' types.
fn join_cases(tag: &str, cases: &[Vec<Flat>]) -> Vec<Flat> {
    let slots = cases.iter().map(Vec::len).max().unwrap_or(0);
    (0..slots)
        .map(|j| {
            let want = cases
                .iter()
                .filter_map(|c| c.get(j).map(|f| f.ty))
                .reduce(join)
                .unwrap();
            let mut expr = String::new();
            for (i, c) in cases.iter().enumerate() {
                if let Some(f) = c.get(j) {
                    expr.push_str(&format!("({tag} == {i}) ? ({}) : ", convert(f, want)));
                }
            }
            expr.push('0');
            Flat {
                ty: want,
                expr: format!("({expr})"),
            }
        })
        .collect()
}
