//! Training on real targets with fixed seeds (CPU backend): the loss falls,
//! runs repeat exactly, models save and load, and bad input is an error.

use std::sync::Mutex;

use voltai_battery_data::data_dir::dataset_dir;
use voltai_graph_nn::graph::{CrystalGraph, GraphConfig};
use voltai_graph_nn::io::read_structure;
use voltai_graph_nn::model::Architecture;
use voltai_graph_nn::obelix::{self, Censoring, Part};
use voltai_graph_nn::prelude::{GraphModelParams, Task};
use voltai_neural::device;

// burn's CPU generator is process-wide: tests that initialise models run
// one at a time so each sees only its own seed.
static SERIAL: Mutex<()> = Mutex::new(());

fn obelix_graphs(n: usize) -> (Vec<CrystalGraph>, Vec<f64>) {
    let dir = dataset_dir("materials")
        .unwrap()
        .join("obelix_ionic_conductivity");
    let entries = obelix::load(&dir).unwrap();
    let cfg = GraphConfig::default();
    let mut graphs = Vec::new();
    let mut y = Vec::new();
    for e in entries.iter().filter(|e| e.part == Part::Train) {
        let (Some(cif), Some(t)) = (&e.cif, e.log10_conductivity(Censoring::AtBound)) else {
            continue;
        };
        let s = read_structure(cif).unwrap();
        if s.len() > 120 {
            continue; // keep the test fast
        }
        graphs.push(CrystalGraph::new(&s, &cfg).unwrap());
        y.push(t);
        if graphs.len() == n {
            break;
        }
    }
    (graphs, y)
}

#[test]
fn obelix_loss_falls_and_runs_repeat() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (graphs, y) = obelix_graphs(48);
    for arch in [Architecture::Cgcnn, Architecture::EdgeMpnn] {
        let params = GraphModelParams::new(arch, Task::Regression)
            .hidden(32)
            .unwrap()
            .layers(2)
            .unwrap()
            .batch_size(16)
            .unwrap()
            .training(25, 3e-3, 0.0, 100)
            .unwrap()
            .seed(7);
        let dev = device::cpu(7);
        let a = params.fit(&graphs, &y, &dev, &mut |_| {}).unwrap();
        let first = a.history[0].train_loss;
        let last = a.history.last().unwrap().train_loss;
        assert!(
            last < 0.6 * first,
            "{arch:?}: training loss {first} → {last}"
        );
        let b = params
            .fit(&graphs, &y, &device::cpu(7), &mut |_| {})
            .unwrap();
        let (pa, pb) = (
            a.predict(&graphs, &dev).unwrap(),
            b.predict(&graphs, &dev).unwrap(),
        );
        assert_eq!(pa, pb, "{arch:?}: same seed, same model");

        let stem = std::env::temp_dir().join(format!("voltai_gnn_{arch:?}_{}", std::process::id()));
        a.save(&stem).unwrap();
        let loaded = voltai_graph_nn::estimator::FittedGraphModel::load(&stem, &dev).unwrap();
        assert_eq!(loaded.predict(&graphs, &dev).unwrap(), pa);
        std::fs::remove_file(stem.with_extension("bpk")).ok();
        std::fs::remove_file(stem.with_extension("json")).ok();
    }
}

#[test]
fn jarvis_metal_classification_smoke() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = dataset_dir("materials")
        .unwrap()
        .join("alignn_jarvis_bandgap_sample");
    let text = std::fs::read_to_string(dir.join("id_prop.csv")).unwrap();
    let cfg = GraphConfig::default();
    let (mut graphs, mut labels) = (Vec::new(), Vec::new());
    for line in text.lines() {
        let (file, gap) = line.split_once(',').unwrap();
        let s = read_structure(dir.join("structures").join(file)).unwrap();
        let Ok(g) = CrystalGraph::new(&s, &cfg) else {
            continue;
        };
        graphs.push(g);
        labels.push(if gap.trim().parse::<f64>().unwrap() > 0.01 {
            1.0
        } else {
            0.0
        });
    }
    assert!(graphs.len() >= 45);
    let params = GraphModelParams::new(Architecture::EdgeMpnn, Task::Classification { classes: 2 })
        .hidden(16)
        .unwrap()
        .training(15, 3e-3, 0.0, 100)
        .unwrap();
    let dev = device::cpu(1);
    let fitted = params.fit(&graphs, &labels, &dev, &mut |_| {}).unwrap();
    let h = &fitted.history;
    assert!(h.last().unwrap().train_loss < h[0].train_loss);
    let p = fitted.predict_proba(&graphs, &dev).unwrap();
    assert!(p.iter().all(|r| (r.iter().sum::<f64>() - 1.0).abs() < 1e-6));
    // Bad input is an error, not a panic.
    let one_class = vec![1.0; graphs.len()];
    assert!(params.fit(&graphs, &one_class, &dev, &mut |_| {}).is_err());
    let mut bad = labels.clone();
    bad[0] = 2.0;
    assert!(params.fit(&graphs, &bad, &dev, &mut |_| {}).is_err());
    assert!(
        params
            .fit(&graphs, &labels[1..], &dev, &mut |_| {})
            .is_err()
    );
    let reg = GraphModelParams::new(Architecture::Cgcnn, Task::Regression);
    let mut nan = labels.clone();
    nan[3] = f64::NAN;
    assert!(reg.fit(&graphs, &nan, &dev, &mut |_| {}).is_err());
}

#[test]
fn obelix_loader_keeps_censored_values_explicit() {
    let dir = dataset_dir("materials")
        .unwrap()
        .join("obelix_ionic_conductivity");
    let entries = obelix::load(&dir).unwrap();
    assert_eq!(entries.len(), 599);
    assert_eq!(entries.iter().filter(|e| e.part == Part::Test).count(), 121);
    let censored: Vec<_> = entries
        .iter()
        .filter(|e| matches!(e.conductivity, obelix::Conductivity::Below(_)))
        .collect();
    assert_eq!(censored.len(), 37);
    assert!(
        censored
            .iter()
            .all(|e| e.log10_conductivity(Censoring::Drop).is_none())
    );
    assert!(censored.iter().all(
        |e| matches!(e.log10_conductivity(Censoring::AtBound), Some(v) if v == -10.0 || v == -8.0)
    ));
    assert_eq!(entries.iter().filter(|e| e.cif.is_some()).count(), 321);
}
