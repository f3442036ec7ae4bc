//! Physical-plausibility checks that locate each problem and can mask it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cycler::{CyclerData, CyclerFile};
use crate::features::Mask;
use crate::schema::{CycleSummary, TimeSeries};
use voltai_core::{Error, Result};

/// Thresholds of the plausibility checks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    /// A capacity above `factor ×` the reference capacity (nominal, or the
    /// cell's median when no nominal is known) is implausible.
    pub max_capacity_factor: f64,
    /// Plausible Coulombic efficiency range, as fractions. Above 1 by more than
    /// cycler error, or far below 1, a cycle's charge accounting is broken.
    pub coulombic_efficiency: (f64, f64),
    /// Plausible terminal-voltage range, volts.
    pub voltage_v: (f64, f64),
    /// Plausible cell-temperature range, °C.
    pub temperature_c: (f64, f64),
    /// Largest plausible |current| as a C-rate of the nominal capacity, when
    /// the capacity is known (30 C covers power cells in pulse tests).
    pub max_c_rate: f64,
    /// Largest plausible |current| in amperes when no capacity is known
    /// (large-format cells reach a few hundred A; mA read as A reach thousands).
    pub max_current_a: f64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            max_capacity_factor: 1.5,
            coulombic_efficiency: (0.90, 1.02),
            voltage_v: (0.0, 5.5),
            temperature_c: (-60.0, 150.0),
            max_c_rate: 30.0,
            max_current_a: 1000.0,
        }
    }
}

/// One implausible value, located.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    /// Cell the value belongs to.
    pub cell_id: String,
    /// Cycle number, for per-cycle data.
    pub cycle: Option<u32>,
    /// Record index (0-based), for time series.
    pub record: Option<usize>,
    /// Schema field name.
    pub field: String,
    /// The value found.
    pub value: f64,
    /// Why it is implausible.
    pub reason: String,
    /// `file:line` (or `file:record N` for binary files), where known.
    #[serde(default)]
    pub location: Option<String>,
}

/// All issues found by a validation pass.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ValidationReport {
    /// Issues in data order.
    pub issues: Vec<Issue>,
}

impl ValidationReport {
    /// True when nothing was found.
    pub fn is_clean(&self) -> bool {
        self.issues.is_empty()
    }

    /// The (cell, cycle) pairs to leave out of cycle-based features.
    pub fn mask(&self) -> Mask {
        self.issues
            .iter()
            .filter_map(|i| i.cycle.map(|c| (i.cell_id.clone(), c)))
            .collect()
    }

