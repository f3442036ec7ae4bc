//! Deep ensembles of graph models (Lakshminarayanan et al. 2017): members
//! that differ only in their seed (initial weights, early-stopping hold-out
//! and batch order), whose spread gives a predictive interval.
//!
//! The spread measures how much the fitted function depends on the seed,
//! not the noise of a new measurement: on small, noisy sets (OBELiX) it
//! undercovers, and the coverage on held-out data is worth reporting beside
//! any interval drawn from it.

use ndarray::Array1;
use voltai_core::{Error, Fit, Predictive, ProgressFn, Result};

use crate::estimator::{FittedGraphModel, GraphData, GraphModelParams, Task};
use crate::graph::CrystalGraph;

/// An ensemble of `members` graph models built from one set of params;
/// member k uses seed `base seed + k`.
///
/// ```
/// use voltai_graph_nn::ensemble::GraphEnsembleParams;
/// use voltai_graph_nn::prelude::*;
///
/// let base = GraphModelParams::new(Architecture::Cgcnn, Task::Regression).seed(3);
/// let params = GraphEnsembleParams::new(base, 5).unwrap();
/// assert_eq!(params.members(), 5);
/// assert!(GraphEnsembleParams::new(base, 1).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GraphEnsembleParams {
    base: GraphModelParams,
    members: usize,
}

impl GraphEnsembleParams {
    /// `members` (at least 2, at most 100) copies of `base`, seeds
    /// `base`'s seed + 0, 1, …; regression only.
    pub fn new(base: GraphModelParams, members: usize) -> Result<Self> {
        if !(2..=100).contains(&members) {
            return Err(Error::invalid_parameter("members", members, "[2, 100]"));
        }
        if base.task() != Task::Regression {
            return Err(Error::InvalidInput(
                "a graph ensemble's interval needs a regression task".into(),
            ));
        }
        Ok(GraphEnsembleParams { base, members })
    }

    /// The number of members.
    pub fn members(&self) -> usize {
        self.members
    }

    /// The params of member `k`.
    pub fn member(&self, k: usize) -> GraphModelParams {
        self.base
            .seed(self.base.seed_value().wrapping_add(k as u64))
    }

    /// [`Fit::fit`] with a progress callback: every member's epochs, in
    /// member order.
    pub fn fit_with_progress(
        &self,
        data: &GraphData<'_>,
        progress: &mut ProgressFn<'_>,
    ) -> Result<GraphEnsemble> {
        let members = (0..self.members)
            .map(|k| self.member(k).fit_with_progress(data, progress))
            .collect::<Result<Vec<_>>>()?;
        Ok(GraphEnsemble { members })
    }
}

impl<'a> Fit<GraphData<'a>> for GraphEnsembleParams {
    type Model = GraphEnsemble;
    fn fit(&self, data: &GraphData<'a>) -> Result<GraphEnsemble> {
        self.fit_with_progress(data, &mut |_| {})
    }
}

/// Fitted members of a [`GraphEnsembleParams`].
#[derive(Debug)]
pub struct GraphEnsemble {
    members: Vec<FittedGraphModel>,
}

impl GraphEnsemble {
    /// The fitted members, in seed order.
    pub fn members(&self) -> &[FittedGraphModel] {
        &self.members
    }

    /// Every member's predictions (`members × graphs`).
    pub fn predict_members(&self, graphs: &[CrystalGraph]) -> Result<Vec<Vec<f64>>> {
        self.members.iter().map(|m| m.predict(graphs)).collect()
    }

    /// The members' mean and their sample variance (n − 1) per graph.
    pub fn predict_dist(&self, graphs: &[CrystalGraph]) -> Result<Predictive> {
        let all = self.predict_members(graphs)?;
        let k = all.len() as f64;
        let mean =
            Array1::from_shape_fn(graphs.len(), |i| all.iter().map(|p| p[i]).sum::<f64>() / k);
        let variance = Array1::from_shape_fn(graphs.len(), |i| {
            all.iter().map(|p| (p[i] - mean[i]).powi(2)).sum::<f64>() / (k - 1.0)
        });
        if mean.iter().chain(&variance).any(|v| !v.is_finite()) {
            return Err(Error::numerical(
                "graph ensemble",
                "a member predicted a non-finite value",
            ));
        }
        Predictive::new(mean, variance)
    }

    /// The members' mean per graph.
    pub fn predict(&self, graphs: &[CrystalGraph]) -> Result<Vec<f64>> {
        Ok(self.predict_dist(graphs)?.mean.to_vec())
    }
}
