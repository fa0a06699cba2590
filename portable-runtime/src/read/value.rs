//! The dynamic value tree a pickle decodes to.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

/// A decoded Python object. Nothing is executed to build it: calls the
/// stream describes (`REDUCE`, `NEWOBJ`, `BUILD`) become [`Object`]s.
///
/// An object the stream references more than once (through its memo) is a
/// [`Value::Shared`], one allocation reached from every place it occurs, so
/// repeated references cost nothing however often they repeat.
///
/// Equality looks through `Shared`, and compares floats by value or both
/// NaN. It visits each pair of shared nodes once (the same allocation is
/// equal without a look; a pair already compared is not compared again), so
/// comparing two decodings of one stream takes time linear in the stream
/// however often its memo is referenced.
///
/// `Debug` prints the tree as a derived `Debug` would, except that each
/// shared node is printed once per `{:?}`: the first time as
/// `Shared(#n, value)`, later as `Shared(#n)`, numbered in order of first
/// appearance; and a class ([`Global`]) is printed in full the first time,
/// later as `Global { module: "…", name: "…", .. }` (module and name cut to
/// 48 bytes, quotes included, then `…`). The output is proportional to the
/// stream's size.
#[derive(Clone)]
pub enum Value {
    /// `None`.
    None,
    /// `bool`.
    Bool(bool),
    /// `int` that fits an `i64`.
    Int(i64),
    /// `int` beyond `i64`.
    BigInt(BigInt),
    /// `float`.
    Float(f64),
    /// `str`.
    Str(String),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// `bytearray`.
    ByteArray(Vec<u8>),
    /// `list`.
    List(Vec<Value>),
    /// `tuple`.
    Tuple(Vec<Value>),
    /// `dict` (also `collections.OrderedDict`), in insertion order.
    Dict(Vec<(Value, Value)>),
    /// `set`, in stream order.
    Set(Vec<Value>),
    /// `frozenset`, in stream order.
    FrozenSet(Vec<Value>),
    /// A reference to a class or other global.
    Global(Arc<Global>),
    /// An object reconstructed by a call: `class(*args)` plus optional state.
    Object(Box<Object>),
    /// An object referenced more than once in the stream.
    Shared(Arc<Value>),
}

/// A global the stream references: `module.name` (the name may be dotted,
/// a `__qualname__` such as `Shape.Circle`). Equality and hashing look at
/// `module` and `name` only (`fields` is what the reader learnt about it).
#[derive(Clone, Debug)]
pub struct Global {
    /// The module (`_portable_pickle_v3` for stand-in classes).
    pub module: String,
    /// The qualified name.
    pub name: String,
    /// For classes built by a portable-pickle class descriptor: their field
    /// names, in order (the order of the positional arguments of a call).
    pub fields: Option<Vec<String>>,
}

impl PartialEq for Global {
    fn eq(&self, other: &Self) -> bool {
        self.module == other.module && self.name == other.name
    }
}

impl Eq for Global {}

impl std::hash::Hash for Global {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.module.hash(state);
        self.name.hash(state);
    }
}

impl Global {
    /// A global without field information.
    pub fn new(module: &str, name: &str) -> Self {
        Global {
            module: module.to_owned(),
            name: name.to_owned(),
            fields: None,
        }
    }

    /// Whether this is `module.name`.
    pub fn is(&self, module: &str, name: &str) -> bool {
        self.module == module && self.name == name
    }
}

/// How an [`Object`] was created.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Call {
    /// `class(*args)` (`REDUCE`, `INST`, `OBJ`).
    Reduce,
    /// `class.__new__(class, *args, **kwargs)` (`NEWOBJ`, `NEWOBJ_EX`,
    /// `copyreg.__newobj__`, `copyreg._reconstructor`).
    New,
}

