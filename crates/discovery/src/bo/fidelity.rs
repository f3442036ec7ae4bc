//! Multi-fidelity campaigns (see [`MultiFidelityBoParams`]).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, concatenate};
use serde::{Deserialize, Serialize};
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Dataset, Error, Fit, Predictive, Progress, ProgressFn, Result};
use voltai_gp::{
    CoKriging, CoKrigingParams, DiscrepancyKernel, GpParams, Mean, OptimizerSettings, Predict,
};
use voltai_kernels::kernels::{Rbf, Scaled, Sum, White};

use super::acquisition::Acquisition;
use super::design::{InitialDesign, round_seed, sobol};
use super::maximize::{argmax, maximize};
use super::optimizer::Goal;
use super::space::SearchSpace;

/// One evaluation at one fidelity level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FidelityObservation {
    /// The point, one entry per dimension.
    pub x: Vec<f64>,
    /// The fidelity level (0: the cheapest).
    pub level: usize,
    /// The value read.
    pub y: f64,
}

/// Every evaluation of a multi-fidelity campaign, in the order told;
/// serialisable so a campaign can resume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FidelityHistory {
    /// The evaluations.
    pub observations: Vec<FidelityObservation>,
}

impl FidelityHistory {
    /// Number of evaluations.
    pub fn len(&self) -> usize {
        self.observations.len()
    }

    /// Whether nothing has been evaluated.
    pub fn is_empty(&self) -> bool {
        self.observations.is_empty()
    }

    /// JSON text of the history.
    pub fn to_json(&self) -> Result<String> {
        super::json::to_json(self)
    }

    /// Parses JSON text written by [`FidelityHistory::to_json`].
    pub fn from_json(text: &str) -> Result<Self> {
        super::json::from_json(text, "<fidelity history>")
    }
}

/// The next evaluation: where, at which level, what it costs.
#[derive(Debug, Clone, PartialEq)]
pub struct FidelitySuggestion {
    /// The point (decoded, one entry per dimension).
    pub x: Array1<f64>,
    /// The fidelity level to run it at (0: the cheapest).
    pub level: usize,
    /// That level's cost.
    pub cost: f64,
}

/// Multi-fidelity campaigns: a cheap source (a simulation, an early-cycle
/// prediction) beside the expensive experiment, and a search that decides
/// both where to measure and which source to pay for.
///
/// The model is recursive co-kriging from `voltai-gp` (Kennedy & O'Hagan
/// 2000; Le Gratiet & Garnier 2014): level t is ρ_t·f_{t−1}(x) + δ_t(x). The
/// acquisition is Huang et al.'s augmented expected improvement (2006,
/// "Sequential kriging optimization using multiple-fidelity evaluations",
/// Struct. Multidisc. Optim. 32): expected improvement of the top level at x,
/// times how much a run at level l there would tell about the top level, per
/// unit cost:
///
/// AEI(x, l) = EI_top(x) · corr(f_l(x), f_top(x)) · (1 − σ_l / √(s_l²(x) + σ_l²)) · c_top / c_l
///
/// where s_l² is the posterior variance of level l at x and σ_l² its noise.
/// Under the recursive model the levels' discrepancies are independent, so
/// corr = |ρ_{l+1}⋯ρ_top|·s_l / s_top. The second factor vanishes where a
/// level already knows its value (a deterministic simulation is never asked
/// twice at one point) and stays below 1 for noisy levels. Improvement is
/// measured against the best top-level posterior mean at any observed point
/// (noisy readings cannot inflate it), and the reported best is the
/// top-level trial with the best posterior mean.
///
/// ```
/// use ndarray::ArrayView1;
/// use voltai_discovery::bo::benchmarks::{forrester, forrester_low};
/// use voltai_discovery::bo::{Goal, MultiFidelityBoParams, SearchSpace};
///
/// // Forrester et al. (2007): the cheap model costs a tenth of the real one.
/// let mut opt = MultiFidelityBoParams::new(SearchSpace::continuous(&[(0.0, 1.0)])?, &[1.0, 10.0])?
///     .goal(Goal::Minimize)
///     .initial_design(&[6, 3])?
///     .seed(3)
///     .build();
/// opt.run(
///     |x: ArrayView1<'_, f64>, level| Ok(if level == 0 { forrester_low(x) } else { forrester(x) }),
///     80.0,
///     &mut |_| {},
/// )?;
/// let (x, _) = opt.best()?.expect("top-level trials exist");
/// assert!((x[0] - 0.7572).abs() < 0.02);
/// assert!(opt.spent() <= 80.0 + 10.0);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct MultiFidelityBoParams {
    space: SearchSpace,
    goal: Goal,
    costs: Vec<f64>,
    n_initial: Vec<usize>,
    design: InitialDesign,
    seed: u64,
    pool_size: usize,
    n_starts: usize,
    restarts: usize,
}

