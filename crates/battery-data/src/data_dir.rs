//! Finding the public data sets: one resolution order for tests, examples,
//! benchmarks and the `voltai` command.
//!
//! [`dataset_dir`] looks for a named data set, in order, in
//!
//! 1. `$VOLTAI_DATA_DIR/<name>` (when the variable is set, it must name a folder);
//! 2. `shared/data/<name>` in the current directory or the nearest folder above
//!    it that has one (a checkout sits beside `shared/`);
//! 3. the per-user cache that `voltai data fetch <name>` fills
//!    ([`cache_root`]: `$XDG_CACHE_HOME/voltai/data` or `~/.cache/voltai/data` on
//!    Linux, `~/Library/Caches/voltai/data` on macOS,
//!    `%LOCALAPPDATA%\voltai\data` on Windows);
//! 4. `data/<name>` of this source checkout, for the few data sets whose
//!    licence lets the repository carry them (the Severson 2019 files).
//!
//! When none has it, the error ([`Error::MissingData`]) lists the folders
//! searched and the exact `voltai data fetch …` command to run.

use std::path::{Path, PathBuf};

use voltai_core::{Error, Result};

use crate::registry::{RegisteredDataset, Registry};

/// The environment variable that names a data root searched first, and the
/// folder `voltai data fetch` writes to when it is set.
pub const DATA_DIR_ENV: &str = "VOLTAI_DATA_DIR";

/// The data sets carried by this source checkout (`data/` at the repository root).
const CHECKOUT_DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");

/// `$VOLTAI_DATA_DIR`, if set: an error when it is set but is not a folder.
pub fn env_data_dir() -> Result<Option<PathBuf>> {
    match std::env::var_os(DATA_DIR_ENV) {
        None => Ok(None),
        Some(dir) => {
            let p = PathBuf::from(dir);
            if p.is_dir() {
                Ok(Some(p))
            } else {
                Err(Error::InvalidInput(format!(
                    "{DATA_DIR_ENV}={} is not a directory",
                    p.display()
                )))
            }
        }
    }
}

/// Locates the data root: `$VOLTAI_DATA_DIR` if set, else the first
/// `shared/data` found walking up from the current directory (a checkout sits
/// beside `shared/`, so this finds `../shared/data` from the repository root and
/// from any crate directory below it).
pub fn shared_data_dir() -> Result<PathBuf> {
    if let Some(dir) = env_data_dir()? {
        return Ok(dir);
    }
    let start = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    find_upwards(&start).ok_or_else(|| {
        Error::InvalidInput(format!(
            "no shared/data folder above {}; set {DATA_DIR_ENV} or run `voltai data fetch`",
            start.display()
        ))
    })
}

fn find_upwards(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|a| {
        let p = a.join("shared").join("data");
        p.is_dir().then_some(p)
    })
}

/// The per-user cache root that `voltai data fetch` fills when
/// `$VOLTAI_DATA_DIR` is not set, following each platform's convention.
pub fn cache_root() -> Result<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(target_os = "windows") {
        var("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| h.join("Library").join("Caches"))
    } else {
        var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|h| h.join(".cache")))
    };
    base.map(|b| b.join("voltai").join("data")).ok_or_else(|| {
        Error::InvalidInput(format!(
            "no per-user cache folder (HOME / XDG_CACHE_HOME / LOCALAPPDATA unset); set {DATA_DIR_ENV}"
        ))
    })
}

/// The folder `voltai data fetch` writes to: `$VOLTAI_DATA_DIR` when set
/// (created by the fetch if it does not exist yet), else [`cache_root`].
pub fn fetch_root() -> Result<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => {
            let p = PathBuf::from(dir);
            if p.exists() && !p.is_dir() {
                return Err(Error::InvalidInput(format!(
                    "{DATA_DIR_ENV}={} is not a directory",
                    p.display()
                )));
            }
            Ok(p)
        }
        _ => cache_root(),
    }
}

/// The candidate folders for data set `name`, in resolution order (whether or
/// not they exist).
pub fn candidate_dirs(name: &str) -> Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    if let Some(root) = env_data_dir()? {
        dirs.push(root.join(name));
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    if let Some(shared) = find_upwards(&cwd) {
        dirs.push(shared.join(name));
    }
    if let Ok(cache) = cache_root() {
        dirs.push(cache.join(name));
    }
    dirs.push(PathBuf::from(CHECKOUT_DATA).join(name));
    Ok(dirs)
}

/// A named data set folder, e.g. `"severson2019_lfp_fastcharge"`, found in
/// the order this module describes. For a data set the registry knows, a
/// folder counts only when it holds every file the registry lists (a fetch
/// that stopped half way leaves an incomplete one, and the checkout carries
/// only some of the materials files); the files' contents are checked by
/// `voltai data verify`, not here.
pub fn dataset_dir(name: &str) -> Result<PathBuf> {
    if name.is_empty() || name.contains(['/', '\\', ':']) || name.starts_with('.') {
        return Err(Error::InvalidInput(format!(
            "`{name}` is not a data set name"
        )));
    }
    let registry = Registry::builtin()?;
    let entry = registry.get(name).ok();
    let candidates = candidate_dirs(name)?;
    for dir in &candidates {
        let complete = match entry {
            Some(e) => e.files.iter().all(|f| dir.join(&f.path).is_file()),
            None => dir.is_dir(),
        };
        if complete {
            return Ok(dir.clone());
        }
    }
    let searched = candidates
        .iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join("; ");
    match entry {
        Some(e) => Err(Error::MissingData {
            dataset: name.to_string(),
            searched,
            remedy: remedy(e),
        }),
        None => Err(Error::InvalidInput(format!(
            "data set folder `{name}` not found (looked in: {searched}), and the registry does not \
             know it (`voltai data list` names the data sets it can fetch)"
        ))),
    }
}

/// The exact command that gets a registered data set, in words.
pub fn remedy(dataset: &RegisteredDataset) -> String {
    let name = &dataset.name;
    let unaddressed = dataset.files.iter().filter(|f| f.url.is_none()).count();
    if unaddressed == 0 {
        format!("fetch it with `voltai data fetch {name}`")
    } else {
        format!(
            "{unaddressed} of its {} files have no public address (derived from sources whose \
             licence does not let the project host them): fetch them from a copy with \
             `voltai data fetch {name} --mirror URL`, or build them from the sources that \
             `voltai data list --files {name}` names",
            dataset.files.len()
        )
    }
}
