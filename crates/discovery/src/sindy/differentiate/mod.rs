//! Numerical differentiation of sampled trajectories, swappable as in PySINDy:
//! plain finite differences, Savitzky–Golay smoothing for noisy data, and a
//! total-variation-regularised derivative for very noisy data.

mod finite_difference;
mod savgol;
mod total_variation;

pub use finite_difference::FiniteDifference;
pub use savgol::{SavitzkyGolay, SmoothedFiniteDifference};
pub use total_variation::TotalVariation;

use ndarray::{Array2, ArrayView2};
use voltai_core::Result;

use super::data::Times;
use super::spec::{DifferentiatorSpec, not_describable};

/// Estimates `dx/dt` column by column from samples.
pub trait Differentiator: Send + Sync + std::fmt::Debug {
    /// Derivative of every column of `x` (`n × d`) sampled at `times`.
    fn differentiate(&self, x: ArrayView2<'_, f64>, times: &Times) -> Result<Array2<f64>>;

    /// The derivative together with the smoothed states, for methods that
    /// smooth first; SINDy then builds its library from the smoothed states,
    /// as PySINDy 2 does. The default smooths nothing.
    fn smooth_and_differentiate(
        &self,
        x: ArrayView2<'_, f64>,
        times: &Times,
    ) -> Result<(Option<Array2<f64>>, Array2<f64>)> {
        Ok((None, self.differentiate(x, times)?))
    }

    /// The differentiator's settings, for saving a fitted model; the
    /// default (a differentiator defined outside Voltai) is an error.
    fn spec(&self) -> Result<DifferentiatorSpec> {
        Err(not_describable(&format!("the differentiator {self:?}")))
    }
}

/// Weights of the derivative at `at` of the polynomial interpolating the nodes
/// `ts` (Lagrange form): used for finite differences on any grid.
pub(crate) fn lagrange_derivative_weights(ts: &[f64], at: f64) -> Vec<f64> {
    let m = ts.len();
    (0..m)
        .map(|j| {
            let mut total = 0.0;
            for k in 0..m {
                if k == j {
                    continue;
                }
                let mut term = 1.0 / (ts[j] - ts[k]);
                for l in 0..m {
                    if l != j && l != k {
                        term *= (at - ts[l]) / (ts[j] - ts[l]);
                    }
                }
                total += term;
            }
            total
        })
        .collect()
}
