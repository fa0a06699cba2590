//! Python expressions that compile to pickle opcodes and print as Python.
//!
//! The header, the payload, the standalone bootstrap and every class
//! descriptor are written as [`Program`]s of [`Expr`]s: what a newcomer
//! reads is `dataclasses.make_dataclass`-like Python (see
//! `tests/snapshots/`), what the stream carries is its compiled form, and
//! [`crate::writer::OpWriter`] is the only thing that writes opcodes.
//!
//! Compilation checks what hand-written stack code could not: calls of
//! known callables get a valid number of arguments, memo entries land on
//! the slots the layout names, and only listed globals are referenced.
//!
//! Strings and globals that an earlier program memoized (the header's
//! slots, [`Bindings`]) are written as memo gets: `Expr::global("builtins",
//! "next")` compiles to `BINGET 1` in a class descriptor and to
//! `STACK_GLOBAL` where nothing has memoized it.

use std::ops::Range;

mod compile;
mod print;
#[cfg(test)]
mod tests;

pub use compile::Bindings;
#[cfg(test)]
pub(crate) use compile::{bindings_in, bindings_of};
pub use print::{print_expr, print_program};

/// A Python expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// `None`.
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An `int`.
    Int(i128),
    /// A `str`.
    Str(String),
    /// A `bytes` literal; a labelled one prints as its label and its byte
    /// range in the compiled output is recorded (see [`Compiled::span`]).
    Bytes {
        /// The bytes.
        data: Vec<u8>,
        /// Printed instead of the bytes.
        label: Option<String>,
    },
    /// The bytes of another program, compiled in `context` (a pickle
    /// fragment carried as data); prints as its label.
    Pickled(Box<Fragment>),
    /// A `tuple`.
    Tuple(Vec<Expr>),
    /// A `list`.
    List(Vec<Expr>),
    /// A `dict`.
    Dict(Vec<(Expr, Expr)>),
    /// `module.name`, through `STACK_GLOBAL` (or a memo get when bound).
    Global {
        /// The module.
        module: String,
        /// The attribute, possibly dotted.
        name: String,
    },
    /// The value an earlier [`Expr::Memoize`] stored at this memo index.
    Memo(u32),
    /// `func(*args)`, through `REDUCE`.
    Call {
        /// The callable.
        func: Box<Expr>,
        /// The positional arguments.
        args: Vec<Expr>,
    },
    /// `functools.partial(func, **keywords)`: `REDUCE` cannot pass keywords,
    /// so the partial is made empty and filled by `BUILD` with
    /// `partial.__setstate__((func, (), keywords, None))`.
    Partial {
        /// The wrapped callable: a memo get or a bound global, since it is
        /// written twice.
        func: Box<Expr>,
        /// The keyword arguments.
        keywords: Vec<(String, Expr)>,
    },
    /// pickle's `BUILD`: `obj.__setstate__(state)` where defined, else the
    /// state dict updates `obj.__dict__` and a `(None, {name: value})`
    /// state sets attributes. Evaluates to `obj`.
    Build {
        /// The object.
        obj: Box<Expr>,
        /// The state.
        state: Box<Expr>,
    },
    /// A strict descriptor's own memo entry `slot`, counted from its first
    /// (how a descriptor, copied at a memo index not known in advance,
    /// uses a value twice): `LONG_BINGET` of `slot`, recorded in
    /// [`Compiled::relocations`], to which the writer adds the memo index
    /// the descriptor starts at. No memo entry is ever written twice.
    Own {
        /// The name the printed form gives the entry.
        name: String,
        /// The entry, relative to the descriptor's first.
        slot: u32,
    },
    /// `(name := value)`: `MEMOIZE` after the value.
    Memoize {
        /// The name the printed form gives the value.
        name: String,
        /// The memo index the value must land on, checked when compiling.
        slot: Option<u32>,
        /// The value.
        value: Box<Expr>,
    },
}

/// A program carried as data inside another one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// Printed in place of the bytes, and as the heading of the program.
    pub label: String,
    /// The program.
    pub program: Program,
    /// Where the bytes will run.
    pub context: Context,
}

/// What a program can rely on when it runs: the memo entries already
/// defined (and which of them hold strings or globals), and whether its own
/// memo indices are known when it is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// A pickle of its own: an empty memo.
    Fresh,
    /// After the standalone bootstrap: the core's slots (below
    /// [`crate::layout::slot::CORE_COUNT`]) are defined, and the program's own memo
    /// entries follow them.
    AfterCore,
    /// After the stream header (below [`crate::layout::slot::COUNT`]), at a memo index
    /// not known in advance: a class descriptor. Its own memo entries are
    /// counted from 0 and never read back by the descriptor itself.
    Descriptor,
    /// A later pickle of a session, which has no header: the classes the
    /// session's first pickle registered, named by their alias in
    /// [`crate::layout::SESSION_MODULE`] (written with the short `GLOBAL`
    /// opcode). Like a descriptor, its entries sit at an index not known in
    /// advance and are never read back.
    Reference,
    /// The strict profile's header ([`crate::strict`]): a pickle of its
    /// own whose globals must be on [`crate::globals::STRICT`].
    Strict,
    /// A strict-profile class descriptor: after the strict header (below
    /// [`crate::strict::slot::COUNT`]), at a memo index not known in
    /// advance; it may read its own entries back ([`Expr::Own`], relocated
    /// by the writer).
    StrictDescriptor,
}

