//! Structure-level descriptors that matter for Li-ion conduction, computed
//! from the neighbour list (occupancy-weighted on disordered sites):
//!
//! - **Li fraction**: Li occupancy over all occupancy.
//! - **Li coordination**: mean number of non-Li neighbours of a Li site
//!   within 1.25 × the sum of covalent radii (Li–O up to 2.4 Å, Li–S up to
//!   2.9 Å), each weighted by its non-Li occupancy.
//! - **Li–Li distance**: mean over Li sites of the distance to the nearest
//!   other Li-bearing site at least [`MIN_HOP`] away (the shortest hop),
//!   capped at [`HOP_RANGE`].
//! - **Free-volume fraction**: `1 − Σ occupancy · (4/3)π r³ / V` with
//!   covalent radii (can be negative in dense structures: the spheres
//!   overlap).
//! - **Bottleneck radius**: for each hop from a Li site to a Li-bearing site
//!   within [`HOP_RANGE`], the free radius at the hop's midpoint (distance to
//!   the nearest non-Li occupant of a site other than the hop's ends, minus
//!   its covalent radius); per Li site the widest
//!   hop, averaged over Li sites. 0 when no hop is in range or every hop is
//!   blocked (negative free radius).
//!
//! Sites count as Li-bearing when any occupant is Li; weights are Li
//! occupancies. A structure without Li gives zeros for the Li terms.

use voltai_core::{Error, Result};

use crate::element::Element;
use crate::neighbors::{NeighborMode, neighbors};
use crate::structure::{Site, Structure};

/// Longest Li–Li hop considered (Å).
pub const HOP_RANGE: f64 = 5.0;

/// Shortest Li–Li distance counted as a hop (Å): closer Li positions are
/// split sites of one disordered Li, never occupied together.
pub const MIN_HOP: f64 = 1.5;

/// Radius of the neighbour search around each Li site (Å): hops up to
/// [`HOP_RANGE`] and the atoms around their midpoints.
const SEARCH_RADIUS: f64 = 7.0;

/// Covalent radius used for an element without one in the table (Å).
const FALLBACK_RADIUS: f64 = 1.5;

/// Names of [`IonicDescriptors::to_vec`]'s entries, in order.
pub const IONIC_DESCRIPTOR_NAMES: [&str; 5] = [
    "li_fraction",
    "li_coordination",
    "li_li_distance",
    "free_volume_fraction",
    "bottleneck_radius",
];

/// The descriptors of one structure (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IonicDescriptors {
    /// Li occupancy over all occupancy.
    pub li_fraction: f64,
    /// Mean non-Li coordination of Li sites.
    pub li_coordination: f64,
    /// Mean shortest Li–Li hop (Å).
    pub li_li_distance: f64,
    /// Volume not covered by covalent spheres, as a fraction of the cell.
    pub free_volume_fraction: f64,
    /// Mean widest-hop bottleneck radius (Å).
    pub bottleneck_radius: f64,
}

impl IonicDescriptors {
    /// The values brought to order one by fixed typical scales (Li
    /// fraction as it is, coordination / 6, hop / 5 Å, free volume as it
    /// is, bottleneck / 1 Å), as `f32` graph-level features for a network.
    /// Fixed scales, not training statistics: a graph's features do not
    /// depend on which other graphs were seen.
    pub fn to_features(&self) -> Vec<f32> {
        [
            self.li_fraction,
            self.li_coordination / 6.0,
            self.li_li_distance / HOP_RANGE,
            self.free_volume_fraction,
            self.bottleneck_radius,
        ]
        .iter()
        .map(|v| *v as f32)
        .collect()
    }

    /// The values in the order of [`IONIC_DESCRIPTOR_NAMES`].
    pub fn to_vec(&self) -> Vec<f64> {
        vec![
            self.li_fraction,
            self.li_coordination,
            self.li_li_distance,
            self.free_volume_fraction,
            self.bottleneck_radius,
        ]
    }
}

fn radius(e: &Element) -> f64 {
    e.covalent_radius.unwrap_or(FALLBACK_RADIUS)
}

fn li_occupancy(site: &Site) -> f64 {
    site.occupants
        .iter()
        .filter(|o| o.element.z == 3)
        .map(|o| o.occupancy)
        .sum()
}

