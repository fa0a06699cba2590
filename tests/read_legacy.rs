//! Pickles CPython writes at protocols 0 and 1 (and 2, for comparison):
//! namedtuples and plain objects through `copyreg._reconstructor`, read into
//! derived Rust types and into `Value`; and self-referential data, refused
//! or (with `ReadOptions::replace_recursive`) read with `None` in place of
//! the inner reference.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;

use portable_pickle::{from_slice, from_slice_with, Call, ErrorKind, Global, PortablePickle, ReadOptions, Value};

const PYTHON: &str = r#"
import collections, pickle, sys, typing

class Point(typing.NamedTuple):
    x: int
    y: int

Pair = collections.namedtuple("Pair", "first second")

class Plain:
    def __init__(self, name, size):
        self.name = name
        self.size = size

class Holder:
    def __init__(self, points, plain):
        self.points = points
        self.plain = plain

cases = {
    "point": Point(1, -2),
    "pair": Pair("a", [1, 2]),
    "plain": Plain("box", 3),
    "holder": Holder([Point(3, 4), Point(5, 6)], Plain("inner", 7)),
}
for name, obj in cases.items():
    for p in (0, 1, 2):
        print(name, p, pickle.dumps(obj, protocol=p).hex())

l = []
l.append(l)
d = {}
d["self"] = d
a = [1]
b = [a]
a.append(b)
cycles = {"selflist": l, "selfdict": d, "cycle": a, "inlist": [0, l]}
for name, obj in cycles.items():
    for p in range(6):
        print(name, p, pickle.dumps(obj, protocol=p).hex())
"#;

/// `(name, protocol, bytes)` of every pickle the script above writes.
fn pickles() -> Vec<(String, u8, Vec<u8>)> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(PYTHON)
        .output()
        .expect("python3 must be installed");
    assert!(
        out.status.success(),
        "python3 failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let mut parts = line.split(' ');
            let name = parts.next().unwrap().to_owned();
            let p = parts.next().unwrap().parse().unwrap();
            let hex = parts.next().unwrap();
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            (name, p, bytes)
        })
        .collect()
}

