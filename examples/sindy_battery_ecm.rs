//! SINDy with control (SINDYc) recovers a one-RC equivalent-circuit cell model
//! from a pulsed-current test, reads back R1·C1, C1 and the capacity, and
//! simulates the discovered model against the data.
//!
//! Data: generated — a Thevenin cell (R1 = 15 mΩ, C1 = 2000 F, Q = 2.5 Ah)
//! under a repeating 2–5 A discharge / charge pulse profile, logged at 10 Hz
//! for one hour (the states are the RC overpotential v1 and SOC; the input is
//! the current i). Library: degree-2 polynomials of (v1, soc, i); forward
//! differences (exact for SOC under a current held between samples);
//! STLSQ on unit-norm columns. Writes `reports/sindy_battery_ecm/*.svg`.
//! Takes about a second.
//!
//! ```text
//! cargo run --release --example sindy_battery_ecm
//! ```

#[path = "support/mod.rs"]
mod support;

use ndarray::Axis;
use voltai::discovery::sindy::interpolate_rows;
use voltai::discovery::sindy::systems::OneRcCell;

fn main() -> Result<(), voltai::core::Error> {
    let cell = OneRcCell {
        r1: 0.015,
        c1: 2000.0,
        capacity_ah: 2.5,
    };
    let (dt, n) = (0.1, 36_000);
    let bar = support::progress(3);
    bar.set_message("simulating the pulse test and fitting SINDYc");
    let (x, u, model) = voltai::studies::ecm::one_rc_sindyc(&cell, dt, n)?;
    bar.inc(2);

    bar.set_message("simulating the discovered model");
    let t = ndarray::Array1::from_shape_fn(n, |k| k as f64 * dt);
    let control = |at: f64| interpolate_rows(t.view(), &u, (at / dt + 1e-9).floor() * dt);
    let sim = model.simulate(x.row(0), t.view(), Some(&control), Default::default())?;
    let dir = support::output_dir("sindy_battery_ecm")?;
    let window = 0..6000; // the first 10 minutes
    let v1_path = dir.join("v1.svg");
    support::line_plot(
        &v1_path,
        "RC overpotential: data vs discovered model (first 10 min)",
        ("t (s)", "v1 (V)"),
        ((0.0, 600.0), (-0.05, 0.1)),
        &[
            ("data", window.clone().map(|k| (t[k], x[[k, 0]])).collect()),
            ("SINDYc", window.map(|k| (t[k], sim[[k, 0]])).collect()),
        ],
    )?;
    let soc_path = dir.join("soc.svg");
    support::line_plot(
        &soc_path,
        "State of charge: data vs discovered model",
        ("t (s)", "SOC"),
        ((0.0, 3600.0), (0.6, 0.95)),
        &[
            (
                "data",
                (0..n).step_by(50).map(|k| (t[k], x[[k, 1]])).collect(),
            ),
            (
                "SINDYc",
                (0..n).step_by(50).map(|k| (t[k], sim[[k, 1]])).collect(),
            ),
        ],
    )?;
    bar.inc(1);
    bar.finish_and_clear();

    println!("Discovered model (v1: RC overpotential, soc: state of charge, i: current):");
    for e in model.equations(4) {
        println!("  {e}");
    }
    let tau = -1.0 / model.coefficient("v1", "v1")?;
    let c1 = 1.0 / model.coefficient("v1", "i")?;
    let q = -1.0 / (3600.0 * model.coefficient("soc", "i")?);
    println!(
        "\n{:<14}{:>12}{:>12}{:>9}",
        "parameter", "true", "recovered", "error"
    );
    for (name, truth, got) in [
        ("R1·C1 (s)", cell.r1 * cell.c1, tau),
        ("C1 (F)", cell.c1, c1),
        ("Q (Ah)", cell.capacity_ah, q),
    ] {
        println!(
            "{name:<14}{truth:>12.4}{got:>12.4}{:>8.2} %",
            100.0 * (got / truth - 1.0)
        );
    }
    let worst = (&sim - &x)
        .mapv(f64::abs)
        .fold_axis(Axis(0), 0.0f64, |m, v| m.max(*v));
    println!(
        "\nsimulation vs data over the hour: max |Δv1| = {:.2e} V, max |Δsoc| = {:.2e}",
        worst[0], worst[1]
    );
    println!("plots: {}, {}", v1_path.display(), soc_path.display());
    Ok(())
}
