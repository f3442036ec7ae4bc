//! Parquet storage for per-cycle and time-series tables, streamed batch by batch.
//!
//! The schema maps one-to-one onto Arrow types (text → `Utf8`, counts →
//! `UInt32`, measurements → `Float64`, optional fields nullable), so the same
//! files can be queried by DataFusion, Spark or pandas. Writers append record
//! batches as they come; readers yield bounded batches, so a fleet's data is
//! featurised without ever being whole in memory.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::schema::{CycleSummary, StepKind, TimeSeriesRecord};
use voltai_core::{Error, Result};

const CYCLE_F64: [&str; 12] = [
    "charge_capacity_ah",
    "discharge_capacity_ah",
    "internal_resistance_ohm",
    "temperature_min_c",
    "temperature_mean_c",
    "temperature_max_c",
    "charge_time_s",
    "coulombic_efficiency",
    "end_of_charge_voltage_v",
    "end_of_discharge_voltage_v",
    "charge_energy_wh",
    "discharge_energy_wh",
];

fn cycle_values(c: &CycleSummary) -> [Option<f64>; 12] {
    [
        c.charge_capacity_ah,
        c.discharge_capacity_ah,
        c.internal_resistance_ohm,
        c.temperature_min_c,
        c.temperature_mean_c,
        c.temperature_max_c,
        c.charge_time_s,
        c.coulombic_efficiency,
        c.end_of_charge_voltage_v,
        c.end_of_discharge_voltage_v,
        c.charge_energy_wh,
        c.discharge_energy_wh,
    ]
}

/// Arrow schema of the per-cycle table.
pub fn cycle_schema() -> SchemaRef {
    let mut fields = vec![
        Field::new("cell_id", DataType::Utf8, false),
        Field::new("cycle_index", DataType::UInt32, false),
    ];
    fields.extend(
        CYCLE_F64
            .iter()
            .map(|n| Field::new(*n, DataType::Float64, true)),
    );
    Arc::new(Schema::new(fields))
}

/// Arrow schema of the time-series table.
pub fn time_series_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("cell_id", DataType::Utf8, false),
        Field::new("test_time_s", DataType::Float64, false),
        Field::new("timestamp_s", DataType::Float64, true),
        Field::new("cycle_index", DataType::UInt32, false),
        Field::new("step_index", DataType::UInt32, false),
        Field::new("step_kind", DataType::Utf8, false),
        Field::new("voltage_v", DataType::Float64, false),
        Field::new("current_a", DataType::Float64, false),
        Field::new("charge_capacity_ah", DataType::Float64, true),
        Field::new("discharge_capacity_ah", DataType::Float64, true),
        Field::new("temperature_c", DataType::Float64, true),
    ]))
}

