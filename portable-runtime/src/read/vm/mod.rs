//! The pickle virtual machine, without the ability to call anything.
//!
//! Objects live in an arena of [`Node`]s addressed by index (scalars —
//! `None`, booleans, small ints — are held in the index itself); the stack
//! and the memo hold indices, so a memo reference is just another index and
//! mutation through the memo (`APPENDS` to a memoized list) behaves as in
//! CPython. When `STOP` is reached the arena is turned into a [`Value`] tree
//! iteratively: a node reached more than once becomes one
//! [`Value::Shared`] allocation, a node reached from itself (a cyclic
//! structure) is an error (or `None`, by option), and the depth is checked
//! on the way.
//!
//! Calls never run. `REDUCE`/`NEWOBJ`/`BUILD` of an admitted global become an
//! [`Object`](crate::read::Object); a few stdlib globals that merely spell a
//! builtin container (`set`, `frozenset`, `bytearray`, `bytes`,
//! `OrderedDict`, `_codecs.encode`, `copyreg.__newobj__`,
//! `copyreg._reconstructor`) are folded into that container. The header's
//! helper callables (memo slots 0–23 after the recognised header) are
//! interpreted symbolically, just enough to learn each class descriptor's
//! class name and field names.
//!
//! Every buffer is charged to the [`Budget`] at its capacity before it is
//! allocated or grows, and released when freed, so the budget bounds what
//! the read holds at once.
//!
//! This file holds the machine itself: the arena, the stack, the memo and
//! the main loop. The rest, by concern:
//!
//! - [`step`]: one opcode, by family (framing, numbers, strings, containers,
//!   memo, globals and calls);
//! - [`admit`]: which globals a read accepts, and how a name is resolved;
//! - [`budget`]: the allocation budget;
//! - [`call`]: `REDUCE`/`NEWOBJ` recorded as objects;
//! - [`fold`]: calls that spell a builtin container, folded into it;
//! - [`class_pickle`]: the header's helpers and class pickles, interpreted
//!   symbolically;
//! - [`tree`]: the arena graph turned into a [`Value`] tree;
//! - [`text`]: the text arguments of protocol 0 (decimal ints, quoted and
//!   escaped strings).

mod admit;
mod arena;
mod array;
mod budget;
mod call;
mod class_pickle;
mod fold;
mod session;
mod step;
pub(crate) mod text;
mod trace;
mod tree;

use std::collections::HashMap;
use std::mem::size_of;
use std::sync::Arc;

use super::error::{Error, ErrorKind};
use super::ops::decode_arg;
use super::source::Source;
use super::value::{Global, Value};
use super::KnownPrefixes;
use crate::layout::slot;

pub(crate) use admit::{python3_name, Admit};
pub(crate) use arena::MAX_LINE;
use arena::*;
pub(crate) use budget::Budget;
use budget::BLOCK;
use class_pickle::Sym;
pub(crate) use session::SessionTable;
pub(crate) use trace::Trace;

fn malformed(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Malformed(msg.into()))
}

fn unsupported(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unsupported(msg.into()))
}

fn forbidden(g: &Global) -> Error {
    Error::forbidden_global(&g.module, &g.name)
}

pub(crate) struct Unpickler<'a, S> {
    src: S,
    prefixes: KnownPrefixes<'a>,
    /// Inside a class pickle (which may not contain another).
    nested: bool,
    admit: Admit<'a>,
    nodes: Arena,
    /// What [`Self::node`] shows for an inline id (`None`, `False`, `True`,
    /// an int).
    views: [Node; 4],
    stack: Vec<Id>,
    marks: Vec<usize>,
    /// Memo entries `0..memo.len()` (CPython numbers them so); other
    /// indices in `sparse`.
    memo: Vec<Id>,
    sparse: HashMap<u64, Id>,
    registry: HashMap<String, Id>,
    budget: Budget,
    sym_work: usize,
    proto: u8,
    /// The memo the header left (empty without the header): what the
    /// session prologue is recognised against.
    header_memo: Vec<Id>,
    /// What earlier pickles of an `Unpickler` session registered (empty
    /// for a lone read).
    session: SessionTable,
    /// What the read learns, kept for the inspector (`None`: not kept).
    trace: Option<Box<Trace>>,
    /// The opcode being read and its offset (for the trace).
    op_at: u64,
    op: u8,
}

impl<'a, S: Source> Unpickler<'a, S> {
    pub(crate) fn new(src: S, prefixes: KnownPrefixes<'a>, admit: Admit<'a>) -> Self {
        Unpickler {
            src,
            prefixes,
            nested: false,
            budget: Budget::new(admit.options.max_alloc),
            admit,
            nodes: Arena::default(),
            views: [Node::None, Node::Bool(false), Node::Bool(true), Node::Int(0)],
            stack: Vec::new(),
            marks: Vec::new(),
            memo: Vec::new(),
            sparse: HashMap::new(),
            registry: HashMap::new(),
            sym_work: 0,
            proto: 0,
            header_memo: Vec::new(),
            session: SessionTable::default(),
            trace: None,
            op_at: 0,
            op: 0,
        }
    }

