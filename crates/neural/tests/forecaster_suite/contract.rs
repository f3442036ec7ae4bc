//! (A module of the `forecaster` test binary: one link, one lock.)
//!
//! The estimator contract (`voltai_core::contract`) for the params →
//! fitted-model layer of this crate: `ForecasterParams` → `FittedForecaster`
//! (inputs: the observed windows of cells) and `MultiTaskParams` →
//! `FittedMultiTask` (inputs: a feature matrix). Both save their weights in
//! the versioned model file, so save → load must give bit-identical
//! predictions.
//!
//! The row-permutation check fits through `fit_validated` with a fixed
//! validation set, because `Fit::fit` draws its held-out rows by position
//! (a permuted input holds out other rows, and so trains another model).

use ndarray::{Array2, Axis};
use voltai_core::Result;
use voltai_core::contract::{ContractOptions, Subject, check_model};
use voltai_core::synthetic::SplitMix64;
use voltai_neural::multitask::TaskWeighting;
use voltai_neural::trajectories::{CellSeries, Windowing};
use voltai_neural::{
    FittedForecaster, FittedMultiTask, ForecasterParams, MultiTaskData, MultiTaskParams,
};

use super::SERIAL;

fn cells(n: usize, offset: usize) -> Vec<CellSeries> {
    (0..n)
        .map(|c| {
            let rate = 1e-3 * (1.0 + 0.15 * (c + offset) as f64);
            CellSeries::new(
                format!("cell{}", c + offset),
                (0..50 - (c % 3) * 5)
                    .map(|t| 1.0 - rate * t as f64 - 2e-5 * (t as f64 - 30.0).max(0.0).powi(2))
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn the_forecaster_meets_the_contract() -> Result<()> {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let windowing = Windowing {
        window: 20,
        stride: 5,
        horizon: 30,
        scale: 1.0,
    };
    let params = ForecasterParams::new(windowing)?
        .hidden(8)?
        .training(6, 1e-2, 6)?
        .monotonicity(10.0, 0.0)?
        .seed(3);
    let (train_cells, validation) = (cells(8, 0), cells(3, 8));
    let x = Array2::from_shape_fn((train_cells.len(), 20), |(i, t)| train_cells[i].capacity[t]);
    let model = check_model(
        &Subject {
            name: "capacity forecaster",
            fit: &|order| match order {
                Some(rows) => {
                    let permuted: Vec<CellSeries> =
                        rows.iter().map(|&i| train_cells[i].clone()).collect();
                    params.fit_validated(&permuted, &validation, &mut |_| {})
                }
                None => params.fit_validated(&train_cells, &validation, &mut |_| {}),
            },
            n_rows: train_cells.len(),
            x: x.view(),
            predict: &|m: &FittedForecaster, v| Ok(m.forecast(v)?.into_iter().collect()),
        },
        &ContractOptions {
            // Float sums over cells in another order, through a few Adam steps.
            permutation_tolerance: Some(1e-4),
            fuzz_cases: 16,
            ..ContractOptions::default()
        },
    )?;
    // Forecasts are 5-cycle means in capacity units.
    assert_eq!(model.forecast(x.view())?.dim(), (8, 6));
    assert_eq!(model.history.len(), 6, "patience 6 runs every epoch");
    assert!(model.history.iter().all(|r| r.train_loss.is_finite()));
    // Fit itself (seeded hold-out) runs and refuses cells too short to forecast.
    let mut all = train_cells.clone();
    all.extend(validation);
    voltai_core::Fit::fit(&params, &all)?;
    all[0].capacity.truncate(22);
    assert!(voltai_core::Fit::fit(&params, &all).is_err());
    Ok(())
}

#[test]
fn the_multitask_network_meets_the_contract() -> Result<()> {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut rng = SplitMix64::new(11);
    let x = Array2::from_shape_fn((30, 4), |_| rng.normal());
    let y = Array2::from_shape_fn((30, 2), |(i, t)| {
        x[[i, t]] - 0.5 * x[[i, 3]] + 0.05 * rng.normal()
    });
    let (fit_rows, val_rows): (Vec<usize>, Vec<usize>) = ((0..24).collect(), (24..30).collect());
    let (xf, yf) = (x.select(Axis(0), &fit_rows), y.select(Axis(0), &fit_rows));
    let (xv, yv) = (x.select(Axis(0), &val_rows), y.select(Axis(0), &val_rows));
    let validation = MultiTaskData::new(xv.view(), yv.view())?;
    for weighting in [
        TaskWeighting::Uncertainty,
        TaskWeighting::Fixed(vec![1.0, 0.5]),
    ] {
        let params = MultiTaskParams::new(weighting)
            .hidden(8)?
            .training(15, 1e-2, 15, 1e-3)?
            .seed(5);
        check_model(
            &Subject {
                name: "multi-task network",
                fit: &|order| match order {
                    Some(rows) => {
                        let (xp, yp) = (xf.select(Axis(0), rows), yf.select(Axis(0), rows));
                        params.fit_validated(
                            &MultiTaskData::new(xp.view(), yp.view())?,
                            &validation,
                            &mut |_| {},
                        )
                    }
                    None => params.fit_validated(
                        &MultiTaskData::new(xf.view(), yf.view())?,
                        &validation,
                        &mut |_| {},
                    ),
                },
                n_rows: xf.nrows(),
                x: xf.view(),
                predict: &|m: &FittedMultiTask, v| Ok(m.predict(v)?.into_iter().collect()),
            },
            &ContractOptions {
                permutation_tolerance: Some(1e-4),
                fuzz_cases: 16,
                ..ContractOptions::default()
            },
        )?;
    }
    // Bad training data is an error.
    let mut bad = y.clone();
    bad[[3, 1]] = f64::NAN;
    assert!(MultiTaskData::new(x.view(), bad.view()).is_err());
    assert!(MultiTaskData::new(x.view(), y.slice(ndarray::s![..29, ..])).is_err());
    let wrong = MultiTaskParams::new(TaskWeighting::Fixed(vec![1.0]));
    assert!(voltai_core::Fit::fit(&wrong, &MultiTaskData::new(x.view(), y.view())?).is_err());
    Ok(())
}
