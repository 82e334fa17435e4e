//! Dynamic WIT values and the Canonical ABI lifting/lowering the host needs,
//! driven by the types and layouts of `wasit2_abi::Lowering`.
//!
//! Every allocation whose size the guest controls goes through `try_vec`, so
//! an allocation failure becomes a trap instead of an abort.

use std::fmt;

use wasit2_abi::{Arch, ArenaLayout, Lowering};
use wasmtime::{bail, format_err, OutOfMemory, Result};
use wit_parser::{FlagsRepr, Int, Resolve, Type, TypeDefKind};

/// A WIT value, as lifted from or lowered to guest memory.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Bool(bool),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    S8(i8),
    S16(i16),
    S32(i32),
    S64(i64),
    F32(f32),
    F64(f64),
    Char(char),
    String(String),
    /// `list<u8>`, kept as bytes.
    Bytes(Vec<u8>),
    List(Vec<Val>),
    /// Records and tuples: fields in order.
    Record(Vec<Val>),
    /// Variants, options (0 = none, 1 = some) and results (0 = ok, 1 = err):
    /// the case index and its payload (empty or one value; a `Vec` so the
    /// allocation is fallible).
    Variant(u32, Vec<Val>),
    Enum(u32),
    Flags(u32),
    /// A resource handle: the index in the instance's `ResourceTable`.
    Handle(u32),
}

impl Val {
    pub fn none() -> Val {
        Val::Variant(0, Vec::new())
    }
    pub fn some(v: Val) -> Val {
        Val::Variant(1, vec![v])
    }
    pub fn ok(v: Option<Val>) -> Val {
        Val::Variant(0, v.into_iter().collect())
    }
    pub fn err(v: Option<Val>) -> Val {
        Val::Variant(1, v.into_iter().collect())
    }
    pub fn option(v: Option<Val>) -> Val {
        match v {
            Some(v) => Val::some(v),
            None => Val::none(),
        }
    }
    pub fn unit() -> Val {
        Val::Record(Vec::new())
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, open: &str, items: &[Val], close: &str| {
            f.write_str(open)?;
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{v}")?;
            }
            f.write_str(close)
        };
        match self {
            Val::Bool(v) => write!(f, "{v}"),
            Val::U8(v) => write!(f, "{v}"),
            Val::U16(v) => write!(f, "{v}"),
            Val::U32(v) => write!(f, "{v}"),
            Val::U64(v) => write!(f, "{v}"),
            Val::S8(v) => write!(f, "{v}"),
            Val::S16(v) => write!(f, "{v}"),
            Val::S32(v) => write!(f, "{v}"),
            Val::S64(v) => write!(f, "{v}"),
            Val::F32(v) => write!(f, "{v}"),
            Val::F64(v) => write!(f, "{v}"),
            Val::Char(v) => write!(f, "{v:?}"),
            Val::String(s) => write!(f, "{s:?}"),
            Val::Bytes(b) if b.len() <= 16 => write!(f, "bytes{b:?}"),
            Val::Bytes(b) => write!(f, "<{} bytes>", b.len()),
            Val::List(l) => list(f, "[", l, "]"),
            Val::Record(r) => list(f, "{", r, "}"),
            Val::Variant(c, p) => {
                write!(f, "case{c}")?;
                if p.is_empty() {
                    Ok(())
                } else {
                    list(f, "(", p, ")")
                }
            }
            Val::Enum(c) => write!(f, "enum{c}"),
            Val::Flags(b) => write!(f, "flags({b:#x})"),
            Val::Handle(h) => write!(f, "handle({h})"),
        }
    }
}

/// A `Vec` whose allocation failure is an error, not an abort.
pub fn try_vec<T>(cap: usize) -> Result<Vec<T>, OutOfMemory> {
    let mut v = Vec::new();
    v.try_reserve_exact(cap)
        .map_err(|_| OutOfMemory::new(cap.saturating_mul(std::mem::size_of::<T>().max(1))))?;
    Ok(v)
}

