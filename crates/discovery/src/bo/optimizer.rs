//! The ask/tell Bayesian optimiser: single objective, constraints, safe mode,
//! batches by the kriging believer. One proposal loop (`ask_pending`) serves
//! plain, constrained and safe searches: what the constraints change — the
//! design, how they are modelled and scored, SafeOpt's exploring picks — is
//! asked of the campaign's constraint policy (`feasibility.rs`).

use std::sync::Arc;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, concatenate};
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Error, Predictive, Progress, ProgressFn, Result};

use super::acquisition::Acquisition;
use super::design::{InitialDesign, sobol};
use super::feasibility::{Certified, ConstraintBelief, ConstraintPolicy, Probable};
use super::history::{History, Observation};
use super::maximize::{argmax, maximize};
use super::noisy::NoisyBaseline;
use super::space::SearchSpace;
use super::surrogate::{FittedSurrogate, GpSurrogate, Surrogate};

/// Whether the objective is to be maximised or minimised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Goal {
    /// Larger is better (e.g. cycle life).
    Maximize,
    /// Smaller is better (e.g. charging time).
    Minimize,
}

/// An outcome constraint `c(x) ≤ limit`, modelled by its own surrogate.
#[derive(Debug, Clone)]
pub struct Constraint {
    name: String,
    limit: f64,
    surrogate: Arc<dyn Surrogate>,
    scale: Option<f64>,
    custom_surrogate: bool,
}

impl Constraint {
    /// `name ≤ limit`, modelled by the default GP surrogate.
    pub fn at_most(name: &str, limit: f64) -> Result<Self> {
        if !limit.is_finite() {
            return Err(Error::invalid_parameter("limit", limit, "a finite number"));
        }
        Ok(Constraint {
            name: name.into(),
            limit,
            surrogate: Arc::new(GpSurrogate::default()),
            scale: None,
            custom_surrogate: false,
        })
    }

    /// In safe mode, the typical size of the constraint's variation (its
    /// units): values are modelled as `(c − limit)/scale` under a zero prior
    /// mean, so unexplored points are believed to sit at the limit and are
    /// not safe until data say so. Default: the largest observed |c − limit|.
    pub fn scale(mut self, scale: f64) -> Result<Self> {
        if !(scale.is_finite() && scale > 0.0) {
            return Err(Error::invalid_parameter("scale", scale, "(0, inf)"));
        }
        self.scale = Some(scale);
        Ok(self)
    }

    /// Uses another surrogate for this constraint.
    pub fn surrogate(mut self, surrogate: impl Surrogate + 'static) -> Self {
        self.surrogate = Arc::new(surrogate);
        self.custom_surrogate = true;
        self
    }

    /// The scale set by [`Constraint::scale`], or `default()`.
    pub(crate) fn scale_or_else(&self, default: impl FnOnce() -> f64) -> f64 {
        self.scale.unwrap_or_else(default)
    }

    /// The constraint's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The limit.
    pub fn limit(&self) -> f64 {
        self.limit
    }
}

/// Parameters of a Bayesian optimisation campaign.
///
/// # Examples
///
/// ```
/// use voltai_discovery::bo::{Acquisition, BayesOptParams, Goal, InitialDesign, SearchSpace};
///
/// let mut opt = BayesOptParams::new(SearchSpace::continuous(&[(0.0, 2.0), (-1.0, 1.0)])?)
///     .goal(Goal::Minimize)
///     .acquisition(Acquisition::UpperConfidenceBound { beta: 2.0 })?
///     .initial_design(4, InitialDesign::LatinHypercube)
///     .seed(7)
///     .build()?;
/// // The first ask returns the initial design, inside the bounds.
/// let x = opt.ask(4)?;
/// assert_eq!(x.dim(), (4, 2));
/// assert!(x.column(0).iter().all(|v| (0.0..=2.0).contains(v)));
/// assert!(x.column(1).iter().all(|v| (-1.0..=1.0).contains(v)));
/// let y = x.map_axis(ndarray::Axis(1), |r| r[0] * r[0] + r[1] * r[1]);
/// opt.tell(x.view(), y.view(), None)?;
/// assert_eq!(opt.history().len(), 4);
/// assert!(BayesOptParams::new(SearchSpace::continuous(&[(0.0, 1.0)])?)
///     .acquisition(Acquisition::UpperConfidenceBound { beta: -1.0 })
///     .is_err());
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BayesOptParams {
    space: SearchSpace,
    goal: Goal,
    acquisition: Acquisition,
    surrogate: Arc<dyn Surrogate>,
    n_initial: usize,
    design: InitialDesign,
    constraints: Vec<Constraint>,
    /// How the constraints shape the search (probable or certified).
    policy: Arc<dyn ConstraintPolicy>,
    seed: u64,
    pool_size: usize,
    n_starts: usize,
    min_separation: f64,
    incumbent: Incumbent,
}

