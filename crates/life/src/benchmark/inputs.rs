//! The benchmark's inputs: each Severson cell's features (three sets) and
//! cycle life, and BatteryML's splits.

use ndarray::{Array1, Array2};
use voltai_battery_data::features::{DeltaQOptions, FeatureSet, cell_features, qdlinear};
use voltai_battery_data::readers::{SeversonData, SeversonSplit};
use voltai_core::{Error, Result};

use crate::severson::severson_histories;

/// Which features a model reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// None: the training mean.
    Nothing,
    /// log10 |var ΔQ₁₀₀₋₁₀(V)| (Severson's "variance" model).
    Variance,
    /// Severson's six "discharge" features, glitches masked.
    Discharge,
    /// QdLinear, ΔQ₁₀₀₋₁₀(V), every 10th of the 1000 grid points.
    QdLinear,
}

impl Input {
    /// A short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Input::Nothing => "-",
            Input::Variance => "variance",
            Input::Discharge => "discharge",
            Input::QdLinear => "QdLinear",
        }
    }
}

/// Columns of [`Input::Discharge`].
pub(crate) const DISCHARGE_FEATURES: usize = 6;

/// Grid points kept of the 1000: the curve is smooth at this spacing
/// (16 mV), and ten times fewer columns keep the tree ensembles and the
/// GP fast.
pub const QDLINEAR_STEP: usize = 10;

/// Every cell's features and life, and the three evaluation sets.
pub(crate) struct Inputs {
    pub life: Array1<f64>,
    pub train: Vec<usize>,
    /// The primary test cells without the shortest-lived one (BatteryML's
    /// MATR1 drops cell b2c1, that cell).
    pub matr1: Vec<usize>,
    /// The secondary test cells.
    pub matr2: Vec<usize>,
    variance: Array2<f64>,
    discharge: Array2<f64>,
    qdlinear: Array2<f64>,
}

impl Inputs {
    pub(crate) fn of(data: &SeversonData) -> Result<Self> {
        let (histories, _) = severson_histories(data)?;
        let options = DeltaQOptions::default();
        let named = |set: FeatureSet| -> Result<Array2<f64>> {
            let names = set.names();
            let rows = histories
                .iter()
                .map(|h| cell_features(h, set, &options)?.select(names))
                .collect::<Result<Vec<_>>>()?;
            Ok(Array2::from_shape_fn(
                (rows.len(), names.len()),
                |(i, k)| rows[i][k],
            ))
        };
        let curves = histories
            .iter()
            .map(|h| qdlinear(h, &options)?.every(QDLINEAR_STEP))
            .collect::<Result<Vec<_>>>()?;
        let width = curves.first().map_or(0, |c| c.delta_q_ah.len());
        if curves.iter().any(|c| c.delta_q_ah.len() != width) {
            return Err(Error::InvalidInput(
                "the cells' QdLinear curves have different lengths".into(),
            ));
        }
        let qdlinear =
            Array2::from_shape_fn((curves.len(), width), |(i, k)| curves[i].delta_q_ah[k]);
        let life: Array1<f64> = data.cells.iter().map(|c| c.cycle_life as f64).collect();
        let primary = data.split_rows(SeversonSplit::PrimaryTest);
        let shortest = primary
            .iter()
            .copied()
            .min_by(|&a, &b| life[a].total_cmp(&life[b]))
            .ok_or_else(|| Error::EmptyInput("no primary test cells".into()))?;
        let discharge = named(FeatureSet::SeversonDischarge)?;
        if discharge.ncols() != DISCHARGE_FEATURES {
            return Err(Error::internal(format!(
                "the discharge set has {} features, the benchmark expects {DISCHARGE_FEATURES}",
                discharge.ncols()
            )));
        }
        Ok(Inputs {
            train: data.split_rows(SeversonSplit::Train),
            matr1: primary.into_iter().filter(|&i| i != shortest).collect(),
            matr2: data.split_rows(SeversonSplit::SecondaryTest),
            variance: named(FeatureSet::SeversonVariance)?,
            discharge,
            qdlinear,
            life,
        })
    }

    /// The feature matrix of `input` (one column of zeros for `Nothing`).
    pub(crate) fn features(&self, input: Input) -> Array2<f64> {
        match input {
            Input::Nothing => Array2::zeros((self.life.len(), 1)),
            Input::Variance => self.variance.clone(),
            Input::Discharge => self.discharge.clone(),
            Input::QdLinear => self.qdlinear.clone(),
        }
    }
}
