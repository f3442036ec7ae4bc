//! C-support vector classification (binary and one-vs-one multi-class).

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::kernel::Kernel;
use crate::platt::Sigmoid;
use crate::smo::{KernelQ, SmoOptions, solve};
use crate::svm_common::{Expansion, expansions, flatten, smo_setter, training_features};
use voltai_core::{Classifier, Dataset, Error, Fit, Persist, Progress, ProgressFn, Result};

/// How the misclassification cost C is weighted per class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClassWeight {
    /// Every class weight 1.
    Uniform,
    /// `n_samples / (n_classes · n_c)` (scikit-learn's `'balanced'`): rare
    /// classes (e.g. failing cells) cost more to misclassify.
    Balanced,
    /// Explicit `(label, weight)` pairs; unlisted classes weigh 1.
    Manual(Vec<(i64, f64)>),
}

/// Parameters of a C-SVC.
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_core::{Classifier, Dataset, Fit};
/// use voltai_kernels::{SvcParams, kernels::Linear};
///
/// // Two well-separated clusters on the x axis.
/// let x = array![[-2.0, 0.0], [-1.5, 1.0], [1.5, 0.0], [2.0, 1.0]];
/// let y = array![0.0, 0.0, 1.0, 1.0];
/// let model = SvcParams::new(Linear).c(10.0)?.fit(&Dataset::new(x, y)?)?;
/// assert_eq!(model.classes(), &[0, 1]);
/// assert_eq!(model.predict(array![[-3.0, 0.5], [3.0, 0.5]].view())?, array![0, 1]);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SvcParams<K> {
    kernel: K,
    c: f64,
    class_weight: ClassWeight,
    probability: bool,
    seed: u64,
    smo: SmoOptions,
}

/// One binary machine of the one-vs-one scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinaryMachine {
    /// Class whose decision values are negative.
    pub negative: i64,
    /// Class whose decision values are positive.
    pub positive: i64,
    /// Rows of [`Svc::support_vectors`] used by this machine.
    pub members: Vec<usize>,
    /// Dual coefficients α_i y_i (y = +1 for `positive`).
    pub dual_coef: Vec<f64>,
    /// Intercept ρ: f(x) = Σ α_i y_i k(x_i, x) − ρ.
    pub rho: f64,
    /// Platt sigmoid, when probabilities were requested.
    pub sigmoid: Option<Sigmoid>,
    /// SMO iterations used.
    pub iterations: usize,
    /// False when the solver stopped at its iteration cap before reaching `tol`.
    pub converged: bool,
    /// Share of the kernel entries the solver used that the row cache already
    /// held (raise `SmoOptions::cache_mb` when it is low on a long fit). Zero
    /// in models saved before it was recorded.
    #[serde(default)]
    pub cache_hit_rate: f64,
}

/// A fitted C-SVC.
///
/// # Examples
///
/// ```
/// use ndarray::array;
/// use voltai_core::{Classifier, Dataset, Fit};
/// use voltai_kernels::{SvcParams, kernels::Rbf};
///
/// // Three classes: one-vs-one trains 3 binary machines.
/// let x = array![[0.0, 0.0], [0.2, 0.1], [5.0, 0.0], [5.1, 0.2], [0.0, 5.0], [0.1, 5.2]];
/// let y = array![0.0, 0.0, 1.0, 1.0, 2.0, 2.0];
/// let svc = SvcParams::new(Rbf::new(1.0)?).c(10.0)?.fit(&Dataset::new(x, y)?)?;
/// assert_eq!(svc.machines().len(), 3);
/// assert_eq!(svc.decision_function(array![[0.0, 0.0]].view())?.dim(), (1, 3));
/// let labels = svc.predict(array![[0.1, 0.0], [5.0, 0.1], [0.0, 5.1]].view())?;
/// assert_eq!(labels, array![0, 1, 2]);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Svc<K> {
    kernel: K,
    classes: Vec<i64>,
    support_vectors: Array2<f64>,
    support: Vec<usize>,
    machines: Vec<BinaryMachine>,
    n_features: usize,
}

impl<K: Kernel + Clone> SvcParams<K> {
    /// C = 1, uniform class weights, no probabilities, libsvm's default solver options.
    pub fn new(kernel: K) -> Self {
        SvcParams {
            kernel,
            c: 1.0,
            class_weight: ClassWeight::Uniform,
            probability: false,
            seed: 0,
            smo: SmoOptions::default(),
        }
    }

    /// Misclassification cost C > 0.
    pub fn c(mut self, c: f64) -> Result<Self> {
        self.c = crate::svm_common::positive_c(c)?;
        Ok(self)
    }

    /// Per-class weights of C.
    pub fn class_weight(mut self, w: ClassWeight) -> Result<Self> {
        if let ClassWeight::Manual(pairs) = &w
            && let Some((l, v)) = pairs.iter().find(|(_, v)| !(v.is_finite() && *v > 0.0))
        {
            return Err(Error::invalid_parameter(
                format!("class_weight[{l}]"),
                v,
                "(0, inf)",
            ));
        }
        self.class_weight = w;
        Ok(self)
    }