/// Layout and flattening of WIT types for one architecture.
pub struct Abi<'a> {
    pub lowering: &'a Lowering,
}

/// Where a lowered list goes: the caller-supplied arena (absent for plain
/// imports, whose results never hold lists).
pub struct Arena {
    pub base: u64,
    pub layout: ArenaLayout,
}

/// How a `Lowerer` places the lists it meets (pre-order, depth first).
pub enum Placement {
    /// In a caller-supplied arena, by the ABI's arena rules.
    Arena(Arena),
    /// Only record each list's (size, alignment): the first pass of calling
    /// an export, whose lists the guest allocates (`<p>_params_alloc`).
    Record(Vec<(u64, u64)>),
    /// At these guest addresses, in order: the second pass.
    Given(std::collections::VecDeque<u64>),
}

impl<'a> Abi<'a> {
    fn resolve(&self) -> &'a Resolve {
        &self.lowering.resolve
    }
    fn arch(&self) -> Arch {
        self.lowering.arch
    }
    fn ptr_size(&self) -> u64 {
        self.arch().pointer_size() as u64
    }
    pub fn size(&self, ty: &Type) -> u64 {
        self.lowering.size_of(ty) as u64
    }
    pub fn align(&self, ty: &Type) -> u64 {
        self.lowering.align_of(ty) as u64
    }

    /// The definition behind a type id, following aliases.
    fn kind(&self, ty: &Type) -> Option<&'a TypeDefKind> {
        let mut ty = *ty;
        loop {
            match ty {
                Type::Id(id) => match &self.resolve().types[id].kind {
                    TypeDefKind::Type(t) => ty = *t,
                    k => return Some(k),
                },
                _ => return None,
            }
        }
    }

    fn deref(&self, ty: &Type) -> Type {
        let mut ty = *ty;
        while let Type::Id(id) = ty {
            match &self.resolve().types[id].kind {
                TypeDefKind::Type(t) => ty = *t,
                _ => break,
            }
        }
        ty
    }

    /// Number of core values a type flattens to (the Canonical ABI's
    /// `flatten_type`; counted without allocating).
    pub fn flat_count(&self, ty: &Type) -> usize {
        match self.deref(ty) {
            Type::String => 2,
            Type::Id(_) => match self.kind(ty).unwrap() {
                TypeDefKind::List(_) => 2,
                TypeDefKind::Record(r) => r.fields.iter().map(|f| self.flat_count(&f.ty)).sum(),
                TypeDefKind::Tuple(t) => t.types.iter().map(|t| self.flat_count(t)).sum(),
                TypeDefKind::Flags(f) => match f.repr() {
                    FlagsRepr::U32(n) => n,
                    _ => 1,
                },
                k @ (TypeDefKind::Option(_) | TypeDefKind::Result(_) | TypeDefKind::Variant(_)) => {
                    1 + (0..self.case_count(k))
                        .filter_map(|c| self.case_type(k, c).flatten())
                        .map(|t| self.flat_count(&t))
                        .max()
                        .unwrap_or(0)
                }
                _ => 1,
            },
            _ => 1,
        }
    }

    fn align_to(n: u64, align: u64) -> u64 {
        n.div_ceil(align) * align
    }

    /// Offset of field `index` of a record/tuple with these field types.
    pub fn field_offset<'t>(&self, types: impl Iterator<Item = &'t Type>, index: usize) -> u64 {
        let mut cur = 0;
        for (i, t) in types.enumerate() {
            let off = Self::align_to(cur, self.align(t));
            if i == index {
                return off;
            }
            cur = off + self.size(t);
        }
        cur
    }

    /// Offset of the payload of a `result`/`variant`/`option` type.
    pub fn result_payload_offset(&self, ty: &Type) -> Option<u64> {
        match self.kind(ty)? {
            k @ (TypeDefKind::Option(_) | TypeDefKind::Result(_) | TypeDefKind::Variant(_)) => {
                Some(self.payload_offset(k))
            }
            _ => None,
        }
    }

    pub fn pointer_size(&self) -> u64 {
        self.ptr_size()
    }

    /// Offset of a variant's payload: after the tag, aligned to the largest
    /// case alignment.
    fn payload_offset(&self, kind: &TypeDefKind) -> u64 {
        let align = (0..self.case_count(kind))
            .filter_map(|c| self.case_type(kind, c).flatten())
            .map(|t| self.align(&t))
            .max()
            .unwrap_or(1);
        Self::align_to(Self::int_size(self.tag_of(kind)), align)
    }

    fn int_size(i: Int) -> u64 {
        match i {
            Int::U8 => 1,
            Int::U16 => 2,
            Int::U32 => 4,
            Int::U64 => 8,
        }
    }
}

