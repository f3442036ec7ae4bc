//! Integrating over the hyperparameters: slice sampling of the log posterior
//! and the mixture of the GPs at the samples.
//!
//! Why: with ten or so points the likelihood hardly pins a length-scale or a
//! noise level down, and a single (maximum-likelihood) choice gives intervals
//! far narrower than the model's real uncertainty. Averaging the predictive
//! over posterior samples of the hyperparameters widens them where the data
//! leave the hyperparameters uncertain (e.g. far from the points along an
//! input with few distinct values).

use ndarray::{Array1, Array2, ArrayView2};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::exact::{Gp, GpParams, Predict};
use crate::linalg::Cholesky;
use crate::optimize::OptimizerSettings;
use crate::robust;
use voltai_core::{
    Dataset, DatasetView, Error, Fit, Persist, Predictive, ProbabilisticRegressor, Regressor,
    Result,
};
use voltai_kernels::Kernel;

/// How hyperparameters are sampled: slice sampling (Neal 2003, stepping out
/// and shrinkage, one coordinate at a time) of the restricted log marginal
/// likelihood plus weak log-normal priors, started at the maximum of the
/// profile likelihood times those priors (close to the sampled posterior's
/// mode, so no long burn-in is needed).
///
/// The priors, on normalised targets (unit variance) and each input's
/// training range r: ln(ℓ/r) ~ N(√2 + ½ ln d, 3) for a length-scale ℓ with d
/// input columns (Hvarfner, Hellsten & Nardi 2024; BoTorch's default), which
/// prefers smooth functions unless the data say otherwise; ln σ² ~ N(0, 2²)
/// for a signal variance (N(ln 0.1, 2²) for a multi-fidelity discrepancy,
/// which the cheap source should leave smaller than the signal); ln σ²ₙ ~
/// N(ln 0.01, 2²) for a noise variance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HyperSampling {
    /// Samples kept (≥ 1).
    pub samples: usize,
    /// Sweeps discarded before the first kept sample.
    pub burn_in: usize,
    /// Sweeps between kept samples (≥ 1).
    pub thin: usize,
    /// Seed of the sampler (and of the mode search's restarts).
    pub seed: u64,
}

impl Default for HyperSampling {
    /// 64 samples after 64 burn-in sweeps, every second sweep kept.
    fn default() -> Self {
        HyperSampling {
            samples: 64,
            burn_in: 64,
            thin: 2,
            seed: 0,
        }
    }
}

impl HyperSampling {
    /// Same settings, another seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    fn check(&self) -> Result<()> {
        if self.samples == 0 {
            return Err(Error::invalid_parameter("samples", 0, "≥ 1"));
        }
        if self.thin == 0 {
            return Err(Error::invalid_parameter("thin", 0, "≥ 1"));
        }
        Ok(())
    }
}

/// A GP whose hyperparameters are integrated out by sampling.
///
/// # Examples
///
/// ```
/// use ndarray::{array, Array2};
/// use voltai_core::{Dataset, Fit, ProbabilisticRegressor};
/// use voltai_gp::{GpParams, HyperSampling};
/// use voltai_kernels::kernels::{Rbf, Scaled, Sum, White};
///
/// // Eight noisy points of a sine.
/// let x = Array2::from_shape_fn((8, 1), |(i, _)| i as f64 / 7.0);
/// let y = x.column(0).mapv(|v| (6.0 * v).sin() + 0.05 * (17.0 * v).cos());
/// let kernel = Sum(Scaled::new(1.0, Rbf::new(0.3)?)?, White::new(1e-2)?);
/// let model = GpParams::new(kernel)
///     .marginalize(HyperSampling::default())?
///     .fit(&Dataset::new(x, y)?)?;
/// assert_eq!(model.members().len(), 64);
/// let p = model.predict_dist(array![[0.5], [3.0]].view())?;
/// assert!(p.variance[1] > p.variance[0]); // far from the data: wider
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MarginalGpParams<K> {
    base: GpParams<K>,
    sampling: HyperSampling,
    /// Centre of the signal variances' prior (normalised units).
    variance_prior_centre: f64,
}

