//! The estimator contract, checked generically (like scikit-learn's
//! `check_estimator`).
//!
//! Every estimator of the workspace is run through [`check_regressor`],
//! [`check_classifier`] or, for other shapes of input and output,
//! [`check_model`] in its crate's tests (a `contract` test module). Each check
//! returns an [`Error::Internal`] naming the broken rule, so a test reads
//! `check_regressor(...)?` and the failure says what went wrong:
//!
//! - prediction inputs with NaN, ±inf, the wrong number of columns or
//!   arbitrary garbage (seeded fuzzing) give an `Error`, never a panic;
//! - fitting the same params on the same data twice gives bit-identical
//!   predictions (every randomised routine takes a seed);
//! - save → load ([`Persist`]) gives bit-identical predictions;
//! - where the method does not depend on row order, fitting on a row
//!   permutation gives the same predictions (to a tolerance for float
//!   summation order);
//! - classifiers refuse a single class;
//! - training sets with a constant feature, features scaled by 1e±9,
//!   every row twice, or only two rows give an `Error` or a model with finite
//!   outputs: never a panic, never a silent NaN.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ndarray::{Array1, Array2, ArrayView2};

use crate::persist::Persist;
use crate::synthetic::SplitMix64;
use crate::{Classifier, Dataset, Error, Fit, Regressor, Result};

/// What a contract run may assume about the estimator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContractOptions {
    /// Relative tolerance for predictions after fitting on permuted rows;
    /// `None` where the method depends on row order (e.g. a seeded shuffle).
    pub permutation_tolerance: Option<f64>,
    /// Seed of the row permutation and of the fuzzed inputs.
    pub seed: u64,
    /// Number of fuzzed prediction inputs.
    pub fuzz_cases: usize,
}

impl Default for ContractOptions {
    fn default() -> Self {
        ContractOptions {
            permutation_tolerance: Some(1e-6),
            seed: 7,
            fuzz_cases: 64,
        }
    }
}

fn violated(rule: impl Into<String>) -> Error {
    Error::internal(rule)
}

/// Runs `f`, turning a panic into a contract violation named `what`.
fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| violated(format!("{what} panicked")))
}

fn bad_rows(n_features: usize) -> Vec<(&'static str, Array2<f64>)> {
    let d = n_features.max(1);
    let mut nan = Array2::zeros((2, d));
    nan[[1, d - 1]] = f64::NAN;
    let mut inf = Array2::zeros((2, d));
    inf[[0, 0]] = f64::INFINITY;
    let mut neg_inf = Array2::zeros((1, d));
    neg_inf[[0, d - 1]] = f64::NEG_INFINITY;
    vec![
        ("a NaN feature", nan),
        ("an infinite feature", inf),
        ("a -inf feature", neg_inf),
        ("one column too many", Array2::zeros((2, d + 1))),
        ("one column too few", Array2::zeros((2, d - 1))),
    ]
}

/// Seeded garbage for predict: random shapes, magnitudes from 1e-300 to
/// 1e300, some NaN/inf.
fn fuzz_inputs(n_features: usize, cases: usize, seed: u64) -> Vec<Array2<f64>> {
    let mut rng = SplitMix64::new(seed);
    (0..cases)
        .map(|_| {
            let rows = (rng.next_u64() % 5) as usize;
            let cols = if rng.uniform() < 0.7 {
                n_features
            } else {
                (rng.next_u64() % (n_features as u64 + 3)) as usize
            };
            Array2::from_shape_simple_fn((rows, cols), || {
                let u = rng.uniform();
                if u < 0.05 {
                    f64::NAN
                } else if u < 0.08 {
                    f64::INFINITY
                } else {
                    let exponent = (rng.uniform() * 600.0 - 300.0).round() as i32;
                    (rng.uniform() - 0.5) * 10f64.powi(exponent)
                }
            })
        })
        .collect()
}

fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix64::new(seed);
    let keys: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]));
    order
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

fn close(a: &[f64], b: &[f64], rtol: f64) -> bool {
    let scale = a.iter().chain(b).fold(1e-12f64, |m, v| m.max(v.abs()));
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= rtol * scale)
}

