//! CKA invariances, closed forms and unbiasedness; MKL weight recovery and accuracy.

use ndarray::{Array1, Array2, Axis, array, concatenate};
use voltai_core::metrics::accuracy;
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Classifier, Dataset, Fit};
use voltai_kernels::cka::{hsic, hsic_unbiased, linear_cka, rbf_cka};
use voltai_kernels::kernels::{OnColumns, Rbf};
use voltai_kernels::{Kernel, MklMethod, MklParams, SvcParams};

/// A random orthogonal matrix by Gram–Schmidt.
fn orthogonal(d: usize, seed: u64) -> Array2<f64> {
    let a = SplitMix64::new(seed).normal_matrix(d, d);
    let mut q = Array2::<f64>::zeros((d, d));
    for j in 0..d {
        let mut v = a.column(j).to_owned();
        for k in 0..j {
            let proj = q.column(k).dot(&v);
            v = &v - &(&q.column(k) * proj);
        }
        let norm = v.dot(&v).sqrt();
        q.column_mut(j).assign(&(v / norm));
    }
    q
}

#[test]
fn cka_is_invariant_to_rotation_and_isotropic_scaling() {
    let x = SplitMix64::new(1).normal_matrix(60, 5);
    let xq = x.dot(&orthogonal(5, 2));
    for debiased in [false, true] {
        assert!((linear_cka(x.view(), xq.view(), debiased).unwrap() - 1.0).abs() < 1e-12);
        assert!((linear_cka(x.view(), (&x * 3.7).view(), debiased).unwrap() - 1.0).abs() < 1e-12);
        assert!((rbf_cka(x.view(), xq.view(), 0.8, debiased).unwrap() - 1.0).abs() < 1e-10);
        assert!((rbf_cka(x.view(), (&x * 3.7).view(), 0.8, debiased).unwrap() - 1.0).abs() < 1e-10);
    }
}

#[test]
fn linear_cka_of_one_feature_is_squared_correlation() {
    // Hand-checked: for 1-D representations linear CKA = Pearson r².
    let x = array![[1.0], [2.0], [3.0], [4.0]];
    let y = array![[1.0], [3.0], [2.0], [5.0]];
    // r = cov/(sx sy): centred x = (-1.5,-.5,.5,1.5), y = (-1.75,.25,-.75,2.25)
    // Σxy = 2.625+(-.125)+(-.375)+3.375 = 5.5; Σx² = 5; Σy² = 8.75 → r² = 30.25/43.75
    let want = 30.25 / 43.75;
    assert!((linear_cka(x.view(), y.view(), false).unwrap() - want).abs() < 1e-14);
    let c = linear_cka(x.view(), x.view(), false).unwrap();
    assert!((c - 1.0).abs() < 1e-14);
}

#[test]
fn debiased_hsic_is_unbiased_for_independent_data() {
    // Independent X and Y: population HSIC = 0. Over many draws the unbiased
    // estimator averages to 0 within its standard error; the biased one does not.
    let (mut sum_u, mut sum_u2, mut sum_b) = (0.0, 0.0, 0.0);
    let reps = 300;
    let mut rng = SplitMix64::new(99);
    for _ in 0..reps {
        let x = rng.normal_matrix(20, 3);
        let y = rng.normal_matrix(20, 3);
        let (k, l) = (x.dot(&x.t()), y.dot(&y.t()));
        let u = hsic_unbiased(&k, &l).unwrap();
        sum_u += u;
        sum_u2 += u * u;
        sum_b += hsic(&k, &l).unwrap();
    }
    let mean_u = sum_u / reps as f64;
    let se = ((sum_u2 / reps as f64 - mean_u * mean_u) / reps as f64).sqrt();
    let mean_b = sum_b / reps as f64;
    assert!(mean_u.abs() < 3.0 * se, "unbiased mean {mean_u} (se {se})");
    assert!(
        mean_b > 10.0 * se,
        "biased mean {mean_b} should be clearly positive"
    );
}

