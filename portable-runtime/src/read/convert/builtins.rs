//! [`FromPickle`] for Rust's primitives, strings, wrappers and collections,
//! read from Python's builtin values; [`FromPickleBytes`] for the types of
//! `#[pickle(bytes)]` fields.

use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::hash::{BuildHasher, Hash};
use std::num::{
    NonZeroI128, NonZeroI16, NonZeroI32, NonZeroI64, NonZeroI8, NonZeroIsize, NonZeroU128, NonZeroU16, NonZeroU32,
    NonZeroU64, NonZeroU8, NonZeroUsize, Saturating, Wrapping,
};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use super::{
    int_i128, mismatch, read_map, read_seq, read_set, seq_items, ClassNames, FromPickle, FromPickleBytes, ReadContext,
};
use crate::read::error::{Error, ErrorKind};
use crate::read::value::Value;

macro_rules! int_from {
    ($($t:ty),*) => {$(
        impl FromPickle for $t {
            fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
                let v = int_i128(value, stringify!($t))?;
                <$t>::try_from(v).map_err(|_| Error::new(ErrorKind::IntOutOfRange { value: v.to_string(), ty: stringify!($t) }))
            }
        }
    )*};
}
int_from!(i8, i16, i32, i64, i128, isize, u16, u32, u64, usize);

impl FromPickle for u128 {
    fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
        let out_of_range = |value: String| Error::new(ErrorKind::IntOutOfRange { value, ty: "u128" });
        match value.get() {
            Value::Int(i) => u128::try_from(*i).map_err(|_| out_of_range(i.to_string())),
            Value::BigInt(b) => b.to_u128().ok_or_else(|| out_of_range(b.to_string())),
            other => Err(mismatch("int", other)),
        }
    }
}

impl FromPickle for u8 {
    fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
        let v = int_i128(value, "u8")?;
        u8::try_from(v).map_err(|_| {
            Error::new(ErrorKind::IntOutOfRange {
                value: v.to_string(),
                ty: "u8",
            })
        })
    }

    /// `bytes` and `bytearray`, or a list of ints.
    fn vec_from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Vec<Self>, Error> {
        match value.get() {
            Value::Bytes(b) | Value::ByteArray(b) => {
                cx.charge(b.len())?;
                Ok(b.clone())
            }
            Value::List(_) | Value::Tuple(_) => read_seq(value, cx, "bytes"),
            other => Err(mismatch("bytes", other)),
        }
    }
}

impl FromPickle for f64 {
    fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
        match value.get() {
            Value::Float(f) => Ok(*f),
            Value::Int(i) if i.unsigned_abs() <= 1 << 53 => Ok(*i as f64),
            other => Err(mismatch("float", other)),
        }
    }
}

/// Narrowed from the `float` (exact for values written from an `f32`).
impl FromPickle for f32 {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        f64::from_pickle(value, cx).map(|f| f as f32)
    }
}

impl FromPickle for bool {
    fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
        match value.get() {
            Value::Bool(b) => Ok(*b),
            other => Err(mismatch("bool", other)),
        }
    }
}

impl FromPickle for char {
    fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
        match value.get() {
            Value::Str(s) => {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Ok(c),
                    _ => Err(Error::invalid(format!(
                        "expected a str of one character, found one of {}",
                        s.chars().count()
                    ))),
                }
            }
            other => Err(mismatch("str of one character", other)),
        }
    }
}

impl FromPickle for String {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        match value.get() {
            Value::Str(s) => {
                cx.charge(s.len())?;
                Ok(s.clone())
            }
            other => Err(mismatch("str", other)),
        }
    }
}

impl FromPickle for Box<str> {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        String::from_pickle(value, cx).map(String::into_boxed_str)
    }
}

/// A `str` the stream references more than once reads as one allocation.
impl FromPickle for Rc<str> {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        cx.shared(value, |cx| String::from_pickle(value, cx).map(Rc::from))
    }
}

/// A `str` the stream references more than once reads as one allocation.
impl FromPickle for Arc<str> {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        cx.shared(value, |cx| String::from_pickle(value, cx).map(Arc::from))
    }
}

/// A `str` (paths are written as `str`).
impl FromPickle for PathBuf {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        String::from_pickle(value, cx).map(PathBuf::from)
    }
}

impl FromPickle for () {
    fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
        match value.get() {
            Value::None => Ok(()),
            other => Err(mismatch("None", other)),
        }
    }
}

