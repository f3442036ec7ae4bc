//! Helpers shared by the examples: output folders, progress bars, SVG plots,
//! and the EIS feature matrices they build.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use ndarray::Array2;
use plotters::prelude::*;
use voltai::battery_data::EisSpectrum;
use voltai::battery_data::features::eis_features;
use voltai::core::{Error, Result};

/// `reports/<name>/`, created.
pub fn output_dir(name: &str) -> Result<PathBuf> {
    let dir = Path::new("reports").join(name);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    Ok(dir)
}

/// A progress bar with the examples' common style.
pub fn progress(len: u64) -> ProgressBar {
    ProgressBar::new(len).with_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    )
}

fn plot_err(e: impl std::fmt::Display) -> Error {
    Error::Format {
        format: "svg".into(),
        path: "plot".into(),
        message: e.to_string(),
    }
}

/// How a plot draws its series.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Lines,
    Points,
}

/// One SVG chart of named series, drawn as lines or points, with a legend.
fn plot(
    path: &Path,
    title: &str,
    (x_label, y_label): (&str, &str),
    (x_range, y_range): ((f64, f64), (f64, f64)),
    series: &[(&str, Vec<(f64, f64)>)],
    style: Style,
) -> Result<()> {
    let root = SVGBackend::new(path, (560, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .draw()
        .map_err(plot_err)?;
    for (k, (name, pts)) in series.iter().enumerate() {
        let color = Palette99::pick(k).to_rgba();
        let drawn = match style {
            Style::Lines => {
                chart.draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))
            }
            Style::Points => {
                chart.draw_series(pts.iter().map(|&p| Circle::new(p, 2, color.filled())))
            }
        };
        drawn.map_err(plot_err)?.label(*name).legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
        });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(plot_err)?;
    root.present().map_err(plot_err)
}

/// Line plot of several named curves.
pub fn line_plot(
    path: &Path,
    title: &str,
    labels: (&str, &str),
    ranges: ((f64, f64), (f64, f64)),
    curves: &[(&str, Vec<(f64, f64)>)],
) -> Result<()> {
    plot(path, title, labels, ranges, curves, Style::Lines)
}

/// Scatter plot of named point groups.
pub fn scatter_plot(
    path: &Path,
    title: &str,
    labels: (&str, &str),
    ranges: ((f64, f64), (f64, f64)),
    groups: &[(&str, Vec<(f64, f64)>)],
) -> Result<()> {
    plot(path, title, labels, ranges, groups, Style::Points)
}

/// log10|Z| and phase (degrees) at `n` log-spaced frequencies in [f_lo, f_hi]
/// for each spectrum: the feature matrix of the EIS examples.
pub fn eis_matrix(spectra: &[&EisSpectrum], f_lo: f64, f_hi: f64, n: usize) -> Result<Array2<f64>> {
    let freqs: Vec<f64> = (0..n)
        .map(|k| {
            10f64.powf(f_lo.log10() + (f_hi.log10() - f_lo.log10()) * k as f64 / (n - 1) as f64)
        })
        .collect();
    let mut x = Array2::zeros((spectra.len(), 2 * n));
    for (i, s) in spectra.iter().enumerate() {
        let f = eis_features(s, &freqs)?;
        for k in 0..n {
            x[[i, k]] = f.magnitude_ohm[k].log10();
            x[[i, n + k]] = f.phase_deg[k];
        }
    }
    Ok(x)
}

/// One Chen et al. NMC pouch cell: charge C-rate and per-cycle series.
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
}

/// Loads `chen_nmc_pouch_aging_modes` as per-cell series.
pub fn chen_cells() -> Result<Vec<ChenCell>> {
    use voltai::battery_data::readers::ChenData;
    let data = ChenData::load(voltai::battery_data::data_dir::dataset_dir(
        "chen_nmc_pouch_aging_modes",
    )?)?;
    let mut out = Vec::new();
    for cell in &data.cells {
        let mut rows: Vec<_> = data
            .cycles
            .iter()
            .filter(|c| c.cell_id == cell.cell_id)
            .collect();
        rows.sort_by_key(|c| c.cycle_index);
        let c_rate = cell
            .tags
            .get("c_rate_num")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| Error::InvalidInput(format!("no C-rate for {}", cell.cell_id)))?;
        let mut capacity = Vec::new();
        let mut ce = Vec::new();
        let mut gap = Vec::new();
        for r in rows {
            if let (Some(q), Some(e), Some(v1), Some(v0)) = (
                r.discharge_capacity_ah,
                r.coulombic_efficiency,
                r.end_of_charge_voltage_v,
                r.end_of_discharge_voltage_v,
            ) {
                capacity.push(q);
                ce.push(e);
                gap.push(v1 - v0);
            }
        }
        out.push(ChenCell {
            id: cell.cell_id.clone(),
            c_rate,
            capacity,
            ce,
            gap,
        });
    }
    Ok(out)
}