fn fmt_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Format {
        format: "parquet".into(),
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Appends record batches to one Parquet file (Snappy-compressed).
pub struct ParquetTableWriter {
    path: PathBuf,
    schema: SchemaRef,
    writer: ArrowWriter<File>,
}

impl ParquetTableWriter {
    fn create(path: &Path, schema: SchemaRef, row_group_rows: Option<usize>) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let mut props = WriterProperties::builder().set_compression(Compression::SNAPPY);
        if let Some(rows) = row_group_rows {
            if rows == 0 {
                return Err(Error::invalid_parameter("row_group_rows", 0, "1 or more"));
            }
            props = props.set_max_row_group_row_count(Some(rows));
        }
        let props = props.build();
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .map_err(|e| fmt_err(path, e))?;
        Ok(ParquetTableWriter {
            path: path.to_path_buf(),
            schema,
            writer,
        })
    }

    /// A writer for per-cycle rows.
    pub fn cycles(path: impl AsRef<Path>) -> Result<Self> {
        Self::create(path.as_ref(), cycle_schema(), None)
    }

    /// A writer for time-series rows.
    pub fn time_series(path: impl AsRef<Path>) -> Result<Self> {
        Self::create(path.as_ref(), time_series_schema(), None)
    }

    /// A writer for time-series rows with at most `rows` rows per row group
    /// (Parquet's default is about a million). Smaller row groups, written
    /// cell by cell, let a scan of a few cells skip more of the file
    /// ([`crate::parquet_scan`]).
    pub fn time_series_in_row_groups(path: impl AsRef<Path>, rows: usize) -> Result<Self> {
        Self::create(path.as_ref(), time_series_schema(), Some(rows))
    }

    fn write(&mut self, columns: Vec<ArrayRef>) -> Result<()> {
        let batch = RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|e| fmt_err(&self.path, e))?;
        self.writer
            .write(&batch)
            .map_err(|e| fmt_err(&self.path, e))
    }

    /// Appends per-cycle rows (writer made by [`Self::cycles`]).
    pub fn write_cycles(&mut self, rows: &[CycleSummary]) -> Result<()> {
        if self.schema != cycle_schema() {
            return Err(Error::InvalidInput(
                "this writer holds a time-series table".into(),
            ));
        }
        let mut cols: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| r.cell_id.as_str()),
            )),
            Arc::new(UInt32Array::from_iter_values(
                rows.iter().map(|r| r.cycle_index),
            )),
        ];
        let values: Vec<[Option<f64>; 12]> = rows.iter().map(cycle_values).collect();
        for k in 0..CYCLE_F64.len() {
            cols.push(Arc::new(Float64Array::from_iter(
                values.iter().map(|v| v[k]),
            )));
        }
        self.write(cols)
    }

    /// Appends one cell's time-series records (writer made by [`Self::time_series`]).
    pub fn write_time_series(&mut self, cell_id: &str, rows: &[TimeSeriesRecord]) -> Result<()> {
        if self.schema != time_series_schema() {
            return Err(Error::InvalidInput(
                "this writer holds a per-cycle table".into(),
            ));
        }
        let f = |g: fn(&TimeSeriesRecord) -> f64| -> ArrayRef {
            Arc::new(Float64Array::from_iter_values(rows.iter().map(g)))
        };
        let o = |g: fn(&TimeSeriesRecord) -> Option<f64>| -> ArrayRef {
            Arc::new(Float64Array::from_iter(rows.iter().map(g)))
        };
        self.write(vec![
            Arc::new(StringArray::from_iter_values(rows.iter().map(|_| cell_id))),
            f(|r| r.test_time_s),
            o(|r| r.timestamp_s),
            Arc::new(UInt32Array::from_iter_values(
                rows.iter().map(|r| r.cycle_index),
            )),
            Arc::new(UInt32Array::from_iter_values(
                rows.iter().map(|r| r.step_index),
            )),
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| r.step_kind.as_str()),
            )),
            f(|r| r.voltage_v),
            f(|r| r.current_a),
            o(|r| r.charge_capacity_ah),
            o(|r| r.discharge_capacity_ah),
            o(|r| r.temperature_c),
        ])
    }

    /// Flushes and writes the footer; the file is unreadable until this is called.
    pub fn finish(self) -> Result<()> {
        let path = self.path;
        self.writer
            .close()
            .map(|_| ())
            .map_err(|e| fmt_err(&path, e))
    }
}

/// Writes a whole per-cycle table in one call.
pub fn write_cycles(path: impl AsRef<Path>, rows: &[CycleSummary]) -> Result<()> {
    let mut w = ParquetTableWriter::cycles(path)?;
    w.write_cycles(rows)?;
    w.finish()
}

struct BatchSource {
    path: PathBuf,
    reader: ParquetRecordBatchReader,
}

impl BatchSource {
    fn open(path: &Path, batch_rows: usize, expected: SchemaRef) -> Result<Self> {
        if batch_rows == 0 {
            return Err(Error::invalid_parameter("batch_rows", 0, "[1, inf)"));
        }
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| fmt_err(path, e))?;
        for f in expected.fields() {
            match builder.schema().field_with_name(f.name()) {
                Ok(g) if g.data_type() == f.data_type() => {}
                Ok(g) => {
                    return Err(fmt_err(
                        path,
                        format!(
                            "column `{}` has type {}, expected {}",
                            f.name(),
                            g.data_type(),
                            f.data_type()
                        ),
                    ));
                }
                Err(_) => return Err(fmt_err(path, format!("missing column `{}`", f.name()))),
            }
        }
        let reader = builder
            .with_batch_size(batch_rows)
            .build()
            .map_err(|e| fmt_err(path, e))?;
        Ok(BatchSource {
            path: path.to_path_buf(),
            reader,
        })
    }

    fn next_batch(&mut self) -> Option<Result<RecordBatch>> {
        self.reader
            .next()
            .map(|r| r.map_err(|e| fmt_err(&self.path, e)))
    }

    fn col<'a, T: 'static>(&self, b: &'a RecordBatch, name: &str) -> Result<&'a T> {
        b.column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<T>())
            .ok_or_else(|| {
                fmt_err(
                    &self.path,
                    format!("column `{name}` missing or of the wrong type"),
                )
            })
    }
}

fn opt(a: &Float64Array, i: usize) -> Option<f64> {
    if a.is_null(i) { None } else { Some(a.value(i)) }
}

/// Streams a per-cycle Parquet file as batches of at most `batch_rows` rows.
pub struct CycleBatches {
    src: BatchSource,
}

