//! Capacity trajectories cut into an encoder window and a padded, masked
//! decoder horizon, with the persistence, linear-extrapolation and mean-fade
//! baselines.

use ndarray::{Array1, Array2};
use voltai_battery_data::CellHistory;
use voltai_core::{Error, Result};

/// One cell's per-cycle capacity series (any unit; normalised inside),
/// with the true cycle number of every value.
#[derive(Debug, Clone, PartialEq)]
pub struct CellSeries {
    /// Cell identifier (used for group splits).
    pub cell_id: String,
    /// Cycle number of each capacity: consecutive, so position `k` is cycle
    /// `cycles[0] + k` (checked by [`SequenceBatch::new`]).
    pub cycles: Vec<u32>,
    /// Capacity per cycle, in cycle order.
    pub capacity: Vec<f64>,
}

impl CellSeries {
    /// Capacities of consecutive cycles 1, 2, 3, …
    pub fn new(cell_id: impl Into<String>, capacity: Vec<f64>) -> Self {
        CellSeries {
            cell_id: cell_id.into(),
            cycles: (1..=capacity.len() as u32).collect(),
            capacity,
        }
    }

    /// The discharge capacities of a [`CellHistory`], from the first cycle
    /// that has one to the last. A cycle in between that is missing, or has
    /// no capacity, is filled by linear interpolation between its neighbours
    /// and listed in the second value, so that positions keep meaning cycle
    /// numbers (dropping it would shift every later cycle).
    ///
    /// ```
    /// use voltai_battery_data::{CellHistory, CellMetadata, CycleSummary};
    /// use voltai_neural::trajectories::CellSeries;
    ///
    /// let cycles: Vec<CycleSummary> = [1u32, 2, 4]
    ///     .iter()
    ///     .map(|&c| CycleSummary {
    ///         cycle_index: c,
    ///         discharge_capacity_ah: Some(1.0 - 0.01 * c as f64),
    ///         ..Default::default()
    ///     })
    ///     .collect();
    /// let meta = CellMetadata { cell_id: "a".into(), ..Default::default() };
    /// let (series, filled) = CellSeries::from_history(&CellHistory::from_summaries(meta, cycles)?)?;
    /// assert_eq!(series.cycles, vec![1, 2, 3, 4]);
    /// assert_eq!(filled, vec![3]);
    /// assert!((series.capacity[2] - 0.97).abs() < 1e-12);
    /// # Ok::<(), voltai_core::Error>(())
    /// ```
    pub fn from_history(history: &CellHistory) -> Result<(Self, Vec<u32>)> {
        let known: Vec<(u32, f64)> = history
            .cycles()
            .iter()
            .filter_map(|c| c.discharge_capacity_ah.map(|q| (c.cycle_index, q)))
            .collect();
        let (Some(&(first, _)), Some(&(last, _))) = (known.first(), known.last()) else {
            return Err(Error::InvalidInput(format!(
                "cell {}: no cycle has a discharge capacity",
                history.cell_id()
            )));
        };
        let mut cycles = Vec::with_capacity((last - first + 1) as usize);
        let mut capacity = Vec::with_capacity(cycles.capacity());
        let mut filled = Vec::new();
        for w in known.windows(2) {
            let ((c0, q0), (c1, q1)) = (w[0], w[1]);
            for c in c0..c1 {
                let t = f64::from(c - c0) / f64::from(c1 - c0);
                cycles.push(c);
                capacity.push(q0 + t * (q1 - q0));
                if c != c0 {
                    filled.push(c);
                }
            }
        }
        cycles.push(last);
        capacity.push(known[known.len() - 1].1);
        Ok((
            CellSeries {
                cell_id: history.cell_id().to_string(),
                cycles,
                capacity,
            },
            filled,
        ))
    }

