//! Combinators: side-by-side concatenation, tensor products and input subsets.

use ndarray::{Array2, ArrayView2, Axis};
use voltai_core::{Error, Result};

use super::FeatureLibrary;
use crate::sindy::spec::LibrarySpec;

/// The terms of several libraries side by side.
#[derive(Debug)]
pub struct ConcatLibrary {
    parts: Vec<Box<dyn FeatureLibrary>>,
}

impl ConcatLibrary {
    /// Concatenates `parts` (at least one).
    pub fn new(parts: Vec<Box<dyn FeatureLibrary>>) -> Result<Self> {
        if parts.is_empty() {
            return Err(Error::EmptyInput(
                "concatenated library has no parts".into(),
            ));
        }
        Ok(ConcatLibrary { parts })
    }
}

impl FeatureLibrary for ConcatLibrary {
    fn n_terms(&self, n_inputs: usize) -> Result<usize> {
        self.parts.iter().map(|p| p.n_terms(n_inputs)).sum()
    }

    fn term_names(&self, inputs: &[String]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for p in &self.parts {
            out.extend(p.term_names(inputs)?);
        }
        Ok(out)
    }

    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let blocks = self
            .parts
            .iter()
            .map(|p| p.transform(x))
            .collect::<Result<Vec<_>>>()?;
        let views: Vec<_> = blocks.iter().map(|b| b.view()).collect();
        ndarray::concatenate(Axis(1), &views)
            .map_err(|e| Error::numerical("library concatenation", e.to_string()))
    }

    fn spec(&self) -> Result<LibrarySpec> {
        Ok(LibrarySpec::Concat {
            parts: self.parts.iter().map(|p| p.spec()).collect::<Result<_>>()?,
        })
    }
}

/// Every product of a term of `left` with a term of `right` (left outer,
/// right inner), as PySINDy's `TensoredLibrary`.
#[derive(Debug)]
pub struct TensorLibrary {
    left: Box<dyn FeatureLibrary>,
    right: Box<dyn FeatureLibrary>,
}

impl TensorLibrary {
    /// The tensor product of two libraries.
    pub fn new(left: Box<dyn FeatureLibrary>, right: Box<dyn FeatureLibrary>) -> Self {
        TensorLibrary { left, right }
    }
}

impl FeatureLibrary for TensorLibrary {
    fn n_terms(&self, n_inputs: usize) -> Result<usize> {
        Ok(self.left.n_terms(n_inputs)? * self.right.n_terms(n_inputs)?)
    }

    fn term_names(&self, inputs: &[String]) -> Result<Vec<String>> {
        let (a, b) = (
            self.left.term_names(inputs)?,
            self.right.term_names(inputs)?,
        );
        let mut out = Vec::with_capacity(a.len() * b.len());
        for p in &a {
            for q in &b {
                out.push(match (p.as_str(), q.as_str()) {
                    ("1", _) => q.clone(),
                    (_, "1") => p.clone(),
                    _ => format!("{p} {q}"),
                });
            }
        }
        Ok(out)
    }

    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let (a, b) = (self.left.transform(x)?, self.right.transform(x)?);
        let (n, p, q) = (x.nrows(), a.ncols(), b.ncols());
        let mut out = Array2::zeros((n, p * q));
        for i in 0..p {
            for j in 0..q {
                let mut col = out.column_mut(i * q + j);
                col.assign(&a.column(i));
                col *= &b.column(j);
            }
        }
        Ok(out)
    }

    fn spec(&self) -> Result<LibrarySpec> {
        Ok(LibrarySpec::Tensor {
            left: Box::new(self.left.spec()?),
            right: Box::new(self.right.spec()?),
        })
    }
}

/// A library applied to a subset of the input columns only.
#[derive(Debug)]
pub struct OnInputs {
    columns: Vec<usize>,
    inner: Box<dyn FeatureLibrary>,
}

impl OnInputs {
    /// Applies `inner` to the input columns `columns` (0-based, non-empty).
    pub fn new(columns: Vec<usize>, inner: Box<dyn FeatureLibrary>) -> Result<Self> {
        if columns.is_empty() {
            return Err(Error::EmptyInput("input subset is empty".into()));
        }
        Ok(OnInputs { columns, inner })
    }

    fn check(&self, n_inputs: usize) -> Result<()> {
        match self.columns.iter().find(|&&c| c >= n_inputs) {
            Some(c) => Err(Error::InvalidInput(format!(
                "library input column {c} does not exist ({n_inputs} inputs)"
            ))),
            None => Ok(()),
        }
    }
}

impl FeatureLibrary for OnInputs {
    fn n_terms(&self, n_inputs: usize) -> Result<usize> {
        self.check(n_inputs)?;
        self.inner.n_terms(self.columns.len())
    }

    fn term_names(&self, inputs: &[String]) -> Result<Vec<String>> {
        self.check(inputs.len())?;
        let sub: Vec<String> = self.columns.iter().map(|&c| inputs[c].clone()).collect();
        self.inner.term_names(&sub)
    }

    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.check(x.ncols())?;
        self.inner
            .transform(x.select(Axis(1), &self.columns).view())
    }

    fn spec(&self) -> Result<LibrarySpec> {
        Ok(LibrarySpec::OnInputs {
            columns: self.columns.clone(),
            inner: Box::new(self.inner.spec()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{FourierLibrary, PolynomialLibrary};
    use super::*;
    use ndarray::array;

    #[test]
    fn combinators_name_and_evaluate_consistently() {
        let names = vec!["x".to_string(), "u".to_string()];
        let lib = ConcatLibrary::new(vec![
            Box::new(OnInputs::new(vec![0], Box::new(PolynomialLibrary::new(2).unwrap())).unwrap()),
            Box::new(FourierLibrary::new(1).unwrap()),
        ])
        .unwrap();
        assert_eq!(
            lib.term_names(&names).unwrap(),
            [
                "1", "x", "x^2", "sin(1 x)", "cos(1 x)", "sin(1 u)", "cos(1 u)"
            ]
        );
        let v = lib.transform(array![[2.0, 0.0]].view()).unwrap();
        assert_eq!(v.ncols(), lib.n_terms(2).unwrap());
        assert!((v[[0, 2]] - 4.0).abs() < 1e-15 && (v[[0, 6]] - 1.0).abs() < 1e-15);

        let t = TensorLibrary::new(
            Box::new(OnInputs::new(vec![0], Box::new(PolynomialLibrary::new(1).unwrap())).unwrap()),
            Box::new(
                OnInputs::new(
                    vec![1],
                    Box::new(PolynomialLibrary::new(1).unwrap().include_bias(false)),
                )
                .unwrap(),
            ),
        );
        assert_eq!(t.term_names(&names).unwrap(), ["u", "x u"]);
        let v = t.transform(array![[3.0, 5.0]].view()).unwrap();
        assert_eq!(v.row(0).to_vec(), vec![5.0, 15.0]);
        assert!(
            OnInputs::new(vec![3], Box::new(PolynomialLibrary::new(1).unwrap()))
                .unwrap()
                .n_terms(2)
                .is_err()
        );
    }
}
