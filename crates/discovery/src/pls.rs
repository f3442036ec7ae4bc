//! Partial least squares regression (PLS1, one target), as scikit-learn's
//! `PLSRegression`: the features and the target are centred and (by default)
//! scaled to unit sample standard deviation, then each component takes the
//! direction of greatest covariance with the target, w ∝ Xᵀy, its scores
//! t = Xw, loadings p = Xᵀt/tᵀt and q = yᵀt/tᵀt, and deflates X and y by them
//! (NIPALS, which for one target converges in one step). The coefficients are
//! W (PᵀW)⁻¹ q, mapped back to the original units.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use voltai_core::{Dataset, Error, Fit, Regressor, Result, check};

use crate::latent::{checked_input, column_scale};

/// Parameters of a PLS regression with `n_components` latent components.
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, Array2};
/// use voltai_core::{Dataset, Fit, Regressor};
/// use voltai_discovery::PlsRegressionParams;
///
/// // y depends on two of five correlated features.
/// let x = Array2::from_shape_fn((40, 5), |(i, j)| ((i * (j + 3)) % 13) as f64 + 0.1 * j as f64);
/// let y: Array1<f64> = x.rows().into_iter().map(|r| 2.0 * r[0] - r[3] + 1.0).collect();
/// let data = Dataset::new(x.clone(), y.clone())?;
/// // With as many components as features, PLS is ordinary least squares.
/// let pls = PlsRegressionParams::new(5)?.fit(&data)?;
/// let fitted = pls.predict(x.view())?;
/// assert!(fitted.iter().zip(&y).all(|(a, b)| (a - b).abs() < 1e-8));
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlsRegressionParams {
    n_components: usize,
    scale: bool,
}

impl PlsRegressionParams {
    /// `n_components ≥ 1` latent components, features and target scaled.
    pub fn new(n_components: usize) -> Result<Self> {
        if n_components == 0 {
            return Err(Error::invalid_parameter(
                "n_components",
                0,
                "[1, n_features]",
            ));
        }
        Ok(Self {
            n_components,
            scale: true,
        })
    }

    /// Whether to scale features and target to unit sample standard deviation
    /// (scikit-learn's `scale`, default true).
    pub fn scale(mut self, yes: bool) -> Self {
        self.scale = yes;
        self
    }

    /// The number of components.
    pub fn n_components(&self) -> usize {
        self.n_components
    }
}

/// A fitted PLS regression: ŷ = (x − x̄)·coef + ȳ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlsRegression {
    /// Coefficients in the features' original units.
    pub coef: Array1<f64>,
    /// Feature means.
    pub x_mean: Array1<f64>,
    /// Target mean (the intercept of centred features).
    pub y_mean: f64,
    /// Feature weights W (features × components used), in the scaled space;
    /// fewer columns than asked for when the target was explained exactly.
    pub x_weights: Array2<f64>,
    /// Feature scores T of the training rows (rows × components).
    pub x_scores: Array2<f64>,
}

impl Fit for PlsRegressionParams {
    type Model = PlsRegression;
    fn fit(&self, data: &Dataset) -> Result<PlsRegression> {
        let (n, p) = data.features().dim();
        let k = self.n_components;
        let (x, y, x_mean) = checked_input(data, k, p, "the number of features")?;
        if n < 2 {
            return Err(Error::EmptyInput(
                "PLS needs at least two rows to scale by a standard deviation".into(),
            ));
        }
        let y_mean = y.mean().unwrap_or(0.0);
        // scikit-learn scales by the sample standard deviation (n − 1).
        let (x_std, y_std) = if self.scale {
            let y_col = y.to_owned().insert_axis(Axis(1));
            (
                column_scale(x, &x_mean, 1),
                column_scale(y_col.view(), &Array1::from_elem(1, y_mean), 1)[0],
            )
        } else {
            (Array1::ones(p), 1.0)
        };
        let mut xk = (&x - &x_mean) / &x_std;
        let mut yk = y.mapv(|v| (v - y_mean) / y_std);
        let mut w_mat = Array2::zeros((p, k));
        let mut p_mat = Array2::zeros((p, k));
        let mut t_mat = Array2::zeros((n, k));
        let mut q = Array1::zeros(k);
        let mut used = k;
        for c in 0..k {
            // An exactly explained target leaves nothing to model: stop, as
            // scikit-learn does, with the components found so far.
            if c > 0 && yk.iter().all(|v| v.abs() < 10.0 * f64::EPSILON) {
                used = c;
                break;
            }
            let w = xk.t().dot(&yk);
            let norm = w.dot(&w).sqrt();
            if norm.is_nan() || norm <= f64::EPSILON * (n as f64) {
                return Err(Error::numerical(
                    "PLS",
                    format!(
                        "component {} has no covariance left with the target: use at most {c} components",
                        c + 1
                    ),
                ));
            }
            let w = w / norm;
            let t = xk.dot(&w);
            let tt = t.dot(&t);
            let pl = xk.t().dot(&t) / tt;
            let ql = yk.dot(&t) / tt;
            // Deflation: remove what this component explains.
            for i in 0..n {
                for j in 0..p {
                    xk[[i, j]] -= t[i] * pl[j];
                }
                yk[i] -= ql * t[i];
            }
            w_mat.column_mut(c).assign(&w);
            p_mat.column_mut(c).assign(&pl);
            t_mat.column_mut(c).assign(&t);
            q[c] = ql;
        }
        // coef (scaled) = W (PᵀW)⁻¹ q: the rotations W (PᵀW)⁻¹ map features to
        // scores in one step, q maps scores to the target. PᵀW is k × k.
        let keep = ndarray::s![.., ..used];
        let (w_mat, p_mat, t_mat) = (
            w_mat.slice(keep).to_owned(),
            p_mat.slice(keep).to_owned(),
            t_mat.slice(keep).to_owned(),
        );
        let q = q.slice(ndarray::s![..used]).to_owned();
        let ptw = p_mat.t().dot(&w_mat);
        let z = crate::dense::lstsq(ptw.view(), q.view())?;
        let coef_scaled = w_mat.dot(&z);
        let coef = coef_scaled * y_std / &x_std;
        if coef.iter().any(|v| !v.is_finite()) {
            return Err(Error::internal("PLS coefficients are not finite"));
        }
        Ok(PlsRegression {
            coef,
            x_mean,
            y_mean,
            x_weights: w_mat,
            x_scores: t_mat,
        })
    }
}

impl Regressor for PlsRegression {
    fn n_features(&self) -> usize {
        self.coef.len()
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check::predict_input(x, self.coef.len())?;
        Ok((&x - &self.x_mean).dot(&self.coef) + self.y_mean)
    }
}

impl voltai_core::Persist for PlsRegression {
    const KIND: &'static str = "voltai_discovery::PlsRegression";
}
