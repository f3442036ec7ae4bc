//! Stationary kernels: functions of a distance between the two points.

use serde::{Deserialize, Serialize};

use crate::kernel::{Kernel, fast_exp, positive, sq_dist};
use voltai_core::{Error, Result, check};

/// Squared-exponential (RBF) kernel `exp(−½ Σ_k (a_k − b_k)² / ℓ_k²)` with one
/// shared length-scale or one per dimension (ARD).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rbf {
    length_scales: Vec<f64>,
    /// 1/ℓ², cached for the hot loop.
    #[serde(skip, default)]
    inv_sq: Vec<f64>,
}

impl Rbf {
    /// Shared length-scale ℓ > 0.
    pub fn new(length_scale: f64) -> Result<Self> {
        Self::ard(vec![length_scale])
    }

    /// The libsvm/scikit-learn parametrisation `exp(−γ‖a − b‖²)`, γ > 0.
    pub fn from_gamma(gamma: f64) -> Result<Self> {
        Self::new(1.0 / (2.0 * positive("gamma", gamma)?).sqrt())
    }

    /// One length-scale per input dimension (automatic relevance determination).
    pub fn ard(length_scales: Vec<f64>) -> Result<Self> {
        if length_scales.is_empty() {
            return Err(Error::EmptyInput(
                "RBF needs at least one length-scale".into(),
            ));
        }
        for &l in &length_scales {
            positive("length_scale", l)?;
        }
        let inv_sq = length_scales.iter().map(|l| 1.0 / (l * l)).collect();
        Ok(Rbf {
            length_scales,
            inv_sq,
        })
    }

    /// The length-scales (one, or one per dimension).
    pub fn length_scales(&self) -> &[f64] {
        &self.length_scales
    }

    fn inv(&self) -> std::borrow::Cow<'_, [f64]> {
        if self.inv_sq.len() == self.length_scales.len() {
            std::borrow::Cow::Borrowed(&self.inv_sq)
        } else {
            // After deserialisation the cache is empty.
            std::borrow::Cow::Owned(self.length_scales.iter().map(|l| 1.0 / (l * l)).collect())
        }
    }
}

/// `length_scale`, or `length_scale[k]` per dimension for ARD kernels.
fn length_scale_names(n: usize) -> Vec<String> {
    if n == 1 {
        vec!["length_scale".into()]
    } else {
        (0..n).map(|k| format!("length_scale[{k}]")).collect()
    }
}

/// One isotropic RBF kernel row: distances first, then one tight exp loop,
/// both written so the compiler vectorises them.
#[inline(always)]
fn rbf_row(a: &[f64], xs: &[f64], scale: f64, out: &mut [f64]) {
    let d = a.len();
    for (j, o) in out.iter_mut().enumerate() {
        *o = sq_dist(a, &xs[j * d..(j + 1) * d]) * scale;
    }
    for o in out.iter_mut() {
        *o = fast_exp(*o);
    }
}

/// [`rbf_row`] compiled for AVX2: four lanes instead of SSE2's two. The
/// arithmetic is the same IEEE operations in the same order (Rust never fuses
/// a multiply and an add on its own), so the row is bit-identical to the
/// portable one.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn rbf_row_avx2(a: &[f64], xs: &[f64], scale: f64, out: &mut [f64]) {
    rbf_row(a, xs, scale, out)
}

impl Kernel for Rbf {
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        let inv = self.inv();
        if inv.len() == 1 {
            fast_exp(-0.5 * sq_dist(a, b) * inv[0])
        } else {
            let s: f64 = a
                .iter()
                .zip(b)
                .zip(inv.iter())
                .map(|((x, y), w)| (x - y) * (x - y) * w)
                .sum();
            fast_exp(-0.5 * s)
        }
    }
    fn eval_row(&self, a: &[f64], xs: &[f64], out: &mut [f64]) {
        let d = a.len();
        let inv = self.inv();
        if inv.len() != 1 {
            for (j, o) in out.iter_mut().enumerate() {
                *o = self.eval(a, &xs[j * d..(j + 1) * d]);
            }
            return;
        }
        let scale = -0.5 * inv[0];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                unsafe { rbf_row_avx2(a, xs, scale, out) };
                return;
            }
        }
        rbf_row(a, xs, scale, out);
    }
    fn input_dim(&self) -> Option<usize> {
        (self.length_scales.len() > 1).then_some(self.length_scales.len())
    }
    fn param_names(&self) -> Vec<String> {
        length_scale_names(self.length_scales.len())
    }
    fn log_params(&self) -> Vec<f64> {
        self.length_scales.iter().map(|l| l.ln()).collect()
    }
    fn n_params(&self) -> usize {
        self.length_scales.len()
    }
    fn set_log_params(&mut self, p: &[f64]) -> Result<()> {
        check::same_len("RBF log-parameters", self.length_scales.len(), p.len())?;
        *self = Rbf::ard(p.iter().map(|v| v.exp()).collect())?;
        Ok(())
    }
    fn eval_grad(&self, a: &[f64], b: &[f64], grad: &mut [f64]) -> f64 {
        let inv = self.inv();
        if inv.len() == 1 {
            let s = sq_dist(a, b) * inv[0];
            let k = fast_exp(-0.5 * s);
            grad[0] = k * s;
            k
        } else {
            let mut s = 0.0;
            for (k, g) in grad.iter_mut().enumerate() {
                *g = (a[k] - b[k]) * (a[k] - b[k]) * inv[k];
                s += *g;
            }
            let k = fast_exp(-0.5 * s);
            grad.iter_mut().for_each(|g| *g *= k);
            k
        }
    }
}

