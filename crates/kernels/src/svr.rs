//! ε-support vector regression.

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::kernel::Kernel;
use crate::smo::{SmoOptions, SvrQ, solve};
use crate::svm_common::{KernelExpansion, flatten, smo_setter, training_features};
use voltai_core::{Dataset, Error, Fit, Persist, ProgressFn, Regressor, Result};

/// Parameters of an ε-SVR.
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_core::{Dataset, Fit, Regressor};
/// use voltai_kernels::{SvrParams, kernels::Linear};
///
/// // y = 2x + 1 exactly; a narrow tube and a large C recover the line.
/// let x = array![[0.0], [1.0], [2.0], [3.0], [4.0]];
/// let y = array![1.0, 3.0, 5.0, 7.0, 9.0];
/// let model = SvrParams::new(Linear)
///     .c(100.0)?
///     .epsilon(0.01)?
///     .fit(&Dataset::new(x, y)?)?;
/// let pred = model.predict(array![[1.5], [2.5]].view())?;
/// assert!((pred[0] - 4.0).abs() < 0.1 && (pred[1] - 6.0).abs() < 0.1);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SvrParams<K> {
    kernel: K,
    c: f64,
    epsilon: f64,
    smo: SmoOptions,
}

/// A fitted ε-SVR.
///
/// # Examples
///
/// ```
/// use ndarray::Array2;
/// use voltai_core::{Dataset, Fit, Regressor};
/// use voltai_kernels::{SvrParams, kernels::Rbf};
///
/// // A smooth curve: every training residual stays within ε (plus solver tolerance).
/// let x = Array2::from_shape_fn((15, 1), |(i, _)| i as f64 * 0.25);
/// let y = x.column(0).mapv(f64::sin);
/// let svr = SvrParams::new(Rbf::new(1.0)?)
///     .c(100.0)?
///     .epsilon(0.05)?
///     .fit(&Dataset::new(x.clone(), y.clone())?)?;
/// let pred = svr.predict(x.view())?;
/// assert_eq!(pred.len(), 15);
/// assert!((&pred - &y).iter().all(|e| e.abs() < 0.1));
/// assert!(!svr.support().is_empty() && svr.support().len() <= 15);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Svr<K> {
    kernel: K,
    expansion: KernelExpansion,
}

impl<K: Kernel + Clone> SvrParams<K> {
    /// C = 1, ε = 0.1 (scikit-learn's defaults).
    pub fn new(kernel: K) -> Self {
        SvrParams {
            kernel,
            c: 1.0,
            epsilon: 0.1,
            smo: SmoOptions::default(),
        }
    }

    /// C > 0.
    pub fn c(mut self, c: f64) -> Result<Self> {
        self.c = crate::svm_common::positive_c(c)?;
        Ok(self)
    }

    /// Width ε ≥ 0 of the insensitive tube.
    pub fn epsilon(mut self, e: f64) -> Result<Self> {
        if !(e.is_finite() && e >= 0.0) {
            return Err(Error::invalid_parameter("epsilon", e, "[0, inf)"));
        }
        self.epsilon = e;
        Ok(self)
    }

    smo_setter!();

    /// Fits, reporting solver progress.
    pub fn fit_with_progress(
        &self,
        data: &Dataset,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Svr<K>> {
        let x = training_features(&self.kernel, data)?;
        let y = data.targets()?;
        let l = y.len();
        let mut p = vec![0.0; 2 * l];
        let mut sign = vec![0.0; 2 * l];
        for i in 0..l {
            p[i] = self.epsilon - y[i];
            sign[i] = 1.0;
            p[i + l] = self.epsilon + y[i];
            sign[i + l] = -1.0;
        }
        let mut q = SvrQ::new(&self.kernel, flatten(x), x.ncols(), self.smo.cache_bytes());
        let sol = solve(
            &mut q,
            p,
            sign,
            vec![self.c; 2 * l],
            vec![0.0; 2 * l],
            &self.smo,
            progress,
        );
        let coef: Vec<f64> = (0..l).map(|i| sol.alpha[i] - sol.alpha[i + l]).collect();
        Ok(Svr {
            kernel: self.kernel.clone(),
            expansion: KernelExpansion::from_coefficients(x, &coef, sol.rho),
        })
    }
}

impl<K: Kernel + Clone> Fit for SvrParams<K> {
    type Model = Svr<K>;
    fn fit(&self, data: &Dataset) -> Result<Svr<K>> {
        self.fit_with_progress(data, &mut |_| {})
    }
}

impl<K: Kernel> Svr<K> {
    /// Training-row indices of the support vectors.
    pub fn support(&self) -> &[usize] {
        &self.expansion.support
    }

    /// Dual coefficients α_i − α_i*.
    pub fn dual_coef(&self) -> &[f64] {
        &self.expansion.dual_coef
    }

    /// Intercept: f(x) = Σ c_i k(x_i, x) − ρ.
    pub fn rho(&self) -> f64 {
        self.expansion.rho
    }
}

impl<K: Kernel> Regressor for Svr<K> {
    fn n_features(&self) -> usize {
        self.expansion.support_vectors.ncols()
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        self.expansion.evaluate(&self.kernel, x)
    }
}

impl<K: Kernel + Serialize + serde::de::DeserializeOwned> Persist for Svr<K> {
    const KIND: &'static str = "voltai_kernels::Svr";
}
