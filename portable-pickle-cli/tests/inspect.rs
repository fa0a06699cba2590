//! `portable-pickle inspect` on streams this test writes: the report's
//! content against known values (classes, fields, kinds, instance counts,
//! globals, sizes), the exit status on an off-list global and on garbage or
//! truncated input, and CPython's own pickles.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use portable_format::opcodes::{EMPTY_TUPLE, FRAME, POP, REDUCE, TUPLE1, TUPLE3};
use portable_format::writer::OpWriter;
use portable_pickle::inspect::{summarize, ClassKind, Place};
use portable_pickle::PortablePickle;

/// A point in the plane.
#[derive(PortablePickle, Debug)]
struct Point {
    x: i64,
    y: i64,
}

#[derive(PortablePickle)]
enum Shape {
    Circle { center: Point, radius: f64 },
    Polygon(Vec<Point>),
    Empty,
}

#[derive(PortablePickle)]
enum Color {
    Red,
    Green = 5,
    Blue,
}

#[derive(PortablePickle)]
struct Rgb(u8, u8, u8);

#[derive(PortablePickle)]
#[pickle(frozen)]
struct Marker;

#[derive(PortablePickle)]
#[pickle(module = "geo.shapes", name = "Vector")]
struct RustVec {
    dx: f64,
    dy: f64,
}

#[derive(PortablePickle)]
struct Scene {
    shapes: Vec<Shape>,
    colors: Vec<Color>,
    rgb: Rgb,
    marker: Marker,
    wait: Duration,
    arrows: Vec<RustVec>,
}

fn scene() -> Scene {
    let p = |x, y| Point { x, y };
    Scene {
        shapes: vec![
            Shape::Circle {
                center: p(1, 2),
                radius: 3.0,
            },
            Shape::Polygon(vec![p(0, 0), p(1, 0), p(0, 1)]),
            Shape::Empty,
            Shape::Empty,
        ],
        colors: vec![Color::Red, Color::Blue, Color::Blue, Color::Green, Color::Blue],
        rgb: Rgb(255, 0, 0),
        marker: Marker,
        wait: Duration::from_millis(1500),
        arrows: vec![RustVec { dx: 1.0, dy: 0.0 }, RustVec { dx: 0.0, dy: 1.0 }],
    }
}

fn dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("inspect");
    std::fs::create_dir_all(&d).expect("tmp dir");
    d
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir().join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

