//! The slice and reader decoders agree: `from_slice` of the stream and
//! `from_reader` over a reader returning at most `n` bytes per call (`n`
//! from the first input byte, 1..=16; the rest is the stream) give equal
//! values or errors of the same `ErrorKind` variant, as `Value` and as a
//! derived type family. The bytes the reader consumed hold the whole pickle:
//! `from_slice` of just them gives the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portable_pickle::{from_reader, from_slice, Value};
use portable_pickle_fuzz::{assert_agree, split, Drawing, Shape, ShortReads};

fn debug_eq<T: std::fmt::Debug>(a: &T, b: &T) -> bool {
    // Debug, not `==`: a NaN radius is equal to itself here.
    format!("{a:?}") == format!("{b:?}")
}

fuzz_target!(|data: &[u8]| {
    let Some((n, data)) = split(data) else { return };

    let slice = from_slice::<Value>(data);
    let mut r = ShortReads { data, n };
    let reader = from_reader::<_, Value>(&mut r);
    assert_agree("Value", &slice, &reader, |a, b| a == b);
    if let Ok(v) = &reader {
        let consumed = data.len() - r.data.len();
        let prefix = from_slice::<Value>(&data[..consumed]);
        assert!(
            matches!(&prefix, Ok(p) if p == v),
            "the {consumed} bytes the reader consumed do not decode alone: {prefix:?}"
        );
    }

    let slice = from_slice::<Drawing>(data);
    let reader = from_reader::<_, Drawing>(ShortReads { data, n });
    assert_agree("Drawing", &slice, &reader, debug_eq);

    let slice = from_slice::<Vec<Shape>>(data);
    let reader = from_reader::<_, Vec<Shape>>(ShortReads { data, n });
    assert_agree("Vec<Shape>", &slice, &reader, debug_eq);
});