impl MultiFidelityBoParams {
    /// Maximise over a box `space` with one cost per fidelity level,
    /// cheapest first (at least two, finite, positive, increasing: a lower
    /// fidelity that costs as much as a higher one is never worth running).
    /// Defaults: a nested Sobol design of 4(d + 1) cheap and d + 2 points at
    /// every higher level, seed 0.
    pub fn new(space: SearchSpace, costs: &[f64]) -> Result<Self> {
        if !matches!(space, SearchSpace::Box { .. }) {
            return Err(Error::InvalidInput(
                "a multi-fidelity campaign searches a box space, not a candidate set".into(),
            ));
        }
        if costs.len() < 2 {
            return Err(Error::invalid_parameter(
                "costs",
                format!("{costs:?}"),
                "one per fidelity level, at least two",
            ));
        }
        if costs.iter().any(|c| !(c.is_finite() && *c > 0.0))
            || costs.windows(2).any(|w| w[1] <= w[0])
        {
            return Err(Error::invalid_parameter(
                "costs",
                format!("{costs:?}"),
                "finite, positive and increasing from the cheapest level",
            ));
        }
        let d = space.n_dims();
        let mut n_initial = vec![d + 2; costs.len()];
        n_initial[0] = 4 * (d + 1);
        Ok(MultiFidelityBoParams {
            space,
            goal: Goal::Maximize,
            costs: costs.to_vec(),
            n_initial,
            design: InitialDesign::Sobol,
            seed: 0,
            pool_size: 2048,
            n_starts: 5,
            restarts: 1,
        })
    }

    /// Maximise or minimise.
    pub fn goal(mut self, goal: Goal) -> Self {
        self.goal = goal;
        self
    }

    /// Initial design size per level (cheapest first, each ≥ 3: every level
    /// fits a GP with a mean term). The designs are nested — level l's
    /// points are the first ones of level l − 1's — which is what
    /// co-kriging learns the levels' relation from.
    pub fn initial_design(mut self, per_level: &[usize]) -> Result<Self> {
        if per_level.len() != self.costs.len() || per_level.iter().any(|&n| n < 3) {
            return Err(Error::invalid_parameter(
                "initial design",
                format!("{per_level:?}"),
                format!(
                    "{} sizes (one per level), each at least 3",
                    self.costs.len()
                ),
            ));
        }
        self.n_initial = per_level.to_vec();
        Ok(self)
    }

    /// Which space-filling design the initial points come from.
    pub fn design(mut self, design: InitialDesign) -> Self {
        self.design = design;
        self
    }

    /// Seed of every random choice (design, pools, hyperparameter restarts).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Acquisition search: `pool_size` quasi-random points scored per level,
    /// the best `n_starts` polished by L-BFGS-B.
    pub fn search(mut self, pool_size: usize, n_starts: usize) -> Result<Self> {
        if pool_size == 0 {
            return Err(Error::invalid_parameter(
                "pool size",
                pool_size,
                "at least 1",
            ));
        }
        self.pool_size = pool_size;
        self.n_starts = n_starts;
        Ok(self)
    }

    /// Extra random restarts of each level's hyperparameter fit.
    pub fn restarts(mut self, restarts: usize) -> Self {
        self.restarts = restarts;
        self
    }

    /// The cost of each level, cheapest first.
    pub fn costs(&self) -> &[f64] {
        &self.costs
    }

