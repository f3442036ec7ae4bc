//! BatteryML's cycle-life benchmark on the Severson cells, run by our
//! models: the published train set of 41 cells, MATR1 (the primary test
//! cells without the shortest-lived one) and MATR2 (the secondary test
//! cells), RMSE in cycles, our figures beside BatteryML's.
//!
//! Every hyperparameter is chosen by cross-validation on the training cells
//! ([`BenchmarkOptions::inner_folds`]); the whole procedure, selection
//! included, is scored by an outer cross-validation on the same cells, and
//! the family with the lowest outer score is "our model" for both columns.
//! No test cell is used for any choice. Each row also reports how many test
//! cells fall inside a 90 % interval: the model's own predictive
//! distribution where it has one (the GP), otherwise split-conformal on the
//! outer cross-validation's out-of-fold residuals — the errors of the whole
//! procedure, selection included, on cells it did not see. All models fit
//! log10(cycle life). Families with a single setting (the neural networks,
//! like BatteryML's fixed configs) skip the inner cross-validation.

mod families;
mod inputs;
mod report;

#[cfg(feature = "neural")]
pub use families::neural_families;
pub use families::{Family, families};
pub use inputs::{Input, QDLINEAR_STEP};
pub use report::{BenchmarkReport, BenchmarkRow, OverSeeds};

use ndarray::{Array1, ArrayView1};
use voltai_battery_data::readers::SeversonData;
use voltai_core::conformal::Intervals;
use voltai_core::metrics::rmse;
use voltai_core::split::shuffled_fold_ids;
use voltai_core::{Dataset, Error, Progress, ProgressFn, Result};

use families::{Candidate, Fitted};
use inputs::Inputs;

/// The standard-normal quantile of a central 90 % interval.
const Z90: f64 = 1.644_853_626_951_472_2;

/// How the benchmark runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BenchmarkOptions {
    /// Trimmed grids and fewer seeds, for CI (under a minute).
    pub quick: bool,
    /// Seeds of the seed-dependent families (BatteryML: ten).
    pub seeds: usize,
    /// Folds of the outer cross-validation that scores each procedure.
    pub outer_folds: usize,
    /// Folds of the inner cross-validation that picks hyperparameters.
    pub inner_folds: usize,
    /// The first seed (folds and models).
    pub seed: u64,
    /// Adds the MLP, CNN, LSTM and Transformer rows; needs voltai-life's
    /// `neural` feature (an error without it).
    pub neural: bool,
}

impl BenchmarkOptions {
    /// Ten seeds, 5 outer and 4 inner folds, full grids.
    pub fn full() -> Self {
        BenchmarkOptions {
            quick: false,
            seeds: 10,
            outer_folds: 5,
            inner_folds: 4,
            seed: 0,
            neural: cfg!(feature = "neural"),
        }
    }

    /// Two seeds, 3 outer and 3 inner folds, trimmed grids.
    pub fn quick() -> Self {
        BenchmarkOptions {
            quick: true,
            seeds: 2,
            outer_folds: 3,
            inner_folds: 3,
            seed: 0,
            neural: cfg!(feature = "neural"),
        }
    }

    fn check(&self) -> Result<()> {
        if self.seeds == 0 {
            return Err(Error::invalid_parameter("seeds", 0, "[1, inf)"));
        }
        for (name, k) in [
            ("outer_folds", self.outer_folds),
            ("inner_folds", self.inner_folds),
        ] {
            if k < 2 {
                return Err(Error::invalid_parameter(name, k, "[2, 20]"));
            }
        }
        if self.neural && !cfg!(feature = "neural") {
            return Err(Error::InvalidInput(
                "the neural rows need voltai-life's `neural` feature".into(),
            ));
        }
        Ok(())
    }

    /// The families this run covers.
    fn families(&self) -> Vec<Family> {
        #[allow(unused_mut)]
        let mut out = families();
        #[cfg(feature = "neural")]
        if self.neural {
            out.extend(neural_families());
        }
        out
    }
}

