//! Search spaces: box-bounded continuous, integer and categorical inputs, or a
//! finite set of candidates. Surrogates see every space through the unit cube.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};
use voltai_core::{Error, Result, check};

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

/// Where the optimiser may propose points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SearchSpace {
    /// A product of dimensions. Points are vectors with one entry per
    /// dimension (categoricals as the choice index).
    Box(Vec<Dimension>),
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
        Ok(SearchSpace::Box(dimensions))
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
            SearchSpace::Box(d) => d.len(),
            SearchSpace::Candidates(c) => c.ncols(),
        }
    }

    /// Width of the unit-cube encoding the surrogate sees.
    pub fn encoded_dims(&self) -> usize {
        match self {
            SearchSpace::Box(d) => d.iter().map(Dimension::width).sum(),
            SearchSpace::Candidates(c) => c.ncols(),
        }
    }

    /// Whether all box dimensions are continuous (then gradient search applies).
    pub(crate) fn is_continuous(&self) -> bool {
        matches!(self, SearchSpace::Box(d) if d.iter().all(|x| matches!(x, Dimension::Continuous { .. })))
    }

    /// Checks that `x` is a valid point of the space.
    pub fn check_point(&self, x: ArrayView1<'_, f64>) -> Result<()> {
        check::finite1("point", x)?;
        if x.len() != self.n_dims() {
            return Err(Error::shape_mismatch("point", [self.n_dims()], [x.len()]));
        }
        if let SearchSpace::Box(dims) = self {
            for (v, d) in x.iter().zip(dims) {
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
            SearchSpace::Box(dims) => {
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
            SearchSpace::Box(dims) => {
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
