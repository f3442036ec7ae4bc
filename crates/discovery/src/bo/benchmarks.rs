//! Standard test functions for Bayesian optimisation (to be minimised).

use ndarray::ArrayView1;

/// Branin–Hoo on x₁ ∈ [−5, 10], x₂ ∈ [0, 15]; global minimum 0.397887 at
/// three points, e.g. (π, 2.275).
pub fn branin(x: ArrayView1<'_, f64>) -> f64 {
    let (a, b, c) = (
        1.0,
        5.1 / (4.0 * std::f64::consts::PI.powi(2)),
        5.0 / std::f64::consts::PI,
    );
    let (r, s, t) = (6.0, 10.0, 1.0 / (8.0 * std::f64::consts::PI));
    a * (x[1] - b * x[0] * x[0] + c * x[0] - r).powi(2) + s * (1.0 - t) * x[0].cos() + s
}

/// Global minimum of [`branin`].
pub const BRANIN_MIN: f64 = 0.397_887_357_729_738;

/// Hartmann-6 on [0, 1]⁶; global minimum −3.32237 at
/// (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573).
pub fn hartmann6(x: ArrayView1<'_, f64>) -> f64 {
    const ALPHA: [f64; 4] = [1.0, 1.2, 3.0, 3.2];
    const A: [[f64; 6]; 4] = [
        [10.0, 3.0, 17.0, 3.5, 1.7, 8.0],
        [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
        [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
        [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
    ];
    const P: [[f64; 6]; 4] = [
        [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
        [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
        [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
        [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
    ];
    -(0..4)
        .map(|i| {
            let s: f64 = (0..6).map(|j| A[i][j] * (x[j] - P[i][j]).powi(2)).sum();
            ALPHA[i] * (-s).exp()
        })
        .sum::<f64>()
}

/// Global minimum of [`hartmann6`].
pub const HARTMANN6_MIN: f64 = -3.322_368_011_391_339;

/// Forrester et al.'s (2007) one-dimensional function on [0, 1],
/// (6x − 2)²·sin(12x − 4); global minimum −6.02074 at x = 0.75725.
pub fn forrester(x: ArrayView1<'_, f64>) -> f64 {
    (6.0 * x[0] - 2.0).powi(2) * (12.0 * x[0] - 4.0).sin()
}

/// Forrester's cheap model of [`forrester`]: 0.5·f(x) + 10(x − 0.5) + 5
/// (A = 0.5, B = 10, C = −5 in Forrester, Sóbester & Keane 2008, §8.5),
/// whose minimum lies elsewhere (near x = 0.09).
pub fn forrester_low(x: ArrayView1<'_, f64>) -> f64 {
    0.5 * forrester(x) + 10.0 * (x[0] - 0.5) + 5.0
}

/// Global minimum of [`forrester`].
pub const FORRESTER_MIN: f64 = -6.020_740_055_767_081;

/// Currin et al.'s (1991) exponential function on [0, 1]² (to be
/// **maximised**; maximum [`CURRIN_MAX`] on the edge x₂ = 0):
/// [1 − exp(−1/(2x₂))]·(2300x₁³ + 1900x₁² + 2092x₁ + 60)/(100x₁³ + 500x₁² + 4x₁ + 20),
/// the first factor taken as its limit 1 at x₂ = 0.
pub fn currin(x: ArrayView1<'_, f64>) -> f64 {
    let (a, b) = (x[0], x[1]);
    let damp = if b <= 0.0 {
        1.0
    } else {
        1.0 - (-1.0 / (2.0 * b)).exp()
    };
    damp * (2300.0 * a.powi(3) + 1900.0 * a * a + 2092.0 * a + 60.0)
        / (100.0 * a.powi(3) + 500.0 * a * a + 4.0 * a + 20.0)
}

/// Maximum of [`currin`], at (0.216667, 0).
pub const CURRIN_MAX: f64 = 13.798_722_044_728_436;

/// The cheap model of [`currin`] used by Xiong, Qian & Wu (2013) and in
/// multi-fidelity benchmarks since: the mean of the function at the four
/// corners (x₁ ± 0.05, x₂ ± 0.05), x₂ − 0.05 clipped at 0.
pub fn currin_low(x: ArrayView1<'_, f64>) -> f64 {
    let at = |a: f64, b: f64| currin(ndarray::arr1(&[a, b]).view());
    let (a, b) = (x[0], x[1]);
    let low = (b - 0.05).max(0.0);
    0.25 * (at(a + 0.05, b + 0.05) + at(a + 0.05, low))
        + 0.25 * (at(a - 0.05, b + 0.05) + at(a - 0.05, low))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn known_minima() {
        assert!((branin(array![std::f64::consts::PI, 2.275].view()) - BRANIN_MIN).abs() < 1e-6);
        let h = hartmann6(array![0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573].view());
        assert!((h - HARTMANN6_MIN).abs() < 1e-5);
        // Forrester's optimum (scipy's bounded Brent, 1e-12) and its cheap
        // model's closed form at two points.
        assert!((forrester(array![0.757_248_756_166_025_7].view()) - FORRESTER_MIN).abs() < 1e-12);
        assert!(
            (forrester_low(array![0.5].view()) - (0.5 * forrester(array![0.5].view()) + 5.0)).abs()
                < 1e-12
        );
        assert!((currin(array![0.216_666_669_941_895, 0.0].view()) - CURRIN_MAX).abs() < 1e-12);
        // Currin at (0.5, 0.5): (1 − e^{−1})·(287.5 + 475 + 1046 + 60)/(12.5 + 125 + 2 + 20).
        let expected = (1.0 - (-1.0f64).exp()) * 1868.5 / 159.5;
        assert!((currin(array![0.5, 0.5].view()) - expected).abs() < 1e-12);
        // The cheap model averages the four shifted corners.
        let corners = [[0.55, 0.55], [0.55, 0.45], [0.45, 0.55], [0.45, 0.45]]
            .iter()
            .map(|c| currin(array![c[0], c[1]].view()))
            .sum::<f64>()
            / 4.0;
        assert!((currin_low(array![0.5, 0.5].view()) - corners).abs() < 1e-12);
    }
}

/// A documented synthetic fast-charging problem for constrained and safe BO.
///
/// A two-step constant-current charge from 0 to 80 % SOC: current `i1`
/// (C-rate, 1–6) up to the switch SOC `s` (0.1–0.7), then `i2` (0.5–3 C).
/// *Objective*: charging time in minutes, `60·s/i1 + 60·(0.8 − s)/i2`.
/// *Constraint*: peak cell temperature (°C) from a first-order thermal model
/// with ambient 25 °C, Joule heating giving a steady rise of `k·I²` (k = 1 °C
/// per C²) and time constant τ = 10 min: the rise after step 1 is
/// `k·i1²·(1 − e^{−t₁/τ})`, after which it relaxes toward `k·i2²`; the peak
/// is the larger of the two step-end values. Fast first steps that last too
/// long overheat the cell, so the fastest safe protocols sit on the limit.
pub mod fast_charge {
    use ndarray::ArrayView1;

    /// Bounds of `(i1, s, i2)`.
    pub const BOUNDS: [(f64, f64); 3] = [(1.0, 6.0), (0.1, 0.7), (0.5, 3.0)];
    /// Ambient temperature, °C.
    pub const AMBIENT_C: f64 = 25.0;
    const K: f64 = 1.0;
    const TAU_MIN: f64 = 10.0;

    /// Charging time (minutes) of protocol `x = (i1, s, i2)`.
    pub fn charge_time_min(x: ArrayView1<'_, f64>) -> f64 {
        60.0 * x[1] / x[0] + 60.0 * (0.8 - x[1]) / x[2]
    }

    /// Peak temperature (°C) of protocol `x = (i1, s, i2)`.
    pub fn peak_temperature_c(x: ArrayView1<'_, f64>) -> f64 {
        let (i1, s, i2) = (x[0], x[1], x[2]);
        let (t1, t2) = (60.0 * s / i1, 60.0 * (0.8 - s) / i2);
        let rise1 = K * i1 * i1 * (1.0 - (-t1 / TAU_MIN).exp());
        let steady2 = K * i2 * i2;
        let rise2 = steady2 + (rise1 - steady2) * (-t2 / TAU_MIN).exp();
        AMBIENT_C + rise1.max(rise2)
    }
}
