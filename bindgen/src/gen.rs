//! The generator proper: C types with Canonical ABI layout, raw import
//! declarations taken from the ABI crate, and typed wrappers; export glue
//! in `exports.rs`.

mod exports;

use std::collections::HashMap;
use std::fmt::Write;

use wasit2_abi::{Arch, CoreSig, Import, ImportItem, Lowering, ResourceOp, ValType};
use wit_parser::abi::{AbiVariant, FlatTypes, WasmType};
use wit_parser::{
    FlagsRepr, Function, Handle, Int, InterfaceId, Resolve, Type, TypeDefKind, TypeId, TypeOwner,
    WorldId, WorldItem,
};

use crate::names::{
    import_c_name, interface_prefix, owner_prefix, raw_symbol, resource_stem, snake, upper,
    world_prefix,
};
use crate::{BindgenError, Bindings, ExportedFunction, Result};

/// One guarded part of the header: an interface, or the world's own items.
#[derive(Default)]
struct Section {
    body: String,
    asserts32: String,
    asserts64: String,
}

pub(crate) struct Gen<'a> {
    l32: &'a Lowering,
    l64: &'a Lowering,
    resolve: &'a Resolve,
    world: WorldId,
    base: String,
    type_names: HashMap<TypeId, String>,
    /// Definitions of anonymous types by C name, so identical ones are shared
    /// and different ones with the same derived name get distinct names.
    anon_defs: HashMap<String, String>,
    modules: HashMap<(String, String), String>,
    sec: Section,
    sections: String,
    functions: Vec<String>,
    tmp: usize,
    /// Prefix of the section being generated, for owner-less anonymous types.
    cur_prefix: String,
    /// Export glue for the source file.
    glue: String,
    /// The glue allocates or frees (`<stdlib.h>`).
    needs_libc: bool,
    exported: Vec<ExportedFunction>,
}

enum Def {
    /// `typedef struct N { body } N;` plus tag constants.
    Struct(String, Vec<(String, String)>),
    /// `typedef <int> N;` plus constants.
    Int(&'static str, Vec<(String, String)>),
}

impl<'a> Gen<'a> {
    pub fn new(l32: &'a Lowering, l64: &'a Lowering, base: &str) -> Self {
        Gen {
            l32,
            l64,
            resolve: &l32.resolve,
            world: l32.world,
            base: base.to_string(),
            type_names: HashMap::new(),
            anon_defs: HashMap::new(),
            modules: HashMap::new(),
            sec: Section::default(),
            sections: String::new(),
            functions: Vec::new(),
            tmp: 0,
            cur_prefix: String::new(),
            glue: String::new(),
            needs_libc: false,
            exported: Vec::new(),
        }
    }

    pub fn run(mut self) -> Result<Bindings> {
        let resolve = self.resolve;
        let world = &resolve.worlds[self.world];
        let world_prefix = world_prefix(resolve, self.world);
        let mut world_funcs = Vec::new();
        for (_, item) in &world.imports {
            match item {
                WorldItem::Interface { id, .. } => {
                    self.cur_prefix = interface_prefix(resolve, *id);
                    for (_, ty) in &resolve.interfaces[*id].types {
                        self.ensure(*ty)?;
                    }
                    let imports: Vec<usize> = (0..self.l32.imports.len())
                        .filter(|&i| import_interface(&self.l32.imports[i]) == Some(Some(*id)))
                        .collect();
                    for i in imports {
                        self.import(i)?;
                    }
                    self.end_section(&iface_guard(resolve, *id));
                }
                WorldItem::Function(f) => world_funcs.push(f.name.clone()),
                WorldItem::Type { id, .. } => {
                    self.cur_prefix = world_prefix.clone();
                    self.ensure(*id)?;
                }
            }
        }
        // World-level imports: functions and resource drops without interface.
        let world_imports: Vec<usize> = (0..self.l32.imports.len())
            .filter(|&i| import_interface(&self.l32.imports[i]) == Some(None))
            .collect();
        self.cur_prefix = world_prefix.clone();
        for i in world_imports {
            self.import(i)?;
        }
        self.end_section(&format!("__WASIT2_WORLD_{}IMPORTS", upper(&world_prefix)));
        for (_, item) in &world.exports {
            if let WorldItem::Interface { id, .. } = item {
                self.cur_prefix = interface_prefix(resolve, *id);
                for (_, ty) in &resolve.interfaces[*id].types {
                    self.ensure(*ty)?;
                }
                let intrinsics: Vec<usize> = (0..self.l32.imports.len())
                    .filter(|&i| matches!(&self.l32.imports[i].item, ImportItem::ExportedResource { interface, .. } if interface == id))
                    .collect();
                for i in intrinsics {
                    self.import(i)?;
                }
                // `wasi:cli/run` is exported by the libc's crt1 (it calls main).
                if !is_cli_run(resolve, *id) {
                    self.exports_of(Some(*id))?;
                }
                self.end_section(&format!("{}_EXPORT", iface_guard(resolve, *id)));
            }
        }
        self.cur_prefix = world_prefix.clone();
        self.exports_of(None)?;
        self.end_section(&format!("__WASIT2_WORLD_{}EXPORTS", upper(&world_prefix)));
        let _ = world_funcs;
        let carrier = world_carrier(resolve, self.world, &self.l32.world_name)?;
        Ok(self.finish(carrier))
    }

    fn finish(mut self, carrier: Option<String>) -> Bindings {
        let guard = format!("{}_H", self.base.to_ascii_uppercase());
        let mut h = String::new();
        h.push_str(&header_banner(&self.l32.world_name));
        writeln!(h, "#ifndef {guard}\n#define {guard}\n").unwrap();
        h.push_str(COMMON);
        h.push_str(&self.sections);
        writeln!(h, "#ifdef __cplusplus\n}}\n#endif\n\n#endif /* {guard} */").unwrap();
        let mut source = format!(
            "/* Generated by `wasit2 bindgen` for `{}`. Do not edit. */\n\n\
             /* Every import binding is `static inline` in the header; this file\n\
             \x20* checks that the header compiles on its own, holds the export glue\n\
             \x20* and carries the world for wasit-ld. */\n\
             #include \"{}.h\"\n",
            self.l32.world_name, self.base
        );
        let mut glue = String::new();
        if !self.glue.is_empty() {
            let exports = std::mem::take(&mut self.glue);
            self.params_alloc_glue();
            if self.needs_libc {
                glue.push_str("#include <stdlib.h>\n\n");
            }
            glue.push_str(GLUE_HELPERS);
            glue.push_str(&self.glue);
            glue.push_str(&exports);
        }
        if !glue.is_empty() {
            source.push('\n');
            source.push_str(&glue);
        }
        if let Some(c) = carrier {
            source.push('\n');
            source.push_str(&c);
        }
        Bindings {
            header_name: format!("{}.h", self.base),
            source_name: format!("{}.c", self.base),
            header: h,
            source,
            functions: self.functions,
            exports: self.exported,
        }
    }

