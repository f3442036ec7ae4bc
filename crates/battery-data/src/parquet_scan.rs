//! Reading only what a question needs from a fleet's time-series Parquet
//! file: a column projection, row groups skipped by their statistics (cell
//! ids and cycle range), rows filtered inside the row groups that remain,
//! row groups decoded in parallel, and the rows handed out one cell at a
//! time.
//!
//! The recommended layout is the one [`ParquetTableWriter`] writes when fed
//! cell by cell: rows sorted by cell, each cell's rows contiguous. Then each
//! row group covers a narrow range of cell ids, so a question about a few
//! cells reads a few row groups, and [`CellScan`] never holds more than one
//! cell's rows plus the row groups being decoded. A file whose cells are
//! interleaved is refused (the scan names the cell that reappears) rather
//! than read into per-cell tables that would be incomplete.
//!
//! [`ParquetTableWriter`]: crate::parquet_io::ParquetTableWriter
//!
//! ```
//! use voltai_battery_data::parquet_io::ParquetTableWriter;
//! use voltai_battery_data::parquet_scan::Scan;
//! use voltai_battery_data::schema::{StepKind, TimeSeriesRecord};
//!
//! let path = std::env::temp_dir().join(format!("voltai_scan_doc_{}.parquet", std::process::id()));
//! let mut w = ParquetTableWriter::time_series(&path)?;
//! for cell in ["A", "B", "C"] {
//!     let rows: Vec<TimeSeriesRecord> = (0..6)
//!         .map(|i| TimeSeriesRecord {
//!             test_time_s: i as f64,
//!             timestamp_s: None,
//!             cycle_index: 1 + i / 2,
//!             step_index: 1,
//!             step_kind: StepKind::ConstantCurrent,
//!             voltage_v: 4.0 - 0.1 * i as f64,
//!             current_a: -1.0,
//!             charge_capacity_ah: None,
//!             discharge_capacity_ah: Some(0.1 * i as f64),
//!             temperature_c: None,
//!         })
//!         .collect();
//!     w.write_time_series(cell, &rows)?;
//! }
//! w.finish()?;
//! // Cell B's voltages in cycles 2 and 3 only.
//! let cells: Vec<_> = Scan::new()
//!     .columns(&["voltage_v"])
//!     .cells(&["B"])
//!     .cycles(2..=3)
//!     .open(&path)?
//!     .collect::<Result<_, _>>()?;
//! assert_eq!(cells.len(), 1);
//! assert_eq!(cells[0].cell_id, "B");
//! assert_eq!(cells[0].rows.num_rows(), 4);
//! // The projection: the requested column, plus the cell id the scan groups
//! // by and the cycle index it filters on.
//! assert_eq!(cells[0].rows.num_columns(), 3);
//! std::fs::remove_file(&path).ok();
//! # Ok::<(), voltai_core::Error>(())
//! ```

use std::collections::{BTreeSet, VecDeque};
use std::fs::File;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{Array, BooleanArray, DictionaryArray, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::file::metadata::RowGroupMetaData;
use parquet::file::statistics::Statistics;
use rayon::prelude::*;
use voltai_core::{Error, Result};

use crate::parquet_io::time_series_schema;

/// Rows per decoded batch: large enough to amortise per-batch work, small
/// enough that a row group is never held twice.
const BATCH_ROWS: usize = 65_536;

/// Which part of a time-series Parquet file to read (see the module docs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scan {
    columns: Option<Vec<String>>,
    cells: Option<BTreeSet<String>>,
    cycles: Option<RangeInclusive<u32>>,
}

/// One cell's rows, in file order, with the projected columns (the cell id
/// column always among them, as a dictionary: one string, a key per row).
#[derive(Debug, Clone, PartialEq)]
pub struct CellRows {
    /// The cell.
    pub cell_id: String,
    /// Its rows.
    pub rows: RecordBatch,
}

