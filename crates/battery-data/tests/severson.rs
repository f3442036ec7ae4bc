//! Severson 2019: features reproduce the shared reference table, the paper's
//! "variance" model reproduces Table 1, and validation finds the four glitches.

use std::collections::BTreeMap;

use voltai_battery_data::data_dir::dataset_dir;
use voltai_battery_data::features::{SeversonFeatures, severson_dataset, severson_features};
use voltai_battery_data::readers::{SEVERSON_NOMINAL_AH, SeversonData, SeversonSplit};
use voltai_battery_data::table::Table;
use voltai_battery_data::validate::{Rules, validate_cycles};
use voltai_core::metrics::{mape, rmse};
use voltai_core::stats::Line;

fn load() -> SeversonData {
    SeversonData::load(dataset_dir("severson2019_lfp_fastcharge").unwrap()).unwrap()
}

/// The reference features as stored in `features_first100cycles.csv`.
fn reference() -> BTreeMap<String, BTreeMap<String, f64>> {
    let path = dataset_dir("severson2019_lfp_fastcharge")
        .unwrap()
        .join("features_first100cycles.csv");
    let mut t = Table::open(&path).unwrap();
    let id = t.column("cell_id").unwrap();
    let cols: Vec<(String, usize)> = SeversonFeatures::NAMES
        .iter()
        .map(|n| (n.to_string(), t.column(n).unwrap()))
        .collect();
    let mut out = BTreeMap::new();
    while let Some(row) = t.next_row() {
        let row = row.unwrap();
        let vals = cols
            .iter()
            .map(|(n, c)| (n.clone(), row.num(*c).unwrap()))
            .collect();
        out.insert(row.text(id).unwrap().to_string(), vals);
    }
    out
}

#[test]
fn loads_124_cells_in_the_papers_splits() {
    let d = load();
    assert_eq!(d.cells.len(), 124);
    let count = |s| d.cells.iter().filter(|c| c.split == s).count();
    assert_eq!(count(SeversonSplit::Train), 41);
    assert_eq!(count(SeversonSplit::PrimaryTest), 43);
    assert_eq!(count(SeversonSplit::SecondaryTest), 40);
    assert_eq!(d.voltage_v.len(), 1000);
    assert!((d.voltage_v[0] - 3.6).abs() < 1e-12 && (d.voltage_v[999] - 2.0).abs() < 1e-12);
    assert_eq!(d.cycles.first(), Some(&2));
    assert_eq!(d.cycles.last(), Some(&100));
    assert_eq!(d.q_at_2v_ah.dim(), (99, 124));
}

#[test]
fn features_match_reference_table_to_1e6_relative() {
    let d = load();
    let ours = severson_features(&d, &Default::default()).unwrap();
    let reference = reference();
    assert_eq!(ours.len(), reference.len());
    let mut worst = 0.0f64;
    for f in &ours {
        let r = &reference[&f.cell_id];
        for (name, v) in SeversonFeatures::NAMES.iter().zip(f.values()) {
            let want = r[*name];
            // Pure relative error (the floor only guards an exact zero).
            let err = (v - want).abs() / want.abs().max(1e-12);
            worst = worst.max(err);
            assert!(
                err < 1e-6,
                "{} {name}: ours {v}, reference {want}",
                f.cell_id
            );
        }
    }
    assert!(worst < 1e-6);
}

#[test]
fn variance_model_reproduces_severson_table_1() {
    let d = load();
    let feats = severson_features(&d, &Default::default()).unwrap();
    let data = severson_dataset(&d, &feats, &SeversonFeatures::VARIANCE_MODEL).unwrap();
    let x = data.features().column(0).to_vec();
    let y = data.targets().unwrap().to_vec();
    let train: Vec<usize> = (0..d.cells.len())
        .filter(|&i| d.cells[i].split == SeversonSplit::Train)
        .collect();
    let line = Line::fit(
        &train.iter().map(|&i| x[i]).collect::<Vec<_>>(),
        &train.iter().map(|&i| y[i]).collect::<Vec<_>>(),
    )
    .unwrap();
    let expected = [
        (SeversonSplit::Train, 104.0, 14.1),
        (SeversonSplit::PrimaryTest, 138.0, 14.7),
        (SeversonSplit::SecondaryTest, 196.0, 11.4),
    ];
    for (split, want_rmse, want_mape) in expected {
        let idx: Vec<usize> = (0..d.cells.len())
            .filter(|&i| d.cells[i].split == split)
            .collect();
        let life: ndarray::Array1<f64> =
            idx.iter().map(|&i| d.cells[i].cycle_life as f64).collect();
        let pred: ndarray::Array1<f64> = idx.iter().map(|&i| 10f64.powf(line.eval(x[i]))).collect();
        let r = rmse(life.view(), pred.view()).unwrap();
        let m = mape(life.view(), pred.view()).unwrap();
        assert!(
            (r - want_rmse).abs() <= 1.0,
            "{split:?}: RMSE {r} vs {want_rmse}"
        );
        assert!(
            (m - want_mape).abs() <= 0.1,
            "{split:?}: MAPE {m} vs {want_mape}"
        );
    }
}

