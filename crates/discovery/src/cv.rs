//! Regularisation paths with warm starts and cross-validated choice of α and
//! the L1 ratio, by row k-fold or by group k-fold (no group on both sides).

use ndarray::Array1;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::linear::{Centered, ElasticNetParams, LinearModel, coordinate_descent};
use voltai_core::split::{GroupKFold, KFold, Split};
use voltai_core::{Dataset, Error, Fit, Result};

/// How cross-validation folds are formed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Folds {
    /// k contiguous row folds, as scikit-learn's `cv=k`.
    KFold(usize),
    /// k folds of whole groups (the dataset's group ids, e.g. cells).
    GroupKFold(usize),
    /// A fold id per row (`0..k`), as scikit-learn's `PredefinedSplit`: for
    /// shuffled folds shared with another tool, or any custom scheme.
    Assigned(Vec<usize>),
}

/// Parameters of a cross-validated elastic net (scikit-learn's `ElasticNetCV`).
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, Array2};
/// use voltai_core::{Dataset, Fit, Regressor};
/// use voltai_discovery::{ElasticNetCvParams, Folds};
///
/// // Three features; only the first matters: y = 2·x0 + 1.
/// let x = Array2::from_shape_fn((30, 3), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
/// let y: Array1<f64> = x.column(0).mapv(|v| 2.0 * v + 1.0);
/// let cv = ElasticNetCvParams::new(vec![0.5, 1.0])?
///     .folds(Folds::KFold(3))?
///     .grid(20, 1e-3)?
///     .fit(&Dataset::new(x, y)?)?;
/// assert!((cv.model.coef[0] - 2.0).abs() < 0.05);
/// assert!(cv.model.coef[1].abs() < 0.05 && cv.model.coef[2].abs() < 0.05);
/// let pred = cv.model.predict(ndarray::array![[5.0, 0.0, 0.0]].view())?;
/// assert!((pred[0] - 11.0).abs() < 0.2);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElasticNetCvParams {
    l1_ratios: Vec<f64>,
    n_alphas: usize,
    eps: f64,
    folds: Folds,
    base: ElasticNetParams,
}

/// The cross-validated model and its error surface.
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, Array2};
/// use voltai_core::{Dataset, Fit};
/// use voltai_discovery::{ElasticNetCvParams, Folds};
///
/// let x = Array2::from_shape_fn((30, 3), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
/// let y: Array1<f64> = x.column(0).mapv(|v| 2.0 * v + 1.0);
/// let cv = ElasticNetCvParams::new(vec![1.0])?
///     .folds(Folds::KFold(3))?
///     .grid(20, 1e-3)?
///     .fit(&Dataset::new(x, y)?)?;
/// // One α grid (and one row of held-out errors) per L1 ratio.
/// assert_eq!((cv.alphas.len(), cv.alphas[0].len()), (1, 20));
/// assert_eq!(cv.mean_mse[0].len(), 20);
/// assert_eq!(cv.l1_ratio, 1.0);
/// // Noise-free data: the least-penalised fit predicts best.
/// assert_eq!(cv.alpha, *cv.alphas[0].last().unwrap());
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElasticNetCv {
    /// Refit on all rows at the chosen α and ρ.
    pub model: LinearModel,
    /// Chosen α.
    pub alpha: f64,
    /// Chosen L1 ratio.
    pub l1_ratio: f64,
    /// α grid per L1 ratio (descending).
    pub alphas: Vec<Vec<f64>>,
    /// Mean held-out MSE per L1 ratio and α.
    pub mean_mse: Vec<Vec<f64>>,
}

/// The α grid of scikit-learn: `n` values log-spaced from α_max (all
/// coefficients zero) down to `eps`·α_max.
pub fn alpha_grid(
    data: &Dataset,
    l1_ratio: f64,
    n: usize,
    eps: f64,
    fit_intercept: bool,
) -> Result<Vec<f64>> {
    if !(l1_ratio > 0.0 && l1_ratio <= 1.0) {
        return Err(Error::invalid_parameter(
            "l1_ratio",
            l1_ratio,
            "(0, 1] for an automatic α grid",
        ));
    }
    if n < 1 || !(eps > 0.0 && eps < 1.0) {
        return Err(Error::InvalidInput(format!(
            "α grid needs n ≥ 1 and eps in (0, 1), got {n}, {eps}"
        )));
    }
    let c = Centered::new(data.features(), data.targets()?, fit_intercept)?;
    let rows = c.x.nrows() as f64;
    let amax = c.x.t().dot(&c.y).iter().fold(0.0f64, |m, v| m.max(v.abs())) / (rows * l1_ratio);
    if amax == 0.0 {
        return Ok(vec![f64::EPSILON; n]);
    }
    if n == 1 {
        return Ok(vec![amax]);
    }
    let (hi, lo) = (amax.log10(), (amax * eps).log10());
    Ok((0..n)
        .map(|k| 10f64.powf(hi + (lo - hi) * k as f64 / (n - 1) as f64))
        .collect())
}

/// Fits the whole path (warm starts, descending α) and returns the models.
pub fn elastic_net_path(
    params: &ElasticNetParams,
    data: &Dataset,
    alphas: &[f64],
) -> Result<Vec<LinearModel>> {
    let c = Centered::new(data.features(), data.targets()?, params.has_intercept())?;
    let mut w = Array1::zeros(data.n_features());
    alphas
        .iter()
        .map(|&a| {
            let p = params.alpha(a)?;
            let it = coordinate_descent(&c, a, p.rho(), p.tol_value(), p.max_iter_value(), &mut w);
            Ok(c.model(w.clone(), it))
        })
        .collect()
}

