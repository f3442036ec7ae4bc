//! Multi-fidelity co-kriging (Kennedy & O'Hagan 2000), fitted recursively
//! (Le Gratiet & Garnier 2014): level t is f_t(x) = ρ_t f_{t−1}(x) + δ_t(x),
//! with δ_t an independent GP. Each level is a GP whose mean basis contains the
//! previous level's predictive mean, so ρ_t is estimated by generalised least
//! squares together with the mean of δ_t. Designs need not be nested.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::exact::{Gp, GpParams, Predict};
use crate::robust::{FitDiagnostic, Role, noise_dominates, role};
use voltai_core::{
    Dataset, Error, Fit, Persist, Predictive, ProbabilisticRegressor, Regressor, Result,
};
use voltai_kernels::Kernel;

/// One [`GpParams`] per fidelity level, lowest (cheapest, e.g. simulation) first.
///
/// # Examples
///
/// ```
/// use ndarray::{Array2, array};
/// use voltai_core::{Dataset, Fit};
/// use voltai_gp::{CoKrigingParams, GpParams, Mean};
/// use voltai_kernels::kernels::Rbf;
///
/// // Cheap level: sin(x) on a fine grid; expensive level: exactly 2·sin(x) at 4 points.
/// let x_lo = Array2::from_shape_fn((9, 1), |(i, _)| i as f64 * 0.5);
/// let y_lo = x_lo.column(0).mapv(f64::sin);
/// let x_hi = array![[0.0], [1.0], [2.0], [3.0]];
/// let y_hi = x_hi.column(0).mapv(|v: f64| 2.0 * v.sin());
/// let params = CoKrigingParams::new(vec![
///     GpParams::new(Rbf::new(1.0)?),
///     GpParams::new(Rbf::new(1.0)?).mean(Mean::Constant),
/// ])?;
/// // One dataset per level, lowest fidelity first.
/// let model = params.fit(&[Dataset::new(x_lo, y_lo)?, Dataset::new(x_hi, y_hi)?])?;
/// assert!((model.rho()?[0] - 2.0).abs() < 1e-3);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CoKrigingParams<K> {
    levels: Vec<GpParams<K>>,
}

/// A fitted co-kriging model.
///
/// # Examples
///
/// ```
/// use ndarray::{Array2, array};
/// use voltai_core::{Dataset, Fit, Regressor};
/// use voltai_gp::{CoKrigingParams, GpParams, Mean};
/// use voltai_kernels::kernels::Rbf;
///
/// let x_lo = Array2::from_shape_fn((9, 1), |(i, _)| i as f64 * 0.5);
/// let y_lo = x_lo.column(0).mapv(f64::sin);
/// let x_hi = array![[0.0], [1.0], [2.0], [3.0]];
/// let y_hi = x_hi.column(0).mapv(|v: f64| 2.0 * v.sin());
/// let model = CoKrigingParams::new(vec![
///     GpParams::new(Rbf::new(1.0)?),
///     GpParams::new(Rbf::new(1.0)?).mean(Mean::Constant),
/// ])?
/// .fit(&[Dataset::new(x_lo, y_lo)?, Dataset::new(x_hi, y_hi)?])?;
/// assert_eq!(model.levels().len(), 2);
/// // Between the expensive points the cheap level supplies the shape.
/// let pred = model.predict(array![[1.5]].view())?;
/// assert!((pred[0] - 2.0 * 1.5f64.sin()).abs() < 1e-3);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CoKriging<K> {
    levels: Vec<Gp<K>>,
}

impl<K: Kernel + Clone> CoKrigingParams<K> {
    /// At least two levels, lowest fidelity first.
    pub fn new(levels: Vec<GpParams<K>>) -> Result<Self> {
        if levels.len() < 2 {
            return Err(Error::InvalidInput(format!(
                "co-kriging needs ≥ 2 fidelity levels, got {}",
                levels.len()
            )));
        }
        Ok(CoKrigingParams { levels })
    }
}

/// Co-kriging fits on one data set per fidelity level, lowest first.
impl<K: Kernel + Clone> Fit<[Dataset]> for CoKrigingParams<K> {
    type Model = CoKriging<K>;

    /// Fits level by level; `data[t]` holds the observations of level t.
    /// If the fit looks degenerate ([`CoKriging::diagnostics`]), every level
    /// is refitted once with more and different random restarts, and the
    /// refit is kept if it has fewer diagnostics (or as many and a higher
    /// summed likelihood); what persists stays in the diagnostics.
    fn fit(&self, data: &[Dataset]) -> Result<CoKriging<K>> {
        voltai_core::check::same_len(
            "co-kriging data sets vs levels",
            self.levels.len(),
            data.len(),
        )?;
        let first = fit_levels(&self.levels, data)?;
        let issues = first.diagnostics()?;
        if issues.is_empty() {
            return Ok(first);
        }
        let Some(more) = self
            .levels
            .iter()
            .map(GpParams::with_more_restarts)
            .collect::<Option<Vec<_>>>()
        else {
            return Ok(first);
        };
        let second = fit_levels(&more, data)?;
        let issues2 = second.diagnostics()?;
        let lml = |m: &CoKriging<K>| {
            m.levels
                .iter()
                .map(|g| g.log_marginal_likelihood())
                .sum::<f64>()
        };
        if issues2.len() < issues.len()
            || (issues2.len() == issues.len() && lml(&second) > lml(&first))
        {
            Ok(second)
        } else {
            Ok(first)
        }
    }
}

