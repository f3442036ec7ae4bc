//! Fleet scale on the Parquet path: a synthetic fleet written cell by cell,
//! and every cell's [fleet features](crate::features::fleet) streamed from a
//! time-series file one cell at a time (a projected [`Scan`], row groups
//! decoded in parallel), so memory holds one cell's rows whatever the
//! fleet's size. `voltai-fleet` computes the same features with DataFusion
//! and Ballista.
//!
//! ```
//! use voltai_battery_data::features::FleetFeatureOptions;
//! use voltai_battery_data::fleet::{SyntheticFleet, scan_features};
//!
//! let path = std::env::temp_dir().join(format!("voltai_fleet_doc_{}.parquet", std::process::id()));
//! let fleet = SyntheticFleet::new(3, 120, 12)?;
//! fleet.write(&path, &mut voltai_core::progress::silent)?;
//! let features = scan_features(&path, &FleetFeatureOptions::default())?;
//! assert_eq!(features.len(), 3);
//! assert!(features.iter().all(|f| f.fade.fade_slope_ah_per_cycle < 0.0));
//! assert!(features.iter().all(|f| f.delta_q_variance.is_some()));
//! # std::fs::remove_file(&path).ok();
//! # Ok::<(), voltai_core::Error>(())
//! ```

use std::path::Path;

use arrow_array::{Array, Float64Array, UInt32Array};

use voltai_core::progress::{Progress, ProgressFn};
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Error, Result};

use crate::features::fleet::{CellAccumulator, CellFleetFeatures, FleetFeatureOptions};
use crate::parquet_io::ParquetTableWriter;
use crate::parquet_scan::Scan;
use crate::schema::{StepKind, TimeSeriesRecord};

/// A fleet of synthetic cells: each cycle is one constant-current
/// discharge sampled at `points` rows, capacity fading linearly from a
/// per-cell initial capacity at a per-cell rate (both drawn from the seed
/// and the cell's index), so fade slopes and cycle lives differ by cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntheticFleet {
    cells: usize,
    cycles: u32,
    points: u32,
    seed: u64,
    row_group_rows: Option<usize>,
}

impl SyntheticFleet {
    /// `cells` × `cycles` × `points` rows (at least 1 cell, 2 cycles and 4
    /// points per cycle, so every feature is defined).
    pub fn new(cells: usize, cycles: u32, points: u32) -> Result<Self> {
        if cells == 0 {
            return Err(Error::invalid_parameter("cells", cells, "1 or more"));
        }
        if cycles < 2 {
            return Err(Error::invalid_parameter("cycles", cycles, "2 or more"));
        }
        if points < 4 {
            return Err(Error::invalid_parameter("points", points, "4 or more"));
        }
        Ok(SyntheticFleet {
            cells,
            cycles,
            points,
            seed: 0,
            row_group_rows: None,
        })
    }

    /// Seed of the per-cell draws (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Closes a row group every `rows` rows (default: the writer's), so
    /// cells straddle row groups as they do in real files.
    pub fn row_group_rows(mut self, rows: usize) -> Result<Self> {
        if rows == 0 {
            return Err(Error::invalid_parameter(
                "row_group_rows",
                rows,
                "1 or more",
            ));
        }
        self.row_group_rows = Some(rows);
        Ok(self)
    }

    /// Cell `i`'s initial capacity (Ah) and relative fade per cycle: its
    /// capacity at cycle `c` is `q0 · (1 − fade · c)` while above 0.3 · q0.
    pub fn truth(&self, i: usize) -> (f64, f64) {
        let mut rng = SplitMix64::new(self.seed.wrapping_add(i as u64));
        let q0 = 1.1 + 0.02 * rng.normal();
        let fade = 2e-4 * (1.0 + 0.3 * rng.normal().abs());
        (q0, fade)
    }

    /// Rows the fleet has.
    pub fn rows(&self) -> u64 {
        self.cells as u64 * u64::from(self.cycles) * u64::from(self.points)
    }

    /// The id of cell `i` (`cell000000`, …: sorted ids in write order).
    pub fn cell_id(i: usize) -> String {
        format!("cell{i:06}")
    }

