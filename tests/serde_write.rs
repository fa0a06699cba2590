//! The serde bridge's writer (`portable_pickle::serde::to_vec`/`to_writer`
//! and `#[pickle(serde)]` fields): serde types written as streams, loaded
//! by CPython and compared with the expected Python values; and the errors.
#![cfg(feature = "serde")]

mod support;

use std::collections::{BTreeMap, HashMap};
use std::io;

use portable_pickle::PortablePickle;
use serde::ser::{Error as _, SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
use support::Corpus;

#[derive(Serialize, Clone)]
struct Author {
    name: String,
    email: Option<String>,
}

/// Nested structs, `rename_all`, `skip`, `skip_serializing_if`, `default`,
/// `serde_bytes`, a keyword field, a map of lists and a third-party type.
#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Package {
    crate_name: String,
    version: semver::Version,
    #[serde(skip)]
    #[allow(dead_code)]
    cache: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_page: Option<String>,
    #[serde(default)]
    downloads: u64,
    authors: Vec<Author>,
    #[serde(with = "serde_bytes")]
    checksum: Vec<u8>,
    features: HashMap<String, Vec<String>>,
    r#class: String,
}

fn package(home_page: Option<&str>) -> Package {
    Package {
        crate_name: "serde".into(),
        version: semver::Version::parse("1.2.3-beta.1+build.5").unwrap(),
        cache: 7,
        home_page: home_page.map(Into::into),
        downloads: 12_345_678_901,
        authors: vec![
            Author {
                name: "David".into(),
                email: None,
            },
            Author {
                name: "Erick".into(),
                email: Some("e@x.org".into()),
            },
        ],
        checksum: vec![0, 1, 255],
        features: HashMap::from([
            ("default".to_string(), vec!["std".to_string()]),
            (
                "derive".to_string(),
                vec!["serde_derive".to_string(), "std".to_string()],
            ),
        ]),
        r#class: "library".into(),
    }
}

/// Externally tagged (serde's default).
#[derive(Serialize)]
enum Shape {
    Circle { r: f64 },
    Rect(f64, f64),
    Label(String),
    Empty,
}

/// Internally tagged.
#[derive(Serialize)]
#[serde(tag = "type")]
enum Event {
    Click { x: i32, y: i32 },
    Key { code: u32 },
    Quit,
}

/// Adjacently tagged.
#[derive(Serialize)]
#[serde(tag = "t", content = "c")]
enum Msg {
    Text(String),
    Move { dx: i32 },
    Ping,
}

/// Untagged.
#[derive(Serialize)]
#[serde(untagged)]
enum Loose {
    Int(i64),
    Text(String),
    Pair { a: i32, b: i32 },
}

#[derive(Serialize)]
struct Marker;

#[derive(Serialize)]
struct Wrap<T>(T);

#[derive(Serialize)]
struct UserId(u64);

#[derive(Serialize)]
struct Rgb(u8, u8, u8);

#[derive(Serialize)]
struct Wide(u8, u8, u8, u8, u8);

#[derive(Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Point {
    x: i32,
    y: i32,
}

#[derive(Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Color {
    Red,
    Green,
}

#[derive(Serialize)]
enum Level {
    None,
    Low,
}

#[derive(Serialize)]
#[serde(rename = "my-record")]
struct BadName {
    a: i32,
}

#[derive(Serialize)]
struct BadField {
    #[serde(rename = "first-name")]
    first: String,
    ok: bool,
}

#[derive(Serialize)]
#[serde(rename = "my-enum")]
enum BadEnum {
    Unit,
    New(i32),
    Tup(i32, i32),
    Rec { a: i32 },
}

#[derive(Serialize)]
#[serde(rename = "bad-newtype")]
struct BadNewtype(i32);

#[derive(Serialize)]
#[serde(rename = "bad-tuple")]
struct BadTuple(i32, String);

#[derive(Serialize)]
#[serde(rename = "bad-unit")]
struct BadUnit;

#[derive(Serialize)]
struct Dunder {
    #[serde(rename = "__init__")]
    init: i32,
}

#[derive(Serialize)]
struct Collide {
    #[serde(rename = "class")]
    a: i32,
    #[serde(rename = "class_")]
    b: i32,
}

