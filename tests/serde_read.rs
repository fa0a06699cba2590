//! The read half of the serde bridge: `portable_pickle::serde::from_slice`
//! over streams the derive wrote, CPython's re-pickles of the objects
//! loaded from them (protocols 0–5), plain Python data; its errors and
//! limits.
#![cfg(feature = "serde")]

#[path = "support/serde_values.rs"]
mod serde_values;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::process::Command;

use portable_pickle::{serde as pser, to_vec, ErrorKind, ReadOptions, Value};
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// The types the derive writes (their Python classes are named as the
/// serde types below, which read them).
mod w {
    use std::collections::{BTreeMap, BTreeSet};

    use portable_pickle::PortablePickle;

    #[derive(PortablePickle, Debug, Clone, PartialEq)]
    pub struct Point {
        pub x: i64,
        pub y: i64,
    }

    #[derive(PortablePickle, Debug, PartialEq)]
    pub enum Shape {
        Circle { center: Point, radius: f64 },
        Polygon(Vec<Point>),
        Segment(Point, Point),
        Empty,
    }

    #[derive(PortablePickle, Debug, PartialEq)]
    pub struct Rgb(pub u8, pub u8, pub u8);

    #[derive(PortablePickle, Debug, PartialEq)]
    pub struct Marker;

    #[derive(PortablePickle, Debug, PartialEq)]
    #[pickle(transparent)]
    pub struct Meters(pub f64);

    #[derive(PortablePickle, Debug, PartialEq)]
    pub struct Place {
        pub name: String,
        pub at: Point,
        pub tags: Vec<String>,
        pub note: Option<String>,
        pub population: u128,
        pub debt: i128,
        pub raw: Vec<u8>,
        pub bytes: Vec<u8>,
        pub index: BTreeMap<String, Point>,
        pub set: BTreeSet<u8>,
        pub pair: (i32, String),
        pub shapes: Vec<Shape>,
        pub color: Rgb,
        pub marker: Marker,
        pub length: Meters,
        pub letter: char,
    }

    #[derive(PortablePickle, Debug, PartialEq)]
    pub enum Color {
        Red,
        Green,
    }

    #[derive(PortablePickle, Debug, PartialEq)]
    pub struct Item {
        pub name: Option<String>,
    }

    #[derive(PortablePickle, Debug, PartialEq)]
    pub struct Bag {
        pub items: Vec<Item>,
    }

    #[derive(PortablePickle, Debug, PartialEq)]
    pub struct Labelled {
        pub kind: String,
        pub text: String,
    }
}

#[derive(Deserialize, Debug, Clone, PartialEq)]
struct Point {
    x: i64,
    y: i64,
}