/// What improvement-based acquisitions (EI, log-EI, PI) improve on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Incumbent {
    /// The best feasible reading (exact objectives; the default).
    BestObservation,
    /// The best posterior mean at the observed feasible points: plug-in
    /// noisy EI (Picheny et al. 2013). With noisy readings the best one is
    /// biased upwards by the noise, and EI against it stops exploring.
    BestPosteriorMean,
}

impl BayesOptParams {
    /// Maximise over `space` with log-EI on the default GP, 5 Sobol initial
    /// points, seed 0.
    pub fn new(space: SearchSpace) -> Self {
        BayesOptParams {
            space,
            goal: Goal::Maximize,
            acquisition: Acquisition::default(),
            surrogate: Arc::new(GpSurrogate::default()),
            n_initial: 5,
            design: InitialDesign::Sobol,
            constraints: Vec::new(),
            policy: Arc::new(Probable),
            seed: 0,
            pool_size: 2048,
            n_starts: 5,
            min_separation: 0.01,
            incumbent: Incumbent::BestObservation,
        }
    }

    /// Maximise or minimise.
    pub fn goal(mut self, goal: Goal) -> Self {
        self.goal = goal;
        self
    }

    /// The acquisition function.
    pub fn acquisition(mut self, acquisition: Acquisition) -> Result<Self> {
        match acquisition {
            Acquisition::ExpectedImprovement { xi }
            | Acquisition::ProbabilityOfImprovement { xi }
                if !(xi.is_finite() && xi >= 0.0) =>
            {
                return Err(Error::invalid_parameter("xi", xi, "[0, inf)"));
            }
            Acquisition::UpperConfidenceBound { beta } if !(beta.is_finite() && beta >= 0.0) => {
                return Err(Error::invalid_parameter("beta", beta, "[0, inf)"));
            }
            _ => {}
        }
        self.acquisition = acquisition;
        Ok(self)
    }

    super::campaign_setters!();

    /// The search space.
    pub fn space(&self) -> &SearchSpace {
        &self.space
    }

    /// What EI, log-EI and PI improve on (see [`Incumbent`]).
    pub fn incumbent(mut self, incumbent: Incumbent) -> Self {
        self.incumbent = incumbent;
        self
    }

    /// Smallest distance, in the unit-cube encoding of a box space, between
    /// a new pick and any pending point or earlier pick of the same batch
    /// (default 0.01). The kriging believer alone does not keep picks apart
    /// on noisy models: a believed observation leaves the noise's share of
    /// variance in place, so the same spot can stay the best one. 0 allows
    /// replicates of pending points. Candidate sets ignore it (they never
    /// offer a pending candidate).
    pub fn min_separation(mut self, distance: f64) -> Result<Self> {
        if !(distance.is_finite() && (0.0..1.0).contains(&distance)) {
            return Err(Error::invalid_parameter(
                "min_separation",
                distance,
                "[0, 1)",
            ));
        }
        self.min_separation = distance;
        Ok(self)
    }

    /// Adds an outcome constraint.
    pub fn constraint(mut self, mut c: Constraint) -> Result<Self> {
        if let Some(s) = self.policy.default_surrogate()?
            && !c.custom_surrogate
        {
            c.surrogate = s;
        }
        self.constraints.push(c);
        Ok(self)
    }

    /// Safe mode: only propose points whose every constraint holds with
    /// probability ≥ 1 − δ under its surrogate (SafeOpt-style: the safe set
    /// grows from the known-safe observations told before the first ask).
    ///
    /// Constraints are then modelled relative to their limits (see
    /// [`Constraint::scale`]); constraints that keep the default surrogate get
    /// a GP whose length scales are at most 0.3 of each input's range, the
    /// regularity assumption that lets one safe point vouch only for its
    /// neighbourhood.
    pub fn safe_mode(mut self, delta: f64) -> Result<Self> {
        if !(delta > 0.0 && delta < 0.5) {
            return Err(Error::invalid_parameter("delta", delta, "(0, 0.5)"));
        }
        self.policy = Arc::new(Certified { delta });
        if let Some(s) = self.policy.default_surrogate()? {
            for c in &mut self.constraints {
                if !c.custom_surrogate {
                    c.surrogate = s.clone();
                }
            }
        }
        Ok(self)
    }

    /// Quasi-random pool size for acquisition search and gradient polishes.
    pub fn search(mut self, pool_size: usize, n_starts: usize) -> Result<Self> {
        if pool_size == 0 {
            return Err(Error::invalid_parameter(
                "pool_size",
                pool_size,
                "1 or more",
            ));
        }
        self.pool_size = pool_size;
        self.n_starts = n_starts;
        Ok(self)
    }

    /// Starts a campaign with no observations.
    pub fn build(self) -> Result<BayesOpt> {
        self.resume(History::default())
    }

