//! Robust multi-fidelity fits: a cheap source whose likelihood is multimodal,
//! the diagnostics that name a degenerate fit, NARGP against AR1 on a
//! nonlinear relation, callable simulators, the hyperparameter sampler
//! against a grid posterior, and the named predictive quantities.

use ndarray::{Array1, Array2, ArrayView2, array};
use voltai_core::metrics::rmse;
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Dataset, Fit, Predictive, Result};
use voltai_gp::{
    FitDiagnostic, GpParams, HyperSampling, Hyperparameters, Mean, MultiFidelityParams, NoiseModel,
    Predict, Scheme, Simulator, cheap_gp,
};
use voltai_kernels::Kernel;
use voltai_kernels::kernels::{Rbf, Scaled, Sum, White};

/// Cheap source: a trend plus an oscillation. With 80 points and noise sd 0.1
/// its likelihood has two optima: the oscillation resolved (length-scale
/// ≈ 0.06), or read as noise (length-scale ≈ 0.5, noise ≈ 0.3 of the variance).
fn f_lo(x: f64) -> f64 {
    0.5 * (2.0 * std::f64::consts::PI * x / 0.25).sin() + 2.0 * x
}

/// Expensive source: the cheap one with a smooth bias.
fn f_hi(x: f64) -> f64 {
    f_lo(x) + 0.4 * (x - 0.5) + 0.1
}

struct Problem {
    low: Dataset,
    high: Dataset,
    test_x: Array2<f64>,
    test_y: Array1<f64>,
    cheap_alone: f64,
}

fn multimodal(seed: u64) -> Problem {
    let mut rng = SplitMix64::new(seed);
    let xl: Vec<f64> = (0..80).map(|_| rng.uniform()).collect();
    let yl: Array1<f64> = xl.iter().map(|&x| f_lo(x) + 0.1 * rng.normal()).collect();
    let xh: Vec<f64> = (0..8).map(|_| rng.uniform()).collect();
    let yh: Array1<f64> = xh.iter().map(|&x| f_hi(x) + 0.02 * rng.normal()).collect();
    let test_x = Array2::from_shape_fn((300, 1), |(i, _)| i as f64 / 299.0);
    let test_y = test_x.column(0).mapv(f_hi);
    let cheap_alone = rmse(test_y.view(), test_x.column(0).mapv(f_lo).view()).unwrap();
    Problem {
        low: Dataset::new(Array2::from_shape_vec((80, 1), xl).unwrap(), yl).unwrap(),
        high: Dataset::new(Array2::from_shape_vec((8, 1), xh).unwrap(), yh).unwrap(),
        test_x,
        test_y,
        cheap_alone,
    }
}

#[test]
fn default_settings_never_lose_to_the_cheap_model_on_a_multimodal_cheap_likelihood() {
    let mut coverage = Vec::new();
    for seed in 0..20 {
        let d = multimodal(seed);
        let cheap = cheap_gp(1, seed).unwrap().fit(&d.low).unwrap();
        let model = MultiFidelityParams::new(Scheme::Linear)
            .hyperparameters(Hyperparameters::Sampled(
                HyperSampling::default().seed(seed),
            ))
            .fit(cheap, &d.high)
            .unwrap();
        assert!(
            model.diagnostics().is_empty(),
            "seed {seed}: {:?}",
            model.diagnostics()
        );
        let p = model.predictive(d.test_x.view(), Predict::Latent).unwrap();
        let e = rmse(d.test_y.view(), p.mean.view()).unwrap();
        assert!(
            e <= 1.2 * d.cheap_alone,
            "seed {seed}: RMSE {e:.3} vs cheap model alone {:.3}",
            d.cheap_alone
        );
        coverage.push(p.coverage(d.test_y.view(), 1.959_964).unwrap());
    }
    let mean = coverage.iter().sum::<f64>() / coverage.len() as f64;
    assert!(
        (0.85..=0.99).contains(&mean),
        "mean 95 % coverage {mean:.3}"
    );
}

#[test]
fn every_harmful_fit_from_a_bad_start_is_named_by_the_diagnostics() {
    // The cheap GP started in the basin of the "oscillation is noise" optimum
    // with no restarts: some seeds stay there, and the fused model then loses
    // the oscillation. Each such fit must say so.
    let mut harmful = 0;
    for seed in 0..20 {
        let d = multimodal(seed);
        let kernel = Sum(
            Scaled::new(1.0, Rbf::new(0.6).unwrap()).unwrap(),
            White::new(0.3).unwrap(),
        );
        let cheap = GpParams::new(kernel)
            .mean(Mean::Constant)
            .optimize(0, seed)
            .fit(&d.low)
            .unwrap();
        let model = MultiFidelityParams::new(Scheme::Linear)
            .hyperparameters(Hyperparameters::PointEstimate { seed })
            .fit(cheap, &d.high)
            .unwrap();
        let e = rmse(
            d.test_y.view(),
            voltai_core::Regressor::predict(&model, d.test_x.view())
                .unwrap()
                .view(),
        )
        .unwrap();
        if e > 1.2 * d.cheap_alone {
            harmful += 1;
            assert!(
                model
                    .diagnostics()
                    .iter()
                    .any(|g| matches!(g, FitDiagnostic::NoiseDominates { level: 0, .. })),
                "seed {seed}: RMSE {e:.3} with no diagnostic"
            );
        }
    }
    assert!(harmful > 0, "the bad start should trap some seeds");
}

