//! A `Pickler` session's additions to a pickle with the header, recognised
//! by their exact bytes rather than by admitting what they call.
//!
//! Right after the header, a session's pickle gives the namespace its short
//! name: `sys.modules.setdefault("io._pp3", namespace)`, checked to be the
//! namespace (`header::session_prologue`), which calls
//! `builtins.dict.setdefault`.
//! That global stays forbidden everywhere else: the prologue is skipped
//! only as the whole byte sequence, only while the header's memo slots it
//! reads still hold what the header put there.
//!
//! Each class descriptor's classes are registered again under an alias
//! (`register(ALIAS, lookup(KEY))`), which a later pickle of the session
//! names as `GLOBAL io._pp3 ALIAS`. A [`SessionTable`] keeps what the
//! pickles read so far registered; only an `Unpickler` session has one, so
//! a later pickle read alone is refused (its `io._pp3` globals resolve to
//! nothing).

use std::collections::HashMap;
use std::sync::Arc;

use super::class_pickle::Sym;
use super::{Id, Node, ObjNode, Source, Unpickler};
use crate::read::error::{Error, ErrorKind};
use crate::read::value::{Call, Global};
use portable_format::array::{offset, BODY_HELPERS, SESSION_NAMES};

impl<S: Source> Unpickler<'_, S> {
    /// After a `BINGET` of memo slot `idx`: if the session prologue
    /// follows (it starts with that `BINGET`), skips it (it leaves the stack
    /// as it was). Returns whether it did. Only while every header slot
    /// still holds what the header put there, so its helpers are the ones
    /// it calls.
    pub(super) fn session_prologue(&mut self, idx: u64) -> Result<bool, Error> {
        let prologue = crate::encoder::session_prologue();
        let intact =
            !self.header_memo.is_empty() && self.memo.get(..self.header_memo.len()) == Some(&self.header_memo[..]);
        if !intact || prologue[0] != crate::opcodes::BINGET || u8::try_from(idx).ok() != Some(prologue[1]) {
            return Ok(false);
        }
        self.src.skip_prefix(&prologue[2..])
    }
}

/// The most names a session table holds: each class a session registers
/// adds two (its key and its alias), so this is far beyond any real session
/// and bounds what a hostile stream of many pickles can make it keep.
const MAX_SESSION_NAMES: usize = 1 << 16;

/// What a session's pickles registered in the namespace, kept between the
/// pickles of one [`Unpickler`](crate::read) session: a later pickle names
/// those classes as `GLOBAL io._pp3 ALIAS` (and a unit enum's members as
/// `ALIAS.Member`), which resolve here and nowhere else.
#[derive(Default)]
pub(crate) struct SessionTable {
    names: HashMap<String, Registered>,
}

enum Registered {
    Class(Arc<Global>),
    /// An array tool (`true`: [`Sym::ArrayTool`]) or header helper
    /// ([`Sym::Fn`]) a session registers for the arrays of its later
    /// pickles ([`SESSION_NAMES`]).
    Tool(bool, u32),
    /// An enum class and its members' values.
    Enum(Arc<Global>, Vec<(String, Member)>),
}

/// A unit enum member's value (what the derive writes: an `int`, or a `str`).
#[derive(Clone)]
enum Member {
    Int(i64),
    Str(String),
}

