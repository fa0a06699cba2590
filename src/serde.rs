//! The serde bridge (cargo feature `serde`): any `serde::Serialize` type as
//! typed Python objects, with nothing installed on the reading side, and
//! `serde::Deserialize` types read back. See the guide's "serde bridge" (docs/guide/serde.md).

// Reading.

use std::io;

use crate::{ReadOptions, Value};

/// Reads a `T` back from a pickle stream through its `serde::Deserialize`
/// impl: a stream this crate wrote (through serde or the derive), one
/// CPython's `pickle.dumps` wrote (protocols 0–5) for objects loaded from
/// such streams, or plain Python data whose shape fits `T`.
///
/// Nothing in the stream is executed, and hostile input fails within the
/// default [`ReadOptions`] limits, as for [`crate::from_slice`]. serde does
/// not know the class names of `T`, so no global is admitted by name: the
/// stand-in classes of portable-pickle's namespace and the reader's fixed
/// stdlib table are, and an instance of a class of a real module (one
/// CPython re-pickled where the declared module was importable, or plain
/// Python objects) needs [`ReadOptions::allow_global`] and
/// [`from_slice_with`].
///
/// Objects are read by their class `__qualname__` (a struct from an object
/// of the class of its serde name, a variant from `Enum.Variant`) and their
/// attributes; a member of a derived unit-only enum carries its value, not
/// its name, and cannot be read through serde. The crate's
/// `portable_runtime::serde` module doc lists what each serde request
/// accepts.
///
/// ```
/// // A stream the derive wrote, of class `Point`…
/// mod written {
///     #[derive(portable_pickle::PortablePickle)]
///     pub struct Point { pub x: i64, pub y: i64 }
/// }
/// let bytes = portable_pickle::to_vec(&vec![written::Point { x: 1, y: 2 }]);
///
/// // …read through serde, into a struct of that name.
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// struct Point { x: i64, y: i64 }
///
/// let back: Vec<Point> = portable_pickle::serde::from_slice(&bytes)?;
/// assert_eq!(back, [Point { x: 1, y: 2 }]);
/// # Ok::<(), portable_pickle::Error>(())
/// ```
pub fn from_slice<T: ::serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, crate::Error> {
    from_slice_with(bytes, &ReadOptions::default())
}

/// [`from_slice`] with explicit limits and allowances.
pub fn from_slice_with<T: ::serde::de::DeserializeOwned>(
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<T, crate::Error> {
    portable_runtime::serde::from_slice_with_header(crate::PREFIXES, bytes, options)
}

/// Reads one pickle from `reader` through `T`'s `serde::Deserialize` impl,
/// consuming exactly its bytes (see [`from_slice`] and
/// [`crate::from_reader`]).
pub fn from_reader<R: io::Read, T: ::serde::de::DeserializeOwned>(reader: R) -> Result<T, crate::Error> {
    from_reader_with(reader, &ReadOptions::default())
}

/// [`from_reader`] with explicit limits and allowances.
pub fn from_reader_with<R: io::Read, T: ::serde::de::DeserializeOwned>(
    reader: R,
    options: &ReadOptions,
) -> Result<T, crate::Error> {
    portable_runtime::serde::from_reader_with_header(crate::PREFIXES, reader, options)
}

/// Builds a `T` from a decoded [`Value`] through its `serde::Deserialize`
/// impl (it may borrow strings and bytes from `value`), within the
/// allocation budget of `options`.
pub fn from_value<'de, T: ::serde::Deserialize<'de>>(
    value: &'de Value,
    options: &ReadOptions,
) -> Result<T, crate::Error> {
    portable_runtime::serde::from_value(value, options)
}

/// A `serde::Deserializer` over a decoded [`Value`], for hand-written
/// [`FromPickle`](crate::FromPickle) impls that read a part through serde.
pub use portable_runtime::serde::Deserializer;

/// The bound the derive puts on `#[pickle(serde)]` field types.
#[doc(hidden)]
pub use ::serde::de::DeserializeOwned as __DeserializeOwned;
/// The read side of `#[pickle(serde)]` fields (derive expansion only).
#[doc(hidden)]
pub use portable_runtime::serde::read_field as __read_field;

// Writing.

/// Why writing a `Serialize` value failed: the message
/// ([`Error::message`]) and the path to the offending value
/// ([`Error::path`], `.items[2].name`, like the reader's errors). A
/// `Serialize` impl that fails, a map key Python cannot hash (a `list` or
/// `dict`, also inside a tuple or struct key) and I/O errors are reported;
/// writing never panics and never returns a stream Python cannot load.
pub use portable_runtime::serde::Error;

/// Writes `value` through its `serde::Serialize` impl as one complete pickle
/// stream (the same [`HEADER`](crate::HEADER), type table and body as
/// [`crate::to_vec`]) that a stock `pickle.load` turns into typed objects: a
/// struct becomes an instance of a dataclass named after it (serde's names,
/// so `rename`, `rename_all` and `skip` apply), an enum variant an instance
/// of `Enum.Variant`, a subclass of `Enum`; sequences, tuples and maps
/// become `list`, `tuple` and `dict`, `serialize_bytes` (`serde_bytes`)
/// `bytes`. A struct whose name or field names are no Python identifiers is
/// written as a `dict`. `portable_runtime::serde::write` lists every shape.
///
/// ```
/// #[derive(serde::Serialize)]
/// #[serde(rename_all = "camelCase")]
/// struct Release {
///     crate_name: String,
///     #[serde(skip_serializing_if = "Option::is_none")]
///     yanked_by: Option<String>,
/// }
///
/// let bytes = portable_pickle::serde::to_vec(&vec![Release { crate_name: "serde".into(), yanked_by: None }])?;
/// assert!(bytes.starts_with(portable_pickle::HEADER));
/// // In Python: pickle.loads(bytes) == [Release(crateName='serde')]
/// # Ok::<(), portable_pickle::serde::Error>(())
/// ```
pub fn to_vec<T: ::serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut p = portable_runtime::Encoder::new(crate::HEADER);
    portable_runtime::serde::write(&mut p, value)?;
    Ok(p.finish()?)
}

/// [`to_vec`] to `writer`, flushing each frame (about 64 KiB) as it fills.
/// A struct's fields are held in memory until the struct ends (its class
/// depends on the fields it has), so a top-level struct is written once it
/// is complete; sequences and maps stream.
pub fn to_writer<W: std::io::Write, T: ::serde::Serialize + ?Sized>(mut writer: W, value: &T) -> Result<(), Error> {
    let mut p = portable_runtime::Encoder::with_sink(crate::HEADER, &mut writer);
    portable_runtime::serde::write(&mut p, value)?;
    p.finish()?;
    Ok(())
}

/// The bound the derive puts on `#[pickle(serde)]` field types of generic types.
#[doc(hidden)]
pub use ::serde::Serialize as __Serialize;
/// The write side of `#[pickle(serde)]` fields (derive expansion only).
#[doc(hidden)]
pub use portable_runtime::serde::write_field as __write_field;
