//! Buffered structs: the field buffers, their frame cuts, and how a
//! finished struct is written to its parent buffer or the stream.

use crate::opcodes::*;
use crate::writer::OpWriter;
use crate::FRAME_TARGET;

use super::classes::{Fields, Query};
use super::{Error, Ser};

/// The buffered fields of a struct being written.
#[derive(Default)]
pub(super) struct Pending {
    pub(super) w: OpWriter,
    /// Offset in `w` of each field's value.
    pub(super) starts: Vec<usize>,
    /// serde's field names, in order.
    pub(super) fields: Vec<&'static str>,
    /// Opcode boundaries in `w` about a frame apart, where the stream may
    /// start a new frame once the bytes reach it.
    cuts: Vec<usize>,
    last_cut: usize,
}

impl Pending {
    fn reset(&mut self) {
        self.w.buf_mut().clear();
        self.starts.clear();
        self.fields.clear();
        self.cuts.clear();
        self.last_cut = 0;
    }
}

impl Ser<'_, '_> {
    /// The innermost open struct's buffer.
    #[inline]
    pub(super) fn top(&mut self) -> Option<&mut Pending> {
        match self.depth {
            0 => None,
            d => Some(&mut self.bufs[d - 1]),
        }
    }

    /// Where values go now.
    #[inline]
    pub(super) fn out(&mut self) -> &mut OpWriter {
        match self.depth {
            0 => self.p.w(),
            d => &mut self.bufs[d - 1].w,
        }
    }

    /// Called after each item of a container: lets the stream close a full
    /// frame, or records a place where it may once the buffer is written.
    #[inline]
    pub(super) fn item_done(&mut self) -> Result<(), Error> {
        match self.depth {
            0 => self.p.boundary().map_err(|e| {
                self.failed = true;
                e.into()
            }),
            d => {
                let b = &mut self.bufs[d - 1];
                if b.w.len() - b.last_cut >= FRAME_TARGET {
                    b.last_cut = b.w.len();
                    b.cuts.push(b.last_cut);
                }
                Ok(())
            }
        }
    }
    /// Starts a buffered struct.
    #[inline]
    pub(super) fn push_pending(&mut self) {
        if self.bufs.len() == self.depth {
            self.bufs.push(Pending::default());
        }
        self.depth += 1;
    }

    /// Ends the innermost buffered struct: `cls(*fields)`, or a `dict`.
    pub(super) fn finish_struct(&mut self, name: &'static str, variant: Option<&'static str>) -> Result<(), Error> {
        let Some(d) = self.depth.checked_sub(1) else {
            return Err(self.fail(Error::new("a struct ended twice")));
        };
        self.depth = d;
        let fields = std::mem::take(&mut self.bufs[d].fields);
        let q = Query {
            name,
            variant,
            fields: Fields::Named(&fields),
        };
        let slot = self.resolve(&q);
        let result = self.write_struct(d, &fields, slot, name, variant);
        let child = &mut self.bufs[d];
        child.fields = fields;
        child.reset();
        result
    }

    /// Writes the struct buffered in `bufs[d]` (its fields are `fields`) to
    /// the current output, as an instance of the class at `slot` or a dict.
    fn write_struct(
        &mut self,
        d: usize,
        fields: &[&'static str],
        slot: Option<u32>,
        name: &'static str,
        variant: Option<&'static str>,
    ) -> Result<(), Error> {
        let len = self.bufs[d].w.len();
        match slot {
            Some(slot) => {
                let n = fields.len();
                let out = self.out();
                out.get(slot);
                out.tuple_open(n);
                self.append_child(d, 0, len)?;
                let out = self.out();
                out.tuple_close(n);
                out.reduce();
            }
            None => {
                if self.in_key > 0 {
                    let what = match variant {
                        Some(v) => format!("variant `{name}::{v}`, written as a dict,"),
                        None => format!("struct `{name}`, written as a dict,"),
                    };
                    return Err(self.fail(Error::new(format!(
                        "{what} cannot be a dict key: Python cannot hash it"
                    ))));
                }
                if let Some(v) = variant {
                    self.out().op(EMPTY_DICT);
                    self.write_str(v)?;
                }
                self.out().op(EMPTY_DICT);
                let n = fields.len();
                for (i, field) in fields.iter().enumerate() {
                    let from = self.bufs[d].starts[i];
                    let to = self.bufs[d].starts.get(i + 1).copied().unwrap_or(len);
                    let single = i % BATCH == 0 && n - i == 1;
                    if i % BATCH == 0 && !single {
                        self.out().op(MARK);
                    }
                    self.write_str(field)?;
                    self.append_child(d, from, to)?;
                    if single {
                        self.out().op(SETITEM);
                    } else if i % BATCH == BATCH - 1 || i + 1 == n {
                        self.out().op(SETITEMS);
                    }
                    self.item_done()?;
                }
                if variant.is_some() {
                    self.out().op(SETITEM);
                }
            }
        }
        Ok(())
    }

    /// Appends bytes `from..to` of the finished buffer `bufs[d]` (with its
    /// frame cuts) to the current output, `bufs[d - 1]` or the stream.
    fn append_child(&mut self, d: usize, from: usize, to: usize) -> Result<(), Error> {
        let (parents, rest) = self.bufs.split_at_mut(d);
        let child = &rest[0];
        let bytes = child.w.as_bytes();
        let cuts = child.cuts.iter().copied().filter(|&c| c > from && c < to);
        match parents.last_mut() {
            Some(b) => {
                let shift = b.w.len();
                b.w.raw(&bytes[from..to]);
                for c in cuts {
                    b.last_cut = c - from + shift;
                    b.cuts.push(b.last_cut);
                }
            }
            None => {
                let mut at = from;
                for c in cuts {
                    self.p.w().raw(&bytes[at..c]);
                    if let Err(e) = self.p.boundary() {
                        self.failed = true;
                        return Err(e.into());
                    }
                    at = c;
                }
                self.p.w().raw(&bytes[at..to]);
            }
        }
        Ok(())
    }
}
