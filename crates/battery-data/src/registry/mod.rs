//! The registry of public data sets: for every file the project reads, where
//! it comes from (the original public address, or the project's data release
//! for files derived from it), its SHA-256 and size, its licence and the work
//! to cite.
//!
//! The registry is data ([`Registry::builtin`] parses `datasets.json`, written
//! by `tools/data/make_registry.py` from the shared data folder and the
//! provenance its READMEs give). [`verify_dataset`] checks a folder against
//! it; with the `fetch` feature, [`fetch::Fetcher`] downloads a data set
//! into the per-user cache (no network code is compiled without it).
//!
//! ```
//! use voltai_battery_data::registry::Registry;
//!
//! let registry = Registry::builtin()?;
//! let severson = registry.get("severson2019_lfp_fastcharge")?;
//! assert!(severson.redistributable);
//! assert!(severson.files.iter().any(|f| f.path == "cells.csv"));
//! # Ok::<(), voltai_core::Error>(())
//! ```

#[cfg(feature = "fetch")]
pub mod fetch;
mod verify;

use serde::{Deserialize, Serialize};
use voltai_core::{Error, Result};

pub use verify::{FileCheck, FileStatus, sha256_file, verify_dataset};

/// The registry as shipped: one entry per data set folder.
const BUILTIN: &str = include_str!("datasets.json");

/// How a registered file relates to its original source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// Byte for byte a published file.
    Verbatim {
        /// Where it is published: an address, or a package and the path in it.
        source: String,
    },
    /// Computed from published files by the recipe.
    Derived {
        /// The published files it was computed from.
        from: Vec<String>,
        /// What was done, in words (the data set's README gives the details).
        recipe: String,
    },
}

/// One file of a data set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredFile {
    /// Path inside the data set folder, `/`-separated.
    pub path: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Where to download it: the source itself for a verbatim file at a
    /// public address, the copy this repository carries (`data/`) where the
    /// licence allows it; `None` when neither serves these bytes.
    pub url: Option<String>,
    /// Verbatim copy or derived.
    pub origin: Origin,
    /// The licence as the source states it.
    pub licence: String,
}

/// One data set: a folder of files with a common source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredDataset {
    /// The folder name, e.g. `"zhang2020_lco_eis"`.
    pub name: String,
    /// What it is, in a line.
    pub title: String,
    /// The work(s) to cite.
    pub citation: String,
    /// The licence(s) as the sources state them.
    pub licence: String,
    /// Whether every file's licence allows redistribution.
    pub redistributable: bool,
    /// The files, in path order.
    pub files: Vec<RegisteredFile>,
}

impl RegisteredDataset {
    /// Total size in bytes.
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }
}

/// The data sets the project knows how to find, check and fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registry {
    /// Format version of the registry file.
    pub version: u32,
    /// The data sets, in name order.
    pub datasets: Vec<RegisteredDataset>,
}

impl Registry {
    /// The registry shipped with this crate, validated (parsed once per process).
    pub fn builtin() -> Result<Self> {
        static PARSED: std::sync::OnceLock<std::result::Result<Registry, String>> =
            std::sync::OnceLock::new();
        PARSED
            .get_or_init(|| {
                Self::from_json(BUILTIN, "registry/datasets.json").map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|e| Error::internal(format!("the shipped registry is invalid: {e}")))
    }

    /// Parses and validates a registry (`source` names it in errors).
    pub fn from_json(text: &str, source: &str) -> Result<Self> {
        let registry: Registry = serde_json::from_str(text).map_err(|e| Error::Parse {
            file: source.to_string(),
            line: e.line() as u64,
            column: e.column() as u64,
            message: e.to_string(),
        })?;
        registry.validate(source)?;
        Ok(registry)
    }

    fn validate(&self, source: &str) -> Result<()> {
        let bad = |what: String| Err(Error::InvalidInput(format!("{source}: {what}")));
        if self.version != 1 {
            return bad(format!(
                "registry version {} (this build reads 1)",
                self.version
            ));
        }
        let mut names = std::collections::BTreeSet::new();
        for d in &self.datasets {
            if !is_safe_relative(&d.name) || d.name.contains('/') {
                return bad(format!(
                    "data set name `{}` is not a plain folder name",
                    d.name
                ));
            }
            if !names.insert(&d.name) {
                return bad(format!("data set `{}` listed twice", d.name));
            }
            let mut paths = std::collections::BTreeSet::new();
            for f in &d.files {
                if !is_safe_relative(&f.path) {
                    return bad(format!(
                        "{}: `{}` is not a relative path inside the folder",
                        d.name, f.path
                    ));
                }
                if !paths.insert(&f.path) {
                    return bad(format!("{}: `{}` listed twice", d.name, f.path));
                }
                if f.sha256.len() != 64
                    || !f
                        .sha256
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                {
                    return bad(format!(
                        "{}/{}: SHA-256 `{}` is not 64 lower-case hex digits",
                        d.name, f.path, f.sha256
                    ));
                }
            }
        }
        Ok(())
    }

    /// The data set called `name`; the error lists the known names.
    pub fn get(&self, name: &str) -> Result<&RegisteredDataset> {
        self.datasets
            .iter()
            .find(|d| d.name == name)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "unknown data set `{name}`; known: {}",
                    self.datasets
                        .iter()
                        .map(|d| d.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
    }

    /// The same registry with every downloadable file served from a mirror:
    /// `{base}/{data set}/{path}` (an institution's copy of the data, or a
    /// local server in tests), including the files no public address serves.
    pub fn mirrored(&self, base: &str) -> Self {
        let base = base.trim_end_matches('/');
        let mut r = self.clone();
        for d in &mut r.datasets {
            for f in &mut d.files {
                f.url = Some(format!("{base}/{}/{}", d.name, f.path));
            }
        }
        r
    }
}

/// A `/`-separated relative path whose components are plain names: not
/// empty, not starting with `.` (no `..`, no clash with the fetcher's
/// `.partial` folder and lock files), without `\\` or `:` (a Windows drive
/// or alternate data stream).
fn is_safe_relative(p: &str) -> bool {
    !p.is_empty()
        && !p.contains(['\\', ':'])
        && p.split('/').all(|c| !c.is_empty() && !c.starts_with('.'))
}
