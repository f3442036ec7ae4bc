//! Transfer learning from LFP cells (Attia 2020) to NMC pouch cells (Chen):
//! a capacity forecaster pretrained on the data-rich source is fine-tuned on
//! 10 % of the target cells; per-layer CKA between the source-trained and a
//! target-trained model decides which layers to freeze.
//!
//! Data: `attia2020_closed_loop_fastcharge` (45 LFP cells,
//! source) and `chen_nmc_pouch_aging_modes` (44 NMC cells,
//! target). Capacities are divided by each cell's initial capacity (mean of
//! cycles 2–6); first 100 cycles observed, the next 320 forecast in 10-cycle
//! steps. Target: 5 cells (≈ 10 %) for training — 4 to fit, 1 to stop early —
//! and the other 39 for testing — drawn five times. Compared: training from
//! scratch on the 5 cells, the pretrained model as is, full fine-tuning, and
//! fine-tuning with the layers frozen whose CKA between the LFP-pretrained
//! and the NMC-from-scratch model is ≥ 0.9. Takes about 4 minutes in
//! release (`VOLTAI_QUICK=1`: one draw, 10 epochs, seconds).
//!
//! ```text
//! cargo run --release --features neural --example transfer_protocols
//! ```

#[path = "support/mod.rs"]
mod support;

use voltai::battery_data::data_dir::dataset_dir;
use voltai::battery_data::readers::{AttiaData, ChenData};
use voltai::core::split::group_train_test_split;
use voltai::neural::train::{TrainConfig, train};
use voltai::neural::trajectories::{CellSeries, SequenceBatch, Windowing, masked_rmse};
use voltai::neural::transfer::{freeze_similar, layer_cka};
use voltai::neural::{ForecastLoss, Forecaster, ForecasterConfig, device};

const SEED: u64 = 3;

fn fit(
    model: Forecaster,
    train_b: &SequenceBatch,
    val_b: &SequenceBatch,
    cfg: &TrainConfig,
    dev: &voltai::neural::Device,
    bar: &indicatif::ProgressBar,
) -> Result<Forecaster, voltai::core::Error> {
    let epochs = cfg.epochs as f64;
    let trained = train(
        model,
        cfg,
        |m, e| {
            Ok(m.loss(
                train_b,
                dev,
                &ForecastLoss {
                    teacher_ratio: 0.5 * (1.0 - (e as f64 / (0.3 * epochs)).min(1.0)),
                    monotonicity_weight: 100.0,
                    tolerance: 0.0,
                    seed: SEED + e as u64,
                },
            ))
        },
        |m| Ok(masked_rmse(&m.predict(val_b, dev)?, val_b, 1.0)),
        &mut |_| bar.inc(1),
    )?;
    Ok(trained.model)
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let m = v.iter().sum::<f64>() / v.len() as f64;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len().max(2) - 1) as f64;
    (m, var.sqrt())
}

