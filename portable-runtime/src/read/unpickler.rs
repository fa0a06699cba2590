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
//! [`Object`]; a few stdlib globals that merely spell a builtin container
//! (`set`, `frozenset`, `bytearray`, `bytes`, `OrderedDict`, `_codecs.encode`,
//! `copyreg.__newobj__`, `copyreg._reconstructor`) are folded into that
//! container. The header's helper callables (memo slots 0–22 after the
//! recognised header) are interpreted symbolically, just enough to learn each
//! class descriptor's class name and field names.

use std::collections::HashMap;
use std::rc::Rc;

use super::error::{Error, ErrorKind};
use super::source::{SliceSource, Source};
use super::value::{BigInt, Call, Global, Object, Value};
use super::{KnownPrefixes, ReadOptions};
use crate::layout::{slot, NAMESPACE};

type Id = u32;

/// Size charged for every arena node and every stack or container slot.
const NODE_COST: usize = std::mem::size_of::<Node>();
const SLOT_COST: usize = 8;
/// Longest text argument of a protocol-0 opcode (a decimal int is limited
/// to 4300 digits, as in CPython).
const MAX_LINE: usize = 64 * 1024;
const MAX_INT_DIGITS: usize = 4300;
/// Bound on the items a header helper iterator may hold and on the work of
/// one symbolic call: descriptors use one or two.
const SYM_MAX_ITEMS: usize = 64;
const SYM_MAX_WORK: usize = 1 << 20;

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

/// Objects of the header and class descriptors, interpreted symbolically.
enum Sym {
    /// A header helper at this memo slot (`next`, `map`, `lookup`, …).
    Fn(u32),
    /// The runtime namespace module (slot 11).
    Module,
    /// `partial(register, key)`.
    Register(String),
    /// A (lazy, here eager) iterator of `map`/`starmap`/`chain`/`filter`.
    Iter(Vec<Id>),
    /// An `enum.Enum` class built by a descriptor: members and their values.
    Enum(Rc<Global>, Vec<(String, Id)>),
    /// `functools.partial(f, *args)` of a helper other than `register`.
    Partial(Id, Vec<Id>),
    /// The standalone bootstrap (header slot 22).
    Standalone,
    /// A class pickle: the standalone bootstrap followed by these bytes (a
    /// class definition and its selection, then `STOP`).
    ClassPickle(Vec<u8>),
    /// `importlib.util.find_spec`: no module is ever found here.
    FindSpec,
    /// `importlib.import_module`: never reached, as no spec is found.
    ImportModule,
    /// `builtins.zip`.
    Zip,
}

fn malformed(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Malformed(msg.into()))
}

fn unsupported(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unsupported(msg.into()))
}

fn helper_misuse(what: &str) -> Error {
    malformed(format!(
        "header helper `{what}` used outside the shape of a portable-pickle class descriptor"
    ))
}

/// Which globals a read admits, beyond the fixed table.
pub(crate) struct Admit<'a> {
    pub(crate) options: &'a ReadOptions,
    /// Class names (`__qualname__`s) of the target Rust type: admitted from any module.
    pub(crate) class_names: &'a dyn Fn(&str) -> bool,
}

/// The fixed table of stdlib globals, after mapping Python 2 names.
const STD_GLOBALS: &[(&str, &[&str])] = &[
    (
        "datetime",
        &[
            "date",
            "time",
            "datetime",
            "timedelta",
            "timezone",
            "tzinfo",
            "timezone.utc",
        ],
    ),
    ("decimal", &["Decimal"]),
    ("uuid", &["UUID", "SafeUUID"]),
    (
        "ipaddress",
        &[
            "IPv4Address",
            "IPv6Address",
            "IPv4Network",
            "IPv6Network",
            "IPv4Interface",
            "IPv6Interface",
        ],
    ),
    (
        "builtins",
        &[
            "set",
            "frozenset",
            "bytearray",
            "bytes",
            "complex",
            "range",
            "object",
            "getattr",
        ],
    ),
    ("collections", &["OrderedDict"]),
    // Only to read a class pickle (see `Unpickler::call`).
    ("pickle", &["loads"]),
    ("_pickle", &["loads"]),
    ("copyreg", &["_reconstructor", "__newobj__", "__newobj_ex__"]),
    ("_codecs", &["encode"]),
];

/// Python 2 names CPython writes at protocols 0–2 (`fix_imports`).
fn python3_name<'a>(module: &'a str, name: &'a str) -> (&'a str, &'a str) {
    match (module, name) {
        ("__builtin__", "xrange") => ("builtins", "range"),
        ("__builtin__", n) => ("builtins", n),
        ("copy_reg", n) => ("copyreg", n),
        (m, n) => (m, n),
    }
}

/// The Python name of a class registered in the namespace under its key:
/// `Point_<16 hex digits>` is `Point`, `Shape_<16 hex digits>_Circle` is
/// `Shape.Circle` (see `descriptor::TypeSpec::encode`).
fn class_name_of_key(key: &str) -> Option<String> {
    let parts: Vec<&str> = key.split('_').collect();
    let at = parts
        .iter()
        .enumerate()
        .skip(1)
        .rposition(|(_, p)| p.len() == 16 && p.bytes().all(|b| b.is_ascii_hexdigit()))?
        + 1;
    let base = parts[..at].join("_");
    let variant = parts[at + 1..].join("_");
    match (base.is_empty(), variant.is_empty()) {
        (true, _) => None,
        (false, true) => Some(base),
        (false, false) => Some(format!("{base}.{variant}")),
    }
}

fn is_dotted_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            let mut c = part.chars();
            matches!(c.next(), Some(f) if f == '_' || f.is_alphabetic()) && c.all(|c| c == '_' || c.is_alphanumeric())
        })
}