#[derive(Deserialize, Debug, PartialEq)]
enum Shape {
    Circle { center: Point, radius: f64 },
    Polygon(Vec<Point>),
    Segment(Point, Point),
    Empty,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Rgb(u8, u8, u8);

#[derive(Deserialize, Debug, PartialEq)]
struct Marker;

#[derive(Deserialize, Debug, PartialEq)]
struct Meters(f64);

#[derive(Deserialize, Debug, PartialEq)]
struct Place {
    name: String,
    at: Point,
    tags: Vec<String>,
    note: Option<String>,
    population: u128,
    debt: i128,
    #[serde(with = "serde_bytes")]
    raw: Vec<u8>,
    /// `bytes` read as a sequence of `u8`.
    bytes: Vec<u8>,
    index: BTreeMap<String, Point>,
    set: BTreeSet<u8>,
    pair: (i32, String),
    shapes: Vec<Shape>,
    color: Rgb,
    marker: Marker,
    length: Meters,
    letter: char,
}

fn sample_written() -> w::Place {
    w::Place {
        name: "Zürich".into(),
        at: w::Point { x: 8, y: 47 },
        tags: vec!["city".into(), "lake".into()],
        note: None,
        population: u128::MAX - 1,
        debt: i128::MIN + 1,
        raw: vec![0, 1, 255],
        bytes: vec![9, 8],
        index: BTreeMap::from([("home".to_string(), w::Point { x: 1, y: 2 })]),
        set: BTreeSet::from([3, 1, 2]),
        pair: (-7, "seven".into()),
        shapes: vec![
            w::Shape::Circle {
                center: w::Point { x: 0, y: 0 },
                radius: 2.5,
            },
            w::Shape::Polygon(vec![w::Point { x: 1, y: 1 }]),
            w::Shape::Segment(w::Point { x: 1, y: 2 }, w::Point { x: 3, y: 4 }),
            w::Shape::Empty,
        ],
        color: w::Rgb(1, 2, 3),
        marker: w::Marker,
        length: w::Meters(1.25),
        letter: 'ß',
    }
}

fn sample() -> Place {
    Place {
        name: "Zürich".into(),
        at: Point { x: 8, y: 47 },
        tags: vec!["city".into(), "lake".into()],
        note: None,
        population: u128::MAX - 1,
        debt: i128::MIN + 1,
        raw: vec![0, 1, 255],
        bytes: vec![9, 8],
        index: BTreeMap::from([("home".to_string(), Point { x: 1, y: 2 })]),
        set: BTreeSet::from([1, 2, 3]),
        pair: (-7, "seven".into()),
        shapes: vec![
            Shape::Circle {
                center: Point { x: 0, y: 0 },
                radius: 2.5,
            },
            Shape::Polygon(vec![Point { x: 1, y: 1 }]),
            Shape::Segment(Point { x: 1, y: 2 }, Point { x: 3, y: 4 }),
            Shape::Empty,
        ],
        color: Rgb(1, 2, 3),
        marker: Marker,
        length: Meters(1.25),
        letter: 'ß',
    }
}

fn read<T: DeserializeOwned>(bytes: &[u8]) -> T {
    pser::from_slice(bytes).unwrap_or_else(|e| panic!("{}: {e}", std::any::type_name::<T>()))
}

fn err<T: DeserializeOwned + Debug>(bytes: &[u8]) -> portable_pickle::Error {
    match pser::from_slice::<T>(bytes) {
        Ok(v) => panic!("read {v:?}, expected an error"),
        Err(e) => e,
    }
}

/// A fresh directory under the target's tmp dir.
fn dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a Python script with `dir` as its argument.
fn python(script: &str, dir: &Path) {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(dir)
        .output()
        .expect("python3 must be installed");
    assert!(
        out.status.success(),
        "python failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The files `NAME.pP.pkl` the script wrote, protocol by protocol.
fn protocols(dir: &Path, name: &str) -> Vec<(u8, Vec<u8>)> {
    (0..=5)
        .map(|p| (p, std::fs::read(dir.join(format!("{name}.p{p}.pkl"))).unwrap()))
        .collect()
}

#[test]
fn derive_streams_read_through_serde() {
    let bytes = to_vec(&sample_written());
    assert_eq!(read::<Place>(&bytes), sample());
    // From a reader, one pickle after another.
    let mut two = to_vec(&w::Point { x: 1, y: 2 });
    two.extend(to_vec(&vec![w::Point { x: 3, y: 4 }]));
    let mut r = std::io::Cursor::new(two);
    let a: Point = pser::from_reader(&mut r).unwrap();
    let b: Vec<Point> = pser::from_reader(&mut r).unwrap();
    assert_eq!((a, b), (Point { x: 1, y: 2 }, vec![Point { x: 3, y: 4 }]));
    // Builtins.
    let v = (1u8, -2i16, 3.5f32, true, "s".to_string(), vec![Some(1u64), None]);
    assert_eq!(read::<(u8, i16, f32, bool, String, Vec<Option<u64>>)>(&to_vec(&v)), v);
    let m = HashMap::from([("a".to_string(), vec![1u32, 2]), ("b".to_string(), vec![])]);
    assert_eq!(read::<HashMap<String, Vec<u32>>>(&to_vec(&m)), m);
    let m = BTreeMap::from([(1u16, "one".to_string()), (2, "two".to_string())]);
    assert_eq!(read::<BTreeMap<u16, String>>(&to_vec(&m)), m);
    assert_eq!(read::<()>(&to_vec(&())), ());
    // An int read as a float, as FromPickle does.
    assert_eq!(read::<f64>(&to_vec(&3i64)), 3.0);
}

/// serde's self-describing reads (`deserialize_any`) see what serde_json
/// would for the same Rust value: structs as maps, tuple structs as
/// sequences, newtypes as their value, variants as `{variant: content}`.
#[test]
fn self_describing_reads() {
    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(untagged)]
    enum Any {
        Int(i64),
        Float(f64),
        Str(String),
        List(Vec<Any>),
        Map(BTreeMap<String, Any>),
        Unit(()),
    }
    use Any::*;
    let map = |pairs: &[(&str, Any)]| -> Any { Map(pairs.iter().map(|(k, v)| (k.to_string(), clone(v))).collect()) };
    fn clone(a: &Any) -> Any {
        match a {
            Int(i) => Int(*i),
            Float(f) => Float(*f),
            Str(s) => Str(s.clone()),
            List(l) => List(l.iter().map(clone).collect()),
            Map(m) => Map(m.iter().map(|(k, v)| (k.clone(), clone(v))).collect()),
            Unit(()) => Unit(()),
        }
    }
    let p = |x, y| map(&[("x", Int(x)), ("y", Int(y))]);
    let shapes = vec![
        w::Shape::Circle {
            center: w::Point { x: 0, y: 1 },
            radius: 2.5,
        },
        w::Shape::Polygon(vec![w::Point { x: 1, y: 1 }]),
        w::Shape::Segment(w::Point { x: 1, y: 2 }, w::Point { x: 3, y: 4 }),
        w::Shape::Empty,
    ];
    let got: Any = read(&to_vec(&shapes));
    assert_eq!(
        got,
        List(vec![
            map(&[("Circle", map(&[("center", p(0, 1)), ("radius", Float(2.5))]))]),
            map(&[("Polygon", List(vec![p(1, 1)]))]),
            map(&[("Segment", List(vec![p(1, 2), p(3, 4)]))]),
            map(&[("Empty", Unit(()))]),
        ])
    );
    let got: Any = read(&to_vec(&(w::Rgb(1, 2, 3), w::Marker, w::Meters(1.5))));
    assert_eq!(
        got,
        List(vec![List(vec![Int(1), Int(2), Int(3)]), Unit(()), Float(1.5)])
    );

    // Internally and adjacently tagged enums, from objects.
    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(tag = "kind")]
    enum Tagged {
        Point { x: i64, y: i64 },
        Label { text: String },
    }
    let labels = vec![
        w::Labelled {
            kind: "Label".into(),
            text: "hi".into(),
        },
        w::Labelled {
            kind: "Point".into(),
            text: "ignored".into(),
        },
    ];
    let e = err::<Vec<Tagged>>(&to_vec(&labels));
    assert_eq!(e.path(), "[1]");
    assert!(e.to_string().contains("missing field `x`"), "{e}");
    let got: Vec<Tagged> = read(&to_vec(&labels[..1]));
    assert_eq!(got, [Tagged::Label { text: "hi".into() }]);
    #[derive(Deserialize, Debug, PartialEq)]
    struct Wrapped {
        #[serde(flatten)]
        rest: BTreeMap<String, i64>,
    }
    assert_eq!(
        read::<Wrapped>(&to_vec(&w::Point { x: 5, y: 6 })),
        Wrapped {
            rest: BTreeMap::from([("x".into(), 5), ("y".into(), 6)])
        }
    );
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(tag = "t", content = "c")]
enum Adjacent {
    Pair(Point, Point),
    Nothing,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(tag = "kind")]
enum Internal {
    Move { dx: i32 },
    Stop,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Plain {
    name: String,
    points: Vec<Point>,
    shape: Shape,
    shapes: Vec<Shape>,
    #[serde(with = "serde_bytes")]
    raw: Vec<u8>,
    array: Vec<u8>,
    big: u128,
    small: i128,
    tuple: (i8, String, Option<bool>),
    set: BTreeSet<i32>,
    frozen: BTreeSet<String>,
    nested: HashMap<String, Vec<Point>>,
    adjacent: Vec<Adjacent>,
    internal: Vec<Internal>,
    float: f32,
    unit: (),
}

/// Plain Python data (dicts, lists, sets, bytes, big ints) at every protocol.
#[test]
fn plain_python_data() {
    let dir = dir("serde_read_plain");
    python(
        r#"
import os, pickle, sys
d = sys.argv[1]
v = {
    "name": "plain",
    "points": [{"x": 1, "y": 2}, {"x": -3, "y": 4}],
    "shape": {"Circle": {"center": {"x": 0, "y": 0}, "radius": 1.5}},
    "shapes": ["Empty", {"Polygon": [{"x": 1, "y": 1}]}, {"Segment": ({"x": 1, "y": 2}, {"x": 3, "y": 4})}],
    "raw": b"\x00\xffab",
    "array": bytearray(b"\x01\x02"),
    "big": 2**128 - 1,
    "small": -2**127,
    "tuple": (-5, "five", None),
    "set": {3, 1, 2},
    "frozen": frozenset({"a"}),
    "nested": {"k": [{"x": 9, "y": 9}]},
    "adjacent": [{"t": "Pair", "c": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]}, {"t": "Nothing"}],
    "internal": [{"kind": "Move", "dx": -1}, {"kind": "Stop"}],
    "float": 0.5,
    "unit": None,
    "extra": object.__name__,
}
for p in range(6):
    with open(os.path.join(d, f"plain.p{p}.pkl"), "wb") as f:
        f.write(pickle.dumps(v, protocol=p))
    with open(os.path.join(d, f"huge.p{p}.pkl"), "wb") as f:
        f.write(pickle.dumps({"points": [{"x": 1, "y": 2**64}]}, protocol=p))
"#,
        &dir,
    );
    let expected = Plain {
        name: "plain".into(),
        points: vec![Point { x: 1, y: 2 }, Point { x: -3, y: 4 }],
        shape: Shape::Circle {
            center: Point { x: 0, y: 0 },
            radius: 1.5,
        },
        shapes: vec![
            Shape::Empty,
            Shape::Polygon(vec![Point { x: 1, y: 1 }]),
            Shape::Segment(Point { x: 1, y: 2 }, Point { x: 3, y: 4 }),
        ],
        raw: vec![0, 255, b'a', b'b'],
        array: vec![1, 2],
        big: u128::MAX,
        small: i128::MIN,
        tuple: (-5, "five".into(), None),
        set: BTreeSet::from([1, 2, 3]),
        frozen: BTreeSet::from(["a".to_string()]),
        nested: HashMap::from([("k".to_string(), vec![Point { x: 9, y: 9 }])]),
        adjacent: vec![
            Adjacent::Pair(Point { x: 1, y: 2 }, Point { x: 3, y: 4 }),
            Adjacent::Nothing,
        ],
        internal: vec![Internal::Move { dx: -1 }, Internal::Stop],
        float: 0.5,
        unit: (),
    };
    for (p, bytes) in protocols(&dir, "plain") {
        let got: Plain = pser::from_slice(&bytes).unwrap_or_else(|e| panic!("protocol {p}: {e}"));
        assert_eq!(got, expected, "protocol {p}");
    }
    for (p, bytes) in protocols(&dir, "huge") {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Points {
            points: Vec<Point>,
        }
        let e = err::<Points>(&bytes);
        assert_eq!(
            e.kind(),
            &ErrorKind::IntOutOfRange {
                value: "18446744073709551616".into(),
                ty: "i64"
            },
            "protocol {p}"
        );
        assert_eq!(e.path(), ".points[0].y", "protocol {p}");
    }
}

/// Rust writes, CPython loads, changes and re-pickles at protocols 0–5;
/// serde reads the changed values.
#[test]
fn cpython_repickles_read_back() {
    let dir = dir("serde_read_repickle");
    std::fs::write(dir.join("in.pkl"), to_vec(&sample_written())).unwrap();
    python(
        r#"
import os, pickle, sys
d = sys.argv[1]
v = pickle.load(open(os.path.join(d, "in.pkl"), "rb"))
v.at.x = 99
v.tags.append("new")
v.note = "noted"
v.index["work"] = type(v.at)(3, 4)
v.set.add(4)
v.shapes[0].radius = 10.0
v.shapes[1]._0.append(type(v.at)(7, 7))
v.shapes.append(type(v.shapes[3])())
v.color._2 = 11
v.population += 1
v.extra_attribute = "ignored"
for p in range(6):
    with open(os.path.join(d, f"out.p{p}.pkl"), "wb") as f:
        f.write(pickle.dumps(v, protocol=p))
"#,
        &dir,
    );
    let mut expected = sample();
    expected.at.x = 99;
    expected.tags.push("new".into());
    expected.note = Some("noted".into());
    expected.index.insert("work".into(), Point { x: 3, y: 4 });
    expected.set.insert(4);
    expected.shapes[0] = Shape::Circle {
        center: Point { x: 0, y: 0 },
        radius: 10.0,
    };
    expected.shapes[1] = Shape::Polygon(vec![Point { x: 1, y: 1 }, Point { x: 7, y: 7 }]);
    expected.shapes.push(Shape::Empty);
    expected.color.2 = 11;
    expected.population += 1;
    for (p, bytes) in protocols(&dir, "out") {
        let got: Place = pser::from_slice(&bytes).unwrap_or_else(|e| panic!("protocol {p}: {e}"));
        assert_eq!(got, expected, "protocol {p}");
    }
}

/// Instances of real classes are admitted only with `allow_global`: serde
/// knows no class names.
#[test]
fn real_classes_need_allow_global() {
    let dir = dir("serde_read_real");
    std::fs::write(
        dir.join("realgeo.py"),
        "import dataclasses\n@dataclasses.dataclass\nclass Point:\n    x: int\n    y: int\n",
    )
    .unwrap();
    python(
        r#"
import os, pickle, sys
d = sys.argv[1]
sys.path.insert(0, d)
import realgeo
for p in range(6):
    with open(os.path.join(d, f"real.p{p}.pkl"), "wb") as f:
        f.write(pickle.dumps([realgeo.Point(1, 2)], protocol=p))
"#,
        &dir,
    );
    let options = ReadOptions::default().allow_global("realgeo", "Point");
    for (p, bytes) in protocols(&dir, "real") {
        let e = err::<Vec<Point>>(&bytes);
        assert!(
            matches!(e.kind(), ErrorKind::ForbiddenGlobal { module, name } if module == "realgeo" && name == "Point"),
            "protocol {p}: {e}"
        );
        let got: Vec<Point> = pser::from_slice_with(&bytes, &options).unwrap_or_else(|e| panic!("protocol {p}: {e}"));
        assert_eq!(got, [Point { x: 1, y: 2 }], "protocol {p}");
    }
}

#[test]
fn errors_name_the_path() {
    let bag = w::Bag {
        items: vec![
            w::Item { name: Some("a".into()) },
            w::Item { name: Some("b".into()) },
            w::Item { name: None },
        ],
    };
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Item {
        name: String,
    }
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Bag {
        items: Vec<Item>,
    }
    let e = err::<Bag>(&to_vec(&bag));
    assert_eq!(e.path(), ".items[2].name");
    assert_eq!(
        e.kind(),
        &ErrorKind::TypeMismatch {
            expected: "str".into(),
            found: "None".into()
        }
    );
    assert_eq!(e.to_string(), "expected str, found None at .items[2].name");

    // A missing field names its class.
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Point {
        x: i64,
        y: i64,
        z: i64,
    }
    let e = err::<Vec<Point>>(&to_vec(&vec![w::Point { x: 1, y: 2 }]));
    assert_eq!(
        e.kind(),
        &ErrorKind::MissingField {
            ty: "Point".into(),
            field: "z".into()
        }
    );
    assert_eq!(e.to_string(), "missing field `z` of `Point` at [0]");

    // Unknown fields, when the type refuses them.
    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields, rename = "Point")]
    #[allow(dead_code)]
    struct OnlyX {
        x: i64,
    }
    let e = err::<OnlyX>(&to_vec(&w::Point { x: 1, y: 2 }));
    assert_eq!(
        e.kind(),
        &ErrorKind::UnknownField {
            ty: "Point".into(),
            field: "y".into()
        }
    );

    // An object of another class.
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Other {
        x: i64,
    }
    let e = err::<Other>(&to_vec(&w::Point { x: 1, y: 2 }));
    assert_eq!(
        e.kind(),
        &ErrorKind::TypeMismatch {
            expected: "Other".into(),
            found: "_portable_pickle_v3.Point".into()
        }
    );

    // Out of range, at every width.
    let e = err::<Vec<u8>>(&to_vec(&vec![1i64, 256]));
    assert_eq!(e.path(), "[1]");
    assert_eq!(
        e.kind(),
        &ErrorKind::IntOutOfRange {
            value: "256".into(),
            ty: "u8"
        }
    );
    let e = err::<u128>(&to_vec(&-1i128));
    assert!(matches!(e.kind(), ErrorKind::IntOutOfRange { ty: "u128", .. }), "{e}");
    let e = err::<i128>(&to_vec(&u128::MAX));
    assert!(matches!(e.kind(), ErrorKind::IntOutOfRange { ty: "i128", .. }), "{e}");

    // A tuple of the wrong length.
    let e = err::<(i64, i64)>(&to_vec(&vec![1i64, 2, 3]));
    assert_eq!(e.to_string(), "expected 2 items, found 3");

    // A variant the type does not have, and a variant's bad field.
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    enum Shape {
        Circle { center: Point, radius: f64 },
    }
    let e = err::<Shape>(&to_vec(&w::Shape::Empty));
    assert!(e.to_string().contains("unknown variant `Empty`"), "{e}");
    let e = err::<Shape>(&to_vec(&w::Shape::Circle {
        center: w::Point { x: 1, y: 2 },
        radius: 1.0,
    }));
    assert_eq!(e.path(), ".center");
    assert_eq!(e.to_string(), "missing field `z` of `Point` at .center");

    // A derived unit-only enum's member carries its value, not its name.
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    enum Color {
        Red,
        Green,
    }
    let e = err::<Color>(&to_vec(&w::Color::Green));
    assert!(e.to_string().contains("by its value (Int(1))"), "{e}");
    // Its name, as plain data, reads.
    assert!(matches!(read::<Color>(&to_vec("Green")), Color::Green));

    // A custom message from a Deserialize impl.
    let e = err::<std::net::Ipv4Addr>(&to_vec("not an address"));
    assert!(matches!(e.kind(), ErrorKind::Invalid(_)), "{e}");

    // A malformed stream fails at its byte offset, as for any read.
    let e = err::<Vec<i64>>(b"\x80\x02]q\x00");
    assert_eq!(e.kind(), &ErrorKind::Eof);
}

