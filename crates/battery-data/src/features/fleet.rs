//! Per-cell features from time-series rows that arrive in pieces: row
//! groups, query partitions, executors of a cluster. Each accumulator takes
//! rows in any order, merges with another exactly, and gives the same
//! features whatever the split, so a streaming scan, a DataFusion aggregate
//! and a Ballista job agree to the last bit.
//!
//! The features, from the exported columns (no integration of current):
//! - capacity of a cycle = its largest `discharge_capacity_ah`;
//! - fade slope = least-squares slope of capacity on cycle number, every
//!   cycle ([`fade_line`]);
//! - cycle life = the first cycle below `eol_fraction` of the first
//!   cycle's capacity ([`cycle_life`]; censored when none is);
//! - ΔQ variance = variance of Q_late(V) − Q_early(V), each curve built
//!   from the cycle's discharge rows (current < 0) by
//!   [`QvCurve::from_samples`] and compared on the shared voltage range, as
//!   [`qdlinear`](super::qdlinear) does.
//!
//! ```
//! use voltai_battery_data::features::{CapacityByCycle, CycleLife};
//!
//! let mut a = CapacityByCycle::default();
//! let mut b = CapacityByCycle::default();
//! for cycle in 1..=10u32 {
//!     let q = 1.0 - 0.03 * f64::from(cycle);
//!     // Two partitions, each with half of every cycle's rows.
//!     a.push(cycle, q)?;
//!     b.push(cycle, q - 0.01)?;
//! }
//! a.merge(&b);
//! let fade = a.fade(0.8)?;
//! assert!((fade.fade_slope_ah_per_cycle + 0.03).abs() < 1e-12);
//! // 0.97 · 0.8 = 0.776: cycle 8 (0.76) is the first below it.
//! assert_eq!(fade.cycle_life, CycleLife::Reached(8));
//! # Ok::<(), voltai_core::Error>(())
//! ```

use std::collections::BTreeMap;

use voltai_core::{Error, Result};

use super::cycling::{CycleLife, cycle_life, fade_line};
use super::delta_q::DeltaQStats;
use super::named::overlap_grid;
use super::qv::QvCurve;

/// Largest discharge capacity of each cycle, from rows in any order.
#[derive(Debug, Clone, Default)]
pub struct CapacityByCycle {
    capacity: BTreeMap<u32, f64>,
    /// The cycle being read and its largest capacity so far: a cell's rows
    /// usually come cycle by cycle, so the map is touched once per cycle.
    current: Option<(u32, f64)>,
}

/// Fade features of one cell (see the [module](self) docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FadeFeatures {
    /// Number of cycles with a capacity.
    pub cycles: usize,
    /// Capacity of the first cycle, Ah (the end-of-life reference).
    pub first_capacity_ah: f64,
    /// Least-squares slope of capacity on cycle number, Ah per cycle.
    pub fade_slope_ah_per_cycle: f64,
    /// First cycle below the end-of-life fraction of the first capacity.
    pub cycle_life: CycleLife,
}

impl CapacityByCycle {
    /// Adds one row; a non-finite capacity is an error (a missing one is
    /// the caller's to skip).
    pub fn push(&mut self, cycle: u32, discharge_capacity_ah: f64) -> Result<()> {
        if !discharge_capacity_ah.is_finite() {
            return Err(Error::NonFinite {
                context: format!("discharge capacity of cycle {cycle}"),
                index: vec![],
                value: discharge_capacity_ah,
            });
        }
        match &mut self.current {
            Some((c, best)) if *c == cycle => *best = best.max(discharge_capacity_ah),
            _ => {
                self.flush();
                self.current = Some((cycle, discharge_capacity_ah));
            }
        }
        Ok(())
    }

    /// Adds rows given as columns (no missing capacities): a tight loop
    /// over runs of one cycle, for streaming scans of large fleets.
    pub fn extend(&mut self, cycles: &[u32], discharge_capacity_ah: &[f64]) -> Result<()> {
        voltai_core::check::same_len(
            "capacities vs cycles",
            cycles.len(),
            discharge_capacity_ah.len(),
        )?;
        if let Some(i) = discharge_capacity_ah.iter().position(|q| !q.is_finite()) {
            return Err(Error::NonFinite {
                context: format!("discharge capacity of cycle {}", cycles[i]),
                index: vec![],
                value: discharge_capacity_ah[i],
            });
        }
        let mut start = 0;
        while start < cycles.len() {
            let cycle = cycles[start];
            let run = cycles[start..]
                .iter()
                .position(|&c| c != cycle)
                .unwrap_or(cycles.len() - start);
            let best = discharge_capacity_ah[start..start + run]
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            self.push(cycle, best)?;
            start += run;
        }
        Ok(())
    }

