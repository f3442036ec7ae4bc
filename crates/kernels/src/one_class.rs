//! ν one-class SVM (Schölkopf et al. 2001): a boundary around "normal" data.

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::kernel::Kernel;
use crate::smo::{KernelQ, SmoOptions, solve};
use crate::svm_common::{KernelExpansion, flatten, smo_setter, training_features};
use voltai_core::{Dataset, Error, Fit, Persist, ProgressFn, Result};

/// Parameters of a ν one-class SVM.
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_core::{Dataset, Fit};
/// use voltai_kernels::{OneClassSvmParams, kernels::Rbf};
///
/// // "Normal" data: a small cross around the origin (no targets needed).
/// let x = array![[0.0, 0.0], [1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]];
/// let model = OneClassSvmParams::new(Rbf::from_gamma(1.0)?)
///     .nu(0.2)?
///     .fit(&Dataset::unsupervised(x)?)?;
/// // The centre is inside the learned region, a far point is an outlier.
/// assert_eq!(model.is_outlier(array![[0.0, 0.0], [4.0, 4.0]].view())?, vec![false, true]);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OneClassSvmParams<K> {
    kernel: K,
    nu: f64,
    smo: SmoOptions,
}

/// A fitted one-class SVM.
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_core::{Dataset, Fit};
/// use voltai_kernels::{OneClassSvmParams, kernels::Rbf};
///
/// let x = array![[0.0, 0.0], [1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]];
/// let model = OneClassSvmParams::new(Rbf::from_gamma(1.0)?)
///     .nu(0.2)?
///     .fit(&Dataset::unsupervised(x)?)?;
/// // f(x) > 0 inside, ≤ 0 outside; the dual coefficients sum to ν·n = 1.
/// let f = model.decision_function(array![[0.0, 0.0], [4.0, 4.0]].view())?;
/// assert!(f[0] > 0.0 && f[1] < 0.0);
/// assert!((model.dual_coef().iter().sum::<f64>() - 1.0).abs() < 1e-9);
/// assert_eq!(model.n_features(), 2);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OneClassSvm<K> {
    kernel: K,
    expansion: KernelExpansion,
    n_features: usize,
}

impl<K: Kernel + Clone> OneClassSvmParams<K> {
    /// ν = 0.5 and libsvm's default solver options.
    pub fn new(kernel: K) -> Self {
        OneClassSvmParams {
            kernel,
            nu: 0.5,
            smo: SmoOptions::default(),
        }
    }

    /// ν ∈ (0, 1]: an upper bound on the fraction of training outliers and a
    /// lower bound on the fraction of support vectors.
    pub fn nu(mut self, nu: f64) -> Result<Self> {
        if !(nu > 0.0 && nu <= 1.0) {
            return Err(Error::invalid_parameter("nu", nu, "(0, 1]"));
        }
        self.nu = nu;
        Ok(self)
    }

    smo_setter!();

    /// Fits on the features of `data` (targets are ignored), reporting progress.
    pub fn fit_with_progress(
        &self,
        data: &Dataset,
        progress: &mut ProgressFn<'_>,
    ) -> Result<OneClassSvm<K>> {
        let x = training_features(&self.kernel, data)?;
        let l = x.nrows();
        // libsvm's feasible start: the first ⌊νl⌋ alphas at 1, one fractional.
        let total = self.nu * l as f64;
        let n = total.floor() as usize;
        let mut alpha = vec![0.0; l];
        for a in alpha.iter_mut().take(n.min(l)) {
            *a = 1.0;
        }
        if n < l {
            alpha[n] = total - n as f64;
        }
        let mut q = KernelQ::new(
            &self.kernel,
            flatten(x),
            x.ncols(),
            vec![1.0; l],
            self.smo.cache_bytes(),
        );
        let sol = solve(
            &mut q,
            vec![0.0; l],
            vec![1.0; l],
            vec![1.0; l],
            alpha,
            &self.smo,
            progress,
        );
        Ok(OneClassSvm {
            kernel: self.kernel.clone(),
            expansion: KernelExpansion::from_coefficients(x, &sol.alpha, sol.rho),
            n_features: x.ncols(),
        })
    }
}

impl<K: Kernel + Clone> Fit for OneClassSvmParams<K> {
    type Model = OneClassSvm<K>;
    fn fit(&self, data: &Dataset) -> Result<OneClassSvm<K>> {
        self.fit_with_progress(data, &mut |_| {})
    }
}

impl<K: Kernel> OneClassSvm<K> {
    /// f(x) = Σ α_i k(x_i, x) − ρ: positive inside the learned region.
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        self.expansion.evaluate(&self.kernel, x)
    }

    /// True where a point is an outlier (f(x) ≤ 0, libsvm's rule).
    pub fn is_outlier(&self, x: ArrayView2<'_, f64>) -> Result<Vec<bool>> {
        Ok(self
            .decision_function(x)?
            .iter()
            .map(|&f| f <= 0.0)
            .collect())
    }

    /// Training-row indices of the support vectors.
    pub fn support(&self) -> &[usize] {
        &self.expansion.support
    }

    /// Dual coefficients α_i of the support vectors.
    pub fn dual_coef(&self) -> &[f64] {
        &self.expansion.dual_coef
    }

    /// Offset ρ.
    pub fn rho(&self) -> f64 {
        self.expansion.rho
    }

    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }
}

impl<K: Kernel + Serialize + serde::de::DeserializeOwned> Persist for OneClassSvm<K> {
    const KIND: &'static str = "voltai_kernels::OneClassSvm";
}
