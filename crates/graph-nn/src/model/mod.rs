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

impl GraphNet {
    /// A freshly initialised network (seed the device first).
    pub fn new(
        architecture: Architecture,
        node: usize,
        edge: usize,
        hidden: usize,
        layers: usize,
        outputs: usize,
        device: &Device,
    ) -> Self {
        match architecture {
            Architecture::Cgcnn => {
                GraphNet::Cgcnn(Cgcnn::new(node, edge, hidden, layers, outputs, device))
            }
            Architecture::EdgeMpnn => {
                GraphNet::EdgeMpnn(EdgeMpnn::new(node, edge, hidden, layers, outputs, device))
            }
        }
    }

    /// Graph-level outputs `[B, outputs]`.
    pub fn forward(&self, batch: &GraphBatch) -> Tensor<2> {
        match self {
            GraphNet::Cgcnn(m) => m.forward(batch),
            GraphNet::EdgeMpnn(m) => m.forward(batch),
        }
    }
}
