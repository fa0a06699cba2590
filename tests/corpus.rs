//! The type corpus: every row of the README's mapping table, written by
//! Rust and checked by Python against expected values.

#[path = "support/array_cases.rs"]
mod array_cases;
// The array values the corpus reads back live in readback's module.
use readback::array_values;
#[path = "support/readback.rs"]
mod readback;
#[cfg(feature = "serde")]
#[path = "support/serde_cases.rs"]
mod serde_cases;
#[path = "support/session.rs"]
mod session;
#[path = "support/strict_values.rs"]
mod strict_values;
mod support;

use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::{NonZeroU32, Wrapping};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use portable_pickle::PortablePickle;
use readback::data_tools::{self, Cell};
use readback::{empty_structs, empty_variants, ordered};
use support::Corpus;

/// A point in the plane.
#[derive(PortablePickle, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Point {
    x: i64,
    y: i64,
}

/// A named place.
///
/// Second paragraph of the doc.
#[derive(PortablePickle)]
struct Place {
    name: String,
    at: Point,
    tags: Vec<String>,
    note: Option<String>,
    population: u128,
    raw: Vec<u8>,
    index: HashMap<String, Point>,
}

#[derive(PortablePickle)]
struct Pair<A, B> {
    first: A,
    second: B,
}

#[derive(PortablePickle)]
#[pickle(name = "Vector", module = "geo.shapes")]
struct RustVec {
    dx: f64,
    dy: f64,
}

#[derive(PortablePickle)]
#[pickle(frozen)]
struct Frozen {
    value: i32,
}

#[derive(PortablePickle)]
#[pickle(rename_all = "camelCase")]
struct Camel {
    first_name: String,
    last_seen_at: u32,
}

#[derive(PortablePickle)]
#[pickle(rename_all = "SCREAMING_SNAKE_CASE")]
struct Screaming {
    max_value: u8,
}

#[derive(PortablePickle)]
#[pickle(rename_all = "PascalCase")]
enum Level {
    LowPriority,
    HighPriority,
}

#[derive(PortablePickle)]
struct Keywords {
    class: u8,
    r#from: u8,
    lambda: u8,
    r#type: u8,
    #[pickle(rename = "klass")]
    def: u8,
}

#[derive(PortablePickle)]
struct Attrs {
    #[pickle(rename = "identifier")]
    id: u32,
    #[pickle(skip)]
    #[allow(dead_code)]
    cache: Vec<u64>,
    #[pickle(bytes)]
    text_bytes: String,
}

#[derive(PortablePickle)]
#[pickle(transparent)]
struct Meters(f64);

#[derive(PortablePickle)]
#[pickle(transparent)]
struct UserId {
    id: u64,
}

#[derive(PortablePickle)]
struct Rgb(u8, u8, u8);

#[derive(PortablePickle)]
struct Newtype(String);

#[derive(PortablePickle)]
struct Marker;

/// Primary colors.
#[derive(PortablePickle)]
enum Color {
    Red,
    Green,
    Blue,
}

#[derive(PortablePickle)]
enum Status {
    Ok = 200,
    NotFound = 404,
    Teapot = 418,
    Negative = -1,
}

/// A shape.
#[derive(PortablePickle)]
enum Shape {
    /// A round shape.
    Circle {
        center: Point,
        radius: f64,
    },
    Polygon(Vec<Point>),
    Empty,
}

#[derive(PortablePickle)]
enum Tree {
    Leaf(i32),
    Node(Box<Tree>, Box<Tree>),
}

#[derive(PortablePickle)]
struct Borrowed<'a, T: Clone + 'a>
where
    T: PortablePickle,
{
    name: &'a str,
    items: &'a [T],
    owned: Cow<'a, str>,
}

/// A field that cannot be read back: only the write side is derived.
#[derive(PortablePickle)]
#[pickle(write_only)]
struct StaticTag {
    name: &'static str,
}

/// An enum without variants: derivable, never written.
#[derive(PortablePickle)]
#[allow(dead_code)]
enum Never {}

#[derive(PortablePickle)]
#[pickle(frozen, rename_all = "snake_case")]
enum Event {
    KeyPress { key_code: u32 },
    Quit,
}

#[derive(PortablePickle)]
struct Shared {
    a: Rc<Point>,
    b: Rc<Point>,
    c: Arc<String>,
    d: Arc<String>,
}

#[derive(PortablePickle)]
struct Nested {
    inner: Option<Box<Nested>>,
    depth: u32,
}

/// Every kind of field, for the annotations case.
#[derive(PortablePickle)]
struct Annotated<'a, T> {
    flag: bool,
    count: u16,
    big: i128,
    ratio: f32,
    letter: char,
    name: String,
    borrowed: &'a str,
    raw: Vec<u8>,
    array: [u8; 2],
    nums: Vec<i64>,
    deque: VecDeque<String>,
    maybe: Option<Point>,
    maybe_twice: Option<Option<u8>>,
    unit: (),
    pair: (i32, String),
    map: BTreeMap<String, Vec<Point>>,
    set: BTreeSet<u8>,
    boxed: Box<Point>,
    shared: Rc<Shape>,
    color: Color,
    status: Status,
    marker: Marker,
    rgb: Rgb,
    meters: Meters,
    tree: Tree,
    elapsed: Duration,
    ip: IpAddr,
    range: std::ops::Range<u32>,
    generic: T,
    generic_list: Vec<T>,
    vector: RustVec,
    #[pickle(display)]
    shown: u8,
    #[pickle(bytes)]
    text_bytes: String,
    #[pickle(array)]
    samples: Vec<f32>,
}

fn annotated() -> Annotated<'static, u8> {
    Annotated {
        flag: true,
        count: 1,
        big: 2,
        ratio: 0.5,
        letter: 'a',
        name: "n".into(),
        borrowed: "b",
        raw: vec![1],
        array: [1, 2],
        nums: vec![3],
        deque: VecDeque::new(),
        maybe: None,
        maybe_twice: Some(None),
        unit: (),
        pair: (1, "p".into()),
        map: BTreeMap::new(),
        set: BTreeSet::new(),
        boxed: Box::new(Point { x: 0, y: 0 }),
        shared: Rc::new(Shape::Empty),
        color: Color::Red,
        status: Status::Ok,
        marker: Marker,
        rgb: Rgb(1, 2, 3),
        meters: Meters(1.0),
        tree: Tree::Leaf(1),
        elapsed: Duration::from_secs(1),
        ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        range: 0..1,
        generic: 7,
        generic_list: vec![8],
        vector: RustVec { dx: 0.0, dy: 0.0 },
        shown: 9,
        text_bytes: "t".into(),
        samples: vec![1.0],
    }
}

/// The Python check of the annotations case: each class's
/// `dataclasses.fields(...)[i].type`, as the derive composed them.
const ANNOTATIONS_CHECK: &str = r#"
import dataclasses
def ann(obj):
    return {f.name: f.type for f in dataclasses.fields(obj)}
