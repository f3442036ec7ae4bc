//! Parity with scikit-learn 1.9.1 (libsvm): support-vector counts within 1 %,
//! decision values within 1e-3, identical labels where |decision| > 1e-3, and
//! the same one-class outliers. Reference values: tools/reference/svm/.

use crate::common;

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

#[test]
fn epsilon_svr_matches_sklearn() {
    let r = reference("svr.json");
    let mut rng = SplitMix64::new(11);
    let x = rng.normal_matrix(300, 3);
    let noise: Vec<f64> = (0..300).map(|_| rng.normal()).collect();
    let y: ndarray::Array1<f64> = (0..300)
        .map(|i| x[[i, 0]].sin() + 0.5 * x[[i, 1]] + 0.1 * noise[i])
        .collect();
    let model = voltai_kernels::SvrParams::new(Rbf::from_gamma(0.5).unwrap())
        .c(1.0)
        .unwrap()
        .epsilon(0.1)
        .unwrap()
        .fit(&Dataset::new(x.clone(), y).unwrap())
        .unwrap();
    use voltai_core::Regressor;
    let pred = model.predict(x.view()).unwrap();
    let want = floats(&r["predicted"]);
    let worst = pred
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst <= 1e-3, "max |Δprediction| = {worst}");
    let n_sv_ref = r["n_support"].as_u64().unwrap() as f64;
    assert!((model.support().len() as f64 - n_sv_ref).abs() <= 0.01 * n_sv_ref + 1.0);
}

#[test]
fn one_vs_one_multiclass_matches_sklearn() {
    let r = reference("multiclass_svc.json");
    let x = SplitMix64::new(13).normal_matrix(600, 4);
    let y = ndarray::Array1::from(floats(&r["labels"]));
    let tight = voltai_kernels::SmoOptions {
        tol: 1e-6,
        ..Default::default()
    };
    let model = SvcParams::new(Rbf::from_gamma(0.3).unwrap())
        .c(2.0)
        .unwrap()
        .smo(tight)
        .unwrap()
        .fit(&Dataset::new(x.clone(), y).unwrap())
        .unwrap();
    assert_eq!(model.classes(), &[0, 1, 2]);
    let dec = model.decision_function(x.view()).unwrap();
    let want: Vec<Vec<f64>> = r["decision_ovo"]
        .as_array()
        .unwrap()
        .iter()
        .map(floats)
        .collect();
    let mut worst = 0.0f64;
    for i in 0..600 {
        for p in 0..3 {
            // scikit-learn's ovo column (a, b) is positive for a; ours for b.
            worst = worst.max((dec[[i, p]] + want[i][p]).abs());
        }
    }
    assert!(worst <= 1e-4, "max |Δdecision| = {worst}");
    let pred = model.predict(x.view()).unwrap();
    let want_pred = floats(&r["predicted"]);
    let agree = pred
        .iter()
        .zip(&want_pred)
        .filter(|(a, b)| **a as f64 == **b)
        .count();
    assert_eq!(agree, 600);
    let n_sv_ref = r["n_support"].as_u64().unwrap() as f64;
    assert!((model.support().len() as f64 - n_sv_ref).abs() <= 0.01 * n_sv_ref);
}
