//! Training on real targets with fixed seeds (CPU backend): the loss falls,
//! runs repeat exactly, models save and load, and bad input is an error.

use voltai_battery_data::data_dir::dataset_dir;
use voltai_core::Fit;
use voltai_core::persist::Persist;
use voltai_graph_nn::ensemble::GraphEnsembleParams;
use voltai_graph_nn::graph::{CrystalGraph, GraphConfig};
use voltai_graph_nn::io::read_structure;
use voltai_graph_nn::model::Architecture;
use voltai_graph_nn::obelix::{self, Censoring, Part};
use voltai_graph_nn::prelude::{GraphData, GraphModelParams, Task};
use voltai_neural::device;

mod common;

/// The estimator contract for the graph models.
#[path = "training_suite/contract.rs"]
mod contract;

use common::{SERIAL, obelix_graphs};

#[test]
fn obelix_loss_falls_and_runs_repeat() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (graphs, y) = obelix_graphs(48);
    for arch in [
        Architecture::Cgcnn,
        Architecture::EdgeMpnn,
        Architecture::ThreeBody,
    ] {
        let params = GraphModelParams::new(arch, Task::Regression)
            .hidden(32)
            .unwrap()
            .layers(2)
            .unwrap()
            .batch_size(16)
            .unwrap()
            .training(25, 3e-3, 100, 0.0)
            .unwrap()
            .seed(7);
        let data = GraphData::new(&graphs, &y).unwrap();
        let a = params.fit(&data).unwrap();
        let first = a.history[0].train_loss;
        let last = a.history.last().unwrap().train_loss;
        assert!(
            last < 0.6 * first,
            "{arch:?}: training loss {first} → {last}"
        );
        // On an explicit device seeded alike: the same model.
        let b = params
            .fit_on_device(&data, &device::cpu(7), &mut |_| {})
            .unwrap();
        let (pa, pb) = (a.predict(&graphs).unwrap(), b.predict(&graphs).unwrap());
        assert_eq!(pa, pb, "{arch:?}: same seed, same model");

        let path =
            std::env::temp_dir().join(format!("voltai_gnn_{arch:?}_{}.json", std::process::id()));
        a.save(&path).unwrap();
        let loaded = voltai_graph_nn::estimator::FittedGraphModel::load(&path).unwrap();
        assert_eq!(loaded.predict(&graphs).unwrap(), pa);
        std::fs::remove_file(&path).ok();
    }
}

/// burn's CPU backend and the parted training steps share rayon's pool:
/// with one worker thread or two, the same seed trains the same network.
#[test]
fn the_thread_count_does_not_change_the_model() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (graphs, y) = obelix_graphs(24);
    let params = GraphModelParams::new(Architecture::ThreeBody, Task::Regression)
        .hidden(16)
        .unwrap()
        .layers(2)
        .unwrap()
        .batch_size(8)
        .unwrap()
        .training(3, 3e-3, 3, 0.0)
        .unwrap()
        .seed(11);
    let data = GraphData::new(&graphs, &y).unwrap();
    let with = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| params.fit(&data).unwrap().predict(&graphs).unwrap())
    };
    assert_eq!(with(1), with(2));
}

/// A seed ensemble is its members, each the model its derived seed fits
/// alone; its mean and variance are the members' mean and sample variance.
#[test]
fn an_ensemble_is_its_seeded_members() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (graphs, y) = obelix_graphs(24);
    let base = GraphModelParams::new(Architecture::Cgcnn, Task::Regression)
        .hidden(16)
        .unwrap()
        .layers(1)
        .unwrap()
        .batch_size(8)
        .unwrap()
        .training(4, 3e-3, 100, 0.0)
        .unwrap()
        .seed(40);
    let data = GraphData::new(&graphs, &y).unwrap();
    let ensemble = GraphEnsembleParams::new(base, 3)
        .unwrap()
        .fit(&data)
        .unwrap();
    let members = ensemble.predict_members(&graphs).unwrap();
    let alone = base.seed(41).fit(&data).unwrap().predict(&graphs).unwrap();
    assert_eq!(members[1], alone, "member 1 is the seed-41 model");
    assert_ne!(members[0], members[1], "members differ");
    let dist = ensemble.predict_dist(&graphs).unwrap();
    for i in 0..graphs.len() {
        let v: Vec<f64> = members.iter().map(|m| m[i]).collect();
        let mean = v.iter().sum::<f64>() / 3.0;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0;
        assert!((dist.mean[i] - mean).abs() < 1e-12);
        assert!((dist.variance[i] - var).abs() < 1e-12 * var.max(1e-300) + 1e-15);
    }
    assert_eq!(ensemble.predict(&graphs).unwrap(), dist.mean.to_vec());
    // Classification and fewer than two members are refused.
    let classes = GraphModelParams::new(Architecture::Cgcnn, Task::Classification { classes: 2 });
    assert!(GraphEnsembleParams::new(classes, 3).is_err());
    assert!(GraphEnsembleParams::new(base, 1).is_err());
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
        .training(15, 3e-3, 100, 0.0)
        .unwrap();
    let fitted = params
        .fit(&GraphData::new(&graphs, &labels).unwrap())
        .unwrap();
    let h = &fitted.history;
    assert!(h.last().unwrap().train_loss < h[0].train_loss);
    let p = fitted.predict_proba(&graphs).unwrap();
    assert!(p.iter().all(|r| (r.iter().sum::<f64>() - 1.0).abs() < 1e-6));
    // Bad input is an error, not a panic.
    let one_class = vec![1.0; graphs.len()];
    let fit = |p: &GraphModelParams, y: &[f64]| GraphData::new(&graphs, y).and_then(|d| p.fit(&d));
    assert!(fit(&params, &one_class).is_err());
    let mut bad = labels.clone();
    bad[0] = 2.0;
    assert!(fit(&params, &bad).is_err());
    assert!(fit(&params, &labels[1..]).is_err());
    let reg = GraphModelParams::new(Architecture::Cgcnn, Task::Regression);
    let mut nan = labels.clone();
    nan[3] = f64::NAN;
    assert!(fit(&reg, &nan).is_err());
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