/// Reads guest values, checking every access and counting the bytes consumed
/// against the per-call budget.
pub struct Lifter<'a, 'm> {
    pub abi: &'a Abi<'a>,
    pub mem: &'m [u8],
    pub budget: u64,
}

pub fn bounds(mem_len: usize, addr: u64, len: u64) -> Result<std::ops::Range<usize>> {
    let end = addr
        .checked_add(len)
        .ok_or_else(|| format_err!("guest pointer overflow"))?;
    if end > mem_len as u64 {
        bail!("out of bounds memory access: {len} bytes at {addr:#x} (memory is {mem_len} bytes)");
    }
    Ok(addr as usize..end as usize)
}

pub fn check_align(addr: u64, align: u64) -> Result<()> {
    if align > 1 && !addr.is_multiple_of(align) {
        bail!("unaligned pointer {addr:#x} (needs alignment {align})");
    }
    Ok(())
}

impl Lifter<'_, '_> {
    fn spend(&mut self, bytes: u64) -> Result<()> {
        if bytes > self.budget {
            bail!("host call exceeds the per-call guest data limit");
        }
        self.budget -= bytes;
        Ok(())
    }

    fn bytes(&self, addr: u64, len: u64) -> Result<&[u8]> {
        Ok(&self.mem[bounds(self.mem.len(), addr, len)?])
    }

    fn read_uint(&self, addr: u64, size: u64) -> Result<u64> {
        check_align(addr, size)?;
        let b = self.bytes(addr, size)?;
        let mut buf = [0u8; 8];
        buf[..size as usize].copy_from_slice(b);
        Ok(u64::from_le_bytes(buf))
    }

    fn read_ptr(&self, addr: u64) -> Result<u64> {
        self.read_uint(addr, self.abi.ptr_size())
    }

    /// Lifts `list`/`string` contents given pointer and element count.
    fn lift_list(&mut self, elem: Option<&Type>, ptr: u64, len: u64) -> Result<Val> {
        match elem.map(|t| self.abi.deref(t)) {
            None | Some(Type::U8) => {
                self.spend(len)?;
                let src = self.bytes(ptr, len)?;
                let mut v = try_vec(src.len())?;
                v.extend_from_slice(src);
                if elem.is_none() {
                    let s =
                        String::from_utf8(v).map_err(|_| format_err!("invalid UTF-8 string"))?;
                    Ok(Val::String(s))
                } else {
                    Ok(Val::Bytes(v))
                }
            }
            Some(t) => {
                let size = self.abi.size(&t);
                let total = size
                    .checked_mul(len)
                    .ok_or_else(|| format_err!("list too long"))?;
                check_align(ptr, self.abi.align(&t))?;
                bounds(self.mem.len(), ptr, total)?;
                // Count the host-side representation too: a `Val` is bigger
                // than most guest elements.
                self.spend(total.max(len.saturating_mul(std::mem::size_of::<Val>() as u64)))?;
                let mut out = try_vec(len as usize)?;
                for i in 0..len {
                    out.push(self.load(&t, ptr + i * size)?);
                }
                Ok(Val::List(out))
            }
        }
    }

