//! Native cycler and impedance-analyser exports, read into one schema.
//!
//! [`read_cycler_file`] detects the format from the file's content (the
//! extension only breaks ties) and returns a [`CyclerFile`]: a
//! [`TimeSeries`] for cycling data or [`EisSpectrum`]s for impedance data,
//! with the file's preamble as metadata. [`read_cycler_file_as`] skips
//! detection; [`stream_cycler_file`] hands records over one at a time, so a
//! file of any size is read in bounded memory (and
//! [`convert_to_parquet`] writes it to the Parquet layout in one call).
//!
//! Conventions, the same for every format:
//! - `test_time_s` is the test time in seconds as the cycler counts it
//!   (decimal seconds, hours, clock durations and Maccor's `Nd hh:mm:ss` are
//!   converted); a file whose only time is a date-time counts from its first
//!   record. `timestamp_s` keeps the wall clock where the file has one.
//! - Current is positive while charging. Where a format writes an unsigned
//!   current with a state column (Maccor `C`/`D`), the sign comes from the state.
//! - `cycle_index` is the cycle number the file writes (0-based for Maccor,
//!   PEC, EC-Lab, BaSyTec; 1-based for Arbin, Neware, Novonix). EC-Lab files
//!   with only a half-cycle counter get `floor(half_cycle / 2)`.
//! - `step_kind` is filled where the file names the step type.
//! - Impedance: `z_imag_ohm` is Im(Z) (capacitive < 0) whatever sign the file
//!   writes; one spectrum per cycle number where the file numbers them.
//!
//! ```no_run
//! use voltai_battery_data::cycler::{read_cycler_file, Format};
//!
//! let file = read_cycler_file("../shared/data/cycler_formats/neware/neware_uio.csv")?;
//! assert_eq!(file.format, Format::NewareCsv);
//! let series = file.time_series().expect("cycling data");
//! println!("{} records, last at {} s", series.records.len(), series.records.last().unwrap().test_time_s);
//! # Ok::<(), voltai_core::Error>(())
//! ```

mod arbin;
mod basytec;
mod biologic;
mod detect;
mod eis_text;
mod h5;
mod maccor;
mod mpr;
mod neware;
mod neware_bin;
mod novonix;
mod pec;
mod res;
mod table;
pub(crate) mod text;
pub(crate) mod time;
mod xlsx;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::schema::{EisSpectrum, TimeSeries, TimeSeriesRecord};
use voltai_core::{Error, Result};

pub use detect::detect_format;

/// A file format read by [`read_cycler_file`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    /// Maccor text exports: MIMS raw files (`.000`, `.041` ...), the
    /// key/value-preamble text export, and Maccor CSV.
    Maccor,
    /// Maccor FRA impedance export (`.EDA0001.041` ...).
    MaccorEda,
    /// Arbin CSV (MITS Pro 7/8 exports and BEEP's layout).
    ArbinCsv,
    /// Neware BTS record export as CSV.
    NewareCsv,
    /// BioLogic EC-Lab / BT-Lab ASCII export (`.mpt`, `.txt`): cycling
    /// techniques give a time series, impedance techniques (PEIS, GEIS, ZIR) spectra.
    BiologicMpt,
    /// BioLogic EC-Lab / BT-Lab binary file (`.mpr`), cycling or impedance.
    BiologicMpr,
    /// Arbin `.res` results database (Microsoft Access / Jet 4).
    ArbinRes,
    /// Arbin MITS Pro Excel export (`.xlsx`, `Channel_*` sheets).
    ArbinXlsx,
    /// Neware BTS Excel export (`.xlsx`, `record` / `Detail_*` sheets).
    NewareXlsx,
    /// Neware BTS binary `.nda` (versions 29 and 130).
    NewareNda,
    /// Neware BTS 8+ `.ndax` (a zip of `.ndc` record files and XML metadata).
    NewareNdax,
    /// Indigo HDF5 file (a pandas table in PyTables' fixed layout).
    IndigoH5,
    /// BaSyTec result file converted to text.
    Basytec,
    /// Novonix HPC CSV export.
    Novonix,
    /// PEC SBT CSV export.
    Pec,
    /// Gamry Framework EXPLAIN file (`.DTA`) with a `ZCURVE` table.
    GamryDta,
    /// Scribner ZPlot / ZPlotW (`.z`).
    ZPlot,
    /// Three columns without a header: frequency, Re(Z), Im(Z) (impedance.py).
    ImpedanceCsv,
}

