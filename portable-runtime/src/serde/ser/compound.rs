//! The compound serializers: lists and dicts, tuples, structs.

use serde::ser::{self, Serialize};

use crate::opcodes::*;

use super::key::{KeySer, COMPOUND_KEY};
use super::{Error, Ser};

// ---------------------------------------------------------------- lists and dicts

/// A `list` (`APPEND`/`APPENDS`) or `dict` (`SETITEM`/`SETITEMS`), items
/// in batches of [`BATCH`] as CPython writes them.
pub struct Batch<'b, 'a, 's> {
    ser: &'b mut Ser<'a, 's>,
    /// The length serde announced, if any: a last batch of one item is
    /// written without `MARK`.
    hint: Option<usize>,
    index: usize,
    /// Items of the open batch (after its `MARK`); 0 when none is open.
    in_batch: usize,
    /// The current item is a batch of one, without `MARK`.
    single: bool,
    one: u8,
    many: u8,
    /// For a map: which of `Ser::keys` holds the text of the current key.
    key_slot: usize,
    /// For a map: a key was written and its value not yet.
    key_open: bool,
}

impl<'b, 'a, 's> Batch<'b, 'a, 's> {
    #[inline(always)]
    pub(super) fn new(ser: &'b mut Ser<'a, 's>, hint: Option<usize>, one: u8, many: u8) -> Self {
        let key_slot = ser.maps.saturating_sub(1);
        Batch {
            ser,
            hint,
            index: 0,
            in_batch: 0,
            single: false,
            one,
            many,
            key_slot,
            key_open: false,
        }
    }

    #[inline(always)]
    fn before_item(&mut self) {
        if self.in_batch == 0 {
            if self.hint.map(|n| n.saturating_sub(self.index)) == Some(1) {
                self.single = true;
            } else {
                self.ser.out().op(MARK);
            }
        }
    }

    #[inline(always)]
    fn after_item(&mut self) -> Result<(), Error> {
        if self.single {
            self.single = false;
            let one = self.one;
            self.ser.out().op(one);
        } else {
            self.in_batch += 1;
            if self.in_batch == BATCH {
                self.in_batch = 0;
                let many = self.many;
                self.ser.out().op(many);
            }
        }
        self.index += 1;
        self.ser.item_done()
    }

    #[inline(always)]
    fn finish(self) {
        if self.in_batch > 0 {
            let many = self.many;
            self.ser.out().op(many);
        }
        self.ser.end();
    }
}

impl ser::SerializeSeq for Batch<'_, '_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline(always)]
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.before_item();
        let index = self.index;
        let result = value.serialize(&mut *self.ser);
        self.ser.nested(result, |e| e.in_index(index))?;
        self.after_item()
    }

    #[inline(always)]
    fn end(self) -> Result<(), Error> {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeMap for Batch<'_, '_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        if std::mem::replace(&mut self.key_open, true) {
            return Err(self.ser.fail(Error::new("a map key after a key without its value")));
        }
        self.before_item();
        let ser = &mut *self.ser;
        ser.in_key += 1;
        let mut key_ser = KeySer {
            ser: &mut *ser,
            slot: self.key_slot,
        };
        // The text of a key whose impl writes nothing.
        key_ser.text(COMPOUND_KEY);
        let result = key.serialize(key_ser);
        ser.nested(result, Error::in_key)?;
        ser.in_key -= 1;
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !std::mem::replace(&mut self.key_open, false) {
            return Err(self.ser.fail(Error::new("a map value without its key")));
        }
        let ser = &mut *self.ser;
        let slot = self.key_slot;
        let result = value.serialize(&mut *ser);
        if let Err(e) = result {
            let key = ser.keys[slot].clone();
            return ser.nested(Err(e), |e| e.in_field(key));
        }
        self.after_item()
    }

    fn end(self) -> Result<(), Error> {
        if self.key_open {
            return Err(self.ser.fail(Error::new("a map ended after a key without its value")));
        }
        self.ser.maps -= 1;
        self.finish();
        Ok(())
    }
}

// ---------------------------------------------------------------- tuples

