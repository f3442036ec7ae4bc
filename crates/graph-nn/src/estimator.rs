//! Parameters → fitted model for structure → property learning: targets
//! standardised, seeded mini-batches, early stopping on a held-out part of
//! the training graphs, checkpoints.

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Int, Tensor, TensorData};
use rayon::prelude::*;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use voltai_core::persist::Persist;
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Error, Fit, ProgressFn, Result};
use voltai_neural::device::{Backend, seeded};
use voltai_neural::persist::SavedNetwork;
use voltai_neural::train::{EpochReport, TrainConfig, train_minibatch_sharded};

use crate::features::NODE_FEATURES;
use crate::graph::{CrystalGraph, GraphBatch};
use crate::model::{Architecture, GraphNet, GraphNetConfig};

/// What the network predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    /// One real target (trained on standardised values with squared error).
    Regression,
    /// Class labels 0..classes (cross-entropy).
    Classification {
        /// Number of classes (≥ 2).
        classes: usize,
    },
}

/// Hyper-parameters of a graph model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GraphModelParams {
    architecture: Architecture,
    task: Task,
    hidden: usize,
    layers: usize,
    batch_size: usize,
    validation_fraction: f64,
    seed: u64,
    training: TrainConfig,
    #[serde(default)]
    backend: Backend,
}

/// Graphs with one target each (class indices as `f64` for
/// classification), borrowed: the input of [`GraphModelParams`]' `Fit`.
#[derive(Debug, Clone, Copy)]
pub struct GraphData<'a> {
    graphs: &'a [CrystalGraph],
    targets: &'a [f64],
}

impl<'a> GraphData<'a> {
    /// Pairs `graphs` with `targets` (same length, targets finite).
    pub fn new(graphs: &'a [CrystalGraph], targets: &'a [f64]) -> Result<Self> {
        if graphs.len() != targets.len() {
            return Err(Error::shape_mismatch(
                "graphs vs targets",
                vec![graphs.len()],
                vec![targets.len()],
            ));
        }
        if let Some(i) = targets.iter().position(|t| !t.is_finite()) {
            return Err(Error::NonFinite {
                context: "graph targets".into(),
                index: vec![i],
                value: targets[i],
            });
        }
        Ok(GraphData { graphs, targets })
    }

    /// The graphs.
    pub fn graphs(&self) -> &'a [CrystalGraph] {
        self.graphs
    }

    /// The targets.
    pub fn targets(&self) -> &'a [f64] {
        self.targets
    }
}

impl GraphModelParams {
    /// Defaults: 64 hidden units, 3 layers, batches of 32, 10 % of the
    /// training graphs held out for early stopping, 150 epochs at 3e-3
    /// (AdamW, weight decay 1e-4, cosine decay), patience 40.
    pub fn new(architecture: Architecture, task: Task) -> Self {
        GraphModelParams {
            architecture,
            task,
            hidden: 64,
            layers: 3,
            batch_size: 32,
            validation_fraction: 0.1,
            seed: 0,
            training: TrainConfig {
                epochs: 150,
                learning_rate: 3e-3,
                weight_decay: 1e-4,
                final_lr_fraction: 0.05,
                patience: 40,
            },
            backend: Backend::Cpu,
        }
    }

    /// Hidden width (≥ 1).
    pub fn hidden(mut self, v: usize) -> Result<Self> {
        if v == 0 {
            return Err(Error::invalid_parameter("hidden", v, "1 or more"));
        }
        self.hidden = v;
        Ok(self)
    }

    /// Number of message-passing layers (≥ 1).
    pub fn layers(mut self, v: usize) -> Result<Self> {
        if v == 0 {
            return Err(Error::invalid_parameter("layers", v, "1 or more"));
        }
        self.layers = v;
        Ok(self)
    }

    /// Graphs per optimiser step (≥ 1).
    pub fn batch_size(mut self, v: usize) -> Result<Self> {
        if v == 0 {
            return Err(Error::invalid_parameter("batch_size", v, "1 or more"));
        }
        self.batch_size = v;
        Ok(self)
    }

