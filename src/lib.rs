//! Rust values as Python pickle streams that a stock `pickle.load` turns
//! into real, typed Python objects, with nothing installed on the reading
//! side.
//!
//! ```
//! use portable_pickle::PortablePickle;
//!
//! /// A point in the plane.
//! #[derive(PortablePickle)]
//! struct Point {
//!     x: f64,
//!     y: f64,
//! }
//!
//! let bytes = portable_pickle::to_vec(&vec![Point { x: 1.0, y: 2.0 }]);
//! assert!(bytes.starts_with(portable_pickle::HEADER));
//! // In Python: pickle.loads(bytes) == [Point(x=1.0, y=2.0)]
//! ```
//!
//! Each stream is the static [`HEADER`], then each distinct type's class
//! descriptor (written once, memoized), then the value. See the project's
//! `docs/FORMAT.md` for the exact layout and the globals a stream may use.
#![doc = include_str!("../docs/crate.md")]
// docs.rs (`--cfg docsrs`, nightly) marks each feature-gated item with its
// feature; a stable build never sees this.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

use std::io;

/// Derives [`PortablePickle`](trait@PortablePickle): the type's Python class
/// descriptor as `const` bytes and the code that writes its instances.
pub use portable_macros::PortablePickle;
/// Arrays of numbers: [`Array`] for values, `#[pickle(array)]` for fields
/// (docs/guide/arrays.md).
pub use portable_runtime::array::{Array, ArrayData, Element, FromArray};
/// What a [`PortablePickle`](trait@PortablePickle) impl writes to; see the
/// guide's "Foreign types" (docs/guide/attributes.md) for hand-written impls.
pub use portable_runtime::Encoder;
pub use portable_runtime::PortablePickle;
/// Types whose Python form can be a `dict` key or `set` element; required
/// of the keys of written maps and the elements of written sets (see the
/// guide's "Hashing", docs/guide/attributes.md).
pub use portable_runtime::PyHashable;

/// The static bootstrap header every stream starts with, built by `build.rs`
/// at compile time. Identical in every stream of a given release.
pub const HEADER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/header.pkl"));

/// The uncompressed payload inside [`HEADER`]: the inner pickle that installs
/// the runtime namespace on first load. Exposed for inspection and tests.
pub const PAYLOAD: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/payload.pkl"));

/// The standalone bootstrap: `PROTO 4` and the bootstrap core of [`HEADER`]
/// (install or reuse the runtime namespace). `pickle.dumps` of a loaded
/// object writes each stand-in class as this prefix plus the class's
/// definition, so the result loads in any Python process.
pub const STANDALONE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/standalone.pkl"));

/// What the reader recognises instead of interpreting.
const PREFIXES: portable_runtime::read::KnownPrefixes<'static> = portable_runtime::read::KnownPrefixes {
    header: HEADER,
    standalone: STANDALONE,
    strict_header: strict::HEADER,
};

/// The runtime namespace the header installs (`sys.modules` key) and the
/// stream format version it carries.
pub use portable_runtime::layout::{FORMAT_VERSION, NAMESPACE};

/// Writes `value` as one complete pickle stream: header, type table, body.
///
/// # Panics
///
/// Writing to memory cannot fail, so this panics only if a hand-written
/// [`PortablePickle`](trait@PortablePickle) impl returns an error; use
/// [`to_writer`] to get such errors as a `Result`.
pub fn to_vec<T: PortablePickle + ?Sized>(value: &T) -> Vec<u8> {
    portable_runtime::to_vec_with_header(HEADER, value)
}

/// Writes `value` as one complete pickle stream to `writer`, flushing each
/// frame (about 64 KiB) as it fills, so memory does not grow with the stream.
///
/// On an error (the writer's, or a hand-written impl's), the frames written
/// before it stay in `writer`: a partial stream that no reader can load. A
/// caller writing to a file truncates it (or writes to a temporary file and
/// renames it once `to_writer` returned `Ok`).
pub fn to_writer<W: io::Write, T: PortablePickle + ?Sized>(writer: W, value: &T) -> io::Result<()> {
    portable_runtime::to_writer_with_header(HEADER, writer, value)
}