fn inspect(path: &PathBuf, json: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_portable-pickle"));
    cmd.arg("inspect").arg(path);
    if json {
        cmd.arg("--json");
    }
    cmd.output().expect("run portable-pickle")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

/// Checks that `text` is one valid JSON document (with the machine's python3).
fn assert_json(text: &str) {
    let mut child = Command::new("python3")
        .args(["-c", "import json, sys; json.load(sys.stdin)"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), text.as_bytes()).expect("pipe");
    assert!(child.wait().expect("python3").success(), "invalid JSON: {text}");
}

#[test]
fn type_table_counts_and_globals_of_a_derived_stream() {
    let bytes = portable_pickle::to_vec(&scene());
    let s = summarize(&bytes);
    assert!(s.error.is_none(), "{:?}", s.error);
    let h = s.header.as_ref().expect("header recognised");
    assert_eq!(
        (h.profile.as_str(), h.version),
        ("default", portable_pickle::FORMAT_VERSION)
    );
    assert_eq!(h.len, portable_pickle::HEADER.len() as u64);
    assert_eq!(s.protocol, Some(4));

    let class = |name: &str| {
        s.classes
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no class {name} in {:#?}", s.classes))
    };
    let fields = |name: &str| class(name).fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    let ns = portable_pickle::NAMESPACE;

    let point = class("Point");
    assert_eq!(
        (point.kind, point.module.as_str(), point.instances),
        (ClassKind::Struct, ns, 4)
    );
    assert_eq!(fields("Point"), ["x", "y"]);
    assert!(point.fields.iter().all(|f| f.annotation.as_deref() == Some("int")));
    assert_eq!(point.doc.as_deref(), Some("A point in the plane."));
    assert!(point.key.as_deref().is_some_and(|k| k.starts_with("Point_")));

    assert_eq!(
        (class("Shape").kind, class("Shape").instances),
        (ClassKind::DataEnum, 0)
    );
    let circle = class("Shape.Circle");
    assert_eq!(
        (circle.kind, circle.base.as_deref(), circle.instances),
        (ClassKind::Variant, Some("Shape"), 1)
    );
    assert_eq!(fields("Shape.Circle"), ["center", "radius"]);
    assert_eq!(fields("Shape.Polygon"), ["_0"]);
    assert_eq!(class("Shape.Polygon").instances, 1);
    assert_eq!((class("Shape.Empty").instances, fields("Shape.Empty").len()), (2, 0));

    let color = class("Color");
    assert_eq!((color.kind, color.instances), (ClassKind::UnitEnum, 5));
    let members: Vec<_> = color.members.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    assert_eq!(members, [("Red", Some(0)), ("Green", Some(5)), ("Blue", Some(6))]);

    assert_eq!((class("Rgb").kind, class("Rgb").instances), (ClassKind::TupleStruct, 1));
    assert_eq!(fields("Rgb"), ["_0", "_1", "_2"]);
    let marker = class("Marker");
    assert_eq!(
        (marker.kind, marker.frozen, marker.instances),
        (ClassKind::UnitStruct, true, 1)
    );
    let vector = class("Vector");
    assert_eq!(
        (vector.kind, vector.declared_module.as_deref(), vector.instances),
        (ClassKind::Struct, Some("geo.shapes"), 2)
    );
    assert_eq!(class("Scene").instances, 1);
    let td = class("timedelta");
    assert_eq!(
        (td.kind, td.module.as_str(), td.instances),
        (ClassKind::Global, "datetime", 1)
    );
    // The header's own calls (builtins.map, …) are no instances.
    let globals: Vec<_> = s
        .classes
        .iter()
        .filter(|c| c.kind == ClassKind::Global)
        .map(|c| &c.name)
        .collect();
    assert_eq!(globals, ["timedelta"]);

    // Globals: the header's, the payload's, the declared module's
    // definition (importlib), the body's timedelta; all on the allowlist.
    let has = |m: &str, n: &str, place: fn(&Place) -> bool| {
        s.globals
            .iter()
            .any(|g| g.module == m && g.name == n && place(&g.place))
    };
    assert!(has("pickle", "loads", |p| *p == Place::Stream));
    assert!(has("zlib", "decompress", |p| *p == Place::Stream));
    assert!(has("dataclasses", "dataclass", |p| *p == Place::Payload));
    assert!(has("datetime", "timedelta", |p| *p == Place::Stream));
    assert!(has(
        "importlib",
        "import_module",
        |p| matches!(p, Place::ClassDefinition { key, .. } if key.starts_with("Vector_"))
    ));
    assert!(s
        .globals
        .iter()
        .all(|g| portable_pickle::inspect::is_allowed(&g.module, &g.name)));
    assert!(s.nested.iter().all(|n| n.error.is_none()), "{:?}", s.nested);

    // Sizes add up; the header is the static header; descriptors are most
    // of the rest of so small a value.
    let z = s.sizes;
    assert_eq!(z.total, bytes.len() as u64);
    assert_eq!(z.header + z.type_table + z.body + z.trailing, z.total);
    assert_eq!((z.header, z.trailing), (portable_pickle::HEADER.len() as u64, 0));
    assert!(z.type_table > z.body, "{z:?}");

    // The tool: the same facts in text and JSON, exit status 0.
    let path = write("scene.pkl", &bytes);
    let out = inspect(&path, false);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    for needle in [
        "format    portable-pickle stream, format version 3, profile default",
        "header    recognised: ",
        "  Point  struct  module _portable_pickle_v3  instances 4",
        "      fields  x: int, y: int",
        "  Shape.Circle  variant of Shape  module _portable_pickle_v3  instances 1",
        "  Color  unit enum  module _portable_pickle_v3  instances 5",
        "      members Red = 0, Green = 5, Blue = 6",
        "  Marker  unit struct, frozen",
        "(real module geo.shapes preferred)",
        "  datetime.timedelta ",
        "all on the allowlist",
        "reader    ok",
        "verdict   OK",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    let out = inspect(&path, true);
    let json = stdout(&out);
    assert!(out.status.success());
    assert_json(&json);
    let format = format!(
        "\"format\":{{\"portable\":true,\"version\":{},\"profile\":\"default\"",
        portable_pickle::FORMAT_VERSION
    );
    for needle in [
        "\"ok\":true",
        format.as_str(),
        "\"name\":\"Point\",\"module\":\"_portable_pickle_v3\"",
        "\"kind\":\"tuple struct\"",
        "{\"module\":\"datetime\",\"name\":\"timedelta\",\"status\":\"allowlist\",\"allowed\":true,\"count\":1",
        "\"off_list\":0,\"malformed\":null",
    ] {
        assert!(json.contains(needle), "missing {needle:?} in\n{json}");
    }
}

#[test]
fn off_list_global_exits_non_zero() {
    // os.system('echo hi'), as a hand-built protocol-4 pickle.
    let mut w = OpWriter::new();
    w.proto();
    w.global("os", "system");
    w.str("echo hi");
    w.tuple_close(1);
    w.reduce();
    w.op(portable_format::opcodes::STOP);
    let path = write("os_system.pkl", w.as_bytes());
    let out = inspect(&path, false);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("os.system"), "{text}");
    assert!(text.contains("OFF-LIST"), "{text}");
    assert!(text.contains("forbidden global `os.system`"), "{text}");
    assert!(text.contains("at byte 14 (STACK_GLOBAL)"), "{text}");

    let json = stdout(&inspect(&path, true));
    assert_json(&json);
    assert!(
        json.contains("{\"module\":\"os\",\"name\":\"system\",\"status\":\"OFF-LIST\",\"allowed\":false"),
        "{json}"
    );
    assert!(json.contains("\"off_list\":1"), "{json}");

    // The same global hidden in a portable stream's body still fails it.
    let mut bytes = portable_pickle::to_vec(&Point { x: 1, y: 2 });
    bytes.pop(); // STOP
    let mut w = OpWriter::new();
    w.global("os", "system");
    w.op(portable_format::opcodes::POP);
    w.op(portable_format::opcodes::STOP);
    bytes.extend_from_slice(w.as_bytes());
    let out = inspect(&write("point_os.pkl", &bytes), false);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("os.system"));
}

#[test]
fn garbage_and_truncated_input_exit_non_zero_naming_the_offset() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "garbage.pkl",
            b"\x80\x04\xff\xfe not a pickle".to_vec(),
            "unknown opcode 0xff at byte 2",
        ),
        ("empty.pkl", Vec::new(), "unexpected end of input at byte 0"),
        ("text.pkl", b"hello world\n".to_vec(), "at byte"),
        ("underflow.pkl", b"\x80\x04R.".to_vec(), "at byte 2 (REDUCE)"),
        (
            "long_frame.pkl",
            b"\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\x7f".to_vec(),
            "at byte 2 (FRAME)",
        ),
    ];
    let full = portable_pickle::to_vec(&scene());
    let cut = full.len() / 2;
    let mut cases = cases;
    cases.push(("truncated.pkl", full[..cut].to_vec(), "at byte"));
    cases.push((
        "header_only.pkl",
        portable_pickle::HEADER.to_vec(),
        "unexpected end of input at byte",
    ));
    for (name, bytes, needle) in cases {
        let out = inspect(&write(name, &bytes), false);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {text}");
        assert!(text.contains("verdict   MALFORMED: "), "{name}: {text}");
        assert!(text.contains(needle), "{name}: missing {needle:?} in\n{text}");
        let json = stdout(&inspect(&write(name, &bytes), true));
        assert_json(&json);
        assert!(json.contains("\"malformed\":{\"message\":"), "{name}: {json}");
    }
    // Every prefix of a stream: never a panic, always a verdict.
    for n in (0..full.len()).step_by(97) {
        let s = summarize(&full[..n]);
        assert!(s.error.is_some(), "prefix {n}");
    }
}