/// The descriptors of `structure`.
pub fn ionic_descriptors(structure: &Structure) -> Result<IonicDescriptors> {
    let volume = structure.lattice.volume();
    if !(volume.is_finite() && volume > 0.0) {
        return Err(Error::InvalidInput(format!(
            "cell volume {volume} Å³ is not positive"
        )));
    }
    let total: f64 = structure.sites.iter().map(Site::total_occupancy).sum();
    if !(total.is_finite() && total > 0.0) {
        return Err(Error::InvalidInput(format!(
            "the sites' occupancies sum to {total}"
        )));
    }
    let li: Vec<f64> = structure.sites.iter().map(li_occupancy).collect();
    let li_total: f64 = li.iter().sum();
    let covered: f64 = structure
        .sites
        .iter()
        .flat_map(|s| &s.occupants)
        .map(|o| o.occupancy * 4.0 / 3.0 * std::f64::consts::PI * radius(o.element).powi(3))
        .sum();
    let mut out = IonicDescriptors {
        li_fraction: li_total / total,
        li_coordination: 0.0,
        li_li_distance: 0.0,
        free_volume_fraction: 1.0 - covered / volume,
        bottleneck_radius: 0.0,
    };
    if li_total <= 0.0 {
        return Ok(out);
    }
    let list = neighbors(
        structure,
        NeighborMode::Radius {
            cutoff: SEARCH_RADIUS,
        },
    )?;
    let li_radius = radius(crate::element::by_z(3)?);
    let (mut coordination, mut hop, mut bottleneck) = (0.0, 0.0, 0.0);
    for (i, site_neighbors) in list.per_site.iter().enumerate() {
        let w = li[i];
        if w <= 0.0 {
            continue;
        }
        let mut n_coord = 0.0;
        let mut nearest_li = HOP_RANGE;
        let mut widest = 0.0f64;
        for nb in site_neighbors {
            let other = &structure.sites[nb.target];
            for o in other.occupants.iter().filter(|o| o.element.z != 3) {
                if nb.distance <= 1.25 * (li_radius + radius(o.element)) {
                    n_coord += o.occupancy;
                }
            }
            if li[nb.target] > 0.0 && nb.distance <= HOP_RANGE && nb.distance >= MIN_HOP {
                nearest_li = nearest_li.min(nb.distance);
                // Free radius at the hop's midpoint: the nearest non-Li
                // occupant of any site other than the hop's two ends, less
                // its covalent radius (the start site is not in its own
                // list; the end site is skipped, so a mixed Li/X end does
                // not block its own hop).
                let mid = [nb.vector[0] / 2.0, nb.vector[1] / 2.0, nb.vector[2] / 2.0];
                let mut free = f64::INFINITY;
                for k in site_neighbors
                    .iter()
                    .filter(|k| !(k.target == nb.target && k.image == nb.image))
                {
                    for o in structure.sites[k.target]
                        .occupants
                        .iter()
                        .filter(|o| o.element.z != 3)
                    {
                        let d = (0..3)
                            .map(|a| (k.vector[a] - mid[a]).powi(2))
                            .sum::<f64>()
                            .sqrt();
                        free = free.min(d - radius(o.element));
                    }
                }
                if free.is_finite() {
                    widest = widest.max(free);
                }
            }
        }
        coordination += w * n_coord;
        hop += w * nearest_li;
        bottleneck += w * widest;
    }
    out.li_coordination = coordination / li_total;
    out.li_li_distance = hop / li_total;
    out.bottleneck_radius = bottleneck / li_total;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::Lattice;

    /// Rock salt of Li and O with a = 4 Å (covalent radii Li 1.28, O
    /// 0.66): each Li has 6 O at 2 Å (within 1.25 × 1.94) and its nearest Li
    /// at a/√2; the closed forms are below.
    #[test]
    fn rock_salt_has_closed_form_descriptors() {
        let a = 4.0;
        let lattice = Lattice::from_parameters(a, a, a, 90.0, 90.0, 90.0).unwrap();
        let mut sites = Vec::new();
        for f in [
            [0.0, 0.0, 0.0],
            [0.5, 0.5, 0.0],
            [0.5, 0.0, 0.5],
            [0.0, 0.5, 0.5],
        ] {
            sites.push(Site::ordered(3, f).unwrap());
            sites.push(Site::ordered(8, [f[0] + 0.5, f[1], f[2]]).unwrap());
        }
        let s = Structure::new(lattice, sites).unwrap();
        let d = ionic_descriptors(&s).unwrap();
        assert!((d.li_fraction - 0.5).abs() < 1e-12);
        assert!(
            (d.li_coordination - 6.0).abs() < 1e-12,
            "{}",
            d.li_coordination
        );
        let hop = a / 2f64.sqrt();
        assert!((d.li_li_distance - hop).abs() < 1e-9);
        // Li at 0, Li at (a/2, a/2, 0): midpoint (a/4, a/4, 0); the nearest
        // O are at (a/2, 0, 0) and (0, a/2, 0), at a/(2√2) from it.
        let r = |z| crate::element::by_z(z).unwrap().covalent_radius.unwrap();
        let (r_li, r_o): (f64, f64) = (r(3), r(8));
        assert_eq!((r_li, r_o), (1.28, 0.66)); // Cordero et al. 2008
        assert!((d.bottleneck_radius - (a / (2.0 * 2f64.sqrt()) - r_o)).abs() < 1e-9);
        let covered = 4.0 * 4.0 / 3.0 * std::f64::consts::PI * (r_li.powi(3) + r_o.powi(3));
        assert!((d.free_volume_fraction - (1.0 - covered / a.powi(3))).abs() < 1e-12);
        // Without Li the Li terms are zero.
        let no_li = Structure::new(
            Lattice::from_parameters(a, a, a, 90.0, 90.0, 90.0).unwrap(),
            vec![Site::ordered(8, [0.0; 3]).unwrap()],
        )
        .unwrap();
        let d = ionic_descriptors(&no_li).unwrap();
        assert_eq!(
            (d.li_fraction, d.li_coordination, d.bottleneck_radius),
            (0.0, 0.0, 0.0)
        );
    }
}
