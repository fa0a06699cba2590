//! A structural walk over a pickle that builds nothing and runs nothing:
//! what the `portable-pickle inspect` tool reports.
//!
//! [`inspect`] steps through the opcodes of any pickle (protocols 0–5) with
//! a *shadow* stack and memo that keep only what names things: strings,
//! small tuples, lists and dicts of them, globals, and the header's helper
//! callables. From that it collects, without calling anything:
//!
//! - every global the stream references (`GLOBAL`, `STACK_GLOBAL`, `INST`),
//!   with its byte offset and where it sits (the stream, the header's
//!   payload, a class definition, a class pickle, a nested pickle);
//! - the type table: each class a portable-pickle class definition builds
//!   (name, module, fields with their annotations, kind, members, doc), and
//!   each other class the stream calls;
//! - instances per class: each `REDUCE`/`NEWOBJ`/`NEWOBJ_EX`/`INST`/`OBJ` of
//!   a class (through `copyreg`'s reconstructors too), and each memo
//!   reference to a unit-enum member;
//! - byte sizes: the recognised header, the type table (class descriptors
//!   and stdlib globals: the statements the stream discards with `POP`), the
//!   body and what follows `STOP`.
//!
//! **Nested pickles** are walked too, since `pickle.loads` runs them: the
//! payload of a recognised header (the known uncompressed payload, since the
//! header's bytes are identical), each class definition a descriptor
//! registers (as a continuation of the standalone bootstrap, like a class
//! pickle), each class pickle CPython writes (`pickle.loads(<standalone
//! bootstrap + definition>)`), and, in a stream that references
//! `pickle.loads` or `zlib.decompress` as a global, every bytes constant that
//! starts like a pickle (`PROTO`) or, given an inflater, is zlib data whose
//! inflated bytes do. Up to [`MAX_NESTING`] levels deep.
//!
//! Bounds: each opcode costs constant work (containers are tracked up to
//! [`TRACKED_ITEMS`] items, strings up to [`TRACKED_STR`] bytes, beyond which
//! they are opaque), the memo holds at most [`MAX_MEMO`] entries, nested
//! pickles at most [`MAX_NESTED_BYTES`] bytes in all; so memory is linear in
//! the input. Errors carry the byte offset and opcode, as the reader's do.
//!
//! This is not the reader: whether a stream decodes is the reader's verdict
//! ([`crate::read`]); this walk only describes. It accepts what the reader
//! refuses as a policy (every global), and stops at what no pickle machine
//! can read (truncation, unknown opcodes, stack underflow).

use std::collections::HashMap;
use std::rc::Rc;

use super::error::{Error, ErrorKind};
use crate::layout::{slot, CLASS_TOOLS};
use crate::opcodes as op;
use portable_format::names::{parse_class_key, DEF_SUFFIX, REDUCE_SUFFIX};

/// Containers with more items than this are not tracked (opaque).
pub const TRACKED_ITEMS: usize = 256;
/// Strings longer than this are not tracked (opaque).
pub const TRACKED_STR: usize = 64 * 1024;
/// Memo entries a walk holds at most.
pub const MAX_MEMO: usize = 4 << 20;
/// Nesting depth of nested pickles walked (payload, class definitions…).
pub const MAX_NESTING: usize = 4;
/// Total bytes of nested pickles walked (inflated ones included).
pub const MAX_NESTED_BYTES: usize = 64 << 20;
/// Longest text argument (protocol 0 lines, `GLOBAL` names).
const MAX_LINE: usize = 64 * 1024;

/// A header the walk recognises (byte for byte) at the start of a stream.
#[derive(Debug, Clone, Copy)]
pub struct KnownHeader<'a> {
    /// The writer profile that makes it (`"default"`).
    pub profile: &'a str,
    /// The stream format version it installs.
    pub version: u32,
    /// Its bytes.
    pub header: &'a [u8],
    /// The uncompressed payload inside it (walked for its globals).
    pub payload: &'a [u8],
    /// The standalone bootstrap its class pickles start with.
    pub standalone: &'a [u8],
}

/// Inflates zlib data, returning at most `limit` bytes (`None` if the data
/// is not zlib or inflates to more).
pub type Inflate<'a> = &'a dyn Fn(&[u8], usize) -> Option<Vec<u8>>;

/// What [`inspect`] knows besides the stream.
#[derive(Clone, Copy, Default)]
pub struct InspectOptions<'a> {
    /// Headers to recognise (the facade passes its own).
    pub headers: &'a [KnownHeader<'a>],
    /// A zlib inflater, to walk compressed nested pickles of streams whose
    /// header is not recognised. Without one they are listed, not walked.
    pub inflate: Option<Inflate<'a>>,
}

/// Where a global, or a nested pickle, was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The stream itself (its header included).
    Stream,
    /// The uncompressed payload of the recognised header.
    Payload,
    /// A class definition a descriptor registers (`KEY#def`), stored at
    /// `offset` of the enclosing unit.
    ClassDefinition {
        /// The class key.
        key: String,
        /// Offset of the bytes constant in the enclosing unit.
        offset: u64,
    },
    /// A class pickle (standalone bootstrap + definition) passed to
    /// `pickle.loads`, the bytes constant at `offset`.
    ClassPickle {
        /// Offset of the bytes constant in the enclosing unit.
        offset: u64,
    },
    /// Another pickle inside a bytes constant at `offset` (zlib-inflated
    /// first when `inflated`).
    Nested {
        /// Offset of the bytes constant in the enclosing unit.
        offset: u64,
        /// Whether the bytes were zlib data.
        inflated: bool,
    },
}

/// A global the stream references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalRef {
    /// Module, after CPython's Python 2 name mapping (`__builtin__` →
    /// `builtins`, `copy_reg` → `copyreg`).
    pub module: String,
    /// (Dotted) name.
    pub name: String,
    /// Offset of the opcode in its unit (see `place`).
    pub offset: u64,
    /// `GLOBAL`, `STACK_GLOBAL` or `INST`.
    pub opcode: u8,
    /// The unit it is in.
    pub place: Place,
}

/// What kind of Python class a type-table entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassKind {
    /// A dataclass with named fields.
    Struct,
    /// A dataclass with fields `_0`, `_1`, … (a Rust tuple struct).
    TupleStruct,
    /// A dataclass without fields.
    UnitStruct,
    /// An `enum.Enum` subclass (a Rust enum of unit variants).
    UnitEnum,
    /// The field-less base class of a data enum's variants.
    DataEnum,
    /// A data enum's variant class (`Enum.Variant`).
    Variant,
    /// A class the stream names as a global (or by its namespace key) but
    /// does not define: CPython's classes, stdlib types.
    Global,
}

impl ClassKind {
    /// A short lowercase name (`"struct"`, `"tuple struct"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ClassKind::Struct => "struct",
            ClassKind::TupleStruct => "tuple struct",
            ClassKind::UnitStruct => "unit struct",
            ClassKind::UnitEnum => "unit enum",
            ClassKind::DataEnum => "data enum",
            ClassKind::Variant => "variant",
            ClassKind::Global => "global",
        }
    }
}

/// A field of a class definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The Python attribute name.
    pub name: String,
    /// Its annotation, when the definition carries one (`"typing.Any"`).
    pub annotation: Option<String>,
}

