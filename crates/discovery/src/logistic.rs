//! L2-regularised logistic regression for binary labels, by Newton's method
//! (scikit-learn's objective: ½‖w‖² + C Σ log(1 + exp(−y_i (x_iᵀw + b)))).

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use voltai_core::{Classifier, Dataset, Error, Fit, Result, check};

/// Parameters of a binary logistic regression.
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_core::{Classifier, Dataset, Fit};
/// use voltai_discovery::LogisticRegressionParams;
///
/// let x = array![[-2.0], [-1.0], [1.0], [2.0]];
/// let y = array![0.0, 0.0, 1.0, 1.0];
/// let model = LogisticRegressionParams::new().c(10.0)?.fit(&Dataset::new(x, y)?)?;
/// assert!(model.coef[0] > 0.0);
/// assert_eq!(model.predict(array![[-3.0], [3.0]].view())?, array![0, 1]);
/// // The data are symmetric about 0, so the boundary sits there.
/// assert!((model.predict_proba(array![[0.0]].view())?[0] - 0.5).abs() < 1e-6);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogisticRegressionParams {
    c: f64,
    max_iter: usize,
    tol: f64,
}

/// A fitted binary logistic regression.
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_core::{Classifier, Dataset, Fit};
/// use voltai_discovery::LogisticRegressionParams;
///
/// // Any two integer labels: probabilities refer to the larger one.
/// let x = array![[0.0], [1.0], [3.0], [4.0]];
/// let y = array![-1.0, -1.0, 1.0, 1.0];
/// let model = LogisticRegressionParams::new().fit(&Dataset::new(x, y)?)?;
/// assert_eq!(model.classes(), &[-1, 1]);
/// let p = model.predict_proba(array![[0.0], [4.0]].view())?;
/// assert!(p[0] < 0.5 && p[1] > 0.5);
/// // One decision column for two classes; the boundary is at x = 2.
/// let f = model.decision_function(array![[2.0]].view())?;
/// assert_eq!(f.dim(), (1, 1));
/// assert!(f[[0, 0]].abs() < 1e-6);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticRegression {
    /// Weights.
    pub coef: Array1<f64>,
    /// Intercept (not penalised).
    pub intercept: f64,
    classes: Vec<i64>,
    /// Newton iterations used.
    pub iterations: usize,
}

impl Default for LogisticRegressionParams {
    fn default() -> Self {
        LogisticRegressionParams {
            c: 1.0,
            max_iter: 100,
            tol: 1e-10,
        }
    }
}

impl LogisticRegressionParams {
    /// C = 1 (inverse regularisation strength, as scikit-learn).
    pub fn new() -> Self {
        Self::default()
    }

    /// Inverse regularisation strength C > 0.
    pub fn c(mut self, c: f64) -> Result<Self> {
        if !(c.is_finite() && c > 0.0) {
            return Err(Error::invalid_parameter("C", c, "(0, inf)"));
        }
        self.c = c;
        Ok(self)
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        z.exp() / (1.0 + z.exp())
    }
}

impl Fit for LogisticRegressionParams {
    type Model = LogisticRegression;
    fn fit(&self, data: &Dataset) -> Result<LogisticRegression> {
        let labels = data.labels()?;
        let mut classes: Vec<i64> = labels.to_vec();
        classes.sort_unstable();
        classes.dedup();
        if classes.len() != 2 {
            return Err(Error::InvalidInput(format!(
                "binary logistic regression needs two classes, found {classes:?}"
            )));
        }
        let x = data.features();
        let (n, p) = x.dim();
        let t: Array1<f64> = labels.mapv(|l| f64::from(u8::from(l == classes[1])));
        // Augmented design [X, 1]; the last weight (intercept) is not penalised.
        let mut d = Array2::ones((n, p + 1));
        d.slice_mut(ndarray::s![.., ..p]).assign(&x);
        let mut w = Array1::<f64>::zeros(p + 1);
        let mut iterations = 0;
        for it in 1..=self.max_iter {
            iterations = it;
            let mu = d.dot(&w).mapv(sigmoid);
            let mut grad = d.t().dot(&(&mu - &t)) * self.c;
            let s = mu.mapv(|m| m * (1.0 - m));
            let mut h = d.t().dot(&(&d * &s.insert_axis(Axis(1)))) * self.c;
            for j in 0..p {
                grad[j] += w[j];
                h[[j, j]] += 1.0;
            }
            h[[p, p]] += 1e-12;
            let step = crate::dense::solve_spd(&h, &grad)?;
            w = &w - &step;
            if step.iter().fold(0.0f64, |m, v| m.max(v.abs())) < self.tol {
                break;
            }
        }
        Ok(LogisticRegression {
            coef: w.slice(ndarray::s![..p]).to_owned(),
            intercept: w[p],
            classes,
            iterations,
        })
    }
}

impl LogisticRegression {
    /// P(class = `classes()[1]`) per row.
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check::predict_input(x, self.coef.len())?;
        Ok((x.dot(&self.coef) + self.intercept).mapv(sigmoid))
    }
}

impl Classifier for LogisticRegression {
    fn n_features(&self) -> usize {
        self.coef.len()
    }
    fn classes(&self) -> &[i64] {
        &self.classes
    }
    fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::predict_input(x, self.coef.len())?;
        Ok((x.dot(&self.coef) + self.intercept).insert_axis(Axis(1)))
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<i64>> {
        let f = self.decision_function(x)?;
        Ok(f.column(0).mapv(|v| {
            if v > 0.0 {
                self.classes[1]
            } else {
                self.classes[0]
            }
        }))
    }
}

impl voltai_core::Persist for LogisticRegression {
    const KIND: &'static str = "voltai_discovery::LogisticRegression";
}
