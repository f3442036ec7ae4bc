//! The typed battery-data schema. Units are part of every field name.
//!
//! Sign conventions: current is positive while charging; `z_imag_ohm` is Im(Z),
//! so a capacitive arc has negative values and inductance at high frequency
//! positive ones (Nyquist plots conventionally draw −Im(Z) upwards).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What is known about one cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CellMetadata {
    /// Identifier unique within a data set (e.g. `train_cell01`, `P462_C04`).
    pub cell_id: String,
    /// Cathode/anode chemistry, e.g. `"LFP/graphite"`, `"NMC532/graphite"`.
    pub chemistry: Option<String>,
    /// Nominal (rated) capacity in ampere-hours.
    pub nominal_capacity_ah: Option<f64>,
    /// Cycling protocol as written by the source, e.g. `3.6C(80%)-3.6C`.
    pub protocol: Option<String>,
    /// Ambient or chamber temperature in °C.
    pub temperature_c: Option<f64>,
    /// Source-specific labels (split, barcode, aging mode ...), kept as text.
    pub tags: BTreeMap<String, String>,
}

/// One row per cycle: the summary a cycler computes at the end of each cycle.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CycleSummary {
    /// Cell the cycle belongs to.
    pub cell_id: String,
    /// 1-based cycle number as the source counts it.
    pub cycle_index: u32,
    /// Charge capacity in Ah.
    pub charge_capacity_ah: Option<f64>,
    /// Discharge capacity in Ah.
    pub discharge_capacity_ah: Option<f64>,
    /// DC internal resistance in ohms.
    pub internal_resistance_ohm: Option<f64>,
    /// Minimum cell temperature during the cycle, °C.
    pub temperature_min_c: Option<f64>,
    /// Mean cell temperature during the cycle, °C.
    pub temperature_mean_c: Option<f64>,
    /// Maximum cell temperature during the cycle, °C.
    pub temperature_max_c: Option<f64>,
    /// Duration of the charge step(s), seconds.
    pub charge_time_s: Option<f64>,
    /// Coulombic efficiency as a fraction (discharge ÷ charge; 1 = 100 %).
    pub coulombic_efficiency: Option<f64>,
    /// Voltage at the end of charge, volts.
    pub end_of_charge_voltage_v: Option<f64>,
    /// Voltage at the end of discharge, volts.
    pub end_of_discharge_voltage_v: Option<f64>,
    /// Energy put in during the cycle, Wh.
    #[serde(default)]
    pub charge_energy_wh: Option<f64>,
    /// Energy taken out during the cycle, Wh.
    #[serde(default)]
    pub discharge_energy_wh: Option<f64>,
}

/// What a cycler step was doing when a sample was taken, where the file says.
///
/// The direction (charge or discharge) is the sign of the current, so it is not
/// repeated here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StepKind {
    /// The file does not say.
    #[default]
    Unknown,
    /// Open circuit: no current.
    Rest,
    /// Constant current.
    ConstantCurrent,
    /// Constant voltage.
    ConstantVoltage,
    /// Constant current followed by constant voltage within one step.
    ConstantCurrentConstantVoltage,
    /// Constant power.
    ConstantPower,
    /// Constant resistance (load).
    ConstantResistance,
    /// Current or voltage pulses.
    Pulse,
    /// An impedance measurement (EIS, FRA, ZIR).
    Impedance,
    /// A step kind the file names that none of the above covers.
    Other,
}

impl StepKind {
    /// Short lower-case name, as stored in Parquet: `unknown`, `rest`, `cc`, `cv`,
    /// `cccv`, `cp`, `cr`, `pulse`, `eis`, `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Unknown => "unknown",
            StepKind::Rest => "rest",
            StepKind::ConstantCurrent => "cc",
            StepKind::ConstantVoltage => "cv",
            StepKind::ConstantCurrentConstantVoltage => "cccv",
            StepKind::ConstantPower => "cp",
            StepKind::ConstantResistance => "cr",
            StepKind::Pulse => "pulse",
            StepKind::Impedance => "eis",
            StepKind::Other => "other",
        }
    }

    /// Inverse of [`StepKind::as_str`]; `None` for any other text.
    pub fn from_name(name: &str) -> Option<StepKind> {
        [
            StepKind::Unknown,
            StepKind::Rest,
            StepKind::ConstantCurrent,
            StepKind::ConstantVoltage,
            StepKind::ConstantCurrentConstantVoltage,
            StepKind::ConstantPower,
            StepKind::ConstantResistance,
            StepKind::Pulse,
            StepKind::Impedance,
            StepKind::Other,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }
}

