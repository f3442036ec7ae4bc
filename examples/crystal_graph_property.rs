//! Crystal structures → graphs → GNN: log10 ionic conductivity of Li solid
//! electrolytes (OBELiX) from their crystal structures.
//!
//! Data: `materials/pymatgen_structures` (LiFePO4, LGPS, … —
//! parsed and summarised) and `materials/obelix_ionic_conductivity`
//! (321 CIFs, 250 of them disordered; official train/test split; the 36
//! censored conductivities such as `<1E-10` are set to their bound, see
//! `voltai_graph_nn::obelix`). Trains CGCNN, the edge-updating network and
//! the three-body network, each on the bare graphs and on graphs carrying
//! the ionic-conduction descriptors as graph-level features, five seeds
//! each, with a progress bar, and prints the held-out MAE per seed (mean ±
//! sd) beside predicting the training mean, composition-only ridge and GP on
//! element fractions, and a GP on element fractions plus the descriptors;
//! the seeds form a deep ensemble whose spread gives a 90 % interval, and
//! its test coverage is printed beside the GPs'. Writes a parity plot with
//! the band of the graph model that scores best on validation (a hold-out
//! of the training structures) to `reports/crystal_graph_property/parity.svg`.
//!
//! First, a learning curve: test MAE of the composition GP, the GP on
//! composition and descriptors, and CGCNN on nested random subsets of 25,
//! 50, 75 and 100 % of the training structures (three draws), printed and
//! plotted to
//! `reports/crystal_graph_property/learning_curve.svg`: whether the graph
//! model gains on composition as the data grow.
//!
//! Takes about 65 minutes in release on 2 cores (`VOLTAI_QUICK=1`: two
//! seeds of two epochs, about a minute); `-- learning-curve` runs only the
//! curve (about 13 minutes), `-- table` only the table.
//!
//! ```text
//! cargo run --release --features graph-nn --example crystal_graph_property
//! ```

#[path = "support/mod.rs"]
mod support;

use std::time::Instant;

use ndarray::{Array1, Array2, Axis};
use voltai::core::model_selection::{Better, grid_search, scoring};
use voltai::core::split::KFold;
use voltai::core::synthetic::SplitMix64;
use voltai::core::{Dataset, Fit, ProbabilisticRegressor, Regressor, Result};
use voltai::discovery::RidgeParams;
use voltai::gp::GpParams;
use voltai::graph_nn::descriptors::{IONIC_DESCRIPTOR_NAMES, IonicDescriptors, ionic_descriptors};
use voltai::graph_nn::graph::{CrystalGraph, GraphConfig};
use voltai::graph_nn::io::read_structure;
use voltai::graph_nn::model::Architecture;
use voltai::graph_nn::neighbors::{NeighborMode, neighbors};
use voltai::graph_nn::obelix::{self, Censoring, Part, element_fraction_matrix};
use voltai::graph_nn::prelude::{GraphData, GraphEnsembleParams, GraphModelParams, Task};
use voltai::kernels::Kernel;
use voltai::kernels::kernels::{OnColumns, Rbf, Scaled, Sum, White};

const SEED: u64 = 11;
/// Seeds per graph architecture (and members of its ensemble); two in
/// quick mode.
const MEMBERS: usize = 5;

fn mae(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / a.len() as f64
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (m, var.sqrt())
}

/// Share of `truth` inside `pred ± 1.645 sd` (a central 90 % interval).
fn coverage(pred: &[f64], sd: &[f64], truth: &[f64]) -> f64 {
    let inside = (0..truth.len())
        .filter(|&i| (truth[i] - pred[i]).abs() <= 1.644_854 * sd[i])
        .count();
    inside as f64 / truth.len() as f64
}

/// GP on element fractions (scaled RBF + white noise, ML-II with two
/// restarts): predictive mean and sd on `x_te`.
fn composition_gp(
    x_tr: &Array2<f64>,
    y_tr: &[f64],
    x_te: &Array2<f64>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let kernel = Sum(Scaled::new(4.0, Rbf::new(0.3)?)?, White::new(1.0)?);
    gp_mean_sd(kernel, x_tr, y_tr, x_te)
}

/// A GP with `kernel` (ML-II, two restarts) fitted on the training rows:
/// predictive mean and sd on `x_te`.
fn gp_mean_sd<K: Kernel + Clone>(
    kernel: K,
    x_tr: &Array2<f64>,
    y_tr: &[f64],
    x_te: &Array2<f64>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let gp = GpParams::new(kernel)
        .optimize(2, SEED)
        .fit(&Dataset::new(x_tr.clone(), Array1::from(y_tr.to_vec()))?)?;
    let dist = gp.predict_dist(x_te.view())?;
    Ok((
        dist.mean.to_vec(),
        dist.variance.iter().map(|v| v.sqrt()).collect(),
    ))
}

