//! SINDy's swappable parts and its handling of bad input.

use ndarray::{Array1, Array2};
use proptest::prelude::*;
use voltai_core::Fit;
use voltai_discovery::sindy::systems::{add_noise, lorenz};
use voltai_discovery::sindy::{
    ConcatLibrary, CustomLibrary, Differentiator, EnsembleOptimizer, FiniteDifference,
    FourierLibrary, PolynomialLibrary, SavitzkyGolay, SindyParams, Stlsq, Times, TotalVariation,
    Trajectory,
};

fn oscillator(x0: [f64; 2], n: usize, dt: f64) -> Array2<f64> {
    // x'' = -x as a first-order system: x' = y, y' = -x.
    Array2::from_shape_fn((n, 2), |(i, j)| {
        let t = i as f64 * dt;
        let (c, s) = (t.cos(), t.sin());
        match j {
            0 => x0[0] * c + x0[1] * s,
            _ => -x0[0] * s + x0[1] * c,
        }
    })
}

#[test]
fn several_trajectories_are_fitted_together() {
    let dt = 0.01;
    let trajs: Vec<Trajectory> = [[1.0, 0.0], [0.0, 2.0], [-0.5, 0.5]]
        .iter()
        .map(|&x0| Trajectory::new(oscillator(x0, 200, dt), Times::uniform(dt).unwrap()).unwrap())
        .collect();
    let model = SindyParams::new()
        .state_names(&["x", "y"])
        .unwrap()
        .fit(&trajs)
        .unwrap();
    assert_eq!(model.complexity(), 2);
    assert!((model.coefficient("x", "y").unwrap() - 1.0).abs() < 1e-3);
    assert!((model.coefficient("y", "x").unwrap() + 1.0).abs() < 1e-3);
    assert!(model.score(&trajs).unwrap() > 0.9999);
}

#[test]
fn fourier_and_custom_terms_are_discovered_by_name() {
    // A pendulum: θ' = ω, ω' = −2 sin θ.
    let dt = 0.005;
    let n = 2000;
    let x = voltai_discovery::sindy::systems::rk4(
        |s| Array1::from(vec![s[1], -2.0 * s[0].sin()]),
        Array1::from(vec![2.0, 0.0]).view(),
        dt,
        n,
    );
    let library = ConcatLibrary::new(vec![
        Box::new(PolynomialLibrary::new(1).unwrap()),
        Box::new(FourierLibrary::new(1).unwrap()),
        Box::new(CustomLibrary::new().unary("exp({})", f64::exp).unwrap()),
    ])
    .unwrap();
    let model = SindyParams::new()
        .library(library)
        .optimizer(Stlsq::new(0.05).unwrap())
        .state_names(&["theta", "omega"])
        .unwrap()
        .fit(&[Trajectory::new(x, Times::uniform(dt).unwrap()).unwrap()])
        .unwrap();
    let mut active = model.active_terms();
    active.sort();
    assert_eq!(
        active,
        vec![
            ("omega".into(), "sin(1 theta)".into()),
            ("theta".into(), "omega".into())
        ]
    );
    assert!((model.coefficient("omega", "sin(1 theta)").unwrap() + 2.0).abs() < 1e-3);
    assert!(model.equations(2)[1].starts_with("omega' = -2.00 sin(1 theta)"));
}

#[test]
fn total_variation_beats_finite_differences_on_noisy_data() {
    let dt = 0.01;
    let n = 500;
    let clean = Array2::from_shape_fn((n, 1), |(i, _)| (i as f64 * dt).sin());
    let noisy = add_noise(&clean, 0.01, 3);
    let times = Times::uniform(dt).unwrap();
    let truth = Array1::from_shape_fn(n, |i| (i as f64 * dt).cos());
    let rmse = |d: Array2<f64>| ((&d.column(0) - &truth).mapv(|e| e * e).sum() / n as f64).sqrt();
    let fd = rmse(
        FiniteDifference::default()
            .differentiate(noisy.view(), &times)
            .unwrap(),
    );
    let tv = rmse(
        TotalVariation::new(1e-3)
            .unwrap()
            .differentiate(noisy.view(), &times)
            .unwrap(),
    );
    let sg = rmse(
        SavitzkyGolay::new(41, 3)
            .unwrap()
            .differentiate(noisy.view(), &times)
            .unwrap(),
    );
    assert!(tv < 0.25 * fd, "TV {tv} vs FD {fd}");
    assert!(sg < 0.25 * fd, "SG {sg} vs FD {fd}");
    // Deterministic.
    let again = rmse(
        TotalVariation::new(1e-3)
            .unwrap()
            .differentiate(noisy.view(), &times)
            .unwrap(),
    );
    assert_eq!(tv, again);
}

