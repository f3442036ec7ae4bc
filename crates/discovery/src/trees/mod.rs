//! Regression trees and their ensembles, as scikit-learn's
//! `DecisionTreeRegressor`, `RandomForestRegressor` and
//! `GradientBoostingRegressor` (squared error): one CART builder
//! ([`grow`](tree::grow)) that the forest and the boosting share.

/// The tree-shape setters of the ensembles (depth, leaf size, features per
/// split), delegating to their `tree: RegressionTreeParams`, written once.
macro_rules! tree_setters {
    () => {
        /// Largest tree depth, ≥ 1.
        pub fn max_depth(mut self, depth: usize) -> Result<Self> {
            self.tree = self.tree.max_depth(depth)?;
            Ok(self)
        }

        /// Fewest samples in each leaf, ≥ 1.
        pub fn min_samples_leaf(mut self, n: usize) -> Result<Self> {
            self.tree = self.tree.min_samples_leaf(n)?;
            Ok(self)
        }

        /// Features considered at each split.
        pub fn max_features(mut self, m: MaxFeatures) -> Result<Self> {
            self.tree = self.tree.max_features(m)?;
            Ok(self)
        }
    };
}
use tree_setters;

mod boosting;
mod forest;
mod tree;

pub use boosting::{GradientBoosting, GradientBoostingParams};
pub use forest::{RandomForest, RandomForestParams};
pub use tree::{MaxFeatures, RegressionTree, RegressionTreeParams, TreeNode};