assert ann(v) == {
    'flag': 'bool', 'count': 'int', 'big': 'int', 'ratio': 'float', 'letter': 'str', 'name': 'str',
    'borrowed': 'str', 'raw': 'bytes', 'array': 'bytes', 'nums': 'list[int]', 'deque': 'list[str]',
    'maybe': 'Point | None', 'maybe_twice': 'int | None', 'unit': 'None', 'pair': 'tuple[int, str]',
    'map': 'dict[str, list[Point]]', 'set': 'set[int]', 'boxed': 'Point', 'shared': 'Shape',
    'color': 'Color', 'status': 'Status', 'marker': 'Marker', 'rgb': 'Rgb', 'meters': 'float',
    'tree': 'Tree', 'elapsed': 'datetime.timedelta', 'ip': 'ipaddress.IPv4Address | ipaddress.IPv6Address',
    'range': 'range', 'generic': 'typing.Any', 'generic_list': 'list[typing.Any]', 'vector': 'Vector',
    'shown': 'str', 'text_bytes': 'bytes', 'samples': 'numpy.ndarray | array.array',
}, ann(v)
assert [f.type for f in dataclasses.fields(v.boxed)] == ['int', 'int']
assert ann(v.rgb) == {'_0': 'int', '_1': 'int', '_2': 'int'}
assert ann(v.tree) == {'_0': 'int'} and dataclasses.fields(v.marker) == ()
Shape = type(v.shared).__mro__[1]
assert ann(Shape.Circle) == {'center': 'Point', 'radius': 'float'} and ann(Shape.Polygon) == {'_0': 'list[Point]'}
assert ann(type(v.tree).__mro__[1].Node) == {'_0': 'Tree', '_1': 'Tree'}
assert type(v).__annotations__ == ann(v)
"#;

fn place() -> Place {
    Place {
        name: "Zürich".into(),
        at: Point { x: 8, y: 47 },
        tags: vec!["city".into(), "lake".into()],
        note: None,
        population: u128::from(u64::MAX) + 12345,
        raw: vec![0, 1, 255],
        index: [("home".to_string(), Point { x: 1, y: 2 })].into(),
    }
}

