//! One opcode: [`Unpickler::step`] dispatches by family, each family's
//! method interprets its opcodes.

use super::text::{long_node, parse_decimal, py2_str};
use super::{malformed, unsupported, Id, Node, Source, Sym, Unpickler, MAX_LINE};
use crate::layout::slot;
use crate::opcodes::*;
use crate::read::error::{Error, ErrorKind};
use crate::read::ops::Arg;

impl<S: Source> Unpickler<'_, S> {
    /// Executes one opcode with its decoded argument; `Some(root)` at `STOP`.
    pub(super) fn step(&mut self, op: u8, arg: Arg) -> Result<Option<Id>, Error> {
        match op {
            STOP => return self.pop().map(Some),
            PROTO | FRAME | MARK | POP | POP_MARK | DUP => self.control(op, arg)?,
            NONE | NEWTRUE | NEWFALSE | BININT1 | BININT2 | BININT | LONG1 | LONG4 | INT | LONG | BINFLOAT | FLOAT => {
                self.number(op, arg)?
            }
            SHORT_BINUNICODE | BINUNICODE | BINUNICODE8 | UNICODE | SHORT_BINSTRING | BINSTRING | STRING
            | SHORT_BINBYTES | BINBYTES | BINBYTES8 | BYTEARRAY8 => self.string(op, arg)?,
            EMPTY_LIST | EMPTY_TUPLE | EMPTY_DICT | EMPTY_SET | LIST | TUPLE | TUPLE1..=TUPLE3 | FROZENSET | DICT => {
                self.container(op)?
            }
            APPEND | APPENDS | SETITEM | SETITEMS | ADDITEMS => self.fill_container(op)?,
            GET | BINGET | LONG_BINGET | PUT | BINPUT | LONG_BINPUT | MEMOIZE => self.memo_op(op, arg)?,
            GLOBAL | STACK_GLOBAL => self.global_op(arg)?,
            REDUCE | NEWOBJ | NEWOBJ_EX | INST | OBJ | BUILD => self.call_op(op, arg)?,
            PERSID | BINPERSID | EXT1..=EXT4 | NEXT_BUFFER | READONLY_BUFFER => return Err(refused(op)),
            _ => return Err(Error::new(ErrorKind::UnknownOpcode(op))),
        }
        Ok(None)
    }

    /// Framing and the stack: `PROTO`, `FRAME`, `MARK`, `POP`, `POP_MARK`, `DUP`.
    fn control(&mut self, op: u8, arg: Arg) -> Result<(), Error> {
        match (op, arg) {
            (PROTO, Arg::Index(p)) => {
                if p > 5 {
                    return Err(unsupported(format!("pickle protocol {p} (this reader knows 0 to 5)")));
                }
                self.proto = p as u8;
            }
            // A reader loads the frame (charged as it grows).
            (FRAME, Arg::Index(n)) => self.src.frame(n, &mut self.budget)?,
            (MARK, _) => {
                self.budget.reserve(&mut self.marks, 1)?;
                self.marks.push(self.stack.len());
            }
            (POP, _) => {
                if self.stack.len() > self.marks.last().copied().unwrap_or(0) {
                    self.stack.pop();
                } else {
                    let mark = self.pop_mark_index()?;
                    self.stack.truncate(mark);
                }
                if self.stack.is_empty() {
                    self.trace_statement_end();
                }
            }
            (POP_MARK, _) => {
                let mark = self.pop_mark_index()?;
                self.stack.truncate(mark);
            }
            (DUP, _) => {
                let id = self.top()?;
                self.push(id)?;
            }
            (op, arg) => unreachable!("not a control opcode: {op:#04x} {arg:?}"),
        }
        Ok(())
    }

    /// `None`, `bool`, `int` and `float`.
    fn number(&mut self, op: u8, arg: Arg) -> Result<(), Error> {
        let node = match arg {
            Arg::None => match op {
                NEWTRUE => Node::Bool(true),
                NEWFALSE => Node::Bool(false),
                _ => Node::None,
            },
            Arg::Int(v) => Node::Int(v),
            Arg::Long(le) => self.long(le)?,
            Arg::Decimal(s) => match s.as_str() {
                "00" if op == INT => Node::Bool(false),
                "01" if op == INT => Node::Bool(true),
                s => parse_decimal(s)?,
            },
            Arg::Float(v) => Node::Float(v),
            arg => unreachable!("not a number argument: {arg:?}"),
        };
        self.push_new(node)
    }
    /// The int of `LONG1`/`LONG4` bytes (the bytes are freed after).
    fn long(&mut self, le: Vec<u8>) -> Result<Node, Error> {
        if le.len() > 8 {
            self.charge(le.len())?;
        }
        let node = long_node(&le);
        self.budget.release_vec(&le);
        Ok(node)
    }

    /// `str`, `bytes`, `bytearray`, and Python 2 `str` (a `str` when UTF-8,
    /// else `bytes`).
    fn string(&mut self, op: u8, arg: Arg) -> Result<(), Error> {
        let node = match (op, arg) {
            (_, Arg::Str(s)) => Node::Str(s),
            (SHORT_BINSTRING | BINSTRING | STRING, Arg::Bytes(b)) => py2_str(b),
            (BYTEARRAY8, Arg::Bytes(b)) => Node::ByteArray(b),
            (_, Arg::Bytes(b)) => Node::Bytes(b),
            (op, arg) => unreachable!("not a string opcode: {op:#04x} {arg:?}"),
        };
        self.push_new(node)
    }

    /// A new container: empty, or of the items above the mark (`TUPLE1`–`3`:
    /// of the top items).
    fn container(&mut self, op: u8) -> Result<(), Error> {
        let node = match op {
            EMPTY_LIST => Node::List(Vec::new()),
            EMPTY_TUPLE => Node::Tuple(Vec::new()),
            EMPTY_DICT => Node::Dict(Vec::new()),
            EMPTY_SET => Node::Set(Vec::new()),
            LIST => Node::List(self.pop_mark()?),
            TUPLE => Node::Tuple(self.pop_mark()?),
            TUPLE1..=TUPLE3 => {
                let n = usize::from(op - TUPLE1) + 1;
                let mut items = self.budget.vec(n)?;
                for _ in 0..n {
                    items.push(self.pop()?);
                }
                items.reverse();
                Node::Tuple(items)
            }
            FROZENSET => Node::FrozenSet(self.pop_mark()?),
            DICT => {
                let mark = self.pop_mark_index()?;
                let items = &self.stack[mark..];
                check_pairs(items)?;
                let mut pairs = self.budget.vec(items.len() / 2)?;
                pairs.extend(items.chunks_exact(2).map(|c| (c[0], c[1])));
                self.stack.truncate(mark);
                Node::Dict(pairs)
            }
            _ => unreachable!("not a container opcode: {op:#04x}"),
        };
        self.push_new(node)
    }

    /// Items added to the container on top: `APPEND(S)`, `SETITEM(S)`,
    /// `ADDITEMS`. The items go straight from the stack into the container,
    /// which grows as a Python list does (charged as it grows).
    fn fill_container(&mut self, op: u8) -> Result<(), Error> {
        // The items: `one[..n]`, or `stack[mark..]` for the mark forms.
        let mut one = [0; 2];
        let (target, n, mark) = match op {
            APPEND => {
                one[0] = self.pop()?;
                (self.top()?, 1, None)
            }
            SETITEM => {
                one[1] = self.pop()?;
                one[0] = self.pop()?;
                (self.top()?, 2, None)
            }
            APPENDS | SETITEMS | ADDITEMS => {
                let mark = self.pop_mark_index()?;
                (self.below_mark(mark)?, 0, Some(mark))
            }
            _ => unreachable!("not a container-filling opcode: {op:#04x}"),
        };
        let items = match mark {
            Some(mark) => &self.stack[mark..],
            None => &one[..n],
        };
        let budget = &mut self.budget;
        match (op, self.nodes.get_mut(target)) {
            (APPEND | APPENDS, Some(Node::List(list))) => {
                budget.reserve(list, items.len())?;
                list.extend_from_slice(items);
            }
            (SETITEM | SETITEMS, Some(Node::Dict(dict))) => {
                check_pairs(items)?;
                budget.reserve(dict, items.len() / 2)?;
                dict.extend(items.chunks_exact(2).map(|c| (c[0], c[1])));
            }
            (ADDITEMS, Some(Node::Set(set))) => {
                budget.reserve(set, items.len())?;
                set.extend_from_slice(items);
            }
            _ => {
                let what = match op {
                    APPEND | APPENDS => "APPEND",
                    SETITEM | SETITEMS => "SETITEM",
                    _ => "ADDITEMS",
                };
                return Err(malformed(format!("{what} to a {}", self.type_name(target))));
            }
        }
        if let Some(mark) = mark {
            self.stack.truncate(mark);
        }
        Ok(())
    }

    /// Memo gets and puts.
    fn memo_op(&mut self, op: u8, arg: Arg) -> Result<(), Error> {
        let idx = match arg {
            Arg::Index(i) => i,
            _ => self.memo_len() as u64,
        };
        match op {
            BINGET if idx == u64::from(slot::NEXT) && self.array_tools()? => Ok(()),
            BINGET if self.session_prologue(idx)? => Ok(()),
            GET | BINGET | LONG_BINGET => self.memo_get(idx),
            _ => {
                let top = self.boxed_top()?;
                self.memo_put(idx, top)
            }
        }
    }

    /// `GLOBAL` and `STACK_GLOBAL`: resolved and admitted (see [`super::admit`]).
    fn global_op(&mut self, arg: Arg) -> Result<(), Error> {
        let id = match arg {
            Arg::Global(module, name) => self.global(&module, &name)?,
            _ => {
                let name = self.pop()?;
                let module = self.pop()?;
                let (Some(m), Some(n)) = (self.str_of(module), self.str_of(name)) else {
                    return Err(malformed("STACK_GLOBAL needs two str"));
                };
                // As long as a `GLOBAL` line may be, so the copies stay small.
                if m.len().max(n.len()) > MAX_LINE {
                    return Err(name_too_long());
                }
                let (m, n) = (m.to_owned(), n.to_owned());
                self.global(&m, &n)?
            }
        };
        self.push(id)
    }

    /// Calls, recorded (see [`super::call`]), and `BUILD`.
    fn call_op(&mut self, op: u8, arg: Arg) -> Result<(), Error> {
        let id = match op {
            REDUCE => {
                let args = self.pop()?;
                let callable = self.pop()?;
                let args = self.tuple_items(args, "REDUCE arguments")?;
                self.sym_work = 0;
                self.call(callable, args, 0)?
            }
            NEWOBJ => {
                let args = self.pop()?;
                let cls = self.pop()?;
                let args = self.tuple_items(args, "NEWOBJ arguments")?;
                self.new_object(cls, args, Vec::new())?
            }
            NEWOBJ_EX => {
                let kwargs = self.pop()?;
                let args = self.pop()?;
                let cls = self.pop()?;
                let args = self.tuple_items(args, "NEWOBJ_EX arguments")?;
                let kwargs = self.kwargs_of(kwargs, "NEWOBJ_EX keyword arguments must be a dict")?;
                self.new_object(cls, args, kwargs)?
            }
            INST => {
                let Arg::Global(module, name) = arg else {
                    unreachable!("INST decodes to a global")
                };
                let args = self.pop_mark()?;
                let cls = self.global(&module, &name)?;
                self.call(cls, args, 0)?
            }
            OBJ => {
                let mut items = self.pop_mark()?;
                if items.is_empty() {
                    return Err(malformed("OBJ without a class"));
                }
                let cls = items.remove(0);
                self.call(cls, items, 0)?
            }
            BUILD => {
                let state = self.pop()?;
                let target = self.top()?;
                match self.nodes.get_mut(target) {
                    Some(Node::Object(obj)) => obj.state = Some(state),
                    // Descriptors name a class and attach variant classes:
                    // nothing to record, but nothing else is admitted.
                    Some(Node::Global(_)) => self.check_class_build(target, state)?,
                    Some(Node::Sym(sym)) if matches!(**sym, Sym::Enum(..)) => self.check_class_build(target, state)?,
                    Some(Node::Sym(sym)) if matches!(**sym, Sym::Ordered(_, false)) => {
                        self.build_ordered(target, state)?
                    }
                    _ => return Err(malformed(format!("BUILD on a {}", self.type_name(target)))),
                }
                return Ok(());
            }
            _ => unreachable!("not a call opcode: {op:#04x}"),
        };
        self.push(id)
    }
}

