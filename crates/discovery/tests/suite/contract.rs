//! The estimator contract (`voltai_core::contract`) for every estimator of
//! this crate: OLS, ridge, lasso / elastic net, cross-validated elastic net,
//! L2 logistic regression and SINDy (with each built-in library and
//! differentiator, so every one of them round-trips through a saved file).
//!
//! A SINDy model whose library is a `CustomLibrary` (closures) cannot be
//! saved: that case is checked to give an error instead of a file.

use ndarray::{Array1, Array2};
use voltai_core::Dataset;
use voltai_core::Fit;
use voltai_core::Result;
use voltai_core::contract::{
    ContractOptions, Subject, check_classifier, check_model, check_regressor,
};
use voltai_core::persist::Persist;
use voltai_core::synthetic::SplitMix64;
use voltai_discovery::sindy::{
    ConcatLibrary, CustomLibrary, FiniteDifference, FourierLibrary, OnInputs, PolynomialLibrary,
    SavitzkyGolay, SindyModel, SindyParams, SmoothedFiniteDifference, Stlsq, TensorLibrary, Times,
    TotalVariation, Trajectory,
};
use voltai_discovery::{
    ElasticNetCvParams, ElasticNetParams, Folds, GradientBoostingParams, LogisticRegressionParams,
    MaxFeatures, PcrParams, PlsRegressionParams, RandomForestParams, RegressionTreeParams,
    RidgeParams,
};

fn linear_data(seed: u64) -> Dataset {
    let mut rng = SplitMix64::new(seed);
    let x = Array2::from_shape_fn((40, 4), |_| rng.normal());
    let y = Array1::from_shape_fn(40, |i| {
        0.5 + 2.0 * x[[i, 0]] - x[[i, 3]] + 0.1 * rng.normal()
    });
    Dataset::new(x, y).expect("finite synthetic data")
}

#[test]
fn linear_models_meet_the_contract() -> Result<()> {
    let data = linear_data(1);
    let options = ContractOptions::default();
    check_regressor("OLS", &RidgeParams::ols(), &data, &options)?;
    check_regressor("ridge", &RidgeParams::new(0.5)?, &data, &options)?;
    check_regressor(
        "PLS, 2 components",
        &PlsRegressionParams::new(2)?,
        &data,
        &options,
    )?;
    check_regressor("PCR, 2 components", &PcrParams::new(2)?, &data, &options)?;
    check_regressor(
        "PLS, unscaled",
        &PlsRegressionParams::new(3)?.scale(false),
        &data,
        &options,
    )?;
    // Coordinate descent stops at a tolerance: a different row order stops
    // at a slightly different point.
    let cd = ContractOptions {
        permutation_tolerance: Some(1e-4),
        ..options
    };
    check_regressor("lasso", &ElasticNetParams::lasso(0.05)?, &data, &cd)?;
    check_regressor(
        "elastic net",
        &ElasticNetParams::new().alpha(0.05)?.l1_ratio(0.5)?,
        &data,
        &cd,
    )
}

#[test]
fn trees_and_ensembles_meet_the_contract() -> Result<()> {
    let data = linear_data(3);
    let options = ContractOptions::default();
    check_regressor("tree", &RegressionTreeParams::new(), &data, &options)?;
    check_regressor(
        "tree, depth 3, sqrt features",
        &RegressionTreeParams::new()
            .max_depth(3)?
            .max_features(MaxFeatures::Sqrt)?,
        &data,
        &options,
    )?;
    check_regressor(
        "gradient boosting",
        &GradientBoostingParams::new(30)?,
        &data,
        &options,
    )?;
    // Bootstrap samples and subsamples are drawn by row position.
    let by_position = ContractOptions {
        permutation_tolerance: None,
        ..options
    };
    check_regressor(
        "random forest",
        &RandomForestParams::new(20)?.seed(4),
        &data,
        &by_position,
    )?;
    check_regressor(
        "stochastic gradient boosting",
        &GradientBoostingParams::new(20)?.subsample(0.5)?.seed(2),
        &data,
        &by_position,
    )
}

