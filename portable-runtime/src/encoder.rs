//! Per-stream state: the output buffer and its frames, the memo counter,
//! the type table and the table of shared (`Rc`/`Arc`) allocations.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher};
use std::io::{self, Write};
use std::sync::OnceLock;

use crate::descriptor::ClassDescriptor;
use crate::layout::slot;
use crate::opcodes::*;
use crate::pytype::{ClassDef, PyType};
use crate::writer::OpWriter;

/// Memo slots of shared (`Rc`/`Arc`) allocations, by address. The hasher
/// is a fixed one, not `RandomState`: a `RandomState` asks the OS for its
/// keys the first time a process makes one (a `getrandom` system call in
/// the first `to_vec`), and the keys here are addresses, which no input
/// chooses.
type SharedSlots = HashMap<usize, u32, BuildHasherDefault<DefaultHasher>>;

/// `header::session_prologue`, compiled once.
pub(crate) fn session_prologue() -> &'static [u8] {
    static PROLOGUE: OnceLock<Vec<u8>> = OnceLock::new();
    PROLOGUE.get_or_init(|| {
        crate::header::session_prologue()
            .compile(crate::pyexpr::Context::Descriptor)
            .bytes
    })
}

/// Frames are closed once they reach this size, as CPython's framer does.
pub const FRAME_TARGET: usize = 64 * 1024;
/// `FRAME` opcode plus its 8-byte length.
const FRAME_HEADER: usize = 9;

pub use portable_format::globals::StdGlobal;

/// Memo slots of classes and globals already written to this stream.
///
/// Keys are compile-time fingerprints or addresses of `static`s, so a lookup
/// never hashes a type name. Streams use few types; a short vector beats a
/// hash map until there are many.
#[derive(Debug, Default)]
struct TypeTable {
    entries: Vec<(u64, u32)>,
    /// A derived type's class by the address of its `static` definition
    /// (one per type, whatever its generic arguments): the lookup each
    /// instance makes, a compare with a constant instead of a call to
    /// find the descriptor. Several definitions may share a descriptor (and
    /// so a slot); `entries` decides.
    by_def: Vec<(usize, u32)>,
}

impl TypeTable {
    #[inline]
    fn get(&self, key: u64) -> Option<u32> {
        self.entries.iter().find(|(k, _)| *k == key).map(|&(_, s)| s)
    }

    fn insert(&mut self, key: u64, slot: u32) {
        self.entries.push((key, slot));
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.by_def.clear();
    }

    #[inline(always)]
    fn get_def(&self, def: usize) -> Option<u32> {
        self.by_def.iter().find(|(d, _)| *d == def).map(|&(_, s)| s)
    }
}

/// Choices a writer makes for a whole stream.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    real_modules: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions { real_modules: true }
    }
}

impl WriteOptions {
    /// The defaults: types with a declared module prefer the real class.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether types with a declared module (`#[pickle(module = "...")]`)
    /// use the real class `module.Name` when the reading side can import
    /// it (the default), or always the stand-in class. With `false` the
    /// stream imports nothing outside the standard library: no
    /// `importlib`, no module named by the stream is looked for.
    pub fn real_modules(mut self, on: bool) -> Self {
        self.real_modules = on;
        self
    }
}

/// Writes one stream: the static header, then type descriptors and the
/// body as values are written, then `STOP`.
///
/// Users call `to_vec`/`to_writer`, which make one. A hand-written
/// [`PortablePickle`](crate::PortablePickle) impl receives it and writes
/// its value as one Python object, usually by delegating to a type that
/// already has an impl ([`Encoder::write`]), or with [`Encoder::str`],
/// [`Encoder::bytes`] and [`Encoder::display`]:
///
/// ```
/// use portable_runtime::{Encoder, PortablePickle};
///
/// /// A port number, written as the Python `int` it is.
/// struct Port(std::num::NonZeroU16);
///
/// impl PortablePickle for Port {
///     fn write_pickle(&self, out: &mut Encoder<'_>) -> std::io::Result<()> {
///         out.write(&self.0.get())
///     }
/// }
/// ```
pub struct Encoder<'s> {
    w: OpWriter,
    /// Offset in the buffer of the open frame's `FRAME` opcode, if a frame is open.
    frame_start: Option<usize>,
    /// Buffer length from which [`Encoder::boundary`] has work to do (the
    /// open frame is full, or a later session pickle needs its first
    /// frame), so the check made after every string and call is one compare.
    frame_limit: usize,
    sink: Option<&'s mut dyn Write>,
    types: TypeTable,
    /// Address of a shared allocation → memo slot of the object written for it.
    shared: SharedSlots,
    /// Descriptors without the real-module lookup ([`WriteOptions::real_modules`]).
    stdlib_only: bool,
    /// Set for a pickle of a session ([`crate::Pickler`]).
    session: Option<SessionPickle>,
    /// A strict-profile stream ([`Encoder::strict`]): strict descriptors.
    strict: bool,
    /// What a strict stream met that the profile cannot write: `finish`
    /// fails with it (and writes no `STOP`).
    refused: Option<&'static str>,
    /// A later session pickle's class slots that still hold their `None`
    /// placeholder ([`ClassDescriptor::placeholders`]), with the lookup that
    /// replaces it where the body first uses the slot; empty otherwise.
    pending: Vec<(u32, &'static [u8])>,
}

