//! Excel exports (`.xlsx`) of Arbin MITS Pro and Neware BTS, read with
//! calamine (a maintained pure-Rust spreadsheet reader). Each data sheet's rows
//! go through the same dialects as the CSV exports: a row's cells become one
//! tab-joined line (numbers in shortest round-trip form, date-time cells as
//! `YYYY-MM-DD hh:mm:ss.ffffff`, duration cells as `h:mm:ss.ffffff`), so units,
//! signs and step names are read by the code that reads the CSVs.
//!
//! Data sheets: Arbin `Channel_*` (statistics and global-info sheets are
//! skipped); Neware `record` / `Record` / `Detail_*` (one or more, in order,
//! for exports that continue past Excel's row limit).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};
use chrono::DateTime;

use voltai_core::{Error, Result};

use super::table::{At, Dialect, Layout};
use super::{Format, Sink};

fn xlsx_err(file: &str, e: impl std::fmt::Display) -> Error {
    Error::Format {
        format: "xlsx".into(),
        path: file.to_string(),
        message: e.to_string(),
    }
}

/// The data sheets of a workbook for a format, in workbook order.
pub(crate) fn data_sheets(names: &[String], format: Format) -> Vec<String> {
    names
        .iter()
        .filter(|n| {
            let l = n.to_ascii_lowercase();
            match format {
                Format::ArbinXlsx => l.starts_with("channel"),
                Format::NewareXlsx => {
                    l.starts_with("record") || l.starts_with("detail") || n.contains("记录")
                }
                _ => false,
            }
        })
        .cloned()
        .collect()
}

/// Which spreadsheet format a workbook holds, from its sheet names.
pub(crate) fn detect(path: &Path) -> Option<Format> {
    let wb: Xlsx<BufReader<File>> = calamine::open_workbook(path).ok()?;
    let names = wb.sheet_names();
    [Format::ArbinXlsx, Format::NewareXlsx]
        .into_iter()
        .find(|&f| !data_sheets(&names, f).is_empty())
}

fn cell_text(c: &Data, out: &mut String) {
    use std::fmt::Write;
    match c {
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Data::Float(x) => {
            let _ = write!(out, "{x}");
        }
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            out.push_str(&s.replace(['\t', '\n', '\r'], " "));
        }
        Data::Bool(b) => out.push(if *b { '1' } else { '0' }),
        Data::DateTime(d) => {
            let days = d.as_f64();
            if d.is_duration() {
                // Whole microseconds first, so a value a hair under a minute
                // never prints as `:60.000000`.
                let us = (days * 86_400e6).round();
                if !us.is_finite() || us.abs() > 9e15 {
                    return;
                }
                let us = us as i64;
                let sign = if us < 0 { "-" } else { "" };
                let us = us.unsigned_abs();
                let (h, m) = (us / 3_600_000_000, us / 60_000_000 % 60);
                let (s, frac) = (us / 1_000_000 % 60, us % 1_000_000);
                let _ = write!(out, "{sign}{h}:{m:02}:{s:02}.{frac:06}");
            } else {
                // Excel serial days (1900 system) to Unix seconds.
                let unix = (days - 25_569.0) * 86_400.0;
                let whole = unix.floor();
                let nanos = ((unix - whole) * 1e9).round().min(999_999_999.0) as u32;
                if let Some(t) = DateTime::from_timestamp(whole as i64, nanos) {
                    let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f"));
                }
            }
        }
        Data::Error(_) | Data::Empty => {}
    }
}

pub(crate) fn read(
    path: &Path,
    file: &str,
    format: Format,
    dialect: &Dialect,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let mut wb: Xlsx<BufReader<File>> =
        calamine::open_workbook(path).map_err(|e| xlsx_err(file, e))?;
    let names = wb.sheet_names();
    let sheets = data_sheets(&names, format);
    if sheets.is_empty() {
        return Err(xlsx_err(
            file,
            format!(
                "no {} data sheet (sheets: {})",
                format.name(),
                names.join(", ")
            ),
        ));
    }
    let mut layout: Option<Layout> = None;
    let mut header: Vec<String> = Vec::new();
    let mut line = String::new();
    for sheet in sheets {
        let range = wb.worksheet_range(&sheet).map_err(|e| xlsx_err(file, e))?;
        let where_ = format!("{file} [{sheet}]");
        let mut rows = range.rows().enumerate();
        // The first row of every data sheet is the header; later sheets repeat it.
        let Some((_, first)) = rows.next() else {
            continue;
        };
        let names: Vec<String> = first
            .iter()
            .map(|c| {
                let mut s = String::new();
                cell_text(c, &mut s);
                s.trim().to_string()
            })
            .collect();
        if layout.is_none() {
            layout = Some(Layout::resolve(
                dialect,
                &names,
                b'\t',
                false,
                At {
                    file: &where_,
                    line: 1,
                },
            )?);
            header = names;
        } else if names != header {
            return Err(Error::parse(
                &where_,
                1,
                1,
                "this sheet's header differs from the first data sheet's",
            ));
        }
        let layout = layout
            .as_mut()
            .ok_or_else(|| Error::internal("layout resolved above"))?;
        layout.rename_file(&where_);
        for (k, row) in rows {
            line.clear();
            for (j, c) in row.iter().enumerate() {
                if j > 0 {
                    line.push('\t');
                }
                cell_text(c, &mut line);
            }
            let n = k as u64 + 1;
            if let Some(r) = layout.record(&line, n)? {
                sink.record(&r, n)?;
            }
        }
    }
    if layout.is_none() {
        return Err(xlsx_err(file, "the data sheets are empty"));
    }
    Ok(())
}
