//! Capacity from full impedance spectra with an ARD Gaussian process.
//!
//! Data: `zhang2020_lco_eis` (12 LCO coin cells). Inputs: Re(Z) and
//! Im(Z) in ohms at all 60 frequencies (120 features, unscaled as in Zhang et al.
//! 2020 — standardising them gave an over-confident fit); target: capacity in mAh. Split by cell as the folder README suggests: train on
//! 25C01–04, 35C01, 45C01 (every second spectrum, to keep the fit to well under a
//! minute), test on every spectrum of 35C02 and 25C05–08. Kernel: σ²·ARD-RBF +
//! white noise, hyperparameters by maximising the marginal likelihood.
//!
//! Prints test RMSE and R², the coverage of the 95 % predictive interval, and the
//! frequencies whose ARD length-scales are shortest (most relevant); writes a
//! parity plot to `reports/eis_capacity_gp/parity.svg`. Takes about a minute in release.
//!
//! ```text
//! cargo run --release --example eis_capacity_gp
//! ```

#[path = "support/mod.rs"]
mod support;

use ndarray::{Array1, Array2};
use voltai::battery_data::data_dir::dataset_dir;
use voltai::battery_data::readers::read_zhang2020;
use voltai::core::metrics::{r2, rmse};
use voltai::core::{Dataset, Fit, ProbabilisticRegressor};
use voltai::gp::GpParams;
use voltai::kernels::Kernel;
use voltai::kernels::kernels::{Rbf, Scaled, Sum, White};

const TRAIN_CELLS: [&str; 6] = ["25C01", "25C02", "25C03", "25C04", "35C01", "45C01"];

fn main() -> Result<(), voltai::core::Error> {
    let bar = support::progress(3);
    bar.set_message("reading spectra");
    let spectra = read_zhang2020(dataset_dir("zhang2020_lco_eis")?)?;
    // Full 60-point spectra with a capacity label (two first-cycle spectra have 59 points).
    let usable: Vec<_> = spectra
        .iter()
        .filter(|s| s.state.capacity_ah.is_some() && s.len() == 60)
        .collect();
    let freqs = usable[0].frequency_hz.clone();
    let x = Array2::from_shape_fn((usable.len(), 120), |(i, j)| {
        if j < 60 {
            usable[i].z_real_ohm[j]
        } else {
            usable[i].z_imag_ohm[j - 60]
        }
    });
    let y: Array1<f64> = usable
        .iter()
        .map(|s| s.state.capacity_ah.unwrap_or(f64::NAN) * 1e3)
        .collect();
    let in_train = |i: usize| TRAIN_CELLS.contains(&usable[i].cell_id.as_str());
    let train_rows: Vec<usize> = (0..usable.len())
        .filter(|&i| in_train(i))
        .step_by(2)
        .collect();
    let test_rows: Vec<usize> = (0..usable.len()).filter(|&i| !in_train(i)).collect();
    let data = Dataset::new(x, y)?;
    let (train, test) = (data.select(&train_rows)?, data.select(&test_rows)?);
    bar.inc(1);

    bar.set_message(format!(
        "fitting ARD GP on {} spectra × 120 features",
        train.n_samples()
    ));
    let kernel = Sum(
        Scaled::new(1.0, Rbf::ard(vec![1.0; 120])?)?,
        White::new(0.05)?,
    );
    let gp = GpParams::new(kernel).optimize(0, 0).fit(&train)?;
    bar.inc(1);

    bar.set_message("predicting held-out cells");
    let p = gp.predict_dist(test.features())?;
    let truth = test.targets()?;
    let (lo, hi) = p.interval(1.959_964)?;
    let covered = truth
        .iter()
        .zip(lo.iter().zip(&hi))
        .filter(|(t, (l, h))| *l <= *t && *t <= *h)
        .count();
    bar.inc(1);
    bar.finish_and_clear();

    println!(
        "Zhang 2020 LCO EIS → capacity: train {} spectra of {} cells, test {} spectra of 5 held-out cells",
        train.n_samples(),
        TRAIN_CELLS.len(),
        test.n_samples()
    );
    println!(
        "log marginal likelihood {:.2}",
        gp.log_marginal_likelihood()
    );
    println!(
        "test RMSE {:.3} mAh, R² {:.3}, 95 % interval coverage {:.1} % (mean half-width {:.2} mAh)",
        rmse(truth, p.mean.view())?,
        r2(truth, p.mean.view())?,
        100.0 * covered as f64 / truth.len() as f64,
        (&hi - &lo).mean().unwrap_or(0.0) / 2.0
    );
    // Kernel parameters: [log σ², log ℓ_1 … log ℓ_120, log noise].
    let logp = gp.kernel().log_params();
    let mut rel: Vec<(usize, f64)> = (0..120).map(|j| (j, logp[1 + j].exp())).collect();
    rel.sort_by(|a, b| a.1.total_cmp(&b.1));
    println!("\nmost relevant inputs (shortest ARD length-scales, in ohms):");
    for &(j, l) in rel.iter().take(8) {
        let part = if j < 60 { "Re Z" } else { "Im Z" };
        println!("  {part} at {:>9.3} Hz   ℓ = {l:.3}", freqs[j % 60]);
    }

    let dir = support::output_dir("eis_capacity_gp")?;
    let path = dir.join("parity.svg");
    let pts: Vec<(f64, f64)> = truth
        .iter()
        .zip(p.mean.iter())
        .map(|(&t, &m)| (t, m))
        .collect();
    let (a, b) = truth
        .iter()
        .chain(p.mean.iter())
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    support::scatter_plot(
        &path,
        "Held-out capacity: GP prediction vs measurement",
        ("measured capacity (mAh)", "predicted capacity (mAh)"),
        ((a - 1.0, b + 1.0), (a - 1.0, b + 1.0)),
        &[
            ("test spectra", pts),
            (
                "y = x",
                (0..=50)
                    .map(|k| a + (b - a) * k as f64 / 50.0)
                    .map(|v| (v, v))
                    .collect(),
            ),
        ],
    )?;
    println!("\nparity plot written to {}", path.display());
    Ok(())
}
