//! Reading: a `serde::Deserializer` over the decoded `Value`.
//!
//! A stream is decoded as for any read (`crate::read`), then a serde type is
//! built from the [`Value`] tree by [`Deserializer`], which looks through
//! [`Value::Shared`] and charges the read's [`ReadContext`] budget for every
//! node it visits, so a small stream whose memo references expand into a
//! huge value stops at [`ReadOptions::max_alloc`].
//!
//! **Admission of globals.** serde knows no class names of its target type,
//! so the class-name predicate of a serde read admits nothing: the
//! namespace's stand-in classes and the fixed stdlib table are admitted as
//! for any read, and a class of a real module (an instance CPython
//! re-pickled where the declared module was importable, or plain Python
//! objects) needs [`ReadOptions::allow_global`].
//!
//! **Mapping** (what each serde request accepts):
//!
//! - integers of every width, `i128`/`u128` included: an `int`, range-checked
//!   ([`ErrorKind::IntOutOfRange`]); floats: a `float`, or an `int` of at
//!   most 2^53; `bool`; `char`: a `str` of one character; strings: `str`;
//!   bytes: `bytes`/`bytearray` (also a `str`, or a list of ints);
//! - `Option`: `None` or the value; unit: `None`;
//! - sequences and tuples: `list`, `tuple` (sequences also `set` and
//!   `frozenset`); `bytes`/`bytearray` as a sequence of `u8`; an array
//!   (`numpy.ndarray`, `array.array`: what a `#[pickle(array)]` field
//!   writes, and CPython's re-pickles of them) as the sequence of its
//!   elements, nested by its shape; a tuple must have exactly its length;
//! - strings also from `datetime.datetime` (ISO 8601 text, with the UTC
//!   offset when aware), `uuid.UUID` (hyphenated) and `decimal.Decimal`:
//!   the text serde's own impls of chrono, uuid and rust_decimal types read
//!   (`is_human_readable`), so a derive-written field of such a type reads
//!   through serde;
//! - maps: a `dict`, or the attributes of an object;
//! - a struct: an object of the class named as the struct (its positional
//!   arguments named by the class's field names, then its keyword
//!   arguments, then its `BUILD` state dict or `(dict, slots)` state; a
//!   later attribute replaces an earlier one of the same name), a `dict`,
//!   or a `list`/`tuple` of the fields in order; a class without known field
//!   names (not a portable-pickle class) names its positional arguments by
//!   the struct's fields;
//! - a tuple struct: an object of its class (fields `_0`, `_1`, …) or a
//!   `list`/`tuple`; a newtype struct: an object of its class (field `_0`)
//!   or, as serde's own formats write it, the inner value; a unit struct:
//!   `None` or an object of its class;
//! - an enum: an object whose class `__qualname__` is `Enum.Variant` (what
//!   the serde writer makes for every variant, `Enum.Variant()` for a unit
//!   variant, and what the derive makes for data-enum variants), with the
//!   variant's content as for a struct (newtype `_0`, tuple `_0`…`_n`, named
//!   fields); a `str` (a unit variant by name); a `dict` of one entry
//!   `{variant: content}`. A member of a derived unit-only enum
//!   (`Enum(value)`, and CPython's re-pickle of it) carries its value, not
//!   its name, and serde knows variants only by name: such a member is an
//!   error (read the type with `FromPickle`, or write it with the serde
//!   bridge);
//! - `deserialize_any` (self-describing use: untagged and internally tagged
//!   enums, `flatten`, dynamic values) gives what serde_json would for the
//!   same Rust value: an object of a variant class (a dotted `__qualname__`
//!   in the runtime namespace) is the map `{variant: content}`, and an
//!   object's content is unit without attributes, the value of a single
//!   `_0`, a sequence for `_0`…`_n`, else the map of its attributes; `None`
//!   is unit, an `int` is `u64`/`i64` (`u128`/`i128` beyond), sets are
//!   sequences.
//!
//! Names are compared as the writer (and the derive) make them: a class,
//! variant or attribute name that is a Python keyword carries a trailing
//! `_` (`class_` for serde's `class`), which is dropped unless the target
//! type lists the name with it. Positional arguments are named by the
//! class's own field names, which a portable-pickle class carries (in the
//! stream and in CPython's re-pickles); a stream written from a [`Value`]
//! names stand-in classes by reference only, so their positional arguments
//! are then named by the target struct's fields, in order (which misnames
//! them where the writer skipped fields, `skip_serializing_if`).
//! `is_human_readable` is `true`, as for the writer.
//!
//! The conversion recurses once per level of the value, through serde's
//! visitors: at the reader's default depth limit it fits a 2 MiB thread
//! stack even in a debug build, for derived types and for serde's buffering
//! of untagged enums (the paths that recurse keep their frames small and
//! their error handling out of line).
//!
//! Errors carry the path to the offending value (`.items[2].name`), as the
//! `FromPickle` errors do; serde's own errors map to the [`ErrorKind`]s of
//! the read side (a missing field to [`ErrorKind::MissingField`], a wrong
//! type to [`ErrorKind::TypeMismatch`], anything else to
//! [`ErrorKind::Invalid`] with serde's message).