/// [`to_vec`] with explicit [`WriteOptions`], e.g. a stream that imports
/// nothing outside the standard library:
///
/// ```
/// # use portable_pickle::PortablePickle;
/// #[derive(PortablePickle)]
/// #[pickle(module = "geo")]
/// struct Point { x: f64, y: f64 }
///
/// let options = portable_pickle::WriteOptions::new().real_modules(false);
/// let bytes = portable_pickle::to_vec_with(&Point { x: 1.0, y: 2.0 }, &options);
/// // Loads as the stand-in class even where `geo` is importable.
/// # assert!(!bytes.windows(9).any(|w| w == b"importlib"));
/// ```
pub fn to_vec_with<T: PortablePickle + ?Sized>(value: &T, options: &WriteOptions) -> Vec<u8> {
    portable_runtime::to_vec_with_options(HEADER, options, value)
}

/// [`to_writer`] with explicit [`WriteOptions`].
pub fn to_writer_with<W: io::Write, T: PortablePickle + ?Sized>(
    writer: W,
    value: &T,
    options: &WriteOptions,
) -> io::Result<()> {
    portable_runtime::to_writer_with_options(HEADER, options, writer, value)
}

/// Choices for a whole stream written by [`to_vec_with`]/[`to_writer_with`].
pub use portable_runtime::WriteOptions;

/// Many values on one writer, each a complete pickle that Python loads with
/// `pickle.load(f)` in a loop: the first carries the header, later ones
/// reuse the classes the reading process already has, so a small message
/// costs tens of bytes (a one-`Point` pickle: 46).
///
/// ```
/// use portable_pickle::{Pickler, PortablePickle};
///
/// #[derive(PortablePickle)]
/// struct Point { x: f64, y: f64 }
///
/// let mut pickler = Pickler::new(Vec::new());
/// pickler.dump(&Point { x: 1.0, y: 2.0 })?;
/// let first = pickler.get_ref().len();
/// pickler.dump(&Point { x: 3.0, y: 4.0 })?;
/// assert!(pickler.get_ref().len() - first <= 48);
/// // Python: with open(path, "rb") as f: pickle.load(f), pickle.load(f)
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Loading a later pickle in a process that never loaded the session's
/// first one fails with `ModuleNotFoundError: No module named 'io._pp3'; 'io' is not a package`
/// (the namespace's short name), never with a wrong value; where readers
/// may start mid-stream, [`Pickler::self_contained`] makes every pickle a
/// complete stream. The guide's "Many values on one stream"
/// (docs/guide/sessions.md) shows the pattern for pipes and sockets.
pub struct Pickler<W: io::Write>(portable_runtime::Pickler<W>);

impl<W: io::Write> Pickler<W> {
    /// A session writing to `writer`.
    pub fn new(writer: W) -> Self {
        Pickler(portable_runtime::Pickler::with_header(HEADER, writer))
    }

    /// Every pickle a complete stream with the header (`true`), for readers
    /// that may start reading anywhere; the default is `false`.
    pub fn self_contained(self, on: bool) -> Self {
        Pickler(self.0.self_contained(on))
    }

    /// Every pickle a complete [`strict`]-profile stream (`true`): for
    /// pipelines that scan pickles. Each pickle then carries the strict
    /// header and its classes (a strict stream cannot reuse the classes an
    /// earlier pickle made), and a value the profile cannot write (arrays,
    /// `uuid.UUID`) is an error. The default is `false`.
    pub fn strict(self, on: bool) -> Self {
        Pickler(self.0.strict(on.then_some(strict::HEADER)))
    }

    /// The [`WriteOptions`] of every pickle.
    pub fn with_options(self, options: &WriteOptions) -> Self {
        Pickler(self.0.with_options(options))
    }

    /// Whether each [`dump`](Pickler::dump) flushes the writer: `true` (the
    /// default), so a reader at the other end of a pipe or socket gets each
    /// value at once; `false` leaves flushing to the caller (a `BufWriter`
    /// flushes when full and when dropped), for files and batches, where a
    /// flush per small value costs a system call per value
    /// (docs/PERFORMANCE.md, "Sessions").
    pub fn flush_each(self, on: bool) -> Self {
        Pickler(self.0.flush_each(on))
    }

    /// Writes `value` as one complete pickle, and flushes the writer (see
    /// [`flush_each`](Pickler::flush_each)).
    ///
    /// A `dump` that fails after part of its pickle reached the writer (an
    /// I/O error, or a `with`/`serde` field's error once a frame was
    /// written) leaves a torn pickle there: the `Pickler` is then
    /// [poisoned](Pickler::is_poisoned) and every later `dump` fails,
    /// rather than append pickles a reader would misread. A `dump` that
    /// fails before writing anything leaves the stream as it was and the
    /// session goes on.
    pub fn dump<T: PortablePickle + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        self.0.dump(value)
    }

    /// Whether an earlier `dump` failed after writing part of a pickle.
    /// What the writer received before the torn pickle is intact: truncate
    /// there (the length before that `dump`) and start a new `Pickler`.
    pub fn is_poisoned(&self) -> bool {
        self.0.is_poisoned()
    }

    /// The writer.
    pub fn get_ref(&self) -> &W {
        self.0.get_ref()
    }

    /// The writer, mutably.
    pub fn get_mut(&mut self) -> &mut W {
        self.0.get_mut()
    }

    /// Ends the session, returning the writer.
    pub fn into_inner(self) -> W {
        self.0.into_inner()
    }
}

