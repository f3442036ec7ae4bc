//! A multi-task network: a shared backbone with one head per task, the task
//! losses weighted by fixed weights or by learned homoscedastic uncertainty
//! (Kendall, Gal & Cipolla 2018).

use burn::module::{Module, Param};
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};
use ndarray::{Array2, ArrayView2};
use voltai_core::{Error, Result};

use crate::convert::{array2, inference, tensor2};

/// How task losses are combined.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum TaskWeighting {
    /// `Σ wᵢ Lᵢ` with the given weights.
    Fixed(Vec<f32>),
    /// `Σ exp(−sᵢ) Lᵢ + sᵢ` with learned log-variances `sᵢ`: noisier tasks
    /// are down-weighted automatically.
    Uncertainty,
}

/// Sizes of a [`MultiTaskNet`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MultiTaskConfig {
    /// Input features.
    pub inputs: usize,
    /// Width of the two backbone layers.
    pub hidden: usize,
    /// Number of tasks (heads); 1 gives a single-task network of equal size.
    pub tasks: usize,
    /// Loss weighting.
    pub weighting: TaskWeighting,
}

impl MultiTaskConfig {
    /// A freshly initialised network on `device`.
    pub fn init(&self, device: &Device) -> Result<MultiTaskNet> {
        if self.inputs == 0 || self.hidden == 0 || self.tasks == 0 {
            return Err(Error::InvalidInput(
                "inputs, hidden and tasks must be positive".into(),
            ));
        }
        if let TaskWeighting::Fixed(w) = &self.weighting
            && (w.len() != self.tasks || w.iter().any(|v| !(v.is_finite() && *v >= 0.0)))
        {
            return Err(Error::InvalidInput(format!(
                "fixed weights must be {} finite non-negative numbers",
                self.tasks
            )));
        }
        let weights = match &self.weighting {
            TaskWeighting::Fixed(w) => w.clone(),
            TaskWeighting::Uncertainty => Vec::new(),
        };
        Ok(MultiTaskNet {
            layer1: LinearConfig::new(self.inputs, self.hidden).init(device),
            layer2: LinearConfig::new(self.hidden, self.hidden).init(device),
            heads: (0..self.tasks)
                .map(|_| LinearConfig::new(self.hidden, 1).init(device))
                .collect(),
            log_vars: Param::from_tensor(Tensor::<1>::zeros([self.tasks], device)),
            fixed: weights,
        })
    }
}

/// Shared backbone (two ReLU layers) and one linear head per task.
#[derive(Module, Debug)]
pub struct MultiTaskNet {
    /// First backbone layer.
    pub layer1: Linear,
    /// Second backbone layer.
    pub layer2: Linear,
    /// One head per task.
    pub heads: Vec<Linear>,
    /// Learned log-variances (used by uncertainty weighting).
    pub log_vars: Param<Tensor<1>>,
    fixed: Vec<f32>,
}

impl MultiTaskNet {
    /// Backbone features, `rows × hidden`.
    pub fn features(&self, x: Tensor<2>) -> Tensor<2> {
        relu(self.layer2.forward(relu(self.layer1.forward(x))))
    }

    /// Predictions, `rows × tasks`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let h = self.features(x);
        Tensor::cat(
            self.heads
                .iter()
                .map(|head| head.forward(h.clone()))
                .collect(),
            1,
        )
    }

    /// The weighted training loss on `x` and targets `y` (`rows × tasks`).
    pub fn loss(&self, x: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
        let tasks = self.heads.len();
        let per_task = (self.forward(x) - y)
            .powf_scalar(2.0)
            .mean_dim(0)
            .reshape([tasks]);
        if self.fixed.is_empty() {
            let s = self.log_vars.val();
            (per_task * s.clone().neg().exp() + s).sum()
        } else {
            let w = Tensor::<1>::from_floats(self.fixed.as_slice(), &per_task.device());
            (per_task * w).sum()
        }
    }

    /// Predictions for an input matrix.
    pub fn predict(&self, x: ArrayView2<'_, f32>, device: &Device) -> Result<Array2<f32>> {
        let (model, x) = inference(self, tensor2(x, device));
        array2(model.forward(x))
    }

    /// Per-task weights currently in use (`exp(−s)` when learned).
    pub fn task_weights(&self) -> Result<Vec<f32>> {
        if !self.fixed.is_empty() {
            return Ok(self.fixed.clone());
        }
        let s = self
            .log_vars
            .val()
            .detach()
            .into_data()
            .try_to_vec::<f32>()
            .map_err(|e| Error::numerical("task weights", format!("{e:?}")))?;
        Ok(s.iter().map(|v| (-v).exp()).collect())
    }
}
