//! Capacity from EIS on the Zhang 2020 cells, the paper's protocol (train
//! 25C01–04, test 25C05; the paper reports R² 0.88), on every eighth
//! training spectrum to keep the test short: leave-one-cell-out on the
//! training cells prefers the model with a cell random effect, and on the
//! unseen cell the fit explains most of the capacity with 95 % intervals
//! that cover at least 85 % of its spectra.
#![cfg(all(feature = "battery-data", feature = "gp"))]

use voltai::core::Result;
use voltai::studies::eis_capacity::{EisModel, EisProtocol, ModelChoice, eis_capacity};

#[test]
fn paper_protocol_on_an_unseen_cell() -> Result<()> {
    let r = eis_capacity(EisProtocol::Paper, 8, ModelChoice::LeaveOneCellOut)?;
    assert_eq!(r.model, EisModel::SpectralWithCellEffect);
    assert!(r.loco_rmse_mah[1] < r.loco_rmse_mah[0]);
    let cell = &r.scores[0];
    assert_eq!((cell.cell.as_str(), cell.n), ("25C05", 275));
    assert!(cell.r2 > 0.8, "R² {}", cell.r2);
    assert!(cell.rmse_mah < 3.5, "RMSE {} mAh", cell.rmse_mah);
    assert!(cell.coverage_gp >= 0.85, "coverage {}", cell.coverage_gp);
    // 120 inputs, relevance positive and finite.
    assert_eq!(r.relevance.len(), 120);
    assert!(r.relevance.iter().all(|w| w.is_finite() && *w > 0.0));
    Ok(())
}
