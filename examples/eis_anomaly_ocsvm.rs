//! Fence in healthy impedance spectra with a one-class SVM and flag aged ones.
//!
//! Data: `zhang2020_lco_eis`. Healthy = early life (capacity ≥ 90 % of
//! the cell's first labelled capacity); aged = below 80 %. The one-class SVM (ν = 0.05,
//! RBF) is fitted on the healthy spectra of the training cells (25C01–04, 35C01, 45C01)
//! only. On the held-out cells (35C02, 25C05–08) it reports the detection rate on aged
//! spectra against the false-alarm rate on healthy ones, and writes the decision value
//! against state of health to `reports/eis_anomaly_ocsvm/decision_vs_soh.svg`.
//! Takes a few seconds in release.
//!
//! ```text
//! cargo run --release --example eis_anomaly_ocsvm
//! ```

#[path = "support/mod.rs"]
mod support;

use voltai::battery_data::data_dir::dataset_dir;
use voltai::battery_data::readers::read_zhang2020;
use voltai::core::{Dataset, Fit, StandardScaler};
use voltai::kernels::OneClassSvmParams;
use voltai::kernels::kernels::Rbf;

const TRAIN_CELLS: [&str; 6] = ["25C01", "25C02", "25C03", "25C04", "35C01", "45C01"];
/// Capacity fraction at or above which a spectrum counts as healthy (early life).
const HEALTHY_SOH: f64 = 0.9;

fn main() -> Result<(), voltai::core::Error> {
    let bar = support::progress(3);
    bar.set_message("reading spectra");
    let spectra = read_zhang2020(dataset_dir("zhang2020_lco_eis")?)?;
    let labelled: Vec<_> = spectra.iter().filter(|s| s.state.soh.is_some()).collect();
    let soh: Vec<f64> = labelled
        .iter()
        .map(|s| s.state.soh.unwrap_or(f64::NAN))
        .collect();
    let x = voltai::studies::eis::eis_matrix(&labelled, 0.1, 1e4, 12)?;
    let is_train: Vec<bool> = labelled
        .iter()
        .map(|s| TRAIN_CELLS.contains(&s.cell_id.as_str()))
        .collect();
    bar.inc(1);

    bar.set_message("fitting one-class SVM on healthy training spectra");
    let healthy_train: Vec<usize> = (0..soh.len())
        .filter(|&i| is_train[i] && soh[i] >= HEALTHY_SOH)
        .collect();
    let train = Dataset::unsupervised(x.select(ndarray::Axis(0), &healthy_train))?;
    let scaler = StandardScaler::new().fit(&train)?;
    let train = scaler.transform_dataset(&train)?;
    let gamma = 1.0 / train.n_features() as f64;
    let model = OneClassSvmParams::new(Rbf::from_gamma(gamma)?)
        .nu(0.05)?
        .fit(&train)?;
    bar.inc(1);

    bar.set_message("scoring held-out cells");
    let test_rows: Vec<usize> = (0..soh.len()).filter(|&i| !is_train[i]).collect();
    let xt = scaler.transform(x.select(ndarray::Axis(0), &test_rows).view())?;
    let score = model.decision_function(xt.view())?;
    bar.inc(1);
    bar.finish_and_clear();

    let rate = |pred: &dyn Fn(f64) -> bool| {
        let idx: Vec<usize> = (0..test_rows.len())
            .filter(|&k| pred(soh[test_rows[k]]))
            .collect();
        let flagged = idx.iter().filter(|&&k| score[k] <= 0.0).count();
        (flagged, idx.len())
    };
    let (alarms, healthy) = rate(&|s| s >= HEALTHY_SOH);
    let (detected, aged) = rate(&|s| s < 0.8);
    let (mid_flag, mid) = rate(&|s| (0.8..HEALTHY_SOH).contains(&s));
    println!(
        "one-class SVM (ν = 0.05, RBF γ = {gamma:.4}) fitted on {} healthy spectra of {} training cells; {} support vectors",
        train.n_samples(),
        TRAIN_CELLS.len(),
        model.support().len()
    );
    println!("held-out cells 35C02, 25C05–08:");
    println!(
        "  false alarms on healthy (SOH ≥ 0.90): {alarms}/{healthy} = {:.1} %",
        100.0 * alarms as f64 / healthy.max(1) as f64
    );
    println!(
        "  detected aged (SOH < 0.80):           {detected}/{aged} = {:.1} %",
        100.0 * detected as f64 / aged.max(1) as f64
    );
    println!(
        "  flagged in between (0.80–0.90):       {mid_flag}/{mid} = {:.1} %",
        100.0 * mid_flag as f64 / mid.max(1) as f64
    );

    let pts = |pred: &dyn Fn(f64) -> bool| -> Vec<(f64, f64)> {
        (0..test_rows.len())
            .filter(|&k| pred(soh[test_rows[k]]))
            .map(|k| (soh[test_rows[k]], score[k]))
            .collect()
    };
    let groups = [
        ("healthy", pts(&|s| s >= HEALTHY_SOH)),
        ("between", pts(&|s| (0.8..HEALTHY_SOH).contains(&s))),
        ("aged", pts(&|s| s < 0.8)),
    ];
    let (lo, hi) = score
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    let dir = support::output_dir("eis_anomaly_ocsvm")?;
    let path = dir.join("decision_vs_soh.svg");
    support::scatter_plot(
        &path,
        "One-class SVM decision (≤ 0: anomaly) vs SOH",
        ("state of health", "decision value"),
        ((0.1, 1.05), (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))),
        &groups,
    )?;
    println!("\nplot written to {}", path.display());
    Ok(())
}
