//! Writes a synthetic 100-cycle LFP cell (1 Hz, 1 mV noise, 0.1 mV
//! resolution) as an Arbin CSV export, to try the readers, the features and
//! `voltai predict-life` before real data arrive.
//!
//! ```text
//! cargo run -p voltai-battery-data --example write_synthetic_arbin -- cell.csv
//! ```

use voltai_battery_data::synthetic::{Sampling, SyntheticCell, write_arbin_csv};

fn main() -> voltai_core::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "synthetic_lfp_arbin.csv".into());
    let series = SyntheticCell::lfp("synthetic_lfp").time_series(&Sampling {
        dt_s: 1.0,
        noise_v: 1e-3,
        quantum_v: 1e-4,
        seed: 7,
        ..Sampling::default()
    })?;
    write_arbin_csv(&series, &path)?;
    println!("{path}: {} records, 100 cycles", series.records.len());
    Ok(())
}