    /// Resumes a campaign from a saved history (each observation is checked).
    pub fn resume(self, history: History) -> Result<BayesOpt> {
        self.policy.check_constraints(self.constraints.len())?;
        let mut opt = BayesOpt {
            params: self,
            history: History::default(),
            round: None,
        };
        for o in history.observations {
            opt.tell_one(&o.x, o.y, &o.constraints)?;
        }
        Ok(opt)
    }
}

/// A running campaign: [`BayesOpt::ask`] for points, [`BayesOpt::tell`] the results.
///
/// # Examples
///
/// ```
/// use voltai_discovery::bo::{BayesOptParams, Goal, History, InitialDesign, SearchSpace};
///
/// let params = BayesOptParams::new(SearchSpace::continuous(&[(0.0, 1.0)])?)
///     .goal(Goal::Minimize)
///     .initial_design(2, InitialDesign::Sobol);
/// let mut opt = params.clone().build()?;
/// opt.tell_one(&[0.2], 0.5, &[])?; // no constraints declared
/// opt.tell_one(&[0.6], 0.1, &[])?;
/// assert_eq!(opt.best().unwrap().x, vec![0.6]);
/// // Past the initial design, the GP surrogate proposes the next point.
/// let next = opt.ask(1)?;
/// assert!(next.dim() == (1, 1) && (0.0..=1.0).contains(&next[[0, 0]]));
/// // The history serialises, so a campaign resumes after a crash.
/// let saved = opt.history().to_json()?;
/// let resumed = params.resume(History::from_json(&saved)?)?;
/// assert_eq!(resumed.best().unwrap().y, 0.1);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BayesOpt {
    params: BayesOptParams,
    history: History,
    /// Overrides the number of observations in the per-round seeds (a
    /// ledger derives them from the next trial id instead).
    round: Option<u64>,
}

/// Which random choice of a round a seed is for (see `BayesOpt::round_seed`).
/// The values are part of what makes a saved campaign repeatable: changing
/// one changes every later proposal of campaigns that used it. Constraint
/// fits take `CONSTRAINT_FIT + j` (j: the constraint's index); with fewer
/// than 8 constraints they share a stream with nothing else of their phase
/// (the design's candidate draw, salt 3, only happens before any model is
/// fitted).
mod salt {
    pub const OBJECTIVE_FIT: u64 = 1;
    pub const CONSTRAINT_FIT: u64 = 2;
    pub const DESIGN_CANDIDATES: u64 = 3;
    /// The Sobol pool; its local perturbations use `POOL + 1`.
    pub const POOL: u64 = 10;
    /// Thompson draws take `THOMPSON + k` for pick k of a batch.
    pub const THOMPSON: u64 = 20;
    pub const OBJECTIVE_REFIT: u64 = 40;
    pub const CONSTRAINT_REFIT: u64 = 41;
    /// Noisy EI's baseline draws; after a fantasy (batch or pending point)
    /// `NOISY_BASELINE + n`, n the points then modelled.
    pub const NOISY_BASELINE: u64 = 60;
}

/// Fitted models of one proposal round (standardised units).
pub(crate) struct Models {
    pub(crate) objective: Box<dyn FittedSurrogate>,
    pub(crate) constraints: Vec<Box<dyn FittedSurrogate>>,
    /// Limits of the constraints in model units.
    pub(crate) limits: Vec<f64>,
    /// Best feasible standardised objective, if any point is feasible.
    best: Option<f64>,
    /// Encoded inputs and the modelled targets (objective, then each
    /// constraint), kept for surrogates that refit to absorb fantasies.
    x: Array2<f64>,
    targets: Vec<Array1<f64>>,
    /// Noisy EI's baseline, when that is the acquisition and a point is
    /// feasible.
    noisy: Option<NoisyBaseline>,
}

pub(crate) fn standardize(v: ArrayView1<'_, f64>) -> (Array1<f64>, f64, f64) {
    let n = v.len().max(1) as f64;
    let mean = v.sum() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
    (v.mapv(|x| (x - mean) / sd), mean, sd)
}

impl BayesOpt {
    /// The observations so far.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The parameters.
    pub fn params(&self) -> &BayesOptParams {
        &self.params
    }

    /// Whether an observation satisfies every constraint.
    pub fn is_feasible(&self, o: &Observation) -> bool {
        o.constraints
            .iter()
            .zip(&self.params.constraints)
            .all(|(v, c)| *v <= c.limit)
    }

    /// The best feasible observation so far.
    pub fn best(&self) -> Option<&Observation> {
        let sign = self.sign();
        self.history
            .observations
            .iter()
            .filter(|o| self.is_feasible(o))
            .max_by(|a, b| (sign * a.y).total_cmp(&(sign * b.y)))
    }

