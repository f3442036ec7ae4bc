//! Two-fidelity surrogates with a cheap source that is either a table of
//! points (through a GP) or a callable simulator, three ways to relate it to
//! the expensive source, and hyperparameters integrated out by default.
//!
//! The expensive level is a GP with a constant mean plus the cheap
//! prediction (or functions of it) as mean-basis columns — so the scale ρ is
//! estimated by generalised least squares and integrated analytically — and
//! a discrepancy kernel σ²·RBF_ARD + white noise:
//!
//! - [`Scheme::Linear`]: f_hi(x) = c + ρ·f_lo(x) + δ(x) (Kennedy & O'Hagan's AR1).
//! - [`Scheme::InputScaled`]: ρ(x) = ρ₀ + Σⱼ ρⱼ xⱼ, a scale that varies
//!   linearly with the inputs (basis columns f_lo, x₁f_lo, …).
//! - [`Scheme::Nonlinear`]: NARGP (Perdikaris et al. 2017): the cheap
//!   prediction is also an *input* of the discrepancy GP, f_hi(x) =
//!   c + ρ·f_lo(x) + g(x, f_lo(x)); an ARD RBF over (x, f_lo) is the product
//!   kernel k_x(x, x′)·k_f(f, f′) of the paper. Where the cheap prediction is
//!   uncertain (a GP on tabled points) it is integrated over by 7-point
//!   Gauss–Hermite quadrature instead of the paper's Monte Carlo.

use ndarray::{Array1, Array2, ArrayView2, Axis, concatenate};
use serde::{Deserialize, Serialize};

use crate::exact::{Gp, GpParams, Predict};
use crate::marginal::{HyperSampling, weighted_mixture};
use crate::mean::Mean;
use crate::robust::{FitDiagnostic, noise_dominates};
use voltai_core::{Dataset, DatasetView, Error, Predictive, Result, check};
use voltai_kernels::Kernel;
use voltai_kernels::kernels::{Rbf, Scaled, Sum, White};

/// The discrepancy (and default cheap-source) kernel: σ²·RBF_ARD + white noise.
pub type DiscrepancyKernel = Sum<Scaled<Rbf>, White>;

/// What the expensive level knows of the cheap source.
pub trait CheapSource: Send + Sync {
    /// Number of input columns.
    fn n_features(&self) -> usize;
    /// The cheap source's latent prediction at `x` (variance 0 for a
    /// deterministic simulator).
    fn cheap_predictive(&self, x: ArrayView2<'_, f64>) -> Result<Predictive>;
    /// Signs of a degenerate fit of the cheap source itself (none for a
    /// simulator; for a GP: hyperparameters at degenerate bounds, or more
    /// than a fifth of the cheap targets' variance explained as noise).
    fn cheap_diagnostics(&self) -> Vec<FitDiagnostic> {
        Vec::new()
    }
}

/// A GP fitted on tabled cheap points is a cheap source (its latent predictive).
impl<K: Kernel + Clone> CheapSource for Gp<K> {
    fn n_features(&self) -> usize {
        voltai_core::Regressor::n_features(self)
    }
    fn cheap_predictive(&self, x: ArrayView2<'_, f64>) -> Result<Predictive> {
        self.predictive(x, Predict::Latent)
    }
    fn cheap_diagnostics(&self) -> Vec<FitDiagnostic> {
        let mut out = self.report().diagnostics.clone();
        let (names, theta) = self.hyperparameters();
        out.extend(noise_dominates(0, &names, &theta));
        out
    }
}

/// A callable cheap model (a simulator, a physics model, an early-cycle
/// predictor), evaluated exactly where the surrogate needs it: at the
/// expensive points when fitting and at the query points when predicting.
///
/// ```
/// use ndarray::{Array1, ArrayView2};
/// use voltai_gp::{CheapSource, Simulator};
///
/// let sim = Simulator::new(1, |x: ArrayView2<'_, f64>| -> voltai_core::Result<Array1<f64>> {
///     Ok(x.column(0).mapv(f64::sin))
/// });
/// let p = sim.cheap_predictive(ndarray::array![[0.0], [1.0]].view())?;
/// assert_eq!(p.variance[1], 0.0);
/// # Ok::<(), voltai_core::Error>(())
/// ```
pub struct Simulator<F> {
    n_features: usize,
    f: F,
}

impl<F> Simulator<F>
where
    F: Fn(ArrayView2<'_, f64>) -> Result<Array1<f64>> + Send + Sync,
{
    /// A simulator of `n_features` inputs returning one value per row.
    pub fn new(n_features: usize, f: F) -> Self {
        Simulator { n_features, f }
    }
}

impl<F> CheapSource for Simulator<F>
where
    F: Fn(ArrayView2<'_, f64>) -> Result<Array1<f64>> + Send + Sync,
{
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn cheap_predictive(&self, x: ArrayView2<'_, f64>) -> Result<Predictive> {
        check::predict_input(x, self.n_features)?;
        let y = (self.f)(x)?;
        check::same_len("simulator outputs vs rows", x.nrows(), y.len())?;
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(Error::numerical(
                "cheap simulator",
                format!("non-finite output {} at row {i}", y[i]),
            ));
        }
        let n = y.len();
        Predictive::from_parts(y, Array1::zeros(n), Array1::zeros(n))
    }
}

/// How the expensive source depends on the cheap one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scheme {
    /// f_hi = c + ρ·f_lo + δ(x).
    Linear,
    /// f_hi = c + ρ(x)·f_lo + δ(x), ρ linear in the inputs.
    InputScaled,
    /// f_hi = c + ρ·f_lo + g(x, f_lo) (NARGP).
    Nonlinear,
}

/// How the expensive level's hyperparameters are handled.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Hyperparameters {
    /// Integrated out by slice sampling (the default: honest intervals with
    /// few expensive points).
    Sampled(HyperSampling),
    /// One robust maximum-likelihood estimate ([`GpParams::optimize_auto`]).
    PointEstimate {
        /// Seed of the random restarts.
        seed: u64,
    },
}

