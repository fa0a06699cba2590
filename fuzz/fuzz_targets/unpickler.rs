//! `Unpickler` over a stream of pickles: no panic, at most one pickle per
//! input byte, and the same results through a reader returning at most `n`
//! bytes per call (`n` from the first input byte, 1..=16; the rest is the
//! stream) as over the whole slice: equal values, or errors of the same
//! `ErrorKind` variant, pickle by pickle, until the end of the stream or
//! the first error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portable_pickle::{ErrorKind, Unpickler, Value};
use portable_pickle_fuzz::{assert_agree, split, ShortReads};

fuzz_target!(|data: &[u8]| {
    let Some((n, data)) = split(data) else { return };
    let mut whole = Unpickler::new(data);
    let mut short = Unpickler::new(ShortReads { data, n });
    for _ in 0..=data.len() {
        let a = whole.load::<Value>();
        let b = short.load::<Value>();
        assert_agree("Unpickler", &a, &b, |x, y| x == y);
        match a {
            Ok(_) => assert_eq!(whole.position(), short.position(), "positions differ"),
            Err(e) if *e.kind() == ErrorKind::EndOfStream => {
                assert_eq!(whole.position(), data.len() as u64);
                return;
            }
            Err(_) => return,
        }
    }
    panic!("more pickles than input bytes");
});
