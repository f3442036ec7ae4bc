//! Data-driven hyperparameter starts, bounds and restarts, and the check after
//! a fit that names a degenerate optimum instead of returning it silently.
//!
//! Why: from scikit-learn's defaults (start at 1, bounds 1e-5 … 1e5) a GP on a
//! few dozen points often converges to an optimum with a length-scale at its
//! lower bound — a white-noise interpolant — and nothing says so. Scales read
//! off the data (a length-scale is a fraction of an input's range, a variance
//! a fraction of the normalised targets' unit variance) start every run in the
//! right region and bound it away from those corners.

use std::fmt;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::optimize::{FitReport, LogNormalPrior, OptimizerSettings, ValueGrad, maximize};
use voltai_core::{ProgressFn, Result};

/// What one hyperparameter is, read from its kernel name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Role {
    /// A length-scale, of input column `Some(k)` or of several (or every) column.
    LengthScale(Option<usize>),
    /// A signal variance (normalised target units).
    Variance,
    /// A noise variance (normalised target units).
    Noise,
    /// Anything else (periods, exponents, γ): its given value is trusted.
    Other,
}

pub(crate) fn role(name: &str) -> Role {
    let last = name.rsplit('.').next().unwrap_or(name);
    if let Some(rest) = last.strip_prefix("length_scale") {
        let k = rest
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|r| r.parse().ok());
        let listed = rest.starts_with('{') && rest.ends_with('}');
        if k.is_some() || listed || rest.is_empty() {
            Role::LengthScale(k)
        } else {
            Role::Other
        }
    } else if last == "variance" || last == "value" {
        Role::Variance
    } else if last == "noise" || last.starts_with("group_noise") {
        Role::Noise
    } else {
        Role::Other
    }
}

/// Median range of the columns listed in a `length_scale{a,b,…}` name.
fn median_of_listed(name: &str, ranges: &[f64]) -> Option<f64> {
    let inner = name.rsplit_once('{')?.1.strip_suffix('}')?;
    let mut v: Vec<f64> = inner
        .split(',')
        .map(|c| {
            c.trim()
                .parse::<usize>()
                .ok()
                .and_then(|c| ranges.get(c).copied())
        })
        .collect::<Option<Vec<f64>>>()?;
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// Range of every input column (1 where a column is constant).
fn ranges(x: ArrayView2<'_, f64>) -> Vec<f64> {
    x.columns()
        .into_iter()
        .map(|c| {
            let (lo, hi) = c
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                });
            if hi > lo { hi - lo } else { 1.0 }
        })
        .collect()
}

/// Start, bounds and plausible range (where random restarts begin) of one
/// hyperparameter, in natural units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    pub start: f64,
    pub low: f64,
    pub high: f64,
    pub plausible: (f64, f64),
}

/// Data-driven start and bounds of every hyperparameter; `given` (log values)
/// is kept for the ones whose role is unknown. A length-scale of several
/// columns (`length_scale`, or `length_scale{2,5}` from `OnColumns`) uses
/// the median range of the columns it covers.
pub(crate) fn scales(names: &[String], given: &[f64], x: ArrayView2<'_, f64>) -> Vec<Scale> {
    let r = ranges(x);
    let median = {
        let mut s = r.clone();
        s.sort_by(f64::total_cmp);
        s.get(s.len() / 2).copied().unwrap_or(1.0)
    };
    names
        .iter()
        .zip(given)
        .map(|(name, &g)| match role(name) {
            Role::LengthScale(k) => {
                let range = k
                    .and_then(|k| r.get(k).copied())
                    .or_else(|| median_of_listed(name, &r))
                    .unwrap_or(median);
                Scale {
                    start: 0.3 * range,
                    low: 1e-2 * range,
                    high: 1e2 * range,
                    plausible: (0.05 * range, 2.0 * range),
                }
            }
            // Wide above: a long length-scale with a large variance is how an
            // RBF represents a strong trend, which a cheap level often has.
            Role::Variance => Scale {
                start: 1.0,
                low: 1e-6,
                high: 1e4,
                plausible: (0.1, 10.0),
            },
            Role::Noise => Scale {
                start: 1e-2,
                low: 1e-9,
                high: 2.0,
                // Starts with a tiny noise make K nearly singular on noisy
                // data, and the first quasi-Newton step then leaps across
                // basins; the optimiser lowers a noise that is too high.
                plausible: (1e-3, 0.2),
            },
            Role::Other => {
                let v = g.exp();
                Scale {
                    start: v,
                    low: v * 1e-3,
                    high: v * 1e3,
                    plausible: (v * 0.1, v * 10.0),
                }
            }
        })
        .collect()
}

/// Restarts for `n_params` hyperparameters and `n` points: more where the
/// likelihood is cheap and the surface has many parameters, fewer where each
/// evaluation is an O(n³) factorisation.
pub(crate) fn restarts(n_params: usize, n: usize) -> usize {
    let base = (4 + 2 * n_params).min(20);
    match n {
        0..=300 => base,
        301..=1000 => base.min(8),
        _ => base.min(4),
    }
}

