//! BioLogic EC-Lab and BT-Lab ASCII exports (`.mpt`, `.txt`).
//!
//! A file starts `EC-Lab ASCII FILE` / `BT-Lab ASCII FILE` and says on its
//! second line how many header lines precede the data (`Nb header lines : 57`;
//! the column names are the last of them), or it was saved without that block
//! and starts with the column names. Columns are `name/unit` (`I/mA`,
//! `time/s`); decimal commas appear on some locales. BT-Lab's timestamped
//! export writes date-times in `time/s`.

use std::io::BufRead;

use crate::schema::{EisSpectrum, StepKind};
use voltai_core::Result;

use super::table::{Dialect, HeaderStyle, Layout, Role, Rule, header_parts, rule};
use super::text::{Lines, field, parse_number, split_fields};
use super::time::DateTimeParser;
use super::{Format, Sink, header_fields, read_rows};

const RULES: [Rule; 11] = [
    rule(Role::TestTime, &["time"], Some("s")),
    rule(Role::Cycle, &["cycle number"], None),
    rule(Role::HalfCycle, &["half cycle"], None),
    rule(Role::Step, &["ns"], None),
    rule(Role::Kind, &["mode"], None),
    rule(
        Role::Voltage,
        &["ewe", "<ewe>", "ecell", "<ecell>"],
        Some("V"),
    ),
    rule(Role::Current, &["i", "<i>"], Some("mA")),
    rule(Role::ChargeCapacity, &["q charge"], Some("mA.h")),
    rule(Role::DischargeCapacity, &["q discharge"], Some("mA.h")),
    rule(Role::Capacity, &["q charge/discharge"], Some("mA.h")),
    rule(Role::Temperature, &["temperature"], Some("degC")),
];

/// EC-Lab's `mode`: 1 galvanostatic, 2 potentiostatic, 3 rest.
pub(crate) fn mode_kind(mode: &str) -> StepKind {
    match mode.trim() {
        "1" => StepKind::ConstantCurrent,
        "2" => StepKind::ConstantVoltage,
        "3" => StepKind::Rest,
        _ => StepKind::Unknown,
    }
}

const DIALECT: Dialect = Dialect {
    format: Format::BiologicMpt,
    rules: &RULES,
    header_style: HeaderStyle::Slash,
    charge_states: &[],
    discharge_states: &[],
    step_kind: mode_kind,
};

/// True for the first line of an EC-Lab/BT-Lab ASCII export.
pub(crate) fn is_banner(line: &str) -> bool {
    let l = line.trim();
    l.ends_with("ASCII FILE") && (l.contains("EC-Lab") || l.contains("BT-Lab"))
}

/// True for an EC-Lab column-name line (`time/s` and a `/V` column).
pub(crate) fn is_column_line(line: &str) -> bool {
    line.contains('\t')
        && line.split('\t').any(|f| f.trim() == "time/s")
        && line.split('\t').any(|f| f.trim().ends_with("/V"))
}

/// True when the column names are those of an impedance technique.
pub(crate) fn is_impedance_columns(line: &str) -> bool {
    line.split('\t').any(|f| f.trim() == "freq/Hz")
}

/// Skips the header block and returns the column-name line; keys of the
/// `key : value` lines go to the metadata.
fn header<R: BufRead>(lines: &mut Lines<R>, sink: &mut Sink<'_>) -> Result<String> {
    let first = lines
        .next_line()?
        .map(str::to_string)
        .ok_or_else(|| lines.error(1, "empty file"))?;
    if !is_banner(&first) {
        if is_column_line(&first) || is_impedance_columns(&first) {
            return Ok(first);
        }
        return Err(lines.error(1, "neither an EC-Lab banner nor EC-Lab column names"));
    }
    let second = lines
        .next_line()?
        .map(str::to_string)
        .ok_or_else(|| lines.error(1, "file ends after its banner"))?;
    let count: u64 = second
        .split_once(':')
        .and_then(|(_, n)| n.trim().parse().ok())
        .filter(|&n| n >= 3)
        .ok_or_else(|| {
            lines.error(
                1,
                format!("expected `Nb header lines : N`, found `{second}`"),
            )
        })?;
    while lines.line() + 1 < count {
        let Some(l) = lines.next_line()? else {
            return Err(lines.error(1, format!("file ends inside its {count}-line header")));
        };
        if let Some((k, v)) = l.split_once(" : ") {
            let (k, v) = (k.trim(), v.trim());
            if !k.is_empty() && !v.is_empty() {
                sink.metadata
                    .entry(k.to_string())
                    .or_insert_with(|| v.to_string());
            }
        }
    }
    lines
        .next_line()?
        .map(str::to_string)
        .ok_or_else(|| lines.error(1, "file ends before its column names"))
}