fn fmt_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Format {
        format: "parquet".into(),
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl Scan {
    /// Every column, cell and cycle.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads only these columns of the time-series schema (the cell id is
    /// always read; the cycle index too when cycles are filtered).
    pub fn columns(mut self, names: &[&str]) -> Self {
        self.columns = Some(names.iter().map(|n| n.to_string()).collect());
        self
    }

    /// Reads only these cells.
    pub fn cells(mut self, ids: &[&str]) -> Self {
        self.cells = Some(ids.iter().map(|n| n.to_string()).collect());
        self
    }

    /// Reads only rows whose cycle index lies in `range`.
    pub fn cycles(mut self, range: RangeInclusive<u32>) -> Self {
        self.cycles = Some(range);
        self
    }

    /// Opens the scan of `path`: checks the requested columns against the
    /// time-series schema and the file, and picks the row groups whose
    /// statistics allow a wanted row.
    pub fn open(&self, path: impl AsRef<Path>) -> Result<CellScan> {
        let path = path.as_ref();
        let schema = time_series_schema();
        let mut wanted: Vec<String> = vec!["cell_id".into()];
        if self.cycles.is_some() {
            wanted.push("cycle_index".into());
        }
        match &self.columns {
            Some(cols) => {
                for c in cols {
                    if schema.field_with_name(c).is_err() {
                        return Err(Error::InvalidInput(format!(
                            "`{c}` is not a time-series column"
                        )));
                    }
                    if !wanted.contains(c) {
                        wanted.push(c.clone());
                    }
                }
            }
            None => wanted = schema.fields().iter().map(|f| f.name().clone()).collect(),
        }
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| fmt_err(path, e))?;
        let descr = builder.parquet_schema();
        let column_index = |name: &str| -> Result<usize> {
            descr
                .columns()
                .iter()
                .position(|c| c.name() == name)
                .ok_or_else(|| fmt_err(path, format!("missing column `{name}`")))
        };
        for w in &wanted {
            column_index(w)?;
        }
        let (cell_col, cycle_col) = (column_index("cell_id")?, column_index("cycle_index")?);
        let row_groups: Vec<usize> = builder
            .metadata()
            .row_groups()
            .iter()
            .enumerate()
            .filter(|(_, rg)| self.may_hold(rg, cell_col, cycle_col))
            .map(|(i, _)| i)
            .collect();
        Ok(CellScan {
            path: path.to_path_buf(),
            scan: self.clone(),
            columns: wanted,
            total_row_groups: builder.metadata().num_row_groups(),
            row_groups: row_groups.into(),
            read: 0,
            decoded: VecDeque::new(),
            partial: None,
            finished: BTreeSet::new(),
        })
    }

    /// Whether row group `rg`'s statistics allow a wanted row (no
    /// statistics: it might).
    fn may_hold(&self, rg: &RowGroupMetaData, cell_col: usize, cycle_col: usize) -> bool {
        let cells_ok = match (&self.cells, rg.column(cell_col).statistics()) {
            (Some(cells), Some(Statistics::ByteArray(s))) => match (s.min_opt(), s.max_opt()) {
                (Some(lo), Some(hi)) => cells.iter().any(|c| {
                    let c = c.as_bytes();
                    c >= lo.data() && c <= hi.data()
                }),
                _ => true,
            },
            _ => true,
        };
        let cycles_ok = match (&self.cycles, rg.column(cycle_col).statistics()) {
            (Some(r), Some(Statistics::Int32(s))) => match (s.min_opt(), s.max_opt()) {
                // cycle_index is UInt32, stored as INT32 bits.
                (Some(lo), Some(hi)) => {
                    let (lo, hi) = (*lo as u32, *hi as u32);
                    lo <= hi && *r.end() >= lo && *r.start() <= hi
                }
                _ => true,
            },
            _ => true,
        };
        cells_ok && cycles_ok
    }
}

/// The rows of a [`Scan`], one cell at a time (an iterator of
/// [`CellRows`]).
#[derive(Debug)]
pub struct CellScan {
    path: PathBuf,
    scan: Scan,
    columns: Vec<String>,
    total_row_groups: usize,
    row_groups: VecDeque<usize>,
    read: usize,
    /// Decoded, filtered row groups not yet split into cells.
    decoded: VecDeque<RecordBatch>,
    /// The cell whose rows may continue in the next batch, and its rows so
    /// far (joined once, when the cell is complete).
    partial: Option<(String, Vec<RecordBatch>)>,
    /// Cells already handed out (a reappearing one means an unsorted file).
    finished: BTreeSet<String>,
}

