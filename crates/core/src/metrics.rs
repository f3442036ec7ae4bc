//! Regression and classification metrics with the same definitions as scikit-learn.

use ndarray::ArrayView1;

use crate::{Error, Result, check};

fn pair(y_true: ArrayView1<'_, f64>, y_pred: ArrayView1<'_, f64>) -> Result<()> {
    check::same_len("y_pred vs y_true", y_true.len(), y_pred.len())?;
    if y_true.is_empty() {
        return Err(Error::EmptyInput("metric of zero samples".into()));
    }
    check::finite1("y_true", y_true)?;
    check::finite1("y_pred", y_pred)
}

/// Root-mean-square error.
pub fn rmse(y_true: ArrayView1<'_, f64>, y_pred: ArrayView1<'_, f64>) -> Result<f64> {
    pair(y_true, y_pred)?;
    let n = y_true.len() as f64;
    Ok((y_true
        .iter()
        .zip(y_pred)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        / n)
        .sqrt())
}

/// Mean absolute error.
pub fn mae(y_true: ArrayView1<'_, f64>, y_pred: ArrayView1<'_, f64>) -> Result<f64> {
    pair(y_true, y_pred)?;
    let n = y_true.len() as f64;
    Ok(y_true
        .iter()
        .zip(y_pred)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / n)
}

/// Mean absolute percentage error, in percent: `100/n · Σ |y − ŷ| / |y|`.
/// Fails if any true value is zero.
pub fn mape(y_true: ArrayView1<'_, f64>, y_pred: ArrayView1<'_, f64>) -> Result<f64> {
    pair(y_true, y_pred)?;
    if let Some(i) = y_true.iter().position(|&v| v == 0.0) {
        return Err(Error::InvalidInput(format!(
            "MAPE undefined: y_true[{i}] is zero"
        )));
    }
    let n = y_true.len() as f64;
    Ok(100.0
        * y_true
            .iter()
            .zip(y_pred)
            .map(|(a, b)| ((a - b) / a).abs())
            .sum::<f64>()
        / n)
}

/// Coefficient of determination R². A constant `y_true` gives 1 for a perfect
/// prediction and 0 otherwise (scikit-learn's convention).
pub fn r2(y_true: ArrayView1<'_, f64>, y_pred: ArrayView1<'_, f64>) -> Result<f64> {
    pair(y_true, y_pred)?;
    let mean = y_true.mean().unwrap_or(0.0);
    let ss_res: f64 = y_true
        .iter()
        .zip(y_pred)
        .map(|(a, b)| (a - b) * (a - b))
        .sum();
    let ss_tot: f64 = y_true.iter().map(|a| (a - mean) * (a - mean)).sum();
    if ss_tot == 0.0 {
        return Ok(if ss_res == 0.0 { 1.0 } else { 0.0 });
    }
    Ok(1.0 - ss_res / ss_tot)
}

fn label_pair(y_true: ArrayView1<'_, i64>, y_pred: ArrayView1<'_, i64>) -> Result<()> {
    check::same_len("y_pred vs y_true", y_true.len(), y_pred.len())?;
    if y_true.is_empty() {
        return Err(Error::EmptyInput("metric of zero samples".into()));
    }
    Ok(())
}

/// Fraction of labels predicted exactly.
pub fn accuracy(y_true: ArrayView1<'_, i64>, y_pred: ArrayView1<'_, i64>) -> Result<f64> {
    label_pair(y_true, y_pred)?;
    let hits = y_true.iter().zip(y_pred).filter(|(a, b)| a == b).count();
    Ok(hits as f64 / y_true.len() as f64)
}

/// Confusion matrix over `labels` (rows: true label, columns: predicted label).
/// Samples whose true or predicted label is not listed are ignored.
pub fn confusion_matrix(
    y_true: ArrayView1<'_, i64>,
    y_pred: ArrayView1<'_, i64>,
    labels: &[i64],
) -> Result<Vec<Vec<usize>>> {
    label_pair(y_true, y_pred)?;
    let mut m = vec![vec![0usize; labels.len()]; labels.len()];
    for (t, p) in y_true.iter().zip(y_pred) {
        if let (Some(i), Some(j)) = (
            labels.iter().position(|l| l == t),
            labels.iter().position(|l| l == p),
        ) {
            m[i][j] += 1;
        }
    }
    Ok(m)
}