    /// A campaign with nothing observed yet.
    pub fn build(self) -> MultiFidelityBo {
        MultiFidelityBo {
            params: self,
            history: FidelityHistory::default(),
        }
    }

    /// A campaign continuing from `history` (e.g. loaded after a crash); its
    /// next suggestion is the one the original campaign would have made.
    pub fn resume(self, history: FidelityHistory) -> Result<MultiFidelityBo> {
        let mut bo = self.build();
        for o in history.observations {
            bo.tell(&o.x, o.level, o.y)?;
        }
        Ok(bo)
    }
}

/// A running multi-fidelity campaign (ask → evaluate → tell); see
/// [`MultiFidelityBoParams`].
#[derive(Debug, Clone)]
pub struct MultiFidelityBo {
    params: MultiFidelityBoParams,
    history: FidelityHistory,
}

/// The co-kriging model of a campaign, on the unit-cube encoding, with the
/// objective signed so that larger is better.
struct Fitted {
    model: CoKriging<DiscrepancyKernel>,
    /// Every observed point (any level), encoded, in history order.
    observed: Array2<f64>,
    /// The top level's posterior mean at each of them.
    observed_mean: Array1<f64>,
    /// The incumbent: best top-level posterior mean at an observed point.
    best: f64,
}

impl MultiFidelityBo {
    /// The evaluations so far.
    pub fn history(&self) -> &FidelityHistory {
        &self.history
    }

    /// The settings.
    pub fn params(&self) -> &MultiFidelityBoParams {
        &self.params
    }

    /// The summed cost of the evaluations so far.
    pub fn spent(&self) -> f64 {
        self.history
            .observations
            .iter()
            .map(|o| self.params.costs[o.level])
            .sum()
    }

    /// Records the value `y` read at `x` on fidelity `level`.
    pub fn tell(&mut self, x: &[f64], level: usize, y: f64) -> Result<()> {
        if level >= self.params.costs.len() {
            return Err(Error::invalid_parameter(
                "level",
                level,
                format!("below the number of levels, {}", self.params.costs.len()),
            ));
        }
        self.params.space.check_point(ArrayView1::from(x))?;
        if !y.is_finite() {
            return Err(Error::NonFinite {
                context: format!("objective reading at fidelity level {level}"),
                index: vec![self.history.len()],
                value: y,
            });
        }
        self.history.observations.push(FidelityObservation {
            x: x.to_vec(),
            level,
            y,
        });
        Ok(())
    }

    fn sign(&self) -> f64 {
        match self.params.goal {
            Goal::Maximize => 1.0,
            Goal::Minimize => -1.0,
        }
    }

    fn top(&self) -> usize {
        self.params.costs.len() - 1
    }

    fn count(&self, level: usize) -> usize {
        self.history
            .observations
            .iter()
            .filter(|o| o.level == level)
            .count()
    }

    /// Encoded points and signed values of one level.
    fn level_data(&self, level: usize) -> Result<Dataset> {
        let space = &self.params.space;
        let d = space.n_dims();
        let obs: Vec<&FidelityObservation> = self
            .history
            .observations
            .iter()
            .filter(|o| o.level == level)
            .collect();
        let x = Array2::from_shape_fn((obs.len(), d), |(i, j)| obs[i].x[j]);
        let y: Array1<f64> = obs.iter().map(|o| self.sign() * o.y).collect();
        Dataset::new(space.encode(x.view()), y)
    }

    /// The co-kriging model of the evaluations so far (inputs on the unit
    /// cube of the space's encoding, values signed so larger is better).
    pub fn model(&self) -> Result<CoKriging<DiscrepancyKernel>> {
        Ok(self.fit()?.model)
    }

