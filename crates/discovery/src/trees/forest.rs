//! Random forests (Breiman 2001): trees grown on bootstrap samples, each
//! split over a random subset of the features, predictions averaged.

use ndarray::{Array1, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Dataset, Error, Fit, Regressor, Result, check};

use super::tree::{Columns, MaxFeatures, RegressionTree, RegressionTreeParams, grow};

/// Parameters of a random forest of regression trees.
///
/// Tree `t` draws its bootstrap sample and feature subsets from a seed
/// derived from [`seed`](Self::seed) and `t`, so a forest is the same for
/// any thread count; trees grow in parallel.
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, Array2};
/// use voltai_core::{Dataset, Fit, Regressor};
/// use voltai_discovery::RandomForestParams;
///
/// let x = Array2::from_shape_fn((60, 2), |(i, j)| ((i * (j + 7)) % 23) as f64);
/// let y: Array1<f64> = x.rows().into_iter().map(|r| if r[0] > 11.0 { 2.0 } else { 0.0 }).collect();
/// let forest = RandomForestParams::new(50)?.seed(3).fit(&Dataset::new(x, y)?)?;
/// let p = forest.predict(ndarray::array![[20.0, 5.0], [2.0, 5.0]].view())?;
/// assert!(p[0] > 1.5 && p[1] < 0.5);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RandomForestParams {
    n_trees: usize,
    tree: RegressionTreeParams,
    bootstrap: bool,
    seed: u64,
}

impl RandomForestParams {
    /// `n_trees ≥ 1` fully grown trees on bootstrap samples, every feature
    /// at each split (scikit-learn's regression defaults), seed 0.
    pub fn new(n_trees: usize) -> Result<Self> {
        if n_trees == 0 {
            return Err(Error::invalid_parameter("n_trees", 0, "[1, inf)"));
        }
        Ok(RandomForestParams {
            n_trees,
            tree: RegressionTreeParams::new(),
            bootstrap: true,
            seed: 0,
        })
    }

    super::tree_setters!();

    /// Whether each tree sees a bootstrap sample (default) or every row.
    pub fn bootstrap(mut self, yes: bool) -> Self {
        self.bootstrap = yes;
        self
    }

    /// The forest's seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The number of trees.
    pub fn n_trees(&self) -> usize {
        self.n_trees
    }
}

/// A fitted random forest: the mean of its trees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomForest {
    /// The trees.
    pub trees: Vec<RegressionTree>,
    n_features: usize,
}

impl RandomForest {
    /// Each tree's prediction for every row, `trees × rows`: their spread is
    /// the forest's own (uncalibrated) measure of disagreement.
    pub fn tree_predictions(&self, x: ArrayView2<'_, f64>) -> Result<ndarray::Array2<f64>> {
        check::predict_input(x, self.n_features)?;
        let mut out = ndarray::Array2::zeros((self.trees.len(), x.nrows()));
        for (t, tree) in self.trees.iter().enumerate() {
            for (i, row) in x.rows().into_iter().enumerate() {
                out[[t, i]] = tree.predict_row(row);
            }
        }
        Ok(out)
    }
}

impl Fit for RandomForestParams {
    type Model = RandomForest;
    fn fit(&self, data: &Dataset) -> Result<RandomForest> {
        let columns = Columns::of(data.features())?;
        let y = data.targets()?;
        let n = columns.n_rows();
        let trees = (0..self.n_trees)
            .into_par_iter()
            .map(|t| {
                // One stream per tree: the first draws pick the bootstrap
                // sample, the tree's own seed comes next.
                let mut rng =
                    SplitMix64::new(self.seed ^ (t as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let rows: Vec<usize> = if self.bootstrap {
                    (0..n)
                        .map(|_| (rng.next_u64() % n as u64) as usize)
                        .collect()
                } else {
                    (0..n).collect()
                };
                grow(&self.tree.seed(rng.next_u64()), &columns, y, rows)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(RandomForest {
            trees,
            n_features: data.n_features(),
        })
    }
}

impl Regressor for RandomForest {
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        let per_tree = self.tree_predictions(x)?;
        Ok(per_tree.sum_axis(ndarray::Axis(0)) / self.trees.len() as f64)
    }
}

impl voltai_core::Persist for RandomForest {
    const KIND: &'static str = "voltai_discovery::RandomForest";
}
