//! The Severson et al. 2019 early-life feature set, computed from the shared files.

use std::collections::BTreeSet;

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use super::cycling::{capacity_at, fade_line, max_minus_at};
use super::delta_q::DeltaQStats;
use crate::readers::{SEVERSON_NOMINAL_AH, SeversonData};
use crate::validate::{Rules, ValidationReport, validate_cycles};
use voltai_core::{Dataset, Error, Result};

/// Cells' masked (cell id, cycle) entries, e.g. from a validation report.
pub type Mask = BTreeSet<(String, u32)>;

/// The features of one cell, named as in `features_first100cycles.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeversonFeatures {
    /// Cell id.
    pub cell_id: String,
    /// log10 |var ΔQ₁₀₀₋₁₀(V)|.
    pub log10_abs_var_dq: f64,
    /// log10 |min ΔQ₁₀₀₋₁₀(V)|.
    pub log10_abs_min_dq: f64,
    /// log10 |mean ΔQ₁₀₀₋₁₀(V)|.
    pub log10_abs_mean_dq: f64,
    /// log10 |skewness ΔQ₁₀₀₋₁₀(V)|.
    pub log10_abs_skew_dq: f64,
    /// log10 |kurtosis ΔQ₁₀₀₋₁₀(V)| (Pearson).
    pub log10_abs_kurt_dq: f64,
    /// Q(2.0 V) at cycle 2, Ah.
    pub q_cycle2_ah: f64,
    /// max Q(2.0 V) over cycles 2–100 minus Q at cycle 2, Ah.
    pub q_max_minus_q2_ah: f64,
    /// Q(2.0 V) at cycle 100, Ah.
    pub q_cycle100_ah: f64,
    /// Slope of Q(2.0 V) vs cycle over cycles 2–100, Ah/cycle.
    pub fade_slope_2_100: f64,
    /// Intercept of that line, Ah.
    pub fade_intercept_2_100: f64,
    /// Slope over cycles 91–100, Ah/cycle.
    pub fade_slope_91_100: f64,
    /// Intercept of that line, Ah.
    pub fade_intercept_91_100: f64,
}

impl SeversonFeatures {
    /// Column names of [`Self::values`], as in the shared CSV.
    pub const NAMES: [&'static str; 12] = [
        "log10_abs_var_dq",
        "log10_abs_min_dq",
        "log10_abs_mean_dq",
        "log10_abs_skew_dq",
        "log10_abs_kurt_dq",
        "q_cycle2_Ah",
        "q_max_minus_q2_Ah",
        "q_cycle100_Ah",
        "fade_slope_2_100_Ah_per_cycle",
        "fade_intercept_2_100_Ah",
        "fade_slope_91_100_Ah_per_cycle",
        "fade_intercept_91_100_Ah",
    ];

