//! Standardisation (zero mean, unit variance) fitted on training data only.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::{Dataset, Fit, Result, check};

/// Parameters of a standard scaler: `z = (x − mean) / std` per column.
///
/// Columns with zero variance are left centred but unscaled (std treated as 1),
/// as scikit-learn does, so constant features do not produce NaN.
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_core::{Dataset, Fit, StandardScaler};
///
/// // Column 0: mean 2, std 1; column 1: mean 20, std 10; column 2 is constant.
/// let x = array![[1.0, 10.0, 5.0], [3.0, 30.0, 5.0]];
/// let scaler = StandardScaler::new().fit(&Dataset::unsupervised(x.clone())?)?;
/// let z = scaler.transform(x.view())?;
/// assert_eq!(z, array![[-1.0, -1.0, 0.0], [1.0, 1.0, 0.0]]);
///
/// // Without centring only the scale is learned.
/// let scale_only = StandardScaler::new().with_mean(false).fit_array(x.view())?;
/// assert_eq!(scale_only.mean(), &array![0.0, 0.0, 0.0]);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandardScaler {
    with_mean: bool,
    with_std: bool,
}

impl StandardScaler {
    /// Centre and scale every column.
    pub fn new() -> Self {
        StandardScaler {
            with_mean: true,
            with_std: true,
        }
    }

    /// Whether to subtract the column mean (default true).
    pub fn with_mean(mut self, yes: bool) -> Self {
        self.with_mean = yes;
        self
    }

    /// Whether to divide by the column standard deviation (default true).
    pub fn with_std(mut self, yes: bool) -> Self {
        self.with_std = yes;
        self
    }

    /// Fits on a bare matrix (rows = samples).
    pub fn fit_array(&self, x: ArrayView2<'_, f64>) -> Result<FittedStandardScaler> {
        check::non_empty2("scaler input", x)?;
        check::finite2("scaler input", x)?;
        let n = x.nrows() as f64;
        let mean = x
            .mean_axis(Axis(0))
            .unwrap_or_else(|| Array1::zeros(x.ncols()));
        let var = x
            .axis_iter(Axis(1))
            .zip(mean.iter())
            .map(|(c, &m)| c.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n)
            .collect::<Array1<f64>>();
        let scale = var.mapv(|v| {
            let s = v.sqrt();
            // Constant columns (up to rounding) would blow up to inf/NaN.
            if s > 10.0 * f64::EPSILON * (1.0 + s) {
                s
            } else {
                1.0
            }
        });
        Ok(FittedStandardScaler {
            mean: if self.with_mean {
                mean
            } else {
                Array1::zeros(x.ncols())
            },
            scale: if self.with_std {
                scale
            } else {
                Array1::ones(x.ncols())
            },
        })
    }
}

impl Fit for StandardScaler {
    type Model = FittedStandardScaler;
    fn fit(&self, data: &Dataset) -> Result<FittedStandardScaler> {
        self.fit_array(data.features())
    }
}

/// A fitted scaler holding per-column mean and scale.
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_core::StandardScaler;
///
/// let x = array![[0.0, 100.0], [2.0, 300.0], [4.0, 500.0]];
/// let scaler = StandardScaler::new().fit_array(x.view())?;
/// assert_eq!(scaler.mean(), &array![2.0, 300.0]);
/// let z = scaler.transform(x.view())?;
/// // Standardised columns have mean 0, and the inverse maps back.
/// assert!(z.column(0).sum().abs() < 1e-12 && z.column(1).sum().abs() < 1e-12);
/// let back = scaler.inverse_transform(z.view())?;
/// assert!((&back - &x).iter().all(|e| e.abs() < 1e-9));
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedStandardScaler {
    mean: Array1<f64>,
    scale: Array1<f64>,
}

impl FittedStandardScaler {
    /// Per-column mean subtracted by [`Self::transform`].
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// Per-column divisor used by [`Self::transform`].
    pub fn scale(&self) -> &Array1<f64> {
        &self.scale
    }

    /// Standardises `x` with the fitted statistics.
    pub fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::predict_input(x, self.mean.len())?;
        Ok((&x - &self.mean) / &self.scale)
    }

    /// Maps standardised values back to the original units.
    pub fn inverse_transform(&self, z: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::predict_input(z, self.mean.len())?;
        Ok(&z * &self.scale + &self.mean)
    }

    /// Standardises the features of a dataset, keeping targets, names and groups.
    pub fn transform_dataset(&self, data: &Dataset) -> Result<Dataset> {
        data.with_features(self.transform(data.features())?)
    }
}

impl crate::Persist for FittedStandardScaler {
    const KIND: &'static str = "voltai_core::FittedStandardScaler";
}
