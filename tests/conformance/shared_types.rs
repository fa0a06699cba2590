//! Types the generated conformance types use as fields.

use portable_pickle::PortablePickle;

/// A nested derived type (and the shared `Rc` field's target).
#[derive(PortablePickle, serde::Serialize, serde::Deserialize, Debug, PartialEq)]
pub struct CInner {
    pub a: i32,
}

/// A frozen struct: a map key.
#[derive(PortablePickle, serde::Serialize, serde::Deserialize, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

/// The serde twin of `hex_color`: the same `"#rrggbb"` text, so a field the
/// derive wrote reads back through serde and the other way round.
pub mod hex_color_serde {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(rgb: &[u8; 3], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 3], D::Error> {
        let text = String::deserialize(d)?;
        let digits = text
            .strip_prefix('#')
            .filter(|h| h.len() == 6 && h.is_ascii())
            .ok_or_else(|| D::Error::custom(format!("expected \"#rrggbb\", found {text:?}")))?;
        let byte = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).map_err(D::Error::custom);
        Ok([byte(0)?, byte(2)?, byte(4)?])
    }
}
