//! `struct T();`: a field-less class, read back as `T()`.

use portable_pickle::{FromPickle, PortablePickle, Value};

#[derive(PortablePickle, Debug, PartialEq)]
struct Empty();

fn round_trip<T: PortablePickle + FromPickle + PartialEq + std::fmt::Debug>(value: T) {
    let bytes = portable_pickle::to_vec(&value);
    let back: T = portable_pickle::from_slice(&bytes).unwrap();
    assert_eq!(back, value);
    let dynamic: Value = portable_pickle::from_slice(&bytes).unwrap();
    let again: T = portable_pickle::from_slice(&portable_pickle::to_vec(&dynamic)).unwrap();
    assert_eq!(again, value);
}

fn main() {
    round_trip(Empty());
    round_trip(vec![Empty(), Empty()]);
    // A tuple struct also reads from a plain tuple of its fields: here, `()`.
    let plain = portable_pickle::to_vec(&Value::Tuple(Vec::new()));
    assert_eq!(portable_pickle::from_slice::<Empty>(&plain).unwrap(), Empty());
}
