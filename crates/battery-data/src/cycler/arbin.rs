//! Arbin CSV exports: MITS Pro 7 (`Test_Time(s)`, `Current(A)`), MITS Pro 8
//! (`Test Time (s)`, `Current (A)`, a UTF-8 byte-order mark and a tab before
//! each date-time) and the BEEP layout (`Test_Time`, `DateTime` as Unix
//! seconds). Current is signed, positive for charge.

use std::io::BufRead;

use crate::schema::StepKind;
use voltai_core::Result;

use super::table::{Dialect, HeaderStyle, Layout, Role, Rule, rule};
use super::text::Lines;
use super::{Format, Sink, header_fields, read_rows};

const RULES: [Rule; 9] = [
    rule(Role::TestTime, &["test time"], Some("s")),
    rule(Role::Timestamp, &["date time", "datetime"], None),
    rule(Role::Cycle, &["cycle index"], None),
    rule(Role::Step, &["step index"], None),
    rule(Role::Voltage, &["voltage"], Some("V")),
    rule(Role::Current, &["current"], Some("A")),
    rule(Role::ChargeCapacity, &["charge capacity"], Some("Ah")),
    rule(Role::DischargeCapacity, &["discharge capacity"], Some("Ah")),
    rule(
        Role::Temperature,
        &["temperature", "aux temperature 1", "aux temperature"],
        Some("degC"),
    ),
];

pub(crate) const DIALECT: Dialect = Dialect {
    format: Format::ArbinCsv,
    rules: &RULES,
    header_style: HeaderStyle::Bracketed,
    charge_states: &[],
    discharge_states: &[],
    step_kind: |_| StepKind::Unknown,
};

/// True for an Arbin header line.
pub(crate) fn is_header(line: &str) -> bool {
    let l = line.to_ascii_lowercase().replace('_', " ");
    l.starts_with("data point") && l.contains("test time")
}

pub(crate) fn read<R: BufRead>(lines: &mut Lines<R>, sink: &mut Sink<'_>) -> Result<()> {
    let header = lines
        .next_line()?
        .map(str::to_string)
        .ok_or_else(|| lines.error(1, "empty file"))?;
    let delimiter = if header.contains('\t') && !header.contains(',') {
        b'\t'
    } else {
        b','
    };
    let names = header_fields(&header, delimiter);
    let mut layout = Layout::resolve(&DIALECT, &names, delimiter, false, lines.at())?;
    read_rows(lines, &mut layout, sink)
}

/// BEEP's Arbin exports come with `<name>_Metadata.csv` (one header row, one
/// value row: test id, channel, schedule, start time ...); its values join the
/// data file's metadata, and `First_Start_DateTime` (Unix seconds) its start.
pub(crate) fn companion_metadata(path: &std::path::Path, sink: &mut Sink<'_>) -> Result<()> {
    let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
        return Ok(());
    };
    let companion = path.with_file_name(format!("{stem}_Metadata.csv"));
    if !companion.is_file() {
        return Ok(());
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&companion)
        .map_err(|e| voltai_core::Error::io(&companion, std::io::Error::other(e.to_string())))?;
    let headers = reader
        .headers()
        .map_err(|e| {
            voltai_core::Error::parse(companion.display().to_string(), 1, 1, e.to_string())
        })?
        .clone();
    if let Some(row) = reader.records().next() {
        let row = row.map_err(|e| {
            voltai_core::Error::parse(companion.display().to_string(), 2, 1, e.to_string())
        })?;
        for (k, v) in headers.iter().zip(row.iter()) {
            if !k.trim().is_empty() && !v.trim().is_empty() {
                sink.metadata
                    .insert(k.trim().to_string(), v.trim().to_string());
            }
        }
    }
    sink.start_s = sink
        .metadata
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("first_start_datetime"))
        .and_then(|(_, v)| v.parse::<f64>().ok());
    Ok(())
}
