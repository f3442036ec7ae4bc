//! The Attia et al. 2020 cells: (with the `discovery` feature) the
//! Bayesian-optimisation replay over the published protocols.

use ndarray::Array2;
use voltai::core::Result;

#[cfg(feature = "discovery")]
/// The Attia et al. 2020 replay: for each seed, the evaluations GP + log-EI
/// needs to first pick one of the 5 protocols with the longest published
/// lives; also returns the number of protocols.
pub fn attia_replay(seeds: u64) -> Result<(Vec<usize>, usize)> {
    use voltai::battery_data::data_dir::dataset_dir;
    use voltai::battery_data::readers::AttiaData;
    use voltai::discovery::bo::replay::{ReplaySettings, evaluations_to_top_k};
    let data = AttiaData::load(dataset_dir("attia2020_closed_loop_fastcharge")?)?;
    let protocols = Array2::from_shape_fn((data.clo_estimated.len(), 4), |(i, j)| {
        data.clo_estimated[i].protocol[j]
    });
    let lives: Vec<f64> = data.clo_estimated.iter().map(|p| p.cycle_life).collect();
    let counts = (0..seeds)
        .map(|seed| {
            evaluations_to_top_k(
                protocols.view(),
                &lives,
                5,
                &ReplaySettings::default(),
                seed,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((counts, protocols.nrows()))
}
