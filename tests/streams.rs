//! Streams of many pickles (issue 24): `Unpickler`, the reading twin of
//! `Pickler` (its end of stream, errors and offsets, Python's own
//! `pickle.dump` loops), `Pickler::flush_each`, and a `Pickler` poisoned by
//! a failed `dump`. The 10,000-value mixed stream on every reader is the
//! conformance matrix's `stream_mixed` case (tests/conformance/stream.rs).

use std::io::{self, Write};
use std::process::Command;

use portable_pickle::{ErrorKind, Pickler, PortablePickle, Unpickler, Value};

#[derive(PortablePickle, Debug, PartialEq, Clone)]
struct Point {
    x: i64,
    y: i64,
}

#[derive(PortablePickle, Debug, PartialEq, Clone)]
#[pickle(module = "shapes")]
enum Shape {
    Dot(Point),
    Line { from: Point, to: Point },
    Empty,
}

#[derive(PortablePickle, Debug, PartialEq, Clone, Copy)]
enum Color {
    Red,
    Green,
}

fn values() -> Vec<(Shape, Color)> {
    (0..40)
        .map(|i| {
            let shape = match i % 3 {
                0 => Shape::Dot(Point { x: i, y: -i }),
                1 => Shape::Line {
                    from: Point { x: 0, y: i },
                    to: Point { x: i, y: 0 },
                },
                _ => Shape::Empty,
            };
            (shape, if i % 2 == 0 { Color::Red } else { Color::Green })
        })
        .collect()
}

fn session(values: &[(Shape, Color)]) -> Vec<u8> {
    let mut p = Pickler::new(Vec::new());
    for v in values {
        p.dump(v).unwrap();
    }
    p.into_inner()
}

#[test]
fn unpickler_reads_a_session_then_ends_cleanly() {
    let want = values();
    let bytes = session(&want);
    let mut u = Unpickler::new(&bytes[..]);
    let got: Vec<(Shape, Color)> = u.iter().collect::<Result<_, _>>().unwrap();
    assert_eq!(got, want);
    assert_eq!(u.position(), bytes.len() as u64);
    // The end stays the end, and is told apart from a truncated pickle.
    for _ in 0..2 {
        assert_eq!(u.load::<Value>().unwrap_err().kind(), &ErrorKind::EndOfStream);
    }
    let mut cut = Unpickler::new(&bytes[..bytes.len() - 3]);
    let items: Vec<_> = cut.iter::<(Shape, Color)>().collect();
    assert_eq!(items.len(), want.len());
    assert_eq!(items.last().unwrap().as_ref().unwrap_err().kind(), &ErrorKind::Eof);
    // Values too: a later pickle's aliases resolve as the typed read's do.
    let dynamic: Vec<Value> = Unpickler::new(&bytes[..]).iter().collect::<Result<_, _>>().unwrap();
    assert_eq!(dynamic.len(), want.len());
    assert_eq!(
        format!("{:?}", dynamic[1]).matches("Shape.Line").count(),
        1,
        "{:?}",
        dynamic[1]
    );
}

#[test]
fn a_later_pickle_alone_is_still_refused() {
    let bytes = session(&values()[..2]);
    let first = {
        let mut u = Unpickler::new(&bytes[..]);
        u.load::<(Shape, Color)>().unwrap();
        u.position() as usize
    };
    let e = portable_pickle::from_slice::<(Shape, Color)>(&bytes[first..]).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::ForbiddenGlobal { module, .. } if module == "io._pp3"),
        "{e}"
    );
    // An Unpickler that starts at the later pickle has registered nothing.
    let e = Unpickler::new(&bytes[first..]).load::<(Shape, Color)>().unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::ForbiddenGlobal { .. }), "{e}");
    // Error offsets count from the start of the stream.
    let mut joined = bytes[..first].to_vec();
    joined.extend_from_slice(&[0x80, 4, 0xff]);
    let mut u = Unpickler::new(&joined[..]);
    u.load::<(Shape, Color)>().unwrap();
    let e = u.load::<Value>().unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::UnknownOpcode(0xff));
    assert_eq!(e.offset(), Some(first as u64 + 2), "{e}");
}