/// The encoder a session keeps for its later pickles. It never has a sink
/// (only [`Encoder::with_sink`] and `streaming_to` set one, and this encoder is made by
/// [`Encoder::for_session`] without a header), so it holds nothing but
/// owned buffers, maps and plain values: what the `dyn Write` of the sink
/// field would otherwise keep from crossing threads is never there.
pub(crate) struct LaterEncoder(pub(crate) Box<Encoder<'static>>);

// SAFETY: `Encoder`'s only field that is neither `Send` nor `Sync` is
// `sink: Option<&mut dyn Write>`, which is `None` for a `LaterEncoder`
// (see above); every other field is an owned `Vec`, `HashMap`, `OpWriter`
// or plain value, `Send` and `Sync` (checked below), and `Encoder` has no
// interior mutability.
unsafe impl Send for LaterEncoder {}
unsafe impl Sync for LaterEncoder {}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<OpWriter>();
    send_sync::<TypeTable>();
    send_sync::<SharedSlots>();
    send_sync::<Option<SessionPickle>>();
    send_sync::<Option<&'static str>>();
};

/// What one pickle of a session needs beyond a plain stream.
#[derive(Debug, Default)]
pub(crate) struct SessionPickle {
    /// Keys of the classes the reading process already has, from earlier
    /// pickles of the session (a session uses few types: a short vector
    /// beats hashing each key).
    pub(crate) known: Vec<u64>,
    /// A later pickle (no header): classes are referenced by alias.
    pub(crate) later: bool,
    /// A later pickle met a class the reader does not have yet: it must be
    /// written again with the header.
    pub(crate) needs_header: bool,
    /// Where a later pickle's frame would start, until it has one: a small
    /// later pickle has no `FRAME`; a large one gets it inserted here.
    pub(crate) unframed_from: Option<usize>,
}

impl<'s> Encoder<'s> {
    /// A stream that starts with `header` (which must define the memo slots
    /// of [`crate::layout::slot`]) and collects its bytes in memory.
    #[doc(hidden)]
    pub fn new(header: &[u8]) -> Self {
        let mut w = OpWriter::with_memo_len(slot::COUNT);
        w.raw(header);
        let mut p = Encoder::unframed(w);
        p.open_frame();
        p
    }

    /// A stream whose first bytes are `w`'s, with no frame open.
    fn unframed(w: OpWriter) -> Self {
        Encoder {
            w,
            frame_start: None,
            frame_limit: usize::MAX,
            sink: None,
            types: TypeTable::default(),
            shared: SharedSlots::default(),
            stdlib_only: false,
            session: None,
            strict: false,
            refused: None,
            pending: Vec::new(),
        }
    }

    /// A strict-profile stream ([`portable_format::strict`]) that starts
    /// with the strict `header` and collects its bytes in memory: each
    /// class descriptor is the type's strict one, and what the profile
    /// cannot write (arrays, `uuid.UUID`) makes [`Encoder::finish`] fail.
    #[doc(hidden)]
    pub fn strict(header: &[u8]) -> Self {
        let mut w = OpWriter::with_memo_len(portable_format::strict::slot::COUNT);
        w.raw(header);
        let mut p = Encoder::unframed(w);
        p.strict = true;
        p.open_frame();
        p
    }

