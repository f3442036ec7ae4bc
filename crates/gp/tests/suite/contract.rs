//! The estimator contract (`voltai_core::contract`) for every estimator of
//! this crate: exact GP, co-kriging and Bayesian linear regression.

use ndarray::{Array1, Array2};
use voltai_core::contract::{ContractOptions, Subject, check_model, check_regressor};
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Dataset, Fit, Regressor, Result};
use voltai_gp::{BayesianLinearParams, CoKrigingParams, GpParams, Mean, NoiseModel};
use voltai_kernels::kernels::{Rbf, Scaled};

fn smooth(n: usize, shift: f64, seed: u64) -> Dataset {
    let mut rng = SplitMix64::new(seed);
    let x = Array2::from_shape_fn((n, 1), |_| 4.0 * rng.uniform());
    let y = Array1::from_shape_fn(n, |i| (x[[i, 0]] + shift).sin() + 0.02 * rng.normal());
    Dataset::new(x, y).expect("finite synthetic data")
}

/// The likelihood optimum does not depend on row order, but L-BFGS-B's path
/// through it does at the level of its stopping tolerance.
fn optimised() -> ContractOptions {
    ContractOptions {
        permutation_tolerance: Some(1e-3),
        ..ContractOptions::default()
    }
}

fn kernel() -> Result<Scaled<Rbf>> {
    Scaled::new(1.0, Rbf::new(0.5)?)
}

#[test]
fn gp_meets_the_contract() -> Result<()> {
    let fixed = GpParams::new(kernel()?).noise(NoiseModel::Fixed(1e-4));
    check_regressor(
        "GP, fixed hyperparameters",
        &fixed,
        &smooth(25, 0.0, 1),
        &ContractOptions::default(),
    )?;
    let fitted = GpParams::new(kernel()?)
        .noise(NoiseModel::Fixed(1e-4))
        .mean(Mean::Constant)
        .optimize(2, 7);
    check_regressor("GP, optimised", &fitted, &smooth(25, 0.0, 2), &optimised())
}

#[test]
fn cokriging_meets_the_contract() -> Result<()> {
    let levels = [smooth(30, 0.1, 3), smooth(8, 0.0, 4)];
    let params = CoKrigingParams::new(vec![
        GpParams::new(kernel()?).noise(NoiseModel::Fixed(1e-4)),
        GpParams::new(kernel()?)
            .noise(NoiseModel::Fixed(1e-4))
            .mean(Mean::Constant),
    ])?;
    // A permutation reorders the expensive level's rows (the cheap level
    // keeps its order).
    check_model(
        &Subject {
            name: "co-kriging",
            fit: &|order| match order {
                Some(rows) => params.fit(&[levels[0].clone(), levels[1].select(rows)?]),
                None => params.fit(&levels),
            },
            n_rows: levels[1].n_samples(),
            x: levels[1].features(),
            predict: &|m, x| Ok(m.predict(x)?.to_vec()),
        },
        &ContractOptions::default(),
    )?;
    Ok(())
}

#[test]
fn bayesian_linear_meets_the_contract() -> Result<()> {
    let mut rng = SplitMix64::new(5);
    let x = Array2::from_shape_fn((30, 3), |_| rng.normal());
    let y = Array1::from_shape_fn(30, |i| {
        1.0 + 2.0 * x[[i, 0]] - x[[i, 2]] + 0.1 * rng.normal()
    });
    check_regressor(
        "Bayesian linear regression",
        &BayesianLinearParams::new(),
        &Dataset::new(x, y)?,
        &ContractOptions::default(),
    )
}
