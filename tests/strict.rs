//! The strict profile (docs/FORMAT.md, "Strict profile"): every type kind
//! and the std types written by `portable_pickle::strict` and by the
//! default profile; `tests/python/check_strict.py` loads both on CPython
//! (C and pure-Python unpicklers, and a restricted `find_class` admitting
//! exactly the strict allowlist) and compares them structurally: class
//! names, fields, docstrings, annotations, repr, `==` and hashing.
//! `scripts/scan-strict.sh` runs the three scanners over the same files.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, UNIX_EPOCH};

use portable_pickle::PortablePickle;

/// A point in the plane.
#[derive(PortablePickle, Clone)]
struct Point {
    x: i64,
    y: f64,
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

fn dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tmp/strict");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes `value` in both profiles: `<name>.strict.pkl`, `<name>.default.pkl`.
fn both<T: PortablePickle + ?Sized>(name: &str, value: &T) {
    let d = dir();
    let strict = portable_pickle::strict::to_vec(value).expect("a strict stream");
    assert!(strict.starts_with(portable_pickle::strict::HEADER));
    let mut via_writer = Vec::new();
    portable_pickle::strict::to_writer(&mut via_writer, value).unwrap();
    assert_eq!(via_writer, strict, "to_writer writes what to_vec returns");
    std::fs::write(d.join(format!("{name}.strict.pkl")), strict).unwrap();
    std::fs::write(d.join(format!("{name}.default.pkl")), portable_pickle::to_vec(value)).unwrap();
}

/// Every strict stream of the test, written to target/tmp/strict.
pub fn write_all() -> PathBuf {
    let p = Point { x: 1, y: -2.5 };
    both("point", &p);
    both("tuple_struct", &Meters(1.5, 7));
    both("unit_struct", &Unit);
    both("frozen", &Frozen { value: 3 });
    both("hashed", &Hashed { name: "h".into() });
    both("unit_enum", &[Color::Red, Color::Green, Color::Red]);
    both("int_enum", &[Level::Low, Level::High]);
    both(
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
    both("tagged", &vec![Event::Start { at: 5 }, Event::Stop]);
    both(
        "generic",
        &Pair {
            first: "a".to_string(),
            second: Some(2u32),
        },
    );
    both("declared_module", &RustVec { dx: 1.0, dy: 2.0 });
    both(
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
    dir()
}

#[test]
fn strict_streams_equal_the_default_ones_on_cpython() {
    let d = write_all();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3")
        .arg(root.join("tests/python/check_strict.py"))
        .arg(&d)
        .arg(root.join("docs/FORMAT.md"))
        .output()
        .expect("python3 must be installed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}{stderr}");
    assert!(out.status.success(), "check_strict.py failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn strict_refuses_what_it_cannot_write() {
    #[derive(PortablePickle)]
    struct WithArray {
        #[pickle(array)]
        data: Vec<f32>,
    }
    let err = portable_pickle::strict::to_vec(&WithArray { data: vec![1.0] }).unwrap_err();
    assert!(
        err.to_string()
            .contains("arrays are not available in the strict profile"),
        "{err}"
    );
    let mut out = Vec::new();
    let err = portable_pickle::strict::to_writer(&mut out, &WithArray { data: vec![1.0] }).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert_ne!(out.last(), Some(&b'.'), "no STOP: not a complete pickle");
}

#[test]
fn strict_pickler_writes_complete_strict_streams() {
    let mut pickler = portable_pickle::Pickler::new(Vec::new()).strict(true);
    pickler.dump(&Point { x: 1, y: 2.0 }).unwrap();
    let first = pickler.get_ref().len();
    pickler.dump(&Point { x: 3, y: 4.0 }).unwrap();
    let bytes = pickler.into_inner();
    assert!(bytes.starts_with(portable_pickle::strict::HEADER));
    assert!(bytes[first..].starts_with(portable_pickle::strict::HEADER));
    assert_eq!(
        &bytes[first..],
        &portable_pickle::strict::to_vec(&Point { x: 3, y: 4.0 }).unwrap()[..]
    );
}

#[test]
fn strict_streams_reference_only_the_strict_globals() {
    let d = write_all();
    for entry in std::fs::read_dir(&d).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".strict.pkl") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for bad in [&b"importlib"[..], b"getattr", b"functools", b"modules", b"loads"] {
            assert!(
                !bytes.windows(bad.len()).any(|w| w == bad),
                "{} contains {:?}",
                path.display(),
                String::from_utf8_lossy(bad)
            );
        }
    }
}