#[test]
fn missing_file_and_bad_usage_exit_2() {
    let bin = env!("CARGO_BIN_EXE_portable-pickle");
    let out = Command::new(bin)
        .args(["inspect", "/nonexistent/x.pkl"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(bin).args(["frobnicate"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(bin).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
}

/// CPython's own pickles, protocols 0–5: plain data is clean; a class
/// outside the allowlist is listed and fails; objects loaded from a stream
/// and re-pickled by CPython are counted by class.
#[test]
fn cpython_pickles() {
    let stream = write(
        "for_python.pkl",
        &portable_pickle::to_vec(&vec![Point { x: 1, y: 2 }, Point { x: 3, y: 4 }]),
    );
    let script = r#"
import collections, pickle, sys
out, stream = sys.argv[1], sys.argv[2]
points = pickle.load(open(stream, "rb"))
for p in range(6):
    open(f"{out}/plain_{p}.pkl", "wb").write(pickle.dumps({"a": [1, 2.5, "x", [], {}], "b": (None, True, 10**30)}, protocol=p))
    open(f"{out}/ordered_{p}.pkl", "wb").write(pickle.dumps(collections.OrderedDict(a=1), protocol=p))
    open(f"{out}/repickled_{p}.pkl", "wb").write(pickle.dumps(points, protocol=p))
"#;
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(dir())
        .arg(&stream)
        .status()
        .expect("python3");
    assert!(status.success());
    for p in 0..6 {
        let out = inspect(&dir().join(format!("plain_{p}.pkl")), false);
        let text = stdout(&out);
        assert!(out.status.success(), "protocol {p}: {text}");
        assert!(text.contains("plain pickle"), "{text}");
        assert!(text.contains("globals (0 distinct"), "protocol {p}: {text}");

        let out = inspect(&dir().join(format!("ordered_{p}.pkl")), false);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "protocol {p}: {text}");
        assert!(
            text.contains("collections.OrderedDict  OFF-LIST"),
            "protocol {p}: {text}"
        );
        assert!(text.contains("reader    ok"), "protocol {p}: {text}");

        let path = dir().join(format!("repickled_{p}.pkl"));
        let bytes = std::fs::read(&path).expect("read");
        let s = summarize(&bytes);
        assert!(s.error.is_none(), "protocol {p}: {:?}", s.error);
        let point = s
            .classes
            .iter()
            .find(|c| c.name == "Point")
            .unwrap_or_else(|| panic!("protocol {p}: {:#?}", s.classes));
        assert_eq!(point.instances, 2, "protocol {p}: {:#?}", s.classes);
        assert_eq!(point.fields.len(), 2, "protocol {p}: {:#?}", s.classes);
        assert!(
            s.nested.iter().any(|n| matches!(n.place, Place::ClassPickle { .. })),
            "protocol {p}"
        );
        let text = stdout(&inspect(&path, false));
        assert!(text.contains("reader    ok"), "protocol {p}: {text}");
    }
}

/// `finalize(set(), struct.__builtins__.get("exec"), CODE)` (`w`, `s`) through the
/// namespace's own attributes: what CPython runs when it loads the ops
/// (weakref.finalize calls `exec(CODE)` as soon as the set is freed).
fn code_running_ops(code: &str) -> Vec<u8> {
    let ns = portable_pickle::NAMESPACE;
    let mut w = OpWriter::new();
    // `w` is `weakref.finalize` and `s` `dataclasses.dataclass` (docs/FORMAT.md).
    w.global_line(ns, "w");
    w.global_line("builtins", "set");
    w.put([EMPTY_TUPLE, REDUCE]);
    w.global_line(ns, "s.__builtins__.get");
    w.str("exec");
    w.put([TUPLE1, REDUCE]);
    w.str(code);
    w.put([TUPLE3, REDUCE, POP]);
    w.into_bytes()
}

/// A stream that runs code when CPython loads it is never "verdict OK",
/// and the reader refuses it (issue 25): with the header (ops inserted
/// after it, the legitimate value still there) and without (a process that
/// loaded one stream has the namespace).
#[test]
fn code_running_streams_are_refused() {
    let marker = dir().join("ran");
    let _ = std::fs::remove_file(&marker);
    let code = format!("open({:?}, 'w').write('ran')", marker.to_str().unwrap());
    let legit = portable_pickle::to_vec(&vec![Point { x: 1, y: 2 }]);
    let header = portable_pickle::HEADER.len();
    assert_eq!(legit[header], FRAME, "a frame starts after the header");
    let mut with_header = legit[..header].to_vec();
    with_header.extend(code_running_ops(&code));
    with_header.extend_from_slice(&legit[header..]);
    let mut without = vec![0x80, 4];
    without.extend(code_running_ops(&code));
    without.extend([b'N', b'.']);

    // The streams are live: CPython runs the code (a harmless write).
    let legit_path = write("legit.pkl", &legit);
    let header_path = write("attack_with_header.pkl", &with_header);
    let bare_path = write("attack_without_header.pkl", &without);
    for (attack, first) in [(&header_path, None), (&bare_path, Some(&legit_path))] {
        let _ = std::fs::remove_file(&marker);
        let script = "import pickle, sys\nfor p in sys.argv[1:]:\n    pickle.load(open(p, 'rb'))\n";
        let mut cmd = Command::new("python3");
        cmd.args(["-c", script]);
        cmd.args(first);
        cmd.arg(attack);
        assert!(cmd.status().expect("python3").success());
        assert!(marker.exists(), "{}: the code did not run", attack.display());
    }

    for path in [&header_path, &bare_path] {
        let bytes = std::fs::read(path).unwrap();
        let e = portable_pickle::from_slice::<portable_pickle::Value>(&bytes).unwrap_err();
        assert!(
            matches!(e.kind(), portable_pickle::ErrorKind::ForbiddenGlobal { name, .. } if name == "w"),
            "{e}"
        );
        let out = inspect(path, false);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(!text.contains("verdict   OK"), "{text}");
        assert!(
            text.contains("REFUSED: forbidden global `_portable_pickle_v3.w`"),
            "{text}"
        );
        assert!(text.contains("_portable_pickle_v3.w"), "{text}");
        assert!(text.contains("OFF-LIST"), "{text}");
        let json = stdout(&inspect(path, true));
        assert!(json.contains("\"ok\":false"), "{json}");
        assert!(json.contains("\"refused\":true"), "{json}");
    }
    // The typed read refuses too: the injected call is not skipped.
    let e = portable_pickle::from_slice::<Vec<Point>>(&with_header).unwrap_err();
    assert!(
        matches!(e.kind(), portable_pickle::ErrorKind::ForbiddenGlobal { .. }),
        "{e}"
    );
}

/// A `Pickler` session of three pickles: a section per pickle (or a line
/// each), which carry the header, totals; the reader reads it as an
/// `Unpickler` does, so the later pickles are OK in the file and REFUSED
/// alone (the verdict follows the reader).
#[test]
fn session_files_pickle_by_pickle() {
    let mut p = portable_pickle::Pickler::new(Vec::new());
    p.dump(&Point { x: 1, y: 2 }).unwrap();
    let first = p.get_ref().len();
    p.dump(&Point { x: 3, y: 4 }).unwrap();
    p.dump(&vec![Shape::Empty, Shape::Polygon(vec![Point { x: 5, y: 6 }])])
        .unwrap();
    let bytes = p.into_inner();
    let path = write("session.pkl", &bytes);

    let out = Command::new(env!("CARGO_BIN_EXE_portable-pickle"))
        .args(["inspect", "--summary"])
        .arg(&path)
        .output()
        .unwrap();
    let text = stdout(&out);
    println!("{text}");
    assert!(out.status.success(), "{text}");
    let lines: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with('#')).collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].contains("@0 ") && lines[0].contains(" header ") && lines[0].ends_with("OK"),
        "{text}"
    );
    assert!(
        lines[1].contains(&format!("@{first} ")) && lines[1].contains("no header"),
        "{text}"
    );
    // The third pickle meets Shape, a class no earlier pickle carried: the header again.
    assert!(lines[2].contains(" header "), "{text}");
    assert!(text.contains("totals    3 pickles, 2 with the header"), "{text}");
    assert!(text.ends_with("verdict   OK\n"), "{text}");

    // Sections, with the session's names in the later pickle.
    let full = stdout(&inspect(&path, false));
    assert!(full.contains("== pickle #2 @"), "{full}");
    assert!(full.contains("session"), "{full}");
    let json = stdout(&inspect(&path, true));
    assert_json(&json);
    assert!(
        json.starts_with(&format!("{{\"file\":{:?},\"ok\":true", path.to_str().unwrap())),
        "{json}"
    );
    assert!(json.contains("\"with_header\":2"), "{json}");

    // The later pickle alone: the reader refuses it, so the verdict does.
    let alone = write("later_alone.pkl", &bytes[first..]);
    let out = inspect(&alone, false);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("verdict   REFUSED: forbidden global `io._pp3."), "{text}");
}

