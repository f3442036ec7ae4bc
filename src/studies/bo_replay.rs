//! Choosing the next fast-charging experiment: the Attia et al. 2020
//! closed-loop campaign replayed over its published protocol lifetimes.

use ndarray::Array2;
use voltai_battery_data::data_dir::dataset_dir;
use voltai_battery_data::readers::AttiaData;
use voltai_core::Result;
use voltai_discovery::bo::replay::{ReplaySettings, evaluations_to_top_k};

/// What [`attia_replay`] finds.
#[derive(Debug, Clone, PartialEq)]
pub struct BoReplay {
    /// Per seed: evaluations GP + log-EI needs to first pick one of the 5
    /// protocols with the longest published lives.
    pub evaluations: Vec<usize>,
    /// Protocols in the campaign.
    pub protocols: usize,
    /// Median of `evaluations`.
    pub median: f64,
    /// Expected evaluations of random choice without replacement,
    /// (protocols + 1) / 6.
    pub random_expected: f64,
}

/// Replays the campaign with seeds `0..seeds` (default settings: 4 random
/// starts, then one log-EI pick per round).
pub fn attia_replay(seeds: u64) -> Result<BoReplay> {
    let data = AttiaData::load(dataset_dir("attia2020_closed_loop_fastcharge")?)?;
    let protocols = Array2::from_shape_fn((data.clo_estimated.len(), 4), |(i, j)| {
        data.clo_estimated[i].protocol[j]
    });
    let lives: Vec<f64> = data.clo_estimated.iter().map(|p| p.cycle_life).collect();
    let evaluations = (0..seeds)
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
    let mut sorted = evaluations.clone();
    sorted.sort_unstable();
    let n = sorted.len();
    let median = match n {
        0 => f64::NAN,
        _ if n % 2 == 0 => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]) as f64,
        _ => sorted[n / 2] as f64,
    };
    Ok(BoReplay {
        evaluations,
        protocols: protocols.nrows(),
        median,
        random_expected: (protocols.nrows() as f64 + 1.0) / 6.0,
    })
}
