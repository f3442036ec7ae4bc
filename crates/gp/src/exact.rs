//! Exact Gaussian-process regression.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::likelihood::Problem;
use crate::linalg::Cholesky;
use crate::mean::Mean;
use crate::noise::NoiseModel;
use crate::optimize::{FitReport, OptimizerSettings, maximize};
use crate::robust;
use voltai_core::{
    Dataset, DatasetView, Error, Fit, Persist, Predictive, ProbabilisticRegressor, ProgressFn,
    Regressor, Result, check,
};
use voltai_kernels::Kernel;

/// Parameters of a GP regressor.
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_core::{Dataset, Fit, Regressor};
/// use voltai_gp::{GpParams, Mean, NoiseModel};
/// use voltai_kernels::kernels::Rbf;
///
/// let x = array![[0.0], [1.0], [2.0], [3.0]];
/// let y = array![0.0, 1.0, 0.0, -1.0];
/// // Fixed hyperparameters (no `optimize`), a constant mean and a tiny fixed noise.
/// let gp = GpParams::new(Rbf::new(1.0)?)
///     .mean(Mean::Constant)
///     .noise(NoiseModel::Fixed(1e-10))
///     .fit(&Dataset::new(x, y)?)?;
/// // Nearly noise-free: the GP interpolates its training points.
/// let pred = gp.predict(array![[1.0], [3.0]].view())?;
/// assert!((pred[0] - 1.0).abs() < 1e-6 && (pred[1] + 1.0).abs() < 1e-6);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GpParams<K> {
    kernel: K,
    mean: Mean,
    noise: NoiseModel,
    normalize_y: bool,
    optimizer: Option<OptimizerSettings>,
    /// Data-driven starts, bounds and restarts, with the degenerate-fit check
    /// and one retry ([`GpParams::optimize_auto`]).
    #[serde(default)]
    auto: bool,
}

/// A fitted GP regressor.
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_core::{Dataset, Fit, ProbabilisticRegressor};
/// use voltai_gp::GpParams;
/// use voltai_kernels::kernels::Rbf;
///
/// let x = array![[0.0], [1.0], [2.0], [3.0]];
/// let y = array![0.0, 1.0, 0.0, -1.0]; // variance 0.5
/// let gp = GpParams::new(Rbf::new(1.0)?).fit(&Dataset::new(x, y)?)?;
/// // Certain at a training point, back to the prior variance far away.
/// let pred = gp.predict_dist(array![[2.0], [10.0]].view())?;
/// assert!((pred.mean[0] - 0.0).abs() < 1e-6);
/// assert!(pred.variance[0] < 1e-6);
/// assert!((pred.variance[1] - 0.5).abs() < 1e-3);
/// assert_eq!(gp.y_scale(), 0.5f64.sqrt());
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Gp<K> {
    kernel: K,
    mean: Mean,
    noise: NoiseModel,
    noise_log_params: Vec<f64>,
    x_train: Array2<f64>,
    extra_basis: Option<Array2<f64>>,
    y_mean: f64,
    y_scale: f64,
    /// Lower Cholesky factor of K + noise (normalised units).
    l: Array2<f64>,
    alpha: Array1<f64>,
    beta: Array1<f64>,
    kinv_h: Array2<f64>,
    hkh_inv: Array2<f64>,
    jitter: f64,
    report: FitReport,
}

impl<K: Kernel + Clone> GpParams<K> {
    /// The mean function.
    pub fn mean_function(&self) -> Mean {
        self.mean
    }

    /// Zero mean on normalised targets, noise fixed at 1e-10, no optimisation.
    pub fn new(kernel: K) -> Self {
        GpParams {
            kernel,
            mean: Mean::Zero,
            noise: NoiseModel::default(),
            normalize_y: true,
            optimizer: None,
            auto: false,
        }
    }

    /// Mean function (β estimated by generalised least squares).
    pub fn mean(mut self, mean: Mean) -> Self {
        self.mean = mean;
        self
    }

