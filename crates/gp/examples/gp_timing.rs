//! Times GP fit-with-optimisation (C × ARD-RBF + White) and predict (mean and
//! std at 1000 points) on the portable 3-D problem of tools/reference/gp;
//! `benches/compare/gp.py` runs it beside scikit-learn and prints the ratios.
//!
//! ```text
//! cargo run --release -p voltai-gp --example gp_timing -- 2000 1
//! ```
//! Arguments: n, extra restarts. Prints one JSON line.

use std::time::Instant;

use ndarray::Array1;
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Dataset, Fit, ProbabilisticRegressor};
use voltai_gp::GpParams;
use voltai_kernels::kernels::{Rbf, Scaled, Sum, White};

fn main() -> Result<(), voltai_core::Error> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(1000);
    let restarts = args.get(1).copied().unwrap_or(1);
    let mut rng = SplitMix64::new(100 + n as u64);
    let x = rng.normal_matrix(n, 3);
    let noise: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let y: Array1<f64> = (0..n)
        .map(|i| (2.0 * x[[i, 0]]).sin() + x[[i, 1]].cos() * x[[i, 2]] + 0.1 * noise[i])
        .collect();
    let xt = SplitMix64::new(7).normal_matrix(1000, 3);
    let kernel = Sum(
        Scaled::new(1.0, Rbf::ard(vec![1.0, 1.0, 1.0])?)?,
        White::new(0.1)?,
    );
    let t = Instant::now();
    let gp = GpParams::new(kernel)
        .optimize(restarts, 0)
        .fit(&Dataset::new(x, y)?)?;
    let fit_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let p = gp.predict_dist(xt.view())?;
    let predict_s = t.elapsed().as_secs_f64();
    let evals: usize = gp.report().runs.iter().map(|r| r.evaluations).sum();
    println!(
        "{{\"fit_s\": {fit_s:.4}, \"predict_s\": {predict_s:.4}, \"lml\": {:.6}, \"evaluations\": {evals}, \"std_sum\": {:.6}}}",
        gp.log_marginal_likelihood(),
        p.variance.mapv(f64::sqrt).sum()
    );
    Ok(())
}
