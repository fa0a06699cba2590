//! The benchmark workload of issue 6, shared by `benches/dump.rs` and
//! `examples/bench_streams.rs`. Keep it exactly as specified: the Python
//! benchmark (`benches/python_load.py`) rebuilds the same values.

#![allow(dead_code)] // each includer uses part of it

use portable_pickle::PortablePickle;
use serde::Serialize;

/// Number of records in the main workload.
pub const N: usize = 1_000_000;
/// Length of the bulk-numeric `Vec<f64>`.
pub const BULK: usize = 10_000_000;

#[derive(PortablePickle, Serialize, Clone, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[derive(PortablePickle, Serialize, Clone, Debug, PartialEq)]
pub struct Record {
    pub id: u64,
    pub name: String,
    pub score: f64,
    pub tags: Vec<String>,
    pub pos: Point,
    pub active: bool,
}

/// The second workload (issue 27): what a new user's records look like,
/// with a `Vec<String>` field and a data-enum field.
#[derive(PortablePickle, Serialize, Clone, Debug, PartialEq)]
pub enum Shape {
    Circle { r: f64 },
    Rect { w: f64, h: f64 },
    Label(String),
    Empty,
}

#[derive(PortablePickle, Serialize, Clone, Debug, PartialEq)]
pub struct Tagged {
    pub id: u64,
    pub labels: Vec<String>,
    pub shape: Shape,
}

/// Tagged record `i`: the four variants in turn.
pub fn tagged(i: usize) -> Tagged {
    let shape = match i % 4 {
        0 => Shape::Circle { r: i as f64 },
        1 => Shape::Rect { w: i as f64, h: 0.5 },
        2 => Shape::Label(format!("l{}", i % 100)),
        _ => Shape::Empty,
    };
    Tagged {
        id: i as u64,
        labels: vec!["red".to_string(), format!("k{}", i % 7)],
        shape,
    }
}

/// The first `n` tagged records.
pub fn tagged_records(n: usize) -> Vec<Tagged> {
    (0..n).map(tagged).collect()
}

/// Record `i` of the workload.
pub fn record(i: usize) -> Record {
    Record {
        id: i as u64,
        name: format!("item-{i}"),
        score: i as f64 * 0.5,
        tags: vec!["a".to_string(), format!("t{}", i % 10)],
        pos: Point {
            x: i as f64,
            y: -(i as f64),
        },
        active: i % 2 == 0,
    }
}

/// The first `n` records.
pub fn records(n: usize) -> Vec<Record> {
    (0..n).map(record).collect()
}

/// The small message: one `Point`.
pub fn small() -> Point {
    Point { x: 1.5, y: -2.5 }
}

/// The bulk-numeric case: `n` floats.
pub fn bulk(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64 * 0.25).collect()
}

/// Bounds of dumping the workload, whatever the encoder
/// (docs/PERFORMANCE.md, "Dump speed: what bounds it").
pub mod bounds {
    use super::Record;
    use portable_pickle::PortablePickle;
    use portable_runtime::opcodes::*;

    /// The memo slots of `Record` and `Point` in a stream of the workload,
    /// after checking that `bounds::record` writes the encoder's bytes for
    /// records of each integer width.
    pub fn checked_slots(data: &[Record]) -> (u8, u8) {
        let mut enc = portable_runtime::Encoder::new(portable_pickle::HEADER);
        data[0].write_pickle(&mut enc).unwrap();
        let mut slots = None;
        for i in [1, 255, 256, 65_535, 65_536, data.len() - 1] {
            let from = enc.w().len();
            data[i].write_pickle(&mut enc).unwrap();
            let ours = &enc.w().as_bytes()[from..];
            let point = ours
                .windows(2)
                .position(|w| w == [APPENDS, BINGET])
                .expect("BINGET of Point after the tags")
                + 2;
            let (record_class, point_class) = *slots.get_or_insert((ours[1], ours[point]));
            let mut hand = Vec::new();
            record(&mut hand, &data[i], record_class, point_class);
            assert_eq!(
                hand, ours,
                "record {i}: the hand-written bound writes other bytes than the encoder"
            );
        }
        slots.expect("records checked")
    }

