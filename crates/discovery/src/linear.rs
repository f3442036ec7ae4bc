//! Penalised linear regression: ordinary least squares, ridge, lasso and
//! elastic net by cyclic coordinate descent (Friedman, Hastie & Tibshirani
//! 2010), with the objective and conventions of scikit-learn:
//!
//! ½n⁻¹‖y − Xw − b‖² + α·ρ‖w‖₁ + ½α(1 − ρ)‖w‖²  (ρ = `l1_ratio`; ridge: ρ = 0).

use crate::dense::solve_spd;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use voltai_core::{Dataset, Error, Fit, Regressor, Result, check};

/// Parameters of an elastic-net (lasso when `l1_ratio` = 1) regression.
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, Array2};
/// use voltai_core::{Dataset, Fit};
/// use voltai_discovery::ElasticNetParams;
///
/// // y = 3x − 1; a light penalty barely shrinks the slope.
/// let x = Array2::from_shape_fn((6, 1), |(i, _)| i as f64);
/// let y = Array1::from_shape_fn(6, |i| 3.0 * i as f64 - 1.0);
/// let data = Dataset::new(x, y)?;
/// let model = ElasticNetParams::new().alpha(1e-3)?.l1_ratio(0.5)?.fit(&data)?;
/// assert!((model.coef[0] - 3.0).abs() < 0.01);
/// assert!((model.intercept + 1.0).abs() < 0.05);
/// // A penalty above α_max = max|x_cᵀy_c|/n (8.75 here) zeroes every coefficient.
/// assert!(ElasticNetParams::lasso(100.0)?.fit(&data)?.support().is_empty());
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ElasticNetParams {
    alpha: f64,
    l1_ratio: f64,
    fit_intercept: bool,
    tol: f64,
    max_iter: usize,
}

/// A fitted linear model y = Xw + b.
///
/// Produced by [`ElasticNetParams`] and [`RidgeParams`].
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_core::{Dataset, Fit, Regressor};
/// use voltai_discovery::RidgeParams;
///
/// // y = 1 + 2·x0 − x1 exactly: least squares recovers it.
/// let x = array![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]];
/// let y = array![1.0, 3.0, 0.0, 2.0, 4.0];
/// let model = RidgeParams::ols().fit(&Dataset::new(x, y)?)?;
/// assert!((model.coef[0] - 2.0).abs() < 1e-9 && (model.coef[1] + 1.0).abs() < 1e-9);
/// assert!((model.intercept - 1.0).abs() < 1e-9);
/// assert_eq!(model.support(), vec![0, 1]);
/// assert!((model.predict(array![[3.0, 2.0]].view())?[0] - 5.0).abs() < 1e-9);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    /// Coefficients w.
    pub coef: Array1<f64>,
    /// Intercept b.
    pub intercept: f64,
    /// Coordinate-descent sweeps used (0 for closed forms).
    pub iterations: usize,
}

impl Default for ElasticNetParams {
    fn default() -> Self {
        ElasticNetParams {
            alpha: 1.0,
            l1_ratio: 0.5,
            fit_intercept: true,
            tol: 1e-4,
            max_iter: 1000,
        }
    }
}

impl ElasticNetParams {
    /// α = 1, ρ = 0.5 (scikit-learn's defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// The lasso: ρ = 1.
    pub fn lasso(alpha: f64) -> Result<Self> {
        Self::new().alpha(alpha)?.l1_ratio(1.0)
    }

    /// Penalty strength α ≥ 0.
    pub fn alpha(mut self, alpha: f64) -> Result<Self> {
        if !(alpha.is_finite() && alpha >= 0.0) {
            return Err(Error::invalid_parameter("alpha", alpha, "[0, inf)"));
        }
        self.alpha = alpha;
        Ok(self)
    }

