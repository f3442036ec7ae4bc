//! Observation-noise models added to the kernel's diagonal.

use serde::{Deserialize, Serialize};

use voltai_core::{Error, Result};

/// How observation noise enters the model (variances in the target's units squared).
///
/// A learned *homoscedastic* noise is best expressed as a `White` kernel term
/// (its level is then a kernel hyperparameter, as in scikit-learn); this enum
/// covers what a kernel cannot: known per-point variances and one learned
/// level per data source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NoiseModel {
    /// A fixed variance on every point (scikit-learn's `alpha`, default 1e-10).
    Fixed(f64),
    /// Known variance of each training point (heteroscedastic).
    PerPoint(Vec<f64>),
    /// One learned variance per group (data source / fidelity), with each
    /// training point's group index and the initial variances.
    PerGroup {
        /// Group index of each training point (0-based).
        groups: Vec<usize>,
        /// Initial variance of each group.
        initial: Vec<f64>,
    },
}

impl Default for NoiseModel {
    fn default() -> Self {
        NoiseModel::Fixed(1e-10)
    }
}

impl NoiseModel {
    /// Checks values and lengths against `n` training points.
    pub(crate) fn check(&self, n: usize) -> Result<()> {
        let positive = |name: &str, v: f64, allow_zero: bool| {
            if v.is_finite() && (v > 0.0 || (allow_zero && v == 0.0)) {
                Ok(())
            } else {
                Err(Error::invalid_parameter(
                    name,
                    v,
                    if allow_zero { "[0, inf)" } else { "(0, inf)" },
                ))
            }
        };
        match self {
            NoiseModel::Fixed(v) => positive("noise", *v, true),
            NoiseModel::PerPoint(v) => {
                voltai_core::check::same_len("per-point noise vs rows", n, v.len())?;
                v.iter().try_for_each(|&x| positive("noise[i]", x, true))
            }
            NoiseModel::PerGroup { groups, initial } => {
                voltai_core::check::same_len("noise groups vs rows", n, groups.len())?;
                if initial.is_empty() {
                    return Err(Error::EmptyInput("no noise groups".into()));
                }
                if let Some(&g) = groups.iter().find(|&&g| g >= initial.len()) {
                    return Err(Error::InvalidInput(format!(
                        "noise group {g} has no initial variance ({} given)",
                        initial.len()
                    )));
                }
                initial
                    .iter()
                    .try_for_each(|&x| positive("noise group variance", x, false))
            }
        }
    }

    /// Number of learned noise parameters.
    pub(crate) fn n_params(&self) -> usize {
        match self {
            NoiseModel::PerGroup { initial, .. } => initial.len(),
            _ => 0,
        }
    }

    /// Initial log-variances of the learned parameters.
    pub(crate) fn initial_log_params(&self) -> Vec<f64> {
        match self {
            NoiseModel::PerGroup { initial, .. } => initial.iter().map(|v| v.ln()).collect(),
            _ => Vec::new(),
        }
    }

    /// Diagonal noise per training point, given learned log-variances, in the
    /// target's *normalised* units (variances divided by `y_scale²`).
    pub(crate) fn diagonal(&self, n: usize, log_params: &[f64], y_scale: f64) -> Vec<f64> {
        let s2 = y_scale * y_scale;
        match self {
            NoiseModel::Fixed(v) => vec![*v / s2; n],
            NoiseModel::PerPoint(v) => v.iter().map(|x| x / s2).collect(),
            // Learned group levels live directly on the normalised scale.
            NoiseModel::PerGroup { groups, .. } => {
                groups.iter().map(|&g| log_params[g].exp()).collect()
            }
        }
    }
}
