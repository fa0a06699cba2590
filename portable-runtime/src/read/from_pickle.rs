//! The typed read side: [`FromPickle`] and its impls for std types (the
//! README's mapping table, read backwards).

use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::hash::{BuildHasher, Hash};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::{
    NonZeroI128, NonZeroI16, NonZeroI32, NonZeroI64, NonZeroI8, NonZeroIsize, NonZeroU128, NonZeroU16, NonZeroU32,
    NonZeroU64, NonZeroU8, NonZeroUsize, Saturating, Wrapping,
};
use std::ops::{Range, RangeInclusive};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::error::{Error, ErrorKind};
use super::value::{Object, Value};
use super::ReadOptions;

/// Bytes charged per item converted, on top of its size: the work of
/// visiting it, so even zero-sized items exhaust the budget.
const ITEM_OVERHEAD: usize = 32;

/// State of one typed read: the allocation budget shared with the decoder.
pub struct ReadContext {
    used: usize,
    max_alloc: usize,
}

impl ReadContext {
    pub(crate) fn new(options: &ReadOptions) -> Self {
        ReadContext {
            used: 0,
            max_alloc: options.max_alloc,
        }
    }

    /// Charges `bytes` about to be allocated; fails past
    /// [`ReadOptions::max_alloc`]. Every impl that allocates or repeats work
    /// per element charges, so a stream whose shared references expand into
    /// a huge value stops early.
    pub fn charge(&mut self, bytes: usize) -> Result<(), Error> {
        self.used = self.used.saturating_add(bytes.max(1));
        self.check()
    }

    /// Charges `n` items of `T`, each with a fixed overhead for visiting it.
    pub fn charge_items<T>(&mut self, n: usize) -> Result<(), Error> {
        self.used = self
            .used
            .saturating_add(n.saturating_mul(std::mem::size_of::<T>() + ITEM_OVERHEAD));
        self.check()
    }

    fn check(&self) -> Result<(), Error> {
        if self.used > self.max_alloc {
            return Err(Error::new(ErrorKind::Limit {
                what: "total allocation",
                limit: self.max_alloc,
            }));
        }
        Ok(())
    }
}

/// The Python class names (`__qualname__`s) a Rust type and the types it
/// contains expect; the reader admits globals with these names from any module.
#[derive(Default)]
pub struct ClassNames {
    names: HashSet<String>,
    visited: HashSet<&'static str>,
}

impl ClassNames {
    /// Marks the type `type_name` visited; `false` if it was already (stops
    /// the walk on recursive types).
    pub fn enter(&mut self, type_name: &'static str) -> bool {
        self.visited.insert(type_name)
    }

    /// Adds a class `__qualname__`.
    pub fn add(&mut self, name: &str) {
        self.names.insert(name.to_owned());
    }

    /// Whether `name` was added.
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }
}

/// A Rust value that can be read from a decoded pickle [`Value`].
///
/// `#[derive(PortablePickle)]` implements it for types without lifetime
/// parameters; this crate implements it for the std types of the mapping table.
pub trait FromPickle: Sized {
    /// Converts a decoded value. Errors say what was expected and what was found.
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error>;

    /// Converts the whole decoded value, which the caller gives away
    /// ([`Value`] itself takes it without copying).
    fn from_pickle_owned(value: Value, cx: &mut ReadContext) -> Result<Self, Error> {
        Self::from_pickle(&value, cx)
    }

    /// The value of a field that is absent: `None` for `Option`, else there
    /// is none and the field is reported missing.
    fn from_missing() -> Option<Self> {
        None
    }

    /// Adds the Python class names this type reads (see [`ClassNames`]).
    fn declare_classes(names: &mut ClassNames) {
        let _ = names;
    }

    /// Reads a `Vec<Self>`: from a `list` or `tuple`; `u8` also reads `bytes`.
    #[doc(hidden)]
    fn vec_from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Vec<Self>, Error> {
        read_seq(value, cx, "list")
    }
}

pub(crate) fn mismatch(expected: &str, found: &Value) -> Error {
    Error::mismatch(expected, found.type_name())
}

