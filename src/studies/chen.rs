//! The Chen et al. NMC pouch cells: per-cell series for the multi-task
//! network, the retention data set and (with the `causal` feature) the
//! effect of charge C-rate on capacity retention.

use ndarray::Array2;
use voltai_battery_data::data_dir::dataset_dir;
use voltai_battery_data::readers::ChenData;
use voltai_core::{Dataset, Error, Result};

/// One Chen et al. NMC pouch cell: charge C-rate and per-cycle series.
#[derive(Debug, Clone, PartialEq)]
pub struct ChenCell {
    /// Cell id.
    pub id: String,
    /// Charge C-rate.
    pub c_rate: f64,
    /// Discharge capacity per cycle (Ah), cycle order.
    pub capacity: Vec<f64>,
    /// Coulombic efficiency per cycle (fraction).
    pub ce: Vec<f64>,
    /// End-of-charge minus end-of-discharge voltage per cycle (V): a
    /// polarisation / resistance-growth signal.
    pub gap: Vec<f64>,
    /// NMC811 cathode (NMC532 otherwise), as the reader parsed the pack.
    pub nmc811: bool,
    /// Electrode loading as the reader parsed it ("low", "moderate", "high").
    pub loading: Option<String>,
}

fn c_rate_of(m: &voltai_battery_data::CellMetadata) -> Result<f64> {
    m.tags
        .get("c_rate_num")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| Error::InvalidInput(format!("no C-rate for {}", m.cell_id)))
}

/// `chen_nmc_pouch_aging_modes` as per-cell series, read through
/// [`CellHistory`](voltai_battery_data::CellHistory) (cycles that lack any
/// of the four values are left out of the series).
pub fn chen_cells() -> Result<Vec<ChenCell>> {
    let data = ChenData::load(dataset_dir("chen_nmc_pouch_aging_modes")?)?;
    data.histories()?
        .iter()
        .map(|h| {
            let mut cell = ChenCell {
                id: h.cell_id().to_string(),
                c_rate: c_rate_of(&h.metadata)?,
                capacity: Vec::new(),
                ce: Vec::new(),
                gap: Vec::new(),
                nmc811: h.metadata.chemistry.as_deref() == Some("NMC811/graphite"),
                loading: h.metadata.tags.get("loading").cloned(),
            };
            for r in h.cycles() {
                if let (Some(q), Some(e), Some(v1), Some(v0)) = (
                    r.discharge_capacity_ah,
                    r.coulombic_efficiency,
                    r.end_of_charge_voltage_v,
                    r.end_of_discharge_voltage_v,
                ) {
                    cell.capacity.push(q);
                    cell.ce.push(e);
                    cell.gap.push(v1 - v0);
                }
            }
            Ok(cell)
        })
        .collect()
}

/// Least-squares slope of `v` against its index.
fn index_slope(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    let xm = (n - 1.0) / 2.0;
    let ym = v.iter().sum::<f64>() / n;
    let sxy: f64 = v
        .iter()
        .enumerate()
        .map(|(i, y)| (i as f64 - xm) * (y - ym))
        .sum();
    let sxx: f64 = (0..v.len()).map(|i| (i as f64 - xm).powi(2)).sum();
    sxy / sxx
}

/// Names of the inputs of [`chen_early_life_table`].
pub const CHEN_EARLY_INPUTS: [&str; 9] = [
    "charge C-rate",
    "NMC811",
    "moderate loading",
    "high loading",
    "retention at cycle 50",
    "fade slope 10-50 (%/cycle)",
    "mean CE 10-50",
    "voltage gap at cycle 10 (V)",
    "gap slope 10-50 (mV/cycle)",
];

/// Names of the targets of [`chen_early_life_table`].
pub const CHEN_EARLY_TARGETS: [&str; 2] = ["retention at cycle 400", "gap growth 10-400 (V)"];

/// The multi-task table of the Chen cells with at least 400 cycles: the
/// design of each cell (charge C-rate, cathode, loading) and what its first
/// 50 cycles show ([`CHEN_EARLY_INPUTS`]; retention relative to the mean of
/// cycles 2–6), and two targets ([`CHEN_EARLY_TARGETS`]): retention at
/// cycle 400 and the growth of the end-of-charge minus end-of-discharge
/// voltage gap from cycle 10 to 400 (a resistance-growth signal).
pub fn chen_early_life_table(cells: &[ChenCell]) -> Result<(Array2<f64>, Array2<f64>)> {
    let rows: Vec<([f64; 9], [f64; 2])> = cells
        .iter()
        .filter(|c| c.capacity.len() >= 400 && c.ce.len() >= 400 && c.gap.len() >= 400)
        .map(|c| {
            let q0 = c.capacity[1..6].iter().sum::<f64>() / 5.0;
            let loading = c.loading.as_deref();
            (
                [
                    c.c_rate,
                    f64::from(u8::from(c.nmc811)),
                    f64::from(u8::from(loading == Some("moderate"))),
                    f64::from(u8::from(loading == Some("high"))),
                    c.capacity[49] / q0,
                    100.0 * index_slope(&c.capacity[9..50]) / q0,
                    c.ce[9..50].iter().sum::<f64>() / 41.0,
                    c.gap[9],
                    1e3 * index_slope(&c.gap[9..50]),
                ],
                [c.capacity[399] / q0, c.gap[399] - c.gap[9]],
            )
        })
        .collect();
    if rows.is_empty() {
        return Err(Error::EmptyInput("no Chen cell reaches 400 cycles".into()));
    }
    let n = rows.len();
    Ok((
        Array2::from_shape_fn((n, 9), |(i, j)| rows[i].0[j]),
        Array2::from_shape_fn((n, 2), |(i, j)| rows[i].1[j]),
    ))
}

