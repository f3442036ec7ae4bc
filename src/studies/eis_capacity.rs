//! Capacity from impedance spectra (Zhang et al. 2020 LCO coin cells, state
//! V): the paper's protocol and a cross-temperature split, with intervals
//! calibrated on the training cells.
//!
//! - [`EisProtocol::Paper`]: train on 25C01–25C04, test on 25C05 (Zhang
//!   2020, Fig. 1a, reported R² 0.88).
//! - [`EisProtocol::CrossTemperature`]: train on 25C01–25C04, 35C01 and
//!   45C01, test on 35C02 (Zhang 2020, Fig. 3a, reported R² 0.81) and on
//!   25C05–25C08 (45C02 has no capacity labels in the data we can reach).
//!
//! Inputs are the 60 real and 60 imaginary parts of the spectrum,
//! standardised with the training spectra's means and deviations (as the
//! paper's Methods); the target is capacity in mAh. Two GPs on them, each
//! with a linear term σ_l²·xᵀx′ (capacity keeps falling past the training
//! cells' range, which a stationary kernel alone cannot follow) plus white
//! noise: an isotropic RBF and an ARD RBF (the paper's, which also gives the
//! relevance of each frequency), and the isotropic one with a cell random
//! effect. Everything that is chosen is chosen by
//! leave-one-cell-out on the training cells: the model (lower pooled RMSE;
//! or the caller fixes it, e.g. the paper's spectra-only GP)
//! and the interval scale q̂ (normalised split-conformal on the
//! leave-one-cell-out scores, so the 95 % interval μ ± q̂σ is calibrated for
//! new cells, not new spectra of known ones). The test cells are only scored.

use ndarray::{Array1, Array2};
use voltai_battery_data::EisSpectrum;
use voltai_battery_data::data_dir::dataset_dir;
use voltai_battery_data::readers::read_zhang2020;
use voltai_core::conformal::SplitConformal;
use voltai_core::metrics::{r2, rmse};
use voltai_core::{Dataset, Error, Fit, ProbabilisticRegressor, Result, StandardScaler};
use voltai_gp::GpParams;
use voltai_kernels::Kernel;
use voltai_kernels::kernels::{Linear, OnColumns, Rbf, Scaled, Sum, White};

/// Which cells train and which test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EisProtocol {
    /// Zhang 2020's 25 °C protocol: train 25C01–04, test 25C05.
    Paper,
    /// Train 25C01–04, 35C01, 45C01; test 35C02 and 25C05–08.
    CrossTemperature,
}

impl EisProtocol {
    /// Training cells.
    pub fn train_cells(&self) -> &'static [&'static str] {
        match self {
            EisProtocol::Paper => &["25C01", "25C02", "25C03", "25C04"],
            EisProtocol::CrossTemperature => {
                &["25C01", "25C02", "25C03", "25C04", "35C01", "45C01"]
            }
        }
    }

    /// Test cells.
    pub fn test_cells(&self) -> &'static [&'static str] {
        match self {
            EisProtocol::Paper => &["25C05"],
            EisProtocol::CrossTemperature => &["35C02", "25C05", "25C06", "25C07", "25C08"],
        }
    }

    /// The paper's reported R² on a test cell, where it reports one.
    pub fn reported_r2(cell: &str) -> Option<f64> {
        match cell {
            "25C05" => Some(0.88),
            "35C02" => Some(0.81),
            _ => None,
        }
    }
}

/// The GP: spectral part σ_l²·xᵀx′ + σ²·RBF + white noise, with one
/// length-scale for all inputs or one per input, and with or without a cell
/// random effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EisModel {
    /// Spectra only, one length-scale: every spectrum is an independent draw
    /// given its inputs.
    Spectral,
    /// Spectra only, one length-scale per input (ARD): the paper's kernel,
    /// plus the linear term. Its fit starts from [`EisModel::Spectral`]'s
    /// length-scale.
    SpectralArd,
    /// Plus a cell random effect: τ² of covariance between spectra of one
    /// cell, none across cells. A cell's capacity sits above or below what
    /// its spectra suggest by an offset of its own; an unseen cell's offset
    /// is unknown and widens its intervals by τ², learned by the likelihood
    /// from how much the training cells differ.
    SpectralWithCellEffect,
}

