//! Polynomial terms up to a degree, in scikit-learn's `PolynomialFeatures` order.

use ndarray::{Array2, ArrayView2};
use voltai_core::{Error, Result};

use super::FeatureLibrary;
use crate::sindy::spec::LibrarySpec;

/// All monomials of the inputs up to `degree` (PySINDy's `PolynomialLibrary`):
/// `1, x, y, x², x y, y², …` in scikit-learn's order.
#[derive(Debug, Clone)]
pub struct PolynomialLibrary {
    degree: usize,
    include_bias: bool,
    interaction_only: bool,
}

impl PolynomialLibrary {
    /// Monomials up to `degree` (≥ 1), with the constant term.
    pub fn new(degree: usize) -> Result<Self> {
        if degree == 0 {
            return Err(Error::invalid_parameter("degree", degree, "1 or more"));
        }
        Ok(PolynomialLibrary {
            degree,
            include_bias: true,
            interaction_only: false,
        })
    }

    /// Whether to include the constant term `1` (default true).
    pub fn include_bias(mut self, yes: bool) -> Self {
        self.include_bias = yes;
        self
    }

    /// Keep only products of distinct inputs (no `x²`), default false.
    pub fn interaction_only(mut self, yes: bool) -> Self {
        self.interaction_only = yes;
        self
    }

    /// The exponent-free index lists of every term, in output order.
    fn combinations(&self, d: usize) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        if self.include_bias {
            out.push(Vec::new());
        }
        for deg in 1..=self.degree {
            let mut combo = Vec::with_capacity(deg);
            self.extend(d, deg, 0, &mut combo, &mut out);
        }
        out
    }

    fn extend(
        &self,
        d: usize,
        deg: usize,
        start: usize,
        combo: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if combo.len() == deg {
            out.push(combo.clone());
            return;
        }
        for j in start..d {
            combo.push(j);
            let next = if self.interaction_only { j + 1 } else { j };
            self.extend(d, deg, next, combo, out);
            combo.pop();
        }
    }
}

impl FeatureLibrary for PolynomialLibrary {
    fn n_terms(&self, n_inputs: usize) -> Result<usize> {
        Ok(self.combinations(n_inputs).len())
    }

    fn term_names(&self, inputs: &[String]) -> Result<Vec<String>> {
        Ok(self
            .combinations(inputs.len())
            .into_iter()
            .map(|c| {
                if c.is_empty() {
                    return "1".to_string();
                }
                let mut parts: Vec<String> = Vec::new();
                let mut k = 0;
                while k < c.len() {
                    let run = c[k..].iter().take_while(|&&j| j == c[k]).count();
                    parts.push(if run == 1 {
                        inputs[c[k]].clone()
                    } else {
                        format!("{}^{run}", inputs[c[k]])
                    });
                    k += run;
                }
                parts.join(" ")
            })
            .collect())
    }

    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let combos = self.combinations(x.ncols());
        let mut out = Array2::<f64>::ones((x.nrows(), combos.len()));
        for (k, c) in combos.iter().enumerate() {
            let mut col = out.column_mut(k);
            for &j in c {
                col.zip_mut_with(&x.column(j), |o, &v| *o *= v);
            }
        }
        Ok(out)
    }

    fn spec(&self) -> Result<LibrarySpec> {
        Ok(LibrarySpec::Polynomial {
            degree: self.degree,
            include_bias: self.include_bias,
            interaction_only: self.interaction_only,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn terms_follow_scikit_learn_order() {
        let lib = PolynomialLibrary::new(2).unwrap();
        let names = lib
            .term_names(&["x".into(), "y".into(), "z".into()])
            .unwrap();
        assert_eq!(
            names,
            ["1", "x", "y", "z", "x^2", "x y", "x z", "y^2", "y z", "z^2"]
        );
        let v = lib.transform(array![[2.0, 3.0, 5.0]].view()).unwrap();
        assert_eq!(
            v.row(0).to_vec(),
            vec![1.0, 2.0, 3.0, 5.0, 4.0, 6.0, 10.0, 9.0, 15.0, 25.0]
        );
        // C(d + p, p) terms with bias.
        assert_eq!(PolynomialLibrary::new(3).unwrap().n_terms(4).unwrap(), 35);
        let inter = PolynomialLibrary::new(2)
            .unwrap()
            .include_bias(false)
            .interaction_only(true);
        assert_eq!(
            inter.term_names(&["a".into(), "b".into()]).unwrap(),
            ["a", "b", "a b"]
        );
    }
}
