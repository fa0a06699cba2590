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
//! - `error.rs`: the one [`Error`] type; `source.rs`: slices and readers;
//! - [`Unpickler`] (`unpickler.rs`): the pickles of one stream in turn, a
//!   `Pickler` session's later pickles included;
//! - [`ops`] (`ops.rs`): the opcode decoder, the one place an opcode's
//!   argument is read, also as an iterator;
//! - [`inspect`] (`inspect/`): the reader's read of a pickle described
//!   (verdict, globals, type table, instances, part sizes), for the
//!   `portable-pickle inspect` tool.

mod convert;
pub(crate) mod error;
pub mod inspect;
pub mod ops;
mod options;
mod source;
mod unpickler;
mod value;
pub(crate) mod vm;
mod write;

use std::io::Read;

pub use convert::derive;
pub(crate) use convert::mismatch;
#[cfg(feature = "serde")]
pub(crate) use convert::stdlib;
pub use convert::{ClassNames, FromPickle, FromPickleBytes, ReadContext};
pub use error::{opcode_name, Error, ErrorKind};
pub use options::ReadOptions;
pub use unpickler::{Iter, Unpickler};
pub use value::{BigInt, Call, Global, Object, Value};

use source::{ReaderSource, SliceSource, Source};
use vm::{read_value, read_value_in_session, Admit, SessionTable};

/// The static byte sequences the reader recognises instead of interpreting:
/// the stream header, and the standalone bootstrap that starts every class
/// pickle (what `pickle.dumps` writes for a loaded stand-in class).
#[derive(Debug, Clone, Copy)]
pub struct KnownPrefixes<'a> {
    /// The stream header (`portable_pickle::HEADER`).
    pub header: &'a [u8],
    /// The standalone bootstrap (`portable_pickle::STANDALONE`).
    pub standalone: &'a [u8],
    /// The strict profile's header (`portable_pickle::strict::HEADER`):
    /// recognised, its memo slots filled with what they hold.
    pub strict_header: &'a [u8],
}

fn read<T: FromPickle, S: Source>(src: S, header: KnownPrefixes<'_>, options: &ReadOptions) -> Result<T, Error> {
    read_in(src, header, options, None)
}

/// [`read`], within a session's table when given (an [`Unpickler`]'s).
fn read_in<T: FromPickle, S: Source>(
    src: S,
    header: KnownPrefixes<'_>,
    options: &ReadOptions,
    session: Option<&mut SessionTable>,
) -> Result<T, Error> {
    let mut names = ClassNames::default();
    T::declare_classes(&mut names);
    let (value, mut cx) = decode(src, header, options, &|n: &str| names.contains(n), false, session)?;
    T::from_pickle_owned(value, &mut cx)
}

/// Decodes one pickle to its [`Value`], admitting the classes `class_names`
/// accepts besides the fixed table (for the serde bridge when `serde`), and the [`ReadContext`] to convert it
/// in. The tree stays alive while it is converted: the conversion's budget
/// is what the tree leaves.
fn decode<S: Source>(
    src: S,
    header: KnownPrefixes<'_>,
    options: &ReadOptions,
    class_names: &dyn Fn(&str) -> bool,
    serde: bool,
    session: Option<&mut SessionTable>,
) -> Result<(Value, ReadContext), Error> {
    let admit = Admit {
        options,
        class_names,
        serde,
    };
    let (value, held) = match session {
        Some(session) => read_value_in_session(src, header, admit, session)?,
        None => read_value(src, header, admit)?,
    };
    let mut cx = ReadContext::new(options);
    cx.charge(held)?;
    Ok((value, cx))
}

/// [`decode`] of a slice with no class names beyond the fixed table and
/// [`ReadOptions::allowed_globals`]: the serde bridge, which knows no class
/// names of its target type.
#[cfg(feature = "serde")]
pub(crate) fn decode_slice_unnamed(
    header: KnownPrefixes<'_>,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<(Value, ReadContext), Error> {
    decode(SliceSource::new(bytes), header, options, &|_: &str| false, true, None)
}

/// [`decode_slice_unnamed`] from a reader, consuming exactly the pickle.
#[cfg(feature = "serde")]
pub(crate) fn decode_reader_unnamed<R: Read>(
    header: KnownPrefixes<'_>,
    reader: R,
    options: &ReadOptions,
) -> Result<(Value, ReadContext), Error> {
    decode(ReaderSource::new(reader), header, options, &|_: &str| false, true, None)
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
