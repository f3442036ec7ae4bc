//! Transfer from LFP cells (Attia 2020, source) to NMC pouch cells (Chen,
//! target): does a capacity forecaster pretrained on the source beat one
//! trained on a few target cells alone, and which layers should stay
//! frozen?
//!
//! Protocol ([`transfer_study`]):
//! - Capacities are relative to each cell's mean of cycles 2–6; the first
//!   100 cycles are observed and the next 320 forecast in 10-cycle steps.
//! - **Pretraining** reads every source cell from cycle 0, 100, 200, … (a
//!   fresh LFP cell's first window is flat; later windows show it fading)
//!   and, as augmentation, the same cells read every 2nd and 3rd cycle
//!   (the same fade shapes 2–3× faster, closer to the NMC cells' rates).
//!   Early stopping on a fifth of the source cells.
//! - **Target draws**: a seeded permutation of the NMC cells; a fraction
//!   takes its first cells (nested across fractions within a draw), the
//!   first of them validates (early stopping and the freezing choice), the
//!   rest fit, the cells outside the fraction are the test set. Fitting and
//!   validation read the cells from cycle 0, 50, 100, …; the test scores
//!   the forecast from each test cell's first 100 cycles.
//! - **Learning rate**: every fit on target cells, from scratch or
//!   fine-tuning, tries the same few learning rates and keeps the one with
//!   the lowest error on the validation cell (an equal tuning budget; the
//!   CKA-guided freeze sets use the rate full fine-tuning chose).
//! - **Methods**: from scratch on the target cells; the pretrained model as
//!   it is; fine-tuning every layer; CKA-guided fine-tuning — the layers
//!   ranked by CKA between the pretrained model and the from-scratch one on
//!   the training windows ([`voltai_neural::transfer::freeze_candidates`]),
//!   each nested freeze set fitted, the one with the lowest validation
//!   error kept. No choice reads a test cell.
//! - **Baseline**: each test cell's last observed step plus the training
//!   cells' mean drop after theirs
//!   ([`voltai_neural::trajectories::mean_fade_forecast`]): what a network
//!   must beat to have learnt anything about a cell's own future.
//!
//! What the source can teach: `tools/reference/transfer/README.md` tests
//! the LFP cells zero-shot on the NMC ones. Their mean fade is as good as
//! five NMC cells' (2.47 % against 2.52 %). Their shape-to-future relation is
//! worse than their mean. So pretraining brings an average fade and
//! stability, not which cells will fade faster.

use voltai_battery_data::CellHistory;
use voltai_battery_data::data_dir::dataset_dir;
use voltai_battery_data::readers::{AttiaData, ChenData};
use voltai_core::split::group_train_test_split;
use voltai_core::synthetic::SplitMix64;
use voltai_core::{Error, Progress, ProgressFn, Result};
use voltai_neural::train::{TrainConfig, train};
use voltai_neural::trajectories::{
    CellSeries, SequenceBatch, Windowing, masked_rmse, mean_fade_forecast,
};
use voltai_neural::transfer::{
    LayerSimilarity, Similarity, freeze_candidates, freeze_layers, layer_cka,
};
use voltai_neural::{Device, ForecastLoss, Forecaster, ForecasterConfig, device};

/// The four ways of getting a target model, and the mean-fade baseline
/// that every network should beat, in table order.
pub const METHODS: [&str; 5] = [
    "from scratch (target cells only)",
    "pretrained on LFP, no tuning",
    "fine-tuned, all layers",
    "fine-tuned, CKA-guided freezing",
    "mean fade of the training cells",
];

/// Settings of [`transfer_study`].
#[derive(Debug, Clone, PartialEq)]
pub struct TransferSettings {
    /// Fractions of the target cells used for training (the learning
    /// curve); each is rounded up to whole cells, at least 2.
    pub fractions: Vec<f64>,
    /// Seeded draws of the target cells per fraction.
    pub draws: usize,
    /// Training settings of every fit (pretraining, scratch, fine-tuning).
    pub training: TrainConfig,
    /// Learning rates tried for every fit on target cells (from scratch
    /// and fine-tuning alike); each draw keeps the one with the lowest
    /// error on its validation cell. Empty: `training.learning_rate` only.
    pub target_learning_rates: Vec<f64>,
    /// Hidden units of the forecaster.
    pub hidden: usize,
    /// Source windows start every this many cycles.
    pub source_every: usize,
    /// Source cells are also read every k-th cycle for each k here (1 = as
    /// measured).
    pub source_speedups: Vec<usize>,
    /// Target training windows start every this many cycles.
    pub target_every: usize,
    /// How layers are compared.
    pub similarity: Similarity,
    /// Seed of the splits, draws, initialisations and teacher forcing.
    pub seed: u64,
}

