//! Multi-objective tools: exact hypervolume (against inclusion–exclusion and
//! published values), scalarisation sweeps on convex and non-convex fronts,
//! exact EHVI against Monte Carlo, and ParEGO / EHVI campaigns.

use ndarray::{Array1, Array2, array};
use proptest::prelude::*;
use voltai_core::synthetic::SplitMix64;
use voltai_discovery::bo::pareto::{
    dominates, expected_hypervolume_improvement_2d, hypervolume, non_dominated_sort, pareto_front,
};
use voltai_discovery::bo::scalarize::{epsilon_constraint, weighted_sum};
use voltai_discovery::bo::{MultiObjectiveParams, MultiStrategy, SearchSpace};

/// Union volume by inclusion–exclusion over all subsets (small n only).
fn brute_force(points: &Array2<f64>, r: &[f64]) -> f64 {
    let n = points.nrows();
    let mut total = 0.0;
    for mask in 1u32..(1 << n) {
        let members: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).collect();
        let vol: f64 = (0..r.len())
            .map(|j| {
                let corner = members
                    .iter()
                    .map(|&i| points[[i, j]])
                    .fold(f64::NEG_INFINITY, f64::max);
                (r[j] - corner).max(0.0)
            })
            .product();
        total += if members.len() % 2 == 1 { vol } else { -vol };
    }
    total
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn hypervolume_matches_inclusion_exclusion(
        d in 2usize..6,
        n in 1usize..9,
        seed in any::<u64>(),
    ) {
        let mut rng = SplitMix64::new(seed);
        // Integer-valued coordinates make ties and duplicates common.
        let pts = Array2::from_shape_simple_fn((n, d), || (rng.uniform() * 6.0).floor() / 2.0);
        let r = vec![3.0; d];
        let exact = hypervolume(pts.view(), Array1::from(r.clone()).view()).unwrap();
        let brute = brute_force(&pts, &r);
        prop_assert!((exact - brute).abs() <= 1e-9 * brute.abs().max(1.0), "{exact} vs {brute}");
        // Fronts: no member of front 0 is dominated; every later point is.
        let fronts = non_dominated_sort(pts.view());
        for &i in &fronts[0] {
            prop_assert!((0..n).all(|j| !dominates(pts.row(j), pts.row(i))));
        }
        prop_assert_eq!(fronts.iter().map(Vec::len).sum::<usize>(), n);
        // The sweep agrees with the sort, duplicates included.
        prop_assert_eq!(pareto_front(pts.view()), fronts[0].clone());
    }
}

#[test]
fn hypervolume_agrees_with_published_values() {
    // ZDT1 front f2 = 1 − √f1, reference (1, 1): HV = 2/3.
    let n = 20_000;
    let zdt1 = Array2::from_shape_fn((n, 2), |(i, j)| {
        let f1 = i as f64 / (n - 1) as f64;
        if j == 0 { f1 } else { 1.0 - f1.sqrt() }
    });
    let hv = hypervolume(zdt1.view(), array![1.0, 1.0].view()).unwrap();
    assert!((hv - 2.0 / 3.0).abs() < 1e-3, "ZDT1 {hv}");
    // DTLZ2 front (unit sphere octant), reference (1, 1, 1): HV = 1 − π/6.
    let m = 120;
    let mut pts = Vec::new();
    for a in 0..=m {
        for b in 0..=m {
            let (u, v) = (
                a as f64 / m as f64 * std::f64::consts::FRAC_PI_2,
                b as f64 / m as f64 * std::f64::consts::FRAC_PI_2,
            );
            pts.extend([u.cos() * v.cos(), u.cos() * v.sin(), u.sin()]);
        }
    }
    let dtlz2 = Array2::from_shape_vec((pts.len() / 3, 3), pts).unwrap();
    let hv = hypervolume(dtlz2.view(), array![1.0, 1.0, 1.0].view()).unwrap();
    let exact = 1.0 - std::f64::consts::PI / 6.0;
    // A finite sample of the front dominates slightly less than the front itself.
    assert!(hv < exact && exact - hv < 0.02, "DTLZ2 {hv} vs {exact}");
}