/// A derived type with serde fields, written in one stream with derived
/// values: the same pickler, memo and classes.
#[derive(PortablePickle)]
#[pickle(write_only)]
struct Dependency {
    name: String,
    #[pickle(serde)]
    version: semver::Version,
    #[pickle(serde)]
    req: semver::VersionReq,
    #[pickle(serde)]
    author: Author,
    at: DerivedPoint,
}

#[derive(PortablePickle)]
struct DerivedPoint {
    x: i64,
    y: i64,
}

/// A generic type whose parameter is written through serde: the derive adds
/// `T: Serialize`.
#[derive(PortablePickle)]
#[pickle(write_only)]
struct Tagged<T> {
    #[pickle(serde)]
    value: T,
    label: String,
}

#[derive(PortablePickle)]
#[pickle(write_only)]
enum Node {
    Leaf(#[pickle(serde)] Author),
    Pair {
        #[pickle(serde)]
        left: Shape,
        #[pickle(serde)]
        right: Shape,
    },
}

/// Adds the serde stream of `value` to the corpus.
fn case<T: Serialize + ?Sized>(c: &mut Corpus, name: &str, value: &T, check: &str) {
    let bytes = portable_pickle::serde::to_vec(value).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut sink = Vec::new();
    portable_pickle::serde::to_writer(&mut sink, value).unwrap();
    assert_eq!(sink, bytes, "{name}: to_writer and to_vec agree");
    // The crate's own reader decodes it too.
    portable_pickle::from_slice::<portable_pickle::Value>(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    c.raw(name, &bytes, check, None);
}

#[test]
fn serde_values_load_in_cpython() {
    let mut c = Corpus::new("serde_write");
    let ns = portable_pickle::NAMESPACE;

    case(
        &mut c,
        "scalars",
        &(
            true,
            -5i8,
            300u16,
            i64::MIN,
            u64::MAX,
            1.5f32,
            -0.0f64,
            'é',
            "text",
            (),
            None::<i32>,
            Some(3),
        ),
        "assert v == (True, -5, 300, -2**63, 2**64 - 1, 1.5, -0.0, 'é', 'text', None, None, 3)",
    );
    case(
        &mut c,
        "int128",
        &(i128::MIN, i128::MAX, u128::MAX, 1u128 << 64, -1i128),
        "assert v == (-2**127, 2**127 - 1, 2**128 - 1, 2**64, -1)",
    );
    case(
        &mut c,
        "bytes_and_lists",
        &(
            serde_bytes::Bytes::new(b"\x00ab"),
            vec![1u8, 2],
            Vec::<i32>::new(),
            vec!["x"],
        ),
        r"assert v == (b'\x00ab', [1, 2], [], ['x']) and type(v[0]) is bytes and type(v[1]) is list",
    );
    case(
        &mut c,
        "big_containers",
        &(
            (0..2501).collect::<Vec<u32>>(),
            (0..2001).map(|i| (i, i * 2)).collect::<BTreeMap<u32, u32>>(),
            (0..1001).collect::<Vec<u32>>(),
        ),
        "assert v == (list(range(2501)), {i: i * 2 for i in range(2001)}, list(range(1001)))",
    );
    case(
        &mut c,
        "long_string",
        &("x".repeat(70_000), serde_bytes::ByteBuf::from(vec![7u8; 70_000])),
        "assert v == ('x' * 70000, b'\\x07' * 70000)",
    );

    let pkg_check = format!(
        r#"
        P = type(v)
        assert P.__name__ == 'Package' and P.__qualname__ == 'Package' and P.__module__ == '{ns}'
        assert dataclasses.is_dataclass(P)
        assert [f.name for f in dataclasses.fields(P)] == [
            'crateName', 'version', 'homePage', 'downloads', 'authors', 'checksum', 'features', 'class_']
        A = type(v.authors[0])
        assert A.__name__ == 'Author' and [f.name for f in dataclasses.fields(A)] == ['name', 'email']
        assert v == P('serde', '1.2.3-beta.1+build.5', 'https://serde.rs', 12345678901,
                      [A('David', None), A('Erick', 'e@x.org')], b'\x00\x01\xff',
                      {{'default': ['std'], 'derive': ['serde_derive', 'std']}}, 'library')
        assert repr(v.authors[1]) == "Author(name='Erick', email='e@x.org')"
        assert repr(v).startswith("Package(crateName='serde', version='1.2.3-beta.1+build.5', homePage='https://serde.rs'")
        assert not hasattr(v, 'cache')
        assert pickle.loads(pickle.dumps(v)) == v
        for protocol in range(6):
            assert pickle.loads(pickle.dumps(v, protocol=protocol)) == v
        "#
    );
    case(&mut c, "package", &package(Some("https://serde.rs")), &pkg_check);
    case(
        &mut c,
        "skip_serializing_if",
        &vec![package(None), package(Some("h")), package(None)],
        &format!(
            r#"
        a, b, a2 = v
        assert type(a) is type(a2) and type(a) is not type(b)
        assert type(a).__name__ == type(b).__name__ == 'Package' and type(a).__module__ == '{ns}'
        assert not hasattr(a, 'homePage') and b.homePage == 'h'
        assert 'homePage' not in [f.name for f in dataclasses.fields(a)]
        assert [f.name for f in dataclasses.fields(b)][2] == 'homePage'
        assert a == a2 and a.crateName == 'serde' and a.authors == b.authors
        # Each field set is a complete class of its own, also across streams.
        other = loads(stream('package.pkl'))
        assert type(other) is type(b) and other.homePage == 'https://serde.rs'
        for x in v:
            assert pickle.loads(pickle.dumps(x)) == x
        "#
        ),
    );
    case(
        &mut c,
        "enum_external",
        &vec![
            Shape::Circle { r: 1.5 },
            Shape::Rect(2.0, 3.0),
            Shape::Label("hi".into()),
            Shape::Empty,
            Shape::Empty,
        ],
        &format!(
            r#"
        circle, rect, label, empty, empty2 = v
        Shape = type(circle).__mro__[1]
        assert Shape.__name__ == 'Shape' and Shape.__qualname__ == 'Shape' and Shape.__module__ == '{ns}'
        assert all(isinstance(x, Shape) for x in v) and not isinstance(Shape, enum.EnumMeta)
        assert type(circle) is Shape.Circle and type(rect) is Shape.Rect and type(label) is Shape.Label
        assert type(empty) is Shape.Empty and type(empty2) is Shape.Empty
        assert Shape.Circle.__qualname__ == 'Shape.Circle' and Shape.Empty.__qualname__ == 'Shape.Empty'
        assert repr(circle) == 'Shape.Circle(r=1.5)'
        assert repr(rect) == 'Shape.Rect(_0=2.0, _1=3.0)'
        assert repr(label) == "Shape.Label(_0='hi')"
        assert repr(empty) == 'Shape.Empty()' and empty == empty2 == Shape.Empty()
        assert dataclasses.fields(empty) == () and [f.name for f in dataclasses.fields(rect)] == ['_0', '_1']
        assert circle == Shape.Circle(1.5) and circle != Shape.Circle(2.0)
        assert hash(empty) == hash(Shape.Empty())
        for x in v:
            for protocol in range(2, 6):
                back = pickle.loads(pickle.dumps(x, protocol=protocol))
                assert back == x and type(back) is type(x), (x, protocol)
        # Variants written in another stream share the base class and are
        # the same classes (stable identity across streams).
        again = loads(stream('enum_external.pkl'))
        assert type(again[3]) is Shape.Empty and type(again[0]) is Shape.Circle
        "#
        ),
    );
    case(
        &mut c,
        "enum_internal",
        &vec![Event::Click { x: 1, y: 2 }, Event::Key { code: 13 }, Event::Quit],
        &format!(
            r#"
        click, key, quit = v
        # What serde describes: a struct named after the enum, with the tag field.
        assert [type(x).__name__ for x in v] == ['Event', 'Event', 'Event']
        assert type(click).__module__ == '{ns}'
        assert repr(click) == "Event(type='Click', x=1, y=2)"
        assert repr(key) == "Event(type='Key', code=13)"
        assert repr(quit) == "Event(type='Quit')"
        assert len({{type(click), type(key), type(quit)}}) == 3
        for x in v:
            assert pickle.loads(pickle.dumps(x)) == x
        "#
        ),
    );
    case(
        &mut c,
        "enum_adjacent",
        &vec![Msg::Text("yo".into()), Msg::Move { dx: -3 }, Msg::Ping],
        r#"
        text, move, ping = v
        # serde writes the tag as a unit variant, a struct variant's content
        # as a struct named after the variant.
        assert [type(x).__name__ for x in v] == ['Msg', 'Msg', 'Msg']
        assert repr(text) == "Msg(t=Msg.Text(), c='yo')"
        assert repr(move) == "Msg(t=Msg.Move(), c=Move(dx=-3))"
        assert repr(ping) == "Msg(t=Msg.Ping())"
        assert text.c == 'yo' and type(text) is type(move) and type(ping) is not type(text)
        Tag = type(text.t).__mro__[1]
        assert Tag.__name__ == 'Msg' and type(text.t) is Tag.Text and isinstance(ping.t, Tag)
        assert pickle.loads(pickle.dumps(v)) == v
        "#,
    );
    case(
        &mut c,
        "enum_untagged",
        &vec![Loose::Int(5), Loose::Text("t".into()), Loose::Pair { a: 1, b: 2 }],
        r#"
        assert v[:2] == [5, 't']
        assert type(v[2]).__name__ == 'Loose' and repr(v[2]) == 'Loose(a=1, b=2)'
        "#,
    );
    case(
        &mut c,
        "struct_forms",
        &(Marker, UserId(42), Rgb(255, 0, 7), Wide(1, 2, 3, 4, 5), Marker),
        &format!(
            r#"
        marker, uid, rgb, wide, marker2 = v
        assert type(marker).__name__ == 'Marker' and repr(marker) == 'Marker()' and marker == marker2
        assert type(marker).__module__ == '{ns}' and dataclasses.fields(marker) == ()
        assert repr(uid) == 'UserId(_0=42)' and uid._0 == 42
        assert repr(rgb) == 'Rgb(_0=255, _1=0, _2=7)' and rgb == type(rgb)(255, 0, 7)
        assert repr(wide) == 'Wide(_0=1, _1=2, _2=3, _3=4, _4=5)'
        assert type(rgb).__match_args__ == ('_0', '_1', '_2')
        assert pickle.loads(pickle.dumps(v)) == v
        "#
        ),
    );
    case(
        &mut c,
        "names",
        &(
            vec![Level::None, Level::Low],
            BadName { a: 1 },
            BadField {
                first: "Ada".into(),
                ok: true,
            },
            Dunder { init: 3 },
            Collide { a: 1, b: 2 },
            vec![
                BadEnum::Unit,
                BadEnum::New(1),
                BadEnum::Tup(1, 2),
                BadEnum::Rec { a: 3 },
            ],
            (BadNewtype(9), BadTuple(1, "x".into()), BadUnit),
            ManyFields,
        ),
        r#"
        levels, bad_name, bad_field, dunder, collide, bad_enum, (newtype, tup, unit), many = v
        # A variant named after a keyword gets a trailing underscore, as fields do.
        assert [type(x).__qualname__ for x in levels] == ['Level.None_', 'Level.Low']
        assert repr(levels[0]) == 'Level.None_()'
        # Names Python cannot use: serde's class-less forms.
        assert bad_name == {'a': 1} and type(bad_name) is dict
        assert bad_field == {'first-name': 'Ada', 'ok': True}
        assert dunder == {'__init__': 3} and collide == {'class': 1, 'class_': 2}
        assert bad_enum == ['Unit', {'New': 1}, {'Tup': (1, 2)}, {'Rec': {'a': 3}}]
        assert newtype == 9 and tup == (1, 'x') and unit is None
        assert many == {'f-%d' % i: i for i in range(1001)} and list(many)[:2] == ['f-0', 'f-1']
        "#,
    );
    case(
        &mut c,
        "map_keys",
        &(
            BTreeMap::from([((1, "a".to_string()), 1), ((2, "b".to_string()), 2)]),
            BTreeMap::from([(Point { x: 1, y: 2 }, "p")]),
            BTreeMap::from([(Color::Red, 1), (Color::Green, 2)]),
            BTreeMap::from([(Some(1), 'x'), (None, 'y')]),
            HashMap::from([(true, serde_bytes::ByteBuf::from(b"b".to_vec()))]),
        ),
        r#"
        tuples, points, colors, options, bools = v
        assert tuples == {(1, 'a'): 1, (2, 'b'): 2}
        P = type(next(iter(points)))
        assert points == {P(1, 2): 'p'} and repr(P(1, 2)) == 'Point(x=1, y=2)'
        C = type(next(iter(colors))).__mro__[1]
        assert colors == {C.Red(): 1, C.Green(): 2}
        assert options == {1: 'x', None: 'y'} and bools == {True: b'b'}
        "#,
    );
    case(
        &mut c,
        "nested_depth",
        &vec![
            Some(Box::new(vec![(
                Shape::Circle { r: 1.0 },
                BTreeMap::from([(
                    "k".to_string(),
                    vec![Author {
                        name: "n".into(),
                        email: None,
                    }],
                )]),
            )])),
            None,
        ],
        r#"
        [(circle, m)] = v[0]
        assert v[1] is None and repr(circle) == 'Shape.Circle(r=1.0)'
        assert repr(m) == "{'k': [Author(name='n', email=None)]}"
        "#,
    );

    // A top-level struct holding much more than a frame: its buffered fields
    // are cut into frames of about 64 KiB at opcode boundaries.
    let big = BigDoc {
        title: "big".into(),
        rows: (0..40_000)
            .map(|i| Author {
                name: format!("name {i}"),
                email: (i % 3 == 0).then(|| format!("{i}@x")),
            })
            .collect(),
        blob: serde_bytes::ByteBuf::from(vec![1u8; 100_000]),
    };
    case(
        &mut c,
        "big_struct",
        &big,
        r#"
        import pickletools
        assert v.title == 'big' and len(v.rows) == 40000 and v.blob == b'\x01' * 100000
        assert v.rows[3].email == '3@x' and v.rows[4].email is None and v.rows[39999].name == 'name 39999'
        frames = [arg for op, arg, pos in pickletools.genops(data) if op.name == 'FRAME']
        assert len(frames) > 10 and max(frames) < 300000, (len(frames), max(frames))
        "#,
    );

    // `#[pickle(serde)]` fields inside derived values, in one stream.
    let dep = Dependency {
        name: "semver".into(),
        version: semver::Version::new(1, 0, 28),
        req: semver::VersionReq::parse(">=1.0, <2").unwrap(),
        author: Author {
            name: "dtolnay".into(),
            email: None,
        },
        at: DerivedPoint { x: 1, y: 2 },
    };
    let nodes = vec![
        Node::Leaf(Author {
            name: "a".into(),
            email: None,
        }),
        Node::Pair {
            left: Shape::Empty,
            right: Shape::Circle { r: 2.0 },
        },
    ];
    c.raw(
        "derived_with_serde_fields",
        &portable_pickle::to_vec(&(
            dep,
            nodes,
            DerivedPoint { x: 3, y: 4 },
            Tagged {
                value: Marker,
                label: "m".into(),
            },
        )),
        &format!(
            r#"
        dep, (leaf, pair), point, tagged = v
        assert repr(tagged) == "Tagged(value=Marker(), label='m')"
        assert repr(dep) == ("Dependency(name='semver', version='1.0.28', req='>=1.0, <2', "
                             "author=Author(name='dtolnay', email=None), at=DerivedPoint(x=1, y=2))")
        assert type(dep.at) is type(point) and point.x == 3
        assert repr(leaf) == "Node.Leaf(_0=Author(name='a', email=None))"
        assert type(leaf._0) is type(dep.author) and type(leaf._0).__module__ == '{ns}'
        assert repr(pair) == 'Node.Pair(left=Shape.Empty(), right=Shape.Circle(r=2.0))'
        assert type(pair.right).__mro__[1].__name__ == 'Shape'
        assert type(pair.left) is type(loads(stream('enum_external.pkl'))[3])
        assert pickle.loads(pickle.dumps(v)) == v
        "#
        ),
        None,
    );
    c.check_with_cpython();
}

#[derive(Serialize)]
struct BigDoc {
    title: String,
    rows: Vec<Author>,
    blob: serde_bytes::ByteBuf,
}

/// Each class is written once per stream, however many values use it.
#[test]
fn classes_are_written_once_per_stream() {
    let one = portable_pickle::serde::to_vec(&vec![package(None)]).unwrap();
    let three = portable_pickle::serde::to_vec(&vec![package(None), package(None), package(None)]).unwrap();
    let count = |b: &[u8]| b.windows(8).filter(|w| w == b"Package_").count();
    assert!(count(&one) > 0);
    assert_eq!(count(&one), count(&three));
    let author = |b: &[u8]| b.windows(7).filter(|w| w == b"Author_").count();
    assert_eq!(author(&one), author(&three));
}

// ---------------------------------------------------------------- errors

/// Fails to serialize.
struct Failing;

impl Serialize for Failing {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(S::Error::custom("boom"))
    }
}

#[derive(Serialize)]
struct Item {
    id: u32,
    name: Failing,
}

#[derive(Serialize)]
struct Order {
    items: Vec<Option<Item>>,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct ListKey {
    xs: Vec<i32>,
}

fn error(value: &impl Serialize) -> portable_pickle::serde::Error {
    match portable_pickle::serde::to_vec(value) {
        Ok(_) => panic!("expected an error"),
        Err(e) => {
            // to_writer reports the same.
            let again = portable_pickle::serde::to_writer(io::sink(), value).unwrap_err();
            assert_eq!(again.to_string(), e.to_string());
            e
        }
    }
}

#[test]
fn failing_serialize_names_the_path() {
    let order = Order {
        items: vec![None, None, Some(Item { id: 1, name: Failing })],
    };
    let e = error(&order);
    assert_eq!(e.message(), "boom");
    assert_eq!(e.path(), ".items[2].name");
    assert_eq!(e.to_string(), "boom at .items[2].name");
    let e = error(&BTreeMap::from([("alpha", vec![Failing])]));
    assert_eq!(e.path(), ".alpha[0]");
    let e = error(&BTreeMap::from([(7, (1, Failing))]));
    assert_eq!(e.path(), ".7[1]");
    let e = error(&(
        Shape::Label("x".into()),
        UserId(1),
        Rgb(1, 2, 3),
        vec![Some(Wrap(Failing))],
    ));
    assert_eq!(e.path(), "[3][0]._0");
}

#[test]
fn unhashable_keys_are_refused() {
    let e = error(&BTreeMap::from([(vec![1], 1)]));
    assert_eq!(
        e.to_string(),
        "a list cannot be a dict key: Python cannot hash it at <key>"
    );
    let e = error(&BTreeMap::from([((1, vec![2]), 1)]));
    assert_eq!(e.path(), "<key>[1]");
    let e = error(&vec![BTreeMap::from([(ListKey { xs: vec![] }, 1)])]);
    assert_eq!(e.path(), "[0]<key>.xs");
    let e = error(&BTreeMap::from([(BTreeMap::from([(1, 2)]), 3)]));
    assert!(e.message().starts_with("a dict cannot be a dict key"), "{e}");
    let e = error(&HashMap::from([(BadName { a: 1 }, 1)]));
    assert!(e.message().contains("struct `my-record`, written as a dict"), "{e}");
    let e = error(&HashMap::from([(BadEnum::New(1), 1)]));
    assert!(e.message().contains("variant `my-enum::New`"), "{e}");
    // Hashable keys nested in the value are fine.
    assert!(portable_pickle::serde::to_vec(&BTreeMap::from([(1, vec![BTreeMap::from([((1, 2), 3)])])])).is_ok());
}

impl PartialEq for BadName {
    fn eq(&self, other: &Self) -> bool {
        self.a == other.a
    }
}
impl Eq for BadName {}
impl std::hash::Hash for BadName {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.a.hash(h)
    }
}
impl PartialEq for BadEnum {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for BadEnum {}
impl std::hash::Hash for BadEnum {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

/// Ignores the error of an element and goes on.
struct Swallow;

impl Serialize for Swallow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        let _ = seq.serialize_element(&BTreeMap::from([(vec![1], 1)]));
        let _ = seq.serialize_element(&Wrap(Failing));
        let _ = seq.serialize_element(&(1, Failing));
        seq.serialize_element(&1)?;
        seq.end()
    }
}

/// Abandons a map half-written.
struct Abandon;

impl Serialize for Abandon {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        let _ = seq.serialize_element(&HalfMap);
        seq.end()
    }
}