    voltai_neural::fit_setters!("graphs");

    voltai_neural::training_setter!();

    /// The seed set by [`Self::seed`] (ensembles derive theirs from it).
    pub(crate) fn seed_value(&self) -> u64 {
        self.seed
    }

    /// The task.
    pub(crate) fn task(&self) -> Task {
        self.task
    }

    fn outputs(&self) -> usize {
        match self.task {
            Task::Regression => 1,
            Task::Classification { classes } => classes,
        }
    }

    fn init(&self, widths: FeatureWidths, device: &Device) -> GraphNet {
        seeded(device, self.seed, |d| {
            GraphNetConfig {
                architecture: self.architecture,
                node: NODE_FEATURES,
                edge: widths.edge,
                angle: widths.angle,
                globals: widths.globals,
                hidden: self.hidden,
                layers: self.layers,
                outputs: self.outputs(),
            }
            .init(d)
        })
    }

    /// [`Fit::fit`] with a progress callback (every epoch), on the params'
    /// backend.
    pub fn fit_with_progress(
        &self,
        data: &GraphData<'_>,
        progress: &mut ProgressFn<'_>,
    ) -> Result<FittedGraphModel> {
        self.fit_on_device(data, &self.backend.device(self.seed)?, progress)
    }

    /// Fits on an explicit autodiff `device` (e.g. one shared with other
    /// models). `progress` sees every epoch.
    pub fn fit_on_device(
        &self,
        data: &GraphData<'_>,
        device: &Device,
        progress: &mut ProgressFn<'_>,
    ) -> Result<FittedGraphModel> {
        let (graphs, targets) = (data.graphs, data.targets);
        if graphs.len() < 4 {
            return Err(Error::EmptyInput(format!(
                "need at least 4 graphs, got {}",
                graphs.len()
            )));
        }
        let widths = FeatureWidths::of(&graphs[0]);
        if let Some(g) = graphs.iter().find(|g| FeatureWidths::of(g) != widths) {
            return Err(Error::shape_mismatch(
                "edge, angle and graph-level feature widths of the training graphs",
                vec![widths.edge, widths.angle, widths.globals],
                vec![g.edges.ncols(), g.angles.ncols(), g.globals.len()],
            ));
        }
        let (mean, std) = match self.task {
            Task::Regression => {
                let m = targets.iter().sum::<f64>() / targets.len() as f64;
                let v = targets.iter().map(|t| (t - m).powi(2)).sum::<f64>() / targets.len() as f64;
                if v.is_nan() || v <= 0.0 {
                    return Err(Error::InvalidInput(
                        "every target has the same value".into(),
                    ));
                }
                (m, v.sqrt())
            }
            Task::Classification { classes } => {
                if classes < 2 {
                    return Err(Error::invalid_parameter("classes", classes, "2 or more"));
                }
                if let Some(i) = targets
                    .iter()
                    .position(|t| t.fract() != 0.0 || *t < 0.0 || *t >= classes as f64)
                {
                    return Err(Error::InvalidInput(format!(
                        "target {i} = {} is not a class index in 0..{classes}",
                        targets[i]
                    )));
                }
                let first = targets[0];
                if targets.iter().all(|t| *t == first) {
                    return Err(Error::InvalidInput("all targets are the same class".into()));
                }
                (0.0, 1.0)
            }
        };
        // Seeded hold-out for early stopping.
        let mut order: Vec<usize> = (0..graphs.len()).collect();
        shuffle(&mut order, self.seed ^ 0x5eed);
        let n_val = ((graphs.len() as f64 * self.validation_fraction).round() as usize)
            .clamp(1, graphs.len() - 2);
        let (val_idx, train_idx) = order.split_at(n_val);
        let train_idx = train_idx.to_vec();
        let scaled: Vec<f32> = targets.iter().map(|t| ((t - mean) / std) as f32).collect();

        let val_graphs: Vec<&CrystalGraph> = val_idx.iter().map(|&i| &graphs[i]).collect();
        // Validation runs without autodiff, on the plain device.
        let val_batch = GraphBatch::new(&val_graphs, &device.clone().inner())?;
        let val_targets: Vec<f32> = val_idx.iter().map(|&i| scaled[i]).collect();
        let batches = train_idx.len().div_ceil(self.batch_size);
        let task = self.task;
        let batch_size = self.batch_size;
        let seed = self.seed;
        let mut epoch_order: (usize, Vec<usize>) = (usize::MAX, Vec::new());
        let cfg = self.training;
        let trained = train_minibatch_sharded(
            self.init(widths, device),
            &cfg,
            batches,
            |epoch, b| {
                if epoch_order.0 != epoch {
                    let mut o = train_idx.clone();
                    shuffle(
                        &mut o,
                        seed.wrapping_add(epoch as u64)
                            .wrapping_mul(0x9e37_79b9_7f4a_7c15),
                    );
                    epoch_order = (epoch, o);
                }
                let ids =
                    &epoch_order.1[b * batch_size..((b + 1) * batch_size).min(epoch_order.1.len())];
                Ok(step_parts(ids, graphs))
            },
            |net: &GraphNet, ids: Vec<usize>| {
                let gs: Vec<&CrystalGraph> = ids.iter().map(|&i| &graphs[i]).collect();
                let ys: Vec<f32> = ids.iter().map(|&i| scaled[i]).collect();
                let batch = GraphBatch::new(&gs, device)?;
                Ok(loss(net, &batch, &ys, task, device))
            },
            |net| {
                let out = net.valid().forward(&val_batch);
                Ok(f64::from(
                    metric(out, &val_targets, task, device).into_scalar::<f32>(),
                ))
            },
            progress,
        )?;
        Ok(FittedGraphModel {
            net: trained.model,
            params: *self,
            widths,
            mean,
            std,
            device: device.clone(),
            best_epoch: trained.best_epoch,
            history: trained.history,
        })
    }
}

