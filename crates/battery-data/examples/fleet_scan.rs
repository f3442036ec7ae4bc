//! Per-cell fade features from a fleet's time-series Parquet file, read two
//! ways: every column of every row (`TimeSeriesBatches`) and a projected
//! scan (`parquet_scan::Scan`, three columns, row groups in parallel). For
//! `benches/compare/fleet.py`, which computes the same features with polars
//! on the same file in the same run.
//!
//! ```text
//! cargo run --release -p voltai-battery-data --example fleet_scan -- [cells] [cycles] [points] [file] [--scan-only]
//! ```
//! `--scan-only` skips the every-column route (and the agreement check), so
//! the process's peak memory is the scan's.
//! Writes a synthetic fleet (cells × cycles × points rows, written cell by
//! cell) unless `file` exists, then prints one JSON line: rows, seconds per
//! route, and the features of every cell from the scan (capacity per cycle
//! = the cycle's largest discharge capacity; fade slope = least-squares
//! slope of capacity on cycle; cycle life = the first cycle below 80 % of
//! cycle 1's capacity, or the last cycle).

use std::collections::BTreeMap;
use std::time::Instant;

use arrow_array::{Array, Float64Array, UInt32Array};
use voltai_battery_data::parquet_io::{ParquetTableWriter, TimeSeriesBatches};
use voltai_battery_data::parquet_scan::Scan;
use voltai_battery_data::schema::{StepKind, TimeSeriesRecord};
use voltai_core::Result;
use voltai_core::synthetic::SplitMix64;

/// Features of one cell from its (cycle, discharge capacity) readings.
#[derive(Debug, Default)]
struct Fade {
    /// Largest discharge capacity per cycle.
    capacity: BTreeMap<u32, f64>,
    /// The cycle being read and its largest capacity so far: rows come
    /// cycle by cycle, so the map is touched once per cycle, not per row.
    current: Option<(u32, f64)>,
}

impl Fade {
    fn add(&mut self, cycle: u32, q: f64) {
        match &mut self.current {
            Some((c, best)) if *c == cycle => *best = best.max(q),
            _ => {
                self.flush();
                self.current = Some((cycle, q));
            }
        }
    }

    fn flush(&mut self) {
        if let Some((c, q)) = self.current.take() {
            let e = self.capacity.entry(c).or_insert(f64::NEG_INFINITY);
            *e = e.max(q);
        }
    }

    /// (fade slope per cycle, cycle life).
    fn features(mut self) -> (f64, u32) {
        self.flush();
        let n = self.capacity.len() as f64;
        let (sx, sy) = self
            .capacity
            .iter()
            .fold((0.0, 0.0), |(a, b), (c, q)| (a + f64::from(*c), b + q));
        let (mx, my) = (sx / n, sy / n);
        let (sxy, sxx) = self.capacity.iter().fold((0.0, 0.0), |(a, b), (c, q)| {
            let dx = f64::from(*c) - mx;
            (a + dx * (q - my), b + dx * dx)
        });
        let first = self.capacity.values().next().copied().unwrap_or(0.0);
        let life = self
            .capacity
            .iter()
            .find(|(_, q)| **q < 0.8 * first)
            .map(|(c, _)| *c)
            .or_else(|| self.capacity.keys().next_back().copied())
            .unwrap_or(0);
        (sxy / sxx, life)
    }
}

fn write_fleet(path: &str, cells: usize, cycles: u32, points: u32) -> Result<()> {
    let mut w = ParquetTableWriter::time_series(path)?;
    for cell in 0..cells {
        let mut rng = SplitMix64::new(cell as u64);
        let q0 = 1.1 + 0.02 * rng.normal();
        let fade = 2e-4 * (1.0 + 0.3 * rng.normal().abs());
        let rows: Vec<TimeSeriesRecord> = (1..=cycles)
            .flat_map(|c| {
                let q = q0 * (1.0 - fade * f64::from(c)).max(0.3);
                (0..points).map(move |p| {
                    let frac = f64::from(p + 1) / f64::from(points);
                    TimeSeriesRecord {
                        test_time_s: f64::from((c - 1) * points + p),
                        timestamp_s: None,
                        cycle_index: c,
                        step_index: 2,
                        step_kind: StepKind::ConstantCurrent,
                        voltage_v: 3.6 - 1.6 * frac.powi(3),
                        current_a: -4.4,
                        charge_capacity_ah: Some(q),
                        discharge_capacity_ah: Some(q * frac),
                        temperature_c: Some(30.0 + frac),
                    }
                })
            })
            .collect();
        w.write_time_series(&format!("cell{cell:06}"), &rows)?;
    }
    w.finish()
}

