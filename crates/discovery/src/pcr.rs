//! Principal-component regression, as scikit-learn's pipeline
//! `StandardScaler → PCA(k) → LinearRegression`: features standardised
//! (population standard deviation), the top-k principal directions from a
//! thin SVD, ordinary least squares of the target on the scores. Because the
//! scores are centred and orthogonal, the coefficient of score j is
//! uⱼᵀ(y − ȳ)/sⱼ, and the model folds back to one coefficient per feature.

use faer::Mat;
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use voltai_core::{Dataset, Error, Fit, Regressor, Result, check};

use crate::latent::{checked_input, column_scale};

/// Parameters of a principal-component regression on `n_components` components.
///
/// # Examples
///
/// ```
/// use ndarray::Array1;
/// use voltai_core::{Dataset, Fit, Regressor};
/// use voltai_discovery::PcrParams;
///
/// let x = voltai_core::synthetic::SplitMix64::new(1).normal_matrix(30, 4);
/// let y: Array1<f64> = x.rows().into_iter().map(|r| r[0] - 2.0 * r[2]).collect();
/// // All components: ordinary least squares on the standardised features.
/// let pcr = PcrParams::new(4)?.fit(&Dataset::new(x.clone(), y.clone())?)?;
/// let fitted = pcr.predict(x.view())?;
/// assert!(fitted.iter().zip(&y).all(|(a, b)| (a - b).abs() < 1e-9));
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PcrParams {
    n_components: usize,
}

impl PcrParams {
    /// `n_components ≥ 1` principal components (at most min(rows, features)).
    pub fn new(n_components: usize) -> Result<Self> {
        if n_components == 0 {
            return Err(Error::invalid_parameter(
                "n_components",
                0,
                "[1, min(rows, features)]",
            ));
        }
        Ok(Self { n_components })
    }

    /// The number of components.
    pub fn n_components(&self) -> usize {
        self.n_components
    }
}

/// A fitted principal-component regression: ŷ = ȳ + ((x − μ)/σ)·coef.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pcr {
    /// Coefficients on the standardised features.
    pub coef: Array1<f64>,
    /// Feature means.
    pub x_mean: Array1<f64>,
    /// Feature standard deviations (population; 1 for a constant feature).
    pub x_scale: Array1<f64>,
    /// Target mean.
    pub y_mean: f64,
    /// Share of the standardised features' variance each component explains.
    pub explained_variance_ratio: Array1<f64>,
}

impl Fit for PcrParams {
    type Model = Pcr;
    fn fit(&self, data: &Dataset) -> Result<Pcr> {
        let (n, p) = data.features().dim();
        let k = self.n_components;
        let (x, y, x_mean) = checked_input(data, k, n.min(p), "min(rows, features)")?;
        // scikit-learn's StandardScaler: population standard deviation.
        let x_scale = column_scale(x, &x_mean, 0);
        let xs: Array2<f64> = (&x - &x_mean) / &x_scale;
        let y_mean = y.mean().unwrap_or(0.0);
        let yc = y.mapv(|v| v - y_mean);
        let m = Mat::<f64>::from_fn(n, p, |i, j| xs[[i, j]]);
        let svd = m
            .thin_svd()
            .map_err(|e| Error::numerical("PCR", format!("SVD failed: {e:?}")))?;
        let (u, s, v) = (svd.U(), svd.S().column_vector(), svd.V());
        let total: f64 = (0..s.nrows()).map(|j| s[j] * s[j]).sum();
        let mut coef = Array1::zeros(p);
        let mut ratio = Array1::zeros(k);
        for j in 0..k {
            let sj = s[j];
            if sj.is_nan() || sj <= f64::EPSILON * total.sqrt().max(1.0) * (n.max(p) as f64) {
                return Err(Error::numerical(
                    "PCR",
                    format!(
                        "component {} has no variance: use at most {j} components",
                        j + 1
                    ),
                ));
            }
            let uy: f64 = (0..n).map(|i| u[(i, j)] * yc[i]).sum();
            for f in 0..p {
                coef[f] += v[(f, j)] * uy / sj;
            }
            ratio[j] = sj * sj / total;
        }
        Ok(Pcr {
            coef,
            x_mean,
            x_scale,
            y_mean,
            explained_variance_ratio: ratio,
        })
    }
}

impl Regressor for Pcr {
    fn n_features(&self) -> usize {
        self.coef.len()
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check::predict_input(x, self.coef.len())?;
        Ok(((&x - &self.x_mean) / &self.x_scale).dot(&self.coef) + self.y_mean)
    }
}

impl voltai_core::Persist for Pcr {
    const KIND: &'static str = "voltai_discovery::Pcr";
}