/// An object the stream builds by calling a global: never called here, only
/// described. `Debug` and `==` walk it as [`Value`]'s do.
#[derive(Clone)]
pub struct Object {
    /// The class (or function) called.
    pub class: Arc<Global>,
    /// How it is called.
    pub call: Call,
    /// Positional arguments.
    pub args: Vec<Value>,
    /// Keyword arguments (`NEWOBJ_EX` only).
    pub kwargs: Vec<(Value, Value)>,
    /// The state set by `BUILD` (usually the instance `__dict__` as a dict).
    pub state: Option<Value>,
}

impl Object {
    /// `class(*args)` with no state.
    pub fn new(class: Arc<Global>, args: Vec<Value>) -> Self {
        Object {
            class,
            call: Call::Reduce,
            args,
            kwargs: Vec::new(),
            state: None,
        }
    }
}

/// An integer beyond `i64`: two's-complement little-endian bytes, as in the
/// `LONG1`/`LONG4` opcodes (minimal length).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BigInt {
    le: Vec<u8>,
}

impl BigInt {
    /// From two's-complement little-endian bytes (any length; normalized).
    pub fn from_le_bytes(le: &[u8]) -> Self {
        let negative = le.last().is_some_and(|b| b & 0x80 != 0);
        let fill = if negative { 0xff } else { 0 };
        let mut n = le.len();
        while n > 1 && le[n - 1] == fill && (le[n - 2] & 0x80 != 0) == negative {
            n -= 1;
        }
        BigInt { le: le[..n].to_vec() }
    }

    /// From an `i128`.
    pub fn from_i128(v: i128) -> Self {
        Self::from_le_bytes(&v.to_le_bytes())
    }

    /// From a `u128`.
    pub fn from_u128(v: u128) -> Self {
        let mut le = v.to_le_bytes().to_vec();
        le.push(0);
        Self::from_le_bytes(&le)
    }

    /// The minimal two's-complement little-endian bytes.
    pub fn as_le_bytes(&self) -> &[u8] {
        &self.le
    }

    /// Whether the value is negative.
    pub fn is_negative(&self) -> bool {
        self.le.last().is_some_and(|b| b & 0x80 != 0)
    }

    /// The value as an `i128`, if it fits.
    pub fn to_i128(&self) -> Option<i128> {
        if self.le.len() > 16 {
            return None;
        }
        let fill = if self.is_negative() { 0xff } else { 0 };
        let mut b = [fill; 16];
        b[..self.le.len()].copy_from_slice(&self.le);
        Some(i128::from_le_bytes(b))
    }

    /// The value as a `u128`, if it fits.
    pub fn to_u128(&self) -> Option<u128> {
        if self.is_negative() {
            return None;
        }
        let bytes = match self.le.len() {
            17 if self.le[16] == 0 => &self.le[..16],
            n if n <= 16 => &self.le[..],
            _ => return None,
        };
        let mut b = [0; 16];
        b[..bytes.len()].copy_from_slice(bytes);
        Some(u128::from_le_bytes(b))
    }

    /// The value as an `f64` (rounded; infinite beyond the range).
    pub fn to_f64(&self) -> f64 {
        if let Some(v) = self.to_i128() {
            return v as f64;
        }
        // Magnitude bytes, most significant first.
        let neg = self.is_negative();
        let mut mag = self.le.clone();
        if neg {
            // Two's complement negation.
            let mut carry = true;
            for b in mag.iter_mut() {
                *b = !*b;
                if carry {
                    let (v, c) = b.overflowing_add(1);
                    *b = v;
                    carry = c;
                }
            }
        }
        let mut f = 0.0f64;
        for b in mag.iter().rev() {
            f = f * 256.0 + f64::from(*b);
        }
        if neg {
            -f
        } else {
            f
        }
    }
}

impl fmt::Display for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(v) = self.to_i128() {
            write!(f, "{v}")
        } else if let Some(v) = self.to_u128() {
            write!(f, "{v}")
        } else {
            write!(
                f,
                "{}<int of {} bits>",
                if self.is_negative() { "-" } else { "" },
                self.le.len() * 8
            )
        }
    }
}

impl fmt::Debug for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BigInt({self})")
    }
}

