//! `from_slice` into derived structs with `#[pickle(array)]` fields of
//! several element types and forms (`Vec<T>`, `Box<[T]>`, `[T; N]`,
//! `ndarray` of fixed and dynamic dimension) and into `Array<…>`: never
//! panics, never runs long (libFuzzer's `-timeout`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use portable_pickle::{from_slice, Array};
use portable_pickle_fuzz::{Grids, Readings, Samples};

fuzz_target!(|data: &[u8]| {
    let _ = from_slice::<Vec<Samples>>(data);
    let _ = from_slice::<Readings>(data);
    let _ = from_slice::<Grids>(data);
    let _ = from_slice::<Array<Vec<i16>>>(data);
    let _ = from_slice::<Array<ndarray::ArrayD<f32>>>(data);
});
