//! The serializer's own cache of the classes it resolved in its stream.

use super::classes::{id, Fields, Id, Query};

/// Entries of [`Ser::recent`].
pub(super) const RECENT: usize = 32;

/// A class this serializer resolved: its shape by the identity of its
/// names, and its memo slot in the stream.
#[derive(Default)]
pub(super) struct Recent {
    name: Id,
    variant: Option<Id>,
    named: Vec<&'static str>,
    positional: usize,
    pub(super) slot: Option<u32>,
}

impl Recent {
    #[inline]
    pub(super) fn matches(&self, q: &Query<'_>) -> bool {
        id(q.name) == self.name
            && q.variant.map(id) == self.variant
            && match q.fields {
                Fields::Named(f) => {
                    self.positional == usize::MAX
                        && f.len() == self.named.len()
                        && f.iter().zip(&self.named).all(|(&a, &b)| std::ptr::eq(a, b))
                }
                Fields::Positional(n) => n == self.positional,
            }
    }

    pub(super) fn set(&mut self, q: &Query<'_>, slot: Option<u32>) {
        self.name = id(q.name);
        self.variant = q.variant.map(id);
        self.named.clear();
        match q.fields {
            Fields::Named(f) => {
                self.named.extend_from_slice(f);
                self.positional = usize::MAX;
            }
            Fields::Positional(n) => self.positional = n,
        }
        self.slot = slot;
    }
}

/// Where [`Recent`] keeps the shape of `q`: by the addresses of its names.
#[inline]
pub(super) fn recent_index(q: &Query<'_>) -> usize {
    let mut h = q.name.as_ptr() as usize ^ q.name.len().rotate_left(20);
    if let Some(v) = q.variant {
        h ^= (v.as_ptr() as usize).rotate_left(11) ^ v.len();
    }
    if let Fields::Positional(n) = q.fields {
        h ^= n.rotate_left(27);
    }
    (h ^ (h >> 5) ^ (h >> 11)) % RECENT
}