    /// Lifts a value from its flattened core representation (`flat` holds
    /// the raw core values, i32s zero-extended).
    pub fn lift_flat(&mut self, ty: &Type, flat: &mut std::slice::Iter<'_, u64>) -> Result<Val> {
        let mut next = || {
            flat.next()
                .copied()
                .ok_or_else(|| format_err!("missing core argument"))
        };
        Ok(match self.abi.deref(ty) {
            Type::Bool => Val::Bool(next()? as u32 != 0),
            Type::U8 => Val::U8(next()? as u8),
            Type::U16 => Val::U16(next()? as u16),
            Type::U32 => Val::U32(next()? as u32),
            Type::U64 => Val::U64(next()?),
            Type::S8 => Val::S8(next()? as i8),
            Type::S16 => Val::S16(next()? as i16),
            Type::S32 => Val::S32(next()? as i32),
            Type::S64 => Val::S64(next()? as i64),
            Type::F32 => Val::F32(f32::from_bits(next()? as u32)),
            Type::F64 => Val::F64(f64::from_bits(next()?)),
            Type::Char => Val::Char(
                char::from_u32(next()? as u32).ok_or_else(|| format_err!("invalid char"))?,
            ),
            Type::String => {
                let (ptr, len) = (next()?, next()?);
                self.lift_list(None, ptr, len)?
            }
            Type::ErrorContext => bail!("error-context is not supported"),
            Type::Id(_) => {
                let kind = self.abi.kind(ty).unwrap();
                match kind {
                    TypeDefKind::List(t) => {
                        let (ptr, len) = (next()?, next()?);
                        self.lift_list(Some(t), ptr, len)?
                    }
                    TypeDefKind::Record(r) => {
                        let mut out = try_vec(r.fields.len())?;
                        for f in &r.fields {
                            out.push(self.lift_flat(&f.ty, flat)?);
                        }
                        Val::Record(out)
                    }
                    TypeDefKind::Tuple(t) => {
                        let mut out = try_vec(t.types.len())?;
                        for t in &t.types {
                            out.push(self.lift_flat(t, flat)?);
                        }
                        Val::Record(out)
                    }
                    TypeDefKind::Flags(_) => Val::Flags(next()? as u32),
                    TypeDefKind::Enum(e) => {
                        let c = next()? as u32;
                        if c as usize >= e.cases.len() {
                            bail!("invalid enum discriminant {c}");
                        }
                        Val::Enum(c)
                    }
                    TypeDefKind::Handle(_) => Val::Handle(next()? as u32),
                    TypeDefKind::Option(_) | TypeDefKind::Result(_) | TypeDefKind::Variant(_) => {
                        let c = next()? as u32;
                        let payload_slots = self.abi.flat_count(ty) - 1;
                        let mut slots = try_vec(payload_slots)?;
                        slots.extend(flat.take(payload_slots).copied());
                        if slots.len() != payload_slots {
                            bail!("missing core argument");
                        }
                        let Some(case) = self.abi.case_type(kind, c as usize) else {
                            bail!("invalid variant discriminant {c}");
                        };
                        let mut payload = try_vec(1)?;
                        if let Some(t) = case {
                            // The payload occupies a prefix of the joined
                            // slots; i32 payloads in i64 slots truncate.
                            payload.push(self.lift_flat(&t, &mut slots.iter())?);
                        }
                        Val::Variant(c, payload)
                    }
                    k => bail!("unsupported parameter type {}", k.as_str()),
                }
            }
        })
    }