    fn end_section(&mut self, guard: &str) {
        let sec = std::mem::take(&mut self.sec);
        if sec.body.is_empty() {
            return;
        }
        let s = &mut self.sections;
        writeln!(s, "#ifndef {guard}\n#define {guard}\n").unwrap();
        s.push_str(&sec.body);
        if !sec.asserts32.is_empty() {
            writeln!(s, "/* Canonical ABI layouts, from the wasit2 ABI crate. */").unwrap();
            writeln!(s, "#if __SIZEOF_POINTER__ == 8").unwrap();
            s.push_str(&sec.asserts64);
            writeln!(s, "#else").unwrap();
            s.push_str(&sec.asserts32);
            writeln!(s, "#endif").unwrap();
        }
        writeln!(s, "\n#endif /* {guard} */\n").unwrap();
    }

    // ---- types -------------------------------------------------------------

    /// The C type of a WIT type as a value.
    fn c_type(&mut self, ty: &Type) -> Result<String> {
        Ok(match ty {
            Type::Bool => "bool".into(),
            Type::U8 => "uint8_t".into(),
            Type::U16 => "uint16_t".into(),
            Type::U32 => "uint32_t".into(),
            Type::U64 => "uint64_t".into(),
            Type::S8 => "int8_t".into(),
            Type::S16 => "int16_t".into(),
            Type::S32 => "int32_t".into(),
            Type::S64 => "int64_t".into(),
            Type::F32 => "float".into(),
            Type::F64 => "double".into(),
            Type::Char => "uint32_t".into(),
            Type::String => "wasit2_string_t".into(),
            Type::ErrorContext => return Err(unsupported("error-context")),
            Type::Id(id) => self.ensure(*id)?,
        })
    }

    /// Prefix of a type's C name: its interface or world; anonymous types
    /// in function signatures have no owner and take the section's prefix.
    fn prefix_of(&self, id: TypeId) -> String {
        match self.resolve.types[id].owner {
            TypeOwner::None => self.cur_prefix.clone(),
            owner => owner_prefix(self.resolve, owner, self.world),
        }
    }

    /// Name of the handle typedef of resource (or resource alias) `r`.
    fn handle_name(&self, r: TypeId, borrow: bool) -> String {
        let def = &self.resolve.types[r];
        let name = snake(def.name.as_deref().unwrap_or("resource"));
        format!(
            "{}{}{name}_t",
            self.prefix_of(r),
            if borrow { "borrow_" } else { "" }
        )
    }

    fn is_resource(&self, ty: &Type) -> bool {
        match ty {
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Resource => true,
                TypeDefKind::Type(t) => self.is_resource(t),
                _ => false,
            },
            _ => false,
        }
    }

    /// Emits the definition of `id` (after its dependencies) once and
    /// returns its C name.
    fn ensure(&mut self, id: TypeId) -> Result<String> {
        if let Some(n) = self.type_names.get(&id) {
            return Ok(n.clone());
        }
        let resolve = self.resolve;
        let def = &resolve.types[id];
        let prefix = self.prefix_of(id);
        let named = def.name.as_ref().map(|n| format!("{prefix}{}_t", snake(n)));
        let name = match &def.kind {
            TypeDefKind::Resource => {
                let own = self.handle_name(id, false);
                let borrow = self.handle_name(id, true);
                writeln!(
                    self.sec.body,
                    "/* resource {}: owned and borrowed handles */\ntypedef int32_t {own};\ntypedef int32_t {borrow};\n",
                    def.name.as_deref().unwrap_or("")
                )
                .unwrap();
                own
            }
            TypeDefKind::Handle(Handle::Own(r)) => {
                self.ensure(*r)?;
                self.handle_name(*r, false)
            }
            TypeDefKind::Handle(Handle::Borrow(r)) => {
                self.ensure(*r)?;
                self.handle_name(*r, true)
            }
            TypeDefKind::Type(t) => {
                let target = self.c_type(t)?;
                match named {
                    None => target,
                    Some(n) => {
                        writeln!(self.sec.body, "typedef {target} {n};").unwrap();
                        if self.is_resource(t) {
                            let Type::Id(tid) = t else { unreachable!() };
                            let target_borrow = self.borrow_of(*tid);
                            let b = self.handle_name(id, true);
                            writeln!(self.sec.body, "typedef {target_borrow} {b};").unwrap();
                        }
                        self.sec.body.push('\n');
                        n
                    }
                }
            }
            _ => {
                let d = self.definition(id)?;
                let mut n = match named {
                    Some(n) => n,
                    None => format!("{prefix}{}_t", self.anon_name(&Type::Id(id))?),
                };
                let text = match &d {
                    Def::Struct(body, _) => body.clone(),
                    Def::Int(t, _) => t.to_string(),
                };
                if def.name.is_none() {
                    // Anonymous types: one C type per distinct definition.
                    let mut k = 2;
                    let stem = n.trim_end_matches("_t").to_string();
                    loop {
                        match self.anon_defs.get(&n) {
                            Some(existing) if *existing == text => {
                                self.type_names.insert(id, n.clone());
                                return Ok(n);
                            }
                            Some(_) => {
                                n = format!("{stem}{k}_t");
                                k += 1;
                            }
                            None => break,
                        }
                    }
                    self.anon_defs.insert(n.clone(), text);
                }
                self.emit_def(id, &n, d)?;
                n
            }
        };
        self.type_names.insert(id, name.clone());
        Ok(name)
    }

