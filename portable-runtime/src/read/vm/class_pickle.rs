//! The header's helpers and class pickles, interpreted symbolically.
//!
//! A stream's class descriptors (and the class pickles CPython writes for a
//! loaded stand-in class) build their classes by calling the helpers the
//! header leaves in the memo (`map`, `partial`, the namespace's `lookup`,
//! `register`, `struct`, `enum`…). Here those helpers are [`Sym`]bols,
//! evaluated only on the shapes descriptors use, just far enough to learn
//! each class's name, module and field names; anything else is refused as
//! helper misuse.

use std::sync::Arc;

use super::{malformed, Admit, Id, Node, ObjNode, Source, Unpickler};
use crate::layout::{slot, CLASS_REDUCE, CLASS_TOOLS, NAMESPACE};
use crate::read::error::Error;
use crate::read::inspect::Place;
use crate::read::source::SliceSource;
use crate::read::value::{Call, Global};
use portable_format::names::{is_dotted_identifier, DEF_SUFFIX, REDUCE_SUFFIX};

/// Bound on the items a header helper iterator may hold and on the work of
/// one symbolic call: descriptors use one or two.
const SYM_MAX_ITEMS: usize = 64;
pub(super) const SYM_MAX_WORK: usize = 1 << 20;

/// Objects of the header and class descriptors, interpreted symbolically.
pub(super) enum Sym {
    /// A header helper at this memo slot (`next`, `map`, `lookup`, …).
    Fn(u32),
    /// `sys.modules` or the runtime namespace module (slots 11 and 14).
    Module,
    /// `partial(register, key)`.
    Register(String),
    /// A (lazy, here eager) iterator of `map`/`starmap`/`chain`/`filter`.
    Iter(Vec<Id>),
    /// An `enum.Enum` class built by a descriptor: members and their values.
    Enum(Arc<Global>, Vec<(String, Id)>),
    /// `functools.partial(f, *args)` of a helper other than `register`.
    Partial(Id, Vec<Id>),
    /// `functools.partial(tool)` of a dataclass tool (`struct`, `frozen`,
    /// `hashable`: the [`Sym::Fn`] slot it acts as), before (`false`) and
    /// after (`true`) the `BUILD` that gives it `order=True`: an ordered
    /// class's decorator.
    Ordered(u32, bool),
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
    /// Slot `k` of the array tools (`portable_format::array::offset`).
    ArrayTool(u32),
    /// The strict header's slots (`portable_format::strict::slot`):
    /// `abc.ABCMeta`, which makes a class from `(name, bases, dict)`;
    StrictMakeClass,
    /// `copyreg.__newobj_ex__`, which calls it with class keywords (`frozen`, `unsafe_hash`, `order`);
    StrictWithKeywords,
    /// the base class `PortableStruct`;
    StrictBase,
    /// `enum.Enum` and `enum.IntEnum`, the functional API.
    StrictEnum,
}

fn helper_misuse(what: &str) -> Error {
    malformed(format!(
        "header helper `{what}` used outside the shape of a portable-pickle class descriptor"
    ))
}

/// The name of the header helper at memo slot `s`, for error messages and
/// for a helper that ends up in the value (as a global of the namespace):
/// the slot's name in docs/FORMAT.md's memo layout.
pub(super) fn helper_name(s: u32) -> &'static str {
    slot::name(s).unwrap_or("namespace")
}

