//! Arrays of numbers (cargo feature-free part): `#[pickle(array)]` fields,
//! the [`Array`] wrapper, and their reading back.
//!
//! An array is written as one raw buffer of little-endian elements in C
//! order (`BYTEARRAY8`, outside frames from 64 KiB on, handed to the sink
//! without an intermediate copy), turned on the reading side into a
//! `numpy.ndarray` when numpy is importable, else `array.array` (1-D) or
//! nested lists (n-D); see docs/FORMAT.md, "Arrays", and
//! [`portable_format::array`].

use std::borrow::Cow;
use std::io;
use std::sync::OnceLock;

use crate::opcodes::*;
use crate::read::error::{quoted, Error, ErrorKind};
use crate::read::Object;
use crate::read::{mismatch, ReadContext};
use crate::Value;
use crate::{Encoder, FromPickle, PortablePickle};
use portable_format::array::{offset, tools_program};
pub use portable_format::array::{Dtype, DTYPES};

#[cfg(feature = "ndarray")]
mod ndarray_impl;

mod sealed {
    pub trait Sealed {}
}

/// An element type of an array: `u8`…`u64`, `i8`…`i64`, `f32`, `f64`,
/// `bool`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an array element: `#[pickle(array)]` and `Array` hold numbers",
    label = "not a number type",
    note = "array elements are `bool`, `u8`…`u64`, `i8`…`i64`, `f32` and `f64`; a field of other items is \
            written as a `list` without `#[pickle(array)]`"
)]
pub trait Element: Copy + PortablePickle + FromPickle + sealed::Sealed + 'static {
    /// The element's dtype, type codes and size.
    const DTYPE: Dtype;
    /// Appends the element's little-endian bytes.
    #[doc(hidden)]
    fn put_le(self, out: &mut Vec<u8>);
    /// The element of `Self::DTYPE.size` little-endian bytes.
    #[doc(hidden)]
    fn from_le(b: &[u8]) -> Self;
}

macro_rules! numbers {
    ($($t:ident $i:expr;)*) => {$(
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const DTYPE: Dtype = DTYPES[$i].1;
            #[inline]
            fn put_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            #[inline]
            fn from_le(b: &[u8]) -> Self {
                $t::from_le_bytes(b.try_into().expect("one element's bytes"))
            }
        }
    )*};
}

numbers! {
    u8 0; i8 1; u16 2; i16 3; u32 4; i32 5; u64 6; i64 7; f32 8; f64 9;
}

impl sealed::Sealed for bool {}
impl Element for bool {
    const DTYPE: Dtype = DTYPES[10].1;
    #[inline]
    fn put_le(self, out: &mut Vec<u8>) {
        out.push(u8::from(self));
    }
    #[inline]
    fn from_le(b: &[u8]) -> Self {
        b[0] != 0
    }
}

/// The elements' bytes, little-endian: the slice's own memory on a
/// little-endian machine (no copy), a converted copy elsewhere.
pub fn le_bytes<E: Element>(data: &[E]) -> Cow<'_, [u8]> {
    if cfg!(target_endian = "little") {
        // SAFETY: every `Element` is a primitive number or `bool`: no
        // padding, every byte initialised, alignment of `u8` is 1, and the
        // length is the slice's size in bytes.
        Cow::Borrowed(unsafe { std::slice::from_raw_parts(data.as_ptr().cast::<u8>(), std::mem::size_of_val(data)) })
    } else {
        let mut out = Vec::with_capacity(std::mem::size_of_val(data));
        data.iter().for_each(|e| e.put_le(&mut out));
        Cow::Owned(out)
    }
}

/// The array tools' compiled bytes (compiled once per process).
pub(crate) fn tools_bytes() -> &'static [u8] {
    static TOOLS: OnceLock<Vec<u8>> = OnceLock::new();
    TOOLS.get_or_init(|| tools_program().compile(crate::pyexpr::Context::Descriptor).bytes)
}

/// Most empty lists the fallback form of an array with a zero in its shape
/// may spell out (the product of the dimensions before the first zero).
const MAX_NESTED_EMPTY: usize = 1 << 20;