/// RMSE in cycles of log10 predictions.
fn cycles_rmse(log_truth: ArrayView1<'_, f64>, log_pred: ArrayView1<'_, f64>) -> Result<f64> {
    let cycles = |v: ArrayView1<'_, f64>| v.mapv(|l| 10f64.powf(l));
    rmse(cycles(log_truth).view(), cycles(log_pred).view())
}

/// The index of the candidate with the lowest k-fold RMSE in cycles on
/// `data` (the only one when there is one: nothing to choose).
fn select(candidates: &[Candidate], data: &Dataset, k: usize, seed: u64) -> Result<usize> {
    if candidates.len() == 1 {
        return Ok(0);
    }
    let n = data.n_samples();
    let folds = shuffled_fold_ids(n, k.min(n), seed)?;
    let y = data.targets()?;
    let mut best: Option<(f64, usize)> = None;
    for (c, candidate) in candidates.iter().enumerate() {
        let mut oof = Array1::zeros(n);
        for fold in 0..k.min(n) {
            let (train, test): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| folds[i] != fold);
            let model = candidate.fit(&data.select(&train)?)?;
            let pred = model.predict(data.select(&test)?.features())?;
            for (&i, p) in test.iter().zip(pred) {
                oof[i] = p;
            }
        }
        let score = cycles_rmse(y, oof.view())?;
        if !score.is_finite() {
            return Err(Error::numerical(
                "benchmark selection",
                format!("candidate `{}` has a non-finite CV error", candidate.label),
            ));
        }
        if best.is_none_or(|(s, _)| score < s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, index)| index)
        .ok_or_else(|| Error::EmptyInput("no candidates".into()))
}

/// The split-conformal half-width: the ⌈(n+1)·0.9⌉-th smallest residual
/// (infinite when there are too few residuals for 90 %).
fn conformal_half_width(residuals: &[f64]) -> f64 {
    let mut r = residuals.to_vec();
    r.sort_by(f64::total_cmp);
    let rank = ((r.len() + 1) as f64 * 0.9).ceil() as usize;
    if rank == 0 || rank > r.len() {
        f64::INFINITY
    } else {
        r[rank - 1]
    }
}

/// RMSE in cycles and 90 % coverage of a fitted model on `rows`.
fn score(model: &Fitted, half_width: f64, data: &Dataset, rows: &[usize]) -> Result<(f64, f64)> {
    let test = data.select(rows)?;
    let x = test.features();
    let truth = test.targets()?;
    let pred = model.predict(x)?;
    let (lower, upper) = match model.predict_dist(x) {
        Some(dist) => dist?.interval(Z90)?,
        None => (pred.mapv(|p| p - half_width), pred.mapv(|p| p + half_width)),
    };
    let rmse = cycles_rmse(truth, pred.view())?;
    let interval = Intervals {
        prediction: pred,
        lower,
        upper,
    };
    Ok((rmse, interval.coverage(truth)?))
}

