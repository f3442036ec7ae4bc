//! SINDy itself: parameters (library, differentiator, optimiser, names) and the
//! fitted model (equations, derivative prediction, simulation, score).

use std::fmt;
use std::sync::Arc;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, concatenate, s};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use voltai_core::persist::Persist;
use voltai_core::{Error, Fit, Result, metrics};

use super::data::Trajectory;
use super::differentiate::{Differentiator, FiniteDifference};
use super::integrate::{IntegrationOptions, integrate};
use super::library::{FeatureLibrary, PolynomialLibrary};
use super::optimize::{SparseOptimizer, Stlsq};
use super::spec::{DifferentiatorSpec, LibrarySpec};

/// SINDy parameters: which library, differentiator and optimiser, and the
/// names of the state and control variables. Each part is swappable.
///
/// # Examples
///
/// ```
/// use ndarray::Array2;
/// use voltai_discovery::sindy::{PolynomialLibrary, SindyParams, Stlsq, Times, Trajectory};
/// use voltai_core::Fit;
///
/// // SINDYc: ẋ = −x + 2u, with the derivatives measured alongside the states.
/// let x = Array2::from_shape_fn((20, 1), |(i, _)| (0.3 * i as f64).sin());
/// let u = Array2::from_shape_fn((20, 1), |(i, _)| (0.7 * i as f64).cos());
/// let x_dot = &u * 2.0 - &x;
/// let trajectory = Trajectory::new(x, Times::uniform(0.1)?)?
///     .with_control(u)?
///     .with_derivative(x_dot)?;
/// let model = SindyParams::new()
///     .library(PolynomialLibrary::new(1)?)
///     .optimizer(Stlsq::new(0.1)?.alpha(0.0)?)
///     .state_names(&["x"])?
///     .control_names(&["u"])?
///     .fit(&[trajectory])?;
/// assert_eq!(model.term_names(), &["1", "x", "u"]);
/// assert!((model.coefficient("x", "x")? + 1.0).abs() < 1e-9);
/// assert!((model.coefficient("x", "u")? - 2.0).abs() < 1e-9);
/// assert_eq!(model.coefficient("x", "1")?, 0.0);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SindyParams {
    library: Arc<dyn FeatureLibrary>,
    differentiator: Arc<dyn Differentiator>,
    optimizer: Arc<dyn SparseOptimizer>,
    state_names: Option<Vec<String>>,
    control_names: Option<Vec<String>>,
    smoothed_states: bool,
}

impl Default for SindyParams {
    fn default() -> Self {
        SindyParams {
            library: Arc::new(default_polynomial()),
            differentiator: Arc::new(FiniteDifference::default()),
            optimizer: Arc::new(Stlsq::new(0.1).unwrap_or_else(|_| unreachable!())),
            state_names: None,
            control_names: None,
            smoothed_states: true,
        }
    }
}

fn default_polynomial() -> PolynomialLibrary {
    PolynomialLibrary::new(2).unwrap_or_else(|_| unreachable!())
}

impl SindyParams {
    /// PySINDy's defaults: degree-2 polynomial library, second-order finite
    /// differences, STLSQ with threshold 0.1.
    pub fn new() -> Self {
        Self::default()
    }

    /// The candidate-term library.
    pub fn library(mut self, library: impl FeatureLibrary + 'static) -> Self {
        self.library = Arc::new(library);
        self
    }

    /// How derivatives are estimated from samples.
    pub fn differentiator(mut self, d: impl Differentiator + 'static) -> Self {
        self.differentiator = Arc::new(d);
        self
    }

    /// The sparse regression.
    pub fn optimizer(mut self, o: impl SparseOptimizer + 'static) -> Self {
        self.optimizer = Arc::new(o);
        self
    }

    /// Names of the state variables (default `x0, x1, …`).
    pub fn state_names(mut self, names: &[&str]) -> Result<Self> {
        self.state_names = Some(valid_names(names)?);
        Ok(self)
    }

    /// Names of the control inputs (default `u0, u1, …`).
    pub fn control_names(mut self, names: &[&str]) -> Result<Self> {
        self.control_names = Some(valid_names(names)?);
        Ok(self)
    }

    /// Build the library from the differentiator's smoothed states when it
    /// smooths (default true, as PySINDy 2): noise in the library terms biases
    /// the regression (errors in variables) as much as noise in the derivative.
    pub fn use_smoothed_states(mut self, yes: bool) -> Self {
        self.smoothed_states = yes;
        self
    }
}

