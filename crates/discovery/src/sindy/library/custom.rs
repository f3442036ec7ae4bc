//! User-named functions applied to every input (or every pair of inputs).

use std::sync::Arc;

use ndarray::{Array2, ArrayView2};
use voltai_core::{Error, Result};

use super::FeatureLibrary;

type Unary = Arc<dyn Fn(f64) -> f64 + Send + Sync>;
type Binary = Arc<dyn Fn(f64, f64) -> f64 + Send + Sync>;

#[derive(Clone)]
enum Function {
    Unary { name: String, f: Unary },
    Binary { name: String, f: Binary },
}

/// Custom terms: each unary function is applied to every input and each binary
/// function to every pair `(i < j)`. Names are templates in which `{}` (or
/// `{0}` and `{1}` for pairs) stand for the input names, e.g. `"exp({})"`.
#[derive(Clone, Default)]
pub struct CustomLibrary {
    functions: Vec<Function>,
}

impl std::fmt::Debug for CustomLibrary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .functions
            .iter()
            .map(|g| match g {
                Function::Unary { name, .. } | Function::Binary { name, .. } => name.as_str(),
            })
            .collect();
        f.debug_struct("CustomLibrary")
            .field("functions", &names)
            .finish()
    }
}

impl CustomLibrary {
    /// An empty library; add functions with [`CustomLibrary::unary`] and
    /// [`CustomLibrary::binary`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `f(x)` for every input `x`; `name` must contain `{}`.
    pub fn unary(
        mut self,
        name: &str,
        f: impl Fn(f64) -> f64 + Send + Sync + 'static,
    ) -> Result<Self> {
        if !name.contains("{}") {
            return Err(Error::InvalidInput(format!(
                "custom term name `{name}` must contain {{}} where the input name goes"
            )));
        }
        self.functions.push(Function::Unary {
            name: name.to_string(),
            f: Arc::new(f),
        });
        Ok(self)
    }

    /// Adds `f(a, b)` for every pair of distinct inputs; `name` must contain
    /// `{0}` and `{1}`.
    pub fn binary(
        mut self,
        name: &str,
        f: impl Fn(f64, f64) -> f64 + Send + Sync + 'static,
    ) -> Result<Self> {
        if !(name.contains("{0}") && name.contains("{1}")) {
            return Err(Error::InvalidInput(format!(
                "custom pair term name `{name}` must contain {{0}} and {{1}}"
            )));
        }
        self.functions.push(Function::Binary {
            name: name.to_string(),
            f: Arc::new(f),
        });
        Ok(self)
    }
}

fn pairs(d: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..d).flat_map(move |i| (i + 1..d).map(move |j| (i, j)))
}

impl FeatureLibrary for CustomLibrary {
    fn n_terms(&self, n_inputs: usize) -> Result<usize> {
        if self.functions.is_empty() {
            return Err(Error::EmptyInput("custom library has no functions".into()));
        }
        Ok(self
            .functions
            .iter()
            .map(|g| match g {
                Function::Unary { .. } => n_inputs,
                Function::Binary { .. } => n_inputs * n_inputs.saturating_sub(1) / 2,
            })
            .sum())
    }

    fn term_names(&self, inputs: &[String]) -> Result<Vec<String>> {
        self.n_terms(inputs.len())?;
        let mut out = Vec::new();
        for g in &self.functions {
            match g {
                Function::Unary { name, .. } => {
                    out.extend(inputs.iter().map(|x| name.replace("{}", x)));
                }
                Function::Binary { name, .. } => out.extend(
                    pairs(inputs.len())
                        .map(|(i, j)| name.replace("{0}", &inputs[i]).replace("{1}", &inputs[j])),
                ),
            }
        }
        Ok(out)
    }

    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((x.nrows(), self.n_terms(x.ncols())?));
        let mut c = 0;
        for g in &self.functions {
            match g {
                Function::Unary { f, .. } => {
                    for j in 0..x.ncols() {
                        out.column_mut(c)
                            .zip_mut_with(&x.column(j), |o, &v| *o = f(v));
                        c += 1;
                    }
                }
                Function::Binary { f, .. } => {
                    for (i, j) in pairs(x.ncols()) {
                        for r in 0..x.nrows() {
                            out[[r, c]] = f(x[[r, i]], x[[r, j]]);
                        }
                        c += 1;
                    }
                }
            }
        }
        if let Some(((r, k), v)) = out.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFinite {
                context: "custom library term".into(),
                index: vec![r, k],
                value: *v,
            });
        }
        Ok(out)
    }
}
