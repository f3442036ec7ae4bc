//! Crystal graphs: atoms are nodes, neighbour pairs are directed edges. A
//! petgraph view for analysis and a batched tensor form for burn.

use burn::tensor::{Device, Int, Tensor, TensorData};
use ndarray::Array2;
use petgraph::graph::DiGraph;
use voltai_core::{Error, Result};

use crate::features::{GaussianExpansion, NODE_FEATURES, node_features};
use crate::neighbors::{NeighborMode, neighbors};
use crate::structure::Structure;

/// How a structure becomes a graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GraphConfig {
    /// Neighbour selection (default: CGCNN's 8 Å, 12 nearest).
    pub neighbors: NeighborMode,
    /// Gaussian distance expansion for edge features (default 0–8 Å, 41).
    pub expansion: GaussianExpansion,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            neighbors: NeighborMode::RadiusCapped {
                cutoff: 8.0,
                max_neighbors: 12,
            },
            expansion: GaussianExpansion { cutoff: 8.0, n: 41 },
        }
    }
}

/// A crystal graph.
#[derive(Debug, Clone, PartialEq)]
pub struct CrystalGraph {
    /// Node features (`n_nodes × NODE_FEATURES`).
    pub nodes: Array2<f32>,
    /// Edge sources (site indices).
    pub sources: Vec<usize>,
    /// Edge targets (site indices).
    pub targets: Vec<usize>,
    /// Edge lengths (Å).
    pub distances: Vec<f64>,
    /// Expanded edge features (`n_edges × expansion.n`).
    pub edges: Array2<f32>,
}

impl CrystalGraph {
    /// Builds the graph of `structure`. Errors when some atom has no
    /// neighbour within the cutoff (an isolated node cannot exchange
    /// messages; widen the cutoff).
    pub fn new(structure: &Structure, config: &GraphConfig) -> Result<Self> {
        if config.expansion.n < 2 {
            return Err(Error::invalid_parameter(
                "expansion.n",
                config.expansion.n,
                "2 or more",
            ));
        }
        let list = neighbors(structure, config.neighbors)?;
        if let Some(i) = list.per_site.iter().position(Vec::is_empty) {
            return Err(Error::InvalidInput(format!(
                "site {i} ({}) has no neighbour within the cutoff",
                structure.sites[i].label
            )));
        }
        let n_edges = list.num_edges();
        let mut edges = Array2::<f32>::zeros((n_edges, config.expansion.n));
        let (mut sources, mut targets, mut distances) = (
            Vec::with_capacity(n_edges),
            Vec::with_capacity(n_edges),
            Vec::with_capacity(n_edges),
        );
        for (e, nb) in list.edges().enumerate() {
            sources.push(nb.source);
            targets.push(nb.target);
            distances.push(nb.distance);
            if let Some(row) = edges.row_mut(e).into_slice() {
                config.expansion.expand(nb.distance, row);
            }
        }
        Ok(CrystalGraph {
            nodes: node_features(structure),
            sources,
            targets,
            distances,
            edges,
        })
    }

    /// Number of nodes.
    pub fn num_nodes(&self) -> usize {
        self.nodes.nrows()
    }

    /// Number of directed edges.
    pub fn num_edges(&self) -> usize {
        self.sources.len()
    }

