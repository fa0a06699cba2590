//! Open structs: where their fields go, their frame cuts, and how a finished
//! struct reaches its parent or the stream.
//!
//! # Buffered and direct structs
//!
//! A struct is written as `cls(*fields)`, and its class depends on its
//! field set, known only at its end. The general way is a **buffered**
//! struct: its fields go to its own buffer, and at its end the class is
//! resolved (its descriptor written to the stream if new) and `BINGET cls`,
//! the buffered fields and `REDUCE` are copied to its parent's output (the
//! parent's buffer, or the stream).
//!
//! Mostly a struct has the fields it had last time, so when this serializer
//! has met the struct before (with a class), the struct is written
//! **direct**: `BINGET cls` of the class it had last time is written to the
//! parent's output at once, then each field straight after it, as long as
//! each field name is the predicted one, in order. At the end (all the
//! predicted fields written) `REDUCE` closes it: nothing was copied. When a
//! field name is not the predicted one, or there are more or fewer fields,
//! the struct is **turned into a buffered one** ([`Ser::buffer`]): the bytes
//! of its fields so far move from the output to its buffer, its `BINGET cls`
//! is taken back, and it goes on as if it had been buffered from the start.
//!
//! Bytes are only taken back from the end of an output that nothing has
//! flushed since they were written: inside a struct nothing is flushed (the
//! stream's frames are closed only between top-level items, and at the cuts
//! of a buffered struct when it is copied to the stream), and nothing but
//! the struct's own bytes (and those of the structs it contains) follows
//! them. Two things would break that, and turn direct structs into
//! buffered ones first:
//!
//! * a class descriptor, which goes to the stream: it must precede every
//!   struct still open, so the direct structs written to the stream are
//!   buffered before one is written (`Ser::resolve_new`);
//! * a frame cut, which only a buffered struct records (after about 64 KiB
//!   of fields, or carried from a buffered child): a direct struct is
//!   buffered when it would record one.
//!
//! So the bytes, and the frames, are the same as if every struct were
//! buffered (a unit test writes both ways and compares).
//!
//! # State
//!
//! Each open struct has an entry in `Ser::bufs`, by depth; its serde handle
//! (`compound::Struct`) is that depth and the serializer, 16 bytes, so it
//! moves in registers. What every field checks, the innermost struct's
//! predicted fields, field count and frame limit, is kept in the
//! serializer itself (`Ser::pred`, `Ser::count`, `Ser::limit`); its
//! entry holds them only while a struct inside it is open ([`Ser::spill`]).
//! The output written to now is in the serializer too (`Ser::cur`, moved
//! out of its place by [`Ser::set_store`]). The offsets of the fields of
//! every buffered open struct are one stack, `Ser::starts`.

use crate::opcodes::*;
use crate::writer::OpWriter;
use crate::FRAME_TARGET;

use super::classes::{Fields, Query};
use super::{Error, Ser};

