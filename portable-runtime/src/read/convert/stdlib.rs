//! [`FromPickle`] for std types that Python writes as stdlib objects:
//! `datetime.timedelta` and `datetime.datetime` (`Duration`, `SystemTime`,
//! with the calendar arithmetic), `ipaddress` addresses, and `range`. The
//! helpers that find an object's arguments are shared with the optional
//! features' impls (`chrono` reads the same `datetime` objects).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ops::{Range, RangeInclusive};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{int_i128, mismatch, FromPickle, ReadContext};
use crate::read::error::{quoted, Error, ErrorKind};
use crate::read::value::{Object, Value};

/// The object if it is an instance of stdlib class `module.name`.
pub(crate) fn std_object<'v>(value: &'v Value, module: &str, name: &str) -> Result<&'v Object, Error> {
    match value.get() {
        Value::Object(o) if o.class.is(module, name) => Ok(o),
        other => Err(mismatch(&format!("{module}.{name}"), other)),
    }
}

pub(crate) fn int_arg(o: &Object, i: usize, what: &str) -> Result<i128, Error> {
    let v = o
        .args
        .get(i)
        .ok_or_else(|| Error::invalid(format!("{}.{} without {what}", o.class.module, o.class.name)))?;
    int_i128(v, "i128").map_err(|e| e.in_field(what))
}

/// A `datetime.timedelta` as whole microseconds.
fn timedelta_micros(value: &Value) -> Result<i128, Error> {
    let o = std_object(value, "datetime", "timedelta")?;
    let days = if o.args.is_empty() { 0 } else { int_arg(o, 0, "days")? };
    let secs = if o.args.len() > 1 { int_arg(o, 1, "seconds")? } else { 0 };
    let micros = if o.args.len() > 2 {
        int_arg(o, 2, "microseconds")?
    } else {
        0
    };
    Ok((days * 86_400 + secs) * 1_000_000 + micros)
}

/// `datetime.timedelta`; a negative one is refused.
impl FromPickle for Duration {
    fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
        let micros = timedelta_micros(value)?;
        let micros = u128::try_from(micros)
            .map_err(|_| Error::invalid(format!("negative timedelta ({micros} µs) for Duration")))?;
        let secs = u64::try_from(micros / 1_000_000).map_err(|_| Error::invalid("timedelta too large for Duration"))?;
        Ok(Duration::new(secs, (micros % 1_000_000) as u32 * 1000))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i128, m: i128, d: i128) -> i128 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// UTC offset in microseconds of a `tzinfo` value.
pub(crate) fn utc_offset_micros(tz: &Value) -> Result<i128, Error> {
    match tz.get() {
        Value::Global(g) if g.is("datetime", "timezone.utc") => Ok(0),
        Value::Object(o) if o.class.is("datetime", "timezone") => {
            let offset = o
                .args
                .first()
                .ok_or_else(|| Error::invalid("datetime.timezone without offset"))?;
            timedelta_micros(offset)
        }
        Value::None => Err(Error::invalid(
            "naive datetime (no tzinfo) for SystemTime; expected an aware datetime",
        )),
        other => Err(mismatch("datetime.timezone", other)),
    }
}

/// What a `uuid.UUID` holds: its text (`UUID(str)`, our streams) or its
/// integer (CPython's state `{"int": n}`).
#[cfg(any(feature = "uuid", feature = "serde"))]
pub(crate) enum UuidParts<'v> {
    Text(&'v str),
    Int(&'v Value),
}

#[cfg(any(feature = "uuid", feature = "serde"))]
pub(crate) fn uuid_parts<'v>(value: &'v Value, cx: &mut ReadContext) -> Result<UuidParts<'v>, Error> {
    let o = std_object(value, "uuid", "UUID")?;
    if let Some(Value::Str(s)) = o.args.first().map(Value::get) {
        return Ok(UuidParts::Text(s));
    }
    match o.state.as_ref().map(Value::get) {
        Some(Value::Dict(pairs)) => {
            // Keys beyond `int` are walked too: charged like items.
            cx.charge_items::<()>(pairs.len().saturating_sub(1))?;
            pairs
                .iter()
                .find(|(k, _)| matches!(k.get(), Value::Str(k) if k == "int"))
                .map(|(_, v)| UuidParts::Int(v))
        }
        _ => None,
    }
    .ok_or_else(|| Error::invalid("uuid.UUID without its value"))
}

/// The fields of a `datetime.datetime` (year, month, day, hour, minute,
/// second, microsecond) and its tzinfo, from our stream's arguments or from
/// CPython's compact 10-byte state.
pub(crate) fn datetime_parts(value: &Value) -> Result<([i128; 7], Option<&Value>), Error> {
    let o = std_object(value, "datetime", "datetime")?;
    Ok(match o.args.first().map(Value::get) {
        // CPython's compact state: 10 bytes, then the tzinfo.
        Some(Value::Bytes(b)) if b.len() == 10 => {
            let f = [
                i128::from(b[0]) * 256 + i128::from(b[1]),
                i128::from(b[2] & 0x7f),
                i128::from(b[3]),
                i128::from(b[4]),
                i128::from(b[5]),
                i128::from(b[6]),
                (i128::from(b[7]) << 16) | (i128::from(b[8]) << 8) | i128::from(b[9]),
            ];
            (f, o.args.get(1))
        }
        _ => {
            let names = ["year", "month", "day", "hour", "minute", "second", "microsecond"];
            let mut f = [0i128; 7];
            for (i, name) in names.iter().enumerate() {
                f[i] = if i < 3 || i < o.args.len() {
                    int_arg(o, i, name)?
                } else {
                    0
                };
            }
            (f, o.args.get(7))
        }
    })
}