    /// Sets every flagged per-cycle field to `None` (masking), returning how many were masked.
    pub fn apply_to_cycles(&self, cycles: &mut [CycleSummary]) -> usize {
        let mut n = 0;
        for c in cycles.iter_mut() {
            for i in self
                .issues
                .iter()
                .filter(|i| i.cell_id == c.cell_id && i.cycle == Some(c.cycle_index))
            {
                let slot = match i.field.as_str() {
                    "discharge_capacity_ah" => &mut c.discharge_capacity_ah,
                    "charge_capacity_ah" => &mut c.charge_capacity_ah,
                    "coulombic_efficiency" => &mut c.coulombic_efficiency,
                    _ => continue,
                };
                if slot.take().is_some() {
                    n += 1;
                }
            }
        }
        n
    }
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

/// Checks per-cycle data. `nominal_ah` gives each cell's nominal capacity where known.
pub fn validate_cycles(
    cycles: &[CycleSummary],
    nominal_ah: &dyn Fn(&str) -> Option<f64>,
    rules: &Rules,
) -> Result<ValidationReport> {
    if rules.max_capacity_factor.is_nan() || rules.max_capacity_factor <= 1.0 {
        return Err(Error::invalid_parameter(
            "max_capacity_factor",
            rules.max_capacity_factor,
            "(1, inf)",
        ));
    }
    let mut by_cell: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for c in cycles {
        for q in [c.discharge_capacity_ah, c.charge_capacity_ah]
            .into_iter()
            .flatten()
        {
            by_cell.entry(&c.cell_id).or_default().push(q);
        }
    }
    let reference: BTreeMap<&str, f64> = by_cell
        .into_iter()
        .filter_map(|(cell, mut v)| {
            nominal_ah(cell)
                .or_else(|| median(&mut v))
                .map(|r| (cell, r))
        })
        .collect();
    let mut report = ValidationReport::default();
    let mut push = |c: &CycleSummary, field: &str, value: f64, reason: String| {
        report.issues.push(Issue {
            cell_id: c.cell_id.clone(),
            cycle: Some(c.cycle_index),
            record: None,
            field: field.into(),
            value,
            reason,
            location: None,
        })
    };
    for c in cycles {
        let r = reference.get(c.cell_id.as_str()).copied();
        for (field, q) in [
            ("discharge_capacity_ah", c.discharge_capacity_ah),
            ("charge_capacity_ah", c.charge_capacity_ah),
        ] {
            let Some(q) = q else { continue };
            if q < 0.0 {
                push(c, field, q, "negative capacity".into());
            } else if let Some(r) = r.filter(|&r| q > rules.max_capacity_factor * r) {
                push(
                    c,
                    field,
                    q,
                    format!(
                        "{q} Ah exceeds {} × reference {r} Ah",
                        rules.max_capacity_factor
                    ),
                );
            }
        }
        if let Some(ce) = c.coulombic_efficiency {
            let (lo, hi) = rules.coulombic_efficiency;
            if !(lo..=hi).contains(&ce) {
                push(
                    c,
                    "coulombic_efficiency",
                    ce,
                    format!("outside plausible range [{lo}, {hi}]"),
                );
            }
        }
    }
    Ok(report)
}

/// Checks a raw time series: repeated or decreasing time (with both values),
/// voltage and temperature ranges, and a current implausible for the cell
/// (above `max_c_rate` × `nominal_ah` when the capacity is known, above
/// `max_current_a` otherwise). Exact duplicate records can be dropped first
/// with [`TimeSeries::drop_exact_duplicates`].
pub fn validate_time_series(
    ts: &TimeSeries,
    nominal_ah: Option<f64>,
    rules: &Rules,
) -> Result<ValidationReport> {
    if let Some(q) = nominal_ah
        && !(q.is_finite() && q > 0.0)
    {
        return Err(Error::invalid_parameter("nominal_ah", q, "(0, inf)"));
    }
    if !(rules.max_c_rate > 0.0 && rules.max_current_a > 0.0) {
        return Err(Error::InvalidInput(
            "max_c_rate and max_current_a must be positive".into(),
        ));
    }
    let mut report = ValidationReport::default();
    let mut push = |k: usize, field: &str, value: f64, reason: String| {
        report.issues.push(Issue {
            cell_id: ts.cell_id.clone(),
            cycle: None,
            record: Some(k),
            field: field.into(),
            value,
            reason,
            location: None,
        })
    };
    let max_current = nominal_ah.map_or(rules.max_current_a, |q| rules.max_c_rate * q);
    for (k, r) in ts.records.iter().enumerate() {
        if k > 0 {
            let prev = ts.records[k - 1].test_time_s;
            if r.test_time_s < prev {
                push(
                    k,
                    "test_time_s",
                    r.test_time_s,
                    format!("time goes backwards: {} s after {prev} s", r.test_time_s),
                );
            } else if r.test_time_s == prev {
                push(
                    k,
                    "test_time_s",
                    r.test_time_s,
                    format!("time repeats: {} s after {prev} s", r.test_time_s),
                );
            }
        }
        let (vlo, vhi) = rules.voltage_v;
        for (field, v) in [("voltage_v", r.voltage_v), ("current_a", r.current_a)] {
            if v.is_nan() {
                push(
                    k,
                    field,
                    v,
                    "not measured (the record was cut short)".into(),
                );
            }
        }
        if !r.voltage_v.is_nan() && !(vlo..=vhi).contains(&r.voltage_v) {
            push(
                k,
                "voltage_v",
                r.voltage_v,
                format!("outside [{vlo}, {vhi}] V"),
            );
        }
        if r.current_a.abs() > max_current {
            let why = match nominal_ah {
                Some(q) => format!(
                    "|I| above {} C of the nominal {q} Ah ({max_current} A): a unit error?",
                    rules.max_c_rate
                ),
                None => format!("|I| above {max_current} A: a unit error?"),
            };
            push(k, "current_a", r.current_a, why);
        }
        if let Some(t) = r.temperature_c {
            let (tlo, thi) = rules.temperature_c;
            if !(tlo..=thi).contains(&t) {
                push(k, "temperature_c", t, format!("outside [{tlo}, {thi}] °C"));
            }
        }
    }
    Ok(report)
}

/// [`validate_time_series`] for a file read by [`crate::cycler::read_cycler_file`]:
/// each issue is located at its file and line (text) or record (binary).
pub fn validate_cycler_file(
    file: &CyclerFile,
    nominal_ah: Option<f64>,
    rules: &Rules,
) -> Result<ValidationReport> {
    let CyclerData::TimeSeries { series, origins } = &file.data else {
        return Ok(ValidationReport::default());
    };
    let mut report = validate_time_series(series, nominal_ah, rules)?;
    let binary = file.format.is_binary();
    for issue in &mut report.issues {
        if let Some(o) = issue.record.and_then(|k| origins.get(k)) {
            issue.location = Some(if binary {
                format!("{}:record {o}", file.path)
            } else {
                format!("{}:{o}", file.path)
            });
        }
    }
    Ok(report)
}
