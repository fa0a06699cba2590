//! The Python objects serde reads in another form than their own:
//! arrays (`numpy.ndarray`, `array.array`, as the derive's `#[pickle(array)]`
//! fields and CPython's re-pickles of them hold) as sequences, and stdlib
//! objects with a standard text (`datetime.datetime`, `uuid.UUID`,
//! `decimal.Decimal`) as that text, the form serde's own impls of
//! `chrono`, `uuid` and `rust_decimal` types read when `is_human_readable`.

use serde::de::{self, Visitor};

use crate::array::{decode, Decoded, Element};
use crate::read::stdlib::{datetime_parts, utc_offset_micros, uuid_parts, UuidParts};
use crate::read::{Error, ErrorKind, FromPickle, Object, ReadContext, Value};

/// One item of an array: an element, or a sub-array of an n-d array.
pub(super) enum Item {
    F64(f64),
    I64(i64),
    U64(u64),
    Bool(bool),
    Seq(Vec<Item>),
}

/// The items of the array `value`, nested by its shape; `None` if `value`
/// is no array. Each element dtype is tried: decoding checks the dtype
/// before it touches the data.
#[inline(never)]
pub(super) fn array_items(value: &Value, cx: &mut ReadContext) -> Result<Option<Vec<Item>>, Error> {
    fn items<E: Element>(d: Decoded<E>, f: fn(E) -> Item) -> Vec<Item> {
        let mut flat = d.data.into_iter().map(f);
        nest(&d.shape, &mut flat)
    }
    macro_rules! try_dtypes {
        ($($t:ty => $f:expr;)*) => {$(
            match decode::<$t>(value, cx) {
                Ok(d) => return Ok(Some(items(d, $f))),
                Err(e) if matches!(e.kind(), ErrorKind::TypeMismatch { .. }) => {}
                Err(e) => return Err(e),
            }
        )*};
    }
    try_dtypes! {
        f64 => Item::F64;
        f32 => |x| Item::F64(f64::from(x));
        i64 => Item::I64;
        i32 => |x| Item::I64(i64::from(x));
        i16 => |x| Item::I64(i64::from(x));
        i8 => |x| Item::I64(i64::from(x));
        u64 => Item::U64;
        u32 => |x| Item::U64(u64::from(x));
        u16 => |x| Item::U64(u64::from(x));
        u8 => |x| Item::U64(u64::from(x));
        bool => Item::Bool;
    }
    Ok(None)
}

/// The C-order elements `flat` as nested items of `shape` (a 1-d array is
/// its elements).
fn nest(shape: &[usize], flat: &mut impl Iterator<Item = Item>) -> Vec<Item> {
    match shape {
        [] => flat.next().into_iter().collect(),
        [n] => flat.take(*n).collect(),
        [n, rest @ ..] => (0..*n).map(|_| Item::Seq(nest(rest, flat))).collect(),
    }
}

/// Visits the items as a sequence; an item's error names its index.
pub(super) fn visit_array<'de, V: Visitor<'de>>(items: Vec<Item>, visitor: V) -> Result<V::Value, Error> {
    struct Items(std::iter::Enumerate<std::vec::IntoIter<Item>>);
    impl<'de> de::SeqAccess<'de> for Items {
        type Error = Error;

        fn next_element_seed<T: de::DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
            match self.0.next() {
                Some((i, item)) => seed.deserialize(item).map(Some).map_err(|e| e.in_index(i)),
                None => Ok(None),
            }
        }

        fn size_hint(&self) -> Option<usize> {
            Some(self.0.len())
        }
    }
    let n = items.len();
    let mut seq = Items(items.into_iter().enumerate());
    let v = visitor.visit_seq(&mut seq)?;
    match seq.0.len() {
        0 => Ok(v),
        left => Err(de::Error::invalid_length(n, &format!("{} items", n - left).as_str())),
    }
}

impl<'de> de::Deserializer<'de> for Item {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Item::F64(x) => visitor.visit_f64(x),
            Item::I64(x) => visitor.visit_i64(x),
            Item::U64(x) => visitor.visit_u64(x),
            Item::Bool(x) => visitor.visit_bool(x),
            Item::Seq(items) => visit_array(items, visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// The standard text of a stdlib object serde reads as a string:
/// `datetime.datetime` in ISO 8601 (`2023-11-14T22:13:20.000005+00:00`,
/// RFC 3339 when aware), `uuid.UUID` hyphenated, `decimal.Decimal` as
/// written; `None` for any other object.
#[inline(never)]
pub(super) fn text_form(value: &Value, o: &Object, cx: &mut ReadContext) -> Result<Option<String>, Error> {
    if o.class.is("datetime", "datetime") {
        let ([y, mo, d, h, mi, s, us], tz) = datetime_parts(value)?;
        let mut text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
        if us != 0 {
            text.push_str(&format!(".{us:06}"));
        }
        if let Some(tz) = tz.filter(|tz| !matches!(tz.get(), Value::None)) {
            let off = utc_offset_micros(tz)?;
            if off % 60_000_000 != 0 {
                return Err(Error::invalid(
                    "a UTC offset of fractional minutes has no RFC 3339 text",
                ));
            }
            let minutes = off.abs() / 60_000_000;
            let sign = if off < 0 { '-' } else { '+' };
            text.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
        }
        return Ok(Some(text));
    }
    if o.class.is("uuid", "UUID") {
        return Ok(Some(match uuid_parts(value, cx)? {
            UuidParts::Text(s) => s.to_owned(),
            UuidParts::Int(int) => {
                let n = u128::from_pickle(int, cx)?;
                let h = format!("{n:032x}");
                format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
            }
        }));
    }
    if o.class.is("decimal", "Decimal") {
        if let Some(Value::Str(s)) = o.args.first().map(Value::get) {
            return Ok(Some(s.clone()));
        }
    }
    Ok(None)
}