impl Admit<'_> {
    fn admits(&self, module: &str, name: &str) -> bool {
        if !is_dotted_identifier(module) || !is_dotted_identifier(name) {
            return false;
        }
        module == NAMESPACE
            || STD_GLOBALS
                .iter()
                .any(|(m, names)| *m == module && names.contains(&name))
            || (self.class_names)(name)
            || self
                .options
                .allowed_globals
                .iter()
                .any(|(m, n)| m == module && n == name)
    }
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

    /// Resolves and admits a global, returning its node.
    fn global(&mut self, module: &str, name: &str) -> Result<Id, Error> {
        let (module, name) = python3_name(module, name);
        // What class definitions call, interpreted symbolically.
        match (module, name) {
            ("importlib.util", "find_spec") => return self.sym(Sym::FindSpec),
            ("importlib", "import_module") => return self.sym(Sym::ImportModule),
            ("builtins", "zip") => return self.sym(Sym::Zip),
            _ => {}
        }
        let key_name;
        let name = if module == NAMESPACE {
            key_name = class_name_of_key(name);
            key_name.as_deref().unwrap_or(name)
        } else {
            name
        };
        if !self.admit.admits(module, name) {
            return Err(Error::new(ErrorKind::ForbiddenGlobal {
                module: module.to_owned(),
                name: name.to_owned(),
            }));
        }
        self.charge(module.len() + name.len())?;
        self.alloc(Node::Global(Rc::new(Global::new(module, name))))
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

    /// The memo the header (`count` = [`slot::COUNT`]) or the standalone
    /// bootstrap (`count` = [`slot::CORE_COUNT`]) leaves, as placeholders.
    fn fill_header_memo(&mut self, count: u32) -> Result<(), Error> {
        for s in 0..count {
            let node = match s {
                slot::BUILTINS => Node::Str("builtins".into()),
                slot::ITERTOOLS => Node::Str("itertools".into()),
                slot::NAMESPACE_NAME => Node::Str(NAMESPACE.into()),
                slot::NAMESPACE | slot::MODULES => Node::Sym(Box::new(Sym::Module)),
                slot::PAYLOAD => Node::None,
                slot::STANDALONE => Node::Sym(Box::new(Sym::Standalone)),
                s => Node::Sym(Box::new(Sym::Fn(s))),
            };
            let id = self.alloc(node)?;
            self.memo_put(u64::from(s), id)?;
        }
        Ok(())
    }

    /// Executes one opcode; `Some(root)` at `STOP`.
    fn step(&mut self, op: u8) -> Result<Option<Id>, Error> {
        match op {
            // --- framing and control
            0x80 => {
                let p = self.src.byte()?;
                if p > 5 {
                    return Err(unsupported(format!("pickle protocol {p} (this reader knows 0 to 5)")));
                }
                self.proto = p;
            }
            0x95 => {
                let n = self.len_u64()?;
                if self.src.remaining().is_none() {
                    // A reader loads the frame: charge it.
                    self.charge(usize::try_from(n).unwrap_or(usize::MAX))?;
                }
                self.src.frame(n)?;
            }
            b'.' => return self.pop().map(Some),
            b'(' => {
                self.charge(SLOT_COST)?;
                self.marks.push(self.stack.len());
            }
            b'0' => {
                if self.stack.len() > self.marks.last().copied().unwrap_or(0) {
                    self.stack.pop();
                } else {
                    self.pop_mark()?;
                }
            }
            b'1' => {
                self.pop_mark()?;
            }
            b'2' => {
                let id = self.top()?;
                self.push(id)?;
            }
            // --- scalars
            b'N' => self.push_new(Node::None)?,
            0x88 => self.push_new(Node::Bool(true))?,
            0x89 => self.push_new(Node::Bool(false))?,
            b'K' => {
                let [b] = self.take_array()?;
                self.push_new(Node::Int(i64::from(b)))?;
            }
            b'M' => {
                let v = u16::from_le_bytes(self.take_array()?);
                self.push_new(Node::Int(i64::from(v)))?;
            }
            b'J' => {
                let v = i32::from_le_bytes(self.take_array()?);
                self.push_new(Node::Int(i64::from(v)))?;
            }
            0x8a => {
                let [n] = self.take_array()?;
                let node = long_node(self.take(u64::from(n))?);
                self.push_new(node)?;
            }
            0x8b => {
                let n = u32::from_le_bytes(self.take_array()?);
                if n > i32::MAX as u32 {
                    return Err(malformed("LONG4 with a negative byte count"));
                }
                let node = long_node(self.take(u64::from(n))?);
                self.push_new(node)?;
            }
            b'I' => {
                let line = self.line()?;
                let node = match line.as_str() {
                    "00" => Node::Bool(false),
                    "01" => Node::Bool(true),
                    s => parse_decimal(s)?,
                };
                self.push_new(node)?;
            }
            b'L' => {
                let line = self.line()?;
                let node = parse_decimal(line.strip_suffix('L').unwrap_or(&line))?;
                self.push_new(node)?;
            }
            b'G' => {
                let v = f64::from_be_bytes(self.take_array()?);
                self.push_new(Node::Float(v))?;
            }
            b'F' => {
                let line = self.line()?;
                let v: f64 = line
                    .trim()
                    .parse()
                    .map_err(|_| malformed(format!("FLOAT argument {line:?} is not a float")))?;
                self.push_new(Node::Float(v))?;
            }
            // --- strings and bytes
            0x8c => {
                let [n] = self.take_array()?;
                let s = self.utf8(u64::from(n))?;
                self.push_new(Node::Str(s))?;
            }
            b'X' => {
                let n = self.len_u32()?;
                let s = self.utf8(n)?;
                self.push_new(Node::Str(s))?;
            }
            0x8d => {
                let n = self.len_u64()?;
                let s = self.utf8(n)?;
                self.push_new(Node::Str(s))?;
            }
            b'V' => {
                let line = self.src.line(MAX_LINE)?.to_vec();
                self.charge(line.len())?;
                let s = raw_unicode_escape(&line)?;
                self.push_new(Node::Str(s))?;
            }
            b'C' => {
                let [n] = self.take_array()?;
                let b = self.take(u64::from(n))?.to_vec();
                self.push_new(Node::Bytes(b))?;
            }
            b'B' => {
                let n = self.len_u32()?;
                let b = self.take(n)?.to_vec();
                self.push_new(Node::Bytes(b))?;
            }
            0x8e => {
                let n = self.len_u64()?;
                let b = self.take(n)?.to_vec();
                self.push_new(Node::Bytes(b))?;
            }
            0x96 => {
                let n = self.len_u64()?;
                let b = self.take(n)?.to_vec();
                self.push_new(Node::ByteArray(b))?;
            }
            b'U' => {
                let [n] = self.take_array()?;
                let b = self.take(u64::from(n))?.to_vec();
                self.push_new(py2_str(b))?;
            }
            b'T' => {
                let n = i32::from_le_bytes(self.take_array()?);
                let n = u64::try_from(n).map_err(|_| malformed("BINSTRING with a negative length"))?;
                let b = self.take(n)?.to_vec();
                self.push_new(py2_str(b))?;
            }
            b'S' => {
                let line = self.src.line(MAX_LINE)?.to_vec();
                self.charge(line.len())?;
                let b = string_escape(&line)?;
                self.push_new(py2_str(b))?;
            }
            // --- containers
            b']' => self.push_new(Node::List(Vec::new()))?,
            b')' => self.push_new(Node::Tuple(Vec::new()))?,
            b'}' => self.push_new(Node::Dict(Vec::new()))?,
            0x8f => self.push_new(Node::Set(Vec::new()))?,
            b'l' => {
                let items = self.pop_mark()?;
                self.push_new(Node::List(items))?;
            }
            b't' => {
                let items = self.pop_mark()?;
                self.push_new(Node::Tuple(items))?;
            }
            0x85..=0x87 => {
                let n = usize::from(op - 0x84);
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.pop()?);
                }
                items.reverse();
                self.push_new(Node::Tuple(items))?;
            }
            0x91 => {
                let items = self.pop_mark()?;
                self.push_new(Node::FrozenSet(items))?;
            }
            b'd' => {
                let items = self.pop_mark()?;
                let pairs = pairs(items)?;
                self.push_new(Node::Dict(pairs))?;
            }
            b'a' => {
                let item = self.pop()?;
                self.extend_list(vec![item])?;
            }
            b'e' => {
                let items = self.pop_mark()?;
                self.extend_list(items)?;
            }
            b's' => {
                let v = self.pop()?;
                let k = self.pop()?;
                self.extend_dict(vec![(k, v)])?;
            }
            b'u' => {
                let items = self.pop_mark()?;
                let pairs = pairs(items)?;
                self.extend_dict(pairs)?;
            }
            0x90 => {
                let items = self.pop_mark()?;
                self.charge(items.len() * SLOT_COST)?;
                let top = self.top()?;
                match &mut self.nodes[top as usize] {
                    Node::Set(set) => set.extend(items),
                    _ => return Err(malformed(format!("ADDITEMS to a {}", self.type_name(top)))),
                }
            }
            // --- memo
            b'g' => {
                let idx = self.line()?;
                let idx = idx
                    .parse()
                    .map_err(|_| malformed(format!("GET argument {idx:?} is not an index")))?;
                self.memo_get(idx)?;
            }
            b'h' => {
                let [i] = self.take_array()?;
                self.memo_get(u64::from(i))?;
            }
            b'j' => {
                let i = self.len_u32()?;
                self.memo_get(i)?;
            }
            b'p' => {
                let idx = self.line()?;
                let idx = idx
                    .parse()
                    .map_err(|_| malformed(format!("PUT argument {idx:?} is not an index")))?;
                let top = self.top()?;
                self.memo_put(idx, top)?;
            }
            b'q' => {
                let [i] = self.take_array()?;
                let top = self.top()?;
                self.memo_put(u64::from(i), top)?;
            }
            b'r' => {
                let i = self.len_u32()?;
                let top = self.top()?;
                self.memo_put(i, top)?;
            }
            0x94 => {
                let top = self.top()?;
                let idx = self.memo.len() as u64;
                self.memo_put(idx, top)?;
            }
            // --- globals and objects
            b'c' => {
                let module = self.line()?;
                let name = self.line()?;
                let id = self.global(&module, &name)?;
                self.push(id)?;
            }
            0x93 => {
                let name = self.pop()?;
                let module = self.pop()?;
                let (Some(m), Some(n)) = (self.str_of(module), self.str_of(name)) else {
                    return Err(malformed("STACK_GLOBAL needs two str"));
                };
                let (m, n) = (m.to_owned(), n.to_owned());
                let id = self.global(&m, &n)?;
                self.push(id)?;
            }
            b'R' => {
                let args = self.pop()?;
                let callable = self.pop()?;
                let args = self.tuple_items(args, "REDUCE arguments")?;
                self.sym_work = 0;
                let id = self.call(callable, args, 0)?;
                self.push(id)?;
            }
            0x81 => {
                let args = self.pop()?;
                let cls = self.pop()?;
                let args = self.tuple_items(args, "NEWOBJ arguments")?;
                let id = self.new_object(cls, args, Vec::new())?;
                self.push(id)?;
            }
            0x92 => {
                let kwargs = self.pop()?;
                let args = self.pop()?;
                let cls = self.pop()?;
                let args = self.tuple_items(args, "NEWOBJ_EX arguments")?;
                let kwargs = match &self.nodes[kwargs as usize] {
                    Node::Dict(pairs) => pairs.clone(),
                    _ => return Err(malformed("NEWOBJ_EX keyword arguments must be a dict")),
                };
                let id = self.new_object(cls, args, kwargs)?;
                self.push(id)?;
            }
            b'i' => {
                let module = self.line()?;
                let name = self.line()?;
                let args = self.pop_mark()?;
                let cls = self.global(&module, &name)?;
                let id = self.call(cls, args, 0)?;
                self.push(id)?;
            }
            b'o' => {
                let mut items = self.pop_mark()?;
                if items.is_empty() {
                    return Err(malformed("OBJ without a class"));
                }
                let cls = items.remove(0);
                let id = self.call(cls, items, 0)?;
                self.push(id)?;
            }
            b'b' => {
                let state = self.pop()?;
                let target = self.top()?;
                match &mut self.nodes[target as usize] {
                    Node::Object(obj) => obj.state = Some(state),
                    // Descriptors set `__doc__` and attach variant classes: nothing to record.
                    Node::Global(_) => {}
                    Node::Sym(sym) if matches!(**sym, Sym::Enum(..)) => {}
                    _ => return Err(malformed(format!("BUILD on a {}", self.type_name(target)))),
                }
            }
            // --- refused
            b'P' | b'Q' => {
                return Err(unsupported(
                    "persistent IDs (PERSID/BINPERSID) need a persistent_load hook, which this reader does not have",
                ))
            }
            0x82..=0x84 => {
                return Err(unsupported(
                    "the copyreg extension registry (EXT1/EXT2/EXT4) is not supported",
                ))
            }
            0x97 => return Err(unsupported("out-of-band buffers (NEXT_BUFFER) are not supported")),
            0x98 => return Err(unsupported("out-of-band buffers (READONLY_BUFFER) are not supported")),
            _ => return Err(Error::new(ErrorKind::UnknownOpcode(op))),
        }
        Ok(None)
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

    fn new_object(&mut self, cls: Id, args: Vec<Id>, kwargs: Vec<(Id, Id)>) -> Result<Id, Error> {
        let class = self
            .class_of(cls)
            .ok_or_else(|| malformed(format!("NEWOBJ of a {}, not a class", self.type_name(cls))))?;
        self.charge((args.len() + kwargs.len() * 2) * SLOT_COST)?;
        self.alloc(Node::Object(Box::new(ObjNode {
            class,
            call: Call::New,
            args,
            kwargs,
            state: None,
        })))
    }

    /// `callable(*args)`, described, never run.
    fn call(&mut self, callable: Id, args: Vec<Id>, depth: usize) -> Result<Id, Error> {
        self.sym_work += 1;
        if self.sym_work > SYM_MAX_WORK || depth > 8 {
            return Err(malformed("header helpers nested beyond descriptor shapes"));
        }
        if let Node::Sym(sym) = &self.nodes[callable as usize] {
            return match &**sym {
                Sym::Fn(s) => {
                    let s = *s;
                    self.call_helper(s, args, depth)
                }
                Sym::Register(key) => {
                    let key = key.clone();
                    let [cls] = args[..] else {
                        return Err(helper_misuse("register"));
                    };
                    self.register(key, cls)
                }
                Sym::Enum(..) => self.call_class(callable, args),
                Sym::Partial(f, pre) => {
                    let (f, mut all) = (*f, pre.clone());
                    all.extend(args);
                    self.call(f, all, depth + 1)
                }
                // No module is ever found: the real-class path yields nothing.
                Sym::FindSpec => self.alloc(Node::None),
                Sym::Zip => {
                    let lists = args
                        .iter()
                        .map(|&a| self.iter_items(a, "zip"))
                        .collect::<Result<Vec<_>, _>>()?;
                    let n = lists.iter().map(Vec::len).min().unwrap_or(0);
                    let mut out = Vec::with_capacity(n);
                    for i in 0..n {
                        let row = lists.iter().map(|l| l[i]).collect();
                        out.push(self.alloc(Node::Tuple(row))?);
                    }
                    self.sym(Sym::Iter(out))
                }
                _ => Err(helper_misuse("namespace")),
            };
        }
        if let Some(class) = self.class_of(callable) {
            // getattr(None, name, None): the real-class path of a descriptor.
            if class.is("builtins", "getattr") {
                if let [obj, _, default] = args[..] {
                    if matches!(self.nodes[obj as usize], Node::None) {
                        return Ok(default);
                    }
                }
            }
            // pickle.loads(<class pickle>): how CPython writes a loaded stand-in class.
            if class.is("pickle", "loads") || class.is("_pickle", "loads") {
                let [data] = args[..] else {
                    return Err(malformed("pickle.loads with other than one argument"));
                };
                let Node::Bytes(b) = &self.nodes[data as usize] else {
                    return Err(malformed("pickle.loads of something other than bytes"));
                };
                let Some(rest) = b.strip_prefix(self.prefixes.standalone) else {
                    return Err(Error::new(ErrorKind::ForbiddenGlobal {
                        module: "pickle".into(),
                        name: "loads (of bytes that are not a portable-pickle class pickle)".into(),
                    }));
                };
                let rest = rest.to_vec();
                return self.class_pickle(&rest);
            }
        }
        self.call_class(callable, args)
    }

    fn call_class(&mut self, callable: Id, args: Vec<Id>) -> Result<Id, Error> {
        let class = self
            .class_of(callable)
            .ok_or_else(|| malformed(format!("REDUCE calls a {}, not a global", self.type_name(callable))))?;
        if let Some(node) = self.fold_builtin(&class, &args)? {
            return self.alloc(node);
        }
        self.charge(args.len() * SLOT_COST)?;
        self.alloc(Node::Object(Box::new(ObjNode {
            class,
            call: Call::Reduce,
            args,
            kwargs: Vec::new(),
            state: None,
        })))
    }

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

    fn latin1(&self, s: Id, encoding: Option<Id>) -> Result<Vec<u8>, Error> {
        let text = self
            .str_of(s)
            .ok_or_else(|| malformed("bytes spelled by _codecs.encode need a str"))?;
        match encoding.map(|e| self.str_of(e)) {
            Some(Some("latin1" | "latin-1" | "iso-8859-1")) | None => text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).map_err(|_| malformed("latin-1 text beyond U+00FF")))
                .collect(),
            Some(Some("utf-8" | "utf8")) => Ok(text.as_bytes().to_vec()),
            _ => Err(unsupported(
                "_codecs.encode with an encoding other than latin1 or utf-8",
            )),
        }
    }

    /// Calls that spell a builtin container are folded into it.
    fn fold_builtin(&mut self, class: &Global, args: &[Id]) -> Result<Option<Node>, Error> {
        let node = match (class.module.as_str(), class.name.as_str(), args) {
            // Protocols < 4 spell a nested class `Shape.Circle` as `getattr(Shape, "Circle")`.
            ("builtins", "getattr", [obj, attr]) => {
                let (Node::Global(g), Some(attr)) = (&self.nodes[*obj as usize], self.str_of(*attr)) else {
                    return Err(unsupported("builtins.getattr other than of a class and a name"));
                };
                let name = format!("{}.{attr}", g.name);
                let module = g.module.clone();
                return self
                    .global(&module, &name)
                    .map(|id| Some(std::mem::replace(&mut self.nodes[id as usize], Node::None)));
            }
            ("builtins", "set", []) => Node::Set(Vec::new()),
            ("builtins", "frozenset", []) => Node::FrozenSet(Vec::new()),
            ("builtins", kind @ ("set" | "frozenset"), [items]) => {
                let items = self
                    .items_of(*items)
                    .ok_or_else(|| malformed(format!("{kind}() of a {}", self.type_name(*items))))?;
                self.charge(items.len() * SLOT_COST)?;
                if kind == "set" {
                    Node::Set(items)
                } else {
                    Node::FrozenSet(items)
                }
            }
            ("builtins", "bytes", []) => Node::Bytes(Vec::new()),
            ("builtins", "bytearray", []) => Node::ByteArray(Vec::new()),
            ("builtins", kind @ ("bytes" | "bytearray"), [data, rest @ ..]) if rest.len() <= 1 => {
                let bytes = match &self.nodes[*data as usize] {
                    Node::Bytes(b) | Node::ByteArray(b) if rest.is_empty() => b.clone(),
                    Node::Str(_) => self.latin1(*data, rest.first().copied())?,
                    _ => return Ok(None),
                };
                self.charge(bytes.len())?;
                if kind == "bytes" {
                    Node::Bytes(bytes)
                } else {
                    Node::ByteArray(bytes)
                }
            }
            ("_codecs", "encode", [s, rest @ ..]) if rest.len() <= 1 => {
                let bytes = self.latin1(*s, rest.first().copied())?;
                self.charge(bytes.len())?;
                Node::Bytes(bytes)
            }
            ("collections", "OrderedDict", []) => Node::Dict(Vec::new()),
            ("collections", "OrderedDict", [items]) => {
                let items = self
                    .items_of(*items)
                    .ok_or_else(|| malformed("OrderedDict() of a non-sequence"))?;
                let mut pairs = Vec::with_capacity(items.len());
                for it in items {
                    match self.items_of(it).as_deref() {
                        Some(&[k, v]) => pairs.push((k, v)),
                        _ => return Err(malformed("OrderedDict() items must be pairs")),
                    }
                }
                self.charge(pairs.len() * 2 * SLOT_COST)?;
                Node::Dict(pairs)
            }
            ("copyreg", "__newobj__", [cls, rest @ ..]) => {
                let class = self
                    .class_of(*cls)
                    .ok_or_else(|| malformed("copyreg.__newobj__ of a non-class"))?;
                self.charge(rest.len() * SLOT_COST)?;
                Node::Object(Box::new(ObjNode {
                    class,
                    call: Call::New,
                    args: rest.to_vec(),
                    kwargs: Vec::new(),
                    state: None,
                }))
            }
            ("copyreg", "__newobj_ex__", [cls, args, kwargs]) => {
                let class = self
                    .class_of(*cls)
                    .ok_or_else(|| malformed("copyreg.__newobj_ex__ of a non-class"))?;
                let args = self.tuple_items(*args, "__newobj_ex__ arguments")?;
                let kwargs = match &self.nodes[*kwargs as usize] {
                    Node::Dict(p) => p.clone(),
                    _ => return Err(malformed("__newobj_ex__ keyword arguments must be a dict")),
                };
                Node::Object(Box::new(ObjNode {
                    class,
                    call: Call::New,
                    args,
                    kwargs,
                    state: None,
                }))
            }
            ("copyreg", "_reconstructor", [cls, base, state]) => {
                let plain = matches!(&self.nodes[*base as usize], Node::Global(g) if g.is("builtins", "object"))
                    && matches!(self.nodes[*state as usize], Node::None);
                match (plain, self.class_of(*cls)) {
                    (true, Some(class)) => Node::Object(Box::new(ObjNode {
                        class,
                        call: Call::New,
                        args: Vec::new(),
                        kwargs: Vec::new(),
                        state: None,
                    })),
                    _ => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(node))
    }

    /// Interprets a class pickle (its bytes after the standalone bootstrap)
    /// in this arena and registry, with the bootstrap core's memo; returns
    /// the class it selects. Enum classes come back as their global.
    fn class_pickle(&mut self, rest: &[u8]) -> Result<Id, Error> {
        if self.nested {
            return Err(malformed("a class pickle inside a class pickle"));
        }
        let admit = Admit {
            options: self.admit.options,
            class_names: self.admit.class_names,
        };
        let mut sub = Unpickler::new(SliceSource::new(rest), self.prefixes, admit);
        sub.nested = true;
        sub.proto = 4;
        sub.nodes = std::mem::take(&mut self.nodes);
        sub.registry = std::mem::take(&mut self.registry);
        sub.used = self.used;
        sub.sym_work = self.sym_work;
        let result = sub.fill_header_memo(slot::CORE_COUNT).and_then(|()| sub.run_body());
        self.nodes = std::mem::take(&mut sub.nodes);
        self.registry = std::mem::take(&mut sub.registry);
        self.used = sub.used;
        self.sym_work = sub.sym_work;
        let id = result.map_err(|e| malformed(format!("in a class pickle: {e}")))?;
        match &self.nodes[id as usize] {
            Node::Global(_) | Node::None => Ok(id),
            Node::Sym(sym) => match &**sym {
                Sym::Enum(class, _) => {
                    let class = class.clone();
                    self.alloc(Node::Global(class))
                }
                _ => Err(malformed("a class pickle that yields no class")),
            },
            _ => Err(malformed("a class pickle that yields no class")),
        }
    }

    fn sym(&mut self, sym: Sym) -> Result<Id, Error> {
        self.alloc(Node::Sym(Box::new(sym)))
    }

    fn iter_items(&self, id: Id, what: &str) -> Result<Vec<Id>, Error> {
        match self.items_of(id) {
            Some(items) if items.len() <= SYM_MAX_ITEMS => Ok(items),
            _ => Err(helper_misuse(what)),
        }
    }

    /// `put(key, value)`: a class under its key, or (keys with `#`) a class
    /// definition or a class's reduce value.
    fn register(&mut self, key: String, cls: Id) -> Result<Id, Error> {
        if !key.contains('#') && self.class_of(cls).is_none() {
            return Err(helper_misuse("register"));
        }
        self.charge(key.len() + 32)?;
        Ok(*self.registry.entry(key).or_insert(cls))
    }

    /// A header helper (memo slots 1–17), interpreted on descriptor shapes only.
    fn call_helper(&mut self, s: u32, args: Vec<Id>, depth: usize) -> Result<Id, Error> {
        match (s, &args[..]) {
            (slot::NEXT, [it]) => {
                let items = self.iter_items(*it, "next")?;
                items.first().copied().ok_or_else(|| helper_misuse("next"))
            }
            (slot::FILTER, [pred, it]) if matches!(self.nodes[*pred as usize], Node::None) => {
                let items = self.iter_items(*it, "filter")?;
                let kept = items
                    .into_iter()
                    .filter(|&i| !matches!(self.nodes[i as usize], Node::None))
                    .collect();
                self.sym(Sym::Iter(kept))
            }
            (slot::CHAIN, parts) => {
                let mut all = Vec::new();
                for &p in parts {
                    all.extend(self.iter_items(p, "chain")?);
                }
                if all.len() > SYM_MAX_ITEMS {
                    return Err(helper_misuse("chain"));
                }
                self.sym(Sym::Iter(all))
            }
            (slot::MAP, [f, it]) => {
                let items = self.iter_items(*it, "map")?;
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.call(*f, vec![i], depth + 1)?);
                }
                self.sym(Sym::Iter(out))
            }
            (slot::STARMAP, [f, it]) => {
                let items = self.iter_items(*it, "starmap")?;
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    let a = self.iter_items(i, "starmap")?;
                    out.push(self.call(*f, a, depth + 1)?);
                }
                self.sym(Sym::Iter(out))
            }
            (slot::METACLASS, [name, _bases, ns]) => {
                let name = self.str_of(*name).ok_or_else(|| helper_misuse("type"))?.to_owned();
                let Node::Dict(pairs) = &self.nodes[*ns as usize] else {
                    return Err(helper_misuse("type"));
                };
                let mut class = Global::new(NAMESPACE, &name);
                for &(k, v) in pairs {
                    match self.str_of(k) {
                        Some("__qualname__") => {
                            class.name = self.str_of(v).ok_or_else(|| helper_misuse("type"))?.to_owned();
                        }
                        Some("__module__") => {
                            class.module = self.str_of(v).ok_or_else(|| helper_misuse("type"))?.to_owned();
                        }
                        Some("__match_args__") => {
                            let fields = self.items_of(v).ok_or_else(|| helper_misuse("type"))?;
                            let fields: Option<Vec<String>> =
                                fields.iter().map(|&f| self.str_of(f).map(str::to_owned)).collect();
                            class.fields = Some(fields.ok_or_else(|| helper_misuse("type"))?);
                        }
                        _ => {}
                    }
                }
                // Names a re-pickle could spell as a global, as for STACK_GLOBAL.
                if !is_dotted_identifier(&class.name) || !is_dotted_identifier(&class.module) {
                    return Err(helper_misuse("type"));
                }
                self.charge(class.name.len() + class.module.len() + 64)?;
                self.alloc(Node::Global(Rc::new(class)))
            }
            (slot::STRUCT | slot::FROZEN_STRUCT, [cls]) if self.class_of(*cls).is_some() => Ok(*cls),
            (slot::ENUM, [name, members]) => {
                let name = self.str_of(*name).ok_or_else(|| helper_misuse("enum"))?.to_owned();
                if !is_dotted_identifier(&name) {
                    return Err(helper_misuse("enum"));
                }
                let list = self.items_of(*members).ok_or_else(|| helper_misuse("enum"))?;
                let mut out = Vec::with_capacity(list.len());
                for m in list {
                    match self.items_of(m).as_deref() {
                        Some(&[n, v]) => {
                            let n = self.str_of(n).ok_or_else(|| helper_misuse("enum"))?.to_owned();
                            // `("__doc__", …)` and the like set class attributes, not members.
                            if !(n.starts_with("__") && n.ends_with("__")) {
                                out.push((n, v));
                            }
                        }
                        _ => return Err(helper_misuse("enum")),
                    }
                }
                self.charge(out.len() * 48)?;
                self.sym(Sym::Enum(Rc::new(Global::new(NAMESPACE, &name)), out))
            }
            (slot::PARTIAL, [f, key]) if matches!(&self.nodes[*f as usize], Node::Sym(s) if matches!(**s, Sym::Fn(slot::REGISTER))) =>
            {
                let key = self.str_of(*key).ok_or_else(|| helper_misuse("partial"))?.to_owned();
                self.sym(Sym::Register(key))
            }
            (slot::REGISTER, [key, value]) => {
                let key = self.str_of(*key).ok_or_else(|| helper_misuse("register"))?.to_owned();
                self.register(key, *value)
            }
            (slot::LOOKUP, [key]) | (slot::LOOKUP, [key, _]) => {
                let key = self.str_of(*key).ok_or_else(|| helper_misuse("lookup"))?;
                match (self.registry.get(key), &args[..]) {
                    (Some(&found), _) => Ok(found),
                    (None, [_, default]) => Ok(*default),
                    (None, _) => self.alloc(Node::None),
                }
            }
            (slot::PARTIAL, [f, rest @ ..]) if !rest.is_empty() => {
                let (f, rest) = (*f, rest.to_vec());
                self.sym(Sym::Partial(f, rest))
            }
            (slot::NEXT, [it, default]) => {
                let items = self.iter_items(*it, "next")?;
                Ok(items.first().copied().unwrap_or(*default))
            }
            (slot::MAP, [f, a, b]) => {
                let (a, b) = (self.iter_items(*a, "map")?, self.iter_items(*b, "map")?);
                let mut out = Vec::with_capacity(a.len().min(b.len()));
                for (x, y) in a.into_iter().zip(b) {
                    out.push(self.call(*f, vec![x, y], depth + 1)?);
                }
                self.sym(Sym::Iter(out))
            }
            // dict.get(sys.modules, name): no module is installed here.
            (slot::DICT_GET, [modules, _]) if matches!(&self.nodes[*modules as usize], Node::Sym(s) if matches!(**s, Sym::Module)) => {
                self.alloc(Node::None)
            }
            // b"".join((STANDALONE, definition, selection)): a class pickle.
            (slot::BYTES_JOIN, [sep, parts]) if matches!(&self.nodes[*sep as usize], Node::Bytes(b) if b.is_empty()) => {
                let parts = self.iter_items(*parts, "bytes.join")?;
                let (first, rest) = parts.split_first().ok_or_else(|| helper_misuse("bytes.join"))?;
                if !matches!(&self.nodes[*first as usize], Node::Sym(s) if matches!(**s, Sym::Standalone)) {
                    return Err(helper_misuse("bytes.join"));
                }
                let mut bytes = Vec::new();
                for &p in rest {
                    let Node::Bytes(b) = &self.nodes[p as usize] else {
                        return Err(helper_misuse("bytes.join"));
                    };
                    bytes.extend_from_slice(b);
                }
                self.charge(bytes.len())?;
                self.sym(Sym::ClassPickle(bytes))
            }
            (slot::LOADS, [data]) => {
                let Node::Sym(sym) = &self.nodes[*data as usize] else {
                    return Err(helper_misuse("pickle.loads"));
                };
                let Sym::ClassPickle(bytes) = &**sym else {
                    return Err(helper_misuse("pickle.loads"));
                };
                let bytes = bytes.clone();
                self.class_pickle(&bytes)
            }
            (slot::GETATTR, [obj, name]) => {
                let member = self.str_of(*name).ok_or_else(|| helper_misuse("getattr"))?;
                let Node::Sym(sym) = &self.nodes[*obj as usize] else {
                    return Err(helper_misuse("getattr"));
                };
                let Sym::Enum(class, members) = &**sym else {
                    return Err(helper_misuse("getattr"));
                };
                let (_, value) = members
                    .iter()
                    .find(|(m, _)| m == member)
                    .ok_or_else(|| malformed(format!("enum {} has no member {member}", class.name)))?;
                let (class, value) = (class.clone(), *value);
                self.alloc(Node::Object(Box::new(ObjNode {
                    class,
                    call: Call::Reduce,
                    args: vec![value],
                    kwargs: Vec::new(),
                    state: None,
                })))
            }
            (s, _) => Err(helper_misuse(helper_name(s))),
        }
    }

    fn children(&self, id: Id, out: &mut Vec<Id>) {
        match &self.nodes[id as usize] {
            Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v) => out.extend_from_slice(v),
            Node::Dict(pairs) => out.extend(pairs.iter().flat_map(|&(k, v)| [k, v])),
            Node::Object(o) => {
                out.extend_from_slice(&o.args);
                out.extend(o.kwargs.iter().flat_map(|&(k, v)| [k, v]));
                out.extend(o.state);
            }
            _ => {}
        }
    }

    /// Turns the arena graph under `root` into a tree, iteratively.
    fn into_value(mut self, root: Id) -> Result<Value, Error> {
        let max_depth = self.admit.options.max_depth;
        let n = self.nodes.len();
        // Pass 1: how many edges reach each node (from reachable nodes only).
        let mut refs = vec![0u32; n];
        refs[root as usize] = 1;
        let mut todo = vec![root];
        let mut kids = Vec::new();
        while let Some(id) = todo.pop() {
            kids.clear();
            self.children(id, &mut kids);
            for &k in &kids {
                refs[k as usize] = refs[k as usize].saturating_add(1);
                if refs[k as usize] == 1 {
                    todo.push(k);
                }
            }
        }
        // Pass 2: post-order conversion; shared nodes converted once.
        const UNSEEN: u32 = u32::MAX;
        const ON_PATH: u32 = u32::MAX - 1;
        let mut height = vec![UNSEEN; n];
        let mut shared: HashMap<Id, Rc<Value>> = HashMap::new();
        let mut out: Vec<(Value, u32)> = Vec::new();
        enum Step {
            Enter(Id, u32),
            Exit(Id, usize),
        }
        let mut steps = vec![Step::Enter(root, 1)];
        let depth_error = || {
            Error::new(ErrorKind::Limit {
                what: "nesting depth",
                limit: max_depth,
            })
        };
        while let Some(step) = steps.pop() {
            match step {
                Step::Enter(id, depth) => {
                    if depth as usize > max_depth {
                        return Err(depth_error());
                    }
                    match height[id as usize] {
                        ON_PATH => {
                            return Err(unsupported(
                                "a self-referential structure (an object that contains itself)",
                            ))
                        }
                        UNSEEN => {}
                        h => {
                            // A shared node met again: its subtree hangs below this depth too.
                            if (depth + h - 1) as usize > max_depth {
                                return Err(depth_error());
                            }
                            let rc = shared.get(&id).expect("converted shared node").clone();
                            out.push((Value::Shared(rc), h));
                            continue;
                        }
                    }
                    height[id as usize] = ON_PATH;
                    kids.clear();
                    self.children(id, &mut kids);
                    steps.push(Step::Exit(id, out.len()));
                    for &k in kids.iter().rev() {
                        steps.push(Step::Enter(k, depth + 1));
                    }
                }
                Step::Exit(id, base) => {
                    let items: Vec<(Value, u32)> = out.split_off(base);
                    let h = 1 + items.iter().map(|(_, h)| *h).max().unwrap_or(0);
                    if h as usize > max_depth {
                        return Err(depth_error());
                    }
                    self.used = self
                        .used
                        .saturating_add(std::mem::size_of::<Value>() * (items.len() + 1));
                    if self.used > self.admit.options.max_alloc {
                        return Err(Error::new(ErrorKind::Limit {
                            what: "total allocation",
                            limit: self.admit.options.max_alloc,
                        }));
                    }
                    let node = std::mem::replace(&mut self.nodes[id as usize], Node::Taken);
                    let value = self.node_value(node, items.into_iter().map(|(v, _)| v))?;
                    height[id as usize] = h;
                    if refs[id as usize] > 1 {
                        let rc = Rc::new(value);
                        shared.insert(id, rc.clone());
                        out.push((Value::Shared(rc), h));
                    } else {
                        out.push((value, h));
                    }
                }
            }
        }
        Ok(out.pop().expect("root value").0)
    }

    /// A node with its children already converted (in `children` order).
    fn node_value(&self, node: Node, mut kids: impl Iterator<Item = Value>) -> Result<Value, Error> {
        let mut next = || kids.next().expect("child value");
        Ok(match node {
            Node::None => Value::None,
            Node::Bool(b) => Value::Bool(b),
            Node::Int(i) => Value::Int(i),
            Node::BigInt(b) => Value::BigInt(b),
            Node::Float(f) => Value::Float(f),
            Node::Str(s) => Value::Str(s),
            Node::Bytes(b) => Value::Bytes(b),
            Node::ByteArray(b) => Value::ByteArray(b),
            Node::List(v) => Value::List(v.iter().map(|_| next()).collect()),
            Node::Tuple(v) => Value::Tuple(v.iter().map(|_| next()).collect()),
            Node::Set(v) => Value::Set(v.iter().map(|_| next()).collect()),
            Node::FrozenSet(v) => Value::FrozenSet(v.iter().map(|_| next()).collect()),
            Node::Dict(p) => Value::Dict(p.iter().map(|_| (next(), next())).collect()),
            Node::Global(g) => Value::Global(g),
            Node::Object(o) => {
                let args = o.args.iter().map(|_| next()).collect();
                let kwargs = o.kwargs.iter().map(|_| (next(), next())).collect();
                let state = o.state.map(|_| next());
                Value::Object(Box::new(Object {
                    class: o.class,
                    call: o.call,
                    args,
                    kwargs,
                    state,
                }))
            }
            Node::Sym(sym) => match *sym {
                Sym::Enum(g, _) => Value::Global(g),
                Sym::Fn(s) => Value::Global(Rc::new(Global::new(NAMESPACE, helper_name(s)))),
                Sym::Module
                | Sym::Register(_)
                | Sym::Iter(_)
                | Sym::Partial(..)
                | Sym::Standalone
                | Sym::ClassPickle(_)
                | Sym::FindSpec
                | Sym::ImportModule
                | Sym::Zip => return Err(unsupported("a header helper object as part of the value")),
            },
            Node::Taken => unreachable!("each node is converted once"),
        })
    }
}

