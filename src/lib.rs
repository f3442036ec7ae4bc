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
//! | `neural` | `voltai-neural`: burn models — trajectory forecasting, training toolkit | `neural` (default) |
//! | `graph_nn` | `voltai-graph-nn`: crystal structures, periodic graphs, CGCNN / message passing | `graph-nn` (default) |
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
