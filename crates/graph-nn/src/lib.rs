//! Crystal structures → graphs → graph neural networks for battery
//! materials.
//!
//! - [`structure`]: lattices and sites with partial occupancies;
//!   [`io`] reads CIF / POSCAR / extended XYZ and writes CIF / POSCAR.
//! - [`element`]: the periodic table compiled into the crate.
//! - [`neighbors`]: periodic neighbour lists (radius, k-nearest, capped),
//!   correct for skewed and small cells, linear in the number of atoms.
//! - [`graph`]: crystal graphs (petgraph view, batched burn tensors) with
//!   CGCNN node features (occupancy-weighted on disordered sites),
//!   Gaussian-expanded distances and bond angles.
//! - [`descriptors`]: structure-level ionic-conduction descriptors (Li
//!   coordination, hop length, free volume, hop bottleneck).
//! - [`model`]: CGCNN, an edge-updating message-passing network and a
//!   three-body network over bond angles;
//!   [`estimator`]: parameters → fitted model for regression or
//!   classification, trained with `voltai-neural`'s toolkit;
//!   [`ensemble`]: seed ensembles whose spread gives an interval.
//! - [`obelix`]: the OBELiX solid-electrolyte conductivity set with its
//!   censored values handled explicitly.
//!
//! ```no_run
//! use voltai_graph_nn::prelude::*;
//!
//! # fn main() -> voltai_core::Result<()> {
//! let s = read_structure("../shared/data/materials/pymatgen_structures/cif/LiFePO4.cif")?;
//! let g = CrystalGraph::new(&s, &GraphConfig::default())?;
//! println!("{}: {} atoms, {} edges", s.formula(), g.num_nodes(), g.num_edges());
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

pub mod descriptors;
pub mod element;
pub mod ensemble;
pub mod estimator;
pub mod features;
pub mod graph;
pub mod io;
pub mod lattice;
pub mod model;
pub mod neighbors;
pub mod obelix;
pub mod structure;

/// The names most programs need.
pub mod prelude {
    pub use crate::ensemble::{GraphEnsemble, GraphEnsembleParams};
    pub use crate::estimator::{FittedGraphModel, GraphData, GraphModelParams, Task};
    pub use crate::graph::{CrystalGraph, GraphBatch, GraphConfig};
    pub use crate::io::{read_structure, write_cif, write_poscar};
    pub use crate::lattice::Lattice;
    pub use crate::model::Architecture;
    pub use crate::neighbors::{NeighborMode, neighbors};
    pub use crate::structure::{Site, Structure};
}