    /// Observation-noise model.
    pub fn noise(mut self, noise: NoiseModel) -> Self {
        self.noise = noise;
        self
    }

    /// Standardise targets internally (default true).
    pub fn normalize_y(mut self, yes: bool) -> Self {
        self.normalize_y = yes;
        self
    }

    /// Fit hyperparameters by maximising the LML, robustly and without
    /// settings to choose: starts and bounds read from the data (length-scales
    /// from each input's range, variances from the normalised targets), the
    /// number of random restarts from the problem size, and a check after
    /// fitting. A length-scale at its lower bound, or a signal or noise
    /// variance at its upper bound, triggers one retry with more restarts; if
    /// the best optimum is still degenerate the model is returned with
    /// [`FitReport::diagnostics`] saying so. Kernel hyperparameters whose role
    /// the kernel's names do not reveal (periods, exponents) start from their
    /// given values within ×/÷ 1000.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use voltai_core::{Dataset, Fit};
    /// use voltai_gp::GpParams;
    /// use voltai_kernels::kernels::{Rbf, Scaled, Sum, White};
    ///
    /// let x = Array2::from_shape_fn((30, 1), |(i, _)| i as f64 * 10.0);
    /// let y = x.column(0).mapv(|v| (v / 60.0).sin());
    /// let kernel = Sum(Scaled::new(1.0, Rbf::new(1.0)?)?, White::new(1e-2)?);
    /// let gp = GpParams::new(kernel).optimize_auto(0).fit(&Dataset::new(x, y)?)?;
    /// assert!(gp.report().diagnostics.is_empty());
    /// # Ok::<(), voltai_core::Error>(())
    /// ```
    pub fn optimize_auto(mut self, seed: u64) -> Self {
        self = self.optimize(0, seed);
        self.auto = true;
        self
    }

    /// Fit hyperparameters by maximising the LML: `restarts` extra random starts
    /// (seeded), default bounds 1e-5 … 1e5 on every hyperparameter, starting
    /// from the kernel's given values (scikit-learn's procedure).
    pub fn optimize(mut self, restarts: usize, seed: u64) -> Self {
        self.auto = false;
        let n = self.kernel.log_params().len() + self.noise.n_params();
        self.optimizer = Some(OptimizerSettings {
            restarts,
            seed,
            bounds: vec![(1e-5, 1e5); n],
            max_iter: 200,
            priors: Vec::new(),
            start_box: None,
        });
        self
    }

    /// The same settings with more and different random restarts (the retry
    /// after a degenerate fit); `None` without an optimiser.
    pub(crate) fn with_more_restarts(&self) -> Option<Self> {
        let settings = self.optimizer.as_ref()?;
        let mut more = self.clone();
        more.optimizer = Some(OptimizerSettings {
            restarts: 2 * settings.restarts + 4,
            seed: settings.seed.wrapping_add(0x9e37_79b9),
            ..settings.clone()
        });
        Some(more)
    }

    /// Full control of the optimiser (bounds, priors, iterations).
    pub fn optimizer(mut self, settings: OptimizerSettings) -> Result<Self> {
        let n = self.kernel.log_params().len() + self.noise.n_params();
        crate::optimize::check_bounds(&settings.bounds, n)?;
        self.auto = false;
        for p in &settings.priors {
            if p.index >= n || !(p.std.is_finite() && p.std > 0.0) || !p.mean.is_finite() {
                return Err(Error::InvalidInput(format!(
                    "invalid prior {p:?} for {n} hyperparameters"
                )));
            }
        }
        self.optimizer = Some(settings);
        Ok(self)
    }

