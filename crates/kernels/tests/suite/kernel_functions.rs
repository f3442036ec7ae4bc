//! Kernel values against closed forms, log-space gradients against finite
//! differences, positive semi-definiteness, and input validation.

use ndarray::{Array2, array};
use proptest::prelude::*;
use voltai_core::synthetic::SplitMix64;
use voltai_kernels::Kernel;
use voltai_kernels::kernels::*;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn values_match_closed_forms() {
    let a = [0.3, -1.2, 2.0];
    let b = [1.1, 0.4, -0.5];
    let r2: f64 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
    let r = r2.sqrt();
    let r1: f64 = a
        .iter()
        .zip(&b)
        .map(|(x, y): (&f64, &f64)| (x - y).abs())
        .sum();
    let dot: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
    assert!(close(
        Rbf::from_gamma(0.7).unwrap().eval(&a, &b),
        (-0.7 * r2).exp(),
        1e-15
    ));
    assert!(close(
        Rbf::new(1.3).unwrap().eval(&a, &b),
        (-r2 / (2.0 * 1.69)).exp(),
        1e-15
    ));
    let ard = Rbf::ard(vec![0.5, 1.0, 2.0]).unwrap();
    let s: f64 = (0..3)
        .map(|k| (a[k] - b[k]).powi(2) / [0.25, 1.0, 4.0][k])
        .sum();
    assert!(close(ard.eval(&a, &b), (-0.5 * s).exp(), 1e-15));
    assert!(close(
        Laplacian::new(0.4).unwrap().eval(&a, &b),
        (-0.4 * r1).exp(),
        1e-15
    ));
    let l = 1.7;
    let m12 = Matern::new(MaternNu::Half, l).unwrap().eval(&a, &b);
    assert!(close(m12, (-r / l).exp(), 1e-15));
    let s3 = 3f64.sqrt() * r / l;
    assert!(close(
        Matern::new(MaternNu::ThreeHalves, l).unwrap().eval(&a, &b),
        (1.0 + s3) * (-s3).exp(),
        1e-15
    ));
    let s5 = 5f64.sqrt() * r / l;
    assert!(close(
        Matern::new(MaternNu::FiveHalves, l).unwrap().eval(&a, &b),
        (1.0 + s5 + s5 * s5 / 3.0) * (-s5).exp(),
        1e-15
    ));
    assert!(close(
        RationalQuadratic::new(l, 2.5).unwrap().eval(&a, &b),
        (1.0 + r2 / (2.0 * 2.5 * l * l)).powf(-2.5),
        1e-15
    ));
    let per = Periodic::new(0.8, 3.0).unwrap().eval(&a, &b);
    assert!(close(
        per,
        (-2.0 * (std::f64::consts::PI * r / 3.0).sin().powi(2) / 0.64).exp(),
        1e-15
    ));
    assert!(close(Linear.eval(&a, &b), dot, 1e-15));
    assert!(close(
        Polynomial::new(0.5, 1.0, 3).unwrap().eval(&a, &b),
        (0.5 * dot + 1.0).powi(3),
        1e-15
    ));
    let white = White::new(0.1).unwrap();
    assert_eq!(white.eval(&a, &a), 0.0, "distinct samples, even if equal");
    assert_eq!(white.eval_same(&a), 0.1);
    let sum = Sum(Constant::new(2.0).unwrap(), Linear);
    assert!(close(sum.eval(&a, &b), 2.0 + dot, 1e-15));
    let prod = Product(
        Scaled::new(3.0, Linear).unwrap(),
        Rbf::from_gamma(0.7).unwrap(),
    );
    assert!(close(
        prod.eval(&a, &b),
        3.0 * dot * (-0.7 * r2).exp(),
        1e-15
    ));
    let cols = OnColumns::new(vec![2, 0], Linear).unwrap();
    assert!(close(cols.eval(&a, &b), a[2] * b[2] + a[0] * b[0], 1e-15));
}

#[test]
fn rbf_fast_exp_is_accurate_over_the_whole_range() {
    let k = Rbf::new(1.0).unwrap();
    let mut worst = 0.0f64;
    for i in 0..20_000 {
        let d = (i as f64 * 0.07).sqrt(); // exponent from 0 down to −700
        let got = k.eval(&[0.0], &[d]);
        let want = (-0.5 * (d * d)).exp();
        worst = worst.max(((got - want) / want).abs());
    }
    assert!(worst < 1e-14, "max relative error {worst}");
}