    /// The best point by the model rather than by a single noisy reading:
    /// among the observed points the constraint models expect to be
    /// feasible, the one with the best posterior mean of the objective.
    /// Returns the point and that mean (in the objective's units); `None`
    /// before any observation or when no observed point is expected to be
    /// feasible. With replicated, noisy measurements this is the point to
    /// report: the best single reading is biased towards lucky noise.
    pub fn best_by_posterior_mean(&self) -> Result<Option<(Vec<f64>, f64)>> {
        if self.history.is_empty() {
            return Ok(None);
        }
        let m = self.fit_models()?;
        let mean = m.objective.predict(m.x.view())?.mean;
        let mut feasible = vec![true; mean.len()];
        for (c, &limit) in m.constraints.iter().zip(&m.limits) {
            let cm = c.predict(m.x.view())?.mean;
            for (f, v) in feasible.iter_mut().zip(cm.iter()) {
                *f &= *v <= limit;
            }
        }
        let Some(i) = (0..mean.len())
            .filter(|&i| feasible[i])
            .max_by(|&a, &b| mean[a].total_cmp(&mean[b]))
        else {
            return Ok(None);
        };
        // Back from the standardised, sign-flipped scale of `fit_models`.
        let sign = self.sign();
        let (_, mu, sd) = self.modelled_objective();
        Ok(Some((
            self.history.observations[i].x.clone(),
            sign * (mean[i] * sd + mu),
        )))
    }

    fn sign(&self) -> f64 {
        match self.params.goal {
            Goal::Maximize => 1.0,
            Goal::Minimize => -1.0,
        }
    }

    /// Records one evaluation.
    pub fn tell_one(&mut self, x: &[f64], y: f64, constraints: &[f64]) -> Result<()> {
        let xv = ArrayView1::from(x);
        self.params.space.check_point(xv)?;
        if let SearchSpace::Candidates(c) = &self.params.space
            && candidate_index(c, xv).is_none()
        {
            return Err(Error::InvalidInput(format!(
                "{x:?} is not one of the candidates"
            )));
        }
        if !y.is_finite() {
            return Err(Error::NonFinite {
                context: "objective observation (drop failed runs or record a finite penalty)"
                    .into(),
                index: vec![self.history.len()],
                value: y,
            });
        }
        if constraints.len() != self.params.constraints.len() {
            return Err(Error::shape_mismatch(
                "constraint values",
                [self.params.constraints.len()],
                [constraints.len()],
            ));
        }
        voltai_core::check::finite1("constraint observation", ArrayView1::from(constraints))?;
        self.history.observations.push(Observation {
            x: x.to_vec(),
            y,
            constraints: constraints.to_vec(),
        });
        Ok(())
    }

    /// Records a batch: points as rows of `x`, objective values `y`, and one
    /// row of constraint values per point when constraints are declared.
    pub fn tell(
        &mut self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        constraints: Option<ArrayView2<'_, f64>>,
    ) -> Result<()> {
        voltai_core::check::same_len("observations", x.nrows(), y.len())?;
        if let Some(c) = constraints {
            voltai_core::check::same_len("constraint rows", x.nrows(), c.nrows())?;
        }
        for i in 0..x.nrows() {
            let c = constraints.map_or_else(Vec::new, |c| c.row(i).to_vec());
            self.tell_one(&x.row(i).to_vec(), y[i], &c)?;
        }
        Ok(())
    }

    /// The seed of random choice `salt` (one of [`salt`]'s constants) in
    /// this round: from the campaign seed, the round (the next trial id,
    /// or the number of observations) and the choice.
    fn round_seed(&self, salt: u64) -> u64 {
        let round = self.round.map_or(self.history.len(), |r| r as usize);
        super::design::round_seed(self.params.seed, salt, round)
    }

    /// Seeds this round's random choices from `round` (e.g. the next trial
    /// id) instead of the number of observations.
    pub(crate) fn set_round(&mut self, round: u64) {
        self.round = Some(round);
    }

    fn encoded_history(&self) -> Array2<f64> {
        let d = self.params.space.n_dims();
        let x = Array2::from_shape_fn((self.history.len(), d), |(i, j)| {
            self.history.observations[i].x[j]
        });
        self.params.space.encode(x.view())
    }

    /// The objective as the surrogate sees it (to maximise, standardised),
    /// with the mean and sd it was standardised by.
    fn modelled_objective(&self) -> (Array1<f64>, f64, f64) {
        let sign = self.sign();
        let y: Array1<f64> = self
            .history
            .observations
            .iter()
            .map(|o| sign * o.y)
            .collect();
        standardize(y.view())
    }

