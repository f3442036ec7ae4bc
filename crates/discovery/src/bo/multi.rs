//! Multi-objective Bayesian optimisation (objectives minimised): ParEGO and
//! expected hypervolume improvement (two objectives).

use std::sync::Arc;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, concatenate};
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Error, Predictive, Progress, ProgressFn, Result};

use super::acquisition::Acquisition;
use super::design::{InitialDesign, sobol};
use super::maximize::maximize;
use super::pareto::{
    distinct_front, expected_hypervolume_improvement_2d, hypervolume, pareto_front,
};
use super::scalarize::augmented_chebyshev;
use super::space::SearchSpace;
use super::surrogate::{FittedSurrogate, GpSurrogate, Surrogate};

/// How the next point is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MultiStrategy {
    /// ParEGO: a random weight vector per proposal, the augmented Chebyshev
    /// scalarisation of normalised objectives, one GP and log-EI.
    ParEgo {
        /// Weight of the linear term (Knowles 2006 uses 0.05).
        rho: f64,
    },
    /// Exact expected hypervolume improvement with one GP per objective
    /// (two objectives).
    Ehvi,
}

/// Parameters of a multi-objective campaign.
///
/// # Examples
///
/// ```
/// use voltai_discovery::bo::{MultiObjectiveParams, MultiStrategy, SearchSpace};
///
/// // Two minimised objectives on [0, 1], hypervolume measured from (1, 1).
/// let mut campaign = MultiObjectiveParams::new(
///     SearchSpace::continuous(&[(0.0, 1.0)])?,
///     vec![1.0, 1.0],
///     MultiStrategy::Ehvi,
/// )?
/// .seed(3)
/// .build();
/// campaign.tell_one(&[0.2], &[0.2, 0.8])?;
/// campaign.tell_one(&[0.5], &[0.5, 0.5])?;
/// campaign.tell_one(&[0.7], &[0.6, 0.6])?; // dominated by the second point
/// assert_eq!(campaign.pareto_indices(), vec![0, 1]);
/// // 0.8·0.2 + 0.5·0.5 − 0.5·0.2 (the overlap) = 0.31.
/// assert!((campaign.hypervolume()? - 0.31).abs() < 1e-12);
/// // EHVI is exact for two objectives only.
/// assert!(MultiObjectiveParams::new(
///     SearchSpace::continuous(&[(0.0, 1.0)])?,
///     vec![1.0, 1.0, 1.0],
///     MultiStrategy::Ehvi,
/// )
/// .is_err());
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct MultiObjectiveParams {
    space: SearchSpace,
    n_objectives: usize,
    strategy: MultiStrategy,
    reference: Vec<f64>,
    surrogate: Arc<dyn Surrogate>,
    n_initial: usize,
    design: InitialDesign,
    seed: u64,
    pool_size: usize,
}

impl MultiObjectiveParams {
    /// Minimise `reference.len()` objectives over `space`; `reference` bounds
    /// the hypervolume (a point worse than it in any objective adds nothing).
    pub fn new(space: SearchSpace, reference: Vec<f64>, strategy: MultiStrategy) -> Result<Self> {
        voltai_core::check::finite1("reference point", ArrayView1::from(&reference[..]))?;
        if reference.len() < 2 {
            return Err(Error::InvalidInput(
                "multi-objective needs two or more objectives".into(),
            ));
        }
        match strategy {
            MultiStrategy::Ehvi if reference.len() != 2 => {
                return Err(Error::InvalidInput(
                    "EHVI is implemented for two objectives; use ParEGO".into(),
                ));
            }
            MultiStrategy::ParEgo { rho } if !(rho.is_finite() && rho >= 0.0) => {
                return Err(Error::invalid_parameter("rho", rho, "[0, inf)"));
            }
            _ => {}
        }
        Ok(MultiObjectiveParams {
            space,
            n_objectives: reference.len(),
            strategy,
            reference,
            surrogate: Arc::new(GpSurrogate::default()),
            n_initial: 6,
            design: InitialDesign::Sobol,
            seed: 0,
            pool_size: 2048,
        })
    }

    // The surrogate models every objective (and ParEGO's scalarisation).
    super::campaign_setters!();

    /// The search space.
    pub fn space(&self) -> &SearchSpace {
        &self.space
    }

