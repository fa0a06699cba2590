//! `PortablePickle` for std types (see the guide's mapping table, docs/guide/type-mapping.md).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::hash::BuildHasher;
use std::io;
use std::rc::Rc;
use std::sync::Arc;

use crate::opcodes::*;
use crate::pytype::PyType;
use crate::{Encoder, PortablePickle, PyHashable};

macro_rules! int_impls {
    ($method:ident as $wide:ty: $($t:ty),*) => {$(
        impl PortablePickle for $t {
            const PY_TYPE: PyType = PyType::Name("int");
            #[inline]
            fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
                p.w().$method(*self as $wide);
                Ok(())
            }
        }
    )*};
}
int_impls!(int as i64: i8, i16, i32, i64, isize, u16, u32);
int_impls!(uint as u64: u64, usize);
int_impls!(int128 as i128: i128);
int_impls!(uint128 as u128: u128);

impl PortablePickle for u8 {
    const PY_TYPE: PyType = PyType::Name("int");
    const PY_SLICE_TYPE: PyType = PyType::Name("bytes");
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        p.w().int(i64::from(*self));
        Ok(())
    }

    /// Byte sequences become `bytes`, not a list of ints.
    fn write_slice(items: &[Self], p: &mut Encoder<'_>) -> io::Result<()> {
        p.bytes(items)
    }
}

impl PortablePickle for f64 {
    const PY_TYPE: PyType = PyType::Name("float");
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        p.w().float(*self);
        Ok(())
    }
}

impl PortablePickle for f32 {
    const PY_TYPE: PyType = PyType::Name("float");
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        p.w().float(f64::from(*self));
        Ok(())
    }
}

impl PortablePickle for bool {
    const PY_TYPE: PyType = PyType::Name("bool");
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        p.w().bool(*self);
        Ok(())
    }
}

impl PortablePickle for char {
    const PY_TYPE: PyType = PyType::Name("str");
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        p.str(self.encode_utf8(&mut [0; 4]))
    }
}

impl PortablePickle for str {
    const PY_TYPE: PyType = PyType::Name("str");
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        p.str(self)
    }
}

impl PortablePickle for String {
    const PY_TYPE: PyType = PyType::Name("str");
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        p.str(self)
    }
}

impl PortablePickle for () {
    const PY_TYPE: PyType = PyType::None;
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        p.w().none();
        Ok(())
    }
}

impl<T: PortablePickle> PortablePickle for Option<T> {
    const PY_TYPE: PyType = PyType::Optional(&T::PY_TYPE);
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        match self {
            Some(v) => v.write_pickle(p),
            None => {
                p.w().none();
                Ok(())
            }
        }
    }
}

impl<T: PortablePickle + ?Sized> PortablePickle for &T {
    const PY_TYPE: PyType = T::PY_TYPE;
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        (**self).write_pickle(p)
    }
}

impl<T: PortablePickle + ?Sized> PortablePickle for &mut T {
    const PY_TYPE: PyType = T::PY_TYPE;
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        (**self).write_pickle(p)
    }
}

impl<T: PortablePickle + ?Sized> PortablePickle for Box<T> {
    const PY_TYPE: PyType = T::PY_TYPE;
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        (**self).write_pickle(p)
    }
}

impl<T: PortablePickle + ToOwned + ?Sized> PortablePickle for Cow<'_, T> {
    const PY_TYPE: PyType = T::PY_TYPE;
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        (**self).write_pickle(p)
    }
}

/// The same allocation reached twice is written once and memoized.
impl<T: PortablePickle + ?Sized> PortablePickle for Rc<T> {
    const PY_TYPE: PyType = T::PY_TYPE;
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        p.shared(Rc::as_ptr(self) as *const u8 as usize, |p| (**self).write_pickle(p))
    }
}

/// The same allocation reached twice is written once and memoized.
impl<T: PortablePickle + ?Sized> PortablePickle for Arc<T> {
    const PY_TYPE: PyType = T::PY_TYPE;
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        p.shared(Arc::as_ptr(self) as *const u8 as usize, |p| (**self).write_pickle(p))
    }
}

impl<T: PortablePickle> PortablePickle for [T] {
    const PY_TYPE: PyType = T::PY_SLICE_TYPE;
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        T::write_slice(self, p)
    }
}

impl<T: PortablePickle, const N: usize> PortablePickle for [T; N] {
    const PY_TYPE: PyType = T::PY_SLICE_TYPE;
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        T::write_slice(self, p)
    }
}

impl<T: PortablePickle> PortablePickle for Vec<T> {
    const PY_TYPE: PyType = T::PY_SLICE_TYPE;
    #[inline]
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        T::write_slice(self, p)
    }
}

