//! Physical units accepted in file headers and CSV mappings, and their SI conversion.
//!
//! Every value stored in the schema is in the unit its field name says
//! (`_s`, `_v`, `_a`, `_ah`, `_c`, `_ohm`, `_hz`); readers convert on the way in.

use serde::{Deserialize, Serialize};

use voltai_core::{Error, Result};

/// What a unit measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Quantity {
    /// Time, stored in seconds.
    Time,
    /// Electric potential, stored in volts.
    Voltage,
    /// Electric current, stored in amperes (positive = charge).
    Current,
    /// Charge, stored in ampere-hours.
    Charge,
    /// Temperature, stored in degrees Celsius.
    Temperature,
    /// Resistance or impedance, stored in ohms.
    Resistance,
    /// Frequency, stored in hertz.
    Frequency,
    /// Energy, stored in watt-hours.
    Energy,
    /// A dimensionless ratio, stored as a fraction (1 = 100 %).
    Ratio,
    /// A count or index (cycle number, step number).
    Count,
}

/// A unit as written in a header or mapping: `"mA"`, `"Ah"`, `"degC"`, `"%"` ...
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    /// The quantity it measures.
    pub quantity: Quantity,
    /// Multiply a value in this unit by `scale`, then add `offset`, to get the stored unit.
    pub scale: f64,
    /// Offset added after scaling (only temperatures use it).
    pub offset: f64,
}

impl Unit {
    /// Parses a unit symbol (case-sensitive where SI prefixes require it: `mA` vs `MA`).
    pub fn parse(symbol: &str) -> Result<Unit> {
        use Quantity::*;
        let s = symbol.trim();
        let (quantity, scale, offset) = match s {
            "s" | "sec" | "Sec" | "Seconds" | "seconds" => (Time, 1.0, 0.0),
            "ms" => (Time, 1e-3, 0.0),
            "min" => (Time, 60.0, 0.0),
            "h" | "hr" | "Hours" | "hours" => (Time, 3600.0, 0.0),
            "V" => (Voltage, 1.0, 0.0),
            "mV" => (Voltage, 1e-3, 0.0),
            "A" => (Current, 1.0, 0.0),
            "mA" => (Current, 1e-3, 0.0),
            "uA" | "µA" | "μA" => (Current, 1e-6, 0.0),
            "Ah" | "A.h" | "A·h" => (Charge, 1.0, 0.0),
            "mAh" | "mA.h" | "mA·h" => (Charge, 1e-3, 0.0),
            "C" | "As" | "A.s" => (Charge, 1.0 / 3600.0, 0.0),
            // `�C` and `?C`: a degree sign lost to a wrong encoding on the way out
            // of the cycler software (EC-Lab and BaSyTec exports have them).
            "degC" | "°C" | "ºC" | "C_deg" | "Celsius" | "\u{fffd}C" | "?C" | "deg C" => {
                (Temperature, 1.0, 0.0)
            }
            "K" => (Temperature, 1.0, -273.15),
            "Ohm" | "ohm" | "Ω" => (Resistance, 1.0, 0.0),
            "mOhm" | "mohm" | "mΩ" => (Resistance, 1e-3, 0.0),
            "Hz" => (Frequency, 1.0, 0.0),
            "kHz" => (Frequency, 1e3, 0.0),
            "mHz" => (Frequency, 1e-3, 0.0),
            "Wh" | "W.h" => (Energy, 1.0, 0.0),
            "mWh" | "mW.h" => (Energy, 1e-3, 0.0),
            "%" | "pct" => (Ratio, 0.01, 0.0),
            "1" | "fraction" | "ratio" => (Ratio, 1.0, 0.0),
            "count" | "index" | "#" => (Count, 1.0, 0.0),
            _ => {
                return Err(Error::InvalidInput(format!("unknown unit `{s}`")));
            }
        };
        Ok(Unit {
            quantity,
            scale,
            offset,
        })
    }

    /// Parses a unit that must measure `expected`; a bare `C` means °C for a
    /// temperature (as cycler headers write it) and coulombs otherwise.
    pub fn parse_for(symbol: &str, expected: Quantity) -> Result<Unit> {
        let unit = if expected == Quantity::Temperature && symbol.trim() == "C" {
            Unit::parse("degC")?
        } else {
            Unit::parse(symbol)?
        };
        if unit.quantity != expected {
            return Err(Error::InvalidInput(format!(
                "unit `{}` measures {:?}, expected {expected:?}",
                symbol.trim(),
                unit.quantity
            )));
        }
        Ok(unit)
    }

    /// Converts a value in this unit to the stored unit of its quantity.
    pub fn to_stored(&self, value: f64) -> f64 {
        value * self.scale + self.offset
    }
}

/// Splits a header such as `"Current(A)"`, `"Current (mA)"` or `"Voltage [V]"` into
/// the bare name and the unit symbol, if one is given.
pub fn split_header(header: &str) -> (&str, Option<&str>) {
    let h = header.trim();
    for (open, close) in [('(', ')'), ('[', ']')] {
        if h.ends_with(close)
            && let Some(pos) = h.rfind(open)
        {
            let name = h[..pos].trim();
            let unit = h[pos + open.len_utf8()..h.len() - close.len_utf8()].trim();
            return (name, Some(unit));
        }
    }
    (h, None)
}