    fn borrow_of(&mut self, id: TypeId) -> String {
        match &self.resolve.types[id].kind {
            TypeDefKind::Resource => self.handle_name(id, true),
            _ => self.handle_name(id, true),
        }
    }

    fn emit_def(&mut self, id: TypeId, n: &str, d: Def) -> Result<()> {
        let resolve = self.resolve;
        let def = &resolve.types[id];
        if let Some(wit_name) = &def.name {
            writeln!(self.sec.body, "/* {} {wit_name} */", def.kind.as_str()).unwrap();
        }
        match d {
            Def::Struct(body, consts) => {
                writeln!(self.sec.body, "typedef struct {n} {{\n{body}}} {n};").unwrap();
                let stem = upper(n.trim_end_matches("_t"));
                for (c, v) in consts {
                    writeln!(self.sec.body, "#define {stem}_{} {v}", upper(&snake(&c))).unwrap();
                }
                self.sec.body.push('\n');
            }
            Def::Int(int, consts) => {
                writeln!(self.sec.body, "typedef {int} {n};").unwrap();
                let stem = upper(n.trim_end_matches("_t"));
                for (c, v) in consts {
                    writeln!(self.sec.body, "#define {stem}_{} {v}", upper(&snake(&c))).unwrap();
                }
                self.sec.body.push('\n');
            }
        }
        self.layout_asserts(id, n);
        Ok(())
    }

    /// `_Static_assert`s that the C layout equals the ABI crate's numbers.
    fn layout_asserts(&mut self, id: TypeId, n: &str) {
        let ty = Type::Id(id);
        let def = &self.resolve.types[id];
        for (l, out) in [
            (self.l32, &mut self.sec.asserts32),
            (self.l64, &mut self.sec.asserts64),
        ] {
            let arch_size = |s: wit_parser::ArchitectureSize| match l.arch {
                Arch::Wasm32 => s.size_wasm32(),
                Arch::Wasm64 => s.size_wasm64(),
            };
            writeln!(
                out,
                "__WASIT2_LAYOUT({n}, {}, {});",
                l.size_of(&ty),
                l.align_of(&ty)
            )
            .unwrap();
            let mut offset = |member: &str, at: usize| {
                writeln!(out, "__WASIT2_OFFSET({n}, {member}, {at});").unwrap();
            };
            match &def.kind {
                TypeDefKind::Record(r) => {
                    for ((o, _), f) in l
                        .sizes
                        .field_offsets(r.fields.iter().map(|f| &f.ty))
                        .into_iter()
                        .zip(&r.fields)
                    {
                        offset(&snake(&f.name), arch_size(o));
                    }
                }
                TypeDefKind::Tuple(t) => {
                    for (i, (o, _)) in l
                        .sizes
                        .field_offsets(t.types.iter())
                        .into_iter()
                        .enumerate()
                    {
                        offset(&format!("f{i}"), arch_size(o));
                    }
                }
                TypeDefKind::List(_) => {
                    let o = l.sizes.field_offsets([&Type::U32, &Type::U32]);
                    let _ = o;
                    offset("len", l.arch.pointer_size());
                }
                TypeDefKind::Variant(v) if v.cases.iter().any(|c| c.ty.is_some()) => {
                    let p = l
                        .sizes
                        .payload_offset(v.tag(), v.cases.iter().map(|c| c.ty.as_ref()));
                    offset("val", arch_size(p));
                }
                TypeDefKind::Option(t) => {
                    let p = l.sizes.payload_offset(Int::U8, [None, Some(t)]);
                    offset("val", arch_size(p));
                }
                TypeDefKind::Result(r) if r.ok.is_some() || r.err.is_some() => {
                    let p = l
                        .sizes
                        .payload_offset(Int::U8, [r.ok.as_ref(), r.err.as_ref()]);
                    offset("val", arch_size(p));
                }
                _ => {}
            }
        }
    }

