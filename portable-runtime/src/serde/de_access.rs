//! The parts of a decoded value the [`Deserializer`] hands to serde's
//! visitors: sequences, `dict`s, an object's attributes, enum variants.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::de::{any_attrs, mismatch, named, serde_name, str_de, Deserializer};
use crate::read::{Error, ErrorKind, Object, ReadContext, Value};

/// How a sequence's items are named in an error's path.
#[derive(Clone, Copy)]
pub(super) enum Names {
    /// `[i]`: the items of a `list` or `tuple`.
    Index,
    /// `._i`: the positional fields of an object.
    Fields,
}

/// Items visited in order; the visitor must read them all.
pub(super) struct SeqAccess<'a, I> {
    items: I,
    next: usize,
    names: Names,
    cx: &'a mut ReadContext,
}

impl<'a, 'de, I: ExactSizeIterator<Item = &'de Value>> SeqAccess<'a, I> {
    pub(super) fn visit<V: Visitor<'de>>(
        items: I,
        names: Names,
        cx: &'a mut ReadContext,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let total = items.len();
        let mut seq = SeqAccess {
            items,
            next: 0,
            names,
            cx,
        };
        let value = visitor.visit_seq(&mut seq)?;
        match seq.items.len() {
            0 => Ok(value),
            _ => Err(unread("items", seq.next, total)),
        }
    }
}

impl<'de, I: ExactSizeIterator<Item = &'de Value>> de::SeqAccess<'de> for SeqAccess<'_, I> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        let Some(v) = self.items.next() else {
            return Ok(None);
        };
        let i = self.next;
        self.next += 1;
        match seed.deserialize(Deserializer::new(v, self.cx)) {
            Ok(v) => Ok(Some(v)),
            Err(e) => Err(in_item(e, self.names, i)),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// `e` found in item `i` of a sequence.
#[cold]
#[inline(never)]
fn in_item(e: Error, names: Names, i: usize) -> Error {
    match names {
        Names::Index => e.in_index(i),
        Names::Fields => e.in_field(&format!("_{i}")),
    }
}

/// `e` found in the value of `key`.
#[cold]
#[inline(never)]
fn in_value(e: Error, key: &Value) -> Error {
    e.in_field(&key_name(key))
}

/// An error reading a map key: marked as found in a key, except a field
/// name the struct refuses (the error names the field).
fn key_error(e: Error) -> Error {
    match e.kind() {
        ErrorKind::UnknownField { .. } => e,
        _ => e.in_key(),
    }
}

/// The name of a `dict` key in an error's path (as the `FromPickle` maps name it).
fn key_name(key: &Value) -> String {
    match key.get() {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        _ => "<value>".into(),
    }
}

/// The pairs of a `dict`; the visitor must read them all.
pub(super) struct DictAccess<'a, 'de> {
    pairs: std::slice::Iter<'de, (Value, Value)>,
    value: Option<&'de (Value, Value)>,
    cx: &'a mut ReadContext,
}

impl<'a, 'de> DictAccess<'a, 'de> {
    pub(super) fn visit<V: Visitor<'de>>(
        pairs: &'de [(Value, Value)],
        cx: &'a mut ReadContext,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let mut map = DictAccess {
            pairs: pairs.iter(),
            value: None,
            cx,
        };
        let value = visitor.visit_map(&mut map)?;
        match map.pairs.len() {
            0 => Ok(value),
            left => Err(unread("entries", pairs.len() - left, pairs.len())),
        }
    }
}

impl<'de> de::MapAccess<'de> for DictAccess<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some(pair) = self.pairs.next() else {
            return Ok(None);
        };
        self.value = Some(pair);
        seed.deserialize(Deserializer::new(&pair.0, self.cx))
            .map(Some)
            .map_err(key_error)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        let (key, value) = self.value.take().ok_or_else(value_before_key)?;
        seed.deserialize(Deserializer::new(value, self.cx))
            .map_err(|e| in_value(e, key))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.pairs.len())
    }
}

