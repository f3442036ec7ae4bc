//! Readers for impedance spectra: the long-format Zhang 2020 LCO files and the
//! wide-format Gasper 2022 NMC table.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::schema::{EisSpectrum, EisState};
use crate::table::Table;
use crate::units::split_header;
use voltai_core::{Error, Result};

/// Reads long-format spectra (`cell_id, temperature_C, cycle, freq_Hz,
/// z_real_ohm, z_imag_ohm`, one row per frequency); consecutive rows with the
/// same (cell, temperature, cycle) form one spectrum.
pub fn read_eis_long(path: impl AsRef<Path>) -> Result<Vec<EisSpectrum>> {
    read_eis_long_from(Table::open(path.as_ref())?)
}

/// [`read_eis_long`] from CSV text in any reader.
pub fn read_eis_long_from<R: Read>(mut t: Table<R>) -> Result<Vec<EisSpectrum>> {
    let c_id = t.column("cell_id")?;
    let c_t = t.column("temperature_C")?;
    let c_cyc = t.column("cycle")?;
    let c_f = t.column("freq_Hz")?;
    let c_re = t.column("z_real_ohm")?;
    let c_im = t.column("z_imag_ohm")?;
    let mut out: Vec<EisSpectrum> = Vec::new();
    while let Some(row) = t.next_row() {
        let row = row?;
        let cell = row.text(c_id)?;
        let temp = row.num(c_t)?;
        let cycle = row.uint(c_cyc)?;
        let f = row.num(c_f)?;
        if f <= 0.0 {
            return Err(row.error(c_f, format!("frequency {f} Hz is not positive")));
        }
        let same = out.last().is_some_and(|s| {
            s.cell_id == cell && s.state.cycle == Some(cycle) && s.state.temperature_c == Some(temp)
        });
        if !same {
            out.push(EisSpectrum {
                cell_id: cell.to_string(),
                state: EisState {
                    temperature_c: Some(temp),
                    cycle: Some(cycle),
                    ..Default::default()
                },
                ..Default::default()
            });
        }
        let s = out
            .last_mut()
            .ok_or_else(|| row.error(0, "internal: no spectrum"))?;
        s.frequency_hz.push(f);
        s.z_real_ohm.push(row.num(c_re)?);
        s.z_imag_ohm.push(row.num(c_im)?);
    }
    if out.is_empty() {
        return Err(Error::parse(t.file(), 2, 1, "no data rows"));
    }
    Ok(out)
}

/// Which capacity labels [`read_zhang2020_with`] pairs with the Zhang 2020
/// spectra.
///
/// The folder carries two label sources (see its README). They agree on
/// 25C01 and 25C04 and swap 25C02 and 25C03: the authors' own files give
/// raw 25C02's spectra the capacity series that the tutorial's file gives
/// 25C03, and the other way round. The authors' pairing is the consistent
/// one: their label counts equal the raw spectra counts (250 / 229 / 81
/// spectra for 25C02 / 25C03 / 25C04 and 250 / 229 / 81 author labels,
/// against 181 / 202 / 35 tutorial labels), and a GP fitted on 25C01,
/// 25C04 and one of the two cells predicts the other with RMSE 2.9 / 2.0
/// mAh under the authors' pairing against 6.7 / 4.7 mAh under the
/// tutorial's (scikit-learn 1.9.1, `tools/reference/eis/label_pairing.py`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zhang2020Labels {
    /// The authors' labels (`alt_capacity_mAh_author_zip`) where the folder
    /// has one, the tutorial's elsewhere.
    #[default]
    Authors,
    /// The tutorial's labels (`capacity_mAh`) throughout, as the folder's
    /// main column gives them.
    Tutorial,
}

/// Reads the Zhang 2020 folder: spectra joined with `capacity_labels.csv`,
/// with the authors' labels ([`Zhang2020Labels::Authors`]).
/// Labelled spectra get `capacity_ah` and `soh` (capacity ÷ the cell's first
/// labelled capacity); unlabelled ones keep `None`.
pub fn read_zhang2020(dir: impl AsRef<Path>) -> Result<Vec<EisSpectrum>> {
    read_zhang2020_with(dir, Zhang2020Labels::default())
}