/// GP on element fractions (the first `n_frac` columns) plus the
/// standardised ionic descriptors (the rest): additive, the composition
/// GP's kernel on the fractions plus an ARD RBF on the descriptors.
fn descriptor_gp(
    xd_tr: &Array2<f64>,
    y_tr: &[f64],
    xd_te: &Array2<f64>,
    n_frac: usize,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let n_desc = xd_tr.ncols() - n_frac;
    let kernel = Sum(
        Sum(
            Scaled::new(4.0, OnColumns::new((0..n_frac).collect(), Rbf::new(0.3)?)?)?,
            Scaled::new(
                1.0,
                OnColumns::new(
                    (n_frac..n_frac + n_desc).collect(),
                    Rbf::ard(vec![1.0; n_desc])?,
                )?,
            )?,
        ),
        White::new(1.0)?,
    );
    gp_mean_sd(kernel, xd_tr, y_tr, xd_te)
}

/// The graph models' hyperparameters (one spelling for the table and the
/// learning curve).
fn graph_params(arch: Architecture, epochs: usize, seed: u64) -> Result<GraphModelParams> {
    GraphModelParams::new(arch, Task::Regression)
        .hidden(48)?
        .layers(3)?
        .batch_size(16)?
        .training(epochs, 2e-3, 25, 1e-4)
        .map(|p| p.seed(seed))
}

/// Inputs of the learning curve: the training structures' graphs, targets,
/// element fractions and fractions-plus-descriptors rows, and the same for
/// the test structures.
struct CurveData<'a> {
    g_train: &'a [CrystalGraph],
    y_train: &'a [f64],
    x_train: &'a Array2<f64>,
    xd_train: &'a Array2<f64>,
    g_test: &'a [CrystalGraph],
    y_test: &'a [f64],
    x_test: &'a Array2<f64>,
    xd_test: &'a Array2<f64>,
}

/// Test MAE against the number of training structures: nested random
/// subsets (each draw one shuffle of the training structures; a larger
/// fraction holds the smaller one), for the composition GP, the GP on
/// composition and descriptors, and CGCNN (one seed per draw). If the graph model's
/// curve fell faster than the GPs', more structures might let it pass them;
/// parallel curves say the data do not carry what it would need.
fn learning_curve(
    data: &CurveData<'_>,
    fractions: &[f64],
    draws: usize,
    epochs: usize,
) -> Result<Vec<(usize, [Vec<f64>; 3])>> {
    let n = data.y_train.len();
    let orders: Vec<Vec<usize>> = (0..draws)
        .map(|r| SplitMix64::new(SEED + 1000 + r as u64).permutation(n))
        .collect();
    let bar = support::progress((fractions.len() * draws) as u64);
    let mut rows = Vec::new();
    for &f in fractions {
        let size = ((f * n as f64).round() as usize).clamp(20, n);
        let mut scores: [Vec<f64>; 3] = Default::default();
        for (r, order) in orders.iter().enumerate() {
            bar.set_message(format!("learning curve: {size} structures, draw {}", r + 1));
            let idx = &order[..size];
            let y: Vec<f64> = idx.iter().map(|&i| data.y_train[i]).collect();
            let x = data.x_train.select(Axis(0), idx);
            let xd = data.xd_train.select(Axis(0), idx);
            let (p, _) = composition_gp(&x, &y, data.x_test)?;
            scores[0].push(mae(&p, data.y_test));
            let (p, _) = descriptor_gp(&xd, &y, data.xd_test, data.x_train.ncols())?;
            scores[1].push(mae(&p, data.y_test));
            let graphs: Vec<CrystalGraph> = idx.iter().map(|&i| data.g_train[i].clone()).collect();
            let model = graph_params(Architecture::Cgcnn, epochs, SEED + r as u64)?
                .fit(&GraphData::new(&graphs, &y)?)?;
            scores[2].push(mae(&model.predict(data.g_test)?, data.y_test));
            bar.inc(1);
        }
        rows.push((size, scores));
    }
    bar.finish_and_clear();
    Ok(rows)
}