#[test]
fn cross_validated_elastic_net_meets_the_contract() -> Result<()> {
    // Contiguous k-fold depends on row order by design (as scikit-learn's
    // `cv=k`), so the permutation check does not apply.
    let options = ContractOptions {
        permutation_tolerance: None,
        ..ContractOptions::default()
    };
    let params = ElasticNetCvParams::new(vec![0.5, 1.0])?.folds(Folds::KFold(4))?;
    check_regressor("ElasticNetCV", &params, &linear_data(2), &options)
}

#[test]
fn logistic_regression_meets_the_contract() -> Result<()> {
    let mut rng = SplitMix64::new(3);
    let x = Array2::from_shape_fn((60, 2), |_| rng.normal());
    let y = Array1::from_shape_fn(60, |i| {
        f64::from(u8::from(
            x[[i, 0]] + 0.5 * x[[i, 1]] + 0.5 * rng.normal() > 0.0,
        ))
    });
    let options = ContractOptions {
        permutation_tolerance: Some(1e-6),
        ..ContractOptions::default()
    };
    check_classifier(
        "logistic regression",
        &LogisticRegressionParams::new(),
        &Dataset::new(x, y)?,
        &options,
    )
}

/// A damped oscillator with a forcing input: `x' = y`, `y' = −x − 0.2 y + u`,
/// sampled every 0.05 with its exact derivatives.
fn oscillator(rows: Option<&[usize]>) -> Result<Trajectory> {
    let n = 120;
    let dt = 0.05;
    let mut state = [1.0f64, 0.0];
    let mut x = Array2::zeros((n, 2));
    let mut u = Array2::zeros((n, 1));
    for i in 0..n {
        let t = i as f64 * dt;
        x[[i, 0]] = state[0];
        x[[i, 1]] = state[1];
        u[[i, 0]] = (1.3 * t).sin();
        let d = [state[1], -state[0] - 0.2 * state[1] + u[[i, 0]]];
        state = [state[0] + dt * d[0], state[1] + dt * d[1]];
    }
    let x_dot = Array2::from_shape_fn((n, 2), |(i, j)| match j {
        0 => x[[i, 1]],
        _ => -x[[i, 0]] - 0.2 * x[[i, 1]] + u[[i, 0]],
    });
    let pick = |a: &Array2<f64>| match rows {
        Some(r) => a.select(ndarray::Axis(0), r),
        None => a.clone(),
    };
    Trajectory::new(pick(&x), Times::uniform(dt)?)?
        .with_control(pick(&u))?
        .with_derivative(pick(&x_dot))
}

