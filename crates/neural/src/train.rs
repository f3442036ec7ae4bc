//! The small training toolkit shared with `voltai-graph-nn`: Adam / AdamW,
//! cosine learning-rate decay, early stopping on a validation loss, a
//! progress callback and checkpoints through burn's module records.

use std::path::Path;

use burn::module::Module;
use burn::optim::{AdamConfig, AdamWConfig, GradientsAccumulator, GradientsParams};
use burn::tensor::Tensor;
use rayon::prelude::*;
use voltai_core::{Error, Progress, ProgressFn, Result};

use crate::convert::scalar;

/// Optimiser and schedule settings.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainConfig {
    /// Maximum number of epochs.
    pub epochs: usize,
    /// Initial learning rate.
    pub learning_rate: f64,
    /// Decoupled weight decay (AdamW) when > 0, else Adam.
    pub weight_decay: f64,
    /// Cosine decay of the learning rate to this fraction over the epochs.
    pub final_lr_fraction: f64,
    /// Stop after this many epochs without a better validation loss.
    pub patience: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 200,
            learning_rate: 3e-3,
            weight_decay: 0.0,
            final_lr_fraction: 0.1,
            patience: 40,
        }
    }
}

impl TrainConfig {
    /// Checks the settings.
    pub fn check(&self) -> Result<()> {
        if self.epochs == 0 {
            return Err(Error::invalid_parameter("epochs", self.epochs, "1 or more"));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::invalid_parameter(
                "learning_rate",
                self.learning_rate,
                "(0, inf)",
            ));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err(Error::invalid_parameter(
                "weight_decay",
                self.weight_decay,
                "[0, inf)",
            ));
        }
        if !(self.final_lr_fraction > 0.0 && self.final_lr_fraction <= 1.0) {
            return Err(Error::invalid_parameter(
                "final_lr_fraction",
                self.final_lr_fraction,
                "(0, 1]",
            ));
        }
        Ok(())
    }

    /// Learning rate at `epoch` (cosine from the initial rate down to
    /// `final_lr_fraction` of it).
    pub fn learning_rate_at(&self, epoch: usize) -> f64 {
        let progress = epoch as f64 / self.epochs.max(2).saturating_sub(1) as f64;
        let lo = self.learning_rate * self.final_lr_fraction;
        lo + 0.5
            * (self.learning_rate - lo)
            * (1.0 + (std::f64::consts::PI * progress.min(1.0)).cos())
    }
}

/// What happened in one epoch.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpochReport {
    /// Epoch index (0-based).
    pub epoch: usize,
    /// Training loss before the update.
    pub train_loss: f64,
    /// Validation loss after the update.
    pub val_loss: f64,
    /// Learning rate used.
    pub learning_rate: f64,
}

/// The trained model (the epoch with the best validation loss) and the history.
#[derive(Debug, Clone)]
pub struct Trained<M> {
    /// The best model seen.
    pub model: M,
    /// One report per epoch run.
    pub history: Vec<EpochReport>,
    /// Epoch of the best validation loss.
    pub best_epoch: usize,
}

/// Trains `model`: each epoch computes `train_loss(&model, epoch)` on the
/// autodiff device, takes one optimiser step on its gradients, scores
/// `val_loss(&model)`, and keeps the best model; stops early after
/// `patience` epochs without improvement. Parameters with gradients
/// disabled (frozen layers) are left untouched. An error from either loss
/// stops training and is returned as it is.
///
/// After each epoch `progress` gets task `"epoch"`, step = epochs done,
/// total = `config.epochs` and the figures `"train_loss"`, `"val_loss"` and
/// `"learning_rate"` (the same values as the returned history).
pub fn train<M: Module>(
    model: M,
    config: &TrainConfig,
    mut train_loss: impl FnMut(&M, usize) -> Result<Tensor<1>>,
    val_loss: impl FnMut(&M) -> Result<f64>,
    progress: &mut ProgressFn<'_>,
) -> Result<Trained<M>> {
    train_minibatch(
        model,
        config,
        1,
        |m, epoch, _| train_loss(m, epoch),
        val_loss,
        progress,
    )
}

