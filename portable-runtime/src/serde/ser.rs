//! Writing: a `serde::Serializer` over the stream state. [`write`] says
//! what Python objects serde's calls become; how it gets there follows.
//!
//! # Buffering
//!
//! A struct's class depends on its field set, known only once every field is
//! written, but `cls(*fields)` needs the class first. So the fields of a
//! struct (and struct variant) are written to a side buffer while the class
//! descriptors they need (which define memo entries, and leave the stack as
//! they find it) go straight to the stream; when the struct ends, its class
//! is written if new, then `cls`, the buffered fields and `REDUCE`. The
//! buffers contain only memo references to classes already defined. Tuple
//! structs and variants, newtype and unit forms know their class at once and
//! are written directly. A struct's fields are held in memory until it ends:
//! a top-level struct holding a large collection is written to a
//! [`to_writer`](crate::to_writer_with_header) sink only once it is complete
//! (sequences and maps are streamed frame by frame).
//!
//! Framing: a buffer records an opcode boundary about every 64 KiB of its
//! bytes (after a container item); a finished buffer carries these into its
//! parent, and the stream closes a frame at each once the buffer reaches it,
//! so frames stay near 64 KiB. A `str` or `bytes` of 64 KiB or more inside a
//! struct stays inside a frame (valid pickle; CPython would write it outside
//! any frame, as a value written directly to the stream is).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::{self, Display, Write as _};
use std::hash::{BuildHasherDefault, Hasher};
use std::io;
use std::sync::{Mutex, OnceLock};

use serde::ser::{self, Serialize};

use crate::descriptor::{offset, ClassDescriptor, ClassShape, TypeShape, TypeSpec};
use crate::names::{is_identifier, PYTHON_KEYWORDS};
use crate::opcodes::*;
use crate::writer::OpWriter;
use crate::{Pickler, FRAME_TARGET};

// ---------------------------------------------------------------- errors

/// Why writing a `Serialize` value failed, and where: the message and the
/// path to the offending value (`.items[2].name`; `<key>` for a map key).
pub struct Error {
    inner: Box<ErrorInner>,
}

struct ErrorInner {
    message: String,
    /// Path segments, innermost first (pushed while the error propagates outwards).
    path: Vec<Segment>,
    io: Option<io::Error>,
}

enum Segment {
    Field(Cow<'static, str>),
    Index(usize),
    Key,
}

impl Error {
    fn new(message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(ErrorInner {
                message: message.into(),
                path: Vec::new(),
                io: None,
            }),
        }
    }

    fn push(mut self, segment: Segment) -> Self {
        self.inner.path.push(segment);
        self
    }

    fn in_field(self, name: impl Into<Cow<'static, str>>) -> Self {
        self.push(Segment::Field(name.into()))
    }

    fn in_index(self, index: usize) -> Self {
        self.push(Segment::Index(index))
    }

    fn in_key(self) -> Self {
        self.push(Segment::Key)
    }

    /// What went wrong, without the path.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Path of the offending value inside the written value: `.name` for a
    /// struct field (serde's name) or the value under a `str` or `int` map
    /// key, `._0` for a tuple struct or variant field, `[2]` for a sequence
    /// or tuple item, `<key>` inside a map key; empty for the top-level value.
    pub fn path(&self) -> String {
        let mut s = String::new();
        for segment in self.inner.path.iter().rev() {
            match segment {
                Segment::Field(f) => {
                    s.push('.');
                    s.push_str(f);
                }
                Segment::Index(i) => {
                    let _ = write!(s, "[{i}]");
                }
                Segment::Key => s.push_str("<key>"),
            }
        }
        s
    }

    /// The kind of the I/O error that stopped the write, if it was one.
    pub fn io_error_kind(&self) -> Option<io::ErrorKind> {
        self.inner.io.as_ref().map(io::Error::kind)
    }
}

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        if !self.inner.path.is_empty() {
            write!(f, " at {}", self.path())?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({self})")
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.io.as_ref().map(|e| e as _)
    }
}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error::new(msg.to_string())
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        let mut err = Error::new(format!("I/O error: {e}"));
        err.inner.io = Some(e);
        err
    }
}

/// The message and path, as an `io::Error` (of the original kind for an
/// I/O error), for `PortablePickle` impls.
impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        let kind = e.io_error_kind().unwrap_or(io::ErrorKind::Other);
        io::Error::new(kind, e.to_string())
    }
}

// ---------------------------------------------------------------- entry points

