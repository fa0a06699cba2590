//! The serde bridge's corpus values: serde types (most of them also
//! `Deserialize`), the values tests/support/serde_cases.rs writes into the
//! main corpus, and the values they read back as. One copy, used by
//! tests/support/serde_cases.rs (the streams and their Python checks, via
//! tests/corpus.rs), tests/support/readback.rs (every reader's re-pickles,
//! read back through `portable_pickle::serde::from_slice`),
//! tests/serde_write.rs and tests/serde_read.rs.
// Each test crate uses part of this module.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Debug;
use std::time::Duration;

use portable_pickle::PortablePickle;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// `serde::from_slice(&serde::to_vec(value)) == back` (`back` is `value`
/// but for what serde does not write: `#[serde(skip)]` fields, `Some(None)`),
/// also through `from_reader` and `from_value`; and `to_writer` writes the
/// bytes `to_vec` does. Returns the stream.
pub fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T, back: &T) -> Vec<u8> {
    let bytes = write(value);
    let read: T = portable_pickle::serde::from_slice(&bytes).unwrap_or_else(|e| panic!("from_slice of {value:?}: {e}"));
    assert_eq!(&read, back, "from_slice");
    let read: T =
        portable_pickle::serde::from_reader(&bytes[..]).unwrap_or_else(|e| panic!("from_reader of {value:?}: {e}"));
    assert_eq!(&read, back, "from_reader");
    let tree: portable_pickle::Value = portable_pickle::from_slice(&bytes).unwrap();
    let read: T = portable_pickle::serde::from_value(&tree, &Default::default())
        .unwrap_or_else(|e| panic!("from_value of {value:?}: {e}"));
    assert_eq!(&read, back, "from_value");
    bytes
}

/// `serde::to_vec(value)`, checked against `to_writer` and decoded once by
/// the crate's own reader.
pub fn write<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let bytes = portable_pickle::serde::to_vec(value).unwrap_or_else(|e| panic!("to_vec: {e}"));
    let mut sink = Vec::new();
    portable_pickle::serde::to_writer(&mut sink, value).unwrap();
    assert!(sink == bytes, "to_writer and to_vec differ");
    portable_pickle::from_slice::<portable_pickle::Value>(&bytes).unwrap_or_else(|e| panic!("decoding: {e}"));
    bytes
}

// ---------------------------------------------------------------- scalars and containers

pub type Scalars = (
    bool,
    i8,
    u16,
    i64,
    u64,
    f32,
    f64,
    char,
    String,
    (),
    Option<i32>,
    Option<i32>,
);

pub fn scalars() -> Scalars {
    (
        true,
        -5,
        300,
        i64::MIN,
        u64::MAX,
        1.5,
        -0.0,
        'é',
        "text".into(),
        (),
        None,
        Some(3),
    )
}

pub type OptionsAndSets = (Option<Option<i32>>, Option<Option<i32>>, HashSet<i32>, BTreeSet<String>);

/// `Some(None)` is written as `None`, and reads back as `None`.
pub fn options_and_sets() -> OptionsAndSets {
    (
        Some(None),
        Some(Some(1)),
        HashSet::from([3, 1, 2]),
        BTreeSet::from(["b".to_string(), "a".to_string()]),
    )
}

pub fn options_and_sets_back() -> OptionsAndSets {
    let (_, some, set, names) = options_and_sets();
    (None, some, set, names)
}

pub type Int128 = (i128, i128, u128, u128, i128);

pub fn int128() -> Int128 {
    (i128::MIN, i128::MAX, u128::MAX, 1 << 64, -1)
}

pub type BytesAndLists = (serde_bytes::ByteBuf, Vec<u8>, Vec<i32>, Vec<String>);

pub fn bytes_and_lists() -> BytesAndLists {
    (
        serde_bytes::ByteBuf::from(b"\x00ab".to_vec()),
        vec![1, 2],
        vec![],
        vec!["x".into()],
    )
}

pub type BigContainers = (Vec<u32>, BTreeMap<u32, u32>, Vec<u32>);

pub fn big_containers() -> BigContainers {
    (
        (0..2501).collect(),
        (0..2001).map(|i| (i, i * 2)).collect(),
        (0..1001).collect(),
    )
}

pub type LongString = (String, serde_bytes::ByteBuf);