/// Reads the pickles of one stream in turn: the reading twin of [`Pickler`].
///
/// It reads everything a `Pickler` writes — the first pickle, later
/// pickles that name the classes of earlier ones by alias, self-contained
/// pickles, arrays — and any other sequence of pickles, such as a file
/// Python wrote with `pickle.dump` in a loop. A later pickle's aliases
/// resolve only to classes an earlier pickle of the same `Unpickler`
/// registered (recognised by their shape, never by admitting a global), so
/// a later pickle read alone is still refused. Each pickle is read as
/// [`from_reader`] reads one: nothing is executed, the [`ReadOptions`]
/// limits apply per pickle, no byte past its `STOP` is read (wrap an
/// unbuffered reader in a `BufReader`).
///
/// At a clean end of input, [`load`](Unpickler::load) returns
/// [`ErrorKind::EndOfStream`], and [`iter`](Unpickler::iter) ends; an input
/// that ends inside a pickle is [`ErrorKind::Eof`]. Error offsets count from
/// the start of the stream. A strict `Pickler`'s pickles read as any
/// strict-profile stream does.
///
/// ```
/// use portable_pickle::{ErrorKind, Pickler, PortablePickle, Unpickler};
///
/// #[derive(PortablePickle, Debug, PartialEq)]
/// struct Point { x: i64, y: i64 }
///
/// let mut pickler = Pickler::new(Vec::new());
/// for i in 0..3 {
///     pickler.dump(&Point { x: i, y: -i })?;
/// }
/// let bytes = pickler.into_inner();
///
/// let mut unpickler = Unpickler::new(&bytes[..]);
/// let first: Point = unpickler.load()?;
/// assert_eq!(first, Point { x: 0, y: 0 });
/// let rest: Vec<Point> = unpickler.iter().collect::<Result<_, _>>()?;
/// assert_eq!(rest, [Point { x: 1, y: -1 }, Point { x: 2, y: -2 }]);
/// let end = unpickler.load::<Point>().unwrap_err();
/// assert_eq!(end.kind(), &ErrorKind::EndOfStream);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Unpickler<R: io::Read>(portable_runtime::read::Unpickler<R>);

impl<R: io::Read> Unpickler<R> {
    /// An `Unpickler` of `reader` with the default [`ReadOptions`].
    pub fn new(reader: R) -> Self {
        Unpickler::with_options(reader, &ReadOptions::default())
    }

    /// An `Unpickler` of `reader` whose every pickle is read with `options`.
    pub fn with_options(reader: R, options: &ReadOptions) -> Self {
        Unpickler(portable_runtime::read::Unpickler::with_header(
            PREFIXES, reader, options,
        ))
    }

    /// Reads the next pickle as a `T`; [`ErrorKind::EndOfStream`] when the
    /// input ended cleanly before it.
    pub fn load<T: FromPickle>(&mut self) -> Result<T, Error> {
        self.0.load()
    }

    /// The pickles that follow, each read as a `T`, until the end of the
    /// input; an error is the last item.
    pub fn iter<T: FromPickle>(&mut self) -> portable_runtime::read::Iter<'_, R, T> {
        self.0.iter()
    }

    /// Bytes of the stream consumed so far (where the next pickle starts).
    pub fn position(&self) -> u64 {
        self.0.position()
    }

    /// The reader.
    pub fn get_ref(&self) -> &R {
        self.0.get_ref()
    }

    /// Ends the session, returning the reader.
    pub fn into_inner(self) -> R {
        self.0.into_inner()
    }
}