    /// A pickle of a session, `known` holding the classes the reader has
    /// from its earlier pickles. With the header (the session's first
    /// pickle, or one that meets a class the reader does not have):
    /// `header`, the namespace's short name, and each descriptor followed by
    /// its classes' aliases; without (`header` `None`, a later pickle):
    /// `PROTO 4`, no frame unless it grows large, each class referenced by
    /// alias, written into `scratch`'s allocations.
    pub(crate) fn for_session(header: Option<&[u8]>, known: Vec<u64>) -> Self {
        match header {
            Some(header) => {
                let mut p = Encoder::new(header);
                p.w.raw(session_prologue());
                p.session = Some(SessionPickle {
                    known,
                    ..SessionPickle::default()
                });
                p
            }
            None => {
                let mut p = Encoder::unframed(OpWriter::new());
                p.begin_later(known);
                p
            }
        }
    }

    /// The session state back, once the value is written.
    pub(crate) fn take_session(&mut self) -> Option<SessionPickle> {
        self.session.take()
    }

    /// Starts a later pickle on an encoder a session keeps for them: the
    /// buffer, type table and maps emptied (their allocations kept), `PROTO
    /// 4` written, `known` the classes the reader has. A later pickle so
    /// builds no encoder and, once the buffers have grown, allocates nothing.
    pub(crate) fn begin_later(&mut self, known: Vec<u64>) {
        self.w = OpWriter::reusing(std::mem::take(self.w.buf_mut()));
        self.w.proto();
        self.types.clear();
        self.shared.clear();
        self.refused = None;
        self.pending.clear();
        self.frame_start = None;
        let at = self.w.len();
        self.frame_limit = at + FRAME_TARGET;
        self.session = Some(SessionPickle {
            known,
            later: true,
            needs_header: false,
            unframed_from: Some(at),
        });
    }

    /// Ends a later pickle begun with [`Encoder::begin_later`]: `STOP`, and
    /// its bytes.
    pub(crate) fn end_later(&mut self) -> io::Result<&[u8]> {
        self.end()?;
        Ok(self.w.as_bytes())
    }

    /// Like [`Encoder::new`], but each full frame is written to `sink`, so
    /// memory stays bounded however long the stream.
    #[doc(hidden)]
    pub fn with_sink(header: &[u8], sink: &'s mut dyn Write) -> Self {
        let mut p = Encoder::new(header);
        p.sink = Some(sink);
        p
    }

    /// Hands each full frame to `sink` (see [`Encoder::with_sink`]).
    pub(crate) fn streaming_to(mut self, sink: &'s mut dyn Write) -> Self {
        self.sink = Some(sink);
        self
    }

    /// Applies `options` to the stream; call before writing anything.
    #[doc(hidden)]
    pub fn with_options(mut self, options: &WriteOptions) -> Self {
        self.stdlib_only = !options.real_modules;
        self
    }

