//! Search spaces: box-bounded continuous, integer and categorical inputs,
//! optionally cut by linear inequalities (a composition's fractions summing
//! to at most one, a charge that must finish in time), or a finite set of
//! candidates. Surrogates see every space through the unit cube.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};
use voltai_core::{Error, Result, check};

use super::design::InitialDesign;

/// One input dimension of a box space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Dimension {
    /// A real number in `[low, high]`.
    Continuous {
        /// Name shown in reports.
        name: String,
        /// Lower bound.
        low: f64,
        /// Upper bound (> low).
        high: f64,
    },
    /// An integer in `[low, high]`.
    Integer {
        /// Name shown in reports.
        name: String,
        /// Lower bound.
        low: i64,
        /// Upper bound (> low).
        high: i64,
    },
    /// One of several unordered choices (encoded one-hot for the surrogate).
    Categorical {
        /// Name shown in reports.
        name: String,
        /// The choices (at least two).
        choices: Vec<String>,
    },
}

impl Dimension {
    /// A continuous dimension; bounds must be finite and increasing.
    pub fn continuous(name: &str, low: f64, high: f64) -> Result<Self> {
        if !(low.is_finite() && high.is_finite() && low < high) {
            return Err(Error::InvalidInput(format!(
                "bounds of `{name}` must be finite with low < high, got [{low}, {high}]"
            )));
        }
        Ok(Dimension::Continuous {
            name: name.into(),
            low,
            high,
        })
    }

    /// An integer dimension with `low < high`.
    pub fn integer(name: &str, low: i64, high: i64) -> Result<Self> {
        if low >= high {
            return Err(Error::InvalidInput(format!(
                "bounds of `{name}` must have low < high, got [{low}, {high}]"
            )));
        }
        Ok(Dimension::Integer {
            name: name.into(),
            low,
            high,
        })
    }

    /// A categorical dimension with at least two distinct choices.
    pub fn categorical(name: &str, choices: &[&str]) -> Result<Self> {
        if choices.len() < 2 {
            return Err(Error::InvalidInput(format!(
                "categorical `{name}` needs at least two choices"
            )));
        }
        Ok(Dimension::Categorical {
            name: name.into(),
            choices: choices.iter().map(|c| c.to_string()).collect(),
        })
    }

    fn width(&self) -> usize {
        match self {
            Dimension::Categorical { choices, .. } => choices.len(),
            _ => 1,
        }
    }
}

/// A linear inequality on the points of a box space,
/// Σⱼ `coefficients[j]`·xⱼ ≤ `bound`, in the dimensions' own units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearConstraint {
    /// One coefficient per dimension (0 for categorical dimensions).
    pub coefficients: Vec<f64>,
    /// The right-hand side.
    pub bound: f64,
}

impl LinearConstraint {
    /// Whether `x` satisfies the inequality (to 1e-9 of the terms' scale,
    /// so a point on the boundary that decoding rounded stays inside).
    fn holds(&self, x: ArrayView1<'_, f64>) -> bool {
        let (sum, scale) = self
            .coefficients
            .iter()
            .zip(x.iter())
            .fold((0.0, self.bound.abs()), |(s, m), (a, v)| {
                (s + a * v, m.max((a * v).abs()))
            });
        sum <= self.bound + 1e-9 * scale.max(1.0)
    }
}

/// Where the optimiser may propose points.
///
/// # Examples
///
/// ```
/// use voltai_discovery::bo::SearchSpace;
///
/// // Ni and Mn fractions of a layered oxide: each in [0, 1], together ≤ 0.9.
/// let space = SearchSpace::continuous(&[(0.0, 1.0), (0.0, 1.0)])?
///     .linear_constraint(&[1.0, 1.0], 0.9)?;
/// assert!(space.check_point(ndarray::arr1(&[0.5, 0.3]).view()).is_ok());
/// assert!(space.check_point(ndarray::arr1(&[0.5, 0.5]).view()).is_err());
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SearchSpace {
    /// A product of dimensions, optionally cut by linear inequalities.
    /// Points are vectors with one entry per dimension (categoricals as the
    /// choice index).
    Box {
        /// The dimensions.
        dimensions: Vec<Dimension>,
        /// Inequalities every point satisfies (empty: the whole box).
        linear: Vec<LinearConstraint>,
    },
    /// A finite list of candidates (one row each, e.g. charging protocols);
    /// every proposal is one of them and none is proposed twice.
    Candidates(Array2<f64>),
}

impl SearchSpace {
    /// A box space; at least one dimension.
    pub fn new(dimensions: Vec<Dimension>) -> Result<Self> {
        if dimensions.is_empty() {
            return Err(Error::EmptyInput("search space has no dimensions".into()));
        }
        Ok(SearchSpace::Box {
            dimensions,
            linear: Vec::new(),
        })
    }