fn main() -> Result<()> {
    let scan_only = std::env::args().any(|a| a == "--scan-only");
    let args: Vec<String> = std::env::args().filter(|a| a != "--scan-only").collect();
    let arg = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (cells, cycles, points) = (arg(1, 1000), arg(2, 1000) as u32, arg(3, 10) as u32);
    let path = args
        .get(4)
        .cloned()
        .unwrap_or_else(|| format!("/tmp/voltai_fleet_{cells}x{cycles}x{points}.parquet"));
    if !std::path::Path::new(&path).exists() {
        write_fleet(&path, cells, cycles, points)?;
    }

    // Route 1: every column, converted to records.
    let t = Instant::now();
    let mut full: BTreeMap<String, Fade> = BTreeMap::new();
    let mut rows = 0usize;
    let every_column = if scan_only {
        None
    } else {
        Some(TimeSeriesBatches::open(&path, 65_536)?)
    };
    for chunk in every_column.into_iter().flatten() {
        let chunk = chunk?;
        rows += chunk.records.len();
        for (id, r) in chunk.cell_ids.iter().zip(&chunk.records) {
            if let Some(q) = r.discharge_capacity_ah {
                full.entry(id.clone()).or_default().add(r.cycle_index, q);
            }
        }
    }
    let full_s = t.elapsed().as_secs_f64();

    // Route 2: the scan, three columns, one cell at a time.
    let t = Instant::now();
    let mut features = Vec::new();
    for cell in Scan::new()
        .columns(&["cycle_index", "discharge_capacity_ah"])
        .open(&path)?
    {
        let cell = cell?;
        let cyc = cell
            .rows
            .column_by_name("cycle_index")
            .and_then(|c| c.as_any().downcast_ref::<UInt32Array>().cloned());
        let q = cell
            .rows
            .column_by_name("discharge_capacity_ah")
            .and_then(|c| c.as_any().downcast_ref::<Float64Array>().cloned());
        let (Some(cyc), Some(q)) = (cyc, q) else {
            return Err(voltai_core::Error::internal(
                "scan: projected columns missing",
            ));
        };
        let mut fade = Fade::default();
        for i in 0..q.len() {
            if q.is_valid(i) {
                fade.add(cyc.value(i), q.value(i));
            }
        }
        let (slope, life) = fade.features();
        features.push((cell.cell_id, slope, life));
    }
    let scan_s = t.elapsed().as_secs_f64();

    // The two routes agree.
    for (id, slope, life) in features.iter().filter(|_| !scan_only) {
        let (s2, l2) = full
            .remove(id)
            .map(Fade::features)
            .ok_or_else(|| voltai_core::Error::internal(format!("{id} missing from route 1")))?;
        if (s2 - slope).abs() > 1e-12 * slope.abs().max(1e-300) || l2 != *life {
            return Err(voltai_core::Error::internal(format!(
                "{id}: routes disagree ({slope}, {life}) vs ({s2}, {l2})"
            )));
        }
    }
    let json: Vec<String> = features
        .iter()
        .map(|(id, s, l)| format!("[\"{id}\", {s:e}, {l}]"))
        .collect();
    println!(
        "{{\"file\": \"{path}\", \"rows\": {rows}, \"cells\": {}, \"all_columns_s\": {full_s}, \"scan_s\": {scan_s}, \"threads\": {}, \"features\": [{}]}}",
        features.len(),
        rayon::current_num_threads(),
        json.join(", ")
    );
    Ok(())
}