    fn flush(&mut self) {
        if let Some((c, q)) = self.current.take() {
            insert_max(&mut self.capacity, c, q);
        }
    }

    /// Takes in another accumulator's cycles (max per cycle, so the order
    /// of merges does not matter).
    pub fn merge(&mut self, other: &CapacityByCycle) {
        self.flush();
        for (c, q) in other.per_cycle() {
            insert_max(&mut self.capacity, c, q);
        }
    }

    /// (cycle, capacity) in cycle order.
    pub fn per_cycle(&self) -> Vec<(u32, f64)> {
        let mut map = self.capacity.clone();
        if let Some((c, q)) = self.current {
            insert_max(&mut map, c, q);
        }
        map.into_iter().collect()
    }

    /// Number of cycles seen.
    pub fn len(&self) -> usize {
        let current_is_new = self
            .current
            .is_some_and(|(c, _)| !self.capacity.contains_key(&c));
        self.capacity.len() + usize::from(current_is_new)
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.capacity.is_empty() && self.current.is_none()
    }

    /// The fade features; `eol_fraction` in (0, 1]. Fewer than two cycles
    /// is an error.
    pub fn fade(&self, eol_fraction: f64) -> Result<FadeFeatures> {
        let (cycles, q): (Vec<u32>, Vec<f64>) = self.per_cycle().into_iter().unzip();
        let (&first_cycle, &last_cycle) = match (cycles.first(), cycles.last()) {
            (Some(a), Some(b)) => (a, b),
            _ => return Err(Error::EmptyInput("fade features of no cycles".into())),
        };
        let q: Vec<Option<f64>> = q.into_iter().map(Some).collect();
        let first_capacity_ah = q[0].unwrap_or(f64::NAN);
        let line = fade_line(&cycles, &q, first_cycle, last_cycle)?;
        Ok(FadeFeatures {
            cycles: cycles.len(),
            first_capacity_ah,
            fade_slope_ah_per_cycle: line.slope,
            cycle_life: cycle_life(&cycles, &q, first_capacity_ah, eol_fraction)?,
        })
    }
}

fn insert_max(map: &mut BTreeMap<u32, f64>, cycle: u32, q: f64) {
    let e = map.entry(cycle).or_insert(q);
    *e = e.max(q);
}

/// One cycle's kept rows: (voltage in V, discharged capacity in Ah).
pub type DischargeRows = [(f64, f64)];

/// The discharge rows (voltage, discharged capacity) of two cycles, for
/// ΔQ(V) between them.
#[derive(Debug, Clone)]
pub struct DischargeSamples {
    early_cycle: u32,
    late_cycle: u32,
    early: Vec<(f64, f64)>,
    late: Vec<(f64, f64)>,
}

impl DischargeSamples {
    /// Keeps the discharge rows of `early_cycle` and `late_cycle`
    /// (different cycles; Severson's are 10 and 100).
    pub fn new(early_cycle: u32, late_cycle: u32) -> Result<Self> {
        if early_cycle == late_cycle {
            return Err(Error::invalid_parameter(
                "late_cycle",
                late_cycle,
                "a cycle other than early_cycle",
            ));
        }
        Ok(DischargeSamples {
            early_cycle,
            late_cycle,
            early: Vec::new(),
            late: Vec::new(),
        })
    }

    /// The two cycles compared.
    pub fn cycles(&self) -> (u32, u32) {
        (self.early_cycle, self.late_cycle)
    }

    /// Adds one row: kept when its cycle is one of the two and it
    /// discharges (current < 0). Non-finite values in a kept row are an
    /// error.
    pub fn push(
        &mut self,
        cycle: u32,
        voltage_v: f64,
        current_a: f64,
        discharge_capacity_ah: f64,
    ) -> Result<()> {
        let target = if cycle == self.early_cycle {
            &mut self.early
        } else if cycle == self.late_cycle {
            &mut self.late
        } else {
            return Ok(());
        };
        // Rest, charge, or an unreadable current: not a discharge row.
        if current_a.is_nan() || current_a >= 0.0 {
            return Ok(());
        }
        for (what, v) in [
            ("voltage", voltage_v),
            ("discharge capacity", discharge_capacity_ah),
        ] {
            if !v.is_finite() {
                return Err(Error::NonFinite {
                    context: format!("{what} of cycle {cycle}"),
                    index: vec![],
                    value: v,
                });
            }
        }
        target.push((voltage_v, discharge_capacity_ah));
        Ok(())
    }