/// One entry of the type table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassInfo {
    /// `__module__` (the runtime namespace for stand-in classes).
    pub module: String,
    /// `__qualname__` (`Point`, `Shape.Circle`).
    pub name: String,
    /// The namespace key (`Point_<fingerprint>`), for portable-pickle classes.
    pub key: Option<String>,
    /// What it is.
    pub kind: ClassKind,
    /// Fields in order (`__match_args__`), with annotations.
    pub fields: Vec<Field>,
    /// Unit-enum members and their values (`None`: not a small int).
    pub members: Vec<(String, Option<i64>)>,
    /// `__doc__`.
    pub doc: Option<String>,
    /// Built frozen.
    pub frozen: bool,
    /// The module a declared-module type prefers (real-module preference).
    pub declared_module: Option<String>,
    /// The qualname of the base class (a variant's enum).
    pub base: Option<String>,
    /// Whether a class definition in the stream builds it.
    pub defined: bool,
    /// Instances in the stream's body.
    pub instances: u64,
}

/// A nested pickle that was walked.
#[derive(Debug)]
pub struct Nested {
    /// Where it was found.
    pub place: Place,
    /// Its length (after inflating).
    pub len: usize,
    /// Why its walk stopped early, offsets relative to its own bytes.
    pub error: Option<Error>,
}

/// Byte sizes of a stream's parts; they add up to `total`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sizes {
    /// The whole input.
    pub total: u64,
    /// The recognised header (0 if none).
    pub header: u64,
    /// Class descriptors and stdlib-global statements (statements the
    /// stream discards with `POP`/`POP_MARK`, after a recognised header).
    pub type_table: u64,
    /// The rest up to and including `STOP` (`FRAME` opcodes included).
    pub body: u64,
    /// Bytes after `STOP` (ignored by `pickle.loads`; the next pickle of a
    /// file read with `pickle.load` in a loop).
    pub trailing: u64,
}

/// What [`inspect`] found.
#[derive(Debug, Default)]
pub struct Summary {
    /// The `PROTO` argument (`None`: protocol 0 or 1, no `PROTO`).
    pub protocol: Option<u8>,
    /// The recognised header, if the stream starts with one.
    pub header: Option<RecognisedHeader>,
    /// Runtime namespaces (`_portable_pickle_vN`) named in the stream.
    pub namespaces: Vec<String>,
    /// Part sizes.
    pub sizes: Sizes,
    /// Opcodes walked in the stream (nested pickles not counted).
    pub opcodes: u64,
    /// `FRAME` opcodes.
    pub frames: u64,
    /// Every global referenced, in order of appearance (repeats included).
    pub globals: Vec<GlobalRef>,
    /// The type table, in order of first appearance.
    pub classes: Vec<ClassInfo>,
    /// Nested pickles walked.
    pub nested: Vec<Nested>,
    /// Bytes constants that look like zlib data in a stream referencing a
    /// loader, not walked for want of an inflater (their offsets).
    pub unwalked: Vec<u64>,
    /// Why the walk stopped before `STOP`, with offset and opcode.
    pub error: Option<Error>,
}

/// The header a stream starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecognisedHeader {
    /// See [`KnownHeader::profile`].
    pub profile: String,
    /// See [`KnownHeader::version`].
    pub version: u32,
    /// Its length in bytes.
    pub len: u64,
}

/// Walks `bytes` (one pickle; bytes after its `STOP` are counted as
/// trailing) and describes it. Never fails: a walk that stops early says
/// why in [`Summary::error`], with what it found until then.
pub fn inspect(bytes: &[u8], options: &InspectOptions<'_>) -> Summary {
    let header = options
        .headers
        .iter()
        .find(|h| !h.header.is_empty() && bytes.starts_with(h.header));
    let mut c = Collector {
        summary: Summary::default(),
        by_key: HashMap::new(),
        by_global: HashMap::new(),
        nested_bytes: 0,
        options,
        standalone: header.map(|h| h.standalone),
        loader_seen: false,
        candidates: Vec::new(),
    };
    if let Some(h) = header {
        c.summary.header = Some(RecognisedHeader {
            profile: h.profile.to_owned(),
            version: h.version,
            len: h.header.len() as u64,
        });
        if !h.payload.is_empty() {
            c.walk_nested(h.payload, Place::Payload, 1);
        }
    }
    let mut m = Machine::new(
        bytes,
        Place::Stream,
        0,
        Mode::Stream {
            header: header.map(|h| h.header.len()),
        },
    );
    let result = m.run(&mut c);
    // After an error, what was not walked is counted as body.
    let end = if result.is_ok() { m.pos } else { bytes.len() } as u64;
    c.summary.opcodes = m.opcodes;
    c.summary.frames = m.frames;
    c.summary.protocol = m.proto;
    let discarded: u64 = m.spans.iter().map(|&(s, e)| (e - s) as u64).sum();
    if let Err(e) = result {
        c.summary.error = Some(e);
    }
    let header_len = c.summary.header.as_ref().map_or(0, |h| h.len).min(end);
    c.summary.sizes = Sizes {
        total: bytes.len() as u64,
        header: header_len,
        type_table: discarded,
        body: end - header_len - discarded.min(end - header_len),
        trailing: bytes.len() as u64 - end,
    };
    if c.loader_seen {
        for (bytes, offset) in std::mem::take(&mut c.candidates) {
            c.walk_candidate(&bytes, offset, 1);
        }
    }
    c.finish();
    c.summary
}

/// Shadow objects: what the walk keeps of a stack item or memo entry.
#[derive(Clone)]
enum Sh {
    Opaque,
    None,
    Int(i64),
    Str(Rc<str>),
    /// A bytes constant and its offset in its unit.
    Bytes(Rc<[u8]>, u64),
    Tuple(Rc<Vec<Sh>>),
    List(Rc<Vec<Sh>>),
    Dict(Rc<Vec<(Sh, Sh)>>),
    Global(Rc<(String, String)>),
    /// A header or bootstrap helper, by memo slot.
    Helper(u32),
    /// A type-table entry (index into [`Summary::classes`]).
    Class(usize),
    /// A unit-enum member of a type-table entry.
    Member(usize),
    /// `lookup("KEY#def")`: a class definition.
    DefRef(Rc<str>),
    /// `lookup("KEY#reduce", "KEY")`: names the class being defined.
    Key(Rc<str>),
    /// `bytes.join((standalone, lookup("KEY#def"), SELECT))`: a class pickle
    /// selecting that class (or none).
    ClassPickle(Option<usize>),
}

/// Dropping a deeply nested shadow (a million nested lists) must not recurse
/// once per level: children held only here are moved to a heap stack first.
impl Drop for Sh {
    fn drop(&mut self) {
        fn take_children(sh: &mut Sh, stack: &mut Vec<Sh>) {
            match sh {
                Sh::Tuple(rc) | Sh::List(rc) => {
                    if let Some(items) = Rc::get_mut(rc) {
                        stack.append(items);
                    }
                }
                Sh::Dict(rc) => {
                    if let Some(pairs) = Rc::get_mut(rc) {
                        for (k, v) in pairs.drain(..) {
                            stack.push(k);
                            stack.push(v);
                        }
                    }
                }
                _ => {}
            }
        }
        if !matches!(self, Sh::Tuple(_) | Sh::List(_) | Sh::Dict(_)) {
            return;
        }
        let mut stack = Vec::new();
        take_children(self, &mut stack);
        while let Some(mut sh) = stack.pop() {
            take_children(&mut sh, &mut stack);
        }
    }
}

