//! The values of the strict-profile tests (docs/FORMAT.md, "Strict
//! profile"): every type kind and the std types, each written by
//! `portable_pickle::strict` and by the default profile. tests/strict.rs
//! compares them on CPython with tests/python/check_strict.py and scans
//! them; tests/corpus.rs gives every pair to the seven readers.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::rc::Rc;
use std::time::{Duration, UNIX_EPOCH};

use portable_pickle::PortablePickle;

/// A point in the plane.
#[derive(PortablePickle, Clone)]
pub struct Point {
    pub x: i64,
    pub y: f64,
}

#[derive(PortablePickle)]
struct Meters(f64, u8);

#[derive(PortablePickle)]
struct Unit;

#[derive(PortablePickle)]
#[pickle(frozen)]
struct Frozen {
    value: i32,
}

/// Ordered (`order=True`), and frozen and ordered.
#[derive(PortablePickle)]
#[pickle(order)]
struct Ordered {
    rank: i32,
    name: String,
}

#[derive(PortablePickle)]
#[pickle(order, frozen)]
enum OrderedEnum {
    Low { n: i32 },
    High,
}

#[derive(PortablePickle)]
#[pickle(hash)]
struct Hashed {
    name: String,
}

/// Colours.
#[derive(PortablePickle, Clone, Copy)]
enum Color {
    Red,
    Green,
}

#[derive(PortablePickle, Clone, Copy)]
#[pickle(int_enum)]
enum Level {
    Low = 1,
    High = 10,
}

/// A shape.
#[derive(PortablePickle)]
enum Shape {
    /// Round.
    Circle {
        center: Point,
        radius: f64,
    },
    Polygon(Vec<Point>),
    Empty,
}

#[derive(PortablePickle)]
#[pickle(tag = "kind")]
enum Event {
    Start { at: u64 },
    Stop,
}

#[derive(PortablePickle)]
struct Pair<A, B> {
    first: A,
    second: B,
}

#[derive(PortablePickle)]
#[pickle(module = "geo.shapes", name = "Vector")]
struct RustVec {
    dx: f64,
    dy: f64,
}

#[derive(PortablePickle)]
struct Keywords {
    class: u8,
    r#from: String,
}

#[derive(PortablePickle)]
struct Everything {
    shapes: Vec<Shape>,
    colors: BTreeMap<String, Color>,
    levels: Vec<Level>,
    shared: Vec<Rc<Point>>,
    pair: Pair<Unit, Meters>,
    vector: RustVec,
}

/// One value in both profiles: `(name, strict stream, default stream)`.
pub type Streams = (&'static str, Vec<u8>, Vec<u8>);

fn both<T: PortablePickle + ?Sized>(out: &mut Vec<Streams>, name: &'static str, value: &T) {
    let strict = portable_pickle::strict::to_vec(value).expect("a strict stream");
    assert!(strict.starts_with(portable_pickle::strict::HEADER));
    let mut via_writer = Vec::new();
    portable_pickle::strict::to_writer(&mut via_writer, value).unwrap();
    assert_eq!(via_writer, strict, "to_writer writes what to_vec returns");
    out.push((name, strict, portable_pickle::to_vec(value)));
}

/// Every value of the strict tests, in both profiles.
pub fn pairs() -> Vec<Streams> {
    let mut out = Vec::new();
    let p = Point { x: 1, y: -2.5 };
    both(&mut out, "point", &p);
    both(&mut out, "tuple_struct", &Meters(1.5, 7));
    both(&mut out, "unit_struct", &Unit);
    both(&mut out, "frozen", &Frozen { value: 3 });
    both(&mut out, "hashed", &Hashed { name: "h".into() });
    both(
        &mut out,
        "ordered",
        &(
            vec![
                Ordered {
                    rank: 2,
                    name: "b".into(),
                },
                Ordered {
                    rank: 1,
                    name: "z".into(),
                },
            ],
            vec![OrderedEnum::High, OrderedEnum::Low { n: 3 }],
        ),
    );
    both(&mut out, "unit_enum", &[Color::Red, Color::Green, Color::Red]);
    both(&mut out, "int_enum", &[Level::Low, Level::High]);
    both(
        &mut out,
        "data_enum",
        &vec![
            Shape::Circle {
                center: p.clone(),
                radius: 3.0,
            },
            Shape::Polygon(vec![p.clone(), Point { x: 0, y: 0.0 }]),
            Shape::Empty,
        ],
    );
    both(&mut out, "tagged", &vec![Event::Start { at: 5 }, Event::Stop]);
    both(
        &mut out,
        "generic",
        &Pair {
            first: "a".to_string(),
            second: Some(2u32),
        },
    );
    both(&mut out, "declared_module", &RustVec { dx: 1.0, dy: 2.0 });
    both(
        &mut out,
        "keywords",
        &Keywords {
            class: 1,
            r#from: "x".into(),
        },
    );
    let shared = Rc::new(Point { x: 9, y: 9.0 });
    let mut colors = BTreeMap::new();
    colors.insert("sky".to_string(), Color::Green);
    both(
        &mut out,
        "everything",
        &Everything {
            shapes: vec![Shape::Empty, Shape::Polygon(vec![])],
            colors,
            levels: vec![Level::High],
            shared: vec![shared.clone(), shared],
            pair: Pair {
                first: Unit,
                second: Meters(0.5, 1),
            },
            vector: RustVec { dx: -1.0, dy: 0.0 },
        },
    );
    both(
        &mut out,
        "std_types",
        &(
            (
                true,
                -7i8,
                u64::MAX,
                i128::MIN,
                u128::MAX,
                1.5f32,
                f64::NAN,
                'é',
                "text",
            ),
            (vec![1u8, 2, 3], Some(()), None::<u8>, [1u16, 2, 3]),
            (
                BTreeSet::from([1, 2]),
                BTreeMap::from([(1, "a")]),
                Duration::new(90061, 5000),
                UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456),
            ),
            (Ipv4Addr::new(10, 0, 0, 1), Ipv6Addr::LOCALHOST, 3..9u32),
        ),
    );
    out
}
