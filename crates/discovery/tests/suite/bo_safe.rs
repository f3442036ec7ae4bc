//! Safe mode on the synthetic fast-charging problem (issue #6): over 10
//! seeds no proposal exceeds the temperature limit, and after 80 safe
//! evaluations from one known-safe slow protocol the best safe charging time
//! is within 5 % of the true safe optimum.

use ndarray::{Array1, array};
use voltai_discovery::bo::benchmarks::fast_charge::{BOUNDS, charge_time_min, peak_temperature_c};
use voltai_discovery::bo::{BayesOptParams, Constraint, Goal, SearchSpace};

const LIMIT: f64 = 40.0;

/// The true safe optimum by a dense grid (0.02 C, 0.005 SOC, 0.02 C).
fn safe_optimum() -> f64 {
    let mut best = f64::INFINITY;
    for a in 0..=250 {
        let i1 = 1.0 + 0.02 * a as f64;
        for b in 0..=120 {
            let s = 0.1 + 0.005 * b as f64;
            for c in 0..=125 {
                let i2 = 0.5 + 0.02 * c as f64;
                let x = array![i1, s, i2];
                if peak_temperature_c(x.view()) <= LIMIT {
                    best = best.min(charge_time_min(x.view()));
                }
            }
        }
    }
    best
}

/// The grid search runs once for both halves of the seeds.
fn optimum() -> f64 {
    static OPTIMUM: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *OPTIMUM.get_or_init(safe_optimum)
}

// The ten seeds in two tests, which the harness runs side by side.
#[test]
fn safe_mode_never_proposes_an_unsafe_protocol_seeds_0_to_4() {
    check_seeds(0..5);
}

#[test]
fn safe_mode_never_proposes_an_unsafe_protocol_seeds_5_to_9() {
    check_seeds(5..10);
}

fn check_seeds(seeds: std::ops::Range<u64>) {
    let optimum = optimum();
    let seed_point = [1.0, 0.3, 0.5];
    let mut worst_gap: f64 = 0.0;
    for seed in seeds {
        let mut opt = BayesOptParams::new(SearchSpace::continuous(&BOUNDS).unwrap())
            .goal(Goal::Minimize)
            .constraint(Constraint::at_most("peak temperature", LIMIT).unwrap())
            .unwrap()
            .safe_mode(0.01)
            .unwrap()
            .seed(seed)
            .build()
            .unwrap();
        let x0 = Array1::from(seed_point.to_vec());
        opt.tell_one(
            &seed_point,
            charge_time_min(x0.view()),
            &[peak_temperature_c(x0.view())],
        )
        .unwrap();
        for _ in 0..80 {
            let x = opt.ask(1).unwrap();
            let t = peak_temperature_c(x.row(0));
            assert!(t <= LIMIT, "seed {seed}: proposed {x} with peak {t:.2} °C");
            opt.tell_one(&x.row(0).to_vec(), charge_time_min(x.row(0)), &[t])
                .unwrap();
        }
        let best = opt.best().unwrap().y;
        let gap = best / optimum - 1.0;
        eprintln!(
            "seed {seed}: best safe time {best:.3} min vs optimum {optimum:.3} ({:.2} %)",
            100.0 * gap
        );
        worst_gap = worst_gap.max(gap);
        assert!(opt.safe_set().unwrap().nrows() > 0);
    }
    assert!(worst_gap <= 0.05, "worst gap {worst_gap}");
}
