//! # voltai-core
//!
//! The shared ground of the Voltai workspace:
//!
//! - [`Error`] and [`Result`], used by every crate;
//! - the traits that join crates: [`Fit`] turns parameters into a fitted model,
//!   which implements [`Regressor`], [`Classifier`] or [`ProbabilisticRegressor`];
//! - [`Dataset`] with feature names and group ids, and leakage-free
//!   [group splits](split::GroupKFold);
//! - [`StandardScaler`], [`metrics`], small [`stats`], and
//!   [split-conformal intervals](conformal::SplitConformal) for any regressor;
//! - [`model_selection`]: cross-validation and grid / random search over any
//!   params type; [`persist`]: versioned save / load of fitted models;
//!   [`progress`]: the one progress-callback type; [`contract`]: the checks
//!   every estimator of the workspace passes.
//!
//! ```
//! use ndarray::array;
//! use voltai_core::{Dataset, Fit, StandardScaler, split::GroupKFold};
//!
//! let x = array![[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0]];
//! let y = array![0.1, 0.2, 0.3, 0.4];
//! let data = Dataset::new(x, y)?.with_groups(&["cellA", "cellA", "cellB", "cellC"])?;
//! for split in GroupKFold::new(2)?.dataset_splits(&data)? {
//!     let train = data.select(&split.train)?;
//!     let scaler = StandardScaler::new().fit(&train)?; // fitted on train only
//!     let test = scaler.transform_dataset(&data.select(&split.test)?)?;
//!     assert_eq!(test.n_features(), 2);
//! }
//! # Ok::<(), voltai_core::Error>(())
//! ```
#![deny(missing_docs)]

pub mod check;
pub mod conformal;
pub mod contract;
mod dataset;
mod error;
pub mod metrics;
pub mod model_selection;
pub mod persist;
mod pipeline;
pub mod progress;
mod scaler;
pub mod split;
pub mod stats;
pub mod synthetic;
mod traits;

pub use dataset::{Dataset, DatasetView};
pub use error::{Error, Result};
pub use persist::Persist;
pub use pipeline::{Standardised, StandardisedParams};
pub use progress::{Progress, ProgressFn};
pub use scaler::{FittedStandardScaler, StandardScaler};
pub use traits::{Classifier, Fit, Predictive, ProbabilisticRegressor, Regressor, VarianceParts};
