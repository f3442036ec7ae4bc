//! The estimator contract for core's own fitted types, and the contract
//! checks themselves: they must catch a model that breaks a rule.

use ndarray::{Array1, Array2, ArrayView2, array};
use serde::{Deserialize, Serialize};
use voltai_core::conformal::SplitConformal;
use voltai_core::contract::{
    ContractOptions, Subject, check_estimator, check_model, check_regressor,
};
use voltai_core::persist::Persist;
use voltai_core::{Dataset, Error, Fit, Regressor, Result, StandardScaler, check};

/// Least squares through the origin in one feature: a closed form.
#[derive(Debug, Clone, Copy)]
struct SlopeParams {
    /// Break the contract on purpose: accept NaN rows in predict.
    sloppy: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Slope {
    slope: f64,
    sloppy: bool,
}

impl Fit for SlopeParams {
    type Model = Slope;
    fn fit(&self, d: &Dataset) -> Result<Slope> {
        let (x, y) = (d.features().column(0).to_owned(), d.targets()?);
        Ok(Slope {
            slope: x.dot(&y) / x.dot(&x),
            sloppy: self.sloppy,
        })
    }
}

impl Regressor for Slope {
    fn n_features(&self) -> usize {
        1
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        if !self.sloppy {
            check::predict_input(x, 1)?;
        } else if x.ncols() != 1 {
            return Err(Error::shape_mismatch("columns", [1], [x.ncols()]));
        }
        Ok(x.column(0).mapv(|v| v * self.slope))
    }
}

impl Persist for Slope {
    const KIND: &'static str = "test::Slope";
}

fn data() -> Dataset {
    Dataset::new(
        array![[1.0], [2.0], [3.0], [4.0]],
        array![2.1, 3.9, 6.2, 7.8],
    )
    .unwrap()
}

#[test]
fn a_model_that_follows_the_rules_passes() -> Result<()> {
    check_regressor(
        "slope",
        &SlopeParams { sloppy: false },
        &data(),
        &ContractOptions::default(),
    )
}

#[test]
fn the_checks_catch_a_model_that_accepts_nan() {
    let err = check_regressor(
        "sloppy",
        &SlopeParams { sloppy: true },
        &data(),
        &ContractOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Internal { .. }), "{err}");
    assert!(err.to_string().contains("accepted a NaN feature"), "{err}");
}

#[test]
fn persisted_files_name_their_kind_and_version() -> Result<()> {
    let model = SlopeParams { sloppy: false }.fit(&data())?;
    let text = model.to_json()?;
    assert!(text.contains("\"voltai_model\":\"test::Slope\""));
    // Another kind or another version is refused, not misread.
    let other = text.replace("test::Slope", "test::Other");
    assert!(matches!(
        Slope::from_json(&other),
        Err(Error::Format { .. })
    ));
    let newer = text.replace(
        &format!(
            "\"voltai_version\":\"{}\"",
            voltai_core::persist::VOLTAI_VERSION
        ),
        "\"voltai_version\":\"9.9.9\"",
    );
    assert!(matches!(
        Slope::from_json(&newer),
        Err(Error::Format { .. })
    ));
    // A file round trip is bit-identical.
    let path = std::env::temp_dir().join(format!("voltai-slope-{}.json", std::process::id()));
    model.save(&path)?;
    let back = Slope::load(&path)?;
    std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
    assert_eq!(back.slope.to_bits(), model.slope.to_bits());
    Ok(())
}

#[test]
fn scaler_and_conformal_wrapper_meet_the_contract() -> Result<()> {
    let x = Array2::from_shape_fn((12, 2), |(i, j)| (i * (j + 2)) as f64 * 0.37);
    let d = Dataset::unsupervised(x)?;
    check_estimator(
        "standard scaler",
        &StandardScaler::new(),
        &d,
        &ContractOptions::default(),
        &|m, x| Ok(m.transform(x)?.iter().copied().collect()),
    )?;
    let conformal = SplitConformal::new(0.5)?;
    let fitted = SlopeParams { sloppy: false }.fit(&data())?;
    check_model(
        &Subject {
            name: "split-conformal wrapper",
            fit: &|order| {
                let calibration = match order {
                    Some(rows) => data().select(rows)?,
                    None => data(),
                };
                conformal.calibrate(fitted.clone(), &calibration)
            },
            n_rows: 4,
            x: data().features(),
            predict: &|m, x| {
                let i = m.predict_interval(x)?;
                Ok(i.lower.iter().chain(i.upper.iter()).copied().collect())
            },
        },
        &ContractOptions::default(),
    )?;
    Ok(())
}
