//! Trajectories: sampled states, their sample times and optional control inputs.

use ndarray::{Array1, Array2, ArrayView1};
use voltai_core::{Error, Result, check};

/// Sample times of one trajectory.
#[derive(Debug, Clone, PartialEq)]
pub enum Times {
    /// Equally spaced samples `dt` apart, starting at 0.
    Uniform(f64),
    /// Explicit, strictly increasing sample times.
    Points(Array1<f64>),
}

impl Times {
    /// Equally spaced samples; `dt` must be finite and positive.
    pub fn uniform(dt: f64) -> Result<Self> {
        if !(dt.is_finite() && dt > 0.0) {
            return Err(Error::invalid_parameter("dt", dt, "(0, inf)"));
        }
        Ok(Times::Uniform(dt))
    }

    /// Explicit sample times; they must be finite and strictly increasing.
    pub fn points(t: Array1<f64>) -> Result<Self> {
        check::finite1("sample times", t.view())?;
        if let Some(i) = (1..t.len()).find(|&i| t[i] <= t[i - 1]) {
            return Err(Error::InvalidInput(format!(
                "sample times must increase strictly: t[{i}] = {} after {}",
                t[i],
                t[i - 1]
            )));
        }
        Ok(Times::Points(t))
    }

    /// The sample times for `n` samples.
    pub fn values(&self, n: usize) -> Array1<f64> {
        match self {
            Times::Uniform(dt) => Array1::from_shape_fn(n, |i| i as f64 * dt),
            Times::Points(t) => t.clone(),
        }
    }

    /// The common step when the samples are equally spaced (to 1e-9 relative),
    /// `None` otherwise. Smoothing filters need it.
    pub fn uniform_step(&self) -> Option<f64> {
        match self {
            Times::Uniform(dt) => Some(*dt),
            Times::Points(t) if t.len() >= 2 => {
                let dt = (t[t.len() - 1] - t[0]) / (t.len() - 1) as f64;
                let uniform = t
                    .windows(2)
                    .into_iter()
                    .all(|w| ((w[1] - w[0]) - dt).abs() <= 1e-9 * dt.abs());
                uniform.then_some(dt)
            }
            Times::Points(_) => None,
        }
    }

    pub(crate) fn check_len(&self, n: usize) -> Result<()> {
        match self {
            Times::Points(t) if t.len() != n => Err(Error::shape_mismatch(
                "sample times vs states",
                [n],
                [t.len()],
            )),
            _ => Ok(()),
        }
    }
}

/// One sampled trajectory: states `x` (`n × d`), times, and optionally control
/// inputs `u` (`n × m`, SINDYc) and known derivatives `ẋ`.
#[derive(Debug, Clone)]
pub struct Trajectory {
    pub(crate) x: Array2<f64>,
    pub(crate) times: Times,
    pub(crate) u: Option<Array2<f64>>,
    pub(crate) x_dot: Option<Array2<f64>>,
}

impl Trajectory {
    /// A trajectory of states sampled at `times`; values must be finite.
    pub fn new(x: Array2<f64>, times: Times) -> Result<Self> {
        check::non_empty2("trajectory states", x.view())?;
        check::finite2("trajectory states", x.view())?;
        times.check_len(x.nrows())?;
        Ok(Trajectory {
            x,
            times,
            u: None,
            x_dot: None,
        })
    }

    /// Adds control inputs sampled at the same times (one row per sample).
    pub fn with_control(mut self, u: Array2<f64>) -> Result<Self> {
        check::finite2("control inputs", u.view())?;
        check::same_len("control inputs rows", self.x.nrows(), u.nrows())?;
        self.u = Some(u);
        Ok(self)
    }

    /// Supplies measured derivatives; the differentiator is then skipped.
    pub fn with_derivative(mut self, x_dot: Array2<f64>) -> Result<Self> {
        check::finite2("derivatives", x_dot.view())?;
        if x_dot.dim() != self.x.dim() {
            return Err(Error::shape_mismatch(
                "derivatives vs states",
                [self.x.nrows(), self.x.ncols()],
                [x_dot.nrows(), x_dot.ncols()],
            ));
        }
        self.x_dot = Some(x_dot);
        Ok(self)
    }

    /// The states, `n × d`.
    pub fn states(&self) -> &Array2<f64> {
        &self.x
    }

    /// The control inputs, if any.
    pub fn control(&self) -> Option<&Array2<f64>> {
        self.u.as_ref()
    }

    /// The sample times.
    pub fn times(&self) -> &Times {
        &self.times
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.x.nrows()
    }

    /// Whether the trajectory has no samples (never true once constructed).
    pub fn is_empty(&self) -> bool {
        self.x.nrows() == 0
    }
}

/// Linear interpolation of sampled control inputs, used when simulating a model
/// driven by a measured profile.
pub fn interpolate_rows(t: ArrayView1<'_, f64>, u: &Array2<f64>, at: f64) -> Array1<f64> {
    let n = t.len();
    if n == 0 {
        return Array1::zeros(u.ncols());
    }
    if at <= t[0] {
        return u.row(0).to_owned();
    }
    if at >= t[n - 1] {
        return u.row(n - 1).to_owned();
    }
    let k = t.as_slice().map_or_else(
        || t.iter().position(|&v| v > at).unwrap_or(n - 1),
        |s| s.partition_point(|&v| v <= at),
    );
    let (t0, t1) = (t[k - 1], t[k]);
    let w = (at - t0) / (t1 - t0);
    &u.row(k - 1) * (1.0 - w) + &u.row(k) * w
}
