//! A synthetic LFP-like cell cycled at 4C, with the sampling artefacts of
//! real cyclers on demand (voltage noise, quantisation, repeated samples):
//! for tests, demonstrations and checking a pipeline before real data
//! arrive. Its capacities, resistances and cutoffs have closed forms.

use std::io::Write;
use std::path::Path;

use voltai_core::synthetic::SplitMix64;
use voltai_core::{Error, Result};

use crate::schema::{TimeSeries, TimeSeriesRecord};

/// The cell: a sloping plateau with steep ends, linear capacity fade and
/// linear resistance growth; CC charge, rest, CC discharge to 2.0 V, rest.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticCell {
    /// Cell id.
    pub cell_id: String,
    /// Cycles to simulate (1-based).
    pub cycles: u32,
    /// Capacity at cycle 0, Ah.
    pub capacity_ah: f64,
    /// Relative capacity lost per cycle.
    pub fade_per_cycle: f64,
    /// Resistance at cycle 0, ohms.
    pub resistance_ohm: f64,
    /// Resistance gained per cycle, ohms.
    pub resistance_per_cycle: f64,
    /// Charge current, A.
    pub charge_a: f64,
    /// Discharge current (magnitude), A.
    pub discharge_a: f64,
}

/// How the cycler samples the cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampling {
    /// Sampling step, s.
    pub dt_s: f64,
    /// A finer (or coarser) step for some cycles, e.g. `[(10, 0.2), (100, 0.2)]`.
    pub dt_s_for_cycles: Vec<(u32, f64)>,
    /// Standard deviation of Gaussian voltage noise, V.
    pub noise_v: f64,
    /// Voltage resolution, V (0: none).
    pub quantum_v: f64,
    /// Repeat every n-th record (0: never), as loggers that write a point twice.
    pub duplicate_every: usize,
    /// Seed of the noise.
    pub seed: u64,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            dt_s: 1.0,
            dt_s_for_cycles: Vec::new(),
            noise_v: 0.0,
            quantum_v: 0.0,
            duplicate_every: 0,
            seed: 0,
        }
    }
}

impl SyntheticCell {
    /// A 1.1 Ah LFP-like cell (Severson's A123 format), 100 cycles, charged at
    /// 2C and discharged at 4C, losing 0.03 % per cycle.
    pub fn lfp(cell_id: &str) -> Self {
        SyntheticCell {
            cell_id: cell_id.to_string(),
            cycles: 100,
            capacity_ah: 1.1,
            fade_per_cycle: 3e-4,
            resistance_ohm: 0.020,
            resistance_per_cycle: 5e-5,
            charge_a: 2.2,
            discharge_a: 4.4,
        }
    }

    /// Full capacity at cycle `c`, Ah.
    pub fn full_capacity(&self, c: u32) -> f64 {
        self.capacity_ah * (1.0 - self.fade_per_cycle * f64::from(c))
    }

    /// Resistance at cycle `c`, ohms.
    pub fn resistance(&self, c: u32) -> f64 {
        self.resistance_ohm + self.resistance_per_cycle * f64::from(c)
    }

    /// Open-circuit voltage at depth of discharge `x` ∈ [0, 1].
    pub fn ocv(x: f64) -> f64 {
        3.40 - 0.12 * x + 0.08 * (-25.0 * x).exp() - 0.9 * x.powi(12)
    }

    /// Voltage under discharge after `q` Ah at cycle `c`.
    pub fn discharge_voltage(&self, c: u32, q: f64) -> f64 {
        Self::ocv(q / self.full_capacity(c)) - self.resistance(c) * self.discharge_a
    }

    /// Capacity discharged when the voltage reaches 2.0 V at cycle `c`
    /// (bisection to machine precision): the cycle's discharge capacity.
    pub fn discharge_capacity(&self, c: u32) -> f64 {
        let (mut lo, mut hi) = (0.0, self.full_capacity(c));
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if self.discharge_voltage(c, mid) > 2.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }

