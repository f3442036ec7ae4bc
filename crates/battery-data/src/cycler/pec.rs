//! PEC SBT CSV exports: `Key:,Value` preamble lines, an optional
//! `#RESULTS CHECK` block, then the header `Test,Cell,Rack,...`. Older files
//! write time in seconds, voltage in mV and current in mA; newer ones times as
//! `h:mm:ss.fff`, voltage in V and current in A. The header says which.

use std::io::BufRead;

use crate::schema::StepKind;
use voltai_core::Result;

use super::table::{Dialect, HeaderStyle, Layout, Role, Rule, rule};
use super::text::Lines;
use super::{Format, Sink, header_fields, read_rows};

const RULES: [Rule; 10] = [
    rule(Role::TestTime, &["total time"], None),
    rule(Role::Timestamp, &["real time"], None),
    rule(Role::Cycle, &["cycle"], None),
    rule(Role::Step, &["step"], None),
    rule(Role::Kind, &["instruction name"], None),
    rule(Role::Voltage, &["voltage"], None),
    rule(Role::Current, &["current"], None),
    rule(Role::ChargeCapacity, &["charge capacity"], None),
    rule(Role::DischargeCapacity, &["discharge capacity"], None),
    rule(
        Role::Temperature,
        &["cell surface temperature", "temp", "cell temperature"],
        None,
    ),
];

fn instruction_kind(name: &str) -> StepKind {
    let n = name.trim().to_ascii_lowercase();
    if n.is_empty() {
        StepKind::Unknown
    } else if n.contains("idle") || n.contains("rest") || n.contains("pause") {
        StepKind::Rest
    } else if n.contains("cccv") || n.contains("cc-cv") {
        StepKind::ConstantCurrentConstantVoltage
    } else if n.contains("pulse") {
        StepKind::Pulse
    } else if n.contains("current") || n.starts_with("cc") {
        StepKind::ConstantCurrent
    } else if n.contains("voltage") || n.starts_with("cv") {
        StepKind::ConstantVoltage
    } else if n.contains("power") {
        StepKind::ConstantPower
    } else {
        StepKind::Other
    }
}

const DIALECT: Dialect = Dialect {
    format: Format::Pec,
    rules: &RULES,
    header_style: HeaderStyle::Bracketed,
    charge_states: &[],
    discharge_states: &[],
    step_kind: instruction_kind,
};

/// True for the PEC data header.
pub(crate) fn is_header(line: &str) -> bool {
    line.starts_with("Test,Cell,Rack,Shelf,Position")
}

pub(crate) fn read<R: BufRead>(lines: &mut Lines<R>, sink: &mut Sink<'_>) -> Result<()> {
    let header = loop {
        let Some(line) = lines.next_line()? else {
            return Err(lines.error(1, "no `Test,Cell,Rack,...` header: not a PEC export"));
        };
        if is_header(line) {
            break line.to_string();
        }
        if let Some((k, v)) = line.split_once(":,") {
            let (k, v) = (k.trim(), v.trim().trim_end_matches(','));
            if !k.is_empty() && !v.is_empty() {
                sink.metadata.insert(k.to_string(), v.to_string());
            }
        }
    };
    let names = header_fields(&header, b',');
    let mut layout = Layout::resolve(&DIALECT, &names, b',', false, lines.at())?;
    read_rows(lines, &mut layout, sink)
}