/// Writes `value` through its `Serialize` impl as one Python object into
/// the stream `p` (which may be in the middle of a derived value: the memo
/// and the classes already written are shared).
///
/// # Python shapes
///
/// The same shapes the derive gives, as far as serde's calls describe them:
///
/// | serde call | Python |
/// | --- | --- |
/// | `bool`, integers (`i128`/`u128` exact), floats (`f32` widened exactly) | `bool`, `int`, `float` |
/// | `char`, `str`, `collect_str` | `str` |
/// | `bytes` (`serde_bytes`) | `bytes` (a plain `Vec<u8>` is a sequence: a `list` of ints) |
/// | `none`, `unit` | `None`; `some(v)` is `v` |
/// | sequence / tuple / map | `list` / `tuple` / `dict` |
/// | struct `S { a, b }` | `S(a=…, b=…)`: an instance of a stand-in dataclass named `S` with serde's field names (after `rename`, `rename_all`, `skip`) |
/// | tuple struct `S(x, y)` / newtype struct `S(x)` | `S(_0=…, _1=…)` / `S(_0=…)` |
/// | unit struct `S` | `S()`, a field-less instance |
/// | enum variant (externally tagged) | an instance of the variant class `E.V` (`__qualname__` `"E.V"`), a subclass of a field-less base class `E`; unit variants are field-less instances `E.V()`, newtype variants have the field `_0`, tuple variants `_0`, `_1`, … |
///
/// serde never lists an enum's variants, so unit variants are not members of
/// an `enum.Enum`: each variant class is built on its own
/// (`TypeShape::Variant`) and shares the base class `E` with every other
/// variant of the same enum name; `E.V` is the same class in every stream a
/// process loads. Internally and adjacently tagged and untagged enums are
/// whatever serde's calls describe: internally tagged, a struct named after
/// the enum with the tag field first (`E(type='V', x=1)`; one class per
/// variant's field set), or a `dict` with the tag for a newtype variant
/// holding a map; adjacently tagged, a struct named after the enum with the
/// tag, which serde writes as a unit variant (`E(t=E.V(), c=…)`), and the
/// content (a struct variant's content is a struct named after the variant);
/// untagged, the bare content. `is_human_readable` is `true`, so types with
/// two forms (IP addresses, UUIDs, dates) write their text form.
///
/// Names: a field name that is a Python keyword gets a trailing `_` (`class_`),
/// as in the derive, and so does a class or variant name that is one. A struct
/// whose name, or any of whose field names, is not a usable Python name (not
/// an identifier, a dunder name, or two fields with one Python name) is
/// written without a class: a struct as a `dict` of its fields under serde's
/// names, a tuple struct as a `tuple`, a newtype struct as its value, a unit
/// struct as `None`; an enum variant with such a name as serde's externally
/// tagged form: `"V"` for a unit variant, `{"V": value}` otherwise.
///
/// # Classes
///
/// A class is described by serde's `&'static str` names. Its descriptor is
/// encoded once per process, cached under the identity (address and length)
/// of those names, so after the first time no name is hashed by content,
/// and written once per stream (`Pickler::class_slot`). Class keys use an
/// empty crate name (serde does not know the crate). A struct whose field
/// set varies between values (`skip_serializing_if`) gets one class per field
/// set, each a complete dataclass of the fields it has.
///
/// # Errors
///
/// A failing `Serialize` impl, a map key Python cannot hash (a `list` or
/// `dict`, also inside a tuple or struct key), a tuple whose elements exceed
/// its declared length, or an I/O error is an [`Error`] with the path to the
/// value (`.items[2].name`). A `Serialize` impl that ignores an error and
/// goes on gets an error at the end, never a stream Python cannot load.
pub fn write<T: Serialize + ?Sized>(p: &mut Pickler<'_>, value: &T) -> Result<(), Error> {
    let mut ser = Ser::new(p);
    value.serialize(&mut ser)?;
    if ser.failed || ser.compounds != 0 || ser.depth != 0 {
        return Err(Error::new(
            "a Serialize implementation went on after an error or left a sequence, map or struct unfinished; \
             the stream would not load",
        ));
    }
    ser.p.boundary()?;
    Ok(())
}

/// `#[pickle(serde)]` fields: [`write()`], with the error (message and path)
/// as an `io::Error`.
pub fn write_field<T: Serialize + ?Sized>(value: &T, p: &mut Pickler<'_>) -> io::Result<()> {
    write(p, value).map_err(io::Error::from)
}

// ---------------------------------------------------------------- the class cache

/// The identity of a `&'static str`: its address and length.
type Id = (usize, usize);

fn id(s: &'static str) -> Id {
    (s.as_ptr() as usize, s.len())
}

/// A class as serde's calls describe it.
#[derive(Clone, Copy)]
struct Query<'q> {
    name: &'static str,
    /// The variant of enum `name`, for a variant class.
    variant: Option<&'static str>,
    fields: Fields<'q>,
}

#[derive(Clone, Copy)]
enum Fields<'q> {
    /// Named fields, in order.
    Named(&'q [&'static str]),
    /// `_0`, `_1`, …: tuple and newtype forms.
    Positional(usize),
}

