//! The decoder's objects: ids (arena indices, or scalars held inline) and
//! the arena of nodes, grown in fixed chunks so growth never copies it.

use std::mem::size_of;
use std::sync::Arc;

use super::budget::{Budget, BLOCK};
use super::class_pickle::Sym;
use crate::read::error::{Error, ErrorKind};
use crate::read::value::{BigInt, Call, Global};

/// An object: an arena index, or (high bit set) a value held inline.
pub(super) type Id = u32;

/// Ids with the high bit set are values, not arena indices: `None`,
/// `False`, `True`, and (top two bits set) ints of 30 bits, so the scalars
/// of a stream cost no arena node. A memoized scalar is boxed into a node
/// first, so a memo reference to it stays shared.
pub(super) const INLINE: Id = 1 << 31;
pub(super) const NONE_ID: Id = INLINE;
pub(super) const FALSE_ID: Id = INLINE | 1;
pub(super) const TRUE_ID: Id = INLINE | 2;
pub(super) const INT_TAG: Id = 3 << 30;
pub(super) const INT_BITS: u32 = 30;

pub(super) fn is_inline(id: Id) -> bool {
    id & INLINE != 0
}

pub(super) fn inline_id(node: &Node) -> Option<Id> {
    match *node {
        Node::None => Some(NONE_ID),
        Node::Bool(false) => Some(FALSE_ID),
        Node::Bool(true) => Some(TRUE_ID),
        Node::Int(i) if (-(1 << (INT_BITS - 1))..1 << (INT_BITS - 1)).contains(&i) => {
            Some(INT_TAG | (i as u32 & ((1 << INT_BITS) - 1)))
        }
        _ => None,
    }
}

/// The scalar an inline id holds.
pub(super) fn inline_node(id: Id) -> Node {
    match id {
        NONE_ID => Node::None,
        FALSE_ID => Node::Bool(false),
        TRUE_ID => Node::Bool(true),
        _ => {
            debug_assert_eq!(id & INT_TAG, INT_TAG);
            // Sign-extend the 30-bit payload.
            Node::Int(i64::from(((id << 2) as i32) >> 2))
        }
    }
}

/// Nodes per arena chunk: the arena grows a chunk at a time (never by
/// reallocation), and a chunk is freed once its nodes moved into the tree.
pub(super) const CHUNK: usize = 1024;
pub(super) const CHUNK_BYTES: usize = CHUNK * size_of::<Node>();

/// Longest text argument of a protocol-0 opcode.
pub(crate) const MAX_LINE: usize = 64 * 1024;

pub(super) enum Node {
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
    Global(Arc<Global>),
    /// A global admitted only as the base class argument of
    /// `copyreg._reconstructor` (`builtins.tuple`); anywhere else it is a
    /// forbidden global.
    Base(Arc<Global>),
    Object(Box<ObjNode>),
    Sym(Box<Sym>),
    /// Moved into the result already.
    Taken,
}

impl Node {
    /// The heap a node owns beyond its payload (charged when it is made):
    /// its box, and what the allocator spends per block.
    pub(super) fn boxes(&self) -> usize {
        match self {
            Node::Str(s) if s.capacity() > 0 => BLOCK,
            Node::Bytes(b) | Node::ByteArray(b) if b.capacity() > 0 => BLOCK,
            Node::BigInt(_) => BLOCK,
            Node::Global(_) | Node::Base(_) => size_of::<Global>() + 2 * BLOCK,
            Node::Object(_) => size_of::<ObjNode>() + BLOCK,
            Node::Sym(_) => size_of::<Sym>() + BLOCK,
            _ => 0,
        }
    }
}

pub(super) struct ObjNode {
    pub(super) class: Arc<Global>,
    pub(super) call: Call,
    pub(super) args: Vec<Id>,
    pub(super) kwargs: Vec<(Id, Id)>,
    pub(super) state: Option<Id>,
}

/// The nodes of one read, in chunks of [`CHUNK`].
#[derive(Default)]
pub(super) struct Arena {
    pub(super) chunks: Vec<Vec<Node>>,
    pub(super) len: usize,
}

impl Arena {
    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn get(&self, id: Id) -> &Node {
        let i = id as usize;
        &self.chunks[i / CHUNK][i % CHUNK]
    }

    /// The node `id`, unless it is a value held inline.
    pub(super) fn get_mut(&mut self, id: Id) -> Option<&mut Node> {
        if is_inline(id) {
            return None;
        }
        let i = id as usize;
        Some(&mut self.chunks[i / CHUNK][i % CHUNK])
    }

    pub(super) fn push(&mut self, node: Node, budget: &mut Budget) -> Result<Id, Error> {
        let id = Id::try_from(self.len)
            .ok()
            .filter(|&id| !is_inline(id))
            .ok_or_else(|| {
                Error::new(ErrorKind::Limit {
                    what: "object count",
                    limit: INLINE as usize,
                })
            })?;
        if self.len % CHUNK == 0 {
            budget.reserve(&mut self.chunks, 1)?;
            budget.charge(CHUNK_BYTES)?;
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        self.chunks.last_mut().expect("a chunk").push(node);
        self.len += 1;
        Ok(id)
    }

    /// Frees chunk `c` (its nodes are no longer needed).
    pub(super) fn free_chunk(&mut self, c: usize, budget: &mut Budget) {
        let chunk = std::mem::take(&mut self.chunks[c]);
        budget.release(chunk.capacity() * size_of::<Node>());
    }
}
