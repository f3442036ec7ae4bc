//! Graph neural networks on burn: CGCNN, an edge-updating message-passing
//! network and a three-body (line-graph) network, behind one [`GraphNet`]
//! enum.

pub mod cgcnn;
pub mod mpnn;
pub mod three_body;

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::{relu, sigmoid};
use burn::tensor::{Device, IndexingUpdateOp, Tensor};
use serde::{Deserialize, Serialize};

use crate::graph::GraphBatch;

pub use cgcnn::{CgConv, Cgcnn};
pub use mpnn::{EdgeMpnn, EdgeUpdateLayer};
pub use three_body::{ThreeBodyLayer, ThreeBodyNet, TripletUpdate};

/// Softplus, `ln(1 + eˣ)`, computed as `relu(x) − ln σ(|x|)`: the same
/// function (to f32 rounding), but burn's own softplus spends most of its
/// time in `log1pf` on the CPU backend (a fifth of CGCNN's training time),
/// where σ and `ln` are fast. At x = 0 the gradient this form gives is 0
/// rather than ½ (relu's choice), a single point.
pub fn softplus<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    relu(x.clone()) - sigmoid(x.abs()).log()
}

/// Mean of node states per graph `[B, H]`.
pub fn pool_mean(h: Tensor<2>, batch: &GraphBatch) -> Tensor<2> {
    let [_, width] = h.dims();
    let sums = Tensor::zeros([batch.num_graphs, width], &h.device()).select_assign(
        0,
        batch.node_graph.clone(),
        h,
        IndexingUpdateOp::Add,
    );
    sums * batch.inv_sizes.clone()
}

/// The graph-level head every network shares: mean pooling over each
/// graph's nodes, a dense layer, the network's activation, the output layer.
#[derive(Module, Debug)]
pub struct Readout {
    /// Pooled → dense.
    pub dense: Linear,
    /// Dense → outputs.
    pub out: Linear,
}

impl Readout {
    /// A readout from `hidden` node states (joined by `globals` graph-level
    /// features) to `outputs` values per graph.
    pub fn new(config: &GraphNetConfig, device: &Device) -> Self {
        Readout {
            dense: LinearConfig::new(config.hidden + config.globals, config.hidden).init(device),
            out: LinearConfig::new(config.hidden, config.outputs).init(device),
        }
    }

    /// Graph-level outputs `[B, outputs]` from node states `h`. `act` follows
    /// the dense layer; with `activate_pooled` it is applied to the pooled
    /// states as well (CGCNN's readout does, the message-passing one does
    /// not). The batch's graph-level features, if any, join the pooled states
    /// before the dense layer.
    pub fn forward(
        &self,
        h: Tensor<2>,
        batch: &GraphBatch,
        act: impl Fn(Tensor<2>) -> Tensor<2>,
        activate_pooled: bool,
    ) -> Tensor<2> {
        let pooled = pool_mean(h, batch);
        let pooled = if activate_pooled { act(pooled) } else { pooled };
        let joined = match &batch.globals {
            Some(g) => Tensor::cat(vec![pooled, g.clone()], 1),
            None => pooled,
        };
        self.out.forward(act(self.dense.forward(joined)))
    }
}

/// Which network to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Architecture {
    /// CGCNN convolutions.
    Cgcnn,
    /// Message passing with edge updates.
    EdgeMpnn,
    /// Edge updates through bond angles (line graph), then message passing
    /// with edge updates.
    ThreeBody,
}

/// A network of any architecture.
#[derive(Module, Debug)]
pub enum GraphNet {
    /// CGCNN.
    Cgcnn(Cgcnn),
    /// Edge-updating message passing.
    EdgeMpnn(EdgeMpnn),
    /// Three-body message passing.
    ThreeBody(ThreeBodyNet),
}

/// Shape of a [`GraphNet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphNetConfig {
    /// Which network.
    pub architecture: Architecture,
    /// Node feature width (`features::NODE_FEATURES`).
    pub node: usize,
    /// Edge feature width (number of Gaussians).
    pub edge: usize,
    /// Angle feature width (`GraphConfig::angle_bins`; used by
    /// [`Architecture::ThreeBody`] only).
    pub angle: usize,
    /// Graph-level feature width (0 for none).
    pub globals: usize,
    /// Hidden width.
    pub hidden: usize,
    /// Message-passing layers.
    pub layers: usize,
    /// Outputs (1 for regression, the classes for classification).
    pub outputs: usize,
}

impl GraphNetConfig {
    /// A freshly initialised network on `device` (seed the device first).
    pub fn init(&self, device: &Device) -> GraphNet {
        match self.architecture {
            Architecture::Cgcnn => GraphNet::Cgcnn(Cgcnn::new(self, device)),
            Architecture::EdgeMpnn => GraphNet::EdgeMpnn(EdgeMpnn::new(self, device)),
            Architecture::ThreeBody => GraphNet::ThreeBody(ThreeBodyNet::new(self, device)),
        }
    }
}

impl GraphNet {
    /// Graph-level outputs `[B, outputs]`.
    pub fn forward(&self, batch: &GraphBatch) -> Tensor<2> {
        match self {
            GraphNet::Cgcnn(m) => m.forward(batch),
            GraphNet::EdgeMpnn(m) => m.forward(batch),
            GraphNet::ThreeBody(m) => m.forward(batch),
        }
    }
}