/// Trains on the params' backend with a seeded hold-out for early stopping.
impl<'a> Fit<GraphData<'a>> for GraphModelParams {
    type Model = FittedGraphModel;
    fn fit(&self, data: &GraphData<'a>) -> Result<FittedGraphModel> {
        self.fit_with_progress(data, &mut |_| {})
    }
}

/// Parts of one optimiser step, each computed on its own thread (see
/// [`train_minibatch_sharded`]), each weighted by its share of the graphs so
/// the summed loss is the step's mean. Graphs go, largest first, to the part
/// with the fewest edges so far (the parts finish together: a step waits for
/// its slowest part). The split depends only on the graphs, never on the
/// machine, so a seed trains the same network anywhere.
fn step_parts(ids: &[usize], graphs: &[CrystalGraph]) -> Vec<(Vec<usize>, f64)> {
    let parts = STEP_PARTS.min(ids.len()).max(1);
    let mut by_size: Vec<usize> = ids.to_vec();
    // Stable sort: ties keep the shuffled order.
    by_size.sort_by_key(|&i| std::cmp::Reverse(graphs[i].num_edges()));
    let mut members = vec![Vec::new(); parts];
    let mut load = vec![0usize; parts];
    for i in by_size {
        let k = (0..parts).min_by_key(|&k| (load[k], k)).unwrap_or(0);
        load[k] += graphs[i].num_edges().max(1);
        members[k].push(i);
    }
    members
        .into_iter()
        .filter(|m| !m.is_empty())
        .map(|m| {
            let w = m.len() as f64 / ids.len() as f64;
            (m, w)
        })
        .collect()
}

/// Graphs per prediction batch. Small batches run in parallel keep every
/// core busy (the CPU backend runs element-wise operations on one core) and
/// their tensors small; each graph's output does not depend on its batch.
const PREDICT_BATCH: usize = 8;

