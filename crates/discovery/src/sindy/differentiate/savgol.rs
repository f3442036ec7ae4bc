//! Savitzky–Golay filters: local least-squares polynomials on a sliding window.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use voltai_core::{Error, Result};

use super::{Differentiator, FiniteDifference};
use crate::dense::solve_normal_qr;
use crate::sindy::data::Times;
use crate::sindy::spec::DifferentiatorSpec;

/// Window and polynomial order of a Savitzky–Golay filter.
#[derive(Debug, Clone, Copy)]
struct Window {
    length: usize,
    polyorder: usize,
}

impl Window {
    fn new(length: usize, polyorder: usize) -> Result<Self> {
        if length < 3 || length.is_multiple_of(2) {
            return Err(Error::invalid_parameter("window", length, "odd, 3 or more"));
        }
        if polyorder >= length {
            return Err(Error::invalid_parameter(
                "polyorder",
                polyorder,
                format!("below the window length {length}"),
            ));
        }
        Ok(Window { length, polyorder })
    }

    /// Weights of the window samples giving the fitted polynomial's value
    /// (`deriv = 0`) or first derivative in samples (`deriv = 1`) at offset
    /// `at` from the window centre. Positions are scaled to [−1, 1] so the
    /// normal equations stay well conditioned.
    fn weights(&self, at: isize, deriv: usize) -> Result<Vec<f64>> {
        let h = (self.length / 2) as f64;
        let p = self.polyorder + 1;
        let s: Vec<f64> = (0..self.length).map(|j| (j as f64 - h) / h).collect();
        let v = Array2::from_shape_fn((self.length, p), |(j, k)| s[j].powi(k as i32));
        let se = at as f64 / h;
        let e = Array1::from_shape_fn(p, |k| match deriv {
            0 => se.powi(k as i32),
            _ if k == 0 => 0.0,
            _ => k as f64 * se.powi(k as i32 - 1) / h,
        });
        // Through QR of the Vandermonde matrix: its normal equations lose
        // about eight digits at order 7 over 101 samples.
        let c = solve_normal_qr(v.view(), e.view())?;
        Ok(v.dot(&c).to_vec())
    }

    /// Filters one column, scipy's `savgol_filter(mode="interp")`: centred windows
    /// inside, the polynomial of the first/last window at the edges.
    fn apply(&self, x: ArrayView1<'_, f64>, deriv: usize, scale: f64) -> Result<Array1<f64>> {
        let n = x.len();
        let h = self.length / 2;
        let centre = self.weights(0, deriv)?;
        let mut out = Array1::zeros(n);
        for i in h..n - h {
            out[i] = (0..self.length)
                .map(|j| centre[j] * x[i - h + j])
                .sum::<f64>()
                * scale;
        }
        for i in 0..h {
            let w = self.weights(i as isize - h as isize, deriv)?;
            out[i] = (0..self.length).map(|j| w[j] * x[j]).sum::<f64>() * scale;
            let w = self.weights(h as isize - i as isize, deriv)?;
            let base = n - self.length;
            out[n - 1 - i] = (0..self.length).map(|j| w[j] * x[base + j]).sum::<f64>() * scale;
        }
        Ok(out)
    }

    fn filter(&self, x: ArrayView2<'_, f64>, times: &Times, deriv: usize) -> Result<Array2<f64>> {
        let n = x.nrows();
        if n < self.length {
            return Err(Error::InvalidInput(format!(
                "Savitzky–Golay window {} is longer than the trajectory ({n} samples)",
                self.length
            )));
        }
        times.check_len(n)?;
        let dt = times.uniform_step().ok_or_else(|| {
            Error::InvalidInput(
                "Savitzky–Golay filtering needs equally spaced samples; use FiniteDifference \
                 for non-uniform times"
                    .into(),
            )
        })?;
        let scale = if deriv == 0 { 1.0 } else { 1.0 / dt };
        let mut out = Array2::zeros(x.dim());
        for j in 0..x.ncols() {
            out.column_mut(j)
                .assign(&self.apply(x.column(j), deriv, scale)?);
        }
        Ok(out)
    }
}

/// The derivative of the local Savitzky–Golay polynomial (PySINDy's
/// `SINDyDerivative(kind="savitzky_golay")`). Needs equally spaced samples.
#[derive(Debug, Clone, Copy)]
pub struct SavitzkyGolay {
    window: Window,
}