impl Encoder<'_> {
    /// Writes an array of `shape` (C order) whose elements are `data`
    /// (`data.len()` must be the product of `shape`): a `numpy.ndarray` on a
    /// reader with numpy, else `array.array` (1-D) or nested lists.
    pub fn array<E: Element>(&mut self, shape: &[usize], data: &[E]) -> io::Result<()> {
        let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        if count != Some(data.len()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("array of shape {shape:?} given {} elements", data.len()),
            ));
        }
        let dt = E::DTYPE;
        let empty = shape.len() != 1 && shape.contains(&0);
        let (make, args, code) = match (shape.len(), empty) {
            (1, _) => (offset::VEC_MAKE, offset::VEC_ARGS, dt.code),
            (_, false) => (offset::ND_MAKE, offset::ND_ARGS, dt.nd_code),
            (_, true) => (offset::EMPTY_MAKE, offset::EMPTY_ARGS, dt.nd_code),
        };
        let nested = if empty {
            let zero = shape.iter().position(|&d| d == 0).unwrap_or(0);
            let lists = shape[..zero].iter().try_fold(1usize, |a, &d| a.checked_mul(d));
            match lists {
                Some(n) if n <= MAX_NESTED_EMPTY => Some(&shape[..zero]),
                _ => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("empty array of shape {shape:?}: too many nested lists for its fallback form"),
                    ))
                }
            }
        } else {
            None
        };
        let finish = shape.len() != 1 && !empty;
        // The slots this form calls (BODY_HELPERS' order: next, map, starmap).
        let [next, map, starmap] = [0, 1, 2].map(|h| self.array_slot(offset::COUNT + h));
        let [make, args] = [make, args].map(|k| self.array_slot(k));
        let [nd_finish, view] = match finish {
            true => [offset::ND_FINISH, offset::VIEW].map(|k| self.array_slot(k)),
            false => [0, 0],
        };
        let w = self.w();
        w.get(next);
        if finish {
            w.get(map);
            w.get(nd_finish);
        }
        w.get(starmap);
        w.get(make);
        w.get(map);
        w.get(args);
        // The argument tuple T.
        let n = if empty { 5 } else { 4 };
        w.tuple_open(n);
        w.tuple_open(shape.len());
        for &d in shape {
            w.uint(d as u64);
        }
        w.tuple_close(shape.len());
        w.str(dt.numpy);
        w.str(code);
        if finish {
            w.get(view);
        }
        let bytes = le_bytes(data);
        self.bytearray(&bytes)?;
        let w = self.w();
        if finish {
            w.put([TUPLE1, REDUCE]);
        }
        if let Some(dims) = nested {
            nested_empty(w, dims);
            w.op(TUPLE1);
        }
        w.tuple_close(n);
        // map(G, (T,)), starmap(F, …), [map(P, …)], next(…).
        w.put([TUPLE1, TUPLE2, REDUCE, TUPLE2, REDUCE]);
        if finish {
            w.put([TUPLE2, REDUCE]);
        }
        w.put([TUPLE1, REDUCE]);
        self.boundary()
    }
}

/// Nested empty lists for the leading dimensions `dims` of a shape whose
/// next dimension is 0: `[]` for none, `[[], []]` for `(2,)`, …
fn nested_empty(w: &mut crate::writer::OpWriter, dims: &[usize]) {
    match dims.split_first() {
        None => w.op(EMPTY_LIST),
        Some((&n, rest)) => {
            w.op(EMPTY_LIST);
            for chunk in 0..n.div_ceil(1000) {
                let k = (n - chunk * 1000).min(1000);
                w.op(MARK);
                for _ in 0..k {
                    nested_empty(w, rest);
                }
                w.op(APPENDS);
            }
        }
    }
}

