//! Quickstart: a short end-to-end battery study on the shared real data,
//! written as an HTML report with its figures.
//!
//! 1. Severson et al. 2019 (124 LFP cells): early-life features, the
//!    elastic-net "discharge" model with split-conformal 90 % intervals
//!    beside the paper's Table 1, and the long/short-life (550 cycles)
//!    classification.
//! 2. Zhang et al. 2020 LCO impedance spectra: an RBF SVM flags at-risk
//!    spectra, a one-class SVM trained on healthy spectra flags anomalies.
//! 3. Attia et al. 2020 closed-loop fast charging: Bayesian optimisation
//!    replayed against the published lifetimes of the 224 protocols — how
//!    many experiments until a top-5 protocol, against random choice.
//! 4. Chen NMC pouch cells: the causal effect of C-rate on capacity
//!    retention, adjusted for chemistry and loading.
//! 5. SINDy recovering a one-RC equivalent-circuit model from a pulse test.
//!
//! Reads `severson2019_lfp_fastcharge` (carried in the repository's `data/`
//! too, so section 1 runs on a fresh clone), `zhang2020_lco_eis`,
//! `attia2020_closed_loop_fastcharge` and `chen_nmc_pouch_aging_modes` from
//! `$VOLTAI_DATA_DIR`, `../shared/data/` or the `voltai data fetch` cache; a
//! section whose data is not found is skipped with the command that gets it.
//! Writes
//! `reports/quickstart/report.html` and its SVG figures. Takes about 30
//! seconds in release (`VOLTAI_QUICK=1`: 5 BO seeds instead of 20).
//!
//! ```text
//! cargo run --release --example quickstart
//! ```

#[path = "support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::time::Instant;

use ndarray::Array1;
use voltai::battery_data::data_dir::dataset_dir;
use voltai::battery_data::features::{
    FeatureSet, SeversonFeatures, severson_dataset, validated_severson_features,
};
use voltai::battery_data::readers::{SeversonData, SeversonSplit};
use voltai::core::metrics::accuracy;
use voltai::core::{Classifier, Dataset, Error, Fit, Result, StandardScaler};
use voltai::discovery::LogisticRegressionParams;
use voltai::discovery::sindy::systems::OneRcCell;
use voltai::life::severson::fit_severson_model;

/// One report section: a title, preformatted text and figure file names.
struct Section {
    title: &'static str,
    text: String,
    figures: Vec<String>,
}

fn severson(dir: &std::path::Path) -> Result<Section> {
    let data = SeversonData::load(dataset_dir("severson2019_lfp_fastcharge")?)?;
    let rows = |s: SeversonSplit| data.split_rows(s);
    let life = |i: usize| data.cells[i].cycle_life as f64;
    // The study that also fits the model shipped in voltai-life.
    let fit = fit_severson_model(&data, FeatureSet::SeversonDischarge)?;
    let (cells_fit, cells_cal) = fit.model.provenance.cells;
    let mut text = format!(
        "{} cells; {} implausible capacities masked before feature extraction.\n\
         Elastic net on the six \"discharge\" features (α = {:.2e}, L1 ratio {}), fitted on the {cells_fit} training cells;\n\
         split-conformal 90 % intervals calibrated on the {cells_cal} primary-test cells (half-width {:.3} in log10 cycles);\n\
         the same model ships in voltai-life as EarlyLifeModel::severson2019_discharge().\n\n\
         {:<15} {:>11} {:>11} {:>21}\n",
        data.cells.len(),
        fit.masked_cycles,
        fit.cv.alpha,
        fit.cv.l1_ratio,
        fit.model.model.half_width(),
        "split",
        "RMSE (cyc)",
        "coverage",
        "paper RMSE (Table 1)"
    );
    let paper = ["76", "91", "173"];
    let mut points: Vec<(&str, Vec<(f64, f64)>)> = Vec::new();
    for (score, p) in fit.scores.iter().zip(paper) {
        let _ = writeln!(
            text,
            "{:<15} {:>11.0} {:>10.0} % {:>21}",
            format!("{:?}", score.split),
            score.rmse_cycles,
            100.0 * score.interval_coverage,
            p
        );
        let pts = rows(score.split)
            .iter()
            .map(|&i| Ok((life(i), fit.model.predict_features(&fit.features[i])?.0)))
            .collect::<Result<Vec<_>>>()?;
        points.push((
            match score.split {
                SeversonSplit::Train => "train",
                SeversonSplit::PrimaryTest => "primary test (calibration)",
                _ => "secondary test",
            },
            pts,
        ));
    }
    points.push((
        "y = x",
        (0..=20)
            .map(|k| 100.0 + 110.0 * k as f64)
            .map(|v| (v, v))
            .collect(),
    ));
    support::scatter_plot(
        &dir.join("severson_parity.svg"),
        "Cycle life: observed vs predicted from the first 100 cycles",
        ("observed cycle life", "predicted"),
        ((0.0, 2400.0), (0.0, 2400.0)),
        &points,
    )?;

    // Long / short life at 550 cycles, L2 logistic regression on the same features.
    let (feats, _) = validated_severson_features(&data)?;
    let all = severson_dataset(&data, &feats, &SeversonFeatures::DISCHARGE_MODEL)?;
    let train_rows = rows(SeversonSplit::Train);
    let labels: Array1<f64> = (0..data.cells.len())
        .map(|i| f64::from(u8::from(life(i) > 550.0)))
        .collect();
    let labelled = Dataset::new(all.features().to_owned(), labels)?;
    let train_raw = labelled.select(&train_rows)?;
    let cscaler = StandardScaler::new().fit(&train_raw)?;
    let clf = LogisticRegressionParams::new()
        .c(1.0)?
        .fit(&cscaler.transform_dataset(&train_raw)?)?;
    let _ = writeln!(
        text,
        "\nLife > 550 cycles, logistic regression on the same features (accuracy):"
    );
    for split in SeversonSplit::ALL {
        let d = cscaler.transform_dataset(&labelled.select(&rows(split))?)?;
        let acc = accuracy(d.labels()?.view(), clf.predict(d.features())?.view())?;
        let _ = writeln!(
            text,
            "  {:<15} {:>5.1} %",
            format!("{split:?}"),
            100.0 * acc
        );
    }
    let _ = writeln!(
        text,
        "  (the paper's classifier used the full-cycle features of cycles 1–5; these files support the 100-cycle set)"
    );
    Ok(Section {
        title: "1. Cycle life from the first 100 cycles (Severson et al. 2019)",
        text,
        figures: vec!["severson_parity.svg".into()],
    })
}

