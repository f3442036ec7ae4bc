//! Generic CSV mapping, malformed input located to line and column, EIS
//! features on a circuit with a closed form, and parsers that never panic on arbitrary bytes.

use proptest::prelude::*;
use voltai_battery_data::EisSpectrum;
use voltai_battery_data::features::{DeltaQStats, eis_features};
use voltai_battery_data::readers::{
    CsvMapping, read_arbin_from, read_eis_long_from, read_gasper2022_from,
};
use voltai_battery_data::table::Table;
use voltai_core::Error;

const MAPPING: &str = r#"{
  "cell_id": "my_cell",
  "columns": [
    { "column": "Time", "field": "TestTime" },
    { "column": "U", "field": "Voltage", "unit": "mV" },
    { "column": "I", "field": "Current", "unit": "mA", "negate": true },
    { "column": "T", "field": "Temperature", "unit": "K" },
    { "column": "Cyc", "field": "CycleIndex" }
  ]
}"#;

fn parse_err(e: Error) -> (u64, u64, String) {
    match e {
        Error::Parse {
            line,
            column,
            message,
            ..
        } => (line, column, message),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn generic_mapping_converts_units() {
    let csv = "Time (h),U,I,T,Cyc\n0.5,3700,100,298.15,1\n1.0,3800,-50,300.15,1\n";
    let m = CsvMapping::from_json(MAPPING).unwrap();
    let ts = m.read_time_series_from("mine.csv", csv.as_bytes()).unwrap();
    assert_eq!(ts.len(), 1);
    let r = &ts[0].records;
    assert_eq!(ts[0].cell_id, "my_cell");
    assert_eq!(r[0].test_time_s, 1800.0);
    assert!((r[0].voltage_v - 3.7).abs() < 1e-12);
    assert!((r[0].current_a + 0.1).abs() < 1e-12);
    assert!((r[1].temperature_c.unwrap() - 27.0).abs() < 1e-9);
}

#[test]
fn generic_mapping_reads_cell_histories() {
    // I is negated: 100 mA written means 0.1 A of discharge here.
    let csv = "Time (h),U,I,T,Cyc\n0,3700,-100,298.15,1\n1,3800,-100,300.15,1\n1,3600,100,300.15,2\n2,3500,100,300.15,2\n";
    let path = std::env::temp_dir().join(format!("voltai_mapping_{}.csv", std::process::id()));
    std::fs::write(&path, csv).unwrap();
    let m = CsvMapping::from_json(MAPPING).unwrap();
    let h = m.read_histories(&path).unwrap();
    std::fs::remove_file(&path).ok();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].cell_id(), "my_cell");
    assert_eq!(h[0].cycle_numbers(), vec![1, 2]);
    // One hour at 0.1 A each way, by the trapezoid rule.
    assert!((h[0].cycle(1).unwrap().charge_capacity_ah.unwrap() - 0.1).abs() < 1e-12);
    assert!((h[0].cycle(2).unwrap().discharge_capacity_ah.unwrap() - 0.1).abs() < 1e-12);
}

#[test]
fn malformed_input_names_line_and_column() {
    let m = CsvMapping::from_json(MAPPING).unwrap();
    // Bad number at line 3, column 2.
    let e = m
        .read_time_series_from(
            "f.csv",
            "Time (s),U,I,T,Cyc\n0,3700,1,300,1\n1,3.7x,1,300,1\n".as_bytes(),
        )
        .unwrap_err();
    let (line, col, _) = parse_err(e);
    assert_eq!((line, col), (3, 2));
    // Non-monotonic time at line 3, column 1.
    let e = m
        .read_time_series_from(
            "f.csv",
            "Time (s),U,I,T,Cyc\n5,3700,1,300,1\n4,3700,1,300,1\n".as_bytes(),
        )
        .unwrap_err();
    let (line, col, msg) = parse_err(e);
    assert_eq!((line, col), (3, 1));
    assert!(msg.contains("monotonic"));
    // Missing column: located on the header line.
    let e = m
        .read_time_series_from("f.csv", "Time (s),U,T,Cyc\n0,3700,300,1\n".as_bytes())
        .unwrap_err();
    let (line, _, msg) = parse_err(e);
    assert_eq!(line, 1);
    assert!(msg.contains("`I`"));
    // Unknown unit in the header.
    let bad_unit = r#"{"cell_id":"c","columns":[{"column":"Time","field":"TestTime"},{"column":"U","field":"Voltage","unit":"V"},{"column":"I","field":"Current","unit":"A"}]}"#;
    let e = CsvMapping::from_json(bad_unit)
        .unwrap()
        .read_time_series_from("f.csv", "Time(fortnights),U,I\n0,3,1\n".as_bytes())
        .unwrap_err();
    let (line, col, msg) = parse_err(e);
    assert_eq!((line, col), (1, 1));
    assert!(msg.contains("unknown unit"));
    // Ragged row.
    let e = read_eis_long_from(
        Table::from_reader(
            "e.csv",
            "cell_id,temperature_C,cycle,freq_Hz,z_real_ohm,z_imag_ohm\nA,25,1,100,0.1\n"
                .as_bytes(),
        )
        .unwrap(),
    )
    .unwrap_err();
    assert_eq!(parse_err(e).0, 2);
}