#[test]
fn corpus_loads_in_cpython() {
    let mut c = Corpus::new("corpus");
    let ns = portable_pickle::NAMESPACE;

    // --- scalars and std containers
    c.case(
        "bool",
        &(true, false),
        "assert v == (True, False) and type(v[0]) is bool",
    );
    c.case(
        "ints",
        &(0u8, 255u8, 256u16, -1i8, i32::MIN, i64::MAX, u64::MAX, -300i16),
        "assert v == (0, 255, 256, -1, -2**31, 2**63 - 1, 2**64 - 1, -300)",
    );
    c.case(
        "int128",
        &(i128::MIN, i128::MAX, u128::MAX, 1u128 << 64),
        "assert v == (-2**127, 2**127 - 1, 2**128 - 1, 2**64)",
    );
    c.case(
        "floats",
        &(1.5f64, -0.0f64, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 0.1f32),
        r#"
        assert v[:2] == (1.5, -0.0) and math.copysign(1, v[1]) == -1
        assert v[2] == math.inf and v[3] == -math.inf and math.isnan(v[4])
        assert v[5] == float(__import__("struct").unpack("f", __import__("struct").pack("f", 0.1))[0])
        "#,
    );
    c.case("char", &('é', '😀'), "assert v == ('é', '😀')");
    c.case(
        "strings",
        &(
            "plain",
            String::from("ünï"),
            Cow::Borrowed("cow"),
            Box::<str>::from("boxed"),
            "x".repeat(300),
        ),
        "assert v == ('plain', 'ünï', 'cow', 'boxed', 'x' * 300)",
    );
    c.case("unit", &(), "assert v is None");
    c.case("option", &(Some(3), None::<i32>), "assert v == (3, None)");
    c.case(
        "option_option",
        &(Some(Some(1)), Some(None::<i32>), None::<Option<i32>>),
        "assert v == (1, None, None)  # Some(None) and None are both None: documented",
    );
    c.case("vec", &vec![1, 2, 3], "assert v == [1, 2, 3] and type(v) is list");
    c.case("vec_empty", &Vec::<i32>::new(), "assert v == []");
    c.case("vec_one", &vec!["a"], "assert v == ['a']");
    c.case(
        "slice_array",
        &(&[1u16, 2][..], [3i32; 4]),
        "assert v == ([1, 2], [3, 3, 3, 3])",
    );
    c.case(
        "bytes",
        &(vec![0u8, 1, 2], &b"ab"[..], [7u8; 3], Box::<[u8]>::from(&b"xy"[..])),
        r"assert v == (b'\x00\x01\x02', b'ab', b'\x07\x07\x07', b'xy') and type(v[0]) is bytes",
    );
    c.case(
        "tuple",
        &(1, "a", (2.0, ()), (1,)),
        "assert v == (1, 'a', (2.0, None), (1,))",
    );
    c.case(
        "tuple12",
        &(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
        "assert v == tuple(range(1, 13))",
    );
    c.case(
        "hashmap",
        &HashMap::from([("a".to_string(), 1), ("b".to_string(), 2)]),
        "assert v == {'a': 1, 'b': 2} and type(v) is dict",
    );
    c.case(
        "btreemap",
        &BTreeMap::from([(3, "c"), (1, "a")]),
        "assert v == {1: 'a', 3: 'c'} and list(v) == [1, 3]",
    );
    c.case(
        "hashset",
        &HashSet::from([1, 2, 3]),
        "assert v == {1, 2, 3} and type(v) is set",
    );
    c.case("btreeset", &BTreeSet::from(["x", "y"]), "assert v == {'x', 'y'}");
    c.case("set_empty", &BTreeSet::<u8>::new(), "assert v == set()");
    c.case(
        "big_collections",
        &(0..2500).collect::<Vec<u32>>(),
        "assert v == list(range(2500))",
    );
    c.case(
        "big_map",
        &(0..2001).map(|i| (i, i * 2)).collect::<BTreeMap<u32, u32>>(),
        "assert v == {i: i * 2 for i in range(2001)}",
    );
    c.case(
        "big_set",
        &(0..1001).collect::<BTreeSet<u32>>(),
        "assert v == set(range(1001))",
    );
    c.case(
        "deque_list_heap",
        &(
            VecDeque::from([1, 2]),
            LinkedList::from([3, 4]),
            BinaryHeap::from([5]),
            VecDeque::from([1u8, 2]),
        ),
        "assert v == ([1, 2], [3, 4], [5], [1, 2])",
    );
    c.case(
        "boxes_refs",
        &(
            Box::new(5),
            &6,
            &&"seven",
            &mut 8,
            Box::<[i32]>::from([1, 2]),
            Cow::<[i32]>::Borrowed(&[3]),
            Cow::<[u8]>::Owned(vec![9]),
            Rc::<str>::from("rc"),
        ),
        r"assert v == (5, 6, 'seven', 8, [1, 2], [3], b'\x09', 'rc')",
    );
    c.case(
        "large_str_outside_frame",
        &"é".repeat(40_000),
        "assert v == 'é' * 40000",
    );
    c.case("large_bytes", &vec![7u8; 200_000], "assert v == b'\\x07' * 200000");

    // --- std types mapped to stdlib objects
    c.case(
        "duration",
        &(
            Duration::new(90_061, 1_234_567),
            Duration::ZERO,
            Duration::from_nanos(999),
        ),
        r#"
        assert v[0] == datetime.timedelta(days=1, hours=1, minutes=1, seconds=1, microseconds=1234)
        assert v[1] == datetime.timedelta(0)
        assert v[2] == datetime.timedelta(0)  # nanoseconds below a microsecond are truncated
        "#,
    );
    c.case(
        "systemtime",
        &(
            UNIX_EPOCH + Duration::new(951_782_400, 123_456_789),
            UNIX_EPOCH,
            UNIX_EPOCH - Duration::from_micros(1),
        ),
        r#"
        utc = datetime.timezone.utc
        assert v[0] == datetime.datetime(2000, 2, 29, 0, 0, 0, 123456, tzinfo=utc) and v[0].tzinfo is utc
        assert v[1] == datetime.datetime(1970, 1, 1, tzinfo=utc)
        assert v[2] == datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=utc)
        "#,
    );
    c.case(
        "ipaddr",
        &(
            Ipv4Addr::new(192, 168, 0, 1),
            Ipv6Addr::LOCALHOST,
            IpAddr::V6("2001:db8::1".parse().unwrap()),
            IpAddr::V4(Ipv4Addr::BROADCAST),
        ),
        r#"
        assert v == (ipaddress.IPv4Address('192.168.0.1'), ipaddress.IPv6Address('::1'),
                     ipaddress.IPv6Address('2001:db8::1'), ipaddress.IPv4Address('255.255.255.255'))
        "#,
    );
    c.case(
        "path",
        &(PathBuf::from("/tmp/a b.txt"), std::path::Path::new("rel/x")),
        "assert v == ('/tmp/a b.txt', 'rel/x')",
    );
    c.case(
        "wrappers",
        &(
            NonZeroU32::new(7).unwrap(),
            Wrapping(250u8),
            Reverse(3),
            std::num::Saturating(9i8),
        ),
        "assert v == (7, 250, 3, 9)",
    );
    c.case(
        "ordering",
        &[Ordering::Less, Ordering::Equal, Ordering::Greater],
        "assert v == [-1, 0, 1]",
    );
    c.case(
        "ranges",
        &(0..10u32, -5i64..=5, 0..0usize, u64::MAX - 1..=u64::MAX),
        "assert v == (range(0, 10), range(-5, 6), range(0), range(2**64 - 2, 2**64))",
    );

    // --- derived types
    c.case(
        "struct_point",
        &Point { x: 1, y: -2 },
        &format!(
            r#"
        P = type(v)
        assert P.__name__ == 'Point' and P.__qualname__ == 'Point' and P.__module__ == '{ns}'
        assert (v.x, v.y) == (1, -2)
        assert repr(v) == 'Point(x=1, y=-2)'
        assert v == P(1, -2) and v != P(1, 2) and v == P(x=1, y=-2)
        assert P.__doc__ == 'A point in the plane.'
        assert [f.name for f in dataclasses.fields(v)] == ['x', 'y']
        assert P.__match_args__ == ('x', 'y')
        assert P.__hash__ is None  # mutable: no hash (Python's contract); see the case hashing
        assert pickle.loads(pickle.dumps(v)) == v
        "#
        ),
    );
    c.case_since(
        "struct_match",
        (3, 10),
        &Point { x: 3, y: 4 },
        r#"
        P = type(v)
        match v:
            case P(x=3, y=y):
                assert y == 4
            case _:
                raise AssertionError('no match')
        "#,
    );
    c.case(
        "struct_nested",
        &place(),
        r#"
        assert type(v).__name__ == 'Place'
        assert type(v).__doc__ == 'A named place.\n\nSecond paragraph of the doc.'
        assert v.name == 'Zürich' and v.tags == ['city', 'lake'] and v.note is None
        assert v.population == 2**64 - 1 + 12345 and v.raw == b'\x00\x01\xff'
        P = type(v.at)
        assert v.at == P(8, 47) and v.index == {'home': P(1, 2)}
        assert repr(v).startswith("Place(name='Zürich', at=Point(x=8, y=47), tags=['city', 'lake'], note=None")
        "#,
    );
    c.case(
        "struct_as_dict_key",
        &HashMap::from([(Cell { x: 1, y: 1 }, "one"), (Cell { x: 2, y: 2 }, "two")]),
        r#"
        P = type(next(iter(v)))
        assert v == {P(1, 1): 'one', P(2, 2): 'two'}
        assert P(1, 1) in v
        "#,
    );
    c.case(
        "struct_in_set",
        &BTreeSet::from([Cell { x: 0, y: 0 }, Cell { x: 0, y: 1 }]),
        "P = type(next(iter(v)))\nassert v == {P(0, 0), P(0, 1)}",
    );
    c.case("annotations", &annotated(), ANNOTATIONS_CHECK);
    c.case(
        "generic",
        &(
            Pair { first: 1, second: "a" },
            Pair {
                first: vec![1.5],
                second: Point { x: 0, y: 0 },
            },
        ),
        r#"
        a, b = v
        assert type(a) is type(b) and type(a).__name__ == 'Pair'  # one class per generic type
        assert (a.first, a.second) == (1, 'a') and b.first == [1.5] and repr(b.second) == 'Point(x=0, y=0)'
        "#,
    );
    c.case(
        "renamed_module",
        &RustVec { dx: 1.0, dy: 0.5 },
        &format!(
            "assert type(v).__name__ == 'Vector' and type(v).__module__ == '{ns}'\nassert repr(v) == 'Vector(dx=1.0, dy=0.5)'\nimport importlib.util\nassert 'geo' not in sys.modules"
        ),
    );
    c.case(
        "frozen",
        &Frozen { value: 3 },
        r#"
        try:
            v.value = 4
        except dataclasses.FrozenInstanceError:
            pass
        else:
            raise AssertionError('frozen instance accepted an assignment')
        assert v.value == 3 and hash(v) == hash(type(v)(3))
        assert pickle.loads(pickle.dumps(v)) == v
        "#,
    );
    c.case(
        "rename_all",
        &(
            Camel {
                first_name: "Ada".into(),
                last_seen_at: 5,
            },
            Screaming { max_value: 1 },
            vec![Level::LowPriority, Level::HighPriority],
        ),
        r#"
        camel, scream, levels = v
        assert repr(camel) == "Camel(firstName='Ada', lastSeenAt=5)"
        assert scream.MAX_VALUE == 1
        assert [m.name for m in levels] == ['LowPriority', 'HighPriority']
        "#,
    );
    c.case(
        "keywords",
        &Keywords {
            class: 1,
            r#from: 2,
            lambda: 3,
            r#type: 4,
            def: 5,
        },
        "assert repr(v) == 'Keywords(class_=1, from_=2, lambda_=3, type=4, klass=5)'",
    );
    c.case(
        "field_attrs",
        &Attrs {
            id: 9,
            cache: vec![1, 2],
            text_bytes: "hi".into(),
        },
        r#"
        assert repr(v) == "Attrs(identifier=9, text_bytes=b'hi')"
        assert not hasattr(v, 'cache') and not hasattr(v, 'id')
        "#,
    );
    c.case("transparent", &(Meters(2.5), UserId { id: 7 }), "assert v == (2.5, 7)");
    c.case(
        "tuple_struct",
        &(Rgb(255, 0, 10), Newtype("n".into())),
        r#"
        rgb, nt = v
        assert repr(rgb) == 'Rgb(_0=255, _1=0, _2=10)' and (rgb._0, rgb._1, rgb._2) == (255, 0, 10)
        assert type(rgb).__match_args__ == ('_0', '_1', '_2')
        assert repr(nt) == "Newtype(_0='n')"
        "#,
    );
    c.case(
        "unit_struct",
        &(Marker, Marker),
        "a, b = v\nassert repr(a) == 'Marker()' and a == b and type(a).__name__ == 'Marker'",
    );
    c.case(
        "empty_structs",
        &empty_structs(),
        &format!(
            r#"
        s, s2, t, t2 = v
        S, T = type(s), type(t)
        assert S.__name__ == S.__qualname__ == 'EmptyBraced' and S.__module__ == '{ns}'
        assert T.__name__ == T.__qualname__ == 'EmptyTuple' and T.__module__ == '{ns}'
        assert repr(s) == 'EmptyBraced()' and repr(t) == 'EmptyTuple()'
        assert dataclasses.fields(s) == () and dataclasses.fields(t) == ()
        assert S.__match_args__ == () and T.__match_args__ == ()
        assert s == s2 == S() and t == t2 == T() and s != t
        # No fields: every instance equal, so all hash alike (unsafe_hash).
        assert hash(s) == hash(s2) == hash(S()) and len({{s, s2, t, t2}}) == 2
        assert S.__doc__ == 'A struct with an empty field list.'
        for obj in v:
            for protocol in range(2, 6):
                back = pickle.loads(pickle.dumps(obj, protocol=protocol))
                assert back == obj and type(back) is type(obj), (obj, protocol)
        write_back(v)
        "#
        ),
    );
    c.case(
        "empty_variants",
        &empty_variants(),
        &format!(
            r#"
        a, b, a2 = v
        E = type(a).__mro__[1]
        assert E.__name__ == 'EmptyVariants' and E.__module__ == '{ns}'
        assert type(a) is E.A and type(b) is E.B and type(a2) is E.A
        assert E.A.__qualname__ == 'EmptyVariants.A' and E.B.__qualname__ == 'EmptyVariants.B'
        assert isinstance(a, E) and isinstance(b, E) and E.A.__doc__ == 'Braced, no fields.'
        assert repr(a) == 'EmptyVariants.A()' and repr(b) == 'EmptyVariants.B()'
        assert dataclasses.fields(a) == () and dataclasses.fields(b) == ()
        assert E.A.__match_args__ == () and E.B.__match_args__ == ()
        assert a == a2 == E.A() and b == E.B() and a != b
        assert hash(a) == hash(a2) and len({{a, b, a2}}) == 2 and {{a: 1}}[E.A()] == 1
        for obj in v:
            for protocol in range(2, 6):
                back = pickle.loads(pickle.dumps(obj, protocol=protocol))
                assert back == obj and type(back) is type(obj), (obj, protocol)
        write_back(v)
        "#
        ),
    );
    c.case(
        "unit_enum",
        &vec![Color::Red, Color::Green, Color::Blue, Color::Red],
        &format!(
            r#"
        C = type(v[0])
        assert issubclass(C, enum.Enum) and C.__name__ == 'Color' and C.__module__ == '{ns}'
        assert [m.name for m in C] == ['Red', 'Green', 'Blue'] and [m.value for m in C] == [0, 1, 2]
        assert v == [C.Red, C.Green, C.Blue, C.Red] and v[0] is v[3] is C.Red
        assert C.__doc__ == 'Primary colors.'
        assert pickle.loads(pickle.dumps(C.Red)) is C.Red
        "#
        ),
    );
    c.case(
        "unit_enum_discriminants",
        &[Status::Ok, Status::NotFound, Status::Teapot, Status::Negative],
        "S = type(v[0])\nassert [m.value for m in v] == [200, 404, 418, -1] and S(404) is v[1] and v[2].name == 'Teapot'",
    );
    c.case(
        "data_enum",
        &vec![
            Shape::Circle {
                center: Point { x: 1, y: 2 },
                radius: 3.0,
            },
            Shape::Polygon(vec![Point { x: 0, y: 0 }, Point { x: 1, y: 0 }]),
            Shape::Empty,
        ],
        &format!(
            r#"
        circle, poly, empty = v
        Shape = type(circle).__mro__[1]
        assert Shape.__name__ == 'Shape' and Shape.__module__ == '{ns}' and Shape.__doc__ == 'A shape.'
        assert type(circle) is Shape.Circle and type(poly) is Shape.Polygon and type(empty) is Shape.Empty
        assert all(isinstance(x, Shape) for x in v)
        assert repr(circle) == 'Shape.Circle(center=Point(x=1, y=2), radius=3.0)'
        assert Shape.Circle.__qualname__ == 'Shape.Circle' and Shape.Circle.__doc__ == 'A round shape.'
        assert repr(poly) == 'Shape.Polygon(_0=[Point(x=0, y=0), Point(x=1, y=0)])'
        assert repr(empty) == 'Shape.Empty()' and empty == Shape.Empty()
        assert circle == Shape.Circle(type(circle.center)(1, 2), 3.0) and circle != empty
        for x in v:
            assert pickle.loads(pickle.dumps(x)) == x
        "#
        ),
    );
    c.case_since(
        "data_enum_match",
        (3, 10),
        &Shape::Circle {
            center: Point { x: 1, y: 2 },
            radius: 3.0,
        },
        r#"
        Shape = type(v).__mro__[1]
        match v:
            case Shape.Polygon(points):
                raise AssertionError('wrong variant')
            case Shape.Circle(radius=r, center=c):
                assert r == 3.0 and c.x == 1
            case _:
                raise AssertionError('no match')
        "#,
    );
    c.case(
        "recursive_enum",
        &Tree::Node(
            Box::new(Tree::Leaf(1)),
            Box::new(Tree::Node(Box::new(Tree::Leaf(2)), Box::new(Tree::Leaf(3)))),
        ),
        "assert repr(v) == 'Tree.Node(_0=Tree.Leaf(_0=1), _1=Tree.Node(_0=Tree.Leaf(_0=2), _1=Tree.Leaf(_0=3)))'",
    );
    c.case(
        "borrowed_generic",
        &Borrowed {
            name: "n",
            items: &[1u8, 2][..],
            owned: Cow::Owned("o".into()),
        },
        r"assert type(v).__name__ == 'Borrowed' and (v.name, v.items, v.owned) == ('n', b'\x01\x02', 'o')",
    );
    c.case(
        "write_only",
        &StaticTag { name: "tag" },
        "assert repr(v) == \"StaticTag(name='tag')\"",
    );
    c.case(
        "frozen_data_enum",
        &[Event::KeyPress { key_code: 13 }, Event::Quit],
        r#"
        press, quit = v
        assert repr(press) == 'Event.key_press(key_code=13)' and repr(quit) == 'Event.quit()'
        try:
            press.key_code = 1
        except dataclasses.FrozenInstanceError:
            pass
        else:
            raise AssertionError('frozen variant accepted an assignment')
        assert hash(press) == hash(type(press)(13)) and isinstance(quit, type(press).__mro__[1])
        "#,
    );
    c.case(
        "ordered",
        &ordered(),
        r#"
        keys, keys_sorted, ranked, ranked_sorted = v
        # `order`: Rust's derived order, field by field (dataclass order=True).
        assert sorted(keys) == keys_sorted and keys_sorted[0] < keys_sorted[1]
        assert repr(keys_sorted[0]) == "RankKey(host='a', shard=1)"
        # A data enum's stand-ins (no code travels) order within a variant;
        # across variants only the generated package's classes do.
        for cls in {type(r) for r in ranked}:
            assert sorted(r for r in ranked if type(r) is cls) == [r for r in ranked_sorted if type(r) is cls]
        try:
            ranked[0] < ranked[1]
        except TypeError:
            pass
        else:
            raise AssertionError('variants of a stand-in ordered across classes')
        assert hash(ranked[0]) == hash(type(ranked[0])()) and len({ranked[0], type(ranked[0])()}) == 1
        write_back(v)
        "#,
    );
    let p = Rc::new(Point { x: 5, y: 5 });
    let s = Arc::new("shared".to_string());
    c.case(
        "shared_rc_arc",
        &(
            Shared {
                a: p.clone(),
                b: p.clone(),
                c: s.clone(),
                d: s.clone(),
            },
            Shared {
                a: Rc::new(Point { x: 5, y: 5 }),
                b: p,
                c: Arc::new("shared".into()),
                d: s,
            },
        ),
        r#"
        first, second = v
        assert first.a is first.b and first.c is first.d and second.b is first.a and second.d is first.c
        assert second.a == first.a and second.a is not first.a and second.c is not first.c
        "#,
    );
    c.case(
        "deep_nesting",
        &(0..200).fold(Nested { inner: None, depth: 0 }, |n, d| Nested {
            inner: Some(Box::new(n)),
            depth: d + 1,
        }),
        "n = 0\nwhile v.inner is not None:\n    v = v.inner\n    n += 1\nassert n == 200 and v.depth == 0",
    );
    c.case(
        "many_types_one_stream",
        &(
            Point { x: 0, y: 0 },
            Color::Blue,
            Shape::Empty,
            Marker,
            Rgb(1, 2, 3),
            Frozen { value: 1 },
        ),
        "assert [type(x).__name__ for x in v] == ['Point', 'Color', 'Empty', 'Marker', 'Rgb', 'Frozen']",
    );

    // --- guarantees across loads in one process
    c.case(
        "identity_across_loads",
        &Point { x: 1, y: -2 },
        r#"
        other = loads(stream('struct_point.pkl'))
        assert type(other) is type(v) and other == v
        colors = loads(stream('unit_enum.pkl'))
        assert loads(stream('unit_enum.pkl'))[0] is colors[0]
        shapes = loads(stream('data_enum.pkl'))
        assert type(loads(stream('data_enum.pkl'))[0]) is type(shapes[0])
        "#,
    );
    c.case(
        "payload_loaded_once",
        &Point { x: 1, y: 1 },
        &format!(
            r#"
        calls = []
        class Counting(pickle.Unpickler):
            def find_class(self, module, name):
                found = super().find_class(module, name)
                if (module, name) == ('zlib', 'decompress'):
                    def counted(data):
                        calls.append(len(data))
                        return found(data)
                    return counted
                return found
        def load(b):
            return Counting(io.BytesIO(b)).load()
        # Earlier loads in this process installed the namespace: no decompression.
        again = load(data)
        assert calls == [] and again == v and type(again) is type(v)
        # Without it (as in a fresh process), the first load installs it, the second reuses it.
        saved = sys.modules.pop('{ns}')
        try:
            first = load(data)
            assert len(calls) == 1 and '{ns}' in sys.modules
            second = load(stream('struct_point.pkl'))
            assert len(calls) == 1 and type(second) is type(first) and first == type(first)(1, 1)
        finally:
            sys.modules['{ns}'] = saved
        "#
        ),
    );

    guarantees(&mut c);
    feature_cases(&mut c);
    // The strict profile: each stream beside its default-profile twin,
    // compared structurally (tests/support/strict_values.rs).
    for (name, strict, default) in strict_values::pairs() {
        let twin = format!("strict_{name}_default");
        c.raw(&twin, &default, &strict_check(&format!("strict_{name}.pkl")), None);
        c.raw(
            &format!("strict_{name}"),
            &strict,
            &strict_check(&format!("{twin}.pkl")),
            None,
        );
    }
    // A session: 10,000 pickles of one `Pickler`, loaded in a loop.
    c.raw("session", &session::session().0, session::CHECK, None);
    // Fields of foreign types: `display`, `with`, a hand-written impl.
    c.case(
        "foreign_fields",
        &readback::foreign::endpoints(),
        readback::foreign::ENDPOINTS_CHECK,
    );
    // Python's hashing contract, int enums, variant tags (tests/support/data_tools.rs).
    c.case("hashing", &data_tools::hashing(), HASHING_CHECK);
    c.case("int_enums", &data_tools::int_enums(), INT_ENUMS_CHECK);
    c.case("tagged_report", &data_tools::report(), TAGGED_REPORT_CHECK);
    // The serde bridge's streams (tests/support/serde_cases.rs).
    #[cfg(feature = "serde")]
    serde_cases::serde_cases(&mut c);
    // Arrays (tests/support/array_cases.rs): numpy or the stdlib fallback.
    array_cases::array_cases(&mut c);

    // The header and payload alone.
    c.raw(
        "header_only",
        &[portable_pickle::HEADER, b"N."].concat(),
        &format!(
            "assert v is None\nassert sys.modules['{ns}'].v == {}",
            portable_pickle::FORMAT_VERSION
        ),
        None,
    );
    c.raw(
        "payload",
        portable_pickle::PAYLOAD,
        &format!(
            "assert v is sys.modules['{ns}'] and callable(v.g) and v.v == {}",
            portable_pickle::FORMAT_VERSION
        ),
        None,
    );
    c.check_with_cpython();
    // What each CPython loader re-pickled (`write_back`), read back by Rust;
    // tests/corpus_readback.rs does the same for every reader of
    // scripts/readers.sh.
    let corpus = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus");
    for line in readback::read_back(&corpus, &[readback::CPYTHON]) {
        println!("{line}");
    }
}

