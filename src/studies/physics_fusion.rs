//! Fusing a physics model with a few measurements of a cell: PyBaMM's SPMe as
//! the cheap source, an aged LG M50 cell (PyBaMM's DFN with a thermal model
//! and ageing, standing in for measurements) as the expensive one. The data
//! and how they were made: `data/multifidelity/README.md`.
//!
//! The protocol of one seed ([`fusion_split`]):
//! - cheap: 200 of the 420 tabled SPMe points (7 C-rates × 60 depths of
//!   discharge), drawn at random;
//! - expensive: 10 "measurements", 5 at 0.5C and 5 at 1.5C at random depths
//!   of discharge, each with 3 mV of Gaussian noise;
//! - held out: the cell's noise-free curves at the other five rates (0.25C,
//!   0.75C, 1C, 1.25C and 2C — one extrapolation), 60 points each.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ndarray::{Array1, Array2, ArrayView2};
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Dataset, Error, Fit, Predictive, Result};
use voltai_gp::{
    CoKrigingParams, GpParams, Hyperparameters, Mean, MultiFidelityParams, Predict, Scheme,
    Simulator, cheap_gp,
};
use voltai_kernels::kernels::{Rbf, Scaled, Sum, White};

/// Measurement noise added to the expensive points (V).
pub const NOISE_SD_V: f64 = 0.003;
/// Rates of the expensive measurements.
pub const MEASURED_RATES: [f64; 2] = [0.5, 1.5];
/// Rates held out for testing.
pub const HELD_OUT_RATES: [f64; 5] = [0.25, 0.75, 1.0, 1.25, 2.0];

/// The tabled discharge curves: per source, per rate, voltage on one DoD grid.
#[derive(Debug, Clone)]
pub struct DischargeCurves {
    /// C-rates, ascending.
    pub rates: Vec<f64>,
    /// Depth-of-discharge grid, ascending.
    pub dod: Vec<f64>,
    /// SPMe voltage (V), `[rate][dod]`.
    pub spme: Array2<f64>,
    /// Cell voltage (V), `[rate][dod]`.
    pub cell: Array2<f64>,
    /// PyBaMM's version, from the file's header.
    pub pybamm_version: String,
}

/// The repository's copy of the curves.
pub fn default_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/multifidelity/pybamm_discharge.csv")
}

/// Reads `data/multifidelity/pybamm_discharge.csv` (or another file of its
/// layout: a `# PyBaMM <version>` line, then `source,c_rate,depth_of_discharge,voltage_v`).
pub fn load_curves(path: &Path) -> Result<DischargeCurves> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let bad = |line: usize, column: usize, msg: String| {
        Error::parse(path.display().to_string(), line as u64, column as u64, msg)
    };
    let mut version = String::new();
    let mut rows: Vec<(String, f64, f64, f64)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if let Some(c) = line.strip_prefix("# PyBaMM ") {
            version = c.split(';').next().unwrap_or("").trim().to_string();
            continue;
        }
        if line.starts_with('#') || line.starts_with("source,") || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 4 {
            return Err(bad(n, 1, format!("expected 4 fields, found {}", f.len())));
        }
        let num = |k: usize, what: &str| -> Result<f64> {
            f[k].trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    bad(
                        n,
                        k + 1,
                        format!("{what} {:?} is not a finite number", f[k]),
                    )
                })
        };
        if !matches!(f[0], "spme" | "cell") {
            return Err(bad(
                n,
                1,
                format!("unknown source {:?} (spme or cell)", f[0]),
            ));
        }
        rows.push((
            f[0].to_string(),
            num(1, "c_rate")?,
            num(2, "depth_of_discharge")?,
            num(3, "voltage_v")?,
        ));
    }
    let mut rates: Vec<f64> = rows.iter().map(|r| r.1).collect();
    rates.sort_by(f64::total_cmp);
    rates.dedup();
    let mut dod: Vec<f64> = rows.iter().map(|r| r.2).collect();
    dod.sort_by(f64::total_cmp);
    dod.dedup();
    let mut spme = Array2::from_elem((rates.len(), dod.len()), f64::NAN);
    let mut cell = spme.clone();
    for (s, r, d, v) in &rows {
        let (Ok(i), Ok(j)) = (
            rates.binary_search_by(|x| x.total_cmp(r)),
            dod.binary_search_by(|x| x.total_cmp(d)),
        ) else {
            return Err(Error::internal("a tabled rate or DoD went missing"));
        };
        if s == "spme" {
            spme[[i, j]] = *v;
        } else {
            cell[[i, j]] = *v;
        }
    }
    if rates.len() < 2 || dod.len() < 2 {
        return Err(Error::InvalidInput(format!(
            "{}: need at least 2 C-rates and 2 depths of discharge, found {} and {}",
            path.display(),
            rates.len(),
            dod.len()
        )));
    }
    if spme.iter().chain(cell.iter()).any(|v| v.is_nan()) {
        return Err(Error::InvalidInput(format!(
            "{}: the table is not complete: every source needs every (rate, DoD)",
            path.display()
        )));
    }
    Ok(DischargeCurves {
        rates,
        dod,
        spme,
        cell,
        pybamm_version: version,
    })
}

