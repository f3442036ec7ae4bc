//! Sequence-to-sequence capacity forecaster: a GRU encoder reads the observed
//! window, a GRU decoder emits one step at a time from its own last output.

use burn::module::Module;
use burn::nn::{Gru, GruConfig, Linear, LinearConfig};
use burn::tensor::{Device, Tensor, s};
use ndarray::Array2;
use voltai_core::Result;
use voltai_core::synthetic::SplitMix64;

use crate::convert::{array2, inference, tensor2};
use crate::penalty::{masked_mse, monotonicity_penalty};
use crate::trajectories::SequenceBatch;

/// Size and input scaling of a [`Forecaster`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ForecasterConfig {
    /// Hidden units of the encoder and decoder GRUs.
    pub hidden: usize,
    /// Inputs are fed as `(y − center) / spread`, so normalised capacities
    /// near 0.9 ± 0.1 reach the GRUs on a unit scale.
    pub center: f32,
    /// See `center`.
    pub spread: f32,
}

impl Default for ForecasterConfig {
    fn default() -> Self {
        ForecasterConfig {
            hidden: 32,
            center: 0.9,
            spread: 0.1,
        }
    }
}

impl ForecasterConfig {
    /// A freshly initialised forecaster on `device` (seed the device first).
    pub fn init(&self, device: &Device) -> Forecaster {
        Forecaster {
            encoder: GruConfig::new(1, self.hidden, true).init(device),
            decoder: GruConfig::new(1, self.hidden, true).init(device),
            head: LinearConfig::new(self.hidden, 1).init(device),
            hidden: self.hidden,
            center: self.center,
            spread: self.spread,
        }
    }
}

/// The terms of [`Forecaster::loss`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ForecastLoss {
    /// Probability of feeding the true previous value back at each decoder
    /// step (scheduled sampling); 1 is full teacher forcing.
    pub teacher_ratio: f64,
    /// Weight of the monotonicity penalty (0 turns it off).
    pub monotonicity_weight: f32,
    /// Rise per step that the penalty tolerates (capacity may recover a little).
    pub tolerance: f32,
    /// Seed of the teacher-forcing draws.
    pub seed: u64,
}

/// The forecaster. Each decoder step predicts the change from the previous
/// step (a residual), so "no change" is the easy default it departs from.
#[derive(Module, Debug)]
pub struct Forecaster {
    /// Reads the observed window.
    pub encoder: Gru,
    /// Emits one step at a time.
    pub decoder: Gru,
    /// Hidden state → change of capacity.
    pub head: Linear,
    hidden: usize,
    center: f32,
    spread: f32,
}

/// Per-layer activations for representation analysis (CKA). Each row is
/// one (cell, step) pair, cell-major: capacity windows vary across cells
/// in little more than level and slope, so one row per cell gives any two
/// smooth networks (even untrained ones) a CKA near 1; the path a layer
/// traces through the steps is what tells networks apart.
#[derive(Debug, Clone)]
pub struct Activations {
    /// Encoder hidden states at every observed step,
    /// `(cells·encoder steps) × hidden`.
    pub encoder: Array2<f32>,
    /// Decoder hidden states at every forecast step (free-running),
    /// `(cells·decoder steps) × hidden`.
    pub decoder: Array2<f32>,
    /// Head outputs (per-step changes of capacity),
    /// `(cells·decoder steps) × 1`.
    pub head: Array2<f32>,
}

impl Forecaster {
    fn scale(&self, y: Tensor<2>) -> Tensor<2> {
        y.sub_scalar(self.center).div_scalar(self.spread)
    }

