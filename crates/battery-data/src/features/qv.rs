//! Discharge curves Q(V) from raw samples, robust to what real cyclers
//! write: voltage noise, coarse quantisation, repeated samples and a
//! voltage that is not monotonic in time.
//!
//! Method (documented because ΔQ(V) features depend on it): the samples of
//! one discharge are ordered by discharged capacity Q and averaged in bins
//! of equal width along the curve — the share of the Q span plus the share
//! of the voltage span a sample has reached, so the flat plateau and the
//! steep ends both get `bins` (default 100) bins' worth of resolution, never
//! fewer than 3 samples per bin on average — then V(Q) is fitted as a
//! non-increasing function by isotonic regression (pool-adjacent-violators,
//! bin counts as weights; tied levels are pooled too, so V is strictly
//! decreasing). Q(V) is the linear interpolation of that fit in V. Noise
//! averages out inside bins and pools instead of producing the
//! non-monotonic voltages that plain interpolation refuses.

use serde::{Deserialize, Serialize};
use voltai_core::{Error, Result};

/// A discharge curve: `voltage_v` strictly decreasing, `q_ah` (discharged
/// capacity) non-decreasing, the same length (≥ 2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QvCurve {
    /// Voltage, strictly decreasing.
    pub voltage_v: Vec<f64>,
    /// Discharged capacity at each voltage, non-decreasing.
    pub q_ah: Vec<f64>,
}

/// Default number of Q bins of [`QvCurve::from_samples`].
pub const DEFAULT_BINS: usize = 100;

impl QvCurve {
    /// A curve already on a grid (e.g. a data set's interpolated Q(V)):
    /// voltages strictly monotonic (either direction), values finite.
    pub fn from_grid(voltage_v: &[f64], q_ah: &[f64]) -> Result<Self> {
        voltai_core::check::same_len("Q(V) grid", voltage_v.len(), q_ah.len())?;
        if voltage_v.len() < 2 {
            return Err(Error::EmptyInput(
                "a Q(V) curve needs at least 2 points".into(),
            ));
        }
        check_finite("Q(V) grid voltage", voltage_v)?;
        check_finite("Q(V) grid capacity", q_ah)?;
        let decreasing = voltage_v.windows(2).all(|w| w[1] < w[0]);
        let increasing = voltage_v.windows(2).all(|w| w[1] > w[0]);
        if !(decreasing || increasing) {
            return Err(Error::InvalidInput(
                "grid voltages must be strictly monotonic (use QvCurve::from_samples for raw data)"
                    .into(),
            ));
        }
        let (mut v, mut q) = (voltage_v.to_vec(), q_ah.to_vec());
        if increasing {
            v.reverse();
            q.reverse();
        }
        Ok(QvCurve {
            voltage_v: v,
            q_ah: q,
        })
    }