/// Mini-batch form of [`train`]: each epoch takes `batches` optimiser
/// steps, step `b` on `train_loss(&model, epoch, b)` (the caller decides
/// which examples batch `b` of an epoch holds, e.g. a seeded shuffle), then
/// scores the validation loss once. The reported training loss is the mean
/// over the epoch's batches.
pub fn train_minibatch<M: Module>(
    model: M,
    config: &TrainConfig,
    batches: usize,
    mut train_loss: impl FnMut(&M, usize, usize) -> Result<Tensor<1>>,
    val_loss: impl FnMut(&M) -> Result<f64>,
    progress: &mut ProgressFn<'_>,
) -> Result<Trained<M>> {
    train_steps(
        model,
        config,
        batches,
        |model, epoch, b| {
            let loss = train_loss(model, epoch, b)?;
            let value = checked_value(&loss, epoch)?;
            Ok((value, GradientsParams::from_grads(loss.backward(), model)))
        },
        val_loss,
        progress,
    )
}

/// Data-parallel form of [`train_minibatch`]: step `b` of an epoch is split
/// by `shards(epoch, b)` into parts, each with its weight in the step's
/// loss (for a mean loss: the part's share of the examples). Each part's
/// loss `shard_loss(&model, part)` and its gradients are computed on its own
/// thread, on a copy of the model with its own autodiff graph, and the
/// weighted gradients are summed in the parts' order before the one
/// optimiser step.
///
/// Why: a CPU backend whose element-wise operations run on one core leaves
/// the others idle during a step; independent parts keep them busy. The
/// split is the caller's and does not depend on the number of cores, so a
/// seed gives the same result on any machine; with one part per step this
/// is [`train_minibatch`] (up to the order of floating-point sums).
pub fn train_minibatch_sharded<M, S>(
    model: M,
    config: &TrainConfig,
    batches: usize,
    mut shards: impl FnMut(usize, usize) -> Result<Vec<(S, f64)>>,
    shard_loss: impl Fn(&M, S) -> Result<Tensor<1>> + Sync,
    val_loss: impl FnMut(&M) -> Result<f64>,
    progress: &mut ProgressFn<'_>,
) -> Result<Trained<M>>
where
    M: Module + Send + Sync,
    S: Send,
{
    train_steps(
        model,
        config,
        batches,
        |model, epoch, b| {
            let parts = shards(epoch, b)?;
            if parts.is_empty() {
                return Err(Error::EmptyInput(format!(
                    "step {b} of epoch {epoch} has no parts"
                )));
            }
            if let Some((_, w)) = parts.iter().find(|(_, w)| !(w.is_finite() && *w > 0.0)) {
                return Err(Error::invalid_parameter("shard weight", *w, "(0, inf)"));
            }
            let device = model.devices().into_iter().next().ok_or_else(|| {
                Error::InvalidInput("the model has no parameters on any device".into())
            })?;
            let shard_loss = &shard_loss;
            // Rayon keeps the parts' order in the results, so the sum below
            // does not depend on which thread finished first.
            let results: Vec<Result<(f64, GradientsParams)>> = parts
                .into_par_iter()
                .map(|(part, weight)| {
                    // A fork shares the weights' values but not their
                    // autodiff nodes: the parts' graphs stay apart, and their
                    // backward passes can run at the same time.
                    let copy = model.clone().fork(&device);
                    let loss = shard_loss(&copy, part)?.mul_scalar(weight);
                    let value = checked_value(&loss, epoch)?;
                    Ok((value, GradientsParams::from_grads(loss.backward(), &copy)))
                })
                .collect();
            let mut total = 0.0;
            let mut summed = GradientsAccumulator::<M>::new();
            for r in results {
                let (value, grads) = r?;
                total += value;
                summed.accumulate(model, grads);
            }
            Ok((total, summed.grads()))
        },
        val_loss,
        progress,
    )
}

