//! Fitted burn models as serde values: the weights travel as burnpack
//! bytes (hex) beside the settings, so `voltai_core::persist::Persist` saves
//! a network like every other fitted model of the workspace, in one
//! versioned file, bit for bit.

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use voltai_core::{Error, Result};

fn format_error(message: impl Into<String>) -> Error {
    Error::Format {
        format: "burnpack weights".into(),
        path: "<model file>".into(),
        message: message.into(),
    }
}

/// A module's parameters as a hex string of burnpack bytes.
pub fn weights_to_hex<M: Module>(model: &M) -> Result<String> {
    let bytes = model
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| format_error(format!("{e:?}")))?;
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes.iter() {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    Ok(out)
}

/// Loads parameters written by [`weights_to_hex`] into `model`, a module of
/// the same shape (e.g. freshly initialised from the same settings).
pub fn weights_from_hex<M: Module>(model: M, hex: &str) -> Result<M> {
    if !hex.len().is_multiple_of(2) {
        return Err(format_error("odd number of hex digits"));
    }
    let digit = |c: u8, at: usize| -> Result<u8> {
        match c {
            b'0'..=b'9' => Ok(c - b'0'),
            b'a'..=b'f' => Ok(c - b'a' + 10),
            b'A'..=b'F' => Ok(c - b'A' + 10),
            _ => Err(format_error(format!("not a hex digit at offset {at}"))),
        }
    };
    let raw = hex.as_bytes();
    let mut bytes = Vec::with_capacity(raw.len() / 2);
    for (k, pair) in raw.chunks_exact(2).enumerate() {
        bytes.push((digit(pair[0], 2 * k)? << 4) | digit(pair[1], 2 * k + 1)?);
    }
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes))
        .map_err(|e| format_error(format!("{e:?}")))?;
    model
        .try_load_record(record)
        .map_err(|e| format_error(format!("{e:?}")))
}

/// What a saved network holds: its settings (whatever rebuilds the module
/// and reads its outputs), the training record and the weights. Fitted
/// models serialise through it, so every network's file has one layout.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct SavedNetwork<S> {
    /// Params and fitted scalars.
    pub settings: S,
    /// Epoch whose weights were kept.
    pub best_epoch: usize,
    /// Per-epoch losses.
    pub history: Vec<crate::train::EpochReport>,
    /// Burnpack bytes of the parameters, hex.
    pub weights: String,
}

impl<S> SavedNetwork<S> {
    /// Captures `net`'s weights beside `settings`.
    pub fn new<M: Module>(
        settings: S,
        net: &M,
        best_epoch: usize,
        history: &[crate::train::EpochReport],
    ) -> Result<Self> {
        Ok(SavedNetwork {
            settings,
            best_epoch,
            history: history.to_vec(),
            weights: weights_to_hex(net)?,
        })
    }

    /// Loads the saved weights into `init`, a module built from the settings.
    pub fn weights_into<M: Module>(&self, init: M) -> Result<M> {
        weights_from_hex(init, &self.weights)
    }
}