    /// Takes in another accumulator's rows; its cycles must be the same.
    pub fn merge(&mut self, other: &DischargeSamples) -> Result<()> {
        if other.cycles() != self.cycles() {
            return Err(Error::InvalidInput(format!(
                "ΔQ(V) of cycles {:?} cannot merge rows kept for cycles {:?}",
                self.cycles(),
                other.cycles()
            )));
        }
        self.early.extend_from_slice(&other.early);
        self.late.extend_from_slice(&other.late);
        Ok(())
    }

    /// The kept (voltage, capacity) rows of the early and the late cycle.
    pub fn samples(&self) -> (&DischargeRows, &DischargeRows) {
        (&self.early, &self.late)
    }

    /// ΔQ(V) statistics; each curve has at most `bins` points.
    pub fn delta_q(&self, bins: usize) -> Result<DeltaQStats> {
        let curve = |rows: &[(f64, f64)], cycle: u32| -> Result<QvCurve> {
            // Rows may arrive in any order: sort them so ties in capacity
            // bin the same way whatever the split.
            let mut rows = rows.to_vec();
            rows.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)));
            let (v, q): (Vec<f64>, Vec<f64>) = rows.into_iter().unzip();
            QvCurve::from_samples(&v, &q, bins).map_err(|e| match e {
                // Too little data stays "too little data", with its cycle.
                Error::EmptyInput(m) => Error::EmptyInput(format!("cycle {cycle}: {m}")),
                e => Error::InvalidInput(format!("cycle {cycle}: {e}")),
            })
        };
        let early = curve(&self.early, self.early_cycle)?;
        let late = curve(&self.late, self.late_cycle)?;
        let grid = overlap_grid(&early, &late)?;
        DeltaQStats::between(&early.q_at(&grid)?, &late.q_at(&grid)?)
    }
}

/// What the fleet features compute, with validated setters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FleetFeatureOptions {
    eol_fraction: f64,
    delta_q: Option<(u32, u32)>,
    bins: usize,
}

impl Default for FleetFeatureOptions {
    /// End of life at 80 % of the first capacity; ΔQ(V) between cycles 10
    /// and 100 (Severson 2019) with [`QvCurve::from_samples`]' default bins.
    fn default() -> Self {
        FleetFeatureOptions {
            eol_fraction: 0.8,
            delta_q: Some((10, 100)),
            bins: super::qv::DEFAULT_BINS,
        }
    }
}

impl FleetFeatureOptions {
    /// End of life as a fraction of the first cycle's capacity, in (0, 1].
    pub fn eol_fraction(mut self, fraction: f64) -> Result<Self> {
        if !(fraction > 0.0 && fraction <= 1.0) {
            return Err(Error::invalid_parameter("eol_fraction", fraction, "(0, 1]"));
        }
        self.eol_fraction = fraction;
        Ok(self)
    }

    /// ΔQ(V) between these two cycles, or none (`None`: the feature is not
    /// computed and its rows are not kept).
    pub fn delta_q_cycles(mut self, cycles: Option<(u32, u32)>) -> Result<Self> {
        if let Some((early, late)) = cycles {
            DischargeSamples::new(early, late)?;
        }
        self.delta_q = cycles;
        Ok(self)
    }

    /// Largest number of points of each Q(V) curve (≥ 2).
    pub fn bins(mut self, bins: usize) -> Result<Self> {
        if bins < 2 {
            return Err(Error::invalid_parameter("bins", bins, "2 or more"));
        }
        self.bins = bins;
        Ok(self)
    }

    /// The end-of-life fraction.
    pub fn get_eol_fraction(&self) -> f64 {
        self.eol_fraction
    }

    /// The ΔQ(V) cycles, if the feature is computed.
    pub fn get_delta_q_cycles(&self) -> Option<(u32, u32)> {
        self.delta_q
    }

    /// The largest number of points of a Q(V) curve.
    pub fn get_bins(&self) -> usize {
        self.bins
    }
}