fn decimal_comma<R: BufRead>(lines: &mut Lines<R>) -> Result<bool> {
    match lines.next_line()? {
        None => Ok(false),
        Some(l) => {
            let comma = l
                .split('\t')
                .any(|f| f.contains(',') && f.replace(',', ".").parse::<f64>().is_ok());
            lines.push_back();
            Ok(comma)
        }
    }
}

pub(crate) fn read_mpt<R: BufRead>(
    lines: &mut Lines<R>,
    cell: &str,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let columns = header(lines, sink)?;
    sink.start_s = sink
        .metadata
        .get("Acquisition started on")
        .and_then(|s| DateTimeParser::default().parse(s));
    if is_impedance_columns(&columns) {
        return read_mpt_eis(lines, &columns, cell, sink);
    }
    let names = header_fields(&columns, b'\t');
    let comma = decimal_comma(lines)?;
    let mut layout = Layout::resolve(&DIALECT, &names, b'\t', comma, lines.at())?;
    layout.start_s = sink.start_s;
    read_rows(lines, &mut layout, sink)
}

/// Reads an impedance technique's table: one spectrum per `cycle number`.
fn read_mpt_eis<R: BufRead>(
    lines: &mut Lines<R>,
    columns: &str,
    cell: &str,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let names = header_fields(columns, b'\t');
    let comma = decimal_comma(lines)?;
    let find = |want: &str| {
        names
            .iter()
            .position(|n| header_parts(n, HeaderStyle::Slash).0 == want)
    };
    let need = |want: &str| {
        find(want).ok_or_else(|| {
            lines.error(
                1,
                format!("no `{want}` column (found: {})", names.join(", ")),
            )
        })
    };
    let (f, re, im) = (need("freq")?, need("re(z)")?, need("-im(z)")?);
    let cycle = find("cycle number");
    let mut ranges = Vec::new();
    let mut current: Option<(f64, EisSpectrum)> = None;
    let file = lines.file().to_string();
    while let Some((n, line)) = lines.next_numbered()? {
        if line.trim().is_empty() {
            continue;
        }
        split_fields(line, b'\t', &mut ranges);
        let num = |k: usize| -> Result<f64> {
            let t = ranges.get(k).map(|&r| field(line, r)).unwrap_or("");
            parse_number(t, comma).ok().flatten().ok_or_else(|| {
                voltai_core::Error::parse(
                    &file,
                    n,
                    ranges.get(k).map_or(1, |r| r.0 as u64 + 1),
                    format!("`{t}` in column `{}` is not a number", names[k]),
                )
            })
        };
        let c = match cycle {
            Some(k) => num(k)?,
            None => 0.0,
        };
        if current.as_ref().is_some_and(|(k, _)| *k != c)
            && let Some((_, s)) = current.take()
        {
            sink.spectra.push(s);
        }
        let (_, s) = current.get_or_insert_with(|| {
            let mut s = EisSpectrum {
                cell_id: cell.to_string(),
                ..Default::default()
            };
            s.state.cycle = (c >= 0.0 && c.fract() == 0.0).then_some(c as u32);
            (c, s)
        });
        s.frequency_hz.push(num(f)?);
        s.z_real_ohm.push(num(re)?);
        // The file writes −Im(Z); the schema holds Im(Z).
        s.z_imag_ohm.push(-num(im)?);
    }
    if let Some((_, s)) = current {
        sink.spectra.push(s);
    }
    Ok(())
}
