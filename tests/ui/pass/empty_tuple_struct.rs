//! `struct T();`: a field-less class, read back as `T()`.

#[path = "support/round_trip.rs"]
mod support;

use portable_pickle::{PortablePickle, Value};
use support::round_trip;

#[derive(PortablePickle, Debug, PartialEq)]
struct Empty();

fn main() {
    round_trip(Empty());
    round_trip(vec![Empty(), Empty()]);
    // A tuple struct also reads from a plain tuple of its fields: here, `()`.
    let plain = portable_pickle::to_vec(&Value::Tuple(Vec::new()));
    assert_eq!(portable_pickle::from_slice::<Empty>(&plain).unwrap(), Empty());
}
