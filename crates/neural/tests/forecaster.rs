//! The forecaster, its losses and the training toolkit on synthetic
//! trajectories with known shapes.

use ndarray::{Array2, array};
use voltai_neural::convert::{scalar, tensor2};
use voltai_neural::device;
use voltai_neural::penalty::{masked_mse, monotonicity_penalty};
use voltai_neural::train::{TrainConfig, load_checkpoint, save_checkpoint, train};
use voltai_neural::trajectories::{
    CellSeries, SequenceBatch, Windowing, fraction_increasing, linear_forecast, masked_rmse,
    mean_fade_forecast, persistence_forecast,
};
use voltai_neural::{ForecastLoss, Forecaster, ForecasterConfig};

/// The estimator contract for the neural params → fitted-model layer.
#[path = "forecaster_suite/contract.rs"]
mod contract;

/// The curve regressors (MLP, CNN, LSTM, Transformer).
#[path = "forecaster_suite/curves.rs"]
mod curves;

/// Linear fade then a knee: cells fade at slightly different rates.
fn synthetic(n_cells: usize, cycles: usize) -> Vec<CellSeries> {
    (0..n_cells)
        .map(|c| {
            let rate = 1e-4 * (1.0 + 0.1 * c as f64);
            let knee = 250.0 + 10.0 * c as f64;
            CellSeries::new(
                format!("cell{c}"),
                (0..cycles - 5 * c)
                    .map(|t| {
                        let t = t as f64;
                        1.0 - rate * t - 2e-6 * (t - knee).max(0.0).powi(2)
                    })
                    .collect(),
            )
        })
        .collect()
}

/// burn's CPU generator is not scoped to the calling thread (parallel
/// kernels draw from worker threads), so tests that initialise models run one
/// at a time to keep every seeded result reproducible.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const W: Windowing = Windowing {
    window: 100,
    stride: 10,
    horizon: 300,
    scale: 1.0,
};

#[test]
fn windowing_pads_and_masks_and_baselines_have_closed_forms() {
    let _serial = serial();
    let series = synthetic(3, 350);
    let b = SequenceBatch::new(&series, W).unwrap();
    assert_eq!(b.encoder.dim(), (3, 10));
    assert_eq!(b.targets.dim(), (3, 30));
    // Cell 2 has 340 cycles: 24 full forecast steps, 6 padded.
    assert_eq!(b.mask.row(2).sum(), 24.0);
    assert_eq!(b.targets[[2, 29]], 0.0);
    let p = persistence_forecast(&b);
    assert!(p.row(0).iter().all(|&v| v == b.encoder[[0, 9]]));
    // A straight line is extrapolated exactly.
    let line = vec![CellSeries::new(
        "l",
        (0..400).map(|t| 1.0 - 1e-4 * t as f64).collect(),
    )];
    let lb = SequenceBatch::new(&line, W).unwrap();
    assert!(masked_rmse(&linear_forecast(&lb), &lb, 1.0) < 1e-6);
    assert_eq!(fraction_increasing(&linear_forecast(&lb), &lb, 0.0), 0.0);
    // Too short and non-finite series are errors.
    let short = vec![CellSeries::new("s", vec![1.0; 105])];
    assert!(SequenceBatch::new(&short, W).is_err());
    let nan = vec![CellSeries::new("n", vec![f64::NAN; 400])];
    assert!(SequenceBatch::new(&nan, W).is_err());
}

