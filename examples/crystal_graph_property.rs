//! Crystal structures → graphs → GNN: log10 ionic conductivity of Li solid
//! electrolytes (OBELiX) from their crystal structures.
//!
//! Data: `materials/pymatgen_structures` (LiFePO4, LGPS, … —
//! parsed and summarised) and `materials/obelix_ionic_conductivity`
//! (321 CIFs, 250 of them disordered; official train/test split; the 36
//! censored conductivities such as `<1E-10` are set to their bound, see
//! `voltai_graph_nn::obelix`). Trains CGCNN and the edge-updating network
//! with a progress bar and compares the held-out MAE with predicting the
//! training mean and with a composition-only GP on element fractions. Writes
//! a parity plot to `reports/crystal_graph_property/parity.svg`.
//!
//! Takes about 10 minutes in release (`VOLTAI_QUICK=1`: a few epochs, ~30 s).
//!
//! ```text
//! cargo run --release --features graph-nn --example crystal_graph_property
//! ```

#[path = "support/mod.rs"]
mod support;

use std::time::Instant;

use ndarray::Array1;
use voltai::core::{Dataset, Fit, Regressor, Result};
use voltai::gp::GpParams;
use voltai::graph_nn::graph::{CrystalGraph, GraphConfig};
use voltai::graph_nn::io::read_structure;
use voltai::graph_nn::model::Architecture;
use voltai::graph_nn::neighbors::{NeighborMode, neighbors};
use voltai::graph_nn::obelix::{self, Censoring, Part, element_fraction_matrix};
use voltai::graph_nn::prelude::{GraphData, GraphModelParams, Task};
use voltai::kernels::kernels::{Rbf, Scaled, Sum, White};

const SEED: u64 = 11;

fn mae(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / a.len() as f64
}

