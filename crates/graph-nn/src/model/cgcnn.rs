//! CGCNN (Xie & Grossman, PRL 120, 145301, 2018): gated convolutions over
//! `z_ij = [v_i, v_j, u_ij]`,
//! `v_i ← softplus(v_i + Σ_j σ(z_ij W_f + b_f) ⊙ softplus(z_ij W_s + b_s))`,
//! then mean pooling over atoms. The original normalises the summed
//! messages with batch normalisation; here a layer normalisation per atom
//! does that job, so a prediction never depends on which other structures
//! share its batch (and small battery datasets give noisy batch statistics).

use burn::module::Module;
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, IndexingUpdateOp, Tensor};

use crate::graph::GraphBatch;
use crate::model::{GraphNetConfig, Readout, softplus};

/// One CGCNN convolution. The weight matrix acting on `[v_i, v_j, u_ij]`
/// is held as its three blocks, so the atom blocks are applied once per
/// atom (`N × H × 2H`) and gathered onto the edges, instead of once per
/// edge (`E × (2H + G) × 2H`, with E ≈ 12 N): the same function, about a
/// third of the arithmetic.
#[derive(Module, Debug)]
pub struct CgConv {
    /// Block acting on the centre atom `v_i` (`[H] → [2H]`, with the bias).
    pub center: Linear,
    /// Block acting on the neighbour `v_j` (`[H] → [2H]`).
    pub neighbor: Linear,
    /// Block acting on the bond `u_ij` (`[G] → [2H]`).
    pub bond: Linear,
    /// Normalises the summed messages of each atom.
    pub norm: LayerNorm,
    /// Hidden width H.
    pub hidden: usize,
}

impl CgConv {
    /// A convolution for `hidden` node and `edge` edge features.
    pub fn new(hidden: usize, edge: usize, device: &Device) -> Self {
        CgConv {
            center: LinearConfig::new(hidden, 2 * hidden).init(device),
            neighbor: LinearConfig::new(hidden, 2 * hidden)
                .with_bias(false)
                .init(device),
            bond: LinearConfig::new(edge, 2 * hidden)
                .with_bias(false)
                .init(device),
            norm: LayerNormConfig::new(hidden).init(device),
            hidden,
        }
    }

    /// Updated node states `[N, H]`.
    pub fn forward(&self, h: Tensor<2>, batch: &GraphBatch) -> Tensor<2> {
        let zi = self
            .center
            .forward(h.clone())
            .select(0, batch.sources.clone());
        let zj = self
            .neighbor
            .forward(h.clone())
            .select(0, batch.targets.clone());
        let z = zi + zj + self.bond.forward(batch.edges.clone());
        let [e, _] = z.dims();
        let gate = sigmoid(z.clone().slice([0..e, 0..self.hidden]));
        let core = softplus(z.slice([0..e, self.hidden..2 * self.hidden]));
        let messages = gate * core;
        let agg = Tensor::zeros(h.dims(), &h.device()).select_assign(
            0,
            batch.sources.clone(),
            messages,
            IndexingUpdateOp::Add,
        );
        softplus(h + self.norm.forward(agg))
    }
}

/// The CGCNN network: embedding, convolutions, mean pooling, a hidden
/// dense layer and the output layer.
#[derive(Module, Debug)]
pub struct Cgcnn {
    /// Node features → hidden.
    pub embed: Linear,
    /// Convolution layers.
    pub convs: Vec<CgConv>,
    /// Pooling, dense layer and outputs.
    pub readout: Readout,
}

impl Cgcnn {
    /// A network of the shape `config` gives.
    pub fn new(config: &GraphNetConfig, device: &Device) -> Self {
        let GraphNetConfig {
            node,
            edge,
            hidden,
            layers,
            ..
        } = *config;
        Cgcnn {
            embed: LinearConfig::new(node, hidden).init(device),
            convs: (0..layers)
                .map(|_| CgConv::new(hidden, edge, device))
                .collect(),
            readout: Readout::new(config, device),
        }
    }

    /// Graph-level outputs `[B, outputs]`.
    pub fn forward(&self, batch: &GraphBatch) -> Tensor<2> {
        let mut h = self.embed.forward(batch.nodes.clone());
        for conv in &self.convs {
            h = conv.forward(h, batch);
        }
        self.readout.forward(h, batch, softplus, true)
    }
}