fn helper_name(s: u32) -> &'static str {
    match s {
        slot::NEXT => "next",
        slot::FILTER => "filter",
        slot::MAP => "map",
        slot::METACLASS => "PortableType",
        slot::DICT_GET => "dict.get",
        slot::LOADS => "pickle.loads",
        slot::BYTES_JOIN => "bytes.join",
        slot::GETATTR => "getattr",
        slot::CHAIN => "chain",
        slot::STARMAP => "starmap",
        slot::PARTIAL => "partial",
        slot::LOOKUP => "lookup",
        slot::REGISTER => "register",
        slot::STRUCT => "struct",
        slot::FROZEN_STRUCT => "frozen_struct",
        slot::ENUM => "enum",
        _ => "namespace",
    }
}

/// Reads one pickle from `src` into a [`Value`].
pub(crate) fn read_value<S: Source>(src: S, prefixes: KnownPrefixes<'_>, admit: Admit<'_>) -> Result<Value, Error> {
    let mut u = Unpickler::new(src, prefixes, admit);
    let root = u.run()?;
    let at = u.src.pos();
    u.into_value(root).map_err(|e| e.at(at, None))
}

fn pairs(items: Vec<Id>) -> Result<Vec<(Id, Id)>, Error> {
    if items.len() % 2 != 0 {
        return Err(malformed("odd number of items for a dict"));
    }
    Ok(items.chunks_exact(2).map(|c| (c[0], c[1])).collect())
}

