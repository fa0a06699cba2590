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
//! buffers contain only memo references to classes already defined. A struct
//! met before is written direct instead, its class predicted from the field
//! set it had last time, and buffered only when the prediction fails
//! (`buffer.rs`): the same bytes, without copying. Tuple
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
//!
//! # Files
//!
//! * `mod.rs`: the entry points [`write`] and [`write_field`], the
//!   serializer's state and its small helpers;
//! * `serializer.rs`: the `serde::Serializer` impl, one method per serde call;
//! * `compound.rs`: lists and dicts (`Batch`), tuples (`Tuple`), structs (`Struct`);
//! * `key.rs`: map keys, whose text error paths name;
//! * `buffer.rs`: open structs, direct or buffered, their frame cuts, and
//!   how a finished struct reaches its parent or the stream;
//! * `recent.rs`: the serializer's own cache of the classes it resolved,
//!   which also predicts a struct's class;
//! * `classes.rs`: the process-wide class cache, and how a class is built
//!   from serde's names;
//! * `error.rs`: [`Error`];
//! * `tests.rs`: direct against buffered structs, loaded by CPython.

mod buffer;
mod classes;
mod compound;
mod error;
mod key;
mod recent;
mod serializer;
#[cfg(test)]
mod tests;

use std::io;

use serde::ser::Serialize;

use crate::writer::OpWriter;
use crate::Encoder;

use buffer::Open;
use classes::{class_of, Class, Query};
use recent::Recent;

pub use error::Error;

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
/// and written once per stream (`Encoder::class_slot`). Class keys use an
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
pub fn write<T: Serialize + ?Sized>(p: &mut Encoder<'_>, value: &T) -> Result<(), Error> {
    let mut ser = Ser::new(p);
    value.serialize(&mut ser)?;
    ser.finish()
}

/// `#[pickle(serde)]` fields: [`write()`], with the error (message and path)
/// as an `io::Error`.
pub fn write_field<T: Serialize + ?Sized>(value: &T, p: &mut Encoder<'_>) -> io::Result<()> {
    write(p, value).map_err(io::Error::from)
}

/// The serializer: writes into the innermost open struct's buffer, or the
/// stream when none is open (see `buffer.rs` for structs written straight
/// to their parent's output).
struct Ser<'a, 's> {
    p: &'a mut Encoder<'s>,
    /// The output values go to now, the writer of `store`: moved here while
    /// it is the current one (its own place holds an empty writer), so that
    /// writing a value does not first find its output.
    cur: OpWriter,
    /// The open structs, `bufs[..depth]`, innermost last; the ones after
    /// are kept (empty) for reuse, with their allocations.
    bufs: Vec<Open>,
    depth: usize,
    /// Which output is `cur`: `bufs[store - 1].w`, the buffer of the
    /// innermost buffered open struct, or the stream when `store` is 0
    /// (changed by [`Ser::set_store`] only).
    store: usize,
    /// The innermost open struct's `limit`, and its `pred` and `count`
    /// (see `buffer.rs`): what every field checks, kept here instead of
    /// in its entry of `bufs`.
    limit: usize,
    pred: &'static [&'static str],
    count: usize,
    /// Offsets of the fields of the open structs, innermost last; and a
    /// spare for a finished struct's.
    starts: Vec<usize>,
    spare_starts: Vec<usize>,
    /// Whether a struct's class may be predicted from the last instance
    /// (off only to test that the output is the same either way).
    predict: bool,
    /// The classes met last, by the identity of their names.
    recent: Recent,
    /// Nonzero while a map key is written: what Python cannot hash is refused.
    in_key: u32,
    /// Map key texts (for error paths), one per open map (`key.rs`).
    keys: Vec<String>,
    maps: usize,
    /// Sequences, maps and tuples begun and not yet ended (open structs
    /// are `depth`).
    compounds: usize,
    /// An error was returned: the stream is unusable whatever happens next.
    failed: bool,
    scratch: String,
    /// Where frame cuts were recorded (depth, offset in the buffer).
    #[cfg(test)]
    cut_log: Vec<(usize, usize)>,
}

impl<'a, 's> Ser<'a, 's> {
    fn new(p: &'a mut Encoder<'s>) -> Self {
        Ser {
            cur: std::mem::take(p.w()),
            p,
            bufs: Vec::new(),
            depth: 0,
            store: 0,
            limit: 0,
            pred: &[],
            count: buffer::BUFFERED,
            starts: Vec::new(),
            spare_starts: Vec::new(),
            predict: true,
            recent: Recent::default(),
            in_key: 0,
            keys: Vec::new(),
            maps: 0,
            compounds: 0,
            failed: false,
            scratch: String::new(),
            #[cfg(test)]
            cut_log: Vec::new(),
        }
    }

    /// Checks that the value is complete, and lets the stream close a full frame.
    fn finish(&mut self) -> Result<(), Error> {
        if self.failed || self.compounds != 0 || self.depth != 0 {
            return Err(Error::new(
                "a Serialize implementation went on after an error or left a sequence, map or struct unfinished; \
                 the stream would not load",
            ));
        }
        self.stream_boundary()
    }