/// A struct (or struct variant) being written, and what is kept for the
/// next struct at the same depth.
pub(super) struct Open {
    /// Written straight to its parent's output, its fields predicted to be `pred`.
    direct: bool,
    /// The innermost struct's `pred` and `count` are `Ser::pred` and
    /// `Ser::count`; these are its parents' (see [`Ser::spill`]).
    pred: &'static [&'static str],
    /// A direct struct: fields begun so far; [`BUFFERED`] for a buffered one.
    count: usize,
    /// Offset of its first field's value: in its output for a direct
    /// struct, 0 (in its buffer) for a buffered one.
    base: usize,
    /// The length of its output from which [`Ser::item_done`] records a
    /// frame cut: `base` + the last cut + [`FRAME_TARGET`].
    limit: usize,
    /// Index in `Ser::starts` of its first recorded field offset (from
    /// `base`).
    starts_from: usize,
    /// How many of its first fields have no offset in `Ser::starts`: a
    /// direct struct records none (they are found again by
    /// [`value_starts`] for the rare struct written as a `dict` after all).
    unrecorded: usize,
    /// A direct struct: offset in its output of its `BINGET cls`.
    start: usize,
    /// Where it is written when it ends (the `Ser::store` of its parent): 0
    /// for the stream, else `bufs[owner - 1].w`.
    owner: usize,
    /// serde's names.
    name: &'static str,
    variant: Option<&'static str>,
    /// A buffered struct's fields; empty while the struct is direct.
    pub(super) w: OpWriter,
    /// A buffered struct: serde's names of the fields written so far.
    fields: Vec<&'static str>,
    /// A buffered struct: opcode boundaries in `w` about a frame apart,
    /// where the stream may start a new frame once the bytes reach it.
    cuts: Vec<usize>,
    last_cut: usize,
    /// The structs (or struct variants) that ended last at this depth with
    /// a class, the latest first: what the next one is predicted to be.
    /// Several, so that an enum's struct variants taking turns (or a
    /// struct's fields of different struct types) each find theirs.
    last: Recalled,
}

impl Default for Open {
    fn default() -> Self {
        Open {
            direct: false,
            pred: &[],
            count: 0,
            base: 0,
            limit: FRAME_TARGET,
            starts_from: 0,
            unrecorded: 0,
            start: 0,
            owner: 0,
            name: "",
            variant: None,
            w: OpWriter::new(),
            fields: Vec::new(),
            cuts: Vec::new(),
            last_cut: 0,
            last: Recalled::default(),
        }
    }
}

/// A struct that had a class: its names and that class.
#[derive(Clone, Copy)]
struct Last {
    name: &'static str,
    variant: Option<&'static str>,
    fields: &'static [&'static str],
    slot: u32,
}

impl Last {
    #[inline]
    fn is(&self, name: &'static str, variant: Option<&'static str>) -> bool {
        std::ptr::eq(self.name, name)
            && match (self.variant, variant) {
                (None, None) => true,
                (Some(a), Some(b)) => std::ptr::eq(a, b),
                _ => false,
            }
    }
}

/// The `count` of a buffered struct: its fields are in `Open::fields`, and
/// no predicted field is next.
pub(super) const BUFFERED: usize = usize::MAX;

/// How many structs [`Recalled`] keeps per depth.
const RECALLED: usize = 4;

/// The last few [`Last`]s of one depth, the latest first.
#[derive(Default)]
struct Recalled([Option<Last>; RECALLED]);

impl Recalled {
    /// The struct `name` (of `variant`) if it is here. Not reordered: a
    /// scan of a few addresses costs less than moving entries.
    #[inline(always)]
    fn get(&self, name: &'static str, variant: Option<&'static str>) -> Option<(u32, &'static [&'static str])> {
        for last in &self.0 {
            match last {
                Some(l) if l.is(name, variant) => return Some((l.slot, l.fields)),
                Some(_) => {}
                // The entries are kept at the front.
                None => break,
            }
        }
        None
    }

    /// Records `last` first (replacing its own older entry, or the oldest).
    fn put(&mut self, last: Last) {
        self.forget(last.name, last.variant);
        self.0.rotate_right(1);
        self.0[0] = Some(last);
    }

    /// Drops the entry of `name` (of `variant`), if any: it has no class now.
    fn forget(&mut self, name: &'static str, variant: Option<&'static str>) {
        if let Some(i) = self.0.iter().position(|l| l.is_some_and(|l| l.is(name, variant))) {
            self.0[i..].rotate_left(1);
            self.0[RECALLED - 1] = None;
        }
    }
}

impl Ser<'_, '_> {
    /// Where values go now: the innermost buffered struct's buffer, or the stream.
    #[inline(always)]
    pub(super) fn out(&mut self) -> &mut OpWriter {
        &mut self.cur
    }