/// A million nested lists: a verdict (the reader's depth limit), never an
/// abort (the walk's shadows are dropped without recursion).
#[test]
fn deep_nesting_gets_a_verdict() {
    let n = 1_000_000;
    let mut bytes = vec![0x80, 4];
    bytes.extend(std::iter::repeat_n(b']', n));
    bytes.extend(std::iter::repeat_n(b'a', n - 1));
    bytes.push(b'.');
    let path = write("deep.pkl", &bytes);
    let out = inspect(&path, false);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("verdict   MALFORMED: limit exceeded: nesting depth"),
        "{text}"
    );
}

/// The inspector's peak memory (the child's maximum RSS, read by python3's
/// `resource`) and report on `path`, with `--max-alloc budget`.
fn inspect_measured(path: &std::path::Path, budget: usize) -> (u64, String, Option<i32>) {
    let script = "import resource, subprocess, sys\n\
        r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n\
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)\n\
        print(r.returncode)\n\
        sys.stdout.write(r.stdout)";
    let out = Command::new("python3")
        .args(["-c", script, env!("CARGO_BIN_EXE_portable-pickle"), "inspect"])
        .arg(path)
        .args(["--max-alloc", &budget.to_string()])
        .output()
        .expect("python3");
    let text = stdout(&out);
    let mut lines = text.splitn(3, '\n');
    let rss = lines.next().and_then(|l| l.parse().ok()).expect("rss");
    let code = lines.next().and_then(|l| l.parse().ok());
    (rss, lines.next().unwrap_or("").to_owned(), code)
}

