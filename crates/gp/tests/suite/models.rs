//! Multi-fidelity, Bayesian linear regression, noise models, posterior
//! consistency and bad input.

use crate::common;

use ndarray::{Array1, Array2, array};
use proptest::prelude::*;
use voltai_core::metrics::rmse;
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Dataset, Fit, ProbabilisticRegressor, Regressor};
use voltai_gp::{
    BayesianLinearParams, CoKrigingParams, GpParams, Mean, NoiseModel, Predict, learning_curve,
};
use voltai_kernels::kernels::{Rbf, Scaled, Sum, White};

fn f_high(x: f64) -> f64 {
    (14.0 * x).sin() + x
}
/// A cheap model: the right shape with a small smooth bias (and noisier data).
fn f_low(x: f64) -> f64 {
    f_high(x) + 0.05 * (x - 0.5)
}

struct TwoLevel {
    low: Dataset,
    high: Dataset,
    test_x: Array2<f64>,
    test_y: Array1<f64>,
}

fn two_level(seed: u64) -> TwoLevel {
    let mut rng = SplitMix64::new(seed);
    let xl: Vec<f64> = (0..50).map(|_| rng.uniform()).collect();
    let yl: Array1<f64> = xl.iter().map(|&x| f_low(x) + 0.1 * rng.normal()).collect();
    let xh: Vec<f64> = (0..6).map(|k| (k as f64 + 0.5) / 6.0).collect();
    let yh: Array1<f64> = xh
        .iter()
        .map(|&x| f_high(x) + 0.01 * rng.normal())
        .collect();
    let test: Vec<f64> = (0..200).map(|k| k as f64 / 199.0).collect();
    TwoLevel {
        low: Dataset::new(Array2::from_shape_vec((50, 1), xl).unwrap(), yl).unwrap(),
        high: Dataset::new(Array2::from_shape_vec((6, 1), xh).unwrap(), yh).unwrap(),
        test_y: test.iter().map(|&x| f_high(x)).collect(),
        test_x: Array2::from_shape_vec((200, 1), test).unwrap(),
    }
}

fn kernel() -> Scaled<Rbf> {
    Scaled::new(1.0, Rbf::new(0.1).unwrap()).unwrap()
}

#[test]
fn both_multifidelity_formulations_beat_high_fidelity_alone() {
    let d = two_level(1);
    let high_only = GpParams::new(kernel()).optimize(3, 0).fit(&d.high).unwrap();
    let rmse_high = rmse(
        d.test_y.view(),
        high_only.predict(d.test_x.view()).unwrap().view(),
    )
    .unwrap();

    // (a) one GP over both sources, one learned noise level per source.
    let x = ndarray::concatenate(ndarray::Axis(0), &[d.low.features(), d.high.features()]).unwrap();
    let y = ndarray::concatenate(
        ndarray::Axis(0),
        &[d.low.targets().unwrap(), d.high.targets().unwrap()],
    )
    .unwrap();
    let groups: Vec<usize> = (0..56).map(|i| usize::from(i >= 50)).collect();
    let pooled = GpParams::new(kernel())
        .noise(NoiseModel::PerGroup {
            groups,
            initial: vec![0.01, 0.01],
        })
        .optimize(3, 0)
        .fit(&Dataset::new(x, y).unwrap())
        .unwrap();
    let rmse_pooled = rmse(
        d.test_y.view(),
        pooled.predict(d.test_x.view()).unwrap().view(),
    )
    .unwrap();
    let noise = pooled.group_noise();
    assert!(
        noise[0] > 5.0 * noise[1],
        "low-fidelity noise {} vs high {}",
        noise[0],
        noise[1]
    );

    // (b) Kennedy–O'Hagan co-kriging.
    let level = |w: f64| GpParams::new(Sum(kernel(), White::new(w).unwrap())).optimize(3, 0);
    let ck = CoKrigingParams::new(vec![level(0.1), level(1e-3)])
        .unwrap()
        .fit(&[d.low.clone(), d.high.clone()])
        .unwrap();
    let rmse_ck = rmse(d.test_y.view(), ck.predict(d.test_x.view()).unwrap().view()).unwrap();
    let rho = ck.rho().unwrap()[0];
    assert!((rho - 1.0).abs() < 0.3, "ρ = {rho}");
    eprintln!(
        "RMSE high-only {rmse_high:.4}, pooled {rmse_pooled:.4}, co-kriging {rmse_ck:.4}; noise {noise:?}; ρ {rho:.3}"
    );
    assert!(
        rmse_pooled < rmse_high,
        "pooled {rmse_pooled} vs high-only {rmse_high}"
    );
    assert!(
        rmse_ck < rmse_high,
        "co-kriging {rmse_ck} vs high-only {rmse_high}"
    );
    let p = ck.predict_dist(d.test_x.view()).unwrap();
    assert!(p.variance.iter().all(|v| *v > 0.0));
    // Per-level predictions: the top level is `predictive`, level 0 is the
    // cheapest GP on its own, and a level past the top is refused.
    let top = ck
        .level_predictive(d.test_x.view(), 1, Predict::Observation)
        .unwrap();
    assert_eq!(top, p);
    let low = ck
        .level_predictive(d.test_x.view(), 0, Predict::Latent)
        .unwrap();
    let own = ck.levels()[0]
        .predictive(d.test_x.view(), Predict::Latent)
        .unwrap();
    for (a, b) in low.mean.iter().zip(own.mean.iter()) {
        assert!((a - b).abs() < 1e-12);
    }
    for (a, b) in low.variance.iter().zip(own.variance.iter()) {
        assert!((a - b).abs() < 1e-12);
    }
    assert!(
        ck.level_predictive(d.test_x.view(), 2, Predict::Latent)
            .is_err()
    );
}

