//! Corpus cases of arrays (`#[pickle(array)]`, `portable_pickle::Array`,
//! `ndarray`): each check accepts the numpy form when numpy is in
//! `sys.modules` after the load and the stdlib fallback otherwise, and
//! insists on numpy when `PORTABLE_PICKLE_EXPECT_NUMPY=1`.

use portable_pickle::{Array, PortablePickle};

use super::Corpus;
#[allow(unused_imports)] // tests/arrays.rs names `Trace` through this module; tests/corpus.rs does not
pub use crate::array_values::{trace, Trace};

/// Defines `arr(v, dtype, code, shape, values)` for a check.
pub const HELPER: &str = r#"
import sys, os, array
def arr(v, dtype, code, shape, values):
    np = sys.modules.get('numpy')
    if os.environ.get('PORTABLE_PICKLE_EXPECT_NUMPY') == '1':
        assert np is not None, 'numpy expected on this reader'
    if np is not None:
        assert type(v) is np.ndarray, type(v)
        assert v.dtype.str == dtype, (v.dtype.str, dtype)
        assert v.shape == tuple(shape), (v.shape, shape)
        assert v.flags.writeable and v.flags.c_contiguous, v.flags
        assert v.tolist() == values, (v.tolist(), values)
        assert all(type(x) is type(y) for x, y in zip(v.ravel().tolist(), v.ravel().tolist()))
    elif len(shape) == 1:
        assert type(v) is array.array, type(v)
        assert v.typecode == code, (v.typecode, code)
        assert v.tolist() == values, (v.tolist(), values)
    elif sys.implementation.name == 'pypy' and 0 not in shape:
        # PyPy's n-D memoryview cannot be turned into lists: the memoryview
        # is the value; its elements are read by index.
        assert type(v) is memoryview and v.shape == tuple(shape), (type(v), shape)
        def nested(index):
            if len(index) == len(shape):
                return v[index]
            return [nested(index + (i,)) for i in range(shape[len(index)])]
        assert nested(()) == values, (nested(()), values)
    elif len(shape) == 0:
        assert type(v) is type(values) and v == values, (v, values)
    else:
        assert type(v) is list, type(v)
        assert v == values, (v, values)
"#;

/// Readings (a struct with array fields of each kind).
#[derive(PortablePickle)]
pub struct Readings<'a> {
    pub name: String,
    #[pickle(array)]
    pub samples: Vec<f64>,
    #[pickle(array)]
    pub counts: Box<[i32]>,
    #[pickle(array)]
    pub key: [u8; 4],
    #[pickle(array)]
    pub mask: &'a [bool],
}

fn check(body: &str) -> String {
    format!("{HELPER}\n{body}")
}