/// One sample of a cycler's raw time series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TimeSeriesRecord {
    /// Test time in seconds as the cycler counts it (it need not start at zero:
    /// an excerpt or the second technique of a sequence starts later). Files that
    /// only give date-times get seconds from their first record.
    pub test_time_s: f64,
    /// Wall-clock time of the sample as Unix seconds, when the file has one.
    /// Files rarely state a time zone: their local clock is then read as if it
    /// were UTC, so differences are exact and the date reads as written.
    pub timestamp_s: Option<f64>,
    /// Cycle index as the cycler counts it.
    pub cycle_index: u32,
    /// Step index within the schedule.
    pub step_index: u32,
    /// What the step was doing ([`StepKind::Unknown`] when the file does not say).
    pub step_kind: StepKind,
    /// Terminal voltage, volts.
    pub voltage_v: f64,
    /// Current in amperes, positive while charging.
    pub current_a: f64,
    /// Charge capacity counted by the cycler, Ah (within the cycle for Arbin,
    /// BaSyTec, PEC and EC-Lab; within the step for Maccor, Neware and Novonix).
    pub charge_capacity_ah: Option<f64>,
    /// Discharge capacity counted by the cycler, Ah, positive (same counting as
    /// the charge capacity).
    pub discharge_capacity_ah: Option<f64>,
    /// Cell (or chamber) temperature, °C.
    pub temperature_c: Option<f64>,
}

/// A cell's raw time series, in time order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimeSeries {
    /// Cell the samples belong to.
    pub cell_id: String,
    /// The samples in file order; `test_time_s` should increase strictly
    /// ([`crate::validate::validate_time_series`] reports where it does not).
    pub records: Vec<TimeSeriesRecord>,
}

impl TimeSeries {
    /// Removes records identical in every field to the one before (a cycler
    /// logging the same sample twice), returning how many were removed. Records
    /// that only share a time are kept: validation reports them.
    pub fn drop_exact_duplicates(&mut self) -> usize {
        let before = self.records.len();
        self.records.dedup();
        before - self.records.len()
    }
}

/// Conditions under which an impedance spectrum was measured, and labels.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EisState {
    /// State of charge as a fraction (0–1).
    pub soc: Option<f64>,
    /// Temperature during the measurement, °C.
    pub temperature_c: Option<f64>,
    /// Cycle number at which the spectrum was taken.
    pub cycle: Option<u32>,
    /// Measured capacity at that point, Ah.
    pub capacity_ah: Option<f64>,
    /// State of health: capacity ÷ initial (or nominal) capacity.
    pub soh: Option<f64>,
}

/// One electrochemical impedance spectrum.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EisSpectrum {
    /// Cell the spectrum belongs to (the group for leakage-free splits).
    pub cell_id: String,
    /// Measurement conditions and labels.
    pub state: EisState,
    /// Frequencies in Hz, in the order measured.
    pub frequency_hz: Vec<f64>,
    /// Re(Z) in ohms.
    pub z_real_ohm: Vec<f64>,
    /// Im(Z) in ohms (capacitive < 0).
    pub z_imag_ohm: Vec<f64>,
    /// Source-specific labels (e.g. the authors' test flag).
    pub tags: BTreeMap<String, String>,
}

impl EisSpectrum {
    /// Number of frequency points.
    pub fn len(&self) -> usize {
        self.frequency_hz.len()
    }

    /// True for a spectrum without points.
    pub fn is_empty(&self) -> bool {
        self.frequency_hz.is_empty()
    }
}
