//! Constant and white-noise kernels.

use serde::{Deserialize, Serialize};

use crate::kernel::{Kernel, positive};
use voltai_core::{Result, check};

/// Constant kernel `c` (a bias term in sums, a variance in products).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Constant {
    value: f64,
}

impl Constant {
    /// c > 0.
    pub fn new(value: f64) -> Result<Self> {
        Ok(Constant {
            value: positive("value", value)?,
        })
    }
}

impl Kernel for Constant {
    fn eval(&self, _: &[f64], _: &[f64]) -> f64 {
        self.value
    }
    fn param_names(&self) -> Vec<String> {
        vec!["value".into()]
    }
    fn log_params(&self) -> Vec<f64> {
        vec![self.value.ln()]
    }
    fn n_params(&self) -> usize {
        1
    }
    fn set_log_params(&mut self, p: &[f64]) -> Result<()> {
        check::same_len("Constant log-parameters", 1, p.len())?;
        self.value = positive("value", p[0].exp())?;
        Ok(())
    }
    fn eval_grad(&self, _: &[f64], _: &[f64], grad: &mut [f64]) -> f64 {
        grad[0] = self.value;
        self.value
    }
}

/// White noise: σ² on the diagonal of a training Gram matrix, 0 between
/// distinct samples (even if their features coincide), as scikit-learn's `WhiteKernel`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct White {
    noise: f64,
}

impl White {
    /// Noise variance σ² > 0.
    pub fn new(noise: f64) -> Result<Self> {
        Ok(White {
            noise: positive("noise", noise)?,
        })
    }
}

impl Kernel for White {
    fn eval(&self, _: &[f64], _: &[f64]) -> f64 {
        0.0
    }
    fn eval_same(&self, _: &[f64]) -> f64 {
        self.noise
    }
    fn param_names(&self) -> Vec<String> {
        vec!["noise".into()]
    }
    fn log_params(&self) -> Vec<f64> {
        vec![self.noise.ln()]
    }
    fn n_params(&self) -> usize {
        1
    }
    fn set_log_params(&mut self, p: &[f64]) -> Result<()> {
        check::same_len("White log-parameters", 1, p.len())?;
        self.noise = positive("noise", p[0].exp())?;
        Ok(())
    }
    fn eval_grad(&self, _: &[f64], _: &[f64], grad: &mut [f64]) -> f64 {
        grad[0] = 0.0;
        0.0
    }
    fn eval_same_grad(&self, _: &[f64], grad: &mut [f64]) -> f64 {
        grad[0] = self.noise;
        self.noise
    }
}