#[test]
fn unpickler_reads_a_python_pickle_dump_loop() {
    // Python objects of every kind, pickle.dump'ed one after another at
    // every protocol, and the objects of a session re-dumped.
    let bytes = session(&values());
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("streams");
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("session.pkl");
    std::fs::write(&input, &bytes).unwrap();
    for protocol in 0..=5 {
        let out = dir.join(format!("redumped.p{protocol}.pkl"));
        let script = format!(
            "import pickle\n\
             with open({input:?}, 'rb') as f, open({out:?}, 'wb') as o:\n\
             \x20   while f.peek(1):\n\
             \x20       pickle.dump(pickle.load(f), o, protocol={protocol})\n\
             \x20   for x in [1, 'two', (3.0, None), {{'k': [b'v']}}]:\n\
             \x20       pickle.dump(x, o, protocol={protocol})\n",
            input = input.to_str().unwrap(),
            out = out.to_str().unwrap()
        );
        let status = Command::new("python3")
            .arg("-c")
            .arg(&script)
            .status()
            .expect("python3 runs");
        assert!(status.success());
        let data = std::fs::read(&out).unwrap();
        let mut u = Unpickler::new(io::BufReader::new(&data[..]));
        let got: Vec<(Shape, Color)> = (0..values().len()).map(|_| u.load().unwrap()).collect();
        assert_eq!(got, values(), "protocol {protocol}");
        assert_eq!(u.load::<i64>().unwrap(), 1);
        assert_eq!(u.load::<String>().unwrap(), "two");
        assert_eq!(u.load::<(f64, Option<i64>)>().unwrap(), (3.0, None));
        let dict = u.load::<std::collections::BTreeMap<String, Vec<Vec<u8>>>>().unwrap();
        assert_eq!(dict["k"], [b"v".to_vec()]);
        assert_eq!(u.load::<Value>().unwrap_err().kind(), &ErrorKind::EndOfStream);
    }
}

/// A writer that counts flushes.
#[derive(Default)]
struct Flushes {
    bytes: Vec<u8>,
    flushes: usize,
}

impl Write for Flushes {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flushes += 1;
        Ok(())
    }
}

#[test]
fn flush_each_decides_whether_dump_flushes() {
    for (on, want) in [(true, 3), (false, 0)] {
        let mut p = Pickler::new(Flushes::default()).flush_each(on);
        for v in &values()[..3] {
            p.dump(v).unwrap();
        }
        let w = p.into_inner();
        assert_eq!(w.flushes, want, "flush_each({on})");
        assert_eq!(w.bytes, session(&values()[..3]), "the same bytes either way");
    }
}

/// A writer that accepts `left` bytes, fails once, then accepts everything
/// again (a transient error: a full disk that was cleaned, a socket
/// buffer): only the poisoning stops a torn stream from going on.
struct FailsOnceAfter {
    bytes: Vec<u8>,
    left: usize,
    failed: bool,
}

impl Write for FailsOnceAfter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.failed && self.left == 0 {
            self.failed = true;
            return Err(io::Error::other("disk full"));
        }
        let n = if self.failed {
            buf.len()
        } else {
            buf.len().min(self.left)
        };
        self.bytes.extend_from_slice(&buf[..n]);
        self.left -= n.min(self.left);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_dump_that_tears_a_pickle_poisons_the_pickler() {
    let want = &values()[..4];
    let whole = session(want);
    // Pickle boundaries of the whole session.
    let mut ends = vec![0];
    let mut u = Unpickler::new(&whole[..]);
    while u.load::<Value>().is_ok() {
        ends.push(u.position() as usize);
    }
    let mut torn_cases = 0;
    for n in 0..whole.len() {
        let mut p = Pickler::new(FailsOnceAfter {
            bytes: Vec::new(),
            left: n,
            failed: false,
        });
        let results: Vec<bool> = want.iter().map(|v| p.dump(v).is_ok()).collect();
        let failed = results.iter().position(|ok| !ok).expect("one dump fails");
        let torn = !ends.contains(&n);
        assert_eq!(p.is_poisoned(), torn, "n = {n}");
        let got = p.into_inner().bytes;
        let read: Vec<(Shape, Color)> = Unpickler::new(&got[..]).iter().map_while(Result::ok).collect();
        if torn {
            // Nothing after the torn pickle: every later dump failed.
            torn_cases += 1;
            assert!(results[failed..].iter().all(|ok| !ok), "n = {n}: {results:?}");
            assert_eq!(got, whole[..n], "n = {n}");
            assert_eq!(read, want[..failed], "n = {n}");
        } else {
            // The failed dump wrote nothing: the session goes on, and the
            // stream holds every other value.
            assert!(results[failed + 1..].iter().all(|ok| *ok), "n = {n}: {results:?}");
            let mut rest = want.to_vec();
            rest.remove(failed);
            assert_eq!(read, rest, "n = {n}");
        }
    }
    assert!(torn_cases > whole.len() / 2, "{torn_cases} torn cases");
}
