//! A model behind a [`StandardScaler`]: the scaler is fitted on the rows the
//! model is fitted on, so cross-validation and searches never scale a
//! training fold with statistics of its test fold.

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::{
    Dataset, Fit, FittedStandardScaler, Predictive, ProbabilisticRegressor, Regressor, Result,
    StandardScaler,
};

/// Params of `scaler → model` (scikit-learn's
/// `make_pipeline(StandardScaler(), model)`).
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, Array2, ArrayView2};
/// use voltai_core::{Dataset, Fit, Regressor, Result, StandardisedParams};
///
/// // A model that remembers the first feature of the first training row.
/// struct FirstParams;
/// struct First(f64);
/// impl Fit for FirstParams {
///     type Model = First;
///     fn fit(&self, d: &Dataset) -> Result<First> { Ok(First(d.features()[[0, 0]])) }
/// }
/// impl Regressor for First {
///     fn n_features(&self) -> usize { 1 }
///     fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
///         Ok(Array1::from_elem(x.nrows(), self.0))
///     }
/// }
///
/// let data = Dataset::new(ndarray::array![[1.0], [3.0]], ndarray::array![0.0, 0.0])?;
/// let model = StandardisedParams::new(FirstParams).fit(&data)?;
/// // The model saw standardised features: 1.0 is one (population) sd below the mean 2.0.
/// assert_eq!(model.model().0, -1.0);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StandardisedParams<P> {
    scaler: StandardScaler,
    params: P,
}

impl<P> StandardisedParams<P> {
    /// `params` behind a default [`StandardScaler`] (centre, unit variance).
    pub fn new(params: P) -> Self {
        StandardisedParams {
            scaler: StandardScaler::new(),
            params,
        }
    }

    /// A differently configured scaler.
    pub fn scaler(mut self, scaler: StandardScaler) -> Self {
        self.scaler = scaler;
        self
    }

    /// The model's params.
    pub fn params(&self) -> &P {
        &self.params
    }
}

/// A fitted `scaler → model`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardised<M> {
    scaler: FittedStandardScaler,
    model: M,
}

impl<M> Standardised<M> {
    /// The fitted scaler.
    pub fn scaler(&self) -> &FittedStandardScaler {
        &self.scaler
    }
    /// The fitted model (it takes standardised features).
    pub fn model(&self) -> &M {
        &self.model
    }
}

impl<P: Fit> Fit for StandardisedParams<P> {
    type Model = Standardised<P::Model>;
    fn fit(&self, data: &Dataset) -> Result<Self::Model> {
        let scaler = self.scaler.fit(data)?;
        let model = self.params.fit(&scaler.transform_dataset(data)?)?;
        Ok(Standardised { scaler, model })
    }
}

impl<M: Regressor> Regressor for Standardised<M> {
    fn n_features(&self) -> usize {
        self.model.n_features()
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        crate::check::predict_input(x, self.model.n_features())?;
        self.model.predict(self.scaler.transform(x)?.view())
    }
}

impl<M: ProbabilisticRegressor> ProbabilisticRegressor for Standardised<M> {
    fn predict_dist(&self, x: ArrayView2<'_, f64>) -> Result<Predictive> {
        crate::check::predict_input(x, self.model.n_features())?;
        self.model.predict_dist(self.scaler.transform(x)?.view())
    }
}

impl<M: crate::Persist> crate::Persist for Standardised<M> {
    const KIND: &'static str = "voltai_core::Standardised";
}
