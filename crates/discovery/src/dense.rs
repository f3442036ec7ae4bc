//! Small dense solvers shared by the regression code (p is at most a few hundred).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use voltai_core::{Error, Result};

/// Lower Cholesky factor of `a + jitter·I`, or `None` when a pivot is NaN or
/// at most `rel_floor` times its diagonal entry.
fn factor(a: &Array2<f64>, jitter: f64, rel_floor: f64) -> Option<Array2<f64>> {
    let p = a.nrows();
    let mut l = Array2::<f64>::zeros((p, p));
    for j in 0..p {
        let d = a[[j, j]] + jitter - (0..j).map(|k| l[[j, k]] * l[[j, k]]).sum::<f64>();
        if d.is_nan() || d <= rel_floor * a[[j, j]].abs().max(f64::MIN_POSITIVE) {
            return None;
        }
        l[[j, j]] = d.sqrt();
        for i in j + 1..p {
            l[[i, j]] =
                (a[[i, j]] - (0..j).map(|k| l[[i, k]] * l[[j, k]]).sum::<f64>()) / l[[j, j]];
        }
    }
    Some(l)
}

/// Lower Cholesky factor of an SPD matrix; `context` names the caller in errors.
pub(crate) fn cholesky(a: &Array2<f64>, context: &str) -> Result<Array2<f64>> {
    factor(a, 0.0, 1e-12).ok_or_else(|| {
        Error::numerical(
            context.to_string(),
            "features are collinear; add a ridge penalty",
        )
    })
}

/// Lower Cholesky factor of a covariance matrix, with the diagonal jitter
/// raised from 1e-10 to 1e-4 of the mean variance until it factors
/// (near-duplicate points make a posterior covariance singular, as in
/// GPyTorch's `psd_safe_cholesky`); an error if even that fails.
pub(crate) fn cholesky_jittered(a: &Array2<f64>, context: &str) -> Result<Array2<f64>> {
    let n = a.nrows();
    let scale = (a.diag().sum() / n.max(1) as f64).abs().max(1e-300);
    let mut jitter = 0.0;
    loop {
        if let Some(l) = factor(a, jitter, 0.0) {
            return Ok(l);
        }
        jitter = if jitter == 0.0 {
            1e-10 * scale
        } else {
            jitter * 10.0
        };
        if jitter > 1e-4 * scale {
            return Err(Error::numerical(
                context.to_string(),
                "the posterior covariance is not positive definite",
            ));
        }
    }
}

/// L⁻¹·B for lower-triangular `l`, column by column.
pub(crate) fn forward_solve(l: &Array2<f64>, mut b: Array2<f64>) -> Array2<f64> {
    let n = l.nrows();
    for mut col in b.columns_mut() {
        for i in 0..n {
            let v = col[i] - (0..i).map(|k| l[[i, k]] * col[k]).sum::<f64>();
            col[i] = v / l[[i, i]];
        }
    }
    b
}

/// Solves `L Lᵀ x = b` given the lower factor `l`.
pub(crate) fn cholesky_solve(l: &Array2<f64>, b: ArrayView1<'_, f64>) -> Array1<f64> {
    let p = l.nrows();
    let mut z = Array1::zeros(p);
    for i in 0..p {
        z[i] = (b[i] - (0..i).map(|k| l[[i, k]] * z[k]).sum::<f64>()) / l[[i, i]];
    }
    let mut x = Array1::zeros(p);
    for i in (0..p).rev() {
        x[i] = (z[i] - (i + 1..p).map(|k| l[[k, i]] * x[k]).sum::<f64>()) / l[[i, i]];
    }
    x
}

/// Solves an SPD system by Cholesky (small p).
pub(crate) fn solve_spd(a: &Array2<f64>, b: &Array1<f64>) -> Result<Array1<f64>> {
    let l = cholesky(a, "least squares")?;
    Ok(cholesky_solve(&l, b.view()))
}