    /// The rows of cell `i`, in time order.
    pub fn cell_rows(&self, i: usize) -> Vec<TimeSeriesRecord> {
        let (q0, fade) = self.truth(i);
        let points = self.points;
        (1..=self.cycles)
            .flat_map(|c| {
                let q = q0 * (1.0 - fade * f64::from(c)).max(0.3);
                (0..points).map(move |p| {
                    let frac = f64::from(p + 1) / f64::from(points);
                    TimeSeriesRecord {
                        test_time_s: f64::from(c - 1) * f64::from(points) + f64::from(p),
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
            .collect()
    }

    /// Writes the fleet to `path` cell by cell (sorted by cell, the
    /// recommended layout), reporting each cell written as task
    /// `"fleet write"`.
    pub fn write(&self, path: impl AsRef<Path>, progress: &mut ProgressFn<'_>) -> Result<()> {
        let mut w = match self.row_group_rows {
            Some(rows) => ParquetTableWriter::time_series_in_row_groups(path, rows)?,
            None => ParquetTableWriter::time_series(path)?,
        };
        for i in 0..self.cells {
            w.write_time_series(&Self::cell_id(i), &self.cell_rows(i))?;
            progress(&Progress::new("fleet write", i + 1).total(self.cells));
        }
        w.finish()
    }
}

/// Every cell's features from a time-series Parquet file whose rows are
/// grouped by cell (an interleaved file is refused), reading only the
/// columns the features need, one cell in memory at a time; in cell-id
/// order (byte order, as SQL's `ORDER BY cell_id`). Errors name the cell.
pub fn scan_features(
    path: impl AsRef<Path>,
    options: &FleetFeatureOptions,
) -> Result<Vec<CellFleetFeatures>> {
    let path = path.as_ref();
    let columns: &[&str] = match options.get_delta_q_cycles() {
        Some(_) => &[
            "cycle_index",
            "voltage_v",
            "current_a",
            "discharge_capacity_ah",
        ],
        None => &["cycle_index", "discharge_capacity_ah"],
    };
    let mut out = Vec::new();
    for cell in Scan::new().columns(columns).open(path)? {
        let cell = cell?;
        let column = |name: &str| {
            cell.rows.column_by_name(name).ok_or_else(|| {
                Error::internal(format!(
                    "scan of {}: column `{name}` missing",
                    path.display()
                ))
            })
        };
        let f64s = |name: &str| -> Result<Option<Float64Array>> {
            if !columns.contains(&name) {
                return Ok(None);
            }
            column(name)?
                .as_any()
                .downcast_ref::<Float64Array>()
                .cloned()
                .map(Some)
                .ok_or_else(|| Error::internal(format!("`{name}` is not Float64")))
        };
        let cycle = column("cycle_index")?
            .as_any()
            .downcast_ref::<UInt32Array>()
            .cloned()
            .ok_or_else(|| Error::internal("`cycle_index` is not UInt32"))?;
        let (voltage, current) = (f64s("voltage_v")?, f64s("current_a")?);
        let q = f64s("discharge_capacity_ah")?
            .ok_or_else(|| Error::internal("`discharge_capacity_ah` not projected"))?;
        let mut acc = CellAccumulator::new(options)?;
        let named = |e: Error| Error::InvalidInput(format!("cell {}: {e}", cell.cell_id));
        if q.null_count() == 0 {
            acc.extend(
                cycle.values(),
                values(&voltage),
                values(&current),
                q.values(),
            )
            .map_err(named)?;
        } else {
            for i in 0..cycle.len() {
                let at = |a: &Option<Float64Array>| a.as_ref().map_or(f64::NAN, |a| a.value(i));
                acc.push(
                    cycle.value(i),
                    at(&voltage),
                    at(&current),
                    q.is_valid(i).then(|| q.value(i)),
                )
                .map_err(named)?;
            }
        }
        out.push(acc.features(&cell.cell_id, options)?);
    }
    out.sort_by(|a, b| a.cell_id.cmp(&b.cell_id));
    Ok(out)
}

/// A projected column's values, or none when it was not projected.
fn values(column: &Option<Float64Array>) -> &[f64] {
    column.as_ref().map_or(&[], |a| a.values())
}
