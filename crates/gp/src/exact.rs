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

    /// Fit hyperparameters by maximising the LML: `restarts` extra random starts
    /// (seeded), default bounds 1e-5 … 1e5 on every hyperparameter.
    pub fn optimize(mut self, restarts: usize, seed: u64) -> Self {
        let n = self.kernel.log_params().len() + self.noise.n_params();
        self.optimizer = Some(OptimizerSettings {
            restarts,
            seed,
            bounds: vec![(1e-5, 1e5); n],
            max_iter: 200,
            priors: Vec::new(),
        });
        self
    }

    /// Full control of the optimiser (bounds, priors, iterations).
    pub fn optimizer(mut self, settings: OptimizerSettings) -> Result<Self> {
        let n = self.kernel.log_params().len() + self.noise.n_params();
        crate::optimize::check_bounds(&settings.bounds, n)?;
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

    /// Fit with extra mean-basis columns (co-kriging passes the lower-fidelity prediction).
    pub(crate) fn fit_with_basis(
        &self,
        data: DatasetView<'_>,
        extra: Option<Array2<f64>>,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Gp<K>> {
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
        let basis = self.mean.basis(x, extra.as_ref().map(|e| e.view()))?;
        if basis.ncols() >= n && basis.ncols() > 0 {
            return Err(Error::InvalidInput(format!(
                "{} mean-basis columns need more than {n} training points",
                basis.ncols()
            )));
        }
        let problem = Problem {
            kernel: &self.kernel,
            x,
            y: y_norm.view(),
            basis: &basis,
            noise: &self.noise,
            y_scale,
        };
        let mut theta0 = self.kernel.log_params();
        theta0.extend(self.noise.initial_log_params());
        let (theta, report) = match &self.optimizer {
            Some(settings) => {
                let f = |t: &[f64]| problem.lml_grad(t);
                maximize(&f, &theta0, settings, progress)?
            }
            None => {
                let lml = problem.factorize(&theta0)?.lml;
                (
                    theta0.clone(),
                    FitReport {
                        log_marginal_likelihood: lml,
                        runs: Vec::new(),
                    },
                )
            }
        };
        let f = problem.factorize(&theta)?;
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
            y_mean,
            y_scale,
            l: crate::linalg::to_nd(f.chol.l()),
            alpha: f.alpha,
            beta: f.beta,
            kinv_h: f.kinv_h,
            hkh_inv: f.hkh_inv,
            jitter: f.chol.jitter,
            report: FitReport {
                log_marginal_likelihood: f.lml,
                runs: report.runs,
            },
        })
    }
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

    fn homoscedastic_noise(&self) -> f64 {
        match &self.noise {
            NoiseModel::Fixed(v) => *v / (self.y_scale * self.y_scale),
            _ => 0.0,
        }
    }

    pub(crate) fn predict_with_extra(
        &self,
        x: ArrayView2<'_, f64>,
        extra: Option<ArrayView2<'_, f64>>,
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
        let aleatoric = white.mapv(|w| (w + self.homoscedastic_noise()).max(0.0) * s2);
        let mean = lat.mean.mapv(|m| m * self.y_scale + self.y_mean);
        Predictive::from_parts(mean, epistemic, aleatoric)
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

    /// `n_samples` draws of the latent function at the rows of `x` (n_samples × n).
    pub fn sample(
        &self,
        x: ArrayView2<'_, f64>,
        n_samples: usize,
        seed: u64,
    ) -> Result<Array2<f64>> {
        let mean = self.predict_with_extra(x, None)?.mean;
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
    /// variance, aleatoric = the kernel's white-noise part plus a fixed noise.
    fn predict_dist(&self, x: ArrayView2<'_, f64>) -> Result<Predictive> {
        if self.extra_basis.is_some() {
            return Err(Error::InvalidInput(
                "this GP needs its co-kriging wrapper to predict".into(),
            ));
        }
        self.predict_with_extra(x, None)
    }
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