/// The loss's value, checked: finite, and tracked by autodiff.
fn checked_value(loss: &Tensor<1>, epoch: usize) -> Result<f64> {
    let value = scalar(loss.clone().detach());
    if !value.is_finite() {
        return Err(Error::numerical(
            "training",
            format!("loss became {value} at epoch {epoch}; lower the learning rate"),
        ));
    }
    if !loss.is_tracked() {
        return Err(Error::InvalidInput(
            "the loss does not depend on any trainable parameter (every layer frozen, or \
             the model is not on an autodiff device)"
                .into(),
        ));
    }
    Ok(value)
}

/// The one training loop: `step(&model, epoch, b)` gives the step's loss
/// value and gradients, the optimiser applies them; validation, progress,
/// early stopping and the best model as described for [`train`].
fn train_steps<M: Module>(
    model: M,
    config: &TrainConfig,
    batches: usize,
    mut step: impl FnMut(&M, usize, usize) -> Result<(f64, GradientsParams)>,
    mut val_loss: impl FnMut(&M) -> Result<f64>,
    progress: &mut ProgressFn<'_>,
) -> Result<Trained<M>> {
    config.check()?;
    if batches == 0 {
        return Err(Error::invalid_parameter("batches", 0, "1 or more"));
    }
    let mut optimizer = if config.weight_decay > 0.0 {
        AdamWConfig::new()
            .with_weight_decay(config.weight_decay as f32)
            .init()
    } else {
        AdamConfig::new().init()
    };
    let mut model = model;
    // The best parameters are kept as a record (plain values): a cloned
    // module would share tensors whose autodiff nodes later backward passes
    // consume, and could not be trained again.
    let mut best = (f64::INFINITY, model.clone().into_record(), 0usize);
    let mut history = Vec::new();
    for epoch in 0..config.epochs {
        let lr = config.learning_rate_at(epoch);
        let mut total = 0.0;
        for b in 0..batches {
            let (value, grads) = step(&model, epoch, b)?;
            total += value;
            model = optimizer.step(lr, model, grads);
        }
        let val = val_loss(&model)?;
        if !val.is_finite() {
            return Err(Error::numerical(
                "training",
                format!("validation loss became {val} at epoch {epoch}; lower the learning rate"),
            ));
        }
        let report = EpochReport {
            epoch,
            train_loss: total / batches as f64,
            val_loss: val,
            learning_rate: lr,
        };
        progress(
            &Progress::new("epoch", epoch + 1)
                .total(config.epochs)
                .value("train_loss", report.train_loss)
                .value("val_loss", report.val_loss)
                .value("learning_rate", report.learning_rate),
        );
        history.push(report);
        if val < best.0 {
            best = (val, model.clone().into_record(), epoch);
        } else if epoch - best.2 >= config.patience {
            break;
        }
    }
    let model = model.try_load_record(best.1).map_err(|e| Error::Format {
        format: "burn record".into(),
        path: "<memory>".into(),
        message: format!("{e:?}"),
    })?;
    Ok(Trained {
        model,
        history,
        best_epoch: best.2,
    })
}

/// Saves a model's parameters (burn's burnpack format).
pub fn save_checkpoint<M: Module>(model: &M, path: impl AsRef<Path>) -> Result<()> {
    model
        .clone()
        .save_file(path.as_ref())
        .map_err(|e| Error::Format {
            format: "burnpack".into(),
            path: path.as_ref().display().to_string(),
            message: format!("{e:?}"),
        })
}

/// Loads parameters saved by [`save_checkpoint`] into a model of the same
/// shape. The file is read into memory first: burn would otherwise read
/// tensors lazily from it, and a checkpoint overwritten or deleted after
/// loading would fail later, inside the backend.
pub fn load_checkpoint<M: Module>(model: M, path: impl AsRef<Path>) -> Result<M> {
    let path = path.as_ref();
    let format_error = |message: String| Error::Format {
        format: "burnpack".into(),
        path: path.display().to_string(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let record = burn::store::ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes))
        .map_err(|e| format_error(format!("{e:?}")))?;
    model
        .try_load_record(record)
        .map_err(|e| format_error(format!("{e:?}")))
}
