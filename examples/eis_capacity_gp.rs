//! Capacity from full impedance spectra with Gaussian processes (Zhang et al.
//! 2020 LCO coin cells, state V), in two protocols
//! (`voltai::studies::eis_capacity`):
//!
//! - the paper's: train on 25C01–25C04, test on 25C05 (paper: R² 0.88);
//! - cross-temperature: train on 25C01–04, 35C01, 45C01; test on 35C02
//!   (paper: R² 0.81) and 25C05–08.
//!
//! Inputs: Re(Z) and Im(Z) at 60 frequencies, standardised on the training
//! spectra; labels: the authors' (the folder's two label sources swap
//! 25C02 and 25C03; `Zhang2020Labels` says why the authors' pairing is
//! right). GPs with a linear term plus an RBF: one length-scale, one per
//! input (ARD, the paper's kernel), or one length-scale with a cell random
//! effect. The paper's protocol is run with the paper's kernel, and again
//! with the model that leave-one-cell-out on the training cells chooses;
//! those folds also calibrate a conformal interval scale. Prints R², RMSE
//! and the 95 % coverage of the GP's own and the calibrated intervals per
//! held-out cell beside the paper's figures; writes parity plots with
//! intervals (both protocols) and the ARD relevance of every frequency to
//! `reports/eis_capacity_gp/`. About 5 minutes in release (every second
//! training spectrum is used; `VOLTAI_QUICK=1`: every eighth).
//!
//! ```text
//! cargo run --release --example eis_capacity_gp
//! ```

#[path = "support/mod.rs"]
mod support;

use voltai::core::Result;
use voltai::studies::eis_capacity::{
    EisCapacityResult, EisModel, EisProtocol, ModelChoice, eis_capacity,
};

fn print(r: &EisCapacityResult) {
    let loco: Vec<String> = r
        .loco_rmse_mah
        .iter()
        .map(|(m, e)| format!("{m:?} {e:.2} mAh"))
        .collect();
    println!(
        "{:?} protocol: {} training spectra, model {:?} (LOCO RMSE: {}); \
         interval scale q̂ = {:.2} (1.96 = the GP's own)",
        r.protocol,
        r.n_train,
        r.model,
        loco.join(", "),
        r.interval_scale
    );
    println!(
        "  {:<6} {:>5} {:>7} {:>11} {:>10} {:>14} {:>16}",
        "cell", "n", "R²", "RMSE (mAh)", "paper R²", "GP 95% cover", "calibrated 95%"
    );
    for s in &r.scores {
        let paper =
            EisProtocol::reported_r2(&s.cell).map_or("—".to_string(), |v| format!("{v:.2}"));
        println!(
            "  {:<6} {:>5} {:>7.3} {:>11.2} {:>10} {:>13.1}% {:>15.1}%",
            s.cell,
            s.n,
            s.r2,
            s.rmse_mah,
            paper,
            100.0 * s.coverage_gp,
            100.0 * s.coverage_calibrated
        );
    }
}

/// Parity plot of one protocol's test cells with the GP's own 95 % band.
fn parity(path: &std::path::Path, title: &str, r: &EisCapacityResult) -> Result<()> {
    let (lo, hi) = r.points.iter().fold((f64::MAX, f64::MIN), |(a, b), p| {
        (a.min(p.1.min(p.2)), b.max(p.1.max(p.2)))
    });
    let mut series: Vec<(&str, Vec<(f64, f64)>)> = Vec::new();
    for cell in r.protocol.test_cells() {
        let pts = r
            .points
            .iter()
            .filter(|p| p.0 == *cell)
            .map(|p| (p.1, p.2))
            .collect();
        series.push((cell, pts));
    }
    let z = 1.959_964;
    let band: Vec<(f64, f64)> = r.points.iter().map(|p| (p.1, p.2 + z * p.3)).collect();
    let band_lo: Vec<(f64, f64)> = r.points.iter().map(|p| (p.1, p.2 - z * p.3)).collect();
    series.push(("upper 95 % (GP)", band));
    series.push(("lower 95 % (GP)", band_lo));
    series.push((
        "y = x",
        (0..=50)
            .map(|k| lo + (hi - lo) * k as f64 / 50.0)
            .map(|v| (v, v))
            .collect(),
    ));
    support::scatter_plot(
        path,
        title,
        ("measured capacity (mAh)", "predicted capacity (mAh)"),
        ((lo - 1.0, hi + 1.0), (lo - 4.0, hi + 4.0)),
        &series,
    )
}