pub fn long_string() -> LongString {
    ("x".repeat(70_000), serde_bytes::ByteBuf::from(vec![7u8; 70_000]))
}

// ---------------------------------------------------------------- nested structs

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Author {
    pub name: String,
    pub email: Option<String>,
}

/// Nested structs, `rename_all`, `skip`, `skip_serializing_if`, `default`,
/// `serde_bytes`, a keyword field, a map of lists and a third-party type.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    pub crate_name: String,
    pub version: semver::Version,
    #[serde(skip)]
    pub cache: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub home_page: Option<String>,
    #[serde(default)]
    pub downloads: u64,
    pub authors: Vec<Author>,
    #[serde(with = "serde_bytes")]
    pub checksum: Vec<u8>,
    pub features: HashMap<String, Vec<String>>,
    pub r#class: String,
}

/// The package as written (`cache` set, which serde skips).
pub fn package(home_page: Option<&str>) -> Package {
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

/// The package as read back: the skipped `cache` is `Default::default()`.
pub fn package_back(home_page: Option<&str>) -> Package {
    Package {
        cache: 0,
        ..package(home_page)
    }
}

pub fn packages() -> Vec<Package> {
    vec![package(None), package(Some("h")), package(None)]
}

pub fn packages_back() -> Vec<Package> {
    vec![package_back(None), package_back(Some("h")), package_back(None)]
}

// ---------------------------------------------------------------- the four enum representations

/// Externally tagged (serde's default).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum Shape {
    Circle { r: f64 },
    Rect(f64, f64),
    Label(String),
    Empty,
}

pub fn shapes() -> Vec<Shape> {
    vec![
        Shape::Circle { r: 1.5 },
        Shape::Rect(2.0, 3.0),
        Shape::Label("hi".into()),
        Shape::Empty,
        Shape::Empty,
    ]
}

/// Internally tagged.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "type")]
pub enum Event {
    Click { x: i32, y: i32 },
    Key { code: u32 },
    Quit,
}

pub fn events() -> Vec<Event> {
    vec![Event::Click { x: 1, y: 2 }, Event::Key { code: 13 }, Event::Quit]
}

/// Adjacently tagged.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "t", content = "c")]
pub enum Msg {
    Text(String),
    Move { dx: i32 },
    Ping,
}

pub fn msgs() -> Vec<Msg> {
    vec![Msg::Text("yo".into()), Msg::Move { dx: -3 }, Msg::Ping]
}

/// Untagged.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum Loose {
    Int(i64),
    Text(String),
    Pair { a: i32, b: i32 },
}

pub fn looses() -> Vec<Loose> {
    vec![Loose::Int(5), Loose::Text("t".into()), Loose::Pair { a: 1, b: 2 }]
}

// ---------------------------------------------------------------- struct forms, names, keys

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Marker;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct UserId(pub u64);

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Rgb(pub u8, pub u8, pub u8);

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Wide(pub u8, pub u8, pub u8, pub u8, pub u8);

pub type StructForms = (Marker, UserId, Rgb, Wide, Marker);

pub fn struct_forms() -> StructForms {
    (Marker, UserId(42), Rgb(255, 0, 7), Wide(1, 2, 3, 4, 5), Marker)
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Color {
    Red,
    Green,
}

/// A variant named after a Python keyword.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum Level {
    None,
    Low,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Hash)]
#[serde(rename = "my-record")]
pub struct BadName {
    pub a: i32,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct BadField {
    #[serde(rename = "first-name")]
    pub first: String,
    pub ok: bool,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Hash)]
#[serde(rename = "my-enum")]
pub enum BadEnum {
    Unit,
    New(i32),
    Tup(i32, i32),
    Rec { a: i32 },
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename = "bad-newtype")]
pub struct BadNewtype(pub i32);

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename = "bad-tuple")]
pub struct BadTuple(pub i32, pub String);

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename = "bad-unit")]
pub struct BadUnit;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Dunder {
    #[serde(rename = "__init__")]
    pub init: i32,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Collide {
    #[serde(rename = "class")]
    pub a: i32,
    #[serde(rename = "class_")]
    pub b: i32,
}

pub type Names = (
    Vec<Level>,
    BadName,
    BadField,
    Dunder,
    Collide,
    Vec<BadEnum>,
    (BadNewtype, BadTuple, BadUnit),
);

pub fn names() -> Names {
    (
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
    )
}

/// A struct with more fields than a batch, none a Python name (write only:
/// its names are made at run time).
pub struct ManyFields;

impl Serialize for ManyFields {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
        let names = NAMES.get_or_init(|| (0..1001).map(|i| &*format!("f-{i}").leak()).collect());
        let mut st = s.serialize_struct("Many", names.len())?;
        for (i, name) in names.iter().enumerate() {
            st.serialize_field(name, &i)?;
        }
        st.end()
    }
}