/// The fleet features of one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellFleetFeatures {
    /// The cell.
    pub cell_id: String,
    /// Fade features.
    pub fade: FadeFeatures,
    /// Variance of ΔQ(V), Ah²; `None` when not asked for or when the cell
    /// has no discharge rows in one of the two cycles (not yet cycled that
    /// far).
    pub delta_q_variance: Option<f64>,
}

/// Everything one cell's rows contribute to its [`CellFleetFeatures`].
#[derive(Debug, Clone)]
pub struct CellAccumulator {
    capacity: CapacityByCycle,
    discharge: Option<DischargeSamples>,
}

impl CellAccumulator {
    /// An empty accumulator for `options`.
    pub fn new(options: &FleetFeatureOptions) -> Result<Self> {
        Ok(CellAccumulator {
            capacity: CapacityByCycle::default(),
            discharge: options
                .delta_q
                .map(|(early, late)| DischargeSamples::new(early, late))
                .transpose()?,
        })
    }

    /// Adds one row; a missing (`None`) capacity is skipped.
    pub fn push(
        &mut self,
        cycle: u32,
        voltage_v: f64,
        current_a: f64,
        discharge_capacity_ah: Option<f64>,
    ) -> Result<()> {
        let Some(q) = discharge_capacity_ah else {
            return Ok(());
        };
        self.capacity.push(cycle, q)?;
        if let Some(d) = &mut self.discharge {
            d.push(cycle, voltage_v, current_a, q)?;
        }
        Ok(())
    }

    /// Adds rows given as columns with no missing capacity (`voltage_v`
    /// and `current_a` may be empty when ΔQ(V) is not computed): the fast
    /// path of [`Self::push`], same result.
    pub fn extend(
        &mut self,
        cycles: &[u32],
        voltage_v: &[f64],
        current_a: &[f64],
        discharge_capacity_ah: &[f64],
    ) -> Result<()> {
        self.capacity.extend(cycles, discharge_capacity_ah)?;
        if let Some(d) = &mut self.discharge {
            voltai_core::check::same_len("voltages vs cycles", voltage_v.len(), cycles.len())?;
            voltai_core::check::same_len("currents vs cycles", current_a.len(), cycles.len())?;
            let (early, late) = d.cycles();
            for (i, &c) in cycles.iter().enumerate() {
                if c == early || c == late {
                    d.push(c, voltage_v[i], current_a[i], discharge_capacity_ah[i])?;
                }
            }
        }
        Ok(())
    }

    /// Takes in another accumulator of the same options (checked before
    /// anything is merged).
    pub fn merge(&mut self, other: &CellAccumulator) -> Result<()> {
        match (&mut self.discharge, &other.discharge) {
            (Some(a), Some(b)) => {
                if a.cycles() != b.cycles() {
                    return Err(Error::InvalidInput(format!(
                        "ΔQ(V) of cycles {:?} cannot merge rows kept for cycles {:?}",
                        a.cycles(),
                        b.cycles()
                    )));
                }
                a.merge(b)?;
            }
            (None, None) => {}
            _ => {
                return Err(Error::InvalidInput(
                    "cannot merge accumulators with and without ΔQ(V)".into(),
                ));
            }
        }
        self.capacity.merge(&other.capacity);
        Ok(())
    }

    /// The features of `cell_id`; errors name the cell.
    pub fn features(
        &self,
        cell_id: &str,
        options: &FleetFeatureOptions,
    ) -> Result<CellFleetFeatures> {
        let named = |e: Error| Error::InvalidInput(format!("cell {cell_id}: {e}"));
        let fade = self.capacity.fade(options.eol_fraction).map_err(named)?;
        let delta_q_variance = match &self.discharge {
            Some(d) => delta_q_variance(d, options.bins).map_err(named)?,
            None => None,
        };
        Ok(CellFleetFeatures {
            cell_id: cell_id.to_string(),
            fade,
            delta_q_variance,
        })
    }
}

/// ΔQ(V) variance, or `None` when a cycle has too few discharge rows to
/// form a curve (none, or fewer than four, or no capacity span: a cell not
/// yet cycled that far, or a cycle still running at export). Rows that
/// form no proper curve (the voltage does not fall) are an error.
pub fn delta_q_variance(samples: &DischargeSamples, bins: usize) -> Result<Option<f64>> {
    let (early, late) = samples.samples();
    if early.is_empty() || late.is_empty() {
        return Ok(None);
    }
    match samples.delta_q(bins) {
        Ok(s) => Ok(Some(s.variance)),
        Err(Error::EmptyInput(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