    /// Fit Platt sigmoids by internal 5-fold cross-validation (as libsvm `-b 1`).
    pub fn probability(mut self, yes: bool) -> Self {
        self.probability = yes;
        self
    }

    /// Seed of the cross-validation shuffle behind probabilities.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    smo_setter!();

    /// Fits, reporting solver progress through `progress`.
    pub fn fit_with_progress(
        &self,
        data: &Dataset,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Svc<K>> {
        let x = training_features(&self.kernel, data)?;
        let labels = data.labels()?;
        let mut classes: Vec<i64> = labels.to_vec();
        classes.sort_unstable();
        classes.dedup();
        if classes.len() < 2 {
            return Err(Error::InvalidInput(format!(
                "classification needs at least two classes, found {:?}",
                classes
            )));
        }
        let n = labels.len();
        let weight = |cls: i64| -> f64 {
            match &self.class_weight {
                ClassWeight::Uniform => 1.0,
                ClassWeight::Balanced => {
                    let nc = labels.iter().filter(|&&l| l == cls).count() as f64;
                    n as f64 / (classes.len() as f64 * nc)
                }
                ClassWeight::Manual(p) => {
                    p.iter().find(|(l, _)| *l == cls).map_or(1.0, |(_, w)| *w)
                }
            }
        };
        let mut machines = Vec::new();
        let mut used = vec![false; n];
        let mut raw: Vec<(Vec<usize>, Vec<f64>)> = Vec::new();
        for a in 0..classes.len() {
            for b in a + 1..classes.len() {
                let (neg, pos) = (classes[a], classes[b]);
                let rows: Vec<usize> = (0..n)
                    .filter(|&i| labels[i] == neg || labels[i] == pos)
                    .collect();
                let xs = x.select(Axis(0), &rows);
                let y: Vec<f64> = rows
                    .iter()
                    .map(|&i| if labels[i] == pos { 1.0 } else { -1.0 })
                    .collect();
                let (cn, cp) = (self.c * weight(neg), self.c * weight(pos));
                // One-vs-one runs one solve per class pair: each report names it.
                let pair = format!("{neg} vs {pos}");
                let (coef, rho, iterations, converged, cache_hit_rate) =
                    self.binary(xs.view(), &y, cp, cn, &mut |p: &Progress<'_>| {
                        progress(&p.clone().label(&pair))
                    });
                let sigmoid = if self.probability {
                    Some(self.platt(xs.view(), &y, cp, cn)?)
                } else {
                    None
                };
                let (mut idx, mut c) = (Vec::new(), Vec::new());
                for (k, &v) in coef.iter().enumerate() {
                    if v != 0.0 {
                        idx.push(rows[k]);
                        c.push(v);
                        used[rows[k]] = true;
                    }
                }
                raw.push((idx, c));
                machines.push(BinaryMachine {
                    negative: neg,
                    positive: pos,
                    members: Vec::new(),
                    dual_coef: Vec::new(),
                    rho,
                    sigmoid,
                    iterations,
                    converged,
                    cache_hit_rate,
                });
            }
        }
        let support: Vec<usize> = (0..n).filter(|&i| used[i]).collect();
        for (m, (idx, c)) in machines.iter_mut().zip(raw) {
            // Every row with a non-zero dual coefficient was marked used above.
            m.members = idx
                .iter()
                .map(|&r| {
                    support.binary_search(&r).map_err(|_| {
                        Error::internal(format!(
                            "svc: row {r} has a dual coefficient but is not a support vector"
                        ))
                    })
                })
                .collect::<Result<Vec<usize>>>()?;
            m.dual_coef = c;
        }
        Ok(Svc {
            kernel: self.kernel.clone(),
            classes,
            support_vectors: x.select(Axis(0), &support),
            support,
            machines,
            n_features: x.ncols(),
        })
    }

    /// Solves one binary dual; returns α_i y_i per row, ρ, iterations,
    /// convergence and the kernel cache's hit rate.
    fn binary(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[f64],
        cp: f64,
        cn: f64,
        progress: &mut ProgressFn<'_>,
    ) -> (Vec<f64>, f64, usize, bool, f64) {
        let l = y.len();
        let mut q = KernelQ::new(
            &self.kernel,
            flatten(x),
            x.ncols(),
            y.to_vec(),
            self.smo.cache_bytes(),
        );
        let c: Vec<f64> = y.iter().map(|&v| if v > 0.0 { cp } else { cn }).collect();
        let sol = solve(
            &mut q,
            vec![-1.0; l],
            y.to_vec(),
            c,
            vec![0.0; l],
            &self.smo,
            progress,
        );
        let coef = sol.alpha.iter().zip(y).map(|(a, y)| a * y).collect();
        (
            coef,
            sol.rho,
            sol.iterations,
            sol.converged,
            sol.cache_hit_rate,
        )
    }

