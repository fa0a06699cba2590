//! Where the bytes come from: a slice (zero-copy) or an `io::Read` (read
//! exactly as far as the pickle goes, never past its `STOP`).

use std::io::Read;

use super::error::{Error, ErrorKind};
use super::vm::Budget;

/// The first step of a payload or frame read from an `io::Read`: what it
/// holds grows by doubling steps from here, so a length prefix beyond the
/// input allocates only about what is there.
const FIRST_STEP: usize = 64 * 1024;

/// Bytes of one pickle, read in order.
pub(crate) trait Source {
    /// Bytes consumed so far.
    fn pos(&self) -> u64;
    /// One byte.
    fn byte(&mut self) -> Result<u8, Error>;
    /// Exactly `n` bytes, for small fixed-size arguments.
    fn take(&mut self, n: u64) -> Result<&[u8], Error>;
    /// Exactly `n` bytes of payload, in a vector of exactly that capacity,
    /// charged to `budget`: a slice refuses lengths beyond the remaining
    /// input before touching memory, a reader reads incrementally (its
    /// growth charged).
    fn take_vec(&mut self, n: u64, budget: &mut Budget) -> Result<Vec<u8>, Error>;
    /// Bytes remaining, when known (slices).
    fn remaining(&self) -> Option<u64>;
    /// A line without its `\n`, at most `max` bytes long.
    fn line(&mut self, max: usize) -> Result<&[u8], Error>;
    /// Consumes `prefix` if the input starts with it.
    fn skip_prefix(&mut self, prefix: &[u8]) -> Result<bool, Error>;
    /// A `FRAME` of `n` bytes starts: fails unless that many bytes follow
    /// (a reader loads the frame, as CPython's unpickler does, charging its
    /// buffer to `budget`).
    fn frame(&mut self, n: u64, budget: &mut Budget) -> Result<(), Error>;
}

fn short_frame(n: u64) -> Error {
    Error::new(ErrorKind::Malformed(format!(
        "FRAME of {n} bytes exceeds the remaining input"
    )))
}

fn eof() -> Error {
    Error::new(ErrorKind::Eof)
}

fn line_too_long(max: usize) -> Error {
    Error::new(ErrorKind::Limit {
        what: "text line length (protocol 0 argument)",
        limit: max,
    })
}

/// A byte slice.
pub(crate) struct SliceSource<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> SliceSource<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        SliceSource { data, pos: 0 }
    }
}