/// A two-fidelity surrogate's settings.
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, Array2, ArrayView2};
/// use voltai_core::{Dataset, Regressor};
/// use voltai_gp::{MultiFidelityParams, Scheme, Simulator};
///
/// // The simulator misses a scale and an offset; five measurements fix both.
/// let sim = Simulator::new(1, |x: ArrayView2<'_, f64>| -> voltai_core::Result<Array1<f64>> {
///     Ok(x.column(0).mapv(|v| (6.0 * v).sin()))
/// });
/// let x = Array2::from_shape_fn((5, 1), |(i, _)| i as f64 / 4.0);
/// let y = x.column(0).mapv(|v| 1.5 * (6.0 * v).sin() + 0.2);
/// let model = MultiFidelityParams::new(Scheme::Linear).fit(sim, &Dataset::new(x, y)?)?;
/// let at = ndarray::array![[0.3]];
/// assert!((model.predict(at.view())?[0] - (1.5 * 1.8f64.sin() + 0.2)).abs() < 0.05);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MultiFidelityParams {
    scheme: Scheme,
    hyperparameters: Hyperparameters,
}

/// A fitted two-fidelity surrogate.
pub struct MultiFidelity<C> {
    cheap: C,
    scheme: Scheme,
    members: Vec<Gp<DiscrepancyKernel>>,
    mode: Gp<DiscrepancyKernel>,
    diagnostics: Vec<FitDiagnostic>,
}

/// Probabilists' Gauss–Hermite nodes and weights (7 points, weights sum to 1).
const GH_NODES: [f64; 7] = [
    -3.750_439_717_725_742,
    -2.366_759_410_734_541_5,
    -1.154_405_394_739_968_2,
    0.0,
    1.154_405_394_739_968_2,
    2.366_759_410_734_541_5,
    3.750_439_717_725_742,
];
const GH_WEIGHTS: [f64; 7] = [
    0.000_548_268_855_972_218_4,
    0.030_757_123_967_586_496,
    0.240_123_178_605_012_62,
    0.457_142_857_142_857_1,
    0.240_123_178_605_012_62,
    0.030_757_123_967_586_496,
    0.000_548_268_855_972_218_4,
];

/// A GP for tabled cheap points, fitted robustly: constant mean,
/// σ²·RBF_ARD + white noise, [`GpParams::optimize_auto`].
pub fn cheap_gp(n_features: usize, seed: u64) -> Result<GpParams<DiscrepancyKernel>> {
    Ok(GpParams::new(discrepancy_kernel(n_features)?)
        .mean(Mean::Constant)
        .optimize_auto(seed))
}

fn discrepancy_kernel(dims: usize) -> Result<DiscrepancyKernel> {
    if dims == 0 {
        return Err(Error::EmptyInput("a kernel over no input columns".into()));
    }
    Ok(Sum(
        Scaled::new(1.0, Rbf::ard(vec![1.0; dims])?)?,
        White::new(1e-2)?,
    ))
}

impl MultiFidelityParams {
    /// The given scheme, hyperparameters sampled with [`HyperSampling::default`].
    pub fn new(scheme: Scheme) -> Self {
        MultiFidelityParams {
            scheme,
            hyperparameters: Hyperparameters::Sampled(HyperSampling::default()),
        }
    }

