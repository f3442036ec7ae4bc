//! Transfer learning between protocols: compare each layer of a pretrained
//! forecaster with the same layer after fine-tuning by linear CKA, freeze the
//! layers that barely moved, and fine-tune the rest.

use burn::module::Module;
use burn::tensor::Device;
use voltai_core::Result;
use voltai_kernels::cka::linear_cka;

use crate::forecaster::Forecaster;
use crate::trajectories::SequenceBatch;

/// Similarity of one layer's representations in two models.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerSimilarity {
    /// `"encoder"`, `"decoder"` or `"head"`.
    pub layer: &'static str,
    /// Linear CKA (Kornblith et al. 2019) between the two models'
    /// activations on the same inputs: 1 = same representation up to
    /// rotation and scale. The debiased estimator (unbiased HSIC) is used:
    /// with a few dozen probe windows and wide layers the plain estimator
    /// sits near 1 for any pair of networks.
    pub cka: f64,
}

/// Per-layer linear CKA between `a` and `b` on the cells of `batch`.
pub fn layer_cka(
    a: &Forecaster,
    b: &Forecaster,
    batch: &SequenceBatch,
    device: &Device,
) -> Result<Vec<LayerSimilarity>> {
    let (x, y) = (a.activations(batch, device)?, b.activations(batch, device)?);
    let f = |m: &ndarray::Array2<f32>| m.mapv(f64::from);
    Ok(vec![
        LayerSimilarity {
            layer: "encoder",
            cka: linear_cka(f(&x.encoder).view(), f(&y.encoder).view(), true)?,
        },
        LayerSimilarity {
            layer: "decoder",
            cka: linear_cka(f(&x.decoder).view(), f(&y.decoder).view(), true)?,
        },
        LayerSimilarity {
            layer: "head",
            cka: linear_cka(f(&x.head).view(), f(&y.head).view(), true)?,
        },
    ])
}

/// Stops gradients in every layer whose CKA is at least `threshold`, except
/// that the least similar layer always stays trainable (something must be
/// fine-tuned); returns the model and the names of the frozen layers.
pub fn freeze_similar(
    model: Forecaster,
    similarities: &[LayerSimilarity],
    threshold: f64,
) -> (Forecaster, Vec<&'static str>) {
    let mut model = model;
    let mut frozen = Vec::new();
    let least = similarities
        .iter()
        .min_by(|a, b| a.cka.total_cmp(&b.cka))
        .map(|s| s.layer);
    for s in similarities {
        if s.cka >= threshold && Some(s.layer) != least {
            frozen.push(s.layer);
            match s.layer {
                "encoder" => model.encoder = model.encoder.no_grad(),
                "decoder" => model.decoder = model.decoder.no_grad(),
                _ => model.head = model.head.no_grad(),
            }
        }
    }
    (model, frozen)
}