/// Laplacian kernel `exp(−γ ‖a − b‖₁)` (scikit-learn's `laplacian_kernel`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Laplacian {
    gamma: f64,
}

impl Laplacian {
    /// γ > 0.
    pub fn new(gamma: f64) -> Result<Self> {
        Ok(Laplacian {
            gamma: positive("gamma", gamma)?,
        })
    }
}

impl Kernel for Laplacian {
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        let r: f64 = a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum();
        (-self.gamma * r).exp()
    }
    fn param_names(&self) -> Vec<String> {
        vec!["gamma".into()]
    }
    fn log_params(&self) -> Vec<f64> {
        vec![self.gamma.ln()]
    }
    fn set_log_params(&mut self, p: &[f64]) -> Result<()> {
        check::same_len("Laplacian log-parameters", 1, p.len())?;
        *self = Laplacian::new(p[0].exp())?;
        Ok(())
    }
    fn eval_grad(&self, a: &[f64], b: &[f64], grad: &mut [f64]) -> f64 {
        let r: f64 = a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum();
        let k = (-self.gamma * r).exp();
        grad[0] = -self.gamma * r * k;
        k
    }
}

/// Smoothness of a Matérn kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MaternNu {
    /// ν = 1/2: the exponential kernel (rough, continuous).
    Half,
    /// ν = 3/2: once differentiable.
    ThreeHalves,
    /// ν = 5/2: twice differentiable.
    FiveHalves,
}

/// Matérn kernel with ν ∈ {1/2, 3/2, 5/2} and one shared length-scale ℓ or
/// one per dimension (ARD; BoTorch's default surrogate kernel is the ARD
/// Matérn-5/2). With ARD the distance is r = √Σ_k (a_k − b_k)²/ℓ_k².
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matern {
    nu: MaternNu,
    length_scales: Vec<f64>,
}

impl Matern {
    /// Matérn-ν kernel with length-scale ℓ > 0.
    pub fn new(nu: MaternNu, length_scale: f64) -> Result<Self> {
        Self::ard(nu, vec![length_scale])
    }

    /// One length-scale per input dimension (automatic relevance determination).
    pub fn ard(nu: MaternNu, length_scales: Vec<f64>) -> Result<Self> {
        if length_scales.is_empty() {
            return Err(Error::EmptyInput(
                "Matérn needs at least one length-scale".into(),
            ));
        }
        for &l in &length_scales {
            positive("length_scale", l)?;
        }
        Ok(Matern { nu, length_scales })
    }

    /// Scaled distance r.
    fn scaled_distance(&self, a: &[f64], b: &[f64]) -> f64 {
        if let [l] = self.length_scales[..] {
            sq_dist(a, b).sqrt() / l
        } else {
            a.iter()
                .zip(b)
                .zip(&self.length_scales)
                .map(|((x, y), l)| (x - y) * (x - y) / (l * l))
                .sum::<f64>()
                .sqrt()
        }
    }

    /// (k, dk/d log ℓ) at scaled distance r = ‖a − b‖/ℓ.
    fn value_grad(&self, r: f64) -> (f64, f64) {
        match self.nu {
            MaternNu::Half => {
                let e = (-r).exp();
                (e, r * e)
            }
            MaternNu::ThreeHalves => {
                let s = 3f64.sqrt() * r;
                let e = (-s).exp();
                ((1.0 + s) * e, s * s * e)
            }
            MaternNu::FiveHalves => {
                let s = 5f64.sqrt() * r;
                let e = (-s).exp();
                ((1.0 + s + s * s / 3.0) * e, s * s / 3.0 * (1.0 + s) * e)
            }
        }
    }
}

