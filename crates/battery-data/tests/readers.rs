//! The real-data readers against the counts and values documented in each folder's README.

use voltai_battery_data::data_dir::dataset_dir;
use voltai_battery_data::features::{CycleLife, cycle_life, eis_features};
use voltai_battery_data::readers::{
    AttiaData, ChenData, Zhang2020Labels, read_arbin, read_gasper2022, read_zhang2020,
    read_zhang2020_with,
};
use voltai_battery_data::validate::{Rules, validate_cycles, validate_time_series};

#[test]
fn attia_folder_loads_with_documented_counts() {
    let a = AttiaData::load(dataset_dir("attia2020_closed_loop_fastcharge").unwrap()).unwrap();
    assert_eq!(a.protocol_space.dim(), (224, 4));
    assert_eq!(a.clo_estimated.len(), 224);
    assert_eq!(a.clo_estimated[0].protocol, [4.8, 5.2, 5.2, 4.16]);
    assert_eq!(a.clo_estimated[0].cycle_life, 1185.0);
    let per_round: Vec<usize> = (0..4)
        .map(|r| {
            a.early_predictions
                .iter()
                .filter(|p| p.round == Some(r))
                .count()
        })
        .collect();
    assert_eq!(per_round, vec![45, 46, 47, 47]);
    assert_eq!(a.validation_cells.len(), 45);
    let missing: Vec<&str> = a
        .validation_cells
        .iter()
        .filter(|c| c.early_predicted_cycle_life.is_none())
        .map(|c| c.cell_id.as_str())
        .collect();
    assert_eq!(missing, vec!["val_p1_r2"]);
    assert_eq!(a.trajectories.len(), 35_313);
    // README: for 42 of 45 cells, #cycles with Q > 0.88 Ah = observed life − 1,
    // i.e. our cycle_life (first cycle below 0.88 Ah) equals the observed life.
    let mut exact = 0;
    for c in &a.validation_cells {
        let rows: Vec<_> = a
            .trajectories
            .iter()
            .filter(|r| r.cell_id == c.cell_id)
            .collect();
        let cyc: Vec<u32> = rows.iter().map(|r| r.cycle_index).collect();
        let q: Vec<Option<f64>> = rows.iter().map(|r| r.discharge_capacity_ah).collect();
        if let CycleLife::Reached(l) = cycle_life(&cyc, &q, 1.1, 0.8).unwrap() {
            let above = q.iter().flatten().filter(|&&v| v > 0.88).count() as f64;
            if above == c.observed_cycle_life - 1.0 {
                exact += 1;
                assert!((l as f64 - c.observed_cycle_life).abs() <= 3.0);
            }
        }
    }
    assert_eq!(exact, 42);
}

#[test]
fn raw_arbin_export_parses_with_blank_columns() {
    let dir = dataset_dir("attia2020_closed_loop_fastcharge").unwrap();
    let ts = read_arbin(dir.join("arbin_gitt_aged_CH34.csv"), "EL150800460480").unwrap();
    assert_eq!(ts.records.len(), 18_996);
    let first = ts.records[0];
    assert_eq!(first.test_time_s, 0.1173);
    assert_eq!(first.step_index, 2);
    assert_eq!(first.current_a, -1.1002645);
    assert_eq!(first.voltage_v, 1.9993086);
    assert_eq!(first.discharge_capacity_ah, Some(0.029321309));
    assert!((first.temperature_c.unwrap() - 23.688360942391668).abs() < 1e-12);
    assert!(
        validate_time_series(&ts, None, &Rules::default())
            .unwrap()
            .is_clean()
    );
}

#[test]
fn chen_cells_and_ce_outliers() {
    let c = ChenData::load(dataset_dir("chen_nmc_pouch_aging_modes").unwrap()).unwrap();
    assert_eq!(c.cells.len(), 44);
    assert_eq!(c.cycles.len(), 24_525);
    assert_eq!(c.cells[0].chemistry.as_deref(), Some("NMC532/graphite"));
    // "P462 (NMC532, high load)": loading parsed once, in the reader.
    assert_eq!(
        c.cells[0].tags.get("loading").map(String::as_str),
        Some("high")
    );
    assert!(c.cells.iter().all(|m| matches!(
        m.tags.get("loading").map(String::as_str),
        Some("low" | "moderate" | "high")
    )));
    // Histories keep every cell in order, with its cycles.
    let h = c.histories().unwrap();
    assert_eq!(h.len(), 44);
    assert_eq!(h.iter().map(|h| h.cycles().len()).sum::<usize>(), 24_525);
    let labelled = c
        .cells
        .iter()
        .filter(|m| m.tags.contains_key("major_aging_mode"))
        .count();
    assert_eq!(labelled, 28);
    // CE is stored as a fraction; README: range 36.9 % – 103.9 %.
    let ce: Vec<f64> = c
        .cycles
        .iter()
        .filter_map(|r| r.coulombic_efficiency)
        .collect();
    let (lo, hi) = ce
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    assert!((lo - 0.3693706).abs() < 1e-9 && (hi - 1.039092).abs() < 1e-9);
    let report = validate_cycles(&c.cycles, &|_| None, &Rules::default()).unwrap();
    let ce_issues: Vec<f64> = report
        .issues
        .iter()
        .filter(|i| i.field == "coulombic_efficiency")
        .map(|i| i.value)
        .collect();
    // The four values outside [0.90, 1.02]: 36.9 %, 102.09 %, 102.17 %, 103.91 %.
    assert_eq!(ce_issues.len(), 4, "{ce_issues:?}");
    assert!(ce_issues.iter().any(|&v| (v - 0.3693706).abs() < 1e-9));
}

