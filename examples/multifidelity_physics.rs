//! A physics model as the cheap source: PyBaMM's SPMe with published LG M50
//! parameters, fused with 10 measurements of an aged cell (PyBaMM's DFN with
//! ageing and a thermal model, plus 3 mV noise) at 0.5C and 1.5C, predicting
//! the cell's curves at five held-out rates (0.25C–2C). Data and protocol:
//! `data/multifidelity/README.md`, `voltai::studies::physics_fusion`.
//!
//! For 20 seeds (each: which 200 SPMe points, which 10 measurements, noise,
//! sampler) it prints, per method, the held-out RMSE against the cell, the
//! worst seed's RMSE relative to the SPMe alone, the 95 % interval coverage
//! of the cell's noise-free voltage, the fit time and how many fits reported
//! a diagnostic; and writes the fits at 1C and 2C with ±2σ bands to
//! `reports/multifidelity_physics/`.
//!
//! ```text
//! cargo run --release --example multifidelity_physics [-- --seeds N] [-- --json FILE]
//! ```
//! About 15 s in release; `VOLTAI_QUICK=1` runs 3 seeds.
//! `--json` writes every seed's inputs and our predictions, which
//! `benches/compare/multifidelity.py` reads to run emukit on the same data.

#[path = "support/mod.rs"]
mod support;

use std::fmt::Write as _;

use voltai::core::metrics::rmse;
use voltai::core::{Error, Result};
use voltai::gp::Scheme;
use voltai::studies::physics_fusion::{self as pf, FusionSplit, HELD_OUT_RATES, Hyper, Method};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn json_array(v: impl IntoIterator<Item = f64>) -> String {
    let items: Vec<String> = v.into_iter().map(|x| format!("{x:.9}")).collect();
    format!("[{}]", items.join(","))
}

fn json_split(s: &FusionSplit) -> String {
    let rows = |x: &ndarray::Array2<f64>| {
        let r: Vec<String> = x
            .rows()
            .into_iter()
            .map(|r| json_array(r.iter().copied()))
            .collect();
        format!("[{}]", r.join(","))
    };
    format!(
        "\"x_cheap\":{},\"y_cheap\":{},\"x_exp\":{},\"y_exp\":{},\"x_test\":{},\"y_test\":{},\"cheap_test\":{}",
        rows(&s.cheap.features().to_owned()),
        json_array(s.cheap.targets().map(|t| t.to_vec()).unwrap_or_default()),
        rows(&s.expensive.features().to_owned()),
        json_array(
            s.expensive
                .targets()
                .map(|t| t.to_vec())
                .unwrap_or_default()
        ),
        rows(&s.test_x),
        json_array(s.test_y.iter().copied()),
        json_array(s.test_cheap.iter().copied()),
    )
}

