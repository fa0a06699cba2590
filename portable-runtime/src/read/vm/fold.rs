//! Calls that merely spell a builtin container, folded into it: `set(…)`,
//! `frozenset(…)`, `bytes(…)`/`bytearray(…)` and `_codecs.encode` (how
//! protocols < 3 write bytes), `OrderedDict(…)`, and the `copyreg` helpers
//! of `__reduce_ex__` (`__newobj__`, `__newobj_ex__`, a plain
//! `_reconstructor`). Protocols < 4 spell a nested class as
//! `getattr(Outer, "Inner")`, resolved here too.

use super::{malformed, unsupported, Id, Node, ObjNode, Source, Unpickler, SLOT_COST};
use crate::read::error::Error;
use crate::read::value::{Call, Global};

impl<S: Source> Unpickler<'_, S> {
    /// The bytes a `str` spells in `encoding` (latin-1 by default), as
    /// `bytes(s, encoding)` or `_codecs.encode(s, encoding)` would give.
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

    /// Calls that spell a builtin container are folded into it; `None` for
    /// any other call.
    pub(super) fn fold_builtin(&mut self, class: &Global, args: &[Id]) -> Result<Option<Node>, Error> {
        let node = match (class.module.as_str(), class.name.as_str(), args) {
            ("builtins", name, args) => return self.fold_builtins(name, args),
            ("copyreg", name, args) => return self.fold_copyreg(name, args),
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
                let (Node::Global(g), Some(attr)) = (&self.nodes[*obj as usize], self.str_of(*attr)) else {
                    return Err(unsupported("builtins.getattr other than of a class and a name"));
                };
                let name = format!("{}.{attr}", g.name);
                let module = g.module.clone();
                return self
                    .global(&module, &name)
                    .map(|id| Some(std::mem::replace(&mut self.nodes[id as usize], Node::None)));
            }
            ("set", []) => Node::Set(Vec::new()),
            ("frozenset", []) => Node::FrozenSet(Vec::new()),
            (kind @ ("set" | "frozenset"), [items]) => {
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
            ("bytes", []) => Node::Bytes(Vec::new()),
            ("bytearray", []) => Node::ByteArray(Vec::new()),
            (kind @ ("bytes" | "bytearray"), [data, rest @ ..]) if rest.len() <= 1 => {
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
            _ => return Ok(None),
        };
        Ok(Some(node))
    }

    /// The `copyreg` helpers `object.__reduce_ex__` writes: `__newobj__`,
    /// `__newobj_ex__`, and `_reconstructor` of a plain object.
    fn fold_copyreg(&mut self, name: &str, args: &[Id]) -> Result<Option<Node>, Error> {
        let node = match (name, args) {
            ("__newobj__", [cls, rest @ ..]) => {
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
            ("__newobj_ex__", [cls, args, kwargs]) => {
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
            ("_reconstructor", [cls, base, state]) => {
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
}
