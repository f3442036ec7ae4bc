//! Fuse impedance bands and operating conditions with multiple kernel learning.
//!
//! Data: `gasper2022_nmc_eis_temp_soc` (Gasper et al. 2022, 467 NMC
//! spectra at −10…25 °C and 10–90 % SOC). Task: is the relative capacity below 0.9?
//! Three modalities, one RBF kernel each: the high-frequency band (≥ 10 Hz: Re and
//! Im of Z), the low-frequency band (< 10 Hz) and the measurement conditions
//! (temperature, SOC). Split: the authors' hold-out series (`isTest`), so no ageing
//! series is on both sides; features standardised on the training series.
//!
//! Prints the learned kernel weights of SimpleMKL and ALIGNF beside the uniform
//! average, and the held-out accuracy of each against every single-modality SVM.
//! Takes a few seconds in release.
//!
//! ```text
//! cargo run --release --example eis_mkl_fusion
//! ```

#[path = "support/mod.rs"]
mod support;

use ndarray::{Array1, Array2};
use voltai::battery_data::data_dir::dataset_dir;
use voltai::battery_data::readers::read_gasper2022;
use voltai::core::metrics::balanced_accuracy;
use voltai::core::{Classifier, Dataset, Fit, StandardScaler};
use voltai::kernels::kernels::{OnColumns, Rbf};
use voltai::kernels::{MklMethod, MklParams, SvcParams};

fn main() -> Result<(), voltai::core::Error> {
    let bar = support::progress(6);
    bar.set_message("reading spectra");
    let spectra = read_gasper2022(dataset_dir("gasper2022_nmc_eis_temp_soc")?.join("data.csv"))?;
    let freqs = &spectra[0].frequency_hz;
    let hf: Vec<usize> = (0..freqs.len()).filter(|&k| freqs[k] >= 10.0).collect();
    let lf: Vec<usize> = (0..freqs.len()).filter(|&k| freqs[k] < 10.0).collect();
    // Columns: [Re, Im] of the HF band, [Re, Im] of the LF band, then T and SOC.
    let width = 2 * hf.len() + 2 * lf.len() + 2;
    let mut x = Array2::zeros((spectra.len(), width));
    for (i, s) in spectra.iter().enumerate() {
        let mut c = 0;
        for band in [&hf, &lf] {
            for &k in band.iter() {
                x[[i, c]] = s.z_real_ohm[k];
                x[[i, c + 1]] = s.z_imag_ohm[k];
                c += 2;
            }
        }
        x[[i, c]] = s.state.temperature_c.unwrap_or(f64::NAN);
        x[[i, c + 1]] = s.state.soc.unwrap_or(f64::NAN);
    }
    let y: Array1<f64> = spectra
        .iter()
        .map(|s| f64::from(u8::from(s.state.soh.unwrap_or(1.0) < 0.9)))
        .collect();
    let groups: Vec<&str> = spectra.iter().map(|s| s.cell_id.as_str()).collect();
    let data = Dataset::new(x, y)?.with_groups(&groups)?;
    let is_test: Vec<bool> = spectra
        .iter()
        .map(|s| s.tags.get("is_test").map(String::as_str) == Some("1"))
        .collect();
    let train_rows: Vec<usize> = (0..is_test.len()).filter(|&i| !is_test[i]).collect();
    let test_rows: Vec<usize> = (0..is_test.len()).filter(|&i| is_test[i]).collect();
    let scaler = StandardScaler::new().fit(&data.select(&train_rows)?)?;
    let train = scaler.transform_dataset(&data.select(&train_rows)?)?;
    let test = scaler.transform_dataset(&data.select(&test_rows)?)?;
    bar.inc(1);

    let blocks = [
        (
            "high-frequency Z (≥ 10 Hz)",
            (0..2 * hf.len()).collect::<Vec<_>>(),
        ),
        (
            "low-frequency Z (< 10 Hz)",
            (2 * hf.len()..2 * hf.len() + 2 * lf.len()).collect(),
        ),
        ("temperature + SOC", vec![width - 2, width - 1]),
    ];
    let kernels = blocks
        .iter()
        .map(|(_, cols)| OnColumns::new(cols.clone(), Rbf::from_gamma(1.0 / cols.len() as f64)?))
        .collect::<Result<Vec<_>, _>>()?;
    let truth = test.labels()?;
    let score = |pred: Array1<i64>| balanced_accuracy(truth.view(), pred.view());

    let mut singles = Vec::new();
    for (k, (name, _)) in kernels.iter().zip(&blocks) {
        bar.set_message(format!("single kernel: {name}"));
        let m = SvcParams::new(k.clone()).c(1.0)?.fit(&train)?;
        singles.push((*name, score(m.predict(test.features())?)?));
        bar.inc(1);
    }
    let mut fused = Vec::new();
    for method in [MklMethod::SimpleMkl, MklMethod::Alignf, MklMethod::Uniform] {
        bar.set_message(format!("MKL: {method:?}"));
        let m = MklParams::new(kernels.clone())?
            .method(method)
            .c(1.0)?
            .fit(&train)?;
        fused.push((
            method,
            m.weights().to_vec(),
            score(m.predict(test.features())?)?,
        ));
        bar.inc(1);
    }
    bar.finish_and_clear();

    let pos = |d: &Dataset| d.labels().map(|l| l.iter().filter(|&&v| v == 1).count());
    println!(
        "Gasper 2022 NMC EIS: {} spectra; train {} ({} with capacity < 0.9), test {} ({}), split by the authors' hold-out series",
        spectra.len(),
        train.n_samples(),
        pos(&train)?,
        test.n_samples(),
        pos(&test)?
    );
    println!(
        "\n{:<30} {:>18}",
        "single-modality SVM (C = 1)", "held-out bal. acc."
    );
    for (name, acc) in &singles {
        println!("{name:<30} {acc:>18.3}");
    }
    println!(
        "\n{:<10} {:>10} {:>10} {:>10} {:>18}",
        "MKL", "w(HF)", "w(LF)", "w(T,SOC)", "held-out bal. acc."
    );
    for (method, w, acc) in &fused {
        println!(
            "{:<10} {:>10.3} {:>10.3} {:>10.3} {:>18.3}",
            format!("{method:?}"),
            w[0],
            w[1],
            w[2],
            acc
        );
    }
    Ok(())
}