    /// The series divided by its mean capacity over the cycles `range` (by
    /// cycle number), e.g. `2..=6` for "relative to the first cycles".
    pub fn relative_to(&self, range: std::ops::RangeInclusive<u32>) -> Result<Self> {
        let values: Vec<f64> = self
            .cycles
            .iter()
            .zip(&self.capacity)
            .filter(|(c, _)| range.contains(c))
            .map(|(_, q)| *q)
            .collect();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        if values.is_empty() || !(mean.is_finite() && mean > 0.0) {
            return Err(Error::InvalidInput(format!(
                "cell {}: no positive capacity in cycles {}–{}",
                self.cell_id,
                range.start(),
                range.end()
            )));
        }
        Ok(CellSeries {
            cell_id: self.cell_id.clone(),
            cycles: self.cycles.clone(),
            capacity: self.capacity.iter().map(|q| q / mean).collect(),
        })
    }

    fn check_cycles(&self) -> Result<()> {
        if self.cycles.len() != self.capacity.len() {
            return Err(Error::shape_mismatch(
                format!("cycles vs capacities of cell {}", self.cell_id),
                [self.capacity.len()],
                [self.cycles.len()],
            ));
        }
        if let Some(w) = self.cycles.windows(2).find(|w| w[1] != w[0] + 1) {
            return Err(Error::InvalidInput(format!(
                "cell {}: cycle {} follows cycle {}; positions must be consecutive cycles \
                 (CellSeries::from_history fills gaps)",
                self.cell_id, w[1], w[0]
            )));
        }
        Ok(())
    }
}

/// How trajectories are cut: the first `window` cycles are observed, the
/// rest (up to `horizon` cycles) are forecast; every `stride` cycles are
/// averaged into one step so long trajectories stay tractable.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Windowing {
    /// Observed cycles (the encoder window), e.g. 100.
    pub window: usize,
    /// Cycles per step (block means), e.g. 10.
    pub stride: usize,
    /// Longest forecast, in cycles after the window.
    pub horizon: usize,
    /// Capacity that maps to 1.0 (e.g. the nominal capacity).
    pub scale: f64,
}

impl Windowing {
    /// Checks the settings.
    pub fn check(&self) -> Result<()> {
        if self.stride == 0
            || self.window < 2 * self.stride
            || !self.window.is_multiple_of(self.stride)
        {
            return Err(Error::InvalidInput(format!(
                "window {} must be a multiple (≥ 2) of stride {}",
                self.window, self.stride
            )));
        }
        if self.horizon < self.stride {
            return Err(Error::invalid_parameter(
                "horizon",
                self.horizon,
                format!("≥ stride {}", self.stride),
            ));
        }
        if !(self.scale.is_finite() && self.scale > 0.0) {
            return Err(Error::invalid_parameter("scale", self.scale, "(0, inf)"));
        }
        Ok(())
    }

    /// Encoder steps.
    pub fn encoder_steps(&self) -> usize {
        self.window / self.stride
    }

    /// Decoder steps (the padded horizon).
    pub fn decoder_steps(&self) -> usize {
        self.horizon / self.stride
    }
}

/// A batch of windowed trajectories (`f32`, ready for tensors).
#[derive(Debug, Clone)]
pub struct SequenceBatch {
    /// Cell identifiers, one per row.
    pub cell_ids: Vec<String>,
    /// Encoder inputs, `cells × encoder_steps` (normalised capacity).
    pub encoder: Array2<f32>,
    /// Decoder targets, `cells × decoder_steps`, zero where padded.
    pub targets: Array2<f32>,
    /// 1 where a target exists, 0 where padded.
    pub mask: Array2<f32>,
}

fn block_means(v: &[f64], stride: usize) -> Vec<f64> {
    v.chunks_exact(stride)
        .map(|c| c.iter().sum::<f64>() / stride as f64)
        .collect()
}

impl SequenceBatch {
    /// Cuts every series at its first cycle; cells shorter than the window
    /// plus one step are refused (they have nothing to forecast).
    pub fn new(series: &[CellSeries], w: Windowing) -> Result<Self> {
        Self::cut(series, w, None)
    }

    /// Cuts every series at cycles 0, `every`, 2·`every`, … for as long as
    /// a full window and at least one forecast step fit, one row per cut
    /// (rows of one cell share its id, so group-aware splits keep them
    /// together). Later windows show a cell already fading, which the
    /// first window of a slowly fading chemistry never does: pretraining
    /// on them teaches the dynamics a faster-fading target needs.
    pub fn sliding(series: &[CellSeries], w: Windowing, every: usize) -> Result<Self> {
        if every == 0 {
            return Err(Error::invalid_parameter("every", every, "1 or more"));
        }
        Self::cut(series, w, Some(every))
    }

