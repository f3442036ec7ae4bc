//! Crystal structures: a lattice and sites whose species may be partially
//! occupied (disordered solid electrolytes are the rule, not the exception).

use std::collections::BTreeMap;

use voltai_core::{Error, Result};

use crate::element::{Element, by_z};
use crate::lattice::{Lattice, Vec3};

/// One species on a site with its occupancy in (0, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct Occupant {
    /// The element.
    pub element: &'static Element,
    /// Fraction of cells in which this site holds this element.
    pub occupancy: f64,
}

/// A site: fractional coordinates and its occupants (one for an ordered
/// site, several, or one with occupancy < 1, for a disordered one).
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Fractional coordinates (not wrapped into [0, 1)).
    pub frac: Vec3,
    /// The species on this site; total occupancy ≤ 1.
    pub occupants: Vec<Occupant>,
    /// A label such as `"Li1"` (from the file, or generated).
    pub label: String,
}

impl Site {
    /// An ordered site fully occupied by element `z`.
    pub fn ordered(z: u8, frac: Vec3) -> Result<Self> {
        let element = by_z(z)?;
        Ok(Site {
            frac,
            occupants: vec![Occupant {
                element,
                occupancy: 1.0,
            }],
            label: element.symbol.to_string(),
        })
    }

    /// Sum of the occupancies.
    pub fn total_occupancy(&self) -> f64 {
        self.occupants.iter().map(|o| o.occupancy).sum()
    }

    /// True when one element fully occupies the site.
    pub fn is_ordered(&self) -> bool {
        self.occupants.len() == 1 && (self.occupants[0].occupancy - 1.0).abs() < 1e-6
    }
}

/// A periodic crystal structure.
#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    /// The lattice.
    pub lattice: Lattice,
    /// The sites.
    pub sites: Vec<Site>,
}

/// Tolerance on occupancy sums: CIFs round occupancies (1/3 → 0.333).
const OCCUPANCY_TOL: f64 = 1e-3;

impl Structure {
    /// A structure, validated: at least one site, finite coordinates, each
    /// site with at least one occupant, occupancies in (0, 1] summing to at
    /// most 1 (within 1e-3).
    pub fn new(lattice: Lattice, sites: Vec<Site>) -> Result<Self> {
        if sites.is_empty() {
            return Err(Error::EmptyInput(
                "a structure needs at least one site".into(),
            ));
        }
        for (i, s) in sites.iter().enumerate() {
            for (k, v) in s.frac.iter().enumerate() {
                if !v.is_finite() {
                    return Err(Error::NonFinite {
                        context: "site fractional coordinates".into(),
                        index: vec![i, k],
                        value: *v,
                    });
                }
            }
            if s.occupants.is_empty() {
                return Err(Error::InvalidInput(format!(
                    "site {i} ({}) has no species",
                    s.label
                )));
            }
            for o in &s.occupants {
                if !(o.occupancy > 0.0 && o.occupancy <= 1.0 + OCCUPANCY_TOL) {
                    return Err(Error::InvalidInput(format!(
                        "site {i} ({}): occupancy {} of {} is outside (0, 1]",
                        s.label, o.occupancy, o.element.symbol
                    )));
                }
            }
            let total = s.total_occupancy();
            if total > 1.0 + OCCUPANCY_TOL {
                return Err(Error::InvalidInput(format!(
                    "site {i} ({}): occupancies sum to {total:.4} > 1",
                    s.label
                )));
            }
        }
        Ok(Structure { lattice, sites })
    }

    /// Number of sites.
    pub fn len(&self) -> usize {
        self.sites.len()
    }

    /// Always false: a structure has at least one site.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }

    /// True when every site is ordered.
    pub fn is_ordered(&self) -> bool {
        self.sites.iter().all(Site::is_ordered)
    }

    /// Cartesian coordinates of every site (Å).
    pub fn cartesian(&self) -> Vec<Vec3> {
        self.sites
            .iter()
            .map(|s| self.lattice.to_cartesian(s.frac))
            .collect()
    }

    /// Occupancy-weighted amount of each element per cell, by atomic number.
    pub fn composition(&self) -> BTreeMap<u8, f64> {
        let mut c = BTreeMap::new();
        for s in &self.sites {
            for o in &s.occupants {
                *c.entry(o.element.z).or_insert(0.0) += o.occupancy;
            }
        }
        c
    }

    /// Element fractions (summing to 1), by atomic number.
    pub fn element_fractions(&self) -> BTreeMap<u8, f64> {
        let c = self.composition();
        let total: f64 = c.values().sum();
        c.into_iter().map(|(z, n)| (z, n / total)).collect()
    }

    /// A formula such as `"Li4 Fe4 P4 O16"` in order of first appearance.
    pub fn formula(&self) -> String {
        let mut order: Vec<u8> = Vec::new();
        for s in &self.sites {
            for o in &s.occupants {
                if !order.contains(&o.element.z) {
                    order.push(o.element.z);
                }
            }
        }
        let c = self.composition();
        order
            .iter()
            .map(|z| {
                let n = c[z];
                let sym = by_z(*z).map(|e| e.symbol).unwrap_or("?");
                if (n - n.round()).abs() < 1e-6 {
                    format!("{sym}{}", n.round())
                } else {
                    format!("{sym}{n:.3}")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Density (g/cm³) from the occupancy-weighted mass.
    pub fn density(&self) -> f64 {
        let mass: f64 = self
            .sites
            .iter()
            .flat_map(|s| s.occupants.iter())
            .map(|o| o.element.mass * o.occupancy)
            .sum();
        // 1 u/Å³ = 1.66053906660 g/cm³
        mass / self.lattice.volume() * 1.660_539_066_60
    }

    /// True when `other` has the same lattice parameters (lengths within
    /// `tol` Å, angles within `tol` degrees), the same sites in the same order at the same fractional
    /// positions (within `tol`, modulo whole cells) with the same occupants
    /// and occupancies (within `tol`).
    pub fn matches(&self, other: &Structure, tol: f64) -> bool {
        let close = |a: [f64; 3], b: [f64; 3]| (0..3).all(|k| (a[k] - b[k]).abs() <= tol);
        if !close(self.lattice.lengths(), other.lattice.lengths())
            || !close(self.lattice.angles(), other.lattice.angles())
            || self.sites.len() != other.sites.len()
        {
            return false;
        }
        self.sites.iter().zip(&other.sites).all(|(a, b)| {
            let same_place = (0..3).all(|k| {
                let d = (a.frac[k] - b.frac[k]).rem_euclid(1.0);
                d.min(1.0 - d) <= tol
            });
            same_place
                && a.occupants.len() == b.occupants.len()
                && a.occupants.iter().zip(&b.occupants).all(|(x, y)| {
                    x.element.z == y.element.z && (x.occupancy - y.occupancy).abs() <= tol
                })
        })
    }
}
