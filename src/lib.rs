//! # voltai
//!
//! Machine learning for battery science, in Rust. This umbrella crate
//! re-exports the workspace members behind features of the same name, so a
//! project can depend on `voltai` alone or on just the members it needs.
//!
//! | module | crate | feature |
//! | --- | --- | --- |
//! | [`core`] | `voltai-core`: traits, `Error`, datasets, splits, scaling, metrics | always |
//! | `battery_data` | `voltai-battery-data`: schema, readers, validation, features | `battery-data` (default) |
//! | `kernels` | `voltai-kernels`: kernels, SVMs, multiple kernel learning, CKA | `kernels` (default) |
//! | `gp` | `voltai-gp`: Gaussian processes, co-kriging, Bayesian linear regression | `gp` (default) |
//! | `causal` | `voltai-causal`: causal graphs, identification, effect estimation | `causal` (default) |
//! | `discovery` | `voltai-discovery`: sparse regression, SINDy, Bayesian optimisation | `discovery` (default) |
//! | `life` | `voltai-life`: shipped early-life cycle-life models, the Severson study | `life` (default) |
//! | `neural` | `voltai-neural`: burn models — trajectory forecasting, training toolkit | `neural` (opt-in) |
//! | `graph_nn` | `voltai-graph-nn`: crystal structures, periodic graphs, CGCNN / message passing | `graph-nn` (opt-in) |
//!
//! The `voltai` command (package `voltai-cli`) inspects, converts and
//! featurises cycler files and predicts cycle life from the shell.
#![deny(missing_docs)]

pub use voltai_core as core;

#[cfg(feature = "battery-data")]
pub use voltai_battery_data as battery_data;

#[cfg(feature = "kernels")]
pub use voltai_kernels as kernels;

#[cfg(feature = "gp")]
pub use voltai_gp as gp;

#[cfg(feature = "causal")]
pub use voltai_causal as causal;

#[cfg(feature = "discovery")]
pub use voltai_discovery as discovery;

#[cfg(feature = "neural")]
pub use voltai_neural as neural;

#[cfg(feature = "graph-nn")]
pub use voltai_graph_nn as graph_nn;

/// Cycle-life prediction: the shipped early-life models and the Severson study.
#[cfg(feature = "life")]
pub use voltai_life as life;

pub mod studies;

/// The README's Rust examples compile as doctests.
#[cfg(all(doctest, feature = "life"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
