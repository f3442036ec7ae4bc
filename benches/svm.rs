//! Criterion benchmarks of the SVM hot paths: RBF Gram rows, C-SVC fit and predict,
//! one-class fit, on the portable synthetic set (n = 2000, d = 20).
//! The head-to-head against scikit-learn is `benches/compare/svm.py`.

use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::Array1;
use voltai::core::synthetic::SplitMix64;
use voltai::core::{Classifier, Dataset, Fit};
use voltai::kernels::kernels::Rbf;
use voltai::kernels::{ClassWeight, Kernel, OneClassSvmParams, SvcParams};

fn data(n: usize, d: usize) -> Dataset {
    let mut rng = SplitMix64::new(42);
    let x = rng.normal_matrix(n, d);
    let y: Array1<f64> = (0..n)
        .map(|i| f64::from(u8::from(x[[i, 0]] + 0.5 * x[[i, 1]] * x[[i, 2]] > 1.2)))
        .collect();
    Dataset::new(x, y).unwrap_or_else(|e| panic!("synthetic data: {e}"))
}

fn bench(c: &mut Criterion) {
    let d = data(2000, 20);
    let k = Rbf::from_gamma(0.05).unwrap_or_else(|e| panic!("{e}"));
    c.bench_function("rbf_gram_2000x2000_d20", |b| {
        b.iter(|| k.gram_sym(d.features()))
    });
    let params = SvcParams::new(k.clone())
        .class_weight(ClassWeight::Balanced)
        .unwrap_or_else(|e| panic!("{e}"));
    c.bench_function("svc_fit_n2000_d20", |b| b.iter(|| params.fit(&d)));
    let model = params.fit(&d).unwrap_or_else(|e| panic!("{e}"));
    c.bench_function("svc_predict_n2000_d20", |b| {
        b.iter(|| model.decision_function(d.features()))
    });
    let oc = OneClassSvmParams::new(k)
        .nu(0.1)
        .unwrap_or_else(|e| panic!("{e}"));
    c.bench_function("ocsvm_fit_n2000_d20", |b| b.iter(|| oc.fit(&d)));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