impl Kernel for Matern {
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        self.value_grad(self.scaled_distance(a, b)).0
    }
    fn input_dim(&self) -> Option<usize> {
        (self.length_scales.len() > 1).then_some(self.length_scales.len())
    }
    fn param_names(&self) -> Vec<String> {
        length_scale_names(self.length_scales.len())
    }
    fn log_params(&self) -> Vec<f64> {
        self.length_scales.iter().map(|l| l.ln()).collect()
    }
    fn n_params(&self) -> usize {
        self.length_scales.len()
    }
    fn set_log_params(&mut self, p: &[f64]) -> Result<()> {
        check::same_len("Matern log-parameters", self.length_scales.len(), p.len())?;
        *self = Matern::ard(self.nu, p.iter().map(|v| v.exp()).collect())?;
        Ok(())
    }
    fn eval_grad(&self, a: &[f64], b: &[f64], grad: &mut [f64]) -> f64 {
        let r = self.scaled_distance(a, b);
        let (k, g) = self.value_grad(r);
        if self.length_scales.len() == 1 {
            grad[0] = g;
        } else if r > 0.0 {
            // g = dk/d log ℓ for a shared ℓ = −r dk/dr; each ℓ_k carries its
            // share (a_k − b_k)²/ℓ_k² of r².
            for ((gk, (x, y)), l) in grad
                .iter_mut()
                .zip(a.iter().zip(b))
                .zip(&self.length_scales)
            {
                *gk = g * (x - y) * (x - y) / (l * l) / (r * r);
            }
        } else {
            grad.iter_mut().for_each(|gk| *gk = 0.0);
        }
        k
    }
}

/// Rational quadratic kernel `(1 + r²/(2αℓ²))^(−α)`: a scale mixture of RBFs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RationalQuadratic {
    length_scale: f64,
    alpha: f64,
}

impl RationalQuadratic {
    /// Length-scale ℓ > 0 and shape α > 0.
    pub fn new(length_scale: f64, alpha: f64) -> Result<Self> {
        Ok(RationalQuadratic {
            length_scale: positive("length_scale", length_scale)?,
            alpha: positive("alpha", alpha)?,
        })
    }
}

impl Kernel for RationalQuadratic {
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        let l2 = self.length_scale * self.length_scale;
        (1.0 + sq_dist(a, b) / (2.0 * self.alpha * l2)).powf(-self.alpha)
    }
    fn param_names(&self) -> Vec<String> {
        vec!["length_scale".into(), "alpha".into()]
    }
    fn log_params(&self) -> Vec<f64> {
        vec![self.length_scale.ln(), self.alpha.ln()]
    }
    fn set_log_params(&mut self, p: &[f64]) -> Result<()> {
        check::same_len("RationalQuadratic log-parameters", 2, p.len())?;
        *self = RationalQuadratic::new(p[0].exp(), p[1].exp())?;
        Ok(())
    }
    fn eval_grad(&self, a: &[f64], b: &[f64], grad: &mut [f64]) -> f64 {
        let (l2, al) = (self.length_scale * self.length_scale, self.alpha);
        let r2 = sq_dist(a, b);
        let base = 1.0 + r2 / (2.0 * al * l2);
        let k = base.powf(-al);
        grad[0] = k * r2 / (l2 * base);
        grad[1] = k * (-al * base.ln() + r2 / (2.0 * l2 * base));
        k
    }
}

/// Periodic (exp-sine-squared) kernel `exp(−2 sin²(π‖a − b‖/p)/ℓ²)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Periodic {
    length_scale: f64,
    period: f64,
}

impl Periodic {
    /// Length-scale ℓ > 0 and period p > 0.
    pub fn new(length_scale: f64, period: f64) -> Result<Self> {
        Ok(Periodic {
            length_scale: positive("length_scale", length_scale)?,
            period: positive("period", period)?,
        })
    }
}

impl Kernel for Periodic {
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        let s = (std::f64::consts::PI * sq_dist(a, b).sqrt() / self.period).sin();
        (-2.0 * s * s / (self.length_scale * self.length_scale)).exp()
    }
    fn param_names(&self) -> Vec<String> {
        // Not "length_scale": it scales sin(π|a − b|/p), so it has no input
        // units (GP fitting reads input-unit length-scales off this name).
        vec!["periodic_length_scale".into(), "period".into()]
    }
    fn log_params(&self) -> Vec<f64> {
        vec![self.length_scale.ln(), self.period.ln()]
    }
    fn set_log_params(&mut self, p: &[f64]) -> Result<()> {
        check::same_len("Periodic log-parameters", 2, p.len())?;
        *self = Periodic::new(p[0].exp(), p[1].exp())?;
        Ok(())
    }
    fn eval_grad(&self, a: &[f64], b: &[f64], grad: &mut [f64]) -> f64 {
        let (l2, p) = (self.length_scale * self.length_scale, self.period);
        let r = sq_dist(a, b).sqrt();
        let arg = std::f64::consts::PI * r / p;
        let (s, c) = arg.sin_cos();
        let k = (-2.0 * s * s / l2).exp();
        grad[0] = k * 4.0 * s * s / l2;
        grad[1] = k * 4.0 * s * c * arg / l2;
        k
    }
}
