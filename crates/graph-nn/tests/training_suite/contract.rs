//! (A module of the `training` test binary: one link, one lock.)
//!
//! The estimator contract (`voltai_core::contract`) for the graph models,
//! CGCNN, the edge-updating MPNN and the three-body network, for regression
//! and classification.
//!
//! A graph model reads node features over a fixed connectivity, so the
//! contract's input matrix is the stacked node features of the scored graphs
//! (one row per atom): NaN, infinite, too wide, too narrow or wrongly sized
//! inputs must give an `Error`. Fitting is not invariant to the order of the
//! graphs (a seeded shuffle picks the mini-batches and the held-out graphs),
//! so the permutation check is off, with that reason.

use crate::common::{SERIAL, obelix_graphs};
use ndarray::{Array2, ArrayView2, s};
use voltai_core::contract::{ContractOptions, Subject, check_model};
use voltai_core::{Error, Fit, Result};
use voltai_graph_nn::graph::CrystalGraph;
use voltai_graph_nn::model::Architecture;
use voltai_graph_nn::prelude::{FittedGraphModel, GraphData, GraphModelParams, Task};

/// The graphs with their node features replaced by the rows of `x`.
fn with_nodes(graphs: &[CrystalGraph], x: ArrayView2<'_, f64>) -> Result<Vec<CrystalGraph>> {
    let total: usize = graphs.iter().map(CrystalGraph::num_nodes).sum();
    let width = graphs[0].nodes.ncols();
    if x.dim() != (total, width) {
        return Err(Error::shape_mismatch(
            "node features",
            [total, width],
            [x.nrows(), x.ncols()],
        ));
    }
    let mut start = 0;
    let mut out = Vec::with_capacity(graphs.len());
    for g in graphs {
        let n = g.num_nodes();
        let mut h = g.clone();
        h.nodes = x.slice(s![start..start + n, ..]).mapv(|v| v as f32);
        start += n;
        out.push(h);
    }
    Ok(out)
}

#[test]
fn graph_models_meet_the_contract() -> Result<()> {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (graphs, y) = obelix_graphs(12);
    let labels: Vec<f64> = y.iter().map(|v| f64::from(*v > -6.0)).collect();
    assert!(labels.contains(&0.0) && labels.contains(&1.0));
    let scored = &graphs[..3];
    let x: Array2<f64> = ndarray::concatenate(
        ndarray::Axis(0),
        &scored.iter().map(|g| g.nodes.view()).collect::<Vec<_>>(),
    )
    .map_err(|e| Error::internal(e.to_string()))?
    .mapv(f64::from);
    let options = ContractOptions {
        permutation_tolerance: None,
        fuzz_cases: 16,
        ..ContractOptions::default()
    };
    for arch in [
        Architecture::Cgcnn,
        Architecture::EdgeMpnn,
        Architecture::ThreeBody,
    ] {
        for (task, targets) in [
            (Task::Regression, &y),
            (Task::Classification { classes: 2 }, &labels),
        ] {
            let params = GraphModelParams::new(arch, task)
                .hidden(8)?
                .layers(2)?
                .batch_size(4)?
                .training(3, 3e-3, 3, 0.0)?
                .seed(2);
            let name = format!("{arch:?} {task:?}");
            let model = check_model(
                &Subject {
                    name: &name,
                    fit: &|_| params.fit(&GraphData::new(&graphs, targets)?),
                    n_rows: graphs.len(),
                    x: x.view(),
                    predict: &|m: &FittedGraphModel, v| {
                        let gs = with_nodes(scored, v)?;
                        let mut out = m.predict(&gs)?;
                        if matches!(task, Task::Classification { .. }) {
                            out.extend(m.predict_proba(&gs)?.into_iter().flatten());
                        }
                        Ok(out)
                    },
                },
                &options,
            )?;
            assert_eq!(model.history.len(), 3, "{name}");
        }
    }
    Ok(())
}

#[test]
fn hand_built_graphs_that_break_the_rules_are_refused() -> Result<()> {
    // This test fits too: burn's CPU backend shares its generator and
    // worker threads process-wide, so model tests run one at a time.
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (graphs, y) = obelix_graphs(4);
    let mut bad = graphs[0].clone();
    bad.sources[0] = bad.num_nodes();
    assert!(bad.check().is_err());
    let mut short = graphs[0].clone();
    short.targets.pop();
    assert!(short.check().is_err());
    let mut empty = graphs[0].clone();
    empty.nodes = Array2::zeros((0, graphs[0].nodes.ncols()));
    assert!(empty.check().is_err());
    // … also inside a fit.
    let mut set = graphs.clone();
    set[2] = bad;
    let params =
        GraphModelParams::new(Architecture::Cgcnn, Task::Regression).training(2, 1e-3, 2, 0.0)?;
    assert!(params.fit(&GraphData::new(&set, &y)?).is_err());
    Ok(())
}
