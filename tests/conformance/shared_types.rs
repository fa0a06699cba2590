//! Types the generated conformance types use as fields.

use portable_pickle::PortablePickle;

/// A nested derived type (and the shared `Rc` field's target).
#[derive(PortablePickle, Debug, PartialEq)]
pub struct CInner {
    pub a: i32,
}

/// A frozen struct: a map key.
#[derive(PortablePickle, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[pickle(frozen)]
pub struct CKey {
    pub k: i32,
}

/// A serde type in a `#[pickle(serde)]` field.
#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
pub struct CSerde {
    pub label: String,
    pub weight: u32,
}

/// `#[pickle(with = "hex_color")]`: the corpus's `"#rrggbb"` codec.
// The corpus uses the rest of the module.
#[allow(dead_code)]
#[path = "../support/foreign.rs"]
mod foreign;
pub use foreign::hex_color;
