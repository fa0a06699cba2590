//! The arena graph turned into a [`Value`] tree, iteratively (no recursion,
//! so depth is bounded by [`ReadOptions::max_depth`](crate::read::ReadOptions::max_depth)
//! and not by the native stack): a node reached more than once becomes one
//! [`Value::Shared`] allocation, a node reached from itself is refused (or,
//! with [`ReadOptions::replace_recursive`](crate::read::ReadOptions::replace_recursive),
//! read as `None` there).
//!
//! Memory stays within the budget while the tree grows: each container's
//! items are built in place in a vector of exactly their number (charged
//! before it is allocated), each node is moved out of the arena when it is
//! reached, and an arena chunk is freed (and released) as soon as all the
//! nodes of it that the tree needs have moved.

use std::mem::size_of;
use std::sync::Arc;

use super::class_pickle::{helper_name, Sym};
use super::{forbidden, inline_node, is_inline, unsupported, Id, Node, Source, Unpickler, BLOCK, CHUNK};
use crate::layout::NAMESPACE;
use crate::read::error::{Error, ErrorKind};
use crate::read::value::{Global, Object, Value};

/// The `i`th object a node holds, in the order its value takes them.
fn child(node: &Node, i: usize) -> Option<Id> {
    match node {
        Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v) => v.get(i).copied(),
        Node::Dict(pairs) => pairs.get(i / 2).map(|&(k, v)| if i % 2 == 0 { k } else { v }),
        Node::Object(o) => {
            let kw = i.checked_sub(o.args.len());
            match kw {
                None => Some(o.args[i]),
                Some(j) if j < 2 * o.kwargs.len() => {
                    let (k, v) = o.kwargs[j / 2];
                    Some(if j % 2 == 0 { k } else { v })
                }
                Some(j) if j == 2 * o.kwargs.len() => o.state,
                Some(_) => None,
            }
        }
        _ => None,
    }
}

/// Per arena node: not reached from the root, reached once, or (reached
/// more than once) `SHARED + its index` in the table of shared nodes.
const UNREACHED: u32 = 0;
const ONCE: u32 = 1;
const SHARED: u32 = 2;

/// A shared node's conversion: not started, in progress (on the path from
/// the root: meeting it again is a cycle), or done with this height.
const UNSEEN: u32 = 0;
const ON_PATH: u32 = u32::MAX;

struct Slot {
    value: Option<Arc<Value>>,
    height: u32,
}

/// A container being converted: its node (moved out of the arena), the
/// next of its children to convert, the highest child so far, and its
/// value's parts.
struct Frame {
    id: Id,
    node: Node,
    next: usize,
    height: u32,
    build: Build,
}

enum Build {
    Items(Vec<Value>),
    /// The pairs, and a key waiting for its value.
    Pairs(Vec<(Value, Value)>, Option<Value>),
    Object {
        args: Vec<Value>,
        kwargs: Vec<(Value, Value)>,
        key: Option<Value>,
        state: Option<Value>,
    },
}

impl Frame {
    /// Adds the value of child `next - 1`.
    fn add(&mut self, value: Value, height: u32) {
        self.height = self.height.max(height);
        let i = self.next - 1;
        match (&mut self.build, &self.node) {
            (Build::Items(items), _) => items.push(value),
            (Build::Pairs(pairs, key), _) => match key.take() {
                Some(k) => pairs.push((k, value)),
                None => *key = Some(value),
            },
            (
                Build::Object {
                    args,
                    kwargs,
                    key,
                    state,
                },
                Node::Object(o),
            ) => {
                if i < o.args.len() {
                    args.push(value);
                } else if i < o.args.len() + 2 * o.kwargs.len() {
                    match key.take() {
                        Some(k) => kwargs.push((k, value)),
                        None => *key = Some(value),
                    }
                } else {
                    *state = Some(value);
                }
            }
            (Build::Object { .. }, _) => unreachable!("object parts for an object node only"),
        }
    }
}

/// What reaching a node gives: its value, or a container to fill.
enum Reached {
    Done(Value, u32),
    Frame(Frame),
}

/// The state of one conversion.
struct Conversion {
    state: Vec<u32>,
    /// Per arena chunk: nodes the tree still needs from it.
    pending: Vec<u32>,
    slots: Vec<Slot>,
    max_depth: usize,
    /// What the depth limit is called in its error.
    depth_limit: &'static str,
    replace_recursive: bool,
}

impl Conversion {
    fn depth_error(&self) -> Error {
        Error::new(ErrorKind::Limit {
            what: self.depth_limit,
            limit: self.max_depth,
        })
    }
}