/// Items of a `list` or `tuple` (also sets, for collections without order).
pub(crate) fn seq_items<'v>(value: &'v Value, expected: &str, sets: bool) -> Result<&'v [Value], Error> {
    match value.get() {
        Value::List(v) | Value::Tuple(v) => Ok(v),
        Value::Set(v) | Value::FrozenSet(v) if sets => Ok(v),
        other => Err(mismatch(expected, other)),
    }
}

fn read_seq<T: FromPickle, C: FromIterator<T>>(
    value: &Value,
    cx: &mut ReadContext,
    expected: &str,
) -> Result<C, Error> {
    let items = seq_items(value, expected, false)?;
    cx.charge_items::<T>(items.len())?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| T::from_pickle(v, cx).map_err(|e| e.in_index(i)))
        .collect()
}

pub(crate) fn read_set<T: FromPickle, C: FromIterator<T>>(value: &Value, cx: &mut ReadContext) -> Result<C, Error> {
    let items = seq_items(value, "set", true)?;
    cx.charge_items::<T>(items.len())?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| T::from_pickle(v, cx).map_err(|e| e.in_index(i)))
        .collect()
}

pub(crate) fn read_map<K: FromPickle, V: FromPickle, C: FromIterator<(K, V)>>(
    value: &Value,
    cx: &mut ReadContext,
) -> Result<C, Error> {
    let pairs = match value.get() {
        Value::Dict(p) => p,
        other => return Err(mismatch("dict", other)),
    };
    cx.charge_items::<(K, V)>(pairs.len())?;
    pairs
        .iter()
        .map(|(k, v)| {
            let key = K::from_pickle(k, cx).map_err(Error::in_key)?;
            let name = match k.get() {
                Value::Str(s) => s.clone(),
                Value::Int(i) => i.to_string(),
                _ => "<value>".into(),
            };
            let val = V::from_pickle(v, cx).map_err(|e| e.in_field(&name))?;
            Ok((key, val))
        })
        .collect()
}

/// The `int` as an `i128`, or the error for `ty`.
fn int_i128(value: &Value, ty: &'static str) -> Result<i128, Error> {
    match value.get() {
        Value::Int(i) => Ok(i128::from(*i)),
        Value::BigInt(b) => b.to_i128().ok_or_else(|| {
            Error::new(ErrorKind::IntOutOfRange {
                value: b.to_string(),
                ty,
            })
        }),
        other => Err(mismatch("int", other)),
    }
}

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

impl FromPickle for Rc<str> {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        String::from_pickle(value, cx).map(Rc::from)
    }
}

impl FromPickle for Arc<str> {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        String::from_pickle(value, cx).map(Arc::from)
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
impl FromPickle for Value {
    fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
        Ok(value.clone())
    }

    fn from_pickle_owned(value: Value, _: &mut ReadContext) -> Result<Self, Error> {
        Ok(value)
    }
}

macro_rules! wrapper_from {
    ($($t:ident :: $new:ident),*) => {$(
        impl<T: FromPickle> FromPickle for $t<T> {
            fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
                cx.charge(std::mem::size_of::<T>())?;
                T::from_pickle(value, cx).map($t::$new)
            }

            fn declare_classes(names: &mut ClassNames) {
                T::declare_classes(names);
            }
        }
    )*};
}
// Rc/Arc read back as separate allocations: sharing in the stream is not
// reproduced on the Rust side.
wrapper_from!(Box::new, Rc::new, Arc::new);

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
impl<T: ToOwned + ?Sized> FromPickle for Cow<'_, T>
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
impl<T: FromPickle + Eq + Hash, S: BuildHasher + Default> FromPickle for HashSet<T, S> {
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
impl<K: FromPickle + Eq + Hash, V: FromPickle, S: BuildHasher + Default> FromPickle for HashMap<K, V, S> {
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

/// The object if it is an instance of stdlib class `module.name`.
pub(crate) fn std_object<'v>(value: &'v Value, module: &str, name: &str) -> Result<&'v Object, Error> {
    match value.get() {
        Value::Object(o) if o.class.is(module, name) => Ok(o),
        other => Err(mismatch(&format!("{module}.{name}"), other)),
    }
}

