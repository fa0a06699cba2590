//! Generic structs and enums: the derive bounds every type parameter.

#[path = "support/round_trip.rs"]
mod support;

use portable_pickle::PortablePickle;
use support::round_trip;

#[derive(PortablePickle, Debug, PartialEq)]
struct Pair<A, B> {
    first: A,
    second: B,
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Wrap<T>(T);

#[derive(PortablePickle, Debug, PartialEq)]
struct Tagged<T: Clone>
where
    T: PartialEq,
{
    items: Vec<T>,
    #[pickle(skip)]
    cache: Option<T>,
}

#[derive(PortablePickle, Debug, PartialEq)]
enum Either<L, R> {
    Left(L),
    Right { value: R },
    Neither {},
}

fn main() {
    round_trip(Pair {
        first: 1u8,
        second: String::from("a"),
    });
    round_trip((
        Pair {
            first: vec![1.5f64],
            second: Wrap(Pair {
                first: (),
                second: -3i64,
            }),
        },
        Pair {
            first: 'x',
            second: None::<u32>,
        },
    ));
    round_trip(Tagged {
        items: vec![1u16, 2],
        cache: None,
    });
    round_trip(vec![
        Either::<u8, String>::Left(1),
        Either::Right { value: "r".into() },
        Either::Neither {},
    ]);
}
