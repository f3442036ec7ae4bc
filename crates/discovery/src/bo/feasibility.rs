//! How outcome constraints shape a search. One policy object per campaign
//! answers every question the proposal loop ([`BayesOpt::ask_pending`])
//! has about constraints, so the loop is written once:
//!
//! - [`Probable`] (the default; with no constraints it is plain BO): the
//!   acquisition is weighted by the probability that every constraint holds
//!   (Gardner et al. 2014), and constraint readings are standardised;
//! - [`Certified`] (safe mode, SafeOpt after Sui et al. 2015 and Berkenkamp
//!   et al. 2016): only points whose every constraint is certified at level
//!   1 − δ may be proposed, the search grows from known-safe observations
//!   (no space-filling design), constraints are modelled relative to their
//!   limits under a zero prior mean (the unknown is unsafe), and every other
//!   pick is SafeOpt's exploring one.

use std::fmt::Debug;
use std::sync::Arc;

use ndarray::{Array1, ArrayView1, ArrayView2, Axis};
use voltai_core::{Error, Predictive, Result};

use super::acquisition::{Acquisition, normal_cdf, normal_quantile};
use super::optimizer::{Constraint, Models};
use super::surrogate::{GpSurrogate, Surrogate};

/// One constraint's posterior at a point: mean, sd (at least 1e-9) and
/// limit, in model units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConstraintBelief {
    pub mean: f64,
    pub sd: f64,
    pub limit: f64,
}

/// A chosen encoded point and its score; `None` when nothing qualifies.
pub(crate) type Pick = Option<(Array1<f64>, f64)>;

/// What the proposal loop asks about constraints (see the module docs).
pub(crate) trait ConstraintPolicy: Debug + Send + Sync {
    /// Checks the declared constraints suit the policy.
    fn check_constraints(&self, n_constraints: usize) -> Result<()>;

    /// The surrogate a constraint gets unless the user chose one.
    fn default_surrogate(&self) -> Result<Option<Arc<dyn Surrogate>>>;

    /// Whether the first proposals come from the space-filling design.
    fn uses_initial_design(&self) -> bool;

    /// Checks a search can start from `n_observations`.
    fn ready(&self, n_observations: usize) -> Result<()>;

    /// Constraint readings `values` as modelled, and the limit in those units.
    fn modelled(&self, c: &Constraint, values: ArrayView1<'_, f64>) -> (Array1<f64>, f64);

    /// The score of one point: the acquisition value `base` (`None` while
    /// nothing feasible is known) under the constraints' `beliefs`.
    /// `strict = false` asks for the smooth variant a gradient polish can
    /// follow (finite outside the allowed region).
    fn score(
        &self,
        acq: &Acquisition,
        base: Option<f64>,
        beliefs: &[ConstraintBelief],
        strict: bool,
    ) -> f64;

    /// Whether the acquisition search polishes the smooth score from the
    /// top pool rows (a certified set's best points line its edge) instead
    /// of polishing the strict score from diverse rows.
    fn polishes_edge(&self) -> bool;

    /// The quantile `z` with which `mean + z·sd ≤ limit` certifies a point,
    /// for policies that certify.
    fn certification(&self) -> Option<f64>;

    /// The exploring pick for pick `k` of a round with `n_observations`
    /// observed, if this pick is the policy's rather than the
    /// acquisition's. `Some(None)`: the policy's turn, but nothing qualifies.
    fn explore(
        &self,
        models: &Models,
        pool: ArrayView2<'_, f64>,
        n_observations: usize,
        k: usize,
    ) -> Result<Option<Pick>>;
}

/// Probability-of-feasibility weighting (the default policy).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Probable;

/// The log-probability that every constraint holds.
fn log_feasible(beliefs: &[ConstraintBelief]) -> f64 {
    beliefs
        .iter()
        .map(|b| normal_cdf((b.limit - b.mean) / b.sd).max(1e-300).ln())
        .sum()
}

impl ConstraintPolicy for Probable {
    fn check_constraints(&self, _: usize) -> Result<()> {
        Ok(())
    }

    fn default_surrogate(&self) -> Result<Option<Arc<dyn Surrogate>>> {
        Ok(None)
    }

    fn uses_initial_design(&self) -> bool {
        true
    }