/// How instances of a class are written.
#[derive(Clone, Copy)]
enum Class {
    /// `cls(*fields)`, with the class at `offset` among the descriptor's slots.
    Instance(&'static ClassDescriptor, u32),
    /// No usable Python class: written in the class-less form.
    Plain,
}

/// A cached [`Query`], with owned identities.
struct Entry {
    name: Id,
    variant: Option<Id>,
    named: Box<[Id]>,
    positional: usize,
    class: Class,
}

impl Entry {
    fn matches(&self, q: &Query<'_>) -> bool {
        self.name == id(q.name)
            && self.variant == q.variant.map(id)
            && match q.fields {
                Fields::Named(f) => {
                    self.positional == usize::MAX
                        && self.named.len() == f.len()
                        && self.named.iter().zip(f).all(|(a, &b)| *a == id(b))
                }
                Fields::Positional(n) => self.positional == n,
            }
    }
}

/// FxHash-style mixing of the identity words: no name is read.
fn hash(q: &Query<'_>) -> u64 {
    fn mix(h: u64, v: usize) -> u64 {
        (h.rotate_left(5) ^ v as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
    }
    let (p, l) = id(q.name);
    let mut h = mix(mix(0, p), l);
    if let Some(v) = q.variant {
        let (p, l) = id(v);
        h = mix(mix(mix(h, 1), p), l);
    }
    match q.fields {
        Fields::Named(f) => {
            for &n in f {
                let (p, l) = id(n);
                h = mix(mix(h, p), l);
            }
            mix(h, f.len())
        }
        Fields::Positional(n) => mix(mix(h, usize::MAX), n),
    }
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Buckets = HashMap<u64, Vec<Entry>, BuildHasherDefault<PassThrough>>;

/// The process-wide cache: every class is encoded once per process.
#[derive(Default)]
struct Global {
    by_id: Buckets,
    /// Descriptors by class key: names at other addresses with the same text
    /// share one descriptor.
    by_key: HashMap<u64, &'static ClassDescriptor>,
}

fn global() -> &'static Mutex<Global> {
    static GLOBAL: OnceLock<Mutex<Global>> = OnceLock::new();
    GLOBAL.get_or_init(Mutex::default)
}

thread_local! {
    /// A lock-free front for [`global`]: the same `&'static` descriptors.
    static LOCAL: RefCell<Buckets> = RefCell::default();
}

fn entry(q: &Query<'_>, class: Class) -> Entry {
    let (named, positional) = match q.fields {
        Fields::Named(f) => (f.iter().map(|&n| id(n)).collect(), usize::MAX),
        Fields::Positional(n) => (Box::default(), n),
    };
    Entry {
        name: id(q.name),
        variant: q.variant.map(id),
        named,
        positional,
        class,
    }
}

/// The class of `q`: from this thread's cache, else the process's, else
/// built (and encoded) now.
fn class_of(q: &Query<'_>) -> Class {
    let h = hash(q);
    let local = LOCAL.with(|l| {
        l.borrow()
            .get(&h)
            .and_then(|b| b.iter().find(|e| e.matches(q)))
            .map(|e| e.class)
    });
    if let Some(class) = local {
        return class;
    }
    let class = {
        let mut g = global().lock().unwrap_or_else(|e| e.into_inner());
        match g.by_id.get(&h).and_then(|b| b.iter().find(|e| e.matches(q))) {
            Some(e) => e.class,
            None => {
                let class = build(q, &mut g.by_key);
                g.by_id.entry(h).or_default().push(entry(q, class));
                class
            }
        }
    };
    LOCAL.with(|l| l.borrow_mut().entry(h).or_default().push(entry(q, class)));
    class
}

/// A serde name as a Python class, variant or field name: keywords get a
/// trailing `_`; names that are no identifier, and dunder names, have none.
fn python_name(name: &str) -> Option<String> {
    if !is_identifier(name) || (name.starts_with("__") && name.ends_with("__")) {
        None
    } else if PYTHON_KEYWORDS.contains(&name) {
        Some(format!("{name}_"))
    } else {
        Some(name.to_owned())
    }
}

/// Builds and encodes the class of `q` (or finds it has none).
fn build(q: &Query<'_>, by_key: &mut HashMap<u64, &'static ClassDescriptor>) -> Class {
    let Some(name) = python_name(q.name) else {
        return Class::Plain;
    };
    let fields: Vec<String> = match q.fields {
        Fields::Named(f) => {
            let Some(fields) = f.iter().map(|n| python_name(n)).collect::<Option<Vec<_>>>() else {
                return Class::Plain;
            };
            let mut seen = std::collections::HashSet::new();
            if !fields.iter().all(|f| seen.insert(f.as_str())) {
                return Class::Plain;
            }
            fields
        }
        Fields::Positional(n) => (0..n).map(|i| format!("_{i}")).collect(),
    };
    let (shape, at) = match q.variant {
        None => (
            TypeShape::Struct(ClassShape {
                name,
                doc: None,
                fields,
            }),
            offset::CLASS,
        ),
        Some(v) => {
            let Some(variant) = python_name(v) else {
                return Class::Plain;
            };
            let shape = TypeShape::Variant {
                base: ClassShape {
                    name,
                    doc: None,
                    fields: Vec::new(),
                },
                variant: ClassShape {
                    name: variant,
                    doc: None,
                    fields,
                },
            };
            (shape, offset::variant(0))
        }
    };
    let spec = TypeSpec {
        crate_name: String::new(),
        module: None,
        frozen: false,
        shape,
    };
    let key = spec.fingerprint();
    let desc = *by_key.entry(key).or_insert_with(|| {
        let encoded = spec.encode();
        Box::leak(Box::new(ClassDescriptor {
            key: encoded.key,
            slots: encoded.slots,
            bytes: Box::leak(encoded.bytes.into_boxed_slice()),
            stdlib_only: None,
        }))
    });
    Class::Instance(desc, at)
}

// ---------------------------------------------------------------- the serializer

/// Entries of [`Ser::recent`].
const RECENT: usize = 32;

/// A class this serializer resolved: its shape by the identity of its
/// names, and its memo slot in the stream.
#[derive(Default)]
struct Recent {
    name: Id,
    variant: Option<Id>,
    named: Vec<&'static str>,
    positional: usize,
    slot: Option<u32>,
}

impl Recent {
    #[inline]
    fn matches(&self, q: &Query<'_>) -> bool {
        id(q.name) == self.name
            && q.variant.map(id) == self.variant
            && match q.fields {
                Fields::Named(f) => {
                    self.positional == usize::MAX
                        && f.len() == self.named.len()
                        && f.iter().zip(&self.named).all(|(&a, &b)| std::ptr::eq(a, b))
                }
                Fields::Positional(n) => n == self.positional,
            }
    }

    fn set(&mut self, q: &Query<'_>, slot: Option<u32>) {
        self.name = id(q.name);
        self.variant = q.variant.map(id);
        self.named.clear();
        match q.fields {
            Fields::Named(f) => {
                self.named.extend_from_slice(f);
                self.positional = usize::MAX;
            }
            Fields::Positional(n) => self.positional = n,
        }
        self.slot = slot;
    }
}

/// Where [`Recent`] keeps the shape of `q`: by the addresses of its names.
#[inline]
fn recent_index(q: &Query<'_>) -> usize {
    let mut h = q.name.as_ptr() as usize ^ q.name.len().rotate_left(20);
    if let Some(v) = q.variant {
        h ^= (v.as_ptr() as usize).rotate_left(11) ^ v.len();
    }
    if let Fields::Positional(n) = q.fields {
        h ^= n.rotate_left(27);
    }
    (h ^ (h >> 5) ^ (h >> 11)) % RECENT
}

/// The buffered fields of a struct being written.
#[derive(Default)]
struct Pending {
    w: OpWriter,
    /// Offset in `w` of each field's value.
    starts: Vec<usize>,
    /// serde's field names, in order.
    fields: Vec<&'static str>,
    /// Opcode boundaries in `w` about a frame apart, where the stream may
    /// start a new frame once the bytes reach it.
    cuts: Vec<usize>,
    last_cut: usize,
}

impl Pending {
    fn reset(&mut self) {
        self.w.buf_mut().clear();
        self.starts.clear();
        self.fields.clear();
        self.cuts.clear();
        self.last_cut = 0;
    }
}

/// The serializer: writes into the innermost open struct's buffer, or the
/// stream when none is open.
struct Ser<'a, 's> {
    p: &'a mut Pickler<'s>,
    /// The buffers of the open structs, `bufs[..depth]`, innermost last;
    /// the ones after are kept (empty) for reuse.
    bufs: Vec<Pending>,
    depth: usize,
    /// The classes met last, by the identity of their names (allocated at
    /// the first class).
    recent: Option<Box<[Option<Recent>]>>,
    /// Nonzero while a map key is written: what Python cannot hash is refused.
    in_key: u32,
    /// Map key texts (for error paths), one per open map.
    keys: Vec<String>,
    maps: usize,
    /// Which of `keys` the scalar being written is the text of.
    capture: Option<usize>,
    /// Sequences, maps, tuples and structs begun and not yet ended.
    compounds: usize,
    /// An error was returned: the stream is unusable whatever happens next.
    failed: bool,
    scratch: String,
}

impl<'a, 's> Ser<'a, 's> {
    fn new(p: &'a mut Pickler<'s>) -> Self {
        Ser {
            p,
            bufs: Vec::new(),
            depth: 0,
            recent: None,
            in_key: 0,
            keys: Vec::new(),
            maps: 0,
            capture: None,
            compounds: 0,
            failed: false,
            scratch: String::new(),
        }
    }

    /// An error this serializer found (which poisons the stream).
    fn fail(&mut self, e: impl Into<Error>) -> Error {
        self.failed = true;
        e.into()
    }

    /// Passes on the error of a nested value with its place in the path. It
    /// passed through the stream, which is unusable from here on, whatever
    /// the caller does with the error.
    #[inline]
    fn nested(&mut self, result: Result<(), Error>, place: impl FnOnce(Error) -> Error) -> Result<(), Error> {
        result.map_err(|e| {
            self.failed = true;
            place(e)
        })
    }

    /// The innermost open struct's buffer.
    #[inline]
    fn top(&mut self) -> Option<&mut Pending> {
        match self.depth {
            0 => None,
            d => Some(&mut self.bufs[d - 1]),
        }
    }

    /// Where values go now.
    #[inline]
    fn out(&mut self) -> &mut OpWriter {
        match self.depth {
            0 => self.p.w(),
            d => &mut self.bufs[d - 1].w,
        }
    }

    /// Called after each item of a container: lets the stream close a full
    /// frame, or records a place where it may once the buffer is written.
    #[inline]
    fn item_done(&mut self) -> Result<(), Error> {
        match self.depth {
            0 => self.p.boundary().map_err(|e| {
                self.failed = true;
                e.into()
            }),
            d => {
                let b = &mut self.bufs[d - 1];
                if b.w.len() - b.last_cut >= FRAME_TARGET {
                    b.last_cut = b.w.len();
                    b.cuts.push(b.last_cut);
                }
                Ok(())
            }
        }
    }

    /// Records the text of a map key being written, for error paths.
    #[inline]
    fn key_text(&mut self, text: impl Display) {
        if let Some(i) = self.capture.take() {
            let s = &mut self.keys[i];
            s.clear();
            let _ = write!(s, "{text}");
        }
    }

    /// A container begins: no key text; refused inside a map key when
    /// Python cannot hash it (`what`).
    fn begin(&mut self, unhashable: Option<&str>) -> Result<(), Error> {
        self.key_text("<value>");
        if let (Some(what), true) = (unhashable, self.in_key > 0) {
            return Err(self.fail(Error::new(format!(
                "{what} cannot be a dict key: Python cannot hash it"
            ))));
        }
        self.compounds += 1;
        Ok(())
    }

    fn end(&mut self) {
        self.compounds -= 1;
    }

    fn write_str(&mut self, s: &str) -> Result<(), Error> {
        match self.depth {
            0 => self.p.str(s).map_err(|e| self.fail(e)),
            d => {
                self.bufs[d - 1].w.str(s);
                Ok(())
            }
        }
    }

    fn write_bytes(&mut self, v: &[u8]) -> Result<(), Error> {
        match self.depth {
            0 => self.p.bytes(v).map_err(|e| self.fail(e)),
            d => {
                self.bufs[d - 1].w.bytes(v);
                Ok(())
            }
        }
    }

    /// The memo slot of the class of `q` in this stream, writing its
    /// descriptor (to the stream itself, never to a buffer) the first time;
    /// `None` when it has no usable Python class. The shapes this serializer
    /// met last are kept by the addresses of their names, so a repeated
    /// shape costs a few comparisons of addresses.
    fn resolve(&mut self, q: &Query<'_>) -> Option<u32> {
        let recent = self.recent.get_or_insert_with(|| (0..RECENT).map(|_| None).collect());
        let at = recent_index(q);
        if let Some(r) = &recent[at] {
            if r.matches(q) {
                return r.slot;
            }
        }
        let slot = match class_of(q) {
            Class::Instance(desc, at) => Some(self.p.class_slot(desc) + at),
            Class::Plain => None,
        };
        let recent = self.recent.as_mut().expect("allocated above");
        let r = recent[at].get_or_insert_with(Recent::default);
        r.set(q, slot);
        slot
    }

    /// Starts a buffered struct.
    #[inline]
    fn push_pending(&mut self) {
        if self.bufs.len() == self.depth {
            self.bufs.push(Pending::default());
        }
        self.depth += 1;
    }

    /// Ends the innermost buffered struct: `cls(*fields)`, or a `dict`.
    fn finish_struct(&mut self, name: &'static str, variant: Option<&'static str>) -> Result<(), Error> {
        let Some(d) = self.depth.checked_sub(1) else {
            return Err(self.fail(Error::new("a struct ended twice")));
        };
        self.depth = d;
        let fields = std::mem::take(&mut self.bufs[d].fields);
        let q = Query {
            name,
            variant,
            fields: Fields::Named(&fields),
        };
        let slot = self.resolve(&q);
        let result = self.write_struct(d, &fields, slot, name, variant);
        let child = &mut self.bufs[d];
        child.fields = fields;
        child.reset();
        result
    }

    /// Writes the struct buffered in `bufs[d]` (its fields are `fields`) to
    /// the current output, as an instance of the class at `slot` or a dict.
    fn write_struct(
        &mut self,
        d: usize,
        fields: &[&'static str],
        slot: Option<u32>,
        name: &'static str,
        variant: Option<&'static str>,
    ) -> Result<(), Error> {
        let len = self.bufs[d].w.len();
        match slot {
            Some(slot) => {
                let n = fields.len();
                let out = self.out();
                out.get(slot);
                out.tuple_open(n);
                self.append_child(d, 0, len)?;
                let out = self.out();
                out.tuple_close(n);
                out.reduce();
            }
            None => {
                if self.in_key > 0 {
                    let what = match variant {
                        Some(v) => format!("variant `{name}::{v}`, written as a dict,"),
                        None => format!("struct `{name}`, written as a dict,"),
                    };
                    return Err(self.fail(Error::new(format!(
                        "{what} cannot be a dict key: Python cannot hash it"
                    ))));
                }
                if let Some(v) = variant {
                    self.out().op(EMPTY_DICT);
                    self.write_str(v)?;
                }
                self.out().op(EMPTY_DICT);
                let n = fields.len();
                for (i, field) in fields.iter().enumerate() {
                    let from = self.bufs[d].starts[i];
                    let to = self.bufs[d].starts.get(i + 1).copied().unwrap_or(len);
                    let single = i % BATCH == 0 && n - i == 1;
                    if i % BATCH == 0 && !single {
                        self.out().op(MARK);
                    }
                    self.write_str(field)?;
                    self.append_child(d, from, to)?;
                    if single {
                        self.out().op(SETITEM);
                    } else if i % BATCH == BATCH - 1 || i + 1 == n {
                        self.out().op(SETITEMS);
                    }
                    self.item_done()?;
                }
                if variant.is_some() {
                    self.out().op(SETITEM);
                }
            }
        }
        Ok(())
    }

    /// Appends bytes `from..to` of the finished buffer `bufs[d]` (with its
    /// frame cuts) to the current output, `bufs[d - 1]` or the stream.
    fn append_child(&mut self, d: usize, from: usize, to: usize) -> Result<(), Error> {
        let (parents, rest) = self.bufs.split_at_mut(d);
        let child = &rest[0];
        let bytes = child.w.as_bytes();
        let cuts = child.cuts.iter().copied().filter(|&c| c > from && c < to);
        match parents.last_mut() {
            Some(b) => {
                let shift = b.w.len();
                b.w.raw(&bytes[from..to]);
                for c in cuts {
                    b.last_cut = c - from + shift;
                    b.cuts.push(b.last_cut);
                }
            }
            None => {
                let mut at = from;
                for c in cuts {
                    self.p.w().raw(&bytes[at..c]);
                    if let Err(e) = self.p.boundary() {
                        self.failed = true;
                        return Err(e.into());
                    }
                    at = c;
                }
                self.p.w().raw(&bytes[at..to]);
            }
        }
        Ok(())
    }
}

/// The integer methods: the shortest encoding, as the derive writes them.
macro_rules! int_methods {
    ($($method:ident($t:ty) => $write:ident as $wide:ty;)*) => {$(
        #[inline]
        fn $method(self, v: $t) -> Result<(), Error> {
            self.key_text(v);
            self.out().$write(v as $wide);
            Ok(())
        }
    )*};
}

impl<'b, 'a, 's> ser::Serializer for &'b mut Ser<'a, 's> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Batch<'b, 'a, 's>;
    type SerializeTuple = Tuple<'b, 'a, 's>;
    type SerializeTupleStruct = Tuple<'b, 'a, 's>;
    type SerializeTupleVariant = Tuple<'b, 'a, 's>;
    type SerializeMap = Batch<'b, 'a, 's>;
    type SerializeStruct = Struct<'b, 'a, 's>;
    type SerializeStructVariant = Struct<'b, 'a, 's>;

    #[inline]
    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.key_text(if v { "True" } else { "False" });
        self.out().bool(v);
        Ok(())
    }

    int_methods! {
        serialize_i8(i8) => int as i64;
        serialize_i16(i16) => int as i64;
        serialize_i32(i32) => int as i64;
        serialize_i64(i64) => int as i64;
        serialize_u8(u8) => int as i64;
        serialize_u16(u16) => int as i64;
        serialize_u32(u32) => int as i64;
        serialize_u64(u64) => uint as u64;
        serialize_i128(i128) => int128 as i128;
        serialize_u128(u128) => uint128 as u128;
    }

    #[inline]
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(f64::from(v))
    }

