//! Metric values checked against closed forms and scikit-learn's documented examples.

use ndarray::array;
use voltai_core::metrics::*;

#[test]
fn regression_metrics_known_values() {
    let y = array![3.0, -0.5, 2.0, 7.0];
    let p = array![2.5, 0.0, 2.0, 8.0];
    // scikit-learn docs: mean_squared_error = 0.375, mean_absolute_error = 0.5, r2 = 0.9486081370449679
    assert!((rmse(y.view(), p.view()).unwrap() - 0.375f64.sqrt()).abs() < 1e-15);
    assert!((mae(y.view(), p.view()).unwrap() - 0.5).abs() < 1e-15);
    assert!((r2(y.view(), p.view()).unwrap() - 0.948_608_137_044_967_9).abs() < 1e-12);
    // MAPE by hand: (0.5/3 + 0.5/0.5 + 0 + 1/7) / 4 · 100
    let expected = (0.5 / 3.0 + 1.0 + 0.0 + 1.0 / 7.0) / 4.0 * 100.0;
    assert!((mape(y.view(), p.view()).unwrap() - expected).abs() < 1e-12);
}

#[test]
fn classification_metrics_known_values() {
    let t = array![0i64, 1, 2, 0, 1, 2];
    let p = array![0i64, 2, 1, 0, 0, 1];
    // scikit-learn docs (precision_recall_fscore_support example): accuracy 2/6
    assert!((accuracy(t.view(), p.view()).unwrap() - 1.0 / 3.0).abs() < 1e-15);
    // per-class recall: class0 2/2, class1 0/2, class2 0/2 → balanced 1/3
    assert!((balanced_accuracy(t.view(), p.view()).unwrap() - 1.0 / 3.0).abs() < 1e-15);
    let s = precision_recall_f1(t.view(), p.view(), 0).unwrap();
    assert!((s.precision - 2.0 / 3.0).abs() < 1e-15);
    assert!((s.recall - 1.0).abs() < 1e-15);
    assert!((s.f1 - 0.8).abs() < 1e-15);
    let cm = confusion_matrix(t.view(), p.view(), &[0, 1, 2]).unwrap();
    assert_eq!(cm, vec![vec![2, 0, 0], vec![1, 0, 1], vec![0, 2, 0]]);
}

#[test]
fn roc_auc_matches_sklearn_example_and_ties() {
    // scikit-learn roc_auc_score docs: y = [0,0,1,1], scores = [0.1,0.4,0.35,0.8] → 0.75
    let y = array![false, false, true, true];
    let s = array![0.1, 0.4, 0.35, 0.8];
    assert!((roc_auc(y.view(), s.view()).unwrap() - 0.75).abs() < 1e-15);
    // All scores tied → 0.5.
    let s = array![1.0, 1.0, 1.0, 1.0];
    assert!((roc_auc(y.view(), s.view()).unwrap() - 0.5).abs() < 1e-15);
    let curve = roc_curve(y.view(), array![0.1, 0.4, 0.35, 0.8].view()).unwrap();
    // Trapezoid area of the curve equals the AUC.
    let area: f64 = curve
        .windows(2)
        .map(|w| (w[1].fpr - w[0].fpr) * (w[1].tpr + w[0].tpr) / 2.0)
        .sum();
    assert!((area - 0.75).abs() < 1e-15);
    assert_eq!(curve.last().map(|p| (p.fpr, p.tpr)), Some((1.0, 1.0)));
}

#[test]
fn metric_bad_input_is_an_error() {
    let y = array![1.0, 2.0];
    assert!(rmse(y.view(), array![1.0].view()).is_err());
    assert!(rmse(array![].view(), array![].view()).is_err());
    assert!(mae(y.view(), array![f64::NAN, 1.0].view()).is_err());
    assert!(mape(array![0.0, 1.0].view(), y.view()).is_err());
    assert!(roc_auc(array![true, true].view(), y.view()).is_err());
}