/// Settings for an automatic fit: data-driven start (returned), bounds and restarts.
pub(crate) fn auto_settings(
    names: &[String],
    given: &[f64],
    x: ArrayView2<'_, f64>,
    n: usize,
    seed: u64,
) -> (Vec<f64>, OptimizerSettings) {
    let s = scales(names, given, x);
    let theta0 = s.iter().map(|s| s.start.ln()).collect();
    let settings = OptimizerSettings {
        restarts: restarts(names.len(), n),
        seed,
        bounds: s.iter().map(|s| (s.low, s.high)).collect(),
        max_iter: 200,
        priors: Vec::new(),
        start_box: Some(s.iter().map(|s| s.plausible).collect()),
    };
    (theta0, settings)
}

/// Maximises with `settings`, checks the optimum for degenerate corners and,
/// if it finds one, retries once with more and different random starts,
/// keeping the better optimum and reporting whatever is still degenerate.
pub(crate) fn maximize_checked(
    f: &ValueGrad<'_>,
    names: &[String],
    theta0: &[f64],
    settings: &OptimizerSettings,
    progress: &mut ProgressFn<'_>,
) -> Result<(Vec<f64>, FitReport)> {
    let (mut theta, mut report) = maximize(f, theta0, settings, progress)?;
    report.diagnostics = at_bounds(names, &theta, &settings.bounds);
    if report.diagnostics.is_empty() {
        return Ok((theta, report));
    }
    let retry = OptimizerSettings {
        restarts: 2 * settings.restarts + 4,
        seed: settings.seed.wrapping_add(0x9e37_79b9),
        ..settings.clone()
    };
    let (theta2, report2) = maximize(f, theta0, &retry, progress)?;
    let best = |r: &FitReport| {
        r.runs
            .iter()
            .map(|r| r.objective)
            .fold(f64::NEG_INFINITY, f64::max)
    };
    if best(&report2) > best(&report) {
        theta = theta2;
        report.log_marginal_likelihood = report2.log_marginal_likelihood;
    }
    report.runs.extend(report2.runs);
    report.diagnostics = at_bounds(names, &theta, &settings.bounds);
    Ok((theta, report))
}

/// Weak log-normal priors for sampling hyperparameters:
/// - a length-scale ℓ of an input whose training range is r:
///   ln(ℓ/r) ~ N(√2 + ½ ln d, 3), d input columns — the dimension-scaled
///   prior of Hvarfner, Hellsten & Nardi (2024), BoTorch's default since
///   0.12, which favours smooth functions unless the data say otherwise;
/// - a signal variance (normalised targets): ln σ² ~ N(ln `variance_centre`, 2²);
/// - a noise variance (normalised targets): ln σ²ₙ ~ N(ln 10⁻², 2²);
/// - anything else: centred on its given value, sd 2.
pub(crate) fn weak_priors(
    names: &[String],
    given: &[f64],
    x: ArrayView2<'_, f64>,
    variance_centre: f64,
) -> Vec<LogNormalPrior> {
    let d = x.ncols().max(1) as f64;
    let ls_shift = std::f64::consts::SQRT_2 + 0.5 * d.ln();
    scales(names, given, x)
        .iter()
        .zip(names)
        .enumerate()
        .map(|(index, (s, name))| {
            let (mean, std) = match role(name) {
                Role::LengthScale(_) => {
                    // s.start is 0.3 × the range `scales` chose for it.
                    let range = s.start / 0.3;
                    (range.ln() + ls_shift, 3f64.sqrt())
                }
                Role::Variance => (variance_centre.ln(), 2.0),
                Role::Noise => (1e-2f64.ln(), 2.0),
                Role::Other => (s.start.ln(), 2.0),
            };
            LogNormalPrior { index, mean, std }
        })
        .collect()
}

/// A sign that a fitted model sits in a degenerate corner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FitDiagnostic {
    /// A hyperparameter ended at a bound where that means a degenerate model:
    /// a length-scale at its lower bound (white-noise interpolant), a signal
    /// variance at its upper bound, or a noise at its upper bound (everything
    /// explained as noise).
    AtBound {
        /// The kernel's name for the hyperparameter.
        name: String,
        /// Its fitted value (normalised target units for variances).
        value: f64,
        /// The bound it sits on.
        bound: f64,
    },
    /// A multi-fidelity scale ρ outside the plausible range (0.1 … 10 in the
    /// targets' units, or negative): the cheap source is being ignored or
    /// inverted.
    ImplausibleScale {
        /// Fidelity level whose ρ it is (1 = first expensive level).
        level: usize,
        /// The fitted ρ.
        rho: f64,
    },
    /// A fidelity level that explains more than a fifth of its targets'
    /// variance as noise. Simulations and measurements that are worth fusing
    /// carry signal; a large learned noise is the other optimum of a
    /// multimodal likelihood (structure read as noise), under which the
    /// level's predictions lose that structure.
    NoiseDominates {
        /// Fidelity level (0 = cheapest).
        level: usize,
        /// Learned noise variance over the level's targets' variance.
        share: f64,
    },
    /// A discrepancy whose prior variance exceeds the variance of the level's
    /// targets: the cheap source explains nothing.
    DiscrepancyDominates {
        /// Fidelity level of the discrepancy.
        level: usize,
        /// Discrepancy signal variance over the targets' variance.
        ratio: f64,
    },
}