    #[inline]
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.key_text(v);
        self.out().float(v);
        Ok(())
    }

    #[inline]
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    #[inline]
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.key_text(v);
        self.write_str(v)
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.key_text("<value>");
        self.write_bytes(v)
    }

    #[inline]
    fn serialize_none(self) -> Result<(), Error> {
        self.key_text("None");
        self.out().none();
        Ok(())
    }

    #[inline]
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    #[inline]
    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Error> {
        self.key_text(name);
        let q = Query {
            name,
            variant: None,
            fields: Fields::Positional(0),
        };
        match self.resolve(&q) {
            Some(slot) => {
                let out = self.out();
                out.get(slot);
                out.put([EMPTY_TUPLE, REDUCE]);
            }
            None => self.out().none(),
        }
        Ok(())
    }

    fn serialize_unit_variant(self, name: &'static str, _index: u32, variant: &'static str) -> Result<(), Error> {
        self.key_text(variant);
        let q = Query {
            name,
            variant: Some(variant),
            fields: Fields::Positional(0),
        };
        match self.resolve(&q) {
            Some(slot) => {
                let out = self.out();
                out.get(slot);
                out.put([EMPTY_TUPLE, REDUCE]);
                Ok(())
            }
            None => self.write_str(variant),
        }
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Result<(), Error> {
        let q = Query {
            name,
            variant: None,
            fields: Fields::Positional(1),
        };
        match self.resolve(&q) {
            Some(slot) => {
                self.key_text("<value>");
                self.out().get(slot);
                let result = value.serialize(&mut *self);
                self.nested(result, |e| e.in_field("_0"))?;
                self.out().put([TUPLE1, REDUCE]);
                Ok(())
            }
            None => value.serialize(self),
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let q = Query {
            name,
            variant: Some(variant),
            fields: Fields::Positional(1),
        };
        match self.resolve(&q) {
            Some(slot) => {
                self.key_text("<value>");
                self.out().get(slot);
                let result = value.serialize(&mut *self);
                self.nested(result, |e| e.in_field("_0"))?;
                self.out().put([TUPLE1, REDUCE]);
            }
            None => {
                self.begin(Some(&format!("variant `{name}::{variant}`, written as a dict,")))?;
                self.out().op(EMPTY_DICT);
                self.write_str(variant)?;
                let result = value.serialize(&mut *self);
                self.nested(result, |e| e.in_field(variant))?;
                self.out().op(SETITEM);
                self.end();
            }
        }
        Ok(())
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Batch<'b, 'a, 's>, Error> {
        self.begin(Some("a list"))?;
        self.out().op(EMPTY_LIST);
        Ok(Batch::new(self, len, APPEND, APPENDS))
    }

    fn serialize_tuple(self, len: usize) -> Result<Tuple<'b, 'a, 's>, Error> {
        self.begin(None)?;
        Ok(Tuple::new(self, len, TupleEnd::Tuple))
    }

    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Result<Tuple<'b, 'a, 's>, Error> {
        self.begin(None)?;
        let q = Query {
            name,
            variant: None,
            fields: Fields::Positional(len),
        };
        let end = match self.resolve(&q) {
            Some(slot) => {
                self.out().get(slot);
                TupleEnd::Call(name)
            }
            None => TupleEnd::Tuple,
        };
        Ok(Tuple::new(self, len, end))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Tuple<'b, 'a, 's>, Error> {
        let q = Query {
            name,
            variant: Some(variant),
            fields: Fields::Positional(len),
        };
        let end = match self.resolve(&q) {
            Some(slot) => {
                self.begin(None)?;
                self.out().get(slot);
                TupleEnd::Call(variant)
            }
            None => {
                self.begin(Some(&format!("variant `{name}::{variant}`, written as a dict,")))?;
                self.out().op(EMPTY_DICT);
                self.write_str(variant)?;
                TupleEnd::DictItem(variant)
            }
        };
        Ok(Tuple::new(self, len, end))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Batch<'b, 'a, 's>, Error> {
        self.begin(Some("a dict"))?;
        self.out().op(EMPTY_DICT);
        if self.keys.len() == self.maps {
            self.keys.push(String::new());
        }
        self.maps += 1;
        Ok(Batch::new(self, len, SETITEM, SETITEMS))
    }

    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Struct<'b, 'a, 's>, Error> {
        self.begin(None)?;
        self.push_pending();
        Ok(Struct {
            ser: self,
            name,
            variant: None,
        })
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Struct<'b, 'a, 's>, Error> {
        self.begin(None)?;
        self.push_pending();
        Ok(Struct {
            ser: self,
            name,
            variant: Some(variant),
        })
    }

    /// Formats into a reused buffer instead of a new `String`.
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<(), Error> {
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        let _ = write!(text, "{value}");
        let result = self.serialize_str(&text);
        self.scratch = text;
        result
    }
}