/// The mean-fade baseline: a cell's last observed step plus the training
/// rows' mean drop after theirs, each step averaged over the rows that
/// reach it; it fails loudly when it cannot say.
#[test]
fn mean_fade_forecast_adds_the_training_cells_mean_drop() {
    let w = Windowing {
        window: 20,
        stride: 10,
        horizon: 30,
        scale: 1.0,
    };
    // Cell "a" drops 0.1 per step after its window for 3 steps; "b" drops
    // 0.3 per step but ends after 2.
    let steps = |id: &str, level: f64, drop: f64, n: usize| {
        let mut q = vec![level; 20];
        for k in 1..=n {
            q.extend([level - drop * k as f64; 10]);
        }
        CellSeries::new(id, q)
    };
    let train = SequenceBatch::new(&[steps("a", 1.0, 0.1, 3), steps("b", 0.8, 0.3, 2)], w).unwrap();
    let test = SequenceBatch::new(&[steps("c", 0.9, 0.0, 3)], w).unwrap();
    let p = mean_fade_forecast(&train, &test).unwrap();
    // Drops: step 1 mean(0.1, 0.3), step 2 mean(0.2, 0.6), step 3 only a's 0.3.
    for (t, want) in [0.9 - 0.2, 0.9 - 0.4, 0.9 - 0.3].into_iter().enumerate() {
        assert!(
            (p[[0, t]] as f64 - want).abs() < 1e-6,
            "step {t}: {}",
            p[[0, t]]
        );
    }
    // Every training row identical to the test cell: the forecast is exact.
    let same = SequenceBatch::new(&[steps("d", 0.9, 0.05, 3)], w).unwrap();
    assert!(masked_rmse(&mean_fade_forecast(&same, &same).unwrap(), &same, 1.0) < 1e-6);
    // No training row reaches step 3, which the test cell asks for.
    let short = SequenceBatch::new(&[steps("e", 1.0, 0.1, 2)], w).unwrap();
    assert!(mean_fade_forecast(&short, &test).is_err());
    // No rows, or windows of another shape.
    assert!(mean_fade_forecast(&train.select(&[]), &test).is_err());
    let other = Windowing { horizon: 20, ..w };
    let test2 = SequenceBatch::new(&[steps("c", 0.9, 0.0, 3)], other).unwrap();
    assert!(mean_fade_forecast(&train, &test2).is_err());
}

#[test]
fn losses_have_closed_forms() {
    let _serial = serial();
    let dev = device::cpu(0);
    let pred = tensor2(
        array![[1.0f32, 1.2, 1.1, 1.5], [2.0, 1.0, 0.0, 0.0]].view(),
        &dev,
    );
    let target = tensor2(Array2::<f32>::zeros((2, 4)).view(), &dev);
    let mask = tensor2(
        array![[1.0f32, 1.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]].view(),
        &dev,
    );
    // MSE over the 6 unmasked entries.
    let mse = scalar(masked_mse(pred.clone(), target, mask.clone()));
    let expected = (1.0 + 1.44 + 1.21 + 2.25 + 4.0 + 1.0) / 6.0;
    assert!((mse - expected).abs() < 1e-5, "{mse}");
    // Rises: row 0 has +0.2 and +0.4 over 3 pairs; row 1 one pair, no rise.
    let pen = scalar(monotonicity_penalty(pred.clone(), mask.clone(), 0.0));
    assert!((pen - 0.6 / 4.0).abs() < 1e-5, "{pen}");
    // A tolerance of 0.25 forgives the smaller rise.
    let pen = scalar(monotonicity_penalty(pred, mask, 0.25));
    assert!((pen - 0.15 / 4.0).abs() < 1e-5, "{pen}");
}

fn fit(
    series: &[CellSeries],
    lambda: f32,
    epochs: usize,
    seed: u64,
) -> (Forecaster, burn::tensor::Device) {
    let dev = device::cpu(seed);
    let batch = SequenceBatch::new(series, W).unwrap();
    let config = ForecasterConfig {
        hidden: 12,
        ..Default::default()
    };
    let model = device::seeded(&dev, seed, |d| config.init(d));
    let cfg = TrainConfig {
        epochs,
        learning_rate: 1e-2,
        patience: epochs,
        ..Default::default()
    };
    let d = dev.clone();
    let trained = train(
        model,
        &cfg,
        |m, e| {
            Ok(m.loss(
                &batch,
                &d,
                &ForecastLoss {
                    teacher_ratio: 1.0 - e as f64 / epochs as f64,
                    monotonicity_weight: lambda,
                    tolerance: 0.0,
                    seed: seed + e as u64,
                },
            ))
        },
        |m| Ok(masked_rmse(&m.predict(&batch, &d)?, &batch, 1.0)),
        &mut |_| {},
    )
    .unwrap();
    (trained.model, dev)
}

