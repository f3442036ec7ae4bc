//! BaSyTec result files converted to text: `~`-prefixed preamble lines (start
//! of test as `DD.MM.YYYY hh:mm:ss`), a `~`-prefixed tab-separated header with
//! units in brackets (`U[V]`, `I[A]`), signed current.

use std::io::BufRead;

use crate::schema::StepKind;
use voltai_core::Result;

use super::table::{Dialect, HeaderStyle, Layout, Role, Rule, rule};
use super::text::Lines;
use super::time::DateTimeParser;
use super::{Format, Sink, header_fields, read_rows};

const RULES: [Rule; 9] = [
    rule(Role::TestTime, &["time"], Some("s")),
    rule(Role::Cycle, &["cyc-count", "cycle"], None),
    rule(Role::Step, &["line"], None),
    rule(Role::Kind, &["command"], None),
    rule(Role::Voltage, &["u"], Some("V")),
    rule(Role::Current, &["i"], Some("A")),
    rule(Role::ChargeCapacity, &["ah-cyc-charge"], Some("Ah")),
    rule(Role::DischargeCapacity, &["ah-cyc-discharge"], Some("Ah")),
    rule(Role::Temperature, &["t1", "temperature"], Some("degC")),
];

fn command_kind(command: &str) -> StepKind {
    let c = command.trim().to_ascii_lowercase();
    match c.as_str() {
        "pause" | "rest" => StepKind::Rest,
        "" => StepKind::Unknown,
        _ if c.contains("cccv") => StepKind::ConstantCurrentConstantVoltage,
        _ if c.contains("pulse") => StepKind::Pulse,
        _ if c.contains("eis") || c.contains("imped") => StepKind::Impedance,
        _ => StepKind::Unknown,
    }
}

const DIALECT: Dialect = Dialect {
    format: Format::Basytec,
    rules: &RULES,
    header_style: HeaderStyle::Bracketed,
    charge_states: &[],
    discharge_states: &[],
    step_kind: command_kind,
};

/// True for the first line of a BaSyTec text export.
pub(crate) fn is_banner(line: &str) -> bool {
    line.starts_with("~Resultfile from Basytec") || line.starts_with("~Time[")
}

pub(crate) fn read<R: BufRead>(lines: &mut Lines<R>, sink: &mut Sink<'_>) -> Result<()> {
    let mut header = None;
    while let Some(line) = lines.next_line()? {
        let Some(rest) = line.strip_prefix('~') else {
            return Err(lines.error(1, "data before the `~Time[s]` header"));
        };
        if rest.contains('\t') {
            header = Some(line.to_string());
            break;
        }
        if let Some((k, v)) = rest.split_once(':') {
            let (k, v) = (k.trim(), v.trim());
            if !k.is_empty() && !v.is_empty() {
                sink.metadata.insert(k.to_string(), v.to_string());
            }
        }
    }
    let header = header.ok_or_else(|| lines.error(1, "no `~`-prefixed tab-separated header"))?;
    let names = header_fields(&header, b'\t');
    let mut layout = Layout::resolve(&DIALECT, &names, b'\t', false, lines.at())?;
    sink.start_s = sink
        .metadata
        .get("Start of Test")
        .and_then(|s| DateTimeParser::default().parse(s));
    layout.start_s = sink.start_s;
    read_rows(lines, &mut layout, sink)
}