impl CycleBatches {
    /// Opens the file and checks its schema.
    pub fn open(path: impl AsRef<Path>, batch_rows: usize) -> Result<Self> {
        Ok(CycleBatches {
            src: BatchSource::open(path.as_ref(), batch_rows, cycle_schema())?,
        })
    }

    fn convert(&self, b: &RecordBatch) -> Result<Vec<CycleSummary>> {
        let ids: &StringArray = self.src.col(b, "cell_id")?;
        let cyc: &UInt32Array = self.src.col(b, "cycle_index")?;
        let vals = CYCLE_F64
            .iter()
            .map(|n| self.src.col::<Float64Array>(b, n))
            .collect::<Result<Vec<_>>>()?;
        Ok((0..b.num_rows())
            .map(|i| CycleSummary {
                cell_id: ids.value(i).to_string(),
                cycle_index: cyc.value(i),
                charge_capacity_ah: opt(vals[0], i),
                discharge_capacity_ah: opt(vals[1], i),
                internal_resistance_ohm: opt(vals[2], i),
                temperature_min_c: opt(vals[3], i),
                temperature_mean_c: opt(vals[4], i),
                temperature_max_c: opt(vals[5], i),
                charge_time_s: opt(vals[6], i),
                coulombic_efficiency: opt(vals[7], i),
                end_of_charge_voltage_v: opt(vals[8], i),
                end_of_discharge_voltage_v: opt(vals[9], i),
                charge_energy_wh: opt(vals[10], i),
                discharge_energy_wh: opt(vals[11], i),
            })
            .collect())
    }
}

impl Iterator for CycleBatches {
    type Item = Result<Vec<CycleSummary>>;
    fn next(&mut self) -> Option<Self::Item> {
        let b = self.src.next_batch()?;
        Some(b.and_then(|b| self.convert(&b)))
    }
}

/// A batch of time-series rows: each record with its cell id.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeSeriesChunk {
    /// Cell id of each record.
    pub cell_ids: Vec<String>,
    /// The records.
    pub records: Vec<TimeSeriesRecord>,
}

/// Streams a time-series Parquet file as batches of at most `batch_rows` rows.
pub struct TimeSeriesBatches {
    src: BatchSource,
}

impl TimeSeriesBatches {
    /// Opens the file and checks its schema.
    pub fn open(path: impl AsRef<Path>, batch_rows: usize) -> Result<Self> {
        Ok(TimeSeriesBatches {
            src: BatchSource::open(path.as_ref(), batch_rows, time_series_schema())?,
        })
    }

    fn convert(&self, b: &RecordBatch) -> Result<TimeSeriesChunk> {
        let ids: &StringArray = self.src.col(b, "cell_id")?;
        let f = |n: &str| self.src.col::<Float64Array>(b, n);
        let u = |n: &str| self.src.col::<UInt32Array>(b, n);
        let (t, v, c) = (f("test_time_s")?, f("voltage_v")?, f("current_a")?);
        let (qc, qd, temp) = (
            f("charge_capacity_ah")?,
            f("discharge_capacity_ah")?,
            f("temperature_c")?,
        );
        let (cyc, step) = (u("cycle_index")?, u("step_index")?);
        let stamp = f("timestamp_s")?;
        let kinds: &StringArray = self.src.col(b, "step_kind")?;
        let step_kind = |i: usize| {
            StepKind::from_name(kinds.value(i)).ok_or_else(|| {
                fmt_err(
                    &self.src.path,
                    format!("row {i}: unknown step_kind `{}`", kinds.value(i)),
                )
            })
        };
        Ok(TimeSeriesChunk {
            cell_ids: (0..b.num_rows())
                .map(|i| ids.value(i).to_string())
                .collect(),
            records: (0..b.num_rows())
                .map(|i| {
                    Ok(TimeSeriesRecord {
                        test_time_s: t.value(i),
                        timestamp_s: opt(stamp, i),
                        cycle_index: cyc.value(i),
                        step_index: step.value(i),
                        step_kind: step_kind(i)?,
                        voltage_v: v.value(i),
                        current_a: c.value(i),
                        charge_capacity_ah: opt(qc, i),
                        discharge_capacity_ah: opt(qd, i),
                        temperature_c: opt(temp, i),
                    })
                })
                .collect::<Result<_>>()?,
        })
    }
}

impl Iterator for TimeSeriesBatches {
    type Item = Result<TimeSeriesChunk>;
    fn next(&mut self) -> Option<Self::Item> {
        let b = self.src.next_batch()?;
        Some(b.and_then(|b| self.convert(&b)))
    }
}
