//! Small dense least squares for the estimators (p is a handful of columns).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use voltai_core::{Error, Result};

/// Solves the SPD system A x = b by Cholesky; fails if A is not positive definite.
pub(crate) fn spd_solve(a: &Array2<f64>, b: &Array1<f64>) -> Result<Array1<f64>> {
    let inv = spd_inverse(a)?;
    Ok(inv.dot(b))
}

/// Inverse of a small SPD matrix by Cholesky.
pub(crate) fn spd_inverse(a: &Array2<f64>) -> Result<Array2<f64>> {
    let p = a.nrows();
    let mut l = Array2::<f64>::zeros((p, p));
    for j in 0..p {
        let mut d = a[[j, j]];
        for k in 0..j {
            d -= l[[j, k]] * l[[j, k]];
        }
        if d.is_nan() || d <= 1e-12 * a[[j, j]].abs().max(1e-300) {
            return Err(Error::numerical(
                "least squares",
                "design matrix is rank deficient (collinear columns)",
            ));
        }
        l[[j, j]] = d.sqrt();
        for i in j + 1..p {
            let mut s = a[[i, j]];
            for k in 0..j {
                s -= l[[i, k]] * l[[j, k]];
            }
            l[[i, j]] = s / l[[j, j]];
        }
    }
    // L⁻¹ by forward substitution, then (L⁻¹)ᵀ L⁻¹.
    let mut li = Array2::<f64>::zeros((p, p));
    for c in 0..p {
        for i in 0..p {
            let mut s = if i == c { 1.0 } else { 0.0 };
            for k in 0..i {
                s -= l[[i, k]] * li[[k, c]];
            }
            li[[i, c]] = s / l[[i, i]];
        }
    }
    Ok(li.t().dot(&li))
}

/// Ordinary least squares with an intercept column prepended.
pub(crate) struct Ols {
    /// Coefficients: intercept, then one per column of X.
    pub coef: Array1<f64>,
    /// Classical standard errors of `coef`.
    pub se: Array1<f64>,
    /// Residuals.
    pub resid: Array1<f64>,
}

pub(crate) fn design(x: ArrayView2<'_, f64>) -> Array2<f64> {
    let (n, p) = x.dim();
    let mut d = Array2::ones((n, p + 1));
    d.slice_mut(ndarray::s![.., 1..]).assign(&x);
    d
}

pub(crate) fn ols(x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<Ols> {
    let d = design(x);
    let (n, p) = d.dim();
    if n <= p {
        return Err(Error::InvalidInput(format!(
            "{n} rows are too few for {p} regression coefficients"
        )));
    }
    let xtx_inv = spd_inverse(&d.t().dot(&d))?;
    let coef = xtx_inv.dot(&d.t().dot(&y));
    let resid = &y - &d.dot(&coef);
    let sigma2 = resid.dot(&resid) / (n - p) as f64;
    let se = xtx_inv.diag().mapv(|v| (v * sigma2).sqrt());
    Ok(Ols { coef, se, resid })
}

/// Logistic regression by Newton–Raphson (IRLS) with a tiny ridge for
/// separable data; returns fitted probabilities.
pub(crate) fn logistic_probabilities(
    x: ArrayView2<'_, f64>,
    t: ArrayView1<'_, f64>,
) -> Result<Array1<f64>> {
    let d = design(x);
    let p = d.ncols();
    let mut beta = Array1::<f64>::zeros(p);
    for _ in 0..100 {
        let eta = d.dot(&beta);
        let mu = eta.mapv(|e| 1.0 / (1.0 + (-e).exp()));
        let w = mu.mapv(|m| (m * (1.0 - m)).max(1e-10));
        let grad = d.t().dot(&(&t - &mu)) - &beta * 1e-6;
        let mut h = d.t().dot(&(&d * &w.clone().insert_axis(ndarray::Axis(1))));
        for i in 0..p {
            h[[i, i]] += 1e-6;
        }
        let step = spd_solve(&h, &grad)?;
        beta += &step;
        if step.iter().map(|s| s.abs()).fold(0.0, f64::max) < 1e-10 {
            break;
        }
    }
    Ok(d.dot(&beta).mapv(|e| 1.0 / (1.0 + (-e).exp())))
}
