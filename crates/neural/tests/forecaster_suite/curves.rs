//! (A module of the `forecaster` test binary: one link, one lock.)
//!
//! The curve regressors: each architecture learns a target that depends on
//! the curve's shape (a dip's depth, as ΔQ(V) deepens with fade) better than
//! the training mean on held-out curves, refits identically with the same
//! seed, round-trips through a saved file, and meets the estimator contract.

use ndarray::{Array1, Array2};
use voltai_core::contract::{ContractOptions, check_regressor};
use voltai_core::persist::Persist;
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Dataset, Fit, Regressor};
use voltai_neural::{CurveArchitecture, CurveRegressor, CurveRegressorParams};

use super::SERIAL;

/// Curves of 40 points with a Gaussian dip of random depth and position;
/// the target is the depth.
fn dips(n: usize, seed: u64) -> Dataset {
    let mut rng = SplitMix64::new(seed);
    let mut x = Array2::zeros((n, 40));
    let mut y = Array1::zeros(n);
    for i in 0..n {
        let depth = 0.5 + rng.uniform();
        let centre = 12.0 + 16.0 * rng.uniform();
        for j in 0..40 {
            x[[i, j]] = -depth * (-((j as f64 - centre) / 4.0).powi(2)).exp() + 0.02 * rng.normal();
        }
        y[i] = depth;
    }
    Dataset::new(x, y).unwrap()
}

fn params(architecture: CurveArchitecture) -> CurveRegressorParams {
    // Attention trains best a little slower, on more (shorter) tokens.
    let (epochs, rate, patch) = match architecture {
        CurveArchitecture::Transformer => (300, 5e-3, 4),
        _ => (150, 1e-2, 10),
    };
    CurveRegressorParams::new(architecture)
        .hidden(16)
        .unwrap()
        .patch(patch)
        .unwrap()
        .training(epochs, rate, epochs, 0.0)
        .unwrap()
        .seed(3)
}

#[test]
fn every_architecture_learns_a_dip_depth_refits_identically_and_saves() {
    let _lock = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (train, test) = (dips(200, 1), dips(40, 2));
    let truth = test.targets().unwrap();
    let mean = train.targets().unwrap().mean().unwrap();
    let baseline = (truth.mapv(|t| (t - mean).powi(2)).mean().unwrap()).sqrt();
    for architecture in [
        CurveArchitecture::Mlp,
        CurveArchitecture::Cnn,
        CurveArchitecture::Lstm,
        CurveArchitecture::Transformer,
    ] {
        let p = params(architecture);
        let model = p.fit(&train).unwrap();
        let pred = model.predict(test.features()).unwrap();
        let rmse = ((&pred - &truth).mapv(|e| e * e).mean().unwrap()).sqrt();
        assert!(
            rmse < 0.6 * baseline,
            "{architecture:?}: RMSE {rmse:.3} vs training-mean {baseline:.3}"
        );
        assert_eq!(
            p.fit(&train).unwrap().predict(test.features()).unwrap(),
            pred
        );
        let loaded = CurveRegressor::from_json(&model.to_json().unwrap()).unwrap();
        assert_eq!(loaded.predict(test.features()).unwrap(), pred);
    }
    // Too short for the CNN's two convolutions; bad settings.
    let short = Dataset::new(Array2::zeros((4, 8)), Array1::zeros(4)).unwrap();
    assert!(params(CurveArchitecture::Cnn).fit(&short).is_err());
    assert!(
        CurveRegressorParams::new(CurveArchitecture::Mlp)
            .hidden(0)
            .is_err()
    );
    assert!(
        CurveRegressorParams::new(CurveArchitecture::Lstm)
            .patch(0)
            .is_err()
    );
}

#[test]
fn curve_regressors_meet_the_contract() {
    let _lock = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // The early-stopping hold-out is drawn by row position.
    let options = ContractOptions {
        permutation_tolerance: None,
        fuzz_cases: 16,
        ..ContractOptions::default()
    };
    for architecture in [CurveArchitecture::Mlp, CurveArchitecture::Transformer] {
        let p = CurveRegressorParams::new(architecture)
            .hidden(8)
            .unwrap()
            .training(20, 1e-2, 20, 0.0)
            .unwrap();
        check_regressor(&format!("{architecture:?}"), &p, &dips(30, 5), &options).unwrap();
    }
}
