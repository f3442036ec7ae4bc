//! BioLogic EC-Lab binary `.mpr` files, from the published descriptions of the
//! format (galvani's `BioLogic.py`, yadg's `eclab/mpr.py`) checked byte for
//! byte against real files.
//!
//! A file is `BIO-LOGIC MODULAR FILE` and a chain of modules (`VMP Set`,
//! `VMP data`, `VMP LOG`, `VMP loop`), each a header and `length` bytes. The
//! data module lists column ids, then holds fixed-size little-endian records;
//! flag columns (mode, ox/red, ...) share one byte. The LOG module holds the
//! acquisition start as an OLE date. Records are streamed, never held whole.

use std::io::{BufReader, Read, Seek, SeekFrom};

use crate::schema::{EisSpectrum, StepKind, TimeSeriesRecord};
use voltai_core::{Error, Result};

use super::Sink;
use super::time::ole_date_to_unix;

const MAGIC: &[u8] = b"BIO-LOGIC MODULAR FILE\x1a";
const FIRST_MODULE: u64 = 0x34;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    U8,
    U16,
    U32,
    F32,
    F64,
}

impl Ty {
    fn size(self) -> usize {
        match self {
            Ty::U8 => 1,
            Ty::U16 => 2,
            Ty::U32 | Ty::F32 => 4,
            Ty::F64 => 8,
        }
    }
}

/// Flag columns: id → mask within the shared flags byte.
const FLAGS: [(u16, u8, &str); 6] = [
    (1, 0x03, "mode"),
    (2, 0x04, "ox/red"),
    (3, 0x08, "error"),
    (21, 0x10, "control changes"),
    (31, 0x20, "Ns changes"),
    (65, 0x80, "counter inc."),
];

/// Data columns: id, type, name as EC-Lab writes it.
const COLUMNS: &[(u16, Ty, &str)] = &[
    (4, Ty::F64, "time/s"),
    (5, Ty::F32, "control/V/mA"),
    (6, Ty::F32, "Ewe/V"),
    (7, Ty::F64, "dq/mA.h"),
    (8, Ty::F32, "I/mA"),
    (9, Ty::F32, "Ece/V"),
    (11, Ty::F64, "<I>/mA"),
    (13, Ty::F64, "(Q-Qo)/mA.h"),
    (16, Ty::F32, "Analog IN 1/V"),
    (17, Ty::F32, "Analog IN 2/V"),
    (19, Ty::F32, "control/V"),
    (20, Ty::F32, "control/mA"),
    (23, Ty::F64, "dQ/mA.h"),
    (24, Ty::F64, "cycle number"),
    (26, Ty::F32, "Rapp/Ohm"),
    (27, Ty::F32, "Ewe-Ece/V"),
    (32, Ty::F32, "freq/Hz"),
    (33, Ty::F32, "|Ewe|/V"),
    (34, Ty::F32, "|I|/A"),
    (35, Ty::F32, "Phase(Z)/deg"),
    (36, Ty::F32, "|Z|/Ohm"),
    (37, Ty::F32, "Re(Z)/Ohm"),
    (38, Ty::F32, "-Im(Z)/Ohm"),
    (39, Ty::U16, "I Range"),
    (50, Ty::F32, "E0/V"),
    (69, Ty::F32, "R/Ohm"),
    (70, Ty::F32, "P/W"),
    (74, Ty::F64, "|Energy|/W.h"),
    (75, Ty::F32, "Analog OUT/V"),
    (76, Ty::F32, "<I>/mA"),
    (77, Ty::F32, "<Ewe>/V"),
    (78, Ty::F32, "Cs-2/µF-2"),
    (96, Ty::F32, "|Ece|/V"),
    (97, Ty::F32, "|Ice|/A"),
    (98, Ty::F32, "Phase(Zce)/deg"),
    (99, Ty::F32, "|Zce|/Ohm"),
    (100, Ty::F32, "Re(Zce)/Ohm"),
    (101, Ty::F32, "-Im(Zce)/Ohm"),
    (123, Ty::F64, "Energy charge/W.h"),
    (124, Ty::F64, "Energy discharge/W.h"),
    (125, Ty::F64, "Capacitance charge/µF"),
    (126, Ty::F64, "Capacitance discharge/µF"),
    (131, Ty::U16, "Ns"),
    (163, Ty::F32, "|Estack|/V"),
    (168, Ty::F32, "Rcmp/Ohm"),
    (169, Ty::F32, "Cs/µF"),
    (172, Ty::F32, "Cp/µF"),
    (173, Ty::F32, "Cp-2/µF-2"),
    (174, Ty::F32, "<Ewe>/V"),
    (422, Ty::F32, "Phase(Zstack)/deg"),
    (423, Ty::F32, "|Zstack|/Ohm"),
    (424, Ty::F32, "Re(Zstack)/Ohm"),
    (425, Ty::F32, "-Im(Zstack)/Ohm"),
    (426, Ty::F32, "<Estack>/V"),
    (430, Ty::F32, "Phase(Zwe-ce)/deg"),
    (431, Ty::F32, "|Zwe-ce|/Ohm"),
    (432, Ty::F32, "Re(Zwe-ce)/Ohm"),
    (433, Ty::F32, "-Im(Zwe-ce)/Ohm"),
    (434, Ty::F32, "(Q-Qo)/C"),
    (435, Ty::F32, "dQ/C"),
    (436, Ty::F32, "Ewe/V"),
    (438, Ty::F64, "step time/s"),
    (441, Ty::F32, "<Ece>/V"),
    (462, Ty::F32, "Temperature/°C"),
    (467, Ty::F64, "Q charge/discharge/mA.h"),
    (468, Ty::U32, "half cycle"),
    (469, Ty::U32, "z cycle"),
    (471, Ty::F32, "<Ece>/V"),
    (473, Ty::F32, "THD Ewe/%"),
    (474, Ty::F32, "THD I/%"),
    (475, Ty::F32, "THD Ece/%"),
    (476, Ty::F32, "NSD Ewe/%"),
    (477, Ty::F32, "NSD I/%"),
    (478, Ty::F32, "NSD Ece/%"),
    (479, Ty::F32, "NSR Ewe/%"),
    (480, Ty::F32, "NSR I/%"),
    (481, Ty::F32, "NSR Ece/%"),
    (504, Ty::F32, "Rac/Ohm"),
    (505, Ty::F32, "Rdc/Ohm"),
    (509, Ty::U8, "Acir/Dcir Control"),
];