    fn fit(&self) -> Result<Fitted> {
        let levels = self.params.costs.len();
        let d = self.params.space.encoded_dims();
        let data: Vec<Dataset> = (0..levels)
            .map(|l| self.level_data(l))
            .collect::<Result<_>>()?;
        for (l, set) in data.iter().enumerate() {
            if set.n_samples() < 3 {
                return Err(Error::InvalidInput(format!(
                    "fidelity level {l} has {} evaluations; the model needs at least 3 per level",
                    set.n_samples()
                )));
            }
        }
        let gp = |level: usize| -> Result<GpParams<DiscrepancyKernel>> {
            let kernel = Sum(
                Scaled::new(1.0, Rbf::ard(vec![0.3; d])?)?,
                White::new(1e-3)?,
            );
            // A discrepancy may be a small share of its level's variance;
            // the cheapest level is the whole signal.
            let variance = if level == 0 {
                (0.05, 20.0)
            } else {
                (1e-4, 20.0)
            };
            let mut bounds = vec![variance];
            bounds.extend(std::iter::repeat_n((0.02, 10.0), d));
            bounds.push((1e-6, 0.1));
            let params = GpParams::new(kernel).optimizer(OptimizerSettings {
                restarts: self.params.restarts,
                seed: self.seed(5 + level as u64),
                bounds,
                max_iter: 100,
                priors: Vec::new(),
                start_box: None,
            })?;
            Ok(params.mean(Mean::Constant))
        };
        let model =
            CoKrigingParams::new((0..levels).map(gp).collect::<Result<_>>()?)?.fit(&data)?;
        let space = &self.params.space;
        let observed = space.encode(
            Array2::from_shape_fn((self.history.len(), space.n_dims()), |(i, j)| {
                self.history.observations[i].x[j]
            })
            .view(),
        );
        let observed_mean = model.predictive(observed.view(), Predict::Latent)?.mean;
        let best = observed_mean
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        Ok(Fitted {
            model,
            observed,
            observed_mean,
            best,
        })
    }

    fn seed(&self, salt: u64) -> u64 {
        round_seed(self.params.seed, salt, self.history.len())
    }

    /// log AEI(x, `level`) for encoded rows `u` (see [`MultiFidelityBoParams`]).
    fn log_aei(&self, m: &Fitted, u: ArrayView2<'_, f64>, level: usize) -> Result<Array1<f64>> {
        let top = self.top();
        let Predictive {
            mean,
            variance: v_top,
            ..
        } = m.model.level_predictive(u, top, Predict::Latent)?;
        let (v_level, rho) = if level == top {
            (v_top.clone(), 1.0)
        } else {
            let rhos = m.model.rho()?;
            let rho: f64 = rhos[level..].iter().product();
            let v = m
                .model
                .level_predictive(u, level, Predict::Latent)?
                .variance;
            (v, rho.abs())
        };
        let v_obs = m
            .model
            .level_predictive(u, level, Predict::Observation)?
            .variance;
        let cost_ratio = (self.params.costs[top] / self.params.costs[level]).ln();
        Ok(Array1::from_shape_fn(u.nrows(), |i| {
            let s_top = v_top[i].max(1e-18).sqrt();
            let s_level = v_level[i].max(1e-18).sqrt();
            let noise = (v_obs[i] - v_level[i]).max(0.0).sqrt();
            let log_ei = Acquisition::LogExpectedImprovement.value(mean[i], s_top, m.best);
            let corr = (rho * s_level / s_top).min(1.0);
            let informative =
                1.0 - noise / (v_level[i].max(0.0) + noise * noise).sqrt().max(1e-300);
            log_ei + corr.max(1e-300).ln() + informative.max(1e-300).ln() + cost_ratio
        }))
    }

