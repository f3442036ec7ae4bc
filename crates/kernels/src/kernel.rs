//! The `Kernel` trait: evaluation, Gram matrices, diagonal and log-space gradients.

use ndarray::{Array1, Array2, ArrayView2};
use rayon::prelude::*;

/// Gram matrices with fewer entries than this are filled on one thread.
const SERIAL_BELOW: usize = 16_384;

use voltai_core::{Error, Result, check};

/// A positive-semidefinite kernel k(a, b) on real feature vectors.
///
/// Hyperparameters are exposed in log space (`log_params`), with gradients of
/// k with respect to them, so a marginal-likelihood optimiser can work on an
/// unconstrained scale. Kernels without trainable hyperparameters report none.
pub trait Kernel: Send + Sync {
    /// k(a, b) for two points of equal length.
    fn eval(&self, a: &[f64], b: &[f64]) -> f64;

    /// `out[j] = k(a, x_j)` for the rows `x_j` of a row-major block `xs`
    /// (`out.len()` rows of `a.len()` values). Kernels override this with a
    /// vectorised loop; the SMO solver fills its kernel rows through it.
    fn eval_row(&self, a: &[f64], xs: &[f64], out: &mut [f64]) {
        let d = a.len();
        for (j, o) in out.iter_mut().enumerate() {
            *o = self.eval(a, &xs[j * d..(j + 1) * d]);
        }
    }

    /// k(a, a) for the *same* sample (differs from `eval(a, a)` only for
    /// white noise, which is added on the diagonal of a training Gram matrix).
    fn eval_same(&self, a: &[f64]) -> f64 {
        self.eval(a, a)
    }

    /// The number of input features the kernel requires, if fixed (ARD, column selection).
    fn input_dim(&self) -> Option<usize> {
        None
    }

    /// Names of the hyperparameters, in `log_params` order.
    fn param_names(&self) -> Vec<String> {
        Vec::new()
    }

    /// Natural logs of the hyperparameters.
    fn log_params(&self) -> Vec<f64> {
        Vec::new()
    }

    /// Sets hyperparameters from natural logs (length must match `log_params`).
    fn set_log_params(&mut self, p: &[f64]) -> Result<()> {
        check::same_len("kernel log-parameters", 0, p.len())
    }

    /// Number of hyperparameters (`log_params().len()` without allocating;
    /// combinators call it on every gradient evaluation).
    fn n_params(&self) -> usize {
        self.log_params().len()
    }

    /// k(a, b) and its gradient with respect to the log-hyperparameters
    /// (written into `grad`, of length `log_params().len()`).
    fn eval_grad(&self, a: &[f64], b: &[f64], grad: &mut [f64]) -> f64 {
        grad.iter_mut().for_each(|g| *g = 0.0);
        self.eval(a, b)
    }

    /// [`Kernel::eval_same`] with its gradient.
    fn eval_same_grad(&self, a: &[f64], grad: &mut [f64]) -> f64 {
        self.eval_grad(a, a, grad)
    }

    /// Checks that `x` is usable with this kernel: non-empty, finite, right width.
    fn check_input(&self, x: ArrayView2<'_, f64>) -> Result<()> {
        check::non_empty2("kernel input", x)?;
        check::finite2("kernel input", x)?;
        if let Some(d) = self.input_dim()
            && x.ncols() != d
        {
            return Err(Error::shape_mismatch(
                "kernel input dimension",
                [x.nrows(), d],
                [x.nrows(), x.ncols()],
            ));
        }
        Ok(())
    }

    /// Cross Gram matrix K[i, j] = k(x_i, y_j), computed in parallel over rows.
    fn gram(&self, x: ArrayView2<'_, f64>, y: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.check_input(x)?;
        self.check_input(y)?;
        check::n_features("kernel second input", y, x.ncols())?;
        let (x, y) = (x.as_standard_layout(), y.as_standard_layout());
        let (n, m, d) = (x.nrows(), y.nrows(), x.ncols());
        let (xs, ys) = (x.as_slice().unwrap_or(&[]), y.as_slice().unwrap_or(&[]));
        let mut out = vec![0.0; n * m];
        // Whole rows through `eval_row`, which kernels vectorise (the RBF's
        // exponentials then run four or two to an instruction).
        let fill = |(i, row): (usize, &mut [f64])| {
            self.eval_row(&xs[i * d..(i + 1) * d], ys, row);
        };
        // Below ~16k entries thread hand-offs cost more than they save.
        if n * m < SERIAL_BELOW {
            out.chunks_mut(m.max(1)).enumerate().for_each(fill);
        } else {
            out.par_chunks_mut(m.max(1)).enumerate().for_each(fill);
        }
        Array2::from_shape_vec((n, m), out).map_err(|e| Error::InvalidInput(e.to_string()))
    }

    /// Symmetric training Gram matrix K[i, j] = k(x_i, x_j), with
    /// [`Kernel::eval_same`] on the diagonal.
    fn gram_sym(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.check_input(x)?;
        let x = x.as_standard_layout();
        let (n, d) = (x.nrows(), x.ncols());
        let xs = x.as_slice().unwrap_or(&[]);
        let mut out = vec![0.0; n * n];
        let fill = |(i, row): (usize, &mut [f64])| {
            let a = &xs[i * d..(i + 1) * d];
            self.eval_row(a, &xs[..i * d], &mut row[..i]);
            row[i] = self.eval_same(a);
        };
        if n * n < SERIAL_BELOW {
            out.chunks_mut(n.max(1)).enumerate().for_each(fill);
        } else {
            out.par_chunks_mut(n.max(1)).enumerate().for_each(fill);
        }
        for i in 0..n {
            for j in i + 1..n {
                out[i * n + j] = out[j * n + i];
            }
        }
        Array2::from_shape_vec((n, n), out).map_err(|e| Error::InvalidInput(e.to_string()))
    }

