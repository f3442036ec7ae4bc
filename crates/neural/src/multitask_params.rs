//! Parameters → fitted model for the [`MultiTaskNet`]: full-batch training
//! with early stopping on held-out rows, predictions from an `f64` matrix.

use burn::tensor::{Device, Tensor};
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use voltai_core::persist::Persist;
use voltai_core::split::train_test_split;
use voltai_core::{Error, Fit, ProgressFn, Result, check};

use crate::convert::{inference, scalar, tensor2};
use crate::device::{Backend, seeded};
use crate::multitask::{MultiTaskConfig, MultiTaskNet, TaskWeighting};
use crate::persist::SavedNetwork;
use crate::train::{EpochReport, TrainConfig, train};

/// Inputs and one target column per task, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct MultiTaskData<'a> {
    x: ArrayView2<'a, f64>,
    y: ArrayView2<'a, f64>,
}

impl<'a> MultiTaskData<'a> {
    /// `x` is `rows × inputs`, `y` is `rows × tasks`; both finite and non-empty.
    pub fn new(x: ArrayView2<'a, f64>, y: ArrayView2<'a, f64>) -> Result<Self> {
        if x.nrows() != y.nrows() {
            return Err(Error::shape_mismatch(
                "multi-task inputs vs targets (rows)",
                [x.nrows()],
                [y.nrows()],
            ));
        }
        if x.nrows() == 0 || x.ncols() == 0 || y.ncols() == 0 {
            return Err(Error::EmptyInput(format!(
                "multi-task data needs rows, inputs and tasks (got {}×{} and {}×{})",
                x.nrows(),
                x.ncols(),
                y.nrows(),
                y.ncols()
            )));
        }
        check::finite2("multi-task inputs", x)?;
        check::finite2("multi-task targets", y)?;
        Ok(MultiTaskData { x, y })
    }

    fn select(&self, rows: &[usize]) -> (Array2<f32>, Array2<f32>) {
        (
            self.x.select(Axis(0), rows).mapv(|v| v as f32),
            self.y.select(Axis(0), rows).mapv(|v| v as f32),
        )
    }

    fn all_rows(&self) -> Vec<usize> {
        (0..self.x.nrows()).collect()
    }
}

/// How to train a shared-backbone multi-task network. Inputs and targets
/// are used as given: standardise them first (e.g. with
/// `voltai_core::StandardScaler`), as for any neural network.
///
/// ```
/// use ndarray::Array2;
/// use voltai_core::Fit;
/// use voltai_neural::multitask::TaskWeighting;
/// use voltai_neural::{MultiTaskData, MultiTaskParams};
///
/// let x = Array2::from_shape_fn((20, 3), |(i, j)| ((i * 7 + j * 3) % 11) as f64 / 11.0 - 0.5);
/// let y = Array2::from_shape_fn((20, 2), |(i, t)| x[[i, t]] - 0.5 * x[[i, 2]]);
/// let model = MultiTaskParams::new(TaskWeighting::Uncertainty)
///     .hidden(8)?
///     .training(20, 1e-2, 20, 0.0)?
///     .fit(&MultiTaskData::new(x.view(), y.view())?)?;
/// assert_eq!(model.predict(x.view())?.dim(), (20, 2));
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiTaskParams {
    hidden: usize,
    weighting: TaskWeighting,
    training: TrainConfig,
    validation_fraction: f64,
    seed: u64,
    backend: Backend,
}

impl MultiTaskParams {
    /// Defaults: 32 hidden units, [`TrainConfig::default`], 20 % of the rows
    /// held out for early stopping, seed 0, CPU.
    pub fn new(weighting: TaskWeighting) -> Self {
        MultiTaskParams {
            hidden: 32,
            weighting,
            training: TrainConfig::default(),
            validation_fraction: 0.2,
            seed: 0,
            backend: Backend::Cpu,
        }
    }

    /// Width of the two backbone layers (≥ 1).
    pub fn hidden(mut self, v: usize) -> Result<Self> {
        if v == 0 {
            return Err(Error::invalid_parameter("hidden", v, "1 or more"));
        }
        self.hidden = v;
        Ok(self)
    }

    crate::training_setter!();

    crate::fit_setters!("rows");

    fn config(&self, inputs: usize, tasks: usize) -> MultiTaskConfig {
        MultiTaskConfig {
            inputs,
            hidden: self.hidden,
            tasks,
            weighting: self.weighting.clone(),
        }
    }

    fn init(&self, inputs: usize, tasks: usize, device: &Device) -> Result<MultiTaskNet> {
        seeded(device, self.seed, |d| self.config(inputs, tasks).init(d))
    }

    /// Trains on `train` (full batch) and stops early on the mean squared
    /// error over `validation` (rows the caller set aside). After each epoch
    /// `progress` gets task `"epoch"` with the losses.
    pub fn fit_validated(
        &self,
        train_rows: &MultiTaskData<'_>,
        validation: &MultiTaskData<'_>,
        progress: &mut ProgressFn<'_>,
    ) -> Result<FittedMultiTask> {
        self.fit_rows(
            train_rows.select(&train_rows.all_rows()),
            validation.select(&validation.all_rows()),
            progress,
        )
    }