#[test]
fn bayesian_linear_noise_converges_and_model_variance_decays_as_one_over_n() {
    let (n, dim, sigma2) = (4000, 3, 0.25f64);
    let mut rng = SplitMix64::new(4);
    let x = rng.normal_matrix(n, dim);
    let w = array![1.5, -2.0, 0.5];
    let y: Array1<f64> = x.dot(&w).mapv(|v| v + 3.0 + sigma2.sqrt() * rng.normal());
    let train = Dataset::new(x.clone(), y.clone()).unwrap();
    let eval = Dataset::new(rng.normal_matrix(500, dim), Array1::zeros(500)).unwrap();
    let sizes = [50, 100, 200, 400, 800, 1600, 3200];
    let curve = learning_curve(&BayesianLinearParams::new(), &train, &eval, &sizes, 9).unwrap();
    let last = curve.last().unwrap();
    assert!(
        (last.noise_variance - sigma2).abs() < 0.03,
        "noise {}",
        last.noise_variance
    );
    // log-log slope of model variance vs n ≈ −1.
    let (lx, ly): (Vec<f64>, Vec<f64>) = curve
        .iter()
        .map(|p| ((p.n_train as f64).ln(), p.model_variance.ln()))
        .unzip();
    let slope = voltai_core::stats::Line::fit(&lx, &ly).unwrap().slope;
    assert!((slope + 1.0).abs() < 0.2, "slope {slope}");
    let model = BayesianLinearParams::new().fit(&train).unwrap();
    assert!((model.intercept() - 3.0).abs() < 0.05);
    assert!(
        model
            .weights()
            .iter()
            .zip(w.iter())
            .all(|(a, b)| (a - b).abs() < 0.05)
    );
}

#[test]
fn per_point_noise_widens_the_aleatoric_band_only_where_given() {
    // Heteroscedastic known noise: the fit follows precise points more closely.
    let x = Array2::from_shape_fn((30, 1), |(i, _)| i as f64 / 29.0);
    let y = x.column(0).mapv(|v| (6.0 * v).sin());
    let noise: Vec<f64> = (0..30).map(|i| if i < 15 { 1e-4 } else { 0.5 }).collect();
    let gp = GpParams::new(kernel())
        .noise(NoiseModel::PerPoint(noise))
        .fit(&Dataset::new(x.clone(), y.clone()).unwrap())
        .unwrap();
    let p = gp.predictive(x.view(), Predict::Latent).unwrap();
    let epi = &p.parts.as_ref().unwrap().epistemic;
    assert!(epi[5] < epi[25], "more uncertain where the data are noisy");
    // A new point's noise is not known: the observation predictive must be asked for by name.
    assert!(gp.predict_dist(x.view()).is_err());
    let q = gp
        .predictive(x.view(), Predict::ObservationWithNoise(0.5))
        .unwrap();
    assert!(
        (&q.variance - &p.variance)
            .iter()
            .all(|d| (d - 0.5).abs() < 1e-12)
    );
}