    fn definition(&mut self, id: TypeId) -> Result<Def> {
        let resolve = self.resolve;
        let def = &resolve.types[id];
        let mut body = String::new();
        Ok(match &def.kind {
            TypeDefKind::Record(r) => {
                if r.fields.is_empty() {
                    return Err(unsupported("empty record"));
                }
                for f in &r.fields {
                    let t = self.c_type(&f.ty)?;
                    writeln!(body, "    {t} {};", snake(&f.name)).unwrap();
                }
                Def::Struct(body, Vec::new())
            }
            TypeDefKind::Tuple(t) => {
                if t.types.is_empty() {
                    return Err(unsupported("empty tuple"));
                }
                for (i, ty) in t.types.iter().enumerate() {
                    let t = self.c_type(ty)?;
                    writeln!(body, "    {t} f{i};").unwrap();
                }
                Def::Struct(body, Vec::new())
            }
            TypeDefKind::Flags(f) => {
                let int = match f.repr() {
                    FlagsRepr::U8 => "uint8_t",
                    FlagsRepr::U16 => "uint16_t",
                    FlagsRepr::U32(1) => "uint32_t",
                    FlagsRepr::U32(_) => {
                        return Err(unsupported("flags with more than 32 members"))
                    }
                };
                let consts = f
                    .flags
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.name.clone(), format!("(1U << {i})")))
                    .collect();
                Def::Int(int, consts)
            }
            TypeDefKind::Enum(e) => {
                let consts = e
                    .cases
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.name.clone(), i.to_string()))
                    .collect();
                Def::Int(int_type(e.tag()), consts)
            }
            TypeDefKind::Variant(v) => {
                writeln!(body, "    {} tag;", int_type(v.tag())).unwrap();
                let mut members = String::new();
                for c in &v.cases {
                    if let Some(ty) = &c.ty {
                        let t = self.c_type(ty)?;
                        writeln!(members, "        {t} {};", snake(&c.name)).unwrap();
                    }
                }
                if !members.is_empty() {
                    writeln!(body, "    union {{\n{members}    }} val;").unwrap();
                }
                let consts = v
                    .cases
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.name.clone(), i.to_string()))
                    .collect();
                Def::Struct(body, consts)
            }
            TypeDefKind::Option(t) => {
                let t = self.c_type(t)?;
                writeln!(body, "    bool is_some;\n    {t} val;").unwrap();
                Def::Struct(body, Vec::new())
            }
            TypeDefKind::Result(r) => {
                writeln!(body, "    bool is_err;").unwrap();
                let mut members = String::new();
                if let Some(ok) = &r.ok {
                    writeln!(members, "        {} ok;", self.c_type(ok)?).unwrap();
                }
                if let Some(err) = &r.err {
                    writeln!(members, "        {} err;", self.c_type(err)?).unwrap();
                }
                if !members.is_empty() {
                    writeln!(body, "    union {{\n{members}    }} val;").unwrap();
                }
                Def::Struct(body, Vec::new())
            }
            TypeDefKind::List(t) => {
                let t = self.c_type(t)?;
                writeln!(body, "    {t} *ptr;\n    size_t len;").unwrap();
                Def::Struct(body, Vec::new())
            }
            other => return Err(unsupported(other.as_str())),
        })
    }

    /// Derived name of an anonymous type, e.g. `result_list_u8_stream_error`.
    fn anon_name(&self, ty: &Type) -> Result<String> {
        if *ty == Type::ErrorContext {
            return Err(unsupported("error-context"));
        }
        if let Some(name) = wasit2_abi::primitive_name(ty) {
            return Ok(name.into());
        }
        Ok(match ty {
            Type::Id(id) => {
                let def = &self.resolve.types[*id];
                if let Some(n) = &def.name {
                    return Ok(snake(n));
                }
                let opt = |t: &Option<Type>| match t {
                    Some(t) => self.anon_name(t),
                    None => Ok("void".to_string()),
                };
                match &def.kind {
                    TypeDefKind::List(t) => format!("list_{}", self.anon_name(t)?),
                    TypeDefKind::Option(t) => format!("option_{}", self.anon_name(t)?),
                    TypeDefKind::Result(r) => format!("result_{}_{}", opt(&r.ok)?, opt(&r.err)?),
                    TypeDefKind::Tuple(t) => {
                        let parts = t
                            .types
                            .iter()
                            .map(|t| self.anon_name(t))
                            .collect::<Result<Vec<_>>>()?;
                        format!("tuple{}_{}", parts.len(), parts.join("_"))
                    }
                    TypeDefKind::Handle(Handle::Own(r)) => self.anon_name(&Type::Id(*r))?,
                    TypeDefKind::Handle(Handle::Borrow(r)) => {
                        format!("borrow_{}", self.anon_name(&Type::Id(*r))?)
                    }
                    TypeDefKind::Type(t) => self.anon_name(t)?,
                    other => return Err(unsupported(&format!("anonymous {}", other.as_str()))),
                }
            }
            _ => unreachable!("primitive types are named above"),
        })
    }

    // ---- imports -----------------------------------------------------------

    /// Macro holding the import module of this import for both arches.
    fn module_macro(&mut self, m32: &str, m64: &str) -> String {
        let key = (m32.to_string(), m64.to_string());
        if let Some(m) = self.modules.get(&key) {
            return m.clone();
        }
        // Named after the wasm32 module so it is the same in every header that
        // imports the interface; the value is the exact ABI string per arch.
        let ident: String = m32
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let name = format!("__WASIT2_MODULE_{ident}");
        writeln!(
            self.sec.body,
            "#ifndef {name}\n#if __SIZEOF_POINTER__ == 8\n#define {name} \"{m64}\"\n#else\n#define {name} \"{m32}\"\n#endif\n#endif\n"
        )
        .unwrap();
        self.modules.insert(key, name.clone());
        name
    }

    fn import(&mut self, index: usize) -> Result<()> {
        let (i32_, i64_) = (&self.l32.imports[index], &self.l64.imports[index]);
        if i32_.field != i64_.field || i32_.interface_name != i64_.interface_name {
            return Err(BindgenError::MismatchedLowerings(format!(
                "import {index}: `{}` vs `{}`",
                i32_.display_name(),
                i64_.display_name()
            )));
        }
        let module = self.module_macro(&i32_.module, &i64_.module);
        let attr = format!(
            "__attribute__((import_module({module}), import_name(\"{}\")))",
            i32_.field
        );
        match &i32_.item {
            ImportItem::Func { func, .. } => self.import_func(i32_, i64_, &attr, func),
            ImportItem::ResourceDrop { resource, .. } => {
                let own = self.ensure(*resource)?;
                let c_name = import_c_name(self.resolve, self.world, i32_);
                let decl = vec![WasmType::I32];
                self.check_sig(&c_name, &decl, &[], i32_, i64_)?;
                let raw = raw_symbol(&c_name);
                writeln!(
                    self.sec.body,
                    "{attr}\nvoid {raw}(int32_t);\nstatic inline void {c_name}({own} self) {{\n    {raw}(self);\n}}\n"
                )
                .unwrap();
                self.functions.push(c_name);
                Ok(())
            }
            ImportItem::ExportedResource { resource, op, .. } => {
                let own = self.ensure(*resource)?;
                let stem = resource_stem(self.resolve, *resource, self.world);
                let raw_base = raw_symbol(&stem);
                let (c_name, text) = match op {
                    ResourceOp::New => {
                        let c = format!("{stem}_new");
                        let t = format!("{attr}\nint32_t {raw_base}_new(int32_t);\nstatic inline {own} {c}(int32_t rep) {{\n    return ({own}){raw_base}_new(rep);\n}}\n");
                        (c, t)
                    }
                    ResourceOp::Rep => {
                        let c = format!("{stem}_rep");
                        let t = format!("{attr}\nint32_t {raw_base}_rep(int32_t);\nstatic inline int32_t {c}({own} self) {{\n    return {raw_base}_rep(self);\n}}\n");
                        (c, t)
                    }
                    ResourceOp::Drop => {
                        let c = format!("{stem}_drop");
                        let t = format!("{attr}\nvoid {raw_base}_drop(int32_t);\nstatic inline void {c}({own} self) {{\n    {raw_base}_drop(self);\n}}\n");
                        (c, t)
                    }
                };
                self.sec.body.push_str(&text);
                self.sec.body.push('\n');
                self.functions.push(c_name);
                Ok(())
            }
        }
    }

    /// Checks the C declaration's core types against the ABI crate's
    /// signature on both arches.
    fn check_sig(
        &self,
        c_name: &str,
        params: &[WasmType],
        results: &[WasmType],
        i32_: &Import,
        i64_: &Import,
    ) -> Result<()> {
        for (imp, arch) in [(i32_, Arch::Wasm32), (i64_, Arch::Wasm64)] {
            let ours = CoreSig {
                params: params.iter().map(|t| val_type(*t, arch)).collect(),
                results: results.iter().map(|t| val_type(*t, arch)).collect(),
            };
            if ours != imp.sig {
                return Err(BindgenError::SignatureMismatch(
                    c_name.to_string(),
                    format!("{}: generated {ours}, ABI {}", arch.name(), imp.sig),
                ));
            }
        }
        Ok(())
    }

    fn import_func(
        &mut self,
        i32_: &Import,
        i64_: &Import,
        attr: &str,
        func: &Function,
    ) -> Result<()> {
        let resolve = self.resolve;
        // Temporaries are numbered per function so the output stays stable.
        self.tmp = 0;
        let c_name = import_c_name(resolve, self.world, i32_);
        let raw = raw_symbol(&c_name);
        let ws = resolve.wasm_signature(AbiVariant::GuestImport, func);
        let buffer = i32_.buffer.clone();
        if buffer.is_some() != i64_.buffer.is_some() {
            return Err(BindgenError::MismatchedLowerings(i32_.display_name()));
        }

        // Core declaration: the standard lowering, plus the arena for
        // caller-supplied-buffer imports at the indices the ABI crate gives.
        let mut decl_params = ws.params.clone();
        let mut decl_results = ws.results.clone();
        if let Some(b) = &buffer {
            let n = i32_.sig.params.len();
            decl_params.resize(n, WasmType::I32);
            decl_params[b.retptr] = WasmType::Pointer;
            decl_params[b.arena_ptr] = WasmType::Pointer;
            decl_params[b.arena_len] = WasmType::Length;
            decl_results = vec![WasmType::Length];
            if b.retptr + 1 != ws.params.len() || !ws.retptr {
                return Err(BindgenError::SignatureMismatch(
                    c_name,
                    "return pointer position".into(),
                ));
            }
        }
        self.check_sig(&c_name, &decl_params, &decl_results, i32_, i64_)?;

        // Typed wrapper parameters.
        let mut params = Vec::new();
        let mut stmts = String::new();
        let mut vals: Vec<(String, WasmType)> = Vec::new();
        let mut param_exprs = Vec::new();
        for p in &func.params {
            let name = snake(&p.name);
            let t = self.c_type(&p.ty)?;
            if self.by_pointer(&p.ty) {
                params.push(format!("const {t} *{name}"));
                param_exprs.push((p.ty, format!("(*{name})"), t));
            } else {
                params.push(format!("{t} {name}"));
                param_exprs.push((p.ty, name, t));
            }
        }
        if ws.indirect_params {
            // Too many flat values: the parameters are stored as a record in
            // memory, which is exactly a C struct of them in order.
            let mut fields = String::new();
            let mut inits = Vec::new();
            for (i, (_, e, t)) in param_exprs.iter().enumerate() {
                write!(fields, " {t} p{i};").unwrap();
                inits.push(e.clone());
            }
            writeln!(
                stmts,
                "    struct {{{fields} }} __params = {{ {} }};",
                inits.join(", ")
            )
            .unwrap();
            vals.push(("&__params".into(), WasmType::Pointer));
        } else {
            for (ty, e, _) in &param_exprs {
                self.lower(ty, e, &mut stmts, &mut vals, 1)?;
            }
        }
        let mut ret_type = "void".to_string();
        let mut lift_result = None;
        if ws.retptr {
            let rt = self.c_type(func.result.as_ref().expect("retptr implies a result"))?;
            params.push(format!("{rt} *ret"));
            vals.push(("ret".into(), WasmType::Pointer));
        } else if let Some(r) = &func.result {
            ret_type = self.c_type(r)?;
            lift_result = Some(*r);
        }
        if buffer.is_some() {
            params.push("void *arena".into());
            params.push("size_t arena_len".into());
            vals.push(("arena".into(), WasmType::Pointer));
            vals.push(("arena_len".into(), WasmType::Length));
            ret_type = "size_t".into();
        }
        let val_types: Vec<WasmType> = vals.iter().map(|(_, t)| *t).collect();
        if val_types != decl_params {
            return Err(BindgenError::SignatureMismatch(
                c_name,
                format!("wrapper lowers to {val_types:?}, declaration is {decl_params:?}"),
            ));
        }

        let decl_ret = match decl_results.as_slice() {
            [] => "void",
            [t] => c_wasm_type(*t),
            _ => return Err(unsupported("multiple core results")),
        };
        let decl_args: Vec<&str> = decl_params.iter().map(|t| c_wasm_type(*t)).collect();
        let decl_args = if decl_args.is_empty() {
            "void".to_string()
        } else {
            decl_args.join(", ")
        };
        let call = format!(
            "{raw}({})",
            vals.iter()
                .map(|(v, _)| v.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let ret_stmt = if buffer.is_some() {
            format!("    return {call};\n")
        } else if let Some(r) = lift_result {
            format!("    return {};\n", self.lift(&r, &call)?)
        } else {
            format!("    {call};\n")
        };
        let params = if params.is_empty() {
            "void".to_string()
        } else {
            params.join(", ")
        };
        let since = match &i32_.since {
            Some(v) => format!(" @since {v}"),
            None => String::new(),
        };
        let buffer_note = match &buffer {
            Some(b) => format!(
                "\n * Caller-supplied buffer: `arena` aligned to {} (wasm32) / {} (wasm64); returns the bytes the result needs.\n * Too small: {}",
                b.arena_align,
                i64_.buffer.as_ref().map_or(0, |b| b.arena_align),
                b.too_small.describe()
            ),
            None => String::new(),
        };
        writeln!(
            self.sec.body,
            "/* {}{since}{buffer_note} */\n{attr}\n{decl_ret} {raw}({decl_args});\nstatic inline {ret_type} {c_name}({params}) {{\n{stmts}{ret_stmt}}}\n",
            i32_.display_name()
        )
        .unwrap();
        self.functions.push(c_name);
        Ok(())
    }

    /// Compound values other than strings and lists are passed by pointer.
    fn by_pointer(&self, ty: &Type) -> bool {
        let Type::Id(id) = ty else { return false };
        match &self.resolve.types[*id].kind {
            TypeDefKind::Record(_)
            | TypeDefKind::Tuple(_)
            | TypeDefKind::Variant(_)
            | TypeDefKind::Option(_)
            | TypeDefKind::Result(_) => true,
            TypeDefKind::Type(t) => self.by_pointer(t),
            _ => false,
        }
    }

    fn flat(&self, ty: &Type) -> Result<Vec<WasmType>> {
        let mut storage = [WasmType::I32; 1024];
        let mut flat = FlatTypes::new(&mut storage);
        if !self.resolve.push_flat(ty, &mut flat) {
            return Err(unsupported("type too large to flatten"));
        }
        Ok(flat.to_vec())
    }

    /// Appends C expressions for the flat core values of `expr` (a C lvalue
    /// of WIT type `ty`) per the Canonical ABI's `lower_flat`. Statements
    /// needed first (variant joins) go to `stmts`.
    fn lower(
        &mut self,
        ty: &Type,
        expr: &str,
        stmts: &mut String,
        vals: &mut Vec<(String, WasmType)>,
        depth: usize,
    ) -> Result<()> {
        let push = |vals: &mut Vec<(String, WasmType)>, cast: &str, t: WasmType| {
            vals.push((format!("({cast})({expr})"), t))
        };
        match ty {
            Type::Bool
            | Type::U8
            | Type::U16
            | Type::U32
            | Type::S8
            | Type::S16
            | Type::S32
            | Type::Char => push(vals, "int32_t", WasmType::I32),
            Type::U64 | Type::S64 => push(vals, "int64_t", WasmType::I64),
            Type::F32 => push(vals, "float", WasmType::F32),
            Type::F64 => push(vals, "double", WasmType::F64),
            Type::String => {
                vals.push((format!("(void *)({expr}).ptr"), WasmType::Pointer));
                vals.push((format!("({expr}).len"), WasmType::Length));
            }
            Type::ErrorContext => return Err(unsupported("error-context")),
            Type::Id(id) => {
                let resolve = self.resolve;
                match &resolve.types[*id].kind {
                    TypeDefKind::Type(t) => self.lower(t, expr, stmts, vals, depth)?,
                    TypeDefKind::Resource
                    | TypeDefKind::Handle(_)
                    | TypeDefKind::Enum(_)
                    | TypeDefKind::Flags(_) => push(vals, "int32_t", WasmType::I32),
                    TypeDefKind::Record(r) => {
                        for f in &r.fields {
                            self.lower(
                                &f.ty,
                                &format!("({expr}).{}", snake(&f.name)),
                                stmts,
                                vals,
                                depth,
                            )?;
                        }
                    }
                    TypeDefKind::Tuple(t) => {
                        for (i, t) in t.types.iter().enumerate() {
                            self.lower(t, &format!("({expr}).f{i}"), stmts, vals, depth)?;
                        }
                    }
                    TypeDefKind::List(_) => {
                        vals.push((format!("(void *)({expr}).ptr"), WasmType::Pointer));
                        vals.push((format!("({expr}).len"), WasmType::Length));
                    }
                    TypeDefKind::Variant(v) => {
                        let cases: Vec<(Option<Type>, String)> = v
                            .cases
                            .iter()
                            .map(|c| (c.ty, format!("({expr}).val.{}", snake(&c.name))))
                            .collect();
                        self.lower_variant(
                            ty,
                            &format!("({expr}).tag"),
                            &cases,
                            stmts,
                            vals,
                            depth,
                        )?;
                    }
                    TypeDefKind::Option(t) => {
                        let cases = [(None, String::new()), (Some(*t), format!("({expr}).val"))];
                        self.lower_variant(
                            ty,
                            &format!("({expr}).is_some"),
                            &cases,
                            stmts,
                            vals,
                            depth,
                        )?;
                    }
                    TypeDefKind::Result(r) => {
                        let cases = [
                            (r.ok, format!("({expr}).val.ok")),
                            (r.err, format!("({expr}).val.err")),
                        ];
                        self.lower_variant(
                            ty,
                            &format!("({expr}).is_err"),
                            &cases,
                            stmts,
                            vals,
                            depth,
                        )?;
                    }
                    other => return Err(unsupported(other.as_str())),
                }
            }
        }
        Ok(())
    }

    /// Lowers a variant-like value: the discriminant, then the payload slots
    /// joined over all cases, filled by a `switch` on the tag.
    fn lower_variant(
        &mut self,
        ty: &Type,
        tag: &str,
        cases: &[(Option<Type>, String)],
        stmts: &mut String,
        vals: &mut Vec<(String, WasmType)>,
        depth: usize,
    ) -> Result<()> {
        let flat = self.flat(ty)?;
        let joined = &flat[1..];
        vals.push((format!("(int32_t)({tag})"), WasmType::I32));
        if joined.is_empty() {
            return Ok(());
        }
        let indent = "    ".repeat(depth);
        let mut slots = Vec::new();
        for t in joined {
            self.tmp += 1;
            let slot = format!("__v{}", self.tmp);
            writeln!(stmts, "{indent}{} {slot} = 0;", c_wasm_type(*t)).unwrap();
            slots.push(slot);
        }
        writeln!(stmts, "{indent}switch ((int32_t)({tag})) {{").unwrap();
        for (i, (case_ty, payload)) in cases.iter().enumerate() {
            let Some(case_ty) = case_ty else { continue };
            writeln!(stmts, "{indent}case {i}: {{").unwrap();
            let mut inner = Vec::new();
            self.lower(case_ty, payload, stmts, &mut inner, depth + 1)?;
            for (k, (v, from)) in inner.into_iter().enumerate() {
                writeln!(
                    stmts,
                    "{indent}    {} = {};",
                    slots[k],
                    convert(&v, from, joined[k])
                )
                .unwrap();
            }
            writeln!(stmts, "{indent}    break;\n{indent}}}").unwrap();
        }
        writeln!(stmts, "{indent}default:\n{indent}    break;\n{indent}}}").unwrap();
        vals.extend(slots.into_iter().zip(joined.iter().copied()));
        Ok(())
    }

    /// C expression of WIT type `ty` from its single flat core value `v`.
    fn lift(&mut self, ty: &Type, v: &str) -> Result<String> {
        Ok(match ty {
            Type::Bool => format!("(({v}) != 0)"),
            Type::Id(id) => {
                let resolve = self.resolve;
                let t = self.c_type(ty)?;
                match &resolve.types[*id].kind {
                    TypeDefKind::Type(inner) => {
                        let e = self.lift(inner, v)?;
                        format!("({t})({e})")
                    }
                    TypeDefKind::Resource
                    | TypeDefKind::Handle(_)
                    | TypeDefKind::Enum(_)
                    | TypeDefKind::Flags(_) => {
                        format!("({t})({v})")
                    }
                    TypeDefKind::Record(r) if r.fields.len() == 1 => {
                        let f = &r.fields[0];
                        format!("({t}){{ .{} = {} }}", snake(&f.name), self.lift(&f.ty, v)?)
                    }
                    TypeDefKind::Tuple(tu) if tu.types.len() == 1 => {
                        format!("({t}){{ .f0 = {} }}", self.lift(&tu.types[0], v)?)
                    }
                    TypeDefKind::Variant(var) if var.cases.iter().all(|c| c.ty.is_none()) => {
                        format!("({t}){{ .tag = ({})({v}) }}", int_type(var.tag()))
                    }
                    TypeDefKind::Result(r) if r.ok.is_none() && r.err.is_none() => {
                        format!("({t}){{ .is_err = ({v}) != 0 }}")
                    }
                    other => {
                        return Err(unsupported(&format!(
                            "single flat result of kind {}",
                            other.as_str()
                        )))
                    }
                }
            }
            _ => {
                let t = self.c_type(ty)?;
                format!("({t})({v})")
            }
        })
    }
}

/// `Some(interface)` for imports of a world's imported interfaces and
/// world-level items (`Some(None)`); `None` for exported-resource intrinsics.
fn import_interface(imp: &Import) -> Option<Option<InterfaceId>> {
    match &imp.item {
        ImportItem::Func { interface, .. } | ImportItem::ResourceDrop { interface, .. } => {
            Some(*interface)
        }
        ImportItem::ExportedResource { .. } => None,
    }
}

fn iface_guard(resolve: &Resolve, id: InterfaceId) -> String {
    let mut g = format!(
        "__WASIT2_INTERFACE_{}",
        upper(&interface_prefix(resolve, id))
    );
    if let Some(pkg) = resolve.interfaces[id].package {
        if let Some(v) = &resolve.packages[pkg].name.version {
            let v: String = v
                .to_string()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            g.push('_');
            g.push_str(&v);
        }
    }
    g
}

fn int_type(i: Int) -> &'static str {
    match i {
        Int::U8 => "uint8_t",
        Int::U16 => "uint16_t",
        Int::U32 => "uint32_t",
        Int::U64 => "uint64_t",
    }
}

