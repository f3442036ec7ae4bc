//! Acquisition functions for maximisation, on standardised objective values.

use serde::{Deserialize, Serialize};
use statrs::function::erf::erfc;

const SQRT_2: f64 = std::f64::consts::SQRT_2;
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8; // ½ ln(2π)

/// Standard normal density.
pub fn normal_pdf(z: f64) -> f64 {
    (-0.5 * z * z - LN_SQRT_2PI).exp()
}

/// Standard normal distribution function (accurate in both tails).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / SQRT_2)
}

/// Inverse of [`normal_cdf`] (Acklam's rational approximation refined by one
/// Halley step; relative error below 1e-13).
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let x = if p < 0.02425 {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p > 1.0 - 0.02425 {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (0.5 * x * x).exp();
    x - u / (1.0 + 0.5 * x * u)
}

/// `exp(x²)·erfc(x)` without overflow for large `x` (used by log-EI).
fn erfcx(x: f64) -> f64 {
    if x < 25.0 {
        (x * x).exp() * erfc(x)
    } else {
        // Asymptotic series; at x ≥ 25 four terms give full precision.
        let r = 1.0 / (x * x);
        (1.0 - 0.5 * r * (1.0 - 1.5 * r * (1.0 - 2.5 * r))) / (x * std::f64::consts::PI.sqrt())
    }
}

fn log1mexp(x: f64) -> f64 {
    // ln(1 − eˣ) for x < 0, accurate near 0 and far below it.
    if x > -std::f64::consts::LN_2 {
        (-x.exp_m1()).ln()
    } else {
        (-x.exp()).ln_1p()
    }
}

/// `ln(φ(z) + zΦ(z))`, the log of expected improvement per unit σ, stable for
/// very negative `z` (Ament et al. 2023, "Unexpected improvements to expected
/// improvement", eq. 9).
pub fn log_h(z: f64) -> f64 {
    let c2 = 0.5 * (std::f64::consts::PI / 2.0).ln();
    if z > -1.0 {
        (normal_pdf(z) + z * normal_cdf(z)).ln()
    } else if z > -1.0 / f64::EPSILON.sqrt() {
        -0.5 * z * z - LN_SQRT_2PI + log1mexp((erfcx(-z / SQRT_2) * z.abs()).ln() + c2)
    } else {
        -0.5 * z * z - LN_SQRT_2PI - 2.0 * z.abs().ln()
    }
}

/// How promising a point is, from the surrogate's mean and standard deviation
/// (standardised units; the optimiser always maximises).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum Acquisition {
    /// Expected improvement over the incumbent plus `xi` (Jones et al. 1998).
    ExpectedImprovement {
        /// Exploration margin (standardised units), usually 0–0.1.
        xi: f64,
    },
    /// The logarithm of expected improvement, computed stably where EI
    /// underflows (Ament et al. 2023): the default.
    #[default]
    LogExpectedImprovement,
    /// The logarithm of *noisy* expected improvement (Letham et al. 2019;
    /// BoTorch's qLogNEI): improvement over the best latent value among
    /// the observed points, averaged over their joint posterior with the
    /// candidate, for noisy readings. The baseline is the observed points
    /// that are best in at least one of 256 joint posterior draws; the
    /// average runs over 64 fixed draws of it per proposal round, in closed
    /// form in the candidate's own residual, so the value is smooth in the
    /// candidate. It needs a surrogate with a joint
    /// posterior ([`crate::bo::FittedSurrogate::cross_covariance`]).
    /// [`Acquisition::value`], which knows one incumbent number only, gives
    /// its limit for a certain incumbent: log-EI.
    LogNoisyExpectedImprovement,
    /// Probability of improving on the incumbent by `xi`.
    ProbabilityOfImprovement {
        /// Improvement margin (standardised units).
        xi: f64,
    },
    /// Upper confidence bound `μ + βσ`.
    UpperConfidenceBound {
        /// Exploration weight β ≥ 0.
        beta: f64,
    },
    /// Thompson sampling: the maximiser of one joint posterior draw over the
    /// candidate pool.
    ThompsonSampling,
}

impl Acquisition {
    /// The acquisition value at predictive `mean` and `std` given the best
    /// observed value `best` (not used by Thompson sampling, which returns the mean).
    pub fn value(&self, mean: f64, std: f64, best: f64) -> f64 {
        let std = std.max(1e-12);
        match *self {
            Acquisition::ExpectedImprovement { xi } => {
                let z = (mean - best - xi) / std;
                std * (normal_pdf(z) + z * normal_cdf(z))
            }
            Acquisition::LogExpectedImprovement | Acquisition::LogNoisyExpectedImprovement => {
                std.ln() + log_h((mean - best) / std)
            }
            Acquisition::ProbabilityOfImprovement { xi } => normal_cdf((mean - best - xi) / std),
            Acquisition::UpperConfidenceBound { beta } => mean + beta * std,
            Acquisition::ThompsonSampling => mean,
        }
    }

    /// Whether values are logarithms (constraint weights are then added as
    /// log-probabilities instead of multiplied).
    pub(crate) fn is_log(&self) -> bool {
        matches!(
            self,
            Acquisition::LogExpectedImprovement | Acquisition::LogNoisyExpectedImprovement
        )
    }

    /// Whether a probability of feasibility may multiply the value (EI, PI);
    /// UCB and Thompson values can be negative, so constraints filter instead.
    pub(crate) fn weights_by_feasibility(&self) -> bool {
        matches!(
            self,
            Acquisition::ExpectedImprovement { .. }
                | Acquisition::LogExpectedImprovement
                | Acquisition::LogNoisyExpectedImprovement
                | Acquisition::ProbabilityOfImprovement { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ei_is_the_log_of_ei_and_stays_finite_in_the_tail() {
        for &(m, s, b) in &[
            (0.0, 1.0, 0.0),
            (1.0, 0.5, 0.2),
            (-2.0, 0.7, 0.5),
            (-5.0, 1.0, 0.0),
        ] {
            let ei = Acquisition::ExpectedImprovement { xi: 0.0 }.value(m, s, b);
            let log_ei = Acquisition::LogExpectedImprovement.value(m, s, b);
            assert!(
                (log_ei - ei.ln()).abs() < 1e-9 * ei.ln().abs().max(1.0),
                "{m} {s} {b}"
            );
        }
        // EI underflows to 0 at z = −40; log-EI still orders points correctly.
        let far = Acquisition::LogExpectedImprovement.value(-40.0, 1.0, 0.0);
        let farther = Acquisition::LogExpectedImprovement.value(-50.0, 1.0, 0.0);
        assert!(far.is_finite() && farther.is_finite() && far > farther);
        assert_eq!(
            Acquisition::ExpectedImprovement { xi: 0.0 }.value(-40.0, 1.0, 0.0),
            0.0
        );
        // Continuity across the branch at z = −1.
        assert!((log_h(-1.0 + 1e-9) - log_h(-1.0 - 1e-9)).abs() < 1e-7);
    }

    #[test]
    fn quantile_inverts_the_cdf() {
        for &p in &[1e-10, 0.001, 0.05, 0.3, 0.5, 0.9, 0.999] {
            assert!(
                (normal_cdf(normal_quantile(p)) / p - 1.0).abs() < 1e-10,
                "{p}"
            );
        }
    }
}