    /// Adds the inequality Σⱼ `coefficients[j]`·xⱼ ≤ `bound` to a box space
    /// (one finite coefficient per dimension, 0 on categorical ones, not all
    /// 0). Designs, searches and tells then keep to the cut box.
    pub fn linear_constraint(self, coefficients: &[f64], bound: f64) -> Result<Self> {
        let SearchSpace::Box {
            dimensions,
            mut linear,
        } = self
        else {
            return Err(Error::InvalidInput(
                "linear constraints cut box spaces; filter a candidate set's rows instead".into(),
            ));
        };
        if coefficients.len() != dimensions.len() {
            return Err(Error::shape_mismatch(
                "linear constraint coefficients",
                [dimensions.len()],
                [coefficients.len()],
            ));
        }
        check::finite1(
            "linear constraint coefficients",
            ArrayView1::from(coefficients),
        )?;
        if !bound.is_finite() {
            return Err(Error::invalid_parameter("bound", bound, "a finite number"));
        }
        if coefficients.iter().all(|a| *a == 0.0) {
            return Err(Error::InvalidInput(
                "a linear constraint needs a non-zero coefficient".into(),
            ));
        }
        if let Some((d, _)) = dimensions
            .iter()
            .zip(coefficients)
            .find(|(d, a)| matches!(d, Dimension::Categorical { .. }) && **a != 0.0)
        {
            return Err(Error::InvalidInput(format!(
                "categorical dimension {d:?} cannot enter a linear constraint"
            )));
        }
        // The box's corner that makes the sum smallest must satisfy it, or
        // no point does.
        let least: f64 = dimensions
            .iter()
            .zip(coefficients)
            .map(|(d, a)| match d {
                Dimension::Continuous { low, high, .. } => (a * low).min(a * high),
                Dimension::Integer { low, high, .. } => (a * *low as f64).min(a * *high as f64),
                Dimension::Categorical { .. } => 0.0,
            })
            .sum();
        if least > bound {
            return Err(Error::InvalidInput(format!(
                "no point of the box satisfies {coefficients:?}·x ≤ {bound} (the least value is {least})"
            )));
        }
        linear.push(LinearConstraint {
            coefficients: coefficients.to_vec(),
            bound,
        });
        Ok(SearchSpace::Box { dimensions, linear })
    }

    /// The linear inequalities of a box space (none for candidate sets).
    pub fn linear_constraints(&self) -> &[LinearConstraint] {
        match self {
            SearchSpace::Box { linear, .. } => linear,
            SearchSpace::Candidates(_) => &[],
        }
    }

    /// Whether the decoded point of encoded row `u` satisfies every linear
    /// inequality.
    pub(crate) fn admits_encoded(&self, u: ArrayView1<'_, f64>) -> bool {
        let linear = self.linear_constraints();
        linear.is_empty() || {
            let x = self.decode(u);
            linear.iter().all(|c| c.holds(x.view()))
        }
    }

    /// `values` of encoded rows `u` with −∞ where a row's point breaks a
    /// linear inequality (a search never proposes, and a polish never
    /// steps, outside the space).
    pub(crate) fn mask(&self, u: ArrayView2<'_, f64>, mut values: Array1<f64>) -> Array1<f64> {
        if !self.linear_constraints().is_empty() {
            for (v, row) in values.iter_mut().zip(u.rows()) {
                if !self.admits_encoded(row) {
                    *v = f64::NEG_INFINITY;
                }
            }
        }
        values
    }

    /// The rows of encoded `pool` whose points satisfy the linear
    /// inequalities (all rows without any).
    pub(crate) fn admissible(&self, pool: Array2<f64>) -> Array2<f64> {
        if self.linear_constraints().is_empty() {
            return pool;
        }
        let keep: Vec<usize> = (0..pool.nrows())
            .filter(|&i| self.admits_encoded(pool.row(i)))
            .collect();
        pool.select(ndarray::Axis(0), &keep)
    }

    /// The first `n` rows (encoded) of a space-filling `design` seeded by
    /// `seed` that satisfy the linear inequalities: the design itself
    /// without any. Rows are drawn in the design's order, so the first
    /// k of a larger request are the k of a smaller one.
    pub(crate) fn design(&self, design: InitialDesign, n: usize, seed: u64) -> Result<Array2<f64>> {
        let d = self.encoded_dims();
        if self.linear_constraints().is_empty() {
            return Ok(design.sample(n, d, seed));
        }
        // Sobol points are nested, so oversampling keeps the order of the
        // admissible ones; other designs are redrawn whole at each size.
        let mut m = (2 * n).max(16);
        loop {
            let rows = self.admissible(design.sample(m, d, seed));
            if rows.nrows() >= n {
                return Ok(rows.slice(ndarray::s![..n, ..]).to_owned());
            }
            if m >= 1 << 16 {
                return Err(Error::InvalidInput(format!(
                    "the linear constraints leave too little of the box: {} of {m} design points admissible, {n} needed",
                    rows.nrows()
                )));
            }
            m *= 4;
        }
    }

    /// A box of continuous dimensions `x0, x1, …` from `(low, high)` pairs.
    pub fn continuous(bounds: &[(f64, f64)]) -> Result<Self> {
        Self::new(
            bounds
                .iter()
                .enumerate()
                .map(|(i, &(lo, hi))| Dimension::continuous(&format!("x{i}"), lo, hi))
                .collect::<Result<_>>()?,
        )
    }

