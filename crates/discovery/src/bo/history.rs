//! The record of evaluated points, serialisable so a campaign can resume.

use serde::{Deserialize, Serialize};
use voltai_core::Result;

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
        super::json::to_json(self)
    }

    /// Parses JSON text written by [`History::to_json`].
    pub fn from_json(text: &str) -> Result<Self> {
        super::json::from_json(text, "<history>")
    }

    /// Writes the history to `path` (e.g. after every evaluation).
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        super::json::save(self, path.as_ref())
    }

    /// Reads a history saved by [`History::save`].
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self> {
        super::json::load(path.as_ref(), |text, source| {
            super::json::from_json(text, source)
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