fn c_wasm_type(t: WasmType) -> &'static str {
    match t {
        WasmType::I32 => "int32_t",
        WasmType::I64 => "int64_t",
        WasmType::F32 => "float",
        WasmType::F64 => "double",
        WasmType::Pointer => "void *",
        WasmType::Length => "size_t",
        WasmType::PointerOrI64 => "int64_t",
    }
}

fn val_type(t: WasmType, arch: Arch) -> ValType {
    match (t, arch) {
        (WasmType::I32, _) => ValType::I32,
        (WasmType::I64 | WasmType::PointerOrI64, _) => ValType::I64,
        (WasmType::F32, _) => ValType::F32,
        (WasmType::F64, _) => ValType::F64,
        (WasmType::Pointer | WasmType::Length, Arch::Wasm32) => ValType::I32,
        (WasmType::Pointer | WasmType::Length, Arch::Wasm64) => ValType::I64,
    }
}

/// Converts flat value `v` of core type `from` to the joined slot type `to`
/// (Canonical ABI `join`: zero-extension and float bit reinterpretation).
fn convert(v: &str, from: WasmType, to: WasmType) -> String {
    use WasmType::*;
    if from == to {
        return v.to_string();
    }
    let bits32 = |v: &str| match from {
        F32 => format!("(uint32_t)__wasit2_f32_bits({v})"),
        _ => format!("(uint32_t)({v})"),
    };
    match to {
        I32 => format!("__wasit2_f32_bits({v})"),
        I64 | PointerOrI64 => match from {
            F64 => format!("__wasit2_f64_bits({v})"),
            Pointer => format!("(int64_t)(uintptr_t)({v})"),
            Length | I64 => format!("(int64_t)({v})"),
            _ => format!("(int64_t){}", bits32(v)),
        },
        Pointer => match from {
            Length => format!("(void *)({v})"),
            _ => format!("(void *)(uintptr_t){}", bits32(v)),
        },
        Length => format!("(size_t){}", bits32(v)),
        F32 | F64 => unreachable!("joins never produce a float from a different type"),
    }
}

