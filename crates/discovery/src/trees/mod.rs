//! Regression trees and their ensembles, as scikit-learn's
//! `DecisionTreeRegressor`, `RandomForestRegressor` and
//! `GradientBoostingRegressor` (squared error): one CART builder
//! ([`grow`](tree::grow)) that the forest and the boosting share.

mod boosting;
mod forest;
mod tree;

pub use boosting::{GradientBoosting, GradientBoostingParams};
pub use forest::{RandomForest, RandomForestParams};
pub use tree::{MaxFeatures, RegressionTree, RegressionTreeParams, TreeNode};
