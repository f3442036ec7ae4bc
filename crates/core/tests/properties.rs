//! Property tests: scaler round-trip, leak-free group splits, metric identities.

use ndarray::{Array1, Array2};
use proptest::prelude::*;
use voltai_core::StandardScaler;
use voltai_core::metrics::{mae, r2, rmse};
use voltai_core::split::{GroupKFold, KFold, group_train_test_split, train_test_split};

fn matrix() -> impl Strategy<Value = Array2<f64>> {
    (1usize..20, 1usize..6).prop_flat_map(|(n, d)| {
        proptest::collection::vec(-1e6f64..1e6, n * d)
            .prop_map(move |v| Array2::from_shape_vec((n, d), v).unwrap())
    })
}

proptest! {
    #[test]
    fn scaler_round_trip(x in matrix()) {
        let s = StandardScaler::new().fit_array(x.view()).unwrap();
        let z = s.transform(x.view()).unwrap();
        let back = s.inverse_transform(z.view()).unwrap();
        for (a, b) in x.iter().zip(back.iter()) {
            prop_assert!((a - b).abs() <= 1e-9 * (1.0 + a.abs()));
        }
        // Standardised columns have mean 0 and (unless constant) variance 1.
        for c in z.columns() {
            let m = c.mean().unwrap();
            prop_assert!(m.abs() < 1e-9);
        }
    }

    #[test]
    fn group_splits_never_leak(groups in proptest::collection::vec(0u8..8, 2..60), k in 2usize..5, seed in any::<u64>()) {
        let groups: Vec<String> = groups.iter().map(|g| format!("cell{g}")).collect();
        let n_groups = { let mut g = groups.clone(); g.sort(); g.dedup(); g.len() };
        if n_groups >= 2 {
            let s = group_train_test_split(&groups, 0.3, seed).unwrap();
            for &i in &s.test { for &j in &s.train { prop_assert_ne!(&groups[i], &groups[j]); } }
            prop_assert_eq!(s.train.len() + s.test.len(), groups.len());
        }
        match GroupKFold::new(k).unwrap().shuffled(seed).splits(&groups) {
            Ok(folds) => {
                prop_assert!(k <= n_groups);
                let mut seen = vec![0usize; groups.len()];
                for f in &folds {
                    for &i in &f.test { seen[i] += 1; for &j in &f.train { prop_assert_ne!(&groups[i], &groups[j]); } }
                }
                prop_assert!(seen.iter().all(|&c| c == 1), "every row tested exactly once");
            }
            Err(_) => prop_assert!(k > n_groups),
        }
    }

    #[test]
    fn kfold_partitions_rows(n in 2usize..50, k in 2usize..6, seed in any::<u64>()) {
        if k <= n {
            let folds = KFold::new(k).unwrap().shuffled(seed).splits(n).unwrap();
            let mut seen = vec![0usize; n];
            for f in &folds { for &i in &f.test { seen[i] += 1; } prop_assert_eq!(f.train.len() + f.test.len(), n); }
            prop_assert!(seen.iter().all(|&c| c == 1));
        }
        let s = train_test_split(n, 0.25, seed).unwrap();
        prop_assert_eq!(s, train_test_split(n, 0.25, seed).unwrap(), "same seed, same split");
    }

    #[test]
    fn metric_identities(y in proptest::collection::vec(-1e3f64..1e3, 1..40), noise in proptest::collection::vec(-10f64..10.0, 40)) {
        let y = Array1::from(y);
        prop_assert!((r2(y.view(), y.view()).unwrap() - 1.0).abs() < 1e-12);
        prop_assert_eq!(rmse(y.view(), y.view()).unwrap(), 0.0);
        let p: Array1<f64> = y.iter().zip(&noise).map(|(a, b)| a + b).collect();
        prop_assert!(rmse(y.view(), p.view()).unwrap() + 1e-12 >= mae(y.view(), p.view()).unwrap());
    }
}