impl TransferSettings {
    /// The full study: 5 %, 10 %, 25 % and 50 % of the target cells, 5
    /// draws each, up to 200 epochs per fit.
    pub fn full() -> Self {
        TransferSettings {
            fractions: vec![0.05, 0.10, 0.25, 0.50],
            draws: 5,
            training: TrainConfig {
                epochs: 200,
                learning_rate: 3e-3,
                patience: 50,
                ..Default::default()
            },
            target_learning_rates: vec![3e-3, 1e-3, 3e-4],
            hidden: 32,
            source_every: 100,
            source_speedups: vec![1, 2, 3],
            target_every: 50,
            similarity: Similarity::Rbf {
                sigma_fraction: 0.5,
            },
            seed: 3,
        }
    }

    /// Seconds instead of minutes: 10 % only, one draw, 10 epochs.
    pub fn quick() -> Self {
        TransferSettings {
            fractions: vec![0.10],
            draws: 1,
            training: TrainConfig {
                epochs: 10,
                ..TransferSettings::full().training
            },
            target_learning_rates: vec![3e-3, 1e-3],
            ..TransferSettings::full()
        }
    }

    fn check(&self) -> Result<()> {
        self.training.check()?;
        if self.fractions.is_empty() || self.draws == 0 {
            return Err(Error::EmptyInput(
                "transfer study needs at least one fraction and one draw".into(),
            ));
        }
        if let Some(f) = self.fractions.iter().find(|f| !(**f > 0.0 && **f < 1.0)) {
            return Err(Error::invalid_parameter("fractions", f, "each in (0, 1)"));
        }
        if let Some(lr) = self
            .target_learning_rates
            .iter()
            .find(|lr| !(lr.is_finite() && **lr > 0.0))
        {
            return Err(Error::invalid_parameter(
                "target_learning_rates",
                lr,
                "each in (0, inf)",
            ));
        }
        if self.hidden == 0 || self.source_every == 0 || self.target_every == 0 {
            return Err(Error::InvalidInput(
                "hidden, source_every and target_every must be 1 or more".into(),
            ));
        }
        if self.source_speedups.is_empty() || self.source_speedups.contains(&0) {
            return Err(Error::invalid_parameter(
                "source_speedups",
                format!("{:?}", self.source_speedups),
                "non-empty, each 1 or more",
            ));
        }
        Ok(())
    }
}

/// How the trajectories are cut (100 observed cycles, 320 forecast, 10-cycle steps).
pub const WINDOWING: Windowing = Windowing {
    window: 100,
    stride: 10,
    horizon: 320,
    scale: 1.0,
};

/// One draw of target cells at one fraction.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawResult {
    /// Fraction of the target cells asked for.
    pub fraction: f64,
    /// Target cells used for training (fit + 1 validation).
    pub train_cells: usize,
    /// Target test cells.
    pub test_cells: usize,
    /// Draw index.
    pub draw: usize,
    /// Test RMSE (% of initial capacity) of each of [`METHODS`].
    pub test_rmse: [f64; 5],
    /// Per-layer CKA, pretrained vs from-scratch model, on the training windows.
    pub cka: Vec<LayerSimilarity>,
    /// Per-layer CKA, pretrained vs a randomly initialised model (the floor).
    pub cka_floor: Vec<LayerSimilarity>,
    /// The layers the CKA-guided rule froze.
    pub frozen: Vec<&'static str>,
    /// The learning rates the validation cell chose: from scratch, and
    /// fine-tuning.
    pub learning_rates: [f64; 2],
}

/// Everything [`transfer_study`] measured.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferReport {
    /// Source cells and the windows cut from them for pretraining.
    pub source_cells: usize,
    /// Pretraining windows (all speed-ups).
    pub source_windows: usize,
    /// Target cells.
    pub target_cells: usize,
    /// One entry per (fraction, draw), fraction-major.
    pub draws: Vec<DrawResult>,
}

impl TransferReport {
    /// Test RMSE of `method` (index into [`METHODS`]) at `fraction`, one per draw.
    pub fn rmse(&self, fraction: f64, method: usize) -> Vec<f64> {
        self.draws
            .iter()
            .filter(|d| d.fraction == fraction)
            .map(|d| d.test_rmse[method])
            .collect()
    }
}

/// Mean and sample standard deviation (0 for one value).
pub fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (m, var.sqrt())
}

