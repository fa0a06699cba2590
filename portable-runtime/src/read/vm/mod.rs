//! The pickle virtual machine, without the ability to call anything.
//!
//! Objects live in an arena of [`Node`]s addressed by index; the stack and
//! the memo hold indices, so a memo reference is just another index and
//! mutation through the memo (`APPENDS` to a memoized list) behaves as in
//! CPython. When `STOP` is reached the arena is turned into a [`Value`] tree
//! iteratively: a node reached more than once becomes one
//! [`Value::Shared`] allocation, a node reached from itself (a cyclic
//! structure) is an error, and the depth is checked on the way.
//!
//! Calls never run. `REDUCE`/`NEWOBJ`/`BUILD` of an admitted global become an
//! [`Object`](crate::read::Object); a few stdlib globals that merely spell a
//! builtin container (`set`, `frozenset`, `bytearray`, `bytes`,
//! `OrderedDict`, `_codecs.encode`, `copyreg.__newobj__`,
//! `copyreg._reconstructor`) are folded into that container. The header's
//! helper callables (memo slots 0–22 after the recognised header) are
//! interpreted symbolically, just enough to learn each class descriptor's
//! class name and field names.
//!
//! This file holds the machine itself: the arena, the stack, the memo, the
//! budget and the main loop. The rest, by concern:
//!
//! - [`step`]: one opcode, by family (framing, numbers, strings, containers,
//!   memo, globals and calls);
//! - [`admit`]: which globals a read accepts, and how a name is resolved;
//! - [`call`]: `REDUCE`/`NEWOBJ` recorded as objects;
//! - [`fold`]: calls that spell a builtin container, folded into it;
//! - [`class_pickle`]: the header's helpers and class pickles, interpreted
//!   symbolically;
//! - [`tree`]: the arena graph turned into a [`Value`] tree;
//! - [`text`]: the text arguments of protocol 0 (decimal ints, quoted and
//!   escaped strings).

mod admit;
mod call;
mod class_pickle;
mod fold;
mod step;
mod text;
mod tree;

use std::collections::HashMap;
use std::rc::Rc;

use super::error::{Error, ErrorKind};
use super::source::Source;
use super::value::{BigInt, Call, Global, Value};
use super::KnownPrefixes;
use crate::layout::slot;

pub(crate) use admit::Admit;
use class_pickle::Sym;

type Id = u32;

/// Size charged for every arena node and every stack or container slot.
const NODE_COST: usize = std::mem::size_of::<Node>();
const SLOT_COST: usize = 8;
/// Longest text argument of a protocol-0 opcode.
const MAX_LINE: usize = 64 * 1024;

enum Node {
    None,
    Bool(bool),
    Int(i64),
    BigInt(BigInt),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    ByteArray(Vec<u8>),
    List(Vec<Id>),
    Tuple(Vec<Id>),
    Dict(Vec<(Id, Id)>),
    Set(Vec<Id>),
    FrozenSet(Vec<Id>),
    Global(Rc<Global>),
    Object(Box<ObjNode>),
    Sym(Box<Sym>),
    /// Moved into the result already.
    Taken,
}

struct ObjNode {
    class: Rc<Global>,
    call: Call,
    args: Vec<Id>,
    kwargs: Vec<(Id, Id)>,
    state: Option<Id>,
}

fn malformed(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Malformed(msg.into()))
}

fn unsupported(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unsupported(msg.into()))
}

pub(crate) struct Unpickler<'a, S> {
    src: S,
    prefixes: KnownPrefixes<'a>,
    /// Inside a class pickle (which may not contain another).
    nested: bool,
    admit: Admit<'a>,
    nodes: Vec<Node>,
    stack: Vec<Id>,
    marks: Vec<usize>,
    memo: HashMap<u64, Id>,
    registry: HashMap<String, Id>,
    used: usize,
    sym_work: usize,
    proto: u8,
}

impl<'a, S: Source> Unpickler<'a, S> {
    pub(crate) fn new(src: S, prefixes: KnownPrefixes<'a>, admit: Admit<'a>) -> Self {
        Unpickler {
            src,
            prefixes,
            nested: false,
            admit,
            nodes: Vec::new(),
            stack: Vec::new(),
            marks: Vec::new(),
            memo: HashMap::new(),
            registry: HashMap::new(),
            used: 0,
            sym_work: 0,
            proto: 0,
        }
    }

    /// Charges `n` bytes to the allocation budget.
    fn charge(&mut self, n: usize) -> Result<(), Error> {
        self.used = self.used.saturating_add(n);
        if self.used > self.admit.options.max_alloc {
            return Err(Error::new(ErrorKind::Limit {
                what: "total allocation",
                limit: self.admit.options.max_alloc,
            }));
        }
        Ok(())
    }

