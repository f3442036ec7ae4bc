//! Bayesian linear regression with evidence-maximised precisions (MacKay 1992;
//! Bishop 2006, §3.5): weights w ~ N(0, α⁻¹I), noise ε ~ N(0, β⁻¹).
//!
//! The predictive variance of a new observation splits into the irreducible
//! noise β⁻¹ (aleatoric) and the parameter uncertainty φᵀSφ (epistemic), which
//! shrinks roughly as 1/n as data accumulate; [`learning_curve`] shows it.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::linalg::Cholesky;
use voltai_core::{
    Dataset, DatasetView, Error, Fit, Predictive, ProbabilisticRegressor, Regressor, Result, check,
};

/// Parameters of Bayesian linear regression.
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, Array2};
/// use voltai_core::{Dataset, Fit, Regressor};
/// use voltai_gp::BayesianLinearParams;
///
/// // y = 2x + 1 with a small ±0.01 wiggle.
/// let x = Array2::from_shape_fn((6, 1), |(i, _)| i as f64);
/// let wiggle = |i: usize| if i % 2 == 0 { 0.01 } else { -0.01 };
/// let y = Array1::from_shape_fn(6, |i| 2.0 * i as f64 + 1.0 + wiggle(i));
/// let model = BayesianLinearParams::new()
///     .stopping(500, 1e-10)?
///     .fit(&Dataset::new(x, y)?)?;
/// assert!((model.weights()[0] - 2.0).abs() < 0.01);
/// assert!((model.intercept() - 1.0).abs() < 0.05);
/// assert_eq!(model.n_features(), 1);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BayesianLinearParams {
    fit_intercept: bool,
    max_iter: usize,
    tol: f64,
}

impl Default for BayesianLinearParams {
    fn default() -> Self {
        BayesianLinearParams {
            fit_intercept: true,
            max_iter: 300,
            tol: 1e-8,
        }
    }
}

/// A fitted Bayesian linear model.
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, Array2, array};
/// use voltai_core::{Dataset, Fit, ProbabilisticRegressor};
/// use voltai_gp::BayesianLinearParams;
///
/// let x = Array2::from_shape_fn((6, 1), |(i, _)| i as f64);
/// let wiggle = |i: usize| if i % 2 == 0 { 0.01 } else { -0.01 };
/// let y = Array1::from_shape_fn(6, |i| 2.0 * i as f64 + 1.0 + wiggle(i));
/// let model = BayesianLinearParams::new().fit(&Dataset::new(x, y)?)?;
/// // At the feature mean (x = 2.5) only the noise remains; extrapolation adds
/// // parameter uncertainty.
/// let pred = model.predict_dist(array![[2.5], [20.0]].view())?;
/// assert!((pred.mean[0] - 6.0).abs() < 0.01);
/// let parts = pred.parts.as_ref().unwrap();
/// assert!(parts.epistemic[0].abs() < 1e-12);
/// assert!(parts.epistemic[1] > 0.0);
/// assert!((parts.aleatoric[0] - model.noise_variance()).abs() < 1e-15);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BayesianLinear {
    /// Posterior mean of the weights.
    weights: Array1<f64>,
    /// Posterior covariance S of the weights.
    covariance: Array2<f64>,
    intercept: f64,
    x_mean: Array1<f64>,
    alpha: f64,
    beta: f64,
    iterations: usize,
}

impl BayesianLinearParams {
    /// Evidence maximisation with an intercept (features and targets centred).
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether to fit an intercept (default true).
    pub fn fit_intercept(mut self, yes: bool) -> Self {
        self.fit_intercept = yes;
        self
    }

    /// Iteration cap (≥ 1) and relative tolerance (> 0) of the α, β updates.
    pub fn stopping(mut self, max_iter: usize, tol: f64) -> Result<Self> {
        if max_iter == 0 {
            return Err(Error::invalid_parameter("max_iter", max_iter, "[1, inf)"));
        }
        if !(tol.is_finite() && tol > 0.0) {
            return Err(Error::invalid_parameter("tol", tol, "(0, inf)"));
        }
        self.max_iter = max_iter;
        self.tol = tol;
        Ok(self)
    }
}

impl Fit for BayesianLinearParams {
    type Model = BayesianLinear;
    fn fit(&self, data: &Dataset) -> Result<BayesianLinear> {
        self.fit(&data.view())
    }
}