impl DischargeCurves {
    fn rate_index(&self, rate: f64) -> Result<usize> {
        self.rates
            .iter()
            .position(|&r| (r - rate).abs() < 1e-9)
            .ok_or_else(|| Error::InvalidInput(format!("no curve at {rate}C")))
    }

    /// SPMe voltage at (DoD, rate) by linear interpolation of the table in
    /// DoD and in rate (exact at tabled rates and DoDs): the physics model
    /// as a callable, evaluated where the surrogate asks.
    pub fn spme_at(&self, dod: f64, rate: f64) -> Result<f64> {
        let interp = |grid: &[f64], v: f64| -> Result<(usize, f64)> {
            let last = grid.len() - 1;
            if !(grid[0] - 1e-9..=grid[last] + 1e-9).contains(&v) {
                return Err(Error::InvalidInput(format!(
                    "{v} is outside the table's range {} … {}",
                    grid[0], grid[last]
                )));
            }
            let k = grid.partition_point(|&g| g <= v).clamp(1, last);
            Ok((
                k - 1,
                ((v - grid[k - 1]) / (grid[k] - grid[k - 1])).clamp(0.0, 1.0),
            ))
        };
        let (i, a) = interp(&self.rates, rate)?;
        let (j, b) = interp(&self.dod, dod)?;
        let s = &self.spme;
        Ok((1.0 - a) * ((1.0 - b) * s[[i, j]] + b * s[[i, j + 1]])
            + a * ((1.0 - b) * s[[i + 1, j]] + b * s[[i + 1, j + 1]]))
    }
}

/// One seed's data.
#[derive(Debug, Clone)]
pub struct FusionSplit {
    /// 200 SPMe points (inputs: DoD, C-rate).
    pub cheap: Dataset,
    /// 10 noisy cell measurements.
    pub expensive: Dataset,
    /// Held-out inputs (DoD, C-rate).
    pub test_x: Array2<f64>,
    /// The cell's noise-free voltage there.
    pub test_y: Array1<f64>,
    /// The SPMe's voltage there (the cheap model alone).
    pub test_cheap: Array1<f64>,
}

fn shuffled(n: usize, rng: &mut SplitMix64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (rng.uniform() * (i + 1) as f64) as usize;
        idx.swap(i, j.min(i));
    }
    idx
}

/// The protocol's data for one seed (see the module documentation).
pub fn fusion_split(c: &DischargeCurves, seed: u64) -> Result<FusionSplit> {
    let mut rng = SplitMix64::new(seed);
    let (nr, nd) = c.spme.dim();
    let mut xl = Vec::new();
    let mut yl = Vec::new();
    for &k in shuffled(nr * nd, &mut rng).iter().take(200) {
        let (i, j) = (k / nd, k % nd);
        xl.extend([c.dod[j], c.rates[i]]);
        yl.push(c.spme[[i, j]]);
    }
    let mut xh = Vec::new();
    let mut yh = Vec::new();
    for rate in MEASURED_RATES {
        let i = c.rate_index(rate)?;
        for &j in shuffled(nd, &mut rng).iter().take(5) {
            xh.extend([c.dod[j], rate]);
            yh.push(c.cell[[i, j]] + NOISE_SD_V * rng.normal());
        }
    }
    let mut xt = Vec::new();
    let mut yt = Vec::new();
    let mut ct = Vec::new();
    for rate in HELD_OUT_RATES {
        let i = c.rate_index(rate)?;
        for j in 0..nd {
            xt.extend([c.dod[j], rate]);
            yt.push(c.cell[[i, j]]);
            ct.push(c.spme[[i, j]]);
        }
    }
    let shape = |v: Vec<f64>| {
        let n = v.len() / 2;
        Array2::from_shape_vec((n, 2), v).map_err(|e| Error::internal(e.to_string()))
    };
    Ok(FusionSplit {
        cheap: Dataset::new(shape(xl)?, Array1::from(yl))?,
        expensive: Dataset::new(shape(xh)?, Array1::from(yh))?,
        test_x: shape(xt)?,
        test_y: Array1::from(yt),
        test_cheap: Array1::from(ct),
    })
}

