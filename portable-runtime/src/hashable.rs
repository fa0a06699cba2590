//! [`PyHashable`]: the types whose Python form can be a `dict` key or a
//! `set` element. The map and set impls require it of their keys, so a
//! Rust map that Python could not load is a compile error, not a
//! `TypeError: unhashable type` at load time.

use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::{NonZeroI128, NonZeroI16, NonZeroI32, NonZeroI64, NonZeroI8, NonZeroIsize};
use std::num::{NonZeroU128, NonZeroU16, NonZeroU32, NonZeroU64, NonZeroU8, NonZeroUsize};
use std::num::{Saturating, Wrapping};
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::read::Value;

/// A type whose Python form is hashable, so it can be a key of a written
/// `HashMap`/`BTreeMap` (a Python `dict`) or an element of a `HashSet`/
/// `BTreeSet` (a `set`).
///
/// Python's contract: an object that compares by value and can change has
/// no hash. So `int`, `float`, `str`, `bytes`, `None`, tuples of hashables,
/// `datetime`/`timedelta`, `ipaddress`, `range` and `enum` members are
/// hashable, while `list`, `dict` and `set` are not, nor is an instance of
/// a mutable (non-frozen) dataclass.
///
/// `#[derive(PortablePickle)]` implements it for a unit-only enum (its
/// members are hashable), and for a struct or an enum with data marked
/// `#[pickle(frozen)]` (immutable, hashed by value) or `#[pickle(hash)]`
/// (mutable, hashed by value all the same), when every field written
/// through its own impls is `PyHashable` (a field with a codec —
/// `display`, `bytes`, `with`, `serde` — is taken as hashable); a
/// `#[pickle(transparent)]` struct when its field is.
///
/// [`Value`] implements it: a dynamic value is the writer's own
/// responsibility (a `Value::List` key fails when Python loads the stream).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a Python dict key or set element: its Python form is not hashable",
    label = "not hashable in Python",
    note = "a map's keys and a set's elements must be hashable in Python: numbers, `str`, `bytes`, tuples of \
            hashables, unit-only enums, and derived types marked `#[pickle(frozen)]` (immutable, hashed by \
            value) or `#[pickle(hash)]` (mutable, hashed by value all the same) whose fields are hashable",
    note = "a `Vec`, map or set becomes a `list`, `dict` or `set`, which Python cannot hash"
)]
pub trait PyHashable {}

macro_rules! hashable {
    ($($t:ty),* $(,)?) => {
        $(impl PyHashable for $t {})*
    };
}

hashable!(
    bool,
    char,
    f32,
    f64,
    (),
    str,
    String,
    Value,
    Ordering,
    Duration,
    SystemTime,
    Ipv4Addr,
    Ipv6Addr,
    IpAddr,
    Path,
    PathBuf,
    [u8],
);
/// `bytes`.
impl PyHashable for Vec<u8> {}
hashable!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
hashable!(
    NonZeroI8,
    NonZeroI16,
    NonZeroI32,
    NonZeroI64,
    NonZeroI128,
    NonZeroIsize,
    NonZeroU8,
    NonZeroU16,
    NonZeroU32,
    NonZeroU64,
    NonZeroU128,
    NonZeroUsize,
);
hashable!(Range<i8>, Range<i16>, Range<i32>, Range<i64>, Range<isize>);
hashable!(Range<u8>, Range<u16>, Range<u32>, Range<u64>, Range<usize>);
hashable!(
    RangeInclusive<i8>,
    RangeInclusive<i16>,
    RangeInclusive<i32>,
    RangeInclusive<i64>
);
hashable!(
    RangeInclusive<isize>,
    RangeInclusive<u8>,
    RangeInclusive<u16>,
    RangeInclusive<u32>
);
hashable!(RangeInclusive<u64>, RangeInclusive<usize>);

impl<const N: usize> PyHashable for [u8; N] {}
impl<T: PyHashable> PyHashable for Option<T> {}
impl<T: PyHashable + ?Sized> PyHashable for &T {}
impl<T: PyHashable + ?Sized> PyHashable for &mut T {}
impl<T: PyHashable + ?Sized> PyHashable for Box<T> {}
impl<T: PyHashable + ?Sized> PyHashable for Rc<T> {}
impl<T: PyHashable + ?Sized> PyHashable for Arc<T> {}
impl<T: PyHashable + ToOwned + ?Sized> PyHashable for Cow<'_, T> {}
impl<T: PyHashable> PyHashable for Wrapping<T> {}
impl<T: PyHashable> PyHashable for Saturating<T> {}
impl<T: PyHashable> PyHashable for Reverse<T> {}

macro_rules! tuple_hashable {
    ($($n:literal => ($($t:ident $i:tt),+);)+) => {
        $(impl<$($t: PyHashable),+> PyHashable for ($($t,)+) {})+
    };
}
for_each_tuple!(tuple_hashable);

#[cfg(feature = "chrono")]
mod chrono_hashable {
    use super::PyHashable;
    use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};
    hashable!(
        NaiveDate,
        NaiveTime,
        NaiveDateTime,
        DateTime<Utc>,
        DateTime<FixedOffset>
    );
}

#[cfg(feature = "uuid")]
hashable!(uuid::Uuid);

#[cfg(feature = "rust_decimal")]
hashable!(rust_decimal::Decimal);

#[cfg(feature = "num-complex")]
hashable!(num_complex::Complex<f32>, num_complex::Complex<f64>);
