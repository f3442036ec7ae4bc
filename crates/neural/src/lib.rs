//! # voltai-neural
//!
//! Neural models for battery data on [burn](https://burn.dev), running on any
//! burn device chosen at run time (the pure-Rust CPU backend by default,
//! wgpu behind the `wgpu` feature):
//!
//! - a sequence-to-sequence [`Forecaster`] that reads the first cycles of a
//!   cell and forecasts the rest of its capacity trajectory, trained with
//!   scheduled sampling and padding masks, with an optional
//!   [monotonicity penalty](penalty::monotonicity_penalty);
//! - [`trajectories`]: windowing into encoder inputs and masked targets, and
//!   the persistence and linear-extrapolation baselines;
//! - [`train`](train::train): Adam/AdamW, cosine schedule, early stopping,
//!   progress callback and checkpoints — shared with `voltai-graph-nn`;
//! - [`multitask`]: a shared backbone with one head per task (cycle life,
//!   resistance growth), fixed or uncertainty-learned loss weights;
//! - [`transfer`]: per-layer CKA between a pretrained and a fine-tuned model,
//!   and freezing of the layers that transfer unchanged.
//!
//! [`ForecasterParams`] and [`MultiTaskParams`] are the workspace's params →
//! fitted-model layer over these networks (`voltai_core::Fit`); their fitted
//! models save and load through `voltai_core::persist::Persist`, weights
//! included. Every run is seeded through [`device::cpu`] (or the params'
//! [`device::Backend`]).
#![deny(missing_docs)]

pub mod convert;
pub mod device;
mod forecaster;
mod forecaster_params;
pub mod multitask;
mod multitask_params;
pub mod penalty;
pub mod persist;
pub mod train;
pub mod trajectories;
pub mod transfer;

pub use burn::tensor::Device;
pub use forecaster::{Activations, ForecastLoss, Forecaster, ForecasterConfig};
pub use forecaster_params::{FittedForecaster, ForecasterParams};
pub use multitask_params::{FittedMultiTask, MultiTaskData, MultiTaskParams};

/// The README's example runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