/// The attributes of an object, in order: its positional arguments (named
/// by the class's field names, else by the fields the target type lists,
/// else `_0`, `_1`, …), keyword arguments, then the `BUILD` state (a dict,
/// or `(dict, slots dict)`); an attribute named again replaces the value of
/// the first, in its place. The rules of the derive's struct reads
/// (`read::derive::read_struct`), over an open set of names. Names are
/// serde's: a Python keyword's trailing `_` is dropped (`class_` is
/// `class`) unless the target type lists the name with it.
pub(super) struct Attrs<'de> {
    items: Vec<(Cow<'de, str>, &'de Value)>,
}

fn dict_len(v: &Value) -> usize {
    match v.get() {
        Value::Dict(pairs) => pairs.len(),
        _ => 0,
    }
}

impl<'de> Attrs<'de> {
    pub(super) fn of(o: &'de Object, fields: &'static [&'static str], cx: &mut ReadContext) -> Result<Self, Error> {
        let class = o.class.name.as_str();
        let state = match o.state.as_ref().map(Value::get) {
            Some(Value::Tuple(parts)) if parts.len() == 2 => dict_len(&parts[0]) + dict_len(&parts[1]),
            Some(v) => dict_len(v),
            None => 0,
        };
        let n = o.args.len() + o.kwargs.len() + state;
        // Every attribute is visited here, read or not: an object reached
        // again and again through shared references costs each time.
        cx.charge_items::<(Cow<'de, str>, &'de Value)>(n)?;
        let names = o.class.fields.as_deref();
        if let Some(names) = names {
            if o.args.len() > names.len() {
                return Err(Error::invalid(format!(
                    "{class} has {} fields, found {} positional arguments",
                    names.len(),
                    o.args.len()
                )));
            }
        }
        let mut all = Vec::with_capacity(n);
        for (i, arg) in o.args.iter().enumerate() {
            let name = match (names, fields.get(i)) {
                (Some(names), _) => Cow::Borrowed(serde_name(&names[i], fields)),
                (None, Some(f)) => Cow::Borrowed(*f),
                (None, None) => Cow::Owned(format!("_{i}")),
            };
            all.push((name, arg));
        }
        for (k, v) in &o.kwargs {
            all.push((attr_name(class, k, fields)?, v));
        }
        let mut state = |dict: &'de Value| -> Result<(), Error> {
            match dict.get() {
                Value::Dict(pairs) => {
                    for (k, v) in pairs {
                        all.push((attr_name(class, k, fields)?, v));
                    }
                    Ok(())
                }
                Value::None => Ok(()),
                other => Err(Error::mismatch(format!("dict state of {class}"), other.type_name())),
            }
        };
        match o.state.as_ref() {
            None => {}
            // `(instance dict, slots dict)` of classes with `__slots__`.
            Some(s) => match s.get() {
                Value::Tuple(parts) if parts.len() == 2 => {
                    state(&parts[0])?;
                    state(&parts[1])?;
                }
                _ => state(s)?,
            },
        }
        Ok(Attrs { items: dedupe(all) })
    }

    /// `Some(n)` when the attributes are exactly `_0`…`_{n-1}` in order
    /// (`Some(0)` when there are none): a tuple struct or variant.
    pub(super) fn tuple_len(&self) -> Option<usize> {
        let positional = |(i, (name, _)): (usize, &(Cow<'_, str>, &Value))| {
            name.strip_prefix('_')
                .is_some_and(|d| (d == "0" || !d.starts_with('0')) && d.parse::<usize>().ok() == Some(i))
        };
        self.items
            .iter()
            .enumerate()
            .all(positional)
            .then_some(self.items.len())
    }

    pub(super) fn value(&self, i: usize) -> &'de Value {
        self.items[i].1
    }

    pub(super) fn values(&self) -> impl ExactSizeIterator<Item = &'de Value> + '_ {
        self.items.iter().map(|(_, v)| *v)
    }

