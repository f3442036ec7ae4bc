//! Building kernels from kernels: sums, products, scaling, column selection,
//! and precomputed matrices.

use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::kernel::{Kernel, positive};
use voltai_core::{Error, Result, check};

fn split_set(a: &mut dyn Kernel, b: &mut dyn Kernel, p: &[f64]) -> Result<()> {
    let na = a.log_params().len();
    check::same_len(
        "combined log-parameters",
        na + b.log_params().len(),
        p.len(),
    )?;
    a.set_log_params(&p[..na])?;
    b.set_log_params(&p[na..])
}

/// Parameter names of a two-kernel combination, prefixed `k1.` / `k2.`.
fn joint_names(a: &dyn Kernel, b: &dyn Kernel) -> Vec<String> {
    let mut n: Vec<String> = a
        .param_names()
        .into_iter()
        .map(|s| format!("k1.{s}"))
        .collect();
    n.extend(b.param_names().into_iter().map(|s| format!("k2.{s}")));
    n
}

fn joint_dim(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    a.or(b)
}

/// `k₁ + k₂`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sum<A, B>(pub A, pub B);

impl<A: Kernel, B: Kernel> Kernel for Sum<A, B> {
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        self.0.eval(a, b) + self.1.eval(a, b)
    }
    fn eval_same(&self, a: &[f64]) -> f64 {
        self.0.eval_same(a) + self.1.eval_same(a)
    }
    fn input_dim(&self) -> Option<usize> {
        joint_dim(self.0.input_dim(), self.1.input_dim())
    }
    fn param_names(&self) -> Vec<String> {
        joint_names(&self.0, &self.1)
    }
    fn log_params(&self) -> Vec<f64> {
        [self.0.log_params(), self.1.log_params()].concat()
    }
    fn n_params(&self) -> usize {
        self.0.n_params() + self.1.n_params()
    }
    fn set_log_params(&mut self, p: &[f64]) -> Result<()> {
        split_set(&mut self.0, &mut self.1, p)
    }
    fn eval_grad(&self, a: &[f64], b: &[f64], grad: &mut [f64]) -> f64 {
        let na = self.0.n_params();
        let (g1, g2) = grad.split_at_mut(na);
        self.0.eval_grad(a, b, g1) + self.1.eval_grad(a, b, g2)
    }
    fn eval_same_grad(&self, a: &[f64], grad: &mut [f64]) -> f64 {
        let na = self.0.n_params();
        let (g1, g2) = grad.split_at_mut(na);
        self.0.eval_same_grad(a, g1) + self.1.eval_same_grad(a, g2)
    }
}

/// `k₁ · k₂`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product<A, B>(pub A, pub B);

impl<A: Kernel, B: Kernel> Kernel for Product<A, B> {
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        self.0.eval(a, b) * self.1.eval(a, b)
    }
    fn eval_same(&self, a: &[f64]) -> f64 {
        self.0.eval_same(a) * self.1.eval_same(a)
    }
    fn input_dim(&self) -> Option<usize> {
        joint_dim(self.0.input_dim(), self.1.input_dim())
    }
    fn param_names(&self) -> Vec<String> {
        joint_names(&self.0, &self.1)
    }
    fn log_params(&self) -> Vec<f64> {
        [self.0.log_params(), self.1.log_params()].concat()
    }
    fn n_params(&self) -> usize {
        self.0.n_params() + self.1.n_params()
    }
    fn set_log_params(&mut self, p: &[f64]) -> Result<()> {
        split_set(&mut self.0, &mut self.1, p)
    }
    fn eval_grad(&self, a: &[f64], b: &[f64], grad: &mut [f64]) -> f64 {
        let na = self.0.n_params();
        let (g1, g2) = grad.split_at_mut(na);
        let k1 = self.0.eval_grad(a, b, g1);
        let k2 = self.1.eval_grad(a, b, g2);
        g1.iter_mut().for_each(|g| *g *= k2);
        g2.iter_mut().for_each(|g| *g *= k1);
        k1 * k2
    }
    fn eval_same_grad(&self, a: &[f64], grad: &mut [f64]) -> f64 {
        let na = self.0.n_params();
        let (g1, g2) = grad.split_at_mut(na);
        let k1 = self.0.eval_same_grad(a, g1);
        let k2 = self.1.eval_same_grad(a, g2);
        g1.iter_mut().for_each(|g| *g *= k2);
        g2.iter_mut().for_each(|g| *g *= k1);
        k1 * k2
    }
}

/// `σ² · k` with a learnable signal variance σ².
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scaled<K> {
    variance: f64,
    kernel: K,
}