fn main() -> Result<()> {
    // VOLTAI_QUICK=1 (CI): 3 seeds, only to show the pipeline runs.
    let quick = std::env::var_os("VOLTAI_QUICK").is_some();
    let seeds: u64 = arg("--seeds")
        .and_then(|s| s.parse().ok())
        .unwrap_or(if quick { 3 } else { 20 });
    let json_path = arg("--json");
    let curves = pf::load_curves(&pf::default_path())?;
    let methods = [
        Method::CoKrigingThreeRestarts,
        Method::TabledCheap(Scheme::Linear, Hyper::PointEstimate),
        Method::TabledCheap(Scheme::Linear, Hyper::Sampled),
        Method::TabledCheap(Scheme::InputScaled, Hyper::Sampled),
        Method::TabledCheap(Scheme::Nonlinear, Hyper::Sampled),
        Method::Simulator(Scheme::Linear, Hyper::Sampled),
        Method::Simulator(Scheme::Nonlinear, Hyper::Sampled),
    ];
    println!(
        "PyBaMM {} SPMe (cheap) + 10 measurements of the aged cell at 0.5C and 1.5C; held out: {:?} C, {seeds} seeds",
        curves.pybamm_version, HELD_OUT_RATES
    );
    let bar = support::progress(seeds * methods.len() as u64);
    // [method][seed] → (rmse, ratio to cheap, coverage, seconds, diagnosed)
    let mut scores = vec![Vec::new(); methods.len()];
    let mut cheap_rmse = Vec::new();
    let mut json = String::from("{\"seeds\":[");
    let mut plotted = None;
    let mut reported = Vec::new();
    // Per held-out rate, the default model's and the SPMe's squared errors.
    let default = Method::TabledCheap(Scheme::Linear, Hyper::Sampled);
    let mut per_rate = vec![(0.0, 0.0, 0usize, 0usize); HELD_OUT_RATES.len()];
    for seed in 0..seeds {
        let split = pf::fusion_split(&curves, seed)?;
        let base = pf::cheap_rmse(&split)?;
        cheap_rmse.push(base);
        if seed > 0 {
            json.push(',');
        }
        let _ = write!(json, "{{\"seed\":{seed},{}", json_split(&split));
        for (k, &m) in methods.iter().enumerate() {
            bar.set_message(m.label());
            let r = pf::run_method(&curves, &split, m, seed)?;
            let e = rmse(split.test_y.view(), r.predictive.mean.view())?;
            scores[k].push((
                e,
                e / base,
                r.predictive.coverage(split.test_y.view(), 1.959_964)?,
                r.fit_seconds,
                !r.diagnostics.is_empty(),
            ));
            let _ = write!(
                json,
                ",\"{}\":{{\"mean\":{},\"sd\":{},\"fit_s\":{}}}",
                m.label(),
                json_array(r.predictive.mean.iter().copied()),
                json_array(r.predictive.variance.iter().map(|v| v.sqrt())),
                r.fit_seconds
            );
            if m == default {
                for i in 0..split.test_x.nrows() {
                    if let Some(k) = HELD_OUT_RATES
                        .iter()
                        .position(|&c| (c - split.test_x[[i, 1]]).abs() < 1e-9)
                    {
                        let (e, s) = (
                            r.predictive.mean[i] - split.test_y[i],
                            r.predictive.variance[i].sqrt(),
                        );
                        per_rate[k].0 += e * e;
                        per_rate[k].1 += (split.test_cheap[i] - split.test_y[i]).powi(2);
                        per_rate[k].2 += usize::from(e.abs() <= 1.959_964 * s);
                        per_rate[k].3 += 1;
                    }
                }
            }
            for d in &r.diagnostics {
                reported.push(format!("seed {seed}, {}: {d}", m.label()));
            }
            if seed == 0 && m == Method::TabledCheap(Scheme::Linear, Hyper::Sampled) {
                plotted = Some((split.clone(), r.clone()));
            }
            bar.inc(1);
        }
        json.push('}');
    }
    json.push_str("]}");
    bar.finish_and_clear();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "cheap model alone (SPMe): held-out RMSE {:.1} mV (mean over seeds)\n",
        1e3 * mean(&cheap_rmse)
    );
    println!(
        "{:<38} {:>10} {:>11} {:>11} {:>9} {:>10}",
        "method", "RMSE (mV)", "worst/SPMe", "95% cover", "fit (s)", "diagnosed"
    );
    for (m, s) in methods.iter().zip(&scores) {
        let col = |i: usize| {
            s.iter()
                .map(|t| [t.0, t.1, t.2, t.3][i])
                .collect::<Vec<_>>()
        };
        let worst = col(1).into_iter().fold(0.0, f64::max);
        println!(
            "{:<38} {:>10.1} {:>11.2} {:>10.1}% {:>9.2} {:>7}/{}",
            m.label(),
            1e3 * mean(&col(0)),
            worst,
            100.0 * mean(&col(2)),
            mean(&col(3)),
            s.iter().filter(|t| t.4).count(),
            s.len()
        );
    }
    println!(
        "\nper held-out rate, {} (all seeds pooled):",
        default.label()
    );
    for (rate, (e, c, hit, n)) in HELD_OUT_RATES.iter().zip(&per_rate) {
        let n = (*n).max(1) as f64;
        println!(
            "  {rate:>4}C: RMSE {:>5.1} mV (SPMe alone {:>5.1} mV), 95 % coverage {:>5.1}%",
            1e3 * (e / n).sqrt(),
            1e3 * (c / n).sqrt(),
            100.0 * *hit as f64 / n
        );
    }
    if !reported.is_empty() {
        println!("\ndiagnostics reported:");
        for r in &reported {
            println!("  {r}");
        }
    }
    if let Some(path) = json_path {
        std::fs::write(&path, json).map_err(|e| Error::io(&path, e))?;
        println!("\nevery seed's inputs and predictions written to {path}");
    }
    if let Some((split, r)) = plotted {
        let dir = support::output_dir("multifidelity_physics")?;
        for rate in [1.0, 2.0] {
            let idx: Vec<usize> = (0..split.test_x.nrows())
                .filter(|&i| (split.test_x[[i, 1]] - rate).abs() < 1e-9)
                .collect();
            let at = |v: &dyn Fn(usize) -> f64| -> Vec<(f64, f64)> {
                idx.iter().map(|&i| (split.test_x[[i, 0]], v(i))).collect()
            };
            let p = &r.predictive;
            let path = dir.join(format!("fit_{rate}C.svg"));
            support::line_plot(
                &path,
                &format!("Held-out {rate}C: cell, SPMe and the fused model (±2σ), seed 0"),
                ("depth of discharge", "voltage (V)"),
                ((0.0, 0.7), (2.8, 4.2)),
                &[
                    ("cell (DFN, aged)", at(&|i| split.test_y[i])),
                    ("SPMe (cheap)", at(&|i| split.test_cheap[i])),
                    ("fused (Linear, sampled)", at(&|i| p.mean[i])),
                    ("+2σ", at(&|i| p.mean[i] + 2.0 * p.variance[i].sqrt())),
                    ("−2σ", at(&|i| p.mean[i] - 2.0 * p.variance[i].sqrt())),
                ],
            )?;
            println!("plot written to {}", path.display());
        }
    }
    Ok(())
}
