//! Total-variation-regularised differentiation (Chartrand 2011).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use voltai_core::{Error, Result};

use super::{Differentiator, FiniteDifference};
use crate::sindy::data::Times;
use crate::sindy::spec::DifferentiatorSpec;

/// The derivative `u` minimising `½‖A u − (x − x₀)‖² + α Σ √((Du)² + ε) dt`,
/// where `A` integrates by the trapezoid rule and `D` differences: the
/// derivative whose integral fits the data while its total variation stays
/// small, so noise is not amplified (Chartrand, *ISRN Appl. Math.* 2011).
/// Solved by lagged-diffusivity iterations, each a conjugate-gradient solve
/// with matrix-free operators (O(n) per product). Needs equally spaced samples.
#[derive(Debug, Clone, Copy)]
pub struct TotalVariation {
    alpha: f64,
    iterations: usize,
    epsilon: f64,
}

impl TotalVariation {
    /// Regularisation weight `alpha` > 0 (larger: flatter derivative).
    pub fn new(alpha: f64) -> Result<Self> {
        if !(alpha.is_finite() && alpha > 0.0) {
            return Err(Error::invalid_parameter("alpha", alpha, "(0, inf)"));
        }
        Ok(TotalVariation {
            alpha,
            iterations: 30,
            epsilon: 1e-8,
        })
    }

    /// Outer (lagged-diffusivity) iterations, default 30.
    pub fn iterations(mut self, iterations: usize) -> Result<Self> {
        if iterations == 0 {
            return Err(Error::invalid_parameter(
                "iterations",
                iterations,
                "1 or more",
            ));
        }
        self.iterations = iterations;
        Ok(self)
    }

    fn column(&self, f: ArrayView1<'_, f64>, dt: f64, start: Array1<f64>) -> Array1<f64> {
        let n = f.len();
        let target = f.mapv(|v| v - f[0]);
        let mut u = start;
        for _ in 0..self.iterations {
            let du: Vec<f64> = (0..n - 1).map(|i| (u[i + 1] - u[i]) / dt).collect();
            let weight: Vec<f64> = du
                .iter()
                .map(|d| dt / (d * d + self.epsilon).sqrt())
                .collect();
            let op = Operator {
                dt,
                weight: &weight,
                alpha: self.alpha,
            };
            let residual = &integrate(u.view(), dt) - &target;
            let grad = &op.tv(u.view()) + &integrate_adjoint(residual.view(), dt);
            let step = op.solve(grad.view());
            u -= &step;
        }
        u
    }
}

/// Cumulative trapezoid integral of `u` (value 0 at the first sample).
fn integrate(u: ArrayView1<'_, f64>, dt: f64) -> Array1<f64> {
    let mut out = Array1::zeros(u.len());
    for i in 1..u.len() {
        out[i] = out[i - 1] + 0.5 * dt * (u[i - 1] + u[i]);
    }
    out
}

/// Adjoint of [`integrate`].
fn integrate_adjoint(r: ArrayView1<'_, f64>, dt: f64) -> Array1<f64> {
    let n = r.len();
    let mut out = Array1::zeros(n);
    // tail[k] = Σ_{i > k} r_i
    let mut tail = 0.0;
    for k in (0..n).rev() {
        out[k] = if k == 0 {
            0.5 * dt * tail
        } else {
            dt * (tail + 0.5 * r[k])
        };
        tail += r[k];
    }
    out
}

/// `H = α Dᵀ W D + AᵀA` for the current lagged weights `W`.
struct Operator<'a> {
    dt: f64,
    weight: &'a [f64],
    alpha: f64,
}

impl Operator<'_> {
    fn tv(&self, u: ArrayView1<'_, f64>) -> Array1<f64> {
        let n = u.len();
        let mut out = Array1::zeros(n);
        for i in 0..n - 1 {
            let flux = self.alpha * self.weight[i] * (u[i + 1] - u[i]) / (self.dt * self.dt);
            out[i] -= flux;
            out[i + 1] += flux;
        }
        out
    }

    fn apply(&self, u: ArrayView1<'_, f64>) -> Array1<f64> {
        let au = integrate(u, self.dt);
        &self.tv(u) + &integrate_adjoint(au.view(), self.dt)
    }

    fn diagonal(&self, n: usize) -> Array1<f64> {
        let dt2 = self.dt * self.dt;
        Array1::from_shape_fn(n, |k| {
            let data = if k == 0 {
                0.25 * (n - 1) as f64
            } else {
                (n - 1 - k) as f64 + 0.25
            } * dt2;
            let left = if k > 0 { self.weight[k - 1] } else { 0.0 };
            let right = if k + 1 < n { self.weight[k] } else { 0.0 };
            data + self.alpha * (left + right) / dt2
        })
    }

    /// Jacobi-preconditioned conjugate gradients for `H s = g`.
    fn solve(&self, g: ArrayView1<'_, f64>) -> Array1<f64> {
        let n = g.len();
        let inv_diag = self
            .diagonal(n)
            .mapv(|d| if d > 0.0 { 1.0 / d } else { 1.0 });
        let mut s = Array1::zeros(n);
        let mut r = g.to_owned();
        let mut z = &r * &inv_diag;
        let mut p = z.clone();
        let mut rz = r.dot(&z);
        let g_norm = g.dot(&g).sqrt();
        for _ in 0..(2 * n).max(50) {
            if r.dot(&r).sqrt() <= 1e-10 * g_norm || rz == 0.0 {
                break;
            }
            let hp = self.apply(p.view());
            let php = p.dot(&hp);
            if php <= 0.0 || !php.is_finite() {
                break;
            }
            let a = rz / php;
            s.scaled_add(a, &p);
            r.scaled_add(-a, &hp);
            z = &r * &inv_diag;
            let rz_next = r.dot(&z);
            p = &z + &(&p * (rz_next / rz));
            rz = rz_next;
        }
        s
    }
}

impl Differentiator for TotalVariation {
    fn differentiate(&self, x: ArrayView2<'_, f64>, times: &Times) -> Result<Array2<f64>> {
        let n = x.nrows();
        if n < 3 {
            return Err(Error::InvalidInput(format!(
                "total-variation differentiation needs at least 3 samples, got {n}"
            )));
        }
        times.check_len(n)?;
        let dt = times.uniform_step().ok_or_else(|| {
            Error::InvalidInput(
                "total-variation differentiation needs equally spaced samples".into(),
            )
        })?;
        let start = FiniteDifference::default().differentiate(x, times)?;
        let mut out = Array2::zeros(x.dim());
        for j in 0..x.ncols() {
            let col = self.column(x.column(j), dt, start.column(j).to_owned());
            if let Some(i) = col.iter().position(|v| !v.is_finite()) {
                return Err(Error::numerical(
                    "total-variation differentiation",
                    format!("non-finite derivative at sample {i} of column {j}"),
                ));
            }
            out.column_mut(j).assign(&col);
        }
        Ok(out)
    }

    fn spec(&self) -> Result<DifferentiatorSpec> {
        Ok(DifferentiatorSpec::TotalVariation {
            alpha: self.alpha,
            iterations: self.iterations,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjoint_is_the_transpose_of_integration() {
        let u = Array1::from(vec![0.3, -1.0, 2.0, 0.5, 1.5]);
        let r = Array1::from(vec![1.0, 0.2, -0.7, 0.4, 2.0]);
        let lhs = integrate(u.view(), 0.1).dot(&r);
        let rhs = u.dot(&integrate_adjoint(r.view(), 0.1));
        assert!((lhs - rhs).abs() < 1e-14);
    }
}