impl CellScan {
    /// Row groups the file has.
    pub fn total_row_groups(&self) -> usize {
        self.total_row_groups
    }

    /// Row groups decoded so far (the others were skipped by their
    /// statistics or are still ahead).
    pub fn row_groups_read(&self) -> usize {
        self.read
    }

    /// Row groups the statistics let through and not yet decoded.
    pub fn row_groups_left(&self) -> usize {
        self.row_groups.len()
    }

    /// Decodes the next few row groups in parallel (as many as rayon has
    /// threads), each filtered to the wanted rows, in file order.
    fn decode_more(&mut self) -> Result<bool> {
        let n = rayon::current_num_threads()
            .max(1)
            .min(self.row_groups.len());
        if n == 0 {
            return Ok(false);
        }
        let take: Vec<usize> = self.row_groups.drain(..n).collect();
        let batches: Vec<Result<Vec<RecordBatch>>> = take
            .par_iter()
            .map(|&rg| self.decode_row_group(rg))
            .collect();
        self.read += take.len();
        for b in batches {
            self.decoded.extend(b?);
        }
        Ok(true)
    }

    /// Row group `rg`'s wanted rows, in batches of at most 64 Ki rows.
    fn decode_row_group(&self, rg: usize) -> Result<Vec<RecordBatch>> {
        let path = &self.path;
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        // Cell ids come back as a dictionary (one string per cell, a key
        // per row) instead of a string per row.
        let hinted = Schema::new(
            time_series_schema()
                .fields()
                .iter()
                .map(|f| match f.name().as_str() {
                    "cell_id" => Arc::new(Field::new(
                        "cell_id",
                        DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                        false,
                    )),
                    _ => f.clone(),
                })
                .collect::<Vec<_>>(),
        );
        let options = ArrowReaderOptions::new().with_schema(Arc::new(hinted));
        let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options)
            .map_err(|e| fmt_err(path, e))?;
        let mask = ProjectionMask::columns(
            builder.parquet_schema(),
            self.columns.iter().map(String::as_str),
        );
        let reader = builder
            .with_row_groups(vec![rg])
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| fmt_err(path, e))?;
        let mut parts = Vec::new();
        for b in reader {
            let b = self.filter(&b.map_err(|e| fmt_err(path, e))?)?;
            if b.num_rows() > 0 {
                parts.push(b);
            }
        }
        Ok(parts)
    }

    /// The wanted rows of `b` (cells and cycle range).
    fn filter(&self, b: &RecordBatch) -> Result<RecordBatch> {
        if self.scan.cells.is_none() && self.scan.cycles.is_none() {
            return Ok(b.clone());
        }
        let ids = CellIds::of(&self.path, b)?;
        let cycles = match self.scan.cycles {
            Some(_) => Some(
                b.column_by_name("cycle_index")
                    .and_then(|c| c.as_any().downcast_ref::<UInt32Array>())
                    .ok_or_else(|| fmt_err(&self.path, "column `cycle_index` is not UInt32"))?,
            ),
            None => None,
        };
        let keep: BooleanArray = (0..b.num_rows())
            .map(|i| {
                let cell_ok = self
                    .scan
                    .cells
                    .as_ref()
                    .is_none_or(|c| c.contains(ids.value(i)));
                let cycle_ok = match (&self.scan.cycles, cycles) {
                    (Some(r), Some(c)) => r.contains(&c.value(i)),
                    _ => true,
                };
                Some(cell_ok && cycle_ok)
            })
            .collect();
        arrow_select::filter::filter_record_batch(b, &keep).map_err(|e| fmt_err(&self.path, e))
    }

    /// Splits the front decoded batch into its cells' runs; complete cells
    /// come back in order, the last run stays as the partial cell.
    fn next_cell(&mut self) -> Result<Option<CellRows>> {
        loop {
            if let Some(b) = self.decoded.pop_front() {
                let ids = CellIds::of(&self.path, &b)?;
                // The first run of one cell id.
                let first = ids.value(0).to_string();
                let end = (1..b.num_rows())
                    .find(|&i| !ids.same(0, i))
                    .unwrap_or(b.num_rows());
                let run = b.slice(0, end);
                if end < b.num_rows() {
                    self.decoded.push_front(b.slice(end, b.num_rows() - end));
                }
                let done = match self.partial.take() {
                    Some((id, mut parts)) if id == first => {
                        parts.push(run);
                        self.partial = Some((id, parts));
                        None
                    }
                    previous => {
                        if self.finished.contains(&first) {
                            return Err(fmt_err(
                                &self.path,
                                format!(
                                    "cell `{first}` appears again after other cells: the file is not \
                                     sorted by cell (write fleets cell by cell)"
                                ),
                            ));
                        }
                        self.partial = Some((first, vec![run]));
                        previous
                    }
                };
                if let Some((id, parts)) = done {
                    return self.complete(id, parts).map(Some);
                }
            } else if !self.decode_more()? {
                return match self.partial.take() {
                    Some((id, parts)) => self.complete(id, parts).map(Some),
                    None => Ok(None),
                };
            }
        }
    }

    /// A finished cell: its parts joined, its id remembered.
    fn complete(&mut self, cell_id: String, parts: Vec<RecordBatch>) -> Result<CellRows> {
        let rows = match parts.len() {
            1 => parts
                .into_iter()
                .next()
                .ok_or_else(|| Error::internal("parquet scan: a cell with one part has none"))?,
            _ => {
                let schema = parts[0].schema();
                arrow_select::concat::concat_batches(&schema, &parts)
                    .map_err(|e| fmt_err(&self.path, e))?
            }
        };
        self.finished.insert(cell_id.clone());
        Ok(CellRows { cell_id, rows })
    }
}

