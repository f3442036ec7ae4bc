//! The model families of the benchmark and their hyperparameter grids. Each
//! candidate fits on log10(cycle life); the runner turns predictions back
//! into cycles.

use ndarray::{Array1, ArrayView2};
use voltai_core::{
    Dataset, Fit, Predictive, ProbabilisticRegressor, Regressor, Result, StandardisedParams,
};
use voltai_discovery::{
    ElasticNetParams, GradientBoostingParams, MaxFeatures, PcrParams, PlsRegressionParams,
    RandomForestParams, RidgeParams,
};
use voltai_gp::{GpParams, Mean, NoiseModel};
use voltai_kernels::Kernel;
use voltai_kernels::kernels::{Linear, Rbf, Scaled, Sum, White};

use super::inputs::Input;

/// A fitted candidate: point predictions, and a predictive distribution
/// where the model has one (then the benchmark's interval is that model's
/// own; otherwise it is conformal).
pub(crate) enum Fitted {
    Point(Box<dyn Regressor>),
    Distribution(Box<dyn ProbabilisticRegressor>),
}

impl Fitted {
    pub(crate) fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        match self {
            Fitted::Point(m) => m.predict(x),
            Fitted::Distribution(m) => m.predict(x),
        }
    }
    pub(crate) fn predict_dist(&self, x: ArrayView2<'_, f64>) -> Option<Result<Predictive>> {
        match self {
            Fitted::Point(_) => None,
            Fitted::Distribution(m) => Some(m.predict_dist(x)),
        }
    }
}

/// Fits one candidate's params on a training set.
type FitFn = Box<dyn Fn(&Dataset) -> Result<Fitted>>;

/// One point of a family's grid.
pub(crate) struct Candidate {
    /// The hyperparameters, as printed in the report.
    pub label: String,
    fit: FitFn,
}

impl Candidate {
    fn point<P>(label: String, params: P) -> Self
    where
        P: Fit + 'static,
        P::Model: Regressor + 'static,
    {
        Candidate {
            label,
            fit: Box::new(move |d| Ok(Fitted::Point(Box::new(params.fit(d)?)))),
        }
    }
    fn distribution<P>(label: String, params: P) -> Self
    where
        P: Fit + 'static,
        P::Model: ProbabilisticRegressor + 'static,
    {
        Candidate {
            label,
            fit: Box::new(move |d| Ok(Fitted::Distribution(Box::new(params.fit(d)?)))),
        }
    }
    pub(crate) fn fit(&self, data: &Dataset) -> Result<Fitted> {
        (self.fit)(data)
    }
}

/// The training mean of the cycle life (not of its logarithm), as
/// BatteryML's dummy model; it predicts log10 of that mean.
#[derive(Debug, Clone, Copy)]
struct TrainingMeanParams;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct TrainingMean {
    log_mean: f64,
    n_features: usize,
}

impl Fit for TrainingMeanParams {
    type Model = TrainingMean;
    fn fit(&self, data: &Dataset) -> Result<TrainingMean> {
        let y = data.targets()?;
        let mean = y.iter().map(|v| 10f64.powf(*v)).sum::<f64>() / y.len().max(1) as f64;
        Ok(TrainingMean {
            log_mean: mean.log10(),
            n_features: data.n_features(),
        })
    }
}

impl Regressor for TrainingMean {
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        voltai_core::check::predict_input(x, self.n_features)?;
        Ok(Array1::from_elem(x.nrows(), self.log_mean))
    }
}

/// A model family: what it reads, its grid, BatteryML's published figures.
pub struct Family {
    /// The row name.
    pub name: &'static str,
    /// The features it reads.
    pub input: Input,
    /// BatteryML's RMSE (cycles) on MATR1 and MATR2, where published.
    pub batteryml: (Option<f64>, Option<f64>),
    /// Whether the fit depends on a seed (then it runs for every seed).
    pub seeded: bool,
    grid: fn(u64, bool) -> Result<Vec<Candidate>>,
}

impl Family {
    /// The candidates for `seed`; `quick` trims the grid.
    pub(crate) fn candidates(&self, seed: u64, quick: bool) -> Result<Vec<Candidate>> {
        (self.grid)(seed, quick)
    }
}

fn log_grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|k| 10f64.powf(lo + (hi - lo) * k as f64 / (n.max(2) - 1) as f64))
        .collect()
}

fn dummy(_: u64, _: bool) -> Result<Vec<Candidate>> {
    Ok(vec![Candidate::point(
        "mean life".into(),
        TrainingMeanParams,
    )])
}

fn ordinary_least_squares(_: u64, _: bool) -> Result<Vec<Candidate>> {
    Ok(vec![Candidate::point("OLS".into(), RidgeParams::ols())])
}