    /// Charges `n` bytes to the allocation budget.
    fn charge(&mut self, n: usize) -> Result<(), Error> {
        self.budget.charge(n)
    }

    /// The node `id` (for an inline value, a node of its kind).
    fn node(&self, id: Id) -> &Node {
        match id {
            NONE_ID => &self.views[0],
            FALSE_ID => &self.views[1],
            TRUE_ID => &self.views[2],
            _ if is_inline(id) => &self.views[3],
            _ => self.nodes.get(id),
        }
    }

    /// A new object: scalars are held inline, anything else in the arena.
    fn alloc(&mut self, node: Node) -> Result<Id, Error> {
        match inline_id(&node) {
            Some(id) => Ok(id),
            None => self.alloc_node(node),
        }
    }

    /// A new arena node.
    fn alloc_node(&mut self, node: Node) -> Result<Id, Error> {
        self.budget.charge(node.boxes())?;
        self.nodes.push(node, &mut self.budget)
    }

    fn push(&mut self, id: Id) -> Result<(), Error> {
        self.budget.reserve(&mut self.stack, 1)?;
        self.stack.push(id);
        Ok(())
    }

    fn push_new(&mut self, node: Node) -> Result<(), Error> {
        let id = self.alloc(node)?;
        self.push(id)
    }

    fn pop(&mut self) -> Result<Id, Error> {
        match self.stack.len() {
            0 => Err(malformed("stack underflow")),
            n if self.marks.last() == Some(&n) => Err(malformed("stack underflow (item expected, found MARK)")),
            _ => Ok(self.stack.pop().expect("non-empty")),
        }
    }

    fn top(&self) -> Result<Id, Error> {
        match self.stack.last() {
            Some(&id) if self.marks.last() != Some(&self.stack.len()) => Ok(id),
            _ => Err(malformed("stack underflow")),
        }
    }

    /// Removes the topmost mark; the items above it are `stack[mark..]`.
    fn pop_mark_index(&mut self) -> Result<usize, Error> {
        self.marks.pop().ok_or_else(|| malformed("no MARK on the stack"))
    }

    /// The items above the topmost mark, taken off the stack.
    fn pop_mark(&mut self) -> Result<Vec<Id>, Error> {
        let mark = self.pop_mark_index()?;
        let mut items = self.budget.vec(self.stack.len() - mark)?;
        items.extend_from_slice(&self.stack[mark..]);
        self.stack.truncate(mark);
        Ok(items)
    }

    /// The item below the items of a mark just popped at `mark` (the
    /// container they are added to).
    fn below_mark(&self, mark: usize) -> Result<Id, Error> {
        match mark.checked_sub(1) {
            Some(i) if self.marks.last() != Some(&mark) => Ok(self.stack[i]),
            _ => Err(malformed("stack underflow")),
        }
    }

    /// Memo entries defined.
    fn memo_len(&self) -> usize {
        self.memo.len() + self.sparse.len()
    }

    fn memo_put(&mut self, idx: u64, id: Id) -> Result<(), Error> {
        let dense = self.memo.len() as u64;
        let new = idx >= dense && !self.sparse.contains_key(&idx);
        if new && self.memo_len() >= self.admit.options.max_memo {
            return Err(Error::new(ErrorKind::Limit {
                what: "memo entries",
                limit: self.admit.options.max_memo,
            }));
        }
        if idx < dense {
            self.memo[idx as usize] = id;
        } else if idx == dense {
            self.budget.reserve(&mut self.memo, 1)?;
            self.memo.push(id);
            self.sparse.remove(&idx);
        } else {
            self.budget.reserve_map(&mut self.sparse)?;
            self.sparse.insert(idx, id);
        }
        Ok(())
    }

    /// The top of the stack, as an arena node (a scalar is boxed, so a memo
    /// reference to it is the same object).
    fn boxed_top(&mut self) -> Result<Id, Error> {
        let top = self.top()?;
        if !is_inline(top) {
            return Ok(top);
        }
        let id = self.alloc_node(inline_node(top))?;
        *self.stack.last_mut().expect("a top") = id;
        Ok(id)
    }

    fn memo_get(&mut self, idx: u64) -> Result<(), Error> {
        let found = match usize::try_from(idx) {
            Ok(i) if i < self.memo.len() => Some(self.memo[i]),
            _ => self.sparse.get(&idx).copied(),
        };
        let id = found.ok_or_else(|| malformed(format!("memo key {idx} is not defined")))?;
        self.trace_memo_get(id);
        self.push(id)
    }