// ---------------------------------------------------------------- lists and dicts

/// A `list` (`APPEND`/`APPENDS`) or `dict` (`SETITEM`/`SETITEMS`), items
/// in batches of [`BATCH`] as CPython writes them.
pub struct Batch<'b, 'a, 's> {
    ser: &'b mut Ser<'a, 's>,
    /// The length serde announced, if any: a last batch of one item is
    /// written without `MARK`.
    hint: Option<usize>,
    index: usize,
    /// Items of the open batch (after its `MARK`); 0 when none is open.
    in_batch: usize,
    /// The current item is a batch of one, without `MARK`.
    single: bool,
    one: u8,
    many: u8,
    /// For a map: which of `Ser::keys` holds the text of the current key.
    key_slot: usize,
    /// For a map: a key was written and its value not yet.
    key_open: bool,
}

impl<'b, 'a, 's> Batch<'b, 'a, 's> {
    fn new(ser: &'b mut Ser<'a, 's>, hint: Option<usize>, one: u8, many: u8) -> Self {
        let key_slot = ser.maps.saturating_sub(1);
        Batch {
            ser,
            hint,
            index: 0,
            in_batch: 0,
            single: false,
            one,
            many,
            key_slot,
            key_open: false,
        }
    }

    #[inline]
    fn before_item(&mut self) {
        if self.in_batch == 0 {
            if self.hint.map(|n| n.saturating_sub(self.index)) == Some(1) {
                self.single = true;
            } else {
                self.ser.out().op(MARK);
            }
        }
    }

