//! The opcode decoder: the one place where an opcode's argument bytes are
//! read. The reader's machine (`vm/`) takes each opcode's argument from
//! `decode_arg`; [`ops`] is the same decoder as an iterator of
//! `(offset, opcode, argument)`, as CPython's `pickletools.genops` is, which
//! the inspector counts and sizes a stream with.
//!
//! The decoder knows every opcode of protocols 0–5 and nothing of their
//! meaning beyond the argument: whether a global is admitted, a memo index
//! defined or a protocol supported is the machine's to say. Each payload is
//! charged to the budget before it is allocated (a slice refuses a length
//! beyond the remaining input before touching memory).

use super::error::{quoted, Error, ErrorKind};
use super::source::{SliceSource, Source};
use super::vm::text::{raw_unicode_escape, string_escape};
use super::vm::{Budget, MAX_LINE};
use crate::opcodes::*;

/// The argument of one opcode, decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// The opcode takes none.
    None,
    /// `BININT1`, `BININT2`, `BININT`.
    Int(i64),
    /// A count or an index: `PROTO`'s version, `FRAME`'s length, a memo
    /// index (`GET`/`PUT` parsed, `BINGET`…`LONG_BINPUT`), an `EXT` code.
    Index(u64),
    /// `LONG1`, `LONG4`: a little-endian two's-complement int.
    Long(Vec<u8>),
    /// `BINFLOAT`, `FLOAT`.
    Float(f64),
    /// `INT`, `LONG`: the decimal text (`LONG`'s trailing `L` removed).
    Decimal(String),
    /// `SHORT_BINUNICODE`, `BINUNICODE`, `BINUNICODE8`, `UNICODE` (escapes
    /// decoded), `PERSID`.
    Str(String),
    /// `SHORT_BINBYTES`, `BINBYTES`, `BINBYTES8`, `BYTEARRAY8`, and Python 2
    /// strings (`SHORT_BINSTRING`, `BINSTRING`, `STRING` with its quotes and
    /// escapes decoded).
    Bytes(Vec<u8>),
    /// `GLOBAL`, `INST`: the module and name lines.
    Global(String, String),
}

/// One decoded opcode.
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    /// Offset of the opcode byte.
    pub offset: u64,
    /// The opcode byte ([`crate::read::opcode_name`] names it).
    pub code: u8,
    /// Its argument.
    pub arg: Arg,
}

/// How an opcode moves the stack: items popped (or down to the mark), pushed.
/// The inspector sizes a stream's statements with it, and the serde
/// bridge finds where the values it buffered begin.
pub(crate) enum Effect {
    Items(u64, u64),
    ToMark(u64),
    Mark,
    Pop,
}

pub(crate) fn effect(code: u8) -> Effect {
    match code {
        MARK => Effect::Mark,
        POP => Effect::Pop,
        LIST | TUPLE | DICT | FROZENSET | INST | OBJ => Effect::ToMark(1),
        APPENDS | SETITEMS | ADDITEMS | POP_MARK => Effect::ToMark(0),
        PROTO | FRAME | PUT | BINPUT | LONG_BINPUT | MEMOIZE => Effect::Items(0, 0),
        TUPLE1 | BINPERSID | READONLY_BUFFER => Effect::Items(1, 1),
        DUP => Effect::Items(1, 2),
        STOP => Effect::Items(1, 0),
        APPEND | REDUCE | NEWOBJ | BUILD | STACK_GLOBAL | TUPLE2 => Effect::Items(2, 1),
        SETITEM | NEWOBJ_EX | TUPLE3 => Effect::Items(3, 1),
        _ => Effect::Items(0, 1),
    }
}

fn malformed(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Malformed(msg.into()))
}

fn array<const N: usize, S: Source>(src: &mut S) -> Result<[u8; N], Error> {
    src.take(N as u64)?.try_into().map_err(|_| Error::new(ErrorKind::Eof))
}

/// `n` bytes of payload, charged before they are read.
fn payload<S: Source>(src: &mut S, n: u64, budget: &mut Budget) -> Result<Vec<u8>, Error> {
    if src.remaining().is_some_and(|rest| n > rest) {
        return Err(Error::new(ErrorKind::Eof));
    }
    src.take_vec(n, budget)
}