#[test]
fn covariance_samples_and_mean_functions_are_consistent() {
    let (x, y) = common::problem(40, 3);
    let data = Dataset::new(x, y).unwrap();
    let xt = SplitMix64::new(8).normal_matrix(5, 3);
    for mean in [Mean::Zero, Mean::Constant, Mean::Linear] {
        let gp = GpParams::new(Sum(
            Scaled::new(1.0, Rbf::new(1.0).unwrap()).unwrap(),
            White::new(0.01).unwrap(),
        ))
        .mean(mean)
        .fit(&data)
        .unwrap();
        let p = gp.predict_dist(xt.view()).unwrap();
        let cov = gp.predict_covariance(xt.view()).unwrap();
        for i in 0..5 {
            let epi = p.parts.as_ref().unwrap().epistemic[i];
            assert!((cov[[i, i]] - epi).abs() < 1e-9 * (1.0 + epi), "{mean:?}");
        }
        let s = gp.sample(xt.view(), 4000, 1).unwrap();
        let m = s.mean_axis(ndarray::Axis(0)).unwrap();
        for i in 0..5 {
            assert!(
                (m[i] - p.mean[i]).abs() < 4.0 * (cov[[i, i]] / 4000.0).sqrt() + 1e-9,
                "{mean:?} sample mean"
            );
        }
        assert_eq!(
            gp.sample(xt.view(), 3, 7).unwrap(),
            gp.sample(xt.view(), 3, 7).unwrap()
        );
    }
}

#[test]
fn fitted_gp_round_trips_through_json() {
    let (x, y) = common::problem(30, 5);
    let gp = GpParams::new(kernel())
        .fit(&Dataset::new(x.clone(), y).unwrap())
        .unwrap();
    let back: voltai_gp::Gp<Scaled<Rbf>> =
        serde_json::from_str(&serde_json::to_string(&gp).unwrap()).unwrap();
    assert_eq!(
        gp.predict(x.view()).unwrap(),
        back.predict(x.view()).unwrap()
    );
}

#[test]
fn duplicate_inputs_without_noise_get_documented_jitter() {
    let x = array![[0.0], [0.0], [1.0]];
    let y = array![1.0, 1.0, 2.0];
    let gp = GpParams::new(kernel())
        .noise(NoiseModel::Fixed(0.0))
        .fit(&Dataset::new(x, y).unwrap())
        .unwrap();
    assert!(gp.jitter() > 0.0, "singular K needed jitter");
}

#[test]
fn bad_input_is_an_error() {
    let x = array![[0.0], [1.0], [2.0]];
    let y = array![0.0, 1.0, 0.5];
    let d = Dataset::new(x.clone(), y).unwrap();
    let gp = GpParams::new(kernel()).fit(&d).unwrap();
    assert!(
        gp.predict(array![[0.0, 1.0]].view()).is_err(),
        "mismatched dims"
    );
    assert!(gp.predict(array![[f64::NAN]].view()).is_err());
    let inverted = voltai_gp::OptimizerSettings {
        restarts: 0,
        seed: 0,
        bounds: vec![(1.0, 0.1), (1e-5, 1e5)],
        max_iter: 10,
        priors: vec![],
        start_box: None,
    };
    assert!(
        GpParams::new(kernel()).optimizer(inverted).is_err(),
        "bounds inverted"
    );
    assert!(
        GpParams::new(kernel())
            .noise(NoiseModel::PerPoint(vec![0.1]))
            .fit(&d)
            .is_err()
    );
    assert!(
        GpParams::new(kernel())
            .noise(NoiseModel::Fixed(-1.0))
            .fit(&d)
            .is_err()
    );
    assert!(
        GpParams::new(kernel())
            .noise(NoiseModel::PerGroup {
                groups: vec![0, 1, 2],
                initial: vec![0.1]
            })
            .fit(&d)
            .is_err()
    );
    assert!(
        GpParams::new(Rbf::ard(vec![1.0, 1.0]).unwrap())
            .fit(&d)
            .is_err(),
        "ARD width"
    );
    assert!(CoKrigingParams::new(vec![GpParams::new(kernel())]).is_err());
    assert!(
        BayesianLinearParams::new()
            .fit(&Dataset::new(array![[1.0]], array![1.0]).unwrap())
            .is_err()
    );
}

proptest! {
    #[test]
    fn random_inputs_never_panic(v in proptest::collection::vec(prop_oneof![-3.0f64..3.0, Just(0.0)], 2..30),
                                 noise in prop_oneof![Just(0.0), 1e-12f64..1.0], optimise in any::<bool>()) {
        let n = v.len() / 2;
        if n >= 1 {
            let x = Array2::from_shape_vec((n, 1), v[..n].to_vec()).unwrap();
            let y = Array1::from(v[n..2 * n].to_vec());
            let data = Dataset::new(x.clone(), y).unwrap();
            let mut p = GpParams::new(kernel()).noise(NoiseModel::Fixed(noise));
            if optimise { p = p.optimize(1, 0); }
            if let Ok(gp) = p.fit(&data) {
                let pred = gp.predict_dist(x.view()).unwrap();
                prop_assert!(pred.variance.iter().all(|v| v.is_finite() && *v >= 0.0));
            }
        }
    }
}
