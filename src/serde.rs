//! The serde bridge (cargo feature `serde`): any `serde::Serialize` type as
//! typed Python objects, with nothing installed on the reading side, and
//! `serde::Deserialize` types read back. See the README's "serde bridge".
