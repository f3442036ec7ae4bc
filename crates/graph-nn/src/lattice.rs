//! Periodic lattices: three vectors (rows, Å), their parameters, volume and
//! reciprocal, and fractional ↔ Cartesian conversion.

use voltai_core::{Error, Result};

/// A 3-vector.
pub type Vec3 = [f64; 3];

/// Dot product.
pub fn dot(a: Vec3, b: Vec3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// Cross product.
pub fn cross(a: Vec3, b: Vec3) -> Vec3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

/// Euclidean norm.
pub fn norm(a: Vec3) -> f64 {
    dot(a, a).sqrt()
}

/// A crystal lattice. `matrix[i]` is the i-th lattice vector (a, b, c) in Å.
#[derive(Debug, Clone, PartialEq)]
pub struct Lattice {
    matrix: [Vec3; 3],
    inverse: [Vec3; 3],
}

impl Lattice {
    /// A lattice from its three vectors (rows, Å). Errors when a value is
    /// not finite or the vectors are (nearly) coplanar.
    pub fn new(matrix: [Vec3; 3]) -> Result<Self> {
        for (i, row) in matrix.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                if !v.is_finite() {
                    return Err(Error::NonFinite {
                        context: "lattice matrix".into(),
                        index: vec![i, j],
                        value: *v,
                    });
                }
            }
        }
        let [a, b, c] = matrix;
        let det = dot(a, cross(b, c));
        let scale = norm(a) * norm(b) * norm(c);
        if scale.is_nan() || scale <= 0.0 || det.abs() < 1e-8 * scale {
            return Err(Error::InvalidInput(format!(
                "lattice vectors are degenerate (volume {det:.3e} Å³)"
            )));
        }
        // Rows of the inverse transpose are the reciprocal vectors; the
        // inverse itself maps Cartesian rows to fractional rows.
        let (bc, ca, ab) = (cross(b, c), cross(c, a), cross(a, b));
        let inverse = [
            [bc[0] / det, ca[0] / det, ab[0] / det],
            [bc[1] / det, ca[1] / det, ab[1] / det],
            [bc[2] / det, ca[2] / det, ab[2] / det],
        ];
        Ok(Lattice { matrix, inverse })
    }

    /// A lattice from a, b, c (Å) and α, β, γ (degrees), oriented as
    /// pymatgen's `Lattice.from_parameters` does (c along z).
    pub fn from_parameters(
        a: f64,
        b: f64,
        c: f64,
        alpha: f64,
        beta: f64,
        gamma: f64,
    ) -> Result<Self> {
        for (name, v) in [("a", a), ("b", b), ("c", c)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid_parameter(name, v, "(0, inf) Å"));
            }
        }
        for (name, v) in [("alpha", alpha), ("beta", beta), ("gamma", gamma)] {
            if !(v.is_finite() && v > 0.0 && v < 180.0) {
                return Err(Error::invalid_parameter(name, v, "(0, 180) degrees"));
            }
        }
        let (al, be, ga) = (alpha.to_radians(), beta.to_radians(), gamma.to_radians());
        let val = ((al.cos() * be.cos() - ga.cos()) / (al.sin() * be.sin())).clamp(-1.0, 1.0);
        let gamma_star = val.acos();
        let va = [a * be.sin(), 0.0, a * be.cos()];
        let vb = [
            -b * al.sin() * gamma_star.cos(),
            b * al.sin() * gamma_star.sin(),
            b * al.cos(),
        ];
        let vc = [0.0, 0.0, c];
        Lattice::new([va, vb, vc])
    }

    /// The lattice vectors as rows (Å).
    pub fn matrix(&self) -> [Vec3; 3] {
        self.matrix
    }

    /// Lengths a, b, c (Å).
    pub fn lengths(&self) -> Vec3 {
        [
            norm(self.matrix[0]),
            norm(self.matrix[1]),
            norm(self.matrix[2]),
        ]
    }

    /// Angles α (b∠c), β (a∠c), γ (a∠b) in degrees.
    pub fn angles(&self) -> Vec3 {
        let [a, b, c] = self.matrix;
        let ang = |u: Vec3, v: Vec3| {
            (dot(u, v) / (norm(u) * norm(v)))
                .clamp(-1.0, 1.0)
                .acos()
                .to_degrees()
        };
        [ang(b, c), ang(a, c), ang(a, b)]
    }

    /// Cell volume (Å³, positive).
    pub fn volume(&self) -> f64 {
        let [a, b, c] = self.matrix;
        dot(a, cross(b, c)).abs()
    }

    /// Reciprocal lattice vectors without the 2π factor (rows, 1/Å):
    /// `a*·a = 1`, `a*·b = 0`, …
    pub fn reciprocal(&self) -> [Vec3; 3] {
        let m = self.inverse;
        [
            [m[0][0], m[1][0], m[2][0]],
            [m[0][1], m[1][1], m[2][1]],
            [m[0][2], m[1][2], m[2][2]],
        ]
    }

    /// Spacing between lattice planes of each family (100), (010), (001):
    /// `1 / |a*|` etc. A sphere of radius r fits between ⌈r / d⌉ planes.
    pub fn plane_spacings(&self) -> Vec3 {
        let r = self.reciprocal();
        [1.0 / norm(r[0]), 1.0 / norm(r[1]), 1.0 / norm(r[2])]
    }

    /// Fractional → Cartesian (Å).
    pub fn to_cartesian(&self, frac: Vec3) -> Vec3 {
        let m = self.matrix;
        [
            frac[0] * m[0][0] + frac[1] * m[1][0] + frac[2] * m[2][0],
            frac[0] * m[0][1] + frac[1] * m[1][1] + frac[2] * m[2][1],
            frac[0] * m[0][2] + frac[1] * m[1][2] + frac[2] * m[2][2],
        ]
    }

    /// Cartesian (Å) → fractional.
    pub fn to_fractional(&self, cart: Vec3) -> Vec3 {
        let m = self.inverse;
        [
            cart[0] * m[0][0] + cart[1] * m[1][0] + cart[2] * m[2][0],
            cart[0] * m[0][1] + cart[1] * m[1][1] + cart[2] * m[2][1],
            cart[0] * m[0][2] + cart[1] * m[1][2] + cart[2] * m[2][2],
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_round_trip_and_reciprocal_is_dual() {
        let l = Lattice::from_parameters(5.0, 6.0, 7.0, 80.0, 95.0, 110.0).unwrap();
        let [a, b, c] = l.lengths();
        assert!((a - 5.0).abs() < 1e-12 && (b - 6.0).abs() < 1e-12 && (c - 7.0).abs() < 1e-12);
        let [al, be, ga] = l.angles();
        assert!((al - 80.0).abs() < 1e-9 && (be - 95.0).abs() < 1e-9 && (ga - 110.0).abs() < 1e-9);
        let r = l.reciprocal();
        let m = l.matrix();
        for (i, ri) in r.iter().enumerate() {
            for (j, mj) in m.iter().enumerate() {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((dot(*ri, *mj) - want).abs() < 1e-12);
            }
        }
        let f = [0.1, -0.7, 2.3];
        let back = l.to_fractional(l.to_cartesian(f));
        for k in 0..3 {
            assert!((back[k] - f[k]).abs() < 1e-12);
        }
        // Cubic: volume a³, plane spacing a.
        let cubic = Lattice::from_parameters(3.0, 3.0, 3.0, 90.0, 90.0, 90.0).unwrap();
        assert!((cubic.volume() - 27.0).abs() < 1e-9);
        assert!((cubic.plane_spacings()[1] - 3.0).abs() < 1e-12);
    }

    #[test]
    fn degenerate_or_invalid_lattices_are_errors() {
        assert!(Lattice::new([[1.0, 0.0, 0.0], [2.0, 0.0, 0.0], [0.0, 0.0, 1.0]]).is_err());
        assert!(Lattice::new([[f64::NAN, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]).is_err());
        assert!(Lattice::from_parameters(1.0, 1.0, -1.0, 90.0, 90.0, 90.0).is_err());
        assert!(Lattice::from_parameters(1.0, 1.0, 1.0, 90.0, 190.0, 90.0).is_err());
    }
}
