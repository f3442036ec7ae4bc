//! Bayesian optimisation: choose the next experiment by an acquisition
//! function on a surrogate with honest uncertainty.
//!
//! The parts compose as in BoTorch: a [`SearchSpace`] (box with continuous,
//! integer and categorical dimensions, or a finite candidate set), a
//! [`Surrogate`] (the default [`GpSurrogate`], or any core
//! `ProbabilisticRegressor` through [`ParamsSurrogate`]), an [`Acquisition`]
//! (EI, log-EI, PI, UCB, Thompson sampling), optional [`Constraint`]s with a
//! SafeOpt-style safe mode, and an ask/tell loop ([`BayesOpt`]) whose
//! [`History`] serialises so a campaign can resume after a crash. A lab
//! campaign runs through a [`Campaign`] and its [`Ledger`]: trial ids,
//! pending, failed and abandoned trials, replicates, JSON resume. Several
//! objectives: [`MultiObjective`] with ParEGO or exact two-objective EHVI,
//! and the [`pareto`] tools (non-dominated sorting, exact hypervolume).
//!
//! ```
//! use voltai_discovery::bo::{BayesOptParams, Goal, SearchSpace};
//!
//! // Minimise (x − 0.3)² on [0, 1].
//! let mut opt = BayesOptParams::new(SearchSpace::continuous(&[(0.0, 1.0)])?)
//!     .goal(Goal::Minimize)
//!     .seed(1)
//!     .build()?;
//! for _ in 0..12 {
//!     let x = opt.ask(1)?;
//!     let y = (x[[0, 0]] - 0.3f64).powi(2);
//!     opt.tell(x.view(), ndarray::arr1(&[y]).view(), None)?;
//! }
//! assert!((opt.best().unwrap().x[0] - 0.3).abs() < 0.02);
//! # Ok::<(), voltai_core::Error>(())
//! ```

/// The campaign setters shared by single- and multi-objective params: the
/// surrogate, the initial design and the seed, written once.
macro_rules! campaign_setters {
    () => {
        /// The surrogate of every modelled quantity (any [`Surrogate`], e.g.
        /// [`ParamsSurrogate`](crate::bo::ParamsSurrogate) around a core model).
        pub fn surrogate(mut self, surrogate: impl Surrogate + 'static) -> Self {
            self.surrogate = Arc::new(surrogate);
            self
        }

        /// Size and kind of the initial design proposed before the model is used.
        pub fn initial_design(mut self, n: usize, design: InitialDesign) -> Self {
            self.n_initial = n;
            self.design = design;
            self
        }

        /// Seed of every random choice (designs, restarts, pools, samples).
        pub fn seed(mut self, seed: u64) -> Self {
            self.seed = seed;
            self
        }
    };
}
use campaign_setters;

mod acquisition;
pub mod benchmarks;
mod design;
mod feasibility;
mod fidelity;
mod history;
mod json;
mod ledger;
mod maximize;
mod multi;
mod noisy;
mod optimizer;
pub mod pareto;
pub mod replay;
pub mod scalarize;
mod space;
mod surrogate;

pub use acquisition::{Acquisition, log_h, normal_cdf, normal_pdf, normal_quantile};
pub use design::{InitialDesign, latin_hypercube, sobol};
pub use fidelity::{
    FidelityHistory, FidelityObservation, FidelitySuggestion, MultiFidelityBo,
    MultiFidelityBoParams,
};
pub use history::{History, Observation};
pub use ledger::{
    Campaign, CampaignStrategy, Ledger, Measurement, Objectives, Suggestion, Trial,
    TrialObservation, TrialState,
};
pub use multi::{MultiObjective, MultiObjectiveParams, MultiStrategy};
pub use optimizer::{BayesOpt, BayesOptParams, Constraint, Goal, Incumbent};
pub use space::{Dimension, LinearConstraint, SearchSpace};
pub use surrogate::{FittedSurrogate, GpSurrogate, ParamsSurrogate, Surrogate, SurrogateKernel};
