//! The serde bridge: any `Serialize` type as typed Python objects, and
//! `Deserialize` types read back from the same streams.
//!
//! Classes are built at run time from serde's `&'static str` names, with the
//! same recipes as derived classes (`portable_format::descriptor`), encoded
//! once per process and memoized per stream.

mod de;
mod ser;

pub use ser::{write, write_field, Error};
