//! The Severson et al. 2019 study as a library function: features of every
//! cell from its history, an elastic net chosen by 4-fold cross-validation
//! on the training split, scores on the three published splits, and the
//! shippable [`EarlyLifeModel`] with a split-conformal interval calibrated
//! on the primary test split.

use ndarray::Array1;
use serde::{Deserialize, Serialize};
use voltai_battery_data::CellHistory;
use voltai_battery_data::features::{DeltaQOptions, FeatureSet, NamedFeatures, cell_features};
use voltai_battery_data::readers::{SEVERSON_NOMINAL_AH, SeversonData, SeversonSplit};
use voltai_battery_data::validate::{Rules, validate_cycles};
use voltai_core::conformal::SplitConformal;
use voltai_core::metrics::{mape, rmse};
use voltai_core::{Dataset, Error, Fit, Regressor, Result, StandardScaler};
use voltai_discovery::{ElasticNetCv, ElasticNetCvParams, ElasticNetParams, Folds};

use crate::model::{EarlyLifeModel, Provenance, TrainingDomain};

/// The L1 ratios the study searches (the paper's grid).
pub const L1_RATIOS: [f64; 7] = [0.1, 0.5, 0.7, 0.9, 0.95, 0.99, 1.0];

/// Errors of a model on one split.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SplitScore {
    /// The split.
    pub split: SeversonSplit,
    /// Cells scored.
    pub cells: usize,
    /// RMSE in cycles.
    pub rmse_cycles: f64,
    /// Mean absolute percentage error, %.
    pub mape_percent: f64,
    /// Share of cells whose true life lies in the model's interval.
    pub interval_coverage: f64,
}

/// What [`fit_severson_model`] returns.
#[derive(Debug, Clone)]
pub struct SeversonFit {
    /// The model, ready to save or ship.
    pub model: EarlyLifeModel,
    /// The cross-validation that chose α and the L1 ratio.
    pub cv: ElasticNetCv,
    /// Scores on the train, primary and secondary test splits.
    pub scores: Vec<SplitScore>,
    /// Every cell's features (all twelve), in `data.cells` order.
    pub features: Vec<NamedFeatures>,
    /// Cycles masked as implausible before the features were taken.
    pub masked_cycles: usize,
}

/// Each cell of the shared Severson files as a [`CellHistory`], with
/// implausible capacities masked (default [`Rules`], 1.1 Ah nominal).
pub fn severson_histories(data: &SeversonData) -> Result<(Vec<CellHistory>, usize)> {
    let report = validate_cycles(
        &data.cycle_summaries(),
        &|_| Some(SEVERSON_NOMINAL_AH),
        &Rules::default(),
    )?;
    Ok((data.histories(&report.mask())?, report.issues.len()))
}

