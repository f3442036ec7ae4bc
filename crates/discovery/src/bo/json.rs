//! JSON text and files for what a campaign saves (its history, its ledger):
//! parse errors carry the file, line and column.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use voltai_core::{Error, Result};

/// Pretty JSON text of `value`.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| Error::Format {
        format: "json".into(),
        path: "<memory>".into(),
        message: e.to_string(),
    })
}

/// Parses JSON text; `source` names it in errors (a path, or `<ledger>`).
pub(crate) fn from_json<T: DeserializeOwned>(text: &str, source: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Parse {
        file: source.into(),
        line: e.line() as u64,
        column: e.column() as u64,
        message: e.to_string(),
    })
}

/// Writes `value` as JSON to `path`.
pub(crate) fn save<T: Serialize>(value: &T, path: &Path) -> Result<()> {
    std::fs::write(path, to_json(value)?).map_err(|e| Error::io(path, e))
}

/// Reads the JSON file at `path` and checks it with `parse` (which sees the
/// text and the path to name in errors).
pub(crate) fn load<T>(path: &Path, parse: impl FnOnce(&str, &str) -> Result<T>) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, &path.display().to_string())
}
