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
