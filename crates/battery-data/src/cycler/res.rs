//! Arbin `.res` result files: Microsoft Access (Jet 4) databases written by
//! MITS Pro. No maintained pure-Rust Jet reader exists without a large
//! dependency tree (encryption, XML, OLE), and the time series lives in one
//! table of fixed-length numbers, so this reads the Jet 4 page format directly:
//! the catalog (`MSysObjects`, table definition on page 2) locates
//! `Channel_Normal_Table`; its data pages hold rows of fixed-offset columns
//! with a trailing null bitmap. Pages are read one at a time.
//!
//! Columns used: `Test_Time` (s), `DateTime` (OLE date, days since
//! 1899-12-30), `Step_Index`, `Cycle_Index`, `Current` (A, positive =
//! charge), `Voltage` (V), `Charge_Capacity` and `Discharge_Capacity` (Ah),
//! ordered by `Data_Point`.

use std::io::{Read, Seek, SeekFrom};

use crate::schema::{StepKind, TimeSeriesRecord};
use voltai_core::{Error, Result};

use super::Sink;
use super::time::ole_date_to_unix;

const PAGE: usize = 4096;

struct Db<F> {
    f: F,
    file: String,
    pages: u64,
}

#[derive(Debug, Clone)]
struct Col {
    name: String,
    kind: u8,
    number: usize,
    fixed: bool,
    offset: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Null,
    Int(i64),
    Float(f64),
    Other,
}

fn u16_at(b: &[u8], o: usize) -> Option<u16> {
    b.get(o..o + 2).map(|x| u16::from_le_bytes([x[0], x[1]]))
}

fn u32_at(b: &[u8], o: usize) -> Option<u32> {
    b.get(o..o + 4)
        .map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
}

impl<F: Read + Seek> Db<F> {
    fn open(mut f: F, file: &str) -> Result<Self> {
        let len = f.seek(SeekFrom::End(0)).map_err(|e| Error::io(file, e))?;
        let mut db = Db {
            f,
            file: file.to_string(),
            pages: len / PAGE as u64,
        };
        let p0 = db.page(0)?;
        if p0.get(4..19) != Some(b"Standard Jet DB".as_slice()) {
            return Err(db.err(0, "not an Access/Jet database (no `Standard Jet DB`)"));
        }
        if p0.get(0x14) != Some(&1) {
            return Err(db.err(
                0x14,
                format!(
                    "Jet version byte {:?}: only Jet 4 (Access 2000-2003, what MITS Pro writes) is read",
                    p0.get(0x14)
                ),
            ));
        }
        Ok(db)
    }

    fn err(&self, at: u64, message: impl Into<String>) -> Error {
        Error::parse(&self.file, 0, at, message)
    }

    fn page(&mut self, n: u32) -> Result<Vec<u8>> {
        if u64::from(n) >= self.pages {
            return Err(self.err(
                u64::from(n) * PAGE as u64,
                format!(
                    "page {n} is past the end of the file ({} pages): truncated",
                    self.pages
                ),
            ));
        }
        let mut b = vec![0u8; PAGE];
        self.f
            .seek(SeekFrom::Start(u64::from(n) * PAGE as u64))
            .map_err(|e| Error::io(&self.file, e))?;
        self.f
            .read_exact(&mut b)
            .map_err(|e| Error::io(&self.file, e))?;
        Ok(b)
    }

    /// Column definitions of the table whose definition starts on `page`.
    fn table_def(&mut self, page: u32) -> Result<Vec<Col>> {
        let first = self.page(page)?;
        let at = u64::from(page) * PAGE as u64;
        if first[0] != 0x02 {
            return Err(self.err(at, format!("page {page} is not a table definition")));
        }
        let mut t = first.clone();
        let mut next = u32_at(&first, 4).unwrap_or(0);
        let mut guard = 0;
        while next != 0 {
            guard += 1;
            if guard > 64 {
                return Err(self.err(at, "table definition chain loops"));
            }
            let q = self.page(next)?;
            t.extend_from_slice(&q[8..]);
            next = u32_at(&q, 4).unwrap_or(0);
        }
        let bad = || Error::parse(&self.file, 0, at, "table definition runs past its pages");
        let n_cols = usize::from(u16_at(&t, 45).ok_or_else(bad)?);
        let n_real_idx = u32_at(&t, 51).ok_or_else(bad)? as usize;
        let mut o = 63usize
            .checked_add(n_real_idx.checked_mul(12).ok_or_else(bad)?)
            .ok_or_else(bad)?;
        let mut cols = Vec::with_capacity(n_cols);
        for _ in 0..n_cols {
            let c = t.get(o..o + 25).ok_or_else(bad)?;
            cols.push(Col {
                name: String::new(),
                kind: c[0],
                number: usize::from(u16_at(c, 5).ok_or_else(bad)?),
                fixed: c[15] & 0x01 != 0,
                offset: usize::from(u16_at(c, 21).ok_or_else(bad)?),
            });
            o += 25;
        }
        for c in &mut cols {
            let l = usize::from(u16_at(&t, o).ok_or_else(bad)?);
            let b = t.get(o + 2..o + 2 + l).ok_or_else(bad)?;
            c.name = utf16(b);
            o += 2 + l;
        }
        cols.sort_by_key(|c| c.number);
        Ok(cols)
    }