/// Reads a value back from a pickle stream: one written by [`to_vec`], one
/// CPython's `pickle.dumps` wrote (protocols 0–5) for objects loaded from
/// such streams, or plain Python data whose shape fits `T`.
///
/// Nothing in the stream is executed. Globals are checked against a fixed
/// table (the classes of `T`, by name; portable-pickle's stand-in classes;
/// a few stdlib types); hostile input fails within the default
/// [`ReadOptions`] limits. Bytes after the pickle's `STOP` are ignored.
///
/// ```
/// use portable_pickle::PortablePickle;
///
/// #[derive(PortablePickle, Debug, PartialEq)]
/// struct Point { x: i64, y: i64 }
///
/// let bytes = portable_pickle::to_vec(&vec![Point { x: 1, y: 2 }]);
/// let back: Vec<Point> = portable_pickle::from_slice(&bytes)?;
/// assert_eq!(back, [Point { x: 1, y: 2 }]);
/// # Ok::<(), portable_pickle::Error>(())
/// ```
pub fn from_slice<T: FromPickle>(bytes: &[u8]) -> Result<T, Error> {
    from_slice_with(bytes, &ReadOptions::default())
}

/// [`from_slice`] with explicit limits and allowances.
pub fn from_slice_with<T: FromPickle>(bytes: &[u8], options: &ReadOptions) -> Result<T, Error> {
    portable_runtime::read::from_slice_with_header(PREFIXES, bytes, options)
}

/// Reads one pickle from `reader`, consuming exactly its bytes, so several
/// pickles written one after another can be read in turn. Reads byte by byte
/// where the format needs it: wrap unbuffered readers in a `BufReader`.
pub fn from_reader<R: io::Read, T: FromPickle>(reader: R) -> Result<T, Error> {
    from_reader_with(reader, &ReadOptions::default())
}

/// [`from_reader`] with explicit limits and allowances.
pub fn from_reader_with<R: io::Read, T: FromPickle>(reader: R, options: &ReadOptions) -> Result<T, Error> {
    portable_runtime::read::from_reader_with_header(PREFIXES, reader, options)
}

/// The typed read side and the dynamic value tree.
pub use portable_runtime::read::{
    BigInt, Call, ClassNames, FromPickle, Global, Object, ReadContext, ReadOptions, Value,
};
/// Why a read failed: what (see [`ErrorKind`]) and where (byte offset and
/// opcode for decoding errors, the path to the value for conversion errors).
pub use portable_runtime::read::{Error, ErrorKind};

pub mod strict;

#[cfg(feature = "serde")]
pub mod serde;

pub mod python;

#[doc(hidden)]
pub mod __private {
    pub use portable_runtime::array::{read_field as read_array, write_field as write_array};
    pub use portable_runtime::pytype::{same_annotation, ClassDef, ClassRef, DefClass, DefShape, PyType};
    pub use portable_runtime::read::derive as read;
    pub use portable_runtime::read::{ClassNames, FromPickleBytes, ReadContext};
    pub use portable_runtime::{ClassDescriptor, Encoder};
    pub use std::sync::OnceLock;

    /// What a type parameter of a generic derived type stands for in its
    /// class definition: `typing.Any` (one Python class serves every
    /// instantiation). Never instantiated.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum AnyType {}

    impl crate::PortablePickle for AnyType {
        fn write_pickle(&self, _: &mut Encoder<'_>) -> Result<()> {
            match *self {}
        }
    }

    impl crate::PyHashable for AnyType {}

    /// A `#[pickle(display)]` field.
    #[inline]
    pub fn write_display<T: ::core::fmt::Display + ?Sized>(value: &T, p: &mut Encoder<'_>) -> Result<()> {
        p.display(value)
    }
    pub use std::io::Result;
}

/// Describing a pickle as the reader reads it: the reader's verdict, the
/// globals it references (and whether each is on the allowlist), its type
/// table, instances per class and part sizes. What the `portable-pickle
/// inspect` tool prints; see [`portable_runtime::read::inspect`] for how and
/// within which bounds. [`ops`](inspect::ops) is the opcode decoder the
/// reader uses, as an iterator (like `pickletools.genops`).
///
/// ```
/// use portable_pickle::PortablePickle;
///
/// #[derive(PortablePickle)]
/// struct Point { x: i64, y: i64 }
///
/// let bytes = portable_pickle::to_vec(&vec![Point { x: 1, y: 2 }, Point { x: 3, y: 4 }]);
/// let summary = portable_pickle::inspect::summarize(&bytes);
/// assert_eq!(summary.header.as_ref().map(|h| h.profile.as_str()), Some("default"));
/// let point = summary.classes.iter().find(|c| c.name == "Point").unwrap();
/// assert_eq!(point.instances, 2);
/// assert!(summary.globals.iter().all(|g| portable_pickle::inspect::is_allowed(&g.module, &g.name)));
/// ```
pub mod inspect {
    /// The short name a session gives the namespace (`io._pp3`): what a
    /// later pickle names its classes in.
    pub use portable_runtime::layout::SESSION_MODULE;
    pub use portable_runtime::read::inspect::*;
    /// CPython's `pickletools` name of an opcode byte (`"STACK_GLOBAL"`).
    pub use portable_runtime::read::opcode_name;
    pub use portable_runtime::read::ops::{ops, Arg, Op, Ops};