fn elastic_net(_: u64, quick: bool) -> Result<Vec<Candidate>> {
    let (alphas, ratios) = if quick {
        (log_grid(-3.0, -1.0, 3), vec![0.5, 1.0])
    } else {
        (log_grid(-4.0, 0.0, 9), vec![0.1, 0.5, 0.9, 1.0])
    };
    let mut out = Vec::new();
    for &alpha in &alphas {
        for &ratio in &ratios {
            let p = ElasticNetParams::new()
                .alpha(alpha)?
                .l1_ratio(ratio)?
                .stopping(1e-8, 100_000)?;
            out.push(Candidate::point(
                format!("α = {alpha:.0e}, L1 ratio = {ratio}"),
                StandardisedParams::new(p),
            ));
        }
    }
    Ok(out)
}

fn ridge(_: u64, quick: bool) -> Result<Vec<Candidate>> {
    let alphas = if quick {
        log_grid(-1.0, 3.0, 5)
    } else {
        log_grid(-2.0, 4.0, 13)
    };
    alphas
        .into_iter()
        .map(|a| {
            Ok(Candidate::point(
                format!("α = {a:.1e}"),
                StandardisedParams::new(RidgeParams::new(a)?),
            ))
        })
        .collect()
}

fn components(quick: bool) -> Vec<usize> {
    if quick {
        vec![1, 2, 4, 8]
    } else {
        (1..=12).collect()
    }
}

fn pcr(_: u64, quick: bool) -> Result<Vec<Candidate>> {
    components(quick)
        .into_iter()
        .map(|k| {
            Ok(Candidate::point(
                format!("{k} components"),
                PcrParams::new(k)?,
            ))
        })
        .collect()
}

fn pls(_: u64, quick: bool) -> Result<Vec<Candidate>> {
    components(quick)
        .into_iter()
        .map(|k| {
            Ok(Candidate::point(
                format!("{k} components"),
                PlsRegressionParams::new(k)?,
            ))
        })
        .collect()
}

/// One GP candidate on standardised features: constant mean, the noise in
/// the kernel's white term, hyperparameters by maximum marginal likelihood
/// with restarts.
fn ml2_gp<K>(label: &str, kernel: K, seed: u64, quick: bool) -> Vec<Candidate>
where
    K: Kernel + Clone,
    StandardisedParams<GpParams<K>>: Fit + 'static,
    <StandardisedParams<GpParams<K>> as Fit>::Model: ProbabilisticRegressor + 'static,
{
    let params = GpParams::new(kernel)
        .mean(Mean::Constant)
        .noise(NoiseModel::Fixed(1e-8))
        .optimize(if quick { 2 } else { 5 }, seed);
    vec![Candidate::distribution(
        label.into(),
        StandardisedParams::new(params),
    )]
}

fn gaussian_process(seed: u64, quick: bool) -> Result<Vec<Candidate>> {
    // Isotropic RBF on the standardised curve plus white noise.
    let kernel = Sum(Scaled::new(1.0, Rbf::new(10.0)?)?, White::new(0.1)?);
    Ok(ml2_gp("RBF + white, ML-II", kernel, seed, quick))
}

fn gaussian_process_ard(seed: u64, quick: bool) -> Result<Vec<Candidate>> {
    // A linear trend plus an ARD RBF (one length-scale per feature) plus
    // white noise, on the six standardised discharge features: the elastic
    // net's linear model with a smooth correction where the data ask for
    // one, each feature's reach learned (a feature the data do not use gets
    // a long length-scale, as the net's L1 penalty drops it).
    let n = super::inputs::DISCHARGE_FEATURES;
    let kernel = Sum(
        Sum(
            Scaled::new(0.1, Linear)?,
            Scaled::new(1.0, Rbf::ard(vec![1.0; n])?)?,
        ),
        White::new(0.1)?,
    );
    Ok(ml2_gp(
        "linear + ARD RBF + white, ML-II",
        kernel,
        seed,
        quick,
    ))
}

fn random_forest(seed: u64, quick: bool) -> Result<Vec<Candidate>> {
    let trees = if quick { 50 } else { 200 };
    let subsets = if quick {
        vec![MaxFeatures::Sqrt]
    } else {
        vec![
            MaxFeatures::All,
            MaxFeatures::Fraction(0.3),
            MaxFeatures::Sqrt,
        ]
    };
    subsets
        .into_iter()
        .map(|m| {
            let p = RandomForestParams::new(trees)?.max_features(m)?.seed(seed);
            Ok(Candidate::point(
                format!("{trees} trees, features {m:?}"),
                p,
            ))
        })
        .collect()
}

