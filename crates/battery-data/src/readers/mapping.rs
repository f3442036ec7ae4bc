//! Generic CSV mapping: column → schema field (with unit), so a user's own cycler
//! export loads without code. Mappings are plain data and load from JSON:
//!
//! ```json
//! { "cell_id": "my_cell",
//!   "delimiter": ";", "decimal_comma": true, "encoding": "windows-1252", "skip_lines": 2,
//!   "columns": [ { "column": "Time (h)",  "field": "TestTime" },
//!                { "column": "U",         "field": "Voltage", "unit": "mV" },
//!                { "column": "I",         "field": "Current", "unit": "mA" } ],
//!   "current_sign": { "column": "Mode", "charge": ["C"], "discharge": ["D"] } }
//! ```
//!
//! A quantity's unit comes from the mapping, else from the header (`Name(unit)`
//! or `Name [unit]`); a quantity with neither is an error, because guessing is
//! how `3345 V` and `1100 A` load without complaint. Times may be numbers in
//! their unit, clock durations (`144:02:18`, `00:01:28.129`) or date-times
//! (counted from the first record). Lines that are not UTF-8 are decoded with
//! `encoding` (any WHATWG label: `windows-1252`, `latin1`, `gbk`, `shift_jis`).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cycler::text::{Lines, field, parse_number, split_fields};
use crate::cycler::time::{DateTimeParser, parse_clock};
use crate::schema::{CycleSummary, TimeSeries, TimeSeriesRecord};
use crate::units::{Quantity, Unit, split_header};
use voltai_core::{Error, Result};

/// A schema field a CSV column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Field {
    /// Cell identifier (text), for files holding several cells.
    CellId,
    /// Test time (time series): a number in its unit, a clock duration or a date-time.
    TestTime,
    /// Wall-clock date-time of a record (text, or Unix seconds when numeric).
    Timestamp,
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

const N_FIELDS: usize = 18;