/// Checks that `predict` refuses every bad input with an `Error` and never
/// panics on fuzzed garbage.
fn check_bad_inputs<O>(
    name: &str,
    n_features: usize,
    options: &ContractOptions,
    predict: &dyn Fn(ArrayView2<'_, f64>) -> Result<O>,
) -> Result<()> {
    for (what, x) in bad_rows(n_features) {
        if n_features == 0 && what == "one column too few" {
            continue;
        }
        let out = no_panic(&format!("{name}: predict on {what}"), || predict(x.view()))?;
        if out.is_ok() {
            return Err(violated(format!("{name}: predict accepted {what}")));
        }
    }
    for (k, x) in fuzz_inputs(n_features, options.fuzz_cases, options.seed)
        .into_iter()
        .enumerate()
    {
        let has_bad_value = x.iter().any(|v| !v.is_finite());
        let out = no_panic(&format!("{name}: predict on fuzz case {k}"), || {
            predict(x.view())
        })?;
        if out.is_ok() && (has_bad_value || x.ncols() != n_features) {
            return Err(violated(format!(
                "{name}: predict accepted fuzz case {k} ({}×{}, non-finite: {has_bad_value})",
                x.nrows(),
                x.ncols()
            )));
        }
    }
    Ok(())
}

/// How a contract check reads a fitted model: everything it outputs for
/// the rows of `x`, flattened.
pub type PredictFn<'a, M> = dyn Fn(&M, ArrayView2<'_, f64>) -> Result<Vec<f64>> + 'a;

/// An estimator under test, described by closures so that every input
/// shape (a [`Dataset`], one dataset per fidelity level, trajectories,
/// graphs) goes through the same checks.
pub struct Subject<'a, M> {
    /// Name used in violation messages.
    pub name: &'a str,
    /// Fits on the training input with its rows reordered by the given
    /// permutation (`None`: as given).
    pub fit: &'a dyn Fn(Option<&[usize]>) -> Result<M>,
    /// Number of training rows (the length of a permutation).
    pub n_rows: usize,
    /// Inputs the fitted model is scored on (e.g. the training features).
    pub x: ArrayView2<'a, f64>,
    /// Everything the model predicts for `x`, flattened (values, labels as
    /// f64, decision values).
    pub predict: &'a PredictFn<'a, M>,
}

/// The checks shared by every estimator: bad and fuzzed prediction inputs,
/// determinism, save → load, and (where `options` allows) row-order
/// invariance. See the [module](self) docs. Returns the model fitted on the
/// input as given, for checks specific to the estimator's kind.
pub fn check_model<M: Persist>(subject: &Subject<'_, M>, options: &ContractOptions) -> Result<M> {
    let name = subject.name;
    let model = no_panic(&format!("{name}: fit"), || (subject.fit)(None))??;
    let pred = (subject.predict)(&model, subject.x)?;
    if pred.iter().any(|v| !v.is_finite()) {
        return Err(violated(format!("{name}: predictions must be finite")));
    }
    let n_features = subject.x.ncols();
    check_bad_inputs(name, n_features, options, &|v| (subject.predict)(&model, v))?;

    let again = (subject.predict)(&(subject.fit)(None)?, subject.x)?;
    if !same_bits(&pred, &again) {
        return Err(violated(format!(
            "{name}: two fits with the same params differ"
        )));
    }

    let loaded = M::from_json(&model.to_json()?)?;
    if !same_bits(&pred, &(subject.predict)(&loaded, subject.x)?) {
        return Err(violated(format!(
            "{name}: save → load changed the predictions"
        )));
    }

    if let Some(rtol) = options.permutation_tolerance {
        let order = permutation(subject.n_rows, options.seed);
        let permuted = (subject.predict)(&(subject.fit)(Some(&order))?, subject.x)?;
        if !close(&pred, &permuted, rtol) {
            return Err(violated(format!(
                "{name}: fitting on permuted rows changed the predictions beyond {rtol:e}"
            )));
        }
    }
    Ok(model)
}

/// [`check_model`] for any params that fit a [`Dataset`], scored on its
/// features: `predict` flattens what the fitted model outputs (e.g. a
/// one-class SVM's decision values, a scaler's transform).
pub fn check_estimator<P>(
    name: &str,
    params: &P,
    data: &Dataset,
    options: &ContractOptions,
    predict: &PredictFn<'_, P::Model>,
) -> Result<()>
where
    P: Fit,
    P::Model: Persist,
{
    checked_fit(name, params, data, options, predict).map(drop)
}