/// Columns of [`chen_retention_dataset`].
pub const CHEN_COLUMNS: [&str; 5] = [
    "c_rate",
    "retention_400",
    "chem_nmc811",
    "loading_moderate",
    "loading_high",
];

/// The causal graph of the C-rate question on the Chen cells: chemistry
/// and electrode loading drive both the charge rate a pack was tested at
/// and its retention.
pub const CHEN_DAG: &str = "dag {
           chemistry -> c_rate   loading -> c_rate
           chemistry -> retention   loading -> retention
           c_rate -> retention
         }";

/// Data columns that code a node of [`CHEN_DAG`] (loading has two indicators).
pub fn chen_columns_of(node: &str) -> Vec<&'static str> {
    match node {
        "chemistry" => vec!["chem_nmc811"],
        "loading" => vec!["loading_moderate", "loading_high"],
        _ => Vec::new(),
    }
}

/// One row per Chen cell with a capacity at cycle 400: C-rate, retention
/// at cycle 400 (relative to the mean of cycles 3–7, after masking
/// implausible values), chemistry and loading indicators.
pub fn chen_retention_dataset() -> Result<Dataset> {
    use std::collections::BTreeMap;
    use voltai_battery_data::validate::{Rules, validate_cycles};
    let chen = ChenData::load(dataset_dir("chen_nmc_pouch_aging_modes")?)?;
    let mut cycles = chen.cycles.clone();
    let report = validate_cycles(&cycles, &|_| None, &Rules::default())?;
    report.apply_to_cycles(&mut cycles);
    let mut per_cell: BTreeMap<&str, Vec<(u32, f64)>> = BTreeMap::new();
    for c in &cycles {
        if let Some(q) = c.discharge_capacity_ah {
            per_cell
                .entry(c.cell_id.as_str())
                .or_default()
                .push((c.cycle_index, q));
        }
    }
    let mut rows = Vec::new();
    for m in &chen.cells {
        let Some(series) = per_cell.get(m.cell_id.as_str()) else {
            continue;
        };
        let early: Vec<f64> = series
            .iter()
            .filter(|(k, _)| (3..=7).contains(k))
            .map(|p| p.1)
            .collect();
        let Some(&(_, q400)) = series.iter().find(|(k, _)| *k == 400) else {
            continue;
        };
        if early.is_empty() {
            continue;
        }
        let q0 = early.iter().sum::<f64>() / early.len() as f64;
        // Chemistry and loading as the reader parsed them, not by searching
        // free text here.
        let nmc811 = m.chemistry.as_deref() == Some("NMC811/graphite");
        let loading = m.tags.get("loading").map(String::as_str);
        let c_rate: f64 = m
            .tags
            .get("c_rate_num")
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN);
        rows.push([
            c_rate,
            q400 / q0,
            f64::from(u8::from(nmc811)),
            f64::from(u8::from(loading == Some("moderate"))),
            f64::from(u8::from(loading == Some("high"))),
        ]);
    }
    let n = rows.len();
    let x = Array2::from_shape_fn((n, 5), |(i, j)| rows[i][j]);
    Dataset::unsupervised(x)?.with_feature_names(CHEN_COLUMNS.to_vec())
}

#[cfg(feature = "causal")]
/// The minimum adjustment set for C-rate → retention in [`CHEN_DAG`]:
/// the graph's node names and the data columns that code them.
pub fn chen_adjustment(
    graph: &voltai_causal::CausalGraph,
) -> Result<(Vec<String>, Vec<&'static str>)> {
    let chosen = graph
        .minimum_adjustment_set("c_rate", "retention")?
        .ok_or_else(|| Error::InvalidInput("not identifiable".into()))?;
    let columns = chosen.iter().flat_map(|v| chen_columns_of(v)).collect();
    Ok((chosen.into_iter().map(|s| s.to_string()).collect(), columns))
}

/// What [`c_rate_effect`] finds.
#[cfg(feature = "causal")]
#[derive(Debug, Clone, PartialEq)]
pub struct CRateEffect {
    /// Cells in the retention data set.
    pub cells: usize,
    /// The minimal adjustment set (graph nodes).
    pub adjustment_set: Vec<String>,
    /// Effect of +1C on retention at cycle 400 ignoring confounding.
    pub naive: voltai_causal::Estimate,
    /// The same, adjusted for the set above.
    pub adjusted: voltai_causal::Estimate,
}

/// The effect of +1C charge rate on retention at cycle 400, naive and
/// adjusted, by linear regression with `bootstrap` resamples (seeded).
#[cfg(feature = "causal")]
pub fn c_rate_effect(bootstrap: usize, seed: u64) -> Result<CRateEffect> {
    use voltai_causal::{CausalGraph, Estimator, Method};
    let data = chen_retention_dataset()?;
    let graph = CausalGraph::from_dagitty(CHEN_DAG)?;
    let (chosen, adjust) = chen_adjustment(&graph)?;
    let est = Estimator::new(Method::LinearRegression).bootstrap(bootstrap, seed)?;
    Ok(CRateEffect {
        cells: data.n_samples(),
        adjustment_set: chosen,
        naive: est.estimate(&data, "c_rate", "retention_400", &[])?,
        adjusted: est.estimate(&data, "c_rate", "retention_400", &adjust)?,
    })
}
