//! The estimator contract (`voltai_core::contract`) for every estimator of
//! this crate: C-SVC (binary and one-vs-one), ε-SVR, one-class SVM and MKL.

use ndarray::{Array1, Array2};
use voltai_core::contract::{ContractOptions, check_classifier, check_estimator, check_regressor};
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Dataset, Result};
use voltai_kernels::kernels::{OnColumns, Rbf};
use voltai_kernels::{MklParams, OneClassSvmParams, SvcParams, SvrParams};

/// `classes` Gaussian blobs in 2-D, 20 points each, overlapping a little.
fn blobs(classes: usize, seed: u64) -> Dataset {
    let mut rng = SplitMix64::new(seed);
    let n = 20 * classes;
    let y = Array1::from_shape_fn(n, |i| (i % classes) as f64);
    let x = Array2::from_shape_fn((n, 2), |(i, j)| {
        let c = (i % classes) as f64;
        let centre = if j == 0 { 2.0 * c } else { (c * 1.3).sin() };
        centre + 0.6 * rng.normal()
    });
    Dataset::new(x, y).expect("finite synthetic data")
}

fn smooth_regression(seed: u64) -> Dataset {
    let mut rng = SplitMix64::new(seed);
    let x = Array2::from_shape_fn((40, 2), |_| 4.0 * rng.uniform() - 2.0);
    let y = Array1::from_shape_fn(40, |i| {
        x[[i, 0]].sin() + 0.5 * x[[i, 1]] + 0.05 * rng.normal()
    });
    Dataset::new(x, y).expect("finite synthetic data")
}

/// SMO stops at a KKT tolerance of 1e-3, so a different row order reaches a
/// slightly different point of the same optimum.
fn smo_options() -> ContractOptions {
    ContractOptions {
        permutation_tolerance: Some(2e-2),
        ..ContractOptions::default()
    }
}

#[test]
fn svc_meets_the_contract() -> Result<()> {
    let params = SvcParams::new(Rbf::new(1.0)?).c(10.0)?;
    check_classifier("SVC, two classes", &params, &blobs(2, 1), &smo_options())?;
    check_classifier("SVC, one-vs-one", &params, &blobs(3, 2), &smo_options())?;
    let platt = SvcParams::new(Rbf::new(1.0)?).probability(true).seed(3);
    // Platt scaling cross-validates on a seeded shuffle of the rows, so the
    // probabilities (not the decision values) depend on row order.
    check_classifier(
        "SVC with Platt scaling",
        &platt,
        &blobs(2, 4),
        &smo_options(),
    )
}

#[test]
fn svr_meets_the_contract() -> Result<()> {
    let params = SvrParams::new(Rbf::new(1.0)?).c(10.0)?.epsilon(0.05)?;
    check_regressor("SVR", &params, &smooth_regression(5), &smo_options())
}

#[test]
fn mkl_meets_the_contract() -> Result<()> {
    let params = MklParams::new(vec![
        OnColumns::new(vec![0], Rbf::new(1.0)?)?,
        OnColumns::new(vec![1], Rbf::new(1.0)?)?,
    ])?
    .c(10.0)?;
    check_classifier("MKL", &params, &blobs(2, 6), &smo_options())
}

#[test]
fn one_class_svm_meets_the_contract() -> Result<()> {
    let data = blobs(2, 7);
    let params = OneClassSvmParams::new(Rbf::new(1.0)?).nu(0.2)?;
    check_estimator("one-class SVM", &params, &data, &smo_options(), &|m, x| {
        Ok(m.decision_function(x)?.to_vec())
    })
}