/// Hostile inputs: deep nesting (10 M marks, 10 M nested lists), 20 MiB of
/// `NONE`, a memo of 4 M entries. Each gets a verdict (never an abort), and
/// the inspector's peak RSS stays within 4× the input or its budget (plus
/// the process's own few MiB).
#[test]
fn hostile_inputs_stay_within_their_bound() {
    const MIB: usize = 1 << 20;
    let budget = 64 * MIB;
    let deep_lists = {
        let mut b = vec![0x80, 4];
        b.extend(std::iter::repeat_n(b']', 10_000_000));
        b.extend(std::iter::repeat_n(b'a', 10_000_000 - 1));
        b.push(b'.');
        b
    };
    let marks = {
        let mut b = vec![0x80, 4];
        b.extend(std::iter::repeat_n(b'(', 10_000_000));
        b.push(b'.');
        b
    };
    let nones = {
        let mut b = vec![b'('];
        b.extend(std::iter::repeat_n(b'N', 20 * MIB));
        b.extend(*b"l.");
        b
    };
    let memo = {
        let mut b = vec![0x80, 4, b'N'];
        b.extend(std::iter::repeat_n(0x94, 4_000_000)); // MEMOIZE
        b.push(b'.');
        b
    };
    for (name, bytes) in [
        ("deep_lists", deep_lists),
        ("marks", marks),
        ("nones", nones),
        ("memo", memo),
    ] {
        let path = write(&format!("hostile_{name}.pkl"), &bytes);
        let (rss, text, code) = inspect_measured(&path, budget);
        let bound = (4 * bytes.len()).max(budget) + 16 * MIB;
        println!(
            "{name}: {} MiB input, peak RSS {} MiB (bound {} MiB), exit {code:?}",
            bytes.len() / MIB,
            rss / MIB as u64,
            bound / MIB
        );
        assert!(matches!(code, Some(0 | 1)), "{name}: exit {code:?}\n{text}");
        assert!(text.contains("verdict   "), "{name}: {text}");
        assert!(rss <= bound as u64, "{name}: peak RSS {rss} over {bound}");
    }
}

