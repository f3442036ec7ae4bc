//! Reader for Neware BTS binary files: `.nda` (one binary file) and `.ndax`
//! (a zip archive of `.ndc` binary tables plus XML metadata).
//!
//! The decoding mirrors NewareNDA (SES AI, BSD-3-Clause), whose output is the
//! reference: the same records, the same `Step` numbering (a count of changes),
//! the same software cycle numbering (`cycle_mode='chg'`) and, for `.ndax`
//! files whose main table only holds voltage and current, the same merge with
//! `data_runInfo.ndc` / `data_step.ndc` and the same interpolation of the
//! timestamps and capacities of the records that have no runInfo entry.
//!
//! # `.nda`
//!
//! The file starts with `NEWARE`; byte 14 is the format version.
//!
//! * Version 29: 86-byte records after the first `00 00 00 00 55 00`
//!   signature that is followed by another record. Data records start
//!   `55 00`, auxiliary records `65`; both end with four zero bytes. Integer
//!   fields are scaled by a multiplier chosen from the record's current range.
//!   Timestamps are wall-clock date-times without a zone; they are reported as
//!   if they were UTC.
//! * Version 130 (BTS 9.x): records start at byte 1024. BTS 9.1 records start
//!   `55` and are 52, 56 (with a trailing temperature) or 60 bytes long;
//!   BTS 9.0 records are 88 bytes long. A record starting `81` ends the data.
//!
//! # `.ndax`
//!
//! Every `.ndc` member has a 4096-byte header (byte 0: file type, byte 2:
//! version) followed by 4096-byte pages. A page holds a bitmap of valid slots
//! at byte 4 and fixed-size slots from byte 132 on; the page bitmap decides
//! which slots hold records. Versions 2 and 5 carry complete records in
//! `data.ndc`; versions 11, 14, 16 and 17 keep only voltage and current there
//! and need `data_runInfo.ndc` (times, capacities) and `data_step.ndc`
//! (step types). Auxiliary channels live in `data_AUX_<chl>_<type>_<n>.ndc`
//! members, described by the `AuxN` entries of `TestInfo.xml`
//! (`RealChlID` = `<chl>`, `ChlType` = 100 + `<type>`, 103 = temperature).
//!
//! # Output
//!
//! Records are emitted in ascending Neware record index (`Index`), which is
//! also passed to the sink as the record origin. Test time is the record
//! timestamp minus the first timestamp of the file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Seek};

use voltai_core::{Error, Result};

use super::Sink;
use crate::schema::{StepKind, TimeSeriesRecord};

/// Magic bytes at the start of every `.nda` file.
const NDA_MAGIC: &[u8] = b"NEWARE";
/// Offset of the `.nda` format version byte.
const NDA_VERSION_OFFSET: usize = 14;
/// Record length of `.nda` version 29.
const NDA29_RECORD_LEN: usize = 86;
/// Signature that precedes the first version-29 data record (the record starts at its fifth byte).
const NDA29_SIGNATURE: &[u8] = &[0, 0, 0, 0, 0x55, 0];
/// Bytes that end every version-29 data and auxiliary record.
const NDA29_RECORD_TAIL: &[u8] = &[0, 0, 0, 0];
/// Start of the record section of `.nda` version 130.
const NDA130_DATA_START: usize = 1024;
/// Record length of BTS 9.0 `.nda` files.
const BTS90_RECORD_LEN: usize = 88;
/// Shortest BTS 9.1 record that holds every decoded field.
const BTS91_MIN_RECORD_LEN: usize = 52;
/// BTS 9.1 record length that carries a temperature at byte 52.
const BTS91_TEMPERATURE_RECORD_LEN: usize = 56;
/// BTS 9.1 record lengths seen in the wild.
const BTS91_KNOWN_RECORD_LENS: [usize; 3] = [52, 56, 60];
/// Prefix of an auxiliary record inside a version-130 file.
const NDA130_AUX_PREFIX: &[u8] = &[0, 0, 0, 0, 0x65];
/// Marker of the metadata footer of version-130 files.
const NDA130_FOOTER_MARKER: &[u8] = &[
    0x06, 0x00, 0xf0, 0x1d, 0x81, 0x00, 0x03, 0x00, 0x61, 0x90, 0x71, 0x90, 0x02, 0x7f, 0xff, 0x00,
];
/// First byte of a data record.
const RECORD_DATA: u8 = 0x55;
/// First byte of an auxiliary record (voltage and temperature).
const RECORD_AUX: u8 = 0x65;
/// First byte of an auxiliary record (voltage, temperature and a second temperature).
const RECORD_AUX_EXTENDED: u8 = 0x74;
/// First byte of the record that ends the data section of version-130 files.
const RECORD_END: u8 = 0x81;

/// Size of the `.ndc` header and of every `.ndc` page.
const NDC_PAGE: usize = 4096;
/// Offset of the first slot inside an `.ndc` page.
const NDC_DATA_START: usize = 132;
/// Offset of the valid-slot bitmap inside an `.ndc` page.
const NDC_BITMAP_START: usize = 4;
/// Offset of the record signature used by `.ndc` version 2.
const NDC2_SIGNATURE: usize = 517;
/// Length of the record signature used by `.ndc` version 2.
const NDC2_SIGNATURE_LEN: usize = 8;
/// Record length of `.ndc` version 2.
const NDC2_RECORD_LEN: usize = 94;
/// Page layout of `.ndc` version 5 (87-byte slots from byte 125, 45 per page).
const NDC5_LAYOUT: PageLayout = PageLayout {
    data_start: 125,
    record_len: 87,
    per_page: 45,
};
/// Offset of the record-type byte inside an `.ndc` version 5 slot.
const NDC5_MARKER: usize = 7;
/// `.ndc` file type of the main table.
const NDC_MAIN: u8 = 1;
/// `.ndc` file type of auxiliary channel tables.
const NDC_AUX: u8 = 5;
/// `.ndc` file type of the step table.
const NDC_STEP: u8 = 7;
/// `.ndc` file type of the runInfo table.
const NDC_RUN_INFO: u8 = 18;
/// Name of the main table inside an `.ndax` archive.
const MAIN_MEMBER: &str = "data.ndc";
/// Name of the runInfo table inside an `.ndax` archive.
const RUN_INFO_MEMBER: &str = "data_runInfo.ndc";
/// Name of the step table inside an `.ndax` archive.
const STEP_MEMBER: &str = "data_step.ndc";
/// Largest archive member this reader inflates.
const MAX_MEMBER_BYTES: u64 = 1 << 32;
/// `ChlType` of a temperature auxiliary channel in `TestInfo.xml`.
const TEMPERATURE_CHL_TYPE: u64 = 103;

/// Neware status code `SIM` (simulation step).
const STATUS_SIM: u8 = 17;

/// Reads a whole `.nda` file (versions 29 and 130) and emits its records to `sink`.
///
/// `file` names the file in error messages. Records are emitted in ascending
/// Neware index after dropping repeated indices; the sink's `start_s` is set to
/// the first timestamp and format details are added to its metadata.
pub(crate) fn read_nda(bytes: &[u8], file: &str, sink: &mut Sink<'_>) -> Result<()> {
    if bytes.get(..NDA_MAGIC.len()) != Some(NDA_MAGIC) {
        return Err(parse_error(
            file,
            0,
            "not a Neware .nda file (no NEWARE signature)",
        ));
    }
    let version = bytes.get(NDA_VERSION_OFFSET).copied().ok_or_else(|| {
        parse_error(
            file,
            NDA_VERSION_OFFSET,
            "file ends before the version byte",
        )
    })?;
    nda_metadata(bytes, version, &mut sink.metadata);
    let (rows, aux) = match version {
        29 => read_nda_29(bytes, file)?,
        130 => read_nda_130(bytes, file, &mut sink.metadata)?,
        other => {
            return Err(parse_error(
                file,
                NDA_VERSION_OFFSET,
                format!("unsupported .nda version {other} (supported: 29, 130)"),
            ));
        }
    };
    let rows = finish_unordered_rows(rows, &aux);
    emit(&rows, sink)
}

