//! Parameters → fitted model for the [`CurveNet`]: one curve per row of a
//! [`Dataset`], standardised per sample position and target, full-batch
//! training with early stopping on a seeded hold-out.

use burn::tensor::{Device, Tensor};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use voltai_core::persist::Persist;
use voltai_core::split::train_test_split;
use voltai_core::{
    Dataset, Error, Fit, FittedStandardScaler, ProgressFn, Regressor, Result, StandardScaler, check,
};

use crate::convert::{array2, inference, scalar, tensor2};
use crate::curve::{CurveArchitecture, CurveNet, CurveNetConfig};
use crate::device::{Backend, seeded};
use crate::persist::SavedNetwork;
use crate::train::{EpochReport, TrainConfig, train};

/// Parameters of a curve regressor.
///
/// # Examples
///
/// ```
/// use ndarray::{Array1, Array2};
/// use voltai_core::{Dataset, Fit, Regressor};
/// use voltai_neural::{CurveArchitecture, CurveRegressorParams};
///
/// // Curves whose level is the target.
/// let x = Array2::from_shape_fn((30, 20), |(i, j)| i as f64 / 30.0 + 0.01 * j as f64);
/// let y: Array1<f64> = (0..30).map(|i| i as f64 / 30.0).collect();
/// let model = CurveRegressorParams::new(CurveArchitecture::Mlp)
///     .training(300, 1e-2, 300, 0.0)?
///     .fit(&Dataset::new(x.clone(), y.clone())?)?;
/// let rmse = ((&model.predict(x.view())? - &y).mapv(|e| e * e).mean().unwrap()).sqrt();
/// assert!(rmse < 0.1);
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurveRegressorParams {
    architecture: CurveArchitecture,
    hidden: usize,
    patch: usize,
    training: TrainConfig,
    validation_fraction: f64,
    seed: u64,
    backend: Backend,
}

impl CurveRegressorParams {
    /// Defaults: 32 hidden units, patches of 10 samples,
    /// [`TrainConfig::default`], 20 % of the rows held out for early
    /// stopping, seed 0, CPU.
    pub fn new(architecture: CurveArchitecture) -> Self {
        CurveRegressorParams {
            architecture,
            hidden: 32,
            patch: 10,
            training: TrainConfig::default(),
            validation_fraction: 0.2,
            seed: 0,
            backend: Backend::Cpu,
        }
    }

    /// Width of the last hidden layer (≥ 1).
    pub fn hidden(mut self, v: usize) -> Result<Self> {
        if v == 0 {
            return Err(Error::invalid_parameter("hidden", v, "1 or more"));
        }
        self.hidden = v;
        Ok(self)
    }

    /// Samples per patch of the LSTM and the Transformer (≥ 1).
    pub fn patch(mut self, v: usize) -> Result<Self> {
        if v == 0 {
            return Err(Error::invalid_parameter("patch", v, "1 or more"));
        }
        self.patch = v;
        Ok(self)
    }

    crate::training_setter!();

    crate::fit_setters!("rows");

    /// The network.
    pub fn architecture(&self) -> CurveArchitecture {
        self.architecture
    }

    fn init(&self, points: usize, device: &Device) -> Result<CurveNet> {
        let config = CurveNetConfig {
            architecture: self.architecture,
            points,
            hidden: self.hidden,
            patch: self.patch,
        };
        seeded(device, self.seed, |d| config.init(d))
    }

    /// [`Fit::fit`] with a progress callback (task `"epoch"`).
    pub fn fit_with_progress(
        &self,
        data: &Dataset,
        progress: &mut ProgressFn<'_>,
    ) -> Result<CurveRegressor> {
        let x = data.features();
        let y = data.targets()?;
        let (n, points) = x.dim();
        if n < 2 {
            return Err(Error::EmptyInput(
                "a curve regressor needs two rows (one held out for early stopping)".into(),
            ));
        }
        let scaling = Scaling::of(x, y)?;
        let split = train_test_split(n, self.validation_fraction, self.seed)?;
        let device = self.backend.device(self.seed)?;
        let rows = |r: &[usize]| -> Result<(Tensor<2>, Tensor<2>)> {
            let xs = scaling.inputs(x.select(Axis(0), r).view())?;
            let ys = Array2::from_shape_fn((r.len(), 1), |(i, _)| {
                ((y[r[i]] - scaling.y_mean) / scaling.y_scale) as f32
            });
            Ok((tensor2(xs.view(), &device), tensor2(ys.view(), &device)))
        };
        let (xt, yt) = rows(&split.train)?;
        let (xv, yv) = rows(&split.test)?;
        let mse = |m: &CurveNet, x: &Tensor<2>, y: &Tensor<2>| -> Result<Tensor<1>> {
            Ok((m.forward(x.clone())? - y.clone()).powf_scalar(2.0).mean())
        };
        let trained = train(
            self.init(points, &device)?,
            &self.training,
            |m, _| mse(m, &xt, &yt),
            |m| {
                let (m, xv) = inference(m, xv.clone());
                Ok(scalar(mse(&m, &xv, &yv.clone().without_autodiff())?))
            },
            progress,
        )?;
        Ok(CurveRegressor {
            net: trained.model,
            params: self.clone(),
            points,
            scaling,
            device,
            best_epoch: trained.best_epoch,
            history: trained.history,
        })
    }
}

