//! Estimation on data simulated from known structural models.

use ndarray::Array2;
use voltai_causal::{CausalGraph, Estimator, Method, Subsets, test_implied_independences};
use voltai_core::Dataset;
use voltai_core::synthetic::SplitMix64;

/// Linear-Gaussian SEM over the battery DAG; total effect of C-rate on life = −1 + 0.7·(−0.6) = −1.42.
const TRUE_EFFECT: f64 = -1.42;

fn battery_graph() -> CausalGraph {
    CausalGraph::from_edges(
        &["temperature", "material", "c_rate", "peak_temp", "life"],
        &[
            ("temperature", "c_rate"),
            ("material", "c_rate"),
            ("c_rate", "peak_temp"),
            ("temperature", "peak_temp"),
            ("c_rate", "life"),
            ("peak_temp", "life"),
            ("temperature", "life"),
            ("material", "life"),
        ],
    )
    .unwrap()
}

fn simulate(n: usize, seed: u64) -> Dataset {
    let mut r = SplitMix64::new(seed);
    let mut x = Array2::zeros((n, 5));
    for i in 0..n {
        let t = r.normal();
        let m = f64::from(u8::from(r.uniform() < 0.4));
        let c = 0.8 * t + 1.0 * m + r.normal();
        let p = 0.7 * c + 0.5 * t + r.normal();
        let l = -c - 0.6 * p - 0.8 * t + 1.5 * m + r.normal();
        for (k, v) in [t, m, c, p, l].into_iter().enumerate() {
            x[[i, k]] = v;
        }
    }
    Dataset::unsupervised(x)
        .unwrap()
        .with_feature_names(vec![
            "temperature",
            "material",
            "c_rate",
            "peak_temp",
            "life",
        ])
        .unwrap()
}

#[test]
fn adjusted_interval_covers_the_truth_and_naive_does_not() {
    let g = battery_graph();
    assert_eq!(
        g.minimal_adjustment_sets("c_rate", "life").unwrap(),
        vec![vec!["material", "temperature"]]
    );
    let data = simulate(5000, 1);
    let est = Estimator::new(Method::LinearRegression);
    let adjusted = est
        .identify_and_estimate(&g, &data, "c_rate", "life")
        .unwrap();
    assert!(
        adjusted.interval.0 <= TRUE_EFFECT && TRUE_EFFECT <= adjusted.interval.1,
        "{adjusted:?}"
    );
    let naive = est.estimate(&data, "c_rate", "life", &[]).unwrap();
    assert!(
        !(naive.interval.0 <= TRUE_EFFECT && TRUE_EFFECT <= naive.interval.1),
        "{naive:?}"
    );
    // Adjusting for the mediator is wrong too (it removes the indirect path).
    let over = est
        .estimate(
            &data,
            "c_rate",
            "life",
            &["temperature", "material", "peak_temp"],
        )
        .unwrap();
    assert!(
        (over.effect + 1.0).abs() < 0.1,
        "direct effect only: {}",
        over.effect
    );
    let boot = Estimator::new(Method::LinearRegression)
        .bootstrap(200, 7)
        .unwrap();
    let b = boot
        .estimate(&data, "c_rate", "life", &["temperature", "material"])
        .unwrap();
    assert!(b.interval.0 <= TRUE_EFFECT && TRUE_EFFECT <= b.interval.1);
    assert_eq!(
        b,
        boot.estimate(&data, "c_rate", "life", &["temperature", "material"])
            .unwrap(),
        "seeded"
    );
}

#[test]
fn interval_coverage_over_200_seeds_is_nominal() {
    let est = Estimator::new(Method::LinearRegression);
    let covered = (0..200u64)
        .filter(|&s| {
            let d = simulate(5000, 100 + s);
            let e = est
                .estimate(&d, "c_rate", "life", &["temperature", "material"])
                .unwrap();
            e.interval.0 <= TRUE_EFFECT && TRUE_EFFECT <= e.interval.1
        })
        .count();
    let coverage = covered as f64 / 200.0;
    assert!((0.90..=0.98).contains(&coverage), "coverage {coverage}");
}