use std::fmt::Display;
use std::io::Read;

use serde::de::value::{BorrowedStrDeserializer, SeqDeserializer};
use serde::de::{self, Deserialize, DeserializeOwned, Deserializer as _, Unexpected, Visitor};

use super::de_access::{Attrs, DictAccess, EnumAccess, Names, SeqAccess, TaggedAccess, VariantContent};
use super::de_foreign::{array_items, text_form, visit_array};
use crate::layout::NAMESPACE;
use crate::names::PYTHON_KEYWORDS;
use crate::read::{self, Error, ErrorKind, KnownPrefixes, Object, ReadContext, ReadOptions, Value};

/// Reads a `T` from one pickle in `bytes` (bytes after its `STOP` are
/// ignored); a stream starting with `prefixes.header` has it skipped.
/// Globals are admitted as the module doc says (nothing by class name).
pub fn from_slice_with_header<T: DeserializeOwned>(
    prefixes: KnownPrefixes<'_>,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<T, Error> {
    let (value, mut cx) = read::decode_slice_unnamed(prefixes, bytes, options)?;
    T::deserialize(Deserializer::new(&value, &mut cx))
}

/// Reads a `T` from one pickle read from `reader`, consuming exactly its bytes.
pub fn from_reader_with_header<R: Read, T: DeserializeOwned>(
    prefixes: KnownPrefixes<'_>,
    reader: R,
    options: &ReadOptions,
) -> Result<T, Error> {
    let (value, mut cx) = read::decode_reader_unnamed(prefixes, reader, options)?;
    T::deserialize(Deserializer::new(&value, &mut cx))
}

/// Builds a `T` from a decoded [`Value`] (strings and bytes may be borrowed
/// from it), within the allocation budget of `options`.
pub fn from_value<'de, T: Deserialize<'de>>(value: &'de Value, options: &ReadOptions) -> Result<T, Error> {
    let mut cx = ReadContext::new(options);
    T::deserialize(Deserializer::new(value, &mut cx))
}

/// A field with `#[pickle(serde)]` of a derived `FromPickle` impl: read
/// through serde. An absent field is `default()` when given, else what
/// serde reads from `None` (`Option`'s `None`), else missing.
#[doc(hidden)]
pub fn read_field<T: DeserializeOwned>(
    slot: Option<&Value>,
    cx: &mut ReadContext,
    ty: &str,
    name: &str,
    default: Option<fn() -> T>,
) -> Result<T, Error> {
    match (slot, default) {
        (Some(v), _) => T::deserialize(Deserializer::new(v, cx)).map_err(|e| e.in_field(name)),
        (None, Some(default)) => Ok(default()),
        (None, None) => T::deserialize(Deserializer::new(&Value::None, cx)).map_err(|_| Error::missing_field(ty, name)),
    }
}