struct HalfMap;

impl Serialize for HalfMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("a", &1)?;
        Err(S::Error::custom("gave up"))
    }
}

/// Declares fewer tuple-struct fields than it writes.
struct Liar(usize);

impl Serialize for Liar {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeTuple, SerializeTupleStruct};
        if self.0 == 0 {
            let mut t = s.serialize_tuple_struct("Liar", 1)?;
            t.serialize_field(&1)?;
            t.serialize_field(&2)?;
            t.end()
        } else {
            let mut t = s.serialize_tuple(2)?;
            for i in 0..self.0 {
                t.serialize_element(&i)?;
            }
            t.end()
        }
    }
}

/// Misuses a map: a value without its key, or a key without its value.
struct Unpaired(bool);

impl Serialize for Unpaired {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if self.0 {
            map.serialize_value(&1)?;
        } else {
            map.serialize_key(&1)?;
        }
        map.end()
    }
}

/// A struct with more fields than a batch, none a Python name.
struct ManyFields;

impl Serialize for ManyFields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
        let names = NAMES.get_or_init(|| (0..1001).map(|i| &*format!("f-{i}").leak()).collect());
        let mut st = s.serialize_struct("Many", names.len())?;
        for (i, name) in names.iter().enumerate() {
            st.serialize_field(name, &i)?;
        }
        st.end()
    }
}

