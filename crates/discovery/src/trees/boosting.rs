//! Gradient-boosted regression trees for squared error (Friedman 2001), as
//! scikit-learn's `GradientBoostingRegressor(loss="squared_error")`: start
//! from the target mean, fit each tree to the current residuals, add it
//! shrunk by the learning rate.

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Dataset, Error, Fit, Regressor, Result, check};

use super::tree::{Columns, Criterion, MaxFeatures, RegressionTree, RegressionTreeParams, grow};

/// Parameters of gradient boosting with squared-error loss.
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, Array2};
/// use voltai_core::{Dataset, Fit, Regressor};
/// use voltai_discovery::GradientBoostingParams;
///
/// let x = Array2::from_shape_fn((80, 1), |(i, _)| i as f64 / 79.0);
/// let y: Array1<f64> = x.column(0).mapv(|v| (6.0 * v).sin());
/// let gbt = GradientBoostingParams::new(200)?.fit(&Dataset::new(x.clone(), y.clone())?)?;
/// let fitted = gbt.predict(x.view())?;
/// let rmse = ((&fitted - &y).mapv(|e| e * e).mean().unwrap()).sqrt();
/// assert!(rmse < 0.05);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GradientBoostingParams {
    n_stages: usize,
    learning_rate: f64,
    subsample: f64,
    tree: RegressionTreeParams,
    seed: u64,
}

impl GradientBoostingParams {
    /// `n_stages ≥ 1` trees of depth 3, learning rate 0.1, every row and
    /// feature at each stage (scikit-learn's defaults), seed 0.
    pub fn new(n_stages: usize) -> Result<Self> {
        if n_stages == 0 {
            return Err(Error::invalid_parameter("n_stages", 0, "[1, inf)"));
        }
        let mut tree = RegressionTreeParams::new().max_depth(3)?;
        tree.criterion = Criterion::Friedman;
        Ok(GradientBoostingParams {
            n_stages,
            learning_rate: 0.1,
            subsample: 1.0,
            tree,
            seed: 0,
        })
    }

    /// Shrinkage of each tree, in (0, 1].
    pub fn learning_rate(mut self, rate: f64) -> Result<Self> {
        if !(rate > 0.0 && rate <= 1.0) {
            return Err(Error::invalid_parameter("learning_rate", rate, "(0, 1]"));
        }
        self.learning_rate = rate;
        Ok(self)
    }

    /// Share of rows each stage fits on, drawn without replacement, in
    /// (0, 1] (stochastic gradient boosting below 1).
    pub fn subsample(mut self, share: f64) -> Result<Self> {
        if !(share > 0.0 && share <= 1.0) {
            return Err(Error::invalid_parameter("subsample", share, "(0, 1]"));
        }
        self.subsample = share;
        Ok(self)
    }

    super::tree_setters!();

    /// Seed of the row subsamples and feature orders.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The number of stages.
    pub fn n_stages(&self) -> usize {
        self.n_stages
    }
}

/// A fitted boosted ensemble: `init + learning_rate · Σ trees`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradientBoosting {
    /// The starting prediction, the training-target mean.
    pub init: f64,
    /// The shrinkage the trees were added with.
    pub learning_rate: f64,
    /// The trees, in the order they were fitted.
    pub trees: Vec<RegressionTree>,
    /// Training mean squared error after each stage.
    pub train_loss: Vec<f64>,
    n_features: usize,
}

impl Fit for GradientBoostingParams {
    type Model = GradientBoosting;
    fn fit(&self, data: &Dataset) -> Result<GradientBoosting> {
        let columns = Columns::of(data.features())?;
        let y = data.targets()?;
        check::finite1("boosting targets", y)?;
        let n = columns.n_rows();
        let init = y.sum() / n as f64;
        let mut fitted = Array1::from_elem(n, init);
        let mut rng = SplitMix64::new(self.seed);
        let take = ((self.subsample * n as f64).round() as usize).clamp(1, n);
        let mut trees = Vec::with_capacity(self.n_stages);
        let mut train_loss = Vec::with_capacity(self.n_stages);
        let x = data.features();
        for _ in 0..self.n_stages {
            let residual = &y - &fitted;
            let rows: Vec<usize> = if take == n {
                (0..n).collect()
            } else {
                // A partial Fisher–Yates shuffle: the first `take` rows.
                let mut all: Vec<usize> = (0..n).collect();
                for k in 0..take {
                    let j = k + (rng.next_u64() % (n - k) as u64) as usize;
                    all.swap(k, j);
                }
                let mut chosen = all[..take].to_vec();
                chosen.sort_unstable();
                chosen
            };
            let tree = grow(
                &self.tree.seed(rng.next_u64()),
                &columns,
                residual.view(),
                rows,
            )?;
            for (i, row) in x.rows().into_iter().enumerate() {
                fitted[i] += self.learning_rate * tree.predict_row(row);
            }
            train_loss.push((&y - &fitted).mapv(|e| e * e).sum() / n as f64);
            trees.push(tree);
        }
        if fitted.iter().any(|v| !v.is_finite()) {
            return Err(Error::numerical(
                "gradient boosting",
                "the fitted values overflowed",
            ));
        }
        Ok(GradientBoosting {
            init,
            learning_rate: self.learning_rate,
            trees,
            train_loss,
            n_features: data.n_features(),
        })
    }
}

impl Regressor for GradientBoosting {
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check::predict_input(x, self.n_features)?;
        Ok(x.rows()
            .into_iter()
            .map(|row| {
                // Stage by stage, as during fitting (and as scikit-learn sums).
                self.trees.iter().fold(self.init, |acc, t| {
                    acc + self.learning_rate * t.predict_row(row)
                })
            })
            .collect())
    }
}

impl voltai_core::Persist for GradientBoosting {
    const KIND: &'static str = "voltai_discovery::GradientBoosting";
}
