//! Dense linear algebra on faer: Cholesky with jitter escalation, solves,
//! inverse and log-determinant, with ndarray at the edges.

use faer::linalg::solvers::{DenseSolveCore, Solve};
use faer::{Mat, Side};
use ndarray::{Array1, Array2, ArrayView2};

use voltai_core::{Error, Result};

/// ndarray → faer copy.
pub(crate) fn to_faer(a: ArrayView2<'_, f64>) -> Mat<f64> {
    Mat::from_fn(a.nrows(), a.ncols(), |i, j| a[[i, j]])
}

/// faer → ndarray copy.
pub(crate) fn to_nd(a: faer::MatRef<'_, f64>) -> Array2<f64> {
    Array2::from_shape_fn((a.nrows(), a.ncols()), |(i, j)| a[(i, j)])
}

/// A Cholesky factor K + jitter·I = L Lᵀ, with the jitter that was needed.
pub(crate) struct Cholesky {
    llt: faer::linalg::solvers::Llt<f64>,
    /// Jitter added to the diagonal beyond the caller's matrix (0 if none).
    pub jitter: f64,
}

impl Cholesky {
    /// Factorises a symmetric matrix, escalating a diagonal jitter from
    /// 1e-10 to 1e-4 times the mean diagonal (×10 each time) only if the plain
    /// factorisation fails. Fails with [`Error::Numerical`] if that is not enough.
    pub(crate) fn new(k: &Array2<f64>) -> Result<Self> {
        let n = k.nrows();
        if n == 0 {
            return Err(Error::EmptyInput("Cholesky of an empty matrix".into()));
        }
        let mut m = to_faer(k.view());
        if let Ok(llt) = m.llt(Side::Lower) {
            return Ok(Cholesky { llt, jitter: 0.0 });
        }
        let mean_diag = (0..n).map(|i| k[[i, i]]).sum::<f64>() / n as f64;
        let scale = if mean_diag.is_finite() && mean_diag > 0.0 {
            mean_diag
        } else {
            1.0
        };
        let mut added = 0.0;
        for p in -10..=-4 {
            let target = scale * 10f64.powi(p);
            for i in 0..n {
                m[(i, i)] += target - added;
            }
            added = target;
            if let Ok(llt) = m.llt(Side::Lower) {
                return Ok(Cholesky { llt, jitter: added });
            }
        }
        Err(Error::numerical(
            "Cholesky",
            format!("matrix is not positive definite even with jitter {added:.3e} on the diagonal"),
        ))
    }

    /// The lower factor L.
    pub(crate) fn l(&self) -> faer::MatRef<'_, f64> {
        self.llt.L()
    }

    /// K⁻¹ b for a vector.
    pub(crate) fn solve_vec(&self, b: &Array1<f64>) -> Array1<f64> {
        let rhs = Mat::from_fn(b.len(), 1, |i, _| b[i]);
        let x = self.llt.solve(&rhs);
        Array1::from_shape_fn(b.len(), |i| x[(i, 0)])
    }

    /// K⁻¹ B for a matrix.
    pub(crate) fn solve_mat(&self, b: ArrayView2<'_, f64>) -> Array2<f64> {
        to_nd(self.llt.solve(&to_faer(b)).as_ref())
    }

    /// K⁻¹.
    pub(crate) fn inverse(&self) -> Array2<f64> {
        to_nd(self.llt.inverse().as_ref())
    }

    /// log det K = 2 Σ log L_ii.
    pub(crate) fn log_det(&self) -> f64 {
        let l = self.l();
        2.0 * (0..l.nrows()).map(|i| l[(i, i)].ln()).sum::<f64>()
    }
}
