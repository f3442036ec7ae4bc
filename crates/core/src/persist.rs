//! Saving and loading fitted models as versioned files.
//!
//! Every fitted model of the workspace implements [`Persist`]: it writes a
//! JSON file that names the model kind, the file-format version and the
//! Voltai version that wrote it, and loads it back bit for bit (floats are
//! written with enough digits to round-trip exactly). A file written by
//! another model kind, another format version or another Voltai version is an
//! [`Error::Format`], never a model silently built from the wrong fields.
//!
//! ```
//! use voltai_core::persist::Persist;
//! use voltai_core::{Dataset, Fit, StandardScaler, FittedStandardScaler};
//!
//! let data = Dataset::unsupervised(ndarray::array![[1.0, 2.0], [3.0, 5.0]])?;
//! let scaler = StandardScaler::new().fit(&data)?;
//! let text = scaler.to_json()?;
//! let back = FittedStandardScaler::from_json(&text)?;
//! assert_eq!(back.transform(data.features())?, scaler.transform(data.features())?);
//! # Ok::<(), voltai_core::Error>(())
//! ```

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Version of the file layout written by [`Persist::save`].
pub const FORMAT_VERSION: u32 = 1;

/// The Voltai version that writes and accepts model files.
pub const VOLTAI_VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Serialize)]
struct EnvelopeOut<'a, T> {
    voltai_model: &'a str,
    format_version: u32,
    voltai_version: &'a str,
    model: &'a T,
}

#[derive(Deserialize)]
struct Header {
    voltai_model: String,
    format_version: u32,
    voltai_version: String,
}

#[derive(Deserialize)]
struct EnvelopeIn<T> {
    model: T,
}

fn format_error(path: &str, message: impl Into<String>) -> Error {
    Error::Format {
        format: "voltai model".into(),
        path: path.into(),
        message: message.into(),
    }
}

/// Serialises `model` as a versioned JSON document of kind `kind`.
pub fn to_json<T: Serialize>(kind: &str, model: &T) -> Result<String> {
    serde_json::to_string(&EnvelopeOut {
        voltai_model: kind,
        format_version: FORMAT_VERSION,
        voltai_version: VOLTAI_VERSION,
        model,
    })
    .map_err(|e| format_error("<memory>", e.to_string()))
}

/// Reads a document written by [`to_json`], checking its kind and versions;
/// `path` only names the source in errors.
pub fn from_json<T: DeserializeOwned>(kind: &str, text: &str, path: &str) -> Result<T> {
    let header: Header = serde_json::from_str(text)
        .map_err(|e| format_error(path, format!("not a Voltai model file: {e}")))?;
    if header.voltai_model != kind {
        return Err(format_error(
            path,
            format!("the file holds a `{}`, not a `{kind}`", header.voltai_model),
        ));
    }
    if header.format_version != FORMAT_VERSION {
        return Err(format_error(
            path,
            format!(
                "file format version {} (this build reads {FORMAT_VERSION})",
                header.format_version
            ),
        ));
    }
    if header.voltai_version != VOLTAI_VERSION {
        return Err(format_error(
            path,
            format!(
                "written by Voltai {} (this is {VOLTAI_VERSION}); refit or load with that version",
                header.voltai_version
            ),
        ));
    }
    let envelope: EnvelopeIn<T> =
        serde_json::from_str(text).map_err(|e| format_error(path, e.to_string()))?;
    Ok(envelope.model)
}

/// A fitted model that saves to and loads from a versioned file.
///
/// Implementors only name their kind; serialisation is their serde
/// implementation.
pub trait Persist: Serialize + DeserializeOwned {
    /// A stable name of the model kind, written into every file, e.g.
    /// `"voltai_kernels::Svc"`.
    const KIND: &'static str;

    /// The model as a versioned JSON document.
    fn to_json(&self) -> Result<String> {
        to_json(Self::KIND, self)
    }

    /// A model from a document written by [`Persist::to_json`].
    fn from_json(text: &str) -> Result<Self> {
        from_json(Self::KIND, text, "<memory>")
    }

    /// Writes the model to `path` (through a temporary file, so a crash never
    /// leaves half a model behind).
    fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let text = self.to_json()?;
        let tmp = path.with_extension("voltai-tmp");
        std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    }

    /// Reads a model saved by [`Persist::save`].
    fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        from_json(Self::KIND, &text, &path.display().to_string())
    }
}
