//! One network, two tasks: capacity fade and resistance growth of NMC pouch
//! cells from their first 50 cycles, against two single-task networks of the
//! same size, when only 10 cells are available for training.
//!
//! Data: `chen_nmc_pouch_aging_modes` (44 cells, 1C–9C charge).
//! Inputs (`voltai::studies::chen::chen_early_life_table`): the cell's
//! design — charge C-rate, NMC811 or NMC532, electrode loading — and what
//! its first 50 cycles show: retention at cycle 50, fade slope and mean
//! Coulombic efficiency over cycles 10–50, the end-of-charge minus
//! end-of-discharge voltage gap (a polarisation signal) at cycle 10 and its
//! slope; clipped to the training cells' range. Targets: capacity retention at cycle 400 — the life task; the
//! files' cells mostly do not reach 80 % in the test, so cycles-to-80 % would
//! be censored for most of them — and the growth of the voltage gap from
//! cycle 10 to 400 (the resistance-growth task). 20 random splits of 10
//! training / 34 test cells; networks: two ReLU layers of 16, one head per
//! task; multi-task loss weights learned by homoscedastic uncertainty
//! (Kendall et al. 2018). Baselines in the same table: the training mean
//! and ridge regression with α chosen by leave-one-out on the training cells.
//! Then a learning curve: the same comparison with 20 and 30 training cells.
//! Takes a few seconds in release (`VOLTAI_QUICK=1`: 2 splits, 10 training
//! cells, 20 epochs).
//!
//! ```text
//! cargo run --release --features neural --example multitask_life_resistance
//! ```

#[path = "support/mod.rs"]
mod support;

use ndarray::{Array2, Axis};
use voltai::core::synthetic::SplitMix64;
use voltai::core::{Dataset, Fit, Regressor};
use voltai::discovery::RidgeParams;
use voltai::neural::multitask::TaskWeighting;
use voltai::neural::train::TrainConfig;
use voltai::neural::{MultiTaskData, MultiTaskParams};
use voltai::studies::chen::chen_early_life_table;

/// Ridge regression of one target with α chosen by leave-one-out on the
/// training rows (grid 10⁻³ … 10³): the linear baseline.
fn ridge_loo(
    x: &Array2<f64>,
    y: &[f64],
    tr: &[usize],
    te: &[usize],
) -> Result<Vec<f64>, voltai::core::Error> {
    let data = |rows: &[usize]| -> Result<Dataset, voltai::core::Error> {
        Dataset::new(
            x.select(Axis(0), rows),
            rows.iter().map(|&i| y[i]).collect::<ndarray::Array1<f64>>(),
        )
    };
    let mut best = (f64::INFINITY, 1.0);
    for k in -3..=3 {
        let alpha = 10f64.powi(k);
        let mut sse = 0.0;
        for (h, &held) in tr.iter().enumerate() {
            let rest: Vec<usize> = tr
                .iter()
                .enumerate()
                .filter(|(g, _)| *g != h)
                .map(|(_, &i)| i)
                .collect();
            let m = RidgeParams::new(alpha)?.fit(&data(&rest)?)?;
            let p = m.predict(x.select(Axis(0), &[held]).view())?;
            sse += (p[0] - y[held]).powi(2);
        }
        if sse < best.0 {
            best = (sse, alpha);
        }
    }
    let m = RidgeParams::new(best.1)?.fit(&data(tr)?)?;
    Ok(m.predict(x.select(Axis(0), te).view())?.to_vec())
}