    /// Called after each item of a container: lets the stream close a full
    /// frame, or records a place where it may once the buffer is written.
    #[inline(always)]
    pub(super) fn item_done(&mut self) -> Result<(), Error> {
        if self.depth == 0 {
            return self.stream_boundary();
        }
        #[cfg(test)]
        self.check_limit();
        if self.cur.len() >= self.limit {
            self.cut();
        }
        Ok(())
    }

    /// The cached `limit`s are what they stand for.
    #[cfg(test)]
    fn check_limit(&self) {
        let top = &self.bufs[self.depth - 1];
        assert_eq!(self.limit, top.limit);
        for open in &self.bufs[..self.depth] {
            assert_eq!(open.limit, open.base + open.last_cut + FRAME_TARGET);
            assert!(open.direct || open.base == 0);
        }
    }

    /// Records a frame cut at the end of the innermost struct.
    #[cold]
    #[inline(never)]
    fn cut(&mut self) {
        let d = self.depth - 1;
        if self.bufs[d].direct {
            self.buffer(d);
        }
        let top = &mut self.bufs[d];
        // Buffered, it is the innermost output.
        top.last_cut = self.cur.len();
        top.cuts.push(top.last_cut);
        top.limit = top.last_cut + FRAME_TARGET;
        self.limit = top.limit;
        #[cfg(test)]
        self.cut_log.push((d, self.bufs[d].last_cut));
    }

    /// Opens a struct (or struct variant), at the depth it returns: direct
    /// when this serializer met it before with a class (among the last few
    /// at this depth, else anywhere), else buffered.
    #[inline(always)]
    pub(super) fn open_struct(&mut self, name: &'static str, variant: Option<&'static str>) -> usize {
        let d = self.depth;
        match self.bufs.get(d).and_then(|open| open.last.get(name, variant)) {
            Some((slot, pred)) => self.open_direct(name, variant, slot, pred),
            None => self.open_struct_anew(name, variant),
        }
    }

    /// [`Ser::open_struct`] of a struct not met last at its depth.
    #[inline(never)]
    fn open_struct_anew(&mut self, name: &'static str, variant: Option<&'static str>) -> usize {
        let d = self.depth;
        if self.bufs.len() == d {
            self.bufs.push(Open::default());
        }
        if let Some((slot, pred)) = self.predict_anew(d, name, variant) {
            return self.open_direct(name, variant, slot, pred);
        }
        self.spill();
        let (owner, starts_from) = (self.store, self.starts.len());
        self.depth = d + 1;
        self.set_store(d + 1);
        (self.limit, self.pred, self.count) = (FRAME_TARGET, &[], BUFFERED);
        let open = &mut self.bufs[d];
        open.direct = false;
        open.base = 0;
        open.limit = FRAME_TARGET;
        open.starts_from = starts_from;
        open.unrecorded = 0;
        open.start = 0;
        open.owner = owner;
        open.name = name;
        open.variant = variant;
        d
    }