/// Whether `id` is `wasi:cli/run`, whose export the libc's crt1 defines.
fn is_cli_run(resolve: &Resolve, id: InterfaceId) -> bool {
    let iface = &resolve.interfaces[id];
    iface.name.as_deref() == Some("run")
        && iface.package.is_some_and(|p| {
            let n = &resolve.packages[p].name;
            n.namespace == "wasi" && n.name == "cli"
        })
}

/// The inline-asm custom section `wasit2-world` (`wasit2_abi::WorldSection`)
/// that tells wasit-ld which world the program uses: the world's name and the
/// WIT text of every package beyond WASI and `wasit2:targets`. `None` for a
/// world of those packages themselves (wasit-ld's default world covers it).
fn world_carrier(resolve: &Resolve, world: WorldId, world_name: &str) -> Result<Option<String>> {
    let known = wasit2_abi::Wit::wasi()?;
    let is_user = |p: wit_parser::PackageId| {
        !known
            .resolve
            .package_names
            .contains_key(&resolve.packages[p].name)
    };
    if !resolve.worlds[world].package.is_some_and(is_user) {
        return Ok(None);
    }
    let mut packages = Vec::new();
    // Arena order is dependency order: a package is pushed after its deps.
    for (id, _) in resolve.packages.iter().filter(|(id, _)| is_user(*id)) {
        let mut printer = wit_component::WitPrinter::default();
        printer
            .print(resolve, id, &[])
            .map_err(|e| unsupported(&format!("printing WIT package: {e:#}")))?;
        packages.push(printer.output.to_string());
    }
    let record = wasit2_abi::WorldRecord {
        world: world_name.to_string(),
        packages,
    };
    let bytes = record.encode();
    let mut out = format!(
        "/* The world this program uses, for wasit-ld (custom section `{}`). */\n__asm__(\n    \".section \\\".custom_section.{}\\\",\\\"\\\",@\\n\"\n",
        wasit2_abi::WORLD_SECTION_NAME,
        wasit2_abi::WORLD_SECTION_NAME
    );
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        // Assembler string escapes, then C string escapes on top.
        let mut asm = String::new();
        for &b in line {
            match b {
                b'"' => asm.push_str("\\\""),
                b'\\' => asm.push_str("\\\\"),
                b'\n' => asm.push_str("\\n"),
                0x20..=0x7e => asm.push(b as char),
                _ => asm.push_str(&format!("\\{b:03o}")),
            }
        }
        let c: String = asm
            .chars()
            .flat_map(|ch| match ch {
                '"' => vec!['\\', '"'],
                '\\' => vec!['\\', '\\'],
                ch => vec![ch],
            })
            .collect();
        writeln!(out, "    \".ascii \\\"{c}\\\"\\n\"").unwrap();
    }
    out.push_str("    \".text\\n\");\n");
    Ok(Some(out))
}

