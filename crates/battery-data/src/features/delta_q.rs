//! ΔQ(V) statistics (Severson et al. 2019): the change of the discharge
//! capacity–voltage curve between two cycles on a common voltage grid.

use serde::{Deserialize, Serialize};

use voltai_core::stats::moments;
use voltai_core::{Error, Result};

/// Summary statistics of ΔQ(V) = Q_b(V) − Q_a(V).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DeltaQStats {
    /// Population variance.
    pub variance: f64,
    /// Minimum.
    pub min: f64,
    /// Mean.
    pub mean: f64,
    /// Skewness m₃/m₂^1.5.
    pub skewness: f64,
    /// Pearson kurtosis m₄/m₂² (not excess).
    pub kurtosis: f64,
}

impl DeltaQStats {
    /// Statistics of `q_later − q_earlier`, both sampled on the same voltage grid.
    pub fn between(q_earlier: &[f64], q_later: &[f64]) -> Result<Self> {
        voltai_core::check::same_len("Q(V) curves", q_earlier.len(), q_later.len())?;
        let dq: Vec<f64> = q_later.iter().zip(q_earlier).map(|(b, a)| b - a).collect();
        let m = moments(&dq)?;
        if m.variance == 0.0 {
            return Err(Error::numerical("ΔQ(V) statistics", "ΔQ(V) is constant"));
        }
        Ok(DeltaQStats {
            variance: m.variance,
            min: m.min,
            mean: m.mean,
            skewness: m.skewness,
            kurtosis: m.kurtosis,
        })
    }

    /// log10 of the absolute value of each statistic, as the paper's features:
    /// `[var, min, mean, skew, kurt]`.
    pub fn log10_abs(&self) -> [f64; 5] {
        [
            self.variance,
            self.min,
            self.mean,
            self.skewness,
            self.kurtosis,
        ]
        .map(|v| v.abs().log10())
    }
}

/// Linearly interpolates a Q(V) curve sampled at `voltage_v` (monotonic, either
/// direction) onto `grid_v`; points outside the sampled range are an error.
pub fn interpolate_q(voltage_v: &[f64], q_ah: &[f64], grid_v: &[f64]) -> Result<Vec<f64>> {
    voltai_core::check::same_len("Q(V) samples", voltage_v.len(), q_ah.len())?;
    if voltage_v.len() < 2 {
        return Err(Error::EmptyInput("Q(V) needs at least 2 samples".into()));
    }
    let increasing = voltage_v[1] > voltage_v[0];
    let ordered = voltage_v
        .windows(2)
        .all(|w| if increasing { w[1] > w[0] } else { w[1] < w[0] });
    if !ordered {
        return Err(Error::InvalidInput(
            "voltage samples must be strictly monotonic".into(),
        ));
    }
    let (v, q): (Vec<f64>, Vec<f64>) = if increasing {
        (voltage_v.to_vec(), q_ah.to_vec())
    } else {
        (
            voltage_v.iter().rev().copied().collect(),
            q_ah.iter().rev().copied().collect(),
        )
    };
    grid_v
        .iter()
        .map(|&g| {
            if g < v[0] || g > v[v.len() - 1] {
                return Err(Error::InvalidInput(format!(
                    "grid voltage {g} V outside sampled range [{}, {}] V",
                    v[0],
                    v[v.len() - 1]
                )));
            }
            let i = v.partition_point(|&x| x < g).clamp(1, v.len() - 1);
            let t = (g - v[i - 1]) / (v[i] - v[i - 1]);
            Ok(q[i - 1] + t * (q[i] - q[i - 1]))
        })
        .collect()
}
