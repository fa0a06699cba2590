//! `FromPickle` for the types of the optional cargo features: what our
//! streams write (see `crate::features`) and what CPython writes when it
//! pickles the same Python objects.

#[cfg(feature = "chrono")]
mod chrono_impls {
    use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

    use crate::read::convert::stdlib::{datetime_parts, int_arg, std_object, utc_offset_micros};
    use crate::read::{Error, FromPickle, ReadContext, Value};

    fn date(y: i128, m: i128, d: i128) -> Result<NaiveDate, Error> {
        let (y, m, d) = (i32::try_from(y), u32::try_from(m), u32::try_from(d));
        match (y, m, d) {
            (Ok(y), Ok(m), Ok(d)) => NaiveDate::from_ymd_opt(y, m, d),
            _ => None,
        }
        .ok_or_else(|| Error::invalid("date out of range"))
    }

    fn time(h: i128, m: i128, s: i128, us: i128) -> Result<NaiveTime, Error> {
        let part = |v: i128| u32::try_from(v).map_err(|_| Error::invalid("time out of range"));
        NaiveTime::from_hms_micro_opt(part(h)?, part(m)?, part(s)?, part(us)?)
            .ok_or_else(|| Error::invalid("time out of range"))
    }

    fn naive_datetime(value: &Value) -> Result<(NaiveDateTime, Option<&Value>), Error> {
        let ([y, mo, d, h, mi, s, us], tz) = datetime_parts(value)?;
        Ok((
            date(y, mo, d)?.and_time(time(h, mi, s, us)?),
            tz.filter(|t| !matches!(t.get(), Value::None)),
        ))
    }

    /// `datetime.date`: `date(y, m, d)` or CPython's 4-byte state.
    impl FromPickle for NaiveDate {
        fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
            let o = std_object(value, "datetime", "date")?;
            match o.args.first().map(Value::get) {
                Some(Value::Bytes(b)) if b.len() == 4 => date(
                    i128::from(b[0]) * 256 + i128::from(b[1]),
                    i128::from(b[2]),
                    i128::from(b[3]),
                ),
                _ => date(int_arg(o, 0, "year")?, int_arg(o, 1, "month")?, int_arg(o, 2, "day")?),
            }
        }
    }

    /// A naive `datetime.time`: `time(h, m, s, us)` or CPython's 6-byte state.
    impl FromPickle for NaiveTime {
        fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
            let o = std_object(value, "datetime", "time")?;
            match o.args.first().map(Value::get) {
                Some(Value::Bytes(b)) if b.len() == 6 => time(
                    i128::from(b[0] & 0x7f),
                    i128::from(b[1]),
                    i128::from(b[2]),
                    (i128::from(b[3]) << 16) | (i128::from(b[4]) << 8) | i128::from(b[5]),
                ),
                _ => {
                    let arg = |i: usize, what: &str| if i < o.args.len() { int_arg(o, i, what) } else { Ok(0) };
                    time(
                        arg(0, "hour")?,
                        arg(1, "minute")?,
                        arg(2, "second")?,
                        arg(3, "microsecond")?,
                    )
                }
            }
        }
    }

    /// A naive `datetime.datetime`; an aware one is refused.
    impl FromPickle for NaiveDateTime {
        fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
            match naive_datetime(value)? {
                (dt, None) => Ok(dt),
                (_, Some(_)) => Err(Error::invalid("aware datetime for NaiveDateTime; expected a naive one")),
            }
        }
    }

    /// An aware `datetime.datetime`, converted to UTC.
    impl FromPickle for DateTime<Utc> {
        fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
            DateTime::<FixedOffset>::from_pickle(value, cx).map(|dt| dt.with_timezone(&Utc))
        }
    }

    /// An aware `datetime.datetime` with its fixed offset (whole seconds).
    impl FromPickle for DateTime<FixedOffset> {
        fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
            let (local, tz) = naive_datetime(value)?;
            let tz = tz.ok_or_else(|| Error::invalid("naive datetime; expected an aware one"))?;
            let offset = utc_offset_micros(tz)?;
            let offset = i32::try_from(offset / 1_000_000)
                .ok()
                .filter(|_| offset % 1_000_000 == 0)
                .and_then(FixedOffset::east_opt)
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "UTC offset of {offset} µs is not a whole number of seconds within a day"
                    ))
                })?;
            offset
                .from_local_datetime(&local)
                .single()
                .ok_or_else(|| Error::invalid("datetime out of range"))
        }
    }
}

#[cfg(feature = "uuid")]
mod uuid_impls {
    use crate::read::convert::stdlib::{uuid_parts, UuidParts};
    use crate::read::{Error, FromPickle, ReadContext, Value};

    /// `uuid.UUID`: `UUID(str)` (our streams) or CPython's state `{"int": n}`.
    impl FromPickle for uuid::Uuid {
        fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
            let int = match uuid_parts(value, cx)? {
                UuidParts::Text(s) => {
                    return uuid::Uuid::parse_str(s)
                        .map_err(|_| Error::invalid(format!("{} is not a UUID", crate::read::error::quoted(s))))
                }
                UuidParts::Int(int) => int,
            };
            u128::from_pickle(int, cx).map(uuid::Uuid::from_u128)
        }
    }
}

#[cfg(feature = "rust_decimal")]
mod decimal_impls {
    use crate::read::convert::stdlib::std_object;
    use crate::read::{Error, FromPickle, ReadContext, Value};

    /// `decimal.Decimal(str)`, exact (scientific notation accepted).
    impl FromPickle for rust_decimal::Decimal {
        fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
            let o = std_object(value, "decimal", "Decimal")?;
            let Some(Value::Str(s)) = o.args.first().map(Value::get) else {
                return Err(Error::invalid("decimal.Decimal without its string"));
            };
            s.parse::<rust_decimal::Decimal>()
                .or_else(|_| rust_decimal::Decimal::from_scientific(s))
                .map_err(|_| {
                    Error::invalid(format!(
                        "{} does not fit rust_decimal::Decimal",
                        crate::read::error::quoted(s)
                    ))
                })
        }
    }
}

#[cfg(feature = "indexmap")]
mod indexmap_impls {
    use std::hash::{BuildHasher, Hash};

    use crate::read::convert::{read_map, read_set};
    use crate::read::{Error, FromPickle, ReadContext, Value};

    /// A `dict`, in its order.
    impl<K: FromPickle + Eq + Hash, V: FromPickle, S: BuildHasher + Default + 'static> FromPickle
        for indexmap::IndexMap<K, V, S>
    {
        fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
            read_map(value, cx)
        }
    }

    /// A `set` or `frozenset`.
    impl<T: FromPickle + Eq + Hash, S: BuildHasher + Default + 'static> FromPickle for indexmap::IndexSet<T, S> {
        fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
            read_set(value, cx)
        }
    }
}

#[cfg(feature = "num-complex")]
mod complex_impls {
    use crate::read::convert::stdlib::std_object;
    use crate::read::{Error, FromPickle, ReadContext, Value};

    macro_rules! complex_from {
        ($($t:ty),*) => {$(
            /// `complex(re, im)`.
            impl FromPickle for num_complex::Complex<$t> {
                fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
                    let o = std_object(value, "builtins", "complex")?;
                    let part = |i: usize, cx: &mut ReadContext| match o.args.get(i) {
                        Some(v) => <$t>::from_pickle(v, cx),
                        None => Ok(0.0),
                    };
                    Ok(num_complex::Complex::new(part(0, cx)?, part(1, cx)?))
                }
            }
        )*};
    }
    complex_from!(f32, f64);
}