/// Fits on borrowed arrays without copying them into a [`Dataset`] first
/// (Bayesian optimisation refits its surrogate after every observation).
impl<'a> Fit<DatasetView<'a>> for BayesianLinearParams {
    type Model = BayesianLinear;
    fn fit(&self, data: &DatasetView<'a>) -> Result<BayesianLinear> {
        let x = data.features();
        let y = data.targets()?;
        let (n, d) = x.dim();
        if n < 2 {
            return Err(Error::EmptyInput(
                "Bayesian linear regression needs ≥ 2 rows".into(),
            ));
        }
        let x_mean = if self.fit_intercept {
            x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(d))
        } else {
            Array1::zeros(d)
        };
        let y_mean = if self.fit_intercept {
            y.mean().unwrap_or(0.0)
        } else {
            0.0
        };
        let xc = &x - &x_mean;
        let yc = y.mapv(|v| v - y_mean);
        let xtx = xc.t().dot(&xc);
        let xty = xc.t().dot(&yc);
        let var_y = yc.dot(&yc) / n as f64;
        let (mut alpha, mut beta) = (1.0, 1.0 / var_y.max(1e-12));
        let mut iterations = 0;
        let (mut m, mut s) = (Array1::zeros(d), Array2::eye(d));
        for it in 0..self.max_iter {
            iterations = it + 1;
            let mut a = &xtx * beta;
            for i in 0..d {
                a[[i, i]] += alpha;
            }
            let chol = Cholesky::new(&a)?;
            s = chol.inverse();
            m = s.dot(&xty) * beta;
            let gamma = d as f64 - alpha * s.diag().sum();
            let resid = &yc - &xc.dot(&m);
            let rss = resid.dot(&resid);
            let new_alpha = gamma / m.dot(&m).max(1e-300);
            let new_beta = (n as f64 - gamma).max(1e-12) / rss.max(1e-300);
            let done = ((new_alpha - alpha) / alpha).abs() < self.tol
                && ((new_beta - beta) / beta).abs() < self.tol;
            alpha = new_alpha;
            beta = new_beta;
            if !(alpha.is_finite() && beta.is_finite()) {
                return Err(Error::numerical(
                    "evidence maximisation",
                    "precisions diverged",
                ));
            }
            if done {
                break;
            }
        }
        let intercept = y_mean - x_mean.dot(&m);
        Ok(BayesianLinear {
            weights: m,
            covariance: s,
            intercept,
            x_mean,
            alpha,
            beta,
            iterations,
        })
    }
}

impl BayesianLinear {
    /// Posterior mean weights.
    pub fn weights(&self) -> &Array1<f64> {
        &self.weights
    }

    /// Intercept.
    pub fn intercept(&self) -> f64 {
        self.intercept
    }

    /// Weight precision α (prior).
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Noise variance 1/β: the irreducible part of every prediction.
    pub fn noise_variance(&self) -> f64 {
        1.0 / self.beta
    }

    /// Posterior covariance of the weights.
    pub fn weight_covariance(&self) -> &Array2<f64> {
        &self.covariance
    }

    /// Evidence-update iterations used.
    pub fn iterations(&self) -> usize {
        self.iterations
    }
}

impl Regressor for BayesianLinear {
    fn n_features(&self) -> usize {
        self.weights.len()
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check::predict_input(x, self.weights.len())?;
        Ok(x.dot(&self.weights) + self.intercept)
    }
}

impl ProbabilisticRegressor for BayesianLinear {
    /// Aleatoric = 1/β; epistemic = (x − x̄)ᵀ S (x − x̄).
    fn predict_dist(&self, x: ArrayView2<'_, f64>) -> Result<Predictive> {
        let mean = self.predict(x)?;
        let xc = &x - &self.x_mean;
        let epistemic = (&xc.dot(&self.covariance) * &xc).sum_axis(Axis(1));
        let aleatoric = Array1::from_elem(x.nrows(), 1.0 / self.beta);
        Predictive::from_parts(mean, epistemic, aleatoric)
    }
}

/// One point of a learning curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LearningPoint {
    /// Training-set size.
    pub n_train: usize,
    /// Mean epistemic (model) variance on the evaluation rows.
    pub model_variance: f64,
    /// Noise variance 1/β (irreducible).
    pub noise_variance: f64,
    /// RMSE on the evaluation rows.
    pub rmse: f64,
}

/// Fits on growing random subsets (sizes in `sizes`, drawn once with `seed`,
/// nested) of `train` and evaluates on `eval`: the model part of the error
/// should shrink while the noise part stays put.
pub fn learning_curve(
    params: &BayesianLinearParams,
    train: &Dataset,
    eval: &Dataset,
    sizes: &[usize],
    seed: u64,
) -> Result<Vec<LearningPoint>> {
    let mut order: Vec<usize> = (0..train.n_samples()).collect();
    order.shuffle(&mut StdRng::seed_from_u64(seed));
    let y_eval = eval.targets()?;
    sizes
        .iter()
        .map(|&n| {
            if n < 2 || n > order.len() {
                return Err(Error::invalid_parameter(
                    "size",
                    n,
                    format!("[2, {}]", order.len()),
                ));
            }
            let model = params.fit(&train.select(&order[..n])?)?;
            let p = model.predict_dist(eval.features())?;
            let epi = p
                .parts
                .as_ref()
                .map_or(0.0, |v| v.epistemic.mean().unwrap_or(0.0));
            Ok(LearningPoint {
                n_train: n,
                model_variance: epi,
                noise_variance: model.noise_variance(),
                rmse: voltai_core::metrics::rmse(y_eval, p.mean.view())?,
            })
        })
        .collect()
}

impl voltai_core::Persist for BayesianLinear {
    const KIND: &'static str = "voltai_gp::BayesianLinear";
}
