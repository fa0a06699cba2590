//! Rust → `to_vec` → `from_slice` → the same value, for the type corpus;
//! and the error messages a user sees.

use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, LinkedList, VecDeque};
use std::fmt::Debug;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::{NonZeroU32, Saturating, Wrapping};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use portable_pickle::{from_slice, to_vec, ErrorKind, FromPickle, PortablePickle, ReadOptions, Value};

fn rt<T: PortablePickle + FromPickle + PartialEq + Debug>(v: T) {
    let bytes = to_vec(&v);
    let back: T = from_slice(&bytes).unwrap_or_else(|e| panic!("{v:?}: {e}"));
    assert_eq!(back, v);
    // The dynamic tree reads every stream too, and writes it back.
    let value: Value = from_slice(&bytes).unwrap();
    let again: T = from_slice(&to_vec(&value)).unwrap_or_else(|e| panic!("{v:?} via Value: {e}"));
    assert_eq!(again, v);
}

/// A point in the plane. Frozen: it is a map key below.
#[derive(PortablePickle, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[pickle(frozen)]
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
    index: HashMap<String, Point>,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Pair<A, B> {
    first: A,
    second: B,
}

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(name = "Vector", module = "geo.shapes")]
struct RustVec {
    dx: f64,
    dy: f64,
}

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(frozen)]
struct Frozen {
    value: i32,
}

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(rename_all = "camelCase")]
struct Camel {
    first_name: String,
    last_seen_at: u32,
}

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(rename_all = "PascalCase")]
enum Level {
    LowPriority,
    HighPriority,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Keywords {
    class: u8,
    r#from: u8,
    r#type: u8,
    #[pickle(rename = "klass")]
    def: u8,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Attrs {
    #[pickle(rename = "identifier")]
    id: u32,
    #[pickle(skip)]
    cache: Vec<u64>,
    #[pickle(bytes)]
    text_bytes: String,
}

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(transparent)]
struct Meters(f64);

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(transparent)]
struct UserId {
    id: u64,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Rgb(u8, u8, u8);

#[derive(PortablePickle, Debug, PartialEq)]
struct Marker;

#[derive(PortablePickle, Debug, PartialEq, Clone, Copy)]
enum Color {
    Red,
    Green,
    Blue,
}

#[derive(PortablePickle, Debug, PartialEq)]
enum Status {
    Ok = 200,
    NotFound = 404,
    Negative = -1,
}

#[derive(PortablePickle, Debug, PartialEq)]
enum Shape {
    Circle { center: Point, radius: f64 },
    Polygon(Vec<Point>),
    Empty,
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
    c: Arc<String>,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Nested {
    inner: Option<Box<Nested>>,
    depth: u32,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Defaults {
    a: u8,
    #[pickle(default)]
    b: Vec<u8>,
    c: Option<u8>,
    #[pickle(default, bytes)]
    d: Vec<u8>,
}

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(deny_unknown_fields)]
struct Strict {
    a: u8,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Lenient {
    a: u8,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Wide {
    a: u8,
    extra: String,
}

/// A borrowing type still writes; it gets no read impl.
#[derive(PortablePickle)]
struct Borrowed<'a> {
    name: &'a str,
}

#[test]
fn std_types_round_trip() {
    rt(true);
    rt((0u8, 255u8, 256u16, -1i8, i32::MIN, i64::MAX, u64::MAX, -300i16));
    rt((i128::MIN, i128::MAX, u128::MAX, 1u128 << 64, isize::MIN, usize::MAX));
    rt((1.5f64, -0.0f64, f64::INFINITY, f64::NEG_INFINITY, 0.1f32, f32::MAX));
    assert!(from_slice::<f64>(&to_vec(&f64::NAN)).unwrap().is_nan());
    rt(('é', '😀', 'a'));
    rt((String::from("ünï"), "x".repeat(300), Box::<str>::from("boxed")));
    rt(Cow::<str>::Owned("cow".into()));
    rt(());
    rt((Some(3), None::<i32>, Some(Some(1))));
    rt(vec![1, 2, 3]);
    rt(Vec::<i32>::new());
    rt([3i32; 4]);
    rt(vec![0u8, 1, 255]);
    rt([7u8; 3]);
    rt(Box::<[u8]>::from(&b"xy"[..]));
    rt(Box::<[u16]>::from(&[1u16, 2][..]));
    rt((1, "a".to_string(), (2.0, ()), (1,)));
    rt((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
    rt(HashMap::from([("a".to_string(), 1), ("b".to_string(), 2)]));
    rt(BTreeMap::from([(3, "c".to_string()), (1, "a".to_string())]));
    rt(HashSet::from([1, 2, 3]));
    rt(BTreeSet::from(["x".to_string(), "y".to_string()]));
    rt((0..2500).collect::<Vec<u32>>());
    rt((0..2001).map(|i| (i, i * 2)).collect::<BTreeMap<u32, u32>>());
    rt((
        VecDeque::from([1, 2]),
        LinkedList::from([3, 4]),
        VecDeque::from([1u8, 2]),
    ));
    rt((Box::new(5), Rc::new(6), Arc::new("seven".to_string())));
    rt("é".repeat(40_000));
    rt(vec![7u8; 200_000]);
    rt((
        Duration::new(90_061, 1_234_000),
        Duration::ZERO,
        Duration::from_secs(86_400 * 365 * 100),
    ));
    rt((
        UNIX_EPOCH + Duration::new(951_782_400, 123_456_000),
        UNIX_EPOCH,
        UNIX_EPOCH - Duration::from_micros(1),
    ));
    rt((Ipv4Addr::new(192, 168, 0, 1), Ipv6Addr::LOCALHOST));
    rt((
        IpAddr::V6("2001:db8::1".parse().unwrap()),
        IpAddr::V4(Ipv4Addr::BROADCAST),
    ));
    rt(PathBuf::from("/tmp/a b.txt"));
    rt((
        NonZeroU32::new(7).unwrap(),
        Wrapping(250u8),
        Reverse(3),
        Saturating(9i8),
    ));
    rt([Ordering::Less, Ordering::Equal, Ordering::Greater]);
    rt((0..10u32, -5i64..=5, 0..0usize, u64::MAX - 1..=u64::MAX));
}

#[test]
fn derived_types_round_trip() {
    rt(Point { x: 1, y: -2 });
    rt(Place {
        name: "Zürich".into(),
        at: Point { x: 8, y: 47 },
        tags: vec!["city".into(), "lake".into()],
        note: None,
        population: u128::from(u64::MAX) + 12345,
        raw: vec![0, 1, 255],
        index: [("home".to_string(), Point { x: 1, y: 2 })].into(),
    });
    rt((
        Pair {
            first: 1,
            second: "a".to_string(),
        },
        Pair {
            first: vec![1.5],
            second: Point { x: 0, y: 0 },
        },
    ));
    rt(RustVec { dx: 1.0, dy: 0.5 });
    rt(Frozen { value: 3 });
    rt(Camel {
        first_name: "Ada".into(),
        last_seen_at: 5,
    });
    rt(vec![Level::LowPriority, Level::HighPriority]);
    rt(Keywords {
        class: 1,
        r#from: 2,
        r#type: 4,
        def: 5,
    });
    rt((Meters(2.5), UserId { id: 7 }, Rgb(255, 0, 10), Marker, Marker));
    rt(vec![Color::Red, Color::Green, Color::Blue, Color::Red]);
    rt(vec![Status::Ok, Status::NotFound, Status::Negative]);
    rt(vec![
        Shape::Circle {
            center: Point { x: 1, y: 2 },
            radius: 3.0,
        },
        Shape::Polygon(vec![Point { x: 0, y: 0 }, Point { x: 1, y: 0 }]),
        Shape::Empty,
    ]);
    rt(Tree::Node(
        Box::new(Tree::Leaf(1)),
        Box::new(Tree::Node(Box::new(Tree::Leaf(2)), Box::new(Tree::Leaf(3)))),
    ));
    let p = Rc::new(Point { x: 5, y: 5 });
    rt(Shared {
        a: p.clone(),
        b: p,
        c: Arc::new("s".into()),
    });
    rt((0..200).fold(Nested { inner: None, depth: 0 }, |n, d| Nested {
        inner: Some(Box::new(n)),
        depth: d + 1,
    }));
    rt(HashMap::from([(Point { x: 1, y: 1 }, Color::Red)]));
    rt(Defaults {
        a: 1,
        b: vec![2],
        c: Some(3),
        d: vec![4],
    });
    // A skipped field reads back as its default.
    let attrs: Attrs = from_slice(&to_vec(&Attrs {
        id: 9,
        cache: vec![1, 2],
        text_bytes: "hi".into(),
    }))
    .unwrap();
    assert_eq!(
        attrs,
        Attrs {
            id: 9,
            cache: vec![],
            text_bytes: "hi".into()
        }
    );
    // A borrowing type has no read impl, but its stream reads as a `Value`:
    // an instance of its stand-in class holding the field.
    let v: Value = from_slice(&to_vec(&Borrowed { name: "still writes" })).unwrap();
    let Value::Object(o) = &v else {
        panic!("an object: {v:?}")
    };
    assert!(o.class.is(portable_pickle::NAMESPACE, "Borrowed"), "{:?}", o.class);
    assert_eq!(o.class.fields, Some(vec!["name".to_string()]));
    assert_eq!(o.args, vec![Value::from("still writes")]);
    assert_eq!(o.state, None);
}

#[test]
fn shared_references_stay_shared_in_value() {
    let p = Rc::new(Point { x: 5, y: 5 });
    let bytes = to_vec(&vec![p.clone(), p.clone(), p]);
    let Value::List(items) = from_slice::<Value>(&bytes).unwrap() else {
        panic!("a list")
    };
    let (Value::Shared(a), Value::Shared(b)) = (&items[0], &items[2]) else {
        panic!("shared items")
    };
    assert!(Arc::ptr_eq(a, b));
}

#[test]
fn missing_fields() {
    // Written with fewer fields than the reader's type has.
    #[derive(PortablePickle)]
    #[pickle(name = "Defaults")]
    struct Old {
        a: u8,
    }
    let d: Defaults = from_slice(&to_vec(&Old { a: 1 })).unwrap();
    assert_eq!(
        d,
        Defaults {
            a: 1,
            b: vec![],
            c: None,
            d: vec![]
        }
    );
    #[derive(PortablePickle)]
    #[pickle(name = "Point")]
    struct OnlyX {
        x: i64,
    }
    let err = from_slice::<Vec<Point>>(&to_vec(&vec![OnlyX { x: 1 }])).unwrap_err();
    assert_eq!(err.to_string(), "missing field `y` of `Point` at [0]");
    assert!(matches!(err.kind(), ErrorKind::MissingField { .. }));
}

#[test]
fn unknown_fields() {
    let wide = to_vec(&Wide {
        a: 1,
        extra: "x".into(),
    });
    // Renamed on the Rust side, the classes keep their Python names.
    #[derive(PortablePickle, Debug, PartialEq)]
    #[pickle(name = "Wide")]
    struct Narrow {
        a: u8,
    }
    #[derive(PortablePickle, Debug)]
    #[pickle(name = "Wide", deny_unknown_fields)]
    struct NarrowStrict {
        #[allow(dead_code)]
        a: u8,
    }
    // Positional arguments beyond the fields are refused either way; by
    // name (CPython's re-pickled state or a dict) extras are ignored unless denied.
    let err = from_slice::<Narrow>(&wide).unwrap_err();
    assert_eq!(err.to_string(), "Wide has 1 fields, found 2 positional arguments");
    let dict = to_vec(&HashMap::from([
        ("a", Value::Int(1)),
        ("extra", Value::Str("x".into())),
    ]));
    assert_eq!(from_slice::<Narrow>(&dict).unwrap(), Narrow { a: 1 });
    assert_eq!(from_slice::<Lenient>(&dict).unwrap(), Lenient { a: 1 });
    let err = from_slice::<NarrowStrict>(&dict).unwrap_err();
    assert_eq!(err.to_string(), "unknown field `extra` of `Wide`");
    let err = from_slice::<Strict>(&dict).unwrap_err();
    assert_eq!(err.to_string(), "unknown field `extra` of `Strict`");
}

#[test]
fn type_mismatches() {
    let err = from_slice::<Point>(&to_vec(&Pair { first: 1, second: 2 })).unwrap_err();
    assert_eq!(err.to_string(), "expected Point, found _portable_pickle_v3.Pair");
    #[derive(PortablePickle)]
    #[pickle(name = "Point")]
    struct TextPoint {
        x: String,
        y: i64,
    }
    let err = from_slice::<Vec<Point>>(&to_vec(&vec![TextPoint { x: "1".into(), y: 2 }])).unwrap_err();
    assert_eq!(err.to_string(), "expected int, found str at [0].x");
    let err = from_slice::<u8>(&to_vec(&300)).unwrap_err();
    assert_eq!(err.to_string(), "integer 300 out of range for u8");
    let err = from_slice::<u64>(&to_vec(&-1)).unwrap_err();
    assert_eq!(err.to_string(), "integer -1 out of range for u64");
    let err = from_slice::<i128>(&to_vec(&u128::MAX)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "integer 340282366920938463463374607431768211455 out of range for i128"
    );
    let err = from_slice::<Color>(&to_vec(&Status::NotFound)).unwrap_err();
    assert_eq!(err.to_string(), "expected Color, found _portable_pickle_v3.Status");
    let err = from_slice::<Shape>(&to_vec(&Point { x: 1, y: 1 })).unwrap_err();
    assert_eq!(err.to_string(), "expected Shape, found _portable_pickle_v3.Point");
    let err = from_slice::<(u8, u8)>(&to_vec(&(1, 2, 3))).unwrap_err();
    assert_eq!(err.to_string(), "expected tuple of 2, found tuple of 3");
    let err = from_slice::<BTreeMap<String, u8>>(&to_vec(&BTreeMap::from([("k", "v")]))).unwrap_err();
    assert_eq!(err.to_string(), "expected int, found str at .k");
    let err = from_slice::<Duration>(&to_vec(&"1s")).unwrap_err();
    assert_eq!(err.to_string(), "expected datetime.timedelta, found str");
    let err = from_slice::<char>(&to_vec(&"ab")).unwrap_err();
    assert_eq!(err.to_string(), "expected a str of one character, found one of 2");
}

#[test]
fn forbidden_global() {
    // `os.system` via STACK_GLOBAL, called with REDUCE.
    let mut bytes = vec![0x80, 4, 0x95];
    let body = b"\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R.";
    bytes.extend((body.len() as u64).to_le_bytes());
    bytes.extend(body);
    let err = from_slice::<Value>(&bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "forbidden global `os.system`: not a class of the target type nor in the reader's table at byte 23 (STACK_GLOBAL)"
    );
    assert_eq!(err.offset(), Some(23));
    // Allowed on request: it still only describes the call.
    let v: Value =
        portable_pickle::from_slice_with(&bytes, &ReadOptions::default().allow_global("os", "system")).unwrap();
    let Value::Object(o) = v else { panic!() };
    assert!(o.class.is("os", "system") && o.args == [Value::Str("id".into())]);
}

#[test]
fn from_reader_reads_exactly_one_pickle() {
    let mut bytes = to_vec(&Point { x: 1, y: 2 });
    bytes.extend(to_vec(&vec![Color::Blue]));
    bytes.extend(b"\x80\x02K\x07.");
    let mut r = std::io::Cursor::new(&bytes);
    assert_eq!(
        portable_pickle::from_reader::<_, Point>(&mut r).unwrap(),
        Point { x: 1, y: 2 }
    );
    assert_eq!(
        portable_pickle::from_reader::<_, Vec<Color>>(&mut r).unwrap(),
        [Color::Blue]
    );
    assert_eq!(portable_pickle::from_reader::<_, u8>(&mut r).unwrap(), 7);
    assert_eq!(r.position() as usize, bytes.len());
    let err = portable_pickle::from_reader::<_, u8>(&mut r).unwrap_err();
    assert_eq!(err.to_string(), "unexpected end of input at byte 0");
}

#[test]
fn system_time_accepts_offsets() {
    // datetime(2000, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=1))) == 2000-01-01T00:00Z
    let v = Value::Object(Box::new(portable_pickle::Object::new(
        Arc::new(portable_pickle::Global::new("datetime", "datetime")),
        vec![
            Value::Int(2000),
            Value::Int(1),
            Value::Int(1),
            Value::Int(1),
            Value::Int(0),
            Value::Int(0),
            Value::Int(0),
            Value::Object(Box::new(portable_pickle::Object::new(
                Arc::new(portable_pickle::Global::new("datetime", "timezone")),
                vec![Value::Object(Box::new(portable_pickle::Object::new(
                    Arc::new(portable_pickle::Global::new("datetime", "timedelta")),
                    vec![Value::Int(0), Value::Int(3600), Value::Int(0)],
                )))],
            ))),
        ],
    )));
    let t: SystemTime = from_slice(&to_vec(&v)).unwrap();
    assert_eq!(t, UNIX_EPOCH + Duration::from_secs(946_684_800));
}
