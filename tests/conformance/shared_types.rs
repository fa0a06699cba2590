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

/// An RGB colour as `"#rrggbb"`, for `#[pickle(with = "hex_color")]`.
pub mod hex_color {
    use portable_pickle::{Encoder, Error, FromPickle, ReadContext, Value};

    pub fn write(rgb: &[u8; 3], out: &mut Encoder<'_>) -> std::io::Result<()> {
        out.str(&format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]))
    }

    pub fn read(value: &Value, cx: &mut ReadContext) -> Result<[u8; 3], Error> {
        let text = String::from_pickle(value, cx)?;
        let digits = text
            .strip_prefix('#')
            .filter(|d| d.len() == 6 && d.is_ascii())
            .ok_or_else(|| Error::invalid(format!("expected \"#rrggbb\", found {text:?}")))?;
        let byte = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).map_err(|e| Error::invalid(format!("{e}")));
        Ok([byte(0)?, byte(2)?, byte(4)?])
    }
}
