//! BatteryML's cycle-life benchmark on the Severson cells, with our models:
//! RMSE (cycles) on MATR1 (primary test cells without the shortest-lived
//! one) and MATR2 (secondary test cells) beside BatteryML's published
//! figures, 90 % interval coverage, and each procedure's outer-CV error on
//! the 41 training cells, which alone picks our model. Hyperparameters come
//! from inner cross-validation; seed-dependent models run ten seeds.
//!
//! ```text
//! cargo run --release --example life_benchmark                     # classical rows, 5 s
//! cargo run --release --features neural --example life_benchmark    # + MLP, CNN, LSTM, Transformer, 18 s
//! VOLTAI_QUICK=1 cargo run --release --example life_benchmark       # trimmed grids, two seeds
//! ```
//! Writes `reports/life_benchmark/benchmark.json` and `rmse.svg`.

#[path = "support/mod.rs"]
mod support;

use voltai::battery_data::data_dir::dataset_dir;
use voltai::battery_data::readers::SeversonData;
use voltai::core::Error;
use voltai::life::benchmark::{BenchmarkOptions, run_benchmark};

fn main() -> Result<(), Error> {
    let quick = std::env::var_os("VOLTAI_QUICK").is_some();
    let options = if quick {
        BenchmarkOptions::quick()
    } else {
        BenchmarkOptions::full()
    };
    let data = SeversonData::load(dataset_dir("severson2019_lfp_fastcharge")?)?;
    let bar = support::progress(1);
    let started = std::time::Instant::now();
    let report = run_benchmark(&data, &options, &mut |p| {
        if let Some(total) = p.total {
            bar.set_length(total as u64);
        }
        bar.set_position(p.step as u64);
        if let Some(label) = p.label {
            bar.set_message(label.to_string());
        }
    })?;
    bar.finish_and_clear();
    println!("{report}");
    println!(
        "{} mode, {:.1} s",
        if quick { "quick" } else { "full" },
        started.elapsed().as_secs_f64()
    );
    let chosen = &report.rows[report.selected];
    println!(
        "our model (lowest outer-CV RMSE, {:.0} cycles): {} — MATR1 {} vs BatteryML's best 90, \
         MATR2 {} vs 149",
        chosen.outer_cv_rmse, chosen.model, chosen.matr1, chosen.matr2
    );

    let dir = support::output_dir("life_benchmark")?;
    let json = serde_json::to_string_pretty(&report).map_err(|e| Error::internal(e.to_string()))?;
    let path = dir.join("benchmark.json");
    std::fs::write(&path, json).map_err(|e| Error::io(&path, e))?;
    let ours: Vec<(f64, f64)> = report
        .rows
        .iter()
        .map(|r| (r.matr1.mean, r.matr2.mean))
        .collect();
    let theirs: Vec<(f64, f64)> = report
        .rows
        .iter()
        .filter_map(|r| Some((r.batteryml.0?, r.batteryml.1?.min(1000.0))))
        .collect();
    let top = ours
        .iter()
        .chain(&theirs)
        .flat_map(|&(a, b)| [a, b])
        .fold(0.0, f64::max);
    support::scatter_plot(
        &dir.join("rmse.svg"),
        "Cycle-life RMSE per model: ours and BatteryML's",
        ("MATR1 RMSE (cycles)", "MATR2 RMSE (cycles)"),
        ((0.0, top * 1.05), (0.0, top * 1.05)),
        &[("voltai", ours), ("BatteryML (capped at 1000)", theirs)],
    )?;
    println!("wrote {}", dir.display());
    Ok(())
}