impl Format {
    /// Every format, in the order detection tries them.
    pub const ALL: [Format; 18] = [
        Format::BiologicMpr,
        Format::NewareNda,
        Format::NewareNdax,
        Format::ArbinRes,
        Format::ArbinXlsx,
        Format::NewareXlsx,
        Format::IndigoH5,
        Format::BiologicMpt,
        Format::GamryDta,
        Format::ZPlot,
        Format::MaccorEda,
        Format::Maccor,
        Format::Basytec,
        Format::Novonix,
        Format::Pec,
        Format::NewareCsv,
        Format::ArbinCsv,
        Format::ImpedanceCsv,
    ];

    /// True for binary formats (their origins are record numbers, not lines).
    pub fn is_binary(self) -> bool {
        matches!(
            self,
            Format::BiologicMpr | Format::ArbinRes | Format::IndigoH5
        )
    }

    /// A human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Maccor => "Maccor text",
            Format::MaccorEda => "Maccor EDA impedance",
            Format::ArbinCsv => "Arbin CSV",
            Format::NewareCsv => "Neware CSV",
            Format::BiologicMpt => "BioLogic EC-Lab ASCII",
            Format::BiologicMpr => "BioLogic EC-Lab binary",
            Format::ArbinRes => "Arbin res",
            Format::ArbinXlsx => "Arbin xlsx",
            Format::NewareXlsx => "Neware xlsx",
            Format::NewareNda => "Neware nda",
            Format::NewareNdax => "Neware ndax",
            Format::IndigoH5 => "Indigo HDF5",
            Format::Basytec => "BaSyTec text",
            Format::Novonix => "Novonix CSV",
            Format::Pec => "PEC CSV",
            Format::GamryDta => "Gamry DTA",
            Format::ZPlot => "ZPlot",
            Format::ImpedanceCsv => "impedance CSV",
        }
    }
}

/// What a file held.
#[derive(Debug, Clone, PartialEq)]
pub enum CyclerData {
    /// Cycling data.
    TimeSeries {
        /// The records, in file order, with the file stem as cell id.
        series: TimeSeries,
        /// Where each record came from: its 1-based line in a text file, its
        /// 1-based record number in a binary one.
        origins: Vec<u64>,
    },
    /// Impedance spectra.
    Impedance(Vec<EisSpectrum>),
}

/// A file read by [`read_cycler_file`].
#[derive(Debug, Clone, PartialEq)]
pub struct CyclerFile {
    /// The format it was read as.
    pub format: Format,
    /// The path as given.
    pub path: String,
    /// Preamble keys and values as the file writes them (start date, channel,
    /// procedure, nominal capacity ...).
    pub metadata: BTreeMap<String, String>,
    /// When the file says the test started, as Unix seconds (local clock read
    /// as UTC, like `timestamp_s`).
    pub start_s: Option<f64>,
    /// The data.
    pub data: CyclerData,
}

impl CyclerFile {
    /// The time series, for cycling formats.
    pub fn time_series(&self) -> Option<&TimeSeries> {
        match &self.data {
            CyclerData::TimeSeries { series, .. } => Some(series),
            CyclerData::Impedance(_) => None,
        }
    }

    /// Removes records identical in every field to the one before, keeping
    /// `origins` aligned; returns how many were removed.
    pub fn drop_exact_duplicates(&mut self) -> Result<usize> {
        let CyclerData::TimeSeries { series, origins } = &mut self.data else {
            return Ok(0);
        };
        if origins.len() != series.records.len() {
            return Err(Error::internal(format!(
                "{} records but {} origins",
                series.records.len(),
                origins.len()
            )));
        }
        let before = series.records.len();
        let mut keep: Vec<TimeSeriesRecord> = Vec::with_capacity(before);
        let mut kept_origins = Vec::with_capacity(before);
        for (r, &o) in series.records.iter().zip(origins.iter()) {
            if keep.last() != Some(r) {
                keep.push(*r);
                kept_origins.push(o);
            }
        }
        series.records = keep;
        *origins = kept_origins;
        Ok(before - series.records.len())
    }

    /// The spectra, for impedance formats.
    pub fn spectra(&self) -> Option<&[EisSpectrum]> {
        match &self.data {
            CyclerData::Impedance(s) => Some(s),
            CyclerData::TimeSeries { .. } => None,
        }
    }
}

/// What [`stream_cycler_file`] learnt besides the records.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamSummary {
    /// The format read.
    pub format: Format,
    /// Preamble keys and values.
    pub metadata: BTreeMap<String, String>,
    /// When the file says the test started (Unix seconds).
    pub start_s: Option<f64>,
    /// Number of records handed over.
    pub records: usize,
    /// Spectra, for impedance formats (small enough to hold).
    pub spectra: Vec<EisSpectrum>,
}

/// Where readers put what they find.
pub(crate) struct Sink<'a> {
    on_record: &'a mut dyn FnMut(&TimeSeriesRecord, u64) -> Result<()>,
    pub(crate) metadata: BTreeMap<String, String>,
    pub(crate) spectra: Vec<EisSpectrum>,
    pub(crate) start_s: Option<f64>,
    pub(crate) records: usize,
}

