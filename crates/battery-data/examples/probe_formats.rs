use voltai_battery_data::cycler::*;
fn main() {
    let dir = std::path::Path::new("/work/shared/data/cycler_formats");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).into_iter().flatten())
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let t = std::time::Instant::now();
        match read_cycler_file(&f) {
            Ok(c) => match &c.data {
                CyclerData::TimeSeries { series, .. } => {
                    let r = &series.records;
                    let mut cyc: Vec<u32> = r.iter().map(|x| x.cycle_index).collect();
                    cyc.dedup();
                    cyc.sort();
                    cyc.dedup();
                    let vmin = r.iter().map(|x| x.voltage_v).fold(f64::INFINITY, f64::min);
                    let vmax = r
                        .iter()
                        .map(|x| x.voltage_v)
                        .fold(f64::NEG_INFINITY, f64::max);
                    let imin = r.iter().map(|x| x.current_a).fold(f64::INFINITY, f64::min);
                    let imax = r
                        .iter()
                        .map(|x| x.current_a)
                        .fold(f64::NEG_INFINITY, f64::max);
                    println!(
                        "{:?} {:?}: n={} cycles={:?} t={}..{} ts0={:?} V={}..{} I={}..{} kind0={:?} T0={:?} qc={:?} qd={:?} ({:?})",
                        f.file_name().unwrap(),
                        c.format,
                        r.len(),
                        &cyc[..cyc.len().min(10)],
                        r[0].test_time_s,
                        r.last().unwrap().test_time_s,
                        r[0].timestamp_s,
                        vmin,
                        vmax,
                        imin,
                        imax,
                        r[0].step_kind,
                        r[0].temperature_c,
                        r.last().unwrap().charge_capacity_ah,
                        r.last().unwrap().discharge_capacity_ah,
                        t.elapsed()
                    );
                }
                CyclerData::Impedance(s) => {
                    let n: usize = s.iter().map(|x| x.len()).sum();
                    println!(
                        "{:?} {:?}: spectra={} n={} f={}..{} z0=({}, {})",
                        f.file_name().unwrap(),
                        c.format,
                        s.len(),
                        n,
                        s[0].frequency_hz[0],
                        s.last().unwrap().frequency_hz.last().unwrap(),
                        s[0].z_real_ohm[0],
                        s[0].z_imag_ohm[0]
                    );
                }
            },
            Err(e) => println!("{:?}: ERROR {e}", f.file_name().unwrap()),
        }
    }
}
