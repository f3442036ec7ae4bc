//! Finite differences of order 1 or 2 on uniform or non-uniform grids.

use ndarray::{Array2, ArrayView2};
use voltai_core::{Error, Result};

use super::{Differentiator, lagrange_derivative_weights};
use crate::sindy::data::Times;
use crate::sindy::spec::DifferentiatorSpec;

/// Finite differences as PySINDy's `FiniteDifference` (`d = 1`): order 2 uses
/// centred three-point differences inside and one-sided three-point stencils at
/// the ends; order 1 uses forward differences (backward at the last sample).
/// Non-uniform sample times are supported.
#[derive(Debug, Clone, Copy)]
pub struct FiniteDifference {
    order: usize,
}

impl Default for FiniteDifference {
    fn default() -> Self {
        FiniteDifference { order: 2 }
    }
}

impl FiniteDifference {
    /// Accuracy order 1 or 2.
    pub fn new(order: usize) -> Result<Self> {
        if !(1..=2).contains(&order) {
            return Err(Error::invalid_parameter("order", order, "1 or 2"));
        }
        Ok(FiniteDifference { order })
    }
}

impl Differentiator for FiniteDifference {
    fn differentiate(&self, x: ArrayView2<'_, f64>, times: &Times) -> Result<Array2<f64>> {
        let n = x.nrows();
        if n < self.order + 1 {
            return Err(Error::InvalidInput(format!(
                "finite differences of order {} need at least {} samples, got {n}",
                self.order,
                self.order + 1
            )));
        }
        times.check_len(n)?;
        let t = times.values(n);
        let mut out = Array2::zeros(x.dim());
        for i in 0..n {
            // The stencil: the `order + 1` samples around i, shifted inside the grid.
            let width = self.order + 1;
            let start = if self.order == 1 {
                i.min(n - 2)
            } else {
                i.saturating_sub(1).min(n - width)
            };
            let nodes: Vec<f64> = (start..start + width).map(|k| t[k]).collect();
            let w = lagrange_derivative_weights(&nodes, t[i]);
            for (k, wk) in w.iter().enumerate() {
                let row = x.row(start + k);
                out.row_mut(i).scaled_add(*wk, &row);
            }
        }
        Ok(out)
    }

    fn spec(&self) -> Result<DifferentiatorSpec> {
        Ok(DifferentiatorSpec::FiniteDifference { order: self.order })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2};

    #[test]
    fn second_order_is_exact_on_quadratics_on_any_grid() {
        let t = Array1::from(vec![0.0, 0.1, 0.25, 0.3, 0.7, 1.0]);
        let x = Array2::from_shape_fn((6, 1), |(i, _)| 3.0 * t[i] * t[i] - t[i] + 2.0);
        let d = FiniteDifference::new(2)
            .unwrap()
            .differentiate(x.view(), &Times::points(t.clone()).unwrap())
            .unwrap();
        for i in 0..6 {
            assert!((d[[i, 0]] - (6.0 * t[i] - 1.0)).abs() < 1e-12);
        }
        let d1 = FiniteDifference::new(1)
            .unwrap()
            .differentiate(x.view(), &Times::points(t.clone()).unwrap())
            .unwrap();
        assert!((d1[[0, 0]] - (x[[1, 0]] - x[[0, 0]]) / 0.1).abs() < 1e-12);
        assert!(FiniteDifference::new(3).is_err());
    }
}
