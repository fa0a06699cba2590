//! The serde bridge (cargo feature `serde`): any `serde::Serialize` type as
//! typed Python objects, with nothing installed on the reading side, and
//! `serde::Deserialize` types read back. See the README's "serde bridge".

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
    let mut p = portable_runtime::Pickler::new(crate::HEADER);
    portable_runtime::serde::write(&mut p, value)?;
    Ok(p.finish()?)
}

/// [`to_vec`] to `writer`, flushing each frame (about 64 KiB) as it fills.
/// A struct's fields are held in memory until the struct ends (its class
/// depends on the fields it has), so a top-level struct is written once it
/// is complete; sequences and maps stream.
pub fn to_writer<W: std::io::Write, T: ::serde::Serialize + ?Sized>(mut writer: W, value: &T) -> Result<(), Error> {
    let mut p = portable_runtime::Pickler::with_sink(crate::HEADER, &mut writer);
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
