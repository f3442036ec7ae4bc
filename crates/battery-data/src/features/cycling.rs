//! Features of a capacity-vs-cycle series: cycle life, fade lines, capacity levels.

use serde::{Deserialize, Serialize};

use voltai_core::stats::Line;
use voltai_core::{Error, Result};

/// End of life as observed in a capacity series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CycleLife {
    /// The first cycle whose capacity fell below the threshold.
    Reached(u32),
    /// The series ended above the threshold: life is at least `last_cycle`
    /// (right-censored; never guessed).
    Censored {
        /// The last observed cycle.
        last_cycle: u32,
    },
}

impl CycleLife {
    /// The observed life, or `None` when censored.
    pub fn cycles(&self) -> Option<u32> {
        match self {
            CycleLife::Reached(c) => Some(*c),
            CycleLife::Censored { .. } => None,
        }
    }
}

/// First cycle at which `capacity < fraction · nominal`. Missing (masked)
/// capacities are skipped. `cycles` must be increasing.
pub fn cycle_life(
    cycles: &[u32],
    capacity_ah: &[Option<f64>],
    nominal_ah: f64,
    fraction: f64,
) -> Result<CycleLife> {
    voltai_core::check::same_len("capacities vs cycles", cycles.len(), capacity_ah.len())?;
    if !(nominal_ah.is_finite() && nominal_ah > 0.0) {
        return Err(Error::invalid_parameter(
            "nominal_ah",
            nominal_ah,
            "(0, inf)",
        ));
    }
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(Error::invalid_parameter("fraction", fraction, "(0, 1]"));
    }
    let last_cycle = *cycles
        .last()
        .ok_or_else(|| Error::EmptyInput("cycle life of an empty series".into()))?;
    if cycles.windows(2).any(|w| w[1] <= w[0]) {
        return Err(Error::InvalidInput(
            "cycle numbers must be increasing".into(),
        ));
    }
    let threshold = fraction * nominal_ah;
    Ok(cycles
        .iter()
        .zip(capacity_ah)
        .find(|(_, q)| q.is_some_and(|q| q < threshold))
        .map_or(CycleLife::Censored { last_cycle }, |(&c, _)| {
            CycleLife::Reached(c)
        }))
}

/// Least-squares line of capacity against cycle number over cycles
/// `first..=last`, skipping missing values.
pub fn fade_line(
    cycles: &[u32],
    capacity_ah: &[Option<f64>],
    first: u32,
    last: u32,
) -> Result<Line> {
    voltai_core::check::same_len("capacities vs cycles", cycles.len(), capacity_ah.len())?;
    let (x, y): (Vec<f64>, Vec<f64>) = cycles
        .iter()
        .zip(capacity_ah)
        .filter(|(c, _)| (first..=last).contains(*c))
        .filter_map(|(&c, q)| q.map(|q| (c as f64, q)))
        .unzip();
    Line::fit(&x, &y)
}

/// Capacity at a given cycle (`None` if absent or masked).
pub fn capacity_at(cycles: &[u32], capacity_ah: &[Option<f64>], cycle: u32) -> Option<f64> {
    cycles
        .iter()
        .position(|&c| c == cycle)
        .and_then(|i| capacity_ah.get(i).copied().flatten())
}

/// Maximum capacity over the series minus the capacity at `reference_cycle`.
pub fn max_minus_at(
    cycles: &[u32],
    capacity_ah: &[Option<f64>],
    reference_cycle: u32,
) -> Result<f64> {
    let q0 = capacity_at(cycles, capacity_ah, reference_cycle).ok_or_else(|| {
        Error::InvalidInput(format!("no capacity at reference cycle {reference_cycle}"))
    })?;
    let max = capacity_ah
        .iter()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    Ok(max - q0)
}
