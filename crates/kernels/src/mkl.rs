//! Multiple kernel learning: a convex combination Σ d_m K_m (d ≥ 0, Σ d = 1)
//! of base kernels — one per modality — for SVM classification, with the
//! weights reported so a user reads which modality mattered.
//!
//! - [`MklMethod::SimpleMkl`]: Rakotomamonjy et al. (2008): reduced-gradient
//!   descent on the simplex of the SVM dual objective J(d), with Armijo
//!   backtracking; each step solves an SVM on the combined Gram matrix.
//! - [`MklMethod::Alignf`]: Cortes, Mohri & Rostamizadeh (2012): weights that
//!   maximise the centred alignment of the combination with yyᵀ (a small
//!   non-negative quadratic programme), then one SVM.
//! - [`MklMethod::Uniform`]: the average kernel, the baseline to beat.

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::cka::center_gram;
use crate::kernel::Kernel;
use crate::kernels::Precomputed;
use crate::smo::SmoOptions;
use crate::svc::{ClassWeight, Svc, SvcParams};
use voltai_core::{Classifier, Dataset, Error, Fit, Result};

/// A fixed convex combination of kernels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightedSum<K> {
    kernels: Vec<K>,
    weights: Vec<f64>,
}

impl<K: Kernel> WeightedSum<K> {
    /// Kernels with non-negative weights (same length, not all zero).
    pub fn new(kernels: Vec<K>, weights: Vec<f64>) -> Result<Self> {
        voltai_core::check::same_len("MKL weights vs kernels", kernels.len(), weights.len())?;
        if kernels.is_empty() {
            return Err(Error::EmptyInput("no kernels to combine".into()));
        }
        if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0))
            || weights.iter().sum::<f64>() <= 0.0
        {
            return Err(Error::InvalidInput(format!(
                "kernel weights must be ≥ 0 and not all 0: {weights:?}"
            )));
        }
        Ok(WeightedSum { kernels, weights })
    }

    /// The weights.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }
}

impl<K: Kernel> Kernel for WeightedSum<K> {
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        self.kernels
            .iter()
            .zip(&self.weights)
            .filter(|(_, w)| **w > 0.0)
            .map(|(k, w)| w * k.eval(a, b))
            .sum()
    }
    fn eval_same(&self, a: &[f64]) -> f64 {
        self.kernels
            .iter()
            .zip(&self.weights)
            .filter(|(_, w)| **w > 0.0)
            .map(|(k, w)| w * k.eval_same(a))
            .sum()
    }
    fn check_input(&self, x: ArrayView2<'_, f64>) -> Result<()> {
        self.kernels.iter().try_for_each(|k| k.check_input(x))
    }
    fn gram(&self, x: ArrayView2<'_, f64>, y: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((x.nrows(), y.nrows()));
        for (k, &w) in self.kernels.iter().zip(&self.weights) {
            if w > 0.0 {
                out.scaled_add(w, &k.gram(x, y)?);
            }
        }
        Ok(out)
    }
    fn gram_sym(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((x.nrows(), x.nrows()));
        for (k, &w) in self.kernels.iter().zip(&self.weights) {
            if w > 0.0 {
                out.scaled_add(w, &k.gram_sym(x)?);
            }
        }
        Ok(out)
    }
}

/// How the kernel weights are learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MklMethod {
    /// SimpleMKL reduced-gradient descent on the SVM objective.
    SimpleMkl,
    /// Centred-alignment maximisation (ALIGNF).
    Alignf,
    /// Equal weights.
    Uniform,
}

