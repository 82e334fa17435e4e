//! `wasit2_host::bindgen!`: host bindings for a WIT world, read at compile
//! time.
//!
//! ```ignore
//! wasit2_host::bindgen!({ path: "wit/sensors.wit", world: "firmware" });
//! ```
//!
//! (`trappable: true` makes every import method return
//! `wasmtime::Result<T>`, an error trapping the guest.)
//!
//! generates, where it is invoked:
//! - a module per interface (`acme::sensors::temp`) with its types (records
//!   as structs, enums, variants, flags as structs of `bool`s, resources as
//!   `wasit2_host::Handle`) and, for an imported interface, a `Host` trait
//!   with one method per function, in plain Rust types;
//! - a struct named after the world (`Firmware`) with `add_to_linker`
//!   (registers every imported function on a wasmtime `Linker`, for wasm32
//!   and wasm64), `instantiate`/`new`, and one method per exported function
//!   that calls it with Rust values.
//!
//! The WIT text is embedded; lifting, lowering and layouts are the ABI
//! crate's, done at run time by `wasit2_host` (`WorldImports`,
//! `call_export`). The path is relative to the invoking crate's
//! `CARGO_MANIFEST_DIR`; it names one WIT file, which may `use` WASI 0.2.
//! Interfaces of the `wasi` namespace are not bound: `wasit2_host::add_to_linker`
//! serves them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::{braced, Ident, LitStr, Token};
use wit_parser::{
    Function, FunctionKind, InterfaceId, Resolve, Type, TypeDefKind, TypeId, TypeOwner, WorldId,
    WorldItem,
};

struct Input {
    path: LitStr,
    world: Option<LitStr>,
    /// Import methods return `wasmtime::Result<T>`; an error traps the guest.
    trappable: bool,
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let body;
        braced!(body in input);
        let mut path = None;
        let mut world = None;
        let mut trappable = false;
        while !body.is_empty() {
            let key: Ident = body.parse()?;
            body.parse::<Token![:]>()?;
            match key.to_string().as_str() {
                "path" => path = Some(body.parse::<LitStr>()?),
                "world" => world = Some(body.parse::<LitStr>()?),
                "trappable" => trappable = body.parse::<syn::LitBool>()?.value,
                _ => {
                    return Err(syn::Error::new(
                        key.span(),
                        "expected `path`, `world` or `trappable`",
                    ))
                }
            }
            if !body.is_empty() {
                body.parse::<Token![,]>()?;
            }
        }
        let path = path.ok_or_else(|| syn::Error::new(Span::call_site(), "missing `path`"))?;
        Ok(Input {
            path,
            world,
            trappable,
        })
    }
}

#[proc_macro]
pub fn bindgen(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let input = syn::parse_macro_input!(input as Input);
    match expand(&input) {
        Ok(t) => t.into(),
        Err(e) => syn::Error::new(input.path.span(), e)
            .to_compile_error()
            .into(),
    }
}

fn expand(input: &Input) -> Result<TokenStream, String> {
    let dir = std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?;
    let path = PathBuf::from(dir).join(input.path.value());
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let path_str = path.display().to_string();
    let mut wit = wasit2_abi::Wit::wasi().map_err(|e| e.to_string())?;
    let pkg = wit
        .resolve
        .push_str(&path, &text)
        .map_err(|e| format!("{e:#}"))?;
    let world_name = input.world.as_ref().map(|w| w.value());
    let world = wit
        .resolve
        .select_world(&[pkg], world_name.as_deref())
        .map_err(|e| format!("{e:#}"))?;
    // Lower it now so an unsupported world fails the build, not the run.
    for arch in [wasit2_abi::Arch::Wasm32, wasit2_abi::Arch::Wasm64] {
        wasit2_abi::Lowering::new(&wit, world, arch).map_err(|e| e.to_string())?;
    }
    let g = Gen {
        resolve: &wit.resolve,
        world,
        trappable: input.trappable,
    };
    g.generate(&path_str, &text)
}