#[test]
fn zhang_spectra_join_capacity_labels() {
    let s = read_zhang2020(dataset_dir("zhang2020_lco_eis").unwrap()).unwrap();
    let points: usize = s.iter().map(|x| x.len()).sum();
    assert_eq!(points, 167_276);
    assert!(s.iter().all(|x| x.len() == 60 || x.len() == 59));
    let labelled = s.iter().filter(|x| x.state.capacity_ah.is_some()).count();
    assert_eq!(labelled, 2_237);
    let first = &s[0];
    assert_eq!(first.cell_id, "25C01");
    assert!((first.state.capacity_ah.unwrap() - 0.03720271).abs() < 1e-12);
    assert_eq!(first.state.soh, Some(1.0));
    let f = eis_features(first, &[1000.0, 1.0]).unwrap();
    let r0 = f.hf_intercept_ohm.unwrap();
    // Im(Z) changes sign between the 2nd and 3rd highest frequencies; the
    // intercept lies between their real parts.
    assert!(r0 > 0.38 && r0 < 0.45, "intercept {r0}");
    assert!(f.arc_width_ohm.unwrap() > 0.0);
    assert!(
        f.phase_deg.iter().all(|p| *p < 0.0),
        "capacitive at 1 kHz and 1 Hz"
    );
}

/// The two label sources swap 25C02 and 25C03 (data README); the default
/// pairs raw 25C02 with the authors' series, which starts at 36.7717 mAh.
#[test]
fn zhang_label_sources() {
    let dir = dataset_dir("zhang2020_lco_eis").unwrap();
    let cap = |s: &[voltai_battery_data::EisSpectrum], cell: &str, cycle: u32| {
        s.iter()
            .find(|x| x.cell_id == cell && x.state.cycle == Some(cycle))
            .and_then(|x| x.state.capacity_ah)
            .unwrap()
    };
    let authors = read_zhang2020(&dir).unwrap();
    let tutorial = read_zhang2020_with(&dir, Zhang2020Labels::Tutorial).unwrap();
    assert!((cap(&authors, "25C02", 1) - 0.0367717).abs() < 1e-12);
    assert!((cap(&tutorial, "25C02", 1) - 0.03506084).abs() < 1e-12);
    assert!((cap(&authors, "25C03", 1) - 0.03506084).abs() < 1e-12);
    assert!((cap(&tutorial, "25C03", 1) - 0.0367717).abs() < 1e-12);
    // Where the sources agree, so do the readings.
    for (cell, cycle) in [("25C01", 7), ("25C04", 30), ("25C05", 100), ("35C02", 5)] {
        assert_eq!(cap(&authors, cell, cycle), cap(&tutorial, cell, cycle));
    }
    let labelled = |s: &[voltai_battery_data::EisSpectrum]| {
        s.iter().filter(|x| x.state.capacity_ah.is_some()).count()
    };
    assert_eq!(labelled(&authors), labelled(&tutorial));
}

#[test]
fn gasper_wide_table() {
    let s = read_gasper2022(
        dataset_dir("gasper2022_nmc_eis_temp_soc")
            .unwrap()
            .join("data.csv"),
    )
    .unwrap();
    assert_eq!(s.len(), 467);
    assert!(s.iter().all(|x| x.len() == 69));
    assert_eq!(s.iter().filter(|x| x.tags["is_test"] == "1").count(), 108);
    let mut series: Vec<&str> = s.iter().map(|x| x.cell_id.as_str()).collect();
    series.sort();
    series.dedup();
    assert_eq!(series.len(), 31);
    assert_eq!(s[0].frequency_hz[0], 3.2e4);
    assert_eq!(s[0].z_real_ohm[0], 0.0013636);
}
