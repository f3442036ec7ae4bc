//! Criterion benchmarks of the Pareto tools: the non-dominated filter and
//! the exact hypervolume of 5 000 points in 2-D and 3-D (uniform in the unit
//! box, and all on the sphere's positive octant, where every point is on the
//! front), and the 2-D filter of 100 000 points.

use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::{Array1, Array2};
use voltai::core::synthetic::SplitMix64;
use voltai::discovery::bo::pareto::{hypervolume, pareto_front};

fn uniform(n: usize, d: usize, seed: u64) -> Array2<f64> {
    let mut rng = SplitMix64::new(seed);
    Array2::from_shape_simple_fn((n, d), || rng.uniform())
}

/// Points on the unit sphere's positive orthant: a front of n points.
fn sphere(n: usize, d: usize, seed: u64) -> Array2<f64> {
    let mut rng = SplitMix64::new(seed);
    let mut m = Array2::from_shape_simple_fn((n, d), || rng.normal().abs() + 1e-12);
    for mut row in m.rows_mut() {
        let norm = row.dot(&row).sqrt();
        row /= norm;
    }
    m
}

fn bench(c: &mut Criterion) {
    for d in [2, 3] {
        let reference = Array1::from_elem(d, 1.1);
        for (shape, pts) in [
            ("uniform", uniform(5000, d, 1)),
            ("front", sphere(5000, d, 2)),
        ] {
            c.bench_function(&format!("pareto_front_{d}d_{shape}_n5000"), |b| {
                b.iter(|| pareto_front(pts.view()))
            });
            c.bench_function(&format!("hypervolume_{d}d_{shape}_n5000"), |b| {
                b.iter(|| hypervolume(pts.view(), reference.view()))
            });
        }
    }
    let big = uniform(100_000, 2, 3);
    c.bench_function("pareto_front_2d_uniform_n100000", |b| {
        b.iter(|| pareto_front(big.view()))
    });
    let big_front = sphere(100_000, 2, 4);
    c.bench_function("pareto_front_2d_front_n100000", |b| {
        b.iter(|| pareto_front(big_front.view()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