/// A second `Point` with other fields: a distinct class of the same name.
mod other {
    use portable_pickle::PortablePickle;

    #[derive(PortablePickle)]
    pub struct Point {
        pub lat: f64,
        pub lon: f64,
    }
}

/// The crate-level `Point` again, in another module: the same class (the
/// same name, doc and fields make the same class key).
mod twin {
    use portable_pickle::PortablePickle;

    /// A point in the plane.
    #[derive(PortablePickle)]
    pub struct Point {
        pub x: i64,
        pub y: i64,
    }
}

/// Declared in a Python module; a real `pp_geo.Location` is preferred when importable.
#[derive(PortablePickle)]
#[pickle(module = "pp_geo", name = "Location")]
struct GeoPoint {
    x: f64,
    y: f64,
}

#[derive(PortablePickle)]
#[pickle(module = "pp_pkg.shapes", name = "Location")]
struct PkgPoint {
    x: f64,
    y: f64,
}

#[derive(PortablePickle)]
#[pickle(module = "pp_absent.deep.shapes", name = "Location")]
struct AbsentPoint {
    x: f64,
}

#[derive(PortablePickle)]
#[pickle(module = "pp_hues")]
enum Hue {
    Red,
    Green,
}

/// A real Python class `Location` for the real-module tests.
const REAL_LOCATION: &str = r#"
class Location:
    def __init__(self, x, y):
        raise AssertionError('the loader must not call __init__')
    def __setstate__(self, state):
        self.__dict__.update(state)
        self.via_setstate = True
    def __eq__(self, other):
        return type(other) is type(self) and (self.x, self.y) == (other.x, other.y)
    def __reduce__(self):
        return (_rebuild, (self.x, self.y))
