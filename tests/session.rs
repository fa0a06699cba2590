//! `Pickler` sessions (issue 14): the size of later pickles, and a Rust
//! process streaming 100,000 records through a pipe to `python3`
//! (examples/pipe.rs, examples/pipe_consumer.py). The 10,000-value session
//! on every reader is the corpus case `session` (tests/support/session.rs).

use std::path::PathBuf;
use std::process::Command;

use portable_pickle::{Pickler, PortablePickle};

#[derive(PortablePickle, Debug, PartialEq)]
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

/// Eight samples, as an array field and as a list field.
#[derive(PortablePickle, Debug, PartialEq)]
struct Samples {
    id: u32,
    #[pickle(array)]
    values: Vec<f64>,
}

#[derive(PortablePickle)]
#[pickle(name = "Samples")]
struct SamplesAsList {
    id: u32,
    values: Vec<f64>,
}

#[test]
fn later_pickles_with_arrays_carry_no_header() {
    let values: Vec<f64> = (0..8).map(|i| f64::from(i) / 4.0).collect();
    let mut p = Pickler::new(Vec::new());
    p.dump(&Point { x: 0.5, y: 0.5 }).unwrap();
    let first = p.get_ref().len();
    // The session's first array (and a new class): the header, once; the
    // array tools are made and registered.
    p.dump(&Samples {
        id: 0,
        values: values.clone(),
    })
    .unwrap();
    let mut ends = vec![p.get_ref().len()];
    for id in 1..3 {
        p.dump(&Samples {
            id,
            values: values.clone(),
        })
        .unwrap();
        ends.push(p.get_ref().len());
    }
    p.dump(&portable_pickle::Array(&[1.5f64, -2.0, 4.25][..])).unwrap();
    ends.push(p.get_ref().len());
    p.dump(&Point { x: 2.0, y: 3.0 }).unwrap();
    let bytes = p.into_inner();
    assert!(bytes[first..ends[0]].starts_with(portable_pickle::HEADER));
    let header = &portable_pickle::HEADER[..16];
    for w in ends.windows(2) {
        let later = &bytes[w[0]..w[1]];
        assert!(
            !later.windows(header.len()).any(|x| x == header),
            "a later pickle with an array carries the header"
        );
    }
    // Bytes: against the same value with the field as a list.
    let mut lists = Pickler::new(Vec::new());
    lists
        .dump(&SamplesAsList {
            id: 0,
            values: values.clone(),
        })
        .unwrap();
    let before = lists.get_ref().len();
    lists
        .dump(&SamplesAsList {
            id: 1,
            values: values.clone(),
        })
        .unwrap();
    let as_list = lists.get_ref().len() - before;
    let as_array = ends[1] - ends[0];
    println!(
        "later pickle of Samples (8 f64): array field {as_array} B, list field {as_list} B; bound 1.3 × {as_list} + 64 = {:.0}",
        1.3 * as_list as f64 + 64.0
    );
    assert!(
        as_array as f64 <= 1.3 * as_list as f64 + 64.0,
        "{as_array} vs {as_list}"
    );

    // A later pickle with arrays read alone is refused; in its session it reads.
    let e = portable_pickle::from_slice::<Samples>(&bytes[ends[0]..]).unwrap_err();
    assert!(
        matches!(e.kind(), portable_pickle::ErrorKind::ForbiddenGlobal { module, .. } if module == "io._pp3"),
        "{e}"
    );
    let mut u = portable_pickle::Unpickler::new(&bytes[..]);
    assert_eq!(u.load::<Point>().unwrap().x, 0.5);
    let got: Vec<Samples> = (0..3).map(|_| u.load().unwrap()).collect();
    assert_eq!(got.iter().map(|s| s.id).collect::<Vec<_>>(), [0, 1, 2]);
    assert!(got.iter().all(|s| s.values == values));
    assert_eq!(
        u.load::<portable_pickle::Array<Vec<f64>>>().unwrap().0,
        [1.5, -2.0, 4.25]
    );
    assert_eq!(u.load::<Point>().unwrap().y, 3.0);
    run_python(
        "session_array.pkl",
        &bytes,
        r#"
import array, pickle, sys
with open(sys.argv[1], 'rb') as f:
    xs = [pickle.load(f) for _ in range(6)]
    assert f.read() == b''
P = type(xs[0])
assert xs[0] == P(0.5, 0.5) and xs[5] == P(2.0, 3.0)
for i, s in enumerate(xs[1:4]):
    assert type(s).__name__ == 'Samples' and s.id == i, s
    assert s.values == array.array('d', [k / 4.0 for k in range(8)]), s.values
assert xs[4] == array.array('d', [1.5, -2.0, 4.25]), xs[4]
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

/// A file named after the session's short name in the working directory
/// is never imported, and a module planted under that name in
/// `sys.modules` is refused by the session's first pickle: CPython never
/// runs the code either holds (a marker file shows whether it ran). A
/// stream that names the plain module `_pp3` shows the file would run.
#[test]
fn the_session_name_resolves_only_to_the_namespace() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("session_name");
    std::fs::create_dir_all(&dir).unwrap();
    let marker = dir.join("ran");
    let plant = format!("open({:?}, 'w').write('ran')\n", marker.to_str().unwrap());
    for module in ["_pp3", "_pp_v2", "io"] {
        std::fs::write(dir.join(format!("{module}.py")), &plant).unwrap();
    }
    let mut p = Pickler::new(Vec::new());
    p.dump(&Point { x: 1.0, y: 2.0 }).unwrap();
    let first = p.get_ref().len();
    p.dump(&Point { x: 3.0, y: 4.0 }).unwrap();
    let bytes = p.into_inner();
    let session = dir.join("session.pkl");
    let later = dir.join("later.pkl");
    std::fs::write(&session, &bytes).unwrap();
    std::fs::write(&later, &bytes[first..]).unwrap();
    let mut plain = vec![0x80, 4];
    plain.extend(b"c_pp3\nX\n.");
    let plain_path = dir.join("plain.pkl");
    std::fs::write(&plain_path, &plain).unwrap();
    // Runs `script` with the directory as the working directory and first
    // on sys.path (as `python3 -c` puts it); returns its stdout and whether
    // the marker was written.
    let run = |script: &str, file: &std::path::Path| {
        let _ = std::fs::remove_file(&marker);
        let out = Command::new("python3")
            .current_dir(&dir)
            .args(["-c", script])
            .arg(file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        (String::from_utf8_lossy(&out.stdout).trim().to_owned(), marker.exists())
    };
    let try_load = "import pickle, sys\ntry:\n    pickle.load(open(sys.argv[1], 'rb'))\n    print('loaded')\nexcept Exception as e:\n    print(type(e).__name__)\n";
    // The threat: a module name alone is imported from the working directory.
    assert_eq!(run(try_load, &plain_path), ("AttributeError".to_owned(), true));
    // The later pickle alone: `io._pp3` is not importable from any file.
    assert_eq!(run(try_load, &later), ("ModuleNotFoundError".to_owned(), false));
    // The whole session loads, naming the namespace.
    let both = "import pickle, sys\nf = open(sys.argv[1], 'rb')\na, b = pickle.load(f), pickle.load(f)\nprint(type(a) is type(b), sys.modules['io._pp3'] is sys.modules['_portable_pickle_v3'])\n";
    assert_eq!(run(both, &session), ("True True".to_owned(), false));
    // A module planted under the short name: the first pickle refuses it,
    // so the alias never resolves to the planted callable.
    let planted = format!(
        "import pickle, sys, types\nfake = types.ModuleType('io._pp3')\nfake.__getattr__ = lambda name: (lambda *a: open({:?}, 'w').write('ran'))\nsys.modules['io._pp3'] = fake\nf = open(sys.argv[1], 'rb')\ntry:\n    pickle.load(f)\n    pickle.load(f)\n    print('loaded')\nexcept Exception as e:\n    print(type(e).__name__)\n",
        marker.to_str().unwrap()
    );
    assert_eq!(run(&planted, &session), ("StopIteration".to_owned(), false));
}

/// The header checks the `_portable_pickle_v3` entry it finds in
/// `sys.modules` before reading a tool from it: an entry without this
/// format's check value (a module that answers every attribute with a
/// command, one with every tool but no `format_version` (`v`), one with another
/// version's) makes the load raise before anything of it is called.
#[test]
fn the_header_refuses_a_planted_namespace() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("planted_namespace");
    std::fs::create_dir_all(&dir).unwrap();
    let marker = dir.join("ran");
    let stream = dir.join("point.pkl");
    std::fs::write(&stream, portable_pickle::to_vec(&Point { x: 1.0, y: 2.0 })).unwrap();
    let run = |plant: &str| {
        let _ = std::fs::remove_file(&marker);
        let script = format!(
            "import pickle, sys, types\nrun = lambda *a, **k: open({marker:?}, 'w').write('ran')\nfake = types.ModuleType('_portable_pickle_v3')\n{plant}\nsys.modules['_portable_pickle_v3'] = fake\ntry:\n    print(pickle.load(open(sys.argv[1], 'rb')))\nexcept Exception as e:\n    print(type(e).__name__, e)\n",
            marker = marker.to_str().unwrap()
        );
        let out = Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&stream)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        (String::from_utf8_lossy(&out.stdout).trim().to_owned(), marker.exists())
    };
    // Every tool (docs/FORMAT.md: one-letter names; `v` is `format_version`,
    // `h` the core's bytes).
    use portable_runtime::layout::{CLASS_TOOLS, GC_TOOLS, NAMESPACE_TOOLS};
    let names: Vec<String> = [&NAMESPACE_TOOLS[..], &GC_TOOLS, &CLASS_TOOLS]
        .concat()
        .iter()
        .map(|t| format!("{t:?}"))
        .collect();
    let tools = format!(
        "for name in ({},):\n    setattr(fake, name, run)\nfake.h = (b'', b'')",
        names.join(", ")
    );
    let refused = (
        format!(
            "AttributeError 'NoneType' object has no attribute '{}'",
            NAMESPACE_TOOLS[0]
        ),
        false,
    );
    assert_eq!(run("fake.__getattr__ = lambda name: run"), refused);
    assert_eq!(run(&format!("{tools}\nfake.v = 1")), refused);
    let missing = "AttributeError module '_portable_pickle_v3' has no attribute 'v'";
    assert_eq!(run(&tools), (missing.to_owned(), false));
    // The genuine namespace, installed by an earlier stream, passes.
    let genuine = "pickle.load(open(sys.argv[1], 'rb'))\nfake = sys.modules['_portable_pickle_v3']";
    assert_eq!(run(genuine), ("Point(x=1.0, y=2.0)".to_owned(), false));
}