impl Value {
    /// The value behind any [`Value::Shared`] wrappers.
    pub fn get(&self) -> &Value {
        let mut v = self;
        while let Value::Shared(inner) = v {
            v = inner;
        }
        v
    }

    /// The Python type name of the value, for error messages (`int`,
    /// `list`, `Point` for an object of class `Point`, …).
    pub fn type_name(&self) -> String {
        match self.get() {
            Value::None => "None".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) | Value::BigInt(_) => "int".into(),
            Value::Float(_) => "float".into(),
            Value::Str(_) => "str".into(),
            Value::Bytes(_) => "bytes".into(),
            Value::ByteArray(_) => "bytearray".into(),
            Value::List(_) => "list".into(),
            Value::Tuple(_) => "tuple".into(),
            Value::Dict(_) => "dict".into(),
            Value::Set(_) => "set".into(),
            Value::FrozenSet(_) => "frozenset".into(),
            Value::Global(g) => format!("global {}.{}", g.module, g.name),
            Value::Object(o) => format!("{}.{}", o.class.module, o.class.name),
            Value::Shared(_) => unreachable!("get() looks through Shared"),
        }
    }

    /// The value itself, taking it out of a [`Value::Shared`] (cloning one
    /// level when the allocation is still referenced elsewhere).
    pub fn unshare(self) -> Value {
        let mut v = self;
        while let Value::Shared(rc) = v {
            v = Arc::try_unwrap(rc).unwrap_or_else(|rc| (*rc).clone());
        }
        v
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        EqWalk::default().value(self, other)
    }
}

impl PartialEq for Object {
    fn eq(&self, other: &Self) -> bool {
        EqWalk::default().object(self, other)
    }
}

/// One `==` over two trees: the pairs of nodes (by address) already found
/// equal or being compared, recorded where either side is shared, so a
/// shared node is compared with its counterpart once however often both
/// are referenced. (The trees are immutable while borrowed, so addresses
/// identify nodes; `Arc<Value>` cannot form a cycle, so a pair being compared
/// is never met again below itself.)
#[derive(Default)]
struct EqWalk {
    values: HashSet<(*const Value, *const Value)>,
    globals: HashSet<(*const Global, *const Global)>,
}

/// The pairs of nodes still to compare (an explicit stack: `==` takes no
/// stack however deep the trees are).
type Todo<'v> = Vec<(&'v Value, &'v Value)>;

impl EqWalk {
    fn value(&mut self, a: &Value, b: &Value) -> bool {
        self.run(vec![(a, b)])
    }

    fn object(&mut self, a: &Object, b: &Object) -> bool {
        let mut todo = Vec::new();
        self.object_into(a, b, &mut todo) && self.run(todo)
    }

    fn run(&mut self, mut todo: Todo<'_>) -> bool {
        while let Some((a, b)) = todo.pop() {
            if !self.step(a, b, &mut todo) {
                return false;
            }
        }
        true
    }

    /// Compares `a` and `b` at the top, queueing their items.
    fn step<'v>(&mut self, a: &'v Value, b: &'v Value, todo: &mut Todo<'v>) -> bool {
        let (x, y) = (a.get(), b.get());
        if std::ptr::eq(x, y) {
            return true;
        }
        if (matches!(a, Value::Shared(_)) || matches!(b, Value::Shared(_)))
            && !self.values.insert((x as *const Value, y as *const Value))
        {
            return true;
        }
        match (x, y) {
            (Value::None, Value::None) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::BigInt(a), Value::BigInt(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::ByteArray(a), Value::ByteArray(b)) => a == b,
            (Value::List(a), Value::List(b))
            | (Value::Tuple(a), Value::Tuple(b))
            | (Value::Set(a), Value::Set(b))
            | (Value::FrozenSet(a), Value::FrozenSet(b)) => items(a, b, todo),
            (Value::Dict(a), Value::Dict(b)) => pairs(a, b, todo),
            (Value::Global(a), Value::Global(b)) => self.global(a, b),
            (Value::Object(a), Value::Object(b)) => self.object_into(a, b, todo),
            _ => false,
        }
    }

    fn global(&mut self, a: &Arc<Global>, b: &Arc<Global>) -> bool {
        Arc::ptr_eq(a, b) || self.globals.contains(&(Arc::as_ptr(a), Arc::as_ptr(b))) || {
            let equal = a == b;
            if equal {
                self.globals.insert((Arc::as_ptr(a), Arc::as_ptr(b)));
            }
            equal
        }
    }

    fn object_into<'v>(&mut self, a: &'v Object, b: &'v Object, todo: &mut Todo<'v>) -> bool {
        self.global(&a.class, &b.class)
            && a.call == b.call
            && items(&a.args, &b.args, todo)
            && pairs(&a.kwargs, &b.kwargs, todo)
            && match (&a.state, &b.state) {
                (None, None) => true,
                (Some(a), Some(b)) => {
                    todo.push((a, b));
                    true
                }
                _ => false,
            }
    }
}