impl<S: Source> Unpickler<'_, S> {
    /// `GLOBAL io._pp3 NAME` of a session's later pickle: the class (or enum
    /// member) an earlier pickle registered as `NAME`, if any.
    pub(super) fn session_global(&mut self, name: &str) -> Result<Option<Id>, Error> {
        let (alias, member) = match name.split_once('.') {
            Some((alias, member)) => (alias, Some(member)),
            None => (name, None),
        };
        let Some(found) = self.session.names.get(alias) else {
            return Ok(None);
        };
        let node = match (found, member) {
            (Registered::Class(g), None) => Node::Global(g.clone()),
            (Registered::Enum(g, members), None) => {
                let (g, members) = (g.clone(), members.clone());
                let mut ids = Vec::with_capacity(members.len());
                for (m, v) in members {
                    ids.push((m, self.member_node(v)?));
                }
                return self.sym(Sym::Enum(g, ids)).map(Some);
            }
            (Registered::Enum(g, members), Some(member)) => {
                let Some((_, v)) = members.iter().find(|(m, _)| m == member) else {
                    return Ok(None);
                };
                let (class, v) = (g.clone(), v.clone());
                let value = self.member_node(v)?;
                Node::Object(Box::new(ObjNode {
                    class,
                    call: Call::Reduce,
                    args: vec![value],
                    kwargs: Vec::new(),
                    state: None,
                }))
            }
            (&Registered::Tool(array, k), None) => {
                let sym = if array { Sym::ArrayTool(k) } else { Sym::Fn(k) };
                return self.sym(sym).map(Some);
            }
            (Registered::Class(_) | Registered::Tool(..), Some(_)) => return Ok(None),
        };
        self.charge(name.len())?;
        self.alloc(node).map(Some)
    }

    /// Whether `id` is what a session registers under `key` for its arrays:
    /// array tool `k` under the `k`th of [`SESSION_NAMES`], then the body
    /// helpers (the header's `next`, `map`, `starmap`).
    pub(super) fn is_session_tool(&self, key: &str, id: Id) -> bool {
        let Some(k) = SESSION_NAMES.iter().position(|n| *n == key) else {
            return false;
        };
        let k = k as u32;
        match (self.node(id), k.checked_sub(offset::COUNT)) {
            (Node::Sym(sym), None) => matches!(**sym, Sym::ArrayTool(t) if t == k),
            (Node::Sym(sym), Some(h)) => matches!(**sym, Sym::Fn(s) if s == BODY_HELPERS[h as usize]),
            _ => false,
        }
    }

    fn member_node(&mut self, v: Member) -> Result<Id, Error> {
        self.alloc(match v {
            Member::Int(i) => Node::Int(i),
            Member::Str(s) => Node::Str(s),
        })
    }

    /// After a pickle was read whole: every class (and array tool) it
    /// registered joins the session. A pickle that fails registers nothing,
    /// as a `Pickler` does not count a failed pickle's classes as known;
    /// a name registered before keeps its class (`setdefault`, as in Python).
    pub(super) fn keep_registrations(&mut self) -> Result<(), Error> {
        let entries: Vec<(String, Id)> = self
            .registry
            .iter()
            .filter(|(k, _)| !k.contains('#') && !self.session.names.contains_key(*k))
            .map(|(k, &id)| (k.clone(), id))
            .collect();
        for (key, id) in entries {
            let registered = match self.node(id) {
                Node::Global(g) => Registered::Class(g.clone()),
                Node::Sym(sym) if self.is_session_tool(&key, id) => match **sym {
                    Sym::ArrayTool(k) => Registered::Tool(true, k),
                    Sym::Fn(s) => Registered::Tool(false, s),
                    _ => unreachable!("a session tool is an array tool or a helper"),
                },
                Node::Sym(sym) => match &**sym {
                    Sym::Enum(g, members) => Registered::Enum(
                        g.clone(),
                        members
                            .iter()
                            .filter_map(|(m, v)| {
                                let member = match self.int_of(*v) {
                                    Some(i) => Member::Int(i),
                                    None => Member::Str(self.str_of(*v)?.to_owned()),
                                };
                                Some((m.clone(), member))
                            })
                            .collect(),
                    ),
                    _ => continue,
                },
                _ => continue,
            };
            if self.session.names.len() >= MAX_SESSION_NAMES {
                return Err(Error::new(ErrorKind::Limit {
                    what: "classes registered by a session's pickles",
                    limit: MAX_SESSION_NAMES,
                }));
            }
            self.session.names.insert(key, registered);
        }
        Ok(())
    }
}