/// Reads an `.ndax` archive and emits its records to `sink`.
///
/// `file` names the archive in error messages; errors inside a member name it
/// as `file/member` with the byte offset inside the member as the column.
pub(crate) fn read_ndax<R: Read + Seek>(reader: R, file: &str, sink: &mut Sink<'_>) -> Result<()> {
    let mut archive = zip::ZipArchive::new(reader)
        .map_err(|e| parse_error(file, 0, format!("cannot open the .ndax zip archive: {e}")))?;
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| parse_error(file, 0, format!("unreadable .ndax entry name: {e}")))?;
    let has = |name: &str| names.iter().any(|n| n == name);

    put(&mut sink.metadata, "neware.format", "ndax");
    let test_info = if has("TestInfo.xml") {
        read_member(&mut archive, "TestInfo.xml", file)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    } else {
        None
    };
    if let Some(xml) = &test_info {
        test_info_metadata(xml, &mut sink.metadata);
    }
    if has("VersionInfo.xml")
        && let Ok(bytes) = read_member(&mut archive, "VersionInfo.xml", file)
    {
        version_info_metadata(&String::from_utf8_lossy(&bytes), &mut sink.metadata);
    }

    if !has(MAIN_MEMBER) {
        return Err(parse_error(
            file,
            0,
            "the .ndax archive has no data.ndc member",
        ));
    }
    let main_loc = member_loc(file, MAIN_MEMBER);
    let main = read_member(&mut archive, MAIN_MEMBER, file)?;
    let (filetype, version) = ndc_header(&main, &main_loc)?;
    if filetype != NDC_MAIN {
        return Err(parse_error(
            &main_loc,
            0,
            format!("expected .ndc file type 1, found {filetype}"),
        ));
    }
    put(
        &mut sink.metadata,
        "neware.ndc_version",
        version.to_string(),
    );

    let mut rows = match version {
        2 => finish_unordered_rows(ndc2_rows(&main, &main_loc)?, &[]),
        5 => finish_unordered_rows(ndc5_rows(&main, &main_loc)?, &[]),
        11 | 14 | 16 | 17 => {
            let samples = ndc_main_samples(&main, version, &main_loc)?;
            for member in [RUN_INFO_MEMBER, STEP_MEMBER] {
                if !has(member) {
                    return Err(parse_error(
                        file,
                        0,
                        format!(
                            "data.ndc version {version} needs {member}, which the archive lacks"
                        ),
                    ));
                }
            }
            let run_loc = member_loc(file, RUN_INFO_MEMBER);
            let run_bytes = read_member(&mut archive, RUN_INFO_MEMBER, file)?;
            let (run_info, run_version) = ndc_run_info(&run_bytes, &run_loc)?;
            let step_loc = member_loc(file, STEP_MEMBER);
            let step_bytes = read_member(&mut archive, STEP_MEMBER, file)?;
            let (steps, step_version) = ndc_steps(&step_bytes, &step_loc)?;
            put(
                &mut sink.metadata,
                "neware.run_info_ndc_version",
                run_version.to_string(),
            );
            put(
                &mut sink.metadata,
                "neware.step_ndc_version",
                step_version.to_string(),
            );
            let (rows, orphans) = merge_run_info(&samples, &run_info, &steps);
            if orphans > 0 {
                put(
                    &mut sink.metadata,
                    "neware.rows_without_run_info",
                    orphans.to_string(),
                );
            }
            rows
        }
        other => {
            return Err(parse_error(
                &main_loc,
                2,
                format!("unsupported .ndc version {other} (supported: 2, 5, 11, 14, 16, 17)"),
            ));
        }
    };

    if let Some((source, temperatures)) = ndax_temperature(
        &mut archive,
        &names,
        test_info.as_deref(),
        file,
        &mut sink.metadata,
    ) {
        put(&mut sink.metadata, "neware.temperature_source", source);
        for row in &mut rows {
            row.temperature_c = temperatures.get(&row.index).copied();
        }
    }
    emit(&rows, sink)
}

// ---------------------------------------------------------------------------
// Common record model and output
// ---------------------------------------------------------------------------

/// One decoded record, in NewareNDA units (V, mA, mAh, Unix seconds).
#[derive(Debug, Clone, Copy)]
struct Row {
    /// Neware record index (1-based).
    index: u32,
    /// Step number; for unordered rows first the raw step key, replaced by the change count.
    step: u32,
    /// Neware status code (`None` when the step table has no entry for the step).
    status: Option<u8>,
    /// Voltage in V.
    voltage_v: f64,
    /// Current in mA, positive when charging.
    current_ma: f64,
    /// Charge capacity in mAh.
    charge_mah: f64,
    /// Discharge capacity in mAh (positive).
    discharge_mah: f64,
    /// Unix timestamp in seconds.
    timestamp_s: Option<f64>,
    /// Temperature of the first temperature channel in degrees Celsius.
    temperature_c: Option<f64>,
}

/// A temperature sample from an `.nda` auxiliary record.
#[derive(Debug, Clone, Copy)]
struct AuxSample {
    /// Neware record index the sample belongs to.
    index: u32,
    /// Auxiliary channel number.
    channel: u8,
    /// Temperature in degrees Celsius.
    temperature_c: f64,
}

/// Orders rows that came straight from the records (`.nda`, `.ndc` v2 / v5).
///
/// Drops repeated indices (first one wins), sorts by index, numbers the steps
/// by counting changes of the raw step key and joins the temperatures of the
/// lowest auxiliary channel.
fn finish_unordered_rows(mut rows: Vec<Row>, aux: &[AuxSample]) -> Vec<Row> {
    let mut seen = HashSet::with_capacity(rows.len());
    rows.retain(|r| seen.insert(r.index));
    rows.sort_by_key(|r| r.index);
    let mut previous: Option<u32> = None;
    let mut count = 0_u32;
    for row in &mut rows {
        if previous != Some(row.step) {
            count = count.saturating_add(1);
        }
        previous = Some(row.step);
        row.step = count;
    }
    if let Some(channel) = aux.iter().map(|a| a.channel).min() {
        let mut temperatures = HashMap::new();
        for sample in aux.iter().filter(|a| a.channel == channel) {
            temperatures
                .entry(sample.index)
                .or_insert(sample.temperature_c);
        }
        for row in &mut rows {
            row.temperature_c = temperatures.get(&row.index).copied();
        }
    }
    rows
}

/// Sends `rows` (already in output order) to the sink.
fn emit(rows: &[Row], sink: &mut Sink<'_>) -> Result<()> {
    let first_timestamp = rows.iter().find_map(|r| r.timestamp_s);
    if first_timestamp.is_some() {
        sink.start_s = first_timestamp;
    }
    let mut cycles = ChargeCycles::default();
    let mut last_test_time = 0.0_f64;
    for row in rows {
        let cycle_index = cycles.advance(row.status);
        let test_time_s = match (row.timestamp_s, first_timestamp) {
            (Some(t), Some(t0)) => t - t0,
            _ => last_test_time,
        };
        last_test_time = test_time_s;
        let record = TimeSeriesRecord {
            test_time_s,
            timestamp_s: row.timestamp_s,
            cycle_index,
            step_index: row.step,
            step_kind: step_kind(row.status),
            voltage_v: row.voltage_v,
            current_a: row.current_ma / 1000.0,
            charge_capacity_ah: Some(row.charge_mah / 1000.0),
            discharge_capacity_ah: Some(row.discharge_mah / 1000.0),
            temperature_c: row.temperature_c,
        };
        sink.record(&record, u64::from(row.index))?;
    }
    Ok(())
}

/// Maps a Neware status code to a step kind.
fn step_kind(status: Option<u8>) -> StepKind {
    match status {
        None => StepKind::Unknown,
        Some(1 | 2) => StepKind::ConstantCurrent,
        Some(3 | 19) => StepKind::ConstantVoltage,
        Some(7 | 20) => StepKind::ConstantCurrentConstantVoltage,
        Some(8 | 9) => StepKind::ConstantPower,
        Some(10) => StepKind::ConstantResistance,
        Some(4 | 13 | 22) => StepKind::Rest,
        Some(16) => StepKind::Pulse,
        Some(_) => StepKind::Other,
    }
}

