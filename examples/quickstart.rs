//! Quickstart: the Severson et al. 2019 early-life study, end to end.
//!
//! Reads `../shared/data/severson2019_lfp_fastcharge` (124 LFP cells), validates the
//! per-cycle capacities (reporting the four ≈31 Ah glitches), extracts the ΔQ(V)
//! and fade features, prints a dataset summary, and reproduces the paper's
//! "variance" model beside its Table 1. Takes about a second in release:
//!
//! ```text
//! cargo run --release --example quickstart
//! ```

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use ndarray::Array1;
use voltai::battery_data::data_dir::dataset_dir;
use voltai::battery_data::features::{SeversonFeatures, severson_dataset, severson_features};
use voltai::battery_data::readers::{SEVERSON_NOMINAL_AH, SeversonData, SeversonSplit};
use voltai::battery_data::validate::{Rules, validate_cycles};
use voltai::core::metrics::{mape, rmse};
use voltai::core::stats::Line;

fn main() -> Result<(), voltai::core::Error> {
    let start = Instant::now();
    let bar = ProgressBar::new(4).with_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );

    bar.set_message("loading Severson 2019");
    let dir = dataset_dir("severson2019_lfp_fastcharge")?;
    let data = SeversonData::load(&dir)?;
    bar.inc(1);

    bar.set_message("validating capacities");
    let report = validate_cycles(
        &data.cycle_summaries(),
        &|_| Some(SEVERSON_NOMINAL_AH),
        &Rules::default(),
    )?;
    bar.inc(1);

    bar.set_message("extracting features");
    let as_stored = severson_features(&data, &Default::default())?;
    let masked = severson_features(&data, &report.mask())?;
    bar.inc(1);

    bar.set_message("fitting the variance model");
    let ds = severson_dataset(&data, &as_stored, &SeversonFeatures::VARIANCE_MODEL)?;
    let x = ds.features().column(0).to_vec();
    let y = ds.targets()?.to_vec();
    let rows = |split: SeversonSplit| -> Vec<usize> {
        (0..data.cells.len())
            .filter(|&i| data.cells[i].split == split)
            .collect()
    };
    let train = rows(SeversonSplit::Train);
    let line = Line::fit(
        &train.iter().map(|&i| x[i]).collect::<Vec<_>>(),
        &train.iter().map(|&i| y[i]).collect::<Vec<_>>(),
    )?;
    bar.inc(1);
    bar.finish_and_clear();

    println!(
        "Severson et al. 2019 — {} cells from {}",
        data.cells.len(),
        dir.display()
    );
    let lives: Vec<u32> = data.cells.iter().map(|c| c.cycle_life).collect();
    println!(
        "cycle life: {} – {} cycles (median {})",
        lives.iter().min().unwrap_or(&0),
        lives.iter().max().unwrap_or(&0),
        {
            let mut l = lives.clone();
            l.sort_unstable();
            l[l.len() / 2]
        }
    );
    for s in SeversonSplit::ALL {
        println!("  {:<15} {:>3} cells", format!("{s:?}"), rows(s).len());
    }

    println!("\nvalidation: {} implausible values", report.issues.len());
    for i in &report.issues {
        println!(
            "  {:<13} cycle {:>3}  {} = {:.2} Ah  ({})",
            i.cell_id,
            i.cycle.unwrap_or(0),
            i.field,
            i.value,
            i.reason
        );
    }
    let inflated = as_stored
        .iter()
        .zip(&masked)
        .filter(|(a, b)| a.q_max_minus_q2_ah != b.q_max_minus_q2_ah);
    for (a, b) in inflated {
        println!(
            "  masked → {}: max Q − Q₂ {:.4} → {:.4} Ah",
            a.cell_id, a.q_max_minus_q2_ah, b.q_max_minus_q2_ah
        );
    }

    println!(
        "\n\"variance\" model: log10(life) = {:.3} {:+.3}·log10|var ΔQ₁₀₀₋₁₀|, fitted on train",
        line.intercept, line.slope
    );
    println!(
        "{:<16} {:>12} {:>10} {:>22}",
        "split", "RMSE (cyc)", "MAPE %", "Severson Table 1"
    );
    let paper = ["103 / 14.1 %", "138 / 14.7 %", "196 / 11.4 %"];
    for (s, p) in SeversonSplit::ALL.into_iter().zip(paper) {
        let idx = rows(s);
        let life: Array1<f64> = idx
            .iter()
            .map(|&i| data.cells[i].cycle_life as f64)
            .collect();
        let pred: Array1<f64> = idx.iter().map(|&i| 10f64.powf(line.eval(x[i]))).collect();
        println!(
            "{:<16} {:>12.0} {:>10.1} {:>22}",
            format!("{s:?}"),
            rmse(life.view(), pred.view())?,
            mape(life.view(), pred.view())?,
            p
        );
    }
    println!("\ndone in {:.2} s", start.elapsed().as_secs_f64());
    Ok(())
}
