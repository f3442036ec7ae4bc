//! Maccor text exports, three layouts with one set of column names:
//! - MIMS raw files (`.000`, `.041`, `.052` ...): one `Today's Date ...` line,
//!   then a tab-separated header starting `Rec#`; times as decimal seconds or as
//!   `Nd hh:mm:ss.ssss`.
//! - The text export with a `Key<TAB>Value` preamble, decimal commas possible,
//!   and a mode letter (`Md`) instead of signed current.
//! - Maccor CSV: `Today's Date ,...`, `Date of Test:,...`, then a comma header.
//!
//! The current's direction comes from the state letter where there is one
//! (`C` charge, `D` discharge), so an unsigned export loads with the right sign.

use std::io::BufRead;

use crate::schema::StepKind;
use voltai_core::Result;

use super::table::{Dialect, HeaderStyle, Layout, Role, Rule, rule};
use super::text::Lines;
use super::{Format, Sink, header_fields, read_rows};

const RULES: [Rule; 12] = [
    rule(
        Role::TestTime,
        &[
            "testtime",
            "test (sec)",
            "test time (sec)",
            "test time",
            "test",
        ],
        Some("s"),
    ),
    rule(Role::Timestamp, &["dpt time", "dptime"], None),
    rule(Role::Cycle, &["cycle c", "cyc#", "cycle"], None),
    rule(Role::Step, &["step"], None),
    rule(Role::State, &["state", "md"], None),
    rule(Role::Voltage, &["volts", "voltage"], Some("V")),
    rule(Role::Current, &["amps", "current"], Some("A")),
    rule(Role::Capacity, &["amp-hr", "cap.", "capacity"], Some("Ah")),
    rule(
        Role::Temperature,
        &["temp 1", "temp1", "temperature"],
        Some("degC"),
    ),
    rule(Role::ChargeCapacity, &["charge capacity"], Some("Ah")),
    rule(Role::DischargeCapacity, &["discharge capacity"], Some("Ah")),
    rule(Role::Kind, &["step type"], None),
];

fn step_kind(state: &str) -> StepKind {
    match state.trim() {
        "R" => StepKind::Rest,
        "FRA" | "EIS" => StepKind::Impedance,
        "" => StepKind::Unknown,
        _ => StepKind::Unknown,
    }
}

const DIALECT: Dialect = Dialect {
    format: Format::Maccor,
    rules: &RULES,
    header_style: HeaderStyle::Bracketed,
    charge_states: &["C"],
    discharge_states: &["D"],
    step_kind,
};

/// True for a Maccor header line.
pub(crate) fn is_header(line: &str) -> bool {
    let l = line.trim_start();
    (l.starts_with("Rec#\t") || l.starts_with("Rec\t") || l.starts_with("Rec,"))
        && (l.contains("Cyc") || l.contains("Cycle"))
}

pub(crate) fn read<R: BufRead>(lines: &mut Lines<R>, sink: &mut Sink<'_>) -> Result<()> {
    let mut header = None;
    let mut preamble = 0;
    while let Some(line) = lines.next_line()? {
        if is_header(line) {
            header = Some(line.to_string());
            break;
        }
        preamble += 1;
        if preamble > 64 {
            break;
        }
        let sep = if line.contains('\t') { '\t' } else { ',' };
        if let Some((k, v)) = line.split_once(sep) {
            let (k, v) = (k.trim().trim_end_matches(':'), v.trim());
            if !k.is_empty() && !v.is_empty() {
                sink.metadata.insert(k.to_string(), v.to_string());
            }
        }
    }
    let header = header.ok_or_else(|| {
        lines.error(
            1,
            "no Maccor header (a line starting `Rec#` or `Rec`) in the first 64 lines",
        )
    })?;
    let delimiter = if header.contains('\t') { b'\t' } else { b',' };
    let names = header_fields(&header, delimiter);
    // The preamble text export writes decimal commas (`0,1377`); a tab-separated
    // file has no other use for a comma in a number.
    let decimal_comma = delimiter == b'\t' && peek_decimal_comma(lines)?;
    let mut layout = Layout::resolve(&DIALECT, &names, delimiter, decimal_comma, lines.at())?;
    read_rows(lines, &mut layout, sink)
}

/// Looks at the first data line for a decimal comma, then puts it back.
fn peek_decimal_comma<R: BufRead>(lines: &mut Lines<R>) -> Result<bool> {
    loop {
        match lines.next_line()? {
            None => return Ok(false),
            Some(l) if l.trim().is_empty() => continue,
            Some(l) => {
                let comma = l.split('\t').any(|f| {
                    let f = f.trim();
                    f.contains(',') && f.replace(',', ".").parse::<f64>().is_ok()
                });
                lines.push_back();
                return Ok(comma);
            }
        }
    }
}
