//! The text arguments of protocol 0 and Python 2 strings: decimal ints
//! (`INT`, `LONG`), quoted `repr`s (`STRING`), `raw-unicode-escape`
//! (`UNICODE`); and the two's-complement ints of `LONG1`/`LONG4`.

use super::{malformed, Node};
use crate::read::error::{quoted, Error, ErrorKind};
use crate::read::value::BigInt;

/// Most digits of a decimal int (as in CPython).
const MAX_INT_DIGITS: usize = 4300;

/// A two's-complement little-endian int: an `Int` when it fits an `i64`.
pub(super) fn long_node(le: &[u8]) -> Node {
    if le.len() <= 8 {
        let fill = if le.last().is_some_and(|b| b & 0x80 != 0) {
            0xff
        } else {
            0
        };
        let mut b = [fill; 8];
        b[..le.len()].copy_from_slice(le);
        Node::Int(i64::from_le_bytes(b))
    } else {
        let big = BigInt::from_le_bytes(le);
        match big.to_i128().and_then(|v| i64::try_from(v).ok()) {
            Some(v) => Node::Int(v),
            None => Node::BigInt(big),
        }
    }
}

/// A decimal integer of protocol 0 (`INT`, `LONG`).
pub(super) fn parse_decimal(s: &str) -> Result<Node, Error> {
    let bad = || malformed(format!("{} is not a decimal integer", quoted(s)));
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if digits.len() > MAX_INT_DIGITS {
        return Err(Error::new(ErrorKind::Limit {
            what: "decimal digits of an int",
            limit: MAX_INT_DIGITS,
        }));
    }
    if let Ok(v) = s.parse::<i64>() {
        return Ok(Node::Int(v));
    }
    // Base-2^32 magnitude, little-endian limbs.
    let mut limbs: Vec<u32> = vec![0];
    for chunk in digits.as_bytes().chunks(9) {
        let mul = 10u64.pow(chunk.len() as u32);
        let mut carry: u64 = chunk.iter().fold(0, |a, d| a * 10 + u64::from(d - b'0'));
        for l in limbs.iter_mut() {
            let v = u64::from(*l) * mul + carry;
            *l = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            limbs.push(carry as u32);
        }
    }
    let mut le: Vec<u8> = limbs.iter().flat_map(|l| l.to_le_bytes()).collect();
    le.push(0);
    if neg {
        let mut carry = true;
        for b in le.iter_mut() {
            *b = !*b;
            if carry {
                let (v, c) = b.overflowing_add(1);
                *b = v;
                carry = c;
            }
        }
    }
    Ok(long_node(&le))
}

/// A Python 2 `str` (`STRING`, `BINSTRING`, `SHORT_BINSTRING`): a `str` when
/// it is UTF-8 (as Python 3's default ASCII decoding would give for ASCII),
/// else `bytes`.
pub(super) fn py2_str(b: Vec<u8>) -> Node {
    match String::from_utf8(b) {
        Ok(s) => Node::Str(s),
        Err(e) => Node::Bytes(e.into_bytes()),
    }
}

/// The quoted `repr` of a Python 2 string (`STRING`'s argument), unescaped.
pub(crate) fn string_escape(line: &[u8]) -> Result<Vec<u8>, Error> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let inner = match line {
        [q @ (b'\'' | b'"'), inner @ .., last] if last == q => inner,
        _ => return Err(malformed("STRING argument is not quoted")),
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = inner.get(i) else {
            return Err(malformed("STRING ends with a backslash"));
        };
        i += 1;
        match e {
            b'\\' | b'\'' | b'"' => out.push(e),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'\n' => {}
            b'x' => {
                let hex = inner
                    .get(i..i + 2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| malformed("bad \\x escape in STRING"))?;
                out.push(hex);
                i += 2;
            }
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match inner.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(v as u8);
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// `raw-unicode-escape` (`UNICODE`'s argument): latin-1 bytes with `\uXXXX`
/// and `\UXXXXXXXX` escapes.
pub(crate) fn raw_unicode_escape(line: &[u8]) -> Result<String, Error> {
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let mut pending_high: Option<u32> = None;
    while i < line.len() {
        let c = line[i];
        let digits = match (c, line.get(i + 1)) {
            (b'\\', Some(b'u')) => 4,
            (b'\\', Some(b'U')) => 8,
            _ => 0,
        };
        let cp = if digits > 0 {
            let hex = line
                .get(i + 2..i + 2 + digits)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .ok_or_else(|| malformed("bad \\u escape in UNICODE"))?;
            i += 2 + digits;
            hex
        } else {
            i += 1;
            u32::from(c)
        };
        let cp = match (pending_high.take(), cp) {
            (Some(hi), lo @ 0xdc00..=0xdfff) => 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00),
            (Some(_), _) => return Err(malformed("UNICODE with a lone surrogate")),
            (None, hi @ 0xd800..=0xdbff) => {
                pending_high = Some(hi);
                continue;
            }
            (None, cp) => cp,
        };
        out.push(char::from_u32(cp).ok_or_else(|| malformed("UNICODE with a lone surrogate"))?);
    }
    if pending_high.is_some() {
        return Err(malformed("UNICODE with a lone surrogate"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_ints() {
        assert!(matches!(parse_decimal("-5").unwrap(), Node::Int(-5)));
        let Node::BigInt(b) = parse_decimal("340282366920938463463374607431768211455").unwrap() else {
            panic!()
        };
        assert_eq!(b.to_u128(), Some(u128::MAX));
        let Node::BigInt(b) = parse_decimal("-170141183460469231731687303715884105728").unwrap() else {
            panic!()
        };
        assert_eq!(b.to_i128(), Some(i128::MIN));
        assert!(parse_decimal("12a").is_err());
    }

    #[test]
    fn text_strings() {
        assert_eq!(string_escape(br"'a\'b\n\x41\101'").unwrap(), b"a'b\nAA");
        assert_eq!(raw_unicode_escape(br"caf\u00e9 \U0001f600").unwrap(), "café 😀");
        assert_eq!(raw_unicode_escape(b"\xe9").unwrap(), "é");
    }
}