/// `[1]`, then 60 levels of a list holding the level below twice: 64
/// bytes of stream, 2^60 nodes when expanded.
fn memo_bomb(levels: u8) -> Vec<u8> {
    let mut b = vec![0x80, 2, b']', b'K', 1, b'a', b'q', 0];
    for i in 1..=levels {
        b.extend([b']', b'(', b'h', i - 1, b'h', i - 1, b'e', b'q', i]);
    }
    b.push(b'.');
    b
}

#[test]
fn memo_bomb_stops_at_the_budget() {
    #[derive(Deserialize, Debug)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Tree {
        Leaf(i64),
        Node(Vec<Tree>),
    }
    /// 21 levels of lists of `u8`, as `memo_bomb(20)` has.
    type V3<T> = Vec<Vec<Vec<T>>>;
    type Nested = V3<V3<V3<V3<V3<V3<V3<u8>>>>>>>;
    let bomb = memo_bomb(60);
    // The tree itself is small: one node per level.
    let v: Value = portable_pickle::from_slice(&bomb).unwrap();
    drop(v);
    let options = ReadOptions::default().max_alloc(8 << 20);
    for e in [
        pser::from_slice_with::<Tree>(&bomb, &options).unwrap_err(),
        pser::from_slice_with::<serde::de::IgnoredAny>(&memo_bomb(20), &ReadOptions::default().max_alloc(1 << 10))
            .unwrap_err(),
    ] {
        assert!(
            matches!(
                e.kind(),
                ErrorKind::Limit {
                    what: "total allocation",
                    ..
                }
            ),
            "{e}"
        );
    }
    let e = pser::from_slice_with::<Nested>(&memo_bomb(20), &options).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Limit { .. }), "{e}");
    // The default budget stops it too.
    let e = pser::from_slice::<Tree>(&bomb).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Limit { .. }), "{e}");
}