/// Parts per optimiser step. Parts keep every core busy (burn's CPU backend
/// runs element-wise operations on one core) and their tensors small; on
/// OBELiX with batches of 16 on 2 cores, 1 / 2 / 4 / 8 / 16 parts trained
/// 86 / 152 / 196 / 199 / 176 graphs per second. A constant, not the core
/// count, so results do not depend on the machine.
const STEP_PARTS: usize = 8;

fn shuffle(v: &mut [usize], seed: u64) {
    let mut rng = SplitMix64::new(seed);
    for i in (1..v.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

fn targets_tensor(ys: &[f32], device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(ys.to_vec(), [ys.len(), 1]), device)
}

fn class_tensor(ys: &[f32], device: &Device) -> Tensor<1, Int> {
    let v: Vec<i64> = ys.iter().map(|y| *y as i64).collect();
    Tensor::from_data(TensorData::new(v, [ys.len()]), device)
}

fn loss(net: &GraphNet, batch: &GraphBatch, ys: &[f32], task: Task, device: &Device) -> Tensor<1> {
    let out = net.forward(batch);
    match task {
        Task::Regression => (out - targets_tensor(ys, device)).powi_scalar(2).mean(),
        Task::Classification { .. } => CrossEntropyLossConfig::new()
            .init(device)
            .forward(out, class_tensor(ys, device)),
    }
}

/// Validation score: MAE (standardised) or cross-entropy.
fn metric(out: Tensor<2>, ys: &[f32], task: Task, device: &Device) -> Tensor<1> {
    match task {
        Task::Regression => (out - targets_tensor(ys, device)).abs().mean(),
        Task::Classification { .. } => CrossEntropyLossConfig::new()
            .init(device)
            .forward(out, class_tensor(ys, device)),
    }
}

/// Edge and angle feature widths a network is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FeatureWidths {
    edge: usize,
    angle: usize,
    globals: usize,
}

impl FeatureWidths {
    fn of(graph: &CrystalGraph) -> Self {
        FeatureWidths {
            edge: graph.edges.ncols(),
            angle: graph.angles.ncols(),
            globals: graph.globals.len(),
        }
    }
}

fn default_angle_width() -> usize {
    crate::graph::GraphConfig::default().angle_bins
}

/// A trained graph model.
#[derive(Debug)]
pub struct FittedGraphModel {
    net: GraphNet,
    params: GraphModelParams,
    widths: FeatureWidths,
    mean: f64,
    std: f64,
    device: Device,
    /// Epoch whose weights were kept.
    pub best_epoch: usize,
    /// Per-epoch training and validation losses.
    pub history: Vec<EpochReport>,
}

/// The settings a saved [`FittedGraphModel`] holds beside its weights.
#[derive(Serialize, Deserialize)]
struct GraphSettings {
    params: GraphModelParams,
    edge_width: usize,
    /// Absent from files written before three-body models: the default.
    #[serde(default = "default_angle_width")]
    angle_width: usize,
    /// Absent from files written before graph-level features: none.
    #[serde(default)]
    global_width: usize,
    mean: f64,
    std: f64,
}

impl Serialize for FittedGraphModel {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let settings = GraphSettings {
            params: self.params,
            edge_width: self.widths.edge,
            angle_width: self.widths.angle,
            global_width: self.widths.globals,
            mean: self.mean,
            std: self.std,
        };
        SavedNetwork::new(settings, &self.net, self.best_epoch, &self.history)
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

/// Loads onto the params' backend; [`FittedGraphModel::to_device`] moves it.
impl<'de> Deserialize<'de> for FittedGraphModel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let saved = SavedNetwork::<GraphSettings>::deserialize(deserializer)?;
        let load = || -> Result<FittedGraphModel> {
            let s = &saved.settings;
            if !(s.std.is_finite() && s.std > 0.0 && s.mean.is_finite()) {
                return Err(Error::InvalidInput(format!(
                    "saved target scaling mean {} std {} is not usable",
                    s.mean, s.std
                )));
            }
            let device = s.params.backend.device(s.params.seed)?;
            let widths = FeatureWidths {
                edge: s.edge_width,
                angle: s.angle_width,
                globals: s.global_width,
            };
            Ok(FittedGraphModel {
                net: saved.weights_into(s.params.init(widths, &device))?,
                params: s.params,
                widths,
                mean: s.mean,
                std: s.std,
                device,
                best_epoch: saved.best_epoch,
                history: saved.history.clone(),
            })
        };
        load().map_err(serde::de::Error::custom)
    }
}