    /// libsvm's `svm_binary_svc_probability`: 5-fold CV decision values → sigmoid.
    fn platt(&self, x: ArrayView2<'_, f64>, y: &[f64], cp: f64, cn: f64) -> Result<Sigmoid> {
        let l = y.len();
        let mut perm: Vec<usize> = (0..l).collect();
        perm.shuffle(&mut StdRng::seed_from_u64(self.seed));
        let folds = 5.min(l);
        let mut dec = vec![0.0; l];
        for f in 0..folds {
            let (start, end) = (f * l / folds, (f + 1) * l / folds);
            let test: Vec<usize> = perm[start..end].to_vec();
            let train: Vec<usize> = perm[..start].iter().chain(&perm[end..]).copied().collect();
            let ytr: Vec<f64> = train.iter().map(|&i| y[i]).collect();
            let p = ytr.iter().filter(|&&v| v > 0.0).count();
            if p == ytr.len() || p == 0 {
                // One class only in this fold's training part: libsvm's convention.
                let v = if p == 0 { -1.0 } else { 1.0 };
                test.iter().for_each(|&i| dec[i] = v);
                continue;
            }
            let xtr = x.select(Axis(0), &train);
            let (coef, rho, _, _, _) = self.binary(xtr.view(), &ytr, cp, cn, &mut |_| {});
            let members: Vec<usize> = (0..train.len()).filter(|&k| coef[k] != 0.0).collect();
            let sv = xtr.select(Axis(0), &members);
            let c: Vec<f64> = members.iter().map(|&k| coef[k]).collect();
            let xte = x.select(Axis(0), &test);
            let all: Vec<usize> = (0..members.len()).collect();
            let d = expansions(
                &self.kernel,
                &sv,
                xte.view(),
                &[Expansion {
                    members: &all,
                    coef: &c,
                    rho,
                }],
            )?;
            for (&i, &v) in test.iter().zip(d.column(0)) {
                dec[i] = v;
            }
        }
        let positive: Vec<bool> = y.iter().map(|&v| v > 0.0).collect();
        Ok(Sigmoid::fit(&dec, &positive))
    }
}

impl<K: Kernel + Clone> Fit for SvcParams<K> {
    type Model = Svc<K>;
    fn fit(&self, data: &Dataset) -> Result<Svc<K>> {
        self.fit_with_progress(data, &mut |_| {})
    }
}

impl<K: Kernel> Svc<K> {
    /// Support vectors (rows of the training features).
    pub fn support_vectors(&self) -> &Array2<f64> {
        &self.support_vectors
    }

    /// Training-row indices of the support vectors, ascending.
    pub fn support(&self) -> &[usize] {
        &self.support
    }

    /// The binary machines (one for two classes, k(k−1)/2 for k classes).
    pub fn machines(&self) -> &[BinaryMachine] {
        &self.machines
    }

    /// The kernel.
    pub fn kernel(&self) -> &K {
        &self.kernel
    }

    /// Decision values per machine, `n × n_machines`.
    fn machine_values(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let terms: Vec<Expansion<'_>> = self
            .machines
            .iter()
            .map(|machine| Expansion {
                members: &machine.members,
                coef: &machine.dual_coef,
                rho: machine.rho,
            })
            .collect();
        expansions(&self.kernel, &self.support_vectors, x, &terms)
    }

    /// P(class = `classes()[1]`) for a binary model fitted with probabilities.
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        if self.machines.len() != 1 {
            return Err(Error::InvalidInput(
                "probabilities are available for binary models only".into(),
            ));
        }
        let s = self.machines[0].sigmoid.ok_or_else(|| {
            Error::InvalidInput("model was fitted without probability(true)".into())
        })?;
        Ok(self.machine_values(x)?.column(0).mapv(|f| s.probability(f)))
    }
}

impl<K: Kernel> Classifier for Svc<K> {
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn classes(&self) -> &[i64] {
        &self.classes
    }
    /// Binary: one column, positive → `classes()[1]`. Multi-class: one column
    /// per pair (a, b), a < b in `classes()` order, positive → b.
    fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.machine_values(x)
    }
    /// One-vs-one voting; ties go to the class listed first (as libsvm).
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<i64>> {
        let d = self.machine_values(x)?;
        let k = self.classes.len();
        Ok(d.rows()
            .into_iter()
            .map(|row| {
                let mut votes = vec![0usize; k];
                let mut m = 0;
                for a in 0..k {
                    for b in a + 1..k {
                        votes[if row[m] > 0.0 { b } else { a }] += 1;
                        m += 1;
                    }
                }
                let best = (0..k).fold(0, |best, c| if votes[c] > votes[best] { c } else { best });
                self.classes[best]
            })
            .collect())
    }
}

impl<K: Kernel + Serialize + serde::de::DeserializeOwned> Persist for Svc<K> {
    const KIND: &'static str = "voltai_kernels::Svc";
}
