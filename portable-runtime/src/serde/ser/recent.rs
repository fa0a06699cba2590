//! The serializer's own cache of the classes it resolved in its stream, which
//! is also where a struct's class is predicted from (`buffer.rs`).

use super::classes::{id, Fields, Id, Query};

/// Sets of [`Recent`]; each holds two shapes.
const SETS: usize = 32;

/// A class this serializer resolved: its shape by the identity of its
/// names, and its memo slot in the stream.
struct Shape {
    name: Id,
    variant: Option<Id>,
    /// Named fields (the process-wide copy, [`super::classes::class_of`]).
    named: &'static [&'static str],
    /// `usize::MAX` for named fields.
    positional: usize,
    slot: Option<u32>,
}

impl Shape {
    fn new(q: &Query<'_>, named: &'static [&'static str], slot: Option<u32>) -> Self {
        Shape {
            name: id(q.name),
            variant: q.variant.map(id),
            named,
            positional: match q.fields {
                Fields::Named(_) => usize::MAX,
                Fields::Positional(n) => n,
            },
            slot,
        }
    }

    #[inline]
    fn matches(&self, q: &Query<'_>) -> bool {
        id(q.name) == self.name
            && q.variant.map(id) == self.variant
            && match q.fields {
                Fields::Named(f) => {
                    self.positional == usize::MAX
                        && f.len() == self.named.len()
                        && f.iter().zip(self.named).all(|(&a, &b)| std::ptr::eq(a, b))
                }
                Fields::Positional(n) => n == self.positional,
            }
    }
}

/// The shapes this serializer met last, by the addresses of their names: a
/// two-way set-associative table (the shape met last first in its set), so
/// a repeated shape costs a few comparisons of addresses. A struct's set
/// depends on its names only, not its fields, so the field sets of one
/// struct that met last are the ones its set keeps.
#[derive(Default)]
pub(super) struct Recent {
    /// `2 * SETS` entries (allocated at the first class).
    shapes: Vec<Option<Shape>>,
}

impl Recent {
    /// The slot of `q`'s class if it is here: `Some(None)` for a shape
    /// without a class.
    #[inline(always)]
    pub(super) fn get(&mut self, q: &Query<'_>) -> Option<Option<u32>> {
        let at = set_of(q);
        let set = self.shapes.get_mut(at..at + 2)?;
        if let Some(a) = set[0].as_ref().filter(|a| a.matches(q)) {
            return Some(a.slot);
        }
        let b = set[1].as_ref().filter(|b| b.matches(q))?;
        let slot = b.slot;
        // The shape met last goes first.
        set.swap(0, 1);
        Some(slot)
    }

    /// Records the slot of `q`'s class (`named`: its field names as
    /// [`super::classes::class_of`] gives them), first in its set.
    pub(super) fn insert(&mut self, q: &Query<'_>, named: &'static [&'static str], slot: Option<u32>) {
        if self.shapes.is_empty() {
            self.shapes.resize_with(2 * SETS, || None);
        }
        let at = set_of(q);
        // The older shape is dropped.
        self.shapes[at + 1] = Some(Shape::new(q, named, slot));
        self.shapes.swap(at, at + 1);
    }

    /// The class and field names the struct (or struct variant) `name` had
    /// when this serializer last met it, if it had a class: its fields are
    /// likely the same again.
    #[inline]
    pub(super) fn predict(
        &self,
        name: &'static str,
        variant: Option<&'static str>,
    ) -> Option<(u32, &'static [&'static str])> {
        let q = Query {
            name,
            variant,
            fields: Fields::Named(&[]),
        };
        let at = set_of(&q);
        let (name, variant) = (id(name), variant.map(id));
        self.shapes
            .get(at..at + 2)?
            .iter()
            .flatten()
            .find(|s| s.name == name && s.variant == variant && s.positional == usize::MAX)
            .and_then(|s| Some((s.slot?, s.named)))
    }
}

/// Where [`Recent`] keeps the shape of `q` (the index of its set's first
/// entry): by the addresses of its names, and the field count of a tuple form.
#[inline]
fn set_of(q: &Query<'_>) -> usize {
    let mut h = q.name.as_ptr() as usize ^ q.name.len().rotate_left(20);
    if let Some(v) = q.variant {
        h ^= (v.as_ptr() as usize).rotate_left(11) ^ v.len();
    }
    if let Fields::Positional(n) = q.fields {
        h ^= n.rotate_left(27);
    }
    2 * ((h ^ (h >> 5) ^ (h >> 11)) % SETS)
}