/// Parameters of an MKL classifier (binary).
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_core::{Classifier, Dataset, Fit};
/// use voltai_kernels::{MklMethod, MklParams, kernels::{OnColumns, Rbf}};
///
/// // Column 0 separates the classes; column 1 is the same in both classes.
/// let x = array![[-1.0, 0.0], [-1.2, 1.0], [1.0, 0.0], [1.2, 1.0]];
/// let y = array![0.0, 0.0, 1.0, 1.0];
/// let kernels = vec![
///     OnColumns::new(vec![0], Rbf::new(1.0)?)?,
///     OnColumns::new(vec![1], Rbf::new(1.0)?)?,
/// ];
/// let mkl = MklParams::new(kernels)?
///     .method(MklMethod::Alignf)
///     .c(10.0)?
///     .fit(&Dataset::new(x, y)?)?;
/// assert!(mkl.weights()[0] > mkl.weights()[1]);
/// assert_eq!(mkl.predict(array![[-0.9, 0.5], [0.9, 0.5]].view())?, array![0, 1]);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MklParams<K> {
    kernels: Vec<K>,
    method: MklMethod,
    c: f64,
    class_weight: ClassWeight,
    max_iter: usize,
    tol: f64,
}

/// A fitted MKL classifier: the learned weights and the SVM on the combined kernel.
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_core::{Classifier, Dataset, Fit};
/// use voltai_kernels::{MklMethod, MklParams, kernels::{OnColumns, Rbf}};
///
/// let x = array![[-1.0, 0.0], [-1.2, 1.0], [1.0, 0.0], [1.2, 1.0]];
/// let y = array![0.0, 0.0, 1.0, 1.0];
/// let kernels = vec![
///     OnColumns::new(vec![0], Rbf::new(1.0)?)?,
///     OnColumns::new(vec![1], Rbf::new(1.0)?)?,
/// ];
/// let mkl = MklParams::new(kernels)?
///     .method(MklMethod::Uniform)
///     .fit(&Dataset::new(x, y)?)?;
/// assert_eq!(mkl.weights(), &[0.5, 0.5]);
/// assert_eq!(mkl.iterations(), 0); // only SimpleMKL iterates
/// assert_eq!(mkl.classes(), &[0, 1]);
/// assert_eq!(mkl.predict(array![[1.1, 0.5]].view())?[0], 1);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mkl<K> {
    weights: Vec<f64>,
    svc: Svc<WeightedSum<K>>,
    iterations: usize,
}

impl<K: Kernel + Clone> MklParams<K> {
    /// SimpleMKL over `kernels` with C = 1.
    pub fn new(kernels: Vec<K>) -> Result<Self> {
        if kernels.is_empty() {
            return Err(Error::EmptyInput("MKL needs at least one kernel".into()));
        }
        Ok(MklParams {
            kernels,
            method: MklMethod::SimpleMkl,
            c: 1.0,
            class_weight: ClassWeight::Uniform,
            max_iter: 50,
            tol: 1e-4,
        })
    }

    /// Weight-learning method.
    pub fn method(mut self, m: MklMethod) -> Self {
        self.method = m;
        self
    }

    /// SVM cost C > 0.
    pub fn c(mut self, c: f64) -> Result<Self> {
        self.c = crate::svm_common::positive_c(c)?;
        Ok(self)
    }

    /// Class weights of the SVM.
    pub fn class_weight(mut self, w: ClassWeight) -> Self {
        self.class_weight = w;
        self
    }

    /// SimpleMKL iteration cap (≥ 1) and tolerance on the weight change (> 0).
    pub fn stopping(mut self, max_iter: usize, tol: f64) -> Result<Self> {
        if max_iter == 0 {
            return Err(Error::invalid_parameter("max_iter", max_iter, "[1, inf)"));
        }
        if !(tol.is_finite() && tol > 0.0) {
            return Err(Error::invalid_parameter("tol", tol, "(0, inf)"));
        }
        self.max_iter = max_iter;
        self.tol = tol;
        Ok(self)
    }

    fn svc_on(&self, gram: &Array2<f64>, y: &Array1<f64>) -> Result<(Svc<Precomputed>, f64)> {
        let pre = Precomputed::new(gram.clone())?;
        let data = Dataset::new(pre.indices(), y.clone())?;
        // A tight inner tolerance: the line search compares objective values
        // whose differences shrink near the optimum, below libsvm's default 1e-3 noise.
        let tight = SmoOptions {
            tol: 1e-6,
            ..Default::default()
        };
        let svc = SvcParams::new(pre)
            .smo(tight)?
            .c(self.c)?
            .class_weight(self.class_weight.clone())?
            .fit(&data)?;
        // Dual objective J(d) = Σα − ½ Σ α_i α_j y_i y_j K_ij, from the dual coefficients.
        let m = &svc.machines()[0];
        let sv = svc.support();
        let rows: Vec<usize> = m.members.iter().map(|&k| sv[k]).collect();
        let quad = quadratic(&rows, &m.dual_coef, gram);
        let sum_alpha: f64 = m.dual_coef.iter().map(|c| c.abs()).sum();
        Ok((svc, sum_alpha - 0.5 * quad))
    }

