//! Map keys: the text of each key, for the paths of errors in its value
//! (`.scores.alice`: the value at key `"alice"` of field `scores`). A key is written through [`KeySer`], which records
//! the text of the value it is given and then writes it as [`Ser`] does, so
//! that no other value checks whether it is a key's.

use std::fmt::{Display, Write as _};

use serde::ser::{self, Serialize};

use super::classes::{Fields, Query};
use super::compound::{Batch, Struct, Tuple};
use super::{Error, Ser};

/// The serializer of one map key, whose text goes to `Ser::keys[slot]`.
pub(super) struct KeySer<'c, 'a, 's> {
    pub(super) ser: &'c mut Ser<'a, 's>,
    pub(super) slot: usize,
}

/// The text of a key that is not a scalar (a tuple, an instance).
pub(super) const COMPOUND_KEY: &str = "<value>";

impl KeySer<'_, '_, '_> {
    /// Records `text` as the key's.
    pub(super) fn text(&mut self, text: impl Display) {
        let s = &mut self.ser.keys[self.slot];
        s.clear();
        let _ = write!(s, "{text}");
    }
}

/// Methods that record `$text` and write as `Ser` does.
macro_rules! recorded {
    ($($method:ident($($arg:ident: $t:ty),*) -> $ok:ty => $text:expr;)*) => {$(
        fn $method(mut self, $($arg: $t),*) -> Result<$ok, Error> {
            self.text($text);
            self.ser.$method($($arg),*)
        }
    )*};
}

impl<'c, 'a, 's> ser::Serializer for KeySer<'c, 'a, 's> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Batch<'c, 'a, 's>;
    type SerializeTuple = Tuple<'c, 'a, 's>;
    type SerializeTupleStruct = Tuple<'c, 'a, 's>;
    type SerializeTupleVariant = Tuple<'c, 'a, 's>;
    type SerializeMap = Batch<'c, 'a, 's>;
    type SerializeStruct = Struct<'c, 'a, 's>;
    type SerializeStructVariant = Struct<'c, 'a, 's>;

    recorded! {
        serialize_bool(v: bool) -> () => if v { "True" } else { "False" };
        serialize_i8(v: i8) -> () => v;
        serialize_i16(v: i16) -> () => v;
        serialize_i32(v: i32) -> () => v;
        serialize_i64(v: i64) -> () => v;
        serialize_u8(v: u8) -> () => v;
        serialize_u16(v: u16) -> () => v;
        serialize_u32(v: u32) -> () => v;
        serialize_u64(v: u64) -> () => v;
        serialize_i128(v: i128) -> () => v;
        serialize_u128(v: u128) -> () => v;
        serialize_f32(v: f32) -> () => f64::from(v);
        serialize_f64(v: f64) -> () => v;
        serialize_char(v: char) -> () => v;
        serialize_str(v: &str) -> () => v;
        serialize_bytes(v: &[u8]) -> () => COMPOUND_KEY;
        serialize_none() -> () => "None";
        serialize_unit() -> () => "None";
        serialize_unit_struct(name: &'static str) -> () => name;
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> () => variant;
        serialize_seq(len: Option<usize>) -> Batch<'c, 'a, 's> => COMPOUND_KEY;
        serialize_tuple(len: usize) -> Tuple<'c, 'a, 's> => COMPOUND_KEY;
        serialize_tuple_struct(name: &'static str, len: usize) -> Tuple<'c, 'a, 's> => COMPOUND_KEY;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize)
            -> Tuple<'c, 'a, 's> => COMPOUND_KEY;
        serialize_map(len: Option<usize>) -> Batch<'c, 'a, 's> => COMPOUND_KEY;
        serialize_struct(name: &'static str, len: usize) -> Struct<'c, 'a, 's> => COMPOUND_KEY;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize)
            -> Struct<'c, 'a, 's> => COMPOUND_KEY;
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    /// An instance of its class, or (without one) the value it holds.
    fn serialize_newtype_struct<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Result<(), Error> {
        let q = Query {
            name,
            variant: None,
            fields: Fields::Positional(1),
        };
        match self.ser.resolve(&q) {
            Some(_) => {
                self.text(COMPOUND_KEY);
                self.ser.serialize_newtype_struct(name, value)
            }
            None => value.serialize(self),
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.text(COMPOUND_KEY);
        self.ser.serialize_newtype_variant(name, index, variant, value)
    }
}