/// Which model [`eis_capacity`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelChoice {
    /// The one with the lower leave-one-cell-out RMSE on the training cells.
    LeaveOneCellOut,
    /// This one (e.g. [`EisModel::Spectral`], the paper's model, to
    /// reproduce the paper).
    Fixed(EisModel),
}

/// Scores on one cell (or on all test cells pooled).
#[derive(Debug, Clone, PartialEq)]
pub struct CellScore {
    /// Cell id ("all" for the pooled row).
    pub cell: String,
    /// Spectra scored.
    pub n: usize,
    /// Coefficient of determination.
    pub r2: f64,
    /// Root-mean-square error (mAh).
    pub rmse_mah: f64,
    /// Share inside the GP's own 95 % interval.
    pub coverage_gp: f64,
    /// Share inside the calibrated 95 % interval μ ± q̂σ.
    pub coverage_calibrated: f64,
}

/// One protocol's result.
#[derive(Debug, Clone)]
pub struct EisCapacityResult {
    /// The protocol.
    pub protocol: EisProtocol,
    /// The model used: fixed by the caller or chosen by leave-one-cell-out.
    pub model: EisModel,
    /// Leave-one-cell-out RMSE (mAh) of each model compared: all three
    /// under [`ModelChoice::LeaveOneCellOut`], the fixed one otherwise.
    pub loco_rmse_mah: Vec<(EisModel, f64)>,
    /// The calibrated interval scale q̂ (1.96 would be the GP's own).
    pub interval_scale: f64,
    /// Training spectra.
    pub n_train: usize,
    /// Per test cell, then the pooled row.
    pub scores: Vec<CellScore>,
    /// Test points: (cell, measured, predicted, predictive sd), in mAh.
    pub points: Vec<(String, f64, f64, f64)>,
    /// ARD relevance 1/ℓ² per input (Re Z then Im Z, high → low frequency),
    /// from [`EisModel::SpectralArd`] fitted on all training cells.
    pub relevance: Vec<f64>,
    /// The 60 frequencies (Hz), high → low.
    pub frequencies_hz: Vec<f64>,
}

/// Spectral part (linear + RBF on the 120 standardised inputs), a cell
/// random effect (a linear kernel on the cell indicator columns: τ² between
/// spectra of one cell, 0 across cells, τ² of prior variance for an unseen
/// cell) and white noise.
type EisGpKernel<K> = Sum<
    Sum<Sum<Scaled<OnColumns<Linear>>, Scaled<OnColumns<K>>>, Scaled<OnColumns<Linear>>>,
    White,
>;

/// Columns 0..120 are the spectrum, the rest the cell indicators.
fn kernel<K: Kernel>(rbf: K, n_indicators: usize) -> Result<EisGpKernel<K>> {
    let spectral: Vec<usize> = (0..120).collect();
    let cells: Vec<usize> = (120..120 + n_indicators).collect();
    Ok(Sum(
        Sum(
            Sum(
                Scaled::new(1e-2, OnColumns::new(spectral.clone(), Linear)?)?,
                Scaled::new(0.1, OnColumns::new(spectral, rbf)?)?,
            ),
            Scaled::new(1e-2, OnColumns::new(cells, Linear)?)?,
        ),
        White::new(1e-3)?,
    ))
}

/// σ_l²·linear + σ²·(an RBF) + white noise on the spectra alone.
type SpectralKernel<K> = Sum<Sum<Scaled<Linear>, Scaled<K>>, White>;

fn spectral_kernel<K: Kernel>(rbf: K) -> Result<SpectralKernel<K>> {
    Ok(Sum(
        Sum(Scaled::new(1e-2, Linear)?, Scaled::new(0.1, rbf)?),
        White::new(1e-3)?,
    ))
}

/// A fitted model's predictions on `x`: mean and sd (mAh), and the
/// relevance 1/ℓ² of each spectral input where the model has one
/// length-scale per input.
struct Fitted {
    mean: Array1<f64>,
    sd: Array1<f64>,
    relevance: Option<Vec<f64>>,
}

