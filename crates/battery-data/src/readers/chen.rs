//! Reader for `chen_nmc_pouch_aging_modes/` (INL NMC pouch cells, 1C–9C fast charging).

use std::path::Path;

use super::mapping::{ColumnMap, CsvMapping, Field};
use crate::schema::{CellMetadata, CycleSummary};
use crate::table::Table;
use voltai_core::Result;

/// Cells and per-cycle rows of the Chen/INL data set.
#[derive(Debug, Clone, PartialEq)]
pub struct ChenData {
    /// 44 cells; tags hold `pack`, `loading` (low, moderate, high), `c_rate`, `end_of_life_cycles`,
    /// `major_aging_mode` (where labelled) and `lam_pe_pct_experimental`.
    pub cells: Vec<CellMetadata>,
    /// Per-cycle discharge capacity, Coulombic efficiency (fraction), EOCV and EODV.
    pub cycles: Vec<CycleSummary>,
}

fn col(column: &str, field: Field, unit: &str) -> ColumnMap {
    ColumnMap {
        column: column.into(),
        field,
        unit: Some(unit.into()),
        negate: false,
    }
}

impl ChenData {
    /// Each cell as a [`CellHistory`](crate::CellHistory), in `cells` order.
    pub fn histories(&self) -> Result<Vec<crate::CellHistory>> {
        crate::history::histories_from_summaries(&self.cells, &self.cycles)
    }

    /// Loads the folder (e.g. `../shared/data/chen_nmc_pouch_aging_modes`).
    pub fn load(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let mut t = Table::open(&dir.join("cells.csv"))?;
        let c_id = t.column("cell_id")?;
        let c_desc = t.column("description")?;
        let c_rate = t.column("c_rate_num")?;
        let c_proto = t.column("protocol")?;
        let tag_cols: Vec<(String, usize)> = [
            "pack",
            "c_rate",
            "c_rate_num",
            "end_of_life_cycles",
            "charge_voltage_V",
            "major_aging_mode",
            "lam_pe_pct_experimental",
            "lam_pe_pct_std",
        ]
        .iter()
        .map(|n| Ok((n.to_string(), t.column(n)?)))
        .collect::<Result<_>>()?;
        let mut cells = Vec::new();
        while let Some(row) = t.next_row() {
            let row = row?;
            let desc = row.text(c_desc)?;
            // "P462 (NMC532, high load)" → NMC532
            let chemistry = desc
                .split(['(', ',', ')'])
                .map(str::trim)
                .find(|s| s.starts_with("NMC"))
                .map(|s| format!("{s}/graphite"));
            row.num(c_rate)?; // validated number; kept as text tag too
            let mut m = CellMetadata {
                cell_id: row.text(c_id)?.to_string(),
                chemistry,
                protocol: Some(format!(
                    "{} {}",
                    row.text(c_proto)?,
                    row.text(t_idx(&tag_cols, "c_rate"))?
                )),
                ..Default::default()
            };
            m.tags.insert("description".into(), desc.to_string());
            // "… high load)" → loading = high (the electrode loading class).
            if let Some(load) = desc
                .split(['(', ',', ')'])
                .map(str::trim)
                .find_map(|s| s.strip_suffix(" load"))
            {
                m.tags.insert("loading".into(), load.to_string());
            }
            for (name, c) in &tag_cols {
                let v = row.text(*c)?;
                if !v.is_empty() {
                    m.tags.insert(name.clone(), v.to_string());
                }
            }
            cells.push(m);
        }
        let mapping = CsvMapping {
            cell_id: None,
            columns: vec![
                col("cell_id", Field::CellId, ""),
                col("cycle", Field::CycleIndex, "count"),
                col("capacity_Ah", Field::DischargeCapacity, "Ah"),
                col("coulombic_efficiency_pct", Field::CoulombicEfficiency, "%"),
                col("eocv_V", Field::EndOfChargeVoltage, "V"),
                col("eodv_V", Field::EndOfDischargeVoltage, "V"),
            ],
            ..Default::default()
        };
        let cycles = mapping.read_cycles(dir.join("cycles.csv"))?;
        Ok(ChenData { cells, cycles })
    }
}

fn t_idx(cols: &[(String, usize)], name: &str) -> usize {
    cols.iter().find(|(n, _)| n == name).map_or(0, |(_, c)| *c)
}