/// A data enum of four classes (base and three variants) and a unit enum.
#[derive(PortablePickle, Debug, PartialEq, Clone)]
enum Event {
    Login { user: String },
    Metric { name: String, value: f64 },
    Shutdown,
}

#[derive(PortablePickle, Debug, PartialEq, Clone, Copy)]
enum Level {
    Low,
    Mid,
    High,
}

/// The globals a pickle looks up (`GLOBAL`/`STACK_GLOBAL`), by the crate's
/// own opcode decoder.
fn lookups(pickle: &[u8]) -> usize {
    portable_pickle::inspect::ops(pickle)
        .filter_map(Result::ok)
        .filter(|op| matches!(op.code, b'c' | 0x93))
        .count()
}

/// A later pickle looks up only the classes and members it uses: the
/// others' memo slots hold a `None` placeholder, and the first use of a
/// class looks it up and puts it in its slot (docs/FORMAT.md, "Sessions").
/// Python loads every pickle with a `pickle.load` loop, and Rust's
/// `Unpickler` reads them back.
#[test]
fn later_pickles_look_up_only_the_classes_they_use() {
    let values = vec![
        (Event::Login { user: "ann".into() }, Level::Low),
        (
            Event::Metric {
                name: "rx".into(),
                value: 1.5,
            },
            Level::High,
        ),
        (Event::Shutdown, Level::High),
    ];
    let mut p = Pickler::new(Vec::new());
    p.dump(&values).unwrap();
    let mut ends = vec![p.get_ref().len()];
    let later: Vec<Vec<(Event, Level)>> = vec![
        vec![(
            Event::Metric {
                name: "tx".into(),
                value: 2.0,
            },
            Level::Mid,
        )],
        vec![(Event::Shutdown, Level::Low), (Event::Shutdown, Level::Low)],
        values.clone(),
    ];
    for v in &later {
        p.dump(v).unwrap();
        ends.push(p.get_ref().len());
    }
    let bytes = p.into_inner();
    let pickle = |i: usize| &bytes[ends[i - 1]..ends[i]];
    // One variant and one member: two lookups, where the eager reference
    // made seven (four classes, three members).
    assert_eq!(lookups(pickle(1)), 2, "{:?}", pickle(1));
    assert_eq!(lookups(pickle(2)), 2);
    assert_eq!(lookups(pickle(3)), 3 + 2);
    let mut u = portable_pickle::Unpickler::new(&bytes[..]);
    assert_eq!(u.load::<Vec<(Event, Level)>>().unwrap(), values);
    for v in &later {
        assert_eq!(&u.load::<Vec<(Event, Level)>>().unwrap(), v);
    }
    run_python(
        "later_lookups.pkl",
        &bytes,
        r#"
import pickle, sys
with open(sys.argv[1], 'rb') as f:
    loads = [pickle.load(f) for _ in range(4)]
first, one, two, again = loads
E = type(first[0][0]).__mro__[1]
L = type(first[0][1])
assert one == [(E.Metric('tx', 2.0), L.Mid)], one
assert two == [(E.Shutdown(), L.Low)] * 2 and two[0][0] == two[1][0] and two[0][1] is L.Low
assert again == first and type(again[1][0]) is E.Metric
"#,
    );
}

