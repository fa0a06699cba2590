//! One opcode: [`Unpickler::step`] dispatches by family, each family's
//! method interprets its opcodes.

use super::text::{long_node, parse_decimal, py2_str, raw_unicode_escape, string_escape};
use super::{malformed, unsupported, Id, Node, Source, Sym, Unpickler, MAX_LINE, SLOT_COST};
use crate::opcodes::*;
use crate::read::error::{Error, ErrorKind};

impl<S: Source> Unpickler<'_, S> {
    /// Executes one opcode; `Some(root)` at `STOP`.
    pub(super) fn step(&mut self, op: u8) -> Result<Option<Id>, Error> {
        match op {
            STOP => return self.pop().map(Some),
            PROTO | FRAME | MARK | POP | POP_MARK | DUP => self.control(op)?,
            NONE | NEWTRUE | NEWFALSE | BININT1 | BININT2 | BININT | LONG1 | LONG4 | INT | LONG | BINFLOAT | FLOAT => {
                self.number(op)?
            }
            SHORT_BINUNICODE | BINUNICODE | BINUNICODE8 | UNICODE | SHORT_BINSTRING | BINSTRING | STRING => {
                self.string(op)?
            }
            SHORT_BINBYTES | BINBYTES | BINBYTES8 | BYTEARRAY8 => self.bytes(op)?,
            EMPTY_LIST | EMPTY_TUPLE | EMPTY_DICT | EMPTY_SET | LIST | TUPLE | TUPLE1..=TUPLE3 | FROZENSET | DICT => {
                self.container(op)?
            }
            APPEND | APPENDS | SETITEM | SETITEMS | ADDITEMS => self.fill_container(op)?,
            GET | BINGET | LONG_BINGET | PUT | BINPUT | LONG_BINPUT | MEMOIZE => self.memo_op(op)?,
            GLOBAL | STACK_GLOBAL => self.global_op(op)?,
            REDUCE | NEWOBJ | NEWOBJ_EX | INST | OBJ | BUILD => self.call_op(op)?,
            PERSID | BINPERSID | EXT1..=EXT4 | NEXT_BUFFER | READONLY_BUFFER => return Err(refused(op)),
            _ => return Err(Error::new(ErrorKind::UnknownOpcode(op))),
        }
        Ok(None)
    }

    /// Framing and the stack: `PROTO`, `FRAME`, `MARK`, `POP`, `POP_MARK`, `DUP`.
    fn control(&mut self, op: u8) -> Result<(), Error> {
        match op {
            PROTO => {
                let p = self.src.byte()?;
                if p > 5 {
                    return Err(unsupported(format!("pickle protocol {p} (this reader knows 0 to 5)")));
                }
                self.proto = p;
            }
            FRAME => {
                let n = self.len_u64()?;
                if self.src.remaining().is_none() {
                    // A reader loads the frame: charge it.
                    self.charge(usize::try_from(n).unwrap_or(usize::MAX))?;
                }
                self.src.frame(n)?;
            }
            MARK => {
                self.charge(SLOT_COST)?;
                self.marks.push(self.stack.len());
            }
            POP => {
                if self.stack.len() > self.marks.last().copied().unwrap_or(0) {
                    self.stack.pop();
                } else {
                    self.pop_mark()?;
                }
            }
            POP_MARK => {
                self.pop_mark()?;
            }
            DUP => {
                let id = self.top()?;
                self.push(id)?;
            }
            _ => unreachable!("not a control opcode: {op:#04x}"),
        }
        Ok(())
    }

    /// `None`, `bool`, `int` and `float`.
    fn number(&mut self, op: u8) -> Result<(), Error> {
        let node = match op {
            NONE => Node::None,
            NEWTRUE => Node::Bool(true),
            NEWFALSE => Node::Bool(false),
            BININT1 => {
                let [b] = self.take_array()?;
                Node::Int(i64::from(b))
            }
            BININT2 => Node::Int(i64::from(u16::from_le_bytes(self.take_array()?))),
            BININT => Node::Int(i64::from(i32::from_le_bytes(self.take_array()?))),
            LONG1 => {
                let [n] = self.take_array()?;
                long_node(self.take(u64::from(n))?)
            }
            LONG4 => {
                let n = u32::from_le_bytes(self.take_array()?);
                if n > i32::MAX as u32 {
                    return Err(malformed("LONG4 with a negative byte count"));
                }
                long_node(self.take(u64::from(n))?)
            }
            INT => {
                let line = self.line()?;
                match line.as_str() {
                    "00" => Node::Bool(false),
                    "01" => Node::Bool(true),
                    s => parse_decimal(s)?,
                }
            }
            LONG => {
                let line = self.line()?;
                parse_decimal(line.strip_suffix('L').unwrap_or(&line))?
            }
            BINFLOAT => Node::Float(f64::from_be_bytes(self.take_array()?)),
            FLOAT => {
                let line = self.line()?;
                let v: f64 = line
                    .trim()
                    .parse()
                    .map_err(|_| malformed(format!("FLOAT argument {line:?} is not a float")))?;
                Node::Float(v)
            }
            _ => unreachable!("not a number opcode: {op:#04x}"),
        };
        self.push_new(node)
    }

    /// `str`, and Python 2 `str` (a `str` when UTF-8, else `bytes`).
    fn string(&mut self, op: u8) -> Result<(), Error> {
        let node = match op {
            SHORT_BINUNICODE => {
                let [n] = self.take_array()?;
                Node::Str(self.utf8(u64::from(n))?)
            }
            BINUNICODE => {
                let n = self.len_u32()?;
                Node::Str(self.utf8(n)?)
            }
            BINUNICODE8 => {
                let n = self.len_u64()?;
                Node::Str(self.utf8(n)?)
            }
            UNICODE => {
                let line = self.src.line(MAX_LINE)?.to_vec();
                self.charge(line.len())?;
                Node::Str(raw_unicode_escape(&line)?)
            }
            SHORT_BINSTRING => {
                let [n] = self.take_array()?;
                py2_str(self.take(u64::from(n))?.to_vec())
            }
            BINSTRING => {
                let n = i32::from_le_bytes(self.take_array()?);
                let n = u64::try_from(n).map_err(|_| malformed("BINSTRING with a negative length"))?;
                py2_str(self.take(n)?.to_vec())
            }
            STRING => {
                let line = self.src.line(MAX_LINE)?.to_vec();
                self.charge(line.len())?;
                py2_str(string_escape(&line)?)
            }
            _ => unreachable!("not a string opcode: {op:#04x}"),
        };
        self.push_new(node)
    }

    /// `bytes` and `bytearray`.
    fn bytes(&mut self, op: u8) -> Result<(), Error> {
        let node = match op {
            SHORT_BINBYTES => {
                let [n] = self.take_array()?;
                Node::Bytes(self.take(u64::from(n))?.to_vec())
            }
            BINBYTES => {
                let n = self.len_u32()?;
                Node::Bytes(self.take(n)?.to_vec())
            }
            BINBYTES8 => {
                let n = self.len_u64()?;
                Node::Bytes(self.take(n)?.to_vec())
            }
            BYTEARRAY8 => {
                let n = self.len_u64()?;
                Node::ByteArray(self.take(n)?.to_vec())
            }
            _ => unreachable!("not a bytes opcode: {op:#04x}"),
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
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.pop()?);
                }
                items.reverse();
                Node::Tuple(items)
            }
            FROZENSET => Node::FrozenSet(self.pop_mark()?),
            DICT => {
                let items = self.pop_mark()?;
                Node::Dict(pairs(items)?)
            }
            _ => unreachable!("not a container opcode: {op:#04x}"),
        };
        self.push_new(node)
    }

    /// Items added to the container on top: `APPEND(S)`, `SETITEM(S)`, `ADDITEMS`.
    fn fill_container(&mut self, op: u8) -> Result<(), Error> {
        match op {
            APPEND => {
                let item = self.pop()?;
                self.extend_list(vec![item])
            }
            APPENDS => {
                let items = self.pop_mark()?;
                self.extend_list(items)
            }
            SETITEM => {
                let v = self.pop()?;
                let k = self.pop()?;
                self.extend_dict(vec![(k, v)])
            }
            SETITEMS => {
                let items = self.pop_mark()?;
                let pairs = pairs(items)?;
                self.extend_dict(pairs)
            }
            ADDITEMS => {
                let items = self.pop_mark()?;
                self.charge(items.len() * SLOT_COST)?;
                let top = self.top()?;
                match &mut self.nodes[top as usize] {
                    Node::Set(set) => set.extend(items),
                    _ => return Err(malformed(format!("ADDITEMS to a {}", self.type_name(top)))),
                }
                Ok(())
            }
            _ => unreachable!("not a container-filling opcode: {op:#04x}"),
        }
    }

    fn extend_list(&mut self, items: Vec<Id>) -> Result<(), Error> {
        self.charge(items.len() * SLOT_COST)?;
        let top = self.top()?;
        match &mut self.nodes[top as usize] {
            Node::List(list) => list.extend(items),
            _ => return Err(malformed(format!("APPEND to a {}", self.type_name(top)))),
        }
        Ok(())
    }

    fn extend_dict(&mut self, pairs: Vec<(Id, Id)>) -> Result<(), Error> {
        self.charge(pairs.len() * 2 * SLOT_COST)?;
        let top = self.top()?;
        match &mut self.nodes[top as usize] {
            Node::Dict(dict) => dict.extend(pairs),
            _ => return Err(malformed(format!("SETITEM to a {}", self.type_name(top)))),
        }
        Ok(())
    }

    /// Memo gets and puts.
    fn memo_op(&mut self, op: u8) -> Result<(), Error> {
        match op {
            GET => {
                let idx = self.line()?;
                let idx = idx
                    .parse()
                    .map_err(|_| malformed(format!("GET argument {idx:?} is not an index")))?;
                self.memo_get(idx)
            }
            BINGET => {
                let [i] = self.take_array()?;
                self.memo_get(u64::from(i))
            }
            LONG_BINGET => {
                let i = self.len_u32()?;
                self.memo_get(i)
            }
            PUT => {
                let idx = self.line()?;
                let idx = idx
                    .parse()
                    .map_err(|_| malformed(format!("PUT argument {idx:?} is not an index")))?;
                let top = self.top()?;
                self.memo_put(idx, top)
            }
            BINPUT => {
                let [i] = self.take_array()?;
                let top = self.top()?;
                self.memo_put(u64::from(i), top)
            }
            LONG_BINPUT => {
                let i = self.len_u32()?;
                let top = self.top()?;
                self.memo_put(i, top)
            }
            MEMOIZE => {
                let top = self.top()?;
                let idx = self.memo.len() as u64;
                self.memo_put(idx, top)
            }
            _ => unreachable!("not a memo opcode: {op:#04x}"),
        }
    }

    /// `GLOBAL` and `STACK_GLOBAL`: resolved and admitted (see [`super::admit`]).
    fn global_op(&mut self, op: u8) -> Result<(), Error> {
        let id = match op {
            GLOBAL => {
                let module = self.line()?;
                let name = self.line()?;
                self.global(&module, &name)?
            }
            STACK_GLOBAL => {
                let name = self.pop()?;
                let module = self.pop()?;
                let (Some(m), Some(n)) = (self.str_of(module), self.str_of(name)) else {
                    return Err(malformed("STACK_GLOBAL needs two str"));
                };
                let (m, n) = (m.to_owned(), n.to_owned());
                self.global(&m, &n)?
            }
            _ => unreachable!("not a global opcode: {op:#04x}"),
        };
        self.push(id)
    }

    /// Calls, recorded (see [`super::call`]), and `BUILD`.
    fn call_op(&mut self, op: u8) -> Result<(), Error> {
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
                let kwargs = match &self.nodes[kwargs as usize] {
                    Node::Dict(pairs) => pairs.clone(),
                    _ => return Err(malformed("NEWOBJ_EX keyword arguments must be a dict")),
                };
                self.new_object(cls, args, kwargs)?
            }
            INST => {
                let module = self.line()?;
                let name = self.line()?;
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
                match &mut self.nodes[target as usize] {
                    Node::Object(obj) => obj.state = Some(state),
                    // Descriptors set `__doc__` and attach variant classes: nothing to record.
                    Node::Global(_) => {}
                    Node::Sym(sym) if matches!(**sym, Sym::Enum(..)) => {}
                    _ => return Err(malformed(format!("BUILD on a {}", self.type_name(target)))),
                }
                return Ok(());
            }
            _ => unreachable!("not a call opcode: {op:#04x}"),
        };
        self.push(id)
    }
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

/// The items above a mark as `(key, value)` pairs.
fn pairs(items: Vec<Id>) -> Result<Vec<(Id, Id)>, Error> {
    if items.len() % 2 != 0 {
        return Err(malformed("odd number of items for a dict"));
    }
    Ok(items.chunks_exact(2).map(|c| (c[0], c[1])).collect())
}
