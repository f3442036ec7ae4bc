//! Shared test data: the shipped breast-cancer table, the portable synthetic
//! sets of `tools/reference/common.py`, and the stored reference values.
#![allow(dead_code)]

use std::path::PathBuf;

use ndarray::{Array1, Array2};
use voltai_core::{Dataset, Fit, StandardScaler};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn reference(name: &str) -> serde_json::Value {
    let p = repo_root().join("tools/reference/svm").join(name);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

pub fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Standardised features with 0/1 labels.
pub fn standardised(x: Array2<f64>, y: Array1<f64>) -> Dataset {
    let d = Dataset::new(x, y).unwrap();
    StandardScaler::new()
        .fit(&d)
        .unwrap()
        .transform_dataset(&d)
        .unwrap()
}

pub fn breast_cancer() -> Dataset {
    let text = std::fs::read_to_string(repo_root().join("data/breast_cancer.csv")).unwrap();
    let mut rows = Vec::new();
    let mut y = Vec::new();
    for line in text.lines().skip(1) {
        let v: Vec<f64> = line.split(',').map(|s| s.parse().unwrap()).collect();
        y.push(v[v.len() - 1]);
        rows.extend_from_slice(&v[..v.len() - 1]);
    }
    let n = y.len();
    standardised(
        Array2::from_shape_vec((n, rows.len() / n), rows).unwrap(),
        Array1::from(y),
    )
}

/// `imbalanced` of tools/reference/common.py.
pub fn imbalanced(n: usize, d: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    voltai_core::synthetic::imbalanced_classification(n, d, seed)
}
