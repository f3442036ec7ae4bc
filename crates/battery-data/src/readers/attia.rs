//! Reader for `attia2020_closed_loop_fastcharge/` (Attia et al. 2020, closed-loop optimisation).

use std::path::Path;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::mapping::{ColumnMap, CsvMapping, Field};
use crate::schema::{CellMetadata, CycleSummary};
use crate::table::Table;
use voltai_core::{Error, Result};

/// A protocol's lifetime (CLO estimate or an early prediction).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProtocolLife {
    /// C-rates CC1..CC4 of the four 20 %-SOC charging steps.
    pub protocol: [f64; 4],
    /// Lifetime in cycles.
    pub cycle_life: f64,
    /// CLO round (0–3) for early predictions; `None` for final estimates.
    pub round: Option<u32>,
}

/// One of the 45 validation cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationCell {
    /// e.g. `val_p1_r1`.
    pub cell_id: String,
    /// CC1..CC3 C-rates (CC4 follows from the 10-minute constraint).
    pub cc: [f64; 3],
    /// Replicate number.
    pub replicate: u32,
    /// Observed cycle life.
    pub observed_cycle_life: f64,
    /// Early prediction from the first 100 cycles (absent for one cell).
    pub early_predicted_cycle_life: Option<f64>,
    /// Prediction interval (low, high), cycles.
    pub prediction_interval: Option<(f64, f64)>,
}

/// The whole Attia folder except the raw Arbin export (see [`super::read_arbin`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AttiaData {
    /// The 224 candidate protocols, `224 × 4` (CC1..CC4).
    pub protocol_space: Array2<f64>,
    /// Final CLO-estimated lifetime of every protocol, best first.
    pub clo_estimated: Vec<ProtocolLife>,
    /// Early-predicted lifetimes of the cells tested in each round.
    pub early_predictions: Vec<ProtocolLife>,
    /// The validation cells.
    pub validation_cells: Vec<ValidationCell>,
    /// Full discharge-capacity trajectories of the validation cells.
    pub trajectories: Vec<CycleSummary>,
}

fn cc_cols<R: std::io::Read>(t: &Table<R>, n: usize) -> Result<Vec<usize>> {
    (1..=n).map(|i| t.column(&format!("CC{i}"))).collect()
}

fn read_lives(path: &Path, life_col: &str, with_round: bool) -> Result<Vec<ProtocolLife>> {
    let mut t = Table::open(path)?;
    let cc = cc_cols(&t, 4)?;
    let life = t.column(life_col)?;
    let round = if with_round {
        Some(t.column("round")?)
    } else {
        None
    };
    let mut out = Vec::new();
    while let Some(row) = t.next_row() {
        let row = row?;
        let mut protocol = [0.0; 4];
        for (p, &c) in protocol.iter_mut().zip(&cc) {
            *p = row.num(c)?;
        }
        out.push(ProtocolLife {
            protocol,
            cycle_life: row.num(life)?,
            round: round.map(|c| row.uint(c)).transpose()?,
        });
    }
    Ok(out)
}

impl AttiaData {
    /// Each validation cell's capacity trajectory as a
    /// [`CellHistory`](crate::CellHistory) (LFP/graphite, 1.1 Ah, its CC1–CC3
    /// protocol), in cell-id order.
    pub fn histories(&self) -> Result<Vec<crate::CellHistory>> {
        let ids: std::collections::BTreeSet<&str> = self
            .trajectories
            .iter()
            .map(|c| c.cell_id.as_str())
            .collect();
        let cells: Vec<CellMetadata> = ids
            .into_iter()
            .map(|id| CellMetadata {
                cell_id: id.to_string(),
                chemistry: Some("LFP/graphite".into()),
                nominal_capacity_ah: Some(1.1),
                protocol: self
                    .validation_cells
                    .iter()
                    .find(|v| v.cell_id == id)
                    .map(|v| format!("CC1–CC3 {:?} C to 80 % SOC", v.cc)),
                temperature_c: Some(30.0),
                ..Default::default()
            })
            .collect();
        crate::history::histories_from_summaries(&cells, &self.trajectories)
    }

    /// Loads the folder (e.g. `../shared/data/attia2020_closed_loop_fastcharge`).
    pub fn load(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let mut t = Table::open(&dir.join("protocol_space.csv"))?;
        let cc = cc_cols(&t, 4)?;
        let mut flat = Vec::new();
        while let Some(row) = t.next_row() {
            let row = row?;
            for &c in &cc {
                flat.push(row.num(c)?);
            }
        }
        let protocol_space = Array2::from_shape_vec((flat.len() / 4, 4), flat)
            .map_err(|e| Error::InvalidInput(e.to_string()))?;

        let clo_estimated = read_lives(
            &dir.join("clo_estimated_cycle_lives.csv"),
            "clo_estimated_cycle_life",
            false,
        )?;
        let early_predictions = read_lives(
            &dir.join("early_predictions_by_round.csv"),
            "early_predicted_cycle_life",
            true,
        )?;

        let mut t = Table::open(&dir.join("validation_cells.csv"))?;
        let (c_id, cc, c_rep) = (
            t.column("cell_id")?,
            cc_cols(&t, 3)?,
            t.column("replicate")?,
        );
        let (c_obs, c_pred) = (
            t.column("observed_cycle_life")?,
            t.column("early_predicted_cycle_life")?,
        );
        let (c_lo, c_hi) = (t.column("pred_interval_lo")?, t.column("pred_interval_hi")?);
        let mut validation_cells = Vec::new();
        while let Some(row) = t.next_row() {
            let row = row?;
            let interval = match (row.opt_num(c_lo)?, row.opt_num(c_hi)?) {
                (Some(lo), Some(hi)) => Some((lo, hi)),
                _ => None,
            };
            validation_cells.push(ValidationCell {
                cell_id: row.text(c_id)?.to_string(),
                cc: [row.num(cc[0])?, row.num(cc[1])?, row.num(cc[2])?],
                replicate: row.uint(c_rep)?,
                observed_cycle_life: row.num(c_obs)?,
                early_predicted_cycle_life: row.opt_num(c_pred)?,
                prediction_interval: interval,
            });
        }

        let mapping = CsvMapping {
            cell_id: None,
            columns: vec![
                ColumnMap {
                    column: "cell_id".into(),
                    field: Field::CellId,
                    unit: None,
                    negate: false,
                },
                ColumnMap {
                    column: "cycle".into(),
                    field: Field::CycleIndex,
                    unit: None,
                    negate: false,
                },
                ColumnMap {
                    column: "discharge_capacity_Ah".into(),
                    field: Field::DischargeCapacity,
                    unit: Some("Ah".into()),
                    negate: false,
                },
            ],
            ..Default::default()
        };
        let trajectories = mapping.read_cycles(dir.join("validation_capacity_trajectories.csv"))?;
        Ok(AttiaData {
            protocol_space,
            clo_estimated,
            early_predictions,
            validation_cells,
            trajectories,
        })
    }
}
