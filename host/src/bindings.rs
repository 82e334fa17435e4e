//! Plain Rust types as WIT values: what `wasit2_host::bindgen!`'s generated
//! code converts through. Records, enums, variants and flags get their
//! implementations from the macro; the built-in types are here.

use wasmtime::{bail, Result};

use crate::Val;

/// A Rust type that stands for a WIT type.
pub trait WitValue: Sized {
    /// `()` only: the "no payload" of `result<_, E>` and `result<T>`.
    #[doc(hidden)]
    const IS_UNIT: bool = false;

    fn into_val(self) -> Val;
    fn from_val(v: Val) -> Result<Self>;

    /// A `list<Self>`: `list<u8>` is kept as bytes.
    #[doc(hidden)]
    fn list_into_val(items: Vec<Self>) -> Val {
        Val::List(items.into_iter().map(Self::into_val).collect())
    }
    #[doc(hidden)]
    fn list_from_val(v: Val) -> Result<Vec<Self>> {
        match v {
            Val::List(items) => items.into_iter().map(Self::from_val).collect(),
            v => bail!("expected a list, got {v}"),
        }
    }
}

fn mismatch<T>(want: &str, got: &Val) -> Result<T> {
    bail!("expected {want}, got {got}")
}

macro_rules! scalar {
    ($($t:ty => $case:ident),*) => {$(
        impl WitValue for $t {
            fn into_val(self) -> Val {
                Val::$case(self)
            }
            fn from_val(v: Val) -> Result<Self> {
                match v {
                    Val::$case(x) => Ok(x),
                    v => mismatch(stringify!($t), &v),
                }
            }
        }
    )*};
}
scalar!(bool => Bool, u16 => U16, u32 => U32, u64 => U64, i8 => S8, i16 => S16,
        i32 => S32, i64 => S64, f32 => F32, f64 => F64, char => Char, String => String);

impl WitValue for u8 {
    fn into_val(self) -> Val {
        Val::U8(self)
    }
    fn from_val(v: Val) -> Result<Self> {
        match v {
            Val::U8(x) => Ok(x),
            v => mismatch("u8", &v),
        }
    }
    fn list_into_val(items: Vec<u8>) -> Val {
        Val::Bytes(items)
    }
    fn list_from_val(v: Val) -> Result<Vec<u8>> {
        match v {
            Val::Bytes(b) => Ok(b),
            Val::List(items) => items.into_iter().map(u8::from_val).collect(),
            v => mismatch("list<u8>", &v),
        }
    }
}

impl WitValue for () {
    const IS_UNIT: bool = true;
    fn into_val(self) -> Val {
        Val::unit()
    }
    fn from_val(_: Val) -> Result<Self> {
        Ok(())
    }
}

impl<T: WitValue> WitValue for Vec<T> {
    fn into_val(self) -> Val {
        T::list_into_val(self)
    }
    fn from_val(v: Val) -> Result<Self> {
        T::list_from_val(v)
    }
}

impl<T: WitValue> WitValue for Option<T> {
    fn into_val(self) -> Val {
        Val::option(self.map(T::into_val))
    }
    fn from_val(v: Val) -> Result<Self> {
        match v {
            Val::Variant(0, _) => Ok(None),
            Val::Variant(1, mut p) if p.len() == 1 => Ok(Some(T::from_val(p.remove(0))?)),
            v => mismatch("an option", &v),
        }
    }
}

/// A case payload: none for `()`.
fn payload<T: WitValue>(v: T) -> Vec<Val> {
    if T::IS_UNIT {
        Vec::new()
    } else {
        vec![v.into_val()]
    }
}

fn from_payload<T: WitValue>(mut p: Vec<Val>) -> Result<T> {
    match p.pop() {
        Some(v) => T::from_val(v),
        None => T::from_val(Val::unit()),
    }
}

impl<T: WitValue, E: WitValue> WitValue for Result<T, E> {
    fn into_val(self) -> Val {
        match self {
            Ok(v) => Val::Variant(0, payload(v)),
            Err(e) => Val::Variant(1, payload(e)),
        }
    }
    fn from_val(v: Val) -> Result<Self> {
        match v {
            Val::Variant(0, p) => Ok(Ok(from_payload(p)?)),
            Val::Variant(1, p) => Ok(Err(from_payload(p)?)),
            v => mismatch("a result", &v),
        }
    }
}

macro_rules! tuple {
    ($($n:ident),+) => {
        impl<$($n: WitValue),+> WitValue for ($($n,)+) {
            #[allow(non_snake_case)]
            fn into_val(self) -> Val {
                let ($($n,)+) = self;
                Val::Record(vec![$($n.into_val()),+])
            }
            #[allow(non_snake_case)]
            fn from_val(v: Val) -> Result<Self> {
                match v {
                    Val::Record(fields) => {
                        let mut it = fields.into_iter();
                        $(let $n = $n::from_val(it.next().ok_or_else(|| wasmtime::format_err!("tuple too short"))?)?;)+
                        Ok(($($n,)+))
                    }
                    v => mismatch("a tuple", &v),
                }
            }
        }
    };
}
tuple!(A);
tuple!(A, B);
tuple!(A, B, C);
tuple!(A, B, C, D);
tuple!(A, B, C, D, E);
tuple!(A, B, C, D, E, F);

/// A resource handle, as the guest holds it: the embedder keeps the
/// resource itself (e.g. in a table indexed by `rep`). 0 is never valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Handle(pub u32);

impl WitValue for Handle {
    fn into_val(self) -> Val {
        Val::Handle(self.0)
    }
    fn from_val(v: Val) -> Result<Self> {
        match v {
            Val::Handle(h) => Ok(Handle(h)),
            v => mismatch("a handle", &v),
        }
    }
}

/// Takes the next argument of a generated import's call.
#[doc(hidden)]
pub fn arg<T: WitValue>(args: &mut std::vec::IntoIter<Val>) -> Result<T> {
    match args.next() {
        Some(v) => T::from_val(v),
        None => bail!("missing argument"),
    }
}
