//! `from_slice::<Value>` on arbitrary bytes: never panics; whatever it
//! accepts writes back and reads again to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portable_pickle::{from_reader, from_slice, to_vec, Value};

fuzz_target!(|data: &[u8]| {
    let slice = from_slice::<Value>(data);
    let mut r = data;
    let reader = from_reader::<_, Value>(&mut r);
    assert_eq!(slice.is_ok(), reader.is_ok(), "slice and reader disagree");
    if let Ok(v) = slice {
        assert_eq!(reader.unwrap(), v);
        let again: Value = from_slice(&to_vec(&v)).expect("a decoded value writes back readably");
        assert_eq!(again, v);
    }
});
