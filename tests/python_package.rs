//! The generated Python package (`portable_pickle::python::write_package`):
//! its sources kept as snapshots (`tests/snapshots/package/`,
//! `UPDATE_SNAPSHOTS=1` rewrites them); streams loading as its classes on
//! CPython and PyPy when it is importable, and as the stand-ins when it is
//! not; `pickle.dumps` of the loaded objects loading in a fresh interpreter
//! that has the package; `mypy --strict` (pinned, `scripts/setup-mypy.sh`)
//! passing user code written against it and failing a copy with a wrong
//! field name; types without a module refused with a list of them.

#[path = "support/venv.rs"]
mod venv;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use portable_pickle::PortablePickle;

/// A point in the plane.
#[derive(PortablePickle, Clone)]
#[pickle(module = "geo", frozen)]
struct Point {
    x: f64,
    y: f64,
}

/// A shape.
#[derive(PortablePickle)]
#[pickle(module = "geo")]
enum Shape {
    /// A round shape.
    Circle {
        center: Point,
        radius: f64,
    },
    Polygon(Vec<Point>),
    Empty,
}

/// Primary colors.
#[derive(PortablePickle)]
#[pickle(module = "geo")]
#[allow(dead_code)]
enum Color {
    Red,
    Green,
    Blue,
}

#[derive(PortablePickle)]
#[pickle(module = "geo")]
#[allow(dead_code)]
enum Level {
    Low = 1,
    High = 10,
}

#[derive(PortablePickle)]
#[pickle(module = "geo")]
struct Rgb(u8, u8, u8);

#[derive(PortablePickle)]
#[pickle(module = "geo")]
struct Marker;

/// How a drawing is stroked.
///
/// Lives in another module: `geo` names it `palette.Style`.
#[derive(PortablePickle)]
#[pickle(module = "palette")]
struct Style {
    color: Color,
    width: f64,
    dash: Option<Vec<f64>>,
}

/// A drawing.
#[derive(PortablePickle)]
#[pickle(module = "geo")]
struct Drawing {
    name: String,
    shapes: Vec<Shape>,
    origin: Option<Point>,
    tags: BTreeSet<String>,
    counts: BTreeMap<String, u32>,
    pair: (i64, String),
    color: Color,
    level: Level,
    rgb: Rgb,
    marker: Marker,
    style: Style,
    elapsed: Duration,
    raw: Vec<u8>,
    #[pickle(display)]
    addr: Ipv4Addr,
}

fn drawing() -> Drawing {
    let p = Point { x: 1.0, y: 2.0 };
    Drawing {
        name: "sketch".into(),
        shapes: vec![
            Shape::Circle {
                center: p.clone(),
                radius: 3.0,
            },
            Shape::Polygon(vec![p.clone(), Point { x: 0.0, y: 0.0 }]),
            Shape::Empty,
        ],
        origin: Some(p),
        tags: BTreeSet::from(["a".into(), "b".into()]),
        counts: BTreeMap::from([("x".into(), 1)]),
        pair: (7, "seven".into()),
        color: Color::Green,
        level: Level::High,
        rgb: Rgb(1, 2, 3),
        marker: Marker,
        style: Style {
            color: Color::Blue,
            width: 0.5,
            dash: None,
        },
        elapsed: Duration::from_secs(90),
        raw: vec![0, 1],
        addr: Ipv4Addr::new(10, 0, 0, 1),
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory under target/tmp/python_package.
fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/tmp/python_package").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn python(interpreter: &str, args: &[&Path], mode: &str, cwd: &Path) -> String {
    let script = root().join("tests/package/check_package.py");
    // `-W error`: loading a stream with its own package warns of nothing.
    let (ok, text) = run(Command::new(interpreter)
        .args(["-W", "error"])
        .arg(&script)
        .arg(mode)
        .args(args)
        .current_dir(cwd));
    assert!(ok, "{interpreter} check_package.py {mode} failed:\n{text}");
    text
}

#[test]
fn generated_sources_are_the_snapshots() {
    let dir = scratch("snapshot");
    let files = portable_pickle::python::write_package::<Drawing>(&dir).expect("write the package");
    let names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["geo.py", "palette.py"]);
    for name in names {
        let text = std::fs::read_to_string(dir.join(&name)).unwrap();
        let path = root().join("tests/snapshots/package").join(&name);
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_SNAPSHOTS=1 writes it)", path.display()));
        assert_eq!(
            want,
            text,
            "{} is out of date (UPDATE_SNAPSHOTS=1 rewrites it)",
            path.display()
        );
    }
}

