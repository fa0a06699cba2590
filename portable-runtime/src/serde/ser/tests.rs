//! The direct (predicted) structs of `buffer.rs` against the buffered ones:
//! the same bytes whether classes are predicted or not, in memory and
//! streamed, and what CPython loads, for field sets that change after the
//! prediction is made.

use std::io::Write as _;
use std::process::Command;

use serde::ser::{Serialize, SerializeSeq, SerializeStruct, SerializeStructVariant, Serializer};

use crate::Encoder;

use super::{write, Ser};

/// The header, its payload zlib-compressed with stored blocks (this crate
/// has no compressor; any zlib stream loads).
fn header() -> Vec<u8> {
    let payload = crate::header::payload(stored_zlib);
    crate::header::header(&payload.compressed)
}

/// `raw` as a zlib stream of stored blocks.
fn stored_zlib(raw: &[u8]) -> Vec<u8> {
    let mut z = vec![0x78, 0x01];
    let mut chunks = raw.chunks(0xffff).peekable();
    while let Some(chunk) = chunks.next() {
        z.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(chunk);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in raw {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    z
}

/// Writes `value` as one stream, with classes predicted or not, in memory
/// or to a sink frame by frame; and where frame cuts were recorded.
fn stream<T: Serialize + ?Sized>(value: &T, predict: bool, sink: bool) -> (Vec<u8>, Vec<(usize, usize)>) {
    let header = header();
    let mut out = Vec::new();
    let mut p = match sink {
        true => Encoder::with_sink(&header, &mut out),
        false => Encoder::new(&header),
    };
    let mut ser = Ser::new(&mut p);
    ser.predict = predict;
    value.serialize(&mut ser).unwrap();
    ser.finish().unwrap();
    let cuts = std::mem::take(&mut ser.cut_log);
    drop(ser);
    let bytes = p.finish().unwrap();
    (if sink { out } else { bytes }, cuts)
}

/// The stream of `value`, checked to be the same bytes all four ways (with
/// the frame cuts recorded at the same places), and the same as [`write`]'s.
fn checked<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let (bytes, cuts) = stream(value, true, false);
    assert!(
        bytes == stream(value, false, false).0,
        "predicted and buffered streams differ"
    );
    assert!(bytes == stream(value, true, true).0, "streamed with prediction differs");
    assert!(
        bytes == stream(value, false, true).0,
        "streamed without prediction differs"
    );
    assert_eq!(cuts, stream(value, false, false).1, "frame cuts differ");
    let mut p = Encoder::new(&header());
    write(&mut p, value).unwrap();
    assert!(bytes == p.finish().unwrap());
    bytes
}

/// Loads `bytes` in CPython as `v` and returns what `code` prints.
fn python(bytes: &[u8], code: &str) -> String {
    let dir = std::env::temp_dir().join(format!("portable-ser-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{:016x}.pkl", fnv(bytes) ^ fnv(code.as_bytes())));
    std::fs::File::create(&file).unwrap().write_all(bytes).unwrap();
    let script = format!("import pickle, sys\nv = pickle.load(open(sys.argv[1], 'rb'))\n{code}");
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .expect("python3 must be installed to run the Python checks");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "python3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

// serde's names are `&'static str`s at fixed addresses, as a derive's are.
static ITEM: &str = "Item";
static ID: &str = "id";
static NAME: &str = "name";
static OPT: &str = "opt";
static TAGS: &str = "tags";
static POS: &str = "pos";
static EXTRA: &str = "extra";
static NOT_PYTHON: &str = "not python";
static PT: &str = "Pt";
static X: &str = "x";
static Y: &str = "y";
static SHAPE: &str = "Shape";
static SQUARE: &str = "Square";
static CIRCLE: &str = "Circle";
static SIDE: &str = "side";
static R: &str = "r";

struct Pt(f64, f64);

impl Serialize for Pt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct(PT, 2)?;
        st.serialize_field(X, &self.0)?;
        st.serialize_field(Y, &self.1)?;
        st.end()
    }
}

