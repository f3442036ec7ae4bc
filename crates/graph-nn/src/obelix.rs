//! The OBELiX dataset of Li solid electrolytes (Therrien et al. 2025, CC BY
//! 4.0): experimental room-temperature ionic conductivity, official
//! train/test split, CIFs for 321 of the 599 entries.
//!
//! **Censored values.** 37 conductivities are given as upper bounds
//! (`<1E-10`, `<1E-8`). They are kept as [`Conductivity::Below`], never
//! parsed to NaN; [`Censoring`] says what a regression target becomes:
//! dropped, or set to the bound (log10 σ = −10 or −8, the convention of the
//! OBELiX paper's baselines). Either way the choice is explicit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use voltai_core::{Error, Result};

use crate::element::by_symbol;

/// A measured or censored conductivity (S/cm).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Conductivity {
    /// A measured value.
    Measured(f64),
    /// Below the detection limit given.
    Below(f64),
}

/// What a censored value becomes as a regression target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Censoring {
    /// Leave the entry out.
    Drop,
    /// Use the bound itself.
    AtBound,
}

/// Which half of the official split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Training set (478 entries).
    Train,
    /// Test set (121 entries).
    Test,
}

/// One OBELiX entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Three-character ID (the CIF's file stem).
    pub id: String,
    /// Composition as written (`True Composition`, e.g. `Li7.0Bi1.0O6.0`).
    pub composition: String,
    /// Ionic conductivity.
    pub conductivity: Conductivity,
    /// Official split.
    pub part: Part,
    /// Path of the CIF when one exists.
    pub cif: Option<PathBuf>,
}

impl Entry {
    /// log10 of the conductivity under `censoring` (`None` when dropped).
    pub fn log10_conductivity(&self, censoring: Censoring) -> Option<f64> {
        match (self.conductivity, censoring) {
            (Conductivity::Measured(v), _) => Some(v.log10()),
            (Conductivity::Below(v), Censoring::AtBound) => Some(v.log10()),
            (Conductivity::Below(_), Censoring::Drop) => None,
        }
    }
}

/// Reads `train.csv` and `test.csv` of the OBELiX folder `dir`.
pub fn load(dir: impl AsRef<Path>) -> Result<Vec<Entry>> {
    let dir = dir.as_ref();
    let mut out = Vec::new();
    for (file, part) in [("train.csv", Part::Train), ("test.csv", Part::Test)] {
        let path = dir.join(file);
        let name = path.display().to_string();
        let mut reader =
            csv::Reader::from_path(&path).map_err(|e| Error::parse(&name, 1, 1, e.to_string()))?;
        let headers = reader
            .headers()
            .map_err(|e| Error::parse(&name, 1, 1, e.to_string()))?
            .clone();
        let col = |h: &str| {
            headers
                .iter()
                .position(|x| x == h)
                .ok_or_else(|| Error::parse(&name, 1, 1, format!("no column `{h}`")))
        };
        let (c_id, c_comp, c_ic) = (
            col("ID")?,
            col("True Composition")?,
            col("Ionic conductivity (S cm-1)")?,
        );
        for (r, record) in reader.records().enumerate() {
            let line = r as u64 + 2;
            let record = record.map_err(|e| Error::parse(&name, line, 1, e.to_string()))?;
            let field = |c: usize| record.get(c).unwrap_or("").trim().to_string();
            let text = field(c_ic);
            let (value, below) = match text.strip_prefix('<') {
                Some(rest) => (rest.trim(), true),
                None => (text.as_str(), false),
            };
            let v: f64 = value
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v > 0.0)
                .ok_or_else(|| {
                    Error::parse(
                        &name,
                        line,
                        c_ic as u64 + 1,
                        format!("conductivity `{text}` is not a positive number or `<bound`"),
                    )
                })?;
            let id = field(c_id);
            let cif = dir.join("cifs").join(format!("{id}.cif"));
            out.push(Entry {
                composition: field(c_comp),
                conductivity: if below {
                    Conductivity::Below(v)
                } else {
                    Conductivity::Measured(v)
                },
                part,
                cif: cif.exists().then_some(cif),
                id,
            });
        }
    }
    Ok(out)
}