/// The mixture of GPs at posterior samples of the hyperparameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MarginalGp<K> {
    members: Vec<Gp<K>>,
    mode: Gp<K>,
    stats: SamplerStats,
}

/// What the sampler did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SamplerStats {
    /// Log-posterior evaluations.
    pub evaluations: usize,
    /// Sweeps run (burn-in included).
    pub sweeps: usize,
}

impl<K: Kernel + Clone> GpParams<K> {
    /// Integrate over the hyperparameters instead of fixing them: the kernel
    /// and noise hyperparameters are sampled from their posterior (see
    /// [`HyperSampling`]); the mean coefficients are integrated analytically
    /// (flat prior, as universal kriging). Any optimiser settings of `self`
    /// are ignored: the chain starts at the maximum of the profile
    /// likelihood times the priors, found with the data-driven starts of
    /// [`GpParams::optimize_auto`].
    pub fn marginalize(self, sampling: HyperSampling) -> Result<MarginalGpParams<K>> {
        sampling.check()?;
        Ok(MarginalGpParams {
            base: self,
            sampling,
            variance_prior_centre: 1.0,
        })
    }
}

impl<K: Kernel + Clone> MarginalGpParams<K> {
    /// The sampling settings.
    pub fn sampling(&self) -> HyperSampling {
        self.sampling
    }

    /// Centres the signal variances' prior on `v` (normalised units) — a
    /// discrepancy level uses 0.1.
    pub(crate) fn variance_prior_centre(mut self, v: f64) -> Self {
        self.variance_prior_centre = v;
        self
    }

    pub(crate) fn fit_with_basis(
        &self,
        data: DatasetView<'_>,
        extra: Option<Array2<f64>>,
    ) -> Result<MarginalGp<K>> {
        let x = data.features();
        let prepared = self.base.prepare(data, extra.as_ref())?;
        let problem = self.base.problem(x, &prepared);
        let names = self.base.hyper_names();
        let (theta0, auto) =
            robust::auto_settings(&names, &prepared.theta0, x, x.nrows(), self.sampling.seed);
        let priors = robust::weak_priors(&names, &prepared.theta0, x, self.variance_prior_centre);
        let lo: Vec<f64> = auto.bounds.iter().map(|b| b.0.ln()).collect();
        let hi: Vec<f64> = auto.bounds.iter().map(|b| b.1.ln()).collect();
        // Restricted likelihood: integrating β out under a flat prior adds
        // −½ log|HᵀK⁻¹H| to the profile likelihood.
        let log_post = |t: &[f64]| -> f64 {
            if t.iter()
                .zip(lo.iter().zip(&hi))
                .any(|(v, (l, h))| v < l || v > h)
            {
                return f64::NEG_INFINITY;
            }
            let Ok(f) = problem.factorize(t) else {
                return f64::NEG_INFINITY;
            };
            let restricted = if f.hkh_inv.nrows() > 0 {
                match Cholesky::new(&f.hkh_inv) {
                    Ok(c) => 0.5 * c.log_det(),
                    Err(_) => return f64::NEG_INFINITY,
                }
            } else {
                0.0
            };
            let prior: f64 = priors
                .iter()
                .map(|p| {
                    let z = (t[p.index] - p.mean) / p.std;
                    -0.5 * z * z
                })
                .sum();
            let v = f.lml + restricted + prior;
            if v.is_finite() { v } else { f64::NEG_INFINITY }
        };
        // The mode (MAP of the profile likelihood with the same priors) starts the chain.
        let settings = OptimizerSettings {
            priors: priors.clone(),
            ..auto
        };
        let f = |t: &[f64]| problem.lml_grad(t);
        let (mode, report) = robust::maximize_checked(&f, &names, &theta0, &settings, &mut |_| {})?;
        let (thetas, stats) = slice_sample(&log_post, mode.clone(), &lo, &hi, &self.sampling)?;
        let members = thetas
            .iter()
            .map(|t| {
                self.base
                    .assemble(x, &prepared, extra.clone(), t, report.clone())
            })
            .collect::<Result<Vec<_>>>()?;
        let mode = self.base.assemble(x, &prepared, extra, &mode, report)?;
        Ok(MarginalGp {
            members,
            mode,
            stats,
        })
    }
}

