//! Multi-start bounded quasi-Newton maximisation of the log marginal likelihood.

use std::cell::RefCell;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rcompat_lbfgsb::{Bounds, OptimControl, optim_lbfgsb_with_gradient};
use serde::{Deserialize, Serialize};

use voltai_core::{Error, Progress, ProgressFn, Result};

/// A Gaussian prior on one log-hyperparameter (a log-normal prior on the parameter).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogNormalPrior {
    /// Index into the hyperparameter vector (kernel log-parameters, then noise).
    pub index: usize,
    /// Mean of the log-parameter.
    pub mean: f64,
    /// Standard deviation of the log-parameter (> 0).
    pub std: f64,
}

impl LogNormalPrior {
    fn log_density(&self, theta: &[f64]) -> (f64, f64) {
        let z = (theta[self.index] - self.mean) / self.std;
        (
            -0.5 * z * z - self.std.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln(),
            -z / self.std,
        )
    }
}

/// How hyperparameters are fitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimizerSettings {
    /// Extra random starts after the first (which starts from the given hyperparameters).
    pub restarts: usize,
    /// Seed of the random starts.
    pub seed: u64,
    /// Bounds of every hyperparameter in natural units (default 1e-5 … 1e5, as scikit-learn).
    pub bounds: Vec<(f64, f64)>,
    /// Iteration cap of each L-BFGS-B run.
    pub max_iter: usize,
    /// Priors on log-hyperparameters (MAP instead of maximum likelihood).
    pub priors: Vec<LogNormalPrior>,
    /// Where the random starts are drawn (log-uniformly; natural units);
    /// `None`: within `bounds`. Automatic fits draw them from the plausible
    /// region the data suggest, which is much smaller than the bounds.
    #[serde(default)]
    pub start_box: Option<Vec<(f64, f64)>>,
}

/// One optimiser run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Starting log-hyperparameters.
    pub start: Vec<f64>,
    /// Final objective (LML + log prior).
    pub objective: f64,
    /// Whether L-BFGS-B reported convergence.
    pub converged: bool,
    /// The optimiser's message.
    pub message: String,
    /// Objective evaluations.
    pub evaluations: usize,
}

/// Result of hyperparameter fitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// Log marginal likelihood at the chosen hyperparameters (normalised targets).
    pub log_marginal_likelihood: f64,
    /// Every run, in order (first: from the initial hyperparameters).
    pub runs: Vec<RunReport>,
    /// Signs of a degenerate optimum found after fitting (empty when none);
    /// an automatic fit has already retried with more restarts before
    /// reporting them.
    #[serde(default)]
    pub diagnostics: Vec<crate::robust::FitDiagnostic>,
}

/// An objective returning its value and gradient.
pub(crate) type ValueGrad<'a> = dyn Fn(&[f64]) -> Result<(f64, Vec<f64>)> + Sync + 'a;

/// The last evaluation: θ, value, gradient.
type Memo = Option<(Vec<f64>, f64, Vec<f64>)>;

pub(crate) fn check_bounds(bounds: &[(f64, f64)], n: usize) -> Result<()> {
    voltai_core::check::same_len("hyperparameter bounds", n, bounds.len())?;
    for (i, &(lo, hi)) in bounds.iter().enumerate() {
        if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && hi >= lo) {
            return Err(Error::invalid_parameter(
                format!("bounds[{i}]"),
                format!("({lo}, {hi})"),
                "0 < low ≤ high < inf",
            ));
        }
    }
    Ok(())
}

