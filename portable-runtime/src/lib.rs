//! Runtime of `portable-pickle`: the per-stream state; the
//! [`PortablePickle`] trait and its impls for std types; the reader. The
//! format itself (opcodes, the one opcode writer, the header and descriptor
//! recipes) is the `portable-format` crate, re-exported here.
//!
//! Users depend on the `portable-pickle` facade, which re-exports what they need.
#![doc = "\n\nPart of [portable-pickle](https://docs.rs/portable-pickle); its guide is \
[docs/guide](https://github.com/portable-pickle/portable-pickle/blob/main/docs/guide/README.md)."]
// docs.rs (`--cfg docsrs`, nightly) marks each feature-gated item with its
// feature; a stable build never sees this.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

/// Invokes `$m!` with the tuple arities the impls cover (1 to 12): each as
/// `n => (TypeParam index, ...)`.
macro_rules! for_each_tuple {
    ($m:ident) => {
        $m! {
            1 => (A 0);
            2 => (A 0, B 1);
            3 => (A 0, B 1, C 2);
            4 => (A 0, B 1, C 2, D 3);
            5 => (A 0, B 1, C 2, D 3, E 4);
            6 => (A 0, B 1, C 2, D 3, E 4, F 5);
            7 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6);
            8 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
            9 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
            10 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
            11 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
            12 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
        }
    };
}

pub mod array;
mod encoder;
mod features;
mod globals;
mod hashable;
mod impls;
pub mod read;
#[cfg(feature = "serde")]
pub mod serde;
mod session;
mod std_impls;

pub use portable_format::{
    array as array_format, descriptor, globals as spec_globals, header, layout, names, opcodes, pyexpr, pytype, strict,
    writer,
};

use std::io;

pub use descriptor::ClassDescriptor;
pub use encoder::{Encoder, StdGlobal, WriteOptions, FRAME_TARGET};
pub use hashable::PyHashable;
pub use read::{FromPickle, Value};
pub use session::Pickler;

/// A Rust value that can be written as a portable pickle.
///
/// Derive it with `#[derive(PortablePickle)]`; implement it by hand only for
/// types whose Python form the derive cannot express.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written as a portable pickle",
    label = "`{Self}` does not implement `PortablePickle`",
    note = "if the type is yours, derive it: `#[derive(PortablePickle)]`",
    note = "the types of `chrono`, `uuid`, `rust_decimal`, `indexmap`, `num-complex` and `ndarray` implement it \
            when portable-pickle's cargo feature of the same name is on: \
            `portable-pickle = {{ version = \"0.1\", features = [\"uuid\"] }}`",
    note = "for a field of another crate's type, choose how it is written: `#[pickle(display)]` (a `str`, through \
            `Display`/`FromStr`), `#[pickle(serde)]` (through its serde impls, cargo feature `serde`), \
            `#[pickle(with = \"module\")]` (your module's `write`/`read` functions), or a newtype with a \
            hand-written impl (the guide's \"Foreign types\", docs/guide/attributes.md)"
)]
pub trait PortablePickle {
    /// Writes `self` as one Python object.
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()>;

    /// The Python type of the written values, composed at compile time:
    /// `list[Point]` for `Vec<Point>`. Field annotations and the generated
    /// Python package (`portable_pickle::python`) are made from it. The
    /// default, for a hand-written impl, is `typing.Any`.
    const PY_TYPE: pytype::PyType = pytype::PyType::Any;

    /// The Python type of a slice of `Self` (`list[T]`; `bytes` for `u8`).
    #[doc(hidden)]
    const PY_SLICE_TYPE: pytype::PyType = pytype::PyType::Generic("list", &[Self::PY_TYPE]);

    /// Writes a slice of `Self` as one Python object: a `list` by default,
    /// `bytes` for `u8`.
    #[doc(hidden)]
    fn write_slice(items: &[Self], p: &mut Encoder<'_>) -> io::Result<()>
    where
        Self: Sized,
    {
        impls::write_list(p, items.iter())
    }
}

/// Writes `value` as one complete stream after `header`.
pub fn to_vec_with_header<T: PortablePickle + ?Sized>(header: &[u8], value: &T) -> Vec<u8> {
    to_vec_with_options(header, &WriteOptions::default(), value)
}

/// [`to_vec_with_header`] with explicit [`WriteOptions`].
pub fn to_vec_with_options<T: PortablePickle + ?Sized>(header: &[u8], options: &WriteOptions, value: &T) -> Vec<u8> {
    let mut p = Encoder::new(header).with_options(options);
    value
        .write_pickle(&mut p)
        .and_then(|()| p.finish())
        .expect("writing to memory cannot fail")
}

/// Writes `value` as one complete strict-profile stream after the strict
/// `header` ([`portable_format::strict`]); fails for what the profile
/// cannot write (arrays, `uuid.UUID`).
pub fn to_vec_strict<T: PortablePickle + ?Sized>(header: &[u8], value: &T) -> io::Result<Vec<u8>> {
    let mut p = Encoder::strict(header);
    value.write_pickle(&mut p)?;
    p.finish()
}

/// [`to_vec_strict`] to `sink`, one frame at a time. On an error, what was
/// written is not a complete pickle (it has no `STOP`).
pub fn to_writer_strict<W: io::Write, T: PortablePickle + ?Sized>(
    header: &[u8],
    mut sink: W,
    value: &T,
) -> io::Result<()> {
    let mut p = Encoder::strict(header).streaming_to(&mut sink);
    value.write_pickle(&mut p)?;
    p.finish().map(drop)
}

/// Writes `value` as one complete stream after `header` to `sink`, one frame at a time.
pub fn to_writer_with_header<W: io::Write, T: PortablePickle + ?Sized>(
    header: &[u8],
    sink: W,
    value: &T,
) -> io::Result<()> {
    to_writer_with_options(header, &WriteOptions::default(), sink, value)
}

/// [`to_writer_with_header`] with explicit [`WriteOptions`].
pub fn to_writer_with_options<W: io::Write, T: PortablePickle + ?Sized>(
    header: &[u8],
    options: &WriteOptions,
    mut sink: W,
    value: &T,
) -> io::Result<()> {
    let mut p = Encoder::with_sink(header, &mut sink).with_options(options);
    value.write_pickle(&mut p)?;
    p.finish().map(drop)
}