    pub(super) fn field(&self, name: &str) -> Option<&'de Value> {
        self.items.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    /// The fields `_0`…`_{len-1}` of a tuple struct or variant `ty`.
    pub(super) fn positional(&self, len: usize, ty: &str) -> Result<Vec<&'de Value>, Error> {
        if self.tuple_len() == Some(len) {
            return Ok(self.values().collect());
        }
        (0..len)
            .map(|i| {
                let name = format!("_{i}");
                self.field(&name).ok_or_else(|| Error::missing_field(ty, &name))
            })
            .collect()
    }

    /// The attributes as a map; the visitor must read them all. Missing
    /// and unknown fields it reports are of the struct `ty`.
    pub(super) fn visit_map<V: Visitor<'de>>(
        self,
        cx: &mut ReadContext,
        visitor: V,
        ty: &str,
    ) -> Result<V::Value, Error> {
        let total = self.items.len();
        let mut map = AttrsAccess {
            items: self.items.into_iter(),
            value: None,
            cx,
        };
        let value = match visitor.visit_map(&mut map) {
            Ok(value) => value,
            Err(e) => return Err(named(e, ty)),
        };
        match map.items.len() {
            0 => Ok(value),
            left => Err(unread("attributes", total - left, total)),
        }
    }
}

/// The error for items a visitor left unread (out of line: the visits
/// recurse through here, and a debug build's frames hold every temporary).
#[cold]
#[inline(never)]
fn unread(what: &str, read: usize, total: usize) -> Error {
    Error::invalid(format!("expected {read} {what}, found {total}"))
}

#[cold]
#[inline(never)]
fn value_before_key() -> Error {
    Error::invalid("a map value asked for before its key")
}

/// An attribute name (serde's): a `str` key of keyword arguments or state.
fn attr_name<'de>(class: &str, key: &'de Value, fields: &[&str]) -> Result<Cow<'de, str>, Error> {
    match key.get() {
        Value::Str(s) => Ok(Cow::Borrowed(serde_name(s, fields))),
        other => Err(Error::mismatch(
            format!("str attribute name of {class}"),
            other.type_name(),
        )),
    }
}

/// Each name once, in the place it first appears, with its last value.
fn dedupe<'de>(all: Vec<(Cow<'de, str>, &'de Value)>) -> Vec<(Cow<'de, str>, &'de Value)> {
    if all.len() < 2 {
        return all;
    }
    // name -> (first index, last index)
    let mut seen: HashMap<&str, (usize, usize)> = HashMap::with_capacity(all.len());
    for (i, (name, _)) in all.iter().enumerate() {
        seen.entry(name.as_ref()).and_modify(|e| e.1 = i).or_insert((i, i));
    }
    if seen.len() == all.len() {
        drop(seen);
        return all;
    }
    let out = all
        .iter()
        .enumerate()
        .filter_map(|(i, (name, _))| {
            let (first, last) = seen[name.as_ref()];
            (first == i).then(|| (name.clone(), all[last].1))
        })
        .collect();
    out
}

/// An object's attributes as a map.
struct AttrsAccess<'a, 'de> {
    items: std::vec::IntoIter<(Cow<'de, str>, &'de Value)>,
    value: Option<(Cow<'de, str>, &'de Value)>,
    cx: &'a mut ReadContext,
}

impl<'de> de::MapAccess<'de> for AttrsAccess<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((name, value)) = self.items.next() else {
            return Ok(None);
        };
        let key = match &name {
            Cow::Borrowed(s) => seed.deserialize(str_de(s)),
            Cow::Owned(s) => seed.deserialize(IntoDeserializer::<Error>::into_deserializer(s.clone())),
        };
        self.value = Some((name, value));
        key.map(Some).map_err(key_error)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        let (name, value) = self.value.take().ok_or_else(value_before_key)?;
        seed.deserialize(Deserializer::new(value, self.cx))
            .map_err(|e| e.in_field(&name))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// `{variant: content}`: an object of a variant class seen by `deserialize_any`.
pub(super) struct TaggedAccess<'a, 'de> {
    variant: &'de str,
    attrs: Option<Attrs<'de>>,
    cx: &'a mut ReadContext,
}