#[test]
fn training_reduces_the_error_and_checkpoints_round_trip() {
    let _serial = serial();
    let series = synthetic(6, 400);
    let batch = SequenceBatch::new(&series, W).unwrap();
    let dev0 = device::cpu(3);
    let untrained_config = ForecasterConfig {
        hidden: 12,
        ..Default::default()
    };
    let untrained = device::seeded(&dev0, 3, |d| untrained_config.init(d));
    let before = masked_rmse(&untrained.predict(&batch, &dev0).unwrap(), &batch, 1.0);
    let (model, dev) = fit(&series, 0.0, 40, 3);
    let pred = model.predict(&batch, &dev).unwrap();
    let after = masked_rmse(&pred, &batch, 1.0);
    assert!(after < 0.5 * before, "RMSE {before} → {after}");
    // Same seed, same model.
    let (again, _) = fit(&series, 0.0, 40, 3);
    assert_eq!(again.predict(&batch, &dev).unwrap(), pred);
    // Checkpoint round trip.
    let path = std::env::temp_dir().join(format!("voltai_forecaster_{}.bpk", std::process::id()));
    save_checkpoint(&model, &path).unwrap();
    let config = ForecasterConfig {
        hidden: 12,
        ..Default::default()
    };
    let fresh = device::seeded(&device::cpu(99), 99, |d| config.init(d));
    let loaded = load_checkpoint(fresh, &path).unwrap();
    assert_eq!(loaded.predict(&batch, &dev).unwrap(), pred);
    std::fs::remove_file(&path).ok();
    assert!(load_checkpoint(model, &path).is_err());
}

#[test]
fn a_test_cell_future_cannot_change_its_forecast() {
    let _serial = serial();
    // The whole pipeline — split by cell, windowing, training, forecasting —
    // is run twice; the second time every target after the window of the
    // held-out cell is perturbed. Its forecast must not move by a single bit.
    let run = |perturb: bool| -> Array2<f32> {
        let mut series = synthetic(5, 400);
        if perturb {
            for v in series[4].capacity.iter_mut().skip(W.window) {
                *v += 0.3;
            }
        }
        let (train_cells, test_cells) = (&series[..4], &series[4..]);
        let (model, dev) = fit(train_cells, 0.1, 5, 11);
        model
            .predict(&SequenceBatch::new(test_cells, W).unwrap(), &dev)
            .unwrap()
    };
    assert_eq!(run(false), run(true));
}

/// `epochs` more epochs of free-running training (no teacher forcing, no
/// penalty) on `batch`, scored on it too.
fn retrain(
    model: Forecaster,
    batch: &SequenceBatch,
    dev: &burn::tensor::Device,
    epochs: usize,
) -> voltai_core::Result<voltai_neural::train::Trained<Forecaster>> {
    let cfg = TrainConfig {
        epochs,
        learning_rate: 1e-2,
        patience: epochs,
        ..Default::default()
    };
    train(
        model,
        &cfg,
        |m, e| {
            Ok(m.loss(
                batch,
                dev,
                &ForecastLoss {
                    teacher_ratio: 0.0,
                    monotonicity_weight: 0.0,
                    tolerance: 0.0,
                    seed: e as u64,
                },
            ))
        },
        |m| Ok(masked_rmse(&m.predict(batch, dev)?, batch, 1.0)),
        &mut |_| {},
    )
}

#[test]
fn a_trained_model_can_be_trained_again() {
    let _serial = serial();
    let series = synthetic(4, 400);
    let (model, dev) = fit(&series, 0.0, 3, 1);
    let batch = SequenceBatch::new(&series, W).unwrap();
    let again = retrain(model, &batch, &dev, 3);
    assert!(again.is_ok(), "{:?}", again.err());
}

#[test]
fn cycle_numbers_survive_missing_capacities() {
    use voltai_battery_data::{CellHistory, CellMetadata, CycleSummary};
    // 400 cycles of a straight fade; cycle 57 has no capacity and cycle 58
    // is missing altogether.
    let cycles: Vec<CycleSummary> = (1..=400u32)
        .filter(|&c| c != 58)
        .map(|c| CycleSummary {
            cycle_index: c,
            discharge_capacity_ah: (c != 57).then_some(1.0 - 1e-4 * c as f64),
            ..Default::default()
        })
        .collect();
    let meta = CellMetadata {
        cell_id: "gappy".into(),
        ..Default::default()
    };
    let history = CellHistory::from_summaries(meta, cycles).unwrap();
    let (series, filled) = CellSeries::from_history(&history).unwrap();
    assert_eq!(filled, vec![57, 58]);
    assert_eq!(series.cycles.len(), 400);
    assert_eq!(series.cycles[399], 400);
    // Position k is still cycle k + 1, so the window's block means match the
    // straight line exactly (dropping the gaps would shift them by 2e-4).
    let batch = SequenceBatch::new(std::slice::from_ref(&series), W).unwrap();
    for (k, v) in batch.encoder.row(0).iter().enumerate() {
        let mid = 10.0 * k as f64 + 5.5;
        assert!(
            (f64::from(*v) - (1.0 - 1e-4 * mid)).abs() < 1e-6,
            "step {k}: {v}"
        );
    }
    // A series whose cycles are not consecutive is refused, naming the gap.
    let mut gapped = series.clone();
    gapped.cycles.remove(56);
    gapped.capacity.remove(56);
    let err = SequenceBatch::new(&[gapped], W).unwrap_err().to_string();
    assert!(err.contains("cycle 58 follows cycle 56"), "{err}");
}