    #[inline]
    fn after_item(&mut self) -> Result<(), Error> {
        if self.single {
            self.single = false;
            let one = self.one;
            self.ser.out().op(one);
        } else {
            self.in_batch += 1;
            if self.in_batch == BATCH {
                self.in_batch = 0;
                let many = self.many;
                self.ser.out().op(many);
            }
        }
        self.index += 1;
        self.ser.item_done()
    }

    fn finish(self) {
        if self.in_batch > 0 {
            let many = self.many;
            self.ser.out().op(many);
        }
        self.ser.end();
    }
}

impl ser::SerializeSeq for Batch<'_, '_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.before_item();
        let index = self.index;
        let result = value.serialize(&mut *self.ser);
        self.ser.nested(result, |e| e.in_index(index))?;
        self.after_item()
    }

    fn end(self) -> Result<(), Error> {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeMap for Batch<'_, '_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        if std::mem::replace(&mut self.key_open, true) {
            return Err(self.ser.fail(Error::new("a map key after a key without its value")));
        }
        self.before_item();
        let ser = &mut *self.ser;
        ser.in_key += 1;
        ser.capture = Some(self.key_slot);
        let result = key.serialize(&mut *ser);
        ser.nested(result, Error::in_key)?;
        // A key that wrote no scalar (`()` is one) has no text of its own.
        ser.key_text("<value>");
        ser.in_key -= 1;
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !std::mem::replace(&mut self.key_open, false) {
            return Err(self.ser.fail(Error::new("a map value without its key")));
        }
        let ser = &mut *self.ser;
        let slot = self.key_slot;
        let result = value.serialize(&mut *ser);
        if let Err(e) = result {
            let key = ser.keys[slot].clone();
            return ser.nested(Err(e), |e| e.in_field(key));
        }
        self.after_item()
    }

    fn end(self) -> Result<(), Error> {
        if self.key_open {
            return Err(self.ser.fail(Error::new("a map ended after a key without its value")));
        }
        self.ser.maps -= 1;
        self.finish();
        Ok(())
    }
}