    /// Reads every field of every record as any encoder must (the data's
    /// own memory traffic), writing nothing.
    pub fn read_only(data: &[Record]) -> u64 {
        let mut acc = 0u64;
        for r in data {
            acc = acc.wrapping_add(r.id ^ r.score.to_bits() ^ r.pos.x.to_bits() ^ r.pos.y.to_bits());
            acc = acc.wrapping_add(u64::from(r.active) + u64::from(r.name.bytes().last().unwrap_or(0)));
            for t in &r.tags {
                acc = acc.wrapping_add(u64::from(t.bytes().last().unwrap_or(0)));
            }
        }
        acc
    }

    /// A fresh `len`-byte buffer with every byte written: the page faults
    /// and zeroing any `to_vec` of that length pays, with no encoding.
    pub fn fresh_vec(len: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(len);
        v.resize(len, 1);
        v
    }

    /// The stream body's opcodes for `data`, written by hand into `out`
    /// the way no general encoder can: one reservation per record, a raw
    /// cursor without a capacity check per opcode, no frames, no class
    /// lookups (`record_class`/`point_class` are the memo slots the stream
    /// gives the classes). Each record's bytes equal the encoder's for the
    /// same record (checked by `benches/dump.rs` before it measures).
    pub fn hand_written(out: &mut Vec<u8>, data: &[Record], record_class: u8, point_class: u8) {
        out.push(EMPTY_LIST);
        for batch in data.chunks(1000) {
            if batch.len() > 1 {
                out.push(MARK);
            }
            for r in batch {
                record(out, r, record_class, point_class);
            }
            out.push(if batch.len() > 1 { APPENDS } else { APPEND });
        }
    }

    /// One record's bytes.
    pub fn record(out: &mut Vec<u8>, r: &Record, record_class: u8, point_class: u8) {
        let strings = r.name.len() + r.tags.iter().map(|t| t.len() + 2).sum::<usize>();
        assert!(r.name.len() < 256 && r.tags.iter().all(|t| t.len() < 256) && r.tags.len() > 1);
        let max = 64 + strings;
        out.reserve(max);
        let mut cursor = Cursor {
            out: out.spare_capacity_mut(),
            at: 0,
        };
        cursor.put(&[BINGET, record_class, MARK]);
        match r.id {
            0..=0xff => cursor.put(&[BININT1, r.id as u8]),
            0x100..=0xffff => {
                cursor.put(&[BININT2]);
                cursor.put(&(r.id as u16).to_le_bytes());
            }
            _ => {
                cursor.put(&[BININT]);
                cursor.put(&(r.id as i32).to_le_bytes());
            }
        }
        cursor.put(&[SHORT_BINUNICODE, r.name.len() as u8]);
        cursor.put(r.name.as_bytes());
        cursor.put(&[BINFLOAT]);
        cursor.put(&r.score.to_be_bytes());
        cursor.put(&[EMPTY_LIST, MARK]);
        for t in &r.tags {
            cursor.put(&[SHORT_BINUNICODE, t.len() as u8]);
            cursor.put(t.as_bytes());
        }
        cursor.put(&[APPENDS, BINGET, point_class, BINFLOAT]);
        cursor.put(&r.pos.x.to_be_bytes());
        cursor.put(&[BINFLOAT]);
        cursor.put(&r.pos.y.to_be_bytes());
        cursor.put(&[TUPLE2, REDUCE, if r.active { NEWTRUE } else { NEWFALSE }, TUPLE, REDUCE]);
        let written = cursor.at;
        // SAFETY: `Cursor::put` initialised the first `written` bytes of the
        // spare capacity, in order, without a gap.
        unsafe { out.set_len(out.len() + written) };
    }

    struct Cursor<'a> {
        out: &'a mut [std::mem::MaybeUninit<u8>],
        at: usize,
    }

    impl Cursor<'_> {
        #[inline(always)]
        fn put(&mut self, bytes: &[u8]) {
            let dst = &mut self.out[self.at..self.at + bytes.len()];
            for (d, b) in dst.iter_mut().zip(bytes) {
                d.write(*b);
            }
            self.at += bytes.len();
        }
    }
}