    /// Calls `row` with every live row of the table defined on `def_page`.
    fn rows(
        &mut self,
        def_page: u32,
        cols: &[Col],
        row: &mut dyn FnMut(&[Value]) -> Result<()>,
    ) -> Result<()> {
        let mut values = Vec::with_capacity(cols.len());
        for n in 0..self.pages as u32 {
            let p = self.page(n)?;
            if p[0] != 0x01 || u32_at(&p, 4) != Some(def_page) {
                continue;
            }
            let at = u64::from(n) * PAGE as u64;
            let count = usize::from(u16_at(&p, 12).unwrap_or(0));
            for i in 0..count {
                let raw = u16_at(&p, 14 + 2 * i)
                    .ok_or_else(|| self.err(at, "row table runs past the page"))?;
                if raw & 0x8000 != 0 {
                    continue; // deleted
                }
                let start = usize::from(raw & 0x1FFF);
                let end = if i == 0 {
                    PAGE
                } else {
                    usize::from(u16_at(&p, 12 + 2 * i).unwrap_or(0) & 0x1FFF)
                };
                if raw & 0x4000 != 0 {
                    // A pointer to a row moved to another page (row number, page).
                    let ptr = u32_at(&p, start).ok_or_else(|| self.err(at, "bad row pointer"))?;
                    let (r, q) = ((ptr & 0xFF) as usize, ptr >> 8);
                    let qp = self.page(q)?;
                    let s = usize::from(u16_at(&qp, 14 + 2 * r).unwrap_or(0) & 0x1FFF);
                    let e = if r == 0 {
                        PAGE
                    } else {
                        usize::from(u16_at(&qp, 12 + 2 * r).unwrap_or(0) & 0x1FFF)
                    };
                    let bytes = qp
                        .get(s..e)
                        .ok_or_else(|| self.err(at, "moved row outside its page"))?;
                    crack(bytes, cols, &mut values).map_err(|m| self.err(at + start as u64, m))?;
                } else {
                    let bytes = p
                        .get(start..end)
                        .ok_or_else(|| self.err(at + start as u64, "row outside its page"))?;
                    crack(bytes, cols, &mut values).map_err(|m| self.err(at + start as u64, m))?;
                }
                row(&values)?;
            }
        }
        Ok(())
    }
}