fn sorted_labels(y: ArrayView1<'_, i64>) -> Vec<i64> {
    let mut l: Vec<i64> = y.to_vec();
    l.sort_unstable();
    l.dedup();
    l
}

/// Balanced accuracy: the mean over true classes of per-class recall.
pub fn balanced_accuracy(y_true: ArrayView1<'_, i64>, y_pred: ArrayView1<'_, i64>) -> Result<f64> {
    label_pair(y_true, y_pred)?;
    let classes = sorted_labels(y_true);
    let recalls: Vec<f64> = classes
        .iter()
        .map(|&c| {
            let (mut tp, mut n) = (0usize, 0usize);
            for (t, p) in y_true.iter().zip(y_pred) {
                if *t == c {
                    n += 1;
                    tp += usize::from(*p == c);
                }
            }
            tp as f64 / n as f64
        })
        .collect();
    Ok(recalls.iter().sum::<f64>() / recalls.len() as f64)
}

/// Precision, recall and F1 of one positive class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinaryScores {
    /// TP / (TP + FP); 0 when nothing was predicted positive.
    pub precision: f64,
    /// TP / (TP + FN); 0 when there are no positives.
    pub recall: f64,
    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub f1: f64,
}

/// Precision, recall and F1 treating `positive` as the positive class
/// (zero-division cases give 0, as scikit-learn's default with a warning).
pub fn precision_recall_f1(
    y_true: ArrayView1<'_, i64>,
    y_pred: ArrayView1<'_, i64>,
    positive: i64,
) -> Result<BinaryScores> {
    label_pair(y_true, y_pred)?;
    let (mut tp, mut fp, mut fneg) = (0usize, 0usize, 0usize);
    for (&t, &p) in y_true.iter().zip(y_pred) {
        match (t == positive, p == positive) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fneg += 1,
            _ => {}
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, tp + fneg);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Ok(BinaryScores {
        precision,
        recall,
        f1,
    })
}

fn binary_scores_check(y_true: ArrayView1<'_, bool>, scores: ArrayView1<'_, f64>) -> Result<()> {
    check::same_len("scores vs y_true", y_true.len(), scores.len())?;
    check::finite1("scores", scores)?;
    let pos = y_true.iter().filter(|&&b| b).count();
    if pos == 0 || pos == y_true.len() {
        return Err(Error::InvalidInput(
            "ROC needs both positive and negative samples".into(),
        ));
    }
    Ok(())
}

/// Area under the ROC curve for scores where larger means "more positive".
/// Ties count one half (the Mann–Whitney U statistic), matching scikit-learn.
pub fn roc_auc(y_true: ArrayView1<'_, bool>, scores: ArrayView1<'_, f64>) -> Result<f64> {
    binary_scores_check(y_true, scores)?;
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Average ranks over ties.
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            if y_true[k] {
                rank_sum_pos += avg_rank;
            }
        }
        i = j + 1;
    }
    let n_pos = y_true.iter().filter(|&&b| b).count() as f64;
    let n_neg = y_true.len() as f64 - n_pos;
    Ok((rank_sum_pos - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg))
}

/// One point of a ROC curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RocPoint {
    /// False-positive rate.
    pub fpr: f64,
    /// True-positive rate.
    pub tpr: f64,
    /// Scores ≥ this threshold are called positive.
    pub threshold: f64,
}

/// The ROC curve, one point per distinct score plus the (0, 0) start.
pub fn roc_curve(
    y_true: ArrayView1<'_, bool>,
    scores: ArrayView1<'_, f64>,
) -> Result<Vec<RocPoint>> {
    binary_scores_check(y_true, scores)?;
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let n_pos = y_true.iter().filter(|&&b| b).count() as f64;
    let n_neg = y_true.len() as f64 - n_pos;
    let mut out = vec![RocPoint {
        fpr: 0.0,
        tpr: 0.0,
        threshold: f64::INFINITY,
    }];
    let (mut tp, mut fp) = (0.0, 0.0);
    for (pos, &k) in idx.iter().enumerate() {
        if y_true[k] {
            tp += 1.0
        } else {
            fp += 1.0
        }
        let last_of_tie = pos + 1 == idx.len() || scores[idx[pos + 1]] != scores[k];
        if last_of_tie {
            out.push(RocPoint {
                fpr: fp / n_neg,
                tpr: tp / n_pos,
                threshold: scores[k],
            });
        }
    }
    Ok(out)
}
