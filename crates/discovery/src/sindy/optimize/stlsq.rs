//! Sequentially thresholded least squares (Brunton, Proctor & Kutz 2016).

use ndarray::{Array1, Array2, ArrayView2};
use voltai_core::{Error, Result};

use super::{SparseFit, SparseOptimizer, check_problem, prepared, refit_on_support};
use crate::dense::{cholesky, cholesky_solve};

/// STLSQ as in PySINDy: ridge regression on the active terms, drop those with
/// |coefficient| below the threshold, repeat until the support is stable, then
/// refit the support by ordinary least squares.
#[derive(Debug, Clone, Copy)]
pub struct Stlsq {
    threshold: f64,
    alpha: f64,
    max_iter: usize,
    normalize_columns: bool,
    unbias: bool,
}

impl Stlsq {
    /// Threshold ≥ 0, ridge weight 0.05, 20 iterations (PySINDy's defaults).
    pub fn new(threshold: f64) -> Result<Self> {
        if !(threshold.is_finite() && threshold >= 0.0) {
            return Err(Error::invalid_parameter("threshold", threshold, "[0, inf)"));
        }
        Ok(Stlsq {
            threshold,
            alpha: 0.05,
            max_iter: 20,
            normalize_columns: false,
            unbias: true,
        })
    }

    /// Ridge weight `α ≥ 0` in `‖y − Θξ‖² + α‖ξ‖²`.
    pub fn alpha(mut self, alpha: f64) -> Result<Self> {
        if !(alpha.is_finite() && alpha >= 0.0) {
            return Err(Error::invalid_parameter("alpha", alpha, "[0, inf)"));
        }
        self.alpha = alpha;
        Ok(self)
    }

    /// Maximum thresholding rounds (≥ 1).
    pub fn max_iter(mut self, max_iter: usize) -> Result<Self> {
        if max_iter == 0 {
            return Err(Error::invalid_parameter("max_iter", max_iter, "1 or more"));
        }
        self.max_iter = max_iter;
        Ok(self)
    }

    // The refit drops the ridge penalty: on by default, as in PySINDy's STLSQ.
    super::preparation_setters!(unbias_default = "true");

    fn ridge(&self, gram: &Array2<f64>, xty: &Array1<f64>, support: &[usize]) -> Result<Vec<f64>> {
        let k = support.len();
        let mut g = Array2::from_shape_fn((k, k), |(a, b)| gram[[support[a], support[b]]]);
        for a in 0..k {
            g[[a, a]] += self.alpha;
        }
        let rhs = Array1::from_shape_fn(k, |a| xty[support[a]]);
        let l = cholesky(&g, "STLSQ ridge step")?;
        Ok(cholesky_solve(&l, rhs.view()).to_vec())
    }
}

impl SparseOptimizer for Stlsq {
    fn optimize(&self, theta: ArrayView2<'_, f64>, y: ArrayView2<'_, f64>) -> Result<SparseFit> {
        check_problem(theta, y)?;
        let (x, norms) = prepared(theta, self.normalize_columns)?;
        let p = x.ncols();
        let gram = x.t().dot(&x);
        let xty = x.t().dot(&y);
        let mut support: Vec<Vec<usize>> = vec![(0..p).collect(); y.ncols()];
        let mut coef = Array2::<f64>::zeros((y.ncols(), p));
        for _ in 0..self.max_iter {
            let mut changed = false;
            coef.fill(0.0);
            for (i, active) in support.iter_mut().enumerate() {
                if active.is_empty() {
                    continue;
                }
                let w = self.ridge(&gram, &xty.column(i).to_owned(), active)?;
                let kept: Vec<usize> = active
                    .iter()
                    .zip(&w)
                    .filter(|(_, v)| v.abs() >= self.threshold)
                    .map(|(&j, _)| j)
                    .collect();
                for (&j, v) in active.iter().zip(&w) {
                    if v.abs() >= self.threshold {
                        coef[[i, j]] = *v;
                    }
                }
                changed |= kept.len() != active.len();
                *active = kept;
            }
            if !changed {
                break;
            }
        }
        if self.unbias {
            coef = refit_on_support(x.view(), y, &coef)?;
        }
        if let Some(n) = norms {
            coef /= &n;
        }
        Ok(SparseFit {
            coefficients: coef,
            inclusion: None,
        })
    }
}