/// SINDy fits on one or more trajectories (all with the same states and
/// controls).
impl Fit<[Trajectory]> for SindyParams {
    type Model = SindyModel;

    fn fit(&self, trajectories: &[Trajectory]) -> Result<SindyModel> {
        let first = trajectories
            .first()
            .ok_or_else(|| Error::EmptyInput("no trajectories to fit".into()))?;
        let d = first.x.ncols();
        let m = first.u.as_ref().map_or(0, |u| u.ncols());
        for (k, tr) in trajectories.iter().enumerate() {
            let mk = tr.u.as_ref().map_or(0, |u| u.ncols());
            if tr.x.ncols() != d || mk != m {
                return Err(Error::shape_mismatch(
                    format!("trajectory {k} states/controls vs trajectory 0"),
                    [d, m],
                    [tr.x.ncols(), mk],
                ));
            }
        }
        let states = names_or_default(&self.state_names, d, "x", "state names")?;
        let controls = names_or_default(&self.control_names, m, "u", "control names")?;
        let inputs: Vec<String> = states.iter().chain(&controls).cloned().collect();
        check_not_constant(trajectories, &inputs)?;
        let terms = self.library.term_names(&inputs)?;

        let mut thetas = Vec::with_capacity(trajectories.len());
        let mut targets = Vec::with_capacity(trajectories.len());
        for tr in trajectories {
            let (smooth, x_dot) = match &tr.x_dot {
                Some(v) => (None, v.clone()),
                None => self
                    .differentiator
                    .smooth_and_differentiate(tr.x.view(), &tr.times)?,
            };
            let inputs = match smooth {
                Some(xs) if self.smoothed_states => {
                    let mut inputs = stack_inputs(tr)?;
                    inputs.slice_mut(s![.., ..d]).assign(&xs);
                    inputs
                }
                _ => stack_inputs(tr)?,
            };
            thetas.push(self.library.transform(inputs.view())?);
            targets.push(x_dot);
        }
        let theta = stack_rows(&thetas)?;
        let y = stack_rows(&targets)?;
        if theta.nrows() < terms.len() {
            return Err(Error::InvalidInput(format!(
                "too few samples for the library: {} samples for {} candidate terms",
                theta.nrows(),
                terms.len()
            )));
        }
        voltai_core::check::finite2("library terms", theta.view())?;
        let fit = self.optimizer.optimize(theta.view(), y.view())?;
        Ok(SindyModel {
            library: Arc::clone(&self.library),
            differentiator: Arc::clone(&self.differentiator),
            states,
            controls,
            terms,
            coefficients: fit.coefficients,
            inclusion: fit.inclusion,
        })
    }
}

fn valid_names(names: &[&str]) -> Result<Vec<String>> {
    if names.iter().any(|n| n.trim().is_empty()) {
        return Err(Error::InvalidInput(
            "variable names must not be empty".into(),
        ));
    }
    Ok(names.iter().map(|n| n.to_string()).collect())
}

fn names_or_default(
    given: &Option<Vec<String>>,
    n: usize,
    prefix: &str,
    what: &str,
) -> Result<Vec<String>> {
    match given {
        Some(v) if v.len() != n => Err(Error::shape_mismatch(what, [n], [v.len()])),
        Some(v) => Ok(v.clone()),
        None => Ok((0..n).map(|i| format!("{prefix}{i}")).collect()),
    }
}

fn stack_inputs(tr: &Trajectory) -> Result<Array2<f64>> {
    match &tr.u {
        // `Trajectory::with_control` checked that controls and states have
        // the same rows; dropping the controls would misalign the terms.
        Some(u) => concatenate(Axis(1), &[tr.x.view(), u.view()]).map_err(|e| {
            Error::internal(format!(
                "sindy: states ({} rows) and controls ({} rows) do not stack: {e}",
                tr.x.nrows(),
                u.nrows()
            ))
        }),
        None => Ok(tr.x.clone()),
    }
}

fn stack_rows(blocks: &[Array2<f64>]) -> Result<Array2<f64>> {
    let views: Vec<_> = blocks.iter().map(|b| b.view()).collect();
    concatenate(Axis(0), &views)
        .map_err(|e| Error::numerical("stacking trajectories", e.to_string()))
}

