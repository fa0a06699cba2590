//! The Rust-made seed streams of the fuzz targets (`fuzz/seeds/`), shared by
//! `tests/read_adversarial.rs`, which attacks the same streams, and
//! `examples/fuzz_seeds.rs`, which writes them. Included by `#[path]`.

use std::rc::Rc;
use std::time::Duration;

use portable_pickle::{to_vec, PortablePickle};

#[derive(PortablePickle, Debug, PartialEq)]
pub struct Point {
    x: i64,
    y: i64,
}

#[derive(PortablePickle, Debug, PartialEq)]
pub enum Shape {
    Circle { center: Point, radius: f64 },
    Empty,
}

#[derive(PortablePickle, Debug, PartialEq)]
pub struct Sample {
    name: String,
    points: Vec<Point>,
    pub shapes: Vec<Shape>,
    blob: Vec<u8>,
    big: u128,
    when: Duration,
    shared: (Rc<String>, Rc<String>),
}

/// Ordered classes (`#[pickle(order)]`): their descriptors build each
/// class with `partial(tool)` given `order=True` by `BUILD`.
#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(order)]
pub struct Ranked {
    pub rank: i64,
    pub name: String,
}

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(order, frozen)]
pub enum Level {
    Low { n: i64 },
    High,
}

/// Ordered values, as the default and the strict profile write them.
pub fn ordered() -> (Vec<Ranked>, Vec<Level>) {
    (
        vec![
            Ranked {
                rank: 2,
                name: "b".into(),
            },
            Ranked {
                rank: 1,
                name: "a".into(),
            },
        ],
        vec![Level::High, Level::Low { n: 3 }],
    )
}

/// A value of every kind the format writes: classes, a data enum, bytes, a
/// big integer, a stdlib object and a shared reference.
pub fn sample() -> Sample {
    let s = Rc::new("shared".to_string());
    Sample {
        name: "sample".into(),
        points: vec![Point { x: 1, y: 2 }, Point { x: -3, y: 400 }],
        shapes: vec![
            Shape::Circle {
                center: Point { x: 0, y: 0 },
                radius: 1.5,
            },
            Shape::Empty,
        ],
        blob: vec![1, 2, 3],
        big: u128::MAX,
        when: Duration::from_secs(3),
        shared: (s.clone(), s),
    }
}

/// A protocol-0 text stream as CPython writes it: a list of an int, a float,
/// a Python 2 `str`, a `unicode`, a memo reference, a long and a dict.
pub const TEXT: &[u8] =
    b"(lp0\nI1\naF1.5\naS'ab'\np1\naVx\\u00e9\np2\nag1\naL12345678901234567890L\na(dp3\nVk\np4\nI00\nsa.";

/// Frames `body` as a protocol-4 stream.
pub fn stream(body: &[u8]) -> Vec<u8> {
    let mut b = vec![0x80, 4];
    b.extend_from_slice(body);
    b
}

/// `L0 = [1, 1, …]`, `L(k+1) = [Lk, Lk, …]` through memo references: 10^9
/// leaves from 250 bytes ("billion laughs").
pub fn memo_bomb(levels: usize, width: usize) -> Vec<u8> {
    let mut body = vec![b']', 0x94, b'('];
    body.extend(std::iter::repeat([b'K', 1]).take(width).flatten());
    body.push(b'e');
    for level in 1..levels {
        body.extend([b'0', b']', 0x94, b'(']);
        body.extend(std::iter::repeat([b'h', (level - 1) as u8]).take(width).flatten());
        body.push(b'e');
    }
    body.push(b'.');
    stream(&body)
}

/// The seeds, by file stem (`fuzz/seeds/<name>.pkl`).
pub fn fuzz_seeds() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("sample", to_vec(&sample())),
        ("shapes", to_vec(&sample().shapes)),
        ("memo_bomb", memo_bomb(4, 3)),
        ("ordered", to_vec(&ordered())),
        (
            "ordered_strict",
            portable_pickle::strict::to_vec(&ordered()).expect("strict"),
        ),
        ("text", TEXT.to_vec()),
    ]
}
