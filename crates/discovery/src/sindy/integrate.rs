//! Adaptive Runge–Kutta integration (Dormand–Prince 5(4)) for simulating
//! discovered models.

use ndarray::{Array1, Array2, ArrayView1};
use voltai_core::{Error, Result};

/// Tolerances and limits of [`integrate`].
#[derive(Debug, Clone, Copy)]
pub struct IntegrationOptions {
    /// Relative tolerance per step.
    pub rtol: f64,
    /// Absolute tolerance per step.
    pub atol: f64,
    /// Step cap over the whole run; exceeding it is an error (stiff or blowing up).
    pub max_steps: usize,
}

impl Default for IntegrationOptions {
    fn default() -> Self {
        IntegrationOptions {
            rtol: 1e-8,
            atol: 1e-10,
            max_steps: 1_000_000,
        }
    }
}

// Dormand–Prince coefficients (Hairer, Nørsett & Wanner, Table 5.2).
const C: [f64; 7] = [0.0, 0.2, 0.3, 0.8, 8.0 / 9.0, 1.0, 1.0];
const A: [[f64; 6]; 7] = [
    [0.0; 6],
    [0.2, 0.0, 0.0, 0.0, 0.0, 0.0],
    [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0],
    [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0],
    [
        19372.0 / 6561.0,
        -25360.0 / 2187.0,
        64448.0 / 6561.0,
        -212.0 / 729.0,
        0.0,
        0.0,
    ],
    [
        9017.0 / 3168.0,
        -355.0 / 33.0,
        46732.0 / 5247.0,
        49.0 / 176.0,
        -5103.0 / 18656.0,
        0.0,
    ],
    [
        35.0 / 384.0,
        0.0,
        500.0 / 1113.0,
        125.0 / 192.0,
        -2187.0 / 6784.0,
        11.0 / 84.0,
    ],
];
const B5: [f64; 7] = [
    35.0 / 384.0,
    0.0,
    500.0 / 1113.0,
    125.0 / 192.0,
    -2187.0 / 6784.0,
    11.0 / 84.0,
    0.0,
];
const B4: [f64; 7] = [
    5179.0 / 57600.0,
    0.0,
    7571.0 / 16695.0,
    393.0 / 640.0,
    -92097.0 / 339200.0,
    187.0 / 2100.0,
    1.0 / 40.0,
];

/// Integrates `dx/dt = f(t, x)` from `x0` at `times[0]` and returns the state
/// at every entry of `times` (strictly increasing), one row each. Steps are
/// chosen adaptively and clipped to land on each output time exactly, so
/// piecewise-constant inputs switching at sample times are followed faithfully.
pub fn integrate<F>(
    f: F,
    x0: ArrayView1<'_, f64>,
    times: ArrayView1<'_, f64>,
    options: IntegrationOptions,
) -> Result<Array2<f64>>
where
    F: Fn(f64, ArrayView1<'_, f64>) -> Result<Array1<f64>>,
{
    if times.is_empty() {
        return Err(Error::EmptyInput("output times".into()));
    }
    voltai_core::check::finite1("initial state", x0)?;
    voltai_core::check::finite1("output times", times)?;
    if let Some(i) = (1..times.len()).find(|&i| times[i] <= times[i - 1]) {
        return Err(Error::InvalidInput(format!(
            "output times must increase strictly (index {i})"
        )));
    }
    if !(options.rtol > 0.0 && options.atol > 0.0) {
        return Err(Error::invalid_parameter(
            "rtol/atol",
            options.rtol.min(options.atol),
            "(0, inf)",
        ));
    }
    let d = x0.len();
    let mut out = Array2::zeros((times.len(), d));
    out.row_mut(0).assign(&x0);
    let mut t = times[0];
    let mut x = x0.to_owned();
    let mut k1 = f(t, x.view())?;
    let span = times[times.len() - 1] - times[0];
    let mut h = (span / 100.0).max(f64::MIN_POSITIVE);
    let mut steps = 0usize;
    let mut k: Vec<Array1<f64>> = vec![Array1::zeros(d); 7];
    for (idx, &target) in times.iter().enumerate().skip(1) {
        while t < target {
            steps += 1;
            if steps > options.max_steps {
                return Err(Error::numerical(
                    "simulation",
                    format!("more than {} steps before t = {target}", options.max_steps),
                ));
            }
            let step = h.min(target - t);
            k[0] = k1.clone();
            for s in 1..7 {
                let mut xs = x.clone();
                for (j, kj) in k.iter().enumerate().take(s) {
                    if A[s][j] != 0.0 {
                        xs.scaled_add(step * A[s][j], kj);
                    }
                }
                k[s] = f(t + C[s] * step, xs.view())?;
            }
            let mut x5 = x.clone();
            let mut err = Array1::<f64>::zeros(d);
            for s in 0..7 {
                x5.scaled_add(step * B5[s], &k[s]);
                err.scaled_add(step * (B5[s] - B4[s]), &k[s]);
            }
            let norm = (0..d)
                .map(|i| {
                    let sc = options.atol + options.rtol * x[i].abs().max(x5[i].abs());
                    (err[i] / sc).powi(2)
                })
                .sum::<f64>()
                / d.max(1) as f64;
            let norm = norm.sqrt();
            if !norm.is_finite() || x5.iter().any(|v| !v.is_finite()) {
                return Err(Error::numerical(
                    "simulation",
                    format!("the state became non-finite near t = {t}"),
                ));
            }
            if norm <= 1.0 {
                t = if (target - (t + step)).abs() <= 1e-12 * target.abs().max(1.0) {
                    target
                } else {
                    t + step
                };
                x = x5;
                // FSAL: the last stage is the derivative at the new point.
                k1 = k[6].clone();
            }
            let factor = if norm == 0.0 {
                5.0
            } else {
                (0.9 * norm.powf(-0.2)).clamp(0.2, 5.0)
            };
            h = (step * factor).max(1e-14 * t.abs().max(1.0));
        }
        out.row_mut(idx).assign(&x);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn harmonic_oscillator_is_integrated_to_tolerance() {
        let times = Array1::linspace(0.0, 10.0, 101);
        let x = integrate(
            |_, x| Ok(array![x[1], -x[0]]),
            array![1.0, 0.0].view(),
            times.view(),
            IntegrationOptions::default(),
        )
        .unwrap();
        for (i, &t) in times.iter().enumerate() {
            assert!((x[[i, 0]] - t.cos()).abs() < 1e-6);
            assert!((x[[i, 1]] + t.sin()).abs() < 1e-6);
        }
        // Blow-up is an error, not a panic.
        let r = integrate(
            |_, x| Ok(array![x[0] * x[0]]),
            array![1.0].view(),
            array![0.0, 2.0].view(),
            IntegrationOptions::default(),
        );
        assert!(r.is_err());
    }
}