/// A variable that never changes cannot be told apart from the constant term.
fn check_not_constant(trajectories: &[Trajectory], inputs: &[String]) -> Result<()> {
    for (j, name) in inputs.iter().enumerate() {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for tr in trajectories {
            let col = if j < tr.x.ncols() {
                tr.x.column(j)
            } else if let Some(u) = &tr.u {
                u.column(j - tr.x.ncols())
            } else {
                continue;
            };
            for &v in col {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        if hi - lo <= 1e-12 * hi.abs().max(lo.abs()).max(1e-300) {
            return Err(Error::InvalidInput(format!(
                "variable `{name}` is constant ({lo}) over all samples: its terms cannot be \
                 told apart from the constant term"
            )));
        }
    }
    Ok(())
}

/// A fitted SINDy model: `ẋ = Ξ Θ(x, u)`.
///
/// # Examples
///
/// ```
/// use ndarray::{Array2, array};
/// use voltai_discovery::sindy::{IntegrationOptions, SindyParams, Stlsq, Times, Trajectory};
/// use voltai_core::Fit;
///
/// // x(t) = 2·exp(−t/2) sampled every 0.1, with its exact derivative ẋ = −x/2.
/// let x = Array2::from_shape_fn((30, 1), |(i, _)| 2.0 * (-0.05 * i as f64).exp());
/// let x_dot = x.mapv(|v| -0.5 * v);
/// let trajectory = Trajectory::new(x, Times::uniform(0.1)?)?.with_derivative(x_dot)?;
/// let model = SindyParams::new() // degree-2 polynomial library: 1, x, x^2
///     .optimizer(Stlsq::new(0.1)?.alpha(0.0)?)
///     .state_names(&["x"])?
///     .fit(&[trajectory])?;
/// assert_eq!(model.complexity(), 1);
/// assert_eq!(model.equations(1), vec!["x' = -0.5 x".to_string()]);
/// let rate = model.predict_derivative(array![[4.0]].view(), None)?;
/// assert!((rate[[0, 0]] + 2.0).abs() < 1e-9);
/// // Simulating the model reproduces the decay.
/// let path = model.simulate(
///     array![2.0].view(),
///     array![0.0, 1.0, 2.0].view(),
///     None,
///     IntegrationOptions::default(),
/// )?;
/// assert!((path[[2, 0]] - 2.0 * (-1.0f64).exp()).abs() < 1e-6);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SindyModel {
    library: Arc<dyn FeatureLibrary>,
    differentiator: Arc<dyn Differentiator>,
    states: Vec<String>,
    controls: Vec<String>,
    terms: Vec<String>,
    coefficients: Array2<f64>,
    inclusion: Option<Array2<f64>>,
}

/// What a saved [`SindyModel`] holds: the library and differentiator by
/// their settings, everything else as fitted.
#[derive(Serialize, Deserialize)]
struct SindyRecord {
    library: LibrarySpec,
    differentiator: DifferentiatorSpec,
    states: Vec<String>,
    controls: Vec<String>,
    terms: Vec<String>,
    coefficients: Array2<f64>,
    inclusion: Option<Array2<f64>>,
}

/// A model whose library or differentiator was built from code
/// ([`CustomLibrary`](super::CustomLibrary)) cannot be described and gives
/// an error instead of a file.
impl Serialize for SindyModel {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let record = SindyRecord {
            library: self.library.spec().map_err(serde::ser::Error::custom)?,
            differentiator: self
                .differentiator
                .spec()
                .map_err(serde::ser::Error::custom)?,
            states: self.states.clone(),
            controls: self.controls.clone(),
            terms: self.terms.clone(),
            coefficients: self.coefficients.clone(),
            inclusion: self.inclusion.clone(),
        };
        record.serialize(serializer)
    }
}

/// The library is rebuilt from its settings and must name the saved terms;
/// the coefficients must have one row per state and one column per term.
impl<'de> Deserialize<'de> for SindyModel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let r = SindyRecord::deserialize(deserializer)?;
        SindyModel::from_record(r).map_err(serde::de::Error::custom)
    }
}

impl Persist for SindyModel {
    const KIND: &'static str = "voltai_discovery::SindyModel";
}

