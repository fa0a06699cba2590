//! Walks over a decoded tree stay linear in the stream however often its memo
//! is referenced (`Debug`, `==`, writing back, typed conversion), and a
//! shared `Rc`/`Arc` reads back as one allocation.
//!
//! The memo bombs here expand to 10^19 leaves: an exponential walk would
//! never finish, so completion is the assertion (no timings).

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::sync::Arc;

use portable_pickle::{
    from_slice, from_slice_with, to_vec, Call, Error, ErrorKind, FromPickle, Global, Object, PortablePickle,
    ReadContext, ReadOptions, Value, NAMESPACE,
};

/// `L0 = [leaf; width]`, `L(k+1) = [Lk; width]` through memo references
/// (`BINGET`), protocol 4: `width^levels` leaves from a few hundred bytes.
fn memo_bomb(levels: u8, width: usize, leaf: u8) -> Vec<u8> {
    let mut b = vec![0x80, 4, b']', 0x94, b'('];
    b.extend(std::iter::repeat([b'K', leaf]).take(width).flatten());
    b.push(b'e');
    for level in 1..levels {
        b.extend([b'0', b']', 0x94, b'(']);
        b.extend(std::iter::repeat([b'h', level - 1]).take(width).flatten());
        b.push(b'e');
    }
    b.push(b'.');
    b
}

/// What `fuzz/fuzz_targets/walks.rs` allows: `Debug` proportional to the input.
fn assert_debug_bounded(v: &Value, input: usize) -> String {
    let text = format!("{v:?}");
    assert!(
        text.len() <= 64 * input + 64,
        "{} bytes of Debug for {input} bytes of stream",
        text.len()
    );
    text
}

#[test]
fn debug_of_a_memo_bomb_is_proportional_to_the_stream() {
    let bomb = memo_bomb(20, 10, 1);
    let v: Value = from_slice(&bomb).unwrap();
    let text = assert_debug_bounded(&v, bomb.len());
    // Each of the 19 shared lists is printed once, then referenced.
    assert!(text.contains("Shared(#18)"), "{text}");
    assert!(!text.contains("#19"), "{text}");
    let pretty = format!("{v:#?}");
    assert!(
        pretty.len() <= 64 * 64 * bomb.len(),
        "{} bytes of {{:#?}}",
        pretty.len()
    );
}

#[test]
fn debug_prints_a_shared_node_once_then_its_number() {
    let shared = Rc::new(vec![1i64]);
    let v: Value = from_slice(&to_vec(&vec![shared.clone(), shared, Rc::new(vec![2])])).unwrap();
    assert_eq!(
        format!("{v:?}"),
        "List([Shared(#0, List([Int(1)])), Shared(#0), List([Int(2)])])"
    );
    // Numbers count per `{:?}`, not per value.
    assert_eq!(format!("{v:?}"), format!("{v:?}"));
    let pretty = format!("{v:#?}");
    assert!(
        pretty.contains("Shared(\n            #0,\n            List("),
        "{pretty}"
    );
}

#[test]
fn debug_prints_a_class_in_full_once() {
    #[derive(PortablePickle)]
    struct Point {
        x: i64,
        y: i64,
    }
    let v: Value = from_slice(&to_vec(&vec![Point { x: 1, y: 2 }, Point { x: 3, y: 4 }])).unwrap();
    let text = format!("{v:?}");
    assert_eq!(text.matches("fields: Some([\"x\", \"y\"])").count(), 1, "{text}");
    assert!(
        text.contains(&format!("Global {{ module: \"{NAMESPACE}\", name: \"Point\", .. }}")),
        "{text}"
    );

    // Later mentions of a long name are cut, so they cost a bounded amount.
    let class = Arc::new(Global::new("m", &"N".repeat(1000)));
    let objects = Value::List(
        (0..3)
            .map(|_| Value::Object(Box::new(Object::new(class.clone(), vec![]))))
            .collect(),
    );
    let text = format!("{objects:?}");
    assert_eq!(text.matches(&"N".repeat(1000)).count(), 1);
    assert_eq!(
        text.matches(&format!("name: \"{}…,", "N".repeat(47))).count(),
        2,
        "{text}"
    );
    // Escapes count: a later mention costs a bounded number of bytes.
    let class = Arc::new(Global::new("m", &"\u{1}".repeat(1000)));
    let objects = Value::List(vec![Value::Global(class.clone()), Value::Global(class)]);
    let text = format!("{objects:?}");
    assert!(
        text.ends_with(&format!("name: \"{}\\u…, .. }})])", "\\u{1}".repeat(9))),
        "{text}"
    );
}