enum Shape {
    Square(u32),
    Circle(f64),
}

impl Serialize for Shape {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Shape::Square(side) => {
                let mut st = s.serialize_struct_variant(SHAPE, 0, SQUARE, 1)?;
                st.serialize_field(SIDE, side)?;
                st.end()
            }
            Shape::Circle(r) => {
                let mut st = s.serialize_struct_variant(SHAPE, 1, CIRCLE, 1)?;
                st.serialize_field(R, r)?;
                st.end()
            }
        }
    }
}

/// A struct whose field set changes from value to value, as with
/// `skip_serializing_if` (and beyond: fields in another order, a field
/// that is no Python name, which makes it a `dict`).
#[derive(Default)]
struct Item {
    id: u64,
    name: String,
    /// Written only when present.
    opt: Option<i64>,
    tags: Vec<String>,
    /// Written only when true.
    pos: bool,
    /// Written as `pos` instead of a `Pt`.
    pos_shape: Option<Shape>,
    shape: Option<Shape>,
    extra: Option<String>,
    /// `name` before `id`.
    swap: bool,
    /// A field named `not python`.
    odd: Option<i64>,
}

impl Serialize for Item {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct(ITEM, 0)?;
        if self.swap {
            st.serialize_field(NAME, &self.name)?;
            st.serialize_field(ID, &self.id)?;
        } else {
            st.serialize_field(ID, &self.id)?;
            st.serialize_field(NAME, &self.name)?;
        }
        if let Some(opt) = self.opt {
            st.serialize_field(OPT, &opt)?;
        }
        st.serialize_field(TAGS, &self.tags)?;
        if let Some(shape) = &self.pos_shape {
            st.serialize_field(POS, shape)?;
        } else if self.pos {
            st.serialize_field(POS, &Pt(self.id as f64, -0.5))?;
        }
        if let Some(shape) = &self.shape {
            st.serialize_field(EXTRA, shape)?;
        }
        if let Some(extra) = &self.extra {
            st.serialize_field(EXTRA, extra)?;
        }
        if let Some(odd) = self.odd {
            st.serialize_field(NOT_PYTHON, &odd)?;
        }
        st.end()
    }
}

fn item(id: u64) -> Item {
    Item {
        id,
        name: format!("item-{id}"),
        tags: vec!["a".into(), format!("t{id}")],
        pos: true,
        ..Item::default()
    }
}

/// The Python repr of [`item`]`(id)` with the same fields.
fn repr(id: u64) -> String {
    format!("Item(id={id}, name='item-{id}', tags=['a', 't{id}'], pos=Pt(x={id}.0, y=-0.5))")
}

