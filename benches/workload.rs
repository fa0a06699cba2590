//! The benchmark workload of issue 6, shared by `benches/dump.rs` and
//! `examples/bench_streams.rs`. Keep it exactly as specified: the Python
//! benchmark (`benches/python_load.py`) rebuilds the same values.

#![allow(dead_code)] // each includer uses part of it

use portable_pickle::PortablePickle;
use serde::Serialize;

/// Number of records in the main workload.
pub const N: usize = 1_000_000;
/// Length of the bulk-numeric `Vec<f64>`.
pub const BULK: usize = 10_000_000;

#[derive(PortablePickle, Serialize, Clone, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[derive(PortablePickle, Serialize, Clone, Debug, PartialEq)]
pub struct Record {
    pub id: u64,
    pub name: String,
    pub score: f64,
    pub tags: Vec<String>,
    pub pos: Point,
    pub active: bool,
}

/// Record `i` of the workload.
pub fn record(i: usize) -> Record {
    Record {
        id: i as u64,
        name: format!("item-{i}"),
        score: i as f64 * 0.5,
        tags: vec!["a".to_string(), format!("t{}", i % 10)],
        pos: Point {
            x: i as f64,
            y: -(i as f64),
        },
        active: i % 2 == 0,
    }
}

/// The first `n` records.
pub fn records(n: usize) -> Vec<Record> {
    (0..n).map(record).collect()
}

/// The small message: one `Point`.
pub fn small() -> Point {
    Point { x: 1.5, y: -2.5 }
}

/// The bulk-numeric case: `n` floats.
pub fn bulk(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64 * 0.25).collect()
}