fn unsupported(what: &str) -> BindgenError {
    BindgenError::Unsupported(what.to_string())
}

fn header_banner(world: &str) -> String {
    BANNER.replace("{world}", world)
}

const BANNER: &str = r#"/* Generated by `wasit2 bindgen` for `{world}`. Do not edit.
 *
 * C bindings of the wasit2 core imports (see docs/bindgen.md and docs/abi.md).
 * One header serves wasm32 (cm32p2) and wasm64 (cm64p2): import modules and
 * layout checks are selected by __SIZEOF_POINTER__.
 *
 * Naming: interface `wasi:io/streams` -> prefix `wasi_io_streams_`; world-level
 * items -> `<world>_`; kebab-case -> snake_case (C keywords get a trailing `_`).
 *   functions: `[method]input-stream.read` -> `wasi_io_streams_method_input_stream_read`,
 *     `[static]r.f` -> `<prefix>static_r_f`, `[constructor]r` -> `<prefix>constructor_r`,
 *     resource drop -> `<prefix><resource>_drop`.
 *   types: `<prefix><name>_t`; resources: `<prefix><r>_t` (owned handle) and
 *     `<prefix>borrow_<r>_t` (both int32_t); enums and flags: fixed-width integers
 *     with `<PREFIX><TYPE>_<CASE>` constants; variants: `{ tag; union {...} val; }`
 *     with `<PREFIX><TYPE>_<CASE>` tag constants; option: `{ bool is_some; T val; }`;
 *     result: `{ bool is_err; union { T ok; E err; } val; }`; tuple: `{ f0; f1; ... }`;
 *     list: `{ T *ptr; size_t len; }`; string: `wasit2_string_t`.
 *     Anonymous types get derived names: `<prefix>result_list_u8_stream_error_t`.
 *   Every struct has the Canonical ABI memory layout (checked by _Static_assert),
 *   so the host writes results straight into them.
 * Wrappers: records, tuples, variants, options and results are passed as
 *   `const T *`, everything else by value. A single flat result is returned;
 *   otherwise the wrapper takes `T *ret` last. Functions whose result holds a
 *   list or string also take `void *arena, size_t arena_len` after `ret` and
 *   return the arena bytes the result needs (<= arena_len: written, and the
 *   lists in `*ret` point into the arena).
 * Raw imports: `__wasit2_import_<c name>`, with the exact core signature.
 */
