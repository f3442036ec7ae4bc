//! SINDYc on a one-RC equivalent-circuit cell under a pulsed current: the
//! acceptance of issue #5 (right terms; R1·C1 and capacity within 2 %).

use ndarray::{Array2, Axis};
use voltai_core::Fit;
use voltai_discovery::sindy::systems::{OneRcCell, pulsed_current};
use voltai_discovery::sindy::{
    FiniteDifference, PolynomialLibrary, SindyParams, Stlsq, Times, Trajectory, interpolate_rows,
};

const CELL: OneRcCell = OneRcCell {
    r1: 0.015,
    c1: 2000.0,
    capacity_ah: 2.5,
};

fn data(dt: f64, n: usize) -> Trajectory {
    let (x, i) = CELL.simulate(pulsed_current, [0.0, 0.9], dt, n).unwrap();
    let u = i.insert_axis(Axis(1));
    Trajectory::new(x, Times::uniform(dt).unwrap())
        .unwrap()
        .with_control(u)
        .unwrap()
}

fn sindy() -> SindyParams {
    // Forward differences are exact for SOC under a current held between
    // samples (zero-order hold), and off by dt/(2τ) ≈ 0.2 % for v1 at 10 Hz.
    SindyParams::new()
        .library(PolynomialLibrary::new(2).unwrap())
        .differentiator(FiniteDifference::new(1).unwrap())
        .optimizer(
            Stlsq::new(1e-3)
                .unwrap()
                .alpha(1e-9)
                .unwrap()
                .normalize_columns(true),
        )
        .state_names(&["v1", "soc"])
        .unwrap()
        .control_names(&["i"])
        .unwrap()
}

#[test]
fn one_rc_model_is_recovered_with_sindyc() {
    let traj = data(0.1, 36_000);
    let model = sindy().fit(std::slice::from_ref(&traj)).unwrap();
    let mut active = model.active_terms();
    active.sort();
    assert_eq!(
        active,
        vec![
            ("soc".to_string(), "i".to_string()),
            ("v1".to_string(), "i".to_string()),
            ("v1".to_string(), "v1".to_string()),
        ],
        "{model}"
    );
    let tau = -1.0 / model.coefficient("v1", "v1").unwrap();
    let c1 = 1.0 / model.coefficient("v1", "i").unwrap();
    let q = -1.0 / (3600.0 * model.coefficient("soc", "i").unwrap());
    let tau_true = CELL.r1 * CELL.c1;
    assert!(
        (tau / tau_true - 1.0).abs() < 0.02,
        "R1·C1 {tau} vs {tau_true}"
    );
    assert!((q / CELL.capacity_ah - 1.0).abs() < 0.02, "Q {q}");
    assert!((c1 / CELL.c1 - 1.0).abs() < 0.02, "C1 {c1}");

    // Simulating the discovered model under the same profile tracks the data.
    let t = ndarray::Array1::from_shape_fn(traj.len(), |k| k as f64 * 0.1);
    let u: Array2<f64> = traj.control().unwrap().clone();
    let control = |at: f64| interpolate_rows(t.view(), &u, (at / 0.1 + 1e-9).floor() * 0.1);
    let sim = model
        .simulate(
            traj.states().row(0),
            t.view(),
            Some(&control),
            Default::default(),
        )
        .unwrap();
    let err = (&sim - traj.states()).mapv(f64::abs);
    let worst = err.fold_axis(Axis(0), 0.0f64, |m, v| m.max(*v));
    assert!(worst[0] < 1e-3 && worst[1] < 1e-3, "{worst}");
}