#[test]
fn sliding_windows_start_every_k_cycles() {
    // capacity = cycle index: every block mean is the mean of its cycles.
    let ramp = |n: usize| CellSeries::new(format!("r{n}"), (0..n).map(|t| t as f64).collect());
    let series = vec![ramp(150), ramp(131)];
    let b = SequenceBatch::sliding(&series, W, 20).unwrap();
    // A window needs 100 cycles plus one 10-cycle step: starts 0, 20, 40
    // for 150 cycles, 0 and 20 for 131.
    assert_eq!(b.cell_ids, ["r150", "r150", "r150", "r131", "r131"]);
    assert_eq!(b.encoder.dim(), (5, 10));
    for (row, start) in [0.0_f32, 20.0, 40.0, 0.0, 20.0].iter().enumerate() {
        assert_eq!(b.encoder[[row, 0]], start + 4.5);
        assert_eq!(b.encoder[[row, 9]], start + 94.5);
        assert_eq!(b.targets[[row, 0]], start + 104.5);
    }
    // From cycle 40 of 150: cycles 140–149 give one forecast step.
    assert_eq!(b.mask.row(2).sum(), 1.0);
    assert_eq!(b.mask.row(4).sum(), 1.0);
    // Every 1 cycle and the first window alone agree on row 0.
    let first = SequenceBatch::new(&series, W).unwrap();
    assert_eq!(b.encoder.row(0), first.encoder.row(0));
    assert!(SequenceBatch::sliding(&series, W, 0).is_err());
}

#[test]
fn per_layer_cka_separates_layers_and_freezing_stops_updates() {
    use voltai_neural::transfer::{
        LAYERS, Similarity, freeze_candidates, freeze_layers, layer_cka,
    };
    let _serial = serial();
    let series = synthetic(6, 400);
    let batch = SequenceBatch::new(&series, W).unwrap();
    let (trained, dev) = fit(&series, 0.0, 30, 5);
    let act = trained.activations(&batch, &dev).unwrap();
    // One row per (cell, step): 10 encoder steps, 30 decoder steps.
    assert_eq!(act.encoder.dim(), (60, 12));
    assert_eq!(act.decoder.dim(), (180, 12));
    assert_eq!(act.head.dim(), (180, 1));
    for similarity in [
        Similarity::Linear,
        Similarity::Rbf {
            sigma_fraction: 0.5,
        },
    ] {
        // A model is its own perfect match.
        for s in layer_cka(&trained, &trained, &batch, &dev, similarity).unwrap() {
            assert!((s.cka - 1.0).abs() < 1e-9, "{similarity:?} {s:?}");
        }
    }
    let config = ForecasterConfig {
        hidden: 12,
        ..Default::default()
    };
    let untrained = device::seeded(&dev, 77, |d| config.init(d));
    let sims = layer_cka(
        &trained,
        &untrained,
        &batch,
        &dev,
        Similarity::Rbf {
            sigma_fraction: 0.5,
        },
    )
    .unwrap();
    assert_eq!(sims.iter().map(|s| s.layer).collect::<Vec<_>>(), LAYERS);
    assert!(sims.iter().all(|s| s.cka < 1.0 - 1e-3), "{sims:?}");
    let candidates = freeze_candidates(&sims);
    assert_eq!(candidates.len(), 3);
    assert!(candidates[0].is_empty());
    let least = sims
        .iter()
        .min_by(|a, b| a.cka.total_cmp(&b.cka))
        .unwrap()
        .layer;
    assert!(candidates.iter().all(|c| !c.contains(&least)));

    // Training with the encoder and decoder frozen moves only the head.
    let frozen = freeze_layers(trained.clone(), &["encoder", "decoder"]).unwrap();
    let tuned = retrain(frozen, &batch, &dev, 5).unwrap().model;
    let (before, after) = (
        trained.activations(&batch, &dev).unwrap(),
        tuned.activations(&batch, &dev).unwrap(),
    );
    assert_eq!(before.encoder, after.encoder);
    assert_ne!(before.head, after.head);
    assert!(freeze_layers(trained, &["attention"]).is_err());
}