fn find<'a>(all: &'a [(String, u8, Vec<u8>)], name: &str) -> impl Iterator<Item = (u8, &'a [u8])> + 'a {
    let name = name.to_owned();
    all.iter()
        .filter(move |(n, _, _)| *n == name)
        .map(|(_, p, b)| (*p, &b[..]))
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Point {
    x: i64,
    y: i64,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Pair {
    first: String,
    second: Vec<i64>,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Plain {
    name: String,
    size: i64,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Holder {
    points: Vec<Point>,
    plain: Plain,
}

/// Admits the script's classes (module `__main__`) for a dynamic read.
fn main_classes() -> ReadOptions {
    ["Point", "Pair", "Plain", "Holder"]
        .into_iter()
        .fold(ReadOptions::default(), |o, n| o.allow_global("__main__", n))
}

fn class(name: &str) -> Arc<Global> {
    Arc::new(Global::new("__main__", name))
}

#[test]
fn namedtuples_and_plain_objects_at_protocols_0_to_2() {
    let all = pickles();
    let mut seen = 0;
    for (p, bytes) in find(&all, "point") {
        let what = format!("point, protocol {p}");
        assert_eq!(
            from_slice::<Point>(bytes).unwrap_or_else(|e| panic!("{what}: {e}")),
            Point { x: 1, y: -2 },
            "{what}"
        );
        // A namedtuple is an object of its class with the tuple's items as
        // positional arguments, at every protocol.
        let v: Value = from_slice_with(bytes, &main_classes()).unwrap_or_else(|e| panic!("{what}: {e}"));
        let Value::Object(o) = v.get() else {
            panic!("{what}: {v:?}")
        };
        assert_eq!(o.class, class("Point"), "{what}");
        assert_eq!(o.call, Call::New, "{what}");
        assert_eq!(o.args, vec![Value::Int(1), Value::Int(-2)], "{what}");
        assert_eq!(o.state, None, "{what}");
        seen += 1;
    }
    for (p, bytes) in find(&all, "pair") {
        assert_eq!(
            from_slice::<Pair>(bytes).unwrap_or_else(|e| panic!("pair, protocol {p}: {e}")),
            Pair {
                first: "a".into(),
                second: vec![1, 2]
            },
            "pair, protocol {p}"
        );
        seen += 1;
    }
    for (p, bytes) in find(&all, "plain") {
        let what = format!("plain, protocol {p}");
        assert_eq!(
            from_slice::<Plain>(bytes).unwrap_or_else(|e| panic!("{what}: {e}")),
            Plain {
                name: "box".into(),
                size: 3
            },
            "{what}"
        );
        let v: Value = from_slice_with(bytes, &main_classes()).unwrap_or_else(|e| panic!("{what}: {e}"));
        let Value::Object(o) = v.get() else {
            panic!("{what}: {v:?}")
        };
        assert_eq!(o.class, class("Plain"), "{what}");
        assert!(o.args.is_empty(), "{what}");
        let state: BTreeMap<String, Value> = match o.state.as_ref().map(Value::get) {
            Some(Value::Dict(pairs)) => pairs
                .iter()
                .map(|(k, v)| match k.get() {
                    Value::Str(k) => (k.clone(), v.clone()),
                    other => panic!("{what}: key {other:?}"),
                })
                .collect(),
            other => panic!("{what}: state {other:?}"),
        };
        assert_eq!(state["name"], Value::from("box"), "{what}");
        assert_eq!(state["size"], Value::Int(3), "{what}");
        seen += 1;
    }
    for (p, bytes) in find(&all, "holder") {
        assert_eq!(
            from_slice::<Holder>(bytes).unwrap_or_else(|e| panic!("holder, protocol {p}: {e}")),
            Holder {
                points: vec![Point { x: 3, y: 4 }, Point { x: 5, y: 6 }],
                plain: Plain {
                    name: "inner".into(),
                    size: 7
                },
            },
            "holder, protocol {p}"
        );
        seen += 1;
    }
    assert_eq!(seen, 12);
}

#[test]
fn builtins_tuple_only_as_a_reconstructor_base() {
    let forbidden = |bytes: &[u8]| {
        let e = from_slice_with::<Value>(bytes, &main_classes()).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::ForbiddenGlobal { module, name } if module == "builtins" && name == "tuple"),
            "{e}"
        );
    };
    // The global itself, called, or as the class of NEWOBJ.
    forbidden(b"c__builtin__\ntuple\n.");
    forbidden(b"cbuiltins\ntuple\n(I1\ntR.");
    forbidden(b"\x80\x02c__builtin__\ntuple\n)\x81.");
    forbidden(b"(c__builtin__\ntuple\nl.");
    // A reconstructor whose state is not a tuple stays a call, whose
    // arguments name the base.
    forbidden(b"ccopy_reg\n_reconstructor\n(c__main__\nPoint\nc__builtin__\ntuple\nI1\ntR.");
    // Allowed by name, it is an ordinary global.
    let v: Value = from_slice_with(
        b"c__builtin__\ntuple\n.",
        &ReadOptions::default().allow_global("builtins", "tuple"),
    )
    .unwrap();
    assert_eq!(v, Value::Global(Arc::new(Global::new("builtins", "tuple"))));
    // The reconstructor's class must be admitted as usual.
    let e = from_slice::<Value>(b"ccopy_reg\n_reconstructor\n(c__main__\nPoint\nc__builtin__\ntuple\n(I1\nI2\nttR.")
        .unwrap_err();
    assert!(e.to_string().contains("forbidden global `__main__.Point`"), "{e}");
}

#[test]
fn self_references_are_refused_or_replaced() {
    let all = pickles();
    let replace = ReadOptions::default().replace_recursive(true);
    let mut seen = 0;
    for name in ["selflist", "selfdict", "cycle", "inlist"] {
        for (p, bytes) in find(&all, name) {
            let what = format!("{name}, protocol {p}");
            let e = from_slice::<Value>(bytes).unwrap_err();
            assert!(e.to_string().contains("self-referential structure"), "{what}: {e}");
            let v: Value = from_slice_with(bytes, &replace).unwrap_or_else(|e| panic!("{what}: {e}"));
            let expected = match name {
                "selflist" => Value::List(vec![Value::None]),
                "selfdict" => Value::Dict(vec![(Value::from("self"), Value::None)]),
                "cycle" => Value::List(vec![Value::Int(1), Value::List(vec![Value::None])]),
                _ => Value::List(vec![Value::Int(0), Value::List(vec![Value::None])]),
            };
            assert_eq!(v, expected, "{what}");
            // The top-level object is a plain value, not a shared one.
            assert!(!matches!(v, Value::Shared(_)), "{what}: {v:?}");
            seen += 1;
        }
    }
    assert_eq!(seen, 24);
    // Typed reads see `None` too.
    let (_, bytes) = find(&all, "selflist").next().unwrap();
    let typed: Vec<Option<Vec<u8>>> = from_slice_with(bytes, &replace).unwrap();
    assert_eq!(typed, vec![None]);
    assert!(!ReadOptions::default().replace_recursive);
}