#[test]
fn validation_finds_exactly_the_four_glitches_and_masking_fixes_features() {
    let d = load();
    let cycles = d.cycle_summaries();
    let report =
        validate_cycles(&cycles, &|_| Some(SEVERSON_NOMINAL_AH), &Rules::default()).unwrap();
    let mut found: Vec<(String, u32)> = report
        .issues
        .iter()
        .map(|i| (i.cell_id.clone(), i.cycle.unwrap()))
        .collect();
    found.sort();
    let want = [
        ("test1_cell03", 12),
        ("test1_cell09", 13),
        ("train_cell02", 12),
        ("train_cell09", 13),
    ];
    assert_eq!(
        found,
        want.iter()
            .map(|(c, k)| (c.to_string(), *k))
            .collect::<Vec<_>>()
    );
    for i in &report.issues {
        assert!((30.9..31.1).contains(&i.value), "{i:?}");
    }
    let masked = severson_features(&d, &report.mask()).unwrap();
    for f in &masked {
        assert!(
            f.q_max_minus_q2_ah < 0.1,
            "{} still inflated: {}",
            f.cell_id,
            f.q_max_minus_q2_ah
        );
    }
    let mut cycles = cycles;
    assert_eq!(report.apply_to_cycles(&mut cycles), 4);
}

/// QdLinear through the cell-history route equals Q₁₀₀(V) − Q₁₀(V) read
/// straight from the shared CSVs, point by point, for every cell; its
/// subsample and names follow the grid; its variance is the published
/// `log10_abs_var_dq`.
#[test]
fn qdlinear_from_histories_equals_the_shared_curves() {
    use voltai_battery_data::features::{DeltaQOptions, qdlinear};
    let data = load();
    let dir = dataset_dir("severson2019_lfp_fastcharge").unwrap();
    // One column per cell, one row per grid voltage.
    let read = |name: &str| {
        let mut t = Table::open(&dir.join(name)).unwrap();
        let headers = t.headers().to_vec();
        let mut columns: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        while let Some(row) = t.next_row() {
            let row = row.unwrap();
            for (c, h) in headers.iter().enumerate() {
                columns
                    .entry(h.clone())
                    .or_default()
                    .push(row.num(c).unwrap());
            }
        }
        columns
    };
    let (q10, q100) = (read("qdlin_cycle10.csv"), read("qdlin_cycle100.csv"));
    let histories = data.histories(&Default::default()).unwrap();
    let published = reference();
    for (cell, history) in data.cells.iter().zip(&histories) {
        let curve = qdlinear(history, &DeltaQOptions::default()).unwrap();
        let (a, b) = (&q10[&cell.cell_id], &q100[&cell.cell_id]);
        assert_eq!(curve.delta_q_ah.len(), 1000);
        for k in 0..1000 {
            assert_eq!(curve.delta_q_ah[k], b[k] - a[k], "{} at {k}", cell.cell_id);
        }
        let n = 1000.0;
        let mean = curve.delta_q_ah.iter().sum::<f64>() / n;
        let var = curve
            .delta_q_ah
            .iter()
            .map(|v| (v - mean).powi(2))
            .sum::<f64>()
            / n;
        let want = published[&cell.cell_id]["log10_abs_var_dq"];
        assert!(
            (var.log10() - want).abs() < 1e-9 * want.abs(),
            "{}",
            cell.cell_id
        );
        let sub = curve.every(10).unwrap();
        assert_eq!(sub.delta_q_ah.len(), 100);
        assert_eq!(sub.delta_q_ah[3], curve.delta_q_ah[30]);
        let named = sub.named(&cell.cell_id);
        assert_eq!(named.names[0], "dq_3.6000V");
        assert_eq!(named.values, sub.delta_q_ah);
    }
    assert_eq!(histories[0].cell_id(), data.cells[0].cell_id);
}