#[test]
fn cka_rejects_bad_input() {
    let x = array![[1.0], [2.0], [3.0]];
    assert!(linear_cka(x.view(), array![[1.0], [2.0]].view(), false).is_err());
    assert!(linear_cka(x.view(), array![[1.0], [f64::NAN], [2.0]].view(), false).is_err());
    assert!(
        linear_cka(x.view(), x.view(), true).is_err(),
        "debiased needs n ≥ 4"
    );
    assert!(rbf_cka(x.view(), x.view(), 0.0, false).is_err());
    assert!(
        linear_cka(x.view(), array![[1.0], [1.0], [1.0]].view(), false).is_err(),
        "constant"
    );
}

/// Three modalities of 4 features; only modality `informative` (or all) carries the label.
fn modalities(n: usize, informative: Option<usize>, seed: u64) -> Dataset {
    let mut rng = SplitMix64::new(seed);
    let x = rng.normal_matrix(n, 12);
    let y: Array1<f64> = (0..n)
        .map(|i| {
            let score = |m: usize| x[[i, 4 * m]] * x[[i, 4 * m + 1]] + 0.5 * x[[i, 4 * m + 2]];
            let s = match informative {
                Some(m) => score(m),
                None => score(0) + score(1) + score(2),
            };
            if s > 0.0 { 1.0 } else { 0.0 }
        })
        .collect();
    Dataset::new(x, y).unwrap()
}

fn modality_kernels() -> Vec<OnColumns<Rbf>> {
    (0..3)
        .map(|m| {
            OnColumns::new((4 * m..4 * m + 4).collect(), Rbf::from_gamma(0.25).unwrap()).unwrap()
        })
        .collect()
}

#[test]
fn simplemkl_and_alignf_find_the_informative_modality() {
    let data = modalities(300, Some(1), 7);
    for method in [MklMethod::SimpleMkl, MklMethod::Alignf] {
        // C = 1 (the default): at large C the SVM objective also rewards the
        // noise kernels for memorising the training set.
        let mkl = MklParams::new(modality_kernels())
            .unwrap()
            .method(method)
            .fit(&data)
            .unwrap();
        let w = mkl.weights();
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12 && w.iter().all(|&v| v >= 0.0));
        assert!(w[1] >= 0.8, "{method:?} weights {w:?}");
    }
}

#[test]
fn mkl_accuracy_is_at_least_the_best_single_kernel() {
    let train = modalities(400, None, 11);
    let test = modalities(600, None, 12);
    let y_test = test.labels().unwrap();
    let best_single = modality_kernels()
        .into_iter()
        .map(|k| {
            let m = SvcParams::new(k).c(5.0).unwrap().fit(&train).unwrap();
            accuracy(y_test.view(), m.predict(test.features()).unwrap().view()).unwrap()
        })
        .fold(0.0, f64::max);
    let mkl = MklParams::new(modality_kernels())
        .unwrap()
        .c(5.0)
        .unwrap()
        .fit(&train)
        .unwrap();
    let acc = accuracy(y_test.view(), mkl.predict(test.features()).unwrap().view()).unwrap();
    assert!(acc >= best_single, "MKL {acc} vs best single {best_single}");
    let uniform = MklParams::new(modality_kernels())
        .unwrap()
        .method(MklMethod::Uniform)
        .c(5.0)
        .unwrap()
        .fit(&train)
        .unwrap();
    assert_eq!(uniform.weights(), &[1.0 / 3.0; 3]);
}

#[test]
fn weighted_sum_kernel_equals_the_weighted_grams() {
    let x = SplitMix64::new(3).normal_matrix(10, 12);
    let ks = modality_kernels();
    let ws = voltai_kernels::WeightedSum::new(ks.clone(), vec![0.2, 0.5, 0.3]).unwrap();
    let g = ws.gram_sym(x.view()).unwrap();
    let mut want = Array2::zeros((10, 10));
    for (k, w) in ks.iter().zip([0.2, 0.5, 0.3]) {
        want.scaled_add(w, &k.gram_sym(x.view()).unwrap());
    }
    assert!(
        g.iter()
            .zip(want.iter())
            .all(|(a, b)| (a - b).abs() < 1e-14)
    );
    assert!(voltai_kernels::WeightedSum::new(ks.clone(), vec![0.0, 0.0, 0.0]).is_err());
    assert!(voltai_kernels::WeightedSum::new(ks, vec![1.0]).is_err());
    let _ = concatenate(Axis(0), &[x.view(), x.view()]).unwrap();
}
