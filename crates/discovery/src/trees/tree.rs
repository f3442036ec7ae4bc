//! One CART regression tree: binary splits `x[feature] <= threshold` chosen
//! to reduce the squared error most, grown depth first.

use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Dataset, Error, Fit, Regressor, Result, check};

/// How many features each split considers (scikit-learn's `max_features`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum MaxFeatures {
    /// Every feature (scikit-learn's default for regression, `1.0`).
    All,
    /// ⌈√p⌉ features, drawn afresh at each split.
    Sqrt,
    /// max(1, ⌊fraction · p⌋) features, 0 < fraction ≤ 1.
    Fraction(f64),
}

impl MaxFeatures {
    fn check(self) -> Result<Self> {
        match self {
            MaxFeatures::Fraction(f) if !(f > 0.0 && f <= 1.0) => {
                Err(Error::invalid_parameter("max_features", f, "(0, 1]"))
            }
            other => Ok(other),
        }
    }

    /// The number of features a split looks at, of `p`.
    pub fn count(self, p: usize) -> usize {
        let k = match self {
            MaxFeatures::All => p,
            MaxFeatures::Sqrt => (p as f64).sqrt().ceil() as usize,
            MaxFeatures::Fraction(f) => (f * p as f64).floor() as usize,
        };
        k.clamp(1, p.max(1))
    }
}

/// The split score to maximise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) enum Criterion {
    /// Σ_left²/n_left + Σ_right²/n_right (scikit-learn's `squared_error`
    /// proxy: the squared-error reduction up to a constant).
    SquaredError,
    /// (n_r Σ_left − n_l Σ_right)² / (n_l n_r) (scikit-learn's
    /// `friedman_mse`, the default of gradient boosting): the same ranking
    /// in exact arithmetic, kept so that near-ties round as scikit-learn's do.
    Friedman,
}

/// Parameters of one regression tree.
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, Array2};
/// use voltai_core::{Dataset, Fit, Regressor};
/// use voltai_discovery::RegressionTreeParams;
///
/// // A step at x = 0.5 is found exactly by one split.
/// let x = Array2::from_shape_fn((20, 1), |(i, _)| i as f64 / 19.0);
/// let y: Array1<f64> = x.column(0).mapv(|v| if v <= 0.5 { 1.0 } else { 3.0 });
/// let tree = RegressionTreeParams::new().max_depth(1)?.fit(&Dataset::new(x, y)?)?;
/// assert_eq!(tree.predict(ndarray::array![[0.2], [0.9]].view())?.to_vec(), vec![1.0, 3.0]);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegressionTreeParams {
    pub(crate) max_depth: Option<usize>,
    pub(crate) min_samples_split: usize,
    pub(crate) min_samples_leaf: usize,
    pub(crate) max_features: MaxFeatures,
    pub(crate) seed: u64,
    pub(crate) criterion: Criterion,
}

impl Default for RegressionTreeParams {
    fn default() -> Self {
        Self::new()
    }
}

impl RegressionTreeParams {
    /// Fully grown (no depth limit), two samples to split, one per leaf,
    /// every feature at each split, seed 0.
    pub fn new() -> Self {
        RegressionTreeParams {
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::All,
            seed: 0,
            criterion: Criterion::SquaredError,
        }
    }

    /// Largest depth (the root has depth 0), ≥ 1.
    pub fn max_depth(mut self, depth: usize) -> Result<Self> {
        if depth == 0 {
            return Err(Error::invalid_parameter("max_depth", 0, "[1, inf)"));
        }
        self.max_depth = Some(depth);
        Ok(self)
    }

    /// Fewest samples a node needs to be split, ≥ 2.
    pub fn min_samples_split(mut self, n: usize) -> Result<Self> {
        if n < 2 {
            return Err(Error::invalid_parameter("min_samples_split", n, "[2, inf)"));
        }
        self.min_samples_split = n;
        Ok(self)
    }

    /// Fewest samples in each leaf, ≥ 1.
    pub fn min_samples_leaf(mut self, n: usize) -> Result<Self> {
        if n == 0 {
            return Err(Error::invalid_parameter("min_samples_leaf", 0, "[1, inf)"));
        }
        self.min_samples_leaf = n;
        Ok(self)
    }

    /// Features considered at each split.
    pub fn max_features(mut self, m: MaxFeatures) -> Result<Self> {
        self.max_features = m.check()?;
        Ok(self)
    }

