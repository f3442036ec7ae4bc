//! Every file in `../shared/data/cycler_formats/` against the facts its README
//! gives: record count, cycle numbers, first/last test time, voltage range, first
//! timestamp; frequency range for impedance files. README values are rounded to
//! the digits they show, so a value matches when it rounds to the stated digits
//! (half a unit in the last place), which is tighter than 1e-6 relative for
//! every fact there.

use std::path::PathBuf;

use voltai_battery_data::cycler::{CyclerFile, Format, read_cycler_file};
use voltai_battery_data::data_dir::dataset_dir;

fn path(rel: &str) -> PathBuf {
    dataset_dir("cycler_formats").unwrap().join(rel)
}

/// `ours` equals `fact` to the digits `fact` shows.
fn matches(ours: f64, fact: &str) -> bool {
    let f: f64 = fact.parse().unwrap();
    let decimals = fact.split_once('.').map_or(0, |(_, d)| {
        d.trim_end_matches(|c: char| !c.is_ascii_digit()).len()
    });
    let half_ulp = 0.5 * 10f64.powi(-(decimals as i32));
    (ours - f).abs() <= half_ulp * (1.0 + 1e-9) + 1e-12 * f.abs()
}

struct Facts<'a> {
    format: Format,
    rows: usize,
    cycles: &'a [u32],
    time: (&'static str, &'static str),
    voltage: (&'static str, &'static str),
    /// Unix seconds of the first record's wall clock (local time read as UTC).
    first_timestamp: Option<f64>,
}

