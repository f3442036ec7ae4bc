//! The traits that join the crates: parameters fit data into models, models predict.
//!
//! The split follows scikit-learn/linfa: a *parameters* value (validated by its
//! builder setters) is turned by [`Fit::fit`] into a *fitted model*; only a fitted
//! model implements [`Regressor`], [`Classifier`] or [`ProbabilisticRegressor`].

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::{Dataset, Error, Result};

/// Parameters that learn a fitted model from their training input.
///
/// The input defaults to a [`Dataset`]; estimators whose data has another
/// shape name it: a [`DatasetView`](crate::DatasetView) to fit on borrowed
/// arrays without copies, one dataset per fidelity level (`[Dataset]`) for
/// co-kriging, trajectories (`[Trajectory]`) for SINDy, crystal graphs with
/// targets for the graph networks. Generic code (cross-validation, searches,
/// the contract checks, surrogates) is written once against this trait.
pub trait Fit<I: ?Sized = Dataset> {
    /// The fitted model produced by [`Fit::fit`].
    type Model;
    /// Learns a model from `input`; validates shapes and values first.
    fn fit(&self, input: &I) -> Result<Self::Model>;
}

/// A fitted model that maps feature rows to real-valued predictions.
pub trait Regressor {
    /// Number of input features the model was fitted on.
    fn n_features(&self) -> usize;
    /// Predicts one value per row of `x` (shape `n × n_features`).
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>>;
}

/// A fitted model that assigns class labels.
pub trait Classifier {
    /// Number of input features the model was fitted on.
    fn n_features(&self) -> usize;
    /// The distinct class labels, sorted ascending.
    fn classes(&self) -> &[i64];
    /// Decision values, `n × k`: for two classes `k = 1` and a positive value
    /// means `classes()[1]`; for more classes one column per class (or per pair,
    /// as the model documents).
    fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>>;
    /// Predicted label for each row of `x`.
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<i64>>;
}

/// Where a predictive variance comes from, for models that know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VarianceParts {
    /// Uncertainty about the function itself (shrinks with more data).
    pub epistemic: Array1<f64>,
    /// Irreducible observation noise (does not shrink with more data).
    pub aleatoric: Array1<f64>,
}

/// A predictive distribution summarised by its mean and variance per point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Predictive {
    /// Predictive mean.
    pub mean: Array1<f64>,
    /// Total predictive variance (of a new *observation*, noise included, when
    /// the model has a noise model).
    pub variance: Array1<f64>,
    /// The split of `variance` into epistemic + aleatoric, where the model knows it.
    pub parts: Option<VarianceParts>,
}

impl Predictive {
    /// Builds a predictive summary without a variance split, checking lengths.
    pub fn new(mean: Array1<f64>, variance: Array1<f64>) -> Result<Self> {
        crate::check::same_len("predictive variance length", mean.len(), variance.len())?;
        Ok(Predictive {
            mean,
            variance,
            parts: None,
        })
    }

    /// Builds a predictive summary from its epistemic and aleatoric parts.
    pub fn from_parts(
        mean: Array1<f64>,
        epistemic: Array1<f64>,
        aleatoric: Array1<f64>,
    ) -> Result<Self> {
        crate::check::same_len("epistemic variance length", mean.len(), epistemic.len())?;
        crate::check::same_len("aleatoric variance length", mean.len(), aleatoric.len())?;
        let variance = &epistemic + &aleatoric;
        Ok(Predictive {
            mean,
            variance,
            parts: Some(VarianceParts {
                epistemic,
                aleatoric,
            }),
        })
    }

    /// Predictive standard deviation.
    pub fn std(&self) -> Array1<f64> {
        self.variance.mapv(|v| v.max(0.0).sqrt())
    }

    /// Central interval `mean ± z·std` for a standard-normal quantile `z`.
    pub fn interval(&self, z: f64) -> Result<(Array1<f64>, Array1<f64>)> {
        if !(z.is_finite() && z > 0.0) {
            return Err(Error::invalid_parameter("z", z, "(0, inf)"));
        }
        let s = self.std();
        Ok((&self.mean - &(&s * z), &self.mean + &(&s * z)))
    }

    /// Share of `y` inside `mean ± z·std` (the empirical coverage of the
    /// central interval; z = 1.959964 for 95 %).
    ///
    /// ```
    /// use ndarray::array;
    /// use voltai_core::Predictive;
    ///
    /// let p = Predictive::new(array![0.0, 0.0, 0.0, 0.0], array![1.0, 1.0, 1.0, 1.0])?;
    /// assert_eq!(p.coverage(array![0.5, -1.5, 2.5, 0.0].view(), 2.0)?, 0.75);
    /// # Ok::<(), voltai_core::Error>(())
    /// ```
    pub fn coverage(&self, y: ndarray::ArrayView1<'_, f64>, z: f64) -> Result<f64> {
        crate::check::same_len("coverage targets", self.mean.len(), y.len())?;
        if y.is_empty() {
            return Err(Error::EmptyInput("coverage of zero points".into()));
        }
        let (lo, hi) = self.interval(z)?;
        let inside = y
            .iter()
            .zip(lo.iter().zip(&hi))
            .filter(|(v, (l, h))| *l <= *v && *v <= *h)
            .count();
        Ok(inside as f64 / y.len() as f64)
    }
}

/// A regressor that also reports its uncertainty.
///
/// This is the surrogate interface of Bayesian optimisation: any model with a
/// predictive mean and variance plugs in.
pub trait ProbabilisticRegressor: Regressor {
    /// Predictive mean and variance for each row of `x`.
    fn predict_dist(&self, x: ArrayView2<'_, f64>) -> Result<Predictive>;
}