    /// Seed of the feature order (ties between equally good splits go to
    /// the feature met first) and of the feature subsets.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// One node of a fitted tree.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum TreeNode {
    /// A prediction.
    Leaf {
        /// Mean target of the training samples that reached it.
        value: f64,
        /// Training samples that reached it.
        samples: usize,
    },
    /// `x[feature] <= threshold` goes to `left`, otherwise to `right`
    /// (indices into [`RegressionTree::nodes`]).
    Split {
        /// Feature index.
        feature: usize,
        /// Threshold, the midpoint between two training values.
        threshold: f64,
        /// Child for `x[feature] <= threshold`.
        left: usize,
        /// Child for `x[feature] > threshold`.
        right: usize,
    },
}

/// A fitted regression tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionTree {
    /// The nodes, root first, each split before its children (depth first,
    /// left first, as scikit-learn numbers them).
    pub nodes: Vec<TreeNode>,
    n_features: usize,
}

impl RegressionTree {
    /// The depth of the deepest leaf (0 for a single leaf).
    pub fn depth(&self) -> usize {
        fn walk(nodes: &[TreeNode], at: usize) -> usize {
            match nodes[at] {
                TreeNode::Leaf { .. } => 0,
                TreeNode::Split { left, right, .. } => {
                    1 + walk(nodes, left).max(walk(nodes, right))
                }
            }
        }
        walk(&self.nodes, 0)
    }

    /// The number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.nodes
            .iter()
            .filter(|n| matches!(n, TreeNode::Leaf { .. }))
            .count()
    }

    /// The prediction for one row (already checked).
    pub(crate) fn predict_row(&self, row: ArrayView1<'_, f64>) -> f64 {
        let mut at = 0;
        loop {
            match self.nodes[at] {
                TreeNode::Leaf { value, .. } => return value,
                TreeNode::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    at = if row[feature] <= threshold {
                        left
                    } else {
                        right
                    }
                }
            }
        }
    }
}

impl Fit for RegressionTreeParams {
    type Model = RegressionTree;
    fn fit(&self, data: &Dataset) -> Result<RegressionTree> {
        let columns = Columns::of(data.features())?;
        let y = data.targets()?;
        let rows: Vec<usize> = (0..data.n_samples()).collect();
        grow(self, &columns, y, rows)
    }
}

impl Regressor for RegressionTree {
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check::predict_input(x, self.n_features)?;
        Ok(x.rows().into_iter().map(|r| self.predict_row(r)).collect())
    }
}

impl voltai_core::Persist for RegressionTree {
    const KIND: &'static str = "voltai_discovery::RegressionTree";
}

/// The training features by column, checked once for every tree that
/// grows on them.
pub(crate) struct Columns {
    values: Vec<Vec<f64>>,
    n_rows: usize,
}

impl Columns {
    pub(crate) fn of(x: ArrayView2<'_, f64>) -> Result<Self> {
        check::non_empty2("tree training features", x)?;
        check::finite2("tree training features", x)?;
        Ok(Columns {
            values: x.columns().into_iter().map(|c| c.to_vec()).collect(),
            n_rows: x.nrows(),
        })
    }
    pub(crate) fn n_rows(&self) -> usize {
        self.n_rows
    }
}

/// A node still to be split: its rows (with repeats for a bootstrap
/// sample), its depth and where its parent points to it.
struct Pending {
    rows: Vec<usize>,
    depth: usize,
    /// (parent index, is left child).
    parent: Option<(usize, bool)>,
}