impl<S: Source> Unpickler<'_, S> {
    /// The memo the header (`count` = [`slot::COUNT`]) or the standalone
    /// bootstrap (`count` = [`slot::CORE_COUNT`]) leaves, as placeholders.
    pub(super) fn fill_header_memo(&mut self, count: u32) -> Result<(), Error> {
        for s in 0..count {
            let node = match s {
                slot::BUILTINS | slot::ITERTOOLS | slot::NAMESPACE_NAME => {
                    Node::Str(slot::string(s).expect("a string slot").into())
                }
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

    /// A call of a symbolic object: a header helper, a `partial` of one,
    /// a descriptor's enum class, or what class definitions call.
    pub(super) fn call_sym(&mut self, callable: Id, args: Vec<Id>, depth: usize) -> Result<Id, Error> {
        let Node::Sym(sym) = self.node(callable) else {
            unreachable!("call_sym of a node that is not symbolic")
        };
        match &**sym {
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
            Sym::Ordered(tool, true) => {
                let tool = *tool;
                self.class_helper(tool, &args)
            }
            Sym::Ordered(_, false) => Err(helper_misuse("partial")),
            Sym::Partial(f, pre) => {
                let (f, n) = (*f, pre.len() + args.len());
                // The arguments may end up in an object: charged for good.
                self.budget.charge_vec::<Id>(n)?;
                let Node::Sym(sym) = self.node(callable) else {
                    unreachable!("a partial, matched above")
                };
                let Sym::Partial(_, pre) = &**sym else {
                    unreachable!("a partial, matched above")
                };
                let mut all = Vec::with_capacity(n);
                all.extend_from_slice(pre);
                all.extend(args);
                self.call(f, all, depth + 1)
            }
            Sym::ArrayTool(k) => {
                let k = *k;
                self.call_array_tool(k, args)
            }
            Sym::StrictMakeClass => match args[..] {
                [name, bases, ns] => self.make_class(name, bases, ns, true),
                _ => Err(helper_misuse("abc.ABCMeta")),
            },
            // __newobj_ex__(ABCMeta, (name, bases, dict), {frozen/unsafe_hash/order: True}).
            Sym::StrictWithKeywords => {
                let [meta, class_args, kwargs] = args[..] else {
                    return Err(helper_misuse("copyreg.__newobj_ex__"));
                };
                let keywords_ok = match self.node(kwargs) {
                    Node::Dict(pairs) => pairs.iter().all(|&(k, v)| {
                        matches!(self.str_of(k), Some("frozen" | "unsafe_hash" | "order"))
                            && matches!(self.node(v), Node::Bool(_))
                    }),
                    _ => false,
                };
                if !matches!(self.node(meta), Node::Sym(s) if matches!(**s, Sym::StrictMakeClass)) || !keywords_ok {
                    return Err(helper_misuse("copyreg.__newobj_ex__"));
                }
                let frozen = match self.node(kwargs) {
                    Node::Dict(pairs) => pairs
                        .iter()
                        .any(|&(k, v)| self.str_of(k) == Some("frozen") && matches!(self.node(v), Node::Bool(true))),
                    _ => false,
                };
                let class = match self.tuple_items(class_args, "copyreg.__newobj_ex__ arguments")?[..] {
                    [name, bases, ns] => self.make_class(name, bases, ns, true)?,
                    _ => return Err(helper_misuse("copyreg.__newobj_ex__")),
                };
                if frozen {
                    if let Some(g) = self.class_of(class) {
                        self.trace_frozen(&g);
                    }
                }
                Ok(class)
            }
            Sym::StrictEnum => self.class_helper(slot::ENUM, &args),
            // No module is ever found: the real-class path yields nothing.
            Sym::FindSpec => self.alloc(Node::None),
            Sym::Zip if args.len() <= SYM_MAX_ITEMS => {
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
        }
    }

    /// Interprets a class pickle (its bytes after the standalone bootstrap)
    /// in this arena and registry, with the bootstrap core's memo; returns
    /// the class it selects. Enum classes come back as their global.
    pub(super) fn class_pickle(&mut self, rest: &[u8]) -> Result<Id, Error> {
        let place = Place::ClassPickle { offset: self.op_at };
        self.class_pickle_in(rest, place)
    }

    /// [`Self::class_pickle`], traced as the unit `place`.
    pub(super) fn class_pickle_in(&mut self, rest: &[u8], place: Place) -> Result<Id, Error> {
        if self.nested {
            return Err(malformed("a class pickle inside a class pickle"));
        }
        let admit = Admit {
            options: self.admit.options,
            class_names: self.admit.class_names,
            serde: self.admit.serde,
        };
        let result = self.traced_unit(place, rest.len(), |outer| {
            let mut sub = Unpickler::new(SliceSource::new(rest), outer.prefixes, admit);
            sub.nested = true;
            sub.proto = 4;
            sub.nodes = std::mem::take(&mut outer.nodes);
            sub.registry = std::mem::take(&mut outer.registry);
            sub.budget = std::mem::take(&mut outer.budget);
            sub.trace = outer.trace.take();
            sub.sym_work = outer.sym_work;
            let result = sub.fill_header_memo(slot::CORE_COUNT).and_then(|()| sub.run_body());
            sub.free_scratch();
            outer.nodes = std::mem::take(&mut sub.nodes);
            outer.registry = std::mem::take(&mut sub.registry);
            outer.budget = std::mem::take(&mut sub.budget);
            outer.trace = sub.trace.take();
            outer.sym_work = sub.sym_work;
            result
        });
        let id = result.map_err(|e| malformed(format!("in a class pickle: {e}")))?;
        match self.node(id) {
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

    pub(super) fn sym(&mut self, sym: Sym) -> Result<Id, Error> {
        self.alloc(Node::Sym(Box::new(sym)))
    }

    fn iter_items(&self, id: Id, what: &str) -> Result<Vec<Id>, Error> {
        let small = match self.node(id) {
            Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v) => v.len() <= SYM_MAX_ITEMS,
            Node::Sym(sym) => matches!(&**sym, Sym::Iter(v) if v.len() <= SYM_MAX_ITEMS),
            _ => false,
        };
        match self.items_of(id) {
            Some(items) if small => Ok(items),
            _ => Err(helper_misuse(what)),
        }
    }

    /// `put(key, value)`: a class under its key, or, under a key with a `#`
    /// suffix ([`DEF_SUFFIX`](portable_format::names::DEF_SUFFIX),
    /// [`REDUCE_SUFFIX`](portable_format::names::REDUCE_SUFFIX)), a class
    /// definition or a class's reduce value.
    fn register(&mut self, key: String, cls: Id) -> Result<Id, Error> {
        // Under a class key, only a class a descriptor made (or a session's
        // array tool): the namespace hands it out to every later stream.
        let shaped = if key.ends_with(DEF_SUFFIX) {
            matches!(self.node(cls), Node::Bytes(_))
        } else if key.ends_with(REDUCE_SUFFIX) {
            // (pickle.loads, (<class pickle>,)): what CPython writes when it
            // pickles the class, so nothing else may stand there.
            self.is_class_reduce(cls)
        } else {
            !key.contains('#') && (self.is_namespace_class(cls) || self.is_session_tool(&key, cls))
        };
        if !shaped {
            return Err(helper_misuse("register"));
        }
        self.trace_register(&key, cls)?;
        self.charge(key.len() + 2 * std::mem::size_of::<(String, Id)>() + super::BLOCK)?;
        Ok(*self.registry.entry(key).or_insert(cls))
    }

    /// Whether `id` is a class a descriptor made: a class of the namespace,
    /// or an enum.
    pub(super) fn is_namespace_class(&self, id: Id) -> bool {
        match self.node(id) {
            Node::Global(g) => g.module == NAMESPACE,
            Node::Sym(sym) => matches!(**sym, Sym::Enum(..)),
            _ => false,
        }
    }

    /// Whether `id` is a class's reduce value: `(pickle.loads, (<class pickle>,))`.
    fn is_class_reduce(&self, id: Id) -> bool {
        let Node::Tuple(parts) = self.node(id) else {
            return false;
        };
        let [loads, args] = parts[..] else { return false };
        let loads_ok = match self.node(loads) {
            Node::Global(g) => g.is("pickle", "loads"),
            Node::Sym(s) => matches!(**s, Sym::Fn(slot::LOADS)),
            _ => false,
        };
        let args_ok = match self.node(args) {
            Node::Tuple(a) => {
                a.len() == 1 && matches!(self.node(a[0]), Node::Sym(s) if matches!(**s, Sym::ClassPickle(_)))
            }
            _ => false,
        };
        loads_ok && args_ok
    }

    /// `BUILD` on `partial(tool)` ([`Sym::Ordered`]): only with the state
    /// `(tool, (), {"order": True}, None)`, which makes it an ordered
    /// class's decorator; any other state could give the dataclass any
    /// keyword.
    pub(super) fn build_ordered(&mut self, target: Id, state: Id) -> Result<(), Error> {
        let Node::Sym(sym) = self.node(target) else {
            unreachable!("an ordered decorator, matched by the caller")
        };
        let Sym::Ordered(tool, false) = **sym else {
            unreachable!("an ordered decorator, matched by the caller")
        };
        let ok = match self.node(state) {
            Node::Tuple(parts) => match parts[..] {
                [f, args, kwargs, dict] => {
                    matches!(self.node(f), Node::Sym(s) if matches!(**s, Sym::Fn(t) if t == tool))
                        && matches!(self.node(args), Node::Tuple(a) if a.is_empty())
                        && matches!(self.node(dict), Node::None)
                        && matches!(self.node(kwargs), Node::Dict(pairs) if matches!(pairs[..],
                            [(k, v)] if self.str_of(k) == Some("order") && matches!(self.node(v), Node::Bool(true))))
                }
                _ => false,
            },
            _ => false,
        };
        if !ok {
            return Err(helper_misuse("partial"));
        }
        if let Some(Node::Sym(sym)) = self.nodes.get_mut(target) {
            **sym = Sym::Ordered(tool, true);
        }
        Ok(())
    }

    /// A header helper (the [`Sym::Fn`] at memo slot `s`), interpreted on
    /// descriptor shapes only, by family.
    fn call_helper(&mut self, s: u32, args: Vec<Id>, depth: usize) -> Result<Id, Error> {
        match s {
            slot::NEXT | slot::FILTER | slot::CHAIN | slot::MAP | slot::STARMAP => self.iter_helper(s, &args, depth),
            slot::METACLASS | slot::STRUCT | slot::FROZEN_STRUCT | slot::ENUM => self.class_helper(s, &args),
            slot::PARTIAL | slot::REGISTER | slot::LOOKUP => self.registry_helper(s, &args),
            slot::DICT_GET | slot::BYTES_JOIN | slot::LOADS | slot::GETATTR => self.loader_helper(s, &args),
            s => Err(helper_misuse(helper_name(s))),
        }
    }

    /// `next`, `filter(None, …)`, `chain`, `map` and `starmap`, evaluated eagerly.
    fn iter_helper(&mut self, s: u32, args: &[Id], depth: usize) -> Result<Id, Error> {
        match (s, args) {
            (slot::NEXT, [it]) => {
                let items = self.iter_items(*it, "next")?;
                items.first().copied().ok_or_else(|| helper_misuse("next"))
            }
            (slot::FILTER, [pred, it]) if matches!(self.node(*pred), Node::None) => {
                let items = self.iter_items(*it, "filter")?;
                let kept = items
                    .into_iter()
                    .filter(|&i| !matches!(self.node(i), Node::None))
                    .collect();
                self.sym(Sym::Iter(kept))
            }
            (slot::CHAIN, parts) => {
                let mut all = Vec::new();
                for &p in parts {
                    all.extend(self.iter_items(p, "chain")?);
                    if all.len() > SYM_MAX_ITEMS {
                        return Err(helper_misuse("chain"));
                    }
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
            (s, _) => Err(helper_misuse(helper_name(s))),
        }
    }

    /// The metaclass (a stand-in dataclass: its name, module and fields),
    /// `struct`/`frozen` (the dataclass decorators) and the enum functional API.
    fn class_helper(&mut self, s: u32, args: &[Id]) -> Result<Id, Error> {
        match (s, args) {
            (slot::METACLASS, [name, bases, ns]) => self.make_class(*name, *bases, *ns, false),
            (slot::STRUCT | slot::FROZEN_STRUCT, [cls]) if self.class_of(*cls).is_some() => {
                if s == slot::FROZEN_STRUCT {
                    let class = self.class_of(*cls).expect("a class, checked above");
                    self.trace_frozen(&class);
                }
                Ok(*cls)
            }
            (slot::ENUM, [name, members]) => {
                let name = self.owned_str(*name)?.ok_or_else(|| helper_misuse("enum"))?;
                if !is_dotted_identifier(&name) {
                    return Err(helper_misuse("enum"));
                }
                let list = self.items_charged(*members)?.ok_or_else(|| helper_misuse("enum"))?;
                let mut out = self.budget.vec(list.len())?;
                let mut doc = None;
                for &m in &list {
                    let (n, v) = self.pair_of(m).ok_or_else(|| helper_misuse("enum"))?;
                    let n = self.owned_str(n)?.ok_or_else(|| helper_misuse("enum"))?;
                    // `__doc__`, `__qualname__` and the reduce value set
                    // class attributes, not members; no other special name
                    // may (`_missing_`, `__init__`… would be called by Python).
                    if n.starts_with('_') && n.ends_with('_') {
                        let ok = match n.as_str() {
                            "__doc__" | "__qualname__" => self.str_of(v).is_some(),
                            CLASS_REDUCE => self.str_of(v).is_some() || self.is_class_reduce(v),
                            _ => false,
                        };
                        if !ok {
                            return Err(helper_misuse("enum"));
                        }
                        if n == "__doc__" && self.trace.is_some() {
                            doc = self.str_of(v).map(str::to_owned);
                        }
                    } else {
                        out.push((n, v));
                    }
                }
                self.budget.release_vec(&list);
                let class = Arc::new(Global::new(NAMESPACE, &name));
                self.trace_enum(&class, &out, doc);
                self.sym(Sym::Enum(class, out))
            }
            (s, _) => Err(helper_misuse(helper_name(s))),
        }
    }

    /// A stand-in dataclass made from `(name, bases, dict)`: its qualified
    /// name and fields (`__match_args__`) from the dict. A default-profile
    /// class names the namespace as its `__module__`; a strict one names a
    /// placeholder there and gets its module by a later `BUILD`: either way
    /// it is known as a class of the namespace.
    fn make_class(&mut self, name: Id, bases: Id, ns: Id, strict: bool) -> Result<Id, Error> {
        self.check_class_body(bases, ns)?;
        let name = self.owned_str(name)?.ok_or_else(|| helper_misuse("type"))?;
        let Node::Dict(pairs) = self.node(ns) else {
            return Err(helper_misuse("type"));
        };
        let mut class = Global::new(NAMESPACE, &name);
        for i in 0..pairs.len() {
            let Node::Dict(pairs) = self.node(ns) else {
                unreachable!("a dict, checked above")
            };
            let (k, v) = pairs[i];
            let key = match self.str_of(k) {
                Some(key @ ("__qualname__" | "__match_args__")) => key,
                Some(key @ "__module__") if !strict => key,
                _ => continue,
            };
            match key {
                "__qualname__" => class.name = self.owned_str(v)?.ok_or_else(|| helper_misuse("type"))?,
                "__module__" => class.module = self.owned_str(v)?.ok_or_else(|| helper_misuse("type"))?,
                _ => class.fields = Some(self.owned_strs(v)?.ok_or_else(|| helper_misuse("type"))?),
            }
        }
        // Names a re-pickle could spell as a global, as for STACK_GLOBAL;
        // a stand-in class lives in the namespace and nowhere else, so
        // a written-back value names a global the reader admits.
        if !is_dotted_identifier(&class.name) || class.module != NAMESPACE {
            return Err(helper_misuse("type"));
        }
        self.trace_struct(&class, bases, ns);
        self.alloc(Node::Global(Arc::new(class)))
    }

    /// A class body as descriptors write it, and nothing else (any other
    /// entry could put a callable where Python calls it): bases of the
    /// namespace, and the entries `__module__`, `__qualname__`, `__doc__`
    /// (`str`), `__annotations__` (`str` to `str`), `__match_args__` (a
    /// tuple of `str`) and the class's reduce value (its key, or
    /// `(pickle.loads, (<class pickle>,))`).
    fn check_class_body(&self, bases: Id, ns: Id) -> Result<(), Error> {
        let bad = || helper_misuse("type");
        let Node::Tuple(bases) = self.node(bases) else {
            return Err(bad());
        };
        for &b in bases {
            let ok = match self.node(b) {
                Node::Global(g) => g.module == NAMESPACE,
                Node::Sym(s) => matches!(**s, Sym::StrictBase),
                _ => false,
            };
            if !ok {
                return Err(bad());
            }
        }
        let Node::Dict(pairs) = self.node(ns) else {
            return Err(bad());
        };
        let is_str = |id: Id| matches!(self.node(id), Node::Str(_));
        for &(k, v) in pairs {
            let ok = match self.str_of(k) {
                Some("__module__" | "__qualname__" | "__doc__") => is_str(v),
                Some("__annotations__") => {
                    matches!(self.node(v), Node::Dict(anns) if anns.iter().all(|&(a, t)| is_str(a) && is_str(t)))
                }
                Some("__match_args__") => matches!(self.node(v), Node::Tuple(f) if f.iter().all(|&f| is_str(f))),
                Some(CLASS_REDUCE) => is_str(v) || self.is_class_reduce(v),
                _ => false,
            };
            if !ok {
                return Err(bad());
            }
        }
        Ok(())
    }

    /// The strict header's slots, as the header leaves them.
    pub(super) fn fill_strict_memo(&mut self) -> Result<(), Error> {
        use portable_format::strict::{self as profile, slot as strict_slot};
        for s in 0..strict_slot::COUNT {
            let node = match s {
                strict_slot::MAKE_CLASS => Node::Sym(Box::new(Sym::StrictMakeClass)),
                strict_slot::WITH_KEYWORDS => Node::Sym(Box::new(Sym::StrictWithKeywords)),
                strict_slot::NAMESPACE_NAME => Node::Str(profile::NAMESPACE.into()),
                strict_slot::BASE => Node::Sym(Box::new(Sym::StrictBase)),
                _ => Node::Sym(Box::new(Sym::StrictEnum)),
            };
            let id = self.alloc(node)?;
            self.memo_put(u64::from(s), id)?;
        }
        Ok(())
    }

    /// The namespace registry: `partial(register, key)`, `register`, `lookup`,
    /// and `partial` of other helpers.
    fn registry_helper(&mut self, s: u32, args: &[Id]) -> Result<Id, Error> {
        match (s, args) {
            (slot::PARTIAL, [f, key]) if matches!(self.node(*f), Node::Sym(s) if matches!(**s, Sym::Fn(slot::REGISTER))) =>
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
                match (self.registry.get(key), args) {
                    (Some(&found), _) => Ok(found),
                    (None, [_, default]) => Ok(*default),
                    (None, _) => self.alloc(Node::None),
                }
            }
            (slot::PARTIAL, [tool]) => match self.node(*tool) {
                Node::Sym(s) => match **s {
                    Sym::Fn(tool @ (slot::STRUCT | slot::FROZEN_STRUCT)) => self.sym(Sym::Ordered(tool, false)),
                    _ => Err(helper_misuse("partial")),
                },
                _ => Err(helper_misuse("partial")),
            },
            (slot::PARTIAL, [f, rest @ ..]) if !rest.is_empty() && rest.len() <= SYM_MAX_ITEMS => {
                if matches!(self.node(*f), Node::Sym(s) if matches!(**s, Sym::ImportModule)) {
                    self.trace_declared(rest[0]);
                }
                let (f, rest) = (*f, rest.to_vec());
                self.sym(Sym::Partial(f, rest))
            }
            (s, _) => Err(helper_misuse(helper_name(s))),
        }
    }

    /// How a descriptor finds or builds a class pickle: `sys.modules.get`,
    /// `b"".join`, `pickle.loads`, and `getattr` of an enum member or of
    /// the real module that is never found.
    fn loader_helper(&mut self, s: u32, args: &[Id]) -> Result<Id, Error> {
        match (s, args) {
            (slot::DICT_GET, [modules, _]) if matches!(self.node(*modules), Node::Sym(s) if matches!(**s, Sym::Module)) => {
                self.alloc(Node::None)
            }
            // b"".join((STANDALONE, definition, selection)): a class pickle.
            (slot::BYTES_JOIN, [sep, parts]) if matches!(self.node(*sep), Node::Bytes(b) if b.is_empty()) => {
                let parts = self.iter_items(*parts, "bytes.join")?;
                let (first, rest) = parts.split_first().ok_or_else(|| helper_misuse("bytes.join"))?;
                if !matches!(self.node(*first), Node::Sym(s) if matches!(**s, Sym::Standalone)) {
                    return Err(helper_misuse("bytes.join"));
                }
                let mut n = 0usize;
                for &p in rest {
                    let Node::Bytes(b) = self.node(p) else {
                        return Err(helper_misuse("bytes.join"));
                    };
                    n = n.saturating_add(b.len());
                }
                let mut bytes = self.budget.vec(n)?;
                for &p in rest {
                    if let Node::Bytes(b) = self.node(p) {
                        bytes.extend_from_slice(b);
                    }
                }
                self.sym(Sym::ClassPickle(bytes))
            }
            (slot::LOADS, [data]) => {
                let Node::Sym(sym) = self.node(*data) else {
                    return Err(helper_misuse("pickle.loads"));
                };
                let Sym::ClassPickle(bytes) = &**sym else {
                    return Err(helper_misuse("pickle.loads"));
                };
                let n = bytes.len();
                self.charge(n)?;
                let bytes = match self.node(*data) {
                    Node::Sym(sym) => match &**sym {
                        Sym::ClassPickle(bytes) => bytes.clone(),
                        _ => unreachable!("a class pickle, checked above"),
                    },
                    _ => unreachable!("a class pickle, checked above"),
                };
                let class = self.class_pickle(&bytes);
                self.budget.release(n);
                class
            }
            // getattr(None, name, None): the real-class path of a descriptor
            // (no module is ever found here).
            (slot::GETATTR, [obj, _, default]) if matches!(self.node(*obj), Node::None) => Ok(*default),
            // getattr(Base, "Variant", None): a module-declared data enum's
            // variant taken from the real base class. The base here is
            // always the stand-in, which has no such attribute before the
            // descriptor attaches it.
            (slot::GETATTR, [obj, name, default])
                if matches!(self.node(*obj), Node::Global(_)) && self.str_of(*name).is_some() =>
            {
                Ok(*default)
            }
            // getattr(namespace, tool): the class tools without a memo slot
            // (`hashable` builds a dataclass as `struct` does, `int_enum`
            // an enum as `enum` does; here only names and fields matter).
            (slot::GETATTR, [obj, name])
                if matches!(self.node(*obj), Node::Sym(s) if matches!(**s, Sym::Module))
                    && self.str_of(*name).is_some_and(|n| CLASS_TOOLS.contains(&n)) =>
            {
                let tool = if self.str_of(*name) == Some(CLASS_TOOLS[0]) {
                    slot::STRUCT
                } else {
                    slot::ENUM
                };
                self.sym(Sym::Fn(tool))
            }
            (slot::GETATTR, [obj, name]) => {
                let member = self.str_of(*name).ok_or_else(|| helper_misuse("getattr"))?;
                let Node::Sym(sym) = self.node(*obj) else {
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
                let id = self.alloc(Node::Object(Box::new(ObjNode {
                    class,
                    call: Call::Reduce,
                    args: vec![value],
                    kwargs: Vec::new(),
                    state: None,
                })))?;
                self.trace_member(id);
                Ok(id)
            }
            (s, _) => Err(helper_misuse(helper_name(s))),
        }
    }
}