#[test]
fn nargp_learns_a_nonlinear_relation_that_ar1_cannot() {
    // Perdikaris et al. (2017), eq. 4.1: f_lo = sin(8πx), f_hi = (x − √2)·f_lo².
    let lo = |x: f64| (8.0 * std::f64::consts::PI * x).sin();
    let hi = |x: f64| (x - 2f64.sqrt()) * lo(x).powi(2);
    let sim = || {
        Simulator::new(1, move |x: ArrayView2<'_, f64>| -> Result<Array1<f64>> {
            Ok(x.column(0).mapv(lo))
        })
    };
    let xh = Array2::from_shape_fn((15, 1), |(i, _)| i as f64 / 14.0);
    let yh = xh.column(0).mapv(hi);
    let high = Dataset::new(xh, yh).unwrap();
    let test_x = Array2::from_shape_fn((200, 1), |(i, _)| i as f64 / 199.0);
    let test_y = test_x.column(0).mapv(hi);
    let err = |scheme| {
        let m = MultiFidelityParams::new(scheme).fit(sim(), &high).unwrap();
        rmse(
            test_y.view(),
            voltai_core::Regressor::predict(&m, test_x.view())
                .unwrap()
                .view(),
        )
        .unwrap()
    };
    let (linear, nonlinear) = (err(Scheme::Linear), err(Scheme::Nonlinear));
    assert!(
        nonlinear < 0.5 * linear,
        "NARGP {nonlinear:.4} vs AR1 {linear:.4}"
    );
    assert!(nonlinear < 0.05, "NARGP RMSE {nonlinear:.4}");
}

#[test]
fn an_input_dependent_scale_is_recovered() {
    // f_hi = (1 + x)·f_lo exactly: ρ(x) = 1 + x.
    let lo = |x: f64| (3.0 * x).sin() + 2.0;
    let sim = Simulator::new(1, move |x: ArrayView2<'_, f64>| -> Result<Array1<f64>> {
        Ok(x.column(0).mapv(lo))
    });
    let xh = Array2::from_shape_fn((8, 1), |(i, _)| i as f64 / 7.0);
    let yh = xh.column(0).mapv(|x| (1.0 + x) * lo(x));
    let m = MultiFidelityParams::new(Scheme::InputScaled)
        .hyperparameters(Hyperparameters::PointEstimate { seed: 0 })
        .fit(sim, &Dataset::new(xh, yh).unwrap())
        .unwrap();
    let rho = m.rho(array![[0.0], [1.0]].view()).unwrap();
    assert!((rho[[0, 0]] - 1.0).abs() < 0.05, "ρ(0) = {}", rho[[0, 0]]);
    assert!((rho[[0, 1]] - 2.0).abs() < 0.05, "ρ(1) = {}", rho[[0, 1]]);
}

#[test]
fn a_simulator_is_evaluated_where_needed_and_its_errors_surface() {
    let bad = Simulator::new(1, |x: ArrayView2<'_, f64>| -> Result<Array1<f64>> {
        Ok(x.column(0).mapv(|v| if v > 0.5 { f64::NAN } else { v }))
    });
    let xh = array![[0.1], [0.2], [0.3], [0.4]];
    let high = Dataset::new(xh, array![0.1, 0.2, 0.3, 0.4]).unwrap();
    let m = MultiFidelityParams::new(Scheme::Linear)
        .hyperparameters(Hyperparameters::PointEstimate { seed: 0 })
        .fit(bad, &high)
        .unwrap();
    // Fine where the simulator is finite, an error (not a NaN) where it is not.
    assert!(m.predictive(array![[0.25]].view(), Predict::Latent).is_ok());
    let err = m
        .predictive(array![[0.9]].view(), Predict::Latent)
        .unwrap_err();
    assert!(err.to_string().contains("non-finite"), "{err}");
    // Wrong input width.
    assert!(
        m.predictive(array![[0.1, 0.2]].view(), Predict::Latent)
            .is_err()
    );
}

#[test]
fn a_cheap_source_that_returns_the_wrong_length_is_an_error() {
    struct Short;
    impl voltai_gp::CheapSource for Short {
        fn n_features(&self) -> usize {
            1
        }
        fn cheap_predictive(&self, x: ArrayView2<'_, f64>) -> Result<Predictive> {
            let n = x.nrows().saturating_sub(1);
            Predictive::new(Array1::zeros(n), Array1::zeros(n))
        }
    }
    let high = Dataset::new(array![[0.1], [0.2], [0.3]], array![1.0, 2.0, 3.0]).unwrap();
    let err = MultiFidelityParams::new(Scheme::InputScaled)
        .fit(Short, &high)
        .err()
        .expect("a short cheap prediction must be refused");
    assert!(err.to_string().contains("cheap-source mean"), "{err}");
}

