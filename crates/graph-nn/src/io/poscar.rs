//! VASP POSCAR / CONTCAR (VASP 5: the species line is required).

use std::fmt::Write as _;

use voltai_core::{Error, Result};

use crate::element::by_symbol;
use crate::io::cif::wrap;
use crate::lattice::{Lattice, Vec3};
use crate::structure::{Occupant, Site, Structure};

fn floats(line: &str, n: usize, file: &str, line_no: u64, what: &str) -> Result<Vec<f64>> {
    let mut out = Vec::with_capacity(n);
    let mut column = 1u64;
    let mut rest = line;
    for k in 0..n {
        let trimmed = rest.trim_start();
        column += (rest.len() - trimmed.len()) as u64;
        let word = trimmed.split_whitespace().next().ok_or_else(|| {
            Error::parse(
                file,
                line_no,
                column,
                format!("{what}: expected {n} numbers, found {k}"),
            )
        })?;
        let v: f64 = word.parse().map_err(|_| {
            Error::parse(
                file,
                line_no,
                column,
                format!("{what}: `{word}` is not a number"),
            )
        })?;
        if !v.is_finite() {
            return Err(Error::parse(
                file,
                line_no,
                column,
                format!("{what}: `{word}` is not finite"),
            ));
        }
        out.push(v);
        column += word.len() as u64;
        rest = &trimmed[word.len()..];
    }
    Ok(out)
}

/// Parses POSCAR text; `file` names it in errors.
pub fn parse_poscar(text: &str, file: &str) -> Result<Structure> {
    let lines: Vec<&str> = text.lines().collect();
    let get = |i: usize| {
        lines.get(i).copied().ok_or_else(|| {
            Error::parse(
                file,
                i as u64 + 1,
                1,
                "file ends early (POSCAR needs at least 8 lines)",
            )
        })
    };
    let scale = floats(get(1)?, 1, file, 2, "scale")?[0];
    let mut m = [[0.0; 3]; 3];
    for (k, row) in m.iter_mut().enumerate() {
        let v = floats(get(2 + k)?, 3, file, 3 + k as u64, "lattice vector")?;
        row.copy_from_slice(&v);
    }
    let raw = Lattice::new(m).map_err(|e| Error::parse(file, 3, 1, e.to_string()))?;
    // A negative scale is the target volume.
    let factor = if scale < 0.0 {
        (-scale / raw.volume()).cbrt()
    } else if scale > 0.0 {
        scale
    } else {
        return Err(Error::parse(file, 2, 1, "scale factor is 0"));
    };
    for row in m.iter_mut() {
        for v in row.iter_mut() {
            *v *= factor;
        }
    }
    let lattice = Lattice::new(m).map_err(|e| Error::parse(file, 3, 1, e.to_string()))?;

    let species_line = get(5)?;
    if species_line
        .split_whitespace()
        .next()
        .is_some_and(|w| w.parse::<f64>().is_ok())
    {
        return Err(Error::parse(
            file,
            6,
            1,
            "line 6 holds counts, not species: VASP 4 POSCARs without a species line are not supported",
        ));
    }
    let mut species = Vec::new();
    let mut column = 1u64;
    for w in species_line.split_whitespace() {
        // Potcar-style names such as `Li_sv` or `Fe/1a2b` name the element first.
        let name = w.split(['_', '/']).next().unwrap_or(w);
        let col = species_line[column as usize - 1..]
            .find(w)
            .map_or(column, |p| column + p as u64);
        species.push(by_symbol(name).map_err(|e| Error::parse(file, 6, col, e.to_string()))?);
        column = col + w.len() as u64;
    }
    let counts_line = get(6)?;
    let counts: Vec<usize> = counts_line
        .split_whitespace()
        .map(|w| {
            w.parse::<usize>()
                .map_err(|_| Error::parse(file, 7, 1, format!("count `{w}` is not a whole number")))
        })
        .collect::<Result<_>>()?;
    if counts.len() != species.len() {
        return Err(Error::parse(
            file,
            7,
            1,
            format!("{} species but {} counts", species.len(), counts.len()),
        ));
    }
    let mut idx = 7;
    if get(idx)?.trim_start().starts_with(['S', 's']) {
        idx += 1; // selective dynamics
    }
    let mode = get(idx)?.trim_start().chars().next().unwrap_or(' ');
    let cartesian = matches!(mode, 'C' | 'c' | 'K' | 'k');
    if !cartesian && !matches!(mode, 'D' | 'd') {
        return Err(Error::parse(
            file,
            idx as u64 + 1,
            1,
            "expected `Direct` or `Cartesian`",
        ));
    }
    idx += 1;
    let mut sites = Vec::new();
    for (element, count) in species.iter().zip(&counts) {
        for _ in 0..*count {
            let v = floats(get(idx)?, 3, file, idx as u64 + 1, "coordinates")?;
            let p: Vec3 = [v[0], v[1], v[2]];
            let frac = if cartesian {
                lattice.to_fractional([p[0] * factor, p[1] * factor, p[2] * factor])
            } else {
                p
            };
            sites.push(Site {
                frac: [wrap(frac[0]), wrap(frac[1]), wrap(frac[2])],
                occupants: vec![Occupant {
                    element,
                    occupancy: 1.0,
                }],
                label: element.symbol.to_string(),
            });
            idx += 1;
        }
    }
    Structure::new(lattice, sites).map_err(|e| Error::parse(file, 8, 1, e.to_string()))
}