fn fit_levels<K: Kernel + Clone>(levels: &[GpParams<K>], data: &[Dataset]) -> Result<CoKriging<K>> {
    let mut fitted: Vec<Gp<K>> = Vec::with_capacity(data.len());
    for (t, (params, d)) in levels.iter().zip(data).enumerate() {
        let gp = if t == 0 {
            params.fit_with_progress(d, &mut |_| {})?
        } else {
            let prev = CoKriging {
                levels: fitted.clone(),
            };
            let mu = prev.predictive(d.features(), Predict::Latent)?.mean;
            params.fit_with_basis(d.view(), Some(mu.insert_axis(Axis(1))), &mut |_| {})?
        };
        fitted.push(gp);
    }
    Ok(CoKriging { levels: fitted })
}

impl<K: Kernel + Clone> CoKriging<K> {
    /// The per-level GPs (level t > 0 models the discrepancy δ_t).
    pub fn levels(&self) -> &[Gp<K>] {
        &self.levels
    }

    /// Signs of a degenerate fit: every level's hyperparameters at a
    /// degenerate bound, a level explaining more than a fifth of its targets'
    /// variance as noise, a ρ_t outside 0.1 … 10, and a discrepancy whose
    /// signal variance (its kernel's first `variance` hyperparameter, on the
    /// level's normalised scale where the targets have unit variance)
    /// exceeds the targets' variance. Empty for a healthy fit.
    pub fn diagnostics(&self) -> Result<Vec<FitDiagnostic>> {
        let mut out: Vec<FitDiagnostic> = self
            .levels
            .iter()
            .flat_map(|g| g.report().diagnostics.iter().cloned())
            .collect();
        for (t, g) in self.levels.iter().enumerate() {
            let (names, theta) = g.hyperparameters();
            out.extend(noise_dominates(t, &names, &theta));
        }
        for (k, rho) in self.rho()?.into_iter().enumerate() {
            if !(0.1..=10.0).contains(&rho) {
                out.push(FitDiagnostic::ImplausibleScale { level: k + 1, rho });
            }
            let kernel = self.levels[k + 1].kernel();
            let variance = kernel
                .param_names()
                .iter()
                .zip(kernel.log_params())
                .find(|(n, _)| role(n) == Role::Variance)
                .map(|(_, v)| v.exp());
            if let Some(ratio) = variance.filter(|&v| v > 1.0) {
                out.push(FitDiagnostic::DiscrepancyDominates {
                    level: k + 1,
                    ratio,
                });
            }
        }
        Ok(out)
    }

    /// The scale factors ρ_t of levels 1.. (in target units). Each
    /// discrepancy level carries ρ as its last mean coefficient; a level
    /// without one is a broken invariant, reported, not read as ρ = 0.
    pub fn rho(&self) -> Result<Vec<f64>> {
        self.levels[1..]
            .iter()
            .enumerate()
            .map(|(k, gp)| {
                gp.mean_coefficients()
                    .last()
                    .map(|r| r * gp.y_scale())
                    .ok_or_else(|| {
                        Error::internal(format!(
                            "co-kriging level {} has no ρ coefficient in its mean",
                            k + 1
                        ))
                    })
            })
            .collect()
    }
}

impl<K: Kernel + Clone> Regressor for CoKriging<K> {
    fn n_features(&self) -> usize {
        self.levels[0].n_features()
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        Ok(self.predict_dist(x)?.mean)
    }
}

impl<K: Kernel + Clone> ProbabilisticRegressor for CoKriging<K> {
    /// A new highest-fidelity observation (`predictive(x, Predict::Observation)`).
    fn predict_dist(&self, x: ArrayView2<'_, f64>) -> Result<Predictive> {
        self.predictive(x, Predict::Observation)
    }
}

impl<K: Kernel + Clone> CoKriging<K> {
    /// Highest-fidelity prediction of the quantity `of` ([`Predict`]): mean
    /// through every level, epistemic variance ρ²·var_{t−1} + var_δt (the
    /// lower levels' latent functions), aleatoric from the top level's noise.
    pub fn predictive(&self, x: ArrayView2<'_, f64>, of: Predict) -> Result<Predictive> {
        self.level_predictive(x, self.levels.len() - 1, of)
    }

    /// Prediction of fidelity `level` (0: the cheapest) from the levels up
    /// to it, as [`CoKriging::predictive`] gives the highest: what a
    /// multi-fidelity search needs to weigh a cheap run against an
    /// expensive one (how much each would teach about the top level).
    pub fn level_predictive(
        &self,
        x: ArrayView2<'_, f64>,
        level: usize,
        of: Predict,
    ) -> Result<Predictive> {
        if level >= self.levels.len() {
            return Err(Error::invalid_parameter(
                "level",
                level,
                format!("below the number of levels, {}", self.levels.len()),
            ));
        }
        let first_of = if level == 0 { of } else { Predict::Latent };
        let mut pred = self.levels[0].predict_with_extra(x, None, first_of)?;
        let rhos = self.rho()?;
        let last = level;
        for (t, (gp, rho)) in self.levels[1..=level].iter().zip(rhos).enumerate() {
            let prev_epi = pred
                .parts
                .as_ref()
                .map_or(pred.variance.clone(), |p| p.epistemic.clone());
            let extra: Array2<f64> = pred.mean.clone().insert_axis(Axis(1));
            let level_of = if t + 1 == last { of } else { Predict::Latent };
            let top = gp.predict_with_extra(x, Some(extra.view()), level_of)?;
            let parts = top
                .parts
                .ok_or_else(|| Error::numerical("co-kriging", "missing variance split"))?;
            let epistemic = &parts.epistemic + &prev_epi.mapv(|v| rho * rho * v);
            pred = Predictive::from_parts(top.mean, epistemic, parts.aleatoric)?;
        }
        Ok(pred)
    }
}

impl<K: Kernel + Serialize + serde::de::DeserializeOwned> Persist for CoKriging<K> {
    const KIND: &'static str = "voltai_gp::CoKriging";
}