impl<S: Source> Unpickler<'_, S> {
    /// `BUILD` on a class, which sets class attributes in Python: only as
    /// descriptors do, on a class of the namespace, with the slot state
    /// `(None, {name: value})` where each name is `__module__` or
    /// `__qualname__` (a `str`) or a variant's name (a class of the
    /// namespace). Anything else could replace a method with any callable.
    fn check_class_build(&self, target: Id, state: Id) -> Result<(), Error> {
        let misuse = || malformed("BUILD on a class other than a class descriptor's");
        if !self.is_namespace_class(target) {
            return Err(misuse());
        }
        let Node::Tuple(parts) = self.node(state) else {
            return Err(misuse());
        };
        let [none, attrs] = parts[..] else {
            return Err(misuse());
        };
        let (Node::None, Node::Dict(pairs)) = (self.node(none), self.node(attrs)) else {
            return Err(misuse());
        };
        for &(k, v) in pairs {
            let ok = match (self.str_of(k), self.node(v)) {
                (Some("__module__" | "__qualname__"), Node::Str(_)) => true,
                (Some(name), _) => {
                    portable_format::names::is_dotted_identifier(name)
                        && !name.contains('.')
                        && !name.starts_with('_')
                        && self.is_namespace_class(v)
                }
                _ => false,
            };
            if !ok {
                return Err(misuse());
            }
        }
        Ok(())
    }
}

/// A global's module or name beyond [`MAX_LINE`].
pub(super) fn name_too_long() -> Error {
    Error::new(ErrorKind::Limit {
        what: "length of a global's module or name",
        limit: MAX_LINE,
    })
}

/// Why an opcode the reader knows is refused.
fn refused(op: u8) -> Error {
    match op {
        PERSID | BINPERSID => unsupported(
            "persistent IDs (PERSID/BINPERSID) need a persistent_load hook, which this reader does not have",
        ),
        NEXT_BUFFER => unsupported("out-of-band buffers (NEXT_BUFFER) are not supported"),
        READONLY_BUFFER => unsupported("out-of-band buffers (READONLY_BUFFER) are not supported"),
        EXT1..=EXT4 => unsupported("the copyreg extension registry (EXT1/EXT2/EXT4) is not supported"),
        _ => unreachable!("not a refused opcode: {op:#04x}"),
    }
}

/// Items that make `(key, value)` pairs.
fn check_pairs(items: &[Id]) -> Result<(), Error> {
    if items.len() % 2 != 0 {
        return Err(malformed("odd number of items for a dict"));
    }
    Ok(())
}