/// Reads a POSCAR / CONTCAR file.
pub fn read_poscar(path: impl AsRef<std::path::Path>) -> Result<Structure> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_poscar(&text, &path.display().to_string())
}

/// Writes a POSCAR (VASP 5, direct coordinates, full `f64` precision).
/// Sites are grouped by element in order of first appearance, so reading
/// back may reorder sites of a structure whose elements are interleaved.
/// A disordered structure cannot be written (POSCAR has no occupancies).
pub fn write_poscar(structure: &Structure, comment: &str) -> Result<String> {
    if !structure.is_ordered() {
        return Err(Error::InvalidInput(
            "POSCAR cannot hold partial occupancies; the structure is disordered".into(),
        ));
    }
    let mut order: Vec<u8> = Vec::new();
    for s in &structure.sites {
        let z = s.occupants[0].element.z;
        if !order.contains(&z) {
            order.push(z);
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "{}", comment.lines().next().unwrap_or(""));
    let _ = writeln!(out, "1.0");
    for row in structure.lattice.matrix() {
        let _ = writeln!(out, "  {:?} {:?} {:?}", row[0], row[1], row[2]);
    }
    let symbols: Vec<&str> = order
        .iter()
        .map(|z| {
            structure
                .sites
                .iter()
                .find(|s| s.occupants[0].element.z == *z)
                .map_or("X", |s| s.occupants[0].element.symbol)
        })
        .collect();
    let _ = writeln!(out, "{}", symbols.join(" "));
    let counts: Vec<String> = order
        .iter()
        .map(|z| {
            structure
                .sites
                .iter()
                .filter(|s| s.occupants[0].element.z == *z)
                .count()
                .to_string()
        })
        .collect();
    let _ = writeln!(out, "{}", counts.join(" "));
    let _ = writeln!(out, "direct");
    for z in &order {
        for s in structure
            .sites
            .iter()
            .filter(|s| s.occupants[0].element.z == *z)
        {
            let _ = writeln!(
                out,
                "  {:?} {:?} {:?} {}",
                s.frac[0], s.frac[1], s.frac[2], s.occupants[0].element.symbol
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIO: &str = "Li2O\n1.0\n4.6 0 0\n0 4.6 0\n0 0 4.6\nLi O\n2 1\nSelective dynamics\nCartesian\n1.15 1.15 1.15 T T T\n3.45 3.45 3.45 T T T\n0 0 0 F F F\n";

    #[test]
    fn reads_cartesian_with_selective_dynamics_and_round_trips() {
        let s = parse_poscar(LIO, "lio").unwrap();
        assert_eq!(s.formula(), "Li2 O1");
        assert!((s.sites[0].frac[0] - 0.25).abs() < 1e-12);
        let back = parse_poscar(&write_poscar(&s, "Li2O").unwrap(), "back").unwrap();
        assert!(back.matches(&s, 1e-12));
        // A negative scale is the volume.
        let vol = LIO.replacen("1.0", "-97.336", 1);
        let v = parse_poscar(&vol, "v").unwrap();
        assert!((v.lattice.volume() - 97.336).abs() < 1e-9);
    }

    #[test]
    fn malformed_poscars_give_located_errors() {
        let cases = [
            (LIO.replacen("4.6 0 0", "4.6 zero 0", 1), "lio:3:5:"),
            (LIO.replacen("Li O", "2 1", 1), "lio:6:1:"),
            (LIO.replacen("2 1", "2 1 4", 1), "lio:7:1:"),
            (LIO.replacen("Li O", "Li Qq", 1), "lio:6:4:"),
            (LIO.replacen("0 0 0 F F F\n", "", 1), "lio:12:1:"),
            (LIO.replacen("Cartesian", "Weird", 1), "lio:9:1:"),
            ("x\n".to_string(), "lio:2:1:"),
        ];
        for (text, want) in cases {
            let e = parse_poscar(&text, "lio").unwrap_err().to_string();
            assert!(e.starts_with(want), "{want} vs {e}");
        }
    }
}