fn long_node(le: &[u8]) -> Node {
    if le.len() <= 8 {
        let fill = if le.last().is_some_and(|b| b & 0x80 != 0) {
            0xff
        } else {
            0
        };
        let mut b = [fill; 8];
        b[..le.len()].copy_from_slice(le);
        Node::Int(i64::from_le_bytes(b))
    } else {
        let big = BigInt::from_le_bytes(le);
        match big.to_i128().and_then(|v| i64::try_from(v).ok()) {
            Some(v) => Node::Int(v),
            None => Node::BigInt(big),
        }
    }
}

/// A decimal integer of protocol 0 (`INT`, `LONG`).
fn parse_decimal(s: &str) -> Result<Node, Error> {
    let bad = || malformed(format!("{s:?} is not a decimal integer"));
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if digits.len() > MAX_INT_DIGITS {
        return Err(Error::new(ErrorKind::Limit {
            what: "decimal digits of an int",
            limit: MAX_INT_DIGITS,
        }));
    }
    if let Ok(v) = s.parse::<i64>() {
        return Ok(Node::Int(v));
    }
    // Base-2^32 magnitude, little-endian limbs.
    let mut limbs: Vec<u32> = vec![0];
    for chunk in digits.as_bytes().chunks(9) {
        let mul = 10u64.pow(chunk.len() as u32);
        let mut carry: u64 = chunk.iter().fold(0, |a, d| a * 10 + u64::from(d - b'0'));
        for l in limbs.iter_mut() {
            let v = u64::from(*l) * mul + carry;
            *l = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            limbs.push(carry as u32);
        }
    }
    let mut le: Vec<u8> = limbs.iter().flat_map(|l| l.to_le_bytes()).collect();
    le.push(0);
    if neg {
        let mut carry = true;
        for b in le.iter_mut() {
            *b = !*b;
            if carry {
                let (v, c) = b.overflowing_add(1);
                *b = v;
                carry = c;
            }
        }
    }
    Ok(long_node(&le))
}

