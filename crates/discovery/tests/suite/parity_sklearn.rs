//! Parity with scikit-learn 1.9.1 (tools/reference/sparse/): lasso, elastic net
//! and ridge coefficients, and ElasticNetCV's choice of α and L1 ratio, its
//! α grid, mean held-out MSE surface and refitted coefficients.

use ndarray::Array1;
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Dataset, Fit};
use voltai_discovery::{ElasticNetCvParams, ElasticNetParams, Folds, RidgeParams};

fn reference() -> serde_json::Value {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tools/reference/sparse/sparse.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn data() -> Dataset {
    let mut rng = SplitMix64::new(31);
    let x = rng.normal_matrix(120, 8);
    let noise: Vec<f64> = (0..120).map(|_| rng.normal()).collect();
    let y: Array1<f64> = (0..120)
        .map(|i| 3.0 * x[[i, 0]] - 2.0 * x[[i, 3]] + 0.5 * x[[i, 5]] + 1.0 + 0.5 * noise[i])
        .collect();
    Dataset::new(x, y).unwrap()
}

fn close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}: {got:?} vs {want:?}"
        );
    }
}

#[test]
fn fixed_penalty_fits_match_sklearn() {
    let r = reference();
    let d = data();
    let tight = |p: ElasticNetParams| p.stopping(1e-12, 100_000).unwrap();
    let las = tight(ElasticNetParams::lasso(0.1).unwrap())
        .fit(&d)
        .unwrap();
    close(
        las.coef.as_slice().unwrap(),
        &floats(&r["lasso_0.1"]["coef"]),
        1e-8,
        "lasso",
    );
    close(
        &[las.intercept],
        &[r["lasso_0.1"]["intercept"].as_f64().unwrap()],
        1e-8,
        "lasso intercept",
    );
    let en = tight(
        ElasticNetParams::new()
            .alpha(0.2)
            .unwrap()
            .l1_ratio(0.3)
            .unwrap(),
    )
    .fit(&d)
    .unwrap();
    close(
        en.coef.as_slice().unwrap(),
        &floats(&r["enet_0.2_0.3"]["coef"]),
        1e-8,
        "elastic net",
    );
    let ridge = RidgeParams::new(0.5).unwrap().fit(&d).unwrap();
    close(
        ridge.coef.as_slice().unwrap(),
        &floats(&r["ridge_0.5"]["coef"]),
        1e-10,
        "ridge",
    );
    close(
        &[ridge.intercept],
        &[r["ridge_0.5"]["intercept"].as_f64().unwrap()],
        1e-10,
        "ridge intercept",
    );
}

#[test]
fn cross_validation_matches_elastic_net_cv() {
    let r = &reference()["enet_cv"];
    let cv = ElasticNetCvParams::new(floats(&r["l1_ratios"]))
        .unwrap()
        .folds(Folds::KFold(5))
        .unwrap()
        .base(ElasticNetParams::new().stopping(1e-12, 100_000).unwrap())
        .fit(&data())
        .unwrap();
    assert!((cv.alpha - r["alpha"].as_f64().unwrap()).abs() <= 1e-10 * cv.alpha);
    assert_eq!(cv.l1_ratio, r["l1_ratio"].as_f64().unwrap());
    for (k, row) in r["alphas"].as_array().unwrap().iter().enumerate() {
        close(&cv.alphas[k], &floats(row), 1e-12, "alpha grid");
    }
    for (k, row) in r["mean_mse"].as_array().unwrap().iter().enumerate() {
        close(&cv.mean_mse[k], &floats(row), 1e-6, "mean MSE");
    }
    close(
        cv.model.coef.as_slice().unwrap(),
        &floats(&r["coef"]),
        1e-8,
        "refit",
    );
}

#[test]
fn logistic_regression_matches_sklearn() {
    let r = &reference()["logistic_0.5"];
    let d = data();
    let labelled =
        Dataset::new(d.features().to_owned(), Array1::from(floats(&r["labels"]))).unwrap();
    let m = voltai_discovery::LogisticRegressionParams::new()
        .c(0.5)
        .unwrap()
        .fit(&labelled)
        .unwrap();
    close(
        m.coef.as_slice().unwrap(),
        &floats(&r["coef"]),
        1e-6,
        "logistic coef",
    );
    close(
        &[m.intercept],
        &[r["intercept"].as_f64().unwrap()],
        1e-6,
        "logistic intercept",
    );
}

