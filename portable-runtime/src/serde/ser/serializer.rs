//! The `serde::Serializer` impl: what each of serde's calls writes.

use std::fmt::{Display, Write as _};

use serde::ser::{self, Serialize};

use crate::opcodes::*;

use super::classes::{Fields, Query};
use super::compound::{Batch, Struct, Tuple, TupleEnd};
use super::{Error, Ser};

/// The integer methods: the shortest encoding, as the derive writes them.
macro_rules! int_methods {
    ($($method:ident($t:ty) => $write:ident as $wide:ty;)*) => {$(
        #[inline(always)]
        fn $method(self, v: $t) -> Result<(), Error> {
            self.out().$write(v as $wide);
            Ok(())
        }
    )*};
}

impl<'b, 'a, 's> ser::Serializer for &'b mut Ser<'a, 's> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Batch<'b, 'a, 's>;
    type SerializeTuple = Tuple<'b, 'a, 's>;
    type SerializeTupleStruct = Tuple<'b, 'a, 's>;
    type SerializeTupleVariant = Tuple<'b, 'a, 's>;
    type SerializeMap = Batch<'b, 'a, 's>;
    type SerializeStruct = Struct<'b, 'a, 's>;
    type SerializeStructVariant = Struct<'b, 'a, 's>;

    #[inline(always)]
    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out().bool(v);
        Ok(())
    }

    int_methods! {
        serialize_i8(i8) => int as i64;
        serialize_i16(i16) => int as i64;
        serialize_i32(i32) => int as i64;
        serialize_i64(i64) => int as i64;
        serialize_u8(u8) => int as i64;
        serialize_u16(u16) => int as i64;
        serialize_u32(u32) => int as i64;
        serialize_u64(u64) => uint as u64;
        serialize_i128(i128) => int128 as i128;
        serialize_u128(u128) => uint128 as u128;
    }

    #[inline(always)]
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(f64::from(v))
    }

    #[inline(always)]
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.out().float(v);
        Ok(())
    }

    #[inline(always)]
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    #[inline(always)]
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.write_str(v)
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.write_bytes(v)
    }

    #[inline(always)]
    fn serialize_none(self) -> Result<(), Error> {
        self.out().none();
        Ok(())
    }

    #[inline(always)]
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    #[inline(always)]
    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Error> {
        let q = Query {
            name,
            variant: None,
            fields: Fields::Positional(0),
        };
        match self.resolve(&q) {
            Some(slot) => {
                let out = self.out();
                out.get(slot);
                out.put([EMPTY_TUPLE, REDUCE]);
            }
            None => self.out().none(),
        }
        Ok(())
    }

    #[inline(always)]
    fn serialize_unit_variant(self, name: &'static str, _index: u32, variant: &'static str) -> Result<(), Error> {
        let q = Query {
            name,
            variant: Some(variant),
            fields: Fields::Positional(0),
        };
        match self.resolve(&q) {
            Some(slot) => {
                let out = self.out();
                out.get(slot);
                out.put([EMPTY_TUPLE, REDUCE]);
                Ok(())
            }
            None => self.write_str(variant),
        }
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Result<(), Error> {
        let q = Query {
            name,
            variant: None,
            fields: Fields::Positional(1),
        };
        match self.resolve(&q) {
            Some(slot) => self.newtype_instance(slot, value),
            None => value.serialize(self),
        }
    }

    #[inline(always)]
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let q = Query {
            name,
            variant: Some(variant),
            fields: Fields::Positional(1),
        };
        match self.resolve(&q) {
            Some(slot) => self.newtype_instance(slot, value)?,
            None => {
                self.begin(Some(&format!("variant `{name}::{variant}`, written as a dict,")))?;
                self.out().op(EMPTY_DICT);
                self.write_str(variant)?;
                let result = value.serialize(&mut *self);
                self.nested(result, |e| e.in_field(variant))?;
                self.out().op(SETITEM);
                self.end();
            }
        }
        Ok(())
    }

    #[inline(always)]
    fn serialize_seq(self, len: Option<usize>) -> Result<Batch<'b, 'a, 's>, Error> {
        self.begin(Some("a list"))?;
        self.out().op(EMPTY_LIST);
        Ok(Batch::new(self, len, APPEND, APPENDS))
    }

    fn serialize_tuple(self, len: usize) -> Result<Tuple<'b, 'a, 's>, Error> {
        self.begin(None)?;
        Ok(Tuple::new(self, len, TupleEnd::Tuple))
    }

    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Result<Tuple<'b, 'a, 's>, Error> {
        self.begin(None)?;
        let q = Query {
            name,
            variant: None,
            fields: Fields::Positional(len),
        };
        let end = match self.resolve(&q) {
            Some(slot) => {
                self.out().get(slot);
                TupleEnd::Call(name)
            }
            None => TupleEnd::Tuple,
        };
        Ok(Tuple::new(self, len, end))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Tuple<'b, 'a, 's>, Error> {
        let q = Query {
            name,
            variant: Some(variant),
            fields: Fields::Positional(len),
        };
        let end = match self.resolve(&q) {
            Some(slot) => {
                self.begin(None)?;
                self.out().get(slot);
                TupleEnd::Call(variant)
            }
            None => {
                self.begin(Some(&format!("variant `{name}::{variant}`, written as a dict,")))?;
                self.out().op(EMPTY_DICT);
                self.write_str(variant)?;
                TupleEnd::DictItem(variant)
            }
        };
        Ok(Tuple::new(self, len, end))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Batch<'b, 'a, 's>, Error> {
        self.begin(Some("a dict"))?;
        self.out().op(EMPTY_DICT);
        if self.keys.len() == self.maps {
            self.keys.push(String::new());
        }
        self.maps += 1;
        Ok(Batch::new(self, len, SETITEM, SETITEMS))
    }

    #[inline(always)]
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Struct<'b, 'a, 's>, Error> {
        Ok(Struct::open(self, name, None))
    }

    #[inline(always)]
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Struct<'b, 'a, 's>, Error> {
        Ok(Struct::open(self, name, Some(variant)))
    }

    /// Formats into a reused buffer instead of a new `String`.
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<(), Error> {
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        let _ = write!(text, "{value}");
        let result = self.serialize_str(&text);
        self.scratch = text;
        result
    }
}

impl Ser<'_, '_> {
    /// `cls(value)` for the one-field (`_0`) class at memo slot `slot`: a
    /// newtype struct's or a newtype variant's instance.
    fn newtype_instance<T: Serialize + ?Sized>(&mut self, slot: u32, value: &T) -> Result<(), Error> {
        self.out().get(slot);
        let result = value.serialize(&mut *self);
        self.nested(result, |e| e.in_field("_0"))?;
        self.out().put([TUPLE1, REDUCE]);
        Ok(())
    }
}
