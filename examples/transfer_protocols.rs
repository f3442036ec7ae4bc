//! Transfer learning from LFP cells (Attia 2020) to NMC pouch cells (Chen):
//! a capacity forecaster pretrained on the source is compared with one
//! trained on a few target cells alone, as the target share grows (5 %,
//! 10 %, 25 %, 50 % of the 44 cells, 5 seeded draws each). Per-layer CKA
//! between the pretrained and the from-scratch model, with an untrained
//! model as the floor, ranks the layers; the freeze set is chosen on a
//! validation cell. Every method is also set against the mean-fade
//! baseline (a cell's last observed step plus the training cells' mean
//! drop), which a network must beat to have learnt anything about a cell's
//! own future. The protocol is `voltai::studies::transfer`.
//!
//! Writes `reports/transfer_protocols/learning_curve.svg`. About 3 minutes
//! in release (`VOLTAI_QUICK=1`: 10 % only, one draw, 10 epochs, seconds).
//!
//! ```text
//! cargo run --release --features neural --example transfer_protocols
//! ```

#[path = "support/mod.rs"]
mod support;

use voltai::studies::transfer::{METHODS, TransferSettings, mean_sd, transfer_study};

fn main() -> Result<(), voltai::core::Error> {
    let quick = std::env::var_os("VOLTAI_QUICK").is_some();
    let settings = if quick {
        TransferSettings::quick()
    } else {
        TransferSettings::full()
    };
    let bar = support::progress(0);
    bar.set_message("pretraining on LFP, then fitting target draws");
    let report = transfer_study(&settings, &mut |p| {
        bar.set_length(p.total.unwrap_or(0) as u64);
        bar.set_position(p.step as u64);
    })?;
    bar.finish_and_clear();

    println!(
        "Source: {} LFP cells, {} pretraining windows (every 100 cycles, read at 1×, 2×, 3× speed). Target: {} NMC cells.",
        report.source_cells, report.source_windows, report.target_cells
    );
    let first = &report.draws[0];
    println!(
        "\nPer-layer CKA (debiased RBF, σ = ½ median distance, over every cell-step), draw 1 at {:.0} %:",
        100.0 * first.fraction
    );
    println!("  layer    pretrained vs from-scratch   pretrained vs untrained (floor)");
    for (s, f) in first.cka.iter().zip(&first.cka_floor) {
        println!("  {:<8} {:>12.3} {:>30.3}", s.layer, s.cka, f.cka);
    }

    println!(
        "\nTest RMSE, % of initial capacity, mean ± sd over draws (test = the cells outside the fraction):"
    );
    print!("  {:<34}", "target cells for training");
    for d in report.draws.iter().filter(|d| d.draw == 0) {
        print!(
            " {:>14}",
            format!("{:.0} % ({})", 100.0 * d.fraction, d.train_cells)
        );
    }
    println!();
    for (k, name) in METHODS.iter().enumerate() {
        print!("  {name:<34}");
        for &f in &settings.fractions {
            let (m, sd) = mean_sd(&report.rmse(f, k));
            print!(" {:>14}", format!("{m:.2} ± {sd:.2}"));
        }
        println!();
    }
    print!("  {:<34}", "scratch − fine-tuned (paired)");
    for &f in &settings.fractions {
        let diff: Vec<f64> = report
            .rmse(f, 0)
            .iter()
            .zip(report.rmse(f, 2))
            .map(|(a, b)| a - b)
            .collect();
        let (m, sd) = mean_sd(&diff);
        print!(" {:>14}", format!("{m:+.2} ± {sd:.2}"));
    }
    println!();
    println!(
        "\nPer draw: test RMSE % (scratch / pretrained / fine-tuned / CKA-guided / mean fade), the layers \
         the rule froze and the learning rates the validation cell chose (scratch / fine-tuning):"
    );
    for d in &report.draws {
        let r = d.test_rmse;
        println!(
            "  {:>4.0} % draw {}: {:.2} / {:.2} / {:.2} / {:.2} / {:.2}   frozen {:?}   rates {:.0e} / {:.0e}",
            100.0 * d.fraction,
            d.draw + 1,
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            d.frozen,
            d.learning_rates[0],
            d.learning_rates[1]
        );
    }

    let dir = support::output_dir("transfer_protocols")?;
    let curves: Vec<(&str, Vec<(f64, f64)>)> = METHODS
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let pts = settings
                .fractions
                .iter()
                .map(|&f| (100.0 * f, mean_sd(&report.rmse(f, k)).0))
                .collect();
            (*name, pts)
        })
        .collect();
    let top = curves
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q.1))
        .fold(0.0, f64::max);
    support::line_plot(
        &dir.join("learning_curve.svg"),
        "LFP → NMC transfer: test RMSE vs target cells",
        (
            "target cells for training (%)",
            "test RMSE (% of initial capacity)",
        ),
        ((0.0, 55.0), (0.0, 1.15 * top)),
        &curves,
    )?;
    println!("\nwrote {}", dir.join("learning_curve.svg").display());
    Ok(())
}
