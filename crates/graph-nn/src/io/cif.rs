//! CIF reading (the subset written by pymatgen, the COD and the Materials
//! Project: cell parameters, symmetry operations, atom sites with
//! occupancies and uncertainties) and writing (P1, all sites listed).
//!
//! Reading expands every atom-site row by the symmetry operations, wraps
//! into the cell, drops duplicates closer than 1e-3 in fractional
//! coordinates, and merges rows that land on the same position into one
//! disordered site (as pymatgen's `CifParser` does).

use std::collections::HashMap;
use std::fmt::Write as _;

use voltai_core::{Error, Result};

use crate::element::by_symbol;
use crate::io::symop::SymOp;
use crate::lattice::{Lattice, Vec3};
use crate::structure::{Occupant, Site, Structure};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Data,
    Loop,
    Tag(String),
    Value(String),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: u64,
    column: u64,
}

fn tokenize(text: &str, file: &str) -> Result<Vec<Token>> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((ln, line)) = lines.next() {
        let line_no = ln as u64 + 1;
        // Semicolon text fields: a line starting with ';' opens one that
        // runs to the next line starting with ';'.
        if let Some(rest) = line.strip_prefix(';') {
            let mut value = rest.to_string();
            let mut closed = false;
            for (_, l) in lines.by_ref() {
                if l.starts_with(';') {
                    closed = true;
                    break;
                }
                value.push('\n');
                value.push_str(l);
            }
            if !closed {
                return Err(Error::parse(
                    file,
                    line_no,
                    1,
                    "unterminated ';' text field",
                ));
            }
            out.push(Token {
                tok: Tok::Value(value.trim().to_string()),
                line: line_no,
                column: 1,
            });
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() {
                i += 1;
                continue;
            }
            let column = i as u64 + 1;
            if c == '#' {
                break;
            }
            if c == '\'' || c == '"' {
                // A quote closes only when followed by whitespace or the end.
                let mut j = i + 1;
                loop {
                    if j >= chars.len() {
                        return Err(Error::parse(
                            file,
                            line_no,
                            column,
                            "unterminated quoted value",
                        ));
                    }
                    if chars[j] == c && (j + 1 == chars.len() || chars[j + 1].is_whitespace()) {
                        break;
                    }
                    j += 1;
                }
                out.push(Token {
                    tok: Tok::Value(chars[i + 1..j].iter().collect()),
                    line: line_no,
                    column,
                });
                i = j + 1;
                continue;
            }
            let mut j = i;
            while j < chars.len() && !chars[j].is_whitespace() {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            let lower = word.to_ascii_lowercase();
            let tok = if lower.starts_with("data_") {
                Tok::Data
            } else if lower == "loop_" {
                Tok::Loop
            } else if word.starts_with('_') {
                Tok::Tag(lower)
            } else {
                Tok::Value(word)
            };
            out.push(Token {
                tok,
                line: line_no,
                column,
            });
            i = j;
        }
    }
    Ok(out)
}

/// A value with its location in the file.
#[derive(Debug, Clone)]
struct Cell {
    text: String,
    line: u64,
    column: u64,
}

/// The first data block: single items and loops (tag → column).
#[derive(Debug, Default)]
struct Block {
    items: HashMap<String, Cell>,
    loops: Vec<(Vec<String>, Vec<Vec<Cell>>)>,
}

impl Block {
    fn column(&self, tag: &str) -> Option<Vec<Cell>> {
        for (tags, rows) in &self.loops {
            if let Some(k) = tags.iter().position(|t| t == tag) {
                return Some(rows.iter().map(|r| r[k].clone()).collect());
            }
        }
        self.items.get(tag).map(|c| vec![c.clone()])
    }
}

