//! Regressions of the combinations the conformance matrix found broken
//! (issue 23): each of these once failed while every feature passed its own
//! tests. The matrix (tests/conformance.rs) covers them all; these name them.

mod support;

use portable_pickle::{from_reader, from_slice, FromPickle, Pickler, PortablePickle, Value};
use support::ShortReads;

#[derive(PortablePickle, Debug, Clone, PartialEq)]
#[pickle(module = "telemetry")]
struct Sample {
    x: f64,
    y: f64,
}

#[derive(PortablePickle, Debug, Clone, PartialEq)]
#[pickle(module = "telemetry")]
enum Event {
    Start,
    Reading(Sample),
    Moved { from: Sample, to: Sample },
}

fn events() -> Vec<Event> {
    let s = |x, y| Sample { x, y };
    vec![
        Event::Start,
        Event::Reading(s(1.0, 2.0)),
        Event::Moved {
            from: s(0.0, 0.0),
            to: s(3.5, -1.0),
        },
    ]
}

/// `from_slice` and `from_reader` (short reads of 1, 3 and 4096 bytes)
/// give the same value, or both fail.
fn both_readers<T: FromPickle + PartialEq + std::fmt::Debug>(bytes: &[u8]) -> T {
    let slice: T = from_slice(bytes).unwrap_or_else(|e| panic!("from_slice: {e}"));
    for n in [1, 3, 4096] {
        let reader: T = from_reader(ShortReads { data: bytes, n }).unwrap_or_else(|e| panic!("from_reader ({n}): {e}"));
        assert_eq!(reader, slice, "from_reader with reads of {n} bytes");
    }
    slice
}

#[test]
fn a_module_declared_data_enum_reads_back() {
    let bytes = portable_pickle::to_vec(&events());
    assert_eq!(both_readers::<Vec<Event>>(&bytes), events());
    let value: Value = from_slice(&bytes).unwrap();
    let again: Vec<Event> = from_slice(&portable_pickle::to_vec(&value)).unwrap();
    assert_eq!(again, events());
}

#[test]
fn the_first_pickle_of_a_session_reads_back() {
    let mut p = Pickler::new(Vec::new());
    p.dump(&events()).unwrap();
    let bytes = p.into_inner();
    assert_eq!(both_readers::<Vec<Event>>(&bytes), events());
}

/// A strict-profile stream reads back: its classes (made by `abc.ABCMeta`
/// and the enum functional API) are interpreted as the default header's are;
/// a strict `Pickler`'s pickles too, and the `Value` of one writes back.
#[test]
fn a_strict_stream_reads_back() {
    let bytes = portable_pickle::strict::to_vec(&events()).unwrap();
    assert_eq!(both_readers::<Vec<Event>>(&bytes), events());
    let value: Value = from_slice(&bytes).unwrap();
    assert_eq!(
        from_slice::<Vec<Event>>(&portable_pickle::to_vec(&value)).unwrap(),
        events()
    );
    let mut p = Pickler::new(Vec::new()).strict(true);
    p.dump(&events()).unwrap();
    p.dump(&events()).unwrap();
    let stream = p.into_inner();
    let mut u = portable_pickle::Unpickler::new(&stream[..]);
    assert_eq!(u.load::<Vec<Event>>().unwrap(), events());
    assert_eq!(u.load::<Vec<Event>>().unwrap(), events());
    assert_eq!(
        u.load::<Value>().unwrap_err().kind(),
        &portable_pickle::ErrorKind::EndOfStream
    );
}