    /// Mix ρ ∈ [0, 1] between ridge (0) and lasso (1).
    pub fn l1_ratio(mut self, rho: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&rho) {
            return Err(Error::invalid_parameter("l1_ratio", rho, "[0, 1]"));
        }
        self.l1_ratio = rho;
        Ok(self)
    }

    /// Whether to fit an intercept (default true).
    pub fn fit_intercept(mut self, yes: bool) -> Self {
        self.fit_intercept = yes;
        self
    }

    /// Stop when the largest coefficient change of a sweep is ≤ `tol`·max|w|
    /// (> 0), or after `max_iter` (≥ 1) sweeps.
    pub fn stopping(mut self, tol: f64, max_iter: usize) -> Result<Self> {
        if !(tol.is_finite() && tol > 0.0) {
            return Err(Error::invalid_parameter("tol", tol, "(0, inf)"));
        }
        if max_iter == 0 {
            return Err(Error::invalid_parameter("max_iter", max_iter, "[1, inf)"));
        }
        self.tol = tol;
        self.max_iter = max_iter;
        Ok(self)
    }

    pub(crate) fn has_intercept(&self) -> bool {
        self.fit_intercept
    }
    pub(crate) fn rho(&self) -> f64 {
        self.l1_ratio
    }
    pub(crate) fn tol_value(&self) -> f64 {
        self.tol
    }
    pub(crate) fn max_iter_value(&self) -> usize {
        self.max_iter
    }

    /// Fits from a starting point (warm start along a path).
    pub(crate) fn fit_from(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        w0: Option<&Array1<f64>>,
    ) -> Result<LinearModel> {
        let c = Centered::new(x, y, self.fit_intercept)?;
        let mut w = w0.cloned().unwrap_or_else(|| Array1::zeros(x.ncols()));
        let iterations = coordinate_descent(
            &c,
            self.alpha,
            self.l1_ratio,
            self.tol,
            self.max_iter,
            &mut w,
        );
        Ok(c.model(w, iterations))
    }
}

impl Fit for ElasticNetParams {
    type Model = LinearModel;
    fn fit(&self, data: &Dataset) -> Result<LinearModel> {
        self.fit_from(data.features(), data.targets()?, None)
    }
}

/// Centered copies of X and y (when fitting an intercept) and column norms.
pub(crate) struct Centered {
    pub x: Array2<f64>,
    pub y: Array1<f64>,
    pub x_mean: Array1<f64>,
    pub y_mean: f64,
    /// ‖x_j‖² / n.
    pub col_sq: Array1<f64>,
}

impl Centered {
    pub(crate) fn new(
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        intercept: bool,
    ) -> Result<Self> {
        check::non_empty2("features", x)?;
        check::finite2("features", x)?;
        check::finite1("targets", y)?;
        check::same_len("targets vs rows", x.nrows(), y.len())?;
        let n = x.nrows() as f64;
        let (x_mean, y_mean) = if intercept {
            (
                x.mean_axis(Axis(0))
                    .unwrap_or_else(|| Array1::zeros(x.ncols())),
                y.mean().unwrap_or(0.0),
            )
        } else {
            (Array1::zeros(x.ncols()), 0.0)
        };
        let xc = &x - &x_mean;
        let yc = y.mapv(|v| v - y_mean);
        let col_sq = xc.map_axis(Axis(0), |c| c.dot(&c) / n);
        Ok(Centered {
            x: xc,
            y: yc,
            x_mean,
            y_mean,
            col_sq,
        })
    }

    pub(crate) fn model(&self, coef: Array1<f64>, iterations: usize) -> LinearModel {
        let intercept = self.y_mean - self.x_mean.dot(&coef);
        LinearModel {
            coef,
            intercept,
            iterations,
        }
    }
}

fn soft_threshold(z: f64, g: f64) -> f64 {
    if z > g {
        z - g
    } else if z < -g {
        z + g
    } else {
        0.0
    }
}

