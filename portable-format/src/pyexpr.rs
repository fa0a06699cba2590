//! Python expressions that compile to pickle opcodes and print as Python.
//!
//! The header, the payload, the standalone bootstrap and every class
//! descriptor are written as [`Program`]s of [`Expr`]s: what a newcomer
//! reads is `dataclasses.make_dataclass`-like Python (see
//! `tests/snapshots/`), what the stream carries is its compiled form, and
//! [`OpWriter`] is the only thing that writes opcodes.
//!
//! Compilation checks what hand-written stack code could not: calls of
//! known callables get a valid number of arguments, memo entries land on
//! the slots the layout names, and only listed globals are referenced.
//!
//! Strings and globals that an earlier program memoized (the header's
//! slots, [`Bindings`]) are written as memo gets: `Expr::global("builtins",
//! "next")` compiles to `BINGET 1` in a class descriptor and to
//! `STACK_GLOBAL` where nothing has memoized it.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;

use crate::globals;
use crate::layout::slot;
use crate::opcodes::*;
use crate::writer::OpWriter;

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
    /// [`slot::CORE_COUNT`]) are defined, and the program's own memo
    /// entries follow them.
    AfterCore,
    /// After the stream header (below [`slot::COUNT`]), at a memo index
    /// not known in advance: a class descriptor. Its own memo entries are
    /// counted from 0 and never read back by the descriptor itself.
    Descriptor,
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

    /// Compiles the program to run in `context`.
    ///
    /// # Panics
    ///
    /// On a recipe error: a memo entry off its declared slot, a known
    /// callable called with a wrong number of arguments, a global outside
    /// [`globals::RECIPE`], a read of a memo entry the context does not
    /// define. These are bugs of this crate, caught by its tests and at
    /// compile time of the derive.
    pub fn compile(&self, context: Context) -> Compiled {
        let mut c = Compiler::new(context);
        for s in &self.stmts {
            c.stmt(s);
        }
        Compiled {
            memo_len: c.w.memo_len() - c.start,
            bytes: c.w.into_bytes(),
            spans: c.spans,
            globals: c.globals,
        }
    }
}

// ---- compiling ------------------------------------------------------------------

/// Strings and globals memoized by the programs a context runs after.
#[derive(Debug, Default, Clone)]
pub struct Bindings {
    strings: HashMap<String, u32>,
    globals: HashMap<(String, String), u32>,
}

impl Bindings {
    /// The bindings of the memo entries of `program`'s pure values
    /// (strings, globals) below `limit`.
    fn of(program: &Program, limit: u32) -> Bindings {
        let mut c = Compiler::new(Context::Fresh);
        for s in &program.stmts {
            c.stmt(s);
        }
        c.bound.strings.retain(|_, s| *s < limit);
        c.bound.globals.retain(|_, s| *s < limit);
        c.bound
    }
}

/// Known callables and the number of positional arguments they accept.
fn arity(func: &Expr) -> Option<Range<usize>> {
    Some(match func {
        Expr::Global { module, name } => match (module.as_str(), name.as_str()) {
            ("builtins", "next") => 1..3,
            ("builtins", "filter" | "bytes.join" | "getattr") => 2..4,
            ("builtins", "map" | "zip") | ("itertools", "chain") => 1..usize::MAX,
            ("builtins", "vars") => 0..2,
            ("builtins", "type") => 3..4,
            ("builtins", "dict.get" | "dict.setdefault") => 2..4,
            ("itertools", "starmap") => 2..3,
            ("functools", "partial") | ("operator", "attrgetter") => 1..usize::MAX,
            ("pickle", "loads") | ("zlib", "decompress") => 1..2,
            ("types", "ModuleType") | ("importlib", "import_module") | ("importlib.util", "find_spec") => 1..3,
            ("types", "new_class") => 1..5,
            _ => return None,
        },
        Expr::Memo(s) => match *s {
            slot::LOOKUP => 1..3,
            slot::REGISTER => 2..3,
            slot::STRUCT | slot::FROZEN_STRUCT => 1..2,
            slot::ENUM => 2..3,
            slot::METACLASS => 3..4,
            _ => return None,
        },
        Expr::Memoize { value, .. } => return arity(value),
        _ => return None,
    })
}