    fn fit_models(&self) -> Result<Models> {
        let x = self.encoded_history();
        let (ys, _, _) = self.modelled_objective();
        let objective =
            self.params
                .surrogate
                .fit(x.view(), ys.view(), self.round_seed(salt::OBJECTIVE_FIT))?;
        let mut constraints = Vec::new();
        let mut limits = Vec::new();
        let mut targets = vec![ys.clone()];
        for (j, c) in self.params.constraints.iter().enumerate() {
            let v: Array1<f64> = self
                .history
                .observations
                .iter()
                .map(|o| o.constraints[j])
                .collect();
            let (vs, limit) = self.params.policy.modelled(c, v.view());
            constraints.push(c.surrogate.fit(
                x.view(),
                vs.view(),
                self.round_seed(salt::CONSTRAINT_FIT + j as u64),
            )?);
            limits.push(limit);
            targets.push(vs);
        }
        // The incumbent improvement is measured against: the best feasible
        // reading, or (noisy objectives) the best posterior mean at the
        // observed points, which a lucky reading cannot inflate.
        let values = match self.params.incumbent {
            Incumbent::BestObservation => ys.clone(),
            Incumbent::BestPosteriorMean => objective.predict(x.view())?.mean,
        };
        let feasible: Vec<bool> = self
            .history
            .observations
            .iter()
            .map(|o| self.is_feasible(o))
            .collect();
        let best = feasible
            .iter()
            .zip(values.iter())
            .filter(|(f, _)| **f)
            .map(|(_, v)| *v)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        let noisy = self.noisy_baseline(
            objective.as_ref(),
            x.view(),
            &feasible,
            salt::NOISY_BASELINE,
        )?;
        Ok(Models {
            objective,
            constraints,
            limits,
            best,
            x,
            targets,
            noisy,
        })
    }

    /// Noisy EI's baseline among the `feasible` rows of `x`, when noisy EI
    /// is the acquisition and some row is feasible.
    fn noisy_baseline(
        &self,
        objective: &dyn FittedSurrogate,
        x: ArrayView2<'_, f64>,
        feasible: &[bool],
        salt: u64,
    ) -> Result<Option<NoisyBaseline>> {
        if self.params.acquisition != Acquisition::LogNoisyExpectedImprovement {
            return Ok(None);
        }
        let rows: Vec<usize> = (0..x.nrows()).filter(|&i| feasible[i]).collect();
        if rows.is_empty() {
            return Ok(None);
        }
        let observed = x.select(Axis(0), &rows);
        Ok(Some(NoisyBaseline::new(
            objective,
            observed.view(),
            self.round_seed(salt),
        )?))
    }

    /// Scores of encoded points under the current models (−∞: not
    /// allowed), as the constraint policy combines the acquisition with
    /// the constraints' posteriors; `strict = false` gives the smooth
    /// variant a gradient polish follows.
    fn score(
        &self,
        m: &Models,
        u: ArrayView2<'_, f64>,
        sample: Option<&Array1<f64>>,
        strict: bool,
    ) -> Result<Array1<f64>> {
        let Predictive {
            mean,
            variance: var,
            ..
        } = m.objective.predict(u)?;
        let n = u.nrows();
        let mut beliefs: Vec<Vec<ConstraintBelief>> = vec![Vec::new(); n];
        for (c, &limit) in m.constraints.iter().zip(&m.limits) {
            let Predictive {
                mean: cm,
                variance: cv,
                ..
            } = c.predict(u)?;
            for i in 0..n {
                beliefs[i].push(ConstraintBelief {
                    mean: cm[i],
                    sd: cv[i].max(1e-18).sqrt(),
                    limit,
                });
            }
        }
        let acq = &self.params.acquisition;
        let noisy = match (&m.noisy, sample) {
            (Some(b), None) => Some(b.log_values(
                m.objective.as_ref(),
                u,
                mean.view(),
                var.mapv(|v| v.max(0.0)).view(),
            )?),
            _ => None,
        };
        let scores = Array1::from_shape_fn(n, |i| {
            let base = m.best.map(|best| match (sample, &noisy) {
                (Some(s), _) => s[i],
                (None, Some(v)) => v[i],
                (None, None) => acq.value(mean[i], var[i].max(0.0).sqrt(), best),
            });
            self.params.policy.score(acq, base, &beliefs[i], strict)
        });
        Ok(self.params.space.mask(u, scores))
    }