impl fmt::Display for FitDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitDiagnostic::AtBound { name, value, bound } => {
                write!(f, "{name} = {value:.3e} sits on its bound {bound:.3e}")
            }
            FitDiagnostic::ImplausibleScale { level, rho } => {
                write!(f, "level {level}: ρ = {rho:.3} is outside 0.1 … 10")
            }
            FitDiagnostic::NoiseDominates { level, share } => write!(
                f,
                "level {level}: {:.0} % of the targets' variance is explained as noise",
                100.0 * share
            ),
            FitDiagnostic::DiscrepancyDominates { level, ratio } => write!(
                f,
                "level {level}: the discrepancy's variance is {ratio:.2}× the targets' variance"
            ),
        }
    }
}

/// Share of a fitted level's normalised target variance explained as noise
/// (white kernel terms and learned group noise); `NoiseDominates` above 0.2.
pub(crate) fn noise_dominates(
    level: usize,
    names: &[String],
    theta: &[f64],
) -> Option<FitDiagnostic> {
    let share: f64 = names
        .iter()
        .zip(theta)
        .filter(|(n, _)| role(n) == Role::Noise)
        .map(|(_, t)| t.exp())
        .fold(0.0, f64::max);
    (share > 0.2).then_some(FitDiagnostic::NoiseDominates { level, share })
}

/// Degenerate-corner check of fitted log-hyperparameters against their bounds.
pub(crate) fn at_bounds(
    names: &[String],
    theta: &[f64],
    bounds: &[(f64, f64)],
) -> Vec<FitDiagnostic> {
    // Within 1 % of a bound (in log space) counts as on it: L-BFGS-B stops a
    // hair inside.
    const TOL: f64 = 0.01;
    let mut out = Vec::new();
    for ((name, &t), &(lo, hi)) in names.iter().zip(theta).zip(bounds) {
        let (at_lo, at_hi) = (t - lo.ln() < TOL, hi.ln() - t < TOL);
        let bound = match role(name) {
            Role::LengthScale(_) if at_lo => Some(lo),
            Role::Variance | Role::Noise if at_hi => Some(hi),
            _ => None,
        };
        if let Some(bound) = bound {
            out.push(FitDiagnostic::AtBound {
                name: name.clone(),
                value: t.exp(),
                bound,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn roles_are_read_from_kernel_names() {
        assert_eq!(role("k1.length_scale[1]"), Role::LengthScale(Some(1)));
        assert_eq!(role("k1.k2.length_scale"), Role::LengthScale(None));
        assert_eq!(role("k1.variance"), Role::Variance);
        assert_eq!(role("k2.noise"), Role::Noise);
        assert_eq!(role("group_noise[0]"), Role::Noise);
        assert_eq!(role("period"), Role::Other);
        assert_eq!(role("periodic_length_scale"), Role::Other);
        assert_eq!(role("k1.length_scale{0,2}"), Role::LengthScale(None));
    }

    #[test]
    fn scales_follow_each_columns_range() {
        let x = array![[0.0, 10.0], [2.0, 10.0], [1.0, 30.0]];
        let names = vec!["length_scale[0]".into(), "length_scale[1]".into()];
        let s = scales(&names, &[0.0, 0.0], x.view());
        assert!((s[0].start - 0.6).abs() < 1e-12 && (s[0].low - 0.02).abs() < 1e-12);
        assert!((s[1].start - 6.0).abs() < 1e-12 && (s[1].high - 2000.0).abs() < 1e-9);
        // An OnColumns length-scale over column 1 only.
        let s = scales(&["length_scale{1}".to_string()], &[0.0], x.view());
        assert!((s[0].start - 6.0).abs() < 1e-12);
    }

    #[test]
    fn only_degenerate_corners_are_flagged() {
        let names: Vec<String> = vec!["length_scale".into(), "variance".into(), "noise".into()];
        let bounds = vec![(0.1, 10.0), (1e-6, 1e4), (1e-9, 2.0)];
        // Length-scale at its upper bound (an irrelevant input) and noise at its
        // lower bound (noise-free data) are fine.
        let fine = [10f64.ln(), 0.0, 1e-9f64.ln()];
        assert!(at_bounds(&names, &fine, &bounds).is_empty());
        let bad = [0.1f64.ln(), 1e4f64.ln(), 2f64.ln()];
        assert_eq!(at_bounds(&names, &bad, &bounds).len(), 3);
    }
}
