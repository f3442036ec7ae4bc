//! SVM behaviour beyond parity: bad input is an error (never a panic),
//! fitted models round-trip through serde, Platt probabilities are calibrated
//! in direction, and class weights raise the recall of a rare class.

use crate::common;

use common::*;
use ndarray::{Array1, Array2, array};
use proptest::prelude::*;
use voltai_core::metrics::precision_recall_f1;
use voltai_core::{Classifier, Dataset, Fit};
use voltai_kernels::kernels::{Linear, Rbf};
use voltai_kernels::{ClassWeight, OneClassSvmParams, Svc, SvcParams, SvrParams};

#[test]
fn invalid_parameters_are_errors() {
    let k = Rbf::from_gamma(1.0).unwrap();
    assert!(SvcParams::new(k.clone()).c(0.0).is_err());
    assert!(SvcParams::new(k.clone()).c(-1.0).is_err());
    assert!(SvcParams::new(k.clone()).c(f64::NAN).is_err());
    assert!(
        SvcParams::new(k.clone())
            .class_weight(ClassWeight::Manual(vec![(1, 0.0)]))
            .is_err()
    );
    assert!(OneClassSvmParams::new(k.clone()).nu(0.0).is_err());
    assert!(OneClassSvmParams::new(k.clone()).nu(1.5).is_err());
    assert!(OneClassSvmParams::new(k.clone()).nu(1.0).is_ok());
    assert!(SvrParams::new(k.clone()).epsilon(-0.1).is_err());
    assert!(Rbf::from_gamma(0.0).is_err());
    let bad = voltai_kernels::SmoOptions {
        tol: 0.0,
        ..Default::default()
    };
    assert!(SvcParams::new(k).smo(bad).is_err());
}

#[test]
fn unusable_data_is_an_error() {
    let k = Rbf::from_gamma(1.0).unwrap();
    let one_class = Dataset::new(array![[0.0], [1.0], [2.0]], array![1.0, 1.0, 1.0]).unwrap();
    assert!(SvcParams::new(k.clone()).fit(&one_class).is_err());
    let fractional = Dataset::new(array![[0.0], [1.0]], array![0.5, 1.0]).unwrap();
    assert!(SvcParams::new(k.clone()).fit(&fractional).is_err());
    let ard = Rbf::ard(vec![1.0, 1.0]).unwrap();
    let three_cols =
        Dataset::new(array![[0.0, 1.0, 2.0], [1.0, 0.0, 2.0]], array![0.0, 1.0]).unwrap();
    assert!(
        SvcParams::new(ard).fit(&three_cols).is_err(),
        "kernel dimension mismatch"
    );
    let model = SvcParams::new(k)
        .fit(&Dataset::new(array![[0.0], [1.0]], array![0.0, 1.0]).unwrap())
        .unwrap();
    assert!(
        model.predict(array![[0.0, 1.0]].view()).is_err(),
        "wrong width"
    );
    assert!(model.predict(array![[f64::NAN]].view()).is_err());
    assert!(
        model.predict_proba(array![[0.0]].view()).is_err(),
        "fitted without probabilities"
    );
}

proptest! {
    #[test]
    fn random_bad_inputs_never_panic(v in proptest::collection::vec(prop_oneof![Just(f64::NAN), Just(f64::INFINITY), -3.0f64..3.0], 0..24),
                                     labels in proptest::collection::vec(0i64..3, 0..12),
                                     c in -1.0f64..2.0, nu in -0.5f64..1.5, gamma in -1.0f64..2.0) {
        let n = labels.len().min(v.len() / 2);
        let x = Array2::from_shape_vec((n, 2), v[..2 * n].to_vec()).unwrap();
        let y: Array1<f64> = labels[..n].iter().map(|&l| l as f64).collect();
        if let (Ok(data), Ok(k)) = (Dataset::new(x.clone(), y), Rbf::from_gamma(gamma)) {
            if let Ok(p) = SvcParams::new(k.clone()).c(c) { let _ = p.fit(&data); }
            if let Ok(p) = OneClassSvmParams::new(k.clone()).nu(nu) { let _ = p.fit(&data); }
            if let Ok(p) = SvrParams::new(k).c(c) { let _ = p.fit(&data); }
        }
        // Whatever happened above, it returned instead of panicking.
    }
}

#[test]
fn fitted_models_round_trip_through_json() {
    let data = breast_cancer();
    let model = SvcParams::new(Rbf::from_gamma(0.05).unwrap())
        .fit(&data)
        .unwrap();
    let json = serde_json::to_string(&model).unwrap();
    let back: Svc<Rbf> = serde_json::from_str(&json).unwrap();
    assert_eq!(
        model.decision_function(data.features()).unwrap(),
        back.decision_function(data.features()).unwrap()
    );
}

