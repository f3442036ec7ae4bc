//! One cell's history — metadata, a per-cycle summary keyed by the true
//! cycle numbers, and each cycle's time series — the type every reader
//! produces and features, models and the command line consume.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use voltai_core::{Error, Result};

use crate::cycler::CyclerFile;
use crate::features::qv::{DEFAULT_BINS, QvCurve};
use crate::schema::{CellMetadata, CycleSummary, TimeSeries, TimeSeriesRecord};

/// A cell's cycling history.
///
/// ```
/// use voltai_battery_data::{CellHistory, CellMetadata, TimeSeries, TimeSeriesRecord};
///
/// // Two cycles of 1 A charge then 1 A discharge, one hour each, sampled every 10 min.
/// let mut records = Vec::new();
/// for cycle in [1u32, 2] {
///     for k in 0..=12 {
///         let t = (cycle - 1) as f64 * 7200.0 + k as f64 * 600.0;
///         let current_a = if k < 6 { 1.0 } else { -1.0 };
///         records.push(TimeSeriesRecord {
///             test_time_s: t,
///             cycle_index: cycle,
///             voltage_v: 3.5 + 0.05 * current_a,
///             current_a,
///             ..Default::default()
///         });
///     }
/// }
/// let series = TimeSeries { cell_id: "demo".into(), records };
/// let meta = CellMetadata { cell_id: "demo".into(), ..Default::default() };
/// let history = CellHistory::from_time_series(meta, series)?;
/// assert_eq!(history.cycle_numbers(), vec![1, 2]);
/// let c1 = history.cycle(1)?;
/// assert!((c1.charge_capacity_ah.unwrap() - 5.0 / 6.0 - 1.0 / 12.0).abs() < 1e-12);
/// assert!(history.cycle(3).unwrap_err().to_string().contains("cycle 3 is missing"));
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellHistory {
    /// Who the cell is.
    pub metadata: CellMetadata,
    cycles: Vec<CycleSummary>,
    series: Option<TimeSeries>,
    cycle_rows: BTreeMap<u32, Vec<usize>>,
    curves: BTreeMap<u32, QvCurve>,
}

/// Current steps larger than this share of the cycle's largest current
/// count as pulses for the resistance estimate.
const PULSE_SHARE: f64 = 0.1;
/// Two samples further apart than this (s) do not bracket a current step
/// closely enough for a resistance.
const PULSE_MAX_DT_S: f64 = 2.0;

impl CellHistory {
    /// A history from per-cycle summaries alone (curated data sets). Cycle
    /// numbers must be unique; summaries are sorted by cycle; a summary of
    /// another cell is an error.
    pub fn from_summaries(metadata: CellMetadata, mut cycles: Vec<CycleSummary>) -> Result<Self> {
        for c in &cycles {
            if !c.cell_id.is_empty() && c.cell_id != metadata.cell_id {
                return Err(Error::InvalidInput(format!(
                    "cell {}: cycle {} belongs to cell {}",
                    metadata.cell_id, c.cycle_index, c.cell_id
                )));
            }
        }
        cycles.sort_by_key(|c| c.cycle_index);
        if let Some(w) = cycles
            .windows(2)
            .find(|w| w[0].cycle_index == w[1].cycle_index)
        {
            return Err(Error::InvalidInput(format!(
                "cell {}: cycle {} appears twice",
                metadata.cell_id, w[0].cycle_index
            )));
        }
        for c in &mut cycles {
            c.cell_id.clone_from(&metadata.cell_id);
        }
        Ok(CellHistory {
            metadata,
            cycles,
            series: None,
            cycle_rows: BTreeMap::new(),
            curves: BTreeMap::new(),
        })
    }

