//! Files → cell histories, with a progress bar on the terminal.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use voltai_battery_data::CellHistory;
use voltai_battery_data::cycler::read_cycler_file;
use voltai_core::Result;

/// What the command line adds to a file's own metadata.
#[derive(Debug, Clone, Default)]
pub struct CellOptions {
    /// Chemistry, when the user names it.
    pub chemistry: Option<String>,
    /// Nominal capacity in Ah, when the user gives it.
    pub nominal_capacity_ah: Option<f64>,
}

/// A bar on standard error (hidden when it is not a terminal).
pub fn progress_bar(n: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(n as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    bar
}

/// One history per file, in order; a file that cannot be read keeps its error.
pub fn load_histories(
    files: &[PathBuf],
    options: &CellOptions,
) -> Vec<(PathBuf, Result<CellHistory>)> {
    let bar = progress_bar(files.len(), "reading");
    let out = files
        .iter()
        .map(|f| {
            bar.set_message(f.display().to_string());
            let h = load_one(f, options);
            bar.inc(1);
            (f.clone(), h)
        })
        .collect();
    bar.finish_and_clear();
    out
}

fn load_one(file: &Path, options: &CellOptions) -> Result<CellHistory> {
    let mut history = CellHistory::from_cycler_file(&read_cycler_file(file)?)?;
    if options.chemistry.is_some() {
        history.metadata.chemistry.clone_from(&options.chemistry);
    }
    if options.nominal_capacity_ah.is_some() {
        history.metadata.nominal_capacity_ah = options.nominal_capacity_ah;
    }
    Ok(history)
}