#[test]
fn scalarisation_sweeps_recover_convex_and_nonconvex_fronts() {
    let x = Array1::linspace(0.0, 1.0, 2001);
    // Convex: f1 = x², f2 = (1 − x)²; non-convex: f1 = x, f2 = 1 − x².
    let convex = Array2::from_shape_fn((x.len(), 2), |(i, j)| {
        if j == 0 {
            x[i] * x[i]
        } else {
            (1.0f64 - x[i]).powi(2)
        }
    });
    let concave =
        Array2::from_shape_fn(
            (x.len(), 2),
            |(i, j)| if j == 0 { x[i] } else { 1.0 - x[i] * x[i] },
        );
    let argmin = |v: Array1<f64>| {
        v.iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i)
            .unwrap()
    };
    let ws = |f: &Array2<f64>| -> Vec<f64> {
        (0..=20)
            .map(|k| {
                let w = k as f64 / 20.0;
                x[argmin(weighted_sum(f.view(), array![w, 1.0 - w].view()).unwrap())]
            })
            .collect()
    };
    let eps = |f: &Array2<f64>| -> Vec<f64> {
        (1..20)
            .map(|k| {
                let e = k as f64 / 20.0;
                x[argmin(epsilon_constraint(f.view(), 0, array![0.0, e].view()).unwrap())]
            })
            .collect()
    };
    // Convex front: both sweeps spread over the whole front (x ∈ [0, 1]).
    for picks in [ws(&convex), eps(&convex)] {
        let interior = picks.iter().filter(|&&p| p > 0.05 && p < 0.95).count();
        assert!(interior >= 10, "{picks:?}");
    }
    // Non-convex front: weighted sums only find the two ends, ε-constraint
    // finds interior points, each exactly where f2 = ε.
    assert!(
        ws(&concave)
            .iter()
            .all(|&p| !(1e-9..=1.0 - 1e-9).contains(&p))
    );
    let picks = eps(&concave);
    for (k, p) in picks.iter().enumerate() {
        let e = (k + 1) as f64 / 20.0;
        assert!((1.0 - p * p - e).abs() < 2e-3, "ε = {e}: picked x = {p}");
    }
}

#[test]
fn exact_ehvi_matches_monte_carlo() {
    let front = array![[0.2, 0.8], [0.4, 0.5], [0.7, 0.3]];
    let reference = [1.0, 1.0];
    let (mean, std) = ([0.35, 0.45], [0.15, 0.2]);
    let exact = expected_hypervolume_improvement_2d(front.view(), reference, mean, std);
    let base = hypervolume(front.view(), array![1.0, 1.0].view()).unwrap();
    let mut rng = SplitMix64::new(5);
    let n = 200_000;
    let mut total = 0.0;
    let mut with = front.clone();
    with.push_row(array![0.0, 0.0].view()).unwrap();
    for _ in 0..n {
        with[[3, 0]] = mean[0] + std[0] * rng.normal();
        with[[3, 1]] = mean[1] + std[1] * rng.normal();
        total += hypervolume(with.view(), array![1.0, 1.0].view()).unwrap() - base;
    }
    let mc = total / n as f64;
    assert!(
        (exact - mc).abs() < 3e-3 * mc.max(1e-3) + 2e-4,
        "exact {exact} vs MC {mc}"
    );
    // No uncertainty: EHVI is the plain improvement.
    let point =
        expected_hypervolume_improvement_2d(front.view(), reference, [0.3, 0.4], [0.0, 0.0]);
    let mut p = front.clone();
    p.push_row(array![0.3, 0.4].view()).unwrap();
    let direct = hypervolume(p.view(), array![1.0, 1.0].view()).unwrap() - base;
    assert!((point - direct).abs() < 1e-12);
    assert_eq!(pareto_front(front.view()), vec![0, 1, 2]);
}

/// ZDT1 in 3 dimensions (minimise both): f1 = x0, f2 = g·(1 − √(x0/g)),
/// g = 1 + 9·mean(x1, x2). Its optimal front (g = 1) has hypervolume 0.877
/// with reference (1.1, 1.1).
fn zdt1(x: ndarray::ArrayView1<'_, f64>) -> Vec<f64> {
    let g = 1.0 + 9.0 * x.iter().skip(1).sum::<f64>() / (x.len() - 1) as f64;
    vec![x[0], g * (1.0 - (x[0] / g).sqrt())]
}

#[test]
fn parego_and_ehvi_improve_the_hypervolume_over_the_initial_design() {
    for strategy in [MultiStrategy::ParEgo { rho: 0.05 }, MultiStrategy::Ehvi] {
        let mut mo = MultiObjectiveParams::new(
            SearchSpace::continuous(&[(0.0, 1.0); 3]).unwrap(),
            vec![1.1, 1.1],
            strategy,
        )
        .unwrap()
        .seed(3)
        .build();
        let mut hv = Vec::new();
        mo.run(|x| Ok(zdt1(x)), 30, &mut |p| {
            hv.push(p.get("hypervolume").unwrap_or(f64::NAN))
        })
        .unwrap();
        let after_design = hv[5];
        let last = hv[29];
        eprintln!("{strategy:?}: HV after design {after_design:.3}, after 30 {last:.3}");
        assert!(
            hv.windows(2).all(|w| w[1] >= w[0] - 1e-12),
            "HV must not fall"
        );
        assert!(
            last > after_design + 0.1,
            "{strategy:?}: {after_design} → {last}"
        );
        assert!(!mo.pareto_indices().is_empty());
    }
}
