//! Input checks shared by every `fit` and `predict`: finiteness, emptiness, shapes.

use ndarray::{ArrayView1, ArrayView2};

use crate::{Error, Result};

/// Fails with [`Error::NonFinite`] at the first NaN/inf element of a matrix.
pub fn finite2(context: &str, x: ArrayView2<'_, f64>) -> Result<()> {
    for ((i, j), &v) in x.indexed_iter() {
        if !v.is_finite() {
            return Err(Error::NonFinite {
                context: context.to_string(),
                index: vec![i, j],
                value: v,
            });
        }
    }
    Ok(())
}

/// Fails with [`Error::NonFinite`] at the first NaN/inf element of a vector.
pub fn finite1(context: &str, x: ArrayView1<'_, f64>) -> Result<()> {
    for (i, &v) in x.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::NonFinite {
                context: context.to_string(),
                index: vec![i],
                value: v,
            });
        }
    }
    Ok(())
}

/// Fails with [`Error::EmptyInput`] when a matrix has no rows or no columns.
pub fn non_empty2(context: &str, x: ArrayView2<'_, f64>) -> Result<()> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(Error::EmptyInput(format!(
            "{context} has shape {:?}; at least one row and one column are required",
            x.shape()
        )));
    }
    Ok(())
}

/// Fails with [`Error::ShapeMismatch`] unless `x` has `expected` columns.
pub fn n_features(context: &str, x: ArrayView2<'_, f64>, expected: usize) -> Result<()> {
    if x.ncols() != expected {
        return Err(Error::shape_mismatch(
            format!("{context}: number of feature columns"),
            [x.nrows(), expected],
            [x.nrows(), x.ncols()],
        ));
    }
    Ok(())
}

/// Fails with [`Error::ShapeMismatch`] unless the two lengths agree.
pub fn same_len(context: &str, expected: usize, actual: usize) -> Result<()> {
    if expected != actual {
        return Err(Error::shape_mismatch(context, [expected], [actual]));
    }
    Ok(())
}

/// Checks a prediction input: non-empty, finite, with the fitted number of features.
pub fn predict_input(x: ArrayView2<'_, f64>, fitted_features: usize) -> Result<()> {
    n_features("predict input", x, fitted_features)?;
    finite2("predict input", x)
}
