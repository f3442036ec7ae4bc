//! Format detection from content: binary signatures first, then the text
//! markers each cycler writes in its first lines. The extension is never
//! trusted on its own (users rename `.mpt` to `.txt`, Maccor numbers its
//! extensions by channel).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use voltai_core::{Error, Result};

use super::{Format, arbin, basytec, biologic, maccor, neware, pec};

/// How much of a file detection looks at.
const HEAD: u64 = 64 * 1024;

/// Detects the format of a file from its first 64 KiB. An unrecognised file
/// gives an [`Error::Format`] listing the formats tried and what was seen.
pub fn detect_format(path: impl AsRef<Path>) -> Result<Format> {
    let path = path.as_ref();
    let mut head = Vec::new();
    File::open(path)
        .map_err(|e| Error::io(path, e))?
        .take(HEAD)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, e))?;
    if head.starts_with(b"PK\x03\x04") {
        return detect_zip(path);
    }
    detect_bytes(&head).map_err(|seen| Error::Format {
        format: "cycler file".into(),
        path: path.display().to_string(),
        message: format!(
            "not a supported format (tried: {}); {seen}",
            Format::ALL.map(Format::name).join(", ")
        ),
    })
}

/// Detection on the first bytes of a file; `Err` describes what was seen.
pub(crate) fn detect_bytes(head: &[u8]) -> std::result::Result<Format, String> {
    if head.is_empty() {
        return Err("the file is empty".into());
    }
    if head.starts_with(b"NEWARE") {
        return Ok(Format::NewareNda);
    }
    if head.starts_with(b"BIO-LOGIC MODULAR FILE") {
        return Ok(Format::BiologicMpr);
    }
    if head.get(4..19) == Some(b"Standard Jet DB".as_slice()) {
        return Ok(Format::ArbinRes);
    }
    if head.starts_with(b"\x89HDF\r\n\x1a\n") {
        return Ok(Format::IndigoH5);
    }
    let probe = &head[..head.len().min(4096)];
    if probe.contains(&0) {
        return Err(format!(
            "binary content starting {:02x?}",
            &head[..head.len().min(16)]
        ));
    }
    let text = String::from_utf8_lossy(head);
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_start_matches('\u{feff}').trim_end_matches('\r'))
        .take(200)
        .collect();
    let first = lines.first().copied().unwrap_or("");
    let has_line = |f: fn(&str) -> bool| lines.iter().take(80).any(|l| f(l));
    if biologic::is_banner(first)
        || biologic::is_column_line(first)
        || biologic::is_impedance_columns(first) && first.contains("/Ohm")
    {
        return Ok(Format::BiologicMpt);
    }
    if first.trim() == "EXPLAIN" {
        return Ok(Format::GamryDta);
    }
    if first.trim() == "ZPLOT2 ASCII" || first.starts_with("\"ZPlotW") {
        return Ok(Format::ZPlot);
    }
    if first.starts_with("MACCOR, INC.") && first.contains("Impedance") {
        return Ok(Format::MaccorEda);
    }
    if has_line(maccor::is_header) {
        return Ok(Format::Maccor);
    }
    if basytec::is_banner(first) {
        return Ok(Format::Basytec);
    }
    if first.trim().trim_matches('"') == "[Summary]" && text.contains("Novonix") {
        return Ok(Format::Novonix);
    }
    if has_line(pec::is_header) {
        return Ok(Format::Pec);
    }
    if neware::is_header(first) {
        return Ok(Format::NewareCsv);
    }
    if arbin::is_header(first) {
        return Ok(Format::ArbinCsv);
    }
    let numeric = |l: &str| {
        let f: Vec<&str> = l.split(',').collect();
        f.len() == 3 && f.iter().all(|x| x.trim().parse::<f64>().is_ok())
    };
    if !first.is_empty()
        && lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .all(|l| numeric(l))
    {
        return Ok(Format::ImpedanceCsv);
    }
    if first.to_ascii_lowercase().contains("first_start_datetime") {
        return Err(
            "this is an Arbin metadata companion (one row of test metadata, no \
                    records): read the data file next to it, which takes it in as metadata"
                .into(),
        );
    }
    let shown: String = first.chars().take(120).collect();
    Err(format!("first line `{shown}`"))
}

/// A zip container: an Excel workbook (Arbin or Neware, by sheet names) or a
/// Neware `.ndax` (by its `data.ndc` entry).
fn detect_zip(path: &Path) -> Result<Format> {
    let fail = |seen: String| Error::Format {
        format: "cycler file".into(),
        path: path.display().to_string(),
        message: format!(
            "a zip archive that is not a supported format (tried: {}); {seen}",
            Format::ALL.map(Format::name).join(", ")
        ),
    };
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    let archive = zip::ZipArchive::new(f).map_err(|e| fail(format!("unreadable zip: {e}")))?;
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| fail(format!("unreadable zip entry name: {e}")))?;
    if names.iter().any(|n| n == "xl/workbook.xml") {
        return super::xlsx::detect(path).ok_or_else(|| {
            fail("an Excel workbook without Arbin `Channel_*` or Neware `record` sheets".into())
        });
    }
    if names.iter().any(|n| n == "data.ndc") {
        return Ok(Format::NewareNdax);
    }
    let shown: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
    Err(fail(format!("entries: {}", shown.join(", "))))
}