impl de::Error for Error {
    fn custom<M: Display>(msg: M) -> Self {
        Error::invalid(msg.to_string())
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::mismatch(exp.to_string(), unexp.to_string())
    }

    /// The struct's name is filled in where the reader knows it (`named`).
    fn missing_field(field: &'static str) -> Self {
        Error::missing_field("", field)
    }

    fn unknown_field(field: &str, _expected: &'static [&'static str]) -> Self {
        Error::unknown_field("", field)
    }
}

/// `e` with the name `ty` of the struct whose visitor reported a missing or
/// unknown field (serde's errors do not know it).
pub(super) fn named(e: Error, ty: &str) -> Error {
    if !e.path().is_empty() {
        return e;
    }
    match e.kind() {
        ErrorKind::MissingField { ty: t, field } if t.is_empty() => Error::missing_field(ty, field),
        ErrorKind::UnknownField { ty: t, field } if t.is_empty() => Error::unknown_field(ty, field),
        _ => e,
    }
}

/// A derived unit-only enum's member (`Enum(value)`) where serde wants a
/// variant by name (out of line: the visitors recurse through the caller).
#[inline(never)]
#[cold]
fn member_by_value(name: &str, o: &Object) -> Error {
    let value = match o.args.first().map(Value::get) {
        Some(Value::Str(s)) => crate::read::error::quoted(s),
        Some(Value::Int(i)) => format!("Int({i})"),
        Some(other) => other.type_name(),
        None => "?".into(),
    };
    Error::invalid(format!(
        "a member of the enum {name} given by its value ({value}): serde reads enum variants by name only; \
         read this type with FromPickle, or write it with the serde bridge"
    ))
}

pub(super) fn mismatch(expected: &str, found: &Value) -> Error {
    Error::mismatch(expected, found.type_name())
}

/// A `serde::Deserializer` over a decoded [`Value`] (looking through
/// [`Value::Shared`]), charging `cx` for what it visits. See the module doc
/// for what each request accepts.
pub struct Deserializer<'a, 'de> {
    value: &'de Value,
    cx: &'a mut ReadContext,
}

impl<'a, 'de> Deserializer<'a, 'de> {
    /// A deserializer of `value`, within `cx`'s budget.
    pub fn new(value: &'de Value, cx: &'a mut ReadContext) -> Self {
        Deserializer { value: value.get(), cx }
    }

    /// Charges the visit of this node (its bytes, for strings and bytes).
    fn visit(&mut self) -> Result<(), Error> {
        self.cx.charge_items::<Value>(1)?;
        match self.value {
            Value::Str(s) => self.cx.charge(s.len()),
            Value::Bytes(b) | Value::ByteArray(b) => self.cx.charge(b.len()),
            _ => Ok(()),
        }
    }

    fn int<T: TryFrom<i128> + TryFrom<u128>>(&mut self, ty: &'static str) -> Result<T, Error> {
        self.visit()?;
        let out_of_range = |value: String| Error::new(ErrorKind::IntOutOfRange { value, ty });
        match self.value {
            Value::Int(i) => T::try_from(i128::from(*i)).map_err(|_| out_of_range(i.to_string())),
            Value::BigInt(b) => match (b.to_i128(), b.to_u128()) {
                (Some(i), _) => T::try_from(i).map_err(|_| out_of_range(b.to_string())),
                (None, Some(u)) => T::try_from(u).map_err(|_| out_of_range(b.to_string())),
                (None, None) => Err(out_of_range(b.to_string())),
            },
            other => Err(mismatch("int", other)),
        }
    }

    fn float(&mut self) -> Result<f64, Error> {
        self.visit()?;
        match self.value {
            Value::Float(f) => Ok(*f),
            Value::Int(i) if i.unsigned_abs() <= 1 << 53 => Ok(*i as f64),
            other => Err(mismatch("float", other)),
        }
    }