/// Binary treatment with discrete confounders; ATE = 2.
fn binary(n: usize, seed: u64) -> Dataset {
    let mut r = SplitMix64::new(seed);
    let mut x = Array2::zeros((n, 4));
    for i in 0..n {
        let t = (r.uniform() * 3.0).floor();
        let m = f64::from(u8::from(r.uniform() < 0.5));
        let p = 1.0 / (1.0 + (-(0.8 * t + 1.0 * m - 1.2)).exp());
        let d = f64::from(u8::from(r.uniform() < p));
        let y = 2.0 * d + 1.5 * t + 1.0 * m + r.normal();
        for (k, v) in [t, m, d, y].into_iter().enumerate() {
            x[[i, k]] = v;
        }
    }
    Dataset::unsupervised(x)
        .unwrap()
        .with_feature_names(vec!["t", "m", "d", "y"])
        .unwrap()
}

#[test]
fn stratified_ipw_and_aipw_recover_the_average_effect() {
    let data = binary(4000, 3);
    for method in [Method::Stratified, Method::Ipw, Method::Aipw] {
        let e = Estimator::new(method)
            .bootstrap(100, 1)
            .unwrap()
            .estimate(&data, "d", "y", &["t", "m"])
            .unwrap();
        assert!(
            e.interval.0 <= 2.0 && 2.0 <= e.interval.1,
            "{method:?}: {e:?}"
        );
        assert!((e.effect - 2.0).abs() < 0.15, "{method:?}: {}", e.effect);
    }
    let naive = Estimator::new(Method::Stratified)
        .bootstrap(100, 1)
        .unwrap()
        .estimate(&data, "d", "y", &[])
        .unwrap();
    assert!(naive.interval.0 > 2.0, "confounded upward: {naive:?}");
    assert!(
        Estimator::new(Method::Ipw)
            .estimate(&data, "d", "y", &["t"])
            .is_err(),
        "needs bootstrap for an interval"
    );
    assert!(
        Estimator::new(Method::Ipw)
            .bootstrap(50, 0)
            .unwrap()
            .estimate(&data, "t", "y", &["m"])
            .is_err(),
        "non-binary treatment"
    );
}

#[test]
fn refutations_behave() {
    let data = simulate(3000, 5);
    let est = Estimator::new(Method::LinearRegression);
    let z = ["temperature", "material"];
    let placebo = est.refute_placebo(&data, "c_rate", "life", &z, 1).unwrap();
    assert!(placebo.refuted.abs() < 0.1, "{placebo:?}");
    let rcc = est
        .refute_random_common_cause(&data, "c_rate", "life", &z, 2)
        .unwrap();
    assert!((rcc.refuted - rcc.original).abs() < 0.02, "{rcc:?}");
    let sub = est
        .refute_data_subset(
            &data,
            "c_rate",
            "life",
            &z,
            Subsets {
                fraction: 0.8,
                repeats: 20,
                seed: 3,
            },
        )
        .unwrap();
    assert!((sub.refuted - sub.original).abs() < 0.03, "{sub:?}");
}

#[test]
fn implied_independences_hold_for_the_true_graph_and_flag_a_wrong_one() {
    let data = simulate(5000, 9);
    let tests = test_implied_independences(&battery_graph(), &data).unwrap();
    assert!(!tests.is_empty());
    assert!(tests.iter().all(|t| t.p_value > 1e-3), "{tests:?}");
    // Forget temperature → life: the graph now claims life ⊥ temperature | parents.
    let wrong = CausalGraph::from_edges(
        &["temperature", "material", "c_rate", "peak_temp", "life"],
        &[
            ("temperature", "c_rate"),
            ("material", "c_rate"),
            ("c_rate", "peak_temp"),
            ("temperature", "peak_temp"),
            ("c_rate", "life"),
            ("peak_temp", "life"),
            ("material", "life"),
        ],
    )
    .unwrap();
    let flagged = test_implied_independences(&wrong, &data).unwrap();
    assert!(
        flagged.iter().any(
            |t| t.p_value < 1e-6 && (t.statement.a == "life" && t.statement.b == "temperature")
        ),
        "{flagged:?}"
    );
}