impl Sh {
    fn items(&self) -> Option<&[Sh]> {
        match self {
            Sh::Tuple(v) | Sh::List(v) => Some(v),
            _ => None,
        }
    }

    fn str(&self) -> Option<&str> {
        match self {
            Sh::Str(s) => Some(s),
            _ => None,
        }
    }
}

fn seq(items: Vec<Sh>) -> Sh {
    if items.len() > TRACKED_ITEMS {
        Sh::Opaque
    } else {
        Sh::List(Rc::new(items))
    }
}

fn tuple(items: Vec<Sh>) -> Sh {
    if items.len() > TRACKED_ITEMS {
        Sh::Opaque
    } else {
        Sh::Tuple(Rc::new(items))
    }
}

fn dict_get<'s>(pairs: &'s [(Sh, Sh)], key: &str) -> Option<&'s Sh> {
    pairs.iter().find(|(k, _)| k.str() == Some(key)).map(|(_, v)| v)
}

/// What the walked unit is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The stream: a header of this length was recognised.
    Stream { header: Option<usize> },
    /// A complete nested pickle (payload, another pickle in bytes).
    Nested,
    /// A class definition, after the standalone bootstrap: the memo holds
    /// its placeholders; ends at `STOP` or at the end of the bytes.
    Fragment,
}

struct Entry {
    sh: Sh,
    start: usize,
}

struct Machine<'b> {
    src: &'b [u8],
    pos: usize,
    place: Place,
    depth: usize,
    mode: Mode,
    stack: Vec<Entry>,
    /// Stack length and start offset of each `MARK`.
    marks: Vec<(usize, usize)>,
    memo: HashMap<u64, Sh>,
    proto: Option<u8>,
    opcodes: u64,
    frames: u64,
    /// Discarded statements after the header: `(start, end)`, disjoint.
    spans: Vec<(usize, usize)>,
    /// A declared module seen in this unit (`partial(import_module, m)`).
    declared_module: Option<String>,
    /// The unit is a frozen class definition (`map(frozen_struct, …)`).
    frozen: bool,
    /// Whether helpers are interpreted (after a recognised header, or in a
    /// class definition).
    helpers: bool,
}

fn eof() -> Error {
    Error::new(ErrorKind::Eof)
}

fn malformed(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Malformed(msg.into()))
}

fn unsupported(msg: &str) -> Error {
    Error::new(ErrorKind::Unsupported(msg.into()))
}

impl<'b> Machine<'b> {
    fn new(src: &'b [u8], place: Place, depth: usize, mode: Mode) -> Self {
        let mut m = Machine {
            src,
            pos: 0,
            place,
            depth,
            mode,
            stack: Vec::new(),
            marks: Vec::new(),
            memo: HashMap::new(),
            proto: None,
            opcodes: 0,
            frames: 0,
            spans: Vec::new(),
            declared_module: None,
            frozen: false,
            helpers: false,
        };
        if mode == Mode::Fragment {
            m.fill_placeholders(slot::CORE_COUNT);
            m.proto = Some(4);
        }
        m
    }

    /// The memo a header (or the standalone bootstrap) leaves, as helpers.
    fn fill_placeholders(&mut self, count: u32) {
        self.memo.clear();
        for s in 0..count {
            let sh = match slot::string(s) {
                Some(text) => Sh::Str(text.into()),
                None => Sh::Helper(s),
            };
            self.memo.insert(u64::from(s), sh);
        }
        self.helpers = true;
    }

    fn take(&mut self, n: usize) -> Result<&'b [u8], Error> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.src.len())
            .ok_or_else(eof)?;
        let s = &self.src[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }

    fn le<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn len4(&mut self) -> Result<usize, Error> {
        Ok(u32::from_le_bytes(self.le()?) as usize)
    }

    fn len8(&mut self) -> Result<usize, Error> {
        usize::try_from(u64::from_le_bytes(self.le()?)).map_err(|_| eof())
    }