    /// Loads a value stored at `addr` in the Canonical ABI layout.
    pub fn load(&mut self, ty: &Type, addr: u64) -> Result<Val> {
        check_align(addr, self.abi.align(ty))?;
        bounds(self.mem.len(), addr, self.abi.size(ty))?;
        Ok(match self.abi.deref(ty) {
            Type::Bool => Val::Bool(self.read_uint(addr, 1)? != 0),
            Type::U8 => Val::U8(self.read_uint(addr, 1)? as u8),
            Type::U16 => Val::U16(self.read_uint(addr, 2)? as u16),
            Type::U32 => Val::U32(self.read_uint(addr, 4)? as u32),
            Type::U64 => Val::U64(self.read_uint(addr, 8)?),
            Type::S8 => Val::S8(self.read_uint(addr, 1)? as i8),
            Type::S16 => Val::S16(self.read_uint(addr, 2)? as i16),
            Type::S32 => Val::S32(self.read_uint(addr, 4)? as i32),
            Type::S64 => Val::S64(self.read_uint(addr, 8)? as i64),
            Type::F32 => Val::F32(f32::from_bits(self.read_uint(addr, 4)? as u32)),
            Type::F64 => Val::F64(f64::from_bits(self.read_uint(addr, 8)?)),
            Type::Char => Val::Char(
                char::from_u32(self.read_uint(addr, 4)? as u32)
                    .ok_or_else(|| format_err!("invalid char"))?,
            ),
            Type::String => {
                let (ptr, len) = (
                    self.read_ptr(addr)?,
                    self.read_ptr(addr + self.abi.ptr_size())?,
                );
                self.lift_list(None, ptr, len)?
            }
            Type::ErrorContext => bail!("error-context is not supported"),
            Type::Id(_) => {
                let kind = self.abi.kind(ty).unwrap();
                match kind {
                    TypeDefKind::List(t) => {
                        let (ptr, len) = (
                            self.read_ptr(addr)?,
                            self.read_ptr(addr + self.abi.ptr_size())?,
                        );
                        self.lift_list(Some(t), ptr, len)?
                    }
                    TypeDefKind::Record(r) => {
                        let mut out = try_vec(r.fields.len())?;
                        for (i, f) in r.fields.iter().enumerate() {
                            let off = self.abi.field_offset(r.fields.iter().map(|f| &f.ty), i);
                            out.push(self.load(&f.ty, addr + off)?);
                        }
                        Val::Record(out)
                    }
                    TypeDefKind::Tuple(t) => {
                        let mut out = try_vec(t.types.len())?;
                        for (i, ft) in t.types.iter().enumerate() {
                            let off = self.abi.field_offset(t.types.iter(), i);
                            out.push(self.load(ft, addr + off)?);
                        }
                        Val::Record(out)
                    }
                    TypeDefKind::Flags(f) => Val::Flags(match f.repr() {
                        FlagsRepr::U8 => self.read_uint(addr, 1)?,
                        FlagsRepr::U16 => self.read_uint(addr, 2)?,
                        FlagsRepr::U32(_) => self.read_uint(addr, 4)?,
                    } as u32),
                    TypeDefKind::Enum(e) => {
                        let c = self.read_uint(addr, Abi::int_size(e.tag()))? as u32;
                        if c as usize >= e.cases.len() {
                            bail!("invalid enum discriminant {c}");
                        }
                        Val::Enum(c)
                    }
                    TypeDefKind::Handle(_) => Val::Handle(self.read_uint(addr, 4)? as u32),
                    TypeDefKind::Option(_) | TypeDefKind::Result(_) | TypeDefKind::Variant(_) => {
                        let tag = self.abi.tag_of(kind);
                        let c = self.read_uint(addr, Abi::int_size(tag))? as u32;
                        let Some(case) = self.abi.case_type(kind, c as usize) else {
                            bail!("invalid variant discriminant {c}");
                        };
                        let off = self.abi.payload_offset(kind);
                        let mut payload = try_vec(1)?;
                        if let Some(t) = case {
                            payload.push(self.load(&t, addr + off)?);
                        }
                        Val::Variant(c, payload)
                    }
                    k => bail!("unsupported type {}", k.as_str()),
                }
            }
        })
    }
}