fn main() -> Result<(), voltai::core::Error> {
    let cells = voltai::studies::chen::chen_cells()?;
    let (x, y) = chen_early_life_table(&cells)?;
    let n = x.nrows();
    let standardize = |a: &Array2<f64>, idx: &[usize]| {
        let sub = a.select(Axis(0), idx);
        let mean = sub.mean_axis(Axis(0)).expect("rows");
        let sd = sub
            .std_axis(Axis(0), 0.0)
            .mapv(|v| if v > 0.0 { v } else { 1.0 });
        (mean, sd)
    };
    // VOLTAI_QUICK=1 (CI): few epochs and splits, only to show the pipeline runs.
    let quick = std::env::var_os("VOLTAI_QUICK").is_some();
    let cfg = TrainConfig {
        epochs: if quick { 20 } else { 400 },
        learning_rate: 3e-3,
        weight_decay: 1e-2,
        patience: 40,
        ..Default::default()
    };
    let splits = if quick { 2 } else { 20 };
    // The learning curve (full mode) repeats the comparison with more
    // training cells: does a network catch up with ridge given more cells?
    let sizes: &[usize] = if quick { &[10] } else { &[10, 20, 30] };
    let bar = support::progress(3 * (splits * sizes.len()) as u64);
    // Per training-set size: multi-task, single (life), single (gap),
    // training mean, ridge; and the multi-task wins.
    let mut curve = Vec::new();
    for &n_train in sizes {
        let mut rmse = [[0.0f64; 2]; 5];
        let mut wins = [0usize; 2];
        for split in 0..splits {
            let mut rng = SplitMix64::new(100 + split as u64);
            let mut order: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                order.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
            }
            let (tr, te) = (order[..n_train].to_vec(), order[n_train..].to_vec());
            // Inputs outside the training cells' range are clipped to it: a few
            // cells have extreme early values, and a fit on 10 cells
            // extrapolates wildly to them.
            let train_x = x.select(Axis(0), &tr);
            let lo = train_x.fold_axis(Axis(0), f64::INFINITY, |a, &b| a.min(b));
            let hi = train_x.fold_axis(Axis(0), f64::NEG_INFINITY, |a, &b| a.max(b));
            let mut clipped = x.clone();
            for mut row in clipped.rows_mut() {
                for (j, v) in row.iter_mut().enumerate() {
                    *v = v.clamp(lo[j], hi[j]);
                }
            }
            let (xm, xs) = standardize(&clipped, &tr);
            let (ym, ys) = standardize(&y, &tr);
            let zx = (&clipped - &xm) / &xs;
            let zy = (&y - &ym) / &ys;
            let test_rmse = |tasks: &[usize],
                             weighting: TaskWeighting,
                             seed: u64|
             -> Result<Vec<f64>, voltai::core::Error> {
                // A fifth of the training cells (2 of 10) decide when to stop.
                let (fit, val) = tr.split_at(tr.len() - tr.len() / 5);
                let (xf, yf) = (
                    zx.select(Axis(0), fit),
                    zy.select(Axis(0), fit).select(Axis(1), tasks),
                );
                let (xv, yv) = (
                    zx.select(Axis(0), val),
                    zy.select(Axis(0), val).select(Axis(1), tasks),
                );
                let fitted = MultiTaskParams::new(weighting)
                    .hidden(16)?
                    .train_config(cfg)?
                    .seed(seed)
                    .fit_validated(
                        &MultiTaskData::new(xf.view(), yf.view())?,
                        &MultiTaskData::new(xv.view(), yv.view())?,
                        &mut |_| {},
                    )?;
                let pred = fitted.predict(zx.select(Axis(0), &te).view())?;
                bar.inc(1);
                Ok(tasks
                    .iter()
                    .enumerate()
                    .map(|(k, &t)| {
                        let err: f64 = te
                            .iter()
                            .enumerate()
                            .map(|(r, &i)| (pred[[r, k]] * ys[t] + ym[t] - y[[i, t]]).powi(2))
                            .sum::<f64>();
                        (err / te.len() as f64).sqrt()
                    })
                    .collect())
            };
            let multi = test_rmse(&[0, 1], TaskWeighting::Uncertainty, split as u64)?;
            let life = test_rmse(&[0], TaskWeighting::Fixed(vec![1.0]), split as u64)?;
            let gap = test_rmse(&[1], TaskWeighting::Fixed(vec![1.0]), split as u64)?;
            for t in 0..2 {
                rmse[0][t] += multi[t] / splits as f64;
            }
            rmse[1][0] += life[0] / splits as f64;
            rmse[2][1] += gap[0] / splits as f64;
            for t in 0..2 {
                let mean = tr.iter().map(|&i| y[[i, t]]).sum::<f64>() / tr.len() as f64;
                let mse =
                    te.iter().map(|&i| (y[[i, t]] - mean).powi(2)).sum::<f64>() / te.len() as f64;
                rmse[3][t] += mse.sqrt() / splits as f64;
                let target: Vec<f64> = y.column(t).to_vec();
                let p = ridge_loo(&zx, &target, &tr, &te)?;
                let mse = te
                    .iter()
                    .zip(&p)
                    .map(|(&i, v)| (y[[i, t]] - v).powi(2))
                    .sum::<f64>()
                    / te.len() as f64;
                rmse[4][t] += mse.sqrt() / splits as f64;
            }
            wins[0] += usize::from(multi[0] < life[0]);
            wins[1] += usize::from(multi[1] < gap[0]);
        }
        curve.push((n_train, rmse, wins));
    }
    bar.finish_and_clear();
    let (_, rmse, wins) = curve[0];
    println!(
        "Chen NMC cells, {n} with ≥ 400 cycles; 10 training cells per split, {splits} splits; test RMSE (mean over splits)"
    );
    println!(
        "{:<34} {:>22} {:>24}",
        "model (2 × 16 ReLU backbone)", "retention @400 (%)", "gap growth (mV)"
    );
    println!(
        "{:<34} {:>22.2} {:>24.2}",
        "multi-task (uncertainty weights)",
        100.0 * rmse[0][0],
        1000.0 * rmse[0][1]
    );
    println!(
        "{:<34} {:>22.2} {:>24}",
        "single-task: retention",
        100.0 * rmse[1][0],
        "—"
    );
    println!(
        "{:<34} {:>22} {:>24.2}",
        "single-task: gap growth",
        "—",
        1000.0 * rmse[2][1]
    );
    println!(
        "{:<34} {:>22.2} {:>24.2}",
        "training-set mean",
        100.0 * rmse[3][0],
        1000.0 * rmse[3][1]
    );
    println!(
        "{:<34} {:>22.2} {:>24.2}",
        "ridge (α by leave-one-out)",
        100.0 * rmse[4][0],
        1000.0 * rmse[4][1]
    );
    println!(
        "multi-task better in {}/{splits} splits for retention, {}/{splits} for gap growth",
        wins[0], wins[1]
    );
    if curve.len() > 1 {
        println!("\nlearning curve, retention @400 test RMSE (%), mean over {splits} splits:");
        println!(
            "{:>14} {:>11} {:>12} {:>8} {:>14}",
            "training cells", "multi-task", "single-task", "ridge", "training mean"
        );
        for (n_train, r, _) in &curve {
            println!(
                "{:>14} {:>11.2} {:>12.2} {:>8.2} {:>14.2}",
                n_train,
                100.0 * r[0][0],
                100.0 * r[1][0],
                100.0 * r[4][0],
                100.0 * r[3][0]
            );
        }
    }
    Ok(())
}