    fn ready(&self, _: usize) -> Result<()> {
        Ok(())
    }

    fn modelled(&self, c: &Constraint, values: ArrayView1<'_, f64>) -> (Array1<f64>, f64) {
        let (standard, mean, sd) = super::optimizer::standardize(values);
        (standard, (c.limit() - mean) / sd)
    }

    fn score(
        &self,
        acq: &Acquisition,
        base: Option<f64>,
        beliefs: &[ConstraintBelief],
        _strict: bool,
    ) -> f64 {
        let log_p = log_feasible(beliefs);
        let Some(base) = base else {
            // Nothing feasible yet: look for feasibility first.
            return log_p;
        };
        if beliefs.is_empty() {
            base
        } else if acq.is_log() {
            base + log_p
        } else if acq.weights_by_feasibility() {
            base * log_p.exp()
        } else if log_p >= 0.5f64.ln() {
            base
        } else {
            f64::NEG_INFINITY
        }
    }

    fn polishes_edge(&self) -> bool {
        false
    }

    fn certification(&self) -> Option<f64> {
        None
    }

    fn explore(
        &self,
        _: &Models,
        _: ArrayView2<'_, f64>,
        _: usize,
        _: usize,
    ) -> Result<Option<Pick>> {
        Ok(None)
    }
}

/// Safe mode: certified constraints at level 1 − δ.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Certified {
    pub delta: f64,
}

impl Certified {
    fn z(&self) -> f64 {
        normal_quantile(1.0 - self.delta)
    }
}

/// A GP whose length scales are at most 0.3 of each input's range: the
/// regularity assumption that lets one safe point vouch only for its
/// neighbourhood.
pub(crate) fn safe_constraint_gp() -> Result<GpSurrogate> {
    GpSurrogate::new()
        .lengthscale_bounds(0.02, 0.3)?
        .variance_bounds(0.25, 4.0)
}

impl ConstraintPolicy for Certified {
    fn check_constraints(&self, n_constraints: usize) -> Result<()> {
        if n_constraints == 0 {
            return Err(Error::InvalidInput(
                "safe mode needs at least one constraint".into(),
            ));
        }
        Ok(())
    }

    fn default_surrogate(&self) -> Result<Option<Arc<dyn Surrogate>>> {
        Ok(Some(Arc::new(safe_constraint_gp()?)))
    }

    fn uses_initial_design(&self) -> bool {
        false
    }

    fn ready(&self, n_observations: usize) -> Result<()> {
        if n_observations == 0 {
            return Err(Error::InvalidInput(
                "safe mode needs at least one known-safe observation before the first ask".into(),
            ));
        }
        Ok(())
    }

    fn modelled(&self, c: &Constraint, values: ArrayView1<'_, f64>) -> (Array1<f64>, f64) {
        // Relative to the limit, zero prior mean: the unknown is unsafe.
        let scale = c.scale_or_else(|| {
            values
                .iter()
                .map(|x| (x - c.limit()).abs())
                .fold(0.0, f64::max)
        });
        let scale = if scale > 0.0 { scale } else { 1.0 };
        (values.mapv(|x| (x - c.limit()) / scale), 0.0)
    }

    fn score(
        &self,
        _: &Acquisition,
        base: Option<f64>,
        beliefs: &[ConstraintBelief],
        strict: bool,
    ) -> f64 {
        let z = self.z();
        let excess = beliefs
            .iter()
            .map(|b| b.mean + z * b.sd - b.limit)
            .fold(0.0, f64::max);
        if excess > 0.0 && strict {
            return f64::NEG_INFINITY;
        }
        // The smooth variant (for gradient polishing) penalises leaving the
        // certified set instead of forbidding it.
        let penalty = 1e4 * excess;
        match base {
            Some(base) => base - penalty,
            None => log_feasible(beliefs) - penalty,
        }
    }

    fn polishes_edge(&self) -> bool {
        true
    }

    fn certification(&self) -> Option<f64> {
        Some(self.z())
    }

    /// SafeOpt's exploring pick on every other pick: SafeOpt alone
    /// converges slowly, the acquisition alone can stall on the safe set's
    /// edge.
    fn explore(
        &self,
        models: &Models,
        pool: ArrayView2<'_, f64>,
        n_observations: usize,
        k: usize,
    ) -> Result<Option<Pick>> {
        if (n_observations + k) % 2 == 1 {
            Ok(Some(self.safe_pick(models, pool)?))
        } else {
            Ok(None)
        }
    }
}

