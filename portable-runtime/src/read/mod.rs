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
//!
//! Where things are:
//!
//! - [`ReadOptions`] (`options.rs`): the limits and allowances;
//! - `vm/`: the decoder, from bytes to a [`Value`] (which globals it admits:
//!   `vm/admit.rs`);
//! - `value.rs`: the [`Value`] tree; `write.rs`: a [`Value`] written back;
//! - `convert/`: [`FromPickle`], from a [`Value`] to a Rust type;
//! - `error.rs`: the one [`Error`] type; `source.rs`: slices and readers.

mod convert;
mod error;
mod options;
mod source;
mod value;
mod vm;
mod write;

use std::io::Read;

pub use convert::derive;
pub use convert::{ClassNames, FromPickle, FromPickleBytes, ReadContext};
pub use error::{opcode_name, Error, ErrorKind};
pub use options::ReadOptions;
pub use value::{BigInt, Call, Global, Object, Value};

use source::{ReaderSource, SliceSource, Source};
use vm::{read_value, Admit};

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
    let (value, held) = read_value(src, header, admit)?;
    // The tree stays alive while it is converted: the conversion's budget
    // is what the tree leaves.
    let mut cx = ReadContext::new(options);
    cx.charge(held)?;
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