#[test]
fn platt_probabilities_follow_the_decision_function() {
    let data = breast_cancer();
    let model = SvcParams::new(Rbf::from_gamma(0.05).unwrap())
        .probability(true)
        .seed(3)
        .fit(&data)
        .unwrap();
    let p = model.predict_proba(data.features()).unwrap();
    let f = model.decision_function(data.features()).unwrap();
    assert!(p.iter().all(|&v| v > 0.0 && v < 1.0));
    let mut idx: Vec<usize> = (0..p.len()).collect();
    idx.sort_by(|&a, &b| f[[a, 0]].total_cmp(&f[[b, 0]]));
    assert!(
        idx.windows(2).all(|w| p[w[0]] <= p[w[1]] + 1e-15),
        "monotone in f"
    );
    // Calibration in the large: mean probability ≈ class-1 frequency.
    let y = data.labels().unwrap();
    let freq = y.iter().filter(|&&v| v == 1).count() as f64 / y.len() as f64;
    assert!((p.mean().unwrap() - freq).abs() < 0.05);
    let again = SvcParams::new(Rbf::from_gamma(0.05).unwrap())
        .probability(true)
        .seed(3)
        .fit(&data)
        .unwrap();
    assert_eq!(
        again.predict_proba(data.features()).unwrap(),
        p,
        "same seed, same probabilities"
    );
}

#[test]
fn balanced_weights_raise_rare_class_recall() {
    let (x, y) = imbalanced(2000, 20, 5);
    let train = standardised(x, y);
    let (xt, yt) = imbalanced(2000, 20, 6);
    let test = standardised(xt, yt);
    let truth = test.labels().unwrap();
    let recall = |w: ClassWeight| {
        let m = SvcParams::new(Rbf::from_gamma(0.05).unwrap())
            .class_weight(w)
            .unwrap()
            .fit(&train)
            .unwrap();
        precision_recall_f1(truth.view(), m.predict(test.features()).unwrap().view(), 1)
            .unwrap()
            .recall
    };
    let (plain, balanced) = (recall(ClassWeight::Uniform), recall(ClassWeight::Balanced));
    assert!(balanced > plain + 0.1, "recall {plain} → {balanced}");
}

#[test]
fn linear_svc_separates_separable_data_with_margin() {
    let x = array![
        [0.0, 0.0],
        [1.0, 0.0],
        [0.0, 1.0],
        [3.0, 3.0],
        [4.0, 3.0],
        [3.0, 4.0]
    ];
    let y = array![0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
    let m = SvcParams::new(Linear)
        .c(1e3)
        .unwrap()
        .fit(&Dataset::new(x.clone(), y).unwrap())
        .unwrap();
    let f = m.decision_function(x.view()).unwrap();
    // Hard-margin solution: support vectors sit on f = ±1.
    for &i in m.support() {
        assert!(
            (f[[i, 0]].abs() - 1.0).abs() < 1e-2,
            "row {i}: f = {}",
            f[[i, 0]]
        );
    }
    assert_eq!(m.predict(x.view()).unwrap(), array![0, 0, 0, 1, 1, 1]);
}

/// The thread count (rayon's pool: `RAYON_NUM_THREADS`, or a pool the caller
/// installs) changes how kernel rows and Gram blocks are split, never a value:
/// every entry is computed by the same operations whatever the split.
#[test]
fn results_are_identical_whatever_the_thread_count() {
    let (x, y) = imbalanced(3000, 8, 7);
    let data = standardised(x, y);
    let k = Rbf::from_gamma(0.1).unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let svc = SvcParams::new(k.clone())
                .class_weight(ClassWeight::Balanced)
                .unwrap()
                .fit(&data)
                .unwrap();
            let oc = OneClassSvmParams::new(k.clone())
                .nu(0.1)
                .unwrap()
                .fit(&data)
                .unwrap();
            (
                svc.decision_function(data.features()).unwrap(),
                oc.decision_function(data.features()).unwrap(),
            )
        })
    };
    let one = run(1);
    for threads in [2, 3] {
        let many = run(threads);
        assert!(
            one.0
                .iter()
                .zip(&many.0)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "C-SVC, {threads} threads"
        );
        assert!(
            one.1
                .iter()
                .zip(&many.1)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "one-class, {threads} threads"
        );
    }
}

/// The kernel cache only saves work: a cache of two rows and one that holds
/// everything give bit-identical models, and the larger one reuses more.
#[test]
fn cache_size_changes_the_hit_rate_not_the_model() {
    let (x, y) = imbalanced(1500, 6, 3);
    let data = standardised(x, y);
    let fit = |cache_mb: f64| {
        SvcParams::new(Rbf::from_gamma(0.2).unwrap())
            .smo(voltai_kernels::SmoOptions {
                cache_mb,
                ..Default::default()
            })
            .unwrap()
            .fit(&data)
            .unwrap()
    };
    let (small, large) = (fit(1e-6), fit(200.0));
    let (hs, hl) = (
        small.machines()[0].cache_hit_rate,
        large.machines()[0].cache_hit_rate,
    );
    assert!((0.0..=1.0).contains(&hs) && (0.0..=1.0).contains(&hl));
    assert!(hs < hl, "hit rate with two rows {hs} vs everything {hl}");
    let (ds, dl) = (
        small.decision_function(data.features()).unwrap(),
        large.decision_function(data.features()).unwrap(),
    );
    assert!(ds.iter().zip(&dl).all(|(a, b)| a.to_bits() == b.to_bits()));
    assert_eq!(
        small.machines()[0].iterations,
        large.machines()[0].iterations
    );
}
