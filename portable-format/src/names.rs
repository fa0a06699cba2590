//! Names the writer makes and the reader parses back: Python identifiers and
//! the keys under which the namespace registers classes.

/// Python keywords: a field named after one gets a trailing underscore.
pub const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// A Python identifier, restricted to what Rust names can be: a letter or
/// `_` followed by letters, digits and `_`.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_alphabetic()) && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// Identifiers joined by dots: a module path or a qualified name.
pub fn is_dotted_identifier(s: &str) -> bool {
    s.split('.').all(is_identifier)
}

/// Suffix of the key under which a descriptor registers its class
/// definition (a pickle fragment), so standalone pickles can reuse it.
pub const DEF_SUFFIX: &str = "#def";
/// Suffix of the key under which a descriptor registers a class's
/// `__portable_reduce__` value.
pub const REDUCE_SUFFIX: &str = "#reduce";

/// The namespace key of the class of a type named `name` whose class spec
/// has fingerprint `fingerprint`: `Point_0123456789abcdef`. An identifier,
/// since registered classes are attributes of the namespace module.
pub fn class_key(name: &str, fingerprint: u64) -> String {
    format!("{name}_{fingerprint:016x}")
}

/// The key of a data enum's variant class: `Shape_<fingerprint>_Circle`.
pub fn variant_key(enum_key: &str, variant: &str) -> String {
    format!("{enum_key}_{variant}")
}

/// `key#def`.
pub fn def_key(key: &str) -> String {
    format!("{key}{DEF_SUFFIX}")
}

/// `key#reduce`.
pub fn reduce_key(key: &str) -> String {
    format!("{key}{REDUCE_SUFFIX}")
}

/// What [`parse_class_key`] finds in a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedKey<'a> {
    /// The class's (or the enum's) Python name.
    pub name: &'a str,
    /// The fingerprint of the class spec.
    pub fingerprint: u64,
    /// The variant's name, for a data enum's variant class.
    pub variant: Option<&'a str>,
}

impl ParsedKey<'_> {
    /// The Python qualified name: `Point`, or `Shape.Circle` for a variant.
    pub fn qualname(&self) -> String {
        match self.variant {
            Some(v) => format!("{}.{v}", self.name),
            None => self.name.to_owned(),
        }
    }
}

/// The inverse of [`class_key`] and [`variant_key`]. Names may hold `_`
/// themselves: the fingerprint is the last group of exactly 16 hex digits.
pub fn parse_class_key(key: &str) -> Option<ParsedKey<'_>> {
    let mut search = key.len();
    while let Some(at) = key[..search].rfind('_') {
        search = at;
        let hex = &key[at + 1..];
        let (hex, variant) = match hex.find('_') {
            Some(end) => (&hex[..end], Some(&hex[end + 1..])),
            None => (hex, None),
        };
        if hex.len() != 16 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            continue;
        }
        let name = &key[..at];
        if name.is_empty() || variant == Some("") {
            return None;
        }
        let fingerprint = u64::from_str_radix(hex, 16).ok()?;
        return Some(ParsedKey {
            name,
            fingerprint,
            variant,
        });
    }
    None
}

/// 64-bit FNV-1a: stable across builds and platforms, computed at compile time.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Digits of [`session_alias`].
const ALIAS_DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Length of [`session_alias`]: 10 base-62 digits (59.5 bits).
pub const ALIAS_LEN: usize = 10;

/// The short name under which a session's later pickles find the class
/// registered under `key` (`GLOBAL io._pp3 <alias>`): 10 base-62 digits of
/// the key's FNV-1a hash, so the same class gets the same alias in every
/// writer, and a later one-`Point` pickle stays under 48 bytes.
pub fn session_alias(key: &str) -> String {
    let mut n = fnv1a(key.as_bytes());
    (0..ALIAS_LEN)
        .map(|_| {
            let d = ALIAS_DIGITS[(n % 62) as usize];
            n /= 62;
            char::from(d)
        })
        .collect()
}

/// Whether `name` has the form of a [`session_alias`].
pub fn is_session_alias(name: &str) -> bool {
    name.len() == ALIAS_LEN && name.bytes().all(|b| ALIAS_DIGITS.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let key = class_key("My_Point", 0x0123_4567_89ab_cdef);
        assert_eq!(key, "My_Point_0123456789abcdef");
        let parsed = parse_class_key(&key).unwrap();
        assert_eq!(
            (parsed.name, parsed.fingerprint, parsed.variant),
            ("My_Point", 0x0123_4567_89ab_cdef, None)
        );
        let v = variant_key(&key, "Big_Circle");
        let parsed = parse_class_key(&v).unwrap();
        assert_eq!(parsed.qualname(), "My_Point.Big_Circle");
        assert_eq!(def_key(&key), "My_Point_0123456789abcdef#def");
        assert_eq!(reduce_key(&key), "My_Point_0123456789abcdef#reduce");
    }

    #[test]
    fn keys_without_a_fingerprint_are_refused() {
        for bad in [
            "",
            "Point",
            "_0123456789abcdef",
            "Point_0123456789abcde",
            "Point_0123456789ABCDEF",
            "Point_0123456789abcdef_",
        ] {
            assert_eq!(parse_class_key(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("_x1") && is_identifier("é"));
        assert!(!is_identifier("") && !is_identifier("1x") && !is_identifier("a-b") && !is_identifier("a.b"));
        assert!(is_dotted_identifier("a.b_c") && !is_dotted_identifier("a..b") && !is_dotted_identifier(""));
    }

    #[test]
    fn session_alias_is_ten_base62_digits_of_the_key() {
        let a = super::session_alias("Point_0123456789abcdef");
        assert_eq!(a.len(), super::ALIAS_LEN);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(a, super::session_alias("Point_0123456789abcdef"));
        assert_ne!(a, super::session_alias("Point_0123456789abcdee"));
    }
}