    /// The curve of one discharge from raw samples in any order (see the
    /// [module](self) docs for the method). `q_ah` is the discharged
    /// capacity of each sample.
    pub fn from_samples(voltage_v: &[f64], q_ah: &[f64], bins: usize) -> Result<Self> {
        voltai_core::check::same_len("discharge samples", voltage_v.len(), q_ah.len())?;
        check_finite("discharge voltage", voltage_v)?;
        check_finite("discharge capacity", q_ah)?;
        if bins < 2 {
            return Err(Error::invalid_parameter("bins", bins, "2 or more"));
        }
        let mut order: Vec<usize> = (0..q_ah.len()).collect();
        order.sort_by(|&a, &b| q_ah[a].total_cmp(&q_ah[b]));
        let (q_lo, q_hi) = match (order.first(), order.last()) {
            (Some(&a), Some(&b)) => (q_ah[a], q_ah[b]),
            _ => return Err(Error::EmptyInput("no discharge samples".into())),
        };
        if q_ah.len() < 4 || q_hi - q_lo <= 0.0 {
            return Err(Error::EmptyInput(format!(
                "{} discharge samples spanning {:.3e} Ah: too little to form a Q(V) curve",
                q_ah.len(),
                q_hi - q_lo
            )));
        }
        let n_bins = bins.min(q_ah.len() / 3).max(2) as f64;
        let (v_lo, v_hi) = voltage_v
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let v_span = (v_hi - v_lo).max(1e-12);
        // Bin coordinate: progress along Q plus progress down in V, each
        // normalised by its span, so the steep ends of a discharge (large ΔV
        // over little ΔQ) keep their resolution while noise (small against
        // the voltage span) does not split bins. The running maximum keeps
        // the coordinate monotonic under noise.
        let mut reach = 0.0f64;
        // (sum V, sum Q, count) per occupied bin, in Q order.
        let mut pooled: Vec<(f64, f64, f64)> = Vec::with_capacity(2 * n_bins as usize);
        let mut current = u64::MAX;
        for &i in &order {
            let coordinate = (q_ah[i] - q_lo) / (q_hi - q_lo) + (v_hi - voltage_v[i]) / v_span;
            reach = reach.max(coordinate);
            let b = (reach * n_bins / 2.0).floor() as u64;
            if b != current || pooled.is_empty() {
                pooled.push((0.0, 0.0, 0.0));
                current = b;
            }
            if let Some(last) = pooled.last_mut() {
                last.0 += voltage_v[i];
                last.1 += q_ah[i];
                last.2 += 1.0;
            }
        }
        // Pool adjacent violators of "V non-increasing in Q"; equal levels
        // pool too, so the fitted V is strictly decreasing.
        let mut blocks: Vec<(f64, f64, f64)> = Vec::with_capacity(pooled.len());
        for bin in pooled {
            blocks.push(bin);
            while blocks.len() >= 2 {
                let (b, a) = (blocks[blocks.len() - 1], blocks[blocks.len() - 2]);
                if b.0 / b.2 >= a.0 / a.2 {
                    blocks.pop();
                    if let Some(last) = blocks.last_mut() {
                        *last = (a.0 + b.0, a.1 + b.1, a.2 + b.2);
                    }
                } else {
                    break;
                }
            }
        }
        if blocks.len() < 2 {
            return Err(Error::InvalidInput(
                "the voltage does not fall during this discharge".into(),
            ));
        }
        Ok(QvCurve {
            voltage_v: blocks.iter().map(|b| b.0 / b.2).collect(),
            q_ah: blocks.iter().map(|b| b.1 / b.2).collect(),
        })
    }

    /// Lowest and highest voltage of the curve.
    pub fn voltage_range(&self) -> (f64, f64) {
        (
            self.voltage_v.last().copied().unwrap_or(f64::NAN),
            self.voltage_v.first().copied().unwrap_or(f64::NAN),
        )
    }

    /// Q at each grid voltage (linear in V between curve points); a grid
    /// voltage outside the curve's range is an error.
    pub fn q_at(&self, grid_v: &[f64]) -> Result<Vec<f64>> {
        let (lo, hi) = self.voltage_range();
        let n = self.voltage_v.len();
        grid_v
            .iter()
            .map(|&g| {
                if !(g >= lo && g <= hi) {
                    return Err(Error::InvalidInput(format!(
                        "grid voltage {g} V outside the curve's range [{lo}, {hi}] V"
                    )));
                }
                // First index whose voltage is ≤ g (voltages decrease).
                let i = self.voltage_v.partition_point(|&v| v > g).clamp(1, n - 1);
                let (v0, v1) = (self.voltage_v[i - 1], self.voltage_v[i]);
                let t = (v0 - g) / (v0 - v1);
                Ok(self.q_ah[i - 1] + t * (self.q_ah[i] - self.q_ah[i - 1]))
            })
            .collect()
    }
}

fn check_finite(what: &str, v: &[f64]) -> Result<()> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(Error::NonFinite {
            context: what.into(),
            index: vec![i],
            value: v[i],
        }),
        None => Ok(()),
    }
}

/// `n` voltages from `hi` down to `lo`, evenly spaced (Severson's grid is
/// 1000 points from 3.6 V to 2.0 V).
pub fn voltage_grid(hi: f64, lo: f64, n: usize) -> Result<Vec<f64>> {
    if !(hi.is_finite() && lo.is_finite() && hi > lo) || n < 2 {
        return Err(Error::InvalidInput(format!(
            "a voltage grid needs finite hi > lo and 2 or more points (got {hi}, {lo}, {n})"
        )));
    }
    Ok((0..n)
        .map(|k| hi - (hi - lo) * k as f64 / (n - 1) as f64)
        .collect())
}
