//! A feature matrix with optional targets, feature names and group ids.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::{Error, Result, check};

/// Rows of features, optional targets and optional group ids (e.g. the cell a
/// row came from), validated at construction: finite values, matching lengths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    features: Array2<f64>,
    targets: Option<Array1<f64>>,
    feature_names: Vec<String>,
    groups: Option<Vec<String>>,
}

impl Dataset {
    /// A supervised dataset. Fails on non-finite values, mismatched lengths or no rows.
    pub fn new(features: Array2<f64>, targets: Array1<f64>) -> Result<Self> {
        check::same_len("targets vs feature rows", features.nrows(), targets.len())?;
        check::finite1("targets", targets.view())?;
        let mut d = Self::unsupervised(features)?;
        d.targets = Some(targets);
        Ok(d)
    }

    /// A dataset without targets (for one-class models, scaling, clustering).
    pub fn unsupervised(features: Array2<f64>) -> Result<Self> {
        check::non_empty2("features", features.view())?;
        check::finite2("features", features.view())?;
        let feature_names = (0..features.ncols()).map(|j| format!("x{j}")).collect();
        Ok(Dataset {
            features,
            targets: None,
            feature_names,
            groups: None,
        })
    }

    /// Names the feature columns (one name per column, all distinct).
    pub fn with_feature_names<S: Into<String>>(mut self, names: Vec<S>) -> Result<Self> {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        check::same_len(
            "feature names vs columns",
            self.features.ncols(),
            names.len(),
        )?;
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(Error::InvalidInput(format!("duplicate feature name `{n}`")));
            }
        }
        self.feature_names = names;
        Ok(self)
    }

    /// Attaches a group id to every row; splits keep each group on one side.
    pub fn with_groups<S: ToString>(mut self, groups: &[S]) -> Result<Self> {
        check::same_len("groups vs rows", self.features.nrows(), groups.len())?;
        self.groups = Some(groups.iter().map(ToString::to_string).collect());
        Ok(self)
    }

    /// Number of rows.
    pub fn n_samples(&self) -> usize {
        self.features.nrows()
    }

    /// Number of feature columns.
    pub fn n_features(&self) -> usize {
        self.features.ncols()
    }

    /// The feature matrix.
    pub fn features(&self) -> ArrayView2<'_, f64> {
        self.features.view()
    }

    /// The targets, or [`Error::InvalidInput`] for an unsupervised dataset.
    pub fn targets(&self) -> Result<ArrayView1<'_, f64>> {
        self.targets
            .as_ref()
            .map(|t| t.view())
            .ok_or_else(|| Error::InvalidInput("dataset has no targets".into()))
    }

    /// True when targets are present.
    pub fn has_targets(&self) -> bool {
        self.targets.is_some()
    }

    /// Targets read as integer class labels; fails if any target is not integral.
    pub fn labels(&self) -> Result<Array1<i64>> {
        labels_of(self.targets()?)
    }

    /// Feature column names.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Index of the feature called `name`.
    pub fn feature_index(&self, name: &str) -> Result<usize> {
        self.feature_names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| Error::InvalidInput(format!("no feature named `{name}`")))
    }

    /// One feature column by name.
    pub fn column(&self, name: &str) -> Result<ArrayView1<'_, f64>> {
        Ok(self.features.column(self.feature_index(name)?))
    }

    /// Group ids, if attached.
    pub fn groups(&self) -> Option<&[String]> {
        self.groups.as_deref()
    }

    /// A borrowed view of the same rows, for fitting without copies.
    pub fn view(&self) -> DatasetView<'_> {
        DatasetView {
            features: self.features.view(),
            targets: self.targets.as_ref().map(|t| t.view()),
            groups: self.groups.as_deref(),
        }
    }

    /// A new dataset holding the given rows (in that order).
    pub fn select(&self, rows: &[usize]) -> Result<Self> {
        if let Some(&bad) = rows.iter().find(|&&r| r >= self.n_samples()) {
            return Err(Error::InvalidInput(format!(
                "row index {bad} out of range for {} rows",
                self.n_samples()
            )));
        }
        if rows.is_empty() {
            return Err(Error::EmptyInput("row selection is empty".into()));
        }
        Ok(Dataset {
            features: self.features.select(Axis(0), rows),
            targets: self.targets.as_ref().map(|t| t.select(Axis(0), rows)),
            feature_names: self.feature_names.clone(),
            groups: self
                .groups
                .as_ref()
                .map(|g| rows.iter().map(|&r| g[r].clone()).collect()),
        })
    }

    /// A new dataset keeping only the named feature columns (in that order).
    pub fn select_features(&self, names: &[&str]) -> Result<Self> {
        let idx = names
            .iter()
            .map(|n| self.feature_index(n))
            .collect::<Result<Vec<_>>>()?;
        if idx.is_empty() {
            return Err(Error::EmptyInput("feature selection is empty".into()));
        }
        Ok(Dataset {
            features: self.features.select(Axis(1), &idx),
            targets: self.targets.clone(),
            feature_names: names.iter().map(|s| s.to_string()).collect(),
            groups: self.groups.clone(),
        })
    }

    /// Same rows and names with the feature matrix replaced (e.g. after scaling).
    pub fn with_features(&self, features: Array2<f64>) -> Result<Self> {
        check::same_len("replacement rows", self.n_samples(), features.nrows())?;
        check::same_len("replacement columns", self.n_features(), features.ncols())?;
        check::finite2("features", features.view())?;
        Ok(Dataset {
            features,
            ..self.clone()
        })
    }

    /// Same features with targets replaced (e.g. log-transformed).
    pub fn with_targets(&self, targets: Array1<f64>) -> Result<Self> {
        check::same_len("targets vs feature rows", self.n_samples(), targets.len())?;
        check::finite1("targets", targets.view())?;
        Ok(Dataset {
            targets: Some(targets),
            ..self.clone()
        })
    }
}