impl Abi<'_> {
    fn case_count(&self, kind: &TypeDefKind) -> usize {
        match kind {
            TypeDefKind::Option(_) | TypeDefKind::Result(_) => 2,
            TypeDefKind::Variant(v) => v.cases.len(),
            _ => 0,
        }
    }

    /// The payload type of case `c` of a variant-like type: `None` if there
    /// is no such case, `Some(None)` for a case without payload.
    pub fn case_type(&self, kind: &TypeDefKind, c: usize) -> Option<Option<Type>> {
        match (kind, c) {
            (TypeDefKind::Option(_), 0) => Some(None),
            (TypeDefKind::Option(t), 1) => Some(Some(*t)),
            (TypeDefKind::Result(r), 0) => Some(r.ok),
            (TypeDefKind::Result(r), 1) => Some(r.err),
            (TypeDefKind::Variant(v), c) => v.cases.get(c).map(|c| c.ty),
            _ => None,
        }
    }

    fn tag_of(&self, kind: &TypeDefKind) -> Int {
        match kind {
            TypeDefKind::Variant(v) => v.tag(),
            _ => Int::U8,
        }
    }
}

/// Writes host values into guest memory. With `mem == None` it only lays out
/// the arena, to compute the size a result needs without touching memory.
pub struct Lowerer<'a, 'm> {
    pub abi: &'a Abi<'a>,
    pub mem: Option<&'m mut [u8]>,
    pub arena: Option<Placement>,
    /// Handles at or above this index trap (resource limit).
    pub max_handle: u32,
}

impl Lowerer<'_, '_> {
    fn write(&mut self, addr: u64, bytes: &[u8]) -> Result<()> {
        if let Some(mem) = self.mem.as_deref_mut() {
            let r = bounds(mem.len(), addr, bytes.len() as u64)?;
            mem[r].copy_from_slice(bytes);
        }
        Ok(())
    }

    fn write_uint(&mut self, addr: u64, size: u64, v: u64) -> Result<()> {
        self.write(addr, &v.to_le_bytes()[..size as usize])
    }

    fn write_ptr(&mut self, addr: u64, v: u64) -> Result<()> {
        self.write_uint(addr, self.abi.ptr_size(), v)
    }

    /// Places a list's element array in the arena (pre-order) and returns its
    /// guest address.
    fn place(&mut self, size: u64, align: u64) -> Result<u64> {
        let arena = match self.arena.as_mut() {
            Some(Placement::Arena(a)) => a,
            Some(Placement::Record(sizes)) => {
                sizes.try_reserve(1)?;
                sizes.push((size, align));
                return Ok(0);
            }
            Some(Placement::Given(addrs)) => {
                return addrs
                    .pop_front()
                    .ok_or_else(|| format_err!("more lists than allocated"))
            }
            None => bail!("a list in the result of an import without a caller-supplied buffer"),
        };
        let off = arena
            .layout
            .alloc(size as usize, align as usize)
            .ok_or_else(|| format_err!("result too large"))? as u64;
        let addr = arena
            .base
            .checked_add(off)
            .ok_or_else(|| format_err!("guest pointer overflow"))?;
        Ok(addr)
    }

