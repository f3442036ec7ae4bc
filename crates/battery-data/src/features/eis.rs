//! Features of an impedance spectrum: |Z| and phase at chosen frequencies, the
//! high-frequency real-axis intercept and the width of the first arc.

use serde::{Deserialize, Serialize};

use crate::schema::EisSpectrum;
use voltai_core::{Error, Result};

/// Summary features of one spectrum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EisFeatures {
    /// |Z| in ohms at each requested frequency.
    pub magnitude_ohm: Vec<f64>,
    /// Phase of Z in degrees at each requested frequency (capacitive < 0).
    pub phase_deg: Vec<f64>,
    /// Re(Z) where Im(Z) crosses zero at high frequency (ohmic resistance);
    /// `None` if the spectrum never crosses.
    pub hf_intercept_ohm: Option<f64>,
    /// Re(Z) at the arc's low-frequency end minus the intercept; `None` without intercept.
    pub arc_width_ohm: Option<f64>,
}

/// Points sorted by decreasing frequency, checked.
fn sorted_points(s: &EisSpectrum) -> Result<Vec<(f64, f64, f64)>> {
    voltai_core::check::same_len(
        "Re(Z) vs frequencies",
        s.frequency_hz.len(),
        s.z_real_ohm.len(),
    )?;
    voltai_core::check::same_len(
        "Im(Z) vs frequencies",
        s.frequency_hz.len(),
        s.z_imag_ohm.len(),
    )?;
    if s.len() < 2 {
        return Err(Error::EmptyInput(format!(
            "spectrum of {} has fewer than 2 points",
            s.cell_id
        )));
    }
    let mut p: Vec<(f64, f64, f64)> = Vec::with_capacity(s.len());
    for i in 0..s.len() {
        let (f, re, im) = (s.frequency_hz[i], s.z_real_ohm[i], s.z_imag_ohm[i]);
        if !(f.is_finite() && f > 0.0 && re.is_finite() && im.is_finite()) {
            return Err(Error::NonFinite {
                context: format!("spectrum of {} (f, Re, Im)", s.cell_id),
                index: vec![i],
                value: if f.is_finite() && f > 0.0 { re + im } else { f },
            });
        }
        p.push((f, re, im));
    }
    p.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(p)
}

/// Re and Im at `f`, linear in log10(f) between the neighbouring measured points.
fn at_frequency(p: &[(f64, f64, f64)], f: f64) -> Result<(f64, f64)> {
    let (hi, lo) = (p[0].0, p[p.len() - 1].0);
    if !(f >= lo && f <= hi) {
        return Err(Error::invalid_parameter(
            "frequency_hz",
            f,
            format!("[{lo}, {hi}] (measured range)"),
        ));
    }
    let i = p
        .iter()
        .position(|q| q.0 <= f)
        .unwrap_or(p.len() - 1)
        .max(1);
    let (a, b) = (p[i - 1], p[i]);
    let t = if a.0 == b.0 {
        0.0
    } else {
        (f.log10() - a.0.log10()) / (b.0.log10() - a.0.log10())
    };
    Ok((a.1 + t * (b.1 - a.1), a.2 + t * (b.2 - a.2)))
}

/// Computes [`EisFeatures`] at the requested frequencies (inside the measured range).
///
/// The intercept is found by linear interpolation at the first sign change of
/// Im(Z) from inductive (≥ 0) to capacitive (< 0), scanning down in frequency.
/// The arc's low-frequency end is the minimum of −Im(Z) after the arc apex (the
/// first local maximum of −Im(Z) below the intercept, on a 3-point moving
/// average), i.e. where the diffusion tail begins; if −Im(Z) never rises again
/// the last point is the arc's end.
pub fn eis_features(s: &EisSpectrum, frequencies_hz: &[f64]) -> Result<EisFeatures> {
    let p = sorted_points(s)?;
    let mut magnitude_ohm = Vec::with_capacity(frequencies_hz.len());
    let mut phase_deg = Vec::with_capacity(frequencies_hz.len());
    for &f in frequencies_hz {
        let (re, im) = at_frequency(&p, f)?;
        magnitude_ohm.push(re.hypot(im));
        phase_deg.push(im.atan2(re).to_degrees());
    }
    let crossing = p.windows(2).position(|w| w[0].2 >= 0.0 && w[1].2 < 0.0);
    let hf_intercept_ohm = crossing.map(|i| {
        let (a, b) = (p[i], p[i + 1]);
        let t = a.2 / (a.2 - b.2);
        a.1 + t * (b.1 - a.1)
    });
    let arc_width_ohm = match (crossing, hf_intercept_ohm) {
        (Some(i), Some(r0)) => {
            let tail = &p[i + 1..];
            let neg_im: Vec<f64> = (0..tail.len())
                .map(|k| {
                    let lo = k.saturating_sub(1);
                    let hi = (k + 1).min(tail.len() - 1);
                    -(tail[lo..=hi].iter().map(|q| q.2).sum::<f64>()) / (hi - lo + 1) as f64
                })
                .collect();
            let apex = (1..neg_im.len().saturating_sub(1))
                .find(|&k| neg_im[k] >= neg_im[k - 1] && neg_im[k] > neg_im[k + 1])
                .unwrap_or(0);
            let end = (apex..tail.len())
                .min_by(|&a, &b| (-tail[a].2).total_cmp(&-tail[b].2))
                .unwrap_or(tail.len() - 1);
            Some(tail[end].1 - r0)
        }
        _ => None,
    };
    Ok(EisFeatures {
        magnitude_ohm,
        phase_deg,
        hf_intercept_ohm,
        arc_width_ohm,
    })
}