/// Writes a `list`, batching `APPENDS` as CPython does.
pub(crate) fn write_list<'a, T: PortablePickle + 'a>(
    p: &mut Encoder<'_>,
    items: impl ExactSizeIterator<Item = &'a T>,
) -> io::Result<()> {
    p.w().op(EMPTY_LIST);
    write_batched(p, items, Some(APPEND), APPENDS, |p, v| v.write_pickle(p))
}

/// Writes items in batches of [`BATCH`]: `MARK items… many`, or `item one`
/// for a batch of one (`one` is `None` for sets, which have no single-item op).
/// One call site for `write`, so a small item writer (a string, a derived
/// struct) is inlined into the loop.
#[inline]
fn write_batched<I: ExactSizeIterator>(
    p: &mut Encoder<'_>,
    mut items: I,
    one: Option<u8>,
    many: u8,
    mut write: impl FnMut(&mut Encoder<'_>, I::Item) -> io::Result<()>,
) -> io::Result<()> {
    let mut left = items.len();
    while left > 0 {
        let n = left.min(BATCH);
        let close = match (n, one) {
            (1, Some(one)) => one,
            _ => {
                p.w().op(MARK);
                many
            }
        };
        for item in items.by_ref().take(n) {
            write(p, item)?;
        }
        p.w().op(close);
        p.boundary()?;
        left -= n;
    }
    Ok(())
}

macro_rules! list_impls {
    ($($t:ident),*) => {$(
        impl<T: PortablePickle> PortablePickle for $t<T> {
            const PY_TYPE: PyType = PyType::Generic("list", &[T::PY_TYPE]);
            fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
                write_list(p, self.iter())
            }
        }
    )*};
}
list_impls!(VecDeque, LinkedList);

/// In the heap's internal (arbitrary) order, like `BinaryHeap::iter`.
impl<T: PortablePickle + Ord> PortablePickle for BinaryHeap<T> {
    const PY_TYPE: PyType = PyType::Generic("list", &[T::PY_TYPE]);
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        write_list(p, self.iter())
    }
}

/// Writes a `dict`, batching `SETITEMS`.
pub(crate) fn write_dict<'a, K: PortablePickle + 'a, V: PortablePickle + 'a>(
    p: &mut Encoder<'_>,
    items: impl ExactSizeIterator<Item = (&'a K, &'a V)>,
) -> io::Result<()> {
    p.w().op(EMPTY_DICT);
    write_batched(p, items, Some(SETITEM), SETITEMS, |p, (k, v)| {
        k.write_pickle(p)?;
        v.write_pickle(p)
    })
}

/// Writes a `set`, batching `ADDITEMS`.
pub(crate) fn write_set<'a, T: PortablePickle + 'a>(
    p: &mut Encoder<'_>,
    items: impl ExactSizeIterator<Item = &'a T>,
) -> io::Result<()> {
    p.w().op(EMPTY_SET);
    write_batched(p, items, None, ADDITEMS, |p, v| v.write_pickle(p))
}

impl<K: PortablePickle + PyHashable, V: PortablePickle, S: BuildHasher> PortablePickle for HashMap<K, V, S> {
    const PY_TYPE: PyType = PyType::Generic("dict", &[K::PY_TYPE, V::PY_TYPE]);
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        write_dict(p, self.iter())
    }
}

impl<K: PortablePickle + PyHashable, V: PortablePickle> PortablePickle for BTreeMap<K, V> {
    const PY_TYPE: PyType = PyType::Generic("dict", &[K::PY_TYPE, V::PY_TYPE]);
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        write_dict(p, self.iter())
    }
}

impl<T: PortablePickle + PyHashable, S: BuildHasher> PortablePickle for HashSet<T, S> {
    const PY_TYPE: PyType = PyType::Generic("set", &[T::PY_TYPE]);
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        write_set(p, self.iter())
    }
}

impl<T: PortablePickle + PyHashable> PortablePickle for BTreeSet<T> {
    const PY_TYPE: PyType = PyType::Generic("set", &[T::PY_TYPE]);
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        write_set(p, self.iter())
    }
}

macro_rules! tuple_impls {
    ($($n:literal => ($($t:ident $i:tt),+);)*) => {$(
        impl<$($t: PortablePickle),+> PortablePickle for ($($t,)+) {
            const PY_TYPE: PyType = PyType::Generic("tuple", &[$($t::PY_TYPE),+]);
            fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
                p.w().tuple_open($n);
                $(self.$i.write_pickle(p)?;)+
                p.w().tuple_close($n);
                p.boundary()
            }
        }
    )*};
}
for_each_tuple!(tuple_impls);
