//! # voltai-discovery
//!
//! Finding the few terms that matter, and the next experiment to run. This first part holds sparse linear
//! regression: [ordinary least squares and ridge](RidgeParams), the
//! [lasso and elastic net](ElasticNetParams) by coordinate descent, warm-started
//! [regularisation paths](elastic_net_path) and [cross-validation](ElasticNetCvParams)
//! of α and the L1 ratio by row or group k-fold, L2 [logistic
//! regression](LogisticRegressionParams), and the latent-variable regressions
//! for many correlated features (a ΔQ(V) curve): [partial least
//! squares](PlsRegressionParams) and [principal-component regression](PcrParams) — the tools of early-life
//! cycle-life prediction (Severson et al. 2019) — regression [trees](RegressionTreeParams),
//! [random forests](RandomForestParams) and [gradient boosting](GradientBoostingParams),
//! [SINDy](sindy), which
//! finds the few library terms that explain a system's dynamics, and
//! [Bayesian optimisation](bo), which chooses the next experiment.
//!
//! ```
//! use ndarray::{Array1, Array2};
//! use voltai_core::{Dataset, Fit};
//! use voltai_discovery::ElasticNetParams;
//!
//! let x = Array2::from_shape_fn((50, 5), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
//! let y: Array1<f64> = x.column(1).mapv(|v| 2.0 * v + 1.0);
//! let model = ElasticNetParams::lasso(0.01)?.fit(&Dataset::new(x, y)?)?;
//! assert_eq!(model.support(), vec![1]);
//! # Ok::<(), voltai_core::Error>(())
//! ```
#![deny(missing_docs)]

pub mod bo;
mod cv;
mod dense;
mod latent;
mod linear;
mod logistic;
mod pcr;
mod pls;
pub mod sindy;
mod trees;

pub use cv::{ElasticNetCv, ElasticNetCvParams, Folds, alpha_grid, elastic_net_path};
pub use linear::{ElasticNetParams, LinearModel, RidgeParams};
pub use logistic::{LogisticRegression, LogisticRegressionParams};
pub use pcr::{Pcr, PcrParams};
pub use pls::{PlsRegression, PlsRegressionParams};
pub use trees::{
    GradientBoosting, GradientBoostingParams, MaxFeatures, RandomForest, RandomForestParams,
    RegressionTree, RegressionTreeParams, TreeNode,
};

/// The README's examples run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
