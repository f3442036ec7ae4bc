//! Impedance text formats: Gamry EXPLAIN `.DTA` (`ZCURVE` table), Scribner
//! ZPlot `.z` (both the `ZPLOT2 ASCII` and the ZPlotW layouts), Maccor's FRA
//! export (`.EDA0001.041` ...) and impedance.py's three-column CSV.
//!
//! Each file holds one spectrum; Im(Z) is signed in all four (capacitive < 0),
//! as the schema stores it.

use std::io::BufRead;

use crate::schema::EisSpectrum;
use voltai_core::{Error, Result};

use super::Sink;
use super::text::{Lines, field, parse_number, split_fields};

/// Column positions of frequency, Re(Z) and Im(Z).
struct Columns {
    freq: usize,
    real: usize,
    imag: usize,
}

/// Field ranges separated by runs of blanks or tabs.
fn whitespace_fields(line: &str, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut start = None;
    for (i, b) in line.bytes().enumerate() {
        match (b == b' ' || b == b'\t', start) {
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, line.len()));
    }
}

/// Reads data lines until `stop` says a line ends the table (or the file ends);
/// `delimiter` 0 splits at runs of blanks and tabs.
fn read_points<R: BufRead>(
    lines: &mut Lines<R>,
    delimiter: u8,
    cols: &Columns,
    spectrum: &mut EisSpectrum,
    stop: fn(&str) -> bool,
) -> Result<()> {
    let mut ranges = Vec::new();
    let file = lines.file().to_string();
    while let Some((n, line)) = lines.next_numbered()? {
        if line.trim().is_empty() {
            continue;
        }
        if stop(line) {
            break;
        }
        if delimiter == 0 {
            whitespace_fields(line, &mut ranges);
        } else {
            split_fields(line, delimiter, &mut ranges);
        }
        let num = |k: usize, what: &str| -> Result<f64> {
            let t = ranges.get(k).map(|&r| field(line, r)).unwrap_or("");
            parse_number(t, false).ok().flatten().ok_or_else(|| {
                Error::parse(
                    &file,
                    n,
                    ranges.get(k).map_or(line.len() + 1, |r| r.0 + 1) as u64,
                    format!("`{t}` is not a number ({what})"),
                )
            })
        };
        spectrum.frequency_hz.push(num(cols.freq, "frequency")?);
        spectrum.z_real_ohm.push(num(cols.real, "Re(Z)")?);
        spectrum.z_imag_ohm.push(num(cols.imag, "Im(Z)")?);
    }
    Ok(())
}

fn new_spectrum(cell: &str) -> EisSpectrum {
    EisSpectrum {
        cell_id: cell.to_string(),
        ..Default::default()
    }
}

fn position<R: BufRead>(names: &[&str], want: &[&str], lines: &Lines<R>) -> Result<usize> {
    names
        .iter()
        .position(|n| want.iter().any(|w| n.trim().eq_ignore_ascii_case(w)))
        .ok_or_else(|| {
            lines.error(
                1,
                format!("no `{}` column (found: {})", want[0], names.join(", ")),
            )
        })
}

/// Gamry EXPLAIN: `KEY<TAB>TYPE<TAB>VALUE` lines, then `ZCURVE<TAB>TABLE`, a
/// name line, a unit line, and tab-indented rows.
pub(crate) fn read_gamry<R: BufRead>(
    lines: &mut Lines<R>,
    cell: &str,
    sink: &mut Sink<'_>,
) -> Result<()> {
    loop {
        let Some(line) = lines.next_line()? else {
            return Err(lines.error(1, "no `ZCURVE` table: not a Gamry impedance file"));
        };
        if line.starts_with("ZCURVE\t") {
            break;
        }
        if !line.starts_with('\t') {
            let parts: Vec<&str> = line.split('\t').collect();
            if parts.len() >= 3 && !parts[0].is_empty() && parts[1] != "TABLE" {
                sink.metadata
                    .insert(parts[0].to_string(), parts[2].trim().to_string());
            }
        }
    }
    let names_line = lines
        .next_line()?
        .map(str::to_string)
        .ok_or_else(|| lines.error(1, "file ends after `ZCURVE`"))?;
    let names: Vec<&str> = names_line.split_whitespace().collect();
    let cols = Columns {
        freq: position(&names, &["Freq"], lines)?,
        real: position(&names, &["Zreal"], lines)?,
        imag: position(&names, &["Zimag"], lines)?,
    };
    if lines.next_line()?.is_none() {
        return Err(lines.error(1, "file ends before the ZCURVE units line"));
    }
    let mut s = new_spectrum(cell);
    // Rows are tab-indented; hand-edited files use blanks between values.
    read_points(lines, 0, &cols, &mut s, |l| !l.starts_with([' ', '\t']))?;
    sink.spectra.push(s);
    Ok(())
}

