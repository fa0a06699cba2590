//! Generic structs and enums: the derive bounds every type parameter.

use portable_pickle::{FromPickle, PortablePickle, Value};

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

fn round_trip<T: PortablePickle + FromPickle + PartialEq + std::fmt::Debug>(value: T) {
    let bytes = portable_pickle::to_vec(&value);
    let back: T = portable_pickle::from_slice(&bytes).unwrap();
    assert_eq!(back, value);
    let dynamic: Value = portable_pickle::from_slice(&bytes).unwrap();
    let again: T = portable_pickle::from_slice(&portable_pickle::to_vec(&dynamic)).unwrap();
    assert_eq!(again, value);
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