/// NewareNDA's software cycle numbering with `cycle_mode='chg'`.
///
/// A new cycle starts when a charge step (CC, CCCV or CP charge) begins after
/// a discharge (or a SIM step) has been seen.
#[derive(Debug, Default)]
struct ChargeCycles {
    /// Whether a record has been numbered yet.
    started: bool,
    /// Current cycle number.
    cycle: u32,
    /// Whether the previous record was an incrementing charge status.
    previous_incrementing: bool,
    /// Set by a discharge or SIM record, cleared when the cycle increments.
    flag: bool,
}

impl ChargeCycles {
    /// Returns the cycle number of the next record.
    fn advance(&mut self, status: Option<u8>) -> u32 {
        let incrementing = matches!(status, Some(1 | 7 | 9));
        let starts_increment = !self.started || (incrementing && !self.previous_incrementing);
        if !self.started {
            self.started = true;
            self.cycle = 1;
        }
        self.previous_incrementing = incrementing;
        // Status names of the form `<mode>_<Chg|DChg>`; the others (Rest,
        // Cycle, Pause, Pulse, SIM, Control, OCV, unknown) have no mode.
        let (has_mode, discharge) = match status {
            Some(1 | 3 | 7 | 9 | 27) => (true, false),
            Some(2 | 8 | 10 | 19 | 20 | 26) => (true, true),
            _ => (false, false),
        };
        if has_mode {
            if starts_increment && self.flag {
                self.cycle = self.cycle.saturating_add(1);
                self.flag = false;
            } else if discharge {
                self.flag = true;
            }
        } else if status == Some(STATUS_SIM) {
            self.flag = true;
        }
        self.cycle
    }
}

/// Current multiplier for a version-29 / `.ndc` v2, v5 current range code.
fn range_multiplier(range: i32) -> Option<f64> {
    Some(match range {
        -100_000_000 => 10.0,
        -200_000 | -100_000 | -60_000 | -50_000 | -40_000 | -30_000 | -20_000 | -12_000
        | -10_000 | -6_000 | -5_000 | -3_000 | -2_000 | -1_000 => 1e-2,
        -500 | -100 => 1e-3,
        -50 | -25 | -20 | -10 => 1e-4,
        -5 | -2 | -1 => 1e-5,
        0 => 0.0,
        1 | 2 | 5 => 1e-4,
        10 | 20 | 25 | 50 => 1e-3,
        100 | 200 | 250 | 500 => 1e-2,
        1_000 | 6_000 | 10_000 | 12_000 | 20_000 | 30_000 | 40_000 | 50_000 | 60_000 | 100_000
        | 200_000 => 1e-1,
        _ => return None,
    })
}

// ---------------------------------------------------------------------------
// .nda
// ---------------------------------------------------------------------------

/// Decodes the records of an `.nda` version 29 file.
fn read_nda_29(bytes: &[u8], loc: &str) -> Result<(Vec<Row>, Vec<AuxSample>)> {
    let no_records = || parse_error(loc, 0, "no version-29 data records found");
    // The first signature whose record has a non-zero status and is followed
    // by another data record marks the start of the data section.
    let mut header = find(bytes, NDA29_SIGNATURE, 0).ok_or_else(no_records)?;
    loop {
        let start = header.checked_add(4).ok_or_else(no_records)?;
        let Some(probe) = start.checked_add(NDA29_RECORD_LEN) else {
            break;
        };
        if probe >= bytes.len() {
            break;
        }
        let next_is_data = bytes.get(probe).copied() == Some(RECORD_DATA);
        let status_set = start
            .checked_add(12)
            .and_then(|at| bytes.get(at))
            .is_some_and(|s| *s != 0);
        if next_is_data && status_set {
            break;
        }
        header = find(bytes, NDA29_SIGNATURE, start).ok_or_else(no_records)?;
    }

    let mut rows = Vec::new();
    let mut aux = Vec::new();
    let mut pos = header.checked_add(4).ok_or_else(no_records)?;
    while let Some(end) = pos.checked_add(NDA29_RECORD_LEN) {
        let Some(chunk) = bytes.get(pos..end) else {
            break;
        };
        let tail_ok = chunk.get(82..86) == Some(NDA29_RECORD_TAIL);
        let rec = Rec::new(chunk, pos, loc);
        if chunk.get(..2) == Some(&[RECORD_DATA, 0][..]) && tail_ok {
            if let Some(row) = nda29_row(rec)? {
                rows.push(row);
            }
        } else if chunk.first().copied() == Some(RECORD_AUX) && tail_ok {
            aux.push(nda_aux_sample(rec)?);
        }
        pos = end;
    }
    Ok((rows, aux))
}

/// Byte offsets of the fixed-point record shared by `.nda` version 29 and
/// `.ndc` versions 2 and 5: the same fields, placed differently.
struct FixedPointLayout {
    index: usize,
    /// The step key: a 32-bit word (v29, whose changes NewareNDA counts:
    /// step index, status and one more byte) or the step index byte.
    step: usize,
    step_is_word: bool,
    status: usize,
    voltage: usize,
    current: usize,
    charge: usize,
    discharge: usize,
    date: usize,
    range: usize,
}

const NDA29_LAYOUT: FixedPointLayout = FixedPointLayout {
    index: 2,
    step: 10,
    step_is_word: true,
    status: 12,
    voltage: 22,
    current: 26,
    charge: 38,
    discharge: 46,
    date: 70,
    range: 78,
};

const NDC_FULL_LAYOUT: FixedPointLayout = FixedPointLayout {
    index: 8,
    step: 16,
    step_is_word: false,
    status: 17,
    voltage: 31,
    current: 35,
    charge: 43,
    discharge: 51,
    date: 75,
    range: 82,
};

/// Decodes a fixed-point record: voltage in 0.1 mV, current and charges
/// scaled by the range's multiplier, a Y-M-D h:m:s wall clock.
fn fixed_point_row(rec: Rec<'_>, at: &FixedPointLayout) -> Result<Row> {
    let index = rec.u32(at.index)?;
    let step = if at.step_is_word {
        rec.u32(at.step)?
    } else {
        u32::from(rec.u8(at.step)?)
    };
    let status = rec.u8(at.status)?;
    let voltage = rec.i32(at.voltage)?;
    let current = rec.i32(at.current)?;
    let charge = rec.i64(at.charge)?;
    let discharge = rec.i64(at.discharge)?;
    let range = rec.i32(at.range)?;
    let multiplier = range_multiplier(range)
        .ok_or_else(|| rec.error(at.range, format!("unknown current range code {range}")))?;
    let d = at.date;
    let timestamp_s = naive_unix_seconds(
        rec.u16(d)?,
        rec.u8(d + 2)?,
        rec.u8(d + 3)?,
        rec.u8(d + 4)?,
        rec.u8(d + 5)?,
        rec.u8(d + 6)?,
    );
    Ok(Row {
        index,
        step,
        status: Some(status),
        voltage_v: f64::from(voltage) / 10000.0,
        current_ma: f64::from(current) * multiplier,
        charge_mah: charge as f64 * multiplier / 3600.0,
        discharge_mah: discharge as f64 * multiplier / 3600.0,
        timestamp_s,
        temperature_c: None,
    })
}

/// Decodes one version-29 data record; `None` for records with index or status 0.
fn nda29_row(rec: Rec<'_>) -> Result<Option<Row>> {
    if rec.u32(NDA29_LAYOUT.index)? == 0 || rec.u8(NDA29_LAYOUT.status)? == 0 {
        return Ok(None);
    }
    fixed_point_row(rec, &NDA29_LAYOUT).map(Some)
}

/// Decodes a version-29 style auxiliary record (channel, index, temperature).
fn nda_aux_sample(rec: Rec<'_>) -> Result<AuxSample> {
    Ok(AuxSample {
        channel: rec.u8(1)?,
        index: rec.u32(2)?,
        temperature_c: f64::from(rec.i16(34)?) / 10.0,
    })
}