impl<K: Kernel> Scaled<K> {
    /// σ² > 0 times `kernel`.
    pub fn new(variance: f64, kernel: K) -> Result<Self> {
        Ok(Scaled {
            variance: positive("variance", variance)?,
            kernel,
        })
    }

    /// The signal variance σ².
    pub fn variance(&self) -> f64 {
        self.variance
    }

    /// The scaled kernel.
    pub fn inner(&self) -> &K {
        &self.kernel
    }
}

impl<K: Kernel> Kernel for Scaled<K> {
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        self.variance * self.kernel.eval(a, b)
    }
    fn eval_same(&self, a: &[f64]) -> f64 {
        self.variance * self.kernel.eval_same(a)
    }
    fn input_dim(&self) -> Option<usize> {
        self.kernel.input_dim()
    }
    fn param_names(&self) -> Vec<String> {
        let mut n = vec!["variance".to_string()];
        n.extend(self.kernel.param_names());
        n
    }
    fn log_params(&self) -> Vec<f64> {
        let mut p = vec![self.variance.ln()];
        p.extend(self.kernel.log_params());
        p
    }
    fn n_params(&self) -> usize {
        1 + self.kernel.n_params()
    }
    fn set_log_params(&mut self, p: &[f64]) -> Result<()> {
        check::same_len(
            "Scaled log-parameters",
            1 + self.kernel.log_params().len(),
            p.len(),
        )?;
        self.variance = positive("variance", p[0].exp())?;
        self.kernel.set_log_params(&p[1..])
    }
    fn eval_grad(&self, a: &[f64], b: &[f64], grad: &mut [f64]) -> f64 {
        let k = self.kernel.eval_grad(a, b, &mut grad[1..]);
        grad[1..].iter_mut().for_each(|g| *g *= self.variance);
        grad[0] = self.variance * k;
        self.variance * k
    }
    fn eval_same_grad(&self, a: &[f64], grad: &mut [f64]) -> f64 {
        let k = self.kernel.eval_same_grad(a, &mut grad[1..]);
        grad[1..].iter_mut().for_each(|g| *g *= self.variance);
        grad[0] = self.variance * k;
        self.variance * k
    }
}

/// A kernel applied to a subset of the input columns (one modality of a
/// multi-modal feature vector, e.g. the EIS block or the cycling block).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnColumns<K> {
    columns: Vec<usize>,
    /// Minimum input width the column list requires.
    min_dim: usize,
    kernel: K,
}

impl<K: Kernel> OnColumns<K> {
    /// `kernel` evaluated on `columns` (0-based, non-empty, no repeats).
    pub fn new(columns: Vec<usize>, kernel: K) -> Result<Self> {
        if columns.is_empty() {
            return Err(Error::EmptyInput("column selection is empty".into()));
        }
        let mut sorted = columns.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != columns.len() {
            return Err(Error::InvalidInput(
                "column selection repeats a column".into(),
            ));
        }
        if let Some(d) = kernel.input_dim() {
            check::same_len(
                "inner kernel dimension vs selected columns",
                d,
                columns.len(),
            )?;
        }
        let min_dim = sorted.last().map_or(0, |m| m + 1);
        Ok(OnColumns {
            columns,
            min_dim,
            kernel,
        })
    }

    /// The selected columns.
    pub fn columns(&self) -> &[usize] {
        &self.columns
    }

    /// The selected values of `a`: a borrowed slice when the columns are a
    /// contiguous ascending run (no copy in the Gram and gradient loops,
    /// which call this n² times), a copy otherwise.
    fn pick<'a>(&self, a: &'a [f64]) -> std::borrow::Cow<'a, [f64]> {
        let first = self.columns[0];
        let contiguous = self
            .columns
            .iter()
            .enumerate()
            .all(|(i, &c)| c == first + i);
        if contiguous {
            std::borrow::Cow::Borrowed(&a[first..first + self.columns.len()])
        } else {
            std::borrow::Cow::Owned(self.columns.iter().map(|&c| a[c]).collect())
        }
    }
}

