//! Space-filling initial designs in the unit cube.

use ndarray::Array2;
use voltai_core::synthetic::SplitMix64;

/// `n` points of an Owen-scrambled Sobol sequence in `[0, 1]^d` (d ≤ 256),
/// scrambled by `seed` (Burley 2020, via `sobol_burley`).
pub fn sobol(n: usize, d: usize, seed: u64) -> Array2<f64> {
    let scramble = (seed ^ (seed >> 32)) as u32;
    Array2::from_shape_fn((n, d), |(i, j)| {
        f64::from(sobol_burley::sample(
            i as u32,
            (j % 256) as u32,
            scramble.wrapping_add((j / 256) as u32),
        ))
    })
}

/// `n` points of a Latin hypercube in `[0, 1]^d`: each dimension's `n` strata
/// are used once, in a seeded random order, with a random offset inside each.
pub fn latin_hypercube(n: usize, d: usize, seed: u64) -> Array2<f64> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Array2::zeros((n, d));
    for j in 0..d {
        let mut perm: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let k = (rng.next_u64() % (i as u64 + 1)) as usize;
            perm.swap(i, k);
        }
        for i in 0..n {
            out[[i, j]] = (perm[i] as f64 + rng.uniform()) / n as f64;
        }
    }
    out
}

/// The seed of one proposal round: derived from the campaign seed, a salt
/// naming the random choice, and the number of observations, so a resumed
/// campaign repeats the proposals of an uninterrupted one.
pub(crate) fn round_seed(seed: u64, salt: u64, n_observations: usize) -> u64 {
    SplitMix64::new(seed ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED03)).next_u64()
        ^ (n_observations as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Which initial design to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum InitialDesign {
    /// Scrambled Sobol points (default).
    Sobol,
    /// A Latin hypercube.
    LatinHypercube,
    /// Uniform random points.
    Random,
}

impl InitialDesign {
    pub(crate) fn sample(self, n: usize, d: usize, seed: u64) -> Array2<f64> {
        match self {
            InitialDesign::Sobol => sobol(n, d, seed),
            InitialDesign::LatinHypercube => latin_hypercube(n, d, seed),
            InitialDesign::Random => {
                let mut rng = SplitMix64::new(seed);
                Array2::from_shape_simple_fn((n, d), || rng.uniform())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn designs_fill_the_cube_evenly() {
        let lhs = latin_hypercube(10, 3, 1);
        for j in 0..3 {
            let mut strata: Vec<usize> =
                lhs.column(j).iter().map(|v| (v * 10.0) as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
        let s = sobol(64, 2, 3);
        // A (0,m,2)-net: every 1/8 × 1/8 cell holds exactly one of 64 points.
        let mut cells = vec![0; 64];
        for i in 0..64 {
            cells[(s[[i, 0]] * 8.0) as usize * 8 + (s[[i, 1]] * 8.0) as usize] += 1;
        }
        assert!(cells.iter().all(|&c| c == 1));
        assert_eq!(sobol(5, 2, 9), sobol(5, 2, 9));
    }
}