fn labels_of(t: ArrayView1<'_, f64>) -> Result<Array1<i64>> {
    t.iter()
        .enumerate()
        .map(|(i, &v)| {
            if v.fract() == 0.0 && v.abs() < 9.0e15 {
                Ok(v as i64)
            } else {
                Err(Error::InvalidInput(format!(
                    "target {v} at row {i} is not an integer class label"
                )))
            }
        })
        .collect()
}

/// Borrowed features with optional targets and group ids, validated like a
/// [`Dataset`] (finite values, matching lengths, at least one row): what a
/// params type fits on when the caller already holds ndarray views, e.g.
/// Bayesian optimisation refitting its surrogate after every observation.
///
/// ```
/// use ndarray::array;
/// use voltai_core::DatasetView;
///
/// let x = array![[1.0, 2.0], [3.0, 4.0]];
/// let y = array![0.5, 1.5];
/// let view = DatasetView::new(x.view(), y.view())?;
/// assert_eq!((view.n_samples(), view.n_features()), (2, 2));
/// assert!(DatasetView::new(x.view(), array![f64::NAN, 1.0].view()).is_err());
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DatasetView<'a> {
    features: ArrayView2<'a, f64>,
    targets: Option<ArrayView1<'a, f64>>,
    groups: Option<&'a [String]>,
}

impl<'a> DatasetView<'a> {
    /// A supervised view. Fails on non-finite values, mismatched lengths or no rows.
    pub fn new(features: ArrayView2<'a, f64>, targets: ArrayView1<'a, f64>) -> Result<Self> {
        check::same_len("targets vs feature rows", features.nrows(), targets.len())?;
        check::finite1("targets", targets)?;
        let mut v = Self::unsupervised(features)?;
        v.targets = Some(targets);
        Ok(v)
    }

    /// A view without targets.
    pub fn unsupervised(features: ArrayView2<'a, f64>) -> Result<Self> {
        check::non_empty2("features", features)?;
        check::finite2("features", features)?;
        Ok(DatasetView {
            features,
            targets: None,
            groups: None,
        })
    }

    /// Number of rows.
    pub fn n_samples(&self) -> usize {
        self.features.nrows()
    }

    /// Number of feature columns.
    pub fn n_features(&self) -> usize {
        self.features.ncols()
    }

    /// The feature matrix.
    pub fn features(&self) -> ArrayView2<'a, f64> {
        self.features
    }

    /// The targets, or [`Error::InvalidInput`] for an unsupervised view.
    pub fn targets(&self) -> Result<ArrayView1<'a, f64>> {
        self.targets
            .ok_or_else(|| Error::InvalidInput("dataset has no targets".into()))
    }

    /// Targets read as integer class labels; fails if any target is not integral.
    pub fn labels(&self) -> Result<Array1<i64>> {
        labels_of(self.targets()?)
    }

    /// Group ids, if attached.
    pub fn groups(&self) -> Option<&'a [String]> {
        self.groups
    }

    /// An owned [`Dataset`] with the same rows (default feature names).
    pub fn to_dataset(&self) -> Result<Dataset> {
        let mut d = Dataset::unsupervised(self.features.to_owned())?;
        d.targets = self.targets.map(|t| t.to_owned());
        d.groups = self.groups.map(<[String]>::to_vec);
        Ok(d)
    }
}