/// Fits the `set` model as the paper does and as
/// `examples/early_life_prediction.rs` reports it.
pub fn fit_severson_model(data: &SeversonData, set: FeatureSet) -> Result<SeversonFit> {
    let (histories, masked_cycles) = severson_histories(data)?;
    let features = histories
        .iter()
        .map(|h| cell_features(h, FeatureSet::SeversonAll, &DeltaQOptions::default()))
        .collect::<Result<Vec<_>>>()?;
    let names = set.names();
    let rows = features
        .iter()
        .map(|f| f.select(names))
        .collect::<Result<Vec<_>>>()?;
    let x = ndarray::Array2::from_shape_fn((rows.len(), names.len()), |(i, k)| rows[i][k]);
    let life: Array1<f64> = data.cells.iter().map(|c| c.cycle_life as f64).collect();
    let ids: Vec<&str> = data.cells.iter().map(|c| c.cell_id.as_str()).collect();
    let all = Dataset::new(x, life.mapv(f64::log10))?
        .with_feature_names(names.to_vec())?
        .with_groups(&ids)?;
    let train_rows = data.split_rows(SeversonSplit::Train);
    let calibration_rows = data.split_rows(SeversonSplit::PrimaryTest);
    let train_raw = all.select(&train_rows)?;
    let scaler = StandardScaler::new().fit(&train_raw)?;
    let train = scaler.transform_dataset(&train_raw)?;
    let cv = ElasticNetCvParams::new(L1_RATIOS.to_vec())?
        .folds(Folds::KFold(4))?
        .base(ElasticNetParams::new().stopping(1e-8, 100_000)?)
        .fit(&train)?;
    let calibration = scaler.transform_dataset(&all.select(&calibration_rows)?)?;
    let conformal = SplitConformal::new(0.1)?.calibrate(cv.model.clone(), &calibration)?;

    let mut scores = Vec::new();
    for split in SeversonSplit::ALL {
        let rows = data.split_rows(split);
        let d = scaler.transform_dataset(&all.select(&rows)?)?;
        let pred = conformal.predict(d.features())?.mapv(|v| 10f64.powf(v));
        let intervals = conformal.predict_interval(d.features())?;
        let truth: Array1<f64> = rows.iter().map(|&i| life[i]).collect();
        scores.push(SplitScore {
            split,
            cells: rows.len(),
            rmse_cycles: rmse(truth.view(), pred.view())?,
            mape_percent: mape(truth.view(), pred.view())?,
            interval_coverage: intervals.coverage(truth.mapv(f64::log10).view())?,
        });
    }

    let feature_ranges = (0..names.len())
        .map(|k| {
            let col = train_raw.features().column(k).to_owned();
            (
                col.iter().copied().fold(f64::INFINITY, f64::min),
                col.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            )
        })
        .collect();
    let train_life: Vec<f64> = train_rows.iter().map(|&i| life[i]).collect();
    let name = match set {
        FeatureSet::SeversonDischarge => "severson2019_discharge",
        FeatureSet::SeversonVariance => "severson2019_variance",
        other => {
            return Err(Error::InvalidInput(format!(
                "the Severson study fits the variance and discharge models, not {}",
                other.label()
            )));
        }
    };
    let model = EarlyLifeModel {
        name: name.into(),
        feature_set: set,
        feature_names: names.iter().map(|n| n.to_string()).collect(),
        scaler,
        model: conformal,
        domain: TrainingDomain {
            chemistry: "LFP/graphite (A123 APR18650M1A)".into(),
            chemistry_aliases: vec!["lfp".into(), "lifepo4".into(), "lithium iron phosphate".into()],
            nominal_capacity_ah: SEVERSON_NOMINAL_AH,
            protocol: "one- and two-step fast charging (3.6C–8C) to 80 % SOC, 4C discharge to 2.0 V, 30 °C".into(),
            feature_ranges,
            cycle_life_range: (
                train_life.iter().copied().fold(f64::INFINITY, f64::min),
                train_life.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
        },
        provenance: Provenance {
            data: "Severson et al., Nature Energy 4, 383–391 (2019), data.matr.io/1; \
                   features from ../shared/data/severson2019_lfp_fastcharge"
                .into(),
            licence: "data CC BY 4.0 (Toyota Research Institute); model coefficients derived from it"
                .into(),
            fitting: format!(
                "train split ({} cells), standardised features, elastic net with α and L1 ratio \
                 chosen by contiguous 4-fold CV over L1 ratios {L1_RATIOS:?}: α = {:e}, L1 ratio = {}",
                train_rows.len(),
                cv.alpha,
                cv.l1_ratio
            ),
            calibration: format!(
                "split conformal, 90 % target, absolute log10-life residuals of the primary test \
                 split ({} cells, not used for fitting); coverage on the secondary test split is \
                 reported in the scores",
                calibration_rows.len()
            ),
            cells: (train_rows.len(), calibration_rows.len()),
        },
    };
    Ok(SeversonFit {
        model,
        cv,
        scores,
        features,
        masked_cycles,
    })
}