    /// The paper's "variance" model features.
    pub const VARIANCE_MODEL: [&'static str; 1] = ["log10_abs_var_dq"];

    /// The paper's "discharge" model features (Severson et al. 2019,
    /// Supplementary Table 1; BatteryML's `DischargeModelFeatureExtractor`
    /// reads the same six): log10 |min|, |var|, |skewness| and |kurtosis| of
    /// ΔQ₁₀₀₋₁₀(V), Q at cycle 2 and max Q − Q₂.
    pub const DISCHARGE_MODEL: [&'static str; 6] = [
        "log10_abs_min_dq",
        "log10_abs_var_dq",
        "log10_abs_skew_dq",
        "log10_abs_kurt_dq",
        "q_cycle2_Ah",
        "q_max_minus_q2_Ah",
    ];

    /// The paper's "full" model features that the capacity curves carry:
    /// log10 |min| and |var| of ΔQ₁₀₀₋₁₀(V), the 2–100 fade line's slope and
    /// intercept, and Q at cycle 2 (the rest need resistance, charge time
    /// and temperature: [`crate::features::FeatureSet::SeversonFull`]).
    pub const FULL_MODEL_CAPACITY: [&'static str; 5] = [
        "log10_abs_min_dq",
        "log10_abs_var_dq",
        "fade_slope_2_100_Ah_per_cycle",
        "fade_intercept_2_100_Ah",
        "q_cycle2_Ah",
    ];

    /// Values in [`Self::NAMES`] order.
    pub fn values(&self) -> [f64; 12] {
        [
            self.log10_abs_var_dq,
            self.log10_abs_min_dq,
            self.log10_abs_mean_dq,
            self.log10_abs_skew_dq,
            self.log10_abs_kurt_dq,
            self.q_cycle2_ah,
            self.q_max_minus_q2_ah,
            self.q_cycle100_ah,
            self.fade_slope_2_100,
            self.fade_intercept_2_100,
            self.fade_slope_91_100,
            self.fade_intercept_91_100,
        ]
    }
}

/// The features of every cell after validation: cycles whose discharge
/// capacity is implausible for the 1.1 Ah nominal capacity (default
/// [`Rules`]) are masked out of the Q(2.0 V) features. Returns the report as
/// well, so a caller can say what was masked.
pub fn validated_severson_features(
    data: &SeversonData,
) -> Result<(Vec<SeversonFeatures>, ValidationReport)> {
    let report = validate_cycles(
        &data.cycle_summaries(),
        &|_| Some(SEVERSON_NOMINAL_AH),
        &Rules::default(),
    )?;
    Ok((severson_features(data, &report.mask())?, report))
}

/// Computes the features of every cell; entries in `mask` (cell, cycle) are
/// left out of the Q(2.0 V) features (pass an empty mask for "as stored").
pub fn severson_features(data: &SeversonData, mask: &Mask) -> Result<Vec<SeversonFeatures>> {
    data.cells
        .iter()
        .enumerate()
        .map(|(j, cell)| {
            let q10 = data.qdlin_cycle10_ah.column(j).to_vec();
            let q100 = data.qdlin_cycle100_ah.column(j).to_vec();
            let dq = DeltaQStats::between(&q10, &q100)?.log10_abs();
            let q: Vec<Option<f64>> = data
                .q_series(j)
                .iter()
                .zip(&data.cycles)
                .map(|(&v, &c)| (!mask.contains(&(cell.cell_id.clone(), c))).then_some(v))
                .collect();
            let at = |c: u32| {
                capacity_at(&data.cycles, &q, c).ok_or_else(|| {
                    Error::InvalidInput(format!("cell {}: no Q(2.0 V) at cycle {c}", cell.cell_id))
                })
            };
            let l_all = fade_line(&data.cycles, &q, 2, 100)?;
            let l_end = fade_line(&data.cycles, &q, 91, 100)?;
            Ok(SeversonFeatures {
                cell_id: cell.cell_id.clone(),
                log10_abs_var_dq: dq[0],
                log10_abs_min_dq: dq[1],
                log10_abs_mean_dq: dq[2],
                log10_abs_skew_dq: dq[3],
                log10_abs_kurt_dq: dq[4],
                q_cycle2_ah: at(2)?,
                q_max_minus_q2_ah: max_minus_at(&data.cycles, &q, 2)?,
                q_cycle100_ah: at(100)?,
                fade_slope_2_100: l_all.slope,
                fade_intercept_2_100: l_all.intercept,
                fade_slope_91_100: l_end.slope,
                fade_intercept_91_100: l_end.intercept,
            })
        })
        .collect()
}

/// A [`Dataset`] of all cells: the named feature columns, target
/// log10(cycle life), group = cell id. Row order follows `data.cells`.
pub fn severson_dataset(
    data: &SeversonData,
    features: &[SeversonFeatures],
    names: &[&str],
) -> Result<Dataset> {
    voltai_core::check::same_len("feature rows vs cells", data.cells.len(), features.len())?;
    let all: Vec<[f64; 12]> = features.iter().map(SeversonFeatures::values).collect();
    let idx = names
        .iter()
        .map(|n| {
            SeversonFeatures::NAMES
                .iter()
                .position(|m| m == n)
                .ok_or_else(|| Error::InvalidInput(format!("unknown Severson feature `{n}`")))
        })
        .collect::<Result<Vec<_>>>()?;
    let x = Array2::from_shape_fn((all.len(), idx.len()), |(i, k)| all[i][idx[k]]);
    let y: Array1<f64> = data
        .cells
        .iter()
        .map(|c| (c.cycle_life as f64).log10())
        .collect();
    let ids: Vec<&str> = data.cells.iter().map(|c| c.cell_id.as_str()).collect();
    Dataset::new(x, y)?
        .with_feature_names(names.to_vec())?
        .with_groups(&ids)
}