    fn line(&mut self) -> Result<&'b [u8], Error> {
        let rest = &self.src[self.pos..];
        let window = &rest[..rest.len().min(MAX_LINE + 1)];
        match window.iter().position(|&b| b == b'\n') {
            Some(n) => {
                let l = &rest[..n];
                self.pos += n + 1;
                Ok(l.strip_suffix(b"\r").unwrap_or(l))
            }
            None if rest.len() > MAX_LINE => Err(malformed("text argument longer than 64 KiB")),
            None => Err(eof()),
        }
    }

    fn text(&mut self) -> Result<&'b str, Error> {
        let l = self.line()?;
        std::str::from_utf8(l).map_err(|_| malformed("text argument is not valid UTF-8"))
    }

    fn decimal(&mut self) -> Result<u64, Error> {
        let t = self.text()?;
        t.trim()
            .parse()
            .map_err(|_| malformed(format!("invalid memo index {t:?}")))
    }

    fn str_sh(&self, b: &[u8]) -> Result<Sh, Error> {
        let s = std::str::from_utf8(b).map_err(|_| malformed("str is not valid UTF-8"))?;
        Ok(if s.len() > TRACKED_STR {
            Sh::Opaque
        } else {
            Sh::Str(s.into())
        })
    }

    fn push(&mut self, sh: Sh, start: usize) {
        self.stack.push(Entry { sh, start });
    }

    fn floor(&self) -> usize {
        self.marks.last().map_or(0, |m| m.0)
    }

    fn pop(&mut self) -> Result<Entry, Error> {
        if self.stack.len() <= self.floor() {
            return Err(malformed("stack underflow"));
        }
        self.stack.pop().ok_or_else(|| malformed("stack underflow"))
    }

    fn top_mut(&mut self) -> Result<&mut Entry, Error> {
        if self.stack.len() <= self.floor() {
            return Err(malformed("stack underflow"));
        }
        self.stack.last_mut().ok_or_else(|| malformed("stack underflow"))
    }

    /// The items above the topmost mark, and the mark's start offset.
    fn pop_mark(&mut self) -> Result<(Vec<Sh>, usize), Error> {
        let (len, start) = self.marks.pop().ok_or_else(|| malformed("no MARK on the stack"))?;
        let items = self.stack.split_off(len.min(self.stack.len()));
        Ok((items.into_iter().map(|e| e.sh).collect(), start))
    }

    fn memo_put(&mut self, idx: u64, sh: Sh) -> Result<(), Error> {
        if self.memo.len() >= MAX_MEMO && !self.memo.contains_key(&idx) {
            return Err(Error::new(ErrorKind::Limit {
                what: "memo entries",
                limit: MAX_MEMO,
            }));
        }
        self.memo.insert(idx, sh);
        Ok(())
    }

    fn memo_get(&mut self, idx: u64, at: usize, c: &mut Collector<'_>) -> Result<(), Error> {
        let sh = self
            .memo
            .get(&idx)
            .cloned()
            .ok_or_else(|| malformed(format!("memo key {idx} is not defined")))?;
        if let (Sh::Member(class), Mode::Stream { .. }) = (&sh, self.mode) {
            c.count(*class);
        }
        self.push(sh, at);
        Ok(())
    }

    /// Adds an item to the container on top of the stack (opaque when shared or large).
    fn add_to_top(&mut self, items: Vec<Sh>, pairs: bool) -> Result<(), Error> {
        let top = self.top_mut()?;
        let ok = match &mut top.sh {
            Sh::List(v) if !pairs => match Rc::get_mut(v) {
                Some(v) if v.len() + items.len() <= TRACKED_ITEMS => {
                    v.extend(items);
                    true
                }
                _ => false,
            },
            Sh::Dict(v) if pairs => match Rc::get_mut(v) {
                Some(v) if v.len() + items.len() / 2 <= TRACKED_ITEMS => {
                    let mut it = items.into_iter();
                    while let (Some(k), Some(x)) = (it.next(), it.next()) {
                        v.push((k, x));
                    }
                    true
                }
                _ => false,
            },
            _ => false,
        };
        if !ok {
            top.sh = Sh::Opaque;
        }
        Ok(())
    }

    fn run(&mut self, c: &mut Collector<'_>) -> Result<Sh, Error> {
        loop {
            let at = self.pos;
            if let Mode::Stream { header: Some(h) } = self.mode {
                if at == h && !self.helpers {
                    self.fill_placeholders(slot::COUNT);
                    // The header leaves its memo; entries past its slots stay.
                }
            }
            if at == self.src.len() && self.mode == Mode::Fragment {
                return Ok(self.stack.pop().map_or(Sh::None, |e| e.sh));
            }
            let code = self.take(1).map_err(|e| e.at(at as u64, None))?[0];
            self.opcodes += 1;
            match self.step(code, at, c) {
                Ok(Some(result)) => return Ok(result),
                Ok(None) => {}
                Err(e) => return Err(e.at(at as u64, Some(code))),
            }
        }
    }

    /// One opcode; `Some` at `STOP`.
    fn step(&mut self, code: u8, at: usize, c: &mut Collector<'_>) -> Result<Option<Sh>, Error> {
        match code {
            op::PROTO => {
                let v = self.u8()?;
                if v > 5 {
                    return Err(unsupported(&format!("protocol {v}")));
                }
                self.proto.get_or_insert(v);
            }
            op::FRAME => {
                let n = self.len8()?;
                if n > self.src.len() - self.pos {
                    return Err(malformed("frame longer than the remaining input"));
                }
                self.frames += 1;
            }
            op::STOP => {
                let result = self.pop().map(|e| e.sh).unwrap_or(Sh::None);
                return Ok(Some(result));
            }
            op::MARK => self.marks.push((self.stack.len(), at)),
            op::POP => {
                if self.stack.len() == self.floor() && !self.marks.is_empty() {
                    let (_, start) = self.pop_mark()?;
                    self.discard(start);
                } else {
                    let e = self.pop()?;
                    self.discard(e.start);
                }
            }
            op::POP_MARK => {
                let (_, start) = self.pop_mark()?;
                self.discard(start);
            }
            op::DUP => {
                let e = self.pop()?;
                let sh = e.sh.clone();
                self.push(e.sh, e.start);
                self.push(sh, at);
            }
            op::NONE => self.push(Sh::None, at),
            op::NEWTRUE | op::NEWFALSE => self.push(Sh::Opaque, at),
            op::BININT1 => {
                let v = self.u8()?;
                self.push(Sh::Int(i64::from(v)), at);
            }
            op::BININT2 => {
                let v = u16::from_le_bytes(self.le()?);
                self.push(Sh::Int(i64::from(v)), at);
            }
            op::BININT => {
                let v = i32::from_le_bytes(self.le()?);
                self.push(Sh::Int(i64::from(v)), at);
            }
            op::LONG1 => {
                let n = usize::from(self.u8()?);
                let b = self.take(n)?;
                self.push(small_int(b), at);
            }
            op::LONG4 => {
                let n = i32::from_le_bytes(self.le()?);
                let n = usize::try_from(n).map_err(|_| malformed("LONG4 with a negative length"))?;
                let b = self.take(n)?;
                self.push(small_int(b), at);
            }
            op::BINFLOAT => {
                self.take(8)?;
                self.push(Sh::Opaque, at);
            }
            op::INT | op::LONG | op::FLOAT => {
                let t = self.text()?;
                let sh = t.trim().trim_end_matches('L').parse().map_or(Sh::Opaque, Sh::Int);
                self.push(sh, at);
            }
            op::STRING => {
                let Ok(t) = std::str::from_utf8(self.line()?) else {
                    self.push(Sh::Opaque, at);
                    return Ok(None);
                };
                let inner = t
                    .strip_prefix('\'')
                    .and_then(|t| t.strip_suffix('\''))
                    .or_else(|| t.strip_prefix('"').and_then(|t| t.strip_suffix('"')))
                    .ok_or_else(|| malformed("STRING argument is not quoted"))?;
                let sh = if inner.contains('\\') {
                    Sh::Opaque
                } else {
                    Sh::Str(inner.into())
                };
                self.push(sh, at);
            }
            op::UNICODE => {
                let l = self.line()?;
                let sh = raw_unicode_escape(l).map_or(Sh::Opaque, |t| Sh::Str(t.into()));
                self.push(sh, at);
            }
            op::SHORT_BINUNICODE | op::SHORT_BINSTRING => {
                let n = usize::from(self.u8()?);
                let b = self.take(n)?;
                let sh = self.str_or_bytes(code, b)?;
                if let Sh::Str(s) = &sh {
                    c.namespace(s);
                }
                self.push(sh, at);
            }
            op::BINUNICODE | op::BINSTRING => {
                let n = self.len4()?;
                let b = self.take(n)?;
                let sh = self.str_or_bytes(code, b)?;
                self.push(sh, at);
            }
            op::BINUNICODE8 => {
                let n = self.len8()?;
                let b = self.take(n)?;
                let sh = self.str_sh(b)?;
                self.push(sh, at);
            }
            op::SHORT_BINBYTES => {
                let n = usize::from(self.u8()?);
                let b = self.take(n)?;
                self.push_bytes(b, at, c);
            }
            op::BINBYTES => {
                let n = self.len4()?;
                let b = self.take(n)?;
                self.push_bytes(b, at, c);
            }
            op::BINBYTES8 | op::BYTEARRAY8 => {
                let n = self.len8()?;
                let b = self.take(n)?;
                self.push_bytes(b, at, c);
            }
            op::EMPTY_TUPLE => self.push(tuple(Vec::new()), at),
            op::TUPLE1 | op::TUPLE2 | op::TUPLE3 => {
                let n = usize::from(code - op::TUPLE1 + 1);
                let mut items = Vec::with_capacity(n);
                let mut start = at;
                for _ in 0..n {
                    let e = self.pop()?;
                    start = e.start;
                    items.push(e.sh);
                }
                items.reverse();
                self.push(tuple(items), start);
            }
            op::TUPLE => {
                let (items, start) = self.pop_mark()?;
                self.push(tuple(items), start);
            }
            op::EMPTY_LIST | op::EMPTY_SET => self.push(seq(Vec::new()), at),
            op::LIST | op::FROZENSET => {
                let (items, start) = self.pop_mark()?;
                self.push(seq(items), start);
            }
            op::EMPTY_DICT => self.push(Sh::Dict(Rc::new(Vec::new())), at),
            op::DICT => {
                let (items, start) = self.pop_mark()?;
                let sh = if items.len() % 2 != 0 {
                    return Err(malformed("odd number of items for DICT"));
                } else if items.len() / 2 > TRACKED_ITEMS {
                    Sh::Opaque
                } else {
                    let mut it = items.into_iter();
                    let mut pairs = Vec::new();
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        pairs.push((k, v));
                    }
                    Sh::Dict(Rc::new(pairs))
                };
                self.push(sh, start);
            }
            op::APPEND => {
                let v = self.pop()?;
                self.add_to_top(vec![v.sh], false)?;
            }
            op::APPENDS | op::ADDITEMS => {
                let (items, _) = self.pop_mark()?;
                self.add_to_top(items, false)?;
            }
            op::SETITEM => {
                let v = self.pop()?;
                let k = self.pop()?;
                self.add_to_top(vec![k.sh, v.sh], true)?;
            }
            op::SETITEMS => {
                let (items, _) = self.pop_mark()?;
                if items.len() % 2 != 0 {
                    return Err(malformed("odd number of items for SETITEMS"));
                }
                self.add_to_top(items, true)?;
            }
            op::BUILD => {
                self.pop()?;
                self.top_mut()?;
            }
            op::GET => {
                let idx = self.decimal()?;
                self.memo_get(idx, at, c)?;
            }
            op::BINGET => {
                let idx = u64::from(self.u8()?);
                self.memo_get(idx, at, c)?;
            }
            op::LONG_BINGET => {
                let idx = u64::from(u32::from_le_bytes(self.le()?));
                self.memo_get(idx, at, c)?;
            }
            op::PUT => {
                let idx = self.decimal()?;
                let sh = self.top_mut()?.sh.clone();
                self.memo_put(idx, sh)?;
            }
            op::BINPUT => {
                let idx = u64::from(self.u8()?);
                let sh = self.top_mut()?.sh.clone();
                self.memo_put(idx, sh)?;
            }
            op::LONG_BINPUT => {
                let idx = u64::from(u32::from_le_bytes(self.le()?));
                let sh = self.top_mut()?.sh.clone();
                self.memo_put(idx, sh)?;
            }
            op::MEMOIZE => {
                let idx = self.memo.len() as u64;
                let sh = self.top_mut()?.sh.clone();
                self.memo_put(idx, sh)?;
            }
            op::GLOBAL => {
                let module = self.text()?;
                let name = self.text()?;
                let sh = self.global(module, name, at, code, c);
                self.push(sh, at);
            }
            op::STACK_GLOBAL => {
                let name = self.pop()?;
                let module = self.pop()?;
                let (Some(m), Some(n)) = (module.sh.str(), name.sh.str()) else {
                    return Err(malformed("STACK_GLOBAL of a module and name that are not both str"));
                };
                let (m, n) = (m.to_owned(), n.to_owned());
                let sh = self.global(&m, &n, at, code, c);
                self.push(sh, module.start);
            }
            op::INST => {
                let module = self.text()?;
                let name = self.text()?;
                let class = self.global(module, name, at, code, c);
                let (args, start) = self.pop_mark()?;
                let sh = self.call(class, args, c);
                self.push(sh, start);
            }
            op::OBJ => {
                let (mut items, start) = self.pop_mark()?;
                if items.is_empty() {
                    return Err(malformed("OBJ without a class"));
                }
                let class = items.remove(0);
                let sh = self.call(class, items, c);
                self.push(sh, start);
            }
            op::REDUCE => {
                let args = self.pop()?;
                let callable = self.pop()?;
                let mut args = args.sh;
                let args = match &mut args {
                    Sh::Tuple(v) => match Rc::get_mut(v) {
                        Some(items) => std::mem::take(items),
                        None => (**v).clone(),
                    },
                    _ => vec![Sh::Opaque],
                };
                let sh = self.call(callable.sh, args, c);
                self.push(sh, callable.start);
            }
            op::NEWOBJ => {
                self.pop()?;
                let cls = self.pop()?;
                let sh = self.instance(cls.sh, c);
                self.push(sh, cls.start);
            }
            op::NEWOBJ_EX => {
                self.pop()?;
                self.pop()?;
                let cls = self.pop()?;
                let sh = self.instance(cls.sh, c);
                self.push(sh, cls.start);
            }
            op::PERSID => {
                self.line()?;
                return Err(unsupported("persistent IDs (PERSID)"));
            }
            op::BINPERSID => return Err(unsupported("persistent IDs (BINPERSID)")),
            op::EXT1 | op::EXT2 | op::EXT4 => return Err(unsupported("the extension registry (EXT1/EXT2/EXT4)")),
            op::NEXT_BUFFER | op::READONLY_BUFFER => return Err(unsupported("out-of-band buffers")),
            other => return Err(Error::new(ErrorKind::UnknownOpcode(other))),
        }
        Ok(None)
    }

    fn str_or_bytes(&self, code: u8, b: &[u8]) -> Result<Sh, Error> {
        match code {
            op::SHORT_BINSTRING | op::BINSTRING => Ok(std::str::from_utf8(b)
                .ok()
                .filter(|s| s.len() <= TRACKED_STR)
                .map_or(Sh::Opaque, |s| Sh::Str(s.into()))),
            _ => self.str_sh(b),
        }
    }

    fn push_bytes(&mut self, b: &[u8], at: usize, c: &mut Collector<'_>) {
        let bytes: Rc<[u8]> = b.into();
        if matches!(self.mode, Mode::Stream { header: None }) && looks_nested(b) {
            c.candidates.push((bytes.clone(), at as u64));
        }
        self.push(Sh::Bytes(bytes, at as u64), at);
    }

    /// A statement discarded from `start` to here: part of the type table
    /// (after a recognised header).
    fn discard(&mut self, start: usize) {
        let Mode::Stream { header: Some(h) } = self.mode else {
            return;
        };
        if start < h {
            return;
        }
        while self.spans.last().is_some_and(|&(s, _)| s >= start) {
            self.spans.pop();
        }
        self.spans.push((start, self.pos));
    }

    fn global(&mut self, module: &str, name: &str, at: usize, code: u8, c: &mut Collector<'_>) -> Sh {
        let (module, name) = match (module, name) {
            ("__builtin__", "xrange") => ("builtins", "range"),
            ("__builtin__", n) => ("builtins", n),
            ("copy_reg", n) => ("copyreg", n),
            (m, n) => (m, n),
        };
        c.summary.globals.push(GlobalRef {
            module: module.to_owned(),
            name: name.to_owned(),
            offset: at as u64,
            opcode: code,
            place: self.place.clone(),
        });
        c.namespace(module);
        if self.depth == 0 && is_loader(module, name) {
            c.loader_seen = true;
        }
        if is_namespace(module) {
            if let Some(key) = parse_class_key(name) {
                return Sh::Class(c.class_by_key(name, module, &key.qualname()));
            }
        }
        Sh::Global(Rc::new((module.to_owned(), name.to_owned())))
    }

    /// `cls.__new__(cls, …)`: an instance of `cls`.
    fn instance(&mut self, cls: Sh, c: &mut Collector<'_>) -> Sh {
        // Calls of the body only: not the header's nor a nested pickle's.
        let body = match self.mode {
            Mode::Stream { header: Some(_) } => self.helpers,
            Mode::Stream { header: None } => true,
            Mode::Nested | Mode::Fragment => false,
        };
        if body && self.depth == 0 {
            if let Some(i) = self.class_index(&cls, c) {
                c.count(i);
            }
        }
        Sh::Opaque
    }

    fn class_index(&self, sh: &Sh, c: &mut Collector<'_>) -> Option<usize> {
        match sh {
            Sh::Class(i) => Some(*i),
            Sh::Global(g) => Some(c.class_by_global(&g.0, &g.1)),
            _ => None,
        }
    }

    /// A call, described: helpers are interpreted on descriptor shapes,
    /// a class call is an instance, `pickle.loads` of a class pickle is
    /// that class.
    fn call(&mut self, callable: Sh, args: Vec<Sh>, c: &mut Collector<'_>) -> Sh {
        match &callable {
            Sh::Helper(s) if self.helpers => self.helper(*s, args, c),
            Sh::Global(g) => match (g.0.as_str(), g.1.as_str()) {
                (m, n) if is_loader(m, n) && n != "decompress" => match args.first() {
                    Some(Sh::Bytes(b, offset)) => self.loads(b.clone(), *offset, c),
                    _ => Sh::Opaque,
                },
                // How protocols 0–2 spell bytes.
                ("_codecs", "encode") => match (args.first().and_then(Sh::str), args.get(1).and_then(Sh::str)) {
                    (Some(text), Some("latin1" | "latin-1")) => text
                        .chars()
                        .map(|ch| u8::try_from(u32::from(ch)).ok())
                        .collect::<Option<Vec<u8>>>()
                        .map_or(Sh::Opaque, |b| Sh::Bytes(b.into(), 0)),
                    _ => Sh::Opaque,
                },
                ("copyreg", "_reconstructor" | "__newobj__" | "__newobj_ex__") => match args.first() {
                    Some(cls) => self.instance(cls.clone(), c),
                    None => Sh::Opaque,
                },
                ("builtins", "getattr") => match (args.first(), args.get(1).and_then(Sh::str)) {
                    (Some(Sh::Global(g)), Some(attr)) => Sh::Global(Rc::new((g.0.clone(), format!("{}.{attr}", g.1)))),
                    (Some(Sh::Class(i)), Some(attr)) => c.attribute(*i, attr),
                    _ => Sh::Opaque,
                },
                _ => self.instance(callable, c),
            },
            Sh::Class(_) => self.instance(callable, c),
            _ => Sh::Opaque,
        }
    }

    /// `pickle.loads(bytes)` as a global call: a class pickle's class, or
    /// another nested pickle walked for its globals.
    fn loads(&mut self, b: Rc<[u8]>, offset: u64, c: &mut Collector<'_>) -> Sh {
        let standalone = c.standalone_prefix();
        match standalone {
            Some(s) if !s.is_empty() && b.starts_with(s) => {
                let place = Place::ClassPickle { offset };
                c.walk_fragment(&b[s.len()..], place, self.depth + 1)
            }
            _ => {
                c.walk_nested(
                    &b,
                    Place::Nested {
                        offset,
                        inflated: false,
                    },
                    self.depth + 1,
                );
                Sh::Opaque
            }
        }
    }

    /// A header helper (memo slot `s`) called with `args`.
    fn helper(&mut self, s: u32, args: Vec<Sh>, c: &mut Collector<'_>) -> Sh {
        match (s, &args[..]) {
            (slot::LOOKUP, [Sh::Str(k), ..]) => {
                if let Some(key) = k.strip_suffix(DEF_SUFFIX) {
                    Sh::DefRef(key.into())
                } else if let Some(key) = k.strip_suffix(REDUCE_SUFFIX) {
                    Sh::Key(key.into())
                } else if let Some(parsed) = parse_class_key(k) {
                    let module = c.default_namespace();
                    Sh::Class(c.class_by_key(k, &module, &parsed.qualname()))
                } else {
                    Sh::Opaque
                }
            }
            (slot::NEXT, [it, ..]) => it.items().and_then(|v| v.first().cloned()).unwrap_or(Sh::Opaque),
            (slot::FILTER, [Sh::None, it]) => match it.items() {
                Some(v) => seq(v.iter().filter(|x| !matches!(x, Sh::None)).cloned().collect()),
                None => Sh::Opaque,
            },
            (slot::CHAIN, parts) => {
                let mut all = Vec::new();
                for p in parts {
                    match p.items() {
                        Some(v) => all.extend(v.iter().cloned()),
                        None => all.push(Sh::Opaque),
                    }
                }
                seq(all)
            }
            (slot::MAP, [f, it]) => {
                if matches!(f, Sh::Helper(slot::FROZEN_STRUCT)) {
                    self.frozen = true;
                    c.mark_frozen(it);
                }
                match it.items() {
                    Some(v) => seq(v.to_vec()),
                    None => Sh::Opaque,
                }
            }
            (slot::STARMAP, [Sh::Helper(slot::METACLASS), specs]) => {
                let defined: Vec<Sh> = specs
                    .items()
                    .unwrap_or(&[])
                    .iter()
                    .map(|spec| match spec.items() {
                        Some([Sh::Str(name), bases, Sh::Dict(ns)]) => {
                            Sh::Class(c.define_struct(name, bases, ns, self.declared_module.as_deref(), self.frozen))
                        }
                        _ => Sh::Opaque,
                    })
                    .collect();
                seq(defined)
            }
            (slot::STARMAP, [Sh::Helper(slot::ENUM), specs]) => {
                let defined: Vec<Sh> = specs
                    .items()
                    .unwrap_or(&[])
                    .iter()
                    .map(|spec| match spec.items() {
                        Some([Sh::Str(name), members]) => {
                            Sh::Class(c.define_enum(name, members, self.declared_module.as_deref()))
                        }
                        _ => Sh::Opaque,
                    })
                    .collect();
                seq(defined)
            }
            (slot::PARTIAL, [Sh::Global(g), Sh::Str(m), ..]) if g.0 == "importlib" && g.1 == "import_module" => {
                self.declared_module = Some(m.to_string());
                Sh::Opaque
            }
            (slot::BYTES_JOIN, [Sh::Bytes(sep, _), parts]) if sep.is_empty() => match parts.items() {
                Some([Sh::Helper(slot::STANDALONE), Sh::DefRef(key), Sh::Bytes(select, _)]) => {
                    let none = &select[..] == b"N.";
                    let i = parse_class_key(key).map(|p| {
                        let module = c.default_namespace();
                        c.class_by_key(key, &module, &p.qualname())
                    });
                    Sh::ClassPickle(if none { None } else { i })
                }
                _ => Sh::Opaque,
            },
            (slot::LOADS, [Sh::ClassPickle(class)]) => class.map_or(Sh::None, Sh::Class),
            (slot::LOADS, [Sh::Bytes(b, offset)]) => self.loads(b.clone(), *offset, c),
            (slot::GETATTR, [Sh::Class(i), Sh::Str(m)]) => c.attribute(*i, m),
            // The class tools read from the namespace (`hashable`, `int_enum`).
            (slot::GETATTR, [Sh::Helper(slot::NAMESPACE), Sh::Str(m)]) if &**m == CLASS_TOOLS[0] => {
                Sh::Helper(slot::STRUCT)
            }
            (slot::GETATTR, [Sh::Helper(slot::NAMESPACE), Sh::Str(m)]) if &**m == CLASS_TOOLS[1] => {
                Sh::Helper(slot::ENUM)
            }
            (slot::REGISTER, [Sh::Str(k), Sh::Bytes(def, offset)]) => {
                if let Some(key) = k.strip_suffix(DEF_SUFFIX) {
                    let place = Place::ClassDefinition {
                        key: key.to_owned(),
                        offset: *offset,
                    };
                    c.walk_fragment(def, place, self.depth + 1);
                }
                Sh::Opaque
            }
            _ => Sh::Opaque,
        }
    }
}

