//! The one opcode writer. `build.rs` (the static header), the derive macro
//! (class descriptors) and the runtime (stream bodies) all emit pickle
//! opcodes through [`OpWriter`], so every encoding decision lives here once.

use crate::opcodes::*;

/// Appends pickle opcodes to a byte buffer.
///
/// The writer knows encodings, not framing: [`crate::Pickler`] decides where
/// frames start and end and routes large payloads outside them.
#[derive(Debug, Default, Clone)]
pub struct OpWriter {
    buf: Vec<u8>,
    /// Number of `MEMOIZE` opcodes written, i.e. the next memo index.
    memo_len: u32,
}

impl OpWriter {
    /// An empty writer whose next `MEMOIZE` gets index 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer whose memo already holds `memo_len` entries (written
    /// earlier in the same stream, e.g. by the static header).
    pub fn with_memo_len(memo_len: u32) -> Self {
        OpWriter {
            buf: Vec::new(),
            memo_len,
        }
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Consumes the writer, returning its bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Mutable access for the stream state, which patches frame lengths and
    /// drains flushed bytes.
    pub(crate) fn buf_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Number of memo entries defined so far.
    pub fn memo_len(&self) -> u32 {
        self.memo_len
    }

    /// Records memo entries defined by bytes copied in verbatim (a class
    /// descriptor's `MEMOIZE`s).
    pub(crate) fn add_memo_len(&mut self, n: u32) {
        self.memo_len += n;
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Copies pre-encoded opcodes verbatim.
    #[inline]
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// One opcode without argument.
    #[inline]
    pub fn op(&mut self, op: u8) {
        self.buf.push(op);
    }

    /// `PROTO 4`.
    pub fn proto(&mut self) {
        self.buf.extend_from_slice(&[PROTO, PROTOCOL]);
    }

    /// `MEMOIZE`, returning the memo index it defines.
    #[inline]
    pub fn memoize(&mut self) -> u32 {
        self.buf.push(MEMOIZE);
        self.memo_len += 1;
        self.memo_len - 1
    }

    /// `BINGET`/`LONG_BINGET` of memo index `idx`.
    #[inline]
    pub fn get(&mut self, idx: u32) {
        if idx < 256 {
            self.buf.extend_from_slice(&[BINGET, idx as u8]);
        } else {
            self.buf.push(LONG_BINGET);
            self.buf.extend_from_slice(&idx.to_le_bytes());
        }
    }

    /// `SHORT_BINUNICODE`, `BINUNICODE` or `BINUNICODE8`, whichever is shortest.
    #[inline]
    pub fn str(&mut self, s: &str) {
        self.str_header(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// The opcode and length prefix of a string of `len` UTF-8 bytes.
    #[inline]
    pub fn str_header(&mut self, len: usize) {
        if len < 256 {
            self.buf.extend_from_slice(&[SHORT_BINUNICODE, len as u8]);
        } else if let Ok(n) = u32::try_from(len) {
            self.buf.push(BINUNICODE);
            self.buf.extend_from_slice(&n.to_le_bytes());
        } else {
            self.buf.push(BINUNICODE8);
            self.buf.extend_from_slice(&(len as u64).to_le_bytes());
        }
    }

    /// `SHORT_BINBYTES`, `BINBYTES` or `BINBYTES8`, whichever is shortest.
    #[inline]
    pub fn bytes(&mut self, b: &[u8]) {
        self.bytes_header(b.len());
        self.buf.extend_from_slice(b);
    }

    /// The opcode and length prefix of a bytes object of `len` bytes.
    #[inline]
    pub fn bytes_header(&mut self, len: usize) {
        if len < 256 {
            self.buf.extend_from_slice(&[SHORT_BINBYTES, len as u8]);
        } else if let Ok(n) = u32::try_from(len) {
            self.buf.push(BINBYTES);
            self.buf.extend_from_slice(&n.to_le_bytes());
        } else {
            self.buf.push(BINBYTES8);
            self.buf.extend_from_slice(&(len as u64).to_le_bytes());
        }
    }

    /// `module.name` through `STACK_GLOBAL` (dotted names resolve attribute by
    /// attribute on the reading side, as protocol 4 allows).
    pub fn global(&mut self, module: &str, name: &str) {
        self.str(module);
        self.str(name);
        self.op(STACK_GLOBAL);
    }

    /// `NONE`.
    #[inline]
    pub fn none(&mut self) {
        self.buf.push(NONE);
    }

    /// `NEWTRUE`/`NEWFALSE`.
    #[inline]
    pub fn bool(&mut self, v: bool) {
        self.buf.push(if v { NEWTRUE } else { NEWFALSE });
    }

    /// `BINFLOAT` (big-endian IEEE 754 double; NaN payloads and infinities kept).
    #[inline]
    pub fn float(&mut self, v: f64) {
        self.buf.push(BINFLOAT);
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// The shortest integer encoding of `v`, as CPython's pickler chooses it.
    #[inline]
    pub fn int(&mut self, v: i64) {
        if (0..=0xff).contains(&v) {
            self.buf.extend_from_slice(&[BININT1, v as u8]);
        } else if (0..=0xffff).contains(&v) {
            self.buf.push(BININT2);
            self.buf.extend_from_slice(&(v as u16).to_le_bytes());
        } else if let Ok(v) = i32::try_from(v) {
            self.buf.push(BININT);
            self.buf.extend_from_slice(&v.to_le_bytes());
        } else {
            self.long_le(&i128::from(v).to_le_bytes(), v < 0);
        }
    }

    /// [`OpWriter::int`] for unsigned values.
    #[inline]
    pub fn uint(&mut self, v: u64) {
        match i64::try_from(v) {
            Ok(v) => self.int(v),
            Err(_) => self.long_le(&u128::from(v).to_le_bytes(), false),
        }
    }

    /// [`OpWriter::int`] for 128-bit values.
    pub fn int128(&mut self, v: i128) {
        match i64::try_from(v) {
            Ok(v) => self.int(v),
            Err(_) => self.long_le(&v.to_le_bytes(), v < 0),
        }
    }

    /// [`OpWriter::int`] for unsigned 128-bit values.
    pub fn uint128(&mut self, v: u128) {
        match i64::try_from(v) {
            Ok(v) => self.int(v),
            Err(_) => {
                // Up to 17 bytes: a top bit set in a u128 needs a zero sign byte.
                let mut le = [0u8; 17];
                le[..16].copy_from_slice(&v.to_le_bytes());
                self.long_le(&le, false);
            }
        }
    }

    /// `LONG1`/`LONG4` of an integer given as two's-complement little-endian bytes.
    pub fn long(&mut self, le: &[u8]) {
        let negative = le.last().is_some_and(|b| b & 0x80 != 0);
        self.long_le(le, negative);
    }

    /// `LONG1`/`LONG4` with the minimal two's-complement little-endian bytes
    /// of a value given sign-extended in `le`.
    fn long_le(&mut self, le: &[u8], negative: bool) {
        let fill = if negative { 0xff } else { 0x00 };
        let mut n = le.len();
        // Drop redundant sign bytes: the remaining top byte must still carry the sign.
        while n > 1 && le[n - 1] == fill && (le[n - 2] & 0x80 != 0) == negative {
            n -= 1;
        }
        if n < 256 {
            self.buf.extend_from_slice(&[LONG1, n as u8]);
        } else {
            self.buf.push(LONG4);
            self.buf.extend_from_slice(&(n as u32).to_le_bytes());
        }
        self.buf.extend_from_slice(&le[..n]);
    }

    /// Opens a tuple of `n` items: `MARK` when `TUPLE1`–`TUPLE3` cannot close it.
    #[inline]
    pub fn tuple_open(&mut self, n: usize) {
        if n > 3 {
            self.buf.push(MARK);
        }
    }

    /// Closes a tuple of `n` items opened with [`OpWriter::tuple_open`].
    #[inline]
    pub fn tuple_close(&mut self, n: usize) {
        self.buf.push(match n {
            0 => EMPTY_TUPLE,
            1 => TUPLE1,
            2 => TUPLE2,
            3 => TUPLE3,
            _ => TUPLE,
        });
    }

    /// `REDUCE`: calls the callable below the argument tuple on top.
    #[inline]
    pub fn reduce(&mut self) {
        self.buf.push(REDUCE);
    }

    /// Writes a tuple of strings (field names and the like).
    pub fn str_tuple<S: AsRef<str>>(&mut self, items: &[S]) {
        self.tuple_open(items.len());
        for s in items {
            self.str(s.as_ref());
        }
        self.tuple_close(items.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int_bytes(f: impl FnOnce(&mut OpWriter)) -> Vec<u8> {
        let mut w = OpWriter::new();
        f(&mut w);
        w.into_bytes()
    }

    #[test]
    fn ints_use_the_shortest_encoding() {
        assert_eq!(int_bytes(|w| w.int(0)), [BININT1, 0]);
        assert_eq!(int_bytes(|w| w.int(255)), [BININT1, 255]);
        assert_eq!(int_bytes(|w| w.int(256)), [BININT2, 0, 1]);
        assert_eq!(int_bytes(|w| w.int(-1)), [BININT, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(int_bytes(|w| w.int(1 << 31)), [LONG1, 5, 0, 0, 0, 0x80, 0]);
        assert_eq!(
            int_bytes(|w| w.int(-(1 << 31) - 1)),
            [LONG1, 5, 0xff, 0xff, 0xff, 0x7f, 0xff]
        );
        assert_eq!(int_bytes(|w| w.int(i64::MIN)), [LONG1, 8, 0, 0, 0, 0, 0, 0, 0, 0x80]);
        assert_eq!(
            int_bytes(|w| w.uint(u64::MAX)),
            [LONG1, 9, 255, 255, 255, 255, 255, 255, 255, 255, 0]
        );
        let mut max = vec![LONG1, 17];
        max.extend([0xff; 16]);
        max.push(0);
        assert_eq!(int_bytes(|w| w.uint128(u128::MAX)), max);
        let mut min = vec![LONG1, 16];
        min.extend([0; 15]);
        min.push(0x80);
        assert_eq!(int_bytes(|w| w.int128(i128::MIN)), min);
    }

    #[test]
    fn strings_pick_the_short_form_below_256_bytes() {
        assert_eq!(int_bytes(|w| w.str("ab")), [SHORT_BINUNICODE, 2, b'a', b'b']);
        let long = "x".repeat(300);
        let b = int_bytes(|w| w.str(&long));
        assert_eq!(&b[..5], &[BINUNICODE, 44, 1, 0, 0]);
    }

    #[test]
    fn memo_indices_are_sequential() {
        let mut w = OpWriter::with_memo_len(3);
        assert_eq!(w.memoize(), 3);
        assert_eq!(w.memoize(), 4);
        w.get(300);
        assert_eq!(&w.as_bytes()[2..], &[LONG_BINGET, 44, 1, 0, 0]);
    }
}
