//! One pass of the opcode decoder over a unit, building nothing: opcode and
//! frame counts, the protocol, where `STOP` is, the statements a stream
//! discards (its type table), and the globals its opcodes name.
//!
//! `GLOBAL` and `INST` name theirs in the argument; a `STACK_GLOBAL`'s
//! names are the two strings pushed (or fetched from the memo) just
//! before it, as every pickler writes them. A `STACK_GLOBAL` whose operands
//! are anything else is named `?.?`, which no allowlist admits.
//!
//! Memory: the stack is a depth count with where its items start (at most
//! [`MAX_MARKS`] deep, and as many marks; deeper, the type table is no
//! longer sized); the memo keeps 4 bytes per entry (at most [`MAX_MEMO`])
//! and the strings a `STACK_GLOBAL` may name (at most [`MAX_MEMO_TEXT`]
//! bytes in all).

use std::collections::{HashMap, VecDeque};

use super::{GlobalRef, Place};
use crate::opcodes::*;
use crate::read::error::Error;
use crate::read::ops::{effect, ops, Arg, Effect};
use crate::read::vm::python3_name;

/// Stack positions and marks tracked; beyond, the type table is not sized.
pub const MAX_MARKS: usize = 1 << 20;
/// Memo entries tracked; beyond, memo references name nothing.
pub const MAX_MEMO: usize = 1 << 22;
/// Bytes of memoized strings kept.
pub const MAX_MEMO_TEXT: usize = 16 << 20;
/// Longest string kept as a possible global name.
const MAX_NAME: usize = 1024;
/// No string (a memo entry that holds something else).
const NOT_TEXT: u32 = u32::MAX;

/// What one pass found.
#[derive(Default)]
pub(super) struct Scan {
    pub protocol: Option<u8>,
    pub opcodes: u64,
    pub frames: u64,
    /// Offset just past `STOP`, if the opcodes decode that far.
    pub end: Option<u64>,
    /// The decoding error, if they do not.
    pub error: Option<Error>,
    pub globals: Vec<GlobalRef>,
    /// Bytes of the statements discarded with `POP`/`POP_MARK` after `from`.
    pub discarded: u64,
}

/// The two topmost stack items, when they are strings.
#[derive(Default)]
struct Recent {
    top: Option<String>,
    below: Option<String>,
}

impl Recent {
    fn push(&mut self, s: Option<String>) {
        self.below = self.top.take();
        self.top = s;
    }

    fn clear(&mut self) {
        *self = Recent::default();
    }
}

/// The memoized strings (indices into `texts`), dense as picklers write them.
#[derive(Default)]
struct Memo {
    dense: Vec<u32>,
    sparse: HashMap<u64, u32>,
    texts: Vec<String>,
    text_bytes: usize,
}

impl Memo {
    fn len(&self) -> u64 {
        (self.dense.len() + self.sparse.len()) as u64
    }

    fn put(&mut self, idx: u64, s: Option<&String>) {
        let t = match s {
            Some(s) if self.text_bytes + s.len() <= MAX_MEMO_TEXT && self.texts.len() < NOT_TEXT as usize => {
                self.text_bytes += s.len();
                self.texts.push(s.clone());
                (self.texts.len() - 1) as u32
            }
            _ => NOT_TEXT,
        };
        if let Some(slot) = usize::try_from(idx).ok().and_then(|i| self.dense.get_mut(i)) {
            *slot = t;
        } else if idx == self.dense.len() as u64 && self.dense.len() < MAX_MEMO {
            self.dense.push(t);
        } else if self.sparse.len() < MAX_MEMO / 64 {
            self.sparse.insert(idx, t);
        }
    }

    fn get(&self, idx: u64) -> Option<String> {
        let t = match usize::try_from(idx).ok().and_then(|i| self.dense.get(i)) {
            Some(&t) => t,
            None => *self.sparse.get(&idx)?,
        };
        self.texts.get(t as usize).cloned()
    }
}

/// Where each stack item's bytes start, to size what `POP`/`POP_MARK`
/// discard: positions up to [`MAX_MARKS`] deep, marks as `(depth, offset)`.
#[derive(Default)]
struct Shape {
    depth: u64,
    starts: Vec<u64>,
    marks: Vec<(u64, u64)>,
    /// Marks beyond [`MAX_MARKS`]: the pass stops sizing statements.
    lost: bool,
    /// Discarded spans `(start, len)`, outermost last; a span discarded
    /// later around earlier ones replaces them.
    spans: VecDeque<(u64, u64)>,
    discarded: u64,
}