#[test]
fn equality_of_memo_bombs_is_linear() {
    let bomb = memo_bomb(20, 10, 1);
    let a: Value = from_slice(&bomb).unwrap();
    let b: Value = from_slice(&bomb).unwrap();
    assert!(a == b);
    assert!(a == a.clone());

    // The same shape with one leaf different, deep inside (level 0).
    let mut other = bomb.clone();
    let last_leaf = bomb.iter().position(|&x| x == b'e').unwrap() - 1;
    other[last_leaf] = 2;
    let c: Value = from_slice(&other).unwrap();
    assert!(a != c);
    assert!(c != a);
    // Every leaf different.
    let d: Value = from_slice(&memo_bomb(20, 10, 2)).unwrap();
    assert!(a != d);
    // One level fewer: the difference is at the bottom of every path.
    let e: Value = from_slice(&memo_bomb(19, 10, 1)).unwrap();
    assert!(a != e);
}

#[test]
fn equality_looks_through_sharing() {
    let leaf = Value::List(vec![Value::Int(1), Value::Float(f64::NAN)]);
    let shared = Value::Shared(Arc::new(leaf.clone()));
    let expanded = Value::List(vec![leaf.clone(), leaf.clone()]);
    let compact = Value::List(vec![shared.clone(), shared.clone()]);
    assert_eq!(expanded, compact);
    assert_eq!(compact, expanded);
    assert_eq!(Value::Shared(Arc::new(shared.clone())), leaf);
    assert_ne!(
        compact,
        Value::List(vec![shared.clone(), Value::List(vec![Value::Int(1)])])
    );

    // Classes compare by module and name, wherever they are allocated.
    let object = |module: &str| {
        let mut o = Object::new(Arc::new(Global::new(module, "P")), vec![Value::Int(1)]);
        o.call = Call::New;
        o
    };
    assert_eq!(object("m"), object("m"));
    assert_ne!(object("m"), object("n"));
}

#[test]
fn writing_a_memo_bomb_back_is_linear() {
    let bomb = memo_bomb(20, 10, 1);
    let v: Value = from_slice(&bomb).unwrap();
    let again = to_vec(&v);
    assert!(again.len() < 4 * bomb.len() + 64, "{} bytes", again.len());
    assert_eq!(from_slice::<Value>(&again).unwrap(), v);

    // A class is written once however many objects name it (a long name,
    // within the reader's 512 bytes for a namespace class).
    let class = Arc::new(Global::new(NAMESPACE, &"N".repeat(500)));
    let objects = Value::List(
        (0..1000)
            .map(|i| Value::Object(Box::new(Object::new(class.clone(), vec![Value::Int(i)]))))
            .collect(),
    );
    let bytes = to_vec(&objects);
    assert!(bytes.len() < 500 + 1000 * 16, "{} bytes", bytes.len());
    assert_eq!(from_slice::<Value>(&bytes).unwrap(), objects);
}

/// A tree whose inner nodes are shared: `int` leaves, `list` nodes.
#[derive(Debug)]
enum Tree {
    Leaf(i64),
    Node(Vec<Rc<Tree>>),
}

