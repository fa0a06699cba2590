//! Many pickles from one reader: the reading twin of [`crate::Pickler`].

use std::io::{self, Read};
use std::marker::PhantomData;

use super::source::ReaderSource;
use super::vm::SessionTable;
use super::{read_in, Error, ErrorKind, FromPickle, KnownPrefixes, ReadOptions};

/// Reads the pickles of one stream in turn: what a [`crate::Pickler`]
/// wrote (its first pickle, later pickles that name the classes of earlier
/// ones by alias, self-contained pickles, arrays), and any other sequence
/// of pickles, such as Python's `pickle.dump` in a loop.
///
/// A later pickle's `GLOBAL io._pp3 ALIAS` resolves to a class an earlier
/// pickle of this `Unpickler` registered, and to nothing else: the
/// registrations are recognised by their shape in the class descriptors
/// (`register(ALIAS, lookup(KEY))`), never by admitting a global. Each
/// pickle is read as [`crate::read`]'s `from_reader` reads one: nothing is
/// executed, every limit of the [`ReadOptions`] applies per pickle, and no
/// byte past a pickle's `STOP` is read (wrap an unbuffered reader in a
/// `BufReader`).
///
/// At a clean end of input (no byte where the next pickle would start),
/// [`Unpickler::load`] returns [`ErrorKind::EndOfStream`]; an input that
/// ends inside a pickle is [`ErrorKind::Eof`]. Error offsets count from the
/// start of the stream. After any other error the position in the input is
/// unspecified: stop reading.
pub struct Unpickler<R> {
    reader: R,
    prefixes: KnownPrefixes<'static>,
    options: ReadOptions,
    session: SessionTable,
    /// Bytes of the stream consumed so far.
    offset: u64,
}

impl<R: Read> Unpickler<R> {
    /// An `Unpickler` of `reader` whose pickles with a header start with
    /// `prefixes.header`, within `options`' limits.
    pub fn with_header(prefixes: KnownPrefixes<'static>, reader: R, options: &ReadOptions) -> Self {
        Unpickler {
            reader,
            prefixes,
            options: options.clone(),
            session: SessionTable::default(),
            offset: 0,
        }
    }

    /// Reads the next pickle as a `T`.
    pub fn load<T: FromPickle>(&mut self) -> Result<T, Error> {
        let first = loop {
            let mut b = [0u8; 1];
            match self.reader.read(&mut b) {
                Ok(0) => return Err(Error::new(ErrorKind::EndOfStream).at(self.offset, None)),
                Ok(_) => break b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::from(e).at(self.offset, None)),
            }
        };
        let mut counted = Counted {
            r: (&first[..]).chain(&mut self.reader),
            n: 0,
        };
        let read = read_in(
            ReaderSource::new(&mut counted),
            self.prefixes,
            &self.options,
            Some(&mut self.session),
        );
        let start = self.offset;
        self.offset += counted.n;
        read.map_err(|e| e.shifted(start))
    }

    /// The pickles that follow, each read as a `T`, until the end of the
    /// input (which ends the iteration) or the first error (the last item).
    pub fn iter<T: FromPickle>(&mut self) -> Iter<'_, R, T> {
        Iter {
            unpickler: self,
            done: false,
            _t: PhantomData,
        }
    }

    /// Bytes of the stream consumed so far (the offset of the next pickle).
    pub fn position(&self) -> u64 {
        self.offset
    }

    /// The reader.
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// Ends the session, returning the reader.
    pub fn into_inner(self) -> R {
        self.reader
    }
}

/// The pickles of an [`Unpickler`], from [`Unpickler::iter`].
pub struct Iter<'a, R, T> {
    unpickler: &'a mut Unpickler<R>,
    done: bool,
    _t: PhantomData<fn() -> T>,
}

impl<R: Read, T: FromPickle> Iterator for Iter<'_, R, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.unpickler.load() {
            Err(e) if *e.kind() == ErrorKind::EndOfStream => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
            ok => Some(ok),
        }
    }
}

/// A reader that counts the bytes it hands out.
struct Counted<R> {
    r: R,
    n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.r.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}
