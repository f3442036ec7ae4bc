//! The one error type shared by every Voltai crate.

use std::fmt;

/// Convenient alias used across the workspace.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in Voltai, with enough context to say *where*.
///
/// Every crate returns this type so a downstream pipeline can use `?` across
/// data loading, fitting and prediction without conversions.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two arrays (or an array and a declared size) disagree in shape.
    #[error("shape mismatch in {context}: expected {expected:?}, got {actual:?}")]
    ShapeMismatch {
        /// What was being checked, e.g. `"targets vs features rows"`.
        context: String,
        /// The shape that was required.
        expected: Vec<usize>,
        /// The shape that was supplied.
        actual: Vec<usize>,
    },
    /// A NaN or infinite value where finite numbers are required.
    #[error("non-finite value {value} in {context} at index {index:?}")]
    NonFinite {
        /// Which input held the value.
        context: String,
        /// Multi-dimensional index of the first offending element.
        index: Vec<usize>,
        /// The offending value (NaN, +inf or -inf).
        value: f64,
    },
    /// A parameter outside its allowed range.
    #[error("invalid parameter `{name}` = {value}: allowed {allowed}")]
    InvalidParameter {
        /// Parameter name as it appears in the builder.
        name: String,
        /// The rejected value, formatted.
        value: String,
        /// Human-readable description of the allowed range, e.g. `"(0, inf)"`.
        allowed: String,
    },
    /// An input that must not be empty was empty.
    #[error("empty input: {0}")]
    EmptyInput(String),
    /// Input that is well-formed but unusable (one class only, unknown column, ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A malformed file, located to the line and column (both 1-based).
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// Path (or name) of the file.
        file: String,
        /// 1-based line number.
        line: u64,
        /// 1-based column number (field index for delimited files).
        column: u64,
        /// What was wrong there.
        message: String,
    },
    /// A numerical routine failed (matrix not SPD, no convergence, ...).
    #[error("numerical failure in {context}: {message}")]
    Numerical {
        /// The routine that failed.
        context: String,
        /// Why it failed.
        message: String,
    },
    /// An operating-system I/O error on a named path.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory involved.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An internal invariant of a Voltai routine broke: a bug, reported
    /// instead of being turned into a quiet wrong answer.
    #[error("internal invariant broken: {invariant}")]
    Internal {
        /// The invariant that did not hold, and where.
        invariant: String,
    },
    /// A named public data set is in none of the places data is looked for;
    /// the message says where it looked and the exact command that gets it.
    #[error("data set `{dataset}` not found (looked in: {searched}); {remedy}")]
    MissingData {
        /// The data set's registry name, e.g. `"zhang2020_lco_eis"`.
        dataset: String,
        /// The folders searched, in order, separated by `; `.
        searched: String,
        /// What to run to get it, e.g. "fetch it with `voltai data fetch NAME`".
        remedy: String,
    },
    /// A download failed: the server could not be reached, answered with an
    /// error status, stalled past the time-out or closed early.
    #[error("download of {url} failed: {message}")]
    Download {
        /// The address requested.
        url: String,
        /// What went wrong, in words.
        message: String,
    },
    /// A file's SHA-256 differs from the one its registry records.
    #[error("checksum mismatch for {path}: expected SHA-256 {expected}, got {actual}")]
    Checksum {
        /// The file (or address) checked.
        path: String,
        /// The recorded SHA-256, hex.
        expected: String,
        /// The SHA-256 of the bytes received, hex.
        actual: String,
    },
    /// A failure inside a storage or serialisation library (Parquet, JSON, ...).
    #[error("{format} error on {path}: {message}")]
    Format {
        /// The format, e.g. `"parquet"`.
        format: String,
        /// The file involved, or `"<memory>"`.
        path: String,
        /// The library's message.
        message: String,
    },
}

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid_parameter(
        name: impl Into<String>,
        value: impl fmt::Display,
        allowed: impl Into<String>,
    ) -> Self {
        Error::InvalidParameter {
            name: name.into(),
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }

    /// Shorthand for [`Error::ShapeMismatch`].
    pub fn shape_mismatch(
        context: impl Into<String>,
        expected: impl Into<Vec<usize>>,
        actual: impl Into<Vec<usize>>,
    ) -> Self {
        Error::ShapeMismatch {
            context: context.into(),
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    /// Shorthand for [`Error::Internal`].
    pub fn internal(invariant: impl Into<String>) -> Self {
        Error::Internal {
            invariant: invariant.into(),
        }
    }

    /// Shorthand for [`Error::Numerical`].
    pub fn numerical(context: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Numerical {
            context: context.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`Error::Parse`].
    pub fn parse(
        file: impl Into<String>,
        line: u64,
        column: u64,
        message: impl Into<String>,
    ) -> Self {
        Error::Parse {
            file: file.into(),
            line,
            column,
            message: message.into(),
        }
    }

    /// Shorthand for [`Error::Io`].
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}
