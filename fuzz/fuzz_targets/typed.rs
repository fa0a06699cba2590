//! `from_slice` into a derived type covering structs, enums, options,
//! collections and std types: never panics.
#![no_main]

use std::collections::{BTreeMap, HashSet};

use libfuzzer_sys::fuzz_target;
use portable_pickle::{from_slice, PortablePickle};

#[derive(PortablePickle, Debug, PartialEq, Eq, Hash)]
#[pickle(frozen)] // a set element: hashable in Python
pub struct Point {
    x: i64,
    y: i64,
}

#[derive(PortablePickle, Debug, PartialEq)]
pub enum Color {
    Red,
    Green = 5,
}

#[derive(PortablePickle, Debug, PartialEq)]
pub enum Shape {
    Circle { center: Point, radius: f64 },
    Polygon(Vec<Point>),
    Empty,
}

#[derive(PortablePickle, Debug, PartialEq)]
pub enum Tree {
    Leaf(u8),
    Node(Box<Tree>, Box<Tree>),
}

#[derive(PortablePickle, Debug, PartialEq)]
pub struct Sample {
    name: String,
    points: Vec<Point>,
    shapes: Vec<Shape>,
    color: Option<Color>,
    #[pickle(default)]
    blob: Vec<u8>,
    big: u128,
    when: std::time::Duration,
    at: std::time::SystemTime,
    ip: std::net::IpAddr,
    map: BTreeMap<String, (u8, char)>,
    set: HashSet<Point>,
    tree: Tree,
    range: std::ops::RangeInclusive<u64>,
}

fuzz_target!(|data: &[u8]| {
    let _ = from_slice::<Sample>(data);
    let _ = from_slice::<Vec<Shape>>(data);
});