/// Element amounts of a flat formula such as `Li6.75La3Zr1.75Ta0.25O12`
/// (parentheses are expanded: `LiV(PO4)F`), by atomic number.
pub fn parse_formula(formula: &str) -> Result<BTreeMap<u8, f64>> {
    fn group(chars: &[char], i: &mut usize, formula: &str) -> Result<BTreeMap<u8, f64>> {
        let mut out = BTreeMap::new();
        while *i < chars.len() {
            let c = chars[*i];
            let part: BTreeMap<u8, f64> = if c == '(' {
                *i += 1;
                let inner = group(chars, i, formula)?;
                if chars.get(*i) != Some(&')') {
                    return Err(Error::InvalidInput(format!(
                        "unbalanced parentheses in `{formula}`"
                    )));
                }
                *i += 1;
                inner
            } else if c == ')' {
                return Ok(out);
            } else if c.is_ascii_uppercase() {
                let mut sym = c.to_string();
                *i += 1;
                while *i < chars.len() && chars[*i].is_ascii_lowercase() {
                    sym.push(chars[*i]);
                    *i += 1;
                }
                let e = by_symbol(&sym)?;
                BTreeMap::from([(e.z, 1.0)])
            } else if c.is_whitespace() {
                *i += 1;
                continue;
            } else {
                return Err(Error::InvalidInput(format!(
                    "unexpected `{c}` in formula `{formula}`"
                )));
            };
            let start = *i;
            while *i < chars.len() && (chars[*i].is_ascii_digit() || chars[*i] == '.') {
                *i += 1;
            }
            let n: f64 = if *i > start {
                chars[start..*i]
                    .iter()
                    .collect::<String>()
                    .parse()
                    .map_err(|_| Error::InvalidInput(format!("bad amount in `{formula}`")))?
            } else {
                1.0
            };
            for (z, a) in part {
                *out.entry(z).or_insert(0.0) += a * n;
            }
        }
        Ok(out)
    }
    let chars: Vec<char> = formula.chars().collect();
    let mut i = 0;
    let out = group(&chars, &mut i, formula)?;
    if i != chars.len() {
        return Err(Error::InvalidInput(format!(
            "unbalanced parentheses in `{formula}`"
        )));
    }
    if out.is_empty() || out.values().sum::<f64>() <= 0.0 {
        return Err(Error::InvalidInput(format!(
            "formula `{formula}` holds no atoms"
        )));
    }
    Ok(out)
}

/// Element-fraction features of `formulas` over the elements they contain
/// (columns ordered by atomic number, returned alongside).
pub fn element_fraction_matrix(formulas: &[&str]) -> Result<(ndarray::Array2<f64>, Vec<u8>)> {
    let parsed: Vec<BTreeMap<u8, f64>> = formulas
        .iter()
        .map(|f| parse_formula(f))
        .collect::<Result<_>>()?;
    let mut zs: Vec<u8> = parsed.iter().flat_map(|p| p.keys().copied()).collect();
    zs.sort_unstable();
    zs.dedup();
    let mut x = ndarray::Array2::zeros((formulas.len(), zs.len()));
    for (i, p) in parsed.iter().enumerate() {
        let total: f64 = p.values().sum();
        for (z, a) in p {
            if let Ok(k) = zs.binary_search(z) {
                x[[i, k]] = a / total;
            }
        }
    }
    Ok((x, zs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_parse_with_groups_and_fractions() {
        let f = parse_formula("LiV(PO4)F").unwrap();
        assert_eq!(f[&15], 1.0);
        assert_eq!(f[&8], 4.0);
        let g = parse_formula("Li6.75La3Zr1.75Ta0.25O12").unwrap();
        assert!((g[&3] - 6.75).abs() < 1e-12);
        assert!(parse_formula("Li(PO4").is_err());
        assert!(parse_formula("Qq2").is_err());
        assert!(parse_formula("").is_err());
        let (x, zs) = element_fraction_matrix(&["Li2O", "LiF"]).unwrap();
        assert_eq!(zs, vec![3, 8, 9]);
        assert!((x[[0, 0]] - 2.0 / 3.0).abs() < 1e-12);
    }
}
