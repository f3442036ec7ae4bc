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
use crate::model::{GraphNetConfig, Readout};

/// One edge-then-node update. Linear maps of concatenations that include
/// atom states are held as blocks, so atom blocks are applied per atom and
/// gathered onto the edges (the same function, less arithmetic).
#[derive(Module, Debug)]
pub struct EdgeUpdateLayer {
    /// φ_e block on `h_i` (`[H] → [H]`, with the bias).
    pub edge_center: Linear,
    /// φ_e block on `h_j`.
    pub edge_neighbor: Linear,
    /// φ_e block on `e_ij`.
    pub edge_self: Linear,
    /// Gate `[H] → [H]`.
    pub gate: Linear,
    /// Message block on `h_j` (`[H] → [H]`, with the bias).
    pub message_neighbor: Linear,
    /// Message block on `e_ij`.
    pub message_edge: Linear,
    /// φ_v: `[2H] → [H]`.
    pub node_mlp: Linear,
}

impl EdgeUpdateLayer {
    /// A layer of width `hidden`.
    pub fn new(hidden: usize, device: &Device) -> Self {
        EdgeUpdateLayer {
            edge_center: LinearConfig::new(hidden, hidden).init(device),
            edge_neighbor: LinearConfig::new(hidden, hidden)
                .with_bias(false)
                .init(device),
            edge_self: LinearConfig::new(hidden, hidden)
                .with_bias(false)
                .init(device),
            gate: LinearConfig::new(hidden, hidden).init(device),
            message_neighbor: LinearConfig::new(hidden, hidden).init(device),
            message_edge: LinearConfig::new(hidden, hidden)
                .with_bias(false)
                .init(device),
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
        let src = batch.sources.clone();
        let dst = batch.targets.clone();
        let update = self.edge_center.forward(h.clone()).select(0, src.clone())
            + self.edge_neighbor.forward(h.clone()).select(0, dst.clone())
            + self.edge_self.forward(e.clone());
        let e = e + silu(update);
        let msg = sigmoid(self.gate.forward(e.clone()))
            * (self.message_neighbor.forward(h.clone()).select(0, dst)
                + self.message_edge.forward(e.clone()));
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
    /// Pooling, dense layer and outputs.
    pub readout: Readout,
}

impl EdgeMpnn {
    /// A network of the shape `config` gives.
    pub fn new(config: &GraphNetConfig, device: &Device) -> Self {
        let GraphNetConfig {
            node,
            edge,
            hidden,
            layers,
            ..
        } = *config;
        EdgeMpnn {
            embed_nodes: LinearConfig::new(node, hidden).init(device),
            embed_edges: LinearConfig::new(edge, hidden).init(device),
            layers: (0..layers)
                .map(|_| EdgeUpdateLayer::new(hidden, device))
                .collect(),
            readout: Readout::new(config, device),
        }
    }

    /// Graph-level outputs `[B, outputs]`.
    pub fn forward(&self, batch: &GraphBatch) -> Tensor<2> {
        let mut h = self.embed_nodes.forward(batch.nodes.clone());
        let mut e = self.embed_edges.forward(batch.edges.clone());
        for layer in &self.layers {
            (h, e) = layer.forward(h, e, batch);
        }
        self.readout.forward(h, batch, silu, false)
    }
}