/// A tz-aware `datetime.datetime` (any fixed offset), to the microsecond.
impl FromPickle for SystemTime {
    fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
        let (fields, tz) = datetime_parts(value)?;
        let [y, mo, d, h, mi, s, us] = fields;
        let offset = utc_offset_micros(tz.unwrap_or(&Value::None))?;
        let micros = (days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s) * 1_000_000 + us - offset;
        let abs = micros.unsigned_abs();
        let d = Duration::new(
            u64::try_from(abs / 1_000_000).map_err(|_| Error::invalid("datetime out of range"))?,
            (abs % 1_000_000) as u32 * 1000,
        );
        let t = if micros >= 0 {
            UNIX_EPOCH.checked_add(d)
        } else {
            UNIX_EPOCH.checked_sub(d)
        };
        t.ok_or_else(|| Error::invalid("datetime out of SystemTime's range"))
    }
}

fn ip_arg<'v>(value: &'v Value, class: &str) -> Result<&'v Value, Error> {
    match value.get() {
        Value::Object(o) if o.class.is("ipaddress", class) => o
            .args
            .first()
            .ok_or_else(|| Error::invalid(format!("ipaddress.{class} without value"))),
        Value::Str(_) => Ok(value),
        other => Err(mismatch(&format!("ipaddress.{class}"), other)),
    }
}

/// `ipaddress.IPv4Address` (from its int or str form), or a `str`.
impl FromPickle for Ipv4Addr {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        match ip_arg(value, "IPv4Address")?.get() {
            Value::Str(s) => s
                .parse()
                .map_err(|_| Error::invalid(format!("{} is not an IPv4 address", quoted(s)))),
            v => u32::from_pickle(v, cx).map(Ipv4Addr::from),
        }
    }
}

/// `ipaddress.IPv6Address` (from its int or str form), or a `str`.
impl FromPickle for Ipv6Addr {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        match ip_arg(value, "IPv6Address")?.get() {
            Value::Str(s) => s
                .parse()
                .map_err(|_| Error::invalid(format!("{} is not an IPv6 address", quoted(s)))),
            v => u128::from_pickle(v, cx).map(Ipv6Addr::from),
        }
    }
}

/// `ipaddress.IPv4Address` or `IPv6Address`, or a `str`.
impl FromPickle for IpAddr {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        match value.get() {
            Value::Object(o) if o.class.is("ipaddress", "IPv6Address") => {
                Ipv6Addr::from_pickle(value, cx).map(IpAddr::V6)
            }
            Value::Str(s) => s
                .parse()
                .map_err(|_| Error::invalid(format!("{} is not an IP address", quoted(s)))),
            _ => Ipv4Addr::from_pickle(value, cx).map(IpAddr::V4),
        }
    }
}

/// `(start, stop)` of a `range` with step 1.
fn range_bounds(value: &Value) -> Result<(i128, i128), Error> {
    let o = std_object(value, "builtins", "range")?;
    let (start, stop) = match o.args.len() {
        1 => (0, int_arg(o, 0, "stop")?),
        2 | 3 => (int_arg(o, 0, "start")?, int_arg(o, 1, "stop")?),
        n => return Err(Error::invalid(format!("range with {n} arguments"))),
    };
    if o.args.len() == 3 && int_arg(o, 2, "step")? != 1 {
        return Err(Error::invalid("range with a step other than 1"));
    }
    Ok((start, stop))
}

macro_rules! range_from {
    ($($t:ty),*) => {$(
        /// `range(start, stop)`.
        impl FromPickle for Range<$t> {
            fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
                let (start, stop) = range_bounds(value)?;
                let conv = |v: i128| <$t>::try_from(v).map_err(|_| Error::new(ErrorKind::IntOutOfRange { value: v.to_string(), ty: stringify!($t) }));
                Ok(conv(start)?..conv(stop)?)
            }
        }

        /// `range(start, end + 1)`.
        impl FromPickle for RangeInclusive<$t> {
            fn from_pickle(value: &Value, _: &mut ReadContext) -> Result<Self, Error> {
                let (start, stop) = range_bounds(value)?;
                let conv = |v: i128| <$t>::try_from(v).map_err(|_| Error::new(ErrorKind::IntOutOfRange { value: v.to_string(), ty: stringify!($t) }));
                Ok(conv(start)?..=conv(stop - 1)?)
            }
        }
    )*};
}
range_from!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

#[cfg(test)]
mod tests {
    use super::days_from_civil;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 2, 29), 11_016);
        assert_eq!(days_from_civil(1, 1, 1), -719_162);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }
}