/// Prints the learning curve (mean ± sd over the draws) and plots it to
/// `reports/crystal_graph_property/learning_curve.svg`.
fn print_learning_curve(
    rows: &[(usize, [Vec<f64>; 3])],
    draws: usize,
    mean_mae: f64,
) -> Result<()> {
    const NAMES: [&str; 3] = ["composition GP", "composition + descriptors GP", "CGCNN"];
    println!(
        "\nLearning curve: test MAE (log10 S/cm) against training structures, \
         mean ± sd over {draws} nested random subsets (CGCNN: one seed per draw):"
    );
    println!(
        "  {:>10} {:>18} {:>30} {:>18}",
        "structures", NAMES[0], NAMES[1], NAMES[2]
    );
    for (size, scores) in rows {
        let cell = |v: &[f64]| {
            let (m, sd) = mean_sd(v);
            if v.len() > 1 {
                format!("{m:.3} ± {sd:.3}")
            } else {
                format!("{m:.3}")
            }
        };
        println!(
            "  {size:>10} {:>18} {:>30} {:>18}",
            cell(&scores[0]),
            cell(&scores[1]),
            cell(&scores[2])
        );
    }
    let dir = support::output_dir("crystal_graph_property")?;
    let mut curves: Vec<(&str, Vec<(f64, f64)>)> = (0..3)
        .map(|k| {
            (
                NAMES[k],
                rows.iter()
                    .map(|(size, scores)| (*size as f64, mean_sd(&scores[k]).0))
                    .collect(),
            )
        })
        .collect();
    let largest = rows.last().map_or(1.0, |r| r.0 as f64);
    curves.push((
        "predict the training mean (all structures)",
        vec![(0.0, mean_mae), (largest, mean_mae)],
    ));
    let path = dir.join("learning_curve.svg");
    support::line_plot(
        &path,
        "OBELiX: test MAE against training structures",
        ("training structures", "test MAE, log10 S/cm"),
        ((0.0, largest * 1.05), (1.0, 3.0)),
        &curves,
    )?;
    println!("  learning curve plot: {}", path.display());
    Ok(())
}

/// One graph model's results (architecture, with or without descriptors).
struct Row {
    name: String,
    /// Mean over the seeds of the best validation MAE (standardised), on
    /// the training structures' hold-out: how the plotted model is chosen.
    validation: f64,
    per_seed: Vec<f64>,
    ensemble_mae: f64,
    coverage: f64,
    pred: Vec<f64>,
    sd: Vec<f64>,
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
        let item = (g, y, e.composition.clone(), ionic_descriptors(&s)?);
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
    let train_set = Dataset::new(x_tr.clone(), Array1::from(y_train.clone()))?;
    let (gp_pred, gp_sd) = composition_gp(&x_tr, &y_train, &x_te)?;
    // Composition plus the structure's ionic-conduction descriptors (Li
    // coordination, shortest Li–Li hop, free volume, hop bottleneck),
    // standardised on the training structures.
    let n_desc = IONIC_DESCRIPTOR_NAMES.len();
    let desc = |rows: &[(CrystalGraph, f64, String, IonicDescriptors)]| {
        ndarray::Array2::from_shape_fn((rows.len(), n_desc), |(i, k)| rows[i].3.to_vec()[k])
    };
    let (d_tr, d_te) = (desc(&train), desc(&test));
    let d_mean = d_tr
        .mean_axis(ndarray::Axis(0))
        .unwrap_or_else(|| Array1::zeros(n_desc));
    let d_sd = d_tr
        .std_axis(ndarray::Axis(0), 0.0)
        .mapv(|v| if v > 0.0 { v } else { 1.0 });
    let with_desc =
        |x: &ndarray::Array2<f64>, d: &ndarray::Array2<f64>| -> Result<ndarray::Array2<f64>> {
            let z = (d - &d_mean) / &d_sd;
            ndarray::concatenate(ndarray::Axis(1), &[x.view(), z.view()])
                .map_err(|e| voltai::core::Error::InvalidInput(format!("joining features: {e}")))
        };
    let (xd_tr, xd_te) = (with_desc(&x_tr, &d_tr)?, with_desc(&x_te, &d_te)?);
    let (desc_pred, desc_sd) = descriptor_gp(&xd_tr, &y_train, &xd_te, x_tr.ncols())?;
    // Composition-only ridge, gradient-free: α by 5-fold CV on the
    // training structures only.
    let candidates = [1e-3, 1e-2, 1e-1, 1.0, 10.0]
        .iter()
        .map(|&a| RidgeParams::new(a))
        .collect::<Result<Vec<_>>>()?;
    let splits = KFold::new(5)?.splits(train_set.n_samples())?;
    let search = grid_search(candidates, &train_set, &splits, scoring::mse, Better::Lower)?;
    let ridge_pred = search
        .best_params()
        .clone()
        .fit(&train_set)?
        .predict(x_te.view())?
        .to_vec();

