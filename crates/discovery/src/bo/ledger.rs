//! The campaign ledger: every suggestion is a trial with an id and a state,
//! as a lab runs it — several experiments out at once, some failing, results
//! arriving in any order (Ax's trials, BoTorch's `X_pending`).
//!
//! A [`Campaign`] pairs the optimiser's settings with a [`Ledger`]. Each
//! [`Campaign::ask`] rebuilds the models from the completed trials in
//! trial-id order (so the order results were told in does not matter),
//! accounts for the pending trials by the kriging believer (see
//! [`BayesOpt::ask_pending`]), leaves failed and abandoned trials out of the
//! models, and seeds its random choices from the campaign seed and the next
//! trial id (so a campaign resumed from its saved ledger proposes exactly
//! what the original would have).
//!
//! The same ledger and loop serve every strategy ([`CampaignStrategy`]):
//! single-objective settings ([`BayesOptParams`], with or without
//! constraints or safe mode), whose measurements are a [`Measurement`], and
//! multi-objective settings ([`MultiObjectiveParams`]), whose measurements are
//! [`Objectives`].
//!
//! ```
//! use voltai_discovery::bo::{BayesOptParams, Campaign, Goal, Ledger, SearchSpace, TrialState};
//!
//! let params = BayesOptParams::new(SearchSpace::continuous(&[(0.0, 1.0)])?)
//!     .goal(Goal::Minimize)
//!     .seed(7);
//! let mut campaign = Campaign::new(params.clone());
//! // Three experiments go out at once; none is proposed twice.
//! let out = campaign.ask(3)?;
//! assert_eq!(out.iter().map(|t| t.id).collect::<Vec<_>>(), [0, 1, 2]);
//! campaign.complete(out[2].id, (out[2].x[0] - 0.3f64).powi(2), &[])?;
//! campaign.fail(out[0].id, "cell vented")?;
//! assert_eq!(campaign.ledger().trial(0)?.state, TrialState::Failed);
//! // The ledger is JSON; resuming from it continues the same campaign.
//! let saved = campaign.ledger().to_json()?;
//! let mut resumed = Campaign::resume(params, Ledger::from_json(&saved)?);
//! assert_eq!(resumed.ask(2)?, campaign.ask(2)?);
//! # Ok::<(), voltai_core::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt::Debug;

use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use voltai_core::{Error, Progress, ProgressFn, Result};

use super::history::{History, Observation};
use super::multi::{MultiObjective, MultiObjectiveParams};
use super::optimizer::{BayesOpt, BayesOptParams};
use super::space::SearchSpace;

/// What a [`Campaign`] needs from an optimiser's settings: one ledger and
/// one ask/complete loop for every strategy. A strategy says what one
/// measurement holds, checks it, and proposes the next points from the
/// completed trials (in trial-id order) and the points still out.
pub trait CampaignStrategy: Clone {
    /// What one measurement of a trial holds.
    type Outcome: Clone + Debug + PartialEq + Serialize + DeserializeOwned;

    /// The search space.
    fn space(&self) -> &SearchSpace;

    /// Checks a measurement at `x` as the models will see it.
    fn check(&self, x: &[f64], outcome: &Self::Outcome) -> Result<()>;

    /// Up to `k` new points (rows) given the completed measurements, the
    /// `pending` points (running) and the `closed` ones (failed or
    /// abandoned: never modelled, never proposed again where the space is
    /// finite), with every random choice seeded from `round` (the next
    /// trial id).
    fn propose(
        &self,
        completed: &[(Vec<f64>, Self::Outcome)],
        pending: ArrayView2<'_, f64>,
        closed: ArrayView2<'_, f64>,
        k: usize,
        round: u64,
    ) -> Result<Array2<f64>>;
}

/// One measurement of a single-objective trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// The objective value.
    pub y: f64,
    /// Constraint values, one per declared constraint.
    pub constraints: Vec<f64>,
}

/// One measurement of a multi-objective trial: every objective's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objectives {
    /// The objective values, in the settings' order (all minimised).
    pub objectives: Vec<f64>,
}

impl CampaignStrategy for BayesOptParams {
    type Outcome = Measurement;

    fn space(&self) -> &SearchSpace {
        BayesOptParams::space(self)
    }

    fn check(&self, x: &[f64], m: &Measurement) -> Result<()> {
        self.clone().build()?.tell_one(x, m.y, &m.constraints)
    }