impl Certified {
    /// SafeOpt's choice (Sui et al. 2015; Berkenkamp et al. 2016 for several
    /// constraints): among the safe pool points that are potential maximisers
    /// (objective UCB ≥ the best safe LCB) or potential expanders (an
    /// optimistic constraint value there would certify a currently unsafe
    /// neighbour), take the one with the widest confidence interval.
    fn safe_pick(&self, m: &Models, pool: ArrayView2<'_, f64>) -> Result<Pick> {
        let z = self.z();
        let n = pool.nrows();
        let Predictive {
            mean: fm,
            variance: fv,
            ..
        } = m.objective.predict(pool)?;
        let fs = fv.mapv(|v| v.max(0.0).sqrt());
        let mut safe = vec![true; n];
        let mut width = fs.mapv(|s| 2.0 * z * s);
        let mut cstats = Vec::new();
        for (c, &limit) in m.constraints.iter().zip(&m.limits) {
            let Predictive {
                mean: cm,
                variance: cv,
                ..
            } = c.predict(pool)?;
            let cs = cv.mapv(|v| v.max(0.0).sqrt());
            for i in 0..n {
                safe[i] &= cm[i] + z * cs[i] <= limit;
                width[i] = width[i].max(2.0 * z * cs[i]);
            }
            cstats.push((cm, cs));
        }
        let safe_idx: Vec<usize> = (0..n).filter(|&i| safe[i]).collect();
        if safe_idx.is_empty() {
            return Ok(None);
        }
        let best_lcb = safe_idx
            .iter()
            .map(|&i| fm[i] - z * fs[i])
            .fold(f64::NEG_INFINITY, f64::max);
        let mut candidates: Vec<usize> = safe_idx
            .iter()
            .copied()
            .filter(|&i| fm[i] + z * fs[i] >= best_lcb)
            .collect();
        // Expanders: the most uncertain safe points, tested by a fantasy
        // observation at their optimistic constraint value.
        let unsafe_idx: Vec<usize> = (0..n).filter(|&i| !safe[i]).collect();
        if !unsafe_idx.is_empty() {
            let mut by_width: Vec<usize> = safe_idx.clone();
            let cmax = |i: usize| cstats.iter().map(|(_, cs)| cs[i]).fold(0.0, f64::max);
            by_width.sort_by(|&a, &b| cmax(b).total_cmp(&cmax(a)));
            for &i in by_width.iter().take(30) {
                if candidates.contains(&i) {
                    continue;
                }
                let row = pool.row(i).insert_axis(Axis(0));
                let near: Vec<usize> = unsafe_idx
                    .iter()
                    .copied()
                    .filter(|&j| {
                        (0..pool.ncols())
                            .map(|k| (pool[[i, k]] - pool[[j, k]]).powi(2))
                            .sum::<f64>()
                            < 0.04
                    })
                    .collect();
                if near.is_empty() {
                    continue;
                }
                let probe = pool.select(Axis(0), &near);
                let mut expands = vec![true; near.len()];
                let mut usable = true;
                for (k, (c, &limit)) in m.constraints.iter().zip(&m.limits).enumerate() {
                    let optimistic = Array1::from(vec![cstats[k].0[i] - z * cstats[k].1[i]]);
                    match c.condition_on(row, optimistic.view()) {
                        Some(Ok(f)) => {
                            let Predictive {
                                mean: pm,
                                variance: pv,
                                ..
                            } = f.predict(probe.view())?;
                            for (e, (a, v)) in expands.iter_mut().zip(pm.iter().zip(pv.iter())) {
                                *e &= a + z * v.max(0.0).sqrt() <= limit;
                            }
                        }
                        _ => usable = false,
                    }
                }
                if usable && expands.iter().any(|&e| e) {
                    candidates.push(i);
                }
            }
        }
        Ok(candidates
            .into_iter()
            .max_by(|&a, &b| width[a].total_cmp(&width[b]))
            .map(|i| (pool.row(i).to_owned(), width[i])))
    }
}