impl SindyModel {
    fn from_record(r: SindyRecord) -> Result<Self> {
        let library: Arc<dyn FeatureLibrary> = Arc::from(r.library.build()?);
        let differentiator: Arc<dyn Differentiator> = Arc::from(r.differentiator.build()?);
        let inputs: Vec<String> = r.states.iter().chain(&r.controls).cloned().collect();
        let terms = library.term_names(&inputs)?;
        if terms != r.terms {
            return Err(Error::InvalidInput(format!(
                "the saved library names the terms {terms:?}, the file lists {:?}",
                r.terms
            )));
        }
        let shape = [r.states.len(), terms.len()];
        if r.coefficients.shape() != shape {
            return Err(Error::shape_mismatch(
                "saved coefficients",
                shape,
                r.coefficients.shape(),
            ));
        }
        if let Some(inc) = &r.inclusion
            && inc.shape() != shape
        {
            return Err(Error::shape_mismatch("saved inclusion", shape, inc.shape()));
        }
        voltai_core::check::finite2("saved coefficients", r.coefficients.view())?;
        Ok(SindyModel {
            library,
            differentiator,
            states: r.states,
            controls: r.controls,
            terms,
            coefficients: r.coefficients,
            inclusion: r.inclusion,
        })
    }
}

impl SindyModel {
    /// Coefficients, one row per state equation and one column per term.
    pub fn coefficients(&self) -> &Array2<f64> {
        &self.coefficients
    }

    /// Names of the library terms (columns of [`SindyModel::coefficients`]).
    pub fn term_names(&self) -> &[String] {
        &self.terms
    }

    /// Names of the states (rows of [`SindyModel::coefficients`]).
    pub fn state_names(&self) -> &[String] {
        &self.states
    }

    /// Names of the control inputs.
    pub fn control_names(&self) -> &[String] {
        &self.controls
    }

    /// Coefficient of `term` in the equation of `state`, by name.
    pub fn coefficient(&self, state: &str, term: &str) -> Result<f64> {
        let i = self
            .states
            .iter()
            .position(|s| s == state)
            .ok_or_else(|| Error::InvalidInput(format!("no state named `{state}`")))?;
        let j = self
            .terms
            .iter()
            .position(|s| s == term)
            .ok_or_else(|| Error::InvalidInput(format!("no library term named `{term}`")))?;
        Ok(self.coefficients[[i, j]])
    }

    /// `(state, term)` pairs with a non-zero coefficient.
    pub fn active_terms(&self) -> Vec<(String, String)> {
        self.coefficients
            .indexed_iter()
            .filter(|(_, v)| **v != 0.0)
            .map(|((i, j), _)| (self.states[i].clone(), self.terms[j].clone()))
            .collect()
    }

    /// Number of non-zero coefficients.
    pub fn complexity(&self) -> usize {
        self.coefficients.iter().filter(|v| **v != 0.0).count()
    }

    /// Ensemble inclusion probabilities (same shape as the coefficients), when
    /// an ensemble optimiser was used.
    pub fn inclusion_probabilities(&self) -> Option<&Array2<f64>> {
        self.inclusion.as_ref()
    }