/// `None` is `None`; anything else is `Some`. A missing field is `None`.
impl<T: FromPickle> FromPickle for Option<T> {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        match value.get() {
            Value::None => Ok(None),
            _ => T::from_pickle(value, cx).map(Some),
        }
    }

    fn from_missing() -> Option<Self> {
        Some(None)
    }

    fn declare_classes(names: &mut ClassNames) {
        T::declare_classes(names);
    }
}

/// The decoded value itself (taken without copying by `from_slice::<Value>`).
/// A part of a larger read is cloned, shared nodes by reference; the nodes
/// copied are charged first (the part may be reached again and again through
/// a shared node around it).
impl FromPickle for Value {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        let (mut nodes, mut bytes) = (0usize, 0usize);
        let mut todo = vec![value];
        while let Some(v) = todo.pop() {
            nodes += 1;
            match v {
                Value::Str(s) => bytes += s.len(),
                Value::Bytes(b) | Value::ByteArray(b) => bytes += b.len(),
                Value::List(items) | Value::Tuple(items) | Value::Set(items) | Value::FrozenSet(items) => {
                    todo.extend(items)
                }
                Value::Dict(pairs) => todo.extend(pairs.iter().flat_map(|(k, v)| [k, v])),
                Value::Object(o) => {
                    todo.extend(&o.args);
                    todo.extend(o.kwargs.iter().flat_map(|(k, v)| [k, v]));
                    todo.extend(&o.state);
                }
                _ => {}
            }
        }
        cx.charge_items::<Value>(nodes)?;
        cx.charge(bytes)?;
        Ok(value.clone())
    }

    fn from_pickle_owned(value: Value, _: &mut ReadContext) -> Result<Self, Error> {
        Ok(value)
    }
}

impl<T: FromPickle> FromPickle for Box<T> {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        cx.charge(std::mem::size_of::<T>())?;
        T::from_pickle(value, cx).map(Box::new)
    }

    fn declare_classes(names: &mut ClassNames) {
        T::declare_classes(names);
    }
}

macro_rules! shared_from {
    ($($t:ident),*) => {$(
        /// An object the stream references more than once (as the writer
        /// writes one allocation reached twice) reads back as one allocation,
        /// cloned wherever it recurs; distinct objects stay distinct.
        impl<T: FromPickle> FromPickle for $t<T> {
            fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
                cx.shared(value, |cx| {
                    cx.charge(std::mem::size_of::<T>())?;
                    T::from_pickle(value, cx).map($t::new)
                })
            }

            fn declare_classes(names: &mut ClassNames) {
                T::declare_classes(names);
            }
        }
    )*};
}
shared_from!(Rc, Arc);

macro_rules! inner_from {
    ($($t:ident),*) => {$(
        /// Read as the wrapped value.
        impl<T: FromPickle> FromPickle for $t<T> {
            fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
                T::from_pickle(value, cx).map($t)
            }

            fn declare_classes(names: &mut ClassNames) {
                T::declare_classes(names);
            }
        }
    )*};
}
inner_from!(Wrapping, Saturating, Reverse);

/// The owned form of the borrowed data.
impl<T: ToOwned + ?Sized + 'static> FromPickle for Cow<'static, T>
where
    T::Owned: FromPickle,
{
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        T::Owned::from_pickle(value, cx).map(Cow::Owned)
    }

    fn declare_classes(names: &mut ClassNames) {
        T::Owned::declare_classes(names);
    }
}

macro_rules! nonzero_from {
    ($($t:ident($inner:ty)),*) => {$(
        /// An `int` other than 0.
        impl FromPickle for $t {
            fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
                $t::new(<$inner>::from_pickle(value, cx)?)
                    .ok_or_else(|| Error::invalid(concat!("expected a non-zero int for ", stringify!($t), ", found 0")))
            }
        }
    )*};
}
nonzero_from!(
    NonZeroI8(i8),
    NonZeroI16(i16),
    NonZeroI32(i32),
    NonZeroI64(i64),
    NonZeroI128(i128),
    NonZeroIsize(isize),
    NonZeroU8(u8),
    NonZeroU16(u16),
    NonZeroU32(u32),
    NonZeroU64(u64),
    NonZeroU128(u128),
    NonZeroUsize(usize)
);

/// A `list` or `tuple`; `Vec<u8>` reads `bytes`.
impl<T: FromPickle> FromPickle for Vec<T> {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        T::vec_from_pickle(value, cx)
    }

    fn declare_classes(names: &mut ClassNames) {
        T::declare_classes(names);
    }
}

impl<T: FromPickle> FromPickle for Box<[T]> {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        T::vec_from_pickle(value, cx).map(Vec::into_boxed_slice)
    }

    fn declare_classes(names: &mut ClassNames) {
        T::declare_classes(names);
    }
}