    fn check(&self, s: &Sampling) -> Result<()> {
        let positive = [
            ("capacity_ah", self.capacity_ah),
            ("charge_a", self.charge_a),
            ("discharge_a", self.discharge_a),
            ("dt_s", s.dt_s),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid_parameter(name, v, "(0, inf)"));
            }
        }
        if let Some((c, dt)) = s
            .dt_s_for_cycles
            .iter()
            .find(|(_, dt)| !(dt.is_finite() && *dt > 0.0))
        {
            return Err(Error::invalid_parameter(
                format!("dt_s for cycle {c}"),
                dt,
                "(0, inf)",
            ));
        }
        if !(s.noise_v.is_finite()
            && s.noise_v >= 0.0
            && s.quantum_v.is_finite()
            && s.quantum_v >= 0.0)
        {
            return Err(Error::InvalidInput(
                "noise and quantum must be finite and ≥ 0".into(),
            ));
        }
        if self.cycles == 0 || self.full_capacity(self.cycles) <= 0.0 {
            return Err(Error::InvalidInput(
                "the cell must have cycles and keep some capacity".into(),
            ));
        }
        Ok(())
    }

    /// The time series as a cycler would log it: samples every `dt` and one
    /// at each step's exact end (cyclers log step changes).
    pub fn time_series(&self, s: &Sampling) -> Result<TimeSeries> {
        self.check(s)?;
        let mut rng = SplitMix64::new(s.seed);
        let mut records: Vec<TimeSeriesRecord> = Vec::new();
        let mut t0 = 0.0;
        for c in 1..=self.cycles {
            let dt = s
                .dt_s_for_cycles
                .iter()
                .find(|(k, _)| *k == c)
                .map_or(s.dt_s, |(_, dt)| *dt);
            let q_end = self.discharge_capacity(c);
            let q_full = self.full_capacity(c);
            let r = self.resistance(c);
            let mut push = |t: f64, step: u32, current: f64, v: f64, rng: &mut SplitMix64| {
                let noisy = v + s.noise_v * rng.normal();
                let voltage_v = if s.quantum_v > 0.0 {
                    (noisy / s.quantum_v).round() * s.quantum_v
                } else {
                    noisy
                };
                let rec = TimeSeriesRecord {
                    test_time_s: t,
                    cycle_index: c,
                    step_index: step,
                    voltage_v,
                    current_a: current,
                    ..Default::default()
                };
                records.push(rec);
                if s.duplicate_every > 0 && records.len().is_multiple_of(s.duplicate_every) {
                    records.push(rec);
                }
            };
            let charge_s = q_end / self.charge_a * 3600.0;
            let discharge_s = q_end / self.discharge_a * 3600.0;
            let at_charge = |t: f64| {
                let q_left = q_end - self.charge_a * t / 3600.0;
                Self::ocv(q_left / q_full) + r * self.charge_a
            };
            let n = (charge_s / dt).floor() as usize;
            for k in 0..=n {
                let t = k as f64 * dt;
                push(t0 + t, 1, self.charge_a, at_charge(t), &mut rng);
            }
            push(
                t0 + charge_s,
                1,
                self.charge_a,
                at_charge(charge_s),
                &mut rng,
            );
            t0 += charge_s + 1e-3;
            push(t0, 2, 0.0, Self::ocv(0.0), &mut rng);
            t0 += 600.0;
            push(t0, 2, 0.0, Self::ocv(0.0), &mut rng);
            t0 += 1e-3;
            let n = (discharge_s / dt).floor() as usize;
            for k in 0..=n {
                let t = k as f64 * dt;
                let q = self.discharge_a * t / 3600.0;
                push(
                    t0 + t,
                    3,
                    -self.discharge_a,
                    self.discharge_voltage(c, q),
                    &mut rng,
                );
            }
            push(t0 + discharge_s, 3, -self.discharge_a, 2.0, &mut rng);
            t0 += discharge_s + 1e-3;
            push(t0, 4, 0.0, Self::ocv(q_end / q_full), &mut rng);
            t0 += 600.0;
            push(t0, 4, 0.0, Self::ocv(q_end / q_full), &mut rng);
            t0 += 1e-3;
        }
        Ok(TimeSeries {
            cell_id: self.cell_id.clone(),
            records,
        })
    }
}

/// Writes a time series as an Arbin MITS Pro CSV export (`Data Point`,
/// `Date Time`, `Test Time (s)`, …, capacities counted from zero in each
/// cycle), as a user's cycler would hand it over. Dates start on
/// 01/15/2026 08:00:00.
pub fn write_arbin_csv(series: &TimeSeries, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = std::io::BufWriter::new(file);
    let io = |e: std::io::Error| Error::io(path, e);
    writeln!(
        w,
        "Data Point,Date Time,Test Time (s),Step Time (s),Cycle Index,Step Index,Current (A),Voltage (V),Charge Capacity (Ah),Discharge Capacity (Ah)"
    )
    .map_err(io)?;
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 15)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .ok_or_else(|| Error::internal("the fixed start date is valid"))?;
    if let Some(r) = series
        .records
        .iter()
        .find(|r| !(r.test_time_s.is_finite() && r.test_time_s >= 0.0 && r.test_time_s < 3.0e9))
    {
        return Err(Error::InvalidInput(format!(
            "test time {} s cannot be written as an Arbin date",
            r.test_time_s
        )));
    }
    let (mut q_c, mut q_d) = (0.0, 0.0);
    let mut step_start = 0.0;
    let mut prev: Option<&TimeSeriesRecord> = None;
    for (k, r) in series.records.iter().enumerate() {
        match prev {
            Some(p) if p.cycle_index == r.cycle_index => {
                let dt = (r.test_time_s - p.test_time_s).max(0.0);
                let (charged, discharged) =
                    crate::history::trapezoid_hours(p.current_a, r.current_a, dt);
                q_c += charged;
                q_d += discharged;
                if p.step_index != r.step_index {
                    step_start = r.test_time_s;
                }
            }
            _ => {
                q_c = 0.0;
                q_d = 0.0;
                step_start = r.test_time_s;
            }
        }
        let stamp =
            start + chrono::TimeDelta::milliseconds((r.test_time_s * 1000.0).round() as i64);
        writeln!(
            w,
            "{},{},{:.4},{:.4},{},{},{},{},{:.9},{:.9}",
            k + 1,
            stamp.format("%m/%d/%Y %H:%M:%S%.3f"),
            r.test_time_s,
            r.test_time_s - step_start,
            r.cycle_index,
            r.step_index,
            r.current_a,
            r.voltage_v,
            q_c,
            q_d
        )
        .map_err(io)?;
        prev = Some(r);
    }
    w.flush().map_err(io)
}
