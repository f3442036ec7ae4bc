//! Transfer learning from LFP cells (Attia 2020) to NMC pouch cells (Chen):
//! a capacity forecaster pretrained on the data-rich source is fine-tuned on
//! 10 % of the target cells; per-layer CKA between the pretrained and the
//! fine-tuned model decides which layers to freeze.
//!
//! Data: `../shared/data/attia2020_closed_loop_fastcharge` (45 LFP cells,
//! source) and `../shared/data/chen_nmc_pouch_aging_modes` (44 NMC cells,
//! target). Capacities are divided by each cell's initial capacity (mean of
//! cycles 2–6); first 100 cycles observed, the next 320 forecast in 10-cycle
//! steps. Target: 5 cells (≈ 10 %) for training — 4 to fit, 1 to stop early —
//! and the other 39 for testing. Compared: training from scratch on the 5
//! cells, the pretrained model as is, full fine-tuning, and fine-tuning with
//! the layers whose CKA ≥ 0.9 frozen. Takes about a minute in release.
//!
//! ```text
//! cargo run --release --example transfer_protocols
//! ```

#[path = "support/mod.rs"]
mod support;

use voltai::core::split::group_train_test_split;
use voltai::neural::train::{TrainConfig, train};
use voltai::neural::trajectories::{CellSeries, SequenceBatch, Windowing, masked_rmse};
use voltai::neural::transfer::{freeze_similar, layer_cka};
use voltai::neural::{Forecaster, ForecasterConfig, device};

const SEED: u64 = 3;

fn relative(id: String, q: Vec<f64>) -> CellSeries {
    let q0 = q[1..6].iter().sum::<f64>() / 5.0;
    CellSeries {
        cell_id: id,
        capacity: q.iter().map(|v| v / q0).collect(),
    }
}

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
            m.loss(
                train_b,
                dev,
                0.5 * (1.0 - (e as f64 / (0.3 * epochs)).min(1.0)),
                100.0,
                0.0,
                SEED + e as u64,
            )
        },
        |m| Ok(masked_rmse(&m.predict(val_b, dev)?, val_b, 1.0)),
        &mut |_| bar.inc(1),
    )?;
    Ok(trained.model)
}

fn main() -> Result<(), voltai::core::Error> {
    let source: Vec<CellSeries> = support::attia_capacity_series()?
        .into_iter()
        .map(|(id, q)| relative(id, q))
        .collect();
    let target: Vec<CellSeries> = support::chen_cells()?
        .into_iter()
        .map(|c| relative(c.id, c.capacity))
        .collect();
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
    let tgt_split = group_train_test_split(&tgt.cell_ids, 0.885, SEED)?;
    let few = tgt_split.train.clone();
    let (tgt_fit, tgt_val) = (
        tgt.select(&few[..few.len() - 1]),
        tgt.select(&few[few.len() - 1..]),
    );
    let tgt_test = tgt.select(&tgt_split.test);

    let cfg = TrainConfig {
        epochs: 200,
        learning_rate: 3e-3,
        patience: 50,
        ..Default::default()
    };
    let bar = support::progress(4 * cfg.epochs as u64);
    let dev = device::cpu(SEED);
    let config = ForecasterConfig {
        hidden: 32,
        center: 0.95,
        spread: 0.05,
    };
    bar.set_message("pretraining on LFP");
    let pretrained = fit(config.init(&dev), &src_train, &src_val, &cfg, &dev, &bar)?;
    bar.set_message("from scratch on 5 NMC cells");
    let scratch = fit(
        config.init(&device::cpu(SEED + 1)),
        &tgt_fit,
        &tgt_val,
        &cfg,
        &dev,
        &bar,
    )?;
    bar.set_message("full fine-tuning");
    let ft_cfg = TrainConfig {
        learning_rate: 1e-3,
        ..cfg
    };
    let full = fit(pretrained.clone(), &tgt_fit, &tgt_val, &ft_cfg, &dev, &bar)?;
    // Representations compared on every observed window available for training.
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
    let sims = layer_cka(&pretrained, &full, &probe, &dev)?;
    let (partial, frozen) = freeze_similar(pretrained.clone(), &sims, 0.9);
    bar.set_message("selective fine-tuning");
    let selective = fit(partial, &tgt_fit, &tgt_val, &ft_cfg, &dev, &bar)?;
    bar.finish_and_clear();

    println!(
        "Per-layer linear CKA, pretrained vs fully fine-tuned ({} probe windows):",
        probe.len()
    );
    for s in &sims {
        println!("  {:<8} {:.3}", s.layer, s.cka);
    }
    println!("frozen for selective fine-tuning (CKA ≥ 0.9): {frozen:?}\n");
    println!(
        "NMC test cells: {} (never trained on); capacity RMSE in % of initial capacity",
        tgt_test.len()
    );
    for (name, model) in [
        ("from scratch (5 target cells)", &scratch),
        ("pretrained on LFP, no tuning", &pretrained),
        ("fine-tuned, all layers", &full),
        ("fine-tuned, similar layers frozen", &selective),
    ] {
        let pred = model.predict(&tgt_test, &dev)?;
        println!(
            "  {name:<36} {:>6.2} %",
            100.0 * masked_rmse(&pred, &tgt_test, 1.0)
        );
    }
    Ok(())
}