impl Fit for CurveRegressorParams {
    type Model = CurveRegressor;
    fn fit(&self, data: &Dataset) -> Result<CurveRegressor> {
        self.fit_with_progress(data, &mut |_| {})
    }
}

/// The curves standardised per sample position (core's scaler: a position
/// that never varies keeps scale 1) and the target by its mean and
/// population standard deviation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Scaling {
    x: FittedStandardScaler,
    y_mean: f64,
    y_scale: f64,
}

impl Scaling {
    fn of(x: ArrayView2<'_, f64>, y: ndarray::ArrayView1<'_, f64>) -> Result<Self> {
        let y_mean = y.mean().unwrap_or(0.0);
        let y_sd = y
            .mapv(|v| (v - y_mean).powi(2))
            .mean()
            .unwrap_or(0.0)
            .sqrt();
        Ok(Scaling {
            x: StandardScaler::new().fit_array(x)?,
            y_mean,
            y_scale: if y_sd > 0.0 && y_sd.is_finite() {
                y_sd
            } else {
                1.0
            },
        })
    }
    fn inputs(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f32>> {
        Ok(self.x.transform(x)?.mapv(|v| v as f32))
    }
}

/// A trained curve regressor.
#[derive(Debug)]
pub struct CurveRegressor {
    net: CurveNet,
    params: CurveRegressorParams,
    points: usize,
    scaling: Scaling,
    device: Device,
    /// Epoch whose weights were kept.
    pub best_epoch: usize,
    /// Per-epoch losses (standardised target units).
    pub history: Vec<EpochReport>,
}

impl CurveRegressor {
    /// The params it was trained with.
    pub fn params(&self) -> &CurveRegressorParams {
        &self.params
    }
}

impl Regressor for CurveRegressor {
    fn n_features(&self) -> usize {
        self.points
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check::predict_input(x, self.points)?;
        if x.nrows() == 0 {
            return Ok(Array1::zeros(0));
        }
        let xs = self.scaling.inputs(x)?;
        let (net, xs) = inference(&self.net, tensor2(xs.view(), &self.device));
        let out = array2(net.forward(xs)?)?;
        let pred: Array1<f64> = out
            .column(0)
            .mapv(|v| f64::from(v) * self.scaling.y_scale + self.scaling.y_mean);
        if pred.iter().any(|v| !v.is_finite()) {
            return Err(Error::numerical(
                "curve regressor",
                "a prediction is not finite (inputs far outside the training curves?)",
            ));
        }
        Ok(pred)
    }
}

type Settings = (CurveRegressorParams, usize, Scaling);

impl Serialize for CurveRegressor {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let settings: Settings = (self.params.clone(), self.points, self.scaling.clone());
        SavedNetwork::new(settings, &self.net, self.best_epoch, &self.history)
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

/// Loads onto the backend it was trained on.
impl<'de> Deserialize<'de> for CurveRegressor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let saved = SavedNetwork::<Settings>::deserialize(deserializer)?;
        let load = || -> Result<CurveRegressor> {
            let (params, points, scaling) = saved.settings.clone();
            let device = params.backend.device(params.seed)?;
            Ok(CurveRegressor {
                net: saved.weights_into(params.init(points, &device)?)?,
                params,
                points,
                scaling,
                device,
                best_epoch: saved.best_epoch,
                history: saved.history.clone(),
            })
        };
        load().map_err(serde::de::Error::custom)
    }
}

impl Persist for CurveRegressor {
    const KIND: &'static str = "voltai_neural::CurveRegressor";
}
