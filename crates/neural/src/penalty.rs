//! Loss terms for sequence outputs.

use burn::tensor::Tensor;

/// Mean squared error over the unmasked entries (`mask` is 1 or 0).
pub fn masked_mse(pred: Tensor<2>, target: Tensor<2>, mask: Tensor<2>) -> Tensor<1> {
    let count = mask.clone().sum().clamp_min(1.0);
    ((pred - target).powf_scalar(2.0) * mask).sum() / count
}

/// The monotonicity penalty `Σ max(0, ŷ_{t+1} − ŷ_t − tolerance)` over
/// consecutive unmasked steps, divided by their number: zero for a
/// non-increasing sequence, growing with every predicted capacity rise.
pub fn monotonicity_penalty(pred: Tensor<2>, mask: Tensor<2>, tolerance: f32) -> Tensor<1> {
    let [_, t] = pred.dims();
    if t < 2 {
        return pred.sum() * 0.0;
    }
    let next = pred.clone().narrow(1, 1, t - 1);
    let prev = pred.narrow(1, 0, t - 1);
    let pair_mask = mask.narrow(1, 1, t - 1);
    let count = pair_mask.clone().sum().clamp_min(1.0);
    let rise = (next - prev).sub_scalar(tolerance).clamp_min(0.0) * pair_mask;
    rise.sum() / count
}
