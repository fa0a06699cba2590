//! Compiling programs to opcodes through the one [`OpWriter`], with the
//! checks hand-written stack code lacked.

use std::collections::HashMap;
use std::ops::Range;

use super::{print_expr, Compiled, Context, Expr, Program, Stmt};
use crate::globals;
use crate::layout::{slot, SESSION_MODULE};
use crate::opcodes::*;
use crate::writer::OpWriter;

impl Expr {
    /// The opcodes that push this expression's value, compiled in
    /// `context`, with nothing popped after it: a fragment the writer
    /// places inside a body (a session's lazy class lookup).
    pub fn compile_value(&self, context: Context) -> Vec<u8> {
        let mut c = Compiler::new(context);
        c.expr(self);
        c.w.into_bytes()
    }
}

impl Program {
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
            relocations: c.relocations,
        }
    }
}

/// Strings and globals memoized by the programs a context runs after.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Bindings {
    strings: HashMap<String, u32>,
    globals: HashMap<(String, String), u32>,
}

impl Bindings {
    /// Bindings from a table of slots: a string (`name` `None`) or a
    /// global (`module`, `name`) each.
    pub(crate) fn from_slots<'a>(slots: impl Iterator<Item = &'a (u32, &'a str, Option<&'a str>)>) -> Bindings {
        let mut b = Bindings::default();
        for &(slot, module, name) in slots {
            match name {
                None => b.strings.insert(module.to_owned(), slot),
                Some(name) => b.globals.insert((module.to_owned(), name.to_owned()), slot),
            };
        }
        b
    }

    /// The bindings of the memo entries of `program`'s pure values
    /// (strings, globals) below `limit`.
    #[cfg(test)]
    fn of(program: &Program, limit: u32, context: Context) -> Bindings {
        let mut c = Compiler::new(context);
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
    /// See [`Compiled::relocations`].
    relocations: Vec<u32>,
}

impl Compiler {
    fn new(context: Context) -> Compiler {
        let (start, bound) = match context {
            Context::Fresh => (0, Bindings::default()),
            Context::AfterCore => (slot::CORE_COUNT, crate::header::core_bindings()),
            Context::Descriptor => (0, crate::header::header_bindings()),
            Context::Reference => (0, Bindings::default()),
            Context::Strict => (0, Bindings::default()),
            Context::StrictDescriptor => (0, crate::strict::header_bindings()),
        };
        Compiler {
            w: OpWriter::with_memo_len(start),
            context,
            start,
            bound,
            spans: Vec::new(),
            globals: Vec::new(),
            relocations: Vec::new(),
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
            Context::Reference => false,
            Context::StrictDescriptor => idx < crate::strict::slot::COUNT,
            // Fragments after the core may read entries a sibling fragment defined.
            Context::AfterCore | Context::Fresh | Context::Strict => true,
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
            Expr::Tuple(items) => self.tuple(items),
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
            Expr::Global { module, name } if self.context == Context::Reference => {
                assert_eq!(
                    module, SESSION_MODULE,
                    "a session reference names the session module only"
                );
                self.w.global_line(module, name);
                self.globals.push((module.clone(), name.clone()));
            }
            Expr::Global { module, name } => {
                if let Some(&idx) = self.bound.globals.get(&(module.clone(), name.clone())) {
                    return self.w.get(idx);
                }
                if matches!(self.context, Context::Strict | Context::StrictDescriptor) {
                    assert!(
                        globals::STRICT.contains(&(module.as_str(), name.as_str())),
                        "{module}.{name} is not in globals::STRICT"
                    );
                } else {
                    assert!(
                        globals::RECIPE.contains(&(module.as_str(), name.as_str())),
                        "{module}.{name} is not in globals::RECIPE"
                    );
                }
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
                self.tuple(args);
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
            Expr::Own { name, slot } => {
                assert!(
                    self.context == Context::StrictDescriptor && *slot < self.w.memo_len(),
                    "{name}: a strict descriptor reads only its own entries defined before"
                );
                self.w.op(LONG_BINGET);
                self.relocations.push(self.w.len() as u32);
                self.w.raw(&slot.to_le_bytes());
            }
            Expr::Memoize { name, slot, value } => {
                self.expr(value);
                let got = self.w.memoize();
                if let Some(want) = slot {
                    assert_eq!(got, *want, "{name} memoized at {got}, the layout says {want}");
                }
                // Only absolute indices can be reused; a descriptor's are relative.
                if !matches!(
                    self.context,
                    Context::Descriptor | Context::Reference | Context::StrictDescriptor
                ) {
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

    fn tuple(&mut self, items: &[Expr]) {
        self.w.tuple_open(items.len());
        for i in items {
            self.expr(i);
        }
        self.w.tuple_close(items.len());
    }

    fn is_bound(&self, e: &Expr) -> bool {
        match e {
            Expr::Global { module, name } => self.bound.globals.contains_key(&(module.clone(), name.clone())),
            _ => false,
        }
    }
}

/// The bindings of a program's pure memo entries below `limit` (the tests
/// check the tables of [`crate::header`] and [`crate::strict`] with it).
#[cfg(test)]
pub(crate) fn bindings_of(program: &Program, limit: u32) -> Bindings {
    Bindings::of(program, limit, Context::Fresh)
}

/// [`bindings_of`] for a program compiled in `context` (the strict header).
#[cfg(test)]
pub(crate) fn bindings_in(program: &Program, limit: u32, context: Context) -> Bindings {
    Bindings::of(program, limit, context)
}