    /// Writes `value` as one Python object through its own impl.
    #[inline]
    pub fn write<T: crate::PortablePickle + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        value.write_pickle(self)
    }

    /// Writes `value`'s [`Display`](std::fmt::Display) text as a `str`
    /// (what `#[pickle(display)]` fields use).
    pub fn display<T: std::fmt::Display + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        self.str(&value.to_string())
    }

    /// The opcode writer, for this crate's impls and the derive's code:
    /// opcodes written here bypass every check, so it is not public API.
    #[doc(hidden)]
    #[inline]
    pub fn w(&mut self) -> &mut OpWriter {
        &mut self.w
    }

    fn open_frame(&mut self) {
        let start = self.w.len();
        self.frame_start = Some(start);
        self.frame_limit = start + FRAME_TARGET;
        self.w.frame(0);
    }

    /// Closes the open frame: patches its length, or removes an empty
    /// `FRAME`, then hands completed bytes to the sink.
    fn close_frame(&mut self) -> io::Result<()> {
        self.frame_limit = usize::MAX;
        if let Some(start) = self.frame_start.take() {
            let buf = self.w.buf_mut();
            let len = buf.len() - start - FRAME_HEADER;
            if len == 0 {
                buf.truncate(start);
            } else {
                buf[start + 1..start + FRAME_HEADER].copy_from_slice(&(len as u64).to_le_bytes());
            }
        }
        if let Some(sink) = self.sink.as_mut() {
            let buf = self.w.buf_mut();
            sink.write_all(buf)?;
            buf.clear();
        }
        Ok(())
    }

    /// Whether [`Encoder::boundary`] has work to do once the buffer is
    /// `len` bytes long (also for a writer holding the buffer for a while:
    /// the serde bridge).
    #[inline(always)]
    pub(crate) fn boundary_due(&self, len: usize) -> bool {
        len >= self.frame_limit
    }

    /// Called between opcodes: starts a new frame once the open one is full.
    #[doc(hidden)]
    #[inline(always)]
    pub fn boundary(&mut self) -> io::Result<()> {
        if self.boundary_due(self.w.len()) {
            self.frame_full()
        } else {
            Ok(())
        }
    }

    /// The open frame is full: close it and open the next. A later pickle
    /// of a session, which has no frame while it is small, gets its first
    /// `FRAME` inserted where the body starts.
    #[cold]
    #[inline(never)]
    fn frame_full(&mut self) -> io::Result<()> {
        if self.frame_start.is_none() {
            if let Some(at) = self.session.as_mut().and_then(|s| s.unframed_from.take()) {
                self.w.buf_mut().splice(at..at, [FRAME, 0, 0, 0, 0, 0, 0, 0, 0]);
                self.frame_start = Some(at);
            }
        }
        self.close_frame()?;
        self.open_frame();
        Ok(())
    }

    /// Writes a payload too large for a frame outside any frame, as CPython
    /// does: `head` is its opcode and length, `data` the bytes.
    #[cold]
    #[inline(never)]
    fn large(&mut self, head: impl FnOnce(&mut OpWriter), data: &[u8]) -> io::Result<()> {
        self.close_frame()?;
        head(&mut self.w);
        match self.sink.as_mut() {
            Some(sink) => {
                let buf = self.w.buf_mut();
                sink.write_all(buf)?;
                buf.clear();
                sink.write_all(data)?;
            }
            None => self.w.raw(data),
        }
        self.open_frame();
        Ok(())
    }

    /// A `str`.
    #[inline(always)]
    pub fn str(&mut self, s: &str) -> io::Result<()> {
        if s.len() < 256 {
            self.w.str(s);
            self.boundary()
        } else {
            self.long_str(s)
        }
    }

    #[inline(never)]
    fn long_str(&mut self, s: &str) -> io::Result<()> {
        if s.len() < FRAME_TARGET {
            self.w.str(s);
            self.boundary()
        } else {
            self.large(|w| w.str_header(s.len()), s.as_bytes())
        }
    }

    /// A `bytes`.
    #[inline]
    pub fn bytes(&mut self, b: &[u8]) -> io::Result<()> {
        if b.len() < FRAME_TARGET {
            self.w.bytes(b);
            self.boundary()
        } else {
            self.large(|w| w.bytes_header(b.len()), b)
        }
    }

    /// A `bytearray` (`BYTEARRAY8`): an array's buffer, outside frames from
    /// [`FRAME_TARGET`] on (handed to the sink as it is, without a copy).
    pub(crate) fn bytearray(&mut self, b: &[u8]) -> io::Result<()> {
        let head = |w: &mut OpWriter| {
            w.op(BYTEARRAY8);
            w.raw(&(b.len() as u64).to_le_bytes());
        };
        if b.len() < FRAME_TARGET {
            head(&mut self.w);
            self.w.raw(b);
            Ok(())
        } else {
            self.large(head, b)
        }
    }

    /// Memo slot of array tool or body helper `k` (see
    /// [`SESSION_SLOTS`](portable_format::array::SESSION_SLOTS)), writing
    /// what it needs the first time this pickle asks: in a plain stream or
    /// a session's pickle with the header, the tools (all at once; in a
    /// session registered under
    /// [`SESSION_NAMES`](portable_format::array::SESSION_NAMES)), the
    /// helpers being the header's; in a later pickle, a reference to what
    /// an earlier pickle registered, one name at a time, or, if none did, a
    /// rewrite with the header.
    pub(crate) fn array_slot(&mut self, k: u32) -> u32 {
        use portable_format::array::{offset, BODY_HELPERS, TOOLS_KEY};
        if !self.session.as_ref().is_some_and(|s| s.later) {
            let base = match self.types.get(TOOLS_KEY) {
                Some(base) => base,
                None => self.write_array_tools(),
            };
            return match k.checked_sub(offset::COUNT) {
                None => base + k,
                Some(h) => BODY_HELPERS[h as usize],
            };
        }
        match self.types.get(TOOLS_KEY + 1 + u64::from(k)) {
            Some(s) => s,
            None => self.refer_array_slot(k),
        }
    }

    #[cold]
    #[inline(never)]
    fn write_array_tools(&mut self) -> u32 {
        use portable_format::array::{offset, write_session_registration, TOOLS_KEY};
        if self.strict {
            self.refused
                .get_or_insert("arrays are not available in the strict profile (docs/FORMAT.md, \"Strict profile\")");
        }
        let first = self.w.memo_len();
        self.w.raw(crate::array::tools_bytes());
        self.w.add_memo_len(offset::COUNT);
        if let Some(session) = self.session.as_mut() {
            write_session_registration(&mut self.w, first);
            if !session.known.contains(&TOOLS_KEY) {
                session.known.push(TOOLS_KEY);
            }
        }
        self.types.insert(TOOLS_KEY, first);
        first
    }

    /// A later pickle's reference to array tool or helper `k`.
    #[cold]
    #[inline(never)]
    fn refer_array_slot(&mut self, k: u32) -> u32 {
        use portable_format::array::{write_session_module, write_session_reference, SESSION_SLOTS, TOOLS_KEY};
        let module_key = TOOLS_KEY + 1 + u64::from(SESSION_SLOTS);
        let session = self.session.as_mut().expect("a later pickle is a session's");
        let s = if session.known.contains(&TOOLS_KEY) {
            let module = match self.types.get(module_key) {
                Some(m) => m,
                None => {
                    let m = write_session_module(&mut self.w);
                    self.types.insert(module_key, m);
                    m
                }
            };
            write_session_reference(&mut self.w, module, k)
        } else {
            // Written again with the header: what is written now is dropped.
            session.needs_header = true;
            let s = self.w.memo_len();
            self.w.add_memo_len(1);
            s
        };
        self.types.insert(TOOLS_KEY + 1 + u64::from(k), s);
        s
    }

    /// Memo slot of the class(es) of a derived type, whose `PY_TYPE` is
    /// `ty`: what each instance asks, so the common case is inline.
    #[doc(hidden)]
    #[inline(always)]
    pub fn derived_class_slot(&mut self, ty: &PyType) -> u32 {
        let PyType::Class(class) = ty else {
            unreachable!("a derived class's PY_TYPE is a class")
        };
        let def = (class.def)() as *const ClassDef as usize;
        match self.types.get_def(def) {
            Some(s) => s,
            None => self.first_instance(def, class.descriptor),
        }
    }

    #[cold]
    #[inline(never)]
    fn first_instance(&mut self, def: usize, descriptor: fn() -> &'static ClassDescriptor) -> u32 {
        let s = self.class_slot_in(descriptor(), true);
        self.types.by_def.push((def, s));
        s
    }

    /// Memo slot of the class(es) `desc` defines, writing the descriptor the
    /// first time this stream meets it.
    #[doc(hidden)]
    #[inline]
    pub fn class_slot(&mut self, desc: &'static ClassDescriptor) -> u32 {
        self.class_slot_in(desc, false)
    }

    /// [`Encoder::class_slot`]; `lazy`: in a later session pickle, the
    /// classes are placeholders until [`Encoder::class_ref`] first writes
    /// them (the derive's classes, whose every use goes through it; the
    /// serde bridge's are referenced eagerly, as its buffered structs write
    /// a class's reference out of stream order).
    #[inline]
    fn class_slot_in(&mut self, desc: &'static ClassDescriptor, lazy: bool) -> u32 {
        if let Some(s) = self.types.get(desc.key) {
            return s;
        }
        let first = self.w.memo_len();
        let bytes = match desc.stdlib_only {
            _ if self.strict => desc.strict,
            Some(stdlib_only) if self.stdlib_only => stdlib_only,
            _ => desc.bytes,
        };
        match self.session.as_mut() {
            None if self.strict => self.w.raw_relocated(bytes, desc.strict_relocations, first),
            None => self.w.raw(bytes),
            Some(session) if !session.later => {
                self.w.raw(bytes);
                self.w.raw(desc.aliases);
                if !session.known.contains(&desc.key) {
                    session.known.push(desc.key);
                }
            }
            // A type of one class (a struct) is referenced eagerly: its
            // instance, being written, uses the class at once.
            Some(session) if session.known.contains(&desc.key) => match lazy && desc.lazy.len() > 1 {
                false => self.w.raw(desc.reference),
                true => {
                    self.w.raw(desc.placeholders);
                    let pending = desc.lazy.iter().map(|&(offset, lookup)| (first + offset, lookup));
                    self.pending.extend(pending);
                }
            },
            // Written again with the header: what is written now is dropped.
            Some(session) => session.needs_header = true,
        }
        self.w.add_memo_len(desc.slots);
        self.types.insert(desc.key, first);
        first
    }

    /// Memo slot of a stdlib global, writing it the first time.
    #[doc(hidden)]
    #[inline]
    pub fn global_slot(&mut self, g: &'static StdGlobal) -> u32 {
        let key = g as *const StdGlobal as u64;
        if let Some(s) = self.types.get(key) {
            return s;
        }
        if self.strict && !portable_format::globals::strict_body_allows(g) {
            self.refused.get_or_insert(
                "uuid.UUID is not available in the strict profile: scanners grade the uuid module dangerous",
            );
        }
        self.w.global(g.module, g.name);
        let s = self.w.memoize();
        self.w.op(POP);
        self.types.insert(key, s);
        s
    }

    /// Starts `callable(*args)` for a callable at memo slot `callable` and
    /// `n` arguments; write the arguments, then call [`Encoder::end_call`].
    #[doc(hidden)]
    #[inline]
    pub fn begin_call(&mut self, callable: u32, n: usize) {
        match u8::try_from(callable) {
            Ok(c) if n > 3 && self.pending.is_empty() => self.w.put([BINGET, c, MARK]),
            _ => {
                self.class_ref(callable);
                self.w.tuple_open(n);
            }
        }
    }

    /// The object at memo slot `slot` (a class, an enum member, a callable)
    /// pushed: `BINGET`, or in a later session pickle, where the slot still
    /// holds its placeholder, the class's lookup put there.
    #[doc(hidden)]
    #[inline(always)]
    pub fn class_ref(&mut self, slot: u32) {
        if self.pending.is_empty() {
            self.w.get(slot);
        } else {
            self.class_ref_pending(slot);
        }
    }

    #[inline(never)]
    fn class_ref_pending(&mut self, slot: u32) {
        match self.pending.iter().position(|&(s, _)| s == slot) {
            Some(i) => {
                let (_, lookup) = self.pending.swap_remove(i);
                self.w.raw(lookup);
                self.w.put_memo(slot);
            }
            None => self.w.get(slot),
        }
    }

    /// Ends a call started with [`Encoder::begin_call`].
    #[doc(hidden)]
    #[inline]
    pub fn end_call(&mut self, n: usize) -> io::Result<()> {
        let close = match n {
            0 => EMPTY_TUPLE,
            1 => TUPLE1,
            2 => TUPLE2,
            3 => TUPLE3,
            _ => TUPLE,
        };
        self.w.put([close, REDUCE]);
        self.boundary()
    }

    /// Starts an instance written as CPython writes one: `cls.__new__(cls)`
    /// then `BUILD` with a state dict; write `key value` pairs, then call
    /// [`Encoder::end_state`].
    #[doc(hidden)]
    #[inline]
    pub fn begin_state(&mut self, class: u32) {
        self.class_ref(class);
        self.w.raw(&[EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, MARK]);
    }

    /// Ends an instance started with [`Encoder::begin_state`].
    #[doc(hidden)]
    #[inline]
    pub fn end_state(&mut self) -> io::Result<()> {
        self.w.raw(&[SETITEMS, BUILD]);
        self.boundary()
    }

    /// Writes a shared allocation once: the first time `write` runs and the
    /// result is memoized; later, the memoized object is referenced, so the
    /// reader sees the same Python object (`a is b`).
    #[doc(hidden)]
    pub fn shared(&mut self, addr: usize, write: impl FnOnce(&mut Self) -> io::Result<()>) -> io::Result<()> {
        if let Some(&s) = self.shared.get(&addr) {
            self.w.get(s);
            return self.boundary();
        }
        write(self)?;
        let s = self.w.memoize();
        self.shared.insert(addr, s);
        Ok(())
    }

    /// Writes `STOP`, closes the last frame and returns the stream's bytes
    /// (empty when a sink received them).
    #[doc(hidden)]
    pub fn finish(mut self) -> io::Result<Vec<u8>> {
        self.end()?;
        Ok(self.w.into_bytes())
    }

    /// `STOP`, the last frame closed, the sink flushed.
    fn end(&mut self) -> io::Result<()> {
        if let Some(why) = self.refused {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, why));
        }
        self.w.op(STOP);
        self.close_frame()?;
        if let Some(sink) = self.sink.as_mut() {
            sink.flush()?;
        }
        Ok(())
    }
}
