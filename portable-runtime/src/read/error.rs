//! The one error type of the read side: what went wrong and where.

use std::borrow::Cow;
use std::fmt;

/// Why reading a pickle failed.
///
/// Errors found while decoding the stream carry the byte offset and opcode
/// where they happened; errors found while converting the decoded value into
/// a Rust type carry the path to the offending value (`.points[2].x`).
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    offset: Option<u64>,
    opcode: Option<u8>,
    path: ValuePath,
}

/// Where in a value an error happened, shared by the read errors and the
/// serde bridge's write errors: segments innermost first, pushed while the
/// error propagates outwards, shown as `.points[2].x` (`<key>` for a map key).
#[derive(Default, Clone)]
pub(crate) struct ValuePath(Vec<PathSegment>);

#[derive(Clone)]
enum PathSegment {
    Field(Cow<'static, str>),
    Index(usize),
    Key,
}

impl ValuePath {
    pub(crate) fn field(&mut self, name: impl Into<Cow<'static, str>>) {
        self.0.push(PathSegment::Field(name.into()));
    }

    pub(crate) fn index(&mut self, index: usize) {
        self.0.push(PathSegment::Index(index));
    }

    pub(crate) fn key(&mut self) {
        self.0.push(PathSegment::Key);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for ValuePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in self.0.iter().rev() {
            match segment {
                PathSegment::Field(name) => write!(f, ".{name}")?,
                PathSegment::Index(i) => write!(f, "[{i}]")?,
                PathSegment::Key => f.write_str("<key>")?,
            }
        }
        Ok(())
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input ended before `STOP`.
    Eof,
    /// An `Unpickler` found no further pickle: the input ended cleanly,
    /// between pickles (the end of a `while let Ok(..)` loop).
    EndOfStream,
    /// A byte that is no pickle opcode.
    UnknownOpcode(u8),
    /// A global outside the reader's fixed table: `module.name`.
    ForbiddenGlobal {
        /// Module of the global.
        module: String,
        /// (Qualified) name of the global.
        name: String,
    },
    /// A pickle feature the reader refuses (persistent IDs, the extension
    /// registry, out-of-band buffers); the text names it.
    Unsupported(String),
    /// The stream is not well-formed pickle data; the text says why.
    Malformed(String),
    /// A configured limit ([`crate::read::ReadOptions`]) was exceeded.
    Limit {
        /// Which limit.
        what: &'static str,
        /// Its configured value.
        limit: usize,
    },
    /// A field the Rust type needs is absent.
    MissingField {
        /// The Rust type (its Python class name).
        ty: String,
        /// The Python field name.
        field: String,
    },
    /// An attribute the Rust type does not know, refused by `deny_unknown_fields`.
    UnknownField {
        /// The Rust type (its Python class name).
        ty: String,
        /// The Python field name.
        field: String,
    },
    /// The Python value has the wrong type.
    TypeMismatch {
        /// What the Rust type accepts.
        expected: String,
        /// The Python type found.
        found: String,
    },
    /// An integer does not fit the Rust integer type.
    IntOutOfRange {
        /// The value, in decimal (abbreviated when huge).
        value: String,
        /// The Rust type.
        ty: &'static str,
    },
    /// Any other value the Rust type refuses; the text says why.
    Invalid(String),
    /// Reading from an `io::Read` failed.
    Io(String),
}

/// The most bytes of a string from the stream an error message quotes.
pub(crate) const QUOTED_MAX: usize = 80;

/// The first [`QUOTED_MAX`] bytes of `s` (at a character boundary), when
/// `s` is longer.
fn long_prefix(s: &str) -> Option<&str> {
    let mut end = QUOTED_MAX;
    if s.len() <= end {
        return None;
    }
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Some(&s[..end])
}

/// `s` as an error message shows a string from the stream: whole when
/// short, else its first [`QUOTED_MAX`] bytes and its length, so a huge
/// hostile string costs the message nothing.
pub(crate) fn clipped(s: &str) -> std::borrow::Cow<'_, str> {
    match long_prefix(s) {
        None => s.into(),
        Some(head) => format!("{head}… ({} bytes)", s.len()).into(),
    }
}

/// [`clipped`], quoted and escaped as `{:?}` does.
pub(crate) fn quoted(s: &str) -> String {
    match long_prefix(s) {
        None => format!("{s:?}"),
        Some(head) => format!("{head:?}… ({} bytes)", s.len()),
    }
}

impl Error {
    /// A [`ErrorKind::ForbiddenGlobal`]: the names clipped (see [`clipped`]).
    pub(crate) fn forbidden_global(module: &str, name: &str) -> Self {
        Error::new(ErrorKind::ForbiddenGlobal {
            module: clipped(module).into_owned(),
            name: clipped(name).into_owned(),
        })
    }

