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