    /// Candidate pool: Sobol points plus perturbations of the five observed
    /// points with the best top-level posterior mean.
    fn pool(&self, m: &Fitted) -> Result<Array2<f64>> {
        let space = &self.params.space;
        let d = space.encoded_dims();
        let sobol_pool = sobol(self.params.pool_size, d, self.seed(10));
        let (all, mean) = (&m.observed, &m.observed_mean);
        let n = all.nrows();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| mean[b].total_cmp(&mean[a]));
        let mut rng = SplitMix64::new(self.seed(11));
        let mut local = Vec::new();
        for &i in order.iter().take(5) {
            for scale in [0.02, 0.05, 0.15] {
                for _ in 0..20 {
                    local.extend(
                        (0..d).map(|j| (all[[i, j]] + scale * rng.normal()).clamp(0.0, 1.0)),
                    );
                }
            }
        }
        let local = Array2::from_shape_vec((local.len() / d, d), local)
            .map_err(|e| Error::internal(format!("fidelity pool: local points not n×{d}: {e}")))?;
        let pool = concatenate(Axis(0), &[sobol_pool.view(), local.view()])
            .map_err(|e| Error::internal(format!("fidelity pool: widths differ: {e}")))?;
        Ok(space.admissible(pool))
    }

    /// The next evaluation. During the initial design: the next design
    /// point of the cheapest level still short of its size. Afterwards: the
    /// point and level with the highest augmented expected improvement.
    /// Calling `ask` again before a `tell` returns the same suggestion.
    pub fn ask(&self) -> Result<FidelitySuggestion> {
        let space = &self.params.space;
        for (level, &n) in self.params.n_initial.iter().enumerate() {
            let have = self.count(level);
            if have < n {
                let max = self.params.n_initial.iter().copied().max().unwrap_or(n);
                let design = space.design(self.params.design, max, self.params.seed)?;
                return Ok(FidelitySuggestion {
                    x: space.decode(design.row(have)),
                    level,
                    cost: self.params.costs[level],
                });
            }
        }
        let m = self.fit()?;
        let pool = self.pool(&m)?;
        let mut best: Option<(Array1<f64>, usize, f64)> = None;
        for level in 0..self.params.costs.len() {
            let score = |u: ArrayView2<'_, f64>| Ok(space.mask(u, self.log_aei(&m, u, level)?));
            let Some((u, v)) = maximize(&score, None, pool.view(), self.params.n_starts, true)?
            else {
                continue;
            };
            if best.as_ref().is_none_or(|b| v > b.2) {
                best = Some((u, level, v));
            }
        }
        let (u, level, _) = best.ok_or_else(|| {
            Error::numerical(
                "multi-fidelity acquisition",
                "no finite augmented expected improvement anywhere in the pool",
            )
        })?;
        Ok(FidelitySuggestion {
            x: space.decode(u.view()),
            level,
            cost: self.params.costs[level],
        })
    }

    /// The top-level evaluation with the best top-level posterior mean, and
    /// that mean (in the objective's units); `None` before any top-level
    /// evaluation.
    pub fn best(&self) -> Result<Option<(Vec<f64>, f64)>> {
        let top = self.top();
        if self.count(top) == 0 {
            return Ok(None);
        }
        let m = self.fit()?;
        let data = self.level_data(top)?;
        let mean = m.model.predictive(data.features(), Predict::Latent)?.mean;
        let Some((i, v)) = argmax(mean.view()) else {
            return Err(Error::numerical(
                "multi-fidelity best",
                "no finite posterior mean at the top-level evaluations",
            ));
        };
        let x = self
            .history
            .observations
            .iter()
            .filter(|o| o.level == top)
            .nth(i)
            .map(|o| o.x.clone())
            .ok_or_else(|| Error::internal("multi-fidelity best: index past the top level"))?;
        Ok(Some((x, self.sign() * v)))
    }

    /// Runs until `budget` is spent (the last evaluation may cross it):
    /// `f(x, level)` evaluates at a fidelity level. After each evaluation
    /// `progress` gets task `"multi-fidelity bo"`, step = evaluations so
    /// far, and the figure `"spent"`.
    pub fn run(
        &mut self,
        mut f: impl FnMut(ArrayView1<'_, f64>, usize) -> Result<f64>,
        budget: f64,
        progress: &mut ProgressFn<'_>,
    ) -> Result<()> {
        if !budget.is_finite() {
            return Err(Error::invalid_parameter("budget", budget, "a finite cost"));
        }
        while self.spent() < budget {
            let s = self.ask()?;
            let y = f(s.x.view(), s.level)?;
            self.tell(&s.x.to_vec(), s.level, y)?;
            progress(
                &Progress::new("multi-fidelity bo", self.history.observations.len())
                    .value("spent", self.spent()),
            );
        }
        Ok(())
    }
}