/// Cyclic coordinate descent in place; returns the sweeps used.
pub(crate) fn coordinate_descent(
    c: &Centered,
    alpha: f64,
    rho: f64,
    tol: f64,
    max_iter: usize,
    w: &mut Array1<f64>,
) -> usize {
    let n = c.x.nrows() as f64;
    let p = c.x.ncols();
    let mut r = &c.y - &c.x.dot(w);
    let l1 = alpha * rho;
    let l2 = alpha * (1.0 - rho);
    for sweep in 1..=max_iter {
        let (mut max_change, mut max_w) = (0.0f64, 0.0f64);
        for j in 0..p {
            if c.col_sq[j] == 0.0 {
                continue;
            }
            let col = c.x.column(j);
            let old = w[j];
            // ρ_j = x_jᵀ(r + x_j w_j)/n
            let z = col.dot(&r) / n + c.col_sq[j] * old;
            let new = soft_threshold(z, l1) / (c.col_sq[j] + l2);
            if new != old {
                r.scaled_add(old - new, &col);
                w[j] = new;
            }
            max_change = max_change.max((new - old).abs());
            max_w = max_w.max(new.abs());
        }
        if max_change <= tol * max_w.max(f64::MIN_POSITIVE) || max_w == 0.0 {
            return sweep;
        }
    }
    max_iter
}

impl LinearModel {
    /// Indices of non-zero coefficients.
    pub fn support(&self) -> Vec<usize> {
        (0..self.coef.len())
            .filter(|&j| self.coef[j] != 0.0)
            .collect()
    }
}

impl Regressor for LinearModel {
    fn n_features(&self) -> usize {
        self.coef.len()
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check::predict_input(x, self.coef.len())?;
        Ok(x.dot(&self.coef) + self.intercept)
    }
}

/// Ordinary least squares (ridge with α = 0 solved in closed form) and ridge
/// regression ½n⁻¹‖y − Xw − b‖² + ½α‖w‖², by Cholesky of XᵀX/n + αI.
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, Array2};
/// use voltai_core::{Dataset, Fit};
/// use voltai_discovery::RidgeParams;
///
/// let x = Array2::from_shape_fn((6, 1), |(i, _)| i as f64);
/// let y = Array1::from_shape_fn(6, |i| 2.0 * i as f64 + 1.0);
/// let data = Dataset::new(x, y)?;
/// // α = 0 is ordinary least squares: the exact slope.
/// let ols = RidgeParams::new(0.0)?.fit(&data)?;
/// assert!((ols.coef[0] - 2.0).abs() < 1e-10);
/// // α > 0 shrinks it towards 0: w = 2·var(x) / (var(x) + α).
/// let ridge = RidgeParams::new(1.0)?.fit(&data)?;
/// let var_x = 17.5 / 6.0;
/// assert!((ridge.coef[0] - 2.0 * var_x / (var_x + 1.0)).abs() < 1e-10);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RidgeParams {
    alpha: f64,
    fit_intercept: bool,
}

impl RidgeParams {
    /// Ridge with penalty α ≥ 0 (α = 0: ordinary least squares).
    pub fn new(alpha: f64) -> Result<Self> {
        if !(alpha.is_finite() && alpha >= 0.0) {
            return Err(Error::invalid_parameter("alpha", alpha, "[0, inf)"));
        }
        Ok(RidgeParams {
            alpha,
            fit_intercept: true,
        })
    }

    /// Ordinary least squares.
    pub fn ols() -> Self {
        RidgeParams {
            alpha: 0.0,
            fit_intercept: true,
        }
    }

    /// Whether to fit an intercept (default true).
    pub fn fit_intercept(mut self, yes: bool) -> Self {
        self.fit_intercept = yes;
        self
    }
}

impl Fit for RidgeParams {
    type Model = LinearModel;
    fn fit(&self, data: &Dataset) -> Result<LinearModel> {
        let c = Centered::new(data.features(), data.targets()?, self.fit_intercept)?;
        let n = c.x.nrows() as f64;
        let p = c.x.ncols();
        let mut a = c.x.t().dot(&c.x) / n;
        for j in 0..p {
            a[[j, j]] += self.alpha;
        }
        let b = c.x.t().dot(&c.y) / n;
        let w = solve_spd(&a, &b)?;
        Ok(c.model(w, 0))
    }
}

impl voltai_core::Persist for LinearModel {
    const KIND: &'static str = "voltai_discovery::LinearModel";
}