#[test]
fn eis_features_of_a_circuit_with_known_answer() {
    // Z = jωL + R0 + R1 / (1 + jωR1C): HF intercept ≈ R0, arc width ≈ R1.
    let (l, r0, r1, c) = (1e-7, 0.05, 0.2, 0.01);
    let freqs: Vec<f64> = (0..80).map(|k| 10f64.powf(5.0 - 0.1 * k as f64)).collect();
    let mut s = EisSpectrum {
        cell_id: "randles".into(),
        ..Default::default()
    };
    for &f in &freqs {
        let w = 2.0 * std::f64::consts::PI * f;
        let d = 1.0 + (w * r1 * c).powi(2);
        s.frequency_hz.push(f);
        s.z_real_ohm.push(r0 + r1 / d);
        s.z_imag_ohm.push(w * l - w * r1 * r1 * c / d);
    }
    let feats = eis_features(&s, &[1.0]).unwrap();
    assert!((feats.hf_intercept_ohm.unwrap() - r0).abs() < 2e-3);
    assert!((feats.arc_width_ohm.unwrap() - r1).abs() < 2e-3);
    // At 1 Hz, ωR1C ≈ 0.0126: Z ≈ R0 + R1, phase slightly negative.
    assert!((feats.magnitude_ohm[0] - (r0 + r1)).abs() < 1e-3);
    assert!(feats.phase_deg[0] < 0.0);
    assert!(eis_features(&s, &[1e9]).is_err(), "outside measured range");
}

#[test]
fn delta_q_statistics_closed_form() {
    // ΔQ = [0, 0, 0, 1]: population moments by hand.
    let a = [1.0, 1.0, 1.0, 1.0];
    let b = [1.0, 1.0, 1.0, 2.0];
    let s = DeltaQStats::between(&a, &b).unwrap();
    assert!((s.mean - 0.25).abs() < 1e-15);
    assert!((s.variance - 0.1875).abs() < 1e-15);
    assert_eq!(s.min, 0.0);
    // m3 = (3·(−1/4)³ + (3/4)³)/4 = 0.09375; skew = m3 / var^1.5
    assert!((s.skewness - 0.09375 / 0.1875f64.powf(1.5)).abs() < 1e-12);
    // m4 = (3·(1/4)^4 + (3/4)^4)/4 = 84/1024; kurt = m4 / var²
    assert!((s.kurtosis - (84.0 / 1024.0) / 0.1875f64.powi(2)).abs() < 1e-12);
    assert!(
        DeltaQStats::between(&a, &a).is_err(),
        "constant ΔQ has no shape"
    );
}

proptest! {
    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_arbin_from("fuzz.csv", bytes.as_slice(), "c");
        if let Ok(t) = Table::from_reader("fuzz.csv", bytes.as_slice()) { let _ = read_eis_long_from(t); }
        if let Ok(t) = Table::from_reader("fuzz.csv", bytes.as_slice()) { let _ = read_gasper2022_from(t); }
        let m = CsvMapping::from_json(MAPPING).unwrap();
        let _ = m.read_time_series_from("fuzz.csv", bytes.as_slice());
        let _ = m.read_cycles_from("fuzz.csv", bytes.as_slice());
        let _ = CsvMapping::from_json(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn parsers_never_panic_on_csv_like_text(rows in proptest::collection::vec(proptest::collection::vec("[0-9.eE+-]{0,6}|nan|inf|x", 0..8), 0..8)) {
        let body: String = rows.iter().map(|r| r.join(",")).collect::<Vec<_>>().join("\n");
        let text = format!("Data_Point,Test_Time,Cycle_Index,Step_Index,Current,Voltage,Temperature\n{body}");
        let _ = read_arbin_from("fuzz.csv", text.as_bytes(), "c");
        let text = format!("cell_id,temperature_C,cycle,freq_Hz,z_real_ohm,z_imag_ohm\n{body}");
        if let Ok(t) = Table::from_reader("fuzz.csv", text.as_bytes()) { let _ = read_eis_long_from(t); }
    }
}

#[test]
fn mapping_without_units_is_an_error_not_a_guess() {
    // The silently-wrong case of the issue: mV and mA read as V and A.
    let m = CsvMapping::from_json(
        r#"{"cell_id":"c","columns":[
            {"column":"t","field":"TestTime","unit":"s"},
            {"column":"U","field":"Voltage"},
            {"column":"I","field":"Current","unit":"mA"}]}"#,
    )
    .unwrap();
    let e = m
        .read_time_series_from("f.csv", "t,U,I\n0,3345,1100\n".as_bytes())
        .unwrap_err();
    let (line, col, msg) = parse_err(e);
    assert_eq!((line, col), (1, 2));
    assert!(msg.contains("has no unit"), "{msg}");
    // A unit in the header is enough.
    let ts = m
        .read_time_series_from("f.csv", "t,U (mV),I\n0,3345,1100\n".as_bytes())
        .unwrap();
    assert!((ts[0].records[0].voltage_v - 3.345).abs() < 1e-12);
    assert!((ts[0].records[0].current_a - 1.1).abs() < 1e-12);
}