/// A struct that writes one field twice.
struct Twice;

impl Serialize for Twice {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Twice", 2)?;
        st.serialize_field("a", &1)?;
        st.serialize_field("a", &2)?;
        st.end()
    }
}

#[test]
fn misbehaving_impls_never_yield_a_stream() {
    let e = error(&Swallow);
    assert!(e.message().contains("went on after an error"), "{e}");
    let e = error(&Abandon);
    assert!(e.message().contains("unfinished"), "{e}");
    let e = error(&Liar(0));
    assert_eq!(e.to_string(), "`Liar` has more fields than the 1 it declared");
    let e = error(&Liar(4));
    assert_eq!(e.to_string(), "a tuple has more fields than the 2 it declared");
    let e = error(&Unpaired(true));
    assert_eq!(e.to_string(), "a map value without its key");
    let e = error(&Unpaired(false));
    assert_eq!(e.to_string(), "a map ended after a key without its value");
    // Fewer items than declared, or more with a MARK, is still a tuple.
    assert!(portable_pickle::serde::to_vec(&Liar(1)).is_ok());
    // Two fields with one name: no class can hold them, a dict does.
    let bytes = portable_pickle::serde::to_vec(&Twice).unwrap();
    let v: portable_pickle::Value = portable_pickle::from_slice(&bytes).unwrap();
    assert!(matches!(v, portable_pickle::Value::Dict(_)), "{v:?}");
}

