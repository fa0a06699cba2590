//! Variants with an empty field list, `A {}` and `B()`, beside a unit
//! variant and one with data: each reads back as the variant it was.

use portable_pickle::{FromPickle, PortablePickle, Value};

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

fn round_trip<T: PortablePickle + FromPickle + PartialEq + std::fmt::Debug>(value: T) {
    let bytes = portable_pickle::to_vec(&value);
    let back: T = portable_pickle::from_slice(&bytes).unwrap();
    assert_eq!(back, value);
    let dynamic: Value = portable_pickle::from_slice(&bytes).unwrap();
    let again: T = portable_pickle::from_slice(&portable_pickle::to_vec(&dynamic)).unwrap();
    assert_eq!(again, value);
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