    /// Runs the decoder for `steps`; `teacher[t]` = true feeds the true
    /// previous value instead of the model's own (teacher forcing). Returns
    /// the forecasts, the encoder states `(b·ne) × hidden` and the decoder
    /// states and changes, one tensor per step.
    fn run(
        &self,
        encoder: Tensor<2>,
        steps: usize,
        targets: Option<&Tensor<2>>,
        teacher: &[bool],
    ) -> (Tensor<2>, Tensor<2>, Vec<Tensor<2>>, Vec<Tensor<2>>) {
        let [b, ne] = encoder.dims();
        let enc_in = self.scale(encoder.clone()).reshape([b, ne, 1]);
        let enc_out = self.encoder.forward(enc_in, None);
        let mut state = enc_out
            .clone()
            .slice(s![.., ne - 1..ne, ..])
            .reshape([b, self.hidden]);
        let enc_states = enc_out.reshape([b * ne, self.hidden]);
        let mut prev = encoder.slice(s![.., ne - 1..ne]);
        let mut outputs = Vec::with_capacity(steps);
        let mut hiddens = Vec::with_capacity(steps);
        let mut deltas = Vec::with_capacity(steps);
        for t in 0..steps {
            let input = self.scale(prev.clone()).reshape([b, 1, 1]);
            let h = self
                .decoder
                .forward(input, Some(state))
                .reshape([b, self.hidden]);
            let delta = self.head.forward(h.clone()).mul_scalar(self.spread);
            let y = prev.clone() + delta.clone();
            outputs.push(y.clone());
            hiddens.push(h.clone());
            deltas.push(delta);
            state = h;
            prev = match targets {
                Some(tg) if teacher.get(t).copied().unwrap_or(false) => {
                    tg.clone().slice(s![.., t..t + 1])
                }
                _ => y,
            };
        }
        (Tensor::cat(outputs, 1), enc_states, hiddens, deltas)
    }

    /// Forecasts `steps` steps for each row of `encoder` (normalised
    /// capacities of the observed window). Only the window is read: the
    /// future of a cell cannot influence its forecast.
    pub fn forecast(&self, encoder: Tensor<2>, steps: usize) -> Tensor<2> {
        self.run(encoder, steps, None, &[]).0
    }

    /// Training loss on a batch: masked MSE plus the weighted monotonicity
    /// penalty, with the true previous value fed back at each step with
    /// probability `terms.teacher_ratio` (scheduled sampling; seeded).
    pub fn loss(&self, batch: &SequenceBatch, device: &Device, terms: &ForecastLoss) -> Tensor<1> {
        let ForecastLoss {
            teacher_ratio,
            monotonicity_weight: lambda,
            tolerance,
            seed,
        } = *terms;
        let enc = tensor2(batch.encoder.view(), device);
        let targets = tensor2(batch.targets.view(), device);
        let mask = tensor2(batch.mask.view(), device);
        let steps = batch.targets.ncols();
        let mut rng = SplitMix64::new(seed);
        let teacher: Vec<bool> = (0..steps).map(|_| rng.uniform() < teacher_ratio).collect();
        let (pred, _, _, _) = self.run(enc, steps, Some(&targets), &teacher);
        let mse = masked_mse(pred.clone(), targets, mask.clone());
        if lambda > 0.0 {
            mse + monotonicity_penalty(pred, mask, tolerance).mul_scalar(lambda)
        } else {
            mse
        }
    }

    /// Forecasts for a batch as an array (`cells × decoder steps`).
    ///
    /// Runs without autodiff (see [`crate::convert::inference`]).
    pub fn predict(&self, batch: &SequenceBatch, device: &Device) -> Result<Array2<f32>> {
        let (model, enc) = inference(self, tensor2(batch.encoder.view(), device));
        array2(model.forecast(enc, batch.targets.ncols()))
    }

    /// Activations of each layer for a batch (free-running decoder), one
    /// row per (cell, step).
    pub fn activations(&self, batch: &SequenceBatch, device: &Device) -> Result<Activations> {
        let (model, enc) = inference(self, tensor2(batch.encoder.view(), device));
        let (_, enc_states, hiddens, deltas) = model.run(enc, batch.targets.ncols(), None, &[]);
        // Stacking along a new step axis keeps rows cell-major.
        let per_step = |t: Vec<Tensor<2>>, width: usize| {
            let [b, _] = t[0].dims();
            let n = t.len();
            Tensor::stack::<3>(t, 1).reshape([b * n, width])
        };
        let steps = batch.targets.ncols();
        if steps == 0 {
            return Err(voltai_core::Error::EmptyInput(
                "activations need at least one forecast step".into(),
            ));
        }
        Ok(Activations {
            encoder: array2(enc_states)?,
            decoder: array2(per_step(hiddens, self.hidden))?,
            head: array2(per_step(deltas, 1))?,
        })
    }
}
