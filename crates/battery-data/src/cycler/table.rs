//! One loop for every delimited cycler export: a format is described by a
//! [`Dialect`] (which header names feed which schema field, in which default
//! unit, and how the current's direction is written), the header line is
//! resolved into a [`Layout`] once, and each data line becomes a
//! [`TimeSeriesRecord`].

use crate::schema::{StepKind, TimeSeriesRecord};
use crate::units::{Quantity, Unit, split_header};
use voltai_core::{Error, Result};

use super::Format;
use super::text::{field, parse_number, split_fields};
use super::time::{DateTimeParser, parse_clock};

/// What a column feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Test time (seconds, hours or clock text).
    TestTime,
    /// Wall-clock date-time (text, or Unix seconds when numeric).
    Timestamp,
    /// Cycle number.
    Cycle,
    /// EC-Lab half cycle: the cycle is `floor(half / 2)`.
    HalfCycle,
    /// Step number.
    Step,
    /// Step type as text or code.
    Kind,
    /// State letter giving the current's direction (Maccor `C`/`D`/`R`).
    State,
    /// Terminal voltage.
    Voltage,
    /// Current.
    Current,
    /// Charge capacity.
    ChargeCapacity,
    /// Discharge capacity.
    DischargeCapacity,
    /// One capacity column for both directions, assigned by the current's sign.
    Capacity,
    /// Temperature.
    Temperature,
}

const ROLES: usize = 13;

impl Role {
    fn quantity(self) -> Option<Quantity> {
        Some(match self {
            Role::TestTime => Quantity::Time,
            Role::Voltage => Quantity::Voltage,
            Role::Current => Quantity::Current,
            Role::ChargeCapacity | Role::DischargeCapacity | Role::Capacity => Quantity::Charge,
            Role::Temperature => Quantity::Temperature,
            _ => return None,
        })
    }
}

/// Header names (compared without case, unit and surrounding blanks) that feed
/// one role, and the unit the format uses when the header gives none.
pub(crate) struct Rule {
    pub(crate) role: Role,
    pub(crate) names: &'static [&'static str],
    pub(crate) unit: Option<&'static str>,
}

/// Shorthand for a [`Rule`].
pub(crate) const fn rule(
    role: Role,
    names: &'static [&'static str],
    unit: Option<&'static str>,
) -> Rule {
    Rule { role, names, unit }
}

/// How a header writes its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderStyle {
    /// `Current(A)`, `Voltage [V]`, `U[V]`.
    Bracketed,
    /// EC-Lab's `I/mA`, `time/s`, `Q charge/discharge/mA.h`.
    Slash,
}

/// A delimited format's conventions.
pub(crate) struct Dialect {
    pub(crate) format: Format,
    pub(crate) rules: &'static [Rule],
    pub(crate) header_style: HeaderStyle,
    /// State texts meaning charge (current made positive).
    pub(crate) charge_states: &'static [&'static str],
    /// State texts meaning discharge (current made negative).
    pub(crate) discharge_states: &'static [&'static str],
    /// Step kind from the `Kind` column, or from `State` when there is none.
    pub(crate) step_kind: fn(&str) -> StepKind,
}

/// Splits a header into bare name and unit according to the style.
pub(crate) fn header_parts(header: &str, style: HeaderStyle) -> (String, Option<String>) {
    let h = header.trim().trim_start_matches('~').trim();
    let (name, unit) = match style {
        HeaderStyle::Bracketed => split_header(h),
        HeaderStyle::Slash => match h.rfind('/') {
            Some(p) if p > 0 && p + 1 < h.len() => (h[..p].trim(), Some(h[p + 1..].trim())),
            _ => (h, None),
        },
    };
    (normalize(name), unit.map(str::to_string))
}

/// Lower case, `~` and `_` as blanks, runs of blanks as one: `Test_Time`,
/// `Test Time` and `~Test  Time` compare equal.
fn normalize(name: &str) -> String {
    name.trim_start_matches('~')
        .replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[derive(Debug, Clone, Copy)]
struct Column {
    index: usize,
    unit: Option<Unit>,
}

/// Where a header was read: file and line (or sheet row), for errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At<'a> {
    pub(crate) file: &'a str,
    pub(crate) line: u64,
}

