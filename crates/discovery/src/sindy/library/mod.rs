//! Candidate-term libraries Θ(x, u): each maps input columns to term columns
//! and names the terms so discovered equations read naturally.
//!
//! Libraries compose like PySINDy's: [`ConcatLibrary`] stacks them side by side,
//! [`TensorLibrary`] multiplies every term of one by every term of another, and
//! [`OnInputs`] restricts a library to some inputs (e.g. a polynomial of the
//! states beside a linear term in the control current).

mod combine;
mod custom;
mod fourier;
mod polynomial;

pub use combine::{ConcatLibrary, OnInputs, TensorLibrary};
pub use custom::CustomLibrary;
pub use fourier::FourierLibrary;
pub use polynomial::PolynomialLibrary;

use ndarray::{Array2, ArrayView2};
use voltai_core::Result;

use super::spec::{LibrarySpec, not_describable};

/// A library of candidate terms.
pub trait FeatureLibrary: Send + Sync + std::fmt::Debug {
    /// Number of terms produced from `n_inputs` input columns.
    fn n_terms(&self, n_inputs: usize) -> Result<usize>;
    /// Names of the terms, built from the input names.
    fn term_names(&self, inputs: &[String]) -> Result<Vec<String>>;
    /// Evaluates the terms: `n × n_inputs` → `n × n_terms`.
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>>;
    /// The library's settings, for saving a fitted model. Libraries built
    /// from code (closures) have none: the default is an error.
    fn spec(&self) -> Result<LibrarySpec> {
        Err(not_describable(&format!("the library {self:?}")))
    }
}

impl<L: FeatureLibrary + ?Sized> FeatureLibrary for Box<L> {
    fn n_terms(&self, n_inputs: usize) -> Result<usize> {
        (**self).n_terms(n_inputs)
    }
    fn term_names(&self, inputs: &[String]) -> Result<Vec<String>> {
        (**self).term_names(inputs)
    }
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        (**self).transform(x)
    }
    fn spec(&self) -> Result<LibrarySpec> {
        (**self).spec()
    }
}
