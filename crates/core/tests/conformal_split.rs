//! Split-conformal coverage on synthetic data, datasets and split errors.

use ndarray::{Array1, Array2, ArrayView2, array};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};
use voltai_core::conformal::SplitConformal;
use voltai_core::split::{GroupKFold, KFold, Split, train_test_split};
use voltai_core::{Dataset, Error, Regressor, StandardScaler};

/// A deliberately misspecified model: predicts 2·x₀ for data generated as 2·x₀ + x₀² + noise.
struct Slope2;
impl Regressor for Slope2 {
    fn n_features(&self) -> usize {
        1
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> voltai_core::Result<Array1<f64>> {
        Ok(x.column(0).mapv(|v| 2.0 * v))
    }
}

fn synthetic(n: usize, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let noise = Normal::new(0.0, 0.5).unwrap();
    let x: Vec<f64> = (0..n).map(|_| rng.random_range(-2.0..2.0)).collect();
    let y: Array1<f64> = x
        .iter()
        .map(|&v| 2.0 * v + v * v + noise.sample(&mut rng))
        .collect();
    Dataset::new(Array2::from_shape_vec((n, 1), x).unwrap(), y).unwrap()
}

#[test]
fn conformal_coverage_holds_on_average() {
    // Marginal coverage ≥ 1 − α in expectation, and ≤ 1 − α + 1/(n+1).
    let alpha = 0.1;
    let mut covs = Vec::new();
    for rep in 0..200u64 {
        let calib = synthetic(99, rep);
        let test = synthetic(500, 10_000 + rep);
        let model = SplitConformal::new(alpha)
            .unwrap()
            .calibrate(Slope2, &calib)
            .unwrap();
        let iv = model.predict_interval(test.features()).unwrap();
        covs.push(iv.coverage(test.targets().unwrap()).unwrap());
    }
    let mean = covs.iter().sum::<f64>() / covs.len() as f64;
    assert!(mean >= 0.9 - 0.005, "mean coverage {mean}");
    assert!(mean <= 0.9 + 1.0 / 100.0 + 0.005, "mean coverage {mean}");
}

#[test]
fn conformal_rejects_too_small_calibration() {
    let calib = synthetic(5, 1);
    assert!(matches!(
        SplitConformal::new(0.05).unwrap().calibrate(Slope2, &calib),
        Err(Error::InvalidInput(_))
    ));
    assert!(SplitConformal::new(0.0).is_err());
    assert!(SplitConformal::new(f64::NAN).is_err());
}

#[test]
fn dataset_rejects_bad_input() {
    let nan = array![[1.0, f64::NAN]];
    match Dataset::unsupervised(nan) {
        Err(Error::NonFinite { index, .. }) => assert_eq!(index, vec![0, 1]),
        other => panic!("expected NonFinite, got {other:?}"),
    }
    assert!(matches!(
        Dataset::new(array![[1.0], [2.0]], array![1.0]),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        Dataset::unsupervised(Array2::zeros((0, 3))),
        Err(Error::EmptyInput(_))
    ));
    let d = Dataset::new(array![[1.0], [2.0]], array![0.0, 1.5]).unwrap();
    assert!(d.labels().is_err());
    assert!(d.clone().with_groups(&["a"]).is_err());
    assert!(d.select(&[5]).is_err());
    assert!(
        GroupKFold::new(2).unwrap().dataset_splits(&d).is_err(),
        "no groups attached"
    );
    assert!(KFold::new(1).is_err());
    assert!(KFold::new(3).unwrap().splits(2).is_err());
    assert!(train_test_split(10, 1.0, 0).is_err());
    assert!(Split::from_labels(&["train", "train"], &["test"]).is_err());
}

#[test]
fn group_kfold_balances_like_sklearn() {
    // Groups of sizes 4,3,2,1 into 2 folds: largest-first to the lightest fold → rows 5/5.
    let g: Vec<String> = ["a", "a", "a", "a", "b", "b", "b", "c", "c", "d"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let folds = GroupKFold::new(2).unwrap().splits(&g).unwrap();
    assert_eq!(folds[0].test, vec![0, 1, 2, 3, 9]);
    assert_eq!(folds[1].test, vec![4, 5, 6, 7, 8]);
}

#[test]
fn scaler_uses_population_std_and_guards_constant_columns() {
    let x = array![[1.0, 5.0], [3.0, 5.0]];
    let s = StandardScaler::new().fit_array(x.view()).unwrap();
    assert_eq!(s.mean(), &array![2.0, 5.0]);
    assert_eq!(s.scale(), &array![1.0, 1.0]);
    let z = s.transform(x.view()).unwrap();
    assert_eq!(z, array![[-1.0, 0.0], [1.0, 0.0]]);
    assert!(s.transform(array![[1.0, 2.0, 3.0]].view()).is_err());
    assert!(s.transform(array![[1.0, f64::INFINITY]].view()).is_err());
}