    /// An error of `kind` with no location yet.
    pub fn new(kind: ErrorKind) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                offset: None,
                opcode: None,
                path: ValuePath::default(),
            }),
        }
    }

    /// A [`ErrorKind::TypeMismatch`].
    pub fn mismatch(expected: impl Into<String>, found: impl Into<String>) -> Self {
        Error::new(ErrorKind::TypeMismatch {
            expected: expected.into(),
            found: found.into(),
        })
    }

    /// An [`ErrorKind::Invalid`].
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::new(ErrorKind::Invalid(msg.into()))
    }

    /// A [`ErrorKind::MissingField`].
    pub fn missing_field(ty: &str, field: &str) -> Self {
        Error::new(ErrorKind::MissingField {
            ty: ty.to_owned(),
            field: field.to_owned(),
        })
    }

    /// A [`ErrorKind::UnknownField`].
    pub fn unknown_field(ty: &str, field: &str) -> Self {
        Error::new(ErrorKind::UnknownField {
            ty: ty.to_owned(),
            field: field.to_owned(),
        })
    }

    pub(crate) fn at(mut self, offset: u64, opcode: Option<u8>) -> Self {
        if self.inner.offset.is_none() {
            self.inner.offset = Some(offset);
            self.inner.opcode = opcode;
        }
        self
    }

    /// The error with its byte offset counted `by` bytes later (a pickle's
    /// offset within a stream of many).
    pub(crate) fn shifted(mut self, by: u64) -> Self {
        if let Some(o) = &mut self.inner.offset {
            *o += by;
        }
        self
    }

    /// Adds a field name to the error's path (called while the error propagates out).
    pub fn in_field(mut self, name: &str) -> Self {
        self.inner.path.field(name.to_owned());
        self
    }

    /// Adds a sequence index to the error's path.
    pub fn in_index(mut self, index: usize) -> Self {
        self.inner.path.index(index);
        self
    }

    /// Marks the error as found in a mapping key.
    pub fn in_key(mut self) -> Self {
        self.inner.path.key();
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// Byte offset in the stream of the opcode that failed, for decoding errors.
    pub fn offset(&self) -> Option<u64> {
        self.inner.offset
    }

    /// The opcode that failed, for decoding errors.
    pub fn opcode(&self) -> Option<u8> {
        self.inner.opcode
    }

    /// Path of the offending value inside the decoded object, for conversion
    /// errors (`.points[2].x`; empty for the top-level value).
    pub fn path(&self) -> String {
        self.inner.path.to_string()
    }
}

/// CPython's `pickletools` name of an opcode byte (from the format's opcode
/// table, [`crate::opcodes::name`]), or `"unknown opcode"`.
pub fn opcode_name(op: u8) -> &'static str {
    crate::opcodes::name(op).unwrap_or("unknown opcode")
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Eof => f.write_str("unexpected end of input"),
            ErrorKind::EndOfStream => f.write_str("end of stream: no further pickle"),
            ErrorKind::UnknownOpcode(op) => write!(f, "unknown opcode 0x{op:02x}"),
            ErrorKind::ForbiddenGlobal { module, name } => write!(
                f,
                "forbidden global `{module}.{name}`: not a class of the target type nor in the reader's table"
            ),
            ErrorKind::Unsupported(what) => write!(f, "unsupported: {what}"),
            ErrorKind::Malformed(what) => write!(f, "malformed pickle: {what}"),
            ErrorKind::Limit { what, limit } => write!(f, "limit exceeded: {what} (limit {limit})"),
            // `ty` is empty where a serde `Deserialize` impl reported the
            // field outside any struct the reader knows.
            ErrorKind::MissingField { ty, field } if ty.is_empty() => write!(f, "missing field `{field}`"),
            ErrorKind::MissingField { ty, field } => write!(f, "missing field `{field}` of `{ty}`"),
            ErrorKind::UnknownField { ty, field } if ty.is_empty() => write!(f, "unknown field `{field}`"),
            ErrorKind::UnknownField { ty, field } => write!(f, "unknown field `{field}` of `{ty}`"),
            ErrorKind::TypeMismatch { expected, found } => write!(f, "expected {expected}, found {found}"),
            ErrorKind::IntOutOfRange { value, ty } => write!(f, "integer {value} out of range for {ty}"),
            ErrorKind::Invalid(what) => f.write_str(what),
            ErrorKind::Io(what) => write!(f, "I/O error: {what}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.inner.kind)?;
        if let Some(offset) = self.inner.offset {
            write!(f, " at byte {offset}")?;
            if let Some(op) = self.inner.opcode {
                write!(f, " ({})", opcode_name(op))?;
            }
        }
        if !self.inner.path.is_empty() {
            write!(f, " at {}", self.path())?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({self})")
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Error::new(ErrorKind::Eof)
        } else {
            Error::new(ErrorKind::Io(e.to_string()))
        }
    }
}
