//! Cross-validation and hyperparameter search over any [`Fit`] parameters.
//!
//! [`cross_validate`] fits a params value on the training rows of each
//! [`Split`] and scores the fitted model on the held-out rows;
//! [`grid_search`] and [`random_search`] run it for many params values and
//! keep the best. The folds come from [`split`](crate::split) (k-fold or
//! group k-fold by cell), so a search never leaks a cell across a fold.
//!
//! ```
//! use ndarray::{Array1, Array2};
//! use voltai_core::model_selection::{cross_validate, scoring};
//! use voltai_core::split::KFold;
//! use voltai_core::{Dataset, Fit, Regressor, Result};
//! # use ndarray::ArrayView2;
//!
//! // A model that predicts the training mean: its fold RMSE has a closed form.
//! struct MeanParams;
//! struct Mean(f64, usize);
//! impl Fit for MeanParams {
//!     type Model = Mean;
//!     fn fit(&self, d: &Dataset) -> Result<Mean> {
//!         Ok(Mean(d.targets()?.mean().unwrap_or(0.0), d.n_features()))
//!     }
//! }
//! impl Regressor for Mean {
//!     fn n_features(&self) -> usize { self.1 }
//!     fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
//!         Ok(Array1::from_elem(x.nrows(), self.0))
//!     }
//! }
//!
//! let data = Dataset::new(Array2::zeros((4, 1)), ndarray::array![1.0, 3.0, 5.0, 7.0])?;
//! let cv = cross_validate(&MeanParams, &data, &KFold::new(2)?.splits(4)?, scoring::rmse)?;
//! // Fold 1 trains on {5, 7} (mean 6) and tests {1, 3}: RMSE = sqrt((25 + 9) / 2).
//! assert!((cv.fold_scores[0] - 17f64.sqrt()).abs() < 1e-12);
//! assert_eq!(cv.fold_scores[0], cv.fold_scores[1]);
//! # Ok::<(), voltai_core::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::split::Split;
use crate::synthetic::SplitMix64;
use crate::{Dataset, Error, Fit, Result};

/// The scores of one cross-validation run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvScores {
    /// One score per split, in split order.
    pub fold_scores: Vec<f64>,
    /// Mean of the fold scores.
    pub mean: f64,
    /// Sample standard deviation of the fold scores (0 for one fold).
    pub std: f64,
}

impl CvScores {
    fn new(fold_scores: Vec<f64>) -> Result<Self> {
        let n = fold_scores.len();
        if n == 0 {
            return Err(Error::EmptyInput("cross-validation splits".into()));
        }
        let mean = fold_scores.iter().sum::<f64>() / n as f64;
        let std = if n > 1 {
            (fold_scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        Ok(CvScores {
            fold_scores,
            mean,
            std,
        })
    }
}

/// Fits `params` on the training rows of each split and scores the fitted
/// model on its test rows with `score(model, test_data)`.
///
/// A split with no training or no test rows, a row index out of range, or a
/// non-finite score is an [`Error`].
pub fn cross_validate<P, S>(
    params: &P,
    data: &Dataset,
    splits: &[Split],
    score: S,
) -> Result<CvScores>
where
    P: Fit,
    S: Fn(&P::Model, &Dataset) -> Result<f64>,
{
    let mut scores = Vec::with_capacity(splits.len());
    for (k, split) in splits.iter().enumerate() {
        if split.train.is_empty() || split.test.is_empty() {
            return Err(Error::EmptyInput(format!(
                "split {k}: {} training and {} test rows",
                split.train.len(),
                split.test.len()
            )));
        }
        let model = params.fit(&data.select(&split.train)?)?;
        let s = score(&model, &data.select(&split.test)?)?;
        if !s.is_finite() {
            return Err(Error::NonFinite {
                context: "cross-validation score".into(),
                index: vec![k],
                value: s,
            });
        }
        scores.push(s);
    }
    CvScores::new(scores)
}

/// Which end of a score is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Better {
    /// Errors (RMSE, MAE): lower is better.
    Lower,
    /// Accuracies (R², balanced accuracy, AUC): higher is better.
    Higher,
}

/// The outcome of a search: every candidate's scores and the best one.
#[derive(Debug, Clone)]
pub struct SearchResult<P> {
    /// The candidates, in the order they were scored.
    pub candidates: Vec<P>,
    /// Cross-validation scores of each candidate.
    pub scores: Vec<CvScores>,
    /// Index of the best mean score (the first one on ties).
    pub best: usize,
}

impl<P> SearchResult<P> {
    /// The best candidate.
    pub fn best_params(&self) -> &P {
        &self.candidates[self.best]
    }

