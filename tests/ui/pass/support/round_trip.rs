//! Shared by the pass tests: a value must read back equal, directly and
//! through the dynamic `Value`.

use portable_pickle::{FromPickle, PortablePickle, Value};

pub fn round_trip<T: PortablePickle + FromPickle + PartialEq + std::fmt::Debug>(value: T) {
    let bytes = portable_pickle::to_vec(&value);
    let back: T = portable_pickle::from_slice(&bytes).unwrap();
    assert_eq!(back, value);
    let dynamic: Value = portable_pickle::from_slice(&bytes).unwrap();
    let again: T = portable_pickle::from_slice(&portable_pickle::to_vec(&dynamic)).unwrap();
    assert_eq!(again, value);
}