impl Source for SliceSource<'_> {
    fn pos(&self) -> u64 {
        self.pos as u64
    }

    #[inline]
    fn byte(&mut self) -> Result<u8, Error> {
        let b = *self.data.get(self.pos).ok_or_else(eof)?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: u64) -> Result<&[u8], Error> {
        let rest = self.data.len() - self.pos;
        let n = usize::try_from(n).ok().filter(|&n| n <= rest).ok_or_else(eof)?;
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn take_vec(&mut self, n: u64, budget: &mut Budget) -> Result<Vec<u8>, Error> {
        let rest = self.data.len() - self.pos;
        let n = usize::try_from(n).ok().filter(|&n| n <= rest).ok_or_else(eof)?;
        budget.charge_vec::<u8>(n)?;
        let v = self.data[self.pos..self.pos + n].to_vec();
        self.pos += n;
        Ok(v)
    }

    fn remaining(&self) -> Option<u64> {
        Some((self.data.len() - self.pos) as u64)
    }

    fn line(&mut self, max: usize) -> Result<&[u8], Error> {
        let rest = &self.data[self.pos..];
        let window = &rest[..rest.len().min(max.saturating_add(1))];
        match window.iter().position(|&b| b == b'\n') {
            Some(i) => {
                self.pos += i + 1;
                Ok(&rest[..i])
            }
            None if window.len() > max => Err(line_too_long(max)),
            None => Err(eof()),
        }
    }

    fn skip_prefix(&mut self, prefix: &[u8]) -> Result<bool, Error> {
        if !prefix.is_empty() && self.data[self.pos..].starts_with(prefix) {
            self.pos += prefix.len();
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn frame(&mut self, n: u64, _budget: &mut Budget) -> Result<(), Error> {
        match self.remaining() {
            Some(rest) if n > rest => Err(short_frame(n)),
            _ => Ok(()),
        }
    }
}

/// An `io::Read`, read without buffering beyond the pickle (wrap slow
/// readers in a `BufReader`).
pub(crate) struct ReaderSource<R> {
    r: R,
    pos: u64,
    scratch: Vec<u8>,
    /// Bytes read ahead that belong to the pickle: a header prefix that
    /// turned out not to be the header, or the rest of a `FRAME`.
    pushback: Vec<u8>,
    pushback_pos: usize,
}

impl<R: Read> ReaderSource<R> {
    pub(crate) fn new(r: R) -> Self {
        ReaderSource {
            r,
            pos: 0,
            scratch: Vec::new(),
            pushback: Vec::new(),
            pushback_pos: 0,
        }
    }

    /// Fills `out` from the pushback, then from the reader; `false` if the
    /// input ends first.
    fn fill(&mut self, out: &mut [u8]) -> Result<bool, Error> {
        let buffered = (self.pushback.len() - self.pushback_pos).min(out.len());
        out[..buffered].copy_from_slice(&self.pushback[self.pushback_pos..self.pushback_pos + buffered]);
        self.pushback_pos += buffered;
        match self.r.read_exact(&mut out[buffered..]) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    fn raw_byte(&mut self) -> Result<u8, Error> {
        if self.pushback_pos < self.pushback.len() {
            let b = self.pushback[self.pushback_pos];
            self.pushback_pos += 1;
            return Ok(b);
        }
        let mut b = [0u8];
        loop {
            match self.r.read(&mut b) {
                Ok(0) => return Err(eof()),
                Ok(_) => return Ok(b[0]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
}

impl<R: Read> Source for ReaderSource<R> {
    fn pos(&self) -> u64 {
        self.pos
    }

    fn byte(&mut self) -> Result<u8, Error> {
        let b = self.raw_byte()?;
        self.pos += 1;
        Ok(b)
    }

    fn take_vec(&mut self, n: u64, budget: &mut Budget) -> Result<Vec<u8>, Error> {
        let mut v = Vec::new();
        let mut left = n;
        while left > 0 {
            // Steps that double what is read: the vector's reallocations
            // are charged (old and new block together) and its capacity
            // ends at exactly `n`.
            let step = usize::try_from(left).unwrap_or(usize::MAX).min(v.len().max(FIRST_STEP));
            budget.reserve_exact(&mut v, step)?;
            let len = v.len();
            v.resize(len + step, 0);
            if !self.fill(&mut v[len..])? {
                return Err(eof());
            }
            left -= step as u64;
        }
        self.pos += n;
        Ok(v)
    }

    fn take(&mut self, n: u64) -> Result<&[u8], Error> {
        self.scratch.clear();
        let want = n;
        let mut n = n;
        while n > 0 && self.pushback_pos < self.pushback.len() {
            self.scratch.push(self.pushback[self.pushback_pos]);
            self.pushback_pos += 1;
            n -= 1;
        }
        // `take` + `read_to_end` grows the buffer as data arrives: a length
        // prefix larger than the input allocates only what is really there.
        (&mut self.r).take(n).read_to_end(&mut self.scratch)?;
        if (self.scratch.len() as u64) < want {
            return Err(eof());
        }
        self.pos += self.scratch.len() as u64;
        Ok(&self.scratch)
    }

    fn remaining(&self) -> Option<u64> {
        None
    }

    fn line(&mut self, max: usize) -> Result<&[u8], Error> {
        let mut line = std::mem::take(&mut self.scratch);
        line.clear();
        loop {
            let b = self.byte()?;
            if b == b'\n' {
                break;
            }
            if line.len() >= max {
                return Err(line_too_long(max));
            }
            line.push(b);
        }
        self.scratch = line;
        Ok(&self.scratch)
    }

    fn skip_prefix(&mut self, prefix: &[u8]) -> Result<bool, Error> {
        // Compare byte by byte, so a stream that is not the header is never
        // read past its first differing byte (which is part of the pickle).
        let mut read = Vec::new();
        for &expected in prefix {
            match self.raw_byte() {
                Ok(b) => {
                    read.push(b);
                    if b != expected {
                        break;
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::Eof) => break,
                Err(e) => return Err(e),
            }
        }
        if !prefix.is_empty() && read == prefix {
            self.pos += prefix.len() as u64;
            Ok(true)
        } else {
            // What was read goes back in front of what the pushback still
            // holds (the rest of a loaded frame): none of it is lost.
            read.extend_from_slice(&self.pushback[self.pushback_pos..]);
            self.pushback = read;
            self.pushback_pos = 0;
            Ok(false)
        }
    }

    fn frame(&mut self, n: u64, budget: &mut Budget) -> Result<(), Error> {
        let buffered = (self.pushback.len() - self.pushback_pos) as u64;
        let Some(mut more) = n.checked_sub(buffered) else {
            return Ok(());
        };
        self.pushback.drain(..self.pushback_pos);
        self.pushback_pos = 0;
        while more > 0 {
            // Doubling steps, as for `take_vec`; the buffer is kept for
            // the next frame (its growth charged, never released).
            let step = usize::try_from(more)
                .unwrap_or(usize::MAX)
                .min(self.pushback.len().max(FIRST_STEP));
            budget.reserve(&mut self.pushback, step)?;
            let have = self.pushback.len();
            self.pushback.resize(have + step, 0);
            match self.r.read_exact(&mut self.pushback[have..]) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(short_frame(n)),
                Err(e) => return Err(e.into()),
            }
            more -= step as u64;
        }
        Ok(())
    }
}