    fn propose(
        &self,
        completed: &[(Vec<f64>, Measurement)],
        pending: ArrayView2<'_, f64>,
        closed: ArrayView2<'_, f64>,
        k: usize,
        round: u64,
    ) -> Result<Array2<f64>> {
        let mut opt = self.single(completed, round)?;
        opt.ask_pending(k, pending, closed)
    }
}

impl BayesOptParams {
    /// The optimiser on `completed`, seeded for `round`.
    fn single(&self, completed: &[(Vec<f64>, Measurement)], round: u64) -> Result<BayesOpt> {
        let history = History {
            observations: completed
                .iter()
                .map(|(x, m)| Observation {
                    x: x.clone(),
                    y: m.y,
                    constraints: m.constraints.clone(),
                })
                .collect(),
        };
        let mut opt = self.clone().resume(history)?;
        opt.set_round(round);
        Ok(opt)
    }
}

impl CampaignStrategy for MultiObjectiveParams {
    type Outcome = Objectives;

    fn space(&self) -> &SearchSpace {
        MultiObjectiveParams::space(self)
    }

    fn check(&self, x: &[f64], o: &Objectives) -> Result<()> {
        self.clone().build().tell_one(x, &o.objectives)
    }

    fn propose(
        &self,
        completed: &[(Vec<f64>, Objectives)],
        pending: ArrayView2<'_, f64>,
        closed: ArrayView2<'_, f64>,
        k: usize,
        round: u64,
    ) -> Result<Array2<f64>> {
        self.multi(completed, round)?
            .ask_pending(k, pending, closed)
    }
}

impl MultiObjectiveParams {
    /// The optimiser on `completed`, seeded for `round`.
    fn multi(&self, completed: &[(Vec<f64>, Objectives)], round: u64) -> Result<MultiObjective> {
        let mut mo = self.clone().build();
        for (x, o) in completed {
            mo.tell_one(x, &o.objectives)?;
        }
        mo.set_round(round);
        Ok(mo)
    }
}

/// Where a trial stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrialState {
    /// Proposed and running; no result yet.
    Pending,
    /// At least one result told.
    Completed,
    /// Ran and produced no usable result (kept, never modelled).
    Failed,
    /// Withdrawn before it ran (kept, never modelled).
    Abandoned,
}

/// One measurement of a trial (replicates are several of these): the
/// strategy's outcome (its fields inline in the JSON) and when it came.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "O: Serialize + DeserializeOwned")]
pub struct TrialObservation<O = Measurement> {
    /// What was measured.
    #[serde(flatten)]
    pub outcome: O,
    /// When it was told (milliseconds since the Unix epoch).
    pub at_ms: u64,
}

/// One suggested experiment and everything that happened to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "O: Serialize + DeserializeOwned")]
pub struct Trial<O = Measurement> {
    /// Sequential id, from 0.
    pub id: u64,
    /// The suggested point (categoricals as choice index).
    pub x: Vec<f64>,
    /// Its state.
    pub state: TrialState,
    /// Its measurements, in the order told.
    pub observations: Vec<TrialObservation<O>>,
    /// When it was suggested (milliseconds since the Unix epoch).
    pub created_ms: u64,
    /// Free metadata (operator, channel, the reason a run failed, …).
    pub metadata: BTreeMap<String, String>,
}

/// What [`Campaign::ask`] hands out: a trial id and its point.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The trial id to report the result under.
    pub id: u64,
    /// The point to run.
    pub x: Vec<f64>,
}

/// Every trial of a campaign, serialisable; `O` is what one measurement
/// holds ([`CampaignStrategy::Outcome`]): [`Measurement`] by default, so
/// `let ledger: Ledger = …` is a single-objective ledger, and
/// `Ledger::<Objectives>::load(path)` reads a multi-objective one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "O: Serialize + DeserializeOwned")]
pub struct Ledger<O = Measurement> {
    /// The trials, by id (id = position).
    pub trials: Vec<Trial<O>>,
}