impl Persist for FittedGraphModel {
    const KIND: &'static str = "voltai_graph_nn::FittedGraphModel";
}

impl FittedGraphModel {
    /// Raw network outputs `[n, outputs]`, in batches of
    /// [`PREDICT_BATCH`] graphs run in parallel (results in input order).
    fn outputs(&self, graphs: &[CrystalGraph]) -> Result<Vec<Vec<f32>>> {
        if let Some(g) = graphs.iter().find(|g| FeatureWidths::of(g) != self.widths) {
            return Err(Error::shape_mismatch(
                "edge, angle and graph-level feature widths",
                vec![self.widths.edge, self.widths.angle, self.widths.globals],
                vec![g.edges.ncols(), g.angles.ncols(), g.globals.len()],
            ));
        }
        // The network without autodiff, on the plain device: prediction then
        // builds no autodiff graph (on the CPU backend that was most of its
        // time).
        let device = &self.device.clone().inner();
        let net = self.net.valid();
        let per_batch: Vec<Result<Vec<Vec<f32>>>> = graphs
            .par_chunks(PREDICT_BATCH)
            .map(|chunk| {
                let refs: Vec<&CrystalGraph> = chunk.iter().collect();
                let batch = GraphBatch::new(&refs, device)?;
                let y = net.forward(&batch);
                let [n, k] = y.dims();
                let v = y
                    .into_data()
                    .try_to_vec::<f32>()
                    .map_err(|e| Error::numerical("graph model read-back", format!("{e:?}")))?;
                Ok((0..n).map(|i| v[i * k..(i + 1) * k].to_vec()).collect())
            })
            .collect();
        let mut out = Vec::with_capacity(graphs.len());
        for b in per_batch {
            out.extend(b?);
        }
        Ok(out)
    }

    /// Predictions in the target's units (regression) or the most likely
    /// class index (classification).
    pub fn predict(&self, graphs: &[CrystalGraph]) -> Result<Vec<f64>> {
        let out = self.outputs(graphs)?;
        Ok(match self.params.task {
            Task::Regression => out
                .iter()
                .map(|o| f64::from(o[0]) * self.std + self.mean)
                .collect(),
            Task::Classification { .. } => out
                .iter()
                .map(|o| {
                    o.iter()
                        .enumerate()
                        .max_by(|a, b| a.1.total_cmp(b.1))
                        .map_or(0.0, |(k, _)| k as f64)
                })
                .collect(),
        })
    }

    /// Class probabilities (softmax of the outputs); for regression, errors.
    pub fn predict_proba(&self, graphs: &[CrystalGraph]) -> Result<Vec<Vec<f64>>> {
        if self.params.task == Task::Regression {
            return Err(Error::InvalidInput(
                "predict_proba needs a classification model".into(),
            ));
        }
        let out = self.outputs(graphs)?;
        Ok(out
            .iter()
            .map(|o| {
                let m = o.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let e: Vec<f64> = o.iter().map(|v| f64::from(v - m).exp()).collect();
                let s: f64 = e.iter().sum();
                e.iter().map(|v| v / s).collect()
            })
            .collect())
    }

    /// The network.
    pub fn net(&self) -> &GraphNet {
        &self.net
    }

    /// The same model on another device (e.g. a wgpu device for fast
    /// inference).
    pub fn to_device(self, device: &Device) -> Self {
        FittedGraphModel {
            net: self.net.to_device(device),
            device: device.clone(),
            ..self
        }
    }
}