/// Multi-electrode and harmonic column families: id ranges of f4 values.
fn family(id: u16) -> Option<(Ty, String)> {
    let named = |base: u16, what: &str| (Ty::F32, format!("{what}{}", id - base + 1));
    Some(match id {
        241..=248 => named(241, "|E|"),
        271..=278 => named(271, "Phase(Z)"),
        301..=308 => named(301, "|Z|"),
        331..=338 => named(331, "Re(Z)"),
        361..=368 => named(361, "-Im(Z)"),
        391..=398 => named(391, "<E>"),
        486..=491 => named(484, "|Ewe h|"),
        492..=497 => named(490, "|I h|"),
        498..=503 => named(496, "|Ece h|"),
        _ => return None,
    })
}

struct Module {
    name: String,
    version: u32,
    data: u64,
    length: u64,
}

struct Col {
    id: u16,
    ty: Ty,
    offset: usize,
}

fn err(file: &str, at: u64, message: impl Into<String>) -> Error {
    // Binary files: the "line" is 0 and the column is the byte offset.
    Error::parse(file, 0, at, message)
}

fn read_exact_at<F: Read + Seek>(f: &mut F, file: &str, at: u64, buf: &mut [u8]) -> Result<()> {
    f.seek(SeekFrom::Start(at))
        .map_err(|e| Error::io(file, e))?;
    f.read_exact(buf).map_err(|_| {
        err(
            file,
            at,
            format!("file ends inside a {}-byte structure: truncated", buf.len()),
        )
    })
}

fn u32_at(b: &[u8], o: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[o..o + 4]);
    u32::from_le_bytes(a)
}

fn modules<F: Read + Seek>(f: &mut F, file: &str) -> Result<Vec<Module>> {
    let end = f.seek(SeekFrom::End(0)).map_err(|e| Error::io(file, e))?;
    let mut head = [0u8; 0x34];
    read_exact_at(f, file, 0, &mut head)?;
    if !head.starts_with(MAGIC) {
        return Err(err(
            file,
            0,
            "not a BioLogic .mpr (no `BIO-LOGIC MODULAR FILE`)",
        ));
    }
    let mut out = Vec::new();
    let mut at = FIRST_MODULE;
    while at < end {
        let mut h = [0u8; 6 + 59];
        let avail = (end - at).min(h.len() as u64) as usize;
        read_exact_at(f, file, at, &mut h[..avail])?;
        if avail < 6 + 51 || &h[..6] != b"MODULE" {
            return Err(err(file, at, "expected `MODULE` at a module boundary"));
        }
        let name = String::from_utf8_lossy(&h[6..16]).trim().to_string();
        let b = &h[6..];
        let new_header = b[35..39] == [0xFF; 4];
        let (length, version, header_len) = if new_header {
            if avail < 6 + 59 {
                return Err(err(file, at, "truncated module header"));
            }
            (u32_at(b, 39), u32_at(b, 43), 59)
        } else {
            (u32_at(b, 35), u32_at(b, 39), 51)
        };
        let data = at + 6 + header_len;
        let length = u64::from(length);
        if data + length > end {
            return Err(err(
                file,
                at,
                format!("module `{name}` claims {length} bytes, the file ends first: truncated"),
            ));
        }
        out.push(Module {
            name,
            version,
            data,
            length,
        });
        at = data + length;
    }
    Ok(out)
}