pub(crate) fn int_arg(o: &Object, i: usize, what: &str) -> Result<i128, Error> {
    let v = o
        .args
        .get(i)
        .ok_or_else(|| Error::invalid(format!("{}.{} without {what}", o.class.module, o.class.name)))?;
    int_i128(v, "i128").map_err(|e| e.in_field(what))
}

/// A `datetime.timedelta` as whole microseconds.
fn timedelta_micros(value: &Value) -> Result<i128, Error> {
    let o = std_object(value, "datetime", "timedelta")?;
    let days = if o.args.is_empty() { 0 } else { int_arg(o, 0, "days")? };
    let secs = if o.args.len() > 1 { int_arg(o, 1, "seconds")? } else { 0 };
    let micros = if o.args.len() > 2 {
        int_arg(o, 2, "microseconds")?
    } else {
        0
    };
    Ok((days * 86_400 + secs) * 1_000_000 + micros)
}

/// `datetime.timedelta`; a negative one is refused.
impl FromPickle for Duration {
    fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
        let micros = timedelta_micros(value)?;
        let micros = u128::try_from(micros)
            .map_err(|_| Error::invalid(format!("negative timedelta ({micros} µs) for Duration")))?;
        let secs = u64::try_from(micros / 1_000_000).map_err(|_| Error::invalid("timedelta too large for Duration"))?;
        Ok(Duration::new(secs, (micros % 1_000_000) as u32 * 1000))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i128, m: i128, d: i128) -> i128 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// UTC offset in microseconds of a `tzinfo` value.
pub(crate) fn utc_offset_micros(tz: &Value) -> Result<i128, Error> {
    match tz.get() {
        Value::Global(g) if g.is("datetime", "timezone.utc") => Ok(0),
        Value::Object(o) if o.class.is("datetime", "timezone") => {
            let offset = o
                .args
                .first()
                .ok_or_else(|| Error::invalid("datetime.timezone without offset"))?;
            timedelta_micros(offset)
        }
        Value::None => Err(Error::invalid(
            "naive datetime (no tzinfo) for SystemTime; expected an aware datetime",
        )),
        other => Err(mismatch("datetime.timezone", other)),
    }
}

/// The fields of a `datetime.datetime` (year, month, day, hour, minute,
/// second, microsecond) and its tzinfo, from our stream's arguments or from
/// CPython's compact 10-byte state.
pub(crate) fn datetime_parts(value: &Value) -> Result<([i128; 7], Option<&Value>), Error> {
    let o = std_object(value, "datetime", "datetime")?;
    Ok(match o.args.first().map(Value::get) {
        // CPython's compact state: 10 bytes, then the tzinfo.
        Some(Value::Bytes(b)) if b.len() == 10 => {
            let f = [
                i128::from(b[0]) * 256 + i128::from(b[1]),
                i128::from(b[2] & 0x7f),
                i128::from(b[3]),
                i128::from(b[4]),
                i128::from(b[5]),
                i128::from(b[6]),
                (i128::from(b[7]) << 16) | (i128::from(b[8]) << 8) | i128::from(b[9]),
            ];
            (f, o.args.get(1))
        }
        _ => {
            let names = ["year", "month", "day", "hour", "minute", "second", "microsecond"];
            let mut f = [0i128; 7];
            for (i, name) in names.iter().enumerate() {
                f[i] = if i < 3 || i < o.args.len() {
                    int_arg(o, i, name)?
                } else {
                    0
                };
            }
            (f, o.args.get(7))
        }
    })
}

/// A tz-aware `datetime.datetime` (any fixed offset), to the microsecond.
impl FromPickle for SystemTime {
    fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
        let (fields, tz) = datetime_parts(value)?;
        let [y, mo, d, h, mi, s, us] = fields;
        let offset = utc_offset_micros(tz.unwrap_or(&Value::None))?;
        let micros = (days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s) * 1_000_000 + us - offset;
        let abs = micros.unsigned_abs();
        let d = Duration::new(
            u64::try_from(abs / 1_000_000).map_err(|_| Error::invalid("datetime out of range"))?,
            (abs % 1_000_000) as u32 * 1000,
        );
        let t = if micros >= 0 {
            UNIX_EPOCH.checked_add(d)
        } else {
            UNIX_EPOCH.checked_sub(d)
        };
        t.ok_or_else(|| Error::invalid("datetime out of SystemTime's range"))
    }
}