fn eis(dir: &std::path::Path) -> Result<Section> {
    let r = voltai::studies::eis::eis_screening()?;
    let (bacc, auc, roc) = (r.balanced_accuracy, r.roc_auc, r.roc);
    support::line_plot(
        &dir.join("eis_roc.svg"),
        "Held-out ROC: at-risk LCO spectra (RBF SVM)",
        ("false-positive rate", "true-positive rate"),
        ((0.0, 1.0), (0.0, 1.0)),
        &[("class-weighted RBF SVM", roc)],
    )?;

    let ((det, n_a), (fa, n_h)) = (r.degraded_flagged, r.healthy_flagged);
    let text = format!(
        "{} labelled spectra (log10|Z| and phase at 12 frequencies, 0.1 Hz–10 kHz); train on 6 cells, test on 5 others.\n\
         Class-weighted RBF SVM, at risk = capacity below 70 %: balanced accuracy {bacc:.3}, ROC AUC {auc:.3} on the held-out cells.\n\
         One-class SVM (ν = 0.05) fitted on {} healthy training spectra: flags {det} of {n_a} held-out spectra below 80 % SOH\n\
         and {fa} of {n_h} healthy ones (false alarms).",
        r.labelled, r.healthy_training
    );
    Ok(Section {
        title: "2. Failing cells from impedance spectra (Zhang et al. 2020)",
        text,
        figures: vec!["eis_roc.svg".into()],
    })
}

fn bo_replay(dir: &std::path::Path, seeds: u64) -> Result<Section> {
    let replay = voltai::studies::bo_replay::attia_replay(seeds)?;
    let (counts, n_protocols, median) = (replay.evaluations, replay.protocols, replay.median);
    let mut sorted = counts.clone();
    sorted.sort_unstable();
    let n = sorted.len();
    // Random choice without replacement: expected position of the first of
    // 5 marked items among N is (N + 1) / 6.
    let random = replay.random_expected;
    support::line_plot(
        &dir.join("bo_replay.svg"),
        "Experiments until a top-5 protocol is found (sorted over seeds)",
        ("seed (sorted)", "evaluations"),
        ((0.0, n as f64), (0.0, 45.0)),
        &[
            (
                "GP + log-EI",
                sorted
                    .iter()
                    .enumerate()
                    .map(|(k, c)| (k as f64 + 0.5, *c as f64))
                    .collect(),
            ),
            (
                "random choice (expected)",
                vec![(0.0, random), (n as f64, random)],
            ),
        ],
    )?;
    Ok(Section {
        title: "3. Choosing the next fast-charging experiment (Attia et al. 2020 replay)",
        text: format!(
            "{} protocols with published closed-loop lifetimes; GP + log-EI, 4 random starts then one pick per round.\n\
             Evaluations to the first top-5 protocol over {n} seeds: {counts:?}\n\
             median {median}, worst {}; random choice needs {random:.1} on average.",
            n_protocols,
            sorted[n - 1]
        ),
        figures: vec!["bo_replay.svg".into()],
    })
}