    /// Checks what a network relies on: at least one node, one source,
    /// target and feature row per edge, edge ends among the nodes, finite
    /// features. Graphs built by [`CrystalGraph::new`] always pass; a graph
    /// assembled by hand may not.
    pub fn check(&self) -> Result<()> {
        let n = self.num_nodes();
        if n == 0 {
            return Err(Error::InvalidInput(
                "a graph needs at least one node".into(),
            ));
        }
        let e = self.edges.nrows();
        if self.sources.len() != e || self.targets.len() != e {
            return Err(Error::InvalidInput(format!(
                "{} sources and {} targets for {e} edge feature rows",
                self.sources.len(),
                self.targets.len()
            )));
        }
        if let Some(k) = self
            .sources
            .iter()
            .chain(&self.targets)
            .position(|&i| i >= n)
        {
            return Err(Error::InvalidInput(format!(
                "edge {} ends at node {}, but the graph has {n} nodes",
                k % e.max(1),
                self.sources
                    .iter()
                    .chain(&self.targets)
                    .nth(k)
                    .copied()
                    .unwrap_or(0)
            )));
        }
        if let Some(k) = self.nodes.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidInput(format!(
                "node feature {k} (row-major) is not finite"
            )));
        }
        if let Some(k) = self.edges.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidInput(format!(
                "edge feature {k} (row-major) is not finite"
            )));
        }
        Ok(())
    }

    /// A petgraph view: node weights are site indices, edge weights
    /// distances (periodic images of one pair are parallel edges).
    pub fn to_petgraph(&self) -> DiGraph<usize, f64> {
        let mut g = DiGraph::with_capacity(self.num_nodes(), self.num_edges());
        let ids: Vec<_> = (0..self.num_nodes()).map(|i| g.add_node(i)).collect();
        for ((s, t), d) in self.sources.iter().zip(&self.targets).zip(&self.distances) {
            g.add_edge(ids[*s], ids[*t], *d);
        }
        g
    }
}

/// Several graphs as one disconnected graph, in tensors on a device.
#[derive(Debug, Clone)]
pub struct GraphBatch {
    /// Node features `[N, NODE_FEATURES]`.
    pub nodes: Tensor<2>,
    /// Edge features `[E, G]`.
    pub edges: Tensor<2>,
    /// Edge sources `[E]` (batch-wide node indices).
    pub sources: Tensor<1, Int>,
    /// Edge targets `[E]`.
    pub targets: Tensor<1, Int>,
    /// Graph of each node `[N]`.
    pub node_graph: Tensor<1, Int>,
    /// `1 / nodes` of each graph `[B, 1]`, for mean pooling.
    pub inv_sizes: Tensor<2>,
    /// Number of graphs.
    pub num_graphs: usize,
    /// Number of nodes in the batch.
    pub num_nodes: usize,
}

impl GraphBatch {
    /// Packs `graphs` (all with the same edge-feature width) on `device`.
    pub fn new(graphs: &[&CrystalGraph], device: &Device) -> Result<Self> {
        let first = graphs
            .first()
            .ok_or_else(|| Error::EmptyInput("a batch needs at least one graph".into()))?;
        let g = first.edges.ncols();
        let (mut nodes, mut edges, mut src, mut dst, mut owner, mut inv) = (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        let mut offset = 0usize;
        for (b, graph) in graphs.iter().enumerate() {
            if graph.edges.ncols() != g || graph.nodes.ncols() != NODE_FEATURES {
                return Err(Error::shape_mismatch(
                    "graph feature widths in a batch",
                    vec![NODE_FEATURES, g],
                    vec![graph.nodes.ncols(), graph.edges.ncols()],
                ));
            }
            graph.check().map_err(|e| match e {
                Error::InvalidInput(m) => {
                    Error::InvalidInput(format!("graph {b} of the batch: {m}"))
                }
                other => other,
            })?;
            nodes.extend(graph.nodes.iter().copied());
            edges.extend(graph.edges.iter().copied());
            src.extend(graph.sources.iter().map(|s| (s + offset) as i64));
            dst.extend(graph.targets.iter().map(|t| (t + offset) as i64));
            owner.extend(std::iter::repeat_n(b as i64, graph.num_nodes()));
            inv.push(1.0 / graph.num_nodes() as f32);
            offset += graph.num_nodes();
        }
        let n_edges = src.len();
        Ok(GraphBatch {
            nodes: Tensor::from_data(TensorData::new(nodes, [offset, NODE_FEATURES]), device),
            edges: Tensor::from_data(TensorData::new(edges, [n_edges, g]), device),
            sources: Tensor::from_data(TensorData::new(src, [n_edges]), device),
            targets: Tensor::from_data(TensorData::new(dst, [n_edges]), device),
            node_graph: Tensor::from_data(TensorData::new(owner, [offset]), device),
            inv_sizes: Tensor::from_data(TensorData::new(inv, [graphs.len(), 1]), device),
            num_graphs: graphs.len(),
            num_nodes: offset,
        })
    }
}
