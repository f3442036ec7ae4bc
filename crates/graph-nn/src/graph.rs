//! Crystal graphs: atoms are nodes, neighbour pairs are directed edges. A
//! petgraph view for analysis and a batched tensor form for burn.

use burn::tensor::{Device, Int, Tensor, TensorData};
use ndarray::Array2;
use petgraph::graph::DiGraph;
use voltai_core::{Error, Result};

use crate::descriptors::ionic_descriptors;
use crate::features::{AngleExpansion, GaussianExpansion, NODE_FEATURES, node_features};
use crate::neighbors::{NeighborList, NeighborMode, neighbors};
use crate::structure::Structure;

/// How a structure becomes a graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GraphConfig {
    /// Neighbour selection (default: CGCNN's 8 Å, 12 nearest).
    pub neighbors: NeighborMode,
    /// Gaussian distance expansion for edge features (default 0–8 Å, 41).
    pub expansion: GaussianExpansion,
    /// Bond angles for three-body layers: pairs among each atom's
    /// `angle_neighbors` nearest edges (default 6; 0 builds no angles).
    pub angle_neighbors: usize,
    /// Gaussians over cos θ ∈ [−1, 1] for angle features (default 8, ≥ 2).
    pub angle_bins: usize,
    /// Attach the structure's ionic-conduction descriptors as graph-level
    /// features ([`crate::descriptors::IonicDescriptors::to_features`]),
    /// which every network's readout then joins to the pooled atom states
    /// (default false).
    pub ionic_descriptors: bool,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            neighbors: NeighborMode::RadiusCapped {
                cutoff: 8.0,
                max_neighbors: 12,
            },
            expansion: GaussianExpansion { cutoff: 8.0, n: 41 },
            angle_neighbors: 6,
            angle_bins: 8,
            ionic_descriptors: false,
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
    /// Edge pairs `[a, b]` sharing their source atom i (edges i→j and i→k,
    /// j ≠ k as images): edge a gathers from edge b through the bond angle
    /// j–i–k. The line graph of three-body layers (ALIGNN, M3GNet).
    pub triplets: Vec<[usize; 2]>,
    /// cos θ of each triplet's angle j–i–k.
    pub cos_angles: Vec<f64>,
    /// Expanded angle features (`n_triplets × angle_bins`).
    pub angles: Array2<f32>,
    /// Graph-level features (empty unless the config asks for them).
    pub globals: Vec<f32>,
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
        if config.angle_bins < 2 {
            return Err(Error::invalid_parameter(
                "angle_bins",
                config.angle_bins,
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
        let (triplets, cos_angles) = bond_angles(&list, config.angle_neighbors);
        let angle_expansion = AngleExpansion {
            n: config.angle_bins,
        };
        let mut angles = Array2::<f32>::zeros((triplets.len(), config.angle_bins));
        for (t, c) in cos_angles.iter().enumerate() {
            if let Some(row) = angles.row_mut(t).into_slice() {
                angle_expansion.expand(*c, row);
            }
        }
        let globals = if config.ionic_descriptors {
            ionic_descriptors(structure)?.to_features()
        } else {
            Vec::new()
        };
        Ok(CrystalGraph {
            nodes: node_features(structure),
            sources,
            targets,
            distances,
            edges,
            triplets,
            cos_angles,
            angles,
            globals,
        })
    }

    /// Number of triplets (bond angles).
    pub fn num_triplets(&self) -> usize {
        self.triplets.len()
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
        if self.angles.nrows() != self.triplets.len()
            || self.cos_angles.len() != self.triplets.len()
        {
            return Err(Error::InvalidInput(format!(
                "{} triplets, {} angle feature rows and {} cosines",
                self.triplets.len(),
                self.angles.nrows(),
                self.cos_angles.len()
            )));
        }
        if let Some(t) = self.triplets.iter().position(|p| p[0] >= e || p[1] >= e) {
            return Err(Error::InvalidInput(format!(
                "triplet {t} joins edges {:?}, but the graph has {e} edges",
                self.triplets[t]
            )));
        }
        all_finite("graph-level feature", self.globals.iter())?;
        all_finite("angle feature", self.angles.iter())?;
        all_finite("node feature", self.nodes.iter())?;
        all_finite("edge feature", self.edges.iter())?;
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

/// Errors at the first value of `values` (row-major) that is not finite.
fn all_finite<'a>(what: &str, mut values: impl Iterator<Item = &'a f32>) -> Result<()> {
    match values.position(|v| !v.is_finite()) {
        Some(k) => Err(Error::InvalidInput(format!(
            "{what} {k} (row-major) is not finite"
        ))),
        None => Ok(()),
    }
}

/// Pairs among the `k` nearest edges of each atom (both orders), with the
/// cosine of the angle between them. Edges of one atom are contiguous and
/// sorted by distance in the neighbour list.
fn bond_angles(list: &NeighborList, k: usize) -> (Vec<[usize; 2]>, Vec<f64>) {
    let (mut triplets, mut cosines) = (Vec::new(), Vec::new());
    let mut offset = 0;
    for site in &list.per_site {
        let near = &site[..k.min(site.len())];
        for (a, na) in near.iter().enumerate() {
            for (b, nb) in near.iter().enumerate() {
                if a == b {
                    continue;
                }
                let dot: f64 = (0..3).map(|d| na.vector[d] * nb.vector[d]).sum();
                let c = (dot / (na.distance * nb.distance)).clamp(-1.0, 1.0);
                triplets.push([offset + a, offset + b]);
                cosines.push(c);
            }
        }
        offset += site.len();
    }
    (triplets, cosines)
}

/// The triplets of a batch: batch-wide edge indices and angle features.
#[derive(Debug, Clone)]
pub struct TripletBatch {
    /// The edge that gathers, per triplet `[T]`.
    pub first: Tensor<1, Int>,
    /// The edge it gathers from `[T]`.
    pub second: Tensor<1, Int>,
    /// Angle features `[T, angle_bins]`.
    pub angles: Tensor<2>,
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
    /// Number of edges in the batch.
    pub num_edges: usize,
    /// The bond-angle triplets; `None` when no atom of the batch has two
    /// neighbours within the angle range (then there are no angles).
    pub triplets: Option<TripletBatch>,
    /// Graph-level features `[B, width]`; `None` when the graphs have none.
    pub globals: Option<Tensor<2>>,
}

impl GraphBatch {
    /// Packs `graphs` (all with the same edge-feature width) on `device`.
    pub fn new(graphs: &[&CrystalGraph], device: &Device) -> Result<Self> {
        let first = graphs
            .first()
            .ok_or_else(|| Error::EmptyInput("a batch needs at least one graph".into()))?;
        let g = first.edges.ncols();
        let a = first.angles.ncols();
        let width = first.globals.len();
        let mut globals = Vec::with_capacity(width * graphs.len());
        let (mut nodes, mut edges, mut src, mut dst, mut owner, mut inv) = (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        let (mut t_first, mut t_second, mut angles) = (Vec::new(), Vec::new(), Vec::new());
        let mut offset = 0usize;
        let mut edge_offset = 0usize;
        for (b, graph) in graphs.iter().enumerate() {
            if graph.edges.ncols() != g
                || graph.nodes.ncols() != NODE_FEATURES
                || graph.angles.ncols() != a
                || graph.globals.len() != width
            {
                return Err(Error::shape_mismatch(
                    "graph feature widths (node, edge, angle, graph-level) in a batch",
                    vec![NODE_FEATURES, g, a, width],
                    vec![
                        graph.nodes.ncols(),
                        graph.edges.ncols(),
                        graph.angles.ncols(),
                        graph.globals.len(),
                    ],
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
            t_first.extend(graph.triplets.iter().map(|t| (t[0] + edge_offset) as i64));
            t_second.extend(graph.triplets.iter().map(|t| (t[1] + edge_offset) as i64));
            angles.extend(graph.angles.iter().copied());
            globals.extend(graph.globals.iter().copied());
            offset += graph.num_nodes();
            edge_offset += graph.num_edges();
        }
        let n_edges = src.len();
        let n_triplets = t_first.len();
        let triplets = (n_triplets > 0).then(|| TripletBatch {
            first: Tensor::from_data(TensorData::new(t_first, [n_triplets]), device),
            second: Tensor::from_data(TensorData::new(t_second, [n_triplets]), device),
            angles: Tensor::from_data(TensorData::new(angles, [n_triplets, a]), device),
        });
        Ok(GraphBatch {
            nodes: Tensor::from_data(TensorData::new(nodes, [offset, NODE_FEATURES]), device),
            edges: Tensor::from_data(TensorData::new(edges, [n_edges, g]), device),
            sources: Tensor::from_data(TensorData::new(src, [n_edges]), device),
            targets: Tensor::from_data(TensorData::new(dst, [n_edges]), device),
            node_graph: Tensor::from_data(TensorData::new(owner, [offset]), device),
            inv_sizes: Tensor::from_data(TensorData::new(inv, [graphs.len(), 1]), device),
            num_graphs: graphs.len(),
            num_nodes: offset,
            num_edges: n_edges,
            triplets,
            globals: (width > 0).then(|| {
                Tensor::from_data(TensorData::new(globals, [graphs.len(), width]), device)
            }),
        })
    }
}