#[test]
fn field_sets_that_change_after_the_prediction() {
    let items = vec![
        item(0),
        item(1),
        // One more field, in the middle.
        Item {
            opt: Some(7),
            ..item(2)
        },
        item(3),
        // One field fewer.
        Item { pos: false, ..item(4) },
        // One field more, at the end.
        Item {
            extra: Some("e".into()),
            ..item(5)
        },
        // The same fields in another order.
        Item { swap: true, ..item(6) },
        // A field that is no Python name: a dict.
        Item {
            odd: Some(9),
            ..item(7)
        },
        // A struct variant met for the first time inside a predicted struct
        // (its class descriptor comes first), then another.
        Item {
            shape: Some(Shape::Square(3)),
            ..item(8)
        },
        Item {
            shape: Some(Shape::Square(4)),
            ..item(9)
        },
        Item {
            shape: Some(Shape::Circle(0.5)),
            ..item(10)
        },
        item(11),
    ];
    let bytes = checked(&items);
    let got = python(&bytes, "for i in v: print(repr(i))");
    let want = [
        repr(0),
        repr(1),
        "Item(id=2, name='item-2', opt=7, tags=['a', 't2'], pos=Pt(x=2.0, y=-0.5))".into(),
        repr(3),
        "Item(id=4, name='item-4', tags=['a', 't4'])".into(),
        "Item(id=5, name='item-5', tags=['a', 't5'], pos=Pt(x=5.0, y=-0.5), extra='e')".into(),
        "Item(name='item-6', id=6, tags=['a', 't6'], pos=Pt(x=6.0, y=-0.5))".into(),
        "{'id': 7, 'name': 'item-7', 'tags': ['a', 't7'], 'pos': Pt(x=7.0, y=-0.5), 'not python': 9}".into(),
        "Item(id=8, name='item-8', tags=['a', 't8'], pos=Pt(x=8.0, y=-0.5), extra=Shape.Square(side=3))".into(),
        "Item(id=9, name='item-9', tags=['a', 't9'], pos=Pt(x=9.0, y=-0.5), extra=Shape.Square(side=4))".into(),
        "Item(id=10, name='item-10', tags=['a', 't10'], pos=Pt(x=10.0, y=-0.5), extra=Shape.Circle(r=0.5))".into(),
        repr(11),
    ]
    .join("\n");
    assert_eq!(got, want);
    // Each field set is its own class; instances of one field set share it.
    let classes = python(
        &bytes,
        "print(sorted({(type(i).__qualname__, tuple(vars(i))) for i in v if not isinstance(i, dict)}))",
    );
    assert_eq!(
        classes,
        "[('Item', ('id', 'name', 'opt', 'tags', 'pos')), ('Item', ('id', 'name', 'tags')), \
         ('Item', ('id', 'name', 'tags', 'pos')), ('Item', ('id', 'name', 'tags', 'pos', 'extra')), \
         ('Item', ('name', 'id', 'tags', 'pos'))]"
    );
}

/// A tree: the same struct at many depths, with a field only some nodes have.
struct Tree {
    label: u32,
    kids: Vec<Tree>,
}

static TREE: &str = "Tree";
static LABEL: &str = "label";
static KIDS: &str = "kids";

impl Serialize for Tree {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct(TREE, 2)?;
        st.serialize_field(LABEL, &self.label)?;
        if !self.kids.is_empty() {
            st.serialize_field(KIDS, &self.kids)?;
        }
        st.end()
    }
}

fn tree(label: u32, depth: u32) -> Tree {
    let kids = match depth {
        0 => Vec::new(),
        _ => (0..label % 3 + 1).map(|i| tree(label * 3 + i, depth - 1)).collect(),
    };
    Tree { label, kids }
}

#[test]
fn nested_structs_of_one_name() {
    let value = vec![tree(1, 3), tree(2, 0), tree(5, 4)];
    let bytes = checked(&value);
    let got = python(
        &bytes,
        "def walk(t): return [t.label, [walk(k) for k in getattr(t, 'kids', [])]]\nprint([walk(t) for t in v])",
    );
    fn walk(t: &Tree) -> String {
        let kids: Vec<String> = t.kids.iter().map(walk).collect();
        format!("[{}, [{}]]", t.label, kids.join(", "))
    }
    let want: Vec<String> = value.iter().map(walk).collect();
    assert_eq!(got, format!("[{}]", want.join(", ")));
}

/// Structs of more than a frame: a direct struct turns buffered at its
/// first cut, and a buffered one carries its cuts into a direct parent.
struct Wrapper<'a> {
    items: &'a [Item],
    big: bool,
}

static WRAPPER: &str = "Wrapper";
static ITEMS: &str = "items";
static BIG: &str = "big";

impl Serialize for Wrapper<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct(WRAPPER, 2)?;
        if self.big {
            st.serialize_field(BIG, &"x".repeat(70_000))?;
        }
        st.serialize_field(ITEMS, self.items)?;
        st.end()
    }
}