    /// Opens the struct `name` (of `variant`) direct, at the current depth
    /// (whose entry exists), as an instance of the class at memo `slot`
    /// with the fields `pred`: `BINGET cls` (and `MARK`) written at once.
    #[inline(always)]
    fn open_direct(
        &mut self,
        name: &'static str,
        variant: Option<&'static str>,
        slot: u32,
        pred: &'static [&'static str],
    ) -> usize {
        let d = self.depth;
        // One split of the table for the parent's entry and this one: the
        // parent spilled as `Ser::spill` does, written out here because
        // calling it (a second index) costs 6 instructions a record.
        let (parents, rest) = self.bufs.split_at_mut(d);
        if let Some(parent) = parents.last_mut() {
            (parent.pred, parent.count) = (self.pred, self.count);
        }
        let out = &mut self.cur;
        let start = out.len();
        out.get(slot);
        out.tuple_open(pred.len());
        let base = out.len();
        let open = &mut rest[0];
        open.direct = true;
        open.base = base;
        open.limit = base + FRAME_TARGET;
        open.starts_from = self.starts.len();
        open.unrecorded = 0;
        open.start = start;
        open.owner = self.store;
        open.name = name;
        open.variant = variant;
        (self.limit, self.pred, self.count) = (base + FRAME_TARGET, pred, 0);
        self.depth = d + 1;
        d
    }

    /// The class of the struct `name` (of `variant`) when this serializer
    /// met it last, if it had one, kept as `bufs[d].last`.
    #[inline(never)]
    fn predict_anew(
        &mut self,
        d: usize,
        name: &'static str,
        variant: Option<&'static str>,
    ) -> Option<(u32, &'static [&'static str])> {
        if !self.predict {
            return None;
        }
        let (slot, fields) = self.recent.predict(name, variant)?;
        self.bufs[d].last.put(Last {
            name,
            variant,
            fields,
            slot,
        });
        Some((slot, fields))
    }

    /// Before the value of field `key` of the struct at depth `d`, the
    /// innermost. The previous field's [`Ser::item_done`] happens here:
    /// nothing is written between the two, so this is the same place.
    #[inline(always)]
    pub(super) fn begin_field(&mut self, d: usize, key: &'static str) {
        #[cfg(test)]
        self.check_limit();
        if self.cur.len() >= self.limit {
            return self.cut_before_field(d, key);
        }
        match self.pred.get(self.count) {
            Some(&k) if std::ptr::eq(k, key) => self.count += 1,
            _ => self.other_field(d, key),
        }
    }

    /// [`Ser::begin_field`] of a buffered struct, or of a direct one when
    /// `key` is not the field its class was predicted from (which buffers
    /// it).
    #[inline(never)]
    fn other_field(&mut self, d: usize, key: &'static str) {
        if self.bufs[d].direct {
            self.buffer(d);
        }
        self.bufs[d].fields.push(key);
        // A buffered struct's base is 0.
        self.starts.push(self.cur.len());
    }

    /// Keeps the innermost open struct's `pred` and `count` in its entry,
    /// before a struct opens inside it or its entry is read.
    #[inline(always)]
    fn spill(&mut self) {
        if let Some(d) = self.depth.checked_sub(1) {
            let open = &mut self.bufs[d];
            open.pred = self.pred;
            open.count = self.count;
        }
    }

    /// The innermost open struct's `pred` and `count` from its entry, after
    /// a struct inside it ended or its entry changed.
    #[inline(always)]
    fn unspill(&mut self) {
        (self.pred, self.count) = match self.depth.checked_sub(1) {
            Some(d) => (self.bufs[d].pred, self.bufs[d].count),
            None => (&[][..], BUFFERED),
        };
    }

    /// [`Ser::begin_field`] after a frame cut.
    #[cold]
    #[inline(never)]
    fn cut_before_field(&mut self, d: usize, key: &'static str) {
        self.cut();
        self.begin_field(d, key);
    }

    /// Turns the direct struct `bufs[j]` into a buffered one, as if it had
    /// been buffered from the start: its fields' bytes move from its output
    /// (the end of it: see the module doc) to its buffer, and its `BINGET
    /// cls` (and `MARK`) are taken back. The direct structs it contains
    /// were writing to the same output: they now write to its buffer.
    #[cold]
    #[inline(never)]
    pub(super) fn buffer(&mut self, j: usize) {
        self.spill();
        self.buffer_spilled(j);
        self.unspill();
    }

    fn buffer_spilled(&mut self, j: usize) {
        let depth = self.depth;
        let open_above = depth.saturating_sub(j + 1);
        let (below, rest) = self.bufs.split_at_mut(j);
        let Some((open, above)) = rest.split_first_mut() else {
            return;
        };
        if !open.direct {
            return;
        }
        let owner = open.owner;
        let storage = match owner.checked_sub(1).and_then(|i| below.get_mut(i)) {
            _ if owner == self.store => self.cur.buf_mut(),
            Some(b) => b.w.buf_mut(),
            None => self.p.w().buf_mut(),
        };
        let base = open.base.min(storage.len());
        open.w.buf_mut().clear();
        open.w.raw(&storage[base..]);
        storage.truncate(open.start.min(base));
        open.fields.clear();
        open.fields.extend(open.pred.iter().take(open.count));
        open.unrecorded = open.count;
        open.count = BUFFERED;
        open.cuts.clear();
        open.last_cut = 0;
        open.direct = false;
        open.pred = &[];
        open.base = 0;
        open.start = 0;
        open.limit = FRAME_TARGET;
        for o in above.iter_mut().take(open_above) {
            o.owner = j + 1;
            if !o.direct {
                break;
            }
            o.start = o.start.saturating_sub(base);
            o.base = o.base.saturating_sub(base);
            o.limit = o.limit.saturating_sub(base);
        }
        if self.store == owner {
            self.set_store(j + 1);
        }
        if let Some(top) = depth.checked_sub(1).and_then(|d| self.bufs.get(d)) {
            self.limit = top.limit;
        }
    }

    /// Buffers the direct structs written to the stream, if any, so that
    /// what is written to the stream now precedes them.
    pub(super) fn buffer_stream_structs(&mut self) {
        if self.depth > 0 && self.bufs[0].direct {
            self.buffer(0);
        }
    }

    /// Ends the struct at depth `d` (the innermost): `cls(*fields)`, or a `dict`.
    #[inline(always)]
    pub(super) fn finish_struct(&mut self, d: usize) -> Result<(), Error> {
        if self.depth == 0 {
            return Err(self.fail(Error::new("a struct ended twice")));
        }
        // The last field's `item_done` (see `begin_field`).
        #[cfg(test)]
        self.check_limit();
        if self.out().len() >= self.limit {
            self.cut();
        }
        // A buffered struct's count is never its prediction's length.
        if self.count != self.pred.len() {
            return self.finish_buffered(d);
        }
        // The predicted class: its bytes are in place.
        let close = match self.count {
            0 => EMPTY_TUPLE,
            1 => TUPLE1,
            2 => TUPLE2,
            3 => TUPLE3,
            _ => TUPLE,
        };
        self.cur.put([close, REDUCE]);
        // A direct struct recorded no field offsets.
        debug_assert_eq!(self.starts.len(), self.bufs[d].starts_from);
        self.depth = d;
        // `Ser::unspill` and the parent's limit, from one read of its entry.
        if let Some(parent) = d.checked_sub(1) {
            let parent = &self.bufs[parent];
            (self.limit, self.pred, self.count) = (parent.limit, parent.pred, parent.count);
        }
        Ok(())
    }

    /// [`Ser::finish_struct`] of a buffered struct, or a direct one with
    /// fewer fields than predicted.
    #[inline(never)]
    fn finish_buffered(&mut self, d: usize) -> Result<(), Error> {
        if self.bufs[d].direct {
            self.buffer(d);
        }
        let (name, variant) = (self.bufs[d].name, self.bufs[d].variant);
        self.depth = d;
        self.unspill();
        self.set_store(self.bufs[d].owner);
        if let Some(parent) = d.checked_sub(1) {
            self.limit = self.bufs[parent].limit;
        }
        // Its field offsets, off the stack of the open structs'.
        let from = self.bufs[d].starts_from.min(self.starts.len());
        let mut starts = std::mem::take(&mut self.spare_starts);
        starts.clear();
        starts.extend(self.starts.drain(from..));
        let fields = std::mem::take(&mut self.bufs[d].fields);
        let q = Query {
            name,
            variant,
            fields: Fields::Named(&fields),
        };
        let slot = self.resolve(&q);
        // The next struct at this depth is predicted to be this one.
        let last = match slot {
            Some(slot) if self.predict => self.recent.predict(name, variant).map(|(_, fields)| Last {
                name,
                variant,
                fields,
                slot,
            }),
            _ => None,
        };
        match last {
            Some(last) => self.bufs[d].last.put(last),
            None => self.bufs[d].last.forget(name, variant),
        }
        let result = self.write_struct(d, &fields, &starts, slot, name, variant);
        self.spare_starts = starts;
        let child = &mut self.bufs[d];
        child.fields = fields;
        child.fields.clear();
        child.w.buf_mut().clear();
        child.cuts.clear();
        child.last_cut = 0;
        result
    }

    /// Writes the struct buffered in `bufs[d]` (its fields are `fields`, at
    /// offsets `starts`) to the current output, as an instance of the class
    /// at `slot` or a dict.
    fn write_struct(
        &mut self,
        d: usize,
        fields: &[&'static str],
        starts: &[usize],
        slot: Option<u32>,
        name: &'static str,
        variant: Option<&'static str>,
    ) -> Result<(), Error> {
        // Cuts are carried into a buffered parent only.
        if d > 0 && self.bufs[d - 1].direct && !self.bufs[d].cuts.is_empty() {
            self.buffer(d - 1);
        }
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
                // The offsets of the fields it wrote while direct, found again.
                let unrecorded = self.bufs[d].unrecorded;
                let found;
                let starts = match unrecorded {
                    0 => starts,
                    _ => {
                        let mut all =
                            value_starts(&self.bufs[d].w.as_bytes()[..len], unrecorded).map_err(|e| self.fail(e))?;
                        all.extend_from_slice(starts);
                        found = all;
                        &found[..]
                    }
                };
                let start = |i: usize| match i < n {
                    true => starts.get(i).copied().unwrap_or(len).min(len),
                    false => len,
                };
                for (i, field) in fields.iter().enumerate() {
                    let (from, to) = (start(i), start(i + 1));
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
    /// frame cuts) to the current output: a buffer (its parent's, when it
    /// has cuts), or the stream.
    fn append_child(&mut self, d: usize, from: usize, to: usize) -> Result<(), Error> {
        let innermost = self.depth.checked_sub(1);
        let (parents, rest) = self.bufs.split_at_mut(d);
        let child = &rest[0];
        let bytes = child.w.as_bytes();
        let to = to.max(from);
        let cuts = child.cuts.iter().copied().filter(|&c| c > from && c < to);
        // The current output is the parent's buffer, or the stream.
        let out = &mut self.cur;
        match self.store.checked_sub(1).and_then(|s| Some((s, parents.get_mut(s)?))) {
            Some((s, b)) => {
                let shift = out.len();
                out.raw(&bytes[from..to]);
                let mut carried = false;
                for c in cuts {
                    b.last_cut = c - from + shift;
                    b.cuts.push(b.last_cut);
                    carried = true;
                }
                if carried {
                    b.limit = b.last_cut + FRAME_TARGET;
                    if innermost == Some(s) {
                        self.limit = b.limit;
                    }
                }
            }
            // The stream, and no struct is open: each cut may close a frame.
            None if self.depth == 0 => return self.append_to_stream(d, from, to),
            // The stream, inside direct structs: no cut (see write_struct).
            None => out.raw(&bytes[from..to]),
        }
        Ok(())
    }

    /// [`Ser::append_child`] to the stream, no struct open: the stream may
    /// close a frame at each of the child's cuts.
    fn append_to_stream(&mut self, d: usize, from: usize, to: usize) -> Result<(), Error> {
        let mut at = from;
        for i in 0..self.bufs[d].cuts.len() {
            let c = self.bufs[d].cuts[i];
            if c > from && c < to {
                self.cur.raw(&self.bufs[d].w.as_bytes()[at..c]);
                self.stream_boundary()?;
                at = c;
            }
        }
        self.cur.raw(&self.bufs[d].w.as_bytes()[at..to]);
        Ok(())
    }
}

/// The offsets where each of the first `n` values of `bytes` begins: the
/// field offsets a direct struct does not record, found again for the rare
/// one that is written as a `dict` after all. `bytes` are values the
/// serializer wrote, one after the other (the last may be unfinished).
///
/// Value `j` begins right after the last opcode that leaves `j` items on
/// the stack and no mark open: the values before it are finished then, and
/// nothing in value `j` or after it ever leaves fewer than `j + 1`. The
/// stack effects are the opcode decoder's ([`crate::read::ops::effect`]).
fn value_starts(bytes: &[u8], n: usize) -> Result<Vec<usize>, Error> {
    use crate::read::ops::{effect, ops, Effect};
    let bad = |what: &str| Error::new(format!("internal error: {what} in a struct's buffered fields"));
    let mut starts = vec![bytes.len(); n];
    if let Some(first) = starts.first_mut() {
        *first = 0;
    }
    let mut depth = 0u64;
    let mut marks = Vec::new();
    let mut ops = ops(bytes);
    while (ops.position() as usize) < bytes.len() {
        let op = ops
            .next()
            .and_then(Result::ok)
            .ok_or_else(|| bad("an undecodable opcode"))?;
        let underflow = || bad("a stack underflow");
        depth = match effect(op.code) {
            Effect::Mark => {
                marks.push(depth);
                depth
            }
            Effect::ToMark(push) => marks.pop().ok_or_else(underflow)? + push,
            Effect::Items(pop, push) => depth.checked_sub(pop).ok_or_else(underflow)? + push,
            Effect::Pop => depth.checked_sub(1).ok_or_else(underflow)?,
        };
        match usize::try_from(depth) {
            Ok(d) if marks.is_empty() && (1..n).contains(&d) => starts[d] = ops.position() as usize,
            _ => {}
        }
    }
    Ok(starts)
}

#[cfg(test)]
mod value_starts_tests {
    use super::value_starts;
    use crate::opcodes::*;
    use crate::writer::OpWriter;

    /// Values of every form the serializer writes, one after the other:
    /// the offsets found are where each was begun.
    #[test]
    fn finds_where_each_value_begins() {
        let mut w = OpWriter::new();
        let mut starts = Vec::new();
        let mut value = |w: &mut OpWriter, write: &dyn Fn(&mut OpWriter)| {
            starts.push(w.len());
            write(w);
        };
        value(&mut w, &|w| w.int(-3));
        // A 5-tuple opened with MARK: the mark is its first opcode.
        value(&mut w, &|w| {
            w.tuple_open(5);
            (0..5).for_each(|i| w.int(i));
            w.tuple_close(5);
        });
        // An instance: class, fields, REDUCE.
        value(&mut w, &|w| {
            w.get(300);
            w.str("x");
            w.float(1.5);
            w.put([TUPLE2, REDUCE]);
        });
        // A list in a batch and one appended alone, and a dict.
        value(&mut w, &|w| {
            w.put([EMPTY_LIST, MARK, NONE, NEWTRUE, APPENDS, NONE, APPEND])
        });
        value(&mut w, &|w| {
            w.put([EMPTY_DICT, NONE, NONE, SETITEM, MARK, NEWFALSE, NONE, SETITEMS])
        });
        value(&mut w, &|w| w.put([EMPTY_TUPLE, NONE, TUPLE1, TUPLE2]));
        value(&mut w, &|w| w.put([NONE, NONE, NONE, TUPLE3]));
        // The last one unfinished.
        value(&mut w, &|w| w.put([BINGET, 7, MARK, NONE]));
        let bytes = w.as_bytes();
        for n in 1..=starts.len() {
            assert_eq!(value_starts(bytes, n).unwrap(), starts[..n], "{n} values");
        }
        assert!(
            value_starts(&[STOP], 2).is_err(),
            "an opcode the serializer never writes"
        );
        assert!(value_starts(&[TUPLE2], 2).is_err(), "a stack underflow");
    }
}
