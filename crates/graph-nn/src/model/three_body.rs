//! A three-body network in the manner of ALIGNN (Choudhary & DeCost, npj
//! Comput. Mater. 7, 185, 2021) and M3GNet (Chen & Ong, Nat. Comput. Sci. 2,
//! 718, 2022): before each edge-then-node update, every bond gathers from
//! the other bonds of its atom through the angle between them (messages on
//! the line graph),
//!
//! `e_a ← e_a + φ_t([e_a, Σ_b σ(W_g [e_a, e_b, θ_ab]) ⊙ W_m [e_b, θ_ab]])`,
//!
//! then the layer of [`EdgeMpnn`](super::EdgeMpnn) updates the edges from
//! their atoms and the atoms from their edges. Bond angles carry what
//! distances alone cannot: the shape of a Li site's coordination polyhedron
//! and of the windows between polyhedra, which govern how easily an ion hops.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::{sigmoid, silu};
use burn::tensor::{Device, IndexingUpdateOp, Tensor};

use crate::graph::GraphBatch;
use crate::model::{EdgeUpdateLayer, GraphNetConfig, Readout};

/// Bonds gather from the bonds of their atom through the bond angles.
/// Linear maps of concatenations are held as blocks, so bond blocks are
/// applied once per bond and gathered onto the triplets.
#[derive(Module, Debug)]
pub struct TripletUpdate {
    /// Gate block on the gathering bond `e_a` (`[H] → [H]`, with the bias).
    pub gate_first: Linear,
    /// Gate block on the other bond `e_b`.
    pub gate_second: Linear,
    /// Gate block on the angle.
    pub gate_angle: Linear,
    /// Message block on `e_b` (with the bias).
    pub message_second: Linear,
    /// Message block on the angle.
    pub message_angle: Linear,
    /// φ_t: `[2H] → [H]`.
    pub edge_mlp: Linear,
}

impl TripletUpdate {
    /// An update of width `hidden`.
    pub fn new(hidden: usize, device: &Device) -> Self {
        let plain = |bias| {
            LinearConfig::new(hidden, hidden)
                .with_bias(bias)
                .init(device)
        };
        TripletUpdate {
            gate_first: plain(true),
            gate_second: plain(false),
            gate_angle: plain(false),
            message_second: plain(true),
            message_angle: plain(false),
            edge_mlp: LinearConfig::new(2 * hidden, hidden).init(device),
        }
    }

    /// Updated edge states `[E, H]` from edge states `e` and embedded
    /// angles `angles` `[T, H]` (`None` when the batch has no triplets: every
    /// bond then gathers an empty sum).
    pub fn forward(
        &self,
        e: Tensor<2>,
        angles: Option<&Tensor<2>>,
        batch: &GraphBatch,
    ) -> Tensor<2> {
        let gathered = match (&batch.triplets, angles) {
            (Some(t), Some(a)) => {
                let gate = self
                    .gate_first
                    .forward(e.clone())
                    .select(0, t.first.clone())
                    + self
                        .gate_second
                        .forward(e.clone())
                        .select(0, t.second.clone())
                    + self.gate_angle.forward(a.clone());
                let message = self
                    .message_second
                    .forward(e.clone())
                    .select(0, t.second.clone())
                    + self.message_angle.forward(a.clone());
                Tensor::zeros(e.dims(), &e.device()).select_assign(
                    0,
                    t.first.clone(),
                    sigmoid(gate) * message,
                    IndexingUpdateOp::Add,
                )
            }
            _ => Tensor::zeros(e.dims(), &e.device()),
        };
        e.clone() + silu(self.edge_mlp.forward(Tensor::cat(vec![e, gathered], 1)))
    }
}

/// One three-body layer: the triplet update of the bonds, then the
/// edge-then-node update.
#[derive(Module, Debug)]
pub struct ThreeBodyLayer {
    /// Bonds from bonds through angles.
    pub triplet: TripletUpdate,
    /// Bonds from atoms, atoms from bonds.
    pub edge_node: EdgeUpdateLayer,
}

/// The three-body network: node, edge and angle embeddings, layers, mean
/// pooling, a dense layer and the output layer.
#[derive(Module, Debug)]
pub struct ThreeBodyNet {
    /// Node features → hidden.
    pub embed_nodes: Linear,
    /// Edge features → hidden.
    pub embed_edges: Linear,
    /// Angle features → hidden.
    pub embed_angles: Linear,
    /// Three-body layers.
    pub layers: Vec<ThreeBodyLayer>,
    /// Pooling, dense layer and outputs.
    pub readout: Readout,
}

impl ThreeBodyNet {
    /// A network of the shape `config` gives.
    pub fn new(config: &GraphNetConfig, device: &Device) -> Self {
        let GraphNetConfig {
            node,
            edge,
            angle,
            hidden,
            layers,
            ..
        } = *config;
        ThreeBodyNet {
            embed_nodes: LinearConfig::new(node, hidden).init(device),
            embed_edges: LinearConfig::new(edge, hidden).init(device),
            embed_angles: LinearConfig::new(angle, hidden).init(device),
            layers: (0..layers)
                .map(|_| ThreeBodyLayer {
                    triplet: TripletUpdate::new(hidden, device),
                    edge_node: EdgeUpdateLayer::new(hidden, device),
                })
                .collect(),
            readout: Readout::new(config, device),
        }
    }

    /// Graph-level outputs `[B, outputs]`.
    pub fn forward(&self, batch: &GraphBatch) -> Tensor<2> {
        let mut h = self.embed_nodes.forward(batch.nodes.clone());
        let mut e = self.embed_edges.forward(batch.edges.clone());
        let angles = batch
            .triplets
            .as_ref()
            .map(|t| self.embed_angles.forward(t.angles.clone()));
        for layer in &self.layers {
            e = layer.triplet.forward(e, angles.as_ref(), batch);
            (h, e) = layer.edge_node.forward(h, e, batch);
        }
        self.readout.forward(h, batch, silu, false)
    }
}