/// One statement of a [`Program`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stmt {
    /// `PROTO 4`.
    Proto,
    /// Values evaluated for their effects (and memo entries) between `MARK`
    /// and `POP_MARK`, which discards them at once.
    Group(Vec<Expr>),
    /// A value evaluated for its effects, then `POP`.
    Discard(Expr),
    /// The pickle's result: the value, then `STOP`.
    Return(Expr),
}

/// A sequence of statements: a pickle or a piece of one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Program {
    /// The statements, in order.
    pub stmts: Vec<Stmt>,
}

/// A compiled program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    /// The opcodes.
    pub bytes: Vec<u8>,
    /// Memo entries the program defines.
    pub memo_len: u32,
    /// Byte ranges of the labelled [`Expr::Bytes`], opcode included.
    pub spans: Vec<(String, Range<usize>)>,
    /// Every global written with `STACK_GLOBAL`, nested fragments included.
    pub globals: Vec<(String, String)>,
    /// Offsets of the 4-byte memo indices of [`Expr::Own`] reads: the
    /// writer adds the descriptor's first memo index to each.
    pub relocations: Vec<u32>,
}

impl Compiled {
    /// The range of the labelled bytes `label`.
    pub fn span(&self, label: &str) -> Option<Range<usize>> {
        self.spans.iter().find(|(l, _)| l == label).map(|(_, r)| r.clone())
    }
}

// ---- constructors ---------------------------------------------------------------

impl Expr {
    /// A `str`.
    pub fn str(s: impl Into<String>) -> Expr {
        Expr::Str(s.into())
    }

    /// A `bytes` literal.
    pub fn bytes(data: impl Into<Vec<u8>>) -> Expr {
        Expr::Bytes {
            data: data.into(),
            label: None,
        }
    }

    /// `module.name`.
    pub fn global(module: &str, name: &str) -> Expr {
        Expr::Global {
            module: module.to_owned(),
            name: name.to_owned(),
        }
    }

    /// `self(*args)`.
    pub fn call(self, args: impl IntoIterator<Item = Expr>) -> Expr {
        Expr::Call {
            func: Box::new(self),
            args: args.into_iter().collect(),
        }
    }

    /// `getattr(self, name)`, printed as `self.name`.
    pub fn attr(self, name: &str) -> Expr {
        Expr::global("builtins", "getattr").call([self, Expr::str(name)])
    }

    /// `functools.partial(self, **keywords)`.
    pub fn partial(self, keywords: impl IntoIterator<Item = (&'static str, Expr)>) -> Expr {
        Expr::Partial {
            func: Box::new(self),
            keywords: keywords.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        }
    }

    /// `BUILD` of `self` with `state`.
    pub fn build(self, state: Expr) -> Expr {
        Expr::Build {
            obj: Box::new(self),
            state: Box::new(state),
        }
    }

    /// `(name := self)`, landing on memo index `slot`.
    pub fn memoize_at(self, name: &str, slot: u32) -> Expr {
        Expr::Memoize {
            name: name.to_owned(),
            slot: Some(slot),
            value: Box::new(self),
        }
    }

    /// A strict descriptor's own entry `slot` ([`Expr::Own`]).
    pub fn own(name: &str, slot: u32) -> Expr {
        Expr::Own {
            name: name.to_owned(),
            slot,
        }
    }

    /// `(name := self)`.
    pub fn memoize(self, name: &str) -> Expr {
        Expr::Memoize {
            name: name.to_owned(),
            slot: None,
            value: Box::new(self),
        }
    }

    /// A tuple.
    pub fn tuple(items: impl IntoIterator<Item = Expr>) -> Expr {
        Expr::Tuple(items.into_iter().collect())
    }

    /// A dict with string keys.
    pub fn dict<K: Into<String>>(items: impl IntoIterator<Item = (K, Expr)>) -> Expr {
        Expr::Dict(items.into_iter().map(|(k, v)| (Expr::Str(k.into()), v)).collect())
    }

    /// `next(filter(None, chain((first,), rest)))`: `first` if it is truthy,
    /// else the first truthy item of the lazy iterator `rest`, which is only
    /// then pulled. The stream's one conditional.
    pub fn first_truthy(first: Expr, rest: Expr) -> Expr {
        builtin("next").call([Expr::truthy_chain(first, rest)])
    }

    /// `filter(None, chain((first,), rest))`.
    pub fn truthy_chain(first: Expr, rest: Expr) -> Expr {
        builtin("filter").call([
            Expr::None,
            Expr::global("itertools", "chain").call([Expr::tuple([first]), rest]),
        ])
    }
}

/// `builtins.name`.
pub fn builtin(name: &str) -> Expr {
    Expr::global("builtins", name)
}

impl Program {
    /// A program of `stmts`.
    pub fn new(stmts: impl IntoIterator<Item = Stmt>) -> Program {
        Program {
            stmts: stmts.into_iter().collect(),
        }
    }
}
