//! Networks that read one sampled curve per row (e.g. the QdLinear curve
//! ΔQ(V) on a voltage grid) and predict one number: the MLP, 1-D CNN, LSTM
//! and small Transformer of BatteryML's cycle-life benchmark.

use burn::module::{Module, Param};
use burn::nn::conv::{Conv1d, Conv1dConfig};
use burn::nn::transformer::{
    TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput,
};
use burn::nn::{Linear, LinearConfig, Lstm, LstmConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Distribution, Tensor};
use serde::{Deserialize, Serialize};
use voltai_core::{Error, Result};

/// Which network reads the curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CurveArchitecture {
    /// Two fully connected ReLU layers on the whole curve.
    Mlp,
    /// Two strided 1-D convolutions (8 and 16 channels, width 5, stride 2),
    /// averaged over position, then a ReLU layer.
    Cnn,
    /// An LSTM over the curve cut into patches (one patch per step); its
    /// last hidden state.
    Lstm,
    /// Patches embedded with a learned position, two Transformer encoder
    /// layers (2 heads), averaged over patches, then a ReLU layer.
    Transformer,
}

/// Channels of the CNN's convolutions and its kernel width.
const CNN_CHANNELS: [usize; 2] = [8, 16];
const CNN_KERNEL: usize = 5;
/// Width of the Transformer's tokens.
const D_MODEL: usize = 16;

/// Sizes of a [`CurveNet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurveNetConfig {
    /// The network.
    pub architecture: CurveArchitecture,
    /// Samples per curve.
    pub points: usize,
    /// Width of the last hidden layer (and of the LSTM state).
    pub hidden: usize,
    /// Samples per patch (LSTM step, Transformer token); the curve is
    /// zero-padded to a whole number of patches.
    pub patch: usize,
}

impl CurveNetConfig {
    /// A freshly initialised network on `device`.
    pub fn init(&self, device: &Device) -> Result<CurveNet> {
        if self.points == 0 || self.hidden == 0 || self.patch == 0 {
            return Err(Error::InvalidInput(
                "points, hidden and patch must be positive".into(),
            ));
        }
        // Two valid convolutions of width 5 and stride 2 need 13 samples.
        if self.architecture == CurveArchitecture::Cnn && self.points < 13 {
            return Err(Error::InvalidInput(format!(
                "the CNN needs curves of at least 13 points, got {}",
                self.points
            )));
        }
        let h = self.hidden;
        let tokens = self.points.div_ceil(self.patch);
        let mut net = CurveNet {
            mlp: None,
            cnn: None,
            lstm: None,
            transformer: None,
            head: LinearConfig::new(h, 1).init(device),
            points: self.points,
            patch: self.patch,
        };
        match self.architecture {
            CurveArchitecture::Mlp => {
                net.mlp = Some(MlpBody {
                    first: LinearConfig::new(self.points, h).init(device),
                    second: LinearConfig::new(h, h).init(device),
                })
            }
            CurveArchitecture::Cnn => {
                net.cnn = Some(CnnBody {
                    first: Conv1dConfig::new(1, CNN_CHANNELS[0], CNN_KERNEL)
                        .with_stride(2)
                        .init(device),
                    second: Conv1dConfig::new(CNN_CHANNELS[0], CNN_CHANNELS[1], CNN_KERNEL)
                        .with_stride(2)
                        .init(device),
                    out: LinearConfig::new(CNN_CHANNELS[1], h).init(device),
                })
            }
            CurveArchitecture::Lstm => {
                net.lstm = Some(LstmBody {
                    lstm: LstmConfig::new(self.patch, h, true).init(device),
                })
            }
            CurveArchitecture::Transformer => {
                net.transformer = Some(TransformerBody {
                    embed: LinearConfig::new(self.patch, D_MODEL).init(device),
                    position: Param::from_tensor(Tensor::<2>::random(
                        [tokens, D_MODEL],
                        Distribution::Normal(0.0, 0.02),
                        device,
                    )),
                    // No dropout: with 41 training curves, early stopping
                    // and weight decay regularise, and fits stay deterministic.
                    encoder: TransformerEncoderConfig::new(D_MODEL, 2 * D_MODEL, 2, 2)
                        .with_dropout(0.0)
                        .init(device),
                    out: LinearConfig::new(D_MODEL, h).init(device),
                })
            }
        }
        Ok(net)
    }
}

/// The MLP's layers.
#[derive(Module, Debug)]
pub struct MlpBody {
    first: Linear,
    second: Linear,
}

/// The CNN's layers.
#[derive(Module, Debug)]
pub struct CnnBody {
    first: Conv1d,
    second: Conv1d,
    out: Linear,
}

/// The LSTM.
#[derive(Module, Debug)]
pub struct LstmBody {
    lstm: Lstm,
}

/// The Transformer's layers.
#[derive(Module, Debug)]
pub struct TransformerBody {
    embed: Linear,
    position: Param<Tensor<2>>,
    encoder: TransformerEncoder,
    out: Linear,
}

/// One of the four bodies (exactly one is present) and a linear head.
#[derive(Module, Debug)]
pub struct CurveNet {
    mlp: Option<MlpBody>,
    cnn: Option<CnnBody>,
    lstm: Option<LstmBody>,
    transformer: Option<TransformerBody>,
    head: Linear,
    points: usize,
    patch: usize,
}

impl CurveNet {
    /// The curve cut into zero-padded patches, `rows × patches × patch`.
    fn patches(&self, x: Tensor<2>) -> Tensor<3> {
        let [rows, points] = x.dims();
        let tokens = points.div_ceil(self.patch);
        let pad = tokens * self.patch - points;
        let x = if pad > 0 {
            let zeros = Tensor::<2>::zeros([rows, pad], &x.device());
            Tensor::cat(vec![x, zeros], 1)
        } else {
            x
        };
        x.reshape([rows, tokens, self.patch])
    }

    /// Predictions, `rows × 1`, for curves `rows × points`.
    pub fn forward(&self, x: Tensor<2>) -> Result<Tensor<2>> {
        let [rows, points] = x.dims();
        if points != self.points {
            return Err(Error::shape_mismatch(
                "curve points",
                [self.points],
                [points],
            ));
        }
        let hidden = if let Some(b) = &self.mlp {
            relu(b.second.forward(relu(b.first.forward(x))))
        } else if let Some(b) = &self.cnn {
            let z = relu(b.first.forward(x.reshape([rows, 1, points])));
            let z = relu(b.second.forward(z));
            let pooled = z.mean_dim(2).reshape([rows, CNN_CHANNELS[1]]);
            relu(b.out.forward(pooled))
        } else if let Some(b) = &self.lstm {
            let (_, state) = b.lstm.forward(self.patches(x), None);
            state.hidden
        } else if let Some(b) = &self.transformer {
            let tokens = b.embed.forward(self.patches(x)) + b.position.val().unsqueeze::<3>();
            let z = b.encoder.forward(TransformerEncoderInput::new(tokens));
            let pooled = z.mean_dim(1).reshape([rows, D_MODEL]);
            relu(b.out.forward(pooled))
        } else {
            return Err(Error::internal("a curve network without a body"));
        };
        Ok(self.head.forward(hidden))
    }
}