"#;

/// Helpers of the export glue: bit reinterpretation back from joined slots.
const GLUE_HELPERS: &str = r#"__attribute__((unused)) static inline float __wasit2_f32_from_bits(int32_t i) {
    union { int32_t i; float f; } u;
    u.i = i;
    return u.f;
}
__attribute__((unused)) static inline double __wasit2_f64_from_bits(int64_t i) {
    union { int64_t i; double f; } u;
    u.i = i;
    return u.f;
}

"#;

const COMMON: &str = r#"#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef __WASIT2_COMMON
#define __WASIT2_COMMON

#if __SIZEOF_POINTER__ != 4 && __SIZEOF_POINTER__ != 8
#error "wasit2 bindings need a 32-bit or 64-bit target (wasm32 or wasm64)"
#endif

/* A WIT string: UTF-8 bytes, not NUL-terminated. */
typedef struct wasit2_string_t {
    uint8_t *ptr;
    size_t len;
} wasit2_string_t;

#ifdef __cplusplus
#define __WASIT2_STATIC_ASSERT(c, m) static_assert(c, m)
#define __WASIT2_ALIGNOF(t) alignof(t)
#else
#define __WASIT2_STATIC_ASSERT(c, m) _Static_assert(c, m)
#define __WASIT2_ALIGNOF(t) _Alignof(t)
#endif
#define __WASIT2_LAYOUT(t, size, align) \
    __WASIT2_STATIC_ASSERT(sizeof(t) == (size) && __WASIT2_ALIGNOF(t) == (align), \
                           "C layout of " #t " differs from the Canonical ABI")
#define __WASIT2_OFFSET(t, member, at) \
    __WASIT2_STATIC_ASSERT(offsetof(t, member) == (at), \
                           "offset of " #t "." #member " differs from the Canonical ABI")

/* Bit reinterpretation for Canonical ABI variant joins. */
static inline int32_t __wasit2_f32_bits(float f) {
    union { float f; int32_t i; } u;
    u.f = f;
    return u.i;
}
static inline int64_t __wasit2_f64_bits(double f) {
    union { double f; int64_t i; } u;
    u.f = f;
    return u.i;
}

__WASIT2_LAYOUT(wasit2_string_t, 2 * __SIZEOF_POINTER__, __SIZEOF_POINTER__);

#endif /* __WASIT2_COMMON */

"#;