/// A writer that fails after `n` bytes.
struct Broken(usize);

impl io::Write for Broken {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.0 < buf.len() {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "pipe closed"));
        }
        self.0 -= buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn io_errors_keep_their_kind() {
    let rows: Vec<Author> = (0..50_000)
        .map(|i| Author {
            name: format!("{i}"),
            email: None,
        })
        .collect();
    let e = portable_pickle::serde::to_writer(Broken(100_000), &rows).unwrap_err();
    assert_eq!(e.io_error_kind(), Some(io::ErrorKind::BrokenPipe), "{e}");
    assert!(std::error::Error::source(&e).is_some());
    let io: io::Error = e.into();
    assert_eq!(io.kind(), io::ErrorKind::BrokenPipe);
}

/// A `#[pickle(serde)]` field that fails: the derive's `to_writer` gets an
/// `io::Error` with the message and path.
#[derive(PortablePickle)]
#[pickle(write_only)]
struct Holder {
    #[pickle(serde)]
    order: Order,
}

#[test]
fn serde_field_errors_reach_the_derived_writer() {
    let holder = Holder {
        order: Order {
            items: vec![Some(Item { id: 1, name: Failing })],
        },
    };
    let e = portable_pickle::to_writer(io::sink(), &holder).unwrap_err();
    assert_eq!(e.to_string(), "boom at .items[0].name");
}