fn utf8<S: Source>(src: &mut S, n: u64, budget: &mut Budget) -> Result<String, Error> {
    String::from_utf8(payload(src, n, budget)?)
        .map_err(|_| malformed("str is not valid UTF-8 (strings with lone surrogates are not supported)"))
}

/// A protocol-0 text line (UTF-8, charged).
fn line<S: Source>(src: &mut S, budget: &mut Budget) -> Result<String, Error> {
    let l = src.line(MAX_LINE)?;
    let s = std::str::from_utf8(l)
        .map_err(|_| malformed("text argument is not valid UTF-8"))?
        .to_owned();
    budget.charge_vec::<u8>(s.len())?;
    Ok(s)
}

fn u32_le<S: Source>(src: &mut S) -> Result<u64, Error> {
    Ok(u64::from(u32::from_le_bytes(array(src)?)))
}

fn u64_le<S: Source>(src: &mut S) -> Result<u64, Error> {
    Ok(u64::from_le_bytes(array(src)?))
}

/// A signed 4-byte length that must not be negative.
fn i32_len<S: Source>(src: &mut S, what: &str) -> Result<u64, Error> {
    let n = i32::from_le_bytes(array(src)?);
    u64::try_from(n).map_err(|_| malformed(format!("{what} with a negative length")))
}

/// A memo index written as a text line (`GET`, `PUT`).
fn text_index<S: Source>(src: &mut S, budget: &mut Budget, what: &str) -> Result<u64, Error> {
    let l = line(src, budget)?;
    l.parse()
        .map_err(|_| malformed(format!("{what} argument {} is not an index", quoted(&l))))
}

/// Reads the argument of `op` (the opcode byte just read) from `src`.
pub(crate) fn decode_arg<S: Source>(src: &mut S, op: u8, budget: &mut Budget) -> Result<Arg, Error> {
    Ok(match op {
        STOP
        | MARK
        | POP
        | POP_MARK
        | DUP
        | NONE
        | NEWTRUE
        | NEWFALSE
        | EMPTY_LIST
        | EMPTY_TUPLE
        | EMPTY_DICT
        | EMPTY_SET
        | LIST
        | TUPLE
        | TUPLE1..=TUPLE3
        | DICT
        | FROZENSET
        | APPEND
        | APPENDS
        | SETITEM
        | SETITEMS
        | ADDITEMS
        | STACK_GLOBAL
        | REDUCE
        | NEWOBJ
        | NEWOBJ_EX
        | OBJ
        | BUILD
        | MEMOIZE
        | BINPERSID
        | NEXT_BUFFER
        | READONLY_BUFFER => Arg::None,
        PROTO | BINGET | BINPUT | EXT1 => Arg::Index(u64::from(src.byte()?)),
        EXT2 => Arg::Index(u64::from(u16::from_le_bytes(array(src)?))),
        LONG_BINGET | LONG_BINPUT | EXT4 => Arg::Index(u32_le(src)?),
        FRAME => Arg::Index(u64_le(src)?),
        GET => Arg::Index(text_index(src, budget, "GET")?),
        PUT => Arg::Index(text_index(src, budget, "PUT")?),
        BININT1 => Arg::Int(i64::from(src.byte()?)),
        BININT2 => Arg::Int(i64::from(u16::from_le_bytes(array(src)?))),
        BININT => Arg::Int(i64::from(i32::from_le_bytes(array(src)?))),
        LONG1 => {
            let n = src.byte()?;
            Arg::Long(payload(src, u64::from(n), budget)?)
        }
        LONG4 => {
            let n = u32::from_le_bytes(array(src)?);
            if n > i32::MAX as u32 {
                return Err(malformed("LONG4 with a negative byte count"));
            }
            Arg::Long(payload(src, u64::from(n), budget)?)
        }
        INT => Arg::Decimal(line(src, budget)?),
        LONG => {
            let mut l = line(src, budget)?;
            if l.ends_with('L') {
                l.pop();
            }
            Arg::Decimal(l)
        }
        BINFLOAT => Arg::Float(f64::from_be_bytes(array(src)?)),
        FLOAT => {
            let l = line(src, budget)?;
            let v = l
                .trim()
                .parse()
                .map_err(|_| malformed(format!("FLOAT argument {} is not a float", quoted(&l))))?;
            Arg::Float(v)
        }
        SHORT_BINUNICODE => {
            let n = src.byte()?;
            Arg::Str(utf8(src, u64::from(n), budget)?)
        }
        BINUNICODE => {
            let n = u32_le(src)?;
            Arg::Str(utf8(src, n, budget)?)
        }
        BINUNICODE8 => {
            let n = u64_le(src)?;
            Arg::Str(utf8(src, n, budget)?)
        }
        UNICODE => {
            let s = raw_unicode_escape(src.line(MAX_LINE)?)?;
            budget.charge_vec::<u8>(s.capacity())?;
            Arg::Str(s)
        }
        PERSID => Arg::Str(line(src, budget)?),
        SHORT_BINSTRING | SHORT_BINBYTES => {
            let n = src.byte()?;
            Arg::Bytes(payload(src, u64::from(n), budget)?)
        }
        BINSTRING => {
            let n = i32_len(src, "BINSTRING")?;
            Arg::Bytes(payload(src, n, budget)?)
        }
        STRING => {
            let b = string_escape(src.line(MAX_LINE)?)?;
            budget.charge_vec::<u8>(b.capacity())?;
            Arg::Bytes(b)
        }
        BINBYTES => {
            let n = u32_le(src)?;
            Arg::Bytes(payload(src, n, budget)?)
        }
        BINBYTES8 | BYTEARRAY8 => {
            let n = u64_le(src)?;
            Arg::Bytes(payload(src, n, budget)?)
        }
        GLOBAL | INST => {
            let module = line(src, budget)?;
            let name = line(src, budget)?;
            Arg::Global(module, name)
        }
        _ => return Err(Error::new(ErrorKind::UnknownOpcode(op))),
    })
}