impl FromPickle for Tree {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        match value.get() {
            Value::Int(i) => Ok(Tree::Leaf(*i)),
            _ => Vec::<Rc<Tree>>::from_pickle(value, cx).map(Tree::Node),
        }
    }
}

#[test]
fn a_memo_bomb_reads_into_rcs_in_linear_time() {
    let tree: Tree = from_slice(&memo_bomb(20, 10, 7)).unwrap();
    let mut node = &tree;
    let mut depth = 0;
    while let Tree::Node(children) = node {
        assert_eq!(children.len(), 10);
        if matches!(*children[0], Tree::Node(_)) {
            // One allocation per level, referenced ten times.
            assert!(children.iter().all(|c| Rc::ptr_eq(c, &children[0])));
        }
        node = &children[0];
        depth += 1;
    }
    assert_eq!(depth, 20);
    assert!(matches!(node, Tree::Leaf(7)));
}

#[derive(PortablePickle, Debug, PartialEq)]
struct Point {
    x: i64,
    y: i64,
}

#[derive(PortablePickle, Debug)]
struct TwoArcs {
    a: Arc<Point>,
    b: Arc<Point>,
    c: Arc<Point>,
}

#[test]
fn rc_and_arc_sharing_survives_a_read() {
    let p = Rc::new(Point { x: 1, y: 2 });
    let q = Rc::new(Point { x: 1, y: 2 });
    let back: Vec<Rc<Point>> = from_slice(&to_vec(&vec![p.clone(), q, p.clone(), p])).unwrap();
    assert!(Rc::ptr_eq(&back[0], &back[2]) && Rc::ptr_eq(&back[0], &back[3]));
    assert!(!Rc::ptr_eq(&back[0], &back[1]), "distinct allocations stay distinct");
    assert_eq!(back[0], back[1]);
    assert_eq!(Rc::strong_count(&back[0]), 3, "no copy kept by the reader");

    let a = Arc::new(Point { x: 3, y: 4 });
    let back: TwoArcs = from_slice(&to_vec(&TwoArcs {
        a: a.clone(),
        b: a,
        c: Arc::new(Point { x: 3, y: 4 }),
    }))
    .unwrap();
    assert!(Arc::ptr_eq(&back.a, &back.b));
    assert!(!Arc::ptr_eq(&back.a, &back.c));
    assert_eq!(back.a, back.c);

    // Shared strings too.
    let s: Rc<str> = Rc::from("shared");
    let back: (Rc<str>, Rc<str>, Rc<str>) = from_slice(&to_vec(&(s.clone(), s, Rc::<str>::from("shared")))).unwrap();
    assert!(Rc::ptr_eq(&back.0, &back.1) && !Rc::ptr_eq(&back.0, &back.2));

    // One node read as different types: each type gets its own allocation.
    let p = Rc::new(Point { x: 5, y: 6 });
    let (a, b, c, d): (Rc<Point>, Rc<Value>, Rc<Point>, Arc<Point>) =
        from_slice(&to_vec(&(p.clone(), p.clone(), p.clone(), p))).unwrap();
    assert!(Rc::ptr_eq(&a, &c));
    assert_eq!(*a, Point { x: 5, y: 6 });
    assert!(matches!(b.get(), Value::Object(_)));
    assert_eq!(*d, *a);
}

/// A `Value` inside a typed read is cloned for every path that reaches it:
/// the copies are charged, so a shared node around it cannot multiply them
/// past the budget.
#[test]
fn values_cloned_through_shared_nodes_are_charged() {
    // t = ([0] * 1000,); [t] * 10000
    let mut b = vec![0x80, 4, b']', b'('];
    b.extend(std::iter::repeat([b'K', 0]).take(1000).flatten());
    b.extend([b'e', 0x85, 0x94, b'0', b']', b'(']);
    b.extend(std::iter::repeat([b'h', 0]).take(10_000).flatten());
    b.extend([b'e', b'.']);
    let options = ReadOptions::default().max_alloc(64 << 20);
    let as_values = from_slice_with::<Vec<Value>>(&b, &options).unwrap();
    assert_eq!(as_values.len(), 10_000);
    let e = from_slice_with::<Vec<(Value,)>>(&b, &options).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Limit { .. }), "{e}");
    // Read once, the same value fits.
    let (inner,): (Value,) = from_slice_with(&to_vec(&as_values[0]), &options).unwrap();
    assert!(matches!(inner, Value::List(ref items) if items.len() == 1000));
}