    /// The equations as text, e.g. `x' = -10.000 x + 10.000 y`, with `precision`
    /// decimals (scientific notation for coefficients that would round to 0);
    /// zero coefficients are left out.
    pub fn equations(&self, precision: usize) -> Vec<String> {
        self.states
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let mut rhs = String::new();
                for (j, term) in self.terms.iter().enumerate() {
                    let c = self.coefficients[[i, j]];
                    if c == 0.0 {
                        continue;
                    }
                    // Small coefficients (battery time constants in seconds)
                    // switch to scientific notation rather than print as 0.
                    let mut text = format!("{:.*}", precision, c.abs());
                    if text.chars().all(|ch| ch == '0' || ch == '.') {
                        text = format!("{:.*e}", precision, c.abs());
                    }
                    let sign = if c < 0.0 { "-" } else { "+" };
                    let body = if term == "1" {
                        text
                    } else {
                        format!("{text} {term}")
                    };
                    if rhs.is_empty() {
                        rhs = if c < 0.0 { format!("-{body}") } else { body };
                    } else {
                        rhs.push_str(&format!(" {sign} {body}"));
                    }
                }
                if rhs.is_empty() {
                    rhs = format!("{:.*}", precision, 0.0);
                }
                format!("{name}' = {rhs}")
            })
            .collect()
    }

    fn inputs(
        &self,
        x: ArrayView2<'_, f64>,
        u: Option<ArrayView2<'_, f64>>,
    ) -> Result<Array2<f64>> {
        voltai_core::check::n_features("states", x, self.states.len())?;
        voltai_core::check::finite2("states", x)?;
        match (u, self.controls.len()) {
            (None, 0) => Ok(x.to_owned()),
            (Some(u), m) if m > 0 => {
                voltai_core::check::n_features("control inputs", u, m)?;
                voltai_core::check::finite2("control inputs", u)?;
                voltai_core::check::same_len("control rows", x.nrows(), u.nrows())?;
                concatenate(Axis(1), &[x, u]).map_err(|e| Error::numerical("inputs", e.to_string()))
            }
            (None, m) => Err(Error::InvalidInput(format!(
                "the model was fitted with {m} control inputs; supply them"
            ))),
            (Some(_), _) => Err(Error::InvalidInput(
                "the model was fitted without control inputs".into(),
            )),
        }
    }

    /// Predicted derivatives `ẋ` for states `x` (and controls `u`), row by row.
    pub fn predict_derivative(
        &self,
        x: ArrayView2<'_, f64>,
        u: Option<ArrayView2<'_, f64>>,
    ) -> Result<Array2<f64>> {
        let theta = self.library.transform(self.inputs(x, u)?.view())?;
        Ok(theta.dot(&self.coefficients.t()))
    }

    /// R² between predicted derivatives and those estimated from the data
    /// (by the fitting differentiator, or the supplied derivatives), averaged
    /// uniformly over states as scikit-learn's `r2_score`.
    pub fn score(&self, trajectories: &[Trajectory]) -> Result<f64> {
        if trajectories.is_empty() {
            return Err(Error::EmptyInput("no trajectories to score".into()));
        }
        let mut pred = Vec::new();
        let mut truth = Vec::new();
        for tr in trajectories {
            pred.push(self.predict_derivative(tr.x.view(), tr.u.as_ref().map(|u| u.view()))?);
            truth.push(match &tr.x_dot {
                Some(v) => v.clone(),
                None => self.differentiator.differentiate(tr.x.view(), &tr.times)?,
            });
        }
        let (p, t) = (stack_rows(&pred)?, stack_rows(&truth)?);
        let mut total = 0.0;
        for j in 0..p.ncols() {
            total += metrics::r2(t.column(j), p.column(j))?;
        }
        Ok(total / p.ncols() as f64)
    }

    /// Simulates the model from `x0` and returns the state at each of `times`.
    /// `control(t)` gives the inputs at time `t` for a model with controls
    /// (see [`super::interpolate_rows`] for sampled profiles).
    pub fn simulate(
        &self,
        x0: ArrayView1<'_, f64>,
        times: ArrayView1<'_, f64>,
        control: Option<&dyn Fn(f64) -> Array1<f64>>,
        options: IntegrationOptions,
    ) -> Result<Array2<f64>> {
        if x0.len() != self.states.len() {
            return Err(Error::shape_mismatch(
                "initial state",
                [self.states.len()],
                [x0.len()],
            ));
        }
        let m = self.controls.len();
        if (m > 0) != control.is_some() {
            return Err(Error::InvalidInput(format!(
                "the model has {m} control inputs; pass a control function exactly when it has some"
            )));
        }
        let d = self.states.len();
        let rhs = |t: f64, x: ArrayView1<'_, f64>| -> Result<Array1<f64>> {
            let mut row = Array2::zeros((1, d + m));
            row.slice_mut(s![0, ..d]).assign(&x);
            if let Some(c) = control {
                let u = c(t);
                if u.len() != m {
                    return Err(Error::shape_mismatch(
                        "control function output",
                        [m],
                        [u.len()],
                    ));
                }
                row.slice_mut(s![0, d..]).assign(&u);
            }
            let theta = self.library.transform(row.view())?;
            Ok(self.coefficients.dot(&theta.row(0)))
        };
        integrate(rhs, x0, times, options)
    }
}

impl fmt::Display for SindyModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in self.equations(3) {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// Sample times of a trajectory as an array (useful for simulation).
pub fn sample_times(tr: &Trajectory) -> Array1<f64> {
    tr.times.values(tr.len())
}
