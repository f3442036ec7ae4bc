//! A fleet's per-cell features three ways: our streaming scan, DataFusion
//! and Ballista standalone (with the `ballista` feature), checked to agree
//! on every cell to 1e-12 relative.
//!
//! ```text
//! cargo run --release -p voltai-fleet --all-features --example fleet_features -- \
//!     [cells] [cycles] [points] [file] [--partitions N] [--fade-only] [--route R]
//! ```
//! Writes a synthetic fleet (cells × cycles × points rows, cell by cell,
//! with a progress bar) unless `file` exists, then prints each route's
//! time and one JSON line with the timings and every cell's features.
//! `--route scan|datafusion|ballista` runs one route alone (no agreement
//! check), so a process's peak memory is that route's.
//! `--fade-only` computes fade slope and cycle life only (what
//! `benches/compare/fleet.py` asks polars for). `VOLTAI_QUICK=1`: 20 cells
//! × 120 cycles × 12 points.

use std::time::Instant;

use datafusion::execution::context::SessionContext;
use indicatif::{ProgressBar, ProgressStyle};
use voltai_battery_data::features::FleetFeatureOptions;
use voltai_battery_data::fleet::{SyntheticFleet, scan_features};
use voltai_core::{Error, Result};
use voltai_fleet::{FleetFeatures, cell_features, local_context, register_parquet};

fn agree(a: &[FleetFeatures], b: &[FleetFeatures], route: &str) -> Result<()> {
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * x.abs().max(y.abs());
    if a.len() != b.len() {
        return Err(Error::internal(format!(
            "{route}: {} cells vs {}",
            b.len(),
            a.len()
        )));
    }
    for (x, y) in a.iter().zip(b) {
        let dq_ok = match (x.delta_q_variance, y.delta_q_variance) {
            (Some(p), Some(q)) => close(p, q),
            (p, q) => p == q,
        };
        if x.cell_id != y.cell_id
            || !close(x.fade_slope_ah_per_cycle, y.fade_slope_ah_per_cycle)
            || x.cycle_life != y.cycle_life
            || !dq_ok
        {
            return Err(Error::internal(format!(
                "{route} disagrees with the scan: {y:?} vs {x:?}"
            )));
        }
    }
    Ok(())
}

/// The feature query on the fleet file in `ctx` (local or Ballista).
async fn query(
    ctx: SessionContext,
    path: &str,
    options: &FleetFeatureOptions,
) -> Result<Vec<FleetFeatures>> {
    register_parquet(&ctx, "fleet", path).await?;
    cell_features(&ctx, "fleet", options).await
}

fn main() -> Result<()> {
    let flag = |name: &str| std::env::args().any(|a| a == name);
    let mut args: Vec<String> = Vec::new();
    let mut partitions = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut route = String::from("all");
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--partitions" => {
                partitions = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| Error::InvalidInput("--partitions needs a number".into()))?
            }
            "--route" => {
                route = it
                    .next()
                    .ok_or_else(|| Error::InvalidInput("--route needs a name".into()))?
            }
            "--fade-only" => {}
            _ => args.push(a),
        }
    }
    let quick = std::env::var_os("VOLTAI_QUICK").is_some();
    let default = if quick {
        (20, 120, 12)
    } else {
        (1000, 1000, 10)
    };
    let arg = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (cells, cycles, points) = (
        arg(0, default.0),
        arg(1, default.1) as u32,
        arg(2, default.2) as u32,
    );
    let path = args.get(3).cloned().unwrap_or_else(|| {
        std::env::temp_dir()
            .join(format!("voltai_fleet_{cells}x{cycles}x{points}.parquet"))
            .display()
            .to_string()
    });
    let mut options = FleetFeatureOptions::default();
    if flag("--fade-only") {
        options = options.delta_q_cycles(None)?;
    }

    let fleet = SyntheticFleet::new(cells, cycles, points)?;
    if !std::path::Path::new(&path).exists() {
        let bar = ProgressBar::new(cells as u64).with_style(
            ProgressStyle::with_template("writing {pos}/{len} cells {wide_bar} {eta}")
                .map_err(|e| Error::internal(e.to_string()))?,
        );
        // Written under another name and renamed when complete, so an
        // interrupted run never leaves a truncated fleet to be read back.
        let partial = format!("{path}.partial");
        fleet.write(&partial, &mut |p| bar.set_position(p.step as u64))?;
        std::fs::rename(&partial, &path).map_err(|e| Error::io(&path, e))?;
        bar.finish_and_clear();
        eprintln!("wrote {} rows to {path}", fleet.rows());
    }

    let runs = |name: &str| route == "all" || route == name;
    if !["all", "scan", "datafusion", "ballista"].contains(&route.as_str()) {
        return Err(Error::InvalidInput(format!("unknown route `{route}`")));
    }
    // Each route's features and seconds, in the order run.
    let mut results: Vec<(&str, Vec<FleetFeatures>, f64)> = Vec::new();
    let mut record =
        |name: &'static str, label: String, t: Instant, features: Vec<FleetFeatures>| {
            let s = t.elapsed().as_secs_f64();
            eprintln!("{label}: {} cells in {s:.3} s", features.len());
            results.push((name, features, s));
        };
    if runs("scan") {
        let t = Instant::now();
        let scan = scan_features(&path, &options)?
            .iter()
            .map(FleetFeatures::from)
            .collect();
        record("scan", "streaming scan".into(), t, scan);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io(&path, e))?;
    if runs("datafusion") {
        let t = Instant::now();
        let sql = rt.block_on(query(local_context(partitions, &options), &path, &options))?;
        record(
            "datafusion",
            format!("DataFusion ({partitions} partitions)"),
            t,
            sql,
        );
    }
    #[cfg(feature = "ballista")]
    if runs("ballista") {
        let t = Instant::now();
        let cluster = rt.block_on(async {
            let ctx = voltai_fleet::ballista_standalone(partitions, &options).await?;
            query(ctx, &path, &options).await
        })?;
        let label = format!("Ballista standalone ({partitions} partitions)");
        record("ballista", label, t, cluster);
    }
    let Some((first_route, first, _)) = results.first() else {
        return Err(Error::InvalidInput(format!(
            "route `{route}` needs the `ballista` feature"
        )));
    };
    for (name, features, _) in &results[1..] {
        agree(first, features, name)?;
        eprintln!("{name} agrees with the {first_route} on every cell");
    }
    let seconds = |name: &str| results.iter().find(|r| r.0 == name).map(|r| r.2);
    let features: Vec<serde_json::Value> = first
        .iter()
        .map(|f| {
            serde_json::json!([
                f.cell_id,
                f.fade_slope_ah_per_cycle,
                f.cycle_life,
                f.delta_q_variance
            ])
        })
        .collect();
    println!(
        "{}",
        serde_json::json!({
            "file": path,
            "rows": fleet.rows(),
            "cells": first.len(),
            "partitions": partitions,
            "scan_s": seconds("scan"),
            "datafusion_s": seconds("datafusion"),
            "ballista_s": seconds("ballista"),
            "features": features,
        })
    );
    Ok(())
}
