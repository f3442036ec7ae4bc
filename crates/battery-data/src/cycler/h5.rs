//! Indigo cycler HDF5 files: a pandas `DataFrame` stored in PyTables'
//! "fixed" layout under `time_series_data` (`axis0` column names, `axis1` row
//! labels, `block{k}_items` / `block{k}_values` one block per dtype, values row
//! by row). Read with `hdf5-pure` (pure Rust, deflate included), a window of
//! rows at a time.
//!
//! Columns: `time_s` (s), `system_time_us` (Unix µs), `cycle_count`,
//! `half_cycle_count` (taken as the step index), `cell_voltage_v`,
//! `cell_current_a` (negative on discharge), `cell_temperature_c`, and
//! `cell_coulomb_count_c` — the charge counted within the half cycle in
//! coulombs, negative while discharging, stored as Ah in the charge or
//! discharge capacity by its sign.

use std::collections::BTreeMap;
use std::path::Path;

use hdf5_pure::File as H5File;

use crate::schema::{StepKind, TimeSeriesRecord};
use voltai_core::{Error, Result};

use super::Sink;

const GROUP: &str = "time_series_data";
const WINDOW: u64 = 65_536;

fn h5_err(file: &str, e: impl std::fmt::Display) -> Error {
    Error::Format {
        format: "Indigo HDF5".into(),
        path: file.to_string(),
        message: e.to_string(),
    }
}

struct Block {
    values: hdf5_pure::Dataset,
    width: usize,
    /// Column name → position within the block's row.
    items: BTreeMap<String, usize>,
}

pub(crate) fn read(path: &Path, file: &str, sink: &mut Sink<'_>) -> Result<()> {
    let h5 = H5File::open(path).map_err(|e| h5_err(file, e))?;
    let ds = |name: &str| {
        h5.dataset(&format!("{GROUP}/{name}")).map_err(|e| {
            h5_err(
                file,
                format!("no `{GROUP}/{name}` (a pandas fixed-format table is expected): {e}"),
            )
        })
    };
    let rows = ds("axis1")?
        .shape()
        .map_err(|e| h5_err(file, e))?
        .first()
        .copied()
        .ok_or_else(|| h5_err(file, "axis1 has no length"))?;
    let mut blocks = Vec::new();
    for k in 0.. {
        let Ok(items) = h5.dataset(&format!("{GROUP}/block{k}_items")) else {
            break;
        };
        let names = items.read_string().map_err(|e| h5_err(file, e))?;
        let values = ds(&format!("block{k}_values"))?;
        let shape = values.shape().map_err(|e| h5_err(file, e))?;
        if shape.len() != 2 || shape[0] != rows || shape[1] as usize != names.len() {
            return Err(h5_err(
                file,
                format!(
                    "block{k}_values has shape {shape:?}, expected [{rows}, {}]",
                    names.len()
                ),
            ));
        }
        blocks.push(Block {
            values,
            width: names.len(),
            items: names
                .into_iter()
                .enumerate()
                .map(|(i, n)| (n.trim().to_string(), i))
                .collect(),
        });
    }
    let find = |name: &str| {
        blocks
            .iter()
            .enumerate()
            .find_map(|(b, blk)| blk.items.get(name).map(|&i| (b, i)))
    };
    let need = |name: &str| {
        find(name).ok_or_else(|| {
            h5_err(
                file,
                format!(
                    "no `{name}` column (found: {})",
                    blocks
                        .iter()
                        .flat_map(|b| b.items.keys().cloned())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    };
    let (time, volt, cur) = (
        need("time_s")?,
        need("cell_voltage_v")?,
        need("cell_current_a")?,
    );
    let (stamp, cycle, half) = (
        find("system_time_us"),
        find("cycle_count"),
        find("half_cycle_count"),
    );
    let (coulombs, temp) = (find("cell_coulomb_count_c"), find("cell_temperature_c"));
    let mut start = 0u64;
    while start < rows {
        let n = WINDOW.min(rows - start);
        let window: Vec<Vec<f64>> = blocks
            .iter()
            .map(|b| {
                b.values
                    .read_f64_rows(start, n)
                    .map_err(|e| h5_err(file, e))
            })
            .collect::<Result<_>>()?;
        for r in 0..n as usize {
            let get = |(b, i): (usize, usize)| window[b].get(r * blocks[b].width + i).copied();
            let number = start + r as u64 + 1;
            let value = |c: (usize, usize), what: &str| {
                get(c).filter(|x| x.is_finite()).ok_or_else(|| {
                    Error::parse(file, number, 0, format!("{what} is missing or not finite"))
                })
            };
            let count = |c: Option<(usize, usize)>, what: &str| match c.and_then(get) {
                None => Ok(0),
                Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= f64::from(u32::MAX) => Ok(x as u32),
                Some(x) => Err(Error::parse(
                    file,
                    number,
                    0,
                    format!("{what} `{x}` is not a count"),
                )),
            };
            let q = coulombs.and_then(get).map(|c| c / 3600.0);
            let rec = TimeSeriesRecord {
                test_time_s: value(time, "time_s")?,
                timestamp_s: stamp.and_then(get).map(|us| us * 1e-6),
                cycle_index: count(cycle, "cycle_count")?,
                step_index: count(half, "half_cycle_count")?,
                step_kind: StepKind::Unknown,
                voltage_v: value(volt, "cell_voltage_v")?,
                current_a: value(cur, "cell_current_a")?,
                charge_capacity_ah: q.filter(|&x| x > 0.0),
                discharge_capacity_ah: q.filter(|&x| x < 0.0).map(f64::abs),
                temperature_c: temp.and_then(get),
            };
            if number == 1 {
                sink.start_s = rec.timestamp_s;
            }
            sink.record(&rec, number)?;
        }
        start += n;
    }
    Ok(())
}