fn main() -> Result<()> {
    let quick = std::env::var_os("VOLTAI_QUICK").is_some();
    let materials = voltai::battery_data::data_dir::dataset_dir("materials")?;
    let cfg = GraphConfig::default();

    println!("Battery materials (pymatgen's bundled structures), graphs at 8 Å / 12 neighbours:");
    println!(
        "  {:<14} {:>5} {:>8} {:>6} {:>7} {:>9}",
        "structure", "sites", "ordered", "edges", "⟨d₁⟩ Å", "ρ g/cm³"
    );
    for name in [
        "LiFePO4",
        "NaFePO4",
        "Li3V2_PO4_3",
        "Li10GeP2S12",
        "Li2O",
        "Li2O2",
        "Graphite",
        "Si",
    ] {
        let s = read_structure(materials.join(format!("pymatgen_structures/cif/{name}.cif")))?;
        let g = CrystalGraph::new(&s, &cfg)?;
        let nn = neighbors(
            &s,
            NeighborMode::Nearest {
                k: 1,
                max_cutoff: 8.0,
            },
        )?;
        let d1 = nn.edges().map(|n| n.distance).sum::<f64>() / s.len() as f64;
        println!(
            "  {name:<14} {:>5} {:>8} {:>6} {d1:>7.3} {:>9.3}",
            s.len(),
            s.is_ordered(),
            g.num_edges(),
            s.density()
        );
    }

    let entries = obelix::load(materials.join("obelix_ionic_conductivity"))?;
    let bar = support::progress(entries.iter().filter(|e| e.cif.is_some()).count() as u64);
    bar.set_message("building OBELiX graphs");
    let (mut train, mut test) = (Vec::new(), Vec::new());
    let mut disordered = 0;
    for e in &entries {
        let (Some(cif), Some(y)) = (&e.cif, e.log10_conductivity(Censoring::AtBound)) else {
            continue;
        };
        let s = read_structure(cif)?;
        disordered += usize::from(!s.is_ordered());
        let g = CrystalGraph::new(&s, &cfg)?;
        let item = (g, y, e.composition.clone());
        match e.part {
            Part::Train => train.push(item),
            Part::Test => test.push(item),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!(
        "\nOBELiX with structures: {} train / {} test ({disordered} disordered, occupancy-weighted node features)",
        train.len(),
        test.len()
    );
    let (g_train, y_train): (Vec<CrystalGraph>, Vec<f64>) =
        train.iter().map(|t| (t.0.clone(), t.1)).unzip();
    let (g_test, y_test): (Vec<CrystalGraph>, Vec<f64>) =
        test.iter().map(|t| (t.0.clone(), t.1)).unzip();
    let mean = y_train.iter().sum::<f64>() / y_train.len() as f64;
    let mean_mae = mae(&vec![mean; y_test.len()], &y_test);

    // Composition-only baseline: GP on element fractions.
    let formulas: Vec<&str> = train.iter().chain(&test).map(|t| t.2.as_str()).collect();
    let (x_all, _) = element_fraction_matrix(&formulas)?;
    let n_tr = train.len();
    let x_tr = x_all.slice(ndarray::s![..n_tr, ..]).to_owned();
    let x_te = x_all.slice(ndarray::s![n_tr.., ..]).to_owned();
    let kernel = Sum(Scaled::new(4.0, Rbf::new(0.3)?)?, White::new(1.0)?);
    let gp = GpParams::new(kernel)
        .optimize(2, SEED)
        .fit(&Dataset::new(x_tr, Array1::from(y_train.clone()))?)?;
    let gp_pred = gp.predict(x_te.view())?.to_vec();
    let gp_mae = mae(&gp_pred, &y_test);

    let epochs = if quick { 4 } else { 80 };
    let mut results = Vec::new();
    for arch in [Architecture::Cgcnn, Architecture::EdgeMpnn] {
        let params = GraphModelParams::new(arch, Task::Regression)
            .hidden(48)?
            .layers(3)?
            .batch_size(16)?
            .training(epochs, 2e-3, 25, 1e-4)?
            .seed(SEED);
        let bar = support::progress(epochs as u64);
        bar.set_message(format!("training {arch:?}"));
        let start = Instant::now();
        let data = GraphData::new(&g_train, &y_train)?;
        let fitted = params.fit_with_progress(&data, &mut |p| {
            bar.set_message(format!(
                "training {arch:?}: loss {:.3}, val MAE {:.3}",
                p.get("train_loss").unwrap_or(f64::NAN),
                p.get("val_loss").unwrap_or(f64::NAN)
            ));
            bar.inc(1);
        })?;
        bar.finish_and_clear();
        let secs = start.elapsed().as_secs_f64();
        let seen = fitted.history.len() as f64 * (g_train.len() as f64 * 0.9);
        let pred = fitted.predict(&g_test)?;
        let first = fitted.history[0].train_loss;
        let last = fitted.history.last().map_or(first, |h| h.train_loss);
        println!(
            "{arch:?}: {} epochs (best {}), training loss {first:.3} → {last:.3}, {:.0} graphs/s",
            fitted.history.len(),
            fitted.best_epoch,
            seen / secs
        );
        results.push((arch, mae(&pred, &y_test), pred));
    }

    println!(
        "\nHeld-out MAE on the official test split (log10 S/cm, {} structures):",
        y_test.len()
    );
    println!("  {:<38} {:.3}", "predict the training mean", mean_mae);
    println!(
        "  {:<38} {:.3}",
        "composition-only GP (element fractions)", gp_mae
    );
    for (arch, m, _) in &results {
        println!("  {:<38} {m:.3}", format!("{arch:?} on crystal graphs"));
    }
    let best = results
        .iter()
        .map(|r| (format!("{:?}", r.0), r.1))
        .chain([
            ("composition GP".to_string(), gp_mae),
            ("mean".to_string(), mean_mae),
        ])
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|b| b.0)
        .unwrap_or_default();
    println!("  lowest: {best}");

    let dir = support::output_dir("crystal_graph_property")?;
    let mut groups: Vec<(&str, Vec<(f64, f64)>)> = results
        .iter()
        .map(|(arch, _, p)| {
            let name = if *arch == Architecture::Cgcnn {
                "CGCNN"
            } else {
                "edge MPNN"
            };
            (
                name,
                y_test.iter().copied().zip(p.iter().copied()).collect(),
            )
        })
        .collect();
    groups.push((
        "composition GP",
        y_test
            .iter()
            .copied()
            .zip(gp_pred.iter().copied())
            .collect(),
    ));
    groups.push((
        "y = x",
        (0..=40)
            .map(|k| -16.0 + 0.35 * k as f64)
            .map(|v| (v, v))
            .collect(),
    ));
    support::scatter_plot(
        &dir.join("parity.svg"),
        "OBELiX test split: log10 σ (S/cm)",
        ("measured", "predicted"),
        ((-16.0, -1.0), (-16.0, -1.0)),
        &groups,
    )?;
    println!("\nparity plot: {}", dir.join("parity.svg").display());
    Ok(())
}