#[test]
fn mapping_reads_european_legacy_exports() {
    // Semicolons, decimal commas, a Windows-1252 `°` in the header, a preamble,
    // clock times past 24 h, a date-time column and the sign in a state column.
    let mut bytes = b"Exported by tester\n".to_vec();
    bytes.extend_from_slice(b"Zeit;Datum;U [V];I [A];T [\xb0C];Modus\n");
    bytes.extend_from_slice(b"23:59:59,5;01.02.2024 10:00:00;3,71;1,5;25,0;L\n");
    bytes.extend_from_slice(b"24:00:00,5;01.02.2024 10:00:01;3,72;1,5;25,5;E\n");
    bytes.extend_from_slice(b"24:00:01,5;01.02.2024 10:00:02;3,60;0;25,5;P\n");
    let m = CsvMapping::from_json(
        r#"{"cell_id":"c","delimiter":";","decimal_comma":true,"skip_lines":1,
            "columns":[
              {"column":"Zeit","field":"TestTime"},
              {"column":"Datum","field":"Timestamp"},
              {"column":"U","field":"Voltage"},
              {"column":"I","field":"Current"},
              {"column":"T","field":"Temperature"}],
            "current_sign":{"column":"Modus","charge":["L"],"discharge":["E"]}}"#,
    )
    .unwrap();
    let ts = m.read_time_series_from("de.csv", bytes.as_slice()).unwrap();
    let r = &ts[0].records;
    assert_eq!(r[0].test_time_s, 86_399.5);
    assert_eq!(r[1].test_time_s, 86_400.5);
    assert_eq!(r[0].voltage_v, 3.71);
    assert_eq!(
        [r[0].current_a, r[1].current_a, r[2].current_a],
        [1.5, -1.5, 0.0]
    );
    assert_eq!(r[1].temperature_c, Some(25.5));
    // 2024-02-01T10:00:01Z
    assert_eq!(r[1].timestamp_s, Some(1_706_781_601.0));
    // A decimal comma with a comma delimiter is refused up front.
    let bad =
        CsvMapping::from_json(r#"{"cell_id":"c","decimal_comma":true,"columns":[]}"#).unwrap();
    assert!(
        bad.read_time_series_from("x.csv", "a\n1\n".as_bytes())
            .is_err()
    );
}

#[test]
fn duplicate_and_implausible_records_are_reported_with_their_place() {
    use voltai_battery_data::validate::{Rules, validate_time_series};
    let m = CsvMapping::from_json(
        r#"{"cell_id":"c","columns":[
            {"column":"t","field":"TestTime","unit":"s"},
            {"column":"U","field":"Voltage","unit":"V"},
            {"column":"I","field":"Current","unit":"A"}]}"#,
    )
    .unwrap();
    let mut ts = m
        .read_time_series_from(
            "f.csv",
            "t,U,I\n0,3.3,1\n1,3.4,1\n1,3.4,1\n1,3.5,1100\n".as_bytes(),
        )
        .unwrap()
        .remove(0);
    let report = validate_time_series(&ts, Some(1.1), &Rules::default()).unwrap();
    let what: Vec<(usize, &str)> = report
        .issues
        .iter()
        .map(|i| (i.record.unwrap(), i.field.as_str()))
        .collect();
    assert_eq!(
        what,
        [(2, "test_time_s"), (3, "test_time_s"), (3, "current_a")]
    );
    assert!(report.issues[0].reason.contains("1 s after 1 s"));
    // Without a capacity, 1100 A is still above the absolute bound.
    let report = validate_time_series(&ts, None, &Rules::default()).unwrap();
    assert!(report.issues.iter().any(|i| i.field == "current_a"));
    // The documented option removes the exact duplicate, not the record that
    // merely shares its time.
    assert_eq!(ts.drop_exact_duplicates(), 1);
    assert_eq!(ts.records.len(), 3);
}
