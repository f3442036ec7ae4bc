//! The Severson "discharge" model against scikit-learn's ElasticNetCV on the
//! same features and the same folds (`tools/reference/sparse/severson_enet_cv.py`,
//! peer version stored in its JSON): held-out RMSE within 2 % and identical
//! selected features, for plain 4-fold CV and 10 shuffled fold assignments.
#![cfg(all(feature = "battery-data", feature = "discovery"))]

use ndarray::Array1;
use serde_json::Value;
use voltai::battery_data::data_dir::dataset_dir;
use voltai::battery_data::features::{
    SeversonFeatures, severson_dataset, validated_severson_features,
};
use voltai::battery_data::readers::{SeversonData, SeversonSplit};
use voltai::core::metrics::rmse;
use voltai::core::split::shuffled_fold_ids;
use voltai::core::{Fit, Regressor, StandardScaler};
use voltai::discovery::{ElasticNetCvParams, ElasticNetParams, Folds};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/reference/sparse/");

#[test]
fn discharge_model_matches_scikit_learn_elastic_net_cv() {
    let data = SeversonData::load(dataset_dir("severson2019_lfp_fastcharge").unwrap()).unwrap();
    let (feats, _) = validated_severson_features(&data).unwrap();
    let all = severson_dataset(&data, &feats, &SeversonFeatures::DISCHARGE_MODEL).unwrap();

    // The peer saw exactly these features.
    let csv = std::fs::read_to_string(format!("{DIR}severson_discharge_features.csv")).unwrap();
    for (i, line) in csv.lines().skip(1).enumerate() {
        let values: Vec<f64> = line
            .split(',')
            .skip(2)
            .map(|v| v.parse().unwrap())
            .collect();
        for (j, v) in values.iter().enumerate() {
            let ours = all.features()[[i, j]];
            assert!(
                (ours - v).abs() <= 1e-12 * v.abs().max(1e-300),
                "cell {i} feature {j}"
            );
        }
    }

    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{DIR}severson_enet_cv.json")).unwrap(),
    )
    .unwrap();
    let rows = |s: SeversonSplit| data.split_rows(s);
    let train_raw = all.select(&rows(SeversonSplit::Train)).unwrap();
    let scaler = StandardScaler::new().fit(&train_raw).unwrap();
    let train = scaler.transform_dataset(&train_raw).unwrap();
    let check = |folds: Folds, peer: &Value| {
        let cv = ElasticNetCvParams::new(vec![0.1, 0.5, 0.7, 0.9, 0.95, 0.99, 1.0])
            .unwrap()
            .folds(folds)
            .unwrap()
            .base(ElasticNetParams::new().stopping(1e-12, 1_000_000).unwrap())
            .fit(&train)
            .unwrap();
        let support: Vec<u64> = cv.model.support().iter().map(|&i| i as u64).collect();
        let peer_support: Vec<u64> = serde_json::from_value(peer["support"].clone()).unwrap();
        assert_eq!(support, peer_support);
        assert_eq!(cv.l1_ratio, peer["l1_ratio"].as_f64().unwrap());
        for split in SeversonSplit::ALL {
            let idx = rows(split);
            let d = scaler
                .transform_dataset(&all.select(&idx).unwrap())
                .unwrap();
            let pred = cv
                .model
                .predict(d.features())
                .unwrap()
                .mapv(|v| 10f64.powf(v));
            let truth: Array1<f64> = idx
                .iter()
                .map(|&i| data.cells[i].cycle_life as f64)
                .collect();
            let ours = rmse(truth.view(), pred.view()).unwrap();
            let theirs = peer["rmse"][format!("{split:?}")].as_f64().unwrap();
            assert!(
                (ours / theirs - 1.0).abs() < 0.02,
                "{split:?}: {ours} vs {theirs}"
            );
        }
    };
    check(Folds::KFold(4), &reference["kfold4"]);
    for case in reference["seeds"].as_array().unwrap() {
        let seed = case["seed"].as_u64().unwrap();
        let ids = shuffled_fold_ids(train.n_samples(), 4, seed).unwrap();
        check(Folds::Assigned(ids), case);
    }
}
