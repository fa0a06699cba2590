//! The one opcode writer. `build.rs` (the static header), the derive macro
//! (class descriptors) and the runtime (stream bodies) all emit pickle
//! opcodes through [`OpWriter`], so every encoding decision lives here once.

use crate::opcodes::*;

/// Strings and bytes up to this long are copied inline (see `OpWriter::short`).
const SHORT_INLINE: usize = 16;

/// Appends pickle opcodes to a byte buffer.
///
/// The writer knows encodings, not framing: the runtime's `Encoder` decides where
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

    /// An empty writer that writes into `buf`'s allocation (cleared), so a
    /// caller writing many small pickles reuses one buffer.
    pub fn reusing(mut buf: Vec<u8>) -> Self {
        buf.clear();
        OpWriter { buf, memo_len: 0 }
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
    #[doc(hidden)]
    pub fn buf_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Number of memo entries defined so far.
    pub fn memo_len(&self) -> u32 {
        self.memo_len
    }

    /// Records memo entries defined by bytes copied in verbatim (a class
    /// descriptor's `MEMOIZE`s).
    #[doc(hidden)]
    pub fn add_memo_len(&mut self, n: u32) {
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

    /// Copies a descriptor that reads its own memo entries
    /// ([`crate::pyexpr::Expr::Own`]): each 4-byte index at an offset of
    /// `relocations` is relative to the descriptor's first entry, which is
    /// memo index `first` in this stream.
    pub fn raw_relocated(&mut self, bytes: &[u8], relocations: &[u32], first: u32) {
        let start = self.buf.len();
        self.buf.extend_from_slice(bytes);
        for &at in relocations {
            let at = start + at as usize;
            let field: &mut [u8; 4] = (&mut self.buf[at..at + 4]).try_into().expect("a 4-byte memo index");
            *field = (u32::from_le_bytes(*field) + first).to_le_bytes();
        }
    }

    /// One opcode without argument.
    #[inline]
    pub fn op(&mut self, op: u8) {
        self.buf.push(op);
    }

    /// A few bytes known at compile time to be few: one capacity check and
    /// one length update for an opcode and its argument.
    #[inline(always)]
    pub fn put<const N: usize>(&mut self, bytes: [u8; N]) {
        self.buf.extend_from_slice(&bytes);
    }

    /// `op`, a one-byte length and `data` (shorter than 256 bytes). Data of
    /// at most [`SHORT_INLINE`] bytes (names, tags, short values: most
    /// strings of a typical record) is copied with two overlapping
    /// fixed-size moves instead of a `memcpy` call, which dominated the
    /// profile of short strings.
    #[inline(always)]
    fn short(&mut self, op: u8, data: &[u8]) {
        let n = data.len();
        debug_assert!(n < 256);
        if n > SHORT_INLINE {
            self.put([op, n as u8]);
            self.buf.extend_from_slice(data);
            return;
        }
        self.buf.reserve(SHORT_INLINE + 2);
        let len = self.buf.len();
        let spare = self.buf.spare_capacity_mut();
        spare[0].write(op);
        spare[1].write(n as u8);
        let dst = &mut spare[2..2 + SHORT_INLINE];
        // Two overlapping fixed-size copies cover any length in the range.
        if n >= 8 {
            copy8(&mut dst[..8], &data[..8]);
            copy8(&mut dst[n - 8..n], &data[n - 8..]);
        } else if n >= 4 {
            copy4(&mut dst[..4], &data[..4]);
            copy4(&mut dst[n - 4..n], &data[n - 4..]);
        } else if n > 0 {
            dst[0].write(data[0]);
            dst[n - 1].write(data[n - 1]);
            dst[n / 2].write(data[n / 2]);
        }
        // SAFETY: the `n + 2` bytes after `len` were initialized just above.
        unsafe { self.buf.set_len(len + n + 2) };
    }

    /// `PROTO 4`.
    pub fn proto(&mut self) {
        self.buf.extend_from_slice(&[PROTO, PROTOCOL]);
    }

    /// `FRAME` announcing `len` bytes (the stream state patches the length
    /// of a frame it opens with 0 once the frame is complete).
    pub fn frame(&mut self, len: u64) {
        let [a, b, c, d, e, f, g, h] = len.to_le_bytes();
        self.put([FRAME, a, b, c, d, e, f, g, h]);
    }

    /// `MEMOIZE`, returning the memo index it defines.
    #[inline]
    pub fn memoize(&mut self) -> u32 {
        self.buf.push(MEMOIZE);
        self.memo_len += 1;
        self.memo_len - 1
    }

    /// `BINPUT`/`LONG_BINPUT` of the top of the stack at memo index `idx`
    /// (replacing what is there: the memo's length is unchanged when `idx`
    /// is below it).
    #[inline]
    pub fn put_memo(&mut self, idx: u32) {
        self.memo_op(BINPUT, LONG_BINPUT, idx);
    }

    /// `BINGET`/`LONG_BINGET` of memo index `idx`.
    #[inline]
    pub fn get(&mut self, idx: u32) {
        self.memo_op(BINGET, LONG_BINGET, idx);
    }

    /// A memo opcode with its index: the one-byte form below 256, else the
    /// four-byte one.
    #[inline(always)]
    fn memo_op(&mut self, short: u8, long: u8, idx: u32) {
        if idx < 256 {
            self.put([short, idx as u8]);
        } else {
            let [a, b, c, d] = idx.to_le_bytes();
            self.put([long, a, b, c, d]);
        }
    }

    /// `SHORT_BINUNICODE`, `BINUNICODE` or `BINUNICODE8`, whichever is shortest.
    #[inline(always)]
    pub fn str(&mut self, s: &str) {
        if s.len() < 256 {
            self.short(SHORT_BINUNICODE, s.as_bytes());
        } else {
            self.long_str(s);
        }
    }

    #[inline(never)]
    fn long_str(&mut self, s: &str) {
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
        if b.len() < 256 {
            self.short(SHORT_BINBYTES, b);
        } else {
            self.bytes_header(b.len());
            self.buf.extend_from_slice(b);
        }
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

    /// `module.name` through the text opcode `GLOBAL` (`c module\nname\n`):
    /// two bytes shorter than [`OpWriter::global`] for names used once.
    /// Both must be ASCII without a newline.
    pub fn global_line(&mut self, module: &str, name: &str) {
        assert!(
            [module, name].iter().all(|s| s.is_ascii() && !s.contains('\n')),
            "GLOBAL arguments are ASCII lines: {module:?} {name:?}"
        );
        self.op(GLOBAL);
        for part in [module, name] {
            self.buf.extend_from_slice(part.as_bytes());
            self.buf.push(b'\n');
        }
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
        let [a, b, c, d, e, f, g, h] = v.to_be_bytes();
        self.put([BINFLOAT, a, b, c, d, e, f, g, h]);
    }

    /// The shortest integer encoding of `v`, as CPython's pickler chooses it.
    #[inline]
    pub fn int(&mut self, v: i64) {
        if (0..=0xff).contains(&v) {
            self.put([BININT1, v as u8]);
        } else if (0..=0xffff).contains(&v) {
            let [a, b] = (v as u16).to_le_bytes();
            self.put([BININT2, a, b]);
        } else if let Ok(v) = i32::try_from(v) {
            let [a, b, c, d] = v.to_le_bytes();
            self.put([BININT, a, b, c, d]);
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

#[inline(always)]
fn copy8(dst: &mut [std::mem::MaybeUninit<u8>], src: &[u8]) {
    let src: [u8; 8] = src.try_into().expect("8 bytes");
    for (d, s) in dst[..8].iter_mut().zip(src) {
        d.write(s);
    }
}

#[inline(always)]
fn copy4(dst: &mut [std::mem::MaybeUninit<u8>], src: &[u8]) {
    let src: [u8; 4] = src.try_into().expect("4 bytes");
    for (d, s) in dst[..4].iter_mut().zip(src) {
        d.write(s);
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
    fn short_strings_and_bytes_of_every_length_are_copied_exactly() {
        let text: String = ('a'..='z').chain('A'..='Z').collect();
        for n in 0..=text.len() {
            let s = &text[..n];
            let mut w = OpWriter::new();
            w.op(NONE);
            w.str(s);
            w.bytes(s.as_bytes());
            w.op(NONE);
            let mut want = vec![NONE, SHORT_BINUNICODE, n as u8];
            want.extend_from_slice(s.as_bytes());
            want.extend_from_slice(&[SHORT_BINBYTES, n as u8]);
            want.extend_from_slice(s.as_bytes());
            want.push(NONE);
            assert_eq!(w.as_bytes(), want, "length {n}");
        }
    }

    #[test]
    fn floats_are_big_endian_doubles() {
        let mut w = OpWriter::new();
        w.float(-0.5);
        assert_eq!(w.as_bytes(), [BINFLOAT, 0xbf, 0xe0, 0, 0, 0, 0, 0, 0]);
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