#[test]
fn ensemble_reports_inclusion_probabilities_and_is_seeded() {
    let dt = 0.002;
    let x = add_noise(&lorenz(dt, 5001), 0.01, 0);
    let traj = Trajectory::new(x, Times::uniform(dt).unwrap()).unwrap();
    let fit = |seed| {
        SindyParams::new()
            .differentiator(voltai_discovery::sindy::SmoothedFiniteDifference::new(101, 7).unwrap())
            .optimizer(EnsembleOptimizer::new(Stlsq::new(0.1).unwrap(), 20, seed).unwrap())
            .fit(std::slice::from_ref(&traj))
            .unwrap()
    };
    let a = fit(7);
    let b = fit(7);
    assert_eq!(a.coefficients(), b.coefficients());
    let p = a.inclusion_probabilities().unwrap();
    // The seven true terms are in every bootstrap model; x², y², z² in none.
    for (i, j) in [(0, 1), (0, 2), (1, 1), (1, 2), (1, 6), (2, 3), (2, 5)] {
        assert_eq!(p[[i, j]], 1.0, "term ({i},{j})");
    }
    for i in 0..3 {
        for j in [4, 7, 9] {
            assert!(p[[i, j]] < 0.5, "term ({i},{j}) {}", p[[i, j]]);
        }
    }
}

#[test]
fn bad_input_is_an_error() {
    let dt = 0.01;
    let good = oscillator([1.0, 0.0], 100, dt);
    let times = Times::uniform(dt).unwrap();
    // NaN states.
    let mut bad = good.clone();
    bad[[5, 1]] = f64::NAN;
    assert!(Trajectory::new(bad, times.clone()).is_err());
    // Too few samples for the library (10 terms, 6 samples).
    let short =
        Trajectory::new(good.slice(ndarray::s![..3, ..]).to_owned(), times.clone()).unwrap();
    let r = SindyParams::new()
        .library(PolynomialLibrary::new(3).unwrap())
        .fit(&[short]);
    assert!(
        matches!(r, Err(voltai_core::Error::InvalidInput(_))),
        "{r:?}"
    );
    // A constant state.
    let mut flat = good.clone();
    flat.column_mut(1).fill(2.0);
    let r = SindyParams::new().fit(&[Trajectory::new(flat, times.clone()).unwrap()]);
    assert!(r.unwrap_err().to_string().contains("constant"));
    // Non-uniform times with a filter that needs them uniform.
    let uneven = Times::points(Array1::from_shape_fn(100, |i| (i as f64).powf(1.1))).unwrap();
    let tr = Trajectory::new(good.clone(), uneven).unwrap();
    assert!(
        SindyParams::new()
            .differentiator(SavitzkyGolay::new(11, 3).unwrap())
            .fit(std::slice::from_ref(&tr))
            .is_err()
    );
    // ... but finite differences accept them.
    assert!(SindyParams::new().fit(&[tr]).is_ok());
    // Decreasing times, mismatched shapes, no trajectories.
    assert!(Times::points(Array1::from(vec![0.0, 1.0, 1.0])).is_err());
    assert!(
        Trajectory::new(
            good.clone(),
            Times::points(Array1::from(vec![0.0, 1.0])).unwrap()
        )
        .is_err()
    );
    assert!(SindyParams::new().fit(&[]).is_err());
    assert!(
        SindyParams::new()
            .state_names(&["a"])
            .unwrap()
            .fit(&[Trajectory::new(good, times).unwrap()])
            .is_err()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn arbitrary_data_never_panics(
        values in proptest::collection::vec(prop_oneof![
            -1e6f64..1e6, Just(f64::NAN), Just(f64::INFINITY), Just(0.0)
        ], 2..60),
        d in 1usize..3,
        degree in 1usize..4,
        dt in prop_oneof![Just(0.0), Just(-1.0), 1e-6f64..10.0],
    ) {
        let n = values.len() / d;
        if n == 0 { return Ok(()); }
        let x = Array2::from_shape_fn((n, d), |(i, j)| values[i * d + j]);
        let Ok(times) = Times::uniform(dt) else { return Ok(()); };
        let Ok(traj) = Trajectory::new(x, times) else { return Ok(()); };
        let _ = SindyParams::new().library(PolynomialLibrary::new(degree).unwrap()).fit(std::slice::from_ref(&traj));
        let _ = SindyParams::new().differentiator(SavitzkyGolay::new(5, 2).unwrap()).fit(std::slice::from_ref(&traj));
        let _ = SindyParams::new().differentiator(TotalVariation::new(0.1).unwrap()).fit(&[traj]);
    }
}