fn relative_series(histories: &[CellHistory]) -> Result<Vec<CellSeries>> {
    histories
        .iter()
        .map(|h| CellSeries::from_history(h)?.0.relative_to(2..=6))
        .collect()
}

/// The cell read every `k`-th cycle: the same fade shape `k` times as fast.
fn sped_up(cell: &CellSeries, k: usize) -> CellSeries {
    let capacity: Vec<f64> = cell.capacity.iter().step_by(k).copied().collect();
    let first = cell.cycles.first().copied().unwrap_or(0);
    CellSeries {
        cell_id: cell.cell_id.clone(),
        cycles: (first..).take(capacity.len()).collect(),
        capacity,
    }
}

fn sliding_of(series: &[CellSeries], ids: &[String], every: usize) -> Result<SequenceBatch> {
    let cells: Vec<CellSeries> = series
        .iter()
        .filter(|c| ids.contains(&c.cell_id))
        .cloned()
        .collect();
    SequenceBatch::sliding(&cells, WINDOWING, every)
}

#[derive(Clone, Copy)]
struct Fitter<'a> {
    training: TrainConfig,
    device: &'a Device,
    seed: u64,
}

impl Fitter<'_> {
    /// The same fitter at learning rate `lr`.
    fn at_rate(&self, lr: f64) -> Self {
        Fitter {
            training: TrainConfig {
                learning_rate: lr,
                ..self.training
            },
            ..*self
        }
    }

    /// [`Fitter::fit`] once per learning rate in `rates` (the configured
    /// one when empty); the fit with the lowest validation error wins:
    /// the model, its validation error and its learning rate.
    fn fit_best_rate(
        &self,
        model: &Forecaster,
        fit: &SequenceBatch,
        val: &SequenceBatch,
        rates: &[f64],
        tick: &mut dyn FnMut(),
    ) -> Result<(Forecaster, f64, f64)> {
        let configured = [self.training.learning_rate];
        let rates = if rates.is_empty() { &configured } else { rates };
        let mut best: Option<(Forecaster, f64, f64)> = None;
        for &lr in rates {
            let (m, v) = self.at_rate(lr).fit(model.clone(), fit, val)?;
            tick();
            if best.as_ref().is_none_or(|b| v < b.1) {
                best = Some((m, v, lr));
            }
        }
        best.ok_or_else(|| Error::internal("no learning rate was tried"))
    }

    /// Trains with scheduled sampling decaying over the first 30 % of the
    /// epochs and early stopping on `val`.
    fn fit(
        &self,
        model: Forecaster,
        fit: &SequenceBatch,
        val: &SequenceBatch,
    ) -> Result<(Forecaster, f64)> {
        let epochs = self.training.epochs as f64;
        let trained = train(
            model,
            &self.training,
            |m, e| {
                Ok(m.loss(
                    fit,
                    self.device,
                    &ForecastLoss {
                        teacher_ratio: 0.5 * (1.0 - (e as f64 / (0.3 * epochs)).min(1.0)),
                        monotonicity_weight: 100.0,
                        tolerance: 0.0,
                        seed: self.seed + e as u64,
                    },
                ))
            },
            |m| Ok(masked_rmse(&m.predict(val, self.device)?, val, 1.0)),
            &mut |_| {},
        )?;
        let best = trained
            .history
            .get(trained.best_epoch)
            .map(|r| r.val_loss)
            .ok_or_else(|| Error::numerical("transfer study", "training ran no epoch"))?;
        Ok((trained.model, best))
    }
}