/// Nesting as deep as the reader allows converts without exhausting a
/// test thread's stack (2 MiB), even in a debug build: structs, enum
/// variants, and self-describing reads through serde's buffering.
#[test]
fn deep_nesting() {
    #[derive(portable_pickle::PortablePickle)]
    #[pickle(name = "Nested")]
    struct WNested {
        inner: Option<Box<WNested>>,
        depth: u32,
    }
    #[derive(portable_pickle::PortablePickle)]
    #[pickle(name = "Chain")]
    enum WChain {
        Link(Box<WChain>),
        End,
    }
    #[derive(Deserialize)]
    struct Nested {
        inner: Option<Box<Nested>>,
        depth: u32,
    }
    #[derive(Deserialize)]
    enum Chain {
        Link(Box<Chain>),
        End,
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Tree {
        Leaf(i64),
        Node(Vec<Tree>),
    }
    const DEPTH: u32 = 990;
    // Past the bridge's own default depth (serde_json's 128), which is
    // named in the error; with it raised, as deep as `max_depth`.
    fn read_deep<T: DeserializeOwned>(bytes: &[u8]) -> T {
        let e = pser::from_slice::<serde::de::IgnoredAny>(bytes).unwrap_err();
        assert!(
            e.to_string().contains("ReadOptions::serde_max_depth (limit 128)"),
            "{e}"
        );
        let options = portable_pickle::ReadOptions::default().serde_max_depth(1000);
        pser::from_slice_with(bytes, &options).unwrap_or_else(|e| panic!("{}: {e}", std::any::type_name::<T>()))
    }

    let nested = (0..DEPTH).fold(WNested { inner: None, depth: 0 }, |n, d| WNested {
        inner: Some(Box::new(n)),
        depth: d + 1,
    });
    let back: Nested = read_deep(&to_vec(&nested));
    assert_eq!(back.depth, DEPTH);
    let mut levels = 0;
    let mut n = &back;
    while let Some(inner) = &n.inner {
        levels += 1;
        n = inner;
    }
    assert_eq!(levels, DEPTH);
    // Dropping a deep Rust value recurses; keep it off the test's stack budget.
    std::mem::forget((nested, back));

    let chain = (0..DEPTH).fold(WChain::End, |c, _| WChain::Link(Box::new(c)));
    let back: Chain = read_deep(&to_vec(&chain));
    let mut levels = 0;
    let mut c = &back;
    while let Chain::Link(next) = c {
        levels += 1;
        c = next;
    }
    assert_eq!(levels, DEPTH);
    std::mem::forget((chain, back));

    let mut b = vec![0x80, 2];
    b.extend(vec![b']'; DEPTH as usize]);
    b.extend([b'K', 1, b'a']);
    b.extend(vec![b'a'; DEPTH as usize - 1]);
    b.push(b'.');
    let tree: Tree = read_deep(&b);
    let mut levels = 0;
    let mut t = &tree;
    while let Tree::Node(v) = t {
        levels += 1;
        t = &v[0];
    }
    assert_eq!(levels, DEPTH);
    assert!(matches!(t, Tree::Leaf(1)));
    std::mem::forget(tree);
}

// ---------------------------------------------------------------- round trips through the serde writer

mod rt {
    use std::collections::{BTreeMap, HashMap};
    use std::fmt::Debug;

    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Serialize};

    /// `serde::from_slice(&serde::to_vec(&v)) == v`, also from a reader and
    /// from the dynamic `Value` of the stream (the check the corpus's serde
    /// values get too: tests/support/serde_values.rs).
    pub fn rt<T: Serialize + DeserializeOwned + PartialEq + Debug>(v: &T) {
        crate::serde_values::round_trip(v, v);
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    #[serde(rename_all = "camelCase")]
    pub struct Inner {
        pub first_name: String,
        #[serde(skip)]
        pub cached: u32,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        pub nick_name: Option<String>,
        #[serde(default)]
        pub score: i32,
        #[serde(rename = "class")]
        pub class_name: String,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub struct Outer {
        pub inner_list: Vec<Inner>,
        pub by_name: HashMap<String, Vec<Inner>>,
        #[serde(skip_serializing_if = "Vec::is_empty", default)]
        pub extra: Vec<u8>,
        #[serde(with = "serde_bytes")]
        pub blob: Vec<u8>,
        pub plain_bytes: Vec<u8>,
        pub big: u128,
        pub neg: i128,
        pub version: semver::Version,
        pub ordered: BTreeMap<i64, (bool, char, f32)>,
        pub nothing: (),
        pub maybe: Option<Option<u8>>,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub enum External {
        Unit,
        Newtype(Inner),
        Tuple(i8, String),
        Struct { a: u64, b: Vec<External> },
        None,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    #[serde(tag = "type")]
    pub enum Internal {
        Unit,
        Newtype(Inner),
        Struct { a: u64, class: String },
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    #[serde(tag = "t", content = "c")]
    pub enum Adjacent {
        Unit,
        Newtype(u8),
        Tuple(u8, u8),
        Struct { a: u64 },
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    #[serde(untagged)]
    pub enum Untagged {
        Number(i64),
        Text(String),
        Point { x: f64, y: f64 },
        Pair(Box<Untagged>, Box<Untagged>),
        Inner(Inner),
        List(Vec<Untagged>),
        Nothing,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub struct Unit;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub struct Newtype(pub Inner);

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub struct Tuple(pub u8, pub String, pub Unit);

    /// Names Python cannot use as a class: written as plain data.
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    #[serde(rename = "not-a-name")]
    pub struct Dashed {
        #[serde(rename = "with space")]
        pub spaced: u8,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub enum Odd {
        #[serde(rename = "a-b")]
        Dashed(u8),
        #[serde(rename = "c d")]
        Unit,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub struct Flattened {
        pub id: u32,
        #[serde(flatten)]
        pub rest: BTreeMap<String, String>,
    }

    impl Default for Inner {
        fn default() -> Self {
            inner("")
        }
    }

    pub fn inner(name: &str) -> Inner {
        Inner {
            first_name: name.into(),
            cached: 0,
            nick_name: (name.len() % 2 == 0).then(|| format!("{name}!")),
            score: name.len() as i32,
            class_name: "A".into(),
        }
    }
}

/// The same value written by the derive and by serde (types deriving both,
/// the corpus's `serde_vs_derive` cases) reads back through either: serde
/// reads what the derive wrote and the derive what serde wrote, except a
/// unit-only enum, an `enum.Enum` member carrying its value via the derive
/// and an `Enum.Variant()` instance via serde.
#[test]
fn derive_and_serde_streams_cross_read() {
    use serde_values::both;
    let rel = both::release();
    let by_derive = to_vec(&rel);
    let by_serde = pser::to_vec(&rel).unwrap();
    assert_eq!(read::<both::Release>(&by_derive), rel);
    assert_eq!(portable_pickle::from_slice::<both::Release>(&by_serde).unwrap(), rel);
    assert_eq!(
        portable_pickle::from_slice::<Vec<both::Kind>>(&pser::to_vec(&rel.kinds).unwrap()).unwrap(),
        rel.kinds
    );

    let dif = both::differs();
    let e = err::<both::Differs>(&to_vec(&dif));
    assert_eq!(e.path(), ".status");
    assert!(e.to_string().contains("serde reads enum variants by name only"), "{e}");
    let e = portable_pickle::from_slice::<both::Differs>(&pser::to_vec(&dif).unwrap()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected Status, found _portable_pickle_v3.Status.Yanked at .status"
    );
}

#[test]
fn serde_round_trips() {
    use rt::*;
    rt(&inner("even"));
    rt(&inner("odd"));
    rt(&vec![inner("a"), inner("bb"), inner("ccc")]);
    rt(&Outer {
        inner_list: vec![inner("x"), inner("yy")],
        by_name: HashMap::from([("one".to_string(), vec![inner("one")]), ("none".to_string(), vec![])]),
        extra: vec![],
        blob: vec![0, 1, 2, 255],
        plain_bytes: vec![7, 8],
        big: u128::MAX,
        neg: i128::MIN,
        version: semver::Version::parse("1.2.3-alpha.1+build.5").unwrap(),
        ordered: BTreeMap::from([(-1, (true, 'x', 0.5)), (1 << 40, (false, '€', -2.25))]),
        nothing: (),
        // (`Some(None)` is `None` in Python, as in JSON.)
        maybe: Some(Some(3)),
    });
    rt(&vec![
        External::Unit,
        External::Newtype(inner("n")),
        External::Tuple(-1, "t".into()),
        External::Struct {
            a: u64::MAX,
            b: vec![External::Unit, External::None],
        },
        External::None,
    ]);
    rt(&vec![
        Internal::Unit,
        Internal::Newtype(inner("in")),
        Internal::Struct {
            a: 1,
            class: "c".into(),
        },
    ]);
    rt(&vec![
        Adjacent::Unit,
        Adjacent::Newtype(1),
        Adjacent::Tuple(2, 3),
        Adjacent::Struct { a: 4 },
    ]);
    rt(&vec![
        Untagged::Number(-5),
        Untagged::Text("t".into()),
        Untagged::Point { x: 1.0, y: 2.5 },
        Untagged::Pair(Box::new(Untagged::Number(1)), Box::new(Untagged::Nothing)),
        Untagged::Inner(inner("u")),
        Untagged::List(vec![Untagged::Number(1), Untagged::Text("2".into()), Untagged::Nothing]),
        Untagged::Nothing,
    ]);
    rt(&(Unit, Newtype(inner("nt")), Tuple(1, "s".into(), Unit)));
    rt(&(Dashed { spaced: 1 }, vec![Odd::Dashed(2), Odd::Unit]));
    rt(&Flattened {
        id: 1,
        rest: BTreeMap::from([("k".to_string(), "v".to_string())]),
    });
    rt(&Some(semver::VersionReq::parse(">=1.2, <2").unwrap()));
    rt(&std::net::IpAddr::from([10, 0, 0, 1]));
    rt(&std::time::Duration::new(5, 6));
    rt(&(i128::MAX, u128::MAX, i64::MIN, u64::MAX, -0.0f64, f64::INFINITY));
}

/// A serde-written stream loaded by CPython, changed and re-pickled at
/// every protocol, reads back through serde.
#[test]
fn serde_streams_repickled_by_cpython() {
    use rt::*;
    let dir = dir("serde_read_serde_repickle");
    let value = vec![
        External::Newtype(inner("n")),
        External::Tuple(-1, "t".into()),
        External::Struct {
            a: 1,
            b: vec![External::Unit],
        },
    ];
    std::fs::write(dir.join("in.pkl"), pser::to_vec(&value).unwrap()).unwrap();
    python(
        r#"
import os, pickle, sys
d = sys.argv[1]
v = pickle.load(open(os.path.join(d, "in.pkl"), "rb"))
v[0]._0.score = 42
v[1]._1 = "changed"
v[2].b.append(type(v[2].b[0])())
for p in range(6):
    with open(os.path.join(d, f"out.p{p}.pkl"), "wb") as f:
        f.write(pickle.dumps(v, protocol=p))
"#,
        &dir,
    );
    let mut n = inner("n");
    n.score = 42;
    let expected = vec![
        External::Newtype(n),
        External::Tuple(-1, "changed".into()),
        External::Struct {
            a: 1,
            b: vec![External::Unit, External::Unit],
        },
    ];
    for (p, bytes) in protocols(&dir, "out") {
        let got: Vec<External> = pser::from_slice(&bytes).unwrap_or_else(|e| panic!("protocol {p}: {e}"));
        assert_eq!(got, expected, "protocol {p}");
    }
}

/// `#[pickle(serde)]` fields round-trip through the derive's own read.
#[test]
fn serde_fields_of_derived_types() {
    use portable_pickle::PortablePickle;

    #[derive(PortablePickle, Debug, PartialEq)]
    struct Release {
        name: String,
        #[pickle(serde)]
        version: semver::Version,
        #[pickle(serde)]
        previous: Option<semver::Version>,
        #[pickle(serde, default)]
        notes: rt::Inner,
        #[pickle(serde)]
        kind: rt::External,
    }
    #[derive(PortablePickle, Debug, PartialEq)]
    #[pickle(transparent)]
    struct Wrapped(#[pickle(serde)] rt::Inner);
    /// `T` only in a serde field: bounded by serde's traits alone.
    #[derive(PortablePickle, Debug, PartialEq)]
    struct Generic<T> {
        #[pickle(serde)]
        value: T,
        count: u32,
    }
    /// `T` in a serde field and another: both sides' bounds.
    #[derive(PortablePickle, Debug, PartialEq)]
    struct Mixed<T> {
        #[pickle(serde)]
        value: Option<T>,
        plain: T,
    }

    let r = Release {
        name: "tool".into(),
        version: semver::Version::new(1, 2, 3),
        previous: None,
        notes: rt::inner("notes"),
        kind: rt::External::Tuple(1, "x".into()),
    };
    let back: Release = portable_pickle::from_slice(&to_vec(&r)).unwrap();
    assert_eq!(back, r);
    let w = Wrapped(rt::inner("w"));
    assert_eq!(portable_pickle::from_slice::<Wrapped>(&to_vec(&w)).unwrap(), w);
    let g = Generic {
        value: rt::inner("g"),
        count: 1,
    };
    assert_eq!(
        portable_pickle::from_slice::<Generic<rt::Inner>>(&to_vec(&g)).unwrap(),
        g
    );
    let m = Mixed {
        value: Some(7u8),
        plain: 8,
    };
    assert_eq!(portable_pickle::from_slice::<Mixed<u8>>(&to_vec(&m)).unwrap(), m);

    // Absent fields: `Option` is `None`, `default` is the default, else missing.
    let dict = |pairs: &[(&str, Value)]| -> Vec<u8> {
        to_vec(&Value::Dict(
            pairs.iter().map(|(k, v)| (Value::from(*k), v.clone())).collect(),
        ))
    };
    let partial = dict(&[
        ("name", "p".into()),
        ("version", "1.0.0".into()),
        ("kind", "Unit".into()),
    ]);
    assert_eq!(
        portable_pickle::from_slice::<Release>(&partial).unwrap(),
        Release {
            name: "p".into(),
            version: semver::Version::new(1, 0, 0),
            previous: None,
            notes: rt::inner(""),
            kind: rt::External::Unit,
        }
    );
    let e =
        portable_pickle::from_slice::<Release>(&dict(&[("name", "p".into()), ("kind", "Unit".into())])).unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::MissingField {
            ty: "Release".into(),
            field: "version".into()
        }
    );
    // A bad value names the field.
    #[derive(PortablePickle)]
    #[pickle(name = "Release")]
    struct Bad {
        name: String,
        version: String,
    }
    let e = portable_pickle::from_slice::<Release>(&to_vec(&Bad {
        name: "b".into(),
        version: "x.y".into(),
    }))
    .unwrap_err();
    assert_eq!(e.path(), ".version", "{e}");
}

/// What the derive writes in a form of its own reads through serde's impls:
/// arrays as (nested) sequences, datetimes, UUIDs and decimals as their text.
#[cfg(all(feature = "ndarray", feature = "chrono", feature = "uuid"))]
#[test]
fn derive_forms_read_through_serde() {
    use ndarray::ShapeBuilder;
    use portable_pickle::Array;
    let m = ndarray::Array2::from_shape_fn((2, 3).f(), |(i, j)| (i * 3 + j) as i32);
    let bytes = to_vec(&(
        Array(vec![1.5f64, -2.0]),
        Array(&m),
        Array(vec![1u16, 258]),
        Array(vec![true, false]),
        Array(vec![0.5f32; 0]),
    ));
    type Seqs = (Vec<f64>, Vec<Vec<i64>>, [u16; 2], Vec<bool>, Vec<f32>);
    let back: Seqs = pser::from_slice(&bytes).unwrap();
    assert_eq!(
        back,
        (
            vec![1.5, -2.0],
            vec![vec![0, 1, 2], vec![3, 4, 5]],
            [1, 258],
            vec![true, false],
            vec![]
        )
    );
    // An element that does not fit is an error naming where.
    let e = pser::from_slice::<(Vec<f64>, Vec<Vec<u8>>)>(&to_vec(&(Array(vec![1.0f64]), Array(&(-&m))))).unwrap_err();
    assert_eq!(e.path(), "[1][0][1]", "{e}");
    // Not an array: the mismatch names what was expected.
    let e = pser::from_slice::<Vec<f64>>(&to_vec(&uuid::Uuid::nil())).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::TypeMismatch { .. }), "{e}");

    let at = chrono::DateTime::from_timestamp(1_700_000_000, 5_000).unwrap();
    let east = at.with_timezone(&chrono::FixedOffset::east_opt(5 * 3600 + 30 * 60).unwrap());
    let id = uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
    let bytes = to_vec(&(at, east, id, at.naive_utc()));
    let text: (String, String, String, String) = pser::from_slice(&bytes).unwrap();
    assert_eq!(
        text,
        (
            "2023-11-14T22:13:20.000005+00:00".to_owned(),
            "2023-11-15T03:43:20.000005+05:30".to_owned(),
            "01234567-89ab-cdef-0123-456789abcdef".to_owned(),
            "2023-11-14T22:13:20.000005".to_owned(),
        )
    );
    type Typed = (
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::FixedOffset>,
        uuid::Uuid,
        chrono::NaiveDateTime,
    );
    let typed: Typed = pser::from_slice(&bytes).unwrap();
    assert_eq!(typed, (at, east, id, at.naive_utc()));
}
