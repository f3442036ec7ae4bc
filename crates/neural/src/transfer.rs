//! Transfer learning between chemistries or protocols: compare each layer of
//! a pretrained forecaster with the same layer of a model trained on the
//! target alone by centred kernel alignment (CKA), and fine-tune with the
//! most similar layers frozen.
//!
//! Capacity windows vary across cells in little more than level and slope,
//! so CKA over one row per cell is near 1 for any two networks, even an
//! untrained one. [`layer_cka`] therefore compares layers over every
//! (cell, step) of the trajectories they trace ([`Forecaster::activations`]),
//! with the debiased estimator, and [`Similarity::Rbf`] adds the
//! median-heuristic RBF kernel, which also sees non-linear agreement. Put
//! the CKA between the pretrained and a randomly initialised model beside
//! it as the floor: a layer whose CKA is at the floor says nothing.
//!
//! ```
//! use voltai_neural::transfer::{LayerSimilarity, freeze_candidates};
//!
//! let sims = [
//!     LayerSimilarity { layer: "encoder", cka: 0.99 },
//!     LayerSimilarity { layer: "decoder", cka: 0.80 },
//!     LayerSimilarity { layer: "head", cka: 0.45 },
//! ];
//! // Nothing frozen, then the most similar layer, then the two most
//! // similar; the least similar layer always stays trainable.
//! assert_eq!(
//!     freeze_candidates(&sims),
//!     vec![vec![], vec!["encoder"], vec!["encoder", "decoder"]]
//! );
//! ```

use burn::module::Module;
use burn::tensor::Device;
use ndarray::Array2;
use voltai_core::{Error, Result};
use voltai_kernels::cka::{linear_cka, rbf_cka};

use crate::forecaster::Forecaster;
use crate::trajectories::SequenceBatch;

/// The layers of a [`Forecaster`], input to output.
pub const LAYERS: [&str; 3] = ["encoder", "decoder", "head"];

/// How two layers' representations are compared (both debiased: the
/// unbiased HSIC estimator, whose expectation is 0 for unrelated
/// representations).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Similarity {
    /// Linear CKA (Kornblith et al. 2019).
    Linear,
    /// RBF CKA with bandwidth `sigma_fraction` × the median pairwise
    /// distance of each representation (Kornblith et al. use 0.5–1).
    Rbf {
        /// Bandwidth as a fraction of the median distance.
        sigma_fraction: f64,
    },
}

/// Similarity of one layer's representations in two models.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LayerSimilarity {
    /// One of [`LAYERS`].
    pub layer: &'static str,
    /// CKA between the two models' activations on the same inputs:
    /// 1 = the same representation up to rotation and scale.
    pub cka: f64,
}

/// Per-layer CKA between `a` and `b` on the windows of `batch`, over every
/// (cell, step) row of [`Forecaster::activations`].
pub fn layer_cka(
    a: &Forecaster,
    b: &Forecaster,
    batch: &SequenceBatch,
    device: &Device,
    similarity: Similarity,
) -> Result<Vec<LayerSimilarity>> {
    let (x, y) = (a.activations(batch, device)?, b.activations(batch, device)?);
    let f = |m: &Array2<f32>| m.mapv(f64::from);
    let cka = |p: &Array2<f32>, q: &Array2<f32>| {
        let (p, q) = (f(p), f(q));
        match similarity {
            Similarity::Linear => linear_cka(p.view(), q.view(), true),
            Similarity::Rbf { sigma_fraction } => rbf_cka(p.view(), q.view(), sigma_fraction, true),
        }
    };
    Ok(vec![
        LayerSimilarity {
            layer: LAYERS[0],
            cka: cka(&x.encoder, &y.encoder)?,
        },
        LayerSimilarity {
            layer: LAYERS[1],
            cka: cka(&x.decoder, &y.decoder)?,
        },
        LayerSimilarity {
            layer: LAYERS[2],
            cka: cka(&x.head, &y.head)?,
        },
    ])
}

/// The sets of layers worth freezing, guided by CKA: nothing, then the most
/// similar layer, then the two most similar, … — never the least similar
/// layer (something must be fine-tuned). Which set to use is for a
/// validation split of the target to decide, never the test cells; because
/// the empty set is among them, the rule can always fall back to full
/// fine-tuning.
pub fn freeze_candidates(similarities: &[LayerSimilarity]) -> Vec<Vec<&'static str>> {
    let mut ranked: Vec<&LayerSimilarity> = similarities.iter().collect();
    ranked.sort_by(|a, b| b.cka.total_cmp(&a.cka));
    (0..ranked.len().max(1))
        .map(|k| ranked[..k].iter().map(|s| s.layer).collect())
        .collect()
}

/// Stops gradients in the named layers (any of [`LAYERS`]).
pub fn freeze_layers(model: Forecaster, layers: &[&str]) -> Result<Forecaster> {
    let mut model = model;
    for &layer in layers {
        match layer {
            "encoder" => model.encoder = model.encoder.no_grad(),
            "decoder" => model.decoder = model.decoder.no_grad(),
            "head" => model.head = model.head.no_grad(),
            other => {
                return Err(Error::InvalidInput(format!(
                    "unknown layer {other:?}: the forecaster has encoder, decoder and head"
                )));
            }
        }
    }
    Ok(model)
}