#[test]
fn bad_parameters_are_errors() {
    assert!(ElasticNetParams::new().alpha(-1.0).is_err());
    assert!(ElasticNetParams::new().l1_ratio(1.5).is_err());
    assert!(ElasticNetCvParams::new(vec![0.0]).is_err());
    assert!(ElasticNetCvParams::new(vec![]).is_err());
    assert!(
        ElasticNetCvParams::new(vec![0.5])
            .unwrap()
            .folds(Folds::KFold(1))
            .is_err()
    );
    let d = data();
    assert!(
        ElasticNetCvParams::new(vec![0.5])
            .unwrap()
            .folds(Folds::GroupKFold(3))
            .unwrap()
            .fit(&d)
            .is_err(),
        "no groups"
    );
    assert!(
        RidgeParams::ols()
            .fit(
                &Dataset::new(
                    ndarray::array![[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]],
                    ndarray::array![1.0, 2.0, 3.0]
                )
                .unwrap()
            )
            .is_err(),
        "collinear"
    );
}

/// tools/reference/pls/pls_severson.json: the reference values, the training
/// and test inputs, and the training set.
fn latent_reference() -> (
    serde_json::Value,
    ndarray::Array2<f64>,
    ndarray::Array2<f64>,
    Dataset,
) {
    severson_reference("pls/pls_severson.json")
}

/// A reference file under tools/reference/ with `x_train`, `y_train` and
/// `x_test` on the Severson cells.
fn severson_reference(
    file: &str,
) -> (
    serde_json::Value,
    ndarray::Array2<f64>,
    ndarray::Array2<f64>,
    Dataset,
) {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tools/reference")
        .join(file);
    let r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let matrix = |v: &serde_json::Value| {
        let rows: Vec<Vec<f64>> = v.as_array().unwrap().iter().map(floats).collect();
        ndarray::Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
    };
    let (xtr, xte) = (matrix(&r["x_train"]), matrix(&r["x_test"]));
    let data = Dataset::new(xtr.clone(), Array1::from(floats(&r["y_train"]))).unwrap();
    (r, xtr, xte, data)
}

/// Training and test predictions (log10 cycles) equal the reference to 1e-8.
fn close_predictions(
    model: &impl voltai_core::Regressor,
    xtr: &ndarray::Array2<f64>,
    xte: &ndarray::Array2<f64>,
    case: &serde_json::Value,
    what: &str,
) {
    for (x, key) in [(xtr, "train_pred"), (xte, "test_pred")] {
        let got = model.predict(x.view()).unwrap();
        close(got.as_slice().unwrap(), &floats(&case[key]), 1e-8, what);
    }
}

/// PLS regression against scikit-learn's `PLSRegression`
/// (tools/reference/pls/: the Severson ΔQ(V) curves, 100 correlated features,
/// 41 training cells) for 1, 3 and 8 components, scaled and unscaled.
#[test]
fn pls_regression_matches_scikit_learn() {
    use voltai_discovery::PlsRegressionParams;
    let (r, xtr, xte, data) = latent_reference();
    for case in r["cases"].as_array().unwrap() {
        let k = case["n_components"].as_u64().unwrap() as usize;
        let scale = case["scale"].as_bool().unwrap();
        let model = PlsRegressionParams::new(k)
            .unwrap()
            .scale(scale)
            .fit(&data)
            .unwrap();
        let what = format!("PLS k={k} scale={scale}");
        close_predictions(&model, &xtr, &xte, case, &what);
    }
    // More components than features, and none, are parameter errors.
    assert!(PlsRegressionParams::new(0).is_err());
    assert!(PlsRegressionParams::new(101).unwrap().fit(&data).is_err());
}

/// Principal-component regression against scikit-learn's pipeline
/// StandardScaler → PCA → LinearRegression on the same curves.
#[test]
fn pcr_matches_scikit_learn_pipeline() {
    use voltai_discovery::PcrParams;
    let (r, xtr, xte, data) = latent_reference();
    for case in r["pcr_cases"].as_array().unwrap() {
        let k = case["n_components"].as_u64().unwrap() as usize;
        let model = PcrParams::new(k).unwrap().fit(&data).unwrap();
        let what = format!("PCR k={k}");
        close_predictions(&model, &xtr, &xte, case, &what);
        close(
            model.explained_variance_ratio.as_slice().unwrap(),
            &floats(&case["explained_variance_ratio"]),
            1e-8,
            &what,
        );
    }
    assert!(PcrParams::new(0).is_err());
    assert!(PcrParams::new(42).unwrap().fit(&data).is_err());
}