fn boosting(seed: u64, quick: bool) -> Result<Vec<Candidate>> {
    let grid: Vec<(usize, usize)> = if quick {
        vec![(100, 2)]
    } else {
        vec![(100, 2), (300, 2), (100, 3), (300, 3)]
    };
    grid.into_iter()
        .map(|(stages, depth)| {
            let p = GradientBoostingParams::new(stages)?
                .max_depth(depth)?
                .learning_rate(0.05)?
                .subsample(0.8)?
                .seed(seed);
            Ok(Candidate::point(
                format!("{stages} stages of depth {depth}, rate 0.05, subsample 0.8"),
                p,
            ))
        })
        .collect()
}

/// One neural network on the QdLinear curve, fixed settings (as BatteryML's
/// configs): no grid, so no inner cross-validation.
#[cfg(feature = "neural")]
fn curve_network(
    architecture: voltai_neural::CurveArchitecture,
    seed: u64,
    quick: bool,
) -> Result<Vec<Candidate>> {
    use voltai_neural::{CurveArchitecture, CurveRegressorParams};
    let epochs = if quick { 40 } else { 500 };
    // Attention trains best a little slower, on shorter tokens.
    let (rate, patch) = match architecture {
        CurveArchitecture::Transformer => (3e-3, 4),
        _ => (1e-2, 10),
    };
    let params = CurveRegressorParams::new(architecture)
        .patch(patch)?
        .training(epochs, rate, 100, 1e-4)?
        .seed(seed);
    Ok(vec![Candidate::point(
        format!("{epochs} epochs max, rate {rate}, weight decay 1e-4"),
        params,
    )])
}

#[cfg(feature = "neural")]
fn mlp(seed: u64, quick: bool) -> Result<Vec<Candidate>> {
    curve_network(voltai_neural::CurveArchitecture::Mlp, seed, quick)
}

#[cfg(feature = "neural")]
fn cnn(seed: u64, quick: bool) -> Result<Vec<Candidate>> {
    curve_network(voltai_neural::CurveArchitecture::Cnn, seed, quick)
}

#[cfg(feature = "neural")]
fn lstm(seed: u64, quick: bool) -> Result<Vec<Candidate>> {
    curve_network(voltai_neural::CurveArchitecture::Lstm, seed, quick)
}

#[cfg(feature = "neural")]
fn transformer(seed: u64, quick: bool) -> Result<Vec<Candidate>> {
    curve_network(voltai_neural::CurveArchitecture::Transformer, seed, quick)
}

/// The MLP, CNN, LSTM and Transformer rows (voltai-life's `neural`
/// feature), with BatteryML's mean RMSE over ten seeds.
#[cfg(feature = "neural")]
pub fn neural_families() -> Vec<Family> {
    let f = |name, m: (f64, f64), grid| Family {
        name,
        input: Input::QdLinear,
        batteryml: (Some(m.0), Some(m.1)),
        seeded: true,
        grid,
    };
    vec![
        f(
            "MLP",
            (149.0, 275.0),
            mlp as fn(u64, bool) -> Result<Vec<Candidate>>,
        ),
        f("CNN", (102.0, 228.0), cnn),
        f("LSTM", (119.0, 219.0), lstm),
        f("Transformer", (135.0, 364.0), transformer),
    ]
}

/// The classical families, in BatteryML's table order.
pub fn families() -> Vec<Family> {
    let f = |name, input, m1, m2, seeded, grid| Family {
        name,
        input,
        batteryml: (Some(m1), Some(m2)),
        seeded,
        grid,
    };
    vec![
        f(
            "dummy (training mean)",
            Input::Nothing,
            398.0,
            510.0,
            false,
            dummy as fn(u64, bool) -> Result<Vec<Candidate>>,
        ),
        f(
            "variance model",
            Input::Variance,
            136.0,
            211.0,
            false,
            ordinary_least_squares,
        ),
        f(
            "discharge model",
            Input::Discharge,
            329.0,
            149.0,
            false,
            elastic_net,
        ),
        Family {
            name: "GP (linear + ARD)",
            input: Input::Discharge,
            batteryml: (None, None),
            seeded: false,
            grid: gaussian_process_ard,
        },
        f("ridge", Input::QdLinear, 116.0, 184.0, false, ridge),
        f("PCR", Input::QdLinear, 90.0, 187.0, false, pcr),
        f("PLSR", Input::QdLinear, 104.0, 181.0, false, pls),
        f(
            "Gaussian process",
            Input::QdLinear,
            154.0,
            224.0,
            false,
            gaussian_process,
        ),
        f(
            "random forest",
            Input::QdLinear,
            168.0,
            233.0,
            true,
            random_forest,
        ),
        f(
            "gradient boosting",
            Input::QdLinear,
            334.0,
            799.0,
            true,
            boosting,
        ),
    ]
}