/// Fits `which` on `train` (spectra then cell indicators) and predicts `x`.
fn fit_predict(
    which: EisModel,
    train: &Dataset,
    x: ndarray::ArrayView2<'_, f64>,
) -> Result<Fitted> {
    let n_ind = train.n_features() - 120;
    let spectra = ndarray::s![.., 0..120];
    let spectral_data = || {
        Dataset::new(
            train.features().slice(spectra).to_owned(),
            train.targets()?.to_owned(),
        )
    };
    let (p, relevance) = match which {
        EisModel::Spectral => {
            let gp = GpParams::new(spectral_kernel(Rbf::new(10.0)?)?)
                .optimize_auto(0)
                .fit(&spectral_data()?)?;
            (gp.predict_dist(x.slice(spectra))?, None)
        }
        EisModel::SpectralArd => {
            let data = spectral_data()?;
            let iso = GpParams::new(spectral_kernel(Rbf::new(10.0)?)?)
                .optimize_auto(0)
                .fit(&data)?;
            // [σ_l², σ², ℓ, noise]: the ARD fit starts every ℓᵢ at the
            // isotropic optimum, where the likelihood surface is already
            // shaped; from ℓ = 10 the 120-dimensional search wanders. One
            // L-BFGS-B run, capped at 200 iterations.
            let iso_ls = iso.kernel().log_params()[2].exp();
            let gp = GpParams::new(spectral_kernel(Rbf::ard(vec![iso_ls; 120])?)?)
                .optimize(0, 0)
                .fit(&data)?;
            // [σ_l², σ², ℓ₁ … ℓ₁₂₀, noise]
            let relevance = gp.kernel().log_params()[2..122]
                .iter()
                .map(|l| (-2.0 * l).exp())
                .collect();
            (gp.predict_dist(x.slice(spectra))?, Some(relevance))
        }
        EisModel::SpectralWithCellEffect => {
            let gp = GpParams::new(kernel(Rbf::new(10.0)?, n_ind)?)
                .optimize_auto(0)
                .fit(train)?;
            (gp.predict_dist(x)?, None)
        }
    };
    Ok(Fitted {
        mean: p.mean,
        sd: p.variance.mapv(f64::sqrt),
        relevance,
    })
}

fn features(s: &EisSpectrum) -> Vec<f64> {
    s.z_real_ohm.iter().chain(&s.z_imag_ohm).copied().collect()
}