    /// The items of a `list`/`tuple` (`sets`: also `set`/`frozenset`) or
    /// the bytes of `bytes`/`bytearray`, visited as a sequence that must be
    /// read to its end.
    fn seq<V: Visitor<'de>>(self, visitor: V, expected: &str, sets: bool) -> Result<V::Value, Error> {
        match self.value {
            Value::List(items) | Value::Tuple(items) => SeqAccess::visit(items.iter(), Names::Index, self.cx, visitor),
            Value::Set(items) | Value::FrozenSet(items) if sets => {
                SeqAccess::visit(items.iter(), Names::Index, self.cx, visitor)
            }
            Value::Bytes(b) | Value::ByteArray(b) => byte_seq(b, visitor),
            Value::Object(_) => match array_items(self.value, self.cx)? {
                Some(items) => visit_array(items, visitor),
                None => Err(mismatch(expected, self.value)),
            },
            other => Err(mismatch(expected, other)),
        }
    }

    /// `deserialize_any` of a value that is no container (out of line, as
    /// [`Self::struct_not_object`]).
    #[inline(never)]
    fn any_scalar<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::None => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => match u64::try_from(*i) {
                Ok(u) => visitor.visit_u64(u),
                Err(_) => visitor.visit_i64(*i),
            },
            Value::BigInt(b) => match (b.to_u128(), b.to_i128()) {
                (Some(u), _) => visitor.visit_u128(u),
                (None, Some(i)) => visitor.visit_i128(i),
                (None, None) => Err(Error::new(ErrorKind::IntOutOfRange {
                    value: b.to_string(),
                    ty: "i128",
                })),
            },
            Value::Float(f) => visitor.visit_f64(*f),
            Value::Str(s) => visitor.visit_borrowed_str(s),
            Value::Bytes(b) | Value::ByteArray(b) => visitor.visit_borrowed_bytes(b),
            other => Err(mismatch("a value", other)),
        }
    }

    /// `deserialize_any` of an object: `{variant: content}` for a variant
    /// class, else its content. Not inlined, so `deserialize_any`'s frame,
    /// once per level of a nested self-describing read, stays small.
    #[inline(never)]
    fn any_object<V: Visitor<'de>>(self, o: &'de Object, visitor: V) -> Result<V::Value, Error> {
        let attrs = Attrs::of(o, &[], self.cx)?;
        match variant_class(o) {
            Some(variant) => TaggedAccess::visit(variant, attrs, self.cx, visitor),
            None => any_attrs(attrs, self.cx, visitor),
        }
    }

    /// A struct from what is not an object of its class (out of line: an
    /// object's fields recurse through `deserialize_struct`, and a debug
    /// build's frames hold every temporary of every arm).
    #[inline(never)]
    fn struct_not_object<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Dict(pairs) => DictAccess::visit(pairs, self.cx, visitor).map_err(|e| named(e, name)),
            Value::List(_) | Value::Tuple(_) => self.seq(visitor, name, false),
            other => Err(mismatch(name, other)),
        }
    }

    /// An object's attributes as a map (positional arguments named by its
    /// class's fields, else by `fallback`).
    fn attrs_map<V: Visitor<'de>>(
        self,
        o: &'de Object,
        fallback: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        Attrs::of(o, fallback, self.cx)?.visit_map(self.cx, visitor, &o.class.name)
    }
}

/// `bytes` as a sequence of `u8` (out of line, as [`Deserializer::struct_not_object`]).
#[inline(never)]
fn byte_seq<'de, V: Visitor<'de>>(b: &[u8], visitor: V) -> Result<V::Value, Error> {
    let mut seq = SeqDeserializer::<_, Error>::new(b.iter().copied());
    let value = visitor.visit_seq(&mut seq)?;
    seq.end()?;
    Ok(value)
}

/// The variant name of an object whose class is a variant class of the
/// runtime namespace (`Enum.Variant`): what `deserialize_any` writes as
/// `{variant: content}`.
fn variant_class(o: &Object) -> Option<&str> {
    if o.class.module != NAMESPACE {
        return None;
    }
    o.class
        .name
        .rsplit_once('.')
        .map(|(_, variant)| serde_name(variant, &[]))
}