/// Decodes the records of an `.nda` version 130 (BTS 9.0 / 9.1) file.
fn read_nda_130(
    bytes: &[u8],
    loc: &str,
    metadata: &mut BTreeMap<String, String>,
) -> Result<(Vec<Row>, Vec<AuxSample>)> {
    let identifier = NDA130_DATA_START
        .checked_add(6)
        .and_then(|end| bytes.get(NDA130_DATA_START..end))
        .ok_or_else(|| parse_error(loc, NDA130_DATA_START, "file ends before the data section"))?;
    let record_len = if identifier.first().copied() == Some(RECORD_DATA) {
        bts91_record_len(bytes).ok_or_else(|| {
            parse_error(
                loc,
                NDA130_DATA_START,
                "cannot determine the BTS 9.1 record length",
            )
        })?
    } else {
        BTS90_RECORD_LEN
    };
    put(metadata, "neware.nda_record_length", record_len.to_string());

    let mut rows = Vec::new();
    let mut aux = Vec::new();
    let mut pos = NDA130_DATA_START;
    while let Some(end) = pos.checked_add(record_len) {
        let Some(chunk) = bytes.get(pos..end) else {
            break;
        };
        let rec = Rec::new(chunk, pos, loc);
        if chunk.first().copied() == Some(RECORD_DATA) {
            rows.push(bts91_row(rec)?);
            if record_len == BTS91_TEMPERATURE_RECORD_LEN {
                aux.push(AuxSample {
                    index: rec.u32(8)?,
                    channel: 1,
                    temperature_c: f64::from(rec.f32(52)?),
                });
            }
        } else if chunk.get(..6) == Some(identifier) {
            rows.push(bts90_row(rec.sub(4)?)?);
        } else if chunk.get(..5) == Some(NDA130_AUX_PREFIX) {
            aux.push(nda_aux_sample(rec.sub(4)?)?);
        } else if chunk.first().copied() == Some(RECORD_END) {
            break;
        }
        pos = end;
    }
    Ok((rows, aux))
}

/// Length of BTS 9.1 records.
///
/// NewareNDA's rule (distance to the next occurrence of the first record's two
/// leading bytes) when the records it implies line up, else the first known
/// length that lines up.
fn bts91_record_len(bytes: &[u8]) -> Option<usize> {
    let key_end = NDA130_DATA_START.checked_add(2)?;
    let key = bytes.get(NDA130_DATA_START..key_end)?;
    let found = find(bytes, key, key_end).and_then(|p| p.checked_sub(NDA130_DATA_START));
    let lines_up = |len: usize| {
        (1..=3_usize).all(|k| {
            k.checked_mul(len)
                .and_then(|o| o.checked_add(NDA130_DATA_START))
                .is_none_or(|o| {
                    matches!(bytes.get(o).copied(), None | Some(RECORD_DATA | RECORD_END))
                })
        })
    };
    let usable = |len: &usize| *len >= BTS91_MIN_RECORD_LEN;
    found
        .filter(|len| usable(len) && lines_up(*len))
        .or_else(|| {
            BTS91_KNOWN_RECORD_LENS
                .iter()
                .copied()
                .find(|len| lines_up(*len))
        })
        .or_else(|| found.filter(usable))
}

/// Decodes a BTS 9.1 data record.
fn bts91_row(rec: Rec<'_>) -> Result<Row> {
    let step_index = rec.u8(2)?;
    let status = rec.u8(3)?;
    let index = rec.u32(8)?;
    let current = rec.f32(20)?;
    let voltage = rec.f32(24)?;
    let capacity = f64::from(rec.f32(28)?) / 3600.0;
    let date = rec.u32(44)?;
    let date_ns = rec.u32(48)?;
    Ok(Row {
        index,
        step: u32::from(step_index),
        status: Some(status),
        voltage_v: f64::from(voltage),
        current_ma: f64::from(current),
        charge_mah: if capacity < 0.0 { 0.0 } else { capacity },
        discharge_mah: if capacity > 0.0 { 0.0 } else { capacity.abs() },
        timestamp_s: Some(f64::from(date) + 1e-9 * f64::from(date_ns)),
        temperature_c: None,
    })
}

/// Decodes a BTS 9.0 data record (`rec` starts four bytes into the 88-byte record).
fn bts90_row(rec: Rec<'_>) -> Result<Row> {
    let step_index = rec.u8(5)?;
    let status = rec.u8(6)?;
    let index = rec.u32(12)?;
    let voltage = rec.f32(32)?;
    let current = rec.f32(36)?;
    let charge = rec.f32(48)?;
    let discharge = rec.f32(56)?;
    let date_us = rec.u64(64)?;
    Ok(Row {
        index,
        step: u32::from(step_index),
        status: Some(status),
        voltage_v: f64::from(voltage),
        current_ma: f64::from(current),
        charge_mah: f64::from(charge) / 3600.0,
        discharge_mah: f64::from(discharge) / 3600.0,
        timestamp_s: Some(date_us as f64 / 1e6),
        temperature_c: None,
    })
}