    /// Starts the campaign.
    pub fn build(self) -> MultiObjective {
        MultiObjective {
            params: self,
            x: Vec::new(),
            y: Vec::new(),
            round: None,
        }
    }
}

/// A running multi-objective campaign.
///
/// # Examples
///
/// ```
/// use voltai_discovery::bo::{InitialDesign, MultiObjectiveParams, MultiStrategy, SearchSpace};
///
/// // f1 = x², f2 = (x − 1)²: every x in [0, 1] is Pareto-optimal.
/// let mut campaign = MultiObjectiveParams::new(
///     SearchSpace::continuous(&[(0.0, 1.0)])?,
///     vec![1.0, 1.0],
///     MultiStrategy::ParEgo { rho: 0.05 },
/// )?
/// .initial_design(4, InitialDesign::Sobol)
/// .build();
/// let mut volumes = Vec::new();
/// campaign.run(
///     |x| Ok(vec![x[0] * x[0], (x[0] - 1.0) * (x[0] - 1.0)]),
///     4,
///     &mut |p| volumes.push(p.get("hypervolume").unwrap_or(f64::NAN)),
/// )?;
/// assert_eq!(campaign.objectives().dim(), (4, 2));
/// assert_eq!(campaign.pareto_indices().len(), 4);
/// assert!(volumes.windows(2).all(|w| w[1] >= w[0])); // never shrinks
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct MultiObjective {
    params: MultiObjectiveParams,
    x: Vec<Vec<f64>>,
    y: Vec<Vec<f64>>,
    round: Option<u64>,
}

impl MultiObjective {
    /// Records one evaluation (objective vector `y`, all minimised).
    pub fn tell_one(&mut self, x: &[f64], y: &[f64]) -> Result<()> {
        self.params.space.check_point(ArrayView1::from(x))?;
        if y.len() != self.params.n_objectives {
            return Err(Error::shape_mismatch(
                "objective vector",
                [self.params.n_objectives],
                [y.len()],
            ));
        }
        voltai_core::check::finite1("objective vector", ArrayView1::from(y))?;
        self.x.push(x.to_vec());
        self.y.push(y.to_vec());
        Ok(())
    }

    /// Observed objective vectors (one row per evaluation).
    pub fn objectives(&self) -> Array2<f64> {
        let k = self.params.n_objectives;
        Array2::from_shape_fn((self.y.len(), k), |(i, j)| self.y[i][j])
    }

    /// Observed points.
    pub fn points(&self) -> Array2<f64> {
        let d = self.params.space.n_dims();
        Array2::from_shape_fn((self.x.len(), d), |(i, j)| self.x[i][j])
    }

    /// Row indices of the observed Pareto set.
    pub fn pareto_indices(&self) -> Vec<usize> {
        pareto_front(self.objectives().view())
    }

    /// Hypervolume of the observed front with respect to the reference point.
    pub fn hypervolume(&self) -> Result<f64> {
        hypervolume(
            self.objectives().view(),
            ArrayView1::from(&self.params.reference[..]),
        )
    }

    /// The seed of one random choice (`salt`) of pick `pick` in this round.
    fn round_seed(&self, salt: u64, pick: usize) -> u64 {
        let round = self.round.map_or(self.x.len(), |r| r as usize);
        super::design::round_seed(self.params.seed, salt + 100 * pick as u64, round)
    }

    /// Seeds this round's random choices from `round` (e.g. the next trial
    /// id) instead of the number of observations.
    pub(crate) fn set_round(&mut self, round: u64) {
        self.round = Some(round);
    }

    fn encoded(&self) -> Array2<f64> {
        self.params.space.encode(self.points().view())
    }

    /// The settings.
    pub fn params(&self) -> &MultiObjectiveParams {
        &self.params
    }

    /// Proposes the next point.
    pub fn ask(&mut self) -> Result<Array1<f64>> {
        let d = self.params.space.n_dims();
        let none = Array2::zeros((0, d));
        let x = self.ask_pending(1, none.view(), none.view())?;
        Ok(x.row(0).to_owned())
    }