/// Decodes one Jet 4 row: `[u16 column count][fixed data][...][null bitmap]`.
fn crack(row: &[u8], cols: &[Col], out: &mut Vec<Value>) -> std::result::Result<(), String> {
    out.clear();
    let n = usize::from(u16_at(row, 0).ok_or("row shorter than its header")?);
    let nb = n.div_ceil(8);
    let mask = row
        .get(
            row.len()
                .checked_sub(nb)
                .ok_or("row shorter than its null bitmap")?..,
        )
        .ok_or("row shorter than its null bitmap")?;
    for c in cols {
        let present = c.number < n
            && mask
                .get(c.number / 8)
                .is_some_and(|b| b & (1 << (c.number % 8)) != 0);
        if !present || !c.fixed {
            out.push(if present { Value::Other } else { Value::Null });
            continue;
        }
        let d = row
            .get(2 + c.offset..)
            .ok_or("column offset outside the row")?;
        let need = |k: usize| d.get(..k).ok_or("column runs past the row");
        out.push(match c.kind {
            0x01 => Value::Int(1),
            0x02 => Value::Int(i64::from(need(1)?[0])),
            0x03 => {
                let b = need(2)?;
                Value::Int(i64::from(i16::from_le_bytes([b[0], b[1]])))
            }
            0x04 => {
                let b = need(4)?;
                Value::Int(i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            }
            0x06 => {
                let b = need(4)?;
                Value::Float(f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            }
            0x07 | 0x08 => {
                let b = need(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Value::Float(f64::from_le_bytes(a))
            }
            _ => Value::Other,
        });
    }
    Ok(())
}

fn utf16(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

fn num(v: Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(i as f64),
        Value::Float(x) if x.is_finite() => Some(x),
        _ => None,
    }
}

pub(crate) fn read<F: Read + Seek>(f: F, file: &str, sink: &mut Sink<'_>) -> Result<()> {
    let mut db = Db::open(f, file)?;
    // The catalog: rows of type 1 are user tables; Id's low 24 bits give the
    // page of their definition.
    let catalog = db.table_def(2)?;
    let ci = |n: &str| catalog.iter().position(|c| c.name == n);
    let (Some(id_col), Some(type_col)) = (ci("Id"), ci("Type")) else {
        return Err(db.err(2 * PAGE as u64, "catalog lacks Id/Type"));
    };
    // The time-series table is recognised by its columns (names in the catalog
    // are variable-length text this reader does not decode).
    let mut tables: Vec<u32> = Vec::new();
    {
        let mut ids = Vec::new();
        db.rows(2, &catalog, &mut |v| {
            if let (Value::Int(id), Value::Int(1)) = (v[id_col], v[type_col]) {
                ids.push((id as u32) & 0x00FF_FFFF);
            }
            Ok(())
        })?;
        for page in ids {
            if let Ok(cols) = db.table_def(page)
                && [
                    "Data_Point",
                    "Test_Time",
                    "Step_Index",
                    "Voltage",
                    "Current",
                ]
                .iter()
                .all(|n| cols.iter().any(|c| c.name == *n))
            {
                tables.push(page);
            }
        }
    }
    let page = match tables.as_slice() {
        [page] => *page,
        [] => {
            return Err(db.err(
                0,
                "no table with Test_Time and Voltage (Channel_Normal_Table)",
            ));
        }
        many => {
            return Err(db.err(
                0,
                format!(
                    "{} tables look like Channel_Normal_Table; expected one",
                    many.len()
                ),
            ));
        }
    };
    let cols = db.table_def(page)?;
    let at = |n: &str| cols.iter().position(|c| c.name == n);
    let need = |n: &str| {
        at(n).ok_or_else(|| Error::parse(file, 0, 0, format!("Channel_Normal_Table lacks `{n}`")))
    };
    let (t, v, i) = (need("Test_Time")?, need("Voltage")?, need("Current")?);
    let (point, date, cyc, step) = (
        at("Data_Point"),
        at("DateTime"),
        at("Cycle_Index"),
        at("Step_Index"),
    );
    let (qc, qd) = (at("Charge_Capacity"), at("Discharge_Capacity"));
    let mut rows: Vec<(i64, TimeSeriesRecord)> = Vec::new();
    let mut bad = None;
    db.rows(page, &cols, &mut |r| {
        let get = |k: Option<usize>| k.and_then(|k| num(r[k]));
        // Arbin writes cycle and step indices as non-negative integers.
        let index = |k: Option<usize>| match get(k) {
            Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= f64::from(u32::MAX) => Some(x as u32),
            Some(_) => None,
            None => Some(0),
        };
        let (Some(time), Some(volt), Some(cur), Some(cycle_index), Some(step_index)) =
            (num(r[t]), num(r[v]), num(r[i]), index(cyc), index(step))
        else {
            bad.get_or_insert(rows.len() + 1);
            return Ok(());
        };
        rows.push((
            get(point).map_or(rows.len() as i64, |x| x as i64),
            TimeSeriesRecord {
                test_time_s: time,
                timestamp_s: get(date).and_then(ole_date_to_unix),
                cycle_index,
                step_index,
                step_kind: StepKind::Unknown,
                voltage_v: volt,
                current_a: cur,
                charge_capacity_ah: get(qc),
                discharge_capacity_ah: get(qd),
                temperature_c: None,
            },
        ));
        Ok(())
    })?;
    if let Some(k) = bad {
        return Err(Error::parse(
            file,
            k as u64,
            0,
            "row without Test_Time, Voltage or Current, or with a cycle or step index that is not a count",
        ));
    }
    rows.sort_by_key(|r| r.0);
    sink.start_s = rows.first().and_then(|r| r.1.timestamp_s);
    for (k, (_, r)) in rows.iter().enumerate() {
        sink.record(r, k as u64 + 1)?;
    }
    Ok(())
}
