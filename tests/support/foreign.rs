//! Fields of types this crate has no impl for (issue 17): through
//! `#[pickle(display)]`, `#[pickle(with = "...")]`, and a newtype with
//! hand-written `PortablePickle`/`FromPickle` impls that use only the public
//! API. tests/corpus.rs loads them on every reader; tests/support/readback.rs
//! reads the readers' re-pickles back.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;

use portable_pickle::{Encoder, Error, FromPickle, PortablePickle, ReadContext, Value};

/// A counter shared between threads: `Mutex` has no impl of its own, so the
/// newtype writes the count as a Python `int` and reads it back.
#[derive(Debug, Default)]
pub struct Counter(pub Mutex<i64>);

impl PortablePickle for Counter {
    fn write_pickle(&self, out: &mut Encoder<'_>) -> std::io::Result<()> {
        let count = *self
            .0
            .lock()
            .map_err(|_| std::io::Error::other("counter lock poisoned"))?;
        out.write(&count)
    }
}

impl FromPickle for Counter {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        i64::from_pickle(value, cx).map(|n| Counter(Mutex::new(n)))
    }
}

impl PartialEq for Counter {
    fn eq(&self, other: &Self) -> bool {
        *self.0.lock().unwrap() == *other.0.lock().unwrap()
    }
}

/// An RGB colour written as the `"#rrggbb"` text Python tools expect.
pub mod hex_color {
    use portable_pickle::{Encoder, Error, FromPickle, ReadContext, Value};

    pub fn write(rgb: &[u8; 3], out: &mut Encoder<'_>) -> std::io::Result<()> {
        out.str(&format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]))
    }

    pub fn read(value: &Value, cx: &mut ReadContext) -> Result<[u8; 3], Error> {
        let text = String::from_pickle(value, cx)?;
        let digits = text
            .strip_prefix('#')
            .filter(|d| d.len() == 6 && d.is_ascii())
            .ok_or_else(|| Error::invalid(format!("expected \"#rrggbb\", found {text:?}")))?;
        let byte =
            |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).map_err(|e| Error::invalid(format!("{text:?}: {e}")));
        Ok([byte(0)?, byte(2)?, byte(4)?])
    }
}

/// A service endpoint with fields of foreign types.
#[derive(PortablePickle, Debug, PartialEq)]
pub struct Endpoint {
    #[pickle(display)]
    pub addr: SocketAddr,
    #[pickle(display)]
    pub peers: IpAddrList,
    #[pickle(with = "hex_color")]
    pub color: [u8; 3],
    pub hits: Counter,
    /// Absent in older streams: `with` and `default` together.
    #[pickle(with = "hex_color", default)]
    pub accent: [u8; 3],
}

/// A list of addresses whose `Display`/`FromStr` use a comma-separated text
/// (a `display` field of a type with a `FromStr` error of its own).
#[derive(Debug, PartialEq)]
pub struct IpAddrList(pub Vec<IpAddr>);

impl std::fmt::Display for IpAddrList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let texts: Vec<String> = self.0.iter().map(IpAddr::to_string).collect();
        f.write_str(&texts.join(","))
    }
}

impl std::str::FromStr for IpAddrList {
    type Err = std::net::AddrParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',').map(str::parse).collect::<Result<_, _>>().map(IpAddrList)
    }
}

/// The corpus value.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 7)), 8080),
            peers: IpAddrList(vec![IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST)]),
            color: [255, 128, 0],
            hits: Counter(Mutex::new(42)),
            accent: [0, 0, 0],
        },
        Endpoint {
            addr: "[::1]:443".parse().unwrap(),
            peers: IpAddrList(vec![IpAddr::V4(Ipv4Addr::new(192, 168, 1, 1))]),
            color: [0, 16, 255],
            hits: Counter::default(),
            accent: [1, 2, 3],
        },
    ]
}

/// The Python check of [`endpoints`].
pub const ENDPOINTS_CHECK: &str = r#"
a, b = v
E = type(a)
assert E.__name__ == 'Endpoint' and type(b) is E
assert a == E(addr='10.0.0.7:8080', peers='127.0.0.1,::1', color='#ff8000', hits=42, accent='#000000')
assert b.addr == '[::1]:443' and b.peers == '192.168.1.1' and b.color == '#0010ff' and b.hits == 0
assert b.accent == '#010203'
assert repr(a) == "Endpoint(addr='10.0.0.7:8080', peers='127.0.0.1,::1', color='#ff8000', hits=42, accent='#000000')"
write_back(v)
"#;
