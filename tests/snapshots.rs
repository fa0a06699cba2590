//! The recipes printed as Python, kept under `tests/snapshots/`: any change
//! to the header or to a descriptor shows there as a readable diff.
//! `UPDATE_SNAPSHOTS=1 cargo test --test snapshots` rewrites them.
//!
//! Each descriptor snapshot is checked against what the derive really
//! emits: the stream of a value of the derived type contains the bytes of
//! the spec printed.

use std::path::PathBuf;

use portable_pickle::PortablePickle;
use portable_runtime::descriptor::{ClassShape, TypeShape, TypeSpec};
use portable_runtime::header;
use portable_runtime::pyexpr::{print_program, Context};

fn check(name: &str, text: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_SNAPSHOTS=1 writes it)", path.display()));
    if want != text {
        let first = want.lines().zip(text.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{} is out of date (UPDATE_SNAPSHOTS=1 rewrites it); first difference at line {}:\n  snapshot: {:?}\n  now:      {:?}",
            path.display(),
            first + 1,
            want.lines().nth(first),
            text.lines().nth(first)
        );
    }
}

fn class(name: &str, doc: Option<&str>, fields: &[&str]) -> ClassShape {
    ClassShape {
        name: name.into(),
        doc: doc.map(Into::into),
        // `"name: annotation"`, as the derive composes it.
        fields: fields
            .iter()
            .map(|f| f.split_once(": ").unwrap().0.to_owned())
            .collect(),
        annotations: fields
            .iter()
            .map(|f| f.split_once(": ").unwrap().1.to_owned())
            .collect(),
    }
}

fn spec(module: Option<&str>, shape: TypeShape) -> TypeSpec {
    TypeSpec {
        crate_name: "snapshots".into(),
        module: module.map(Into::into),
        frozen: false,
        hash: false,
        order: false,
        shape,
    }
}

/// Checks the snapshot and that `value`'s stream carries the spec's bytes.
fn descriptor<T: PortablePickle>(name: &str, spec: TypeSpec, value: &T) {
    let printed = format!(
        "# The class descriptor of `{name}`, printed by tests/snapshots.rs.\n# fingerprint {:016x}\n\n{}",
        spec.fingerprint(),
        spec.print()
    );
    check(&format!("descriptor_{}.py", name.to_lowercase()), &printed);
    let stream = portable_pickle::to_vec(value);
    let bytes = spec.encode().bytes;
    assert!(
        stream.windows(bytes.len()).any(|w| w == bytes),
        "the derive's descriptor of {name} differs from the spec printed"
    );
}

/// The length of this build's compressed payload, which the payload
/// holds: the standalone bootstrap's less the core's own opcodes (checked
/// to give this build's payload).
fn compressed_payload_len() -> usize {
    let stand_in = [0; 300];
    let core = header::standalone(&stand_in).len() - stand_in.len();
    let len = portable_pickle::STANDALONE.len() - core;
    let payload = header::payload_program(portable_pickle::NAMESPACE, portable_pickle::FORMAT_VERSION, len);
    assert_eq!(payload.compile(Context::Fresh).bytes, portable_pickle::PAYLOAD);
    len
}

#[test]
fn header_snapshot() {
    let compressed_len = compressed_payload_len();
    let text = format!(
        "# The bootstrap header of every stream, printed by tests/snapshots.rs.\n\
         # `build(obj, state)` is pickle's BUILD; `(name := value)` is MEMOIZE;\n\
         # a bare statement's value is discarded; `return` ends a pickle.\n\
         # {} bytes, payload {} bytes before compression.\n\n\
         # ---- the header (PROTO 4, one FRAME) ----\n{}\n\
         # ---- the payload, loaded only when the namespace is not installed ----\n{}",
        portable_pickle::HEADER.len(),
        portable_pickle::PAYLOAD.len(),
        print_program(
            &header::header_program(portable_pickle::NAMESPACE, portable_pickle::FORMAT_VERSION, b""),
            Context::Fresh
        ),
        print_program(
            &header::payload_program(
                portable_pickle::NAMESPACE,
                portable_pickle::FORMAT_VERSION,
                compressed_len
            ),
            Context::Fresh
        ),
    );
    check("header.py", &text);
}