fn main() -> Result<()> {
    // VOLTAI_QUICK=1 (CI): every eighth training spectrum, to show the pipeline runs.
    let step = if std::env::var_os("VOLTAI_QUICK").is_some() {
        8
    } else {
        2
    };
    let bar = support::progress(3);
    bar.set_message("paper protocol, the paper's model (LOCO over 4 cells)");
    let paper_model = eis_capacity(
        EisProtocol::Paper,
        step,
        ModelChoice::Fixed(EisModel::SpectralArd),
    )?;
    bar.inc(1);
    bar.set_message("paper protocol, model chosen by LOCO");
    let paper = eis_capacity(EisProtocol::Paper, step, ModelChoice::LeaveOneCellOut)?;
    bar.inc(1);
    bar.set_message("cross-temperature (LOCO over 6 cells, 2 kernels)");
    let cross = eis_capacity(
        EisProtocol::CrossTemperature,
        step,
        ModelChoice::LeaveOneCellOut,
    )?;
    bar.inc(1);
    bar.finish_and_clear();
    println!("Zhang 2020 LCO coin cells, state-V EIS → capacity");
    println!(
        "\n== the paper's protocol with the paper's kernel (ARD on the spectra alone, plus a linear term)"
    );
    print(&paper_model);
    println!("\n== the paper's protocol, model chosen by leave-one-cell-out");
    print(&paper);
    println!("\n== cross-temperature, model chosen by leave-one-cell-out");
    print(&cross);

    let dir = support::output_dir("eis_capacity_gp")?;
    // Parity with the GP's own 95 % intervals, per test cell.
    let path = dir.join("parity.svg");
    parity(
        &path,
        "Held-out capacity (cross-temperature): prediction vs measurement",
        &cross,
    )?;
    println!("\nparity plot written to {}", path.display());
    let path = dir.join("parity_paper.svg");
    parity(
        &path,
        "25C05, the paper's protocol and kernel: prediction vs measurement",
        &paper_model,
    )?;
    println!("parity plot written to {}", path.display());
    // ARD relevance per frequency, Re and Im separately.
    let rel_path = dir.join("ard_relevance.svg");
    let f = &cross.frequencies_hz;
    let curve = |offset: usize| -> Vec<(f64, f64)> {
        (0..60)
            .map(|k| {
                (
                    f[k].log10(),
                    cross.relevance.get(offset + k).copied().unwrap_or(0.0),
                )
            })
            .collect()
    };
    let top = cross.relevance.iter().cloned().fold(0.0, f64::max);
    support::line_plot(
        &rel_path,
        "ARD relevance 1/ℓ² of each input (cross-temperature training cells)",
        (
            "log10 frequency (Hz)",
            "relevance 1/ℓ² (standardised inputs)",
        ),
        ((-2.0, 4.5), (0.0, top * 1.05 + 1e-12)),
        &[("Re Z", curve(0)), ("Im Z", curve(60))],
    )?;
    let mut ranked: Vec<(usize, f64)> = cross.relevance.iter().copied().enumerate().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!("most relevant inputs (ARD, cross-temperature training cells):");
    for &(j, w) in ranked.iter().take(6) {
        let part = if j < 60 { "Re Z" } else { "Im Z" };
        println!("  {part} at {:>9.3} Hz   1/ℓ² = {w:.4}", f[j % 60]);
    }
    println!("relevance plot written to {}", rel_path.display());
    Ok(())
}