#[test]
fn nested_modules_get_init_files() {
    #[derive(PortablePickle)]
    #[pickle(module = "acme.geo.shapes")]
    struct Square {
        side: f64,
    }
    let dir = scratch("nested");
    let files = portable_pickle::python::write_package::<Square>(&dir).expect("write the package");
    assert_eq!(
        files,
        [
            dir.join("acme/__init__.py"),
            dir.join("acme/geo/__init__.py"),
            dir.join("acme/geo/shapes.py"),
        ]
    );
    let check = "import sys; sys.path.insert(0, '.'); from acme.geo.shapes import Square; \
                 import dataclasses; assert [f.type for f in dataclasses.fields(Square)] == ['float']";
    let (ok, text) = run(Command::new("python3").args(["-c", check]).current_dir(&dir));
    assert!(ok, "{text}");
}

#[test]
fn types_without_a_module_are_listed() {
    #[derive(PortablePickle)]
    struct Loose {
        n: u8,
    }
    #[derive(PortablePickle)]
    #[pickle(module = "geo")]
    struct Holder {
        loose: Vec<Loose>,
        point: Point,
        also: Option<Stray>,
    }
    #[derive(PortablePickle)]
    #[pickle(name = "StrayClass")]
    struct Stray;
    let dir = scratch("no_module");
    let err = portable_pickle::python::write_package::<Holder>(&dir).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        "these reachable types declare no module, so no package can hold their classes; give each \
         `#[pickle(module = \"...\")]`: `Loose` (class Loose), `Stray` (class StrayClass)"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "nothing is written");
}

/// CPython (the machine's python3) and PyPy load the stream as the
/// package's classes with it on `sys.path`, re-pickle them by name for a
/// fresh interpreter, and load the stand-ins without it.
#[test]
fn streams_load_as_the_package_classes() {
    let dir = scratch("load");
    let pkg = dir.join("pkg");
    portable_pickle::python::write_package::<Drawing>(&pkg).expect("write the package");
    let stream = dir.join("drawing.pkl");
    let bytes = portable_pickle::to_vec(&drawing());
    std::fs::write(&stream, &bytes).unwrap();
    for interpreter in ["python3", "pypy3"] {
        let repickled = dir.join(format!("repickled-{interpreter}.pkl"));
        python(interpreter, &[&pkg, &stream, &repickled], "with", &dir);
        python(interpreter, &[&pkg, &repickled], "reload", &dir);
        python(interpreter, &[&stream], "without", &dir);
    }
    // The stream does not depend on the package's existence.
    let again = portable_pickle::to_vec(&drawing());
    assert_eq!(bytes, again);
}

fn mypy_python() -> String {
    venv::pinned_python("setup-mypy.sh")
}

/// Runs `python -m mypy --strict --no-incremental --python-version VERSION
/// FILES` in `dir`, the package on `MYPYPATH`.
fn mypy_run(python: &str, version: &str, pkg: &Path, dir: &Path, files: &[&str]) -> (bool, String) {
    run(Command::new(python)
        .args([
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--python-version",
            version,
        ])
        .args(files)
        .env("MYPYPATH", pkg)
        .current_dir(dir))
}

/// A `match` over a data enum's union alias that handles every variant
/// passes mypy --strict, with `typing.assert_never` after it and typed
/// captures, on the pinned older mypy and the current release; a copy
/// without one case fails, naming the variant by its public name (the
/// classes type checkers see are nested in the base).
#[test]
fn mypy_checks_a_match_for_exhaustiveness() {
    let dir = scratch("mypy_match");
    let pkg = dir.join("pkg");
    portable_pickle::python::write_package::<Drawing>(&pkg).expect("write the package");
    let good = std::fs::read_to_string(root().join("tests/package/user_match.py")).unwrap();
    let missing = "        case geo.Shape.Empty():\n            return 0.0\n";
    assert!(good.contains(missing));
    std::fs::write(dir.join("user_match.py"), &good).unwrap();
    std::fs::write(dir.join("user_match_bad.py"), good.replacen(missing, "", 1)).unwrap();
    for python in [mypy_python(), venv::pinned_python("setup-mypy-current.sh")] {
        let (ok, text) = mypy_run(&python, "3.11", &pkg, &dir, &["user_match.py"]);
        assert!(ok, "{python} -m mypy --strict user_match.py failed:\n{text}");
        let (ok, text) = mypy_run(&python, "3.11", &pkg, &dir, &["user_match_bad.py"]);
        assert!(!ok, "{python}: mypy accepted a match without Shape.Empty:\n{text}");
        assert!(
            text.contains("Argument 1 to \"assert_never\" has incompatible type \"Empty\""),
            "{python}: {text}"
        );
        assert!(!text.contains("_Shape_"), "{python} names a private class: {text}");
    }
}