#[test]
fn structs_larger_than_a_frame() {
    let many = |n: usize| (0..n).map(|i| format!("tag-{i:06}")).collect::<Vec<_>>();
    let items: Vec<Item> = (0..6)
        .map(|i| match i {
            // A large item after the prediction is made, then one with a
            // field set it never had, which turns buffered after its cut.
            2 => Item {
                tags: many(20_000),
                ..item(2)
            },
            4 => Item {
                tags: many(9_000),
                opt: Some(1),
                ..item(4)
            },
            _ => item(i),
        })
        .collect();
    let nested = [
        Wrapper {
            items: &items[..2],
            big: false,
        },
        Wrapper {
            items: &items,
            big: false,
        },
        Wrapper {
            items: &items[..1],
            big: true,
        },
        Wrapper {
            items: &items[3..],
            big: false,
        },
    ];
    let bytes = checked(&nested[..]);
    let got = python(
        &bytes,
        "print([[(i.id, len(i.tags), getattr(i, 'opt', None)) for i in w.items] for w in v])\n\
         print([len(getattr(w, 'big', '')) for w in v])",
    );
    let summary = |range: &[Item]| {
        let parts: Vec<String> = range
            .iter()
            .map(|i| {
                let opt = i.opt.map_or("None".into(), |o| o.to_string());
                format!("({}, {}, {opt})", i.id, i.tags.len())
            })
            .collect();
        format!("[{}]", parts.join(", "))
    };
    let want = format!(
        "[{}, {}, {}, {}]\n[0, 0, 70000, 0]",
        summary(&items[..2]),
        summary(&items),
        summary(&items[..1]),
        summary(&items[3..])
    );
    assert_eq!(got, want);
    // The body is frames, one after another, cut near 64 KiB.
    let mut at = header().len();
    let mut frames = Vec::new();
    while at < bytes.len() {
        assert_eq!(bytes[at], crate::opcodes::FRAME, "a frame at {at}");
        let len = u64::from_le_bytes(bytes[at + 1..at + 9].try_into().unwrap()) as usize;
        frames.push(len);
        at += 9 + len;
    }
    assert_eq!(at, bytes.len());
    assert!(frames.len() > 5, "{frames:?}");
    assert!(frames.iter().all(|&len| len < 2 * crate::FRAME_TARGET), "{frames:?}");
}

/// A class met for the first time inside direct structs, nested: its
/// descriptor goes to the stream before them, so they are buffered (the
/// outer one, and the inner one with it), and the inner one then changes
/// its field set, or becomes a dict.
#[test]
fn new_class_inside_nested_direct_structs() {
    let first = [item(0)];
    let items = [
        item(1),
        Item {
            pos_shape: Some(Shape::Circle(2.0)),
            extra: Some("z".into()),
            ..item(2)
        },
        Item {
            pos_shape: Some(Shape::Square(5)),
            odd: Some(3),
            ..item(3)
        },
        Item {
            pos_shape: Some(Shape::Square(6)),
            ..item(4)
        },
        item(5),
    ];
    let value = [
        Wrapper {
            items: &first,
            big: false,
        },
        Wrapper {
            items: &items,
            big: false,
        },
        Wrapper {
            items: &items[3..],
            big: false,
        },
    ];
    let bytes = checked(&value[..]);
    let got = python(&bytes, "for w in v:\n    for i in w.items: print(repr(i))");
    let want = [
        repr(0),
        repr(1),
        "Item(id=2, name='item-2', tags=['a', 't2'], pos=Shape.Circle(r=2.0), extra='z')".into(),
        "{'id': 3, 'name': 'item-3', 'tags': ['a', 't3'], 'pos': Shape.Square(side=5), 'not python': 3}".into(),
        "Item(id=4, name='item-4', tags=['a', 't4'], pos=Shape.Square(side=6))".into(),
        repr(5),
        "Item(id=4, name='item-4', tags=['a', 't4'], pos=Shape.Square(side=6))".into(),
        repr(5),
    ]
    .join("\n");
    assert_eq!(got, want);
}

/// A sequence of structs written through `SerializeSeq` by hand, whose
/// elements alternate between two field sets: every one mispredicted.
struct Alternating(usize);

