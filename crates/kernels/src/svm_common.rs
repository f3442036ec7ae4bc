//! Pieces shared by the SMO-trained models: input preparation, kernel
//! expansions over support vectors, and progress plumbing.

use ndarray::{Array1, Array2, ArrayView2};
use rayon::prelude::*;

use crate::kernel::Kernel;
use voltai_core::{Result, check};

/// Row-major copy of a feature matrix (the solver permutes rows in place).
pub(crate) fn flatten(x: ArrayView2<'_, f64>) -> Vec<f64> {
    x.as_standard_layout().iter().copied().collect()
}

/// Validates a training matrix against the kernel.
pub(crate) fn check_train<K: Kernel>(kernel: &K, x: ArrayView2<'_, f64>) -> Result<()> {
    kernel.check_input(x)
}

/// `K(x_i, sv_j)` for all rows of `x` and all support vectors, in parallel.
pub(crate) fn kernel_to_support<K: Kernel>(
    kernel: &K,
    support: &Array2<f64>,
    x: ArrayView2<'_, f64>,
) -> Result<Array2<f64>> {
    check::predict_input(x, support.ncols())?;
    if support.nrows() == 0 {
        return Ok(Array2::zeros((x.nrows(), 0)));
    }
    kernel.check_input(x)?;
    kernel.gram(x, support.view())
}

/// Σ_j coef_j K(x, sv_j) − rho per row, over a subset of support vectors.
pub(crate) fn expansion(k: &Array2<f64>, members: &[usize], coef: &[f64], rho: f64) -> Array1<f64> {
    let rows: Vec<f64> = (0..k.nrows())
        .into_par_iter()
        .map(|i| {
            let r = k.row(i);
            members
                .iter()
                .zip(coef)
                .map(|(&m, &c)| c * r[m])
                .sum::<f64>()
                - rho
        })
        .collect();
    Array1::from(rows)
}
