//! The log marginal likelihood and its gradient: the one hot path of GP fitting.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

use crate::linalg::Cholesky;
use crate::noise::NoiseModel;
use voltai_core::{Error, Result};
use voltai_kernels::Kernel;

/// Everything the likelihood needs besides the hyperparameters.
pub(crate) struct Problem<'a, K> {
    pub kernel: &'a K,
    pub x: ArrayView2<'a, f64>,
    /// Normalised targets.
    pub y: ArrayView1<'a, f64>,
    /// Mean basis H (n × m, m may be 0).
    pub basis: &'a Array2<f64>,
    pub noise: &'a NoiseModel,
    pub y_scale: f64,
}

/// A factorised model at given hyperparameters.
pub(crate) struct Factorized {
    pub chol: Cholesky,
    pub alpha: Array1<f64>,
    pub beta: Array1<f64>,
    /// K⁻¹H.
    pub kinv_h: Array2<f64>,
    /// (HᵀK⁻¹H)⁻¹.
    pub hkh_inv: Array2<f64>,
    pub lml: f64,
}

/// Inverse of a small SPD matrix (the m × m GLS normal matrix).
fn small_inverse(a: &Array2<f64>) -> Result<Array2<f64>> {
    let m = a.nrows();
    if m == 0 {
        return Ok(Array2::zeros((0, 0)));
    }
    let c = Cholesky::new(a).map_err(|_| {
        Error::numerical(
            "mean estimation",
            "the mean basis is collinear (HᵀK⁻¹H is singular)",
        )
    })?;
    Ok(c.inverse())
}

impl<K: Kernel + Clone> Problem<'_, K> {
    pub(crate) fn n_kernel(&self) -> usize {
        self.kernel.log_params().len()
    }

    fn kernel_at(&self, theta: &[f64]) -> Result<K> {
        let mut k = self.kernel.clone();
        k.set_log_params(&theta[..self.n_kernel()])?;
        Ok(k)
    }

    /// K(θ) + noise, and the kernel at θ.
    fn covariance(&self, theta: &[f64]) -> Result<(K, Array2<f64>)> {
        let k = self.kernel_at(theta)?;
        let mut cov = k.gram_sym(self.x)?;
        let noise = self
            .noise
            .diagonal(self.x.nrows(), &theta[self.n_kernel()..], self.y_scale);
        for (i, v) in noise.iter().enumerate() {
            cov[[i, i]] += v;
        }
        Ok((k, cov))
    }

    /// Factorises at θ and evaluates the (profile) log marginal likelihood.
    pub(crate) fn factorize(&self, theta: &[f64]) -> Result<Factorized> {
        let (_, cov) = self.covariance(theta)?;
        let chol = Cholesky::new(&cov)?;
        let n = self.y.len();
        let (kinv_h, hkh_inv, beta, r) = if self.basis.ncols() > 0 {
            let kinv_h = chol.solve_mat(self.basis.view());
            let hkh_inv = small_inverse(&self.basis.t().dot(&kinv_h))?;
            let beta = hkh_inv.dot(&kinv_h.t().dot(&self.y));
            let r = &self.y - &self.basis.dot(&beta);
            (kinv_h, hkh_inv, beta, r)
        } else {
            (
                Array2::zeros((n, 0)),
                Array2::zeros((0, 0)),
                Array1::zeros(0),
                self.y.to_owned(),
            )
        };
        let alpha = chol.solve_vec(&r);
        let lml = -0.5 * r.dot(&alpha)
            - 0.5 * chol.log_det()
            - 0.5 * n as f64 * (2.0 * std::f64::consts::PI).ln();
        Ok(Factorized {
            chol,
            alpha,
            beta,
            kinv_h,
            hkh_inv,
            lml,
        })
    }

    /// LML and its gradient with respect to θ (kernel log-parameters, then
    /// learned log noise variances): ∂/∂θ_p = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ_p).
    pub(crate) fn lml_grad(&self, theta: &[f64]) -> Result<(f64, Vec<f64>)> {
        let f = self.factorize(theta)?;
        let k = self.kernel_at(theta)?;
        let n = self.y.len();
        let p = self.n_kernel();
        let mut w = f.chol.inverse();
        w.mapv_inplace(|v| -v);
        for i in 0..n {
            for j in 0..n {
                w[[i, j]] += f.alpha[i] * f.alpha[j];
            }
        }
        let x = self.x.as_standard_layout();
        let d = x.ncols();
        let xs = x.as_slice().unwrap_or(&[]);
        let w_ref = &w;
        let row = |(mut acc, mut g): (Vec<f64>, Vec<f64>), i: usize| {
            let a = &xs[i * d..(i + 1) * d];
            for j in 0..i {
                k.eval_grad(a, &xs[j * d..(j + 1) * d], &mut g);
                let wij = 2.0 * w_ref[[i, j]];
                for q in 0..p {
                    acc[q] += wij * g[q];
                }
            }
            k.eval_same_grad(a, &mut g);
            for q in 0..p {
                acc[q] += w_ref[[i, i]] * g[q];
            }
            (acc, g)
        };
        // Small problems (Bayesian optimisation refits at every step) lose
        // more to thread hand-offs than they gain from them.
        let kernel_grad = if n < 256 {
            (0..n).fold((vec![0.0; p], vec![0.0; p]), row).0
        } else {
            (0..n)
                .into_par_iter()
                .fold(|| (vec![0.0; p], vec![0.0; p]), row)
                .map(|(acc, _)| acc)
                .reduce(
                    || vec![0.0; p],
                    |a, b| a.iter().zip(&b).map(|(x, y)| x + y).collect(),
                )
        };
        let mut grad: Vec<f64> = kernel_grad.iter().map(|v| 0.5 * v).collect();
        if let NoiseModel::PerGroup { groups, initial } = self.noise {
            let mut g = vec![0.0; initial.len()];
            for (i, &grp) in groups.iter().enumerate() {
                g[grp] += 0.5 * w[[i, i]] * theta[p + grp].exp();
            }
            grad.extend(g);
        }
        Ok((f.lml, grad))
    }
}