fn causal() -> Result<Section> {
    let r = voltai::studies::chen::c_rate_effect(1000, 11)?;
    let (chosen, naive, adjusted) = (r.adjustment_set, r.naive, r.adjusted);
    let pp = |v: f64| 100.0 * v;
    Ok(Section {
        title: "4. Does faster charging shorten life? (Chen NMC pouch cells)",
        text: format!(
            "{} cells; DAG: chemistry and loading → C-rate and → retention, C-rate → retention.\n\
             Minimal adjustment set: {chosen:?}.\n\
             Effect of +1C on capacity retention at cycle 400 (percentage points, 95 % bootstrap interval):\n\
             \x20 naive     {:+.2} [{:+.2}, {:+.2}]\n\
             \x20 adjusted  {:+.2} [{:+.2}, {:+.2}]",
            r.cells,
            pp(naive.effect),
            pp(naive.interval.0),
            pp(naive.interval.1),
            pp(adjusted.effect),
            pp(adjusted.interval.0),
            pp(adjusted.interval.1)
        ),
        figures: Vec::new(),
    })
}

fn sindy(dir: &std::path::Path) -> Result<Section> {
    let cell = OneRcCell {
        r1: 0.015,
        c1: 2000.0,
        capacity_ah: 2.5,
    };
    let (dt, n) = (0.1, 36_000);
    let (x, u, model) = voltai::studies::ecm::one_rc_sindyc(&cell, dt, n)?;
    let (tau, q) = voltai::studies::ecm::implied_parameters(&model)?;
    let pred = model.predict_derivative(x.view(), Some(u.view()))?;
    let t: Vec<f64> = (0..3000).map(|k| k as f64 * dt).collect();
    support::line_plot(
        &dir.join("sindy_v1.svg"),
        "dv1/dt: finite differences vs discovered model (first 5 min)",
        ("t (s)", "dv1/dt (V/s)"),
        ((0.0, 300.0), (-0.002, 0.004)),
        &[
            (
                "data",
                t.iter()
                    .enumerate()
                    .map(|(k, &tk)| (tk, (x[[k + 1, 0]] - x[[k, 0]]) / dt))
                    .collect(),
            ),
            (
                "SINDYc",
                t.iter()
                    .enumerate()
                    .map(|(k, &tk)| (tk, pred[[k, 0]]))
                    .collect(),
            ),
        ],
    )?;
    Ok(Section {
        title: "5. Discovering an equivalent-circuit model (SINDYc)",
        text: format!(
            "One-RC cell (R1 = 15 mΩ, C1 = 2000 F, 2.5 Ah) under a pulsed current, 1 h at 10 Hz.\n\
             Discovered:\n  {}\n\
             R1·C1 = {tau:.2} s (true 30), capacity = {q:.3} Ah (true 2.5).",
            model.equations(4).join("\n  ")
        ),
        figures: vec!["sindy_v1.svg".into()],
    })
}

fn html(sections: &[Section], seconds: f64) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut out = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Voltai quickstart</title>\
         <style>body{font-family:sans-serif;max-width:60em;margin:auto}pre{background:#f4f4f4;padding:1em;overflow-x:auto}</style>\
         </head><body><h1>Voltai quickstart report</h1>",
    );
    for s in sections {
        let _ = write!(out, "<h2>{}</h2><pre>{}</pre>", esc(s.title), esc(&s.text));
        for f in &s.figures {
            let _ = write!(out, "<p><img src=\"{f}\" alt=\"{f}\"></p>");
        }
    }
    let _ = write!(
        out,
        "<p>Generated by <code>cargo run --release --example quickstart</code> in {seconds:.1} s.</p></body></html>"
    );
    out
}

fn main() -> Result<()> {
    let start = Instant::now();
    let quick = std::env::var_os("VOLTAI_QUICK").is_some();
    let dir = support::output_dir("quickstart")?;
    let bar = support::progress(5);
    let mut sections = Vec::new();
    let mut missing = Vec::new();
    let mut run = |title: &str, section: &dyn Fn() -> Result<Section>| -> Result<()> {
        bar.set_message(title.to_string());
        match section() {
            Ok(s) => sections.push(s),
            // A data set that is not here: the other sections still run.
            Err(Error::MissingData {
                dataset, remedy, ..
            }) => missing.push(format!("{title}: needs `{dataset}`; {remedy}")),
            Err(e) => return Err(e),
        }
        bar.inc(1);
        Ok(())
    };
    run(
        "Severson: features, elastic net, conformal intervals",
        &|| severson(&dir),
    )?;
    run("EIS: SVM and one-class SVM", &|| eis(&dir))?;
    run("Bayesian optimisation replay", &|| {
        bo_replay(&dir, if quick { 5 } else { 20 })
    })?;
    run("causal effect of C-rate", &causal)?;
    run("SINDy", &|| sindy(&dir))?;
    bar.finish_and_clear();
    for s in &sections {
        println!("== {}\n{}\n", s.title, s.text);
    }
    if !missing.is_empty() {
        println!(
            "== Sections skipped: data not found\n{}\n",
            missing.join("\n")
        );
    }
    let path = dir.join("report.html");
    std::fs::write(&path, html(&sections, start.elapsed().as_secs_f64()))
        .map_err(|e| Error::io(&path, e))?;
    println!(
        "report: {} ({:.1} s)",
        path.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
