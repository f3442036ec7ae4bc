//! Platt scaling: a sigmoid P(y = +1 | f) = 1 / (1 + exp(A f + B)) fitted to
//! decision values, by the Newton method with backtracking of Lin, Lin &
//! Weng (2007) — the algorithm libsvm and scikit-learn use.

use serde::{Deserialize, Serialize};

/// A fitted sigmoid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sigmoid {
    /// Slope (negative when larger decision values mean "positive").
    pub a: f64,
    /// Offset.
    pub b: f64,
}

impl Sigmoid {
    /// Fits A, B to decision values and ±1 labels (regularised targets).
    pub fn fit(dec: &[f64], positive: &[bool]) -> Sigmoid {
        let prior1 = positive.iter().filter(|&&p| p).count() as f64;
        let prior0 = positive.len() as f64 - prior1;
        let (max_iter, min_step, sigma, eps) = (100, 1e-10, 1e-12, 1e-5);
        let hi = (prior1 + 1.0) / (prior1 + 2.0);
        let lo = 1.0 / (prior0 + 2.0);
        let t: Vec<f64> = positive.iter().map(|&p| if p { hi } else { lo }).collect();
        let objective = |a: f64, b: f64| -> f64 {
            dec.iter()
                .zip(&t)
                .map(|(&d, &ti)| {
                    let f = d * a + b;
                    if f >= 0.0 {
                        ti * f + (-f).exp().ln_1p()
                    } else {
                        (ti - 1.0) * f + f.exp().ln_1p()
                    }
                })
                .sum()
        };
        let (mut a, mut b) = (0.0, ((prior0 + 1.0) / (prior1 + 1.0)).ln());
        let mut fval = objective(a, b);
        for _ in 0..max_iter {
            let (mut h11, mut h22, mut h21, mut g1, mut g2) = (sigma, sigma, 0.0, 0.0, 0.0);
            for (&d, &ti) in dec.iter().zip(&t) {
                let f = d * a + b;
                let (p, q) = if f >= 0.0 {
                    let e = (-f).exp();
                    (e / (1.0 + e), 1.0 / (1.0 + e))
                } else {
                    let e = f.exp();
                    (1.0 / (1.0 + e), e / (1.0 + e))
                };
                let d2 = p * q;
                h11 += d * d * d2;
                h22 += d2;
                h21 += d * d2;
                let d1 = ti - p;
                g1 += d * d1;
                g2 += d1;
            }
            if g1.abs() < eps && g2.abs() < eps {
                break;
            }
            let det = h11 * h22 - h21 * h21;
            let da = -(h22 * g1 - h21 * g2) / det;
            let db = -(-h21 * g1 + h11 * g2) / det;
            let gd = g1 * da + g2 * db;
            let mut step = 1.0;
            while step >= min_step {
                let (na, nb) = (a + step * da, b + step * db);
                let nf = objective(na, nb);
                if nf < fval + 1e-4 * step * gd {
                    a = na;
                    b = nb;
                    fval = nf;
                    break;
                }
                step /= 2.0;
            }
            if step < min_step {
                break;
            }
        }
        Sigmoid { a, b }
    }

    /// P(y = +1 | decision value f).
    pub fn probability(&self, f: f64) -> f64 {
        let z = f * self.a + self.b;
        if z >= 0.0 {
            (-z).exp() / (1.0 + (-z).exp())
        } else {
            1.0 / (1.0 + z.exp())
        }
    }
}
