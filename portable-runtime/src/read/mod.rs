//! The read side: a pickle decoder that never executes anything, the
//! dynamic [`Value`] it produces, and the typed [`FromPickle`] conversion.
//!
//! Decoding (protocols 0–5) runs the pickle machine over an arena: calls
//! (`REDUCE`, `NEWOBJ`, `BUILD`) are recorded as [`Object`]s, never made,
//! and every global is checked against a fixed table (see [`ReadOptions`]).
//! The result is a [`Value`]; a typed read converts it with [`FromPickle`].
//! Every allocation is charged to a budget and the nesting depth is
//! bounded, so hostile input fails with an [`Error`] instead of exhausting
//! memory or the stack.

pub mod derive;
mod error;
mod features;
mod from_pickle;
mod source;
mod unpickler;
mod value;
mod write;

use std::io::Read;

pub use error::{opcode_name, Error, ErrorKind};
pub use from_pickle::{ClassNames, FromPickle, FromPickleBytes, ReadContext};
pub use value::{BigInt, Call, Global, Object, Value};

use source::{ReaderSource, SliceSource, Source};
use unpickler::{read_value, Admit};

/// Limits and allowances of a read.
///
/// The defaults keep hostile input cheap: a stream cannot make the reader
/// allocate more than [`ReadOptions::max_alloc`] bytes (about, counting the
/// decoder's objects, the decoded tree and the typed result together),
/// nest deeper than [`ReadOptions::max_depth`] or define more than
/// [`ReadOptions::max_memo`] memo entries; a length prefix is checked
/// against the remaining input before anything is allocated for it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Deepest nesting of containers and objects (default 1000, like
    /// Python's recursion limit). Conversions recurse this deep.
    pub max_depth: usize,
    /// Most memo entries (default 4 Mi).
    pub max_memo: usize,
    /// Allocation budget in bytes (default 512 MiB).
    pub max_alloc: usize,
    /// Extra globals (`module`, `qualname`) to admit, as [`Value::Global`] /
    /// [`Object`] classes.
    pub allowed_globals: Vec<(String, String)>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_depth: 1000,
            max_memo: 4 << 20,
            max_alloc: 512 << 20,
            allowed_globals: Vec::new(),
        }
    }
}

impl ReadOptions {
    /// Sets [`ReadOptions::max_depth`].
    pub fn max_depth(mut self, n: usize) -> Self {
        self.max_depth = n;
        self
    }

    /// Sets [`ReadOptions::max_memo`].
    pub fn max_memo(mut self, n: usize) -> Self {
        self.max_memo = n;
        self
    }

    /// Sets [`ReadOptions::max_alloc`].
    pub fn max_alloc(mut self, bytes: usize) -> Self {
        self.max_alloc = bytes;
        self
    }

    /// Admits the global `module.name`.
    pub fn allow_global(mut self, module: &str, name: &str) -> Self {
        self.allowed_globals.push((module.to_owned(), name.to_owned()));
        self
    }
}

/// The static byte sequences the reader recognises instead of interpreting:
/// the stream header, and the standalone bootstrap that starts every class
/// pickle (what `pickle.dumps` writes for a loaded stand-in class).
#[derive(Debug, Clone, Copy)]
pub struct KnownPrefixes<'a> {
    /// The stream header (`portable_pickle::HEADER`).
    pub header: &'a [u8],
    /// The standalone bootstrap (`portable_pickle::STANDALONE`).
    pub standalone: &'a [u8],
}

fn read<T: FromPickle, S: Source>(src: S, header: KnownPrefixes<'_>, options: &ReadOptions) -> Result<T, Error> {
    let mut names = ClassNames::default();
    T::declare_classes(&mut names);
    let class_names = |n: &str| names.contains(n);
    let admit = Admit {
        options,
        class_names: &class_names,
    };
    let value = read_value(src, header, admit)?;
    let mut cx = ReadContext::new(options);
    T::from_pickle_owned(value, &mut cx)
}

/// Reads one pickle from `bytes` (bytes after its `STOP` are ignored, as
/// `pickle.loads` does). A stream starting with `header` (portable-pickle's
/// static header) has it skipped rather than interpreted.
pub fn from_slice_with_header<T: FromPickle>(
    header: KnownPrefixes<'_>,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<T, Error> {
    read(SliceSource::new(bytes), header, options)
}

/// Reads one pickle from `reader`, consuming exactly its bytes (wrap an
/// unbuffered reader in a `BufReader`).
pub fn from_reader_with_header<T: FromPickle, R: Read>(
    header: KnownPrefixes<'_>,
    reader: R,
    options: &ReadOptions,
) -> Result<T, Error> {
    read(ReaderSource::new(reader), header, options)
}