def _rebuild(x, y):
    p = Location.__new__(Location)
    p.__setstate__({'x': x, 'y': y})
    return p
"#;

/// Cases for the stream's guarantees: real-module preference, no
/// shadowing, `sys.modules` additions, re-pickling, format versions, the
/// allowlist.
fn guarantees(c: &mut Corpus) {
    let ns = portable_pickle::NAMESPACE;
    // A hand-written module opts its class in under the key of the Rust
    // definition it implements (`portable_pickle::python::class_key`).
    let real_location = |key: Option<String>| format!("{REAL_LOCATION}{} = Location\n", key.expect("a derived type"));
    let geo_location = real_location(portable_pickle::python::class_key::<GeoPoint>());
    let pkg_location = real_location(portable_pickle::python::class_key::<PkgPoint>());
    c.case(
        "real_module_struct",
        &GeoPoint { x: 1.5, y: -2.0 },
        &format!(
            r#"
        # The harness loaded it where pp_geo does not exist: a stand-in.
        assert type(v).__module__ == '{ns}' and type(v).__name__ == 'Location' and (v.x, v.y) == (1.5, -2.0)
        assert repr(v) == 'Location(x=1.5, y=-2.0)'
        try:
            import pp_geo
        except ImportError:
            pass
        else:
            raise AssertionError('loading made pp_geo importable')
        src = {geo_location:?}
        with fresh_process({{'pp_geo': src}}):
            real = loads(data)
            import pp_geo
            assert type(real) is pp_geo.Location and real.via_setstate and (real.x, real.y) == (1.5, -2.0)
            again = loads(data)
            assert type(again) is pp_geo.Location and again == real
            assert pickle.loads(pickle.dumps(real)) == real
        "#
        ),
    );
    let stdlib_only = portable_pickle::WriteOptions::new().real_modules(false);
    c.raw(
        "real_module_stdlib_only",
        &portable_pickle::to_vec_with(&GeoPoint { x: 1.5, y: -2.0 }, &stdlib_only),
        &format!(
            r#"
        # WriteOptions::real_modules(false): no import machinery in the
        # stream, and the stand-in class even where pp_geo exists.
        modules = set(m for m, _ in stream_globals(data))
        assert not any(m.startswith('importlib') for m in modules), modules
        assert type(v).__module__ == '{ns}' and (v.x, v.y) == (1.5, -2.0)
        src = {geo_location:?}
        with fresh_process({{'pp_geo': src}}):
            w = loads(data)
            assert type(w).__module__.startswith('_portable_pickle_') and type(w).__name__ == 'Location'
            assert (w.x, w.y) == (1.5, -2.0) and 'pp_geo' not in sys.modules
        "#
        ),
        None,
    );
    c.case(
        "real_module_dotted",
        &(PkgPoint { x: 1.0, y: 2.0 }, AbsentPoint { x: 3.0 }),
        &format!(
            r#"
        pkg, absent = v
        assert type(pkg).__module__ == '{ns}' and type(absent).__module__ == '{ns}'
        src = {pkg_location:?}
        with fresh_process({{'pp_pkg.shapes': src}}):
            real, still_absent = loads(data)
            import pp_pkg.shapes
            assert type(real) is pp_pkg.shapes.Location and real.via_setstate and (real.x, real.y) == (1.0, 2.0)
            assert type(still_absent).__name__ == 'Location' and still_absent.x == 3.0
            assert type(still_absent).__module__.startswith('_portable_pickle_')
            for missing in ('pp_absent', 'pp_absent.deep', 'pp_absent.deep.shapes'):
                try:
                    __import__(missing)
                except ImportError:
                    pass
                else:
                    raise AssertionError(missing + ' became importable')
        "#
        ),
    );
    c.case(
        "real_module_without_the_class",
        &GeoPoint { x: 0.0, y: 1.0 },
        &format!(
            r#"
        with fresh_process({{'pp_geo': 'OTHER = 1\n'}}):
            standin = loads(data)
            import pp_geo
            assert not hasattr(pp_geo, 'Location')
            assert type(standin).__module__.startswith('_portable_pickle_') and (standin.x, standin.y) == (0.0, 1.0)
        # A class of the name, not opted in under the definition's key: not used.
        with fresh_process({{'pp_geo': {REAL_LOCATION:?}}}):
            standin = loads(data)
            import pp_geo
            assert hasattr(pp_geo, 'Location') and type(standin) is not pp_geo.Location
            assert type(standin).__module__.startswith('_portable_pickle_') and (standin.x, standin.y) == (0.0, 1.0)
        "#
        ),
    );
    let hues = "import enum\nclass Hue(enum.Enum):\n    Red = 0\n    Green = 1\n";
    let hues = format!(
        "{hues}{} = Hue\n",
        portable_pickle::python::class_key::<Hue>().expect("derived")
    );
    c.case(
        "real_module_enum",
        &vec![Hue::Green, Hue::Red],
        &format!(
            r#"
        assert [m.name for m in v] == ['Green', 'Red'] and type(v[0]).__name__ == 'Hue'
        with fresh_process({{'pp_hues': {hues:?}}}):
            real = loads(data)
            import pp_hues
            assert real == [pp_hues.Hue.Green, pp_hues.Hue.Red]
        "#
        ),
    );
    c.case(
        "sys_modules_additions",
        &(
            Point { x: 1, y: 1 },
            Color::Red,
            Shape::Empty,
            GeoPoint { x: 0.0, y: 0.0 },
        ),
        &format!(
            r#"
        with fresh_process():
            before = set(sys.modules)
            loads(data)
            added = set(sys.modules) - before
        assert added == {{'{ns}'}}, added
        "#
        ),
    );
    c.case(
        "repickle_all_protocols",
        &(
            Point { x: 1, y: 2 },
            Color::Green,
            Shape::Circle {
                center: Point { x: 0, y: 0 },
                radius: 1.0,
            },
            Shape::Empty,
            Frozen { value: 1 },
            GeoPoint { x: 1.0, y: 2.0 },
            Rgb(1, 2, 3),
            Marker,
        ),
        r#"
        for obj in v:
            for protocol in range(2, 6):
                back = pickle.loads(pickle.dumps(obj, protocol=protocol))
                assert back == obj and type(back) is type(obj), (obj, protocol)
        assert pickle.loads(pickle.dumps(v[1])) is v[1]
        "#,
    );
    c.case(
        "repickle_into_fresh_process",
        &(
            Point { x: 1, y: 2 },
            vec![Color::Green, Color::Red],
            vec![
                Shape::Circle {
                    center: Point { x: 0, y: 1 },
                    radius: 2.0,
                },
                Shape::Polygon(vec![]),
                Shape::Empty,
            ],
            Frozen { value: 7 },
            Rgb(1, 2, 3),
            other::Point { lat: 1.0, lon: 2.0 },
        ),
        r#"
        # pickle.dumps of loaded objects carries each class as a standalone
        # pickle, so it loads where no portable stream was ever seen.
        expected = repr(v)
        for protocol in range(2, 6):
            blob = pickle.dumps(v, protocol=protocol)
            with fresh_process():
                assert not any(k.startswith('_portable_pickle_') for k in sys.modules)
                there = pickle.loads(blob)
                assert repr(there) == expected, (protocol, repr(there))
                assert type(there[0]) is not type(v[0])  # rebuilt, not shared
                assert there[1][0] is type(there[1][0]).Green and isinstance(there[2][0], type(there[2][1]).__mro__[1])
                try:
                    there[3].value = 1
                except dataclasses.FrozenInstanceError:
                    pass
                else:
                    raise AssertionError('frozen lost')
                # Back from there, objects resolve to this process's classes.
                back_blob = pickle.dumps(there, protocol=protocol)
            back = pickle.loads(back_blob)
            assert back == v and all(type(a) is type(b) for a, b in zip(back, v)), protocol
            assert back[1][0] is v[1][0]
        "#,
    );
    c.case(
        "same_name_distinct_types",
        &(Point { x: 1, y: 2 }, other::Point { lat: 47.3, lon: 8.5 }),
        r#"
        a, b = v
        assert type(a).__name__ == type(b).__name__ == 'Point' and type(a) is not type(b)
        assert repr(a) == 'Point(x=1, y=2)' and repr(b) == 'Point(lat=47.3, lon=8.5)'
        assert type(loads(stream('struct_point.pkl'))) is type(a)
        for obj in v:
            for protocol in range(2, 6):
                back = pickle.loads(pickle.dumps(obj, protocol=protocol))
                assert type(back) is type(obj) and back == obj
        "#,
    );
    // Two Rust types with one class key share one descriptor and one memo
    // slot: the stream is the one two instances of the same type make.
    let twins = (Point { x: 1, y: 2 }, twin::Point { x: 3, y: 4 }, Point { x: 5, y: 6 });
    assert_eq!(
        portable_pickle::to_vec(&twins),
        portable_pickle::to_vec(&(Point { x: 1, y: 2 }, Point { x: 3, y: 4 }, Point { x: 5, y: 6 })),
        "a second Rust type of the same class wrote its own descriptor"
    );
    c.case(
        "same_class_two_rust_types",
        &twins,
        r#"
        a, b, c = v
        assert type(a) is type(b) is type(c) and type(a).__name__ == 'Point'
        assert (a.x, a.y, b.x, b.y) == (1, 2, 3, 4) and repr(c) == 'Point(x=5, y=6)'
        assert type(loads(stream('struct_point.pkl'))) is type(a)
        "#,
    );
    c.case(
        "cloudpickle_untouched",
        &Point { x: 1, y: 2 },
        r#"
        # Loading neither imports nor calls cloudpickle: a stand-in module
        # records any call.
        fake = 'calls = []\ndef register_pickle_by_value(module):\n    calls.append(module.__name__)\n'
        with fresh_process({'cloudpickle': fake}):
            import cloudpickle
            loads(data)
            assert cloudpickle.calls == [], cloudpickle.calls
        with fresh_process():
            loads(data)
            assert 'cloudpickle' not in sys.modules
        "#,
    );
    // A stream of the next format version, in a process that has this one's
    // namespace. Its payload, which every reader decompresses (its namespace
    // is new there), has zero bytes after the zlib stream, as
    // `header::payload_for` writes when the compressed lengths cycle: the
    // readers' `zlib.decompress` must ignore them.
    let next = portable_pickle::FORMAT_VERSION + 1;
    let next_ns = format!("_portable_pickle_v{next}");
    let next_payload = portable_runtime::header::payload_for(&next_ns, next, |raw| {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut z, raw).unwrap();
        let mut z = z.finish().unwrap();
        z.extend([0; 3]);
        z
    });
    assert!(next_payload.compressed.ends_with(&[0; 3]));
    let next_header = portable_runtime::header::header_for(&next_ns, next, &next_payload.compressed);
    let version = portable_pickle::FORMAT_VERSION;
    c.raw(
        "future_format_version",
        &portable_runtime::to_vec_with_header(&next_header, &Point { x: 1, y: 2 }),
        &format!(
            r#"
        v1 = sys.modules['{ns}']
        assert v1.v == {version} and type(v).__module__ == '{next_ns}'
        assert sys.modules['{next_ns}'].v == {next}
        old = loads(stream('struct_point.pkl'))
        assert type(old).__module__ == '{ns}' and type(old) is not type(v)
        assert (v.x, v.y) == (1, 2) and repr(v) == 'Point(x=1, y=2)'
        assert sys.modules['{ns}'] is v1
        "#
        ),
        None,
    );
    c.case(
        "allowlist_is_exact",
        &(),
        &r#"
        if allowlist is not None:
            found = set()
            for path in corpus_files:
                name = path.replace('\\', '/').rsplit('/', 1)[-1]
                # Strict-profile streams have their own allowlist, which the
                # restricted loader of their cases admits exactly.
                if name.startswith('strict_') and not name.endswith('_default.pkl'):
                    continue
                with open(path, 'rb') as f:
                    found |= stream_globals(f.read())
            assert found <= allowlist, ('in streams, not in docs/FORMAT.md', found - allowlist)
            # With every optional feature on, the corpus uses every listed global.
            if ALL_FEATURES:
                assert found == allowlist, ('in docs/FORMAT.md only', allowlist - found)
        "#
        .replace("ALL_FEATURES", if ALL_FEATURES { "True" } else { "False" }),
    );
}