    fn alloc(&mut self, node: Node) -> Result<Id, Error> {
        self.charge(NODE_COST)?;
        let id = Id::try_from(self.nodes.len()).map_err(|_| {
            Error::new(ErrorKind::Limit {
                what: "object count",
                limit: u32::MAX as usize,
            })
        })?;
        self.nodes.push(node);
        Ok(id)
    }

    fn push(&mut self, id: Id) -> Result<(), Error> {
        self.charge(SLOT_COST)?;
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

    fn pop_mark(&mut self) -> Result<Vec<Id>, Error> {
        let mark = self.marks.pop().ok_or_else(|| malformed("no MARK on the stack"))?;
        Ok(self.stack.split_off(mark))
    }

    fn take(&mut self, n: u64) -> Result<&[u8], Error> {
        if let Some(rest) = self.src.remaining() {
            if n > rest {
                return Err(Error::new(ErrorKind::Eof));
            }
        }
        self.charge(usize::try_from(n).unwrap_or(usize::MAX))?;
        self.src.take(n)
    }

    fn take_array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        self.src
            .take(N as u64)?
            .try_into()
            .map_err(|_| Error::new(ErrorKind::Eof))
    }

    fn len_u32(&mut self) -> Result<u64, Error> {
        Ok(u64::from(u32::from_le_bytes(self.take_array()?)))
    }

    fn len_u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(self.take_array()?))
    }

    fn utf8(&mut self, n: u64) -> Result<String, Error> {
        let b = self.take(n)?;
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| malformed("str is not valid UTF-8 (strings with lone surrogates are not supported)"))
    }

    fn line(&mut self) -> Result<String, Error> {
        let l = self.src.line(MAX_LINE)?;
        let s = std::str::from_utf8(l)
            .map_err(|_| malformed("text argument is not valid UTF-8"))?
            .to_owned();
        self.charge(s.len())?;
        Ok(s)
    }

    fn memo_put(&mut self, idx: u64, id: Id) -> Result<(), Error> {
        if !self.memo.contains_key(&idx) && self.memo.len() >= self.admit.options.max_memo {
            return Err(Error::new(ErrorKind::Limit {
                what: "memo entries",
                limit: self.admit.options.max_memo,
            }));
        }
        self.charge(32)?;
        self.memo.insert(idx, id);
        Ok(())
    }

    fn memo_get(&mut self, idx: u64) -> Result<(), Error> {
        let id = *self
            .memo
            .get(&idx)
            .ok_or_else(|| malformed(format!("memo key {idx} is not defined")))?;
        self.push(id)
    }

    fn str_of(&self, id: Id) -> Option<&str> {
        match &self.nodes[id as usize] {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    fn tuple_items(&self, id: Id, what: &str) -> Result<Vec<Id>, Error> {
        match &self.nodes[id as usize] {
            Node::Tuple(items) => Ok(items.clone()),
            _ => Err(malformed(format!("{what} must be a tuple"))),
        }
    }

    /// The items of a sequence, set or (symbolic) iterator.
    fn items_of(&self, id: Id) -> Option<Vec<Id>> {
        match &self.nodes[id as usize] {
            Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v) => Some(v.clone()),
            Node::Sym(sym) => match &**sym {
                Sym::Iter(v) => Some(v.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The class a node stands for: a global, or an enum a descriptor built.
    fn class_of(&self, id: Id) -> Option<Rc<Global>> {
        match &self.nodes[id as usize] {
            Node::Global(g) => Some(g.clone()),
            Node::Sym(sym) => match &**sym {
                Sym::Enum(g, _) => Some(g.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    fn type_name(&self, id: Id) -> &'static str {
        match &self.nodes[id as usize] {
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
            Node::Global(_) => "global",
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
        }
        self.run_body()
    }

    fn run_body(&mut self) -> Result<Id, Error> {
        loop {
            let at = self.src.pos();
            let op = self.src.byte().map_err(|e| e.at(at, None))?;
            match self.step(op) {
                Ok(Some(root)) => return Ok(root),
                Ok(None) => {}
                Err(e) => return Err(e.at(at, Some(op))),
            }
        }
    }
}

/// Reads one pickle from `src` into a [`Value`].
pub(crate) fn read_value<S: Source>(src: S, prefixes: KnownPrefixes<'_>, admit: Admit<'_>) -> Result<Value, Error> {
    let mut u = Unpickler::new(src, prefixes, admit);
    let root = u.run()?;
    let at = u.src.pos();
    u.into_value(root).map_err(|e| e.at(at, None))
}