#[test]
fn values_and_errors_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    // A Pickler is Send (Sync) whenever its writer is: checked for every W.
    fn pickler_send_sync<W: std::io::Write + Send + Sync>() {
        send_sync::<Pickler<W>>();
    }
    fn pickler_send<W: std::io::Write + Send>() {
        send::<Pickler<W>>();
    }
    // An Unpickler likewise, whenever its reader is.
    fn unpickler_send_sync<R: std::io::Read + Send + Sync>() {
        send_sync::<portable_pickle::Unpickler<R>>();
    }
    fn unpickler_send<R: std::io::Read + Send>() {
        send::<portable_pickle::Unpickler<R>>();
    }
    unpickler_send_sync::<&[u8]>();
    unpickler_send::<std::fs::File>();
    pickler_send_sync::<Vec<u8>>();
    pickler_send::<std::fs::File>();
    send_sync::<Value>();
    send_sync::<portable_pickle::Global>();
    send_sync::<portable_pickle::Object>();
    send_sync::<portable_pickle::Call>();
    send_sync::<portable_pickle::BigInt>();
    send_sync::<portable_pickle::Error>();
    send_sync::<portable_pickle::ErrorKind>();
    #[cfg(feature = "serde")]
    send_sync::<portable_pickle::serde::Error>();
    send_sync::<portable_pickle::ReadOptions>();
    send_sync::<portable_pickle::WriteOptions>();
    let value: Value = from_slice(&portable_pickle::to_vec(&events())).unwrap();
    let back = std::thread::spawn(move || value).join().unwrap();
    let again: Vec<Event> = from_slice(&portable_pickle::to_vec(&back)).unwrap();
    assert_eq!(again, events());
}

/// A protocol-4 pickle whose `BINGET 1` (the memo slot the reader once
/// mistook for the start of the array tools) is followed by data.
#[test]
fn from_reader_keeps_what_follows_a_binget() {
    // pickle.dumps(['hello', 'only-in-slice!', 'both'] with 'hello' memoized
    // at 1 and fetched nowhere), built by hand: PROTO 4, FRAME, EMPTY_LIST,
    // MEMOIZE, MARK, 'hello' MEMOIZE, BINGET 1, POP, 'only-in-slice!',
    // 'both', APPENDS, STOP.
    let mut body = vec![b']', 0x94, b'('];
    body.extend_from_slice(b"\x8c\x05hello\x94");
    body.extend_from_slice(&[b'h', 1, b'0']);
    for s in ["only-in-slice!", "both"] {
        body.push(0x8c);
        body.push(s.len() as u8);
        body.extend_from_slice(s.as_bytes());
    }
    body.extend_from_slice(b"e.");
    let mut bytes = vec![0x80, 4, 0x95];
    bytes.extend_from_slice(&(body.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&body);
    let v: Vec<String> = both_readers(&bytes);
    assert_eq!(v, ["hello", "only-in-slice!", "both"]);
}

/// `pickle.dumps([x, x])` for a shared string at protocols 2–5, and the
/// same for a list of points, as CPython writes them.
#[test]
fn from_reader_reads_shared_references() {
    let python = std::process::Command::new("python3")
        .args([
            "-c",
            "import pickle, sys\n\
             x = 'shared'\n\
             for p in (2, 3, 4, 5):\n\
             \x20   sys.stdout.write(pickle.dumps([x, x], protocol=p).hex() + '\\n')",
        ])
        .output()
        .expect("python3 runs");
    assert!(python.status.success());
    let out = String::from_utf8(python.stdout).unwrap();
    let mut n = 0;
    for line in out.lines() {
        let bytes: Vec<u8> = (0..line.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&line[i..i + 2], 16).unwrap())
            .collect();
        let v: Vec<String> = both_readers(&bytes);
        assert_eq!(v, ["shared", "shared"]);
        n += 1;
    }
    assert_eq!(n, 4);
}

#[derive(PortablePickle, Debug, Clone, PartialEq)]
#[pickle(module = "telemetry")]
struct Series {
    name: String,
    #[pickle(array)]
    samples: Vec<f64>,
}

#[test]
fn from_reader_reads_arrays() {
    let series = vec![
        Series {
            name: "a".into(),
            samples: vec![1.0, 2.5, -3.0],
        },
        Series {
            name: "b".into(),
            samples: vec![],
        },
    ];
    let bytes = portable_pickle::to_vec(&series);
    assert_eq!(both_readers::<Vec<Series>>(&bytes), series);
}
