//! Hostile input: every call returns `Err` (or a compact value) within
//! bounded time and memory, and never panics or overflows the stack.

use std::time::{Duration, Instant};

use portable_pickle::{
    from_reader_with, from_slice, from_slice_with, to_vec, ErrorKind, PortablePickle, ReadOptions, Value,
};

#[path = "support/seeds.rs"]
mod seeds;

use seeds::{fuzz_seeds, memo_bomb, sample, stream, Sample, TEXT};

fn assert_fast(start: Instant, what: &str) {
    let t = start.elapsed();
    assert!(t < Duration::from_secs(20), "{what} took {t:?}");
}

#[test]
fn truncated_at_every_offset() {
    let full = to_vec(&sample());
    assert_eq!(from_slice::<Sample>(&full).unwrap(), sample());
    // A protocol-0 text stream, as CPython writes it, truncated the same way.
    let v: Value = from_slice(TEXT).unwrap();
    assert!(matches!(v, Value::List(ref l) if l.len() == 7));
    let start = Instant::now();
    for data in [&full[..], TEXT] {
        for n in 0..data.len() {
            let cut = &data[..n];
            let e = from_slice::<Value>(cut).expect_err("a truncated stream must fail");
            assert!(
                matches!(e.kind(), ErrorKind::Eof | ErrorKind::Malformed(_)),
                "offset {n}: {e}"
            );
            assert!(from_slice::<Sample>(cut).is_err());
            let mut r = cut;
            assert!(from_reader_with::<_, Value>(&mut r, &ReadOptions::default()).is_err());
        }
    }
    assert_fast(start, "truncations");
}

type Deep10 = Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<u8>>>>>>>>>>;

#[test]
fn memo_bomb_stays_compact_or_fails() {
    let bomb = memo_bomb(10, 10);
    assert!(bomb.len() < 300);
    let start = Instant::now();
    // The dynamic tree shares each level: 100 small allocations.
    let v: Value = from_slice(&bomb).unwrap();
    let Value::List(items) = &v else { panic!() };
    assert!(items.iter().all(|i| matches!(i, Value::Shared(_))));
    // Expanding it into owned Rust values hits the allocation budget.
    let e = from_slice::<Deep10>(&bomb).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::Limit {
                what: "total allocation",
                ..
            }
        ),
        "{e}"
    );
    assert_fast(start, "memo bomb");
    // Memo slots are bounded too.
    let mut body = Vec::new();
    for _ in 0..1000 {
        body.extend([b'N', 0x94, b'0']);
    }
    body.extend(b"N.");
    let e = from_slice_with::<Value>(&stream(&body), &ReadOptions::default().max_memo(100)).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::Limit {
                what: "memo entries",
                ..
            }
        ),
        "{e}"
    );
    // A sparse memo index costs one entry, not four billion.
    let v: Value = from_slice(&stream(b"Nr\xff\xff\xff\xff0j\xff\xff\xff\xff.")).unwrap();
    assert_eq!(v, Value::None);
}

#[test]
fn million_level_nesting_fails_without_overflow() {
    const N: usize = 1_000_000;
    let start = Instant::now();
    // `[[[[…]]]]` built by APPENDs.
    let mut body = vec![b']'; N];
    body.extend(vec![b'a'; N - 1]);
    body.push(b'.');
    let deep = stream(&body);
    let e = from_slice::<Value>(&deep).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::Limit {
                what: "nesting depth",
                ..
            }
        ),
        "{e}"
    );
    assert!(from_slice::<Vec<Value>>(&deep).is_err());
    // The same with MARK/LIST and tuples.
    let mut body = vec![b'('; N];
    body.extend(vec![b'l'; N]);
    body.push(b'.');
    assert!(from_slice::<Value>(&stream(&body)).is_err());
    let mut body = vec![b')'];
    body.extend(vec![0x85; N]);
    body.push(b'.');
    assert!(from_slice::<Value>(&stream(&body)).is_err());
    // Nesting through the memo: each list appended to its parent after the parent was nested.
    let mut body = vec![b']', 0x94];
    for i in 1..100_000u32 {
        body.push(b'j');
        body.extend((i - 1).to_le_bytes());
        body.extend([b']', 0x94, b'a', b'0']);
    }
    body.extend([b'h', 0, b'.']);
    let e = from_slice::<Value>(&stream(&body)).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::Limit {
                what: "nesting depth",
                ..
            }
        ),
        "{e}"
    );
    assert_fast(start, "deep nesting");
    // Just under the limit is fine, and converts and drops without overflowing.
    let mut body = vec![b']'; 999];
    body.extend(vec![b'a'; 998]);
    body.push(b'.');
    let v: Value = from_slice(&stream(&body)).unwrap();
    drop(v);
}

#[test]
fn typed_reads_near_the_depth_limit() {
    #[derive(PortablePickle, Debug, PartialEq)]
    struct Nested {
        inner: Option<Box<Nested>>,
        depth: u32,
    }
    let nested = (0..990).fold(Nested { inner: None, depth: 0 }, |n, d| Nested {
        inner: Some(Box::new(n)),
        depth: d + 1,
    });
    let back: Nested = from_slice(&to_vec(&nested)).unwrap();
    assert_eq!(back.depth, 990);
    let deeper = Nested {
        inner: Some(Box::new(Nested {
            inner: Some(Box::new(nested)),
            depth: 0,
        })),
        depth: 0,
    };
    let deeper = (0..20).fold(deeper, |n, _| Nested {
        inner: Some(Box::new(n)),
        depth: 0,
    });
    let e = from_slice::<Nested>(&to_vec(&deeper)).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::Limit {
                what: "nesting depth",
                ..
            }
        ),
        "{e}"
    );
    // Dropping a deep Rust value recurses; keep it off the test's stack budget.
    std::mem::forget(deeper);
}