/// A `#[pickle(serde)]` field that fails inside a struct the serde bridge
/// has open: the later pickle fails before anything reaches the writer,
/// the `Pickler` goes on, and the stream holds the pickles that succeeded.
#[cfg(feature = "serde")]
#[test]
fn a_failed_serde_field_leaves_the_session_usable() {
    /// `True`, or an error.
    struct Maybe(bool);
    impl serde::Serialize for Maybe {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                true => s.serialize_bool(true),
                false => Err(serde::ser::Error::custom("boom")),
            }
        }
    }
    #[derive(serde::Serialize)]
    struct Inner {
        a: u32,
        b: Maybe,
    }
    #[derive(PortablePickle)]
    #[pickle(write_only)]
    struct Event {
        id: u32,
        #[pickle(serde)]
        inner: Inner,
    }
    let event = |id: u32, ok: bool| Event {
        id,
        inner: Inner {
            a: id * 10,
            b: Maybe(ok),
        },
    };
    let mut p = Pickler::new(Vec::new());
    p.dump(&event(1, true)).unwrap();
    let e = p.dump(&event(2, false)).unwrap_err();
    assert!(e.to_string().contains("boom at .b"), "{e}");
    assert!(!p.is_poisoned());
    p.dump(&event(3, true)).unwrap();
    p.dump(&event(4, true)).unwrap();
    run_python(
        "session_failed_serde_field.pkl",
        &p.into_inner(),
        r#"
import pickle, sys
with open(sys.argv[1], 'rb') as f:
    events = [pickle.load(f) for _ in range(3)]
    assert f.read() == b''
got = [(e.id, e.inner.a, e.inner.b) for e in events]
assert got == [(1, 10, True), (3, 30, True), (4, 40, True)], got
"#,
    );
}