impl<S: Source> Unpickler<'_, S> {
    /// Counts how often each node is reached from `root` (once, or more),
    /// and how many of the tree's nodes each arena chunk holds.
    fn count_refs(&mut self, root: Id) -> Result<(Vec<u32>, Vec<u32>, usize), Error> {
        let n = self.nodes.len();
        let mut state = self.budget.vec::<u32>(n)?;
        state.resize(n, UNREACHED);
        let mut pending = self.budget.vec::<u32>(self.nodes.chunks.len())?;
        pending.resize(self.nodes.chunks.len(), 0);
        let mut shared = 0;
        let mut todo: Vec<Id> = Vec::new();
        if !is_inline(root) {
            state[root as usize] = ONCE;
            pending[root as usize / CHUNK] += 1;
            self.budget.reserve(&mut todo, 1)?;
            todo.push(root);
        }
        while let Some(id) = todo.pop() {
            let node = self.nodes.get(id);
            let mut i = 0;
            while let Some(k) = child(node, i) {
                i += 1;
                if is_inline(k) {
                    continue;
                }
                match state[k as usize] {
                    UNREACHED => {
                        state[k as usize] = ONCE;
                        pending[k as usize / CHUNK] += 1;
                        self.budget.reserve(&mut todo, 1)?;
                        todo.push(k);
                    }
                    ONCE => {
                        state[k as usize] = SHARED;
                        shared += 1;
                    }
                    _ => {}
                }
            }
        }
        self.budget.release_vec(&todo);
        Ok((state, pending, shared))
    }

    /// Turns the arena graph under `root` into a tree, iteratively; returns
    /// it with the bytes it holds (as charged).
    pub(super) fn into_value(mut self, root: Id) -> Result<(Value, usize), Error> {
        self.free_scratch();
        self.registry = Default::default();
        let (state, pending, shared) = self.count_refs(root)?;
        // Chunks of nodes the tree does not need (popped, overwritten) go now.
        for (c, &p) in pending.iter().enumerate() {
            if p == 0 {
                self.nodes.free_chunk(c, &mut self.budget);
            }
        }
        let options = self.admit.options;
        let (max_depth, depth_limit) = match self.admit.serde && options.serde_max_depth < options.max_depth {
            true => (
                options.serde_max_depth,
                "nesting depth through serde, ReadOptions::serde_max_depth",
            ),
            false => (options.max_depth, "nesting depth"),
        };
        let mut cx = Conversion {
            state,
            pending,
            slots: self.budget.vec(shared)?,
            max_depth,
            depth_limit,
            replace_recursive: self.admit.options.replace_recursive,
        };
        for s in cx.state.iter_mut() {
            if *s == SHARED {
                *s = SHARED + cx.slots.len() as u32;
                cx.slots.push(Slot {
                    value: None,
                    height: UNSEEN,
                });
            }
        }
        let mut frames: Vec<Frame> = Vec::new();
        let mut reach = Some((root, 1usize));
        let value = loop {
            let (value, height) = match reach.take() {
                Some((id, depth)) => match self.reach(id, depth, &mut cx)? {
                    Reached::Done(value, height) => (value, height),
                    Reached::Frame(frame) => {
                        self.budget.reserve(&mut frames, 1)?;
                        frames.push(frame);
                        continue;
                    }
                },
                None => {
                    let depth = frames.len() + 1;
                    let top = frames.last_mut().expect("a container while the root is unfinished");
                    if let Some(k) = child(&top.node, top.next) {
                        top.next += 1;
                        reach = Some((k, depth));
                        continue;
                    }
                    let frame = frames.pop().expect("the top container");
                    self.finish(frame, &mut cx)?
                }
            };
            match frames.last_mut() {
                Some(top) => top.add(value, height),
                None => break value,
            }
        };
        self.budget.release_vec(&frames);
        self.budget.release_vec(&cx.state);
        self.budget.release_vec(&cx.pending);
        self.budget.release_vec(&cx.slots);
        drop(cx);
        // A root reached again only from inside itself (read as `None`
        // there) is no longer shared.
        let value = match value {
            Value::Shared(rc) => Arc::try_unwrap(rc).unwrap_or_else(Value::Shared),
            v => v,
        };
        Ok((value, self.budget.live()))
    }

    /// Reaches `id` at `depth`: a value, or a container to convert.
    fn reach(&mut self, id: Id, depth: usize, cx: &mut Conversion) -> Result<Reached, Error> {
        if depth > cx.max_depth {
            return Err(cx.depth_error());
        }
        if is_inline(id) {
            return Ok(Reached::Done(scalar(inline_node(id)), 1));
        }
        if let Some(slot) = cx.state[id as usize].checked_sub(SHARED) {
            let slot = &mut cx.slots[slot as usize];
            match slot.height {
                ON_PATH if cx.replace_recursive => return Ok(Reached::Done(Value::None, 1)),
                ON_PATH => {
                    return Err(unsupported(
                        "a self-referential structure (an object that contains itself; \
                         ReadOptions::replace_recursive reads the inner reference as None)",
                    ))
                }
                UNSEEN => slot.height = ON_PATH,
                h => {
                    // A shared node met again: its subtree hangs below this depth too.
                    if depth + h as usize - 1 > cx.max_depth {
                        return Err(cx.depth_error());
                    }
                    let rc = slot.value.clone().expect("a converted shared node");
                    return Ok(Reached::Done(Value::Shared(rc), h));
                }
            }
        }
        let node = std::mem::replace(self.nodes.get_mut(id).expect("an arena node"), Node::Taken);
        let c = id as usize / CHUNK;
        cx.pending[c] -= 1;
        if cx.pending[c] == 0 {
            self.nodes.free_chunk(c, &mut self.budget);
        }
        let build = match &node {
            Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v) => {
                Build::Items(self.budget.vec(v.len())?)
            }
            Node::Dict(pairs) => Build::Pairs(self.budget.vec(pairs.len())?, None),
            Node::Object(o) => {
                self.budget.charge(size_of::<Object>() + BLOCK)?;
                Build::Object {
                    args: self.budget.vec(o.args.len())?,
                    kwargs: self.budget.vec(o.kwargs.len())?,
                    key: None,
                    state: None,
                }
            }
            _ => Build::Items(Vec::new()),
        };
        let has_children = child(&node, 0).is_some();
        let frame = Frame {
            id,
            node,
            next: 0,
            height: 0,
            build,
        };
        if has_children {
            Ok(Reached::Frame(frame))
        } else {
            let (value, height) = self.finish(frame, cx)?;
            Ok(Reached::Done(value, height))
        }
    }

    /// The value of a container whose children are all converted (or of a
    /// node without any).
    fn finish(&mut self, frame: Frame, cx: &mut Conversion) -> Result<(Value, u32), Error> {
        let height = frame.height + 1;
        if height as usize > cx.max_depth {
            return Err(cx.depth_error());
        }
        // The node's lists of ids are freed with it.
        match &frame.node {
            Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v) => self.budget.release_vec(v),
            Node::Dict(pairs) => self.budget.release_vec(pairs),
            Node::Object(o) => {
                self.budget.release_vec(&o.args);
                self.budget.release_vec(&o.kwargs);
            }
            _ => {}
        }
        let value = match (frame.node, frame.build) {
            (Node::List(_), Build::Items(items)) => Value::List(items),
            (Node::Tuple(_), Build::Items(items)) => Value::Tuple(items),
            (Node::Set(_), Build::Items(items)) => Value::Set(items),
            (Node::FrozenSet(_), Build::Items(items)) => Value::FrozenSet(items),
            (Node::Dict(_), Build::Pairs(pairs, _)) => Value::Dict(pairs),
            (
                Node::Object(o),
                Build::Object {
                    args, kwargs, state, ..
                },
            ) => Value::Object(Box::new(Object {
                class: o.class,
                call: o.call,
                args,
                kwargs,
                state,
            })),
            (node, _) => self.leaf(node)?,
        };
        match cx.state[frame.id as usize].checked_sub(SHARED) {
            Some(slot) => {
                self.budget
                    .charge(size_of::<Value>() + 2 * size_of::<usize>() + BLOCK)?;
                let rc = Arc::new(value);
                let slot = &mut cx.slots[slot as usize];
                slot.value = Some(rc.clone());
                slot.height = height;
                Ok((Value::Shared(rc), height))
            }
            None => Ok((value, height)),
        }
    }

    /// The value of a node that holds no other.
    fn leaf(&mut self, node: Node) -> Result<Value, Error> {
        Ok(match node {
            Node::Global(g) => Value::Global(g),
            Node::Base(g) => return Err(forbidden(&g)),
            Node::Sym(sym) => match *sym {
                Sym::Enum(g, _) => Value::Global(g),
                Sym::Fn(s) => {
                    let name = helper_name(s);
                    self.budget
                        .charge(size_of::<Global>() + NAMESPACE.len() + name.len() + 3 * BLOCK)?;
                    Value::Global(Arc::new(Global::new(NAMESPACE, name)))
                }
                Sym::Module
                | Sym::Register(_)
                | Sym::Iter(_)
                | Sym::Partial(..)
                | Sym::Ordered(..)
                | Sym::Standalone
                | Sym::ClassPickle(_)
                | Sym::FindSpec
                | Sym::ImportModule
                | Sym::Zip
                | Sym::StrictMakeClass
                | Sym::StrictWithKeywords
                | Sym::StrictBase
                | Sym::StrictEnum
                | Sym::ArrayTool(_) => return Err(unsupported("a header helper object as part of the value")),
            },
            Node::Taken => unreachable!("each node is converted once"),
            node => scalar(node),
        })
    }
}

/// The value of a node that holds no other object and nothing to check.
fn scalar(node: Node) -> Value {
    match node {
        Node::None => Value::None,
        Node::Bool(b) => Value::Bool(b),
        Node::Int(i) => Value::Int(i),
        Node::BigInt(b) => Value::BigInt(b),
        Node::Float(f) => Value::Float(f),
        Node::Str(s) => Value::Str(s),
        Node::Bytes(b) => Value::Bytes(b),
        Node::ByteArray(b) => Value::ByteArray(b),
        // Containers without items (with items they are built by frames).
        Node::List(_) => Value::List(Vec::new()),
        Node::Tuple(_) => Value::Tuple(Vec::new()),
        Node::Set(_) => Value::Set(Vec::new()),
        Node::FrozenSet(_) => Value::FrozenSet(Vec::new()),
        Node::Dict(_) => Value::Dict(Vec::new()),
        Node::Global(_) | Node::Base(_) | Node::Object(_) | Node::Sym(_) | Node::Taken => {
            unreachable!("not a scalar node")
        }
    }
}
