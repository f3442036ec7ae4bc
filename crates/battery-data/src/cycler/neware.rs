//! Neware BTS record exports as CSV (BTS 7/8 English and Chinese headers).
//! Times are `hh:mm:ss` with hours past 24; current is signed.

use std::io::BufRead;

use crate::schema::StepKind;
use voltai_core::Result;

use super::table::{Dialect, HeaderStyle, Layout, Role, Rule, rule};
use super::text::Lines;
use super::{Format, Sink, header_fields, read_rows};

const RULES: [Rule; 10] = [
    rule(
        Role::TestTime,
        &[
            "total time",
            "cumulative time",
            "test time",
            "总时间",
            "累计时间",
        ],
        Some("s"),
    ),
    rule(
        Role::Timestamp,
        &["date", "realtime", "real time", "系统时间", "绝对时间"],
        None,
    ),
    rule(
        Role::Cycle,
        &["cycle index", "cycle id", "cycle", "循环序号", "循环号"],
        None,
    ),
    rule(
        Role::Step,
        &["step index", "step id", "step", "工步序号", "工步号"],
        None,
    ),
    rule(
        Role::Kind,
        &["step type", "status", "step name", "工步类型", "工步名称"],
        None,
    ),
    rule(Role::Voltage, &["voltage", "电压"], Some("V")),
    rule(Role::Current, &["current", "电流"], Some("A")),
    rule(
        Role::ChargeCapacity,
        &["chg. cap.", "charge capacity", "充电容量"],
        Some("Ah"),
    ),
    rule(
        Role::DischargeCapacity,
        &["dchg. cap.", "discharge capacity", "放电容量"],
        Some("Ah"),
    ),
    rule(
        Role::Temperature,
        &["t1", "temperature", "aux. temperature", "温度"],
        None,
    ),
];

/// Neware step names, English or Chinese.
pub(crate) fn step_kind(name: &str) -> StepKind {
    let n = name.trim().to_ascii_uppercase().replace([' ', '-'], "_");
    let has = |s: &str| n.contains(s) || name.contains(s);
    if has("REST") || has("PAUSE") || has("OCV") || has("搁置") || has("静置") {
        StepKind::Rest
    } else if has("CCCV") || has("恒流恒压") {
        StepKind::ConstantCurrentConstantVoltage
    } else if has("CPCV") || has("CRCV") {
        StepKind::Other
    } else if has("CC_") || n == "CC" || has("恒流") {
        StepKind::ConstantCurrent
    } else if has("CV_") || n == "CV" || has("恒压") {
        StepKind::ConstantVoltage
    } else if has("CP_") || has("恒功率") {
        StepKind::ConstantPower
    } else if has("CR_") || has("恒阻") {
        StepKind::ConstantResistance
    } else if has("PULSE") || has("脉冲") {
        StepKind::Pulse
    } else if n.is_empty() {
        StepKind::Unknown
    } else {
        StepKind::Other
    }
}

pub(crate) const DIALECT: Dialect = Dialect {
    format: Format::NewareCsv,
    rules: &RULES,
    header_style: HeaderStyle::Bracketed,
    charge_states: &[],
    discharge_states: &[],
    step_kind,
};

/// True for a Neware record header.
pub(crate) fn is_header(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    (l.starts_with("datapoint") || l.starts_with("record id") || l.starts_with("record index"))
        && l.contains("cycle")
        || line.starts_with("数据序号")
}

pub(crate) fn read_csv<R: BufRead>(lines: &mut Lines<R>, sink: &mut Sink<'_>) -> Result<()> {
    let header = lines
        .next_line()?
        .map(str::to_string)
        .ok_or_else(|| lines.error(1, "empty file"))?;
    let delimiter = if header.contains('\t') { b'\t' } else { b',' };
    let names = header_fields(&header, delimiter);
    let mut layout = Layout::resolve(&DIALECT, &names, delimiter, false, lines.at())?;
    read_rows(lines, &mut layout, sink)
}
