//! The serde bridge: `portable_pickle::serde::from_slice` into several
//! serde types never panics, and `serde::from_reader` over a reader
//! returning at most `n` bytes per call (`n` from the first input byte,
//! 1..=16; the rest is the stream) agrees with it: equal values or errors
//! of the same `ErrorKind` variant.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use portable_pickle::serde::{from_reader, from_slice};
use portable_pickle_fuzz::{assert_agree, split, Event, Float, Record, Rgb, ShortReads, UserId};

fn check<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(what: &str, n: usize, data: &[u8]) {
    let slice = from_slice::<T>(data);
    let reader = from_reader::<_, T>(ShortReads { data, n });
    assert_agree(what, &slice, &reader, |a, b| a == b);
}

fuzz_target!(|data: &[u8]| {
    let Some((n, data)) = split(data) else { return };
    check::<Record>("Record", n, data);
    check::<Vec<Event>>("Vec<Event>", n, data);
    check::<Event>("Event", n, data);
    check::<Rgb>("Rgb", n, data);
    check::<UserId>("UserId", n, data);
    check::<(String, Vec<String>, Option<Float>)>("tuple", n, data);
    check::<HashMap<String, i64>>("HashMap", n, data);
    check::<Option<Vec<Option<bool>>>>("Option<Vec<Option<bool>>>", n, data);
});