    /// The place of output `s` while it is not the current one: the
    /// stream's own writer, or an open struct's buffer.
    fn home<'x>(p: &'x mut Encoder<'_>, bufs: &'x mut [Open], s: usize) -> &'x mut OpWriter {
        match s {
            0 => p.w(),
            s => &mut bufs[s - 1].w,
        }
    }

    /// Makes output `s` the current one ([`Ser::cur`]).
    pub(super) fn set_store(&mut self, s: usize) {
        if s != self.store {
            std::mem::swap(&mut self.cur, Self::home(self.p, &mut self.bufs, self.store));
            std::mem::swap(&mut self.cur, Self::home(self.p, &mut self.bufs, s));
            self.store = s;
        }
    }

    /// Runs `f` on the stream, its writer in place.
    fn on_stream<R>(&mut self, f: impl FnOnce(&mut Encoder<'s>) -> R) -> R {
        let here = self.store == 0;
        if here {
            std::mem::swap(&mut self.cur, self.p.w());
        }
        let result = f(self.p);
        if here {
            std::mem::swap(&mut self.cur, self.p.w());
        }
        result
    }

    /// [`Encoder::boundary`] while the stream is the current output (no
    /// struct open).
    #[inline(always)]
    fn stream_boundary(&mut self) -> Result<(), Error> {
        debug_assert_eq!(self.store, 0);
        match self.p.boundary_due(self.cur.len()) {
            false => Ok(()),
            true => self.frame_full(),
        }
    }

    #[cold]
    #[inline(never)]
    fn frame_full(&mut self) -> Result<(), Error> {
        self.on_stream(|p| p.boundary()).map_err(|e| self.fail(e))
    }

    /// An error this serializer found (which poisons the stream).
    fn fail(&mut self, e: impl Into<Error>) -> Error {
        self.failed = true;
        e.into()
    }

    /// Passes on the error of a nested value with its place in the path. It
    /// passed through the stream, which is unusable from here on, whatever
    /// the caller does with the error.
    #[inline(always)]
    fn nested(&mut self, result: Result<(), Error>, place: impl FnOnce(Error) -> Error) -> Result<(), Error> {
        result.map_err(|e| {
            self.failed = true;
            place(e)
        })
    }

    /// A sequence, map or tuple begins: refused inside a map key when
    /// Python cannot hash it (`what`). (Structs are counted by `depth`.)
    #[inline(always)]
    fn begin(&mut self, unhashable: Option<&str>) -> Result<(), Error> {
        if let (Some(what), true) = (unhashable, self.in_key > 0) {
            return Err(self.unhashable(what));
        }
        self.compounds += 1;
        Ok(())
    }

    #[cold]
    fn unhashable(&mut self, what: &str) -> Error {
        self.fail(Error::new(format!(
            "{what} cannot be a dict key: Python cannot hash it"
        )))
    }

    fn end(&mut self) {
        self.compounds -= 1;
    }

    /// A `str`: inside a struct, always within the frame (a buffer has
    /// none); in the stream, a large one outside frames
    /// ([`Encoder::str`]).
    #[inline(always)]
    fn write_str(&mut self, s: &str) -> Result<(), Error> {
        if self.depth > 0 {
            self.cur.str(s);
            Ok(())
        } else {
            self.write_str_to_stream(s)
        }
    }

    #[inline(never)]
    fn write_str_to_stream(&mut self, s: &str) -> Result<(), Error> {
        self.on_stream(|p| p.str(s)).map_err(|e| self.fail(e))
    }

    fn write_bytes(&mut self, v: &[u8]) -> Result<(), Error> {
        if self.depth == 0 {
            self.on_stream(|p| p.bytes(v)).map_err(|e| self.fail(e))
        } else {
            self.cur.bytes(v);
            Ok(())
        }
    }

    /// The memo slot of the class of `q` in this stream, writing its
    /// descriptor (to the stream itself, never to a buffer) the first time;
    /// `None` when it has no usable Python class. A shape met recently costs
    /// a few comparisons of addresses ([`Recent`]).
    #[inline]
    fn resolve(&mut self, q: &Query<'_>) -> Option<u32> {
        match self.recent.get(q) {
            Some(slot) => slot,
            None => self.resolve_new(q),
        }
    }

    #[inline(never)]
    fn resolve_new(&mut self, q: &Query<'_>) -> Option<u32> {
        let (class, named) = class_of(q);
        let slot = match class {
            Class::Instance(desc, at) => {
                // The descriptor may be new: it goes to the stream, after
                // every byte already there, so no struct written straight
                // to the stream may be open (it would precede its bytes).
                self.buffer_stream_structs();
                Some(self.on_stream(|p| p.class_slot(desc)) + at)
            }
            Class::Plain => None,
        };
        self.recent.insert(q, named, slot);
        slot
    }
}

/// The current output goes back to its place, so the stream's writer is in
/// the encoder again however the serializer ends (an error, a panic).
impl Drop for Ser<'_, '_> {
    fn drop(&mut self) {
        let cur = std::mem::take(&mut self.cur);
        *Self::home(self.p, &mut self.bufs, self.store) = cur;
    }
}