    /// Stores `val` of type `ty` at `addr`.
    pub fn store(&mut self, ty: &Type, val: &Val, addr: u64) -> Result<()> {
        let mismatch = || format_err!("host value {val} does not match its WIT type");
        match (self.abi.deref(ty), val) {
            (Type::Bool, Val::Bool(b)) => self.write_uint(addr, 1, *b as u64),
            (Type::U8, Val::U8(v)) => self.write_uint(addr, 1, *v as u64),
            (Type::U16, Val::U16(v)) => self.write_uint(addr, 2, *v as u64),
            (Type::U32, Val::U32(v)) => self.write_uint(addr, 4, *v as u64),
            (Type::U64, Val::U64(v)) => self.write_uint(addr, 8, *v),
            (Type::S8, Val::S8(v)) => self.write_uint(addr, 1, *v as u8 as u64),
            (Type::S16, Val::S16(v)) => self.write_uint(addr, 2, *v as u16 as u64),
            (Type::S32, Val::S32(v)) => self.write_uint(addr, 4, *v as u32 as u64),
            (Type::S64, Val::S64(v)) => self.write_uint(addr, 8, *v as u64),
            (Type::F32, Val::F32(v)) => self.write_uint(addr, 4, v.to_bits() as u64),
            (Type::F64, Val::F64(v)) => self.write_uint(addr, 8, v.to_bits()),
            (Type::Char, Val::Char(c)) => self.write_uint(addr, 4, *c as u64),
            (Type::String, Val::String(s)) => {
                let at = self.place(s.len() as u64, 1)?;
                self.write(at, s.as_bytes())?;
                self.write_ptr(addr, at)?;
                self.write_ptr(addr + self.abi.ptr_size(), s.len() as u64)
            }
            (Type::Id(_), _) => {
                let kind = self.abi.kind(ty).unwrap();
                match (kind, val) {
                    (TypeDefKind::List(_), Val::Bytes(b)) => {
                        let at = self.place(b.len() as u64, 1)?;
                        self.write(at, b)?;
                        self.write_ptr(addr, at)?;
                        self.write_ptr(addr + self.abi.ptr_size(), b.len() as u64)
                    }
                    (TypeDefKind::List(t), Val::List(items)) => {
                        let size = self.abi.size(t);
                        let total = size
                            .checked_mul(items.len() as u64)
                            .ok_or_else(|| format_err!("result too large"))?;
                        let at = self.place(total, self.abi.align(t))?;
                        for (i, item) in items.iter().enumerate() {
                            self.store(t, item, at + i as u64 * size)?;
                        }
                        self.write_ptr(addr, at)?;
                        self.write_ptr(addr + self.abi.ptr_size(), items.len() as u64)
                    }
                    (TypeDefKind::Record(r), Val::Record(vals)) if vals.len() == r.fields.len() => {
                        for (i, (f, v)) in r.fields.iter().zip(vals).enumerate() {
                            let off = self.abi.field_offset(r.fields.iter().map(|f| &f.ty), i);
                            self.store(&f.ty, v, addr + off)?;
                        }
                        Ok(())
                    }
                    (TypeDefKind::Tuple(tt), Val::Record(vals)) if vals.len() == tt.types.len() => {
                        for (i, (t, v)) in tt.types.iter().zip(vals).enumerate() {
                            let off = self.abi.field_offset(tt.types.iter(), i);
                            self.store(t, v, addr + off)?;
                        }
                        Ok(())
                    }
                    (TypeDefKind::Flags(f), Val::Flags(bits)) => {
                        let size = match f.repr() {
                            FlagsRepr::U8 => 1,
                            FlagsRepr::U16 => 2,
                            FlagsRepr::U32(_) => 4,
                        };
                        self.write_uint(addr, size, *bits as u64)
                    }
                    (TypeDefKind::Enum(e), Val::Enum(c)) => {
                        self.write_uint(addr, Abi::int_size(e.tag()), *c as u64)
                    }
                    (TypeDefKind::Handle(_), Val::Handle(h)) => {
                        if *h >= self.max_handle {
                            bail!(
                                "resource limit reached: more than {} live handles",
                                self.max_handle
                            );
                        }
                        self.write_uint(addr, 4, *h as u64)
                    }
                    (
                        TypeDefKind::Option(_) | TypeDefKind::Result(_) | TypeDefKind::Variant(_),
                        Val::Variant(c, p),
                    ) => {
                        let tag = self.abi.tag_of(kind);
                        let case = self.abi.case_type(kind, *c as usize).ok_or_else(mismatch)?;
                        self.write_uint(addr, Abi::int_size(tag), *c as u64)?;
                        let off = self.abi.payload_offset(kind);
                        match (case, p.first()) {
                            (Some(t), Some(v)) => self.store(&t, v, addr + off),
                            (None, None) => Ok(()),
                            _ => Err(mismatch()),
                        }
                    }
                    _ => Err(mismatch()),
                }
            }
            _ => Err(mismatch()),
        }
    }