#[test]
fn length_prefixes_beyond_the_input_allocate_nothing() {
    let start = Instant::now();
    for op in [0x8d_u8, 0x8e, 0x96] {
        let mut body = vec![op];
        body.extend((1u64 << 60).to_le_bytes());
        body.push(b'.');
        let e = from_slice::<Value>(&stream(&body)).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Eof), "{e}");
        let mut r = &stream(&body)[..];
        let e = from_reader_with::<_, Value>(&mut r, &ReadOptions::default()).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Limit { .. } | ErrorKind::Eof), "{e}");
    }
    // A reader that never ends is cut off by the budget.
    let e =
        from_reader_with::<_, Value>(std::io::repeat(b'('), &ReadOptions::default().max_alloc(1 << 20)).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Limit { .. }), "{e}");
    let e =
        from_reader_with::<_, Value>(std::io::repeat(b']'), &ReadOptions::default().max_alloc(1 << 20)).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Limit { .. }), "{e}");
    assert_fast(start, "length prefixes");
}

#[test]
fn refused_features_are_named() {
    let cases: &[(&[u8], &str)] = &[
        (b"\x80\x04\x8c\x01x\x94Q.", "persistent IDs (PERSID/BINPERSID)"),
        (b"Pabc\n.", "persistent IDs (PERSID/BINPERSID)"),
        (
            b"\x80\x02\x82\x01.",
            "the copyreg extension registry (EXT1/EXT2/EXT4) is not supported",
        ),
        (b"\x80\x05\x97.", "out-of-band buffers (NEXT_BUFFER) are not supported"),
        (b"\x80\x06N.", "pickle protocol 6"),
        (b"\x80\x04\xff.", "unknown opcode 0xff"),
        (b"\x80\x04cos\nsystem\n.", "forbidden global `os.system`"),
        (b"\x80\x04cbuiltins\neval\n.", "forbidden global `builtins.eval`"),
        (
            b"\x80\x04\x8c\x08builtins\x8c\x04exec\x93.",
            "forbidden global `builtins.exec`",
        ),
        (
            b"\x80\x04(K\x01K\x02i__builtin__\nexec\n.",
            "forbidden global `builtins.exec`",
        ),
        (b"\x80\x04]\x94h\x00a.", "self-referential structure"),
        (b"\x80\x04K\x01K\x02R.", "REDUCE arguments must be a tuple"),
        (b"\x80\x04h\x05.", "memo key 5 is not defined"),
        (b"\x80\x04e.", "no MARK on the stack"),
        (b"\x80\x04\x8c\x02\xff\xfe.", "not valid UTF-8"),
    ];
    for (bytes, msg) in cases {
        let e = from_slice::<Value>(bytes).unwrap_err();
        assert!(e.to_string().contains(msg), "{e} does not contain {msg:?}");
        assert!(e.offset().is_some(), "{e} has no offset");
    }
}

#[test]
fn protocol_5_bytearray8() {
    let v: Value = from_slice(b"\x80\x05\x96\x02\x00\x00\x00\x00\x00\x00\x00ab.").unwrap();
    assert_eq!(v, Value::ByteArray(b"ab".to_vec()));
    assert_eq!(
        from_slice::<Vec<u8>>(b"\x80\x05\x96\x02\x00\x00\x00\x00\x00\x00\x00ab.").unwrap(),
        b"ab"
    );
}

/// The fuzz seeds (`examples/fuzz_seeds.rs` writes them to `fuzz/seeds/`)
/// satisfy the `value` target's property: the slice and reader decoders
/// agree, and the value writes back and reads again to itself.
#[test]
fn fuzz_seeds_satisfy_the_value_target() {
    for (name, data) in fuzz_seeds() {
        let v = from_slice::<Value>(&data).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut r = &data[..];
        assert_eq!(portable_pickle::from_reader::<_, Value>(&mut r).unwrap(), v, "{name}");
        assert!(r.is_empty(), "{name}: the reader stops at STOP");
        let again: Value = from_slice(&to_vec(&v)).unwrap();
        assert_eq!(again, v, "{name}");
    }
    assert_eq!(from_slice::<Sample>(&fuzz_seeds()[0].1).unwrap(), sample());
}

/// Every input a fuzz target found failing (`tests/fuzz_regressions/`) now
/// satisfies the target's property.
#[test]
fn fuzz_regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let slice = from_slice::<Value>(&data);
        let mut r = &data[..];
        let reader = portable_pickle::from_reader::<_, Value>(&mut r);
        assert_eq!(slice.is_ok(), reader.is_ok(), "{path:?}: {slice:?} / {reader:?}");
        if let Ok(v) = slice {
            assert_eq!(reader.unwrap(), v, "{path:?}");
            let again: Value = from_slice(&to_vec(&v)).unwrap();
            assert_eq!(again, v, "{path:?}");
        }
        n += 1;
    }
    assert!(n >= 2);
}