/// Runs every family of [`families`] on the Severson cells. Reports one
/// step per outer fold and per seed of each family.
pub fn run_benchmark(
    data: &SeversonData,
    options: &BenchmarkOptions,
    progress: &mut ProgressFn<'_>,
) -> Result<BenchmarkReport> {
    options.check()?;
    let inputs = Inputs::of(data)?;
    let families = options.families();
    let seeds_of = |f: &Family| if f.seeded { options.seeds } else { 1 };
    let total: usize = families
        .iter()
        .map(|f| options.outer_folds + seeds_of(f))
        .sum();
    let mut step = 0;
    let mut rows = Vec::with_capacity(families.len());
    for family in &families {
        let all = Dataset::new(inputs.features(family.input), inputs.life.mapv(f64::log10))?;
        let train = all.select(&inputs.train)?;
        let n = train.n_samples();
        let report = |step: usize, what: &str, progress: &mut ProgressFn<'_>| {
            progress(
                &Progress::new("life benchmark", step)
                    .total(total)
                    .label(&format!("{}: {what}", family.name)),
            )
        };

        // The outer cross-validation scores the procedure, selection included.
        let outer = shuffled_fold_ids(n, options.outer_folds, options.seed)?;
        let mut outer_pred = Array1::zeros(n);
        for fold in 0..options.outer_folds {
            let (fit_rows, held): (Vec<usize>, Vec<usize>) =
                (0..n).partition(|&i| outer[i] != fold);
            let inner = train.select(&fit_rows)?;
            let candidates = family.candidates(options.seed, options.quick)?;
            let chosen = select(&candidates, &inner, options.inner_folds, options.seed)?;
            let model = candidates[chosen].fit(&inner)?;
            let pred = model.predict(train.select(&held)?.features())?;
            for (&i, p) in held.iter().zip(pred) {
                outer_pred[i] = p;
            }
            step += 1;
            report(step, "outer cross-validation", progress);
        }
        let train_y = train.targets()?;
        let outer_cv_rmse = cycles_rmse(train_y, outer_pred.view())?;
        let residuals: Vec<f64> = train_y
            .iter()
            .zip(&outer_pred)
            .map(|(t, p)| (t - p).abs())
            .collect();
        let half_width = conformal_half_width(&residuals);

        // The final fits, one per seed, on all training cells.
        let (mut m1, mut m2, mut c1, mut c2) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut chosen_label = String::new();
        let mut own_interval = false;
        for s in 0..seeds_of(family) {
            let seed = options.seed + s as u64;
            let candidates = family.candidates(seed, options.quick)?;
            let chosen = select(&candidates, &train, options.inner_folds, seed)?;
            let model = candidates[chosen].fit(&train)?;
            own_interval = matches!(model, Fitted::Distribution(_));
            let (r1, cov1) = score(&model, half_width, &all, &inputs.matr1)?;
            let (r2, cov2) = score(&model, half_width, &all, &inputs.matr2)?;
            m1.push(r1);
            m2.push(r2);
            c1.push(cov1);
            c2.push(cov2);
            if s == 0 {
                chosen_label = candidates[chosen].label.clone();
            }
            step += 1;
            report(step, "final fits", progress);
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        rows.push(BenchmarkRow {
            model: family.name.to_string(),
            features: family.input.label().to_string(),
            matr1: OverSeeds::of(&m1),
            matr2: OverSeeds::of(&m2),
            coverage1: mean(&c1),
            coverage2: mean(&c2),
            interval: if own_interval {
                "predictive distribution".into()
            } else {
                "split conformal (outer-CV residuals)".into()
            },
            outer_cv_rmse,
            chosen: chosen_label,
            batteryml: family.batteryml,
        });
    }
    let selected = rows
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.outer_cv_rmse.total_cmp(&b.1.outer_cv_rmse))
        .map(|(i, _)| i)
        .ok_or_else(|| Error::EmptyInput("no benchmark rows".into()))?;
    Ok(BenchmarkReport {
        rows,
        selected,
        quick: options.quick,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ⌈(n+1)·0.9⌉-th smallest residual: the 9th of 9, the 38th of 41,
    /// and no finite width from fewer than 9 residuals.
    #[test]
    fn conformal_half_width_takes_the_finite_sample_rank() {
        let nine: Vec<f64> = (1..=9).rev().map(f64::from).collect();
        assert_eq!(conformal_half_width(&nine), 9.0);
        let many: Vec<f64> = (1..=41).map(f64::from).collect();
        assert_eq!(conformal_half_width(&many), 38.0);
        assert_eq!(conformal_half_width(&nine[..8]), f64::INFINITY);
    }

    /// RMSE in cycles of log10 predictions: 100 and 1000 cycles predicted
    /// as 200 and 1000.
    #[test]
    fn cycles_rmse_undoes_the_logarithm() {
        let truth = ndarray::array![2.0, 3.0];
        let pred = ndarray::array![200f64.log10(), 3.0];
        let r = cycles_rmse(truth.view(), pred.view()).unwrap();
        assert!((r - (100.0f64 * 100.0 / 2.0).sqrt()).abs() < 1e-9);
    }
}
