//! Pieces shared by the SMO-trained models: input preparation, kernel
//! expansions over support vectors, and progress plumbing.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::kernel::Kernel;
use voltai_core::{Result, check};

/// Validates the misclassification cost C > 0 (shared by C-SVC, ε-SVR and MKL).
pub(crate) fn positive_c(c: f64) -> Result<f64> {
    if c.is_finite() && c > 0.0 {
        Ok(c)
    } else {
        Err(voltai_core::Error::invalid_parameter("C", c, "(0, inf)"))
    }
}

/// Row-major copy of a feature matrix (the solver permutes rows in place).
pub(crate) fn flatten(x: ArrayView2<'_, f64>) -> Vec<f64> {
    x.as_standard_layout().iter().copied().collect()
}

/// Validates a training matrix against the kernel.
pub(crate) fn check_train<K: Kernel>(kernel: &K, x: ArrayView2<'_, f64>) -> Result<()> {
    kernel.check_input(x)
}

/// The features of a training set, checked against the kernel.
pub(crate) fn training_features<'a, K: Kernel>(
    kernel: &K,
    data: &'a voltai_core::Dataset,
) -> Result<ArrayView2<'a, f64>> {
    let x = data.features();
    check_train(kernel, x)?;
    Ok(x)
}

/// The solver-options setter of every SMO-trained params type (C-SVC,
/// ε-SVR, one-class), written once.
macro_rules! smo_setter {
    () => {
        /// Solver options (tolerance, shrinking, cache size, iteration cap).
        pub fn smo(mut self, opts: SmoOptions) -> Result<Self> {
            opts.check()?;
            self.smo = opts;
            Ok(self)
        }
    };
}
pub(crate) use smo_setter;

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

/// f(x) = Σ_i c_i k(sv_i, x) − ρ over the support vectors of one dual solution
/// (one-class SVM and ε-SVR; C-SVC keeps one per binary machine).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KernelExpansion {
    pub support_vectors: Array2<f64>,
    /// Training-row indices of the support vectors.
    pub support: Vec<usize>,
    pub dual_coef: Vec<f64>,
    pub rho: f64,
}

impl KernelExpansion {
    /// Keeps the rows of `x` whose coefficient is non-zero.
    pub(crate) fn from_coefficients(x: ArrayView2<'_, f64>, coef: &[f64], rho: f64) -> Self {
        let support: Vec<usize> = (0..coef.len()).filter(|&i| coef[i] != 0.0).collect();
        KernelExpansion {
            support_vectors: x.select(Axis(0), &support),
            dual_coef: support.iter().map(|&i| coef[i]).collect(),
            support,
            rho,
        }
    }

    /// f at every row of `x`.
    pub(crate) fn evaluate<K: Kernel>(
        &self,
        kernel: &K,
        x: ArrayView2<'_, f64>,
    ) -> Result<Array1<f64>> {
        let k = kernel_to_support(kernel, &self.support_vectors, x)?;
        let members: Vec<usize> = (0..self.support.len()).collect();
        Ok(expansion(&k, &members, &self.dual_coef, self.rho))
    }
}
