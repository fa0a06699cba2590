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