/// Whether the Python name `py` (a class, variant or attribute name) is the
/// serde name `name`: the same, or `name` a Python keyword and `py` it with
/// a trailing `_` (`class_`, as the writer and the derive name it).
fn python_name_is(py: &str, name: &str) -> bool {
    py == name
        || py
            .strip_suffix('_')
            .is_some_and(|stem| stem == name && PYTHON_KEYWORDS.contains(&stem))
}

/// Whether `o` is an object of the class serde names `name`.
fn is_class(o: &Object, name: &str) -> bool {
    python_name_is(&o.class.name, name)
}

/// The serde name of the Python name `py`: a keyword with a trailing `_`
/// loses it, unless `names` (the names the target type lists) has `py`
/// itself.
pub(super) fn serde_name<'n>(py: &'n str, names: &[&str]) -> &'n str {
    match py.strip_suffix('_') {
        Some(stem) if PYTHON_KEYWORDS.contains(&stem) && !names.contains(&py) => stem,
        _ => py,
    }
}

/// An object's content for `deserialize_any` (see the module doc).
pub(super) fn any_attrs<'de, V: Visitor<'de>>(
    attrs: Attrs<'de>,
    cx: &mut ReadContext,
    visitor: V,
) -> Result<V::Value, Error> {
    match attrs.tuple_len() {
        Some(0) => visitor.visit_unit(),
        Some(1) => {
            let v = attrs.value(0);
            Deserializer::new(v, cx)
                .deserialize_any(visitor)
                .map_err(|e| e.in_field("_0"))
        }
        Some(_) => SeqAccess::visit(attrs.values(), Names::Fields, cx, visitor),
        None => attrs.visit_map(cx, visitor, ""),
    }
}