/// [`read_zhang2020`] with the label source chosen.
pub fn read_zhang2020_with(
    dir: impl AsRef<Path>,
    source: Zhang2020Labels,
) -> Result<Vec<EisSpectrum>> {
    let dir = dir.as_ref();
    let mut spectra = read_eis_long(dir.join("eis_state_V_spectra.csv"))?;
    let mut t = Table::open(&dir.join("capacity_labels.csv"))?;
    let (c_id, c_cyc, c_cap) = (
        t.column("cell_id")?,
        t.column("cycle")?,
        t.column("capacity_mAh")?,
    );
    let c_alt = match source {
        Zhang2020Labels::Authors => Some(t.column("alt_capacity_mAh_author_zip")?),
        Zhang2020Labels::Tutorial => None,
    };
    let mut labels: BTreeMap<(String, u32), f64> = BTreeMap::new();
    let mut first: BTreeMap<String, (u32, f64)> = BTreeMap::new();
    while let Some(row) = t.next_row() {
        let row = row?;
        let cell = row.text(c_id)?.to_string();
        let cycle = row.uint(c_cyc)?;
        let alt = match c_alt {
            Some(c) => row.opt_num(c)?,
            None => None,
        };
        let cap_mah = match alt {
            Some(a) => a,
            None => row.num(c_cap)?,
        };
        if !(cap_mah.is_finite() && cap_mah > 0.0 && cap_mah < 1e3) {
            return Err(row.error(
                c_alt.filter(|_| alt.is_some()).unwrap_or(c_cap),
                format!("capacity {cap_mah} mAh is not a plausible coin-cell capacity"),
            ));
        }
        let cap_ah = cap_mah * 1e-3;
        let e = first.entry(cell.clone()).or_insert((cycle, cap_ah));
        if cycle < e.0 {
            *e = (cycle, cap_ah);
        }
        labels.insert((cell, cycle), cap_ah);
    }
    for s in &mut spectra {
        if let Some(cycle) = s.state.cycle
            && let Some(&cap) = labels.get(&(s.cell_id.clone(), cycle))
        {
            s.state.capacity_ah = Some(cap);
            s.state.soh = first.get(&s.cell_id).map(|&(_, c0)| cap / c0);
        }
    }
    Ok(spectra)
}

/// Parses `Zreal_3.2e+04Hz` → ("Zreal", 32000.0).
fn freq_header(h: &str) -> Option<(&str, f64)> {
    let (kind, rest) = h.split_once('_')?;
    let f: f64 = rest.strip_suffix("Hz")?.parse().ok()?;
    Some((kind, f))
}

/// Reads the Gasper 2022 wide table (`data.csv`): one spectrum per row, cell id
/// `series<seriesIdx>`, `soh` = relative capacity `q`, SOC and temperature in the
/// state, and the authors' hold-out flag as tag `is_test`.
pub fn read_gasper2022(path: impl AsRef<Path>) -> Result<Vec<EisSpectrum>> {
    read_gasper2022_from(Table::open(path.as_ref())?)
}

/// [`read_gasper2022`] from CSV text in any reader.
pub fn read_gasper2022_from<R: Read>(mut t: Table<R>) -> Result<Vec<EisSpectrum>> {
    let c_series = t.column("seriesIdx")?;
    let c_test = t.column("isTest")?;
    let c_q = t.column("q")?;
    let c_t = t.column("TdegC_EIS")?;
    let c_soc = t.column("soc_EIS")?;
    let mut re = Vec::new();
    let mut im = Vec::new();
    for (i, h) in t.headers().iter().enumerate() {
        match freq_header(split_header(h).0) {
            Some(("Zreal", f)) => re.push((i, f)),
            Some(("Zimag", f)) => im.push((i, f)),
            _ => {}
        }
    }
    if re.is_empty() || re.len() != im.len() || re.iter().zip(&im).any(|(a, b)| a.1 != b.1) {
        return Err(Error::parse(
            t.file(),
            1,
            1,
            "Zreal_<f>Hz and Zimag_<f>Hz columns must come in matching frequency order",
        ));
    }
    let mut out = Vec::new();
    while let Some(row) = t.next_row() {
        let row = row?;
        let mut tags = BTreeMap::new();
        tags.insert("is_test".to_string(), row.text(c_test)?.to_string());
        out.push(EisSpectrum {
            cell_id: format!("series{}", row.uint(c_series)?),
            state: EisState {
                soc: Some(row.num(c_soc)?),
                temperature_c: Some(row.num(c_t)?),
                cycle: None,
                capacity_ah: None,
                soh: Some(row.num(c_q)?),
            },
            frequency_hz: re.iter().map(|&(_, f)| f).collect(),
            z_real_ohm: re.iter().map(|&(c, _)| row.num(c)).collect::<Result<_>>()?,
            z_imag_ohm: im.iter().map(|&(c, _)| row.num(c)).collect::<Result<_>>()?,
            tags,
        });
    }
    if out.is_empty() {
        return Err(Error::parse(t.file(), 2, 1, "no data rows"));
    }
    Ok(out)
}
