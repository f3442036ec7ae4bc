//! Branin and Hartmann-6, 10 Sobol points + 40 log-EI iterations, seeds 0..9:
//! the median simple regret is no worse than scikit-optimize's GP+EI on the
//! same protocol (`tools/reference/bo/skopt_regret.json`, peer version stored
//! there) and far below random search with the same budget.

use ndarray::{Array1, ArrayView1};
use voltai_core::synthetic::SplitMix64;
use voltai_discovery::bo::benchmarks::{BRANIN_MIN, HARTMANN6_MIN, branin, hartmann6};
use voltai_discovery::bo::{BayesOptParams, Goal, InitialDesign, SearchSpace};

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    0.5 * (v[(n - 1) / 2] + v[n / 2])
}

fn regrets(
    f: fn(ArrayView1<'_, f64>) -> f64,
    bounds: &[(f64, f64)],
    min: f64,
) -> (Vec<f64>, Vec<f64>) {
    let mut bo = Vec::new();
    let mut random = Vec::new();
    for seed in 0..10 {
        let mut opt = BayesOptParams::new(SearchSpace::continuous(bounds).unwrap())
            .goal(Goal::Minimize)
            .initial_design(10, InitialDesign::Sobol)
            .seed(seed)
            .build()
            .unwrap();
        for _ in 0..50 {
            let x = opt.ask(1).unwrap();
            opt.tell_one(&x.row(0).to_vec(), f(x.row(0)), &[]).unwrap();
        }
        bo.push(opt.best().unwrap().y - min);
        let mut rng = SplitMix64::new(1000 + seed);
        random.push(
            (0..50)
                .map(|_| {
                    let x: Array1<f64> = bounds
                        .iter()
                        .map(|(lo, hi)| lo + (hi - lo) * rng.uniform())
                        .collect();
                    f(x.view())
                })
                .fold(f64::INFINITY, f64::min)
                - min,
        );
    }
    (bo, random)
}

// One test per problem, which the harness runs side by side.
#[test]
fn branin_regret_beats_scikit_optimize_and_random_search() {
    check_problem("branin", branin, &[(-5.0, 10.0), (0.0, 15.0)], BRANIN_MIN);
}

#[test]
fn hartmann6_regret_beats_scikit_optimize_and_random_search() {
    check_problem("hartmann6", hartmann6, &[(0.0, 1.0); 6], HARTMANN6_MIN);
}

fn check_problem(name: &str, f: fn(ArrayView1<'_, f64>) -> f64, bounds: &[(f64, f64)], min: f64) {
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tools/reference/bo/skopt_regret.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let (mut bo, mut random) = regrets(f, bounds, min);
    let (ours, rand) = (median(&mut bo), median(&mut random));
    let peer = reference[name]["median_regret"].as_f64().unwrap();
    eprintln!(
        "{name}: median regret ours {ours:.3e}, scikit-optimize {peer:.3e}, random {rand:.3e}"
    );
    assert!(ours <= peer, "{name}: {ours} vs scikit-optimize {peer}");
    assert!(ours <= 0.1 * rand, "{name}: {ours} vs random {rand}");
}