impl ElasticNetCvParams {
    /// L1 ratios to try (each in (0, 1]), 100 α per ratio down to 1e-3·α_max, 5 row folds.
    pub fn new(l1_ratios: Vec<f64>) -> Result<Self> {
        if l1_ratios.is_empty() {
            return Err(Error::EmptyInput("no L1 ratios to try".into()));
        }
        for &r in &l1_ratios {
            if !(r > 0.0 && r <= 1.0) {
                return Err(Error::invalid_parameter("l1_ratio", r, "(0, 1]"));
            }
        }
        Ok(ElasticNetCvParams {
            l1_ratios,
            n_alphas: 100,
            eps: 1e-3,
            folds: Folds::KFold(5),
            base: ElasticNetParams::new(),
        })
    }

    /// Fold scheme (k ≥ 2).
    pub fn folds(mut self, folds: Folds) -> Result<Self> {
        let k = match &folds {
            Folds::KFold(k) | Folds::GroupKFold(k) => *k,
            Folds::Assigned(ids) => {
                let k = ids.iter().max().map_or(0, |m| m + 1);
                if let Some(f) = (0..k).find(|f| !ids.contains(f)) {
                    return Err(Error::InvalidInput(format!(
                        "assigned folds skip fold {f}; ids must cover 0..{k}"
                    )));
                }
                k
            }
        };
        if k < 2 {
            return Err(Error::invalid_parameter("k", k, "[2, inf)"));
        }
        self.folds = folds;
        Ok(self)
    }

    /// Grid size (≥ 1) and ratio of the smallest to the largest α (in (0, 1)).
    pub fn grid(mut self, n_alphas: usize, eps: f64) -> Result<Self> {
        if n_alphas == 0 || !(eps > 0.0 && eps < 1.0) {
            return Err(Error::InvalidInput(format!(
                "grid needs n_alphas ≥ 1 and eps in (0, 1), got {n_alphas}, {eps}"
            )));
        }
        self.n_alphas = n_alphas;
        self.eps = eps;
        Ok(self)
    }

    /// Coordinate-descent settings and intercept of every fit.
    pub fn base(mut self, base: ElasticNetParams) -> Self {
        self.base = base;
        self
    }

    fn splits(&self, data: &Dataset) -> Result<Vec<Split>> {
        match &self.folds {
            Folds::KFold(k) => KFold::new(*k)?.splits(data.n_samples()),
            Folds::GroupKFold(k) => GroupKFold::new(*k)?.dataset_splits(data),
            Folds::Assigned(ids) => {
                voltai_core::check::same_len("fold ids", data.n_samples(), ids.len())?;
                let k = ids.iter().max().map_or(0, |m| m + 1);
                Ok((0..k)
                    .map(|f| Split {
                        train: (0..ids.len()).filter(|&i| ids[i] != f).collect(),
                        test: (0..ids.len()).filter(|&i| ids[i] == f).collect(),
                    })
                    .collect())
            }
        }
    }
}

impl Fit for ElasticNetCvParams {
    type Model = ElasticNetCv;
    fn fit(&self, data: &Dataset) -> Result<ElasticNetCv> {
        let splits = self.splits(data)?;
        let mut alphas = Vec::new();
        let mut mean_mse = Vec::new();
        for &rho in &self.l1_ratios {
            let grid = alpha_grid(
                data,
                rho,
                self.n_alphas,
                self.eps,
                self.base.has_intercept(),
            )?;
            let params = self.base.l1_ratio(rho)?;
            let per_fold: Vec<Vec<f64>> = splits
                .par_iter()
                .map(|s| -> Result<Vec<f64>> {
                    let (train, test) = (data.select(&s.train)?, data.select(&s.test)?);
                    let path = elastic_net_path(&params, &train, &grid)?;
                    let y = test.targets()?;
                    Ok(path
                        .iter()
                        .map(|m| {
                            let pred = test.features().dot(&m.coef) + m.intercept;
                            (&pred - &y).mapv(|e| e * e).mean().unwrap_or(f64::INFINITY)
                        })
                        .collect())
                })
                .collect::<Result<_>>()?;
            let k = per_fold.len() as f64;
            mean_mse.push(
                (0..grid.len())
                    .map(|a| per_fold.iter().map(|f| f[a]).sum::<f64>() / k)
                    .collect::<Vec<_>>(),
            );
            alphas.push(grid);
        }
        let (mut bi, mut ba) = (0, 0);
        for (i, row) in mean_mse.iter().enumerate() {
            for (a, &v) in row.iter().enumerate() {
                if v < mean_mse[bi][ba] {
                    (bi, ba) = (i, a);
                }
            }
        }
        let (alpha, l1_ratio) = (alphas[bi][ba], self.l1_ratios[bi]);
        let model = self.base.alpha(alpha)?.l1_ratio(l1_ratio)?.fit(data)?;
        Ok(ElasticNetCv {
            model,
            alpha,
            l1_ratio,
            alphas,
            mean_mse,
        })
    }
}

impl voltai_core::Persist for ElasticNetCv {
    const KIND: &'static str = "voltai_discovery::ElasticNetCv";
}

/// The cross-validated model predicts with its refitted [`LinearModel`].
impl voltai_core::Regressor for ElasticNetCv {
    fn n_features(&self) -> usize {
        voltai_core::Regressor::n_features(&self.model)
    }

    fn predict(&self, x: ndarray::ArrayView2<'_, f64>) -> Result<ndarray::Array1<f64>> {
        voltai_core::Regressor::predict(&self.model, x)
    }
}
