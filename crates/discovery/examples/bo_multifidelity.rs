//! Multi-fidelity against single-fidelity Bayesian optimisation on a
//! documented two-fidelity problem: Currin's exponential function on
//! [0, 1]² (maximised), with Xiong et al.'s (2013) cheap model — the mean of
//! the function at four shifted corners — costing 1 and the real function 10.
//! Both campaigns run until they have spent `budget`; the figure is the cost
//! spent when an expensive evaluation first came within `tolerance` of the
//! maximum (noise-free readings, so the best reading is the best point).
//!
//! ```text
//! cargo run --release -p voltai-discovery --example bo_multifidelity -- [seeds] [budget] [tolerance]
//! ```
//! Prints one line per seed and the medians.

use ndarray::ArrayView1;
use voltai_core::stats::median;
use voltai_discovery::bo::benchmarks::{CURRIN_MAX, currin, currin_low};
use voltai_discovery::bo::{
    BayesOptParams, Goal, InitialDesign, MultiFidelityBoParams, SearchSpace,
};

const COSTS: [f64; 2] = [1.0, 10.0];

fn main() -> Result<(), voltai_core::Error> {
    let args: Vec<String> = std::env::args().collect();
    let seeds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let budget: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(400.0);
    let tolerance: f64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(0.01);
    let space = SearchSpace::continuous(&[(0.0, 1.0), (0.0, 1.0)])?;
    let hit = |y: f64| y >= CURRIN_MAX - tolerance;
    let (mut mf_costs, mut sf_costs) = (Vec::new(), Vec::new());
    println!("seed  multi-fidelity cost  (cheap / expensive runs)  single-fidelity cost");
    for seed in 0..seeds {
        let mut mf = MultiFidelityBoParams::new(space.clone(), &COSTS)?
            .goal(Goal::Maximize)
            .seed(seed)
            .build();
        let mut mf_cost = f64::INFINITY;
        while mf.spent() < budget {
            let s = mf.ask()?;
            let y = if s.level == 0 {
                currin_low(s.x.view())
            } else {
                currin(s.x.view())
            };
            mf.tell(&s.x.to_vec(), s.level, y)?;
            if s.level == 1 && hit(y) {
                mf_cost = mf.spent();
                break;
            }
        }
        let runs = |l: usize| {
            mf.history()
                .observations
                .iter()
                .filter(|o| o.level == l)
                .count()
        };
        let mut sf = BayesOptParams::new(space.clone())
            .goal(Goal::Maximize)
            .initial_design(6, InitialDesign::Sobol)
            .seed(seed)
            .build()?;
        let mut sf_cost = f64::INFINITY;
        let mut spent = 0.0;
        while spent < budget {
            let x = sf.ask(1)?;
            let y = currin(ArrayView1::from(&x.row(0).to_vec()[..]));
            sf.tell_one(&x.row(0).to_vec(), y, &[])?;
            spent += COSTS[1];
            if hit(y) {
                sf_cost = spent;
                break;
            }
        }
        println!(
            "{seed:>4}  {mf_cost:>19}  ({:>3} / {:>3})  {sf_cost:>24}",
            runs(0),
            runs(1)
        );
        mf_costs.push(mf_cost);
        sf_costs.push(sf_cost);
    }
    println!(
        "median cost to within {tolerance} of the maximum: multi-fidelity {}, single-fidelity {}",
        median(&mf_costs)?,
        median(&sf_costs)?
    );
    Ok(())
}