/// Grows a tree on `rows` of `columns` with targets `y`.
pub(crate) fn grow(
    params: &RegressionTreeParams,
    columns: &Columns,
    y: ArrayView1<'_, f64>,
    rows: Vec<usize>,
) -> Result<RegressionTree> {
    check::finite1("tree training targets", y)?;
    check::same_len("tree targets", columns.n_rows, y.len())?;
    if rows.is_empty() {
        return Err(Error::EmptyInput("a tree needs at least one row".into()));
    }
    let p = columns.values.len();
    let n_try = params.max_features.count(p);
    let mut rng = SplitMix64::new(params.seed);
    let mut nodes: Vec<TreeNode> = Vec::new();
    let mut stack = vec![Pending {
        rows,
        depth: 0,
        parent: None,
    }];
    let mut order: Vec<usize> = (0..p).collect();
    let mut sorted: Vec<(f64, usize)> = Vec::new();
    while let Some(node) = stack.pop() {
        let index = nodes.len();
        if let Some((parent, is_left)) = node.parent
            && let TreeNode::Split { left, right, .. } = &mut nodes[parent]
        {
            *if is_left { left } else { right } = index;
        }
        let m = node.rows.len();
        let sum: f64 = node.rows.iter().map(|&r| y[r]).sum();
        let mean = sum / m as f64;
        let variance = node
            .rows
            .iter()
            .map(|&r| (y[r] - mean).powi(2))
            .sum::<f64>()
            / m as f64;
        let can_split = m >= params.min_samples_split
            && m >= 2 * params.min_samples_leaf
            && params.max_depth.is_none_or(|d| node.depth < d)
            && variance > f64::EPSILON;
        let best = if can_split {
            // Fisher–Yates on the feature order: the first `n_try` are tried.
            for k in 0..p {
                let j = k + (rng.next_u64() % (p - k) as u64) as usize;
                order.swap(k, j);
            }
            best_split(params, columns, y, &node.rows, &order[..n_try], &mut sorted)
        } else {
            None
        };
        match best {
            None => nodes.push(TreeNode::Leaf {
                value: mean,
                samples: m,
            }),
            Some((feature, threshold)) => {
                let column = &columns.values[feature];
                let (left, right): (Vec<usize>, Vec<usize>) =
                    node.rows.iter().partition(|&&r| column[r] <= threshold);
                nodes.push(TreeNode::Split {
                    feature,
                    threshold,
                    left: usize::MAX,
                    right: usize::MAX,
                });
                // Right pushed first so that the left subtree is numbered first.
                stack.push(Pending {
                    rows: right,
                    depth: node.depth + 1,
                    parent: Some((index, false)),
                });
                stack.push(Pending {
                    rows: left,
                    depth: node.depth + 1,
                    parent: Some((index, true)),
                });
            }
        }
    }
    let linked = nodes.iter().all(|n| match n {
        TreeNode::Split { left, right, .. } => *left < nodes.len() && *right < nodes.len(),
        TreeNode::Leaf { .. } => true,
    });
    if !linked {
        return Err(Error::internal("a tree split was left without a child"));
    }
    Ok(RegressionTree {
        nodes,
        n_features: p,
    })
}

/// The best (feature, threshold) over `features` for `rows`, or `None` when
/// no split leaves `min_samples_leaf` on both sides.
fn best_split(
    params: &RegressionTreeParams,
    columns: &Columns,
    y: ArrayView1<'_, f64>,
    rows: &[usize],
    features: &[usize],
    sorted: &mut Vec<(f64, usize)>,
) -> Option<(usize, f64)> {
    let m = rows.len();
    let leaf = params.min_samples_leaf;
    let total: f64 = rows.iter().map(|&r| y[r]).sum();
    let mut best: Option<(f64, usize, f64)> = None;
    for &feature in features {
        let column = &columns.values[feature];
        sorted.clear();
        sorted.extend(rows.iter().map(|&r| (column[r], r)));
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        if sorted[0].0 == sorted[m - 1].0 {
            continue;
        }
        let mut left_sum = 0.0;
        for k in 1..m {
            left_sum += y[sorted[k - 1].1];
            // A split between equal values is no split.
            if k < leaf || m - k < leaf || sorted[k - 1].0 == sorted[k].0 {
                continue;
            }
            let (nl, nr) = (k as f64, (m - k) as f64);
            let right_sum = total - left_sum;
            let score = match params.criterion {
                Criterion::SquaredError => left_sum * left_sum / nl + right_sum * right_sum / nr,
                Criterion::Friedman => {
                    let diff = nr * left_sum - nl * right_sum;
                    diff * diff / (nl * nr)
                }
            };
            if best.is_none_or(|(s, _, _)| score > s) {
                let (a, b) = (sorted[k - 1].0, sorted[k].0);
                // The midpoint, unless it rounds onto the upper value.
                let mut threshold = a / 2.0 + b / 2.0;
                if threshold == b || !threshold.is_finite() {
                    threshold = a;
                }
                best = Some((score, feature, threshold));
            }
        }
    }
    best.map(|(_, feature, threshold)| (feature, threshold))
}