struct Compiler {
    w: OpWriter,
    context: Context,
    /// The first memo index of this program.
    start: u32,
    bound: Bindings,
    spans: Vec<(String, Range<usize>)>,
    globals: Vec<(String, String)>,
}

impl Compiler {
    fn new(context: Context) -> Compiler {
        let (start, bound) = match context {
            Context::Fresh => (0, Bindings::default()),
            Context::AfterCore => (slot::CORE_COUNT, crate::header::core_bindings()),
            Context::Descriptor => (0, crate::header::header_bindings()),
        };
        Compiler {
            w: OpWriter::with_memo_len(start),
            context,
            start,
            bound,
            spans: Vec::new(),
            globals: Vec::new(),
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Proto => self.w.proto(),
            Stmt::Group(items) => {
                self.w.op(MARK);
                for e in items {
                    self.expr(e);
                }
                self.w.op(POP_MARK);
            }
            Stmt::Discard(e) => {
                self.expr(e);
                self.w.op(POP);
            }
            Stmt::Return(e) => {
                self.expr(e);
                self.w.op(STOP);
            }
        }
    }

    fn memo_get(&mut self, idx: u32) {
        let defined = match self.context {
            // A descriptor's own entries sit at an unknown index: it reads the header's only.
            Context::Descriptor => idx < slot::COUNT,
            // Fragments after the core may read entries a sibling fragment defined.
            Context::AfterCore | Context::Fresh => true,
        };
        assert!(defined, "memo get {idx} outside what {:?} defines", self.context);
        self.w.get(idx);
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::None => self.w.none(),
            Expr::Bool(b) => self.w.bool(*b),
            Expr::Int(i) => self.w.int128(*i),
            Expr::Str(s) => match self.bound.strings.get(s) {
                Some(&idx) => self.w.get(idx),
                None => self.w.str(s),
            },
            Expr::Bytes { data, label } => {
                let at = self.w.len();
                self.w.bytes(data);
                if let Some(label) = label {
                    self.spans.push((label.clone(), at..self.w.len()));
                }
            }
            Expr::Pickled(f) => {
                let inner = f.program.compile(f.context);
                self.globals.extend(inner.globals);
                self.w.bytes(&inner.bytes);
            }
            Expr::Tuple(items) => {
                self.w.tuple_open(items.len());
                for i in items {
                    self.expr(i);
                }
                self.w.tuple_close(items.len());
            }
            Expr::List(items) => {
                self.w.op(EMPTY_LIST);
                for chunk in items.chunks(BATCH) {
                    if let [one] = chunk {
                        self.expr(one);
                        self.w.op(APPEND);
                    } else {
                        self.w.op(MARK);
                        chunk.iter().for_each(|i| self.expr(i));
                        self.w.op(APPENDS);
                    }
                }
            }
            Expr::Dict(items) => {
                self.w.op(EMPTY_DICT);
                for chunk in items.chunks(BATCH) {
                    if let [(k, v)] = chunk {
                        self.expr(k);
                        self.expr(v);
                        self.w.op(SETITEM);
                    } else {
                        self.w.op(MARK);
                        for (k, v) in chunk {
                            self.expr(k);
                            self.expr(v);
                        }
                        self.w.op(SETITEMS);
                    }
                }
            }
            Expr::Global { module, name } => {
                if let Some(&idx) = self.bound.globals.get(&(module.clone(), name.clone())) {
                    return self.w.get(idx);
                }
                assert!(
                    globals::RECIPE.contains(&(module.as_str(), name.as_str())),
                    "{module}.{name} is not in globals::RECIPE"
                );
                self.expr(&Expr::Str(module.clone()));
                self.w.str(name);
                self.w.op(STACK_GLOBAL);
                self.globals.push((module.clone(), name.clone()));
            }
            Expr::Memo(idx) => self.memo_get(*idx),
            Expr::Call { func, args } => {
                if let Some(range) = arity(func) {
                    assert!(
                        range.contains(&args.len()),
                        "{} called with {} arguments",
                        print_expr(func),
                        args.len()
                    );
                }
                self.expr(func);
                self.expr(&Expr::Tuple(args.clone()));
                self.w.op(REDUCE);
            }
            Expr::Partial { func, keywords } => {
                assert!(
                    matches!(**func, Expr::Memo(_)) || self.is_bound(func),
                    "partial of {}: the callable is written twice, so it must be a memo get",
                    print_expr(func)
                );
                let partial = Expr::global("functools", "partial");
                self.expr(&partial.call([(**func).clone()]));
                let kw = Expr::Dict(
                    keywords
                        .iter()
                        .map(|(k, v)| (Expr::Str(k.clone()), v.clone()))
                        .collect(),
                );
                self.expr(&Expr::Tuple(vec![
                    (**func).clone(),
                    Expr::Tuple(vec![]),
                    kw,
                    Expr::None,
                ]));
                self.w.op(BUILD);
            }
            Expr::Build { obj, state } => {
                self.expr(obj);
                self.expr(state);
                self.w.op(BUILD);
            }
            Expr::Memoize { name, slot, value } => {
                self.expr(value);
                let got = self.w.memoize();
                if let Some(want) = slot {
                    assert_eq!(got, *want, "{name} memoized at {got}, the layout says {want}");
                }
                // Only absolute indices can be reused; a descriptor's are relative.
                if self.context != Context::Descriptor {
                    match &**value {
                        Expr::Str(s) => {
                            self.bound.strings.entry(s.clone()).or_insert(got);
                        }
                        Expr::Global { module, name } => {
                            self.bound.globals.entry((module.clone(), name.clone())).or_insert(got);
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    fn is_bound(&self, e: &Expr) -> bool {
        match e {
            Expr::Global { module, name } => self.bound.globals.contains_key(&(module.clone(), name.clone())),
            _ => false,
        }
    }
}

/// The bindings of a program's pure memo entries below `limit` (for
/// [`crate::header`], which defines the contexts).
pub(crate) fn bindings_of(program: &Program, limit: u32) -> Bindings {
    Bindings::of(program, limit)
}

// ---- printing -------------------------------------------------------------------

/// Lines longer than this are broken at their outermost brackets.
const WIDTH: usize = 100;

/// Prints `program`, which runs in `context`, as Python, then each fragment
/// it carries under its label.
pub fn print_program(program: &Program, context: Context) -> String {
    let mut p = Printer::new(context);
    p.program(program, "");
    let mut out = String::new();
    let mut done = Vec::new();
    let mut pending: std::collections::VecDeque<Fragment> = std::mem::take(&mut p.fragments).into();
    out.push_str(&p.out);
    while let Some(f) = pending.pop_front() {
        if done.contains(&f.label) {
            continue;
        }
        done.push(f.label.clone());
        let mut fp = Printer::new(f.context);
        let _ = writeln!(fp.out, "\n# {} ({:?}):", f.label, f.context);
        fp.program(&f.program, "");
        out.push_str(&fp.out);
        pending.extend(fp.fragments);
    }
    out
}

/// Prints one expression on one line.
pub fn print_expr(e: &Expr) -> String {
    Printer::default().flat(e)
}

#[derive(Default)]
struct Printer {
    out: String,
    /// The first memo index of the program printed.
    first: u32,
    names: HashMap<u32, String>,
    fragments: Vec<Fragment>,
}

impl Printer {
    /// A printer for a program that runs in `context`, which knows the
    /// names of the header's slots defined there.
    fn new(context: Context) -> Printer {
        let known = match context {
            Context::Fresh => 0,
            Context::AfterCore => slot::CORE_COUNT,
            Context::Descriptor => slot::COUNT,
        };
        Printer {
            first: if context == Context::AfterCore { known } else { 0 },
            names: (0..known)
                .filter_map(|i| Some((i, slot::name(i)?.to_owned())))
                .collect(),
            ..Printer::default()
        }
    }
}

impl Printer {
    fn program(&mut self, program: &Program, indent: &str) {
        for s in &program.stmts {
            match s {
                Stmt::Proto => {}
                Stmt::Group(items) => {
                    for e in items {
                        self.stmt_line(indent, e, "");
                    }
                }
                Stmt::Discard(e) => self.stmt_line(indent, e, ""),
                Stmt::Return(e) => self.stmt_line(indent, e, "return "),
            }
        }
    }

    fn stmt_line(&mut self, indent: &str, e: &Expr, prefix: &str) {
        let text = match e {
            // A memoized value at statement level reads as an assignment.
            Expr::Memoize { name, value, .. } => {
                let v = self.pretty(value, indent.len(), indent.len() + name.len() + 3);
                self.learn(e);
                format!("{name} = {v}")
            }
            _ => self.pretty(e, indent.len(), indent.len() + prefix.len()),
        };
        let _ = writeln!(self.out, "{indent}{prefix}{text}");
    }

    /// Records the names of the memo entries `e` defines, in order.
    fn learn(&mut self, e: &Expr) {
        let mut next = self.names.keys().max().map_or(self.first, |m| m + 1);
        visit(e, &mut |e| {
            if let Expr::Memoize { name, slot, .. } = e {
                let idx = slot.unwrap_or(next);
                self.names.insert(idx, name.clone());
                next = idx + 1;
            }
        });
    }

    /// `e` on one line if it fits after `used` columns, else with its
    /// outermost brackets broken one item a line, indented from `indent`.
    fn pretty(&mut self, e: &Expr, indent: usize, used: usize) -> String {
        let flat = self.flat(e);
        if used + flat.len() <= WIDTH {
            return flat;
        }
        let inner = indent + 4;
        let pad = " ".repeat(indent);
        let ipad = " ".repeat(inner);
        let (open, items, close): (String, Vec<String>, &str) = match e {
            Expr::Call { func, args } if !is_attr(e) => {
                let f = self.flat(func);
                let items = args.iter().map(|a| self.pretty(a, inner, inner)).collect();
                (format!("{f}("), items, ")")
            }
            Expr::Tuple(items) if !items.is_empty() => (
                "(".into(),
                items.iter().map(|a| self.pretty(a, inner, inner)).collect(),
                ")",
            ),
            Expr::List(items) => (
                "[".into(),
                items.iter().map(|a| self.pretty(a, inner, inner)).collect(),
                "]",
            ),
            Expr::Dict(pairs) => {
                let items = pairs
                    .iter()
                    .map(|(k, v)| {
                        let k = self.flat(k);
                        let v = self.pretty(v, inner, inner + k.len() + 2);
                        format!("{k}: {v}")
                    })
                    .collect();
                ("{".into(), items, "}")
            }
            Expr::Build { obj, state } => {
                let items = vec![self.pretty(obj, inner, inner), self.pretty(state, inner, inner)];
                ("build(".into(), items, ")")
            }
            Expr::Partial { func, keywords } => {
                let mut items = vec![self.flat(func)];
                for (k, v) in keywords {
                    let v = self.pretty(v, inner, inner + k.len() + 1);
                    items.push(format!("{k}={v}"));
                }
                ("functools.partial(".into(), items, ")")
            }
            Expr::Memoize { name, value, .. } => {
                let v = self.pretty(value, indent, used + name.len() + 5);
                return format!("({name} := {v})");
            }
            _ => return flat,
        };
        let mut s = format!("{open}\n");
        for item in items {
            let _ = writeln!(s, "{ipad}{item},");
        }
        let _ = write!(s, "{pad}{close}");
        s
    }

    fn flat(&mut self, e: &Expr) -> String {
        match e {
            Expr::None => "None".into(),
            Expr::Bool(b) => if *b { "True" } else { "False" }.into(),
            Expr::Int(i) => i.to_string(),
            Expr::Str(s) => py_str(s),
            Expr::Bytes { label: Some(l), .. } => l.clone(),
            Expr::Bytes { data, label: None } => py_bytes(data),
            Expr::Pickled(f) => {
                self.fragments.push((**f).clone());
                f.label.clone()
            }
            Expr::Tuple(items) => match &items[..] {
                [one] => format!("({},)", self.flat(one)),
                _ => format!("({})", self.join(items)),
            },
            Expr::List(items) => format!("[{}]", self.join(items)),
            Expr::Dict(pairs) => {
                let parts: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| format!("{}: {}", self.flat(k), self.flat(v)))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
            Expr::Global { module, name } => format!("{module}.{name}"),
            Expr::Memo(idx) => self.names.get(idx).cloned().unwrap_or_else(|| format!("memo[{idx}]")),
            Expr::Call { func, args } => match (&**func, &args[..]) {
                (Expr::Global { module, name }, [obj, Expr::Str(attr)])
                    if module == "builtins" && name == "getattr" && crate::names::is_identifier(attr) =>
                {
                    format!("{}.{attr}", self.flat(obj))
                }
                _ => format!("{}({})", self.flat(func), self.join(args)),
            },
            Expr::Partial { func, keywords } => {
                let mut parts = vec![self.flat(func)];
                for (k, v) in keywords {
                    parts.push(format!("{k}={}", self.flat(v)));
                }
                format!("functools.partial({})", parts.join(", "))
            }
            Expr::Build { obj, state } => format!("build({}, {})", self.flat(obj), self.flat(state)),
            Expr::Memoize { name, value, .. } => {
                let v = self.flat(value);
                self.learn(e);
                format!("({name} := {v})")
            }
        }
    }

    fn join(&mut self, items: &[Expr]) -> String {
        let parts: Vec<String> = items.iter().map(|i| self.flat(i)).collect();
        parts.join(", ")
    }
}

fn is_attr(e: &Expr) -> bool {
    matches!(e, Expr::Call { func, args } if matches!(&**func, Expr::Global { module, name } if module == "builtins" && name == "getattr")
        && matches!(&args[..], [_, Expr::Str(a)] if crate::names::is_identifier(a)))
}

/// Calls `f` on `e` and its sub-expressions, in evaluation order.
fn visit(e: &Expr, f: &mut impl FnMut(&Expr)) {
    match e {
        Expr::Tuple(items) | Expr::List(items) => items.iter().for_each(|i| visit(i, f)),
        Expr::Dict(pairs) => pairs.iter().for_each(|(k, v)| {
            visit(k, f);
            visit(v, f);
        }),
        Expr::Call { func, args } => {
            visit(func, f);
            args.iter().for_each(|a| visit(a, f));
        }
        Expr::Partial { func, keywords } => {
            visit(func, f);
            keywords.iter().for_each(|(_, v)| visit(v, f));
        }
        Expr::Build { obj, state } => {
            visit(obj, f);
            visit(state, f);
        }
        Expr::Memoize { value, .. } => visit(value, f),
        _ => {}
    }
    if matches!(e, Expr::Memoize { .. }) {
        f(e);
    }
}

/// Python's `repr` of a `str`.
fn py_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr` of `bytes`, abbreviated past 48 bytes.
fn py_bytes(b: &[u8]) -> String {
    if b.len() > 48 {
        return format!("<{} bytes>", b.len());
    }
    let mut out = String::from("b'");
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\'"),
            b'\n' => out.push_str("\\n"),
            0x20..=0x7e => out.push(c as char),
            _ => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_compile_to_reduce_and_print_as_python() {
        let e = Expr::global("functools", "partial").call([Expr::global("builtins", "map"), Expr::str("x")]);
        let p = Program::new([Stmt::Return(e.clone())]);
        let c = p.compile(Context::Fresh);
        let mut w = OpWriter::new();
        w.global("functools", "partial");
        w.global("builtins", "map");
        w.str("x");
        w.tuple_close(2);
        w.reduce();
        w.op(STOP);
        assert_eq!(c.bytes, w.into_bytes());
        assert_eq!(print_expr(&e), "functools.partial(builtins.map, 'x')");
        assert_eq!(
            print_program(&p, Context::Fresh),
            "return functools.partial(builtins.map, 'x')\n"
        );
    }

    #[test]
    fn memoized_strings_and_globals_are_reused() {
        let p = Program::new([Stmt::Group(vec![
            Expr::str("builtins").memoize_at("b", 0),
            builtin("next").memoize_at("next", 1),
            builtin("next").call([builtin("map")]),
        ])]);
        let c = p.compile(Context::Fresh);
        let mut w = OpWriter::new();
        w.op(MARK);
        w.str("builtins");
        w.memoize();
        w.get(0);
        w.str("next");
        w.op(STACK_GLOBAL);
        w.memoize();
        w.get(1);
        w.get(0);
        w.str("map");
        w.op(STACK_GLOBAL);
        w.tuple_close(1);
        w.reduce();
        w.op(POP_MARK);
        assert_eq!(c.bytes, w.into_bytes());
        assert_eq!(c.memo_len, 2);
    }

    #[test]
    #[should_panic(expected = "builtins.next called with 3 arguments")]
    fn argument_counts_are_checked() {
        Program::new([Stmt::Discard(builtin("next").call([
            Expr::None,
            Expr::None,
            Expr::None,
        ]))])
        .compile(Context::Fresh);
    }

    #[test]
    #[should_panic(expected = "memoized at 0, the layout says 1")]
    fn memo_slots_are_checked() {
        Program::new([Stmt::Discard(Expr::None.memoize_at("x", 1))]).compile(Context::Fresh);
    }

    #[test]
    #[should_panic(expected = "os.system is not in globals::RECIPE")]
    fn unlisted_globals_are_refused() {
        Program::new([Stmt::Discard(Expr::global("os", "system"))]).compile(Context::Fresh);
    }

    #[test]
    fn keywords_go_through_partial_and_build() {
        let e = Expr::Memo(30).partial([("unsafe_hash", Expr::Bool(true))]);
        assert_eq!(print_expr(&e), "functools.partial(memo[30], unsafe_hash=True)");
        let c = Program::new([Stmt::Discard(e)]).compile(Context::Fresh);
        let mut w = OpWriter::new();
        w.global("functools", "partial");
        w.get(30);
        w.tuple_close(1);
        w.reduce();
        w.tuple_open(4);
        w.get(30);
        w.tuple_close(0);
        w.op(EMPTY_DICT);
        w.str("unsafe_hash");
        w.bool(true);
        w.op(SETITEM);
        w.none();
        w.tuple_close(4);
        w.op(BUILD);
        w.op(POP);
        assert_eq!(c.bytes, w.into_bytes());
    }

    #[test]
    fn long_expressions_break_at_their_brackets() {
        let fields: Vec<Expr> = (0..12).map(|i| Expr::str(format!("field_number_{i}"))).collect();
        let e = builtin("zip").call([Expr::Tuple(fields), Expr::str("x")]);
        let text = print_expr(&e);
        assert!(!text.contains('\n'));
        let p = print_program(&Program::new([Stmt::Discard(e)]), Context::Fresh);
        assert!(
            p.starts_with("builtins.zip(\n    (\n        'field_number_0',\n"),
            "{p}"
        );
    }

    #[test]
    fn python_reprs() {
        assert_eq!(py_str("it's"), "\"it's\"");
        assert_eq!(py_str("a\\b\n\x01"), "'a\\\\b\\n\\x01'");
        assert_eq!(py_bytes(b"a'\x00"), "b'a\\'\\x00'");
    }
}