    /// The writer profile of this build's [`HEADER`](crate::HEADER).
    pub const PROFILE: &str = "default";

    /// The headers this build recognises: its own, with its payload and
    /// standalone bootstrap.
    pub const KNOWN_HEADERS: &[KnownHeader<'static>] = &[
        KnownHeader {
            profile: PROFILE,
            version: crate::FORMAT_VERSION,
            header: crate::HEADER,
            payload: crate::PAYLOAD,
            standalone: crate::STANDALONE,
        },
        // The strict profile's header: no payload, no class pickles.
        KnownHeader {
            profile: "strict",
            version: crate::FORMAT_VERSION,
            header: crate::strict::HEADER,
            payload: b"",
            standalone: b"",
        },
    ];

    /// [`inspect`](fn@inspect)'s options for this build: its
    /// [`KNOWN_HEADERS`], the reader's default budget.
    pub const OPTIONS: InspectOptions<'static> = InspectOptions {
        headers: KNOWN_HEADERS,
        max_alloc: None,
    };

    /// [`inspect`](fn@inspect) with this build's [`OPTIONS`].
    pub fn summarize(bytes: &[u8]) -> Summary {
        inspect(bytes, &OPTIONS)
    }

    /// Whether `module.name` is on docs/FORMAT.md's allowlist: a global the
    /// header, the payload, a class descriptor or a body of this format
    /// references, a global of the strict profile (its own section), or a
    /// class of a runtime namespace (`_portable_pickle_vN`; never one of its
    /// tools, nor a path through a dunder attribute).
    pub fn is_allowed(module: &str, name: &str) -> bool {
        portable_runtime::spec_globals::is_allowed(module, name)
            || portable_runtime::spec_globals::STRICT.contains(&(module, name))
            || is_namespace_class(module, name)
    }

    /// Whether `module.name` names a class of a runtime namespace: see
    /// `portable_format`'s `layout::names_a_namespace_class`.
    pub fn is_namespace_class(module: &str, name: &str) -> bool {
        is_namespace(module) && portable_runtime::layout::names_a_namespace_class(name)
    }

    /// Whether `module.name` is what a session's later pickle names instead
    /// of a class or array tool an earlier pickle registered:
    /// `io._pp3.ALIAS` (10 base-62 digits, `.Member` for a unit enum's
    /// member) or `io._pp3.aK` (docs/FORMAT.md, "Sessions"). Only an
    /// `Unpickler` that read the registering pickle resolves it.
    pub fn is_session_name(module: &str, name: &str) -> bool {
        let alias = name.split_once('.').map_or(name, |(a, _)| a);
        module == portable_runtime::layout::SESSION_MODULE
            && (portable_runtime::names::is_session_alias(alias)
                || portable_runtime::array_format::SESSION_NAMES.contains(&name))
    }

    /// 64-bit FNV-1a of `bytes`, as the format fingerprints class specs:
    /// the tool prints it for the header.
    pub fn fingerprint(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }
}

/// The guide's chapters (docs/guide/) as doctests: `cargo test --doc` runs
/// every Rust block in them. Compiled for doctests only.
#[cfg(doctest)]
mod guide {
    #[doc = include_str!("../docs/guide/README.md")]
    mod index {}
    #[doc = include_str!("../docs/guide/type-mapping.md")]
    mod type_mapping {}
    #[doc = include_str!("../docs/guide/attributes.md")]
    mod attributes {}
    #[doc = include_str!("../docs/guide/python.md")]
    mod python {}
    #[doc = include_str!("../docs/guide/sessions.md")]
    mod sessions {}
    #[doc = include_str!("../docs/guide/arrays.md")]
    mod arrays {}
    #[doc = include_str!("../docs/guide/serde.md")]
    mod serde {}
    #[doc = include_str!("../docs/guide/strict.md")]
    mod strict {}
    #[doc = include_str!("../docs/guide/reading-back.md")]
    mod reading_back {}
    #[doc = include_str!("../docs/guide/inspector.md")]
    mod inspector {}
    #[doc = include_str!("../docs/guide/security.md")]
    mod security {}
    #[doc = include_str!("../docs/guide/development.md")]
    mod development {}
}
