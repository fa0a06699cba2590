//! Helpers the derive's read impls call (`portable_pickle::__private::read`).
//! Not a stable API.

use super::{FromPickleBytes, ReadContext, ITEM_OVERHEAD};
use crate::read::error::{quoted, Error};
use crate::read::value::{Object, Value};

/// Field values found for a struct or variant, by field index.
pub type Slots<'v> = Vec<Option<&'v Value>>;

/// How a class reads its fields.
pub struct Shape<'a> {
    /// The Python class name (`__qualname__`).
    pub name: &'a str,
    /// Python field names, in order.
    pub fields: &'a [&'a str],
    /// Fields `_0`, `_1`, …: also readable from a plain `tuple`/`list`.
    pub tuple: bool,
    /// Refuse attributes that are not fields.
    pub deny_unknown: bool,
}

fn put<'v>(shape: &Shape<'_>, slots: &mut Slots<'v>, key: &'v Value, value: &'v Value) -> Result<(), Error> {
    let Value::Str(name) = key.get() else {
        return Err(Error::mismatch(
            format!("str attribute name of {}", shape.name),
            key.type_name(),
        ));
    };
    match shape.fields.iter().position(|f| f == name) {
        Some(i) => slots[i] = Some(value),
        None if shape.deny_unknown => return Err(Error::unknown_field(shape.name, name)),
        None => {}
    }
    Ok(())
}

fn put_dict<'v>(shape: &Shape<'_>, slots: &mut Slots<'v>, dict: &'v Value) -> Result<(), Error> {
    match dict.get() {
        Value::Dict(pairs) => pairs.iter().try_for_each(|(k, v)| put(shape, slots, k, v)),
        Value::None => Ok(()),
        other => Err(Error::mismatch(
            format!("dict state of {}", shape.name),
            other.type_name(),
        )),
    }
}

fn dict_len(v: &Value) -> usize {
    match v.get() {
        Value::Dict(pairs) => pairs.len(),
        _ => 0,
    }
}

/// Charges the attributes visited beyond the fields the type reads (which
/// its size pays for): an object reached again and again through shared
/// references costs what walking its attributes costs.
fn charge_attrs(cx: &mut ReadContext, shape: &Shape<'_>, attrs: usize) -> Result<(), Error> {
    match attrs.saturating_sub(shape.fields.len()) {
        0 => Ok(()),
        extra => cx.charge(extra.saturating_mul(ITEM_OVERHEAD)),
    }
}

fn fill_object<'v>(shape: &Shape<'_>, o: &'v Object, cx: &mut ReadContext) -> Result<Slots<'v>, Error> {
    let state = match o.state.as_ref().map(Value::get) {
        Some(Value::Tuple(parts)) if parts.len() == 2 => dict_len(&parts[0]) + dict_len(&parts[1]),
        Some(v) => dict_len(v),
        None => 0,
    };
    charge_attrs(cx, shape, o.args.len() + o.kwargs.len() + state)?;
    let mut slots = vec![None; shape.fields.len()];
    if o.args.len() > shape.fields.len() {
        return Err(Error::invalid(format!(
            "{} has {} fields, found {} positional arguments",
            shape.name,
            shape.fields.len(),
            o.args.len()
        )));
    }
    for (slot, arg) in slots.iter_mut().zip(&o.args) {
        *slot = Some(arg);
    }
    for (k, v) in &o.kwargs {
        put(shape, &mut slots, k, v)?;
    }
    match o.state.as_ref().map(Value::get) {
        None => {}
        // `(instance dict, slots dict)` of classes with `__slots__`.
        Some(Value::Tuple(parts)) if parts.len() == 2 => {
            put_dict(shape, &mut slots, &parts[0])?;
            put_dict(shape, &mut slots, &parts[1])?;
        }
        Some(_) => put_dict(shape, &mut slots, o.state.as_ref().expect("some"))?,
    }
    Ok(slots)
}

/// Finds the fields of a struct: an object of class `shape.name` (positional
/// arguments, keyword arguments, then its state dict), a plain `dict` by
/// field names, or for tuple structs a `tuple`/`list`.
pub fn read_struct<'v>(
    value: &'v Value,
    cx: &mut ReadContext,
    size: usize,
    shape: &Shape<'_>,
) -> Result<Slots<'v>, Error> {
    cx.charge(size + 32)?;
    match value.get() {
        Value::Object(o) if o.class.name == shape.name => fill_object(shape, o, cx),
        Value::Dict(_) => {
            charge_attrs(cx, shape, dict_len(value))?;
            let mut slots = vec![None; shape.fields.len()];
            put_dict(shape, &mut slots, value)?;
            Ok(slots)
        }
        Value::Tuple(items) | Value::List(items) if shape.tuple => {
            if items.len() != shape.fields.len() {
                return Err(Error::mismatch(
                    format!("{} ({} fields)", shape.name, shape.fields.len()),
                    format!("{} of {}", value.type_name(), items.len()),
                ));
            }
            Ok(items.iter().map(Some).collect())
        }
        other => Err(Error::mismatch(shape.name, other.type_name())),
    }
}

