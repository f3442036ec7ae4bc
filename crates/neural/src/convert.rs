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

/// A module and its input moved off autodiff, for forward passes that will
/// never be differentiated (prediction, validation, CKA).
///
/// Why: on an autodiff device every forward pass records a graph, and a
/// graph that is never differentiated lingers until a later `backward()`
/// sweeps it; each backward sweeps every lingering graph, so a long study
/// that predicts between fits slows down as they pile up. The values are
/// the same; no graph is recorded.
pub fn inference<M: burn::module::Module>(model: &M, input: Tensor<2>) -> (M, Tensor<2>) {
    (model.valid(), input.without_autodiff())
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::LinearConfig;

    /// Off autodiff: neither the module's weights nor the input carry it,
    /// and the forward pass gives the same values as on the autodiff device.
    #[test]
    fn inference_leaves_autodiff_and_keeps_values() {
        let device = crate::device::cpu(4);
        let layer = LinearConfig::new(3, 2).init(&device);
        let x = tensor2(
            ndarray::array![[1.0f32, -2.0, 0.5], [0.0, 3.0, 1.0]].view(),
            &device,
        );
        assert!(x.is_autodiff() && layer.weight.val().is_autodiff());
        let want = array2(layer.forward(x.clone()).detach()).unwrap();
        let (plain, x) = inference(&layer, x);
        assert!(!x.is_autodiff() && !plain.weight.val().is_autodiff());
        let out = plain.forward(x);
        assert!(!out.is_autodiff());
        assert_eq!(array2(out).unwrap(), want);
    }
}
