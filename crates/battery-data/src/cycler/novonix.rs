//! Novonix HPC CSV exports: `[Summary]` and `[Protocol]` blocks, a `[Data]`
//! marker, then a header with units in parentheses. The software wraps every
//! line containing a comma in double quotes as one field, so quotes are
//! stripped line by line. Run time is in hours.

use std::io::BufRead;

use crate::schema::StepKind;
use voltai_core::Result;

use super::table::{Dialect, HeaderStyle, Layout, Role, Rule, rule};
use super::text::Lines;
use super::{Format, Sink, header_fields};

const RULES: [Rule; 9] = [
    rule(Role::TestTime, &["run time"], Some("h")),
    rule(Role::Timestamp, &["date and time"], None),
    rule(Role::Cycle, &["cycle number"], None),
    rule(Role::Step, &["step number"], None),
    rule(Role::Kind, &["step type"], None),
    rule(Role::Voltage, &["potential", "voltage"], Some("V")),
    rule(Role::Current, &["current"], Some("A")),
    rule(Role::Capacity, &["capacity"], Some("Ah")),
    rule(Role::Temperature, &["temperature"], Some("degC")),
];

/// Novonix step-type codes (HPC software manual): 0 open circuit, 1 CC
/// charge, 2 CC discharge, 3 CV charge, 4 CV discharge, 7 CC-CV charge,
/// 8 CC-CV discharge; others are named in the protocol block.
fn code_kind(code: &str) -> StepKind {
    match code.trim() {
        "0" => StepKind::Rest,
        "1" | "2" => StepKind::ConstantCurrent,
        "3" | "4" => StepKind::ConstantVoltage,
        "7" | "8" => StepKind::ConstantCurrentConstantVoltage,
        "" => StepKind::Unknown,
        _ => StepKind::Other,
    }
}

const DIALECT: Dialect = Dialect {
    format: Format::Novonix,
    rules: &RULES,
    header_style: HeaderStyle::Bracketed,
    charge_states: &[],
    discharge_states: &[],
    step_kind: code_kind,
};

fn unquote(line: &str) -> &str {
    let t = line.trim();
    match t.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) if !inner.contains('"') => inner,
        _ => t,
    }
}

pub(crate) fn read<R: BufRead>(lines: &mut Lines<R>, sink: &mut Sink<'_>) -> Result<()> {
    let mut in_summary = false;
    loop {
        let Some(line) = lines.next_line()? else {
            return Err(lines.error(1, "no `[Data]` marker: not a Novonix export"));
        };
        let l = unquote(line).trim();
        match l {
            "[Data]" => break,
            "[Summary]" => in_summary = true,
            "[End Summary]" => in_summary = false,
            _ if in_summary => {
                if let Some((k, v)) = l.split_once(':') {
                    let (k, v) = (k.trim(), v.trim().trim_start_matches(',').trim());
                    if !k.is_empty() && !v.is_empty() {
                        sink.metadata.insert(k.to_string(), v.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    let header = lines
        .next_line()?
        .map(|l| unquote(l).to_string())
        .ok_or_else(|| lines.error(1, "file ends after `[Data]`"))?;
    let names = header_fields(&header, b',');
    let mut layout = Layout::resolve(&DIALECT, &names, b',', false, lines.at())?;
    while let Some((n, line)) = lines.next_numbered()? {
        if let Some(r) = layout.record(unquote(line), n)? {
            sink.record(&r, n)?;
        }
    }
    Ok(())
}
