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
//! - [`transfer`]: per-layer CKA (linear or RBF, debiased, over every
//!   cell-step) between a pretrained model and one trained on the target,
//!   the CKA-ranked sets of layers to freeze, and freezing;
//! - [`CurveRegressorParams`]: an MLP, 1-D CNN, LSTM or small Transformer
//!   that reads one sampled curve per row (the QdLinear curve ΔQ(V)) and
//!   predicts one number (cycle life).
//!
//! [`ForecasterParams`] and [`MultiTaskParams`] are the workspace's params →
//! fitted-model layer over these networks (`voltai_core::Fit`); their fitted
//! models save and load through `voltai_core::persist::Persist`, weights
//! included. Every run is seeded through [`device::cpu`] (or the params'
//! [`device::Backend`]).
#![deny(missing_docs)]

/// The setters every neural params type shares (the optimiser settings, the
/// early-stopping hold-out, the seed and the backend), written once. `$held_out` names what is held
/// out ("cells", "rows", "graphs"). The params struct needs the fields
/// `training: TrainConfig`, `validation_fraction: f64`, `seed: u64` and
/// `backend: Backend`.
#[macro_export]
macro_rules! fit_setters {
    ($held_out:literal) => {
        #[doc = concat!("Share of the ", $held_out, " that `Fit::fit` holds out for early stopping, in (0, 0.5] (default 0.2, graphs 0.1).")]
        pub fn validation_fraction(mut self, v: f64) -> ::voltai_core::Result<Self> {
            if !(v > 0.0 && v <= 0.5) {
                return Err(::voltai_core::Error::invalid_parameter(
                    "validation_fraction",
                    v,
                    "(0, 0.5]",
                ));
            }
            self.validation_fraction = v;
            Ok(self)
        }

        #[doc = concat!("Seed of the initial weights, the held-out ", $held_out, " and every draw during training.")]
        pub fn seed(mut self, v: u64) -> Self {
            self.seed = v;
            self
        }

        /// The whole optimiser configuration (checked by
        /// [`TrainConfig::check`](crate::train::TrainConfig::check)).
        pub fn train_config(mut self, config: $crate::train::TrainConfig) -> ::voltai_core::Result<Self> {
            config.check()?;
            self.training = config;
            Ok(self)
        }

        /// Where to train (and where a loaded model returns).
        pub fn backend(mut self, v: $crate::device::Backend) -> Self {
            self.backend = v;
            self
        }
    };
}

/// The `training(epochs, learning_rate, patience, weight_decay)` setter of
/// the params types with weight decay (multi-task, curve, graph models),
/// written once so the arguments read the same everywhere. The params struct
/// needs a field `training: TrainConfig`.
#[macro_export]
macro_rules! training_setter {
    () => {
        /// Epochs, initial learning rate, patience and decoupled weight decay
        /// (AdamW when > 0), checked as
        /// [`TrainConfig::check`](crate::train::TrainConfig::check) does.
        pub fn training(
            mut self,
            epochs: usize,
            learning_rate: f64,
            patience: usize,
            weight_decay: f64,
        ) -> ::voltai_core::Result<Self> {
            let config = $crate::train::TrainConfig {
                epochs,
                learning_rate,
                patience,
                weight_decay,
                ..self.training
            };
            config.check()?;
            self.training = config;
            Ok(self)
        }
    };
}

pub mod convert;
pub mod curve;
mod curve_params;
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
pub use curve::{CurveArchitecture, CurveNet, CurveNetConfig};
pub use curve_params::{CurveRegressor, CurveRegressorParams};
pub use forecaster::{Activations, ForecastLoss, Forecaster, ForecasterConfig};
pub use forecaster_params::{FittedForecaster, ForecasterParams};
pub use multitask_params::{FittedMultiTask, MultiTaskData, MultiTaskParams};

/// The README's example runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
