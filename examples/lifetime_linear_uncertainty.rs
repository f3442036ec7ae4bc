//! Early-life lifetime prediction whose error bars say *why* they are wide.
//!
//! Data: `severson2019_lfp_fastcharge` (124 LFP cells). A Bayesian
//! linear model of log10(cycle life) on the paper's "discharge" features (the four
//! capacity glitches masked first), fitted on the 41 training cells with its
//! precisions chosen by evidence maximisation. Each test prediction's variance is
//! split into irreducible noise (what no amount of cells will remove) and model
//! uncertainty (what more training cells would shrink). A learning curve over
//! nested random subsets of the training cells shows the model part decaying
//! while the noise part stays put; it is written to
//! `reports/lifetime_linear_uncertainty/learning_curve.svg`. Takes about a second.
//!
//! ```text
//! cargo run --release --example lifetime_linear_uncertainty
//! ```

#[path = "support/mod.rs"]
mod support;

use voltai::battery_data::data_dir::dataset_dir;
use voltai::battery_data::features::{
    SeversonFeatures, severson_dataset, validated_severson_features,
};
use voltai::battery_data::readers::{SeversonData, SeversonSplit};
use voltai::core::metrics::rmse;
use voltai::core::{Fit, ProbabilisticRegressor, StandardScaler};
use voltai::gp::{BayesianLinearParams, learning_curve};

fn main() -> Result<(), voltai::core::Error> {
    let bar = support::progress(3);
    bar.set_message("loading and masking");
    let data = SeversonData::load(dataset_dir("severson2019_lfp_fastcharge")?)?;
    let (feats, _) = validated_severson_features(&data)?;
    let all = severson_dataset(&data, &feats, &SeversonFeatures::DISCHARGE_MODEL)?;
    let rows = |s: SeversonSplit| data.split_rows(s);
    let train_raw = all.select(&rows(SeversonSplit::Train))?;
    let scaler = StandardScaler::new().fit(&train_raw)?;
    let train = scaler.transform_dataset(&train_raw)?;
    bar.inc(1);

    bar.set_message("fitting");
    let params = BayesianLinearParams::new();
    let model = params.fit(&train)?;
    bar.inc(1);

    println!(
        "Bayesian linear model of log10(cycle life) on the \"discharge\" features ({} train cells)",
        train.n_samples()
    );
    println!(
        "evidence-maximised noise variance 1/β = {:.5} (log10 units²), weight precision α = {:.3}\n",
        model.noise_variance(),
        model.alpha()
    );
    println!(
        "{:<15} {:>6} {:>12} {:>16} {:>16} {:>18}",
        "split", "cells", "RMSE (cyc)", "noise var (mean)", "model var (mean)", "model / total"
    );
    for s in SeversonSplit::ALL {
        let d = scaler.transform_dataset(&all.select(&rows(s))?)?;
        let p = model.predict_dist(d.features())?;
        let parts = p
            .parts
            .as_ref()
            .ok_or_else(|| voltai::core::Error::numerical("BLR", "no variance split"))?;
        let life = d.targets()?.mapv(|v| 10f64.powf(v));
        let pred = p.mean.mapv(|v| 10f64.powf(v));
        let (noise, epi) = (
            parts.aleatoric.mean().unwrap_or(0.0),
            parts.epistemic.mean().unwrap_or(0.0),
        );
        println!(
            "{:<15} {:>6} {:>12.0} {:>16.5} {:>16.5} {:>17.1}%",
            format!("{s:?}"),
            d.n_samples(),
            rmse(life.view(), pred.view())?,
            noise,
            epi,
            100.0 * epi / (noise + epi)
        );
    }

    bar.set_message("learning curve");
    let test = scaler.transform_dataset(
        &all.select(
            &[
                rows(SeversonSplit::PrimaryTest),
                rows(SeversonSplit::SecondaryTest),
            ]
            .concat(),
        )?,
    )?;
    let sizes: Vec<usize> = vec![10, 14, 18, 24, 30, 36, 41];
    // Average over 20 random orders so one lucky subset does not dominate.
    let mut model_var = vec![0.0; sizes.len()];
    let mut noise_var = vec![0.0; sizes.len()];
    for seed in 0..20 {
        for (k, p) in learning_curve(&params, &train, &test, &sizes, seed)?
            .iter()
            .enumerate()
        {
            model_var[k] += p.model_variance / 20.0;
            noise_var[k] += p.noise_variance / 20.0;
        }
    }
    bar.inc(1);
    bar.finish_and_clear();
    println!(
        "\nlearning curve (test cells, mean of 20 random nested subsets of the training cells):"
    );
    println!(
        "{:>8} {:>14} {:>14} {:>16}",
        "n train", "model var", "noise var", "n · model var"
    );
    for (k, &n) in sizes.iter().enumerate() {
        println!(
            "{:>8} {:>14.5} {:>14.5} {:>16.4}",
            n,
            model_var[k],
            noise_var[k],
            n as f64 * model_var[k]
        );
    }
    let dir = support::output_dir("lifetime_linear_uncertainty")?;
    let path = dir.join("learning_curve.svg");
    let ymax = model_var
        .iter()
        .chain(&noise_var)
        .fold(0.0f64, |a, &b| a.max(b))
        * 1.1;
    support::line_plot(
        &path,
        "Predictive variance of log10(life): model vs noise",
        ("training cells", "variance (log10 units²)"),
        ((8.0, 42.0), (0.0, ymax)),
        &[
            (
                "model (epistemic)",
                sizes
                    .iter()
                    .zip(&model_var)
                    .map(|(&n, &v)| (n as f64, v))
                    .collect(),
            ),
            (
                "noise (aleatoric)",
                sizes
                    .iter()
                    .zip(&noise_var)
                    .map(|(&n, &v)| (n as f64, v))
                    .collect(),
            ),
        ],
    )?;
    println!("\nplot written to {}", path.display());
    Ok(())
}