/// Adds the `.nda` header details NewareNDA reports to the metadata.
fn nda_metadata(bytes: &[u8], version: u8, metadata: &mut BTreeMap<String, String>) {
    put(metadata, "neware.format", "nda");
    put(metadata, "neware.nda_version", version.to_string());
    let head = bytes.get(..bytes.len().min(1024)).unwrap_or_default();
    if let Some(at) = find(bytes, b"BTSServer", 0) {
        put(metadata, "neware.server_version", c_text(bytes, at, 50));
        put(
            metadata,
            "neware.client_version",
            c_text(bytes, at.saturating_add(100), 50),
        );
    } else if let Some(start) = find(head, b"BTS_XWJ", 0)
        && let Some(end) = find(head, &[0], start)
        && let Some(text) = head.get(start..end)
    {
        put(
            metadata,
            "neware.server_version",
            String::from_utf8_lossy(text).trim(),
        );
    }
    match version {
        29 => {
            if let Some(mass) = bytes
                .get(152..156)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
            {
                let mass_mg = f64::from(u32::from_le_bytes(mass)) / 1000.0;
                put(metadata, "neware.active_mass_mg", mass_mg.to_string());
            }
            if let Some(remarks) = bytes.get(2317..2417) {
                put(metadata, "neware.remarks", ascii_text(remarks));
            }
        }
        130 => {
            let bts = match bytes.get(NDA130_DATA_START).copied() {
                Some(85) => Some(("9.1", b"9.1.")),
                Some(18) => Some(("9.0", b"9.0.")),
                _ => None,
            };
            if let Some((short, needle)) = bts {
                let full = find(bytes, needle, 0).map(|at| c_text(bytes, at, 64));
                put(
                    metadata,
                    "neware.bts_version",
                    full.unwrap_or_else(|| short.to_owned()),
                );
            }
            if let Some(footer) = rfind(bytes, NDA130_FOOTER_MARKER, NDA130_DATA_START)
                && let Some(start) = footer.checked_add(NDA130_FOOTER_MARKER.len())
                && let Some(end) = start.checked_add(499)
                && let Some(block) = bytes.get(start..end)
            {
                if let Some(mass) = block
                    .get(491..499)
                    .and_then(|b| <[u8; 8]>::try_from(b).ok())
                {
                    put(
                        metadata,
                        "neware.active_mass_mg",
                        f64::from_le_bytes(mass).to_string(),
                    );
                }
                if let Some(remarks) = block.get(363..491) {
                    put(metadata, "neware.remarks", ascii_text(remarks));
                }
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// .ndax / .ndc
// ---------------------------------------------------------------------------

/// Voltage and current of one `.ndc` main-table slot (versions 11 to 17).
#[derive(Debug, Clone, Copy)]
struct MainSample {
    /// Neware record index (slot number + 1).
    index: u32,
    /// Voltage in V.
    voltage_v: f64,
    /// Current in mA.
    current_ma: f64,
}

/// One runInfo entry: the values valid at a record index.
#[derive(Debug, Clone, Copy)]
struct RunInfo {
    /// Step number (count of changes of the raw step field).
    step: u32,
    /// Sampling interval in seconds, used to fill the following records.
    dt_s: f64,
    /// Charge capacity in mAh.
    charge_mah: f64,
    /// Discharge capacity in mAh.
    discharge_mah: f64,
    /// Unix timestamp in seconds.
    timestamp_s: f64,
}

/// How runInfo stores capacities.
#[derive(Debug, Clone, Copy)]
enum CapacityUnit {
    /// mA·s (versions 11 and 16).
    MilliAmpSeconds,
    /// A·h (versions 14 and 17).
    AmpHours,
}

impl CapacityUnit {
    /// Converts a stored capacity to mAh.
    fn to_mah(self, raw: f32) -> f64 {
        match self {
            Self::MilliAmpSeconds => f64::from(raw) / 3600.0,
            Self::AmpHours => f64::from(raw) * 1000.0,
        }
    }
}

/// Reads the file type and version bytes of an `.ndc` table.
fn ndc_header(buf: &[u8], loc: &str) -> Result<(u8, u8)> {
    match (buf.first().copied(), buf.get(2).copied()) {
        (Some(filetype), Some(version)) => Ok((filetype, version)),
        _ => Err(parse_error(loc, 0, "file too short for an .ndc header")),
    }
}

/// Decodes the voltage/current main table of `.ndc` versions 11, 14, 16 and 17.
fn ndc_main_samples(buf: &[u8], version: u8, loc: &str) -> Result<Vec<MainSample>> {
    let (voltage_scale, current_scale) = match version {
        11 | 16 => (1e-4, 1.0),
        14 | 17 => (1.0, 1000.0),
        other => {
            return Err(parse_error(
                loc,
                2,
                format!("unsupported main .ndc version {other}"),
            ));
        }
    };
    let mut out = Vec::with_capacity(buf.len() / 8);
    for slot in slots(buf, PageLayout::standard(8)) {
        if !slot.valid {
            continue;
        }
        let rec = Rec::new(slot.bytes, slot.offset, loc);
        out.push(MainSample {
            index: slot_index(&slot, loc)?,
            voltage_v: f64::from(rec.f32(0)?) * voltage_scale,
            current_ma: f64::from(rec.f32(4)?) * current_scale,
        });
    }
    Ok(out)
}

/// Decodes a runInfo table into a map from record index to its entry
/// (first entry wins), and returns the table version.
fn ndc_run_info(buf: &[u8], loc: &str) -> Result<(HashMap<u32, RunInfo>, u8)> {
    let (filetype, version) = ndc_header(buf, loc)?;
    if filetype != NDC_RUN_INFO {
        return Err(parse_error(
            loc,
            0,
            format!("expected .ndc file type 18, found {filetype}"),
        ));
    }
    let (record_len, unit) = match version {
        11 => (47, CapacityUnit::MilliAmpSeconds),
        14 => (55, CapacityUnit::AmpHours),
        16 => (100, CapacityUnit::MilliAmpSeconds),
        17 => (100, CapacityUnit::AmpHours),
        other => {
            return Err(parse_error(
                loc,
                2,
                format!("unsupported runInfo .ndc version {other}"),
            ));
        }
    };
    let mut map = HashMap::new();
    let mut previous_raw: Option<i32> = None;
    let mut step = 0_u32;
    for slot in slots(buf, PageLayout::standard(record_len)) {
        if !slot.valid {
            continue;
        }
        let rec = Rec::new(slot.bytes, slot.offset, loc);
        let index = rec.i32(41)?;
        if index == 0 {
            continue;
        }
        let raw_step = rec.i32(37)?;
        if previous_raw != Some(raw_step) {
            step = step.saturating_add(1);
        }
        previous_raw = Some(raw_step);
        let Ok(index) = u32::try_from(index) else {
            continue;
        };
        let entry = RunInfo {
            step,
            dt_s: f64::from(rec.i32(29)?) / 1000.0,
            charge_mah: unit.to_mah(rec.f32(5)?),
            discharge_mah: unit.to_mah(rec.f32(9)?),
            timestamp_s: f64::from(rec.i32(33)?) + f64::from(rec.i16(45)?) / 1000.0,
        };
        map.entry(index).or_insert(entry);
    }
    Ok((map, version))
}

/// Decodes a step table into the status code of each step (step `n` at
/// position `n - 1`), and returns the table version.
fn ndc_steps(buf: &[u8], loc: &str) -> Result<(Vec<u8>, u8)> {
    let (filetype, version) = ndc_header(buf, loc)?;
    if filetype != NDC_STEP {
        return Err(parse_error(
            loc,
            0,
            format!("expected .ndc file type 7, found {filetype}"),
        ));
    }
    let wide = match version {
        11 | 14 => false,
        16 | 17 => true,
        other => {
            return Err(parse_error(
                loc,
                2,
                format!("unsupported step .ndc version {other}"),
            ));
        }
    };
    let mut statuses = Vec::new();
    for slot in slots(buf, PageLayout::standard(if wide { 100 } else { 37 })) {
        if !slot.valid {
            continue;
        }
        let rec = Rec::new(slot.bytes, slot.offset, loc);
        // NewareNDA keeps wide entries with a record index, narrow ones with a step index.
        let keep = if wide {
            rec.i32(33)? != 0
        } else {
            rec.i32(4)? != 0
        };
        if keep {
            statuses.push(rec.u8(24)?);
        }
    }
    Ok((statuses, version))
}

/// Joins the main samples with the runInfo and step tables as NewareNDA does.
///
/// Records without a runInfo entry take the last entry's step, advance its
/// timestamp by `dt` per record and integrate `dt * current` into the
/// capacities. Returns the rows and the number of leading records dropped
/// because no runInfo entry precedes them.
fn merge_run_info(
    samples: &[MainSample],
    run_info: &HashMap<u32, RunInfo>,
    steps: &[u8],
) -> (Vec<Row>, u64) {
    let mut rows = Vec::with_capacity(samples.len());
    let mut last: Option<&RunInfo> = None;
    let mut elapsed_s = 0.0_f64;
    let mut capacity_mah = 0.0_f64;
    let mut orphans = 0_u64;
    for sample in samples {
        let (info, timestamp_s, charge_mah, discharge_mah) =
            if let Some(info) = run_info.get(&sample.index) {
                last = Some(info);
                elapsed_s = 0.0;
                capacity_mah = 0.0;
                (
                    info,
                    info.timestamp_s,
                    info.charge_mah.abs(),
                    info.discharge_mah.abs(),
                )
            } else if let Some(info) = last {
                elapsed_s += info.dt_s;
                capacity_mah += info.dt_s * sample.current_ma / 3600.0;
                (
                    info,
                    info.timestamp_s + elapsed_s,
                    info.charge_mah.abs() + capacity_mah.max(0.0),
                    info.discharge_mah.abs() + capacity_mah.min(0.0).abs(),
                )
            } else {
                orphans = orphans.saturating_add(1);
                continue;
            };
        let status = info
            .step
            .checked_sub(1)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| steps.get(i))
            .copied();
        rows.push(Row {
            index: sample.index,
            step: info.step,
            status,
            voltage_v: sample.voltage_v,
            current_ma: sample.current_ma,
            charge_mah,
            discharge_mah,
            timestamp_s: Some(timestamp_s),
            temperature_c: None,
        });
    }
    (rows, orphans)
}

/// Decodes the complete records of an `.ndc` version 2 main table.
fn ndc2_rows(buf: &[u8], loc: &str) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (offset, chunk) in ndc2_records(buf, loc)? {
        if chunk.first().copied() == Some(RECORD_DATA) {
            rows.push(ndc_full_row(Rec::new(chunk, offset, loc))?);
        }
    }
    Ok(rows)
}

/// Decodes the complete records of an `.ndc` version 5 main table.
fn ndc5_rows(buf: &[u8], loc: &str) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for slot in slots(buf, NDC5_LAYOUT) {
        if slot.bytes.get(NDC5_MARKER).copied() == Some(RECORD_DATA) {
            rows.push(ndc_full_row(Rec::new(slot.bytes, slot.offset, loc))?);
        }
    }
    Ok(rows)
}

/// The 94-byte records of an `.ndc` version 2 table.
///
/// Records are found by searching for the eight-byte signature stored at
/// byte 517 (the start of the first record).
fn ndc2_records<'a>(buf: &'a [u8], loc: &str) -> Result<Vec<(usize, &'a [u8])>> {
    let signature = NDC2_SIGNATURE
        .checked_add(NDC2_SIGNATURE_LEN)
        .and_then(|end| buf.get(NDC2_SIGNATURE..end))
        .ok_or_else(|| {
            parse_error(
                loc,
                NDC2_SIGNATURE,
                "file too short for an .ndc version 2 table",
            )
        })?;
    let mut out = Vec::new();
    let mut next = find(buf, signature, 0);
    while let Some(pos) = next {
        let Some(end) = pos.checked_add(NDC2_RECORD_LEN) else {
            break;
        };
        let Some(chunk) = buf.get(pos..end) else {
            break;
        };
        out.push((pos, chunk));
        next = find(buf, signature, end);
    }
    Ok(out)
}

