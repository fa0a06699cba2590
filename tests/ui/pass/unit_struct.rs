//! `struct S;`: a field-less class, read back as `S`.

#[path = "support/round_trip.rs"]
mod support;

use portable_pickle::PortablePickle;
use support::round_trip;

#[derive(PortablePickle, Debug, PartialEq)]
struct Marker;

fn main() {
    round_trip(Marker);
    round_trip((Marker, vec![Marker]));
}
