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
    } else if has("CCCV") || has("CC_CV") || has("恒流恒压") {
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

/// True for a Neware record header (flat export) or the cycle header of the
/// multi-level export.
pub(crate) fn is_header(line: &str) -> bool {
    if line
        .trim_start_matches('"')
        .to_ascii_lowercase()
        .starts_with("cycle id")
    {
        return true;
    }
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
    if header
        .trim_start_matches('"')
        .to_ascii_lowercase()
        .starts_with("cycle id")
    {
        return read_multi_level(lines, &header, sink);
    }
    let delimiter = if header.contains('\t') { b'\t' } else { b',' };
    let names = header_fields(&header, delimiter);
    let mut layout = Layout::resolve(&DIALECT, &names, delimiter, false, lines.at())?;
    read_rows(lines, &mut layout, sink)
}

/// Record columns of the multi-level export (BTS 7): step time, not test time.
const LEVEL_RULES: [Rule; 7] = [
    rule(Role::TestTime, &["time", "step time"], Some("s")),
    rule(
        Role::Timestamp,
        &["realtime", "real time", "date", "系统时间"],
        None,
    ),
    rule(Role::Voltage, &["voltage", "电压"], Some("V")),
    rule(Role::Current, &["current", "电流"], Some("mA")),
    rule(
        Role::ChargeCapacity,
        &["capacitance chg", "capacity chg", "cap chg"],
        Some("mAh"),
    ),
    rule(
        Role::DischargeCapacity,
        &["capacitance dchg", "capacity dchg", "cap dchg"],
        Some("mAh"),
    ),
    rule(
        Role::Temperature,
        &["temperature", "t1", "温度"],
        Some("degC"),
    ),
];

const LEVEL_DIALECT: Dialect = Dialect {
    format: Format::NewareCsv,
    rules: &LEVEL_RULES,
    header_style: HeaderStyle::Bracketed,
    charge_states: &[],
    discharge_states: &[],
    step_kind,
};

/// The multi-level export: a cycle header (`Cycle ID,...`), a step header
/// (`,Step ID,Step Name,...`), a record header (`,,Record ID,Time(h:min:s.ms),
/// Voltage(V),Current(mA),...`), then cycle rows, step rows (one leading empty
/// field) and record rows (two). Records take the cycle and step of the rows
/// above them; their time is the step time, so test time adds up the steps.
fn read_multi_level<R: BufRead>(
    lines: &mut Lines<R>,
    cycle_header: &str,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let step_header = lines
        .next_line()?
        .map(str::to_string)
        .ok_or_else(|| lines.error(1, "file ends after the cycle header"))?;
    let record_header = lines
        .next_line()?
        .map(str::to_string)
        .ok_or_else(|| lines.error(1, "file ends after the step header"))?;
    let delimiter = if cycle_header.contains('\t') && !cycle_header.contains(',') {
        b'\t'
    } else {
        b','
    };
    let step_names = header_fields(&step_header, delimiter);
    let kind_col = step_names.iter().position(|n| {
        let n = n.trim().to_ascii_lowercase();
        n.starts_with("step name") || n == "status" || n.starts_with("step type")
    });
    // Record fields come after two empty ones: drop them from header and rows.
    let record_names: Vec<String> = header_fields(&record_header, delimiter)
        .into_iter()
        .skip(2)
        .collect();
    let mut layout = Layout::resolve(&LEVEL_DIALECT, &record_names, delimiter, false, lines.at())?;
    let (mut cycle, mut step, mut kind) = (0u32, 0u32, StepKind::Unknown);
    let (mut offset, mut last_step_time) = (0.0f64, 0.0f64);
    let mut ranges = Vec::new();
    let count = |t: &str| t.trim().trim_matches('"').trim().parse::<f64>().ok();
    let file = lines.file().to_string();
    while let Some((n, line)) = lines.next_numbered()? {
        if line.trim().is_empty() {
            continue;
        }
        super::text::split_fields(line, delimiter, &mut ranges);
        let field = |k: usize| ranges.get(k).map_or("", |&r| super::text::field(line, r));
        if !field(0).is_empty() {
            cycle = count(field(0))
                .filter(|c| *c >= 0.0 && c.fract() == 0.0)
                .ok_or_else(|| {
                    voltai_core::Error::parse(
                        &file,
                        n,
                        1,
                        format!("cycle id `{}` is not a count", field(0)),
                    )
                })? as u32;
        } else if !field(1).is_empty() {
            step = count(field(1))
                .filter(|c| *c >= 0.0 && c.fract() == 0.0)
                .ok_or_else(|| {
                    voltai_core::Error::parse(
                        &file,
                        n,
                        2,
                        format!("step id `{}` is not a count", field(1)),
                    )
                })? as u32;
            kind = kind_col.map_or(StepKind::Unknown, |k| step_kind(field(k)));
            offset += last_step_time;
            last_step_time = 0.0;
        } else {
            let start = ranges.get(2).map_or(line.len(), |r| r.0);
            let Some(mut r) = layout.record(&line[start..], n)? else {
                continue;
            };
            last_step_time = r.test_time_s;
            r.test_time_s += offset;
            r.cycle_index = cycle;
            r.step_index = step;
            r.step_kind = kind;
            sink.record(&r, n)?;
        }
    }
    Ok(())
}
