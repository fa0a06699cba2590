//! `PortablePickle` for types of optional crates, each behind the cargo
//! feature of the same name.

#[cfg(any(
    feature = "chrono",
    feature = "uuid",
    feature = "rust_decimal",
    feature = "num-complex"
))]
use std::io;

#[cfg(any(
    feature = "chrono",
    feature = "uuid",
    feature = "rust_decimal",
    feature = "num-complex"
))]
use crate::{Encoder, PortablePickle};

#[cfg(feature = "chrono")]
mod chrono_impls {
    use super::*;
    use crate::globals::{DATE, DATETIME, TIME, TIMEDELTA, TIMEZONE, UTC};
    use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, Timelike, Utc};

    /// Microseconds of a time; a leap second (`nanosecond() >= 1e9`) is
    /// clamped to `.999999`, since Python's `time` has no second 60.
    fn micros(t: &impl Timelike) -> i64 {
        i64::from((t.nanosecond() / 1000).min(999_999))
    }

    fn date_fields(p: &mut Encoder<'_>, d: &NaiveDate) {
        let w = p.w();
        w.int(i64::from(d.year()));
        w.int(i64::from(d.month()));
        w.int(i64::from(d.day()));
    }

    fn time_fields(p: &mut Encoder<'_>, t: &NaiveTime) {
        let w = p.w();
        w.int(i64::from(t.hour()));
        w.int(i64::from(t.minute()));
        w.int(i64::from(t.second()));
        w.int(micros(t));
    }

    /// `datetime.date`.
    impl PortablePickle for NaiveDate {
        const PY_TYPE: crate::pytype::PyType = crate::pytype::PyType::Name("datetime.date");
        fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
            let slot = p.global_slot(&DATE);
            p.begin_call(slot, 3);
            date_fields(p, self);
            p.end_call(3)
        }
    }

    /// `datetime.time` (naive), to the microsecond.
    impl PortablePickle for NaiveTime {
        const PY_TYPE: crate::pytype::PyType = crate::pytype::PyType::Name("datetime.time");
        fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
            let slot = p.global_slot(&TIME);
            p.begin_call(slot, 4);
            time_fields(p, self);
            p.end_call(4)
        }
    }

    /// A naive `datetime.datetime`, to the microsecond.
    impl PortablePickle for NaiveDateTime {
        const PY_TYPE: crate::pytype::PyType = crate::pytype::PyType::Name("datetime.datetime");
        fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
            let slot = p.global_slot(&DATETIME);
            p.begin_call(slot, 7);
            date_fields(p, &self.date());
            time_fields(p, &self.time());
            p.end_call(7)
        }
    }

    /// An aware `datetime.datetime` in `datetime.timezone.utc`.
    impl PortablePickle for DateTime<Utc> {
        const PY_TYPE: crate::pytype::PyType = crate::pytype::PyType::Name("datetime.datetime");
        fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
            let slot = p.global_slot(&DATETIME);
            let utc = p.global_slot(&UTC);
            let local = self.naive_utc();
            p.begin_call(slot, 8);
            date_fields(p, &local.date());
            time_fields(p, &local.time());
            p.w().get(utc);
            p.end_call(8)
        }
    }

    /// An aware `datetime.datetime` with `datetime.timezone(timedelta(seconds=offset))`:
    /// the local wall time and its fixed offset, as chrono holds them.
    impl PortablePickle for DateTime<FixedOffset> {
        const PY_TYPE: crate::pytype::PyType = crate::pytype::PyType::Name("datetime.datetime");
        fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
            let slot = p.global_slot(&DATETIME);
            let timezone = p.global_slot(&TIMEZONE);
            let timedelta = p.global_slot(&TIMEDELTA);
            let local = self.naive_local();
            let offset = self.offset().fix().local_minus_utc();
            p.begin_call(slot, 8);
            date_fields(p, &local.date());
            time_fields(p, &local.time());
            p.begin_call(timezone, 1);
            p.begin_call(timedelta, 2);
            p.w().int(0);
            p.w().int(i64::from(offset));
            p.end_call(2)?;
            p.end_call(1)?;
            p.end_call(8)
        }
    }
}

#[cfg(feature = "uuid")]
mod uuid_impls {
    use super::*;
    use crate::globals::UUID;

    /// `uuid.UUID`.
    impl PortablePickle for uuid::Uuid {
        const PY_TYPE: crate::pytype::PyType = crate::pytype::PyType::Name("uuid.UUID");
        fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
            let slot = p.global_slot(&UUID);
            p.begin_call(slot, 1);
            p.w()
                .str(self.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()));
            p.end_call(1)
        }
    }
}

#[cfg(feature = "rust_decimal")]
mod decimal_impls {
    use super::*;
    use crate::globals::DECIMAL;

    /// `decimal.Decimal`, exact, scale kept (`1.50` stays `Decimal('1.50')`).
    impl PortablePickle for rust_decimal::Decimal {
        const PY_TYPE: crate::pytype::PyType = crate::pytype::PyType::Name("decimal.Decimal");
        fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
            let slot = p.global_slot(&DECIMAL);
            p.begin_call(slot, 1);
            p.w().str(&self.to_string());
            p.end_call(1)
        }
    }
}

#[cfg(feature = "indexmap")]
mod indexmap_impls {
    use std::hash::BuildHasher;
    use std::io;

    use crate::impls::{write_dict, write_set};
    use crate::{Encoder, PortablePickle, PyHashable};

    /// A `dict` in the map's order (Python dicts keep insertion order).
    impl<K: PortablePickle + PyHashable, V: PortablePickle, S: BuildHasher> PortablePickle for indexmap::IndexMap<K, V, S> {
        const PY_TYPE: crate::pytype::PyType = crate::pytype::PyType::Generic("dict", &[K::PY_TYPE, V::PY_TYPE]);
        fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
            write_dict(p, self.iter())
        }
    }

    /// A `set` (Python sets have no order; the items are written in the set's order).
    impl<T: PortablePickle + PyHashable, S: BuildHasher> PortablePickle for indexmap::IndexSet<T, S> {
        const PY_TYPE: crate::pytype::PyType = crate::pytype::PyType::Generic("set", &[T::PY_TYPE]);
        fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
            write_set(p, self.iter())
        }
    }
}

#[cfg(feature = "num-complex")]
mod complex_impls {
    use super::*;
    use crate::globals::COMPLEX;

    macro_rules! complex_impls {
        ($($t:ty),*) => {$(
            /// `complex(re, im)`.
            impl PortablePickle for num_complex::Complex<$t> {
                const PY_TYPE: crate::pytype::PyType = crate::pytype::PyType::Name("complex");
                fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
                    let slot = p.global_slot(&COMPLEX);
                    p.begin_call(slot, 2);
                    p.w().float(f64::from(self.re));
                    p.w().float(f64::from(self.im));
                    p.end_call(2)
                }
            }
        )*};
    }
    complex_impls!(f32, f64);
}