#[test]
fn mypy_strict_checks_user_code_against_the_package() {
    let dir = scratch("mypy");
    let pkg = dir.join("pkg");
    portable_pickle::python::write_package::<Drawing>(&pkg).expect("write the package");
    let good = std::fs::read_to_string(root().join("tests/package/user.py")).unwrap();
    let bad = good.replacen("shape.radius * shape.radius", "shape.radius * shape.radios", 1);
    assert_ne!(good, bad);
    std::fs::write(dir.join("user.py"), &good).unwrap();
    std::fs::write(dir.join("user_bad.py"), &bad).unwrap();
    let python = mypy_python();
    let mypy = |file: &str| {
        run(Command::new(&python)
            .args([
                "-m",
                "mypy",
                "--strict",
                "--no-incremental",
                "--python-version",
                "3.9",
                file,
            ])
            .env("MYPYPATH", &pkg)
            .current_dir(&dir))
    };
    let (ok, text) = mypy("user.py");
    assert!(ok, "mypy --strict user.py failed:\n{text}");
    let (ok, text) = mypy("user_bad.py");
    assert!(!ok, "mypy --strict accepted a wrong field name:\n{text}");
    assert!(
        text.contains("\"Shape.Circle\" has no attribute \"radios\"") || text.contains("has no attribute \"radios\""),
        "{text}"
    );
    // The package itself passes too.
    let (ok, text) = run(Command::new(&python)
        .args([
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--python-version",
            "3.9",
            "geo.py",
            "palette.py",
        ])
        .current_dir(&pkg));
    assert!(ok, "mypy --strict of the package failed:\n{text}");
}

/// Three definitions of the types of module `fleet`, as a producer's Rust
/// types change over time.
mod fleet {
    pub mod v1 {
        #[derive(portable_pickle::PortablePickle)]
        #[pickle(module = "fleet")]
        pub struct Ship {
            pub name: String,
            pub speed: f64,
        }
        #[derive(portable_pickle::PortablePickle)]
        #[pickle(module = "fleet")]
        pub enum Event {
            Docked { port: String },
            Lost,
        }
        #[derive(portable_pickle::PortablePickle)]
        #[pickle(module = "fleet")]
        pub struct Fleet {
            pub ships: Vec<Ship>,
            pub events: Vec<Event>,
        }
    }
    /// v1 with a field added to `Ship` and a variant to `Event`.
    pub mod v2 {
        #[derive(portable_pickle::PortablePickle)]
        #[pickle(module = "fleet")]
        pub struct Ship {
            pub name: String,
            pub speed: f64,
            pub crew: u32,
        }
        #[derive(portable_pickle::PortablePickle)]
        #[pickle(module = "fleet")]
        pub enum Event {
            Docked { port: String },
            Lost,
            Sunk { depth: f64 },
        }
        #[derive(portable_pickle::PortablePickle)]
        #[pickle(module = "fleet")]
        pub struct Fleet {
            pub ships: Vec<Ship>,
            pub events: Vec<Event>,
        }
    }
    /// v1 with `Ship::speed` renamed.
    pub mod v3 {
        #[derive(portable_pickle::PortablePickle)]
        #[pickle(module = "fleet")]
        pub struct Ship {
            pub name: String,
            pub knots: f64,
        }
    }
}