/// The reader's own read names what the stream builds: a strict-profile
/// stream's classes (made by `abc.ABCMeta` and the enum functional API), and
/// the classes a session's later pickle names by alias, with what each
/// alias stands for.
#[test]
fn strict_classes_and_session_aliases_are_named() {
    let scene = scene();
    let strict = portable_pickle::strict::to_vec(&scene.shapes).expect("strict stream");
    let s = summarize(&strict);
    assert!(s.error.is_none(), "{:?}", s.error);
    assert_eq!(s.header.as_ref().map(|h| h.profile.as_str()), Some("strict"));
    let kinds: Vec<(&str, ClassKind)> = s
        .classes
        .iter()
        .filter(|c| c.defined)
        .map(|c| (c.name.as_str(), c.kind))
        .collect();
    assert!(kinds.contains(&("Shape", ClassKind::DataEnum)), "{kinds:?}");
    assert!(kinds.contains(&("Shape.Circle", ClassKind::Variant)), "{kinds:?}");
    assert!(kinds.contains(&("Point", ClassKind::Struct)), "{kinds:?}");
    let text = stdout(&inspect(&write("strict.pkl", &strict), false));
    assert!(text.contains("verdict   OK"), "{text}");

    let mut p = portable_pickle::Pickler::new(Vec::new());
    p.dump(&Point { x: 1, y: 2 }).unwrap();
    let first = p.get_ref().len();
    p.dump(&vec![Point { x: 3, y: 4 }, Point { x: 5, y: 6 }]).unwrap();
    let bytes = p.into_inner();
    let mut inspector = portable_pickle::inspect::Inspector::new(&portable_pickle::inspect::OPTIONS);
    let one = inspector.next_pickle(&bytes);
    assert!(one.error.is_none() && one.complete, "{:?}", one.error);
    let two = inspector.next_pickle(&bytes[first..]);
    assert!(two.error.is_none(), "{:?}", two.error);
    let alias = two
        .globals
        .iter()
        .find(|g| g.module == portable_pickle::inspect::SESSION_MODULE)
        .expect("an alias");
    assert_eq!(alias.resolves_to.as_deref(), Some("Point"), "{alias:?}");
    let point = two.classes.iter().find(|c| c.name == "Point").expect("Point");
    assert_eq!(
        (point.kind, point.defined, point.instances),
        (ClassKind::Struct, false, 2)
    );
    let text = stdout(&inspect(&write("session_aliases.pkl", &bytes), false));
    assert!(text.contains("= Point"), "{text}");
    assert!(text.contains("(defined by an earlier pickle)"), "{text}");
}

