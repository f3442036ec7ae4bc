//! The record of evaluated points, serialisable so a campaign can resume.

use serde::{Deserialize, Serialize};
use voltai_core::{Error, Result};

/// One evaluated point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The point, one entry per dimension (categoricals as choice index).
    pub x: Vec<f64>,
    /// The objective value.
    pub y: f64,
    /// Constraint values, one per declared constraint (feasible: ≤ limit).
    pub constraints: Vec<f64>,
}

/// All observations so far, in the order they were told.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// The observations.
    pub observations: Vec<Observation>,
}

impl History {
    /// JSON text of the history.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Format {
            format: "json".into(),
            path: "<memory>".into(),
            message: e.to_string(),
        })
    }

    /// Parses JSON text written by [`History::to_json`].
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::Parse {
            file: "<history>".into(),
            line: e.line() as u64,
            column: e.column() as u64,
            message: e.to_string(),
        })
    }

    /// Writes the history to `path` (e.g. after every evaluation).
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        std::fs::write(path.as_ref(), self.to_json()?).map_err(|e| Error::io(path, e))
    }

    /// Reads a history saved by [`History::save`].
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let text =
            std::fs::read_to_string(path.as_ref()).map_err(|e| Error::io(path.as_ref(), e))?;
        Self::from_json(&text).map_err(|e| match e {
            Error::Parse {
                line,
                column,
                message,
                ..
            } => Error::Parse {
                file: path.as_ref().display().to_string(),
                line,
                column,
                message,
            },
            other => other,
        })
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.observations.len()
    }

    /// Whether nothing has been observed.
    pub fn is_empty(&self) -> bool {
        self.observations.is_empty()
    }
}