impl<O> Default for Ledger<O> {
    fn default() -> Self {
        Ledger { trials: Vec::new() }
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl<O: Clone + Serialize + DeserializeOwned> Ledger<O> {
    /// The trial with id `id`.
    pub fn trial(&self, id: u64) -> Result<&Trial<O>> {
        self.trials
            .get(id as usize)
            .ok_or_else(|| Error::InvalidInput(format!("no trial {id} in the ledger")))
    }

    fn trial_mut(&mut self, id: u64) -> Result<&mut Trial<O>> {
        let n = self.trials.len();
        self.trials
            .get_mut(id as usize)
            .ok_or_else(|| Error::InvalidInput(format!("no trial {id} in the ledger ({n} trials)")))
    }

    /// Trials in `state`, by id.
    pub fn in_state(&self, state: TrialState) -> impl Iterator<Item = &Trial<O>> {
        self.trials.iter().filter(move |t| t.state == state)
    }

    /// What the models see: every measurement of every completed trial, in
    /// trial-id order, replicates in the order told.
    pub fn completed(&self) -> Vec<(Vec<f64>, O)> {
        self.in_state(TrialState::Completed)
            .flat_map(|t| {
                t.observations
                    .iter()
                    .map(|o| (t.x.clone(), o.outcome.clone()))
            })
            .collect()
    }

    /// The points of the trials in any of `states`, one row each.
    fn points(&self, states: &[TrialState], d: usize) -> Result<Array2<f64>> {
        let rows: Vec<f64> = self
            .trials
            .iter()
            .filter(|t| states.contains(&t.state))
            .flat_map(|t| t.x.iter().copied())
            .collect();
        Array2::from_shape_vec((rows.len() / d.max(1), d), rows)
            .map_err(|e| Error::internal(format!("ledger: trial points are not {d} wide: {e}")))
    }

    /// JSON text of the ledger.
    pub fn to_json(&self) -> Result<String> {
        super::json::to_json(self)
    }

    /// Parses JSON text written by [`Ledger::to_json`]; trial ids must be
    /// 0, 1, 2, … in order.
    pub fn from_json(text: &str) -> Result<Self> {
        Self::parse(text, "<ledger>")
    }

    fn parse(text: &str, source: &str) -> Result<Self> {
        let ledger: Ledger<O> = super::json::from_json(text, source)?;
        if let Some((i, t)) = ledger
            .trials
            .iter()
            .enumerate()
            .find(|(i, t)| t.id != *i as u64)
        {
            return Err(Error::InvalidInput(format!(
                "{source}: trial at position {i} has id {}; ids must be 0, 1, 2, … in order",
                t.id
            )));
        }
        Ok(ledger)
    }

    /// Writes the ledger to `path` (e.g. after every change).
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        super::json::save(self, path.as_ref())
    }

    /// Reads a ledger saved by [`Ledger::save`].
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self> {
        super::json::load(path.as_ref(), Self::parse)
    }
}

impl Ledger<Measurement> {
    /// The observations a single-objective optimiser sees
    /// ([`Ledger::completed`] as a [`History`]).
    pub fn history(&self) -> History {
        History {
            observations: self
                .completed()
                .into_iter()
                .map(|(x, m)| Observation {
                    x,
                    y: m.y,
                    constraints: m.constraints,
                })
                .collect(),
        }
    }
}

/// A campaign run through a [`Ledger`] (see the module documentation), for
/// any [`CampaignStrategy`].
#[derive(Debug, Clone)]
pub struct Campaign<S: CampaignStrategy = BayesOptParams> {
    params: S,
    ledger: Ledger<S::Outcome>,
}

impl<S: CampaignStrategy> Campaign<S> {
    /// A campaign with no trials.
    pub fn new(params: S) -> Self {
        Campaign::resume(params, Ledger::default())
    }

    /// Continues a campaign from its ledger (the same params it ran with).
    pub fn resume(params: S, ledger: Ledger<S::Outcome>) -> Self {
        Campaign { params, ledger }
    }

    /// The ledger.
    pub fn ledger(&self) -> &Ledger<S::Outcome> {
        &self.ledger
    }

    /// The settings.
    pub fn params(&self) -> &S {
        &self.params
    }