    /// Learns the weights and fits the final SVM ([`Fit::fit`]).
    fn fit_mkl(&self, data: &Dataset) -> Result<Mkl<K>> {
        let x = data.features();
        let labels = data.labels()?;
        let mut classes = labels.to_vec();
        classes.sort_unstable();
        classes.dedup();
        if classes.len() != 2 {
            return Err(Error::InvalidInput(format!(
                "MKL supports binary labels; found classes {classes:?}"
            )));
        }
        let y: Array1<f64> = labels
            .iter()
            .map(|&l| if l == classes[1] { 1.0 } else { -1.0 })
            .collect();
        let grams = self
            .kernels
            .iter()
            .map(|k| k.gram_sym(x))
            .collect::<Result<Vec<_>>>()?;
        let m = grams.len();
        let (weights, iterations) = match self.method {
            MklMethod::Uniform => (vec![1.0 / m as f64; m], 0),
            MklMethod::Alignf => (alignf(&grams, &y)?, 0),
            MklMethod::SimpleMkl => self.simple_mkl(&grams, &y)?,
        };
        let combined = WeightedSum::new(self.kernels.clone(), weights.clone())?;
        let svc = SvcParams::new(combined)
            .c(self.c)?
            .class_weight(self.class_weight.clone())?
            .fit(data)?;
        Ok(Mkl {
            weights,
            svc,
            iterations,
        })
    }

    fn combine(grams: &[Array2<f64>], d: &[f64]) -> Array2<f64> {
        let mut k = Array2::zeros(grams[0].dim());
        for (g, &w) in grams.iter().zip(d) {
            if w > 0.0 {
                k.scaled_add(w, g);
            }
        }
        k
    }

    fn simple_mkl(&self, grams: &[Array2<f64>], y: &Array1<f64>) -> Result<(Vec<f64>, usize)> {
        let m = grams.len();
        let mut d = vec![1.0 / m as f64; m];
        let (mut svc, mut j) = self.svc_on(&Self::combine(grams, &d), y)?;
        let mut iterations = 0;
        for it in 0..self.max_iter {
            iterations = it + 1;
            // ∂J/∂d_m = −½ Σ_ij (α_i y_i)(α_j y_j) K_m(i, j)
            let machine = &svc.machines()[0];
            let rows: Vec<usize> = machine.members.iter().map(|&k| svc.support()[k]).collect();
            let grad: Vec<f64> = grams
                .iter()
                .map(|g| -0.5 * quadratic(&rows, &machine.dual_coef, g))
                .collect();
            // Reduced gradient on the simplex, pivoting on the largest weight.
            let mu = (0..m).fold(0, |b, k| if d[k] > d[b] { k } else { b });
            let mut dir = vec![0.0; m];
            for k in 0..m {
                if k != mu && !(d[k] <= 0.0 && grad[k] - grad[mu] > 0.0) {
                    dir[k] = -(grad[k] - grad[mu]);
                }
            }
            dir[mu] = -dir
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != mu)
                .map(|(_, v)| v)
                .sum::<f64>();
            let slope: f64 = dir.iter().zip(&grad).map(|(a, b)| a * b).sum();
            if slope >= -1e-12 {
                break;
            }
            // Largest step keeping d ≥ 0, then Armijo backtracking.
            let max_step = (0..m)
                .filter(|&k| dir[k] < 0.0)
                .map(|k| -d[k] / dir[k])
                .fold(f64::INFINITY, f64::min);
            let mut step = if max_step.is_finite() { max_step } else { 1.0 };
            let mut accepted = None;
            while step > 1e-10 {
                let cand: Vec<f64> = d
                    .iter()
                    .zip(&dir)
                    .map(|(a, b)| (a + step * b).max(0.0))
                    .collect();
                let total: f64 = cand.iter().sum();
                let cand: Vec<f64> = cand.iter().map(|v| v / total).collect();
                let (s2, j2) = self.svc_on(&Self::combine(grams, &cand), y)?;
                if j2 <= j + 1e-4 * step * slope {
                    accepted = Some((cand, s2, j2));
                    break;
                }
                step /= 2.0;
            }
            let Some((cand, s2, j2)) = accepted else {
                break;
            };
            let change = cand
                .iter()
                .zip(&d)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            d = cand;
            svc = s2;
            j = j2;
            if change < self.tol {
                break;
            }
        }
        Ok((d, iterations))
    }
}