/// What a `Pickler`'s pickle with the header adds right after it, checked
/// against a real session's first pickle.
#[test]
fn session_prologue_snapshot() {
    let program = header::session_prologue();
    let text = format!(
        "# What a session's pickle with the header adds right after it (the\n\
         # namespace's short name, checked to be the namespace itself),\n\
         # printed by tests/snapshots.rs.\n\n{}",
        print_program(&program, Context::Descriptor)
    );
    check("session_prologue.py", &text);
    let mut p = portable_pickle::Pickler::new(Vec::new());
    p.dump(&Point { x: 1.0, y: 2.0 }).unwrap();
    let bytes = program.compile(Context::Descriptor).bytes;
    let stream = p.into_inner();
    // After the header, a FRAME opcode and its 8-byte length, then the prologue.
    let at = portable_pickle::HEADER.len() + 9;
    assert_eq!(
        stream[at - 9],
        portable_runtime::opcodes::FRAME,
        "a frame starts after the header"
    );
    assert_eq!(
        &stream[at..at + bytes.len()],
        &bytes[..],
        "the prologue follows the header"
    );
}

/// A point in the plane.
#[derive(PortablePickle)]
struct Point {
    x: f64,
    y: f64,
}

#[derive(PortablePickle)]
struct Pair(i32, String);

/// A traffic light.
#[allow(dead_code)] // one member is written
#[derive(PortablePickle)]
enum Light {
    Red,
    Green = 5,
}

#[allow(dead_code)] // one variant is written
#[derive(PortablePickle)]
enum Shape {
    Circle { r: f64 },
    Empty,
}

#[derive(PortablePickle)]
#[pickle(module = "geo.types")]
struct Located {
    lat: f64,
}

#[test]
fn struct_snapshot() {
    let shape = TypeShape::Struct(class("Point", Some("A point in the plane."), &["x: float", "y: float"]));
    descriptor("Point", spec(None, shape), &Point { x: 1.0, y: 2.0 });
}

#[test]
fn tuple_struct_snapshot() {
    let shape = TypeShape::Struct(class("Pair", None, &["_0: int", "_1: str"]));
    descriptor("Pair", spec(None, shape), &Pair(1, "a".into()));
}

#[test]
fn unit_enum_snapshot() {
    let shape = TypeShape::UnitEnum {
        name: "Light".into(),
        doc: Some("A traffic light.".into()),
        members: vec![("Red".into(), 0), ("Green".into(), 5)],
        int: true,
    };
    descriptor("Light", spec(None, shape), &Light::Green);
}

#[test]
fn data_enum_snapshot() {
    let shape = TypeShape::DataEnum {
        base: class("Shape", None, &[]),
        variants: vec![class("Circle", None, &["r: float"]), class("Empty", None, &[])],
    };
    descriptor("Shape", spec(None, shape), &Shape::Circle { r: 1.0 });
}

#[test]
fn real_module_snapshot() {
    let shape = TypeShape::Struct(class("Located", None, &["lat: float"]));
    descriptor("Located", spec(Some("geo.types"), shape), &Located { lat: 1.0 });
}

/// A session's later pickle refers to a data enum's classes lazily: the
/// placeholders where its descriptor would stand, and the lookup each class
/// gets where the body first uses it (then `BINPUT` of its slot). Checked
/// against a real later pickle of the derive.
#[test]
fn later_reference_snapshot() {
    let spec = spec(
        None,
        TypeShape::DataEnum {
            base: class("Shape", None, &[]),
            variants: vec![class("Circle", None, &["r: float"]), class("Empty", None, &[])],
        },
    );
    let placeholders = spec.placeholder_program();
    let mut text = format!(
        "# What a session's later pickle writes for `Shape` instead of its\n\
         # descriptor, printed by tests/snapshots.rs: a placeholder per class\n\
         # slot, then, where the body first uses a class, its lookup and BINPUT\n\
         # of its slot.\n\n{}\n# the lookups, by slot (relative to the first):\n",
        print_program(&placeholders, Context::Reference)
    );
    for (slot, lookup) in spec.lazy_references() {
        // A fragment without STOP: the decoder's last item is its end.
        let ops = portable_pickle::inspect::ops(&lookup)
            .filter_map(Result::ok)
            .map(|op| format!("{:?}", op.arg))
            .collect::<Vec<_>>();
        text.push_str(&format!("# {slot}: {}\n", ops.join(" ")));
    }
    check("later_reference_shape.py", &text);

    let mut p = portable_pickle::Pickler::new(Vec::new());
    p.dump(&Shape::Empty).unwrap();
    let first = p.get_ref().len();
    p.dump(&Shape::Empty).unwrap();
    let later = &p.get_ref()[first..];
    let bytes = placeholders.compile(Context::Reference).bytes;
    assert!(
        later.windows(bytes.len()).any(|w| w == bytes),
        "the placeholders are in the later pickle"
    );
    let (_, empty) = &spec.lazy_references()[2];
    assert!(
        later.windows(empty.len()).any(|w| w == &empty[..]),
        "Shape.Empty is looked up"
    );
    let (_, circle) = &spec.lazy_references()[1];
    assert!(
        !later.windows(circle.len()).any(|w| w == &circle[..]),
        "Shape.Circle is not"
    );
}

