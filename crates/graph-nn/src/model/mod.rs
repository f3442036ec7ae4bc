//! Graph neural networks on burn: CGCNN and an edge-updating
//! message-passing network, behind one [`GraphNet`] enum.

pub mod cgcnn;
pub mod mpnn;

use burn::module::Module;
use burn::tensor::{Device, IndexingUpdateOp, Tensor};

use crate::graph::GraphBatch;

pub use cgcnn::{CgConv, Cgcnn};
pub use mpnn::{EdgeMpnn, EdgeUpdateLayer};

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

/// Which network to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// CGCNN convolutions.
    Cgcnn,
    /// Message passing with edge updates.
    EdgeMpnn,
}

/// A network of either architecture.
#[derive(Module, Debug)]
pub enum GraphNet {
    /// CGCNN.
    Cgcnn(Cgcnn),
    /// Edge-updating message passing.
    EdgeMpnn(EdgeMpnn),
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
        }
    }
}

impl GraphNet {
    /// Graph-level outputs `[B, outputs]`.
    pub fn forward(&self, batch: &GraphBatch) -> Tensor<2> {
        match self {
            GraphNet::Cgcnn(m) => m.forward(batch),
            GraphNet::EdgeMpnn(m) => m.forward(batch),
        }
    }
}