const ALL_FEATURES: bool = cfg!(all(
    feature = "chrono",
    feature = "uuid",
    feature = "rust_decimal",
    feature = "indexmap",
    feature = "num-complex"
));

/// Types of the optional cargo features (each case only with its feature).
fn feature_cases(c: &mut Corpus) {
    let _ = &c;
    #[cfg(feature = "chrono")]
    {
        use chrono::{FixedOffset, NaiveDate, TimeZone, Utc};
        let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let naive = date.and_hms_micro_opt(13, 45, 7, 123_456).unwrap();
        c.case(
            "chrono",
            &(
                date,
                naive.time(),
                naive,
                Utc.from_utc_datetime(&naive),
                FixedOffset::east_opt(5 * 3600 + 1800).unwrap().from_local_datetime(&naive).unwrap(),
                FixedOffset::west_opt(3600).unwrap().from_local_datetime(&naive).unwrap(),
            ),
            r#"
            D = datetime
            assert v[0] == D.date(2024, 2, 29) and type(v[0]) is D.date
            assert v[1] == D.time(13, 45, 7, 123456)
            assert v[2] == D.datetime(2024, 2, 29, 13, 45, 7, 123456) and v[2].tzinfo is None
            assert v[3] == D.datetime(2024, 2, 29, 13, 45, 7, 123456, tzinfo=D.timezone.utc) and v[3].tzinfo is D.timezone.utc
            assert v[4].utcoffset() == D.timedelta(hours=5, minutes=30) and v[4].replace(tzinfo=None) == v[2]
            assert v[5].utcoffset() == D.timedelta(hours=-1) and v[5].hour == 13
            "#,
        );
    }
    #[cfg(feature = "uuid")]
    c.case(
        "uuid",
        &uuid::Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0),
        "assert v == uuid.UUID('12345678-9abc-def0-1234-56789abcdef0') and type(v) is uuid.UUID",
    );
    #[cfg(feature = "rust_decimal")]
    c.case(
        "rust_decimal",
        &(
            rust_decimal::Decimal::new(150, 2),
            rust_decimal::Decimal::new(-123_456_789, 9),
            rust_decimal::Decimal::MAX,
        ),
        r#"
        assert v == (decimal.Decimal('1.50'), decimal.Decimal('-0.123456789'), decimal.Decimal('79228162514264337593543950335'))
        assert str(v[0]) == '1.50'  # scale kept
        "#,
    );
    #[cfg(feature = "indexmap")]
    c.case(
        "indexmap",
        &(
            ["zeta", "alpha", "mid"]
                .iter()
                .map(|k| (k.to_string(), k.len()))
                .collect::<indexmap::IndexMap<_, _>>(),
            indexmap::IndexSet::from([3, 1, 2]),
        ),
        "assert list(v[0].items()) == [('zeta', 4), ('alpha', 5), ('mid', 3)] and v[1] == {1, 2, 3}",
    );
    #[cfg(feature = "num-complex")]
    c.case(
        "num_complex",
        &(
            num_complex::Complex::new(1.5f64, -2.0),
            num_complex::Complex::new(0.5f32, 0.25),
        ),
        "assert v == (complex(1.5, -2.0), complex(0.5, 0.25)) and type(v[0]) is complex",
    );
}