/// Runs `python3` loading `files` in turn with a stock `pickle.load`, then
/// `check` (Python, with `ns` the runtime namespace); returns what `check`
/// printed.
fn python_after_loading(files: &[&PathBuf], check: &str) -> String {
    let script = format!(
        "import pickle, sys\nfor p in sys.argv[1:]:\n    pickle.load(open(p, 'rb'))\nns = sys.modules[{:?}]\n{check}\n",
        portable_pickle::NAMESPACE
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(files)
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    stdout(&out)
}

/// Streams that change what the runtime namespace hands out, or call a
/// builtin in a shape no descriptor writes, each inserted after the header
/// of a real stream (or alone, after one was loaded). Each does what it
/// means to in CPython; the reader refuses each, so the inspector does.
#[test]
fn streams_outside_the_descriptor_shapes_are_refused() {
    use portable_format::layout::slot;
    use portable_format::opcodes::{BINGET, BUILD, NONE, TUPLE2};
    let legit = portable_pickle::to_vec(&vec![Point { x: 1, y: 2 }]);
    let header = portable_pickle::HEADER.len();
    let key = summarize(&legit)
        .classes
        .iter()
        .find(|c| c.name == "Point")
        .and_then(|c| c.key.clone())
        .expect("Point's key");
    let legit_path = write("shapes_legit.pkl", &legit);
    let after_header = |ops: Vec<u8>| {
        let mut b = legit[..header].to_vec();
        b.extend(ops);
        b.extend_from_slice(&legit[header..]);
        b
    };
    let alone = |ops: Vec<u8>| {
        let mut b = vec![0x80, 4];
        b.extend(ops);
        b.extend([b'N', b'.']);
        b
    };
    let register = |k: &str, value: &dyn Fn(&mut OpWriter)| {
        let mut w = OpWriter::new();
        w.put([BINGET, slot::REGISTER as u8]);
        w.str(k);
        value(&mut w);
        w.put([TUPLE2, REDUCE, POP]);
        w.into_bytes()
    };
    let getattr = |w: &mut OpWriter| w.global_line("builtins", "getattr");

    // A callable registered under a class key: every later stream's
    // `_portable_pickle_v3.KEY` is `getattr`.
    let evil_key = "Evil_0123456789abcdef";
    let by_register = after_header(register(evil_key, &getattr));
    // A class's reduce value replaced: CPython's re-pickles of the class call it.
    let by_reduce = after_header(register(&format!("{key}#reduce"), &|w: &mut OpWriter| {
        getattr(w);
        w.str("x");
        w.put([TUPLE1, TUPLE2]);
    }));
    // A method of a loaded class replaced through BUILD's slot state.
    let by_build = alone({
        let mut w = OpWriter::new();
        w.global_line(portable_pickle::NAMESPACE, &key);
        w.op(NONE);
        w.op(portable_format::opcodes::EMPTY_DICT);
        w.str("__eq__");
        getattr(&mut w);
        w.op(portable_format::opcodes::SETITEM);
        w.put([TUPLE2, BUILD, POP]);
        w.into_bytes()
    });
    // getattr with a default: a walk along attributes toward code.
    let by_getattr = after_header({
        let mut w = OpWriter::new();
        getattr(&mut w);
        w.global_line("datetime", "datetime");
        w.str("__init__");
        w.op(NONE);
        w.put([TUPLE3, REDUCE, POP]);
        w.into_bytes()
    });

    // They are live in CPython.
    let path = |name: &str, b: &[u8]| write(&format!("shapes_{name}.pkl"), b);
    let (reg, red, bld, gat) = (
        path("register", &by_register),
        path("reduce", &by_reduce),
        path("build", &by_build),
        path("getattr", &by_getattr),
    );
    let seen = python_after_loading(&[&reg], &format!("print(getattr(ns, {evil_key:?}) is getattr)"));
    assert_eq!(seen.trim(), "True", "register");
    let seen = python_after_loading(
        &[&red],
        &format!("print(getattr(ns, {:?})[0] is getattr)", format!("{key}#reduce")),
    );
    assert_eq!(seen.trim(), "True", "reduce");
    let seen = python_after_loading(
        &[&legit_path, &bld],
        &format!("print(getattr(ns, {key:?}).__eq__ is getattr)"),
    );
    assert_eq!(seen.trim(), "True", "build");
    python_after_loading(&[&gat], "");

    for (name, path) in [("register", &reg), ("reduce", &red), ("build", &bld), ("getattr", &gat)] {
        let bytes = std::fs::read(path).unwrap();
        let e = portable_pickle::from_slice::<portable_pickle::Value>(&bytes).unwrap_err();
        assert!(
            matches!(
                e.kind(),
                portable_pickle::ErrorKind::Malformed(_) | portable_pickle::ErrorKind::Unsupported(_)
            ),
            "{name}: {e}"
        );
        assert!(e.offset().is_some(), "{name}: {e}");
        let out = inspect(path, false);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {text}");
        assert!(!text.contains("verdict   OK"), "{name}: {text}");
        assert!(
            text.contains(&format!("at byte {}", e.offset().unwrap())),
            "{name}: {text}"
        );
    }
    // The typed read fails too, rather than return the legitimate part.
    for (name, bytes) in [
        ("register", &by_register),
        ("reduce", &by_reduce),
        ("getattr", &by_getattr),
    ] {
        assert!(portable_pickle::from_slice::<Vec<Point>>(bytes).is_err(), "{name}");
    }
}

/// The strict profile's own globals as an escape route: after the strict
/// header, `ABCMeta(name, bases, namespace)` of a class body no descriptor
/// writes (a builtin as `__eq__`), and without the header the strict
/// allowlist's globals named directly. CPython builds the class; the reader
/// refuses both, so the inspector does. A zlib bomb named through
/// `zlib.decompress` is refused too, and never inflated.
#[test]
fn strict_allowlist_injection_and_zlib_are_refused() {
    use portable_format::opcodes::{BINGET, EMPTY_DICT, EMPTY_TUPLE, SETITEM, STOP};
    let strict_header = portable_pickle::strict::HEADER;
    let body = |w: &mut OpWriter| {
        w.str("Evil");
        w.op(EMPTY_TUPLE);
        w.op(EMPTY_DICT);
        w.str("__eq__");
        w.global_line("builtins", "getattr");
        w.op(SETITEM);
        w.put([TUPLE3, REDUCE, STOP]);
    };
    let with_header = {
        let mut w = OpWriter::new();
        w.raw(strict_header);
        w.put([BINGET, portable_format::strict::slot::MAKE_CLASS as u8]);
        body(&mut w);
        w.into_bytes()
    };
    let without = {
        let mut w = OpWriter::new();
        w.put([0x80, 4]);
        w.global_line("abc", "ABCMeta");
        body(&mut w);
        w.into_bytes()
    };
    let bomb = {
        let mut w = OpWriter::new();
        w.put([0x80, 4]);
        w.global_line("zlib", "decompress");
        // Zlib data of 1 MiB (stored blocks): the call is refused, nothing
        // is inflated.
        w.bytes(&flate2_free_deflate(&vec![0u8; 1 << 20]));
        w.put([TUPLE1, REDUCE, STOP]);
        w.into_bytes()
    };
    let (a, b, c) = (
        write("strict_injected.pkl", &with_header),
        write("strict_globals.pkl", &without),
        write("zlib_call.pkl", &bomb),
    );
    for path in [&a, &b] {
        let out = Command::new("python3")
            .args([
                "-c",
                "import pickle, sys\nc = pickle.load(open(sys.argv[1], 'rb'))\nprint(c.__eq__ is getattr)",
            ])
            .arg(path)
            .output()
            .unwrap();
        assert_eq!(stdout(&out).trim(), "True", "{}", String::from_utf8_lossy(&out.stderr));
    }
    for (name, path) in [("strict injected", &a), ("strict globals", &b), ("zlib", &c)] {
        let bytes = std::fs::read(path).unwrap();
        assert!(
            portable_pickle::from_slice::<portable_pickle::Value>(&bytes).is_err(),
            "{name}"
        );
        let out = inspect(path, false);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {text}");
        assert!(!text.contains("verdict   OK"), "{name}: {text}");
    }
}

/// Zlib data of `data` with stored (uncompressed) blocks: enough for a
/// stream that names `zlib.decompress`, without a compressor dependency.
fn flate2_free_deflate(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len()));
        let n = chunk.len() as u16;
        out.extend(n.to_le_bytes());
        out.extend((!n).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}
