//! Dot-product kernels.

use serde::{Deserialize, Serialize};

use crate::kernel::{Kernel, dot, positive};
use voltai_core::{Error, Result, check};

/// Linear kernel `a·b`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Linear;

impl Kernel for Linear {
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        dot(a, b)
    }
}

/// Polynomial kernel `(γ a·b + c₀)^d` (libsvm's parametrisation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Polynomial {
    gamma: f64,
    coef0: f64,
    degree: u32,
}

impl Polynomial {
    /// γ > 0, c₀ ≥ 0, degree ≥ 1.
    pub fn new(gamma: f64, coef0: f64, degree: u32) -> Result<Self> {
        if !(coef0.is_finite() && coef0 >= 0.0) {
            return Err(Error::invalid_parameter("coef0", coef0, "[0, inf)"));
        }
        if degree == 0 {
            return Err(Error::invalid_parameter("degree", degree, "[1, inf)"));
        }
        Ok(Polynomial {
            gamma: positive("gamma", gamma)?,
            coef0,
            degree,
        })
    }
}

impl Kernel for Polynomial {
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        (self.gamma * dot(a, b) + self.coef0).powi(self.degree as i32)
    }
    fn param_names(&self) -> Vec<String> {
        vec!["gamma".into()]
    }
    fn log_params(&self) -> Vec<f64> {
        vec![self.gamma.ln()]
    }
    fn set_log_params(&mut self, p: &[f64]) -> Result<()> {
        check::same_len("Polynomial log-parameters", 1, p.len())?;
        self.gamma = positive("gamma", p[0].exp())?;
        Ok(())
    }
    fn eval_grad(&self, a: &[f64], b: &[f64], grad: &mut [f64]) -> f64 {
        let g = self.gamma * dot(a, b);
        let base = g + self.coef0;
        let d = self.degree as i32;
        grad[0] = d as f64 * base.powi(d - 1) * g;
        base.powi(d)
    }
}