    /// How the expensive level's hyperparameters are handled.
    pub fn hyperparameters(mut self, h: Hyperparameters) -> Self {
        self.hyperparameters = h;
        self
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Fits the expensive level on `expensive` given the cheap source.
    pub fn fit<C: CheapSource>(&self, cheap: C, expensive: &Dataset) -> Result<MultiFidelity<C>> {
        let x = expensive.features();
        check::same_len(
            "cheap-source inputs vs expensive inputs",
            cheap.n_features(),
            x.ncols(),
        )?;
        let mu = checked_cheap(&cheap, x)?.mean;
        let inputs = top_inputs(self.scheme, x, &mu)?;
        let extra = basis_columns(self.scheme, x, &mu)?;
        let params = GpParams::new(discrepancy_kernel(inputs.ncols())?).mean(Mean::Constant);
        let data = DatasetView::new(inputs.view(), expensive.targets()?)?;
        let (members, mode) = match self.hyperparameters {
            Hyperparameters::Sampled(s) => {
                let m = params
                    .marginalize(s)?
                    .variance_prior_centre(0.1)
                    .fit_with_basis(data, Some(extra))?;
                m.into_parts()
            }
            Hyperparameters::PointEstimate { seed } => {
                let gp =
                    params
                        .optimize_auto(seed)
                        .fit_with_basis(data, Some(extra), &mut |_| {})?;
                (vec![gp.clone()], gp)
            }
        };
        let mut model = MultiFidelity {
            cheap,
            scheme: self.scheme,
            members,
            mode,
            diagnostics: Vec::new(),
        };
        model.diagnostics = model.check()?;
        Ok(model)
    }
}

/// The cheap source's predictive at `x`, with its lengths and values checked
/// (a user's `CheapSource` is not trusted to return one value per row).
fn checked_cheap<C: CheapSource>(cheap: &C, x: ArrayView2<'_, f64>) -> Result<Predictive> {
    let p = cheap.cheap_predictive(x)?;
    check::same_len("cheap-source mean vs rows", x.nrows(), p.mean.len())?;
    check::same_len("cheap-source variance vs rows", x.nrows(), p.variance.len())?;
    if let Some(i) = p
        .mean
        .iter()
        .zip(&p.variance)
        .position(|(m, v)| !m.is_finite() || !v.is_finite() || *v < 0.0)
    {
        return Err(Error::numerical(
            "cheap source",
            format!(
                "row {i}: mean {} and variance {} (need finite, variance ≥ 0)",
                p.mean[i], p.variance[i]
            ),
        ));
    }
    Ok(p)
}

/// Inputs of the expensive level's GP: x, and the cheap prediction for NARGP.
fn top_inputs(scheme: Scheme, x: ArrayView2<'_, f64>, mu: &Array1<f64>) -> Result<Array2<f64>> {
    match scheme {
        Scheme::Nonlinear => concatenate(Axis(1), &[x, mu.view().insert_axis(Axis(1))])
            .map_err(|e| Error::internal(format!("NARGP inputs: {e}"))),
        _ => Ok(x.to_owned()),
    }
}

/// Mean-basis columns after the constant: f_lo, and xⱼ·f_lo for a scale linear in x.
fn basis_columns(scheme: Scheme, x: ArrayView2<'_, f64>, mu: &Array1<f64>) -> Result<Array2<f64>> {
    let n = x.nrows();
    match scheme {
        Scheme::InputScaled => {
            let d = x.ncols();
            Ok(Array2::from_shape_fn((n, d + 1), |(i, j)| {
                if j == 0 { mu[i] } else { x[[i, j - 1]] * mu[i] }
            }))
        }
        _ => Ok(mu.view().insert_axis(Axis(1)).to_owned()),
    }
}

impl<C: CheapSource> MultiFidelity<C> {
    /// The cheap source.
    pub fn cheap(&self) -> &C {
        &self.cheap
    }

    /// The scheme it was fitted with.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The expensive level's GPs: one per hyperparameter sample (one for a
    /// point estimate).
    pub fn members(&self) -> &[Gp<DiscrepancyKernel>] {
        &self.members
    }

    /// The expensive level's GP at the posterior mode of its
    /// hyperparameters (the point estimate itself without sampling).
    pub fn mode(&self) -> &Gp<DiscrepancyKernel> {
        &self.mode
    }

    /// Everything that looks degenerate, judged at the expensive level's
    /// mode (the samples around it spread by design): the cheap GP's and
    /// the expensive level's hyperparameters at degenerate bounds, a level
    /// that explains more than a fifth of its targets' variance as noise, a
    /// constant ρ outside 0.1 … 10 (not checked for [`Scheme::InputScaled`],
    /// whose ρ(x) varies), a discrepancy that swamps the signal. Empty for a
    /// healthy fit.
    pub fn diagnostics(&self) -> &[FitDiagnostic] {
        &self.diagnostics
    }

