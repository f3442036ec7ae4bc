//! The shipped early-life model: a fitted elastic net on named Severson
//! features, its scaler, a split-conformal interval, the training domain
//! and provenance, in one versioned file compiled into the crate.

use ndarray::Array2;
use serde::{Deserialize, Serialize};
use voltai_battery_data::CellHistory;
use voltai_battery_data::features::{DeltaQOptions, FeatureSet, NamedFeatures, cell_features};
use voltai_core::conformal::ConformalRegressor;
use voltai_core::persist::Persist;
use voltai_core::{Error, FittedStandardScaler, Result};
use voltai_discovery::LinearModel;

/// Where the model was trained: predictions outside it carry warnings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingDomain {
    /// Chemistry of the training cells, e.g. "LFP/graphite".
    pub chemistry: String,
    /// Words that identify that chemistry in a cell's metadata.
    pub chemistry_aliases: Vec<String>,
    /// Nominal capacity of the training cells, Ah.
    pub nominal_capacity_ah: f64,
    /// The cycling protocol in words.
    pub protocol: String,
    /// Per feature (model order): the training minimum and maximum.
    pub feature_ranges: Vec<(f64, f64)>,
    /// Shortest and longest cycle life among the training cells.
    pub cycle_life_range: (f64, f64),
}

/// Where the model came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The data set and its reference.
    pub data: String,
    /// Its licence.
    pub licence: String,
    /// How the model was fitted (split, cross-validation, chosen α and ρ).
    pub fitting: String,
    /// How the interval was calibrated.
    pub calibration: String,
    /// Cells used for fitting and for calibration.
    pub cells: (usize, usize),
}

/// A cycle-life model on early-life features.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EarlyLifeModel {
    /// Model name, e.g. `severson2019_discharge`.
    pub name: String,
    /// The feature set it reads.
    pub feature_set: FeatureSet,
    /// Feature names in the order the model was trained on.
    pub feature_names: Vec<String>,
    /// Standardisation fitted on the training cells.
    pub scaler: FittedStandardScaler,
    /// The elastic net on standardised features, predicting log10(cycle
    /// life), wrapped with its split-conformal half-width (in log10 cycles).
    pub model: ConformalRegressor<LinearModel>,
    /// The training domain.
    pub domain: TrainingDomain,
    /// Data, licence and fitting record.
    pub provenance: Provenance,
}

impl Persist for EarlyLifeModel {
    const KIND: &'static str = "voltai_life::EarlyLifeModel";
}

/// A cycle-life prediction for one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LifePrediction {
    /// The cell.
    pub cell_id: String,
    /// The model that predicted.
    pub model: String,
    /// Predicted cycle life (cycles to 80 % of nominal capacity).
    pub cycle_life: f64,
    /// The interval at the model's coverage (e.g. 90 %), in cycles.
    pub interval: (f64, f64),
    /// Nominal coverage of `interval`.
    pub coverage: f64,
    /// The features the prediction used.
    pub features: NamedFeatures,
    /// Why the prediction may not apply (outside the training domain).
    pub warnings: Vec<String>,
}

const DISCHARGE_JSON: &str = include_str!("../models/severson2019_discharge.json");
const VARIANCE_JSON: &str = include_str!("../models/severson2019_variance.json");

impl EarlyLifeModel {
    /// Severson et al. 2019's "discharge" model refitted on the public data
    /// (see [`crate::severson::fit_severson_model`] and the file's
    /// provenance).
    pub fn severson2019_discharge() -> Result<Self> {
        Self::from_json(DISCHARGE_JSON)
    }

    /// Severson et al. 2019's "variance" model (one feature).
    pub fn severson2019_variance() -> Result<Self> {
        Self::from_json(VARIANCE_JSON)
    }

    /// A shipped model by name (`severson2019_discharge`, `severson2019_variance`).
    pub fn shipped(name: &str) -> Result<Self> {
        match name {
            "severson2019_discharge" => Self::severson2019_discharge(),
            "severson2019_variance" => Self::severson2019_variance(),
            _ => Err(Error::InvalidInput(format!(
                "no shipped model `{name}` (known: severson2019_discharge, severson2019_variance)"
            ))),
        }
    }

    /// Predicts from already computed features: they must carry the
    /// model's feature names (order does not matter; the model reorders).
    pub fn predict_features(&self, features: &NamedFeatures) -> Result<(f64, (f64, f64))> {
        let values = features.select(&self.feature_names)?;
        let x = Array2::from_shape_vec((1, values.len()), values)
            .map_err(|e| Error::internal(e.to_string()))?;
        let z = self.scaler.transform(x.view())?;
        let interval = self.model.predict_interval(z.view())?;
        Ok((
            10f64.powf(interval.prediction[0]),
            (10f64.powf(interval.lower[0]), 10f64.powf(interval.upper[0])),
        ))
    }

    /// Features of `history` (cycles 2–100 and the curves of cycles 10 and
    /// 100), the prediction with its interval, and warnings where the cell
    /// lies outside the training domain.
    pub fn predict(&self, history: &CellHistory) -> Result<LifePrediction> {
        let features = cell_features(history, self.feature_set, &DeltaQOptions::default())?;
        let (cycle_life, interval) = self.predict_features(&features)?;
        let mut warnings = self.domain_warnings(history, &features)?;
        let (lo, hi) = self.domain.cycle_life_range;
        if cycle_life < 0.5 * lo || cycle_life > 1.5 * hi {
            warnings.push(format!(
                "predicted life {cycle_life:.0} is far outside the training lives {lo:.0}–{hi:.0}"
            ));
        }
        Ok(LifePrediction {
            cell_id: history.cell_id().to_string(),
            model: self.name.clone(),
            cycle_life,
            interval,
            coverage: 1.0 - self.model.alpha(),
            features,
            warnings,
        })
    }

    fn domain_warnings(&self, history: &CellHistory, f: &NamedFeatures) -> Result<Vec<String>> {
        let d = &self.domain;
        let mut out = Vec::new();
        match history.metadata.chemistry.as_deref() {
            None => out.push(format!(
                "chemistry unknown: the model was trained on {} cells only",
                d.chemistry
            )),
            Some(c) => {
                let lower = c.to_lowercase();
                if !d
                    .chemistry_aliases
                    .iter()
                    .any(|a| lower.contains(a.as_str()))
                {
                    out.push(format!(
                        "chemistry `{c}` differs from the training chemistry {}",
                        d.chemistry
                    ));
                }
            }
        }
        match history.metadata.nominal_capacity_ah {
            Some(q) if (q / d.nominal_capacity_ah - 1.0).abs() > 0.2 => out.push(format!(
                "nominal capacity {q} Ah differs from the training cells' {} Ah; \
                 capacity features are in Ah",
                d.nominal_capacity_ah
            )),
            None => out.push(format!(
                "nominal capacity unknown (training cells: {} Ah)",
                d.nominal_capacity_ah
            )),
            _ => {}
        }
        for (name, (lo, hi)) in self.feature_names.iter().zip(&d.feature_ranges) {
            let v = f.get(name)?;
            let margin = 0.1 * (hi - lo);
            if v < lo - margin || v > hi + margin {
                out.push(format!(
                    "feature `{name}` = {v:.4} is outside the training range [{lo:.4}, {hi:.4}]"
                ));
            }
        }
        Ok(out)
    }
}