    /// Candidate pool in the encoding: Sobol points plus perturbations of the
    /// best observed points (safe sets start small around known-safe points),
    /// snapped to valid values; for candidate sets, the untried candidates.
    fn pool(&self, salt: u64, busy: ArrayView2<'_, f64>) -> Result<(Array2<f64>, Vec<usize>)> {
        let space = &self.params.space;
        match space {
            SearchSpace::Candidates(c) => {
                let tried: Vec<usize> = self
                    .history
                    .observations
                    .iter()
                    .filter_map(|o| candidate_index(c, ArrayView1::from(&o.x[..])))
                    .chain(
                        busy.rows()
                            .into_iter()
                            .filter_map(|r| candidate_index(c, r)),
                    )
                    .collect();
                let left: Vec<usize> = (0..c.nrows()).filter(|i| !tried.contains(i)).collect();
                let rows = c.select(Axis(0), &left);
                Ok((space.encode(rows.view()), left))
            }
            SearchSpace::Box { .. } => {
                let d = space.encoded_dims();
                let mut pool = sobol(self.params.pool_size, d, self.round_seed(salt));
                let mut rng = SplitMix64::new(self.round_seed(salt + 1));
                let x = self.encoded_history();
                let sign = self.sign();
                let mut order: Vec<usize> = (0..x.nrows()).collect();
                order.sort_by(|&a, &b| {
                    let (oa, ob) = (&self.history.observations[a], &self.history.observations[b]);
                    (self.is_feasible(ob), sign * ob.y)
                        .partial_cmp(&(self.is_feasible(oa), sign * oa.y))
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
                let mut local = Vec::new();
                for &i in order.iter().take(5) {
                    for scale in [0.02, 0.05, 0.15] {
                        for _ in 0..20 {
                            local.extend(
                                (0..d).map(|j| (x[[i, j]] + scale * rng.normal()).clamp(0.0, 1.0)),
                            );
                        }
                    }
                }
                if !local.is_empty() {
                    // d values per perturbed point, as wide as the Sobol pool.
                    let local =
                        Array2::from_shape_vec((local.len() / d, d), local).map_err(|e| {
                            Error::internal(format!("bo pool: local perturbations not n×{d}: {e}"))
                        })?;
                    pool = concatenate(Axis(0), &[pool.view(), local.view()]).map_err(|e| {
                        Error::internal(format!(
                            "bo pool: Sobol pool ({} wide) and local points ({d} wide) differ: {e}",
                            pool.ncols()
                        ))
                    })?;
                }
                if !space.is_continuous() {
                    for mut row in pool.rows_mut() {
                        let snapped =
                            space.encode(space.decode(row.view()).insert_axis(Axis(0)).view());
                        row.assign(&snapped.row(0));
                    }
                }
                Ok((space.admissible(pool), Vec::new()))
            }
        }
    }

    /// Proposes `q ≥ 1` points to evaluate next (rows of the result). Batches
    /// use the kriging believer: each pick is added to the models at its
    /// predicted mean before the next is chosen. Candidate sets never repeat
    /// a candidate; fewer than `q` rows come back when fewer are left.
    pub fn ask(&mut self, q: usize) -> Result<Array2<f64>> {
        let none = Array2::zeros((0, self.params.space.n_dims()));
        self.ask_pending(q, none.view(), none.view())
    }

    /// [`BayesOpt::ask`] while other experiments are out: the `pending`
    /// points (running, result not yet told) enter the models by the
    /// kriging believer — as if observed at the predicted mean — before the
    /// first pick, so no pick lands on or beside them; the `failed` points
    /// (runs that produced no result) are not modelled. Both count as used:
    /// the initial design continues past them and candidate sets never
    /// offer them again.
    pub fn ask_pending(
        &mut self,
        q: usize,
        pending: ArrayView2<'_, f64>,
        failed: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>> {
        if q == 0 {
            return Err(Error::invalid_parameter("q", q, "1 or more"));
        }
        let space = self.params.space.clone();
        for p in pending.rows().into_iter().chain(failed.rows()) {
            space.check_point(p)?;
        }
        let n_obs = self.history.len();
        let policy = Arc::clone(&self.params.policy);
        policy.ready(n_obs)?;
        let designing = n_obs < self.params.n_initial && policy.uses_initial_design();
        let busy = concatenate(Axis(0), &[pending, failed]).map_err(|_| {
            Error::shape_mismatch(
                "pending and failed points (columns)",
                [pending.ncols()],
                [failed.ncols()],
            )
        })?;
        let n_used = n_obs + busy.nrows();
        let (pool, left) = self.pool(salt::POOL, busy.view())?;
        if let SearchSpace::Candidates(c) = &space {
            if left.is_empty() {
                return Err(Error::InvalidInput(
                    "every candidate has been evaluated".into(),
                ));
            }
            if designing {
                // Random distinct candidates for the initial design.
                let mut rng = SplitMix64::new(self.round_seed(salt::DESIGN_CANDIDATES));
                let mut left = left.clone();
                let k = q.min(left.len());
                let mut picks = Vec::with_capacity(k);
                for _ in 0..k {
                    let i = (rng.next_u64() % left.len() as u64) as usize;
                    picks.push(left.swap_remove(i));
                }
                return Ok(c.select(Axis(0), &picks));
            }
        } else if designing {
            let total = self.params.n_initial.max(n_used + q);
            let design = space.design(self.params.design, total, self.params.seed)?;
            return Ok(Array2::from_shape_fn((q, space.n_dims()), |(i, j)| {
                space.decode(design.row(n_used + i))[j]
            }));
        }
        if n_obs == 0 {
            return Err(Error::InvalidInput(
                "no observations and no initial design: tell at least one point or set an initial design".into(),
            ));
        }
        let mut models = self.fit_models()?;
        let mut taken: Vec<Array1<f64>> = Vec::new();
        for p in pending.rows() {
            let u = space.encode(p.insert_axis(Axis(0)));
            models = self.fantasize(models, u.row(0))?;
            taken.push(u.row(0).to_owned());
        }
        // Box spaces keep picks apart (see `min_separation`).
        let sep = match space {
            SearchSpace::Box { .. } => self.params.min_separation,
            SearchSpace::Candidates(_) => 0.0,
        };
        let clear = |u: ArrayView1<'_, f64>, taken: &[Array1<f64>]| {
            sep == 0.0
                || taken.iter().all(|t| {
                    t.iter()
                        .zip(u.iter())
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum::<f64>()
                        >= sep * sep
                })
        };
        let mut pool = pool;
        let mut left = left;
        let mut picks: Vec<Array1<f64>> = Vec::new();
        let polish =
            space.is_continuous() && self.params.acquisition != Acquisition::ThompsonSampling;
        for k in 0..q {
            if sep > 0.0 {
                let keep: Vec<usize> = (0..pool.nrows())
                    .filter(|&i| clear(pool.row(i), &taken))
                    .collect();
                pool = pool.select(Axis(0), &keep);
            }
            if pool.nrows() == 0 {
                break;
            }
            let sample = if self.params.acquisition == Acquisition::ThompsonSampling {
                let draw = models.objective.sample_joint(
                    pool.view(),
                    1,
                    self.round_seed(salt::THOMPSON + k as u64),
                )?;
                Some(draw.row(0).to_owned())
            } else {
                None
            };
            let chosen = if let Some(pick) = policy.explore(&models, pool.view(), n_obs, k)? {
                pick
            } else if let Some(s) = &sample {
                let values = self.score(&models, pool.view(), Some(s), true)?;
                argmax(values.view()).map(|(i, v)| (pool.row(i).to_owned(), v))
            } else {
                let score = |u: ArrayView2<'_, f64>| {
                    let mut v = self.score(&models, u, None, true)?;
                    for (i, row) in u.rows().into_iter().enumerate() {
                        if !clear(row, &taken) {
                            v[i] = f64::NEG_INFINITY;
                        }
                    }
                    Ok(v)
                };
                let smooth = |u: ArrayView2<'_, f64>| self.score(&models, u, None, false);
                let edge: Option<&super::maximize::Score<'_>> = if policy.polishes_edge() {
                    Some(&smooth)
                } else {
                    None
                };
                maximize(&score, edge, pool.view(), self.params.n_starts, polish)?
            };
            let Some((u, _)) = chosen else {
                if k == 0 {
                    return Err(Error::InvalidInput(
                        "no point is allowed: the safe set is empty under the current models"
                            .into(),
                    ));
                }
                break;
            };
            // Decode, and drop the pick from the pool (candidate sets).
            let point = match &space {
                SearchSpace::Candidates(c) => {
                    // Candidate spaces are never polished, so the pick is a pool row.
                    let i = (0..pool.nrows())
                        .find(|&i| pool.row(i) == u)
                        .ok_or_else(|| {
                            Error::internal(
                                "bo ask: the chosen point is not a row of the candidate pool",
                            )
                        })?;
                    let row = c.row(left[i]).to_owned();
                    left.remove(i);
                    pool = pool.select(
                        Axis(0),
                        &(0..pool.nrows()).filter(|&r| r != i).collect::<Vec<_>>(),
                    );
                    row
                }
                SearchSpace::Box { .. } => space.decode(u.view()),
            };
            picks.push(point);
            if k + 1 < q {
                models = self.fantasize(models, u.view())?;
            }
            taken.push(u);
        }
        let d = space.n_dims();
        Ok(Array2::from_shape_fn((picks.len(), d), |(i, j)| {
            picks[i][j]
        }))
    }

