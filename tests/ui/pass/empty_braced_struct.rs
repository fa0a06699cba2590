//! `struct S {}`: a field-less class, read back as `S {}`.

#[path = "support/round_trip.rs"]
mod support;

use portable_pickle::PortablePickle;
use support::round_trip;

#[derive(PortablePickle, Debug, PartialEq)]
struct Empty {}

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(deny_unknown_fields)]
struct Strict {}

fn main() {
    round_trip(Empty {});
    round_trip(vec![Empty {}, Empty {}]);
    round_trip((Strict {}, Some(Empty {})));
}
