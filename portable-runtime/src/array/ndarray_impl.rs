//! `ndarray::ArrayBase` as arrays (cargo feature `ndarray`).
//!
//! Written in C order whatever the memory order: an array in standard
//! layout (C-contiguous) is written from its own memory, any other
//! (Fortran order, a transposed or sliced view) is first copied in logical
//! order. Read back as an owned `ndarray::Array` of the stream's shape.

use std::io;

use ndarray::{ArrayBase, Data, Dimension, IxDyn};

use super::{decode, ArrayData, Element, FromArray};
use crate::read::error::Error;
use crate::read::ReadContext;
use crate::{Encoder, Value};

impl<E: Element, S: Data<Elem = E>, D: Dimension> ArrayData for ArrayBase<S, D> {
    fn write_array(&self, out: &mut Encoder<'_>) -> io::Result<()> {
        let shape = self.shape();
        match self.as_slice() {
            Some(data) => out.array(shape, data),
            None => {
                let data: Vec<E> = self.iter().copied().collect();
                out.array(shape, &data)
            }
        }
    }
}

impl<E: Element, D: Dimension + 'static> FromArray for ndarray::Array<E, D> {
    fn from_array(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
        let d = decode::<E>(value, cx)?;
        let found = format!("array of shape {:?}", d.shape);
        let dyn_array = ndarray::Array::from_shape_vec(IxDyn(&d.shape), d.data)
            .map_err(|e| Error::mismatch("array data of its shape", format!("{found}: {e}")))?;
        dyn_array
            .into_dimensionality::<D>()
            .map_err(|_| Error::mismatch(format!("{}-D array", D::NDIM.unwrap_or(0)), found))
    }
}
