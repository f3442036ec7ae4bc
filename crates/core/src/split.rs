//! Train/test splits: shuffled, k-fold, and group-aware (leakage-free by construction).
//!
//! Group-aware splits take the group ids from [`Dataset::groups`] (e.g. the cell
//! each cycle row came from) and never put one group on both sides: a model
//! evaluated on a cell never saw any of that cell's rows.

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::{Dataset, Error, Result};

/// Row indices of one train/test partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// Rows used for fitting, ascending.
    pub train: Vec<usize>,
    /// Rows held out, ascending.
    pub test: Vec<usize>,
}

impl Split {
    fn from_mask(is_test: &[bool]) -> Self {
        let (mut train, mut test) = (Vec::new(), Vec::new());
        for (i, &t) in is_test.iter().enumerate() {
            if t { test.push(i) } else { train.push(i) }
        }
        Split { train, test }
    }

    /// A predefined split from a per-row label: rows whose label is in
    /// `test_labels` are held out, the rest train (e.g. a paper's published split).
    pub fn from_labels<S: AsRef<str>>(labels: &[S], test_labels: &[&str]) -> Result<Self> {
        let mask: Vec<bool> = labels
            .iter()
            .map(|l| test_labels.contains(&l.as_ref()))
            .collect();
        let s = Split::from_mask(&mask);
        s.check_non_empty()?;
        Ok(s)
    }

    fn check_non_empty(&self) -> Result<()> {
        if self.train.is_empty() || self.test.is_empty() {
            return Err(Error::InvalidInput(format!(
                "split leaves {} train and {} test rows; both sides need at least one",
                self.train.len(),
                self.test.len()
            )));
        }
        Ok(())
    }
}

fn check_fraction(test_fraction: f64) -> Result<()> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::invalid_parameter(
            "test_fraction",
            test_fraction,
            "(0, 1)",
        ));
    }
    Ok(())
}

/// Shuffled train/test split of `n` rows; `round(test_fraction·n)` rows (at least one) are held out.
pub fn train_test_split(n: usize, test_fraction: f64, seed: u64) -> Result<Split> {
    check_fraction(test_fraction)?;
    if n < 2 {
        return Err(Error::EmptyInput(format!(
            "train/test split needs at least 2 rows, got {n}"
        )));
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut StdRng::seed_from_u64(seed));
    let n_test = ((test_fraction * n as f64).round() as usize).clamp(1, n - 1);
    let mut mask = vec![false; n];
    for &i in &idx[..n_test] {
        mask[i] = true;
    }
    Ok(Split::from_mask(&mask))
}

/// Unique groups in order of first appearance, and each row's group number.
fn group_codes(groups: &[String]) -> (Vec<&str>, Vec<usize>) {
    let mut names: Vec<&str> = Vec::new();
    let mut lookup: BTreeMap<&str, usize> = BTreeMap::new();
    let codes = groups
        .iter()
        .map(|g| {
            *lookup.entry(g.as_str()).or_insert_with(|| {
                names.push(g.as_str());
                names.len() - 1
            })
        })
        .collect();
    (names, codes)
}

fn dataset_groups(data: &Dataset) -> Result<&[String]> {
    data.groups().ok_or_else(|| {
        Error::InvalidInput("group split requested but the dataset has no group ids".into())
    })
}

/// Shuffled split by group: whole groups are held out until `test_fraction` of
/// the *groups* (at least one) are in the test side.
pub fn group_train_test_split(groups: &[String], test_fraction: f64, seed: u64) -> Result<Split> {
    check_fraction(test_fraction)?;
    let (names, codes) = group_codes(groups);
    if names.len() < 2 {
        return Err(Error::InvalidInput(format!(
            "group split needs at least 2 distinct groups, got {}",
            names.len()
        )));
    }
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.shuffle(&mut StdRng::seed_from_u64(seed));
    let n_test = ((test_fraction * names.len() as f64).round() as usize).clamp(1, names.len() - 1);
    let mut test_group = vec![false; names.len()];
    for &g in &order[..n_test] {
        test_group[g] = true;
    }
    let mask: Vec<bool> = codes.iter().map(|&c| test_group[c]).collect();
    Ok(Split::from_mask(&mask))
}

/// [`group_train_test_split`] on a dataset's own group ids.
pub fn dataset_group_split(data: &Dataset, test_fraction: f64, seed: u64) -> Result<Split> {
    group_train_test_split(dataset_groups(data)?, test_fraction, seed)
}

/// K-fold cross-validation over rows, optionally shuffled with a seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KFold {
    k: usize,
    shuffle_seed: Option<u64>,
}

