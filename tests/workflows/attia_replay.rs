//! Replay of the Attia et al. 2020 closed-loop study: over the 224 published
//! fast-charging protocols, with the published CLO lifetimes as the
//! objective, how many evaluations does the optimiser need to first pick a
//! top-5 protocol? (Issue #6: median ≤ 15 over 20 seeds, worst ≤ 25; issue
//! #19 asks for ≤ 9 and ≤ 15. The default replay settings, chosen on seeds
//! 100–499, reach a median of 9 and a worst of 12 on these seeds; random
//! choice needs 225/6 ≈ 37.5 on average.)
#![cfg(all(feature = "battery-data", feature = "discovery"))]

use voltai::battery_data::data_dir::dataset_dir;
use voltai::battery_data::readers::AttiaData;
use voltai::discovery::bo::replay::{ReplaySettings, evaluations_to_top_k};

#[test]
fn optimiser_finds_a_top_five_protocol_quickly() {
    let data = AttiaData::load(dataset_dir("attia2020_closed_loop_fastcharge").unwrap()).unwrap();
    let protocols = ndarray::Array2::from_shape_fn((data.clo_estimated.len(), 4), |(i, j)| {
        data.clo_estimated[i].protocol[j]
    });
    let lives: Vec<f64> = data.clo_estimated.iter().map(|p| p.cycle_life).collect();
    let settings = ReplaySettings::default();
    let counts: Vec<usize> = (0..20)
        .map(|seed| evaluations_to_top_k(protocols.view(), &lives, 5, &settings, seed).unwrap())
        .collect();
    let mut sorted = counts.clone();
    sorted.sort();
    let median = 0.5 * (sorted[9] + sorted[10]) as f64;
    eprintln!("evaluations to a top-5 protocol per seed: {counts:?}; median {median}");
    assert!(median <= 9.0, "median {median}: {counts:?}");
    assert!(sorted[19] <= 15, "worst {}: {counts:?}", sorted[19]);
}

#[test]
fn random_rounds_have_a_closed_form_and_batches_beat_them() {
    use voltai::studies::bo_replay::{attia_batch_replay, random_rounds_to_hit};
    // One draw per round: (n + 1) / (good + 1).
    assert!((random_rounds_to_hit(224, 5, 1) - 225.0 / 6.0).abs() < 1e-9);
    // Everything in one round: found in the first.
    assert!((random_rounds_to_hit(10, 2, 10) - 1.0).abs() < 1e-12);
    let r = attia_batch_replay(6, 8).unwrap();
    assert_eq!(r.rounds.len(), 6);
    let mean = r.rounds.iter().sum::<usize>() as f64 / 6.0;
    assert!(
        mean < r.random_expected,
        "{:?} vs random {}",
        r.rounds,
        r.random_expected
    );
}