impl Shape {
    fn set_start(&mut self, pos: u64, offset: u64) {
        if let Ok(i) = usize::try_from(pos) {
            if i < self.starts.len() {
                self.starts[i] = offset;
            } else if i == self.starts.len() && i < MAX_MARKS {
                self.starts.push(offset);
            }
        }
    }

    fn start(&self, pos: u64) -> Option<u64> {
        self.starts.get(usize::try_from(pos).ok()?).copied()
    }

    fn discard(&mut self, start: u64, end: u64) {
        while let Some(&(s, len)) = self.spans.back() {
            if s < start {
                break;
            }
            self.spans.pop_back();
            self.discarded -= len;
        }
        if self.spans.len() >= MAX_MARKS {
            self.spans.pop_front();
        }
        self.spans.push_back((start, end - start));
        self.discarded += end - start;
    }

    /// Applies opcode `code` at `offset` (ending at `end`); spans that start
    /// before `from` are not counted.
    fn step(&mut self, code: u8, offset: u64, end: u64, from: u64) {
        if self.lost {
            return;
        }
        match effect(code) {
            Effect::Items(pop, push) => {
                let base = self.depth.saturating_sub(pop);
                // A result replacing its operands starts where they did.
                let first = if pop > 0 { base + 1 } else { base };
                for p in first..base + push {
                    self.set_start(p, offset);
                }
                self.depth = base + push;
            }
            Effect::Mark if self.marks.len() < MAX_MARKS => self.marks.push((self.depth, offset)),
            Effect::Mark => self.lost = true,
            Effect::ToMark(push) => {
                let (depth, at) = self.marks.pop().unwrap_or((0, 0));
                if code == POP_MARK && at >= from {
                    self.discard(at, end);
                }
                if push > 0 {
                    self.set_start(depth, at);
                }
                self.depth = depth + push;
            }
            Effect::Pop if self.marks.last().is_some_and(|&(d, _)| d == self.depth) => {
                let (_, at) = self.marks.pop().expect("a mark");
                if at >= from {
                    self.discard(at, end);
                }
            }
            Effect::Pop => {
                self.depth = self.depth.saturating_sub(1);
                if let Some(at) = self.start(self.depth).filter(|&at| at >= from) {
                    self.discard(at, end);
                }
            }
        }
    }
}

/// Scans the pickle at the start of `bytes` (a unit at `place`); what it
/// discards from offset `from` on counts as the type table.
pub(super) fn scan(bytes: &[u8], place: &Place, from: u64) -> Scan {
    let mut s = Scan::default();
    let mut shape = Shape::default();
    let (mut recent, mut memo) = (Recent::default(), Memo::default());
    let mut it = ops(bytes);
    while let Some(op) = it.next() {
        let op = match op {
            Ok(op) => op,
            Err(e) => {
                s.error = Some(e);
                break;
            }
        };
        s.opcodes += 1;
        shape.step(op.code, op.offset, it.position(), from);
        let name = |m: &str, n: &str, s: &mut Scan| {
            let (m, n) = python3_name(m, n);
            s.globals.push(GlobalRef {
                module: m.to_owned(),
                name: n.to_owned(),
                offset: op.offset,
                opcode: op.code,
                place: place.clone(),
                resolves_to: None,
            });
        };
        match (op.code, &op.arg) {
            (PROTO, &Arg::Index(p)) => s.protocol = u8::try_from(p).ok(),
            (FRAME, _) => s.frames += 1,
            (GLOBAL | INST, Arg::Global(m, n)) => name(m, n, &mut s),
            (STACK_GLOBAL, _) => match (recent.below.take(), recent.top.take()) {
                (Some(m), Some(n)) => name(&m, &n, &mut s),
                _ => name("?", "?", &mut s),
            },
            _ => {}
        }
        // The strings on top of the stack, for a `STACK_GLOBAL` to come.
        match (op.code, op.arg) {
            (_, Arg::Str(t)) if op.code != PERSID => recent.push((t.len() <= MAX_NAME).then_some(t)),
            (GET | BINGET | LONG_BINGET, Arg::Index(i)) => recent.push(memo.get(i)),
            (PUT | BINPUT | LONG_BINPUT, Arg::Index(i)) => memo.put(i, recent.top.as_ref()),
            (MEMOIZE, _) => memo.put(memo.len(), recent.top.as_ref()),
            (PROTO | FRAME, _) => {}
            (code, _) if matches!(effect(code), Effect::Items(0, 1)) => recent.push(None),
            _ => recent.clear(),
        }
        if op.code == STOP {
            s.end = Some(it.position());
        }
    }
    s.discarded = shape.discarded;
    s
}