mod predictions {
    use portable_pickle::PortablePickle;

    /// A type alias: the derive predicts the class `Meters`, but it is `float`.
    pub type Meters = f64;

    #[derive(PortablePickle)]
    #[pickle(name = "Renamed")]
    pub struct Inner {
        pub a: i32,
    }

    #[derive(PortablePickle)]
    pub struct Aliased {
        pub m: Meters,
    }

    /// Predicted `Inner`, really `Renamed`.
    #[derive(PortablePickle)]
    pub struct HoldsRenamed {
        pub i: Inner,
    }

    #[derive(PortablePickle)]
    pub struct Leaf {
        pub x: u8,
    }

    #[derive(PortablePickle)]
    pub enum Predicted<'a> {
        Scalars {
            i: i64,
            f: f32,
            s: &'a str,
            c: char,
            b: bool,
            u: (),
        },
        Containers(
            Vec<u8>,
            Box<[Leaf]>,
            Option<Option<std::collections::BTreeMap<String, (u16, Leaf)>>>,
        ),
        Wrapped {
            r: std::rc::Rc<Leaf>,
            d: std::time::Duration,
            set: std::collections::HashSet<u64>,
        },
    }
}

/// The derive's compile-time descriptor: used where every field type is
/// the one it predicted, never where a prediction is wrong; either way
/// the stream carries the descriptor of the real definition.
#[test]
fn compile_time_descriptors_only_where_predicted_right() {
    use portable_pickle::__private::PyType;
    use predictions::*;

    fn class<T: PortablePickle>() -> &'static portable_pickle::__private::ClassRef {
        match T::PY_TYPE {
            PyType::Class(c) => c,
            _ => unreachable!("a derived struct or enum has a class"),
        }
    }
    fn annotations<T: PortablePickle>() -> Vec<String> {
        let def = (class::<T>().def)();
        match &def.shape {
            portable_pickle::__private::DefShape::Struct(c) => c.annotations(),
            _ => def.field_types().iter().map(|t| t.annotation()).collect(),
        }
    }
    fn check<T: PortablePickle>(name: &str, value: &[T], fixed: bool) {
        let c = class::<T>();
        let real = (c.def)().leak_descriptor();
        assert_eq!((c.fixed)().is_some(), fixed, "{name}: compile-time descriptor");
        if let Some(f) = (c.fixed)() {
            assert_eq!(*f, real, "{name}: the compile-time bytes are the real definition's");
        }
        assert_eq!(*(c.descriptor)(), real, "{name}: the descriptor used");
        let stream = portable_pickle::to_vec(value);
        assert!(
            stream.windows(real.bytes.len()).any(|w| w == real.bytes),
            "{name}: the stream's descriptor"
        );
    }

    check("Aliased", &[Aliased { m: 1.0 }], false);
    assert_eq!(annotations::<Aliased>(), ["float"]);
    check("HoldsRenamed", &[HoldsRenamed { i: Inner { a: 1 } }], false);
    assert_eq!(annotations::<HoldsRenamed>(), ["Renamed"]);
    check("Inner", &[Inner { a: 1 }], true);
    let all = vec![
        Predicted::Scalars {
            i: 1,
            f: 0.5,
            s: "s",
            c: 'c',
            b: true,
            u: (),
        },
        Predicted::Containers(vec![1], Box::new([Leaf { x: 2 }]), Some(None)),
        Predicted::Wrapped {
            r: std::rc::Rc::new(Leaf { x: 3 }),
            d: std::time::Duration::from_secs(1),
            set: [4].into(),
        },
    ];
    check("Predicted", &all, true);
    assert_eq!(
        annotations::<Predicted<'static>>(),
        [
            "int",
            "float",
            "str",
            "str",
            "bool",
            "None",
            "bytes",
            "list[Leaf]",
            "dict[str, tuple[int, Leaf]] | None",
            "Leaf",
            "datetime.timedelta",
            "set[int]",
        ]
    );
}