    /// Fits, reporting each optimiser run to `progress` (task `"gp restarts"`,
    /// step = runs done, figure `"objective"`: the log marginal likelihood
    /// plus log prior reached by that run).
    pub fn fit_with_progress(
        &self,
        data: &Dataset,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Gp<K>> {
        self.fit_with_basis(data.view(), None, progress)
    }

    /// Names of every hyperparameter: the kernel's, then `group_noise[g]`.
    pub(crate) fn hyper_names(&self) -> Vec<String> {
        let mut names = self.kernel.param_names();
        names.resize(self.kernel.log_params().len(), String::from("kernel"));
        names.extend((0..self.noise.n_params()).map(|g| format!("group_noise[{g}]")));
        names
    }

    /// Checks the data and builds the likelihood's inputs (normalised targets, basis).
    pub(crate) fn prepare(
        &self,
        data: DatasetView<'_>,
        extra: Option<&Array2<f64>>,
    ) -> Result<Prepared> {
        let x = data.features();
        self.kernel.check_input(x)?;
        let y = data.targets()?;
        let n = y.len();
        self.noise.check(n)?;
        let (y_mean, y_scale) = if self.normalize_y {
            let m = y.mean().unwrap_or(0.0);
            let s = (y.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n as f64).sqrt();
            (m, if s > 0.0 { s } else { 1.0 })
        } else {
            (0.0, 1.0)
        };
        let y_norm = y.mapv(|v| (v - y_mean) / y_scale);
        let basis = self.mean.basis(x, extra.map(|e| e.view()))?;
        if basis.ncols() >= n && basis.ncols() > 0 {
            return Err(Error::InvalidInput(format!(
                "{} mean-basis columns need more than {n} training points",
                basis.ncols()
            )));
        }
        let mut theta0 = self.kernel.log_params();
        theta0.extend(self.noise.initial_log_params());
        Ok(Prepared {
            y_mean,
            y_scale,
            y_norm,
            basis,
            theta0,
        })
    }

    /// The likelihood problem over prepared data.
    pub(crate) fn problem<'a>(&'a self, x: ArrayView2<'a, f64>, p: &'a Prepared) -> Problem<'a, K> {
        Problem {
            kernel: &self.kernel,
            x,
            y: p.y_norm.view(),
            basis: &p.basis,
            noise: &self.noise,
            y_scale: p.y_scale,
        }
    }

    /// Fit with extra mean-basis columns (co-kriging passes the lower-fidelity prediction).
    pub(crate) fn fit_with_basis(
        &self,
        data: DatasetView<'_>,
        extra: Option<Array2<f64>>,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Gp<K>> {
        let x = data.features();
        let prepared = self.prepare(data, extra.as_ref())?;
        let problem = self.problem(x, &prepared);
        let names = self.hyper_names();
        let f = |t: &[f64]| problem.lml_grad(t);
        let (theta, report) = match &self.optimizer {
            Some(settings) if self.auto => {
                let (theta0, mut auto) =
                    robust::auto_settings(&names, &prepared.theta0, x, x.nrows(), settings.seed);
                // Restarts asked for on top (a co-kriging retry adds some).
                auto.restarts += settings.restarts;
                robust::maximize_checked(&f, &names, &theta0, &auto, progress)?
            }
            Some(settings) => {
                let (theta, mut report) = maximize(&f, &prepared.theta0, settings, progress)?;
                report.diagnostics = robust::at_bounds(&names, &theta, &settings.bounds);
                (theta, report)
            }
            None => (
                prepared.theta0.clone(),
                FitReport {
                    log_marginal_likelihood: f64::NAN,
                    runs: Vec::new(),
                    diagnostics: Vec::new(),
                },
            ),
        };
        self.assemble(x, &prepared, extra, &theta, report)
    }

    /// The fitted model at log-hyperparameters `theta`.
    pub(crate) fn assemble(
        &self,
        x: ArrayView2<'_, f64>,
        prepared: &Prepared,
        extra: Option<Array2<f64>>,
        theta: &[f64],
        report: FitReport,
    ) -> Result<Gp<K>> {
        let f = self.problem(x, prepared).factorize(theta)?;
        let mut kernel = self.kernel.clone();
        let nk = kernel.log_params().len();
        kernel.set_log_params(&theta[..nk])?;
        Ok(Gp {
            kernel,
            mean: self.mean,
            noise: self.noise.clone(),
            noise_log_params: theta[nk..].to_vec(),
            x_train: x.to_owned(),
            extra_basis: extra,
            y_mean: prepared.y_mean,
            y_scale: prepared.y_scale,
            l: crate::linalg::to_nd(f.chol.l()),
            alpha: f.alpha,
            beta: f.beta,
            kinv_h: f.kinv_h,
            hkh_inv: f.hkh_inv,
            jitter: f.chol.jitter,
            report: FitReport {
                log_marginal_likelihood: f.lml,
                ..report
            },
        })
    }
}

