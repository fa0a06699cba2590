use std::collections::{BTreeSet, HashMap};

use portable_pickle::PortablePickle;

/// Mutable: `==` by value and no hash in Python.
#[derive(PortablePickle, PartialEq, Eq, Hash)]
struct Point {
    x: i64,
    y: i64,
}

/// Frozen, but a field is a `list` in Python.
#[derive(PortablePickle, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[pickle(frozen)]
struct Path {
    steps: Vec<String>,
}

fn main() {
    let _ = portable_pickle::to_vec(&HashMap::from([(Point { x: 1, y: 2 }, 1)]));
    let _ = portable_pickle::to_vec(&BTreeSet::from([Path { steps: Vec::new() }]));
}
