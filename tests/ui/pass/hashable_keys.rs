//! Map keys and set elements: derived types whose Python form is hashable
//! (`PyHashable`), generic ones included, round-trip as keys; a tagged enum
//! reads back.

#[path = "support/round_trip.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use portable_pickle::PortablePickle;
use support::round_trip;

#[derive(PortablePickle, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[pickle(frozen)]
struct Pair<A, B> {
    first: A,
    second: B,
}

#[derive(PortablePickle, Debug, PartialEq, Eq, Hash)]
#[pickle(hash)]
struct Marked(String);

#[derive(PortablePickle, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[pickle(transparent)]
struct Id(u32);

#[derive(PortablePickle, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[pickle(frozen, tag = "kind")]
enum Key {
    Num(i64),
    Named { name: String },
    Nothing,
}

#[derive(PortablePickle, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Level {
    Low = 1,
    High = 2,
}

fn main() {
    round_trip(HashMap::from([(
        Pair {
            first: 1u8,
            second: String::from("a"),
        },
        vec![1u8],
    )]));
    round_trip(HashSet::from([Marked("m".into())]));
    round_trip(BTreeMap::from([(Id(3), Level::High), (Id(4), Level::Low)]));
    round_trip(BTreeSet::from([
        Key::Num(-1),
        Key::Named { name: "n".into() },
        Key::Nothing,
    ]));
    round_trip(BTreeMap::from([((Level::Low, Pair { first: 'x', second: () }), 1u8)]));
}
