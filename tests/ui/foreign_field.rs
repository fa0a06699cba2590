//! A field of a type without impls: one error per missing impl, each
//! naming the ways out (`display`, `serde`, `with`, a newtype).
use portable_pickle::PortablePickle;
use std::sync::Mutex;

#[derive(PortablePickle)]
struct Counter {
    count: Mutex<i32>,
    name: String,
}

/// `display` on a type without `Display`: the error points at the attribute.
#[derive(PortablePickle)]
struct Config {
    #[pickle(display)]
    path: std::path::PathBuf,
}

fn main() {}