/// Decodes a complete `.ndc` version 2 / 5 data record.
fn ndc_full_row(rec: Rec<'_>) -> Result<Row> {
    fixed_point_row(rec, &NDC_FULL_LAYOUT)
}

/// Values of one auxiliary `.ndc` table, keyed by record index.
#[derive(Debug)]
enum AuxValues {
    /// The table has an explicit temperature field (degrees Celsius).
    Temperature(HashMap<u32, f64>),
    /// The table holds one float per record whose meaning comes from `ChlType`.
    Untyped(HashMap<u32, f64>),
}

/// An auxiliary `.ndc` member of an `.ndax` archive.
#[derive(Debug, Clone)]
struct AuxFile {
    /// Member name.
    name: String,
    /// Numbers in the name (`data_AUX_<a>_<b>_<c>.ndc`, or `<n>, 0, 0` for `*_<n>.ndc`).
    key: [u64; 3],
    /// Whether the name had the three-number `data_AUX_` form.
    explicit: bool,
}

/// An `AuxN` entry of `TestInfo.xml`.
#[derive(Debug, Clone, Copy)]
struct AuxEntry {
    /// `RealChlID` attribute.
    real_chl_id: Option<u64>,
    /// `ChlType` attribute (103 = temperature).
    chl_type: Option<u64>,
}

/// Finds the first temperature channel of an `.ndax` archive and decodes it.
///
/// Channels mapped to `ChlType` 103 are tried in `TestInfo.xml` order; when
/// none yields data, the first auxiliary table (in NewareNDA's file order) with
/// an explicit temperature field is used. Returns the member name and the
/// temperatures by record index.
fn ndax_temperature<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    names: &[String],
    test_info: Option<&str>,
    file: &str,
    metadata: &mut BTreeMap<String, String>,
) -> Option<(String, HashMap<u32, f64>)> {
    let mut files: Vec<AuxFile> = names
        .iter()
        .filter_map(|name| {
            aux_file_key(name).map(|(key, explicit)| AuxFile {
                name: name.clone(),
                key,
                explicit,
            })
        })
        .collect();
    if files.is_empty() {
        return None;
    }
    files.sort_by_key(|f| f.key);
    let entries = test_info.map(aux_entries).unwrap_or_default();
    let mapping = map_aux_files(&files, &entries);

    let mut typed: Vec<(usize, usize)> = mapping
        .iter()
        .enumerate()
        .filter_map(|(file_pos, entry)| {
            let entry_pos = (*entry)?;
            let chl_type = entries.get(entry_pos)?.chl_type;
            (chl_type == Some(TEMPERATURE_CHL_TYPE)).then_some((entry_pos, file_pos))
        })
        .collect();
    typed.sort_unstable();

    let mut skipped: Vec<String> = Vec::new();
    let mut found = None;
    for &(_, file_pos) in &typed {
        let Some(aux) = files.get(file_pos) else {
            continue;
        };
        match load_aux(archive, &aux.name, file) {
            Ok(AuxValues::Temperature(values) | AuxValues::Untyped(values))
                if !values.is_empty() =>
            {
                found = Some((aux.name.clone(), values));
                break;
            }
            Ok(_) => {}
            Err(_) => skipped.push(aux.name.clone()),
        }
    }
    if found.is_none() {
        for (file_pos, aux) in files.iter().enumerate() {
            if typed.iter().any(|&(_, tried)| tried == file_pos) {
                continue;
            }
            match load_aux(archive, &aux.name, file) {
                Ok(AuxValues::Temperature(values)) if !values.is_empty() => {
                    found = Some((aux.name.clone(), values));
                    break;
                }
                Ok(_) => {}
                Err(_) => skipped.push(aux.name.clone()),
            }
        }
    }
    if !skipped.is_empty() {
        put(metadata, "neware.aux_unreadable", skipped.join(", "));
    }
    found
}

/// Maps each auxiliary file to its `TestInfo.xml` entry.
///
/// By `RealChlID` and `ChlType` (= 100 + second number of the name) when any
/// file maps that way, otherwise by position as NewareNDA does (when the
/// counts agree).
fn map_aux_files(files: &[AuxFile], entries: &[AuxEntry]) -> Vec<Option<usize>> {
    let by_id: Vec<Option<usize>> = files
        .iter()
        .map(|f| {
            if !f.explicit {
                return None;
            }
            let [channel, kind, _] = f.key;
            let exact: Vec<usize> = entries
                .iter()
                .enumerate()
                .filter(|(_, e)| {
                    e.real_chl_id == Some(channel) && e.chl_type == kind.checked_add(100)
                })
                .map(|(i, _)| i)
                .collect();
            if let [only] = exact.as_slice() {
                return Some(*only);
            }
            let same_channel: Vec<usize> = entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.real_chl_id == Some(channel))
                .map(|(i, _)| i)
                .collect();
            match same_channel.as_slice() {
                [only] => Some(*only),
                _ => None,
            }
        })
        .collect();
    if by_id.iter().any(Option::is_some) {
        by_id
    } else if files.len() == entries.len() {
        (0..files.len()).map(Some).collect()
    } else {
        vec![None; files.len()]
    }
}

/// Parses an auxiliary member name the way NewareNDA does.
///
/// `data_AUX_<a>_<b>_<c>.ndc` gives `[a, b, c]`, else `*_<n>.ndc` gives `[n, 0, 0]`.
fn aux_file_key(name: &str) -> Option<([u64; 3], bool)> {
    const PREFIX: &str = "data_AUX_";
    for (pos, _) in name.match_indices(PREFIX) {
        if let Some(tail) = pos
            .checked_add(PREFIX.len())
            .and_then(|start| name.get(start..))
            && let Some(key) = three_numbers(tail)
        {
            return Some((key, true));
        }
    }
    for (pos, _) in name.rmatch_indices('_') {
        let Some(tail) = pos.checked_add(1).and_then(|start| name.get(start..)) else {
            continue;
        };
        if let Some((number, rest)) = leading_number(tail)
            && rest.starts_with(".ndc")
        {
            return Some(([number, 0, 0], false));
        }
    }
    None
}

/// Parses `<a>_<b>_<c>.ndc` at the start of `text`.
fn three_numbers(text: &str) -> Option<[u64; 3]> {
    let (a, rest) = leading_number(text)?;
    let (b, rest) = leading_number(rest.strip_prefix('_')?)?;
    let (c, rest) = leading_number(rest.strip_prefix('_')?)?;
    rest.starts_with(".ndc").then_some([a, b, c])
}

/// Splits a leading run of ASCII digits off `text` and parses it.
fn leading_number(text: &str) -> Option<(u64, &str)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let number = text.get(..digits)?.parse().ok()?;
    Some((number, text.get(digits..)?))
}

/// Reads and decodes one auxiliary member.
fn load_aux<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
    file: &str,
) -> Result<AuxValues> {
    let bytes = read_member(archive, name, file)?;
    decode_aux(&bytes, &member_loc(file, name))
}

