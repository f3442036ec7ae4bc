//! Flag "at risk" LCO cells from their impedance spectra with a class-weighted RBF SVM.
//!
//! Data: `zhang2020_lco_eis` (Zhang et al. 2020, 12 LCO coin cells, EIS
//! at state V). A spectrum is *at risk* when the cell's capacity has fallen below 70 %
//! of its first labelled capacity — the rare class (≈ 18 % of spectra); the usual
//! 80 % end-of-life line would label most of this data set's spectra, since the
//! cells spend most of their cycling between 80 % and 90 %. Features: log10|Z| and phase at 12 log-spaced
//! frequencies (0.1 Hz – 10 kHz), standardised on the training cells only. Split by
//! cell (as the data's README suggests): train on 25C01–04, 35C01, 45C01; test on
//! 35C02 and 25C05–08 — no cell is on both sides.
//!
//! Prints held-out confusion matrices, balanced accuracy and ROC AUC for the
//! class-weighted (`Balanced`) and the unweighted SVM, and writes the ROC curves to
//! `reports/eis_failure_svm/roc.svg`. Takes a few seconds in release.
//!
//! ```text
//! cargo run --release --example eis_failure_svm
//! ```

#[path = "support/mod.rs"]
mod support;

use ndarray::Array1;
use voltai::battery_data::data_dir::dataset_dir;
use voltai::battery_data::readers::read_zhang2020;
use voltai::core::metrics::{balanced_accuracy, confusion_matrix, roc_auc, roc_curve};
use voltai::core::{Classifier, Dataset, Fit, StandardScaler};
use voltai::kernels::kernels::Rbf;
use voltai::kernels::{ClassWeight, SvcParams};

const TRAIN_CELLS: [&str; 6] = ["25C01", "25C02", "25C03", "25C04", "35C01", "45C01"];
/// Capacity fraction below which a spectrum counts as at risk.
const AT_RISK_SOH: f64 = 0.7;

fn main() -> Result<(), voltai::core::Error> {
    let bar = support::progress(4);
    bar.set_message("reading spectra");
    let spectra = read_zhang2020(dataset_dir("zhang2020_lco_eis")?)?;
    let labelled: Vec<_> = spectra.iter().filter(|s| s.state.soh.is_some()).collect();
    bar.inc(1);

    bar.set_message("features");
    let x = voltai::studies::eis::eis_matrix(&labelled, 0.1, 1e4, 12)?;
    let y: Array1<f64> = labelled
        .iter()
        .map(|s| f64::from(u8::from(s.state.soh.unwrap_or(1.0) < AT_RISK_SOH)))
        .collect();
    let cells: Vec<&str> = labelled.iter().map(|s| s.cell_id.as_str()).collect();
    let data = Dataset::new(x, y)?.with_groups(&cells)?;
    let train_rows: Vec<usize> = (0..cells.len())
        .filter(|&i| TRAIN_CELLS.contains(&cells[i]))
        .collect();
    let test_rows: Vec<usize> = (0..cells.len())
        .filter(|&i| !TRAIN_CELLS.contains(&cells[i]))
        .collect();
    let (train, test) = (data.select(&train_rows)?, data.select(&test_rows)?);
    let scaler = StandardScaler::new().fit(&train)?;
    let (train, test) = (
        scaler.transform_dataset(&train)?,
        scaler.transform_dataset(&test)?,
    );
    bar.inc(1);

    let gamma = 1.0 / train.n_features() as f64;
    let truth = test.labels()?;
    let is_pos: Array1<bool> = truth.mapv(|l| l == 1);
    let mut curves = Vec::new();
    let mut rows = Vec::new();
    for (name, weight) in [
        ("balanced", ClassWeight::Balanced),
        ("unweighted", ClassWeight::Uniform),
    ] {
        bar.set_message(format!("fitting {name} SVM"));
        let model = SvcParams::new(Rbf::from_gamma(gamma)?)
            .c(10.0)?
            .class_weight(weight)?
            .fit(&train)?;
        let pred = model.predict(test.features())?;
        let score = model
            .decision_function(test.features())?
            .column(0)
            .to_owned();
        let cm = confusion_matrix(truth.view(), pred.view(), &[0, 1])?;
        let bacc = balanced_accuracy(truth.view(), pred.view())?;
        let auc = roc_auc(is_pos.view(), score.view())?;
        curves.push((
            name,
            roc_curve(is_pos.view(), score.view())?
                .iter()
                .map(|p| (p.fpr, p.tpr))
                .collect::<Vec<_>>(),
        ));
        rows.push((name, cm, bacc, auc, model.support().len()));
        bar.inc(1);
    }
    bar.finish_and_clear();

    let pos_train = train.labels()?.iter().filter(|&&l| l == 1).count();
    println!(
        "Zhang 2020 LCO EIS: {} labelled spectra; train {} cells / {} spectra ({} at risk), test {} cells / {} spectra ({} at risk)",
        labelled.len(),
        TRAIN_CELLS.len(),
        train.n_samples(),
        pos_train,
        {
            let mut c: Vec<&str> = test_rows.iter().map(|&i| cells[i]).collect();
            c.sort_unstable();
            c.dedup();
            c.len()
        },
        test.n_samples(),
        is_pos.iter().filter(|&&b| b).count()
    );
    println!("RBF γ = {gamma:.4}, C = 10, features standardised on the training cells\n");
    println!(
        "{:<11} {:>22} {:>10} {:>8} {:>6}",
        "SVM", "confusion [[TN FP][FN TP]]", "bal. acc.", "ROC AUC", "#SV"
    );
    for (name, cm, bacc, auc, nsv) in &rows {
        println!(
            "{:<11} {:>22} {:>10.3} {:>8.3} {:>6}",
            name,
            format!("[[{} {}] [{} {}]]", cm[0][0], cm[0][1], cm[1][0], cm[1][1]),
            bacc,
            auc,
            nsv
        );
    }
    let dir = support::output_dir("eis_failure_svm")?;
    let path = dir.join("roc.svg");
    support::line_plot(
        &path,
        "Held-out ROC: at-risk LCO spectra",
        ("false-positive rate", "true-positive rate"),
        ((0.0, 1.0), (0.0, 1.0)),
        &curves,
    )?;
    println!("\nROC curves written to {}", path.display());
    Ok(())
}
