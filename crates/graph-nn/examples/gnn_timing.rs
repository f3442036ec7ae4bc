//! Training and inference throughput and held-out MAE of CGCNN on the OBELiX graphs, for
//! `benches/compare/cgcnn.py` (which times PyTorch Geometric's `CGConv` on
//! the same graphs). Prints one JSON line; with `--export FILE` also writes
//! the graphs (sparse node features, edges, distances, targets, split).
//!
//! ```text
//! cargo run --release -p voltai-graph-nn --example gnn_timing -- --epochs 10 --export /tmp/obelix_graphs.json
//! ```

use std::time::Instant;

use voltai_battery_data::data_dir::dataset_dir;
use voltai_core::{Fit, Result};
use voltai_graph_nn::graph::{CrystalGraph, GraphConfig};
use voltai_graph_nn::io::read_structure;
use voltai_graph_nn::model::Architecture;
use voltai_graph_nn::obelix::{self, Censoring, Part};
use voltai_graph_nn::prelude::{GraphData, GraphModelParams, Task};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let epochs: usize = arg("--epochs").and_then(|v| v.parse().ok()).unwrap_or(10);
    let dir = dataset_dir("materials")?.join("obelix_ionic_conductivity");
    let cfg = GraphConfig::default();
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for e in obelix::load(&dir)? {
        let (Some(cif), Some(y)) = (&e.cif, e.log10_conductivity(Censoring::AtBound)) else {
            continue;
        };
        let g = CrystalGraph::new(&read_structure(cif)?, &cfg)?;
        match e.part {
            Part::Train => train.push((g, y)),
            Part::Test => test.push((g, y)),
        }
    }
    if let Some(path) = arg("--export") {
        let graph_json = |(g, y): &(CrystalGraph, f64), split: &str| {
            let nodes: Vec<Vec<(usize, f32)>> = g
                .nodes
                .rows()
                .into_iter()
                .map(|r| {
                    r.iter()
                        .enumerate()
                        .filter(|(_, v)| **v != 0.0)
                        .map(|(k, v)| (k, *v))
                        .collect()
                })
                .collect();
            serde_json::json!({"split": split, "y": y, "nodes": nodes, "src": g.sources, "dst": g.targets, "dist": g.distances})
        };
        let all: Vec<_> = train
            .iter()
            .map(|t| graph_json(t, "train"))
            .chain(test.iter().map(|t| graph_json(t, "test")))
            .collect();
        let doc = serde_json::json!({"node_features": voltai_graph_nn::features::NODE_FEATURES, "gaussians": cfg.expansion.n, "cutoff": cfg.expansion.cutoff, "graphs": all});
        std::fs::write(&path, doc.to_string()).map_err(|e| voltai_core::Error::io(&path, e))?;
    }
    let (gx, gy): (Vec<_>, Vec<_>) = train.into_iter().unzip();
    let (tx, ty): (Vec<_>, Vec<_>) = test.into_iter().unzip();
    let params = GraphModelParams::new(Architecture::Cgcnn, Task::Regression)
        .hidden(64)?
        .layers(3)?
        .batch_size(16)?
        .training(epochs, 2e-3, epochs, 1e-4)?
        .seed(0);
    let start = Instant::now();
    let fitted = params.fit(&GraphData::new(&gx, &gy)?)?;
    let secs = start.elapsed().as_secs_f64();
    let trained_graphs =
        (gx.len() - (gx.len() as f64 * 0.1).round() as usize) * fitted.history.len();
    // Inference throughput: the test graphs predicted 20 times over.
    let start = Instant::now();
    let repeats = 20;
    for _ in 0..repeats {
        fitted.predict(&tx)?;
    }
    let infer_rate = (repeats * tx.len()) as f64 / start.elapsed().as_secs_f64();
    let pred = fitted.predict(&tx)?;
    let mae = pred
        .iter()
        .zip(&ty)
        .map(|(p, y)| (p - y).abs())
        .sum::<f64>()
        / ty.len() as f64;
    println!(
        "{}",
        serde_json::json!({"graphs_per_s": trained_graphs as f64 / secs, "inference_graphs_per_s": infer_rate, "epochs": fitted.history.len(), "test_mae": mae, "train_graphs": gx.len(), "test_graphs": ty.len()})
    );
    Ok(())
}