/// Decodes an auxiliary `.ndc` table (file type 5).
fn decode_aux(buf: &[u8], loc: &str) -> Result<AuxValues> {
    let (filetype, version) = ndc_header(buf, loc)?;
    if filetype != NDC_AUX {
        return Err(parse_error(
            loc,
            0,
            format!("expected .ndc file type 5, found {filetype}"),
        ));
    }
    let mut values = HashMap::new();
    match version {
        2 => {
            for (offset, chunk) in ndc2_records(buf, loc)? {
                if matches!(
                    chunk.first().copied(),
                    Some(RECORD_AUX | RECORD_AUX_EXTENDED)
                ) {
                    let rec = Rec::new(chunk, offset, loc);
                    values
                        .entry(rec.u32(8)?)
                        .or_insert(f64::from(rec.i16(41)?) / 10.0);
                }
            }
            Ok(AuxValues::Temperature(values))
        }
        5 => {
            for slot in slots(buf, NDC5_LAYOUT) {
                if matches!(
                    slot.bytes.get(NDC5_MARKER).copied(),
                    Some(RECORD_AUX | RECORD_AUX_EXTENDED)
                ) {
                    let rec = Rec::new(slot.bytes, slot.offset, loc);
                    values
                        .entry(rec.u32(8)?)
                        .or_insert(f64::from(rec.i16(41)?) / 10.0);
                }
            }
            Ok(AuxValues::Temperature(values))
        }
        11 => {
            let first = NDC_PAGE
                .checked_add(NDC_DATA_START)
                .and_then(|at| buf.get(at))
                .copied();
            match first {
                Some(RECORD_AUX) => {
                    // 7-byte slots (marker, voltage f32, temperature i16); the
                    // index counts the marked slots.
                    let mut count = 0_u32;
                    for slot in slots(buf, PageLayout::standard(7)) {
                        if slot.bytes.first().copied() != Some(RECORD_AUX) {
                            continue;
                        }
                        count = count
                            .checked_add(1)
                            .ok_or_else(|| parse_error(loc, slot.offset, "too many records"))?;
                        let rec = Rec::new(slot.bytes, slot.offset, loc);
                        values.entry(count).or_insert(f64::from(rec.i16(5)?) / 10.0);
                    }
                }
                Some(RECORD_AUX_EXTENDED) => {
                    for slot in slots(buf, PageLayout::standard(88)) {
                        if slot.bytes.first().copied() != Some(RECORD_AUX_EXTENDED) {
                            continue;
                        }
                        let rec = Rec::new(slot.bytes, slot.offset, loc);
                        if let Ok(index) = u32::try_from(rec.i32(1)?) {
                            values
                                .entry(index)
                                .or_insert(f64::from(rec.i16(35)?) / 10.0);
                        }
                    }
                }
                _ => {}
            }
            Ok(AuxValues::Temperature(values))
        }
        16 => {
            for slot in slots(buf, PageLayout::standard(7)) {
                if slot.valid {
                    let rec = Rec::new(slot.bytes, slot.offset, loc);
                    values
                        .entry(slot_index(&slot, loc)?)
                        .or_insert(f64::from(rec.i16(5)?) / 10.0);
                }
            }
            Ok(AuxValues::Temperature(values))
        }
        14 | 17 => {
            for slot in slots(buf, PageLayout::standard(4)) {
                if slot.valid {
                    let rec = Rec::new(slot.bytes, slot.offset, loc);
                    values
                        .entry(slot_index(&slot, loc)?)
                        .or_insert(f64::from(rec.f32(0)?));
                }
            }
            Ok(AuxValues::Untyped(values))
        }
        other => Err(parse_error(
            loc,
            2,
            format!("unsupported auxiliary .ndc version {other}"),
        )),
    }
}

/// Reads an archive member completely (at most `MAX_MEMBER_BYTES`).
fn read_member<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
    file: &str,
) -> Result<Vec<u8>> {
    let member = archive.by_name(name).map_err(|e| {
        parse_error(
            &member_loc(file, name),
            0,
            format!("cannot open archive member: {e}"),
        )
    })?;
    let declared = member.size();
    if declared > MAX_MEMBER_BYTES {
        return Err(parse_error(
            &member_loc(file, name),
            0,
            format!("archive member of {declared} bytes is larger than this reader accepts"),
        ));
    }
    let capacity = usize::try_from(declared).unwrap_or(usize::MAX).min(1 << 26);
    let mut bytes = Vec::with_capacity(capacity);
    member
        .take(MAX_MEMBER_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(file, e))?;
    Ok(bytes)
}

/// Location string for errors inside an archive member.
fn member_loc(file: &str, member: &str) -> String {
    format!("{file}/{member}")
}

// ---------------------------------------------------------------------------
// .ndc pages
// ---------------------------------------------------------------------------

/// Slot layout of an `.ndc` page.
#[derive(Debug, Clone, Copy)]
struct PageLayout {
    /// Offset of the first slot in the page.
    data_start: usize,
    /// Slot size in bytes.
    record_len: usize,
    /// Number of slots per page.
    per_page: usize,
}

impl PageLayout {
    /// The usual layout: slots from byte 132, as many as fit before the last byte of the page.
    fn standard(record_len: usize) -> Self {
        let usable = NDC_PAGE.saturating_sub(NDC_DATA_START + 1);
        let per_page = usable.checked_div(record_len).unwrap_or(0);
        Self {
            data_start: NDC_DATA_START,
            record_len,
            per_page,
        }
    }
}

/// One slot of an `.ndc` table.
#[derive(Debug, Clone, Copy)]
struct Slot<'a> {
    /// Slot number over the whole table (0-based, counting invalid slots).
    number: usize,
    /// Slot bytes.
    bytes: &'a [u8],
    /// Offset of the slot in the table.
    offset: usize,
    /// Whether the page bitmap marks the slot as holding a record.
    valid: bool,
}

/// Iterator over the slots of the pages that follow the 4096-byte `.ndc` header.
///
/// A trailing partial page is ignored.
#[derive(Debug, Clone)]
struct Slots<'a> {
    /// The whole table.
    buf: &'a [u8],
    /// Slot layout.
    layout: PageLayout,
    /// Current data page (0 = the page after the header).
    page: usize,
    /// Next slot in the current page.
    slot: usize,
}

/// Iterates over the slots of an `.ndc` table.
const fn slots(buf: &[u8], layout: PageLayout) -> Slots<'_> {
    Slots {
        buf,
        layout,
        page: 0,
        slot: 0,
    }
}

impl<'a> Iterator for Slots<'a> {
    type Item = Slot<'a>;

    fn next(&mut self) -> Option<Slot<'a>> {
        loop {
            if self.slot >= self.layout.per_page {
                self.slot = 0;
                self.page = self.page.checked_add(1)?;
            }
            let page_start = self.page.checked_add(1)?.checked_mul(NDC_PAGE)?;
            let page = self
                .buf
                .get(page_start..page_start.checked_add(NDC_PAGE)?)?;
            let slot = self.slot;
            self.slot = slot.checked_add(1)?;
            let start = slot
                .checked_mul(self.layout.record_len)?
                .checked_add(self.layout.data_start)?;
            let end = start.checked_add(self.layout.record_len)?;
            let Some(bytes) = page.get(start..end) else {
                continue;
            };
            let valid = NDC_BITMAP_START
                .checked_add(slot / 8)
                .and_then(|at| page.get(at))
                .is_some_and(|bits| (bits >> (slot % 8)) & 1 == 1);
            let number = self
                .page
                .checked_mul(self.layout.per_page)?
                .checked_add(slot)?;
            return Some(Slot {
                number,
                bytes,
                offset: page_start.saturating_add(start),
                valid,
            });
        }
    }
}

/// Neware record index of a slot (slot number + 1).
fn slot_index(slot: &Slot<'_>, loc: &str) -> Result<u32> {
    slot.number
        .checked_add(1)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| parse_error(loc, slot.offset, "record index out of range"))
}

// ---------------------------------------------------------------------------
// Byte-level helpers
// ---------------------------------------------------------------------------

/// A bounds-checked little-endian view of one record.
#[derive(Debug, Clone, Copy)]
struct Rec<'a> {
    /// Record bytes.
    bytes: &'a [u8],
    /// Offset of the record in its file (for error messages).
    offset: usize,
    /// File (or `archive/member`) name for error messages.
    loc: &'a str,
}

/// One reader per primitive: the little-endian value of its width at `at`.
macro_rules! le_readers {
    ($($t:ident),*) => {
        $(
            #[doc = concat!("Little-endian `", stringify!($t), "` at `at`.")]
            fn $t(&self, at: usize) -> Result<$t> {
                self.array(at).map($t::from_le_bytes)
            }
        )*
    };
}

