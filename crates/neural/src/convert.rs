//! ndarray ↔ burn tensor conversions at the crate's edges.

use burn::tensor::{Device, Tensor, TensorData};
use ndarray::{Array2, ArrayView2};
use voltai_core::{Error, Result};

/// An `f32` matrix as a rank-2 tensor on `device`.
pub fn tensor2(a: ArrayView2<'_, f32>, device: &Device) -> Tensor<2> {
    let (n, m) = a.dim();
    let data: Vec<f32> = a.iter().copied().collect();
    Tensor::<2>::from_data(TensorData::new(data, [n, m]), device)
}

/// A rank-2 tensor back to an `f32` matrix.
pub fn array2(t: Tensor<2>) -> Result<Array2<f32>> {
    let [n, m] = t.dims();
    let v: Vec<f32> = t
        .into_data()
        .try_to_vec::<f32>()
        .map_err(|e| Error::numerical("tensor read-back", format!("{e:?}")))?;
    Array2::from_shape_vec((n, m), v)
        .map_err(|e| Error::numerical("tensor read-back", e.to_string()))
}

/// A scalar tensor's value.
pub fn scalar(t: Tensor<1>) -> f64 {
    f64::from(t.into_scalar::<f32>())
}
