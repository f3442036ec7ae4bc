//! Mean functions estimated by generalised least squares inside the likelihood.

use ndarray::{Array2, ArrayView2, Axis, concatenate};
use serde::{Deserialize, Serialize};

use voltai_core::Result;

/// The prior mean m(x) = h(x)ᵀβ, with β estimated by generalised least squares
/// at every likelihood evaluation (universal kriging; the profile likelihood).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mean {
    /// m(x) = 0 on the normalised targets, i.e. the training mean of y.
    #[default]
    Zero,
    /// An unknown constant.
    Constant,
    /// An unknown constant plus a linear trend in every input.
    Linear,
}

impl Mean {
    /// Basis matrix H (n × m) for inputs `x`, with `extra` basis columns appended
    /// (used by co-kriging for the lower-fidelity prediction).
    pub(crate) fn basis(
        &self,
        x: ArrayView2<'_, f64>,
        extra: Option<ArrayView2<'_, f64>>,
    ) -> Result<Array2<f64>> {
        let n = x.nrows();
        let base = match self {
            Mean::Zero => Array2::zeros((n, 0)),
            Mean::Constant => Array2::ones((n, 1)),
            Mean::Linear => concatenate(Axis(1), &[Array2::ones((n, 1)).view(), x])
                .map_err(|e| voltai_core::Error::InvalidInput(e.to_string()))?,
        };
        match extra {
            None => Ok(base),
            Some(e) => concatenate(Axis(1), &[base.view(), e])
                .map_err(|e| voltai_core::Error::InvalidInput(e.to_string())),
        }
    }
}