impl KFold {
    /// `k ≥ 2` folds, in row order (no shuffling).
    pub fn new(k: usize) -> Result<Self> {
        if k < 2 {
            return Err(Error::invalid_parameter("k", k, "[2, n_samples]"));
        }
        Ok(KFold {
            k,
            shuffle_seed: None,
        })
    }

    /// Shuffle rows with `seed` before cutting folds.
    pub fn shuffled(mut self, seed: u64) -> Self {
        self.shuffle_seed = Some(seed);
        self
    }

    /// The `k` splits of `n` rows; fold sizes differ by at most one (as scikit-learn).
    pub fn splits(&self, n: usize) -> Result<Vec<Split>> {
        if self.k > n {
            return Err(Error::invalid_parameter(
                "k",
                self.k,
                format!("[2, {n}] (at most the number of rows)"),
            ));
        }
        let mut idx: Vec<usize> = (0..n).collect();
        if let Some(seed) = self.shuffle_seed {
            idx.shuffle(&mut StdRng::seed_from_u64(seed));
        }
        let mut out = Vec::with_capacity(self.k);
        let mut start = 0;
        for f in 0..self.k {
            let size = n / self.k + usize::from(f < n % self.k);
            let mut mask = vec![false; n];
            for &i in &idx[start..start + size] {
                mask[i] = true;
            }
            start += size;
            out.push(Split::from_mask(&mask));
        }
        Ok(out)
    }
}

/// A fold id (`0..k`) per row from a portable shuffle: rows are ranked by
/// [`SplitMix64`](crate::synthetic::SplitMix64) uniforms drawn with `seed` and
/// dealt round-robin, so `tools/reference/common.py::fold_ids` rebuilds exactly
/// the same folds for a peer library (e.g. scikit-learn's `PredefinedSplit`).
pub fn shuffled_fold_ids(n: usize, k: usize, seed: u64) -> Result<Vec<usize>> {
    if k < 2 || k > n {
        return Err(Error::invalid_parameter("k", k, format!("[2, {n}]")));
    }
    let mut rng = crate::synthetic::SplitMix64::new(seed);
    let keys: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]).then(a.cmp(&b)));
    let mut ids = vec![0; n];
    for (rank, &i) in order.iter().enumerate() {
        ids[i] = rank % k;
    }
    Ok(ids)
}

/// K-fold over groups: each group lands in exactly one test fold.
///
/// Without a seed, groups are assigned largest-first to the currently lightest
/// fold, as scikit-learn's `GroupKFold` does, so fold sizes are balanced in rows.
/// With a seed, ties and the order among equal-sized groups are shuffled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupKFold {
    k: usize,
    shuffle_seed: Option<u64>,
}

impl GroupKFold {
    /// `k ≥ 2` folds.
    pub fn new(k: usize) -> Result<Self> {
        if k < 2 {
            return Err(Error::invalid_parameter("k", k, "[2, n_groups]"));
        }
        Ok(GroupKFold {
            k,
            shuffle_seed: None,
        })
    }

    /// Randomise the group order (before the size-balanced assignment) with `seed`.
    pub fn shuffled(mut self, seed: u64) -> Self {
        self.shuffle_seed = Some(seed);
        self
    }

    /// The `k` splits for the given per-row group ids.
    pub fn splits(&self, groups: &[String]) -> Result<Vec<Split>> {
        let (names, codes) = group_codes(groups);
        if self.k > names.len() {
            return Err(Error::invalid_parameter(
                "k",
                self.k,
                format!("[2, {}] (at most the number of groups)", names.len()),
            ));
        }
        let mut sizes = vec![0usize; names.len()];
        for &c in &codes {
            sizes[c] += 1;
        }
        let mut order: Vec<usize> = (0..names.len()).collect();
        if let Some(seed) = self.shuffle_seed {
            order.shuffle(&mut StdRng::seed_from_u64(seed));
        }
        // Stable sort keeps the (possibly shuffled) order among equal sizes.
        order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]));
        let mut fold_of_group = vec![0usize; names.len()];
        let mut fold_rows = vec![0usize; self.k];
        for g in order {
            let lightest = (0..self.k).min_by_key(|&f| (fold_rows[f], f)).unwrap_or(0);
            fold_of_group[g] = lightest;
            fold_rows[lightest] += sizes[g];
        }
        Ok((0..self.k)
            .map(|f| {
                let mask: Vec<bool> = codes.iter().map(|&c| fold_of_group[c] == f).collect();
                Split::from_mask(&mask)
            })
            .collect())
    }

    /// Splits on a dataset's own group ids.
    pub fn dataset_splits(&self, data: &Dataset) -> Result<Vec<Split>> {
        self.splits(dataset_groups(data)?)
    }
}
