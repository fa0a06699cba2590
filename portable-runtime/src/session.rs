//! Many pickles on one writer ([`Pickler`]): the first carries the header
//! and the class descriptors; later ones name the classes the reading
//! process already has by a short alias, so a small value costs tens of
//! bytes, not a kilobyte.

use std::io::{self, Write};

use crate::encoder::{Encoder, LaterEncoder, WriteOptions};
use crate::PortablePickle;

/// Writes values one after another as complete pickles, which a Python
/// reader loads in order with `pickle.load(f)` until `EOFError`.
///
/// The first pickle carries the header and the descriptors of the classes
/// it uses, and registers each class under a short alias in the namespace
/// (also known as `io._pp3` in `sys.modules`); a later pickle names those
/// classes as `GLOBAL io._pp3 <alias>` and carries no header: a one-`Point`
/// pickle is 46 bytes. A later value that uses a class no earlier pickle
/// carried is written with the header again (and its new descriptors), and
/// so is the session's first pickle with arrays (it registers the array
/// tools; later arrays refer to them by name).
/// Loading a later pickle in a process that never loaded the first fails
/// with `ModuleNotFoundError: No module named 'io._pp3'`, never with a wrong
/// value. For readers that may start mid-stream, [`Pickler::self_contained`]
/// makes every pickle a complete stream.
///
/// A later pickle is assembled in memory before it is written (it may have
/// to be written again with the header); a pickle with the header streams
/// frame by frame, as `to_writer` does.
///
/// Each `dump` flushes the writer (so a pipe's reader sees each value at
/// once) unless [`Pickler::flush_each`] says otherwise. A `dump` that
/// fails after part of its pickle reached the writer leaves a torn pickle
/// there: the `Pickler` is then poisoned, and every later `dump` fails
/// rather than append a pickle a reader could never reach.
pub struct Pickler<W: Write> {
    out: W,
    header: &'static [u8],
    options: WriteOptions,
    /// Keys of the classes earlier pickles carried: the reading process has them.
    known: Vec<u64>,
    /// Whether a pickle with the header was written.
    started: bool,
    self_contained: bool,
    /// The strict profile's header, when every pickle is a strict stream.
    strict: Option<&'static [u8]>,
    /// The encoder later pickles are written with, kept between them with
    /// its allocations.
    later: Option<LaterEncoder>,
    flush_each: bool,
    /// Bytes handed to the writer, and whether a failed `dump` tore a pickle.
    written: u64,
    poisoned: bool,
}

/// The session's writer as a `dump` sees it: counts what it hands over, and
/// flushes only when the session flushes each pickle.
struct Tracked<'a, W> {
    out: &'a mut W,
    written: &'a mut u64,
    flush: bool,
}

impl<W: Write> Write for Tracked<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        *self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.flush {
            self.out.flush()
        } else {
            Ok(())
        }
    }
}

impl<W: Write> Pickler<W> {
    /// A session on `out` whose pickles with a header start with `header`.
    pub fn with_header(header: &'static [u8], out: W) -> Self {
        Pickler {
            out,
            header,
            options: WriteOptions::default(),
            known: Vec::new(),
            started: false,
            self_contained: false,
            strict: None,
            later: None,
            flush_each: true,
            written: 0,
            poisoned: false,
        }
    }

    /// Whether each `dump` flushes the writer (`true`, the default: a reader
    /// at the other end of a pipe or socket gets each value at once). With
    /// `false` the writer is flushed only when the caller does so (or drops
    /// a `BufWriter`): for files and batches, where a flush per small value
    /// is a system call per value.
    pub fn flush_each(mut self, on: bool) -> Self {
        self.flush_each = on;
        self
    }

    /// Whether a failed `dump` left part of a pickle in the writer: every
    /// later `dump` then fails. What the writer holds up to the torn pickle
    /// is intact (the caller may truncate the file there and start again).
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// Every pickle a complete stream with the header (`true`), for readers
    /// that may start reading anywhere; the default is `false`.
    pub fn self_contained(mut self, on: bool) -> Self {
        self.self_contained = on;
        self
    }

    /// Every pickle a complete strict-profile stream starting with the
    /// strict `header` (`Some`), or the session's default pickles (`None`).
    /// A strict pickle cannot name classes an earlier pickle made (there is
    /// no namespace), so each carries its header and descriptors.
    pub fn strict(mut self, header: Option<&'static [u8]>) -> Self {
        self.strict = header;
        self
    }

    /// The stream options of every pickle (see [`WriteOptions`]).
    pub fn with_options(mut self, options: &WriteOptions) -> Self {
        self.options = options.clone();
        // The next later pickle makes its encoder with these options.
        self.later = None;
        self
    }

    /// Writes `value` as one complete pickle.
    pub fn dump<T: PortablePickle + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        if self.poisoned {
            return Err(io::Error::other(
                "a Pickler whose earlier dump failed after writing part of a pickle: the stream is torn, \
                 nothing more is written",
            ));
        }
        let before = self.written;
        let result = self.dump_unchecked(value);
        if result.is_err() && self.written != before {
            self.poisoned = true;
        }
        result
    }

    fn dump_unchecked<T: PortablePickle + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        let mut out = Tracked {
            out: &mut self.out,
            written: &mut self.written,
            flush: self.flush_each,
        };
        if let Some(header) = self.strict {
            return crate::to_writer_strict(header, &mut out, value);
        }
        if self.self_contained {
            return crate::to_writer_with_options(self.header, &self.options, &mut out, value);
        }
        if self.started {
            let known = std::mem::take(&mut self.known);
            let later = match self.later.as_mut() {
                Some(LaterEncoder(later)) => {
                    later.begin_later(known);
                    later
                }
                None => {
                    let later = Encoder::for_session(None, known).with_options(&self.options);
                    &mut self.later.insert(LaterEncoder(Box::new(later))).0
                }
            };
            let written = value.write_pickle(later);
            let session = later.take_session().expect("a session pickle");
            self.known = session.known;
            written?;
            if !session.needs_header {
                out.write_all(later.end_later()?)?;
                return out.flush();
            }
        }
        // A failed pickle teaches the reader nothing: keep what it knew.
        let known = self.known.clone();
        let mut full = Encoder::for_session(Some(self.header), known)
            .with_options(&self.options)
            .streaming_to(&mut out);
        let written = value.write_pickle(&mut full);
        let session = full.take_session().unwrap_or_default();
        // Only a pickle that was written whole counts: the reader may not have its classes.
        if written.is_ok() {
            full.finish()?;
            self.known = session.known;
            self.started = true;
        }
        written
    }

    /// The writer.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// The writer, mutably (writing to it between pickles is the caller's affair).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Ends the session, returning the writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}