fn check(rel: &str, f: &Facts<'_>) -> CyclerFile {
    let file = read_cycler_file(path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(file.format, f.format, "{rel}");
    let ts = file
        .time_series()
        .unwrap_or_else(|| panic!("{rel}: no time series"));
    let r = &ts.records;
    assert_eq!(r.len(), f.rows, "{rel}: rows");
    let mut cycles: Vec<u32> = r.iter().map(|x| x.cycle_index).collect();
    cycles.sort_unstable();
    cycles.dedup();
    assert_eq!(cycles, f.cycles, "{rel}: cycle numbers");
    let (t0, t1) = (r[0].test_time_s, r[r.len() - 1].test_time_s);
    assert!(
        matches(t0, f.time.0),
        "{rel}: first time {t0} vs {}",
        f.time.0
    );
    assert!(
        matches(t1, f.time.1),
        "{rel}: last time {t1} vs {}",
        f.time.1
    );
    let vmin = r.iter().map(|x| x.voltage_v).fold(f64::INFINITY, f64::min);
    let vmax = r
        .iter()
        .map(|x| x.voltage_v)
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(
        matches(vmin, f.voltage.0),
        "{rel}: V min {vmin} vs {}",
        f.voltage.0
    );
    assert!(
        matches(vmax, f.voltage.1),
        "{rel}: V max {vmax} vs {}",
        f.voltage.1
    );
    if let Some(stamp) = f.first_timestamp {
        let got = r[0]
            .timestamp_s
            .unwrap_or_else(|| panic!("{rel}: no timestamp"));
        assert!(
            (got - stamp).abs() < 1e-3,
            "{rel}: first timestamp {got} vs {stamp}"
        );
    }
    // Only a line cut short at the end of a file may lack a measurement.
    let gaps = r
        .iter()
        .filter(|x| !(x.voltage_v.is_finite() && x.current_a.is_finite()))
        .count();
    let allowed = usize::from(file.metadata.contains_key("truncated_last_line"));
    assert!(
        gaps <= allowed,
        "{rel}: {gaps} records without a measurement"
    );
    file
}

#[test]
fn maccor_raw_with_day_clock_times() {
    let f = check(
        "maccor/maccor_test_file_4267-66-6519.041",
        &Facts {
            format: Format::Maccor,
            rows: 74,
            cycles: &[0],
            time: ("0", "10"),
            voltage: ("3.90806", "3.91173"),
            first_timestamp: Some(1_478_102_273.0), // 11/02/2016 15:57:53
        },
    );
    let r = &f.time_series().unwrap().records;
    assert!(r.iter().all(|x| x.current_a == 0.0));
    assert_eq!(r[0].step_kind, voltai_battery_data::StepKind::Rest);
}

#[test]
fn maccor_raw_signed_discharge_excerpt() {
    // The README's first timestamp (2019-10-22T06:59:59Z) is BEEP's conversion
    // from the tester's Pacific clock; the file writes 10/21/2019 23:59:59.
    let f = check(
        "maccor/PredictionDiagnostics_000151_test.052",
        &Facts {
            format: Format::Maccor,
            rows: 333,
            cycles: &[37],
            time: ("769267", "769270.57"),
            voltage: ("3.86252", "3.86824"),
            first_timestamp: Some(1_571_702_399.0),
        },
    );
    let r = &f.time_series().unwrap().records;
    // State D: a discharge at about −4.84 A; Amp-hr goes to the discharge capacity.
    assert!(r.iter().all(|x| (x.current_a + 4.84).abs() < 0.01));
    assert!(
        r.iter()
            .all(|x| x.discharge_capacity_ah.is_some() && x.charge_capacity_ah.is_none())
    );
}

#[test]
fn maccor_text_with_decimal_commas_and_a_cut_last_line() {
    // The last line is cut after 9 of 28 fields: its time is read; its
    // current (the last field, perhaps cut itself) and voltage are NaN; the
    // metadata says so and validation reports both at file and line.
    let f = check(
        "maccor/maccor_two.txt",
        &Facts {
            format: Format::Maccor,
            rows: 214,
            cycles: &[1],
            time: ("0", "213"),
            voltage: ("0.1377", "0.1514"),
            first_timestamp: Some(1_622_892_226.0), // 06/05/2021 11:23:46, month first
        },
    );
    assert!(f.metadata["truncated_last_line"].starts_with("line 229: 9 of 28"));
    assert_eq!(f.metadata["SCap"], "0,017");
    let r = &f.time_series().unwrap().records;
    assert!(r[213].voltage_v.is_nan() && r[213].current_a.is_nan());
    assert_eq!(r[213].test_time_s, 213.0);
    let report = voltai_battery_data::validate::validate_cycler_file(
        &f,
        None,
        &voltai_battery_data::validate::Rules::default(),
    )
    .unwrap();
    let cut: Vec<_> = report.issues.iter().filter(|i| i.value.is_nan()).collect();
    // Voltage and current, both at the cut line.
    assert_eq!(cut.len(), 2);
    for issue in cut {
        let at = issue.location.as_deref().unwrap();
        assert!(at.ends_with("maccor_two.txt:229"), "{at}");
    }
}

#[test]
fn maccor_csv() {
    check(
        "maccor/sample_data_maccor.csv",
        &Facts {
            format: Format::Maccor,
            rows: 15,
            cycles: &[1],
            time: ("0", "13.06"),
            voltage: ("3.668", "3.716"),
            first_timestamp: Some(1_700_754_971.0), // 23-Nov-23 3:56:11 PM
        },
    );
}

#[test]
fn maccor_unsigned_current_takes_its_sign_from_the_state() {
    // A Maccor text export with an unsigned current and a mode column: the
    // silently-wrong case of the issue (every current positive) is now signed.
    let dir = std::env::temp_dir().join("voltai_maccor_state");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("unsigned.txt");
    std::fs::write(
        &p,
        "Rec\tCycle C\tStep\tTestTime\tCurrent [A]\tVoltage [V]\tMd\tCap. [Ah]\n\
         1\t1\t1\t0\t0\t3.5\tR\t0\n\
         2\t1\t2\t1\t2.0\t3.9\tC\t0.001\n\
         3\t1\t3\t2\t2.0\t3.4\tD\t0.002\n",
    )
    .unwrap();
    let f = read_cycler_file(&p).unwrap();
    let r = &f.time_series().unwrap().records;
    assert_eq!(
        r.iter().map(|x| x.current_a).collect::<Vec<_>>(),
        [0.0, 2.0, -2.0]
    );
    assert_eq!(r[1].charge_capacity_ah, Some(0.001));
    assert_eq!(r[2].discharge_capacity_ah, Some(0.002));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn arbin_beep_layout_with_companion_metadata() {
    // README's first timestamp (03:14:08Z) is not in the file; its DateTime
    // column starts at 1494645243.4715 (03:14:03.47Z), which we keep.
    let f = check(
        "arbin/FastCharge_000025_CH8.csv",
        &Facts {
            format: Format::ArbinCsv,
            rows: 248,
            cycles: &[0],
            time: ("10.0024", "1800.0104"),
            voltage: ("3.30093", "3.30116"),
            first_timestamp: Some(1_494_645_243.471_5),
        },
    );
    assert_eq!(f.metadata["test_id"], "153");
    assert_eq!(f.start_s, Some(1_494_645_214.0));
    // The companion alone is not a time series, and says where to look.
    let e = read_cycler_file(path("arbin/FastCharge_000025_CH8_Metadata.csv")).unwrap_err();
    assert!(e.to_string().contains("metadata companion"), "{e}");
}

#[test]
fn arbin_mits_pro_8_with_bom_and_tabbed_dates() {
    check(
        "arbin/sample_data_arbin.csv",
        &Facts {
            format: Format::ArbinCsv,
            rows: 13,
            cycles: &[1],
            time: ("30.0005", "301.214"),
            voltage: ("3.53455", "3.5996"),
            first_timestamp: Some(1_726_821_154.558),
        },
    );
}

#[test]
fn neware_csv_with_clock_times_past_24_hours() {
    let f = check(
        "neware/neware_uio.csv",
        &Facts {
            format: Format::NewareCsv,
            rows: 9065,
            cycles: &[1, 2, 3, 4],
            time: ("0", "518538"),
            voltage: ("0.05", "2.957"),
            first_timestamp: Some(1_652_891_272.0),
        },
    );
    use voltai_battery_data::StepKind;
    let r = &f.time_series().unwrap().records;
    let cc: Vec<_> = r
        .iter()
        .filter(|x| x.step_kind == StepKind::ConstantCurrent)
        .collect();
    assert!(cc.iter().any(|x| x.current_a < 0.0) && cc.iter().any(|x| x.current_a > 0.0));
    assert!(
        r.iter()
            .filter(|x| x.step_kind == StepKind::Rest)
            .all(|x| x.current_a == 0.0)
    );
}

#[test]
fn biologic_mpr_and_mpt_of_the_same_run_agree() {
    let mpr = check(
        "biologic/cp.mpr",
        &Facts {
            format: Format::BiologicMpr,
            rows: 121,
            cycles: &[0],
            time: ("328.364", "447.3645887"),
            voltage: ("-3.59443", "-3.24632"),
            first_timestamp: None,
        },
    );
    // Acquisition start 2021-03-02 16:17:59; a record's clock is start + time/s.
    assert_eq!(mpr.start_s, Some(1_614_701_879.0));
    let mpt = check(
        "biologic/cp.mpt",
        &Facts {
            format: Format::BiologicMpt,
            rows: 121,
            cycles: &[0],
            time: ("328.364", "447.3645887"),
            voltage: ("-3.45473", "0"),
            first_timestamp: Some(1_614_701_879.0 + 328.364_191_704_822_6),
        },
    );
    let (a, b) = (
        &mpr.time_series().unwrap().records,
        &mpt.time_series().unwrap().records,
    );
    // The text export prints 16 significant digits of the binary's f64 time.
    for (x, y) in a.iter().zip(b) {
        assert!((x.test_time_s - y.test_time_s).abs() < 1e-12 * y.test_time_s);
        assert!(
            (x.current_a - y.current_a).abs() < 1e-9,
            "{} vs {}",
            x.current_a,
            y.current_a
        );
        assert!((x.timestamp_s.unwrap() - y.timestamp_s.unwrap()).abs() < 1e-6);
    }
    // The text export writes <Ewe>/V as 0 from record 5 on (a known EC-Lab
    // quirk); before that the two agree to float32 precision.
    for (x, y) in a.iter().zip(b).take(4) {
        assert!(
            (x.voltage_v - y.voltage_v).abs() < 1e-6,
            "{} vs {}",
            x.voltage_v,
            y.voltage_v
        );
    }
}

#[test]
fn biologic_mpr_without_a_current_column() {
    for (rel, rows, cycles, time, voltage, start) in [
        (
            "biologic/250116_kigr_gen6_01_02_GCPL_CD8.mpr",
            3791,
            &[0u32, 1, 2][..],
            ("43213.8", "81716.45993"),
            ("0.288285", "4.90065"),
            1_737_036_354.213,
        ),
        (
            "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr",
            46102,
            &[0, 1, 2, 3, 4, 5, 6][..],
            ("0", "456309.5862"),
            ("1.9999", "3.80006"),
            1_603_716_598.0,
        ),
    ] {
        let f = check(
            rel,
            &Facts {
                format: Format::BiologicMpr,
                rows,
                cycles,
                time,
                voltage,
                first_timestamp: None,
            },
        );
        assert!((f.start_s.unwrap() - start).abs() < 1e-3, "{rel}");
        // Current from the set point in CC steps: about ±1.2 mA and ±89 µA.
        let imax = f
            .time_series()
            .unwrap()
            .records
            .iter()
            .map(|x| x.current_a.abs())
            .fold(0.0, f64::max);
        let want = if rows == 3791 { 1.2e-3 } else { 8.9e-5 };
        assert!((imax - want).abs() / want < 0.02, "{rel}: {imax}");
    }
}

#[test]
fn biologic_ascii_variants() {
    check(
        "biologic/Sample_data_biologic_timestamped.txt",
        &Facts {
            format: Format::BiologicMpt,
            rows: 8,
            cycles: &[0],
            time: ("0", "12.464"),
            voltage: ("4.14656", "4.15459"),
            first_timestamp: Some(1_732_102_721.707),
        },
    );
    check(
        "biologic/Sample_data_biologic_no_header.mpt",
        &Facts {
            format: Format::BiologicMpt,
            rows: 13,
            cycles: &[0],
            time: ("281672", "281792.5021"),
            voltage: ("2.9344", "2.9814"),
            first_timestamp: None,
        },
    );
}

#[test]
fn basytec_novonix_pec() {
    check(
        "basytec/sample_data_basytec.txt",
        &Facts {
            format: Format::Basytec,
            rows: 74,
            cycles: &[0, 1],
            time: ("0", "70.23580367"),
            voltage: ("3.52556", "3.53285"),
            first_timestamp: Some(1_687_197_413.0),
        },
    );
    let nova = check(
        "novonix/test_Nova_Form-CH01-01_short.csv",
        &Facts {
            format: Format::Novonix,
            rows: 3942,
            cycles: &[1],
            time: ("0", "62764.47"),
            voltage: ("0.137103", "3.42744"),
            first_timestamp: Some(1_649_674_687.0),
        },
    );
    assert!(
        nova.time_series()
            .unwrap()
            .records
            .iter()
            .all(|x| x.current_a >= 0.0)
    );
    check(
        "pec/pec.csv",
        &Facts {
            format: Format::Pec,
            rows: 16255,
            cycles: &[0, 1, 2],
            time: ("1", "323010.183"),
            voltage: ("2.49352", "3.79979"),
            first_timestamp: Some(1_550_852_607.0),
        },
    );
    check(
        "pec/Test25195.csv",
        &Facts {
            format: Format::Pec,
            rows: 19,
            cycles: &[0],
            time: ("0.002", "162.363"),
            voltage: ("3.56886", "3.56903"),
            first_timestamp: Some(1_767_721_866.0),
        },
    );
}

fn check_eis(rel: &str, format: Format, points: usize, spectra: usize, f_max: &str, f_min: &str) {
    let file = read_cycler_file(path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(file.format, format, "{rel}");
    let s = file
        .spectra()
        .unwrap_or_else(|| panic!("{rel}: no spectra"));
    assert_eq!(s.len(), spectra, "{rel}: spectra");
    assert_eq!(
        s.iter().map(|x| x.len()).sum::<usize>(),
        points,
        "{rel}: points"
    );
    let all = s.iter().flat_map(|x| x.frequency_hz.iter().copied());
    let (lo, hi) = all.fold((f64::INFINITY, 0.0f64), |(a, b), f| (a.min(f), b.max(f)));
    assert!(matches(hi, f_max), "{rel}: f max {hi} vs {f_max}");
    assert!(matches(lo, f_min), "{rel}: f min {lo} vs {f_min}");
    // Capacitive arcs: Im(Z) < 0 at most points whatever sign the file writes.
    let neg = s
        .iter()
        .flat_map(|x| x.z_imag_ohm.iter())
        .filter(|&&z| z < 0.0)
        .count();
    assert!(2 * neg >= points, "{rel}: Im(Z) sign");
}

#[test]
fn impedance_files() {
    check_eis(
        "biologic_eis/exampleDataBioLogic.mpt",
        Format::BiologicMpt,
        43,
        1,
        "1000.32",
        "0.0168955",
    );
    check_eis(
        "biologic_eis/PEIS.mpr",
        Format::BiologicMpr,
        244,
        4,
        "10002.2",
        "0.0100092",
    );
    check_eis(
        "biologic_eis/zir.mpr",
        Format::BiologicMpr,
        1,
        1,
        "10019.5",
        "10019.5",
    );
    check_eis(
        "biologic_eis/zir.mpt",
        Format::BiologicMpt,
        1,
        1,
        "10019.5",
        "10019.5",
    );
    check_eis(
        "maccor/maccor_test_file_4267-66-6519.EDA0001.041",
        Format::MaccorEda,
        60,
        1,
        "999999",
        "1.25892",
    );
    check_eis(
        "gamry/exampleDataGamry.DTA",
        Format::GamryDta,
        72,
        1,
        "200016",
        "0.0158898",
    );
    check_eis(
        "gamry/eispot_data.dta",
        Format::GamryDta,
        10,
        1,
        "10000",
        "0.5",
    );
    check_eis(
        "zplot/exampleDataZPlot.z",
        Format::ZPlot,
        21,
        1,
        "300000",
        "3000",
    );
    check_eis(
        "zplot/exampleDataZPlot_noComments.z",
        Format::ZPlot,
        31,
        1,
        "300000",
        "300",
    );
    check_eis(
        "impedance_csv/exampleData.csv",
        Format::ImpedanceCsv,
        66,
        1,
        "10000",
        "0.0031623",
    );
    // The .mpr and .mpt of one ZIR point agree to float32 precision.
    let a = read_cycler_file(path("biologic_eis/zir.mpr")).unwrap();
    let b = read_cycler_file(path("biologic_eis/zir.mpt")).unwrap();
    let (a, b) = (&a.spectra().unwrap()[0], &b.spectra().unwrap()[0]);
    assert!((a.z_real_ohm[0] - b.z_real_ohm[0]).abs() / b.z_real_ohm[0] < 1e-6);
    assert!((a.z_imag_ohm[0] - b.z_imag_ohm[0]).abs() / b.z_imag_ohm[0].abs() < 1e-6);
    // PEIS: four spectra numbered 1..4 of 61 frequencies.
    let p = read_cycler_file(path("biologic_eis/PEIS.mpr")).unwrap();
    let cycles: Vec<_> = p
        .spectra()
        .unwrap()
        .iter()
        .map(|s| (s.state.cycle, s.len()))
        .collect();
    assert_eq!(
        cycles,
        [(Some(1), 61), (Some(2), 61), (Some(3), 61), (Some(4), 61)]
    );
}

#[test]
fn arbin_res_access_database() {
    let f = check(
        "arbin/20160805_test001_45_cc_01.res",
        &Facts {
            format: Format::ArbinRes,
            rows: 10261,
            cycles: &(1..=18).collect::<Vec<u32>>(),
            time: ("300.01", "859077.2406"),
            voltage: ("0.0498939", "3.11671"),
            first_timestamp: Some(1_470_414_083.0), // 2016-08-05 16:21:23
        },
    );
    // A half cell at about ±0.3 mA, charge positive.
    let r = &f.time_series().unwrap().records;
    let imax = r
        .iter()
        .map(|x| x.current_a)
        .fold(f64::NEG_INFINITY, f64::max);
    let imin = r.iter().map(|x| x.current_a).fold(f64::INFINITY, f64::min);
    assert!(
        (imax - 3.0e-4).abs() < 2e-5 && (imin + 3.0e-4).abs() < 2e-5,
        "{imin} {imax}"
    );
}

#[test]
fn indigo_hdf5() {
    let f = check(
        "indigo/indigo_test_sample.h5",
        &Facts {
            format: Format::IndigoH5,
            rows: 20000,
            cycles: &(1..=84).collect::<Vec<u32>>(),
            time: ("31.532", "504899.9688"),
            voltage: ("2.99986", "4.15833"),
            // 2019-10-10T22:26:35.467835Z from system_time_us
            first_timestamp: Some(1_570_746_395.467_835),
        },
    );
    let r = &f.time_series().unwrap().records;
    let imin = r.iter().map(|x| x.current_a).fold(f64::INFINITY, f64::min);
    assert!(
        (imin + 205.0).abs() < 1.0,
        "large-format cell discharges at about -205 A: {imin}"
    );
}

fn repo_data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(rel)
}

#[test]
fn excel_exports_read_like_their_csv() {
    // The same records through the xlsx and the CSV paths.
    let x = read_cycler_file(repo_data("cycler_xlsx/arbin_sample_data.xlsx")).unwrap();
    assert_eq!(x.format, Format::ArbinXlsx);
    let c = read_cycler_file(path("arbin/sample_data_arbin.csv")).unwrap();
    let (a, b) = (
        &x.time_series().unwrap().records,
        &c.time_series().unwrap().records,
    );
    assert_eq!(a.len(), 13);
    for (p, q) in a.iter().zip(b) {
        assert_eq!(
            (p.test_time_s, p.voltage_v, p.current_a),
            (q.test_time_s, q.voltage_v, q.current_a)
        );
        assert_eq!((p.cycle_index, p.step_index), (q.cycle_index, q.step_index));
        assert!((p.timestamp_s.unwrap() - q.timestamp_s.unwrap()).abs() < 1e-3);
    }
    let x = read_cycler_file(repo_data("cycler_xlsx/neware_uio_head.xlsx")).unwrap();
    assert_eq!(x.format, Format::NewareXlsx);
    let c = read_cycler_file(path("neware/neware_uio.csv")).unwrap();
    let (a, b) = (
        &x.time_series().unwrap().records,
        &c.time_series().unwrap().records,
    );
    assert_eq!(a.len(), 400);
    assert_eq!(a[..], b[..400]);
}

/// Values from NewareNDA 2026.6.11 (tools/reference/cycler/neware_reference.py
/// output, kept in tools/reference/cycler/neware_expected.txt): f32 in the
/// file, so compared to 1e-6 relative.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1e-3)
}

#[test]
fn neware_nda_binary() {
    let f = check(
        "neware/TestFile.nda",
        &Facts {
            format: Format::NewareNda,
            rows: 6670,
            cycles: &[1, 2, 3],
            time: ("0", "89611.83"),
            voltage: ("1.72059", "4.20006"),
            first_timestamp: Some(1_716_796_973.97), // 2024-05-27 08:02:53.970 UTC
        },
    );
    use voltai_battery_data::StepKind::*;
    let r = &f.time_series().unwrap().records;
    // Row 668 (NewareNDA): CC_DChg at -3.00095801 A, 3.67141602 Ah discharged.
    let x = r[667];
    assert!(close(x.current_a, -3.000_958_01) && close(x.voltage_v, 2.668_273_93));
    assert!(close(x.discharge_capacity_ah.unwrap(), 3.671_416_02));
    assert!(close(x.temperature_c.unwrap(), 29.804_187_8));
    assert_eq!(
        (x.cycle_index, x.step_index, x.step_kind),
        (1, 2, ConstantCurrent)
    );
    // Steps and their kinds; a new cycle starts at the charge after a discharge.
    let mut steps: Vec<(u32, _, u32)> = r
        .iter()
        .map(|x| (x.step_index, x.step_kind, x.cycle_index))
        .collect();
    steps.dedup();
    assert_eq!(
        steps,
        [
            (1, Rest, 1),
            (2, ConstantCurrent, 1),
            (3, Rest, 1),
            (4, ConstantCurrent, 2),
            (5, ConstantVoltage, 2),
            (6, Rest, 2),
            (7, ConstantCurrent, 2),
            (8, Rest, 2),
            (9, ConstantCurrent, 3),
            (10, ConstantVoltage, 3),
            (11, Rest, 3)
        ]
    );
    assert!(
        r.iter()
            .filter(|x| x.step_index == 7)
            .all(|x| x.current_a < 0.0)
    );
}

#[test]
fn neware_ndax_binary() {
    let small = check(
        "neware/123456789012_Unit27_Example_Data_File.ndax",
        &Facts {
            format: Format::NewareNdax,
            rows: 301,
            cycles: &[1],
            time: ("0", "300"),
            voltage: ("2.9827", "2.98305"),
            first_timestamp: Some(1_731_933_825.422),
        },
    );
    let r = &small.time_series().unwrap().records;
    assert!(
        close(r[99].voltage_v, 2.982_882_5) && close(r[99].temperature_c.unwrap(), 25.316_997_5)
    );
    assert_eq!(small.metadata["neware.barcode"], "123456789012");
    let big = check(
        "neware/20260302_IFE_BTS85_2_9_8_1.ndax",
        &Facts {
            format: Format::NewareNdax,
            rows: 252_951,
            cycles: &[1],
            time: ("0", "252934.031"),
            voltage: ("0.200768", "4.74865"),
            first_timestamp: Some(1_772_187_453.977),
        },
    );
    let r = &big.time_series().unwrap().records;
    // Rows between the sparse run-info entries are filled as NewareNDA fills them.
    for (row, v, i, q, t) in [
        (
            36_156,
            4.729_481_22,
            0.119_665_237,
            1.025_585_82,
            36_150.145,
        ),
        (
            100_000,
            4.748_316_76,
            0.002_779_582_26,
            1.296_260_5,
            99_991.406,
        ),
        (
            252_951,
            4.748_331_07,
            0.001_935_565_23,
            1.390_574_83,
            252_934.031,
        ),
    ] {
        let x = r[row - 1];
        assert!(close(x.voltage_v, v) && close(x.current_a, i), "row {row}");
        assert!(
            close(x.charge_capacity_ah.unwrap(), q),
            "row {row}: {:?}",
            x.charge_capacity_ah
        );
        assert!(
            (x.test_time_s - t).abs() < 1e-5,
            "row {row}: {}",
            x.test_time_s
        );
    }
    let imax = r.iter().map(|x| x.current_a).fold(0.0, f64::max);
    assert!(close(imax, 0.119_665_237));
}

#[test]
fn neware_multi_level_csv() {
    // BTS 7's export interleaves cycle, step and record rows (the layout BEEP
    // reads); records take their cycle and step from the rows above, and test
    // time adds up the step times.
    let text = "\"Cycle ID\",\"Cap_Chg(mAh)\"\n\
        ,\"Step ID\",\"Step Name\",\"DCIR(O)\"\n\
        ,,\"Record ID\",\"Time(h:min:s.ms)\",\"Voltage(V)\",\"Current(mA)\",\"Temperature(C)\",\"Capacitance_Chg(mAh)\",\"Capacitance_DChg(mAh)\",\"Realtime\"\n\
        1,\"10\"\n\
        ,\"1\",\"CC_Chg\",\"0.050\"\n\
        ,,\"1\",\"0:00:00.0\",\"3.50\",\"1000\",\"25\",\"0\",\"0\",\"2019-01-02 10:00:00\"\n\
        ,,\"2\",\"0:00:10.0\",\"3.60\",\"1000\",\"25\",\"10\",\"0\",\"2019-01-02 10:00:10\"\n\
        ,\"2\",\"CC_DChg\",\"0.049\"\n\
        ,,\"3\",\"0:00:05.0\",\"3.55\",\"-1000\",\"25\",\"0\",\"5\",\"2019-01-02 10:00:15\"\n\
        2,\"9\"\n\
        ,\"3\",\"Rest\",\"-\"\n\
        ,,\"4\",\"0:01:00.0\",\"3.40\",\"0\",\"25\",\"0\",\"0\",\"2019-01-02 10:01:15\"\n";
    let dir = std::env::temp_dir().join(format!("voltai_neware_ml_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("multi.csv");
    std::fs::write(&p, text).unwrap();
    let f = read_cycler_file(&p).unwrap();
    assert_eq!(f.format, Format::NewareCsv);
    let r = &f.time_series().unwrap().records;
    use voltai_battery_data::StepKind::*;
    let got: Vec<_> = r
        .iter()
        .map(|x| {
            (
                x.cycle_index,
                x.step_index,
                x.step_kind,
                x.test_time_s,
                x.current_a,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, 1, ConstantCurrent, 0.0, 1.0),
            (1, 1, ConstantCurrent, 10.0, 1.0),
            (1, 2, ConstantCurrent, 15.0, -1.0),
            (2, 3, Rest, 75.0, 0.0)
        ]
    );
    assert_eq!(r[1].charge_capacity_ah, Some(0.01));
    assert_eq!(r[2].discharge_capacity_ah, Some(0.005));
    assert_eq!(r[3].timestamp_s, Some(1_546_423_275.0));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn numbers_in_a_date_column_must_be_unix_seconds() {
    // An Excel serial day (43000.5) in Arbin's DateTime is refused with its
    // place, not read as a date in 1970.
    let csv = "Data_Point,Test_Time,DateTime,Step_Index,Cycle_Index,Current,Voltage\n\
               0,1.0,1494645243.4715,1,1,0.0,3.3\n\
               1,2.0,43000.5,1,1,0.0,3.3\n";
    let e = voltai_battery_data::cycler::read_cycler_text(
        Format::ArbinCsv,
        "serial.csv",
        csv.as_bytes(),
    )
    .unwrap_err();
    match e {
        voltai_core::Error::Parse { line, column, .. } => assert_eq!((line, column), (3, 3)),
        other => panic!("{other:?}"),
    }
}
