//! Effect estimation from data: regression adjustment, stratification,
//! inverse-propensity weighting and doubly-robust AIPW, with seeded parallel
//! bootstrap intervals and DoWhy-style refutations.

use std::collections::BTreeMap;

use ndarray::{Array1, Array2, Axis};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::graph::CausalGraph;
use crate::ols::{logistic_probabilities, ols};
use voltai_core::{Dataset, Error, Result};

/// How the effect is estimated once an adjustment set is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// Coefficient of the treatment in y ~ 1 + t + Z (any numeric treatment;
    /// the effect of one unit of t).
    LinearRegression,
    /// Average treatment effect of a binary t within strata of discrete Z.
    Stratified,
    /// Average treatment effect by (normalised) inverse-propensity weighting,
    /// logistic propensity on Z; binary t.
    Ipw,
    /// Augmented IPW (doubly robust): linear outcome models per arm plus
    /// logistic propensity; binary t.
    Aipw,
}

/// An estimated effect with its interval.
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_causal::{Estimator, Method};
/// use voltai_core::Dataset;
///
/// // Columns z, t, y with y = 5 + 2t + 4z exactly; z = 1 cells are mostly treated.
/// let rows = array![
///     [0.0, 0.0, 5.0], [0.0, 0.0, 5.0], [0.0, 0.0, 5.0], [0.0, 1.0, 7.0],
///     [1.0, 1.0, 11.0], [1.0, 1.0, 11.0], [1.0, 1.0, 11.0], [1.0, 0.0, 9.0],
/// ];
/// let data = Dataset::unsupervised(rows)?.with_feature_names(vec!["z", "t", "y"])?;
/// // Stratified estimates have no analytic error: bootstrap the interval.
/// let est = Estimator::new(Method::Stratified)
///     .bootstrap(50, 1)?
///     .estimate(&data, "t", "y", &["z"])?;
/// assert!((est.effect - 2.0).abs() < 1e-12); // the naive difference of means is 4
/// assert_eq!(est.adjustment_set, vec!["z".to_string()]);
/// assert_eq!((est.n, est.dropped_strata), (8, 0));
/// assert!(est.std_error.is_none() && est.interval.0 <= 2.0 + 1e-12);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The method used.
    pub method: Method,
    /// The adjustment set.
    pub adjustment_set: Vec<String>,
    /// Point estimate.
    pub effect: f64,
    /// Analytic standard error (linear regression only).
    pub std_error: Option<f64>,
    /// Confidence interval: bootstrap percentile if bootstrapped, else analytic.
    pub interval: (f64, f64),
    /// Confidence level of `interval`.
    pub level: f64,
    /// Rows used.
    pub n: usize,
    /// Strata dropped for lacking a treated or an untreated row (stratified only).
    pub dropped_strata: usize,
}

/// Settings of an estimation.
///
/// # Examples
///
/// ```
/// use ndarray::Array2;
/// use voltai_causal::{Estimator, Method};
/// use voltai_core::Dataset;
///
/// // z confounds t and y; the true effect of t on y is 2.
/// let rows = Array2::from_shape_fn((12, 3), |(i, j)| {
///     let z = (i % 4) as f64;
///     let t = z + if i % 3 == 0 { 1.0 } else { 0.0 };
///     let noise = 0.001 * ((i * 7) % 5) as f64;
///     [z, t, 2.0 * t + 3.0 * z + noise][j]
/// });
/// let data = Dataset::unsupervised(rows)?.with_feature_names(vec!["z", "t", "y"])?;
/// let est = Estimator::new(Method::LinearRegression).level(0.9)?;
/// let adjusted = est.estimate(&data, "t", "y", &["z"])?;
/// assert!((adjusted.effect - 2.0).abs() < 0.01);
/// assert!(adjusted.interval.0 <= adjusted.effect && adjusted.effect <= adjusted.interval.1);
/// // Ignoring the confounder is badly biased.
/// let naive = est.estimate(&data, "t", "y", &[])?;
/// assert!(naive.effect > 4.0);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimator {
    method: Method,
    bootstrap: usize,
    seed: u64,
    level: f64,
}

struct Columns {
    t: Array1<f64>,
    y: Array1<f64>,
    z: Array2<f64>,
}

fn columns(data: &Dataset, treatment: &str, outcome: &str, adjust: &[&str]) -> Result<Columns> {
    let t = data.column(treatment)?.to_owned();
    let y = data.column(outcome)?.to_owned();
    let mut z = Array2::zeros((t.len(), adjust.len()));
    for (k, a) in adjust.iter().enumerate() {
        if *a == treatment || *a == outcome {
            return Err(Error::InvalidInput(format!(
                "`{a}` cannot adjust for itself"
            )));
        }
        z.column_mut(k).assign(&data.column(a)?);
    }
    Ok(Columns { t, y, z })
}

