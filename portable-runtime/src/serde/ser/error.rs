//! [`Error`]: what went wrong while writing, and where.

use std::borrow::Cow;
use std::fmt::{self, Display};
use std::io;

use serde::ser;

use crate::read::error::ValuePath;

/// Why writing a `Serialize` value failed, and where: the message and the
/// path to the offending value (`.items[2].name`; `<key>` for a map key).
pub struct Error {
    inner: Box<ErrorInner>,
}

struct ErrorInner {
    message: String,
    path: ValuePath,
    io: Option<io::Error>,
}

impl Error {
    pub(super) fn new(message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(ErrorInner {
                message: message.into(),
                path: ValuePath::default(),
                io: None,
            }),
        }
    }

    pub(super) fn in_field(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.inner.path.field(name);
        self
    }

    pub(super) fn in_index(mut self, index: usize) -> Self {
        self.inner.path.index(index);
        self
    }

    pub(super) fn in_key(mut self) -> Self {
        self.inner.path.key();
        self
    }

    /// What went wrong, without the path.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Path of the offending value inside the written value: `.name` for a
    /// struct field (serde's name) or the value under a `str` or `int` map
    /// key, `._0` for a tuple struct or variant field, `[2]` for a sequence
    /// or tuple item, `<key>` inside a map key; empty for the top-level value.
    pub fn path(&self) -> String {
        self.inner.path.to_string()
    }

    /// The kind of the I/O error that stopped the write, if it was one.
    pub fn io_error_kind(&self) -> Option<io::ErrorKind> {
        self.inner.io.as_ref().map(io::Error::kind)
    }
}

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
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

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.io.as_ref().map(|e| e as _)
    }
}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error::new(msg.to_string())
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        let mut err = Error::new(format!("I/O error: {e}"));
        err.inner.io = Some(e);
        err
    }
}

/// The message and path, as an `io::Error` (of the original kind for an
/// I/O error), for `PortablePickle` impls.
impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        let kind = e.io_error_kind().unwrap_or(io::ErrorKind::Other);
        io::Error::new(kind, e.to_string())
    }
}
