//! Sines and cosines of integer multiples of each input.

use ndarray::{Array2, ArrayView2};
use voltai_core::{Error, Result};

use super::FeatureLibrary;
use crate::sindy::spec::LibrarySpec;

/// `sin(k x)` and `cos(k x)` for `k = 1..=n_frequencies` and every input,
/// in PySINDy's `FourierLibrary` order (frequency outer, input inner).
#[derive(Debug, Clone)]
pub struct FourierLibrary {
    n_frequencies: usize,
    include_sin: bool,
    include_cos: bool,
}

impl FourierLibrary {
    /// Sines and cosines up to `n_frequencies` (≥ 1).
    pub fn new(n_frequencies: usize) -> Result<Self> {
        if n_frequencies == 0 {
            return Err(Error::invalid_parameter(
                "n_frequencies",
                n_frequencies,
                "1 or more",
            ));
        }
        Ok(FourierLibrary {
            n_frequencies,
            include_sin: true,
            include_cos: true,
        })
    }

    /// Which of the two families to keep; at least one must stay.
    pub fn families(mut self, sin: bool, cos: bool) -> Result<Self> {
        if !(sin || cos) {
            return Err(Error::InvalidInput(
                "a Fourier library needs sines, cosines or both".into(),
            ));
        }
        self.include_sin = sin;
        self.include_cos = cos;
        Ok(self)
    }

    fn per_input(&self) -> usize {
        usize::from(self.include_sin) + usize::from(self.include_cos)
    }
}

impl FeatureLibrary for FourierLibrary {
    fn n_terms(&self, n_inputs: usize) -> Result<usize> {
        Ok(self.n_frequencies * n_inputs * self.per_input())
    }

    fn term_names(&self, inputs: &[String]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for k in 1..=self.n_frequencies {
            for name in inputs {
                if self.include_sin {
                    out.push(format!("sin({k} {name})"));
                }
                if self.include_cos {
                    out.push(format!("cos({k} {name})"));
                }
            }
        }
        Ok(out)
    }

    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((x.nrows(), self.n_terms(x.ncols())?));
        let mut c = 0;
        for k in 1..=self.n_frequencies {
            let k = k as f64;
            for j in 0..x.ncols() {
                if self.include_sin {
                    out.column_mut(c)
                        .zip_mut_with(&x.column(j), |o, &v| *o = (k * v).sin());
                    c += 1;
                }
                if self.include_cos {
                    out.column_mut(c)
                        .zip_mut_with(&x.column(j), |o, &v| *o = (k * v).cos());
                    c += 1;
                }
            }
        }
        Ok(out)
    }

    fn spec(&self) -> Result<LibrarySpec> {
        Ok(LibrarySpec::Fourier {
            n_frequencies: self.n_frequencies,
            include_sin: self.include_sin,
            include_cos: self.include_cos,
        })
    }
}
