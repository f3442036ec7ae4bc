//! The estimator contract (`voltai_core::contract`) for every estimator of
//! this crate that fits a `Dataset`: OLS, ridge, lasso / elastic net,
//! cross-validated elastic net and L2 logistic regression.
//!
//! Not covered yet, with the reason: SINDy's fitted model holds its library
//! and differentiator as trait objects (custom libraries are closures), so
//! it has no serialised form and cannot pass the save → load check; it is
//! checked for determinism and bad input in `tests/sindy_parts.rs`.

use ndarray::{Array1, Array2};
use voltai_core::Dataset;
use voltai_core::Result;
use voltai_core::contract::{ContractOptions, check_classifier, check_regressor};
use voltai_core::synthetic::SplitMix64;
use voltai_discovery::{
    ElasticNetCvParams, ElasticNetParams, Folds, LogisticRegressionParams, RidgeParams,
};

fn linear_data(seed: u64) -> Dataset {
    let mut rng = SplitMix64::new(seed);
    let x = Array2::from_shape_fn((40, 4), |_| rng.normal());
    let y = Array1::from_shape_fn(40, |i| {
        0.5 + 2.0 * x[[i, 0]] - x[[i, 3]] + 0.1 * rng.normal()
    });
    Dataset::new(x, y).expect("finite synthetic data")
}

#[test]
fn linear_models_meet_the_contract() -> Result<()> {
    let data = linear_data(1);
    let options = ContractOptions::default();
    check_regressor("OLS", &RidgeParams::ols(), &data, &options)?;
    check_regressor("ridge", &RidgeParams::new(0.5)?, &data, &options)?;
    // Coordinate descent stops at a tolerance: a different row order stops
    // at a slightly different point.
    let cd = ContractOptions {
        permutation_tolerance: Some(1e-4),
        ..options
    };
    check_regressor("lasso", &ElasticNetParams::lasso(0.05)?, &data, &cd)?;
    check_regressor(
        "elastic net",
        &ElasticNetParams::new().alpha(0.05)?.l1_ratio(0.5)?,
        &data,
        &cd,
    )
}

#[test]
fn cross_validated_elastic_net_meets_the_contract() -> Result<()> {
    // Contiguous k-fold depends on row order by design (as scikit-learn's
    // `cv=k`), so the permutation check does not apply.
    let options = ContractOptions {
        permutation_tolerance: None,
        ..ContractOptions::default()
    };
    let params = ElasticNetCvParams::new(vec![0.5, 1.0])?.folds(Folds::KFold(4))?;
    check_regressor("ElasticNetCV", &params, &linear_data(2), &options)
}

#[test]
fn logistic_regression_meets_the_contract() -> Result<()> {
    let mut rng = SplitMix64::new(3);
    let x = Array2::from_shape_fn((60, 2), |_| rng.normal());
    let y = Array1::from_shape_fn(60, |i| {
        f64::from(u8::from(
            x[[i, 0]] + 0.5 * x[[i, 1]] + 0.5 * rng.normal() > 0.0,
        ))
    });
    let options = ContractOptions {
        permutation_tolerance: Some(1e-6),
        ..ContractOptions::default()
    };
    check_classifier(
        "logistic regression",
        &LogisticRegressionParams::new(),
        &Dataset::new(x, y)?,
        &options,
    )
}