    /// Proposes `k ≥ 1` points (rows) while the `pending` points are still
    /// running and the `failed` ones produced nothing. Pending points and
    /// earlier picks of the batch enter the models by the kriging believer
    /// (as if observed at every objective's predicted mean, so they also
    /// join the front EHVI improves on); failed points are not modelled.
    /// Both count as used: the initial design continues past them. ParEGO
    /// draws fresh weights for every pick, which spreads a batch along the
    /// front.
    pub fn ask_pending(
        &mut self,
        k: usize,
        pending: ArrayView2<'_, f64>,
        failed: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>> {
        if k == 0 {
            return Err(Error::invalid_parameter("k", k, "1 or more"));
        }
        let space = &self.params.space;
        if matches!(space, SearchSpace::Candidates(_)) {
            return Err(Error::InvalidInput(
                "multi-objective search over candidate sets is not supported; use a box space"
                    .into(),
            ));
        }
        for p in pending.rows().into_iter().chain(failed.rows()) {
            space.check_point(p)?;
        }
        let n = self.x.len();
        if n < self.params.n_initial {
            let used = n + pending.nrows() + failed.nrows();
            let total = self.params.n_initial.max(used + k);
            let design = space.design(self.params.design, total, self.params.seed)?;
            return Ok(Array2::from_shape_fn((k, space.n_dims()), |(i, j)| {
                space.decode(design.row(used + i))[j]
            }));
        }
        let mut x = self.encoded();
        let mut y = self.objectives();
        let believe =
            |x: &mut Array2<f64>, y: &mut Array2<f64>, u: ArrayView1<'_, f64>, salt: u64| {
                let means = self.believed(x.view(), y.view(), u, salt)?;
                *x = concatenate(Axis(0), &[x.view(), u.insert_axis(Axis(0))])
                    .map_err(|e| Error::internal(format!("multi-objective fantasy: {e}")))?;
                *y = concatenate(Axis(0), &[y.view(), means.view().insert_axis(Axis(0))])
                    .map_err(|e| Error::internal(format!("multi-objective fantasy: {e}")))?;
                Ok::<(), Error>(())
            };
        for (i, p) in pending.rows().into_iter().enumerate() {
            let u = space.encode(p.insert_axis(Axis(0)));
            believe(&mut x, &mut y, u.row(0), 20 + i as u64)?;
        }
        let mut picks = Vec::with_capacity(k);
        for pick in 0..k {
            let u = self.propose(x.view(), y.view(), pick)?;
            picks.push(space.decode(u.view()));
            if pick + 1 < k {
                believe(&mut x, &mut y, u.view(), 60 + pick as u64)?;
            }
        }
        Ok(Array2::from_shape_fn((k, space.n_dims()), |(i, j)| {
            picks[i][j]
        }))
    }

    /// Every objective's posterior mean at encoded point `u`, from one
    /// surrogate per objective on `(x, y)`.
    fn believed(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView2<'_, f64>,
        u: ArrayView1<'_, f64>,
        salt: u64,
    ) -> Result<Array1<f64>> {
        let row = u.insert_axis(Axis(0));
        (0..y.ncols())
            .map(|j| {
                let col = y.column(j);
                let (mean, sd) = mean_sd(col);
                let model = self.params.surrogate.fit(
                    x,
                    col.mapv(|v| (v - mean) / sd).view(),
                    self.round_seed(salt, j),
                )?;
                Ok(mean + sd * model.predict(row)?.mean[0])
            })
            .collect()
    }

