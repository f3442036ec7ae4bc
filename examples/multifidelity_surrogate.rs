//! Fuse a cheap battery model with a few measurements: multi-fidelity GPs.
//!
//! Low fidelity: a zero-RC equivalent-circuit model of a 2.5 Ah NMC cell's
//! discharge voltage, V = OCV(DoD) − I·R₀ — instant to evaluate, biased under
//! load. High fidelity ("measured"): the same cell with a polarisation RC branch
//! and a concentration overpotential that steepens near the end of discharge, plus
//! 5 mV of measurement noise, both written below. Inputs: depth of discharge and
//! C-rate. 60 low-fidelity points, 8 measurements.
//!
//! Compares, on a dense held-out grid of the true high-fidelity response: a GP on
//! the 8 measurements alone, one GP over both sources with a learned noise per
//! source, and Kennedy–O'Hagan co-kriging. The cheap model here is *biased*, which
//! the per-source-noise GP cannot represent (it ends up trusting the model); the
//! co-kriging discrepancy term can. Writes the 2C slice with ±2σ bands to
//! `reports/multifidelity_surrogate/fits_2C.svg`. Takes a few seconds.
//!
//! ```text
//! cargo run --release --example multifidelity_surrogate
//! ```

#[path = "support/mod.rs"]
mod support;

use ndarray::{Array1, Array2, Axis, concatenate};
use voltai::core::metrics::rmse;
use voltai::core::synthetic::SplitMix64;
use voltai::core::{Dataset, Fit, ProbabilisticRegressor, Regressor};
use voltai::gp::{CoKrigingParams, GpParams, Mean, NoiseModel};
use voltai::kernels::kernels::{Rbf, Scaled, Sum, White};

const CAPACITY_AH: f64 = 2.5;

/// Open-circuit voltage of an NMC/graphite cell vs depth of discharge (empirical shape).
fn ocv(dod: f64) -> f64 {
    let soc = 1.0 - dod;
    3.4 + 0.75 * soc + 0.05 * (8.0 * soc).sin() * (1.0 - soc) - 0.12 * (-25.0 * soc).exp()
}

/// Cheap model: ohmic drop only.
fn low_fidelity(dod: f64, c_rate: f64) -> f64 {
    ocv(dod) - c_rate * CAPACITY_AH * 0.025
}

/// "Measured" behaviour: ohmic + steady RC polarisation + concentration overpotential.
fn high_fidelity(dod: f64, c_rate: f64) -> f64 {
    let i = c_rate * CAPACITY_AH;
    let rc = i * 0.015 * (1.0 - (-dod * 12.0 / c_rate.max(0.2)).exp());
    let conc = 0.04 * c_rate * (dod / (1.02 - dod)).powf(0.7) * 0.1;
    ocv(dod) - i * 0.025 - rc - conc
}

fn grid(n_dod: usize, rates: &[f64]) -> Array2<f64> {
    let mut rows = Vec::new();
    for &c in rates {
        for k in 0..n_dod {
            rows.extend([0.9 * k as f64 / (n_dod - 1) as f64, c]);
        }
    }
    Array2::from_shape_vec((rows.len() / 2, 2), rows).unwrap_or_else(|_| Array2::zeros((0, 2)))
}

fn kernel() -> Result<Sum<Scaled<Rbf>, White>, voltai::core::Error> {
    Ok(Sum(
        Scaled::new(0.1, Rbf::ard(vec![0.3, 1.0])?)?,
        White::new(1e-4)?,
    ))
}