impl Field {
    /// The quantity the field holds (`None` for the text cell id and timestamp).
    pub fn quantity(self) -> Option<Quantity> {
        use Field::*;
        Some(match self {
            CellId | Timestamp => return None,
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

    fn in_time_series(self) -> bool {
        use Field::*;
        matches!(
            self,
            CellId
                | TestTime
                | Timestamp
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
        !matches!(
            self,
            TestTime | Timestamp | StepIndex | Voltage | Current | Temperature
        )
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

impl ColumnMap {
    /// A column feeding `field`, unit from the header.
    pub fn new(column: &str, field: Field) -> Self {
        ColumnMap {
            column: column.into(),
            field,
            unit: None,
            negate: false,
        }
    }

    /// Sets the unit of the column's values.
    pub fn unit(mut self, unit: &str) -> Self {
        self.unit = Some(unit.into());
        self
    }
}

/// The current's direction written in a separate column (Maccor's `C`/`D`
/// state, a `Mode` column): the current is made positive on charge states and
/// negative on discharge states; other states keep the current as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignFromColumn {
    /// Header of the state column.
    pub column: String,
    /// States meaning charge (compared without case).
    pub charge: Vec<String>,
    /// States meaning discharge.
    pub discharge: Vec<String>,
}

/// A CSV layout described as data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CsvMapping {
    /// Cell id for every row when no column is mapped to [`Field::CellId`].
    #[serde(default)]
    pub cell_id: Option<String>,
    /// Column assignments.
    pub columns: Vec<ColumnMap>,
    /// Field delimiter (default `,`); `\t` for tab-separated files.
    #[serde(default)]
    pub delimiter: Option<char>,
    /// Numbers written with a decimal comma (`3,71`); needs a delimiter other than `,`.
    #[serde(default)]
    pub decimal_comma: bool,
    /// Encoding of lines that are not valid UTF-8 (default Windows-1252).
    #[serde(default)]
    pub encoding: Option<String>,
    /// Lines to skip before the header (a preamble).
    #[serde(default)]
    pub skip_lines: usize,
    /// Take the current's sign from a state column.
    #[serde(default)]
    pub current_sign: Option<SignFromColumn>,
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

/// The header and the data lines of a mapped file.
struct MappedFile<R> {
    lines: Lines<BufReader<R>>,
    headers: Vec<String>,
    delimiter: u8,
    decimal_comma: bool,
    ranges: Vec<(usize, usize)>,
    dates: DateTimeParser,
    stamps: DateTimeParser,
    first_date: Option<f64>,
}

/// One data line, located.
struct Row<'a> {
    file: &'a str,
    line: u64,
    text: &'a str,
    ranges: &'a [(usize, usize)],
    decimal_comma: bool,
}

impl Row<'_> {
    fn error(&self, col: usize, message: impl Into<String>) -> Error {
        Error::parse(self.file, self.line, col as u64 + 1, message)
    }

    fn text(&self, col: usize) -> Result<&str> {
        self.ranges
            .get(col)
            .map(|&r| field(self.text, r))
            .ok_or_else(|| self.error(col, "row is shorter than the header"))
    }

    fn opt_num(&self, col: usize) -> Result<Option<f64>> {
        let t = self.text(col)?;
        parse_number(t, self.decimal_comma)
            .map_err(|()| self.error(col, format!("`{t}` is not a finite number")))
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

    fn open<R: Read>(&self, name: &str, reader: R) -> Result<MappedFile<R>> {
        let delimiter = self.delimiter.unwrap_or(',');
        if !delimiter.is_ascii() || delimiter == '"' || delimiter == '\n' {
            return Err(Error::invalid_parameter(
                "delimiter",
                delimiter,
                "one ASCII character other than a quote or newline",
            ));
        }
        if self.decimal_comma && delimiter == ',' {
            return Err(Error::InvalidInput(
                "decimal_comma needs a delimiter other than `,` (usually `;` or a tab)".into(),
            ));
        }
        let encoding = match &self.encoding {
            None => encoding_rs::WINDOWS_1252,
            Some(label) => {
                encoding_rs::Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
                    Error::invalid_parameter("encoding", label, "a WHATWG encoding label")
                })?
            }
        };
        let mut lines = Lines::new(name, BufReader::new(reader), encoding);
        for _ in 0..self.skip_lines {
            if lines.next_line()?.is_none() {
                return Err(Error::parse(
                    name,
                    lines.line(),
                    1,
                    "file ends in its preamble",
                ));
            }
        }
        let header = lines
            .next_line()?
            .map(str::to_string)
            .ok_or_else(|| Error::parse(name, lines.line() + 1, 1, "missing header row"))?;
        let mut ranges = Vec::new();
        split_fields(&header, delimiter as u8, &mut ranges);
        let headers: Vec<String> = ranges
            .iter()
            .map(|&r| field(&header, r).to_string())
            .collect();
        if headers.iter().all(String::is_empty) {
            return Err(Error::parse(name, lines.line(), 1, "missing header row"));
        }
        Ok(MappedFile {
            lines,
            headers,
            delimiter: delimiter as u8,
            decimal_comma: self.decimal_comma,
            ranges,
            dates: DateTimeParser::default(),
            stamps: DateTimeParser::default(),
            first_date: None,
        })
    }

    fn column_index<R>(&self, t: &MappedFile<R>, column: &str) -> Result<usize> {
        t.headers
            .iter()
            .position(|h| h == column || split_header(h).0 == column)
            .ok_or_else(|| {
                Error::parse(
                    t.lines.file(),
                    1 + self.skip_lines as u64,
                    t.headers.len() as u64 + 1,
                    format!(
                        "missing column `{column}` (found: {})",
                        t.headers.join(", ")
                    ),
                )
            })
    }

    fn resolve<R>(
        &self,
        t: &MappedFile<R>,
        allowed: fn(Field) -> bool,
        what: &str,
    ) -> Result<Vec<Resolved>> {
        let header_line = 1 + self.skip_lines as u64;
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
                let col = self.column_index(t, &m.column)?;
                let at =
                    |msg: String| Error::parse(t.lines.file(), header_line, col as u64 + 1, msg);
                let unit = match m.field.quantity() {
                    None => None,
                    Some(Quantity::Count) => {
                        Some(Unit::parse("count").map_err(|e| at(e.to_string()))?)
                    }
                    Some(q) => {
                        let header_unit = split_header(&t.headers[col]).1;
                        let symbol = match (&m.unit, header_unit) {
                            (Some(u), _) => u.clone(),
                            (None, Some(u)) if q == Quantity::Time && u.contains("hh:mm") => {
                                "s".into()
                            }
                            (None, Some(u)) => u.to_string(),
                            // Clock or date-time text carries its own unit; a
                            // number in this column is refused row by row.
                            (None, None) if m.field == Field::TestTime => {
                                return Ok(Resolved {
                                    col,
                                    field: m.field,
                                    unit: None,
                                    sign: 1.0,
                                });
                            }
                            (None, None) => {
                                return Err(at(format!(
                                    "column `{}` ({:?}) has no unit: give one in the mapping \
                                     (`\"unit\": \"...\"`) or the header (`Name (unit)`)",
                                    m.column, m.field
                                )));
                            }
                        };
                        Some(Unit::parse_for(&symbol, q).map_err(|e| at(e.to_string()))?)
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

    fn values(
        &self,
        row: &Row<'_>,
        resolved: &[Resolved],
        dates: &mut DateTimeParser,
        stamps: &mut DateTimeParser,
        first_date: &mut Option<f64>,
    ) -> Result<Values> {
        let mut out = Values {
            cell: self.cell_id.clone(),
            v: [None; N_FIELDS],
        };
        for r in resolved {
            match (r.field, r.unit) {
                (Field::CellId, _) => out.cell = Some(row.text(r.col)?.to_string()),
                (Field::Timestamp, _) => {
                    let t = row.text(r.col)?;
                    out.v[r.field as usize] = match parse_number(t, self.decimal_comma) {
                        // Unix seconds; anything outside 1973–2096 (an Excel
                        // serial day, a packed date) is refused, not misread.
                        Ok(Some(v)) if !(1e8..4e9).contains(&v) => {
                            return Err(row.error(
                                r.col,
                                format!("`{t}` is not a Unix time in seconds (1973–2096)"),
                            ));
                        }
                        Ok(v) => v,
                        Err(()) => Some(stamps.parse(t).ok_or_else(|| {
                            row.error(r.col, format!("`{t}` is not a date-time"))
                        })?),
                    };
                }
                (Field::TestTime, _) if row.text(r.col)?.contains(':') => {
                    let t = row.text(r.col)?;
                    let secs = match parse_clock(t) {
                        Some(s) => s,
                        None => {
                            let d = dates.parse(t).ok_or_else(|| {
                                row.error(
                                    r.col,
                                    format!("`{t}` is neither a duration nor a date-time"),
                                )
                            })?;
                            d - *first_date.get_or_insert(d)
                        }
                    };
                    out.v[r.field as usize] = Some(secs);
                }
                (_, Some(u)) => {
                    out.v[r.field as usize] = row.opt_num(r.col)?.map(|x| r.sign * u.to_stored(x));
                }
                (Field::TestTime, None) => {
                    if row.opt_num(r.col)?.is_some() {
                        return Err(row.error(
                            r.col,
                            "a number of seconds, hours...? The time column has no unit: give \
                             one in the mapping or the header",
                        ));
                    }
                }
                (_, None) => {
                    return Err(Error::internal("a quantity field resolved without a unit"));
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

    /// Calls `f` with every non-blank data line and its mapped values.
    fn each_row<R: Read>(
        &self,
        t: &mut MappedFile<R>,
        resolved: &[Resolved],
        mut f: impl FnMut(&Row<'_>, Values) -> Result<()>,
    ) -> Result<()> {
        let MappedFile {
            lines,
            delimiter,
            decimal_comma,
            ranges,
            dates,
            stamps,
            first_date,
            ..
        } = t;
        let file = lines.file().to_string();
        while let Some((n, text)) = lines.next_numbered()? {
            if text.trim().is_empty() {
                continue;
            }
            split_fields(text, *delimiter, ranges);
            let row = Row {
                file: &file,
                line: n,
                text,
                ranges,
                decimal_comma: *decimal_comma,
            };
            let v = self.values(&row, resolved, dates, stamps, first_date)?;
            f(&row, v)?;
        }
        Ok(())
    }

    /// Reads a time-series file (one series per cell, in file order).
    pub fn read_time_series(&self, path: impl AsRef<Path>) -> Result<Vec<TimeSeries>> {
        let path = path.as_ref();
        let f = File::open(path).map_err(|e| Error::io(path, e))?;
        self.read_time_series_from(&path.display().to_string(), f)
    }

    /// Reads a time-series file as one [`CellHistory`](crate::CellHistory)
    /// per cell (summaries computed from the records), in file order.
    pub fn read_histories(&self, path: impl AsRef<Path>) -> Result<Vec<crate::CellHistory>> {
        self.read_time_series(path)?
            .into_iter()
            .map(|series| {
                let metadata = crate::CellMetadata {
                    cell_id: series.cell_id.clone(),
                    ..Default::default()
                };
                crate::CellHistory::from_time_series(metadata, series)
            })
            .collect()
    }

    /// Reads time-series CSV text from any reader; `name` is used in errors.
    pub fn read_time_series_from<R: Read>(&self, name: &str, reader: R) -> Result<Vec<TimeSeries>> {
        let mut t = self.open(name, reader)?;
        let resolved = self.resolve(&t, Field::in_time_series, "time series")?;
        Self::require(
            &resolved,
            &[Field::TestTime, Field::Voltage, Field::Current],
            self.cell_id.is_some(),
        )?;
        let sign_col = match &self.current_sign {
            Some(s) => Some((self.column_index(&t, &s.column)?, s)),
            None => None,
        };
        let time_col = resolved
            .iter()
            .find(|r| r.field == Field::TestTime)
            .map_or(0, |r| r.col);
        let mut out: Vec<TimeSeries> = Vec::new();
        self.each_row(&mut t, &resolved, |row, v| {
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
            let mut current_a = req(Field::Current)?;
            if let Some((col, s)) = sign_col {
                let state = row.text(col)?;
                if s.charge.iter().any(|c| c.eq_ignore_ascii_case(state)) {
                    current_a = current_a.abs();
                } else if s.discharge.iter().any(|c| c.eq_ignore_ascii_case(state)) {
                    current_a = -current_a.abs();
                }
            }
            let rec = TimeSeriesRecord {
                test_time_s: req(Field::TestTime)?,
                timestamp_s: v.get(Field::Timestamp),
                step_kind: Default::default(),
                cycle_index: index(Field::CycleIndex)?,
                step_index: index(Field::StepIndex)?,
                voltage_v: req(Field::Voltage)?,
                current_a,
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
                .ok_or_else(|| Error::internal("a series was pushed just above"))?;
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
            Ok(())
        })?;
        if out.is_empty() {
            return Err(Error::parse(
                name,
                2 + self.skip_lines as u64,
                1,
                "no data rows",
            ));
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
        let mut t = self.open(name, reader)?;
        let resolved = self.resolve(&t, Field::in_cycles, "cycle table")?;
        Self::require(&resolved, &[Field::CycleIndex], self.cell_id.is_some())?;
        let cyc_col = resolved
            .iter()
            .find(|r| r.field == Field::CycleIndex)
            .map_or(0, |r| r.col);
        let mut out: Vec<CycleSummary> = Vec::new();
        self.each_row(&mut t, &resolved, |row, v| {
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
                ..Default::default()
            });
            Ok(())
        })?;
        if out.is_empty() {
            return Err(Error::parse(name, 2, 1, "no data rows"));
        }
        Ok(out)
    }
}

/// Reads a raw Arbin CSV export as one cell's time series (the
/// [`crate::cycler`] Arbin reader, with the cell id given).
pub fn read_arbin(path: impl AsRef<Path>, cell_id: &str) -> Result<TimeSeries> {
    let file = crate::cycler::read_cycler_file_as(path, crate::cycler::Format::ArbinCsv)?;
    into_series(file, cell_id)
}

/// [`read_arbin`] from any reader; `name` is used in errors.
pub fn read_arbin_from<R: Read>(name: &str, reader: R, cell_id: &str) -> Result<TimeSeries> {
    let file = crate::cycler::read_cycler_text(crate::cycler::Format::ArbinCsv, name, reader)?;
    into_series(file, cell_id)
}

fn into_series(file: crate::cycler::CyclerFile, cell_id: &str) -> Result<TimeSeries> {
    match file.data {
        crate::cycler::CyclerData::TimeSeries { mut series, .. } => {
            series.cell_id = cell_id.to_string();
            Ok(series)
        }
        crate::cycler::CyclerData::Impedance(_) => {
            Err(Error::internal("the Arbin CSV reader returned spectra"))
        }
    }
}
