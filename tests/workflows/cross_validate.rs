//! `voltai_core::model_selection::cross_validate` reproduces the fold loops
//! it replaces: the held-out MSE that `ElasticNetCv` computes inside its own
//! loop on the Severson discharge features, and a hand-written group k-fold
//! loop over the EIS at-risk SVM (cells never straddle a fold).
#![cfg(all(feature = "battery-data", feature = "discovery", feature = "kernels"))]

use ndarray::Array1;
use voltai::battery_data::data_dir::dataset_dir;
use voltai::battery_data::features::{
    SeversonFeatures, severson_dataset, validated_severson_features,
};
use voltai::battery_data::readers::{SeversonData, SeversonSplit, read_zhang2020};
use voltai::core::model_selection::{Better, cross_validate, grid_search, scoring};
use voltai::core::split::{GroupKFold, KFold};
use voltai::core::{Dataset, Fit, Result, StandardScaler};
use voltai::discovery::{ElasticNetCvParams, ElasticNetParams, Folds};
use voltai::kernels::kernels::Rbf;
use voltai::kernels::{ClassWeight, SvcParams};

#[test]
fn cross_validate_matches_elastic_net_cv_on_severson() -> Result<()> {
    let data = SeversonData::load(dataset_dir("severson2019_lfp_fastcharge")?)?;
    let (feats, _) = validated_severson_features(&data)?;
    let all = severson_dataset(&data, &feats, &SeversonFeatures::DISCHARGE_MODEL)?;
    let train_raw = all.select(&data.split_rows(SeversonSplit::Train))?;
    let train = StandardScaler::new()
        .fit(&train_raw)?
        .transform_dataset(&train_raw)?;

    let tight = ElasticNetParams::new().stopping(1e-12, 1_000_000)?;
    let cv = ElasticNetCvParams::new(vec![0.5, 1.0])?
        .folds(Folds::KFold(4))?
        .base(tight)
        .fit(&train)?;
    let splits = KFold::new(4)?.splits(train.n_samples())?;
    // Every α of the grid, fitted cold by cross_validate, against the
    // warm-started path inside ElasticNetCv: same folds, same mean MSE.
    for (r, &rho) in [0.5, 1.0].iter().enumerate() {
        for (a, &alpha) in cv.alphas[r].iter().enumerate().step_by(9) {
            let params = tight.l1_ratio(rho)?.alpha(alpha)?;
            let ours = cross_validate(&params, &train, &splits, scoring::mse)?;
            let theirs = cv.mean_mse[r][a];
            assert!(
                (ours.mean - theirs).abs() <= 1e-6 * theirs,
                "ρ {rho}, α {alpha}: {} vs {theirs}",
                ours.mean
            );
        }
    }
    // A grid search over the same grid picks ElasticNetCv's α.
    let candidates = cv.alphas[1]
        .iter()
        .map(|&a| tight.l1_ratio(1.0)?.alpha(a))
        .collect::<Result<Vec<_>>>()?;
    let search = grid_search(candidates, &train, &splits, scoring::mse, Better::Lower)?;
    let best_mse = cv.mean_mse[1].iter().copied().fold(f64::INFINITY, f64::min);
    assert!((search.best_scores().mean - best_mse).abs() <= 1e-6 * best_mse);
    Ok(())
}

#[test]
fn cross_validate_matches_a_group_kfold_loop_on_eis() -> Result<()> {
    let spectra = read_zhang2020(dataset_dir("zhang2020_lco_eis")?)?;
    let labelled: Vec<_> = spectra.iter().filter(|s| s.state.soh.is_some()).collect();
    let x = voltai::studies::eis::eis_matrix(&labelled, 0.1, 1e4, 12)?;
    let x = StandardScaler::new()
        .fit(&Dataset::unsupervised(x.clone())?)?
        .transform(x.view())?;
    let y: Array1<f64> = labelled
        .iter()
        .map(|s| f64::from(u8::from(s.state.soh.unwrap_or(1.0) < 0.7)))
        .collect();
    let cells: Vec<&str> = labelled.iter().map(|s| s.cell_id.as_str()).collect();
    let data = Dataset::new(x, y)?.with_groups(&cells)?;
    let params = SvcParams::new(Rbf::from_gamma(1.0 / 24.0)?)
        .c(10.0)?
        .class_weight(ClassWeight::Balanced)?;
    let splits = GroupKFold::new(4)?.dataset_splits(&data)?;

    let mut by_hand = Vec::new();
    for split in &splits {
        let (train, test) = (data.select(&split.train)?, data.select(&split.test)?);
        let groups_train = train.groups().unwrap_or_default();
        assert!(
            test.groups()
                .unwrap_or_default()
                .iter()
                .all(|g| !groups_train.contains(g)),
            "a cell on both sides of a fold"
        );
        by_hand.push(scoring::balanced_accuracy(&params.fit(&train)?, &test)?);
    }
    let cv = cross_validate(&params, &data, &splits, scoring::balanced_accuracy)?;
    assert_eq!(cv.fold_scores, by_hand);
    assert!(cv.mean > 0.5, "better than chance: {}", cv.mean);
    Ok(())
}