    /// Kriging believer: every model absorbs the pick at its own mean.
    fn fantasize(&self, m: Models, u: ArrayView1<'_, f64>) -> Result<Models> {
        let row = u.insert_axis(Axis(0));
        let x = concatenate(Axis(0), &[m.x.view(), row])
            .map_err(|e| Error::numerical("fantasy", e.to_string()))?;
        let mut targets = Vec::with_capacity(m.targets.len());
        let mut absorb = |s: &dyn FittedSurrogate,
                          surrogate: &dyn Surrogate,
                          target: &Array1<f64>,
                          salt: u64|
         -> Result<Box<dyn FittedSurrogate>> {
            let Predictive { mean, .. } = s.predict(row)?;
            let mut extended = target.to_vec();
            extended.push(mean[0]);
            targets.push(Array1::from(extended));
            match s.condition_on(row, mean.view()) {
                Some(r) => r,
                // Surrogates without a cheap update refit with the fantasy.
                None => surrogate.fit(
                    x.view(),
                    targets[targets.len() - 1].view(),
                    self.round_seed(salt),
                ),
            }
        };
        let objective = absorb(
            m.objective.as_ref(),
            self.params.surrogate.as_ref(),
            &m.targets[0],
            salt::OBJECTIVE_REFIT,
        )?;
        let mut constraints = Vec::new();
        for (j, c) in m.constraints.iter().enumerate() {
            constraints.push(absorb(
                c.as_ref(),
                self.params.constraints[j].surrogate.as_ref(),
                &m.targets[j + 1],
                salt::CONSTRAINT_REFIT + j as u64,
            )?);
        }
        // The believed value is an observation like any other: where it
        // beats the incumbent it becomes the incumbent (if every believed
        // constraint value holds), or the improvement the models expect
        // there would survive the fantasy and draw the next pick back to
        // the same point.
        let fantasy = |k: usize| targets[k].last().copied().unwrap_or(f64::NEG_INFINITY);
        let feasible = (0..m.limits.len()).all(|j| fantasy(j + 1) <= m.limits[j]);
        let best = match m.best {
            Some(b) if feasible => Some(b.max(fantasy(0))),
            None if feasible && !m.limits.is_empty() => Some(fantasy(0)),
            other => other,
        };
        // Noisy EI's baseline takes the believed point in (BoTorch puts
        // pending points into X_baseline the same way).
        let noisy = if m.noisy.is_some() {
            let n = x.nrows();
            let rows_feasible: Vec<bool> = (0..n)
                .map(|i| (0..m.limits.len()).all(|j| targets[j + 1][i] <= m.limits[j]))
                .collect();
            self.noisy_baseline(
                objective.as_ref(),
                x.view(),
                &rows_feasible,
                salt::NOISY_BASELINE + n as u64,
            )?
        } else {
            None
        };
        Ok(Models {
            objective,
            constraints,
            limits: m.limits,
            best,
            x,
            targets,
            noisy,
        })
    }