/// Queues the items of two sequences, if they are as many.
fn items<'v>(a: &'v [Value], b: &'v [Value], todo: &mut Todo<'v>) -> bool {
    a.len() == b.len() && {
        todo.extend(a.iter().zip(b).rev());
        true
    }
}

/// Queues the keys and values of two pair lists, if they are as many.
fn pairs<'v>(a: &'v [(Value, Value)], b: &'v [(Value, Value)], todo: &mut Todo<'v>) -> bool {
    a.len() == b.len() && {
        for ((ka, va), (kb, vb)) in a.iter().zip(b).rev() {
            todo.push((va, vb));
            todo.push((ka, kb));
        }
        true
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        DebugIn(self, &DebugWalk::default()).fmt(f)
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        DebugIn(self, &DebugWalk::default()).fmt(f)
    }
}

/// One `{:?}` over a tree: the number of each shared node printed so far
/// (by the address of its allocation), the classes printed in full, and
/// how deep the printing is.
#[derive(Default)]
struct DebugWalk {
    shared: RefCell<HashMap<*const Value, usize>>,
    globals: RefCell<HashSet<*const Global>>,
    depth: std::cell::Cell<usize>,
}

/// Nesting `{:?}` prints; deeper containers show as `List(…)`, so printing
/// takes a bounded stack whatever the depth (about 60 KiB in a release
/// build, docs/FORMAT.md "Limits").
const DEBUG_DEPTH: usize = 128;

/// Most bytes of the module or name printed for a class already printed in full.
const SHORT_NAME: usize = 48;

/// A part of the tree, printed within a walk.
struct DebugIn<'a, T: ?Sized>(&'a T, &'a DebugWalk);

impl fmt::Debug for DebugIn<'_, Value> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let DebugIn(value, walk) = *self;
        let depth = walk.depth.get();
        let container = match value {
            Value::List(_) => "List",
            Value::Tuple(_) => "Tuple",
            Value::Dict(_) => "Dict",
            Value::Set(_) => "Set",
            Value::FrozenSet(_) => "FrozenSet",
            Value::Object(_) => "Object",
            Value::Shared(_) => "Shared",
            _ => "",
        };
        if !container.is_empty() && depth >= DEBUG_DEPTH {
            return write!(f, "{container}(…)");
        }
        walk.depth.set(depth + 1);
        let shown = self.fmt_at_depth(f);
        walk.depth.set(depth);
        shown
    }
}

