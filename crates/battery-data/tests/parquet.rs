//! Parquet round trips and streaming (the `parquet` feature).
#![cfg(feature = "parquet")]

use voltai_battery_data::CycleSummary;
use voltai_battery_data::features::{CycleLife, cycle_life};
use voltai_battery_data::parquet_io::{
    CycleBatches, ParquetTableWriter, TimeSeriesBatches, write_cycles,
};
use voltai_battery_data::readers::read_arbin_from;

#[test]
fn parquet_round_trip_and_streaming() {
    let dir = std::env::temp_dir().join(format!("voltai-parquet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rows: Vec<CycleSummary> = (0..2500u32)
        .map(|i| CycleSummary {
            cell_id: format!("cell{}", i / 1000),
            cycle_index: i % 1000 + 1,
            discharge_capacity_ah: Some(1.1 - 1e-4 * (i % 1000) as f64),
            coulombic_efficiency: if i % 7 == 0 { None } else { Some(0.999) },
            ..Default::default()
        })
        .collect();
    let path = dir.join("cycles.parquet");
    write_cycles(&path, &rows).unwrap();
    let mut back = Vec::new();
    let mut max_batch = 0;
    for b in CycleBatches::open(&path, 300).unwrap() {
        let b = b.unwrap();
        max_batch = max_batch.max(b.len());
        back.extend(b);
    }
    assert_eq!(back, rows);
    assert!(max_batch <= 300);

    // Streaming featurisation: cycle life per cell without holding the table.
    let mut per_cell: std::collections::BTreeMap<String, (Vec<u32>, Vec<Option<f64>>)> =
        Default::default();
    for b in CycleBatches::open(&path, 128).unwrap() {
        for r in b.unwrap() {
            let e = per_cell.entry(r.cell_id).or_default();
            e.0.push(r.cycle_index);
            e.1.push(r.discharge_capacity_ah);
        }
    }
    let life = |c: &str| cycle_life(&per_cell[c].0, &per_cell[c].1, 1.1, 0.95).unwrap();
    // 1.1 − 1e-4·k < 1.045 first at k = 551 → cycle 552.
    assert_eq!(life("cell0"), CycleLife::Reached(552));
    assert_eq!(life("cell2"), CycleLife::Censored { last_cycle: 500 });

    let arbin = "Data_Point,Test_Time(s),Step_Index,Cycle_Index,Current(A),Voltage(V),Internal_Resistance(Ohm)\n0,0.5,1,1,1.0,3.3,\n1,1.5,1,1,1.0,3.4,\n";
    let ts = read_arbin_from("a.csv", arbin.as_bytes(), "c1").unwrap();
    let tpath = dir.join("ts.parquet");
    let mut w = ParquetTableWriter::time_series(&tpath).unwrap();
    w.write_time_series(&ts.cell_id, &ts.records).unwrap();
    w.finish().unwrap();
    let chunks: Vec<_> = TimeSeriesBatches::open(&tpath, 1)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(chunks.len(), 2);
    assert_eq!(chunks[1].records[0], ts.records[1]);
    assert_eq!(chunks[0].cell_ids[0], "c1");
    // A per-cycle file is not a time-series file.
    assert!(TimeSeriesBatches::open(&path, 10).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn any_cycler_file_converts_to_parquet_in_one_call() {
    use voltai_battery_data::cycler::{convert_to_parquet, read_cycler_file};
    let data = voltai_battery_data::data_dir::dataset_dir("cycler_formats").unwrap();
    let dir = std::env::temp_dir().join(format!("voltai_convert_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for rel in [
        "neware/neware_uio.csv",
        "biologic/cp.mpr",
        "maccor/maccor_two.txt",
    ] {
        let src = data.join(rel);
        let out = dir.join("out.parquet");
        let n = convert_to_parquet(&src, &out, None).unwrap();
        let direct = read_cycler_file(&src).unwrap();
        let series = direct.time_series().unwrap();
        assert_eq!(n, series.records.len(), "{rel}");
        let back: Vec<_> = TimeSeriesBatches::open(&out, 4096)
            .unwrap()
            .flat_map(|c| c.unwrap().records)
            .collect();
        // Step kinds and timestamps survive; Debug text compares the NaN of a
        // cut last line's voltage as equal to itself.
        assert_eq!(back.len(), series.records.len(), "{rel}");
        for (k, (a, b)) in back.iter().zip(&series.records).enumerate() {
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{rel}: record {k}");
        }
    }
    // Impedance files are not time series.
    let eis = data.join("gamry/eispot_data.dta");
    assert!(convert_to_parquet(&eis, dir.join("eis.parquet"), None).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A scan of a fleet file: projection, row groups skipped by statistics,
/// rows filtered by cell and cycle, cells handed out whole and in order
/// (also across row-group boundaries), the same result on 1 and 2 threads,
/// and an interleaved file refused.
mod scan {
    use arrow_array::{Array, Float64Array, UInt32Array};
    use voltai_battery_data::parquet_io::ParquetTableWriter;
    use voltai_battery_data::parquet_scan::{CellRows, Scan};
    use voltai_battery_data::schema::{StepKind, TimeSeriesRecord};

    const CELLS: usize = 7;
    const CYCLES: u32 = 12;
    const POINTS: u32 = 5;

    fn record(cell: usize, cycle: u32, point: u32) -> TimeSeriesRecord {
        TimeSeriesRecord {
            test_time_s: f64::from(cycle * 100 + point),
            timestamp_s: None,
            cycle_index: cycle,
            step_index: 1,
            step_kind: StepKind::ConstantCurrent,
            voltage_v: 4.2 - 0.1 * f64::from(point) - 0.001 * cell as f64,
            current_a: -1.0,
            charge_capacity_ah: None,
            discharge_capacity_ah: Some(0.01 * f64::from(point) + cell as f64),
            temperature_c: None,
        }
    }

    /// Cells cell0 … cell6, cycles 1–12, 5 points each (60 rows a cell), in
    /// row groups of 25 rows: cells straddle row groups.
    fn fleet(name: &str, interleaved: bool) -> std::path::PathBuf {
        let path =
            std::env::temp_dir().join(format!("voltai-scan-{}-{name}.parquet", std::process::id()));
        let mut w = ParquetTableWriter::time_series_in_row_groups(&path, 25).unwrap();
        let rows = |cell: usize, cycles: std::ops::RangeInclusive<u32>| -> Vec<TimeSeriesRecord> {
            cycles
                .flat_map(|c| (0..POINTS).map(move |p| record(cell, c, p)))
                .collect()
        };
        for cell in 0..CELLS {
            if interleaved && cell == 1 {
                w.write_time_series("cell1", &rows(1, 1..=6)).unwrap();
                w.write_time_series("cell2", &rows(2, 1..=CYCLES)).unwrap();
                w.write_time_series("cell1", &rows(1, 7..=CYCLES)).unwrap();
            } else if !(interleaved && cell == 2) {
                w.write_time_series(&format!("cell{cell}"), &rows(cell, 1..=CYCLES))
                    .unwrap();
            }
        }
        w.finish().unwrap();
        path
    }

    fn run(scan: &Scan, path: &std::path::Path) -> (Vec<CellRows>, usize, usize) {
        let mut s = scan.open(path).unwrap();
        let total = s.total_row_groups();
        let cells: Vec<CellRows> = s.by_ref().collect::<Result<_, _>>().unwrap();
        (cells, s.row_groups_read(), total)
    }

    #[test]
    fn whole_file_comes_back_cell_by_cell() {
        let path = fleet("whole", false);
        let (cells, read, total) = run(&Scan::new(), &path);
        assert_eq!(total, (CELLS * 60).div_ceil(25));
        assert_eq!(read, total);
        assert_eq!(cells.len(), CELLS);
        for (k, c) in cells.iter().enumerate() {
            assert_eq!(c.cell_id, format!("cell{k}"));
            assert_eq!(c.rows.num_rows(), 60);
            assert_eq!(c.rows.num_columns(), 11);
            let v = c.rows.column_by_name("voltage_v").unwrap();
            let v = v.as_any().downcast_ref::<Float64Array>().unwrap();
            let cyc = c.rows.column_by_name("cycle_index").unwrap();
            let cyc = cyc.as_any().downcast_ref::<UInt32Array>().unwrap();
            for i in 0..60 {
                let want = record(k, 1 + i as u32 / POINTS, i as u32 % POINTS);
                assert_eq!(v.value(i), want.voltage_v);
                assert_eq!(cyc.value(i), want.cycle_index);
            }
        }
        std::fs::remove_file(&path).ok();
    }

    #[test]
    fn statistics_skip_row_groups_and_filters_keep_the_wanted_rows() {
        let path = fleet("filtered", false);
        let scan = Scan::new()
            .columns(&["discharge_capacity_ah"])
            .cells(&["cell3", "cell5"])
            .cycles(4..=6);
        let (cells, read, total) = run(&scan, &path);
        // cell3's rows 180–239 and cell5's 300–359 lie in 6 of 17 row groups.
        assert_eq!(total, 17);
        assert_eq!(read, 6, "row groups decoded");
        assert_eq!(
            cells.iter().map(|c| c.cell_id.as_str()).collect::<Vec<_>>(),
            ["cell3", "cell5"]
        );
        for c in &cells {
            // 3 cycles × 5 points; cell id, cycle index and the one column.
            assert_eq!(c.rows.num_rows(), 15);
            assert_eq!(c.rows.num_columns(), 3);
            let cyc = c.rows.column_by_name("cycle_index").unwrap();
            let cyc = cyc.as_any().downcast_ref::<UInt32Array>().unwrap();
            assert!((0..15).all(|i| (4..=6).contains(&cyc.value(i))));
        }
        // The same scan on one thread and on two gives the same tables.
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let again = pool.install(|| run(&scan, &path));
            assert_eq!(again.0, cells);
        }
        // A cycle range no row group holds reads nothing.
        let (none, read, _) = run(&Scan::new().cycles(50..=60), &path);
        assert!(none.is_empty() && read == 0);
        assert!(Scan::new().columns(&["not_a_column"]).open(&path).is_err());
        std::fs::remove_file(&path).ok();
    }

    #[test]
    fn an_interleaved_file_is_refused_with_the_cell_named() {
        let path = fleet("interleaved", true);
        let out: Vec<_> = Scan::new().open(&path).unwrap().collect();
        let err = out.iter().find_map(|r| r.as_ref().err()).expect("an error");
        assert!(err.to_string().contains("cell1"), "{err}");
        // Nothing comes after the error.
        assert!(out.last().unwrap().is_err());
        std::fs::remove_file(&path).ok();
    }
}

mod fleet {
    use voltai_battery_data::features::{CellAccumulator, CycleLife, FleetFeatureOptions};
    use voltai_battery_data::fleet::{SyntheticFleet, scan_features};

    fn options() -> FleetFeatureOptions {
        FleetFeatureOptions::default()
            .eol_fraction(0.98)
            .and_then(|o| o.delta_q_cycles(Some((5, 60))))
            .expect("valid options")
    }

    /// Cell `i`'s features from its rows in memory, pushed in `order`
    /// and split in two accumulators at `split`.
    fn direct(
        fleet: &SyntheticFleet,
        i: usize,
        reverse: bool,
        split: usize,
    ) -> (f64, CycleLife, Option<f64>) {
        let mut rows = fleet.cell_rows(i);
        if reverse {
            rows.reverse();
        }
        let opts = options();
        let (mut a, mut b) = (
            CellAccumulator::new(&opts).expect("accumulator"),
            CellAccumulator::new(&opts).expect("accumulator"),
        );
        for (k, r) in rows.iter().enumerate() {
            let acc = if k < split { &mut a } else { &mut b };
            acc.push(
                r.cycle_index,
                r.voltage_v,
                r.current_a,
                r.discharge_capacity_ah,
            )
            .expect("finite row");
        }
        a.merge(&b).expect("same options");
        let f = a
            .features(&SyntheticFleet::cell_id(i), &opts)
            .expect("features");
        (
            f.fade.fade_slope_ah_per_cycle,
            f.fade.cycle_life,
            f.delta_q_variance,
        )
    }

    #[test]
    fn scan_features_equal_any_order_and_split_of_the_rows() {
        let path =
            std::env::temp_dir().join(format!("voltai_fleet_bd_{}.parquet", std::process::id()));
        let fleet = SyntheticFleet::new(5, 70, 8)
            .and_then(|f| f.seed(7).row_group_rows(333))
            .expect("valid fleet");
        fleet
            .write(&path, &mut voltai_core::progress::silent)
            .expect("written");
        let scanned = scan_features(&path, &options()).expect("scan");
        std::fs::remove_file(&path).ok();
        assert_eq!(scanned.len(), 5);
        for (i, f) in scanned.iter().enumerate() {
            let got = (
                f.fade.fade_slope_ah_per_cycle,
                f.fade.cycle_life,
                f.delta_q_variance,
            );
            // The scan takes the column fast path; pushing row by row, in
            // reverse, split anywhere, gives the same bits.
            for (reverse, split) in [(false, 0), (true, 100), (false, 281)] {
                assert_eq!(direct(&fleet, i, reverse, split), got, "cell {i}");
            }
            let (q0, fade) = fleet.truth(i);
            assert!((got.0 + q0 * fade).abs() <= 1e-9 * q0 * fade);
        }
    }

    #[test]
    fn too_little_data_is_none_and_bad_data_is_an_error() {
        let opts = options();
        let mut acc = CellAccumulator::new(&opts).expect("accumulator");
        for c in 1..=70u32 {
            // Cycle 60 has two discharge rows: too few for a curve.
            let points = if c == 60 { 2 } else { 8 };
            for p in 0..points {
                let frac = f64::from(p + 1) / 8.0;
                acc.push(
                    c,
                    3.6 - frac,
                    -1.0,
                    Some(1.0 - 1e-3 * f64::from(c)).map(|q| q * frac),
                )
                .expect("finite row");
            }
        }
        let f = acc.features("c", &opts).expect("features");
        assert_eq!(f.delta_q_variance, None);
        let mut bad = CellAccumulator::new(&opts).expect("accumulator");
        let e = bad
            .push(3, 3.5, -1.0, Some(f64::NAN))
            .expect_err("NaN capacity");
        assert!(e.to_string().contains("cycle 3"), "{e}");
        let e = bad.extend(&[1, 2], &[3.5, 3.4], &[-1.0, -1.0], &[1.0, f64::INFINITY]);
        assert!(e.is_err());
        // Options that differ cannot merge.
        let other = CellAccumulator::new(&FleetFeatureOptions::default()).expect("accumulator");
        assert!(bad.merge(&other).is_err());
    }
}