/// Protocol 0's `UNICODE` argument (raw-unicode-escape: latin-1 bytes,
/// `\\uXXXX` and `\\UXXXXXXXX` escapes), if well-formed and short.
fn raw_unicode_escape(l: &[u8]) -> Option<String> {
    if l.len() > TRACKED_STR {
        return None;
    }
    let mut out = String::with_capacity(l.len());
    let mut i = 0;
    while i < l.len() {
        let n = match (l[i], l.get(i + 1)) {
            (b'\\', Some(b'u')) => 4,
            (b'\\', Some(b'U')) => 8,
            (b, _) => {
                out.push(char::from(b));
                i += 1;
                continue;
            }
        };
        let hex = std::str::from_utf8(l.get(i + 2..i + 2 + n)?).ok()?;
        out.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
        i += 2 + n;
    }
    Some(out)
}

/// An int of `LONG1`/`LONG4` bytes, if it fits an `i64`.
fn small_int(le: &[u8]) -> Sh {
    if le.len() > 8 {
        return Sh::Opaque;
    }
    let fill = if le.last().is_some_and(|b| b & 0x80 != 0) {
        0xff
    } else {
        0
    };
    let mut b = [fill; 8];
    b[..le.len()].copy_from_slice(le);
    Sh::Int(i64::from_le_bytes(b))
}