/// Normalised targets, mean basis and initial hyperparameters of one fit.
pub(crate) struct Prepared {
    pub y_mean: f64,
    pub y_scale: f64,
    pub y_norm: Array1<f64>,
    pub basis: Array2<f64>,
    pub theta0: Vec<f64>,
}

impl<K: Kernel + Clone> Fit for GpParams<K> {
    type Model = Gp<K>;
    fn fit(&self, data: &Dataset) -> Result<Gp<K>> {
        self.fit_with_progress(data, &mut |_| {})
    }
}

/// Latent (noise-free) predictive mean and covariance pieces.
struct Latent {
    mean: Array1<f64>,
    /// v = L⁻¹ K*ᵀ (n_train × n_test).
    v: Array2<f64>,
    /// Basis correction R = H*ᵀ − HᵀK⁻¹K*ᵀ (m × n_test).
    r: Array2<f64>,
}

impl<K: Kernel + Clone> Gp<K> {
    /// The kernel with fitted hyperparameters.
    pub fn kernel(&self) -> &K {
        &self.kernel
    }

    /// Fitting report: final LML and every optimiser run.
    pub fn report(&self) -> &FitReport {
        &self.report
    }

    /// Log marginal likelihood at the fitted hyperparameters (normalised targets,
    /// as scikit-learn's `log_marginal_likelihood_value_` with `normalize_y=True`).
    pub fn log_marginal_likelihood(&self) -> f64 {
        self.report.log_marginal_likelihood
    }

    /// Learned noise variances per group (original target units), if any.
    pub fn group_noise(&self) -> Vec<f64> {
        self.noise_log_params
            .iter()
            .map(|v| v.exp() * self.y_scale * self.y_scale)
            .collect()
    }

    /// Standard deviation used to normalise the targets (1 without normalisation).
    pub fn y_scale(&self) -> f64 {
        self.y_scale
    }

    /// Diagonal jitter that had to be added for the Cholesky factorisation (0 if none).
    pub fn jitter(&self) -> f64 {
        self.jitter
    }

    /// Names and fitted log-values of every hyperparameter (kernel, then
    /// `group_noise[g]`); variances in normalised target units.
    pub(crate) fn hyperparameters(&self) -> (Vec<String>, Vec<f64>) {
        let mut names = self.kernel.param_names();
        let mut theta = self.kernel.log_params();
        names.resize(theta.len(), String::from("kernel"));
        names.extend((0..self.noise_log_params.len()).map(|g| format!("group_noise[{g}]")));
        theta.extend(self.noise_log_params.iter().copied());
        (names, theta)
    }

    /// GLS mean coefficients β (normalised units).
    pub fn mean_coefficients(&self) -> &Array1<f64> {
        &self.beta
    }

