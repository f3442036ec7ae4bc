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
    attia_replay_with(seeds, &ReplaySettings::default())
}

/// The batch replay: rounds of `batch` protocols at once (as a lab with
/// `batch` channels runs them; the batch's picks by the kriging believer),
/// and how many rounds until a round holds a top-5 protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchReplay {
    /// Protocols per round.
    pub batch: usize,
    /// Per seed: rounds until a top-5 protocol is in a round.
    pub rounds: Vec<usize>,
    /// Expected rounds of random choice without replacement.
    pub random_expected: f64,
}

/// Replays the campaign in rounds of `batch` with seeds `0..seeds` (one
/// round of random protocols, then rounds of log-EI picks).
pub fn attia_batch_replay(seeds: u64, batch: usize) -> Result<BatchReplay> {
    let settings = ReplaySettings {
        n_initial: batch,
        batch,
        ..ReplaySettings::default()
    };
    let r = attia_replay_with(seeds, &settings)?;
    let rounds = r.evaluations.iter().map(|e| e.div_ceil(batch)).collect();
    Ok(BatchReplay {
        batch,
        rounds,
        random_expected: random_rounds_to_hit(r.protocols, 5, batch),
    })
}

/// Expected rounds of `batch` draws without replacement from `n` items until
/// one of `good` is drawn: Σ_r P(no good item in the first r·batch draws).
pub fn random_rounds_to_hit(n: usize, good: usize, batch: usize) -> f64 {
    let mut expected = 0.0;
    let mut r = 0;
    loop {
        let drawn = r * batch;
        if drawn > n - good {
            break;
        }
        // P(the first `drawn` draws miss every good item) = Π (n−good−i)/(n−i).
        let p: f64 = (0..drawn)
            .map(|i| (n - good - i) as f64 / (n - i) as f64)
            .product();
        expected += p;
        r += 1;
    }
    expected
}

fn attia_replay_with(seeds: u64, settings: &ReplaySettings) -> Result<BoReplay> {
    let data = AttiaData::load(dataset_dir("attia2020_closed_loop_fastcharge")?)?;
    let protocols = Array2::from_shape_fn((data.clo_estimated.len(), 4), |(i, j)| {
        data.clo_estimated[i].protocol[j]
    });
    let lives: Vec<f64> = data.clo_estimated.iter().map(|p| p.cycle_life).collect();
    let evaluations = (0..seeds)
        .map(|seed| evaluations_to_top_k(protocols.view(), &lives, 5, settings, seed))
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
