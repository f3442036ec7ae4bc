//! Reader for `severson2019_lfp_fastcharge/` (Severson et al. 2019, 124 LFP cells).

use std::path::Path;

use ndarray::{Array1, Array2, ArrayView1, Axis};
use serde::{Deserialize, Serialize};

use super::wide::WideTable;
use crate::schema::{CellMetadata, CycleSummary};
use crate::table::Table;
use voltai_core::{Error, Result};

/// Nominal capacity of the A123 APR18650M1A cells, Ah.
pub const SEVERSON_NOMINAL_AH: f64 = 1.1;
/// End-of-life threshold used by the paper (80 % of nominal), Ah.
pub const SEVERSON_EOL_AH: f64 = 0.88;

/// The paper's three splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SeversonSplit {
    /// Training cells (41).
    Train,
    /// Primary test set (43).
    PrimaryTest,
    /// Secondary test set (40).
    SecondaryTest,
}

impl SeversonSplit {
    /// Name used in the files.
    pub fn file_name(&self) -> &'static str {
        match self {
            SeversonSplit::Train => "train",
            SeversonSplit::PrimaryTest => "test1",
            SeversonSplit::SecondaryTest => "test2",
        }
    }

    /// All splits in the paper's order.
    pub const ALL: [SeversonSplit; 3] = [
        SeversonSplit::Train,
        SeversonSplit::PrimaryTest,
        SeversonSplit::SecondaryTest,
    ];
}

/// One row of `cells.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeversonCell {
    /// e.g. `train_cell01`.
    pub cell_id: String,
    /// The paper's split.
    pub split: SeversonSplit,
    /// Manufacturer barcode.
    pub barcode: String,
    /// Batch date as written (M/D/YY).
    pub batch_date: String,
    /// Charging policy, e.g. `3.6C(80%)-3.6C`.
    pub charging_policy: String,
    /// Cycles until discharge capacity first fell to 0.88 Ah.
    pub cycle_life: u32,
}

impl SeversonCell {
    /// The cell as schema metadata.
    pub fn metadata(&self) -> CellMetadata {
        let mut m = CellMetadata {
            cell_id: self.cell_id.clone(),
            chemistry: Some("LFP/graphite".into()),
            nominal_capacity_ah: Some(SEVERSON_NOMINAL_AH),
            protocol: Some(self.charging_policy.clone()),
            temperature_c: Some(30.0),
            ..Default::default()
        };
        m.tags.insert("split".into(), self.split.file_name().into());
        m.tags.insert("barcode".into(), self.barcode.clone());
        m.tags.insert("batch_date".into(), self.batch_date.clone());
        m.tags
            .insert("cycle_life".into(), self.cycle_life.to_string());
        m
    }
}

/// Everything in the Severson folder, with cell columns in `cells` order.
#[derive(Debug, Clone, PartialEq)]
pub struct SeversonData {
    /// The 124 cells.
    pub cells: Vec<SeversonCell>,
    /// Voltage grid of the Q(V) curves, volts (3.6 → 2.0).
    pub voltage_v: Array1<f64>,
    /// Q(V) at cycle 10, Ah: `voltage × cell`.
    pub qdlin_cycle10_ah: Array2<f64>,
    /// Q(V) at cycle 100, Ah: `voltage × cell`.
    pub qdlin_cycle100_ah: Array2<f64>,
    /// Cycle numbers of [`Self::q_at_2v_ah`] rows (2..=100).
    pub cycles: Vec<u32>,
    /// Q at 2.0 V per cycle, Ah: `cycle × cell` (glitches included, as stored).
    pub q_at_2v_ah: Array2<f64>,
}

fn read_cells(path: &Path) -> Result<Vec<SeversonCell>> {
    let mut t = Table::open(path)?;
    let c_id = t.column("cell_id")?;
    let c_split = t.column("split")?;
    let c_bar = t.column("barcode")?;
    let c_date = t.column("batch_date")?;
    let c_pol = t.column("charging_policy")?;
    let c_life = t.column("cycle_life")?;
    let mut out = Vec::new();
    while let Some(row) = t.next_row() {
        let row = row?;
        let split = match row.text(c_split)? {
            "train" => SeversonSplit::Train,
            "test1" => SeversonSplit::PrimaryTest,
            "test2" => SeversonSplit::SecondaryTest,
            other => return Err(row.error(c_split, format!("unknown split `{other}`"))),
        };
        out.push(SeversonCell {
            cell_id: row.text(c_id)?.to_string(),
            split,
            barcode: row.text(c_bar)?.to_string(),
            batch_date: row.text(c_date)?.to_string(),
            charging_policy: row.text(c_pol)?.to_string(),
            cycle_life: row.uint(c_life)?,
        });
    }
    Ok(out)
}

