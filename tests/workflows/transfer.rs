//! The LFP → NMC transfer study in quick mode: the protocol's bookkeeping
//! (cells per split, windows per source cell, nothing frozen that the CKA
//! ranking forbids) and its determinism.
#![cfg(all(feature = "battery-data", feature = "neural"))]

use voltai::battery_data::data_dir::dataset_dir;
use voltai::battery_data::readers::AttiaData;
use voltai::core::Result;
use voltai::neural::trajectories::CellSeries;
use voltai::neural::transfer::freeze_candidates;
use voltai::studies::transfer::{TransferSettings, WINDOWING, transfer_study};

#[test]
fn transfer_study_keeps_its_protocol_and_repeats_exactly() -> Result<()> {
    let settings = TransferSettings::quick();
    let report = transfer_study(&settings, &mut |_| {})?;
    assert_eq!((report.source_cells, report.target_cells), (45, 44));
    // Windows start every 100 cycles while 100 observed cycles and one
    // 10-cycle step fit, in each cell read at 1×, 2× and 3× speed.
    let mut expected = 0;
    for h in AttiaData::load(dataset_dir("attia2020_closed_loop_fastcharge")?)?.histories()? {
        let n = CellSeries::from_history(&h)?.0.capacity.len();
        for k in [1, 2, 3] {
            let len = n.div_ceil(k);
            if len >= WINDOWING.window + WINDOWING.stride {
                expected += (len - WINDOWING.window - WINDOWING.stride) / 100 + 1;
            }
        }
    }
    assert_eq!(report.source_windows, expected);
    assert_eq!(report.draws.len(), 1);
    let d = &report.draws[0];
    // 10 % of 44 cells rounds up to 5; the other 39 are the test set.
    assert_eq!((d.train_cells, d.test_cells), (5, 39));
    assert!(
        d.test_rmse
            .iter()
            .all(|r| r.is_finite() && *r > 0.0 && *r < 20.0)
    );
    assert!(freeze_candidates(&d.cka).contains(&d.frozen));
    // Each learning rate the validation cell chose is one of those tried.
    for rate in d.learning_rates {
        assert!(settings.target_learning_rates.contains(&rate), "{rate}");
    }
    for s in d.cka.iter().chain(&d.cka_floor) {
        assert!(s.cka <= 1.0 + 1e-9, "{s:?}");
    }
    let again = transfer_study(&settings, &mut |_| {})?;
    assert_eq!(again, report);
    Ok(())
}
