//! Criterion benchmarks of GP fitting and prediction (3-D problem, n = 300).
//! The head-to-head against scikit-learn is `benches/compare/gp.py`.

use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::Array1;
use voltai::core::synthetic::SplitMix64;
use voltai::core::{Dataset, Fit, ProbabilisticRegressor};
use voltai::gp::GpParams;
use voltai::kernels::kernels::{Rbf, Scaled, Sum, White};

fn bench(c: &mut Criterion) {
    let mut rng = SplitMix64::new(1);
    let x = rng.normal_matrix(300, 3);
    let y: Array1<f64> = x
        .rows()
        .into_iter()
        .map(|r| (2.0 * r[0]).sin() + r[1].cos() * r[2])
        .collect();
    let data = Dataset::new(x.clone(), y).unwrap_or_else(|e| panic!("{e}"));
    let kernel = || {
        Sum(
            Scaled::new(
                1.0,
                Rbf::ard(vec![1.0; 3]).unwrap_or_else(|e| panic!("{e}")),
            )
            .unwrap_or_else(|e| panic!("{e}")),
            White::new(0.1).unwrap_or_else(|e| panic!("{e}")),
        )
    };
    c.bench_function("gp_fit_fixed_n300", |b| {
        b.iter(|| GpParams::new(kernel()).fit(&data))
    });
    c.bench_function("gp_fit_optimised_n300", |b| {
        b.iter(|| GpParams::new(kernel()).optimize(0, 0).fit(&data))
    });
    let gp = GpParams::new(kernel())
        .fit(&data)
        .unwrap_or_else(|e| panic!("{e}"));
    c.bench_function("gp_predict_dist_300x300", |b| {
        b.iter(|| gp.predict_dist(x.view()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
