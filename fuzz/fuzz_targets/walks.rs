//! What a program does with a decoded `Value`: `Debug` and `==`. Both visit
//! a shared node once per walk, so they finish in time linear in what was
//! decoded; libFuzzer's per-input timeout (`-timeout`, see fuzz/README.md)
//! fails any input on which a walk blows up. A value equals an independent
//! decoding of the same bytes and its own clone.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portable_pickle::{from_slice, Value};

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = from_slice::<Value>(data) {
        let text = format!("{v:?}");
        assert!(!text.is_empty());
        let again = from_slice::<Value>(data).expect("the same bytes decode again");
        assert_eq!(v, again);
        assert_eq!(v, v.clone());
    }
});
