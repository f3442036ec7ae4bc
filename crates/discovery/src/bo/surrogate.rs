//! Surrogate models: anything with a predictive mean and variance.

use std::fmt::Debug;
use std::marker::PhantomData;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use voltai_core::synthetic::SplitMix64;
use voltai_core::{DatasetView, Error, Fit, Predictive, ProbabilisticRegressor, Result};
use voltai_gp::{Gp, GpParams, LogNormalPrior, Mean, OptimizerSettings};
use voltai_kernels::Kernel;
use voltai_kernels::kernels::{Matern, MaternNu, Rbf, Scaled, Sum, White};

/// Fits a model of the (standardised) objective on unit-cube inputs.
pub trait Surrogate: Send + Sync + Debug {
    /// Fits `y` at the rows of `x`; `seed` varies between calls so randomised
    /// fits (restarts) stay reproducible.
    fn fit(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        seed: u64,
    ) -> Result<Box<dyn FittedSurrogate>>;
}

/// A fitted surrogate.
pub trait FittedSurrogate: Send + Sync {
    /// The predictive distribution of the latent objective at each row of
    /// `x`: its `variance` excludes observation noise where the model
    /// separates it (the epistemic part), which is what acquisition
    /// functions need.
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Predictive>;

    /// `n` joint posterior draws at the rows of `x` (`n × rows`). The default
    /// draws each point independently from its marginal, which is all a
    /// generic mean-and-variance model offers.
    fn sample_joint(&self, x: ArrayView2<'_, f64>, n: usize, seed: u64) -> Result<Array2<f64>> {
        let Predictive {
            mean,
            variance: var,
            ..
        } = self.predict(x)?;
        let mut rng = SplitMix64::new(seed);
        Ok(Array2::from_shape_fn((n, x.nrows()), |(_, j)| {
            mean[j] + var[j].max(0.0).sqrt() * rng.normal()
        }))
    }

    /// The latent posterior covariance between the rows of `a` and of `b`
    /// (`a.nrows() × b.nrows()`), where the model has a joint posterior;
    /// `None` where it has only marginals. Noisy expected improvement
    /// needs it.
    fn cross_covariance(
        &self,
        _a: ArrayView2<'_, f64>,
        _b: ArrayView2<'_, f64>,
    ) -> Option<Result<Array2<f64>>> {
        None
    }

    /// The model refitted with extra (fantasy) observations and the same
    /// hyperparameters, for batch proposals by the kriging believer. `None`
    /// means "refit through the surrogate".
    fn condition_on(
        &self,
        _x: ArrayView2<'_, f64>,
        _y: ArrayView1<'_, f64>,
    ) -> Option<Result<Box<dyn FittedSurrogate>>> {
        None
    }
}

/// The default surrogate: an exact GP with a scaled ARD squared-exponential
/// kernel plus a learned white-noise term, hyperparameters by multi-start
/// L-BFGS-B within bounds suited to unit-cube inputs and standardised outputs.
#[derive(Debug, Clone)]
pub struct GpSurrogate {
    restarts: usize,
    noise_bounds: (f64, f64),
    lengthscale_bounds: (f64, f64),
    variance_bounds: (f64, f64),
    priors: bool,
    kernel: SurrogateKernel,
    mean: Mean,
}

impl Default for GpSurrogate {
    fn default() -> Self {
        GpSurrogate {
            restarts: 1,
            noise_bounds: (1e-6, 0.1),
            lengthscale_bounds: (0.02, 10.0),
            variance_bounds: (0.05, 20.0),
            priors: false,
            kernel: SurrogateKernel::SquaredExponential,
            mean: Mean::Zero,
        }
    }
}

/// The stationary kernel of [`GpSurrogate`] (ARD, on the unit cube).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SurrogateKernel {
    /// Squared exponential (the default): very smooth objectives.
    SquaredExponential,
    /// Matérn-5/2 (BoTorch's default before 0.12; since then an RBF under
    /// the priors of [`GpSurrogate::priors`]): twice differentiable, less
    /// confident far from the data.
    Matern52,
}

impl GpSurrogate {
    /// Default settings: 1 extra random restart, signal variance in
    /// [0.05, 20], length scales in [0.02, 10] (unit-cube inputs), noise
    /// variance in [1e-6, 0.1] (standardised outputs).
    pub fn new() -> Self {
        Self::default()
    }