fn ip_arg<'v>(value: &'v Value, class: &str) -> Result<&'v Value, Error> {
    match value.get() {
        Value::Object(o) if o.class.is("ipaddress", class) => o
            .args
            .first()
            .ok_or_else(|| Error::invalid(format!("ipaddress.{class} without value"))),
        Value::Str(_) => Ok(value),
        other => Err(mismatch(&format!("ipaddress.{class}"), other)),
    }
}

/// `ipaddress.IPv4Address` (from its int or str form), or a `str`.
impl FromPickle for Ipv4Addr {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        match ip_arg(value, "IPv4Address")?.get() {
            Value::Str(s) => s
                .parse()
                .map_err(|_| Error::invalid(format!("{s:?} is not an IPv4 address"))),
            v => u32::from_pickle(v, cx).map(Ipv4Addr::from),
        }
    }
}

/// `ipaddress.IPv6Address` (from its int or str form), or a `str`.
impl FromPickle for Ipv6Addr {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        match ip_arg(value, "IPv6Address")?.get() {
            Value::Str(s) => s
                .parse()
                .map_err(|_| Error::invalid(format!("{s:?} is not an IPv6 address"))),
            v => u128::from_pickle(v, cx).map(Ipv6Addr::from),
        }
    }
}

/// `ipaddress.IPv4Address` or `IPv6Address`, or a `str`.
impl FromPickle for IpAddr {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        match value.get() {
            Value::Object(o) if o.class.is("ipaddress", "IPv6Address") => {
                Ipv6Addr::from_pickle(value, cx).map(IpAddr::V6)
            }
            Value::Str(s) => s
                .parse()
                .map_err(|_| Error::invalid(format!("{s:?} is not an IP address"))),
            _ => Ipv4Addr::from_pickle(value, cx).map(IpAddr::V4),
        }
    }
}

/// `(start, stop)` of a `range` with step 1.
fn range_bounds(value: &Value) -> Result<(i128, i128), Error> {
    let o = std_object(value, "builtins", "range")?;
    let (start, stop) = match o.args.len() {
        1 => (0, int_arg(o, 0, "stop")?),
        2 | 3 => (int_arg(o, 0, "start")?, int_arg(o, 1, "stop")?),
        n => return Err(Error::invalid(format!("range with {n} arguments"))),
    };
    if o.args.len() == 3 && int_arg(o, 2, "step")? != 1 {
        return Err(Error::invalid("range with a step other than 1"));
    }
    Ok((start, stop))
}

macro_rules! range_from {
    ($($t:ty),*) => {$(
        /// `range(start, stop)`.
        impl FromPickle for Range<$t> {
            fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
                let (start, stop) = range_bounds(value)?;
                let conv = |v: i128| <$t>::try_from(v).map_err(|_| Error::new(ErrorKind::IntOutOfRange { value: v.to_string(), ty: stringify!($t) }));
                Ok(conv(start)?..conv(stop)?)
            }
        }

        /// `range(start, end + 1)`.
        impl FromPickle for RangeInclusive<$t> {
            fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
                let (start, stop) = range_bounds(value)?;
                let conv = |v: i128| <$t>::try_from(v).map_err(|_| Error::new(ErrorKind::IntOutOfRange { value: v.to_string(), ty: stringify!($t) }));
                Ok(conv(start)?..=conv(stop - 1)?)
            }
        }
    )*};
}
range_from!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

/// Bytes fields (`#[pickle(bytes)]`): types written through `AsRef<[u8]>`.
pub trait FromPickleBytes: Sized {
    /// Converts the bytes.
    fn from_pickle_bytes(bytes: &[u8]) -> Result<Self, Error>;
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

#[cfg(test)]
mod tests {
    use super::days_from_civil;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 2, 29), 11_016);
        assert_eq!(days_from_civil(1, 1, 1), -719_162);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }
}