fn is_namespace(module: &str) -> bool {
    // The namespace, or its short name in a session's later pickles (`_pp_v2`).
    ["_portable_pickle_v", "_pp_v"].iter().any(|prefix| {
        module
            .strip_prefix(prefix)
            .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Globals that run or unpack nested pickles.
fn is_loader(module: &str, name: &str) -> bool {
    matches!(
        (module, name),
        ("pickle" | "_pickle", "loads" | "_loads" | "load") | ("zlib", "decompress")
    )
}

/// Bytes that may be a nested pickle: `PROTO` 0–5, or a zlib header.
fn looks_nested(b: &[u8]) -> bool {
    match b {
        [0x80, v, ..] => *v <= 5,
        [cmf, flg, ..] => cmf & 0x0f == 8 && (u16::from(*cmf) * 256 + u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

struct Collector<'o> {
    summary: Summary,
    by_key: HashMap<String, usize>,
    by_global: HashMap<(String, String), usize>,
    nested_bytes: usize,
    options: &'o InspectOptions<'o>,
    standalone: Option<&'o [u8]>,
    /// The stream (not a nested pickle) references a loader global.
    loader_seen: bool,
    /// Bytes constants of an unrecognised stream that look nested.
    candidates: Vec<(Rc<[u8]>, u64)>,
}

impl Collector<'_> {
    fn standalone_prefix(&self) -> Option<&[u8]> {
        self.standalone
            .or_else(|| self.options.headers.first().map(|h| h.standalone))
    }

    fn namespace(&mut self, module: &str) {
        if is_namespace(module) && !self.summary.namespaces.iter().any(|n| n == module) {
            self.summary.namespaces.push(module.to_owned());
        }
    }

    fn default_namespace(&self) -> String {
        match &self.summary.header {
            Some(h) => format!("_portable_pickle_v{}", h.version),
            None => self
                .summary
                .namespaces
                .first()
                .cloned()
                .unwrap_or_else(|| crate::layout::NAMESPACE.to_owned()),
        }
    }

    fn push_class(&mut self, module: &str, name: &str, key: Option<&str>) -> usize {
        self.summary.classes.push(ClassInfo {
            module: module.to_owned(),
            name: name.to_owned(),
            key: key.map(str::to_owned),
            kind: ClassKind::Global,
            fields: Vec::new(),
            members: Vec::new(),
            doc: None,
            frozen: false,
            declared_module: None,
            base: None,
            defined: false,
            instances: 0,
        });
        self.summary.classes.len() - 1
    }

    fn class_by_key(&mut self, key: &str, module: &str, qualname: &str) -> usize {
        if let Some(&i) = self.by_key.get(key) {
            return i;
        }
        let i = self.push_class(module, qualname, Some(key));
        self.by_key.insert(key.to_owned(), i);
        i
    }

    fn class_by_global(&mut self, module: &str, name: &str) -> usize {
        let k = (module.to_owned(), name.to_owned());
        if let Some(&i) = self.by_global.get(&k) {
            return i;
        }
        let i = self.push_class(module, name, None);
        self.by_global.insert(k, i);
        i
    }

    fn count(&mut self, i: usize) {
        if let Some(c) = self.summary.classes.get_mut(i) {
            c.instances += 1;
        }
    }

    /// `getattr(cls, name)`: a unit-enum member, or a data enum's variant.
    fn attribute(&mut self, i: usize, attr: &str) -> Sh {
        let Some(class) = self.summary.classes.get(i) else {
            return Sh::Opaque;
        };
        if class.kind == ClassKind::UnitEnum {
            return Sh::Member(i);
        }
        let qualname = format!("{}.{attr}", class.name);
        match self.summary.classes.iter().position(|c| c.name == qualname) {
            Some(v) => Sh::Class(v),
            None => Sh::Opaque,
        }
    }

    fn mark_frozen(&mut self, it: &Sh) {
        for x in it.items().unwrap_or(&[]) {
            if let Sh::Class(i) = x {
                if let Some(c) = self.summary.classes.get_mut(*i) {
                    c.frozen = true;
                }
            }
        }
    }

    /// `PortableType(name, bases, ns)`: a stand-in dataclass.
    fn define_struct(
        &mut self,
        name: &str,
        bases: &Sh,
        ns: &[(Sh, Sh)],
        declared: Option<&str>,
        frozen: bool,
    ) -> usize {
        let qualname = dict_get(ns, "__qualname__")
            .and_then(Sh::str)
            .unwrap_or(name)
            .to_owned();
        let module = dict_get(ns, "__module__")
            .and_then(Sh::str)
            .map_or_else(|| self.default_namespace(), str::to_owned);
        let key = match dict_get(ns, crate::layout::CLASS_REDUCE) {
            Some(Sh::Key(k)) => Some(k.to_string()),
            _ => None,
        };
        let annotations: Vec<(String, Option<String>)> = match dict_get(ns, "__annotations__") {
            Some(Sh::Dict(pairs)) => pairs
                .iter()
                .filter_map(|(k, v)| {
                    let ann = match v {
                        Sh::Str(s) => Some(s.to_string()),
                        Sh::Global(g) => Some(format!("{}.{}", g.0, g.1)),
                        _ => None,
                    };
                    k.str().map(|k| (k.to_owned(), ann))
                })
                .collect(),
            _ => Vec::new(),
        };
        let order: Vec<String> = match dict_get(ns, "__match_args__").and_then(Sh::items) {
            Some(v) => v.iter().filter_map(Sh::str).map(str::to_owned).collect(),
            None => annotations.iter().map(|(k, _)| k.clone()).collect(),
        };
        let fields: Vec<Field> = order
            .into_iter()
            .map(|f| Field {
                annotation: annotations.iter().find(|(k, _)| *k == f).and_then(|(_, a)| a.clone()),
                name: f,
            })
            .collect();
        let base = bases.items().and_then(|v| v.first()).and_then(|b| match b {
            Sh::Class(i) => self.summary.classes.get(*i).map(|c| c.name.clone()),
            _ => None,
        });
        let kind = if base.is_some() {
            ClassKind::Variant
        } else if fields.is_empty() {
            ClassKind::UnitStruct
        } else if fields.iter().enumerate().all(|(i, f)| f.name == format!("_{i}")) {
            ClassKind::TupleStruct
        } else {
            ClassKind::Struct
        };
        let i = match &key {
            Some(k) => self.class_by_key(k, &module, &qualname),
            None => {
                let i = self.push_class(&module, &qualname, None);
                self.by_global.insert((module.clone(), qualname.clone()), i);
                i
            }
        };
        if let Some(base) = &base {
            if let Some(b) = self.summary.classes.iter_mut().find(|c| &c.name == base && c.defined) {
                b.kind = ClassKind::DataEnum;
            }
        }
        let c = &mut self.summary.classes[i];
        c.module = module;
        c.name = qualname;
        c.kind = kind;
        c.fields = fields;
        c.doc = dict_get(ns, "__doc__").and_then(Sh::str).map(str::to_owned);
        c.frozen |= frozen;
        c.declared_module = declared.map(str::to_owned);
        c.base = base;
        c.defined = true;
        i
    }

    /// `enum(name, [(k, v), …])`: a unit-only enum.
    fn define_enum(&mut self, name: &str, members: &Sh, declared: Option<&str>) -> usize {
        let pairs: Vec<(String, Sh)> = members
            .items()
            .unwrap_or(&[])
            .iter()
            .filter_map(|p| match p.items() {
                Some([Sh::Str(k), v]) => Some((k.to_string(), v.clone())),
                _ => None,
            })
            .collect();
        let key = pairs
            .iter()
            .find(|(k, _)| k == "__qualname__")
            .and_then(|(_, v)| v.str())
            .filter(|k| parse_class_key(k).is_some())
            .map(str::to_owned);
        let module = self.default_namespace();
        let i = match &key {
            Some(k) => self.class_by_key(k, &module, name),
            None => self.push_class(&module, name, None),
        };
        let c = &mut self.summary.classes[i];
        c.name = name.to_owned();
        c.kind = ClassKind::UnitEnum;
        c.doc = pairs
            .iter()
            .find(|(k, _)| k == "__doc__")
            .and_then(|(_, v)| v.str())
            .map(str::to_owned);
        c.members = pairs
            .iter()
            .filter(|(k, _)| !(k.starts_with("__") && k.ends_with("__")))
            .map(|(k, v)| (k.clone(), if let Sh::Int(n) = v { Some(*n) } else { None }))
            .collect();
        c.declared_module = declared.map(str::to_owned);
        c.defined = true;
        i
    }

    fn budget(&mut self, n: usize) -> bool {
        match self.nested_bytes.checked_add(n) {
            Some(t) if t <= MAX_NESTED_BYTES => {
                self.nested_bytes = t;
                true
            }
            _ => false,
        }
    }

    /// Walks a class definition (after the standalone bootstrap); returns
    /// what it leaves (its selected class, for a class pickle).
    fn walk_fragment(&mut self, bytes: &[u8], place: Place, depth: usize) -> Sh {
        if depth > MAX_NESTING || !self.budget(bytes.len()) {
            return Sh::Opaque;
        }
        let mut m = Machine::new(bytes, place.clone(), depth, Mode::Fragment);
        let result = m.run(self);
        let (sh, error) = match result {
            Ok(sh) => (sh, None),
            Err(e) => (Sh::Opaque, Some(e)),
        };
        self.summary.nested.push(Nested {
            place,
            len: bytes.len(),
            error,
        });
        match sh {
            Sh::Class(_) => sh,
            _ => Sh::Opaque,
        }
    }

    /// Walks a complete pickle inside the stream.
    fn walk_nested(&mut self, bytes: &[u8], place: Place, depth: usize) {
        if depth > MAX_NESTING || !self.budget(bytes.len()) {
            return;
        }
        let mut m = Machine::new(bytes, place.clone(), depth, Mode::Nested);
        let error = m.run(self).err();
        self.summary.nested.push(Nested {
            place,
            len: bytes.len(),
            error,
        });
    }

    /// A bytes constant of a stream that references a loader.
    fn walk_candidate(&mut self, bytes: &[u8], offset: u64, depth: usize) {
        let already = self.summary.nested.iter().any(
            |n| matches!(&n.place, Place::ClassPickle { offset: o } | Place::Nested { offset: o, .. } if *o == offset),
        );
        if already {
            return;
        }
        if bytes.first() == Some(&0x80) {
            if let Some(s) = self.standalone_prefix() {
                if !s.is_empty() && bytes.starts_with(s) {
                    let s = s.len();
                    self.walk_fragment(&bytes[s..], Place::ClassPickle { offset }, depth);
                    return;
                }
            }
            self.walk_nested(
                bytes,
                Place::Nested {
                    offset,
                    inflated: false,
                },
                depth,
            );
            return;
        }
        let Some(inflate) = self.options.inflate else {
            self.summary.unwalked.push(offset);
            return;
        };
        let room = MAX_NESTED_BYTES.saturating_sub(self.nested_bytes);
        match inflate(bytes, room) {
            Some(data) if looks_nested(&data) && data.first() == Some(&0x80) => {
                self.walk_nested(&data, Place::Nested { offset, inflated: true }, depth);
            }
            _ => {}
        }
    }

    /// Final fix-ups: a data enum's base is known once its variants are.
    fn finish(&mut self) {
        let bases: Vec<String> = self
            .summary
            .classes
            .iter()
            .filter(|c| c.kind == ClassKind::Variant)
            .filter_map(|c| c.base.clone())
            .collect();
        for c in &mut self.summary.classes {
            if c.defined && c.kind == ClassKind::UnitStruct && bases.contains(&c.name) {
                c.kind = ClassKind::DataEnum;
            }
        }
    }
}
