//! A portable random stream for cross-language reference data.
//!
//! Reference values from Python peers (scikit-learn, ...) must be computed on
//! exactly the inputs our tests and benchmarks use. SplitMix64 (Steele, Lea &
//! Flood 2014) is three lines in any language, so `tools/reference/` scripts
//! regenerate the same matrices bit for bit instead of shipping large files.

use ndarray::{Array1, Array2};

/// The SplitMix64 generator.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A stream starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Standard normal by the Box–Muller transform (one value per two uniforms).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// A Fisher–Yates permutation of `0..n` (swap index `i` with
    /// `next_u64() % (i + 1)`, from the end).
    ///
    /// ```
    /// use voltai_core::synthetic::SplitMix64;
    /// let mut p = SplitMix64::new(7).permutation(10);
    /// assert_eq!(p, SplitMix64::new(7).permutation(10));
    /// p.sort_unstable();
    /// assert_eq!(p, (0..10).collect::<Vec<_>>());
    /// ```
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            order.swap(i, (self.next_u64() % (i as u64 + 1)) as usize);
        }
        order
    }

    /// An `n × d` matrix of standard normals, filled row by row.
    pub fn normal_matrix(&mut self, n: usize, d: usize) -> Array2<f64> {
        Array2::from_shape_simple_fn((n, d), || self.normal())
    }
}

/// An imbalanced binary classification set, identical to `imbalanced` in
/// `tools/reference/common.py`: standard-normal features, and the top 5 % of
/// the score x₀ + x₁ − ½x₂² + 0.3·x₃x₄ + ½·noise labelled 1. Needs `d ≥ 5`.
pub fn imbalanced_classification(n: usize, d: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = SplitMix64::new(seed);
    let x = rng.normal_matrix(n, d.max(5));
    let noise: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let score: Vec<f64> = (0..n)
        .map(|i| {
            x[[i, 0]] + x[[i, 1]] - 0.5 * x[[i, 2]].powi(2)
                + 0.3 * x[[i, 3]] * x[[i, 4]]
                + 0.5 * noise[i]
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    let mut y = Array1::zeros(n);
    for &i in &order[..(0.05 * n as f64).round() as usize] {
        y[i] = 1.0;
    }
    (x, y)
}
