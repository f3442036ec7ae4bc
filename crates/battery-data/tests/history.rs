//! Cell histories from raw time series: summaries by integration, the true
//! cycle numbers, errors that name the cell and cycle, and early-life
//! features that survive what real cyclers do to a signal.

use voltai_battery_data::features::{
    DeltaQOptions, FeatureSet, QvCurve, cell_features, severson_features,
};
use voltai_battery_data::readers::SeversonData;
use voltai_battery_data::synthetic::{Sampling, SyntheticCell};
use voltai_battery_data::{CellHistory, CellMetadata, TimeSeries};

const CAPACITY_AH: f64 = 1.1;

fn lfp() -> SyntheticCell {
    SyntheticCell::lfp("synthetic")
}

fn sampling(
    dt: f64,
    dq_dt: f64,
    noise_v: f64,
    quantum_v: f64,
    duplicate_every: usize,
    seed: u64,
) -> Sampling {
    Sampling {
        dt_s: dt,
        dt_s_for_cycles: vec![(10, dq_dt), (100, dq_dt)],
        noise_v,
        quantum_v,
        duplicate_every,
        seed,
    }
}

fn cell(s: &Sampling) -> TimeSeries {
    lfp().time_series(s).expect("valid synthetic settings")
}

fn history(series: TimeSeries) -> CellHistory {
    let meta = CellMetadata {
        cell_id: "synthetic".into(),
        chemistry: Some("LFP".into()),
        nominal_capacity_ah: Some(CAPACITY_AH),
        ..Default::default()
    };
    CellHistory::from_time_series(meta, series).expect("synthetic history")
}

#[test]
fn summaries_integrate_the_current_and_keep_true_cycle_numbers() {
    let clean = sampling(5.0, 5.0, 0.0, 0.0, 0, 1);
    let h = history(cell(&clean));
    assert_eq!(h.cycle_numbers(), (1..=100).collect::<Vec<_>>());
    for c in [1u32, 50, 100] {
        let s = h.cycle(c).unwrap();
        let q = lfp().discharge_capacity(c);
        assert!(
            (s.discharge_capacity_ah.unwrap() - q).abs() < 1e-5,
            "cycle {c}"
        );
        assert!(
            (s.charge_capacity_ah.unwrap() - q).abs() < 1e-5,
            "cycle {c}"
        );
        // Step edges are logged 1 ms apart: the trapezoid rule adds ~1e-6 Ah there.
        assert!((s.coulombic_efficiency.unwrap() - 1.0).abs() < 1e-5);
        // The 4.4 A step from rest at the start of the discharge: |ΔV/ΔI| is
        // the resistance (the rest sample sits at the OCV of a full cell).
        let r = s.internal_resistance_ohm.unwrap();
        let expected = lfp().resistance(c);
        assert!(
            (r - expected).abs() < 1e-3 * expected,
            "cycle {c}: {r} vs {expected}"
        );
        assert!(s.discharge_energy_wh.unwrap() > 2.0 * q);
    }
    // Dropping cycles leaves gaps with their true numbers, and errors name them.
    let mut series = cell(&clean);
    series
        .records
        .retain(|r| r.cycle_index != 50 && r.cycle_index != 51);
    let gappy = history(series);
    assert_eq!(gappy.cycles().len(), 98);
    assert_eq!(gappy.cycle(52).unwrap().cycle_index, 52);
    let err = gappy.cycle(50).unwrap_err().to_string();
    assert!(err.contains("cell synthetic: cycle 50 is missing"), "{err}");
    // A cell stopped at cycle 95 names the cycle its features need.
    let mut series = cell(&clean);
    series.records.retain(|r| r.cycle_index <= 95);
    let err = cell_features(
        &history(series),
        FeatureSet::SeversonDischarge,
        &DeltaQOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("cycle 100 is missing"), "{err}");
    // A cycle with a charge only names its missing discharge.
    let mut series = cell(&clean);
    series
        .records
        .retain(|r| !(r.cycle_index == 10 && r.current_a < 0.0));
    let err = cell_features(
        &history(series),
        FeatureSet::SeversonVariance,
        &DeltaQOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("cycle 10 has no discharge segment"), "{err}");
}

#[test]
fn severson_features_survive_noise_quantisation_and_duplicates() {
    // Clean: 0.2 s steps on the ΔQ cycles, exact voltages. Realistic: 1 Hz
    // everywhere, 1 mV noise, 0.1 mV resolution, every 50th sample twice.
    let clean = sampling(5.0, 0.2, 0.0, 0.0, 0, 1);
    let realistic = sampling(1.0, 1.0, 1e-3, 1e-4, 50, 2);
    let options = DeltaQOptions::default();
    let a = cell_features(&history(cell(&clean)), FeatureSet::SeversonAll, &options).unwrap();
    let b = cell_features(
        &history(cell(&realistic)),
        FeatureSet::SeversonAll,
        &options,
    )
    .unwrap();
    for ((name, x), y) in a.names.iter().zip(&a.values).zip(&b.values) {
        let rel = (x - y).abs() / x.abs();
        assert!(
            rel < 0.02,
            "{name}: clean {x}, realistic {y} ({:.2} %)",
            100.0 * rel
        );
    }
    // Plain interpolation refuses the realistic curve; the robust fit does not.
    let noisy = history(cell(&realistic));
    let records = noisy.cycle_records(10).unwrap();
    let v: Vec<f64> = records
        .iter()
        .filter(|r| r.current_a < 0.0)
        .map(|r| r.voltage_v)
        .collect();
    assert!(
        v.windows(2).any(|w| w[1] >= w[0]),
        "the noisy voltage is not monotonic"
    );
    let curve = noisy.default_discharge_curve(10).unwrap();
    assert!(curve.voltage_v.windows(2).all(|w| w[1] < w[0]));
}

#[test]
fn severson_features_from_histories_match_the_published_csv_path() {
    let Ok(dir) = voltai_battery_data::data_dir::dataset_dir("severson2019_lfp_fastcharge") else {
        panic!("the shared Severson data is needed");
    };
    let data = SeversonData::load(dir).unwrap();
    let mask = Default::default();
    let direct = severson_features(&data, &mask).unwrap();
    let histories = data.histories(&mask).unwrap();
    assert_eq!(histories.len(), direct.len());
    for (h, d) in histories.iter().zip(&direct) {
        let f = cell_features(h, FeatureSet::SeversonAll, &DeltaQOptions::default()).unwrap();
        // The same numbers, bit for bit: the histories carry the data set's
        // own Q(V) grid, so nothing is re-interpolated.
        for (x, y) in f.values.iter().zip(d.values()) {
            assert_eq!(x.to_bits(), y.to_bits(), "{}", h.cell_id());
        }
        assert_eq!(h.cycle_numbers().first(), Some(&2));
    }
    // A grid curve must be monotonic in voltage.
    assert!(QvCurve::from_grid(&[3.0, 3.1, 3.05], &[0.0, 0.1, 0.2]).is_err());
}