/// A way to predict the cell from the split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Co-kriging with the settings `multifidelity_surrogate` used before
    /// this study: RBF-ARD + white levels, 3 random restarts from the kernel's
    /// given values, default bounds, point estimates.
    CoKrigingThreeRestarts,
    /// [`MultiFidelityParams`] with a GP on the 200 tabled points as the cheap source.
    TabledCheap(Scheme, Hyper),
    /// [`MultiFidelityParams`] with the SPMe table interpolated as a callable simulator.
    Simulator(Scheme, Hyper),
}

/// Hyperparameter treatment of the expensive level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hyper {
    /// Integrated out (the default).
    Sampled,
    /// One robust maximum-likelihood estimate.
    PointEstimate,
}

impl Method {
    /// A short label for tables.
    pub fn label(&self) -> String {
        let h = |h: &Hyper| match h {
            Hyper::Sampled => "sampled",
            Hyper::PointEstimate => "point est.",
        };
        match self {
            Method::CoKrigingThreeRestarts => "co-kriging, 3 restarts (before)".into(),
            Method::TabledCheap(s, hy) => format!("{s:?}, cheap GP, {}", h(hy)),
            Method::Simulator(s, hy) => format!("{s:?}, simulator, {}", h(hy)),
        }
    }
}

/// What a method predicted on one split.
#[derive(Debug, Clone)]
pub struct FusionResult {
    /// Latent predictive (noise-free cell voltage) at the held-out points.
    pub predictive: Predictive,
    /// Fit time (s), cheap GP included.
    pub fit_seconds: f64,
    /// Diagnostics the fit reported (rendered).
    pub diagnostics: Vec<String>,
}

fn kernel() -> Result<Sum<Scaled<Rbf>, White>> {
    Ok(Sum(
        Scaled::new(0.1, Rbf::ard(vec![0.3, 1.0])?)?,
        White::new(1e-4)?,
    ))
}

/// Fits `method` on the split's training data and predicts the held-out points.
pub fn run_method(
    c: &DischargeCurves,
    split: &FusionSplit,
    method: Method,
    seed: u64,
) -> Result<FusionResult> {
    let t = Instant::now();
    let hyper = |h: Hyper| match h {
        Hyper::Sampled => Hyperparameters::Sampled(voltai_gp::HyperSampling::default().seed(seed)),
        Hyper::PointEstimate => Hyperparameters::PointEstimate { seed },
    };
    let (predictive, diagnostics) = match method {
        Method::CoKrigingThreeRestarts => {
            let ck = CoKrigingParams::new(vec![
                GpParams::new(kernel()?).optimize(3, seed),
                GpParams::new(kernel()?)
                    .mean(Mean::Constant)
                    .optimize(3, seed),
            ])?
            .fit(&[split.cheap.clone(), split.expensive.clone()])?;
            let d = ck.diagnostics()?.iter().map(|d| d.to_string()).collect();
            (ck.predictive(split.test_x.view(), Predict::Latent)?, d)
        }
        Method::TabledCheap(scheme, h) => {
            let cheap = cheap_gp(2, seed)?.fit(&split.cheap)?;
            let m = MultiFidelityParams::new(scheme)
                .hyperparameters(hyper(h))
                .fit(cheap, &split.expensive)?;
            let d = m.diagnostics().iter().map(|d| d.to_string()).collect();
            (m.predictive(split.test_x.view(), Predict::Latent)?, d)
        }
        Method::Simulator(scheme, h) => {
            let sim = Simulator::new(2, |x: ArrayView2<'_, f64>| -> Result<Array1<f64>> {
                x.rows()
                    .into_iter()
                    .map(|r| c.spme_at(r[0], r[1]))
                    .collect()
            });
            let m = MultiFidelityParams::new(scheme)
                .hyperparameters(hyper(h))
                .fit(sim, &split.expensive)?;
            let d = m.diagnostics().iter().map(|d| d.to_string()).collect();
            (m.predictive(split.test_x.view(), Predict::Latent)?, d)
        }
    };
    Ok(FusionResult {
        predictive,
        fit_seconds: t.elapsed().as_secs_f64(),
        diagnostics,
    })
}

/// RMSE of the cheap model alone (the SPMe) on the held-out points.
pub fn cheap_rmse(split: &FusionSplit) -> Result<f64> {
    voltai_core::metrics::rmse(split.test_y.view(), split.test_cheap.view())
}