    let mode = std::env::args().nth(1).unwrap_or_default();
    if mode != "table" {
        // Quick mode: two sizes, one draw, two epochs (a smoke test).
        let (fractions, draws, curve_epochs) = if quick {
            (vec![0.5, 1.0], 1, 2)
        } else {
            (vec![0.25, 0.5, 0.75, 1.0], 3, 80)
        };
        let curve = learning_curve(
            &CurveData {
                g_train: &g_train,
                y_train: &y_train,
                x_train: &x_tr,
                xd_train: &xd_tr,
                g_test: &g_test,
                y_test: &y_test,
                x_test: &x_te,
                xd_test: &xd_te,
            },
            &fractions,
            draws,
            curve_epochs,
        )?;
        print_learning_curve(&curve, draws, mean_mae)?;
        if mode == "learning-curve" {
            return Ok(());
        }
    }

    // Each architecture: MEMBERS seeds (weights, hold-out, batch order), the
    // per-seed test MAE as mean ± sd, and the seeds as a deep ensemble whose
    // spread gives the interval.
    // Quick mode is a smoke test of every path (six graph models), kept short.
    let epochs = if quick { 2 } else { 80 };
    let members = if quick { 2 } else { MEMBERS };
    let mut results = Vec::new();
    // The same graphs with the descriptors attached as graph-level features
    // (what `GraphConfig::ionic_descriptors` builds), joined to the pooled
    // atom states by every network's readout.
    let with_globals =
        |rows: &[(CrystalGraph, f64, String, IonicDescriptors)]| -> Vec<CrystalGraph> {
            rows.iter()
                .map(|(g, _, _, d)| CrystalGraph {
                    globals: d.to_features(),
                    ..g.clone()
                })
                .collect()
        };
    let (gd_train, gd_test) = (with_globals(&train), with_globals(&test));
    for (arch, descriptors) in [
        Architecture::Cgcnn,
        Architecture::EdgeMpnn,
        Architecture::ThreeBody,
    ]
    .into_iter()
    .flat_map(|a| [(a, false), (a, true)])
    {
        let (g_train, g_test) = if descriptors {
            (&gd_train, &gd_test)
        } else {
            (&g_train, &g_test)
        };
        let label = if descriptors {
            format!("{arch:?} + descriptors")
        } else {
            format!("{arch:?}")
        };
        let base = graph_params(arch, epochs, SEED)?;
        let bar = support::progress((epochs * members) as u64);
        bar.set_message(format!("training {members} × {label}"));
        let start = Instant::now();
        let data = GraphData::new(g_train, &y_train)?;
        let ensemble =
            GraphEnsembleParams::new(base, members)?.fit_with_progress(&data, &mut |p| {
                bar.set_message(format!(
                    "training {members} × {label}: loss {:.3}, val MAE {:.3}",
                    p.get("train_loss").unwrap_or(f64::NAN),
                    p.get("val_loss").unwrap_or(f64::NAN)
                ));
                bar.inc(1);
            })?;
        bar.finish_and_clear();
        let secs = start.elapsed().as_secs_f64();
        let epochs_run: usize = ensemble.members().iter().map(|m| m.history.len()).sum();
        let seen = epochs_run as f64 * (g_train.len() as f64 * 0.9);
        println!(
            "{label}: {members} seeds, {:.0} epochs each on average (best at {:?}), {:.0} graphs/s",
            epochs_run as f64 / members as f64,
            ensemble
                .members()
                .iter()
                .map(|m| m.best_epoch)
                .collect::<Vec<_>>(),
            seen / secs
        );
        let per_seed: Vec<f64> = ensemble
            .predict_members(g_test)?
            .iter()
            .map(|p| mae(p, &y_test))
            .collect();
        let dist = ensemble.predict_dist(g_test)?;
        let sd: Vec<f64> = dist.variance.iter().map(|v| v.sqrt()).collect();
        let validation = ensemble
            .members()
            .iter()
            .map(|m| m.history[m.best_epoch].val_loss)
            .sum::<f64>()
            / members as f64;
        results.push(Row {
            name: format!("{label} on crystal graphs"),
            validation,
            per_seed,
            ensemble_mae: mae(&dist.mean.to_vec(), &y_test),
            coverage: coverage(&dist.mean.to_vec(), &sd, &y_test),
            pred: dist.mean.to_vec(),
            sd,
        });
    }

