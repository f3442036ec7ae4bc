//! Parameters → fitted model for the capacity [`Forecaster`]: the training
//! loop (scheduled sampling, monotonicity penalty, early stopping on held-out
//! cells) lives here once, so a user fits cells and forecasts windows.

use burn::tensor::Device;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use voltai_core::persist::Persist;
use voltai_core::split::group_train_test_split;
use voltai_core::{Error, Fit, ProgressFn, Result};

use crate::convert::{inference, tensor2};
use crate::device::{Backend, seeded};
use crate::forecaster::{ForecastLoss, Forecaster, ForecasterConfig};
use crate::persist::SavedNetwork;
use crate::train::{EpochReport, TrainConfig, train};
use crate::trajectories::{CellSeries, SequenceBatch, Windowing, masked_rmse};

/// How to train a [`Forecaster`] on cells' capacity series.
///
/// ```
/// use voltai_core::Fit;
/// use voltai_neural::trajectories::{CellSeries, Windowing};
/// use voltai_neural::ForecasterParams;
///
/// let cells: Vec<CellSeries> = (0..6)
///     .map(|c| CellSeries::new(format!("cell{c}"), (0..60).map(|t| 1.0 - 1e-3 * (1.0 + 0.1 * c as f64) * t as f64).collect()))
///     .collect();
/// let windowing = Windowing { window: 20, stride: 5, horizon: 40, scale: 1.0 };
/// let model = ForecasterParams::new(windowing)?
///     .hidden(8)?
///     .training(3, 3e-3, 3)?
///     .fit(&cells)?;
/// // The first 20 cycles of a new cell → 8 steps of 5-cycle means.
/// let window = ndarray::Array2::from_shape_fn((1, 20), |(_, t)| 1.0 - 1e-3 * t as f64);
/// assert_eq!(model.forecast(window.view())?.dim(), (1, 8));
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ForecasterParams {
    network: ForecasterConfig,
    windowing: Windowing,
    training: TrainConfig,
    teacher_ratio: f64,
    teacher_decay: f64,
    monotonicity_weight: f32,
    tolerance: f32,
    validation_fraction: f64,
    seed: u64,
    backend: Backend,
}

impl ForecasterParams {
    /// Defaults: [`ForecasterConfig::default`] (32 hidden units),
    /// [`TrainConfig::default`], scheduled sampling from a teacher-forcing
    /// ratio of 0.5 down to 0 over the first 30 % of the epochs, no
    /// monotonicity penalty, 20 % of the cells held out for early stopping,
    /// seed 0, CPU. `windowing` is checked here.
    pub fn new(windowing: Windowing) -> Result<Self> {
        windowing.check()?;
        Ok(ForecasterParams {
            network: ForecasterConfig::default(),
            windowing,
            training: TrainConfig::default(),
            teacher_ratio: 0.5,
            teacher_decay: 0.3,
            monotonicity_weight: 0.0,
            tolerance: 0.0,
            validation_fraction: 0.2,
            seed: 0,
            backend: Backend::Cpu,
        })
    }

    /// Hidden units of the encoder and decoder GRUs (≥ 1).
    pub fn hidden(mut self, v: usize) -> Result<Self> {
        if v == 0 {
            return Err(Error::invalid_parameter("hidden", v, "1 or more"));
        }
        self.network.hidden = v;
        Ok(self)
    }

    /// Input scaling: capacities reach the GRUs as `(y − center) / spread`
    /// in units of `windowing.scale` (spread > 0).
    pub fn input_scaling(mut self, center: f32, spread: f32) -> Result<Self> {
        if !center.is_finite() {
            return Err(Error::invalid_parameter("center", center, "finite"));
        }
        if !(spread.is_finite() && spread > 0.0) {
            return Err(Error::invalid_parameter("spread", spread, "(0, inf)"));
        }
        self.network.center = center;
        self.network.spread = spread;
        Ok(self)
    }

    /// Epochs, initial learning rate and early-stopping patience (Adam,
    /// cosine decay; see [`TrainConfig`]).
    pub fn training(mut self, epochs: usize, learning_rate: f64, patience: usize) -> Result<Self> {
        let config = TrainConfig {
            epochs,
            learning_rate,
            patience,
            ..self.training
        };
        config.check()?;
        self.training = config;
        Ok(self)
    }