/// A header resolved against a dialect.
pub(crate) struct Layout {
    file: String,
    columns: [Option<Column>; ROLES],
    names: Vec<String>,
    delimiter: u8,
    decimal_comma: bool,
    /// Wall clock at test time zero, for files with a start date but no per-row one.
    pub(crate) start_s: Option<f64>,
    charge_states: &'static [&'static str],
    discharge_states: &'static [&'static str],
    step_kind: fn(&str) -> StepKind,
    /// Missing required fields read as NaN (the cut last line of a file).
    partial: bool,
    // Per-file parsing state.
    dates: DateTimeParser,
    stamp_dates: DateTimeParser,
    first_stamp: Option<f64>,
    ranges: Vec<(usize, usize)>,
}

impl Layout {
    /// Resolves header fields. Missing voltage, current or time is an error on
    /// the header line; so is a quantity column with neither a unit in its header
    /// nor one the format documents.
    pub(crate) fn resolve(
        dialect: &Dialect,
        headers: &[String],
        delimiter: u8,
        decimal_comma: bool,
        at: At<'_>,
    ) -> Result<Layout> {
        let parts: Vec<(String, Option<String>)> = headers
            .iter()
            .map(|h| header_parts(h, dialect.header_style))
            .collect();
        let mut columns = [None; ROLES];
        for r in dialect.rules {
            if columns[r.role as usize].is_some() {
                continue;
            }
            // Names in priority order; a count column (cycle, step) must not
            // take a header with a unit (`Step (Sec)` is a time).
            let counts = r.role.quantity().is_none();
            let mut candidates = r.names.iter().flat_map(|alias| {
                parts
                    .iter()
                    .zip(headers)
                    .enumerate()
                    .filter(move |(_, ((name, unit), full))| {
                        normalize(full).eq_ignore_ascii_case(alias)
                            || (name.eq_ignore_ascii_case(alias) && !(counts && unit.is_some()))
                    })
                    .map(|(k, _)| k)
            });
            let Some(first) = candidates.next() else {
                continue;
            };
            let (index, unit) = match r.role.quantity() {
                None => (first, None),
                Some(q) => {
                    // PEC writes `Charge Capacity (mAh)` and `Charge Capacity (mWh)`:
                    // a header whose unit measures something else is another column.
                    let fits = |k: usize| {
                        column_unit(&headers[k], parts[k].1.as_deref(), r.unit, q, k, at)
                    };
                    match std::iter::once(first)
                        .chain(candidates)
                        .find_map(|k| fits(k).ok().map(|u| (k, u)))
                    {
                        Some((k, u)) => (k, Some(u)),
                        None => {
                            return Err(fits(first).err().unwrap_or_else(|| {
                                Error::internal("a unit failed and then parsed")
                            }));
                        }
                    }
                }
            };
            columns[r.role as usize] = Some(Column { index, unit });
        }
        let layout = Layout {
            file: at.file.to_string(),
            columns,
            names: headers.to_vec(),
            delimiter,
            decimal_comma,
            start_s: None,
            charge_states: dialect.charge_states,
            discharge_states: dialect.discharge_states,
            step_kind: dialect.step_kind,
            dates: DateTimeParser::default(),
            stamp_dates: DateTimeParser::default(),
            first_stamp: None,
            ranges: Vec::new(),
            partial: false,
        };
        let missing = |what: &str| {
            Error::parse(
                at.file,
                at.line,
                1,
                format!(
                    "{} header has no {what} column (found: {})",
                    dialect.format.name(),
                    headers.join(", ")
                ),
            )
        };
        if layout.col(Role::Voltage).is_none() {
            return Err(missing("voltage"));
        }
        if layout.col(Role::Current).is_none() {
            return Err(missing("current"));
        }
        if layout.col(Role::TestTime).is_none() && layout.col(Role::Timestamp).is_none() {
            return Err(missing("time"));
        }
        Ok(layout)
    }

    fn err(&self, line: u64, column: u64, message: impl Into<String>) -> Error {
        Error::parse(&self.file, line, column, message)
    }

    fn col(&self, role: Role) -> Option<Column> {
        self.columns[role as usize]
    }

    /// Names the file (or sheet) that errors point at from now on.
    pub(crate) fn rename_file(&mut self, file: &str) {
        self.file = file.to_string();
    }

    /// [`Layout::record`] for a line cut short: required values it lacks are NaN.
    pub(crate) fn partial_record(
        &mut self,
        line: &str,
        ln: u64,
    ) -> Result<Option<TimeSeriesRecord>> {
        self.partial = true;
        let r = self.record(line, ln);
        self.partial = false;
        r
    }

    /// Number of header fields.
    pub(crate) fn width(&self) -> usize {
        self.names.len()
    }

