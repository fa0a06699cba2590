//! Calls that merely spell a builtin container, folded into it: `set(…)`,
//! `frozenset(…)`, `bytes(…)`/`bytearray(…)` and `_codecs.encode` (how
//! protocols < 3 write bytes), `OrderedDict(…)`, and the `copyreg` helpers
//! of `__reduce_ex__` (`__newobj__`, `__newobj_ex__`, a plain
//! `_reconstructor`). Protocols < 4 spell a nested class as
//! `getattr(Outer, "Inner")`, resolved here too.

use super::step::name_too_long;
use super::{malformed, unsupported, Id, Node, ObjNode, Source, Unpickler, MAX_LINE};
use crate::read::error::Error;
use crate::read::value::{Call, Global};

impl<S: Source> Unpickler<'_, S> {
    /// The bytes a `str` spells in `encoding` (latin-1 by default), as
    /// `bytes(s, encoding)` or `_codecs.encode(s, encoding)` would give
    /// (charged: at most the text's length).
    fn latin1(&mut self, s: Id, encoding: Option<Id>) -> Result<Vec<u8>, Error> {
        let n = self
            .str_of(s)
            .ok_or_else(|| malformed("bytes spelled by _codecs.encode need a str"))?
            .len();
        self.charge(n)?;
        let text = self.str_of(s).unwrap_or_default();
        match encoding.map(|e| self.str_of(e)) {
            Some(Some("latin1" | "latin-1" | "iso-8859-1")) | None => {
                let mut out = Vec::with_capacity(n);
                for c in text.chars() {
                    out.push(u8::try_from(u32::from(c)).map_err(|_| malformed("latin-1 text beyond U+00FF"))?);
                }
                Ok(out)
            }
            Some(Some("utf-8" | "utf8")) => Ok(text.as_bytes().to_vec()),
            _ => Err(unsupported(
                "_codecs.encode with an encoding other than latin1 or utf-8",
            )),
        }
    }

    /// Calls that spell a builtin container are folded into it; `None` for
    /// any other call.
    pub(super) fn fold_builtin(&mut self, class: &Global, args: &[Id]) -> Result<Option<Node>, Error> {
        let node = match (class.module.as_str(), class.name.as_str(), args) {
            ("builtins", name, args) => return self.fold_builtins(name, args),
            ("copyreg", name, args) => return self.fold_copyreg(name, args),
            ("_codecs", "encode", [s, rest @ ..]) if rest.len() <= 1 => {
                Node::Bytes(self.latin1(*s, rest.first().copied())?)
            }
            ("collections", "OrderedDict", []) => Node::Dict(Vec::new()),
            ("collections", "OrderedDict", [items]) => {
                let items = self
                    .items_charged(*items)?
                    .ok_or_else(|| malformed("OrderedDict() of a non-sequence"))?;
                let mut pairs = self.budget.vec(items.len())?;
                for &it in &items {
                    pairs.push(
                        self.pair_of(it)
                            .ok_or_else(|| malformed("OrderedDict() items must be pairs"))?,
                    );
                }
                self.budget.release_vec(&items);
                Node::Dict(pairs)
            }
            _ => return Ok(None),
        };
        Ok(Some(node))
    }

    /// `builtins` calls: `getattr` of a nested class, `set`, `frozenset`,
    /// `bytes`, `bytearray`.
    fn fold_builtins(&mut self, name: &str, args: &[Id]) -> Result<Option<Node>, Error> {
        let node = match (name, args) {
            // Protocols < 4 spell a nested class `Shape.Circle` as `getattr(Shape, "Circle")`.
            ("getattr", [obj, attr]) => {
                let (Node::Global(g), Some(attr)) = (self.node(*obj), self.str_of(*attr)) else {
                    return Err(unsupported("builtins.getattr other than of a class and a name"));
                };
                if g.name.len() + attr.len() >= MAX_LINE {
                    return Err(name_too_long());
                }
                let name = format!("{}.{attr}", g.name);
                let module = g.module.clone();
                return self
                    .global(&module, &name)
                    .map(|id| self.nodes.get_mut(id).map(|n| std::mem::replace(n, Node::None)));
            }
            // Any other getattr could walk attributes to code in Python
            // (`getattr(cls, "__init__", None)` and on): never a value.
            ("getattr", _) => return Err(unsupported("builtins.getattr other than of a class and a name")),
            ("set", []) => Node::Set(Vec::new()),
            ("frozenset", []) => Node::FrozenSet(Vec::new()),
            (kind @ ("set" | "frozenset"), [items]) => {
                let items = self
                    .items_charged(*items)?
                    .ok_or_else(|| malformed(format!("{kind}() of a {}", self.type_name(*items))))?;
                if kind == "set" {
                    Node::Set(items)
                } else {
                    Node::FrozenSet(items)
                }
            }
            ("bytes", []) => Node::Bytes(Vec::new()),
            ("bytearray", []) => Node::ByteArray(Vec::new()),
            (kind @ ("bytes" | "bytearray"), [data, rest @ ..]) if rest.len() <= 1 => {
                let bytes = match self.node(*data) {
                    Node::Bytes(b) | Node::ByteArray(b) if rest.is_empty() => {
                        let n = b.len();
                        self.charge(n)?;
                        match self.node(*data) {
                            Node::Bytes(b) | Node::ByteArray(b) => b.clone(),
                            _ => unreachable!("checked above"),
                        }
                    }
                    Node::Str(_) => self.latin1(*data, rest.first().copied())?,
                    _ => return Ok(None),
                };
                if kind == "bytes" {
                    Node::Bytes(bytes)
                } else {
                    Node::ByteArray(bytes)
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(node))
    }

    /// The `copyreg` helpers `object.__reduce_ex__` writes: `__newobj__`,
    /// `__newobj_ex__`, and `_reconstructor` of a plain object or a
    /// namedtuple.
    fn fold_copyreg(&mut self, name: &str, args: &[Id]) -> Result<Option<Node>, Error> {
        let node = match (name, args) {
            ("__newobj__", [cls, rest @ ..]) => {
                let class = self
                    .class_of(*cls)
                    .ok_or_else(|| malformed("copyreg.__newobj__ of a non-class"))?;
                let mut args = self.budget.vec(rest.len())?;
                args.extend_from_slice(rest);
                Node::Object(Box::new(ObjNode {
                    class,
                    call: Call::New,
                    args,
                    kwargs: Vec::new(),
                    state: None,
                }))
            }
            ("__newobj_ex__", [cls, args, kwargs]) => {
                let class = self
                    .class_of(*cls)
                    .ok_or_else(|| malformed("copyreg.__newobj_ex__ of a non-class"))?;
                let args = self.tuple_items(*args, "__newobj_ex__ arguments")?;
                let kwargs = self.kwargs_of(*kwargs, "__newobj_ex__ keyword arguments must be a dict")?;
                Node::Object(Box::new(ObjNode {
                    class,
                    call: Call::New,
                    args,
                    kwargs,
                    state: None,
                }))
            }
            // `_reconstructor(cls, base, state)` is `base.__new__(cls, state)`
            // (then `base.__init__`), as protocols 0 and 1 write objects:
            // a plain object (`object`, `None`), or a namedtuple (`tuple`
            // and its items, which become the positional arguments, as
            // `NEWOBJ` gives them at protocol 2).
            ("_reconstructor", [cls, base, state]) => {
                let Some(class) = self.class_of(*cls) else {
                    return Ok(None);
                };
                let args = match self.node(*base) {
                    Node::Global(g) if g.is("builtins", "object") && matches!(self.node(*state), Node::None) => {
                        Vec::new()
                    }
                    Node::Global(g) | Node::Base(g) if g.is("builtins", "tuple") => {
                        match self.node(*state) {
                            Node::Tuple(_) | Node::List(_) => {}
                            _ => return Ok(None),
                        }
                        self.items_charged(*state)?.unwrap_or_default()
                    }
                    _ => return Ok(None),
                };
                Node::Object(Box::new(ObjNode {
                    class,
                    call: Call::New,
                    args,
                    kwargs: Vec::new(),
                    state: None,
                }))
            }
            _ => return Ok(None),
        };
        Ok(Some(node))
    }
}
