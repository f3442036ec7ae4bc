//! Forecasting the rest of each held-out cell's capacity trajectory from its
//! first 100 cycles with a GRU encoder–decoder (burn, CPU backend), with and
//! without the monotonicity penalty, beside persistence and linear
//! extrapolation.
//!
//! Data: `attia2020_closed_loop_fastcharge/validation_capacity_trajectories.csv`
//! (45 LFP cells, 450–1200 cycles; discharge capacity per cycle, scaled by
//! the nominal 1.1 Ah). Cells are split by cell (core's group split): 9
//! test cells never seen in training, 7 validation cells for early stopping,
//! 29 training cells. Steps are 10-cycle means; the decoder runs up to 1100
//! cycles past the window and masks what a cell does not have.
//! Writes `reports/capacity_trajectory_forecast/forecasts.svg`. Takes about
//! a minute in release (`VOLTAI_QUICK=1`: 5 epochs, seconds).
//!
//! ```text
//! cargo run --release --features neural --example capacity_trajectory_forecast
//! ```

#[path = "support/mod.rs"]
mod support;

use ndarray::Array2;
use voltai::battery_data::data_dir::dataset_dir;
use voltai::battery_data::readers::AttiaData;
use voltai::core::split::group_train_test_split;
use voltai::neural::ForecasterParams;
use voltai::neural::trajectories::{
    CellSeries, SequenceBatch, Windowing, fraction_increasing, linear_forecast, masked_rmse,
    persistence_forecast,
};

const NOMINAL_AH: f64 = 1.1;
const SEED: u64 = 7;

fn main() -> Result<(), voltai::core::Error> {
    // One history per cell; cycle numbers survive any missing capacity.
    let series: Vec<CellSeries> =
        AttiaData::load(dataset_dir("attia2020_closed_loop_fastcharge")?)?
            .histories()?
            .iter()
            .map(|h| Ok(CellSeries::from_history(h)?.0))
            .collect::<Result<_, voltai::core::Error>>()?;
    let w = Windowing {
        window: 100,
        stride: 10,
        horizon: 1100,
        scale: NOMINAL_AH,
    };
    let ids: Vec<String> = series.iter().map(|s| s.cell_id.clone()).collect();
    let outer = group_train_test_split(&ids, 0.2, SEED)?;
    let fit_ids: Vec<String> = outer.train.iter().map(|&i| ids[i].clone()).collect();
    let inner = group_train_test_split(&fit_ids, 0.2, SEED + 1)?;
    let pick = |rows: Vec<usize>| rows.iter().map(|&i| series[i].clone()).collect::<Vec<_>>();
    let train_cells = pick(inner.train.iter().map(|&i| outer.train[i]).collect());
    let val_cells = pick(inner.test.iter().map(|&i| outer.train[i]).collect());
    let test_b = SequenceBatch::new(&pick(outer.test.clone()), w)?;

    // VOLTAI_QUICK=1 (CI): a few epochs, only to show the pipeline runs.
    let quick = std::env::var_os("VOLTAI_QUICK").is_some();
    let epochs = if quick { 5 } else { 300 };
    let bar = support::progress(2 * epochs as u64);
    let mut results = Vec::new();
    for (name, lambda) in [
        ("GRU seq2seq", 0.0f32),
        ("GRU seq2seq + monotonicity", 100.0),
    ] {
        bar.set_message(name);
        let params = ForecasterParams::new(w)?
            .training(epochs, 3e-3, 80)?
            .monotonicity(lambda, 0.0)?
            .seed(SEED);
        let start = std::time::Instant::now();
        // Early stopping on the validation cells chosen above (by cell).
        let fitted = params.fit_validated(&train_cells, &val_cells, &mut |_| bar.inc(1))?;
        let seconds = start.elapsed().as_secs_f64();
        bar.inc((epochs - fitted.history.len()) as u64);
        let pred = fitted.predict_batch(&test_b)?;
        let throughput = (fitted.history.len() * train_cells.len()) as f64 / seconds;
        results.push((name, pred, fitted.best_epoch, throughput));
    }
    bar.finish_and_clear();

    println!(
        "Capacity forecast from the first 100 cycles, {} test cells (never trained on), {} train, {} validation",
        test_b.len(),
        train_cells.len(),
        val_cells.len()
    );
    println!(
        "{:<30} {:>12} {:>22}",
        "method", "RMSE (mAh)", "predicted increases"
    );
    let show = |name: &str, p: &Array2<f32>| {
        println!(
            "{name:<30} {:>12.1} {:>21.1} %",
            1000.0 * masked_rmse(p, &test_b, NOMINAL_AH),
            100.0 * fraction_increasing(p, &test_b, 0.0)
        );
    };
    show("persistence", &persistence_forecast(&test_b));
    show("linear extrapolation", &linear_forecast(&test_b));
    for (name, pred, best, tput) in &results {
        show(name, pred);
        println!(
            "{:<30} best epoch {best}, {tput:.0} sequences/s (CPU, flex)",
            ""
        );
    }

    let dir = support::output_dir("capacity_trajectory_forecast")?;
    let path = dir.join("forecasts.svg");
    let mut curves: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for i in 0..test_b.len().min(3) {
        let cycles = |k: usize| (100 + 10 * k + 5) as f64;
        let n = test_b.mask.row(i).iter().filter(|&&m| m > 0.0).count();
        curves.push((
            format!("{} true", test_b.cell_ids[i]),
            (0..n)
                .map(|k| (cycles(k), NOMINAL_AH * test_b.targets[[i, k]] as f64))
                .collect(),
        ));
        for (name, pred, _, _) in &results {
            let short = if name.contains("mono") {
                "penalised"
            } else {
                "plain"
            };
            curves.push((
                format!("{} {short}", test_b.cell_ids[i]),
                (0..n)
                    .map(|k| (cycles(k), NOMINAL_AH * pred[[i, k]] as f64))
                    .collect(),
            ));
        }
    }
    let refs: Vec<(&str, Vec<(f64, f64)>)> = curves
        .iter()
        .map(|(n, c)| (n.as_str(), c.clone()))
        .collect();
    support::line_plot(
        &path,
        "Held-out cells: true vs forecast capacity",
        ("cycle", "discharge capacity (Ah)"),
        ((100.0, 1200.0), (0.75, 1.1)),
        &refs,
    )?;
    println!("\nplot: {}", path.display());
    Ok(())
}
