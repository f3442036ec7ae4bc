//! `voltai inspect`: what a file holds, as text or as JSON whose layout
//! `inspect.schema.json` documents.

use std::path::PathBuf;

use serde::Serialize;
use voltai_battery_data::CellHistory;
use voltai_battery_data::cycler::{CyclerData, read_cycler_file};
use voltai_core::{Error, Result};

/// Version of the JSON layout; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// One cycle's line.
#[derive(Serialize)]
struct CycleLine {
    cycle: u32,
    charge_capacity_ah: Option<f64>,
    discharge_capacity_ah: Option<f64>,
    coulombic_efficiency: Option<f64>,
}

/// What `inspect --json` prints per file.
#[derive(Serialize)]
struct Inspection {
    schema_version: u32,
    file: String,
    format: String,
    kind: &'static str,
    cells: usize,
    cell_id: String,
    rows: usize,
    cycle_numbers: Vec<u32>,
    test_time_s: Option<(f64, f64)>,
    time_span_s: Option<f64>,
    start_unix_s: Option<f64>,
    voltage_v: Option<(f64, f64)>,
    current_a: Option<(f64, f64)>,
    frequency_hz: Option<(f64, f64)>,
    spectra: usize,
    cycles: Vec<CycleLine>,
}

fn range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

fn inspect(path: &PathBuf) -> Result<Inspection> {
    let file = read_cycler_file(path)?;
    let mut out = Inspection {
        schema_version: SCHEMA_VERSION,
        file: path.display().to_string(),
        format: file.format.name().to_string(),
        kind: "time_series",
        cells: 1,
        cell_id: String::new(),
        rows: 0,
        cycle_numbers: Vec::new(),
        test_time_s: None,
        time_span_s: None,
        start_unix_s: file.start_s,
        voltage_v: None,
        current_a: None,
        frequency_hz: None,
        spectra: 0,
        cycles: Vec::new(),
    };
    match &file.data {
        CyclerData::TimeSeries { series, .. } => {
            let r = &series.records;
            out.cell_id.clone_from(&series.cell_id);
            out.rows = r.len();
            out.test_time_s = range(r.iter().map(|x| x.test_time_s));
            out.time_span_s = out.test_time_s.map(|(a, b)| b - a);
            out.voltage_v = range(r.iter().map(|x| x.voltage_v));
            out.current_a = range(r.iter().map(|x| x.current_a));
            if out.start_unix_s.is_none() {
                out.start_unix_s = r.iter().find_map(|x| x.timestamp_s);
            }
            let history = CellHistory::from_cycler_file(&file)?;
            out.cycle_numbers = history.cycle_numbers();
            out.cycles = history
                .cycles()
                .iter()
                .map(|c| CycleLine {
                    cycle: c.cycle_index,
                    charge_capacity_ah: c.charge_capacity_ah,
                    discharge_capacity_ah: c.discharge_capacity_ah,
                    coulombic_efficiency: c.coulombic_efficiency,
                })
                .collect();
        }
        CyclerData::Impedance(spectra) => {
            out.kind = "impedance";
            out.cells = spectra
                .iter()
                .map(|s| s.cell_id.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            out.cell_id = spectra
                .first()
                .map(|s| s.cell_id.clone())
                .unwrap_or_default();
            out.spectra = spectra.len();
            out.rows = spectra.iter().map(|s| s.len()).sum();
            out.frequency_hz = range(spectra.iter().flat_map(|s| s.frequency_hz.iter().copied()));
        }
    }
    Ok(out)
}

fn text(i: &Inspection) -> String {
    let mut s = format!(
        "{}\n  format {} ({}), cell {}, {} rows",
        i.file, i.format, i.kind, i.cell_id, i.rows
    );
    if i.kind == "impedance" {
        s += &format!(", {} spectra", i.spectra);
        if let Some((lo, hi)) = i.frequency_hz {
            s += &format!(", {lo:.4e}–{hi:.4e} Hz");
        }
        return s;
    }
    s += &format!(", {} cycles", i.cycle_numbers.len());
    if let Some((a, b)) = i.test_time_s {
        s += &format!(", test time {a} s to {b} s ({:.2} h)", (b - a) / 3600.0);
    }
    if let Some((lo, hi)) = i.voltage_v {
        s += &format!(", voltage {lo}–{hi} V");
    }
    s += "\n  cycle   charge (Ah)   discharge (Ah)   CE";
    for c in &i.cycles {
        let f = |v: Option<f64>| v.map_or("—".to_string(), |x| format!("{x:.5}"));
        s += &format!(
            "\n  {:>5}   {:>11}   {:>14}   {}",
            c.cycle,
            f(c.charge_capacity_ah),
            f(c.discharge_capacity_ah),
            f(c.coulombic_efficiency)
        );
    }
    s
}

/// Runs the command; false when some file could not be read.
pub fn run(files: &[PathBuf], json: bool) -> Result<bool> {
    let mut ok = true;
    let mut all = Vec::new();
    for f in files {
        match inspect(f) {
            Ok(i) if json => {
                all.push(serde_json::to_value(&i).map_err(|e| Error::internal(e.to_string()))?)
            }
            Ok(i) => println!("{}", text(&i)),
            Err(e) => {
                ok = false;
                if json {
                    all.push(serde_json::json!({"schema_version": SCHEMA_VERSION, "file": f.display().to_string(), "error": e.to_string()}));
                } else {
                    println!("{}: {e}", f.display());
                }
            }
        }
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&all).map_err(|e| Error::internal(e.to_string()))?
        );
    }
    Ok(ok)
}