/// The Attia et al. 2020 validation cells as (cell id, discharge capacity per
/// cycle in Ah, cycle order).
pub fn attia_capacity_series() -> Result<Vec<(String, Vec<f64>)>> {
    use std::collections::BTreeMap;
    use voltai::battery_data::readers::AttiaData;
    let data = AttiaData::load(voltai::battery_data::data_dir::dataset_dir(
        "attia2020_closed_loop_fastcharge",
    )?)?;
    let mut by_cell: BTreeMap<String, Vec<(u32, f64)>> = BTreeMap::new();
    for c in &data.trajectories {
        if let Some(q) = c.discharge_capacity_ah {
            by_cell
                .entry(c.cell_id.clone())
                .or_default()
                .push((c.cycle_index, q));
        }
    }
    Ok(by_cell
        .into_iter()
        .map(|(id, mut v)| {
            v.sort_by_key(|p| p.0);
            (id, v.into_iter().map(|p| p.1).collect())
        })
        .collect())
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
pub fn chen_retention_dataset() -> Result<voltai::core::Dataset> {
    use std::collections::BTreeMap;
    use voltai::battery_data::data_dir::dataset_dir;
    use voltai::battery_data::readers::ChenData;
    use voltai::battery_data::validate::{Rules, validate_cycles};
    use voltai::core::Dataset;
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
        let desc = m.tags.get("description").cloned().unwrap_or_default();
        let c_rate: f64 = m
            .tags
            .get("c_rate_num")
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN);
        rows.push([
            c_rate,
            q400 / q0,
            f64::from(u8::from(desc.contains("NMC811"))),
            f64::from(u8::from(desc.contains("moderate"))),
            f64::from(u8::from(desc.contains("high"))),
        ]);
    }
    let n = rows.len();
    let x = Array2::from_shape_fn((n, 5), |(i, j)| rows[i][j]);
    let data = Dataset::unsupervised(x)?.with_feature_names(CHEN_COLUMNS.to_vec())?;
    Ok(data)
}

/// The minimum adjustment set for C-rate → retention in [`CHEN_DAG`]:
/// the graph's node names and the data columns that code them.
pub fn chen_adjustment(
    graph: &voltai::causal::CausalGraph,
) -> Result<(Vec<String>, Vec<&'static str>)> {
    let chosen = graph
        .minimum_adjustment_set("c_rate", "retention")?
        .ok_or_else(|| Error::InvalidInput("not identifiable".into()))?;
    let columns = chosen.iter().flat_map(|v| chen_columns_of(v)).collect();
    Ok((chosen.into_iter().map(|s| s.to_string()).collect(), columns))
}

/// The one-RC cell of the SINDy examples under its pulsed current: states
/// (v1, soc), the current as a one-column control, and the SINDYc model
/// discovered from them (quadratic library, forward differences, STLSQ).
pub fn one_rc_sindyc(
    cell: &voltai::discovery::sindy::systems::OneRcCell,
    dt: f64,
    n: usize,
) -> Result<(
    Array2<f64>,
    Array2<f64>,
    voltai::discovery::sindy::SindyModel,
)> {
    use voltai::discovery::sindy::systems::pulsed_current;
    use voltai::discovery::sindy::{
        FiniteDifference, PolynomialLibrary, Sindy, Stlsq, Times, Trajectory,
    };
    let (x, current) = cell.simulate(pulsed_current, [0.0, 0.9], dt, n)?;
    let u = current.insert_axis(ndarray::Axis(1));
    let traj = Trajectory::new(x.clone(), Times::uniform(dt)?)?.with_control(u.clone())?;
    let model = Sindy::new()
        .library(PolynomialLibrary::new(2)?)
        .differentiator(FiniteDifference::new(1)?)
        .optimizer(Stlsq::new(1e-3)?.alpha(1e-9)?.normalize_columns(true))
        .state_names(&["v1", "soc"])?
        .control_names(&["i"])?
        .fit(std::slice::from_ref(&traj))?;
    Ok((x, u, model))
}

/// The Attia et al. 2020 replay: for each seed, the evaluations GP + log-EI
/// needs to first pick one of the 5 protocols with the longest published
/// lives; also returns the number of protocols.
pub fn attia_replay(seeds: u64) -> Result<(Vec<usize>, usize)> {
    use voltai::battery_data::data_dir::dataset_dir;
    use voltai::battery_data::readers::AttiaData;
    use voltai::discovery::bo::replay::{ReplaySettings, evaluations_to_top_k};
    let data = AttiaData::load(dataset_dir("attia2020_closed_loop_fastcharge")?)?;
    let protocols = Array2::from_shape_fn((data.clo_estimated.len(), 4), |(i, j)| {
        data.clo_estimated[i].protocol[j]
    });
    let lives: Vec<f64> = data.clo_estimated.iter().map(|p| p.cycle_life).collect();
    let counts = (0..seeds)
        .map(|seed| {
            evaluations_to_top_k(
                protocols.view(),
                &lives,
                5,
                &ReplaySettings::default(),
                seed,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((counts, protocols.nrows()))
}