/// A `list` (or `bytes` for `[u8; N]`) of exactly `N` items.
impl<T: FromPickle, const N: usize> FromPickle for [T; N] {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        let len = match value.get() {
            Value::List(v) | Value::Tuple(v) | Value::Set(v) => v.len(),
            Value::Bytes(b) | Value::ByteArray(b) => b.len(),
            _ => N,
        };
        if len != N {
            return Err(Error::invalid(format!(
                "expected {N} items, found a {} of {len}",
                value.type_name()
            )));
        }
        let v = T::vec_from_pickle(value, cx)?;
        v.try_into().map_err(|_| Error::invalid(format!("expected {N} items")))
    }

    fn declare_classes(names: &mut ClassNames) {
        T::declare_classes(names);
    }
}

macro_rules! seq_from {
    ($($t:ident $(: $bound:ident)?),*) => {$(
        /// A `list` or `tuple`.
        impl<T: FromPickle $(+ $bound)?> FromPickle for $t<T> {
            fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
                read_seq(value, cx, "list")
            }

            fn declare_classes(names: &mut ClassNames) {
                T::declare_classes(names);
            }
        }
    )*};
}
seq_from!(VecDeque, LinkedList, BinaryHeap: Ord);

/// A `set` or `frozenset` (also a `list` or `tuple`).
impl<T: FromPickle + Eq + Hash, S: BuildHasher + Default + 'static> FromPickle for HashSet<T, S> {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        read_set(value, cx)
    }

    fn declare_classes(names: &mut ClassNames) {
        T::declare_classes(names);
    }
}

/// A `set` or `frozenset` (also a `list` or `tuple`).
impl<T: FromPickle + Ord> FromPickle for BTreeSet<T> {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        read_set(value, cx)
    }

    fn declare_classes(names: &mut ClassNames) {
        T::declare_classes(names);
    }
}

/// A `dict`.
impl<K: FromPickle + Eq + Hash, V: FromPickle, S: BuildHasher + Default + 'static> FromPickle for HashMap<K, V, S> {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        read_map(value, cx)
    }

    fn declare_classes(names: &mut ClassNames) {
        K::declare_classes(names);
        V::declare_classes(names);
    }
}

/// A `dict`.
impl<K: FromPickle + Ord, V: FromPickle> FromPickle for BTreeMap<K, V> {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        read_map(value, cx)
    }

    fn declare_classes(names: &mut ClassNames) {
        K::declare_classes(names);
        V::declare_classes(names);
    }
}

macro_rules! tuple_from {
    ($($n:literal => ($($t:ident $i:tt),+);)*) => {$(
        /// A `tuple` (or `list`) of exactly this many items.
        impl<$($t: FromPickle),+> FromPickle for ($($t,)+) {
            fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
                let items = seq_items(value, concat!("tuple of ", $n), false)?;
                if items.len() != $n {
                    return Err(Error::mismatch(concat!("tuple of ", $n), format!("{} of {}", value.type_name(), items.len())));
                }
                Ok(($($t::from_pickle(&items[$i], cx).map_err(|e| e.in_index($i))?,)+))
            }

            fn declare_classes(names: &mut ClassNames) {
                $($t::declare_classes(names);)+
            }
        }
    )*};
}
for_each_tuple!(tuple_from);

/// `-1`, `0` or `1`.
impl FromPickle for Ordering {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        match i8::from_pickle(value, cx)? {
            -1 => Ok(Ordering::Less),
            0 => Ok(Ordering::Equal),
            1 => Ok(Ordering::Greater),
            v => Err(Error::invalid(format!("expected -1, 0 or 1 for Ordering, found {v}"))),
        }
    }
}

impl FromPickleBytes for Vec<u8> {
    fn from_pickle_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Ok(bytes.to_vec())
    }
}

impl FromPickleBytes for Box<[u8]> {
    fn from_pickle_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Ok(bytes.into())
    }
}

impl<const N: usize> FromPickleBytes for [u8; N] {
    fn from_pickle_bytes(bytes: &[u8]) -> Result<Self, Error> {
        bytes
            .try_into()
            .map_err(|_| Error::invalid(format!("expected {N} bytes, found {}", bytes.len())))
    }
}

impl FromPickleBytes for String {
    fn from_pickle_bytes(bytes: &[u8]) -> Result<Self, Error> {
        String::from_utf8(bytes.to_vec()).map_err(|_| Error::invalid("bytes are not UTF-8"))
    }
}

impl FromPickleBytes for Box<str> {
    fn from_pickle_bytes(bytes: &[u8]) -> Result<Self, Error> {
        String::from_pickle_bytes(bytes).map(String::into_boxed_str)
    }
}
