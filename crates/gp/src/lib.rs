//! # voltai-gp
//!
//! Gaussian processes for battery data, with honest uncertainty:
//!
//! - [`GpParams`] → [`Gp`]: exact GP regression with any
//!   [`Kernel`](voltai_kernels::Kernel), a zero / constant / linear mean
//!   estimated by generalised least squares, and noise that is fixed, known per
//!   point, or learned per data source ([`NoiseModel`]). Cholesky (faer) with
//!   jitter escalation; targets normalised internally; predictive mean and
//!   variance split into epistemic and aleatoric parts; full covariance and
//!   seeded posterior samples.
//! - Hyperparameters by maximising the log marginal likelihood with analytic
//!   gradients, in log space with bounds (L-BFGS-B), multi-start with a seed,
//!   optional log-normal priors.
//! - [`GpParams::optimize_auto`]: the same fit with data-driven starts,
//!   bounds and restarts, and a check for degenerate optima
//!   ([`FitDiagnostic`]) that retries before it reports.
//! - [`GpParams::marginalize`] → [`MarginalGp`]: hyperparameters integrated
//!   out by slice sampling, for honest intervals from few points.
//! - [`Gp::predictive`] with [`Predict`]: the latent function or a new
//!   observation (with which noise), named so they cannot be confused.
//! - [`CoKrigingParams`]: Kennedy & O'Hagan (2000) autoregressive multi-fidelity
//!   co-kriging, fitted recursively (Le Gratiet 2013), with diagnostics and a retry.
//! - [`MultiFidelityParams`]: two fidelities with a tabled or callable
//!   ([`Simulator`]) cheap source, linear, input-scaled or nonlinear (NARGP)
//!   relations, hyperparameters sampled by default.
//! - [`BayesianLinearParams`]: Bayesian linear regression with evidence-maximised
//!   precisions, whose predictive variance is noise plus model uncertainty.
//!
//! ```
//! use ndarray::Array2;
//! use voltai_core::{Dataset, Fit, ProbabilisticRegressor};
//! use voltai_gp::GpParams;
//! use voltai_kernels::kernels::{Rbf, Scaled, Sum, White};
//!
//! let x = Array2::from_shape_fn((20, 1), |(i, _)| i as f64 / 4.0);
//! let y = x.column(0).mapv(f64::sin);
//! let kernel = Sum(Scaled::new(1.0, Rbf::new(1.0)?)?, White::new(1e-2)?);
//! let gp = GpParams::new(kernel).optimize(2, 0).fit(&Dataset::new(x, y)?)?;
//! let pred = gp.predict_dist(ndarray::array![[1.3]].view())?;
//! assert!((pred.mean[0] - 1.3f64.sin()).abs() < 0.05);
//! # Ok::<(), voltai_core::Error>(())
//! ```
#![deny(missing_docs)]

mod blr;
mod cokriging;
mod exact;
mod likelihood;
mod linalg;
mod marginal;
mod mean;
mod multifidelity;
mod noise;
mod optimize;
mod robust;

pub use blr::{BayesianLinear, BayesianLinearParams, LearningPoint, learning_curve};
pub use cokriging::{CoKriging, CoKrigingParams};
pub use exact::{Gp, GpParams, Predict};
pub use marginal::{HyperSampling, MarginalGp, MarginalGpParams, SamplerStats};
pub use mean::Mean;
pub use multifidelity::{
    CheapSource, DiscrepancyKernel, Hyperparameters, MultiFidelity, MultiFidelityParams, Scheme,
    Simulator, cheap_gp,
};
pub use noise::NoiseModel;
pub use optimize::{FitReport, LogNormalPrior, OptimizerSettings, RunReport};
pub use robust::FitDiagnostic;
