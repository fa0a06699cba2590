//! `PortablePickle` for std types that map to Python stdlib objects:
//! `datetime`, `ipaddress`, `range`, and thin wrappers written as their inner value.

use std::cmp::{Ordering, Reverse};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::{
    NonZeroI128, NonZeroI16, NonZeroI32, NonZeroI64, NonZeroI8, NonZeroIsize, NonZeroU128, NonZeroU16, NonZeroU32,
    NonZeroU64, NonZeroU8, NonZeroUsize, Saturating, Wrapping,
};
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::globals::{DATETIME, IPV4, IPV6, RANGE, TIMEDELTA, UTC};
use crate::pytype::PyType;
use crate::{Encoder, PortablePickle};

const SECS_PER_DAY: u64 = 86_400;

/// `datetime.timedelta(days, seconds, microseconds)`; nanoseconds below a
/// microsecond are truncated (timedelta's resolution).
impl PortablePickle for Duration {
    const PY_TYPE: PyType = PyType::Name("datetime.timedelta");
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        let slot = p.global_slot(&TIMEDELTA);
        p.begin_call(slot, 3);
        let secs = self.as_secs();
        p.w().uint(secs / SECS_PER_DAY);
        p.w().uint(secs % SECS_PER_DAY);
        p.w().uint(u64::from(self.subsec_micros()));
        p.end_call(3)
    }
}

/// Civil date of a day count since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's algorithm: eras of 400 years starting on March 1st.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A tz-aware UTC `datetime.datetime`, to the microsecond (truncated).
impl PortablePickle for SystemTime {
    const PY_TYPE: PyType = PyType::Name("datetime.datetime");
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        // Whole microseconds since the epoch, floored, so times before 1970 work too.
        let micros: i128 = match self.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_micros() as i128,
            Err(e) => -(e.duration().as_nanos().div_ceil(1000) as i128),
        };
        let secs = micros.div_euclid(1_000_000);
        let micro = micros.rem_euclid(1_000_000) as i64;
        let days = secs.div_euclid(SECS_PER_DAY as i128) as i64;
        let sod = secs.rem_euclid(SECS_PER_DAY as i128) as i64;
        let (year, month, day) = civil_from_days(days);
        let cls = p.global_slot(&DATETIME);
        let utc = p.global_slot(&UTC);
        p.begin_call(cls, 8);
        let w = p.w();
        for v in [
            year,
            i64::from(month),
            i64::from(day),
            sod / 3600,
            sod % 3600 / 60,
            sod % 60,
            micro,
        ] {
            w.int(v);
        }
        w.get(utc);
        p.end_call(8)
    }
}

/// `ipaddress.IPv4Address`.
impl PortablePickle for Ipv4Addr {
    const PY_TYPE: PyType = PyType::Name("ipaddress.IPv4Address");
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        let slot = p.global_slot(&IPV4);
        p.begin_call(slot, 1);
        p.w().uint(u64::from(u32::from(*self)));
        p.end_call(1)
    }
}

/// `ipaddress.IPv6Address`.
impl PortablePickle for Ipv6Addr {
    const PY_TYPE: PyType = PyType::Name("ipaddress.IPv6Address");
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        let slot = p.global_slot(&IPV6);
        p.begin_call(slot, 1);
        p.w().uint128(u128::from(*self));
        p.end_call(1)
    }
}

/// `ipaddress.IPv4Address` or `ipaddress.IPv6Address`.
impl PortablePickle for IpAddr {
    const PY_TYPE: PyType = PyType::Union(&[Ipv4Addr::PY_TYPE, Ipv6Addr::PY_TYPE]);
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        match self {
            IpAddr::V4(a) => a.write_pickle(p),
            IpAddr::V6(a) => a.write_pickle(p),
        }
    }
}

/// A `str`; bytes that are not UTF-8 become U+FFFD.
impl PortablePickle for Path {
    const PY_TYPE: PyType = PyType::Name("str");
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        p.str(&self.to_string_lossy())
    }
}

/// A `str`, as [`Path`].
impl PortablePickle for PathBuf {
    const PY_TYPE: PyType = PyType::Name("str");
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        self.as_path().write_pickle(p)
    }
}

/// `-1`, `0` or `1`, like a Python comparison function's result.
impl PortablePickle for Ordering {
    const PY_TYPE: PyType = PyType::Name("int");
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        p.w().int(*self as i64);
        Ok(())
    }
}

macro_rules! inner_value_impls {
    ($($t:ident . $field:tt),*) => {$(
        /// Written as the wrapped value.
        impl<T: PortablePickle> PortablePickle for $t<T> {
            const PY_TYPE: PyType = T::PY_TYPE;
            #[inline]
            fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
                self.$field.write_pickle(p)
            }
        }
    )*};
}
inner_value_impls!(Wrapping.0, Saturating.0, Reverse.0);

macro_rules! nonzero_impls {
    ($($t:ty),*) => {$(
        /// An `int`.
        impl PortablePickle for $t {
            const PY_TYPE: PyType = PyType::Name("int");
            #[inline]
            fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
                self.get().write_pickle(p)
            }
        }
    )*};
}
nonzero_impls!(
    NonZeroI8,
    NonZeroI16,
    NonZeroI32,
    NonZeroI64,
    NonZeroI128,
    NonZeroIsize,
    NonZeroU8,
    NonZeroU16,
    NonZeroU32,
    NonZeroU64,
    NonZeroU128,
    NonZeroUsize
);

macro_rules! range_impls {
    ($($t:ty),*) => {$(
        /// `range(start, end)`.
        impl PortablePickle for Range<$t> {
            const PY_TYPE: PyType = PyType::Name("range");
            fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
                write_range(p, self.start as i128, self.end as i128)
            }
        }

        /// `range(start, end + 1)`.
        impl PortablePickle for RangeInclusive<$t> {
            const PY_TYPE: PyType = PyType::Name("range");
            fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
                write_range(p, *self.start() as i128, *self.end() as i128 + 1)
            }
        }
    )*};
}
range_impls!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

fn write_range(p: &mut Encoder<'_>, start: i128, end: i128) -> io::Result<()> {
    let slot = p.global_slot(&RANGE);
    p.begin_call(slot, 2);
    p.w().int128(start);
    p.w().int128(end);
    p.end_call(2)
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-719_162), (1, 1, 1));
    }
}