fn main() -> Result<(), voltai::core::Error> {
    let bar = support::progress(4);
    let mut rng = SplitMix64::new(2024);
    let xl = Array2::from_shape_fn((60, 2), |(_, j)| {
        if j == 0 {
            0.9 * rng.uniform()
        } else {
            0.5 + 2.5 * rng.uniform()
        }
    });
    let yl: Array1<f64> = xl
        .rows()
        .into_iter()
        .map(|r| low_fidelity(r[0], r[1]))
        .collect();
    let xh = Array2::from_shape_vec(
        (8, 2),
        vec![
            0.05, 1.0, 0.3, 2.5, 0.5, 0.5, 0.6, 2.0, 0.75, 1.2, 0.85, 2.8, 0.2, 1.8, 0.45, 3.0,
        ],
    )
    .map_err(|e| voltai::core::Error::InvalidInput(e.to_string()))?;
    let yh: Array1<f64> = xh
        .rows()
        .into_iter()
        .map(|r| high_fidelity(r[0], r[1]) + 0.005 * rng.normal())
        .collect();
    let low = Dataset::new(xl.clone(), yl.clone())?;
    let high = Dataset::new(xh.clone(), yh.clone())?;
    let test_x = grid(40, &[0.5, 1.0, 1.5, 2.0, 2.5, 3.0]);
    let test_y: Array1<f64> = test_x
        .rows()
        .into_iter()
        .map(|r| high_fidelity(r[0], r[1]))
        .collect();

    bar.set_message("GP on measurements only");
    let high_only = GpParams::new(kernel()?).optimize(3, 0).fit(&high)?;
    bar.inc(1);
    bar.set_message("one GP, noise learned per source");
    let x_all = concatenate(Axis(0), &[xl.view(), xh.view()])
        .map_err(|e| voltai::core::Error::InvalidInput(e.to_string()))?;
    let y_all = concatenate(Axis(0), &[yl.view(), yh.view()])
        .map_err(|e| voltai::core::Error::InvalidInput(e.to_string()))?;
    let groups: Vec<usize> = (0..68).map(|i| usize::from(i >= 60)).collect();
    let pooled = GpParams::new(Scaled::new(0.1, Rbf::ard(vec![0.3, 1.0])?)?)
        .noise(NoiseModel::PerGroup {
            groups,
            initial: vec![1e-3, 1e-3],
        })
        .optimize(3, 0)
        .fit(&Dataset::new(x_all, y_all)?)?;
    bar.inc(1);
    bar.set_message("co-kriging");
    let ck = CoKrigingParams::new(vec![
        GpParams::new(kernel()?).optimize(3, 0),
        GpParams::new(kernel()?).mean(Mean::Constant).optimize(3, 0),
    ])?
    .fit(&[low.clone(), high.clone()])?;
    bar.inc(1);

    let low_model: Array1<f64> = test_x
        .rows()
        .into_iter()
        .map(|r| low_fidelity(r[0], r[1]))
        .collect();
    println!(
        "held-out RMSE against the true high-fidelity voltage ({} points, DoD 0–0.9, 0.5C–3C):",
        test_y.len()
    );
    println!(
        "  cheap model alone:                    {:.1} mV",
        1e3 * rmse(test_y.view(), low_model.view())?
    );
    println!(
        "  GP on the 8 measurements alone:       {:.1} mV",
        1e3 * rmse(test_y.view(), high_only.predict(test_x.view())?.view())?
    );
    println!(
        "  one GP, per-source learned noise:     {:.1} mV",
        1e3 * rmse(test_y.view(), pooled.predict(test_x.view())?.view())?
    );
    println!(
        "  Kennedy–O'Hagan co-kriging:           {:.1} mV",
        1e3 * rmse(test_y.view(), ck.predict(test_x.view())?.view())?
    );
    let noise = pooled.group_noise();
    println!(
        "learned noise std per source: cheap model {:.1} mV, measurements {:.1} mV; co-kriging ρ = {:.3}",
        1e3 * noise[0].sqrt(),
        1e3 * noise[1].sqrt(),
        ck.rho()?[0]
    );

    println!(
        "(the pooled GP reads the cheap model's systematic bias as noise in the few measurements and follows\n \
         the model: per-source noise weighting suits sources that differ in noise, not in bias; co-kriging\n \
         learns the bias as the discrepancy δ(x))"
    );

    bar.set_message("plotting");
    let slice = grid(60, &[2.0]);
    let dod: Vec<f64> = slice.column(0).to_vec();
    let band = |p: &voltai::core::Predictive, sign: f64| -> Vec<(f64, f64)> {
        dod.iter()
            .zip(p.mean.iter().zip(p.variance.iter()))
            .map(|(&d, (&m, &v))| (d, m + sign * 2.0 * v.sqrt()))
            .collect()
    };
    let pc = ck.predict_dist(slice.view())?;
    let ph = high_only.predict_dist(slice.view())?;
    let curve =
        |f: &dyn Fn(f64) -> f64| -> Vec<(f64, f64)> { dod.iter().map(|&d| (d, f(d))).collect() };
    let dir = support::output_dir("multifidelity_surrogate")?;
    let path = dir.join("fits_2C.svg");
    support::line_plot(
        &path,
        "Discharge voltage at 2C: truth, cheap model and surrogates (±2σ)",
        ("depth of discharge", "voltage (V)"),
        ((0.0, 0.9), (3.0, 4.3)),
        &[
            ("true (high fidelity)", curve(&|d| high_fidelity(d, 2.0))),
            ("cheap model", curve(&|d| low_fidelity(d, 2.0))),
            (
                "co-kriging",
                dod.iter().copied().zip(pc.mean.iter().copied()).collect(),
            ),
            ("co-kriging +2σ", band(&pc, 1.0)),
            ("co-kriging −2σ", band(&pc, -1.0)),
            (
                "measurements-only GP",
                dod.iter().copied().zip(ph.mean.iter().copied()).collect(),
            ),
        ],
    )?;
    bar.inc(1);
    bar.finish_and_clear();
    println!("\nplot written to {}", path.display());
    Ok(())
}