impl SavitzkyGolay {
    /// Odd window length (≥ 3) and polynomial order (< window).
    pub fn new(window: usize, polyorder: usize) -> Result<Self> {
        Ok(SavitzkyGolay {
            window: Window::new(window, polyorder)?,
        })
    }
}

impl Differentiator for SavitzkyGolay {
    fn differentiate(&self, x: ArrayView2<'_, f64>, times: &Times) -> Result<Array2<f64>> {
        self.window.filter(x, times, 1)
    }

    fn smooth_and_differentiate(
        &self,
        x: ArrayView2<'_, f64>,
        times: &Times,
    ) -> Result<(Option<Array2<f64>>, Array2<f64>)> {
        Ok((
            Some(self.window.filter(x, times, 0)?),
            self.window.filter(x, times, 1)?,
        ))
    }

    fn spec(&self) -> Result<DifferentiatorSpec> {
        Ok(DifferentiatorSpec::SavitzkyGolay {
            window: self.window.length,
            polyorder: self.window.polyorder,
        })
    }
}

/// Savitzky–Golay smoothing followed by second-order finite differences,
/// PySINDy's `SmoothedFiniteDifference` (defaults: window 11, order 3).
#[derive(Debug, Clone, Copy)]
pub struct SmoothedFiniteDifference {
    window: Window,
}

impl Default for SmoothedFiniteDifference {
    fn default() -> Self {
        SmoothedFiniteDifference {
            window: Window {
                length: 11,
                polyorder: 3,
            },
        }
    }
}

impl SmoothedFiniteDifference {
    /// Odd smoothing window (≥ 3) and polynomial order (< window).
    pub fn new(window: usize, polyorder: usize) -> Result<Self> {
        Ok(SmoothedFiniteDifference {
            window: Window::new(window, polyorder)?,
        })
    }

    /// The smoothed signal alone.
    pub fn smooth(&self, x: ArrayView2<'_, f64>, times: &Times) -> Result<Array2<f64>> {
        self.window.filter(x, times, 0)
    }
}

impl Differentiator for SmoothedFiniteDifference {
    fn differentiate(&self, x: ArrayView2<'_, f64>, times: &Times) -> Result<Array2<f64>> {
        let smooth = self.smooth(x, times)?;
        FiniteDifference::default().differentiate(smooth.view(), times)
    }

    fn smooth_and_differentiate(
        &self,
        x: ArrayView2<'_, f64>,
        times: &Times,
    ) -> Result<(Option<Array2<f64>>, Array2<f64>)> {
        let smooth = self.smooth(x, times)?;
        let d = FiniteDifference::default().differentiate(smooth.view(), times)?;
        Ok((Some(smooth), d))
    }

    fn spec(&self) -> Result<DifferentiatorSpec> {
        Ok(DifferentiatorSpec::SmoothedFiniteDifference {
            window: self.window.length,
            polyorder: self.window.polyorder,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn savgol_is_exact_on_polynomials_of_its_order() {
        let dt = 0.05;
        let x = Array2::from_shape_fn((40, 1), |(i, _)| {
            let t = i as f64 * dt;
            t * t * t - 2.0 * t
        });
        let times = Times::uniform(dt).unwrap();
        let d = SavitzkyGolay::new(9, 3)
            .unwrap()
            .differentiate(x.view(), &times)
            .unwrap();
        for i in 0..40 {
            let t = i as f64 * dt;
            assert!((d[[i, 0]] - (3.0 * t * t - 2.0)).abs() < 1e-9, "{i}");
        }
        let s = SmoothedFiniteDifference::new(7, 3)
            .unwrap()
            .smooth(x.view(), &times)
            .unwrap();
        assert!((&s - &x).iter().all(|v| v.abs() < 1e-10));
        let uneven = Times::points(Array1::from_shape_fn(40, |i| (i * i) as f64)).unwrap();
        assert!(
            SavitzkyGolay::new(9, 3)
                .unwrap()
                .differentiate(x.view(), &uneven)
                .is_err()
        );
        assert!(SavitzkyGolay::new(8, 3).is_err() && SavitzkyGolay::new(5, 5).is_err());
    }
}
