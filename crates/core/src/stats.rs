//! Small statistics used across crates: moments, quantiles, least-squares lines.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Population central moments of a sample (divide by n, no bias correction).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Arithmetic mean.
    pub mean: f64,
    /// Population variance m₂.
    pub variance: f64,
    /// Skewness m₃ / m₂^1.5.
    pub skewness: f64,
    /// Pearson kurtosis m₄ / m₂² (3 for a normal distribution; not excess).
    pub kurtosis: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// Moments of `x`; fails on empty or non-finite input.
pub fn moments(x: &[f64]) -> Result<Moments> {
    if x.is_empty() {
        return Err(Error::EmptyInput("moments of an empty sample".into()));
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            context: "sample".into(),
            index: vec![i],
            value: x[i],
        });
    }
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for &v in x {
        let d = v - mean;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    m2 /= n;
    m3 /= n;
    m4 /= n;
    Ok(Moments {
        mean,
        variance: m2,
        skewness: m3 / m2.powf(1.5),
        kurtosis: m4 / (m2 * m2),
        min: x.iter().copied().fold(f64::INFINITY, f64::min),
        max: x.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    })
}

/// An ordinary least-squares line `y = intercept + slope·x`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// Slope dy/dx.
    pub slope: f64,
    /// Value at x = 0.
    pub intercept: f64,
}

impl Line {
    /// Least-squares fit; needs two distinct finite x values.
    pub fn fit(x: &[f64], y: &[f64]) -> Result<Line> {
        crate::check::same_len("line fit x vs y", x.len(), y.len())?;
        if x.len() < 2 {
            return Err(Error::EmptyInput(format!(
                "a line needs at least 2 points, got {}",
                x.len()
            )));
        }
        for (name, v) in [("x", x), ("y", y)] {
            if let Some(i) = v.iter().position(|a| !a.is_finite()) {
                return Err(Error::NonFinite {
                    context: format!("line fit {name}"),
                    index: vec![i],
                    value: v[i],
                });
            }
        }
        let n = x.len() as f64;
        let mx = x.iter().sum::<f64>() / n;
        let my = y.iter().sum::<f64>() / n;
        let (mut sxx, mut sxy) = (0.0, 0.0);
        for (&a, &b) in x.iter().zip(y) {
            sxx += (a - mx) * (a - mx);
            sxy += (a - mx) * (b - my);
        }
        if sxx <= 0.0 {
            return Err(Error::numerical("line fit", "all x values are equal"));
        }
        let slope = sxy / sxx;
        Ok(Line {
            slope,
            intercept: my - slope * mx,
        })
    }

    /// Value of the line at `x`.
    pub fn eval(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// The `q`-quantile (0 ≤ q ≤ 1) by linear interpolation between order statistics
/// (NumPy's default, "type 7").
pub fn quantile(x: &[f64], q: f64) -> Result<f64> {
    if !(0.0..=1.0).contains(&q) {
        return Err(Error::invalid_parameter("q", q, "[0, 1]"));
    }
    if x.is_empty() {
        return Err(Error::EmptyInput("quantile of an empty sample".into()));
    }
    let mut s = x.to_vec();
    if s.iter().any(|v| v.is_nan()) {
        return Err(Error::InvalidInput(
            "quantile of a sample containing NaN".into(),
        ));
    }
    s.sort_by(f64::total_cmp);
    let h = q * (s.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Ok(s[lo] + (h - lo as f64) * (s[hi] - s[lo]))
}

/// Median (the 0.5 quantile).
pub fn median(x: &[f64]) -> Result<f64> {
    quantile(x, 0.5)
}
