//! The typed read side: [`FromPickle`] converts a decoded [`Value`] into a
//! Rust type (the guide's mapping table, docs/guide/type-mapping.md, read backwards), charging a
//! [`ReadContext`] for what it allocates.
//!
//! The impls are grouped by the Python side they read:
//!
//! - [`builtins`]: Python's builtin values (numbers, `str`, `bytes`,
//!   `None`, lists, tuples, sets, dicts) as std's primitives, strings,
//!   wrappers and collections;
//! - [`stdlib`]: Python stdlib objects (`datetime`, `ipaddress`) and
//!   `range` as `Duration`, `SystemTime`, IP addresses and ranges, with the
//!   calendar arithmetic;
//! - [`features`]: the types of the optional cargo features;
//! - [`derive`](mod@derive): the helpers `#[derive(PortablePickle)]`'s read impls call.

mod builtins;
pub mod derive;
mod features;
pub(crate) mod stdlib;

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::read::error::{Error, ErrorKind};
use crate::read::value::Value;
use crate::read::ReadOptions;

/// Bytes charged per item converted, on top of its size: the work of
/// visiting it, so even zero-sized items exhaust the budget.
const ITEM_OVERHEAD: usize = 32;

/// State of one typed read: the allocation budget shared with the decoder,
/// and the `Rc`/`Arc`s already built for shared nodes of the tree.
pub struct ReadContext {
    used: usize,
    max_alloc: usize,
    /// (address of a shared node's allocation, type built) → what was built.
    shared: HashMap<(*const Value, TypeId), Built>,
}

/// An `Rc<T>`/`Arc<T>` built from a shared node, and the node, kept alive so
/// its address is not reused while the read lasts.
struct Built {
    _node: Arc<Value>,
    value: Box<dyn Any>,
}

impl ReadContext {
    pub(crate) fn new(options: &ReadOptions) -> Self {
        ReadContext {
            used: 0,
            max_alloc: options.max_alloc,
            shared: HashMap::new(),
        }
    }

    /// The `R` built from `value` (`build`), or, when `value` is a shared
    /// node an `R` was already built from, a clone of that one: a node the
    /// stream references more than once reads as one `Rc`/`Arc` allocation.
    /// Different types built from one node do not meet (keyed by `TypeId`).
    pub(crate) fn shared<R: Clone + 'static>(
        &mut self,
        value: &Value,
        build: impl FnOnce(&mut Self) -> Result<R, Error>,
    ) -> Result<R, Error> {
        // The innermost `Shared` (the allocation holding the node itself).
        let mut node = None;
        let mut v = value;
        while let Value::Shared(rc) = v {
            node = Some(rc);
            v = rc;
        }
        let Some(node) = node else {
            return build(self);
        };
        let key = (Arc::as_ptr(node), TypeId::of::<R>());
        if let Some(built) = self.shared.get(&key) {
            return Ok(built.value.downcast_ref::<R>().expect("keyed by TypeId").clone());
        }
        let value = build(self)?;
        self.shared.insert(
            key,
            Built {
                _node: node.clone(),
                value: Box::new(value.clone()),
            },
        );
        Ok(value)
    }

    /// Charges `bytes` about to be allocated; fails past
    /// [`ReadOptions::max_alloc`]. Every impl that allocates or repeats work
    /// per element charges, so a stream whose shared references expand into
    /// a huge value stops early.
    pub fn charge(&mut self, bytes: usize) -> Result<(), Error> {
        self.used = self.used.saturating_add(bytes.max(1));
        self.check()
    }

    /// Charges `n` items of `T`, each with a fixed overhead for visiting it.
    pub fn charge_items<T>(&mut self, n: usize) -> Result<(), Error> {
        self.used = self
            .used
            .saturating_add(n.saturating_mul(std::mem::size_of::<T>() + ITEM_OVERHEAD));
        self.check()
    }

    fn check(&self) -> Result<(), Error> {
        if self.used > self.max_alloc {
            return Err(Error::new(ErrorKind::Limit {
                what: "total allocation",
                limit: self.max_alloc,
            }));
        }
        Ok(())
    }
}

/// The Python class names (`__qualname__`s) a Rust type and the types it
/// contains expect; the reader admits globals with these names from any module.
#[derive(Default)]
pub struct ClassNames {
    names: HashSet<String>,
    visited: HashSet<&'static str>,
}

impl ClassNames {
    /// Marks the type `type_name` visited; `false` if it was already (stops
    /// the walk on recursive types).
    pub fn enter(&mut self, type_name: &'static str) -> bool {
        self.visited.insert(type_name)
    }

    /// Adds a class `__qualname__`.
    pub fn add(&mut self, name: &str) {
        self.names.insert(name.to_owned());
    }

    /// Whether `name` was added.
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }
}

