//! Split-conformal prediction intervals around any [`Regressor`].
//!
//! Given a model fitted on one part of the data and a separate calibration set,
//! the interval `ŷ ± q̂`, where `q̂` is the ⌈(n+1)(1−α)⌉-th smallest absolute
//! calibration residual, covers a new exchangeable observation with probability
//! at least `1 − α` (Vovk et al. 2005; Lei et al. 2018) — whatever the model.

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::{Dataset, Error, Regressor, Result};

/// Parameters of split-conformal calibration: the miscoverage level `α`.
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, ArrayView2, array};
/// use voltai_core::{Dataset, Regressor, conformal::SplitConformal};
///
/// // A fixed model y = x, standing in for any fitted regressor.
/// struct Identity;
/// impl Regressor for Identity {
///     fn n_features(&self) -> usize { 1 }
///     fn predict(&self, x: ArrayView2<'_, f64>) -> voltai_core::Result<Array1<f64>> {
///         Ok(x.column(0).to_owned())
///     }
/// }
///
/// // Held-out calibration residuals |y − x|: 0.5, 1.0 and 0.25.
/// let calibration = Dataset::new(array![[1.0], [2.0], [3.0]], array![1.5, 3.0, 3.25])?;
/// // α = 0.5, n = 3: q̂ is the ⌈(3 + 1)(1 − 0.5)⌉ = 2nd smallest residual.
/// let model = SplitConformal::new(0.5)?.calibrate(Identity, &calibration)?;
/// assert_eq!(model.half_width(), 0.5);
/// assert!(SplitConformal::new(1.5).is_err());
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SplitConformal {
    alpha: f64,
}

impl SplitConformal {
    /// Intervals with target coverage `1 − alpha`, `alpha ∈ (0, 1)`.
    pub fn new(alpha: f64) -> Result<Self> {
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(Error::invalid_parameter("alpha", alpha, "(0, 1)"));
        }
        Ok(SplitConformal { alpha })
    }

    /// Miscoverage level.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// The normalised conformal quantile: the ⌈(n+1)(1−α)⌉-th smallest score
    /// |yᵢ − μᵢ| / σᵢ over held-out predictions (mean μ, standard deviation σ
    /// from any probabilistic model). The interval μ ± q̂·σ then keeps the
    /// model's shape (wider where it is less sure) with the conformal
    /// guarantee for exchangeable held-out points (Lei et al. 2018, §5.2).
    /// Scores from whole held-out groups (leave-one-cell-out) calibrate for
    /// new groups, not only new points of known ones.
    ///
    /// ```
    /// use ndarray::array;
    /// use voltai_core::conformal::SplitConformal;
    ///
    /// // Scores 0.5, 2, 1, 4: with α = 0.25, q̂ is the ⌈5·0.75⌉ = 4th smallest.
    /// let q = SplitConformal::new(0.25)?.normalized_quantile(
    ///     array![1.0, 2.0, 3.0, 4.0].view(),
    ///     array![0.5, 0.0, 2.0, 0.0].view(),
    ///     array![1.0, 1.0, 1.0, 1.0].view(),
    /// )?;
    /// assert_eq!(q, 4.0);
    /// # Ok::<(), voltai_core::Error>(())
    /// ```
    pub fn normalized_quantile(
        &self,
        y: ndarray::ArrayView1<'_, f64>,
        mean: ndarray::ArrayView1<'_, f64>,
        sd: ndarray::ArrayView1<'_, f64>,
    ) -> Result<f64> {
        crate::check::same_len("calibration means", y.len(), mean.len())?;
        crate::check::same_len("calibration standard deviations", y.len(), sd.len())?;
        let mut scores = Vec::with_capacity(y.len());
        for (i, ((t, m), s)) in y.iter().zip(&mean).zip(&sd).enumerate() {
            if !(s.is_finite() && *s > 0.0 && t.is_finite() && m.is_finite()) {
                return Err(Error::NonFinite {
                    context: "calibration score (need finite y and mean, sd > 0)".into(),
                    index: vec![i],
                    value: *s,
                });
            }
            scores.push((t - m).abs() / s);
        }
        scores.sort_by(f64::total_cmp);
        let n = scores.len();
        let k = ((n as f64 + 1.0) * (1.0 - self.alpha)).ceil() as usize;
        if n == 0 || k > n {
            return Err(Error::InvalidInput(format!(
                "{n} calibration points are too few for alpha = {}",
                self.alpha
            )));
        }
        Ok(scores[k.max(1) - 1])
    }

    /// Calibrates a fitted `model` on held-out data it was *not* fitted on.
    ///
    /// Fails when the calibration set is too small for the requested level
    /// (fewer than ⌈1/α⌉ − 1 points would make the interval infinite).
    pub fn calibrate<R: Regressor>(
        &self,
        model: R,
        calibration: &Dataset,
    ) -> Result<ConformalRegressor<R>> {
        let y = calibration.targets()?;
        let pred = model.predict(calibration.features())?;
        let mut residuals: Vec<f64> = y.iter().zip(&pred).map(|(a, b)| (a - b).abs()).collect();
        if let Some(i) = residuals.iter().position(|r| !r.is_finite()) {
            return Err(Error::NonFinite {
                context: "calibration residual (model prediction)".into(),
                index: vec![i],
                value: residuals[i],
            });
        }
        residuals.sort_by(f64::total_cmp);
        let n = residuals.len();
        let k = ((n as f64 + 1.0) * (1.0 - self.alpha)).ceil() as usize;
        if k > n {
            return Err(Error::InvalidInput(format!(
                "{n} calibration points are too few for alpha = {}: need at least {}",
                self.alpha,
                (1.0 / self.alpha).ceil() as usize - 1
            )));
        }
        Ok(ConformalRegressor {
            model,
            half_width: residuals[k.max(1) - 1],
            alpha: self.alpha,
            n_calibration: n,
        })
    }
}

