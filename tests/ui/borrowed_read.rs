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

fn main() {
    let _ = portable_pickle::from_slice::<Line<'static>>(b"N.");
}