fn main() -> Result<(), voltai::core::Error> {
    let quick = std::env::var_os("VOLTAI_QUICK").is_some();
    // Capacities relative to the mean of cycles 2–6, by true cycle number.
    let series = |histories: Vec<voltai::battery_data::CellHistory>| {
        histories
            .iter()
            .map(|h| CellSeries::from_history(h)?.0.relative_to(2..=6))
            .collect::<Result<Vec<CellSeries>, voltai::core::Error>>()
    };
    let source =
        series(AttiaData::load(dataset_dir("attia2020_closed_loop_fastcharge")?)?.histories()?)?;
    let target = series(ChenData::load(dataset_dir("chen_nmc_pouch_aging_modes")?)?.histories()?)?;
    let w = Windowing {
        window: 100,
        stride: 10,
        horizon: 320,
        scale: 1.0,
    };
    let src = SequenceBatch::new(&source, w)?;
    let tgt = SequenceBatch::new(&target, w)?;
    let src_split = group_train_test_split(&src.cell_ids, 0.2, SEED)?;
    let (src_train, src_val) = (src.select(&src_split.train), src.select(&src_split.test));

    let cfg = TrainConfig {
        epochs: if quick { 10 } else { 200 },
        learning_rate: 3e-3,
        patience: 50,
        ..Default::default()
    };
    let repeats: u64 = if quick { 1 } else { 5 };
    let bar = support::progress((1 + 3 * repeats) * cfg.epochs as u64);
    let dev = device::cpu(SEED);
    let config = ForecasterConfig {
        hidden: 32,
        center: 0.95,
        spread: 0.05,
    };
    bar.set_message("pretraining on LFP");
    let pretrained = fit(config.init(&dev), &src_train, &src_val, &cfg, &dev, &bar)?;

    // Each repeat draws a different 10 % of the target cells (4 to fit, 1
    // to stop early); the other cells are the test set.
    let mut rmse: [Vec<f64>; 4] = Default::default();
    let mut first_sims = Vec::new();
    let mut first_frozen = Vec::new();
    let mut n_test = 0;
    let mut probe_len = 0;
    for r in 0..repeats {
        let tgt_split = group_train_test_split(&tgt.cell_ids, 0.885, SEED + 100 * r)?;
        let few = tgt_split.train.clone();
        let (tgt_fit, tgt_val) = (
            tgt.select(&few[..few.len() - 1]),
            tgt.select(&few[few.len() - 1..]),
        );
        let tgt_test = tgt.select(&tgt_split.test);
        n_test = tgt_test.len();
        bar.set_message(format!("repeat {}: from scratch on 5 NMC cells", r + 1));
        let scratch = fit(
            device::seeded(&dev, SEED + 1 + r, |d| config.init(d)),
            &tgt_fit,
            &tgt_val,
            &cfg,
            &dev,
            &bar,
        )?;
        bar.set_message(format!("repeat {}: full fine-tuning", r + 1));
        let full = fit(pretrained.clone(), &tgt_fit, &tgt_val, &cfg, &dev, &bar)?;
        // Layer by layer, does the source-trained model represent the
        // target windows the way a target-trained model does? Similar
        // layers transfer as they are (frozen); the rest are fine-tuned.
        // Probed on every observed (encoder) window available for training:
        // the source cells and the 4 target cells.
        let probe = SequenceBatch {
            cell_ids: [src.cell_ids.clone(), tgt_fit.cell_ids.clone()].concat(),
            encoder: ndarray::concatenate(
                ndarray::Axis(0),
                &[src.encoder.view(), tgt_fit.encoder.view()],
            )
            .expect("same width"),
            targets: ndarray::concatenate(
                ndarray::Axis(0),
                &[src.targets.view(), tgt_fit.targets.view()],
            )
            .expect("same width"),
            mask: ndarray::concatenate(ndarray::Axis(0), &[src.mask.view(), tgt_fit.mask.view()])
                .expect("same width"),
        };
        let sims = layer_cka(&pretrained, &scratch, &probe, &dev)?;
        let (partial, frozen) = freeze_similar(pretrained.clone(), &sims, 0.9);
        bar.set_message(format!("repeat {}: selective fine-tuning", r + 1));
        let selective = fit(partial, &tgt_fit, &tgt_val, &cfg, &dev, &bar)?;
        if r == 0 {
            probe_len = probe.len();
            first_sims = sims;
            first_frozen = frozen;
        }
        for (k, model) in [&scratch, &pretrained, &full, &selective]
            .into_iter()
            .enumerate()
        {
            let pred = model.predict(&tgt_test, &dev)?;
            rmse[k].push(100.0 * masked_rmse(&pred, &tgt_test, 1.0));
        }
    }
    bar.finish_and_clear();

    println!(
        "Per-layer linear CKA (debiased), LFP-pretrained vs NMC-from-scratch model on the {} training windows (repeat 1):",
        probe_len
    );
    for s in &first_sims {
        println!("  {:<8} {:.3}", s.layer, s.cka);
    }
    println!("frozen for selective fine-tuning (CKA ≥ 0.9): {first_frozen:?}\n");
    println!(
        "NMC test cells: {n_test} per repeat (never trained on); capacity RMSE in % of initial capacity, mean ± sd over {repeats} draws of the 5 target cells"
    );
    let names = [
        "from scratch (5 target cells)",
        "pretrained on LFP, no tuning",
        "fine-tuned, all layers",
        "fine-tuned, similar layers frozen",
    ];
    for (name, v) in names.iter().zip(&rmse) {
        let (m, sd) = mean_sd(v);
        let each: Vec<String> = v.iter().map(|x| format!("{x:.2}")).collect();
        println!("  {name:<36} {m:>6.2} ± {sd:.2} %   ({})", each.join(", "));
    }
    Ok(())
}