impl<'a, 'de> TaggedAccess<'a, 'de> {
    pub(super) fn visit<V: Visitor<'de>>(
        variant: &'de str,
        attrs: Attrs<'de>,
        cx: &'a mut ReadContext,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let mut map = TaggedAccess {
            variant,
            attrs: Some(attrs),
            cx,
        };
        let value = visitor.visit_map(&mut map)?;
        if map.attrs.is_some() {
            return Err(Error::invalid(format!("the content of variant {variant} left unread")));
        }
        Ok(value)
    }
}

impl<'de> de::MapAccess<'de> for TaggedAccess<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        if self.attrs.is_none() {
            return Ok(None);
        }
        seed.deserialize(str_de(self.variant)).map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        let attrs = self
            .attrs
            .take()
            .ok_or_else(|| Error::invalid("a map value asked for twice"))?;
        seed.deserialize(Content { attrs, cx: self.cx })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(usize::from(self.attrs.is_some()))
    }
}

/// An object's content, for `deserialize_any` (see [`any_attrs`]).
struct Content<'a, 'de> {
    attrs: Attrs<'de>,
    cx: &'a mut ReadContext,
}

impl<'de> de::Deserializer<'de> for Content<'_, 'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        any_attrs(self.attrs, self.cx, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Where a variant's content is.
pub(super) enum VariantContent<'de> {
    /// None: the variant was named by a `str`.
    Unit,
    /// The value of a `{variant: content}` dict.
    Value(&'de Value),
    /// The attributes of an object of the variant's class.
    Object(&'de Object),
}

/// A variant found by `deserialize_enum`.
pub(super) struct EnumAccess<'a, 'de> {
    pub(super) enum_name: &'static str,
    pub(super) variant: &'de str,
    pub(super) content: VariantContent<'de>,
    pub(super) cx: &'a mut ReadContext,
}

impl EnumAccess<'_, '_> {
    fn qualname(&self) -> String {
        format!("{}.{}", self.enum_name, self.variant)
    }

    /// A variant with content, named by a `str`.
    fn no_content(&self) -> Error {
        Error::mismatch(format!("an object of {}", self.qualname()), "str")
    }
}

impl<'a, 'de> de::EnumAccess<'de> for EnumAccess<'a, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let variant = seed.deserialize(str_de(self.variant))?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for EnumAccess<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.content {
            VariantContent::Unit | VariantContent::Object(_) => Ok(()),
            VariantContent::Value(v) => match v.get() {
                Value::None => Ok(()),
                other => Err(mismatch(&format!("None (unit variant {})", self.qualname()), other)),
            },
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        match self.content {
            VariantContent::Unit => Err(self.no_content()),
            VariantContent::Value(v) => seed.deserialize(Deserializer::new(v, self.cx)),
            VariantContent::Object(o) => {
                let attrs = Attrs::of(o, &[], self.cx)?;
                let v = attrs
                    .field("_0")
                    .ok_or_else(|| Error::missing_field(&self.qualname(), "_0"))?;
                seed.deserialize(Deserializer::new(v, self.cx))
                    .map_err(|e| e.in_field("_0"))
            }
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.content {
            VariantContent::Unit => Err(self.no_content()),
            VariantContent::Value(v) => {
                de::Deserializer::deserialize_tuple(Deserializer::new(v, self.cx), len, visitor)
            }
            VariantContent::Object(o) => {
                let attrs = Attrs::of(o, &[], self.cx)?;
                let fields = attrs.positional(len, &self.qualname())?;
                SeqAccess::visit(fields.into_iter(), Names::Fields, self.cx, visitor)
            }
        }
    }

    fn struct_variant<V: Visitor<'de>>(self, fields: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        let qualname = self.qualname();
        match self.content {
            VariantContent::Unit => Err(self.no_content()),
            VariantContent::Value(v) => de::Deserializer::deserialize_map(Deserializer::new(v, self.cx), visitor)
                .map_err(|e| named(e, &qualname)),
            VariantContent::Object(o) => Attrs::of(o, fields, self.cx)?.visit_map(self.cx, visitor, &qualname),
        }
    }
}