// ---------------------------------------------------------------- tuples

/// What closes a tuple.
#[derive(Clone, Copy)]
enum TupleEnd {
    /// A plain `tuple`.
    Tuple,
    /// `cls(*fields)` of a tuple struct or variant (named, for errors); the
    /// class is on the stack and the field count must be the declared one.
    Call(&'static str),
    /// `{variant: (fields)}` of a variant without a usable class.
    DictItem(&'static str),
}

/// A tuple, or the fields of a tuple struct or variant: `MARK` … `TUPLE`,
/// or `TUPLE1`–`TUPLE3` for up to three.
pub struct Tuple<'b, 'a, 's> {
    ser: &'b mut Ser<'a, 's>,
    len: usize,
    count: usize,
    end: TupleEnd,
}

impl<'b, 'a, 's> Tuple<'b, 'a, 's> {
    fn new(ser: &'b mut Ser<'a, 's>, len: usize, end: TupleEnd) -> Self {
        ser.out().tuple_open(len);
        Tuple {
            ser,
            len,
            count: 0,
            end,
        }
    }

    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let over = match self.end {
            TupleEnd::Call(_) => self.count == self.len,
            // Without a MARK, `TUPLE1`–`TUPLE3` take at most three items.
            _ => self.len <= 3 && self.count == 3,
        };
        if over {
            let what = match self.end {
                TupleEnd::Call(name) => format!("`{name}`"),
                _ => "a tuple".into(),
            };
            let msg = format!("{what} has more fields than the {} it declared", self.len);
            return Err(self.ser.fail(Error::new(msg)));
        }
        let i = self.count;
        let result = value.serialize(&mut *self.ser);
        match self.end {
            TupleEnd::Tuple => self.ser.nested(result, |e| e.in_index(i))?,
            _ => self.ser.nested(result, |e| e.in_field(format!("_{i}")))?,
        }
        self.count += 1;
        Ok(())
    }