impl Serialize for Alternating {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0))?;
        for i in 0..self.0 {
            seq.serialize_element(&Item {
                opt: (i % 2 == 1).then_some(i as i64),
                ..item(i as u64)
            })?;
        }
        seq.end()
    }
}

#[test]
fn alternating_field_sets() {
    let bytes = checked(&Alternating(7));
    let got = python(&bytes, "print([getattr(i, 'opt', None) for i in v])");
    assert_eq!(got, "[None, 1, None, 3, None, 5, None]");
}

static TURNS: &str = "Turns";
static VARIANTS: [&str; 6] = ["V0", "V1", "V2", "V3", "V4", "V5"];
static A: &str = "a";
static B: &str = "b";

/// A sequence of struct variants of one enum taking turns: `n` variants
/// in rotation (more than a depth recalls when `n` > 4), each an instance
/// with fields `a` (and `b` for odd variants).
struct Turns(usize, usize);

impl Serialize for Turns {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (count, n) = (self.0, self.1);
        let mut seq = s.serialize_seq(Some(count))?;
        for i in 0..count {
            seq.serialize_element(&Turn(i % n, i as u32))?;
        }
        seq.end()
    }
}

struct Turn(usize, u32);

impl Serialize for Turn {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let odd = self.0 % 2 == 1;
        let mut st = s.serialize_struct_variant(TURNS, self.0 as u32, VARIANTS[self.0], 1 + usize::from(odd))?;
        st.serialize_field(A, &self.1)?;
        if odd {
            st.serialize_field(B, &(self.1 * 10))?;
        }
        st.end()
    }
}

#[test]
fn struct_variants_taking_turns() {
    for n in [2, 4, 6] {
        let bytes = checked(&Turns(13, n));
        let got = python(
            &bytes,
            "print(' '.join(f'{type(t).__name__}:{t.a}:{getattr(t, \"b\", \"-\")}' for t in v))",
        );
        let want: Vec<String> = (0..13)
            .map(|i| match (i % n) % 2 {
                1 => format!("V{}:{i}:{}", i % n, i * 10),
                _ => format!("V{}:{i}:-", i % n),
            })
            .collect();
        assert_eq!(got, want.join(" "), "{n} variants in turn");
    }
}

/// `bytes` (serde's `serialize_bytes`), as `serde_bytes` writes them.
struct Bytes(Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

/// Values written to the stream itself, no struct open: a `str` or
/// `bytes` of a frame or more goes outside any frame, as CPython writes
/// it, through the encoder (the serializer hands its output back for it).
#[test]
fn large_values_outside_structs_go_outside_frames() {
    struct Small {
        s: &'static str,
    }
    impl Serialize for Small {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Small", 1)?;
            st.serialize_field("s", self.s)?;
            st.end()
        }
    }
    let value = (
        "x".repeat(70_000),
        Bytes(vec![7; 80_000]),
        Small { s: "in a frame" },
        "short",
    );
    let bytes = checked(&value);
    let got = python(&bytes, "print(len(v[0]), v[0][:2], len(v[1]), v[1][:2], v[2].s, v[3])");
    assert_eq!(got, "70000 xx 80000 b'\\x07\\x07' in a frame short");
    // Frames, and between them the two large values, each with its opcode
    // and four-byte length.
    let mut at = header().len();
    let mut outside = Vec::new();
    while at < bytes.len() {
        let len_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
        match bytes[at] {
            crate::opcodes::FRAME => {
                at += 9 + u64::from_le_bytes(bytes[at + 1..at + 9].try_into().unwrap()) as usize;
            }
            op @ (crate::opcodes::BINUNICODE | crate::opcodes::BINBYTES) => {
                outside.push((op, len_at(at + 1)));
                at += 5 + len_at(at + 1);
            }
            op => panic!("opcode {op:#x} outside a frame at {at}"),
        }
    }
    assert_eq!(at, bytes.len());
    assert_eq!(
        outside,
        [(crate::opcodes::BINUNICODE, 70_000), (crate::opcodes::BINBYTES, 80_000)]
    );
}