    /// Proposes `k` new trials, all pending, given every trial still
    /// pending; fewer come back when a candidate set runs out.
    pub fn ask(&mut self, k: usize) -> Result<Vec<Suggestion>> {
        let d = self.params.space().n_dims();
        let pending = self.ledger.points(&[TrialState::Pending], d)?;
        let closed = self
            .ledger
            .points(&[TrialState::Failed, TrialState::Abandoned], d)?;
        let x = self.params.propose(
            &self.ledger.completed(),
            pending.view(),
            closed.view(),
            k,
            self.ledger.trials.len() as u64,
        )?;
        let created_ms = now_ms();
        Ok(x.rows()
            .into_iter()
            .map(|row| {
                let id = self.ledger.trials.len() as u64;
                self.ledger.trials.push(Trial {
                    id,
                    x: row.to_vec(),
                    state: TrialState::Pending,
                    observations: Vec::new(),
                    created_ms,
                    metadata: BTreeMap::new(),
                });
                Suggestion {
                    id,
                    x: row.to_vec(),
                }
            })
            .collect())
    }

    /// Records measurement `outcome` of trial `id` (a second call adds a
    /// replicate) and marks it completed.
    pub fn complete_with(&mut self, id: u64, outcome: S::Outcome) -> Result<()> {
        let x = self.ledger.trial(id)?.x.clone();
        self.params.check(&x, &outcome)?;
        let trial = self.ledger.trial_mut(id)?;
        match trial.state {
            TrialState::Pending | TrialState::Completed => {}
            other => {
                return Err(Error::InvalidInput(format!(
                    "trial {id} is {other:?}; only pending or completed trials take results"
                )));
            }
        }
        trial.observations.push(TrialObservation {
            outcome,
            at_ms: now_ms(),
        });
        trial.state = TrialState::Completed;
        Ok(())
    }

    /// Marks pending trial `id` failed, keeping `reason` in its metadata.
    pub fn fail(&mut self, id: u64, reason: &str) -> Result<()> {
        self.close(id, TrialState::Failed, reason)
    }

    /// Withdraws pending trial `id` before it runs.
    pub fn abandon(&mut self, id: u64, reason: &str) -> Result<()> {
        self.close(id, TrialState::Abandoned, reason)
    }

    fn close(&mut self, id: u64, state: TrialState, reason: &str) -> Result<()> {
        let trial = self.ledger.trial_mut(id)?;
        if trial.state != TrialState::Pending {
            return Err(Error::InvalidInput(format!(
                "trial {id} is {:?}; only a pending trial can become {state:?}",
                trial.state
            )));
        }
        trial.state = state;
        trial.metadata.insert("reason".into(), reason.into());
        Ok(())
    }

    /// Records a result obtained outside the campaign (e.g. the known-safe
    /// protocol a safe campaign starts from) as a completed trial; returns
    /// its id.
    pub fn record_with(&mut self, x: &[f64], outcome: S::Outcome) -> Result<u64> {
        self.params.check(x, &outcome)?;
        let id = self.ledger.trials.len() as u64;
        let at_ms = now_ms();
        self.ledger.trials.push(Trial {
            id,
            x: x.to_vec(),
            state: TrialState::Completed,
            observations: vec![TrialObservation { outcome, at_ms }],
            created_ms: at_ms,
            metadata: BTreeMap::from([("source".to_string(), "recorded".to_string())]),
        });
        Ok(id)
    }

