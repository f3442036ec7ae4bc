//! Symmetry operations written as in CIF files: `"-x+1/2, y, z+0.25"`.

use crate::lattice::Vec3;

/// An affine map of fractional coordinates: `x' = R x + t`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SymOp {
    /// Rotation part (rows act on (x, y, z)).
    pub rotation: [[f64; 3]; 3],
    /// Translation part (fractions of a cell).
    pub translation: Vec3,
}

impl SymOp {
    /// The identity.
    pub fn identity() -> Self {
        SymOp {
            rotation: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            translation: [0.0; 3],
        }
    }

    /// Applies the operation.
    pub fn apply(&self, p: Vec3) -> Vec3 {
        let r = &self.rotation;
        [
            r[0][0] * p[0] + r[0][1] * p[1] + r[0][2] * p[2] + self.translation[0],
            r[1][0] * p[0] + r[1][1] * p[1] + r[1][2] * p[2] + self.translation[1],
            r[2][0] * p[0] + r[2][1] * p[1] + r[2][2] * p[2] + self.translation[2],
        ]
    }

    /// Parses `"x, y, z"`-style text; the error message says which
    /// component failed.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() != 3 {
            return Err(format!(
                "symmetry operation `{text}` must have 3 comma-separated components"
            ));
        }
        let mut op = SymOp {
            rotation: [[0.0; 3]; 3],
            translation: [0.0; 3],
        };
        for (row, part) in parts.iter().enumerate() {
            let (coef, t) = parse_component(part)
                .map_err(|m| format!("symmetry operation `{text}`, component {}: {m}", row + 1))?;
            op.rotation[row] = coef;
            op.translation[row] = t;
        }
        Ok(op)
    }
}

fn parse_number(s: &str) -> Result<f64, String> {
    if let Some((n, d)) = s.split_once('/') {
        let (n, d) = (
            n.parse::<f64>().map_err(|_| format!("bad number `{s}`"))?,
            d.parse::<f64>().map_err(|_| format!("bad number `{s}`"))?,
        );
        if d == 0.0 {
            return Err(format!("division by zero in `{s}`"));
        }
        Ok(n / d)
    } else {
        s.parse::<f64>().map_err(|_| format!("bad number `{s}`"))
    }
}

/// One component such as `-x+y+1/2` → coefficients of (x, y, z) and the
/// constant.
fn parse_component(part: &str) -> Result<([f64; 3], f64), String> {
    let s: String = part
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if s.is_empty() {
        return Err("empty component".into());
    }
    let mut coef = [0.0; 3];
    let mut constant = 0.0;
    // Split into signed terms.
    let mut terms: Vec<(f64, String)> = Vec::new();
    let mut sign = 1.0;
    let mut cur = String::new();
    for c in s.chars() {
        if c == '+' || c == '-' {
            if !cur.is_empty() {
                terms.push((sign, std::mem::take(&mut cur)));
            }
            sign = if c == '-' { -1.0 } else { 1.0 };
        } else {
            cur.push(c);
        }
    }
    if cur.is_empty() {
        return Err(format!("`{s}` ends with a sign"));
    }
    terms.push((sign, cur));
    for (sign, term) in terms {
        let axis = term.find(['x', 'y', 'z']);
        match axis {
            Some(pos) => {
                if pos + 1 != term.len() {
                    return Err(format!("unexpected text after the axis in `{term}`"));
                }
                let k = match &term[pos..] {
                    "x" => 0,
                    "y" => 1,
                    _ => 2,
                };
                let factor = term[..pos].trim_end_matches('*');
                let f = if factor.is_empty() {
                    1.0
                } else {
                    parse_number(factor)?
                };
                coef[k] += sign * f;
            }
            None => constant += sign * parse_number(&term)?,
        }
    }
    Ok((coef, constant))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        let op = SymOp::parse("-x+1/2, y+0.5, 1/4-z").unwrap();
        let p = op.apply([0.1, 0.2, 0.3]);
        assert!((p[0] - 0.4).abs() < 1e-12);
        assert!((p[1] - 0.7).abs() < 1e-12);
        assert!((p[2] + 0.05).abs() < 1e-12);
        let hex = SymOp::parse("x-y, x, z+1/6").unwrap();
        assert_eq!(hex.rotation[0], [1.0, -1.0, 0.0]);
        assert!((hex.translation[2] - 1.0 / 6.0).abs() < 1e-15);
        assert_eq!(SymOp::parse("X,Y,Z").unwrap(), SymOp::identity());
        for bad in ["x,y", "x,y,q", "x,y,z+", "x,y,1/0", "x,y,zz"] {
            assert!(SymOp::parse(bad).is_err(), "{bad}");
        }
    }
}