/// A Rust value that can be read from a decoded pickle [`Value`].
///
/// `#[derive(PortablePickle)]` implements it for types without lifetime
/// parameters; this crate implements it for the std types of the mapping table.
/// A read borrows nothing from the stream, so the types are owned (`'static`):
/// this is what lets a shared `Rc<T>` read back as one allocation, found again
/// by its `TypeId`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read back from a pickle",
    label = "`{Self}` does not implement `FromPickle`",
    note = "the types of `chrono`, `uuid`, `rust_decimal`, `indexmap`, `num-complex` and `ndarray` implement it \
            when portable-pickle's cargo feature of the same name is on",
    note = "for a field of another crate's type, choose how it is read: `#[pickle(display)]`, \
            `#[pickle(serde)]`, `#[pickle(with = \"module\")]`, or a newtype with a hand-written impl \
            (the guide's \"Foreign types\", docs/guide/attributes.md)",
    note = "a read builds owned values: a type that borrows (`&str`, a type with a lifetime parameter) has no \
            read impl; read an owned type instead (`String` for `&str`), or derive only the write side with \
            `#[pickle(write_only)]` on the type"
)]
pub trait FromPickle: Sized + 'static {
    /// Converts a decoded value. Errors say what was expected and what was found.
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error>;

    /// Converts the whole decoded value, which the caller gives away
    /// ([`Value`] itself takes it without copying).
    fn from_pickle_owned(value: Value, cx: &mut ReadContext) -> Result<Self, Error> {
        Self::from_pickle(&value, cx)
    }

    /// The value of a field that is absent: `None` for `Option`, else there
    /// is none and the field is reported missing.
    fn from_missing() -> Option<Self> {
        None
    }

    /// Adds the Python class names this type reads (see [`ClassNames`]).
    fn declare_classes(names: &mut ClassNames) {
        let _ = names;
    }

    /// Reads a `Vec<Self>`: from a `list` or `tuple`; `u8` also reads `bytes`.
    #[doc(hidden)]
    fn vec_from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Vec<Self>, Error> {
        read_seq(value, cx, "list")
    }
}

/// Bytes fields (`#[pickle(bytes)]`): types written through `AsRef<[u8]>`.
pub trait FromPickleBytes: Sized {
    /// Converts the bytes.
    fn from_pickle_bytes(bytes: &[u8]) -> Result<Self, Error>;
}

pub(crate) fn mismatch(expected: &str, found: &Value) -> Error {
    Error::mismatch(expected, found.type_name())
}

/// Items of a `list` or `tuple` (also sets, for collections without order).
pub(crate) fn seq_items<'v>(value: &'v Value, expected: &str, sets: bool) -> Result<&'v [Value], Error> {
    match value.get() {
        Value::List(v) | Value::Tuple(v) => Ok(v),
        Value::Set(v) | Value::FrozenSet(v) if sets => Ok(v),
        other => Err(mismatch(expected, other)),
    }
}

fn read_seq<T: FromPickle, C: FromIterator<T>>(
    value: &Value,
    cx: &mut ReadContext,
    expected: &str,
) -> Result<C, Error> {
    read_items(value, cx, expected, false)
}

/// The items of a sequence (or, with `sets`, of a set too), each converted.
fn read_items<T: FromPickle, C: FromIterator<T>>(
    value: &Value,
    cx: &mut ReadContext,
    expected: &str,
    sets: bool,
) -> Result<C, Error> {
    let items = seq_items(value, expected, sets)?;
    cx.charge_items::<T>(items.len())?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| T::from_pickle(v, cx).map_err(|e| e.in_index(i)))
        .collect()
}

pub(crate) fn read_set<T: FromPickle, C: FromIterator<T>>(value: &Value, cx: &mut ReadContext) -> Result<C, Error> {
    read_items(value, cx, "set", true)
}

pub(crate) fn read_map<K: FromPickle, V: FromPickle, C: FromIterator<(K, V)>>(
    value: &Value,
    cx: &mut ReadContext,
) -> Result<C, Error> {
    let pairs = match value.get() {
        Value::Dict(p) => p,
        other => return Err(mismatch("dict", other)),
    };
    cx.charge_items::<(K, V)>(pairs.len())?;
    pairs
        .iter()
        .map(|(k, v)| {
            let key = K::from_pickle(k, cx).map_err(Error::in_key)?;
            let name = match k.get() {
                Value::Str(s) => s.clone(),
                Value::Int(i) => i.to_string(),
                _ => "<value>".into(),
            };
            let val = V::from_pickle(v, cx).map_err(|e| e.in_field(&name))?;
            Ok((key, val))
        })
        .collect()
}

/// The `int` as an `i128`, or the error for `ty`.
fn int_i128(value: &Value, ty: &'static str) -> Result<i128, Error> {
    match value.get() {
        Value::Int(i) => Ok(i128::from(*i)),
        Value::BigInt(b) => b.to_i128().ok_or_else(|| {
            Error::new(ErrorKind::IntOutOfRange {
                value: b.to_string(),
                ty,
            })
        }),
        other => Err(mismatch("int", other)),
    }
}
