//! Noisy Bayesian optimisation through the campaign ledger, the protocol of
//! `benches/compare/botorch.py` (which runs BoTorch's qLogNEI on the same
//! problems, seeds and budgets): Gaussian noise of sd 0.1 on every reading,
//! a scrambled Sobol initial design, then rounds of `q` picks (pending
//! picks as fantasies) by log noisy EI, on a Matérn-5/2 GP under BoTorch's
//! priors. The reported point is the observed one
//! with the best posterior mean; its regret is the noiseless objective
//! there minus the global minimum.
//!
//! ```text
//! cargo run --release -p voltai-discovery --example bo_noisy -- hartmann6 1 60 10
//! ```
//! Arguments: function (branin | hartmann6), batch size q, evaluations,
//! seeds, optionally the first seed (default 0: seeds 0, 1, …), the
//! acquisition (`log-nei`, the default: noisy EI over the joint posterior
//! of the observed points, as BoTorch's qLogNEI; or `log-ei` against the
//! best posterior mean), and the
//! surrogate (`matern-priors`, the default: Matérn-5/2 under BoTorch's
//! priors, [`GpSurrogate::priors`]; `default`: the library's default GP,
//! squared exponential by maximum likelihood). Prints
//! one JSON line: regret per seed and seconds per proposal round (fit +
//! acquisition search) per seed.

use std::time::Instant;

use ndarray::ArrayView1;
use voltai_core::synthetic::SplitMix64;
use voltai_discovery::bo::benchmarks::{BRANIN_MIN, HARTMANN6_MIN, branin, hartmann6};
use voltai_discovery::bo::{
    Acquisition, BayesOptParams, Campaign, Goal, GpSurrogate, Incumbent, InitialDesign,
    SearchSpace, SurrogateKernel,
};

/// Objective, bounds, global minimum.
type Problem = (fn(ArrayView1<'_, f64>) -> f64, Vec<(f64, f64)>, f64);

const NOISE_SD: f64 = 0.1;

fn main() -> Result<(), voltai_core::Error> {
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).map_or("hartmann6", String::as_str);
    let q: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let budget: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(60);
    let seeds: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(10);
    let first: u64 = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(0);
    let acquisition = match args.get(6).map(String::as_str) {
        Some("log-ei") => Acquisition::LogExpectedImprovement,
        _ => Acquisition::LogNoisyExpectedImprovement,
    };
    // The surrogate: the library default, or BoTorch's model family: a
    // Matérn-5/2 kernel under BoTorch's priors on the length scales and
    // the noise (chosen on seeds 10–49 of noisy Hartmann-6; see
    // benches/compare/botorch.py).
    let surrogate = match args.get(7).map(String::as_str) {
        Some("default") => GpSurrogate::new(),
        _ => GpSurrogate::new()
            .kernel(SurrogateKernel::Matern52)
            .priors(true),
    };
    let (f, bounds, min): Problem = match name {
        "hartmann6" => (hartmann6, vec![(0.0, 1.0); 6], HARTMANN6_MIN),
        _ => (branin, vec![(-5.0, 10.0), (0.0, 15.0)], BRANIN_MIN),
    };
    // BoTorch's tutorials start from 2(d + 1) Sobol points.
    let n_initial = 2 * (bounds.len() + 1);
    let mut regrets = Vec::new();
    let mut seconds = Vec::new();
    for seed in first..first + seeds {
        let params = BayesOptParams::new(SearchSpace::continuous(&bounds)?)
            .goal(Goal::Minimize)
            .acquisition(acquisition)?
            .initial_design(n_initial, InitialDesign::Sobol)
            .incumbent(Incumbent::BestPosteriorMean)
            .surrogate(surrogate.clone())
            .seed(seed);
        let mut campaign = Campaign::new(params);
        let mut noise = SplitMix64::new(1_000_003 * (seed + 1));
        let (mut model_time, mut rounds) = (0.0, 0);
        let mut done = 0;
        while done < budget {
            let k = if done < n_initial {
                n_initial - done
            } else {
                q.min(budget - done)
            };
            let t = Instant::now();
            let out = campaign.ask(k)?;
            if done >= n_initial {
                model_time += t.elapsed().as_secs_f64();
                rounds += 1;
            }
            for s in out {
                let y = f(ArrayView1::from(&s.x[..])) + NOISE_SD * noise.normal();
                campaign.complete(s.id, y, &[])?;
                done += 1;
            }
        }
        let (id, _) = campaign
            .best()?
            .ok_or_else(|| voltai_core::Error::internal("no completed trial"))?;
        let x = &campaign.ledger().trial(id)?.x;
        regrets.push(f(ArrayView1::from(&x[..])) - min);

        seconds.push(model_time / rounds.max(1) as f64);
    }
    println!(
        "{{\"function\": \"{name}\", \"q\": {q}, \"budget\": {budget}, \"regret\": {regrets:?}, \"seconds_per_round\": {seconds:?}}}"
    );
    Ok(())
}
