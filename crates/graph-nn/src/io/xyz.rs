//! Extended XYZ (one frame): the comment line carries
//! `Lattice="ax ay az bx by bz cx cy cz"` and
//! `Properties=species:S:1:pos:R:3[:…]`; positions are Cartesian (Å).

use voltai_core::{Error, Result};

use crate::element::by_symbol;
use crate::io::cif::wrap;
use crate::lattice::Lattice;
use crate::structure::{Occupant, Site, Structure};

/// `key=value` pairs of the comment line; values may be double-quoted.
fn key_values(line: &str) -> Vec<(String, String, usize)> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let start = i;
        while i < chars.len() && chars[i] != '=' && !chars[i].is_whitespace() {
            i += 1;
        }
        if start == i {
            i += 1;
            continue;
        }
        let key: String = chars[start..i].iter().collect();
        let mut value = String::new();
        let has_value = i < chars.len() && chars[i] == '=';
        if has_value {
            i += 1;
            if i < chars.len() && chars[i] == '"' {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    value.push(chars[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < chars.len() && !chars[i].is_whitespace() {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        if !key.is_empty() && has_value {
            out.push((key.to_ascii_lowercase(), value, start + 1));
        }
    }
    out
}

/// Parses extended-XYZ text (the first frame); `file` names it in errors.
pub fn parse_extxyz(text: &str, file: &str) -> Result<Structure> {
    let lines: Vec<&str> = text.lines().collect();
    let n: usize = lines
        .first()
        .and_then(|l| l.trim().parse().ok())
        .ok_or_else(|| Error::parse(file, 1, 1, "first line must be the number of atoms"))?;
    let comment = lines
        .get(1)
        .ok_or_else(|| Error::parse(file, 2, 1, "missing comment line"))?;
    let kv = key_values(comment);
    let (_, lat, col) = kv
        .iter()
        .find(|(k, _, _)| k == "lattice")
        .ok_or_else(|| Error::parse(file, 2, 1, "no `Lattice=\"…\"` (periodic structures only)"))?;
    let v: Vec<f64> = lat
        .split_whitespace()
        .map(|w| w.parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| Error::parse(file, 2, *col as u64, "Lattice must hold 9 numbers"))?;
    if v.len() != 9 {
        return Err(Error::parse(
            file,
            2,
            *col as u64,
            "Lattice must hold 9 numbers",
        ));
    }
    let lattice = Lattice::new([[v[0], v[1], v[2]], [v[3], v[4], v[5]], [v[6], v[7], v[8]]])
        .map_err(|e| Error::parse(file, 2, *col as u64, e.to_string()))?;
    // Column positions of species and pos from Properties (default S:1 then R:3).
    let (mut species_col, mut pos_col) = (0usize, 1usize);
    if let Some((_, props, pcol)) = kv.iter().find(|(k, _, _)| k == "properties") {
        let f: Vec<&str> = props.split(':').collect();
        if !f.len().is_multiple_of(3) {
            return Err(Error::parse(
                file,
                2,
                *pcol as u64,
                "Properties must be name:type:count triples",
            ));
        }
        let mut column = 0usize;
        let (mut s, mut p) = (None, None);
        for t in f.chunks(3) {
            let count: usize = t[2].parse().map_err(|_| {
                Error::parse(file, 2, *pcol as u64, format!("bad count `{}`", t[2]))
            })?;
            match t[0] {
                "species" => s = Some(column),
                "pos" => p = Some(column),
                _ => {}
            }
            column += count;
        }
        species_col =
            s.ok_or_else(|| Error::parse(file, 2, *pcol as u64, "Properties lacks `species`"))?;
        pos_col = p.ok_or_else(|| Error::parse(file, 2, *pcol as u64, "Properties lacks `pos`"))?;
    }
    let mut sites = Vec::with_capacity(n);
    for i in 0..n {
        let line_no = i as u64 + 3;
        let line = lines.get(i + 2).ok_or_else(|| {
            Error::parse(
                file,
                line_no,
                1,
                format!("expected {n} atoms, file ends after {i}"),
            )
        })?;
        let words: Vec<&str> = line.split_whitespace().collect();
        let word = |k: usize| {
            words.get(k).copied().ok_or_else(|| {
                Error::parse(
                    file,
                    line_no,
                    1,
                    format!("too few columns ({})", words.len()),
                )
            })
        };
        let element = by_symbol(word(species_col)?)
            .map_err(|e| Error::parse(file, line_no, 1, e.to_string()))?;
        let mut p = [0.0; 3];
        for (k, v) in p.iter_mut().enumerate() {
            let w = word(pos_col + k)?;
            *v = w
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    Error::parse(file, line_no, 1, format!("`{w}` is not a coordinate"))
                })?;
        }
        let f = lattice.to_fractional(p);
        sites.push(Site {
            frac: [wrap(f[0]), wrap(f[1]), wrap(f[2])],
            occupants: vec![Occupant {
                element,
                occupancy: 1.0,
            }],
            label: element.symbol.to_string(),
        });
    }
    Structure::new(lattice, sites).map_err(|e| Error::parse(file, 3, 1, e.to_string()))
}

/// Reads an extended-XYZ file.
pub fn read_extxyz(path: impl AsRef<std::path::Path>) -> Result<Structure> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_extxyz(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lattice_and_properties() {
        let text = "2\nLattice=\"3 0 0 0 3 0 0 0 3\" Properties=species:S:1:pos:R:3:forces:R:3 pbc=\"T T T\"\n\
                    Cs 0 0 0 0 0 0\nCl 1.5 1.5 1.5 0 0 0\n";
        let s = parse_extxyz(text, "x").unwrap();
        assert_eq!(s.formula(), "Cs1 Cl1");
        assert!((s.sites[1].frac[2] - 0.5).abs() < 1e-12);
        let reordered =
            "1\nProperties=pos:R:3:species:S:1 Lattice=\"3 0 0 0 3 0 0 0 3\"\n0.3 0 0 Li\n";
        assert_eq!(
            parse_extxyz(reordered, "r").unwrap().sites[0].occupants[0]
                .element
                .z,
            3
        );
        for (bad, want) in [
            ("x\n", "x:1:1:"),
            ("1\nno lattice\nLi 0 0 0\n", "x:2:1:"),
            ("2\nLattice=\"3 0 0 0 3 0 0 0 3\"\nLi 0 0 0\n", "x:4:1:"),
            ("1\nLattice=\"3 0 0 0 3 0 0 0 3\"\nLi 0 nan 0\n", "x:3:1:"),
        ] {
            let e = parse_extxyz(bad, "x").unwrap_err().to_string();
            assert!(e.starts_with(want), "{e}");
        }
    }
}