/// Reorders a wide table's columns to `cells` order; every cell must be present.
fn aligned(table: WideTable, cells: &[SeversonCell], file: &Path) -> Result<Array2<f64>> {
    let idx = cells
        .iter()
        .map(|c| {
            table.column_index(&c.cell_id).ok_or_else(|| {
                Error::parse(
                    file.display().to_string(),
                    1,
                    table.columns.len() as u64 + 2,
                    format!("missing column for cell `{}`", c.cell_id),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(table.values.select(Axis(1), &idx))
}

impl SeversonData {
    /// Loads the folder (e.g. `../shared/data/severson2019_lfp_fastcharge`).
    pub fn load(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let cells = read_cells(&dir.join("cells.csv"))?;
        let read = |name: &str, key: &str| -> Result<(Vec<f64>, Array2<f64>)> {
            let p = dir.join(name);
            let t = WideTable::read(Table::open(&p)?, key)?;
            let keys = t.keys.clone();
            Ok((keys, aligned(t, &cells, &p)?))
        };
        let (v10, q10) = read("qdlin_cycle10.csv", "voltage_V")?;
        let (v100, q100) = read("qdlin_cycle100.csv", "voltage_V")?;
        if v10 != v100 {
            return Err(Error::InvalidInput(
                "Q(V) files for cycles 10 and 100 use different voltage grids".into(),
            ));
        }
        let (cyc, q2v) = read("qdlin_at_2V_cycles2_100.csv", "cycle")?;
        let cycles = cyc
            .iter()
            .map(|&c| {
                if c >= 0.0 && c.fract() == 0.0 {
                    Ok(c as u32)
                } else {
                    Err(Error::InvalidInput(format!(
                        "cycle number {c} is not an integer"
                    )))
                }
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SeversonData {
            cells,
            voltage_v: Array1::from(v10),
            qdlin_cycle10_ah: q10,
            qdlin_cycle100_ah: q100,
            cycles,
            q_at_2v_ah: q2v,
        })
    }

    /// Column index of a cell.
    pub fn cell_index(&self, cell_id: &str) -> Option<usize> {
        self.cells.iter().position(|c| c.cell_id == cell_id)
    }

    /// Indices (into `cells`) of the cells in `split`, ascending.
    pub fn split_rows(&self, split: SeversonSplit) -> Vec<usize> {
        (0..self.cells.len())
            .filter(|&i| self.cells[i].split == split)
            .collect()
    }

    /// Q(2.0 V) series of one cell (by column index).
    pub fn q_series(&self, cell: usize) -> ArrayView1<'_, f64> {
        self.q_at_2v_ah.column(cell)
    }

    /// Every cell as a [`CellHistory`](crate::CellHistory): per-cycle
    /// summaries (discharge capacity = Q at 2.0 V; entries in `mask` left
    /// empty) and the stored Q(V) curves of cycles 10 and 100 on their own
    /// grid, so features computed from the histories equal
    /// [`severson_features`](crate::features::severson_features) bit for bit.
    pub fn histories(&self, mask: &crate::features::Mask) -> Result<Vec<crate::CellHistory>> {
        let v = self.voltage_v.to_vec();
        self.cells
            .iter()
            .enumerate()
            .map(|(j, cell)| {
                let cycles = self
                    .cycles
                    .iter()
                    .enumerate()
                    .map(|(i, &cyc)| CycleSummary {
                        cell_id: cell.cell_id.clone(),
                        cycle_index: cyc,
                        discharge_capacity_ah: (!mask.contains(&(cell.cell_id.clone(), cyc)))
                            .then_some(self.q_at_2v_ah[[i, j]]),
                        ..Default::default()
                    })
                    .collect();
                let curve = |q: &Array2<f64>| {
                    crate::features::QvCurve::from_grid(&v, &q.column(j).to_vec())
                };
                Ok(crate::CellHistory::from_summaries(cell.metadata(), cycles)?
                    .with_discharge_curve(10, curve(&self.qdlin_cycle10_ah)?)
                    .with_discharge_curve(100, curve(&self.qdlin_cycle100_ah)?))
            })
            .collect()
    }

    /// Per-cycle summaries (discharge capacity = Q at 2.0 V) for every cell.
    pub fn cycle_summaries(&self) -> Vec<CycleSummary> {
        let mut out = Vec::with_capacity(self.cells.len() * self.cycles.len());
        for (j, cell) in self.cells.iter().enumerate() {
            for (i, &cyc) in self.cycles.iter().enumerate() {
                out.push(CycleSummary {
                    cell_id: cell.cell_id.clone(),
                    cycle_index: cyc,
                    discharge_capacity_ah: Some(self.q_at_2v_ah[[i, j]]),
                    ..Default::default()
                });
            }
        }
        out
    }
}