    fn latent(&self, x: ArrayView2<'_, f64>, extra: Option<ArrayView2<'_, f64>>) -> Result<Latent> {
        check::predict_input(x, self.x_train.ncols())?;
        self.kernel.check_input(x)?;
        let ks = self.kernel.gram(x, self.x_train.view())?; // n_test × n_train
        let mut mean = ks.dot(&self.alpha);
        let chol_l = crate::linalg::to_faer(self.l.view());
        let mut v = crate::linalg::to_faer(ks.t());
        faer::linalg::triangular_solve::solve_lower_triangular_in_place(
            chol_l.as_ref(),
            v.as_mut(),
            faer::get_global_parallelism(),
        );
        let v = crate::linalg::to_nd(v.as_ref());
        let m = self.beta.len();
        let r = if m > 0 {
            let hs = self.mean.basis(x, extra)?;
            if hs.ncols() != m {
                return Err(Error::shape_mismatch(
                    "mean basis at prediction",
                    [x.nrows(), m],
                    [x.nrows(), hs.ncols()],
                ));
            }
            mean = mean + hs.dot(&self.beta);
            &hs.t() - &self.kinv_h.t().dot(&ks.t())
        } else {
            Array2::zeros((0, x.nrows()))
        };
        Ok(Latent { mean, v, r })
    }

    fn prior_diag(&self, x: ArrayView2<'_, f64>) -> (Array1<f64>, Array1<f64>) {
        // Latent prior variance k(x, x) between *distinct* evaluations, and the
        // kernel's own noise part (white terms) = k_same(x) − k(x, x).
        let xs = x.as_standard_layout();
        let mut latent = Array1::zeros(x.nrows());
        let mut white = Array1::zeros(x.nrows());
        for (i, row) in xs.rows().into_iter().enumerate() {
            let a = row.as_slice().unwrap_or(&[]);
            latent[i] = self.kernel.eval(a, a);
            white[i] = self.kernel.eval_same(a) - latent[i];
        }
        (latent, white)
    }

    pub(crate) fn predict_with_extra(
        &self,
        x: ArrayView2<'_, f64>,
        extra: Option<ArrayView2<'_, f64>>,
        of: Predict,
    ) -> Result<Predictive> {
        let lat = self.latent(x, extra)?;
        let (prior, white) = self.prior_diag(x);
        let mut epi = &prior - &lat.v.map(|v| v * v).sum_axis(Axis(0));
        if !self.beta.is_empty() {
            let corr = (&lat.r * &self.hkh_inv.dot(&lat.r)).sum_axis(Axis(0));
            epi = epi + corr;
        }
        let s2 = self.y_scale * self.y_scale;
        let epistemic = epi.mapv(|v| v.max(0.0) * s2);
        let noise = self.observation_noise(of)?;
        let aleatoric = match of {
            Predict::Latent => Array1::zeros(x.nrows()),
            _ => white.mapv(|w| (w * s2 + noise).max(0.0)),
        };
        let mean = lat.mean.mapv(|m| m * self.y_scale + self.y_mean);
        Predictive::from_parts(mean, epistemic, aleatoric)
    }

    /// Variance of a new observation's noise beyond the kernel's white terms
    /// (original units), or why it is not known.
    fn observation_noise(&self, of: Predict) -> Result<f64> {
        match (of, &self.noise) {
            (Predict::Latent, _) => Ok(0.0),
            (Predict::Observation, NoiseModel::Fixed(v)) => Ok(*v),
            (Predict::Observation, NoiseModel::PerGroup { .. }) => Err(Error::InvalidInput(
                "this GP learned one noise level per group: ask for Predict::ObservationInGroup(g) \
                 (or Predict::Latent for the noise-free function)"
                    .into(),
            )),
            (Predict::Observation, NoiseModel::PerPoint(_)) => Err(Error::InvalidInput(
                "this GP knows the noise of its training points only: ask for \
                 Predict::ObservationWithNoise(variance) or Predict::Latent"
                    .into(),
            )),
            (Predict::ObservationInGroup(g), NoiseModel::PerGroup { .. }) => self
                .group_noise()
                .get(g)
                .copied()
                .ok_or_else(|| Error::invalid_parameter("group", g, "a group seen in fitting")),
            (Predict::ObservationInGroup(_), _) => Err(Error::InvalidInput(
                "Predict::ObservationInGroup needs a GP fitted with NoiseModel::PerGroup".into(),
            )),
            (Predict::ObservationWithNoise(v), _) => {
                if v.is_finite() && v >= 0.0 {
                    Ok(v)
                } else {
                    Err(Error::invalid_parameter("noise variance", v, "[0, inf)"))
                }
            }
        }
    }

