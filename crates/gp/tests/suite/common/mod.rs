//! Test data shared with tools/reference/gp/make_reference.py.
#![allow(dead_code)]

use ndarray::{Array1, Array2};
use voltai_core::synthetic::SplitMix64;

pub fn reference(name: &str) -> serde_json::Value {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tools/reference/gp")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

pub fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// `problem` of make_reference.py.
pub fn problem(n: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = SplitMix64::new(seed);
    let x = rng.normal_matrix(n, 3);
    let noise: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let y = (0..n)
        .map(|i| (2.0 * x[[i, 0]]).sin() + x[[i, 1]].cos() * x[[i, 2]] + 0.1 * noise[i])
        .collect();
    (x, y)
}
