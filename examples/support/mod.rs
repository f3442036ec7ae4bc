//! Helpers shared by the examples: output folders, progress bars and SVG
//! plots. Data loading and model glue live in the library
//! (`voltai::studies`, `voltai::life`), where users can call them too.
#![allow(dead_code, unused_imports)]

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use plotters::prelude::*;
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
