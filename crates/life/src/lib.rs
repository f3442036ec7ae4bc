//! # voltai-life
//!
//! From a cell's first cycles to its cycle life:
//!
//! - [`EarlyLifeModel`]: the Severson et al. 2019 "discharge" and
//!   "variance" models fitted on the public data and shipped inside the
//!   crate (coefficients, scaler, feature names, conformal interval,
//!   training domain, provenance and licence in one versioned file), so
//!   `EarlyLifeModel::severson2019_discharge()?.predict(&history)?` gives a
//!   cycle life with a 90 % interval and warnings outside the training
//!   domain;
//! - [`severson`]: the study that fits them, as a library function the
//!   example and the tests call;
//! - [`benchmark`]: BatteryML's cycle-life benchmark with our model
//!   families (nested cross-validation, 90 % coverage), beside BatteryML's
//!   figures.
//!
//! ```no_run
//! use voltai_battery_data::{CellHistory, cycler::read_cycler_file};
//! use voltai_life::EarlyLifeModel;
//!
//! let history = CellHistory::from_cycler_file(&read_cycler_file("my_cell.csv")?)?;
//! let p = EarlyLifeModel::severson2019_discharge()?.predict(&history)?;
//! println!("{:.0} cycles ({:.0}–{:.0}), warnings: {:?}", p.cycle_life, p.interval.0, p.interval.1, p.warnings);
//! # Ok::<(), voltai_core::Error>(())
//! ```
#![deny(missing_docs)]

pub mod benchmark;
mod model;
pub mod severson;

pub use model::{EarlyLifeModel, LifePrediction, Provenance, TrainingDomain};

/// The README's example compiles as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