pub type MapKeys = (
    BTreeMap<(i32, String), i32>,
    BTreeMap<Point, String>,
    BTreeMap<Color, i32>,
    BTreeMap<Option<i32>, char>,
    HashMap<bool, serde_bytes::ByteBuf>,
);

pub fn map_keys() -> MapKeys {
    (
        BTreeMap::from([((1, "a".to_string()), 1), ((2, "b".to_string()), 2)]),
        BTreeMap::from([(Point { x: 1, y: 2 }, "p".to_string())]),
        BTreeMap::from([(Color::Red, 1), (Color::Green, 2)]),
        BTreeMap::from([(Some(1), 'x'), (None, 'y')]),
        HashMap::from([(true, serde_bytes::ByteBuf::from(b"b".to_vec()))]),
    )
}

pub type NestedDepth = Vec<Option<Box<Vec<(Shape, BTreeMap<String, Vec<Author>>)>>>>;

pub fn nested_depth() -> NestedDepth {
    vec![
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
    ]
}

/// `flatten`: serde writes the struct as a map.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Flattened {
    pub id: u32,
    #[serde(flatten)]
    pub meta: Meta,
    #[serde(flatten)]
    pub rest: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Meta {
    pub owner: String,
}

pub fn flattened() -> Flattened {
    Flattened {
        id: 1,
        meta: Meta { owner: "me".into() },
        rest: BTreeMap::from([("k".to_string(), "v".to_string())]),
    }
}

/// A top-level struct holding more than a frame.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct BigDoc {
    pub title: String,
    pub rows: Vec<Author>,
    pub blob: serde_bytes::ByteBuf,
}

pub fn big_doc() -> BigDoc {
    BigDoc {
        title: "big".into(),
        rows: (0..10_000)
            .map(|i| Author {
                name: format!("name {i}"),
                email: (i % 3 == 0).then(|| format!("{i}@x")),
            })
            .collect(),
        blob: serde_bytes::ByteBuf::from(vec![1u8; 100_000]),
    }
}

// ---------------------------------------------------------------- `#[pickle(serde)]` fields

/// A derived type with serde fields, written in one stream with derived
/// values: the same pickler, memo and classes.
#[derive(PortablePickle, Debug, Clone, PartialEq)]
pub struct Dependency {
    pub name: String,
    #[pickle(serde)]
    pub version: semver::Version,
    #[pickle(serde)]
    pub req: semver::VersionReq,
    #[pickle(serde)]
    pub author: Author,
    pub at: DerivedPoint,
}

#[derive(PortablePickle, Debug, Clone, PartialEq)]
pub struct DerivedPoint {
    pub x: i64,
    pub y: i64,
}

/// A generic type whose parameter is written through serde: the derive adds
/// `T: Serialize` (and `T: DeserializeOwned` to the read side).
#[derive(PortablePickle, Debug, Clone, PartialEq)]
pub struct Tagged<T> {
    #[pickle(serde)]
    pub value: T,
    pub label: String,
}

#[derive(PortablePickle, Debug, Clone, PartialEq)]
pub enum Node {
    Leaf(#[pickle(serde)] Author),
    Pair {
        #[pickle(serde)]
        left: Shape,
        #[pickle(serde)]
        right: Shape,
    },
}

pub type DerivedWithSerdeFields = (Dependency, Vec<Node>, DerivedPoint, Tagged<Marker>);

pub fn derived_with_serde_fields() -> DerivedWithSerdeFields {
    (
        Dependency {
            name: "semver".into(),
            version: semver::Version::new(1, 0, 28),
            req: semver::VersionReq::parse(">=1.0, <2").unwrap(),
            author: Author {
                name: "dtolnay".into(),
                email: None,
            },
            at: DerivedPoint { x: 1, y: 2 },
        },
        vec![
            Node::Leaf(Author {
                name: "a".into(),
                email: None,
            }),
            Node::Pair {
                left: Shape::Empty,
                right: Shape::Circle { r: 2.0 },
            },
        ],
        DerivedPoint { x: 3, y: 4 },
        Tagged {
            value: Marker,
            label: "m".into(),
        },
    )
}

// ---------------------------------------------------------------- the derive and serde, one value

/// Types deriving both `PortablePickle` and serde's traits, with the same
/// renames on both sides, for the same value written through each.
pub mod both {
    use super::*;