impl DebugIn<'_, Value> {
    fn fmt_at_depth(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn tuple(name: &str, field: &dyn fmt::Debug, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_tuple(name).field(field).finish()
        }
        let DebugIn(value, walk) = *self;
        match value {
            Value::None => f.write_str("None"),
            Value::Bool(b) => tuple("Bool", b, f),
            Value::Int(i) => tuple("Int", i, f),
            Value::BigInt(b) => tuple("BigInt", b, f),
            Value::Float(x) => tuple("Float", x, f),
            Value::Str(s) => tuple("Str", s, f),
            Value::Bytes(b) => tuple("Bytes", b, f),
            Value::ByteArray(b) => tuple("ByteArray", b, f),
            Value::List(v) => tuple("List", &DebugIn(&v[..], walk), f),
            Value::Tuple(v) => tuple("Tuple", &DebugIn(&v[..], walk), f),
            Value::Dict(p) => tuple("Dict", &DebugIn(&p[..], walk), f),
            Value::Set(v) => tuple("Set", &DebugIn(&v[..], walk), f),
            Value::FrozenSet(v) => tuple("FrozenSet", &DebugIn(&v[..], walk), f),
            Value::Global(g) => tuple("Global", &DebugIn(g, walk), f),
            Value::Object(o) => tuple("Object", &DebugIn(&**o, walk), f),
            Value::Shared(rc) => {
                let (n, first) = {
                    let mut shared = walk.shared.borrow_mut();
                    let next = shared.len();
                    match shared.entry(Arc::as_ptr(rc)) {
                        std::collections::hash_map::Entry::Occupied(e) => (*e.get(), false),
                        std::collections::hash_map::Entry::Vacant(e) => (*e.insert(next), true),
                    }
                };
                let mut t = f.debug_tuple("Shared");
                t.field(&format_args!("#{n}"));
                if first {
                    t.field(&DebugIn(&**rc, walk));
                }
                t.finish()
            }
        }
    }
}

impl fmt::Debug for DebugIn<'_, [Value]> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|v| DebugIn(v, self.1)))
            .finish()
    }
}

impl fmt::Debug for DebugIn<'_, [(Value, Value)]> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|pair| DebugIn(pair, self.1)))
            .finish()
    }
}

impl fmt::Debug for DebugIn<'_, (Value, Value)> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (k, v) = self.0;
        f.debug_tuple("")
            .field(&DebugIn(k, self.1))
            .field(&DebugIn(v, self.1))
            .finish()
    }
}

impl fmt::Debug for DebugIn<'_, Arc<Global>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = &**self.0;
        if self.1.globals.borrow_mut().insert(Arc::as_ptr(self.0)) {
            return g.fmt(f);
        }
        // The `Debug` form, quotes and escapes included, cut to `SHORT_NAME`
        // bytes (escaping only a prefix: the work is bounded too).
        let short = |s: &str| {
            let head = s.char_indices().nth(SHORT_NAME).map_or(s, |(i, _)| &s[..i]);
            let mut text = format!("{head:?}");
            if text.len() > SHORT_NAME {
                let mut cut = SHORT_NAME;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                text.push('…');
            }
            text
        };
        let (module, name) = (short(&g.module), short(&g.name));
        f.debug_struct("Global")
            .field("module", &format_args!("{module}"))
            .field("name", &format_args!("{name}"))
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for DebugIn<'_, Object> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let DebugIn(o, walk) = *self;
        f.debug_struct("Object")
            .field("class", &DebugIn(&o.class, walk))
            .field("call", &o.call)
            .field("args", &DebugIn(&o.args[..], walk))
            .field("kwargs", &DebugIn(&o.kwargs[..], walk))
            .field("state", &o.state.as_ref().map(|s| DebugIn(s, walk)))
            .finish()
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Str(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigint_conversions() {
        assert_eq!(BigInt::from_i128(i128::MIN).to_i128(), Some(i128::MIN));
        assert_eq!(BigInt::from_u128(u128::MAX).to_u128(), Some(u128::MAX));
        assert_eq!(BigInt::from_u128(u128::MAX).to_i128(), None);
        assert_eq!(BigInt::from_i128(-1).to_u128(), None);
        assert_eq!(BigInt::from_le_bytes(&[0xff; 20]).to_i128(), Some(-1));
        assert_eq!(BigInt::from_u128(1 << 100).to_f64(), 2f64.powi(100));
        assert_eq!(BigInt::from_i128(-(1 << 100)).to_f64(), -(2f64.powi(100)));
        let mut big = vec![0u8; 20];
        big[19] = 0x80;
        assert_eq!(BigInt::from_le_bytes(&big).to_string(), "-<int of 160 bits>");
    }
}
