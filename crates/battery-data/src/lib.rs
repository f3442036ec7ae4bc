//! # voltai-battery-data
//!
//! Battery data with units you can trust:
//!
//! - a typed [`schema`] for cells, per-cycle summaries, raw time series and
//!   impedance spectra (units in every field name, sign conventions stated);
//! - [`cycler::read_cycler_file`] for native cycler and impedance files —
//!   Maccor, Arbin (CSV, xlsx, `.res`), Neware (CSV, xlsx, `.nda`, `.ndax`),
//!   BioLogic (`.mpt`, `.mpr`), BaSyTec, Novonix, PEC, Indigo, Gamry, ZPlot —
//!   detected from content and read into one schema;
//! - [readers] for the real public data sets in `../shared/data/` (Severson 2019,
//!   Attia 2020 with its raw Arbin export, Chen/INL, Zhang 2020, Gasper 2022) and a
//!   [generic CSV mapping](readers::CsvMapping) for a user's own cycler export;
//!   malformed input is an [`Error::Parse`](voltai_core::Error::Parse) naming
//!   file, line and column;
//! - Parquet storage (`parquet_io`, the default-on `parquet` feature) streamed
//!   record batch by record batch, projected and pruned scans one cell at a
//!   time (`parquet_scan`), and per-cell fleet features from such a scan
//!   (`fleet`);
//! - [validation](validate) that locates implausible values and masks them;
//! - [`CellHistory`]: one cell's metadata, per-cycle summary with the true
//!   cycle numbers, and each cycle's time series — what every reader produces
//!   and features and models consume;
//! - [feature extraction](features): cycle life (censoring flagged), fade lines,
//!   robust Q(V) curves and ΔQ(V) statistics, the Severson feature sets by
//!   name from any cell's history ([`features::cell_features`]), EIS features,
//!   and fleet features whose accumulators merge exactly ([`features::fleet`]);
//! - [`synthetic`]: a cell with closed-form capacities, sampled as a real
//!   cycler would (noise, quantisation, repeated samples).
//!
//! ```no_run
//! use voltai_battery_data::{data_dir, features, readers::SeversonData};
//!
//! let data = SeversonData::load(data_dir::dataset_dir("severson2019_lfp_fastcharge")?)?;
//! let feats = features::severson_features(&data, &Default::default())?;
//! println!("{} cells, first var feature {:.3}", feats.len(), feats[0].log10_abs_var_dq);
//! # Ok::<(), voltai_core::Error>(())
//! ```
#![deny(missing_docs)]

pub mod cycler;
pub mod data_dir;
pub mod features;
#[cfg(feature = "parquet")]
pub mod fleet;
pub mod history;
#[cfg(feature = "parquet")]
pub mod parquet_io;
#[cfg(feature = "parquet")]
pub mod parquet_scan;
pub mod readers;
pub mod registry;
pub mod schema;
pub mod synthetic;
pub mod table;
pub mod units;
pub mod validate;

pub use history::CellHistory;
pub use schema::{
    CellMetadata, CycleSummary, EisSpectrum, EisState, StepKind, TimeSeries, TimeSeriesRecord,
};