    fn cut(series: &[CellSeries], w: Windowing, every: Option<usize>) -> Result<Self> {
        w.check()?;
        if series.is_empty() {
            return Err(Error::EmptyInput("no trajectories".into()));
        }
        let mut starts = Vec::new();
        for (i, s) in series.iter().enumerate() {
            s.check_cycles()?;
            if let Some(k) = s.capacity.iter().position(|v| !v.is_finite()) {
                return Err(Error::NonFinite {
                    context: format!("capacity of {}", s.cell_id),
                    index: vec![k],
                    value: s.capacity[k],
                });
            }
            if s.capacity.len() < w.window + w.stride {
                return Err(Error::InvalidInput(format!(
                    "cell {} has {} cycles, fewer than the window {} plus one step",
                    s.cell_id,
                    s.capacity.len(),
                    w.window
                )));
            }
            match every {
                None => starts.push((i, 0)),
                Some(every) => starts.extend(
                    (0..=s.capacity.len() - w.window - w.stride)
                        .step_by(every)
                        .map(|start| (i, start)),
                ),
            }
        }
        let (ne, nd) = (w.encoder_steps(), w.decoder_steps());
        let n = starts.len();
        let mut encoder = Array2::zeros((n, ne));
        let mut targets = Array2::zeros((n, nd));
        let mut mask = Array2::zeros((n, nd));
        for (row, &(i, start)) in starts.iter().enumerate() {
            let q = &series[i].capacity[start..];
            let enc = block_means(&q[..w.window], w.stride);
            let end = q.len().min(w.window + w.horizon);
            let dec = block_means(&q[w.window..end], w.stride);
            for (k, v) in enc.iter().enumerate() {
                encoder[[row, k]] = (v / w.scale) as f32;
            }
            for (k, v) in dec.iter().enumerate() {
                targets[[row, k]] = (v / w.scale) as f32;
                mask[[row, k]] = 1.0;
            }
        }
        Ok(SequenceBatch {
            cell_ids: starts
                .iter()
                .map(|&(i, _)| series[i].cell_id.clone())
                .collect(),
            encoder,
            targets,
            mask,
        })
    }

