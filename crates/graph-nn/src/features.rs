//! Node and edge features.
//!
//! Node features follow CGCNN's categories, one-hot encoded: group (18),
//! period (7), Pauling electronegativity (10 bins over 0.5–4.0, plus a
//! "missing" slot), covalent radius (10 bins over 0.25–2.5 Å + missing),
//! first ionisation energy (10 bins over 3–25 eV + missing), electron
//! affinity (10 bins over −3–4 eV + missing) and block (4).
//!
//! **Disordered sites.** A site's feature vector is the occupancy-weighted
//! sum of its occupants' one-hot vectors, followed by one extra column
//! holding the vacancy fraction `1 − Σ occupancy`. An ordered site is
//! therefore exactly its element's one-hot vector with a 0 vacancy, and a
//! Li site at 0.5 occupancy reads as "half a lithium, half empty" rather
//! than as an error or a full lithium.

use ndarray::Array2;

use crate::element::{Block, Element};
use crate::structure::Structure;

/// Width of the element part of a node feature vector.
pub const ELEMENT_FEATURES: usize = 18 + 7 + 11 + 11 + 11 + 11 + 4;

/// Width of a node feature vector (element part + vacancy column).
pub const NODE_FEATURES: usize = ELEMENT_FEATURES + 1;

fn binned(value: Option<f64>, lo: f64, hi: f64, out: &mut [f32], weight: f32) {
    // `out` has 10 bins then the missing slot.
    match value {
        Some(v) => {
            let k = (((v - lo) / (hi - lo)) * 10.0).floor().clamp(0.0, 9.0) as usize;
            out[k] += weight;
        }
        None => out[10] += weight,
    }
}

/// The one-hot element vector (length [`ELEMENT_FEATURES`]) added into
/// `out` with `weight`.
pub fn add_element_features(e: &Element, weight: f32, out: &mut [f32]) {
    out[usize::from(e.group.clamp(1, 18)) - 1] += weight;
    out[18 + usize::from(e.period.clamp(1, 7)) - 1] += weight;
    binned(e.electronegativity, 0.5, 4.0, &mut out[25..36], weight);
    binned(e.covalent_radius, 0.25, 2.5, &mut out[36..47], weight);
    binned(e.first_ionization, 3.0, 25.0, &mut out[47..58], weight);
    binned(e.electron_affinity, -3.0, 4.0, &mut out[58..69], weight);
    let b = match e.block {
        Block::S => 0,
        Block::P => 1,
        Block::D => 2,
        Block::F => 3,
    };
    out[69 + b] += weight;
}

/// Node features of every site (`n_sites × NODE_FEATURES`).
pub fn node_features(structure: &Structure) -> Array2<f32> {
    let mut x = Array2::<f32>::zeros((structure.len(), NODE_FEATURES));
    for (i, site) in structure.sites.iter().enumerate() {
        let Some(row) = x.row_mut(i).into_slice() else {
            continue;
        };
        for o in &site.occupants {
            add_element_features(o.element, o.occupancy as f32, row);
        }
        row[ELEMENT_FEATURES] = (1.0 - site.total_occupancy()).max(0.0) as f32;
    }
    x
}

/// Gaussian expansion of distances (CGCNN): `exp(−(d − μ_k)² / σ²)` with
/// centres `μ_k` evenly spaced over [0, `cutoff`] and `σ` their spacing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianExpansion {
    /// Largest centre (Å).
    pub cutoff: f64,
    /// Number of centres.
    pub n: usize,
}

impl GaussianExpansion {
    /// Expands one distance into `out` (length `n`).
    pub fn expand(&self, d: f64, out: &mut [f32]) {
        let step = self.cutoff / (self.n.max(2) - 1) as f64;
        for (k, o) in out.iter_mut().enumerate() {
            let mu = k as f64 * step;
            *o = (-((d - mu) / step).powi(2)).exp() as f32;
        }
    }
}

/// Gaussian expansion of a bond angle's cosine: `n` centres evenly spaced
/// over [−1, 1], width their spacing (as [`GaussianExpansion`] for
/// distances; ALIGNN expands angles the same way).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AngleExpansion {
    /// Number of centres (≥ 2).
    pub n: usize,
}

impl AngleExpansion {
    /// Expands one cosine into `out` (length `n`).
    pub fn expand(&self, cos: f64, out: &mut [f32]) {
        let step = 2.0 / (self.n.max(2) - 1) as f64;
        for (k, o) in out.iter_mut().enumerate() {
            let mu = -1.0 + k as f64 * step;
            *o = (-((cos - mu) / step).powi(2)).exp() as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::by_symbol;
    use crate::lattice::Lattice;
    use crate::structure::{Occupant, Site};

    #[test]
    fn ordered_sites_are_one_hot_and_disordered_sites_are_weighted() {
        let li = by_symbol("Li").unwrap();
        let na = by_symbol("Na").unwrap();
        let lattice = Lattice::from_parameters(4.0, 4.0, 4.0, 90.0, 90.0, 90.0).unwrap();
        let s = Structure::new(
            lattice,
            vec![
                Site::ordered(3, [0.0; 3]).unwrap(),
                Site {
                    frac: [0.5; 3],
                    occupants: vec![
                        Occupant {
                            element: li,
                            occupancy: 0.25,
                        },
                        Occupant {
                            element: na,
                            occupancy: 0.5,
                        },
                    ],
                    label: "M".into(),
                },
            ],
        )
        .unwrap();
        let x = node_features(&s);
        // 7 categories, each one-hot for an ordered site.
        assert!((x.row(0).sum() - 7.0).abs() < 1e-6);
        assert_eq!(x[[0, 0]], 1.0); // group 1
        assert_eq!(x[[0, 18 + 1]], 1.0); // period 2
        assert!((x.row(1).iter().take(ELEMENT_FEATURES).sum::<f32>() - 7.0 * 0.75).abs() < 1e-6);
        assert!((x[[1, ELEMENT_FEATURES]] - 0.25).abs() < 1e-6);
        assert!((x[[1, 0]] - 0.75).abs() < 1e-6); // Li and Na are both group 1
        // Helium has no electronegativity: the missing slot is used.
        let mut he = vec![0.0f32; ELEMENT_FEATURES];
        add_element_features(by_symbol("He").unwrap(), 1.0, &mut he);
        assert_eq!(he[35], 1.0);
    }

    #[test]
    fn gaussian_expansion_peaks_at_the_nearest_centre() {
        let g = GaussianExpansion { cutoff: 8.0, n: 41 };
        let mut out = vec![0.0; 41];
        g.expand(2.0, &mut out);
        assert!((out[10] - 1.0).abs() < 1e-6);
        assert!(out[9] < 0.5 && out[11] < 0.5);
    }
}