/// Runs one protocol with the model `choice`; `train_step` > 1 keeps every
/// `train_step`-th training spectrum (consecutive spectra of a cell are
/// nearly alike). The interval scale q̂ is always calibrated on the
/// leave-one-cell-out scores of the model used.
pub fn eis_capacity(
    protocol: EisProtocol,
    train_step: usize,
    choice: ModelChoice,
) -> Result<EisCapacityResult> {
    if train_step == 0 {
        return Err(Error::invalid_parameter("train_step", 0, "≥ 1"));
    }
    let spectra = read_zhang2020(dataset_dir("zhang2020_lco_eis")?)?;
    let usable: Vec<&EisSpectrum> = spectra
        .iter()
        .filter(|s| s.state.capacity_ah.is_some() && s.len() == 60)
        .collect();
    let frequencies_hz = usable
        .first()
        .ok_or_else(|| Error::EmptyInput("no labelled 60-point spectra".into()))?
        .frequency_hz
        .clone();
    let rows_of = |cells: &[&str], step: usize| -> Vec<usize> {
        let mut rows = Vec::new();
        for c in cells {
            rows.extend(
                (0..usable.len())
                    .filter(|&i| usable[i].cell_id == *c)
                    .step_by(step),
            );
        }
        rows
    };
    let x = Array2::from_shape_vec(
        (usable.len(), 120),
        usable.iter().flat_map(|s| features(s)).collect(),
    )
    .map_err(|e| Error::internal(e.to_string()))?;
    let y: Array1<f64> = usable
        .iter()
        .map(|s| s.state.capacity_ah.map_or(f64::NAN, |c| c * 1e3))
        .collect();
    let all = Dataset::new(x, y)?;
    let train_cells = protocol.train_cells();
    let train_rows = rows_of(train_cells, train_step);
    let scaler = StandardScaler::new().fit(&all.select(&train_rows)?)?;
    let spectral = scaler.transform_dataset(&all)?;
    // Spectra plus one indicator column per training cell and one shared by
    // every cell the fit has not seen (so an unseen cell's random effect
    // has prior variance τ² and no correlation with the training cells).
    let n_ind = train_cells.len() + 1;
    let with_cells = |rows: &[usize], known: &[&str]| -> Result<Dataset> {
        let part = spectral.select(rows)?;
        let x = Array2::from_shape_fn((rows.len(), 120 + n_ind), |(i, j)| {
            if j < 120 {
                part.features()[[i, j]]
            } else {
                let cell = usable[rows[i]].cell_id.as_str();
                let slot = known.iter().position(|c| *c == cell).unwrap_or(n_ind - 1);
                f64::from(u8::from(j - 120 == slot))
            }
        });
        Dataset::new(x, part.targets()?.to_owned())
    };
    let train = with_cells(&train_rows, train_cells)?;

    // Leave one training cell out: the model choice (every model, unless
    // the caller fixed one) and the interval calibration (the model used).
    let models: Vec<EisModel> = match choice {
        ModelChoice::LeaveOneCellOut => vec![
            EisModel::Spectral,
            EisModel::SpectralArd,
            EisModel::SpectralWithCellEffect,
        ],
        ModelChoice::Fixed(m) => vec![m],
    };
    // Per model: measured, predicted mean, predicted sd.
    let mut loco: Vec<(Vec<f64>, Vec<f64>, Vec<f64>)> = vec![Default::default(); models.len()];
    for held in train_cells {
        let rest: Vec<&str> = train_cells.iter().copied().filter(|c| c != held).collect();
        let fit_on = with_cells(&rows_of(&rest, train_step), &rest)?;
        let out = with_cells(&rows_of(&[held], train_step), &rest)?;
        for (k, &which) in models.iter().enumerate() {
            let fitted = fit_predict(which, &fit_on, out.features())?;
            loco[k].0.extend(out.targets()?.iter());
            loco[k].1.extend(fitted.mean);
            loco[k].2.extend(fitted.sd);
        }
    }
    let loco_rmse_mah = models
        .iter()
        .zip(&loco)
        .map(|(&m, (t, p, _))| {
            Ok((
                m,
                rmse(
                    Array1::from(t.clone()).view(),
                    Array1::from(p.clone()).view(),
                )?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    // The first of the lowest, so a tie keeps the simpler model.
    let chosen = (1..models.len()).fold(0, |best, k| {
        if loco_rmse_mah[k].1 < loco_rmse_mah[best].1 {
            k
        } else {
            best
        }
    });
    let interval_scale = SplitConformal::new(0.05)?.normalized_quantile(
        Array1::from(loco[chosen].0.clone()).view(),
        Array1::from(loco[chosen].1.clone()).view(),
        Array1::from(loco[chosen].2.clone()).view(),
    )?;

    let test_rows = rows_of(protocol.test_cells(), 1);
    let test = with_cells(&test_rows, train_cells)?;
    let fitted = fit_predict(models[chosen], &train, test.features())?;
    let relevance = match fitted.relevance {
        Some(r) => r,
        None => fit_predict(EisModel::SpectralArd, &train, test.features())?
            .relevance
            .ok_or_else(|| Error::internal("the ARD model gave no relevance"))?,
    };
    let (mean, sd) = (fitted.mean, fitted.sd);
    let truth = test.targets()?;
    let score = |cell: &str, idx: &[usize]| -> Result<CellScore> {
        let t: Array1<f64> = idx.iter().map(|&i| truth[i]).collect();
        let m: Array1<f64> = idx.iter().map(|&i| mean[i]).collect();
        let inside = |z: f64| {
            idx.iter()
                .filter(|&&i| (truth[i] - mean[i]).abs() <= z * sd[i])
                .count() as f64
                / idx.len().max(1) as f64
        };
        Ok(CellScore {
            cell: cell.to_string(),
            n: idx.len(),
            r2: r2(t.view(), m.view())?,
            rmse_mah: rmse(t.view(), m.view())?,
            coverage_gp: inside(1.959_964),
            coverage_calibrated: inside(interval_scale),
        })
    };
    let mut scores = Vec::new();
    for cell in protocol.test_cells() {
        let idx: Vec<usize> = (0..test_rows.len())
            .filter(|&i| usable[test_rows[i]].cell_id == *cell)
            .collect();
        scores.push(score(cell, &idx)?);
    }
    let every: Vec<usize> = (0..test_rows.len()).collect();
    scores.push(score("all", &every)?);
    let points = (0..test_rows.len())
        .map(|i| {
            (
                usable[test_rows[i]].cell_id.clone(),
                truth[i],
                mean[i],
                sd[i],
            )
        })
        .collect();
    Ok(EisCapacityResult {
        protocol,
        model: models[chosen],
        loco_rmse_mah,
        interval_scale,
        n_train: train_rows.len(),
        scores,
        points,
        relevance,
        frequencies_hz,
    })
}
