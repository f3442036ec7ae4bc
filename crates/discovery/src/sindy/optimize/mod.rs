//! Sparse regression of derivatives on library terms, swappable as in PySINDy.

mod ensemble;
mod sr3;
mod stlsq;

pub use ensemble::{Aggregate, EnsembleOptimizer};
pub use sr3::{Regularizer, Sr3};
pub use stlsq::Stlsq;

use ndarray::{Array1, Array2, ArrayView2, Axis};
use voltai_core::{Error, Result};

use crate::dense::lstsq;

/// Coefficients found by a sparse optimiser.
#[derive(Debug, Clone)]
pub struct SparseFit {
    /// `n_targets × n_terms`; zeros mark dropped terms.
    pub coefficients: Array2<f64>,
    /// For ensembles: the fraction of models that kept each coefficient.
    pub inclusion: Option<Array2<f64>>,
}

/// Finds sparse `Ξ` with `y ≈ Θ Ξᵀ`.
pub trait SparseOptimizer: Send + Sync + std::fmt::Debug {
    /// Fits `theta` (`n × p` library terms) to `y` (`n × targets`).
    fn optimize(&self, theta: ArrayView2<'_, f64>, y: ArrayView2<'_, f64>) -> Result<SparseFit>;
}

/// The two preparation setters shared by the thresholding optimisers:
/// unit-norm columns and the least-squares refit of the final support.
macro_rules! preparation_setters {
    (unbias_default = $default:literal) => {
        /// Work with unit-norm library columns, so terms of very different
        /// scales compete fairly (default false).
        pub fn normalize_columns(mut self, yes: bool) -> Self {
            self.normalize_columns = yes;
            self
        }

        #[doc = concat!("Refit the final support by least squares (default ", $default, ").")]
        pub fn unbias(mut self, yes: bool) -> Self {
            self.unbias = yes;
            self
        }
    };
}
pub(crate) use preparation_setters;

/// Divides every column by its L2 norm (PySINDy's `normalize_columns`).
pub(crate) fn normalize_columns(theta: ArrayView2<'_, f64>) -> Result<(Array2<f64>, Array1<f64>)> {
    let norms = theta.map_axis(Axis(0), |c| c.dot(&c).sqrt());
    if let Some(j) = norms.iter().position(|&v| v == 0.0) {
        return Err(Error::InvalidInput(format!(
            "library term {j} is zero on every sample; it cannot be normalised"
        )));
    }
    Ok((&theta / &norms, norms))
}

/// The library as the optimiser sees it: unit-norm columns (and the norms
/// to undo the scaling afterwards) when `normalize` is set, else unchanged.
pub(crate) fn prepared(
    theta: ArrayView2<'_, f64>,
    normalize: bool,
) -> Result<(Array2<f64>, Option<Array1<f64>>)> {
    if normalize {
        let (x, n) = normalize_columns(theta)?;
        Ok((x, Some(n)))
    } else {
        Ok((theta.to_owned(), None))
    }
}

/// Ordinary least squares of each target on its own support (the "unbias" step).
pub(crate) fn refit_on_support(
    theta: ArrayView2<'_, f64>,
    y: ArrayView2<'_, f64>,
    coef: &Array2<f64>,
) -> Result<Array2<f64>> {
    let mut out = Array2::zeros(coef.dim());
    for i in 0..coef.nrows() {
        let support: Vec<usize> = (0..coef.ncols())
            .filter(|&j| coef[[i, j]].abs() > 1e-14)
            .collect();
        if support.is_empty() {
            continue;
        }
        let sub = theta.select(Axis(1), &support);
        let w = lstsq(sub.view(), y.column(i))?;
        for (k, &j) in support.iter().enumerate() {
            out[[i, j]] = w[k];
        }
    }
    Ok(out)
}

pub(crate) fn check_problem(theta: ArrayView2<'_, f64>, y: ArrayView2<'_, f64>) -> Result<()> {
    voltai_core::check::non_empty2("library terms", theta)?;
    voltai_core::check::finite2("library terms", theta)?;
    voltai_core::check::finite2("derivatives", y)?;
    voltai_core::check::same_len("derivative rows", theta.nrows(), y.nrows())
}