/// Data written as an array (see [`Array`]): `[T]`, `Vec<T>`, `[T; N]`,
/// `Box<[T]>` and references to them, for every [`Element`] `T`; with the
/// cargo feature `ndarray`, `ndarray::ArrayBase` of any dimension.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written as an array",
    label = "`#[pickle(array)]` on a field of this type",
    note = "`#[pickle(array)]` takes `Vec<T>`, `[T; N]`, `Box<[T]>` or `[T]` of numbers, nested `Vec`s for \
            n-D data, or `ndarray` arrays (cargo feature `ndarray`); an `Option` of an array is not one: \
            write it without `#[pickle(array)]` (a `list` or `None`), or wrap the array in a type of its own"
)]
pub trait ArrayData {
    /// Writes `self` as one array.
    fn write_array(&self, out: &mut Encoder<'_>) -> io::Result<()>;
}

impl<E: Element> ArrayData for [E] {
    fn write_array(&self, out: &mut Encoder<'_>) -> io::Result<()> {
        out.array(&[self.len()], self)
    }
}

impl<E: Element> ArrayData for Vec<E> {
    fn write_array(&self, out: &mut Encoder<'_>) -> io::Result<()> {
        self.as_slice().write_array(out)
    }
}

impl<E: Element> ArrayData for Box<[E]> {
    fn write_array(&self, out: &mut Encoder<'_>) -> io::Result<()> {
        (**self).write_array(out)
    }
}

impl<E: Element, const N: usize> ArrayData for [E; N] {
    fn write_array(&self, out: &mut Encoder<'_>) -> io::Result<()> {
        self.as_slice().write_array(out)
    }
}

impl<A: ArrayData + ?Sized> ArrayData for &A {
    fn write_array(&self, out: &mut Encoder<'_>) -> io::Result<()> {
        (**self).write_array(out)
    }
}

/// Numbers written as one array instead of a `list`: a `numpy.ndarray`
/// on a reader with numpy, else `array.array` (1-D) or nested lists (n-D).
/// What `#[pickle(array)]` does for a field, for values outside a struct.
///
/// ```
/// use portable_runtime::array::Array;
///
/// let samples = vec![0.5f64, 1.5, 2.5];
/// let bytes = portable_runtime::to_vec_with_header(&[], &Array(&samples));
/// # let _ = bytes;
/// let back: Array<Vec<f64>> = Array(samples.clone());
/// assert_eq!(back.0, samples);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Array<A>(pub A);

impl<A: ArrayData> PortablePickle for Array<A> {
    const PY_TYPE: crate::pytype::PyType = crate::pytype::PyType::Array;
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        self.0.write_array(p)
    }
}

impl<A: FromArray> FromPickle for Array<A> {
    fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        A::from_array(value, cx).map(Array)
    }
}

/// Writes a `#[pickle(array)]` field.
#[doc(hidden)]
pub fn write_field<A: ArrayData + ?Sized>(value: &A, out: &mut Encoder<'_>) -> io::Result<()> {
    value.write_array(out)
}

// ---- reading -----------------------------------------------------------------

/// Data read from an array: what [`ArrayData`] writes, and numpy arrays
/// CPython pickled (protocols 2–5, numpy 1.x and 2.x), `array.array`s and
/// (nested) lists of numbers.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read back as an array",
    label = "`#[pickle(array)]` on a field of this type",
    note = "`#[pickle(array)]` reads `Vec<T>`, `[T; N]` and `Box<[T]>` of numbers, nested `Vec`s for n-D \
            data, or `ndarray` arrays (cargo feature `ndarray`)"
)]
pub trait FromArray: Sized + 'static {
    /// Converts a decoded array.
    fn from_array(value: &Value, cx: &mut ReadContext) -> Result<Self, Error>;
}

/// A `#[pickle(array)]` field's reader.
#[doc(hidden)]
pub fn read_field<A: FromArray>(value: &Value, cx: &mut ReadContext) -> Result<A, Error> {
    A::from_array(value, cx)
}

/// An array decoded from any of the forms [`FromArray`] reads, its
/// elements in C order.
#[derive(Debug)]
pub struct Decoded<E> {
    /// The shape.
    pub shape: Vec<usize>,
    /// The elements, C order.
    pub data: Vec<E>,
}

fn bad(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Malformed(msg.into()))
}

/// A numpy dtype as pickles spell it: kind (`f`, `i`, `u`, `b`), size and
/// whether the bytes are big-endian.
struct DtypeSpec {
    kind: char,
    size: usize,
    big: bool,
}