/// The opcodes of the pickle at the start of `bytes`, in order, up to and
/// including its `STOP` (what follows is not read). A decoding error is the
/// last item, with its offset and opcode.
///
/// ```
/// use portable_runtime::opcodes::{PROTO, SHORT_BINUNICODE, STOP};
/// use portable_runtime::read::ops::{ops, Arg};
///
/// let bytes = b"\x80\x04\x8c\x02hi.";
/// let decoded: Vec<_> = ops(bytes).map(|op| op.map(|op| (op.offset, op.code, op.arg))).collect::<Result<_, _>>()?;
/// assert_eq!(
///     decoded,
///     [(0, PROTO, Arg::Index(4)), (2, SHORT_BINUNICODE, Arg::Str("hi".into())), (6, STOP, Arg::None)]
/// );
/// # Ok::<(), portable_runtime::read::Error>(())
/// ```
pub fn ops(bytes: &[u8]) -> Ops<'_> {
    Ops {
        src: SliceSource::new(bytes),
        // Each argument is the caller's once decoded: the budget only
        // checks, release by release, that no single one is absurd.
        budget: Budget::new(usize::MAX),
        done: false,
    }
}

/// The iterator [`ops`] returns.
pub struct Ops<'a> {
    src: SliceSource<'a>,
    budget: Budget,
    done: bool,
}

impl Ops<'_> {
    /// Offset of the next opcode (after the last, one past its `STOP`).
    pub fn position(&self) -> u64 {
        self.src.pos()
    }
}

impl Iterator for Ops<'_> {
    type Item = Result<Op, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let offset = self.src.pos();
        let decoded = self.src.byte().and_then(|code| {
            let arg = decode_arg(&mut self.src, code, &mut self.budget).map_err(|e| e.at(offset, Some(code)))?;
            Ok(Op { offset, code, arg })
        });
        self.budget = Budget::new(usize::MAX);
        self.done = !matches!(&decoded, Ok(op) if op.code != STOP);
        Some(decoded.map_err(|e| e.at(offset, None)))
    }
}
