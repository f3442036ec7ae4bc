//! `voltai report`: one HTML page with, per cell, the capacity fade, ΔQ(V)
//! between cycles 10 and 100, the early-life features and the shipped
//! model's prediction, figures inline as SVG.

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use voltai_battery_data::CellHistory;
use voltai_battery_data::features::{DeltaQOptions, FeatureSet, cell_features, voltage_grid};
use voltai_core::{Error, Result};
use voltai_life::EarlyLifeModel;

use crate::load::{CellOptions, load_histories};

fn plot_err<E: std::fmt::Display>(e: E) -> Error {
    Error::internal(format!("drawing a figure: {e}"))
}

/// An SVG line chart as a string.
fn svg_chart(title: &str, x_label: &str, y_label: &str, pts: &[(f64, f64)]) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (520, 340)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let xr = finite_range(pts.iter().map(|p| p.0));
        let yr = finite_range(pts.iter().map(|p| p.1));
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .draw()
            .map_err(plot_err)?;
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), BLUE.stroke_width(2)))
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

fn finite_range(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = v
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        0.05 * (hi - lo)
    } else {
        0.5 * lo.abs().max(1e-9)
    };
    (lo - pad, hi + pad)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn cell_section(history: &CellHistory, model: &EarlyLifeModel) -> Result<String> {
    let mut html = format!("<h2>Cell {}</h2>\n", escape(history.cell_id()));
    let (cycles, q) = history.discharge_capacity();
    let fade: Vec<(f64, f64)> = cycles
        .iter()
        .zip(&q)
        .filter_map(|(c, q)| q.map(|q| (f64::from(*c), q)))
        .collect();
    html += &format!(
        "<p>{} cycles ({}–{}), {} with a discharge.</p>\n",
        cycles.len(),
        cycles.first().copied().unwrap_or(0),
        cycles.last().copied().unwrap_or(0),
        fade.len()
    );
    if fade.len() >= 2 {
        html += &svg_chart("Discharge capacity", "cycle", "Ah", &fade)?;
    }
    let options = DeltaQOptions::default();
    let dq = (|| -> Result<Vec<(f64, f64)>> {
        let early = history.discharge_curve(options.early, options.bins)?;
        let late = history.discharge_curve(options.late, options.bins)?;
        let (lo_a, hi_a) = early.voltage_range();
        let (lo_b, hi_b) = late.voltage_range();
        let grid = voltage_grid(hi_a.min(hi_b), lo_a.max(lo_b), 400)?;
        let (qa, qb) = (early.q_at(&grid)?, late.q_at(&grid)?);
        Ok(grid
            .iter()
            .zip(qa.iter().zip(&qb))
            .map(|(v, (a, b))| (*v, b - a))
            .collect())
    })();
    match dq {
        Ok(pts) => html += &svg_chart("ΔQ(V) = Q₁₀₀ − Q₁₀", "voltage (V)", "ΔQ (Ah)", &pts)?,
        Err(e) => html += &format!("<p>ΔQ(V): {}</p>\n", escape(&e.to_string())),
    }
    match cell_features(history, FeatureSet::SeversonAll, &options) {
        Ok(f) => {
            html += "<table><tr><th>feature</th><th>value</th></tr>\n";
            for (n, v) in f.names.iter().zip(&f.values) {
                html += &format!("<tr><td>{}</td><td>{v:.6e}</td></tr>\n", escape(n));
            }
            html += "</table>\n";
        }
        Err(e) => html += &format!("<p>Features: {}</p>\n", escape(&e.to_string())),
    }
    match model.predict(history) {
        Ok(p) => {
            html += &format!(
                "<p><b>Predicted cycle life: {:.0}</b> ({:.0} % interval {:.0}–{:.0}, model {}).</p>\n",
                p.cycle_life,
                100.0 * p.coverage,
                p.interval.0,
                p.interval.1,
                escape(&p.model)
            );
            for w in &p.warnings {
                html += &format!("<p class=\"warn\">Warning: {}</p>\n", escape(w));
            }
        }
        Err(e) => html += &format!("<p>No prediction: {}</p>\n", escape(&e.to_string())),
    }
    Ok(html)
}

/// Writes the report; false when some file could not be read.
pub fn run(files: &[PathBuf], output: &Path, options: &CellOptions) -> Result<bool> {
    let model = EarlyLifeModel::severson2019_discharge()?;
    let mut ok = true;
    let mut body = String::new();
    for (file, history) in load_histories(files, options) {
        body += &format!("<h3>{}</h3>\n", escape(&file.display().to_string()));
        match history.and_then(|h| cell_section(&h, &model)) {
            Ok(section) => body += &section,
            Err(e) => {
                ok = false;
                body += &format!("<p>Could not read: {}</p>\n", escape(&e.to_string()));
            }
        }
    }
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Voltai report</title>\n\
         <style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 8px}}\
         .warn{{color:#a40}}</style></head><body>\n<h1>Voltai report</h1>\n{body}</body></html>\n"
    );
    std::fs::write(output, html).map_err(|e| Error::io(output, e))?;
    eprintln!("report: {}", output.display());
    Ok(ok)
}