    /// The best candidate's scores.
    pub fn best_scores(&self) -> &CvScores {
        &self.scores[self.best]
    }
}

/// Cross-validates every candidate on the same splits and keeps the best
/// mean score.
pub fn grid_search<P, S>(
    candidates: Vec<P>,
    data: &Dataset,
    splits: &[Split],
    score: S,
    better: Better,
) -> Result<SearchResult<P>>
where
    P: Fit,
    S: Fn(&P::Model, &Dataset) -> Result<f64>,
{
    if candidates.is_empty() {
        return Err(Error::EmptyInput("search candidates".into()));
    }
    let scores = candidates
        .iter()
        .map(|p| cross_validate(p, data, splits, &score))
        .collect::<Result<Vec<_>>>()?;
    let mut best = 0;
    for (i, s) in scores.iter().enumerate().skip(1) {
        let improves = match better {
            Better::Lower => s.mean < scores[best].mean,
            Better::Higher => s.mean > scores[best].mean,
        };
        if improves {
            best = i;
        }
    }
    Ok(SearchResult {
        candidates,
        scores,
        best,
    })
}

/// Draws `n` candidates with `sample` from a generator seeded by `seed` and
/// cross-validates them as [`grid_search`] does; the same seed draws the
/// same candidates.
pub fn random_search<P, F, S>(
    mut sample: F,
    n: usize,
    seed: u64,
    data: &Dataset,
    splits: &[Split],
    score: S,
    better: Better,
) -> Result<SearchResult<P>>
where
    P: Fit,
    F: FnMut(&mut SplitMix64) -> Result<P>,
    S: Fn(&P::Model, &Dataset) -> Result<f64>,
{
    let mut rng = SplitMix64::new(seed);
    let candidates = (0..n)
        .map(|_| sample(&mut rng))
        .collect::<Result<Vec<_>>>()?;
    grid_search(candidates, data, splits, score, better)
}

/// Ready-made scores for [`cross_validate`] and the searches.
pub mod scoring {
    use crate::{Classifier, Dataset, Regressor, Result, metrics};

    /// Root-mean-square error of a regressor on `test` (lower is better).
    pub fn rmse<M: Regressor>(model: &M, test: &Dataset) -> Result<f64> {
        let pred = model.predict(test.features())?;
        metrics::rmse(test.targets()?, pred.view())
    }

    /// Mean absolute error of a regressor on `test` (lower is better).
    pub fn mae<M: Regressor>(model: &M, test: &Dataset) -> Result<f64> {
        let pred = model.predict(test.features())?;
        metrics::mae(test.targets()?, pred.view())
    }

    /// Mean squared error of a regressor on `test` (lower is better).
    pub fn mse<M: Regressor>(model: &M, test: &Dataset) -> Result<f64> {
        let pred = model.predict(test.features())?;
        let y = test.targets()?;
        crate::check::same_len("predictions vs targets", y.len(), pred.len())?;
        let sq = (&pred - &y).mapv(|e| e * e);
        sq.mean()
            .ok_or_else(|| crate::Error::EmptyInput("test rows".into()))
    }

    /// Coefficient of determination of a regressor on `test` (higher is better).
    pub fn r2<M: Regressor>(model: &M, test: &Dataset) -> Result<f64> {
        let pred = model.predict(test.features())?;
        metrics::r2(test.targets()?, pred.view())
    }

    /// Accuracy of a classifier on `test` (higher is better).
    pub fn accuracy<M: Classifier>(model: &M, test: &Dataset) -> Result<f64> {
        let pred = model.predict(test.features())?;
        metrics::accuracy(test.labels()?.view(), pred.view())
    }

    /// Balanced accuracy of a classifier on `test` (higher is better).
    pub fn balanced_accuracy<M: Classifier>(model: &M, test: &Dataset) -> Result<f64> {
        let pred = model.predict(test.features())?;
        metrics::balanced_accuracy(test.labels()?.view(), pred.view())
    }
}
