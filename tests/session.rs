//! `Pickler` sessions (issue 14): the size of later pickles, and a Rust
//! process streaming 100,000 records through a pipe to `python3`
//! (examples/pipe.rs, examples/pipe_consumer.py). The 10,000-value session
//! on every reader is the corpus case `session` (tests/support/session.rs).

use std::path::PathBuf;
use std::process::Command;

use portable_pickle::{Pickler, PortablePickle};

#[derive(PortablePickle)]
struct Point {
    x: f64,
    y: f64,
}

#[test]
fn a_later_point_pickle_is_at_most_48_bytes() {
    let mut p = Pickler::new(Vec::new());
    p.dump(&Point { x: 1.5, y: -2.5 }).unwrap();
    let first = p.get_ref().len();
    p.dump(&Point { x: 3.0, y: 4.0 }).unwrap();
    let later = p.get_ref().len() - first;
    println!("one Point: first pickle {first} B, later pickle {later} B");
    assert!(later <= 48, "{later} bytes");
    // The later pickle carries no header, and the first all of it.
    let bytes = p.into_inner();
    assert!(bytes.starts_with(portable_pickle::HEADER));
    assert!(!bytes[first..].windows(8).any(|w| w == &portable_pickle::HEADER[..8]));
}

#[test]
fn self_contained_pickles_each_carry_the_header() {
    let mut p = Pickler::new(Vec::new()).self_contained(true);
    p.dump(&Point { x: 1.0, y: 2.0 }).unwrap();
    let first = p.get_ref().clone();
    p.dump(&Point { x: 1.0, y: 2.0 }).unwrap();
    let bytes = p.into_inner();
    assert_eq!(bytes.len(), 2 * first.len());
    assert_eq!(&bytes[first.len()..], &first[..]);
    assert_eq!(first, portable_pickle::to_vec(&Point { x: 1.0, y: 2.0 }));
}

/// `target/<profile>/examples/pipe`, which `cargo test` builds.
fn pipe_example() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>");
    let pipe = dir
        .join("examples")
        .join(format!("pipe{}", std::env::consts::EXE_SUFFIX));
    assert!(
        pipe.exists(),
        "{} missing: cargo test builds the examples",
        pipe.display()
    );
    pipe
}

#[test]
fn records_through_a_pipe_to_python() {
    let pipe = pipe_example();
    let n = "100000";
    let python = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/pipe_consumer.py"))
        .arg(&pipe)
        .arg(n)
        .output()
        .expect("python3 runs");
    assert!(
        python.status.success(),
        "pipe_consumer.py failed: {}",
        String::from_utf8_lossy(&python.stderr)
    );
    let rust = Command::new(&pipe)
        .args(["--checksum", n])
        .output()
        .expect("pipe --checksum");
    assert!(rust.status.success());
    let (py, rs) = (
        String::from_utf8_lossy(&python.stdout),
        String::from_utf8_lossy(&rust.stdout),
    );
    println!("python3: {py}rust:    {rs}");
    assert_eq!(py, rs);
    assert!(py.starts_with("100000 "));
}

#[test]
fn a_large_later_pickle_is_framed_and_loads() {
    let points: Vec<Point> = (0..20_000).map(|i| Point { x: i as f64, y: -1.0 }).collect();
    let mut p = Pickler::new(Vec::new());
    p.dump(&Point { x: 0.5, y: 0.5 }).unwrap();
    let first = p.get_ref().len();
    p.dump(&points).unwrap();
    p.dump(&Point { x: 2.0, y: 3.0 }).unwrap();
    let bytes = p.into_inner();
    // PROTO 4, then the FRAME inserted once the pickle outgrew a frame.
    assert_eq!(&bytes[first..first + 3], &[0x80, 4, 0x95]);
    run_python(
        "session_large.pkl",
        &bytes,
        r#"
import pickle, sys
with open(sys.argv[1], 'rb') as f:
    a, b, c = pickle.load(f), pickle.load(f), pickle.load(f)
    assert f.read() == b''
P = type(a)
assert a == P(0.5, 0.5) and c == P(2.0, 3.0)
assert b == [P(float(i), -1.0) for i in range(20000)]
"#,
    );
}

/// A later pickle that meets a string too large for a frame while it has
/// none yet: the string goes outside frames, the rest into frames after
/// it, and no `FRAME` is inserted before the string.
#[test]
fn a_later_pickle_with_a_large_string_loads() {
    let big = "x".repeat(100_000);
    let points: Vec<Point> = (0..10_000).map(|i| Point { x: i as f64, y: 1.0 }).collect();
    let mut p = Pickler::new(Vec::new());
    p.dump(&Point { x: 0.5, y: 0.5 }).unwrap();
    let first = p.get_ref().len();
    p.dump(&(Point { x: 1.0, y: 2.0 }, big.as_str(), &points)).unwrap();
    let bytes = p.into_inner();
    // PROTO 4 and the body start unframed: the large string did not move
    // a FRAME in front of them.
    assert_eq!(&bytes[first..first + 2], &[0x80, 4]);
    assert_ne!(bytes[first + 2], 0x95);
    run_python(
        "session_large_str.pkl",
        &bytes,
        r#"
import pickle, sys
with open(sys.argv[1], 'rb') as f:
    a, b = pickle.load(f), pickle.load(f)
    assert f.read() == b''
P = type(a)
assert a == P(0.5, 0.5)
assert b == (P(1.0, 2.0), "x" * 100000, [P(float(i), 1.0) for i in range(10000)]), repr(b)[:200]
"#,
    );
}

#[test]
fn a_session_pickle_with_an_array_carries_the_header() {
    let data = vec![1.5f64, -2.0, 4.25];
    let mut p = Pickler::new(Vec::new());
    p.dump(&Point { x: 0.5, y: 0.5 }).unwrap();
    let first = p.get_ref().len();
    p.dump(&portable_pickle::Array(&data)).unwrap();
    let second = p.get_ref().len();
    p.dump(&Point { x: 2.0, y: 3.0 }).unwrap();
    let bytes = p.into_inner();
    assert!(bytes[first..second].starts_with(portable_pickle::HEADER));
    assert!(bytes.len() - second <= 48);
    run_python(
        "session_array.pkl",
        &bytes,
        r#"
import array, pickle, sys
with open(sys.argv[1], 'rb') as f:
    a, b, c = pickle.load(f), pickle.load(f), pickle.load(f)
P = type(a)
assert a == P(0.5, 0.5) and c == P(2.0, 3.0)
assert b == array.array('d', [1.5, -2.0, 4.25]), b
"#,
    );
}

/// Writes `bytes` to `file` and runs `script` on it (`sys.argv[1]`) with
/// the machine's python3, which must succeed.
fn run_python(file: &str, bytes: &[u8], script: &str) {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(file);
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