fn column_def(id: u16) -> Option<(Ty, String)> {
    COLUMNS
        .iter()
        .find(|c| c.0 == id)
        .map(|c| (c.1, c.2.to_string()))
        .or_else(|| family(id))
}

pub(crate) fn read<F: Read + Seek>(
    mut f: F,
    file: &str,
    cell: &str,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let mods = modules(&mut f, file)?;
    let find = |n: &str| mods.iter().find(|m| m.name == n);
    if let Some(set) = find("VMP Set") {
        let mut b = vec![0u8; set.length.min(512) as usize];
        read_exact_at(&mut f, file, set.data, &mut b)?;
        if let Some(&t) = b.first() {
            sink.metadata.insert("technique_id".into(), t.to_string());
        }
        if b.len() > 8 {
            let n = (b[7] as usize).min(b.len() - 8);
            let (comment, _, _) = encoding_rs::WINDOWS_1252.decode(&b[8..8 + n]);
            if !comment.trim().is_empty() {
                sink.metadata
                    .insert("comment".into(), comment.trim().to_string());
            }
        }
    }
    if let Some(log) = find("VMP LOG") {
        // galvani: the first of these offsets holding a plausible OLE date.
        for off in [465u64, 469, 473, 585] {
            if off + 8 <= log.length {
                let mut b = [0u8; 8];
                read_exact_at(&mut f, file, log.data + off, &mut b)?;
                let days = f64::from_le_bytes(b);
                if (20_000.0..80_000.0).contains(&days) {
                    sink.start_s = ole_date_to_unix(days);
                    break;
                }
            }
        }
    }
    let data = find("VMP data").ok_or_else(|| err(file, FIRST_MODULE, "no `VMP data` module"))?;
    let mut h = vec![0u8; data.length.min(1007) as usize];
    read_exact_at(&mut f, file, data.data, &mut h)?;
    if h.len() < 6 {
        return Err(err(file, data.data, "data module shorter than its header"));
    }
    let n_points = u64::from(u32_at(&h, 0));
    // Column ids and where records start, by module version (see module docs).
    let (ids, start): (Vec<u16>, usize) = match (data.version, h[5]) {
        (0, 0) => {
            let n = u16::from_le_bytes([h[4], h[5]]) as usize;
            let ids = (0..n)
                .map(|k| {
                    h.get(6 + 2 * k..8 + 2 * k)
                        .map(|b| u16::from_le_bytes([b[0], b[1]]))
                })
                .collect::<Option<Vec<_>>>();
            (
                ids.ok_or_else(|| err(file, data.data, "column list runs past the header"))?,
                1007,
            )
        }
        (0, _) => {
            let n = h[4] as usize;
            let ids = h
                .get(5..5 + n)
                .map(|b| b.iter().map(|&x| u16::from(x)).collect());
            (
                ids.ok_or_else(|| err(file, data.data, "column list runs past the header"))?,
                100,
            )
        }
        (2 | 3, _) => {
            let n = h[4] as usize;
            let ids = (0..n)
                .map(|k| {
                    h.get(5 + 2 * k..7 + 2 * k)
                        .map(|b| u16::from_le_bytes([b[0], b[1]]))
                })
                .collect::<Option<Vec<_>>>();
            let start = if data.version == 2 { 405 } else { 406 };
            (
                ids.ok_or_else(|| err(file, data.data, "column list runs past the header"))?,
                start,
            )
        }
        (v, _) => {
            return Err(err(
                file,
                data.data,
                format!("data module version {v} is not one this reader knows (0, 2, 3)"),
            ));
        }
    };
    let body = data.length.checked_sub(start as u64).ok_or_else(|| {
        err(
            file,
            data.data,
            "data module shorter than its column header",
        )
    })?;
    // Lay the record out; at most one unknown id can be sized from the total.
    let mut known = 0usize;
    let mut has_flags = false;
    let mut unknown = Vec::new();
    for (k, &id) in ids.iter().enumerate() {
        if FLAGS.iter().any(|fl| fl.0 == id) {
            has_flags = true;
        } else if let Some((ty, _)) = column_def(id) {
            known += ty.size();
        } else {
            unknown.push((k, id));
        }
    }
    known += usize::from(has_flags);
    let per = body.checked_div(n_points).unwrap_or(0);
    let unknown_ty = match unknown.as_slice() {
        [] => None,
        [(_, _)] => {
            let rest = (per as usize).checked_sub(known);
            match rest {
                Some(1) => Some(Ty::U8),
                Some(2) => Some(Ty::U16),
                Some(4) => Some(Ty::F32),
                Some(8) => Some(Ty::F64),
                _ => None,
            }
        }
        _ => None,
    };
    if let Some(&(k, id)) = unknown.first()
        && (unknown.len() > 1 || unknown_ty.is_none())
    {
        let prev = k
            .checked_sub(1)
            .and_then(|p| column_def(ids[p]).map(|d| d.1))
            .unwrap_or_else(|| "(none)".into());
        return Err(err(
            file,
            data.data,
            format!(
                "column id {id} (position {k}, after `{prev}`) is unknown in data module version {}",
                data.version
            ),
        ));
    }
    let mut cols = Vec::new();
    let mut offset = 0usize;
    let mut flags_at = None;
    for &id in &ids {
        if FLAGS.iter().any(|fl| fl.0 == id) {
            if flags_at.is_none() {
                flags_at = Some(offset);
                offset += 1;
            }
            cols.push(Col {
                id,
                ty: Ty::U8,
                offset: flags_at.unwrap_or(0),
            });
            continue;
        }
        let ty = match column_def(id) {
            Some((ty, _)) => ty,
            None => unknown_ty.ok_or_else(|| Error::internal("unknown column without a size"))?,
        };
        cols.push(Col { id, ty, offset });
        offset += ty.size();
    }
    let record = offset;
    if (record as u64).checked_mul(n_points) != Some(body) {
        return Err(err(
            file,
            data.data,
            format!(
                "{n_points} records of {record} bytes do not fill the {body}-byte data block: \
                 truncated or a column type is wrong"
            ),
        ));
    }
    sink.metadata.insert(
        "columns".into(),
        ids.iter()
            .map(|&id| {
                FLAGS
                    .iter()
                    .find(|fl| fl.0 == id)
                    .map(|fl| fl.2.to_string())
                    .or_else(|| column_def(id).map(|d| d.1))
                    .unwrap_or_else(|| format!("id {id}"))
            })
            .collect::<Vec<_>>()
            .join(", "),
    );
    f.seek(SeekFrom::Start(data.data + start as u64))
        .map_err(|e| Error::io(file, e))?;
    let mut reader = BufReader::with_capacity(1 << 16, f);
    let decoder = Decoder::new(file, &cols);
    let mut buf = vec![0u8; record];
    let mut state = State::default();
    for k in 0..n_points {
        reader.read_exact(&mut buf).map_err(|_| {
            err(
                file,
                data.data + start as u64 + k * record as u64,
                "file ends inside a record: truncated",
            )
        })?;
        decoder.emit(&buf, k + 1, cell, sink, &mut state)?;
    }
    if let Some((_, s)) = state.spectrum.take() {
        sink.spectra.push(s);
    }
    Ok(())
}