fn parse_block(tokens: &[Token], file: &str) -> Result<Block> {
    let mut block = Block::default();
    let start = tokens
        .iter()
        .position(|t| t.tok == Tok::Data)
        .ok_or_else(|| Error::parse(file, 1, 1, "no `data_` block"))?;
    let mut i = start + 1;
    while i < tokens.len() {
        let t = &tokens[i];
        match &t.tok {
            Tok::Data => break, // only the first block is read
            Tok::Loop => {
                let (line, column) = (t.line, t.column);
                let mut tags = Vec::new();
                i += 1;
                while let Some(Token {
                    tok: Tok::Tag(name),
                    ..
                }) = tokens.get(i)
                {
                    tags.push(name.clone());
                    i += 1;
                }
                if tags.is_empty() {
                    return Err(Error::parse(file, line, column, "`loop_` without tags"));
                }
                let mut values = Vec::new();
                while let Some(Token {
                    tok: Tok::Value(v),
                    line,
                    column,
                }) = tokens.get(i)
                {
                    values.push(Cell {
                        text: v.clone(),
                        line: *line,
                        column: *column,
                    });
                    i += 1;
                }
                if values.len() % tags.len() != 0 {
                    return Err(Error::parse(
                        file,
                        line,
                        column,
                        format!(
                            "loop of {} tags holds {} values, not a whole number of rows",
                            tags.len(),
                            values.len()
                        ),
                    ));
                }
                let rows = values.chunks(tags.len()).map(|c| c.to_vec()).collect();
                block.loops.push((tags, rows));
            }
            Tok::Tag(name) => match tokens.get(i + 1) {
                Some(Token {
                    tok: Tok::Value(v),
                    line,
                    column,
                }) => {
                    block.items.insert(
                        name.clone(),
                        Cell {
                            text: v.clone(),
                            line: *line,
                            column: *column,
                        },
                    );
                    i += 2;
                }
                _ => {
                    return Err(Error::parse(
                        file,
                        t.line,
                        t.column,
                        format!("tag `{name}` has no value"),
                    ));
                }
            },
            Tok::Value(v) => {
                return Err(Error::parse(
                    file,
                    t.line,
                    t.column,
                    format!("value `{v}` outside a tag or loop"),
                ));
            }
        }
    }
    Ok(block)
}

/// A CIF number: `1.234(5)` → 1.234; `?` and `.` are missing.
fn number(cell: &Cell, file: &str, what: &str) -> Result<f64> {
    let text = cell.text.split('(').next().unwrap_or("");
    let v: f64 = text.parse().map_err(|_| {
        Error::parse(
            file,
            cell.line,
            cell.column,
            format!("{what}: `{}` is not a number", cell.text),
        )
    })?;
    if !v.is_finite() {
        return Err(Error::parse(
            file,
            cell.line,
            cell.column,
            format!("{what} is not finite"),
        ));
    }
    Ok(v)
}

fn required(block: &Block, tag: &str, file: &str) -> Result<Cell> {
    block
        .items
        .get(tag)
        .cloned()
        .ok_or_else(|| Error::parse(file, 1, 1, format!("missing `{tag}`")))
}

/// Wraps a fractional coordinate into [0, 1).
pub(crate) fn wrap(v: f64) -> f64 {
    let w = v - v.floor();
    if w >= 1.0 - 1e-12 { 0.0 } else { w }
}

/// `0.3333` → 1/3 and `0.6667` → 2/3 (relative tolerance 1e-4, as
/// pymatgen's `CifParser` does): truncated thirds would otherwise give
/// symmetry copies 1e-4 apart instead of one site. Applied to the listed
/// coordinates and again to their symmetry images, so that reading back a
/// P1 file we wrote leaves every coordinate where it was.
fn snap_thirds(v: f64) -> f64 {
    for f in [1.0 / 3.0, 2.0 / 3.0] {
        if (v / f - 1.0).abs() <= 1e-4 {
            return f;
        }
    }
    v
}

fn periodic_close(a: Vec3, b: Vec3, tol: f64) -> bool {
    (0..3).all(|k| {
        let d = (a[k] - b[k]).abs();
        d.min(1.0 - d) < tol
    })
}