#[test]
fn format_doc_lists_the_sys_modules_additions() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMAT.md")).unwrap();
    let block = doc
        .split("```sys-modules\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a ```sys-modules block");
    assert_eq!(block.trim(), portable_pickle::NAMESPACE);
}

#[test]
fn to_writer_matches_to_vec() {
    let value: Vec<Place> = (0..5000).map(|_| place()).collect();
    let mut out = Vec::new();
    portable_pickle::to_writer(&mut out, &value).unwrap();
    assert_eq!(out, portable_pickle::to_vec(&value));
    assert!(out.len() > 3 * portable_runtime_frame_target(), "several frames");
}

fn portable_runtime_frame_target() -> usize {
    64 * 1024
}

#[test]
fn header_size() {
    let n = portable_pickle::HEADER.len();
    println!("HEADER is {n} bytes");
    // The target in docs/PERFORMANCE.md: the header, standalone bootstrap
    // included, fits in 1 KiB. Every stream carries it.
    assert!(n <= 1024, "header is {n} bytes, over the 1,024-byte target");
}

/// Python's hashing contract: frozen classes hash by value, a class marked
/// `hash` too, a mutable one has no hash; struct keys and frozen tagged
/// variants in sets.
const HASHING_CHECK: &str = r#"
import dataclasses
cell, label, tally, grid, labels, keys = v
write_back(v)
C, L, T = type(cell), type(label), type(tally)
assert hash(cell) == hash(C(1, 2)) == hash((1, 2))  # by value, stable
try:
    cell.x = 5