#[derive(Default)]
struct State {
    prev_time: Option<f64>,
    spectrum: Option<(f64, EisSpectrum)>,
}

/// Where the schema's fields are in a record.
struct Decoder<'a> {
    file: &'a str,
    cols: &'a [Col],
    time: Option<usize>,
    voltage: Option<usize>,
    current: Option<usize>,
    control: Option<usize>,
    dq: Option<usize>,
    cycle: Option<usize>,
    half_cycle: Option<usize>,
    step: Option<usize>,
    mode: Option<usize>,
    q: Option<usize>,
    temperature: Option<usize>,
    freq: Option<usize>,
    re: Option<usize>,
    im: Option<usize>,
}

impl<'a> Decoder<'a> {
    fn new(file: &'a str, cols: &'a [Col]) -> Self {
        let pos = |ids: &[u16]| {
            ids.iter()
                .find_map(|id| cols.iter().position(|c| c.id == *id))
        };
        Decoder {
            file,
            cols,
            time: pos(&[4]),
            voltage: pos(&[6, 77, 174, 436]),
            current: pos(&[8, 76, 11]),
            control: pos(&[5, 20]),
            dq: pos(&[7]),
            cycle: pos(&[24]),
            half_cycle: pos(&[468]),
            step: pos(&[131]),
            mode: pos(&[1]),
            q: pos(&[467]),
            temperature: pos(&[462]),
            freq: pos(&[32]),
            re: pos(&[37]),
            im: pos(&[38]),
        }
    }

