//! Ensemble SINDy: bagging over samples (and optionally library terms).

use std::sync::Arc;

use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Error, Result};

use super::{SparseFit, SparseOptimizer, check_problem};

/// How the ensemble's coefficients are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// Element-wise median (robust; PySINDy's `bagging` default).
    Median,
    /// Element-wise mean.
    Mean,
}

/// Ensemble SINDy (Fasel et al. 2022): fits the inner optimiser on bootstrap
/// resamples of the rows (and, optionally, with some library terms left out),
/// aggregates the coefficients and reports each term's inclusion probability.
/// Models run in parallel; each draws from its own seeded stream, so the result
/// does not depend on the thread count.
#[derive(Debug, Clone)]
pub struct EnsembleOptimizer {
    inner: Arc<dyn SparseOptimizer>,
    n_models: usize,
    sample_fraction: f64,
    drop_terms: usize,
    aggregate: Aggregate,
    seed: u64,
}

impl EnsembleOptimizer {
    /// Bags `inner` over `n_models ≥ 2` bootstrap resamples of all rows.
    pub fn new(inner: impl SparseOptimizer + 'static, n_models: usize, seed: u64) -> Result<Self> {
        if n_models < 2 {
            return Err(Error::invalid_parameter("n_models", n_models, "2 or more"));
        }
        Ok(EnsembleOptimizer {
            inner: Arc::new(inner),
            n_models,
            sample_fraction: 1.0,
            drop_terms: 0,
            aggregate: Aggregate::Median,
            seed,
        })
    }

    /// Rows per resample as a fraction of all rows, in (0, 1].
    pub fn sample_fraction(mut self, fraction: f64) -> Result<Self> {
        if !(fraction > 0.0 && fraction <= 1.0) {
            return Err(Error::invalid_parameter(
                "sample_fraction",
                fraction,
                "(0, 1]",
            ));
        }
        self.sample_fraction = fraction;
        Ok(self)
    }

    /// Library ensembling: leave out this many randomly chosen terms per model.
    pub fn drop_terms(mut self, k: usize) -> Self {
        self.drop_terms = k;
        self
    }

    /// Median (default) or mean aggregation.
    pub fn aggregate(mut self, how: Aggregate) -> Self {
        self.aggregate = how;
        self
    }

    fn one_model(
        &self,
        theta: ArrayView2<'_, f64>,
        y: ArrayView2<'_, f64>,
        m: usize,
    ) -> Result<Array2<f64>> {
        let (n, p) = theta.dim();
        let mut rng =
            SplitMix64::new(self.seed ^ (m as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let rows_needed = ((self.sample_fraction * n as f64).round() as usize).max(1);
        let rows: Vec<usize> = (0..rows_needed)
            .map(|_| (rng.next_u64() % n as u64) as usize)
            .collect();
        let mut terms: Vec<usize> = (0..p).collect();
        for _ in 0..self.drop_terms.min(p.saturating_sub(1)) {
            let k = (rng.next_u64() % terms.len() as u64) as usize;
            terms.remove(k);
        }
        let sub_theta = theta.select(Axis(0), &rows).select(Axis(1), &terms);
        let sub_y = y.select(Axis(0), &rows);
        let fit = self.inner.optimize(sub_theta.view(), sub_y.view())?;
        let mut full = Array2::zeros((y.ncols(), p));
        for (k, &j) in terms.iter().enumerate() {
            full.column_mut(j).assign(&fit.coefficients.column(k));
        }
        Ok(full)
    }
}

impl SparseOptimizer for EnsembleOptimizer {
    fn optimize(&self, theta: ArrayView2<'_, f64>, y: ArrayView2<'_, f64>) -> Result<SparseFit> {
        check_problem(theta, y)?;
        let models = (0..self.n_models)
            .into_par_iter()
            .map(|m| self.one_model(theta, y, m))
            .collect::<Result<Vec<_>>>()?;
        let (t, p) = (y.ncols(), theta.ncols());
        let mut coef = Array2::zeros((t, p));
        let mut inclusion = Array2::zeros((t, p));
        let mut values = Vec::with_capacity(models.len());
        for i in 0..t {
            for j in 0..p {
                values.clear();
                values.extend(models.iter().map(|c| c[[i, j]]));
                inclusion[[i, j]] =
                    values.iter().filter(|v| v.abs() > 1e-14).count() as f64 / models.len() as f64;
                coef[[i, j]] = match self.aggregate {
                    Aggregate::Mean => values.iter().sum::<f64>() / values.len() as f64,
                    Aggregate::Median => {
                        values.sort_by(f64::total_cmp);
                        let k = values.len();
                        if !k.is_multiple_of(2) {
                            values[k / 2]
                        } else {
                            0.5 * (values[k / 2 - 1] + values[k / 2])
                        }
                    }
                };
            }
        }
        Ok(SparseFit {
            coefficients: coef,
            inclusion: Some(inclusion),
        })
    }
}