    /// The predictive distribution of the quantity named by `of`: the latent
    /// function (no observation noise), or a new observation with the noise
    /// the model learned or was given. `variance` is always the total for
    /// that quantity; `parts` splits it into the function's (epistemic) and
    /// the noise's (aleatoric) share.
    ///
    /// ```
    /// use ndarray::{array, Array2};
    /// use voltai_core::{Dataset, Fit};
    /// use voltai_gp::{GpParams, NoiseModel, Predict};
    /// use voltai_kernels::kernels::{Rbf, Scaled};
    ///
    /// // Two sources: a noisy one (group 0) and a precise one (group 1).
    /// let x = Array2::from_shape_fn((40, 1), |(i, _)| (i % 20) as f64 / 19.0);
    /// let y = x.column(0).mapv(|v| (5.0 * v).sin())
    ///     + &Array2::from_shape_fn((40, 1), |(i, _)| if i < 20 { 0.3 * ((i * 7 % 5) as f64 - 2.0) } else { 0.0 }).column(0);
    /// let groups = (0..40).map(|i| usize::from(i >= 20)).collect();
    /// let gp = GpParams::new(Scaled::new(1.0, Rbf::new(0.3)?)?)
    ///     .noise(NoiseModel::PerGroup { groups, initial: vec![0.1, 0.01] })
    ///     .optimize_auto(0)
    ///     .fit(&Dataset::new(x, y)?)?;
    /// let at = array![[0.5]];
    /// let f = gp.predictive(at.view(), Predict::Latent)?;
    /// let noisy = gp.predictive(at.view(), Predict::ObservationInGroup(0))?;
    /// assert!(noisy.variance[0] > f.variance[0] + 0.5 * gp.group_noise()[0]);
    /// // Which noise to add is not guessed.
    /// assert!(gp.predictive(at.view(), Predict::Observation).is_err());
    /// # Ok::<(), voltai_core::Error>(())
    /// ```
    pub fn predictive(&self, x: ArrayView2<'_, f64>, of: Predict) -> Result<Predictive> {
        if self.extra_basis.is_some() {
            return Err(Error::InvalidInput(
                "this GP needs its co-kriging wrapper to predict".into(),
            ));
        }
        self.predict_with_extra(x, None, of)
    }

    /// Latent posterior covariance between the rows of `x` (original units).
    pub fn predict_covariance(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let lat = self.latent(x, None)?;
        let mut cov = self.kernel.gram(x, x)? - lat.v.t().dot(&lat.v);
        if !self.beta.is_empty() {
            cov = cov + lat.r.t().dot(&self.hkh_inv.dot(&lat.r));
        }
        Ok(cov * (self.y_scale * self.y_scale))
    }

