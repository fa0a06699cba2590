//! Borrowed data cannot be read back: the errors say why and what to do.
use portable_pickle::PortablePickle;

/// A type with a lifetime gets no read impl.
#[derive(PortablePickle)]
struct Line<'a> {
    text: &'a str,
}

/// A borrowed field in a type without lifetimes: suggests `write_only`.
#[derive(PortablePickle)]
struct Tag {
    name: &'static str,
}

/// What `portable_pickle::from_slice` requires (a local bound keeps the
/// note the same with and without the `serde` feature, whose module has a
/// `from_slice` too).
fn read<T: portable_pickle::FromPickle>(bytes: &[u8]) -> Result<T, portable_pickle::Error> {
    portable_pickle::from_slice(bytes)
}

fn main() {
    let _ = read::<Line<'static>>(b"N.");
}