    /// Number of fields in a line.
    pub(crate) fn fields_in(&self, line: &str) -> usize {
        let mut r = Vec::new();
        split_fields(line, self.delimiter, &mut r);
        r.len()
    }

    /// True when a line ends before a column the record reads.
    pub(crate) fn is_short(&self, line: &str) -> bool {
        let n = self.fields_in(line);
        self.columns.iter().flatten().any(|c| c.index >= n)
    }

    /// Parses one data line; `Ok(None)` for a blank line.
    pub(crate) fn record(&mut self, line: &str, ln: u64) -> Result<Option<TimeSeriesRecord>> {
        if line.trim().is_empty() {
            return Ok(None);
        }
        let mut ranges = std::mem::take(&mut self.ranges);
        split_fields(line, self.delimiter, &mut ranges);
        let out = self.fields_to_record(line, &ranges, ln);
        self.ranges = ranges;
        out.map(Some)
    }

    /// A field's text; `None` when the line ends before it (a truncated last
    /// line still gives its leading values).
    fn text<'l>(&self, line: &'l str, ranges: &[(usize, usize)], c: Column) -> Option<&'l str> {
        // On a line cut short, the last field present may itself be cut
        // (`-1500` read as `-15`): it counts as missing too.
        if self.partial && c.index + 1 >= ranges.len() {
            return None;
        }
        ranges.get(c.index).map(|&r| field(line, r))
    }

    fn number(
        &self,
        line: &str,
        ranges: &[(usize, usize)],
        c: Column,
        ln: u64,
    ) -> Result<Option<f64>> {
        let Some(t) = self.text(line, ranges, c) else {
            return Ok(None);
        };
        let v = parse_number(t, self.decimal_comma).map_err(|()| {
            self.err(
                ln,
                c.index as u64 + 1,
                format!("`{t}` in column `{}` is not a number", self.names[c.index]),
            )
        })?;
        Ok(v.map(|x| c.unit.map_or(x, |u| u.to_stored(x))))
    }

    fn required(&self, line: &str, ranges: &[(usize, usize)], role: Role, ln: u64) -> Result<f64> {
        let c = self
            .col(role)
            .ok_or_else(|| Error::internal(format!("resolved layout lacks {role:?}")))?;
        if self.partial && c.index + 1 >= ranges.len() {
            return Ok(f64::NAN);
        }
        self.number(line, ranges, c, ln)?
            .ok_or_else(|| match ranges.get(c.index) {
                Some(_) => self.err(
                    ln,
                    c.index as u64 + 1,
                    format!("empty `{}` where a value is required", self.names[c.index]),
                ),
                None => self.err(
                    ln,
                    c.index as u64 + 1,
                    format!(
                        "line has {} fields, the header {}: `{}` is missing",
                        ranges.len(),
                        self.names.len(),
                        self.names[c.index]
                    ),
                ),
            })
    }

    fn index(
        &self,
        line: &str,
        ranges: &[(usize, usize)],
        role: Role,
        ln: u64,
    ) -> Result<Option<u32>> {
        let Some(c) = self.col(role) else {
            return Ok(None);
        };
        let Some(v) = self.number(line, ranges, c, ln)? else {
            return Ok(None);
        };
        if v < 0.0 || v.fract() != 0.0 || v > f64::from(u32::MAX) {
            return Err(self.err(
                ln,
                c.index as u64 + 1,
                format!(
                    "`{v}` in column `{}` is not a non-negative integer",
                    self.names[c.index]
                ),
            ));
        }
        Ok(Some(v as u32))
    }

    fn fields_to_record(
        &mut self,
        line: &str,
        ranges: &[(usize, usize)],
        ln: u64,
    ) -> Result<TimeSeriesRecord> {
        // Wall clock first: a file whose only time is a date-time counts test time from it.
        let mut timestamp = None;
        if let Some(c) = self.col(Role::Timestamp) {
            let t = self.text(line, ranges, c).unwrap_or("");
            if !t.is_empty() {
                // A number is Unix seconds (Arbin's `DateTime`); one outside
                // 1973–2096 is something else (an Excel serial day, a packed
                // YYYYMMDDhhmmss) and is refused below rather than misread.
                let v = match parse_number(t, false) {
                    Ok(Some(epoch)) => (1e8..4e9).contains(&epoch).then_some(epoch),
                    _ => self.stamp_dates.parse(t),
                };
                timestamp = Some(v.ok_or_else(|| {
                    self.err(
                        ln,
                        c.index as u64 + 1,
                        format!(
                            "`{t}` in column `{}` is not a date-time",
                            self.names[c.index]
                        ),
                    )
                })?);
            }
        }
        let test_time_s = match self.col(Role::TestTime) {
            Some(c) => {
                let t = self.text(line, ranges, c).unwrap_or("");
                let at = c.index as u64 + 1;
                if t.contains(':') {
                    match parse_clock(t) {
                        Some(s) => s,
                        None => {
                            let stamp = self.dates.parse(t).ok_or_else(|| {
                                self.err(ln,
                                    at,
                                    format!(
                                        "`{t}` in column `{}` is neither a duration nor a date-time",
                                        self.names[c.index]
                                    ),
                                )
                            })?;
                            timestamp = timestamp.or(Some(stamp));
                            stamp - *self.first_stamp.get_or_insert(stamp)
                        }
                    }
                } else {
                    self.required(line, ranges, Role::TestTime, ln)?
                }
            }
            None => {
                let stamp = timestamp.ok_or_else(|| self.err(ln, 1, "empty date-time"))?;
                stamp - *self.first_stamp.get_or_insert(stamp)
            }
        };
        if timestamp.is_none() {
            timestamp = self.start_s.map(|s| s + test_time_s);
        }
        let voltage_v = self.required(line, ranges, Role::Voltage, ln)?;
        let mut current_a = self.required(line, ranges, Role::Current, ln)?;
        let state = match self.col(Role::State) {
            Some(c) => self.text(line, ranges, c),
            None => None,
        };
        if let Some(s) = state {
            if self.charge_states.iter().any(|x| x.eq_ignore_ascii_case(s)) {
                current_a = current_a.abs();
            } else if self
                .discharge_states
                .iter()
                .any(|x| x.eq_ignore_ascii_case(s))
            {
                current_a = -current_a.abs();
            }
        }
        let step_kind = match self.col(Role::Kind) {
            Some(c) => (self.step_kind)(self.text(line, ranges, c).unwrap_or("")),
            None => state.map_or(StepKind::Unknown, self.step_kind),
        };
        let cycle_index = match self.index(line, ranges, Role::Cycle, ln)? {
            Some(c) => c,
            None => self
                .index(line, ranges, Role::HalfCycle, ln)?
                .map_or(0, |h| h / 2),
        };
        let step_index = self.index(line, ranges, Role::Step, ln)?.unwrap_or(0);
        let opt = |role: Role| -> Result<Option<f64>> {
            match self.col(role) {
                Some(c) => self.number(line, ranges, c, ln),
                None => Ok(None),
            }
        };
        let (mut charge, mut discharge) = (
            opt(Role::ChargeCapacity)?,
            opt(Role::DischargeCapacity)?.map(f64::abs),
        );
        if charge.is_none()
            && discharge.is_none()
            && let Some(q) = opt(Role::Capacity)?
        {
            if current_a > 0.0 {
                charge = Some(q.abs());
            } else if current_a < 0.0 {
                discharge = Some(q.abs());
            }
        }
        Ok(TimeSeriesRecord {
            test_time_s,
            timestamp_s: timestamp,
            cycle_index,
            step_index,
            step_kind,
            voltage_v,
            current_a,
            charge_capacity_ah: charge,
            discharge_capacity_ah: discharge,
            temperature_c: opt(Role::Temperature)?,
        })
    }
}

/// The unit of a quantity column: the header's, else the format's documented one.
fn column_unit(
    header: &str,
    from_header: Option<&str>,
    default: Option<&str>,
    quantity: Quantity,
    index: usize,
    at: At<'_>,
) -> Result<Unit> {
    let err = |m: String| Error::parse(at.file, at.line, index as u64 + 1, m);
    if let Some(u) = from_header {
        // A clock-valued time column (PEC's `Hours in hh:mm:ss.xxx`, Neware's
        // `h:min:s.ms`) holds durations whose text carries its own unit.
        if quantity == Quantity::Time && u.contains(':') {
            return Unit::parse("s").map_err(|e| err(e.to_string()));
        }
        return Unit::parse_for(u, quantity).map_err(|e| err(format!("column `{header}`: {e}")));
    }
    match default {
        Some(u) => Unit::parse_for(u, quantity).map_err(|e| err(e.to_string())),
        None => Err(err(format!(
            "column `{header}` states no unit and this layout documents none"
        ))),
    }
}
