//! The allocation budget ([`ReadOptions::max_alloc`](crate::read::ReadOptions::max_alloc)):
//! the bytes the reader holds on the heap, checked before anything grows.
//!
//! Every buffer of the decoder is charged at its capacity (not its length)
//! and before it is allocated; a buffer that grows is charged its new
//! capacity while its old one still counts, as a reallocation holds both
//! for a moment, and the old one is released after. Buffers that are freed
//! (the stack, the memo, arena chunks whose nodes moved into the tree) are
//! released, so the count follows what is held now, and a read fails
//! before what it holds would pass the limit.

use std::collections::HashMap;
use std::mem::size_of;

use crate::read::error::{Error, ErrorKind};

/// What the allocator spends on a separate heap block beyond its bytes
/// (charged for boxes, `Rc`s and strings, which are many and small).
pub(crate) const BLOCK: usize = 16;

/// What the allocator really takes for a buffer of `bytes`: glibc's malloc
/// on 64-bit targets adds an 8-byte header, rounds to 16 and takes 32 at
/// least (larger blocks are mapped by the page, which this ignores: at
/// most 4 KiB on blocks of 128 KiB or more). Every buffer is charged so,
/// so that the count follows the process's heap even for the many small
/// containers a hostile stream makes (a one-item list's 16 bytes take 32).
pub(crate) fn block(bytes: usize) -> usize {
    match bytes {
        0 => 0,
        n => n.saturating_add(8 + 15).max(32) & !15,
    }
}

/// Bytes held, and the most that may be.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    live: usize,
    max: usize,
}

impl Budget {
    pub(crate) fn new(max: usize) -> Self {
        Budget { live: 0, max }
    }

    /// Bytes held now.
    pub(crate) fn live(&self) -> usize {
        self.live
    }

    fn exceeded(&self) -> Error {
        Error::new(ErrorKind::Limit {
            what: "total allocation",
            limit: self.max,
        })
    }

    /// Charges `n` bytes about to be allocated (held until released).
    pub(crate) fn charge(&mut self, n: usize) -> Result<(), Error> {
        match self.live.checked_add(n) {
            Some(live) if live <= self.max => {
                self.live = live;
                Ok(())
            }
            _ => Err(self.exceeded()),
        }
    }

    /// Releases `n` bytes freed.
    pub(crate) fn release(&mut self, n: usize) {
        self.live = self.live.saturating_sub(n);
    }

    /// Charges a buffer of `n` items of `T` about to be allocated, as the
    /// allocator takes it ([`block`]).
    pub(crate) fn charge_vec<T>(&mut self, n: usize) -> Result<(), Error> {
        let bytes = n.checked_mul(size_of::<T>()).ok_or_else(|| self.exceeded())?;
        self.charge(block(bytes))
    }

    /// Releases the buffer of `v`, which is about to be dropped.
    pub(crate) fn release_vec<T>(&mut self, v: &Vec<T>) {
        self.release(block(v.capacity() * size_of::<T>()));
    }

    /// A vector with room for exactly `n` items, charged.
    pub(crate) fn vec<T>(&mut self, n: usize) -> Result<Vec<T>, Error> {
        self.charge_vec::<T>(n)?;
        Ok(Vec::with_capacity(n))
    }

    /// Room for `additional` more items in `v`, doubling its capacity when
    /// it grows (amortized pushes).
    pub(crate) fn reserve<T>(&mut self, v: &mut Vec<T>, additional: usize) -> Result<(), Error> {
        let need = v.len().checked_add(additional).ok_or_else(|| self.exceeded())?;
        if need <= v.capacity() {
            return Ok(());
        }
        let cap = need.max(v.capacity().saturating_mul(2)).max(4);
        self.grow(v, cap)
    }

    /// Room for exactly `additional` more items in `v`.
    pub(crate) fn reserve_exact<T>(&mut self, v: &mut Vec<T>, additional: usize) -> Result<(), Error> {
        let need = v.len().checked_add(additional).ok_or_else(|| self.exceeded())?;
        if need <= v.capacity() {
            return Ok(());
        }
        self.grow(v, need)
    }

