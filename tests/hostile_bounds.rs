//! Hostile input stays cheap to report (issue 25): an error quotes at most
//! a short prefix of any string from the stream, and an array's dimensions
//! are bounded (numpy's own limit), so converting one is linear in its
//! elements.

use portable_pickle::{from_slice, Array, ErrorKind, Value};
use portable_runtime::opcodes::*;
use portable_runtime::writer::OpWriter;

/// A string of `n` bytes read as a type that parses it: the message holds
/// the first 80 bytes and the length.
#[test]
fn errors_quote_a_short_prefix_of_hostile_strings() {
    let huge = "\u{7f}".repeat(8 << 20);
    let bytes = portable_pickle::to_vec(&huge);
    let e = from_slice::<std::net::IpAddr>(&bytes).unwrap_err();
    let text = e.to_string();
    println!("{} bytes: {}", huge.len(), &text[..text.len().min(120)]);
    assert!(text.len() < 600, "{} bytes of message", text.len());
    assert!(text.contains(&format!("({} bytes)", huge.len())), "{text}");

    // A forbidden global with a long name (the reader's limit is 64 KiB):
    // the kind holds it clipped too.
    let n = 60_000;
    let mut w = OpWriter::new();
    w.proto();
    w.str("os");
    w.str(&"a".repeat(n));
    w.op(STACK_GLOBAL);
    w.op(STOP);
    let e = from_slice::<Value>(w.as_bytes()).unwrap_err();
    match e.kind() {
        ErrorKind::ForbiddenGlobal { module, name } => {
            assert_eq!(module, "os");
            assert!(name.len() < 120 && name.ends_with(&format!("({n} bytes)")), "{name}");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().len() < 300);
}

/// numpy's `_frombuffer(buffer, dtype, shape, 'F')` with 100,000 dimensions
/// of 1: refused at once (the Fortran order conversion costs elements ×
/// dimensions), and 64 dimensions still read.
#[test]
fn array_dimensions_are_bounded() {
    let frombuffer = |ndim: usize| {
        let mut w = OpWriter::new();
        w.proto();
        w.global("numpy.core.numeric", "_frombuffer");
        w.op(MARK);
        w.bytes(&1.5f64.to_le_bytes());
        w.str("<f8");
        w.op(MARK);
        for _ in 0..ndim {
            w.put([BININT1, 1]);
        }
        w.op(TUPLE);
        w.str("F");
        w.op(TUPLE);
        w.op(REDUCE);
        w.op(STOP);
        w.into_bytes()
    };
    let start = std::time::Instant::now();
    let e = from_slice::<Array<Vec<f64>>>(&frombuffer(100_000)).unwrap_err();
    assert!(e.to_string().contains("array of 100000 dimensions (at most 64)"), "{e}");
    println!("100,000 dimensions refused in {:?}", start.elapsed());
    // 64 dimensions of 1: a 1-element array, read back.
    #[cfg(feature = "ndarray")]
    {
        let a = from_slice::<Array<ndarray::ArrayD<f64>>>(&frombuffer(64)).unwrap();
        assert_eq!(a.0.ndim(), 64);
        assert_eq!(a.0.iter().copied().collect::<Vec<_>>(), [1.5]);
    }
}