    fn value(&self, rec: &[u8], k: usize) -> f64 {
        let c = &self.cols[k];
        let b = &rec[c.offset..c.offset + c.ty.size()];
        match c.ty {
            Ty::U8 => f64::from(b[0]),
            Ty::U16 => f64::from(u16::from_le_bytes([b[0], b[1]])),
            Ty::U32 => f64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            Ty::F32 => f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            Ty::F64 => {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                f64::from_le_bytes(a)
            }
        }
    }

    fn get(&self, rec: &[u8], k: Option<usize>) -> Option<f64> {
        k.map(|k| self.value(rec, k))
    }

    fn emit(
        &self,
        rec: &[u8],
        number: u64,
        cell: &str,
        sink: &mut Sink<'_>,
        state: &mut State,
    ) -> Result<()> {
        let cycle = self.get(rec, self.cycle);
        if let (Some(f), Some(re), Some(im)) = (
            self.get(rec, self.freq),
            self.get(rec, self.re),
            self.get(rec, self.im),
        ) {
            let c = cycle.unwrap_or(0.0);
            if state.spectrum.as_ref().is_some_and(|(k, _)| *k != c)
                && let Some((_, s)) = state.spectrum.take()
            {
                sink.spectra.push(s);
            }
            let (_, s) = state.spectrum.get_or_insert_with(|| {
                let mut s = EisSpectrum {
                    cell_id: cell.to_string(),
                    ..Default::default()
                };
                s.state.cycle = (c >= 0.0 && c.fract() == 0.0).then_some(c as u32);
                (c, s)
            });
            s.frequency_hz.push(f);
            s.z_real_ohm.push(re);
            // The file holds −Im(Z); the schema Im(Z).
            s.z_imag_ohm.push(-im);
            return Ok(());
        }
        let time = self
            .get(rec, self.time)
            .ok_or_else(|| Error::parse(self.file, number, 0, "record without a time/s column"))?;
        let mode = self.get(rec, self.mode).map(|m| (m as u8) & 0x03);
        let step_kind = match mode {
            Some(1) => StepKind::ConstantCurrent,
            Some(2) => StepKind::ConstantVoltage,
            Some(3) => StepKind::Rest,
            _ => StepKind::Unknown,
        };
        // GCPL files of newer EC-Lab versions store no current: take the set
        // point in current-controlled steps, zero at rest, dq/dt otherwise.
        let current_ma = match self.get(rec, self.current) {
            Some(i) => i,
            None => match (mode, self.get(rec, self.control), self.get(rec, self.dq)) {
                (Some(3), _, _) => 0.0,
                (Some(1), Some(set), _) => set,
                (_, _, Some(dq)) => match state.prev_time {
                    Some(t0) if time > t0 => dq * 3600.0 / (time - t0),
                    _ => 0.0,
                },
                _ => {
                    return Err(Error::parse(
                        self.file,
                        number,
                        0,
                        "no current column and no dq/mA.h to derive it from",
                    ));
                }
            },
        };
        state.prev_time = Some(time);
        let voltage_v = self
            .get(rec, self.voltage)
            .ok_or_else(|| Error::parse(self.file, number, 0, "record without a voltage column"))?;
        let count = |v: f64, what: &str| {
            if v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) {
                Ok(v as u32)
            } else {
                Err(Error::parse(
                    self.file,
                    number,
                    0,
                    format!("{what} `{v}` is not a count"),
                ))
            }
        };
        let cycle_index = match (cycle, self.get(rec, self.half_cycle)) {
            (Some(c), _) => count(c, "cycle number")?,
            (None, Some(h)) => count(h, "half cycle")? / 2,
            (None, None) => 0,
        };
        let step_index = match self.get(rec, self.step) {
            Some(s) => count(s, "Ns")?,
            None => 0,
        };
        let q = self.get(rec, self.q);
        let r = TimeSeriesRecord {
            test_time_s: time,
            timestamp_s: sink.start_s.map(|s| s + time),
            cycle_index,
            step_index,
            step_kind,
            voltage_v,
            current_a: current_ma * 1e-3,
            charge_capacity_ah: q.filter(|&x| x > 0.0).map(|x| x * 1e-3),
            discharge_capacity_ah: q.filter(|&x| x < 0.0).map(|x| -x * 1e-3),
            temperature_c: self.get(rec, self.temperature),
        };
        sink.record(&r, number)
    }
}
