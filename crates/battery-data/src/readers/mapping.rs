//! Generic CSV mapping: column → schema field (with unit), so a user's own cycler
//! export loads without code. Mappings are plain data and load from JSON:
//!
//! ```json
//! { "cell_id": "my_cell",
//!   "columns": [ { "column": "Time (h)",  "field": "TestTime" },
//!                { "column": "U",         "field": "Voltage", "unit": "mV" },
//!                { "column": "I",         "field": "Current", "unit": "mA", "negate": true } ] }
//! ```
//!
//! The unit comes from the mapping, else from the header (`Name(unit)` or
//! `Name [unit]`), else the field's stored unit.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::schema::{CycleSummary, TimeSeries, TimeSeriesRecord};
use crate::table::{Row, Table};
use crate::units::{Quantity, Unit, split_header};
use voltai_core::{Error, Result};

/// A schema field a CSV column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Field {
    /// Cell identifier (text), for files holding several cells.
    CellId,
    /// Test time (time series).
    TestTime,
    /// Cycle index (both tables).
    CycleIndex,
    /// Step index (time series).
    StepIndex,
    /// Voltage (time series).
    Voltage,
    /// Current, positive = charge (time series).
    Current,
    /// Charge capacity (both tables).
    ChargeCapacity,
    /// Discharge capacity (both tables).
    DischargeCapacity,
    /// Temperature (time series).
    Temperature,
    /// Internal resistance (cycles).
    InternalResistance,
    /// Minimum temperature of a cycle.
    TemperatureMin,
    /// Mean temperature of a cycle.
    TemperatureMean,
    /// Maximum temperature of a cycle.
    TemperatureMax,
    /// Charge time of a cycle.
    ChargeTime,
    /// Coulombic efficiency of a cycle.
    CoulombicEfficiency,
    /// End-of-charge voltage of a cycle.
    EndOfChargeVoltage,
    /// End-of-discharge voltage of a cycle.
    EndOfDischargeVoltage,
}

const N_FIELDS: usize = 17;

impl Field {
    /// The quantity the field holds (`None` for the text cell id).
    pub fn quantity(self) -> Option<Quantity> {
        use Field::*;
        Some(match self {
            CellId => return None,
            TestTime | ChargeTime => Quantity::Time,
            CycleIndex | StepIndex => Quantity::Count,
            Voltage | EndOfChargeVoltage | EndOfDischargeVoltage => Quantity::Voltage,
            Current => Quantity::Current,
            ChargeCapacity | DischargeCapacity => Quantity::Charge,
            Temperature | TemperatureMin | TemperatureMean | TemperatureMax => {
                Quantity::Temperature
            }
            InternalResistance => Quantity::Resistance,
            CoulombicEfficiency => Quantity::Ratio,
        })
    }

    fn stored_unit(self) -> &'static str {
        match self.quantity() {
            Some(Quantity::Time) => "s",
            Some(Quantity::Voltage) => "V",
            Some(Quantity::Current) => "A",
            Some(Quantity::Charge) => "Ah",
            Some(Quantity::Temperature) => "degC",
            Some(Quantity::Resistance) => "Ohm",
            Some(Quantity::Frequency) => "Hz",
            Some(Quantity::Energy) => "Wh",
            Some(Quantity::Ratio) => "1",
            Some(Quantity::Count) | None => "count",
        }
    }

    fn in_time_series(self) -> bool {
        use Field::*;
        matches!(
            self,
            CellId
                | TestTime
                | CycleIndex
                | StepIndex
                | Voltage
                | Current
                | ChargeCapacity
                | DischargeCapacity
                | Temperature
        )
    }

    fn in_cycles(self) -> bool {
        use Field::*;
        !matches!(self, TestTime | StepIndex | Voltage | Current | Temperature)
    }
}

/// One column → field assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnMap {
    /// Header text as in the file (with or without its unit suffix).
    pub column: String,
    /// Target field.
    pub field: Field,
    /// Unit symbol of the column's values; overrides a unit in the header.
    #[serde(default)]
    pub unit: Option<String>,
    /// Flip the sign (e.g. a cycler whose current is positive on discharge).
    #[serde(default)]
    pub negate: bool,
}