    /// ρ of each member at the rows of `x` (target units): the scale on the
    /// cheap prediction (its linear part for NARGP).
    pub fn rho(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::predict_input(x, self.cheap.n_features())?;
        let mut out = Array2::zeros((self.members.len(), x.nrows()));
        for (m, gp) in self.members.iter().enumerate() {
            let b = gp.mean_coefficients();
            if b.len() < 2 {
                return Err(Error::internal("expensive level without a ρ coefficient"));
            }
            for (i, row) in x.rows().into_iter().enumerate() {
                let mut r = b[1];
                if self.scheme == Scheme::InputScaled {
                    r += row
                        .iter()
                        .zip(b.iter().skip(2))
                        .map(|(v, c)| v * c)
                        .sum::<f64>();
                }
                out[[m, i]] = r * gp.y_scale();
            }
        }
        Ok(out)
    }

    /// Checks the fit at the expensive level's mode (the samples around it
    /// spread by design; the mode is the fit the data support most).
    fn check(&self) -> Result<Vec<FitDiagnostic>> {
        let mut out = self.cheap.cheap_diagnostics();
        let mode = &self.mode;
        out.extend(mode.report().diagnostics.iter().cloned());
        let (names, theta) = mode.hyperparameters();
        out.extend(noise_dominates(1, &names, &theta));
        if self.scheme != Scheme::InputScaled {
            let b = mode.mean_coefficients();
            let rho = b.get(1).copied().unwrap_or(f64::NAN) * mode.y_scale();
            if !(0.1..=10.0).contains(&rho) {
                out.push(FitDiagnostic::ImplausibleScale { level: 1, rho });
            }
        }
        // The discrepancy's signal variance lives on the normalised scale,
        // where the expensive targets have unit variance.
        let ratio = mode.kernel().0.variance();
        if ratio > 1.0 {
            out.push(FitDiagnostic::DiscrepancyDominates { level: 1, ratio });
        }
        Ok(out)
    }

    /// The predictive distribution of the expensive source's quantity `of`
    /// ([`Predict::Latent`] for the noise-free response,
    /// [`Predict::Observation`] for a new measurement), with the cheap
    /// source's own uncertainty propagated and the hyperparameter samples
    /// mixed. For the linear schemes the cheap variance passes through as
    /// ρ(x)²·var_lo at each sample's ρ; the product of ρ's and the cheap
    /// source's uncertainties within a sample is left out (it is second
    /// order: the cheap GP's variance is small where it has data).
    pub fn predictive(&self, x: ArrayView2<'_, f64>, of: Predict) -> Result<Predictive> {
        check::predict_input(x, self.cheap.n_features())?;
        let cheap = checked_cheap(&self.cheap, x)?;
        let uncertain = cheap.variance.iter().any(|&v| v > 0.0);
        let mut parts = Vec::new();
        let mut weights = Vec::new();
        let share = 1.0 / self.members.len() as f64;
        match self.scheme {
            Scheme::Nonlinear if uncertain => {
                let sd = cheap.variance.mapv(|v| v.max(0.0).sqrt());
                for (t, w) in GH_NODES.iter().zip(GH_WEIGHTS) {
                    let f = &cheap.mean + &sd.mapv(|s| s * t);
                    let inputs = top_inputs(self.scheme, x, &f)?;
                    let extra = basis_columns(self.scheme, x, &f)?;
                    for gp in &self.members {
                        parts.push(gp.predict_with_extra(inputs.view(), Some(extra.view()), of)?);
                        weights.push(w * share);
                    }
                }
            }
            _ => {
                let inputs = top_inputs(self.scheme, x, &cheap.mean)?;
                let extra = basis_columns(self.scheme, x, &cheap.mean)?;
                let rho = self.rho(x)?;
                for (m, gp) in self.members.iter().enumerate() {
                    let p = gp.predict_with_extra(inputs.view(), Some(extra.view()), of)?;
                    let split = p.parts.ok_or_else(|| {
                        Error::internal("expensive level without a variance split")
                    })?;
                    // Linear in f_lo: its variance passes through scaled by ρ(x)².
                    let propagated =
                        &split.epistemic + &(&cheap.variance * &rho.row(m).mapv(|r| r * r));
                    parts.push(Predictive::from_parts(p.mean, propagated, split.aleatoric)?);
                    weights.push(share);
                }
            }
        }
        weighted_mixture(&parts, &weights)
    }
}

impl<C: CheapSource> voltai_core::Regressor for MultiFidelity<C> {
    fn n_features(&self) -> usize {
        self.cheap.n_features()
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        Ok(self.predictive(x, Predict::Latent)?.mean)
    }
}

impl<C: CheapSource> voltai_core::ProbabilisticRegressor for MultiFidelity<C> {
    /// A new expensive-source measurement (`predictive(x, Predict::Observation)`).
    fn predict_dist(&self, x: ArrayView2<'_, f64>) -> Result<Predictive> {
        self.predictive(x, Predict::Observation)
    }
}
