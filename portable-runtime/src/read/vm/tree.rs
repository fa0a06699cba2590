//! The arena graph turned into a [`Value`] tree, iteratively (no recursion,
//! so depth is bounded by [`ReadOptions::max_depth`](crate::read::ReadOptions::max_depth)
//! and not by the native stack): a node reached more than once becomes one
//! [`Value::Shared`] allocation, a node reached from itself is refused.

use std::collections::HashMap;
use std::rc::Rc;

use super::class_pickle::{helper_name, Sym};
use super::{unsupported, Id, Node, Source, Unpickler};
use crate::layout::NAMESPACE;
use crate::read::error::{Error, ErrorKind};
use crate::read::value::{Global, Object, Value};

impl<S: Source> Unpickler<'_, S> {
    /// The nodes `id` holds, in the order [`Self::node_value`] takes them.
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
    /// How many edges reach each node (from reachable nodes only; the root
    /// counts as reached once).
    fn count_refs(&self, root: Id) -> Vec<u32> {
        let mut refs = vec![0u32; self.nodes.len()];
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
        refs
    }

    /// Turns the arena graph under `root` into a tree, iteratively.
    pub(super) fn into_value(mut self, root: Id) -> Result<Value, Error> {
        let max_depth = self.admit.options.max_depth;
        let n = self.nodes.len();
        // Pass 1: how many edges reach each node.
        let refs = self.count_refs(root);
        let mut kids = Vec::new();
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