    /// The acquisition's best encoded point on observations (and beliefs)
    /// `(x, y)`; `pick` numbers the picks of one batch.
    fn propose(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView2<'_, f64>,
        pick: usize,
    ) -> Result<Array1<f64>> {
        let space = &self.params.space;
        let d = space.encoded_dims();
        let pool = space.admissible(sobol(self.params.pool_size, d, self.round_seed(7, pick)));
        let polish = space.is_continuous();
        let best = match self.params.strategy {
            MultiStrategy::ParEgo { rho } => {
                // Normalise each objective to [0, 1] over the observations.
                let mut norm = y.to_owned();
                for mut col in norm.columns_mut() {
                    let lo = col.fold(f64::INFINITY, |m, v| m.min(*v));
                    let hi = col.fold(f64::NEG_INFINITY, |m, v| m.max(*v));
                    let w = if hi > lo { hi - lo } else { 1.0 };
                    col.mapv_inplace(|v| (v - lo) / w);
                }
                let weights = simplex_weights(self.params.n_objectives, self.round_seed(8, pick));
                let s = augmented_chebyshev(norm.view(), weights.view(), rho)?;
                let target = standardized(s.mapv(|v| -v).view());
                let model =
                    self.params
                        .surrogate
                        .fit(x, target.view(), self.round_seed(9, pick))?;
                let incumbent = target.fold(f64::NEG_INFINITY, |m, v| m.max(*v));
                let score = |u: ArrayView2<'_, f64>| -> Result<Array1<f64>> {
                    let Predictive {
                        mean: m,
                        variance: v,
                        ..
                    } = model.predict(u)?;
                    Ok(Array1::from_shape_fn(u.nrows(), |i| {
                        Acquisition::LogExpectedImprovement.value(
                            m[i],
                            v[i].max(0.0).sqrt(),
                            incumbent,
                        )
                    }))
                };
                let masked = |u: ArrayView2<'_, f64>| Ok(space.mask(u, score(u)?));
                maximize(&masked, None, pool.view(), 5, polish)?
            }
            MultiStrategy::Ehvi => {
                let mut models: Vec<Box<dyn FittedSurrogate>> = Vec::new();
                let mut scaled = y.to_owned();
                let mut reference = [0.0; 2];
                for (j, r) in reference.iter_mut().enumerate() {
                    let (mean, sd) = mean_sd(y.column(j));
                    scaled.column_mut(j).mapv_inplace(|v| (v - mean) / sd);
                    *r = (self.params.reference[j] - mean) / sd;
                    models.push(self.params.surrogate.fit(
                        x,
                        scaled.column(j),
                        self.round_seed(10 + j as u64, pick),
                    )?);
                }
                let front = scaled.select(Axis(0), &distinct_front(scaled.view()));
                let score = |u: ArrayView2<'_, f64>| -> Result<Array1<f64>> {
                    let Predictive {
                        mean: m0,
                        variance: v0,
                        ..
                    } = models[0].predict(u)?;
                    let Predictive {
                        mean: m1,
                        variance: v1,
                        ..
                    } = models[1].predict(u)?;
                    Ok(Array1::from_shape_fn(u.nrows(), |i| {
                        expected_hypervolume_improvement_2d(
                            front.view(),
                            reference,
                            [m0[i], m1[i]],
                            [v0[i].max(0.0).sqrt(), v1[i].max(0.0).sqrt()],
                        )
                    }))
                };
                let masked = |u: ArrayView2<'_, f64>| Ok(space.mask(u, score(u)?));
                maximize(&masked, None, pool.view(), 5, polish)?
            }
        };
        let (u, _) =
            best.ok_or_else(|| Error::numerical("multi-objective acquisition", "no finite score"))?;
        Ok(u)
    }

    /// Runs `budget` evaluations of `f` (objective vectors). After each,
    /// `progress` gets task `"bo"`, step = evaluations so far, total =
    /// `budget` and the figure `"hypervolume"` of the observed front.
    pub fn run(
        &mut self,
        mut f: impl FnMut(ArrayView1<'_, f64>) -> Result<Vec<f64>>,
        budget: usize,
        progress: &mut ProgressFn<'_>,
    ) -> Result<()> {
        for k in 0..budget {
            let x = self.ask()?;
            let y = f(x.view())?;
            self.tell_one(&x.to_vec(), &y)?;
            progress(
                &Progress::new("bo", k + 1)
                    .total(budget)
                    .value("hypervolume", self.hypervolume()?),
            );
        }
        Ok(())
    }
}

fn standardized(v: ArrayView1<'_, f64>) -> Array1<f64> {
    let (mean, sd) = mean_sd(v);
    v.mapv(|x| (x - mean) / sd)
}

/// Mean and population sd (1 where the values are all equal).
fn mean_sd(v: ArrayView1<'_, f64>) -> (f64, f64) {
    let mean = v.mean().unwrap_or(0.0);
    let sd = v.std(0.0);
    (mean, if sd > 0.0 { sd } else { 1.0 })
}

/// A uniform draw from the probability simplex (normalised exponentials).
fn simplex_weights(k: usize, seed: u64) -> Array1<f64> {
    let mut rng = SplitMix64::new(seed);
    let e: Array1<f64> = (0..k).map(|_| -(1.0 - rng.uniform()).ln()).collect();
    let s = e.sum();
    e / s
}