/// Regression trees and gradient boosting against scikit-learn 1.9.1's
/// `DecisionTreeRegressor` and `GradientBoostingRegressor`
/// (tools/reference/trees/: a depth-3 tree on nine Severson early-life
/// features of the 41 training cells; a deeper tree and two boosted
/// ensembles on Friedman #1, 400 rows, where no two features cut a node's
/// rows the same way; features rounded to float32 as scikit-learn's trees
/// read them): test predictions to 1e-10.
#[test]
fn trees_and_boosting_match_scikit_learn() {
    use voltai_core::Regressor;
    use voltai_discovery::{GradientBoostingParams, RegressionTreeParams};
    let (r, _, severson_test, severson) = severson_reference("trees/trees_severson.json");
    let matrix = |v: &serde_json::Value| {
        let rows: Vec<Vec<f64>> = v.as_array().unwrap().iter().map(floats).collect();
        ndarray::Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
    };
    let f = &r["friedman"];
    let friedman =
        Dataset::new(matrix(&f["x_train"]), Array1::from(floats(&f["y_train"]))).unwrap();
    let friedman_test = matrix(&f["x_test"]);
    let cases = r["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    let param = |case: &serde_json::Value, key: &str| case["params"][key].clone();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (data, xte) = match case["data"].as_str().unwrap() {
            "severson" => (&severson, &severson_test),
            _ => (&friedman, &friedman_test),
        };
        let leaf = param(case, "min_samples_leaf").as_u64().unwrap() as usize;
        let depth = param(case, "max_depth").as_u64().map(|d| d as usize);
        let got = if name.contains("tree") {
            let mut p = RegressionTreeParams::new().min_samples_leaf(leaf).unwrap();
            if let Some(d) = depth {
                p = p.max_depth(d).unwrap();
            }
            p.fit(data).unwrap().predict(xte.view()).unwrap()
        } else {
            let stages = param(case, "n_estimators").as_u64().unwrap() as usize;
            let rate = param(case, "learning_rate").as_f64().unwrap();
            GradientBoostingParams::new(stages)
                .unwrap()
                .learning_rate(rate)
                .unwrap()
                .max_depth(depth.unwrap())
                .unwrap()
                .min_samples_leaf(leaf)
                .unwrap()
                .fit(data)
                .unwrap()
                .predict(xte.view())
                .unwrap()
        };
        close(
            got.as_slice().unwrap(),
            &floats(&case["predictions"]),
            1e-10,
            name,
        );
    }
}

/// A random forest's test error over ten seeds matches scikit-learn's
/// `RandomForestRegressor` (200 trees) over ten seeds: the means within two
/// standard errors of their difference, and the spreads of the same order.
#[test]
fn random_forest_error_matches_scikit_learn_over_seeds() {
    use voltai_core::Regressor;
    use voltai_discovery::RandomForestParams;
    let (r, _, xte, data) = severson_reference("trees/trees_severson.json");
    let life: Vec<f64> = floats(&r["y_test"])
        .iter()
        .map(|v| 10f64.powf(*v))
        .collect();
    let rmse: Vec<f64> = (0..10)
        .map(|seed| {
            let p = RandomForestParams::new(200)
                .unwrap()
                .seed(seed)
                .fit(&data)
                .unwrap()
                .predict(xte.view())
                .unwrap();
            let se: f64 = p
                .iter()
                .zip(&life)
                .map(|(p, l)| (10f64.powf(*p) - l).powi(2))
                .sum();
            (se / life.len() as f64).sqrt()
        })
        .collect();
    let mean = rmse.iter().sum::<f64>() / 10.0;
    let sd = (rmse.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 9.0).sqrt();
    let (sk_mean, sk_sd) = (
        r["forest"]["mean"].as_f64().unwrap(),
        r["forest"]["sd"].as_f64().unwrap(),
    );
    let se = ((sd * sd + sk_sd * sk_sd) / 10.0).sqrt();
    assert!(
        (mean - sk_mean).abs() <= 2.0 * se + 1e-9,
        "forest RMSE {mean:.1} ± {sd:.1} vs scikit-learn {sk_mean:.1} ± {sk_sd:.1}"
    );
    assert!(
        sd < 4.0 * sk_sd + 1.0,
        "forest spread {sd:.2} vs {sk_sd:.2}"
    );
}
