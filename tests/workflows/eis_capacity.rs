//! Capacity from EIS on the Zhang 2020 cells, the paper's protocol (train
//! 25C01–04 with the authors' labels, test 25C05; the paper reports R²
//! 0.88) with the paper's kernel (ARD on the 120 standardised Re/Im inputs,
//! plus a linear term), on every eighth training spectrum to keep the test
//! short: on the unseen cell the fit explains the capacity at least as well
//! as the paper's, and its own 95 % intervals cover between 85 % and 99 %
//! of the spectra.
#![cfg(all(feature = "battery-data", feature = "gp"))]

use voltai::core::Result;
use voltai::studies::eis_capacity::{EisModel, EisProtocol, ModelChoice, eis_capacity};

#[test]
fn paper_protocol_on_an_unseen_cell() -> Result<()> {
    let r = eis_capacity(
        EisProtocol::Paper,
        8,
        ModelChoice::Fixed(EisModel::SpectralArd),
    )?;
    assert_eq!(r.model, EisModel::SpectralArd);
    assert_eq!(r.loco_rmse_mah.len(), 1);
    assert_eq!(r.n_train, 87);
    let cell = &r.scores[0];
    assert_eq!((cell.cell.as_str(), cell.n), ("25C05", 275));
    assert!(cell.r2 >= 0.88, "R² {}", cell.r2);
    assert!(cell.rmse_mah < 2.6, "RMSE {} mAh", cell.rmse_mah);
    assert!(
        (0.85..=0.99).contains(&cell.coverage_gp),
        "coverage {}",
        cell.coverage_gp
    );
    // 120 inputs, relevance positive and finite.
    assert_eq!(r.relevance.len(), 120);
    assert!(r.relevance.iter().all(|w| w.is_finite() && *w > 0.0));
    Ok(())
}