#[test]
fn the_sampler_matches_a_grid_posterior() {
    // One hyperparameter (the length-scale; fixed noise, zero mean): the
    // posterior mean of ln ℓ by quadrature on a grid of the documented prior
    // times the likelihood, against the sampler's average.
    let x = array![[0.0], [0.3], [0.45], [0.8], [1.0]];
    let y = array![0.1, 0.9, 1.0, -0.6, -0.9];
    let data = Dataset::new(x.clone(), y).unwrap();
    let params = GpParams::new(Rbf::new(0.3).unwrap()).noise(NoiseModel::Fixed(0.05));
    // Prior: ln(ℓ / range) ~ N(√2 + ½ ln 1, 3); range 1.
    let (mu, sd) = (std::f64::consts::SQRT_2, 3f64.sqrt());
    let (lo, hi) = ((1e-2f64).ln(), (1e2f64).ln());
    let grid: Vec<f64> = (0..=2000)
        .map(|k| lo + (hi - lo) * k as f64 / 2000.0)
        .collect();
    let log_post: Vec<f64> = grid
        .iter()
        .map(|&t| {
            let gp = GpParams::new(Rbf::new(t.exp()).unwrap())
                .noise(NoiseModel::Fixed(0.05))
                .fit(&data)
                .unwrap();
            gp.log_marginal_likelihood() - 0.5 * ((t - mu) / sd).powi(2)
        })
        .collect();
    let peak = log_post.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = log_post.iter().map(|v| (v - peak).exp()).collect();
    let z: f64 = w.iter().sum();
    let mean: f64 = grid.iter().zip(&w).map(|(t, w)| t * w).sum::<f64>() / z;
    let var: f64 = grid
        .iter()
        .zip(&w)
        .map(|(t, w)| (t - mean).powi(2) * w)
        .sum::<f64>()
        / z;
    let sampling = HyperSampling {
        samples: 2000,
        burn_in: 50,
        thin: 1,
        seed: 3,
    };
    let model = params
        .clone()
        .marginalize(sampling)
        .unwrap()
        .fit(&data)
        .unwrap();
    let draws: Vec<f64> = model
        .hyperparameter_samples()
        .column(0)
        .iter()
        .map(|v| v.ln())
        .collect();
    let m = draws.iter().sum::<f64>() / draws.len() as f64;
    let v = draws.iter().map(|d| (d - m).powi(2)).sum::<f64>() / draws.len() as f64;
    // Slice-sampler draws are nearly independent here; allow 5 standard errors.
    let se = (var / 2000.0).sqrt() * 2.0;
    assert!(
        (m - mean).abs() < 5.0 * se,
        "sampled mean {m:.4} vs grid {mean:.4} (se {se:.4})"
    );
    assert!((v / var - 1.0).abs() < 0.2, "variance {v:.4} vs {var:.4}");
    // Same seed, same draws.
    let again = params
        .clone()
        .marginalize(sampling)
        .unwrap()
        .fit(&data)
        .unwrap();
    assert_eq!(
        again.hyperparameter_samples(),
        model.hyperparameter_samples()
    );
}

#[test]
fn latent_and_observation_predictives_differ_by_the_noise_alone() {
    let x = Array2::from_shape_fn((30, 1), |(i, _)| i as f64 / 29.0);
    let mut rng = SplitMix64::new(5);
    let y =
        x.column(0).mapv(|v| (4.0 * v).sin()) + Array1::from_shape_fn(30, |_| 0.1 * rng.normal());
    let kernel = Sum(
        Scaled::new(1.0, Rbf::new(0.3).unwrap()).unwrap(),
        White::new(1e-2).unwrap(),
    );
    let gp = GpParams::new(kernel)
        .optimize_auto(0)
        .fit(&Dataset::new(x.clone(), y).unwrap())
        .unwrap();
    let f = gp.predictive(x.view(), Predict::Latent).unwrap();
    let o = gp.predictive(x.view(), Predict::Observation).unwrap();
    // Kernel hyperparameters live on the normalised scale.
    let noise = gp.kernel().1.log_params()[0].exp() * gp.y_scale().powi(2);
    for i in 0..30 {
        assert_eq!(f.mean[i], o.mean[i]);
        // Plus the fixed 1e-10 every GP adds by default.
        assert!(
            (o.variance[i] - f.variance[i] - noise - 1e-10).abs() < 1e-9 * noise,
            "{} vs {noise}",
            o.variance[i] - f.variance[i]
        );
    }
    // The learned noise is near the true 0.01.
    assert!((0.004..0.025).contains(&noise), "noise {noise}");
}
