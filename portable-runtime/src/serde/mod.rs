//! The serde bridge: any `Serialize` type as typed Python objects, and
//! `Deserialize` types read back from the same streams.
//!
//! Classes are built at run time from serde's `&'static str` names, with the
//! same recipes as derived classes (`portable_format::descriptor`), encoded
//! once per process and memoized per stream.

mod de;
mod de_access;
mod de_foreign;
mod ser;

pub use de::{from_reader_with_header, from_slice_with_header, from_value, read_field, Deserializer};
pub use ser::{write, write_field, Error};
