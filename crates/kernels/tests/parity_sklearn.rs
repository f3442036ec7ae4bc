//! Parity with scikit-learn 1.9.1 (libsvm): support-vector counts within 1 %,
//! decision values within 1e-3, identical labels where |decision| > 1e-3, and
//! the same one-class outliers. Reference values: tools/reference/svm/.

mod common;

use common::*;
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Classifier, Dataset, Fit};
use voltai_kernels::kernels::Rbf;
use voltai_kernels::{ClassWeight, OneClassSvmParams, SvcParams};

fn check_svc(data: &Dataset, reference: &serde_json::Value) {
    let gamma = reference["gamma"].as_f64().unwrap();
    let c = reference["C"].as_f64().unwrap();
    let model = SvcParams::new(Rbf::from_gamma(gamma).unwrap())
        .c(c)
        .unwrap()
        .class_weight(ClassWeight::Balanced)
        .unwrap()
        .fit(data)
        .unwrap();
    let n_sv_ref = reference["n_support"].as_u64().unwrap() as f64;
    let n_sv = model.support().len() as f64;
    assert!(
        (n_sv - n_sv_ref).abs() <= 0.01 * n_sv_ref,
        "n_SV {n_sv} vs scikit-learn {n_sv_ref}"
    );
    let dec = model.decision_function(data.features()).unwrap();
    let want = floats(&reference["decision"]);
    let labels = model.predict(data.features()).unwrap();
    let want_labels = floats(&reference["predicted"]);
    let mut worst = 0.0f64;
    for i in 0..want.len() {
        worst = worst.max((dec[[i, 0]] - want[i]).abs());
        if want[i].abs() > 1e-3 {
            assert_eq!(labels[i] as f64, want_labels[i], "label of row {i}");
        }
    }
    assert!(worst <= 1e-3, "max |Δdecision| = {worst}");
}

#[test]
fn breast_cancer_balanced_rbf_svc_matches_sklearn() {
    check_svc(&breast_cancer(), &reference("breast_cancer_svc.json"));
}

#[test]
fn imbalanced_synthetic_svc_matches_sklearn() {
    let (x, y) = imbalanced(5000, 20, 42);
    check_svc(&standardised(x, y), &reference("imbalanced_svc.json"));
}

#[test]
fn one_class_flags_the_same_points_as_sklearn() {
    let r = reference("one_class.json");
    let x = SplitMix64::new(7).normal_matrix(1000, 5);
    let model = OneClassSvmParams::new(Rbf::from_gamma(0.2).unwrap())
        .nu(0.1)
        .unwrap()
        .fit(&Dataset::unsupervised(x.clone()).unwrap())
        .unwrap();
    let dec = model.decision_function(x.view()).unwrap();
    let want = floats(&r["decision"]);
    let worst = dec
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst <= 1e-3, "max |Δdecision| = {worst}");
    let flags = model.is_outlier(x.view()).unwrap();
    let want_flags: Vec<bool> = r["outlier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_bool().unwrap())
        .collect();
    for i in 0..flags.len() {
        if want[i].abs() > 1e-3 {
            assert_eq!(flags[i], want_flags[i], "row {i}");
        }
    }
    let n_sv_ref = r["n_support"].as_u64().unwrap() as f64;
    assert!((model.support().len() as f64 - n_sv_ref).abs() <= 0.01 * n_sv_ref);
}
