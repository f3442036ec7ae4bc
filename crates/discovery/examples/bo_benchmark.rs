//! Simple regret of Bayesian optimisation on Branin and Hartmann-6: 10
//! initial Sobol points + 40 log-EI iterations per seed, and random search
//! with the same budget. `benches/compare/bo.py` runs it beside
//! scikit-optimize's GP+EI.
//!
//! ```text
//! cargo run --release -p voltai-discovery --example bo_benchmark -- branin 10
//! ```
//! Arguments: function (branin | hartmann6), number of seeds. Prints one JSON line.

use std::time::Instant;

use ndarray::{Array1, ArrayView1};
use voltai_core::synthetic::SplitMix64;
use voltai_discovery::bo::benchmarks::{BRANIN_MIN, HARTMANN6_MIN, branin, hartmann6};
use voltai_discovery::bo::{BayesOptParams, Goal, GpSurrogate, InitialDesign, SearchSpace};

/// Objective, bounds, global minimum.
type Problem = (fn(ArrayView1<'_, f64>) -> f64, Vec<(f64, f64)>, f64);

fn main() -> Result<(), voltai_core::Error> {
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).map_or("branin", String::as_str);
    let seeds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let (f, bounds, min): Problem = match name {
        "hartmann6" => (hartmann6, vec![(0.0, 1.0); 6], HARTMANN6_MIN),
        _ => (branin, vec![(-5.0, 10.0), (0.0, 15.0)], BRANIN_MIN),
    };
    let mut regrets = Vec::new();
    let mut random = Vec::new();
    let mut per_iter = Vec::new();
    for seed in 0..seeds {
        let mut opt = BayesOptParams::new(SearchSpace::continuous(&bounds)?)
            .goal(Goal::Minimize)
            .initial_design(10, InitialDesign::Sobol)
            .search(
                std::env::var("BO_POOL")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(2048),
                std::env::var("BO_STARTS")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(5),
            )?
            .surrogate(
                GpSurrogate::new().restarts(
                    std::env::var("BO_RESTARTS")
                        .ok()
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1),
                ),
            )
            .seed(seed)
            .build()?;
        let mut model_time = 0.0;
        for k in 0..50 {
            let t = Instant::now();
            let x = opt.ask(1)?;
            if k >= 10 {
                model_time += t.elapsed().as_secs_f64();
            }
            let y = f(x.row(0));
            opt.tell_one(&x.row(0).to_vec(), y, &[])?;
        }
        per_iter.push(model_time / 40.0);
        regrets.push(opt.best().map_or(f64::INFINITY, |o| o.y - min));
        let mut rng = SplitMix64::new(1000 + seed);
        let best_random = (0..50)
            .map(|_| {
                let x: Array1<f64> = bounds
                    .iter()
                    .map(|(lo, hi)| lo + (hi - lo) * rng.uniform())
                    .collect();
                f(x.view())
            })
            .fold(f64::INFINITY, f64::min);
        random.push(best_random - min);
    }
    let median = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        if n % 2 == 1 {
            s[n / 2]
        } else {
            0.5 * (s[n / 2 - 1] + s[n / 2])
        }
    };
    println!(
        "{{\"function\": \"{name}\", \"regret\": {regrets:?}, \"median_regret\": {:e}, \"random_regret\": {random:?}, \"median_random_regret\": {:e}, \"seconds_per_iteration\": {:e}}}",
        median(&regrets),
        median(&random),
        median(&per_iter)
    );
    Ok(())
}