/// A CSV layout described as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsvMapping {
    /// Cell id for every row when no column is mapped to [`Field::CellId`].
    #[serde(default)]
    pub cell_id: Option<String>,
    /// Column assignments.
    pub columns: Vec<ColumnMap>,
}

struct Resolved {
    col: usize,
    field: Field,
    unit: Option<Unit>,
    sign: f64,
}

/// Values of one row, indexed by `Field as usize`.
struct Values {
    cell: Option<String>,
    v: [Option<f64>; N_FIELDS],
}

impl Values {
    fn get(&self, f: Field) -> Option<f64> {
        self.v[f as usize]
    }
}

impl CsvMapping {
    /// Parses a mapping from JSON text.
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| {
            Error::parse(
                "<mapping json>",
                e.line() as u64,
                e.column() as u64,
                e.to_string(),
            )
        })
    }

    fn resolve<R: Read>(
        &self,
        t: &Table<R>,
        allowed: fn(Field) -> bool,
        what: &str,
    ) -> Result<Vec<Resolved>> {
        let mut seen = BTreeMap::new();
        self.columns
            .iter()
            .map(|m| {
                if !allowed(m.field) {
                    return Err(Error::InvalidInput(format!(
                        "field {:?} (column `{}`) is not part of a {what}",
                        m.field, m.column
                    )));
                }
                if seen.insert(m.field, ()).is_some() {
                    return Err(Error::InvalidInput(format!(
                        "field {:?} is mapped twice",
                        m.field
                    )));
                }
                let col = t
                    .headers()
                    .iter()
                    .position(|h| h == &m.column || split_header(h).0 == m.column)
                    .ok_or_else(|| {
                        Error::parse(
                            t.file(),
                            1,
                            t.headers().len() as u64 + 1,
                            format!(
                                "missing column `{}` (found: {})",
                                m.column,
                                t.headers().join(", ")
                            ),
                        )
                    })?;
                let unit = match m.field.quantity() {
                    None => None,
                    Some(q) => {
                        let symbol = m
                            .unit
                            .clone()
                            .or_else(|| split_header(&t.headers()[col]).1.map(str::to_string))
                            .unwrap_or_else(|| m.field.stored_unit().to_string());
                        Some(Unit::parse_for(&symbol, q).map_err(|e| {
                            Error::parse(t.file(), 1, col as u64 + 1, e.to_string())
                        })?)
                    }
                };
                Ok(Resolved {
                    col,
                    field: m.field,
                    unit,
                    sign: if m.negate { -1.0 } else { 1.0 },
                })
            })
            .collect()
    }

    fn values(&self, row: &Row<'_>, resolved: &[Resolved]) -> Result<Values> {
        let mut out = Values {
            cell: self.cell_id.clone(),
            v: [None; N_FIELDS],
        };
        for r in resolved {
            match r.unit {
                None => out.cell = Some(row.text(r.col)?.to_string()),
                Some(u) => {
                    out.v[r.field as usize] = row.opt_num(r.col)?.map(|x| r.sign * u.to_stored(x));
                }
            }
        }
        Ok(out)
    }

    fn require(resolved: &[Resolved], fields: &[Field], have_cell: bool) -> Result<()> {
        for f in fields {
            if !resolved.iter().any(|r| r.field == *f) {
                return Err(Error::InvalidInput(format!(
                    "mapping lacks required field {f:?}"
                )));
            }
        }
        if !have_cell && !resolved.iter().any(|r| r.field == Field::CellId) {
            return Err(Error::InvalidInput(
                "mapping needs either `cell_id` or a column mapped to CellId".into(),
            ));
        }
        Ok(())
    }

    /// Reads a time-series file (one series per cell, in file order).
    pub fn read_time_series(&self, path: impl AsRef<Path>) -> Result<Vec<TimeSeries>> {
        let path = path.as_ref();
        let f = File::open(path).map_err(|e| Error::io(path, e))?;
        self.read_time_series_from(&path.display().to_string(), f)
    }

    /// Reads time-series CSV text from any reader; `name` is used in errors.
    pub fn read_time_series_from<R: Read>(&self, name: &str, reader: R) -> Result<Vec<TimeSeries>> {
        let mut t = Table::from_reader(name, reader)?;
        let resolved = self.resolve(&t, Field::in_time_series, "time series")?;
        Self::require(
            &resolved,
            &[Field::TestTime, Field::Voltage, Field::Current],
            self.cell_id.is_some(),
        )?;
        let time_col = resolved
            .iter()
            .find(|r| r.field == Field::TestTime)
            .map_or(0, |r| r.col);
        let mut out: Vec<TimeSeries> = Vec::new();
        while let Some(row) = t.next_row() {
            let row = row?;
            let v = self.values(&row, &resolved)?;
            let cell = v.cell.clone().unwrap_or_default();
            let req = |f: Field| {
                let col = resolved.iter().find(|r| r.field == f).map_or(0, |r| r.col);
                v.get(f)
                    .ok_or_else(|| row.error(col, format!("empty {f:?}")))
            };
            let index = |f: Field| -> Result<u32> {
                match v.get(f) {
                    None => Ok(0),
                    Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= u32::MAX as f64 => Ok(x as u32),
                    Some(x) => {
                        let col = resolved.iter().find(|r| r.field == f).map_or(0, |r| r.col);
                        Err(row.error(col, format!("{f:?} `{x}` is not a non-negative integer")))
                    }
                }
            };
            let rec = TimeSeriesRecord {
                test_time_s: req(Field::TestTime)?,
                timestamp_s: None,
                step_kind: Default::default(),
                cycle_index: index(Field::CycleIndex)?,
                step_index: index(Field::StepIndex)?,
                voltage_v: req(Field::Voltage)?,
                current_a: req(Field::Current)?,
                charge_capacity_ah: v.get(Field::ChargeCapacity),
                discharge_capacity_ah: v.get(Field::DischargeCapacity),
                temperature_c: v.get(Field::Temperature),
            };
            if out.last().is_none_or(|s| s.cell_id != cell) {
                if out.iter().any(|s| s.cell_id == cell) {
                    return Err(row.error(0, format!("rows of cell `{cell}` are not contiguous")));
                }
                out.push(TimeSeries {
                    cell_id: cell,
                    records: Vec::new(),
                });
            }
            let series = out
                .last_mut()
                .ok_or_else(|| row.error(0, "internal: no series"))?;
            if let Some(prev) = series.records.last()
                && rec.test_time_s < prev.test_time_s
            {
                return Err(row.error(
                    time_col,
                    format!(
                        "time is not monotonic: {} s after {} s",
                        rec.test_time_s, prev.test_time_s
                    ),
                ));
            }
            series.records.push(rec);
        }
        if out.is_empty() {
            return Err(Error::parse(name, 2, 1, "no data rows"));
        }
        Ok(out)
    }

    /// Reads a per-cycle summary file.
    pub fn read_cycles(&self, path: impl AsRef<Path>) -> Result<Vec<CycleSummary>> {
        let path = path.as_ref();
        let f = File::open(path).map_err(|e| Error::io(path, e))?;
        self.read_cycles_from(&path.display().to_string(), f)
    }

    /// Reads per-cycle CSV text from any reader; `name` is used in errors.
    pub fn read_cycles_from<R: Read>(&self, name: &str, reader: R) -> Result<Vec<CycleSummary>> {
        let mut t = Table::from_reader(name, reader)?;
        let resolved = self.resolve(&t, Field::in_cycles, "cycle table")?;
        Self::require(&resolved, &[Field::CycleIndex], self.cell_id.is_some())?;
        let cyc_col = resolved
            .iter()
            .find(|r| r.field == Field::CycleIndex)
            .map_or(0, |r| r.col);
        let mut out: Vec<CycleSummary> = Vec::new();
        while let Some(row) = t.next_row() {
            let row = row?;
            let v = self.values(&row, &resolved)?;
            let cycle = match v.get(Field::CycleIndex) {
                Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= u32::MAX as f64 => x as u32,
                other => {
                    return Err(row.error(
                        cyc_col,
                        format!("cycle index {other:?} is not a non-negative integer"),
                    ));
                }
            };
            let cell_id = v.cell.clone().unwrap_or_default();
            if let Some(prev) = out.last()
                && prev.cell_id == cell_id
                && cycle <= prev.cycle_index
            {
                return Err(row.error(
                    cyc_col,
                    format!(
                        "cycle index is not increasing: {cycle} after {}",
                        prev.cycle_index
                    ),
                ));
            }
            out.push(CycleSummary {
                cell_id,
                cycle_index: cycle,
                charge_capacity_ah: v.get(Field::ChargeCapacity),
                discharge_capacity_ah: v.get(Field::DischargeCapacity),
                internal_resistance_ohm: v.get(Field::InternalResistance),
                temperature_min_c: v.get(Field::TemperatureMin),
                temperature_mean_c: v.get(Field::TemperatureMean),
                temperature_max_c: v.get(Field::TemperatureMax),
                charge_time_s: v.get(Field::ChargeTime),
                coulombic_efficiency: v.get(Field::CoulombicEfficiency),
                end_of_charge_voltage_v: v.get(Field::EndOfChargeVoltage),
                end_of_discharge_voltage_v: v.get(Field::EndOfDischargeVoltage),
            });
        }
        if out.is_empty() {
            return Err(Error::parse(name, 2, 1, "no data rows"));
        }
        Ok(out)
    }
}

