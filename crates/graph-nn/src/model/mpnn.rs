//! A message-passing network with edge updates (in the spirit of MEGNet,
//! without the global state): each layer first updates every edge from its
//! two atoms, then passes gated messages along the updated edges,
//!
//! `e_ij ← e_ij + φ_e([h_i, h_j, e_ij])`,
//! `h_i ← h_i + φ_v([h_i, Σ_j σ(W_g e_ij) ⊙ W_m [h_j, e_ij]])`,
//!
//! with residual connections so depth does not wash out the atom identity.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::{sigmoid, silu};
use burn::tensor::{Device, IndexingUpdateOp, Tensor};

use crate::graph::GraphBatch;
use crate::model::pool_mean;

/// One edge-then-node update.
#[derive(Module, Debug)]
pub struct EdgeUpdateLayer {
    /// φ_e: `[3H] → [H]`.
    pub edge_mlp: Linear,
    /// Gate `[H] → [H]`.
    pub gate: Linear,
    /// Message `[2H] → [H]`.
    pub message: Linear,
    /// φ_v: `[2H] → [H]`.
    pub node_mlp: Linear,
}

impl EdgeUpdateLayer {
    /// A layer of width `hidden`.
    pub fn new(hidden: usize, device: &Device) -> Self {
        EdgeUpdateLayer {
            edge_mlp: LinearConfig::new(3 * hidden, hidden).init(device),
            gate: LinearConfig::new(hidden, hidden).init(device),
            message: LinearConfig::new(2 * hidden, hidden).init(device),
            node_mlp: LinearConfig::new(2 * hidden, hidden).init(device),
        }
    }

    /// Updated (node, edge) states.
    pub fn forward(
        &self,
        h: Tensor<2>,
        e: Tensor<2>,
        batch: &GraphBatch,
    ) -> (Tensor<2>, Tensor<2>) {
        let hi = h.clone().select(0, batch.sources.clone());
        let hj = h.clone().select(0, batch.targets.clone());
        let e = e.clone()
            + silu(
                self.edge_mlp
                    .forward(Tensor::cat(vec![hi, hj.clone(), e], 1)),
            );
        let msg = sigmoid(self.gate.forward(e.clone()))
            * self.message.forward(Tensor::cat(vec![hj, e.clone()], 1));
        let agg = Tensor::zeros(h.dims(), &h.device()).select_assign(
            0,
            batch.sources.clone(),
            msg,
            IndexingUpdateOp::Add,
        );
        let h = h.clone() + silu(self.node_mlp.forward(Tensor::cat(vec![h, agg], 1)));
        (h, e)
    }
}

/// The edge-updating network: node and edge embeddings, layers, mean
/// pooling, a dense layer and the output layer.
#[derive(Module, Debug)]
pub struct EdgeMpnn {
    /// Node features → hidden.
    pub embed_nodes: Linear,
    /// Edge features → hidden.
    pub embed_edges: Linear,
    /// Message-passing layers.
    pub layers: Vec<EdgeUpdateLayer>,
    /// Pooled → dense.
    pub dense: Linear,
    /// Dense → outputs.
    pub out: Linear,
}

impl EdgeMpnn {
    /// A network for `node`/`edge` feature widths, `hidden` units, `layers`
    /// layers and `outputs` outputs.
    pub fn new(
        node: usize,
        edge: usize,
        hidden: usize,
        layers: usize,
        outputs: usize,
        device: &Device,
    ) -> Self {
        EdgeMpnn {
            embed_nodes: LinearConfig::new(node, hidden).init(device),
            embed_edges: LinearConfig::new(edge, hidden).init(device),
            layers: (0..layers)
                .map(|_| EdgeUpdateLayer::new(hidden, device))
                .collect(),
            dense: LinearConfig::new(hidden, hidden).init(device),
            out: LinearConfig::new(hidden, outputs).init(device),
        }
    }

    /// Graph-level outputs `[B, outputs]`.
    pub fn forward(&self, batch: &GraphBatch) -> Tensor<2> {
        let mut h = self.embed_nodes.forward(batch.nodes.clone());
        let mut e = self.embed_edges.forward(batch.edges.clone());
        for layer in &self.layers {
            (h, e) = layer.forward(h, e, batch);
        }
        let pooled = pool_mean(h, batch);
        self.out.forward(silu(self.dense.forward(pooled)))
    }
}