/// Attributes an object has beyond its type's fields are charged when walked,
/// so a shared object with a huge state cannot be walked again and again for free.
#[test]
fn extra_attributes_of_shared_objects_are_charged() {
    let state = Value::Dict(
        [("x", 1), ("y", 2)]
            .into_iter()
            .map(|(k, v)| (Value::from(k), Value::Int(v)))
            .chain((0..10_000).map(|i| (Value::from(format!("k{i}")), Value::Int(0))))
            .collect(),
    );
    let mut object = Object::new(Arc::new(Global::new(NAMESPACE, "Point")), vec![]);
    object.call = Call::New;
    object.state = Some(state);
    let one = to_vec(&Value::Object(Box::new(object.clone())));
    assert_eq!(from_slice::<Point>(&one).unwrap(), Point { x: 1, y: 2 });
    let shared = Value::Shared(Arc::new(Value::Object(Box::new(object))));
    let many = to_vec(&Value::List(vec![shared; 10_000]));
    let options = ReadOptions::default().max_alloc(64 << 20);
    let e = from_slice_with::<Vec<Point>>(&many, &options).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Limit { .. }), "{e}");
    // As `Rc`s, the object is converted once.
    let rcs: Vec<Rc<Point>> = from_slice_with(&many, &options).unwrap();
    assert!(rcs.iter().all(|p| Rc::ptr_eq(p, &rcs[0])));
}

/// CPython keeps the sharing (`v[0] is v[1]`) and its re-pickles, at every
/// protocol, read back with it.
#[test]
fn cpython_repickles_keep_rc_sharing() {
    let p = Rc::new(Point { x: 1, y: 2 });
    let stream = to_vec(&vec![p.clone(), Rc::new(Point { x: 1, y: 2 }), p]);
    for protocol in 0..=5 {
        let script = format!(
            "import pickle, sys\n\
             v = pickle.loads(sys.stdin.buffer.read())\n\
             assert v[0] is v[2] and v[0] is not v[1], v\n\
             v[0].x = 10\n\
             sys.stdout.buffer.write(pickle.dumps(v, protocol={protocol}))\n"
        );
        let mut child = Command::new("python3")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 must be installed");
        child.stdin.take().unwrap().write_all(&stream).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let back: Vec<Rc<Point>> = from_slice(&out.stdout).unwrap_or_else(|e| panic!("protocol {protocol}: {e}"));
        assert!(Rc::ptr_eq(&back[0], &back[2]), "protocol {protocol}");
        assert!(!Rc::ptr_eq(&back[0], &back[1]), "protocol {protocol}");
        assert_eq!(*back[0], Point { x: 10, y: 2 });
        assert_eq!(*back[1], Point { x: 1, y: 2 });
    }
}

/// A generic derived type with `Rc<T>` fields: `FromPickle` types are
/// `'static`, so `T: FromPickle` is all the derive's bound needs.
#[derive(PortablePickle, Debug)]
struct GenericRcs<T> {
    a: Rc<T>,
    b: Rc<T>,
}

#[test]
fn generic_rc_fields_keep_sharing() {
    let p = Rc::new(Point { x: 7, y: 8 });
    let back: GenericRcs<Point> = from_slice(&to_vec(&GenericRcs { a: p.clone(), b: p })).unwrap();
    assert!(Rc::ptr_eq(&back.a, &back.b));
    assert_eq!(*back.a, Point { x: 7, y: 8 });
}