/// Runs the study (see the module documentation). `progress` gets task
/// `"fit"` after every model fitted, with the total number of fits.
pub fn transfer_study(
    settings: &TransferSettings,
    progress: &mut ProgressFn<'_>,
) -> Result<TransferReport> {
    settings.check()?;
    let source = relative_series(
        &AttiaData::load(dataset_dir("attia2020_closed_loop_fastcharge")?)?.histories()?,
    )?;
    let target =
        relative_series(&ChenData::load(dataset_dir("chen_nmc_pouch_aging_modes")?)?.histories()?)?;
    let augmented: Vec<CellSeries> = settings
        .source_speedups
        .iter()
        .flat_map(|&k| source.iter().map(move |c| sped_up(c, k)))
        .filter(|c| c.capacity.len() >= WINDOWING.window + WINDOWING.stride)
        .collect();
    let src = SequenceBatch::sliding(&augmented, WINDOWING, settings.source_every)?;
    let tgt = SequenceBatch::new(&target, WINDOWING)?;
    let n_target = tgt.len();

    let seed = settings.seed;
    let dev = device::cpu(seed);
    let config = ForecasterConfig {
        hidden: settings.hidden,
        center: 0.95,
        spread: 0.05,
    };
    let fitter = Fitter {
        training: settings.training,
        device: &dev,
        seed,
    };
    let counts: Vec<usize> = settings
        .fractions
        .iter()
        .map(|f| ((f * n_target as f64).ceil() as usize).max(2))
        .collect();
    if let Some(&n) = counts.iter().find(|&&n| n >= n_target) {
        return Err(Error::InvalidInput(format!(
            "a fraction asks for {n} of the {n_target} target cells, leaving none to test"
        )));
    }
    // Per (fraction, draw): scratch and full fine-tuning at every learning
    // rate, and the freeze candidates beyond "nothing frozen" (2 for three
    // layers) at the rate full fine-tuning chose.
    let rates = settings.target_learning_rates.len().max(1);
    let total = 1 + settings.fractions.len() * settings.draws * (2 * rates + 2);
    let mut done = 0;
    let mut tick = || {
        done += 1;
        progress(&Progress::new("fit", done).total(total));
    };

    let src_split = group_train_test_split(&src.cell_ids, 0.2, seed)?;
    let (pretrained, _) = fitter.fit(
        config.init(&dev),
        &src.select(&src_split.train),
        &src.select(&src_split.test),
    )?;
    tick();
    // The floor: how similar is the pretrained model to one never trained?
    let untrained = device::seeded(&dev, seed + 999, |d| config.init(d));

    let mut draws = Vec::new();
    for (fi, (&fraction, &n_train)) in settings.fractions.iter().zip(&counts).enumerate() {
        for draw in 0..settings.draws {
            let order = SplitMix64::new(seed + 100 * draw as u64).permutation(n_target);
            let ids = |idx: &[usize]| -> Vec<String> {
                idx.iter().map(|&i| tgt.cell_ids[i].clone()).collect()
            };
            let val = sliding_of(&target, &ids(&order[..1]), settings.target_every)?;
            let fit = sliding_of(&target, &ids(&order[1..n_train]), settings.target_every)?;
            let test = tgt.select(&order[n_train..]);
            let init_seed = seed + 1 + 1000 * fi as u64 + draw as u64;

            let rates = &settings.target_learning_rates;
            let (scratch, _, scratch_rate) = fitter.fit_best_rate(
                &device::seeded(&dev, init_seed, |d| config.init(d)),
                &fit,
                &val,
                rates,
                &mut tick,
            )?;
            let (full, full_val, full_rate) =
                fitter.fit_best_rate(&pretrained, &fit, &val, rates, &mut tick)?;
            let tuner = fitter.at_rate(full_rate);
            // CKA on the windows training can see: the source's and the
            // target fit cells' (never the test cells').
            let probe = SequenceBatch::new(
                &source
                    .iter()
                    .chain(target.iter().filter(|c| fit.cell_ids.contains(&c.cell_id)))
                    .cloned()
                    .collect::<Vec<_>>(),
                WINDOWING,
            )?;
            let cka = layer_cka(&pretrained, &scratch, &probe, &dev, settings.similarity)?;
            let cka_floor = layer_cka(&pretrained, &untrained, &probe, &dev, settings.similarity)?;
            let mut guided = (full.clone(), full_val, Vec::new());
            for frozen in freeze_candidates(&cka).into_iter().skip(1) {
                let (model, v) =
                    tuner.fit(freeze_layers(pretrained.clone(), &frozen)?, &fit, &val)?;
                tick();
                if v < guided.1 {
                    guided = (model, v, frozen);
                }
            }
            let mut test_rmse = [0.0; 5];
            for (k, model) in [&scratch, &pretrained, &full, &guided.0]
                .into_iter()
                .enumerate()
            {
                test_rmse[k] = 100.0 * masked_rmse(&model.predict(&test, &dev)?, &test, 1.0);
            }
            // The training cells read from cycle 0, as the test cells are.
            let baseline = mean_fade_forecast(&tgt.select(&order[..n_train]), &test)?;
            test_rmse[4] = 100.0 * masked_rmse(&baseline, &test, 1.0);
            draws.push(DrawResult {
                fraction,
                train_cells: n_train,
                test_cells: test.len(),
                draw,
                test_rmse,
                cka,
                cka_floor,
                frozen: guided.2,
                learning_rates: [scratch_rate, full_rate],
            });
        }
    }
    Ok(TransferReport {
        source_cells: source.len(),
        source_windows: src.len(),
        target_cells: n_target,
        draws,
    })
}
