//! The strict profile, for pipelines that scan pickles (picklescan,
//! modelscan, fickling): typed objects from a stream that references only
//! `abc.ABCMeta`, `copyreg.__newobj_ex__`, `dataclasses.dataclass`,
//! `enum.Enum`, `enum.IntEnum` and the body's stdlib types, with no nested
//! pickle, no `sys`, `importlib`, `pickle`, `getattr` or `functools`.
//!
//! ```
//! use portable_pickle::PortablePickle;
//!
//! /// A point in the plane.
//! #[derive(PortablePickle)]
//! struct Point { x: f64, y: f64 }
//!
//! let bytes = portable_pickle::strict::to_vec(&Point { x: 1.0, y: 2.0 })?;
//! assert!(bytes.starts_with(portable_pickle::strict::HEADER));
//! // Python: pickle.loads(bytes) == Point(x=1.0, y=2.0), a dataclass
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Each stream builds its classes itself, so what it gives up is decided
//! and documented (docs/FORMAT.md, "Strict profile"): two loads give
//! distinct classes, loaded objects cannot be pickled again, a declared
//! module's real class is not used, arrays and `uuid.UUID` are refused
//! (an error, never a wrong value). The safe reader ([`crate::from_slice`],
//! every read path) reads strict streams back: it recognises the strict
//! header by its bytes and interprets its classes as the default header's.
//! [`crate::Pickler::strict`] writes a strict stream per value.

use std::io;

use crate::PortablePickle;

/// The strict header every strict stream starts with (`PROTO 4` and the
/// strict tools: the class maker, the base dataclass, the enum APIs), built
/// by `build.rs` from [`portable_runtime::strict`]'s recipe.
pub const HEADER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/strict_header.pkl"));

/// Writes `value` as one complete strict-profile stream.
///
/// # Errors
///
/// A value the profile cannot write: an array (`#[pickle(array)]`,
/// [`crate::Array`]) or a `uuid::Uuid` (scanners grade the `uuid` module
/// dangerous); or an error of a hand-written impl.
pub fn to_vec<T: PortablePickle + ?Sized>(value: &T) -> io::Result<Vec<u8>> {
    portable_runtime::to_vec_strict(HEADER, value)
}

/// [`to_vec`] to `writer`, one frame (about 64 KiB) at a time. On an
/// error, what was written is not a complete pickle (it has no `STOP`).
pub fn to_writer<W: io::Write, T: PortablePickle + ?Sized>(writer: W, value: &T) -> io::Result<()> {
    portable_runtime::to_writer_strict(HEADER, writer, value)
}