impl<'a> Rec<'a> {
    /// Wraps `bytes`, found at `offset` of `loc`.
    const fn new(bytes: &'a [u8], offset: usize, loc: &'a str) -> Self {
        Self { bytes, offset, loc }
    }

    /// The part of the record from byte `from` on.
    fn sub(&self, from: usize) -> Result<Rec<'a>> {
        let bytes = self
            .bytes
            .get(from..)
            .ok_or_else(|| self.truncated(from, 0))?;
        Ok(Rec {
            bytes,
            offset: self.offset.saturating_add(from),
            loc: self.loc,
        })
    }

    /// A parse error at byte `at` of the record.
    fn error(&self, at: usize, message: impl Into<String>) -> Error {
        parse_error(self.loc, self.offset.saturating_add(at), message)
    }

    /// The error for a field that does not fit in the record.
    fn truncated(&self, at: usize, len: usize) -> Error {
        self.error(
            at,
            format!(
                "record too short: {len} bytes needed at byte {at} of a {}-byte record",
                self.bytes.len()
            ),
        )
    }

    /// `N` bytes at `at`.
    fn array<const N: usize>(&self, at: usize) -> Result<[u8; N]> {
        at.checked_add(N)
            .and_then(|end| self.bytes.get(at..end))
            .and_then(|s| <[u8; N]>::try_from(s).ok())
            .ok_or_else(|| self.truncated(at, N))
    }

    le_readers!(u8, u16, i16, u32, i32, u64, i64, f32);
}

/// A parse error in a binary file: line 0, column = byte offset.
fn parse_error(loc: &str, offset: usize, message: impl Into<String>) -> Error {
    Error::parse(loc, 0, u64::try_from(offset).unwrap_or(u64::MAX), message)
}

/// First occurrence of `needle` in `hay` at or after `from`.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .and_then(|p| p.checked_add(from))
}

/// Last occurrence of `needle` in `hay` at or after `from`.
fn rfind(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.get(from..)?
        .windows(needle.len())
        .rposition(|w| w == needle)
        .and_then(|p| p.checked_add(from))
}

/// Text of a NUL-padded field of at most `len` bytes at `at` (cut at the first NUL after leading NULs).
fn c_text(bytes: &[u8], at: usize, len: usize) -> String {
    let end = at.saturating_add(len).min(bytes.len());
    let field = bytes.get(at..end).unwrap_or_default();
    let field = match field.iter().position(|b| *b != 0) {
        Some(first) => field.get(first..).unwrap_or_default(),
        None => &[][..],
    };
    let field = match field.iter().position(|b| *b == 0) {
        Some(nul) => field.get(..nul).unwrap_or_default(),
        None => field,
    };
    String::from_utf8_lossy(field).trim().to_owned()
}

/// ASCII text of a field, dropping NULs and non-ASCII bytes.
fn ascii_text(bytes: &[u8]) -> String {
    let text: String = bytes
        .iter()
        .filter(|b| b.is_ascii() && **b != 0)
        .map(|b| char::from(*b))
        .collect();
    text.trim().to_owned()
}

/// Inserts a non-empty metadata value.
fn put(metadata: &mut BTreeMap<String, String>, key: &str, value: impl Into<String>) {
    let value = value.into();
    if !value.is_empty() {
        metadata.insert(key.to_owned(), value);
    }
}

/// Unix seconds of a wall-clock date-time taken as UTC; `None` if invalid.
fn naive_unix_seconds(
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
) -> Option<f64> {
    if year == 0 || !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day));
    let seconds =
        days * 86_400 + i64::from(hour) * 3_600 + i64::from(minute) * 60 + i64::from(second);
    Some(seconds as f64)
}

/// Number of days in a month of the proleptic Gregorian calendar.
const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) {
                29
            } else {
                28
            }
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

// ---------------------------------------------------------------------------
// XML metadata (TestInfo.xml, VersionInfo.xml)
// ---------------------------------------------------------------------------

/// Iterator over the tags of an XML document: `(name, attribute text)`.
///
/// Closing tags are reported with a leading `/`.
#[derive(Debug, Clone)]
struct Tags<'a> {
    /// Unread rest of the document.
    rest: &'a str,
}

impl<'a> Iterator for Tags<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        loop {
            let open = self.rest.find('<')?;
            let after = self.rest.get(open.checked_add(1)?..)?;
            let close = after.find('>')?;
            let inner = after.get(..close)?;
            self.rest = after.get(close.checked_add(1)?..)?;
            let name_end = inner
                .char_indices()
                .skip(1)
                .find(|(_, c)| c.is_whitespace() || *c == '/')
                .map_or(inner.len(), |(i, _)| i);
            let name = inner.get(..name_end)?;
            if name.is_empty() || name.starts_with('?') || name.starts_with('!') {
                continue;
            }
            return Some((name, inner.get(name_end..)?));
        }
    }
}

/// Iterates over the tags of `xml`.
const fn xml_tags(xml: &str) -> Tags<'_> {
    Tags { rest: xml }
}

/// Attribute text of the first tag called `name`.
fn xml_tag<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    xml_tags(xml)
        .find(|(tag, _)| *tag == name)
        .map(|(_, attrs)| attrs)
}

/// Value of attribute `key` in a tag's attribute text (entities decoded).
fn xml_attr(attrs: &str, key: &str) -> Option<String> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start();
        let eq = rest.find('=')?;
        let name = rest.get(..eq)?.trim();
        let after = rest.get(eq.checked_add(1)?..)?.trim_start();
        let quote = after.chars().next()?;
        if quote != '"' && quote != '\'' {
            return None;
        }
        let body = after.get(1..)?;
        let end = body.find(quote)?;
        if name == key {
            return Some(xml_unescape(body.get(..end)?));
        }
        rest = body.get(end.checked_add(1)?..)?;
    }
}

/// Decodes the five predefined XML entities.
fn xml_unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The `AuxN` children of the `TestInfo` element, in document order.
fn aux_entries(xml: &str) -> Vec<AuxEntry> {
    let number =
        |attrs: &str, key: &str| xml_attr(attrs, key).and_then(|v| v.trim().parse::<u64>().ok());
    let mut inside = false;
    let mut entries = Vec::new();
    for (name, attrs) in xml_tags(xml) {
        match name {
            "TestInfo" => inside = true,
            "/TestInfo" => break,
            _ if inside && name.contains("Aux") => entries.push(AuxEntry {
                real_chl_id: number(attrs, "RealChlID"),
                chl_type: number(attrs, "ChlType"),
            }),
            _ => {}
        }
    }
    entries
}

/// Copies the attributes of `tag` in `xml` named in `keys` to the metadata.
fn xml_metadata(
    xml: &str,
    tag: &str,
    keys: &[(&str, &str)],
    metadata: &mut BTreeMap<String, String>,
) {
    let Some(attrs) = xml_tag(xml, tag) else {
        return;
    };
    for &(attr, key) in keys {
        if let Some(value) = xml_attr(attrs, attr) {
            put(metadata, key, value);
        }
    }
}

/// Adds the `TestInfo` attributes of `TestInfo.xml` to the metadata.
fn test_info_metadata(xml: &str, metadata: &mut BTreeMap<String, String>) {
    xml_metadata(
        xml,
        "TestInfo",
        &[
            ("StartTime", "neware.start_time"),
            ("EndTime", "neware.end_time"),
            ("Barcode", "neware.barcode"),
            ("StepName", "neware.step_file"),
            ("DevID", "neware.device_id"),
            ("UnitID", "neware.unit_id"),
            ("ChlID", "neware.channel_id"),
            ("CurrRange", "neware.current_range"),
            ("VoltRange", "neware.voltage_range"),
        ],
        metadata,
    );
}

/// Adds the `ZwjVersion` attributes of `VersionInfo.xml` to the metadata.
fn version_info_metadata(xml: &str, metadata: &mut BTreeMap<String, String>) {
    xml_metadata(
        xml,
        "ZwjVersion",
        &[
            ("SvrVer", "neware.server_version"),
            ("CurrClientVer", "neware.client_version"),
            ("ZwjVersion", "neware.control_unit_version"),
            ("MainXwjVer", "neware.tester_version"),
        ],
        metadata,
    );
}
