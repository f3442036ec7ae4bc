//! What PLS and principal-component regression share: the input checks and
//! the per-feature standard deviation they scale by.

use ndarray::{Array1, ArrayView1, ArrayView2, Axis};
use voltai_core::{Dataset, Error, Result, check};

/// Checked features and targets for a model with `k` latent components, at
/// most `max_k`; also the feature means.
pub(crate) fn checked_input<'a>(
    data: &'a Dataset,
    k: usize,
    max_k: usize,
    bound: &str,
) -> Result<(ArrayView2<'a, f64>, ArrayView1<'a, f64>, Array1<f64>)> {
    let (x, y) = (data.features(), data.targets()?);
    check::non_empty2("features", x)?;
    check::finite2("features", x)?;
    check::finite1("targets", y)?;
    if k > max_k {
        return Err(Error::invalid_parameter(
            "n_components",
            k,
            format!("[1, {max_k}] ({bound})"),
        ));
    }
    let x_mean = x
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(x.ncols()));
    Ok((x, y, x_mean))
}

/// Standard deviation of each column about `mean`, dividing by n − `ddof`;
/// 1 for a constant column, which scikit-learn leaves unscaled.
pub(crate) fn column_scale(x: ArrayView2<'_, f64>, mean: &Array1<f64>, ddof: usize) -> Array1<f64> {
    let denom = (x.nrows() - ddof.min(x.nrows().saturating_sub(1))) as f64;
    (0..x.ncols())
        .map(|j| {
            let v = x
                .column(j)
                .iter()
                .map(|v| (v - mean[j]).powi(2))
                .sum::<f64>()
                / denom;
            if v > 0.0 { v.sqrt() } else { 1.0 }
        })
        .collect()
}