pub fn array_cases(c: &mut Corpus) {
    // Every element type, 1-D, with its extremes.
    macro_rules! one_d {
        ($($t:ident $dtype:literal $code:literal $py:literal;)*) => {$(
            let v: Vec<$t> = vec![$t::MIN, 0 as $t, 1 as $t, $t::MAX];
            c.case(
                concat!("array_", stringify!($t)),
                &Array(&v),
                &check(&format!("arr(v, '{}', '{}', (4,), {})", $dtype, $code, $py)),
            );
        )*};
    }
    one_d! {
        u8 "|u1" "B" "[0, 0, 1, 255]";
        i8 "|i1" "b" "[-128, 0, 1, 127]";
        u16 "<u2" "H" "[0, 0, 1, 65535]";
        i16 "<i2" "h" "[-32768, 0, 1, 32767]";
        u32 "<u4" "I" "[0, 0, 1, 4294967295]";
        i32 "<i4" "i" "[-2147483648, 0, 1, 2147483647]";
        u64 "<u8" "Q" "[0, 0, 1, 18446744073709551615]";
        i64 "<i8" "q" "[-9223372036854775808, 0, 1, 9223372036854775807]";
    }
    c.case(
        "array_f32",
        &Array(&[1.5f32, -0.25, f32::MAX, f32::INFINITY]),
        &check("arr(v, '<f4', 'f', (4,), [1.5, -0.25, 3.4028234663852886e+38, float('inf')])"),
    );
    c.case(
        "array_f64",
        &Array(vec![1.5f64, -0.1, f64::MIN_POSITIVE, f64::NEG_INFINITY]),
        &check("arr(v, '<f8', 'd', (4,), [1.5, -0.1, 2.2250738585072014e-308, float('-inf')])"),
    );
    c.case(
        "array_bool",
        &Array(vec![true, false, true]),
        &check("arr(v, '|b1', 'B', (3,), [True, False, True])"),
    );
    c.case(
        "array_empty",
        &Array(Vec::<f64>::new()),
        &check("arr(v, '<f8', 'd', (0,), [])"),
    );
    // Larger than a frame: one BYTEARRAY8 outside frames.
    let big: Vec<f64> = (0..20_000).map(f64::from).collect();
    c.case(
        "array_large",
        &Array(&big),
        &check(
            "arr(v, '<f8', 'd', (20000,), [float(i) for i in range(20000)])\n\
             import pickletools\n\
             ops = [op.name for op, _, _ in pickletools.genops(data)]\n\
             assert 'BYTEARRAY8' in ops and ops.count('FRAME') >= 2, ops",
        ),
    );
    // Struct fields, several arrays sharing the tools, NaN kept.
    c.case(
        "array_fields",
        &Readings {
            name: "probe".into(),
            samples: vec![0.25, f64::NAN],
            counts: vec![3, -4].into_boxed_slice(),
            key: [1, 2, 3, 4],
            mask: &[true, false],
        },
        &check(
            "import math\n\
             assert type(v).__name__ == 'Readings' and v.name == 'probe'\n\
             assert v.samples[0] == 0.25 and math.isnan(v.samples[1]) and len(v.samples) == 2\n\
             arr(v.counts, '<i4', 'i', (2,), [3, -4])\n\
             arr(v.key, '|u1', 'B', (4,), [1, 2, 3, 4])\n\
             arr(v.mask, '|b1', 'B', (2,), [True, False])",
        ),
    );
    c.case(
        "array_trace",
        &vec![trace(), trace()],
        &check(
            "assert len(v) == 2\n\
             for t in v:\n    arr(t.t, '<f4', 'f', (3,), [0.0, 0.5, 1.0])\n    arr(t.v, '<i8', 'q', (3,), [-1, 2**63 - 1, -2**63])\n\
             write_back(v)",
        ),
    );
    #[cfg(feature = "ndarray")]
    nd_cases(c);
}

#[cfg(feature = "ndarray")]
fn nd_cases(c: &mut Corpus) {
    use ndarray::{arr2, Array, Array3, ShapeBuilder};
    let m = arr2(&[[1.0f64, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    c.case(
        "ndarray_2d_c",
        &Array(&m),
        &check("arr(v, '<f8', 'd', (2, 3), [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])"),
    );
    // Fortran order in memory, written in C order.
    let mut f = Array::<i32, _>::zeros((2, 3).f());
    for ((i, j), x) in f.indexed_iter_mut() {
        *x = (10 * i + j) as i32;
    }
    c.case(
        "ndarray_2d_fortran",
        &Array(&f),
        &check("arr(v, '<i4', 'i', (2, 3), [[0, 1, 2], [10, 11, 12]])"),
    );
    let t = m.t();
    c.case(
        "ndarray_2d_transposed",
        &Array(&t),
        &check("arr(v, '<f8', 'd', (3, 2), [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]])"),
    );
    let cube = Array3::from_shape_fn((2, 2, 3), |(i, j, k)| (i * 6 + j * 3 + k) as u16);
    c.case(
        "ndarray_3d",
        &Array(&cube),
        &check("arr(v, '<u2', 'H', (2, 2, 3), [[[0, 1, 2], [3, 4, 5]], [[6, 7, 8], [9, 10, 11]]])"),
    );
    let flags = arr2(&[[true, false], [false, true]]);
    c.case(
        "ndarray_bool",
        &Array(&flags),
        &check("arr(v, '|b1', '?', (2, 2), [[True, False], [False, True]])"),
    );
    c.case(
        "ndarray_empty",
        &(
            Array(Array::<f64, _>::zeros((3, 0))),
            Array(Array::<f64, _>::zeros((0, 2))),
        ),
        &check(
            "arr(v[0], '<f8', 'd', (3, 0), [[], [], []])\n\
             arr(v[1], '<f8', 'd', (0, 2), [])",
        ),
    );
    c.case(
        "ndarray_0d",
        &Array(ndarray::arr0(2.5f64)),
        &check("arr(v, '<f8', 'd', (), 2.5)"),
    );
}
