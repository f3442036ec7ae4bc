//! Times SINDy on the Lorenz data (second-order finite differences, degree-2
//! library, STLSQ 0.1) and elastic-net CV on the Severson discharge features
//! (the CSV in `tools/reference/sparse/`); `benches/compare/sindy.py` runs it
//! beside PySINDy and scikit-learn and prints the ratios.
//!
//! ```text
//! cargo run --release -p voltai-discovery --example sindy_timing -- FEATURES.csv
//! ```
//! Prints one JSON line of median seconds.

use std::time::Instant;

use ndarray::{Array1, Array2};
use voltai_core::{Dataset, Fit, StandardScaler};
use voltai_discovery::sindy::systems::lorenz;
use voltai_discovery::sindy::{PolynomialLibrary, SindyParams, Stlsq, Times, Trajectory};
use voltai_discovery::{ElasticNetCvParams, ElasticNetParams, Folds};

fn median_seconds(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[reps / 2]
}

fn main() -> Result<(), voltai_core::Error> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tools/reference/sparse/severson_discharge_features.csv"
        )
        .to_string()
    });
    let dt = 0.002;
    let traj = Trajectory::new(lorenz(dt, 5001), Times::uniform(dt)?)?;
    let sindy = SindyParams::new()
        .library(PolynomialLibrary::new(2)?)
        .optimizer(Stlsq::new(0.1)?);
    let sindy_s = median_seconds(51, || {
        let _ = sindy.fit(std::slice::from_ref(&traj));
    });

    let text = std::fs::read_to_string(&path).map_err(|e| voltai_core::Error::io(&path, e))?;
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .filter(|r: &Vec<String>| r[0] == "Train")
        .collect();
    let parse = |s: &str| {
        s.parse::<f64>()
            .map_err(|e| voltai_core::Error::InvalidInput(e.to_string()))
    };
    let d = rows[0].len() - 2;
    let mut x = Array2::zeros((rows.len(), d));
    let mut y = Array1::zeros(rows.len());
    for (i, r) in rows.iter().enumerate() {
        y[i] = parse(&r[1])?;
        for j in 0..d {
            x[[i, j]] = parse(&r[j + 2])?;
        }
    }
    let raw = Dataset::new(x, y)?;
    let train = StandardScaler::new().fit(&raw)?.transform_dataset(&raw)?;
    let cv = ElasticNetCvParams::new(vec![0.1, 0.5, 0.7, 0.9, 0.95, 0.99, 1.0])?
        .folds(Folds::KFold(4))?
        .base(ElasticNetParams::new().stopping(1e-4, 1000)?);
    let enet_s = median_seconds(11, || {
        let _ = cv.fit(&train);
    });
    println!("{{\"sindy_fit_s\": {sindy_s:e}, \"enet_cv_s\": {enet_s:e}}}");
    Ok(())
}