impl<'a> Sink<'a> {
    fn new(on_record: &'a mut dyn FnMut(&TimeSeriesRecord, u64) -> Result<()>) -> Self {
        Sink {
            on_record,
            metadata: BTreeMap::new(),
            spectra: Vec::new(),
            start_s: None,
            records: 0,
        }
    }

    /// The summary of a finished read; a file without records, or with an
    /// empty spectrum, is an error.
    fn finish(self, format: Format, name: &str) -> Result<StreamSummary> {
        if self.spectra.iter().any(|s| s.is_empty()) || self.records == 0 && self.spectra.is_empty()
        {
            return Err(Error::parse(name, 0, 0, "no data records in the file"));
        }
        Ok(StreamSummary {
            format,
            start_s: self.start_s,
            metadata: self.metadata,
            records: self.records,
            spectra: self.spectra,
        })
    }

    pub(crate) fn record(&mut self, r: &TimeSeriesRecord, origin: u64) -> Result<()> {
        self.records += 1;
        (self.on_record)(r, origin)
    }
}

fn cell_id_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn binary(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| Error::io(path, e))
}

fn open(path: &Path) -> Result<BufReader<File>> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    Ok(BufReader::with_capacity(1 << 16, f))
}

/// Reads any supported file, detecting its format from content.
pub fn read_cycler_file(path: impl AsRef<Path>) -> Result<CyclerFile> {
    let path = path.as_ref();
    let format = detect_format(path)?;
    read_cycler_file_as(path, format)
}

/// Reads a file as the given format (no detection).
pub fn read_cycler_file_as(path: impl AsRef<Path>, format: Format) -> Result<CyclerFile> {
    let path = path.as_ref();
    collect(&path.display().to_string(), cell_id_of(path), |on_record| {
        stream_cycler_file(path, Some(format), on_record)
    })
}

/// Reads a text format from any reader (an archive member, a network
/// stream); `name` is used in errors and, without its extension, as the cell id.
/// Binary formats need a file: use [`read_cycler_file_as`].
pub fn read_cycler_text<R: std::io::Read>(
    format: Format,
    name: &str,
    reader: R,
) -> Result<CyclerFile> {
    if format.is_binary() {
        return Err(Error::InvalidInput(format!(
            "{} is a binary format: read it from a file",
            format.name()
        )));
    }
    let cell = cell_id_of(Path::new(name));
    collect(name, cell.clone(), |on_record| {
        let mut sink = Sink::new(on_record);
        read_text(format, name, &cell, BufReader::new(reader), &mut sink)?;
        sink.finish(format, name)
    })
}

/// Runs a streaming read and keeps its records (with their origins) in a
/// [`CyclerFile`].
fn collect(
    path: &str,
    cell_id: String,
    stream: impl FnOnce(&mut dyn FnMut(&TimeSeriesRecord, u64) -> Result<()>) -> Result<StreamSummary>,
) -> Result<CyclerFile> {
    let mut records = Vec::new();
    let mut origins = Vec::new();
    let summary = stream(&mut |r, o| {
        records.push(*r);
        origins.push(o);
        Ok(())
    })?;
    let data = if summary.spectra.is_empty() {
        CyclerData::TimeSeries {
            series: TimeSeries { cell_id, records },
            origins,
        }
    } else {
        CyclerData::Impedance(summary.spectra)
    };
    Ok(CyclerFile {
        format: summary.format,
        path: path.to_string(),
        metadata: summary.metadata,
        start_s: summary.start_s,
        data,
    })
}

/// Reads a file record by record without holding it: `on_record` gets each
/// record with its origin (line or record number). `format: None` detects it.
/// An impedance file's spectra come back in the summary.
pub fn stream_cycler_file(
    path: impl AsRef<Path>,
    format: Option<Format>,
    on_record: &mut dyn FnMut(&TimeSeriesRecord, u64) -> Result<()>,
) -> Result<StreamSummary> {
    let path = path.as_ref();
    let format = match format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    let name = path.display().to_string();
    let mut sink = Sink::new(on_record);
    let cell = cell_id_of(path);
    match format {
        Format::BiologicMpr => mpr::read(binary(path)?, &name, &cell, &mut sink)?,
        Format::ArbinRes => res::read(binary(path)?, &name, &mut sink)?,
        Format::IndigoH5 => h5::read(path, &name, &mut sink)?,
        Format::ArbinXlsx => xlsx::read(path, &name, format, &arbin::DIALECT, &mut sink)?,
        Format::NewareXlsx => xlsx::read(path, &name, format, &neware::DIALECT, &mut sink)?,
        // .nda files are tens of MB at most, and their records must be sorted
        // and numbered across the file, so they are read whole.
        Format::NewareNda => {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            neware_bin::read_nda(&bytes, &name, &mut sink)?
        }
        Format::NewareNdax => neware_bin::read_ndax(binary(path)?, &name, &mut sink)?,
        _ => read_text(format, &name, &cell, open(path)?, &mut sink)?,
    }
    if format == Format::ArbinCsv {
        arbin::companion_metadata(path, &mut sink)?;
    }
    sink.finish(format, &name)
}