fn check_binary(t: &Array1<f64>, method: Method) -> Result<()> {
    if t.iter().any(|&v| v != 0.0 && v != 1.0) {
        return Err(Error::InvalidInput(format!(
            "{method:?} needs a binary (0/1) treatment"
        )));
    }
    let treated = t.iter().filter(|&&v| v == 1.0).count();
    if treated == 0 || treated == t.len() {
        return Err(Error::InvalidInput("treatment takes only one value".into()));
    }
    Ok(())
}

fn point(method: Method, c: &Columns) -> Result<(f64, Option<f64>, usize)> {
    match method {
        Method::LinearRegression => {
            let x = ndarray::concatenate(Axis(1), &[c.t.view().insert_axis(Axis(1)), c.z.view()])
                .map_err(|e| Error::InvalidInput(e.to_string()))?;
            let fit = ols(x.view(), c.y.view())?;
            Ok((fit.coef[1], Some(fit.se[1]), 0))
        }
        Method::Stratified => {
            check_binary(&c.t, method)?;
            let mut strata: BTreeMap<Vec<u64>, [(f64, usize); 2]> = BTreeMap::new();
            for i in 0..c.t.len() {
                let key: Vec<u64> = c.z.row(i).iter().map(|v| v.to_bits()).collect();
                let e = strata.entry(key).or_insert([(0.0, 0); 2]);
                let arm = usize::from(c.t[i] == 1.0);
                e[arm].0 += c.y[i];
                e[arm].1 += 1;
            }
            let (mut num, mut weight, mut dropped) = (0.0, 0usize, 0usize);
            for [(s0, n0), (s1, n1)] in strata.values() {
                if *n0 == 0 || *n1 == 0 {
                    dropped += 1;
                    continue;
                }
                let w = n0 + n1;
                num += w as f64 * (s1 / *n1 as f64 - s0 / *n0 as f64);
                weight += w;
            }
            if weight == 0 {
                return Err(Error::InvalidInput(
                    "no stratum has both treated and untreated rows".into(),
                ));
            }
            Ok((num / weight as f64, None, dropped))
        }
        Method::Ipw | Method::Aipw => {
            check_binary(&c.t, method)?;
            let e = logistic_probabilities(c.z.view(), c.t.view())?.mapv(|p| p.clamp(0.01, 0.99));
            if method == Method::Ipw {
                // Hájek (normalised) weights.
                let (mut s1, mut w1, mut s0, mut w0) = (0.0, 0.0, 0.0, 0.0);
                for i in 0..c.t.len() {
                    if c.t[i] == 1.0 {
                        s1 += c.y[i] / e[i];
                        w1 += 1.0 / e[i];
                    } else {
                        s0 += c.y[i] / (1.0 - e[i]);
                        w0 += 1.0 / (1.0 - e[i]);
                    }
                }
                return Ok((s1 / w1 - s0 / w0, None, 0));
            }
            let arm = |v: f64| -> Result<Array1<f64>> {
                let rows: Vec<usize> = (0..c.t.len()).filter(|&i| c.t[i] == v).collect();
                let fit = ols(
                    c.z.select(Axis(0), &rows).view(),
                    c.y.select(Axis(0), &rows).view(),
                )?;
                Ok(crate::ols::design(c.z.view()).dot(&fit.coef))
            };
            let (m1, m0) = (arm(1.0)?, arm(0.0)?);
            let n = c.t.len() as f64;
            let psi: f64 = (0..c.t.len())
                .map(|i| {
                    let t = c.t[i];
                    m1[i] - m0[i] + t * (c.y[i] - m1[i]) / e[i]
                        - (1.0 - t) * (c.y[i] - m0[i]) / (1.0 - e[i])
                })
                .sum::<f64>()
                / n;
            Ok((psi, None, 0))
        }
    }
}

