//! The benchmark's result: one row per model family, printed beside
//! BatteryML's figures.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A figure over seeds: the mean and the sample standard deviation (0 for
/// one seed).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OverSeeds {
    /// Mean over seeds.
    pub mean: f64,
    /// Sample standard deviation over seeds.
    pub sd: f64,
    /// Number of seeds.
    pub seeds: usize,
}

impl OverSeeds {
    pub(crate) fn of(values: &[f64]) -> Self {
        let n = values.len().max(1);
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = if values.len() > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        OverSeeds {
            mean,
            sd,
            seeds: values.len(),
        }
    }
}

impl fmt::Display for OverSeeds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.seeds > 1 {
            write!(f, "{:.0} ± {:.0}", self.mean, self.sd)
        } else {
            write!(f, "{:.0}", self.mean)
        }
    }
}

/// One model family's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkRow {
    /// The family.
    pub model: String,
    /// The features it read.
    pub features: String,
    /// RMSE (cycles) on MATR1: the primary test cells without the
    /// shortest-lived one.
    pub matr1: OverSeeds,
    /// RMSE (cycles) on MATR2: the secondary test cells.
    pub matr2: OverSeeds,
    /// Share of MATR1 cells inside the 90 % interval (mean over seeds).
    pub coverage1: f64,
    /// Share of MATR2 cells inside the 90 % interval (mean over seeds).
    pub coverage2: f64,
    /// Where the interval comes from: "conformal" or the model's own.
    pub interval: String,
    /// RMSE (cycles) of the whole procedure (selection included) in the
    /// outer cross-validation on the training cells: the only figure used
    /// to choose a model.
    pub outer_cv_rmse: f64,
    /// The hyperparameters chosen on all training cells (first seed).
    pub chosen: String,
    /// BatteryML's published RMSE on MATR1 and MATR2.
    pub batteryml: (Option<f64>, Option<f64>),
}

/// The whole table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkReport {
    /// One row per family.
    pub rows: Vec<BenchmarkRow>,
    /// The index of the row with the lowest outer-CV RMSE: our model for
    /// both columns, chosen without looking at a test cell.
    pub selected: usize,
    /// Whether the grids were trimmed and the seeds cut (quick mode).
    pub quick: bool,
}

impl fmt::Display for BenchmarkReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reference = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}"));
        writeln!(
            f,
            "{:<24} {:<10} {:>12} {:>9} {:>12} {:>9} {:>7} {:>7} {:>8}  chosen",
            "model",
            "features",
            "MATR1",
            "BatteryML",
            "MATR2",
            "BatteryML",
            "cov1",
            "cov2",
            "outer CV"
        )?;
        for (i, r) in self.rows.iter().enumerate() {
            let mark = if i == self.selected { "*" } else { " " };
            writeln!(
                f,
                "{mark}{:<23} {:<10} {:>12} {:>9} {:>12} {:>9} {:>6.0}% {:>6.0}% {:>8.0}  {}",
                r.model,
                r.features,
                r.matr1.to_string(),
                reference(r.batteryml.0),
                r.matr2.to_string(),
                reference(r.batteryml.1),
                100.0 * r.coverage1,
                100.0 * r.coverage2,
                r.outer_cv_rmse,
                r.chosen
            )?;
        }
        write!(
            f,
            "RMSE in cycles; cov = share of test cells inside the 90 % interval; * = lowest \
             outer-CV RMSE on the training cells (our model for both columns)"
        )
    }
}
