//! Features of any cell's history as named columns, by named feature set:
//! the route from a user's own cycling data to the models.

use serde::{Deserialize, Serialize};
use voltai_core::{Dataset, Error, Result};

use super::cycling::{capacity_at, fade_line, max_minus_at};
use super::delta_q::DeltaQStats;
use super::qv::{DEFAULT_BINS, QvCurve, voltage_grid};
use super::severson::SeversonFeatures;
use crate::history::CellHistory;

/// A named set of early-life features (Severson et al. 2019).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeatureSet {
    /// The "variance" model: log10 |var ΔQ₁₀₀₋₁₀(V)|.
    SeversonVariance,
    /// The "discharge" model: ΔQ minimum, variance, skewness and kurtosis,
    /// Q at cycle 2 and max Q − Q₂.
    SeversonDischarge,
    /// The "full" model's features that per-cycle summaries carry: ΔQ
    /// minimum and variance, the 2–100 fade line, Q at cycle 2, the minimum
    /// resistance over cycles 2–100, its change from cycle 2 to 100, and
    /// the mean charge time of cycles 2–6.
    /// (The paper's temperature integral needs temperatures the shared files
    /// do not have; it is left out rather than guessed.)
    SeversonFull,
    /// All twelve ΔQ and capacity-fade features, in the order of
    /// `features_first100cycles.csv`.
    SeversonAll,
}

/// The twelve names of `features_first100cycles.csv`, in its order.
const ALL: [&str; 12] = SeversonFeatures::NAMES;

/// The full set: the full model's capacity features first, then resistance
/// and charge time.
const FULL: [&str; 8] = {
    let d = SeversonFeatures::FULL_MODEL_CAPACITY;
    [
        d[0],
        d[1],
        d[2],
        d[3],
        d[4],
        "min_resistance_2_100_ohm",
        "resistance_cycle100_minus_cycle2_ohm",
        "mean_charge_time_2_6_s",
    ]
};

impl FeatureSet {
    /// Every set, for listings.
    pub const ALL: [FeatureSet; 4] = [
        FeatureSet::SeversonVariance,
        FeatureSet::SeversonDischarge,
        FeatureSet::SeversonFull,
        FeatureSet::SeversonAll,
    ];

    /// The column names, in order.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            FeatureSet::SeversonVariance => &SeversonFeatures::VARIANCE_MODEL,
            FeatureSet::SeversonDischarge => &SeversonFeatures::DISCHARGE_MODEL,
            FeatureSet::SeversonFull => &FULL,
            FeatureSet::SeversonAll => &ALL,
        }
    }

    /// The set's name on the command line (`severson-discharge`, …).
    pub fn label(self) -> &'static str {
        match self {
            FeatureSet::SeversonVariance => "severson-variance",
            FeatureSet::SeversonDischarge => "severson-discharge",
            FeatureSet::SeversonFull => "severson-full",
            FeatureSet::SeversonAll => "severson-all",
        }
    }

    /// The set with this [`label`](Self::label).
    pub fn from_label(label: &str) -> Result<Self> {
        FeatureSet::ALL
            .into_iter()
            .find(|s| s.label() == label)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "unknown feature set `{label}` (known: {})",
                    FeatureSet::ALL.map(FeatureSet::label).join(", ")
                ))
            })
    }
}

/// How ΔQ(V) is taken between two cycles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeltaQOptions {
    /// The earlier cycle (Severson: 10).
    pub early: u32,
    /// The later cycle (Severson: 100).
    pub late: u32,
    /// The voltage grid; `None`: 1000 points over the voltage range both
    /// curves cover, 0.5 % of it trimmed at each end.
    pub grid_v: Option<Vec<f64>>,
    /// Capacity bins of the robust Q(V) fit from raw samples.
    pub bins: usize,
}

impl Default for DeltaQOptions {
    fn default() -> Self {
        DeltaQOptions {
            early: 10,
            late: 100,
            grid_v: None,
            bins: DEFAULT_BINS,
        }
    }
}

/// One cell's features with their names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedFeatures {
    /// The cell.
    pub cell_id: String,
    /// Column names.
    pub names: Vec<String>,
    /// Values, one per name.
    pub values: Vec<f64>,
}

impl NamedFeatures {
    /// The value of `name`.
    pub fn get(&self, name: &str) -> Result<f64> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| self.values[i])
            .ok_or_else(|| {
                Error::InvalidInput(format!("cell {}: no feature named `{name}`", self.cell_id))
            })
    }

    /// The values of `names`, in that order (a model's training order).
    pub fn select(&self, names: &[impl AsRef<str>]) -> Result<Vec<f64>> {
        names.iter().map(|n| self.get(n.as_ref())).collect()
    }
}

