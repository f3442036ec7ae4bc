//! The estimator contract for the causal effect estimator.
//!
//! `Estimator` is not a params → fitted-model pair: it turns data and a
//! choice of treatment, outcome and adjustment set into an `Estimate` (a
//! value), with nothing left to predict from. So instead of
//! `voltai_core::contract::check_model` (which scores a fitted model's
//! predictions) it is held here to the same rules in its own shape, for
//! every `Method`: bad input gives an `Error`, never a panic (also under
//! proptest-generated data); the same settings give bit-identical estimates,
//! bootstrap included; the estimate round-trips through serde bit for bit;
//! reordering the rows leaves the point estimate unchanged.

use ndarray::{Array2, Axis};
use proptest::prelude::*;
use voltai_causal::{Estimate, Estimator, Method};
use voltai_core::Dataset;
use voltai_core::synthetic::SplitMix64;

/// Binary treatment `d` confounded by a discrete `t` and a binary `m`; ATE 2.
fn binary(n: usize, seed: u64) -> Array2<f64> {
    let mut r = SplitMix64::new(seed);
    let mut x = Array2::zeros((n, 4));
    for i in 0..n {
        let t = (r.uniform() * 3.0).floor();
        let m = f64::from(u8::from(r.uniform() < 0.5));
        let p = 1.0 / (1.0 + (-(0.8 * t + m - 1.2)).exp());
        let d = f64::from(u8::from(r.uniform() < p));
        let y = 2.0 * d + 1.5 * t + m + r.normal();
        for (k, v) in [t, m, d, y].into_iter().enumerate() {
            x[[i, k]] = v;
        }
    }
    x
}

fn named(x: Array2<f64>) -> voltai_core::Result<Dataset> {
    Dataset::unsupervised(x)?.with_feature_names(vec!["t", "m", "d", "y"])
}

const METHODS: [Method; 4] = [
    Method::LinearRegression,
    Method::Stratified,
    Method::Ipw,
    Method::Aipw,
];

fn estimator(method: Method) -> Estimator {
    Estimator::new(method)
        .bootstrap(40, 9)
        .unwrap_or_else(|e| panic!("valid settings: {e}"))
}

fn same_bits(a: &Estimate, b: &Estimate) -> bool {
    a.effect.to_bits() == b.effect.to_bits()
        && a.interval.0.to_bits() == b.interval.0.to_bits()
        && a.interval.1.to_bits() == b.interval.1.to_bits()
        && a.std_error.map(f64::to_bits) == b.std_error.map(f64::to_bits)
        && (a.n, a.dropped_strata, &a.adjustment_set) == (b.n, b.dropped_strata, &b.adjustment_set)
}

#[test]
fn every_method_is_deterministic_serialisable_and_order_invariant() -> voltai_core::Result<()> {
    let x = binary(600, 4);
    let data = named(x.clone())?;
    let mut order: Vec<usize> = (0..x.nrows()).collect();
    let mut rng = SplitMix64::new(1);
    for i in (1..order.len()).rev() {
        order.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    let permuted = named(x.select(Axis(0), &order))?;
    for method in METHODS {
        let est = estimator(method);
        let a = est.estimate(&data, "d", "y", &["t", "m"])?;
        let b = est.estimate(&data, "d", "y", &["t", "m"])?;
        assert!(same_bits(&a, &b), "{method:?}: two runs differ");
        assert!(
            a.effect.is_finite() && a.interval.0 <= a.interval.1,
            "{method:?}: {a:?}"
        );
        let text =
            serde_json::to_string(&a).map_err(|e| voltai_core::Error::internal(e.to_string()))?;
        let back: Estimate =
            serde_json::from_str(&text).map_err(|e| voltai_core::Error::internal(e.to_string()))?;
        assert!(same_bits(&a, &back), "{method:?}: serde round trip");
        let p = est.estimate(&permuted, "d", "y", &["t", "m"])?;
        assert!(
            (p.effect - a.effect).abs() <= 1e-9 * a.effect.abs().max(1.0),
            "{method:?}: permuted rows {} vs {}",
            p.effect,
            a.effect
        );
    }
    Ok(())
}

#[test]
fn bad_input_is_an_error() -> voltai_core::Result<()> {
    let data = named(binary(200, 5))?;
    for method in METHODS {
        let est = estimator(method);
        assert!(
            est.estimate(&data, "nope", "y", &[]).is_err(),
            "{method:?}: unknown column"
        );
        assert!(
            est.estimate(&data, "d", "y", &["d"]).is_err(),
            "{method:?}: adjusts for itself"
        );
        let mut constant = binary(200, 5);
        constant.column_mut(2).fill(1.0);
        assert!(
            est.estimate(&named(constant)?, "d", "y", &["t"]).is_err(),
            "{method:?}: one arm only"
        );
        let two = named(binary(200, 5).select(Axis(0), &[0, 1]))?;
        if let Ok(e) = est.estimate(&two, "d", "y", &["t"]) {
            assert!(e.effect.is_finite(), "{method:?}: two rows gave {e:?}");
        }
    }
    let mut nan = binary(10, 5);
    nan[[3, 3]] = f64::NAN;
    assert!(named(nan).is_err(), "NaN never reaches an estimator");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Arbitrary small data sets with magnitudes from 1e-300 to 1e300:
    /// every method returns an `Error` or a finite estimate, never panics.
    #[test]
    fn arbitrary_data_never_panics(
        rows in 1usize..12,
        values in proptest::collection::vec((-300i32..300, -1.0f64..1.0), 48),
        method in 0usize..4,
    ) {
        let x = Array2::from_shape_fn((rows, 4), |(i, j)| {
            let (e, m) = values[(i * 4 + j) % values.len()];
            if j == 2 { f64::from(u8::from(m > 0.0)) } else { m * 10f64.powi(e) }
        });
        let data = named(x).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let result = std::panic::catch_unwind(|| {
            estimator(METHODS[method]).estimate(&data, "d", "y", &["t", "m"])
        });
        prop_assert!(result.is_ok(), "panicked");
        if let Ok(Ok(e)) = result {
            prop_assert!(e.effect.is_finite() && !e.interval.0.is_nan() && !e.interval.1.is_nan());
        }
    }
}
