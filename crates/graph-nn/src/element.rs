//! The periodic table, compiled into the crate from the shared element
//! property table (pymatgen, MIT; Cordero covalent radii) — see
//! `data/README.md` for provenance.

use std::sync::OnceLock;

use voltai_core::{Error, Result};

const TABLE: &str = include_str!("../data/elements.csv");

/// Orbital block of an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Block {
    /// s block.
    S,
    /// p block.
    P,
    /// d block.
    D,
    /// f block.
    F,
}

/// One element's properties. Missing values are `None`, never 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// Atomic number.
    pub z: u8,
    /// Chemical symbol, e.g. `"Li"`.
    pub symbol: &'static str,
    /// Period (row), 1–7.
    pub period: u8,
    /// Group, 1–18 (lanthanides and actinides are given group 3).
    pub group: u8,
    /// Orbital block.
    pub block: Block,
    /// Standard atomic mass (u).
    pub mass: f64,
    /// Pauling electronegativity.
    pub electronegativity: Option<f64>,
    /// Covalent radius (Å, Cordero 2008).
    pub covalent_radius: Option<f64>,
    /// First ionisation energy (eV).
    pub first_ionization: Option<f64>,
    /// Electron affinity (eV).
    pub electron_affinity: Option<f64>,
}

fn table() -> &'static [Element] {
    static ELEMENTS: OnceLock<Vec<Element>> = OnceLock::new();
    ELEMENTS.get_or_init(|| parse_table(TABLE))
}

fn opt(field: &str) -> Option<f64> {
    field.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

// The table is a build-time constant checked by the tests below, so a
// malformed row is skipped rather than turned into a run-time error.
fn parse_table(text: &'static str) -> Vec<Element> {
    let mut out = Vec::with_capacity(118);
    for line in text.lines().skip(1) {
        let f: Vec<&'static str> = line.split(',').collect();
        if f.len() < 14 {
            continue;
        }
        let block = match f[5] {
            "s" => Block::S,
            "p" => Block::P,
            "d" => Block::D,
            _ => Block::F,
        };
        let (Ok(z), Ok(period), Ok(group), Ok(mass)) = (
            f[0].parse::<u8>(),
            f[3].parse::<u8>(),
            f[4].parse::<u8>(),
            f[6].parse::<f64>(),
        ) else {
            continue;
        };
        out.push(Element {
            z,
            symbol: f[1],
            period,
            group,
            block,
            mass,
            electronegativity: opt(f[7]),
            covalent_radius: opt(f[8]),
            first_ionization: opt(f[12]),
            electron_affinity: opt(f[13]),
        });
    }
    out
}

/// All 118 elements in order of atomic number.
pub fn elements() -> &'static [Element] {
    table()
}

/// The element with atomic number `z`.
pub fn by_z(z: u8) -> Result<&'static Element> {
    table()
        .get(usize::from(z).wrapping_sub(1))
        .filter(|e| e.z == z)
        .ok_or_else(|| Error::invalid_parameter("atomic number", z, "1..=118"))
}

/// The element with this symbol. Case-sensitive on the standard spelling
/// (`"Li"`); oxidation-state decorations (`"Fe2+"`, `"O2-"`) and
/// deuterium/tritium (`D`, `T` → H) are accepted as in CIF files.
pub fn by_symbol(symbol: &str) -> Result<&'static Element> {
    let letters: String = symbol
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let name = match letters.as_str() {
        "D" | "T" => "H",
        s => s,
    };
    table()
        .iter()
        .find(|e| e.symbol == name)
        .ok_or_else(|| Error::InvalidInput(format!("unknown element symbol `{symbol}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete_and_ordered() {
        let t = elements();
        assert_eq!(t.len(), 118);
        for (i, e) in t.iter().enumerate() {
            assert_eq!(usize::from(e.z), i + 1);
        }
        let li = by_symbol("Li").unwrap();
        assert_eq!((li.z, li.period, li.group, li.block), (3, 2, 1, Block::S));
        assert_eq!(li.electronegativity, Some(0.98));
        assert_eq!(li.covalent_radius, Some(1.28));
        assert_eq!(by_symbol("He").unwrap().electronegativity, None);
        assert_eq!(by_symbol("Fe2+").unwrap().z, 26);
        assert_eq!(by_symbol("O2-").unwrap().z, 8);
        assert_eq!(by_z(8).unwrap().symbol, "O");
        assert!(by_symbol("Xx").is_err());
        assert!(by_z(0).is_err());
        assert!(by_z(119).is_err());
    }
}