/// Coordinate-wise slice sampling with stepping out; returns the kept samples.
fn slice_sample(
    log_post: &dyn Fn(&[f64]) -> f64,
    start: Vec<f64>,
    lo: &[f64],
    hi: &[f64],
    s: &HyperSampling,
) -> Result<(Vec<Vec<f64>>, SamplerStats)> {
    let mut rng = StdRng::seed_from_u64(s.seed ^ 0x5eed_511c);
    let mut theta = start;
    let mut current = log_post(&theta);
    let mut evaluations = 1;
    if !current.is_finite() {
        return Err(Error::numerical(
            "hyperparameter sampling",
            "the posterior mode has no finite density",
        ));
    }
    // One log unit: a factor e in a length-scale or variance.
    const WIDTH: f64 = 1.0;
    const MAX_STEPS: usize = 16;
    let sweeps = s.burn_in + s.samples * s.thin;
    let mut kept = Vec::with_capacity(s.samples);
    for sweep in 0..sweeps {
        for d in 0..theta.len() {
            let level = current + rng.random::<f64>().max(f64::MIN_POSITIVE).ln();
            let x0 = theta[d];
            let mut left = x0 - WIDTH * rng.random::<f64>();
            let mut right = left + WIDTH;
            // Neal (2003, fig. 3): the step budget is split at random between
            // the two sides, which keeps the update reversible when it binds.
            let mut steps_left = (MAX_STEPS as f64 * rng.random::<f64>()) as usize;
            let mut steps_right = MAX_STEPS - 1 - steps_left.min(MAX_STEPS - 1);
            let mut at = |v: f64, theta: &mut Vec<f64>| {
                theta[d] = v;
                evaluations += 1;
                log_post(theta)
            };
            while steps_left > 0 && left > lo[d] && at(left, &mut theta) > level {
                left -= WIDTH;
                steps_left -= 1;
            }
            while steps_right > 0 && right < hi[d] && at(right, &mut theta) > level {
                right += WIDTH;
                steps_right -= 1;
            }
            left = left.max(lo[d]);
            right = right.min(hi[d]);
            // Shrink until a point above the level is drawn; x0 itself is
            // above it, so the interval never empties (capped for safety).
            let mut accepted = false;
            for _ in 0..200 {
                let v = left + (right - left) * rng.random::<f64>();
                let lp = at(v, &mut theta);
                if lp > level {
                    current = lp;
                    accepted = true;
                    break;
                }
                if v < x0 {
                    left = v;
                } else {
                    right = v;
                }
            }
            if !accepted {
                theta[d] = x0;
                current = log_post(&theta);
            }
        }
        if sweep >= s.burn_in && (sweep - s.burn_in + 1).is_multiple_of(s.thin) {
            kept.push(theta.clone());
        }
    }
    Ok((
        kept,
        SamplerStats {
            evaluations,
            sweeps,
        },
    ))
}

impl<K: Kernel + Clone> Fit for MarginalGpParams<K> {
    type Model = MarginalGp<K>;
    fn fit(&self, data: &Dataset) -> Result<MarginalGp<K>> {
        self.fit_with_basis(data.view(), None)
    }
}

impl<K: Kernel + Clone> MarginalGp<K> {
    /// One GP per posterior sample of the hyperparameters.
    pub fn members(&self) -> &[Gp<K>] {
        &self.members
    }

    pub(crate) fn into_parts(self) -> (Vec<Gp<K>>, Gp<K>) {
        (self.members, self.mode)
    }

