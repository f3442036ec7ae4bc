//! Turning several objectives (all minimised) into one.

use ndarray::{Array1, ArrayView1, ArrayView2};
use voltai_core::{Error, Result};

/// `Σ wᵢ fᵢ`: finds only the convex parts of a Pareto front.
pub fn weighted_sum(
    objectives: ArrayView2<'_, f64>,
    weights: ArrayView1<'_, f64>,
) -> Result<Array1<f64>> {
    check_weights(objectives, weights)?;
    Ok(objectives.dot(&weights))
}

/// ε-constraint: objective `k` where every other objective `j` satisfies
/// `f_j ≤ ε_j`, +∞ elsewhere. Sweeping ε reaches non-convex parts of the front too.
pub fn epsilon_constraint(
    objectives: ArrayView2<'_, f64>,
    k: usize,
    epsilon: ArrayView1<'_, f64>,
) -> Result<Array1<f64>> {
    if k >= objectives.ncols() || epsilon.len() != objectives.ncols() {
        return Err(Error::InvalidInput(format!(
            "ε-constraint needs 0 ≤ k < {} and one ε per objective",
            objectives.ncols()
        )));
    }
    Ok(Array1::from_shape_fn(objectives.nrows(), |i| {
        let row = objectives.row(i);
        let ok = (0..row.len()).all(|j| j == k || row[j] <= epsilon[j]);
        if ok { row[k] } else { f64::INFINITY }
    }))
}

/// The augmented Chebyshev scalarisation of ParEGO (Knowles 2006) on
/// objectives already normalised to [0, 1]: `maxᵢ(wᵢfᵢ) + ρ Σ wᵢfᵢ`.
pub fn augmented_chebyshev(
    objectives: ArrayView2<'_, f64>,
    weights: ArrayView1<'_, f64>,
    rho: f64,
) -> Result<Array1<f64>> {
    check_weights(objectives, weights)?;
    Ok(Array1::from_shape_fn(objectives.nrows(), |i| {
        let r = objectives.row(i);
        let wf: Vec<f64> = r.iter().zip(weights.iter()).map(|(f, w)| f * w).collect();
        wf.iter().copied().fold(f64::NEG_INFINITY, f64::max) + rho * wf.iter().sum::<f64>()
    }))
}

fn check_weights(objectives: ArrayView2<'_, f64>, weights: ArrayView1<'_, f64>) -> Result<()> {
    if weights.len() != objectives.ncols() {
        return Err(Error::shape_mismatch(
            "weights",
            [objectives.ncols()],
            [weights.len()],
        ));
    }
    if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
        return Err(Error::InvalidInput(
            "weights must be finite and non-negative".into(),
        ));
    }
    Ok(())
}