/// Parses CIF text; `file` names it in errors.
pub fn parse_cif(text: &str, file: &str) -> Result<Structure> {
    let tokens = tokenize(text, file)?;
    let block = parse_block(&tokens, file)?;
    let mut params = [0.0; 6];
    for (k, tag) in [
        "_cell_length_a",
        "_cell_length_b",
        "_cell_length_c",
        "_cell_angle_alpha",
        "_cell_angle_beta",
        "_cell_angle_gamma",
    ]
    .iter()
    .enumerate()
    {
        let cell = required(&block, tag, file)?;
        params[k] = number(&cell, file, tag)?;
    }
    let lattice = Lattice::from_parameters(
        params[0], params[1], params[2], params[3], params[4], params[5],
    )
    .map_err(|e| {
        let c = block.items.get("_cell_length_a");
        Error::parse(
            file,
            c.map_or(1, |c| c.line),
            c.map_or(1, |c| c.column),
            format!("cell parameters: {e}"),
        )
    })?;

    let ops_column = block
        .column("_symmetry_equiv_pos_as_xyz")
        .or_else(|| block.column("_space_group_symop_operation_xyz"));
    let ops: Vec<SymOp> = match ops_column {
        Some(cells) => cells
            .iter()
            .map(|c| SymOp::parse(&c.text).map_err(|m| Error::parse(file, c.line, c.column, m)))
            .collect::<Result<_>>()?,
        None => vec![SymOp::identity()],
    };

    let fx = block.column("_atom_site_fract_x").ok_or_else(|| {
        Error::parse(
            file,
            1,
            1,
            "no `_atom_site_fract_x` (Cartesian-only CIFs are not supported)",
        )
    })?;
    let fy = block
        .column("_atom_site_fract_y")
        .ok_or_else(|| Error::parse(file, 1, 1, "no `_atom_site_fract_y`"))?;
    let fz = block
        .column("_atom_site_fract_z")
        .ok_or_else(|| Error::parse(file, 1, 1, "no `_atom_site_fract_z`"))?;
    let labels = block.column("_atom_site_label");
    let symbols = block.column("_atom_site_type_symbol");
    let occupancies = block.column("_atom_site_occupancy");
    let n = fx.len();
    for (name, col) in [
        ("labels", &labels),
        ("type symbols", &symbols),
        ("occupancies", &occupancies),
    ] {
        if let Some(c) = col
            && c.len() != n
        {
            return Err(Error::parse(
                file,
                fx[0].line,
                fx[0].column,
                format!(
                    "atom-site {name} ({}) and coordinates ({n}) are in different loops",
                    c.len()
                ),
            ));
        }
    }

    let mut sites: Vec<Site> = Vec::new();
    for r in 0..n {
        let symbol_cell = symbols
            .as_ref()
            .map(|s| s[r].clone())
            .or_else(|| labels.as_ref().map(|l| l[r].clone()))
            .ok_or_else(|| {
                Error::parse(
                    file,
                    fx[r].line,
                    1,
                    "atom site without a label or type symbol",
                )
            })?;
        let element = by_symbol(&symbol_cell.text)
            .map_err(|e| Error::parse(file, symbol_cell.line, symbol_cell.column, e.to_string()))?;
        let label = labels
            .as_ref()
            .map_or_else(|| element.symbol.to_string(), |l| l[r].text.clone());
        let occupancy = match &occupancies {
            Some(o) if o[r].text != "?" && o[r].text != "." => number(&o[r], file, "occupancy")?,
            _ => 1.0,
        };
        if !(occupancy > 0.0 && occupancy <= 1.0 + 1e-3) {
            let c = occupancies.as_ref().map_or(&fx[r], |o| &o[r]);
            return Err(Error::parse(
                file,
                c.line,
                c.column,
                format!("occupancy {occupancy} outside (0, 1]"),
            ));
        }
        let p = [
            snap_thirds(number(&fx[r], file, "fract_x")?),
            snap_thirds(number(&fy[r], file, "fract_y")?),
            snap_thirds(number(&fz[r], file, "fract_z")?),
        ];
        // Orbit of this row, without duplicates.
        let mut orbit: Vec<Vec3> = Vec::new();
        for op in &ops {
            let q = op.apply(p);
            let q = [
                snap_thirds(wrap(q[0])),
                snap_thirds(wrap(q[1])),
                snap_thirds(wrap(q[2])),
            ];
            if !orbit.iter().any(|o| periodic_close(*o, q, 1e-3)) {
                orbit.push(q);
            }
        }
        for q in orbit {
            // A row that lands on an existing site shares it (disorder).
            if let Some(site) = sites.iter_mut().find(|s| periodic_close(s.frac, q, 1e-3)) {
                if let Some(o) = site.occupants.iter_mut().find(|o| o.element.z == element.z) {
                    // The same element listed twice on one site (a split
                    // position within tolerance): occupancies add.
                    o.occupancy += occupancy;
                } else {
                    site.occupants.push(Occupant { element, occupancy });
                }
            } else {
                sites.push(Site {
                    frac: q,
                    occupants: vec![Occupant { element, occupancy }],
                    label: label.clone(),
                });
            }
        }
    }
    Structure::new(lattice, sites).map_err(|e| Error::parse(file, 1, 1, e.to_string()))
}

/// Reads a CIF file.
pub fn read_cif(path: impl AsRef<std::path::Path>) -> Result<Structure> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_cif(&text, &path.display().to_string())
}

