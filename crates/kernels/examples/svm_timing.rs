//! Times C-SVC fit/predict and one-class fit on the portable synthetic set of
//! `tools/reference/common.py`; `benches/compare/svm.py` runs it beside
//! scikit-learn on identical inputs and prints the ratios.
//!
//! ```text
//! cargo run --release -p voltai-kernels --example svm_timing -- 20000 20 42
//! ```
//! Prints one JSON line: seconds for each phase and the support-vector counts.

use std::time::Instant;

use voltai_core::synthetic::imbalanced_classification;
use voltai_core::{Classifier, Dataset, Fit, StandardScaler};
use voltai_kernels::kernels::Rbf;
use voltai_kernels::{ClassWeight, OneClassSvmParams, SvcParams};

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
    let (x, y) = imbalanced_classification(n, d, seed);
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
        "{{\"svc_fit_s\": {fit_s:.4}, \"svc_predict_s\": {predict_s:.4}, \"ocsvm_fit_s\": {oc_fit_s:.4}, \"svc_n_support\": {}, \"ocsvm_n_support\": {}, \"decision_sum\": {:.6}, \"svc_iterations\": {}, \"svc_cache_hit_rate\": {:.4}}}",
        svc.support().len(),
        oc.support().len(),
        dec.sum(),
        svc.machines()[0].iterations,
        svc.machines()[0].cache_hit_rate
    );
    Ok(())
}