/// Finds the variant and its fields: an object whose class `__qualname__` is
/// `Enum.Variant`, or the variant's name as a `str` for a variant without
/// required fields.
pub fn read_variant<'v>(
    value: &'v Value,
    cx: &mut ReadContext,
    size: usize,
    enum_name: &str,
    variants: &[Shape<'_>],
) -> Result<(usize, Slots<'v>), Error> {
    cx.charge(size + 32)?;
    match value.get() {
        Value::Object(o) => {
            let found = o
                .class
                .name
                .strip_prefix(enum_name)
                .and_then(|rest| rest.strip_prefix('.'))
                .and_then(|v| variants.iter().position(|s| s.name == v));
            match found {
                Some(i) => Ok((i, fill_object(&variants[i], o, cx)?)),
                None => Err(Error::mismatch(enum_name, value.type_name())),
            }
        }
        Value::Str(s) => match variants.iter().position(|v| v.name == s) {
            Some(i) => Ok((i, vec![None; variants[i].fields.len()])),
            None => Err(Error::invalid(format!("{enum_name} has no variant {}", quoted(s)))),
        },
        other => Err(Error::mismatch(enum_name, other.type_name())),
    }
}

/// The member index of a unit-only enum: an object of class `name` with the
/// member's value (`Enum(value)`), the value as an `int`, or the member's
/// name as a `str`.
pub fn read_unit_enum(value: &Value, name: &str, members: &[(&str, i128)]) -> Result<usize, Error> {
    let by_value = |v: &Value| -> Result<usize, Error> {
        let n = match v.get() {
            Value::Int(i) => i128::from(*i),
            Value::BigInt(b) => b.to_i128().unwrap_or(i128::MAX),
            other => return Err(Error::mismatch(format!("int value of {name}"), other.type_name())),
        };
        members
            .iter()
            .position(|(_, m)| *m == n)
            .ok_or_else(|| Error::invalid(format!("no member of {name} has value {n}")))
    };
    match value.get() {
        Value::Object(o) if o.class.name == name && o.args.len() == 1 => by_value(&o.args[0]),
        Value::Int(_) | Value::BigInt(_) => by_value(value),
        Value::Str(s) => members
            .iter()
            .position(|(m, _)| m == s)
            .ok_or_else(|| Error::invalid(format!("{name} has no member {}", quoted(s)))),
        other => Err(Error::mismatch(name, other.type_name())),
    }
}

/// A field's value read by `read`, or, when absent, `missing()` (`None`
/// for `Option`, the default of a `#[pickle(default)]` field), else an
/// error naming the type and field. The derive passes the field's reader
/// as a path (`<T as FromPickle>::from_pickle`, a codec's function), so an
/// unmet bound is reported once, at the field's type.
#[inline]
pub fn field<T>(
    slot: Option<&Value>,
    cx: &mut ReadContext,
    ty: &str,
    name: &str,
    read: fn(&Value, &mut ReadContext) -> Result<T, Error>,
    missing: fn() -> Option<T>,
) -> Result<T, Error> {
    match slot {
        Some(v) => read(v, cx).map_err(|e| e.in_field(name)),
        None => missing().ok_or_else(|| Error::missing_field(ty, name)),
    }
}

/// `missing` of a field without a value when absent.
pub fn absent<T>() -> Option<T> {
    None
}

/// `missing` of a `#[pickle(default)]` field.
pub fn default<T: Default>() -> Option<T> {
    Some(T::default())
}

/// `read` of a `#[pickle(bytes)]` field.
pub fn bytes_value<T: FromPickleBytes>(value: &Value, cx: &mut ReadContext) -> Result<T, Error> {
    match value.get() {
        Value::Bytes(b) | Value::ByteArray(b) => {
            cx.charge(b.len())?;
            T::from_pickle_bytes(b)
        }
        other => Err(Error::mismatch("bytes", other.type_name())),
    }
}

/// What reads a `#[pickle(display)]` field back: `FromStr`, with an error
/// that can be shown. Its own trait so that a type without it gets an error
/// that says so and what to do.
#[diagnostic::on_unimplemented(
    message = "`#[pickle(display)]` reads `{Self}` back with `FromStr`, which it does not implement",
    label = "`{Self}` is read from the `str` it was written as",
    note = "implement `FromStr` for it (with an error type that implements `Display`), or write the type only: \
            `#[pickle(write_only)]` on the struct or enum, which then has no read impl"
)]
pub trait DisplayRead: Sized {
    /// Parses the field's `str`.
    fn parse_field(s: &str) -> Result<Self, String>;
}

impl<T> DisplayRead for T
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    fn parse_field(s: &str) -> Result<Self, String> {
        s.parse().map_err(|e: T::Err| e.to_string())
    }
}

/// `read` of a `#[pickle(display)]` field: a `str` parsed with `FromStr`.
pub fn display_value<T: DisplayRead>(value: &Value, cx: &mut ReadContext) -> Result<T, Error> {
    match value.get() {
        Value::Str(s) => {
            cx.charge(s.len())?;
            T::parse_field(s).map_err(|e| Error::invalid(format!("cannot parse {}: {e}", quoted(s))))
        }
        other => Err(Error::mismatch("str", other.type_name())),
    }
}