    /// In safe mode, the points of the current search pool that the
    /// constraint models certify as safe (decoded, one per row).
    pub fn safe_set(&self) -> Result<Array2<f64>> {
        let z = self
            .params
            .policy
            .certification()
            .ok_or_else(|| Error::InvalidInput("safe_set needs safe mode".into()))?;
        if self.history.is_empty() {
            return Ok(Array2::zeros((0, self.params.space.n_dims())));
        }
        let models = self.fit_models()?;
        let none = Array2::zeros((0, self.params.space.n_dims()));
        let (pool, left) = self.pool(salt::POOL, none.view())?;
        let mut safe = vec![true; pool.nrows()];
        for (c, &limit) in models.constraints.iter().zip(&models.limits) {
            let Predictive {
                mean: cm,
                variance: cv,
                ..
            } = c.predict(pool.view())?;
            for i in 0..pool.nrows() {
                safe[i] &= cm[i] + z * cv[i].max(0.0).sqrt() <= limit;
            }
        }
        let rows: Vec<Array1<f64>> = (0..pool.nrows())
            .filter(|&i| safe[i])
            .map(|i| match &self.params.space {
                SearchSpace::Candidates(c) => c.row(left[i]).to_owned(),
                SearchSpace::Box { .. } => self.params.space.decode(pool.row(i)),
            })
            .collect();
        let d = self.params.space.n_dims();
        Ok(Array2::from_shape_fn((rows.len(), d), |(i, j)| rows[i][j]))
    }

    /// Runs `budget` evaluations in batches of `q`: `f(x)` returns the
    /// objective and the constraint values. After each batch `progress`
    /// gets task `"bo"`, step = evaluations so far, total = `budget`, and the
    /// figure `"best"` (the best feasible objective so far) once there is one.
    pub fn run(
        &mut self,
        mut f: impl FnMut(ArrayView1<'_, f64>) -> Result<(f64, Vec<f64>)>,
        budget: usize,
        q: usize,
        progress: &mut ProgressFn<'_>,
    ) -> Result<()> {
        let mut done = 0;
        while done < budget {
            let x = self.ask(q.min(budget - done))?;
            for row in x.rows() {
                let (y, c) = f(row)?;
                self.tell_one(&row.to_vec(), y, &c)?;
                done += 1;
            }
            let mut report = Progress::new("bo", done).total(budget);
            if let Some(best) = self.best() {
                report = report.value("best", best.y);
            }
            progress(&report);
        }
        Ok(())
    }
}

/// Index of the candidate equal to `x` (to 1e-9 relative).
fn candidate_index(c: &Array2<f64>, x: ArrayView1<'_, f64>) -> Option<usize> {
    (0..c.nrows()).find(|&i| {
        c.row(i)
            .iter()
            .zip(x.iter())
            .all(|(a, b)| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0))
    })
}
