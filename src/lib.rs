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
#![warn(missing_docs)]

use std::fmt;
use std::io;

/// Derives [`PortablePickle`](trait@PortablePickle): the type's Python class
/// descriptor as `const` bytes and the code that writes its instances.
pub use portable_macros::PortablePickle;
pub use portable_runtime::PortablePickle;

/// The static bootstrap header every stream starts with, built by `build.rs`
/// at compile time. Identical in every stream of a given release.
pub const HEADER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/header.pkl"));

/// The uncompressed payload inside [`HEADER`]: the inner pickle that installs
/// the runtime namespace on first load. Exposed for inspection and tests.
pub const PAYLOAD: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/payload.pkl"));

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
pub fn to_writer<W: io::Write, T: PortablePickle + ?Sized>(writer: W, value: &T) -> io::Result<()> {
    portable_runtime::to_writer_with_header(HEADER, writer, value)
}

/// Reads a value back from a pickle stream.
///
/// Reading is not implemented in this release: every call returns
/// [`Error::Unsupported`].
pub fn from_slice<T>(bytes: &[u8]) -> Result<T, Error> {
    let _ = bytes;
    Err(Error::Unsupported)
}

/// Why [`from_slice`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Reading streams back into Rust is not available yet.
    Unsupported,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unsupported => {
                f.write_str("reading pickle streams back into Rust is not implemented in this release")
            }
        }
    }
}

impl std::error::Error for Error {}

#[doc(hidden)]
pub mod __private {
    pub use portable_runtime::{ClassDescriptor, Pickler};
    pub use std::io::Result;
}