fn subset(c: &Columns, rows: &[usize]) -> Columns {
    Columns {
        t: c.t.select(Axis(0), rows),
        y: c.y.select(Axis(0), rows),
        z: c.z.select(Axis(0), rows),
    }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let h = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

impl Estimator {
    /// `method` with a 95 % analytic interval (no bootstrap).
    pub fn new(method: Method) -> Self {
        Estimator {
            method,
            bootstrap: 0,
            seed: 0,
            level: 0.95,
        }
    }

    /// Percentile bootstrap with `resamples` ≥ 20 resamples, seeded (parallel, deterministic).
    pub fn bootstrap(mut self, resamples: usize, seed: u64) -> Result<Self> {
        if resamples < 20 {
            return Err(Error::invalid_parameter(
                "resamples",
                resamples,
                "[20, inf)",
            ));
        }
        self.bootstrap = resamples;
        self.seed = seed;
        Ok(self)
    }

    /// Confidence level in (0, 1), default 0.95.
    pub fn level(mut self, level: f64) -> Result<Self> {
        if !(level > 0.0 && level < 1.0) {
            return Err(Error::invalid_parameter("level", level, "(0, 1)"));
        }
        self.level = level;
        Ok(self)
    }

    /// Estimates the effect of `treatment` on `outcome` adjusting for `adjust`
    /// (all names of feature columns of `data`).
    pub fn estimate(
        &self,
        data: &Dataset,
        treatment: &str,
        outcome: &str,
        adjust: &[&str],
    ) -> Result<Estimate> {
        let c = columns(data, treatment, outcome, adjust)?;
        let (effect, se, dropped) = point(self.method, &c)?;
        let alpha = 1.0 - self.level;
        let interval = if self.bootstrap > 0 {
            let n = c.t.len();
            let mut draws: Vec<f64> = (0..self.bootstrap)
                .into_par_iter()
                .filter_map(|b| {
                    let mut rng = StdRng::seed_from_u64(
                        self.seed.wrapping_add(b as u64).wrapping_mul(0x9E37_79B9),
                    );
                    let rows: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
                    point(self.method, &subset(&c, &rows)).ok().map(|p| p.0)
                })
                .collect();
            if draws.len() < self.bootstrap / 2 {
                return Err(Error::numerical(
                    "bootstrap",
                    "most resamples could not be estimated",
                ));
            }
            draws.sort_by(f64::total_cmp);
            (
                percentile(&draws, alpha / 2.0),
                percentile(&draws, 1.0 - alpha / 2.0),
            )
        } else if let Some(se) = se {
            let z = Normal::new(0.0, 1.0)
                .map_err(|e| Error::numerical("normal quantile", e.to_string()))?
                .inverse_cdf(1.0 - alpha / 2.0);
            (effect - z * se, effect + z * se)
        } else {
            return Err(Error::InvalidInput(format!(
                "{:?} needs bootstrap(..) for an interval",
                self.method
            )));
        };
        Ok(Estimate {
            method: self.method,
            adjustment_set: adjust.iter().map(|s| s.to_string()).collect(),
            effect,
            std_error: se,
            interval,
            level: self.level,
            n: c.t.len(),
            dropped_strata: dropped,
        })
    }

    /// Identifies the effect from `graph` (its smallest minimal back-door set)
    /// and estimates it; fails if no adjustment set exists.
    pub fn identify_and_estimate(
        &self,
        graph: &CausalGraph,
        data: &Dataset,
        treatment: &str,
        outcome: &str,
    ) -> Result<Estimate> {
        let set = graph.minimum_adjustment_set(treatment, outcome)?.ok_or_else(|| {
            Error::InvalidInput(format!("the effect of `{treatment}` on `{outcome}` is not identifiable by adjustment in this graph"))
        })?;
        let names: Vec<&str> = set.iter().map(String::as_str).collect();
        self.estimate(data, treatment, outcome, &names)
    }

    /// The point estimate the refuters compare against, with the columns they
    /// perturb (no bootstrap: a refutation only needs the point estimate).
    fn original(
        &self,
        data: &Dataset,
        treatment: &str,
        outcome: &str,
        adjust: &[&str],
    ) -> Result<(f64, Columns)> {
        let c = columns(data, treatment, outcome, adjust)?;
        Ok((point(self.method, &c)?.0, c))
    }

    /// Refutation by a placebo: the treatment column permuted at random; the
    /// estimated effect should vanish.
    pub fn refute_placebo(
        &self,
        data: &Dataset,
        treatment: &str,
        outcome: &str,
        adjust: &[&str],
        seed: u64,
    ) -> Result<Refutation> {
        let (original, mut c) = self.original(data, treatment, outcome, adjust)?;
        let mut t = c.t.to_vec();
        t.shuffle(&mut StdRng::seed_from_u64(seed));
        c.t = Array1::from(t);
        let new = point(self.method, &c)?.0;
        Ok(Refutation {
            name: "placebo treatment".into(),
            original,
            refuted: new,
            expected: "≈ 0".into(),
        })
    }

    /// Refutation by a random common cause: an independent N(0, 1) column added
    /// to the adjustment set; the estimate should not move.
    pub fn refute_random_common_cause(
        &self,
        data: &Dataset,
        treatment: &str,
        outcome: &str,
        adjust: &[&str],
        seed: u64,
    ) -> Result<Refutation> {
        let (original, mut c) = self.original(data, treatment, outcome, adjust)?;
        let mut rng = voltai_core::synthetic::SplitMix64::new(seed);
        let noise = Array1::from_shape_simple_fn(c.t.len(), || rng.normal());
        c.z = ndarray::concatenate(Axis(1), &[c.z.view(), noise.view().insert_axis(Axis(1))])
            .map_err(|e| Error::InvalidInput(e.to_string()))?;
        let new = point(self.method, &c)?.0;
        Ok(Refutation {
            name: "random common cause".into(),
            original,
            refuted: new,
            expected: "≈ original".into(),
        })
    }

    /// Refutation by data subsets: the mean estimate over random subsets
    /// (see [`Subsets`]) should match the original.
    pub fn refute_data_subset(
        &self,
        data: &Dataset,
        treatment: &str,
        outcome: &str,
        adjust: &[&str],
        subsets: Subsets,
    ) -> Result<Refutation> {
        let Subsets {
            fraction,
            repeats,
            seed,
        } = subsets;
        if !(fraction > 0.0 && fraction < 1.0) {
            return Err(Error::invalid_parameter("fraction", fraction, "(0, 1)"));
        }
        let (original, c) = self.original(data, treatment, outcome, adjust)?;
        let n = c.t.len();
        let k = ((fraction * n as f64) as usize).max(2);
        let draws: Vec<f64> = (0..repeats.max(1))
            .into_par_iter()
            .filter_map(|r| {
                let mut idx: Vec<usize> = (0..n).collect();
                idx.shuffle(&mut StdRng::seed_from_u64(seed.wrapping_add(r as u64)));
                point(self.method, &subset(&c, &idx[..k])).ok().map(|p| p.0)
            })
            .collect();
        if draws.is_empty() {
            return Err(Error::numerical(
                "subset refutation",
                "no subset could be estimated",
            ));
        }
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        Ok(Refutation {
            name: format!("{:.0} % data subsets (×{})", 100.0 * fraction, draws.len()),
            original,
            refuted: mean,
            expected: "≈ original".into(),
        })
    }
}

/// How the data-subset refuter draws its subsets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Subsets {
    /// Fraction of rows in each subset, in (0, 1).
    pub fraction: f64,
    /// Number of subsets.
    pub repeats: usize,
    /// Seed of the draws.
    pub seed: u64,
}