    /// The rows `idx` as a new batch.
    pub fn select(&self, idx: &[usize]) -> Self {
        use ndarray::Axis;
        SequenceBatch {
            cell_ids: idx.iter().map(|&i| self.cell_ids[i].clone()).collect(),
            encoder: self.encoder.select(Axis(0), idx),
            targets: self.targets.select(Axis(0), idx),
            mask: self.mask.select(Axis(0), idx),
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cell_ids.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.cell_ids.is_empty()
    }
}

/// Root-mean-square error over unmasked steps (in `scale` units × `scale`).
pub fn masked_rmse(pred: &Array2<f32>, batch: &SequenceBatch, scale: f64) -> f64 {
    let mut sum = 0.0;
    let mut n = 0.0f64;
    for ((p, t), m) in pred.iter().zip(batch.targets.iter()).zip(batch.mask.iter()) {
        if *m > 0.0 {
            sum += ((*p as f64) - (*t as f64)).powi(2);
            n += 1.0;
        }
    }
    (sum / n.max(1.0)).sqrt() * scale
}

/// Fraction of consecutive unmasked forecast steps where capacity rises by
/// more than `tolerance` (normalised units).
pub fn fraction_increasing(pred: &Array2<f32>, batch: &SequenceBatch, tolerance: f32) -> f64 {
    let mut up = 0usize;
    let mut total = 0usize;
    for i in 0..pred.nrows() {
        for t in 1..pred.ncols() {
            if batch.mask[[i, t]] > 0.0 {
                total += 1;
                up += usize::from(pred[[i, t]] - pred[[i, t - 1]] > tolerance);
            }
        }
    }
    up as f64 / total.max(1) as f64
}

/// Persistence: every future step equals the last observed step.
pub fn persistence_forecast(batch: &SequenceBatch) -> Array2<f32> {
    let last = batch.encoder.ncols() - 1;
    Array2::from_shape_fn(batch.targets.dim(), |(i, _)| batch.encoder[[i, last]])
}

/// Mean fade: every future step is the last observed step plus the mean,
/// over the `training` rows that observed that step, of their own drop
/// from their last observed step. The simplest forecast that learns from
/// other cells: it knows how much cells of this kind fade next, not how
/// this one differs.
///
/// An error when `training` is empty, when its horizon differs from
/// `batch`'s, or when no training row reaches a step `batch` asks for.
///
/// ```
/// use voltai_neural::trajectories::{CellSeries, SequenceBatch, Windowing, mean_fade_forecast};
///
/// let w = Windowing { window: 20, stride: 10, horizon: 20, scale: 1.0 };
/// // Two training cells drop 0.1 and 0.3 ten cycles after their window.
/// let cell = |id: &str, drop: f64| {
///     let mut q = vec![1.0; 20];
///     q.extend([1.0 - drop; 20]);
///     CellSeries::new(id, q)
/// };
/// let train = SequenceBatch::new(&[cell("a", 0.1), cell("b", 0.3)], w)?;
/// let test = SequenceBatch::new(&[CellSeries::new("c", vec![0.9; 40])], w)?;
/// let p = mean_fade_forecast(&train, &test)?;
/// assert!((p[[0, 0]] - 0.7).abs() < 1e-6); // 0.9 − mean(0.1, 0.3)
/// # Ok::<(), voltai_core::Error>(())
/// ```
pub fn mean_fade_forecast(training: &SequenceBatch, batch: &SequenceBatch) -> Result<Array2<f32>> {
    if training.is_empty() {
        return Err(Error::EmptyInput("mean fade needs training rows".into()));
    }
    let steps = batch.targets.ncols();
    if training.targets.ncols() != steps || training.encoder.ncols() != batch.encoder.ncols() {
        return Err(Error::shape_mismatch(
            "mean fade: forecast vs training windows (encoder, decoder steps)",
            [training.encoder.ncols(), training.targets.ncols()],
            [batch.encoder.ncols(), steps],
        ));
    }
    let last = training.encoder.ncols() - 1;
    let mut drop = vec![(0.0f64, 0usize); steps];
    for i in 0..training.len() {
        for (t, d) in drop.iter_mut().enumerate() {
            if training.mask[[i, t]] > 0.0 {
                d.0 += f64::from(training.targets[[i, t]]) - f64::from(training.encoder[[i, last]]);
                d.1 += 1;
            }
        }
    }
    let mean: Vec<f64> = drop
        .iter()
        .map(|&(sum, n)| if n > 0 { sum / n as f64 } else { f64::NAN })
        .collect();
    for i in 0..batch.len() {
        if let Some(t) = (0..steps).find(|&t| batch.mask[[i, t]] > 0.0 && mean[t].is_nan()) {
            return Err(Error::InvalidInput(format!(
                "no training row reaches forecast step {t}, which {} asks for",
                batch.cell_ids[i]
            )));
        }
    }
    Ok(Array2::from_shape_fn(batch.targets.dim(), |(i, t)| {
        let m = if mean[t].is_nan() { 0.0 } else { mean[t] };
        (f64::from(batch.encoder[[i, last]]) + m) as f32
    }))
}

/// Linear extrapolation of a least-squares line through the last half of
/// the encoder window.
pub fn linear_forecast(batch: &SequenceBatch) -> Array2<f32> {
    let ne = batch.encoder.ncols();
    let start = ne / 2;
    let xs: Array1<f64> = (start..ne).map(|k| k as f64).collect();
    let xm = xs.mean().unwrap_or(0.0);
    Array2::from_shape_fn(batch.targets.dim(), |(i, t)| {
        let ys: Array1<f64> = (start..ne).map(|k| batch.encoder[[i, k]] as f64).collect();
        let ym = ys.mean().unwrap_or(0.0);
        let sxy: f64 = xs
            .iter()
            .zip(ys.iter())
            .map(|(x, y)| (x - xm) * (y - ym))
            .sum();
        let sxx: f64 = xs.iter().map(|x| (x - xm).powi(2)).sum();
        let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        (ym + slope * ((ne + t) as f64 - xm)) as f32
    })
}