/// Lower and upper interval bounds with the point prediction between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intervals {
    /// Point prediction of the wrapped model.
    pub prediction: Array1<f64>,
    /// Lower bound.
    pub lower: Array1<f64>,
    /// Upper bound.
    pub upper: Array1<f64>,
}

impl Intervals {
    /// Fraction of `y` inside `[lower, upper]`.
    pub fn coverage(&self, y: ndarray::ArrayView1<'_, f64>) -> Result<f64> {
        crate::check::same_len("coverage targets", self.lower.len(), y.len())?;
        if y.is_empty() {
            return Err(Error::EmptyInput("coverage of zero points".into()));
        }
        let inside = y
            .iter()
            .zip(self.lower.iter().zip(&self.upper))
            .filter(|(v, (lo, hi))| *lo <= *v && *v <= *hi)
            .count();
        Ok(inside as f64 / y.len() as f64)
    }
}

/// A regressor wrapped with a calibrated conformal half-width.
///
/// Built by [`SplitConformal::calibrate`].
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, ArrayView2, array};
/// use voltai_core::{Dataset, Regressor, conformal::SplitConformal};
///
/// struct Identity;
/// impl Regressor for Identity {
///     fn n_features(&self) -> usize { 1 }
///     fn predict(&self, x: ArrayView2<'_, f64>) -> voltai_core::Result<Array1<f64>> {
///         Ok(x.column(0).to_owned())
///     }
/// }
///
/// let calibration = Dataset::new(array![[1.0], [2.0], [3.0]], array![1.5, 3.0, 3.25])?;
/// let model = SplitConformal::new(0.5)?.calibrate(Identity, &calibration)?;
/// let iv = model.predict_interval(array![[10.0], [20.0]].view())?;
/// assert_eq!(iv.lower, array![9.5, 19.5]);
/// assert_eq!(iv.upper, array![10.5, 20.5]);
/// assert_eq!(iv.coverage(array![10.2, 21.0].view())?, 0.5);
/// assert_eq!(model.n_calibration(), 3);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConformalRegressor<R> {
    model: R,
    half_width: f64,
    alpha: f64,
    n_calibration: usize,
}

impl<R: Regressor> ConformalRegressor<R> {
    /// The calibrated half-width `q̂`.
    pub fn half_width(&self) -> f64 {
        self.half_width
    }

    /// Miscoverage level the model was calibrated for.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Number of calibration points.
    pub fn n_calibration(&self) -> usize {
        self.n_calibration
    }

    /// The wrapped model.
    pub fn inner(&self) -> &R {
        &self.model
    }

    /// Point predictions with `[ŷ − q̂, ŷ + q̂]` intervals.
    pub fn predict_interval(&self, x: ArrayView2<'_, f64>) -> Result<Intervals> {
        let prediction = self.model.predict(x)?;
        Ok(Intervals {
            lower: prediction.mapv(|p| p - self.half_width),
            upper: prediction.mapv(|p| p + self.half_width),
            prediction,
        })
    }
}

impl<R: Regressor> Regressor for ConformalRegressor<R> {
    fn n_features(&self) -> usize {
        self.model.n_features()
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        self.model.predict(x)
    }
}

impl<R: Serialize + serde::de::DeserializeOwned> crate::Persist for ConformalRegressor<R> {
    const KIND: &'static str = "voltai_core::ConformalRegressor";
}
