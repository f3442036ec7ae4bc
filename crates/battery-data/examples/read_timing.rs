//! Parse throughput of `read_cycler_file` on one file, for
//! `benches/compare/readers.py` (which times pandas on the same file).
//!
//! `cargo run --release -p voltai-battery-data --example read_timing -- FILE [REPEATS]`
//! prints one JSON line: records, bytes, best seconds, MB/s.

use std::time::Instant;

use voltai_battery_data::cycler::read_cycler_file;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: read_timing FILE [REPEATS]")?;
    let repeats: usize = args.next().map_or(Ok(7), |s| s.parse())?;
    let bytes = std::fs::metadata(&path)?.len();
    let mut best = f64::INFINITY;
    let mut records = 0;
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        let file = read_cycler_file(&path)?;
        best = best.min(t.elapsed().as_secs_f64());
        records = file.time_series().map_or(0, |s| s.records.len());
    }
    println!(
        "{{\"records\": {records}, \"bytes\": {bytes}, \"best_s\": {best:.6}, \"mb_per_s\": {:.2}}}",
        bytes as f64 / best / 1e6
    );
    Ok(())
}