fn check_gradient<K: Kernel + Clone>(k: &K, a: &[f64], b: &[f64]) {
    let p = k.log_params();
    let mut grad = vec![0.0; p.len()];
    k.eval_grad(a, b, &mut grad);
    for q in 0..p.len() {
        let h = 1e-6;
        let (mut up, mut dn) = (k.clone(), k.clone());
        let mut pu = p.clone();
        pu[q] += h;
        up.set_log_params(&pu).unwrap();
        let mut pd = p.clone();
        pd[q] -= h;
        dn.set_log_params(&pd).unwrap();
        let fd = (up.eval(a, b) - dn.eval(a, b)) / (2.0 * h);
        assert!(
            close(grad[q], fd, 1e-6),
            "{:?}: analytic {} vs fd {fd}",
            k.param_names()[q],
            grad[q]
        );
    }
}

#[test]
fn log_space_gradients_match_finite_differences() {
    let a = [0.3, -1.2, 2.0];
    let b = [1.1, 0.4, -0.5];
    check_gradient(&Rbf::new(1.3).unwrap(), &a, &b);
    check_gradient(&Rbf::ard(vec![0.5, 1.0, 2.0]).unwrap(), &a, &b);
    check_gradient(&Laplacian::new(0.4).unwrap(), &a, &b);
    for nu in [MaternNu::Half, MaternNu::ThreeHalves, MaternNu::FiveHalves] {
        check_gradient(&Matern::new(nu, 1.7).unwrap(), &a, &b);
        check_gradient(&Matern::ard(nu, vec![0.5, 1.0, 2.0]).unwrap(), &a, &b);
        // Equal ARD length-scales are the isotropic kernel.
        let (iso, ard) = (
            Matern::new(nu, 1.7).unwrap(),
            Matern::ard(nu, vec![1.7; 3]).unwrap(),
        );
        assert!((iso.eval(&a, &b) - ard.eval(&a, &b)).abs() < 1e-14);
        // Stretching one input by c and its length-scale by c changes nothing.
        let stretched = Matern::ard(nu, vec![0.5, 3.0, 2.0]).unwrap();
        let (a3, b3) = ([a[0], 3.0 * a[1], a[2]], [b[0], 3.0 * b[1], b[2]]);
        let plain = Matern::ard(nu, vec![0.5, 1.0, 2.0]).unwrap();
        assert!((stretched.eval(&a3, &b3) - plain.eval(&a, &b)).abs() < 1e-14);
    }
    check_gradient(&RationalQuadratic::new(1.7, 2.5).unwrap(), &a, &b);
    check_gradient(&Periodic::new(0.8, 3.0).unwrap(), &a, &b);
    check_gradient(&Polynomial::new(0.5, 1.0, 3).unwrap(), &a, &b);
    check_gradient(&Constant::new(2.0).unwrap(), &a, &b);
    check_gradient(&Scaled::new(2.0, Rbf::new(1.3).unwrap()).unwrap(), &a, &b);
    check_gradient(
        &Sum(Rbf::new(1.3).unwrap(), Periodic::new(0.8, 3.0).unwrap()),
        &a,
        &b,
    );
    check_gradient(
        &Product(
            Matern::new(MaternNu::ThreeHalves, 1.7).unwrap(),
            RationalQuadratic::new(1.0, 0.5).unwrap(),
        ),
        &a,
        &b,
    );
    check_gradient(
        &OnColumns::new(vec![0, 2], Rbf::ard(vec![0.5, 2.0]).unwrap()).unwrap(),
        &a,
        &b,
    );
}