    /// Lowers a value that flattens to core values (direct results).
    pub fn lower_flat(&mut self, ty: &Type, val: &Val, out: &mut Vec<u64>) -> Result<()> {
        let mismatch = || format_err!("host value {val} does not match its WIT type");
        match (self.abi.deref(ty), val) {
            (Type::Bool, Val::Bool(b)) => out.push(*b as u64),
            (Type::U8, Val::U8(v)) => out.push(*v as u64),
            (Type::U16, Val::U16(v)) => out.push(*v as u64),
            (Type::U32, Val::U32(v)) => out.push(*v as u64),
            (Type::U64, Val::U64(v)) => out.push(*v),
            (Type::S8, Val::S8(v)) => out.push(*v as u32 as u64),
            (Type::S16, Val::S16(v)) => out.push(*v as u32 as u64),
            (Type::S32, Val::S32(v)) => out.push(*v as u32 as u64),
            (Type::S64, Val::S64(v)) => out.push(*v as u64),
            (Type::Char, Val::Char(c)) => out.push(*c as u64),
            (Type::F32, Val::F32(v)) => out.push(v.to_bits() as u64),
            (Type::F64, Val::F64(v)) => out.push(v.to_bits()),
            (Type::String, Val::String(s)) => {
                let at = self.place(s.len() as u64, 1)?;
                self.write(at, s.as_bytes())?;
                out.extend([at, s.len() as u64]);
            }
            (Type::Id(_), _) => {
                let kind = self.abi.kind(ty).unwrap();
                match (kind, val) {
                    (TypeDefKind::List(t), Val::Bytes(b)) => {
                        let at = self.place(b.len() as u64, self.abi.align(t))?;
                        self.write(at, b)?;
                        out.extend([at, b.len() as u64]);
                    }
                    (TypeDefKind::List(t), Val::List(items)) => {
                        let size = self.abi.size(t);
                        let total = size
                            .checked_mul(items.len() as u64)
                            .ok_or_else(|| format_err!("list too large"))?;
                        let at = self.place(total, self.abi.align(t))?;
                        for (i, item) in items.iter().enumerate() {
                            self.store(t, item, at + i as u64 * size)?;
                        }
                        out.extend([at, items.len() as u64]);
                    }
                    (TypeDefKind::Record(r), Val::Record(vals)) if vals.len() == r.fields.len() => {
                        for (f, v) in r.fields.iter().zip(vals) {
                            self.lower_flat(&f.ty, v, out)?;
                        }
                    }
                    (TypeDefKind::Tuple(t), Val::Record(vals)) if vals.len() == t.types.len() => {
                        for (t, v) in t.types.iter().zip(vals) {
                            self.lower_flat(t, v, out)?;
                        }
                    }
                    (TypeDefKind::Flags(_), Val::Flags(b)) => out.push(*b as u64),
                    (TypeDefKind::Enum(_), Val::Enum(c)) => out.push(*c as u64),
                    (TypeDefKind::Handle(_), Val::Handle(h)) => {
                        if *h >= self.max_handle {
                            bail!(
                                "resource limit reached: more than {} live handles",
                                self.max_handle
                            );
                        }
                        out.push(*h as u64)
                    }
                    (
                        TypeDefKind::Option(_) | TypeDefKind::Result(_) | TypeDefKind::Variant(_),
                        Val::Variant(c, p),
                    ) => {
                        let slots = self.abi.flat_count(ty) - 1;
                        let start = out.len();
                        out.push(*c as u64);
                        if let Some(v) = p.first() {
                            let t = self
                                .abi
                                .case_type(kind, *c as usize)
                                .flatten()
                                .ok_or_else(mismatch)?;
                            self.lower_flat(&t, v, out)?;
                        }
                        out.resize(start + 1 + slots, 0);
                    }
                    _ => return Err(mismatch()),
                }
            }
            _ => return Err(mismatch()),
        }
        Ok(())
    }
}