    /// MAP hyperparameters under BoTorch's default priors (Hvarfner et al.
    /// 2024): ℓ ~ LogNormal(√2 + ½ ln d, √3) on every length scale of the
    /// unit cube, so the typical length scale grows with the dimension d,
    /// and σ²_noise ~ LogNormal(−4, 1). As in gpytorch, the densities are
    /// those of ℓ and σ² themselves, so the most probable ln ℓ is
    /// √2 + ½ ln d − 3 (ℓ ≈ 0.5 for d = 6). With few observations in
    /// several dimensions maximum likelihood tends to short, overconfident
    /// length scales. Tested against BoTorch's fit on the same data.
    pub fn priors(mut self, on: bool) -> Self {
        self.priors = on;
        self
    }

    /// The GP's mean function: [`Mean::Zero`] (the default, on the
    /// standardised objective), or an unknown constant or linear trend
    /// estimated with the hyperparameters (universal kriging), which keeps
    /// a global trend out of the kernel where few points are observed. A
    /// linear trend needs more observations than its d + 1 coefficients
    /// plus one; with fewer the fit uses a constant.
    pub fn mean(mut self, mean: Mean) -> Self {
        self.mean = mean;
        self
    }

    /// The kernel (see [`SurrogateKernel`]).
    pub fn kernel(mut self, kernel: SurrogateKernel) -> Self {
        self.kernel = kernel;
        self
    }

    /// Extra random restarts of the hyperparameter search.
    pub fn restarts(mut self, restarts: usize) -> Self {
        self.restarts = restarts;
        self
    }

    /// Bounds of the length scales (unit-cube inputs). Safe mode needs a
    /// modest upper bound: it encodes how far one safe observation vouches
    /// for its neighbours (SafeOpt's regularity assumption).
    pub fn lengthscale_bounds(mut self, low: f64, high: f64) -> Result<Self> {
        if !(low > 0.0 && low < high && high.is_finite()) {
            return Err(Error::InvalidInput(format!(
                "length-scale bounds must satisfy 0 < low < high, got [{low}, {high}]"
            )));
        }
        self.lengthscale_bounds = (low, high);
        Ok(self)
    }

    /// Bounds of the signal variance (standardised outputs).
    pub fn variance_bounds(mut self, low: f64, high: f64) -> Result<Self> {
        if !(low > 0.0 && low < high && high.is_finite()) {
            return Err(Error::InvalidInput(format!(
                "variance bounds must satisfy 0 < low < high, got [{low}, {high}]"
            )));
        }
        self.variance_bounds = (low, high);
        Ok(self)
    }

    /// Bounds of the (standardised) noise variance; use a higher upper bound
    /// for noisy experiments.
    pub fn noise_bounds(mut self, low: f64, high: f64) -> Result<Self> {
        if !(low > 0.0 && low < high && high.is_finite()) {
            return Err(Error::InvalidInput(format!(
                "noise bounds must satisfy 0 < low < high, got [{low}, {high}]"
            )));
        }
        self.noise_bounds = (low, high);
        Ok(self)
    }
}

impl Surrogate for GpSurrogate {
    fn fit(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        seed: u64,
    ) -> Result<Box<dyn FittedSurrogate>> {
        let d = x.ncols();
        let (l_lo, l_hi) = self.lengthscale_bounds;
        let start = vec![0.3f64.clamp(l_lo, l_hi); d];
        match self.kernel {
            SurrogateKernel::SquaredExponential => self.fit_kernel(Rbf::ard(start)?, x, y, seed),
            SurrogateKernel::Matern52 => {
                self.fit_kernel(Matern::ard(MaternNu::FiveHalves, start)?, x, y, seed)
            }
        }
    }
}

impl GpSurrogate {
    /// σ²·`base` + white noise, hyperparameters within the bounds (and
    /// under the priors, when on).
    fn fit_kernel<K: Kernel + Clone + Debug + Send + Sync + 'static>(
        &self,
        base: K,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        seed: u64,
    ) -> Result<Box<dyn FittedSurrogate>> {
        let d = x.ncols();
        let (v_lo, v_hi) = self.variance_bounds;
        let kernel = Sum(
            Scaled::new(1.0f64.clamp(v_lo, v_hi), base)?,
            White::new(self.noise_bounds.0.max(1e-4).min(self.noise_bounds.1))?,
        );
        let mut bounds = vec![self.variance_bounds];
        bounds.extend(std::iter::repeat_n(self.lengthscale_bounds, d));
        bounds.push(self.noise_bounds);
        let mean = match self.mean {
            Mean::Linear if x.nrows() <= d + 2 => Mean::Constant,
            m => m,
        };
        let params = GpParams::new(kernel)
            .mean(mean)
            .normalize_y(false)
            .optimizer(OptimizerSettings {
                restarts: self.restarts,
                seed,
                bounds,
                max_iter: 100,
                priors: if self.priors {
                    // BoTorch's MAP adds the log density of ℓ itself,
                    // ln N(ln ℓ; μ, s²) − ln ℓ, which is a normal on ln ℓ
                    // centred at μ − s² (up to a constant): its mode for
                    // d = 6 is ℓ ≈ 0.5, not e^μ ≈ 10. Our priors act on the
                    // log-parameters, so the centre carries that shift.
                    let jacobian = |mean: f64, std: f64| mean - std * std;
                    let loc = std::f64::consts::SQRT_2 + 0.5 * (d as f64).ln();
                    let std = 3f64.sqrt();
                    // [ln σ², ln ℓ₁ … ln ℓ_d, ln noise]
                    (1..=d)
                        .map(|index| LogNormalPrior {
                            index,
                            mean: jacobian(loc, std),
                            std,
                        })
                        .chain(std::iter::once(LogNormalPrior {
                            index: d + 1,
                            mean: jacobian(-4.0, 1.0),
                            std: 1.0,
                        }))
                        .collect()
                } else {
                    Vec::new()
                },
                start_box: None,
            })?;
        let gp = params.fit(&DatasetView::new(x, y)?)?;
        Ok(Box::new(GpFitted {
            gp,
            mean,
            x: x.to_owned(),
            y: y.to_owned(),
        }))
    }
}

