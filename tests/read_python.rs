//! Rust → stream → CPython loads → modifies → `pickle.dumps` at protocols
//! 0–5 → `from_slice` → the modified Rust value. Also instances of real
//! classes of the same names, and plain Python data.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Debug;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use portable_pickle::{from_slice, from_slice_with, to_vec, FromPickle, PortablePickle, ReadOptions, Value};

#[derive(PortablePickle, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Point {
    x: i64,
    y: i64,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Place {
    name: String,
    at: Point,
    tags: Vec<String>,
    note: Option<String>,
    population: u128,
    raw: Vec<u8>,
    index: BTreeMap<String, Point>,
}

#[derive(PortablePickle, Debug, PartialEq)]
enum Color {
    Red,
    Green,
    Blue,
}

#[derive(PortablePickle, Debug, PartialEq)]
enum Shape {
    Circle { center: Point, radius: f64 },
    Polygon(Vec<Point>),
    Empty,
}

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(frozen)]
struct Frozen {
    value: i32,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Rgb(u8, u8, u8);

#[derive(PortablePickle, Debug, PartialEq)]
struct Marker;

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(transparent)]
struct Meters(f64);

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(name = "Vector", module = "geo.shapes")]
struct RustVec {
    dx: f64,
    dy: f64,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Pair<A, B> {
    first: A,
    second: B,
}

#[derive(PortablePickle, Debug, PartialEq)]
enum Tree {
    Leaf(i32),
    Node(Box<Tree>, Box<Tree>),
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Shared {
    a: Rc<Point>,
    b: Rc<Point>,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Nested {
    inner: Option<Box<Nested>>,
    depth: u32,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Drawing {
    points: Vec<Point>,
    color: Color,
    shapes: Vec<Shape>,
    vector: RustVec,
}

type Misc = (
    Frozen,
    Rgb,
    Marker,
    Meters,
    RustVec,
    Pair<u8, Vec<String>>,
    Tree,
    Shared,
    (BTreeSet<u8>,),
);

const REAL_MODULE: &str = r#"
import dataclasses, enum

@dataclasses.dataclass
class Point:
    x: int
    y: int

class Color(enum.Enum):
    Red = 0
    Green = 1
    Blue = 2

@dataclasses.dataclass
class Shape:
    pass

@dataclasses.dataclass
class Circle(Shape):
    center: Point
    radius: float

@dataclasses.dataclass
class Empty(Shape):
    pass

for _c in (Circle, Empty):
    _c.__qualname__ = "Shape." + _c.__name__
    setattr(Shape, _c.__name__, _c)

@dataclasses.dataclass
class Drawing:
    points: list
    color: Color
    shapes: list
    vector: object
"#;

/// `__slots__` classes pickle their state as `(None, {slot: value})`. A
/// portable stream gives a real class its state as a dict (as CPython does
/// for a class with a `__dict__`), so a slotted real class takes it in
/// `__setstate__`.
const GEO_SHAPES: &str = r#"
class Vector:
    __slots__ = ("dx", "dy")
    def __init__(self, dx, dy):
        self.dx = dx
        self.dy = dy
    def __getstate__(self):
        return (None, {"dx": self.dx, "dy": self.dy})
    def __setstate__(self, state):
        if isinstance(state, tuple):
            state = {**(state[0] or {}), **state[1]}
        for k, v in state.items():
            setattr(self, k, v)
"#;

fn dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("read_python");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("geo")).unwrap();
    std::fs::write(dir.join("realgeo.py"), REAL_MODULE).unwrap();
    std::fs::write(dir.join("geo/__init__.py"), "").unwrap();
    std::fs::write(dir.join("geo/shapes.py"), GEO_SHAPES).unwrap();
    dir
}

fn write_in<T: PortablePickle>(dir: &Path, name: &str, v: &T) {
    std::fs::write(dir.join(format!("in_{name}.pkl")), to_vec(v)).unwrap();
}

fn check_out<T: FromPickle + PartialEq + Debug>(dir: &Path, name: &str, expected: &T) {
    check_protocols(dir, name, expected, 0..=5);
}

fn check_protocols<T: FromPickle + PartialEq + Debug>(
    dir: &Path,
    name: &str,
    expected: &T,
    protocols: std::ops::RangeInclusive<u8>,
) {
    for p in protocols {
        let file = dir.join(format!("out_{name}.p{p}.pkl"));
        let bytes = std::fs::read(&file).unwrap();
        let got: T = from_slice(&bytes).unwrap_or_else(|e| panic!("{name} protocol {p}: {e}"));
        assert_eq!(&got, expected, "{name} protocol {p}");
        // And as a dynamic value, which writes back and reads again.
        // Real classes are admitted by name for a typed read; a dynamic read names them.
        let mut options = ReadOptions::default();
        for n in ["Drawing", "Point", "Color", "Shape", "Shape.Circle", "Shape.Empty"] {
            options = options.allow_global("realgeo", n);
        }
        let options = options.allow_global("geo.shapes", "Vector");
        let v: Value =
            from_slice_with(&bytes, &options).unwrap_or_else(|e| panic!("{name} protocol {p} as Value: {e}"));
        let again: T = from_slice(&to_vec(&v)).unwrap_or_else(|e| panic!("{name} protocol {p} via Value: {e}"));
        assert_eq!(&again, expected, "{name} protocol {p} via Value");
    }
}

#[test]
fn cpython_repickles_read_back() {
    let dir = dir();
    let place = Place {
        name: "Zürich".into(),
        at: Point { x: 8, y: 47 },
        tags: vec!["city".into()],
        note: None,
        population: u128::from(u64::MAX) + 1,
        raw: vec![0, 1, 255],
        index: BTreeMap::from([("home".to_string(), Point { x: 1, y: 2 })]),
    };
    write_in(&dir, "place", &place);
    write_in(&dir, "colors", &vec![Color::Red, Color::Green]);
    write_in(
        &dir,
        "shapes",
        &vec![
            Shape::Circle {
                center: Point { x: 1, y: 2 },
                radius: 3.0,
            },
            Shape::Polygon(vec![Point { x: 0, y: 0 }]),
            Shape::Empty,
        ],
    );
    let t0 = UNIX_EPOCH + Duration::new(951_782_400, 123_456_000);
    write_in(
        &dir,
        "std",
        &(
            Duration::new(90_061, 5_000),
            t0,
            Ipv4Addr::new(10, 0, 0, 1),
            Ipv6Addr::LOCALHOST,
            0..10u32,
        ),
    );
    let p = Rc::new(Point { x: 5, y: 5 });
    write_in(
        &dir,
        "misc",
        &(
            Frozen { value: 1 },
            Rgb(1, 2, 3),
            Marker,
            Meters(1.25),
            RustVec { dx: 1.0, dy: 2.0 },
            Pair {
                first: 1u8,
                second: vec!["a".to_string()],
            },
            Tree::Node(Box::new(Tree::Leaf(1)), Box::new(Tree::Leaf(2))),
            Shared { a: p.clone(), b: p },
            (BTreeSet::from([1u8, 2, 3]),),
        ),
    );
    write_in(
        &dir,
        "nested",
        &(0..200).fold(Nested { inner: None, depth: 0 }, |n, d| Nested {
            inner: Some(Box::new(n)),
            depth: d + 1,
        }),
    );

    let out = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/reread.py"))
        .arg(&dir)
        .output()
        .expect("python3 must be installed");
    assert!(
        out.status.success(),
        "reread.py failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let mut place = place;
    place.at.x = 99;
    place.tags.push("new".into());
    place.note = Some("noted".into());
    place.index.insert("work".into(), Point { x: 3, y: 4 });
    check_out(&dir, "place", &place);
    check_out(&dir, "colors", &vec![Color::Red, Color::Blue]);
    check_out(
        &dir,
        "shapes",
        &vec![
            Shape::Circle {
                center: Point { x: 1, y: 2 },
                radius: 10.0,
            },
            Shape::Polygon(vec![Point { x: 0, y: 0 }, Point { x: 7, y: 7 }]),
            Shape::Empty,
            Shape::Empty,
        ],
    );
    check_out::<(Duration, SystemTime, Ipv4Addr, Ipv6Addr, std::ops::Range<u32>)>(
        &dir,
        "std",
        &(
            Duration::new(90_062, 5_000),
            t0 + Duration::from_secs(86_400),
            Ipv4Addr::new(10, 0, 0, 2),
            "::2".parse().unwrap(),
            0..11,
        ),
    );
    let p = Rc::new(Point { x: 6, y: 5 });
    check_out::<Misc>(
        &dir,
        "misc",
        &(
            Frozen { value: 2 },
            Rgb(1, 2, 11),
            Marker,
            Meters(2.5),
            RustVec { dx: -1.5, dy: 2.0 },
            Pair {
                first: 1,
                second: vec!["a".into(), "z".into()],
            },
            Tree::Node(Box::new(Tree::Leaf(1)), Box::new(Tree::Leaf(5))),
            Shared { a: p.clone(), b: p },
            (BTreeSet::from([1, 2, 3, 4]),),
        ),
    );
    let mut nested = (0..200).fold(Nested { inner: None, depth: 0 }, |n, d| Nested {
        inner: Some(Box::new(n)),
        depth: d + 1,
    });
    nested.depth = 1000;
    check_out(&dir, "nested", &nested);
    let drawing = Drawing {
        points: vec![Point { x: 1, y: 2 }, Point { x: 3, y: 4 }],
        color: Color::Green,
        shapes: vec![
            Shape::Circle {
                center: Point { x: 0, y: 0 },
                radius: 2.5,
            },
            Shape::Empty,
        ],
        vector: RustVec { dx: 1.0, dy: 2.0 },
    };
    check_protocols(&dir, "real", &drawing, 2..=5);
    check_out(
        &dir,
        "plain",
        &Drawing {
            points: vec![Point { x: 1, y: 2 }, Point { x: 3, y: 4 }],
            color: Color::Green,
            shapes: vec![Shape::Empty],
            vector: RustVec { dx: 0.5, dy: 0.25 },
        },
    );
    // Plain data read as plain Rust collections too.
    let plain = std::fs::read(dir.join("out_plain.p2.pkl")).unwrap();
    let m: HashMap<String, Value> = from_slice(&plain).unwrap();
    assert_eq!(m["color"], Value::Str("Green".into()));
}

/// Types of the optional features: Rust writes them, CPython loads, changes
/// and re-pickles them at every protocol, Rust reads the changed values.
#[cfg(all(
    feature = "chrono",
    feature = "uuid",
    feature = "rust_decimal",
    feature = "indexmap",
    feature = "num-complex"
))]
#[test]
fn cpython_repickles_feature_types() {
    use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

    type Features = (
        NaiveDate,
        NaiveTime,
        NaiveDateTime,
        DateTime<Utc>,
        DateTime<FixedOffset>,
        uuid::Uuid,
        rust_decimal::Decimal,
        indexmap::IndexMap<String, u32>,
        num_complex::Complex<f64>,
    );
    let features = |day: u32, n: u128, dec: i64, extra: bool, im: f64| -> Features {
        let date = NaiveDate::from_ymd_opt(2024, 2, day).unwrap();
        let naive = date.and_hms_micro_opt(13, 45, 7, 123_456).unwrap();
        let mut map = indexmap::IndexMap::from([("zeta".to_string(), 1), ("alpha".to_string(), 2)]);
        if extra {
            map.insert("new".into(), 3);
        }
        (
            date,
            naive.time(),
            naive,
            Utc.from_utc_datetime(&naive),
            FixedOffset::east_opt(-3 * 3600 - 1800)
                .unwrap()
                .from_local_datetime(&naive)
                .unwrap(),
            uuid::Uuid::from_u128(n),
            rust_decimal::Decimal::new(dec, 2),
            map,
            num_complex::Complex::new(1.5, im),
        )
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("read_python_features");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let original = features(28, u128::MAX - 5, 150, false, -2.0);
    std::fs::write(dir.join("in.pkl"), to_vec(&original)).unwrap();
    let script = r#"
import datetime, decimal, os, pickle, sys, uuid
d = sys.argv[1]
v = list(pickle.load(open(os.path.join(d, "in.pkl"), "rb")))
one_day = datetime.timedelta(days=1)
v[0] += one_day
v[2] += one_day
v[3] += one_day
v[4] += one_day
v[5] = uuid.UUID(int=v[5].int + 1)
v[6] = v[6] * 2
v[7]["new"] = 3
v[8] = complex(v[8].real, 4.0)
for p in range(6):
    with open(os.path.join(d, f"out.p{p}.pkl"), "wb") as f:
        f.write(pickle.dumps(tuple(v), protocol=p))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&dir)
        .output()
        .expect("python3 must be installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(from_slice::<Features>(&to_vec(&original)).unwrap(), original);
    let mut expected = features(29, u128::MAX - 4, 300, true, 4.0);
    expected.1 = original.1;
    for p in 0..=5 {
        let bytes = std::fs::read(dir.join(format!("out.p{p}.pkl"))).unwrap();
        let got: Features = from_slice(&bytes).unwrap_or_else(|e| panic!("protocol {p}: {e}"));
        assert_eq!(got, expected, "protocol {p}");
    }
}