/// Rows of named features as a [`Dataset`] (features only; groups = cell
/// ids). Every row must have the same names in the same order.
pub fn features_dataset(rows: &[NamedFeatures]) -> Result<Dataset> {
    let first = rows
        .first()
        .ok_or_else(|| Error::EmptyInput("no feature rows".into()))?;
    if let Some(r) = rows.iter().find(|r| r.names != first.names) {
        return Err(Error::InvalidInput(format!(
            "cell {} has features {:?}, cell {} has {:?}",
            r.cell_id, r.names, first.cell_id, first.names
        )));
    }
    let x =
        ndarray::Array2::from_shape_fn((rows.len(), first.names.len()), |(i, j)| rows[i].values[j]);
    let ids: Vec<&str> = rows.iter().map(|r| r.cell_id.as_str()).collect();
    Dataset::unsupervised(x)?
        .with_feature_names(first.names.clone())?
        .with_groups(&ids)
}

/// ΔQ(V) = Q_late(V) − Q_early(V) statistics of a history. Curves that the
/// source gives on one common grid are compared point by point (so the
/// shared Severson files reproduce their published features); otherwise
/// both curves are evaluated on `options.grid_v` or the default grid.
pub fn delta_q(history: &CellHistory, options: &DeltaQOptions) -> Result<DeltaQStats> {
    let curve = qdlinear(history, options)?;
    DeltaQStats::between(&vec![0.0; curve.delta_q_ah.len()], &curve.delta_q_ah)
        .map_err(|e| Error::InvalidInput(format!("cell {}: {e}", history.cell_id())))
}

/// The curve ΔQ(V) = Q_late(V) − Q_early(V) itself on a voltage grid:
/// BatteryML's "QdLinear" feature (Q₁₀₀(V) − Q₁₀(V) with the default
/// options), the input of PLS, PCR and the neural models of the cycle-life
/// benchmark. [`delta_q`] summarises the same curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QdLinear {
    /// The grid, V (decreasing when it comes from a discharge).
    pub voltage_v: Vec<f64>,
    /// ΔQ at each grid voltage, Ah.
    pub delta_q_ah: Vec<f64>,
}

impl QdLinear {
    /// Every `step`-th grid point, starting with the first (`step ≥ 1`).
    pub fn every(&self, step: usize) -> Result<QdLinear> {
        if step == 0 {
            return Err(Error::invalid_parameter("step", 0, "[1, inf)"));
        }
        Ok(QdLinear {
            voltage_v: self.voltage_v.iter().step_by(step).copied().collect(),
            delta_q_ah: self.delta_q_ah.iter().step_by(step).copied().collect(),
        })
    }

    /// The curve as named features, `dq_<voltage>V` (four decimals).
    pub fn named(&self, cell_id: &str) -> NamedFeatures {
        NamedFeatures {
            cell_id: cell_id.to_string(),
            names: self
                .voltage_v
                .iter()
                .map(|v| format!("dq_{v:.4}V"))
                .collect(),
            values: self.delta_q_ah.clone(),
        }
    }
}

/// [`QdLinear`] of a history: the two discharge curves point by point when
/// the source gives them on one common grid, otherwise on `options.grid_v`
/// or the default grid (see [`DeltaQOptions`]).
pub fn qdlinear(history: &CellHistory, options: &DeltaQOptions) -> Result<QdLinear> {
    let early = history.discharge_curve(options.early, options.bins)?;
    let late = history.discharge_curve(options.late, options.bins)?;
    let (grid, qe, ql) = match &options.grid_v {
        None if early.voltage_v == late.voltage_v => (
            early.voltage_v.clone(),
            early.q_ah.clone(),
            late.q_ah.clone(),
        ),
        grid => {
            let grid = match grid {
                Some(g) => g.clone(),
                None => overlap_grid(&early, &late)
                    .map_err(|e| Error::InvalidInput(format!("cell {}: {e}", history.cell_id())))?,
            };
            let at = |c: &QvCurve, n: u32| {
                c.q_at(&grid).map_err(|e| {
                    Error::InvalidInput(format!("cell {}: cycle {n}: {e}", history.cell_id()))
                })
            };
            let (qe, ql) = (at(&early, options.early)?, at(&late, options.late)?);
            (grid, qe, ql)
        }
    };
    voltai_core::check::same_len("Q(V) curves", qe.len(), ql.len())?;
    Ok(QdLinear {
        voltage_v: grid,
        delta_q_ah: ql.iter().zip(&qe).map(|(b, a)| b - a).collect(),
    })
}