    println!(
        "\nHeld-out MAE on the official test split (log10 S/cm, {} structures with CIFs; \
         {members} seeds for the graph models):",
        y_test.len()
    );
    println!(
        "  {:<40} {:>16} {:>13} {:>14}",
        "model", "MAE (per seed)", "ensemble MAE", "90 % coverage"
    );
    println!("  {:<40} {:>16.3}", "predict the training mean", mean_mae);
    println!(
        "  {:<40} {:>16.3}",
        "composition-only ridge (element fractions)",
        mae(&ridge_pred, &y_test)
    );
    let gp_mae = mae(&gp_pred, &y_test);
    println!(
        "  {:<40} {:>16.3} {:>13} {:>13.0}%",
        "composition-only GP (element fractions)",
        gp_mae,
        "",
        100.0 * coverage(&gp_pred, &gp_sd, &y_test)
    );
    println!(
        "  {:<40} {:>16.3} {:>13} {:>13.0}%",
        "composition + ionic descriptors GP",
        mae(&desc_pred, &y_test),
        "",
        100.0 * coverage(&desc_pred, &desc_sd, &y_test)
    );
    for r in &results {
        let (m, sd) = mean_sd(&r.per_seed);
        println!(
            "  {:<40} {:>16} {:>13.3} {:>13.0}%",
            r.name,
            format!("{m:.3} ± {sd:.3}"),
            r.ensemble_mae,
            100.0 * r.coverage
        );
    }
    // The acceptance question: does the best graph model beat composition
    // by more than the seeds' spread? Asked of the best test mean (the
    // issue's wording) and of the model chosen on validation.
    let verdict = |how: &str, r: &Row| {
        let (m, sd) = mean_sd(&r.per_seed);
        println!(
            "  {how} {}: {m:.3} ± {sd:.3} vs composition GP {gp_mae:.3}: {}",
            r.name,
            if gp_mae - m > sd {
                "lower by more than one seed sd"
            } else {
                "not lower by more than one seed sd"
            }
        );
    };
    if let Some(r) = results
        .iter()
        .min_by(|a, b| mean_sd(&a.per_seed).0.total_cmp(&mean_sd(&b.per_seed).0))
    {
        verdict("best graph model", r);
    }
    if let Some(r) = results
        .iter()
        .min_by(|a, b| a.validation.total_cmp(&b.validation))
    {
        verdict("graph model chosen on validation (training hold-out)", r);
    }
    println!(
        "  (90 % coverage: ŷ ± 1.645 sd, sd = the GP's predictive sd or the seeds' spread; \
         the OBELiX paper benchmarks RF, MLP, CGCNN, M3GNet, SO3Net, PaiNN and SchNet, \
         Therrien et al., arXiv:2502.14234)"
    );

    let dir = support::output_dir("crystal_graph_property")?;
    let mut groups: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    // The graph model with the best validation score (never the test
    // score): its ensemble mean and its 90 % band, drawn as the band's two
    // ends per structure.
    if let Some(r) = results
        .iter()
        .min_by(|a, b| a.validation.total_cmp(&b.validation))
    {
        let z = 1.644_854;
        let name = r.name.trim_end_matches(" on crystal graphs");
        groups.push((
            format!("{name} (ensemble mean)"),
            y_test.iter().copied().zip(r.pred.iter().copied()).collect(),
        ));
        groups.push((
            format!("{name} 90 % band, upper"),
            (0..y_test.len())
                .map(|i| (y_test[i], r.pred[i] + z * r.sd[i]))
                .collect(),
        ));
        groups.push((
            format!("{name} 90 % band, lower"),
            (0..y_test.len())
                .map(|i| (y_test[i], r.pred[i] - z * r.sd[i]))
                .collect(),
        ));
    }
    groups.push((
        "composition GP".into(),
        y_test
            .iter()
            .copied()
            .zip(gp_pred.iter().copied())
            .collect(),
    ));
    groups.push((
        "composition + descriptors GP".into(),
        y_test
            .iter()
            .copied()
            .zip(desc_pred.iter().copied())
            .collect(),
    ));
    groups.push((
        "y = x".into(),
        (0..=40)
            .map(|k| -16.0 + 0.35 * k as f64)
            .map(|v| (v, v))
            .collect(),
    ));
    let groups: Vec<(&str, Vec<(f64, f64)>)> = groups
        .iter()
        .map(|(n, p)| (n.as_str(), p.clone()))
        .collect();
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