    /// Scheduled sampling: the true previous value is fed back with
    /// probability `ratio` at the first epoch, falling linearly to 0 over
    /// the first `decay` share of the epochs (ratio in [0, 1], decay in
    /// (0, 1]).
    pub fn scheduled_sampling(mut self, ratio: f64, decay: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&ratio) {
            return Err(Error::invalid_parameter("teacher ratio", ratio, "[0, 1]"));
        }
        if !(decay > 0.0 && decay <= 1.0) {
            return Err(Error::invalid_parameter("teacher decay", decay, "(0, 1]"));
        }
        self.teacher_ratio = ratio;
        self.teacher_decay = decay;
        Ok(self)
    }

    /// Weight of the monotonicity penalty (0 turns it off) and the rise per
    /// step it tolerates, both ≥ 0.
    pub fn monotonicity(mut self, weight: f32, tolerance: f32) -> Result<Self> {
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Error::invalid_parameter(
                "monotonicity weight",
                weight,
                "[0, inf)",
            ));
        }
        if !(tolerance.is_finite() && tolerance >= 0.0) {
            return Err(Error::invalid_parameter("tolerance", tolerance, "[0, inf)"));
        }
        self.monotonicity_weight = weight;
        self.tolerance = tolerance;
        Ok(self)
    }

    crate::fit_setters!("cells");

    /// The windowing.
    pub fn windowing(&self) -> Windowing {
        self.windowing
    }

    fn init(&self, device: &Device) -> Forecaster {
        seeded(device, self.seed, |d| self.network.init(d))
    }

    /// Trains on `train` and stops early on `validation` (cells the caller
    /// set aside, e.g. by a group split). After each epoch `progress` gets
    /// task `"epoch"` with the losses.
    pub fn fit_validated(
        &self,
        train_cells: &[CellSeries],
        validation: &[CellSeries],
        progress: &mut ProgressFn<'_>,
    ) -> Result<FittedForecaster> {
        let train_batch = SequenceBatch::new(train_cells, self.windowing)?;
        let val_batch = SequenceBatch::new(validation, self.windowing)?;
        let device = self.backend.device(self.seed)?;
        let sampling_epochs = (self.teacher_decay * self.training.epochs as f64) as usize;
        let trained = train(
            self.init(&device),
            &self.training,
            |m, epoch| {
                // With fewer than 1/decay epochs the ratio is 0 from the start.
                let done = (epoch as f64 / sampling_epochs as f64).min(1.0);
                Ok(m.loss(
                    &train_batch,
                    &device,
                    &ForecastLoss {
                        teacher_ratio: self.teacher_ratio * (1.0 - done),
                        monotonicity_weight: self.monotonicity_weight,
                        tolerance: self.tolerance,
                        seed: self.seed.wrapping_add(epoch as u64),
                    },
                ))
            },
            |m| {
                Ok(masked_rmse(
                    &m.predict(&val_batch, &device)?,
                    &val_batch,
                    self.windowing.scale,
                ))
            },
            progress,
        )?;
        Ok(FittedForecaster {
            net: trained.model,
            params: *self,
            device,
            best_epoch: trained.best_epoch,
            history: trained.history,
        })
    }

    /// [`Fit::fit`] with a progress callback: holds out a seeded share of
    /// the cells (by cell id) for early stopping.
    pub fn fit_with_progress(
        &self,
        cells: &[CellSeries],
        progress: &mut ProgressFn<'_>,
    ) -> Result<FittedForecaster> {
        let ids: Vec<String> = cells.iter().map(|c| c.cell_id.clone()).collect();
        let split = group_train_test_split(&ids, self.validation_fraction, self.seed)?;
        let pick = |rows: &[usize]| rows.iter().map(|&i| cells[i].clone()).collect::<Vec<_>>();
        self.fit_validated(&pick(&split.train), &pick(&split.test), progress)
    }
}

/// Fits on cells' capacity series (each at least the window plus one step).
impl Fit<[CellSeries]> for ForecasterParams {
    type Model = FittedForecaster;
    fn fit(&self, cells: &[CellSeries]) -> Result<FittedForecaster> {
        self.fit_with_progress(cells, &mut |_| {})
    }
}

/// A trained forecaster with its windowing.
#[derive(Debug)]
pub struct FittedForecaster {
    net: Forecaster,
    params: ForecasterParams,
    device: Device,
    /// Epoch whose weights were kept.
    pub best_epoch: usize,
    /// Per-epoch losses.
    pub history: Vec<EpochReport>,
}

impl FittedForecaster {
    /// Forecasts from each row of `windows`: the first `window` capacities
    /// of a cell, in the units of the training series. Returns one row per
    /// cell of `horizon / stride` steps, each the mean capacity over
    /// `stride` cycles, in the same units.
    pub fn forecast(&self, windows: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let w = self.params.windowing;
        if windows.ncols() != w.window {
            return Err(Error::shape_mismatch(
                "forecast windows (columns = observed cycles)",
                [windows.nrows(), w.window],
                [windows.nrows(), windows.ncols()],
            ));
        }
        voltai_core::check::finite2("forecast windows", windows)?;
        if windows.nrows() == 0 {
            return Err(Error::EmptyInput("no windows to forecast".into()));
        }
        let steps = w.encoder_steps();
        let encoder = Array2::from_shape_fn((windows.nrows(), steps), |(i, k)| {
            let block = windows.slice(ndarray::s![i, k * w.stride..(k + 1) * w.stride]);
            (block.sum() / w.stride as f64 / w.scale) as f32
        });
        let (net, encoder) = inference(&self.net, tensor2(encoder.view(), &self.device));
        let out = net.forecast(encoder, w.decoder_steps());
        Ok(crate::convert::array2(out)?.mapv(|v| f64::from(v) * w.scale))
    }

    /// Forecasts for a prepared batch, in normalised units (as
    /// [`masked_rmse`] reads them).
    pub fn predict_batch(&self, batch: &SequenceBatch) -> Result<Array2<f32>> {
        self.net.predict(batch, &self.device)
    }

    /// The network (for activations, transfer and CKA).
    pub fn network(&self) -> &Forecaster {
        &self.net
    }

    /// The params it was fitted with.
    pub fn params(&self) -> &ForecasterParams {
        &self.params
    }
}

impl Serialize for FittedForecaster {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        SavedNetwork::new(self.params, &self.net, self.best_epoch, &self.history)
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

/// Loads onto the backend it was trained on.
impl<'de> Deserialize<'de> for FittedForecaster {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let saved = SavedNetwork::<ForecasterParams>::deserialize(deserializer)?;
        let load = || -> Result<FittedForecaster> {
            let params = saved.settings;
            let device = params.backend.device(params.seed)?;
            Ok(FittedForecaster {
                net: saved.weights_into(params.init(&device))?,
                params,
                device,
                best_epoch: saved.best_epoch,
                history: saved.history.clone(),
            })
        };
        load().map_err(serde::de::Error::custom)
    }
}

impl Persist for FittedForecaster {
    const KIND: &'static str = "voltai_neural::FittedForecaster";
}