/// ZPlot: `ZPLOT2 ASCII` with a comment block whose last line names the
/// columns before `End Comments`; or ZPlotW's quoted title lines, a quoted
/// column-name line, and comma-separated rows.
pub(crate) fn read_zplot<R: BufRead>(
    lines: &mut Lines<R>,
    cell: &str,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let mut last = String::new();
    let (names_line, delimiter) = loop {
        let Some(line) = lines.next_line()? else {
            return Err(lines.error(1, "no column names: not a ZPlot file"));
        };
        let t = line.trim();
        if t == "End Comments" {
            break (last, b'\t');
        }
        if t.starts_with('"') && t.contains("Freq(Hz)") {
            break (t.trim_matches('"').to_string(), b',');
        }
        if let Some((k, v)) = t.split_once(':') {
            let (k, v) = (k.trim(), v.trim());
            if !k.is_empty() && !v.is_empty() && !k.starts_with('"') {
                sink.metadata.insert(k.to_string(), v.to_string());
            }
        }
        last = t.to_string();
    };
    let names: Vec<&str> = names_line.split_whitespace().collect();
    let cols = Columns {
        freq: position(&names, &["Freq(Hz)"], lines)?,
        real: position(&names, &["Z'(a)"], lines)?,
        imag: position(&names, &["Z''(b)"], lines)?,
    };
    let mut s = new_spectrum(cell);
    read_points(lines, delimiter, &cols, &mut s, |_| false)?;
    sink.spectra.push(s);
    Ok(())
}

/// Maccor FRA export: free-text preamble, a settings line, then a tab header
/// `Freq(Hz) ... Z'(a) Z''(b) ...` and rows.
pub(crate) fn read_maccor_eda<R: BufRead>(
    lines: &mut Lines<R>,
    cell: &str,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let header = loop {
        let Some(line) = lines.next_line()? else {
            return Err(lines.error(1, "no `Freq(Hz)` header: not a Maccor FRA export"));
        };
        if line.starts_with("Freq(Hz)\t") {
            break line.to_string();
        }
        if let Some((k, v)) = line.split_once(':') {
            let (k, v) = (k.trim(), v.trim());
            if !k.is_empty() && !v.is_empty() {
                sink.metadata.insert(k.to_string(), v.to_string());
            }
        }
    };
    let names: Vec<&str> = header.split('\t').collect();
    let cols = Columns {
        freq: position(&names, &["Freq(Hz)"], lines)?,
        real: position(&names, &["Z'(a)"], lines)?,
        imag: position(&names, &["Z''(b)"], lines)?,
    };
    let mut s = new_spectrum(cell);
    read_points(lines, b'\t', &cols, &mut s, |_| false)?;
    sink.spectra.push(s);
    Ok(())
}

/// impedance.py CSV: frequency, Re(Z), Im(Z) per line, no header.
pub(crate) fn read_impedance_csv<R: BufRead>(
    lines: &mut Lines<R>,
    cell: &str,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let cols = Columns {
        freq: 0,
        real: 1,
        imag: 2,
    };
    let mut s = new_spectrum(cell);
    read_points(lines, b',', &cols, &mut s, |_| false)?;
    sink.spectra.push(s);
    Ok(())
}