/// A linear model trained on the full batch and on weighted parts of it
/// (each part on its own thread) ends at the same weights: the parts' weighted
/// gradients sum to the full batch's. The parted run repeats bit for bit.
#[test]
fn sharded_steps_match_full_batch_steps() {
    use burn::nn::{Linear, LinearConfig};
    use burn::tensor::{Tensor, TensorData};
    use voltai_neural::train::{train_minibatch, train_minibatch_sharded};
    let _serial = serial();
    let dev = device::cpu(3);
    let n = 12;
    let x: Vec<f32> = (0..n * 3)
        .map(|k| ((k * 7 % 11) as f32 - 5.0) / 5.0)
        .collect();
    let y: Vec<f32> = (0..n)
        .map(|i| 0.5 * x[3 * i] - 1.5 * x[3 * i + 1] + 0.25 * x[3 * i + 2] + 0.1)
        .collect();
    let rows = |ids: &[usize]| {
        let xs: Vec<f32> = ids
            .iter()
            .flat_map(|&i| x[3 * i..3 * i + 3].to_vec())
            .collect();
        let ys: Vec<f32> = ids.iter().map(|&i| y[i]).collect();
        (
            Tensor::<2>::from_data(TensorData::new(xs, [ids.len(), 3]), &dev),
            Tensor::<2>::from_data(TensorData::new(ys, [ids.len(), 1]), &dev),
        )
    };
    let mse = |m: &Linear, ids: &[usize]| {
        let (xs, ys) = rows(ids);
        (m.forward(xs) - ys).powi_scalar(2).mean()
    };
    let init = || device::seeded(&dev, 5, |d| LinearConfig::new(3, 1).init(d));
    let cfg = TrainConfig {
        epochs: 6,
        learning_rate: 5e-2,
        patience: 6,
        ..Default::default()
    };
    let all: Vec<usize> = (0..n).collect();
    let weights =
        |m: &Linear| -> Vec<f32> { m.weight.val().into_data().try_to_vec::<f32>().unwrap() };
    let full = train_minibatch(
        init(),
        &cfg,
        1,
        |m, _, _| Ok(mse(m, &all)),
        |_| Ok(0.0),
        &mut |_| {},
    )
    .unwrap();
    let sharded = |parts: Vec<Vec<usize>>| {
        train_minibatch_sharded(
            init(),
            &cfg,
            1,
            |_, _| {
                Ok(parts
                    .iter()
                    .map(|p| (p.clone(), p.len() as f64 / n as f64))
                    .collect())
            },
            |m: &Linear, ids: Vec<usize>| Ok(mse(m, &ids)),
            |_| Ok(0.0),
            &mut |_| {},
        )
        .unwrap()
    };
    let three = vec![(0..5).collect(), (5..9).collect(), (9..n).collect()];
    let a = sharded(three.clone());
    let b = sharded(three);
    let one = sharded(vec![all.clone()]);
    assert_eq!(weights(&a.model), weights(&b.model));
    for (p, q) in weights(&full.model).iter().zip(weights(&a.model)) {
        assert!((p - q).abs() < 1e-5, "{p} vs {q}");
    }
    assert_eq!(weights(&full.model), weights(&one.model));
    // The weights moved: the comparison is not between two untouched inits.
    assert_ne!(weights(&full.model), weights(&init()));
    // A part with no weight, or a step with no part, is an error.
    for parts in [vec![], vec![(all.clone(), 0.0)]] {
        let r = train_minibatch_sharded(
            init(),
            &cfg,
            1,
            |_, _| Ok(parts.clone()),
            |m: &Linear, ids: Vec<usize>| Ok(mse(m, &ids)),
            |_| Ok(0.0),
            &mut |_| {},
        );
        assert!(r.is_err());
    }
}