    /// Runs `budget` trials in rounds of `k`: `f(x)` returns the outcome,
    /// or `None` when the run failed (the trial is marked failed and counts
    /// against the budget). After each round `progress` gets task `"bo"`,
    /// step = trials run, total = `budget`, and the figures `summary` gives
    /// (e.g. the best value so far).
    fn run_with(
        &mut self,
        mut f: impl FnMut(ArrayView1<'_, f64>) -> Result<Option<S::Outcome>>,
        budget: usize,
        k: usize,
        progress: &mut ProgressFn<'_>,
        summary: impl Fn(&Self) -> Result<Vec<(&'static str, f64)>>,
    ) -> Result<()> {
        if k == 0 {
            return Err(Error::invalid_parameter("k", k, "1 or more"));
        }
        let mut done = 0;
        while done < budget {
            let out = self.ask(k.min(budget - done))?;
            if out.is_empty() {
                break;
            }
            for s in &out {
                match f(ArrayView1::from(&s.x[..]))? {
                    Some(outcome) => self.complete_with(s.id, outcome)?,
                    None => self.fail(s.id, "the evaluation returned no result")?,
                }
                done += 1;
            }
            let mut report = Progress::new("bo", done).total(budget);
            report.values = summary(self)?;
            progress(&report);
        }
        Ok(())
    }

    /// Attaches free metadata to trial `id`.
    pub fn annotate(&mut self, id: u64, key: &str, value: &str) -> Result<()> {
        self.ledger
            .trial_mut(id)?
            .metadata
            .insert(key.into(), value.into());
        Ok(())
    }
}

/// Single-objective campaigns: results as an objective value and the
/// constraint values.
impl Campaign<BayesOptParams> {
    /// The optimiser on the completed trials, seeded for the next trial id.
    pub fn optimizer(&self) -> Result<BayesOpt> {
        self.params
            .single(&self.ledger.completed(), self.ledger.trials.len() as u64)
    }

    /// Records a measurement of trial `id` (a second call adds a
    /// replicate) and marks it completed.
    pub fn complete(&mut self, id: u64, y: f64, constraints: &[f64]) -> Result<()> {
        self.complete_with(
            id,
            Measurement {
                y,
                constraints: constraints.to_vec(),
            },
        )
    }

    /// Records a result obtained outside the campaign as a completed trial
    /// ([`Campaign::record_with`]); returns its id.
    pub fn record(&mut self, x: &[f64], y: f64, constraints: &[f64]) -> Result<u64> {
        self.record_with(
            x,
            Measurement {
                y,
                constraints: constraints.to_vec(),
            },
        )
    }

    /// Runs `budget` trials in rounds of `k`: `f(x)` returns the objective
    /// and the constraint values, or `None` when the run failed (the trial
    /// is marked failed and counts against the budget). After each round
    /// `progress` gets task `"bo"`, step = trials run, total = `budget`,
    /// and the figure `"best"` (the best feasible observation) once there
    /// is one.
    pub fn run(
        &mut self,
        mut f: impl FnMut(ArrayView1<'_, f64>) -> Result<Option<(f64, Vec<f64>)>>,
        budget: usize,
        k: usize,
        progress: &mut ProgressFn<'_>,
    ) -> Result<()> {
        self.run_with(
            |x| Ok(f(x)?.map(|(y, constraints)| Measurement { y, constraints })),
            budget,
            k,
            progress,
            |c| {
                Ok(c.optimizer()?
                    .best()
                    .map(|best| ("best", best.y))
                    .into_iter()
                    .collect())
            },
        )
    }

    /// The trial the model believes best: [`BayesOpt::best_by_posterior_mean`]
    /// on the completed trials, with the trial's id.
    pub fn best(&self) -> Result<Option<(u64, f64)>> {
        let Some((x, mean)) = self.optimizer()?.best_by_posterior_mean()? else {
            return Ok(None);
        };
        let id = self
            .ledger
            .in_state(TrialState::Completed)
            .find(|t| t.x == x)
            .map(|t| t.id)
            .ok_or_else(|| Error::internal("ledger: the best point is no completed trial"))?;
        Ok(Some((id, mean)))
    }
}

/// Multi-objective campaigns: results as one value per objective.
impl Campaign<MultiObjectiveParams> {
    /// The multi-objective optimiser on the completed trials (its front,
    /// hypervolume and observed objectives), seeded for the next trial id.
    pub fn optimizer(&self) -> Result<MultiObjective> {
        self.params
            .multi(&self.ledger.completed(), self.ledger.trials.len() as u64)
    }

    /// Records trial `id`'s objective values (all minimised) and marks it
    /// completed.
    pub fn complete(&mut self, id: u64, objectives: &[f64]) -> Result<()> {
        self.complete_with(
            id,
            Objectives {
                objectives: objectives.to_vec(),
            },
        )
    }

    /// Runs `budget` trials in rounds of `k`: `f(x)` returns the objective
    /// values, or `None` when the run failed. After each round `progress`
    /// gets task `"bo"`, step = trials run, total = `budget`, and the
    /// figure `"hypervolume"` of the observed front.
    pub fn run(
        &mut self,
        mut f: impl FnMut(ArrayView1<'_, f64>) -> Result<Option<Vec<f64>>>,
        budget: usize,
        k: usize,
        progress: &mut ProgressFn<'_>,
    ) -> Result<()> {
        self.run_with(
            |x| Ok(f(x)?.map(|objectives| Objectives { objectives })),
            budget,
            k,
            progress,
            |c| Ok(vec![("hypervolume", c.optimizer()?.hypervolume()?)]),
        )
    }
}