/// Σ_ab c_a c_b K(rows_a, rows_b).
fn quadratic(rows: &[usize], coef: &[f64], k: &Array2<f64>) -> f64 {
    let mut s = 0.0;
    for (a, ca) in rows.iter().zip(coef) {
        for (b, cb) in rows.iter().zip(coef) {
            s += ca * cb * k[[*a, *b]];
        }
    }
    s
}

/// ALIGNF weights: maximise the centred alignment of Σ v_m K_m with yyᵀ,
/// i.e. min_{v ≥ 0} vᵀMv − 2vᵀa with M_ml = ⟨K_mᶜ, K_lᶜ⟩_F and a_m = ⟨K_mᶜ, yyᵀ⟩_F,
/// solved by cyclic coordinate descent (exact for this small convex QP); the
/// result is normalised to sum to one.
pub fn alignf(grams: &[Array2<f64>], y: &Array1<f64>) -> Result<Vec<f64>> {
    let centred: Vec<Array2<f64>> = grams.iter().map(center_gram).collect();
    let m = centred.len();
    let yy = Array2::from_shape_fn((y.len(), y.len()), |(i, j)| y[i] * y[j]);
    let fro =
        |a: &Array2<f64>, b: &Array2<f64>| a.iter().zip(b.iter()).map(|(p, q)| p * q).sum::<f64>();
    let mm = Array2::from_shape_fn((m, m), |(i, j)| fro(&centred[i], &centred[j]));
    let a: Vec<f64> = centred.iter().map(|k| fro(k, &yy)).collect();
    let mut v = vec![0.0; m];
    for _ in 0..1000 {
        let mut change = 0.0f64;
        for k in 0..m {
            if mm[[k, k]] <= 0.0 {
                continue;
            }
            let rest: f64 = (0..m).filter(|&l| l != k).map(|l| mm[[k, l]] * v[l]).sum();
            let new = ((a[k] - rest) / mm[[k, k]]).max(0.0);
            change = change.max((new - v[k]).abs());
            v[k] = new;
        }
        if change < 1e-12 {
            break;
        }
    }
    let total: f64 = v.iter().sum();
    if total <= 0.0 {
        return Err(Error::numerical(
            "ALIGNF",
            "no kernel is positively aligned with the labels",
        ));
    }
    Ok(v.iter().map(|w| w / total).collect())
}

impl<K: Kernel + Clone> Fit for MklParams<K> {
    type Model = Mkl<K>;
    fn fit(&self, data: &Dataset) -> Result<Mkl<K>> {
        self.fit_mkl(data)
    }
}

impl<K: Kernel + Serialize + serde::de::DeserializeOwned> voltai_core::Persist for Mkl<K> {
    const KIND: &'static str = "voltai_kernels::Mkl";
}

impl<K: Kernel> Mkl<K> {
    /// Learned kernel weights (≥ 0, sum 1), in the order the kernels were given.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// SimpleMKL iterations used (0 for the other methods).
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// The SVM on the combined kernel.
    pub fn svc(&self) -> &Svc<WeightedSum<K>> {
        &self.svc
    }
}

impl<K: Kernel> Classifier for Mkl<K> {
    fn n_features(&self) -> usize {
        self.svc.n_features()
    }
    fn classes(&self) -> &[i64] {
        self.svc.classes()
    }
    fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.svc.decision_function(x)
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<i64>> {
        self.svc.predict(x)
    }
}
