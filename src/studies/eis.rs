//! Failing cells from impedance spectra (Zhang et al. 2020, LCO cells):
//! a class-weighted RBF SVM for cells below 70 % capacity and a one-class
//! SVM fitted on healthy spectra, both trained on six cells and scored on
//! the five others.

use ndarray::{Array1, Array2, Axis};
use voltai_battery_data::EisSpectrum;
use voltai_battery_data::data_dir::dataset_dir;
use voltai_battery_data::features::eis_features;
use voltai_battery_data::readers::read_zhang2020;
use voltai_core::metrics::{balanced_accuracy, roc_auc, roc_curve};
use voltai_core::{Classifier, Dataset, Fit, Result, StandardScaler};
use voltai_kernels::kernels::Rbf;
use voltai_kernels::{ClassWeight, OneClassSvmParams, SvcParams};

/// log10|Z| and phase (degrees) at `n` log-spaced frequencies in [f_lo, f_hi]
/// for each spectrum: the feature matrix of the EIS studies.
pub fn eis_matrix(spectra: &[&EisSpectrum], f_lo: f64, f_hi: f64, n: usize) -> Result<Array2<f64>> {
    let freqs: Vec<f64> = (0..n)
        .map(|k| {
            10f64.powf(f_lo.log10() + (f_hi.log10() - f_lo.log10()) * k as f64 / (n - 1) as f64)
        })
        .collect();
    let mut x = Array2::zeros((spectra.len(), 2 * n));
    for (i, s) in spectra.iter().enumerate() {
        let f = eis_features(s, &freqs)?;
        for k in 0..n {
            x[[i, k]] = f.magnitude_ohm[k].log10();
            x[[i, n + k]] = f.phase_deg[k];
        }
    }
    Ok(x)
}

/// The cells the study trains on; the other five are held out.
pub const TRAIN_CELLS: [&str; 6] = ["25C01", "25C02", "25C03", "25C04", "35C01", "45C01"];

/// What [`eis_screening`] finds.
#[derive(Debug, Clone, PartialEq)]
pub struct EisScreening {
    /// Spectra with a state of health.
    pub labelled: usize,
    /// Held-out balanced accuracy of the SVM (at risk = SOH < 0.7).
    pub balanced_accuracy: f64,
    /// Held-out ROC AUC.
    pub roc_auc: f64,
    /// The held-out ROC curve as (false-positive rate, true-positive rate).
    pub roc: Vec<(f64, f64)>,
    /// Healthy (SOH ≥ 0.9) training spectra the one-class SVM was fitted on.
    pub healthy_training: usize,
    /// Held-out spectra below 80 % SOH the one-class SVM flags, of how many.
    pub degraded_flagged: (usize, usize),
    /// Held-out healthy spectra it flags (false alarms), of how many.
    pub healthy_flagged: (usize, usize),
}

/// Runs the study on `../shared/data/zhang2020_lco_eis`.
pub fn eis_screening() -> Result<EisScreening> {
    let spectra = read_zhang2020(dataset_dir("zhang2020_lco_eis")?)?;
    let labelled: Vec<&EisSpectrum> = spectra.iter().filter(|s| s.state.soh.is_some()).collect();
    let soh: Vec<f64> = labelled
        .iter()
        .map(|s| s.state.soh.unwrap_or(f64::NAN))
        .collect();
    let x = eis_matrix(&labelled, 0.1, 1e4, 12)?;
    let y: Array1<f64> = soh.iter().map(|s| f64::from(u8::from(*s < 0.7))).collect();
    let is_train: Vec<bool> = labelled
        .iter()
        .map(|s| TRAIN_CELLS.contains(&s.cell_id.as_str()))
        .collect();
    let (tr, te): (Vec<usize>, Vec<usize>) = (0..soh.len()).partition(|&i| is_train[i]);
    let data = Dataset::new(x.clone(), y)?;
    let scaler = StandardScaler::new().fit(&data.select(&tr)?)?;
    let (train, test) = (
        scaler.transform_dataset(&data.select(&tr)?)?,
        scaler.transform_dataset(&data.select(&te)?)?,
    );
    let gamma = 1.0 / train.n_features() as f64;
    let svm = SvcParams::new(Rbf::from_gamma(gamma)?)
        .c(10.0)?
        .class_weight(ClassWeight::Balanced)?
        .fit(&train)?;
    let truth = test.labels()?;
    let score = svm.decision_function(test.features())?.column(0).to_owned();
    let is_pos: Array1<bool> = truth.mapv(|l| l == 1);
    let bacc = balanced_accuracy(truth.view(), svm.predict(test.features())?.view())?;
    let auc = roc_auc(is_pos.view(), score.view())?;
    let roc = roc_curve(is_pos.view(), score.view())?
        .iter()
        .map(|p| (p.fpr, p.tpr))
        .collect();

    let healthy: Vec<usize> = tr.iter().copied().filter(|&i| soh[i] >= 0.9).collect();
    let h = Dataset::unsupervised(x.select(Axis(0), &healthy))?;
    let hscaler = StandardScaler::new().fit(&h)?;
    let oc = OneClassSvmParams::new(Rbf::from_gamma(gamma)?)
        .nu(0.05)?
        .fit(&hscaler.transform_dataset(&h)?)?;
    let oscore = oc.decision_function(hscaler.transform(x.select(Axis(0), &te).view())?.view())?;
    let share = |keep: &dyn Fn(f64) -> bool| {
        let k: Vec<usize> = (0..te.len()).filter(|&k| keep(soh[te[k]])).collect();
        (k.iter().filter(|&&k| oscore[k] <= 0.0).count(), k.len())
    };
    Ok(EisScreening {
        labelled: labelled.len(),
        balanced_accuracy: bacc,
        roc_auc: auc,
        roc,
        healthy_training: healthy.len(),
        degraded_flagged: share(&|s| s < 0.8),
        healthy_flagged: share(&|s| s >= 0.9),
    })
}