#[test]
fn gram_with_grad_agrees_with_gram_and_is_psd() {
    let x = SplitMix64::new(3).normal_matrix(30, 3);
    let k = Sum(
        Scaled::new(1.5, Rbf::ard(vec![0.7, 1.0, 2.0]).unwrap()).unwrap(),
        White::new(0.01).unwrap(),
    );
    let (g, dg) = k.gram_with_grad(x.view()).unwrap();
    let plain = k.gram_sym(x.view()).unwrap();
    assert!(
        g.iter()
            .zip(plain.iter())
            .all(|(a, b)| close(*a, *b, 1e-14))
    );
    assert_eq!(dg.len(), k.log_params().len());
    // White noise is on the diagonal only, and so is its gradient.
    let last = &dg[dg.len() - 1];
    assert!(close(last[[0, 0]], 0.01, 1e-14) && last[[0, 1]] == 0.0);
    // PSD: vᵀKv ≥ 0 for random v.
    let mut rng = SplitMix64::new(5);
    for _ in 0..50 {
        let v: Vec<f64> = (0..30).map(|_| rng.normal()).collect();
        let q: f64 = (0..30)
            .flat_map(|i| (0..30).map(move |j| (i, j)))
            .map(|(i, j)| v[i] * g[[i, j]] * v[j])
            .sum();
        assert!(q >= -1e-10);
    }
    let cross = k.gram(x.view(), x.view()).unwrap();
    assert!(
        close(cross[[0, 0]], plain[[0, 0]] - 0.01, 1e-14),
        "cross Gram has no noise"
    );
}

#[test]
fn precomputed_kernel_indexes_its_matrix() {
    let m = array![[2.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 3.0]];
    let k = Precomputed::new(m.clone()).unwrap();
    let idx = k.indices();
    assert_eq!(k.gram_sym(idx.view()).unwrap(), m);
    assert!(
        k.gram_sym(array![[3.0]].view()).is_err(),
        "index out of range"
    );
    assert!(
        Precomputed::new(array![[1.0, 2.0], [0.0, 1.0]]).is_err(),
        "asymmetric"
    );
    assert!(
        Precomputed::new(Array2::zeros((2, 3))).is_err(),
        "not square"
    );
}

#[test]
fn bad_kernel_parameters_and_inputs_are_errors() {
    assert!(Rbf::from_gamma(0.0).is_err());
    assert!(Rbf::from_gamma(-1.0).is_err());
    assert!(Rbf::new(f64::NAN).is_err());
    assert!(Rbf::ard(vec![]).is_err());
    assert!(Matern::new(MaternNu::Half, 0.0).is_err());
    assert!(Polynomial::new(1.0, 0.0, 0).is_err());
    assert!(OnColumns::new(vec![1, 1], Linear).is_err());
    let ard = Rbf::ard(vec![1.0, 1.0]).unwrap();
    assert!(
        ard.gram_sym(Array2::zeros((3, 3)).view()).is_err(),
        "ARD dimension mismatch"
    );
    assert!(
        Linear
            .gram(Array2::zeros((2, 3)).view(), Array2::zeros((2, 4)).view())
            .is_err()
    );
    assert!(Linear.gram_sym(array![[f64::INFINITY]].view()).is_err());
}

proptest! {
    #[test]
    fn gram_is_symmetric_with_unit_diagonal(v in proptest::collection::vec(-5.0f64..5.0, 6..40), gamma in 0.01f64..5.0) {
        let n = v.len() / 2;
        let x = Array2::from_shape_vec((n, 2), v[..2 * n].to_vec()).unwrap();
        let g = Rbf::from_gamma(gamma).unwrap().gram_sym(x.view()).unwrap();
        for i in 0..n {
            prop_assert!((g[[i, i]] - 1.0).abs() < 1e-15);
            for j in 0..n { prop_assert_eq!(g[[i, j]], g[[j, i]]); prop_assert!(g[[i, j]] >= 0.0 && g[[i, j]] <= 1.0 + 1e-15); }
        }
    }
}

#[test]
fn on_columns_names_its_length_scales_by_input_column() {
    use voltai_kernels::kernels::{OnColumns, Periodic, Scaled};
    let ard = OnColumns::new(
        vec![2, 5],
        Scaled::new(1.0, Rbf::ard(vec![1.0, 2.0]).unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        ard.param_names(),
        ["variance", "length_scale[2]", "length_scale[5]"]
    );
    let iso = OnColumns::new(vec![0, 3], Rbf::new(1.0).unwrap()).unwrap();
    assert_eq!(iso.param_names(), ["length_scale{0,3}"]);
    // A periodic kernel's length-scale has no input units, and says so.
    let p = Periodic::new(1.0, 2.0).unwrap();
    assert_eq!(p.param_names(), ["periodic_length_scale", "period"]);
}