/// A Python 2 `str` (`STRING`, `BINSTRING`, `SHORT_BINSTRING`): a `str` when
/// it is UTF-8 (as Python 3's default ASCII decoding would give for ASCII),
/// else `bytes`.
fn py2_str(b: Vec<u8>) -> Node {
    match String::from_utf8(b) {
        Ok(s) => Node::Str(s),
        Err(e) => Node::Bytes(e.into_bytes()),
    }
}

/// The quoted `repr` of a Python 2 string (`STRING`'s argument), unescaped.
fn string_escape(line: &[u8]) -> Result<Vec<u8>, Error> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let inner = match line {
        [q @ (b'\'' | b'"'), inner @ .., last] if last == q => inner,
        _ => return Err(malformed("STRING argument is not quoted")),
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = inner.get(i) else {
            return Err(malformed("STRING ends with a backslash"));
        };
        i += 1;
        match e {
            b'\\' | b'\'' | b'"' => out.push(e),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'\n' => {}
            b'x' => {
                let hex = inner
                    .get(i..i + 2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| malformed("bad \\x escape in STRING"))?;
                out.push(hex);
                i += 2;
            }
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match inner.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(v as u8);
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// `raw-unicode-escape` (`UNICODE`'s argument): latin-1 bytes with `\uXXXX`
/// and `\UXXXXXXXX` escapes.
fn raw_unicode_escape(line: &[u8]) -> Result<String, Error> {
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let mut pending_high: Option<u32> = None;
    while i < line.len() {
        let c = line[i];
        let digits = match (c, line.get(i + 1)) {
            (b'\\', Some(b'u')) => 4,
            (b'\\', Some(b'U')) => 8,
            _ => 0,
        };
        let cp = if digits > 0 {
            let hex = line
                .get(i + 2..i + 2 + digits)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .ok_or_else(|| malformed("bad \\u escape in UNICODE"))?;
            i += 2 + digits;
            hex
        } else {
            i += 1;
            u32::from(c)
        };
        let cp = match (pending_high.take(), cp) {
            (Some(hi), lo @ 0xdc00..=0xdfff) => 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00),
            (Some(_), _) => return Err(malformed("UNICODE with a lone surrogate")),
            (None, hi @ 0xd800..=0xdbff) => {
                pending_high = Some(hi);
                continue;
            }
            (None, cp) => cp,
        };
        out.push(char::from_u32(cp).ok_or_else(|| malformed("UNICODE with a lone surrogate"))?);
    }
    if pending_high.is_some() {
        return Err(malformed("UNICODE with a lone surrogate"));
    }
    Ok(out)
}

#[cfg(test)]
mod key_tests {
    use super::class_name_of_key;

    #[test]
    fn keys_map_to_python_names() {
        assert_eq!(class_name_of_key("Point_0123456789abcdef").as_deref(), Some("Point"));
        assert_eq!(
            class_name_of_key("My_Point_0123456789abcdef").as_deref(),
            Some("My_Point")
        );
        assert_eq!(
            class_name_of_key("Shape_0123456789abcdef_Circle").as_deref(),
            Some("Shape.Circle")
        );
        assert_eq!(class_name_of_key("Point"), None);
        assert_eq!(class_name_of_key("Point_xyz"), None);
        assert_eq!(
            class_name_of_key("Shape_0123456789abcdef_big_circle").as_deref(),
            Some("Shape.big_circle")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_ints() {
        assert!(matches!(parse_decimal("-5").unwrap(), Node::Int(-5)));
        let Node::BigInt(b) = parse_decimal("340282366920938463463374607431768211455").unwrap() else {
            panic!()
        };
        assert_eq!(b.to_u128(), Some(u128::MAX));
        let Node::BigInt(b) = parse_decimal("-170141183460469231731687303715884105728").unwrap() else {
            panic!()
        };
        assert_eq!(b.to_i128(), Some(i128::MIN));
        assert!(parse_decimal("12a").is_err());
    }

    #[test]
    fn text_strings() {
        assert_eq!(string_escape(br"'a\'b\n\x41\101'").unwrap(), b"a'b\nAA");
        assert_eq!(raw_unicode_escape(br"caf\u00e9 \U0001f600").unwrap(), "café 😀");
        assert_eq!(raw_unicode_escape(b"\xe9").unwrap(), "é");
    }
}