/// A package generated from another definition of a type than a stream's
/// (a field added, removed or renamed, a variant added) is never used for
/// that type: its values load as the stand-in classes, equal to what was
/// written, with one warning naming the class and the module, on CPython
/// and PyPy. A stream of the package's own definitions loads as its
/// classes without a warning.
#[test]
fn stale_packages_load_as_stand_ins_with_one_warning() {
    use fleet::{v1, v2, v3};
    let dir = scratch("stale");
    let (pkg1, pkg2) = (dir.join("pkg1"), dir.join("pkg2"));
    portable_pickle::python::write_package::<v1::Fleet>(&pkg1).expect("write the package");
    portable_pickle::python::write_package::<v2::Fleet>(&pkg2).expect("write the package");
    let ship = |fields: &str| format!(r#"["Ship", {{"name": "Argo", {fields}}}]"#);
    let cases: Vec<(&str, &Path, Vec<u8>, String, &str)> = vec![
        (
            "current",
            &pkg1,
            portable_pickle::to_vec(&vec![v1::Ship {
                name: "Argo".into(),
                speed: 9.5,
            }]),
            format!("[{}]", ship(r#""speed": 9.5"#)),
            "-",
        ),
        (
            "field added",
            &pkg1,
            portable_pickle::to_vec(&vec![v2::Ship {
                name: "Argo".into(),
                speed: 9.5,
                crew: 50,
            }]),
            format!("[{}]", ship(r#""speed": 9.5, "crew": 50"#)),
            "Ship",
        ),
        (
            "field removed",
            &pkg2,
            portable_pickle::to_vec(&vec![v1::Ship {
                name: "Argo".into(),
                speed: 9.5,
            }]),
            format!("[{}]", ship(r#""speed": 9.5"#)),
            "Ship",
        ),
        (
            "field renamed",
            &pkg1,
            portable_pickle::to_vec(&vec![v3::Ship {
                name: "Argo".into(),
                knots: 9.5,
            }]),
            format!("[{}]", ship(r#""knots": 9.5"#)),
            "Ship",
        ),
        (
            "variant added",
            &pkg1,
            portable_pickle::to_vec(&vec![
                v2::Event::Sunk { depth: 3.0 },
                v2::Event::Docked { port: "Ithaca".into() },
            ]),
            r#"[["Event.Sunk", {"depth": 3.0}], ["Event.Docked", {"port": "Ithaca"}]]"#.to_owned(),
            "Event",
        ),
    ];
    let script = root().join("tests/package/check_stale.py");
    for (i, (case, pkg, bytes, expected, stale)) in cases.iter().enumerate() {
        let stream = dir.join(format!("case{i}.pkl"));
        std::fs::write(&stream, bytes).unwrap();
        for interpreter in ["python3", "pypy3"] {
            let (ok, text) = run(Command::new(interpreter)
                .arg(&script)
                .arg(pkg)
                .arg(&stream)
                .args([expected.as_str(), stale])
                .current_dir(&dir));
            assert!(ok, "{case}, {interpreter}:\n{text}");
        }
    }
}

/// Types ordered as in Rust (`#[pickle(order)]`, `int_enum`).
mod ranked {
    #[derive(portable_pickle::PortablePickle, Clone, PartialEq, Eq, PartialOrd, Ord)]
    #[pickle(module = "ranked", order)]
    pub struct SeriesKey {
        pub host: String,
        pub metric: String,
        pub shard: u32,
    }
    #[derive(portable_pickle::PortablePickle, Clone, PartialEq, Eq, PartialOrd, Ord)]
    #[pickle(module = "ranked", order, frozen)]
    pub enum Event {
        Started { at: i64 },
        Metric { name: String, value: i64 },
        Shutdown,
    }
    #[derive(portable_pickle::PortablePickle, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    #[pickle(module = "ranked")]
    pub enum Level {
        Warn = 30,
        Debug = 10,
        Info = 20,
    }
    #[derive(portable_pickle::PortablePickle)]
    #[pickle(module = "ranked")]
    pub struct Sample {
        pub keys: Vec<SeriesKey>,
        pub events: Vec<Event>,
        pub levels: Vec<Level>,
    }
}

/// `sorted` in Python equals Rust's sort of the same values: ordered
/// structs by fields in order (stand-ins and the package), `int_enum`
/// members by discriminant, an ordered data enum by variant then fields
/// (the package's base class; stand-ins, which carry no code, within a
/// variant only); frozen data enum values and field-less variants hash.
#[test]
fn order_and_hash_as_in_rust() {
    use ranked::{Event, Level, SeriesKey};
    let key = |host: &str, metric: &str, shard| SeriesKey {
        host: host.into(),
        metric: metric.into(),
        shard,
    };
    let keys = vec![
        key("b", "cpu", 1),
        key("a", "mem", 0),
        key("a", "cpu", 2),
        key("a", "cpu", 1),
        key("b", "am", 9),
    ];
    let events = vec![
        Event::Shutdown,
        Event::Metric {
            name: "rx".into(),
            value: 5,
        },
        Event::Started { at: 20 },
        Event::Metric {
            name: "rx".into(),
            value: -1,
        },
        Event::Started { at: 10 },
        Event::Metric {
            name: "cpu".into(),
            value: 7,
        },
    ];
    let levels = vec![Level::Info, Level::Warn, Level::Debug];
    fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
        v.sort();
        v
    }
    let value = (
        keys.clone(),
        sorted(keys),
        events.clone(),
        sorted(events),
        levels.clone(),
        sorted(levels),
    );
    let dir = scratch("order");
    let pkg = dir.join("pkg");
    portable_pickle::python::write_package::<ranked::Sample>(&pkg).expect("write the package");
    let stream = dir.join("order.pkl");
    std::fs::write(&stream, portable_pickle::to_vec(&value)).unwrap();
    let script = root().join("tests/package/check_order.py");
    for interpreter in ["python3", "pypy3"] {
        for with in [pkg.as_path(), Path::new("-")] {
            let (ok, text) = run(Command::new(interpreter)
                .args(["-W", "error"])
                .arg(&script)
                .arg(with)
                .arg(&stream)
                .current_dir(&dir));
            assert!(ok, "{interpreter} {}:\n{text}", with.display());
        }
    }
    // The package with its ordered data enum passes mypy --strict, and
    // `sorted` of its values type-checks.
    let user = "import ranked\n\n\ndef first(events: list[ranked.EventVariant]) -> ranked.EventVariant:\n    return sorted(events)[0]\n\n\ndef top(keys: list[ranked.SeriesKey]) -> ranked.SeriesKey:\n    return max(keys)\n";
    std::fs::write(dir.join("user_order.py"), user).unwrap();
    let (ok, text) = mypy_run(&mypy_python(), "3.9", &pkg, &dir, &["user_order.py"]);
    assert!(ok, "{text}");
    let (ok, text) = mypy_run(&mypy_python(), "3.9", &pkg, &pkg, &["ranked.py"]);
    assert!(ok, "{text}");
}

/// A class with array fields.
mod sampled {
    #[derive(portable_pickle::PortablePickle, Clone)]
    #[pickle(module = "sampled")]
    pub struct Trace {
        pub name: String,
        #[pickle(array)]
        pub samples: Vec<f64>,
        #[pickle(array)]
        pub grid: Vec<i32>,
    }
}

/// The package's classes with array fields compare by value, `==` a
/// `bool`, with numpy on the reader and without; the stand-ins follow
/// numpy's rule (docs/guide/arrays.md), which this pins too.
#[test]
fn package_classes_with_arrays_compare_by_value() {
    use sampled::Trace;
    let a = Trace {
        name: "t".into(),
        samples: vec![0.5, 1.5, 2.5],
        grid: vec![1, 2, 3],
    };
    let mut c = a.clone();
    c.samples[2] = 9.0;
    let mut d = a.clone();
    d.grid.pop();
    let dir = scratch("array_eq");
    let pkg = dir.join("pkg");
    portable_pickle::python::write_package::<Trace>(&pkg).expect("write the package");
    let stream = dir.join("traces.pkl");
    std::fs::write(&stream, portable_pickle::to_vec(&vec![a.clone(), a, c, d])).unwrap();
    let check = r#"
import pickle, sys
pkg, stream, numpy = sys.argv[1:4]
if pkg != '-':
    sys.path.insert(0, pkg)
with open(stream, 'rb') as f:
    a, b, c, d = pickle.load(f)
assert type(a.samples).__module__ == ('numpy' if numpy == 'numpy' else 'array'), type(a.samples)
if pkg != '-' or numpy != 'numpy':
    assert type(a).__module__ == ('sampled' if pkg != '-' else '_portable_pickle_v3')
    assert (a == b) is True and (a == c) is False and (a != c) is True and (a == d) is False and (d == d) is True
else:
    try:
        a == b
    except ValueError:
        pass
    else:
        raise AssertionError("numpy's == of stand-ins with arrays")
print('ok')
"#;
    let numpy = venv::pinned_python("setup-numpy.sh");
    for (python, has) in [("python3".to_owned(), "bare"), (numpy, "numpy")] {
        for with in [pkg.as_path(), Path::new("-")] {
            let (ok, text) = run(Command::new(&python)
                .args(["-W", "error", "-c", check])
                .arg(with)
                .arg(&stream)
                .arg(has)
                .current_dir(&dir));
            assert!(ok, "{python} {}:\n{text}", with.display());
        }
    }
    let (ok, text) = mypy_run(&mypy_python(), "3.9", &pkg, &pkg, &["sampled.py"]);
    assert!(ok, "{text}");
}