    /// A history from a raw time series: each cycle's summary is computed
    /// from its records (see [`summarize_cycle`]).
    pub fn from_time_series(metadata: CellMetadata, series: TimeSeries) -> Result<Self> {
        if series.records.is_empty() {
            return Err(Error::EmptyInput(format!(
                "cell {}: the time series has no records",
                metadata.cell_id
            )));
        }
        let mut cycle_rows: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for (i, r) in series.records.iter().enumerate() {
            cycle_rows.entry(r.cycle_index).or_default().push(i);
        }
        let cycles = cycle_rows
            .iter()
            .map(|(&n, rows)| {
                let records: Vec<&TimeSeriesRecord> =
                    rows.iter().map(|&i| &series.records[i]).collect();
                let mut s = summarize_cycle(&records)?;
                s.cell_id.clone_from(&metadata.cell_id);
                s.cycle_index = n;
                Ok(s)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(CellHistory {
            metadata,
            cycles,
            series: Some(series),
            cycle_rows,
            curves: BTreeMap::new(),
        })
    }

    /// The history of a cycling file read by
    /// [`read_cycler_file`](crate::cycler::read_cycler_file): the cell id is
    /// the file's, and the nominal capacity is taken from the file's
    /// metadata where it states one (`Capacity`, `SCap`, `Nominal Capacity`,
    /// in Ah). An impedance file is an error.
    pub fn from_cycler_file(file: &CyclerFile) -> Result<Self> {
        let series = file.time_series().ok_or_else(|| {
            Error::InvalidInput(format!(
                "{} holds impedance spectra, not cycling data",
                file.path
            ))
        })?;
        let nominal = file.metadata.iter().find_map(|(k, v)| {
            let key = k.trim().to_lowercase();
            let named = ["capacity", "scap", "nominal capacity", "nominal_capacity"]
                .contains(&key.trim_end_matches(':'));
            let number = v.trim().trim_end_matches("Ah").trim().replace(',', ".");
            named
                .then(|| number.parse::<f64>().ok())
                .flatten()
                .filter(|q| q.is_finite() && *q > 0.0)
        });
        let metadata = CellMetadata {
            cell_id: series.cell_id.clone(),
            nominal_capacity_ah: nominal,
            ..Default::default()
        };
        Self::from_time_series(metadata, series.clone())
    }

    /// Adds a discharge curve the source already provides (e.g. a data
    /// set's interpolated Q(V)); it takes precedence over one computed from
    /// the time series.
    pub fn with_discharge_curve(mut self, cycle: u32, curve: QvCurve) -> Self {
        self.curves.insert(cycle, curve);
        self
    }

    /// The cell's id.
    pub fn cell_id(&self) -> &str {
        &self.metadata.cell_id
    }

    /// Per-cycle summaries in cycle order.
    pub fn cycles(&self) -> &[CycleSummary] {
        &self.cycles
    }

    /// The cycle numbers present, in order (gaps stay gaps).
    pub fn cycle_numbers(&self) -> Vec<u32> {
        self.cycles.iter().map(|c| c.cycle_index).collect()
    }

    /// The summary of cycle `n`, or an error naming the cell and cycle.
    pub fn cycle(&self, n: u32) -> Result<&CycleSummary> {
        self.cycles
            .binary_search_by_key(&n, |c| c.cycle_index)
            .map(|i| &self.cycles[i])
            .map_err(|_| self.missing(n))
    }

    fn missing(&self, n: u32) -> Error {
        let last = self.cycles.last().map_or(0, |c| c.cycle_index);
        Error::InvalidInput(format!(
            "cell {}: cycle {n} is missing (the history has {} cycles, the last is {last})",
            self.cell_id(),
            self.cycles.len()
        ))
    }

    /// Discharge capacity per cycle with the true cycle numbers (`None`
    /// where a cycle has no discharge).
    pub fn discharge_capacity(&self) -> (Vec<u32>, Vec<Option<f64>>) {
        (
            self.cycle_numbers(),
            self.cycles
                .iter()
                .map(|c| c.discharge_capacity_ah)
                .collect(),
        )
    }

    /// The raw time series, when the source had one.
    pub fn time_series(&self) -> Option<&TimeSeries> {
        self.series.as_ref()
    }

    /// The records of cycle `n` in file order.
    pub fn cycle_records(&self, n: u32) -> Result<Vec<&TimeSeriesRecord>> {
        let series = self.series.as_ref().ok_or_else(|| {
            Error::InvalidInput(format!(
                "cell {}: the history holds per-cycle summaries only, no time series",
                self.cell_id()
            ))
        })?;
        let rows = self.cycle_rows.get(&n).ok_or_else(|| self.missing(n))?;
        Ok(rows.iter().map(|&i| &series.records[i]).collect())
    }

    /// The discharge curve Q(V) of cycle `n`: the one the source provided,
    /// else computed from the cycle's discharge samples (robustly, see
    /// [`QvCurve::from_samples`]) with `bins` capacity bins.
    pub fn discharge_curve(&self, n: u32, bins: usize) -> Result<QvCurve> {
        if let Some(c) = self.curves.get(&n) {
            return Ok(c.clone());
        }
        let records = self.cycle_records(n)?;
        let (v, q) = discharge_samples(&records);
        if v.len() < 4 {
            return Err(Error::InvalidInput(format!(
                "cell {}: cycle {n} has no discharge segment ({} discharge samples)",
                self.cell_id(),
                v.len()
            )));
        }
        QvCurve::from_samples(&v, &q, bins)
            .map_err(|e| Error::InvalidInput(format!("cell {}: cycle {n}: {e}", self.cell_id())))
    }

    /// [`Self::discharge_curve`] with the default binning.
    pub fn default_discharge_curve(&self, n: u32) -> Result<QvCurve> {
        self.discharge_curve(n, DEFAULT_BINS)
    }
}

/// One history per cell of `cells` from a table of per-cycle summaries of
/// many cells (as curated data sets store them), in `cells` order; a cell
/// without cycles is an error naming it.
pub fn histories_from_summaries(
    cells: &[CellMetadata],
    cycles: &[CycleSummary],
) -> Result<Vec<CellHistory>> {
    let mut by_cell: BTreeMap<&str, Vec<CycleSummary>> = BTreeMap::new();
    for c in cycles {
        by_cell
            .entry(c.cell_id.as_str())
            .or_default()
            .push(c.clone());
    }
    cells
        .iter()
        .map(|m| {
            let rows = by_cell
                .remove(m.cell_id.as_str())
                .ok_or_else(|| Error::InvalidInput(format!("cell {} has no cycles", m.cell_id)))?;
            CellHistory::from_summaries(m.clone(), rows)
        })
        .collect()
}

/// The trapezoid-rule integral over `dt` seconds, in hours (A → Ah,
/// W → Wh), of a signal going from `a` to `b`, split into its positive part
/// (charge) and its negative part as a positive number (discharge).
pub(crate) fn trapezoid_hours(a: f64, b: f64, dt: f64) -> (f64, f64) {
    (
        0.5 * (a.max(0.0) + b.max(0.0)) * dt / 3600.0,
        0.5 * ((-a).max(0.0) + (-b).max(0.0)) * dt / 3600.0,
    )
}

/// The discharge samples of one cycle: voltages and the capacity
/// discharged since the cycle's first discharge sample (trapezoid rule on
/// the current, so it does not depend on how a cycler resets its counters).
fn discharge_samples(records: &[&TimeSeriesRecord]) -> (Vec<f64>, Vec<f64>) {
    let (mut v, mut q) = (Vec::new(), Vec::new());
    let mut total = 0.0;
    let mut prev: Option<&TimeSeriesRecord> = None;
    for r in records
        .iter()
        .filter(|r| r.current_a.is_finite() && r.test_time_s.is_finite())
    {
        if let Some(p) = prev {
            let dt = r.test_time_s - p.test_time_s;
            if dt > 0.0 {
                total += trapezoid_hours(p.current_a, r.current_a, dt).1;
            }
        }
        if r.current_a < 0.0 && r.voltage_v.is_finite() {
            v.push(r.voltage_v);
            q.push(total);
        }
        prev = Some(r);
    }
    (v, q)
}

/// The summary of one cycle from its records (time order as in the file):
/// charge and discharge capacity and energy by the trapezoid rule on the
/// current (and power), so they do not depend on how a cycler resets its
/// capacity counters; coulombic efficiency; time spent charging; end
/// voltages; temperature range; and the median resistance |ΔV/ΔI| over
/// current steps (changes of more than a tenth of the cycle's largest
/// current between samples at most 2 s apart), where there are any.
/// Records with a missing (NaN) time, voltage or current are left out.
pub fn summarize_cycle(records: &[&TimeSeriesRecord]) -> Result<CycleSummary> {
    let first = records
        .first()
        .ok_or_else(|| Error::EmptyInput("a cycle with no records".into()))?;
    // Readers mark values a file leaves out (a truncated last line) as NaN:
    // such records carry no measurement to integrate.
    let records: Vec<&TimeSeriesRecord> = records
        .iter()
        .copied()
        .filter(|r| r.voltage_v.is_finite() && r.current_a.is_finite() && r.test_time_s.is_finite())
        .collect();
    if records.is_empty() {
        return Err(Error::InvalidInput(format!(
            "cycle {}: no record has a finite time, voltage and current",
            first.cycle_index
        )));
    }
    let (mut q_c, mut q_d, mut e_c, mut e_d, mut t_c) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let i_max = records
        .iter()
        .map(|r| r.current_a.abs())
        .fold(0.0, f64::max);
    let mut steps = Vec::new();
    for w in records.windows(2) {
        let (a, b) = (w[0], w[1]);
        let dt = b.test_time_s - a.test_time_s;
        if dt <= 0.0 {
            continue; // a time reset or a repeated sample
        }
        let (ia, ib) = (a.current_a, b.current_a);
        let (charged, discharged) = trapezoid_hours(ia, ib, dt);
        q_c += charged;
        q_d += discharged;
        let (energy_in, energy_out) = trapezoid_hours(a.voltage_v * ia, b.voltage_v * ib, dt);
        e_c += energy_in;
        e_d += energy_out;
        if ia > 0.0 && ib > 0.0 {
            t_c += dt;
        }
        let di = ib - ia;
        if dt <= PULSE_MAX_DT_S && i_max > 0.0 && di.abs() >= PULSE_SHARE * i_max {
            steps.push(((b.voltage_v - a.voltage_v) / di).abs());
        }
    }
    let last_of = |charge: bool| {
        records
            .iter()
            .rev()
            .find(|r| {
                if charge {
                    r.current_a > 0.0
                } else {
                    r.current_a < 0.0
                }
            })
            .map(|r| r.voltage_v)
    };
    let temps: Vec<f64> = records
        .iter()
        .filter_map(|r| r.temperature_c)
        .filter(|t| t.is_finite())
        .collect();
    let resistance = (!steps.is_empty()).then(|| {
        steps.sort_by(f64::total_cmp);
        steps[steps.len() / 2]
    });
    let positive = |v: f64| (v > 0.0).then_some(v);
    Ok(CycleSummary {
        cell_id: String::new(),
        cycle_index: first.cycle_index,
        charge_capacity_ah: positive(q_c),
        discharge_capacity_ah: positive(q_d),
        internal_resistance_ohm: resistance,
        temperature_min_c: temps.iter().copied().reduce(f64::min),
        temperature_mean_c: (!temps.is_empty())
            .then(|| temps.iter().sum::<f64>() / temps.len() as f64),
        temperature_max_c: temps.iter().copied().reduce(f64::max),
        charge_time_s: positive(t_c),
        coulombic_efficiency: (q_c > 0.0 && q_d > 0.0).then(|| q_d / q_c),
        end_of_charge_voltage_v: last_of(true),
        end_of_discharge_voltage_v: last_of(false),
        charge_energy_wh: positive(e_c),
        discharge_energy_wh: positive(e_d),
    })
}