    /// [`Fit::fit`] with a progress callback: holds out a seeded share of
    /// the rows for early stopping.
    pub fn fit_with_progress(
        &self,
        data: &MultiTaskData<'_>,
        progress: &mut ProgressFn<'_>,
    ) -> Result<FittedMultiTask> {
        let split = train_test_split(data.x.nrows(), self.validation_fraction, self.seed)?;
        self.fit_rows(
            data.select(&split.train),
            data.select(&split.test),
            progress,
        )
    }

    fn fit_rows(
        &self,
        (xt, yt): (Array2<f32>, Array2<f32>),
        (xv, yv): (Array2<f32>, Array2<f32>),
        progress: &mut ProgressFn<'_>,
    ) -> Result<FittedMultiTask> {
        let (inputs, tasks) = (xt.ncols(), yt.ncols());
        if xv.ncols() != inputs || yv.ncols() != tasks {
            return Err(Error::shape_mismatch(
                "validation inputs and tasks vs training",
                [inputs, tasks],
                [xv.ncols(), yv.ncols()],
            ));
        }
        if xt.nrows() == 0 || xv.nrows() == 0 {
            return Err(Error::EmptyInput(
                "training and validation need at least one row each".into(),
            ));
        }
        let device = self.backend.device(self.seed)?;
        let (xt, yt) = (tensor2(xt.view(), &device), tensor2(yt.view(), &device));
        let (xv, yv) = (tensor2(xv.view(), &device), tensor2(yv.view(), &device));
        let trained = train(
            self.init(inputs, tasks, &device)?,
            &self.training,
            |m, _| Ok(m.loss(xt.clone(), yt.clone())),
            |m| Ok(validation_mse(m, xv.clone(), yv.clone())),
            progress,
        )?;
        Ok(FittedMultiTask {
            net: trained.model,
            params: self.clone(),
            inputs,
            tasks,
            device,
            best_epoch: trained.best_epoch,
            history: trained.history,
        })
    }
}

/// Fits with a seeded hold-out for early stopping.
impl<'a> Fit<MultiTaskData<'a>> for MultiTaskParams {
    type Model = FittedMultiTask;
    fn fit(&self, data: &MultiTaskData<'a>) -> Result<FittedMultiTask> {
        self.fit_with_progress(data, &mut |_| {})
    }
}

fn validation_mse(m: &MultiTaskNet, x: Tensor<2>, y: Tensor<2>) -> f64 {
    let (m, x) = inference(m, x);
    scalar(
        (m.forward(x) - y.without_autodiff())
            .powf_scalar(2.0)
            .mean(),
    )
}

/// A trained multi-task network.
#[derive(Debug)]
pub struct FittedMultiTask {
    net: MultiTaskNet,
    params: MultiTaskParams,
    inputs: usize,
    tasks: usize,
    device: Device,
    /// Epoch whose weights were kept.
    pub best_epoch: usize,
    /// Per-epoch losses.
    pub history: Vec<EpochReport>,
}

impl FittedMultiTask {
    /// Predictions, `rows × tasks`, for finite inputs with the training's
    /// number of columns.
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.inputs {
            return Err(Error::shape_mismatch(
                "multi-task inputs (columns)",
                [self.inputs],
                [x.ncols()],
            ));
        }
        if x.nrows() == 0 {
            return Err(Error::EmptyInput("no rows to predict".into()));
        }
        check::finite2("multi-task inputs", x)?;
        let xf = x.mapv(|v| v as f32);
        Ok(self.net.predict(xf.view(), &self.device)?.mapv(f64::from))
    }

    /// Per-task loss weights in use (`exp(−s)` when learned).
    pub fn task_weights(&self) -> Result<Vec<f32>> {
        self.net.task_weights()
    }

    /// The network (for CKA and transfer).
    pub fn network(&self) -> &MultiTaskNet {
        &self.net
    }

    /// Number of tasks.
    pub fn tasks(&self) -> usize {
        self.tasks
    }
}

impl Serialize for FittedMultiTask {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let settings = (&self.params, self.inputs, self.tasks);
        SavedNetwork::new(settings, &self.net, self.best_epoch, &self.history)
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

/// Loads onto the backend it was trained on.
impl<'de> Deserialize<'de> for FittedMultiTask {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let saved = SavedNetwork::<(MultiTaskParams, usize, usize)>::deserialize(deserializer)?;
        let load = || -> Result<FittedMultiTask> {
            let (params, inputs, tasks) = saved.settings.clone();
            let device = params.backend.device(params.seed)?;
            Ok(FittedMultiTask {
                net: saved.weights_into(params.init(inputs, tasks, &device)?)?,
                params,
                inputs,
                tasks,
                device,
                best_epoch: saved.best_epoch,
                history: saved.history.clone(),
            })
        };
        load().map_err(serde::de::Error::custom)
    }
}

impl Persist for FittedMultiTask {
    const KIND: &'static str = "voltai_neural::FittedMultiTask";
}