    /// Grows `v` to capacity `cap`: the new buffer is charged while the old
    /// one still counts, then the old one is released.
    fn grow<T>(&mut self, v: &mut Vec<T>, cap: usize) -> Result<(), Error> {
        let old = block(v.capacity() * size_of::<T>());
        self.charge_vec::<T>(cap)?;
        v.reserve_exact(cap - v.len());
        self.release(old);
        // `reserve_exact` may round up; count what it really took.
        let (asked, took) = (block(cap * size_of::<T>()), block(v.capacity() * size_of::<T>()));
        self.live = self.live.saturating_add(took - asked);
        Ok(())
    }

    /// Room for one more entry in `map`, its growth charged as for a vector
    /// (a hash table doubles its buckets; each bucket holds an entry and a
    /// control byte).
    pub(crate) fn reserve_map<K, V>(&mut self, map: &mut HashMap<K, V>) -> Result<(), Error>
    where
        K: std::hash::Hash + Eq,
    {
        if map.len() < map.capacity() {
            return Ok(());
        }
        let old = table_bytes::<K, V>(map.capacity());
        let cap = map.capacity().saturating_mul(2).max(4);
        let new = table_bytes::<K, V>(cap);
        self.charge(new)?;
        map.reserve(cap - map.len());
        // Count the table it really took.
        self.release(old.saturating_add(new));
        self.live = self.live.saturating_add(table_bytes::<K, V>(map.capacity()));
        Ok(())
    }

    /// Releases the table of `map`, which is about to be dropped.
    pub(crate) fn release_map<K, V>(&mut self, map: &HashMap<K, V>) {
        self.release(table_bytes::<K, V>(map.capacity()));
    }
}

/// The bytes of a hash table that holds `cap` entries (buckets at a load of
/// 7/8, a power of two; an entry and a control byte each, plus a group of
/// control bytes).
fn table_bytes<K, V>(cap: usize) -> usize {
    if cap == 0 {
        return 0;
    }
    let buckets = (cap.saturating_mul(8) / 7).max(4).next_power_of_two();
    buckets.saturating_mul(size_of::<(K, V)>() + 1).saturating_add(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_is_charged_before_and_released_after() {
        let mut b = Budget::new(1000);
        let mut v: Vec<u64> = Vec::new();
        b.reserve(&mut v, 1).unwrap();
        assert_eq!(b.live(), block(v.capacity() * 8));
        v.extend([1, 2, 3, 4]);
        // Growing from 4 to 8 items needs 48 + 80 bytes for a moment.
        b.reserve(&mut v, 1).unwrap();
        assert_eq!(v.capacity(), 8);
        assert_eq!(b.live(), 80);
        let mut tight = Budget::new(127);
        let mut w: Vec<u64> = Vec::with_capacity(4);
        tight.charge(48).unwrap();
        w.extend([1, 2, 3, 4]);
        assert!(tight.reserve(&mut w, 1).is_err());
        assert_eq!(w.capacity(), 4);
        b.release_vec(&v);
        assert_eq!(b.live(), 0);
    }

    #[test]
    fn buffers_are_charged_as_the_allocator_takes_them() {
        assert_eq!(block(0), 0);
        assert_eq!(block(1), 32);
        assert_eq!(block(24), 32);
        assert_eq!(block(25), 48);
        assert_eq!(block(4096), 4112);
    }

    #[test]
    fn maps_are_charged_by_their_table() {
        let mut b = Budget::new(1 << 20);
        let mut m: HashMap<u64, u32> = HashMap::new();
        for i in 0..1000 {
            b.reserve_map(&mut m).unwrap();
            m.insert(i, 0);
        }
        assert!(b.live() >= table_bytes::<u64, u32>(m.capacity()));
        assert!(b.live() >= m.capacity() * 16);
        b.release_map(&m);
        assert_eq!(b.live(), 0);
    }
}
