//! Plain descriptions of libraries and differentiators, so that a fitted
//! [`SindyModel`](super::SindyModel) can be saved and rebuilt: trait objects
//! cannot be serialised, their settings can.

use serde::{Deserialize, Serialize};
use voltai_core::{Error, Result};

use super::differentiate::{
    Differentiator, FiniteDifference, SavitzkyGolay, SmoothedFiniteDifference, TotalVariation,
};
use super::library::{
    ConcatLibrary, FeatureLibrary, FourierLibrary, OnInputs, PolynomialLibrary, TensorLibrary,
};

/// The settings of a built-in [`FeatureLibrary`]; [`LibrarySpec::build`]
/// rebuilds it through the validating constructors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LibrarySpec {
    /// [`PolynomialLibrary`].
    Polynomial {
        /// Highest total degree.
        degree: usize,
        /// Whether the constant term is included.
        include_bias: bool,
        /// Whether powers of one input are left out.
        interaction_only: bool,
    },
    /// [`FourierLibrary`].
    Fourier {
        /// Number of frequencies.
        n_frequencies: usize,
        /// Whether sine terms are included.
        include_sin: bool,
        /// Whether cosine terms are included.
        include_cos: bool,
    },
    /// [`ConcatLibrary`].
    Concat {
        /// The libraries side by side.
        parts: Vec<LibrarySpec>,
    },
    /// [`TensorLibrary`].
    Tensor {
        /// Outer factor.
        left: Box<LibrarySpec>,
        /// Inner factor.
        right: Box<LibrarySpec>,
    },
    /// [`OnInputs`].
    OnInputs {
        /// Input columns the inner library sees.
        columns: Vec<usize>,
        /// The library applied to them.
        inner: Box<LibrarySpec>,
    },
}

impl LibrarySpec {
    /// The library these settings describe (checked as the constructors
    /// check them, so a hand-edited file cannot build an invalid library).
    pub fn build(&self) -> Result<Box<dyn FeatureLibrary>> {
        Ok(match self {
            LibrarySpec::Polynomial {
                degree,
                include_bias,
                interaction_only,
            } => Box::new(
                PolynomialLibrary::new(*degree)?
                    .include_bias(*include_bias)
                    .interaction_only(*interaction_only),
            ),
            LibrarySpec::Fourier {
                n_frequencies,
                include_sin,
                include_cos,
            } => {
                Box::new(FourierLibrary::new(*n_frequencies)?.families(*include_sin, *include_cos)?)
            }
            LibrarySpec::Concat { parts } => Box::new(ConcatLibrary::new(
                parts
                    .iter()
                    .map(LibrarySpec::build)
                    .collect::<Result<_>>()?,
            )?),
            LibrarySpec::Tensor { left, right } => {
                Box::new(TensorLibrary::new(left.build()?, right.build()?))
            }
            LibrarySpec::OnInputs { columns, inner } => {
                Box::new(OnInputs::new(columns.clone(), inner.build()?)?)
            }
        })
    }
}

/// The settings of a built-in [`Differentiator`]; [`DifferentiatorSpec::build`]
/// rebuilds it through the validating constructors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DifferentiatorSpec {
    /// [`FiniteDifference`].
    FiniteDifference {
        /// Accuracy order (1 or 2).
        order: usize,
    },
    /// [`SavitzkyGolay`].
    SavitzkyGolay {
        /// Odd window length.
        window: usize,
        /// Polynomial order.
        polyorder: usize,
    },
    /// [`SmoothedFiniteDifference`].
    SmoothedFiniteDifference {
        /// Odd smoothing window.
        window: usize,
        /// Polynomial order.
        polyorder: usize,
    },
    /// [`TotalVariation`].
    TotalVariation {
        /// Regularisation weight.
        alpha: f64,
        /// Lagged-diffusivity iterations.
        iterations: usize,
    },
}

impl DifferentiatorSpec {
    /// The differentiator these settings describe.
    pub fn build(&self) -> Result<Box<dyn Differentiator>> {
        Ok(match *self {
            DifferentiatorSpec::FiniteDifference { order } => {
                Box::new(FiniteDifference::new(order)?)
            }
            DifferentiatorSpec::SavitzkyGolay { window, polyorder } => {
                Box::new(SavitzkyGolay::new(window, polyorder)?)
            }
            DifferentiatorSpec::SmoothedFiniteDifference { window, polyorder } => {
                Box::new(SmoothedFiniteDifference::new(window, polyorder)?)
            }
            DifferentiatorSpec::TotalVariation { alpha, iterations } => {
                Box::new(TotalVariation::new(alpha)?.iterations(iterations)?)
            }
        })
    }
}

/// The error of a library or differentiator with no plain description (a
/// [`CustomLibrary`](super::CustomLibrary) holds functions).
pub(crate) fn not_describable(what: &str) -> Error {
    Error::InvalidInput(format!(
        "{what} has no plain description, so a model using it cannot be saved; \
         refit it from code instead"
    ))
}
