//! Types for Python's data tools (`dataclasses.asdict`, `json`, `pandas`)
//! and Python's hashing contract: a tagged enum, int enums, frozen and
//! hash-marked map keys, a mutable class. Used by the corpus cases
//! `hashing`, `int_enums` and `tagged_report` (every reader, re-pickles read
//! back) and by tests/data_tools.rs (pandas).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use portable_pickle::PortablePickle;

/// A grid cell: frozen, so it hashes by value and can key a map.
#[derive(PortablePickle, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[pickle(frozen)]
pub struct Cell {
    pub x: i64,
    pub y: i64,
}

/// A mutable label, marked hashable (by value) all the same.
#[derive(PortablePickle, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[pickle(hash)]
pub struct Label {
    pub name: String,
}

/// A mutable class: `==` by value, no hash.
#[derive(PortablePickle, Debug, Clone, PartialEq)]
pub struct Tally {
    pub hits: u32,
    pub seen: Vec<String>,
}

/// Severity, with explicit discriminants: an `enum.IntEnum`.
#[derive(PortablePickle, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Debug = 10,
    Info = 20,
    Warn = 30,
    Error = 40,
}

/// No discriminants, marked `int_enum`: an `enum.IntEnum` of 0, 1.
#[derive(PortablePickle, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[pickle(int_enum)]
pub enum Priority {
    Low,
    High,
}

/// No discriminants: stays an `enum.Enum`.
#[derive(PortablePickle, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Web,
    Cli,
}

/// A user id: the bare int in Python.
#[derive(PortablePickle, Debug, Clone, Copy, PartialEq)]
#[pickle(transparent)]
pub struct UserId(pub u64);

/// What happened; each variant's class has the field `kind` first.
#[derive(PortablePickle, Debug, Clone, PartialEq)]
#[pickle(tag = "kind")]
pub enum Event {
    /// A user logged in.
    Login {
        user: UserId,
        at: u32,
    },
    Upload(String, u64),
    Logout,
}

/// A daily report: int-enum keys, tagged events.
#[derive(PortablePickle, Debug, Clone, PartialEq)]
pub struct Report {
    pub title: String,
    pub by_level: BTreeMap<Level, u32>,
    pub events: Vec<Event>,
}

/// A frozen tagged enum: hashable, a set element.
#[derive(PortablePickle, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[pickle(frozen, tag = "type")]
pub enum Key {
    Id(u32),
    Name { first: String },
}

pub type Hashing = (
    Cell,
    Label,
    Tally,
    HashMap<Cell, String>,
    BTreeSet<Label>,
    BTreeSet<Key>,
);

pub fn hashing() -> Hashing {
    (
        Cell { x: 1, y: 2 },
        Label { name: "a".into() },
        Tally {
            hits: 3,
            seen: vec!["x".into()],
        },
        HashMap::from([
            (Cell { x: 0, y: 0 }, "origin".into()),
            (Cell { x: 1, y: 2 }, "cell".into()),
        ]),
        BTreeSet::from([Label { name: "x".into() }, Label { name: "y".into() }]),
        BTreeSet::from([Key::Id(7), Key::Name { first: "Ada".into() }]),
    )
}

pub type IntEnums = (Level, Priority, Channel, BTreeMap<Level, u32>, Vec<Priority>);

pub fn int_enums() -> IntEnums {
    (
        Level::Warn,
        Priority::High,
        Channel::Web,
        BTreeMap::from([(Level::Debug, 1), (Level::Error, 2)]),
        vec![Priority::Low, Priority::High, Priority::Low],
    )
}

pub fn events() -> Vec<Event> {
    vec![
        Event::Login {
            user: UserId(7),
            at: 100,
        },
        Event::Upload("a.txt".into(), 2048),
        Event::Logout,
        Event::Login {
            user: UserId(8),
            at: 160,
        },
    ]
}

pub fn report() -> Report {
    Report {
        title: "daily".into(),
        by_level: BTreeMap::from([(Level::Info, 3), (Level::Error, 1)]),
        events: events(),
    }
}