impl<K: Kernel> Kernel for OnColumns<K> {
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        self.kernel.eval(&self.pick(a), &self.pick(b))
    }
    fn eval_same(&self, a: &[f64]) -> f64 {
        self.kernel.eval_same(&self.pick(a))
    }
    fn check_input(&self, x: ArrayView2<'_, f64>) -> Result<()> {
        check::non_empty2("kernel input", x)?;
        check::finite2("kernel input", x)?;
        if x.ncols() < self.min_dim {
            return Err(Error::shape_mismatch(
                "kernel input needs the selected columns",
                [x.nrows(), self.min_dim],
                [x.nrows(), x.ncols()],
            ));
        }
        Ok(())
    }
    /// The inner kernel's names, with per-column indices mapped to the
    /// input's columns (`length_scale[1]` of the second picked column `c`
    /// becomes `length_scale[c]`) and an isotropic length-scale named with
    /// its columns (`length_scale{2,5}`).
    fn param_names(&self) -> Vec<String> {
        self.kernel
            .param_names()
            .into_iter()
            .map(|name| {
                let (head, last) = match name.rsplit_once('.') {
                    Some((h, l)) => (format!("{h}."), l.to_string()),
                    None => (String::new(), name.clone()),
                };
                let Some(rest) = last.strip_prefix("length_scale") else {
                    return name;
                };
                let mapped = match rest
                    .strip_prefix('[')
                    .and_then(|r| r.strip_suffix(']'))
                    .and_then(|r| r.parse::<usize>().ok())
                {
                    Some(k) => match self.columns.get(k) {
                        Some(c) => format!("length_scale[{c}]"),
                        None => return name,
                    },
                    None if rest.is_empty() => {
                        let cols: Vec<String> =
                            self.columns.iter().map(|c| c.to_string()).collect();
                        format!("length_scale{{{}}}", cols.join(","))
                    }
                    None => return name,
                };
                format!("{head}{mapped}")
            })
            .collect()
    }
    fn log_params(&self) -> Vec<f64> {
        self.kernel.log_params()
    }
    fn n_params(&self) -> usize {
        self.kernel.n_params()
    }
    fn set_log_params(&mut self, p: &[f64]) -> Result<()> {
        self.kernel.set_log_params(p)
    }
    fn eval_grad(&self, a: &[f64], b: &[f64], grad: &mut [f64]) -> f64 {
        self.kernel.eval_grad(&self.pick(a), &self.pick(b), grad)
    }
    fn eval_same_grad(&self, a: &[f64], grad: &mut [f64]) -> f64 {
        self.kernel.eval_same_grad(&self.pick(a), grad)
    }
    // Select the columns once instead of per pair.
    fn gram(&self, x: ArrayView2<'_, f64>, y: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.check_input(x)?;
        self.check_input(y)?;
        self.kernel.gram(
            x.select(Axis(1), &self.columns).view(),
            y.select(Axis(1), &self.columns).view(),
        )
    }
    fn gram_sym(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.check_input(x)?;
        self.kernel
            .gram_sym(x.select(Axis(1), &self.columns).view())
    }
}

/// A precomputed kernel matrix over a fixed set of samples. Inputs are
/// one-column matrices of *sample indices* into that matrix, so every model
/// that takes a kernel also takes a precomputed one (fit on the training
/// indices, predict on the test indices).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Precomputed {
    matrix: Array2<f64>,
}

impl Precomputed {
    /// A square, symmetric, finite kernel matrix.
    pub fn new(matrix: Array2<f64>) -> Result<Self> {
        let (n, m) = matrix.dim();
        if n != m {
            return Err(Error::shape_mismatch(
                "precomputed kernel must be square",
                [n, n],
                [n, m],
            ));
        }
        check::non_empty2("precomputed kernel", matrix.view())?;
        check::finite2("precomputed kernel", matrix.view())?;
        for i in 0..n {
            for j in 0..i {
                let (a, b) = (matrix[[i, j]], matrix[[j, i]]);
                if (a - b).abs() > 1e-10 * (1.0 + a.abs().max(b.abs())) {
                    return Err(Error::InvalidInput(format!(
                        "precomputed kernel is not symmetric at ({i}, {j}): {a} vs {b}"
                    )));
                }
            }
        }
        Ok(Precomputed { matrix })
    }

    /// The index column `[[0], [1], …, [n−1]]` addressing every sample.
    pub fn indices(&self) -> Array2<f64> {
        Array2::from_shape_fn((self.matrix.nrows(), 1), |(i, _)| i as f64)
    }

    fn idx(&self, a: &[f64]) -> usize {
        // check_input guarantees a valid integral index before any evaluation.
        (a.first().copied().unwrap_or(0.0) as usize).min(self.matrix.nrows() - 1)
    }
}

impl Kernel for Precomputed {
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        self.matrix[[self.idx(a), self.idx(b)]]
    }
    fn input_dim(&self) -> Option<usize> {
        Some(1)
    }
    fn check_input(&self, x: ArrayView2<'_, f64>) -> Result<()> {
        check::non_empty2("precomputed kernel indices", x)?;
        check::n_features("precomputed kernel indices", x, 1)?;
        let n = self.matrix.nrows();
        for (i, &v) in x.column(0).iter().enumerate() {
            if !(v >= 0.0 && v.fract() == 0.0 && (v as usize) < n) {
                return Err(Error::InvalidInput(format!(
                    "row {i}: `{v}` is not a sample index in [0, {n})"
                )));
            }
        }
        Ok(())
    }
}
