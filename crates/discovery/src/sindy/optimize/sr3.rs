//! Sparse relaxed regularised regression (Zheng et al. 2019; Champion et al. 2020).

use ndarray::{Array2, ArrayView2};
use voltai_core::{Error, Result};

use super::{SparseFit, SparseOptimizer, check_problem, prepared, refit_on_support};
use crate::dense::{cholesky, cholesky_solve, lstsq};

/// The sparsity-promoting penalty of [`Sr3`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regularizer {
    /// `λ‖w‖₀`, proximal map: hard threshold at `√(2λν)`.
    L0,
    /// `λ‖w‖₁`, proximal map: soft threshold at `λν`.
    L1,
}

/// SR3 as in PySINDy: minimises `½‖y − Θξ‖² + λR(w) + ‖ξ − w‖²/(2ν)` by
/// alternating an exact ridge-like solve for ξ and the proximal map for w;
/// returns the sparse `w`.
#[derive(Debug, Clone, Copy)]
pub struct Sr3 {
    lambda: f64,
    nu: f64,
    regularizer: Regularizer,
    tol: f64,
    max_iter: usize,
    normalize_columns: bool,
    unbias: bool,
}

impl Sr3 {
    /// Penalty weight `λ > 0` and regulariser; ν = 1, tol 1e-5, 30 iterations.
    pub fn new(lambda: f64, regularizer: Regularizer) -> Result<Self> {
        if !(lambda.is_finite() && lambda > 0.0) {
            return Err(Error::invalid_parameter("lambda", lambda, "(0, inf)"));
        }
        Ok(Sr3 {
            lambda,
            nu: 1.0,
            regularizer,
            tol: 1e-5,
            max_iter: 30,
            normalize_columns: false,
            unbias: false,
        })
    }

    /// Relaxation ν > 0: smaller keeps ξ and w closer.
    pub fn nu(mut self, nu: f64) -> Result<Self> {
        if !(nu.is_finite() && nu > 0.0) {
            return Err(Error::invalid_parameter("nu", nu, "(0, inf)"));
        }
        self.nu = nu;
        Ok(self)
    }

    /// Stopping tolerance on ‖w_k − w_{k−1}‖/ν and iteration cap.
    pub fn stopping(mut self, tol: f64, max_iter: usize) -> Result<Self> {
        if !(tol.is_finite() && tol > 0.0) {
            return Err(Error::invalid_parameter("tol", tol, "(0, inf)"));
        }
        if max_iter == 0 {
            return Err(Error::invalid_parameter("max_iter", max_iter, "1 or more"));
        }
        self.tol = tol;
        self.max_iter = max_iter;
        Ok(self)
    }

    // Unbiasing is off by default, as in PySINDy's SR3.
    super::preparation_setters!(unbias_default = "false");

    fn prox(&self, v: f64) -> f64 {
        let weight = self.lambda * self.nu;
        match self.regularizer {
            Regularizer::L0 => {
                if v.abs() > (2.0 * weight).sqrt() {
                    v
                } else {
                    0.0
                }
            }
            Regularizer::L1 => v.signum() * (v.abs() - weight).max(0.0),
        }
    }
}

impl SparseOptimizer for Sr3 {
    fn optimize(&self, theta: ArrayView2<'_, f64>, y: ArrayView2<'_, f64>) -> Result<SparseFit> {
        check_problem(theta, y)?;
        let (x, norms) = prepared(theta, self.normalize_columns)?;
        let p = x.ncols();
        let mut h = x.t().dot(&x);
        for j in 0..p {
            h[[j, j]] += 1.0 / self.nu;
        }
        let l = cholesky(&h, "SR3 relaxed solve")?;
        let xty = x.t().dot(&y);
        // Start from least squares, as PySINDy does.
        let mut sparse = Array2::zeros((y.ncols(), p));
        for i in 0..y.ncols() {
            sparse.row_mut(i).assign(&lstsq(x.view(), y.column(i))?);
        }
        for _ in 0..self.max_iter {
            let mut next = Array2::zeros(sparse.dim());
            for i in 0..y.ncols() {
                let rhs = &xty.column(i) + &(&sparse.row(i) / self.nu);
                let full = cholesky_solve(&l, rhs.view());
                next.row_mut(i).assign(&full.mapv(|v| self.prox(v)));
            }
            let change = (&next - &sparse).mapv(|d| d * d).sum().sqrt() / self.nu;
            sparse = next;
            if change < self.tol {
                break;
            }
        }
        if self.unbias {
            sparse = refit_on_support(x.view(), y, &sparse)?;
        }
        if let Some(n) = norms {
            sparse /= &n;
        }
        Ok(SparseFit {
            coefficients: sparse,
            inclusion: None,
        })
    }
}
