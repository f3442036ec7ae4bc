//! Finding the shared data folder from tests, examples and benchmarks.

use std::path::{Path, PathBuf};

use voltai_core::{Error, Result};

/// Locates `shared/data`: `$VOLTAI_DATA_DIR` if set, else the first
/// `shared/data` found walking up from the current directory (a checkout sits
/// beside `shared/`, so this finds `../shared/data` from the repository root and
/// from any crate directory below it).
pub fn shared_data_dir() -> Result<PathBuf> {
    if let Ok(dir) = std::env::var("VOLTAI_DATA_DIR") {
        let p = PathBuf::from(dir);
        return if p.is_dir() {
            Ok(p)
        } else {
            Err(Error::InvalidInput(format!(
                "VOLTAI_DATA_DIR={} is not a directory",
                p.display()
            )))
        };
    }
    let start = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    find_upwards(&start).ok_or_else(|| {
        Error::InvalidInput(format!(
            "no shared/data folder above {}; set VOLTAI_DATA_DIR",
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

/// A named data set folder inside [`shared_data_dir`], e.g. `"severson2019_lfp_fastcharge"`.
pub fn dataset_dir(name: &str) -> Result<PathBuf> {
    let p = shared_data_dir()?.join(name);
    if p.is_dir() {
        Ok(p)
    } else {
        Err(Error::InvalidInput(format!(
            "data set folder {} not found",
            p.display()
        )))
    }
}