/// The mapping for an Arbin CSV export, built from the header names it finds
/// (`Test_Time`, `Test Time(s)`, `Current(A)`, `Aux_Temperature_1(C)` ...).
/// Blank columns such as `Internal_Resistance` or `Aux_Voltage` are ignored.
pub fn arbin_mapping(headers: &[String], cell_id: &str) -> CsvMapping {
    const ALIASES: [(&str, Field); 8] = [
        ("test_time", Field::TestTime),
        ("cycle_index", Field::CycleIndex),
        ("step_index", Field::StepIndex),
        ("voltage", Field::Voltage),
        ("current", Field::Current),
        ("charge_capacity", Field::ChargeCapacity),
        ("discharge_capacity", Field::DischargeCapacity),
        ("temperature", Field::Temperature),
    ];
    let mut columns = Vec::new();
    for (alias, field) in ALIASES {
        let found = headers.iter().find(|h| {
            let bare = split_header(h)
                .0
                .to_ascii_lowercase()
                .replace([' ', '-'], "_");
            bare == alias || (field == Field::Temperature && bare.starts_with("aux_temperature"))
        });
        if let Some(h) = found {
            columns.push(ColumnMap {
                column: h.clone(),
                field,
                unit: None,
                negate: false,
            });
        }
    }
    CsvMapping {
        cell_id: Some(cell_id.to_string()),
        columns,
    }
}

/// Reads a raw Arbin CSV export as one cell's time series.
pub fn read_arbin(path: impl AsRef<Path>, cell_id: &str) -> Result<TimeSeries> {
    let path = path.as_ref();
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    read_arbin_from(&path.display().to_string(), f, cell_id)
}

/// [`read_arbin`] from any reader; `name` is used in errors.
pub fn read_arbin_from<R: Read>(name: &str, reader: R, cell_id: &str) -> Result<TimeSeries> {
    // Read the header once to build the mapping, then parse the whole text.
    let mut text = Vec::new();
    let mut reader = reader;
    reader
        .read_to_end(&mut text)
        .map_err(|e| Error::io(name, e))?;
    let headers = Table::from_reader(name, text.as_slice())?
        .headers()
        .to_vec();
    let mapping = arbin_mapping(&headers, cell_id);
    let mut series = mapping.read_time_series_from(name, text.as_slice())?;
    series
        .pop()
        .ok_or_else(|| Error::parse(name, 2, 1, "no data rows"))
}