/// Result of a refutation test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refutation {
    /// Which refuter.
    pub name: String,
    /// The original estimate.
    pub original: f64,
    /// The estimate under the refuter's perturbation.
    pub refuted: f64,
    /// What a robust estimate should give.
    pub expected: String,
}

/// One implied independence tested against data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndependenceTest {
    /// The statement.
    pub statement: crate::Independence,
    /// Partial correlation of a and b given the conditioning set.
    pub partial_correlation: f64,
    /// Two-sided p-value of Fisher's z test.
    pub p_value: f64,
}

/// Tests every independence the graph implies with partial correlations
/// (Fisher's z): small p-values mark assumptions the data contradict.
pub fn test_implied_independences(
    graph: &CausalGraph,
    data: &Dataset,
) -> Result<Vec<IndependenceTest>> {
    let n = data.n_samples() as f64;
    let normal = Normal::new(0.0, 1.0).map_err(|e| Error::numerical("normal", e.to_string()))?;
    graph
        .implied_independences()
        .into_iter()
        .map(|st| {
            let given: Vec<&str> = st.given.iter().map(String::as_str).collect();
            let mut z = Array2::zeros((data.n_samples(), given.len()));
            for (k, g) in given.iter().enumerate() {
                z.column_mut(k).assign(&data.column(g)?);
            }
            let ra = ols(z.view(), data.column(&st.a)?)?.resid;
            let rb = ols(z.view(), data.column(&st.b)?)?.resid;
            let r = ra.dot(&rb) / (ra.dot(&ra) * rb.dot(&rb)).sqrt();
            let dof = n - given.len() as f64 - 3.0;
            if dof <= 0.0 {
                return Err(Error::InvalidInput(
                    "too few rows for the conditioning set".into(),
                ));
            }
            let zstat = 0.5 * ((1.0 + r) / (1.0 - r)).ln() * dof.sqrt();
            let p_value = 2.0 * (1.0 - normal.cdf(zstat.abs()));
            Ok(IndependenceTest {
                statement: st,
                partial_correlation: r,
                p_value,
            })
        })
        .collect()
}
