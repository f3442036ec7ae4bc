//! Times C-SVC fit/predict and one-class fit on the portable synthetic set of
//! `tools/reference/common.py`; `benches/compare/svm.py` runs it beside
//! scikit-learn on identical inputs and prints the ratios.
//!
//! ```text
//! cargo run --release -p voltai-kernels --example svm_timing -- 20000 20 42
//! ```
//! Prints one JSON line: seconds for each phase and the support-vector counts.

use std::time::Instant;

use ndarray::{Array1, Array2};
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Classifier, Dataset, Fit, StandardScaler};
use voltai_kernels::kernels::Rbf;
use voltai_kernels::{ClassWeight, OneClassSvmParams, SvcParams};

fn imbalanced(n: usize, d: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = SplitMix64::new(seed);
    let x = rng.normal_matrix(n, d);
    let noise: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let score: Vec<f64> = (0..n)
        .map(|i| {
            x[[i, 0]] + x[[i, 1]] - 0.5 * x[[i, 2]].powi(2)
                + 0.3 * x[[i, 3]] * x[[i, 4]]
                + 0.5 * noise[i]
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    let mut y = Array1::zeros(n);
    for &i in &order[..(0.05 * n as f64).round() as usize] {
        y[i] = 1.0;
    }
    (x, y)
}

fn main() -> Result<(), voltai_core::Error> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (n, d, seed) = (
        args.first().copied().unwrap_or(20_000),
        args.get(1).copied().unwrap_or(20),
        args.get(2).copied().unwrap_or(42) as u64,
    );
    let (x, y) = imbalanced(n, d, seed);
    let raw = Dataset::new(x, y)?;
    let data = StandardScaler::new().fit(&raw)?.transform_dataset(&raw)?;

    let t = Instant::now();
    let svc = SvcParams::new(Rbf::from_gamma(0.05)?)
        .c(1.0)?
        .class_weight(ClassWeight::Balanced)?
        .fit(&data)?;
    let fit_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let dec = svc.decision_function(data.features())?;
    let predict_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let oc = OneClassSvmParams::new(Rbf::from_gamma(0.05)?)
        .nu(0.1)?
        .fit(&data)?;
    let oc_fit_s = t.elapsed().as_secs_f64();

    println!(
        "{{\"svc_fit_s\": {fit_s:.4}, \"svc_predict_s\": {predict_s:.4}, \"ocsvm_fit_s\": {oc_fit_s:.4}, \"svc_n_support\": {}, \"ocsvm_n_support\": {}, \"decision_sum\": {:.6}, \"svc_iterations\": {}}}",
        svc.support().len(),
        oc.support().len(),
        dec.sum(),
        svc.machines()[0].iterations
    );
    Ok(())
}