    /// A finite candidate set; rows must be finite and there must be at least one.
    pub fn candidates(points: Array2<f64>) -> Result<Self> {
        check::non_empty2("candidate set", points.view())?;
        check::finite2("candidate set", points.view())?;
        Ok(SearchSpace::Candidates(points))
    }

    /// Number of entries of a point.
    pub fn n_dims(&self) -> usize {
        match self {
            SearchSpace::Box { dimensions, .. } => dimensions.len(),
            SearchSpace::Candidates(c) => c.ncols(),
        }
    }

    /// Width of the unit-cube encoding the surrogate sees.
    pub fn encoded_dims(&self) -> usize {
        match self {
            SearchSpace::Box { dimensions, .. } => dimensions.iter().map(Dimension::width).sum(),
            SearchSpace::Candidates(c) => c.ncols(),
        }
    }

    /// Whether all box dimensions are continuous (then gradient search applies).
    pub(crate) fn is_continuous(&self) -> bool {
        matches!(self, SearchSpace::Box { dimensions, .. } if dimensions.iter().all(|x| matches!(x, Dimension::Continuous { .. })))
    }

    /// Checks that `x` is a valid point of the space.
    pub fn check_point(&self, x: ArrayView1<'_, f64>) -> Result<()> {
        check::finite1("point", x)?;
        if x.len() != self.n_dims() {
            return Err(Error::shape_mismatch("point", [self.n_dims()], [x.len()]));
        }
        if let SearchSpace::Box { dimensions, linear } = self {
            for (v, d) in x.iter().zip(dimensions) {
                let ok = match d {
                    Dimension::Continuous { low, high, .. } => *v >= *low && *v <= *high,
                    Dimension::Integer { low, high, .. } => {
                        v.fract() == 0.0 && *v >= *low as f64 && *v <= *high as f64
                    }
                    Dimension::Categorical { choices, .. } => {
                        v.fract() == 0.0 && *v >= 0.0 && (*v as usize) < choices.len()
                    }
                };
                if !ok {
                    return Err(Error::InvalidInput(format!(
                        "{v} is outside dimension {d:?}"
                    )));
                }
            }
            if let Some(c) = linear.iter().find(|c| !c.holds(x)) {
                return Err(Error::InvalidInput(format!(
                    "{x} violates the linear constraint {:?}·x ≤ {}",
                    c.coefficients, c.bound
                )));
            }
        }
        Ok(())
    }

    /// Maps points to the unit-cube encoding (candidate sets: scaled by the
    /// range of each column over the set).
    pub fn encode(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        match self {
            SearchSpace::Candidates(c) => {
                let mut out = x.to_owned();
                for j in 0..c.ncols() {
                    let col = c.column(j);
                    let lo = col.fold(f64::INFINITY, |m, v| m.min(*v));
                    let hi = col.fold(f64::NEG_INFINITY, |m, v| m.max(*v));
                    let w = if hi > lo { hi - lo } else { 1.0 };
                    out.column_mut(j).mapv_inplace(|v| (v - lo) / w);
                }
                out
            }
            SearchSpace::Box {
                dimensions: dims, ..
            } => {
                let mut out = Array2::zeros((x.nrows(), self.encoded_dims()));
                for i in 0..x.nrows() {
                    let mut c = 0;
                    for (j, d) in dims.iter().enumerate() {
                        let v = x[[i, j]];
                        match d {
                            Dimension::Continuous { low, high, .. } => {
                                out[[i, c]] = (v - low) / (high - low);
                            }
                            Dimension::Integer { low, high, .. } => {
                                out[[i, c]] = (v - *low as f64) / (*high - *low) as f64;
                            }
                            Dimension::Categorical { choices, .. } => {
                                let k = (v.max(0.0) as usize).min(choices.len() - 1);
                                out[[i, c + k]] = 1.0;
                            }
                        }
                        c += d.width();
                    }
                }
                out
            }
        }
    }

    /// Maps a unit-cube vector back to a valid point (rounding integers,
    /// arg-max for categoricals). Not used for candidate sets.
    pub fn decode(&self, u: ArrayView1<'_, f64>) -> Array1<f64> {
        match self {
            SearchSpace::Candidates(_) => u.to_owned(),
            SearchSpace::Box {
                dimensions: dims, ..
            } => {
                let mut out = Array1::zeros(dims.len());
                let mut c = 0;
                for (j, d) in dims.iter().enumerate() {
                    out[j] = match d {
                        Dimension::Continuous { low, high, .. } => {
                            low + u[c].clamp(0.0, 1.0) * (high - low)
                        }
                        Dimension::Integer { low, high, .. } => {
                            (*low as f64 + u[c].clamp(0.0, 1.0) * (*high - *low) as f64).round()
                        }
                        Dimension::Categorical { choices, .. } => (0..choices.len())
                            .max_by(|&a, &b| u[c + a].total_cmp(&u[c + b]))
                            .unwrap_or(0)
                            as f64,
                    };
                    c += d.width();
                }
                out
            }
        }
    }
}