/// Least squares `min ‖a x − b‖` by Householder QR, which keeps the conditioning
/// of `a` instead of squaring it as the normal equations would.
pub(crate) fn lstsq(a: ArrayView2<'_, f64>, b: ArrayView1<'_, f64>) -> Result<Array1<f64>> {
    let (r, y) = householder(a, Some(b))?;
    let p = r.ncols();
    let mut x = Array1::zeros(p);
    for i in (0..p).rev() {
        x[i] = (y[i] - (i + 1..p).map(|k| r[[i, k]] * x[k]).sum::<f64>()) / r[[i, i]];
    }
    Ok(x)
}

/// Solves `(aᵀa) c = e` through the QR factor of `a` (`aᵀa = RᵀR`), without
/// forming `aᵀa`.
pub(crate) fn solve_normal_qr(
    a: ArrayView2<'_, f64>,
    e: ArrayView1<'_, f64>,
) -> Result<Array1<f64>> {
    let (r, _) = householder(a, None)?;
    let p = r.ncols();
    let mut z = Array1::zeros(p);
    for i in 0..p {
        z[i] = (e[i] - (0..i).map(|k| r[[k, i]] * z[k]).sum::<f64>()) / r[[i, i]];
    }
    let mut c = Array1::zeros(p);
    for i in (0..p).rev() {
        c[i] = (z[i] - (i + 1..p).map(|k| r[[i, k]] * c[k]).sum::<f64>()) / r[[i, i]];
    }
    Ok(c)
}

/// Householder triangularisation: returns `R` (top `p` rows) and `Qᵀb`.
fn householder(
    a: ArrayView2<'_, f64>,
    b: Option<ArrayView1<'_, f64>>,
) -> Result<(Array2<f64>, Array1<f64>)> {
    let (n, p) = a.dim();
    if n < p {
        return Err(Error::InvalidInput(format!(
            "least squares needs at least as many rows ({n}) as columns ({p})"
        )));
    }
    let mut r = a.to_owned();
    let mut y = b.map_or_else(|| Array1::zeros(n), |b| b.to_owned());
    let scale = r.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut v = vec![0.0; n];
    for k in 0..p {
        let norm = (k..n).map(|i| r[[i, k]] * r[[i, k]]).sum::<f64>().sqrt();
        if norm <= 1e-13 * scale.max(f64::MIN_POSITIVE) * (n as f64).sqrt() {
            return Err(Error::numerical(
                "least squares",
                format!("column {k} is (nearly) a combination of the others"),
            ));
        }
        let alpha = if r[[k, k]] > 0.0 { -norm } else { norm };
        for i in k..n {
            v[i] = r[[i, k]];
        }
        v[k] -= alpha;
        let vnorm2: f64 = (k..n).map(|i| v[i] * v[i]).sum();
        if vnorm2 > 0.0 {
            for j in k..p {
                let dot: f64 = (k..n).map(|i| v[i] * r[[i, j]]).sum();
                let f = 2.0 * dot / vnorm2;
                for i in k..n {
                    r[[i, j]] -= f * v[i];
                }
            }
            let dot: f64 = (k..n).map(|i| v[i] * y[i]).sum();
            let f = 2.0 * dot / vnorm2;
            for i in k..n {
                y[i] -= f * v[i];
            }
        }
    }
    let r_top = r.slice(ndarray::s![..p, ..]).to_owned();
    Ok((r_top, y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn qr_least_squares_matches_the_normal_equations() {
        let a = array![[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]];
        let b = array![1.0, 3.2, 4.9, 7.1];
        let x = lstsq(a.view(), b.view()).unwrap();
        let g = a.t().dot(&a);
        let xn = solve_spd(&g, &a.t().dot(&b)).unwrap();
        assert!((&x - &xn).iter().all(|d| d.abs() < 1e-12));
        // Collinear columns are refused.
        let c = array![[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]];
        assert!(lstsq(c.view(), array![1.0, 2.0, 3.0].view()).is_err());
    }
}