fn parse_dtype(text: &str, order: Option<&str>) -> Result<DtypeSpec, Error> {
    let (order_char, rest) = match text.as_bytes().first() {
        Some(b'<' | b'>' | b'|' | b'=') => (Some(&text[..1]), &text[1..]),
        _ => (None, text),
    };
    let order = order_char.or(order);
    let big = match order {
        Some(">") => true,
        Some("=") | None => cfg!(target_endian = "big"),
        _ => false,
    };
    let mut chars = rest.chars();
    let kind = chars.next().ok_or_else(|| bad("empty dtype"))?;
    let size: usize = chars
        .as_str()
        .parse()
        .map_err(|_| bad(format!("dtype {} is not a number type", quoted(text))))?;
    let kind = match kind {
        '?' => 'b',
        k => k,
    };
    Ok(DtypeSpec { kind, size, big })
}

fn dtype_matches<E: Element>(d: &DtypeSpec) -> bool {
    let want = E::DTYPE.numpy;
    let kind = want.as_bytes()[1] as char;
    d.kind == kind && d.size == E::DTYPE.size
}

fn str_of(v: &Value) -> Option<&str> {
    match v.get() {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

fn buffer_of(v: &Value) -> Option<&[u8]> {
    match v.get() {
        Value::Bytes(b) | Value::ByteArray(b) => Some(b),
        // Protocol 0/1 numpy data: latin-1 text.
        _ => None,
    }
}

/// The most dimensions an array may have (numpy's own limit, `NPY_MAXDIMS`
/// of numpy 2): the Fortran-order conversion costs elements × dimensions.
pub const MAX_NDIM: usize = 64;

fn shape_of(v: &Value) -> Result<Vec<usize>, Error> {
    let items = match v.get() {
        Value::Tuple(items) | Value::List(items) => items,
        Value::Int(i) => {
            return usize::try_from(*i)
                .map(|d| vec![d])
                .map_err(|_| bad("negative array dimension"))
        }
        other => return Err(mismatch("array shape (a tuple of ints)", other)),
    };
    if items.len() > MAX_NDIM {
        return Err(bad(format!("array of {} dimensions (at most {MAX_NDIM})", items.len())));
    }
    items
        .iter()
        .map(|d| match d.get() {
            Value::Int(i) => usize::try_from(*i).map_err(|_| bad("negative array dimension")),
            other => Err(mismatch("int (an array dimension)", other)),
        })
        .collect()
}

/// A numpy dtype object (`numpy.dtype('f8', False, True)` + its `BUILD`
/// state `(3, '<', …)`) or a dtype string.
fn dtype_of(v: &Value) -> Result<DtypeSpec, Error> {
    match v.get() {
        Value::Str(s) => parse_dtype(s, None),
        Value::Object(o) if o.class.is("numpy", "dtype") => {
            let text = o
                .args
                .first()
                .and_then(str_of)
                .ok_or_else(|| bad("numpy.dtype without its type"))?;
            let order = match o.state.as_ref().map(Value::get) {
                Some(Value::Tuple(state)) => state.get(1).and_then(str_of),
                _ => None,
            };
            parse_dtype(text, order)
        }
        other => Err(mismatch("numpy dtype", other)),
    }
}

fn is_numpy(o: &Object, name: &str) -> bool {
    matches!(
        o.class.module.as_str(),
        "numpy.core.multiarray" | "numpy._core.multiarray" | "numpy.core.numeric" | "numpy._core.numeric"
    ) && o.class.name == name
}

/// The `array.array` machine format codes of `array._array_reconstructor`
/// (CPython's `enum machine_format_code`): (kind, size, big-endian).
fn machine_format(code: i64) -> Option<(char, usize, bool)> {
    Some(match code {
        0 => ('u', 1, false),
        1 => ('i', 1, false),
        2..=13 => {
            let i = code - 2;
            let size = [2, 2, 4, 4, 8, 8][(i / 2) as usize];
            let kind = if (i / 2) % 2 == 0 { 'u' } else { 'i' };
            (kind, size, i % 2 == 1)
        }
        14 => ('f', 4, false),
        15 => ('f', 4, true),
        16 => ('f', 8, false),
        17 => ('f', 8, true),
        _ => return None,
    })
}

fn decode_bytes<E: Element>(
    shape: Vec<usize>,
    d: &DtypeSpec,
    bytes: &[u8],
    fortran: bool,
    cx: &mut ReadContext,
) -> Result<Decoded<E>, Error> {
    if !dtype_matches::<E>(d) {
        return Err(Error::mismatch(
            format!("array of {}", E::DTYPE.numpy),
            format!("array of dtype {}{}", d.kind, d.size),
        ));
    }
    let count = shape
        .iter()
        .try_fold(1usize, |a, &x| a.checked_mul(x))
        .ok_or_else(|| bad("array shape overflows"))?;
    let size = E::DTYPE.size;
    if count.checked_mul(size) != Some(bytes.len()) {
        return Err(bad(format!(
            "array of shape {shape:?} and {size}-byte elements holds {} bytes",
            bytes.len()
        )));
    }
    cx.charge(bytes.len())?;
    let element = |i: usize| {
        let b = &bytes[i * size..(i + 1) * size];
        if d.big && size > 1 {
            let mut r = b.to_vec();
            r.reverse();
            E::from_le(&r)
        } else {
            E::from_le(b)
        }
    };
    let data = if fortran && shape.len() > 1 {
        // Element at C index (i0, …, in) is at Fortran offset Σ ik·Π_{j<k} dj.
        let mut out = Vec::with_capacity(count);
        let mut idx = vec![0usize; shape.len()];
        for _ in 0..count {
            let mut off = 0;
            let mut stride = 1;
            for (k, &i) in idx.iter().enumerate() {
                off += i * stride;
                stride *= shape[k];
            }
            out.push(element(off));
            for k in (0..shape.len()).rev() {
                idx[k] += 1;
                if idx[k] < shape[k] {
                    break;
                }
                idx[k] = 0;
            }
        }
        out
    } else {
        (0..count).map(element).collect()
    };
    Ok(Decoded { shape, data })
}

/// Nested lists (the n-D fallback, or plain lists): the shape from the
/// first item at each level, every item checked against it.
fn decode_lists<E: Element>(value: &Value, cx: &mut ReadContext) -> Result<Decoded<E>, Error> {
    let mut shape = Vec::new();
    let mut v = value;
    while let Value::List(items) | Value::Tuple(items) = v.get() {
        shape.push(items.len());
        match items.first() {
            Some(first) => v = first,
            None => break,
        }
        if shape.len() > MAX_NDIM {
            return Err(bad(format!("nested lists deeper than {MAX_NDIM}")));
        }
    }
    let mut data = Vec::new();
    fn walk<E: Element>(v: &Value, shape: &[usize], out: &mut Vec<E>, cx: &mut ReadContext) -> Result<(), Error> {
        match shape.split_first() {
            None => {
                cx.charge_items::<E>(1)?;
                out.push(E::from_pickle(v, cx)?);
                Ok(())
            }
            Some((&n, rest)) => {
                let items = match v.get() {
                    Value::List(items) | Value::Tuple(items) if items.len() == n => items,
                    other => return Err(mismatch(&format!("list of {n} items (a ragged array?)"), other)),
                };
                for (i, item) in items.iter().enumerate() {
                    walk(item, rest, out, cx).map_err(|e| e.in_index(i))?;
                }
                Ok(())
            }
        }
    }
    // A trailing `[]` level has no first item: its dimension is 0.
    walk(value, &shape, &mut data, cx)?;
    Ok(Decoded { shape, data })
}

/// Decodes an array from any form [`FromArray`] reads.
pub fn decode<E: Element>(value: &Value, cx: &mut ReadContext) -> Result<Decoded<E>, Error> {
    match value.get() {
        Value::List(_) | Value::Tuple(_) => decode_lists(value, cx),
        Value::Bytes(b) | Value::ByteArray(b) if E::DTYPE.size == 1 && E::DTYPE.numpy != "|b1" => {
            let d = parse_dtype(E::DTYPE.numpy, None)?;
            decode_bytes(vec![b.len()], &d, b, false, cx)
        }
        Value::Object(o) => decode_object(o, cx),
        other => Err(mismatch("array", other)),
    }
}

fn decode_object<E: Element>(o: &Object, cx: &mut ReadContext) -> Result<Decoded<E>, Error> {
    let arg = |i: usize| {
        o.args
            .get(i)
            .ok_or_else(|| bad(format!("{} without argument {i}", o.class.name)))
    };
    // Ours: numpy.ndarray(shape, dtype, buffer), as the reader describes it.
    if o.class.is("numpy", "ndarray") {
        let shape = shape_of(arg(0)?)?;
        let d = dtype_of(arg(1)?)?;
        let bytes = buffer_of(arg(2)?).ok_or_else(|| bad("numpy.ndarray buffer is not bytes"))?;
        return decode_bytes(shape, &d, bytes, false, cx);
    }
    // numpy's protocol 5: _frombuffer(buffer, dtype, shape, order).
    if is_numpy(o, "_frombuffer") {
        let bytes = buffer_of(arg(0)?).ok_or_else(|| bad("_frombuffer buffer is not bytes"))?;
        let d = dtype_of(arg(1)?)?;
        let shape = shape_of(arg(2)?)?;
        let fortran = o.args.get(3).and_then(str_of) == Some("F");
        return decode_bytes(shape, &d, bytes, fortran, cx);
    }
    // numpy's protocols 2–4: _reconstruct(ndarray, (0,), b'b') + BUILD
    // (version, shape, dtype, is_fortran, data).
    if is_numpy(o, "_reconstruct") {
        let state = match o.state.as_ref().map(Value::get) {
            Some(Value::Tuple(s)) if s.len() == 5 => s,
            _ => {
                return Err(bad(
                    "numpy array pickle without its (version, shape, dtype, fortran, data) state",
                ))
            }
        };
        let shape = shape_of(&state[1])?;
        let d = dtype_of(&state[2])?;
        let fortran = matches!(state[3].get(), Value::Bool(true));
        let bytes = match state[4].get() {
            Value::Bytes(b) | Value::ByteArray(b) => Cow::Borrowed(&b[..]),
            // Protocols 0 and 1: the data as latin-1 text.
            Value::Str(s) => Cow::Owned(latin1(s)?),
            Value::List(_) => return Err(bad("numpy array of Python objects")),
            other => return Err(mismatch("array data (bytes)", other)),
        };
        return decode_bytes(shape, &d, &bytes, fortran, cx);
    }
    // array.array, re-pickled by CPython: protocol 3+
    // _array_reconstructor(array, typecode, mformat, bytes); below, array(typecode, list).
    if o.class.is("array", "_array_reconstructor") {
        let code = match arg(2)?.get() {
            &Value::Int(i) => i,
            other => return Err(mismatch("int (array machine format)", other)),
        };
        let (kind, size, big) = machine_format(code).ok_or_else(|| bad(format!("array machine format {code}")))?;
        let bytes = buffer_of(arg(3)?).ok_or_else(|| bad("array data is not bytes"))?;
        let d = DtypeSpec { kind, size, big };
        let d = if E::DTYPE.numpy == "|b1" && kind == 'u' && size == 1 {
            DtypeSpec { kind: 'b', ..d }
        } else {
            d
        };
        let n = bytes.len() / size.max(1);
        return decode_bytes(vec![n], &d, bytes, false, cx);
    }
    if o.class.is("array", "array") {
        return decode_lists(arg(1)?, cx);
    }
    Err(Error::mismatch(
        "array",
        format!("object of {}.{}", o.class.module, o.class.name),
    ))
}

fn latin1(s: &str) -> Result<Vec<u8>, Error> {
    s.chars()
        .map(|c| u8::try_from(u32::from(c)).map_err(|_| bad("array data text is not latin-1")))
        .collect()
}

fn one_d<E: Element>(value: &Value, cx: &mut ReadContext) -> Result<Vec<E>, Error> {
    let d = decode::<E>(value, cx)?;
    if d.shape.len() != 1 {
        return Err(Error::mismatch("1-D array", format!("array of shape {:?}", d.shape)));
    }
    Ok(d.data)
}

impl<E: Element> FromArray for Vec<E> {
    fn from_array(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        one_d(value, cx)
    }
}

impl<E: Element> FromArray for Box<[E]> {
    fn from_array(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        one_d(value, cx).map(Vec::into_boxed_slice)
    }
}

impl<E: Element, const N: usize> FromArray for [E; N] {
    fn from_array(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        let v = one_d::<E>(value, cx)?;
        let n = v.len();
        v.try_into()
            .map_err(|_| Error::mismatch(format!("array of {N} elements"), format!("array of {n}")))
    }
}