except dataclasses.FrozenInstanceError:
    pass
else:
    raise AssertionError('frozen instance accepted an assignment')
assert T.__hash__ is None and tally == T(3, ['x'])
try:
    hash(tally)
except TypeError:
    pass
else:
    raise AssertionError('a mutable instance is hashable')
assert hash(label) == hash(L('a')) and label in {L('a')}
assert grid == {C(0, 0): 'origin', C(1, 2): 'cell'} and grid[C(1, 2)] == 'cell'
assert labels == {L('x'), L('y')}
by_kind = {k.type: k for k in keys}
assert set(by_kind) == {'Id', 'Name'} and by_kind['Id']._0 == 7 and by_kind['Name'].first == 'Ada'
assert hash(by_kind['Id']) == hash(type(by_kind['Id'])('Id', 7))
"#;

/// Unit-only enums with explicit discriminants (or `int_enum`) are
/// `enum.IntEnum`s: equal to ints, JSON keys; without, `enum.Enum`.
const INT_ENUMS_CHECK: &str = r#"
import enum, json
level, prio, channel, counts, prios = v
write_back(v)
Level, Priority = type(level), type(prio)
assert isinstance(level, enum.IntEnum) and level == 30 and level.name == 'Warn' and Level.__name__ == 'Level'
assert level > Level.Info and Level(40) is Level.Error and [m.value for m in Level] == [10, 20, 30, 40]
assert isinstance(prio, enum.IntEnum) and prio == 1 and Priority.Low == 0 and prios == [0, 1, 0]
assert isinstance(channel, enum.Enum) and not isinstance(channel, int) and channel.value == 0
assert json.dumps(counts) == '{"10": 1, "40": 2}' and counts[10] == 1
assert json.dumps({'level': level, 'prios': prios}) == '{"level": 30, "prios": [0, 1, 0]}'
"#;

/// `tag = "kind"`: every variant's class has the field `kind` first, so
/// `dataclasses.asdict` and JSON keep the variant; a transparent newtype is
/// the bare int.
const TAGGED_REPORT_CHECK: &str = r#"
import dataclasses, json
write_back(v)
login, upload, logout, _ = v.events
assert repr(login) == "Event.Login(kind='Login', user=7, at=100)" and login.kind == 'Login'
assert repr(logout) == "Event.Logout(kind='Logout')"
E = type(login).__mro__[1]
assert isinstance(upload, E) and E.Upload is type(upload) and upload == E.Upload('Upload', 'a.txt', 2048)
d = dataclasses.asdict(v)
assert d == {
    'title': 'daily',
    'by_level': {20: 3, 40: 1},
    'events': [
        {'kind': 'Login', 'user': 7, 'at': 100},
        {'kind': 'Upload', '_0': 'a.txt', '_1': 2048},
        {'kind': 'Logout'},
        {'kind': 'Login', 'user': 8, 'at': 160},
    ],
}, d
assert json.loads(json.dumps(d)) == {
    'title': 'daily',
    'by_level': {'20': 3, '40': 1},
    'events': [
        {'kind': 'Login', 'user': 7, 'at': 100},
        {'kind': 'Upload', '_0': 'a.txt', '_1': 2048},
        {'kind': 'Logout'},
        {'kind': 'Login', 'user': 8, 'at': 160},
    ],
}
assert [e['kind'] for e in json.loads(json.dumps(dataclasses.asdict(v)))['events']] == ['Login', 'Upload', 'Logout', 'Login']
"#;

/// The check of a strict-profile case and of its default-profile twin:
/// `v` equals, structurally (class names and qualnames, docstrings, fields,
/// annotations, `repr`, hashability, enum members, shared objects), what
/// `other` (the other profile's stream) loads to with the C unpickler.
fn strict_check(other: &str) -> String {
    format!(
        r#"
import dataclasses, enum, math
def canon(o, seen):
    if id(o) in seen:
        return ('shared', seen[id(o)])
    t = type(o)
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        seen[id(o)] = len(seen)
        fields = [f.name for f in dataclasses.fields(o)]
        return ('dataclass', t.__name__, t.__qualname__, t.__doc__, tuple(fields),
                tuple(t.__annotations__.items()), t.__match_args__, t.__hash__ is None, repr(o),
                tuple(canon(getattr(o, f), seen) for f in fields),
                tuple(b.__qualname__ for b in t.__mro__ if dataclasses.is_dataclass(b)))
    if isinstance(o, enum.Enum):
        return ('enum', t.__name__, t.__doc__, o.name, o.value, isinstance(o, int), repr(o),
                tuple((m.name, m.value) for m in t))
    if isinstance(o, float):
        return ('float', 'nan' if math.isnan(o) else repr(o))
    if isinstance(o, (list, tuple)):
        seen[id(o)] = len(seen)
        return (t.__name__, tuple(canon(x, seen) for x in o))
    if isinstance(o, dict):
        return ('dict', tuple((canon(k, seen), canon(x, seen)) for k, x in o.items()))
    if isinstance(o, (set, frozenset)):
        return (t.__name__, tuple(sorted(repr(canon(x, seen)) for x in o)))
    return ('value', t.__module__, t.__name__, repr(o))
got, want = canon(v, {{}}), canon(pickle.loads(stream('{other}')), {{}})
assert got == want, (got, want)
"#
    )
}