struct Gen<'a> {
    resolve: &'a Resolve,
    world: WorldId,
    trappable: bool,
}

/// Nested modules: namespace → package → interface → items.
#[derive(Default)]
struct ModTree {
    items: TokenStream,
    children: BTreeMap<String, ModTree>,
}

impl ModTree {
    fn emit(&self) -> TokenStream {
        let mut out = self.items.clone();
        for (name, child) in &self.children {
            let ident = format_ident!("{}", name);
            let body = child.emit();
            out.extend(quote! {
                #[allow(dead_code, clippy::all)]
                pub mod #ident { #body }
            });
        }
        out
    }
}

fn snake(s: &str) -> Ident {
    let s = s.to_snake_case();
    match s.as_str() {
        "type" | "self" | "move" | "ref" | "fn" | "mod" | "use" | "in" | "as" | "match"
        | "loop" | "impl" | "trait" | "struct" | "enum" | "where" | "crate" | "super"
        | "static" | "const" | "let" | "mut" | "pub" | "return" | "async" | "await" | "dyn"
        | "box" | "yield" | "true" | "false" | "if" | "else" | "for" | "while" | "break"
        | "continue" | "extern" | "unsafe" | "override" | "final" | "abstract" | "become"
        | "do" | "macro" | "priv" | "typeof" | "unsized" | "virtual" | "try" => {
            format_ident!("{}_", s)
        }
        _ => format_ident!("{}", s),
    }
}

fn camel(s: &str) -> Ident {
    format_ident!("{}", s.to_upper_camel_case())
}

