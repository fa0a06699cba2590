//! What the fuzz targets share: a reader that returns few bytes per call,
//! the types the typed targets decode into, and the streams of those types
//! that seed them (`cargo +nightly run --example write_seeds`, see
//! fuzz/README.md).

use std::collections::{BTreeMap, HashMap};

use portable_pickle::{Array, PortablePickle};
use serde::{Deserialize, Serialize};

/// An `io::Read` over `data` that returns at most `n` bytes per call (the
/// fuzz crate's copy of tests/support's `ShortReads`).
pub struct ShortReads<'a> {
    pub data: &'a [u8],
    pub n: usize,
}

impl std::io::Read for ShortReads<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.n.min(buf.len()).min(self.data.len());
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}

/// Splits a fuzz input into the reader's step (1..=16, from the first
/// byte) and the stream (the rest).
pub fn split(data: &[u8]) -> Option<(usize, &[u8])> {
    let (&first, rest) = data.split_first()?;
    Some((usize::from(first % 16) + 1, rest))
}

/// Two results that must agree: both `Ok` with values that `same` calls
/// equal, or both `Err` of the same `ErrorKind` variant.
pub fn assert_agree<T: std::fmt::Debug>(
    what: &str,
    slice: &Result<T, portable_pickle::Error>,
    reader: &Result<T, portable_pickle::Error>,
    same: impl Fn(&T, &T) -> bool,
) {
    match (slice, reader) {
        (Ok(a), Ok(b)) => assert!(same(a, b), "{what}: slice and reader values differ:\n{a:?}\n{b:?}"),
        (Err(a), Err(b)) => assert_eq!(
            std::mem::discriminant(a.kind()),
            std::mem::discriminant(b.kind()),
            "{what}: slice and reader fail differently: {a} / {b}"
        ),
        (a, b) => panic!("{what}: slice and reader disagree: {a:?} / {b:?}"),
    }
}

// ---------------------------------------------------------------------
// The `differential` target's derived family.

#[derive(PortablePickle, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Clone)]
#[pickle(frozen)]
pub struct Point {
    pub x: i64,
    pub y: i64,
}

#[derive(PortablePickle, Debug, PartialEq)]
pub enum Level {
    Low,
    High = 7,
}

#[derive(PortablePickle, Debug, PartialEq)]
pub enum Shape {
    Circle { center: Point, radius: f64 },
    Polygon(Vec<Point>),
    Label(String),
    Empty,
}

#[derive(PortablePickle, Debug, PartialEq)]
pub struct Drawing {
    pub name: String,
    pub shapes: Vec<Shape>,
    pub level: Option<Level>,
    pub tags: BTreeMap<String, (u8, char)>,
    #[pickle(default)]
    pub blob: Vec<u8>,
    pub big: u128,
    pub anchors: std::collections::BTreeSet<Point>,
}

pub fn drawing() -> Drawing {
    Drawing {
        name: "d".into(),
        shapes: vec![
            Shape::Circle {
                center: Point { x: 1, y: -2 },
                radius: 0.5,
            },
            Shape::Polygon(vec![Point { x: 0, y: 0 }, Point { x: 3, y: 4 }]),
            Shape::Label("hi".into()),
            Shape::Empty,
        ],
        level: Some(Level::High),
        tags: [("k".to_string(), (1, 'é'))].into_iter().collect(),
        blob: vec![0, 255],
        big: u128::MAX,
        anchors: [Point { x: 9, y: 9 }].into_iter().collect(),
    }
}

// ---------------------------------------------------------------------
// The `serde` target's types (compared with `==`: floats as bits).

/// An `f64` equal to itself when NaN (`==` on the bits).
#[derive(Serialize, Deserialize, Debug, Clone, Copy)]
#[serde(transparent)]
pub struct Float(pub f64);

