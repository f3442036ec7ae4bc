//! Pieces shared by the SMO-trained models: input preparation, kernel
//! expansions over support vectors, and progress plumbing.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::kernel::Kernel;
use voltai_core::{Result, check};

/// Validates the misclassification cost C > 0 (shared by C-SVC, ε-SVR and MKL).
pub(crate) fn positive_c(c: f64) -> Result<f64> {
    if c.is_finite() && c > 0.0 {
        Ok(c)
    } else {
        Err(voltai_core::Error::invalid_parameter("C", c, "(0, inf)"))
    }
}

/// Row-major copy of a feature matrix (the solver permutes rows in place).
pub(crate) fn flatten(x: ArrayView2<'_, f64>) -> Vec<f64> {
    x.as_standard_layout().iter().copied().collect()
}

/// Validates a training matrix against the kernel.
pub(crate) fn check_train<K: Kernel>(kernel: &K, x: ArrayView2<'_, f64>) -> Result<()> {
    kernel.check_input(x)
}

/// The features of a training set, checked against the kernel.
pub(crate) fn training_features<'a, K: Kernel>(
    kernel: &K,
    data: &'a voltai_core::Dataset,
) -> Result<ArrayView2<'a, f64>> {
    let x = data.features();
    check_train(kernel, x)?;
    Ok(x)
}

/// The solver-options setter of every SMO-trained params type (C-SVC,
/// ε-SVR, one-class), written once.
macro_rules! smo_setter {
    () => {
        /// Solver options (tolerance, shrinking, cache size, iteration cap).
        pub fn smo(mut self, opts: SmoOptions) -> Result<Self> {
            opts.check()?;
            self.smo = opts;
            Ok(self)
        }
    };
}
pub(crate) use smo_setter;

/// One kernel expansion over a subset of the support vectors:
/// f(x) = Σ_j coef_j K(x, sv_{members_j}) − rho.
pub(crate) struct Expansion<'a> {
    pub members: &'a [usize],
    pub coef: &'a [f64],
    pub rho: f64,
}

/// Rows of test points handled per rayon task.
const ROWS_PER_TASK: usize = 64;

/// The value of every expansion at every row of `x`, `n × expansions.len()`.
///
/// Each row's kernel values against all support vectors go into a buffer of
/// one row per thread and are used at once by every expansion: the full
/// `n × n_sv` Gram matrix is never built (531 MB for 20 000 points and 3 321
/// support vectors, whose page faults alone cost more than the kernel).
pub(crate) fn expansions<K: Kernel>(
    kernel: &K,
    support: &Array2<f64>,
    x: ArrayView2<'_, f64>,
    expansions: &[Expansion<'_>],
) -> Result<Array2<f64>> {
    check::predict_input(x, support.ncols())?;
    kernel.check_input(x)?;
    let (n, m, d) = (x.nrows(), expansions.len(), x.ncols());
    let x = x.as_standard_layout();
    let support = support.as_standard_layout();
    let (xs, svs) = match (x.as_slice(), support.as_slice()) {
        (Some(xs), Some(svs)) => (xs, svs),
        _ => {
            return Err(voltai_core::Error::numerical(
                "kernel expansion",
                "a standard-layout copy is not contiguous",
            ));
        }
    };
    let n_sv = support.nrows();
    let mut out = vec![0.0; n * m];
    if m > 0 {
        out.par_chunks_mut(m * ROWS_PER_TASK)
            .enumerate()
            .for_each_init(
                || vec![0.0; n_sv],
                |k, (task, values)| {
                    for (r, value) in values.chunks_mut(m).enumerate() {
                        let i = task * ROWS_PER_TASK + r;
                        kernel.eval_row(&xs[i * d..(i + 1) * d], svs, k);
                        for (v, e) in value.iter_mut().zip(expansions) {
                            *v = e
                                .members
                                .iter()
                                .zip(e.coef)
                                .map(|(&j, &c)| c * k[j])
                                .sum::<f64>()
                                - e.rho;
                        }
                    }
                },
            );
    }
    Array2::from_shape_vec((n, m), out)
        .map_err(|e| voltai_core::Error::numerical("kernel expansion", e.to_string()))
}

/// f(x) = Σ_i c_i k(sv_i, x) − ρ over the support vectors of one dual solution
/// (one-class SVM and ε-SVR; C-SVC keeps one per binary machine).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KernelExpansion {
    pub support_vectors: Array2<f64>,
    /// Training-row indices of the support vectors.
    pub support: Vec<usize>,
    pub dual_coef: Vec<f64>,
    pub rho: f64,
}

impl KernelExpansion {
    /// Keeps the rows of `x` whose coefficient is non-zero.
    pub(crate) fn from_coefficients(x: ArrayView2<'_, f64>, coef: &[f64], rho: f64) -> Self {
        let support: Vec<usize> = (0..coef.len()).filter(|&i| coef[i] != 0.0).collect();
        KernelExpansion {
            support_vectors: x.select(Axis(0), &support),
            dual_coef: support.iter().map(|&i| coef[i]).collect(),
            support,
            rho,
        }
    }

    /// f at every row of `x`.
    pub(crate) fn evaluate<K: Kernel>(
        &self,
        kernel: &K,
        x: ArrayView2<'_, f64>,
    ) -> Result<Array1<f64>> {
        let members: Vec<usize> = (0..self.support.len()).collect();
        let f = expansions(
            kernel,
            &self.support_vectors,
            x,
            &[Expansion {
                members: &members,
                coef: &self.dual_coef,
                rho: self.rho,
            }],
        )?;
        Ok(f.column(0).to_owned())
    }
}
