//! Values of the array corpus cases that are read back (tests/support/array_cases.rs).

use portable_pickle::PortablePickle;

/// An owned struct with array fields, read back too.
#[derive(PortablePickle, Debug, PartialEq)]
pub struct Trace {
    #[pickle(array)]
    pub t: Vec<f32>,
    #[pickle(array)]
    pub v: Vec<i64>,
}

pub fn trace() -> Trace {
    Trace {
        t: vec![0.0, 0.5, 1.0],
        v: vec![-1, i64::MAX, i64::MIN],
    }
}