    fn finish(self) -> Result<(), Error> {
        if let TupleEnd::Call(name) = self.end {
            if self.count != self.len {
                let msg = format!("`{name}` has {} fields, not the {} it declared", self.count, self.len);
                return Err(self.ser.fail(Error::new(msg)));
            }
        }
        let out = self.ser.out();
        if self.len > 3 {
            // Opened with MARK: `TUPLE` whatever the count.
            out.op(TUPLE);
        } else {
            out.tuple_close(self.count);
        }
        match self.end {
            TupleEnd::Tuple => {}
            TupleEnd::Call(_) => out.reduce(),
            TupleEnd::DictItem(_) => out.op(SETITEM),
        }
        self.ser.end();
        Ok(())
    }
}

impl ser::SerializeTuple for Tuple<'_, '_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Tuple<'_, '_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Tuple<'_, '_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        match self.end {
            TupleEnd::DictItem(variant) => self.item(value).map_err(|e| e.in_field(variant)),
            _ => self.item(value),
        }
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

// ---------------------------------------------------------------- structs

/// A struct or struct variant: fields buffered until the field set, and so
/// the class, is known.
pub struct Struct<'b, 'a, 's> {
    ser: &'b mut Ser<'a, 's>,
    name: &'static str,
    variant: Option<&'static str>,
}

impl Struct<'_, '_, '_> {
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        let Some(pending) = self.ser.top() else {
            return Err(self.ser.fail(Error::new("a struct field after the struct ended")));
        };
        pending.fields.push(key);
        pending.starts.push(pending.w.len());
        let result = value.serialize(&mut *self.ser);
        self.ser.nested(result, |e| e.in_field(key))?;
        self.ser.item_done()
    }

    fn finish(self) -> Result<(), Error> {
        self.ser.finish_struct(self.name, self.variant)?;
        self.ser.end();
        Ok(())
    }
}

impl ser::SerializeStruct for Struct<'_, '_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Struct<'_, '_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}