    /// Diagonal k(x_i, x_i) of the training Gram matrix.
    fn diag(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        self.check_input(x)?;
        let x = x.as_standard_layout();
        Ok(x.rows()
            .into_iter()
            .map(|r| self.eval_same(r.as_slice().unwrap_or(&[])))
            .collect())
    }

    /// Training Gram matrix and its derivative with respect to each log-hyperparameter.
    fn gram_with_grad(&self, x: ArrayView2<'_, f64>) -> Result<(Array2<f64>, Vec<Array2<f64>>)> {
        self.check_input(x)?;
        let p = self.log_params().len();
        let x = x.as_standard_layout();
        let (n, d) = (x.nrows(), x.ncols());
        let xs = x.as_slice().unwrap_or(&[]);
        // One row of values and p rows of gradients per i, computed in parallel.
        let rows: Vec<(Vec<f64>, Vec<f64>)> = (0..n)
            .into_par_iter()
            .map(|i| {
                let a = &xs[i * d..(i + 1) * d];
                let mut vals = vec![0.0; i + 1];
                let mut grads = vec![0.0; (i + 1) * p];
                for j in 0..=i {
                    let g = &mut grads[j * p..(j + 1) * p];
                    vals[j] = if j == i {
                        self.eval_same_grad(a, g)
                    } else {
                        self.eval_grad(a, &xs[j * d..(j + 1) * d], g)
                    };
                }
                (vals, grads)
            })
            .collect();
        let mut k = Array2::zeros((n, n));
        let mut dk = vec![Array2::zeros((n, n)); p];
        for (i, (vals, grads)) in rows.iter().enumerate() {
            for j in 0..=i {
                k[[i, j]] = vals[j];
                k[[j, i]] = vals[j];
                for (q, m) in dk.iter_mut().enumerate() {
                    m[[i, j]] = grads[j * p + q];
                    m[[j, i]] = grads[j * p + q];
                }
            }
        }
        Ok((k, dk))
    }
}

impl<K: Kernel + ?Sized> Kernel for Box<K> {
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        (**self).eval(a, b)
    }
    fn eval_same(&self, a: &[f64]) -> f64 {
        (**self).eval_same(a)
    }
    fn eval_row(&self, a: &[f64], xs: &[f64], out: &mut [f64]) {
        (**self).eval_row(a, xs, out)
    }
    fn input_dim(&self) -> Option<usize> {
        (**self).input_dim()
    }
    fn param_names(&self) -> Vec<String> {
        (**self).param_names()
    }
    fn log_params(&self) -> Vec<f64> {
        (**self).log_params()
    }
    fn set_log_params(&mut self, p: &[f64]) -> Result<()> {
        (**self).set_log_params(p)
    }
    fn n_params(&self) -> usize {
        (**self).n_params()
    }
    fn eval_grad(&self, a: &[f64], b: &[f64], grad: &mut [f64]) -> f64 {
        (**self).eval_grad(a, b, grad)
    }
    fn eval_same_grad(&self, a: &[f64], grad: &mut [f64]) -> f64 {
        (**self).eval_same_grad(a, grad)
    }
    fn gram(&self, x: ArrayView2<'_, f64>, y: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        (**self).gram(x, y)
    }
    fn gram_sym(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        (**self).gram_sym(x)
    }
}

/// Validates a strictly positive, finite hyperparameter.
pub(crate) fn positive(name: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(Error::invalid_parameter(name, v, "(0, inf)"))
    }
}

/// exp(x) to about 1 ulp for x ≤ 709, written without calls or branches so a
/// loop over it vectorises (libm's `exp` was a third of SVM training time).
/// Inputs below −708 return a value below 1e-307 instead of an exact 0.
#[inline(always)]
pub(crate) fn fast_exp(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = 0.693_147_180_369_123_8;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // 1.5·2^52: adding it rounds to an integer held in the low mantissa bits.
    const SHIFTER: f64 = 6_755_399_441_055_744.0;
    let x = x.clamp(-708.0, 709.0);
    let t = x * LOG2E + SHIFTER;
    let k = t - SHIFTER;
    let r = x - k * LN2_HI - k * LN2_LO;
    // Taylor series of e^r on |r| ≤ ln2/2 to degree 12 (truncation < 2e-16).
    let mut p = 1.0 / 479_001_600.0;
    p = p * r + 1.0 / 39_916_800.0;
    p = p * r + 1.0 / 3_628_800.0;
    p = p * r + 1.0 / 362_880.0;
    p = p * r + 1.0 / 40_320.0;
    p = p * r + 1.0 / 5_040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // Multiply by 2^k by adding k to the exponent field.
    let ki = (t.to_bits() as i64).wrapping_sub(SHIFTER.to_bits() as i64);
    f64::from_bits((p.to_bits() as i64).wrapping_add(ki << 52) as u64)
}

/// Squared Euclidean distance. Four independent accumulators let the
/// compiler vectorise (a single running sum cannot be reordered).
#[inline]
pub(crate) fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            let t = x[k] - y[k];
            acc[k] += t * t;
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| (x - y) * (x - y)).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Dot product, vectorisable like [`sq_dist`].
#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}
