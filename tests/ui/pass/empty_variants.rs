//! Variants with an empty field list, `A {}` and `B()`, beside a unit
//! variant and one with data: each reads back as the variant it was.

#[path = "support/round_trip.rs"]
mod support;

use portable_pickle::PortablePickle;
use support::round_trip;

#[derive(PortablePickle, Debug, PartialEq)]
enum Empties {
    A {},
    B(),
}

#[derive(PortablePickle, Debug, PartialEq)]
enum Mixed {
    Braced {},
    Tuple(),
    Unit,
    Data(u8),
    Named { x: i32 },
}

fn main() {
    round_trip(Empties::A {});
    round_trip(Empties::B());
    round_trip(vec![Empties::B(), Empties::A {}, Empties::B()]);
    round_trip(vec![
        Mixed::Braced {},
        Mixed::Tuple(),
        Mixed::Unit,
        Mixed::Data(7),
        Mixed::Named { x: -1 },
    ]);
}