/// Writes a structure as a P1 CIF: every site listed, one row per occupant
/// (a disordered site gives several rows at the same position), full
/// `f64` precision so reading it back gives the same structure.
pub fn write_cif(structure: &Structure) -> String {
    let mut s = String::new();
    let [a, b, c] = structure.lattice.lengths();
    let [al, be, ga] = structure.lattice.angles();
    let name: String = structure
        .formula()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let _ = writeln!(s, "# written by voltai-graph-nn");
    let _ = writeln!(s, "data_{name}");
    let _ = writeln!(s, "_symmetry_space_group_name_H-M   'P 1'");
    let _ = writeln!(s, "_symmetry_Int_Tables_number   1");
    for (tag, v) in [
        ("_cell_length_a", a),
        ("_cell_length_b", b),
        ("_cell_length_c", c),
        ("_cell_angle_alpha", al),
        ("_cell_angle_beta", be),
        ("_cell_angle_gamma", ga),
    ] {
        let _ = writeln!(s, "{tag}   {v:?}");
    }
    let _ = writeln!(s, "_cell_volume   {:?}", structure.lattice.volume());
    let _ = writeln!(s, "_chemical_formula_sum   '{}'", structure.formula());
    let _ = writeln!(
        s,
        "loop_\n _symmetry_equiv_pos_site_id\n _symmetry_equiv_pos_as_xyz\n  1  'x, y, z'"
    );
    let _ = writeln!(
        s,
        "loop_\n _atom_site_type_symbol\n _atom_site_label\n _atom_site_symmetry_multiplicity\n _atom_site_fract_x\n _atom_site_fract_y\n _atom_site_fract_z\n _atom_site_occupancy"
    );
    for (i, site) in structure.sites.iter().enumerate() {
        for o in &site.occupants {
            let label: String = site.label.chars().filter(|c| !c.is_whitespace()).collect();
            let label = if label.is_empty() {
                format!("{}{i}", o.element.symbol)
            } else {
                label
            };
            let _ = writeln!(
                s,
                "  {}  {}  1  {:?}  {:?}  {:?}  {:?}",
                o.element.symbol, label, site.frac[0], site.frac[1], site.frac[2], o.occupancy
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const NACL: &str = "data_NaCl\n_cell_length_a 5.62(1)\n_cell_length_b 5.62\n_cell_length_c 5.62\n\
        _cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n\
        loop_\n_symmetry_equiv_pos_as_xyz\nx,y,z\nx+1/2,y+1/2,z\nx+1/2,y,z+1/2\nx,y+1/2,z+1/2\n-x,-y,-z\n\
        loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n\
        Na1 0 0 0\nCl1 0.5 0.5 0.5\n";

    #[test]
    fn expands_symmetry_and_removes_duplicates() {
        let s = parse_cif(NACL, "nacl").unwrap();
        assert_eq!(s.len(), 8);
        assert_eq!(s.formula(), "Na4 Cl4");
        assert!((s.lattice.volume() - 5.62f64.powi(3)).abs() < 1e-9);
    }

    #[test]
    fn rows_on_one_position_merge_into_a_disordered_site() {
        let text = "data_x\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n\
            _cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n\
            loop_\n_atom_site_type_symbol\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\n\
            Ge Ge1 0.1 0.2 0.3 0.515\nP P1 0.1 0.2 0.3 0.485\nLi Li1 0.5 0.5 0.5 0.691\n";
        let s = parse_cif(text, "x").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s.sites[0].occupants.len(), 2);
        assert!(!s.is_ordered());
        let back = parse_cif(&write_cif(&s), "back").unwrap();
        assert!(back.matches(&s, 1e-9), "{back:?}");
    }

    #[test]
    fn malformed_files_give_located_errors() {
        let cases = [
            ("", "no `data_`"),
            ("data_x\n_cell_length_a 'abc\n", "unterminated"),
            ("data_x\n_cell_length_a\n", "no value"),
            ("data_x\n;\nnever closed\n", "unterminated ';'"),
        ];
        for (text, want) in cases {
            let e = parse_cif(text, "bad.cif").unwrap_err().to_string();
            assert!(e.contains(want) && e.starts_with("bad.cif:"), "{e}");
        }
        let bad_number = NACL.replace("5.62(1)", "5.6x");
        let e = parse_cif(&bad_number, "bad.cif").unwrap_err().to_string();
        assert!(e.starts_with("bad.cif:2:16:"), "{e}");
        let bad_op = NACL.replace("x+1/2,y,z+1/2", "x+1/2,y,w");
        let e = parse_cif(&bad_op, "bad.cif").unwrap_err().to_string();
        assert!(e.starts_with("bad.cif:12:1:"), "{e}");
        let bad_el = NACL.replace("Cl1", "Qq1");
        assert!(
            parse_cif(&bad_el, "bad.cif")
                .unwrap_err()
                .to_string()
                .contains("Qq1")
        );
    }
}
