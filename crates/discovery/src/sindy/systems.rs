//! Reference dynamical systems and a noise model, generated exactly as the
//! PySINDy reference script does (`tools/reference/sindy/make_reference.py`),
//! so both sides fit identical inputs.

use ndarray::{Array1, Array2, ArrayView1};
use voltai_core::synthetic::SplitMix64;

/// The Lorenz right-hand side with σ = 10, ρ = 28, β = 8/3.
pub fn lorenz_rhs(x: ArrayView1<'_, f64>) -> Array1<f64> {
    let (sigma, rho, beta) = (10.0, 28.0, 8.0 / 3.0);
    Array1::from(vec![
        sigma * (x[1] - x[0]),
        x[0] * (rho - x[2]) - x[1],
        x[0] * x[1] - beta * x[2],
    ])
}

/// `n` samples of `dx/dt = f(x)` by fixed-step classical Runge–Kutta (RK4)
/// with step `dt`, starting at `x0`.
pub fn rk4<F>(f: F, x0: ArrayView1<'_, f64>, dt: f64, n: usize) -> Array2<f64>
where
    F: Fn(ArrayView1<'_, f64>) -> Array1<f64>,
{
    let mut out = Array2::zeros((n, x0.len()));
    if n == 0 {
        return out;
    }
    let mut x = x0.to_owned();
    out.row_mut(0).assign(&x);
    for i in 1..n {
        let k1 = f(x.view());
        let k2 = f((&x + &(&k1 * (0.5 * dt))).view());
        let k3 = f((&x + &(&k2 * (0.5 * dt))).view());
        let k4 = f((&x + &(&k3 * dt)).view());
        x = &x + &((&k1 + &(&k2 * 2.0) + &(&k3 * 2.0) + &k4) * (dt / 6.0));
        out.row_mut(i).assign(&x);
    }
    out
}

/// The Lorenz trajectory of the SINDy acceptance test: x0 = (−8, 8, 27),
/// `dt`, `n` samples.
pub fn lorenz(dt: f64, n: usize) -> Array2<f64> {
    rk4(
        lorenz_rhs,
        Array1::from(vec![-8.0, 8.0, 27.0]).view(),
        dt,
        n,
    )
}

/// Adds Gaussian noise with standard deviation `level ×` the RMS of all
/// entries (PySINDy's convention), drawn row by row from `SplitMix64(seed)`.
pub fn add_noise(x: &Array2<f64>, level: f64, seed: u64) -> Array2<f64> {
    let rms = (x.iter().map(|v| v * v).sum::<f64>() / x.len().max(1) as f64).sqrt();
    let mut rng = SplitMix64::new(seed);
    let mut out = x.clone();
    for v in out.iter_mut() {
        *v += level * rms * rng.normal();
    }
    out
}

/// A one-RC equivalent-circuit cell (Thevenin model) driven by a current:
/// states `v1` (RC overpotential, V) and `soc` (fraction), input `i`
/// (A, discharge positive):
///
/// `dv1/dt = −v1/(R1·C1) + i/C1`, `dsoc/dt = −i/(3600·Q)`.
#[derive(Debug, Clone, Copy)]
pub struct OneRcCell {
    /// RC-branch resistance, Ω.
    pub r1: f64,
    /// RC-branch capacitance, F.
    pub c1: f64,
    /// Capacity, Ah.
    pub capacity_ah: f64,
}

impl OneRcCell {
    /// The state derivative at `(v1, soc)` under current `i`.
    pub fn rhs(&self, x: ArrayView1<'_, f64>, i: f64) -> Array1<f64> {
        Array1::from(vec![
            -x[0] / (self.r1 * self.c1) + i / self.c1,
            -i / (3600.0 * self.capacity_ah),
        ])
    }

    /// Simulates the cell under `current(t)` from `(v1, soc) = x0`, sampled
    /// every `dt` seconds for `n` samples, by the adaptive integrator (steps
    /// land on every sample time, where the pulses switch).
    pub fn simulate(
        &self,
        current: impl Fn(f64) -> f64,
        x0: [f64; 2],
        dt: f64,
        n: usize,
    ) -> voltai_core::Result<(Array2<f64>, Array1<f64>)> {
        let times = Array1::from_shape_fn(n, |k| k as f64 * dt);
        // The current is held over [t_k, t_k+1): evaluate it at the step start.
        let held = |t: f64| current((t / dt + 1e-9).floor() * dt);
        let states = super::integrate(
            |t, x| Ok(self.rhs(x, held(t))),
            Array1::from(x0.to_vec()).view(),
            times.view(),
            super::IntegrationOptions {
                rtol: 1e-10,
                atol: 1e-12,
                max_steps: 10_000_000,
            },
        )?;
        let i = times.mapv(held);
        Ok((states, i))
    }
}

/// A pulsed test profile, repeating every 120 s: a discharge pulse of
/// 2–5 A (amplitude cycling over four periods) for 30 s, 30 s rest, a charge
/// pulse of half that amplitude for 30 s, 30 s rest.
pub fn pulsed_current(t: f64) -> f64 {
    let period = (t / 120.0).floor();
    let amplitude = 2.0 + (period as i64).rem_euclid(4) as f64;
    match t - 120.0 * period {
        s if s < 30.0 => amplitude,
        s if (60.0..90.0).contains(&s) => -0.5 * amplitude,
        _ => 0.0,
    }
}