    /// A crate of the registry.
    #[derive(PortablePickle, Serialize, Deserialize, Debug, Clone, PartialEq)]
    #[pickle(rename_all = "camelCase")]
    #[serde(rename_all = "camelCase")]
    pub struct Release {
        pub crate_name: String,
        pub downloads: u64,
        pub debt: i128,
        pub ratio: f64,
        pub note: Option<String>,
        pub owners: Vec<Owner>,
        pub kinds: Vec<Kind>,
        pub features: BTreeMap<String, Vec<String>>,
        pub pair: (bool, char),
        pub id: CrateId,
        pub marker: Unit,
        /// A keyword: `class_` both ways.
        pub r#class: String,
        #[serde(with = "serde_bytes")]
        pub checksum: Vec<u8>,
    }

    #[derive(PortablePickle, Serialize, Deserialize, Debug, Clone, PartialEq)]
    pub struct Owner {
        pub login: String,
        pub id: u32,
    }

    /// A data enum: the same `Kind.Variant` classes both ways.
    #[derive(PortablePickle, Serialize, Deserialize, Debug, Clone, PartialEq)]
    pub enum Kind {
        Library { edition: u16 },
        Binary(String),
        Range(u8, u8),
        Unknown,
    }

    #[derive(PortablePickle, Serialize, Deserialize, Debug, Clone, PartialEq)]
    pub struct CrateId(pub u32);

    #[derive(PortablePickle, Serialize, Deserialize, Debug, Clone, PartialEq)]
    pub struct Unit;

    /// What the two writers make differently.
    #[derive(PortablePickle, Serialize, Deserialize, Debug, Clone, PartialEq)]
    pub struct Differs {
        /// A unit-only enum: an `enum.Enum` member, or `Status.Yanked()`.
        pub status: Status,
        /// `bytes`, or a `list` of ints.
        pub raw: Vec<u8>,
        /// A `set`, or a `list`.
        pub tags: BTreeSet<String>,
        /// `datetime.timedelta`, or `Duration(secs=…, nanos=…)`.
        pub timeout: Duration,
        /// `ipaddress.IPv4Address`, or a `str`.
        pub addr: std::net::Ipv4Addr,
        /// Omitted when `None` through serde only.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        pub mirror: Option<String>,
    }

    #[derive(PortablePickle, Serialize, Deserialize, Debug, Clone, PartialEq)]
    pub enum Status {
        Active,
        Yanked,
    }

    pub fn release() -> Release {
        Release {
            crate_name: "serde".into(),
            downloads: 1 << 40,
            debt: -(1 << 100),
            ratio: 0.25,
            note: None,
            owners: vec![
                Owner {
                    login: "dtolnay".into(),
                    id: 1,
                },
                Owner {
                    login: "erickt".into(),
                    id: 2,
                },
            ],
            kinds: vec![
                Kind::Library { edition: 2021 },
                Kind::Binary("serde".into()),
                Kind::Range(1, 9),
                Kind::Unknown,
            ],
            features: BTreeMap::from([("derive".to_string(), vec!["serde_derive".to_string()])]),
            pair: (true, 'λ'),
            id: CrateId(42),
            marker: Unit,
            r#class: "lib".into(),
            checksum: vec![0, 255],
        }
    }

    pub fn differs() -> Differs {
        Differs {
            status: Status::Yanked,
            raw: vec![1, 2],
            tags: BTreeSet::from(["a".to_string(), "b".to_string()]),
            timeout: Duration::new(5, 6000),
            addr: [10, 0, 0, 1].into(),
            mirror: None,
        }
    }

    /// The value both writers write.
    pub type Pair = (Release, Differs);

    pub fn pair() -> Pair {
        (release(), differs())
    }
}