/// The cell-id column of a batch: a dictionary (how the scan reads it) or
/// plain strings.
enum CellIds<'a> {
    Dictionary(&'a DictionaryArray<Int32Type>, &'a StringArray),
    Plain(&'a StringArray),
}

impl<'a> CellIds<'a> {
    fn of(path: &Path, b: &'a RecordBatch) -> Result<Self> {
        let col = b
            .column_by_name("cell_id")
            .ok_or_else(|| fmt_err(path, "column `cell_id` missing"))?;
        if let Some(d) = col.as_any().downcast_ref::<DictionaryArray<Int32Type>>() {
            let values = d
                .values()
                .as_any()
                .downcast_ref::<StringArray>()
                .ok_or_else(|| fmt_err(path, "column `cell_id`: dictionary of non-text values"))?;
            return Ok(CellIds::Dictionary(d, values));
        }
        col.as_any()
            .downcast_ref::<StringArray>()
            .map(CellIds::Plain)
            .ok_or_else(|| fmt_err(path, "column `cell_id` is not text"))
    }

    fn value(&self, i: usize) -> &'a str {
        match self {
            CellIds::Dictionary(d, values) => values.value(d.keys().value(i) as usize),
            CellIds::Plain(s) => s.value(i),
        }
    }

    /// Whether rows `i` and `j` hold the same cell.
    fn same(&self, i: usize, j: usize) -> bool {
        match self {
            CellIds::Dictionary(d, _) => {
                d.keys().value(i) == d.keys().value(j) || self.value(i) == self.value(j)
            }
            CellIds::Plain(s) => s.value(i) == s.value(j),
        }
    }
}

impl Iterator for CellScan {
    type Item = Result<CellRows>;
    fn next(&mut self) -> Option<Self::Item> {
        match self.next_cell() {
            Ok(Some(c)) => Some(Ok(c)),
            Ok(None) => None,
            Err(e) => {
                // Stop after an error instead of handing out later cells.
                self.row_groups.clear();
                self.decoded.clear();
                self.partial = None;
                Some(Err(e))
            }
        }
    }
}