#[test]
fn sindy_meets_the_contract() -> Result<()> {
    let base = oscillator(None)?;
    let x = base.states().clone();
    let controls = base
        .control()
        .cloned()
        .ok_or_else(|| voltai_core::Error::internal("controls"))?;
    let variants: Vec<(&str, SindyParams)> = vec![
        ("SINDy, polynomial + finite differences", SindyParams::new()),
        (
            "SINDy, polynomial ⊕ (Fourier on the states) + Savitzky-Golay",
            SindyParams::new()
                .library(ConcatLibrary::new(vec![
                    Box::new(PolynomialLibrary::new(1)?),
                    Box::new(OnInputs::new(
                        vec![0, 1],
                        Box::new(FourierLibrary::new(1)?),
                    )?),
                ])?)
                .differentiator(SavitzkyGolay::new(7, 3)?),
        ),
        (
            "SINDy, tensor library + smoothed differences",
            SindyParams::new()
                .library(TensorLibrary::new(
                    Box::new(PolynomialLibrary::new(1)?),
                    Box::new(FourierLibrary::new(1)?.families(true, false)?),
                ))
                .differentiator(SmoothedFiniteDifference::new(9, 3)?),
        ),
        (
            "SINDy, total variation",
            SindyParams::new()
                .optimizer(Stlsq::new(0.05)?)
                .differentiator(TotalVariation::new(1e-3)?.iterations(5)?),
        ),
        (
            "SINDy, first-order differences",
            SindyParams::new().differentiator(FiniteDifference::new(1)?),
        ),
    ];
    for (name, params) in &variants {
        let inputs = ndarray::concatenate(ndarray::Axis(1), &[x.view(), controls.view()])
            .map_err(|e| voltai_core::Error::internal(e.to_string()))?;
        let model = check_model(
            &Subject {
                name,
                fit: &|order| params.fit(&[oscillator(order)?]),
                n_rows: x.nrows(),
                x: inputs.view(),
                predict: &|m: &SindyModel, z| {
                    if z.ncols() != 3 {
                        return Err(voltai_core::Error::shape_mismatch(
                            "states and control",
                            [3],
                            [z.ncols()],
                        ));
                    }
                    let (states, u) = z.split_at(ndarray::Axis(1), 2);
                    Ok(m.predict_derivative(states, Some(u))?.into_iter().collect())
                },
            },
            &ContractOptions {
                // Supplied derivatives: least squares over rows, whatever
                // their order.
                permutation_tolerance: Some(1e-6),
                ..ContractOptions::default()
            },
        )
        .map_err(|e| voltai_core::Error::internal(format!("{name}: {e}")))?;
        // The saved model keeps the differentiator too (used by `score`).
        let back = SindyModel::from_json(&model.to_json()?)?;
        let fresh = oscillator(None)?;
        let unsupplied = Trajectory::new(fresh.states().clone(), Times::uniform(0.05)?)?
            .with_control(controls.clone())?;
        assert_eq!(
            model.score(std::slice::from_ref(&unsupplied))?.to_bits(),
            back.score(&[unsupplied])?.to_bits(),
            "{name}: score after load"
        );
    }
    Ok(())
}

#[test]
fn a_sindy_model_with_a_custom_library_refuses_to_save() -> Result<()> {
    let library = CustomLibrary::new().unary("sin({})", f64::sin)?;
    let model = SindyParams::new()
        .library(library)
        .fit(&[oscillator(None)?])?;
    let err = model.to_json().map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("cannot be saved"), "{err}");
    Ok(())
}

#[test]
fn a_tampered_sindy_file_is_refused() -> Result<()> {
    let model = SindyParams::new().fit(&[oscillator(None)?])?;
    let text = model.to_json()?;
    // A library of another degree no longer names the saved terms.
    let tampered = text.replacen("\"degree\":2", "\"degree\":3", 1);
    assert_ne!(tampered, text);
    assert!(SindyModel::from_json(&tampered).is_err());
    Ok(())
}

/// A forest grows its trees in parallel from per-tree seeds: the same
/// forest for one thread or three; bad settings are parameter errors.
#[test]
fn forests_are_the_same_for_any_thread_count_and_refuse_bad_settings() -> Result<()> {
    use voltai_core::Regressor;
    let data = linear_data(5);
    let params = RandomForestParams::new(16)?
        .max_features(MaxFeatures::Fraction(0.5))?
        .seed(9);
    let run = |threads: usize| -> Result<Vec<f64>> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| voltai_core::Error::internal(e.to_string()))?;
        pool.install(|| Ok(params.fit(&data)?.predict(data.features())?.to_vec()))
    };
    assert_eq!(run(1)?, run(3)?);
    assert!(RandomForestParams::new(0).is_err());
    assert!(GradientBoostingParams::new(0).is_err());
    assert!(GradientBoostingParams::new(5)?.learning_rate(0.0).is_err());
    assert!(GradientBoostingParams::new(5)?.subsample(1.5).is_err());
    assert!(RegressionTreeParams::new().max_depth(0).is_err());
    assert!(RegressionTreeParams::new().min_samples_leaf(0).is_err());
    assert!(RegressionTreeParams::new().min_samples_split(1).is_err());
    assert!(
        RegressionTreeParams::new()
            .max_features(MaxFeatures::Fraction(0.0))
            .is_err()
    );
    Ok(())
}