/// The floor of any serde bridge on these workloads (issue 27;
/// docs/PERFORMANCE.md, "serde bridge"): serde's calls for the records,
/// answered by a `Serializer` that writes the bridge's body bytes with
/// every class known in advance, through the shared opcode writer, and
/// nothing else (no prediction to check, no buffer, no frame, no error
/// path). `checked_slots` makes sure its bytes are the bridge's.
#[cfg(feature = "serde")]
pub mod serde_floor {
    use portable_runtime::opcodes::*;
    use portable_runtime::writer::OpWriter;
    use serde::ser::{self, Impossible, Serialize};

    /// Class memo slots by serde's names (`name`, variant).
    pub type Slots = Vec<(&'static str, Option<&'static str>, u32)>;

    #[derive(Debug)]
    pub struct Unsupported;

    impl std::fmt::Display for Unsupported {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("not in the workloads")
        }
    }
    impl std::error::Error for Unsupported {}
    impl ser::Error for Unsupported {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            Unsupported
        }
    }

    /// `LOG`: record where each class is written (`checked_slots`).
    pub struct Floor<'a, const LOG: bool> {
        w: &'a mut OpWriter,
        slots: Slots,
        log: Vec<(usize, usize)>,
    }

    impl<const LOG: bool> Floor<'_, LOG> {
        /// `BINGET` of the class `name` (`variant`): found by the addresses
        /// of serde's names, as the bridge finds a class it met before (by
        /// their text the first time: a name's address may differ between
        /// two instances of one `Serialize` impl).
        #[inline(always)]
        fn class(&mut self, name: &'static str, variant: Option<&'static str>) {
            let i = match self.find(name, variant, |a, b| std::ptr::eq(a, b)) {
                Some(i) => i,
                None => self.find_anew(name, variant),
            };
            if LOG {
                self.log.push((self.w.len(), i));
            }
            self.w.get(self.slots[i].2);
        }

        #[inline(always)]
        fn find(
            &self,
            name: &'static str,
            variant: Option<&'static str>,
            same: impl Fn(&str, &str) -> bool,
        ) -> Option<usize> {
            self.slots.iter().position(|(n, v, _)| {
                same(n, name)
                    && match (v, variant) {
                        (None, None) => true,
                        (Some(a), Some(b)) => same(a, b),
                        _ => false,
                    }
            })
        }

        #[inline(never)]
        fn find_anew(&mut self, name: &'static str, variant: Option<&'static str>) -> usize {
            let i = self
                .find(name, variant, |a, b| a == b)
                .unwrap_or_else(|| panic!("{name} {variant:?}: not a class of the workload"));
            (self.slots[i].0, self.slots[i].1) = (name, variant);
            i
        }
    }

    /// A list: items in batches of [`BATCH`] after a `MARK`, a last batch
    /// of one without it, as the bridge writes them.
    pub struct List<'b, 'a, const LOG: bool> {
        f: &'b mut Floor<'a, LOG>,
        len: usize,
        index: usize,
        in_batch: usize,
    }

    /// An instance: the class, its `fields` values, `cls(*fields)`.
    pub struct Instance<'b, 'a, const LOG: bool> {
        f: &'b mut Floor<'a, LOG>,
        fields: usize,
    }

    type Result = std::result::Result<(), Unsupported>;

    /// Serializer methods for what the workloads never write.
    macro_rules! unsupported {
        ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {$(
            fn $method(self, $(_: $arg),*) -> std::result::Result<$ok, Unsupported> {
                Err(Unsupported)
            }
        )*};
    }

    /// Serializer methods for the scalars the workloads write: the opcode
    /// writer's method of the same value.
    macro_rules! scalars {
        ($($method:ident($t:ty) => $write:ident;)*) => {$(
            #[inline(always)]
            fn $method(self, v: $t) -> Result {
                self.w.$write(v);
                Ok(())
            }
        )*};
    }

    impl<'b, 'a, const LOG: bool> Floor<'a, LOG> {
        #[inline(always)]
        fn instance(
            &'b mut self,
            name: &'static str,
            variant: Option<&'static str>,
            fields: usize,
        ) -> Instance<'b, 'a, LOG> {
            self.class(name, variant);
            self.w.tuple_open(fields);
            Instance { f: self, fields }
        }
    }

    impl<'b, 'a, const LOG: bool> ser::Serializer for &'b mut Floor<'a, LOG> {
        type Ok = ();
        type Error = Unsupported;
        type SerializeSeq = List<'b, 'a, LOG>;
        type SerializeTuple = Impossible<(), Unsupported>;
        type SerializeTupleStruct = Impossible<(), Unsupported>;
        type SerializeTupleVariant = Impossible<(), Unsupported>;
        type SerializeMap = Impossible<(), Unsupported>;
        type SerializeStruct = Instance<'b, 'a, LOG>;
        type SerializeStructVariant = Instance<'b, 'a, LOG>;

        unsupported! {
            serialize_i8(i8) -> ();
            serialize_i16(i16) -> ();
            serialize_i32(i32) -> ();
            serialize_u8(u8) -> ();
            serialize_u16(u16) -> ();
            serialize_u32(u32) -> ();
            serialize_f32(f32) -> ();
            serialize_char(char) -> ();
            serialize_bytes(&[u8]) -> ();
            serialize_none() -> ();
            serialize_unit() -> ();
            serialize_unit_struct(&'static str) -> ();
            serialize_tuple(usize) -> Self::SerializeTuple;
            serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
            serialize_map(Option<usize>) -> Self::SerializeMap;
        }

        fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result {
            Err(Unsupported)
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, _: &T) -> Result {
            Err(Unsupported)
        }
        scalars! {
            serialize_bool(bool) => bool;
            serialize_i64(i64) => int;
            serialize_u64(u64) => uint;
            serialize_f64(f64) => float;
            serialize_str(&str) => str;
        }
        #[inline(always)]
        fn serialize_unit_variant(self, name: &'static str, _: u32, variant: &'static str) -> Result {
            self.class(name, Some(variant));
            self.w.put([EMPTY_TUPLE, REDUCE]);
            Ok(())
        }
        #[inline(always)]
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            name: &'static str,
            _: u32,
            variant: &'static str,
            value: &T,
        ) -> Result {
            self.class(name, Some(variant));
            value.serialize(&mut *self)?;
            self.w.put([TUPLE1, REDUCE]);
            Ok(())
        }
        #[inline(always)]
        fn serialize_seq(self, len: Option<usize>) -> std::result::Result<Self::SerializeSeq, Unsupported> {
            self.w.op(EMPTY_LIST);
            Ok(List {
                len: len.ok_or(Unsupported)?,
                f: self,
                index: 0,
                in_batch: 0,
            })
        }
        #[inline(always)]
        fn serialize_struct(
            self,
            name: &'static str,
            len: usize,
        ) -> std::result::Result<Self::SerializeStruct, Unsupported> {
            Ok(self.instance(name, None, len))
        }
        #[inline(always)]
        fn serialize_struct_variant(
            self,
            name: &'static str,
            _: u32,
            variant: &'static str,
            len: usize,
        ) -> std::result::Result<Self::SerializeStructVariant, Unsupported> {
            Ok(self.instance(name, Some(variant), len))
        }
    }

    impl<const LOG: bool> ser::SerializeSeq for List<'_, '_, LOG> {
        type Ok = ();
        type Error = Unsupported;
        #[inline(always)]
        fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
            let single = self.in_batch == 0 && self.len - self.index == 1;
            if self.in_batch == 0 && !single {
                self.f.w.op(MARK);
            }
            value.serialize(&mut *self.f)?;
            if single {
                self.f.w.op(APPEND);
            } else {
                self.in_batch += 1;
                if self.in_batch == BATCH {
                    self.in_batch = 0;
                    self.f.w.op(APPENDS);
                }
            }
            self.index += 1;
            Ok(())
        }
        #[inline(always)]
        fn end(self) -> Result {
            if self.in_batch > 0 {
                self.f.w.op(APPENDS);
            }
            Ok(())
        }
    }

    impl<const LOG: bool> Instance<'_, '_, LOG> {
        #[inline(always)]
        fn finish(self) -> Result {
            self.f.w.tuple_close(self.fields);
            self.f.w.reduce();
            Ok(())
        }
    }

    impl<const LOG: bool> ser::SerializeStruct for Instance<'_, '_, LOG> {
        type Ok = ();
        type Error = Unsupported;
        #[inline(always)]
        fn serialize_field<T: Serialize + ?Sized>(&mut self, _: &'static str, value: &T) -> Result {
            value.serialize(&mut *self.f)
        }
        #[inline(always)]
        fn end(self) -> Result {
            self.finish()
        }
    }

    impl<const LOG: bool> ser::SerializeStructVariant for Instance<'_, '_, LOG> {
        type Ok = ();
        type Error = Unsupported;
        #[inline(always)]
        fn serialize_field<T: Serialize + ?Sized>(&mut self, _: &'static str, value: &T) -> Result {
            value.serialize(&mut *self.f)
        }
        #[inline(always)]
        fn end(self) -> Result {
            self.finish()
        }
    }

    /// The slots of the records' classes (`data`: the workload's records),
    /// checked on a sample: its first value brings the classes.
    pub fn record_slots(data: &[super::Record]) -> Slots {
        let sample: Vec<_> = [0, 1, 255, 256, 65_535, 65_536, data.len() - 1]
            .iter()
            .map(|&i| data[i].clone())
            .collect();
        checked_slots(&sample, 1, &[("Record", None), ("Point", None)])
    }

    /// The slots of the tagged records' classes, checked on a sample: its
    /// first four values bring the classes.
    pub fn tagged_slots(data: &[super::Tagged]) -> Slots {
        let sample: Vec<_> = (0..8)
            .chain([65_536, data.len() - 1])
            .map(|i| data[i].clone())
            .collect();
        let names = [
            ("Tagged", None),
            ("Shape", Some("Circle")),
            ("Shape", Some("Rect")),
            ("Shape", Some("Label")),
            ("Shape", Some("Empty")),
        ];
        checked_slots(&sample, 4, &names)
    }

    /// The floor's body of `values`, into `w` (cleared first).
    pub fn write<T: Serialize>(w: &mut OpWriter, slots: &Slots, values: &[T]) {
        w.buf_mut().clear();
        let mut floor = Floor::<false> {
            w,
            slots: slots.clone(),
            log: Vec::new(),
        };
        values.serialize(&mut floor).expect("the workload's shapes");
    }

    /// The class slots the bridge gives the classes (`names`: each class
    /// by serde's names) in a stream of `values`, read from the bridge's
    /// body where the floor writes each class, and checked: the bridge's
    /// stream ends with the floor's bytes of `values[skip..]` (then
    /// `APPENDS`, `STOP`: a short list is one batch, in one frame). The
    /// first `skip` values bring the class descriptors, which the bridge
    /// writes where a class is first met.
    pub fn checked_slots<T: Serialize>(
        values: &[T],
        skip: usize,
        names: &[(&'static str, Option<&'static str>)],
    ) -> Slots {
        assert!(values.len() >= skip + 2, "a batch with MARK");
        let mut slots: Slots = names.iter().map(|&(n, v)| (n, v, 0)).collect();
        let mut w = OpWriter::new();
        let mut floor = Floor::<true> {
            w: &mut w,
            slots: slots.clone(),
            log: Vec::new(),
        };
        values[skip..].serialize(&mut floor).expect("the workload's shapes");
        let log = floor.log;
        // The floor's `EMPTY_LIST MARK` are not compared.
        let bridge = portable_pickle::serde::to_vec(values).expect("serde bridge");
        let end = bridge.len() - 1;
        let body = &bridge[end - (w.len() - 2)..end];
        for (at, i) in log {
            assert_eq!(body[at - 2], BINGET, "a class reference where the floor writes one");
            slots[i].2 = u32::from(body[at - 1]);
        }
        write(&mut w, &slots, &values[skip..]);
        assert_eq!(w.as_bytes()[..2], [EMPTY_LIST, MARK]);
        assert!(body == &w.as_bytes()[2..], "the floor writes the bridge's body");
        slots
    }
}