/// Reads text content of a known format from any reader (`name` for errors,
/// `cell` as the id of spectra).
pub(crate) fn read_text<R: BufRead>(
    format: Format,
    name: &str,
    cell: &str,
    reader: R,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let mut lines = text::Lines::new(name, reader, encoding_rs::WINDOWS_1252);
    match format {
        Format::Maccor => maccor::read(&mut lines, sink),
        Format::MaccorEda => eis_text::read_maccor_eda(&mut lines, cell, sink),
        Format::ArbinCsv => arbin::read(&mut lines, sink),
        Format::NewareCsv => neware::read_csv(&mut lines, sink),
        Format::BiologicMpt => biologic::read_mpt(&mut lines, cell, sink),
        Format::BiologicMpr
        | Format::ArbinRes
        | Format::IndigoH5
        | Format::ArbinXlsx
        | Format::NewareXlsx
        | Format::NewareNda
        | Format::NewareNdax => Err(Error::internal(
            "a binary format passed to the text readers",
        )),
        Format::Basytec => basytec::read(&mut lines, sink),
        Format::Novonix => novonix::read(&mut lines, sink),
        Format::Pec => pec::read(&mut lines, sink),
        Format::GamryDta => eis_text::read_gamry(&mut lines, cell, sink),
        Format::ZPlot => eis_text::read_zplot(&mut lines, cell, sink),
        Format::ImpedanceCsv => eis_text::read_impedance_csv(&mut lines, cell, sink),
    }
}

/// Reads the data lines after a resolved header until the end of the file.
pub(crate) fn read_rows<R: BufRead>(
    lines: &mut text::Lines<R>,
    layout: &mut table::Layout,
    sink: &mut Sink<'_>,
) -> Result<()> {
    while let Some((n, line)) = lines.next_numbered()? {
        match layout.record(line, n) {
            Ok(Some(r)) => sink.record(&r, n)?,
            Ok(None) => {}
            // A file cut off mid-line (a copied excerpt, a crashed export): the
            // cut last line keeps the values it has, a missing measurement is
            // NaN, and the metadata says so (validation reports it too). A
            // short line before the end is an error.
            Err(e) if layout.is_short(line) => {
                let fields = layout.fields_in(line);
                let partial = layout.partial_record(line, n);
                let rest_blank = loop {
                    match lines.next_line()? {
                        None => break true,
                        Some(l) if l.trim().is_empty() => continue,
                        Some(_) => break false,
                    }
                };
                if !rest_blank {
                    return Err(e);
                }
                sink.metadata.insert(
                    "truncated_last_line".into(),
                    format!(
                        "line {n}: {fields} of {} fields; missing values are NaN",
                        layout.width()
                    ),
                );
                if let Ok(Some(r)) = partial {
                    sink.record(&r, n)?;
                }
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Splits a header line into trimmed field names.
pub(crate) fn header_fields(line: &str, delimiter: u8) -> Vec<String> {
    let mut ranges = Vec::new();
    text::split_fields(line, delimiter, &mut ranges);
    let mut out: Vec<String> = ranges
        .iter()
        .map(|&r| text::field(line, r).to_string())
        .collect();
    // A trailing delimiter (EC-Lab, PEC) makes an empty last name.
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// Writes any cycling file to the time-series Parquet layout in one call,
/// streaming it in batches; returns the number of records written.
#[cfg(feature = "parquet")]
pub fn convert_to_parquet(
    path: impl AsRef<Path>,
    out: impl AsRef<Path>,
    format: Option<Format>,
) -> Result<usize> {
    const BATCH: usize = 65_536;
    let path = path.as_ref();
    let cell = cell_id_of(path);
    let mut writer = crate::parquet_io::ParquetTableWriter::time_series(out)?;
    let mut buf = Vec::with_capacity(BATCH);
    let summary = stream_cycler_file(path, format, &mut |r, _| {
        buf.push(*r);
        if buf.len() == BATCH {
            writer.write_time_series(&cell, &buf)?;
            buf.clear();
        }
        Ok(())
    })?;
    if !summary.spectra.is_empty() {
        return Err(Error::InvalidInput(format!(
            "{} holds impedance spectra, not a time series",
            path.display()
        )));
    }
    if !buf.is_empty() {
        writer.write_time_series(&cell, &buf)?;
    }
    writer.finish()?;
    Ok(summary.records)
}