pub(super) fn overlap_grid(a: &QvCurve, b: &QvCurve) -> Result<Vec<f64>> {
    let (a_lo, a_hi) = a.voltage_range();
    let (b_lo, b_hi) = b.voltage_range();
    let (lo, hi) = (a_lo.max(b_lo), a_hi.min(b_hi));
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return Err(Error::InvalidInput(format!(
            "the two discharge curves share no voltage range ([{a_lo}, {a_hi}] V vs [{b_lo}, {b_hi}] V)"
        )));
    }
    let trim = 0.005 * (hi - lo);
    voltage_grid(hi - trim, lo + trim, 1000)
}

/// The features of `set` for one cell. Errors name the cell and the cycle
/// that is missing or unusable.
pub fn cell_features(
    history: &CellHistory,
    set: FeatureSet,
    options: &DeltaQOptions,
) -> Result<NamedFeatures> {
    let id = history.cell_id();
    let (cycles, q) = history.discharge_capacity();
    let dq = delta_q(history, options)?.log10_abs();
    let need_fade = set != FeatureSet::SeversonVariance;
    let mut values = std::collections::BTreeMap::new();
    for (k, name) in ALL[..5].iter().enumerate() {
        values.insert(*name, dq[k]);
    }
    if need_fade {
        let at = |c: u32| {
            capacity_at(&cycles, &q, c).ok_or_else(|| {
                Error::InvalidInput(format!(
                    "cell {id}: cycle {c} is missing or has no discharge capacity"
                ))
            })
        };
        let named = |e: Error| Error::InvalidInput(format!("cell {id}: {e}"));
        let l_all = fade_line(&cycles, &q, 2, 100).map_err(named)?;
        let l_end = fade_line(&cycles, &q, 91, 100).map_err(named)?;
        values.insert("q_cycle2_Ah", at(2)?);
        values.insert(
            "q_max_minus_q2_Ah",
            max_minus_at(&cycles, &q, 2).map_err(named)?,
        );
        values.insert("q_cycle100_Ah", at(100)?);
        values.insert("fade_slope_2_100_Ah_per_cycle", l_all.slope);
        values.insert("fade_intercept_2_100_Ah", l_all.intercept);
        values.insert("fade_slope_91_100_Ah_per_cycle", l_end.slope);
        values.insert("fade_intercept_91_100_Ah", l_end.intercept);
    }
    if set == FeatureSet::SeversonFull {
        let resistance = |c: u32| {
            history.cycle(c)?.internal_resistance_ohm.ok_or_else(|| {
                Error::InvalidInput(format!(
                    "cell {id}: cycle {c} has no resistance (no current steps and none stored)"
                ))
            })
        };
        let in_range: Vec<f64> = history
            .cycles()
            .iter()
            .filter(|c| (2..=100).contains(&c.cycle_index))
            .filter_map(|c| c.internal_resistance_ohm)
            .collect();
        let min_r = in_range.iter().copied().reduce(f64::min).ok_or_else(|| {
            Error::InvalidInput(format!("cell {id}: no resistance in cycles 2–100"))
        })?;
        values.insert("min_resistance_2_100_ohm", min_r);
        values.insert(
            "resistance_cycle100_minus_cycle2_ohm",
            resistance(100)? - resistance(2)?,
        );
        let times = (2..=6)
            .map(|c| {
                history.cycle(c)?.charge_time_s.ok_or_else(|| {
                    Error::InvalidInput(format!("cell {id}: cycle {c} has no charge time"))
                })
            })
            .collect::<Result<Vec<f64>>>()?;
        values.insert("mean_charge_time_2_6_s", times.iter().sum::<f64>() / 5.0);
    }
    let names = set.names();
    let values = names
        .iter()
        .map(|n| {
            values
                .get(n)
                .copied()
                .ok_or_else(|| Error::internal(format!("feature `{n}` was not computed")))
        })
        .collect::<Result<Vec<f64>>>()?;
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidInput(format!(
            "cell {id}: feature `{}` is {} (ΔQ(V) or the fade line is degenerate)",
            names[i], values[i]
        )));
    }
    Ok(NamedFeatures {
        cell_id: id.to_string(),
        names: names.iter().map(|n| n.to_string()).collect(),
        values,
    })
}
