//! EIS feature matrices of the impedance examples.

use ndarray::Array2;
use voltai::battery_data::EisSpectrum;
use voltai::battery_data::features::eis_features;
use voltai::core::Result;

/// log10|Z| and phase (degrees) at `n` log-spaced frequencies in [f_lo, f_hi]
/// for each spectrum: the feature matrix of the EIS examples.
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
