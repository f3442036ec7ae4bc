//! Refits the shipped models on the shared Severson data and writes
//! `crates/life/models/*.json` (run after any change that moves them; the
//! `shipped` test fails until the files match a refit).
//!
//! ```text
//! cargo run -p voltai-life --example write_shipped_models
//! ```

use voltai_battery_data::data_dir::dataset_dir;
use voltai_battery_data::features::FeatureSet;
use voltai_battery_data::readers::SeversonData;
use voltai_core::persist::Persist;
use voltai_life::severson::fit_severson_model;

fn main() -> voltai_core::Result<()> {
    let data = SeversonData::load(dataset_dir("severson2019_lfp_fastcharge")?)?;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    for set in [FeatureSet::SeversonDischarge, FeatureSet::SeversonVariance] {
        let fit = fit_severson_model(&data, set)?;
        let path = dir.join(format!("{}.json", fit.model.name));
        fit.model.save(&path)?;
        println!(
            "{}: α = {:e}, L1 ratio {}",
            path.display(),
            fit.cv.alpha,
            fit.cv.l1_ratio
        );
        for s in &fit.scores {
            println!(
                "  {:?}: RMSE {:.1} cycles, MAPE {:.2} %, interval coverage {:.2}",
                s.split, s.rmse_cycles, s.mape_percent, s.interval_coverage
            );
        }
    }
    Ok(())
}