impl PartialEq for Float {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits() || (self.0.is_nan() && other.0.is_nan())
    }
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Rgb(pub u8, pub u8, pub u8);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct UserId(pub u64);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub enum Event {
    Quit,
    Move(i32, i32),
    Click { x: i64, y: i64, button: Option<u8> },
    Key(char),
    Paint(Rgb),
    Nested(Box<Event>),
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Record {
    pub name: String,
    pub aliases: Vec<String>,
    pub nick: Option<String>,
    pub scores: HashMap<String, i64>,
    pub events: Vec<Event>,
    pub color: Rgb,
    pub id: UserId,
    pub ratio: Float,
    pub flag: bool,
    pub pair: (i8, String),
    pub big: i128,
    pub unit: (),
}

pub fn record() -> Record {
    Record {
        name: "ada".into(),
        aliases: vec!["a".into(), "lovelace".into()],
        nick: Some("al".into()),
        scores: [("x".to_string(), -5), ("y".to_string(), i64::MAX)]
            .into_iter()
            .collect(),
        events: vec![
            Event::Quit,
            Event::Move(-1, 2),
            Event::Click {
                x: 3,
                y: 4,
                button: None,
            },
            Event::Key('ß'),
            Event::Paint(Rgb(255, 0, 7)),
            Event::Nested(Box::new(Event::Click {
                x: 0,
                y: 0,
                button: Some(1),
            })),
        ],
        color: Rgb(1, 2, 3),
        id: UserId(42),
        ratio: Float(1.5),
        flag: true,
        pair: (-3, "p".into()),
        big: i128::MIN,
        unit: (),
    }
}

// ---------------------------------------------------------------------
// The `arrays` target's types.

#[derive(PortablePickle, Debug, PartialEq)]
pub struct Samples {
    #[pickle(array)]
    pub a: Vec<f64>,
}

#[derive(PortablePickle, Debug, PartialEq)]
pub struct Readings {
    pub name: String,
    #[pickle(array)]
    pub samples: Vec<f64>,
    #[pickle(array)]
    pub counts: Vec<i32>,
    #[pickle(array)]
    pub raw: Vec<u8>,
    #[pickle(array)]
    pub mask: Vec<bool>,
    #[pickle(array)]
    pub quat: [f32; 4],
    #[pickle(array)]
    pub ids: Box<[i64]>,
    #[pickle(array)]
    pub small: Vec<u16>,
    #[pickle(array)]
    pub tiny: [i8; 2],
}

pub fn readings() -> Readings {
    Readings {
        name: "r".into(),
        samples: vec![1.0, -0.5, f64::NAN],
        counts: vec![i32::MIN, 0, i32::MAX],
        raw: vec![0, 1, 255],
        mask: vec![true, false],
        quat: [0.0, 1.0, -1.0, f32::INFINITY],
        ids: vec![i64::MIN, 7].into_boxed_slice(),
        small: vec![],
        tiny: [-128, 127],
    }
}

#[derive(PortablePickle, Debug, PartialEq)]
pub struct Grids {
    pub label: String,
    #[pickle(array)]
    pub image: ndarray::Array2<f64>,
    #[pickle(array)]
    pub volume: ndarray::ArrayD<u32>,
    #[pickle(array)]
    pub empty: ndarray::Array3<i16>,
}

pub fn grids() -> Grids {
    Grids {
        label: "g".into(),
        image: ndarray::Array2::from_shape_vec((2, 3), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap(),
        volume: ndarray::ArrayD::from_shape_vec(vec![2, 1, 2], vec![1, 2, 3, u32::MAX]).unwrap(),
        empty: ndarray::Array3::zeros((2, 0, 3)),
    }
}

/// Replaces the last occurrence of `from` in `data` (past the array tools,
/// which the reader recognises by their exact bytes) by `to`, keeping the
/// body's `FRAME` length right.
fn patched(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = data
        .windows(from.len())
        .rposition(|w| w == from)
        .unwrap_or_else(|| panic!("{from:?} not in the stream"));
    let mut out = data[..at].to_vec();
    out.extend_from_slice(to);
    out.extend_from_slice(&data[at + from.len()..]);
    // The body after the header: `FRAME <u64 length>`, the patch inside it.
    let f = portable_pickle::HEADER.len();
    assert_eq!(data[f], 0x95, "the body starts with a FRAME");
    let len = u64::from_le_bytes(data[f + 1..f + 9].try_into().unwrap());
    assert!(
        at + from.len() <= f + 9 + len as usize,
        "the patch is inside the body's frame"
    );
    let len = len + to.len() as u64 - from.len() as u64;
    out[f + 1..f + 9].copy_from_slice(&len.to_le_bytes());
    out
}

/// The seeds this crate writes to `fuzz/seeds/`, by file stem.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    use portable_pickle::to_vec;
    // A 1-D array of two f64: its shape is the tuple `(2,)` written as
    // `BININT1 2, TUPLE1`; its dtype string `'<f8'`.
    let two = to_vec(&vec![Samples { a: vec![1.0, 2.0] }]);
    let shape2: &[u8] = &[b'K', 2, 0x85];
    // The 2-D image's shape `(2, 3)`: `BININT1 2, BININT1 3, TUPLE2`.
    let g = to_vec(&grids());
    let shape23: &[u8] = &[b'K', 2, b'K', 3, 0x86];
    let huge = |dims: &[u64]| {
        // `(d0, d1, …)` of 8-byte ints: `MARK, LONG1 8 <le>…, TUPLE`.
        let mut t = vec![b'('];
        for &d in dims {
            t.extend_from_slice(&[0x8a, 9]);
            t.extend_from_slice(&d.to_le_bytes());
            t.push(0);
        }
        t.push(b't');
        t
    };
    vec![
        ("arrays_samples", two.clone()),
        ("arrays_readings", to_vec(&readings())),
        ("arrays_grids", g.clone()),
        ("arrays_value_i16", to_vec(&Array(vec![1i16, -2, 3]))),
        // Shape products beyond usize: (2^62, 8) on a 1-D field, and
        // (2^62, 2^62) on a 2-D one.
        ("arrays_shape_overflow_1d", patched(&two, shape2, &huge(&[1 << 62, 8]))),
        (
            "arrays_shape_overflow_2d",
            patched(&g, shape23, &huge(&[1 << 62, 1 << 62])),
        ),
        // (0, 2^62, 2^62): a product of 0, though the dimensions alone overflow.
        (
            "arrays_shape_zero_huge",
            patched(&g, shape23, &huge(&[0, 1 << 62, 1 << 62])),
        ),
        // The same over no bytes: an empty array whose dimensions overflow.
        ("arrays_shape_zero_huge_empty", {
            let image: Vec<u8> = [0x96]
                .into_iter()
                .chain(48u64.to_le_bytes())
                .chain((1..=6).flat_map(|i| f64::from(i).to_le_bytes()))
                .collect();
            let empty: Vec<u8> = [0x96].into_iter().chain(0u64.to_le_bytes()).collect();
            patched(&patched(&g, shape23, &huge(&[0, 1 << 62, 1 << 62])), &image, &empty)
        }),
        // Shape (3,) over two elements' bytes; a dtype of another size.
        ("arrays_length_mismatch", patched(&two, shape2, &[b'K', 3, 0x85])),
        ("arrays_dtype_mismatch", patched(&two, b"<f8", b"<f4")),
        ("arrays_dtype_bogus", patched(&two, b"<f8", b"<x9")),
        (
            "serde_record",
            portable_pickle::serde::to_vec(&record()).expect("serde writes the record"),
        ),
        (
            "serde_events",
            portable_pickle::serde::to_vec(&record().events).expect("serde writes the events"),
        ),
        ("typed_drawing", to_vec(&drawing())),
    ]
}