struct GpFitted<K> {
    gp: Gp<K>,
    mean: Mean,
    x: Array2<f64>,
    y: Array1<f64>,
}

impl<K: Kernel + Clone + Debug + Send + Sync + 'static> FittedSurrogate for GpFitted<K> {
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Predictive> {
        latent(&self.gp, x)
    }

    fn sample_joint(&self, x: ArrayView2<'_, f64>, n: usize, seed: u64) -> Result<Array2<f64>> {
        self.gp.sample(x, n, seed)
    }

    fn cross_covariance(
        &self,
        a: ArrayView2<'_, f64>,
        b: ArrayView2<'_, f64>,
    ) -> Option<Result<Array2<f64>>> {
        Some(self.gp.predict_cross_covariance(a, b))
    }

    fn condition_on(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
    ) -> Option<Result<Box<dyn FittedSurrogate>>> {
        let fit = || -> Result<Box<dyn FittedSurrogate>> {
            let xs = ndarray::concatenate(ndarray::Axis(0), &[self.x.view(), x])
                .map_err(|e| Error::numerical("fantasy data", e.to_string()))?;
            let ys = ndarray::concatenate(ndarray::Axis(0), &[self.y.view(), y])
                .map_err(|e| Error::numerical("fantasy data", e.to_string()))?;
            let gp = GpParams::new(self.gp.kernel().clone())
                .mean(self.mean)
                .normalize_y(false)
                .fit(&DatasetView::new(xs.view(), ys.view())?)?;
            Ok(Box::new(GpFitted {
                gp,
                mean: self.mean,
                x: xs,
                y: ys,
            }))
        };
        Some(fit())
    }
}

/// The latent predictive of `m`: the epistemic part of the variance where
/// the model splits it, the total variance otherwise.
fn latent<M: ProbabilisticRegressor>(m: &M, x: ArrayView2<'_, f64>) -> Result<Predictive> {
    let p = m.predict_dist(x)?;
    match p.parts {
        Some(parts) => Predictive::new(p.mean, parts.epistemic),
        None => Ok(p),
    }
}

/// Any parameters that fit borrowed arrays (`Fit<DatasetView>`) into a
/// [`ProbabilisticRegressor`] (a GP with another kernel, a Bayesian linear
/// model, …) as a surrogate.
pub struct ParamsSurrogate<P> {
    params: P,
    _model: PhantomData<fn() -> P>,
}

impl<P: Debug> Debug for ParamsSurrogate<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParamsSurrogate")
            .field("params", &self.params)
            .finish()
    }
}

impl<P> ParamsSurrogate<P> {
    /// Wraps `params`.
    pub fn new(params: P) -> Self {
        ParamsSurrogate {
            params,
            _model: PhantomData,
        }
    }
}

struct ModelFitted<M>(M);

impl<M: ProbabilisticRegressor + Send + Sync> FittedSurrogate for ModelFitted<M> {
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Predictive> {
        latent(&self.0, x)
    }
}

/// The observations reach the params as a [`DatasetView`]: no copy per
/// refit.
impl<P, M> Surrogate for ParamsSurrogate<P>
where
    P: for<'a> Fit<DatasetView<'a>, Model = M> + Debug + Send + Sync,
    M: ProbabilisticRegressor + Send + Sync + 'static,
{
    fn fit(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        _seed: u64,
    ) -> Result<Box<dyn FittedSurrogate>> {
        let model = self.params.fit(&DatasetView::new(x, y)?)?;
        Ok(Box::new(ModelFitted(model)))
    }
}