macro_rules! int_methods {
    ($($method:ident $visit:ident $t:ident),*) => {$(
        fn $method<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
            let v: $t = self.int(stringify!($t))?;
            visitor.$visit(v)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Deserializer<'_, 'de> {
    type Error = Error;

    int_methods!(
        deserialize_i8 visit_i8 i8, deserialize_i16 visit_i16 i16, deserialize_i32 visit_i32 i32,
        deserialize_i64 visit_i64 i64, deserialize_i128 visit_i128 i128,
        deserialize_u8 visit_u8 u8, deserialize_u16 visit_u16 u16, deserialize_u32 visit_u32 u32,
        deserialize_u64 visit_u64 u64, deserialize_u128 visit_u128 u128
    );

    fn deserialize_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        self.visit()?;
        match self.value {
            Value::List(items) | Value::Tuple(items) | Value::Set(items) | Value::FrozenSet(items) => {
                SeqAccess::visit(items.iter(), Names::Index, self.cx, visitor)
            }
            Value::Dict(pairs) => DictAccess::visit(pairs, self.cx, visitor),
            Value::Object(o) => self.any_object(o, visitor),
            _ => self.any_scalar(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        self.visit()?;
        match self.value {
            Value::Bool(b) => visitor.visit_bool(*b),
            other => Err(mismatch("bool", other)),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        let f = self.float()?;
        visitor.visit_f32(f as f32)
    }

    fn deserialize_f64<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        let f = self.float()?;
        visitor.visit_f64(f)
    }

    fn deserialize_char<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        self.visit()?;
        match self.value {
            Value::Str(s) => {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => visitor.visit_char(c),
                    _ => Err(Error::invalid(format!(
                        "expected a str of one character, found one of {}",
                        s.chars().count()
                    ))),
                }
            }
            other => Err(mismatch("str of one character", other)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        self.visit()?;
        match self.value {
            Value::Str(s) => visitor.visit_borrowed_str(s),
            Value::Object(o) => match text_form(self.value, o, self.cx)? {
                Some(text) => visitor.visit_string(text),
                None => Err(mismatch("str", self.value)),
            },
            other => Err(mismatch("str", other)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        self.visit()?;
        match self.value {
            Value::Bytes(b) | Value::ByteArray(b) => visitor.visit_borrowed_bytes(b),
            Value::Str(s) => visitor.visit_borrowed_str(s),
            Value::List(_) | Value::Tuple(_) => self.seq(visitor, "bytes", false),
            other => Err(mismatch("bytes", other)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::None => {
                self.visit()?;
                visitor.visit_none()
            }
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        self.visit()?;
        match self.value {
            Value::None => visitor.visit_unit(),
            other => Err(mismatch("None", other)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(mut self, name: &'static str, visitor: V) -> Result<V::Value, Error> {
        self.visit()?;
        match self.value {
            Value::None => visitor.visit_unit(),
            Value::Object(o) if is_class(o, name) => visitor.visit_unit(),
            other => Err(mismatch(name, other)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(o) if is_class(o, name) => {
                self.visit()?;
                let attrs = Attrs::of(o, &[], self.cx)?;
                match attrs.field("_0") {
                    Some(v) => visitor
                        .visit_newtype_struct(Deserializer::new(v, self.cx))
                        .map_err(|e| e.in_field("_0")),
                    // The derive writes no `_0` when the field is skipped;
                    // serde's visitor then takes no field.
                    None => SeqAccess::visit([].iter(), Names::Fields, self.cx, visitor)
                        .map_err(|_| Error::missing_field(name, "_0")),
                }
            }
            // The inner value itself, as serde's own formats write a newtype.
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        self.visit()?;
        self.seq(visitor, "list", true)
    }

    fn deserialize_tuple<V: Visitor<'de>>(mut self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.visit()?;
        self.seq(visitor, "tuple", false)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.visit()?;
        match self.value {
            Value::Object(o) if is_class(o, name) => {
                let attrs = Attrs::of(o, &[], self.cx)?;
                let fields = attrs.positional(len, name)?;
                SeqAccess::visit(fields.into_iter(), Names::Fields, self.cx, visitor)
            }
            Value::List(_) | Value::Tuple(_) => self.seq(visitor, name, false),
            other => Err(mismatch(name, other)),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        self.visit()?;
        match self.value {
            Value::Dict(pairs) => DictAccess::visit(pairs, self.cx, visitor),
            Value::Object(o) => self.attrs_map(o, &[], visitor),
            other => Err(mismatch("dict", other)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.visit()?;
        match self.value {
            Value::Object(o) if is_class(o, name) => Attrs::of(o, fields, self.cx)?.visit_map(self.cx, visitor, name),
            _ => self.struct_not_object(name, visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.visit()?;
        let (variant, content) = match self.value {
            Value::Object(o) => {
                let variant = o
                    .class
                    .name
                    .split_once('.')
                    .filter(|(e, _)| python_name_is(e, name))
                    .map(|(_, v)| serde_name(v, variants));
                match variant {
                    Some(variant) => (variant, VariantContent::Object(o)),
                    None if is_class(o, name) => return Err(member_by_value(name, o)),
                    None => return Err(mismatch(name, self.value)),
                }
            }
            Value::Str(s) => (s.as_str(), VariantContent::Unit),
            Value::Dict(pairs) if pairs.len() == 1 => match pairs[0].0.get() {
                Value::Str(s) => (s.as_str(), VariantContent::Value(&pairs[0].1)),
                other => return Err(mismatch(&format!("str variant name of {name}"), other)),
            },
            other => return Err(mismatch(name, other)),
        };
        visitor.visit_enum(EnumAccess {
            enum_name: name,
            variant,
            content,
            cx: self.cx,
        })
    }

    fn deserialize_identifier<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        self.visit()?;
        match self.value {
            Value::Str(s) => visitor.visit_borrowed_str(s),
            Value::Int(i) if *i >= 0 => visitor.visit_u64(*i as u64),
            Value::Bytes(b) => visitor.visit_borrowed_bytes(b),
            other => Err(mismatch("str", other)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        self.visit()?;
        visitor.visit_unit()
    }
}

/// A variant name or field name, borrowed from the tree.
pub(super) fn str_de(s: &str) -> BorrowedStrDeserializer<'_, Error> {
    BorrowedStrDeserializer::new(s)
}