impl Gen<'_> {
    fn is_wasi(&self, id: InterfaceId) -> bool {
        self.resolve.interfaces[id]
            .package
            .is_some_and(|p| self.resolve.packages[p].name.namespace == "wasi")
    }

    /// Module path segments of an interface: `["acme", "sensors", "temp"]`.
    fn iface_path(&self, id: InterfaceId) -> Result<Vec<String>, String> {
        let iface = &self.resolve.interfaces[id];
        let name = iface
            .name
            .as_ref()
            .ok_or("unnamed interfaces are not supported")?;
        let pkg = &self.resolve.packages[iface.package.ok_or("interface without a package")?];
        Ok(vec![
            pkg.name.namespace.to_snake_case(),
            pkg.name.name.to_snake_case(),
            name.to_snake_case(),
        ])
    }

    /// The Rust path of a named type, from a module `depth` levels below
    /// the invocation's module.
    fn type_path(&self, id: TypeId, depth: usize) -> Result<TokenStream, String> {
        let def = &self.resolve.types[id];
        let name = camel(def.name.as_ref().ok_or("anonymous type")?);
        let up = (0..depth).map(|_| quote!(super::));
        let up = quote!(#(#up)*);
        match def.owner {
            TypeOwner::Interface(i) => {
                let segs = self
                    .iface_path(i)?
                    .into_iter()
                    .map(|s| format_ident!("{}", s));
                Ok(quote!(#up #(#segs::)* #name))
            }
            TypeOwner::World(_) => Ok(quote!(#up #name)),
            TypeOwner::None => Err("a type without an owner".into()),
        }
    }

    fn ty(&self, t: &Type, depth: usize) -> Result<TokenStream, String> {
        Ok(match t {
            Type::Bool => quote!(bool),
            Type::U8 => quote!(u8),
            Type::U16 => quote!(u16),
            Type::U32 => quote!(u32),
            Type::U64 => quote!(u64),
            Type::S8 => quote!(i8),
            Type::S16 => quote!(i16),
            Type::S32 => quote!(i32),
            Type::S64 => quote!(i64),
            Type::F32 => quote!(f32),
            Type::F64 => quote!(f64),
            Type::Char => quote!(char),
            Type::String => quote!(::std::string::String),
            Type::ErrorContext => return Err("error-context is not supported".into()),
            Type::Id(id) => {
                let def = &self.resolve.types[*id];
                match &def.kind {
                    TypeDefKind::Record(_)
                    | TypeDefKind::Enum(_)
                    | TypeDefKind::Variant(_)
                    | TypeDefKind::Flags(_) => self.type_path(*id, depth)?,
                    TypeDefKind::Type(t) if def.name.is_some() => {
                        let _ = t;
                        self.type_path(*id, depth)?
                    }
                    TypeDefKind::Type(t) => self.ty(t, depth)?,
                    TypeDefKind::Resource | TypeDefKind::Handle(_) => {
                        quote!(::wasit2_host::Handle)
                    }
                    TypeDefKind::List(t) => {
                        let t = self.ty(t, depth)?;
                        quote!(::std::vec::Vec<#t>)
                    }
                    TypeDefKind::Option(t) => {
                        let t = self.ty(t, depth)?;
                        quote!(::std::option::Option<#t>)
                    }
                    TypeDefKind::Result(r) => {
                        let ok = self.opt_ty(r.ok.as_ref(), depth)?;
                        let err = self.opt_ty(r.err.as_ref(), depth)?;
                        quote!(::std::result::Result<#ok, #err>)
                    }
                    TypeDefKind::Tuple(tt) => {
                        let ts = tt
                            .types
                            .iter()
                            .map(|t| self.ty(t, depth))
                            .collect::<Result<Vec<_>, _>>()?;
                        quote!((#(#ts,)*))
                    }
                    k => return Err(format!("WIT type `{}` is not supported", k.as_str())),
                }
            }
        })
    }

    fn opt_ty(&self, t: Option<&Type>, depth: usize) -> Result<TokenStream, String> {
        match t {
            Some(t) => self.ty(t, depth),
            None => Ok(quote!(())),
        }
    }

    /// The definition of a named type in its interface's module.
    fn typedef(&self, id: TypeId, depth: usize) -> Result<TokenStream, String> {
        let def = &self.resolve.types[id];
        let Some(name) = def.name.as_ref() else {
            return Ok(quote!());
        };
        let ident = camel(name);
        let wv = quote!(::wasit2_host::WitValue);
        let val = quote!(::wasit2_host::Val);
        let res = quote!(::wasit2_host::wasmtime::Result);
        Ok(match &def.kind {
            TypeDefKind::Record(r) => {
                let names: Vec<Ident> = r.fields.iter().map(|f| snake(&f.name)).collect();
                let tys = r
                    .fields
                    .iter()
                    .map(|f| self.ty(&f.ty, depth))
                    .collect::<Result<Vec<_>, _>>()?;
                quote! {
                    #[derive(Clone, Debug, PartialEq)]
                    pub struct #ident { #(pub #names: #tys,)* }
                    impl #wv for #ident {
                        fn into_val(self) -> #val {
                            #val::Record(::std::vec![#(#wv::into_val(self.#names)),*])
                        }
                        fn from_val(v: #val) -> #res<Self> {
                            match v {
                                #val::Record(fields) => {
                                    let mut it = fields.into_iter();
                                    let _ = &mut it;
                                    Ok(#ident { #(#names: ::wasit2_host::bindings::arg(&mut it)?,)* })
                                }
                                v => ::wasit2_host::wasmtime::bail!("expected record `{}`, got {v}", #name),
                            }
                        }
                    }
                }
            }
            TypeDefKind::Enum(e) => {
                let cases: Vec<Ident> = e.cases.iter().map(|c| camel(&c.name)).collect();
                let idx: Vec<u32> = (0..cases.len() as u32).collect();
                quote! {
                    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
                    pub enum #ident { #(#cases,)* }
                    impl #wv for #ident {
                        fn into_val(self) -> #val {
                            #val::Enum(match self { #(#ident::#cases => #idx,)* })
                        }
                        fn from_val(v: #val) -> #res<Self> {
                            match v {
                                #(#val::Enum(#idx) => Ok(#ident::#cases),)*
                                v => ::wasit2_host::wasmtime::bail!("expected enum `{}`, got {v}", #name),
                            }
                        }
                    }
                }
            }
            TypeDefKind::Variant(v) => {
                let mut decl = Vec::new();
                let mut into = Vec::new();
                let mut from = Vec::new();
                for (i, c) in v.cases.iter().enumerate() {
                    let cn = camel(&c.name);
                    let i = i as u32;
                    match &c.ty {
                        Some(t) => {
                            let t = self.ty(t, depth)?;
                            decl.push(quote!(#cn(#t)));
                            into.push(quote!(#ident::#cn(x) => #val::Variant(#i, ::std::vec![#wv::into_val(x)])));
                            from.push(quote!(#val::Variant(#i, mut p) if p.len() == 1 => Ok(#ident::#cn(#wv::from_val(p.remove(0))?))));
                        }
                        None => {
                            decl.push(quote!(#cn));
                            into.push(
                                quote!(#ident::#cn => #val::Variant(#i, ::std::vec::Vec::new())),
                            );
                            from.push(quote!(#val::Variant(#i, _) => Ok(#ident::#cn)));
                        }
                    }
                }
                quote! {
                    #[derive(Clone, Debug, PartialEq)]
                    pub enum #ident { #(#decl,)* }
                    impl #wv for #ident {
                        fn into_val(self) -> #val {
                            match self { #(#into,)* }
                        }
                        fn from_val(v: #val) -> #res<Self> {
                            match v {
                                #(#from,)*
                                v => ::wasit2_host::wasmtime::bail!("expected variant `{}`, got {v}", #name),
                            }
                        }
                    }
                }
            }
            TypeDefKind::Flags(f) => {
                if f.flags.len() > 32 {
                    return Err(format!("flags `{name}`: more than 32 flags"));
                }
                let names: Vec<Ident> = f.flags.iter().map(|x| snake(&x.name)).collect();
                let bits: Vec<u32> = (0..names.len() as u32).map(|i| 1u32 << i).collect();
                quote! {
                    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
                    pub struct #ident { #(pub #names: bool,)* }
                    impl #wv for #ident {
                        fn into_val(self) -> #val {
                            let mut bits = 0u32;
                            #(if self.#names { bits |= #bits; })*
                            #val::Flags(bits)
                        }
                        fn from_val(v: #val) -> #res<Self> {
                            match v {
                                #val::Flags(bits) => Ok(#ident { #(#names: bits & #bits != 0,)* }),
                                v => ::wasit2_host::wasmtime::bail!("expected flags `{}`, got {v}", #name),
                            }
                        }
                    }
                }
            }
            TypeDefKind::Resource => quote! {
                /// A resource: the guest holds this handle, the host keeps
                /// the resource.
                pub type #ident = ::wasit2_host::Handle;
            },
            TypeDefKind::Type(t) => {
                let t = self.ty(t, depth)?;
                quote!(pub type #ident = #t;)
            }
            _ => quote!(),
        })
    }

    /// The Rust method name of an imported function.
    fn method_name(&self, f: &Function) -> Ident {
        match &f.kind {
            FunctionKind::Constructor(r) => snake(&format!(
                "{}-new",
                self.resolve.types[*r].name.as_deref().unwrap_or("")
            )),
            FunctionKind::Method(r) | FunctionKind::Static(r) => {
                let rn = self.resolve.types[*r].name.as_deref().unwrap_or("");
                snake(&format!("{rn}-{}", f.item_name()))
            }
            _ => snake(&f.name),
        }
    }

    fn params(&self, f: &Function, depth: usize) -> Result<Vec<(Ident, TokenStream)>, String> {
        f.params
            .iter()
            .map(|p| Ok((snake(&p.name), self.ty(&p.ty, depth)?)))
            .collect()
    }

    /// The `Host` trait of an imported interface (or the world's own
    /// imported functions) and the registration of each function.
    fn import_trait(
        &self,
        funcs: &[&Function],
        resources: &[TypeId],
        depth: usize,
        trait_name: &Ident,
        trait_path: &TokenStream,
        iface_full: Option<&str>,
    ) -> Result<(TokenStream, Vec<TokenStream>), String> {
        let mut methods = Vec::new();
        let mut regs = Vec::new();
        let iface = match iface_full {
            Some(i) => quote!(::std::option::Option::Some(#i)),
            None => quote!(::std::option::Option::None),
        };
        for f in funcs {
            let m = self.method_name(f);
            let ps = self.params(f, depth)?;
            let names: Vec<&Ident> = ps.iter().map(|(n, _)| n).collect();
            let tys: Vec<&TokenStream> = ps.iter().map(|(_, t)| t).collect();
            let ret = match (&f.result, self.trappable) {
                (Some(t), false) => {
                    let t = self.ty(t, depth)?;
                    quote!(-> #t)
                }
                (None, false) => quote!(),
                (t, true) => {
                    let t = self.opt_ty(t.as_ref(), depth)?;
                    quote!(-> ::wasit2_host::wasmtime::Result<#t>)
                }
            };
            methods.push(quote!(fn #m(&mut self, #(#names: #tys),*) #ret;));
            let wit_name = &f.name;
            let args = names
                .iter()
                .map(|_| quote!(::wasit2_host::bindings::arg(&mut args)?));
            let q = self.trappable.then(|| quote!(?));
            let call = quote!(<U as #trait_path>::#m(get(t), #(#args),*)#q);
            let body = if f.result.is_some() {
                quote!(Ok(::wasit2_host::WitValue::into_val(#call)))
            } else {
                quote!({ #call; Ok(::wasit2_host::Val::unit()) })
            };
            regs.push(quote! {
                .func(#iface, #wit_name, move |t: &mut T, args: ::std::vec::Vec<::wasit2_host::Val>| {
                    let mut args = args.into_iter();
                    let _ = &mut args;
                    #body
                })
            });
        }
        for r in resources {
            let rn = self.resolve.types[*r].name.as_deref().unwrap_or("");
            let m = snake(&format!("{rn}-drop"));
            let (ret, q) = if self.trappable {
                (quote!(-> ::wasit2_host::wasmtime::Result<()>), quote!(?))
            } else {
                (quote!(), quote!())
            };
            methods.push(quote! {
                /// The guest dropped its handle.
                fn #m(&mut self, rep: ::wasit2_host::Handle) #ret;
            });
            let field = format!("{rn}_drop");
            regs.push(quote! {
                .func(#iface, #field, move |t: &mut T, args: ::std::vec::Vec<::wasit2_host::Val>| {
                    let mut args = args.into_iter();
                    <U as #trait_path>::#m(get(t), ::wasit2_host::bindings::arg(&mut args)?)#q;
                    Ok(::wasit2_host::Val::unit())
                })
            });
        }
        let def = quote! {
            pub trait #trait_name {
                #(#methods)*
            }
        };
        Ok((def, regs))
    }

    fn generate(&self, path: &str, text: &str) -> Result<TokenStream, String> {
        let w = &self.resolve.worlds[self.world];
        let world_ident = camel(&w.name);
        let mut tree = ModTree::default();
        let mut root_items = TokenStream::new();
        let mut bounds = Vec::new();
        let mut regs = Vec::new();
        let mut methods = Vec::new();
        let mut seen_types = std::collections::HashSet::new();

        let mut add_iface_types =
            |g: &Self, id: InterfaceId, tree: &mut ModTree| -> Result<(), String> {
                let segs = g.iface_path(id)?;
                let node = segs
                    .iter()
                    .fold(&mut *tree, |n, s| n.children.entry(s.clone()).or_default());
                for (_, ty) in &g.resolve.interfaces[id].types {
                    if seen_types.insert(*ty) {
                        let def = g.typedef(*ty, 3)?;
                        node.items.extend(def);
                    }
                }
                Ok(())
            };

        // Types of every interface the world imports or exports (wit-parser
        // adds those `use`d to the imports), WASI's included: a vendor
        // interface may use them (`wasi::clocks::wall_clock::Datetime`).
        for (_, item) in w.imports.iter().chain(w.exports.iter()) {
            if let WorldItem::Interface { id, .. } = item {
                add_iface_types(self, *id, &mut tree)?;
            }
        }
        for (_, item) in w.imports.iter().chain(w.exports.iter()) {
            if let WorldItem::Type { id, .. } = item {
                root_items.extend(self.typedef(*id, 0)?);
            }
        }

        // Imports.
        let mut world_funcs = Vec::new();
        let mut world_resources = Vec::new();
        for (key, item) in &w.imports {
            match item {
                WorldItem::Interface { id, .. } => {
                    if self.is_wasi(*id) {
                        continue;
                    }
                    let iface = &self.resolve.interfaces[*id];
                    let funcs: Vec<&Function> = iface.functions.values().collect();
                    let resources: Vec<TypeId> = iface
                        .types
                        .values()
                        .copied()
                        .filter(|t| matches!(self.resolve.types[*t].kind, TypeDefKind::Resource))
                        .collect();
                    if funcs.is_empty() && resources.is_empty() {
                        continue;
                    }
                    let segs = self.iface_path(*id)?;
                    let seg_idents: Vec<Ident> =
                        segs.iter().map(|s| format_ident!("{}", s)).collect();
                    let trait_path = quote!(#(#seg_idents::)* Host);
                    let full = self
                        .resolve
                        .id_of(*id)
                        .ok_or("unnamed interfaces are not supported")?;
                    let (def, r) = self.import_trait(
                        &funcs,
                        &resources,
                        3,
                        &format_ident!("Host"),
                        &trait_path,
                        Some(&full),
                    )?;
                    let node = segs
                        .iter()
                        .fold(&mut tree, |n, s| n.children.entry(s.clone()).or_default());
                    node.items.extend(def);
                    bounds.push(trait_path);
                    regs.extend(r);
                }
                WorldItem::Function(f) => world_funcs.push(f),
                WorldItem::Type { id, .. } => {
                    if matches!(self.resolve.types[*id].kind, TypeDefKind::Resource) {
                        world_resources.push(*id);
                    }
                }
            }
            let _ = key;
        }
        if !world_funcs.is_empty() || !world_resources.is_empty() {
            let tn = format_ident!("{}Imports", world_ident);
            let (def, r) =
                self.import_trait(&world_funcs, &world_resources, 0, &tn, &quote!(#tn), None)?;
            root_items.extend(def);
            bounds.push(quote!(#tn));
            regs.extend(r);
        }

        // Exports.
        let mut used_names = std::collections::HashSet::new();
        for (key, item) in &w.exports {
            let (iface, funcs): (Option<String>, Vec<&Function>) = match item {
                WorldItem::Interface { id, .. } => {
                    let iface = &self.resolve.interfaces[*id];
                    if iface
                        .types
                        .values()
                        .any(|t| matches!(self.resolve.types[*t].kind, TypeDefKind::Resource))
                    {
                        return Err(format!(
                            "exported resources are not supported (`{}`)",
                            self.resolve.name_world_key(key)
                        ));
                    }
                    (self.resolve.id_of(*id), iface.functions.values().collect())
                }
                WorldItem::Function(f) => (None, vec![f]),
                WorldItem::Type { .. } => continue,
            };
            for f in funcs {
                let mut m = snake(&f.name);
                if !used_names.insert(m.to_string()) {
                    let prefix = iface
                        .as_deref()
                        .unwrap_or("")
                        .rsplit('/')
                        .next()
                        .unwrap_or("");
                    let prefix = prefix.split('@').next().unwrap_or(prefix);
                    m = snake(&format!("{prefix}-{}", f.name));
                }
                let ps = self.params(f, 0)?;
                let mut sig = Vec::new();
                let mut conv = Vec::new();
                for ((n, t), p) in ps.iter().zip(&f.params) {
                    if matches!(p.ty, Type::String) {
                        sig.push(quote!(#n: &str));
                        conv.push(quote!(::wasit2_host::WitValue::into_val(::std::string::String::from(#n))));
                    } else {
                        sig.push(quote!(#n: #t));
                        conv.push(quote!(::wasit2_host::WitValue::into_val(#n)));
                    }
                }
                let ret = self.opt_ty(f.result.as_ref(), 0)?;
                let iface_tok = match &iface {
                    Some(i) => quote!(::std::option::Option::Some(#i)),
                    None => quote!(::std::option::Option::None),
                };
                let wit_name = &f.name;
                let doc = format!(
                    "Calls the export `{}` with Rust values.",
                    match &iface {
                        Some(i) => format!("{i}#{}", f.name),
                        None => f.name.clone(),
                    }
                );
                methods.push(quote! {
                    #[doc = #doc]
                    pub fn #m<T: 'static>(
                        &self,
                        mut store: impl ::wasit2_host::wasmtime::AsContextMut<Data = T>,
                        #(#sig),*
                    ) -> ::wasit2_host::wasmtime::Result<#ret> {
                        let world = Self::world()?;
                        let v = ::wasit2_host::call_export(
                            &mut store,
                            &self.instance,
                            world,
                            #iface_tok,
                            #wit_name,
                            ::std::vec![#(#conv),*],
                        )?;
                        <#ret as ::wasit2_host::WitValue>::from_val(v)
                    }
                });
            }
        }

        let add_to_linker = if regs.is_empty() {
            quote!()
        } else {
            quote! {
                /// Registers every function the world imports (except
                /// WASI's, which `wasit2_host::add_to_linker` serves) on
                /// `linker`, for wasm32 and wasm64; `get` finds the
                /// implementation in the store data.
                pub fn add_to_linker<T: 'static, U: #(#bounds +)* 'static>(
                    linker: &mut ::wasit2_host::wasmtime::Linker<T>,
                    get: impl Fn(&mut T) -> &mut U + Send + Sync + Copy + 'static,
                ) -> ::std::result::Result<(), ::wasit2_host::HostError> {
                    let world = Self::world()?;
                    ::wasit2_host::WorldImports::<T>::new(world)
                        #(#regs)*
                        .add_to_linker(linker)
                }
            }
        };

        let modules = tree.emit();
        let world_name = &w.name;
        Ok(quote! {
            #modules
            #root_items

            /// An instance of a module built for this world.
            pub struct #world_ident {
                instance: ::wasit2_host::wasmtime::Instance,
            }

            #[allow(dead_code, clippy::all)]
            impl #world_ident {
                /// The world, parsed and lowered once per process.
                pub fn world() -> ::std::result::Result<&'static ::wasit2_host::World, ::wasit2_host::HostError> {
                    // Rebuild when the WIT changes.
                    const _: &[u8] = include_bytes!(#path);
                    static WORLD: ::std::sync::OnceLock<::wasit2_host::World> = ::std::sync::OnceLock::new();
                    if let Some(w) = WORLD.get() {
                        return Ok(w);
                    }
                    let w = ::wasit2_host::World::parse(#path, #text, #world_name)?;
                    Ok(WORLD.get_or_init(|| w))
                }

                #add_to_linker

                /// Instantiates `module` and runs its initializer (a
                /// reactor's constructors).
                pub fn instantiate<T: 'static>(
                    mut store: impl ::wasit2_host::wasmtime::AsContextMut<Data = T>,
                    module: &::wasit2_host::wasmtime::Module,
                    linker: &::wasit2_host::wasmtime::Linker<T>,
                ) -> ::wasit2_host::wasmtime::Result<Self> {
                    let instance = linker.instantiate(&mut store, module)?;
                    ::wasit2_host::initialize(&mut store, &instance)?;
                    Ok(Self { instance })
                }

                /// Wraps an instance that is already initialized.
                pub fn new(instance: ::wasit2_host::wasmtime::Instance) -> Self {
                    Self { instance }
                }

                pub fn instance(&self) -> &::wasit2_host::wasmtime::Instance {
                    &self.instance
                }

                #(#methods)*
            }
        })
    }
}