/// What closes a tuple.
#[derive(Clone, Copy)]
pub(super) enum TupleEnd {
    /// A plain `tuple`.
    Tuple,
    /// `cls(*fields)` of a tuple struct or variant (named, for errors); the
    /// class is on the stack and the field count must be the declared one.
    Call(&'static str),
    /// `{variant: (fields)}` of a variant without a usable class.
    DictItem(&'static str),
}

/// A tuple, or the fields of a tuple struct or variant: `MARK` … `TUPLE`,
/// or `TUPLE1`–`TUPLE3` for up to three.
pub struct Tuple<'b, 'a, 's> {
    ser: &'b mut Ser<'a, 's>,
    len: usize,
    count: usize,
    end: TupleEnd,
}

impl<'b, 'a, 's> Tuple<'b, 'a, 's> {
    pub(super) fn new(ser: &'b mut Ser<'a, 's>, len: usize, end: TupleEnd) -> Self {
        ser.out().tuple_open(len);
        Tuple {
            ser,
            len,
            count: 0,
            end,
        }
    }

    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let over = match self.end {
            TupleEnd::Call(_) => self.count == self.len,
            // Without a MARK, `TUPLE1`–`TUPLE3` take at most three items.
            _ => self.len <= 3 && self.count == 3,
        };
        if over {
            let what = match self.end {
                TupleEnd::Call(name) => format!("`{name}`"),
                _ => "a tuple".into(),
            };
            let msg = format!("{what} has more fields than the {} it declared", self.len);
            return Err(self.ser.fail(Error::new(msg)));
        }
        let i = self.count;
        let result = value.serialize(&mut *self.ser);
        match self.end {
            TupleEnd::Tuple => self.ser.nested(result, |e| e.in_index(i))?,
            _ => self.ser.nested(result, |e| e.in_field(format!("_{i}")))?,
        }
        self.count += 1;
        Ok(())
    }

    fn finish(self) -> Result<(), Error> {
        if let TupleEnd::Call(name) = self.end {
            if self.count != self.len {
                let msg = format!("`{name}` has {} fields, not the {} it declared", self.count, self.len);
                return Err(self.ser.fail(Error::new(msg)));
            }
        }
        let out = self.ser.out();
        if self.len > 3 {
            // Opened with MARK: `TUPLE` whatever the count.
            out.op(TUPLE);
        } else {
            out.tuple_close(self.count);
        }
        match self.end {
            TupleEnd::Tuple => {}
            TupleEnd::Call(_) => out.reduce(),
            TupleEnd::DictItem(_) => out.op(SETITEM),
        }
        self.ser.end();
        Ok(())
    }
}

impl ser::SerializeTuple for Tuple<'_, '_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Tuple<'_, '_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Tuple<'_, '_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        match self.end {
            TupleEnd::DictItem(variant) => self.item(value).map_err(|e| e.in_field(variant)),
            _ => self.item(value),
        }
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

// ---------------------------------------------------------------- structs

/// A struct or struct variant: written direct or buffered (`buffer.rs`).
pub struct Struct<'b, 'a, 's> {
    ser: &'b mut Ser<'a, 's>,
    /// Its depth: its state is `ser.bufs[d]`.
    d: usize,
}

impl<'b, 'a, 's> Struct<'b, 'a, 's> {
    /// Opens the struct `name` (variant `variant`).
    #[inline(always)]
    pub(super) fn open(ser: &'b mut Ser<'a, 's>, name: &'static str, variant: Option<&'static str>) -> Self {
        let d = ser.open_struct(name, variant);
        Struct { ser, d }
    }

    #[inline(always)]
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.ser.begin_field(self.d, key);
        let result = value.serialize(&mut *self.ser);
        // Its `item_done` is at the next field, or the end.
        self.ser.nested(result, |e| e.in_field(key))
    }

    #[inline(always)]
    fn finish(self) -> Result<(), Error> {
        self.ser.finish_struct(self.d)
    }
}

impl ser::SerializeStruct for Struct<'_, '_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline(always)]
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.field(key, value)
    }

    #[inline(always)]
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Struct<'_, '_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline(always)]
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.field(key, value)
    }

    #[inline(always)]
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}