    /// Latent posterior covariance between the rows of `a` and the rows of
    /// `b` (`a.nrows() × b.nrows()`, original units): what noisy expected
    /// improvement needs between candidates and the observed points,
    /// without the full joint matrix of both.
    ///
    /// ```
    /// use ndarray::{array, Array2};
    /// use voltai_core::{Dataset, Fit};
    /// use voltai_gp::GpParams;
    /// use voltai_kernels::kernels::{Rbf, Scaled, Sum, White};
    ///
    /// let x = Array2::from_shape_fn((8, 1), |(i, _)| i as f64 / 7.0);
    /// let y = x.column(0).mapv(|v| (4.0 * v).sin());
    /// let kernel = Sum(Scaled::new(1.0, Rbf::new(0.3)?)?, White::new(1e-2)?);
    /// let gp = GpParams::new(kernel).fit(&Dataset::new(x, y)?)?;
    /// let (a, b) = (array![[0.2], [0.9]], array![[0.5]]);
    /// let both = ndarray::concatenate![ndarray::Axis(0), a, b];
    /// let joint = gp.predict_covariance(both.view())?;
    /// let cross = gp.predict_cross_covariance(a.view(), b.view())?;
    /// assert!((cross[[0, 0]] - joint[[0, 2]]).abs() < 1e-12);
    /// assert!((cross[[1, 0]] - joint[[1, 2]]).abs() < 1e-12);
    /// # Ok::<(), voltai_core::Error>(())
    /// ```
    pub fn predict_cross_covariance(
        &self,
        a: ArrayView2<'_, f64>,
        b: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>> {
        if self.extra_basis.is_some() {
            return Err(Error::InvalidInput(
                "this GP needs its co-kriging wrapper to predict".into(),
            ));
        }
        let la = self.latent(a, None)?;
        let lb = self.latent(b, None)?;
        let mut cov = self.kernel.gram(a, b)? - la.v.t().dot(&lb.v);
        if !self.beta.is_empty() {
            cov = cov + la.r.t().dot(&self.hkh_inv.dot(&lb.r));
        }
        Ok(cov * (self.y_scale * self.y_scale))
    }

    /// `n_samples` draws of the latent function at the rows of `x` (n_samples × n).
    pub fn sample(
        &self,
        x: ArrayView2<'_, f64>,
        n_samples: usize,
        seed: u64,
    ) -> Result<Array2<f64>> {
        let mean = self.predict_with_extra(x, None, Predict::Latent)?.mean;
        let cov = self.predict_covariance(x)?;
        let chol = Cholesky::new(&cov)?;
        let l = crate::linalg::to_nd(chol.l());
        let mut rng = StdRng::seed_from_u64(seed);
        let n = x.nrows();
        let z = Array2::from_shape_simple_fn((n, n_samples), || StandardNormal.sample(&mut rng));
        Ok((l.dot(&z) + &mean.insert_axis(Axis(1))).reversed_axes())
    }
}

impl<K: Kernel + Clone> Regressor for Gp<K> {
    fn n_features(&self) -> usize {
        self.x_train.ncols()
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        if self.extra_basis.is_some() {
            return Err(Error::InvalidInput(
                "this GP needs its co-kriging wrapper to predict".into(),
            ));
        }
        Ok(self
            .latent(x, None)?
            .mean
            .mapv(|m| m * self.y_scale + self.y_mean))
    }
}

impl<K: Kernel + Clone> ProbabilisticRegressor for Gp<K> {
    /// Mean and variance of a new *observation*: epistemic = latent posterior
    /// variance, aleatoric = the kernel's white-noise part plus a fixed noise
    /// (`predictive(x, Predict::Observation)`). A GP with per-group or
    /// per-point noise does not know which noise a new observation has and
    /// answers with an error naming the [`Gp::predictive`] call to make.
    fn predict_dist(&self, x: ArrayView2<'_, f64>) -> Result<Predictive> {
        self.predictive(x, Predict::Observation)
    }
}

/// Which quantity a predictive distribution describes ([`Gp::predictive`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Predict {
    /// The noise-free latent function f(x): no observation noise.
    Latent,
    /// A new observation y = f(x) + ε with the model's single noise level
    /// (white kernel terms and a fixed noise).
    Observation,
    /// A new observation from noise group `g` of a [`NoiseModel::PerGroup`] fit.
    ObservationInGroup(usize),
    /// A new observation whose noise variance (original units) you know,
    /// added to any white kernel terms.
    ObservationWithNoise(f64),
}

/// Fits on borrowed arrays without copying them into a [`Dataset`] first
/// (Bayesian optimisation refits its surrogate after every observation).
impl<'a, K: Kernel + Clone> Fit<DatasetView<'a>> for GpParams<K> {
    type Model = Gp<K>;
    fn fit(&self, data: &DatasetView<'a>) -> Result<Gp<K>> {
        self.fit_with_basis(*data, None, &mut |_| {})
    }
}

impl<K: Kernel + Serialize + serde::de::DeserializeOwned> Persist for Gp<K> {
    const KIND: &'static str = "voltai_gp::Gp";
}