    /// The GP at the posterior mode that started the chain (its report's
    /// diagnostics say whether the mode sits in a degenerate corner).
    pub fn mode(&self) -> &Gp<K> {
        &self.mode
    }

    /// Sampler statistics.
    pub fn sampler_stats(&self) -> SamplerStats {
        self.stats
    }

    /// Posterior samples of each kernel hyperparameter (rows: samples, in
    /// natural units; variances in normalised target units).
    pub fn hyperparameter_samples(&self) -> Array2<f64> {
        let p = self
            .members
            .first()
            .map_or(0, |m| m.kernel().log_params().len());
        let mut out = Array2::zeros((self.members.len(), p));
        for (i, m) in self.members.iter().enumerate() {
            for (j, v) in m.kernel().log_params().iter().enumerate() {
                out[[i, j]] = v.exp();
            }
        }
        out
    }

    /// The mixture's predictive distribution of the quantity `of` (see
    /// [`Predict`]): mean of the members' means; epistemic variance = mean of
    /// the members' function variances + variance of their means; aleatoric
    /// = mean of their noise variances.
    pub fn predictive(&self, x: ArrayView2<'_, f64>, of: Predict) -> Result<Predictive> {
        let parts = self
            .members
            .iter()
            .map(|m| m.predictive(x, of))
            .collect::<Result<Vec<_>>>()?;
        mixture(&parts)
    }
}

/// Equal-weight mixture of predictive distributions (law of total variance).
pub(crate) fn mixture(parts: &[Predictive]) -> Result<Predictive> {
    let w = vec![1.0 / parts.len().max(1) as f64; parts.len()];
    weighted_mixture(parts, &w)
}

/// Mixture with per-member weights (summing to 1): mean = Σ wₖ μₖ,
/// epistemic = Σ wₖ (σ²ₖ + μₖ²) − mean² over the function parts, aleatoric =
/// Σ wₖ of the noise parts.
pub(crate) fn weighted_mixture(parts: &[Predictive], weights: &[f64]) -> Result<Predictive> {
    let first = parts
        .first()
        .ok_or_else(|| Error::internal("a mixture of no predictive distributions"))?;
    voltai_core::check::same_len("mixture weights", parts.len(), weights.len())?;
    let n = first.mean.len();
    let mut mean = Array1::zeros(n);
    let mut epi = Array1::zeros(n);
    let mut ale = Array1::zeros(n);
    for (p, &w) in parts.iter().zip(weights) {
        let split = p
            .parts
            .as_ref()
            .ok_or_else(|| Error::internal("mixture member without a variance split"))?;
        voltai_core::check::same_len("mixture member length", n, p.mean.len())?;
        mean.scaled_add(w, &p.mean);
        epi.scaled_add(w, &split.epistemic);
        ale.scaled_add(w, &split.aleatoric);
    }
    // Spread of the means in a second pass: E[μ²] − E[μ]² cancels badly
    // for targets far from zero (volts, mAh).
    let mut between = Array1::<f64>::zeros(n);
    for (p, &w) in parts.iter().zip(weights) {
        between.scaled_add(w, &(&p.mean - &mean).mapv(|d| d * d));
    }
    Predictive::from_parts(mean, epi + between, ale)
}

impl<K: Kernel + Clone> Regressor for MarginalGp<K> {
    fn n_features(&self) -> usize {
        self.members.first().map_or(0, |m| m.n_features())
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        Ok(self.predictive(x, Predict::Latent)?.mean)
    }
}

impl<K: Kernel + Clone> ProbabilisticRegressor for MarginalGp<K> {
    /// A new observation (`predictive(x, Predict::Observation)`).
    fn predict_dist(&self, x: ArrayView2<'_, f64>) -> Result<Predictive> {
        self.predictive(x, Predict::Observation)
    }
}

impl<K: Kernel + Serialize + serde::de::DeserializeOwned> Persist for MarginalGp<K> {
    const KIND: &'static str = "voltai_gp::MarginalGp";
}