/// Training sets derived from `data` that an estimator must survive: a
/// constant feature, extreme magnitudes, duplicated rows, two rows.
fn degenerate_training(data: &Dataset) -> Vec<(&'static str, Result<Dataset>)> {
    let x = data.features().to_owned();
    let n = data.n_samples();
    let mut constant = x.clone();
    constant.column_mut(0).fill(1.0);
    let twice: Vec<usize> = (0..n).chain(0..n).collect();
    vec![
        ("a constant feature", data.with_features(constant)),
        ("features scaled by 1e9", data.with_features(&x * 1e9)),
        ("features scaled by 1e-9", data.with_features(&x * 1e-9)),
        ("every row twice", data.select(&twice)),
        ("two rows", data.select(&[0, n.saturating_sub(1)])),
    ]
}

/// Fits each degenerate training set: an `Error`, or a model whose outputs on
/// its training features are finite (or an `Error`); never a panic, never a
/// silent NaN.
fn check_degenerate_fits<P>(
    name: &str,
    params: &P,
    data: &Dataset,
    predict: &PredictFn<'_, P::Model>,
) -> Result<()>
where
    P: Fit,
{
    if data.n_samples() < 2 || data.n_features() == 0 {
        return Ok(());
    }
    for (case, training) in degenerate_training(data) {
        let Ok(training) = training else { continue };
        let fitted = catch_unwind(AssertUnwindSafe(|| params.fit(&training)))
            .map_err(|_| violated(format!("{name}: fit panicked on {case}")))?;
        let Ok(model) = fitted else { continue };
        let out = catch_unwind(AssertUnwindSafe(|| predict(&model, training.features())))
            .map_err(|_| violated(format!("{name}: predict panicked after fitting {case}")))?;
        if let Ok(values) = out
            && values.iter().any(|v| !v.is_finite())
        {
            return Err(violated(format!(
                "{name}: fitting {case} gave non-finite outputs without an error"
            )));
        }
    }
    Ok(())
}

/// [`check_estimator`], handing back the model fitted on `data`.
fn checked_fit<P>(
    name: &str,
    params: &P,
    data: &Dataset,
    options: &ContractOptions,
    predict: &PredictFn<'_, P::Model>,
) -> Result<P::Model>
where
    P: Fit,
    P::Model: Persist,
{
    let model = check_model(
        &Subject {
            name,
            fit: &|order| match order {
                Some(rows) => params.fit(&data.select(rows)?),
                None => params.fit(data),
            },
            n_rows: data.n_samples(),
            x: data.features(),
            predict,
        },
        options,
    )?;
    check_degenerate_fits(name, params, data, predict)?;
    Ok(model)
}

/// The contract for a regressor's params on a [`Dataset`]: [`check_model`]
/// on its predictions, plus one prediction per row.
pub fn check_regressor<P>(
    name: &str,
    params: &P,
    data: &Dataset,
    options: &ContractOptions,
) -> Result<()>
where
    P: Fit,
    P::Model: Regressor + Persist,
{
    let model = checked_fit(name, params, data, options, &|m: &P::Model, x| {
        Ok(m.predict(x)?.to_vec())
    })?;
    if model.predict(data.features())?.len() != data.n_samples() {
        return Err(violated(format!("{name}: one prediction per row")));
    }
    Ok(())
}

/// The contract for a classifier's params on a [`Dataset`] with at least
/// two classes: [`check_model`] on its labels and decision values, labels
/// within `classes()`, and an `Error` for a single class.
pub fn check_classifier<P>(
    name: &str,
    params: &P,
    data: &Dataset,
    options: &ContractOptions,
) -> Result<()>
where
    P: Fit,
    P::Model: Classifier + Persist,
{
    let model = checked_fit(name, params, data, options, &|m: &P::Model, x| {
        let mut out: Vec<f64> = m.predict(x)?.iter().map(|&l| l as f64).collect();
        out.extend(m.decision_function(x)?.iter());
        Ok(out)
    })?;
    let labels = model.predict(data.features())?;
    if labels.len() != data.n_samples() {
        return Err(violated(format!("{name}: one label per row")));
    }
    if labels.iter().any(|l| !model.classes().contains(l)) {
        return Err(violated(format!(
            "{name}: predicted a label outside classes()"
        )));
    }
    let first = data.labels()?[0];
    let single = data.with_targets(Array1::from_elem(data.n_samples(), first as f64))?;
    let out = no_panic(&format!("{name}: fit on one class"), || params.fit(&single))?;
    if out.is_ok() {
        return Err(violated(format!("{name}: fit accepted a single class")));
    }
    Ok(())
}