/// Maximises `f` (returning value and gradient) from `theta0` and `restarts`
/// random starts; returns the best θ and a report.
pub(crate) fn maximize(
    f: &ValueGrad<'_>,
    theta0: &[f64],
    settings: &OptimizerSettings,
    progress: &mut ProgressFn<'_>,
) -> Result<(Vec<f64>, FitReport)> {
    let n = theta0.len();
    check_bounds(&settings.bounds, n)?;
    let lo: Vec<f64> = settings.bounds.iter().map(|b| b.0.ln()).collect();
    let hi: Vec<f64> = settings.bounds.iter().map(|b| b.1.ln()).collect();
    let objective = |theta: &[f64]| -> Result<(f64, Vec<f64>)> {
        let (mut v, mut g) = f(theta)?;
        for p in &settings.priors {
            let (lp, dlp) = p.log_density(theta);
            v += lp;
            g[p.index] += dlp;
        }
        Ok((v, g))
    };
    let mut rng = StdRng::seed_from_u64(settings.seed);
    let mut starts = vec![
        theta0
            .iter()
            .zip(lo.iter().zip(&hi))
            .map(|(t, (l, h))| t.clamp(*l, *h))
            .collect::<Vec<_>>(),
    ];
    match &settings.start_box {
        Some(b) => {
            check_bounds(b, n)?;
            // A Latin hypercube in log space: every restart takes its own
            // stratum of every hyperparameter's plausible range, so a few
            // restarts already span each range (random draws cluster).
            let r = settings.restarts;
            let strata: Vec<Vec<usize>> = (0..n)
                .map(|_| {
                    let mut p: Vec<usize> = (0..r).collect();
                    for i in (1..r).rev() {
                        p.swap(i, rng.random_range(0..=i));
                    }
                    p
                })
                .collect();
            let mut fresh = vec![vec![0.0; n]; r];
            for (j, perm) in strata.iter().enumerate() {
                // Clipped to the bounds: a start outside them would be moved anyway.
                let (a, z) = (
                    b[j].0.ln().clamp(lo[j], hi[j]),
                    b[j].1.ln().clamp(lo[j], hi[j]),
                );
                for (start, &stratum) in fresh.iter_mut().zip(perm) {
                    let u = (stratum as f64 + rng.random::<f64>()) / r as f64;
                    start[j] = a + (z - a) * u;
                }
            }
            starts.extend(fresh);
        }
        None => {
            for _ in 0..settings.restarts {
                starts.push(
                    lo.iter()
                        .zip(&hi)
                        .map(|(l, h)| if h > l { rng.random_range(*l..*h) } else { *l })
                        .collect(),
                );
            }
        }
    }
    let mut best: Option<(Vec<f64>, f64)> = None;
    let mut runs = Vec::new();
    for (k, start) in starts.into_iter().enumerate() {
        // One evaluation serves both callbacks (they ask for value, then gradient, at the same θ).
        let cache: RefCell<Memo> = RefCell::new(None);
        let evals = RefCell::new(0usize);
        let eval = |theta: &[f64]| -> (f64, Vec<f64>) {
            if let Some((t, v, g)) = cache.borrow().as_ref()
                && t.as_slice() == theta
            {
                return (*v, g.clone());
            }
            *evals.borrow_mut() += 1;
            // Minimise −objective; an unusable θ (not SPD even with jitter) is a
            // huge but finite value so the line search backs off.
            let (v, g) = match objective(theta) {
                Ok((v, g)) if v.is_finite() && g.iter().all(|x| x.is_finite()) => {
                    (-v, g.iter().map(|x| -x).collect())
                }
                _ => (1e200, vec![0.0; theta.len()]),
            };
            *cache.borrow_mut() = Some((theta.to_vec(), v, g.clone()));
            (v, g)
        };
        let bounds = Bounds::new(lo.clone(), hi.clone())
            .map_err(|e| Error::InvalidInput(format!("{e:?}")))?;
        let mut control = OptimControl::default_for_dimension(n);
        control.maxit = settings.max_iter;
        control.factr = 1e7;
        control.pgtol = 1e-8;
        let res = optim_lbfgsb_with_gradient(
            start.clone(),
            bounds,
            |t| eval(t).0,
            |t| eval(t).1,
            control,
        )
        .map_err(|e| Error::numerical("L-BFGS-B", format!("{e:?}")))?;
        let value = -res.value;
        progress(
            &Progress::new("gp restarts", k + 1)
                .total(settings.restarts + 1)
                .value("objective", value),
        );
        runs.push(RunReport {
            start,
            objective: value,
            converged: res.is_success(),
            message: res.message.clone(),
            evaluations: *evals.borrow(),
        });
        if value.is_finite() && best.as_ref().is_none_or(|(_, b)| value > *b) {
            best = Some((res.par, value));
        }
    }
    let (theta, _) = best.ok_or_else(|| {
        Error::numerical("hyperparameter fit", "no run produced a finite likelihood")
    })?;
    let lml = f(&theta)?.0;
    Ok((
        theta,
        FitReport {
            log_marginal_likelihood: lml,
            runs,
            diagnostics: Vec::new(),
        },
    ))
}