    /// Frees the stack, the marks and the memo (once the pickle is read).
    fn free_scratch(&mut self) {
        self.budget.release_vec(&self.stack);
        self.budget.release_vec(&self.marks);
        self.budget.release_vec(&self.memo);
        self.budget.release_map(&self.sparse);
        self.stack = Vec::new();
        self.marks = Vec::new();
        self.memo = Vec::new();
        self.sparse = HashMap::new();
    }

    /// The `int` `id` is, if it fits an `i64` (an inline id's node is only
    /// a view of its kind, so its value comes from the id).
    fn int_of(&self, id: Id) -> Option<i64> {
        match (is_inline(id), self.node(id)) {
            (true, _) => match inline_node(id) {
                Node::Int(i) => Some(i),
                _ => None,
            },
            (false, Node::Int(i)) => Some(*i),
            _ => None,
        }
    }

    fn str_of(&self, id: Id) -> Option<&str> {
        match self.node(id) {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The items of a tuple, copied (charged).
    fn tuple_items(&mut self, id: Id, what: &str) -> Result<Vec<Id>, Error> {
        let n = match self.node(id) {
            Node::Tuple(items) => items.len(),
            _ => return Err(malformed(format!("{what} must be a tuple"))),
        };
        let mut out = self.budget.vec(n)?;
        if let Node::Tuple(items) = self.nodes.get(id) {
            out.extend_from_slice(items);
        }
        Ok(out)
    }

    /// The pairs of a dict, copied (charged).
    fn kwargs_of(&mut self, id: Id, what: &str) -> Result<Vec<(Id, Id)>, Error> {
        let n = match self.node(id) {
            Node::Dict(pairs) => pairs.len(),
            _ => return Err(malformed(what)),
        };
        let mut out = self.budget.vec(n)?;
        if let Node::Dict(pairs) = self.nodes.get(id) {
            out.extend_from_slice(pairs);
        }
        Ok(out)
    }

    /// The items of a sequence, set or (symbolic) iterator.
    fn items_of(&self, id: Id) -> Option<Vec<Id>> {
        match self.node(id) {
            Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v) => Some(v.clone()),
            Node::Sym(sym) => match &**sym {
                Sym::Iter(v) => Some(v.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// [`Self::items_of`], the copy charged first.
    fn items_charged(&mut self, id: Id) -> Result<Option<Vec<Id>>, Error> {
        let n = match self.node(id) {
            Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v) => v.len(),
            Node::Sym(sym) => match &**sym {
                Sym::Iter(v) => v.len(),
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        self.budget.charge_vec::<Id>(n)?;
        Ok(self.items_of(id))
    }

    /// The two items of a pair (a 2-item sequence or iterator).
    fn pair_of(&self, id: Id) -> Option<(Id, Id)> {
        match self.node(id) {
            Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v) if v.len() == 2 => Some((v[0], v[1])),
            Node::Sym(sym) => match &**sym {
                Sym::Iter(v) if v.len() == 2 => Some((v[0], v[1])),
                _ => None,
            },
            _ => None,
        }
    }

    /// A copy of a `str` (charged).
    fn owned_str(&mut self, id: Id) -> Result<Option<String>, Error> {
        let Some(n) = self.str_of(id).map(str::len) else {
            return Ok(None);
        };
        self.charge(n + BLOCK)?;
        Ok(self.str_of(id).map(str::to_owned))
    }

    /// Copies of the `str`s of a sequence (charged).
    fn owned_strs(&mut self, id: Id) -> Result<Option<Vec<String>>, Error> {
        let Some(items) = self.items_charged(id)? else {
            return Ok(None);
        };
        let total: Option<usize> = items
            .iter()
            .map(|&i| self.str_of(i).map(|s| s.len() + size_of::<String>() + BLOCK))
            .try_fold(0usize, |a, n| n.map(|n| a.saturating_add(n)));
        let Some(total) = total else {
            return Ok(None);
        };
        self.charge(total)?;
        let strs = items
            .iter()
            .filter_map(|&i| self.str_of(i).map(str::to_owned))
            .collect();
        self.budget.release_vec(&items);
        Ok(Some(strs))
    }

    /// The class a node stands for: a global, or an enum a descriptor built.
    fn class_of(&self, id: Id) -> Option<Arc<Global>> {
        match self.node(id) {
            Node::Global(g) => Some(g.clone()),
            Node::Sym(sym) => match &**sym {
                Sym::Enum(g, _) => Some(g.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    fn type_name(&self, id: Id) -> &'static str {
        match self.node(id) {
            Node::None => "None",
            Node::Bool(_) => "bool",
            Node::Int(_) | Node::BigInt(_) => "int",
            Node::Float(_) => "float",
            Node::Str(_) => "str",
            Node::Bytes(_) => "bytes",
            Node::ByteArray(_) => "bytearray",
            Node::List(_) => "list",
            Node::Tuple(_) => "tuple",
            Node::Dict(_) => "dict",
            Node::Set(_) => "set",
            Node::FrozenSet(_) => "frozenset",
            Node::Global(_) | Node::Base(_) => "global",
            Node::Object(_) => "object",
            Node::Sym(_) => "header helper",
            Node::Taken => "consumed object",
        }
    }

    /// Reads and admits one pickle; returns the arena index of the result.
    fn run(&mut self) -> Result<Id, Error> {
        if self.src.skip_prefix(self.prefixes.header)? {
            self.proto = 4;
            self.fill_header_memo(slot::COUNT)?;
            self.header_memo = self.memo.clone();
        } else if self.src.skip_prefix(self.prefixes.strict_header)? {
            // The strict profile: classes made by abc.ABCMeta and the enum
            // functional API, interpreted as the default header's helpers are.
            self.proto = 4;
            self.fill_strict_memo()?;
        }
        self.run_body()
    }

    fn run_body(&mut self) -> Result<Id, Error> {
        loop {
            let at = self.src.pos();
            let op = self.src.byte().map_err(|e| e.at(at, None))?;
            let arg = decode_arg(&mut self.src, op, &mut self.budget).map_err(|e| e.at(at, Some(op)))?;
            (self.op_at, self.op) = (at, op);
            match self.step(op, arg) {
                Ok(Some(root)) => return Ok(root),
                Ok(None) => {}
                Err(e) => return Err(e.at(at, Some(op))),
            }
        }
    }
}

/// Reads one pickle from `src` into a [`Value`]; also returns the bytes
/// the value holds, as charged to the budget (what a typed conversion
/// starts from).
pub(crate) fn read_value<S: Source>(
    src: S,
    prefixes: KnownPrefixes<'_>,
    admit: Admit<'_>,
) -> Result<(Value, usize), Error> {
    let mut u = Unpickler::new(src, prefixes, admit);
    let root = u.run()?;
    let at = u.src.pos();
    u.into_value(root).map_err(|e| e.at(at, None))
}

/// [`read_value_in_session`] keeping what the read learns in `trace` (the
/// inspector's view of the same read).
pub(crate) fn read_value_traced<S: Source>(
    src: S,
    prefixes: KnownPrefixes<'_>,
    admit: Admit<'_>,
    session: &mut SessionTable,
    trace: &mut Trace,
) -> Result<(Value, usize), Error> {
    let mut u = Unpickler::new(src, prefixes, admit);
    u.trace = Some(Box::new(std::mem::take(trace)));
    read_in_session(u, session, |u| {
        if let Some(t) = u.trace.take() {
            *trace = *t;
        }
    })
}

/// [`read_value`] of the next pickle of a session: `GLOBAL io._pp3 NAME`
/// resolves to what `session`'s earlier pickles registered, and what this
/// one registers joins it once it is read whole.
pub(crate) fn read_value_in_session<S: Source>(
    src: S,
    prefixes: KnownPrefixes<'_>,
    admit: Admit<'_>,
    session: &mut SessionTable,
) -> Result<(Value, usize), Error> {
    read_in_session(Unpickler::new(src, prefixes, admit), session, |_| {})
}

/// Reads one pickle with `u` in `session`; `done` sees the machine once the
/// pickle is read (or has failed).
fn read_in_session<S: Source>(
    mut u: Unpickler<'_, S>,
    session: &mut SessionTable,
    done: impl FnOnce(&mut Unpickler<'_, S>),
) -> Result<(Value, usize), Error> {
    u.session = std::mem::take(session);
    let read = u.run().and_then(|root| {
        let at = u.src.pos();
        u.keep_registrations().map_err(|e| e.at(at, None))?;
        Ok((root, at))
    });
    *session = std::mem::take(&mut u.session);
    done(&mut u);
    let (root, at) = read?;
    u.into_value(root).map_err(|e| e.at(at, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_held_inline_round_trip() {
        let limit = 1i64 << (INT_BITS - 1);
        for v in [0, 1, -1, 255, -256, limit - 1, -limit] {
            let id = inline_id(&Node::Int(v)).expect("inline");
            assert!(is_inline(id));
            assert!(matches!(inline_node(id), Node::Int(w) if w == v), "{v}");
        }
        for v in [limit, -limit - 1, i64::MAX, i64::MIN] {
            assert_eq!(inline_id(&Node::Int(v)), None, "{v}");
        }
        for node in [Node::None, Node::Bool(false), Node::Bool(true)] {
            let id = inline_id(&node).expect("inline");
            assert_eq!(inline_id(&inline_node(id)), Some(id));
        }
        assert_eq!(inline_id(&Node::Float(0.0)), None);
    }
}
